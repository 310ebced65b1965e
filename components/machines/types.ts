/**
 * Arguments of the NodePool component (schema-inferable: interfaces, plain strings for
 * enumerated values, per-family fields `ipv4` / `ipv6`).
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterBootstrap } from "../bootstrap/types";
import { PodRangesArgs } from "../network/types";

/** The node subnets per family: every node gets a fixed IP in each. */
export interface NodePoolSubnetIdsArgs {
    /** ID of the IPv4 node subnet (Network `subnetIdIPv4`). */
    ipv4?: pulumi.Input<string>;
    /** ID of the IPv6 node subnet (Network `subnetIdIPv6`). */
    ipv6?: pulumi.Input<string>;
}

/** The node subnets' CIDRs, per family (Network `subnetCidrIPv4` / `subnetCidrIPv6`). */
export interface NodePoolSubnetCidrsArgs {
    /** CIDR of the IPv4 node subnet. */
    ipv4?: pulumi.Input<string>;
    /** CIDR of the IPv6 node subnet. */
    ipv6?: pulumi.Input<string>;
}

/** Load-balancer pools to add every node to, per family (ApiEndpoint `poolIdIPv4` / `poolIdIPv6`). */
export interface NodePoolLoadBalancerPoolsArgs {
    /** ID of the IPv4 pool; each node's IPv4 address becomes a member on 6443. */
    ipv4?: pulumi.Input<string>;
    /** ID of the IPv6 pool; each node's IPv6 address becomes a member on 6443. */
    ipv6?: pulumi.Input<string>;
}

/**
 * Arguments of the NodePool component. Inputs: flavor, image, key pair, zone, network, subnets,
 * security groups, bootstrap facts, pools, floating IP, rebuild key. Plain: the cluster and
 * pool names (in every machine's name), role, count, server-group policy and the switches
 * that decide what each machine runs (`joinExisting`, `configDrive`).
 */
export interface NodePoolArgs {
    /** The cluster's name: tags, metadata and the node names `<clusterName>-<poolName>-<i>`. */
    clusterName: string;
    /** `control-plane` or `worker`. */
    role: string;
    /** The pool's name (a DNS label); default `control-plane` for control planes. Required for workers. */
    poolName?: string;
    /** Number of nodes: at least 1 for control planes, 0 or more for workers. */
    count: number;
    /** Nova flavor name. */
    flavorName: pulumi.Input<string>;
    /** Glance image name (exclusive with `imageId`). */
    imageName?: pulumi.Input<string>;
    /** Glance image ID (exclusive with `imageName`; unambiguous when several images share a name). */
    imageId?: pulumi.Input<string>;
    /** Nova key pair for SSH. */
    keyPairName?: pulumi.Input<string>;
    /** Nova availability zone. */
    availabilityZone?: pulumi.Input<string>;
    /**
     * Nova server-group policy spreading the pool's nodes over hosts: `anti-affinity`
     * (default; creation fails when there are not enough hosts) or `soft-anti-affinity`
     * (best effort). See https://docs.openstack.org/nova/latest/user/server-groups.html
     */
    serverGroupPolicy?: string;
    /** ID of the node network (Network `networkId`). */
    networkId: pulumi.Input<string>;
    /** The node subnets; every node gets a fixed IP in each. */
    subnetIds: NodePoolSubnetIdsArgs;
    /**
     * The node subnets' CIDRs. A port on a network that also has another SLAAC or
     * dhcpv6-stateless subnet gets an address there too; with the CIDRs, each node's address
     * is the one inside its node subnet. Without them, the first address of each family.
     */
    subnetCidrs?: NodePoolSubnetCidrsArgs;
    /**
     * Security groups of the node ports: Network `nodeSecurityGroupId`, and for control
     * planes also `controlPlaneSecurityGroupId`; add your own as you like.
     */
    securityGroupIds: pulumi.Input<string>[];
    /**
     * The cluster's pod ranges with their Calico encapsulation. For each family encapsulated
     * `None` or `*CrossSubnet`, the ports allow the pod range as source
     * (allowed-address-pairs), or Neutron's port security drops pod packets.
     */
    podRanges?: PodRangesArgs;
    /** The cluster-wide bootstrap facts (Cluster, ClusterPki, ApiEndpoint). Carries secrets. */
    bootstrap: pulumi.Input<ClusterBootstrap>;
    /** Load-balancer pools to add the nodes to (control planes behind the API load balancer). */
    loadBalancerPoolIds?: NodePoolLoadBalancerPoolsArgs;
    /** A floating IP address (ApiEndpoint `floatingIpAddress`) to associate with node 0's IPv4 address. */
    floatingIpAddress?: pulumi.Input<string>;
    /**
     * Control planes only: node 0 joins an existing control plane instead of running
     * `kubeadm init`. Set it before deliberately replacing node 0 of a running cluster with
     * two or more control planes (see docs/network.md).
     */
    joinExisting?: boolean;
    /**
     * A value whose change replaces every machine of the pool (stamped on each as the Nova
     * metadata `dualstack-ranges`). The Cluster gives the fingerprint of the ranges fixed at
     * kubeadm init, so a range change let through by `allowRangeChanges` rebuilds the machines.
     */
    rebuildKey?: pulumi.Input<string>;
    /**
     * Give the nodes a config drive for cloud-init's data instead of the metadata service.
     * Default: true when the nodes have no IPv4 address (the metadata service over IPv6
     * needs a recent Neutron), false otherwise.
     */
    configDrive?: boolean;
}
