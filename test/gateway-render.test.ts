/**
 * The access gateway's renderers, field by field per family mode: the WireGuard key pair and
 * wg0.conf, keepalived.conf, radvd.conf, the peers' configuration template, and the
 * cloud-config that carries them (checked against cloud-init's vendored schema).
 */
import * as assert from "assert";
import * as YAML from "yaml";
import {
    CLIENT_PRIVATE_KEY_PLACEHOLDER,
    clampPrivateKey,
    GATEWAY_CHECK_SCRIPT,
    GATEWAY_NOTIFY_SCRIPT,
    GATEWAY_PATHS,
    GATEWAY_SETUP_SCRIPT,
    GATEWAY_SETUP_UNIT,
    GatewayInputError,
    gatewayEnvironment,
    renderClientTemplate,
    renderGatewayCloudConfig,
    renderKeepalivedConfig,
    renderRadvdConfig,
    renderWireguardConfig,
    virtualRouterId,
    wireguardPublicKey,
} from "../components/gateway";
import { cloudConfigErrors } from "./fixtures/cloud-init/validate";
import { GATEWAY_MODES, PEER_PUBLIC_KEY, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, testGateway, testMachine } from "./fixtures/gateway";

/** wg-quick's INI: sections in order, each a list of [key, value] (comments dropped). */
function ini(text: string): Array<{ section: string; entries: Array<[string, string]> }> {
    const sections: Array<{ section: string; entries: Array<[string, string]> }> = [];
    for (const line of text.split("\n")) {
        const header = /^\[(\w+)\]$/.exec(line);
        if (header) sections.push({ section: header[1], entries: [] });
        const entry = /^(\w+) = (.*)$/.exec(line);
        if (entry) sections[sections.length - 1].entries.push([entry[1], entry[2]]);
    }
    return sections;
}

/** keepalived's blocks: `name { ... }` with their inner lines (trimmed), nested blocks flattened into `parent/child`. */
function blocks(text: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const stack: string[] = [];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        if (line.endsWith("{")) {
            stack.push(line.slice(0, -1).trim());
            out.set(stack.join("/"), []);
        } else if (line === "}") {
            stack.pop();
        } else {
            out.get(stack.join("/"))?.push(line);
        }
    }
    return out;
}

describe("gateway: WireGuard keys", () => {
    it("derives the public key as X25519 does (RFC 7748 section 6.1, as `wg pubkey` prints it)", () => {
        assert.strictEqual(wireguardPublicKey(TEST_PRIVATE_KEY), TEST_PUBLIC_KEY);
    });

    it("clamps 32 random bytes into a Curve25519 private key (RFC 7748 section 5)", () => {
        const raw = Buffer.alloc(32, 0xff).toString("base64");
        const clamped = Buffer.from(clampPrivateKey(raw), "base64");
        assert.strictEqual(clamped[0], 0xf8);
        assert.strictEqual(clamped[31], 0x7f);
        assert.ok(clamped.subarray(1, 31).every((b) => b === 0xff));
        const zero = Buffer.from(clampPrivateKey(Buffer.alloc(32).toString("base64")), "base64");
        assert.strictEqual(zero[31], 0x40);
        // X25519 clamps the scalar itself: clamping changes the bytes, not the public key; and a clamped key stays as it is.
        const clampedAlice = clampPrivateKey(TEST_PRIVATE_KEY);
        assert.notStrictEqual(clampedAlice, TEST_PRIVATE_KEY);
        assert.strictEqual(wireguardPublicKey(clampedAlice), TEST_PUBLIC_KEY);
        assert.strictEqual(clampPrivateKey(clampedAlice), clampedAlice);
    });

    it("refuses what is not a key, without showing it", () => {
        assert.throws(() => clampPrivateKey(Buffer.alloc(16).toString("base64")), /a WireGuard private key is 32 bytes, not 16/);
        assert.throws(() => wireguardPublicKey("secret-but-not-a-key"), (e: Error) => !e.message.includes("secret-but-not-a-key"));
    });
});

describe("gateway: wg0.conf", () => {
    it("dual-stack: one interface with both tunnel addresses, the port, the key and no routes; each peer by its addresses", () => {
        assert.deepStrictEqual(ini(renderWireguardConfig(testGateway("dual-stack"))), [
            {
                section: "Interface",
                entries: [
                    ["Address", "10.43.0.1/32, fd00:40:0:c000::1/128"],
                    ["ListenPort", "51820"],
                    ["PrivateKey", TEST_PRIVATE_KEY],
                    ["Table", "off"],
                ],
            },
            { section: "Peer", entries: [["PublicKey", PEER_PUBLIC_KEY], ["AllowedIPs", "10.43.0.10/32, fd00:40:0:c000::a/128"]] },
        ]);
    });

    it("single-family modes carry only that family's addresses", () => {
        for (const [mode, address, allowed] of [
            ["ipv4-only", "10.43.0.1/32", "10.43.0.10/32"],
            ["ipv6-only", "fd00:40:0:c000::1/128", "fd00:40:0:c000::a/128"],
        ] as const) {
            const [iface, peer] = ini(renderWireguardConfig(testGateway(mode)));
            assert.deepStrictEqual(iface.entries[0], ["Address", address], mode);
            assert.deepStrictEqual(peer.entries[1], ["AllowedIPs", allowed], mode);
        }
    });

    it("names each peer in a comment, and sets no MTU (wg-quick derives it from the node subnet's)", () => {
        const text = renderWireguardConfig(testGateway("dual-stack"));
        assert.match(text, /\[Peer\]\n# alice\nPublicKey = /);
        assert.doesNotMatch(text, /MTU/);
    });
});

describe("gateway: keepalived.conf", () => {
    it("dual-stack: an instance per family in one sync group that notifies, unicast to the other gateway, the VIPs as host addresses", () => {
        const text = renderKeepalivedConfig(testGateway("dual-stack"), testMachine("dual-stack", 0));
        const parsed = blocks(text);
        assert.deepStrictEqual(parsed.get("global_defs"), ["router_id gw-dual-stack-gateway-0", "vrrp_version 3", "script_user root", "enable_script_security"]);
        assert.deepStrictEqual(parsed.get("vrrp_script wireguard"), [`script "${GATEWAY_PATHS.check}"`, "interval 5", "timeout 3", "rise 2", "fall 2"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv4"), [
            "state BACKUP",
            "interface @NODE_INTERFACE@",
            "virtual_router_id 42",
            "priority 150",
            "advert_int 1",
            "nopreempt",
            "unicast_src_ip 10.40.0.6",
        ]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv4/unicast_peer"), ["10.40.0.7"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv4/virtual_ipaddress"), ["10.40.0.2/32"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv4/track_script"), ["wireguard"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv6")?.slice(-1), ["unicast_src_ip fd00:40::6"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv6/unicast_peer"), ["fd00:40::7"]);
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv6/virtual_ipaddress"), ["fd00:40::2/128"]);
        assert.deepStrictEqual(parsed.get("vrrp_sync_group gateway/group"), ["gateway_ipv4", "gateway_ipv6"]);
        assert.deepStrictEqual(parsed.get("vrrp_sync_group gateway"), [
            `notify_master "${GATEWAY_PATHS.notify} MASTER"`,
            `notify_backup "${GATEWAY_PATHS.notify} BACKUP"`,
            `notify_fault "${GATEWAY_PATHS.notify} FAULT"`,
            `notify_stop "${GATEWAY_PATHS.notify} STOP"`,
        ]);
    });

    it("the second gateway has a lower priority and the first one as its peer", () => {
        const parsed = blocks(renderKeepalivedConfig(testGateway("dual-stack"), testMachine("dual-stack", 1)));
        assert.ok(parsed.get("vrrp_instance gateway_ipv4")?.includes("priority 140"));
        assert.ok(parsed.get("vrrp_instance gateway_ipv4")?.includes("unicast_src_ip 10.40.0.7"));
        assert.deepStrictEqual(parsed.get("vrrp_instance gateway_ipv4/unicast_peer"), ["10.40.0.6"]);
    });

    it("single-family modes: one instance that notifies itself (keepalived drops a sync group of one)", () => {
        for (const [mode, instance, vip] of [
            ["ipv4-only", "gateway_ipv4", "10.40.0.2/32"],
            ["ipv6-only", "gateway_ipv6", "fd00:40::2/128"],
        ] as const) {
            const parsed = blocks(renderKeepalivedConfig(testGateway(mode), testMachine(mode)));
            assert.deepStrictEqual(
                [...parsed.keys()].filter((k) => k.startsWith("vrrp_")),
                [
                    "vrrp_script wireguard",
                    `vrrp_instance ${instance}`,
                    `vrrp_instance ${instance}/unicast_peer`,
                    `vrrp_instance ${instance}/virtual_ipaddress`,
                    `vrrp_instance ${instance}/track_script`,
                ],
                mode,
            );
            assert.deepStrictEqual(parsed.get(`vrrp_instance ${instance}/virtual_ipaddress`), [vip]);
            assert.deepStrictEqual(parsed.get(`vrrp_instance ${instance}`)?.filter((l) => l.startsWith("notify_")).length, 4);
        }
    });

    it("one gateway: no unicast peers", () => {
        const single = { ...testGateway("ipv4-only"), families: [{ ...testGateway("ipv4-only").families[0], addresses: ["10.40.0.6"] }] };
        const text = renderKeepalivedConfig(single, testMachine("ipv4-only"));
        assert.doesNotMatch(text, /unicast/);
    });

    it("derives one virtual router id per cluster, from 1 to 255", () => {
        const ids = ["dev", "staging", "prod", "private", "a", "b"].map(virtualRouterId);
        assert.ok(ids.every((id) => Number.isInteger(id) && id >= 1 && id <= 255), ids.join(" "));
        assert.strictEqual(virtualRouterId("private"), virtualRouterId("private"));
    });
});

describe("gateway: radvd.conf", () => {
    it("advertises only a route to the IPv6 client range: router lifetime 0, no prefix, withdrawn on stop", () => {
        const text = renderRadvdConfig(testGateway("dual-stack")) as string;
        const parsed = blocks(text.replace(/;/g, ""));
        assert.deepStrictEqual(parsed.get("interface @NODE_INTERFACE@"), ["AdvSendAdvert on", "AdvDefaultLifetime 0", "MaxRtrAdvInterval 10"]);
        assert.deepStrictEqual(parsed.get("interface @NODE_INTERFACE@/route fd00:40:0:c000::/64"), [
            "AdvRouteLifetime 30",
            "AdvRoutePreference medium",
            "RemoveRoute on",
        ]);
        assert.doesNotMatch(text, /prefix|RDNSS/);
        assert.strictEqual(renderRadvdConfig(testGateway("ipv6-only")), text.replace("gw-dual-stack", "gw-ipv6-only"));
    });

    it("is not rendered without an IPv6 client range", () => {
        assert.strictEqual(renderRadvdConfig(testGateway("ipv4-only")), undefined);
    });
});

describe("gateway: a peer's configuration template", () => {
    it("has the peer's addresses, the gateways' key and endpoint, what to route, a keepalive, and no private key", () => {
        const text = renderClientTemplate(
            { name: "alice", addresses: ["10.43.0.10", "fd00:40:0:c000::a"] },
            { clusterName: "gw", serverPublicKey: TEST_PUBLIC_KEY, endpoint: "203.0.113.4:51820", allowedIps: ["10.40.0.0/22", "fd00:40::/64"] },
        );
        assert.deepStrictEqual(ini(text), [
            { section: "Interface", entries: [["PrivateKey", CLIENT_PRIVATE_KEY_PLACEHOLDER], ["Address", "10.43.0.10/32, fd00:40:0:c000::a/128"]] },
            {
                section: "Peer",
                entries: [
                    ["PublicKey", TEST_PUBLIC_KEY],
                    ["Endpoint", "203.0.113.4:51820"],
                    ["AllowedIPs", "10.40.0.0/22, fd00:40::/64"],
                    ["PersistentKeepalive", "25"],
                ],
            },
        ]);
        assert.doesNotMatch(CLIENT_PRIVATE_KEY_PLACEHOLDER, /^[A-Za-z0-9+/]{43}=$/);
    });
});

describe("gateway: cloud-config", () => {
    for (const mode of GATEWAY_MODES) {
        it(`${mode}: valid against cloud-init's schema, with every file in order and the setup unit started`, () => {
            const text = renderGatewayCloudConfig(testGateway(mode), testMachine(mode));
            assert.deepStrictEqual(cloudConfigErrors(text), []);
            const config = YAML.parse(text, { version: "1.1" }) as { hostname: string; write_files: Array<{ path: string; permissions: string; owner: string }>; runcmd: string[][] };
            assert.strictEqual(config.hostname, `gw-${mode}-gateway-0`);
            const radvd = mode === "ipv4-only" ? [] : [[GATEWAY_PATHS.radvdTemplate, "0644"]];
            assert.deepStrictEqual(
                config.write_files.map((f) => [f.path, f.permissions]),
                [
                    [GATEWAY_PATHS.sysctl, "0644"],
                    [GATEWAY_PATHS.environment, "0644"],
                    [GATEWAY_PATHS.wireguard, "0600"],
                    [GATEWAY_PATHS.keepalivedTemplate, "0644"],
                    ...radvd,
                    [GATEWAY_PATHS.setup, "0700"],
                    [GATEWAY_PATHS.notify, "0700"],
                    [GATEWAY_PATHS.check, "0700"],
                    [GATEWAY_PATHS.unit, "0644"],
                ],
            );
            assert.ok(config.write_files.every((f) => f.owner === "root:root"));
            assert.deepStrictEqual(config.runcmd, [
                ["systemctl", "daemon-reload"],
                ["systemctl", "enable", "dualstack-gateway-setup.service"],
                ["systemctl", "start", "dualstack-gateway-setup.service"],
            ]);
        });
    }

    it("carries the private key only in wg0.conf (0600)", () => {
        const text = renderGatewayCloudConfig(testGateway("dual-stack"), testMachine("dual-stack"));
        const config = YAML.parse(text, { version: "1.1" }) as { write_files: Array<{ path: string; content: string }> };
        assert.deepStrictEqual(config.write_files.filter((f) => f.content.includes(TEST_PRIVATE_KEY)).map((f) => f.path), [GATEWAY_PATHS.wireguard]);
        assert.strictEqual(text.split(TEST_PRIVATE_KEY).length, 2);
    });

    it("forwards both families, and writes the scripts and the unit as they are", () => {
        const config = YAML.parse(renderGatewayCloudConfig(testGateway("dual-stack"), testMachine("dual-stack")), { version: "1.1" }) as {
            write_files: Array<{ path: string; content: string }>;
        };
        const content = (path: string) => config.write_files.find((f) => f.path === path)?.content;
        assert.strictEqual(
            content(GATEWAY_PATHS.sysctl),
            "# dualstack: the access gateway forwards between WireGuard and the node subnets\n" +
                "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 1\nnet.ipv6.conf.default.forwarding = 1\n",
        );
        assert.strictEqual(content(GATEWAY_PATHS.setup), GATEWAY_SETUP_SCRIPT);
        assert.strictEqual(content(GATEWAY_PATHS.notify), GATEWAY_NOTIFY_SCRIPT);
        assert.strictEqual(content(GATEWAY_PATHS.check), GATEWAY_CHECK_SCRIPT);
        assert.strictEqual(content(GATEWAY_PATHS.unit), GATEWAY_SETUP_UNIT);
        assert.match(GATEWAY_SETUP_UNIT, /^ConditionPathExists=!\/var\/lib\/dualstack\/gateway\.done$/m);
        assert.match(GATEWAY_SETUP_UNIT, /^ExecStart=\/usr\/local\/sbin\/dualstack-gateway-setup$/m);
    });

    it("tells the scripts the gateway, its subnets, the port, each client range with its VIP, and whether to advertise", () => {
        const env = (mode: (typeof GATEWAY_MODES)[number]) =>
            Object.fromEntries(
                gatewayEnvironment(testGateway(mode), testMachine(mode, 1))
                    .split("\n")
                    .filter((l) => /^[A-Z0-9_]+=/.test(l))
                    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
            );
        assert.deepStrictEqual(env("dual-stack"), {
            GATEWAY_NAME: "'gw-dual-stack-gateway-1'",
            NODE_SUBNETS: "'10.40.0.0/22 fd00:40::/64'",
            IPV6_NODE: "'yes'",
            LISTEN_PORT: "'51820'",
            CLIENT_ROUTES: "'10.43.0.0/24@10.40.0.2 fd00:40:0:c000::/64@fd00:40::2'",
            ADVERTISE_ROUTE: "'yes'",
        });
        assert.deepStrictEqual([env("ipv4-only").IPV6_NODE, env("ipv4-only").ADVERTISE_ROUTE, env("ipv4-only").CLIENT_ROUTES], ["'no'", "'no'", "'10.43.0.0/24@10.40.0.2'"]);
        assert.deepStrictEqual([env("ipv6-only").IPV6_NODE, env("ipv6-only").ADVERTISE_ROUTE], ["'yes'", "'yes'"]);
    });

    it("refuses inputs it cannot render, naming them and never the key", () => {
        const gateway = testGateway("dual-stack");
        const cases: Array<[typeof gateway, RegExp]> = [
            [{ ...gateway, families: [] }, /the gateways have no node subnet/],
            [{ ...gateway, clientRanges: [] }, /there is no WireGuard client range/],
            [{ ...gateway, families: [gateway.families[0]] }, /the IPv6 client range fd00:40:0:c000::\/64 has no IPv6 node subnet/],
            [{ ...gateway, families: [{ ...gateway.families[0], vip: "fd00::1" }, gateway.families[1]] }, /"fd00::1" is not an IPv4 address/],
        ];
        for (const [bad, message] of cases) {
            assert.throws(
                () => renderGatewayCloudConfig(bad, testMachine("dual-stack")),
                (e: Error) => e instanceof GatewayInputError && message.test(e.message) && !e.message.includes(TEST_PRIVATE_KEY),
            );
        }
    });
});
