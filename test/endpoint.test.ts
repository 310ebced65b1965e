import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "../components/addressing/findings";
import { ApiEndpoint, ApiEndpointArgs, planApiEndpoint } from "../components/endpoint";
import { Network } from "../components/network";
import { cloud, settle, valueOf } from "./support/runtime";

/** A dual-stack network to put the endpoint in; returns the endpoint args for it. */
function networkFor(name: string, families: Array<"ipv4" | "ipv6"> = ["ipv4", "ipv6"]): Pick<ApiEndpointArgs, "networkId" | "subnets"> {
    const cidrs = { ipv4: "10.20.0.0/22", ipv6: "fd00:20::/64" };
    const pods = { ipv4: "10.244.0.0/16", ipv6: "fd00:21::/56" };
    const net = new Network(name, {
        clusterName: "demo",
        subnets: Object.fromEntries(families.map((f) => [f, { cidr: cidrs[f] }])),
        podRanges: Object.fromEntries(families.map((f) => [f, { cidr: pods[f] }])),
        externalNetworkName: "public",
    });
    const subnet = (f: "ipv4" | "ipv6") =>
        families.includes(f)
            ? {
                  subnetId: (f === "ipv4" ? net.subnetIdIPv4 : net.subnetIdIPv6) as pulumi.Output<string>,
                  cidr: (f === "ipv4" ? net.subnetCidrIPv4 : net.subnetCidrIPv6) as pulumi.Output<string>,
              }
            : undefined;
    return { networkId: net.networkId, subnets: { ipv4: subnet("ipv4"), ipv6: subnet("ipv6") } };
}

/** Resources registered under a component, as `type-suffix name`. */
function childrenOf(name: string): string[] {
    const urn = cloud.named(name, "dualstack:index:ApiEndpoint").urn;
    return cloud.resources
        .filter((r) => r.parent === urn)
        .map((r) => `${r.type.split(":").pop()} ${r.name}`)
        .sort();
}

describe("ApiEndpoint", () => {
    it("one control plane: an unassociated floating IP and nothing else", async () => {
        const endpoint = new ApiEndpoint("e-one", {
            clusterName: "demo",
            controlPlaneCount: 1,
            externalNetworkName: "public",
            ...networkFor("e-one-net"),
        });
        await settle();
        assert.deepStrictEqual(childrenOf("e-one"), ["FloatingIp e-one-fip"]);
        assert.deepStrictEqual(cloud.named("e-one-fip").inputs, {
            pool: "public",
            description: "dualstack: Kubernetes API of demo (control-plane node 0)",
            tags: ["dualstack-cluster=demo"],
        });
        const fip = await valueOf(endpoint.floatingIpAddress as pulumi.Output<string>);
        assert.match(fip, /^203\.0\.113\.\d+$/);
        assert.strictEqual(endpoint.mode, "floating-ip");
        assert.deepStrictEqual(await valueOf(endpoint.addressesIPv4), [fip]);
        assert.deepStrictEqual(await valueOf(endpoint.addressesIPv6), []);
        assert.deepStrictEqual(await valueOf(endpoint.certSANs), [fip]);
        assert.strictEqual(endpoint.controlPlaneHost, undefined);
        assert.strictEqual(await valueOf(endpoint.kubeconfigHost as pulumi.Output<string>), fip);
        assert.strictEqual(endpoint.poolIdIPv4, undefined);
        assert.strictEqual(await valueOf(endpoint.floatingIpId as pulumi.Output<string>), "e-one-fip-id");
    });

    it("one control plane with a DNS name: the name is a SAN and the kubeconfig host; nodes do not depend on it", async () => {
        const endpoint = new ApiEndpoint("e-one-dns", {
            clusterName: "demo",
            controlPlaneCount: 1,
            externalNetworkName: "public",
            dnsName: "api.demo.example.org",
            ...networkFor("e-one-dns-net"),
        });
        const fip = await valueOf(endpoint.floatingIpAddress as pulumi.Output<string>);
        assert.deepStrictEqual(await valueOf(endpoint.certSANs), ["api.demo.example.org", fip]);
        assert.strictEqual(endpoint.controlPlaneHost, undefined);
        assert.strictEqual(await valueOf(endpoint.kubeconfigHost as pulumi.Output<string>), "api.demo.example.org");
    });

    it("three control planes, dual-stack IPv4-primary: a load balancer per family on pre-created VIP ports, a floating IP on the IPv4 VIP", async () => {
        const endpoint = new ApiEndpoint("e-three", {
            clusterName: "demo",
            controlPlaneCount: 3,
            externalNetworkName: "public",
            apiAllowedCidrs: ["198.51.100.0/24", "2001:db8:a::/48"],
            ...networkFor("e-three-net"),
        });
        await settle();
        assert.deepStrictEqual(childrenOf("e-three"), [
            "FloatingIp e-three-fip",
            "Listener e-three-listener-ipv4",
            "Listener e-three-listener-ipv6",
            "LoadBalancer e-three-lb-ipv4",
            "LoadBalancer e-three-lb-ipv6",
            "Monitor e-three-monitor-ipv4",
            "Monitor e-three-monitor-ipv6",
            "Pool e-three-pool-ipv4",
            "Pool e-three-pool-ipv6",
            "Port e-three-vip-ipv4",
            "Port e-three-vip-ipv6",
        ]);
        const tags = ["dualstack-cluster=demo"];
        assert.deepStrictEqual(cloud.named("e-three-vip-ipv6").inputs, {
            name: "demo-api-ipv6",
            description: "dualstack: IPv6 VIP of the Kubernetes API load balancer",
            networkId: "e-three-net-network-id",
            fixedIps: [{ subnetId: "e-three-net-subnet-ipv6-id" }],
            adminStateUp: true,
            tags,
        });
        assert.deepStrictEqual(cloud.named("e-three-lb-ipv4").inputs, {
            name: "demo-api-ipv4",
            description: "dualstack: Kubernetes API of demo over IPv4",
            vipPortId: "e-three-vip-ipv4-id",
            vipSubnetId: "e-three-net-subnet-ipv4-id",
            vipAddress: await valueOf(endpoint.vipAddressIPv4 as pulumi.Output<string>),
            tags,
        });
        assert.deepStrictEqual(cloud.named("e-three-listener-ipv4").inputs, {
            name: "demo-api-ipv4",
            loadbalancerId: "e-three-lb-ipv4-id",
            protocol: "TCP",
            protocolPort: 6443,
            allowedCidrs: ["198.51.100.0/24", "10.20.0.0/22"],
            timeoutClientData: 3600000,
            timeoutMemberData: 3600000,
            tags,
        });
        assert.deepStrictEqual(cloud.named("e-three-listener-ipv6").inputs.allowedCidrs, ["2001:db8:a::/48", "fd00:20::/64"]);
        assert.deepStrictEqual(cloud.named("e-three-pool-ipv6").inputs, {
            name: "demo-api-ipv6",
            listenerId: "e-three-listener-ipv6-id",
            protocol: "TCP",
            lbMethod: "ROUND_ROBIN",
        });
        assert.deepStrictEqual(cloud.named("e-three-monitor-ipv4").inputs, {
            name: "demo-api-ipv4",
            poolId: "e-three-pool-ipv4-id",
            type: "TCP",
            delay: 10,
            timeout: 5,
            maxRetries: 3,
            maxRetriesDown: 3,
        });
        assert.deepStrictEqual(cloud.named("e-three-fip").inputs, {
            pool: "public",
            portId: "e-three-vip-ipv4-id",
            fixedIp: await valueOf(endpoint.vipAddressIPv4 as pulumi.Output<string>),
            description: "dualstack: Kubernetes API of demo (IPv4 load balancer)",
            tags,
        });
        const [vip4, vip6, fip] = await Promise.all([
            valueOf(endpoint.vipAddressIPv4 as pulumi.Output<string>),
            valueOf(endpoint.vipAddressIPv6 as pulumi.Output<string>),
            valueOf(endpoint.floatingIpAddress as pulumi.Output<string>),
        ]);
        assert.match(vip4, /^10\.20\.0\.\d+$/);
        assert.match(vip6, /^fd00:20::[0-9a-f]+$/);
        assert.strictEqual(endpoint.mode, "load-balancer");
        assert.deepStrictEqual(await valueOf(endpoint.addressesIPv4), [vip4, fip]);
        assert.deepStrictEqual(await valueOf(endpoint.addressesIPv6), [vip6]);
        assert.deepStrictEqual(await valueOf(endpoint.certSANs), [vip4, fip, vip6]);
        assert.strictEqual(await valueOf(endpoint.controlPlaneHost as pulumi.Output<string>), vip4);
        assert.strictEqual(await valueOf(endpoint.kubeconfigHost as pulumi.Output<string>), fip);
        assert.strictEqual(await valueOf(endpoint.poolIdIPv4 as pulumi.Output<string>), "e-three-pool-ipv4-id");
        assert.strictEqual(await valueOf(endpoint.poolIdIPv6 as pulumi.Output<string>), "e-three-pool-ipv6-id");
    });

    it("IPv6-primary: nodes reach the API at the IPv6 VIP, kubeconfig at the DNS name", async () => {
        const endpoint = new ApiEndpoint("e-v6p", {
            clusterName: "demo",
            controlPlaneCount: 3,
            primaryFamily: "IPv6",
            externalNetworkName: "public",
            dnsName: "api.demo.example.org",
            ...networkFor("e-v6p-net"),
        });
        const vip6 = await valueOf(endpoint.vipAddressIPv6 as pulumi.Output<string>);
        assert.strictEqual(await valueOf(endpoint.controlPlaneHost as pulumi.Output<string>), vip6);
        assert.strictEqual(await valueOf(endpoint.kubeconfigHost as pulumi.Output<string>), "api.demo.example.org");
        assert.strictEqual((await valueOf(endpoint.certSANs))[0], "api.demo.example.org");
        await settle();
        // Without allowed ranges the listener still admits only the node subnet: an empty list would mean everyone.
        assert.deepStrictEqual(cloud.named("e-v6p-listener-ipv6").inputs.allowedCidrs, ["fd00:20::/64"]);
        assert.deepStrictEqual(cloud.named("e-v6p-listener-ipv4").inputs.allowedCidrs, ["10.20.0.0/22"]);
    });

    it("IPv6-only with three control planes: one IPv6 load balancer, no floating IP", async () => {
        const endpoint = new ApiEndpoint("e-v6", { clusterName: "demo", controlPlaneCount: 3, ...networkFor("e-v6-net", ["ipv6"]) });
        await settle();
        assert.deepStrictEqual(childrenOf("e-v6"), [
            "Listener e-v6-listener-ipv6",
            "LoadBalancer e-v6-lb-ipv6",
            "Monitor e-v6-monitor-ipv6",
            "Pool e-v6-pool-ipv6",
            "Port e-v6-vip-ipv6",
        ]);
        const vip6 = await valueOf(endpoint.vipAddressIPv6 as pulumi.Output<string>);
        assert.strictEqual(await valueOf(endpoint.kubeconfigHost as pulumi.Output<string>), vip6);
        assert.strictEqual(endpoint.floatingIpAddress, undefined);
    });

    it("IPv6-only with one control plane: no floating IP (they are IPv4), a warning says so", async () => {
        const layout = planApiEndpoint("e-v6-one", {
            clusterName: "demo",
            controlPlaneCount: 1,
            externalNetworkName: "public",
            networkId: "net",
            subnets: { ipv6: { subnetId: "s", cidr: "fd00::/64" } },
        });
        assert.strictEqual(layout.floatingIp, false);
        assert.deepStrictEqual(layout.warnings.map((w) => w.rule), ["arg-unused"]);
    });

    it("OVN provider: SOURCE_IP_PORT, no allowed_cidrs and no timeouts (the provider supports neither)", async () => {
        new ApiEndpoint("e-ovn", {
            clusterName: "demo",
            controlPlaneCount: 3,
            loadBalancerProvider: "ovn",
            apiAllowedCidrs: ["198.51.100.0/24"],
            ...networkFor("e-ovn-net", ["ipv4"]),
        });
        await settle();
        assert.strictEqual(cloud.named("e-ovn-lb-ipv4").inputs.loadbalancerProvider, "ovn");
        const listener = cloud.named("e-ovn-listener-ipv4").inputs;
        assert.strictEqual(listener.allowedCidrs, undefined);
        assert.strictEqual(listener.timeoutClientData, undefined);
        assert.strictEqual(cloud.named("e-ovn-pool-ipv4").inputs.lbMethod, "SOURCE_IP_PORT");
    });

    describe("refuses invalid args before registering anything", () => {
        const base: ApiEndpointArgs = {
            clusterName: "demo",
            controlPlaneCount: 3,
            networkId: "net",
            subnets: { ipv4: { subnetId: "s4", cidr: "10.0.0.0/22" } },
        };
        const cases: Array<[string, Partial<ApiEndpointArgs>, string, string]> = [
            ["no control plane", { controlPlaneCount: 0 }, "arg-invalid", "controlPlaneCount is 0"],
            ["no subnet", { subnets: {} }, "arg-missing", "subnets is not set"],
            ["a primary family without a subnet", { primaryFamily: "IPv6" }, "arg-missing", "primaryFamily is IPv6"],
            ["an unknown primary family", { primaryFamily: "ipv6" }, "arg-invalid", 'primaryFamily is "ipv6"'],
            ["a DNS name that is not one", { dnsName: "api_demo" }, "arg-invalid", 'dnsName is "api_demo"'],
            ["an allowed range that is not a CIDR", { apiAllowedCidrs: ["10.0.0.1/8"] }, "cidr-host-bits", "apiAllowedCidrs[0]"],
            ["a zero idle timeout", { idleTimeoutSeconds: 0 }, "arg-invalid", "idleTimeoutSeconds is 0"],
        ];
        for (const [what, change, rule, text] of cases) {
            it(what, async () => {
                assert.throws(
                    () => new ApiEndpoint(`e-bad-${rule}`, { ...base, ...change }),
                    (e: unknown) => e instanceof InvalidPlanError && e.findings.some((f) => f.rule === rule) && e.message.includes(text),
                );
                await settle();
                assert.deepStrictEqual(cloud.resources, []);
            });
        }
    });
});
