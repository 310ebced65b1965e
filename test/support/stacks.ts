/**
 * Building stack configurations for tests: a valid base plus overrides, loaded and planned
 * exactly as `dualstack check` does.
 */
import { Finding, planAddresses, PlanResult } from "../../components/addressing";
import { loadConfig } from "../../components/config";

/** A minimal complete stack: what `pulumi up` needs, everything else default. */
export const BASE_CONFIG: Readonly<Record<string, unknown>> = {
    "dualstack:network": { externalNetwork: "public" },
    "dualstack:controlPlane": { flavor: "m1.large", image: "ubuntu-24.04" },
    "dualstack:access": { apiAllowedCidrs: ["203.0.113.0/24"] },
};

function isObject(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Merge objects key by key (lists and scalars replace). `undefined` removes a key. */
export function deepMerge(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        if (v === undefined) delete out[k];
        else if (isObject(v) && isObject(out[k])) out[k] = deepMerge(out[k] as Record<string, unknown>, v);
        else out[k] = v;
    }
    return out;
}

/** Load and plan BASE_CONFIG with overrides; all findings, load and plan together. */
export function evaluate(overrides: Readonly<Record<string, unknown>> = {}, seed = "test"): PlanResult & { all: Finding[] } {
    const loaded = loadConfig(deepMerge(BASE_CONFIG, overrides));
    if (loaded.config === undefined) return { findings: [], labeledRanges: [], all: loaded.findings };
    const planned = planAddresses(loaded.config, { standInSeed: seed }, loaded.explicitKeys);
    return { ...planned, all: [...loaded.findings, ...planned.findings] };
}
