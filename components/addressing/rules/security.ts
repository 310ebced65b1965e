/**
 * Rules on security-group rules and ports: what Neutron refuses (an ethertype that does not
 * match the remote prefix or the protocol), what leaves a cluster open (SSH, the API or the
 * kubelet reachable from the whole internet, port security off), and what breaks traffic
 * silently (no ICMPv6 on an IPv6 network, pod addresses dropped by Neutron's anti-spoofing).
 * The network and machines components and the policy pack share them.
 */
import { Cidr, contains, makeCidr, parseAddress, parseCidr } from "../cidr";
import { ALL_FAMILIES, familyFacts, IpFamily } from "../family";
import { error, Finding } from "../findings";
import { isNativeWithinSubnet } from "./calico";
import { checkCidr } from "./cidr";

/** A security-group rule as Neutron sees it; undefined means the field is not set. */
export interface SecurityRuleInput {
    /** `ingress` or `egress`. */
    readonly direction?: string;
    /** `IPv4` or `IPv6` (Neutron ignores case). */
    readonly ethertype?: string;
    /** A protocol name (`tcp`, `ipv6-icmp`, ...) or number; unset means every protocol. */
    readonly protocol?: string;
    /** Unset (or both 0, as the OpenStack provider writes it) means every port. */
    readonly portRangeMin?: number;
    readonly portRangeMax?: number;
    /** A CIDR or a single address; with no remote group, unset means every address. */
    readonly remoteIpPrefix?: string;
    readonly remoteGroupId?: string;
}

/** Paths of a rule's fields, for messages. */
export interface SecurityRulePaths {
    readonly ethertype: string;
    readonly protocol: string;
    readonly remoteIpPrefix: string;
}

/** A port that must not be reachable from the whole internet, and what listens there. */
export interface AdminPort {
    readonly port: number;
    readonly service: string;
}

/** SSH, the Kubernetes API and the kubelet API (which runs commands in pods). */
export const ADMIN_PORTS: readonly AdminPort[] = [
    { port: 22, service: "SSH" },
    { port: 6443, service: "the Kubernetes API" },
    { port: 10250, service: "the kubelet API" },
];

/** Protocols Neutron accepts only with ethertype IPv6 (neutron-lib IPV6_PROTOCOL_ALIASES and the legacy `icmpv6`). */
const IPV6_ONLY_PROTOCOLS = new Set(["ipv6-icmp", "icmpv6", "58", "ipv6-encap", "41", "ipv6-frag", "44", "ipv6-nonxt", "59", "ipv6-opts", "60", "ipv6-route", "43"]);

/** Names Neutron takes for ICMP on an IPv6 rule (it stores `icmp` and `icmpv6` as `ipv6-icmp`). */
const ICMPV6_PROTOCOLS = new Set(["ipv6-icmp", "icmpv6", "icmp", "58"]);

/** Unset protocol: every protocol (Neutron refuses the word `any`). */
function isAnyProtocol(protocol: string | undefined): boolean {
    return protocol === undefined || protocol === "";
}

/** Neutron reads the ethertype case-insensitively (`ipv6` is stored as `IPv6`). */
function ethertypeFamily(ethertype: string | undefined): IpFamily | undefined {
    return ALL_FAMILIES.find((f) => f.toLowerCase() === ethertype?.toLowerCase());
}

function isTcp(protocol: string | undefined): boolean {
    return isAnyProtocol(protocol) || protocol === "tcp" || protocol === "6";
}

/**
 * The remote prefix as a range: a CIDR (Neutron keeps host bits as written, and so do we), or
 * a single address as its /32 or /128.
 */
function remoteRange(text: string): Cidr | undefined {
    const address = parseAddress(text);
    if (address !== undefined) return makeCidr(address.family, address.value, familyFacts(address.family).bits);
    const parsed = parseCidr(text);
    return parsed.ok ? parsed.cidr : undefined;
}

/** The port range a rule admits, [min, max]; every port when unset. */
function portRange(rule: SecurityRuleInput): [number, number] {
    const min = rule.portRangeMin || undefined;
    const max = rule.portRangeMax || undefined;
    return [min ?? max ?? 1, max ?? min ?? 65535];
}

/** True when the rule admits the whole internet: a /0 remote, or neither a remote prefix nor a remote group. */
function fromAnywhere(rule: SecurityRuleInput): Cidr | "unset" | undefined {
    if (rule.remoteIpPrefix === undefined || rule.remoteIpPrefix === "") {
        return rule.remoteGroupId === undefined || rule.remoteGroupId === "" ? "unset" : undefined;
    }
    const range = remoteRange(rule.remoteIpPrefix);
    return range !== undefined && range.prefixLength === 0 ? range : undefined;
}

function listWords(words: readonly string[]): string {
    if (words.length <= 1) return words.join("");
    return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/**
 * `secgroup-world-open`: an ingress rule admits SSH (22), the API (6443) or the kubelet
 * (10250) from 0.0.0.0/0, ::/0, or (no remote prefix and no remote group) from anywhere.
 *
 * @param allowedPorts ports the operator allows to be open to the world (e.g. a public API)
 * @param allowedPath where those are configured, for the fix
 */
export function checkWorldOpenAdminPorts(
    rule: SecurityRuleInput,
    paths: SecurityRulePaths,
    allowedPorts: readonly number[] = [],
    allowedPath?: string,
): Finding[] {
    if (rule.direction !== "ingress" || !isTcp(rule.protocol)) return [];
    const remote = fromAnywhere(rule);
    if (remote === undefined) return [];
    const [min, max] = portRange(rule);
    const open = ADMIN_PORTS.filter((p) => p.port >= min && p.port <= max && !allowedPorts.includes(p.port));
    if (open.length === 0) return [];
    const families: IpFamily[] =
        remote === "unset" ? ALL_FAMILIES.filter((f) => [undefined, f].includes(ethertypeFamily(rule.ethertype))) : [remote.family];
    const what = listWords(open.map((p) => `${p.service} (${p.port}/tcp)`));
    const whence =
        remote === "unset"
            ? `${paths.remoteIpPrefix} is not set and the rule names no remote group`
            : `${paths.remoteIpPrefix} is ${remote.text}`;
    const allow = allowedPath ? `, or list the port in ${allowedPath} if it must be public` : "";
    return [
        error(
            "secgroup-world-open",
            paths.remoteIpPrefix,
            `${whence}, so this ingress rule opens ${what} to the whole ${families.join(" and ")} internet. ` +
                `Admit only the ranges of your offices, VPN or CI runners (dualstack:access.sshAllowedCidrs, ` +
                `dualstack:access.apiAllowedCidrs; the kubelet needs only the cluster's own nodes)${allow}.`,
        ),
    ];
}

/**
 * `secgroup-ethertype-invalid`; `secgroup-ethertype-mismatch`: a remote prefix of the other
 * family (Neutron: "Conflicting value ethertype IPv4 for CIDR ::/0");
 * `secgroup-protocol-family-mismatch`: an IPv6-only protocol such as ipv6-icmp with IPv4
 * (Neutron: "Invalid ethertype IPv4 for protocol ipv6-icmp."); `cidr-invalid` on the remote
 * prefix. Neutron accepts a bare address (as /32 or /128) and keeps host bits as written.
 */
export function checkSecurityRuleFamily(rule: SecurityRuleInput, paths: SecurityRulePaths): Finding[] {
    if (rule.ethertype === undefined) return [];
    const ethertype = ethertypeFamily(rule.ethertype);
    if (ethertype === undefined) {
        return [
            error(
                "secgroup-ethertype-invalid",
                paths.ethertype,
                `${paths.ethertype} is "${rule.ethertype}"; Neutron takes IPv4 or IPv6. Use the family of the remote prefix.`,
            ),
        ];
    }
    const findings: Finding[] = [];
    const prefix = rule.remoteIpPrefix;
    if (prefix !== undefined && prefix !== "") {
        const range = remoteRange(prefix);
        if (range === undefined) {
            findings.push(...checkCidr(prefix, undefined, paths.remoteIpPrefix).findings);
        } else if (range.family !== ethertype) {
            findings.push(
                error(
                    "secgroup-ethertype-mismatch",
                    paths.ethertype,
                    `${paths.ethertype} is ${ethertype} but ${paths.remoteIpPrefix} is ${prefix}, an ${range.family} ` +
                        `range; Neutron refuses the rule ("Conflicting value ethertype ${ethertype} for CIDR ${prefix}"). ` +
                        `Set ${paths.ethertype} to ${range.family}, or give an ${ethertype} prefix ` +
                        `(${familyFacts(ethertype).anywhere} is every ${ethertype} address).`,
                ),
            );
        }
    }
    if (ethertype === "IPv4" && rule.protocol !== undefined && IPV6_ONLY_PROTOCOLS.has(rule.protocol)) {
        findings.push(
            error(
                "secgroup-protocol-family-mismatch",
                paths.protocol,
                `${paths.protocol} is ${rule.protocol}, an IPv6 protocol, but ${paths.ethertype} is IPv4; Neutron ` +
                    `refuses the rule ("Invalid ethertype IPv4 for protocol ${rule.protocol}."). Set ${paths.ethertype} ` +
                    `to IPv6, or use ${familyFacts("IPv4").icmpProtocol} for IPv4 ICMP.`,
            ),
        );
    }
    return findings;
}

/** True when the rule admits ICMPv6 into the ports of its group (from any remote). */
export function admitsIcmpv6(rule: SecurityRuleInput): boolean {
    if (rule.direction !== "ingress" || ethertypeFamily(rule.ethertype) !== "IPv6") return false;
    return isAnyProtocol(rule.protocol) || ICMPV6_PROTOCOLS.has(rule.protocol as string);
}

/**
 * `icmpv6-not-allowed`: a network with IPv6 needs ICMPv6 beyond the neighbour discovery that
 * Neutron's firewall admits by default: without Packet Too Big, path MTU discovery fails and
 * connections stall (the overlay MTU is below 1500); without echo, nothing can be diagnosed.
 *
 * @param rules every security-group rule the nodes get
 * @param ipv6Subnets the IPv6 subnets (names or CIDRs), for the message; empty means no IPv6
 */
export function checkIcmpv6Allowed(rules: readonly SecurityRuleInput[], ipv6Subnets: readonly string[], path: string): Finding[] {
    if (ipv6Subnets.length === 0 || rules.some(admitsIcmpv6)) return [];
    return [
        error(
            "icmpv6-not-allowed",
            path,
            `The network has IPv6 (${listWords([...ipv6Subnets])}) but no security-group rule admits ICMPv6: ` +
                `Neutron lets only neighbour discovery through by default, so Packet Too Big messages are dropped, ` +
                `path MTU discovery fails and IPv6 connections stall. Add an ingress rule with ethertype IPv6 and ` +
                `protocol ${familyFacts("IPv6").icmpProtocol}.`,
        ),
    ];
}

/** `port-security-disabled`: without port security Neutron applies no security group and no anti-spoofing. */
export function checkPortSecurity(portSecurityEnabled: boolean | undefined, path: string): Finding[] {
    if (portSecurityEnabled !== false) return [];
    return [
        error(
            "port-security-disabled",
            path,
            `${path} is false: Neutron then applies no security group and no anti-spoofing to the port, so every ` +
                `service of the machine is open to the network. Leave port security on, and admit pod ranges with ` +
                `allowed-address-pairs instead.`,
        ),
    ];
}

/** A pod range and how Calico carries its traffic. */
export interface PodRangeInput {
    readonly cidr: Cidr;
    /** Calico encapsulation of the pool: `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN`, `VXLANCrossSubnet`. */
    readonly encapsulation: string;
    /** The key or property the pod range comes from, for the message. */
    readonly path: string;
}

/**
 * `port-pod-range-not-allowed`: when Calico routes pod traffic natively (encapsulation None,
 * or *CrossSubnet within the node subnet), packets leave the node with pod source addresses,
 * which Neutron's anti-spoofing drops unless an allowed address pair covers the pod range.
 *
 * @param pairAddresses the port's `allowedAddressPairs[].ipAddress` (CIDRs or addresses)
 * @param path the port's allowed-address-pairs property, for the message
 */
export function checkPodAddressPairs(pairAddresses: readonly string[], podRanges: readonly PodRangeInput[], path: string): Finding[] {
    const covered = pairAddresses.map(remoteRange).filter((r): r is Cidr => r !== undefined);
    return podRanges
        .filter((pods) => isNativeWithinSubnet(pods.encapsulation))
        .filter((pods) => !covered.some((range) => contains(range, pods.cidr)))
        .map((pods) =>
            error(
                "port-pod-range-not-allowed",
                path,
                `${path} does not cover the ${pods.cidr.family} pod range ${pods.cidr.text} (${pods.path}): with Calico ` +
                    `encapsulation ${pods.encapsulation}, pod packets ${pods.encapsulation === "None" ? "" : "within the node subnet "}` +
                    `leave the node with pod source addresses, and Neutron's anti-spoofing drops them. Add an allowed ` +
                    `address pair with ipAddress ${pods.cidr.text}, or use VXLAN encapsulation.`,
            ),
        );
}
