/**
 * Changes Kubernetes cannot make in place. A deployed single-stack cluster cannot become
 * dual-stack (the apiserver's service ranges, kube-controller-manager's cluster CIDRs and
 * every node's podCIDRs are fixed at kubeadm init), pod and service ranges cannot change,
 * and a new node subnet replaces every port and so every machine. The previous plan comes
 * from the stack's last deployment (its `addressPlan` output).
 */
import { familyFacts, IpFamily } from "../family";
import { error, Finding } from "../findings";
import { PlanSummary } from "../summary";

/** Keys for messages, per family. */
export interface ChangeKeys {
    readonly ipFamilies: string;
    readonly podCidr: (family: IpFamily) => string;
    readonly serviceCidr: (family: IpFamily) => string;
    readonly nodeCidr: (family: IpFamily) => string;
    /** The key that allows the change anyway. */
    readonly allow: string;
}

const REBUILD = "Kubernetes cannot change this in place";

function list(families: readonly string[]): string {
    return `[${families.join(", ")}]`;
}

/**
 * `ip-families-change`, `pod-range-change`, `service-range-change`, `node-subnet-change`.
 * Returns nothing when `allowed` is true or there is no previous plan.
 */
export function checkRangeChanges(previous: PlanSummary | undefined, next: PlanSummary, keys: ChangeKeys, allowed: boolean): Finding[] {
    if (previous === undefined || allowed) return [];
    const findings: Finding[] = [];
    const fix = `Create a new stack for the new ranges and move workloads, or set ${keys.allow} to true to rebuild this cluster.`;
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
        const pairs: Array<[string, string, string, string]> = [
            ["pod-range-change", keys.podCidr(family.family), before.pods.cidr, family.pods.cidr],
            ["service-range-change", keys.serviceCidr(family.family), before.services.cidr, family.services.cidr],
        ];
        for (const [rule, key, was, now] of pairs) {
            if (was !== now) {
                findings.push(
                    error(rule, key, `${key} was ${was} when the cluster was deployed and is now ${now}; ${REBUILD} (${familyFacts(family.family).family} ranges are fixed at kubeadm init). ${fix}`),
                );
            }
        }
    }
    for (const subnet of next.nodeSubnets) {
        const before = previous.nodeSubnets.find((s) => s.family === subnet.family);
        // A subnet-pool prefix is chosen by Neutron; only compare ranges written in the configuration.
        if (before?.cidr === undefined || subnet.cidr === undefined || before.cidr === subnet.cidr) continue;
        const key = keys.nodeCidr(subnet.family);
        findings.push(
            error(
                "node-subnet-change",
                key,
                `${key} was ${before.cidr} when the cluster was deployed and is now ${subnet.cidr}; a new node subnet replaces ` +
                    `every port and so every machine. ${fix}`,
            ),
        );
    }
    return findings;
}
