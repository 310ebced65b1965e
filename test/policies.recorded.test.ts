/**
 * Policies over a stack recorded by the offline cloud: a component registered under the
 * Cluster's type token with the dev stack's real address plan as its `addressPlan` output,
 * and the OpenStack and Helm resources a cluster has, run through Pulumi's mock runtime.
 */
import * as assert from "assert";
import * as path from "path";
import * as kubernetes from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { familyFacts } from "../components/addressing/family";
import { PlanSummary, summarizePlan } from "../components/addressing/summary";
import { readStackFile } from "../components/config/stackFile";
import { evaluateStack } from "../components/stack";
import { policies } from "../components/policies/policies";
import { cloud, settle } from "./support/runtime";
import { runPolicies } from "./support/policy";
import { CLUSTER_TYPE, stackFromRecorded } from "./support/policyStacks";

const devPlan = (): PlanSummary => {
    const evaluated = evaluateStack(readStackFile(path.join(__dirname, "..", "stacks", "Pulumi.dev.yaml")));
    assert.ok(evaluated.plan, "the dev stack plans");
    return summarizePlan(evaluated.plan);
};

interface Tampering {
    readonly sshFrom?: string;
    readonly extraPool?: string;
}

/** A stand-in for the Cluster component: what the policies read of a cluster, built from a plan. */
class StandInCluster extends pulumi.ComponentResource {
    constructor(name: string, plan: PlanSummary, tampering: Tampering = {}) {
        super(CLUSTER_TYPE, name, {}, {});
        const opts = { parent: this };
        const tags = [`dualstack-cluster=${name}`];
        const subnets = plan.nodeSubnets.map(
            (s) =>
                new openstack.networking.Subnet(
                    `${name}-subnet-${familyFacts(s.family).lowerSuffix}`,
                    {
                        networkId: "net",
                        cidr: s.cidr,
                        ipVersion: familyFacts(s.family).ipVersion,
                        ipv6AddressMode: s.ipv6AddressMode,
                        ipv6RaMode: s.ipv6RaMode,
                        tags,
                    },
                    opts,
                ),
        );
        const group = new openstack.networking.SecGroup(`${name}-nodes`, { name: `${name}-nodes`, tags }, opts);
        const rule = (key: string, args: Partial<openstack.networking.SecGroupRuleArgs>) =>
            new openstack.networking.SecGroupRule(`${name}-nodes-${key}`, { securityGroupId: group.id, direction: "ingress", ethertype: "IPv4", ...args }, opts);
        rule("ssh", { protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: tampering.sshFrom ?? "10.200.0.0/16" });
        rule("icmpv6", { ethertype: "IPv6", protocol: "ipv6-icmp", remoteIpPrefix: "::/0" });
        rule("kubelet", { protocol: "tcp", portRangeMin: 10250, portRangeMax: 10250, remoteGroupId: group.id });
        new openstack.compute.ServerGroup(`${name}-control-plane`, { name: `${name}-control-plane`, policies: ["anti-affinity"] }, opts);
        const pairs = plan.families.filter((f) => f.calico.encapsulation === "None").map((f) => ({ ipAddress: f.pods.cidr }));
        new openstack.networking.Port(
            `${name}-control-plane-0`,
            {
                networkId: "net",
                fixedIps: subnets.map((s) => ({ subnetId: s.id })),
                securityGroupIds: [group.id],
                allowedAddressPairs: pairs,
                tags: [...tags, "dualstack-role=control-plane", "dualstack-pool=control-plane"],
            },
            opts,
        );
        const pools = plan.families.map((f) => ({
            cidr: f.pods.cidr,
            blockSize: f.calico.blockSize,
            encapsulation: f.calico.encapsulation,
            natOutgoing: f.calico.natOutgoing ? "Enabled" : "Disabled",
        }));
        if (tampering.extraPool) pools.push({ cidr: tampering.extraPool, blockSize: 26, encapsulation: "None", natOutgoing: "Enabled" });
        new kubernetes.helm.v3.Release(
            `${name}-calico`,
            { chart: "tigera-operator", version: "v3.32.1", values: { installation: { calicoNetwork: { ipPools: pools } } } },
            opts,
        );
        this.registerOutputs({ addressPlan: plan, kubeconfig: pulumi.secret("apiVersion: v1") });
    }
}

describe("policies over a recorded stack", () => {
    it("records the component's registered outputs, secrets unwrapped", async () => {
        const plan = devPlan();
        new StandInCluster("rec-a", plan);
        await settle();
        const recorded = cloud.named("rec-a", CLUSTER_TYPE);
        assert.deepStrictEqual(recorded.registeredOutputs, { addressPlan: JSON.parse(JSON.stringify(plan)), kubeconfig: "apiVersion: v1" });
    });

    it("finds nothing wrong with a cluster built from the dev stack's plan", async () => {
        new StandInCluster("rec-b", devPlan());
        await settle();
        assert.deepStrictEqual(await runPolicies(policies, stackFromRecorded(cloud.resources)), []);
    });

    it("reports a world-open SSH rule and a Calico pool over the node subnet, by policy and resource", async () => {
        new StandInCluster("rec-c", devPlan(), { sshFrom: "0.0.0.0/0", extraPool: "10.10.0.0/24" });
        await settle();
        const found = await runPolicies(policies, stackFromRecorded(cloud.resources));
        const pool = "rec-c-calico.values.installation.calicoNetwork.ipPools[2].cidr";
        assert.deepStrictEqual(
            found.map((v) => [v.policy, v.resource, v.message.split(". ")[0]]),
            [
                ["ranges-disjoint", undefined, `[range-overlap] ${pool} (Calico pool 10.10.0.0/24) overlaps dualstack:network.ipv4Cidr (node subnet 10.10.0.0/22)`],
                ["secgroup-world-open", undefined, "[secgroup-world-open] rec-c-nodes-ssh.remoteIpPrefix is 0.0.0.0/0, so this ingress rule opens SSH (22/tcp) to the whole IPv4 internet"],
                ["calico-pools-in-pod-range", undefined, `[calico-pool-outside-pod-range] ${pool} is 10.10.0.0/24, outside the IPv4 pod range 10.11.0.0/16 (dualstack:pods.ipv4Cidr); each Calico pool must lie inside kubeadm's podSubnet`],
            ],
        );
    });
});
