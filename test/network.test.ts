import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Network, NetworkArgs, planNetwork } from "../components/network";
import { cloud, settle, valueOf } from "./support/runtime";
import { expectInvalid } from "./support/invalid";

const SUBNET = "openstack:networking/subnet:Subnet";
const RULE = "openstack:networking/secGroupRule:SecGroupRule";

function dualStack(overrides: Partial<NetworkArgs> = {}): NetworkArgs {
    return {
        clusterName: "demo",
        subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: "fd00:1:2::/64" } },
        podRanges: { ipv4: { cidr: "10.244.0.0/16" }, ipv6: { cidr: "fd00:1:3::/56" } },
        externalNetworkName: "public",
        ...overrides,
    };
}

/** `type-suffix name` of every recorded resource, sorted. */
function inventory(): string[] {
    return cloud.resources.map((r) => `${r.type.split(":").pop()} ${r.name}`).sort();
}

/** The recorded rules of a component, as `name: ethertype protocol ports remote`. */
function ruleLines(prefix: string): string[] {
    return cloud
        .ofType(RULE)
        .filter((r) => r.name.startsWith(prefix))
        .map((r) => {
            const i = r.inputs;
            const ports = i.portRangeMin === undefined ? "" : ` ${i.portRangeMin}`;
            const remote = i.remoteGroupId ?? i.remoteIpPrefix ?? "anywhere";
            return `${r.name}: ${i.direction} ${i.ethertype} ${i.protocol ?? "any"}${ports} ${remote}`;
        })
        .sort();
}

describe("Network", () => {
    it("dual-stack: network, a subnet per family, router with gateway and interfaces, two security groups with deleted defaults", async () => {
        const net = new Network("n-dual", dualStack({ dnsNameservers: ["9.9.9.9", "2620:fe::fe", "149.112.112.112"] }));
        await settle();
        assert.deepStrictEqual(
            inventory().filter((l) => !l.startsWith("SecGroupRule")),
            [
                "Network n-dual",
                "Network n-dual-network",
                "Router n-dual-router",
                "RouterInterface n-dual-router-ipv4",
                "RouterInterface n-dual-router-ipv6",
                "SecGroup n-dual-control-plane",
                "SecGroup n-dual-nodes",
                "Subnet n-dual-subnet-ipv4",
                "Subnet n-dual-subnet-ipv6",
            ],
        );
        const tags = ["dualstack-cluster=demo"];
        assert.deepStrictEqual(cloud.named("n-dual-network").inputs, { name: "demo", adminStateUp: true, tags });
        assert.deepStrictEqual(cloud.named("n-dual-subnet-ipv4", SUBNET).inputs, {
            name: "demo-nodes-ipv4",
            networkId: "n-dual-network-id",
            ipVersion: 4,
            cidr: "10.0.0.0/22",
            enableDhcp: true,
            dnsNameservers: ["9.9.9.9", "149.112.112.112"],
            tags,
        });
        assert.deepStrictEqual(cloud.named("n-dual-subnet-ipv6", SUBNET).inputs, {
            name: "demo-nodes-ipv6",
            networkId: "n-dual-network-id",
            ipVersion: 6,
            cidr: "fd00:1:2::/64",
            enableDhcp: true,
            ipv6AddressMode: "dhcpv6-stateful",
            ipv6RaMode: "dhcpv6-stateful",
            dnsNameservers: ["2620:fe::fe"],
            tags,
        });
        assert.deepStrictEqual(cloud.named("n-dual-router").inputs, { name: "demo", adminStateUp: true, externalNetworkId: "public-id", tags });
        assert.deepStrictEqual(cloud.calls.map((c) => [c.token, c.inputs]), [
            ["openstack:networking/getNetwork:getNetwork", { name: "public", external: true }],
        ]);
        assert.deepStrictEqual(cloud.named("n-dual-router-ipv6").inputs, { routerId: "n-dual-router-id", subnetId: "n-dual-subnet-ipv6-id" });
        for (const group of ["nodes", "control-plane"]) {
            const recorded = cloud.named(`n-dual-${group}`);
            assert.strictEqual(recorded.inputs.deleteDefaultRules, true);
            assert.strictEqual(recorded.inputs.name, `demo-${group}`);
            assert.deepStrictEqual(recorded.inputs.tags, tags);
        }
        assert.deepStrictEqual(ruleLines("n-dual-"), [
            "n-dual-control-plane-ipv4-api-subnet: ingress IPv4 tcp 6443 10.0.0.0/22",
            "n-dual-control-plane-ipv6-api-subnet: ingress IPv6 tcp 6443 fd00:1:2::/64",
            "n-dual-nodes-ipv4-bgp: ingress IPv4 tcp 179 n-dual-nodes-id",
            "n-dual-nodes-ipv4-egress: egress IPv4 any anywhere",
            "n-dual-nodes-ipv4-icmp-subnet: ingress IPv4 icmp 10.0.0.0/22",
            "n-dual-nodes-ipv4-members: ingress IPv4 any n-dual-nodes-id",
            "n-dual-nodes-ipv4-pods: ingress IPv4 any 10.244.0.0/16",
            "n-dual-nodes-ipv6-bgp: ingress IPv6 tcp 179 n-dual-nodes-id",
            "n-dual-nodes-ipv6-egress: egress IPv6 any anywhere",
            "n-dual-nodes-ipv6-icmp-link-local: ingress IPv6 ipv6-icmp fe80::/10",
            "n-dual-nodes-ipv6-icmp-subnet: ingress IPv6 ipv6-icmp fd00:1:2::/64",
            "n-dual-nodes-ipv6-members: ingress IPv6 any n-dual-nodes-id",
            "n-dual-nodes-ipv6-pods: ingress IPv6 any fd00:1:3::/56",
        ]);
        assert.ok(cloud.ofType(RULE).every((r) => r.parent === cloud.named("n-dual", "dualstack:index:Network").urn));
        assert.strictEqual(await valueOf(net.subnetCidrIPv6 as pulumi.Output<string>), "fd00:1:2::/64");
        assert.strictEqual(await valueOf(net.subnetIdIPv4 as pulumi.Output<string>), "n-dual-subnet-ipv4-id");
        assert.strictEqual(await valueOf(net.routerId), "n-dual-router-id");
        assert.strictEqual(await valueOf(net.nodeSecurityGroupId), "n-dual-nodes-id");
        assert.strictEqual(await valueOf(net.controlPlaneSecurityGroupId), "n-dual-control-plane-id");
        assert.deepStrictEqual(net.nodeFamilies, ["IPv4", "IPv6"]);
    });

    it("puts every allowed range into the rule of its own family, and opens nothing else from outside", async () => {
        new Network(
            "n-access",
            dualStack({
                access: { apiAllowedCidrs: ["198.51.100.0/24", "2001:db8:a::/48"], sshAllowedCidrs: ["2001:db8:b::/64"] },
                podRanges: { ipv4: { cidr: "10.244.0.0/16", encapsulation: "VXLAN" }, ipv6: { cidr: "fd00:1:3::/56", encapsulation: "VXLAN" } },
                calicoBgp: false,
            }),
        );
        await settle();
        assert.deepStrictEqual(ruleLines("n-access-"), [
            "n-access-control-plane-ipv4-api-198.51.100.0/24: ingress IPv4 tcp 6443 198.51.100.0/24",
            "n-access-control-plane-ipv4-api-subnet: ingress IPv4 tcp 6443 10.0.0.0/22",
            "n-access-control-plane-ipv6-api-2001-db8-a--/48: ingress IPv6 tcp 6443 2001:db8:a::/48",
            "n-access-control-plane-ipv6-api-subnet: ingress IPv6 tcp 6443 fd00:1:2::/64",
            "n-access-nodes-ipv4-egress: egress IPv4 any anywhere",
            "n-access-nodes-ipv4-icmp-subnet: ingress IPv4 icmp 10.0.0.0/22",
            "n-access-nodes-ipv4-members: ingress IPv4 any n-access-nodes-id",
            "n-access-nodes-ipv4-vxlan: ingress IPv4 udp 4789 n-access-nodes-id",
            "n-access-nodes-ipv6-egress: egress IPv6 any anywhere",
            "n-access-nodes-ipv6-icmp-link-local: ingress IPv6 ipv6-icmp fe80::/10",
            "n-access-nodes-ipv6-icmp-subnet: ingress IPv6 ipv6-icmp fd00:1:2::/64",
            "n-access-nodes-ipv6-members: ingress IPv6 any n-access-nodes-id",
            "n-access-nodes-ipv6-ssh-2001-db8-b--/64: ingress IPv6 tcp 22 2001:db8:b::/64",
            "n-access-nodes-ipv6-vxlan: ingress IPv6 udp 4789 n-access-nodes-id",
        ]);
        const remotes = cloud.ofType(RULE).map((r) => r.inputs.remoteIpPrefix);
        assert.ok(!remotes.includes("0.0.0.0/0") && !remotes.includes("::/0"));
    });

    it("IPv6-only nodes: one IPv6 subnet, IPv6 rules only, no IPv4 anywhere", async () => {
        new Network("n-v6", {
            clusterName: "v6only",
            subnets: { ipv6: { cidr: "fd00:6::/64", ipv6AddressMode: "slaac" } },
            podRanges: { ipv6: { cidr: "fd00:7::/56" } },
            externalNetworkName: "public",
        });
        await settle();
        assert.deepStrictEqual(cloud.ofType(SUBNET).map((s) => s.name), ["n-v6-subnet-ipv6"]);
        const subnet = cloud.named("n-v6-subnet-ipv6", SUBNET).inputs;
        assert.strictEqual(subnet.ipv6AddressMode, "slaac");
        assert.strictEqual(subnet.ipv6RaMode, "slaac");
        assert.deepStrictEqual(cloud.ofType("openstack:networking/routerInterface:RouterInterface").map((r) => r.name), ["n-v6-router-ipv6"]);
        assert.ok(cloud.ofType(RULE).every((r) => r.inputs.ethertype === "IPv6"));
        assert.ok(cloud.ofType(RULE).some((r) => r.inputs.protocol === "ipv6-icmp" && r.inputs.remoteIpPrefix === "fd00:6::/64"));
    });

    it("IPv4-only nodes: one IPv4 subnet without IPv6 modes, IPv4 rules only", async () => {
        const net = new Network("n-v4", {
            clusterName: "v4only",
            subnets: { ipv4: { cidr: "10.9.0.0/24" } },
            podRanges: { ipv4: { cidr: "10.250.0.0/16", encapsulation: "IPIP" } },
            externalNetworkName: "public",
        });
        await settle();
        assert.deepStrictEqual(cloud.named("n-v4-subnet-ipv4", SUBNET).inputs, {
            name: "v4only-nodes-ipv4",
            networkId: "n-v4-network-id",
            ipVersion: 4,
            cidr: "10.9.0.0/24",
            enableDhcp: true,
            tags: ["dualstack-cluster=v4only"],
        });
        assert.ok(cloud.ofType(RULE).every((r) => r.inputs.ethertype === "IPv4"));
        assert.deepStrictEqual(cloud.named("n-v4-nodes-ipv4-ipip").inputs.protocol, "4");
        assert.throws(() => cloud.named("n-v4-nodes-ipv4-pods"));
        assert.strictEqual(net.subnetIdIPv6, undefined);
    });

    it("subnet-pool mode: looks the pool up by name and asks Neutron for a prefix; rules use the allocated CIDR", async () => {
        const net = new Network(
            "n-pool",
            dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { subnetPoolName: "public-ipv6", prefixLength: 64 } } }),
        );
        const allocated = await valueOf(net.subnetCidrIPv6 as pulumi.Output<string>);
        await settle();
        assert.match(allocated, /^2001:db8:[0-9a-f:]+\/64$/);
        const subnet = cloud.named("n-pool-subnet-ipv6", SUBNET).inputs;
        assert.deepStrictEqual(subnet, {
            name: "demo-nodes-ipv6",
            networkId: "n-pool-network-id",
            ipVersion: 6,
            subnetpoolId: "public-ipv6-id",
            prefixLength: 64,
            enableDhcp: true,
            ipv6AddressMode: "dhcpv6-stateful",
            ipv6RaMode: "dhcpv6-stateful",
            tags: ["dualstack-cluster=demo"],
        });
        assert.ok(cloud.calls.some((c) => c.token === "openstack:networking/getSubnetPool:getSubnetPool" && c.inputs.name === "public-ipv6"));
        assert.strictEqual(cloud.named("n-pool-nodes-ipv6-icmp-subnet").inputs.remoteIpPrefix, allocated);
        assert.strictEqual(cloud.named("n-pool-control-plane-ipv6-api-subnet").inputs.remoteIpPrefix, allocated);
    });

    it("existing-network mode: creates no network or router, puts the subnets in the named network and on the named router", async () => {
        new Network(
            "n-existing",
            dualStack({ existingNetworkName: "shared-net", existingRouterName: "shared-router", externalNetworkName: undefined }),
        );
        await settle();
        assert.deepStrictEqual(cloud.ofType("openstack:networking/network:Network"), []);
        assert.deepStrictEqual(cloud.ofType("openstack:networking/router:Router"), []);
        assert.deepStrictEqual(
            cloud.calls.map((c) => [c.token.split(":").pop(), c.inputs.name]).sort(),
            [
                ["getNetwork", "shared-net"],
                ["getRouter", "shared-router"],
            ],
        );
        assert.strictEqual(cloud.named("n-existing-subnet-ipv4", SUBNET).inputs.networkId, "shared-net-id");
        assert.deepStrictEqual(cloud.named("n-existing-router-ipv4").inputs, { routerId: "shared-router-id", subnetId: "n-existing-subnet-ipv4-id" });
        assert.deepStrictEqual(cloud.named("n-existing-router-ipv6").inputs, { routerId: "shared-router-id", subnetId: "n-existing-subnet-ipv6-id" });
    });

    it("takes ranges that are Outputs (derived from the random ULA /48) and checks them when they resolve", async () => {
        new Network(
            "n-output",
            dualStack({
                subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: pulumi.output("fd12:3456:789a::/64") } },
                podRanges: { ipv4: { cidr: "10.244.0.0/16" }, ipv6: { cidr: pulumi.output("fd12:3456:789a:4000::/56") } },
            }),
        );
        await settle();
        assert.strictEqual(cloud.named("n-output-subnet-ipv6", SUBNET).inputs.cidr, "fd12:3456:789a::/64");
        assert.strictEqual(cloud.named("n-output-nodes-ipv6-pods").inputs.remoteIpPrefix, "fd12:3456:789a:4000::/56");
    });

    it("subnet ids handed out wait for the router interface (floating IPs need the subnet on the router)", async () => {
        const net = new Network("n-deps", dualStack());
        const port = new (await import("@pulumi/openstack")).networking.Port("n-deps-probe", {
            networkId: net.networkId,
            fixedIps: [{ subnetId: net.subnetIdIPv4 as pulumi.Output<string> }],
        });
        await valueOf(port.id);
        await settle();
        const deps = cloud.named("n-deps-probe").dependencies;
        assert.ok(deps.some((d) => d.endsWith("::n-deps-router-ipv4")), deps.join("\n"));
    });

    it("an access gateway's client ranges: SSH on every node and the API on the control planes, per family", async () => {
        new Network("n-clients", dualStack({ gatewayClientRanges: { ipv4: "10.43.0.0/24", ipv6: pulumi.output("fd00:1:2:c000::/64") } }));
        await settle();
        assert.deepStrictEqual(
            ruleLines("n-clients").filter((l) => l.includes("wireguard")),
            [
                "n-clients-control-plane-ipv4-api-wireguard-clients: ingress IPv4 tcp 6443 10.43.0.0/24",
                "n-clients-control-plane-ipv6-api-wireguard-clients: ingress IPv6 tcp 6443 fd00:1:2:c000::/64",
                "n-clients-nodes-ipv4-ssh-wireguard-clients: ingress IPv4 tcp 22 10.43.0.0/24",
                "n-clients-nodes-ipv6-ssh-wireguard-clients: ingress IPv6 tcp 22 fd00:1:2:c000::/64",
            ],
        );
        assert.strictEqual(
            cloud.named("n-clients-nodes-ipv4-ssh-wireguard-clients", RULE).inputs.description,
            "SSH from the access gateway's WireGuard clients (IPv4)",
        );
    });

    it("warns about allowed ranges no rule can use and about world-open access, and still creates the rules it can", () => {
        const layout = planNetwork(
            "n-warn",
            dualStack({
                subnets: { ipv4: { cidr: "10.0.0.0/22" } },
                podRanges: { ipv4: { cidr: "10.244.0.0/16" } },
                access: { apiAllowedCidrs: ["2001:db8::/32"], sshAllowedCidrs: ["0.0.0.0/0"] },
            }),
        );
        assert.deepStrictEqual(
            layout.warnings.map((w) => `${w.rule} ${w.path}`),
            ["allowed-range-family-unused access.apiAllowedCidrs[0]", "world-open-access access.sshAllowedCidrs[0]"],
        );
        assert.deepStrictEqual(
            layout.rules.filter((r) => r.remote.kind === "cidr").map((r) => `${r.group} ${r.key}`),
            ["nodes ipv4-ssh-0.0.0.0/0"],
        );
    });

    describe("refuses invalid args before registering anything", () => {
        it("a CIDR with host bits", () =>
            expectInvalid(
                () => new Network("n-bad1", dualStack({ subnets: { ipv4: { cidr: "10.0.0.1/22" } } })),
                "cidr-host-bits",
                'subnets.ipv4.cidr is "10.0.0.1/22"',
            ));
        it("an IPv4 CIDR as the IPv6 subnet", () =>
            expectInvalid(
                () => new Network("n-bad2", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: "10.1.0.0/24" } } })),
                "cidr-family-mismatch",
                "subnets.ipv6.cidr",
            ));
        it("SLAAC on a subnet that is not a /64", () =>
            expectInvalid(
                () =>
                    new Network(
                        "n-bad3",
                        dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: "fd00:1:2::/80", ipv6AddressMode: "slaac" } } }),
                    ),
                "neutron-auto-address-prefix",
                "needs exactly a /64",
            ));
        it("different RA and address modes", () =>
            expectInvalid(
                () =>
                    new Network(
                        "n-bad4",
                        dualStack({
                            subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: "fd00:1:2::/64", ipv6AddressMode: "dhcpv6-stateful", ipv6RaMode: "slaac" } },
                        }),
                    ),
                "neutron-ipv6-mode-mismatch",
                "subnets.ipv6.ipv6RaMode is slaac",
            ));
        it("IPv6 modes on the IPv4 subnet", () =>
            expectInvalid(
                () => new Network("n-bad5", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22", ipv6AddressMode: "slaac" }, ipv6: { cidr: "fd00:1:2::/64" } } })),
                "neutron-ipv6-mode-on-ipv4",
                "subnets.ipv4.ipv6AddressMode",
            ));
        it("IP-in-IP on the IPv6 pool", () =>
            expectInvalid(
                () => new Network("n-bad6", dualStack({ podRanges: { ipv4: { cidr: "10.244.0.0/16" }, ipv6: { cidr: "fd00:1:3::/56", encapsulation: "IPIP" } } })),
                "calico-ipip-ipv6",
                "IP-in-IP carries IPv4 only",
            ));
        it("an unknown encapsulation", () =>
            expectInvalid(
                () => new Network("n-bad7", dualStack({ podRanges: { ipv4: { cidr: "10.244.0.0/16", encapsulation: "vxlan" } } })),
                "calico-encapsulation-invalid",
                'podRanges.ipv4.encapsulation is "vxlan"',
            ));
        it("a pod family without a node subnet", () =>
            expectInvalid(
                () => new Network("n-bad8", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" } } })),
                "cluster-family-missing-on-nodes",
                "subnets.ipv6",
            ));
        it("unencapsulated pods without BGP", () =>
            expectInvalid(() => new Network("n-bad9", dualStack({ calicoBgp: false })), "calico-bgp-required", "calicoBgp is false"));
        it("neither an external network nor an existing router", () =>
            expectInvalid(() => new Network("n-bad10", dualStack({ externalNetworkName: undefined })), "arg-missing", "externalNetworkName is not set"));
        it("a CIDR and a subnet pool for the same subnet", () =>
            expectInvalid(
                () => new Network("n-bad11", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { cidr: "fd00::/64", subnetPoolName: "p" } } })),
                "arg-conflict",
                "subnets.ipv6.cidr and subnets.ipv6.subnetPoolName are both set",
            ));
        it("a subnet pool without a prefix length", () =>
            expectInvalid(
                () => new Network("n-bad12", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" }, ipv6: { subnetPoolName: "p" } } })),
                "arg-missing",
                "subnets.ipv6.prefixLength is not set",
            ));
        it("a pod range overlapping the node subnet", () =>
            expectInvalid(
                () => new Network("n-bad13", dualStack({ podRanges: { ipv4: { cidr: "10.0.0.0/16" }, ipv6: { cidr: "fd00:1:3::/56" } } })),
                "range-overlap",
                "overlaps",
            ));
        it("an allowed range that is not a CIDR", () =>
            expectInvalid(
                () => new Network("n-bad14", dualStack({ access: { sshAllowedCidrs: ["my-office"] } })),
                "cidr-invalid",
                'access.sshAllowedCidrs[0] is "my-office"',
            ));
        it("a DNS server that is not an address", () =>
            expectInvalid(() => new Network("n-bad15", dualStack({ dnsNameservers: ["dns.example.org"] })), "dns-nameserver-invalid", "dnsNameservers[0]"));
        it("a cluster name that cannot be a host name", () =>
            expectInvalid(() => new Network("n-bad16", dualStack({ clusterName: "Demo_1" })), "arg-invalid", 'clusterName is "Demo_1"'));
        it("a client range overlapping the node subnet, or of a family without a subnet", async () => {
            await expectInvalid(() => new Network("n-bad-clients", dualStack({ gatewayClientRanges: { ipv4: "10.0.1.0/24" } })), "range-overlap", "gatewayClientRanges.ipv4 (WireGuard client range 10.0.1.0/24)");
            await expectInvalid(
                () => new Network("n-bad-clients6", dualStack({ subnets: { ipv4: { cidr: "10.0.0.0/22" } }, podRanges: { ipv4: { cidr: "10.244.0.0/16" } }, gatewayClientRanges: { ipv6: "fd00:9::/64" } })),
                "arg-missing",
                "gatewayClientRanges.ipv6 is set, so the nodes need an IPv6 subnet to reach its peers.",
            );
        });
        it("names the component and lists every error at once", async () => {
            assert.throws(
                () => new Network("n-bad17", dualStack({ clusterName: "X", calicoBgp: false })),
                (e: Error) => e.message.startsWith('Network "n-bad17" is invalid:') && e.message.includes("(arg-invalid)") && e.message.includes("(calico-bgp-required)"),
            );
            await settle();
            assert.deepStrictEqual(cloud.resources, []);
        });
    });
});
