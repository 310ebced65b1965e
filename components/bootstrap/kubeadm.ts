/**
 * kubeadm `v1beta4` configuration, rendered from the cluster's and the node's facts.
 * Pure functions: each returns the document as a plain object; `renderKubeadmInit` and
 * `renderKubeadmJoin` turn them into the YAML files the node gets.
 *
 * Upstream: https://kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4/
 */
import { familyFacts, IpFamily } from "../addressing/family";
import { checkInputs, hostPort, nodeAddress, nodeMask, parseKubernetesVersion } from "./inputs";
import { stringifyDocuments } from "./yaml";
import { API_SERVER_PORT, ClusterBootstrap, NodeFacts } from "./types";

export const KUBEADM_API_VERSION = "kubeadm.k8s.io/v1beta4";
export const KUBELET_API_VERSION = "kubelet.config.k8s.io/v1beta1";
export const KUBE_PROXY_API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";

/** containerd's CRI socket, as kubeadm names it. */
export const CRI_SOCKET = "unix:///var/run/containerd/containerd.sock";

/** The group kubeadm binds to node bootstrap (and that its join token Secrets carry). */
export const BOOTSTRAP_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

/** How long the init token lives: kubeadm's default, long enough for the first machines. */
export const INIT_TOKEN_TTL = "24h0m0s";

/**
 * How long one `kubeadm join` attempt waits for discovery with one token. The node script
 * alternates between the tokens, so a token that does not exist (yet, or any more) only
 * costs this long.
 */
export const DISCOVERY_TIMEOUT = "2m0s";

/** A v1beta4 `extraArgs` / `kubeletExtraArgs` entry. */
export interface ExtraArg {
    name: string;
    value: string;
}

/** `kubernetesVersion` for kubeadm: the exact patch, or the `stable-<minor>` label. */
export function kubeadmVersion(version: string): string {
    const parsed = parseKubernetesVersion(version);
    // A label is valid kubeadm input; the node script replaces it with the installed
    // kubeadm's own version before `kubeadm init`, so that no lookup on dl.k8s.io is needed
    // and the control plane matches the kubelet that apt installed.
    return parsed.patch !== undefined ? `v${parsed.patch}` : `stable-${parsed.minor}`;
}

/** The node's addresses in cluster family order (kubelet `node-ip`). */
export function nodeIps(cluster: ClusterBootstrap, node: NodeFacts): string[] {
    return (cluster.ipFamilies as IpFamily[]).map((family) => nodeAddress(node, family) as string);
}

/** The node's address of the primary family (kubeadm `advertiseAddress`). */
export function advertiseAddress(cluster: ClusterBootstrap, node: NodeFacts): string {
    return nodeIps(cluster, node)[0];
}

/** kube-controller-manager per-family node masks, for the cluster families only. */
export function nodeMaskArgs(cluster: ClusterBootstrap): ExtraArg[] {
    return (cluster.ipFamilies as IpFamily[]).map((family) => ({
        name: `node-cidr-mask-size-${familyFacts(family).lowerSuffix}`,
        value: String(nodeMask(cluster, family)),
    }));
}

/**
 * API server certificate names: the endpoint's names and addresses. These go into the
 * cluster-wide ClusterConfiguration, which every joining control plane reuses, so a node's
 * own addresses are added only when the node is the endpoint (one control plane, no shared
 * endpoint); kubeadm adds each control plane's advertise address itself.
 */
export function certSans(cluster: ClusterBootstrap, node: NodeFacts): string[] {
    const endpoint = cluster.controlPlaneEndpoint === undefined ? [] : [cluster.controlPlaneEndpoint];
    const own = cluster.controlPlaneEndpoint === undefined ? [node.addressIPv4, node.addressIPv6].filter((a): a is string => a !== undefined) : [];
    return [...new Set([...endpoint, ...cluster.certSANs, ...own])];
}

function nodeRegistration(cluster: ClusterBootstrap, node: NodeFacts): Record<string, unknown> {
    return {
        name: node.name,
        criSocket: CRI_SOCKET,
        kubeletExtraArgs: [{ name: "node-ip", value: nodeIps(cluster, node).join(",") }],
    };
}

/** `ClusterConfiguration`: cluster-wide settings, used by `kubeadm init` only. */
export function clusterConfiguration(cluster: ClusterBootstrap, node: NodeFacts): Record<string, unknown> {
    checkInputs(cluster, node);
    const config: Record<string, unknown> = {
        apiVersion: KUBEADM_API_VERSION,
        kind: "ClusterConfiguration",
        clusterName: cluster.clusterName,
        kubernetesVersion: kubeadmVersion(cluster.kubernetesVersion),
    };
    if (cluster.controlPlaneEndpoint !== undefined) {
        config.controlPlaneEndpoint = hostPort(cluster.controlPlaneEndpoint);
    }
    config.networking = {
        podSubnet: cluster.podCidrs.join(","),
        serviceSubnet: cluster.serviceCidrs.join(","),
    };
    config.apiServer = { certSANs: certSans(cluster, node) };
    config.controllerManager = { extraArgs: nodeMaskArgs(cluster) };
    return config;
}

/** `InitConfiguration`: the first control plane's own settings and the init token. */
export function initConfiguration(cluster: ClusterBootstrap, node: NodeFacts): Record<string, unknown> {
    checkInputs(cluster, node);
    return {
        apiVersion: KUBEADM_API_VERSION,
        kind: "InitConfiguration",
        bootstrapTokens: [
            {
                token: cluster.initToken,
                description: "dualstack init token: joins the machines created with the cluster; expires after 24 h",
                ttl: INIT_TOKEN_TTL,
                usages: ["signing", "authentication"],
                groups: [BOOTSTRAP_TOKEN_GROUP],
            },
        ],
        localAPIEndpoint: { advertiseAddress: advertiseAddress(cluster, node), bindPort: API_SERVER_PORT },
        nodeRegistration: nodeRegistration(cluster, node),
    };
}

/**
 * `JoinConfiguration` with one token. For a control plane it adds `controlPlane` without a
 * `certificateKey`: the CA material is already on disk, so kubeadm neither downloads nor
 * needs uploaded certificates.
 */
export function joinConfiguration(cluster: ClusterBootstrap, node: NodeFacts, token: string): Record<string, unknown> {
    checkInputs(cluster, node);
    const config: Record<string, unknown> = {
        apiVersion: KUBEADM_API_VERSION,
        kind: "JoinConfiguration",
        discovery: {
            bootstrapToken: {
                apiServerEndpoint: hostPort(cluster.controlPlaneEndpoint as string),
                token,
                caCertHashes: [...cluster.caCertHashes],
            },
            tlsBootstrapToken: token,
        },
        nodeRegistration: nodeRegistration(cluster, node),
    };
    if (node.role === "control-plane-join") {
        config.controlPlane = {
            localAPIEndpoint: { advertiseAddress: advertiseAddress(cluster, node), bindPort: API_SERVER_PORT },
        };
    }
    config.timeouts = { discovery: DISCOVERY_TIMEOUT };
    return config;
}

/** `KubeProxyConfiguration`: the proxy mode and the pod ranges in family order. */
export function kubeProxyConfiguration(cluster: ClusterBootstrap): Record<string, unknown> {
    return {
        apiVersion: KUBE_PROXY_API_VERSION,
        kind: "KubeProxyConfiguration",
        mode: cluster.proxyMode,
        clusterCIDR: cluster.podCidrs.join(","),
    };
}

/** `KubeletConfiguration`: the systemd cgroup driver, as containerd is configured. */
export function kubeletConfiguration(): Record<string, unknown> {
    return {
        apiVersion: KUBELET_API_VERSION,
        kind: "KubeletConfiguration",
        cgroupDriver: "systemd",
    };
}

/** The `kubeadm init --config` file: Cluster, Init, KubeProxy and Kubelet configuration. */
export function renderKubeadmInit(cluster: ClusterBootstrap, node: NodeFacts): string {
    return stringifyDocuments([
        clusterConfiguration(cluster, node),
        initConfiguration(cluster, node),
        kubeProxyConfiguration(cluster),
        kubeletConfiguration(),
    ]);
}

/** The `kubeadm join --config` file with one token (the cluster's settings come from the cluster). */
export function renderKubeadmJoin(cluster: ClusterBootstrap, node: NodeFacts, token: string): string {
    return stringifyDocuments([joinConfiguration(cluster, node, token)]);
}
