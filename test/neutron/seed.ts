/**
 * What the cloud's operator provides before any stack runs, created once per server: the
 * external network `public` (flat, shared, `router:external`) with an IPv4 subnet for router
 * gateways and floating IPs and an IPv6 subnet, and the shared IPv6 subnet pool
 * `public-ipv6` that `stacks/Pulumi.lab-ipv6.yaml` takes its node subnet from.
 */
import { NeutronClient } from "./client";

/** The operator's project. */
export const OPERATOR_PROJECT = "dualstack-operator";

/** Names and ranges of the operator's resources (the shipped stacks name `public` and `public-ipv6`). */
export const EXTERNAL = {
    network: "public",
    physicalNetwork: "public",
    ipv4Cidr: "203.0.113.0/24",
    ipv6Cidr: "2001:db8:ffff::/64",
    subnetPool: "public-ipv6",
    subnetPoolPrefix: "2001:db8:1000::/36",
    subnetPoolMinPrefixlen: 48,
    subnetPoolDefaultPrefixlen: 64,
    subnetPoolMaxPrefixlen: 64,
} as const;

export interface Seeded {
    readonly externalNetworkId: string;
    readonly externalSubnetIds: { readonly ipv4: string; readonly ipv6: string };
    readonly subnetPoolId: string;
}

/** Create the operator's resources. */
export async function seedOperatorResources(neutron: NeutronClient): Promise<Seeded> {
    const network = await neutron.create(
        "networks",
        {
            name: EXTERNAL.network,
            shared: true,
            "router:external": true,
            "provider:network_type": "flat",
            "provider:physical_network": EXTERNAL.physicalNetwork,
        },
        OPERATOR_PROJECT,
    );
    const subnet = (name: string, ipVersion: number, cidr: string) =>
        neutron.create("subnets", { name, network_id: network.id, ip_version: ipVersion, cidr, enable_dhcp: false }, OPERATOR_PROJECT);
    const ipv4 = await subnet(`${EXTERNAL.network}-ipv4`, 4, EXTERNAL.ipv4Cidr);
    const ipv6 = await subnet(`${EXTERNAL.network}-ipv6`, 6, EXTERNAL.ipv6Cidr);
    const pool = await neutron.create(
        "subnetpools",
        {
            name: EXTERNAL.subnetPool,
            shared: true,
            prefixes: [EXTERNAL.subnetPoolPrefix],
            min_prefixlen: EXTERNAL.subnetPoolMinPrefixlen,
            default_prefixlen: EXTERNAL.subnetPoolDefaultPrefixlen,
            max_prefixlen: EXTERNAL.subnetPoolMaxPrefixlen,
        },
        OPERATOR_PROJECT,
    );
    return {
        externalNetworkId: network.id as string,
        externalSubnetIds: { ipv4: ipv4.id as string, ipv6: ipv6.id as string },
        subnetPoolId: pool.id as string,
    };
}
