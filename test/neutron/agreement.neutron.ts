/**
 * Agreement with Neutron: every rule of ours that mirrors a Neutron rule is replayed on the
 * real Neutron. The bad input goes to Neutron's API directly, and Neutron must refuse it (HTTP
 * 400, with its message); our rule must refuse the same input with a message at least as
 * specific (it names the value and the limit, and the key). Inputs at the limit are accepted
 * by both. Where we are deliberately stricter than Neutron (docs/rules.md says why), the
 * suite shows Neutron accepting what we refuse.
 */
import * as assert from "assert";
import { parseCidr } from "../../components/addressing/cidr";
import { IpFamily } from "../../components/addressing/family";
import { Finding } from "../../components/addressing/findings";
import { checkCidr } from "../../components/addressing/rules/cidr";
import { checkNeutronSubnet, NeutronSubnetInput } from "../../components/addressing/rules/neutron";
import { checkSecurityRuleFamily, neutronProtocol } from "../../components/addressing/rules/security";
import { usableNodeAddresses } from "../../components/addressing/capacity";
import { keys } from "../../components/config/keys";
import { securityGroupRules } from "../../components/network/rules";
import { evaluate } from "../support/stacks";
import { NeutronClient, NeutronError } from "./client";
import { suiteNeutron } from "./hooks";
import { EXTERNAL } from "./seed";
import { deriveMode, FAMILY_MODES, runAgainstNeutron, shippedStacks } from "./runs";

type Json = Record<string, unknown>;

/** The project the agreement requests are made in. */
const PROJECT = "dualstack-agreement";

/** Paths our rules name, as `dualstack check` names them. */
const PATHS = { cidr: "dualstack:network.ipv6Cidr", addressMode: keys.ipv6AddressMode, raMode: keys.ipv6RaMode };
const PATHS_IPV4 = { ...PATHS, cidr: keys.nodeCidr("IPv4") };
/** Paths of a security-group rule's fields, as the policy pack names them. */
const RULE_PATHS = { ethertype: "rule.ethertype", protocol: "rule.protocol", remoteIpPrefix: "rule.remoteIpPrefix" };

/** Drop undefined fields: Neutron refuses explicit nulls for most of them. */
function defined(fields: Json): Json {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** A subnet as the cases write it: Neutron's field names. */
interface SubnetFields {
    readonly ip_version: 4 | 6;
    readonly cidr: string;
    readonly ipv6_address_mode?: string;
    readonly ipv6_ra_mode?: string;
    readonly enable_dhcp?: boolean;
}

/** The same subnet as our Neutron rules take it. */
function asRuleInput(subnet: SubnetFields): NeutronSubnetInput {
    const family: IpFamily = subnet.ip_version === 4 ? "IPv4" : "IPv6";
    const parsed = parseCidr(subnet.cidr);
    if (!parsed.ok) throw new Error(`bad case CIDR ${subnet.cidr}`);
    return {
        family,
        cidr: parsed.cidr,
        prefixLength: parsed.cidr.prefixLength,
        ipv6AddressMode: subnet.ipv6_address_mode,
        ipv6RaMode: subnet.ipv6_ra_mode,
        enableDhcp: subnet.enable_dhcp ?? true,
    };
}

function ourSubnetFindings(subnet: SubnetFields): Finding[] {
    return checkNeutronSubnet(asRuleInput(subnet), subnet.ip_version === 4 ? PATHS_IPV4 : PATHS);
}

/** Send a request that must fail; returns Neutron's error. */
async function refusal(request: Promise<unknown>): Promise<NeutronError> {
    try {
        const created = await request;
        assert.fail(`Neutron accepted it: ${JSON.stringify(created)}`);
    } catch (e) {
        if (!(e instanceof NeutronError)) throw e;
        return e;
    }
}

let networks = 0;
/** A fresh network for each case, so that subnets of different cases never overlap. */
async function freshNetwork(neutron: NeutronClient): Promise<string> {
    networks++;
    return (await neutron.create("networks", { name: `agreement-${networks}` }, PROJECT)).id as string;
}

async function createSubnet(neutron: NeutronClient, subnet: Json): Promise<Json> {
    return neutron.create("subnets", { ...subnet, network_id: await freshNetwork(neutron) }, PROJECT);
}

/** Our error finding of a rule, which must name every one of `mentions`. */
function expectOurs(findings: Finding[], rule: string, mentions: readonly string[]): Finding {
    const finding = findings.find((f) => f.rule === rule && f.severity === "error");
    assert.ok(finding, `our rules do not report ${rule}; they report ${JSON.stringify(findings.map((f) => `${f.rule}: ${f.message}`))}`);
    for (const text of mentions) assert.ok(finding.message.includes(text), `our ${rule} message does not name "${text}": ${finding.message}`);
    assert.ok(finding.message.includes(finding.path), `our ${rule} message does not name the key ${finding.path}: ${finding.message}`);
    return finding;
}

interface RefusedCase {
    readonly title: string;
    readonly subnet: SubnetFields;
    /** Our findings for it; default: our Neutron subnet rules. */
    readonly ours?: () => Finding[];
    /** Neutron's message (HTTP 400). */
    readonly neutron: RegExp;
    /** Our rule for the same input, and what its message names: the value and the limit. */
    readonly rule: string;
    readonly mentions: readonly string[];
    /**
     * The same input as stack configuration, when it can be written there: `dualstack check`
     * reports `rule` (default: the case's rule) with a message naming `mentions` (default:
     * the case's first mention, the value).
     */
    readonly config?: { readonly overrides: Record<string, unknown>; readonly rule?: string; readonly mentions?: readonly string[] };
}

/** Stack configuration with these `dualstack:network` settings. */
function networkConfig(network: Json): RefusedCase["config"] {
    return { overrides: { "dualstack:network": { externalNetwork: "public", ...network } } };
}

const MODES = ["dhcpv6-stateful", "dhcpv6-stateless", "slaac"] as const;

const REFUSED: readonly RefusedCase[] = [
    {
        title: "an ipv6_address_mode outside Neutron's values",
        subnet: { ip_version: 6, cidr: "fd00:10::/64", ipv6_address_mode: "slaacc" },
        neutron: /Invalid input for ipv6_address_mode\. Reason: slaacc is not in valid_values/,
        rule: "neutron-ipv6-mode-invalid",
        mentions: ['"slaacc"', "dhcpv6-stateful, dhcpv6-stateless, slaac"],
        config: networkConfig({ ipv6AddressMode: "slaacc" }),
    },
    {
        title: "an ipv6_ra_mode outside Neutron's values",
        subnet: { ip_version: 6, cidr: "fd00:11::/64", ipv6_ra_mode: "router" },
        neutron: /Invalid input for ipv6_ra_mode\. Reason: router is not in valid_values/,
        rule: "neutron-ipv6-mode-invalid",
        mentions: ['"router"', "dhcpv6-stateful, dhcpv6-stateless, slaac"],
    },
    ...MODES.flatMap((ra) =>
        MODES.filter((address) => address !== ra).map(
            (address): RefusedCase => ({
                title: `ipv6_ra_mode ${ra} with ipv6_address_mode ${address}`,
                subnet: { ip_version: 6, cidr: "fd00:12::/64", ipv6_ra_mode: ra, ipv6_address_mode: address },
                neutron: new RegExp(`ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${address}' is not valid\\. If both attributes are set, they must be the same value`),
                rule: "neutron-ipv6-mode-mismatch",
                mentions: [ra, address, "same value"],
                config: networkConfig({ ipv6AddressMode: address, ipv6RaMode: ra }),
            }),
        ),
    ),
    {
        title: "an IPv6 mode with DHCP disabled",
        subnet: { ip_version: 6, cidr: "fd00:13::/64", ipv6_address_mode: "slaac", enable_dhcp: false },
        neutron: /ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False/,
        rule: "neutron-ipv6-mode-without-dhcp",
        mentions: ["slaac", "DHCP is disabled"],
    },
    {
        title: "an IPv6 address mode on an IPv4 subnet",
        subnet: { ip_version: 4, cidr: "10.13.0.0/24", ipv6_address_mode: "slaac" },
        neutron: /ipv6_address_mode is not valid when ip_version is 4/,
        rule: "neutron-ipv6-mode-on-ipv4",
        mentions: ["slaac", "IPv4 subnet"],
    },
    ...(["slaac", "dhcpv6-stateless"] as const).flatMap((mode) =>
        ["fd00:14::/80", "fd00:14::/56"].map(
            (cidr): RefusedCase => ({
                title: `${mode} on a /${cidr.split("/")[1]}`,
                subnet: { ip_version: 6, cidr, ipv6_address_mode: mode },
                neutron: new RegExp(`Invalid CIDR ${cidr} for IPv6 address mode\\. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`),
                rule: "neutron-auto-address-prefix",
                mentions: [cidr, mode, "/64"],
                config: networkConfig({ ipv6Cidr: cidr, ipv6AddressMode: mode }),
            }),
        ),
    ),
    {
        title: "an slaac ipv6_ra_mode alone on a /80",
        subnet: { ip_version: 6, cidr: "fd00:15::/80", ipv6_ra_mode: "slaac" },
        neutron: /requires the prefix to be \/64/,
        rule: "neutron-auto-address-prefix",
        mentions: ["fd00:15::/80", "slaac", "/64"],
    },
    ...[
        { cidr: "10.16.0.0/31", limit: "/30" },
        { cidr: "10.16.0.4/32", limit: "/30" },
        { cidr: "fd00:16::/127", limit: "/126" },
        { cidr: "fd00:16::1/128", limit: "/126" },
    ].map(
        ({ cidr, limit }): RefusedCase => ({
            title: `${cidr} with DHCP`,
            subnet: { ip_version: cidr.includes(":") ? 6 : 4, cidr },
            neutron: /Subnet has a prefix length that is incompatible with DHCP service enabled/,
            rule: "neutron-dhcp-prefix",
            mentions: [cidr, limit],
            config: networkConfig({ [cidr.includes(":") ? "ipv6Cidr" : "ipv4Cidr"]: cidr }),
        }),
    ),
    ...[
        { cidr: "224.0.0.0/24", block: "224.0.0.0/4" },
        { cidr: "239.255.0.0/16", block: "224.0.0.0/4" },
        { cidr: "ff05::/64", block: "ff00::/8" },
    ].map(
        ({ cidr, block }): RefusedCase => ({
            title: `the multicast range ${cidr} with DHCP`,
            subnet: { ip_version: cidr.includes(":") ? 6 : 4, cidr },
            neutron: /Multicast IP subnet is not supported if enable_dhcp is True/,
            rule: "neutron-multicast",
            mentions: [cidr, block],
            config: networkConfig({ [cidr.includes(":") ? "ipv6Cidr" : "ipv4Cidr"]: cidr }),
        }),
    ),
    {
        title: "the loopback range 127.0.0.0/24 with DHCP",
        subnet: { ip_version: 4, cidr: "127.0.0.0/24" },
        neutron: /Loopback IP subnet is not supported if enable_dhcp is True/,
        rule: "neutron-loopback",
        mentions: ["127.0.0.0/24", "127.0.0.0/8"],
        config: networkConfig({ ipv4Cidr: "127.0.0.0/24" }),
    },
    {
        title: "an IPv4 subnet starting at 0.0.0.0 with DHCP",
        subnet: { ip_version: 4, cidr: "0.0.0.0/8" },
        neutron: /First IP '0\.0\.0\.0' of network is not supported if enable_dhcp is True/,
        rule: "neutron-unusable-range",
        mentions: ["0.0.0.0/8", "all-zero address"],
        config: networkConfig({ ipv4Cidr: "0.0.0.0/8" }),
    },
    ...(
        [
            [4, "fd00:60::/64", "IPv4"],
            [6, "10.60.0.0/24", "IPv6"],
        ] as const
    ).map(
        ([version, cidr, family]): RefusedCase => ({
            title: `${cidr} as an IPv${version} subnet`,
            subnet: { ip_version: version, cidr },
            ours: () => checkCidr(cidr, family, keys.nodeCidr(family)).findings,
            neutron: new RegExp(`cidr '${cidr}' does not match the ip_version '${version}'`),
            rule: "cidr-family-mismatch",
            mentions: [cidr, family],
            config: networkConfig({ [family === "IPv4" ? "ipv4Cidr" : "ipv6Cidr"]: cidr }),
        }),
    ),
    {
        title: "a prefix length beyond the family's bits (10.61.0.0/33)",
        subnet: { ip_version: 4, cidr: "10.61.0.0/33" },
        ours: () => checkCidr("10.61.0.0/33", "IPv4", keys.nodeCidr("IPv4")).findings,
        neutron: /10\.61\.0\.0\/33 is not in a CIDR format/,
        rule: "cidr-invalid",
        mentions: ["10.61.0.0/33", "between 0 and 32"],
        config: networkConfig({ ipv4Cidr: "10.61.0.0/33" }),
    },
    {
        title: "an IPv6 /0",
        subnet: { ip_version: 6, cidr: "::/0" },
        neutron: /0 is not allowed as CIDR prefix length/,
        rule: "neutron-unusable-range",
        mentions: ["::/0", "whole address space"],
    },
];

/** Inputs at the limits: accepted by Neutron and by our rules. */
const ACCEPTED: ReadonlyArray<{ title: string; subnet: SubnetFields }> = [
    { title: "slaac on a /64", subnet: { ip_version: 6, cidr: "fd00:20::/64", ipv6_address_mode: "slaac", ipv6_ra_mode: "slaac" } },
    { title: "dhcpv6-stateless on a /64", subnet: { ip_version: 6, cidr: "fd00:21::/64", ipv6_address_mode: "dhcpv6-stateless" } },
    { title: "dhcpv6-stateful on a /80 (no /64 rule)", subnet: { ip_version: 6, cidr: "fd00:22::/80", ipv6_address_mode: "dhcpv6-stateful" } },
    { title: "only one of the two modes set", subnet: { ip_version: 6, cidr: "fd00:23::/64", ipv6_ra_mode: "dhcpv6-stateful" } },
    { title: "an IPv4 /30 with DHCP", subnet: { ip_version: 4, cidr: "10.24.0.0/30" } },
    { title: "an IPv6 /126 with DHCP", subnet: { ip_version: 6, cidr: "fd00:25::/126" } },
];

/** What we refuse and Neutron 2023.1 accepts: documented in docs/rules.md as deliberately stricter. */
interface StricterCase {
    readonly title: string;
    readonly subnet: Json;
    readonly ours: () => Finding[];
    readonly rule: string;
    readonly mentions: readonly string[];
    /** What Neutron made of it. */
    readonly stored?: (subnet: Json) => void;
}

const STRICTER: readonly StricterCase[] = [
    {
        title: "host bits after the prefix (Neutron masks them silently)",
        subnet: { ip_version: 4, cidr: "10.30.0.5/24" },
        ours: () => checkCidr("10.30.0.5/24", "IPv4", keys.nodeCidr("IPv4")).findings,
        rule: "cidr-host-bits",
        mentions: ["10.30.0.5/24", "10.30.0.0/24"],
        stored: (subnet) => assert.strictEqual(subnet.cidr, "10.30.0.0/24"),
    },
    {
        title: "an IPv4 range that contains the multicast block (128.0.0.0/1)",
        subnet: { ip_version: 4, cidr: "128.0.0.0/1" },
        ours: () => ourSubnetFindings({ ip_version: 4, cidr: "128.0.0.0/1" }),
        rule: "neutron-multicast",
        mentions: ["128.0.0.0/1", "224.0.0.0/4"],
    },
    {
        title: "an IPv6 range that contains the multicast block (fe00::/7)",
        subnet: { ip_version: 6, cidr: "fe00::/7" },
        ours: () => ourSubnetFindings({ ip_version: 6, cidr: "fe00::/7" }),
        rule: "neutron-multicast",
        mentions: ["fe00::/7", "ff00::/8"],
    },
    {
        title: "an IPv6 subnet at the all-zero address (::/64, Neutron makes :: its gateway)",
        subnet: { ip_version: 6, cidr: "::/64" },
        ours: () => ourSubnetFindings({ ip_version: 6, cidr: "::/64" }),
        rule: "neutron-unusable-range",
        mentions: ["::/64", "all-zero address"],
        stored: (subnet) => assert.strictEqual(subnet.gateway_ip, "::"),
    },
];

describe("Neutron agreement: our Neutron rules against the real Neutron", function () {
    let neutron: NeutronClient;
    before(() => {
        neutron = suiteNeutron().client;
    });

    describe("subnets Neutron refuses, and so do we", () => {
        for (const c of REFUSED) {
            it(`${c.title}: Neutron says HTTP 400, we report ${c.rule}`, async () => {
                const error = await refusal(createSubnet(neutron, { ...c.subnet }));
                assert.strictEqual(error.status, 400, error.message);
                assert.match(error.neutronMessage, c.neutron);
                expectOurs(c.ours?.() ?? ourSubnetFindings(c.subnet), c.rule, c.mentions);
                if (c.config !== undefined) {
                    const rule = c.config.rule ?? c.rule;
                    const finding = evaluate(c.config.overrides).all.find((f) => f.rule === rule && f.severity === "error");
                    assert.ok(finding, `dualstack check does not report ${rule} for ${JSON.stringify(c.config.overrides)}`);
                    for (const text of c.config.mentions ?? [c.mentions[0]]) {
                        assert.ok(finding.message.includes(text), `dualstack check's ${rule} message does not name ${text}: ${finding.message}`);
                    }
                }
            });
        }
    });

    describe("subnets at the limits: accepted by Neutron and by us", () => {
        for (const c of ACCEPTED) {
            it(c.title, async () => {
                assert.deepStrictEqual(ourSubnetFindings(c.subnet), []);
                const created = await createSubnet(neutron, { ...c.subnet });
                assert.strictEqual(created.cidr, c.subnet.cidr);
            });
        }
    });

    describe("deliberately stricter than Neutron (docs/rules.md): Neutron accepts, we refuse", () => {
        for (const c of STRICTER) {
            it(c.title, async () => {
                const created = await createSubnet(neutron, c.subnet);
                c.stored?.(created);
                expectOurs(c.ours(), c.rule, c.mentions);
            });
        }
    });

    describe("subnets from a subnet pool", () => {
        it("Neutron skips its subnet validation for pool subnets: slaac on a /56 and unequal modes are accepted; we refuse both", async () => {
            const pool = suiteNeutron().seeded.subnetPoolId;
            const wide = await createSubnet(neutron, { ip_version: 6, subnetpool_id: pool, prefixlen: 56, ipv6_address_mode: "slaac" });
            assert.match(String(wide.cidr), /\/56$/);
            const mixed = await createSubnet(neutron, {
                ip_version: 6,
                subnetpool_id: pool,
                prefixlen: 64,
                ipv6_address_mode: "slaac",
                ipv6_ra_mode: "dhcpv6-stateful",
            });
            assert.strictEqual(mixed.ipv6_ra_mode, "dhcpv6-stateful");
            const poolPaths = { cidr: keys.ipv6SubnetPool, addressMode: keys.ipv6AddressMode, raMode: keys.ipv6RaMode };
            expectOurs(
                checkNeutronSubnet({ family: "IPv6", prefixLength: 56, ipv6AddressMode: "slaac", ipv6RaMode: "slaac", enableDhcp: true }, poolPaths),
                "neutron-auto-address-prefix",
                ["/56", "slaac", "/64"],
            );
            expectOurs(
                checkNeutronSubnet({ family: "IPv6", prefixLength: 64, ipv6AddressMode: "slaac", ipv6RaMode: "dhcpv6-stateful", enableDhcp: true }, poolPaths),
                "neutron-ipv6-mode-mismatch",
                ["slaac", "dhcpv6-stateful"],
            );
            const lab = shippedStacks().find((s) => s.stack === "lab-ipv6");
            assert.ok(lab, "stacks/Pulumi.lab-ipv6.yaml");
            const network = { ...(lab.config["dualstack:network"] as Json), ipv6PrefixLength: 56 };
            const finding = evaluate({ ...lab.config, "dualstack:network": network }).all.find((f) => f.rule === "neutron-auto-address-prefix");
            assert.ok(finding && finding.message.includes("/56"), `dualstack check does not refuse slaac on a /56 pool prefix`);
        });

        it("a /72 from public-ipv6 (/48 to /64): Neutron refuses; the program refuses first, from the pool Neutron describes", async () => {
            const pool = suiteNeutron().seeded.subnetPoolId;
            const error = await refusal(createSubnet(neutron, { ip_version: 6, subnetpool_id: pool, prefixlen: 72 }));
            assert.strictEqual(error.status, 400);
            assert.match(error.neutronMessage, /Unable to allocate subnet with prefix length 72, maximum allowed prefix is 64/);

            const lab = shippedStacks().find((s) => s.stack === "lab-ipv6");
            assert.ok(lab);
            const network = { ...(lab.config["dualstack:network"] as Json), ipv6PrefixLength: 72, ipv6AddressMode: "dhcpv6-stateful" };
            const run = await runAgainstNeutron(neutron, "lab-ipv6-prefix-72", { ...lab.config, "dualstack:network": network }, "stacks/Pulumi.lab-ipv6.yaml with ipv6PrefixLength 72");
            assert.deepStrictEqual(run.cloud.refusals, [], "the subnet reached Neutron");
            const ours = run.result.errors.map((e) => e.message).find((m) => m.includes("prefixLength is"));
            assert.ok(ours, `the program raised no prefix-length error: ${run.result.errors.map((e) => e.message).join("\n")}`);
            for (const text of ["prefixLength is 72", `"${EXTERNAL.subnetPool}"`, `/${EXTERNAL.subnetPoolMinPrefixlen} to /${EXTERNAL.subnetPoolMaxPrefixlen}`]) {
                assert.ok(ours.includes(text), `the program's message does not name ${text}: ${ours}`);
            }
        });

        it("a /40 from public-ipv6: Neutron refuses (below the pool's minimum); dualstack check refuses any pool prefix shorter than /48", async () => {
            const pool = suiteNeutron().seeded.subnetPoolId;
            const error = await refusal(createSubnet(neutron, { ip_version: 6, subnetpool_id: pool, prefixlen: 40 }));
            assert.strictEqual(error.status, 400);
            assert.match(error.neutronMessage, /Unable to allocate subnet with prefix length 40, minimum allowed prefix is 48/);
            const lab = shippedStacks().find((s) => s.stack === "lab-ipv6");
            assert.ok(lab);
            const network = { ...(lab.config["dualstack:network"] as Json), ipv6PrefixLength: 40 };
            const finding = evaluate({ ...lab.config, "dualstack:network": network }).all.find((f) => f.path === "dualstack:network.ipv6PrefixLength");
            assert.ok(finding && finding.severity === "error", "dualstack check accepts a /40 pool prefix");
            for (const text of ["40", "48"]) assert.ok(finding.message.includes(text), `the message does not name ${text}: ${finding.message}`);
        });
    });

    describe("DNS servers", () => {
        it("Neutron refuses a DNS server of the other family; the network hands each server to its own family's subnet", async () => {
            const error = await refusal(createSubnet(neutron, { ip_version: 4, cidr: "10.40.0.0/24", dns_nameservers: ["2620:fe::fe"] }));
            assert.match(error.neutronMessage, /dns_nameserver '2620:fe::fe' does not match the ip_version '4'/);
            // The stack runs read every subnet's DNS servers back; dev lists one server per family.
            const dev = shippedStacks().find((s) => s.stack === "dev");
            assert.deepStrictEqual((dev?.config["dualstack:network"] as Json).dnsNameservers, ["9.9.9.9", "2620:fe::fe"]);
        });
    });

    describe("node subnet capacity (node-subnet-too-small)", () => {
        // This Neutron runs no DHCP agent; a cloud's agent takes one port of each subnet, which we count.
        const cases = [
            { family: "IPv4", cidr: "10.50.0.0/29", beyondOurs: 1, why: "the DHCP port" },
            // Neutron 2023.1 makes the subnet-router anycast address (::) the gateway of an IPv6
            // subnet given by CIDR and hands out ::1; we keep both (docs/rules.md).
            { family: "IPv6", cidr: "fd00:50::/125", beyondOurs: 2, why: "the DHCP port and ::1" },
        ] as const;
        for (const c of cases) {
            it(`${c.family} ${c.cidr}: Neutron hands out our usable ports plus ${c.why}, then refuses`, async () => {
                const subnet = await createSubnet(neutron, {
                    ip_version: c.family === "IPv4" ? 4 : 6,
                    cidr: c.cidr,
                    ...(c.family === "IPv6" ? { ipv6_address_mode: "dhcpv6-stateful" } : {}),
                });
                const ours = Number(usableNodeAddresses(c.family, Number(c.cidr.split("/")[1])));
                let allocated = 0;
                let error: NeutronError | undefined;
                while (error === undefined && allocated < ours + 5) {
                    try {
                        await neutron.create("ports", { network_id: subnet.network_id, fixed_ips: [{ subnet_id: subnet.id }] }, PROJECT);
                        allocated++;
                    } catch (e) {
                        if (!(e instanceof NeutronError)) throw e;
                        error = e;
                    }
                }
                assert.ok(error, `Neutron kept allocating in ${c.cidr}`);
                assert.strictEqual(error.status, 409, error.message);
                assert.match(error.neutronMessage, /No more IP addresses available/);
                assert.strictEqual(allocated, ours + c.beyondOurs, `Neutron allocated ${allocated} ports in ${c.cidr}; we count ${ours} usable`);
            });
        }
    });

    describe("security-group rules", () => {
        let group: string;
        before(async () => {
            group = (await neutron.create("security-groups", { name: "agreement" }, PROJECT)).id as string;
            // Neutron's default egress rules would duplicate ours.
            for (const existing of await neutron.list("security-group-rules", { security_group_id: group })) {
                await neutron.remove("security-group-rules", existing.id as string);
            }
        });
        const createRule = (fields: Json) =>
            neutron.create("security-group-rules", defined({ security_group_id: group, direction: "ingress", ...fields }), PROJECT);
        /** The rule as our rules (and the policy pack) read an openstack SecGroupRule. */
        const ourRuleFindings = (fields: { ethertype: string; protocol?: string; remote_ip_prefix?: string }) =>
            checkSecurityRuleFamily(
                { direction: "ingress", ethertype: fields.ethertype, protocol: fields.protocol, remoteIpPrefix: fields.remote_ip_prefix },
                RULE_PATHS,
            );

        const refused: ReadonlyArray<{ title: string; fields: { ethertype: string; protocol?: string; remote_ip_prefix?: string }; neutron: RegExp; rule: string; mentions: string[] }> = [
            ...(
                [
                    ["IPv6", "0.0.0.0/0"],
                    ["IPv4", "::/0"],
                    ["IPv6", "10.200.0.0/16"],
                    ["IPv4", "2001:db8:100::/48"],
                ] as const
            ).map(([ethertype, prefix]) => ({
                title: `ethertype ${ethertype} with remote ${prefix}`,
                fields: { ethertype, remote_ip_prefix: prefix },
                neutron: new RegExp(`Conflicting value ethertype ${ethertype} for CIDR ${prefix.replace(/\./g, "\\.")}`),
                rule: "secgroup-ethertype-mismatch",
                mentions: [ethertype, prefix, `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`],
            })),
            // Every protocol Neutron takes with ethertype IPv6 only (securitygroups_db _validate_ethertype_and_protocol).
            ...["ipv6-icmp", "icmpv6", "58", "ipv6-encap", "41", "ipv6-frag", "44", "ipv6-nonxt", "59", "ipv6-opts", "60", "ipv6-route", "43"].map((protocol) => ({
                title: `ethertype IPv4 with protocol ${protocol}`,
                fields: { ethertype: "IPv4", protocol },
                neutron: new RegExp(`Invalid ethertype IPv4 for protocol ${protocol}\\.`),
                rule: "secgroup-protocol-family-mismatch",
                mentions: [`protocol is ${protocol}`, "IPv4", "icmp"],
            })),
            {
                title: "ethertype IPv5",
                fields: { ethertype: "IPv5" },
                neutron: /Security group rule for ethertype 'IPv5' not supported\. Allowed values are \['IPv4', 'IPv6'\]/,
                rule: "secgroup-ethertype-invalid",
                mentions: ['"IPv5"', "IPv4 or IPv6"],
            },
        ];
        for (const c of refused) {
            it(`${c.title}: Neutron says HTTP 400, we report ${c.rule}`, async () => {
                const error = await refusal(createRule(c.fields));
                assert.strictEqual(error.status, 400, error.message);
                assert.match(error.neutronMessage, c.neutron);
                expectOurs(ourRuleFindings(c.fields), c.rule, c.mentions);
            });
        }

        const accepted: ReadonlyArray<{ title: string; fields: { ethertype: string; protocol?: string; remote_ip_prefix?: string }; stored: Json }> = [
            { title: "ethertype in lower case with protocol icmp (Neutron stores IPv6 and ipv6-icmp)", fields: { ethertype: "ipv6", protocol: "icmp" }, stored: { ethertype: "IPv6", protocol: "ipv6-icmp" } },
            { title: "a bare address as the remote (Neutron stores it as a /128)", fields: { ethertype: "IPv6", remote_ip_prefix: "fd00::1" }, stored: { remote_ip_prefix: "fd00::1/128" } },
            { title: "host bits in the remote prefix (Neutron keeps them as written)", fields: { ethertype: "IPv4", protocol: "tcp", remote_ip_prefix: "10.0.0.5/24" }, stored: { remote_ip_prefix: "10.0.0.5/24" } },
        ];
        for (const c of accepted) {
            it(`${c.title}: accepted by Neutron and by us`, async () => {
                assert.deepStrictEqual(ourRuleFindings(c.fields), []);
                const created = await createRule(c.fields);
                for (const [field, value] of Object.entries(c.stored)) assert.strictEqual(created[field], value, field);
            });
        }

        // Protocol spellings as Neutron reads them (convert_protocol lower-cases names; storage takes
        // names and plain numbers 0-255): what it stores, and what secgroup-world-open takes the rule to carry.
        const spellings: ReadonlyArray<{ protocol: string; stored: string; ours: number | "any" }> = [
            { protocol: "TCP", stored: "tcp", ours: 6 },
            { protocol: "Udp", stored: "udp", ours: 17 },
            { protocol: "6", stored: "6", ours: 6 },
            { protocol: "0", stored: "0", ours: "any" },
            { protocol: "IPIP", stored: "ipip", ours: 4 },
        ];
        spellings.forEach((c, index) => {
            it(`protocol "${c.protocol}": Neutron stores "${c.stored}"; secgroup-world-open reads ${c.ours}`, async () => {
                assert.deepStrictEqual(ourRuleFindings({ ethertype: "IPv4", protocol: c.protocol }), []);
                assert.strictEqual(neutronProtocol(c.protocol, "IPv4"), c.ours);
                const created = await createRule({ ethertype: "IPv4", protocol: c.protocol, remote_ip_prefix: `10.99.${index}.0/24` });
                assert.strictEqual(created.protocol, c.stored);
            });
        });
        for (const [first, same] of [
            ["0", "IP"],
            ["6", "TCP"],
        ] as const) {
            it(`protocol "${same}" is the same rule as "${first}" to Neutron (it refuses the second as a duplicate), and to us`, async () => {
                await createRule({ ethertype: "IPv4", protocol: first, remote_ip_prefix: "10.98.0.0/24" });
                const error = await refusal(createRule({ ethertype: "IPv4", protocol: same, remote_ip_prefix: "10.98.0.0/24" }));
                assert.strictEqual(error.status, 409, error.message);
                assert.match(error.neutronMessage, /Security group rule already exists/);
                assert.strictEqual(neutronProtocol(same, "IPv4"), neutronProtocol(first, "IPv4"));
            });
        }
        for (const protocol of ["tcp6", "256", "any"]) {
            it(`protocol "${protocol}": Neutron says HTTP 400, we report secgroup-protocol-invalid`, async () => {
                const error = await refusal(createRule({ ethertype: "IPv4", protocol }));
                assert.strictEqual(error.status, 400, error.message);
                assert.match(error.neutronMessage, new RegExp(`protocol ${protocol} (is )?not supported`, "i"));
                expectOurs(ourRuleFindings({ ethertype: "IPv4", protocol }), "secgroup-protocol-invalid", [`"${protocol}"`]);
            });
        }
        for (const protocol of ["06", "+6"]) {
            it(`protocol "${protocol}": Neutron fails to store it (HTTP 500), we report secgroup-protocol-invalid`, async () => {
                const error = await refusal(createRule({ ethertype: "IPv4", protocol, remote_ip_prefix: "10.97.0.0/24" }));
                assert.strictEqual(error.status, 500, error.message);
                expectOurs(ourRuleFindings({ ethertype: "IPv4", protocol }), "secgroup-protocol-invalid", [`"${protocol}"`]);
            });
        }
        it('protocol "IPV6-ICMP" with ethertype IPv4: Neutron lower-cases it and refuses; so do we', async () => {
            const error = await refusal(createRule({ ethertype: "IPv4", protocol: "IPV6-ICMP" }));
            assert.match(error.neutronMessage, /Invalid ethertype IPv4 for protocol ipv6-icmp\./);
            expectOurs(ourRuleFindings({ ethertype: "IPv4", protocol: "IPV6-ICMP" }), "secgroup-protocol-family-mismatch", ["IPV6-ICMP"]);
        });

        it("every rule of our rule set, both families, all encapsulations: our rules find nothing, and Neutron takes each one", async () => {
            const specs = securityGroupRules({
                nodeFamilies: ["IPv4", "IPv6"],
                pods: [
                    { family: "IPv4", encapsulation: "IPIP" },
                    { family: "IPv6", encapsulation: "None" },
                ],
                bgp: true,
                apiAllowedCidrs: ["10.200.0.0/16", "2001:db8:100::/48"],
                sshAllowedCidrs: ["10.200.0.0/16", "2001:db8:100::/48"],
            });
            const example: Record<string, Record<IpFamily, string>> = {
                podRange: { IPv4: "10.244.0.0/16", IPv6: "fd00:244::/56" },
                nodeSubnet: { IPv4: "10.0.0.0/22", IPv6: "fd00:1::/64" },
            };
            for (const spec of specs) {
                const remote = spec.remote;
                const prefix = remote.kind === "cidr" ? remote.cidr : remote.kind in example ? example[remote.kind][spec.ethertype] : undefined;
                assert.deepStrictEqual(
                    checkSecurityRuleFamily({ direction: spec.direction, ethertype: spec.ethertype, protocol: spec.protocol, remoteIpPrefix: prefix }, RULE_PATHS),
                    [],
                    spec.key,
                );
                await createRule({
                    direction: spec.direction,
                    ethertype: spec.ethertype,
                    protocol: spec.protocol,
                    port_range_min: spec.portRangeMin,
                    port_range_max: spec.portRangeMax,
                    remote_ip_prefix: prefix,
                    remote_group_id: remote.kind === "members" ? group : undefined,
                });
            }
        });
    });

    describe("the family modes the stack runs use", () => {
        it("derive valid configurations from every shipped stack", () => {
            for (const stack of shippedStacks()) {
                for (const mode of FAMILY_MODES) {
                    const errors = evaluate(deriveMode(stack.config, mode)).all.filter((f) => f.severity === "error");
                    assert.deepStrictEqual(errors, [], `${stack.file} made ${mode.title}`);
                }
            }
        });
    });
});
