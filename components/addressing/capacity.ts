/**
 * Capacity: how many nodes and pods an address plan can hold. All counts are bigints; an
 * IPv6 /64 holds more than a double can count exactly.
 */
import { Cidr, cidrSize } from "./cidr";
import { familyFacts, IpFamily } from "./family";

/**
 * Addresses Neutron keeps for itself in a subnet before any port is created. IPv4: the
 * network and broadcast addresses, the gateway (router interface) and one DHCP port. IPv6:
 * the subnet-router anycast address (the network address), the gateway and one DHCP port.
 */
export function neutronOwnAddresses(family: IpFamily): bigint {
    return family === "IPv4" ? 4n : 3n;
}

/** Addresses of a node subnet left for ports after Neutron's own (never negative). */
export function usableNodeAddresses(family: IpFamily, prefixLength: number): bigint {
    const size = 1n << BigInt(familyFacts(family).bits - prefixLength);
    const usable = size - neutronOwnAddresses(family);
    return usable > 0n ? usable : 0n;
}

/**
 * Addresses the API endpoint takes from a node subnet: an Octavia load balancer has a VIP
 * port and, in ACTIVE_STANDBY topology, two amphora ports; a single control plane with a
 * floating IP takes none.
 */
export function endpointAddresses(controlPlaneCount: number): bigint {
    return controlPlaneCount > 1 ? 3n : 0n;
}

/** Nodes the pod range can give a node CIDR of `nodeMask` to (0 when the mask is shorter than the range). */
export function nodesForPodRange(podRange: Cidr, nodeMask: number): bigint {
    if (nodeMask < podRange.prefixLength) return 0n;
    return 1n << BigInt(nodeMask - podRange.prefixLength);
}

/** Pod addresses in one node's CIDR. */
export function podAddressesPerNode(family: IpFamily, nodeMask: number): bigint {
    return 1n << BigInt(familyFacts(family).bits - nodeMask);
}

/** Calico IPAM blocks in a pool (0 when the pool is smaller than a block). */
export function calicoBlocks(pool: Cidr, blockSize: number): bigint {
    if (blockSize < pool.prefixLength) return 0n;
    return 1n << BigInt(blockSize - pool.prefixLength);
}

/** Addresses in one Calico block. */
export function addressesPerBlock(family: IpFamily, blockSize: number): bigint {
    return 1n << BigInt(familyFacts(family).bits - blockSize);
}

/** Capacity of one cluster family. */
export interface FamilyCapacity {
    readonly family: IpFamily;
    /** Nodes the pod range can serve at the node mask. */
    readonly nodesByPodRange: bigint;
    readonly podAddressesPerNode: bigint;
    readonly calicoBlocks: bigint;
    readonly addressesPerBlock: bigint;
    readonly serviceAddresses: bigint;
    /** Ports the node subnet of this family can hold; undefined when the family has no node subnet or its size is not known. */
    readonly nodeSubnetPorts?: bigint;
}

/** Capacity of a family from its ranges. */
export function familyCapacity(args: {
    family: IpFamily;
    podRange: Cidr;
    nodeMask: number;
    serviceRange: Cidr;
    blockSize: number;
    nodeSubnetPrefix?: number;
}): FamilyCapacity {
    return {
        family: args.family,
        nodesByPodRange: nodesForPodRange(args.podRange, args.nodeMask),
        podAddressesPerNode: podAddressesPerNode(args.family, args.nodeMask),
        calicoBlocks: calicoBlocks(args.podRange, args.blockSize),
        addressesPerBlock: addressesPerBlock(args.family, args.blockSize),
        serviceAddresses: cidrSize(args.serviceRange),
        nodeSubnetPorts:
            args.nodeSubnetPrefix === undefined ? undefined : usableNodeAddresses(args.family, args.nodeSubnetPrefix),
    };
}
