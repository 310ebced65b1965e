/**
 * `dualstack check` overlap detection with 1,000 / 10,000 / 100,000 reserved ranges. The
 * sweep must scale as n log n: ten times the ranges may cost about ten times the time
 * (we allow 20x), where a pairwise comparison costs a hundred times.
 */
import { cidr, findOverlaps, formatAddress, Labeled, overlaps } from "../components/addressing";
import { StackFile } from "../components/config";
import { checkStacks } from "../components/stack";
import { performance } from "perf_hooks";
import { round, Row, Suite, SuiteResult, timeMedian, timeRuns } from "./harness";

/** n distinct reserved ranges: IPv4 /27s in 100.64.0.0/10 and IPv6 /64s in 2001:db8::/32, shuffled. */
export function reservedRanges(n: number): string[] {
    const out: string[] = [];
    const v4Base = cidr("100.64.0.0/10").network;
    const v6Base = cidr("2001:db8::/32").network;
    for (let i = 0; i < n; i++) {
        out.push(i % 2 === 0 ? `${formatAddress("IPv4", v4Base + BigInt(i / 2) * 32n)}/27` : `${formatAddress("IPv6", v6Base + (BigInt((i - 1) / 2) << 64n))}/64`);
    }
    // A deterministic shuffle, so the sort does real work.
    let seed = 42;
    for (let i = out.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const j = seed % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

function stackWith(reserved: string[]): StackFile {
    return {
        file: "bench.yaml",
        stack: "bench",
        config: {
            "dualstack:network": { externalNetwork: "public" },
            "dualstack:controlPlane": { flavor: "f", image: "i" },
            "dualstack:access": { apiAllowedCidrs: ["203.0.113.0/24"] },
            "dualstack:reservedCidrs": reserved,
        },
    };
}

function pairwise(ranges: Labeled<number>[]): number {
    let found = 0;
    for (let i = 0; i < ranges.length; i++) for (let j = i + 1; j < ranges.length; j++) if (overlaps(ranges[i].cidr, ranges[j].cidr)) found++;
    return found;
}

function timeOnce(fn: () => unknown): number {
    const start = performance.now();
    fn();
    return performance.now() - start;
}

export const checkSuite: Suite = {
    name: "check",
    async run(): Promise<SuiteResult> {
        const rows: Row[] = [];
        const best = new Map<number, number>();
        for (const n of [1_000, 10_000, 100_000]) {
            const file = stackWith(reservedRanges(n));
            let errors = 0;
            const check = await timeRuns(() => {
                errors = checkStacks([file]).findings.filter((f) => f.severity === "error").length;
            }, n >= 100_000 ? 3 : 5);
            const labeled = reservedRanges(n).map((text, i) => ({ cidr: cidr(text), label: i }));
            const sweepMs = await timeMedian(() => findOverlaps(labeled), 3);
            // One run, no warm-up: it is the slow contrast, not a figure to be precise about.
            const pairwiseMs = n <= 10_000 ? timeOnce(() => pairwise(labeled)) : NaN;
            best.set(n, check.best);
            rows.push({
                "reserved ranges": n,
                "check ms": round(check.median),
                "best ms": round(check.best),
                "µs/range": round((check.median * 1000) / n),
                "sweep ms": round(sweepMs),
                "pairwise ms": Number.isNaN(pairwiseMs) ? "not run (5e9 pairs)" : round(pairwiseMs),
                errors,
            });
        }
        const ratio = (best.get(100_000) ?? 0) / (best.get(10_000) ?? 1);
        return {
            name: "check",
            title: "dualstack check with many reserved ranges (load, plan, every rule, overlap sweep)",
            rows,
            notes: ["check ms = median, best ms = fastest run (the scaling check compares best times); sweep = findOverlaps alone; pairwise = comparing every pair, for contrast"],
            checks: [
                {
                    what: "check scales as n log n: 100,000 ranges cost at most 20x 10,000 (best times)",
                    ok: ratio <= 20,
                    detail: `ratio ${round(ratio)}`,
                },
                { what: "no false overlaps among disjoint ranges", ok: rows.every((r) => r.errors === 0), detail: rows.map((r) => r.errors).join("/") },
            ],
        };
    },
};
