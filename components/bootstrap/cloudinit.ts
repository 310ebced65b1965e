/**
 * The `#cloud-config` user-data of one node. cloud-init writes the files (configuration,
 * CA material on control planes, kubeadm configuration, the bootstrap script and its
 * systemd unit) and starts the unit; the script does the rest in a fixed order (see
 * docs/bootstrap.md).
 *
 * Upstream: https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 */
import { IpFamily } from "../addressing/family";
import { parseCidr } from "../addressing/cidr";
import { checkInputs, hostPort, isControlPlane, nodeRole, parseKubernetesVersion } from "./inputs";
import { renderKubeadmInit, renderKubeadmJoin } from "./kubeadm";
import { BOOTSTRAP_SCRIPT, BOOTSTRAP_UNIT, NODE_PATHS } from "./script";
import { ClusterBootstrap, ClusterPkiMaterial, NodeFacts } from "./types";
import { stringifyDocument } from "./yaml";

/** How long a joining node keeps trying before the unit fails (one hour). */
export const JOIN_TIMEOUT_SECONDS = 3600;

/** How long the first control plane retries kubeadm init (the load balancer may still be building). */
export const INIT_TIMEOUT_SECONDS = 3600;

/** One entry of cloud-init's `write_files`. */
export interface WriteFile {
    path: string;
    content: string;
    owner: string;
    permissions: string;
}

/** The pkgs.k8s.io apt repository of a minor version (without trailing slash). */
export function kubernetesRepository(minor: string): string {
    return `https://pkgs.k8s.io/core:/stable:/v${minor}/deb`;
}

/** Kernel modules to load at boot, per proxy mode. */
export function kernelModules(proxyMode: string): string[] {
    const modules = ["overlay", "br_netfilter", "nf_conntrack"];
    if (proxyMode === "ipvs") modules.push("ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh");
    return modules;
}

/** Debian packages beyond containerd and the Kubernetes ones, per proxy mode (for debugging and kube-proxy). */
export function extraPackages(proxyMode: string): string[] {
    const packages = ["conntrack"];
    if (proxyMode === "ipvs") packages.push("ipset", "ipvsadm");
    if (proxyMode === "nftables") packages.push("nftables");
    return packages;
}

/** Kernel settings for a Kubernetes node that routes pod traffic of both families. */
export const KERNEL_SETTINGS: readonly (readonly [string, string])[] = [
    ["net.bridge.bridge-nf-call-iptables", "1"],
    ["net.bridge.bridge-nf-call-ip6tables", "1"],
    ["net.ipv4.ip_forward", "1"],
    ["net.ipv6.conf.all.forwarding", "1"],
    ["net.ipv6.conf.default.forwarding", "1"],
    // No SLAAC privacy addresses: a node's IPv6 address is the one Neutron allocated, which
    // kubelet's node-ip and Calico's address detection (cidrs: [node subnet]) rely on; a
    // temporary address in the same /64 would be indistinguishable to Calico.
    ["net.ipv6.conf.all.use_tempaddr", "0"],
    ["net.ipv6.conf.default.use_tempaddr", "0"],
];

/** containerd configuration: the runc runtime with the systemd cgroup driver (kubelet uses systemd too). */
export const CONTAINERD_CONFIG = `# dualstack: containerd for kubelet, with the systemd cgroup driver.
# Version 2 configuration; containerd 2.x migrates it on load.
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
`;

/** apt preferences that pin kubelet, kubeadm and kubectl to the configured version. */
export function aptPreferences(version: string): string {
    const parsed = parseKubernetesVersion(version);
    const pin = parsed.patch !== undefined ? `${parsed.patch}-*` : `${parsed.minor}.*`;
    return `# dualstack: kubelet, kubeadm and kubectl at Kubernetes ${parsed.patch ?? parsed.minor}\nPackage: kubelet kubeadm kubectl\nPin: version ${pin}\nPin-Priority: 1001\n`;
}

/** A value as one single-quoted shell word. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Paths of the CA files on control planes, with the PKI material field each holds. */
export const PKI_FILES: readonly { field: keyof ClusterPkiMaterial; file: string; secret: boolean }[] = [
    { field: "caCertPem", file: "ca.crt", secret: false },
    { field: "caKeyPem", file: "ca.key", secret: true },
    { field: "frontProxyCaCertPem", file: "front-proxy-ca.crt", secret: false },
    { field: "frontProxyCaKeyPem", file: "front-proxy-ca.key", secret: true },
    { field: "etcdCaCertPem", file: "etcd/ca.crt", secret: false },
    { field: "etcdCaKeyPem", file: "etcd/ca.key", secret: true },
    { field: "serviceAccountPublicKeyPem", file: "sa.pub", secret: false },
    { field: "serviceAccountPrivateKeyPem", file: "sa.key", secret: true },
];

/** A kubeadm configuration file of a node. */
export interface KubeadmFile {
    path: string;
    content: string;
    /** For join files: the public id of the token the file uses. */
    tokenId?: string;
}

/**
 * kubeadm configuration files of a node. The init node has one; joining nodes have one per
 * token, the long-lived join token first.
 */
export function kubeadmFiles(cluster: ClusterBootstrap, node: NodeFacts): KubeadmFile[] {
    if (nodeRole(node) === "control-plane-init") {
        return [{ path: `${NODE_PATHS.kubeadmDir}/kubeadm-init.yaml`, content: renderKubeadmInit(cluster, node) }];
    }
    return [
        {
            path: `${NODE_PATHS.kubeadmDir}/kubeadm-join.yaml`,
            content: renderKubeadmJoin(cluster, node, cluster.joinToken),
            tokenId: tokenId(cluster.joinToken),
        },
        {
            path: `${NODE_PATHS.kubeadmDir}/kubeadm-join-init-token.yaml`,
            content: renderKubeadmJoin(cluster, node, cluster.initToken),
            tokenId: tokenId(cluster.initToken),
        },
    ];
}

/** The public part of a token (`id` of `id.secret`). */
export function tokenId(token: string): string {
    return token.slice(0, token.indexOf("."));
}

/** The environment file the bootstrap script reads. */
export function bootstrapEnvironment(cluster: ClusterBootstrap, node: NodeFacts, families: IpFamily[]): string {
    const version = parseKubernetesVersion(cluster.kubernetesVersion);
    const ipv6Node =
        node.addressIPv6 !== undefined ||
        cluster.nodeSubnetCidrs.some((c) => {
            const parsed = parseCidr(c);
            return parsed.ok && parsed.cidr.family === "IPv6";
        });
    // `<token id>:<file>`: token ids are public; the script checks which token exists.
    const joinConfigs = kubeadmFiles(cluster, node)
        .filter((f) => f.tokenId !== undefined)
        .map((f) => `${f.tokenId}:${f.path}`);
    const endpoint = cluster.controlPlaneEndpoint ?? (families[0] === "IPv4" ? node.addressIPv4 : node.addressIPv6);
    const values: [string, string][] = [
        ["CLUSTER_NAME", cluster.clusterName],
        ["NODE_NAME", node.name],
        ["NODE_ROLE", node.role],
        ["KUBERNETES_PATCH_VERSION", version.patch ?? ""],
        ["KUBERNETES_REPOSITORY", kubernetesRepository(version.minor)],
        ["NODE_SUBNETS", cluster.nodeSubnetCidrs.join(" ")],
        ["IPV6_NODE", ipv6Node ? "yes" : "no"],
        ["API_SERVER_ENDPOINT", hostPort(endpoint as string)],
        ["KUBEADM_JOIN_CONFIGS", joinConfigs.join(" ")],
        ["JOIN_TIMEOUT_SECONDS", String(JOIN_TIMEOUT_SECONDS)],
        ["INIT_TIMEOUT_SECONDS", String(INIT_TIMEOUT_SECONDS)],
        // A load balancer in front: kubeadm init must not run when the API already answers there.
        ["SHARED_ENDPOINT", cluster.controlPlaneEndpoint === undefined ? "no" : "yes"],
        // With an access gateway: the longest route accepted from router advertisements.
        ["ROUTE_INFORMATION_MAX_PLEN", cluster.routeInformationMaxPrefixLength === undefined ? "" : String(cluster.routeInformationMaxPrefixLength)],
    ];
    const lines = values.map(([name, value]) => `${name}=${shellQuote(value)}`);
    lines.push(`EXTRA_PACKAGES=(${extraPackages(cluster.proxyMode).map(shellQuote).join(" ")})`);
    // The variables are used by the script that sources this file, not here.
    const header = `# dualstack bootstrap settings of ${node.name}; read by ${NODE_PATHS.script}\n# shellcheck shell=bash disable=SC2034\n`;
    return `${header}${lines.join("\n")}\n`;
}

/** Every file cloud-init writes on a node, in order. */
export function nodeFiles(cluster: ClusterBootstrap, node: NodeFacts): WriteFile[] {
    const families = checkInputs(cluster, node);
    const role = nodeRole(node);
    const file = (path: string, content: string, permissions: string): WriteFile => ({
        path,
        content,
        owner: "root:root",
        permissions,
    });
    const files: WriteFile[] = [
        file(NODE_PATHS.modules, `# dualstack: modules for containers and kube-proxy\n${kernelModules(cluster.proxyMode).join("\n")}\n`, "0644"),
        file(
            NODE_PATHS.sysctl,
            `# dualstack: forwarding of both families, bridged traffic through netfilter\n${KERNEL_SETTINGS.map(([k, v]) => `${k} = ${v}`).join("\n")}\n`,
            "0644",
        ),
        file(NODE_PATHS.containerdConfig, CONTAINERD_CONFIG, "0644"),
        file(NODE_PATHS.aptPreferences, aptPreferences(cluster.kubernetesVersion), "0644"),
    ];
    // Workers never get CA material: they find the cluster by token and CA hash.
    if (isControlPlane(role)) {
        for (const pki of PKI_FILES) {
            files.push(file(`${NODE_PATHS.pkiSource}/${pki.file}`, cluster.pki[pki.field], pki.secret ? "0600" : "0644"));
        }
    }
    for (const kubeadm of kubeadmFiles(cluster, node)) files.push(file(kubeadm.path, kubeadm.content, "0600"));
    files.push(
        file(NODE_PATHS.environment, bootstrapEnvironment(cluster, node, families), "0600"),
        file(NODE_PATHS.script, BOOTSTRAP_SCRIPT, "0700"),
        file(NODE_PATHS.unit, BOOTSTRAP_UNIT, "0644"),
    );
    return files;
}

/** The cloud-config of a node as an object (before YAML). */
export function cloudConfig(cluster: ClusterBootstrap, node: NodeFacts): Record<string, unknown> {
    return {
        hostname: node.name,
        write_files: nodeFiles(cluster, node),
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "dualstack-bootstrap.service"],
            ["systemctl", "start", "dualstack-bootstrap.service"],
        ],
    };
}

/**
 * The `#cloud-config` user-data of one node. It carries secrets (tokens; CA keys on control
 * planes): wrap it in `pulumi.secret`.
 */
export function renderCloudConfig(cluster: ClusterBootstrap, node: NodeFacts): string {
    const body = stringifyDocument(cloudConfig(cluster, node));
    return `#cloud-config\n# dualstack cluster ${cluster.clusterName}: node ${node.name} (${node.role})\n${body}`;
}
