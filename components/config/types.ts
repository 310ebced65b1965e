/**
 * The typed stack configuration, after defaults. Per-family settings are maps keyed by
 * family so that IPv4 and IPv6 go through the same code; `keys.ts` maps each back to its
 * `dualstack:` configuration key for messages.
 */
import { IpFamily } from "../addressing/family";
import { HostPort } from "../addressing/hostPort";

/** A value per family; a family that is absent has no entry. */
export type FamilyMap<T> = Partial<Record<IpFamily, T>>;

/** How a range is given: a CIDR as written, or carved from the stack's ULA /48. */
export type RangeSpec =
    | { readonly kind: "cidr"; readonly text: string }
    | { readonly kind: "ula"; readonly prefixLength: number };

/** How a node subnet is given: a range, or a prefix from a Neutron subnet pool. */
export type NodeRangeSpec = RangeSpec | { readonly kind: "subnetPool"; readonly pool: string; readonly prefixLength: number };

/** kube-proxy modes. */
export const PROXY_MODES = ["ipvs", "iptables", "nftables"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** Calico pool encapsulations (the operator's `ipPools[].encapsulation`). */
export const ENCAPSULATIONS = ["None", "IPIP", "IPIPCrossSubnet", "VXLAN", "VXLANCrossSubnet"] as const;
export type Encapsulation = (typeof ENCAPSULATIONS)[number];

/** Nova server-group policies for spreading nodes. */
export const SERVER_GROUP_POLICIES = ["anti-affinity", "soft-anti-affinity"] as const;
export type ServerGroupPolicy = (typeof SERVER_GROUP_POLICIES)[number];

export interface NetworkConfig {
    /** Node subnet per node family (the families the VMs have addresses of). */
    readonly nodeCidrs: FamilyMap<NodeRangeSpec>;
    /** Neutron `ipv6_address_mode`, as written (rules check the value). */
    readonly ipv6AddressMode: string;
    /** Neutron `ipv6_ra_mode`, as written; defaults to the address mode. */
    readonly ipv6RaMode: string;
    /** Name of the external network for the router gateway and floating IPs. */
    readonly externalNetwork?: string;
    readonly dnsNameservers: readonly string[];
    /** Name of an existing Neutron network to put the subnets in, instead of creating one. */
    readonly existingNetwork?: string;
    /** Name of an existing router to attach the subnets to, instead of creating one. */
    readonly existingRouter?: string;
}

export interface PodsConfig {
    readonly cidrs: FamilyMap<RangeSpec>;
    readonly nodeMasks: FamilyMap<number>;
}

export interface ServicesConfig {
    readonly cidrs: FamilyMap<RangeSpec>;
}

export interface KubernetesConfig {
    /** `1.34` or `1.34.2`. */
    readonly version: string;
    readonly proxyMode: ProxyMode;
    /** Allow a change of ipFamilies or pod/service ranges on a deployed stack (it rebuilds the cluster). */
    readonly allowRangeChanges: boolean;
}

export interface ControlPlaneConfig {
    readonly count: number;
    readonly flavor?: string;
    readonly image?: string;
    /** DNS name for the API endpoint (certSANs, kubeconfig, controlPlaneEndpoint). */
    readonly endpoint?: string;
    readonly serverGroupPolicy: ServerGroupPolicy;
    readonly availabilityZone?: string;
    /** Node 0 joins the running cluster instead of kubeadm init (replacing control-plane-0). */
    readonly joinExisting: boolean;
}

export interface WorkerPoolConfig {
    readonly name: string;
    readonly count: number;
    readonly flavor?: string;
    readonly image?: string;
    readonly serverGroupPolicy: ServerGroupPolicy;
    readonly availabilityZone?: string;
}

export interface CalicoConfig {
    readonly version: string;
    readonly encapsulation: FamilyMap<Encapsulation>;
    readonly blockSizes: FamilyMap<number>;
    readonly natOutgoing: FamilyMap<boolean>;
    /** Calico BGP between nodes (needed to route unencapsulated pod traffic). */
    readonly bgp: boolean;
    /** A Calico policy that keeps pods away from the OpenStack metadata service. */
    readonly blockMetadata: boolean;
}

export interface AccessConfig {
    readonly sshKeyName?: string;
    readonly apiAllowedCidrs: readonly string[];
    readonly sshAllowedCidrs: readonly string[];
}

export interface BootstrapConfig {
    /** Change this value to issue a new join token (new machines only). */
    readonly tokenRotation: string;
}

export interface VerifyConfig {
    /** Run the verify checks as the last step of `pulumi up` and fail the update when one fails. */
    readonly afterUp: boolean;
    /** The test pods' image. */
    readonly image: string;
    /** Egress targets, at most one per family. */
    readonly egressTargets: readonly HostPort[];
    /** Seconds to wait for nodes, test pods and load balancers. */
    readonly timeoutSeconds: number;
}

/** The whole typed stack configuration. */
export interface ClusterConfig {
    /** Cluster name, when the configuration sets one (the program defaults it to the stack name). */
    readonly clusterName?: string;
    /** Families of pods and services, primary first. */
    readonly ipFamilies: readonly IpFamily[];
    /** Pinned 40-bit ULA global ID (10 hex digits); otherwise random, kept in state. */
    readonly ulaGlobalId?: string;
    readonly network: NetworkConfig;
    readonly pods: PodsConfig;
    readonly services: ServicesConfig;
    readonly reservedCidrs: readonly string[];
    readonly kubernetes: KubernetesConfig;
    readonly controlPlane: ControlPlaneConfig;
    readonly workerPools: readonly WorkerPoolConfig[];
    readonly calico: CalicoConfig;
    readonly access: AccessConfig;
    readonly bootstrap: BootstrapConfig;
    readonly verify: VerifyConfig;
}
