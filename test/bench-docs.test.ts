import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { OPENSTACK_LATENCY } from "../bench/latency";
import { SUITES } from "../bench/suites";

const benchmarks = () => fs.readFileSync(path.join(__dirname, "..", "BENCHMARKS.md"), "utf8");

describe("BENCHMARKS.md", () => {
    it("prints the latency table the critical-path suite uses", () => {
        const text = benchmarks();
        for (const entry of OPENSTACK_LATENCY) {
            const row = `| \`${entry.type}\`${entry.remoteComponent ? " (component)" : ""} | ${entry.seconds} | ${entry.why} |`;
            assert.ok(text.includes(row), `BENCHMARKS.md lacks the row ${row}`);
        }
    });

    it("describes every suite and shows its figures", () => {
        const text = benchmarks();
        for (const suite of SUITES) {
            assert.ok(text.includes(`| \`${suite.name}\` |`), `no row for ${suite.name} in the suite table`);
            assert.ok(text.includes(`### \`${suite.name}\`\n`), `no section on how ${suite.name} measures`);
            assert.ok(text.includes(`### \`${suite.name}\` (figures)`), `no figures of ${suite.name}`);
        }
    });
});
