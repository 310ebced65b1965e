/**
 * The access gateway in the address plan: the `dualstack:gateway` section loaded with its
 * defaults, the WireGuard client ranges planned per family (ULA in the /48's fourth quarter)
 * and checked by the overlap rules within and across stacks, each peer's addresses, and the
 * gateway rules with their exact messages.
 */
import * as assert from "assert";
import { checkDisjointAcrossStacks, checkPeerHostId, cidr, Finding, summarizePlan } from "../../components/addressing";
import { keys, loadConfig } from "../../components/config";
import { checkSecretsInStackFile } from "../../components/config/load";
import { BASE_CONFIG, evaluate } from "../support/stacks";
import { PEER_PUBLIC_KEY, TEST_PUBLIC_KEY } from "../fixtures/gateway";

const PEERS = [
    { name: "alice", publicKey: PEER_PUBLIC_KEY, hostId: 10 },
    { name: "bob", publicKey: TEST_PUBLIC_KEY, hostId: 11 },
];

function withGateway(gateway: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> {
    return { "dualstack:gateway": { allowedSourceCidrs: ["198.51.100.0/24"], peers: PEERS, ...gateway }, ...more };
}

function of(findings: readonly Finding[], rule: string): Array<[string, string, string]> {
    return findings.filter((f) => f.rule === rule).map((f) => [f.severity, f.path, f.message]);
}

describe("addressing: the access gateway", () => {
    it("defaults: two gateways on 51820, an IPv4 client range and a ULA /64 in the /48's fourth quarter, one per node family", () => {
        const result = evaluate(withGateway({}), "gw");
        assert.deepStrictEqual(result.all, []);
        const gateway = result.plan?.gateway;
        assert.ok(gateway);
        const ula = result.plan?.ula?.prefix.text as string;
        assert.strictEqual(ula.endsWith("::/48"), true);
        const quarter = ula.replace("::/48", ":c000::/64");
        assert.deepStrictEqual(
            gateway.clientRanges.map((r) => [r.cidr.text, r.key, r.source]),
            [
                ["10.254.0.0/24", "dualstack:gateway.clientIPv4Cidr", "default"],
                [quarter, "dualstack:gateway.clientIPv6Cidr", "ula"],
            ],
        );
        assert.deepStrictEqual(gateway.tunnelAddresses, ["10.254.0.1", quarter.replace("::/64", "::1")]);
        assert.deepStrictEqual([gateway.count, gateway.listenPort], [2, 51820]);
        assert.deepStrictEqual(
            gateway.peers.map((p) => [p.name, p.addresses]),
            [
                ["alice", ["10.254.0.10", quarter.replace("::/64", "::a")]],
                ["bob", ["10.254.0.11", quarter.replace("::/64", "::b")]],
            ],
        );
        assert.deepStrictEqual(summarizePlan(result.plan as NonNullable<typeof result.plan>).gateway?.clientRanges.map((r) => [r.family, r.tunnelAddress]), [
            ["IPv4", "10.254.0.1"],
            ["IPv6", quarter.replace("::/64", "::1")],
        ]);
    });

    it("no gateway section, no gateway in the plan or its summary", () => {
        const result = evaluate({});
        assert.strictEqual(result.plan?.gateway, undefined);
        assert.strictEqual("gateway" in summarizePlan(result.plan as NonNullable<typeof result.plan>), false);
    });

    it("a client range of a family the nodes lack is not used (a warning), and null switches one off", () => {
        const v4Only = evaluate(withGateway({ clientIPv6Cidr: "fd00:99::/64" }, { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null } }));
        assert.deepStrictEqual(of(v4Only.all, "config-unused-key"), [
            [
                "warning",
                "dualstack:gateway.clientIPv6Cidr",
                "dualstack:gateway.clientIPv6Cidr is set but the nodes have no IPv6 subnet, so the gateways have no IPv6 address to route it " +
                    "through. Give the nodes an IPv6 subnet, or remove the key.",
            ],
        ]);
        assert.deepStrictEqual(v4Only.plan?.gateway?.clientRanges.map((r) => r.cidr.text), ["10.254.0.0/24"]);
        const off = evaluate(withGateway({ clientIPv4Cidr: null }));
        assert.deepStrictEqual(off.plan?.gateway?.clientRanges.map((r) => r.cidr.family), ["IPv6"]);
    });

    it("`gateway-no-client-range`: every client range switched off", () => {
        assert.deepStrictEqual(of(evaluate(withGateway({ clientIPv4Cidr: null, clientIPv6Cidr: null })).all, "gateway-no-client-range"), [
            [
                "error",
                "dualstack:gateway",
                "dualstack:gateway has no client range of a family the nodes have (IPv4, IPv6), so WireGuard peers get no address. Set " +
                    "clientIPv4Cidr or clientIPv6Cidr, or remove the gateway section.",
            ],
        ]);
    });

    it("`range-overlap`: a client range overlapping a pod range, a node subnet or a reserved range", () => {
        const pods = evaluate(withGateway({ clientIPv4Cidr: "10.244.8.0/24" }));
        assert.deepStrictEqual(of(pods.all, "range-overlap"), [
            [
                "error",
                "dualstack:gateway.clientIPv4Cidr",
                "dualstack:gateway.clientIPv4Cidr (WireGuard client range 10.244.8.0/24) overlaps dualstack:pods.ipv4Cidr (pod range " +
                    "10.244.0.0/16). Nodes, pods, services and reserved ranges must be disjoint, or packets are routed to the wrong place. " +
                    "Move dualstack:gateway.clientIPv4Cidr to a free range.",
            ],
        ]);
        const reserved = evaluate(withGateway({ clientIPv4Cidr: "10.200.1.0/24" }, { "dualstack:reservedCidrs": ["10.200.0.0/16"] }));
        assert.deepStrictEqual(of(reserved.all, "range-overlap").map(([, path]) => path), ["dualstack:gateway.clientIPv4Cidr"]);
        const ipv6 = evaluate(withGateway({ clientIPv6Cidr: "fd00:1::/64" }, { "dualstack:network": { ipv6Cidr: "fd00:1::/56" } }));
        assert.deepStrictEqual(of(ipv6.all, "range-overlap").map(([, path]) => path), ["dualstack:gateway.clientIPv6Cidr"]);
    });

    it("`range-overlap-across-stacks`: two stacks sharing a client range; ULA-derived ones never collide", () => {
        const a = evaluate(withGateway({ clientIPv4Cidr: "10.50.0.0/24" }), "a");
        const b = evaluate(withGateway({ clientIPv4Cidr: "10.50.0.0/25" }, { "dualstack:network": { ipv4Cidr: "10.60.0.0/22" }, "dualstack:pods": { ipv4Cidr: "10.61.0.0/16" }, "dualstack:services": { ipv4Cidr: "10.62.0.0/16" } }), "b");
        const ranges = [...a.labeledRanges.map((r) => ({ ...r, label: { ...r.label, file: "a.yaml" } })), ...b.labeledRanges.map((r) => ({ ...r, label: { ...r.label, file: "b.yaml" } }))];
        const findings = checkDisjointAcrossStacks(ranges).filter((f) => f.path === "dualstack:gateway.clientIPv4Cidr");
        assert.deepStrictEqual(
            findings.map((f) => f.message),
            [
                "dualstack:gateway.clientIPv4Cidr (WireGuard client range 10.50.0.0/25) in b.yaml overlaps dualstack:gateway.clientIPv4Cidr " +
                    "(WireGuard client range 10.50.0.0/24) in a.yaml. Two environments that share a range cannot be connected or told apart. " +
                    "Give dualstack:gateway.clientIPv4Cidr in b.yaml a range of its own.",
            ],
        );
        assert.ok(!checkDisjointAcrossStacks(ranges).some((f) => f.path === "dualstack:gateway.clientIPv6Cidr"));
    });

    it("`gateway-peer-address`: a hostId outside a client range, or the gateways' own", () => {
        const outside = evaluate(withGateway({ clientIPv4Cidr: "10.254.0.0/28", peers: [{ ...PEERS[0], hostId: 15 }] }));
        assert.deepStrictEqual(of(outside.all, "gateway-peer-address"), [
            [
                "error",
                "dualstack:gateway.peers[0].hostId",
                "dualstack:gateway.peers[0].hostId is 15, but dualstack:gateway.clientIPv4Cidr (10.254.0.0/28) holds host ids up to 14 " +
                    "(its last address is the broadcast address). Choose a smaller hostId, or a larger client range.",
            ],
        ]);
        // The schema refuses 1 (config-type); component args reach the rule, which says why.
        assert.deepStrictEqual(of(evaluate(withGateway({ peers: [{ ...PEERS[0], hostId: 1 }] })).all, "config-type").map(([, path]) => path), ["dualstack:gateway.peers[0].hostId"]);
        assert.deepStrictEqual(of(checkPeerHostId(1, [{ cidr: cidr("10.254.0.0/24"), key: "k" }], "peers[0].hostId"), "gateway-peer-address"), [
            [
                "error",
                "peers[0].hostId",
                "peers[0].hostId is 1; host ids start at 2 (0 is each client range's first address, 1 the gateways' own tunnel address). Choose 2 or higher.",
            ],
        ]);
    });

    it("`gateway-peer-duplicate`: names, keys and host ids each unique", () => {
        const result = evaluate(withGateway({ peers: [PEERS[0], { name: "alice", publicKey: PEER_PUBLIC_KEY, hostId: 10 }] }));
        assert.deepStrictEqual(
            of(result.all, "gateway-peer-duplicate").map(([, , message]) => message),
            [
                'dualstack:gateway.peers[1].name is "alice" as dualstack:gateway.peers[0].name; each peer\'s name names the peer in the ' +
                    "gateways' configuration. Give each peer its own.",
                "dualstack:gateway.peers[1].publicKey is the same public key as dualstack:gateway.peers[0].publicKey; each peer's publicKey " +
                    "identifies the peer to WireGuard, which keeps one peer per key. Give each peer its own.",
                'dualstack:gateway.peers[1].hostId is "10" as dualstack:gateway.peers[0].hostId; each peer\'s hostId gives the peer its ' +
                    "tunnel addresses, which WireGuard routes to one peer only. Give each peer its own.",
            ],
        );
    });

    it("`gateway-client-range-too-small`: no room for the gateways and a peer", () => {
        assert.deepStrictEqual(of(evaluate(withGateway({ clientIPv4Cidr: "10.254.0.0/31", peers: [] })).all, "gateway-client-range-too-small"), [
            [
                "error",
                "dualstack:gateway.clientIPv4Cidr",
                "dualstack:gateway.clientIPv4Cidr is 10.254.0.0/31, 2 address(es); a WireGuard client range holds its first address, the " +
                    "gateways' tunnel address (+1) and the peers, so it needs at least 4. Use a /30 or shorter.",
            ],
        ]);
    });

    it("warnings: nobody may reach WireGuard (`gateway-sources-empty`), one gateway (`gateway-single`); 0.0.0.0/0 is accepted", () => {
        const result = evaluate(withGateway({ allowedSourceCidrs: [], count: 1 }));
        assert.deepStrictEqual(
            result.all.map((f) => [f.rule, f.severity, f.path]),
            [
                ["gateway-single", "warning", "dualstack:gateway.count"],
                ["gateway-sources-empty", "warning", "dualstack:gateway.allowedSourceCidrs"],
            ],
        );
        assert.match(of(result.all, "gateway-sources-empty")[0][2], /^dualstack:gateway\.allowedSourceCidrs is empty, so the security group admits WireGuard from nowhere/);
        assert.deepStrictEqual(evaluate(withGateway({ allowedSourceCidrs: ["0.0.0.0/0", "::/0"] })).all, []);
        const unusable = evaluate(withGateway({ allowedSourceCidrs: ["2001:db8::/32"] }, { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null } }));
        assert.deepStrictEqual(of(unusable.all, "allowed-range-family-unused").map(([, path]) => path), ["dualstack:gateway.allowedSourceCidrs[0]"]);
    });

    it("the gateways take ports of the node subnet: one each and the VIP", () => {
        const result = evaluate(withGateway({ count: 3 }, { "dualstack:network": { ipv4Cidr: "10.0.0.0/29" }, "dualstack:workerPools": [{ name: "w", count: 0 }] }));
        assert.deepStrictEqual(of(result.all, "node-subnet-too-small").map(([, , m]) => m), [
            "dualstack:network.ipv4Cidr is a /29 with room for 4 ports after Neutron's own addresses, but the stack needs 5 (1 machines and 4 " +
                "for the access gateway (its machines and VIP)). Use a /28 or shorter.",
        ]);
    });

    it("the private key: an encrypted stack-file value is accepted; a clear one is a warning; a bad one is refused without showing it", () => {
        const encrypted = loadConfig({ ...BASE_CONFIG, ...withGateway({ privateKey: { secure: "v1:abc" } }) });
        assert.deepStrictEqual(encrypted.findings, []);
        assert.deepStrictEqual(encrypted.config?.gateway?.privateKey, { kind: "encrypted" });
        const clear = { ...withGateway({ privateKey: PEER_PUBLIC_KEY }) };
        assert.deepStrictEqual(loadConfig({ ...BASE_CONFIG, ...clear }).config?.gateway?.privateKey, { kind: "value", text: PEER_PUBLIC_KEY });
        assert.deepStrictEqual(checkSecretsInStackFile(clear), [
            {
                rule: "secret-in-clear",
                severity: "warning",
                path: "dualstack:gateway.privateKey",
                message:
                    "dualstack:gateway.privateKey is written in clear in the stack file, so everyone who can read the file has it. Store it " +
                    "encrypted: pulumi config set --secret --path gateway.privateKey <value> (the value is not shown here).",
            },
        ]);
        assert.deepStrictEqual(checkSecretsInStackFile(withGateway({ privateKey: { secure: "v1:abc" } })), []);
        for (const bad of ["hunter2-is-my-key", 12345, ["hunter3-in-a-list"]]) {
            const loaded = loadConfig(withGateway({ privateKey: bad }));
            const finding = loaded.findings.find((f) => f.path === keys.gatewayPrivateKey);
            assert.ok(finding && finding.rule === "config-type", JSON.stringify(loaded.findings));
            assert.ok(!finding.message.includes(String(bad)), finding.message);
        }
    });

    it("peers: every field is required, and the public key must be one", () => {
        const loaded = loadConfig({ ...BASE_CONFIG, ...withGateway({ peers: [{ name: "alice" }, { name: "bob", publicKey: "not-a-key", hostId: 3 }] }) });
        assert.deepStrictEqual(
            loaded.findings.map((f) => [f.rule, f.path]),
            [
                ["config-type", "dualstack:gateway.peers[1].publicKey"],
                ["config-required", "dualstack:gateway.peers[0].publicKey"],
                ["config-required", "dualstack:gateway.peers[0].hostId"],
            ],
        );
    });
});
