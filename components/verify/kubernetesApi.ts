/**
 * The Kubernetes API calls of `dualstack verify`, through the official client
 * (`@kubernetes/client-node`), and nothing else: every call is bounded by a timeout, and every
 * failure becomes a `KubernetesApiError` naming the call. The client is an ES module; it is
 * loaded when a cluster is verified, not when the package is imported.
 */
import type * as k8s from "@kubernetes/client-node";

/** The cluster cannot be verified at all: no kubeconfig, an unreachable API, a missing permission. */
export class VerifyUnavailableError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "VerifyUnavailableError";
    }
}

/** A failed API call. `unavailable` for the failures that end the run (no answer, 401, 403, 5xx). */
export class KubernetesApiError extends Error {
    constructor(
        readonly action: string,
        readonly server: string,
        /** HTTP status, when the API answered. */
        readonly status: number | undefined,
        /** The API's own message, or the connection error. */
        readonly reason: string,
    ) {
        super(
            status === undefined
                ? `the Kubernetes API at ${server} is unreachable (${action}: ${reason})`
                : `the Kubernetes API at ${server} refused to ${action} (${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ""}): ${reason}`,
        );
        this.name = "KubernetesApiError";
    }

    /** True for failures after which nothing else will work either. */
    get unavailable(): boolean {
        return this.status === undefined || this.status === 401 || this.status === 403 || this.status >= 500;
    }
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
};

/** A Calico IP pool object as the API returns it. */
export interface IpPoolObject {
    readonly metadata?: { readonly name?: string };
    readonly spec?: {
        readonly cidr?: string;
        readonly blockSize?: number;
        readonly ipipMode?: string;
        readonly vxlanMode?: string;
        readonly natOutgoing?: boolean;
        readonly disabled?: boolean;
    };
}

/** Everything verify asks of the API. */
export interface VerifyApi {
    /** The API server URL, for messages. */
    readonly server: string;
    listNodes(): Promise<k8s.V1Node[]>;
    /** The `kube-system/kubeadm-config` ConfigMap; undefined when there is none. */
    readKubeadmConfig(): Promise<k8s.V1ConfigMap | undefined>;
    /** Calico's pools from the first API that serves them; undefined when none does. */
    listIpPools(): Promise<{ api: string; items: IpPoolObject[] } | undefined>;
    createNamespace(body: k8s.V1Namespace): Promise<k8s.V1Namespace>;
    deleteNamespace(name: string): Promise<void>;
    createPod(namespace: string, body: k8s.V1Pod): Promise<k8s.V1Pod>;
    readPod(namespace: string, name: string): Promise<k8s.V1Pod>;
    readPodLog(namespace: string, name: string): Promise<string>;
    createService(namespace: string, body: k8s.V1Service): Promise<k8s.V1Service>;
    readService(namespace: string, name: string): Promise<k8s.V1Service>;
}

/** Where the kubeconfig comes from. */
export type KubeconfigInput =
    | { readonly files: readonly string[]; readonly context?: string }
    | { readonly text: string; readonly context?: string };

/** Each request's limit unless given. */
export const REQUEST_TIMEOUT_MS = 30_000;

function loadClient(): typeof k8s {
    try {
        return require("@kubernetes/client-node") as typeof k8s;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ERR_REQUIRE_ESM") {
            throw new VerifyUnavailableError(
                `verify needs Node.js 20.19 or later (or 22.12 or later): @kubernetes/client-node is an ES module, which Node.js ${process.versions.node} cannot load here`,
            );
        }
        throw e;
    }
}

/** The API's message out of an error body (a `Status` object as JSON text). */
function apiMessage(body: unknown): string {
    const text = typeof body === "string" ? body : JSON.stringify(body ?? "");
    try {
        const status = JSON.parse(text) as { message?: unknown };
        if (typeof status.message === "string") return status.message;
    } catch {
        // Not JSON: the body itself.
    }
    return text.replace(/\s+/g, " ").slice(0, 300) || "no message";
}

/** Turn whatever the client threw into a KubernetesApiError. */
export function toApiError(action: string, server: string, e: unknown, timeoutMs: number): KubernetesApiError {
    const err = e as { code?: unknown; body?: unknown; name?: string; message?: string };
    if (typeof err.code === "number") return new KubernetesApiError(action, server, err.code, apiMessage(err.body));
    if (err.name === "AbortError") return new KubernetesApiError(action, server, undefined, `no answer within ${Math.round(timeoutMs / 1000)} s`);
    const reason = (err.message ?? String(e)).replace(/^request to \S+ failed, reason: /, "");
    return new KubernetesApiError(action, server, undefined, reason.split("\n")[0]);
}

function loadKubeconfig(client: typeof k8s, input: KubeconfigInput): k8s.KubeConfig {
    const kubeconfig = new client.KubeConfig();
    try {
        if ("text" in input) {
            kubeconfig.loadFromString(input.text);
        } else {
            const [first, ...rest] = input.files;
            kubeconfig.loadFromFile(first);
            for (const file of rest) {
                const more = new client.KubeConfig();
                more.loadFromFile(file);
                kubeconfig.mergeConfig(more);
            }
        }
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const where = "text" in input ? "the kubeconfig" : `kubeconfig ${input.files.join(", ")}`;
        const reason = err.code === "ENOENT" ? `no such file: ${err.path ?? ""}` : (err.message ?? String(e)).split("\n")[0];
        throw new VerifyUnavailableError(`${where} cannot be read: ${reason}`);
    }
    if (input.context !== undefined) {
        if (kubeconfig.getContextObject(input.context) === null) {
            const known = kubeconfig.getContexts().map((c) => c.name);
            throw new VerifyUnavailableError(`the kubeconfig has no context "${input.context}" (contexts: ${known.join(", ") || "none"})`);
        }
        kubeconfig.setCurrentContext(input.context);
    }
    if (kubeconfig.getCurrentCluster() === null) {
        throw new VerifyUnavailableError("the kubeconfig names no current cluster (set current-context, or give --context)");
    }
    return kubeconfig;
}

/** Connect to the cluster of a kubeconfig. Nothing is sent until a call is made. */
export function connectKubernetes(input: KubeconfigInput, requestTimeoutMs: number = REQUEST_TIMEOUT_MS): VerifyApi {
    const client = loadClient();
    const kubeconfig = loadKubeconfig(client, input);
    const server = (kubeconfig.getCurrentCluster() as k8s.Cluster).server;
    const timeout: k8s.Middleware = {
        pre: async (context) => {
            context.setSignal(AbortSignal.timeout(requestTimeoutMs));
            return context;
        },
        post: async (context) => context,
    };
    const configuration = client.createConfiguration({
        baseServer: new client.ServerConfiguration(server, {}),
        authMethods: { default: kubeconfig },
        promiseMiddleware: [timeout],
    });
    const core = new client.CoreV1Api(configuration);
    const custom = new client.CustomObjectsApi(configuration);
    const call = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
        try {
            return await run();
        } catch (e) {
            throw toApiError(action, server, e, requestTimeoutMs);
        }
    };
    const orUndefinedOn404 = async <T>(action: string, run: () => Promise<T>): Promise<T | undefined> => {
        try {
            return await call(action, run);
        } catch (e) {
            if (e instanceof KubernetesApiError && e.status === 404) return undefined;
            throw e;
        }
    };
    return {
        server,
        listNodes: async () => (await call("list nodes", () => core.listNode())).items,
        readKubeadmConfig: () =>
            orUndefinedOn404("get configmap kube-system/kubeadm-config", () => core.readNamespacedConfigMap({ namespace: "kube-system", name: "kubeadm-config" })),
        listIpPools: async () => {
            // The Kubernetes datastore's storage first; the Calico API server's view when only it answers.
            for (const [group, version] of [
                ["crd.projectcalico.org", "v1"],
                ["projectcalico.org", "v3"],
            ]) {
                const list = await orUndefinedOn404(`list ${group}/${version} ippools`, () => custom.listClusterCustomObject({ group, version, plural: "ippools" }));
                if (list !== undefined) return { api: `${group}/${version}`, items: ((list as { items?: IpPoolObject[] }).items ?? []) };
            }
            return undefined;
        },
        createNamespace: (body) => call("create namespaces", () => core.createNamespace({ body })),
        deleteNamespace: async (name) => {
            await call(`delete namespace ${name}`, () => core.deleteNamespace({ name }));
        },
        createPod: (namespace, body) => call(`create pods in ${namespace}`, () => core.createNamespacedPod({ namespace, body })),
        readPod: (namespace, name) => call(`get pod ${namespace}/${name}`, () => core.readNamespacedPod({ namespace, name })),
        readPodLog: (namespace, name) => call(`get the log of pod ${namespace}/${name}`, () => core.readNamespacedPodLog({ namespace, name })),
        createService: (namespace, body) => call(`create services in ${namespace}`, () => core.createNamespacedService({ namespace, body })),
        readService: (namespace, name) => call(`get service ${namespace}/${name}`, () => core.readNamespacedService({ namespace, name })),
    };
}
