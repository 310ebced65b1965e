/**
 * From Network args to what the component creates: checked, defaulted, per family, with the
 * security-group rule set. Every problem found here is thrown at once, before anything is
 * registered; ranges that are Outputs are checked when they resolve.
 */
import * as pulumi from "@pulumi/pulumi";
import { cidr as parseStrictCidr, parseAddress, parseCidr } from "../addressing/cidr";
import { familyFacts, IpFamily } from "../addressing/family";
import { Finding } from "../addressing/findings";
import { Labeled } from "../addressing/overlap";
import { checkCalicoBgp } from "../addressing/rules/calico";
import { checkCidr } from "../addressing/rules/cidr";
import { checkNeutronSubnet, NeutronSubnetPaths } from "../addressing/rules/neutron";
import {
    checkAllowedRangeFamily,
    checkDisjoint,
    checkDnsNameservers,
    checkWorldOpen,
    RangeLabel,
} from "../addressing/rules/ranges";
import { argConflict, argMissing, checkCidrInput, checkInteger, checkName, checkPodRanges, PodRangeLayout, presentFamilies, throwOnArgErrors } from "./args";
import { PodRule, RuleSpec, securityGroupRules } from "./rules";
import { NetworkArgs, NetworkSubnetArgs } from "./types";

/** Neutron's default IPv6 address mode here: any prefix length, addresses Neutron knows. */
export const DEFAULT_IPV6_ADDRESS_MODE = "dhcpv6-stateful";

/** One node subnet, checked. */
export interface SubnetLayout {
    readonly family: IpFamily;
    /** The CIDR (checked), or undefined when a subnet pool allocates it. */
    readonly cidr?: pulumi.Input<string>;
    readonly subnetPool?: { readonly name: string; readonly prefixLength: number };
    readonly ipv6AddressMode?: string;
    readonly ipv6RaMode?: string;
    /** DNS servers of this subnet's family. */
    readonly dnsNameservers: string[];
}

/** Everything the Network component creates, decided. */
export interface NetworkLayout {
    /** Node families, IPv4 first. */
    readonly nodeFamilies: IpFamily[];
    readonly subnets: SubnetLayout[];
    readonly podRanges: PodRangeLayout[];
    readonly rules: RuleSpec[];
    /** Warnings to log (errors were thrown). */
    readonly warnings: Finding[];
}

/** The component's display name in messages. */
const COMPONENT = "Network";

function subnetPath(family: IpFamily, field: string): string {
    return `subnets.${familyFacts(family).lowerSuffix}.${field}`;
}

function podPath(family: IpFamily, field: string): string {
    return `podRanges.${familyFacts(family).lowerSuffix}.${field}`;
}

function checkSubnet(
    name: string,
    family: IpFamily,
    args: NetworkSubnetArgs,
    dnsNameservers: string[],
    findings: Finding[],
): SubnetLayout {
    const ipv6 = family === "IPv6";
    const addressMode = args.ipv6AddressMode ?? (ipv6 ? DEFAULT_IPV6_ADDRESS_MODE : undefined);
    const raMode = args.ipv6RaMode ?? addressMode;
    const paths: NeutronSubnetPaths = {
        cidr: subnetPath(family, args.subnetPoolName !== undefined ? "prefixLength" : "cidr"),
        addressMode: subnetPath(family, "ipv6AddressMode"),
        raMode: subnetPath(family, "ipv6RaMode"),
    };
    const neutron = (text: string | undefined, prefixLength: number): Finding[] =>
        checkNeutronSubnet(
            {
                family,
                cidr: text === undefined ? undefined : parseStrictCidr(text),
                prefixLength,
                ipv6AddressMode: addressMode,
                ipv6RaMode: raMode,
                enableDhcp: true,
            },
            paths,
        );
    const layout = { family, ipv6AddressMode: addressMode, ipv6RaMode: raMode, dnsNameservers };

    if (args.cidr !== undefined && args.subnetPoolName !== undefined) {
        findings.push(
            argConflict(
                subnetPath(family, "cidr"),
                subnetPath(family, "subnetPoolName"),
                "the subnet comes either from a CIDR or from the pool. Remove one.",
            ),
        );
        return layout;
    }
    if (args.subnetPoolName !== undefined) {
        if (args.prefixLength === undefined) {
            const why = `a subnet from ${subnetPath(family, "subnetPoolName")} needs the prefix length to ask for, e.g. 64.`;
            findings.push(argMissing(subnetPath(family, "prefixLength"), why));
            return layout;
        }
        const bad = checkInteger(args.prefixLength, 1, subnetPath(family, "prefixLength"), "a prefix length");
        findings.push(...bad);
        if (bad.length === 0) findings.push(...neutron(undefined, args.prefixLength));
        return { ...layout, subnetPool: { name: args.subnetPoolName, prefixLength: args.prefixLength } };
    }
    if (args.cidr === undefined) {
        findings.push(argMissing(subnetPath(family, "cidr"), `give the ${family} node subnet's CIDR, or subnetPoolName and prefixLength.`));
        return layout;
    }
    if (args.prefixLength !== undefined) {
        findings.push(
            argConflict(
                subnetPath(family, "prefixLength"),
                subnetPath(family, "cidr"),
                "prefixLength is what to ask a subnet pool for; the CIDR has its own. Remove prefixLength.",
            ),
        );
    }
    const checked = checkCidrInput(args.cidr, family, subnetPath(family, "cidr"), `${COMPONENT} "${name}"`, (text) =>
        neutron(text, parseStrictCidr(text).prefixLength),
    );
    findings.push(...checked.findings);
    return { ...layout, cidr: checked.value };
}

/**
 * Check Network args and decide what to create. Throws InvalidPlanError naming the
 * component with every error; returns the warnings for the component to log.
 */
export function planNetwork(name: string, args: NetworkArgs): NetworkLayout {
    const findings: Finding[] = [...checkName(args.clusterName, "clusterName")];
    const subnetArgs = presentFamilies(args.subnets);
    const nodeFamilies = subnetArgs.map(([family]) => family);
    if (nodeFamilies.length === 0) findings.push(argMissing("subnets", "give subnets.ipv4, subnets.ipv6 or both."));

    // DNS servers: each goes to the subnet of its own family (Neutron refuses the others).
    const dns = args.dnsNameservers ?? [];
    findings.push(...checkDnsNameservers(dns, nodeFamilies, (index) => `dnsNameservers[${index}]`, "dnsNameservers"));
    const dnsOf = (family: IpFamily) => dns.filter((text) => parseAddress(text)?.family === family);

    const subnets = subnetArgs.map(([family, subnet]) => checkSubnet(name, family, subnet, dnsOf(family), findings));

    const checkedPods = checkPodRanges(args.podRanges, nodeFamilies, (f) => `subnets.${familyFacts(f).lowerSuffix}`, `${COMPONENT} "${name}"`);
    const podRanges = checkedPods.pods;
    findings.push(...checkedPods.findings);
    if (podRanges.length === 0) {
        findings.push(argMissing("podRanges", "give the pod range of each cluster family (podRanges.ipv4, podRanges.ipv6)."));
    }
    const bgp = args.calicoBgp ?? true;
    for (const pod of podRanges) findings.push(...checkCalicoBgp(pod.family, pod.encapsulation, bgp, podPath(pod.family, "encapsulation"), "calicoBgp"));

    // Node subnets and pod ranges written as text must not overlap (Outputs come from a plan, checked there).
    const labeled: Labeled<RangeLabel>[] = [];
    const label = (text: pulumi.Input<string> | undefined, key: string, role: RangeLabel["role"]) => {
        const parsed = typeof text === "string" ? parseCidr(text) : undefined;
        if (parsed?.ok) labeled.push({ cidr: parsed.cidr, label: { key, role } });
    };
    for (const s of subnets) label(s.cidr, subnetPath(s.family, "cidr"), "nodes");
    for (const p of podRanges) label(p.cidr, podPath(p.family, "cidr"), "pods");
    if (!findings.some((f) => f.severity === "error")) findings.push(...checkDisjoint(labeled));

    const access = args.access ?? {};
    const accessLists: Array<[string, string[], string]> = [
        ["access.apiAllowedCidrs", access.apiAllowedCidrs ?? [], "the Kubernetes API (6443)"],
        ["access.sshAllowedCidrs", access.sshAllowedCidrs ?? [], "SSH (22)"],
    ];
    for (const [path, list, what] of accessLists) {
        list.forEach((text, index) => {
            const checked = checkCidr(text, undefined, `${path}[${index}]`);
            findings.push(...checked.findings);
            if (checked.cidr && checked.findings.length === 0) {
                findings.push(
                    ...checkWorldOpen(checked.cidr, `${path}[${index}]`, what),
                    ...checkAllowedRangeFamily(checked.cidr, nodeFamilies, `${path}[${index}]`, what),
                );
            }
        });
    }

    if (args.existingRouterName === undefined && args.externalNetworkName === undefined) {
        findings.push(
            argMissing(
                "externalNetworkName",
                "the router this component creates needs the external network as its gateway. Name it, or give existingRouterName.",
            ),
        );
    }

    throwOnArgErrors(findings, COMPONENT, name);

    const pods: PodRule[] = podRanges.map((p) => ({ family: p.family, encapsulation: p.encapsulation }));
    const rules = securityGroupRules({
        nodeFamilies,
        pods,
        bgp,
        apiAllowedCidrs: access.apiAllowedCidrs ?? [],
        sshAllowedCidrs: access.sshAllowedCidrs ?? [],
    });
    return { nodeFamilies, subnets, podRanges, rules, warnings: findings };
}
