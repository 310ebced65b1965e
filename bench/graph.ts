/**
 * The deploy schedule a program's dependency graph forces. Each recorded resource waits for
 * its parent, its provider and every resource its inputs came from (its `dependencies`),
 * then takes its own time (the `seconds` function decides; components usually take none).
 * Pure functions over recorded resources.
 */
import type { RecordedResource } from "../components/offline/cloud";

/** What the graph reads of a recorded resource (propertyDependencies optional, for hand-made graphs in tests). */
export type GraphResource = Pick<RecordedResource, "urn" | "type" | "name" | "custom" | "parent" | "dependencies" | "provider"> &
    Partial<Pick<RecordedResource, "propertyDependencies">>;

/** The URN of a provider reference (`<urn>::<id>`), or undefined for none. */
export function providerUrn(reference: string | undefined): string | undefined {
    if (reference === undefined || reference === "") return undefined;
    const cut = reference.lastIndexOf("::");
    return cut > 0 ? reference.slice(0, cut) : reference;
}

/** Earliest start and finish of one resource when everything runs as early as it may. */
export interface Scheduled {
    readonly resource: GraphResource;
    readonly seconds: number;
    readonly start: number;
    readonly finish: number;
    /** The predecessor that finishes last (the one it waits for longest); undefined when it waits for none. */
    readonly waitsLongestFor?: string;
}

/** A dependency graph with latencies. */
export class DeployGraph {
    readonly byUrn: ReadonlyMap<string, GraphResource>;
    /** Dependencies (and parents) that name no recorded resource. */
    readonly unresolved: ReadonlySet<string>;
    private readonly schedule = new Map<string, Scheduled>();

    constructor(
        readonly resources: readonly GraphResource[],
        private readonly seconds: (resource: GraphResource) => number,
    ) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
        const unresolved = new Set<string>();
        for (const r of resources) for (const p of this.predecessorsOf(r, true)) if (!this.byUrn.has(p)) unresolved.add(p);
        this.unresolved = unresolved;
    }

    /** What a resource waits for: its parent, its provider and its dependencies (recorded ones only unless `all`). */
    predecessorsOf(resource: GraphResource, all = false): string[] {
        const provider = providerUrn(resource.provider);
        const urns = [
            ...new Set([...(resource.parent !== undefined ? [resource.parent] : []), ...(provider !== undefined ? [provider] : []), ...resource.dependencies]),
        ];
        return all ? urns : urns.filter((u) => this.byUrn.has(u));
    }

    /** Earliest start and finish of a resource (memoised; throws on a cycle). */
    scheduled(urn: string, visiting = new Set<string>()): Scheduled {
        const known = this.schedule.get(urn);
        if (known !== undefined) return known;
        const resource = this.byUrn.get(urn);
        if (resource === undefined) throw new Error(`no recorded resource ${urn}`);
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        let start = 0;
        let waitsLongestFor: string | undefined;
        for (const p of this.predecessorsOf(resource)) {
            const finish = this.scheduled(p, visiting).finish;
            if (waitsLongestFor === undefined || finish > start) {
                start = finish;
                waitsLongestFor = p;
            }
        }
        visiting.delete(urn);
        const seconds = this.seconds(resource);
        const entry: Scheduled = { resource, seconds, start, finish: start + seconds, waitsLongestFor };
        this.schedule.set(urn, entry);
        return entry;
    }

    /** Sum of every resource's time: a deploy that creates one resource at a time. */
    totalSeconds(): number {
        return this.resources.reduce((sum, r) => sum + this.seconds(r), 0);
    }

    /** The resource that finishes last when everything starts as early as it may. */
    last(): Scheduled {
        return this.resources.map((r) => this.scheduled(r.urn)).reduce((a, b) => (b.finish > a.finish ? b : a));
    }

    /** The chain of resources that take time and decide when `urn` finishes, first to last (`urn` included). */
    chain(urn: string): Scheduled[] {
        const out: Scheduled[] = [];
        for (let at: string | undefined = urn; at !== undefined; ) {
            const s = this.scheduled(at);
            if (s.seconds > 0 || at === urn) out.push(s);
            at = s.waitsLongestFor;
        }
        return out.reverse();
    }

    /** Every resource `urn` waits for, directly or through others (parents included). */
    ancestors(urn: string): Set<string> {
        const seen = new Set<string>();
        const stack = [urn];
        while (stack.length > 0) {
            const r = this.byUrn.get(stack.pop() as string);
            if (r === undefined) continue;
            for (const p of this.predecessorsOf(r)) {
                if (!seen.has(p)) {
                    seen.add(p);
                    stack.push(p);
                }
            }
        }
        return seen;
    }

    /**
     * How `urn` comes to wait for `ancestor`: the top-level input of `urn` that carries it (or
     * `parent`), and the resources in between, nearest first. Undefined when it does not wait for it.
     */
    waitPath(urn: string, ancestor: string): { input: string; through: string[] } | undefined {
        const resource = this.byUrn.get(urn);
        if (resource === undefined) return undefined;
        // Breadth-first from the resource's direct predecessors, remembering the first hop.
        const direct = this.predecessorsOf(resource);
        const previous = new Map<string, string | undefined>(direct.map((d) => [d, undefined]));
        const queue = [...direct];
        while (queue.length > 0) {
            const at = queue.shift() as string;
            if (at === ancestor) {
                const through: string[] = [];
                for (let p = previous.get(at); p !== undefined; p = previous.get(p)) through.unshift(p);
                return { input: this.inputCarrying(resource, through[0] ?? at), through };
            }
            const r = this.byUrn.get(at);
            for (const p of r === undefined ? [] : this.predecessorsOf(r)) {
                if (!previous.has(p)) {
                    previous.set(p, at);
                    queue.push(p);
                }
            }
        }
        return undefined;
    }

    /** The top-level inputs through which `resource` depends directly on `dependency`, joined. */
    private inputCarrying(resource: GraphResource, dependency: string): string {
        if (resource.parent === dependency) return "parent";
        if (providerUrn(resource.provider) === dependency) return "provider";
        const inputs = Object.entries(resource.propertyDependencies ?? {})
            .filter(([, urns]) => urns.includes(dependency))
            .map(([input]) => input)
            .sort();
        return inputs.length > 0 ? inputs.join(", ") : "dependsOn";
    }
}

/** The last segment of a URN: the resource name. */
export function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** A chain as text: `name (type 2 s) → ...`, types shortened to their class name. */
export function describeChain(chain: readonly Scheduled[]): string {
    return chain.map((s) => `${s.resource.name} ${shortType(s.resource.type)} ${s.seconds} s`).join(" → ");
}

/** `openstack:networking/port:Port` → `Port`. */
export function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}
