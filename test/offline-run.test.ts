import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { engineConfig, installOfflineCloud, runOffline } from "../components/offline";
import { cloud } from "./support/runtime";

describe("runOffline", () => {
    // runOffline installs its own cloud; put the suite's back afterwards.
    after(() => installOfflineCloud(cloud, { project: "dualstack", stack: "test" }));

    it("hands config over as the engine does, resolves outputs and marks secrets", async () => {
        const result = await runOffline(
            () => {
                const config = pulumi.runtime.allConfig();
                const secret = new random.RandomPassword("run-secret", { length: 12, special: false });
                const reference = new pulumi.StackReference("self", { name: "organization/dualstack/run" });
                return { config, password: secret.result, previous: reference.getOutput("addressPlan") };
            },
            { stack: "run", config: { "dualstack:pods": { ipv4Cidr: "10.1.0.0/16" }, ipFamilies: ["IPv4"] }, previousOutputs: { addressPlan: { ipFamilies: ["IPv4"] } } },
        );
        assert.deepStrictEqual(result.errors, []);
        assert.deepStrictEqual(result.outputs.config, { "dualstack:pods": '{"ipv4Cidr":"10.1.0.0/16"}', "dualstack:ipFamilies": '["IPv4"]' });
        assert.strictEqual(typeof result.outputs.password, "string");
        assert.deepStrictEqual([...result.secretOutputs], ["password"]);
        assert.deepStrictEqual(result.outputs.previous, { ipFamilies: ["IPv4"] });
        assert.deepStrictEqual(result.cloud.ofType("random:index/randomPassword:RandomPassword").map((r) => r.name), ["run-secret"]);
    });

    it("collects errors raised inside applies", async () => {
        const result = await runOffline(
            () => {
                const value = pulumi.output("x").apply(() => {
                    throw new Error("refused: dualstack:pods.ipv4Cidr");
                });
                new random.RandomPassword("run-fails", { length: value.apply(() => 8) });
                return {};
            },
            { stack: "run2", config: {} },
        );
        assert.ok(result.errors.some((e) => e.message.includes("refused: dualstack:pods.ipv4Cidr")), result.errors.map((e) => e.message).join("\n"));
    });

    it("delays registrations by type, components not at all, and records reads with their URN and dependents", async () => {
        const asked: Array<[string, boolean]> = [];
        const result = await runOffline(
            () => {
                const component = new pulumi.ComponentResource("dualstack:index:Latency", "lat-component");
                const reference = new pulumi.StackReference("lat-ref", { name: "organization/dualstack/lat" }, { parent: component });
                const id = new random.RandomId("lat-id", { byteLength: 4, keepers: { plan: reference.getOutput("addressPlan").apply(String) } }, { parent: component });
                return { hex: id.hex };
            },
            {
                stack: "lat",
                config: {},
                previousOutputs: { addressPlan: "p" },
                latencyMs: (type, custom) => {
                    asked.push([type, custom]);
                    return type === "random:index/randomId:RandomId" ? 30 : 0;
                },
            },
        );
        assert.deepStrictEqual(result.errors, []);
        assert.deepStrictEqual(asked.sort(), [
            ["dualstack:index:Latency", false],
            ["pulumi:pulumi:StackReference", true],
            ["random:index/randomId:RandomId", true],
        ]);
        const id = result.cloud.named("lat-id");
        // The latency was applied: a lower bound setTimeout guarantees, not a speed target.
        assert.ok(id.finishedAt - id.startedAt >= 25, `${id.finishedAt - id.startedAt} ms`);
        const reference = result.cloud.named("lat-ref");
        assert.strictEqual(reference.urn, "urn:pulumi:lat::dualstack::dualstack:index:Latency$pulumi:pulumi:StackReference::lat-ref");
        assert.strictEqual(reference.parent, result.cloud.named("lat-component").urn);
        assert.deepStrictEqual(id.dependencies, [reference.urn]);
        assert.deepStrictEqual(id.propertyDependencies.keepers, [reference.urn]);
    });

    it("engineConfig namespaces bare keys and keeps strings", () => {
        assert.deepStrictEqual(engineConfig({ a: "x", "other:b": 3 }), { "dualstack:a": "x", "other:b": "3" });
    });
});
