/**
 * kubeadm v1beta4 configuration per family mode and role: parsed back and checked field by
 * field, then compared with a reviewed snapshot in test/snapshots/bootstrap/.
 *
 * To update the snapshots after a deliberate change:
 *   UPDATE_SNAPSHOTS=1 npx mocha test/bootstrap-kubeadm.test.ts
 * then review `git diff test/snapshots/` and commit it with the change.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import {
    BootstrapInputError,
    clusterConfiguration,
    joinConfiguration,
    kubeadmFiles,
    kubeadmVersion,
    renderKubeadmInit,
    renderKubeadmJoin,
} from "../components/bootstrap";
import { ClusterBootstrap, NodeFacts } from "../components/bootstrap/types";
import { matchSnapshot } from "./fixtures/bootstrap/snapshot";
import { CA_HASH, FAMILY_MODES, FamilyMode, INIT_TOKEN, JOIN_TOKEN, ROLES, testCluster, testNode } from "./fixtures/bootstrap/clusters";

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function parseAll(text: string): Doc[] {
    return YAML.parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as Doc);
}

function byKind(docs: Doc[], kind: string): Doc {
    const found = docs.filter((d) => d.kind === kind);
    assert.strictEqual(found.length, 1, `exactly one ${kind}`);
    return found[0];
}

function nodeFor(mode: FamilyMode, role: string): NodeFacts {
    return testNode(mode, role, role === "control-plane-join" ? 1 : 0);
}

/** Expected values, written out per mode rather than computed like the renderer does. */
const EXPECTED: Record<
    FamilyMode,
    { pod: string; service: string; masks: { name: string; value: string }[]; endpoint: string; proxy: string; version: string }
> = {
    "ipv4-primary": {
        pod: "10.244.0.0/16,fd00:10:244::/56",
        service: "10.96.0.0/16,fd00:10:96::/112",
        masks: [
            { name: "node-cidr-mask-size-ipv4", value: "24" },
            { name: "node-cidr-mask-size-ipv6", value: "64" },
        ],
        endpoint: "10.0.0.2:6443",
        proxy: "ipvs",
        version: "stable-1.34",
    },
    "ipv6-primary": {
        pod: "fd00:10:244::/56,10.244.0.0/16",
        service: "fd00:10:96::/112,10.96.0.0/16",
        masks: [
            { name: "node-cidr-mask-size-ipv6", value: "64" },
            { name: "node-cidr-mask-size-ipv4", value: "24" },
        ],
        endpoint: "[fd00:10::2]:6443",
        proxy: "nftables",
        version: "v1.34.2",
    },
    "ipv4-only": {
        pod: "10.244.0.0/16",
        service: "10.96.0.0/16",
        masks: [{ name: "node-cidr-mask-size-ipv4", value: "24" }],
        endpoint: "10.0.0.2:6443",
        proxy: "iptables",
        version: "v1.34.2",
    },
    "ipv6-only": {
        pod: "fd00:10:244::/56",
        service: "fd00:10:96::/112",
        masks: [{ name: "node-cidr-mask-size-ipv6", value: "64" }],
        endpoint: "[fd00:10::2]:6443",
        proxy: "nftables",
        version: "v1.34.2",
    },
};

/** node-ip and advertiseAddress per mode, for a node (written out). */
function expectedNodeIp(mode: FamilyMode, node: NodeFacts): { nodeIp: string; advertise: string } {
    const v4 = node.addressIPv4 as string;
    const v6 = node.addressIPv6 as string;
    switch (mode) {
        case "ipv4-primary":
            return { nodeIp: `${v4},${v6}`, advertise: v4 };
        case "ipv6-primary":
            return { nodeIp: `${v6},${v4}`, advertise: v6 };
        case "ipv4-only":
            return { nodeIp: v4, advertise: v4 };
        case "ipv6-only":
            return { nodeIp: v6, advertise: v6 };
    }
}

describe("bootstrap: kubeadm v1beta4 configuration", () => {
    for (const mode of FAMILY_MODES) {
        describe(`${mode}`, () => {
            const cluster = testCluster(mode);
            const expected = EXPECTED[mode];

            it("control-plane-init: ClusterConfiguration, InitConfiguration, KubeProxy and Kubelet configuration", () => {
                const node = nodeFor(mode, "control-plane-init");
                const docs = parseAll(renderKubeadmInit(cluster, node));
                assert.deepStrictEqual(
                    docs.map((d) => `${d.apiVersion} ${d.kind}`),
                    [
                        "kubeadm.k8s.io/v1beta4 ClusterConfiguration",
                        "kubeadm.k8s.io/v1beta4 InitConfiguration",
                        "kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration",
                        "kubelet.config.k8s.io/v1beta1 KubeletConfiguration",
                    ],
                );
                const cc = byKind(docs, "ClusterConfiguration");
                assert.strictEqual(cc.clusterName, `test-${mode}`);
                assert.strictEqual(cc.kubernetesVersion, expected.version);
                assert.strictEqual(cc.controlPlaneEndpoint, expected.endpoint);
                assert.deepStrictEqual(cc.networking, { podSubnet: expected.pod, serviceSubnet: expected.service });
                assert.deepStrictEqual(cc.controllerManager.extraArgs, expected.masks);
                assert.ok(
                    !JSON.stringify(cc).includes('"node-cidr-mask-size"'),
                    "the legacy node-cidr-mask-size flag is never set",
                );
                // Every endpoint address of the cluster's families and the DNS name. The node's own
                // addresses only when it is the endpoint: this ClusterConfiguration is stored in the
                // cluster and reused by every joining control plane.
                const sans: string[] = cc.apiServer.certSANs;
                for (const name of cluster.certSANs) assert.ok(sans.includes(name), `certSANs holds ${name}`);
                const own = [node.addressIPv4, node.addressIPv6].filter((v): v is string => v !== undefined);
                for (const address of own) {
                    assert.strictEqual(sans.includes(address), cluster.controlPlaneEndpoint === undefined, `certSANs and the node's own ${address}`);
                }
                assert.strictEqual(new Set(sans).size, sans.length, "certSANs has no duplicates");

                const init = byKind(docs, "InitConfiguration");
                const ips = expectedNodeIp(mode, node);
                assert.deepStrictEqual(init.localAPIEndpoint, { advertiseAddress: ips.advertise, bindPort: 6443 });
                assert.deepStrictEqual(init.nodeRegistration, {
                    name: node.name,
                    criSocket: "unix:///var/run/containerd/containerd.sock",
                    kubeletExtraArgs: [{ name: "node-ip", value: ips.nodeIp }],
                });
                assert.strictEqual(init.bootstrapTokens.length, 1);
                assert.strictEqual(init.bootstrapTokens[0].token, INIT_TOKEN);
                assert.strictEqual(init.bootstrapTokens[0].ttl, "24h0m0s");
                assert.deepStrictEqual(init.bootstrapTokens[0].usages, ["signing", "authentication"]);
                assert.deepStrictEqual(init.bootstrapTokens[0].groups, ["system:bootstrappers:kubeadm:default-node-token"]);
                assert.ok(!JSON.stringify(docs).includes(JOIN_TOKEN), "the long-lived join token is not created by kubeadm init");

                const proxy = byKind(docs, "KubeProxyConfiguration");
                assert.strictEqual(proxy.mode, expected.proxy);
                assert.strictEqual(proxy.clusterCIDR, expected.pod);
                assert.strictEqual(byKind(docs, "KubeletConfiguration").cgroupDriver, "systemd");
            });

            for (const role of ["control-plane-join", "worker"] as const) {
                it(`${role}: JoinConfiguration with the join token, then with the init token`, () => {
                    const node = nodeFor(mode, role);
                    const files = kubeadmFiles(cluster, node);
                    assert.deepStrictEqual(
                        files.map((f) => f.path),
                        ["/etc/kubernetes/dualstack/kubeadm-join.yaml", "/etc/kubernetes/dualstack/kubeadm-join-init-token.yaml"],
                    );
                    assert.deepStrictEqual(files.map((f) => f.tokenId), ["j0in00", "in1t00"]);
                    const [withJoin, withInit] = files.map((f) => parseAll(f.content));
                    for (const [docs, token] of [
                        [withJoin, JOIN_TOKEN],
                        [withInit, INIT_TOKEN],
                    ] as const) {
                        assert.strictEqual(docs.length, 1);
                        const join = byKind(docs, "JoinConfiguration");
                        assert.strictEqual(join.apiVersion, "kubeadm.k8s.io/v1beta4");
                        assert.deepStrictEqual(join.discovery, {
                            bootstrapToken: { apiServerEndpoint: expected.endpoint, token, caCertHashes: [CA_HASH] },
                            tlsBootstrapToken: token,
                        });
                        const ips = expectedNodeIp(mode, node);
                        assert.deepStrictEqual(join.nodeRegistration.kubeletExtraArgs, [{ name: "node-ip", value: ips.nodeIp }]);
                        assert.strictEqual(join.nodeRegistration.name, node.name);
                        assert.deepStrictEqual(join.timeouts, { discovery: "2m0s" });
                        if (role === "control-plane-join") {
                            // No certificateKey: the CA material is on disk, nothing is downloaded.
                            assert.deepStrictEqual(join.controlPlane, {
                                localAPIEndpoint: { advertiseAddress: ips.advertise, bindPort: 6443 },
                            });
                        } else {
                            assert.strictEqual(join.controlPlane, undefined);
                        }
                    }
                });
            }

            for (const role of ROLES) {
                it(`${role}: matches the reviewed snapshot`, () => {
                    const node = nodeFor(mode, role);
                    const text = kubeadmFiles(cluster, node)
                        .map((f) => `# ${f.path}\n${f.content}`)
                        .join("");
                    matchSnapshot(`kubeadm-${mode}-${role}.yaml`, text);
                });
            }
        });
    }

    describe("edge cases", () => {
        it("omits controlPlaneEndpoint on an init node when none is given (kubeadm uses the advertise address)", () => {
            const cluster: ClusterBootstrap = { ...testCluster("ipv4-primary"), controlPlaneEndpoint: undefined };
            const cc = clusterConfiguration(cluster, nodeFor("ipv4-primary", "control-plane-init"));
            assert.strictEqual(cc.controlPlaneEndpoint, undefined);
        });

        it("refuses to render a join without controlPlaneEndpoint, naming the node and the fix", () => {
            const cluster: ClusterBootstrap = { ...testCluster("ipv4-primary"), controlPlaneEndpoint: undefined };
            assert.throws(
                () => renderKubeadmJoin(cluster, nodeFor("ipv4-primary", "worker"), JOIN_TOKEN),
                (e: Error) =>
                    e instanceof BootstrapInputError &&
                    e.message ===
                        "node test-worker-0 (worker) needs controlPlaneEndpoint to join: set it to the API load balancer address, the DNS name, or the first control plane's address.",
            );
        });

        it("uses a DNS name as controlPlaneEndpoint as it is", () => {
            const cluster: ClusterBootstrap = { ...testCluster("ipv6-only"), controlPlaneEndpoint: "api.example.com" };
            const join = joinConfiguration(cluster, nodeFor("ipv6-only", "worker"), JOIN_TOKEN) as Doc;
            assert.strictEqual(join.discovery.bootstrapToken.apiServerEndpoint, "api.example.com:6443");
        });

        it("renders kubernetesVersion as the exact patch or the stable label of the minor", () => {
            assert.strictEqual(kubeadmVersion("1.34.2"), "v1.34.2");
            assert.strictEqual(kubeadmVersion("v1.35.0"), "v1.35.0");
            assert.strictEqual(kubeadmVersion("1.34"), "stable-1.34");
            assert.throws(() => kubeadmVersion("1.34.x"), /kubernetesVersion "1.34.x" is not a Kubernetes version/);
        });

        const bad: [string, (c: ClusterBootstrap) => ClusterBootstrap, RegExp][] = [
            ["a node mask of a family that is not a cluster family", (c) => ({ ...c, nodeMaskIPv6: 64 }), /nodeMaskIPv6 is set but IPv6 is not a cluster family/],
            ["a missing node mask", (c) => ({ ...c, nodeMaskIPv4: undefined }), /nodeMaskIPv4 is undefined: IPv4 is a cluster family/],
            ["pod CIDRs in the wrong order", (c) => ({ ...c, ipFamilies: ["IPv4", "IPv6"], nodeMaskIPv6: 64, podCidrs: ["fd00::/56", "10.244.0.0/16"], serviceCidrs: ["10.96.0.0/16", "fd00:1::/112"] }), /podCidrs\[0\] "fd00::\/56" must be an IPv4 CIDR/],
            ["three families", (c) => ({ ...c, ipFamilies: ["IPv4", "IPv6", "IPv4"] }), /ipFamilies \["IPv4","IPv6","IPv4"\] must be one family or two distinct ones/],
            ["an unknown proxy mode", (c) => ({ ...c, proxyMode: "userspace" }), /proxyMode "userspace" is not one of ipvs, iptables, nftables/],
            ["a malformed token", (c) => ({ ...c, joinToken: "ABCDEF.0123456789abcdef" }), /joinToken is not a kubeadm bootstrap token: it must match/],
            ["the same id for both tokens", (c) => ({ ...c, initToken: `${JOIN_TOKEN.slice(0, 6)}.cccccccccccccccc` }), /same token id/],
            ["no CA hash", (c) => ({ ...c, caCertHashes: [] }), /caCertHashes \[\] must hold at least one/],
        ];
        for (const [what, change, message] of bad) {
            it(`refuses ${what}`, () => {
                const cluster = change(testCluster("ipv4-only"));
                assert.throws(() => renderKubeadmInit(cluster, nodeFor("ipv4-only", "control-plane-init")), message);
            });
        }

        it("never puts a token into an error message", () => {
            const cluster = { ...testCluster("ipv4-only"), joinToken: "short.token" };
            assert.throws(
                () => renderKubeadmInit(cluster, nodeFor("ipv4-only", "control-plane-init")),
                (e: Error) => !e.message.includes("short.token"),
            );
        });

        it("refuses a node without an address of a cluster family, or with an address of the wrong family", () => {
            const cluster = testCluster("ipv6-primary");
            assert.throws(
                () => renderKubeadmInit(cluster, { name: "cp-0", role: "control-plane-init", addressIPv6: "fd00:10::a" }),
                /node cp-0 has no IPv4 address, but IPv4 is a cluster family: kubelet's node-ip needs one address per cluster family/,
            );
            assert.throws(
                () => renderKubeadmInit(cluster, { name: "cp-0", role: "control-plane-init", addressIPv4: "fd00::1", addressIPv6: "fd00:10::a" }),
                /node cp-0: addressIPv4 "fd00::1" is not an IPv4 address/,
            );
        });

        it("refuses an unknown role and a name Kubernetes would refuse", () => {
            const cluster = testCluster("ipv4-only");
            assert.throws(() => renderKubeadmInit(cluster, { name: "n", role: "master", addressIPv4: "10.0.0.9" }), /role "master" is not one of control-plane-init, control-plane-join, worker/);
            assert.throws(() => renderKubeadmInit(cluster, { name: "Node_1", role: "worker", addressIPv4: "10.0.0.9" }), /node name "Node_1" is not a valid Kubernetes node name/);
        });
    });
});
