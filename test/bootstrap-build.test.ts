/**
 * From stack configuration and address plan to ClusterBootstrap, and the preview of every
 * node of the shipped stacks.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { planAddresses } from "../components/addressing/validate";
import {
    BootstrapInputError,
    buildClusterBootstrap,
    previewStackBootstrap,
    renderNodeUserData,
    standInBootstrapSecrets,
    standInPkiMaterial,
} from "../components/bootstrap";
import { loadConfig } from "../components/config/load";
import { parseStackFile } from "../components/config/stackFile";
import { evaluateStack } from "../components/stack";
import { cloudConfigErrors } from "./fixtures/cloud-init/validate";

const STACKS = path.join(__dirname, "..", "stacks");

function stack(name: string) {
    const file = path.join(STACKS, `Pulumi.${name}.yaml`);
    const evaluated = evaluateStack(parseStackFile(file, fs.readFileSync(file, "utf8")));
    assert.ok(evaluated.config && evaluated.plan, `${name} plans`);
    return { config: evaluated.config, plan: evaluated.plan };
}

function fromRaw(raw: Record<string, unknown>) {
    const loaded = loadConfig(raw);
    assert.ok(loaded.config, JSON.stringify(loaded.findings));
    const planned = planAddresses(loaded.config, { standInSeed: "unit" }, loaded.explicitKeys);
    assert.ok(planned.plan, JSON.stringify(planned.findings));
    return { config: loaded.config, plan: planned.plan };
}

describe("bootstrap: buildClusterBootstrap", () => {
    it("prod (IPv4 primary, load balancer): nodes use the IPv4 VIP; the certificate names every address and the DNS name", () => {
        const { config, plan } = stack("prod");
        const cluster = buildClusterBootstrap({
            clusterName: "prod",
            config,
            plan,
            endpoint: { addressIPv4: "10.30.0.2", addressIPv6: "fd5e:2a9c:4f17::2", floatingIp: "203.0.113.7" },
            secrets: standInBootstrapSecrets(),
        });
        assert.deepStrictEqual(
            { ...cluster, pki: undefined, joinToken: undefined, initToken: undefined },
            {
                clusterName: "prod",
                kubernetesVersion: "1.34.2",
                ipFamilies: ["IPv4", "IPv6"],
                podCidrs: ["10.32.0.0/14", plan.families[1].pods.cidr.text],
                serviceCidrs: ["10.31.0.0/16", plan.families[1].services.cidr.text],
                nodeMaskIPv4: 24,
                nodeMaskIPv6: 64,
                proxyMode: "nftables",
                controlPlaneEndpoint: "10.30.0.2",
                certSANs: ["api.prod.example.com", "203.0.113.7", "10.30.0.2", "fd5e:2a9c:4f17::2"],
                nodeSubnetCidrs: ["10.30.0.0/21", "fd5e:2a9c:4f17::/64"],
                caCertHashes: [standInBootstrapSecrets().caCertHash],
                pki: undefined,
                joinToken: undefined,
                initToken: undefined,
            },
        );
        assert.match(plan.families[1].pods.cidr.text, /^fd5e:2a9c:4f17:/);
        assert.deepStrictEqual(cluster.pki, standInPkiMaterial());
    });

    it("staging (IPv6 primary): nodes use the IPv6 VIP and every list follows the IPv6-first order", () => {
        const { config, plan } = stack("staging");
        const cluster = buildClusterBootstrap({
            clusterName: "staging",
            config,
            plan,
            endpoint: { addressIPv4: "10.20.0.2", addressIPv6: "fdff:63fa:eaed::2", dnsName: "k8s.staging.example.com" },
            secrets: standInBootstrapSecrets(),
        });
        assert.strictEqual(cluster.controlPlaneEndpoint, "fdff:63fa:eaed::2");
        assert.deepStrictEqual(cluster.ipFamilies, ["IPv6", "IPv4"]);
        assert.match(cluster.podCidrs[0], /:/);
        assert.strictEqual(cluster.podCidrs[1], "10.21.0.0/16");
        assert.strictEqual(cluster.serviceCidrs[1], "10.22.0.0/16");
        // An explicit DNS name replaces the configured one.
        assert.deepStrictEqual(cluster.certSANs, ["k8s.staging.example.com", "10.20.0.2", "fdff:63fa:eaed::2"]);
    });

    it("an IPv4-only cluster has no IPv6 mask; its nodes may still have an IPv6 subnet", () => {
        const { config, plan } = fromRaw({
            "dualstack:ipFamilies": ["IPv4"],
            "dualstack:ulaGlobalId": "0123456789",
            "dualstack:network": { externalNetwork: "public", ipv6Cidr: "ula" },
            "dualstack:controlPlane": { flavor: "m1.large", image: "ubuntu-24.04" },
        });
        const cluster = buildClusterBootstrap({ clusterName: "v4", config, plan, endpoint: { addressIPv4: "10.0.0.2" }, secrets: standInBootstrapSecrets() });
        assert.deepStrictEqual(cluster.podCidrs, ["10.244.0.0/16"]);
        assert.strictEqual(cluster.nodeMaskIPv4, 24);
        assert.strictEqual(cluster.nodeMaskIPv6, undefined);
        assert.deepStrictEqual(cluster.nodeSubnetCidrs, ["10.0.0.0/22", "fd01:2345:6789::/64"]);
        assert.strictEqual(cluster.proxyMode, "ipvs");
    });

    it("a subnet-pool node subnet needs its CIDR from the network at up", () => {
        const { config, plan } = stack("lab-ipv6");
        const base = { clusterName: "lab", config, plan, endpoint: { addressIPv6: "2001:db8:0:1::5" }, secrets: standInBootstrapSecrets() };
        assert.throws(
            () => buildClusterBootstrap(base),
            (e: Error) =>
                e instanceof BootstrapInputError &&
                e.message === "the IPv6 node subnet comes from a subnet pool, so its CIDR is known only at up: pass it as nodeSubnetCidrs.IPv6.",
        );
        const cluster = buildClusterBootstrap({ ...base, nodeSubnetCidrs: { IPv6: "2001:db8:0:1::/64" } });
        assert.deepStrictEqual(cluster.nodeSubnetCidrs, ["2001:db8:0:1::/64"]);
        assert.strictEqual(cluster.controlPlaneEndpoint, "2001:db8:0:1::5");
        assert.strictEqual(cluster.nodeMaskIPv4, undefined);
    });

    it("without endpoint addresses there is no controlPlaneEndpoint (only an init node can be rendered)", () => {
        const { config, plan } = stack("dev");
        const cluster = buildClusterBootstrap({ clusterName: "dev", config, plan, endpoint: {}, secrets: standInBootstrapSecrets() });
        assert.strictEqual(cluster.controlPlaneEndpoint, undefined);
        assert.throws(() => renderNodeUserData(cluster, { name: "dev-w-0", role: "worker", addressIPv4: "10.10.0.9", addressIPv6: "fd00::9" }), /needs controlPlaneEndpoint to join/);
    });

    it("refuses an endpoint address of the wrong family", () => {
        const { config, plan } = stack("dev");
        assert.throws(
            () => buildClusterBootstrap({ clusterName: "dev", config, plan, endpoint: { addressIPv4: "fd00::2" }, secrets: standInBootstrapSecrets() }),
            /endpoint addressIPv4 "fd00::2" is not an IPv4 address/,
        );
    });
});

describe("bootstrap: preview of the shipped stacks", () => {
    const expectedNodes: Record<string, string[]> = {
        dev: ["control-plane-init", "worker", "worker"],
        "lab-ipv6": ["control-plane-init", "worker", "worker"],
        staging: ["control-plane-init", "control-plane-join", "control-plane-join", "worker", "worker", "worker"],
        prod: ["control-plane-init", ...Array(2).fill("control-plane-join"), ...Array(9).fill("worker")],
    };
    for (const [name, roles] of Object.entries(expectedNodes)) {
        it(`${name}: renders every node, within Nova's limit, valid for cloud-init's schema`, () => {
            const { config, plan } = stack(name);
            const preview = previewStackBootstrap(name, config, plan);
            assert.deepStrictEqual(preview.nodes.map((n) => n.node.role), roles);
            assert.deepStrictEqual(preview.findings, []);
            for (const node of preview.nodes) {
                assert.strictEqual(node.encoded.encoding, "plain", `${node.node.name} needs no compression`);
                assert.deepStrictEqual(cloudConfigErrors(node.userData), [], node.node.name);
            }
            const names = preview.nodes.map((n) => n.node.name);
            assert.strictEqual(new Set(names).size, names.length);
        });
    }

    it("stand-in PEMs are as long as real RSA-2048 material and say they are stand-ins", () => {
        const pki = standInPkiMaterial();
        assert.ok(Math.abs(pki.caKeyPem.length - 1679) < 40, String(pki.caKeyPem.length));
        assert.ok(Math.abs(pki.caCertPem.length - 1107) < 40, String(pki.caCertPem.length));
        const body = Buffer.from(pki.caKeyPem.split("\n").slice(1, -2).join(""), "base64").toString("utf8");
        assert.match(body, /^dualstack stand-in cluster CA key, not real key material\./);
    });
});
