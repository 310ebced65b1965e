/**
 * A small benchmark harness: suites measure, the runner prints one table per suite and
 * writes everything to bench/results.json. Compare ratios measured in one run; absolute
 * times on a shared machine are noisy.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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
    /** Further tables (details behind the rows), each printed after the main one. */
    readonly tables?: Array<{ readonly title: string; readonly rows: Row[] }>;
}

export interface Suite {
    readonly name: string;
    run(): Promise<SuiteResult>;
}

/**
 * Wall times in milliseconds of `runs` runs of `fn` (after one warm-up): the median, and the
 * best, which noise from other work on the machine can only make worse; scaling checks
 * compare best times.
 */
export async function timeRuns(fn: () => unknown | Promise<unknown>, runs = 5): Promise<{ median: number; best: number }> {
    await fn();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await fn();
        times.push(performance.now() - start);
    }
    return { median: median(times), best: Math.min(...times) };
}

/** Median wall time in milliseconds of `runs` runs of `fn` (after one warm-up). */
export async function timeMedian(fn: () => unknown | Promise<unknown>, runs = 5): Promise<number> {
    return (await timeRuns(fn, runs)).median;
}

/** Round for tables. */
export function round(value: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(value * f) / f;
}

/** Median of numbers (the lower middle for an even count). */
export function median(values: readonly number[]): number {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Run a file of the bench in a fresh Node process and return the JSON it prints as its last
 * line of output. A fresh process gives each measurement its own peak memory
 * (`process.resourceUsage().maxRSS` never goes down) and its own cold start. By default the
 * TypeScript runs through ts-node, as `pulumi up` runs a TypeScript program; with
 * `compiledDir` (from `compileProject`) the compiled JavaScript runs instead.
 */
export function runChild<T>(script: string, args: readonly string[] = [], compiledDir?: string): Promise<T> {
    const entry = compiledDir === undefined ? ["-r", "ts-node/register/transpile-only", path.join(__dirname, script)] : [path.join(compiledDir, "bench", script.replace(/\.ts$/, ".js"))];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--expose-gc", ...entry, ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const last = stdout.trim().split("\n").pop() ?? "";
            if (code !== 0) return reject(new Error(`${script} ${args.join(" ")} exited with ${code}: ${stderr.trim() || last}`));
            try {
                resolve(JSON.parse(last) as T);
            } catch {
                reject(new Error(`${script} ${args.join(" ")} printed no JSON result: ${last.slice(0, 200)}`));
            }
        });
    });
}

/** The project's root directory. */
export const PROJECT_ROOT = path.join(__dirname, "..");

/**
 * Compile the project with tsc into a fresh temporary directory (with a link to
 * node_modules) and return that directory; remove it with `fs.rmSync(dir, {recursive: true})`.
 */
export function compileProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-bench-"));
    const tsc = require.resolve("typescript/bin/tsc", { paths: [PROJECT_ROOT] });
    const result = spawnSync(process.execPath, [tsc, "-p", path.join(PROJECT_ROOT, "tsconfig.json"), "--outDir", dir, "--declaration", "false", "--sourceMap", "false"], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
    });
    if (result.status !== 0) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`tsc failed: ${(result.stdout + result.stderr).trim().slice(0, 2000)}`);
    }
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}
