/**
 * The seam between the cluster wiring, the machines and the bootstrap renderers: what every
 * node of a cluster shares (`ClusterBootstrap`) and what one node adds (`NodeFacts`).
 * Plain data, no Outputs: the machines resolve their Outputs and call the renderers inside
 * an `apply`.
 */

/** The roles a node can have; `NodeFacts.role` is one of these. */
export const NODE_ROLES = ["control-plane-init", "control-plane-join", "worker"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** kube-apiserver's port on every control plane and on the endpoint. */
export const API_SERVER_PORT = 6443;

/**
 * The cluster's CA material as PEM text. Control planes get all of it on disk (kubeadm
 * uses the CAs instead of generating its own, so every control plane shares them);
 * workers get none of it.
 */
export interface ClusterPkiMaterial {
    /** Cluster CA certificate (`/etc/kubernetes/pki/ca.crt`). */
    caCertPem: string;
    /** Cluster CA private key (`ca.key`). Secret. */
    caKeyPem: string;
    /** Front-proxy CA certificate (`front-proxy-ca.crt`). */
    frontProxyCaCertPem: string;
    /** Front-proxy CA private key (`front-proxy-ca.key`). Secret. */
    frontProxyCaKeyPem: string;
    /** etcd CA certificate (`etcd/ca.crt`). */
    etcdCaCertPem: string;
    /** etcd CA private key (`etcd/ca.key`). Secret. */
    etcdCaKeyPem: string;
    /** Service-account signing public key (`sa.pub`, PKIX PEM). */
    serviceAccountPublicKeyPem: string;
    /** Service-account signing private key (`sa.key`). Secret. */
    serviceAccountPrivateKeyPem: string;
}

/** Cluster-wide bootstrap facts, the same for every node. Carries secrets. */
export interface ClusterBootstrap {
    /** kubeadm `clusterName`; also names files and logs on the node. */
    clusterName: string;
    /** `1.34` (newest patch of the minor) or `1.34.2` (exact). */
    kubernetesVersion: string;
    /** Cluster families, primary first (`IPv4` / `IPv6`). */
    ipFamilies: string[];
    /** Pod CIDRs, in `ipFamilies` order. */
    podCidrs: string[];
    /** Service CIDRs, in `ipFamilies` order. */
    serviceCidrs: string[];
    /** kube-controller-manager `node-cidr-mask-size-ipv4`; only when IPv4 is a cluster family. */
    nodeMaskIPv4?: number;
    /** kube-controller-manager `node-cidr-mask-size-ipv6`; only when IPv6 is a cluster family. */
    nodeMaskIPv6?: number;
    /** kube-proxy mode: `ipvs`, `iptables` or `nftables`. */
    proxyMode: string;
    /**
     * Host (DNS name or address, without port) through which nodes reach the API. Required for
     * joining nodes; when undefined the init node uses its own primary address (one control
     * plane) and kubeadm writes no `controlPlaneEndpoint`.
     */
    controlPlaneEndpoint?: string;
    /** Extra API server certificate names: every endpoint address of both families and the DNS name. */
    certSANs: string[];
    /** Node subnets (CIDRs), to find the node's interface on the machine. */
    nodeSubnetCidrs: string[];
    /**
     * With an access gateway that has an IPv6 client range: that range's prefix length. Nodes
     * then accept router advertisements' Route Information options (RFC 4191) up to it
     * (`accept_ra_rt_info_max_plen`), which is how the gateway holding the VIPs announces the
     * route to its WireGuard clients.
     */
    routeInformationMaxPrefixLength?: number;
    /**
     * Long-lived join token `[a-z0-9]{6}.[a-z0-9]{16}`, held as a Pulumi-managed
     * `bootstrap-token-<id>` Secret (see docs/bootstrap.md). Secret.
     */
    joinToken: string;
    /**
     * Short-lived token that `kubeadm init` creates (24 h), so that the machines created with
     * the cluster can join before the long-lived token's Secret exists. Joining nodes try the
     * join token first, then this one. Secret.
     */
    initToken: string;
    /** Discovery hashes of the cluster CA: `["sha256:<hex>"]`. */
    caCertHashes: string[];
    /** CA certificates and keys (control planes only; never rendered for workers). */
    pki: ClusterPkiMaterial;
}

/** One node. */
export interface NodeFacts {
    /** Node (and host) name; also the Kubernetes Node name. */
    name: string;
    /** `control-plane-init` | `control-plane-join` | `worker`. */
    role: string;
    /** The node's own IPv4 address (its port's fixed IP), when it has one. */
    addressIPv4?: string;
    /** The node's own IPv6 address (its port's fixed IP), when it has one. */
    addressIPv6?: string;
}
