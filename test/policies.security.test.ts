import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import { icmpv6Allowed, portAddressPairsWorld, portPodAddressPairs, portSecurityEnabled, secgroupRuleFamily, secgroupWorldOpen } from "../components/policies/security";
import { messages, resourceArgs, runResourcePolicy, runStackPolicy, stackArgs, StackResource, UNKNOWN_VALUE } from "./support/policy";
import { clusterResource, subnet } from "./support/policyStacks";

const { SecGroupRule, Port } = openstack.networking;

const ssh = { direction: "ingress", ethertype: "IPv4", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, securityGroupId: "sg" };

/** One security-group rule as a stack of one. */
function oneRule(props: Record<string, unknown>, name = "rule"): StackResource[] {
    return [{ type: SecGroupRule, name, props }];
}

describe("#secgroup-world-open", () => {
    const policy = secgroupWorldOpen;
    const run = async (resources: StackResource[], config?: object) => messages(await runStackPolicy(policy, stackArgs(resources, { config })));
    const tail =
        "Admit only the ranges of your offices, VPN or CI runners (dualstack:access.sshAllowedCidrs, " +
        "dualstack:access.apiAllowedCidrs; the kubelet, etcd and Calico need only the cluster's own nodes), or list the port in the " +
        "policy pack (secgroup-world-open.allowedPorts) if it must be public.";

    it("accepts SSH from an office range and HTTPS from anywhere", async () => {
        for (const props of [
            { ...ssh, remoteIpPrefix: "10.200.0.0/16" },
            { ...ssh, ethertype: "IPv6", remoteIpPrefix: "2001:db8:100::/48" },
            { ...ssh, portRangeMin: 443, portRangeMax: 443, remoteIpPrefix: "0.0.0.0/0" },
            { ...ssh, protocol: "udp", portRangeMin: 1, portRangeMax: 4788, remoteIpPrefix: "0.0.0.0/0" },
            { ...ssh, protocol: "icmp", portRangeMin: undefined, portRangeMax: undefined, remoteIpPrefix: "0.0.0.0/0" },
            { ...ssh, direction: "egress", remoteIpPrefix: "0.0.0.0/0" },
            { ...ssh, portRangeMin: 10250, portRangeMax: 10250, remoteGroupId: "nodes" },
        ]) {
            assert.deepStrictEqual(await run(oneRule(props)), [], JSON.stringify(props));
        }
    });

    it("refuses SSH from 0.0.0.0/0", async () => {
        assert.deepStrictEqual(await run(oneRule({ ...ssh, remoteIpPrefix: "0.0.0.0/0" }, "dev-ssh-ipv4")), [
            `[secgroup-world-open] dev-ssh-ipv4.remoteIpPrefix is 0.0.0.0/0, so this ingress rule opens SSH (22/tcp) to the whole IPv4 internet. ${tail}`,
        ]);
    });

    it("refuses every closed service from anywhere when neither a remote prefix nor a remote group is set", async () => {
        assert.deepStrictEqual(await run(oneRule({ direction: "ingress", ethertype: "IPv6", securityGroupId: "sg" }, "open")), [
            "[secgroup-world-open] open.remoteIpPrefix is not set and the rule names no remote group, so this ingress rule " +
                "opens SSH (22/tcp), the Kubernetes API (6443/tcp), the kubelet API (10250/tcp), etcd (clients) (2379/tcp), " +
                "etcd (peers) (2380/tcp), kube-controller-manager (10257/tcp), kube-scheduler (10259/tcp), BGP (179/tcp), " +
                `Calico Typha (5473/tcp), VXLAN (4789/udp) and IP-in-IP (protocol 4) to the whole IPv6 internet. ${tail}`,
        ]);
    });

    it("treats ports 0/0 (the provider's unset) as every port, and ::/0 as the IPv6 internet", async () => {
        const found = await run(oneRule({ ...ssh, ethertype: "IPv6", portRangeMin: 0, portRangeMax: 0, remoteIpPrefix: "::/0" }));
        assert.strictEqual(found.length, 1);
        assert.match(found[0], /opens SSH \(22\/tcp\), the Kubernetes API \(6443\/tcp\), the kubelet API \(10250\/tcp\), .* and Calico Typha \(5473\/tcp\) to the whole IPv6 internet/);
    });

    it("lets pack configuration allow a public API, and only that", async () => {
        const config = { allowedPorts: [6443] };
        assert.deepStrictEqual(await run(oneRule({ ...ssh, portRangeMin: 6443, portRangeMax: 6443, remoteIpPrefix: "0.0.0.0/0" }), config), []);
        const range = await run(oneRule({ ...ssh, portRangeMin: 6000, portRangeMax: 11000, remoteIpPrefix: "0.0.0.0/0" }), config);
        assert.match(range[0], /opens the kubelet API \(10250\/tcp\), kube-controller-manager \(10257\/tcp\) and kube-scheduler \(10259\/tcp\) to the whole IPv4 internet/);
    });

    it("skips a rule whose remote is unknown in preview (a remote group id is computed)", async () => {
        assert.deepStrictEqual(await run(oneRule({ ...ssh, remoteGroupId: UNKNOWN_VALUE })), []);
    });

    it("reads protocols as Neutron does: any case, 0/ip/hopopt as every protocol, and an unreadable number as every protocol too", async () => {
        for (const protocol of ["TCP", "Tcp", "6", "06", " 6", "+6", "0_6", "0", "00", "ip", "IP", "hopopt", ""]) {
            const found = await run(oneRule({ ...ssh, protocol, remoteIpPrefix: "0.0.0.0/0" }, "r"));
            assert.strictEqual(found.length, 1, protocol);
            assert.match(found[0], /^\[secgroup-world-open\] r\.remoteIpPrefix is 0\.0\.0\.0\/0, so this ingress rule opens SSH \(22\/tcp\)/, protocol);
        }
        // A protocol Neutron would refuse counts as every protocol here (secgroup-rule-family refuses it).
        assert.strictEqual((await run(oneRule({ ...ssh, protocol: "tcp6", remoteIpPrefix: "0.0.0.0/0" }))).length, 1);
        assert.deepStrictEqual(await run(oneRule({ ...ssh, protocol: "UDP", remoteIpPrefix: "0.0.0.0/0" })), []);
    });

    it("refuses world-open etcd, controller-manager, scheduler, BGP, VXLAN and IP-in-IP", async () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [{ ...ssh, portRangeMin: 2379, portRangeMax: 2380 }, /opens etcd \(clients\) \(2379\/tcp\) and etcd \(peers\) \(2380\/tcp\) to/],
            [{ ...ssh, portRangeMin: 10257, portRangeMax: 10257 }, /opens kube-controller-manager \(10257\/tcp\) to/],
            [{ ...ssh, portRangeMin: 10259, portRangeMax: 10259 }, /opens kube-scheduler \(10259\/tcp\) to/],
            [{ ...ssh, portRangeMin: 179, portRangeMax: 179 }, /opens BGP \(179\/tcp\) to/],
            [{ ...ssh, protocol: "udp", portRangeMin: 4789, portRangeMax: 4789 }, /opens VXLAN \(4789\/udp\) to/],
            [{ ...ssh, protocol: "ipip", portRangeMin: undefined, portRangeMax: undefined }, /opens IP-in-IP \(protocol 4\) to/],
            [{ ...ssh, protocol: "4", portRangeMin: undefined, portRangeMax: undefined }, /opens IP-in-IP \(protocol 4\) to/],
        ];
        for (const [props, expected] of cases) {
            const found = await run(oneRule({ ...props, remoteIpPrefix: "0.0.0.0/0" }));
            assert.strictEqual(found.length, 1, JSON.stringify(props));
            assert.match(found[0], expected);
        }
    });

    it("refuses rules whose prefixes together are the world, naming each", async () => {
        const halves = [
            { type: SecGroupRule, name: "low", props: { ...ssh, remoteIpPrefix: "0.0.0.0/1" } },
            { type: SecGroupRule, name: "high", props: { ...ssh, portRangeMin: 1, portRangeMax: 1024, remoteIpPrefix: "128.0.0.0/1" } },
        ];
        assert.deepStrictEqual(await run(halves), [
            "[secgroup-world-open] low.remoteIpPrefix (0.0.0.0/1) and high.remoteIpPrefix (128.0.0.0/1) together cover the whole " +
                `IPv4 address space, so these ingress rules open SSH (22/tcp) to the whole IPv4 internet. ${tail}`,
        ]);
        // Halves on different ports cover no port from the world.
        const apart = [halves[0], { ...halves[1], props: { ...halves[1].props, portRangeMin: 23, portRangeMax: 1024 } }];
        assert.deepStrictEqual(await run(apart), []);
        // IPv6 halves, one of them a bare address's neighbourhood short of the world: not covered.
        const v6 = (name: string, prefix: string) => ({ type: SecGroupRule, name, props: { ...ssh, ethertype: "IPv6", remoteIpPrefix: prefix } });
        assert.strictEqual((await run([v6("a", "::/1"), v6("b", "8000::/1")])).length, 1);
        assert.deepStrictEqual(await run([v6("a", "::/1"), v6("b", "8000::/2")]), []);
    });
});

describe("#secgroup-rule-family", () => {
    const policy = secgroupRuleFamily;

    it("accepts matching families, a bare address and lower-case ethertype (Neutron ignores case)", async () => {
        for (const props of [
            { ...ssh, remoteIpPrefix: "10.0.0.0/8" },
            { ...ssh, remoteIpPrefix: "10.0.0.5" },
            { ...ssh, ethertype: "ipv6", remoteIpPrefix: "fd00::/8" },
            { ...ssh, ethertype: "IPv6", protocol: "icmp", portRangeMin: undefined, portRangeMax: undefined },
        ]) {
            assert.deepStrictEqual(messages(await runResourcePolicy(policy, resourceArgs(SecGroupRule, props))), [], JSON.stringify(props));
        }
    });

    it("refuses an IPv4 rule with ::/0, as Neutron does", async () => {
        const args = resourceArgs(SecGroupRule, { ...ssh, remoteIpPrefix: "::/0" }, { name: "r" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            '[secgroup-ethertype-mismatch] r.ethertype is IPv4 but r.remoteIpPrefix is ::/0, an IPv6 range; Neutron refuses the ' +
                'rule ("Conflicting value ethertype IPv4 for CIDR ::/0"). Set r.ethertype to IPv6, or give an IPv4 prefix ' +
                "(0.0.0.0/0 is every IPv4 address).",
        ]);
    });

    it("refuses ipv6-icmp with ethertype IPv4, and an unknown ethertype", async () => {
        const icmp = resourceArgs(SecGroupRule, { direction: "ingress", ethertype: "IPv4", protocol: "ipv6-icmp", securityGroupId: "sg" }, { name: "r" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, icmp)), [
            "[secgroup-protocol-family-mismatch] r.protocol is ipv6-icmp, an IPv6 protocol, but r.ethertype is IPv4; Neutron " +
                'refuses the rule ("Invalid ethertype IPv4 for protocol ipv6-icmp."). Set r.ethertype to IPv6, or use icmp for IPv4 ICMP.',
        ]);
        const bad = resourceArgs(SecGroupRule, { direction: "ingress", ethertype: "IPv5", securityGroupId: "sg" }, { name: "r" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, bad)), [
            '[secgroup-ethertype-invalid] r.ethertype is "IPv5"; Neutron takes IPv4 or IPv6. Use the family of the remote prefix.',
        ]);
    });

    it("refuses a remote prefix that is not an address or a CIDR", async () => {
        const args = resourceArgs(SecGroupRule, { ...ssh, remoteIpPrefix: "10.0.0.0/33" }, { name: "r" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            '[cidr-invalid] r.remoteIpPrefix is "10.0.0.0/33": the prefix length must be between 0 and 32. Write a CIDR such as 10.244.0.0/16.',
        ]);
    });

    it("skips unknown fields", async () => {
        const args = resourceArgs(SecGroupRule, { ...ssh, remoteIpPrefix: "::/0" }, { unknown: ["ethertype"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
    });
});

describe("#port-security-enabled", () => {
    const policy = portSecurityEnabled;

    it("accepts ports that leave port security on (unset or true)", async () => {
        for (const props of [{ networkId: "n" }, { networkId: "n", portSecurityEnabled: true }]) {
            assert.deepStrictEqual(messages(await runResourcePolicy(policy, resourceArgs(Port, props))), []);
        }
    });

    it("refuses a port with port security off", async () => {
        const args = resourceArgs(Port, { networkId: "n", portSecurityEnabled: false }, { name: "dev-worker-0-port" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[port-security-disabled] dev-worker-0-port.portSecurityEnabled is false: Neutron then applies no security group " +
                "and no anti-spoofing to the port, so every service of the machine is open to the network. Leave port security " +
                "on, and admit pod ranges with allowed-address-pairs instead.",
        ]);
    });

    it("skips an unknown setting", async () => {
        const args = resourceArgs(Port, { networkId: "n", portSecurityEnabled: false }, { unknown: ["portSecurityEnabled"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
    });
});

describe("#icmpv6-allowed", () => {
    const policy = icmpv6Allowed;
    const icmpv6 = { direction: "ingress", ethertype: "IPv6", protocol: "ipv6-icmp", securityGroupId: "sg", remoteIpPrefix: "::/0" };
    const rule = (name: string, props: Record<string, unknown>): StackResource => ({ type: SecGroupRule, name, props });

    it("passes when an IPv6 network admits ICMPv6", async () => {
        const args = stackArgs([subnet("s6", "fd00:0:0:1::/64"), rule("ssh", ssh), rule("icmp6", icmpv6)]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
    });

    it("accepts Neutron's other names for ICMPv6 and rules for every protocol", async () => {
        for (const props of [{ ...icmpv6, protocol: "icmp" }, { ...icmpv6, protocol: "58" }, { ...icmpv6, protocol: undefined }]) {
            const args = stackArgs([subnet("s6", "fd00:0:0:1::/64"), rule("r", props)]);
            assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [], JSON.stringify(props));
        }
    });

    it("fails an IPv6 network without an ICMPv6 rule", async () => {
        const args = stackArgs([
            subnet("dev-subnet-ipv6", "fd00:0:0:1::/64"),
            rule("ssh", ssh),
            rule("egress", { ...icmpv6, direction: "egress" }),
            rule("icmp4", { ...icmpv6, ethertype: "IPv4", protocol: "icmp", remoteIpPrefix: "0.0.0.0/0" }),
        ]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), [
            "[icmpv6-not-allowed] The network has IPv6 (dev-subnet-ipv6) but no security-group rule admits ICMPv6: Neutron " +
                "lets only neighbour discovery through by default, so Packet Too Big messages are dropped, path MTU discovery " +
                "fails and IPv6 connections stall. Add an ingress rule with ethertype IPv6 and protocol ipv6-icmp.",
        ]);
    });

    it("sees IPv6 in a subnet-pool subnet by its ip_version", async () => {
        const args = stackArgs([
            { type: openstack.networking.Subnet, name: "lab-subnet-ipv6", props: { ipVersion: 6, subnetpoolId: "p", cidr: UNKNOWN_VALUE } },
            rule("ssh", ssh),
        ]);
        assert.strictEqual((await runStackPolicy(policy, args)).violations.length, 1);
    });

    it("in a preview, decides on direction, ethertype and protocol alone (the provider computes the rest)", async () => {
        // New rules in a preview: remote group, prefix and ports unknown.
        const computed = { remoteGroupId: UNKNOWN_VALUE, remoteIpPrefix: UNKNOWN_VALUE, portRangeMin: UNKNOWN_VALUE, portRangeMax: UNKNOWN_VALUE };
        const missing = stackArgs([subnet("s6", "fd00::/64"), rule("ssh", { ...ssh, ...computed })]);
        assert.strictEqual((await runStackPolicy(policy, missing)).violations.length, 1, "an IPv6 network without ICMPv6 is caught in preview");
        const present = stackArgs([subnet("s6", "fd00::/64"), rule("ssh", { ...ssh, ...computed }), rule("icmp6", { ...icmpv6, ...computed })]);
        assert.deepStrictEqual(await runStackPolicy(policy, present), { violations: [] });
    });

    it("passes an IPv4-only network, skips unknown rules, and does not apply without rules", async () => {
        assert.deepStrictEqual(await runStackPolicy(policy, stackArgs([subnet("s4", "10.0.0.0/24"), rule("ssh", ssh)])), { violations: [] });
        const unknown = stackArgs([subnet("s6", "fd00::/64"), rule("r", { ...icmpv6, protocol: UNKNOWN_VALUE })]);
        assert.deepStrictEqual(await runStackPolicy(policy, unknown), { violations: [] });
        const none = await runStackPolicy(policy, stackArgs([subnet("s6", "fd00::/64")]));
        assert.strictEqual(none.notApplicable, "the stack manages no security-group rules");
    });
});

describe("#port-pod-address-pairs", () => {
    const policy = portPodAddressPairs;
    const machinePort = (name: string, props: Record<string, unknown>, parent?: string): StackResource => ({
        type: Port,
        name,
        parent,
        props: { networkId: "n", tags: ["dualstack-cluster=dev", "dualstack-role=worker", "dualstack-pool=workers"], ...props },
    });
    const plan = clusterResource("dev", {
        families: [
            { family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16", encapsulation: "None" },
            { family: "IPv6", pods: "fd12:3456:789a:100::/56", services: "fd12:3456:789a:200::/112", encapsulation: "VXLAN" },
        ],
    });

    it("passes when every unencapsulated pod range has an address pair (VXLAN needs none)", async () => {
        const args = stackArgs([plan, machinePort("dev-worker-0", { allowedAddressPairs: [{ ipAddress: "10.11.0.0/16" }] }, "dev")]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
    });

    it("accepts a wider pair that covers the pod range", async () => {
        const args = stackArgs([plan, machinePort("dev-worker-0", { allowedAddressPairs: [{ ipAddress: "10.0.0.0/8" }] })]);
        assert.deepStrictEqual(messages(await runStackPolicy(policy, args)), []);
    });

    it("fails a machine port without a pair for a pod range routed natively", async () => {
        const crossSubnet = clusterResource("dev", {
            families: [
                { family: "IPv4", pods: "10.11.0.0/16", services: "10.12.0.0/16", encapsulation: "None" },
                { family: "IPv6", pods: "fd12:3456:789a:100::/56", services: "fd12:3456:789a:200::/112", encapsulation: "VXLANCrossSubnet" },
            ],
        });
        const args = stackArgs([crossSubnet, machinePort("dev-worker-0", { allowedAddressPairs: [{ ipAddress: "10.11.0.0/17" }] }, "dev")]);
        const run = await runStackPolicy(policy, args);
        assert.deepStrictEqual(messages(run), [
            "[port-pod-range-not-allowed] dev-worker-0.allowedAddressPairs does not cover the IPv4 pod range 10.11.0.0/16 " +
                "(dualstack:pods.ipv4Cidr): with Calico encapsulation None, pod packets leave the node with pod source addresses, " +
                "and Neutron's anti-spoofing drops them. Add an allowed address pair with ipAddress 10.11.0.0/16, or use VXLAN encapsulation.",
            "[port-pod-range-not-allowed] dev-worker-0.allowedAddressPairs does not cover the IPv6 pod range " +
                "fd12:3456:789a:100::/56 (dualstack:pods.ipv6Cidr): with Calico encapsulation VXLANCrossSubnet, pod packets within " +
                "the node subnet leave the node with pod source addresses, and Neutron's anti-spoofing drops them. Add an allowed " +
                "address pair with ipAddress fd12:3456:789a:100::/56, or use VXLAN encapsulation.",
        ]);
        assert.strictEqual(run.violations[0].urn, "urn:pulumi:test::dualstack::openstack:networking/port:Port::dev-worker-0");
    });

    it("ignores ports that are not machine ports, ports with unknown pairs, and ports with port security off", async () => {
        const args = stackArgs([
            plan,
            { type: Port, name: "dev-api-vip", props: { networkId: "n", tags: ["dualstack-cluster=dev"] } },
            machinePort("unknown-pairs", { allowedAddressPairs: UNKNOWN_VALUE }),
            machinePort("unknown-pair", { allowedAddressPairs: [{ ipAddress: UNKNOWN_VALUE }] }),
            machinePort("no-security", { portSecurityEnabled: false }),
        ]);
        assert.deepStrictEqual(await runStackPolicy(policy, args), { violations: [] });
    });

    it("does not apply without a Cluster whose addressPlan is known", async () => {
        const unknownPlan = { ...plan, props: { addressPlan: UNKNOWN_VALUE } };
        const run = await runStackPolicy(policy, stackArgs([unknownPlan, machinePort("p", {})]));
        assert.strictEqual(run.notApplicable, "no Cluster with a known addressPlan in the stack");
    });
});

describe("#port-address-pairs-world", () => {
    const policy = portAddressPairsWorld;
    const pairs = (...addresses: string[]) => ({ networkId: "net", allowedAddressPairs: addresses.map((ipAddress) => ({ ipAddress })) });

    it("accepts pod ranges and single addresses", async () => {
        for (const props of [pairs("10.244.0.0/16", "fd00:10:244::/56"), pairs("10.0.0.5"), pairs()]) {
            assert.deepStrictEqual(messages(await runResourcePolicy(policy, resourceArgs(Port, props, { name: "p" }))), [], JSON.stringify(props));
        }
    });

    it("refuses pairs that cover a whole family, alone or together", async () => {
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, resourceArgs(Port, pairs("0.0.0.0/1", "128.0.0.0/1", "::/0"), { name: "p" }))), [
            "[port-address-pairs-world] p.allowedAddressPairs (0.0.0.0/1 and 128.0.0.0/1) covers every IPv4 address, so Neutron's " +
                "anti-spoofing no longer applies to the port: the machine can send from any IPv4 address. List only the ranges the machine routes (its pod range).",
            "[port-address-pairs-world] p.allowedAddressPairs (::/0) covers every IPv6 address, so Neutron's anti-spoofing no longer " +
                "applies to the port: the machine can send from any IPv6 address. List only the ranges the machine routes (its pod range).",
        ]);
    });
});

describe("#secgroup-rule-family: protocols", () => {
    it("refuses a protocol Neutron does not know, and an IPv6 protocol in any case with IPv4", async () => {
        const found = async (props: Omit<typeof ssh, "portRangeMin" | "portRangeMax"> & { portRangeMin?: number; portRangeMax?: number }) =>
            messages(await runResourcePolicy(secgroupRuleFamily, resourceArgs(SecGroupRule, props, { name: "r" })));
        assert.deepStrictEqual(await found({ ...ssh, protocol: "tcp6" }), [
            '[secgroup-protocol-invalid] r.protocol is "tcp6", which is neither a protocol name Neutron knows (tcp, udp, icmp, ipv6-icmp, ipip, ...) nor a number from 0 to 255 written plainly; Neutron refuses the rule. Write the name or the number.',
        ]);
        for (const protocol of ["256", "06", "+6", " 6"]) assert.strictEqual((await found({ ...ssh, protocol })).length, 1, protocol);
        assert.match((await found({ ...ssh, protocol: "IPV6-ICMP", portRangeMin: undefined, portRangeMax: undefined }))[0], /^\[secgroup-protocol-family-mismatch\]/);
        assert.deepStrictEqual(await found({ ...ssh, protocol: "TCP" }), []);
    });
});
