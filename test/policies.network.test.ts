import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import { neutronSubnetAccepted, neutronSubnetSize } from "../components/policies/network";
import { messages, resourceArgs, runResourcePolicy } from "./support/policy";

const { Subnet } = openstack.networking;

describe("#neutron-subnet-accepted", () => {
    const policy = neutronSubnetAccepted;

    it("accepts a dual-stack pair: an IPv4 /22 and a dhcpv6-stateful IPv6 /64", async () => {
        for (const props of [
            { networkId: "net", cidr: "10.10.0.0/22", ipVersion: 4 },
            { networkId: "net", cidr: "fd12:3456:789a:1::/64", ipVersion: 6, ipv6AddressMode: "dhcpv6-stateful", ipv6RaMode: "dhcpv6-stateful" },
        ]) {
            assert.deepStrictEqual(await runResourcePolicy(policy, resourceArgs(Subnet, props)), { violations: [] });
        }
    });

    it("accepts dhcpv6-stateful on a /112 (only SLAAC and stateless need a /64)", async () => {
        const args = resourceArgs(Subnet, { networkId: "net", cidr: "fd00:0:0:1::/112", ipVersion: 6, ipv6AddressMode: "dhcpv6-stateful" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), []);
    });

    it("refuses SLAAC on anything but a /64, naming the subnet's property", async () => {
        const args = resourceArgs(
            Subnet,
            { networkId: "net", cidr: "fd00:0:0:1::/80", ipVersion: 6, ipv6AddressMode: "slaac", ipv6RaMode: "slaac" },
            { name: "dev-subnet-ipv6" },
        );
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[neutron-auto-address-prefix] dev-subnet-ipv6.cidr is fd00:0:0:1::/80 with slaac; hosts form their address " +
                "from the MAC (EUI-64), which needs exactly a /64. Use a /64, or dhcpv6-stateful for other prefix lengths.",
        ]);
    });

    it("refuses dhcpv6-stateless on a subnet-pool /56 (no CIDR yet, the prefix length is known)", async () => {
        const args = resourceArgs(
            Subnet,
            { networkId: "net", subnetpoolId: "pool", prefixLength: 56, ipVersion: 6, ipv6AddressMode: "dhcpv6-stateless" },
            { name: "lab-subnet-ipv6" },
        );
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[neutron-auto-address-prefix] lab-subnet-ipv6.prefixLength is a /56 with dhcpv6-stateless; hosts form their " +
                "address from the MAC (EUI-64), which needs exactly a /64. Use a /64, or dhcpv6-stateful for other prefix lengths.",
        ]);
    });

    it("refuses RA and address modes that differ, and modes without DHCP", async () => {
        const args = resourceArgs(
            Subnet,
            { networkId: "net", cidr: "fd00:0:0:1::/64", ipVersion: 6, ipv6AddressMode: "dhcpv6-stateful", ipv6RaMode: "slaac", enableDhcp: false },
            { name: "s6" },
        );
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[neutron-ipv6-mode-without-dhcp] s6.ipv6AddressMode is dhcpv6-stateful but DHCP is disabled on the subnet; " +
                "Neutron refuses IPv6 modes without DHCP. Enable DHCP or remove the modes.",
            "[neutron-ipv6-mode-mismatch] s6.ipv6RaMode is slaac but s6.ipv6AddressMode is dhcpv6-stateful; Neutron requires " +
                "both to be the same value when both are set. Set s6.ipv6RaMode to dhcpv6-stateful, or leave it out.",
        ]);
    });

    it("refuses a CIDR of the other family than ip_version, and host bits", async () => {
        const mismatch = resourceArgs(Subnet, { networkId: "net", cidr: "10.0.0.0/24", ipVersion: 6 }, { name: "s" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, mismatch)), [
            '[cidr-family-mismatch] s.cidr is "10.0.0.0/24", an IPv4 range, but this key takes IPv6. Give an IPv6 CIDR here (e.g. fd00:10:244::/56).',
        ]);
        const hostBits = resourceArgs(Subnet, { networkId: "net", cidr: "10.0.0.5/24" }, { name: "s" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, hostBits)), [
            '[cidr-host-bits] s.cidr is "10.0.0.5/24": bits are set after the /24 prefix. Write 10.0.0.0/24 (or a longer ' +
                "prefix if a smaller range was meant): Calico refuses a range written otherwise, and Neutron would store the masked value in place of yours.",
        ]);
    });

    it("skips a subnet whose CIDR or modes are unknown in preview", async () => {
        const args = resourceArgs(Subnet, { networkId: "net", cidr: "x", ipVersion: 6, ipv6AddressMode: "slaac" }, { unknown: ["cidr"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
        const modes = resourceArgs(Subnet, { networkId: "net", cidr: "fd00::/80", ipVersion: 6 }, { unknown: ["ipv6AddressMode"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, modes), { violations: [] });
    });

    it("does not apply to other resource types", async () => {
        const args = resourceArgs(openstack.networking.Network, { name: "n" });
        const run = await runResourcePolicy(policy, args);
        assert.deepStrictEqual(run.violations, []);
        assert.match(run.notApplicable ?? "", /openstack:networking\/subnet:Subnet/);
    });
});

describe("#neutron-subnet-size", () => {
    const policy = neutronSubnetSize;

    it("accepts subnets within the defaults (IPv4 /20, IPv6 /64)", async () => {
        for (const cidr of ["10.0.0.0/20", "10.0.0.0/24", "fd00:0:0:1::/64", "fd00:0:0:1::/112"]) {
            assert.deepStrictEqual(messages(await runResourcePolicy(policy, resourceArgs(Subnet, { networkId: "n", cidr }))), [], cidr);
        }
    });

    it("refuses an IPv4 subnet larger than the default /20", async () => {
        const args = resourceArgs(Subnet, { networkId: "n", cidr: "10.0.0.0/16", ipVersion: 4 }, { name: "dev-subnet-ipv4" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[node-subnet-too-large] dev-subnet-ipv4.cidr is 10.0.0.0/16, an IPv4 /16 (16 host bits); the policy pack " +
                "(neutron-subnet-size.largestIPv4) allows IPv4 node subnets up to /20. Use a /20 or longer: a subnet is one " +
                "broadcast domain, and what it does not use is lost to other networks.",
        ]);
    });

    it("takes the limit from the pack configuration", async () => {
        const args = (cidr: string) => resourceArgs(Subnet, { networkId: "n", cidr }, { name: "s", config: { largestIPv4: 24, largestIPv6: 56 } });
        assert.strictEqual((await runResourcePolicy(policy, args("10.0.0.0/22"))).violations.length, 1);
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args("fd00:0:0:100::/56"))), []);
    });

    it("checks a subnet-pool subnet by its prefix length", async () => {
        const args = resourceArgs(Subnet, { networkId: "n", subnetpoolId: "p", prefixLength: 56, ipVersion: 6 }, { name: "s" });
        assert.deepStrictEqual(messages(await runResourcePolicy(policy, args)), [
            "[node-subnet-too-large] s.prefixLength is 56, an IPv6 /56 (72 host bits); the policy pack " +
                "(neutron-subnet-size.largestIPv6) allows IPv6 node subnets up to /64. Use a /64 or longer: a subnet is one " +
                "broadcast domain, and what it does not use is lost to other networks.",
        ]);
    });

    it("skips unknown CIDRs", async () => {
        const args = resourceArgs(Subnet, { networkId: "n", cidr: "10.0.0.0/8" }, { unknown: ["cidr"] });
        assert.deepStrictEqual(await runResourcePolicy(policy, args), { violations: [] });
    });
});
