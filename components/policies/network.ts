/**
 * Policies on OpenStack subnets: what Neutron refuses (IPv6 modes, SLAAC on anything but a
 * /64, DHCP on a tiny or special range), and node subnets larger than the operator allows.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { familyFacts, IpFamily } from "../addressing/family";
import { Cidr } from "../addressing/cidr";
import { Finding } from "../addressing/findings";
import { checkCidr } from "../addressing/rules/cidr";
import { checkNodeSubnetMaxSize, NODE_SUBNET_LARGEST } from "../addressing/rules/bounds";
import { checkNeutronSubnet } from "../addressing/rules/neutron";
import { configWithDefaults, types, validateResourceType } from "./resources";
import { bool, isUnknown, num, record, reportFindings, str } from "./values";

/** What the subnet policies know of one subnet. */
interface SubnetFacts {
    readonly family: IpFamily;
    /** Parsed CIDR, when written. */
    readonly cidr?: Cidr;
    /** Prefix length, from the CIDR or (subnet pools) `prefixLength`. */
    readonly prefixLength?: number;
    /** Findings about the CIDR text itself. */
    readonly cidrFindings: Finding[];
}

/** The family and range of a subnet; undefined when neither is known. */
function subnetFacts(props: Record<string, unknown>, name: string): SubnetFacts | undefined {
    const ipVersion = num(props.ipVersion);
    const byVersion: IpFamily | undefined = ipVersion === 4 ? "IPv4" : ipVersion === 6 ? "IPv6" : undefined;
    const text = str(props.cidr);
    if (text !== undefined && text !== "") {
        const checked = checkCidr(text, byVersion, `${name}.cidr`);
        const family = byVersion ?? checked.cidr?.family;
        if (family === undefined) return undefined;
        return { family, cidr: checked.cidr, prefixLength: checked.cidr?.prefixLength, cidrFindings: checked.findings };
    }
    if (byVersion === undefined) return undefined;
    return { family: byVersion, prefixLength: num(props.prefixLength), cidrFindings: [] };
}

/** `neutron-subnet-accepted`: every subnet is one Neutron accepts. */
export const neutronSubnetAccepted: ResourceValidationPolicy = {
    name: "neutron-subnet-accepted",
    description:
        "OpenStack subnets are ones Neutron accepts: a valid CIDR of the subnet's ip_version, IPv6 modes that agree " +
        "with each other and with DHCP, exactly a /64 for SLAAC and DHCPv6-stateless, room for DHCP.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceType(types.subnet, (resolved, args, reportViolation) => {
        const props = record(resolved) ?? {};
        const { cidr, ipv6AddressMode, ipv6RaMode, enableDhcp } = props;
        if ([props.ipVersion, cidr, props.prefixLength, ipv6AddressMode, ipv6RaMode, enableDhcp].some(isUnknown)) return;
        const subnet = subnetFacts(props, args.name);
        if (subnet === undefined) return;
        if (subnet.cidrFindings.length > 0) {
            reportFindings(subnet.cidrFindings, reportViolation);
            return;
        }
        if (subnet.prefixLength === undefined) return;
        const findings = checkNeutronSubnet(
            {
                family: subnet.family,
                cidr: subnet.cidr,
                prefixLength: subnet.prefixLength,
                ipv6AddressMode: str(ipv6AddressMode),
                ipv6RaMode: str(ipv6RaMode),
                enableDhcp: bool(enableDhcp) ?? true,
            },
            {
                cidr: `${args.name}.${subnet.cidr ? "cidr" : "prefixLength"}`,
                addressMode: `${args.name}.ipv6AddressMode`,
                raMode: `${args.name}.ipv6RaMode`,
            },
        );
        reportFindings(findings, reportViolation);
    }),
};

/** Configuration of `neutron-subnet-size`. */
export interface SubnetSizeConfig {
    /** The largest IPv4 subnet allowed, as a prefix length. */
    readonly largestIPv4: number;
    /** The largest IPv6 subnet allowed, as a prefix length. */
    readonly largestIPv6: number;
}

export const SUBNET_SIZE_DEFAULTS: SubnetSizeConfig = { largestIPv4: NODE_SUBNET_LARGEST.IPv4, largestIPv6: NODE_SUBNET_LARGEST.IPv6 };

/** `neutron-subnet-size`: no subnet larger than the configured maximum per family. */
export const neutronSubnetSize: ResourceValidationPolicy = {
    name: "neutron-subnet-size",
    description:
        "OpenStack subnets are no larger than the configured maximum per family (default IPv4 /20, IPv6 /64): a " +
        "subnet is one broadcast domain, and address space it does not use is lost to other networks.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            largestIPv4: {
                type: "integer",
                minimum: 8,
                maximum: familyFacts("IPv4").dhcpMaxPrefix,
                default: SUBNET_SIZE_DEFAULTS.largestIPv4,
                description: "The largest IPv4 subnet allowed, as a prefix length: 20 allows /20 and longer.",
            },
            largestIPv6: {
                type: "integer",
                minimum: 48,
                maximum: familyFacts("IPv6").dhcpMaxPrefix,
                default: SUBNET_SIZE_DEFAULTS.largestIPv6,
                description: "The largest IPv6 subnet allowed, as a prefix length: 64 allows /64 and longer.",
            },
        },
    },
    validateResource: validateResourceType(types.subnet, (resolved, args, reportViolation) => {
        const props = record(resolved) ?? {};
        if ([props.ipVersion, props.cidr, props.prefixLength].some(isUnknown)) return;
        const subnet = subnetFacts(props, args.name);
        if (subnet === undefined || subnet.prefixLength === undefined) return;
        const config = configWithDefaults(args.getConfig<Partial<SubnetSizeConfig>>(), SUBNET_SIZE_DEFAULTS);
        const key = `largest${familyFacts(subnet.family).keySuffix}` as keyof SubnetSizeConfig;
        reportFindings(
            checkNodeSubnetMaxSize(
                subnet.family,
                subnet.prefixLength,
                subnet.cidr?.text ?? String(subnet.prefixLength),
                { value: config[key], source: `the policy pack (neutron-subnet-size.${key})` },
                `${args.name}.${subnet.cidr ? "cidr" : "prefixLength"}`,
            ),
            reportViolation,
        );
    }),
};
