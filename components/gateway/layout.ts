/**
 * From Gateway args to what the component creates: checked (every problem at once, before
 * anything is registered; values that are Outputs when they resolve), with the machines'
 * names and the security-group rule set as a pure function.
 */
import * as pulumi from "@pulumi/pulumi";
import { cidr as parseStrictCidr } from "../addressing/cidr";
import { familyFacts, IpFamily } from "../addressing/family";
import { error, Finding, warning } from "../addressing/findings";
import { checkCidr } from "../addressing/rules/cidr";
import {
    checkClientRangeSize,
    checkGatewayCount,
    checkPeerHostId,
    checkPeersUnique,
    checkWireguardKey,
} from "../addressing/rules/gateway";
import { checkAllowedRangeFamily } from "../addressing/rules/ranges";
import { SERVER_GROUP_POLICIES } from "../config/types";
import { argMissing, checkCidrInput, checkImage, checkInteger, checkName, checkOneOf, presentFamilies, throwOnArgErrors } from "../network/args";
import { cidrSlug, egressRule, FamilyRuleSpec, icmpRules, rangesOf, SSH_PORT, tcpPortRule } from "../network/rules";
import { GatewayArgs, GatewayPeerArgs } from "./types";

const COMPONENT = "Gateway";

/** Gateways when `count` is not given: one to hold the VIPs, one to take them over. */
export const DEFAULT_GATEWAY_COUNT = 2;

/** WireGuard's customary port (wg(8), wg-quick(8) examples). */
export const DEFAULT_LISTEN_PORT = 51820;

/** IP protocol number of VRRP (RFC 5798); Neutron and the provider take the number. */
export const VRRP_PROTOCOL = "112";

/** A rule of the gateways' security group; `wireguard` rules take the listen port (an Input) as their port. */
export interface GatewayRuleSpec extends FamilyRuleSpec {
    /** True for the rules that admit WireGuard: their port is the listen port. */
    readonly wireguard?: boolean;
}

/** What the rule set depends on. */
export interface GatewayRuleInput {
    /** Families the gateways have addresses of. */
    readonly families: readonly IpFamily[];
    /** Families with a WireGuard client range. */
    readonly clientFamilies: readonly IpFamily[];
    /** Ranges allowed to reach WireGuard, valid CIDRs of either family. */
    readonly allowedSourceCidrs: readonly string[];
}

/**
 * The gateways' security-group rules, per family: WireGuard (UDP, the listen port) from each
 * allowed source range; VRRP between the gateways (keepalived); ICMP from the node subnet and,
 * for IPv6, ICMPv6 from link-local addresses (neighbour discovery, router advertisements);
 * SSH from the family's WireGuard client range only; all egress (forwarded traffic, packages).
 * The gateways are not in the nodes' group: a remote-group rule would admit their
 * allowed-address-pairs, the client ranges, as cluster members.
 */
export function gatewaySecurityGroupRules(input: GatewayRuleInput): GatewayRuleSpec[] {
    const rules: GatewayRuleSpec[] = [];
    for (const family of input.families) {
        const facts = familyFacts(family);
        const f = facts.lowerSuffix;
        const ingress = { direction: "ingress" as const, ethertype: family };
        for (const range of rangesOf(family, input.allowedSourceCidrs)) {
            rules.push({
                key: `${f}-wireguard-${cidrSlug(range)}`,
                ...ingress,
                protocol: "udp",
                wireguard: true,
                remote: { kind: "cidr", cidr: range },
                description: `WireGuard from ${range} (allowed source range)`,
            });
        }
        rules.push({
            key: `${f}-vrrp`,
            ...ingress,
            protocol: VRRP_PROTOCOL,
            remote: { kind: "members" },
            description: `VRRP over ${family} between the access gateways (keepalived)`,
        });
        rules.push(...icmpRules(family, "router, nodes, path MTU"));
        if (input.clientFamilies.includes(family)) {
            rules.push(tcpPortRule(family, `${f}-ssh-wireguard-clients`, SSH_PORT, { kind: "clientRange" }, `SSH from the WireGuard clients (${family})`));
        }
        rules.push(egressRule(family, "forwarded client traffic, packages, DNS"));
    }
    return rules;
}

/** One gateway machine. */
export interface GatewayMachineLayout {
    readonly index: number;
    /** Host and Nova name: `<clusterName>-gateway-<index>`. */
    readonly name: string;
}

/** Everything a Gateway creates, decided. */
export interface GatewayLayout {
    /** Node families, IPv4 first: a VIP and an address on each gateway in each. */
    readonly families: IpFamily[];
    /** Client ranges (checked; Outputs checked when they resolve), IPv4 first. */
    readonly clientRanges: Array<{ readonly family: IpFamily; readonly cidr: pulumi.Input<string> }>;
    readonly machines: GatewayMachineLayout[];
    readonly rules: GatewayRuleSpec[];
    readonly serverGroupPolicy: string;
    /** A floating IP on the IPv4 VIP. */
    readonly floatingIp: boolean;
    /** Config drive for cloud-init (no IPv4: the metadata service over IPv6 needs a recent Neutron). */
    readonly configDrive: boolean;
    readonly warnings: Finding[];
}

/** `<clusterName>-gateway-<index>`. */
export function gatewayName(clusterName: string, index: number): string {
    return `${clusterName}-gateway-${index}`;
}

/** Peer checks that need no client range: names, keys, duplicates. */
export function checkPeers(peers: readonly GatewayPeerArgs[]): Finding[] {
    const pathOf = (index: number, field: string) => `peers[${index}].${field}`;
    return [
        ...peers.flatMap((peer, index) => [
            ...checkName(peer.name, pathOf(index, "name")),
            ...checkWireguardKey(peer.publicKey, pathOf(index, "publicKey"), false),
            ...checkInteger(peer.hostId, 2, pathOf(index, "hostId"), "a host number; 1 is the gateways' own address"),
        ]),
        ...checkPeersUnique(peers, pathOf),
    ];
}

/** Every peer's hostId inside every client range (ranges as text). */
export function checkPeersInRanges(peers: readonly GatewayPeerArgs[], ranges: ReadonlyArray<{ family: IpFamily; cidr: string }>): Finding[] {
    const labelled = ranges.map((r) => ({ cidr: parseStrictCidr(r.cidr), key: `clientRanges.${familyFacts(r.family).lowerSuffix}` }));
    return peers.flatMap((peer, index) => checkPeerHostId(peer.hostId, labelled, `peers[${index}].hostId`));
}

/** Check Gateway args and decide what to create. Throws InvalidPlanError naming the component with every error. */
export function planGateway(name: string, args: GatewayArgs): GatewayLayout {
    const count = args.count ?? DEFAULT_GATEWAY_COUNT;
    const findings: Finding[] = [
        ...checkName(args.clusterName, "clusterName"),
        ...checkInteger(count, 1, "count", "gateway machines"),
        ...checkGatewayCount(count, "count"),
    ];
    const serverGroupPolicy = args.serverGroupPolicy ?? "anti-affinity";
    findings.push(...checkOneOf(serverGroupPolicy, SERVER_GROUP_POLICIES, "serverGroupPolicy"));
    findings.push(...checkImage(args.imageName, args.imageId));

    const families = presentFamilies(args.subnets).map(([family]) => family);
    if (families.length === 0) findings.push(argMissing("subnets", "give subnets.ipv4, subnets.ipv6 or both (the node subnets)."));

    const peers = args.peers;
    const plainPeers = Array.isArray(peers) ? (peers as GatewayPeerArgs[]) : undefined;
    if (plainPeers !== undefined) findings.push(...checkPeers(plainPeers));

    const clientRanges = presentFamilies(args.clientRanges).map(([family, cidr]) => {
        const path = `clientRanges.${familyFacts(family).lowerSuffix}`;
        if (!families.includes(family)) findings.push(argMissing(`subnets.${familyFacts(family).lowerSuffix}`, `${path} is set, so the gateways need an address in the ${family} node subnet to route it.`));
        const checked = checkCidrInput(cidr, family, path, `${COMPONENT} "${name}"`, (text) => [
            ...checkClientRangeSize(parseStrictCidr(text), path),
            ...(plainPeers === undefined ? [] : checkPeersInRanges(plainPeers, [{ family, cidr: text }])),
        ]);
        findings.push(...checked.findings);
        return { family, cidr: checked.value };
    });
    if (clientRanges.length === 0) findings.push(argMissing("clientRanges", "give clientRanges.ipv4, clientRanges.ipv6 or both (the peers' tunnel addresses)."));

    if (typeof args.privateKey === "string") findings.push(...checkWireguardKey(args.privateKey, "privateKey", true));
    if (typeof args.listenPort === "number" && (!Number.isInteger(args.listenPort) || args.listenPort < 1 || args.listenPort > 65535)) {
        findings.push(error("arg-invalid", "listenPort", `listenPort is ${args.listenPort}; a UDP port is an integer from 1 to 65535.`));
    }

    const sources: string[] = [];
    (args.allowedSourceCidrs ?? []).forEach((text, index) => {
        const path = `allowedSourceCidrs[${index}]`;
        const checked = checkCidr(text, undefined, path);
        findings.push(...checked.findings);
        if (checked.cidr === undefined || checked.findings.some((f) => f.severity === "error")) return;
        sources.push(checked.cidr.text);
        findings.push(...checkAllowedRangeFamily(checked.cidr, families, path, "WireGuard"));
    });

    const floatingIp = args.externalNetworkName !== undefined && families.includes("IPv4");
    if (args.externalNetworkName !== undefined && !floatingIp && families.length > 0) {
        findings.push(
            warning(
                "arg-unused",
                "externalNetworkName",
                `externalNetworkName is set but the gateways have no IPv4 subnet; floating IPs are IPv4, so none is created. ` +
                    `Peers connect to the IPv6 VIP.`,
            ),
        );
    }
    throwOnArgErrors(findings, COMPONENT, name);

    return {
        families,
        clientRanges,
        machines: Array.from({ length: count }, (_, index) => ({ index, name: gatewayName(args.clusterName, index) })),
        rules: gatewaySecurityGroupRules({ families, clientFamilies: clientRanges.map((r) => r.family), allowedSourceCidrs: sources }),
        serverGroupPolicy,
        floatingIp,
        configDrive: !families.includes("IPv4"),
        warnings: findings,
    };
}
