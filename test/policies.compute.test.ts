import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import { controlPlaneAntiAffinity } from "../components/policies/compute";
import { messages, resourceArgs, runResourcePolicy } from "./support/policy";

const { ServerGroup } = openstack.compute;

describe("#control-plane-anti-affinity", () => {
    const policy = controlPlaneAntiAffinity;

    it("accepts anti-affinity and soft-anti-affinity on a control-plane group", async () => {
        for (const policies of [["anti-affinity"], ["soft-anti-affinity"]]) {
            const args = resourceArgs(ServerGroup, { name: "dev-control-plane", policies }, { name: "dev-control-plane" });
            assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
        }
    });

    it("warns about a control-plane group without anti-affinity", async () => {
        const args = resourceArgs(ServerGroup, { name: "dev-control-plane", policies: ["affinity"] }, { name: "dev-cp-group" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[control-plane-anti-affinity] dev-cp-group.policies is [affinity]: Nova may place several control-plane machines " +
                'on one hypervisor, and losing that host loses etcd\'s quorum. Use ["anti-affinity"] (or ["soft-anti-affinity"] ' +
                "when the cloud has fewer hosts than control planes).",
        ]);
    });

    it("with requireHard, refuses soft-anti-affinity", async () => {
        const args = resourceArgs(ServerGroup, { name: "prod-control-plane", policies: ["soft-anti-affinity"] }, {
            name: "prod-control-plane",
            config: { requireHard: true },
        });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[control-plane-anti-affinity] prod-control-plane.policies is [soft-anti-affinity]: Nova may place several " +
                'control-plane machines on one hypervisor, and losing that host loses etcd\'s quorum. Use ["anti-affinity"].',
        ]);
    });

    it("warns when anti-affinity allows several machines per host", async () => {
        const args = resourceArgs(ServerGroup, { policies: ["anti-affinity"], rules: { maxServerPerHost: 2 } }, { name: "dev-control-plane" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[control-plane-anti-affinity] dev-control-plane.rules.maxServerPerHost is 2: 2 control-plane machines may share a " +
                "hypervisor, and losing it can lose etcd's quorum. Remove it (one machine per host).",
        ]);
    });

    it("does not apply to worker groups, and skips unknown policies", async () => {
        const worker = await runResourcePolicy(policy, resourceArgs(ServerGroup, { name: "dev-workers", policies: ["affinity"] }));
        assert.deepStrictEqual(worker, { violations: [], notApplicable: "not a control-plane server group (its name does not end with -control-plane)" });
        const unknown = resourceArgs(ServerGroup, { name: "dev-control-plane", policies: [] }, { unknown: ["policies"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, unknown), { violations: [] });
    });
});
