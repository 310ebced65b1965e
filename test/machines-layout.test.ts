import * as assert from "assert";
import { InvalidPlanError } from "../components/addressing/findings";
import { addressOnSubnet } from "../components/network";
import {
    bootstrapRoles,
    familiesNeedingAddressPairs,
    nodeMetadata,
    NodePoolArgs,
    nodeTags,
    planNodePool,
} from "../components/machines";
import { clusterBootstrap } from "./machines.fixtures";

const base: NodePoolArgs = {
    clusterName: "demo",
    role: "worker",
    poolName: "workers-a",
    count: 2,
    flavorName: "m1.large",
    imageName: "debian-13",
    networkId: "net",
    subnetIds: { ipv4: "s4", ipv6: "s6" },
    securityGroupIds: ["sg"],
    bootstrap: clusterBootstrap(["IPv4", "IPv6"]),
};

function refused(change: Partial<NodePoolArgs>, rule: string, text: string): void {
    assert.throws(
        () => planNodePool("p", { ...base, ...change }),
        (e: unknown) => {
            assert.ok(e instanceof InvalidPlanError, String(e));
            assert.ok(e.findings.some((f) => f.rule === rule) && e.message.includes(text), e.message);
            return true;
        },
    );
}

describe("NodePool layout (pure)", () => {
    it("refuses a pod range that would make an allowed address pair of a whole family", () => {
        refused(
            { podRanges: { ipv4: { cidr: "0.0.0.0/0", encapsulation: "None" } } },
            "port-address-pairs-world",
            "podRanges (0.0.0.0/0) covers every IPv4 address, so Neutron's anti-spoofing no longer applies to the port",
        );
    });

    it("needs allowed-address-pairs exactly for None and *CrossSubnet", () => {
        const table: Array<[string, boolean]> = [
            ["None", true],
            ["IPIP", false],
            ["IPIPCrossSubnet", true],
            ["VXLAN", false],
            ["VXLANCrossSubnet", true],
        ];
        for (const [encapsulation, needed] of table) {
            assert.deepStrictEqual(familiesNeedingAddressPairs([{ family: "IPv4", encapsulation }]), needed ? ["IPv4"] : [], encapsulation);
        }
        assert.deepStrictEqual(
            familiesNeedingAddressPairs([
                { family: "IPv4", encapsulation: "VXLAN" },
                { family: "IPv6", encapsulation: "None" },
            ]),
            ["IPv6"],
        );
    });

    it("gives node 0 of a control plane kubeadm init and the others join; workers join as workers", () => {
        assert.deepStrictEqual(bootstrapRoles("control-plane", 3), ["control-plane-init", "control-plane-join", "control-plane-join"]);
        assert.deepStrictEqual(bootstrapRoles("control-plane", 3, true), ["control-plane-join", "control-plane-join", "control-plane-join"]);
        assert.deepStrictEqual(bootstrapRoles("worker", 2), ["worker", "worker"]);
    });

    it("tags and metadata name the cluster, role and pool", () => {
        assert.deepStrictEqual(nodeTags("demo", "worker", "workers-a"), ["dualstack-cluster=demo", "dualstack-role=worker", "dualstack-pool=workers-a"]);
        assert.deepStrictEqual(nodeMetadata("demo", "control-plane", "control-plane"), {
            "dualstack-cluster": "demo",
            "dualstack-role": "control-plane",
            "dualstack-pool": "control-plane",
        });
    });

    it("picks a port's address on its subnet, not an auto-address of another subnet", () => {
        assert.strictEqual(addressOnSubnet(["10.0.0.5", "fd00::5"], "IPv6"), "fd00::5");
        assert.strictEqual(addressOnSubnet(["fd00::5"], "IPv4"), undefined);
        // Neutron added an address on a foreign SLAAC subnet first.
        const ips = ["10.0.0.5", "fd99::f816:3eff:fe00:1", "fd00::5"];
        assert.strictEqual(addressOnSubnet(ips, "IPv6"), "fd99::f816:3eff:fe00:1");
        assert.strictEqual(addressOnSubnet(ips, "IPv6", "fd00::/64"), "fd00::5");
        assert.strictEqual(addressOnSubnet(ips, "IPv6", "fd01::/64"), undefined);
    });

    it("names nodes <cluster>-<pool>-<index> and defaults the control plane's pool name", () => {
        assert.deepStrictEqual(planNodePool("p", base).nodes.map((n) => n.name), ["demo-workers-a-0", "demo-workers-a-1"]);
        const cp = planNodePool("p", { ...base, role: "control-plane", poolName: undefined, count: 1 });
        assert.deepStrictEqual(cp.nodes, [{ index: 0, name: "demo-control-plane-0", bootstrapRole: "control-plane-init" }]);
    });

    it("uses a config drive by default only when the nodes have no IPv4", () => {
        assert.strictEqual(planNodePool("p", base).configDrive, false);
        assert.strictEqual(
            planNodePool("p", { ...base, subnetIds: { ipv6: "s6" }, bootstrap: clusterBootstrap(["IPv6"]) }).configDrive,
            true,
        );
        assert.strictEqual(planNodePool("p", { ...base, configDrive: true }).configDrive, true);
    });

    it("allows a worker pool of 0 nodes", () => {
        assert.deepStrictEqual(planNodePool("p", { ...base, count: 0 }).nodes, []);
    });

    describe("refuses", () => {
        it("an unknown role", () => refused({ role: "master" }, "arg-invalid", 'role is "master"'));
        it("a worker pool without a name", () => refused({ poolName: undefined }, "arg-missing", "poolName is not set"));
        it("a control plane of 0 nodes", () => refused({ role: "control-plane", count: 0 }, "arg-invalid", "count is 0"));
        it("an unknown server-group policy", () => refused({ serverGroupPolicy: "affinity" }, "arg-invalid", 'serverGroupPolicy is "affinity"'));
        it("an image by name and by ID", () => refused({ imageId: "uuid" }, "arg-conflict", "imageName and imageId are both set"));
        it("no image", () => refused({ imageName: undefined }, "arg-missing", "imageName is not set"));
        it("no subnet", () => refused({ subnetIds: {} }, "arg-missing", "subnetIds is not set"));
        it("node names longer than a host name", () =>
            refused({ poolName: "p".repeat(60) }, "arg-invalid", "host names and Kubernetes node names take at most 63"));
        it("a pod family without a node subnet", () =>
            refused({ subnetIds: { ipv4: "s4" }, podRanges: { ipv6: { cidr: "fd00:1::/56" } } }, "cluster-family-missing-on-nodes", "subnetIds.ipv6"));
        it("IP-in-IP on the IPv6 pod range", () =>
            refused({ podRanges: { ipv6: { cidr: "fd00:1::/56", encapsulation: "IPIPCrossSubnet" } } }, "calico-ipip-ipv6", "podRanges.ipv6.encapsulation"));
        it("a pod range of the wrong family", () =>
            refused({ podRanges: { ipv4: { cidr: "fd00:1::/56" } } }, "cidr-family-mismatch", "podRanges.ipv4.cidr"));
        it("workers as load-balancer members", () =>
            refused({ loadBalancerPoolIds: { ipv4: "pool" } }, "arg-conflict", "loadBalancerPoolIds.ipv4 and role worker are both set"));
        it("a floating IP for nodes without IPv4", () =>
            refused(
                { role: "control-plane", subnetIds: { ipv6: "s6" }, floatingIpAddress: "203.0.113.9" },
                "arg-missing",
                "floating IPs map to an IPv4 address",
            ));
        it("joinExisting on workers", () => refused({ joinExisting: true }, "arg-conflict", "joinExisting and role worker"));
    });
});
