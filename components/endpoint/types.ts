/**
 * Arguments of the ApiEndpoint component (schema-inferable: interfaces, plain strings for
 * enumerated values, per-family fields `ipv4` / `ipv6`).
 */
import * as pulumi from "@pulumi/pulumi";

/** A node subnet the endpoint lives in. */
export interface ApiEndpointSubnetArgs {
    /** ID of the node subnet (Network's `subnetIdIPv4` / `subnetIdIPv6`). */
    subnetId: pulumi.Input<string>;
    /**
     * CIDR of the node subnet (Network's `subnetCidrIPv4` / `subnetCidrIPv6`): kubelets
     * reach the load balancer from there, so the listener admits it.
     */
    cidr: pulumi.Input<string>;
}

/** The node subnets per family; the endpoint gets an address in each. */
export interface ApiEndpointSubnetsArgs {
    /** The IPv4 node subnet. */
    ipv4?: ApiEndpointSubnetArgs;
    /** The IPv6 node subnet. */
    ipv6?: ApiEndpointSubnetArgs;
}

/** WireGuard client ranges per family. */
export interface ApiEndpointClientRangesArgs {
    /** IPv4 client range. */
    ipv4?: pulumi.Input<string>;
    /** IPv6 client range (may be an Output). */
    ipv6?: pulumi.Input<string>;
}

/**
 * Arguments of the ApiEndpoint component. Inputs: the network, subnets, external network,
 * load-balancer flavor and zone. Plain: the control-plane count and families (floating IP or
 * load balancers, one per family), the provider (it changes what the listener gets), the DNS
 * name and allow-list (checked, and per family), the idle timeout (checked against Octavia's
 * limits).
 */
export interface ApiEndpointArgs {
    /** The cluster's name: the `dualstack-cluster` tag and OpenStack names. A lower-case DNS label. */
    clusterName: string;
    /**
     * Number of control-plane nodes. 1: a floating IP that the control-plane NodePool
     * associates with its node 0. 2 or more: an Octavia load balancer per node family.
     */
    controlPlaneCount: number;
    /**
     * The cluster's primary family (`IPv4` or `IPv6`): nodes reach the API at the load
     * balancer address of this family (kubeadm `controlPlaneEndpoint`). Default: IPv4 when
     * the nodes have it.
     */
    primaryFamily?: string;
    /** ID of the node network (Network's `networkId`); the VIP ports are created in it. */
    networkId: pulumi.Input<string>;
    /** The node subnets. */
    subnets: ApiEndpointSubnetsArgs;
    /**
     * Name of the external network to take a floating IP from. Floating IPs are IPv4: with
     * IPv4 nodes, a floating IP is the public IPv4 address of the API. Unset: no floating IP.
     * May be an output of another resource or stack.
     */
    externalNetworkName?: pulumi.Input<string>;
    /**
     * A DNS name for the API (you create the record, usually for the floating IP). It goes
     * into the certificate SANs and is the host of kubeconfig files; nodes keep using the VIP.
     */
    dnsName?: string;
    /**
     * Ranges (either family) allowed to reach the API. With an Octavia amphora load balancer
     * the members see the amphora's address, not the client's, so the listener itself filters
     * (`allowed_cidrs`): these ranges of its family plus the node subnet.
     */
    apiAllowedCidrs?: string[];
    /**
     * The WireGuard client ranges of an access gateway, per family: each listener allows its
     * family's range too, so peers reach the API through the load balancer.
     */
    gatewayClientRanges?: ApiEndpointClientRangesArgs;
    /**
     * Octavia provider (`amphora`, `ovn`, or another your cloud offers); default: the cloud's
     * default. With `ovn`: SOURCE_IP_PORT balancing, no listener `allowed_cidrs` and no
     * timeouts (the OVN provider supports neither; members see client addresses, so the
     * security groups filter).
     */
    loadBalancerProvider?: string;
    /** Octavia flavor ID for the load balancers. */
    loadBalancerFlavorId?: pulumi.Input<string>;
    /**
     * Octavia availability zone for the load balancers: an Octavia object
     * (`openstack loadbalancer availabilityzone list`), not a Nova zone name.
     */
    availabilityZone?: pulumi.Input<string>;
    /**
     * Idle timeout of API connections through the load balancer, in seconds (Octavia
     * `timeout_client_data` and `timeout_member_data`). Watches and `kubectl logs -f` are
     * idle for long stretches; Octavia's default of 50 s cuts them. Default 3600.
     */
    idleTimeoutSeconds?: number;
}
