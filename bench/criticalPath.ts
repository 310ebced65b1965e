/**
 * Deploy critical path: the program runs under the offline cloud with the latency of each
 * resource type (latency.ts, scaled down), and the simulated wall time is compared with the
 * sum of all latencies (one resource at a time) and with the longest chain the recorded
 * dependencies force (everything as early as it may). Then, for every worker machine, what
 * it waited for: never a control-plane machine or a load balancer, only its port, the
 * endpoint address, PKI, network and the address plan.
 */
import * as path from "path";
import { readStackFile } from "../components/config/stackFile";
import { RecordedResource, runOffline } from "../components/offline";
import { defineStack } from "../components/program";
import { describeChain, DeployGraph, shortType } from "./graph";
import { PROJECT_ROOT, round, Row, Suite, SuiteResult } from "./harness";
import { latencyEntry, latencySeconds } from "./latency";
import { describeNeedless, isWorkerInstance, WaitResource, workerWaits } from "./waits";

/** Real milliseconds per simulated second: a 90 s load balancer takes 4.5 s. */
export const MS_PER_SIMULATED_SECOND = 50;

/** The simulated wall time may exceed the longest chain by this factor (the program's own CPU time, timers). */
export const MAX_WALL_TO_CHAIN = 1.25;

/** Read before the program registers anything; not a step of the deploy's resource graph. */
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** Stacks of stacks/ to deploy: one control plane, and three behind load balancers. */
export const CRITICAL_PATH_STACKS = ["dev", "prod"];

/** The analysis of one deploy. */
export interface DeployAnalysis {
    readonly summary: Row;
    readonly workers: Row[];
    readonly longestChain: string;
    readonly wallToChain: number;
    readonly forbidden: string[];
    readonly needless: Map<string, { text: string; workers: number; costSeconds: number }>;
    readonly unlistedTypes: string[];
}

/** Analyse one recorded deploy: `firstStartMs` is when the first registration began, `wallSeconds` the simulated wall time from then. */
export function analyseDeploy(
    stack: string,
    resources: readonly RecordedResource[],
    firstStartMs: number,
    wallSeconds: number,
    endpointAddresses: readonly string[],
): DeployAnalysis {
    const graph = new DeployGraph(resources, (r) => latencySeconds(r.type, r.custom));
    if (graph.unresolved.size > 0) throw new Error(`stack ${stack}: dependencies on unrecorded resources: ${[...graph.unresolved].join(", ")}`);
    const last = graph.last();
    const chainSeconds = last.finish;
    const workers: Row[] = [];
    const forbidden: string[] = [];
    const needless = new Map<string, { text: string; workers: number; costSeconds: number }>();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const worker of resources.filter((r) => isWorkerInstance(r as WaitResource))) {
        const waits = workerWaits(graph, worker as WaitResource, endpointAddresses);
        const cost = waits.earliestStart - waits.earliestStartNeeded;
        for (const wait of waits.needless) {
            const text = describeNeedless(wait);
            if (wait.forbidden) forbidden.push(`${worker.name} waits for ${text}`);
            const key = `${shortType(wait.type)} ${byUrn.get(wait.urn)?.name} through ${wait.input}`;
            const entry = needless.get(key) ?? { text, workers: 0, costSeconds: 0 };
            needless.set(key, { text, workers: entry.workers + 1, costSeconds: Math.max(entry.costSeconds, cost) });
        }
        workers.push({
            stack,
            worker: worker.name,
            "starts at s": round((worker.startedAt - firstStartMs) / MS_PER_SIMULATED_SECOND, 1),
            "earliest s": waits.earliestStart,
            "needs only s": waits.earliestStartNeeded,
            "waits for (chain)": describeChain(graph.chain(worker.urn).slice(0, -1)),
            "does not need": waits.needless.map(describeNeedless).join("; ") || "-",
        });
    }
    const custom = resources.filter((r) => r.custom);
    const unlistedTypes = [...new Set(custom.filter((r) => latencyEntry(r.type) === undefined).map((r) => r.type))].sort();
    return {
        summary: {
            stack,
            "custom resources": custom.length,
            "sum of latencies s": graph.totalSeconds(),
            "longest chain s": chainSeconds,
            "simulated wall s": round(wallSeconds, 1),
            "wall / chain": round(wallSeconds / chainSeconds),
            "sum / wall": round(graph.totalSeconds() / wallSeconds, 1),
            "last to finish": `${last.resource.name} (${shortType(last.resource.type)})`,
        },
        workers,
        longestChain: describeChain(graph.chain(last.resource.urn)),
        wallToChain: wallSeconds / chainSeconds,
        forbidden,
        needless,
        unlistedTypes,
    };
}

export const criticalPathSuite: Suite = {
    name: "critical-path",
    async run(): Promise<SuiteResult> {
        const rows: Row[] = [];
        const workerRows: Row[] = [];
        const notes: string[] = [];
        const analyses: DeployAnalysis[] = [];
        for (const name of CRITICAL_PATH_STACKS) {
            const file = readStackFile(path.join(PROJECT_ROOT, "stacks", `Pulumi.${name}.yaml`));
            // A first run without latency, so that the measured one runs warm code.
            await runOffline(defineStack, { stack: file.stack, config: file.config, realRsaKeys: false });
            const result = await runOffline(defineStack, {
                stack: file.stack,
                config: file.config,
                realRsaKeys: false,
                latencyMs: (type, custom) => latencySeconds(type, custom) * MS_PER_SIMULATED_SECOND,
            });
            if (result.errors.length > 0) throw new Error(`stack ${name}: ${result.errors.map((e) => e.message).join("; ")}`);
            const resources = result.cloud.resources;
            // From the first registration after the program's start-up on. The start-up is not part
            // of a deploy: the program reads its own last deployment (a StackReference) and then
            // designs the whole cluster before registering anything, and that CPU time, scaled up
            // like a latency, would read as 10 to 20 simulated seconds.
            const firstStart = Math.min(...resources.filter((r) => r.type !== STACK_REFERENCE).map((r) => r.startedAt));
            const wallSeconds = (Math.max(...resources.map((r) => r.finishedAt)) - firstStart) / MS_PER_SIMULATED_SECOND;
            const endpoints = [result.outputs.apiEndpointIPv4, result.outputs.apiEndpointIPv6].filter((a): a is string => typeof a === "string");
            const analysis = analyseDeploy(file.stack, resources, firstStart, wallSeconds, endpoints);
            analyses.push(analysis);
            rows.push(analysis.summary);
            workerRows.push(...analysis.workers);
            notes.push(`${file.stack} longest chain: ${analysis.longestChain}`);
            for (const [, n] of analysis.needless) {
                notes.push(`${file.stack}: ${n.workers} worker machine(s) wait for ${n.text}; it delays them by up to ${n.costSeconds} s`);
            }
            if (analysis.unlistedTypes.length > 0) notes.push(`${file.stack}: types not in the latency table (1 s each): ${analysis.unlistedTypes.join(", ")}`);
        }
        const worstWall = analyses.reduce((a, b) => (b.wallToChain > a.wallToChain ? b : a));
        const forbidden = analyses.flatMap((a) => a.forbidden);
        const needlessCount = analyses.reduce((sum, a) => sum + a.needless.size, 0);
        return {
            name: "critical-path",
            title: `Deploy critical path with OpenStack latencies (bench/latency.ts; 1 s simulated = ${MS_PER_SIMULATED_SECOND} ms)`,
            rows,
            tables: [{ title: "What each worker machine waits for (simulated seconds; chain = what decides its start)", rows: workerRows }],
            checks: [
                {
                    what: `the program adds no waits of its own: simulated wall time at most ${MAX_WALL_TO_CHAIN}x the longest chain`,
                    ok: worstWall.wallToChain <= MAX_WALL_TO_CHAIN,
                    detail: `worst ${round(worstWall.wallToChain)} (${worstWall.summary.stack})`,
                },
                {
                    what: "no worker machine waits for a control-plane machine or a load balancer",
                    ok: forbidden.length === 0,
                    detail: forbidden.length === 0 ? `${workerRows.length} workers checked` : forbidden.slice(0, 3).join("; "),
                },
                {
                    what: "worker machines wait only for their port, the endpoint address, PKI, network and the address plan",
                    ok: needlessCount === 0,
                    detail: needlessCount === 0 ? `${workerRows.length} workers checked` : `${needlessCount} needless wait(s), see notes`,
                },
            ],
            notes,
        };
    },
};
