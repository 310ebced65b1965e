/**
 * `verify.afterUp`: the program runs the checks once the deployment is done, under Pulumi's mock
 * runtime with the Kubernetes API double as the cluster. Only in an update, never in preview
 * or in `dualstack plan`; a broken family fails the update with every failed check.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { planStack } from "../cli/plan";
import { installOfflineCloud, OfflineRunResult, runOffline } from "../components/offline";
import { defineStack } from "../components/program";
import { connectKubernetes, VerificationSummary } from "../components/verify";
import { tempDir, writeStack } from "./support/cli";
import { dualStackScenario, KubernetesDouble, Scenario, startDouble } from "./support/kubernetesDouble";
import { cloud } from "./support/runtime";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

/** BASE_CONFIG with the ULA ID the double's cluster shows, and verify.afterUp. */
const CONFIG = deepMerge(BASE_CONFIG, { "dualstack:ulaGlobalId": "123456789a", "dualstack:verify": { afterUp: true, timeoutSeconds: 30 } });

async function up(scenario: Scenario, options: { preview?: boolean; config?: Record<string, unknown> } = {}): Promise<{ run: OfflineRunResult; double: KubernetesDouble }> {
    const double = await startDouble(scenario);
    try {
        const run = await runOffline(() => defineStack({ connect: () => connectKubernetes({ text: double.kubeconfig() }) }), {
            stack: "dev",
            config: options.config ?? CONFIG,
            preview: options.preview,
        });
        return { run, double };
    } finally {
        await double.stop();
    }
}

describe("verify.afterUp", () => {
    // runOffline installs its own cloud; put the suite's back afterwards.
    after(() => installOfflineCloud(cloud, { project: "dualstack", stack: "test" }));

    it("a healthy cluster: the update succeeds with a verification output, the namespace deleted", async () => {
        const { run, double } = await up(dualStackScenario());
        assert.deepStrictEqual(run.errors, []);
        const summary = run.outputs.verification as VerificationSummary;
        assert.deepStrictEqual([summary.passed, summary.failed, summary.skipped], [19, 0, 4]);
        assert.deepStrictEqual(summary.namespace, { namespace: "dualstack-verify-t0000", deleted: true });
        assert.ok(!run.secretOutputs.has("verification"), "the summary holds no secret");
        assert.strictEqual(summary.checks.find((c) => c.check === "node-addresses" && c.family === "IPv6")?.evidence,
            "dev-control-plane-0 fd12:3456:789a::10, dev-workers-0 fd12:3456:789a::11, dev-workers-1 fd12:3456:789a::12 in fd12:3456:789a::/64 (dualstack:network.ipv6Cidr)");
        assert.strictEqual(double.callLines().at(-1), "DELETE /api/v1/namespaces/dualstack-verify-t0000");
    });

    it("a broken family fails the update, naming each failed check", async () => {
        const { run, double } = await up(dualStackScenario({ blocked: ["IPv6"] }));
        assert.ok(run.errors.length > 0);
        const message = run.errors[0].message;
        assert.ok(pulumi.RunError.isInstance(run.errors[0]), "a RunError: Pulumi prints its message without a stack trace");
        assert.match(message, /^dualstack:verify\.afterUp: 3 checks failed on stack dev \(dualstack verify --stack dev runs them again\):\n/);
        assert.deepStrictEqual(
            message.split("\n").slice(1).map((l) => l.replace(/: .*$/, "")),
            ["  - pod-to-pod IPv6", "  - pod-to-service IPv6", "  - node-port IPv6"],
        );
        assert.strictEqual(run.outputs.verification, undefined);
        assert.strictEqual(double.callLines().at(-1), "DELETE /api/v1/namespaces/dualstack-verify-t0000");
    });

    it("an unreachable API fails the update with the reason", async () => {
        const double = await startDouble(dualStackScenario());
        const kubeconfig = double.kubeconfig();
        const url = double.url;
        await double.stop();
        const run = await runOffline(() => defineStack({ connect: () => connectKubernetes({ text: kubeconfig }) }), { stack: "dev", config: CONFIG });
        assert.strictEqual(
            run.errors[0]?.message,
            `dualstack:verify.afterUp: stack dev could not be verified: the Kubernetes API at ${url} is unreachable (list nodes: connect ECONNREFUSED ${url.slice("http://".length)})`,
        );
    });

    it("never runs in preview, nor without verify.afterUp", async () => {
        const preview = await up(dualStackScenario(), { preview: true });
        assert.deepStrictEqual([preview.run.errors, preview.double.calls], [[], []]);
        assert.ok(!("verification" in preview.run.outputs));
        const off = await up(dualStackScenario(), { config: deepMerge(CONFIG, { "dualstack:verify": { afterUp: false } }) });
        assert.deepStrictEqual([off.run.errors, off.double.calls], [[], []]);
        assert.ok(!("verification" in off.run.outputs));
    });

    it("dualstack plan of a stack with verify.afterUp does not try to verify the offline cluster", async () => {
        const dir = tempDir();
        try {
            const file = writeStack(dir, "afterup", CONFIG);
            const report = await planStack(file);
            assert.deepStrictEqual(report.findings.filter((f) => f.severity === "error"), []);
            assert.ok(report.run && !("verification" in report.run.outputs));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
