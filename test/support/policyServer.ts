/**
 * The policy pack as the Pulumi CLI runs it: `policies/index.ts` in its own process (its
 * working directory is the pack, as the CLI starts it), serving the analyzer gRPC API on the
 * port it prints. Tests talk to it as the engine does: configure, analyze one resource's
 * inputs, analyze the stack. Unknown values travel as the engine sends them (the unknown
 * sentinel string), so the real deserialization and unknown-checking proxy are exercised.
 *
 * gRPC and protobuf are @pulumi/pulumi's own dependencies; they are loaded from where
 * @pulumi/pulumi finds them, so the client and the messages match its generated code.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";

const PACK_DIR = path.join(__dirname, "..", "..", "policies");
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = <T>(id: string): T => require(require.resolve(id, { paths: [pulumiDir] })) as T;
const grpc = fromPulumi<typeof grpcTypes>("@grpc/grpc-js");
const { Struct } = fromPulumi<typeof structTypes>("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi<{ Empty: new () => unknown }>("google-protobuf/google/protobuf/empty_pb");

const LEVELS: Record<string, analyzerproto.EnforcementLevel> = {
    advisory: analyzerproto.EnforcementLevel.ADVISORY,
    mandatory: analyzerproto.EnforcementLevel.MANDATORY,
    disabled: analyzerproto.EnforcementLevel.DISABLED,
};

/** A diagnostic the server returned. */
export interface Diagnostic {
    readonly policy: string;
    readonly message: string;
    readonly level: string;
    readonly urn: string;
}

/** A resource for `analyzeStack`: props are outputs. */
export interface ServedResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    /** Its parent among the other resources: a URN, or a name. */
    readonly parent?: string;
    /** Its URN (recorded stacks, where names repeat across types); made from type and name when absent. */
    readonly urn?: string;
}

function levelName(level: analyzerproto.EnforcementLevel): string {
    return Object.entries(LEVELS).find(([, v]) => v === level)?.[0] ?? String(level);
}

function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::dualstack::${type}::${name}`;
}

function options(parent?: string): analyzerproto.AnalyzerResourceOptions {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
    if (parent) opts.setParent(parent);
    return opts;
}

function struct(props: Record<string, unknown>): structTypes.Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

function diagnostics(response: analyzerproto.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        message: d.getMessage(),
        level: levelName(d.getEnforcementlevel()),
        urn: d.getUrn(),
    }));
}

/** A running policy pack. */
export class PolicyServer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerrpc.AnalyzerClient,
    ) {}

    /**
     * Start `policies/index.ts` from this repository (its `dualstack/policies` import resolved to
     * the sources, see ./packageSource.ts) and connect to it.
     */
    static start(): Promise<PolicyServer> {
        return PolicyServer.spawn(["-r", "ts-node/register/transpile-only", "-r", path.join(__dirname, "packageSource.ts"), "index.ts"], PACK_DIR);
    }

    /** Start a policy pack with these Node.js arguments in `cwd`, wait for the port it prints and connect. */
    static async spawn(args: readonly string[], cwd: string, node: string = process.execPath): Promise<PolicyServer> {
        const child = spawn(node, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            let err = "";
            child.stdout?.on("data", (chunk: Buffer) => {
                out += chunk.toString();
                const match = /^(\d+)\s*$/m.exec(out);
                if (match) resolve(Number(match[1]));
            });
            child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
            child.on("exit", (code) => reject(new Error(`the policy pack exited with ${code}: ${err}`)));
        });
        const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new PolicyServer(child, client);
    }

    /** Stop the pack's process. */
    stop(): void {
        this.client.close();
        this.child.kill();
    }

    private call<Req, Res>(method: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
        return new Promise((resolve, reject) => method.call(this.client, request, (err, res) => (err ? reject(err) : resolve(res))));
    }

    /** The pack's name, version and policies with their levels and config schemas. */
    async info(): Promise<{ name: string; version: string; policies: Array<{ name: string; level: string; configSchema?: unknown }> }> {
        const info = await this.call<unknown, analyzerproto.AnalyzerInfo>(this.client.getAnalyzerInfo as never, new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                level: levelName(p.getEnforcementlevel()),
                configSchema: p.getConfigschema()?.getProperties()?.toJavaScript(),
            })),
        };
    }

    /** Configure the policies as `--policy-pack-config` does; every policy gets a level. */
    async configure(levels: Record<string, string>, config: Record<string, unknown>): Promise<void> {
        const request = new analyzerproto.ConfigureAnalyzerRequest();
        for (const [policy, level] of Object.entries(levels)) {
            const given = config[policy];
            const body = typeof given === "object" && given !== null ? { ...(given as Record<string, unknown>) } : {};
            const chosen = typeof given === "string" ? given : (body.enforcementLevel as string | undefined) ?? level;
            delete body.enforcementLevel;
            const entry = new analyzerproto.PolicyConfig();
            entry.setEnforcementlevel(LEVELS[chosen]);
            entry.setProperties(struct(body));
            request.getPolicyconfigMap().set(policy, entry);
        }
        await this.call(this.client.configure as never, request);
    }

    /** Analyze one resource's inputs (as before it is created). */
    async analyze(type: string, name: string, props: Record<string, unknown>): Promise<Diagnostic[]> {
        const request = new analyzerproto.AnalyzeRequest();
        request.setType(type);
        request.setName(name);
        request.setUrn(urnOf(type, name));
        request.setProperties(struct(props));
        request.setOptions(options());
        return diagnostics(await this.call<analyzerproto.AnalyzeRequest, analyzerproto.AnalyzeResponse>(this.client.analyze as never, request));
    }

    /** Analyze a whole stack (resources with their outputs). */
    async analyzeStack(resources: readonly ServedResource[]): Promise<Diagnostic[]> {
        const request = new analyzerproto.AnalyzeStackRequest();
        const urnOfServed = (r: ServedResource) => r.urn ?? urnOf(r.type, r.name);
        const given = new Set(resources.map(urnOfServed));
        const byName = new Map(resources.map((r) => [r.name, urnOfServed(r)]));
        request.setResourcesList(
            resources.map((r) => {
                const resource = new analyzerproto.AnalyzerResource();
                const parent = r.parent === undefined ? undefined : given.has(r.parent) ? r.parent : byName.get(r.parent);
                resource.setType(r.type);
                resource.setName(r.name);
                resource.setUrn(urnOfServed(r));
                resource.setProperties(struct(r.props));
                resource.setOptions(options(parent));
                if (parent) resource.setParent(parent);
                return resource;
            }),
        );
        return diagnostics(await this.call<analyzerproto.AnalyzeStackRequest, analyzerproto.AnalyzeResponse>(this.client.analyzeStack as never, request));
    }
}
