/**
 * Running the pack in this process, over resources recorded by an offline run: what
 * `dualstack plan` reports as policy findings, and what the tests drive. It mirrors the
 * policy server: resource policies see each resource's inputs, stack policies every
 * resource's outputs (components' registered outputs included); a validation bound to a
 * type (`validateResourceOfType`) only sees resources of that type; `notApplicable` ends a
 * policy's run for that resource.
 */
import {
    EnforcementLevel,
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
import { error, Finding, warning } from "../addressing/findings";
import type { RecordedResource } from "../offline/cloud";

/** Thrown by `notApplicable`, as the policy server's own NotApplicableError. */
export class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(`not applicable: ${reason}`);
    }
}

/** The `notApplicable` callback of validation args. */
export function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "");
}

/** Resource options as the server passes them for a resource without options. */
export const EMPTY_OPTIONS = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** True when a resource class (its static `__pulumiType`) is of this type token. */
export function isTypeOf(type: string, kind: unknown): boolean {
    return (kind as { __pulumiType?: unknown }).__pulumiType === type;
}

/** One resource of a stack, as the pack sees it. */
export interface LocalResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** URN of its parent, when that is one of the stack's resources. */
    readonly parent?: string;
    /** What resource policies validate: the resource's inputs. */
    readonly inputs: Record<string, unknown>;
    /** What stack policies validate: its outputs (for a component, its registered outputs). */
    readonly outputs: Record<string, unknown>;
}

export interface LocalArgsOptions {
    /** The policy's configuration, as `getConfig` returns it. */
    readonly config?: object;
    readonly stackTags?: ReadonlyMap<string, string>;
}

/** Validation args of one resource, props behind the policy library's unknown-checking proxy. */
export function localResourceArgs(type: string, name: string, urn: string, props: Record<PropertyKey, unknown>, options: LocalArgsOptions = {}): ResourceValidationArgs {
    const proxied = unknownCheckingProxy({ ...props });
    return {
        type,
        props: proxied,
        urn,
        name,
        opts: EMPTY_OPTIONS,
        stackTags: new Map(options.stackTags ?? []),
        isType: (cls) => isTypeOf(type, cls),
        asType: ((cls: unknown) => (isTypeOf(type, cls) ? proxied : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => (options.config ?? {}) as T,
        notApplicable,
    };
}

/** Validation args of a whole stack: each resource with its outputs and parent. */
export function localStackArgs(resources: readonly LocalResource[], options: LocalArgsOptions = {}): StackValidationArgs {
    const built = resources.map((r): PolicyResource => {
        const props = unknownCheckingProxy({ ...r.outputs });
        return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: EMPTY_OPTIONS,
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
    });
    resources.forEach((r, i) => {
        const parent = r.parent === undefined ? undefined : built.find((b) => b.urn === r.parent);
        if (parent) built[i].parent = parent;
    });
    return {
        resources: built,
        stackTags: new Map(options.stackTags ?? []),
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
        // Every policy skips unknown values (preview); reading one is a bug of the policy.
        if (e instanceof UnknownValueError) throw new Error(`${policyName} read an unknown value instead of skipping it: ${(e as Error).message}`);
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

/** A violation of a named policy. */
export interface NamedViolation extends Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource a resource policy was validating. */
    readonly resource?: string;
}

/**
 * Run every policy of a pack over a stack: resource policies on each custom resource's
 * inputs, stack policies on all resources' outputs. `config` is keyed by policy name.
 */
export async function runPack(pack: Policies, resources: readonly LocalResource[], config: Readonly<Record<string, object>> = {}, custom: (r: LocalResource) => boolean = () => true): Promise<NamedViolation[]> {
    const found: NamedViolation[] = [];
    for (const policy of pack) {
        const level = policy.enforcementLevel ?? "advisory";
        if ("validateStack" in policy) {
            const result = await runStackPolicy(policy, localStackArgs(resources, { config: config[policy.name] }));
            found.push(...result.violations.map((v) => ({ ...v, policy: policy.name, enforcementLevel: level })));
            continue;
        }
        for (const resource of resources.filter(custom)) {
            const args = localResourceArgs(resource.type, resource.name, resource.urn, resource.inputs, { config: config[policy.name] });
            const result = await runResourcePolicy(policy, args);
            found.push(...result.violations.map((v) => ({ ...v, policy: policy.name, enforcementLevel: level, resource: resource.name })));
        }
    }
    return found;
}

/** The recorded resources of an offline run, as the pack sees them. */
export function localResourcesFromRecorded(resources: readonly RecordedResource[]): LocalResource[] {
    const urns = new Set(resources.map((r) => r.urn));
    return resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        parent: r.parent !== undefined && urns.has(r.parent) ? r.parent : undefined,
        inputs: r.inputs,
        outputs: r.custom ? r.outputs : { ...r.outputs, ...r.registeredOutputs },
    }));
}

/**
 * The pack's violations as findings: `[rule-id] message` → rule and message; mandatory
 * policies give errors, advisory ones warnings, disabled ones nothing.
 */
export function violationsAsFindings(violations: readonly NamedViolation[]): Finding[] {
    return violations
        .filter((v) => v.enforcementLevel !== "disabled")
        .map((v) => {
            const tagged = /^\[([a-z0-9-]+)\] ([\s\S]*)$/.exec(v.message);
            const message = tagged ? tagged[2] : v.message;
            const rule = tagged ? tagged[1] : v.policy;
            // Every message starts with what it is about: a configuration key or `<resource>.<property>`.
            const subject = /^(\S+?)[,:]?\s/.exec(message)?.[1];
            const path = subject !== undefined && (subject.startsWith("dualstack:") || subject.includes(".")) ? subject : (v.resource ?? "stack");
            const text = `${message} (policy ${v.policy})`;
            // The policy server makes remediation policies mandatory when they cannot remediate.
            return v.enforcementLevel === "advisory" ? warning(rule, path, text) : error(rule, path, text);
        });
}

/** A policy pack configuration as `pulumi preview --policy-pack-config` reads it. */
export interface PackConfig {
    /** Each policy's own settings (without `enforcementLevel`). */
    readonly settings: Record<string, object>;
    /** Enforcement levels set for single policies. */
    readonly levels: Record<string, EnforcementLevel>;
    /** A level for every policy (`"all"`), below the single ones. */
    readonly all?: EnforcementLevel;
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Read a pack configuration: `{"<policy>": "<level>" | {"enforcementLevel"?: "<level>", ...settings}, "all"?: "<level>"}`.
 * Throws with the policy name on a value of another shape.
 */
export function parsePackConfig(json: unknown): PackConfig {
    if (json === null || typeof json !== "object" || Array.isArray(json)) throw new Error("a policy pack configuration is a JSON object keyed by policy name");
    // Null prototypes: a policy named "__proto__" or "constructor" is a key like any other (and unknown).
    const settings: Record<string, object> = Object.create(null) as Record<string, object>;
    const levels: Record<string, EnforcementLevel> = Object.create(null) as Record<string, EnforcementLevel>;
    let all: EnforcementLevel | undefined;
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!LEVELS.includes(value)) throw new Error(`policy ${name}: "${value}" is not an enforcement level (${LEVELS.join(", ")})`);
            if (name === "all") all = value as EnforcementLevel;
            else levels[name] = value as EnforcementLevel;
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...rest } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined) {
                if (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel)) {
                    throw new Error(`policy ${name}: enforcementLevel "${String(enforcementLevel)}" is not one of ${LEVELS.join(", ")}`);
                }
                levels[name] = enforcementLevel as EnforcementLevel;
            }
            settings[name] = rest;
        } else {
            throw new Error(`policy ${name}: expected an enforcement level or an object of settings`);
        }
    }
    return { settings, levels, all };
}

/** The JSON-schema subset the pack's configSchema uses: type, enum, minimum, maximum, array items. */
interface SettingSchema {
    readonly type?: string;
    readonly enum?: readonly unknown[];
    readonly minimum?: number;
    readonly maximum?: number;
    readonly items?: SettingSchema;
}

function settingProblem(value: unknown, schema: SettingSchema): string | undefined {
    const type = schema.type;
    const typeOk =
        type === undefined ||
        (type === "integer" && Number.isInteger(value)) ||
        (type === "number" && typeof value === "number") ||
        (type === "boolean" && typeof value === "boolean") ||
        (type === "string" && typeof value === "string") ||
        (type === "array" && Array.isArray(value));
    if (!typeOk) return `must be ${type === "integer" || type === "array" ? "an" : "a"} ${type}`;
    if (schema.enum !== undefined && !schema.enum.includes(value)) return `must be one of ${schema.enum.join(", ")}`;
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) return `must be at least ${schema.minimum}`;
    if (typeof value === "number" && schema.maximum !== undefined && value > schema.maximum) return `must be at most ${schema.maximum}`;
    if (Array.isArray(value) && schema.items !== undefined) {
        for (const [i, item] of value.entries()) {
            const problem = settingProblem(item, schema.items);
            if (problem) return `[${i}] ${problem}`;
        }
    }
    return undefined;
}

/**
 * Check a pack configuration against the pack: known policy names, settings each policy's
 * `configSchema` declares, of the declared type (the Pulumi CLI refuses the same mistakes).
 * Returns one line per problem.
 */
export function packConfigProblems(config: PackConfig, pack: Policies): string[] {
    const problems: string[] = [];
    const byName = new Map(pack.map((p) => [p.name, p]));
    for (const name of [...Object.keys(config.settings), ...Object.keys(config.levels)]) {
        if (!byName.has(name)) problems.push(`policy ${name}: the pack has no such policy`);
    }
    for (const [name, settings] of Object.entries(config.settings)) {
        const properties = (byName.get(name)?.configSchema?.properties ?? {}) as Record<string, SettingSchema>;
        for (const [setting, value] of Object.entries(settings)) {
            const schema = Object.hasOwn(properties, setting) ? properties[setting] : undefined;
            if (schema === undefined) {
                if (byName.has(name)) problems.push(`policy ${name}: no setting "${setting}"`);
                continue;
            }
            const problem = settingProblem(value, schema);
            if (problem) problems.push(`policy ${name}: ${setting} is ${JSON.stringify(value)}; it ${problem}`);
        }
    }
    return [...new Set(problems)];
}

/** Run the whole pack over an offline run's resources; its violations as findings. */
export async function checkRecordedStack(resources: readonly RecordedResource[], config: PackConfig = { settings: {}, levels: {} }): Promise<Finding[]> {
    const { policies } = await import("./policies");
    const custom = new Set(resources.filter((r) => r.custom).map((r) => r.urn));
    const violations = await runPack(policies, localResourcesFromRecorded(resources), config.settings, (r) => custom.has(r.urn));
    return violationsAsFindings(violations.map((v) => ({ ...v, enforcementLevel: config.levels[v.policy] ?? config.all ?? v.enforcementLevel })));
}
