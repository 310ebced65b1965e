/**
 * Install an OfflineCloud as Pulumi's mock runtime. Like `pulumi.runtime.setMocks`, plus the
 * parent and dependencies of each resource, which the Mocks interface does not pass on.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as state from "@pulumi/pulumi/runtime/state";
import { OfflineCloud } from "./cloud";

/** The gRPC request fields the monitor reads (a subset of RegisterResourceRequest). */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    /** Absent on ReadResourceRequest (a read, e.g. a StackReference). */
    getPropertydependenciesMap?(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void } | undefined;
    getAdditionalsecretoutputsList(): string[];
}

/** The fields of RegisterResourceOutputsRequest the monitor reads. */
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): unknown } | undefined;
}

class RecordingMonitor extends MockMonitor {
    constructor(private readonly cloud: OfflineCloud) {
        super(cloud);
    }

    override async registerResource(req: RegisterRequest, callback: (err: unknown, response: unknown) => void): Promise<void> {
        this.note(req);
        return super.registerResource(req, callback);
    }

    /** Reads (a StackReference, `Resource.get`) are recorded like registrations. */
    override async readResource(req: RegisterRequest, callback: (err: unknown, response: unknown) => void): Promise<void> {
        this.note(req);
        return super.readResource(req, callback);
    }

    private note(req: RegisterRequest): void {
        const parent = req.getParent() || undefined;
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap?.()?.forEach((deps, input) => {
            propertyDependencies[input] = deps.getUrnsList();
        });
        this.cloud.noteRegistration(req.getType(), req.getName(), {
            urn: this.urnOf(parent, req.getType(), req.getName()),
            parent,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
    }

    /** A component's registerOutputs: what the engine keeps as the component's outputs. */
    override registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, response: unknown) => void): void {
        this.cloud.noteRegisteredOutputs(req.getUrn(), (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>);
        super.registerResourceOutputs(req, callback);
    }

    /** The URN MockMonitor gives a resource (same scheme as its private newUrn). */
    private urnOf(parent: string | undefined, type: string, name: string): string {
        let qualified = type;
        if (parent) qualified = `${parent.split("::")[2].split("$").pop()}$${type}`;
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
    }
}

export interface InstallOptions {
    readonly project?: string;
    readonly stack?: string;
    /** Preview: unknown values stay unknown, as in `pulumi preview`. */
    readonly preview?: boolean;
}

/** Make the offline cloud answer for Pulumi's runtime in this process. */
export async function installOfflineCloud(cloud: OfflineCloud, options: InstallOptions = {}): Promise<void> {
    settings.setMockOptions(
        new RecordingMonitor(cloud),
        options.project ?? "dualstack",
        options.stack ?? cloud.options.stack ?? "dev",
        options.preview ?? false,
        // The organization of a self-managed backend, as `pulumi.getOrganization()` reports it there.
        "organization",
    );
    // The feature flags pulumi.runtime.setMocks sets after installing its own monitor.
    // getStore is exported by the runtime but marked internal in its typings.
    const store = (state as unknown as { getStore(): Record<string, unknown> }).getStore();
    Object.assign(store, {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: true,
        supportsInvokeTransforms: true,
        supportsParameterization: true,
        supportsInvokeDependsOn: false,
    });
}

/** Wait until every resource registration and output resolution in flight has finished. */
export async function settle(): Promise<void> {
    // waitForRPCs is exported by the runtime but marked internal in its typings.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
