/**
 * Policies on compute: control-plane machines spread over hypervisors, so that one host
 * failure does not take etcd's quorum with it.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Finding, warning } from "../addressing/findings";
import { configWithDefaults, types, validateResourceType } from "./resources";
import { at, isUnknown, list, num, reportFindings, str } from "./values";

/** Server groups whose name ends with this hold control-plane machines. */
export const CONTROL_PLANE_SUFFIX = "-control-plane";

/** Configuration of `control-plane-anti-affinity`. */
export interface AntiAffinityConfig {
    /** Refuse soft-anti-affinity too: only hard anti-affinity is enough. */
    readonly requireHard: boolean;
}

export const ANTI_AFFINITY_DEFAULTS: AntiAffinityConfig = { requireHard: false };

/**
 * `control-plane-anti-affinity`: the server group's policy is anti-affinity (or, unless hard
 * is required, soft-anti-affinity) and allows one machine per host.
 */
export function checkControlPlaneServerGroup(policies: readonly string[], maxServerPerHost: number | undefined, requireHard: boolean, path: string): Finding[] {
    const accepted = requireHard ? ["anti-affinity"] : ["anti-affinity", "soft-anti-affinity"];
    const policy = policies.find((p) => accepted.includes(p));
    if (policy === undefined) {
        const shown = policies.length === 0 ? "not set" : `[${policies.join(", ")}]`;
        return [
            warning(
                "control-plane-anti-affinity",
                `${path}.policies`,
                `${path}.policies is ${shown}: Nova may place several control-plane machines on one hypervisor, and ` +
                    `losing that host loses etcd's quorum. Use ["anti-affinity"]` +
                    `${requireHard ? "" : ' (or ["soft-anti-affinity"] when the cloud has fewer hosts than control planes)'}.`,
            ),
        ];
    }
    if (maxServerPerHost !== undefined && maxServerPerHost > 1 && policy === "anti-affinity") {
        return [
            warning(
                "control-plane-anti-affinity",
                `${path}.rules.maxServerPerHost`,
                `${path}.rules.maxServerPerHost is ${maxServerPerHost}: ${maxServerPerHost} control-plane machines may ` +
                    `share a hypervisor, and losing it can lose etcd's quorum. Remove it (one machine per host).`,
            ),
        ];
    }
    return [];
}

/** `control-plane-anti-affinity`: control-plane server groups spread their machines. */
export const controlPlaneAntiAffinity: ResourceValidationPolicy = {
    name: "control-plane-anti-affinity",
    description:
        `Server groups named *${CONTROL_PLANE_SUFFIX} use anti-affinity (soft-anti-affinity is accepted unless ` +
        "requireHard is set), with at most one machine per host.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            requireHard: {
                type: "boolean",
                default: ANTI_AFFINITY_DEFAULTS.requireHard,
                description: "Accept only anti-affinity, not soft-anti-affinity.",
            },
        },
    },
    validateResource: validateResourceType(types.serverGroup, (props, args, reportViolation) => {
        const name = at(props, "name");
        const policies = at(props, "policies");
        const maxServerPerHost = at(props, "rules", "maxServerPerHost");
        if ([name, policies, maxServerPerHost].some(isUnknown)) return;
        if (!(str(name) ?? args.name).endsWith(CONTROL_PLANE_SUFFIX)) {
            args.notApplicable(`not a control-plane server group (its name does not end with ${CONTROL_PLANE_SUFFIX})`);
        }
        if ((list(policies) ?? []).some(isUnknown)) return;
        const config = configWithDefaults(args.getConfig<Partial<AntiAffinityConfig>>(), ANTI_AFFINITY_DEFAULTS);
        const names = (list(policies) ?? []).filter((p): p is string => typeof p === "string");
        reportFindings(checkControlPlaneServerGroup(names, num(maxServerPerHost), config.requireHard, args.name), reportViolation);
    }),
};
