/**
 * The program run against dualstack's offline cloud: Pulumi's mock runtime with a stand-in
 * OpenStack (fixed IPs, floating IPs, keys), no cloud and no Pulumi CLI. `npm test`.
 */
import * as assert from "assert";
import { runOffline } from "dualstack/offline";
import edgeLab = require("../index");

describe("edge-lab", () => {
    it("puts the subnets into the existing network and builds the control plane, the GPU pool and Calico", async () => {
        const run = await runOffline(edgeLab, { stack: "test", config: {} });
        assert.deepStrictEqual(run.errors, []);

        // No network of our own: the subnets go into "lab-shared".
        assert.deepStrictEqual(run.cloud.ofType("openstack:networking/network:Network"), []);
        const lookup = run.cloud.calls.find((c) => c.token === "openstack:networking/getNetwork:getNetwork" && c.inputs.name === "lab-shared");
        assert.ok(lookup, "the existing network is looked up by name");

        const machines = run.cloud.ofType("openstack:compute/instance:Instance").map((r) => r.inputs.name);
        assert.deepStrictEqual(machines.sort(), ["edge-lab-control-plane-0", "edge-lab-gpu-0", "edge-lab-gpu-1"]);

        assert.deepStrictEqual(run.outputs.gpuNodes, ["edge-lab-gpu-0", "edge-lab-gpu-1"]);
        // Calico's pools, the primary family's first.
        const pools = run.outputs.calicoPools as Array<{ cidr: string }>;
        assert.deepStrictEqual(pools.map((p) => p.cidr), ["fd42:4c61:6200:100::/56", "10.244.0.0/16"]);
        assert.ok(run.secretOutputs.has("kubeconfig"), "the admin kubeconfig is a secret");
    });
});
