/**
 * Policies on security groups and ports: nothing administrative open to the whole internet,
 * rules Neutron accepts, ICMPv6 on IPv6 networks, port security on, and pod ranges admitted by
 * allowed-address-pairs where Calico does not encapsulate pod traffic.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    admitsIcmpv6,
    checkAddressPairsWorld,
    checkIcmpv6Allowed,
    checkPodAddressPairs,
    checkPortSecurity,
    checkSecurityRuleFamily,
    checkWorldOpenRules,
    describeService,
    NamedSecurityRule,
    PodRangeInput,
    SecurityRuleInput,
    WORLD_CLOSED_PORTS,
    WORLD_CLOSED_SERVICES,
} from "../addressing/rules/security";
import { clusterOf, clusterPlans } from "./cluster";
import { configWithDefaults, resourcesOfType, tags, types, validateResourceType } from "./resources";
import { at, bool, isUnknown, list, num, record, reportFindings, str, tagsOf } from "./values";

const RULE_FIELDS = ["direction", "ethertype", "protocol", "portRangeMin", "portRangeMax", "remoteIpPrefix", "remoteGroupId"] as const;

/** A security-group rule from props; undefined when a field it needs is unknown. */
function securityRule(props: Record<string, unknown>): SecurityRuleInput | undefined {
    if (RULE_FIELDS.some((field) => isUnknown(props[field]))) return undefined;
    return {
        direction: str(props.direction),
        ethertype: str(props.ethertype),
        protocol: str(props.protocol) ?? (num(props.protocol) !== undefined ? String(props.protocol) : undefined),
        portRangeMin: num(props.portRangeMin),
        portRangeMax: num(props.portRangeMax),
        remoteIpPrefix: str(props.remoteIpPrefix),
        remoteGroupId: str(props.remoteGroupId),
    };
}

const ICMP_FIELDS = ["direction", "ethertype", "protocol"] as const;

/** The fields that decide whether a rule admits ICMPv6; undefined when one of them is unknown. */
function icmpFields(props: Record<string, unknown>): SecurityRuleInput | undefined {
    if (ICMP_FIELDS.some((field) => isUnknown(props[field]))) return undefined;
    return {
        direction: str(props.direction),
        ethertype: str(props.ethertype),
        protocol: str(props.protocol) ?? (num(props.protocol) !== undefined ? String(props.protocol) : undefined),
    };
}

function rulePaths(name: string) {
    return {
        ethertype: `${name}.ethertype`,
        protocol: `${name}.protocol`,
        remoteIpPrefix: `${name}.remoteIpPrefix`,
    };
}

/** Configuration of `secgroup-world-open`. */
export interface WorldOpenConfig {
    /** Ports that may be open to the whole internet (e.g. 6443 for a public API). */
    readonly allowedPorts: number[];
}

export const WORLD_OPEN_DEFAULTS: WorldOpenConfig = { allowedPorts: [] };

/**
 * `secgroup-world-open`: no ingress rule, and no set of ingress rules together, admits SSH, the
 * control plane or Calico's node-to-node traffic from the whole IPv4 or IPv6 internet. A stack
 * policy, because `0.0.0.0/1` and `128.0.0.0/1` in two rules are the world as much as one `0.0.0.0/0`.
 */
export const secgroupWorldOpen: StackValidationPolicy = {
    name: "secgroup-world-open",
    description:
        `No security-group rule, alone or with others, admits ${WORLD_CLOSED_SERVICES.map(describeService).join(", ")} from ` +
        "the whole internet (0.0.0.0/0, ::/0, no remote prefix and no remote group, or prefixes that add up to the whole " +
        "space), unless the port is listed in allowedPorts.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedPorts: {
                type: "array",
                items: { type: "integer", enum: [...WORLD_CLOSED_PORTS] },
                default: WORLD_OPEN_DEFAULTS.allowedPorts,
                description: "Ports that may be open to the whole internet, e.g. [6443] for a public Kubernetes API.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const found = resourcesOfType(args.resources, types.secGroupRule);
        if (found.length === 0) args.notApplicable("the stack manages no security-group rules");
        const rules: Array<NamedSecurityRule & { urn: string }> = [];
        for (const { resource, props } of found) {
            // A rule whose deciding fields are unknown in preview is decided at up.
            const rule = securityRule(record(props) ?? {});
            if (rule !== undefined) rules.push({ name: resource.name, rule, urn: resource.urn });
        }
        const config = configWithDefaults(args.getConfig<Partial<WorldOpenConfig>>(), WORLD_OPEN_DEFAULTS);
        const allowed = config.allowedPorts.filter((p) => typeof p === "number");
        const urns = new Map(rules.map((r) => [r.name, r.urn]));
        for (const { finding, rules: names } of checkWorldOpenRules(rules, allowed, "the policy pack (secgroup-world-open.allowedPorts)")) {
            reportFindings([finding], reportViolation, urns.get(names[0]));
        }
    },
};

/** `secgroup-rule-family`: ethertype agrees with the remote prefix and the protocol, as Neutron requires. */
export const secgroupRuleFamily: ResourceValidationPolicy = {
    name: "secgroup-rule-family",
    description:
        "Security-group rules Neutron accepts: the ethertype is IPv4 or IPv6 and matches the family of the remote " +
        "prefix and of the protocol (ipv6-icmp is IPv6 only).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceType(types.secGroupRule, (resolved, args, reportViolation) => {
        const rule = securityRule(record(resolved) ?? {});
        if (rule === undefined) return;
        reportFindings(checkSecurityRuleFamily(rule, rulePaths(args.name)), reportViolation);
    }),
};

/** `port-security-enabled`: no port with port security off. */
export const portSecurityEnabled: ResourceValidationPolicy = {
    name: "port-security-enabled",
    description:
        "Ports keep port security on: without it Neutron applies no security group and no anti-spoofing. Pod ranges " +
        "are admitted with allowed-address-pairs instead.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceType(types.port, (resolved, args, reportViolation) => {
        const enabled = bool(at(resolved, "portSecurityEnabled"));
        reportFindings(checkPortSecurity(enabled, `${args.name}.portSecurityEnabled`), reportViolation);
    }),
};

/** The subnets of the stack that are IPv6 (by ip_version or CIDR), as names for messages. */
function ipv6SubnetNames(resources: readonly PolicyResource[]): string[] {
    return resourcesOfType(resources, types.subnet)
        .filter(({ props }) => {
            const cidr = str(at(props, "cidr"));
            return num(at(props, "ipVersion")) === 6 || (cidr !== undefined && cidr.includes(":"));
        })
        .map(({ resource }) => resource.name);
}

/** `icmpv6-allowed`: a stack with IPv6 subnets admits ICMPv6. */
export const icmpv6Allowed: StackValidationPolicy = {
    name: "icmpv6-allowed",
    description:
        "When the network has IPv6, some security-group rule admits ICMPv6 (ingress, ethertype IPv6, protocol " +
        "ipv6-icmp): Neutron admits only neighbour discovery by default, and without Packet Too Big IPv6 connections stall.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const rules = resourcesOfType(args.resources, types.secGroupRule);
        if (rules.length === 0) args.notApplicable("the stack manages no security-group rules");
        const subnets = ipv6SubnetNames(args.resources);
        if (subnets.length === 0) {
            const plans = clusterPlans(args.resources);
            if (plans.some((p) => p.nodeFamilies.includes("IPv6"))) subnets.push(...plans.map((p) => `${p.name}.addressPlan.nodeSubnets`));
        }
        // Whether a rule admits ICMPv6 depends on its direction, ethertype and protocol only.
        // In preview the provider's computed fields of new rules (remote prefix, group, ports)
        // are unknown; they do not matter here.
        const parsed = rules.map(({ props }) => icmpFields(record(props) ?? {}));
        const known = parsed.filter((r): r is SecurityRuleInput => r !== undefined);
        // A rule whose deciding fields are not known yet might be the ICMPv6 rule: decide at `up`.
        if (known.length < parsed.length && !known.some(admitsIcmpv6)) return;
        reportFindings(checkIcmpv6Allowed(known, subnets, "security-group rules"), reportViolation);
    },
};

/** The allowed-address-pair addresses of a port; undefined when any is unknown. */
function pairAddresses(props: unknown): string[] | undefined {
    const pairs = at(props, "allowedAddressPairs");
    if (isUnknown(pairs)) return undefined;
    const addresses: string[] = [];
    for (const pair of list(pairs) ?? []) {
        const address = at(pair, "ipAddress");
        if (isUnknown(address) || isUnknown(pair)) return undefined;
        if (typeof address === "string") addresses.push(address);
    }
    return addresses;
}

/** `port-pod-address-pairs`: machine ports admit the pod ranges Calico does not encapsulate. */
export const portPodAddressPairs: StackValidationPolicy = {
    name: "port-pod-address-pairs",
    description:
        "Machine ports (tagged dualstack-role) carry an allowed address pair covering the pod range of each family " +
        "whose Calico encapsulation is None or *CrossSubnet; otherwise Neutron's anti-spoofing drops pod traffic.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const plans = clusterPlans(args.resources);
        if (plans.length === 0) args.notApplicable("no Cluster with a known addressPlan in the stack");
        for (const { resource, props } of resourcesOfType(args.resources, types.port)) {
            if (!tagsOf(at(props, "tags")).has(tags.role)) continue;
            if (bool(at(props, "portSecurityEnabled")) === false) continue;
            const plan = clusterOf(resource, plans);
            const addresses = pairAddresses(props);
            if (plan === undefined || addresses === undefined) continue;
            const podRanges: PodRangeInput[] = plan.families.flatMap((f) =>
                f.pods !== undefined && f.encapsulation !== undefined ? [{ cidr: f.pods.cidr, encapsulation: f.encapsulation, path: f.pods.path }] : [],
            );
            reportFindings(checkPodAddressPairs(addresses, podRanges, `${resource.name}.allowedAddressPairs`), reportViolation, resource.urn);
        }
    },
};

/** `port-address-pairs-world`: no port's allowed address pairs cover a whole family. */
export const portAddressPairsWorld: ResourceValidationPolicy = {
    name: "port-address-pairs-world",
    description:
        "No port has allowed address pairs that cover every IPv4 or IPv6 address (0.0.0.0/0, ::/0, or ranges that add up " +
        "to it): that switches Neutron's anti-spoofing off for the port. List only the pod range.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceType(types.port, (resolved, args, reportViolation) => {
        const addresses = pairAddresses(resolved);
        if (addresses === undefined) return;
        reportFindings(checkAddressPairsWorld(addresses, `${args.name}.allowedAddressPairs`), reportViolation);
    }),
};
