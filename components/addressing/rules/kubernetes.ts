/**
 * Rules that mirror kubeadm, kube-apiserver and kube-controller-manager: service range size,
 * pod range against the node mask, family lists (versions: rules/versions.ts).
 */
import { Cidr, cidrSize, hostBits, subnetAt } from "../cidr";
import { familyFacts, IpFamily, isIpFamily } from "../family";
import { error, Finding, warning } from "../findings";

/** kubeadm and kube-apiserver: a service range has at most 20 host bits. */
export const SERVICE_MAX_HOST_BITS = 20;
/** kubeadm: the DNS service is the 10th address of the service range. */
export const SERVICE_MIN_ADDRESSES = 10n;
/** kubeadm: the pod range holds at least 14 addresses. */
export const POD_MIN_ADDRESSES = 14n;
/** kubeadm (both families) and kube-controller-manager's cidrset (IPv6): node mask at most 16 bits longer than the pod prefix. */
export const POD_NODE_MASK_MAX_GAP = 16;

/** Where a limit comes from, for messages ("kubeadm", "the policy pack configuration"). */
export interface Limit {
    readonly value: number;
    readonly source: string;
}

/** Sizes a service range is usually given, used in suggested fixes. */
const TYPICAL_SERVICE_PREFIX: Record<IpFamily, number> = { IPv4: 16, IPv6: 112 };

/**
 * `service-range-too-large`: at most 20 host bits (IPv4 /12 or longer, IPv6 /108 or longer).
 * kube-apiserver from 1.34 skips this check by default (MultiCIDRServiceAllocator with
 * DisableAllocatorDualWrite), but kubeadm still enforces it, so we do too.
 * `service-range-too-small`: at least 10 addresses.
 */
export function checkServiceRange(
    range: Cidr,
    path: string,
    maxHostBits: Limit = { value: SERVICE_MAX_HOST_BITS, source: "kubeadm" },
): Finding[] {
    const bits = familyFacts(range.family).bits;
    const minPrefix = bits - maxHostBits.value;
    if (hostBits(range) > maxHostBits.value) {
        const suggestedPrefix = Math.max(minPrefix, TYPICAL_SERVICE_PREFIX[range.family]);
        const suggestion = subnetAt(range, suggestedPrefix, 0n).text;
        return [
            error(
                "service-range-too-large",
                path,
                `${path} is ${range.text}, ${hostBits(range)} host bits; ${maxHostBits.source} allows at most ` +
                    `${maxHostBits.value} (an ${range.family} service range must be /${minPrefix} or longer). ` +
                    `Use a /${minPrefix} or longer, e.g. ${suggestion}.`,
            ),
        ];
    }
    if (cidrSize(range) < SERVICE_MIN_ADDRESSES) {
        return [
            error(
                "service-range-too-small",
                path,
                `${path} is ${range.text}, ${cidrSize(range)} addresses; kubeadm needs at least ${SERVICE_MIN_ADDRESSES} ` +
                    `(the cluster DNS service is the 10th address). Use a /${bits - 4} or shorter.`,
            ),
        ];
    }
    return [];
}

/**
 * `pod-range-smaller-than-node-mask`, `pod-range-node-mask-gap`, `pod-range-too-small`.
 * kubeadm applies the 16-bit gap to both families; kube-controller-manager only to IPv6.
 */
export function checkPodRangeAndNodeMask(
    podRange: Cidr,
    nodeMask: number,
    podPath: string,
    maskPath: string,
    maxGap: Limit = { value: POD_NODE_MASK_MAX_GAP, source: "kubeadm" },
): Finding[] {
    const findings: Finding[] = [];
    const bits = familyFacts(podRange.family).bits;
    if (cidrSize(podRange) < POD_MIN_ADDRESSES) {
        findings.push(
            error(
                "pod-range-too-small",
                podPath,
                `${podPath} is ${podRange.text}, ${cidrSize(podRange)} addresses; kubeadm needs at least ` +
                    `${POD_MIN_ADDRESSES}. Use a /${bits - 4} or shorter (and a node mask to match).`,
            ),
        );
    }
    if (nodeMask < podRange.prefixLength) {
        findings.push(
            error(
                "pod-range-smaller-than-node-mask",
                podPath,
                `${podPath} is ${podRange.text} but ${maskPath} is ${nodeMask}: every node gets a /${nodeMask} out of ` +
                    `the pod range, so the range must be /${nodeMask} or shorter. Widen the pod range or set ` +
                    `${maskPath} to ${podRange.prefixLength} or more.`,
            ),
        );
    } else if (nodeMask - podRange.prefixLength > maxGap.value) {
        const gap = nodeMask - podRange.prefixLength;
        findings.push(
            error(
                "pod-range-node-mask-gap",
                podPath,
                `${podPath} is ${podRange.text} and ${maskPath} is ${nodeMask}: ${gap} bits apart; ${maxGap.source} ` +
                    `allows at most ${maxGap.value} (2^${maxGap.value} node ranges). Use a pod range of ` +
                    `/${nodeMask - maxGap.value} or longer, or set ${maskPath} to ${podRange.prefixLength + maxGap.value} or less.`,
            ),
        );
    }
    return findings;
}

/** `ip-families-invalid`: one or two families, each IPv4 or IPv6, no duplicates. */
export function checkIpFamilies(families: readonly unknown[], path: string): Finding[] {
    const valid = families.filter(isIpFamily);
    const fix = "Use [IPv4, IPv6], [IPv6, IPv4], [IPv4] or [IPv6].";
    if (families.length === 0 || families.length > 2 || valid.length !== families.length) {
        return [
            error(
                "ip-families-invalid",
                path,
                `${path} is [${families.join(", ")}]; Kubernetes takes one or two families, IPv4 and/or IPv6, primary first. ${fix}`,
            ),
        ];
    }
    if (new Set(valid).size !== valid.length) {
        return [
            error(
                "ip-families-invalid",
                path,
                `${path} is [${families.join(", ")}]; a family may appear once (a dual-stack cluster has one range of each family). ${fix}`,
            ),
        ];
    }
    return [];
}

/** Kubernetes' documented scalability limit: at most 5,000 nodes per cluster ("Considerations for large clusters"). */
export const MAX_CLUSTER_NODES = 5000;

/**
 * `cluster-too-many-nodes`: more machines than Kubernetes is built and tested for. Also keeps
 * a plan from registering hundreds of thousands of machines (256 pools of 1,000).
 */
export function checkNodeCount(nodes: number, path: string): Finding[] {
    if (nodes <= MAX_CLUSTER_NODES) return [];
    return [
        error(
            "cluster-too-many-nodes",
            path,
            `The stack has ${nodes} machines (control plane and ${path}); Kubernetes is built and tested for at most ` +
                `${MAX_CLUSTER_NODES} nodes per cluster. Split the machines over several clusters.`,
        ),
    ];
}

/** `control-plane-even`: etcd needs a majority; an even count tolerates no more failures than one fewer. */
export function checkControlPlaneCount(count: number, path: string): Finding[] {
    if (count % 2 === 0) {
        return [
            warning(
                "control-plane-even",
                path,
                `${path} is ${count}; etcd needs a majority, so ${count} members tolerate as many failures as ` +
                    `${count - 1}. Use ${count - 1} or ${count + 1}.`,
            ),
        ];
    }
    return [];
}

/** `control-plane-join-existing`: node 0 can only join a cluster that has other control planes. */
export function checkJoinExisting(count: number, joinExisting: boolean, path: string, countPath: string): Finding[] {
    if (!joinExisting || count > 1) return [];
    return [
        error(
            "control-plane-join-existing",
            path,
            `${path} is true but ${countPath} is ${count}: a single control plane holds the cluster's only etcd, so its ` +
                `replacement has nothing to join. Set it to false (a replaced single control plane starts an empty cluster; ` +
                `back up etcd first), or run three control planes.`,
        ),
    ];
}
