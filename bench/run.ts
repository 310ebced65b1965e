/**
 * `npm run bench`: run every suite, print a table per suite, write bench/results.json; the
 * exit code is 1 when a suite's check fails. `npm run bench -- check` runs one suite;
 * `npm run bench -- --report` prints bench/results.json as Markdown (for BENCHMARKS.md)
 * without measuring anything.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderTable, TextFormat } from "../cli/format";
import { round, SuiteResult } from "./harness";
import { SUITES } from "./suites";

const RESULTS = path.join(__dirname, "results.json");

/** A suite's result as stored: when and under which load it was measured. */
interface StoredResult extends SuiteResult {
    readonly measuredAt?: string;
    /** The machine's 1-minute load average when the suite started (2 cores: above 2, other work competed). */
    readonly loadAverage?: number;
    readonly seconds?: number;
}

interface Results {
    readonly generatedAt: string;
    readonly machine: Record<string, unknown>;
    readonly suites: Record<string, StoredResult>;
}

/** One suite's tables, notes and checks, as text or Markdown. */
function renderSuite(result: StoredResult, format: TextFormat): string {
    const out: string[] = [];
    for (const table of [{ title: result.title, rows: result.rows }, ...(result.tables ?? [])]) {
        const headers = Object.keys(table.rows[0] ?? {});
        const body = renderTable(headers, table.rows.map((r) => headers.map((h) => String(r[h] ?? ""))), format);
        out.push(format === "markdown" ? `**${table.title}**\n\n${body}\n` : `\n${table.title}\n${body}`);
    }
    const bullet = format === "markdown" ? "- " : "  ";
    for (const note of result.notes ?? []) out.push(`${bullet}note: ${note}`);
    for (const check of result.checks) out.push(`${bullet}${check.ok ? "ok  " : "FAIL"} ${check.what} (${check.detail})`);
    if (format === "markdown" && result.measuredAt !== undefined) {
        out.push(`${bullet}measured ${result.measuredAt} in ${result.seconds} s, load average ${result.loadAverage} at the start`);
    }
    return out.join("\n");
}

function readResults(): Results | undefined {
    return fs.existsSync(RESULTS) ? (JSON.parse(fs.readFileSync(RESULTS, "utf8")) as Results) : undefined;
}

function report(): number {
    const results = readResults();
    if (results === undefined) {
        process.stderr.write(`no ${path.relative(process.cwd(), RESULTS)}: run npm run bench first\n`);
        return 2;
    }
    const machine = results.machine;
    process.stdout.write(`Machine: ${machine.cpuModel}, ${machine.cpus} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}.\n\n`);
    for (const suite of SUITES) {
        const result = results.suites[suite.name];
        if (result !== undefined) process.stdout.write(`### ${suite.name}\n\n${renderSuite(result, "markdown")}\n\n`);
    }
    return 0;
}

async function main(): Promise<number> {
    const wanted = process.argv.slice(2);
    if (wanted.includes("--report")) return report();
    const suites = wanted.length > 0 ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
    if (suites.length === 0 || suites.length < wanted.length) {
        process.stderr.write(`unknown suite; choose from ${SUITES.map((s) => s.name).join(", ")}\n`);
        return 2;
    }
    const results: StoredResult[] = [];
    for (const suite of suites) {
        process.stdout.write(`running ${suite.name}...\n`);
        const measuredAt = new Date().toISOString();
        const loadAverage = round(os.loadavg()[0], 1);
        const start = Date.now();
        const result = await suite.run();
        const stored: StoredResult = { ...result, measuredAt, loadAverage, seconds: Math.round((Date.now() - start) / 1000) };
        results.push(stored);
        process.stdout.write(`${renderSuite(stored, "table")}\n\n`);
    }
    const merged = { ...(readResults()?.suites ?? {}) };
    for (const r of results) merged[r.name] = r;
    const cpus = os.cpus();
    const out: Results = {
        generatedAt: new Date().toISOString(),
        machine: {
            node: process.version,
            platform: `${os.platform()} ${os.arch()}`,
            cpus: cpus.length,
            cpuModel: cpus[0]?.model ?? "unknown",
            memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        },
        suites: merged,
    };
    fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), RESULTS)}\n`);
    return results.every((r) => r.checks.every((c) => c.ok)) ? 0 : 1;
}

main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
        process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 1;
    },
);
