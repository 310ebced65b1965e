/**
 * The checks that read the cluster's objects: nodes and their addresses, kubeadm's ranges,
 * Calico's pools, the test pods' addresses. Each family is checked on its own. Pure functions
 * from what was seen and what was expected to report rows.
 */
import { contains, containsAddress, parseAddress, parseCidr } from "../addressing/cidr";
import { IpFamily } from "../addressing/family";
import { familyOf } from "./expectations";
import {
    CheckId,
    CheckResult,
    ClusterFacts,
    Expectations,
    ExpectedPool,
    ExpectedRange,
    FamilyExpectation,
    NodeFacts,
    PodFacts,
    PoolFacts,
} from "./types";

/** A row. */
export function row(check: CheckId, family: IpFamily | "all", result: CheckResult["result"], evidence: string): CheckResult {
    return { check, family, result, evidence };
}

/** `a, b, c and 2 more`. */
export function listOf(items: readonly string[], max = 4): string {
    if (items.length === 0) return "none";
    if (items.length <= max) return items.join(", ");
    return `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/** True when the address lies in the range (both as text). */
export function inRange(address: string, cidr: string): boolean {
    const parsedAddress = parseAddress(address);
    const parsedCidr = parseCidr(cidr);
    return parsedAddress !== undefined && parsedCidr.ok && containsAddress(parsedCidr.cidr, parsedAddress.family, parsedAddress.value);
}

/** True when the range `inner` lies inside `outer` (both as text). */
export function rangeInside(inner: string, outer: string): boolean {
    const parsedInner = parseCidr(inner);
    const parsedOuter = parseCidr(outer);
    return parsedInner.ok && parsedOuter.ok && contains(parsedOuter.cidr, parsedInner.cidr);
}

/** Two CIDRs are the same range (however written). */
export function sameRange(a: string, b: string): boolean {
    const pa = parseCidr(a);
    const pb = parseCidr(b);
    return pa.ok && pb.ok && pa.cidr.text === pb.cidr.text && !pa.hostBitsSet && !pb.hostBitsSet;
}

/** Two addresses are the same (however written). */
export function sameAddress(a: string, b: string): boolean {
    const pa = parseAddress(a);
    const pb = parseAddress(b);
    return pa !== undefined && pb !== undefined && pa.family === pb.family && pa.value === pb.value;
}

/** The first address of a family in a list. */
export function addressOf(addresses: readonly string[], family: IpFamily): string | undefined {
    return addresses.find((a) => familyOf(a) === family);
}

function describeRange(expected: ExpectedRange): string {
    return `${expected.cidr} (${expected.source})`;
}

/** `nodes`: every node registered is Ready, and as many as the plan has. */
export function checkNodes(facts: ClusterFacts, expectations: Expectations): CheckResult {
    const nodes = facts.nodes;
    const notReady = nodes.filter((n) => !n.ready).map((n) => n.name);
    const problems: string[] = [];
    if (nodes.length === 0) problems.push("no node is registered");
    if (notReady.length > 0) problems.push(`not Ready: ${listOf(notReady)}`);
    if (expectations.nodeCount !== undefined && nodes.length < expectations.nodeCount) {
        problems.push(`expected ${expectations.nodeCount} nodes (the plan's control planes and workers), found ${nodes.length}: ${listOf(nodes.map((n) => n.name))}`);
    }
    if (problems.length > 0) return row("nodes", "all", "fail", `expected every node Ready; ${problems.join("; ")}`);
    const planned = expectations.nodeCount !== undefined ? ` (the plan has ${expectations.nodeCount})` : "";
    return row("nodes", "all", "pass", `${nodes.length} node${nodes.length === 1 ? "" : "s"} Ready${planned}`);
}

/**
 * `node-addresses`: every node has an InternalIP of the family, inside the planned node subnet;
 * on a dual-stack cluster the primary family's comes first (kubelet `--node-ip` order).
 */
export function checkNodeAddresses(facts: ClusterFacts, expectations: Expectations): CheckResult[] {
    const dualStack = expectations.families.length > 1;
    return expectations.families.map((expected, index) => {
        const family = expected.family;
        const primary = index === 0;
        if (facts.nodes.length === 0) return row("node-addresses", family, "fail", "no node is registered");
        const where = expected.nodeSubnet ? ` in ${describeRange(expected.nodeSubnet)}` : "";
        const problems: string[] = [];
        const seen: string[] = [];
        for (const node of facts.nodes) {
            const address = addressOf(node.internalIPs, family);
            if (address === undefined) {
                problems.push(`${node.name} has none (InternalIPs: ${listOf(node.internalIPs)})`);
                continue;
            }
            if (expected.nodeSubnet && !inRange(address, expected.nodeSubnet.cidr)) {
                problems.push(`${node.name} has ${address}, outside it`);
                continue;
            }
            if (primary && dualStack && familyOf(node.internalIPs[0]) !== family) {
                problems.push(`${node.name} lists ${node.internalIPs[0]} first (InternalIPs: ${node.internalIPs.join(", ")})`);
                continue;
            }
            seen.push(`${node.name} ${address}`);
        }
        if (problems.length > 0) {
            const order = primary && dualStack ? `, listed first (${family} is the primary family)` : "";
            return row("node-addresses", family, "fail", `expected an ${family} InternalIP${where} on every node${order}; ${problems.join("; ")}`);
        }
        const order = primary && dualStack ? "; listed first" : "";
        return row("node-addresses", family, "pass", `${listOf(seen, 3)}${where}${order}`);
    });
}

/** `cluster-ranges`: kubeadm's pod and service ranges are the planned ones, primary family first. */
export function checkClusterRanges(facts: ClusterFacts, expectations: Expectations): CheckResult[] {
    return expectations.families.map((expected, index) => {
        const family = expected.family;
        if (!expectations.fromPlan) return row("cluster-ranges", family, "skip", "no address plan to compare kubeadm's ranges with");
        const kubeadm = facts.kubeadm;
        if (kubeadm === undefined) return row("cluster-ranges", family, "skip", "no kubeadm-config ConfigMap in kube-system (not a kubeadm cluster?)");
        const problems: string[] = [];
        const seen: string[] = [];
        const compare = (what: "podSubnet" | "serviceSubnet", list: readonly string[], planned: ExpectedRange | undefined) => {
            const actual = list.find((c) => familyOf(c) === family);
            if (actual === undefined) {
                problems.push(`kubeadm's ${what} has no ${family} range (${what}: ${list.join(",") || "empty"})`);
            } else if (planned !== undefined && !sameRange(actual, planned.cidr)) {
                problems.push(`kubeadm's ${what} has ${actual}; expected ${describeRange(planned)}`);
            } else {
                seen.push(`${what} ${actual}`);
            }
            if (index === 0 && list.length > 1 && familyOf(list[0]) !== family) {
                problems.push(`kubeadm's ${what} lists ${list[0]} first; expected the primary family ${family} first`);
            }
        };
        compare("podSubnet", kubeadm.podSubnets, expected.pods);
        compare("serviceSubnet", kubeadm.serviceSubnets, expected.services);
        if (problems.length > 0) return row("cluster-ranges", family, "fail", problems.join("; "));
        return row("cluster-ranges", family, "pass", `kubeadm ${seen.join(", ")}, as planned`);
    });
}

/** The pool modes Calico's operator sets for an encapsulation. */
export function encapsulationModes(encapsulation: string): { ipipMode: string; vxlanMode: string } {
    switch (encapsulation) {
        case "IPIP":
            return { ipipMode: "Always", vxlanMode: "Never" };
        case "IPIPCrossSubnet":
            return { ipipMode: "CrossSubnet", vxlanMode: "Never" };
        case "VXLAN":
            return { ipipMode: "Never", vxlanMode: "Always" };
        case "VXLANCrossSubnet":
            return { ipipMode: "Never", vxlanMode: "CrossSubnet" };
        default:
            return { ipipMode: "Never", vxlanMode: "Never" };
    }
}

function describePool(pool: PoolFacts): string {
    const modes = `IPIP ${pool.ipipMode ?? "Never"}, VXLAN ${pool.vxlanMode ?? "Never"}`;
    return `${pool.name} ${pool.cidr}, block /${pool.blockSize ?? "?"}, ${modes}, natOutgoing ${pool.natOutgoing === true}`;
}

function poolDifferences(pool: PoolFacts, planned: ExpectedPool, expected: FamilyExpectation): string[] {
    const differences: string[] = [];
    const family = expected.family;
    if (pool.blockSize !== planned.blockSize) {
        differences.push(`block size /${pool.blockSize ?? "?"}; expected /${planned.blockSize} (dualstack:calico.blockSize${family})`);
    }
    const modes = encapsulationModes(planned.encapsulation);
    const ipipMode = pool.ipipMode ?? "Never";
    const vxlanMode = pool.vxlanMode ?? "Never";
    if (ipipMode !== modes.ipipMode || vxlanMode !== modes.vxlanMode) {
        differences.push(
            `IPIP ${ipipMode} and VXLAN ${vxlanMode}; expected IPIP ${modes.ipipMode} and VXLAN ${modes.vxlanMode} ` +
                `(dualstack:calico.encapsulation${family} ${planned.encapsulation})`,
        );
    }
    if ((pool.natOutgoing === true) !== planned.natOutgoing) {
        differences.push(`natOutgoing ${pool.natOutgoing === true}; expected ${planned.natOutgoing} (dualstack:calico.natOutgoing${family})`);
    }
    return differences;
}

/**
 * `calico-pools`: one enabled pool of the family covers exactly the pod range, with the planned
 * block size, encapsulation and NAT; no other enabled pool of the family lies outside the pod range.
 */
export function checkCalicoPools(facts: ClusterFacts, expectations: Expectations): CheckResult[] {
    return expectations.families.map((expected) => {
        const family = expected.family;
        if (facts.pools === undefined) {
            return row("calico-pools", family, "fail", "no Calico IPPool API answers (crd.projectcalico.org/v1 or projectcalico.org/v3 ippools): Calico is not installed");
        }
        const enabled = facts.pools.filter((p) => !p.disabled && familyOf(p.cidr) === family);
        const wanted = expected.pods ? ` for ${describeRange(expected.pods)}` : "";
        if (enabled.length === 0) {
            const others = facts.pools.map((p) => `${p.name} ${p.cidr}${p.disabled ? " (disabled)" : ""}`);
            return row("calico-pools", family, "fail", `expected an enabled ${family} pool${wanted}; pools: ${listOf(others)}`);
        }
        if (expected.pods === undefined) {
            return row("calico-pools", family, "pass", `${listOf(enabled.map(describePool), 2)} (no pod range to compare with)`);
        }
        const pods = expected.pods;
        const match = enabled.find((p) => sameRange(p.cidr, pods.cidr));
        const outside = enabled.filter((p) => p !== match && !rangeInside(p.cidr, pods.cidr));
        const problems: string[] = [];
        if (match === undefined) problems.push(`expected an enabled pool${wanted}; ${family} pools: ${listOf(enabled.map((p) => `${p.name} ${p.cidr}`))}`);
        if (outside.length > 0) problems.push(`${listOf(outside.map((p) => `${p.name} ${p.cidr}`))} outside the pod range ${pods.cidr} (${pods.source})`);
        if (match !== undefined && expected.pool !== undefined) {
            const differences = poolDifferences(match, expected.pool, expected);
            if (differences.length > 0) problems.push(`${match.name}: ${differences.join("; ")}`);
        }
        if (problems.length > 0) return row("calico-pools", family, "fail", problems.join("; "));
        const planned = expected.pool ? ", as planned" : " (no plan: block size, encapsulation and NAT not compared)";
        return row("calico-pools", family, "pass", `${describePool(match as PoolFacts)}${planned}`);
    });
}

/** `pod-addresses`: each test pod has an address of the family in the pod range; the primary family's first. */
export function checkPodAddresses(pods: readonly PodFacts[], expectations: Expectations): CheckResult[] {
    const dualStack = expectations.families.length > 1;
    return expectations.families.map((expected, index) => {
        const family = expected.family;
        const primary = index === 0;
        const where = expected.pods ? ` in ${describeRange(expected.pods)}` : "";
        const problems: string[] = [];
        const seen: string[] = [];
        for (const pod of pods) {
            const on = pod.node ? ` on ${pod.node}` : "";
            if (pod.podIPs.length === 0) {
                problems.push(`${pod.name}${on} has no address (${pod.problem ?? `phase ${pod.phase ?? "unknown"}`})`);
                continue;
            }
            const address = addressOf(pod.podIPs, family);
            if (address === undefined) {
                problems.push(`${pod.name}${on} has ${pod.podIPs.join(", ")} only`);
            } else if (expected.pods && !inRange(address, expected.pods.cidr)) {
                problems.push(`${pod.name}${on} has ${address}, outside it`);
            } else if (primary && dualStack && familyOf(pod.podIPs[0]) !== family) {
                problems.push(`${pod.name}${on} lists ${pod.podIPs[0]} first`);
            } else {
                seen.push(`${pod.name}${on} ${address}`);
            }
        }
        if (pods.length === 0) problems.push("no test pod was created");
        if (problems.length > 0) {
            const order = primary && dualStack ? `, listed first` : "";
            return row("pod-addresses", family, "fail", `expected an ${family} address${where} on each test pod${order}; ${problems.join("; ")}`);
        }
        return row("pod-addresses", family, "pass", `${seen.join("; ")}${where}`);
    });
}

/** The two nodes the test pods run on: the server's and the probe's; workers first. */
export function pickNodes(nodes: readonly NodeFacts[]): { server: string; probe: string } | undefined {
    const eligible = nodes
        .filter((n) => n.ready && n.schedulable)
        .sort((a, b) => Number(a.controlPlane) - Number(b.controlPlane) || a.name.localeCompare(b.name));
    if (eligible.length === 0) return undefined;
    return { server: eligible[0].name, probe: (eligible[1] ?? eligible[0]).name };
}
