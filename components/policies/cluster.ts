/**
 * The address plan of each `dualstack:index:Cluster` in the stack, read from the component's
 * registered output `addressPlan` (a PlanSummary, components/addressing/summary.ts), or while
 * that is unknown (a first preview, before the ULA ID exists) its `addressLayout`. Pod and
 * service ranges appear in no OpenStack resource (only inside kubeadm configuration), so this
 * output is how the pack sees them. Every field may be unknown in preview; what is not known
 * is left out.
 */
import { PolicyResource } from "@pulumi/policy";
import { Cidr, parseCidr } from "../addressing/cidr";
import { IpFamily, isIpFamily } from "../addressing/family";
import { keys } from "../config/keys";
import { lineage, tags, types } from "./resources";
import { at, bool, list, num, record, resolveProps, str, tagsOf } from "./values";

/** A range of the plan with the key (or output path) that names it. */
export interface PlanRange {
    readonly cidr: Cidr;
    readonly path: string;
    /** Derived from a stand-in ULA ID (no state yet): only the layout inside the /48 is certain. */
    readonly standInUla: boolean;
}

/** What the pack needs of one cluster family. */
export interface PlanFamily {
    readonly family: IpFamily;
    readonly pods?: PlanRange;
    readonly services?: PlanRange;
    readonly nodeMask?: number;
    readonly nodeMaskPath: string;
    readonly encapsulation?: string;
}

/** One Cluster's plan. */
export interface ClusterPlan {
    readonly resource: PolicyResource;
    readonly name: string;
    readonly families: readonly PlanFamily[];
    readonly nodeSubnets: ReadonlyArray<PlanRange & { readonly family: IpFamily }>;
    /** Families of the node subnets, known even when a subnet pool allocates the CIDR. */
    readonly nodeFamilies: readonly IpFamily[];
    readonly reserved: readonly PlanRange[];
    /** The access gateway's WireGuard client ranges. */
    readonly clientRanges: readonly PlanRange[];
}

function planRange(value: unknown, fallbackPath: string, standIn: boolean, label: (path: string) => string): PlanRange | undefined {
    const text = str(at(value, "cidr"));
    if (text === undefined) return undefined;
    const parsed = parseCidr(text);
    if (!parsed.ok) return undefined;
    return {
        cidr: parsed.cidr,
        path: label(str(at(value, "key")) ?? fallbackPath),
        standInUla: standIn && at(value, "source") === "ula",
    };
}

/** Read one Cluster's plan; undefined when its addressPlan output is not known. */
export function readClusterPlan(resource: PolicyResource, label: (path: string) => string = (p) => p): ClusterPlan | undefined {
    const props = resolveProps(resource.props);
    // `addressPlan` depends on the stack's random ULA ID, unknown in the first preview;
    // `addressLayout` is the same plan with a stand-in ID (flagged), known from the start.
    const plan = record(at(props, "addressPlan")) ?? record(at(props, "addressLayout"));
    if (plan === undefined) return undefined;
    const standIn = bool(at(plan, "ula", "standIn")) === true;
    const base = `${resource.name}.addressPlan`;
    // Without the list of families the plan cannot tell a missing family from an unknown one.
    const familyEntries = list(plan.families);
    if (familyEntries === undefined || familyEntries.some((entry) => !isIpFamily(at(entry, "family")))) return undefined;
    const families: PlanFamily[] = [];
    familyEntries.forEach((entry, i) => {
        const family = at(entry, "family") as IpFamily;
        families.push({
            family,
            pods: planRange(at(entry, "pods"), `${base}.families[${i}].pods.cidr`, standIn, label),
            services: planRange(at(entry, "services"), `${base}.families[${i}].services.cidr`, standIn, label),
            nodeMask: num(at(entry, "pods", "nodeMask")),
            nodeMaskPath: label(keys.nodeMask(family)),
            encapsulation: str(at(entry, "calico", "encapsulation")),
        });
    });
    const nodeSubnets: Array<PlanRange & { family: IpFamily }> = [];
    const nodeFamilies: IpFamily[] = [];
    (list(plan.nodeSubnets) ?? []).forEach((entry, i) => {
        const family = at(entry, "family");
        if (!isIpFamily(family)) return;
        nodeFamilies.push(family);
        const range = planRange(entry, `${base}.nodeSubnets[${i}].cidr`, standIn, label);
        if (range !== undefined) nodeSubnets.push({ ...range, family });
    });
    const reserved: PlanRange[] = [];
    (list(plan.reserved) ?? []).forEach((entry, i) => {
        const range = planRange(entry, `${base}.reserved[${i}].cidr`, false, label);
        if (range !== undefined) reserved.push(range);
    });
    const clientRanges: PlanRange[] = [];
    (list(at(plan, "gateway", "clientRanges")) ?? []).forEach((entry, i) => {
        const range = planRange(entry, `${base}.gateway.clientRanges[${i}].cidr`, standIn, label);
        if (range !== undefined) clientRanges.push(range);
    });
    return { resource, name: resource.name, families, nodeSubnets, nodeFamilies, reserved, clientRanges };
}

/**
 * The plans of every Cluster in the stack whose addressPlan is known. With several clusters,
 * paths name the cluster too (`dualstack:pods.ipv4Cidr of cluster a`).
 */
export function clusterPlans(resources: readonly PolicyResource[]): ClusterPlan[] {
    const clusters = resources.filter((r) => r.type === types.cluster);
    const several = clusters.length > 1;
    return clusters
        .map((c) => readClusterPlan(c, several ? (path) => `${path} of cluster ${c.name}` : undefined))
        .filter((p): p is ClusterPlan => p !== undefined);
}

/** The plan of one family, if the cluster has it. */
export function planFamily(plan: ClusterPlan, family: IpFamily): PlanFamily | undefined {
    return plan.families.find((f) => f.family === family);
}

/**
 * The cluster a resource belongs to: the Cluster among its ancestors, else the Cluster named
 * by its `dualstack-cluster` tag, else the only Cluster of the stack.
 */
export function clusterOf(resource: PolicyResource, plans: readonly ClusterPlan[]): ClusterPlan | undefined {
    const ancestors = new Set(lineage(resource).map((r) => r.urn));
    const byParent = plans.find((p) => ancestors.has(p.resource.urn));
    if (byParent !== undefined) return byParent;
    const tagged = tagsOf(at(resolveProps(resource.props), "tags")).get(tags.cluster);
    const byTag = plans.find((p) => p.name === tagged);
    if (byTag !== undefined) return byTag;
    return plans.length === 1 ? plans[0] : undefined;
}
