/**
 * A small benchmark harness: suites measure, the runner prints one table per suite and
 * writes everything to bench/results.json. Compare ratios measured in one run; absolute
 * times on a shared machine are noisy.
 */
import { performance } from "perf_hooks";

/** One row of a suite's results; values are numbers or short strings. */
export type Row = Record<string, number | string>;

export interface SuiteResult {
    readonly name: string;
    readonly title: string;
    readonly rows: Row[];
    /** Checks the suite asserts (e.g. a scaling bound), each with its outcome. */
    readonly checks: Array<{ readonly what: string; readonly ok: boolean; readonly detail: string }>;
    readonly notes?: string[];
}

export interface Suite {
    readonly name: string;
    run(): Promise<SuiteResult>;
}

/** Median wall time in milliseconds of `runs` runs of `fn` (after one warm-up). */
export async function timeMedian(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
    await fn();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await fn();
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
}

/** Round for tables. */
export function round(value: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}
