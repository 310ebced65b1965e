import * as assert from "assert";
import { checkRangeChanges, ChangeKeys, PlanSummary, summarizePlan } from "../../components/addressing";
import { keys } from "../../components/config";
import { evaluate } from "../support/stacks";

const changeKeys: ChangeKeys = {
    ipFamilies: keys.ipFamilies,
    podCidr: keys.podCidr,
    serviceCidr: keys.serviceCidr,
    nodeCidr: keys.nodeCidr,
    allow: keys.allowRangeChanges,
};

function summary(config: Record<string, unknown>): PlanSummary {
    const { plan } = evaluate(config);
    assert.ok(plan);
    return summarizePlan(plan);
}

describe("checkRangeChanges", () => {
    const single = summary({ "dualstack:ipFamilies": ["IPv4"] });
    const dual = summary({});

    it("refuses single-stack → dual-stack, naming ipFamilies", () => {
        const findings = checkRangeChanges(single, dual, changeKeys, false);
        assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [["ip-families-change", "dualstack:ipFamilies"]]);
        assert.match(findings[0].message, /was \[IPv4\] when the cluster was deployed and is now \[IPv4, IPv6\]: a single-stack cluster cannot become dual-stack/);
        assert.match(findings[0].message, /set dualstack:kubernetes\.allowRangeChanges to true/);
    });

    it("refuses dual-stack → single-stack and a primary flip", () => {
        assert.match(checkRangeChanges(dual, single, changeKeys, false)[0].message, /a dual-stack cluster cannot become single-stack/);
        const flipped = summary({ "dualstack:ipFamilies": ["IPv6", "IPv4"] });
        assert.match(checkRangeChanges(dual, flipped, changeKeys, false)[0].message, /the primary family is fixed at kubeadm init/);
    });

    it("refuses new pod, service and node ranges, each by its key", () => {
        const moved = summary({ "dualstack:pods": { ipv4Cidr: "10.245.0.0/16" }, "dualstack:services": { ipv4Cidr: "10.97.0.0/16" }, "dualstack:network": { ipv4Cidr: "10.1.0.0/22" } });
        assert.deepStrictEqual(
            checkRangeChanges(dual, moved, changeKeys, false).map((f) => [f.rule, f.path]),
            [
                ["pod-range-change", "dualstack:pods.ipv4Cidr"],
                ["service-range-change", "dualstack:services.ipv4Cidr"],
                ["node-subnet-change", "dualstack:network.ipv4Cidr"],
            ],
        );
    });

    it("allows anything when allowed, the first deployment, and no change", () => {
        assert.deepStrictEqual(checkRangeChanges(single, dual, changeKeys, true), []);
        assert.deepStrictEqual(checkRangeChanges(undefined, dual, changeKeys, false), []);
        assert.deepStrictEqual(checkRangeChanges(dual, summary({ "dualstack:workerPools": [{ name: "w", count: 9 }] }), changeKeys, false), []);
    });
});
