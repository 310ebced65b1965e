/**
 * `npm run bench`: run every suite, print a table per suite, write bench/results.json.
 * `npm run bench -- check` runs one suite.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderTable } from "../cli/format";
import { checkSuite } from "./check";
import { Suite, SuiteResult } from "./harness";

const SUITES: Suite[] = [checkSuite];

async function main(): Promise<number> {
    const wanted = process.argv.slice(2);
    const suites = wanted.length > 0 ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
    if (suites.length === 0) {
        process.stderr.write(`unknown suite; choose from ${SUITES.map((s) => s.name).join(", ")}\n`);
        return 2;
    }
    const results: SuiteResult[] = [];
    for (const suite of suites) {
        process.stdout.write(`running ${suite.name}...\n`);
        const result = await suite.run();
        results.push(result);
        const headers = Object.keys(result.rows[0] ?? {});
        process.stdout.write(`\n${result.title}\n${renderTable(headers, result.rows.map((r) => headers.map((h) => String(r[h]))), "table")}\n`);
        for (const note of result.notes ?? []) process.stdout.write(`  note: ${note}\n`);
        for (const check of result.checks) process.stdout.write(`  ${check.ok ? "ok  " : "FAIL"} ${check.what} (${check.detail})\n`);
        process.stdout.write("\n");
    }
    const file = path.join(__dirname, "results.json");
    const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as { suites?: Record<string, SuiteResult> }) : {};
    const merged = { ...(previous.suites ?? {}) };
    for (const r of results) merged[r.name] = r;
    const out = {
        generatedAt: new Date().toISOString(),
        machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", memoryGiB: Math.round(os.totalmem() / 2 ** 30) },
        suites: merged,
    };
    fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    return results.every((r) => r.checks.every((c) => c.ok)) ? 0 : 1;
}

main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
        process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 1;
    },
);
