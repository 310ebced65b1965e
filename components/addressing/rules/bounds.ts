/**
 * Rules on how far a range may reach: a node subnet no larger than the operator allows, and a
 * Calico pool inside the pod range kubeadm hands out.
 */
import { Cidr, contains } from "../cidr";
import { familyFacts, IpFamily } from "../family";
import { error, Finding } from "../findings";
import { Limit } from "./kubernetes";

/** The largest node subnets the policy pack allows by default (`neutron-subnet-size`), as prefix lengths. */
export const NODE_SUBNET_LARGEST: Readonly<Record<IpFamily, number>> = { IPv4: 20, IPv6: 64 };

/**
 * `node-subnet-too-large`: a node subnet wider than the operator's limit (a /prefix). A large
 * subnet is one broadcast domain, uses address space other environments need, and an IPv6
 * subnet wider than /64 cannot use SLAAC.
 *
 * @param shown the subnet as written (its CIDR, or `a /N` when a subnet pool picks it)
 */
export function checkNodeSubnetMaxSize(family: IpFamily, prefixLength: number, shown: string, largest: Limit, path: string): Finding[] {
    if (prefixLength >= largest.value) return [];
    const hostBits = familyFacts(family).bits - prefixLength;
    return [
        error(
            "node-subnet-too-large",
            path,
            `${path} is ${shown}, an ${family} /${prefixLength} (${hostBits} host bits); ${largest.source} allows ${family} ` +
                `node subnets up to /${largest.value}. Use a /${largest.value} or longer: a subnet is one broadcast domain, ` +
                `and what it does not use is lost to other networks.`,
        ),
    ];
}

/**
 * `calico-pool-outside-pod-range`, `calico-pool-larger-than-pod-range`,
 * `calico-pool-family-not-in-cluster`: each Calico pool lies inside kubeadm's podSubnet of its
 * family. Addresses outside it are not pod addresses to kube-proxy and the API server, and
 * other ranges (nodes, services) may already use them.
 *
 * @param podRange the cluster's pod range of the pool's family, or undefined when it has none
 * @param podPath the key of that pod range (of the pool's family even when it is absent)
 */
export function checkPoolInPodRange(pool: Cidr, podRange: Cidr | undefined, poolPath: string, podPath: string): Finding[] {
    const family = pool.family;
    if (podRange === undefined) {
        return [
            error(
                "calico-pool-family-not-in-cluster",
                poolPath,
                `${poolPath} is ${pool.text}, an ${family} pool, but the cluster has no ${family} pod range (${podPath}): ` +
                    `Kubernetes gives pods no ${family} addresses. Remove the pool, or make the cluster dual-stack.`,
            ),
        ];
    }
    if (contains(podRange, pool)) return [];
    if (contains(pool, podRange)) {
        return [
            error(
                "calico-pool-larger-than-pod-range",
                poolPath,
                `${poolPath} is ${pool.text}, larger than the ${family} pod range ${podRange.text} (${podPath}): Calico ` +
                    `would give pods addresses outside kubeadm's podSubnet, which other ranges may use. Use ${podRange.text}.`,
            ),
        ];
    }
    return [
        error(
            "calico-pool-outside-pod-range",
            poolPath,
            `${poolPath} is ${pool.text}, outside the ${family} pod range ${podRange.text} (${podPath}); each Calico pool ` +
                `must lie inside kubeadm's podSubnet. Use ${podRange.text} or a range inside it.`,
        ),
    ];
}
