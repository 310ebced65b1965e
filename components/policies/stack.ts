/**
 * Stack policies on the address plan as a whole: every range disjoint from every other, the
 * service range no larger than kubeadm (or the operator) allows, the pod range fit for the
 * node mask. Pod and service ranges come from the Cluster's `addressPlan` output, node subnets
 * from the plan and the Neutron subnets, pools from the Calico release.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { compareCidrs, overlaps, parseCidr } from "../addressing/cidr";
import { familyFacts, IpFamily } from "../addressing/family";
import { Labeled } from "../addressing/overlap";
import { checkPodRangeAndNodeMask, checkServiceRange, Limit, SERVICE_MAX_HOST_BITS } from "../addressing/rules/kubernetes";
import { checkDisjoint, RangeLabel } from "../addressing/rules/ranges";
import { isCalicoRelease, poolRanges, releasePools } from "./calico";
import { ClusterPlan, clusterPlans, PlanRange } from "./cluster";
import { configWithDefaults, resourcesOfType, types } from "./resources";
import { at, reportFindings, str } from "./values";

function labeled(range: PlanRange, role: RangeLabel["role"]): Labeled<RangeLabel> {
    return { cidr: range.cidr, label: { key: range.path, role, standInUla: range.standInUla } };
}

/**
 * Every range of the stack, labelled for the overlap rules: the plans' node subnets, pod and
 * service ranges, WireGuard client ranges and reserved ranges; Neutron subnets the plans do not already list; Calico
 * pools that do not fall in a pod range (a pool inside the pod range is the pod range's
 * business, see calico-pools-in-pod-range).
 */
export function stackRanges(resources: readonly PolicyResource[], plans: readonly ClusterPlan[]): Labeled<RangeLabel>[] {
    const ranges: Labeled<RangeLabel>[] = [];
    for (const plan of plans) {
        ranges.push(...plan.nodeSubnets.map((s) => labeled(s, "nodes")));
        for (const family of plan.families) {
            if (family.pods) ranges.push(labeled(family.pods, "pods"));
            if (family.services) ranges.push(labeled(family.services, "services"));
        }
        ranges.push(...plan.clientRanges.map((r) => labeled(r, "clients")));
        ranges.push(...plan.reserved.map((r) => labeled(r, "reserved")));
    }
    const planned = plans.flatMap((p) => p.nodeSubnets.map((s) => s.cidr));
    for (const { resource, props } of resourcesOfType(resources, types.subnet)) {
        const text = str(at(props, "cidr"));
        const parsed = text === undefined ? undefined : parseCidr(text);
        if (parsed === undefined || !parsed.ok) continue;
        if (planned.some((c) => compareCidrs(c, parsed.cidr) === 0)) continue;
        ranges.push({ cidr: parsed.cidr, label: { key: `${resource.name}.cidr`, role: "nodes" } });
    }
    const podRanges = plans.flatMap((p) => p.families.flatMap((f) => (f.pods ? [f.pods.cidr] : [])));
    for (const { resource, props } of resourcesOfType(resources, types.helmRelease)) {
        if (!isCalicoRelease(props)) continue;
        ranges.push(...poolRanges(releasePools(props, resource.name)).filter((p) => !podRanges.some((pods) => overlaps(pods, p.cidr))));
    }
    return ranges;
}

/** `ranges-disjoint`: node subnets, pod and service ranges, WireGuard client ranges, Calico pools and reserved ranges pairwise disjoint. */
export const rangesDisjoint: StackValidationPolicy = {
    name: "ranges-disjoint",
    description:
        "Every range of the stack (node subnets, pod and service ranges, WireGuard client ranges, Calico pools, reserved ranges) is disjoint " +
        "from every other of its family; reserved ranges may overlap each other.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const ranges = stackRanges(args.resources, clusterPlans(args.resources));
        if (ranges.length === 0) args.notApplicable("no known ranges in the stack");
        reportFindings(checkDisjoint(ranges), reportViolation);
    },
};

/** Configuration of `service-range-size`. */
export interface ServiceRangeConfig {
    /** The largest IPv4 service range allowed, as a prefix length. */
    readonly largestIPv4: number;
    /** The largest IPv6 service range allowed, as a prefix length. */
    readonly largestIPv6: number;
}

/** kubeadm's limit: 20 host bits, i.e. IPv4 /12 and IPv6 /108. */
export const SERVICE_RANGE_DEFAULTS: ServiceRangeConfig = {
    largestIPv4: familyFacts("IPv4").bits - SERVICE_MAX_HOST_BITS,
    largestIPv6: familyFacts("IPv6").bits - SERVICE_MAX_HOST_BITS,
};

/** The service-range limit of a family: kubeadm's, or the operator's stricter one. */
export function serviceRangeLimit(family: IpFamily, config: ServiceRangeConfig): Limit {
    const key = `largest${familyFacts(family).keySuffix}` as keyof ServiceRangeConfig;
    const hostBits = familyFacts(family).bits - config[key];
    if (hostBits >= SERVICE_MAX_HOST_BITS) return { value: SERVICE_MAX_HOST_BITS, source: "kubeadm" };
    return { value: hostBits, source: `the policy pack (service-range-size.${key} is ${config[key]})` };
}

/** `service-range-size`: each service range within kubeadm's and the configured limit. */
export const serviceRangeSize: StackValidationPolicy = {
    name: "service-range-size",
    description:
        "Each service range of the Cluster has at most 20 host bits (kubeadm: IPv4 /12, IPv6 /108 or longer) and at " +
        "least 10 addresses; largestIPv4 / largestIPv6 set a stricter limit (a /112 for IPv6 is common).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            largestIPv4: {
                type: "integer",
                minimum: SERVICE_RANGE_DEFAULTS.largestIPv4,
                maximum: 28,
                default: SERVICE_RANGE_DEFAULTS.largestIPv4,
                description: "The largest IPv4 service range allowed, as a prefix length (kubeadm's limit is 12).",
            },
            largestIPv6: {
                type: "integer",
                minimum: SERVICE_RANGE_DEFAULTS.largestIPv6,
                maximum: 124,
                default: SERVICE_RANGE_DEFAULTS.largestIPv6,
                description: "The largest IPv6 service range allowed, as a prefix length (kubeadm's limit is 108; 112 is a common stricter choice).",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const plans = clusterPlans(args.resources);
        if (plans.length === 0) args.notApplicable("no Cluster with a known addressPlan in the stack");
        const config = configWithDefaults(args.getConfig<Partial<ServiceRangeConfig>>(), SERVICE_RANGE_DEFAULTS);
        for (const plan of plans) {
            for (const family of plan.families) {
                if (family.services === undefined) continue;
                const limit = serviceRangeLimit(family.family, config);
                reportFindings(checkServiceRange(family.services.cidr, family.services.path, limit), reportViolation, plan.resource.urn);
            }
        }
    },
};

/** `pod-range-node-mask`: each pod range holds node ranges of the node mask, at most 16 bits apart. */
export const podRangeNodeMask: StackValidationPolicy = {
    name: "pod-range-node-mask",
    description:
        "Each pod range of the Cluster is at least as large as the node mask (node-cidr-mask-size), at most 16 bits " +
        "shorter (kubeadm; kube-controller-manager for IPv6), and holds at least 14 addresses.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const plans = clusterPlans(args.resources);
        if (plans.length === 0) args.notApplicable("no Cluster with a known addressPlan in the stack");
        for (const plan of plans) {
            for (const family of plan.families) {
                if (family.pods === undefined || family.nodeMask === undefined) continue;
                const findings = checkPodRangeAndNodeMask(family.pods.cidr, family.nodeMask, family.pods.path, family.nodeMaskPath);
                reportFindings(findings, reportViolation, plan.resource.urn);
            }
        }
    },
};
