/**
 * The NodePool component: the machines of one role/pool. A server group, a port per node
 * (fixed IPs in every node subnet, security groups, allowed-address-pairs for unencapsulated
 * pod ranges), an instance per node booted from user-data rendered from that node's own
 * addresses, and, for control planes, load-balancer members or the floating IP.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { familyFacts, IpFamily } from "../addressing/family";
import { renderNovaUserData } from "../bootstrap";
import { ClusterBootstrap, NodeFacts } from "../bootstrap/types";
import { ofFamily, portAddress } from "../network/args";
import { API_PORT } from "../network/rules";
import { NodeLayout, nodeMetadata, NodePoolLayout, nodeTags, planNodePool } from "./layout";
import { NodePoolArgs } from "./types";

/**
 * Instance properties whose change would make Nova replace a running node, and that only
 * matter when a node is created: changes apply to new nodes and to nodes replaced on purpose,
 * never by accident to every node at once. (A changed server-group policy replaces the
 * server group, and with it `schedulerHints`.)
 */
export const FIRST_BOOT_PROPERTIES = ["userData", "imageName", "imageId", "keyPair", "availabilityZone", "configDrive", "schedulerHints"] as const;

/** One node's resources. */
export interface CreatedNode {
    readonly layout: NodeLayout;
    readonly port: openstack.networking.Port;
    readonly instance: openstack.compute.Instance;
    /** The node's address per family (its port's fixed IPs). */
    readonly addresses: ReadonlyMap<IpFamily, pulumi.Output<string>>;
}

/** What createNodePool returns. */
export interface NodePoolOutputs {
    readonly serverGroup: openstack.compute.ServerGroup;
    readonly nodes: CreatedNode[];
}

/**
 * The user-data of one node: rendered from the cluster facts and the node's own port
 * addresses, encoded for Nova, secret (it carries the join token, and for control planes the
 * CA keys).
 */
export function nodeUserData(
    bootstrap: pulumi.Input<ClusterBootstrap>,
    node: NodeLayout,
    addresses: ReadonlyMap<IpFamily, pulumi.Output<string>>,
): pulumi.Output<string> {
    const rendered = pulumi
        .all([pulumi.output(bootstrap), addresses.get("IPv4"), addresses.get("IPv6")])
        .apply(([cluster, addressIPv4, addressIPv6]) => {
            const facts: NodeFacts = { name: node.name, role: node.bootstrapRole, addressIPv4, addressIPv6 };
            return renderNovaUserData(cluster as ClusterBootstrap, facts, `userData of ${node.name}`).userData;
        });
    return pulumi.secret(rendered);
}

/** Create the pool's resources under `parent`. `layout` comes from planNodePool(args). */
export function createNodePool(name: string, args: NodePoolArgs, layout: NodePoolLayout, parent: pulumi.Resource): NodePoolOutputs {
    const opts: pulumi.CustomResourceOptions = { parent };
    const tags = nodeTags(args.clusterName, layout.role, layout.poolName);
    const serverGroup = new openstack.compute.ServerGroup(
        `${name}-group`,
        { name: `${args.clusterName}-${layout.poolName}`, policies: [layout.serverGroupPolicy] },
        opts,
    );
    const allowedAddressPairs = layout.allowedAddressPairs.map((pair) => ({ ipAddress: pair.cidr }));
    const nodes: CreatedNode[] = layout.nodes.map((node) => {
        const port = new openstack.networking.Port(
            `${name}-port-${node.index}`,
            {
                name: node.name,
                description: `dualstack: ${layout.role} node ${node.name}`,
                networkId: args.networkId,
                fixedIps: layout.families.map((family) => ({ subnetId: ofFamily(args.subnetIds, family) as pulumi.Input<string> })),
                securityGroupIds: args.securityGroupIds,
                allowedAddressPairs: allowedAddressPairs.length > 0 ? allowedAddressPairs : undefined,
                adminStateUp: true,
                tags,
            },
            opts,
        );
        const addresses = new Map<IpFamily, pulumi.Output<string>>(
            layout.families.map((family) => [family, portAddress(port, family, ofFamily(args.subnetCidrs, family), `NodePool "${name}": port ${node.name}`)]),
        );
        const instance = new openstack.compute.Instance(
            `${name}-${node.index}`,
            {
                name: node.name,
                flavorName: args.flavorName,
                imageName: args.imageName,
                imageId: args.imageId,
                keyPair: args.keyPairName,
                availabilityZone: args.availabilityZone,
                networks: [{ port: port.id }],
                schedulerHints: [{ group: serverGroup.id }],
                configDrive: layout.configDrive,
                userData: nodeUserData(args.bootstrap, node, addresses),
                metadata:
                    args.rebuildKey === undefined
                        ? nodeMetadata(args.clusterName, layout.role, layout.poolName)
                        : pulumi
                              .output(args.rebuildKey)
                              .apply((rebuildKey) => ({ ...nodeMetadata(args.clusterName, layout.role, layout.poolName), "dualstack-ranges": rebuildKey })),
                tags,
            },
            {
                ...opts,
                // User-data is first-boot data: a re-render (token rotation, version bump,
                // another endpoint address) must not replace a running node. The same holds
                // for the other properties Nova can only apply by rebuilding the server.
                // Replacing a node is deliberate: `pulumi up --replace <urn>` (docs/network.md).
                ignoreChanges: [...FIRST_BOOT_PROPERTIES],
                // The rebuild key (in the metadata) is the deliberate way to replace every machine.
                replaceOnChanges: args.rebuildKey === undefined ? undefined : ["metadata"],
                // The port outlives the instance and can be bound to one server only: the old
                // server must release it before the new one boots.
                deleteBeforeReplace: true,
            },
        );
        return { layout: node, port, instance, addresses };
    });

    for (const family of layout.loadBalancerFamilies) {
        const lower = familyFacts(family).lowerSuffix;
        for (const node of nodes) {
            new openstack.loadbalancer.Member(
                `${name}-member-${lower}-${node.layout.index}`,
                {
                    name: node.layout.name,
                    poolId: ofFamily(args.loadBalancerPoolIds, family) as pulumi.Input<string>,
                    address: node.addresses.get(family) as pulumi.Output<string>,
                    protocolPort: API_PORT,
                    subnetId: ofFamily(args.subnetIds, family),
                },
                opts,
            );
        }
    }
    if (args.floatingIpAddress !== undefined && nodes.length > 0) {
        new openstack.networking.FloatingIpAssociate(
            `${name}-fip-0`,
            { floatingIp: args.floatingIpAddress, portId: nodes[0].port.id, fixedIp: nodes[0].addresses.get("IPv4") },
            opts,
        );
    }
    return { serverGroup, nodes };
}

/**
 * The machines of one role/pool of a cluster. Control planes: node 0 runs `kubeadm init`
 * (unless `joinExisting`), the others join; they are added to the API load-balancer pools,
 * or node 0 gets the floating IP. Workers join.
 *
 * Instances ignore changes to their user-data (first-boot data); replace a node on purpose
 * with `pulumi up --replace <urn>`. See docs/network.md.
 */
export class NodePool extends pulumi.ComponentResource {
    /** `control-plane` or `worker`. */
    public readonly role: string;
    /** The pool's name. */
    public readonly poolName: string;
    /** The node names (host names, Kubernetes Node names), by index. */
    public readonly nodeNames: string[];
    /** The instances' IDs, by index. */
    public readonly instanceIds: pulumi.Output<string[]>;
    /** The ports' IDs, by index. */
    public readonly portIds: pulumi.Output<string[]>;
    /** Each node's IPv4 address, by index; empty when the nodes have no IPv4. */
    public readonly addressesIPv4: pulumi.Output<string[]>;
    /**
     * Each node's IPv6 address, by index; empty when the nodes have no IPv6. With one control
     * plane, `addressesIPv6[0]` is the API's IPv6 endpoint.
     */
    public readonly addressesIPv6: pulumi.Output<string[]>;
    /** The server group's ID. */
    public readonly serverGroupId: pulumi.Output<string>;

    constructor(name: string, args: NodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        const layout = planNodePool(name, args);
        super("dualstack:index:NodePool", name, {}, opts);
        const { serverGroup, nodes } = createNodePool(name, args, layout, this);
        const addressesOf = (family: IpFamily) =>
            pulumi.all(nodes.flatMap((n) => (n.addresses.has(family) ? [n.addresses.get(family) as pulumi.Output<string>] : [])));
        this.role = layout.role;
        this.poolName = layout.poolName;
        this.nodeNames = layout.nodes.map((n) => n.name);
        this.instanceIds = pulumi.all(nodes.map((n) => n.instance.id));
        this.portIds = pulumi.all(nodes.map((n) => n.port.id));
        this.addressesIPv4 = addressesOf("IPv4");
        this.addressesIPv6 = addressesOf("IPv6");
        this.serverGroupId = serverGroup.id;
        this.registerOutputs({
            role: this.role,
            poolName: this.poolName,
            nodeNames: this.nodeNames,
            instanceIds: this.instanceIds,
            portIds: this.portIds,
            addressesIPv4: this.addressesIPv4,
            addressesIPv6: this.addressesIPv6,
            serverGroupId: this.serverGroupId,
        });
    }
}
