/**
 * The Gateway component: WireGuard access gateways for a private cluster. A security group,
 * a VIP port per node family, a port per gateway (allowed-address-pairs for the VIPs and the
 * client ranges it forwards), a server group, the gateways with their user-data, a floating
 * IP on the IPv4 VIP, and a route per client range through its family's VIP on the router.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { familyFacts, IpFamily } from "../addressing/family";
import { formatFinding, throwOnErrors } from "../addressing/findings";
import { GATEWAY_HOST_ID, tunnelAddress } from "../addressing/rules/gateway";
import { cidr as parseStrictCidr } from "../addressing/cidr";
import { encodeUserDataForNova } from "../bootstrap/encoding";
import { checkUserDataSize } from "../bootstrap/rules";
import { FIRST_BOOT_PROPERTIES } from "../machines/nodePool";
import { ofFamily, perFamily, PerFamily, portAddress } from "../network/args";
import { clusterTag, RuleRemotes, secGroupRuleArgs } from "../network/network";
import { renderGatewayCloudConfig } from "./cloudinit";
import { virtualRouterId } from "./keepalived";
import { checkPeers, checkPeersInRanges, DEFAULT_LISTEN_PORT, GatewayLayout, planGateway } from "./layout";
import { GatewayArgs, GatewayBootstrap, GatewayPeerArgs } from "./types";
import { clampPrivateKey, hostRoute, renderClientTemplate, wireguardPublicKey } from "./wireguard";

/** The tag key of the gateways' OpenStack resources: `vip` on the VIP ports, `machine` on the gateways and their ports. */
export const GATEWAY_TAG = "dualstack-gateway";

/** The configuration template of one peer. */
export interface GatewayClientConfig {
    /** The peer's name. */
    name: string;
    /** Its wg-quick configuration, without its private key (a placeholder line to replace). */
    config: string;
}

/** What createGateway returns. */
export interface GatewayOutputs {
    readonly publicKey: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly vipAddresses: PerFamily<pulumi.Output<string>>;
    readonly floatingIpAddress?: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly addresses: PerFamily<pulumi.Output<string[]>>;
    readonly instanceIds: pulumi.Output<string[]>;
    readonly clientConfigs: pulumi.Output<GatewayClientConfig[]>;
}

/** `host:port`, with brackets around an IPv6 address. */
function endpointOf(host: string, port: number): string {
    return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The gateways' private key: the one given (a secret), or one from 32 random bytes kept in state. */
function privateKeyOf(name: string, args: GatewayArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    if (args.privateKey !== undefined) return pulumi.secret(args.privateKey);
    const bytes = new random.RandomBytes(`${name}-wireguard-key`, { length: 32 }, opts);
    return pulumi.secret(bytes.base64.apply(clampPrivateKey));
}

/** Create the gateways' resources under `parent`. `layout` comes from planGateway(args). */
export function createGateway(name: string, args: GatewayArgs, layout: GatewayLayout, parent: pulumi.Resource): GatewayOutputs {
    const opts: pulumi.CustomResourceOptions = { parent };
    const tag = (kind: string) => [clusterTag(args.clusterName), `${GATEWAY_TAG}=${kind}`];
    const listenPort = pulumi.output(args.listenPort ?? DEFAULT_LISTEN_PORT);
    const privateKey = privateKeyOf(name, args, opts);
    // The public key is public: derived from a secret, it is unwrapped on purpose.
    const publicKey = pulumi.unsecret(privateKey.apply(wireguardPublicKey));

    const group = new openstack.networking.SecGroup(
        `${name}-security-group`,
        {
            name: `${args.clusterName}-gateway`,
            description: "dualstack: WireGuard access gateways (WireGuard from the allowed sources, VRRP, SSH from the clients)",
            deleteDefaultRules: true,
            tags: tag("machine"),
        },
        opts,
    );
    const subnet = (family: IpFamily) => ofFamily(args.subnets, family)!;
    const remotes: RuleRemotes = {
        membersGroupId: group.id,
        nodeSubnets: perFamily(layout.families.map((f) => [f, subnet(f).cidr] as const)),
        clientRanges: perFamily(layout.clientRanges.map((r) => [r.family, r.cidr] as const)),
    };
    for (const rule of layout.rules) {
        const ruleArgs = secGroupRuleArgs(rule, group.id, remotes);
        const ports = rule.wireguard ? { portRangeMin: listenPort, portRangeMax: listenPort } : {};
        new openstack.networking.SecGroupRule(`${name}-rule-${rule.key}`, { ...ruleArgs, ...ports }, opts);
    }

    // The VIP ports hold the VIP addresses in Neutron (nothing else gets them) and carry the
    // floating IP; keepalived puts the addresses on whichever gateway is MASTER.
    const vipPorts = new Map<IpFamily, openstack.networking.Port>();
    const vipAddresses = new Map<IpFamily, pulumi.Output<string>>();
    for (const family of layout.families) {
        const lower = familyFacts(family).lowerSuffix;
        const port = new openstack.networking.Port(
            `${name}-vip-${lower}`,
            {
                name: `${args.clusterName}-gateway-vip-${lower}`,
                description: `dualstack: ${family} VIP of the WireGuard access gateways (held by keepalived)`,
                networkId: args.networkId,
                fixedIps: [{ subnetId: subnet(family).subnetId }],
                securityGroupIds: [group.id],
                adminStateUp: true,
                tags: tag("vip"),
            },
            opts,
        );
        vipPorts.set(family, port);
        vipAddresses.set(family, portAddress(port, family, subnet(family).cidr, `Gateway "${name}": the ${family} VIP port`));
    }

    // Each gateway may send from the VIPs (keepalived) and from the client ranges (it forwards
    // the peers' packets): without the pairs, Neutron's anti-spoofing drops both.
    const allowedAddressPairs = [
        ...layout.families.map((family) => ({ ipAddress: vipAddresses.get(family) as pulumi.Output<string> })),
        ...layout.clientRanges.map((range) => ({ ipAddress: range.cidr })),
    ];
    const ports = layout.machines.map(
        (machine) =>
            new openstack.networking.Port(
                `${name}-port-${machine.index}`,
                {
                    name: machine.name,
                    description: `dualstack: WireGuard access gateway ${machine.name}`,
                    networkId: args.networkId,
                    fixedIps: layout.families.map((family) => ({ subnetId: subnet(family).subnetId })),
                    securityGroupIds: [group.id],
                    allowedAddressPairs,
                    adminStateUp: true,
                    tags: tag("machine"),
                },
                opts,
            ),
    );
    const addressesOf = (family: IpFamily) =>
        pulumi.all(ports.map((port, i) => portAddress(port, family, subnet(family).cidr, `Gateway "${name}": port ${layout.machines[i].name}`)));
    const addresses = new Map<IpFamily, pulumi.Output<string[]>>(layout.families.map((family) => [family, addressesOf(family)]));

    // Everything the gateways' user-data holds but the private key: none of it is secret, so
    // the peers' configuration templates derive from it and stay readable outputs.
    const peers = pulumi.output(args.peers ?? []) as pulumi.Output<GatewayPeerArgs[]>;
    const facts: pulumi.Output<Omit<GatewayBootstrap, "privateKey">> = pulumi
        .all([
            listenPort,
            peers,
            pulumi.all(layout.clientRanges.map((r) => r.cidr)),
            pulumi.all(layout.families.map((f) => vipAddresses.get(f) as pulumi.Output<string>)),
            pulumi.all(layout.families.map((f) => addresses.get(f) as pulumi.Output<string[]>)),
            pulumi.all(layout.families.map((f) => subnet(f).cidr)),
        ])
        .apply(([port, peerList, rangeTexts, vips, familyAddresses, subnetCidrs]) => {
            const ranges = layout.clientRanges.map((r, i) => ({ family: r.family, cidr: rangeTexts[i] }));
            // Peers given as an Output are checked now, with the same rules as plain ones.
            throwOnErrors([...checkPeers(peerList), ...checkPeersInRanges(peerList, ranges)], `Gateway "${name}"`);
            const cidrs = ranges.map((r) => parseStrictCidr(r.cidr));
            return {
                clusterName: args.clusterName,
                listenPort: port,
                virtualRouterId: virtualRouterId(args.clusterName),
                clientRanges: cidrs.map((c) => ({ family: c.family, cidr: c.text, tunnelAddress: tunnelAddress(c, GATEWAY_HOST_ID) })),
                peers: peerList.map((p) => ({ name: p.name, publicKey: p.publicKey, addresses: cidrs.map((c) => tunnelAddress(c, p.hostId)) })),
                families: layout.families.map((family, i) => ({ family, subnetCidr: subnetCidrs[i], vip: vips[i], addresses: familyAddresses[i] })),
            };
        });
    const bootstrap: pulumi.Output<GatewayBootstrap> = pulumi.all([facts, privateKey]).apply(([f, key]) => ({ ...f, privateKey: key }));

    const serverGroup = new openstack.compute.ServerGroup(
        `${name}-server-group`,
        { name: `${args.clusterName}-gateway`, policies: [layout.serverGroupPolicy] },
        opts,
    );
    const instances = layout.machines.map((machine, i) => {
        const userData = bootstrap.apply((facts) => {
            const encoded = encodeUserDataForNova(renderGatewayCloudConfig(facts, machine));
            throwOnErrors(checkUserDataSize(encoded, "userData", machine.name), `the user-data of gateway ${machine.name}`);
            return encoded.userData;
        });
        return new openstack.compute.Instance(
            `${name}-${machine.index}`,
            {
                name: machine.name,
                flavorName: args.flavorName,
                imageName: args.imageName,
                imageId: args.imageId,
                keyPair: args.keyPairName,
                availabilityZone: args.availabilityZone,
                networks: [{ port: ports[i].id }],
                schedulerHints: [{ group: serverGroup.id }],
                configDrive: layout.configDrive,
                // It carries the WireGuard private key.
                userData: pulumi.secret(userData),
                metadata: { "dualstack-cluster": args.clusterName, [GATEWAY_TAG]: "machine" },
                tags: tag("machine"),
            },
            // As for the nodes: user-data is first-boot data, and a gateway is replaced on
            // purpose, one at a time (docs/gateway.md), never by a re-render.
            { ...opts, ignoreChanges: [...FIRST_BOOT_PROPERTIES], deleteBeforeReplace: true },
        );
    });

    let floatingIp: openstack.networking.FloatingIp | undefined;
    if (layout.floatingIp) {
        floatingIp = new openstack.networking.FloatingIp(
            `${name}-fip`,
            {
                pool: args.externalNetworkName as pulumi.Input<string>,
                description: `dualstack: WireGuard access gateways of ${args.clusterName} (IPv4 VIP)`,
                portId: vipPorts.get("IPv4")?.id,
                // Named, because on a network with a SLAAC subnet the port has an IPv6 address too.
                fixedIp: vipAddresses.get("IPv4"),
                tags: tag("vip"),
            },
            opts,
        );
    }

    // Every node reaches the peers through its default route, the router, which sends the
    // client ranges to the VIPs. Where router advertisements reach the nodes, the gateway's
    // Route Information option gives IPv6 nodes a direct route too (docs/gateway.md).
    if (args.routerId !== undefined) {
        for (const range of layout.clientRanges) {
            new openstack.networking.RouterRoute(
                `${name}-route-${familyFacts(range.family).lowerSuffix}`,
                { routerId: args.routerId, destinationCidr: range.cidr, nextHop: vipAddresses.get(range.family) as pulumi.Output<string> },
                opts,
            );
        }
    }

    const vipIPv6 = vipAddresses.get("IPv6");
    const endpointHost = floatingIp?.address ?? vipIPv6 ?? (vipAddresses.get("IPv4") as pulumi.Output<string>);
    const endpoint = pulumi.all([endpointHost, listenPort]).apply(([host, port]) => endpointOf(host, port));
    const clientConfigs = pulumi.all([facts, publicKey, endpoint]).apply(([known, serverPublicKey, endpointText]) =>
        known.peers.map((peer) => ({
            name: peer.name,
            config: renderClientTemplate(peer, {
                clusterName: known.clusterName,
                serverPublicKey,
                endpoint: endpointText,
                allowedIps: [...known.families.map((f) => f.subnetCidr), ...known.clientRanges.map((r) => hostRoute(r.tunnelAddress))],
            }),
        })),
    );

    return {
        publicKey,
        securityGroupId: group.id,
        vipAddresses: perFamily([...vipAddresses]),
        floatingIpAddress: floatingIp?.address,
        endpoint,
        addresses: perFamily([...addresses]),
        instanceIds: pulumi.all(instances.map((i) => i.id)),
        clientConfigs,
    };
}

/**
 * WireGuard access gateways (`dualstack:index:Gateway`) for a cluster kept private: peers
 * connect to a VIP (and its floating IP) held by keepalived on one of the gateways, which
 * forwards their traffic to the node subnets; the router routes replies to the client ranges
 * through the VIPs, and radvd on the gateway holding them advertises the IPv6 range.
 *
 * Invalid args throw before anything is registered. See docs/gateway.md.
 */
export class Gateway extends pulumi.ComponentResource {
    /** The gateways' WireGuard public key: what peers put in their `[Peer]` section. */
    public readonly publicKey: pulumi.Output<string>;
    /** Where peers connect: the floating IP (or the IPv6 VIP without IPv4) and the listen port, `host:port`. */
    public readonly endpoint: pulumi.Output<string>;
    /** The IPv4 VIP in the node subnet, when the gateways have IPv4. */
    public readonly vipAddressIPv4?: pulumi.Output<string>;
    /** The IPv6 VIP in the node subnet, when the gateways have IPv6. */
    public readonly vipAddressIPv6?: pulumi.Output<string>;
    /** The floating IP on the IPv4 VIP, when there is an external network and IPv4. */
    public readonly floatingIpAddress?: pulumi.Output<string>;
    /** Each gateway's own IPv4 address, by index. */
    public readonly addressesIPv4: pulumi.Output<string[]>;
    /** Each gateway's own IPv6 address, by index. */
    public readonly addressesIPv6: pulumi.Output<string[]>;
    /** The gateways' names, by index. */
    public readonly names: string[];
    /** The instances' IDs, by index. */
    public readonly instanceIds: pulumi.Output<string[]>;
    /** The gateways' security group. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Each peer's wg-quick configuration without its private key. */
    public readonly clientConfigs: pulumi.Output<GatewayClientConfig[]>;

    constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        const layout = planGateway(name, args);
        super("dualstack:index:Gateway", name, {}, opts);
        for (const finding of layout.warnings) pulumi.log.warn(formatFinding(finding), this);
        const out = createGateway(name, args, layout, this);
        this.publicKey = out.publicKey;
        this.endpoint = out.endpoint;
        this.vipAddressIPv4 = out.vipAddresses.ipv4;
        this.vipAddressIPv6 = out.vipAddresses.ipv6;
        this.floatingIpAddress = out.floatingIpAddress;
        this.addressesIPv4 = out.addresses.ipv4 ?? pulumi.output([]);
        this.addressesIPv6 = out.addresses.ipv6 ?? pulumi.output([]);
        this.names = layout.machines.map((m) => m.name);
        this.instanceIds = out.instanceIds;
        this.securityGroupId = out.securityGroupId;
        this.clientConfigs = out.clientConfigs;
        this.registerOutputs({
            publicKey: this.publicKey,
            endpoint: this.endpoint,
            vipAddressIPv4: this.vipAddressIPv4,
            vipAddressIPv6: this.vipAddressIPv6,
            floatingIpAddress: this.floatingIpAddress,
            addressesIPv4: this.addressesIPv4,
            addressesIPv6: this.addressesIPv6,
            names: this.names,
            instanceIds: this.instanceIds,
            securityGroupId: this.securityGroupId,
            clientConfigs: this.clientConfigs,
        });
    }
}
