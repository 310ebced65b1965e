/**
 * What `dualstack verify` checks, what it expects, what it saw, and what it reports. Plain
 * data only: the checks are plain functions over these, and the API layer fills them.
 */
import { IpFamily } from "../addressing/family";
import { HostPort } from "../addressing/hostPort";

/** The checks, in the order they are reported. */
export const CHECK_IDS = [
    "nodes",
    "node-addresses",
    "cluster-ranges",
    "calico-pools",
    "pod-addresses",
    "pod-to-pod",
    "pod-to-service",
    "dns",
    "egress",
    "node-port",
    "load-balancer",
    "metadata-blocked",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** `skip` is neither a pass nor a failure: the check could not be made, and the evidence says why. */
export type Outcome = "pass" | "fail" | "skip";

/** One row of the report. */
export interface CheckResult {
    readonly check: CheckId;
    /** The family checked on its own, or `all` for a check of the whole cluster. */
    readonly family: IpFamily | "all";
    readonly result: Outcome;
    /** What was seen; on a failure, also what was expected. */
    readonly evidence: string;
}

/** A range the cluster should use, and where that expectation comes from. */
export interface ExpectedRange {
    readonly cidr: string;
    /** A configuration key (`dualstack:pods.ipv6Cidr`) or a cluster object (`kubeadm-config podSubnet`). */
    readonly source: string;
}

/** Whether pods of a family can reach beyond the cloud, and why the plan says so. */
export interface EgressExpectation {
    readonly exists: boolean;
    readonly reason: string;
}

/**
 * What a cloud integration promises for Services of type LoadBalancer. The cloud-integration
 * component fills it from the stack (see `loadBalancerSupport`); until a stack has one, the
 * `load-balancer` check is skipped with the reason.
 */
export interface LoadBalancerSupport {
    /** Families a LoadBalancer Service gets an ingress address of (`status.loadBalancer.ingress`). */
    readonly families: readonly IpFamily[];
    /** Annotations the cloud controller needs on the Service (e.g. an Octavia provider). */
    readonly annotations?: Readonly<Record<string, string>>;
}

/** The Calico pool of a family as planned. */
export interface ExpectedPool {
    readonly blockSize: number;
    /** `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN`, `VXLANCrossSubnet`. */
    readonly encapsulation: string;
    readonly natOutgoing: boolean;
}

/** What one cluster family should look like. Undefined fields are unknown and not compared. */
export interface FamilyExpectation {
    readonly family: IpFamily;
    readonly nodeSubnet?: ExpectedRange;
    readonly pods?: ExpectedRange;
    readonly services?: ExpectedRange;
    /** The planned pool; undefined without an address plan. */
    readonly pool?: ExpectedPool;
    /** Undefined without an address plan: egress is tried when a target of the family is given. */
    readonly egress?: EgressExpectation;
}

/** Everything the checks compare against. */
export interface Expectations {
    /** Where the expectations come from, for the report: a stack file, the stack's outputs, or the cluster. */
    readonly basis: string;
    /** True when an address plan stands behind them. */
    readonly fromPlan: boolean;
    /** Cluster families, primary first. */
    readonly families: readonly FamilyExpectation[];
    /** Machines the plan has (control planes and workers). */
    readonly nodeCount?: number;
    /** Whether pods must be kept from the metadata service (`dualstack:calico.blockMetadata`). */
    readonly blockMetadata: boolean;
    /** LoadBalancer support, or the reason there is none. */
    readonly loadBalancer: LoadBalancerSupport | { readonly missing: string };
    /** What the expectations lack and why, for the report. */
    readonly notes: readonly string[];
}

/** A node as the checks need it. */
export interface NodeFacts {
    readonly name: string;
    /** `status.addresses` of type InternalIP, in order. */
    readonly internalIPs: readonly string[];
    readonly ready: boolean;
    /** Pods without tolerations can run there: not cordoned, no NoSchedule or NoExecute taint. */
    readonly schedulable: boolean;
    readonly controlPlane: boolean;
}

/** kubeadm's ClusterConfiguration networking, from the `kubeadm-config` ConfigMap. */
export interface KubeadmNetworking {
    /** `networking.podSubnet`, split at commas (primary family first). */
    readonly podSubnets: readonly string[];
    /** `networking.serviceSubnet`, split at commas (primary family first). */
    readonly serviceSubnets: readonly string[];
    /** `networking.dnsDomain`, when set (kubeadm's default is `cluster.local`). */
    readonly dnsDomain?: string;
}

/** A Calico IP pool as stored. */
export interface PoolFacts {
    readonly name: string;
    readonly cidr: string;
    readonly blockSize?: number;
    /** `Never`, `Always` or `CrossSubnet`. */
    readonly ipipMode?: string;
    readonly vxlanMode?: string;
    readonly natOutgoing?: boolean;
    readonly disabled?: boolean;
}

/** What the cluster shows before any test object exists. */
export interface ClusterFacts {
    readonly nodes: readonly NodeFacts[];
    /** Undefined when the ConfigMap is not there (not a kubeadm cluster). */
    readonly kubeadm?: KubeadmNetworking;
    /** Undefined when no IPPool API answers (Calico not installed). */
    readonly pools?: readonly PoolFacts[];
    /** The API the pools were read from (`crd.projectcalico.org/v1`, `projectcalico.org/v3`). */
    readonly poolsApi?: string;
}

/** A test pod as the checks need it. */
export interface PodFacts {
    readonly name: string;
    readonly node?: string;
    readonly phase?: string;
    readonly podIPs: readonly string[];
    readonly ready: boolean;
    /** Why it is not running, when it is not: a container's waiting reason and message, or the scheduler's. */
    readonly problem?: string;
}

/** The test Service as the checks need it. */
export interface ServiceFacts {
    readonly name: string;
    readonly ipFamilies: readonly string[];
    readonly clusterIPs: readonly string[];
    readonly nodePort?: number;
    /** The API's answer when it refused the Service. */
    readonly refused?: string;
}

/** An egress target: a literal address and a TCP port. */
export type EgressTarget = HostPort;

/** How the test namespace ended. */
export interface CleanupResult {
    readonly namespace?: string;
    readonly deleted: boolean;
    /** Why deleting failed. */
    readonly error?: string;
}
