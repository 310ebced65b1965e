/**
 * Program evaluation: the real program (`defineStack`) through `runOffline` for clusters of
 * 3, 30 and 300 nodes, each size in a fresh process (see evaluateChild.ts), twice: through
 * ts-node, as `pulumi up` runs a TypeScript program, and compiled, as the published package
 * runs. The cost per node must stay flat: 300 nodes may take at most 12x the time of 30.
 */
import * as fs from "fs";
import type { EvaluateMeasurement } from "./evaluateChild";
import { compileProject, round, Row, runChild, Suite, SuiteResult } from "./harness";

/**
 * Cluster sizes and the warm runs measured for each (the cold run comes first). One warm run
 * of 300 nodes: it takes long enough to be steady, and keeps `npm run bench` short.
 */
export const EVALUATE_SIZES: ReadonlyArray<{ nodes: number; warmRuns: number }> = [
    { nodes: 3, warmRuns: 3 },
    { nodes: 30, warmRuns: 3 },
    { nodes: 300, warmRuns: 1 },
];

/** 300 nodes may cost at most this many times 30 nodes. */
export const MAX_RATIO_300_TO_30 = 12;

/** How the program's code is run. */
type Mode = "ts-node" | "compiled";

/** The fastest warm run: noise from other work on the machine only makes runs slower. */
export function bestWarm(m: EvaluateMeasurement): number {
    return Math.min(...m.warmRuns);
}

/** CPU time of the cheapest warm run: the cost figure the flatness check compares. */
export function bestWarmCpu(m: EvaluateMeasurement): number {
    return Math.min(...m.warmCpuRuns);
}

/** One table row from one measurement. */
export function evaluateRow(mode: Mode, m: EvaluateMeasurement): Row {
    return {
        mode,
        nodes: m.nodes,
        "control planes": m.controlPlanes,
        "worker pools": m.workerPools,
        resources: m.resources,
        "cold ms": round(m.coldMs, 0),
        "warm ms": round(m.warmMs, 0),
        "best ms": round(bestWarm(m), 0),
        "best CPU ms": round(bestWarmCpu(m), 0),
        "CPU ms/node": round(bestWarmCpu(m) / m.nodes, 1),
        "baseline RSS MiB": round(m.baselineRssMiB, 0),
        "peak RSS MiB": round(m.peakRssMiB, 0),
        "peak heap MiB": round(m.peakHeapMiB, 0),
        "heap MiB/node": round((m.peakHeapMiB - m.baselineHeapMiB) / m.nodes, 2),
    };
}

export const evaluateSuite: Suite = {
    name: "evaluate",
    async run(): Promise<SuiteResult> {
        const rows: Row[] = [];
        const checks: SuiteResult["checks"] = [];
        const compiledDir = compileProject();
        try {
            for (const mode of ["ts-node", "compiled"] as const) {
                const measured = new Map<number, EvaluateMeasurement>();
                for (const size of EVALUATE_SIZES) {
                    const m = await runChild<EvaluateMeasurement>(
                        "evaluateChild.ts",
                        [String(size.nodes), String(size.warmRuns)],
                        mode === "compiled" ? compiledDir : undefined,
                    );
                    measured.set(size.nodes, m);
                    rows.push(evaluateRow(mode, m));
                }
                const at = (nodes: number) => measured.get(nodes) as EvaluateMeasurement;
                const ratio = bestWarmCpu(at(300)) / bestWarmCpu(at(30));
                const wallRatio = bestWarm(at(300)) / bestWarm(at(30));
                const coldRatio = at(300).coldMs / at(30).coldMs;
                checks.push({
                    what: `${mode}: cost per node stays flat, 300 nodes take at most ${MAX_RATIO_300_TO_30}x the time of 30 (CPU time, best warm runs)`,
                    ok: ratio <= MAX_RATIO_300_TO_30,
                    detail: `ratio ${round(ratio)} CPU; wall ${round(wallRatio)} best, ${round(coldRatio)} cold`,
                });
            }
        } finally {
            fs.rmSync(compiledDir, { recursive: true, force: true });
        }
        return {
            name: "evaluate",
            title: "Program evaluation: defineStack through runOffline, each size in a fresh process (RSA keys 1024 bits: realRsaKeys false)",
            rows,
            checks,
            notes: [
                "cold = first run in the process; warm = median wall time of the following runs, best = the fastest of them; CPU = user + system time of the cheapest warm run (all threads), which other work on the machine barely changes; peak RSS = getrusage maxRSS up to the end of the cold run",
                "peak heap = V8 heap in use, sampled at every registration and every 5 ms during the cold run; heap MiB/node = (peak - baseline) / nodes",
            ],
        };
    },
};
