/**
 * The Network component: the Neutron network of a cluster, its node subnets (one per node
 * family), the router to the external network, and the security groups of the nodes.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { familyFacts, IpFamily } from "../addressing/family";
import { formatFinding } from "../addressing/findings";
import { perFamily, PerFamily } from "./args";
import { NetworkLayout, planNetwork, SubnetLayout } from "./layout";
import { RuleSpec, SecurityGroupRole } from "./rules";
import { NetworkArgs } from "./types";

/** Tag every dualstack OpenStack resource carries, so the policy pack and operators can find a cluster's resources. */
export function clusterTag(clusterName: string): string {
    return `dualstack-cluster=${clusterName}`;
}

/** What createNetwork returns: the component's outputs. */
export interface NetworkOutputs {
    readonly networkId: pulumi.Output<string>;
    readonly routerId: pulumi.Output<string>;
    readonly subnetIds: PerFamily<pulumi.Output<string>>;
    readonly subnetCidrs: PerFamily<pulumi.Output<string>>;
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    readonly controlPlaneSecurityGroupId: pulumi.Output<string>;
}

const GROUP_NAMES: Record<SecurityGroupRole, string> = { nodes: "nodes", controlPlane: "control-plane" };

const GROUP_DESCRIPTIONS: Record<SecurityGroupRole, string> = {
    nodes: "dualstack: every node of the cluster (member traffic, ICMP, Calico, SSH, egress)",
    controlPlane: "dualstack: control-plane nodes (Kubernetes API)",
};

function createSubnet(
    name: string,
    args: NetworkArgs,
    subnet: SubnetLayout,
    networkId: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): openstack.networking.Subnet {
    const facts = familyFacts(subnet.family);
    let subnetpoolId: pulumi.Output<string> | undefined;
    if (subnet.subnetPool !== undefined) {
        const pool = subnet.subnetPool;
        subnetpoolId = openstack.networking.getSubnetPoolOutput({ name: pool.name }, { parent: opts.parent }).apply((found) => {
            // A pool of the wrong family or size would fail in Neutron with a message that names neither the arg nor the fix.
            const path = `subnets.${facts.lowerSuffix}.subnetPoolName`;
            if (found.ipVersion !== facts.ipVersion) {
                throw new Error(
                    `Network "${name}": ${path} is "${pool.name}", an IPv${found.ipVersion} subnet pool; ` +
                        `the ${subnet.family} node subnet needs an ${subnet.family} pool.`,
                );
            }
            if (pool.prefixLength < found.minPrefixlen || pool.prefixLength > found.maxPrefixlen) {
                throw new Error(
                    `Network "${name}": subnets.${facts.lowerSuffix}.prefixLength is ${pool.prefixLength}, ` +
                        `but subnet pool "${pool.name}" hands out ` +
                        `/${found.minPrefixlen} to /${found.maxPrefixlen}. Ask for a prefix length in that range.`,
                );
            }
            return found.id;
        });
    }
    return new openstack.networking.Subnet(
        `${name}-subnet-${facts.lowerSuffix}`,
        {
            name: `${args.clusterName}-nodes-${facts.lowerSuffix}`,
            networkId,
            ipVersion: facts.ipVersion,
            cidr: subnet.cidr,
            subnetpoolId,
            prefixLength: subnet.subnetPool?.prefixLength,
            enableDhcp: true,
            ipv6AddressMode: subnet.ipv6AddressMode,
            ipv6RaMode: subnet.ipv6RaMode,
            dnsNameservers: subnet.dnsNameservers.length > 0 ? subnet.dnsNameservers : undefined,
            tags: [clusterTag(args.clusterName)],
        },
        opts,
    );
}

/** Where the ranges a rule's remote names come from. */
export interface RuleRemotes {
    /** The group `members` means. */
    readonly membersGroupId: pulumi.Input<string>;
    readonly nodeSubnets: PerFamily<pulumi.Input<string>>;
    readonly podRanges?: PerFamily<pulumi.Input<string>>;
    readonly clientRanges?: PerFamily<pulumi.Input<string>>;
}

/** A rule's remote as the provider's inputs. */
export function remoteOf(
    rule: Pick<RuleSpec, "ethertype" | "remote">,
    remotes: RuleRemotes,
): { remoteGroupId?: pulumi.Input<string>; remoteIpPrefix?: pulumi.Input<string> } {
    const lower = familyFacts(rule.ethertype).lowerSuffix;
    switch (rule.remote.kind) {
        case "members":
            return { remoteGroupId: remotes.membersGroupId };
        case "nodeSubnet":
            return { remoteIpPrefix: remotes.nodeSubnets[lower] };
        case "podRange":
            return { remoteIpPrefix: remotes.podRanges?.[lower] };
        case "clientRange":
            return { remoteIpPrefix: remotes.clientRanges?.[lower] };
        case "cidr":
            return { remoteIpPrefix: rule.remote.cidr };
        case "any":
            return {};
    }
}

/** The provider's arguments of one rule in a group. */
export function secGroupRuleArgs(
    rule: Omit<RuleSpec, "group" | "key">,
    securityGroupId: pulumi.Input<string>,
    remotes: RuleRemotes,
): openstack.networking.SecGroupRuleArgs {
    return {
        securityGroupId,
        direction: rule.direction,
        ethertype: familyFacts(rule.ethertype).ethertype,
        protocol: rule.protocol,
        portRangeMin: rule.portRangeMin,
        portRangeMax: rule.portRangeMax,
        description: rule.description,
        ...remoteOf(rule, remotes),
    };
}

/**
 * Create the network's resources under `parent`. `args` must have been checked by
 * planNetwork, which produced `layout`.
 */
export function createNetwork(name: string, args: NetworkArgs, layout: NetworkLayout, parent: pulumi.Resource): NetworkOutputs {
    const opts: pulumi.CustomResourceOptions = { parent };
    const tags = [clusterTag(args.clusterName)];

    const networkId: pulumi.Output<string> =
        args.existingNetworkName !== undefined
            ? openstack.networking.getNetworkOutput({ name: args.existingNetworkName }, { parent }).id
            : new openstack.networking.Network(`${name}-network`, { name: args.clusterName, adminStateUp: true, tags }, opts).id;

    const subnets = new Map<IpFamily, openstack.networking.Subnet>();
    for (const subnet of layout.subnets) subnets.set(subnet.family, createSubnet(name, args, subnet, networkId, opts));

    let routerId: pulumi.Output<string>;
    if (args.existingRouterName !== undefined) {
        routerId = openstack.networking.getRouterOutput({ name: args.existingRouterName }, { parent }).id;
    } else {
        const external = openstack.networking.getNetworkOutput({ name: args.externalNetworkName as pulumi.Input<string>, external: true }, { parent });
        routerId = new openstack.networking.Router(
            `${name}-router`,
            { name: args.clusterName, adminStateUp: true, externalNetworkId: external.id, tags },
            opts,
        ).id;
    }
    // A subnet is usable for floating IPs (and reaches the outside) only once it is on the
    // router, so the subnet ids this component hands out depend on the router interfaces.
    const subnetIds: PerFamily<pulumi.Output<string>> = {};
    for (const [family, subnet] of subnets) {
        const lower = familyFacts(family).lowerSuffix;
        const routerInterface = new openstack.networking.RouterInterface(`${name}-router-${lower}`, { routerId, subnetId: subnet.id }, opts);
        subnetIds[lower] = pulumi.all([subnet.id, routerInterface.id]).apply(([id]) => id);
    }

    // Neutron puts allow-all egress rules into every new group, and since 2023.2 the cloud's
    // operator may change what those default rules are. We delete them and create our own, so
    // the groups hold exactly the rules of securityGroupRules(), whatever the cloud.
    const groups = {} as Record<SecurityGroupRole, openstack.networking.SecGroup>;
    for (const role of Object.keys(GROUP_NAMES) as SecurityGroupRole[]) {
        groups[role] = new openstack.networking.SecGroup(
            `${name}-${GROUP_NAMES[role]}`,
            { name: `${args.clusterName}-${GROUP_NAMES[role]}`, description: GROUP_DESCRIPTIONS[role], deleteDefaultRules: true, tags },
            opts,
        );
    }

    const subnetCidrs = perFamily([...subnets].map(([family, subnet]) => [family, subnet.cidr] as const));
    const remotes: RuleRemotes = {
        membersGroupId: groups.nodes.id,
        nodeSubnets: subnetCidrs,
        podRanges: perFamily(layout.podRanges.map((p) => [p.family, p.cidr] as const)),
        clientRanges: perFamily(layout.clientRanges.map((r) => [r.family, r.cidr] as const)),
    };
    for (const rule of layout.rules) {
        new openstack.networking.SecGroupRule(`${name}-${GROUP_NAMES[rule.group]}-${rule.key}`, secGroupRuleArgs(rule, groups[rule.group].id, remotes), opts);
    }

    return {
        networkId,
        routerId,
        subnetIds,
        subnetCidrs,
        nodeSecurityGroupId: groups.nodes.id,
        controlPlaneSecurityGroupId: groups.controlPlane.id,
    };
}

/**
 * A cluster's Neutron network: a network (or an existing one), a subnet per node family
 * (IPv6 from a CIDR with a DHCPv6/SLAAC mode, or from a subnet pool), a router with the
 * external network as gateway (or an existing router) with one interface per subnet, and
 * two security groups: `nodes` (every node) and `control-plane` (the API).
 *
 * Invalid args throw before anything is registered. See docs/network.md.
 */
export class Network extends pulumi.ComponentResource {
    /** ID of the Neutron network (created or looked up). */
    public readonly networkId: pulumi.Output<string>;
    /** ID of the router (created or looked up). */
    public readonly routerId: pulumi.Output<string>;
    /** ID of the IPv4 node subnet, when the nodes have IPv4. */
    public readonly subnetIdIPv4?: pulumi.Output<string>;
    /** ID of the IPv6 node subnet, when the nodes have IPv6. */
    public readonly subnetIdIPv6?: pulumi.Output<string>;
    /** CIDR of the IPv4 node subnet. */
    public readonly subnetCidrIPv4?: pulumi.Output<string>;
    /** CIDR of the IPv6 node subnet (allocated by Neutron in subnet-pool mode). */
    public readonly subnetCidrIPv6?: pulumi.Output<string>;
    /** The security group every node port gets. */
    public readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** The security group control-plane ports get in addition (Kubernetes API). */
    public readonly controlPlaneSecurityGroupId: pulumi.Output<string>;
    /** Families of the node subnets, IPv4 first. */
    public readonly nodeFamilies: string[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        const layout = planNetwork(name, args);
        super("dualstack:index:Network", name, {}, opts);
        for (const warning of layout.warnings) pulumi.log.warn(formatFinding(warning), this);
        const outputs = createNetwork(name, args, layout, this);
        this.networkId = outputs.networkId;
        this.routerId = outputs.routerId;
        this.subnetIdIPv4 = outputs.subnetIds.ipv4;
        this.subnetIdIPv6 = outputs.subnetIds.ipv6;
        this.subnetCidrIPv4 = outputs.subnetCidrs.ipv4;
        this.subnetCidrIPv6 = outputs.subnetCidrs.ipv6;
        this.nodeSecurityGroupId = outputs.nodeSecurityGroupId;
        this.controlPlaneSecurityGroupId = outputs.controlPlaneSecurityGroupId;
        this.nodeFamilies = [...layout.nodeFamilies];
        this.registerOutputs({
            networkId: this.networkId,
            routerId: this.routerId,
            subnetIdIPv4: this.subnetIdIPv4,
            subnetIdIPv6: this.subnetIdIPv6,
            subnetCidrIPv4: this.subnetCidrIPv4,
            subnetCidrIPv6: this.subnetCidrIPv6,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            controlPlaneSecurityGroupId: this.controlPlaneSecurityGroupId,
            nodeFamilies: this.nodeFamilies,
        });
    }
}
