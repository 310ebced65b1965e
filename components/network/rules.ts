/**
 * The security-group rule set of a cluster, as a pure function of what the cluster uses.
 * The Network component creates exactly the rules this returns; docs/network.md shows the
 * table. Every rule is written once and emitted per family with that family's ethertype,
 * so IPv6 gets the same treatment as IPv4 (ICMPv6 included).
 */
import { parseCidr } from "../addressing/cidr";
import { familyFacts, IpFamily } from "../addressing/family";
import { isNativeWithinSubnet } from "../addressing/rules/calico";

/** The two groups: every node gets `nodes`; control-plane nodes also get `controlPlane`. */
export type SecurityGroupRole = "nodes" | "controlPlane";

/** Where a rule's traffic may come from (ingress) or go to (egress). */
export type RuleRemote =
    /** Ports in the `nodes` group: every cluster member. */
    | { readonly kind: "members" }
    /** The node subnet of the rule's family (its CIDR may only be known at deployment). */
    | { readonly kind: "nodeSubnet" }
    /** The pod range of the rule's family (its CIDR may only be known at deployment). */
    | { readonly kind: "podRange" }
    /** The access gateway's WireGuard client range of the rule's family (may only be known at deployment). */
    | { readonly kind: "clientRange" }
    /** A fixed range of the rule's family. */
    | { readonly kind: "cidr"; readonly cidr: string }
    /** Anywhere (no remote prefix): used for egress only. */
    | { readonly kind: "any" };

/** One security-group rule, before its remote is resolved to a group id or a CIDR. */
export interface RuleSpec {
    /** The group the rule belongs to. */
    readonly group: SecurityGroupRole;
    /** Stable and unique within the group: the child resource is named after it. */
    readonly key: string;
    /** Neutron `direction`. */
    readonly direction: "ingress" | "egress";
    /** The family, which gives the Neutron `ethertype`. */
    readonly ethertype: IpFamily;
    /** Neutron protocol (name or number); undefined means every protocol. */
    readonly protocol?: string;
    /** First port of the range (TCP/UDP); undefined for every port. */
    readonly portRangeMin?: number;
    /** Last port of the range. */
    readonly portRangeMax?: number;
    readonly remote: RuleRemote;
    /** Why the rule exists; stored as the rule's description in Neutron. */
    readonly description: string;
}

/** A cluster family's pod range as far as the rules care. */
export interface PodRule {
    readonly family: IpFamily;
    /** Calico encapsulation: `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN`, `VXLANCrossSubnet`. */
    readonly encapsulation: string;
}

/** What the rule set depends on. */
export interface SecurityGroupRuleInput {
    /** Families the nodes have addresses of (their subnets). */
    readonly nodeFamilies: readonly IpFamily[];
    /** Cluster families with their Calico encapsulation. */
    readonly pods: readonly PodRule[];
    /** Calico BGP between nodes. */
    readonly bgp: boolean;
    /** Ranges allowed to reach the API (6443), either family, valid CIDRs. */
    readonly apiAllowedCidrs: readonly string[];
    /** Ranges allowed to reach SSH (22), either family, valid CIDRs. */
    readonly sshAllowedCidrs: readonly string[];
    /** Families with an access gateway's WireGuard client range: its peers reach SSH and the API. */
    readonly gatewayClientFamilies?: readonly IpFamily[];
}

/** The Kubernetes API port. */
export const API_PORT = 6443;
/** SSH. */
export const SSH_PORT = 22;
/** BGP (Calico's BIRD). */
export const BGP_PORT = 179;
/** VXLAN (Calico uses the IANA port). */
export const VXLAN_PORT = 4789;
/** IP protocol number of IP-in-IP. Neutron also knows the name `ipip`, the OpenStack provider only the number. */
export const IPIP_PROTOCOL = "4";

/** A CIDR as part of a resource name: the canonical text with `:` replaced (URNs use `::`). */
export function cidrSlug(text: string): string {
    return text.replace(/:/g, "-");
}

/** The canonical ranges of one family from a list, deduplicated, in the order given. */
export function rangesOf(family: IpFamily, list: readonly string[]): string[] {
    const out: string[] = [];
    for (const text of list) {
        const parsed = parseCidr(text);
        if (!parsed.ok) throw new Error(`securityGroupRules: "${text}" is not a CIDR`);
        if (parsed.cidr.family === family && !out.includes(parsed.cidr.text)) out.push(parsed.cidr.text);
    }
    return out;
}

/** A rule without its group: the cluster's groups and the access gateways' share these builders. */
export type FamilyRuleSpec = Omit<RuleSpec, "group">;

/**
 * ICMP of the family from the node subnet (`subnetWhy` says whose), and for IPv6 ICMPv6 from
 * link-local addresses too: neighbour discovery and router advertisements come from there.
 */
export function icmpRules(family: IpFamily, subnetWhy: string): FamilyRuleSpec[] {
    const facts = familyFacts(family);
    const ingress = { direction: "ingress" as const, ethertype: family, protocol: facts.icmpProtocol };
    const rules: FamilyRuleSpec[] = [
        { key: `${facts.lowerSuffix}-icmp-subnet`, ...ingress, remote: { kind: "nodeSubnet" }, description: `${facts.icmpProtocol} from the node subnet (${subnetWhy})` },
    ];
    if (family === "IPv6") {
        rules.push({
            key: `${facts.lowerSuffix}-icmp-link-local`,
            ...ingress,
            remote: { kind: "cidr", cidr: facts.linkLocal },
            description: `${facts.icmpProtocol} from link-local addresses (neighbour discovery, router advertisements)`,
        });
    }
    return rules;
}

/** One TCP port from a remote. */
export function tcpPortRule(family: IpFamily, key: string, port: number, remote: RuleRemote, description: string): FamilyRuleSpec {
    return { key, direction: "ingress", ethertype: family, protocol: "tcp", portRangeMin: port, portRangeMax: port, remote, description };
}

/** All egress of the family (`why` says what for). */
export function egressRule(family: IpFamily, why: string): FamilyRuleSpec {
    return { key: `${familyFacts(family).lowerSuffix}-egress`, direction: "egress", ethertype: family, remote: { kind: "any" }, description: `all ${family} egress (${why})` };
}

/**
 * Every rule of the cluster's security groups.
 *
 * Per node family: all traffic between members; ICMP from the node subnet (router, DHCP,
 * load-balancer ports); for IPv6 also ICMPv6 from link-local sources (neighbour discovery
 * and router advertisements); SSH from the allowed SSH ranges; all egress. Per cluster
 * family: BGP between members when BGP is on; IP-in-IP or VXLAN between members when the
 * pool is encapsulated that way; everything from the pod range when pod packets travel
 * unencapsulated (None, *CrossSubnet). Control plane: 6443 from the node subnet (load
 * balancer amphorae, kubelets) and from the allowed API ranges. With an access gateway, SSH
 * and the API also from its WireGuard client range of each family. Nothing else is open to
 * anywhere; a range of a family only ever lands in a rule of that family.
 */
export function securityGroupRules(input: SecurityGroupRuleInput): RuleSpec[] {
    const rules: RuleSpec[] = [];
    for (const family of input.nodeFamilies) {
        const facts = familyFacts(family);
        const f = facts.lowerSuffix;
        const ingress = { direction: "ingress" as const, ethertype: family };
        rules.push({
            group: "nodes",
            key: `${f}-members`,
            ...ingress,
            remote: { kind: "members" },
            description: `all ${family} traffic between cluster members`,
        });
        rules.push(...icmpRules(family, "router, DHCP and load-balancer ports").map((r): RuleSpec => ({ group: "nodes", ...r })));
        const pod = input.pods.find((p) => p.family === family);
        if (pod !== undefined) {
            if (input.bgp) {
                rules.push({
                    group: "nodes",
                    key: `${f}-bgp`,
                    ...ingress,
                    protocol: "tcp",
                    portRangeMin: BGP_PORT,
                    portRangeMax: BGP_PORT,
                    remote: { kind: "members" },
                    description: `Calico BGP over ${family} between cluster members`,
                });
            }
            if (pod.encapsulation.startsWith("IPIP")) {
                rules.push({
                    group: "nodes",
                    key: `${f}-ipip`,
                    ...ingress,
                    protocol: IPIP_PROTOCOL,
                    remote: { kind: "members" },
                    description: `Calico IP-in-IP (${pod.encapsulation}) between cluster members`,
                });
            }
            if (pod.encapsulation.startsWith("VXLAN")) {
                rules.push({
                    group: "nodes",
                    key: `${f}-vxlan`,
                    ...ingress,
                    protocol: "udp",
                    portRangeMin: VXLAN_PORT,
                    portRangeMax: VXLAN_PORT,
                    remote: { kind: "members" },
                    description: `Calico VXLAN over ${family} (${pod.encapsulation}) between cluster members`,
                });
            }
            if (isNativeWithinSubnet(pod.encapsulation)) {
                rules.push({
                    group: "nodes",
                    key: `${f}-pods`,
                    ...ingress,
                    remote: { kind: "podRange" },
                    description: `${family} pod traffic, unencapsulated (${pod.encapsulation})`,
                });
            }
        }
        const nodes = (rule: FamilyRuleSpec): RuleSpec => ({ group: "nodes", ...rule });
        const controlPlane = (rule: FamilyRuleSpec): RuleSpec => ({ group: "controlPlane", ...rule });
        for (const range of rangesOf(family, input.sshAllowedCidrs)) {
            rules.push(nodes(tcpPortRule(family, `${f}-ssh-${cidrSlug(range)}`, SSH_PORT, { kind: "cidr", cidr: range }, `SSH from ${range} (allowed SSH range)`)));
        }
        const clients = input.gatewayClientFamilies?.includes(family) === true;
        if (clients) {
            rules.push(nodes(tcpPortRule(family, `${f}-ssh-wireguard-clients`, SSH_PORT, { kind: "clientRange" }, `SSH from the access gateway's WireGuard clients (${family})`)));
        }
        rules.push(nodes(egressRule(family, "images, packages, DNS, NTP, the metadata service")));
        rules.push(
            controlPlane(
                tcpPortRule(family, `${f}-api-subnet`, API_PORT, { kind: "nodeSubnet" }, "Kubernetes API from the node subnet (kubelets, load-balancer amphorae and health checks)"),
            ),
        );
        if (clients) {
            rules.push(
                controlPlane(
                    tcpPortRule(family, `${f}-api-wireguard-clients`, API_PORT, { kind: "clientRange" }, `Kubernetes API from the access gateway's WireGuard clients (${family})`),
                ),
            );
        }
        for (const range of rangesOf(family, input.apiAllowedCidrs)) {
            rules.push(controlPlane(tcpPortRule(family, `${f}-api-${cidrSlug(range)}`, API_PORT, { kind: "cidr", cidr: range }, `Kubernetes API from ${range} (allowed API range)`)));
        }
    }
    return rules;
}
