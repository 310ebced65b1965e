/**
 * Every rule with its boundary cases (peer-rules.md): the value just inside the limit
 * passes, the value just outside fails, with the rule id, the key and the severity.
 */
import * as assert from "assert";
import { Finding } from "../../components/addressing";
import { evaluate } from "../support/stacks";

interface Case {
    readonly name: string;
    readonly config: Record<string, unknown>;
    /** The rule and the key it must name; omit `path` to not check it. */
    readonly expect?: { rule: string; path?: string; severity?: "error" | "warning"; message?: RegExp };
    /** A rule that must not fire. */
    readonly absent?: string;
}

function run(cases: readonly Case[]): void {
    for (const c of cases) {
        it(c.name, () => {
            const findings: Finding[] = evaluate(c.config).all;
            if (c.expect) {
                const { rule, path, severity, message } = c.expect;
                const match = findings.find((f) => f.rule === rule && (path === undefined || f.path === path));
                assert.ok(match, `expected ${rule}${path ? ` at ${path}` : ""}, got:\n${findings.map((f) => `  ${f.rule} ${f.path}`).join("\n")}`);
                assert.strictEqual(match.severity, severity ?? "error");
                if (message) assert.match(match.message, message);
            }
            if (c.absent) {
                const found = findings.filter((f) => f.rule === c.absent);
                assert.deepStrictEqual(found, [], `${c.absent} should not fire`);
            }
            if (c.expect === undefined) {
                // A passing case passes whole: another error would make it pass for the wrong reason.
                const errors = findings.filter((f) => f.severity === "error");
                assert.deepStrictEqual(errors.map((f) => `${f.rule} ${f.path}`), [], "a passing case has no error at all");
            }
        });
    }
}

describe("rules", () => {
    it("the default configuration has no findings", () => {
        assert.deepStrictEqual(evaluate().all, []);
    });

    describe("service-range-too-large / -too-small (kubeadm: ≤ 20 host bits, ≥ 10 addresses)", () => {
        run([
            { name: "IPv6 /108 passes", config: { "dualstack:services": { ipv6Cidr: "fd00:96::/108" } }, absent: "service-range-too-large" },
            {
                name: "IPv6 /107 fails",
                config: { "dualstack:services": { ipv6Cidr: "fd00:96::/107" } },
                expect: { rule: "service-range-too-large", path: "dualstack:services.ipv6Cidr", message: /21 host bits; kubeadm allows at most 20 .* \/108 or longer/ },
            },
            {
                name: "IPv6 /64 fails and suggests a /112 in the same place",
                config: { "dualstack:services": { ipv6Cidr: "fd00:1::/64" } },
                expect: { rule: "service-range-too-large", path: "dualstack:services.ipv6Cidr", message: /e\.g\. fd00:1::\/112\.$/ },
            },
            { name: "IPv4 /12 passes", config: { "dualstack:services": { ipv4Cidr: "10.96.0.0/12" } }, absent: "service-range-too-large" },
            { name: "IPv4 /11 fails", config: { "dualstack:services": { ipv4Cidr: "10.96.0.0/11" } }, expect: { rule: "service-range-too-large", path: "dualstack:services.ipv4Cidr" } },
            { name: "IPv4 /28 passes (16 addresses)", config: { "dualstack:services": { ipv4Cidr: "10.96.0.0/28" } }, absent: "service-range-too-small" },
            { name: "IPv4 /29 fails (8 addresses)", config: { "dualstack:services": { ipv4Cidr: "10.96.0.0/29" } }, expect: { rule: "service-range-too-small", path: "dualstack:services.ipv4Cidr", message: /8 addresses; kubeadm needs at least 10/ } },
            { name: "IPv6 /124 passes", config: { "dualstack:services": { ipv6Cidr: "fd00:96::/124" } }, absent: "service-range-too-small" },
            { name: "IPv6 /125 fails", config: { "dualstack:services": { ipv6Cidr: "fd00:96::/125" } }, expect: { rule: "service-range-too-small", path: "dualstack:services.ipv6Cidr" } },
        ]);
    });

    describe("pod range vs node mask (kubeadm: prefix ≤ mask, ≤ 16 bits apart, ≥ 14 addresses)", () => {
        run([
            { name: "IPv6 /48 at mask 64 passes (16 bits)", config: { "dualstack:pods": { ipv6Cidr: "fd00:10::/48" } }, absent: "pod-range-node-mask-gap" },
            {
                name: "IPv6 /47 at mask 64 fails (17 bits)",
                config: { "dualstack:pods": { ipv6Cidr: "fd00:10::/47" } },
                expect: { rule: "pod-range-node-mask-gap", path: "dualstack:pods.ipv6Cidr", message: /17 bits apart; kubeadm allows at most 16/ },
            },
            {
                name: "IPv6 node mask 20 bits away from the pod range fails",
                config: { "dualstack:pods": { ipv6Cidr: "fd00:10::/56", nodeMaskIPv6: 76 } },
                expect: { rule: "pod-range-node-mask-gap", message: /20 bits apart/ },
            },
            { name: "IPv4 /8 at mask 24 passes (16 bits)", config: { "dualstack:pods": { ipv4Cidr: "10.0.0.0/8" }, "dualstack:network": { ipv4Cidr: "192.168.0.0/22" }, "dualstack:services": { ipv4Cidr: "172.16.0.0/16" } }, absent: "pod-range-node-mask-gap" },
            {
                name: "IPv4 /8 at mask 25 fails (17 bits; kubeadm applies 16 to IPv4 too)",
                config: { "dualstack:pods": { ipv4Cidr: "10.0.0.0/8", nodeMaskIPv4: 25 }, "dualstack:network": { ipv4Cidr: "192.168.0.0/22" }, "dualstack:services": { ipv4Cidr: "172.16.0.0/16" } },
                expect: { rule: "pod-range-node-mask-gap", path: "dualstack:pods.ipv4Cidr" },
            },
            { name: "IPv4 /24 at mask 24 passes the order check", config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/24" }, "dualstack:workerPools": [{ name: "w", count: 0 }] }, absent: "pod-range-smaller-than-node-mask" },
            {
                name: "IPv4 /25 at mask 24 fails",
                config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/25" } },
                expect: { rule: "pod-range-smaller-than-node-mask", path: "dualstack:pods.ipv4Cidr", message: /must be \/24 or shorter/ },
            },
            { name: "IPv4 /28 has enough addresses (16)", config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/28", nodeMaskIPv4: 30 }, "dualstack:calico": { blockSizeIPv4: 28 } }, absent: "pod-range-too-small" },
            { name: "IPv4 /29 is too small (8)", config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/29", nodeMaskIPv4: 30 } }, expect: { rule: "pod-range-too-small", path: "dualstack:pods.ipv4Cidr" } },
            {
                name: "a pod range that serves fewer node ranges than machines fails",
                config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/23" } },
                expect: { rule: "pod-range-too-few-nodes", path: "dualstack:pods.ipv4Cidr", message: /node ranges to 2 machines, but the stack has 3\. Use a \/22 or shorter/ },
            },
        ]);
    });

    describe("Calico pools (block size 20–32 / 116–128, pool ≥ one block, no IPIP on IPv6, no link-local)", () => {
        run([
            { name: "IPv4 block 20 passes", config: { "dualstack:calico": { blockSizeIPv4: 20 } }, absent: "calico-block-size" },
            { name: "IPv4 block 19 fails", config: { "dualstack:calico": { blockSizeIPv4: 19 } }, expect: { rule: "calico-block-size", path: "dualstack:calico.blockSizeIPv4", message: /Calico takes 20 to 32 for IPv4 pools/ } },
            { name: "IPv4 block 32 passes", config: { "dualstack:calico": { blockSizeIPv4: 32 } }, absent: "calico-block-size" },
            { name: "IPv4 block 33 fails", config: { "dualstack:calico": { blockSizeIPv4: 33 } }, expect: { rule: "calico-block-size", path: "dualstack:calico.blockSizeIPv4" } },
            { name: "IPv6 block 116 passes", config: { "dualstack:calico": { blockSizeIPv6: 116 } }, absent: "calico-block-size" },
            { name: "IPv6 block 115 fails", config: { "dualstack:calico": { blockSizeIPv6: 115 } }, expect: { rule: "calico-block-size", path: "dualstack:calico.blockSizeIPv6" } },
            { name: "IPv6 block 128 passes", config: { "dualstack:calico": { blockSizeIPv6: 128 } }, absent: "calico-block-size" },
            { name: "IPv6 block 129 fails", config: { "dualstack:calico": { blockSizeIPv6: 129 } }, expect: { rule: "calico-block-size" } },
            { name: "a /26 pool holds one /26 block", config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/26", nodeMaskIPv4: 28 } }, absent: "calico-pool-smaller-than-block" },
            {
                name: "a /27 pool is smaller than a /26 block",
                config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/27", nodeMaskIPv4: 29 } },
                expect: { rule: "calico-pool-smaller-than-block", path: "dualstack:pods.ipv4Cidr" },
            },
            { name: "IPIP on IPv6 fails", config: { "dualstack:calico": { encapsulationIPv6: "IPIP" } }, expect: { rule: "calico-ipip-ipv6", path: "dualstack:calico.encapsulationIPv6" } },
            { name: "IPIPCrossSubnet on IPv6 fails", config: { "dualstack:calico": { encapsulationIPv6: "IPIPCrossSubnet" } }, expect: { rule: "calico-ipip-ipv6" } },
            { name: "VXLAN on IPv6 passes", config: { "dualstack:calico": { encapsulationIPv6: "VXLAN" } }, absent: "calico-ipip-ipv6" },
            { name: "IPIP on IPv4 passes", config: { "dualstack:calico": { encapsulationIPv4: "IPIP" } }, absent: "calico-ipip-ipv6" },
            { name: "an IPv4 pool in 169.254.0.0/16 fails", config: { "dualstack:pods": { ipv4Cidr: "169.254.0.0/16" } }, expect: { rule: "calico-link-local", path: "dualstack:pods.ipv4Cidr" } },
            { name: "an IPv6 pool in fe80::/10 fails", config: { "dualstack:pods": { ipv6Cidr: "fe80:0:0:100::/56" } }, expect: { rule: "calico-link-local", path: "dualstack:pods.ipv6Cidr" } },
            {
                name: "BGP off with unencapsulated pools fails",
                config: { "dualstack:calico": { bgp: false } },
                expect: { rule: "calico-bgp-required", path: "dualstack:calico.bgp" },
            },
            { name: "BGP off with VXLAN everywhere passes", config: { "dualstack:calico": { bgp: false, encapsulationIPv4: "VXLAN", encapsulationIPv6: "VXLAN" } }, absent: "calico-bgp-required" },
            {
                name: "BGP off with VXLANCrossSubnet passes (Felix programs those routes)",
                config: { "dualstack:calico": { bgp: false, encapsulationIPv4: "VXLANCrossSubnet", encapsulationIPv6: "VXLANCrossSubnet" } },
                absent: "calico-bgp-required",
            },
            {
                name: "BGP off with IP-in-IP fails (the operator refuses it)",
                config: { "dualstack:calico": { bgp: false, encapsulationIPv4: "IPIPCrossSubnet", encapsulationIPv6: "VXLAN" } },
                expect: { rule: "calico-bgp-required", path: "dualstack:calico.bgp", message: /IP-in-IP routes are distributed by BGP/ },
            },
            {
                name: "fewer blocks than machines warns",
                config: { "dualstack:calico": { blockSizeIPv4: 20 }, "dualstack:workerPools": [{ name: "w", count: 20 }] },
                expect: { rule: "calico-blocks-below-nodes", severity: "warning", path: "dualstack:calico.blockSizeIPv4" },
            },
            {
                name: "a Calico release not tested with the Kubernetes minor warns",
                config: { "dualstack:kubernetes": { version: "1.33" } },
                expect: { rule: "calico-kubernetes-version", severity: "warning", path: "dualstack:calico.version" },
            },
        ]);
    });

    describe("Neutron subnets", () => {
        const v6 = (ipv6Cidr: string, mode: Record<string, string> = {}) => ({ "dualstack:network": { ipv6Cidr, ...mode } });
        run([
            { name: "slaac on a /64 passes", config: v6("fd00:1::/64", { ipv6AddressMode: "slaac" }), absent: "neutron-auto-address-prefix" },
            {
                name: "slaac on a /80 fails",
                config: v6("fd00:1::/80", { ipv6AddressMode: "slaac" }),
                expect: { rule: "neutron-auto-address-prefix", path: "dualstack:network.ipv6Cidr", message: /EUI-64.*exactly a \/64/ },
            },
            { name: "dhcpv6-stateless on a /80 fails", config: v6("fd00:1::/80", { ipv6AddressMode: "dhcpv6-stateless" }), expect: { rule: "neutron-auto-address-prefix" } },
            { name: "dhcpv6-stateful on a /80 passes", config: v6("fd00:1::/80"), absent: "neutron-auto-address-prefix" },
            {
                name: "an RA mode different from the address mode fails",
                config: v6("fd00:1::/64", { ipv6AddressMode: "dhcpv6-stateful", ipv6RaMode: "slaac" }),
                expect: { rule: "neutron-ipv6-mode-mismatch", path: "dualstack:network.ipv6RaMode", message: /must be the same value|same value when both are set/ },
            },
            { name: "the same RA and address mode passes", config: v6("fd00:1::/64", { ipv6AddressMode: "slaac", ipv6RaMode: "slaac" }), absent: "neutron-ipv6-mode-mismatch" },
            { name: "an unknown mode fails", config: v6("fd00:1::/64", { ipv6AddressMode: "static" }), expect: { rule: "neutron-ipv6-mode-invalid", path: "dualstack:network.ipv6AddressMode" } },
            { name: "IPv4 /29 allows DHCP", config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/29" } }, absent: "neutron-dhcp-prefix" },
            { name: "IPv4 /31 refuses DHCP", config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/31" } }, expect: { rule: "neutron-dhcp-prefix", path: "dualstack:network.ipv4Cidr", message: /longer than \/30/ } },
            { name: "IPv6 /126 allows DHCP", config: { ...v6("fd00:1::/126"), "dualstack:workerPools": [{ name: "w", count: 0 }] }, absent: "neutron-dhcp-prefix" },
            { name: "IPv6 /127 refuses DHCP", config: v6("fd00:1::/127"), expect: { rule: "neutron-dhcp-prefix", path: "dualstack:network.ipv6Cidr" } },
            {
                name: "a multicast node subnet fails",
                config: { "dualstack:network": { ipv4Cidr: "224.0.0.0/24" } },
                expect: { rule: "neutron-multicast", path: "dualstack:network.ipv4Cidr", message: /224\.0\.0\.0\/24, inside the multicast range 224\.0\.0\.0\/4/ },
            },
            {
                name: "a node subnet holding the multicast range fails and says so",
                config: { "dualstack:network": { ipv4Cidr: "192.0.0.0/2" } },
                expect: { rule: "neutron-multicast", path: "dualstack:network.ipv4Cidr", message: /192\.0\.0\.0\/2, which contains the multicast range 224\.0\.0\.0\/4/ },
            },
            { name: "an IPv6 multicast node subnet fails", config: v6("ff05::/64"), expect: { rule: "neutron-multicast", path: "dualstack:network.ipv6Cidr" } },
            { name: "a loopback node subnet fails", config: { "dualstack:network": { ipv4Cidr: "127.0.0.0/24" } }, expect: { rule: "neutron-loopback", path: "dualstack:network.ipv4Cidr" } },
            { name: "a node subnet starting at 0.0.0.0 fails", config: { "dualstack:network": { ipv4Cidr: "0.0.0.0/24" } }, expect: { rule: "neutron-unusable-range" } },
            {
                name: "slaac from a subnet pool needs a /64 too",
                config: { "dualstack:network": { ipv6Cidr: undefined, ipv6SubnetPool: "public-v6", ipv6PrefixLength: 80, ipv6AddressMode: "slaac" } },
                expect: { rule: "neutron-auto-address-prefix", path: "dualstack:network.ipv6PrefixLength" },
            },
        ]);
    });

    describe("node subnet size (Neutron keeps 4 IPv4 / 3 IPv6 addresses)", () => {
        run([
            { name: "an IPv4 /20 node subnet is within the pack's default", config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/20" } }, absent: "node-subnet-too-large" },
            {
                name: "an IPv4 /19 node subnet warns: the policy pack refuses it by default",
                config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/19" } },
                expect: { rule: "node-subnet-too-large", severity: "warning", path: "dualstack:network.ipv4Cidr", message: /up to \/20.*pulumi preview --policy-pack refuses it/ },
            },
            {
                name: "an IPv6 /56 from a subnet pool warns too",
                config: { "dualstack:network": { ipv6Cidr: undefined, ipv6SubnetPool: "v6", ipv6PrefixLength: 56 } },
                expect: { rule: "node-subnet-too-large", severity: "warning", path: "dualstack:network.ipv6PrefixLength" },
            },
            { name: "a /29 holds 4 machines", config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/29" }, "dualstack:workerPools": [{ name: "w", count: 3 }] }, absent: "node-subnet-too-small" },
            {
                name: "a /29 does not hold 5 machines",
                config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/29" }, "dualstack:workerPools": [{ name: "w", count: 4 }] },
                expect: { rule: "node-subnet-too-small", path: "dualstack:network.ipv4Cidr", message: /room for 4 ports .* needs 5 .* Use a \/28 or shorter/ },
            },
            {
                name: "a load balancer takes three more ports",
                config: { "dualstack:network": { ipv4Cidr: "10.0.0.0/29" }, "dualstack:controlPlane": { count: 3 }, "dualstack:workerPools": [{ name: "w", count: 0 }] },
                expect: { rule: "node-subnet-too-small", message: /3 machines and 3 for the API load balancer/ },
            },
        ]);
    });

    describe("values of a key", () => {
        run([
            { name: "host bits are refused", config: { "dualstack:pods": { ipv4Cidr: "10.244.1.0/16" } }, expect: { rule: "cidr-host-bits", path: "dualstack:pods.ipv4Cidr", message: /Write 10\.244\.0\.0\/16/ } },
            {
                name: "an IPv6 value in an IPv4 key",
                config: { "dualstack:services": { ipv4Cidr: "fd00:96::/112" } },
                expect: { rule: "cidr-family-mismatch", path: "dualstack:services.ipv4Cidr", message: /an IPv6 range, but this key takes IPv4\. Move it to dualstack:services\.ipv6Cidr/ },
            },
            { name: "an unparsable CIDR", config: { "dualstack:pods": { ipv4Cidr: "10.244.0.0/33" } }, expect: { rule: "cidr-invalid", path: "dualstack:pods.ipv4Cidr", message: /between 0 and 32/ } },
            { name: "a reserved range that is not a CIDR", config: { "dualstack:reservedCidrs": ["10.0.0.0/8", "vpn"] }, expect: { rule: "cidr-invalid", path: "dualstack:reservedCidrs[1]" } },
            { name: "a ULA range too large for its quarter", config: { "dualstack:pods": { ipv6Cidr: "ula/48" } }, expect: { rule: "ula-layout", path: "dualstack:pods.ipv6Cidr" } },
            { name: "ula/52 fits", config: { "dualstack:pods": { ipv6Cidr: "ula/52" } }, absent: "ula-layout" },
            { name: "a DNS server that is not an address", config: { "dualstack:network": { dnsNameservers: ["dns.example"] } }, expect: { rule: "dns-nameserver-invalid", path: "dualstack:network.dnsNameservers[0]" } },
            {
                name: "a DNS server of a family the nodes lack",
                config: { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { dnsNameservers: ["2620:fe::fe"] } },
                expect: { rule: "dns-nameserver-invalid", severity: "warning" },
            },
        ]);
    });

    describe("families", () => {
        run([
            { name: "[IPv6] alone passes", config: { "dualstack:ipFamilies": ["IPv6"] }, absent: "ip-families-invalid" },
            { name: "[IPv6, IPv4] passes", config: { "dualstack:ipFamilies": ["IPv6", "IPv4"] }, absent: "ip-families-invalid" },
            { name: "an empty list fails", config: { "dualstack:ipFamilies": [] }, expect: { rule: "ip-families-invalid", path: "dualstack:ipFamilies" } },
            { name: "a duplicate fails", config: { "dualstack:ipFamilies": ["IPv4", "IPv4"] }, expect: { rule: "ip-families-invalid", message: /may appear once/ } },
            { name: "three entries fail", config: { "dualstack:ipFamilies": ["IPv4", "IPv6", "IPv4"] }, expect: { rule: "ip-families-invalid" } },
            {
                name: "a cluster family without node addresses fails",
                config: { "dualstack:network": { ipv6Cidr: null } },
                expect: { rule: "cluster-family-missing-on-nodes", path: "dualstack:network.ipv6Cidr" },
            },
            { name: "IPv4-only nodes for an IPv4 cluster pass", config: { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null } }, absent: "cluster-family-missing-on-nodes" },
            { name: "dual-stack nodes for an IPv6-only cluster pass", config: { "dualstack:ipFamilies": ["IPv6"], "dualstack:network": { ipv4Cidr: "10.0.0.0/22" } }, absent: "cluster-family-missing-on-nodes" },
        ]);
    });

    describe("range-overlap (nodes, pods, services, reserved disjoint per family)", () => {
        run([
            {
                name: "pods overlapping the node subnet",
                config: { "dualstack:pods": { ipv4Cidr: "10.0.0.0/16" } },
                expect: { rule: "range-overlap", path: "dualstack:network.ipv4Cidr", message: /node subnet 10\.0\.0\.0\/22\) overlaps dualstack:pods\.ipv4Cidr \(pod range 10\.0\.0\.0\/16\)/ },
            },
            {
                name: "a reserved range covering the pods names the pods",
                config: { "dualstack:reservedCidrs": ["10.0.0.0/8"], "dualstack:network": { ipv4Cidr: "192.168.0.0/22" }, "dualstack:services": { ipv4Cidr: "192.168.128.0/17" } },
                expect: { rule: "range-overlap", path: "dualstack:pods.ipv4Cidr" },
            },
            { name: "reserved ranges may overlap each other", config: { "dualstack:reservedCidrs": ["172.16.0.0/12", "172.16.0.0/16", "172.16.0.0/16"] }, absent: "range-overlap" },
            {
                name: "a reserved fd00::/8 certainly overlaps any derived ULA range",
                config: { "dualstack:reservedCidrs": ["fd00::/8"] },
                expect: { rule: "range-overlap", path: "dualstack:network.ipv6Cidr" },
            },
            { name: "a reserved ULA /16 may or may not meet the random /48: not reported", config: { "dualstack:reservedCidrs": [`fd${"00"}:1::/32`] }, absent: "range-overlap" },
            {
                name: "with a pinned ID, ULA ranges are compared as written",
                config: { "dualstack:ulaGlobalId": "5e2a9c4f17", "dualstack:reservedCidrs": ["fd5e:2a9c:4f17:4000::/64"] },
                expect: { rule: "range-overlap", path: "dualstack:pods.ipv6Cidr" },
            },
            {
                name: "explicit service and pod ranges overlapping",
                config: { "dualstack:pods": { ipv6Cidr: "fd00:10::/56" }, "dualstack:services": { ipv6Cidr: "fd00:10::/112" } },
                expect: { rule: "range-overlap", path: "dualstack:services.ipv6Cidr" },
            },
        ]);
    });

    describe("warnings", () => {
        run([
            { name: "ipvs on 1.35 warns", config: { "dualstack:kubernetes": { version: "1.35" } }, expect: { rule: "kube-proxy-ipvs-deprecated", severity: "warning", path: "dualstack:kubernetes.proxyMode" } },
            { name: "ipvs on 1.34 does not", config: { "dualstack:kubernetes": { version: "1.34.2" } }, absent: "kube-proxy-ipvs-deprecated" },
            { name: "nftables on 1.35 does not", config: { "dualstack:kubernetes": { version: "1.35", proxyMode: "nftables" } }, absent: "kube-proxy-ipvs-deprecated" },
            { name: "Kubernetes before 1.31 is refused", config: { "dualstack:kubernetes": { version: "1.30" } }, expect: { rule: "kubernetes-version-unsupported", path: "dualstack:kubernetes.version" } },
            { name: "a ULA pod range without NAT warns", config: { "dualstack:calico": { natOutgoingIPv6: false } }, expect: { rule: "ula-nat-outgoing-disabled", severity: "warning", path: "dualstack:calico.natOutgoingIPv6" } },
            { name: "a global pod range without NAT does not", config: { "dualstack:pods": { ipv6Cidr: "2001:db8:10::/56" }, "dualstack:calico": { natOutgoingIPv6: false } }, absent: "ula-nat-outgoing-disabled" },
            { name: "two control planes warn", config: { "dualstack:controlPlane": { count: 2 } }, expect: { rule: "control-plane-even", severity: "warning", path: "dualstack:controlPlane.count" } },
            { name: "three control planes do not", config: { "dualstack:controlPlane": { count: 3 } }, absent: "control-plane-even" },
            { name: "a pool of 10 fits Nova's default server-group quota", config: { "dualstack:workerPools": [{ name: "w", count: 10 }] }, absent: "server-group-quota" },
            {
                name: "a pool of 11 warns about the server-group quota",
                config: { "dualstack:workerPools": [{ name: "w", count: 11 }] },
                expect: { rule: "server-group-quota", severity: "warning", path: "dualstack:workerPools[0].count", message: /server_group_members\) is 10 members per group/ },
            },
            {
                name: "joinExisting with one control plane is refused",
                config: { "dualstack:controlPlane": { joinExisting: true } },
                expect: { rule: "control-plane-join-existing", path: "dualstack:controlPlane.joinExisting", message: /nothing to join/ },
            },
            { name: "joinExisting with three control planes passes", config: { "dualstack:controlPlane": { count: 3, joinExisting: true } }, absent: "control-plane-join-existing" },
            { name: "SSH open to the world warns", config: { "dualstack:access": { sshAllowedCidrs: ["0.0.0.0/0"] } }, expect: { rule: "world-open-access", severity: "warning", path: "dualstack:access.sshAllowedCidrs[0]" } },
            { name: "no API access range warns", config: { "dualstack:access": { apiAllowedCidrs: [] } }, expect: { rule: "api-access-empty", severity: "warning" } },
        ]);
    });
});
