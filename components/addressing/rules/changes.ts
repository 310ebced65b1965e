/**
 * Changes Kubernetes cannot make in place. A deployed single-stack cluster cannot become
 * dual-stack (the apiserver's service ranges, kube-controller-manager's cluster CIDRs and
 * every node's podCIDRs are fixed at kubeadm init), pod and service ranges cannot change,
 * and a new node subnet replaces every port and so every machine. The previous plan comes
 * from the stack's last deployment (its `addressPlan` output).
 */
import { createHash } from "crypto";
import { IpFamily } from "../family";
import { error, Finding } from "../findings";
import { NodeSubnetSummary, PlanSummary } from "../summary";

/** Keys for messages, per family. */
export interface ChangeKeys {
    readonly ipFamilies: string;
    readonly podCidr: (family: IpFamily) => string;
    readonly serviceCidr: (family: IpFamily) => string;
    readonly nodeCidr: (family: IpFamily) => string;
    readonly nodeMask: (family: IpFamily) => string;
    /** The key that allows the change anyway. */
    readonly allowRangeChanges: string;
}

const REBUILD = "Kubernetes cannot change this in place";

function list(families: readonly string[]): string {
    return `[${families.join(", ")}]`;
}

/** What a node subnet is, for comparison: its CIDR, or the subnet pool and prefix length it comes from. */
function nodeSubnetIdentity(subnet: NodeSubnetSummary): string {
    return subnet.cidr ?? `/${subnet.prefixLength} from subnet pool ${subnet.subnetPool}`;
}

/**
 * `ip-families-change`, `pod-range-change`, `service-range-change`, `node-mask-change`,
 * `node-subnet-change`. Returns nothing when `allowed` is true or there is no previous plan.
 */
export function checkRangeChanges(previous: PlanSummary | undefined, next: PlanSummary, keys: ChangeKeys, allowed: boolean): Finding[] {
    if (previous === undefined || allowed) return [];
    const findings: Finding[] = [];
    const fix = `Create a new stack for the new ranges and move workloads, or set ${keys.allowRangeChanges} to true to rebuild this cluster (every machine is replaced).`;
    if (list(previous.ipFamilies) !== list(next.ipFamilies)) {
        const becomes =
            previous.ipFamilies.length !== next.ipFamilies.length
                ? `a ${previous.ipFamilies.length === 1 ? "single-stack" : "dual-stack"} cluster cannot become ${next.ipFamilies.length === 1 ? "single-stack" : "dual-stack"}`
                : "the primary family is fixed at kubeadm init";
        findings.push(
            error(
                "ip-families-change",
                keys.ipFamilies,
                `${keys.ipFamilies} was ${list(previous.ipFamilies)} when the cluster was deployed and is now ${list(next.ipFamilies)}: ` +
                    `${becomes}; ${REBUILD}. ${fix}`,
            ),
        );
        return findings;
    }
    for (const family of next.families) {
        const before = previous.families.find((f) => f.family === family.family);
        if (before === undefined) continue;
        const pairs: Array<[string, string, string, string, string]> = [
            ["pod-range-change", keys.podCidr(family.family), before.pods.cidr, family.pods.cidr, "ranges are fixed at kubeadm init"],
            ["service-range-change", keys.serviceCidr(family.family), before.services.cidr, family.services.cidr, "ranges are fixed at kubeadm init"],
            [
                "node-mask-change",
                keys.nodeMask(family.family),
                String(before.pods.nodeMask),
                String(family.pods.nodeMask),
                "node ranges already handed out keep their size, and kube-controller-manager cannot mix sizes",
            ],
        ];
        for (const [rule, key, was, now, why] of pairs) {
            if (was !== now) {
                findings.push(
                    error(rule, key, `${key} was ${was} when the cluster was deployed and is now ${now}; ${REBUILD} (${family.family} ${why}). ${fix}`),
                );
            }
        }
    }
    for (const before of previous.nodeSubnets) {
        const subnet = next.nodeSubnets.find((s) => s.family === before.family);
        const was = nodeSubnetIdentity(before);
        const now = subnet === undefined ? "no subnet" : nodeSubnetIdentity(subnet);
        if (was === now) continue;
        const key = keys.nodeCidr(before.family);
        findings.push(
            error(
                "node-subnet-change",
                key,
                `The ${before.family} node subnet was ${was} when the cluster was deployed and is now ${now} (${key}); a new ` +
                    `node subnet replaces every port and so every machine. ${fix}`,
            ),
        );
    }
    return findings;
}

/**
 * A short fingerprint of everything Kubernetes fixes at kubeadm init (families, pod and
 * service ranges, node masks, node subnets). The Cluster stamps it on every machine and on
 * its Kubernetes provider, so a change allowed by `allowRangeChanges` rebuilds the cluster.
 */
export function rangesFingerprint(plan: PlanSummary): string {
    const fixed = {
        ipFamilies: plan.ipFamilies,
        families: plan.families.map((f) => [f.family, f.pods.cidr, f.services.cidr, f.pods.nodeMask]),
        nodeSubnets: plan.nodeSubnets.map((s) => [s.family, nodeSubnetIdentity(s)]),
    };
    return createHash("sha256").update(JSON.stringify(fixed)).digest("hex").slice(0, 12);
}
