/**
 * The policies over what the real Network, NodePool and Calico components register: no
 * violation for a sound cluster (native IPv4 pod traffic with address pairs, ICMPv6,
 * anti-affinity, pools as the plan says), and the expected ones when the access lists open
 * SSH to the world or the pools are not the plan's pod ranges.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Calico } from "../components/calico";
import { ClusterApi } from "../components/kubernetes";
import { NodePool } from "../components/machines";
import { Network, PodRangesArgs } from "../components/network";
import { policies } from "../components/policies/policies";
import { clusterBootstrap } from "./machines.fixtures";
import { NamedViolation, runPolicies } from "./support/policy";
import { CLUSTER_TYPE, planSummary, stackFromRecorded } from "./support/policyStacks";
import { cloud, settle } from "./support/runtime";

interface Options {
    readonly sshAllowedCidrs?: string[];
}

/** A dual-stack Network with a control-plane and a worker NodePool, wired as a cluster wires them. */
function buildCluster(name: string, options: Options = {}): void {
    const podRanges: PodRangesArgs = {
        ipv4: { cidr: "10.244.0.0/16", encapsulation: "None" },
        ipv6: { cidr: "fd00:10:244::/56", encapsulation: "VXLAN" },
    };
    const network = new Network(`${name}-net`, {
        clusterName: name,
        subnets: { ipv4: { cidr: "10.30.0.0/22" }, ipv6: { cidr: "fd00:30::/64" } },
        podRanges,
        calicoBgp: true,
        externalNetworkName: "public",
        access: { apiAllowedCidrs: ["203.0.113.0/24"], sshAllowedCidrs: options.sshAllowedCidrs ?? ["10.200.0.0/16"] },
    });
    const common = {
        clusterName: name,
        flavorName: "m1.large",
        imageName: "debian-13",
        networkId: network.networkId,
        subnetIds: { ipv4: network.subnetIdIPv4, ipv6: network.subnetIdIPv6 },
        podRanges,
        bootstrap: pulumi.secret(clusterBootstrap(["IPv4", "IPv6"], { clusterName: name })),
    };
    new NodePool(`${name}-cp`, {
        ...common,
        role: "control-plane",
        count: 1,
        securityGroupIds: [network.nodeSecurityGroupId, network.controlPlaneSecurityGroupId],
    });
    new NodePool(`${name}-wk`, { ...common, role: "worker", poolName: "workers", count: 2, securityGroupIds: [network.nodeSecurityGroupId] });
}

async function violations(): Promise<NamedViolation[]> {
    await settle();
    return runPolicies(policies, stackFromRecorded(cloud.resources));
}

describe("policies over the Network, NodePool and Calico components", () => {
    it("find nothing wrong with a sound dual-stack cluster (ICMPv6 allowed, SSH and API from listed ranges, anti-affinity)", async () => {
        buildCluster("pc-ok");
        assert.deepStrictEqual(await violations(), []);
    });

    it("report the SSH rules the Network opens to the world when access lists 0.0.0.0/0 and ::/0", async () => {
        buildCluster("pc-ssh", { sshAllowedCidrs: ["0.0.0.0/0", "::/0"] });
        const found = await violations();
        const tail =
            "Admit only the ranges of your offices, VPN or CI runners (dualstack:access.sshAllowedCidrs, " +
            "dualstack:access.apiAllowedCidrs; the kubelet, etcd and Calico need only the cluster's own nodes), or list the port in the " +
            "policy pack (secgroup-world-open.allowedPorts) if it must be public.";
        const ipv4 = "pc-ssh-net-nodes-ipv4-ssh-0.0.0.0/0";
        const ipv6 = "pc-ssh-net-nodes-ipv6-ssh---/0";
        assert.deepStrictEqual(found, [
            {
                policy: "secgroup-world-open",
                urn: `urn:pulumi:test::dualstack::dualstack:index:Network$openstack:networking/secGroupRule:SecGroupRule::${ipv4}`,
                message: `[secgroup-world-open] ${ipv4}.remoteIpPrefix is 0.0.0.0/0, so this ingress rule opens SSH (22/tcp) to the whole IPv4 internet. ${tail}`,
            },
            {
                policy: "secgroup-world-open",
                urn: `urn:pulumi:test::dualstack::dualstack:index:Network$openstack:networking/secGroupRule:SecGroupRule::${ipv6}`,
                message: `[secgroup-world-open] ${ipv6}.remoteIpPrefix is ::/0, so this ingress rule opens SSH (22/tcp) to the whole IPv6 internet. ${tail}`,
            },
        ]);
    });

    it("read the tigera-operator release the Calico component registers: pools inside the Cluster's pod ranges pass, others fail", async () => {
        const calico = (name: string) => {
            const api = new ClusterApi(`${name}-api`, { kubeconfig: pulumi.secret("admin kubeconfig"), endpoint: "203.0.113.10", clusterCaCertPem: "CA" });
            new Calico(name, {
                kubernetesProvider: api.provider,
                kubeconfig: api.kubeconfig,
                ipFamilies: ["IPv4", "IPv6"],
                ipv4: { podCidr: "10.244.0.0/16", nodeSubnetCidr: "10.30.0.0/22" },
                ipv6: { podCidr: "fd00:10:244::/56", nodeSubnetCidr: "fd00:30::/64" },
            });
        };
        /** A stand-in for the Cluster's registered plan, with the given IPv4 pod range. */
        class PlanOnly extends pulumi.ComponentResource {
            constructor(name: string, podsIPv4: string) {
                super(CLUSTER_TYPE, name, {}, {});
                this.registerOutputs({
                    addressPlan: planSummary({
                        families: [
                            { family: "IPv4", pods: podsIPv4, services: "10.96.0.0/16" },
                            { family: "IPv6", pods: "fd00:10:244::/56", services: "fd00:10:96::/112" },
                        ],
                    }),
                });
            }
        }
        new PlanOnly("pc-calico-ok", "10.244.0.0/16");
        calico("pc-calico-ok");
        assert.deepStrictEqual(await violations(), []);

        cloud.reset();
        new PlanOnly("pc-calico-bad", "10.244.0.0/17");
        calico("pc-calico-bad");
        const pool = "pc-calico-bad-operator.values.installation.calicoNetwork.ipPools[0].cidr";
        assert.deepStrictEqual(
            (await violations()).map((v) => [v.policy, v.message]),
            [
                [
                    "calico-pools-in-pod-range",
                    `[calico-pool-larger-than-pod-range] ${pool} is 10.244.0.0/16, larger than the IPv4 pod range 10.244.0.0/17 ` +
                        "(dualstack:pods.ipv4Cidr): Calico would give pods addresses outside kubeadm's podSubnet, which other ranges may use. Use 10.244.0.0/17.",
                ],
            ],
        );
    });
});
