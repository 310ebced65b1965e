import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "../components/addressing";
import { Calico, CalicoArgs, CalicoIpPool, metadataPolicy, metadataTier } from "../components/calico";
import { ENCAPSULATIONS } from "../components/config";
import { ClusterApi } from "../components/kubernetes";
import { cloud, isSecretOutput, settle, valueOf } from "./support/runtime";

const CRD_CHART = "kubernetes:helm.sh/v4:Chart";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const TIER = "kubernetes:crd.projectcalico.org/v1:Tier";
const POLICY = "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy";
const REPO = "https://docs.tigera.io/calico/charts";
const CA = "-----BEGIN CERTIFICATE-----\nY2x1c3RlciBDQQ==\n-----END CERTIFICATE-----\n";

const V4 = { podCidr: "10.244.0.0/16", nodeSubnetCidr: "10.0.0.0/22" };
const V6_ULA = { podCidr: "fd12:3456:789a:100::/56", nodeSubnetCidr: "fd12:3456:789a::/64" };
const V6_GUA = { podCidr: "2001:db8:42:100::/56", nodeSubnetCidr: "2001:db8:42::/64" };

function api(name: string): ClusterApi {
    return new ClusterApi(`${name}-api`, { kubeconfig: pulumi.secret("admin kubeconfig"), endpoint: "203.0.113.10", clusterCaCertPem: CA });
}

function calico(name: string, args: Omit<CalicoArgs, "kubernetesProvider" | "kubeconfig">, clusterApi = api(name)): Calico {
    return new Calico(name, { kubernetesProvider: clusterApi.provider, kubeconfig: clusterApi.kubeconfig, ...args });
}

function pool(family: "ipv4" | "ipv6", cidr: string, natOutgoing: string, encapsulation = "None", blockSize?: number): CalicoIpPool {
    return {
        name: `default-${family}-ippool`,
        cidr,
        blockSize: blockSize ?? (family === "ipv4" ? 26 : 122),
        encapsulation,
        natOutgoing,
        nodeSelector: "all()",
    };
}

function values(ipPools: CalicoIpPool[], detection: { v4?: string; v6?: string }, network: { bgp?: string; linuxDataplane?: string } = {}) {
    return {
        installation: {
            enabled: true,
            cni: { type: "Calico", ipam: { type: "Calico" } },
            calicoNetwork: {
                bgp: network.bgp ?? "Enabled",
                linuxDataplane: network.linuxDataplane ?? "Iptables",
                ipPools,
                ...(detection.v4 ? { nodeAddressAutodetectionV4: { cidrs: [detection.v4] } } : {}),
                ...(detection.v6 ? { nodeAddressAutodetectionV6: { cidrs: [detection.v6] } } : {}),
            },
            kubeletVolumePluginPath: "None",
        },
        manageCRDs: false,
    };
}

/** The operator release's values as registered. */
function releaseValues(name: string): unknown {
    return cloud.named(`${name}-operator`, RELEASE).inputs.values;
}

describe("Calico", () => {
    describe("Helm values per family mode", () => {
        const modes: Array<[string, Omit<CalicoArgs, "kubernetesProvider" | "kubeconfig">, ReturnType<typeof values>]> = [
            [
                "IPv4-primary",
                { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA },
                values(
                    [pool("ipv4", "10.244.0.0/16", "Enabled"), pool("ipv6", "fd12:3456:789a:100::/56", "Enabled")],
                    { v4: "10.0.0.0/22", v6: "fd12:3456:789a::/64" },
                ),
            ],
            [
                "IPv6-primary",
                { ipFamilies: ["IPv6", "IPv4"], ipv4: V4, ipv6: V6_GUA },
                values(
                    [pool("ipv6", "2001:db8:42:100::/56", "Disabled"), pool("ipv4", "10.244.0.0/16", "Enabled")],
                    { v4: "10.0.0.0/22", v6: "2001:db8:42::/64" },
                ),
            ],
            [
                "IPv4-only",
                { ipFamilies: ["IPv4"], ipv4: V4 },
                values([pool("ipv4", "10.244.0.0/16", "Enabled")], { v4: "10.0.0.0/22" }),
            ],
            [
                "IPv6-only",
                { ipFamilies: ["IPv6"], ipv6: V6_GUA },
                values([pool("ipv6", "2001:db8:42:100::/56", "Disabled")], { v6: "2001:db8:42::/64" }),
            ],
            [
                "IPv6-only pods on dual-stack nodes, nftables",
                { ipFamilies: ["IPv6"], ipv4: { nodeSubnetCidr: "10.0.0.0/22" }, ipv6: V6_ULA, proxyMode: "nftables" },
                values(
                    [pool("ipv6", "fd12:3456:789a:100::/56", "Enabled")],
                    { v4: "10.0.0.0/22", v6: "fd12:3456:789a::/64" },
                    { linuxDataplane: "Nftables" },
                ),
            ],
        ];
        modes.forEach(([mode, args, expected], index) => {
            it(`${mode}: exact tigera-operator values`, async () => {
                const component = calico(`cm-mode-${index}`, args);
                await settle();
                assert.deepStrictEqual(releaseValues(`cm-mode-${index}`), expected);
                assert.deepStrictEqual(await valueOf(component.pools), expected.installation.calicoNetwork.ipPools);
            });
        });
    });

    describe("Helm values per encapsulation", () => {
        for (const encapsulation of ENCAPSULATIONS) {
            it(`IPv4 ${encapsulation}`, async () => {
                const name = `cm-enc4-${encapsulation.toLowerCase()}`;
                calico(name, { ipFamilies: ["IPv4", "IPv6"], ipv4: { ...V4, encapsulation }, ipv6: V6_ULA });
                await settle();
                assert.deepStrictEqual(
                    releaseValues(name),
                    values(
                        [pool("ipv4", "10.244.0.0/16", "Enabled", encapsulation), pool("ipv6", "fd12:3456:789a:100::/56", "Enabled")],
                        { v4: "10.0.0.0/22", v6: "fd12:3456:789a::/64" },
                    ),
                );
            });
        }
        for (const encapsulation of ["None", "VXLAN", "VXLANCrossSubnet"]) {
            it(`IPv6 ${encapsulation}`, async () => {
                const name = `cm-enc6-${encapsulation.toLowerCase()}`;
                calico(name, { ipFamilies: ["IPv6", "IPv4"], ipv4: { ...V4, encapsulation: "VXLAN" }, ipv6: { ...V6_GUA, encapsulation, blockSize: 120 }, bgp: encapsulation === "VXLAN" ? false : true });
                await settle();
                assert.deepStrictEqual(
                    releaseValues(name),
                    values(
                        [pool("ipv6", "2001:db8:42:100::/56", "Disabled", encapsulation, 120), pool("ipv4", "10.244.0.0/16", "Enabled", "VXLAN")],
                        { v4: "10.0.0.0/22", v6: "2001:db8:42::/64" },
                        { bgp: encapsulation === "VXLAN" ? "Disabled" : "Enabled" },
                    ),
                );
            });
        }
    });

    it("applies the CRD chart, then the operator chart, through the ClusterApi provider after the readiness wait", async () => {
        const component = calico("cm-order", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA });
        await settle();
        const parent = cloud.named("cm-order", "dualstack:index:Calico");
        const readiness = cloud.named("cm-order-api-readyz", "pulumi-nodejs:dynamic:ApiReadiness");
        const provider = cloud.named("cm-order-api-provider", "pulumi:providers:kubernetes");
        const providerRef = `${provider.urn}::${provider.id}`;
        assert.deepStrictEqual(provider.dependencies, [readiness.urn]);

        const crds = cloud.named("cm-order-crds", CRD_CHART);
        assert.deepStrictEqual(crds.inputs, { chart: "crd.projectcalico.org.v1", version: "v3.32.1", repositoryOpts: { repo: REPO } });
        assert.strictEqual(crds.parent, parent.urn);
        assert.strictEqual(crds.provider, providerRef);
        assert.ok(crds.dependencies.includes(provider.urn), "the CRD chart waits for the provider (and so for /readyz)");

        const release = cloud.named("cm-order-operator", RELEASE);
        const { values: _values, ...releaseInputs } = release.inputs;
        assert.deepStrictEqual(releaseInputs, {
            name: "calico",
            chart: "tigera-operator",
            version: "v3.32.1",
            namespace: "tigera-operator",
            createNamespace: true,
            repositoryOpts: { repo: REPO },
            skipCrds: true,
            compat: "true",
        });
        assert.strictEqual(release.parent, parent.urn);
        assert.strictEqual(release.provider, providerRef);
        assert.ok(release.dependencies.includes(crds.urn), "the operator waits for the CRDs");

        assert.deepStrictEqual(await valueOf(component.releaseStatus), {
            name: "calico",
            namespace: "tigera-operator",
            chart: "tigera-operator",
            version: "v3.32.1",
            appVersion: "v3.32.1",
            status: "deployed",
            revision: 1,
        });
        assert.strictEqual(await valueOf(component.kubeconfig), "admin kubeconfig");
        assert.strictEqual(await isSecretOutput(component.kubeconfig), true);
    });

    it("upgrades both charts to calico.version, from a mirror when given", async () => {
        calico("cm-version", { ipFamilies: ["IPv4"], ipv4: V4, version: "v3.33.0", chartRepository: "https://charts.example.net/calico" });
        await settle();
        for (const [name, type] of [["cm-version-crds", CRD_CHART], ["cm-version-operator", RELEASE]]) {
            const recorded = cloud.named(name, type);
            assert.strictEqual(recorded.inputs.version, "v3.33.0");
            assert.deepStrictEqual(recorded.inputs.repositoryOpts, { repo: "https://charts.example.net/calico" });
        }
    });

    it("keeps pods off the metadata service by default, with a tier and policy after the CRDs", async () => {
        calico("cm-meta", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA });
        await settle();
        const crds = cloud.named("cm-meta-crds", CRD_CHART);
        const tier = cloud.named("cm-meta-metadata-tier", TIER);
        const policy = cloud.named("cm-meta-deny-metadata", POLICY);
        // The exact content is pinned by the renderers' own test (calico-values.test.ts); the
        // component registers what they render.
        assert.deepStrictEqual(tier.inputs, metadataTier());
        assert.deepStrictEqual(policy.inputs, metadataPolicy());
        assert.ok(tier.dependencies.includes(crds.urn));
        assert.ok(policy.dependencies.includes(tier.urn));
        assert.strictEqual(policy.provider, tier.provider);
    });

    it("registers no metadata policy when opted out", async () => {
        calico("cm-nometa", { ipFamilies: ["IPv4"], ipv4: V4, blockMetadata: false });
        await settle();
        assert.deepStrictEqual(cloud.ofType(TIER), []);
        assert.deepStrictEqual(cloud.ofType(POLICY), []);
        assert.strictEqual(cloud.ofType(RELEASE).length, 1);
    });

    it("takes pod and node ranges as Outputs", async () => {
        const component = calico("cm-outputs", {
            ipFamilies: ["IPv6", "IPv4"],
            ipv4: { podCidr: pulumi.output("10.244.0.0/16"), nodeSubnetCidr: pulumi.output("10.0.0.0/22") },
            ipv6: { podCidr: pulumi.output("fd12:3456:789a:100::/56"), nodeSubnetCidr: pulumi.output("2001:db8:9:1::/64") },
        });
        await settle();
        assert.deepStrictEqual(
            releaseValues("cm-outputs"),
            values([pool("ipv6", "fd12:3456:789a:100::/56", "Enabled"), pool("ipv4", "10.244.0.0/16", "Enabled")], { v4: "10.0.0.0/22", v6: "2001:db8:9:1::/64" }),
        );
        assert.strictEqual((await valueOf(component.values)).installation.calicoNetwork.ipPools.length, 2);
    });

    describe("refuses invalid arguments before registering anything", () => {
        const cases: Array<[string, Omit<CalicoArgs, "kubernetesProvider" | "kubeconfig">, Array<[string, string]>]> = [
            ["IPIP on the IPv6 pool", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: { ...V6_ULA, encapsulation: "IPIP" } }, [["calico-ipip-ipv6", "dualstack:calico.encapsulationIPv6"]]],
            ["an IPv6 block size of 130", { ipFamilies: ["IPv6"], ipv6: { ...V6_ULA, blockSize: 130 } }, [["calico-block-size", "dualstack:calico.blockSizeIPv6"]]],
            ["no BGP for an unencapsulated pool", { ipFamilies: ["IPv4"], ipv4: V4, bgp: false }, [["calico-bgp-required", "dualstack:calico.bgp"]]],
            ["a cluster family without a pod range", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: { nodeSubnetCidr: "fd00::/64" } }, [["config-required", "dualstack:pods.ipv6Cidr"]]],
            ["a cluster family without a node subnet", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: { podCidr: "fd00:1::/56" } }, [["cluster-family-missing-on-nodes", "dualstack:network.ipv6Cidr"]]],
            ["a version without its v", { ipFamilies: ["IPv4"], ipv4: V4, version: "3.32.1" }, [["config-type", "dualstack:calico.version"]]],
            ["an unknown encapsulation", { ipFamilies: ["IPv4"], ipv4: { ...V4, encapsulation: "Geneve" } }, [["calico-encapsulation-invalid", "dualstack:calico.encapsulationIPv4"]]],
            ["an unknown kube-proxy mode", { ipFamilies: ["IPv4"], ipv4: V4, proxyMode: "userspace" }, [["config-type", "dualstack:kubernetes.proxyMode"]]],
            ["a pod range with host bits", { ipFamilies: ["IPv4"], ipv4: { ...V4, podCidr: "10.244.1.0/16" } }, [["cidr-host-bits", "dualstack:pods.ipv4Cidr"]]],
            ["an IPv6 range as IPv4 pod range", { ipFamilies: ["IPv4"], ipv4: { ...V4, podCidr: "fd00::/56" } }, [["cidr-family-mismatch", "dualstack:pods.ipv4Cidr"]]],
            ["a duplicated family", { ipFamilies: ["IPv4", "IPv4"], ipv4: V4 }, [["ip-families-invalid", "dualstack:ipFamilies"]]],
            ["a misspelled family", { ipFamilies: ["ipv4"], ipv4: V4 }, [["ip-families-invalid", "dualstack:ipFamilies"]]],
        ];
        cases.forEach(([what, args, expected], index) => {
            it(what, async () => {
                const clusterApi = api(`cm-bad-${index}`);
                await settle();
                const before = cloud.resources.length;
                assert.throws(
                    () => calico(`cm-bad-${index}`, args, clusterApi),
                    (e: unknown) => {
                        assert.ok(e instanceof InvalidPlanError);
                        assert.deepStrictEqual(e.findings.map((f) => [f.rule, f.path]), expected);
                        assert.match(e.message, new RegExp(`^the Calico arguments of "cm-bad-${index}" is invalid:\\n  - error `));
                        return true;
                    },
                );
                await settle();
                assert.strictEqual(cloud.resources.length, before, "nothing of the Calico component was registered");
            });
        });
    });

    describe("pool history (calico-pool-immutable)", () => {
        it("refuses a changed pool CIDR given as plain previous pools, naming the key", async () => {
            const clusterApi = api("cm-hist-cidr");
            await settle();
            const before = cloud.resources.length;
            assert.throws(
                () =>
                    calico(
                        "cm-hist-cidr",
                        { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA, previousPools: [pool("ipv4", "10.200.0.0/16", "Enabled"), pool("ipv6", "fd12:3456:789a:100::/56", "Enabled")] },
                        clusterApi,
                    ),
                (e: unknown) => {
                    assert.ok(e instanceof InvalidPlanError);
                    assert.deepStrictEqual(e.findings.map((f) => [f.rule, f.path]), [["calico-pool-immutable", "dualstack:pods.ipv4Cidr"]]);
                    assert.match(e.message, /dualstack:pods\.ipv4Cidr changes the Calico IPv4 pool from 10\.200\.0\.0\/16 to 10\.244\.0\.0\/16/);
                    return true;
                },
            );
            await settle();
            assert.strictEqual(cloud.resources.length, before);
        });

        it("refuses a changed block size arriving as an Output: no chart, release or policy is registered", async () => {
            const component = calico("cm-hist-out", {
                ipFamilies: ["IPv4", "IPv6"],
                ipv4: V4,
                ipv6: V6_ULA,
                previousPools: pulumi.output([pool("ipv4", "10.244.0.0/16", "Enabled"), pool("ipv6", "fd12:3456:789a:100::/56", "Enabled", "None", 120)]),
            });
            const internal = component.pools as unknown as { promise(): Promise<unknown> };
            await assert.rejects(internal.promise(), (e: Error) => {
                assert.match(e.message, /the Calico network of "cm-hist-out" is invalid:\n  - error dualstack:calico\.blockSizeIPv6 \(calico-pool-immutable\): dualstack:calico\.blockSizeIPv6 changes the block size of the Calico IPv6 pool fd12:3456:789a:100::\/56 from \/120 to \/122/);
                return true;
            });
            await settle();
            for (const type of [CRD_CHART, RELEASE, TIER, POLICY]) assert.deepStrictEqual(cloud.ofType(type), [], type);
        });

        it("accepts the pools it applied last time", async () => {
            const first = calico("cm-hist-same", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA });
            const applied = await valueOf(first.pools);
            calico("cm-hist-same2", { ipFamilies: ["IPv4", "IPv6"], ipv4: V4, ipv6: V6_ULA, previousPools: pulumi.output(applied) });
            await settle();
            assert.deepStrictEqual(releaseValues("cm-hist-same2"), releaseValues("cm-hist-same"));
        });
    });

    it("registers with unknown values, as in a preview", async () => {
        const unknown = <T>(): pulumi.Output<T> =>
            new (pulumi.Output as unknown as new (...a: unknown[]) => pulumi.Output<T>)(
                [],
                Promise.resolve(undefined),
                Promise.resolve(false),
                Promise.resolve(false),
                Promise.resolve([]),
            );
        const clusterApi = new ClusterApi("cm-preview-api", { kubeconfig: unknown<string>(), endpoint: unknown<string>(), clusterCaCertPem: unknown<string>() });
        const component = new Calico("cm-preview", {
            kubernetesProvider: clusterApi.provider,
            kubeconfig: clusterApi.kubeconfig,
            ipFamilies: ["IPv4", "IPv6"],
            ipv4: { podCidr: "10.244.0.0/16", nodeSubnetCidr: unknown<string>() },
            ipv6: { podCidr: unknown<string>(), nodeSubnetCidr: unknown<string>() },
            previousPools: unknown<CalicoIpPool[]>(),
        });
        await settle();
        assert.strictEqual(cloud.ofType(CRD_CHART).length, 1);
        assert.strictEqual(cloud.ofType(POLICY).length, 1);
        const release = cloud.named("cm-preview-operator", RELEASE);
        assert.strictEqual(release.inputs.values, undefined, "values stay unknown until the ranges are known");
        assert.strictEqual(release.inputs.chart, "tigera-operator");
        const internal = component.pools as unknown as { isKnown: Promise<boolean> };
        assert.strictEqual(await internal.isKnown, false);
    });
});
