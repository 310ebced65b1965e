/**
 * The policies over what the real Network and NodePool components register: no violation for
 * a sound cluster (native IPv4 pod traffic with address pairs, ICMPv6, anti-affinity), and
 * the expected ones when the access lists open SSH to the world.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { NodePool } from "../components/machines";
import { Network, PodRangesArgs } from "../components/network";
import { policies } from "../policies/policies";
import { clusterBootstrap } from "./machines.fixtures";
import { NamedViolation, runPolicies } from "./support/policy";
import { stackFromRecorded } from "./support/policyStacks";
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

describe("policies over the Network and NodePool components", () => {
    it("find nothing wrong with a sound dual-stack cluster (ICMPv6 allowed, SSH and API from listed ranges, anti-affinity)", async () => {
        buildCluster("pc-ok");
        assert.deepStrictEqual(await violations(), []);
    });

    it("report the SSH rules the Network opens to the world when access lists 0.0.0.0/0 and ::/0", async () => {
        buildCluster("pc-ssh", { sshAllowedCidrs: ["0.0.0.0/0", "::/0"] });
        const found = await violations();
        const tail =
            "Admit only the ranges of your offices, VPN or CI runners (dualstack:access.sshAllowedCidrs, " +
            "dualstack:access.apiAllowedCidrs; the kubelet needs only the cluster's own nodes), or list the port in the " +
            "policy pack (secgroup-world-open.allowedPorts) if it must be public.";
        const ipv4 = "pc-ssh-net-nodes-ipv4-ssh-0.0.0.0/0";
        const ipv6 = "pc-ssh-net-nodes-ipv6-ssh---/0";
        assert.deepStrictEqual(found, [
            {
                policy: "secgroup-world-open",
                resource: ipv4,
                urn: undefined,
                message: `[secgroup-world-open] ${ipv4}.remoteIpPrefix is 0.0.0.0/0, so this ingress rule opens SSH (22/tcp) to the whole IPv4 internet. ${tail}`,
            },
            {
                policy: "secgroup-world-open",
                resource: ipv6,
                urn: undefined,
                message: `[secgroup-world-open] ${ipv6}.remoteIpPrefix is ::/0, so this ingress rule opens SSH (22/tcp) to the whole IPv6 internet. ${tail}`,
            },
        ]);
    });
});
