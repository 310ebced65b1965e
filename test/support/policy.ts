/**
 * Running policies in tests the way the policy server runs them: typed validation args (the
 * type from the resource class's `__pulumiType`), props wrapped in @pulumi/policy's
 * unknown-checking proxy, stack tags, config, `notApplicable`; and the violations collected.
 * The running itself is the pack's own local runner (policies/local.ts), which
 * `dualstack plan` uses too.
 */
import * as assert from "assert";
import { Policies } from "@pulumi/policy";
import { Resource, Unwrap } from "@pulumi/pulumi";
import { LocalResource, localResourceArgs, localStackArgs, NamedViolation as LocalViolation, PolicyRun, runPack } from "../../components/policies/local";
import { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";

export { PolicyRun, runResourcePolicy, runStackPolicy, Violation } from "../../components/policies/local";

/** A violation of a named policy (tests compare these whole; the level is the policy's own). */
export type NamedViolation = Omit<LocalViolation, "enforcementLevel">;

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
    return localResourceArgs(type, name, options.urn ?? urnOf(type, name), raw, {
        config: options.config,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
    });
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

/** The stack's resources as the local runner takes them (a parent given by name resolved to its URN). */
function localResources(resources: readonly StackResource[], props: (r: StackResource) => Record<string, unknown>): LocalResource[] {
    const urns = resources.map((r) => r.urn ?? urnOf(typeOf(r.type), r.name));
    return resources.map((r, i) => {
        let parent: string | undefined;
        if (r.parent !== undefined) {
            const index = resources.findIndex((p, k) => urns[k] === r.parent || p.name === r.parent);
            assert.ok(index >= 0, `no resource ${r.parent} (parent of ${r.name})`);
            parent = urns[index];
        }
        return { type: typeOf(r.type), name: r.name, urn: urns[i], parent, inputs: props(r), outputs: props(r) };
    });
}

/** Validation args for a stack of resources. */
export function stackArgs(resources: readonly StackResource[], options: Omit<ArgsOptions, "name" | "urn"> = {}): StackValidationArgs {
    return localStackArgs(localResources(resources, (r) => r.props), {
        config: options.config,
        stackTags: new Map(Object.entries(options.stackTags ?? {})),
    });
}

/** Messages of a run's violations. */
export function messages(run: PolicyRun): string[] {
    return run.violations.map((v) => v.message);
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
    // Resource policies see no parents; their parents (components) are among the outputs only.
    const inputs = localResources(stack.inputs.map((r) => ({ ...r, parent: undefined })), (r) => r.props);
    const outputs = localResources(stack.outputs, (r) => r.props);
    const found: NamedViolation[] = [];
    // Stack policies see every resource's outputs; resource policies the inputs of the resources given as inputs.
    for (const policy of pack) {
        const resources = "validateStack" in policy ? outputs : inputs;
        found.push(...(await runPack([policy], resources, config)).map(({ enforcementLevel: _level, ...violation }) => violation));
    }
    return found;
}
