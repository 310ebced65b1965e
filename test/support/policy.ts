/**
 * Running policies in tests the way the policy server runs them: typed validation args (the
 * type from the resource class's `__pulumiType`), props wrapped in @pulumi/policy's
 * unknown-checking proxy, stack tags, config, `notApplicable`; and the violations collected.
 */
import * as assert from "assert";
import {
    Policies,
    PolicyResource,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { Resource, Unwrap } from "@pulumi/pulumi";

/**
 * The value the Pulumi engine sends for a property that is unknown in preview
 * (plugin.UnknownStringValue); @pulumi/policy's proxy throws UnknownValueError on reading it.
 */
export const UNKNOWN_VALUE: string = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

/** A resource class (its static `__pulumiType` names the type) or a type token. */
export type ResourceKind = string | (abstract new (...args: never[]) => Resource);

/** The type token of a resource class, or the token itself. */
export function typeOf(kind: ResourceKind): string {
    if (typeof kind === "string") return kind;
    const token = (kind as unknown as { __pulumiType?: unknown }).__pulumiType;
    assert.ok(typeof token === "string", `${kind.name} has no __pulumiType`);
    return token as string;
}

const emptyOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** Thrown by `notApplicable`, as the policy server's own NotApplicableError. */
class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(`not applicable: ${reason}`);
    }
}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "");
}

export interface ArgsOptions {
    readonly name?: string;
    readonly urn?: string;
    /** The policy's configuration, as `getConfig` returns it. */
    readonly config?: object;
    readonly stackTags?: Record<string, string>;
}

function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::dualstack::${type}::${name}`;
}

function isTypeOf(type: string, kind: unknown): boolean {
    const token = (kind as { __pulumiType?: unknown }).__pulumiType;
    return token === type;
}

/**
 * Validation args for one resource. `props` are the resource's inputs, typed by the class's
 * args; `unknown` lists top-level inputs that are unknown (preview).
 */
export function resourceArgs<TResource extends Resource, TArgs>(
    resourceClass: { new (name: string, args: TArgs, ...rest: never[]): TResource },
    props: Unwrap<NonNullable<TArgs>>,
    options?: ArgsOptions & { readonly unknown?: ReadonlyArray<keyof Unwrap<NonNullable<TArgs>>> },
): ResourceValidationArgs;
/** Validation args for a resource named by its type token, with untyped props. */
export function resourceArgs(type: string, props: Record<string, unknown>, options?: ArgsOptions & { readonly unknown?: readonly string[] }): ResourceValidationArgs;
export function resourceArgs(kind: ResourceKind, props: object, options: ArgsOptions & { readonly unknown?: readonly PropertyKey[] } = {}): ResourceValidationArgs {
    const type = typeOf(kind);
    const name = options.name ?? "test-resource";
    const raw: Record<PropertyKey, unknown> = { ...props };
    for (const key of options.unknown ?? []) raw[key] = UNKNOWN_VALUE;
    const proxied = unknownCheckingProxy(raw);
    return {
        type,
        props: proxied,
        urn: options.urn ?? urnOf(type, name),
        name,
        opts: emptyOptions,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        isType: (cls) => isTypeOf(type, cls),
        asType: ((cls: unknown) => (isTypeOf(type, cls) ? proxied : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable,
    };
}

/** One resource of a stack for `stackArgs`: props are its outputs. */
export interface StackResource {
    readonly type: ResourceKind;
    readonly name: string;
    readonly props: Record<string, unknown>;
    /** Its parent among the other resources: a URN, or a name. */
    readonly parent?: string;
    readonly urn?: string;
}

/** Validation args for a stack of resources. */
export function stackArgs(resources: readonly StackResource[], options: Omit<ArgsOptions, "name" | "urn"> = {}): StackValidationArgs {
    const built = resources.map((spec): PolicyResource => {
        const type = typeOf(spec.type);
        const props = unknownCheckingProxy({ ...spec.props });
        return {
            type,
            props,
            urn: spec.urn ?? urnOf(type, spec.name),
            name: spec.name,
            opts: emptyOptions,
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(type, cls),
            asType: ((cls: unknown) => (isTypeOf(type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
    });
    resources.forEach((spec, i) => {
        if (spec.parent === undefined) return;
        const parent = built.find((r) => r.urn === spec.parent) ?? built.find((r) => r.name === spec.parent);
        assert.ok(parent, `no resource ${spec.parent} (parent of ${spec.name})`);
        built[i].parent = parent;
    });
    return {
        resources: built,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable,
    };
}

/** A reported violation. */
export interface Violation {
    readonly message: string;
    readonly urn?: string;
}

/** What one policy run gave: violations, or the reason it did not apply. */
export interface PolicyRun {
    readonly violations: Violation[];
    readonly notApplicable?: string;
}

async function run(policyName: string, body: (report: (message: string, urn?: string) => void) => Promise<void> | void): Promise<PolicyRun> {
    const violations: Violation[] = [];
    try {
        await body((message, urn) => violations.push({ message, urn }));
    } catch (e) {
        if (e instanceof NotApplicable) return { violations, notApplicable: e.reason };
        if (e instanceof UnknownValueError) assert.fail(`${policyName} read an unknown value instead of skipping it: ${(e as Error).message}`);
        throw e;
    }
    return { violations };
}

/** Run a resource policy as the policy server does (type filter first, then each validation). */
export function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<PolicyRun> {
    const given = policy.validateResource;
    const validations: ResourceValidation[] = given === undefined ? [] : Array.isArray(given) ? given : [given];
    return run(policy.name, async (report) => {
        for (const validation of validations) {
            const token = (validation as { __pulumiType?: string }).__pulumiType;
            if (token !== undefined && token !== args.type) notApplicable(`Policy only applies to resources of type '${token}'`);
            await validation(args, report);
        }
    });
}

/** Run a stack policy. */
export function runStackPolicy(policy: StackValidationPolicy, args: StackValidationArgs): Promise<PolicyRun> {
    return run(policy.name, (report) => policy.validateStack(args, report));
}

/** Messages of a run's violations. */
export function messages(run: PolicyRun): string[] {
    return run.violations.map((v) => v.message);
}

/** A violation of a named policy, from `runPolicies`. */
export interface NamedViolation extends Violation {
    readonly policy: string;
    /** The resource a resource policy was validating. */
    readonly resource?: string;
}

/**
 * Run every policy of a pack over a stack: resource policies on each resource (its inputs),
 * stack policies on all of them (their outputs).
 */
export async function runPolicies(
    pack: Policies,
    stack: { readonly inputs: readonly StackResource[]; readonly outputs: readonly StackResource[] },
    config: Record<string, object> = {},
): Promise<NamedViolation[]> {
    const found: NamedViolation[] = [];
    for (const policy of pack) {
        if ("validateStack" in policy) {
            const result = await runStackPolicy(policy, stackArgs(stack.outputs, { config: config[policy.name] }));
            found.push(...result.violations.map((v) => ({ ...v, policy: policy.name })));
            continue;
        }
        for (const resource of stack.inputs) {
            const args = resourceArgs(typeOf(resource.type), resource.props, { name: resource.name, urn: resource.urn, config: config[policy.name] });
            const result = await runResourcePolicy(policy, args);
            found.push(...result.violations.map((v) => ({ ...v, policy: policy.name, resource: resource.name })));
        }
    }
    return found;
}
