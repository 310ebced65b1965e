import * as assert from "assert";
import * as kubernetes from "@pulumi/kubernetes";
import { calicoIpPools, calicoIpv6NatOutgoing, calicoPoolsInPodRange } from "../components/policies/calico";
import { messages, resourceArgs, runResourcePolicy, runStackPolicy, stackArgs, typeOf, UNKNOWN_VALUE } from "./support/policy";
import { calicoRelease, calicoReleaseProps, clusterResource, PoolSpec } from "./support/policyStacks";

const { Release } = kubernetes.helm.v3;

function releaseArgs(pools: readonly PoolSpec[], name = "dev-calico") {
    return resourceArgs(typeOf(Release), calicoReleaseProps(pools), { name });
}

const goodPools: PoolSpec[] = [
    { cidr: "10.11.0.0/16", blockSize: 26, encapsulation: "None", natOutgoing: "Enabled" },
    { cidr: "fd12:3456:789a:100::/56", blockSize: 122, encapsulation: "VXLANCrossSubnet", natOutgoing: "Enabled" },
];

describe("#calico-ip-pools", () => {
    const policy = calicoIpPools;

    it("accepts an IPv4 and an IPv6 pool Calico takes", async () => {
        assert.deepStrictEqual(await runResourcePolicy(policy, releaseArgs(goodPools)), { violations: [] });
    });

    it("refuses IPIP on an IPv6 pool and a block size out of range", async () => {
        const args = releaseArgs([
            { cidr: "10.11.0.0/16", blockSize: 18 },
            { cidr: "fd12:3456:789a:100::/56", encapsulation: "IPIPCrossSubnet" },
        ]);
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[calico-block-size] dev-calico.values.installation.calicoNetwork.ipPools[0].blockSize is 18; Calico takes 20 to 32 " +
                "for IPv4 pools. Use 26 (the default).",
            "[calico-ipip-ipv6] dev-calico.values.installation.calicoNetwork.ipPools[1].encapsulation is IPIPCrossSubnet; " +
                "IP-in-IP carries IPv4 only, and Calico refuses it on IPv6 pools. Use None, VXLAN or VXLANCrossSubnet.",
        ]);
    });

    it("refuses a pool smaller than one block, and one that is not strictly masked", async () => {
        const args = releaseArgs([{ cidr: "fd12:3456:789a:100::/124" }, { cidr: "10.11.0.1/16" }]);
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[calico-pool-smaller-than-block] dev-calico.values.installation.calicoNetwork.ipPools[0].cidr is " +
                "fd12:3456:789a:100::/124, smaller than one Calico block of /122 " +
                "(dev-calico.values.installation.calicoNetwork.ipPools[0].blockSize); Calico IPAM refuses such a pool. Use a " +
                "/122 or shorter range, or a block size of 124 or more.",
            '[cidr-host-bits] dev-calico.values.installation.calicoNetwork.ipPools[1].cidr is "10.11.0.1/16": bits are set after ' +
                "the /16 prefix. Write 10.11.0.0/16 (or a longer prefix if a smaller range was meant): Calico refuses a range " +
                "written otherwise, and Neutron would store the masked value in place of yours.",
        ]);
    });

    it("refuses overlapping pools", async () => {
        const args = releaseArgs([{ cidr: "10.11.0.0/16" }, { cidr: "10.11.128.0/17" }]);
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[range-overlap] dev-calico.values.installation.calicoNetwork.ipPools[1].cidr (Calico pool 10.11.128.0/17) overlaps " +
                "dev-calico.values.installation.calicoNetwork.ipPools[0].cidr (Calico pool 10.11.0.0/16). Nodes, pods, services " +
                "and reserved ranges must be disjoint, or packets are routed to the wrong place. Move " +
                "dev-calico.values.installation.calicoNetwork.ipPools[1].cidr to a free range.",
        ]);
    });

    it("uses the operator's defaults: IPIP for IPv4 (fine), None for IPv6, block sizes 26 and 122", async () => {
        const args = releaseArgs([{ cidr: "10.11.0.0/27" }]);
        assert.match(messages(await runResourcePolicy(policy, args))[0], /smaller than one Calico block of \/26/);
    });

    it("skips pools with unknown fields (a ULA pod range before the first up)", async () => {
        const args = releaseArgs([{ cidr: UNKNOWN_VALUE, encapsulation: "IPIP" }, { cidr: "10.11.0.0/16", blockSize: 26 }]);
        assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
    });

    it("does not apply to other charts", async () => {
        const args = resourceArgs(typeOf(Release), { chart: "ingress-nginx", values: {} });
        const run = await runResourcePolicy(policy, args);
        assert.deepStrictEqual(run, { violations: [], notApplicable: "not the tigera-operator chart" });
    });

    it("recognises the chart by repo/name and by a chart archive URL", async () => {
        for (const chart of ["projectcalico/tigera-operator", "https://example.com/charts/tigera-operator-v3.32.1.tgz"]) {
            const args = resourceArgs(typeOf(Release), { ...calicoReleaseProps([{ cidr: "fd00::/124" }]), chart });
            assert.strictEqual((await runResourcePolicy(policy, args)).violations.length, 1, chart);
        }
    });
});

describe("#calico-ipv6-nat-outgoing", () => {
    const policy = calicoIpv6NatOutgoing;

    it("passes an IPv6 ULA pool with NAT, and a global pool without", async () => {
        assert.deepStrictEqual(await runResourcePolicy(policy, releaseArgs(goodPools)), { violations: [] });
        const global = releaseArgs([{ cidr: "2001:db8:1::/56", natOutgoing: "Disabled" }]);
        assert.deepStrictEqual(await runResourcePolicy(policy, global), { violations: [] });
    });

    it("warns about a ULA pool left at the operator's default (Disabled)", async () => {
        const args = releaseArgs([{ cidr: "fd12:3456:789a:100::/56" }]);
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[ula-nat-outgoing-disabled] dev-calico.values.installation.calicoNetwork.ipPools[0].natOutgoing is false but " +
                "dev-calico.values.installation.calicoNetwork.ipPools[0].cidr is fd12:3456:789a:100::/56, a unique local (ULA) " +
                "range: packets from pods to the IPv6 internet leave with addresses nobody routes back. Set it to true, or use a " +
                "globally routed pod range.",
        ]);
    });
});

describe("#calico-pools-in-pod-range", () => {
    const policy = calicoPoolsInPodRange;
    const cluster = clusterResource("dev", {
        families: [
            { family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16" },
            { family: "IPv6", pods: "fd12:3456:789a:100::/56", services: "fd12:3456:789a:200::/112" },
        ],
    });

    it("passes pools equal to or inside the pod ranges", async () => {
        const args = stackArgs([cluster, calicoRelease("dev-calico", [...goodPools, { cidr: "10.11.64.0/18" }], "dev")]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
    });

    it("fails a pool larger than the pod range, one outside it, and one of a family the cluster lacks", async () => {
        const ipv4Only = clusterResource("dev", { families: [{ family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16" }] });
        const args = stackArgs([
            ipv4Only,
            calicoRelease("dev-calico", [{ cidr: "10.10.0.0/15" }, { cidr: "10.13.0.0/16" }, { cidr: "fd12:3456:789a:100::/56" }], "dev"),
        ]);
        const pool = (i: number) => `dev-calico.values.installation.calicoNetwork.ipPools[${i}].cidr`;
        const run = await runStackPolicy(policy, args);
        assert.deepStrictEqual(messages(run), [
            `[calico-pool-larger-than-pod-range] ${pool(0)} is 10.10.0.0/15, larger than the IPv4 pod range 10.11.0.0/16 ` +
                "(dualstack:pods.ipv4Cidr): Calico would give pods addresses outside kubeadm's podSubnet, which other ranges " +
                "may use. Use 10.11.0.0/16.",
            `[calico-pool-outside-pod-range] ${pool(1)} is 10.13.0.0/16, outside the IPv4 pod range 10.11.0.0/16 ` +
                "(dualstack:pods.ipv4Cidr); each Calico pool must lie inside kubeadm's podSubnet. Use 10.11.0.0/16 or a range inside it.",
            `[calico-pool-family-not-in-cluster] ${pool(2)} is fd12:3456:789a:100::/56, an IPv6 pool, but the cluster has no ` +
                "IPv6 pod range (dualstack:pods.ipv6Cidr): Kubernetes gives pods no IPv6 addresses. Remove the pool, or make " +
                "the cluster dual-stack.",
        ]);
        assert.strictEqual(run.violations[0].urn, "urn:pulumi:test::dualstack::kubernetes:helm.sh/v3:Release::dev-calico");
    });

    it("skips pools and plans that are unknown in preview", async () => {
        const unknownPods = {
            ...cluster,
            props: { addressPlan: { ...(cluster.props.addressPlan as object), families: UNKNOWN_VALUE } },
        };
        const args = stackArgs([unknownPods, calicoRelease("dev-calico", [{ cidr: "10.13.0.0/16" }], "dev")]);
        assert.strictEqual((await runStackPolicy(policy, args)).notApplicable, "needs a Cluster with a known addressPlan and a tigera-operator release");
        const unknownPool = stackArgs([cluster, calicoRelease("dev-calico", [{ cidr: UNKNOWN_VALUE }], "dev")]);
        assert.deepStrictEqual(await runStackPolicy(policy, unknownPool), { violations: [] });
    });
});
