import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { AddressPlan, cidr, contains, familyPlan, planAddresses } from "../components/addressing";
import { checkCalicoPoolImmutable } from "../components/addressing/rules/calico";
import {
    calicoNetworkFromPlan,
    calicoValuesFromPlan,
    CalicoIpPool,
    checkCalicoNetwork,
    checkPoolChanges,
    linuxDataplaneFor,
    metadataPolicy,
    metadataTier,
    renderOperatorValues,
    TigeraOperatorValues,
} from "../components/calico";
import { ENCAPSULATIONS, loadConfig, PROXY_MODES } from "../components/config";

const FAMILY_MODES: Array<[string, string[]]> = [
    ["IPv4-primary", ["IPv4", "IPv6"]],
    ["IPv6-primary", ["IPv6", "IPv4"]],
    ["IPv4-only", ["IPv4"]],
    ["IPv6-only", ["IPv6"]],
];

/** A plan from stack configuration, with the ULA ID pinned so ranges are fixed. */
function planFor(ipFamilies: string[], extra: Record<string, unknown> = {}): AddressPlan {
    const network: Record<string, unknown> = { externalNetwork: "public" };
    if (!ipFamilies.includes("IPv6")) network.ipv6Cidr = null;
    if (!ipFamilies.includes("IPv4")) network.ipv4Cidr = null;
    const loaded = loadConfig({
        "dualstack:ipFamilies": ipFamilies,
        "dualstack:ulaGlobalId": "8a3c1f0b7d",
        "dualstack:controlPlane": { flavor: "m1.large", image: "ubuntu-24.04" },
        ...extra,
        "dualstack:network": { ...network, ...((extra["dualstack:network"] as object) ?? {}) },
    });
    assert.ok(loaded.config, loaded.findings.map((f) => f.message).join("\n"));
    const { plan, findings } = planAddresses(loaded.config);
    assert.ok(plan, findings.map((f) => f.message).join("\n"));
    return plan;
}

/** The derived Installation schema, adapted for ajv (see test/fixtures/calico/README.md). */
function installationValidator() {
    const file = path.join(__dirname, "fixtures", "calico", "installation-calicoNetwork.openapi.derived.json");
    const adapt = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(adapt);
        if (node === null || typeof node !== "object") return node;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
            if (k.startsWith("x-kubernetes-") || k === "nullable") continue;
            out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, adapt(s)])) : adapt(v);
        }
        if ((node as Record<string, unknown>).nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
        if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
        return out;
    };
    const schema = adapt(JSON.parse(fs.readFileSync(file, "utf8"))) as Record<string, unknown>;
    delete schema.$comment;
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    const validate = ajv.compile(schema);
    return (values: TigeraOperatorValues): string[] => {
        const spec = { calicoNetwork: values.installation.calicoNetwork, cni: values.installation.cni };
        return validate(spec) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };
}

describe("calico values: plan → tigera-operator values", () => {
    const validate = installationValidator();

    for (const [mode, families] of FAMILY_MODES) {
        it(`${mode}: one pool per cluster family, in kubeadm's podSubnet order, each the family's pod range`, () => {
            const plan = planFor(families);
            const values = calicoValuesFromPlan(plan, { bgp: true, proxyMode: "ipvs" });
            const pools = values.installation.calicoNetwork.ipPools;
            const podSubnet = plan.families.map((f) => f.pods.cidr.text).join(",");
            assert.strictEqual(pools.map((p) => p.cidr).join(","), podSubnet);
            assert.deepStrictEqual(
                pools.map((p) => p.name),
                families.map((f) => `default-${f.toLowerCase()}-ippool`),
            );
            for (const pool of pools) {
                const range = cidr(pool.cidr);
                const podRange = familyPlan(plan, range.family)!.pods.cidr;
                assert.ok(contains(podRange, range), `${pool.cidr} inside ${podRange.text}`);
            }
            assert.deepStrictEqual(validate(values), []);
        });
    }

    it("renders the exact values of a dual-stack plan (defaults)", () => {
        const plan = planFor(["IPv4", "IPv6"]);
        const v6 = familyPlan(plan, "IPv6")!;
        const nodeV6 = plan.nodeSubnets.find((s) => s.family === "IPv6")!.range!.cidr.text;
        assert.deepStrictEqual(calicoValuesFromPlan(plan, { bgp: true, proxyMode: "ipvs" }), {
            installation: {
                enabled: true,
                cni: { type: "Calico", ipam: { type: "Calico" } },
                calicoNetwork: {
                    bgp: "Enabled",
                    linuxDataplane: "Iptables",
                    ipPools: [
                        {
                            name: "default-ipv4-ippool",
                            cidr: "10.244.0.0/16",
                            blockSize: 26,
                            encapsulation: "None",
                            natOutgoing: "Enabled",
                            nodeSelector: "all()",
                        },
                        {
                            name: "default-ipv6-ippool",
                            cidr: v6.pods.cidr.text,
                            blockSize: 122,
                            encapsulation: "None",
                            natOutgoing: "Enabled",
                            nodeSelector: "all()",
                        },
                    ],
                    nodeAddressAutodetectionV4: { cidrs: ["10.0.0.0/22"] },
                    nodeAddressAutodetectionV6: { cidrs: [nodeV6] },
                },
                kubeletVolumePluginPath: "None",
            },
            manageCRDs: false,
        });
        assert.match(v6.pods.cidr.text, /^fd8a:3c1f:b7d[0-9a-f:]*\/56$/);
    });

    it("validates against the Installation schema for every encapsulation and kube-proxy mode", () => {
        for (const proxyMode of PROXY_MODES) {
            for (const encapsulation of ENCAPSULATIONS) {
                const v6Encapsulation = encapsulation.startsWith("IPIP") ? "VXLAN" : encapsulation;
                const plan = planFor(["IPv6", "IPv4"], {
                    "dualstack:calico": { encapsulationIPv4: encapsulation, encapsulationIPv6: v6Encapsulation },
                });
                const values = calicoValuesFromPlan(plan, { bgp: true, proxyMode });
                assert.deepStrictEqual(validate(values), [], `${proxyMode}/${encapsulation}`);
                assert.deepStrictEqual(
                    values.installation.calicoNetwork.ipPools.map((p) => p.encapsulation),
                    [v6Encapsulation, encapsulation],
                );
                assert.strictEqual(values.installation.calicoNetwork.linuxDataplane, proxyMode === "nftables" ? "Nftables" : "Iptables");
            }
        }
    });

    it("the schema check is real: it refuses a value the CRD does not allow and a misspelled field", () => {
        const plan = planFor(["IPv4"]);
        const values = calicoValuesFromPlan(plan, { bgp: true, proxyMode: "ipvs" });
        const pool = values.installation.calicoNetwork.ipPools[0] as unknown as Record<string, unknown>;
        pool.natOutgoing = "true";
        pool.blocksize = 26;
        assert.deepStrictEqual(validate(values).sort(), [
            "/calicoNetwork/ipPools/0 must NOT have additional properties",
            "/calicoNetwork/ipPools/0/natOutgoing must be equal to one of the allowed values",
        ]);
    });

    it("detects node addresses only by node subnet CIDRs, never first-found, for every node family", () => {
        // IPv4-only pods on dual-stack nodes: the IPv6 node address is still the one in the node subnet.
        const plan = planFor(["IPv4"], { "dualstack:network": { ipv6Cidr: "2001:db8:7::/64" } });
        const network = calicoValuesFromPlan(plan, { bgp: true, proxyMode: "nftables" }).installation.calicoNetwork;
        assert.deepStrictEqual(network.nodeAddressAutodetectionV4, { cidrs: ["10.0.0.0/22"] });
        assert.deepStrictEqual(network.nodeAddressAutodetectionV6, { cidrs: ["2001:db8:7::/64"] });
        assert.strictEqual(network.ipPools.length, 1);
        assert.doesNotMatch(JSON.stringify(network), /firstFound|canReach|interface/);
    });

    it("takes node subnets that a Neutron subnet pool allocates at up from the caller, and says so when missing", () => {
        const plan = planFor(["IPv6", "IPv4"], { "dualstack:network": { ipv6SubnetPool: "public-v6" } });
        assert.throws(
            () => calicoValuesFromPlan(plan, { bgp: true, proxyMode: "ipvs" }),
            (e: Error) =>
                e.message ===
                "Calico values need every node subnet; dualstack:network.ipv6Cidr is allocated at up: pass it in nodeSubnetCidrs.",
        );
        const values = calicoValuesFromPlan(plan, { bgp: true, proxyMode: "ipvs", nodeSubnetCidrs: { IPv6: "2001:db8:1:2::/64" } });
        assert.deepStrictEqual(values.installation.calicoNetwork.nodeAddressAutodetectionV6, { cidrs: ["2001:db8:1:2::/64"] });
    });

    it("natOutgoing: IPv4 on, IPv6 on only for a ULA pod range unless set", () => {
        const gua = planFor(["IPv6", "IPv4"], { "dualstack:pods": { ipv6Cidr: "2001:db8:42:100::/56" } });
        const pools = calicoValuesFromPlan(gua, { bgp: true, proxyMode: "ipvs" }).installation.calicoNetwork.ipPools;
        assert.deepStrictEqual(pools.map((p) => [p.cidr, p.natOutgoing]), [["2001:db8:42:100::/56", "Disabled"], ["10.244.0.0/16", "Enabled"]]);
        const off = planFor(["IPv4"], { "dualstack:calico": { natOutgoingIPv4: false } });
        assert.strictEqual(calicoValuesFromPlan(off, { bgp: true, proxyMode: "ipvs" }).installation.calicoNetwork.ipPools[0].natOutgoing, "Disabled");
    });

    it("BGP off renders Disabled, and is refused for an unencapsulated pool", () => {
        const plan = planFor(["IPv4"], { "dualstack:calico": { encapsulationIPv4: "VXLAN" } });
        assert.strictEqual(calicoValuesFromPlan(plan, { bgp: false, proxyMode: "ipvs" }).installation.calicoNetwork.bgp, "Disabled");
        const draft = calicoNetworkFromPlan(planFor(["IPv4"]), { bgp: false, proxyMode: "ipvs" });
        assert.deepStrictEqual(
            checkCalicoNetwork(draft).map((f) => [f.rule, f.path]),
            [["calico-bgp-required", "dualstack:calico.bgp"]],
        );
    });

    it("linuxDataplane follows kube-proxy", () => {
        assert.deepStrictEqual(PROXY_MODES.map(linuxDataplaneFor), ["Iptables", "Iptables", "Nftables"]);
    });

    it("checks a draft with unknown ranges without guessing them", () => {
        const findings = checkCalicoNetwork({
            pools: [
                { family: "IPv4", blockSize: 26, encapsulation: "IPIP" },
                { family: "IPv6", cidr: "fd00:1::/56", blockSize: 130, encapsulation: "IPIP" },
            ],
            nodeSubnets: [{ family: "IPv4" }],
            bgp: true,
            proxyMode: "userspace",
        });
        assert.deepStrictEqual(
            findings.map((f) => [f.rule, f.path]),
            [
                ["config-type", "dualstack:kubernetes.proxyMode"],
                ["calico-block-size", "dualstack:calico.blockSizeIPv6"],
                ["calico-ipip-ipv6", "dualstack:calico.encapsulationIPv6"],
                ["cluster-family-missing-on-nodes", "dualstack:network.ipv6Cidr"],
            ],
        );
    });

    it("refuses a pool over a node subnet: pods would get node addresses", () => {
        const findings = checkCalicoNetwork({
            pools: [
                { family: "IPv4", cidr: "10.0.0.0/16", blockSize: 26, encapsulation: "None" },
                { family: "IPv6", cidr: "fd00:1::/56", blockSize: 122, encapsulation: "None" },
            ],
            nodeSubnets: [
                { family: "IPv4", cidr: "10.0.0.0/22" },
                { family: "IPv6", cidr: "fd00:1::/64" },
            ],
            bgp: true,
            proxyMode: "nftables",
        });
        assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [
            ["range-overlap", "dualstack:network.ipv4Cidr"],
            ["range-overlap", "dualstack:network.ipv6Cidr"],
        ]);
    });

    it("renders pools with canonical CIDRs", () => {
        const values = renderOperatorValues({
            pools: [{ family: "IPv6", cidr: "FD00:0:0:1::/64", blockSize: 122, encapsulation: "None" }],
            nodeSubnets: [{ family: "IPv6", cidr: "FD00:0:0:2::/64" }],
            bgp: true,
            proxyMode: "iptables",
        });
        assert.strictEqual(values.installation.calicoNetwork.ipPools[0].cidr, "fd00:0:0:1::/64");
        assert.deepStrictEqual(values.installation.calicoNetwork.nodeAddressAutodetectionV6, { cidrs: ["fd00:0:0:2::/64"] });
    });
});

describe("#calico-pool-immutable", () => {
    const pool = (cidrText: string, blockSize: number): CalicoIpPool => ({
        name: cidrText.includes(":") ? "default-ipv6-ippool" : "default-ipv4-ippool",
        cidr: cidrText,
        blockSize,
        encapsulation: "None",
        natOutgoing: "Enabled",
        nodeSelector: "all()",
    });

    it("refuses a new CIDR, naming the pod range key", () => {
        assert.deepStrictEqual(checkPoolChanges([pool("10.244.0.0/16", 26)], [pool("10.245.0.0/16", 26)]), [
            {
                rule: "calico-pool-immutable",
                severity: "error",
                path: "dualstack:pods.ipv4Cidr",
                message:
                    "dualstack:pods.ipv4Cidr changes the Calico IPv4 pool from 10.244.0.0/16 to 10.245.0.0/16, but the CIDR of an " +
                    "existing Calico IP pool cannot change: the operator would refuse the edit and every pod would keep its old " +
                    "address. Keep 10.244.0.0/16, or migrate deliberately: add a second pool, move the pods to it, disable and " +
                    "delete the old one (https://docs.tigera.io/calico/latest/networking/ipam/migrate-pools).",
            },
        ]);
    });

    it("refuses a new block size, naming the block size key", () => {
        const findings = checkPoolChanges(
            [pool("10.244.0.0/16", 26), pool("fd00:1::/56", 122)],
            [pool("10.244.0.0/16", 26), pool("fd00:1::/56", 120)],
        );
        assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [["calico-pool-immutable", "dualstack:calico.blockSizeIPv6"]]);
        assert.match(findings[0].message, /^dualstack:calico\.blockSizeIPv6 changes the block size of the Calico IPv6 pool fd00:1::\/56 from \/122 to \/120, .* Keep 122, or migrate/);
    });

    it("accepts the same pools (however written), a new family, and no history", () => {
        assert.deepStrictEqual(checkPoolChanges([pool("FD00:1:0::/56", 122)], [pool("fd00:1::/56", 122)]), []);
        assert.deepStrictEqual(checkPoolChanges([pool("10.244.0.0/16", 26)], [pool("10.244.0.0/16", 26), pool("fd00:1::/56", 122)]), []);
        assert.deepStrictEqual(checkPoolChanges([], [pool("10.244.0.0/16", 26)]), []);
        assert.deepStrictEqual(checkPoolChanges([pool("not a cidr", 26)], [pool("10.244.0.0/16", 26)]), []);
    });

    it("is one rule for both families (the addressing rule)", () => {
        for (const [before, after] of [["10.0.0.0/16", "10.1.0.0/16"], ["fd00::/56", "fd00:0:0:100::/56"]]) {
            const findings = checkCalicoPoolImmutable({ cidr: cidr(before), blockSize: 26 }, { cidr: cidr(after), blockSize: 26 }, { cidr: "c", blockSize: "b" });
            assert.deepStrictEqual(findings.map((f) => [f.rule, f.path]), [["calico-pool-immutable", "c"]]);
        }
    });
});

describe("calico metadata policy", () => {
    it("denies pod egress to both metadata addresses in a tier before default, and passes the rest", () => {
        assert.deepStrictEqual(metadataTier(), {
            apiVersion: "crd.projectcalico.org/v1",
            kind: "Tier",
            metadata: { name: "dualstack", labels: { "app.kubernetes.io/managed-by": "dualstack" } },
            spec: { order: 90, defaultAction: "Pass" },
        });
        assert.deepStrictEqual(metadataPolicy(), {
            apiVersion: "crd.projectcalico.org/v1",
            kind: "GlobalNetworkPolicy",
            metadata: { name: "dualstack.deny-metadata", labels: { "app.kubernetes.io/managed-by": "dualstack" } },
            spec: {
                tier: "dualstack",
                order: 10,
                selector: "has(projectcalico.org/namespace)",
                types: ["Egress"],
                egress: [
                    { action: "Deny", ipVersion: 4, destination: { nets: ["169.254.169.254/32"] } },
                    { action: "Deny", ipVersion: 6, destination: { nets: ["fe80::a9fe:a9fe/128"] } },
                    { action: "Pass" },
                ],
            },
        });
    });
});
