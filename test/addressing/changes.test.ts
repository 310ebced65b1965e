import * as assert from "assert";
import { checkRangeChanges, PlanSummary, rangesFingerprint, summarizePlan } from "../../components/addressing";
import { keys } from "../../components/config";
import { evaluate } from "../support/stacks";

function summary(config: Record<string, unknown>): PlanSummary {
    const { plan } = evaluate(config);
    assert.ok(plan);
    return summarizePlan(plan);
}

describe("checkRangeChanges", () => {
    const single = summary({ "dualstack:ipFamilies": ["IPv4"] });
    const dual = summary({});

    it("refuses single-stack → dual-stack, naming ipFamilies", () => {
        const findings = checkRangeChanges(single, dual, keys, false);
        assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [["ip-families-change", "dualstack:ipFamilies"]]);
        assert.match(findings[0].message, /was \[IPv4\] when the cluster was deployed and is now \[IPv4, IPv6\]: a single-stack cluster cannot become dual-stack/);
        assert.match(findings[0].message, /set dualstack:kubernetes\.allowRangeChanges to true/);
    });

    it("refuses dual-stack → single-stack and a primary flip", () => {
        assert.match(checkRangeChanges(dual, single, keys, false)[0].message, /a dual-stack cluster cannot become single-stack/);
        const flipped = summary({ "dualstack:ipFamilies": ["IPv6", "IPv4"] });
        assert.match(checkRangeChanges(dual, flipped, keys, false)[0].message, /the primary family is fixed at kubeadm init/);
    });

    it("refuses new pod, service and node ranges, each by its key", () => {
        const moved = summary({ "dualstack:pods": { ipv4Cidr: "10.245.0.0/16" }, "dualstack:services": { ipv4Cidr: "10.97.0.0/16" }, "dualstack:network": { ipv4Cidr: "10.1.0.0/22" } });
        assert.deepStrictEqual(
            checkRangeChanges(dual, moved, keys, false).map((f) => [f.rule, f.path]),
            [
                ["pod-range-change", "dualstack:pods.ipv4Cidr"],
                ["service-range-change", "dualstack:services.ipv4Cidr"],
                ["node-subnet-change", "dualstack:network.ipv4Cidr"],
            ],
        );
    });

    it("refuses a new node mask and a node subnet that moves to another subnet pool or goes away", () => {
        const mask = summary({ "dualstack:pods": { nodeMaskIPv4: 25 } });
        assert.deepStrictEqual(checkRangeChanges(dual, mask, keys, false).map((f) => [f.rule, f.path]), [["node-mask-change", "dualstack:pods.nodeMaskIPv4"]]);
        const pool = (name: string) => summary({ "dualstack:network": { ipv6Cidr: undefined, ipv6SubnetPool: name } });
        assert.deepStrictEqual(checkRangeChanges(pool("a"), pool("a"), keys, false), []);
        assert.deepStrictEqual(checkRangeChanges(pool("a"), pool("b"), keys, false).map((f) => [f.rule, f.path]), [["node-subnet-change", "dualstack:network.ipv6Cidr"]]);
        assert.match(checkRangeChanges(pool("a"), dual, keys, false)[0].message, /was \/64 from subnet pool a when the cluster was deployed and is now fd[0-9a-f:]+\/64/);
        const noIpv6Nodes = summary({ "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null } });
        const dualNodes = summary({ "dualstack:ipFamilies": ["IPv4"] , "dualstack:network": { ipv6Cidr: "fd00:7::/64" } });
        assert.match(checkRangeChanges(dualNodes, noIpv6Nodes, keys, false)[0].message, /was fd00:7::\/64 when the cluster was deployed and is now no subnet/);
    });

    it("fingerprints the ranges fixed at kubeadm init, and nothing else", () => {
        assert.match(rangesFingerprint(dual), /^[0-9a-f]{12}$/);
        assert.strictEqual(rangesFingerprint(dual), rangesFingerprint(summary({ "dualstack:workerPools": [{ name: "w", count: 9 }] })));
        assert.notStrictEqual(rangesFingerprint(dual), rangesFingerprint(summary({ "dualstack:pods": { nodeMaskIPv4: 25 } })));
        assert.notStrictEqual(rangesFingerprint(dual), rangesFingerprint(summary({ "dualstack:services": { ipv4Cidr: "10.97.0.0/16" } })));
    });

    it("allows anything when allowed, the first deployment, and no change", () => {
        assert.deepStrictEqual(checkRangeChanges(single, dual, keys, true), []);
        assert.deepStrictEqual(checkRangeChanges(undefined, dual, keys, false), []);
        assert.deepStrictEqual(checkRangeChanges(dual, summary({ "dualstack:workerPools": [{ name: "w", count: 9 }] }), keys, false), []);
    });
});
