/**
 * The Gateway component under the mock runtime: the exact resources and inputs (security
 * group and rules, VIP ports, gateway ports with their allowed-address-pairs, instances with
 * secret user-data, the floating IP, the router routes, the generated key), its outputs, and
 * the args it refuses before registering anything.
 */
import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { Gateway, GatewayArgs, GATEWAY_PATHS, gatewaySecurityGroupRules, wireguardPublicKey } from "../components/gateway";
import { cloud, isSecretOutput, settle, valueOf } from "./support/runtime";
import { expectInvalid } from "./support/invalid";
import { PEER_PUBLIC_KEY, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY } from "./fixtures/gateway";

const PORT = "openstack:networking/port:Port";
const RULE = "openstack:networking/secGroupRule:SecGroupRule";
const INSTANCE = "openstack:compute/instance:Instance";
const ROUTE = "openstack:networking/routerRoute:RouterRoute";

/** Subnets the offline cloud knows, so ports get addresses in them. */
function subnets(prefix: string, families: Array<"ipv4" | "ipv6">): GatewayArgs["subnets"] {
    const out: GatewayArgs["subnets"] = {};
    for (const family of families) {
        const cidr = family === "ipv4" ? "10.40.0.0/22" : "fd00:40::/64";
        const subnet = new openstack.networking.Subnet(`${prefix}-subnet-${family}`, { cidr, networkId: "net", ipVersion: family === "ipv4" ? 4 : 6 });
        out[family] = { subnetId: subnet.id, cidr };
    }
    return out;
}

function dualStack(name: string, overrides: Partial<GatewayArgs> = {}): GatewayArgs {
    return {
        clusterName: "demo",
        flavorName: "m1.small",
        imageName: "ubuntu-24.04",
        networkId: "net",
        subnets: overrides.subnets ?? subnets(name, ["ipv4", "ipv6"]),
        routerId: "router-id",
        clientRanges: { ipv4: "10.43.0.0/24", ipv6: "fd00:40:0:c000::/64" },
        peers: [{ name: "alice", publicKey: PEER_PUBLIC_KEY, hostId: 10 }],
        allowedSourceCidrs: ["198.51.100.0/24", "2001:db8:200::/48"],
        externalNetworkName: "public",
        ...overrides,
    };
}

/** Args whose subnets are plain ids: nothing is registered before the component refuses them. */
function plainArgs(overrides: Partial<GatewayArgs> = {}): GatewayArgs {
    return dualStack("", { subnets: { ipv4: { subnetId: "v4", cidr: "10.40.0.0/22" }, ipv6: { subnetId: "v6", cidr: "fd00:40::/64" } }, ...overrides });
}

function inventory(prefix: string): string[] {
    return cloud.resources.filter((r) => r.name.startsWith(prefix)).map((r) => `${r.type.split(":").pop()} ${r.name}`).sort();
}

describe("Gateway", () => {
    it("dual-stack: a security group, a VIP port per family, two gateways with ports and pairs, a floating IP, a route per client range", async () => {
        const gateway = new Gateway("g1", dualStack("g1"));
        await settle();
        assert.deepStrictEqual(
            inventory("g1").filter((l) => !l.startsWith("SecGroupRule") && !l.startsWith("Subnet")),
            [
                "FloatingIp g1-fip",
                "Gateway g1",
                "Instance g1-0",
                "Instance g1-1",
                "Port g1-port-0",
                "Port g1-port-1",
                "Port g1-vip-ipv4",
                "Port g1-vip-ipv6",
                "RandomBytes g1-wireguard-key",
                "RouterRoute g1-route-ipv4",
                "RouterRoute g1-route-ipv6",
                "SecGroup g1-security-group",
                "ServerGroup g1-server-group",
            ],
        );
        const vip4 = cloud.named("g1-vip-ipv4", PORT);
        const vip6 = cloud.named("g1-vip-ipv6", PORT);
        assert.deepStrictEqual(vip4.inputs, {
            name: "demo-gateway-vip-ipv4",
            description: "dualstack: IPv4 VIP of the WireGuard access gateways (held by keepalived)",
            networkId: "net",
            fixedIps: [{ subnetId: "g1-subnet-ipv4-id" }],
            securityGroupIds: ["g1-security-group-id"],
            adminStateUp: true,
            tags: ["dualstack-cluster=demo", "dualstack-gateway=vip"],
        });
        const vipAddress4 = (vip4.outputs.allFixedIps as string[])[0];
        const vipAddress6 = (vip6.outputs.allFixedIps as string[])[0];
        for (const index of [0, 1]) {
            const port = cloud.named(`g1-port-${index}`, PORT);
            assert.deepStrictEqual(port.inputs, {
                name: `demo-gateway-${index}`,
                description: `dualstack: WireGuard access gateway demo-gateway-${index}`,
                networkId: "net",
                fixedIps: [{ subnetId: "g1-subnet-ipv4-id" }, { subnetId: "g1-subnet-ipv6-id" }],
                securityGroupIds: ["g1-security-group-id"],
                // The VIPs (keepalived) and the client ranges (forwarded packets), or anti-spoofing drops them.
                allowedAddressPairs: [{ ipAddress: vipAddress4 }, { ipAddress: vipAddress6 }, { ipAddress: "10.43.0.0/24" }, { ipAddress: "fd00:40:0:c000::/64" }],
                adminStateUp: true,
                tags: ["dualstack-cluster=demo", "dualstack-gateway=machine"],
            });
        }
        assert.deepStrictEqual(cloud.named("g1-fip").inputs, {
            pool: "public",
            description: "dualstack: WireGuard access gateways of demo (IPv4 VIP)",
            portId: vip4.id,
            fixedIp: vipAddress4,
            tags: ["dualstack-cluster=demo", "dualstack-gateway=vip"],
        });
        assert.deepStrictEqual(
            cloud.ofType(ROUTE).filter((r) => r.name.startsWith("g1")).map((r) => r.inputs),
            [
                { routerId: "router-id", destinationCidr: "10.43.0.0/24", nextHop: vipAddress4 },
                { routerId: "router-id", destinationCidr: "fd00:40:0:c000::/64", nextHop: vipAddress6 },
            ],
        );
        assert.deepStrictEqual(cloud.named("g1-server-group").inputs, { name: "demo-gateway", policies: ["anti-affinity"] });
        assert.deepStrictEqual(cloud.named("g1-wireguard-key").inputs, { length: 32 });
        assert.strictEqual(await valueOf(gateway.endpoint), `${cloud.named("g1-fip").outputs.address}:51820`);
        assert.strictEqual(await valueOf(gateway.vipAddressIPv6), vipAddress6);
    });

    it("the security group: WireGuard from the allowed sources only, VRRP between the gateways, ICMP, SSH from the clients, egress", async () => {
        new Gateway("g2", dualStack("g2"));
        await settle();
        const lines = cloud
            .ofType(RULE)
            .filter((r) => r.name.startsWith("g2-"))
            .map((r) => {
                const i = r.inputs;
                const ports = i.portRangeMin === undefined ? "" : ` ${i.portRangeMin}`;
                return `${r.name}: ${i.direction} ${i.ethertype} ${i.protocol ?? "any"}${ports} ${i.remoteGroupId ?? i.remoteIpPrefix ?? "anywhere"}`;
            })
            .sort();
        assert.deepStrictEqual(lines, [
            "g2-rule-ipv4-egress: egress IPv4 any anywhere",
            "g2-rule-ipv4-icmp-subnet: ingress IPv4 icmp 10.40.0.0/22",
            "g2-rule-ipv4-ssh-wireguard-clients: ingress IPv4 tcp 22 10.43.0.0/24",
            "g2-rule-ipv4-vrrp: ingress IPv4 112 g2-security-group-id",
            "g2-rule-ipv4-wireguard-198.51.100.0/24: ingress IPv4 udp 51820 198.51.100.0/24",
            "g2-rule-ipv6-egress: egress IPv6 any anywhere",
            "g2-rule-ipv6-icmp-link-local: ingress IPv6 ipv6-icmp fe80::/10",
            "g2-rule-ipv6-icmp-subnet: ingress IPv6 ipv6-icmp fd00:40::/64",
            "g2-rule-ipv6-ssh-wireguard-clients: ingress IPv6 tcp 22 fd00:40:0:c000::/64",
            "g2-rule-ipv6-vrrp: ingress IPv6 112 g2-security-group-id",
            "g2-rule-ipv6-wireguard-2001-db8-200--/48: ingress IPv6 udp 51820 2001:db8:200::/48",
        ]);
        assert.strictEqual(cloud.named("g2-rule-ipv4-wireguard-198.51.100.0/24", RULE).inputs.portRangeMax, 51820);
        assert.deepStrictEqual(cloud.named("g2-security-group").inputs.deleteDefaultRules, true);
    });

    it("generates the key pair from random bytes: the private key stays secret, the public key is an output, the peers' templates are readable", async () => {
        const gateway = new Gateway("g3", dualStack("g3"));
        await settle();
        const random = cloud.named("g3-wireguard-key");
        assert.deepStrictEqual([...random.secretOutputs].sort(), ["base64", "hex"]);
        const publicKey = await valueOf(gateway.publicKey);
        assert.strictEqual(await isSecretOutput(gateway.publicKey), false);
        const instance = cloud.named("g3-0", INSTANCE);
        assert.ok(instance.secretInputs.has("userData"), "the user-data carries the private key: secret");
        const userData = YAML.parse(String(instance.inputs.userData), { version: "1.1" }) as { write_files: Array<{ path: string; content: string }> };
        const wg0 = userData.write_files.find((f) => f.path === GATEWAY_PATHS.wireguard)?.content ?? "";
        const privateKey = /^PrivateKey = (.+)$/m.exec(wg0)?.[1] as string;
        assert.strictEqual(wireguardPublicKey(privateKey), publicKey);
        const configs = await valueOf(gateway.clientConfigs);
        assert.strictEqual(await isSecretOutput(gateway.clientConfigs), false);
        assert.deepStrictEqual(configs.map((c) => c.name), ["alice"]);
        assert.match(configs[0].config, new RegExp(`PublicKey = ${publicKey.replace(/[+/]/g, "\\$&")}\\n`));
        assert.ok(!configs[0].config.includes(privateKey));
    });

    it("takes a private key given as a secret: no random bytes, and the public key derived from it", async () => {
        const gateway = new Gateway("g4", dualStack("g4", { privateKey: pulumi.secret(TEST_PRIVATE_KEY) }));
        await settle();
        assert.deepStrictEqual(inventory("g4-wireguard"), []);
        assert.strictEqual(await valueOf(gateway.publicKey), TEST_PUBLIC_KEY);
        assert.ok(String(cloud.named("g4-1", INSTANCE).inputs.userData).includes(`PrivateKey = ${TEST_PRIVATE_KEY}`));
        assert.ok(cloud.named("g4-1", INSTANCE).secretInputs.has("userData"));
    });

    it("each gateway's keepalived names its own address and the other gateway's, and the VIPs Neutron allocated", async () => {
        new Gateway("g5", dualStack("g5"));
        await settle();
        const address = (name: string, family: string) => ((cloud.named(name, PORT).outputs.allFixedIps as string[]).find((a) => a.includes(":") === (family === "IPv6")) as string);
        const keepalived = (index: number) => {
            const text = String(cloud.named(`g5-${index}`, INSTANCE).inputs.userData);
            const config = YAML.parse(text, { version: "1.1" }) as { write_files: Array<{ path: string; content: string }> };
            return config.write_files.find((f) => f.path === GATEWAY_PATHS.keepalivedTemplate)?.content ?? "";
        };
        const first = keepalived(0);
        assert.match(first, new RegExp(`unicast_src_ip ${address("g5-port-0", "IPv4")}\\n    unicast_peer \\{\\n        ${address("g5-port-1", "IPv4")}\\n`));
        assert.match(first, new RegExp(`virtual_ipaddress \\{\\n        ${address("g5-vip-ipv4", "IPv4")}/32\\n`));
        assert.match(keepalived(1), new RegExp(`unicast_src_ip ${address("g5-port-1", "IPv6")}\\n`));
        const instance = cloud.named("g5-0", INSTANCE);
        assert.deepStrictEqual(instance.inputs.metadata, { "dualstack-cluster": "demo", "dualstack-gateway": "machine" });
        assert.deepStrictEqual(instance.inputs.schedulerHints, [{ group: "g5-server-group-id" }]);
        assert.strictEqual(instance.inputs.configDrive, false);
    });

    it("IPv6-only: no floating IP; peers connect to the IPv6 VIP; a config drive; only IPv6 rules and routes", async () => {
        const gateway = new Gateway(
            "g6",
            dualStack("g6", {
                subnets: subnets("g6", ["ipv6"]),
                clientRanges: { ipv6: "fd00:40:0:c000::/64" },
                allowedSourceCidrs: ["2001:db8:200::/48"],
                externalNetworkName: undefined,
            }),
        );
        await settle();
        assert.deepStrictEqual(inventory("g6-fip"), []);
        const vip = (cloud.named("g6-vip-ipv6", PORT).outputs.allFixedIps as string[])[0];
        assert.strictEqual(await valueOf(gateway.endpoint), `[${vip}]:51820`);
        assert.strictEqual(cloud.named("g6-0", INSTANCE).inputs.configDrive, true);
        assert.deepStrictEqual(cloud.ofType(ROUTE).filter((r) => r.name.startsWith("g6")).map((r) => r.name), ["g6-route-ipv6"]);
        assert.ok(cloud.ofType(RULE).filter((r) => r.name.startsWith("g6-")).every((r) => r.inputs.ethertype === "IPv6"));
        assert.deepStrictEqual(await valueOf(gateway.addressesIPv4), []);
    });

    it("without a router: no routes (the client ranges are routed elsewhere)", async () => {
        new Gateway("g7", dualStack("g7", { routerId: undefined }));
        await settle();
        assert.deepStrictEqual(inventory("g7-route"), []);
    });

    it("the rule set is a pure function of the families, the client families and the sources", () => {
        const rules = gatewaySecurityGroupRules({ families: ["IPv4"], clientFamilies: [], allowedSourceCidrs: ["0.0.0.0/0", "2001:db8::/32", "0.0.0.0/0"] });
        assert.deepStrictEqual(
            rules.map((r) => r.key),
            ["ipv4-wireguard-0.0.0.0/0", "ipv4-vrrp", "ipv4-icmp-subnet", "ipv4-egress"],
        );
        assert.strictEqual(rules[0].wireguard, true);
    });

    describe("refuses invalid args before registering anything", () => {
        it("a peer key that is not a WireGuard key", () =>
            expectInvalid(
                () => new Gateway("bad1", plainArgs({ peers: [{ name: "alice", publicKey: "abc", hostId: 10 }] })),
                "wireguard-key-invalid",
                'peers[0].publicKey is "abc", which is not a WireGuard key: 44 characters of base64 (32 bytes)',
            ));
        it("a private key that is not one, without showing it", async () => {
            await expectInvalid(() => new Gateway("bad2", plainArgs({ privateKey: "my-secret-words" })), "wireguard-key-invalid", "privateKey is not a WireGuard key");
            assert.throws(() => new Gateway("bad2b", plainArgs({ privateKey: "my-secret-words" })), (e: Error) => !e.message.includes("my-secret-words"));
        });
        it("a peer outside a client range", () =>
            expectInvalid(
                () => new Gateway("bad3", plainArgs({ clientRanges: { ipv4: "10.43.0.0/29" }, peers: [{ name: "alice", publicKey: PEER_PUBLIC_KEY, hostId: 10 }] })),
                "gateway-peer-address",
                "peers[0].hostId is 10, but clientRanges.ipv4 (10.43.0.0/29) holds host ids up to 6 (its last address is the broadcast address)",
            ));
        it("two peers with one key", () =>
            expectInvalid(
                () =>
                    new Gateway(
                        "bad4",
                        plainArgs({
                            peers: [
                                { name: "alice", publicKey: PEER_PUBLIC_KEY, hostId: 10 },
                                { name: "bob", publicKey: PEER_PUBLIC_KEY, hostId: 11 },
                            ],
                        }),
                    ),
                "gateway-peer-duplicate",
                "peers[1].publicKey is the same public key as peers[0].publicKey",
            ));
        it("a client range of a family without a subnet", () =>
            expectInvalid(
                () => new Gateway("bad5", plainArgs({ subnets: { ipv4: { subnetId: "v4", cidr: "10.40.0.0/22" } } })),
                "arg-missing",
                "subnets.ipv6 is not set; clientRanges.ipv6 is set, so the gateways need an address in the IPv6 node subnet to route it.",
            ));
        it("no client range", () => expectInvalid(() => new Gateway("bad6", plainArgs({ clientRanges: {} })), "arg-missing", "clientRanges is not set"));
        it("a listen port out of range", () =>
            expectInvalid(() => new Gateway("bad7", plainArgs({ listenPort: 70000 })), "arg-invalid", "listenPort is 70000; a UDP port is an integer from 1 to 65535."));
        it("an allowed source that is not a CIDR", () =>
            expectInvalid(() => new Gateway("bad8", plainArgs({ allowedSourceCidrs: ["everyone"] })), "cidr-invalid", "allowedSourceCidrs[0]"));
        it("no image", () => expectInvalid(() => new Gateway("bad9", plainArgs({ imageName: undefined })), "arg-missing", "imageName is not set"));
    });
});
