/**
 * What a worker machine waits for before it is created, sorted into what it needs (its port
 * and server group, the network, the API endpoint's address, the PKI and tokens, the address
 * plan) and what it does not (anything else; a control-plane machine or a load balancer
 * above all). Pure functions over a DeployGraph of recorded resources.
 */
import { DeployGraph, GraphResource, nameOf, shortType } from "./graph";

/** A recorded resource with what the classification reads. */
export interface WaitResource extends GraphResource {
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
}

/** Why a worker may wait for a resource. */
export type WaitCategory = "own port" | "server group" | "network" | "endpoint address" | "PKI and tokens" | "address plan";

/** A wait a worker does not need. */
export interface NeedlessWait {
    readonly urn: string;
    readonly type: string;
    /** The worker's input that carries the dependency (`userData`, `networks`, ...). */
    readonly input: string;
    /** Resources between the worker and this one, nearest first (empty: a direct dependency). */
    readonly through: string[];
    /** True for a control-plane machine or a load-balancer resource, which a worker must never wait for. */
    readonly forbidden: boolean;
    /** The resource's computed outputs (not its inputs) that were looked for in the worker's input. */
    readonly valuesLookedFor: string[];
    /** Those found there: none means the worker's input waits for the resource without using it. */
    readonly valuesUsed: string[];
}

/** The waits of one worker machine. */
export interface WorkerWaits {
    readonly worker: string;
    readonly needed: ReadonlyMap<WaitCategory, string[]>;
    readonly needless: NeedlessWait[];
    /** Earliest start from the graph. */
    readonly earliestStart: number;
    /** Earliest start if it waited for what it needs only. */
    readonly earliestStartNeeded: number;
}

const NETWORK_TYPES = new Set([
    "openstack:networking/network:Network",
    "openstack:networking/subnet:Subnet",
    "openstack:networking/secGroup:SecGroup",
    "openstack:networking/router:Router",
    "openstack:networking/routerInterface:RouterInterface",
]);
const PORT = "openstack:networking/port:Port";
const INSTANCE = "openstack:compute/instance:Instance";

/** True for a worker machine (by its `dualstack-role` metadata). */
export function isWorkerInstance(r: WaitResource): boolean {
    return r.type === INSTANCE && (r.inputs.metadata as Record<string, unknown> | undefined)?.["dualstack-role"] === "worker";
}

/** Why the worker may wait for `r`, or undefined when it need not. */
export function waitCategory(worker: WaitResource, r: WaitResource, endpointAddresses: readonly string[]): WaitCategory | undefined {
    const via = (input: string) => (worker.propertyDependencies?.[input] ?? []).includes(r.urn);
    if (r.type === PORT && via("networks")) return "own port";
    if (r.type === "openstack:compute/serverGroup:ServerGroup" && via("schedulerHints")) return "server group";
    if (NETWORK_TYPES.has(r.type)) return "network";
    if (r.type === PORT) {
        const addresses = (r.outputs.allFixedIps as string[] | undefined) ?? [];
        if (addresses.some((a) => endpointAddresses.includes(a))) return "endpoint address";
    }
    if (r.type === "pulumi:pulumi:StackReference" || (r.type === "random:index/randomId:RandomId" && r.name.endsWith("-ula-global-id"))) {
        return "address plan";
    }
    if (r.type.startsWith("tls:") || r.type.startsWith("random:")) return "PKI and tokens";
    return undefined;
}

/** Never acceptable: another machine, or any part of a load balancer. */
export function isForbiddenWait(r: GraphResource): boolean {
    return r.type === INSTANCE || r.type.startsWith("openstack:loadbalancer/");
}

/** Sort what `worker` waits for; `endpointAddresses` are the API endpoint's addresses in the node subnets. */
export function workerWaits(graph: DeployGraph, worker: WaitResource, endpointAddresses: readonly string[]): WorkerWaits {
    const needed = new Map<WaitCategory, string[]>();
    const needless: NeedlessWait[] = [];
    let earliestStartNeeded = 0;
    for (const urn of graph.ancestors(worker.urn)) {
        const r = graph.byUrn.get(urn) as WaitResource | undefined;
        if (r === undefined || !r.custom) continue;
        const category = waitCategory(worker, r, endpointAddresses);
        if (category !== undefined) {
            needed.set(category, [...(needed.get(category) ?? []), r.name]);
            earliestStartNeeded = Math.max(earliestStartNeeded, graph.scheduled(urn).finish);
            continue;
        }
        const path = graph.waitPath(worker.urn, urn) ?? { input: "?", through: [] };
        const looked = computedValues(r);
        const carried = path.input.split(", ").map((input) => JSON.stringify(worker.inputs[input] ?? "")).join("\n");
        needless.push({
            urn,
            type: r.type,
            input: path.input,
            through: path.through,
            forbidden: isForbiddenWait(r),
            valuesLookedFor: Object.keys(looked),
            valuesUsed: Object.entries(looked)
                .filter(([, value]) => carried.includes(value))
                .map(([key]) => key),
        });
    }
    for (const list of needed.values()) list.sort();
    needless.sort((a, b) => a.urn.localeCompare(b.urn));
    return { worker: worker.name, needed, needless, earliestStart: graph.scheduled(worker.urn).start, earliestStartNeeded };
}

/**
 * The string values a resource's provider computed (outputs that are not inputs), at least 4
 * characters long: what a dependent could take from it (an address, an ID).
 */
export function computedValues(r: WaitResource): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(r.outputs)) {
        if (key in r.inputs) continue;
        const text = typeof value === "string" ? value : Array.isArray(value) && value.every((v) => typeof v === "string") ? value.join(",") : undefined;
        if (text !== undefined && text.length >= 4) out[key] = text;
    }
    return out;
}

/** One needless wait as text: `FloatingIp prod-fip through input userData (its address does not appear there)`. */
export function describeNeedless(wait: NeedlessWait): string {
    const via = wait.through.length > 0 ? ` via ${wait.through.map(nameOf).join(" → ")}` : "";
    const use =
        wait.valuesLookedFor.length === 0
            ? ""
            : wait.valuesUsed.length === 0
              ? ` (which does not contain its ${wait.valuesLookedFor.join(" or ")})`
              : ` (which contains its ${wait.valuesUsed.join(", ")})`;
    return `${shortType(wait.type)} ${nameOf(wait.urn)} through input ${wait.input}${via}${use}`;
}
