import * as assert from "assert";
import { IpFamily } from "../components/addressing/family";
import { RuleSpec, securityGroupRules, SecurityGroupRuleInput } from "../components/network/rules";

/** A compact, comparable line per rule: group key ethertype protocol ports remote. */
function line(rule: RuleSpec): string {
    const ports = rule.portRangeMin === undefined ? "" : ` ${rule.portRangeMin}-${rule.portRangeMax}`;
    const remote = rule.remote.kind === "cidr" ? `cidr:${rule.remote.cidr}` : rule.remote.kind;
    return `${rule.group} ${rule.direction} ${rule.ethertype} ${rule.protocol ?? "any"}${ports} from ${remote}`;
}

function rules(input: Partial<SecurityGroupRuleInput>): string[] {
    return securityGroupRules({
        nodeFamilies: ["IPv4", "IPv6"],
        pods: [
            { family: "IPv4", encapsulation: "None" },
            { family: "IPv6", encapsulation: "None" },
        ],
        bgp: true,
        apiAllowedCidrs: [],
        sshAllowedCidrs: [],
        ...input,
    }).map(line);
}

describe("securityGroupRules", () => {
    it("dual-stack, no encapsulation: the same rules for both families, ICMPv6 included, nothing from anywhere", () => {
        assert.deepStrictEqual(rules({}), [
            "nodes ingress IPv4 any from members",
            "nodes ingress IPv4 icmp from nodeSubnet",
            "nodes ingress IPv4 tcp 179-179 from members",
            "nodes ingress IPv4 any from podRange",
            "nodes egress IPv4 any from any",
            "controlPlane ingress IPv4 tcp 6443-6443 from nodeSubnet",
            "nodes ingress IPv6 any from members",
            "nodes ingress IPv6 ipv6-icmp from nodeSubnet",
            "nodes ingress IPv6 ipv6-icmp from cidr:fe80::/10",
            "nodes ingress IPv6 tcp 179-179 from members",
            "nodes ingress IPv6 any from podRange",
            "nodes egress IPv6 any from any",
            "controlPlane ingress IPv6 tcp 6443-6443 from nodeSubnet",
        ]);
    });

    it("opens SSH and the API only to the listed ranges, each in the rule of its own family", () => {
        const all = rules({
            apiAllowedCidrs: ["203.0.113.0/24", "2001:db8:1::/48", "203.0.113.0/24"],
            sshAllowedCidrs: ["2001:db8:2::/64"],
        });
        assert.deepStrictEqual(
            all.filter((r) => / (22|6443)-/.test(r)),
            [
                "controlPlane ingress IPv4 tcp 6443-6443 from nodeSubnet",
                "controlPlane ingress IPv4 tcp 6443-6443 from cidr:203.0.113.0/24",
                "nodes ingress IPv6 tcp 22-22 from cidr:2001:db8:2::/64",
                "controlPlane ingress IPv6 tcp 6443-6443 from nodeSubnet",
                "controlPlane ingress IPv6 tcp 6443-6443 from cidr:2001:db8:1::/48",
            ],
        );
    });

    it("has no SSH rule and nothing open to 0.0.0.0/0 or ::/0 by default", () => {
        const specs = securityGroupRules({
            nodeFamilies: ["IPv4", "IPv6"],
            pods: [{ family: "IPv4", encapsulation: "VXLAN" }],
            bgp: false,
            apiAllowedCidrs: [],
            sshAllowedCidrs: [],
        });
        assert.ok(!specs.some((r) => r.portRangeMin === 22));
        for (const r of specs.filter((s) => s.direction === "ingress")) {
            assert.notStrictEqual(r.remote.kind, "any", r.key);
            if (r.remote.kind === "cidr") assert.ok(!["0.0.0.0/0", "::/0"].includes(r.remote.cidr), r.key);
        }
    });

    it("opens the world only when the user lists it", () => {
        assert.ok(rules({ sshAllowedCidrs: ["0.0.0.0/0"] }).includes("nodes ingress IPv4 tcp 22-22 from cidr:0.0.0.0/0"));
        assert.ok(!rules({ sshAllowedCidrs: ["0.0.0.0/0"] }).some((r) => r.includes("IPv6 tcp 22")));
    });

    const encapsulations: Array<[IpFamily, string, string[]]> = [
        ["IPv4", "None", ["nodes ingress IPv4 any from podRange"]],
        ["IPv4", "IPIP", ["nodes ingress IPv4 4 from members"]],
        ["IPv4", "IPIPCrossSubnet", ["nodes ingress IPv4 4 from members", "nodes ingress IPv4 any from podRange"]],
        ["IPv4", "VXLAN", ["nodes ingress IPv4 udp 4789-4789 from members"]],
        ["IPv4", "VXLANCrossSubnet", ["nodes ingress IPv4 udp 4789-4789 from members", "nodes ingress IPv4 any from podRange"]],
        ["IPv6", "None", ["nodes ingress IPv6 any from podRange"]],
        ["IPv6", "VXLAN", ["nodes ingress IPv6 udp 4789-4789 from members"]],
        ["IPv6", "VXLANCrossSubnet", ["nodes ingress IPv6 udp 4789-4789 from members", "nodes ingress IPv6 any from podRange"]],
    ];
    for (const [family, encapsulation, expected] of encapsulations) {
        it(`${family} ${encapsulation}: encapsulation rules and pod-range rule exactly as needed`, () => {
            const all = rules({ nodeFamilies: [family], pods: [{ family, encapsulation }] });
            const dataplane = all.filter((r) => / 4 from| udp 4789| from podRange/.test(r));
            assert.deepStrictEqual(dataplane, expected);
        });
    }

    it("BGP rules per cluster family only when BGP is on", () => {
        assert.deepStrictEqual(
            rules({}).filter((r) => r.includes("179")),
            ["nodes ingress IPv4 tcp 179-179 from members", "nodes ingress IPv6 tcp 179-179 from members"],
        );
        assert.deepStrictEqual(
            rules({ bgp: false, pods: [{ family: "IPv4", encapsulation: "VXLAN" }, { family: "IPv6", encapsulation: "VXLAN" }] }).filter((r) =>
                r.includes("179"),
            ),
            [],
        );
    });

    it("IPv6-only: no IPv4 rule at all", () => {
        const all = rules({ nodeFamilies: ["IPv6"], pods: [{ family: "IPv6", encapsulation: "None" }], apiAllowedCidrs: ["203.0.113.0/24"] });
        assert.ok(all.length > 0);
        assert.ok(all.every((r) => r.includes(" IPv6 ")), all.join("\n"));
    });

    it("a node family that is not a cluster family gets member, ICMP, egress and API rules but no pod or BGP rules", () => {
        const all = rules({ nodeFamilies: ["IPv4", "IPv6"], pods: [{ family: "IPv6", encapsulation: "None" }] });
        assert.deepStrictEqual(
            all.filter((r) => r.includes(" IPv4 ")),
            [
                "nodes ingress IPv4 any from members",
                "nodes ingress IPv4 icmp from nodeSubnet",
                "nodes egress IPv4 any from any",
                "controlPlane ingress IPv4 tcp 6443-6443 from nodeSubnet",
            ],
        );
    });

    it("gives every rule a key unique within its group and a description", () => {
        const specs = securityGroupRules({
            nodeFamilies: ["IPv4", "IPv6"],
            pods: [
                { family: "IPv4", encapsulation: "IPIPCrossSubnet" },
                { family: "IPv6", encapsulation: "VXLANCrossSubnet" },
            ],
            bgp: true,
            apiAllowedCidrs: ["10.1.0.0/16", "fd00:1::/48"],
            sshAllowedCidrs: ["10.2.0.0/16", "fd00:2::/48"],
        });
        const keys = specs.map((r) => `${r.group}/${r.key}`);
        assert.strictEqual(new Set(keys).size, keys.length);
        assert.ok(specs.every((r) => r.description.length > 0 && !r.key.includes("::")));
    });
});
