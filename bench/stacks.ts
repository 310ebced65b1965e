/**
 * Stack configurations of a given size for the benchmarks, built the way a platform engineer
 * would size them: one control plane for small clusters and three from ten nodes on, worker
 * pools of at most 50, and pod and node ranges just large enough for the node count (the
 * address rules refuse a pod range with fewer node ranges than nodes).
 */

/** Worker pools hold at most this many nodes. */
export const MAX_POOL_SIZE = 50;

/** From this many nodes on, the control plane has three machines behind load balancers. */
export const HA_FROM_NODES = 10;

/** kubeadm's default node CIDR mask sizes, which the benchmark stacks keep. */
const NODE_MASK = { IPv4: 24, IPv6: 64 } as const;

/** A stack of `nodes` machines. */
export interface BenchStack {
    readonly nodes: number;
    readonly controlPlanes: number;
    readonly workerPools: ReadonlyArray<{ readonly name: string; readonly count: number }>;
    /** The stack file's `config:` map. */
    readonly config: Record<string, unknown>;
}

/** Bits needed to count `n` things (n ≥ 1): the smallest b with 2^b ≥ n. */
export function bitsFor(n: number): number {
    let bits = 0;
    while (2 ** bits < n) bits++;
    return bits;
}

/** `total` split into pools of at most `maxSize`, sizes as even as possible (largest first). */
export function splitIntoPools(total: number, maxSize = MAX_POOL_SIZE): number[] {
    if (total <= 0) return [];
    const pools = Math.ceil(total / maxSize);
    const base = Math.floor(total / pools);
    return Array.from({ length: pools }, (_, i) => base + (i < total % pools ? 1 : 0));
}

/**
 * A dual-stack (IPv4 primary) stack with `nodes` machines. The IPv4 pod range is the default
 * /16 or larger, the IPv6 one the default ULA /56 or larger, each with a node range per node;
 * the IPv4 node subnet holds the nodes, the load balancers' ports and Neutron's own addresses.
 */
export function benchStack(nodes: number, name = `bench-${nodes}`): BenchStack {
    if (!Number.isInteger(nodes) || nodes < 2) throw new Error(`benchStack: nodes is ${nodes}; a cluster needs a control plane and a worker.`);
    const controlPlanes = nodes >= HA_FROM_NODES ? 3 : 1;
    const workerPools = splitIntoPools(nodes - controlPlanes).map((count, i) => ({ name: `pool-${i}`, count }));
    const nodeRangeBits = bitsFor(nodes);
    const podPrefixIPv4 = Math.min(16, NODE_MASK.IPv4 - nodeRangeBits);
    const podPrefixIPv6 = Math.min(56, NODE_MASK.IPv6 - nodeRangeBits);
    // Nodes, three load-balancer ports (VIP and two amphorae), four Neutron addresses.
    const nodeSubnetPrefix = Math.min(22, 32 - bitsFor(nodes + 3 + 4));
    const config: Record<string, unknown> = {
        "dualstack:ipFamilies": ["IPv4", "IPv6"],
        "dualstack:clusterName": name,
        "dualstack:network": { ipv4Cidr: `10.0.0.0/${nodeSubnetPrefix}`, ipv6Cidr: "ula", externalNetwork: "public" },
        "dualstack:pods": {
            ipv4Cidr: `10.64.0.0/${podPrefixIPv4}`,
            ipv6Cidr: `ula/${podPrefixIPv6}`,
            nodeMaskIPv4: NODE_MASK.IPv4,
            nodeMaskIPv6: NODE_MASK.IPv6,
        },
        "dualstack:controlPlane": { count: controlPlanes, flavor: "m1.large", image: "ubuntu-24.04" },
        "dualstack:workerPools": workerPools.map((pool) => ({ ...pool, flavor: "m1.xlarge", image: "ubuntu-24.04" })),
        "dualstack:access": { sshKeyName: "ops", apiAllowedCidrs: ["203.0.113.0/24"], sshAllowedCidrs: ["203.0.113.0/24"] },
    };
    return { nodes, controlPlanes, workerPools, config };
}
