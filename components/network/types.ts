/**
 * Arguments of the Network component. Interfaces only, per-family fields spelled `ipv4` /
 * `ipv6`, enumerated values as plain strings checked at construction: the shape Pulumi's
 * schema inference needs to offer the component to other languages.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * One node subnet: a CIDR, or a prefix from a Neutron subnet pool.
 * See https://docs.openstack.org/neutron/latest/admin/config-ipv6.html
 */
export interface NetworkSubnetArgs {
    /**
     * The subnet's CIDR, e.g. `10.0.0.0/22` or `fd12:3456:789a::/64`. Exclusive with
     * `subnetPoolName`. May be an Output (a range derived from the stack's ULA /48).
     */
    cidr?: pulumi.Input<string>;
    /**
     * Name of a Neutron subnet pool to allocate the subnet from (for IPv6: globally routed
     * addresses, no NAT, when the pool shares an address scope with the external network).
     * Exclusive with `cidr`; needs `prefixLength`.
     */
    subnetPoolName?: string;
    /** Prefix length to request from `subnetPoolName`, e.g. 64. */
    prefixLength?: number;
    /**
     * Neutron `ipv6_address_mode` (IPv6 only): `dhcpv6-stateful` (default; any prefix
     * length), `dhcpv6-stateless` or `slaac` (both need a /64).
     */
    ipv6AddressMode?: string;
    /** Neutron `ipv6_ra_mode` (IPv6 only); defaults to the address mode and must equal it. */
    ipv6RaMode?: string;
}

/** The node subnets per family; a family left out has no subnet (the nodes have no address of it). */
export interface NetworkSubnetsArgs {
    /** The IPv4 node subnet. */
    ipv4?: NetworkSubnetArgs;
    /** The IPv6 node subnet. */
    ipv6?: NetworkSubnetArgs;
}

/**
 * The pod range of one cluster family and how Calico carries it between nodes. Used by
 * Network (security-group rules) and NodePool (allowed-address-pairs).
 */
export interface PodRangeArgs {
    /** The pod CIDR (kubeadm `podSubnet` of this family, the Calico pool). May be an Output. */
    cidr: pulumi.Input<string>;
    /**
     * Calico encapsulation of the pool: `None` (default), `IPIP`, `IPIPCrossSubnet` (IPv4
     * only), `VXLAN`, `VXLANCrossSubnet`. With `None` and `*CrossSubnet`, pod packets leave
     * the nodes with pod addresses; Neutron must let them through.
     * See https://docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip
     */
    encapsulation?: string;
}

/** Pod ranges per cluster family; the families present are the cluster's families. */
export interface PodRangesArgs {
    /** The IPv4 pod range, when IPv4 is a cluster family. */
    ipv4?: PodRangeArgs;
    /** The IPv6 pod range, when IPv6 is a cluster family. */
    ipv6?: PodRangeArgs;
}

/** Who may reach the cluster from outside it. */
export interface NetworkAccessArgs {
    /**
     * Ranges (either family) allowed to reach the Kubernetes API on 6443. Each range goes
     * into the rule of its own family. Empty: cluster members and the node subnets only.
     */
    apiAllowedCidrs?: string[];
    /** Ranges (either family) allowed to reach SSH on 22. Empty (default): no SSH from outside. */
    sshAllowedCidrs?: string[];
}

/**
 * Arguments of the Network component. Inputs (may be outputs of other resources): the
 * subnet and pod CIDRs and the network, external network and router names. Plain, because
 * they decide which resources exist or are checked before any is created: the cluster name
 * (a DNS label in every name and tag), the subnet families and modes, encapsulations, BGP,
 * the DNS servers (checked and split per family) and the allow-lists (one rule per range).
 */
export interface NetworkArgs {
    /**
     * The cluster's name: the `dualstack-cluster` tag and the OpenStack names of what the
     * component creates. A lower-case DNS label.
     */
    clusterName: string;
    /** The node subnets; at least one family. */
    subnets: NetworkSubnetsArgs;
    /** The pod range of each cluster family, with its Calico encapsulation. */
    podRanges: PodRangesArgs;
    /**
     * Calico BGP between the nodes (TCP 179 per family is opened between members when true).
     * Unencapsulated pod traffic needs it. Default true.
     */
    calicoBgp?: boolean;
    /**
     * Name of an existing Neutron network to create the subnets in, instead of a new network.
     * May be an output of another resource or stack (whether it is given decides what exists).
     */
    existingNetworkName?: pulumi.Input<string>;
    /**
     * Name of the external network, the gateway of the router this component creates. Needed
     * unless `existingRouterName` is set. May be an output of another resource or stack.
     */
    externalNetworkName?: pulumi.Input<string>;
    /** Name of an existing router to attach the subnets to, instead of creating one. May be an output. */
    existingRouterName?: pulumi.Input<string>;
    /**
     * DNS servers handed out by Neutron, addresses of either family: each subnet gets those
     * of its own family (Neutron refuses the others).
     */
    dnsNameservers?: string[];
    /** API and SSH access from outside the cluster. */
    access?: NetworkAccessArgs;
    /**
     * The WireGuard client ranges of an access gateway (Gateway component), per family: each
     * gets SSH (22) on every node and the API (6443) on the control planes. A family needs a
     * node subnet.
     */
    gatewayClientRanges?: NetworkGatewayClientRangesArgs;
}

/** WireGuard client ranges per family. */
export interface NetworkGatewayClientRangesArgs {
    /** IPv4 client range. */
    ipv4?: pulumi.Input<string>;
    /** IPv6 client range (may be an Output: a range of the stack's ULA /48). */
    ipv6?: pulumi.Input<string>;
}
