/**
 * The #cloud-config user-data: valid against cloud-init's schema (vendored), the files each
 * role gets and with which permissions, and the settings the bootstrap script reads.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import {
    aptPreferences,
    BOOTSTRAP_SCRIPT,
    BOOTSTRAP_UNIT,
    bootstrapEnvironment,
    CONTAINERD_CONFIG,
    kernelModules,
    NODE_PATHS,
    renderNodeUserData,
    shellQuote,
} from "../components/bootstrap";
import { ClusterBootstrap, NodeFacts } from "../components/bootstrap/types";
import { cloudConfigErrors } from "./fixtures/cloud-init/validate";
import { matchSnapshot } from "./fixtures/bootstrap/snapshot";
import { FAMILY_MODES, INIT_TOKEN, JOIN_TOKEN, ROLES, testCluster, testNode } from "./fixtures/bootstrap/clusters";

interface WriteFile {
    path: string;
    content: string;
    owner: string;
    permissions: string;
}
interface CloudConfig {
    hostname: string;
    write_files: WriteFile[];
    runcmd: string[][];
}

function parse(text: string): CloudConfig {
    return YAML.parse(text, { version: "1.1" }) as CloudConfig;
}

function file(config: CloudConfig, path: string): WriteFile {
    const found = config.write_files.find((f) => f.path === path);
    assert.ok(found, `${path} is written`);
    return found;
}

/** The environment file as a map (values unquoted). */
function environment(config: CloudConfig): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of file(config, NODE_PATHS.environment).content.split("\n")) {
        const match = /^([A-Z_0-9]+)=(.*)$/.exec(line);
        if (match) out[match[1]] = match[2].replace(/^'(.*)'$/, "$1");
    }
    return out;
}

const PKI_PATHS = [
    "ca.crt",
    "ca.key",
    "front-proxy-ca.crt",
    "front-proxy-ca.key",
    "etcd/ca.crt",
    "etcd/ca.key",
    "sa.pub",
    "sa.key",
].map((f) => `${NODE_PATHS.pkiSource}/${f}`);

describe("bootstrap: cloud-init user-data", () => {
    for (const mode of FAMILY_MODES) {
        for (const role of ROLES) {
            it(`${mode} ${role}: is a #cloud-config that cloud-init's schema accepts`, () => {
                const text = renderNodeUserData(testCluster(mode), testNode(mode, role, role === "control-plane-join" ? 1 : 0));
                assert.ok(text.startsWith("#cloud-config\n"));
                assert.deepStrictEqual(cloudConfigErrors(text), []);
            });
        }
    }

    it("the schema check itself catches mistakes (wrong types, unknown keys)", () => {
        const text = renderNodeUserData(testCluster("ipv4-only"), testNode("ipv4-only", "worker"));
        const broken = text.replace('permissions: "0600"', "permissions: 384").replace("runcmd:", "runcmds:");
        const errors = cloudConfigErrors(broken);
        assert.ok(errors.some((e) => e.includes("/write_files/") && e.includes("must be string")), errors.join("\n"));
        assert.ok(errors.some((e) => e.includes('"additionalProperty":"runcmds"')), errors.join("\n"));
    });

    it("control planes get the CA material with keys readable by root only; the init node the init configuration", () => {
        for (const role of ["control-plane-init", "control-plane-join"]) {
            const cluster = testCluster("ipv4-primary");
            const config = parse(renderNodeUserData(cluster, testNode("ipv4-primary", role)));
            for (const path of PKI_PATHS) {
                const f = file(config, path);
                assert.strictEqual(f.owner, "root:root");
                assert.strictEqual(f.permissions, path.endsWith(".key") ? "0600" : "0644", path);
            }
            assert.ok(file(config, `${NODE_PATHS.pkiSource}/ca.key`).content.includes("-----BEGIN RSA PRIVATE KEY-----"));
            assert.strictEqual(file(config, `${NODE_PATHS.pkiSource}/sa.key`).content, cluster.pki.serviceAccountPrivateKeyPem);
            const kubeadm = config.write_files.filter((f) => f.path.startsWith(`${NODE_PATHS.kubeadmDir}/kubeadm`));
            assert.deepStrictEqual(
                kubeadm.map((f) => [f.path, f.permissions]),
                role === "control-plane-init"
                    ? [[`${NODE_PATHS.kubeadmDir}/kubeadm-init.yaml`, "0600"]]
                    : [
                          [`${NODE_PATHS.kubeadmDir}/kubeadm-join.yaml`, "0600"],
                          [`${NODE_PATHS.kubeadmDir}/kubeadm-join-init-token.yaml`, "0600"],
                      ],
            );
        }
    });

    it("workers never get CA material, only the join configuration", () => {
        for (const mode of FAMILY_MODES) {
            const cluster = testCluster(mode);
            const text = renderNodeUserData(cluster, testNode(mode, "worker"));
            const config = parse(text);
            assert.deepStrictEqual(
                config.write_files.filter((f) => f.path.includes("/pki/")),
                [],
            );
            for (const pem of Object.values(cluster.pki)) {
                assert.ok(!text.includes(pem.split("\n")[1]), "no CA certificate or key text in a worker's user-data");
            }
            assert.ok(!text.includes("PRIVATE KEY"));
        }
    });

    it("writes secrets and scripts with tight permissions and everything else read-only for others", () => {
        const config = parse(renderNodeUserData(testCluster("ipv6-primary"), testNode("ipv6-primary", "worker")));
        const modes = Object.fromEntries(config.write_files.map((f) => [f.path, f.permissions]));
        assert.deepStrictEqual(modes, {
            [NODE_PATHS.modules]: "0644",
            [NODE_PATHS.sysctl]: "0644",
            [NODE_PATHS.containerdConfig]: "0644",
            [NODE_PATHS.aptPreferences]: "0644",
            [`${NODE_PATHS.kubeadmDir}/kubeadm-join.yaml`]: "0600",
            [`${NODE_PATHS.kubeadmDir}/kubeadm-join-init-token.yaml`]: "0600",
            [NODE_PATHS.environment]: "0600",
            [NODE_PATHS.script]: "0700",
            [NODE_PATHS.unit]: "0644",
        });
        // Tokens appear only in the root-only kubeadm files.
        for (const f of config.write_files) {
            if (f.content.includes(JOIN_TOKEN) || f.content.includes(INIT_TOKEN)) assert.strictEqual(f.permissions, "0600", f.path);
        }
    });

    it("starts the bootstrap unit from runcmd, and the unit runs until it has succeeded once", () => {
        const config = parse(renderNodeUserData(testCluster("ipv4-only"), testNode("ipv4-only", "worker")));
        assert.strictEqual(config.hostname, "test-worker-0");
        assert.deepStrictEqual(config.runcmd, [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "dualstack-bootstrap.service"],
            ["systemctl", "start", "dualstack-bootstrap.service"],
        ]);
        assert.strictEqual(file(config, NODE_PATHS.unit).content, BOOTSTRAP_UNIT);
        assert.match(BOOTSTRAP_UNIT, /^ConditionPathExists=!\/var\/lib\/dualstack\/bootstrap\.done$/m);
        assert.match(BOOTSTRAP_UNIT, /^Type=oneshot$/m);
        assert.match(BOOTSTRAP_UNIT, /^WantedBy=multi-user\.target$/m);
        assert.strictEqual(file(config, NODE_PATHS.script).content, BOOTSTRAP_SCRIPT);
    });

    it("the script never runs kubeadm a second time and does things in the documented order", () => {
        const main = BOOTSTRAP_SCRIPT.slice(BOOTSTRAP_SCRIPT.indexOf("main() {"));
        const order = [". \"$ENVIRONMENT_FILE\"", "disable_swap", "load_kernel_modules", "keep_router_advertisements", "sysctl -q --system", "install_packages", "$KUBELET_KUBECONFIG", "kubeadm_init", "kubeadm_join", 'touch "$DONE_MARKER"'];
        const positions = order.map((step) => main.indexOf(step));
        assert.ok(positions.every((p) => p >= 0), `every step is in main: ${order.filter((_, i) => positions[i] < 0).join(", ")}`);
        assert.deepStrictEqual([...positions].sort((a, b) => a - b), positions, "steps run in order");
        // accept_ra=2 is set before forwarding is switched on.
        assert.ok(main.indexOf("keep_router_advertisements") < main.indexOf("sysctl -q --system"));
        assert.match(BOOTSTRAP_SCRIPT, /apt-mark hold kubelet kubeadm kubectl/);
        assert.match(BOOTSTRAP_SCRIPT, /curl -ksf --globoff --max-time 5 -o \/dev\/null "https:\/\/\$API_SERVER_ENDPOINT\/readyz"/);
    });

    it("configures containerd with the systemd cgroup driver", () => {
        const config = parse(renderNodeUserData(testCluster("ipv4-only"), testNode("ipv4-only", "worker")));
        assert.strictEqual(file(config, NODE_PATHS.containerdConfig).content, CONTAINERD_CONFIG);
        assert.match(CONTAINERD_CONFIG, /\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.runc\.options\]\n\s+SystemdCgroup = true/);
    });

    it("sets forwarding for both families and loads the modules of the proxy mode", () => {
        const config = parse(renderNodeUserData(testCluster("ipv4-primary"), testNode("ipv4-primary", "worker")));
        const sysctl = file(config, NODE_PATHS.sysctl).content;
        for (const setting of ["net.ipv4.ip_forward = 1", "net.ipv6.conf.all.forwarding = 1", "net.ipv6.conf.default.forwarding = 1", "net.bridge.bridge-nf-call-iptables = 1", "net.bridge.bridge-nf-call-ip6tables = 1"]) {
            assert.ok(sysctl.split("\n").includes(setting), setting);
        }
        const modules = file(config, NODE_PATHS.modules).content.split("\n").filter((l) => l && !l.startsWith("#"));
        assert.deepStrictEqual(modules, ["overlay", "br_netfilter", "nf_conntrack", "ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh"]);
        assert.deepStrictEqual(kernelModules("nftables"), ["overlay", "br_netfilter", "nf_conntrack"]);
        assert.deepStrictEqual(kernelModules("iptables"), ["overlay", "br_netfilter", "nf_conntrack"]);
    });

    it("pins kubelet, kubeadm and kubectl to the configured version from the minor's pkgs.k8s.io repository", () => {
        assert.strictEqual(aptPreferences("1.34.2"), "# dualstack: kubelet, kubeadm and kubectl at Kubernetes 1.34.2\nPackage: kubelet kubeadm kubectl\nPin: version 1.34.2-*\nPin-Priority: 1001\n");
        assert.match(aptPreferences("1.35"), /^Pin: version 1\.35\.\*$/m);
        const env = environment(parse(renderNodeUserData(testCluster("ipv6-only"), testNode("ipv6-only", "worker"))));
        assert.strictEqual(env.KUBERNETES_REPOSITORY, "https://pkgs.k8s.io/core:/stable:/v1.34/deb");
        assert.strictEqual(env.KUBERNETES_PATCH_VERSION, "1.34.2");
        const minorOnly = environment(parse(renderNodeUserData(testCluster("ipv4-primary"), testNode("ipv4-primary", "worker"))));
        assert.strictEqual(minorOnly.KUBERNETES_PATCH_VERSION, "");
    });

    it("tells the script the node subnets, whether the node has IPv6, the API endpoint and the join files in order", () => {
        const dual = environment(parse(renderNodeUserData(testCluster("ipv6-primary"), testNode("ipv6-primary", "control-plane-join", 1))));
        assert.deepStrictEqual(dual, {
            CLUSTER_NAME: "test-ipv6-primary",
            NODE_NAME: "test-cp-1",
            NODE_ROLE: "control-plane-join",
            KUBERNETES_PATCH_VERSION: "1.34.2",
            KUBERNETES_REPOSITORY: "https://pkgs.k8s.io/core:/stable:/v1.34/deb",
            NODE_SUBNETS: "fd00:10::/64 10.0.0.0/22",
            IPV6_NODE: "yes",
            API_SERVER_ENDPOINT: "[fd00:10::2]:6443",
            KUBEADM_JOIN_CONFIGS: "j0in00:/etc/kubernetes/dualstack/kubeadm-join.yaml in1t00:/etc/kubernetes/dualstack/kubeadm-join-init-token.yaml",
            JOIN_TIMEOUT_SECONDS: "3600",
            INIT_TIMEOUT_SECONDS: "3600",
            SHARED_ENDPOINT: "yes",
            EXTRA_PACKAGES: "('conntrack' 'nftables')",
        });
        const v4 = environment(parse(renderNodeUserData(testCluster("ipv4-only"), testNode("ipv4-only", "control-plane-init"))));
        assert.strictEqual(v4.IPV6_NODE, "no");
        assert.strictEqual(v4.KUBEADM_JOIN_CONFIGS, "");
    });

    it("keeps accept_ra on an IPv4-only cluster whose nodes also have an IPv6 subnet", () => {
        const cluster: ClusterBootstrap = { ...testCluster("ipv4-only"), nodeSubnetCidrs: ["10.0.0.0/22", "fd00:10::/64"] };
        const node: NodeFacts = { name: "w-0", role: "worker", addressIPv4: "10.0.0.50", addressIPv6: "fd00:10::50" };
        const text = renderNodeUserData(cluster, node);
        assert.strictEqual(environment(parse(text)).IPV6_NODE, "yes");
        // kubelet's node-ip stays single-stack: IPv6 is not a cluster family.
        assert.match(text, /- name: node-ip\n\s+value: 10\.0\.0\.50\n/);
    });

    it("quotes shell values so that no value can break out of its word", () => {
        assert.strictEqual(shellQuote("plain"), "'plain'");
        assert.strictEqual(shellQuote("it's $(rm -rf /)"), `'it'\\''s $(rm -rf /)'`);
        const env = bootstrapEnvironment(testCluster("ipv4-only"), testNode("ipv4-only", "worker"), ["IPv4"]);
        assert.match(env, /^CLUSTER_NAME='[a-z0-9-]+'$/m);
        // Quoting is the second line of defence: a value that needs it never reaches the file.
        assert.throws(
            () => bootstrapEnvironment({ ...testCluster("ipv4-only"), clusterName: "a'b" }, testNode("ipv4-only", "worker"), ["IPv4"]),
            /^BootstrapInputError: clusterName "a'b" is not a valid cluster name/,
        );
    });

    it("refuses to render a control plane without CA material", () => {
        const cluster = testCluster("ipv4-only");
        const broken: ClusterBootstrap = { ...cluster, pki: { ...cluster.pki, etcdCaKeyPem: "" } };
        assert.throws(() => renderNodeUserData(broken, testNode("ipv4-only", "control-plane-join", 1)), /pki\.etcdCaKeyPem is not PEM text/);
        // A worker does not need it.
        assert.doesNotThrow(() => renderNodeUserData(broken, testNode("ipv4-only", "worker")));
    });

    for (const role of ROLES) {
        it(`ipv4-primary ${role}: the whole user-data matches the reviewed snapshot`, () => {
            const text = renderNodeUserData(testCluster("ipv4-primary"), testNode("ipv4-primary", role, role === "control-plane-join" ? 1 : 0));
            matchSnapshot(`cloud-config-ipv4-primary-${role}.yaml`, text);
        });
    }
});
