import * as assert from "assert";
import { planAddresses } from "../components/addressing";
import { loadConfig } from "../components/config";
import { benchStack, bitsFor, splitIntoPools } from "../bench/stacks";

describe("benchmark stacks", () => {
    it("bitsFor counts the bits a number of things needs", () => {
        assert.deepStrictEqual([1, 2, 3, 4, 5, 256, 257, 300].map(bitsFor), [0, 1, 2, 2, 3, 8, 9, 9]);
    });

    it("splits workers into pools of at most 50, as even as possible", () => {
        assert.deepStrictEqual(splitIntoPools(2), [2]);
        assert.deepStrictEqual(splitIntoPools(50), [50]);
        assert.deepStrictEqual(splitIntoPools(51), [26, 25]);
        assert.deepStrictEqual(splitIntoPools(297), [50, 50, 50, 49, 49, 49]);
        assert.deepStrictEqual(splitIntoPools(0), []);
    });

    for (const nodes of [3, 30, 300, 1000]) {
        it(`a ${nodes}-node stack has ${nodes} machines and passes every address rule`, () => {
            const stack = benchStack(nodes);
            assert.strictEqual(stack.controlPlanes + stack.workerPools.reduce((sum, p) => sum + p.count, 0), nodes);
            assert.strictEqual(stack.controlPlanes, nodes >= 10 ? 3 : 1);
            const loaded = loadConfig(stack.config);
            assert.ok(loaded.config, JSON.stringify(loaded.findings));
            const planned = planAddresses(loaded.config, { standInSeed: stack.config["dualstack:clusterName"] as string }, loaded.explicitKeys);
            assert.deepStrictEqual(planned.findings.filter((f) => f.severity === "error"), []);
            for (const family of planned.plan!.families) assert.ok(family.capacity.nodesByPodRange >= BigInt(nodes), family.family);
        });
    }

    it("keeps the default ranges where they suffice and grows them where they do not", () => {
        assert.deepStrictEqual(benchStack(30).config["dualstack:pods"], { ipv4Cidr: "10.64.0.0/16", ipv6Cidr: "ula/56", nodeMaskIPv4: 24, nodeMaskIPv6: 64 });
        assert.deepStrictEqual(benchStack(300).config["dualstack:pods"], { ipv4Cidr: "10.64.0.0/15", ipv6Cidr: "ula/55", nodeMaskIPv4: 24, nodeMaskIPv6: 64 });
        assert.strictEqual((benchStack(2000).config["dualstack:network"] as { ipv4Cidr: string }).ipv4Cidr, "10.0.0.0/21");
    });

    it("refuses a cluster without a worker", () => {
        assert.throws(() => benchStack(1), /benchStack: nodes is 1; a cluster needs a control plane and a worker\./);
    });
});
