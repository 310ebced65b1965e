import * as assert from "assert";
import { podRangeNodeMask, rangesDisjoint, serviceRangeSize } from "../components/policies/stack";
import { messages, runStackPolicy, stackArgs, UNKNOWN_VALUE } from "./support/policy";
import { calicoRelease, clusterResource, PlanSpec, subnet } from "./support/policyStacks";

const dev: PlanSpec = {
    families: [
        { family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16" },
        { family: "IPv6", pods: "fd12:3456:789a:100::/56", services: "fd12:3456:789a:200::/112" },
    ],
    nodeSubnets: [
        { family: "IPv4", cidr: "10.10.0.0/22" },
        { family: "IPv6", cidr: "fd12:3456:789a::/64" },
    ],
    reserved: ["10.200.0.0/16", "10.200.1.0/24"],
};

describe("#ranges-disjoint", () => {
    const policy = rangesDisjoint;

    it("passes a stack whose ranges are disjoint (subnets listed in the plan and in Neutron count once; pools inside the pod range are its own)", async () => {
        const args = stackArgs([
            clusterResource("dev", dev),
            subnet("dev-subnet-ipv4", "10.10.0.0/22", "dev"),
            subnet("dev-subnet-ipv6", "fd12:3456:789a::/64", "dev"),
            calicoRelease("dev-calico", [{ cidr: "10.11.0.0/16" }, { cidr: "fd12:3456:789a:100::/56" }], "dev"),
        ]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
    });

    it("sees a service range that exists only in kubeadm configuration, through the Cluster's addressPlan", async () => {
        // No OpenStack or Kubernetes resource carries the service range: only the Cluster's output does.
        const args = stackArgs([
            clusterResource("dev", { ...dev, families: [{ family: "IPv4", pods: "10.11.0.0/16", services: "10.10.0.0/24" }] }),
            subnet("dev-subnet-ipv4", "10.10.0.0/22", "dev"),
        ]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[range-overlap] dualstack:services.ipv4Cidr (service range 10.10.0.0/24) overlaps dualstack:network.ipv4Cidr " +
                "(node subnet 10.10.0.0/22). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed " +
                "to the wrong place. Move dualstack:services.ipv4Cidr to a free range.",
        ]);
    });

    it("sees the access gateway's WireGuard client ranges through the Cluster's addressPlan", async () => {
        const sound = stackArgs([clusterResource("dev", { ...dev, clientRanges: ["10.43.0.0/24", "fd12:3456:789a:c000::/64"] })]);
        assert.deepStrictEqual(await runStackPolicy(policy, sound), { violations: [] });
        const args = stackArgs([clusterResource("dev", { ...dev, clientRanges: ["10.11.128.0/24"] })]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[range-overlap] dualstack:gateway.clientIPv4Cidr (WireGuard client range 10.11.128.0/24) overlaps dualstack:pods.ipv4Cidr " +
                "(pod range 10.11.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed to the " +
                "wrong place. Move dualstack:gateway.clientIPv4Cidr to a free range.",
        ]);
    });

    it("in a first preview, when addressPlan waits for the ULA ID, reads the Cluster's addressLayout", async () => {
        const bad = { ...dev, families: [{ family: "IPv4" as const, pods: "10.11.0.0/16", services: "10.10.0.0/24" }] };
        const layout = clusterResource("dev", bad);
        const args = stackArgs([
            { ...layout, props: { addressPlan: UNKNOWN_VALUE, addressLayout: layout.props.addressPlan } },
            subnet("dev-subnet-ipv4", "10.10.0.0/22", "dev"),
        ]);
        assert.match(messages(await runStackPolicy(policy, args)).join("\n"), /^\[range-overlap\] dualstack:services\.ipv4Cidr \(service range 10\.10\.0\.0\/24\) overlaps/);
    });

    it("fails a pod range that overlaps the node subnet, and a used range inside a reserved one", async () => {
        const args = stackArgs([
            clusterResource("dev", {
                ...dev,
                families: [{ family: "IPv4", pods: "10.10.0.0/16", services: "10.200.5.0/24" }],
            }),
        ]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[range-overlap] dualstack:network.ipv4Cidr (node subnet 10.10.0.0/22) overlaps dualstack:pods.ipv4Cidr (pod range " +
                "10.10.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed to the wrong " +
                "place. Move dualstack:network.ipv4Cidr to a free range.",
            "[range-overlap] dualstack:services.ipv4Cidr (service range 10.200.5.0/24) overlaps dualstack:reservedCidrs[0] " +
                "(reserved range 10.200.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are " +
                "routed to the wrong place. Move dualstack:services.ipv4Cidr to a free range.",
        ]);
    });

    it("compares Neutron subnets the plan does not list, and pools outside every pod range", async () => {
        const args = stackArgs([
            clusterResource("dev", dev),
            subnet("extra-subnet", "10.12.1.0/24"),
            calicoRelease("dev-calico", [{ cidr: "10.10.0.0/22" }], "dev"),
        ]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[range-overlap] dev-calico.values.installation.calicoNetwork.ipPools[0].cidr (Calico pool 10.10.0.0/22) overlaps " +
                "dualstack:network.ipv4Cidr (node subnet 10.10.0.0/22). Nodes, pods, services and reserved ranges must be " +
                "disjoint, or packets are routed to the wrong place. Move dev-calico.values.installation.calicoNetwork.ipPools[0].cidr to a free range.",
            "[range-overlap] extra-subnet.cidr (node subnet 10.12.1.0/24) overlaps dualstack:services.ipv4Cidr (service range " +
                "10.12.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed to the wrong " +
                "place. Move extra-subnet.cidr to a free range.",
        ]);
    });

    it("names the cluster when the stack has several", async () => {
        const args = stackArgs([
            clusterResource("a", { families: [{ family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16" }] }),
            clusterResource("b", { families: [{ family: "IPv4", pods: "10.21.0.0/16", services: "10.12.0.0/16" }] }),
        ]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[range-overlap] dualstack:services.ipv4Cidr of cluster b (service range 10.12.0.0/16) overlaps " +
                "dualstack:services.ipv4Cidr of cluster a (service range 10.12.0.0/16). Nodes, pods, services and reserved ranges " +
                "must be disjoint, or packets are routed to the wrong place. Move dualstack:services.ipv4Cidr of cluster b to a free range.",
        ]);
    });

    it("skips unknown ranges: an unknown plan, an unknown subnet CIDR", async () => {
        const args = stackArgs([
            { ...clusterResource("dev", dev), props: { addressPlan: UNKNOWN_VALUE } },
            subnet("s4", "10.10.0.0/22"),
            { ...subnet("s6", "fd00::/64"), props: { cidr: UNKNOWN_VALUE, ipVersion: 6 } },
        ]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
        const nothing = await runStackPolicy(policy, stackArgs([{ ...clusterResource("dev", dev), props: { addressPlan: UNKNOWN_VALUE } }]));
        assert.strictEqual(nothing.notApplicable, "no known ranges in the stack");
    });
});

describe("#service-range-size", () => {
    const policy = serviceRangeSize;

    it("passes /16 and /112 service ranges", async () => {
        assert.deepStrictEqual(await runStackPolicy(policy, stackArgs([clusterResource("dev", dev)])), { violations: [] });
    });

    it("fails an IPv6 service /64 (kubeadm allows 20 host bits)", async () => {
        const args = stackArgs([clusterResource("dev", { families: [{ family: "IPv6", pods: "fd00:1::/56", services: "fd00:2::/64" }] })]);
        const run = await runStackPolicy(policy, args);
        assert.deepStrictEqual(messages(run), [
            "[service-range-too-large] dualstack:services.ipv6Cidr is fd00:2::/64, 64 host bits; kubeadm allows at most 20 (an " +
                "IPv6 service range must be /108 or longer). Use a /108 or longer, e.g. fd00:2::/112.",
        ]);
        assert.strictEqual(run.violations[0].urn, "urn:pulumi:test::dualstack::dualstack:index:Cluster::dev");
    });

    it("applies a stricter limit from the pack configuration", async () => {
        const args = stackArgs([clusterResource("prod", { families: [{ family: "IPv6", pods: "fd00:1::/56", services: "fd00:2::/108" }] })], {
            config: { largestIPv6: 112 },
        });
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[service-range-too-large] dualstack:services.ipv6Cidr is fd00:2::/108, 20 host bits; the policy pack " +
                "(service-range-size.largestIPv6 is 112) allows at most 16 (an IPv6 service range must be /112 or longer). " +
                "Use a /112 or longer, e.g. fd00:2::/112.",
        ]);
    });

    it("does not apply without a Cluster", async () => {
        const run = await runStackPolicy(policy, stackArgs([subnet("s", "10.0.0.0/24")]));
        assert.strictEqual(run.notApplicable, "no Cluster with a known addressPlan in the stack");
    });
});

describe("#pod-range-node-mask", () => {
    const policy = podRangeNodeMask;

    it("passes a /16 with node mask 24 and a /56 with node mask 64", async () => {
        assert.deepStrictEqual(await runStackPolicy(policy, stackArgs([clusterResource("dev", dev)])), { violations: [] });
    });

    it("fails a pod range 20 bits from the node mask", async () => {
        const args = stackArgs([clusterResource("dev", { families: [{ family: "IPv6", pods: "fd00:1::/44", services: "fd00:2::/112", nodeMask: 64 }] })]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[pod-range-node-mask-gap] dualstack:pods.ipv6Cidr is fd00:1::/44 and dualstack:pods.nodeMaskIPv6 is 64: 20 bits " +
                "apart; kubeadm allows at most 16 (2^16 node ranges). Use a pod range of /48 or longer, or set " +
                "dualstack:pods.nodeMaskIPv6 to 60 or less.",
        ]);
    });

    it("fails a pod range smaller than the node mask", async () => {
        const args = stackArgs([clusterResource("dev", { families: [{ family: "IPv4", pods: "10.11.0.0/25", services: "10.12.0.0/16", nodeMask: 24 }] })]);
        assert.match(messages(await runStackPolicy(policy, args))[0], /^\[pod-range-smaller-than-node-mask\] dualstack:pods\.ipv4Cidr is 10\.11\.0\.0\/25/);
    });

    it("skips a family whose node mask is unknown", async () => {
        const cluster = clusterResource("dev", { families: [{ family: "IPv6", pods: "fd00:1::/44", services: "fd00:2::/112" }] });
        const plan = cluster.props.addressPlan as { families: Array<{ pods: object }> };
        const unknownMask = { ...plan, families: [{ ...plan.families[0], pods: { ...plan.families[0].pods, nodeMask: UNKNOWN_VALUE } }] };
        assert.deepStrictEqual(await runStackPolicy(policy, stackArgs([{ ...cluster, props: { addressPlan: unknownMask } }])), { violations: [] });
    });
});
