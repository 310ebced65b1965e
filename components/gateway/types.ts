/**
 * Arguments of the Gateway component, and the plain data its renderers take. Args follow the
 * other components: interfaces, per-family fields `ipv4` / `ipv6`. Inputs: names handed to
 * OpenStack (flavor, image, key pair, zone, external network), the network, subnets, router,
 * client ranges, peers, listen port and private key. Plain: what decides which resources
 * exist (the count, the families present, the allowed source ranges: one rule each) and the
 * server-group policy (checked against Nova's values).
 */
import * as pulumi from "@pulumi/pulumi";

/** A node subnet the gateways get an address in. */
export interface GatewaySubnetArgs {
    /** ID of the node subnet (Network `subnetIdIPv4` / `subnetIdIPv6`). */
    subnetId: pulumi.Input<string>;
    /** Its CIDR (Network `subnetCidrIPv4` / `subnetCidrIPv6`). */
    cidr: pulumi.Input<string>;
}

/** The node subnets per family; the gateways have a VIP and an address in each one given. */
export interface GatewaySubnetsArgs {
    /** The IPv4 node subnet. */
    ipv4?: GatewaySubnetArgs;
    /** The IPv6 node subnet. */
    ipv6?: GatewaySubnetArgs;
}

/** WireGuard client ranges per family: the peers' tunnel addresses. */
export interface GatewayClientRangesArgs {
    /** IPv4 client range, e.g. `10.254.0.0/24`. */
    ipv4?: pulumi.Input<string>;
    /** IPv6 client range, e.g. `fd12:3456:789a:c000::/64` (may be an Output: a range of the stack's ULA /48). */
    ipv6?: pulumi.Input<string>;
}

/** One WireGuard peer. */
export interface GatewayPeerArgs {
    /** A DNS label naming the peer (comments, the client configuration template). */
    name: string;
    /** The peer's WireGuard public key (base64 of 32 bytes, as `wg pubkey` prints it). */
    publicKey: string;
    /**
     * The peer's address in each client range: the range's first address plus `hostId`
     * (2 or more; 1 is the gateways' own tunnel address).
     */
    hostId: number;
}

/** Arguments of the Gateway component. */
export interface GatewayArgs {
    /** The cluster's name: the OpenStack names (`<clusterName>-gateway-<i>`) and the `dualstack-cluster` tag. */
    clusterName: string;
    /** Gateway machines (default 2); keepalived moves the VIPs between them. */
    count?: number;
    /** Nova flavor of the gateways. */
    flavorName: pulumi.Input<string>;
    /** Glance image name, with cloud-init (Debian 12 or Ubuntu 24.04); exclusive with `imageId`. */
    imageName?: pulumi.Input<string>;
    /** Glance image ID; exclusive with `imageName`. */
    imageId?: pulumi.Input<string>;
    /** Nova key pair for SSH (reachable from the WireGuard client ranges only). */
    keyPairName?: pulumi.Input<string>;
    /** ID of the node network (Network `networkId`). */
    networkId: pulumi.Input<string>;
    /** The node subnets; at least one family. */
    subnets: GatewaySubnetsArgs;
    /**
     * The router of the node subnets (Network `routerId`): it gets a route to each client
     * range through that family's VIP, so every node reaches the peers. Without it, no routes
     * are added (route the client ranges yourself).
     */
    routerId?: pulumi.Input<string>;
    /** The WireGuard client ranges; each family needs a node subnet. */
    clientRanges: GatewayClientRangesArgs;
    /** The peers. May be an Output; checked when known. */
    peers?: pulumi.Input<GatewayPeerArgs[]>;
    /** UDP port WireGuard listens on (default 51820). */
    listenPort?: pulumi.Input<number>;
    /**
     * Ranges (either family) allowed to reach the WireGuard port: one security-group rule
     * each, in the rule of its family. `0.0.0.0/0` and `::/0` are accepted (WireGuard answers
     * no packet that a peer's key did not authenticate). Empty: nobody.
     */
    allowedSourceCidrs?: string[];
    /**
     * The gateways' WireGuard private key (a secret). Without it, 32 random bytes
     * (`random.RandomBytes`, kept in state as a secret) make one.
     */
    privateKey?: pulumi.Input<string>;
    /**
     * Name of the external network: a floating IP goes on the IPv4 VIP (needs an IPv4
     * subnet). Whether it is set decides whether the floating IP exists; the name may be an
     * output of another resource.
     */
    externalNetworkName?: pulumi.Input<string>;
    /**
     * Nova server-group policy spreading the gateways: `anti-affinity` (default) or
     * `soft-anti-affinity`.
     */
    serverGroupPolicy?: string;
    /** Nova availability zone of the gateways. */
    availabilityZone?: pulumi.Input<string>;
}

/** A WireGuard client range as the renderers take it. */
export interface GatewayClientRange {
    /** `IPv4` or `IPv6`. */
    family: string;
    /** The range, canonical. */
    cidr: string;
    /** The gateways' own address in it (the range's first address plus 1). */
    tunnelAddress: string;
}

/** One peer as the renderers take it. */
export interface GatewayPeer {
    name: string;
    publicKey: string;
    /** Its tunnel address in each client range, in `clientRanges` order. */
    addresses: string[];
}

/** One node family of the gateways. */
export interface GatewayFamily {
    /** `IPv4` or `IPv6`. */
    family: string;
    /** The node subnet of this family. */
    subnetCidr: string;
    /** The VIP keepalived holds in this subnet. */
    vip: string;
    /** Every gateway's own address in this subnet, by gateway index. */
    addresses: string[];
}

/** What every gateway's user-data is rendered from. Carries the private key. */
export interface GatewayBootstrap {
    clusterName: string;
    listenPort: number;
    /** The WireGuard private key, shared by the gateways. Secret. */
    privateKey: string;
    /** VRRP virtual router id of both instances (one per family). */
    virtualRouterId: number;
    /** Client ranges, IPv4 first. */
    clientRanges: GatewayClientRange[];
    peers: GatewayPeer[];
    /** Node families, IPv4 first. */
    families: GatewayFamily[];
}

/** One gateway machine. */
export interface GatewayMachine {
    /** Host and Nova name. */
    name: string;
    /** Its index: its address in `GatewayFamily.addresses`, its VRRP priority. */
    index: number;
}
