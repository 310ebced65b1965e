/**
 * Rules on security-group rules and ports: what Neutron refuses (an ethertype that does not
 * match the remote prefix or the protocol), what leaves a cluster open (SSH, the API or the
 * kubelet reachable from the whole internet, port security off), and what breaks traffic
 * silently (no ICMPv6 on an IPv6 network, pod addresses dropped by Neutron's anti-spoofing).
 * The network and machines components and the policy pack share them.
 */
import { Cidr, contains, makeCidr, parseAddress, parseCidr } from "../cidr";
import { coversWholeSpace, wholeSpace } from "../coverage";
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

/**
 * Protocols Neutron accepts only with ethertype IPv6, compared as Neutron stores them (names
 * lower-cased, numbers as written: neutron-lib IPV6 protocol names and numbers, and the legacy `icmpv6`).
 */
const IPV6_ONLY_PROTOCOLS = new Set(["ipv6-icmp", "icmpv6", "58", "ipv6-encap", "41", "ipv6-frag", "44", "ipv6-nonxt", "59", "ipv6-opts", "60", "ipv6-route", "43"]);

/** Neutron reads the ethertype case-insensitively (`ipv6` is stored as `IPv6`). */
function ethertypeFamily(ethertype: string | undefined): IpFamily | undefined {
    return ALL_FAMILIES.find((f) => f.toLowerCase() === ethertype?.toLowerCase());
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

/** A service that must not be reachable from the whole internet: a port of TCP or UDP, or an IP protocol. */
export interface ClosedService {
    /** IP protocol number: 6 (TCP), 17 (UDP), 4 (IP-in-IP). */
    readonly protocol: number;
    /** The port, for TCP and UDP. */
    readonly port?: number;
    readonly service: string;
}

const TCP = 6;
const UDP = 17;
const IPIP = 4;

/**
 * What must never be open to the world: remote shells and every control-plane API (SSH, the
 * Kubernetes API, the kubelet, which runs commands in pods, etcd, which holds every Secret,
 * kube-controller-manager and kube-scheduler), and the node-to-node planes of Calico (BGP
 * peering, VXLAN, IP-in-IP, Typha), through which a stranger can inject routes or packets.
 */
export const WORLD_CLOSED_SERVICES: readonly ClosedService[] = [
    { protocol: TCP, port: 22, service: "SSH" },
    { protocol: TCP, port: 6443, service: "the Kubernetes API" },
    { protocol: TCP, port: 10250, service: "the kubelet API" },
    { protocol: TCP, port: 2379, service: "etcd (clients)" },
    { protocol: TCP, port: 2380, service: "etcd (peers)" },
    { protocol: TCP, port: 10257, service: "kube-controller-manager" },
    { protocol: TCP, port: 10259, service: "kube-scheduler" },
    { protocol: TCP, port: 179, service: "BGP" },
    { protocol: TCP, port: 5473, service: "Calico Typha" },
    { protocol: UDP, port: 4789, service: "VXLAN" },
    { protocol: IPIP, service: "IP-in-IP" },
];

/** The ports of WORLD_CLOSED_SERVICES, for the policy's allowedPorts. */
export const WORLD_CLOSED_PORTS: readonly number[] = [...new Set(WORLD_CLOSED_SERVICES.flatMap((s) => (s.port === undefined ? [] : [s.port])))];

/** `SSH (22/tcp)`, `IP-in-IP (protocol 4)`. */
export function describeService(s: ClosedService): string {
    const name = s.protocol === TCP ? "tcp" : s.protocol === UDP ? "udp" : undefined;
    return s.port !== undefined && name !== undefined ? `${s.service} (${s.port}/${name})` : `${s.service} (protocol ${s.protocol})`;
}

/** Neutron's protocol names and numbers (neutron-lib IP_PROTOCOL_MAP, with the legacy `icmpv6`). */
const NEUTRON_PROTOCOLS: Readonly<Record<string, number>> = {
    ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4, "ipv6-encap": 41,
    "ipv6-frag": 44, "ipv6-icmp": 58, icmpv6: 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, ospf: 89,
    pgm: 113, rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};

/**
 * A rule's protocol as Neutron reads it: `"any"` for every protocol, a number otherwise, or
 * undefined when Neutron refuses the value. Neutron lower-cases names (`TCP` is `tcp`) and
 * takes numbers 0 to 255 as written; other spellings of a number (`06`, `+6`) pass its API
 * check but not its storage (neutron-server 2023.1 answers HTTP 500). Its firewalls treat
 * protocol 0 (`0`, `ip`, `hopopt`) like an unset protocol: every protocol, and its duplicate
 * check takes `ip` and `0` for the same rule. On an IPv6 rule, ICMP (`icmp`, `1`) is ICMPv6.
 */
export function neutronProtocol(protocol: string | undefined, ethertype?: string): number | "any" | undefined {
    if (protocol === undefined || protocol === "") return "any";
    let number: number | undefined;
    if (/^(0|[1-9]\d{0,2})$/.test(protocol)) number = Number(protocol);
    else if (Object.hasOwn(NEUTRON_PROTOCOLS, protocol.toLowerCase())) number = NEUTRON_PROTOCOLS[protocol.toLowerCase()];
    if (number === undefined || number > 255) return undefined;
    if (number === 0) return "any";
    return number === 1 && ethertypeFamily(ethertype) === "IPv6" ? 58 : number;
}

/** True when a rule of this protocol carries the service (an unreadable protocol counts as any). */
function protocolAdmits(protocol: string | undefined, ethertype: string | undefined, service: ClosedService): boolean {
    const normal = neutronProtocol(protocol, ethertype);
    return normal === undefined || normal === "any" || normal === service.protocol;
}

/** True when the rule's port range holds the service's port (every port when unset, or for a portless service). */
function portAdmits(rule: SecurityRuleInput, service: ClosedService): boolean {
    if (service.port === undefined) return true;
    const [min, max] = portRange(rule);
    return service.port >= min && service.port <= max;
}

/** A security-group rule with the name messages give it (the resource name). */
export interface NamedSecurityRule {
    readonly name: string;
    readonly rule: SecurityRuleInput;
}

/** A `secgroup-world-open` finding and the rules that together cause it. */
export interface WorldOpenFinding {
    readonly finding: Finding;
    /** The names of the rules, the first one being the one the finding's path names. */
    readonly rules: string[];
}

/** The ranges a rule admits traffic from, per family: a remote prefix, or every address when it has neither prefix nor group. */
function remoteRanges(rule: SecurityRuleInput): Cidr[] {
    const remote = fromAnywhere(rule);
    if (remote === "unset") {
        return ALL_FAMILIES.filter((f) => [undefined, f].includes(ethertypeFamily(rule.ethertype))).map(wholeSpace);
    }
    if (rule.remoteIpPrefix === undefined || rule.remoteIpPrefix === "") return [];
    const range = remoteRange(rule.remoteIpPrefix);
    return range === undefined ? [] : [range];
}

/**
 * `secgroup-world-open`: ingress rules that, alone or together, admit a service of
 * WORLD_CLOSED_SERVICES from the whole IPv4 or IPv6 internet: a rule from `0.0.0.0/0`, `::/0`
 * or with neither a remote prefix nor a remote group, or rules whose remote prefixes add up to
 * the whole space (`0.0.0.0/1` + `128.0.0.0/1`), over the same port by way of any port ranges.
 * Protocols are read as Neutron reads them (`TCP`, `6`, `06`; unset, `0` and `ip` are every
 * protocol). The union is taken over every rule given: a port in several groups gets them all.
 *
 * @param allowedPorts ports the operator allows to be open to the world (e.g. a public API)
 * @param allowedPath where those are configured, for the fix
 */
export function checkWorldOpenRules(rules: readonly NamedSecurityRule[], allowedPorts: readonly number[] = [], allowedPath?: string): WorldOpenFinding[] {
    const ingress = rules.filter((r) => r.rule.direction === "ingress");
    // Contributors → what they open; a rule open to the world alone is reported alone.
    const groups = new Map<string, { names: string[]; services: Set<ClosedService>; families: Set<IpFamily> }>();
    const add = (names: string[], service: ClosedService, family: IpFamily) => {
        const id = names.join("\u0000");
        const group = groups.get(id) ?? { names, services: new Set(), families: new Set() };
        group.services.add(service);
        group.families.add(family);
        groups.set(id, group);
    };
    for (const service of WORLD_CLOSED_SERVICES) {
        if (service.port !== undefined && allowedPorts.includes(service.port)) continue;
        const admitting = ingress.filter((r) => protocolAdmits(r.rule.protocol, r.rule.ethertype, service) && portAdmits(r.rule, service));
        for (const family of ALL_FAMILIES) {
            const sources = admitting.map((r) => ({ name: r.name, ranges: remoteRanges(r.rule).filter((c) => c.family === family) })).filter((s) => s.ranges.length > 0);
            const alone = sources.filter((s) => s.ranges.some((c) => c.prefixLength === 0));
            if (alone.length > 0) {
                for (const source of alone) add([source.name], service, family);
            } else if (coversWholeSpace(sources.flatMap((s) => s.ranges), family)) {
                add(sources.map((s) => s.name), service, family);
            }
        }
    }
    const byName = new Map(rules.map((r) => [r.name, r.rule]));
    return [...groups.values()].map(({ names, services, families }) => {
        const what = listWords(WORLD_CLOSED_SERVICES.filter((s) => services.has(s)).map(describeService));
        const internet = ALL_FAMILIES.filter((f) => families.has(f)).join(" and ");
        const path = `${names[0]}.remoteIpPrefix`;
        const first = byName.get(names[0]) as SecurityRuleInput;
        const whence =
            names.length > 1
                ? `${listWords(names.map((n) => `${n}.remoteIpPrefix (${byName.get(n)?.remoteIpPrefix ?? "unset"})`))} together cover the whole ${internet} address space, so these ingress rules open`
                : fromAnywhere(first) === "unset"
                  ? `${path} is not set and the rule names no remote group, so this ingress rule opens`
                  : `${path} is ${remoteRange(first.remoteIpPrefix as string)?.text}, so this ingress rule opens`;
        const allow = allowedPath ? `, or list the port in ${allowedPath} if it must be public` : "";
        return {
            rules: names,
            finding: error(
                "secgroup-world-open",
                path,
                `${whence} ${what} to the whole ${internet} internet. Admit only the ranges of your offices, VPN or CI runners ` +
                    `(dualstack:access.sshAllowedCidrs, dualstack:access.apiAllowedCidrs; the kubelet, etcd and Calico need only ` +
                    `the cluster's own nodes)${allow}.`,
            ),
        };
    });
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
    if (rule.protocol !== undefined && neutronProtocol(rule.protocol, ethertype) === undefined) {
        findings.push(
            error(
                "secgroup-protocol-invalid",
                paths.protocol,
                `${paths.protocol} is "${rule.protocol}", which is neither a protocol name Neutron knows (tcp, udp, icmp, ` +
                    `ipv6-icmp, ipip, ...) nor a number from 0 to 255 written plainly; Neutron refuses the rule. Write the name or the number.`,
            ),
        );
    }
    if (ethertype === "IPv4" && rule.protocol !== undefined && IPV6_ONLY_PROTOCOLS.has(rule.protocol.toLowerCase())) {
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
    const protocol = neutronProtocol(rule.protocol, "IPv6");
    return protocol === "any" || protocol === 58;
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

/**
 * `port-address-pairs-world`: allowed address pairs whose addresses cover the whole IPv4 or
 * IPv6 space (`0.0.0.0/0`, `::/0`, or halves that add up to it) switch Neutron's
 * anti-spoofing off for that family: the machine may then send from any address. Pod ranges
 * need pairs of the pod range only.
 *
 * @param pairAddresses the port's `allowedAddressPairs[].ipAddress`
 * @param path the port's allowed-address-pairs property, for the message
 */
export function checkAddressPairsWorld(pairAddresses: readonly string[], path: string): Finding[] {
    const ranges = pairAddresses.map(remoteRange).filter((r): r is Cidr => r !== undefined);
    return ALL_FAMILIES.filter((family) => coversWholeSpace(ranges, family)).map((family) =>
        error(
            "port-address-pairs-world",
            path,
            `${path} (${listWords(ranges.filter((r) => r.family === family).map((r) => r.text))}) covers every ${family} address, ` +
                `so Neutron's anti-spoofing no longer applies to the port: the machine can send from any ${family} address. ` +
                `List only the ranges the machine routes (its pod range).`,
        ),
    );
}
