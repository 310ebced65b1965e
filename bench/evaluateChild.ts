/**
 * One size of the `evaluate` suite, in its own process: `evaluateChild.ts NODES RUNS`.
 * Runs the real program (`defineStack`) through `runOffline` for a stack of NODES machines
 * once cold and RUNS times warm, and prints one JSON line: times, resources, peak memory.
 */
import * as v8 from "v8";
import { performance } from "perf_hooks";
import { runOffline } from "../components/offline";
import { defineStack } from "../components/program";
import { median } from "./harness";
import { benchStack } from "./stacks";

/** What the child reports. */
export interface EvaluateMeasurement {
    readonly nodes: number;
    readonly controlPlanes: number;
    readonly workerPools: number;
    readonly resources: number;
    readonly customResources: number;
    /** The first run in the process (module code not yet optimised). */
    readonly coldMs: number;
    /** Median of the warm runs. */
    readonly warmMs: number;
    readonly warmRuns: number[];
    /** CPU time (user + system, all threads) of the cold run and of each warm run: what other work on the machine barely changes. */
    readonly coldCpuMs: number;
    readonly warmCpuRuns: number[];
    /** Resident set after loading the code, before the first run (MiB). */
    readonly baselineRssMiB: number;
    /** Peak resident set of the process up to the end of the first run (MiB, from getrusage). */
    readonly peakRssMiB: number;
    /** Live heap after loading the code, after a full GC (MiB). */
    readonly baselineHeapMiB: number;
    /** Largest heap in use seen during the first run, sampled at every registration and every 5 ms (MiB). */
    readonly peakHeapMiB: number;
}

const MiB = 2 ** 20;

async function main(): Promise<void> {
    const nodes = Number(process.argv[2]);
    const runs = Number(process.argv[3] ?? 3);
    const stack = benchStack(nodes);
    const gc = (globalThis as { gc?: () => void }).gc;

    let peakHeap = 0;
    const sample = () => {
        const used = v8.getHeapStatistics().used_heap_size;
        if (used > peakHeap) peakHeap = used;
    };
    const run = async (i: number) => {
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        const result = await runOffline(defineStack, {
            stack: `bench-${nodes}-${i}`,
            config: stack.config,
            realRsaKeys: false,
            // No delay: the hook only samples the heap at every registration.
            latencyMs: () => {
                sample();
                return 0;
            },
        });
        const ms = performance.now() - start;
        const cpu = process.cpuUsage(cpuStart);
        if (result.errors.length > 0) throw new Error(`the ${nodes}-node stack failed: ${result.errors.map((e) => e.message).join("; ")}`);
        return { ms, cpuMs: (cpu.user + cpu.system) / 1000, result };
    };

    gc?.();
    const baselineHeap = v8.getHeapStatistics().used_heap_size;
    const baselineRss = process.memoryUsage().rss;
    const sampler = setInterval(sample, 5);
    const cold = await run(0);
    clearInterval(sampler);
    const peakRssKiB = process.resourceUsage().maxRSS;
    const peakHeapCold = peakHeap;
    const warmRuns: number[] = [];
    const warmCpuRuns: number[] = [];
    for (let i = 1; i <= runs; i++) {
        const warm = await run(i);
        warmRuns.push(warm.ms);
        warmCpuRuns.push(warm.cpuMs);
    }

    const measurement: EvaluateMeasurement = {
        nodes,
        controlPlanes: stack.controlPlanes,
        workerPools: stack.workerPools.length,
        resources: cold.result.cloud.resources.length,
        customResources: cold.result.cloud.resources.filter((r) => r.custom).length,
        coldMs: cold.ms,
        warmMs: median(warmRuns),
        warmRuns,
        coldCpuMs: cold.cpuMs,
        warmCpuRuns,
        baselineRssMiB: baselineRss / MiB,
        peakRssMiB: (peakRssKiB * 1024) / MiB,
        baselineHeapMiB: baselineHeap / MiB,
        peakHeapMiB: peakHeapCold / MiB,
    };
    process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
});
