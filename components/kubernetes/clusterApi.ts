/**
 * `ClusterApi`: the way into a new cluster's Kubernetes API. A Kubernetes provider built from
 * the admin kubeconfig, which depends on a bounded wait until the API server answers `/readyz`,
 * so every Kubernetes resource created through the provider waits for the API first.
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ApiReadiness, ApiReadinessArgs, readyzUrl } from "./readiness";
import { createReadinessCommand, readinessMechanism } from "./readinessCommand";

/** Defaults of the readiness wait. */
export const CLUSTER_API_DEFAULTS = {
    port: 6443,
    /** VMs boot, cloud-init installs packages, kubeadm init runs: 20 minutes leaves room for slow clouds. */
    readinessTimeoutSeconds: 1200,
    readinessIntervalSeconds: 10,
} as const;

/**
 * Arguments of {@link ClusterApi}. Inputs: kubeconfig, endpoint, CA, triggers and the cluster
 * identifier. Plain: the port and the wait's timing, checked before anything is registered.
 */
export interface ClusterApiArgs {
    /** The admin kubeconfig (kept secret). Its `server` should point at `endpoint`. */
    kubeconfig: pulumi.Input<string>;
    /**
     * The API endpoint as nodes and kubeconfig see it: an address of either family (IPv6 without
     * brackets) or a DNS name, without scheme or port. `/readyz` is polled at `https://<endpoint>:<port>`.
     */
    endpoint: pulumi.Input<string>;
    /** The API server's port. Default 6443. */
    port?: number;
    /** PEM of the cluster CA; the wait verifies the API server's certificate against it. */
    clusterCaCertPem: pulumi.Input<string>;
    /** Seconds to wait for `/readyz` before failing the deployment. Default 1200. */
    readinessTimeoutSeconds?: number;
    /** Seconds between attempts. Default 10. */
    readinessIntervalSeconds?: number;
    /**
     * Values whose change makes the wait run again, e.g. the control-plane instance ids. Passing
     * them also makes the Kubernetes resources depend on the machines, so `pulumi destroy` removes
     * those resources while the API still answers.
     */
    readinessTriggers?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Identifies the cluster to the Kubernetes provider. The provider, and every resource it
     * manages, is replaced when this changes, and only then: not when the kubeconfig changes
     * (a renewed admin certificate, another server address). Default: the component's name.
     * The Cluster gives the cluster name and the fingerprint of its ranges, so a rebuilt
     * cluster gets its Kubernetes resources anew.
     */
    clusterIdentifier?: pulumi.Input<string>;
}

/** What {@link createClusterApi} builds. */
export interface ClusterApiParts {
    /** The wait: an `ApiReadiness` dynamic resource, or in the plugin for other languages a `command:local:Command`. */
    readonly readiness: pulumi.CustomResource;
    readonly provider: kubernetes.Provider;
    readonly readyzUrl: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
}

/** Check the plain arguments; throws with a message naming the argument, the value and the limit. */
export function validateClusterApiArgs(args: ClusterApiArgs): void {
    const port = args.port ?? CLUSTER_API_DEFAULTS.port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`ClusterApi port is ${port}; it must be an integer from 1 to 65535 (the API server listens on 6443).`);
    }
    const timeout = args.readinessTimeoutSeconds ?? CLUSTER_API_DEFAULTS.readinessTimeoutSeconds;
    const interval = args.readinessIntervalSeconds ?? CLUSTER_API_DEFAULTS.readinessIntervalSeconds;
    if (!Number.isFinite(timeout) || timeout <= 0) {
        throw new Error(`ClusterApi readinessTimeoutSeconds is ${timeout}; it must be a positive number of seconds (default 1200).`);
    }
    if (!Number.isFinite(interval) || interval <= 0 || interval > timeout) {
        throw new Error(
            `ClusterApi readinessIntervalSeconds is ${interval}; it must be positive and at most readinessTimeoutSeconds (${timeout}).`,
        );
    }
    if (typeof args.endpoint === "string") validateEndpoint(args.endpoint);
}

function validateEndpoint(endpoint: string): string {
    if (endpoint === "" || endpoint.includes("/") || /^\[.*\]:\d+$/.test(endpoint) || /^[^:]+:\d+$/.test(endpoint)) {
        throw new Error(
            `ClusterApi endpoint is "${endpoint}"; give the host only (an address or DNS name, IPv6 without brackets), ` +
                `without scheme or port: the port is the "port" argument.`,
        );
    }
    return endpoint;
}

/** Build the readiness wait and the provider that depends on it. */
export function createClusterApi(name: string, args: ClusterApiArgs, parent: pulumi.Resource): ClusterApiParts {
    validateClusterApiArgs(args);
    const port = args.port ?? CLUSTER_API_DEFAULTS.port;
    const url = pulumi.output(args.endpoint).apply((endpoint) => readyzUrl(validateEndpoint(endpoint), port));
    const waitArgs: ApiReadinessArgs = {
        url,
        caCertPem: args.clusterCaCertPem,
        timeoutSeconds: args.readinessTimeoutSeconds ?? CLUSTER_API_DEFAULTS.readinessTimeoutSeconds,
        intervalSeconds: args.readinessIntervalSeconds ?? CLUSTER_API_DEFAULTS.readinessIntervalSeconds,
        triggers: args.readinessTriggers,
    };
    // Node.js programs: a dynamic resource. Inside the plugin that serves other languages, a
    // dynamic resource cannot run (pulumi/pulumi#5455): a local command runs the same wait.
    const readiness =
        readinessMechanism() === "command"
            ? createReadinessCommand(`${name}-readyz`, waitArgs, { parent })
            : new ApiReadiness(`${name}-readyz`, waitArgs, { parent });
    const kubeconfig = pulumi.secret(args.kubeconfig);
    const provider = new kubernetes.Provider(
        `${name}-provider`,
        {
            kubeconfig,
            clusterIdentifier: args.clusterIdentifier ?? name,
            // The cluster lives in machines this program owns: when they are gone (pulumi
            // destroy, a rebuild), their Kubernetes resources go from the state with them.
            deleteUnreachable: true,
            // Server-side apply: the Installation CRD (~1.4 MB) is too large for a client-side
            // apply's last-applied annotation. It is the provider's default; stated because it matters.
            enableServerSideApply: true,
        },
        { parent, dependsOn: [readiness] },
    );
    return { readiness, provider, readyzUrl: url, kubeconfig };
}

/**
 * Each ClusterApi's readiness wait. Held here rather than in a property: the cross-language
 * schema lists every property of a component as an output, and other languages cannot refer
 * to a dynamic resource.
 */
const readinessWaits = new WeakMap<ClusterApi, pulumi.CustomResource>();

/**
 * The Kubernetes API of a new cluster: `provider` is a Kubernetes provider built from the admin
 * kubeconfig that depends on a wait until `/readyz` answers (bounded by `readinessTimeoutSeconds`),
 * so resources created with it are sent only once the API server is ready.
 */
export class ClusterApi extends pulumi.ComponentResource {
    /** Kubernetes provider for the cluster; use it (`{ provider }`) for every Kubernetes resource. */
    public readonly provider: kubernetes.Provider;
    /** The admin kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The URL the wait polls. */
    public readonly readyzUrl: pulumi.Output<string>;

    constructor(name: string, args: ClusterApiArgs, opts?: pulumi.ComponentResourceOptions) {
        validateClusterApiArgs(args);
        super("dualstack:index:ClusterApi", name, {}, opts);
        const parts = createClusterApi(name, args, this);
        this.provider = parts.provider;
        readinessWaits.set(this, parts.readiness);
        this.kubeconfig = parts.kubeconfig;
        this.readyzUrl = parts.readyzUrl;
        this.registerOutputs({ kubeconfig: this.kubeconfig, readyzUrl: this.readyzUrl });
    }

    /**
     * The readiness wait (an `ApiReadiness` dynamic resource in Node.js programs); add it to
     * `dependsOn` where a provider is not used (or depend on the ClusterApi itself, which waits
     * for it too).
     */
    public get readiness(): pulumi.CustomResource {
        return readinessWaits.get(this) as pulumi.CustomResource;
    }
}
