/**
 * End to end: the real program run offline for every shipped stack, and the recorded
 * resources (each custom resource's inputs, every resource's outputs, the Cluster's
 * registered outputs) fed to every policy, as the policy server would feed them.
 *
 * The shipped stacks pass. Crafted bad stacks fail: world-open SSH goes through the program
 * (an access list is only a warning to it) and the pack refuses it. Overlapping pod and node
 * ranges, an IPv6 service /64 and a pod range 20 bits from the node mask are refused by the
 * Cluster itself before it registers anything; the pack is the second line for programs
 * whose ranges did not pass that check, so those stacks are the recorded resources of a
 * sound run with the Cluster's addressPlan replaced by the bad configuration's plan (what
 * the Cluster would register if it did not refuse).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PlanSummary, planAddresses, summarizePlan } from "../components/addressing";
import { standInGlobalId } from "../components/addressing/ula";
import { loadConfig, readStackFile } from "../components/config";
import { OfflineRunResult, RecordedResource } from "../components/offline";
import { policies } from "../components/policies/policies";
import { restoreSuiteCloud, runProgram } from "./support/offline";
import { NamedViolation, runPolicies, runStackPolicy, stackArgs } from "./support/policy";
import { CLUSTER_TYPE, stackFromRecorded } from "./support/policyStacks";
import { deepMerge } from "./support/stacks";

const STACKS = fs
    .readdirSync(path.join(__dirname, "..", "stacks"))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
const shipped = (stack: string) => readStackFile(`stacks/Pulumi.${stack}.yaml`).config;
const packConfig = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policies", "config.json"), "utf8")) as Record<string, object>;

/** The policies that read the Cluster's addressPlan. */
const PLAN_POLICIES = ["ranges-disjoint", "service-range-size", "pod-range-node-mask", "port-pod-address-pairs"];

async function sound(run: OfflineRunResult): Promise<RecordedResource[]> {
    assert.deepStrictEqual(run.errors.map((e) => e.message), []);
    return run.cloud.resources;
}

/** The plan a configuration gives, errors and all, with the ULA ID the offline cloud answers for the stack. */
function planOf(stack: string, config: Record<string, unknown>): PlanSummary {
    const loaded = loadConfig(config);
    assert.ok(loaded.config, loaded.findings.map((f) => f.message).join("\n"));
    const planned = planAddresses(loaded.config, { globalId: standInGlobalId(stack) }, loaded.explicitKeys);
    assert.ok(planned.plan, planned.findings.map((f) => f.message).join("\n"));
    return JSON.parse(JSON.stringify(summarizePlan(planned.plan))) as PlanSummary;
}

/** The recorded resources with the Cluster's registered addressPlan replaced. */
function withAddressPlan(resources: readonly RecordedResource[], plan: PlanSummary): RecordedResource[] {
    return resources.map((r) => (r.type === CLUSTER_TYPE ? { ...r, registeredOutputs: { ...r.registeredOutputs, addressPlan: plan } } : r));
}

function summary(found: readonly NamedViolation[]): Array<[string, string]> {
    return found.map((v) => [v.policy, v.message]);
}

describe("policy pack end to end: the program offline, every policy", function () {
    this.timeout(120000);
    after(restoreSuiteCloud);

    it("has the shipped stacks to check", () => {
        assert.deepStrictEqual(STACKS, ["dev", "lab-ipv6", "private", "prod", "staging"]);
    });

    for (const stack of STACKS) {
        it(`${stack}: passes every policy, with the default configuration and with policies/config.json`, async () => {
            const recorded = stackFromRecorded(await sound(await runProgram(stack, shipped(stack))));
            assert.deepStrictEqual(summary(await runPolicies(policies, recorded)), []);
            assert.deepStrictEqual(summary(await runPolicies(policies, recorded, packConfig)), []);
            // The plan policies did run: the Cluster's addressPlan (pod and service ranges that
            // only kubeadm's configuration holds) was visible to them.
            for (const name of PLAN_POLICIES) {
                const policy = policies.find((p) => p.name === name);
                assert.ok(policy && "validateStack" in policy);
                const run = await runStackPolicy(policy, stackArgs(recorded.outputs));
                assert.deepStrictEqual(run, { violations: [] }, name);
            }
        });
    }

    describe("crafted bad stacks", () => {
        // Pod traffic in VXLAN, so that the machine ports need no address pairs and only the
        // crafted range differs from the recorded resources.
        const base = deepMerge(shipped("dev"), { "dualstack:calico": { encapsulationIPv4: "VXLAN", encapsulationIPv6: "VXLAN" } });
        let recorded: RecordedResource[];
        before(async () => {
            recorded = await sound(await runProgram("e2e-base", base));
            assert.deepStrictEqual(summary(await runPolicies(policies, stackFromRecorded(recorded))), []);
        });

        const crafted: Array<{ title: string; override: Record<string, unknown>; refusedBy: string; expected: Array<[string, string]> }> = [
            {
                title: "overlapping pod and node ranges",
                override: { "dualstack:pods": { ipv4Cidr: "10.10.0.0/16" } },
                refusedBy: "dualstack:network.ipv4Cidr (range-overlap)",
                expected: [
                    [
                        "ranges-disjoint",
                        "[range-overlap] dualstack:network.ipv4Cidr (node subnet 10.10.0.0/22) overlaps dualstack:pods.ipv4Cidr (pod " +
                            "range 10.10.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed to " +
                            "the wrong place. Move dualstack:network.ipv4Cidr to a free range.",
                    ],
                ],
            },
            {
                title: "an IPv6 service /64",
                override: { "dualstack:services": { ipv6Cidr: "fd00:1::/64" } },
                refusedBy: "dualstack:services.ipv6Cidr (service-range-too-large)",
                expected: [
                    [
                        "service-range-size",
                        "[service-range-too-large] dualstack:services.ipv6Cidr is fd00:1::/64, 64 host bits; kubeadm allows at most 20 " +
                            "(an IPv6 service range must be /108 or longer). Use a /108 or longer, e.g. fd00:1::/112.",
                    ],
                ],
            },
            {
                title: "a pod range 20 bits from the node mask",
                override: { "dualstack:pods": { ipv6Cidr: "fd00:44::/44", nodeMaskIPv6: 64 } },
                refusedBy: "dualstack:pods.ipv6Cidr (pod-range-node-mask-gap)",
                expected: [
                    [
                        "pod-range-node-mask",
                        "[pod-range-node-mask-gap] dualstack:pods.ipv6Cidr is fd00:44::/44 and dualstack:pods.nodeMaskIPv6 is 64: 20 " +
                            "bits apart; kubeadm allows at most 16 (2^16 node ranges). Use a pod range of /48 or longer, or set " +
                            "dualstack:pods.nodeMaskIPv6 to 60 or less.",
                    ],
                ],
            },
        ];

        for (const { title, override, refusedBy, expected } of crafted) {
            it(`${title}: the Cluster refuses it, and the pack fails the stack that carries it`, async () => {
                const bad = deepMerge(base, override);
                const refused = await runProgram("e2e-refused", bad);
                assert.ok(refused.errors.some((e) => e.message.includes(refusedBy)), refused.errors.map((e) => e.message).join("\n"));
                assert.deepStrictEqual(refused.cloud.resources.filter((r) => r.type.startsWith("openstack:")), []);

                const stack = stackFromRecorded(withAddressPlan(recorded, planOf("e2e-base", bad)));
                // The recorded Calico release still carries the sound stack's pools; that the
                // pool policy notices they no longer fit the spliced plan is right, not noise.
                const found = summary(await runPolicies(policies, stack));
                assert.deepStrictEqual(found.filter(([policy]) => policy !== "calico-pools-in-pod-range"), expected);
            });
        }

        it("world-open WireGuard: the program builds it, and the pack lets it through (WireGuard is no administrative port)", async () => {
            const open = deepMerge(shipped("private"), { "dualstack:gateway": { allowedSourceCidrs: ["0.0.0.0/0", "::/0"] } });
            const run = await sound(await runProgram("e2e-roaming", open));
            const rules = run.filter((r) => r.type === "openstack:networking/secGroupRule:SecGroupRule" && /-rule-ipv[46]-wireguard-/.test(r.name));
            assert.deepStrictEqual(
                rules.map((r) => [r.name, r.inputs.protocol, r.inputs.portRangeMin, r.inputs.remoteIpPrefix]),
                [
                    ["e2e-roaming-gateway-rule-ipv4-wireguard-0.0.0.0/0", "udp", 51820, "0.0.0.0/0"],
                    ["e2e-roaming-gateway-rule-ipv6-wireguard---/0", "udp", 51820, "::/0"],
                ],
            );
            assert.deepStrictEqual(summary(await runPolicies(policies, stackFromRecorded(run))), []);
        });

        it("world-open SSH: the program builds it (a warning), the pack fails it", async () => {
            const run = await runProgram("e2e-ssh", deepMerge(base, { "dualstack:access": { sshAllowedCidrs: ["0.0.0.0/0"] } }));
            const found = await runPolicies(policies, stackFromRecorded(await sound(run)));
            const rule = "e2e-ssh-nodes-ipv4-ssh-0.0.0.0/0";
            assert.deepStrictEqual(found, [
                {
                    policy: "secgroup-world-open",
                    urn: `urn:pulumi:e2e-ssh::dualstack::dualstack:index:Network$openstack:networking/secGroupRule:SecGroupRule::${rule}`,
                    message:
                        `[secgroup-world-open] ${rule}.remoteIpPrefix is 0.0.0.0/0, so this ingress rule opens SSH (22/tcp) to the ` +
                        "whole IPv4 internet. Admit only the ranges of your offices, VPN or CI runners (dualstack:access.sshAllowedCidrs, " +
                        "dualstack:access.apiAllowedCidrs; the kubelet, etcd and Calico need only the cluster's own nodes), or list the port in the " +
                        "policy pack (secgroup-world-open.allowedPorts) if it must be public.",
                },
            ]);
        });
    });
});
