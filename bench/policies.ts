/**
 * The policy pack on the recorded resources of a 300-node stack (and a 30-node one, for the
 * scaling): every resource policy on every resource's inputs and every stack policy on all
 * resources' outputs, timed per policy in this process, as the policy server calls them. Then
 * the same 300-node stack through the real policy server (policies/index.ts in its own
 * process, over gRPC), as `pulumi preview --policy-pack policies` runs it. A copy with every
 * SSH rule opened to the world shows the pack finds what it should at that size.
 */
import * as fs from "fs";
import { performance } from "perf_hooks";
import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RecordedResource, runOffline } from "../components/offline";
import { defineStack } from "../components/program";
import { LocalResource, localResourceArgs, localResourcesFromRecorded, localStackArgs, parsePackConfig, runResourcePolicy, runStackPolicy } from "../components/policies/local";
import { policies } from "../components/policies/policies";
import { PolicyServer } from "../test/support/policyServer";
import { PROJECT_ROOT, round, Row, Suite, SuiteResult } from "./harness";
import { benchStack } from "./stacks";

/** 300 nodes may cost at most this many times 30 nodes. */
export const MAX_POLICY_RATIO_300_TO_30 = 12;

const SECGROUP_RULE = "openstack:networking/secGroupRule:SecGroupRule";

/** A recorded stack as the pack sees it, and which of its resources are custom (resource policies see those). */
export interface PolicyStack {
    readonly resources: LocalResource[];
    readonly custom: ReadonlySet<string>;
}

/** The pack's view of an offline run's resources. */
export function policyStack(recorded: readonly RecordedResource[]): PolicyStack {
    return { resources: localResourcesFromRecorded(recorded), custom: new Set(recorded.filter((r) => r.custom).map((r) => r.urn)) };
}

/** The settings of policies/config.json, keyed by policy. */
function packSettings(): Record<string, object> {
    return parsePackConfig(JSON.parse(fs.readFileSync(`${PROJECT_ROOT}/policies/config.json`, "utf8"))).settings;
}

/** Time and violations of one policy over a stack. */
export interface PolicyTiming {
    readonly policy: string;
    readonly kind: "resource" | "stack";
    /** Resources it was called for (stack policies: 1 call over all). */
    readonly calls: number;
    readonly ms: number;
    readonly violations: string[];
}

/**
 * Run every policy of `pack` over `stack` as the pack's local runner (policies/local.ts, which
 * `dualstack plan` uses) does, timing each: resource policies on every custom resource's
 * inputs, stack policies once on every resource's outputs.
 */
export async function timePolicies(pack: Policies, stack: PolicyStack, config: Readonly<Record<string, object>> = {}): Promise<PolicyTiming[]> {
    const out: PolicyTiming[] = [];
    const customResources = stack.resources.filter((r) => stack.custom.has(r.urn));
    for (const policy of pack) {
        const start = performance.now();
        const violations: string[] = [];
        let calls = 0;
        if ("validateStack" in policy) {
            const run = await runStackPolicy(policy as StackValidationPolicy, localStackArgs(stack.resources, { config: config[policy.name] }));
            violations.push(...run.violations.map((v) => v.message));
            calls = 1;
        } else {
            for (const r of customResources) {
                const run = await runResourcePolicy(policy as ResourceValidationPolicy, localResourceArgs(r.type, r.name, r.urn, r.inputs, { config: config[policy.name] }));
                violations.push(...run.violations.map((v) => v.message));
                calls++;
            }
        }
        out.push({ policy: policy.name, kind: "validateStack" in policy ? "stack" : "resource", calls, ms: performance.now() - start, violations });
    }
    return out;
}

/** The recorded resources with every SSH rule open to the world (IPv4 rules to 0.0.0.0/0, IPv6 to ::/0). */
export function withWorldOpenSsh(resources: readonly RecordedResource[]): { resources: RecordedResource[]; opened: number } {
    let opened = 0;
    const out = resources.map((r) => {
        if (r.type !== SECGROUP_RULE || r.inputs.portRangeMin !== 22) return r;
        opened++;
        const remoteIpPrefix = r.inputs.ethertype === "IPv6" ? "::/0" : "0.0.0.0/0";
        return { ...r, inputs: { ...r.inputs, remoteIpPrefix }, outputs: { ...r.outputs, remoteIpPrefix } };
    });
    return { resources: out, opened };
}

async function recordedStack(nodes: number): Promise<RecordedResource[]> {
    const stack = benchStack(nodes);
    const result = await runOffline(defineStack, { stack: `bench-${nodes}`, config: stack.config, realRsaKeys: false });
    if (result.errors.length > 0) throw new Error(`the ${nodes}-node stack failed: ${result.errors.map((e) => e.message).join("; ")}`);
    return result.cloud.resources;
}

/** The pack through its own server: configure, analyze every custom resource's inputs, analyze the stack. */
async function throughServer(stack: PolicyStack, config: Record<string, object>): Promise<{ startMs: number; analyzeMs: number; stackMs: number; diagnostics: number }> {
    let start = performance.now();
    const server = await PolicyServer.start();
    try {
        const info = await server.info();
        const startMs = performance.now() - start;
        await server.configure(Object.fromEntries(info.policies.map((p) => [p.name, p.level])), config);
        start = performance.now();
        let diagnostics = 0;
        for (const r of stack.resources.filter((x) => stack.custom.has(x.urn))) diagnostics += (await server.analyze(r.type, r.name, r.inputs)).length;
        const analyzeMs = performance.now() - start;
        start = performance.now();
        // By URN: names repeat across types (the Cluster and its Network, say, share the stack's name).
        const served = stack.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, props: r.outputs }));
        diagnostics += (await server.analyzeStack(served)).length;
        return { startMs, analyzeMs, stackMs: performance.now() - start, diagnostics };
    } finally {
        server.stop();
    }
}

const sum = (timings: readonly PolicyTiming[], kind?: "resource" | "stack") => timings.filter((t) => kind === undefined || t.kind === kind).reduce((s, t) => s + t.ms, 0);
const violations = (timings: readonly PolicyTiming[]) => timings.reduce((s, t) => s + t.violations.length, 0);

export const policiesSuite: Suite = {
    name: "policies",
    async run(): Promise<SuiteResult> {
        const config = packSettings();
        const rows: Row[] = [];
        const timings = new Map<number, PolicyTiming[]>();
        const stacks = new Map<number, RecordedResource[]>();
        for (const nodes of [30, 300]) {
            const recorded = await recordedStack(nodes);
            stacks.set(nodes, recorded);
            const stack = policyStack(recorded);
            await timePolicies(policies, stack, config); // warm-up
            const measured = await timePolicies(policies, stack, config);
            timings.set(nodes, measured);
            rows.push({
                nodes,
                "custom resources": stack.custom.size,
                "resource policies ms": round(sum(measured, "resource")),
                "stack policies ms": round(sum(measured, "stack")),
                "total ms": round(sum(measured)),
                "µs/resource": round((sum(measured) * 1000) / stack.custom.size, 0),
                violations: violations(measured),
            });
        }
        const at300 = timings.get(300) as PolicyTiming[];
        const ratio = sum(at300) / sum(timings.get(30) as PolicyTiming[]);

        const tampered = withWorldOpenSsh(stacks.get(300) as RecordedResource[]);
        const tamperedTimings = await timePolicies(policies, policyStack(tampered.resources), config);
        const tamperedFound = tamperedTimings.filter((t) => t.violations.length > 0).map((t) => `${t.policy}: ${t.violations.length}`);

        const stack300 = policyStack(stacks.get(300) as RecordedResource[]);
        const server = await throughServer(stack300, config);
        const perPolicy: Row[] = [...at300]
            .sort((a, b) => b.ms - a.ms)
            .map((t) => ({ policy: t.policy, kind: t.kind, calls: t.calls, ms: round(t.ms), violations: t.violations.length }));
        return {
            name: "policies",
            title: "The policy pack (policies/config.json) on the recorded resources of 30- and 300-node stacks, in process (policies/local.ts)",
            rows,
            tables: [
                { title: "Per policy, 300 nodes", rows: perPolicy },
                {
                    title: "300 nodes through the policy server (policies/index.ts over gRPC, as pulumi preview --policy-pack runs it)",
                    rows: [
                        {
                            "server start ms": round(server.startMs, 0),
                            "analyze each resource ms": round(server.analyzeMs, 0),
                            "analyze stack ms": round(server.stackMs, 0),
                            "µs/resource": round((server.analyzeMs * 1000) / stack300.custom.size, 0),
                            diagnostics: server.diagnostics,
                        },
                    ],
                },
            ],
            checks: [
                {
                    what: `the pack's cost per resource stays flat: 300 nodes take at most ${MAX_POLICY_RATIO_300_TO_30}x the time of 30`,
                    ok: ratio <= MAX_POLICY_RATIO_300_TO_30,
                    detail: `ratio ${round(ratio)}`,
                },
                { what: "the 300-node stack passes every policy, in process and through the server", ok: violations(at300) === 0 && server.diagnostics === 0, detail: `${violations(at300)} / ${server.diagnostics}` },
                {
                    what: "with every SSH rule open to the world, secgroup-world-open refuses each of them and nothing else fires",
                    ok: tamperedFound.length === 1 && tamperedFound[0] === `secgroup-world-open: ${tampered.opened}`,
                    detail: `${tampered.opened} rules opened; ${tamperedFound.join(", ") || "no violations"}`,
                },
            ],
            notes: ["in process: a warm-up pass, then one timed pass; resource policies see each resource's inputs, stack policies every resource's outputs and the Cluster's registered addressPlan"],
        };
    },
};
