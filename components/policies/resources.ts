/**
 * The resource types the pack reads, and the glue between @pulumi/policy and the rules. The
 * pack names types by their tokens rather than importing the providers' classes, so that it
 * needs nothing but @pulumi/policy and @pulumi/pulumi.
 */
import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { resolveProps } from "./values";

/** Type tokens, exactly as the providers and the components register them. */
export const types = {
    subnet: "openstack:networking/subnet:Subnet",
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    port: "openstack:networking/port:Port",
    serverGroup: "openstack:compute/serverGroup:ServerGroup",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    cluster: "dualstack:index:Cluster",
} as const;

/** Tags the components put on OpenStack resources. */
export const tags = {
    cluster: "dualstack-cluster",
    role: "dualstack-role",
    pool: "dualstack-pool",
} as const;

/** A validation of one resource type; `props` are resolved (see values.ts). */
export type TypedValidation = (props: unknown, args: ResourceValidationArgs, reportViolation: ReportViolation) => void;

/**
 * A resource validation for one type token. Like @pulumi/policy's validateResourceOfType, it
 * carries the token (`__pulumiType`) so the policy server skips other types without a call.
 */
export function validateResourceType(token: string, validate: TypedValidation): ResourceValidation {
    const validation = (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        if (args.type !== token) args.notApplicable(`applies to ${token} only`);
        validate(resolveProps(args.props), args, reportViolation);
    };
    return Object.assign(validation, { __pulumiType: token });
}

/** A stack's resources of one type, each with its props resolved. */
export function resourcesOfType(resources: readonly PolicyResource[], token: string): Array<{ resource: PolicyResource; props: unknown }> {
    return resources.filter((r) => r.type === token).map((resource) => ({ resource, props: resolveProps(resource.props) }));
}

/** A policy's configuration over its defaults; values of the wrong type fall back to the default. */
export function configWithDefaults<T extends object>(given: object, defaults: T): T {
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(given)) {
        const fallback = Object.hasOwn(defaults, key) ? (defaults as Record<string, unknown>)[key] : undefined;
        if (fallback === undefined || typeof value === typeof fallback || (Array.isArray(fallback) && Array.isArray(value))) {
            // defineProperty: a setting named "__proto__" stays a key and never becomes the prototype.
            Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
        }
    }
    return merged as T;
}

/** The resource and its ancestors, nearest first. */
export function lineage(resource: PolicyResource): PolicyResource[] {
    const chain: PolicyResource[] = [];
    for (let current: PolicyResource | undefined = resource; current !== undefined; current = current.parent) chain.push(current);
    return chain;
}
