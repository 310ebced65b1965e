/**
 * Waiting for the Kubernetes API: a bounded poll of `GET /readyz`, verifying the server's TLS
 * certificate against the cluster CA, and a Pulumi dynamic resource that runs it at `pulumi up`
 * so that no Kubernetes resource is sent to an API server that is still booting.
 *
 * The functions the dynamic provider calls are serialized into the Pulumi state and run by the
 * engine's dynamic-provider host, so they are self-contained on purpose: plain function
 * declarations, Node built-ins loaded with `require` inside the function, no imports of this
 * package, no `export const`.
 */
import * as pulumi from "@pulumi/pulumi";

/** What one `GET /readyz` gave. */
export interface ProbeResult {
    /** True when the server answered 200. */
    readonly ready: boolean;
    /** HTTP status, when the server answered at all. */
    readonly status?: number;
    /** The start of the answer's body (readyz names the failing checks). */
    readonly body?: string;
    /**
     * Why there was no answer: a Node error code (`ECONNREFUSED`, `EHOSTUNREACH`, TLS codes such as
     * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`) or `CONNECT_TIMEOUT` / `RESPONSE_TIMEOUT`.
     */
    readonly errorCode?: string;
    readonly errorMessage?: string;
}

/** How to wait. */
export interface ReadinessOptions {
    /** `https://<endpoint>:6443/readyz` (an `http:` URL is accepted too, for tests). */
    readonly url: string;
    /** PEM of the cluster CA: the server certificate must chain to it and name the endpoint. */
    readonly caPem?: string;
    /** Give up after this long (milliseconds). */
    readonly timeoutMs: number;
    /** Pause between attempts (milliseconds). */
    readonly intervalMs: number;
    /** Limit for one attempt, connection and answer (milliseconds); default 10 s, never past the deadline. */
    readonly requestTimeoutMs?: number;
    /** Called after each attempt that was not ready, before the pause (progress, tests). */
    readonly onAttempt?: (probe: ProbeResult, attempt: number) => void | Promise<void>;
}

/** How the wait ended when the API became ready. */
export interface ReadinessResult {
    readonly attempts: number;
    readonly waitedMs: number;
}

/** `https://host:port/readyz`, with brackets around an IPv6 address. */
export function readyzUrl(host: string, port: number): string {
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    return `https://${bare.includes(":") ? `[${bare}]` : bare}:${port}/readyz`;
}

/** One `GET` of the readyz URL, resolved (never rejected) with what happened. */
export function probeReadyz(url: string, caPem: string | undefined, timeoutMs: number): Promise<ProbeResult> {
    const target = new URL(url);
    const transport: typeof import("https") = target.protocol === "http:" ? require("http") : require("https");
    return new Promise<ProbeResult>((resolve) => {
        let done = false;
        let timer: ReturnType<typeof setTimeout> | undefined = undefined;
        const finish = (result: ProbeResult): void => {
            if (done) return;
            done = true;
            if (timer !== undefined) clearTimeout(timer);
            resolve(result);
        };
        const request = transport.request(
            target,
            { method: "GET", ca: caPem, agent: false, headers: { accept: "text/plain" } },
            (response) => {
                let body = "";
                response.setEncoding("utf8");
                response.on("data", (chunk: string) => {
                    if (body.length < 1024) body += chunk;
                });
                response.on("end", () => finish({ ready: response.statusCode === 200, status: response.statusCode, body: body.trim() }));
                response.on("error", (e: NodeJS.ErrnoException) => finish({ ready: false, errorCode: e.code, errorMessage: e.message }));
            },
        );
        timer = setTimeout(() => {
            const connecting = request.socket === null || request.socket === undefined || request.socket.connecting;
            finish({
                ready: false,
                errorCode: connecting ? "CONNECT_TIMEOUT" : "RESPONSE_TIMEOUT",
                errorMessage: `${connecting ? "no connection" : "no answer"} within ${formatDuration(timeoutMs)}`,
            });
            request.destroy();
        }, timeoutMs);
        request.on("error", (e: NodeJS.ErrnoException) => finish({ ready: false, errorCode: e.code, errorMessage: e.message }));
        request.end();
    });
}

/**
 * Poll `GET /readyz` until it answers 200 or the time is up. Rejects with a message naming the
 * URL, the time waited, what the last attempt saw and what to check.
 */
export async function waitForApiReady(options: ReadinessOptions): Promise<ReadinessResult> {
    if (!(options.timeoutMs > 0) || !(options.intervalMs > 0)) {
        throw new Error(`waitForApiReady: timeoutMs and intervalMs must be positive (got ${options.timeoutMs} and ${options.intervalMs})`);
    }
    const start = Date.now();
    const deadline = start + options.timeoutMs;
    const requestLimit = options.requestTimeoutMs ?? 10000;
    // What to report when time is up: the last attempt, unless the deadline cut that one short
    // (then it says nothing about the API) and an earlier attempt saw more.
    let telling: ProbeResult | undefined;
    for (let attempt = 1; ; attempt++) {
        const limit = Math.min(requestLimit, Math.max(1, deadline - Date.now()));
        const probe = await probeReadyz(options.url, options.caPem, limit);
        if (probe.ready) return { attempts: attempt, waitedMs: Date.now() - start };
        const cutShort = limit < requestLimit && (probe.errorCode === "CONNECT_TIMEOUT" || probe.errorCode === "RESPONSE_TIMEOUT");
        if (!cutShort || telling === undefined) telling = probe;
        if (options.onAttempt) await options.onAttempt(probe, attempt);
        if (Date.now() + options.intervalMs >= deadline) {
            throw new Error(readinessTimeoutMessage(options.url, options.timeoutMs, Date.now() - start, attempt, telling));
        }
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
}

/** The refusal when the API never became ready: URL, time, last observation, and what to check. */
export function readinessTimeoutMessage(url: string, timeoutMs: number, waitedMs: number, attempts: number, last: ProbeResult): string {
    return (
        `The Kubernetes API at ${url} did not become ready within ${formatDuration(timeoutMs)} ` +
        `(waited ${formatDuration(waitedMs)}, ${attempts} attempt${attempts === 1 ? "" : "s"}). ` +
        `Last attempt: ${describeProbe(last)}. ${probeHint(last)}`
    );
}

/** What an attempt saw, in words. */
export function describeProbe(probe: ProbeResult): string {
    if (probe.status !== undefined) {
        const body = (probe.body ?? "").replace(/\s+/g, " ").slice(0, 300);
        return `HTTP ${probe.status}${body ? ` "${body}"` : ""}`;
    }
    switch (probe.errorCode) {
        case "CONNECT_TIMEOUT":
        case "ETIMEDOUT":
            return `the connection timed out (${probe.errorMessage ?? probe.errorCode})`;
        case "ECONNREFUSED":
            return "the connection was refused";
        default:
            return `${probe.errorCode ?? "error"}: ${probe.errorMessage ?? "no detail"}`;
    }
}

/** What to check, given the last attempt. */
export function probeHint(probe: ProbeResult): string {
    if (probe.status === 401 || probe.status === 403) {
        return (
            "The API server answers but refuses anonymous /readyz, which kubeadm allows by default " +
            "(ClusterRole system:public-info-viewer); restore that binding or --anonymous-auth."
        );
    }
    if (probe.status !== undefined) {
        return (
            "The API server runs but is not ready (the body names the failing checks, often etcd); " +
            "look at kubelet and kube-apiserver logs on the first control-plane node."
        );
    }
    const code = probe.errorCode ?? "";
    if (code === "CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
        return (
            "Nothing answered: check that the address pulumi runs from is inside dualstack:access.apiAllowedCidrs " +
            "(the security group admits port 6443 only from those ranges), that the floating IP or load balancer is " +
            "reachable from here, and that the first control-plane node booted (its console log)."
        );
    }
    if (code === "ECONNREFUSED") {
        return (
            "The endpoint is reachable but nothing listens on the API port yet: kubeadm init has not started the API " +
            "server. See /var/log/cloud-init-output.log on the first control-plane node."
        );
    }
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") {
        return "This machine has no route to the endpoint (an IPv6 endpoint from an IPv4-only network?): run pulumi from a network that reaches it.";
    }
    if (code === "RESPONSE_TIMEOUT" || code === "ECONNRESET") {
        return "The endpoint accepted the connection but did not answer: the API server is starting or overloaded, or a load balancer has no healthy member yet.";
    }
    if (/CERT|SIGNATURE|SELF_SIGNED|ALTNAME|ERR_TLS|ERR_SSL/.test(code)) {
        return (
            "TLS verification failed: the server certificate must chain to the cluster CA and name this endpoint " +
            "(its address or DNS name must be in the API server's certSANs)."
        );
    }
    return "Check the endpoint address and port.";
}

/** `850 ms`, `4.2 s`, `45 s`, `20 min`, `3 min 5 s`. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 10000) return `${(ms / 1000).toFixed(1)} s`;
    const seconds = Math.round(ms / 1000);
    if (seconds < 120) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** Inputs of the readiness resource, as the engine hands them to the provider. */
interface ApiReadinessState {
    url: string;
    caCertPem?: string;
    timeoutSeconds: number;
    intervalSeconds: number;
    triggers?: string[];
    attempts?: number;
    waitedSeconds?: number;
}

/** Run the wait for the dynamic provider's create and update. */
async function runReadiness(inputs: ApiReadinessState): Promise<ApiReadinessState> {
    const result = await waitForApiReady({
        url: inputs.url,
        caPem: inputs.caCertPem,
        timeoutMs: inputs.timeoutSeconds * 1000,
        intervalMs: inputs.intervalSeconds * 1000,
    });
    return { ...inputs, attempts: result.attempts, waitedSeconds: Math.round(result.waitedMs / 1000) };
}

/** Only these inputs make the wait run again; a new timeout or interval does not. */
function readinessChanged(olds: ApiReadinessState, news: ApiReadinessState): boolean {
    return (
        olds.url !== news.url ||
        olds.caCertPem !== news.caCertPem ||
        JSON.stringify(olds.triggers ?? []) !== JSON.stringify(news.triggers ?? [])
    );
}

/** The dynamic provider: create and update wait; delete has nothing to remove. */
const apiReadinessProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ApiReadinessState) {
        const outs = await runReadiness(inputs);
        return { id: inputs.url, outs };
    },
    async diff(_id: string, olds: ApiReadinessState, news: ApiReadinessState) {
        return { changes: readinessChanged(olds, news) };
    },
    async update(_id: string, _olds: ApiReadinessState, news: ApiReadinessState) {
        return { outs: await runReadiness(news) };
    },
};

/** The provider object (for tests that serialize it as the engine does). */
export function apiReadinessResourceProvider(): pulumi.dynamic.ResourceProvider {
    return apiReadinessProvider;
}

/** Arguments of {@link ApiReadiness}. */
export interface ApiReadinessArgs {
    /** The readyz URL, e.g. `https://203.0.113.10:6443/readyz`. */
    url: pulumi.Input<string>;
    /** PEM of the cluster CA that signed the API server's certificate. */
    caCertPem: pulumi.Input<string>;
    /** Give up after this many seconds. */
    timeoutSeconds: number;
    /** Seconds between attempts. */
    intervalSeconds: number;
    /** Values whose change makes the wait run again (e.g. control-plane instance ids). */
    triggers?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * A wait until the Kubernetes API answers `/readyz`: a dynamic resource whose create (and
 * update, when the URL, CA or triggers change) polls the endpoint. Under preview it does nothing.
 */
export class ApiReadiness extends pulumi.dynamic.Resource {
    declare readonly url: pulumi.Output<string>;
    /** Attempts the last wait took. */
    declare readonly attempts: pulumi.Output<number>;
    /** Seconds the last wait took. */
    declare readonly waitedSeconds: pulumi.Output<number>;

    constructor(name: string, args: ApiReadinessArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            apiReadinessProvider,
            name,
            {
                url: args.url,
                caCertPem: args.caCertPem,
                timeoutSeconds: args.timeoutSeconds,
                intervalSeconds: args.intervalSeconds,
                triggers: args.triggers ?? [],
                attempts: undefined,
                waitedSeconds: undefined,
            },
            opts,
            undefined,
            "ApiReadiness",
        );
    }
}
