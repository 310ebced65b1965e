import * as assert from "assert";
import { Finding } from "../components/addressing";
import { didYouMean, loadConfig, parseStackFile, schemaKeyPaths, UnreadableStackFileError } from "../components/config";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

function findingsOf(raw: Record<string, unknown>): Finding[] {
    return loadConfig(deepMerge(BASE_CONFIG, raw)).findings;
}

function only(findings: Finding[], rule: string): Finding {
    const matching = findings.filter((f) => f.rule === rule);
    assert.strictEqual(matching.length, 1, `expected one ${rule}, got ${JSON.stringify(findings, null, 2)}`);
    return matching[0];
}

describe("configuration", () => {
    describe("defaults (DESIGN.md)", () => {
        it("fills every documented default", () => {
            const { config, findings } = loadConfig(BASE_CONFIG);
            assert.deepStrictEqual(findings, []);
            assert.ok(config);
            assert.deepStrictEqual(config.ipFamilies, ["IPv4", "IPv6"]);
            assert.deepStrictEqual(config.network.nodeCidrs, { IPv4: { kind: "cidr", text: "10.0.0.0/22" }, IPv6: { kind: "ula", prefixLength: 64 } });
            assert.deepStrictEqual(config.pods.cidrs, { IPv4: { kind: "cidr", text: "10.244.0.0/16" }, IPv6: { kind: "ula", prefixLength: 56 } });
            assert.deepStrictEqual(config.services.cidrs, { IPv4: { kind: "cidr", text: "10.96.0.0/16" }, IPv6: { kind: "ula", prefixLength: 112 } });
            assert.deepStrictEqual(config.pods.nodeMasks, { IPv4: 24, IPv6: 64 });
            assert.strictEqual(config.network.ipv6AddressMode, "dhcpv6-stateful");
            assert.strictEqual(config.network.ipv6RaMode, "dhcpv6-stateful");
            assert.deepStrictEqual(config.reservedCidrs, []);
            assert.strictEqual(config.kubernetes.version, "1.34");
            assert.strictEqual(config.kubernetes.proxyMode, "ipvs");
            assert.strictEqual(config.controlPlane.count, 1);
            assert.deepStrictEqual(config.workerPools, [
                { name: "workers", count: 2, flavor: "m1.large", image: "ubuntu-24.04", serverGroupPolicy: "soft-anti-affinity", availabilityZone: undefined },
            ]);
            assert.strictEqual(config.calico.version, "v3.32.1");
            assert.deepStrictEqual(config.calico.encapsulation, { IPv4: "None", IPv6: "None" });
            assert.deepStrictEqual(config.calico.blockSizes, { IPv4: 26, IPv6: 122 });
            assert.deepStrictEqual(config.calico.natOutgoing, { IPv4: true, IPv6: true });
            assert.strictEqual(config.calico.bgp, true);
            assert.strictEqual(config.calico.blockMetadata, true);
        });

        it("IPv6 NAT defaults to off for a global pod range", () => {
            const { config } = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:pods": { ipv6Cidr: "2001:db8:10::/56" } }));
            assert.strictEqual(config?.calico.natOutgoing.IPv6, false);
            const ula = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:pods": { ipv6Cidr: "fd12:3456:789a:100::/56" } }));
            assert.strictEqual(ula.config?.calico.natOutgoing.IPv6, true);
        });

        it("the RA mode follows the address mode", () => {
            const { config } = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:network": { ipv6AddressMode: "slaac" } }));
            assert.strictEqual(config?.network.ipv6RaMode, "slaac");
        });

        it("an IPv6-only cluster gets IPv6 defaults only, and IPv4 keys are unused", () => {
            const { config, findings } = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:ipFamilies": ["IPv6"], "dualstack:pods": { ipv4Cidr: "10.1.0.0/16" } }));
            assert.deepStrictEqual(Object.keys(config?.network.nodeCidrs ?? {}), ["IPv6"]);
            assert.deepStrictEqual(Object.keys(config?.pods.cidrs ?? {}), ["IPv6"]);
            const unused = only(findings, "config-unused-key");
            assert.strictEqual(unused.severity, "warning");
            assert.strictEqual(unused.path, "dualstack:pods.ipv4Cidr");
            assert.match(unused.message, /IPv4 is not in dualstack:ipFamilies/);
        });

        it("worker pools inherit the control plane's flavor and image", () => {
            const { config } = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:workerPools": [{ name: "big", count: 1, flavor: "m1.xlarge" }] }));
            assert.deepStrictEqual(config?.workerPools.map((p) => [p.name, p.flavor, p.image]), [["big", "m1.xlarge", "ubuntu-24.04"]]);
        });

        it("other namespaces are ignored; a key without one is refused, as Pulumi refuses it in a stack file", () => {
            const { config, findings } = loadConfig({ ...BASE_CONFIG, "dualstack:ipFamilies": ["IPv6"], "openstack:cloud": "mycloud" });
            assert.deepStrictEqual(findings, []);
            assert.deepStrictEqual(config?.ipFamilies, ["IPv6"]);
            const bare = only(loadConfig({ ...BASE_CONFIG, ipFamilies: ["IPv6"] }).findings, "config-unknown-key");
            assert.strictEqual(bare.path, "ipFamilies");
            assert.strictEqual(bare.message, "ipFamilies has no namespace; Pulumi reads stack-file keys as <namespace>:<name>. Write dualstack:ipFamilies (pulumi config set adds the namespace for you).");
        });
    });

    describe("unknown keys", () => {
        it("suggests the closest key", () => {
            const f = only(findingsOf({ "dualstack:ipFamily": ["IPv4"] }), "config-unknown-key");
            assert.strictEqual(f.path, "dualstack:ipFamily");
            assert.strictEqual(f.message, "dualstack:ipFamily is not a dualstack configuration key. Did you mean dualstack:ipFamilies?");
        });
        it("suggests nested keys, case-insensitively", () => {
            const f = only(findingsOf({ "dualstack:network": { ipv6cidr: "ula" } }), "config-unknown-key");
            assert.strictEqual(f.path, "dualstack:network.ipv6cidr");
            assert.match(f.message, /Did you mean dualstack:network\.ipv6Cidr\?$/);
        });
        it("lists the known keys when nothing is close", () => {
            const f = only(findingsOf({ "dualstack:calico": { frobnicate: true } }), "config-unknown-key");
            assert.match(f.message, /Known keys here: version, encapsulationIPv4/);
        });
        it("explains structured config when a dotted key is written flat", () => {
            const f = only(findingsOf({ "dualstack:pods.ipv6Cidr": "ula" }), "config-unknown-key");
            assert.match(f.message, /pods is structured configuration.*pulumi config set --path pods\.ipv6Cidr/);
        });
    });

    describe("wrong types name the key, the value and what was expected", () => {
        const cases: Array<[string, Record<string, unknown>, string, string]> = [
            ["a count that is a string", { "dualstack:controlPlane": { count: "three" } }, "dualstack:controlPlane.count", 'dualstack:controlPlane.count is "three" (a string); expected an integer from 1 to 9.'],
            ["a count of zero", { "dualstack:controlPlane": { count: 0 } }, "dualstack:controlPlane.count", "dualstack:controlPlane.count is 0 (a number); expected an integer from 1 to 9."],
            ["a version YAML read as a number", { "dualstack:kubernetes": { version: 1.3 } }, "dualstack:kubernetes.version", 'dualstack:kubernetes.version is 1.3 (a number); expected a Kubernetes version in quotes, e.g. "1.34" or "1.34.2". Quote the value so YAML keeps it as written.'],
            ["a lower-case family", { "dualstack:ipFamilies": ["ipv6"] }, "dualstack:ipFamilies[0]", 'dualstack:ipFamilies[0] is "ipv6" (a string); expected one of IPv4, IPv6. Did you mean IPv6?'],
            ["a family where a list belongs", { "dualstack:ipFamilies": "IPv6" }, "dualstack:ipFamilies", 'dualstack:ipFamilies is "IPv6" (a string); expected a list of at most 256 items, each item one of IPv4, IPv6.'],
            ["an encapsulation typo", { "dualstack:calico": { encapsulationIPv4: "VXLANCrosSubnet" } }, "dualstack:calico.encapsulationIPv4", 'dualstack:calico.encapsulationIPv4 is "VXLANCrosSubnet" (a string); expected one of None, IPIP, IPIPCrossSubnet, VXLAN, VXLANCrossSubnet. Did you mean VXLANCrossSubnet?'],
            ["ula in an IPv4 key", { "dualstack:pods": { ipv4Cidr: "ula" } }, "dualstack:pods.ipv4Cidr", 'dualstack:pods.ipv4Cidr is "ula" (a string); expected a CIDR in quotes. Unique local addresses (RFC 4193) are IPv6; give an IPv4 CIDR here.'],
            ["a list where an object belongs", { "dualstack:network": ["10.0.0.0/22"] }, "dualstack:network", "dualstack:network is a list; expected an object with keys ipv4Cidr, ipv6Cidr, ipv6AddressMode, ipv6RaMode, ipv6SubnetPool, ipv6PrefixLength, externalNetwork, dnsNameservers, existingNetwork, existingRouter."],
            ["null for a range that cannot be off", { "dualstack:pods": { ipv6Cidr: null } }, "dualstack:pods.ipv6Cidr", "dualstack:pods.ipv6Cidr is null; expected a CIDR in quotes or \"ula\" / \"ula/N\". This range cannot be switched off; leave the key out for the default."],
            ["an unquoted ULA ID", { "dualstack:ulaGlobalId": 123456789 }, "dualstack:ulaGlobalId", 'dualstack:ulaGlobalId is 123456789 (a number); expected ten hexadecimal digits in quotes, e.g. "8a3c1f0b7d". Quote the value so YAML keeps it as written.'],
            ["a boolean as a string", { "dualstack:calico": { bgp: "yes" } }, "dualstack:calico.bgp", 'dualstack:calico.bgp is "yes" (a string); expected true or false.'],
        ];
        for (const [name, raw, path, message] of cases) {
            it(name, () => {
                const f = only(findingsOf(raw), "config-type");
                assert.strictEqual(f.path, path);
                assert.strictEqual(f.message, message);
                assert.strictEqual(f.severity, "error");
            });
        }
        it("an error leaves no config", () => {
            assert.strictEqual(loadConfig(deepMerge(BASE_CONFIG, { "dualstack:controlPlane": { count: "x" } })).config, undefined);
        });
    });

    describe("required values", () => {
        it("names each missing key with the command that sets it", () => {
            const findings = loadConfig({}).findings;
            assert.deepStrictEqual(
                findings.map((f) => [f.rule, f.path]),
                [
                    ["config-required", "dualstack:controlPlane.flavor"],
                    ["config-required", "dualstack:controlPlane.image"],
                    ["config-required", "dualstack:network.externalNetwork"],
                ],
            );
            assert.strictEqual(
                findings[0].message,
                "dualstack:controlPlane.flavor is not set; pulumi up needs the Nova flavor of the control-plane machines. Set it: pulumi config set --path controlPlane.flavor m1.large",
            );
        });
        it("an existing router replaces the external network", () => {
            const raw = deepMerge(BASE_CONFIG, { "dualstack:network": { externalNetwork: undefined, existingRouter: "shared-router" } });
            assert.deepStrictEqual(loadConfig(raw).findings, []);
        });
        it("a pool name of the wrong type is one finding, not also a missing one", () => {
            const findings = findingsOf({ "dualstack:workerPools": [{ name: "Control" }] });
            assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [["config-type", "dualstack:workerPools[0].name"]]);
        });
        it("a worker pool needs a unique name", () => {
            const findings = findingsOf({ "dualstack:workerPools": [{ count: 1 }, { name: "a" }, { name: "a" }, { name: "control-plane" }] });
            assert.deepStrictEqual(
                findings.map((f) => [f.rule, f.path]),
                [
                    ["config-required", "dualstack:workerPools[0].name"],
                    ["config-duplicate-pool", "dualstack:workerPools[2].name"],
                    ["config-duplicate-pool", "dualstack:workerPools[3].name"],
                ],
            );
        });
        it("a subnet pool and an IPv6 CIDR conflict", () => {
            const f = only(findingsOf({ "dualstack:network": { ipv6Cidr: "fd00:1::/64", ipv6SubnetPool: "v6" } }), "config-conflict");
            assert.strictEqual(f.path, "dualstack:network.ipv6Cidr");
        });
    });

    describe("values from the Pulumi engine (all strings)", () => {
        it("parses structured values and coerces scalars by the schema", () => {
            const { config, findings } = loadConfig(
                {
                    "dualstack:ipFamilies": '["IPv6","IPv4"]',
                    "dualstack:ulaGlobalId": "0123456789",
                    "dualstack:network": JSON.stringify({ externalNetwork: "public" }),
                    "dualstack:controlPlane": JSON.stringify({ flavor: "f", image: "i", count: 3 }),
                    "dualstack:access": '{"apiAllowedCidrs":["203.0.113.0/24"]}',
                },
                { stringValues: true },
            );
            assert.deepStrictEqual(findings, []);
            assert.deepStrictEqual(config?.ipFamilies, ["IPv6", "IPv4"]);
            assert.strictEqual(config?.ulaGlobalId, "0123456789");
            assert.strictEqual(config?.controlPlane.count, 3);
        });
    });

    describe("stack files", () => {
        it("reads the config map", () => {
            const file = parseStackFile("stacks/Pulumi.x.yaml", "config:\n  dualstack:ipFamilies: [IPv6]\n");
            assert.strictEqual(file.stack, "x");
            assert.deepStrictEqual(file.config, { "dualstack:ipFamilies": ["IPv6"] });
        });
        it("refuses what is not a stack file, in one line", () => {
            assert.throws(() => parseStackFile("a.yaml", "config: [1, 2]"), (e: Error) => e instanceof UnreadableStackFileError && e.message === "a.yaml: config: must be a map of keys such as dualstack:ipFamilies");
            assert.throws(() => parseStackFile("a.yaml", "config:\n  a: [1\n"), /a\.yaml: not valid YAML \(line \d+\)/);
            assert.throws(() => parseStackFile("a.yaml", ""), /the file is empty/);
        });
    });

    it("did-you-mean stays quiet for distant words", () => {
        assert.strictEqual(didYouMean("zzzzzz", ["ipFamilies", "network"]), undefined);
        assert.strictEqual(didYouMean("netwrk", ["ipFamilies", "network"]), "network");
    });

    it("the schema lists every key of DESIGN.md", () => {
        const paths = schemaKeyPaths();
        for (const key of [
            "ipFamilies",
            "network.ipv4Cidr",
            "network.ipv6Cidr",
            "network.ipv6AddressMode",
            "network.ipv6RaMode",
            "network.externalNetwork",
            "network.dnsNameservers",
            "pods.ipv4Cidr",
            "pods.ipv6Cidr",
            "pods.nodeMaskIPv4",
            "pods.nodeMaskIPv6",
            "services.ipv4Cidr",
            "services.ipv6Cidr",
            "reservedCidrs",
            "kubernetes.version",
            "kubernetes.proxyMode",
            "controlPlane.count",
            "controlPlane.flavor",
            "controlPlane.image",
            "workerPools",
            "calico.version",
            "calico.encapsulationIPv4",
            "calico.encapsulationIPv6",
            "calico.blockSizeIPv4",
            "calico.blockSizeIPv6",
            "calico.natOutgoingIPv4",
            "calico.natOutgoingIPv6",
            "access.sshKeyName",
            "access.apiAllowedCidrs",
            "access.sshAllowedCidrs",
            "ulaGlobalId",
        ]) {
            assert.ok(paths.includes(key), key);
        }
    });
});
