import * as assert from "assert";
import { policyStack, timePolicies, withWorldOpenSsh } from "../bench/policies";
import { RecordedResource } from "../components/offline";
import { policies } from "../components/policies/policies";
import { readStackFile } from "../components/config";
import { restoreSuiteCloud, runProgram } from "./support/offline";
import { PolicyServer } from "./support/policyServer";
import { stackFromRecorded } from "./support/policyStacks";

const RULE = "openstack:networking/secGroupRule:SecGroupRule";

function rule(name: string, ethertype: string, port: number, remoteIpPrefix: string): RecordedResource {
    const inputs = { direction: "ingress", ethertype, protocol: "tcp", portRangeMin: port, portRangeMax: port, remoteIpPrefix, securityGroupId: "sg" };
    return {
        urn: `urn:pulumi:s::p::${RULE}::${name}`,
        type: RULE,
        name,
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        inputs,
        secretInputs: new Set(),
        outputs: { ...inputs },
        secretOutputs: new Set(),
        startedAt: 0,
        finishedAt: 0,
    };
}

describe("benchmark policies", () => {
    it("opens every SSH rule to the world of its family and leaves the others", () => {
        const recorded = [rule("ssh4", "IPv4", 22, "10.200.0.0/16"), rule("ssh6", "IPv6", 22, "2001:db8::/48"), rule("api", "IPv4", 6443, "10.200.0.0/16")];
        const { resources, opened } = withWorldOpenSsh(recorded);
        assert.strictEqual(opened, 2);
        assert.deepStrictEqual(
            resources.map((r) => [r.name, r.inputs.remoteIpPrefix, r.outputs.remoteIpPrefix]),
            [
                ["ssh4", "0.0.0.0/0", "0.0.0.0/0"],
                ["ssh6", "::/0", "::/0"],
                ["api", "10.200.0.0/16", "10.200.0.0/16"],
            ],
        );
        assert.strictEqual(recorded[0].inputs.remoteIpPrefix, "10.200.0.0/16");
    });

    it("times every policy and keeps its violations", async () => {
        const open = rule("ssh-open", "IPv4", 22, "0.0.0.0/0");
        const stack = policyStack([open]);
        assert.deepStrictEqual([...stack.custom], [open.urn]);
        const timings = await timePolicies(policies, stack);
        assert.deepStrictEqual(
            timings.map((t) => t.policy),
            policies.map((p) => p.name),
        );
        for (const t of timings) {
            assert.strictEqual(t.calls, 1);
            assert.ok(t.ms >= 0);
        }
        const found = timings.filter((t) => t.violations.length > 0);
        assert.deepStrictEqual(
            found.map((t) => [t.policy, t.violations.length]),
            [["secgroup-world-open", 1]],
        );
    });

    describe("through the policy server", () => {
        after(restoreSuiteCloud);

        it("serves a whole recorded stack by URN: names repeat across types", async function () {
            this.timeout(120000);
            // The Cluster, its Network, ClusterPki, ApiEndpoint, ClusterApi and Calico all carry the
            // stack's name: by name, a component would be its own parent and the pack would loop.
            const run = await runProgram("dev", readStackFile("stacks/Pulumi.dev.yaml").config as Record<string, unknown>);
            assert.deepStrictEqual(run.errors, []);
            const stack = stackFromRecorded(run.cloud.resources);
            assert.ok(stack.outputs.filter((r) => r.name === "dev").length >= 2);
            const server = await PolicyServer.start();
            try {
                const info = await server.info();
                await server.configure(Object.fromEntries(info.policies.map((p) => [p.name, p.level])), {});
                const served = stack.outputs.map((r) => ({ type: String(r.type), name: r.name, urn: r.urn, parent: r.parent, props: r.props }));
                assert.deepStrictEqual(await server.analyzeStack(served), []);
                // A machine port without its pod-range pairs is reported under its recorded URN.
                const port = served.find((r) => r.name === "dev-workers-port-0") as (typeof served)[number];
                const tampered = served.map((r) => (r === port ? { ...r, props: { ...r.props, allowedAddressPairs: [] } } : r));
                const found = await server.analyzeStack(tampered);
                assert.deepStrictEqual([...new Set(found.map((d) => [d.policy, d.urn].join(" ")))], [`port-pod-address-pairs ${port.urn}`]);
            } finally {
                server.stop();
            }
        });
    });
});
