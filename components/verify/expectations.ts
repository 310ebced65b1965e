/**
 * What the checks compare against: the stack's address plan when there is one, otherwise what
 * the cluster says about itself (kubeadm's ClusterConfiguration, the nodes). Pure functions.
 */
import { contains, parseAddress, parseCidr } from "../addressing/cidr";
import { IpFamily, isIpFamily } from "../addressing/family";
import { PlanSummary, summarizePlan } from "../addressing/summary";
import { ULA_LOCAL_BLOCK, UNIQUE_LOCAL_RANGE } from "../addressing/ula";
import { planAddresses } from "../addressing/validate";
import { keys } from "../config/keys";
import { ClusterConfig } from "../config/types";
import { ClusterFacts, EgressExpectation, Expectations, ExpectedRange, FamilyExpectation, LoadBalancerSupport } from "./types";

/** The family of a CIDR or an address, when it is one. */
export function familyOf(text: string): IpFamily | undefined {
    const cidr = parseCidr(text);
    if (cidr.ok) return cidr.cidr.family;
    return parseAddress(text)?.family;
}

/** True when the CIDR text lies in RFC 4193's fc00::/7. */
function isUniqueLocal(cidrText: string | undefined): boolean {
    if (cidrText === undefined) return false;
    const parsed = parseCidr(cidrText);
    return parsed.ok && contains(UNIQUE_LOCAL_RANGE, parsed.cidr);
}

/**
 * Whether pods of a family reach beyond the cloud, from the plan. The address plan does not
 * record egress itself; this follows from how Neutron routes: IPv4 leaves through the router's
 * SNAT to its external gateway, which only the node subnet's addresses get back through, so pods
 * need Calico's natOutgoing; Neutron never translates IPv6, so IPv6 leaves only from a node subnet
 * that is routed (not unique-local), again through natOutgoing to the node's address.
 */
export function egressFromPlan(plan: PlanSummary, family: IpFamily): EgressExpectation {
    const pool = plan.families.find((f) => f.family === family);
    const subnet = plan.nodeSubnets.find((s) => s.family === family);
    if (pool === undefined || subnet === undefined) {
        return { exists: false, reason: `the plan has no ${family} node subnet` };
    }
    const natKey = keys.natOutgoing(family);
    if (family === "IPv6" && subnet.source !== "subnetPool" && (subnet.source === "ula" || isUniqueLocal(subnet.cidr))) {
        return {
            exists: false,
            reason: `the IPv6 node subnet${subnet.cidr ? ` ${subnet.cidr}` : ""} is unique-local (${subnet.key}) and Neutron routers do not translate IPv6`,
        };
    }
    if (!pool.calico.natOutgoing) {
        return {
            exists: false,
            reason: `${natKey} is false: pod addresses leave unchanged and the router has no route back to the pod range`,
        };
    }
    return {
        exists: true,
        reason:
            family === "IPv4"
                ? `${natKey} translates pod addresses to the node's, and the router's SNAT to its external gateway`
                : `${natKey} translates pod addresses to the node's routed IPv6 address (${subnet.key})`,
    };
}

/**
 * LoadBalancer Services per family need a cloud controller that hands out load balancers. A stack
 * has none yet, so this says why; the cloud integration answers here with the families its load
 * balancers serve.
 */
export function loadBalancerSupport(_config: ClusterConfig): LoadBalancerSupport | { readonly missing: string } {
    return { missing: "the stack has no cloud controller for Services of type LoadBalancer" };
}

function range(cidr: string | undefined, source: string): ExpectedRange | undefined {
    return cidr === undefined ? undefined : { cidr, source };
}

/**
 * Expectations from an address plan (the program's `addressPlan` output, or a stack file planned
 * with the cluster's ULA ID) and the configuration. Ranges carved from a stand-in ULA ID are not
 * the cluster's: they are left out, and a note says so.
 */
export function expectationsFromPlan(plan: PlanSummary, config: ClusterConfig, basis: string): Expectations {
    const notes: string[] = [];
    const standIn = plan.ula?.standIn === true;
    if (standIn) {
        notes.push(
            `The stack's ULA /48 is random and kept in Pulumi state, and the cluster did not show it: ranges written as "ula" are not compared.`,
        );
    }
    const known = (cidr: string | undefined, source: string | undefined, key: string) =>
        standIn && source === "ula" ? undefined : range(cidr, key);
    const families: FamilyExpectation[] = plan.ipFamilies.map((family) => {
        const planned = plan.families.find((f) => f.family === family);
        const subnet = plan.nodeSubnets.find((s) => s.family === family);
        if (subnet !== undefined && subnet.cidr === undefined) {
            notes.push(`The ${family} node subnet comes from subnet pool ${subnet.subnetPool ?? "?"} at up: node addresses are checked for their family only.`);
        }
        return {
            family,
            nodeSubnet: subnet && known(subnet.cidr, subnet.source, subnet.key),
            pods: planned && known(planned.pods.cidr, planned.pods.source, planned.pods.key),
            services: planned && known(planned.services.cidr, planned.services.source, planned.services.key),
            pool: planned && {
                blockSize: planned.calico.blockSize,
                encapsulation: planned.calico.encapsulation,
                natOutgoing: planned.calico.natOutgoing,
            },
            egress: egressFromPlan(plan, family),
        };
    });
    return {
        basis,
        fromPlan: true,
        families,
        nodeCount: plan.nodeCount,
        blockMetadata: config.calico.blockMetadata,
        loadBalancer: loadBalancerSupport(config),
        notes,
    };
}

/** The 40-bit global ID of a ULA /48 holding the address or range, when it is in fd00::/8. */
function ulaGlobalIdOf(text: string): string | undefined {
    const parsed = parseCidr(text.includes("/") ? text : `${text}/128`);
    if (!parsed.ok || !contains(ULA_LOCAL_BLOCK, parsed.cidr)) return undefined;
    return ((parsed.cidr.network >> 80n) & 0xffffffffffn).toString(16).padStart(10, "0");
}

/**
 * The stack's ULA global ID as the cluster shows it: the /48 of kubeadm's IPv6 pod or service
 * range, or of a node's IPv6 address, whichever the configuration derives from the ULA.
 */
export function observedUlaGlobalId(config: ClusterConfig, facts: ClusterFacts): string | undefined {
    const candidates: string[] = [];
    const ipv6Of = (list: readonly string[] | undefined) => (list ?? []).filter((c) => familyOf(c) === "IPv6");
    if (config.pods.cidrs.IPv6?.kind === "ula") candidates.push(...ipv6Of(facts.kubeadm?.podSubnets));
    if (config.services.cidrs.IPv6?.kind === "ula") candidates.push(...ipv6Of(facts.kubeadm?.serviceSubnets));
    if (config.network.nodeCidrs.IPv6?.kind === "ula") candidates.push(...facts.nodes.flatMap((n) => ipv6Of(n.internalIPs)));
    for (const candidate of candidates) {
        const id = ulaGlobalIdOf(candidate);
        if (id !== undefined) return id;
    }
    return undefined;
}

/**
 * Expectations from a stack's configuration: its address plan, with the ULA ID the configuration
 * pins or the cluster shows. `explicitKeys` are the keys the stack file sets.
 */
export function expectationsFromConfig(
    config: ClusterConfig,
    explicitKeys: ReadonlySet<string>,
    facts: ClusterFacts,
    basis: string,
): Expectations {
    const observed = config.ulaGlobalId === undefined ? observedUlaGlobalId(config, facts) : undefined;
    const planned = planAddresses(config, observed !== undefined ? { globalId: observed } : { standInSeed: basis }, explicitKeys);
    if (planned.plan === undefined) {
        throw new Error(`${basis}: the configuration has no address plan; run dualstack check on it`);
    }
    const expectations = expectationsFromPlan(summarizePlan(planned.plan), config, basis);
    return observed === undefined
        ? expectations
        : { ...expectations, notes: [...expectations.notes, `The stack's ULA /48 (ID ${observed}) is read from the cluster.`] };
}

/**
 * Expectations from the cluster alone (no stack): families and pod and service ranges from
 * kubeadm's ClusterConfiguration, or the families of the first node's addresses.
 */
export function expectationsFromCluster(facts: ClusterFacts, basis: string): Expectations {
    const notes: string[] = [];
    const byFamily = (list: readonly string[] | undefined, family: IpFamily) => list?.find((c) => familyOf(c) === family);
    let families: IpFamily[];
    if (facts.kubeadm !== undefined && facts.kubeadm.serviceSubnets.length > 0) {
        families = facts.kubeadm.serviceSubnets.map(familyOf).filter(isIpFamily);
        notes.push("No address plan: the families and the pod and service ranges are kubeadm's (kubeadm-config ConfigMap).");
    } else {
        const first = facts.nodes.find((n) => n.internalIPs.length > 0);
        families = [...new Set((first?.internalIPs ?? []).map(familyOf).filter(isIpFamily))];
        notes.push(
            `No address plan and no kubeadm-config ConfigMap: the families are those of ${first ? `node ${first.name}'s addresses` : "no node"}, and no range is compared.`,
        );
    }
    notes.push(
        "Without a plan, node subnets, the Calico block size, encapsulation and NAT, and egress are not compared; egress is tried where a target is given.",
    );
    return {
        basis,
        fromPlan: false,
        families: families.map((family) => ({
            family,
            pods: range(byFamily(facts.kubeadm?.podSubnets, family), "kubeadm-config podSubnet"),
            services: range(byFamily(facts.kubeadm?.serviceSubnets, family), "kubeadm-config serviceSubnet"),
        })),
        blockMetadata: true,
        loadBalancer: { missing: "no address plan: which families the cluster's load balancers serve is unknown" },
        notes,
    };
}
