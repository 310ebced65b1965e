/**
 * One verification of a live cluster: read the nodes, kubeadm's ranges and Calico's pools; start
 * a server pod and a probe pod on two nodes in a namespace of their own, behind a Service; judge
 * what the probe pod saw; and delete the namespace, whatever happened.
 */
import * as http from "http";
import type { V1Service } from "@kubernetes/client-node";
import { IpFamily } from "../addressing/family";
import { DEFAULTS } from "../config/load";
import { addressOf, checkCalicoPools, checkClusterRanges, checkNodeAddresses, checkNodes, checkPodAddresses, pickNodes, row } from "./checks";
import { kubeadmNetworking, loadBalancerIngress, nodeFacts, podFacts, poolFacts, serviceFacts } from "./facts";
import { KubernetesApiError, VerifyApi, VerifyUnavailableError } from "./kubernetesApi";
import {
    DEFAULT_IMAGE,
    LOAD_BALANCER_SERVICE,
    namespaceManifest,
    PROBE_POD,
    probePod,
    SERVER_POD,
    SERVER_PORT,
    serverPod,
    SERVICE_NAME,
    SERVICE_PORT,
    serviceManifest,
} from "./manifests";
import { evaluateProbes, httpUrl, parseProbeLog, planProbes, probeBudgetSeconds, ProbeContext, ProbeRun } from "./probes";
import {
    CHECK_IDS,
    CheckResult,
    CleanupResult,
    ClusterFacts,
    EgressTarget,
    Expectations,
    LoadBalancerSupport,
    PodFacts,
    ServiceFacts,
} from "./types";

/** kubeadm's default `networking.dnsDomain`. */
export const KUBEADM_DNS_DOMAIN = "cluster.local";

/** Time, for waits (tests pass one that does not sleep). */
export interface Clock {
    now(): number;
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
            if (signal?.aborted) return reject(signal.reason);
            const timer = setTimeout(() => {
                signal?.removeEventListener("abort", onAbort);
                resolve();
            }, ms);
            const onAbort = () => {
                clearTimeout(timer);
                reject(signal?.reason);
            };
            signal?.addEventListener("abort", onAbort, { once: true });
        }),
};

/** Defaults of {@link VerifyOptions}. */
export const VERIFY_DEFAULTS = {
    image: DEFAULT_IMAGE,
    timeoutSeconds: DEFAULTS.verifyTimeoutSeconds,
    probeTimeoutSeconds: 5,
    pollIntervalMs: 2000,
} as const;

/** How to verify. */
export interface VerifyOptions {
    /** The expectations, from what the cluster shows (its ULA ID, kubeadm's ranges). */
    readonly expect: (facts: ClusterFacts) => Expectations;
    /** The test pods' image (agnhost or a mirror of it). */
    readonly image?: string;
    /** Egress targets, at most one per family. */
    readonly egressTargets?: readonly EgressTarget[];
    /** Seconds to wait for the test pods to run, and for a load balancer's address. Default 300. */
    readonly timeoutSeconds?: number;
    /** The test namespace's name; default: `dualstack-verify-` and five characters from the API. */
    readonly namespace?: string;
    /** First wait (up to the timeout) until every planned node is registered and Ready: right after `pulumi up`. */
    readonly waitForNodes?: boolean;
    /** Seconds each probe (one curl, dig or nc) may take. Default 5. */
    readonly probeTimeoutSeconds?: number;
    /** Milliseconds between reads while waiting. Default 2000. */
    readonly pollIntervalMs?: number;
    /** The Services' port. Default 80. */
    readonly servicePort?: number;
    readonly clock?: Clock;
    /** Abort the run (Ctrl-C); the namespace is still deleted. */
    readonly signal?: AbortSignal;
    /** Progress for people, one line at a time. */
    readonly progress?: (message: string) => void;
}

/** What a verification found. */
export interface VerifyReport {
    /** The API server's URL. */
    readonly server: string;
    readonly expectations: Expectations;
    /** One row per check and family, in report order. */
    readonly results: readonly CheckResult[];
    readonly cleanup: CleanupResult;
}

/** True when no check failed (skips are not failures). */
export function verificationPassed(results: readonly CheckResult[]): boolean {
    return !results.some((r) => r.result === "fail");
}

/** The failed rows as lines: `pod-to-pod IPv6: expected …`. */
export function describeFailures(results: readonly CheckResult[]): string[] {
    return results.filter((r) => r.result === "fail").map((r) => `${r.check}${r.family === "all" ? "" : ` ${r.family}`}: ${r.evidence}`);
}

/** Rows in report order: check, then family in cluster order. */
function ordered(results: readonly CheckResult[], families: readonly IpFamily[]): CheckResult[] {
    const familyRank = (f: CheckResult["family"]) => (f === "all" ? -1 : families.indexOf(f));
    return [...results].sort((a, b) => CHECK_IDS.indexOf(a.check) - CHECK_IDS.indexOf(b.check) || familyRank(a.family) - familyRank(b.family));
}

/** The pod checks of every family, all with one reason: they could not run. */
function podRowsWithout(expectations: Expectations, reason: string): CheckResult[] {
    const checks = ["pod-addresses", "pod-to-pod", "pod-to-service", "dns", "egress", "node-port", "load-balancer", "metadata-blocked"] as const;
    return expectations.families.flatMap((f) => checks.map((check) => row(check, f.family, "fail", reason)));
}

/** The `load-balancer` rows when no load balancer is tried. */
function loadBalancerSkipped(expectations: Expectations, reason: string): CheckResult[] {
    return expectations.families.map((f) => row("load-balancer", f.family, "skip", reason));
}

interface Context {
    readonly api: VerifyApi;
    readonly clock: Clock;
    readonly signal?: AbortSignal;
    readonly pollIntervalMs: number;
    readonly progress: (message: string) => void;
}

/** Read until `done`, or until the deadline; returns the last value read and whether it was done. */
async function waitUntil<T>(
    context: Context,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    deadline: number,
): Promise<{ value: T; done: boolean }> {
    for (;;) {
        context.signal?.throwIfAborted();
        const value = await read();
        if (done(value)) return { value, done: true };
        const left = deadline - context.clock.now();
        if (left <= 0) return { value, done: false };
        await context.clock.sleep(Math.min(context.pollIntervalMs, left), context.signal);
    }
}

/** Nodes, kubeadm's networking and Calico's pools. */
async function gatherFacts(
    context: Context,
    options: VerifyOptions,
    timeoutMs: number,
): Promise<{ facts: ClusterFacts; expectations: Expectations }> {
    const readNodes = async () => (await context.api.listNodes()).map(nodeFacts);
    let nodes = await readNodes();
    const readRest = async (current: typeof nodes): Promise<ClusterFacts> => {
        const [configMap, pools] = await Promise.all([context.api.readKubeadmConfig(), context.api.listIpPools()]);
        return {
            nodes: current,
            kubeadm: configMap && kubeadmNetworking(configMap),
            pools: pools?.items.map(poolFacts),
            poolsApi: pools?.api,
        };
    };
    let facts = await readRest(nodes);
    let expectations = options.expect(facts);
    if (options.waitForNodes) {
        const wanted = expectations.nodeCount ?? 1;
        const settled = (list: typeof nodes) => list.length >= wanted && list.every((n) => n.ready);
        if (!settled(nodes)) {
            context.progress(`waiting for ${wanted} Ready node${wanted === 1 ? "" : "s"}`);
            nodes = (await waitUntil(context, readNodes, settled, context.clock.now() + timeoutMs)).value;
            // Calico creates its pools while the nodes come up: read them again.
            facts = await readRest(nodes);
            expectations = options.expect(facts);
        }
    }
    return { facts, expectations };
}

/** Create the Service; a dual-stack Service the API refuses is retried single-stack, so the primary family is still tested. */
async function createService(
    context: Context,
    namespace: string,
    name: string,
    families: readonly IpFamily[],
    type: "NodePort" | "LoadBalancer",
    port: number,
    annotations?: Readonly<Record<string, string>>,
): Promise<{ service: ServiceFacts; object?: V1Service }> {
    try {
        const object = await context.api.createService(namespace, serviceManifest(name, families, type, port, annotations));
        return { service: serviceFacts(object), object };
    } catch (e) {
        if (!(e instanceof KubernetesApiError) || e.unavailable) throw e;
        const refused = `${e.status ?? ""} ${e.reason}`.trim();
        if (families.length > 1) {
            const single = await createService(context, namespace, name, families.slice(0, 1), type, port, annotations);
            return { ...single, service: { ...single.service, refused } };
        }
        return { service: { name, ipFamilies: [], clusterIPs: [], refused } };
    }
}

/** GET a URL from this machine; resolves with the answer or the error, never rejects. */
export function fetchText(url: string, timeoutMs: number): Promise<{ status?: number; body?: string; error?: string }> {
    return new Promise((resolve) => {
        const request = http.get(url, { timeout: timeoutMs, agent: false }, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => {
                if (body.length < 1024) body += chunk;
            });
            response.on("end", () => resolve({ status: response.statusCode, body: body.trim() }));
            response.on("error", (e) => resolve({ error: e.message }));
        });
        request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        request.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
}

/** `load-balancer`: the Service gets an ingress address of each family its cloud serves, and each answers from here. */
async function checkLoadBalancer(
    context: Context,
    namespace: string,
    support: LoadBalancerSupport,
    expectations: Expectations,
    port: number,
    deadline: number,
    probeTimeoutMs: number,
): Promise<CheckResult[]> {
    const served = expectations.families.map((f) => f.family).filter((f) => support.families.includes(f));
    const rows: CheckResult[] = expectations.families
        .filter((f) => !served.includes(f.family))
        .map((f) => row("load-balancer", f.family, "skip", `the cloud's load balancers do not serve ${f.family}`));
    if (served.length === 0) return rows;
    const created = await createService(context, namespace, LOAD_BALANCER_SERVICE, served, "LoadBalancer", port, support.annotations);
    if (created.object === undefined) {
        return [...rows, ...served.map((f) => row("load-balancer", f, "fail", `the API refused a LoadBalancer Service: ${created.service.refused ?? ""}`))];
    }
    context.progress(`waiting for the load balancer of Service ${LOAD_BALANCER_SERVICE}`);
    const complete = (ingress: string[]) => served.every((f) => addressOf(ingress, f) !== undefined);
    const { value: ingress } = await waitUntil(
        context,
        async () => loadBalancerIngress(await context.api.readService(namespace, LOAD_BALANCER_SERVICE)),
        complete,
        deadline,
    );
    for (const family of served) {
        const address = addressOf(ingress, family);
        if (address === undefined) {
            rows.push(row("load-balancer", family, "fail", `expected an ${family} ingress address on Service ${LOAD_BALANCER_SERVICE}; ingress: ${ingress.join(", ") || "none"} after waiting`));
            continue;
        }
        const url = httpUrl(address, port);
        const answer = await waitUntil(
            context,
            () => fetchText(url, probeTimeoutMs),
            (a) => a.status === 200 && a.body === SERVER_POD,
            Math.max(deadline, context.clock.now()),
        );
        const seen = answer.value.error ?? `HTTP ${answer.value.status} "${answer.value.body ?? ""}"`;
        rows.push(
            answer.done
                ? row("load-balancer", family, "pass", `${url} answered ${SERVER_POD} from this machine`)
                : row("load-balancer", family, "fail", `expected ${SERVER_POD} from ${url} (Service ${LOAD_BALANCER_SERVICE}) from this machine; got ${seen}`),
        );
    }
    return rows;
}

/** The test objects: server, Service, probe pod, load balancer; every pod row of every family. */
async function runTestObjects(
    context: Context,
    namespace: string,
    facts: ClusterFacts,
    expectations: Expectations,
    nodes: { server: string; probe: string },
    options: VerifyOptions,
): Promise<CheckResult[]> {
    const image = options.image ?? VERIFY_DEFAULTS.image;
    const timeoutMs = (options.timeoutSeconds ?? VERIFY_DEFAULTS.timeoutSeconds) * 1000;
    const probeTimeout = options.probeTimeoutSeconds ?? VERIFY_DEFAULTS.probeTimeoutSeconds;
    const port = options.servicePort ?? SERVICE_PORT;
    const families = expectations.families.map((f) => f.family);
    const { api, clock } = context;

    try {
        await api.createPod(namespace, serverPod(image, nodes.server));
    } catch (e) {
        if (!(e instanceof KubernetesApiError) || e.unavailable) throw e;
        return podRowsWithout(expectations, `the API refused the server pod: ${e.status ?? ""} ${e.reason}`);
    }
    const { service } = await createService(context, namespace, SERVICE_NAME, families, "NodePort", port);

    context.progress(`waiting for pod ${SERVER_POD} on ${nodes.server}`);
    const started = clock.now();
    const serverWait = await waitUntil(
        context,
        async () => podFacts(await api.readPod(namespace, SERVER_POD)),
        (p) => p.ready || p.phase === "Failed" || p.phase === "Succeeded",
        started + timeoutMs,
    );
    const server: PodFacts = { ...serverWait.value, node: serverWait.value.node ?? nodes.server };
    if (!server.ready) {
        const waited = Math.round((clock.now() - started) / 1000);
        const reason = `pod ${SERVER_POD} on ${nodes.server} is not ready after ${waited} s (${server.problem ?? `phase ${server.phase ?? "unknown"}`})`;
        return [
            ...checkPodAddresses([server], expectations),
            ...podRowsWithout(expectations, reason).filter((r) => r.check !== "pod-addresses"),
        ];
    }

    const serverNode = facts.nodes.find((n) => n.name === server.node);
    const probeContext: ProbeContext = {
        families: expectations.families,
        server,
        probePod: PROBE_POD,
        probeNode: nodes.probe,
        serverNodeAddresses: serverNode?.internalIPs ?? [],
        service,
        serviceName: `${SERVICE_NAME}.${namespace}.svc.${facts.kubeadm?.dnsDomain ?? KUBEADM_DNS_DOMAIN}.`,
        serverPort: SERVER_PORT,
        servicePort: port,
        egressTargets: options.egressTargets ?? [],
        blockMetadata: expectations.blockMetadata,
    };
    const probes = planProbes(probeContext);
    const budget = probeBudgetSeconds(probes, probeTimeout);
    const deadlineSeconds = Math.ceil(timeoutMs / 1000) + budget;
    let probeFacts: PodFacts | undefined;
    let run: ProbeRun;
    try {
        await api.createPod(namespace, probePod(image, nodes.probe, probes, probeTimeout, deadlineSeconds));
        context.progress(`probing from pod ${PROBE_POD} on ${nodes.probe} (${probes.length} probes)`);
        const probeWait = await waitUntil(
            context,
            async () => podFacts(await api.readPod(namespace, PROBE_POD)),
            (p) => p.phase === "Succeeded" || p.phase === "Failed",
            clock.now() + deadlineSeconds * 1000,
        );
        probeFacts = { ...probeWait.value, node: probeWait.value.node ?? nodes.probe };
        const log = probeFacts.phase === "Pending" ? "" : await api.readPodLog(namespace, PROBE_POD);
        const parsed = parseProbeLog(log);
        const problem = !probeWait.done
            ? `pod ${PROBE_POD} on ${nodes.probe} did not finish within ${deadlineSeconds} s (${probeFacts.problem ?? `phase ${probeFacts.phase ?? "unknown"}`})`
            : !parsed.complete
              ? `pod ${PROBE_POD} stopped before it ran every probe (${probeFacts.problem ?? `phase ${probeFacts.phase ?? "unknown"}`})`
              : undefined;
        run = { results: parsed.results, problem };
    } catch (e) {
        if (!(e instanceof KubernetesApiError) || e.unavailable) throw e;
        run = { results: [], problem: `the API refused: ${e.message}` };
    }

    const rows = [...checkPodAddresses(probeFacts ? [server, probeFacts] : [server], expectations), ...evaluateProbes(probeContext, probes, run)];
    const support = expectations.loadBalancer;
    if ("missing" in support) {
        rows.push(...loadBalancerSkipped(expectations, support.missing));
    } else {
        rows.push(...(await checkLoadBalancer(context, namespace, support, expectations, port, clock.now() + timeoutMs, probeTimeout * 1000)));
    }
    return rows;
}

/** Why the run could not finish, with what became of the namespace. */
function unavailable(e: unknown, cleanup: CleanupResult, signal?: AbortSignal): Error {
    const left =
        cleanup.namespace === undefined
            ? ""
            : cleanup.deleted
              ? `; test namespace ${cleanup.namespace} deleted`
              : `; test namespace ${cleanup.namespace} is left (${cleanup.error ?? "not deleted"}): kubectl delete namespace ${cleanup.namespace}`;
    if (signal?.aborted) return new VerifyUnavailableError(`interrupted${left}`);
    if (e instanceof KubernetesApiError || e instanceof VerifyUnavailableError) return new VerifyUnavailableError(`${e.message}${left}`);
    return e instanceof Error ? e : new Error(String(e));
}

/**
 * Verify a cluster through `api`. Resolves with every row; rejects with VerifyUnavailableError
 * when the cluster cannot be verified (unreachable, a missing permission, interrupted). The test
 * namespace is deleted on every path once it exists.
 */
export async function runVerify(api: VerifyApi, options: VerifyOptions): Promise<VerifyReport> {
    const context: Context = {
        api,
        clock: options.clock ?? SYSTEM_CLOCK,
        signal: options.signal,
        pollIntervalMs: options.pollIntervalMs ?? VERIFY_DEFAULTS.pollIntervalMs,
        progress: options.progress ?? (() => undefined),
    };
    const timeoutMs = (options.timeoutSeconds ?? VERIFY_DEFAULTS.timeoutSeconds) * 1000;
    let gathered: { facts: ClusterFacts; expectations: Expectations };
    try {
        gathered = await gatherFacts(context, options, timeoutMs);
    } catch (e) {
        throw unavailable(e, { deleted: false }, options.signal);
    }
    const { facts, expectations } = gathered;
    const families = expectations.families.map((f) => f.family);
    const results: CheckResult[] = [
        checkNodes(facts, expectations),
        ...checkNodeAddresses(facts, expectations),
        ...checkClusterRanges(facts, expectations),
        ...checkCalicoPools(facts, expectations),
    ];
    const nodes = pickNodes(facts.nodes);
    if (nodes === undefined) {
        const reason = "no node can take the test pods (Ready, not cordoned, no NoSchedule or NoExecute taint)";
        return { server: api.server, expectations, results: ordered([...results, ...podRowsWithout(expectations, reason)], families), cleanup: { deleted: false } };
    }

    let namespace: string | undefined;
    let failure: unknown;
    try {
        context.progress("creating the test namespace");
        const created = await api.createNamespace(namespaceManifest(options.namespace));
        namespace = created.metadata?.name ?? options.namespace;
        if (namespace === undefined) throw new VerifyUnavailableError("the API created a namespace without a name");
        results.push(...(await runTestObjects(context, namespace, facts, expectations, nodes, options)));
    } catch (e) {
        failure =
            e instanceof KubernetesApiError && e.action === "create namespaces" && !e.unavailable && options.namespace !== undefined
                ? new VerifyUnavailableError(`${e.message}; verify creates the namespace it is given and deletes it afterwards: give a --namespace that does not exist`)
                : e;
    }
    let cleanup: CleanupResult = { deleted: false };
    if (namespace !== undefined) {
        context.progress(`deleting namespace ${namespace}`);
        try {
            await api.deleteNamespace(namespace);
            cleanup = { namespace, deleted: true };
        } catch (e) {
            cleanup = { namespace, deleted: false, error: e instanceof Error ? e.message : String(e) };
        }
    }
    if (failure !== undefined) throw unavailable(failure, cleanup, options.signal);
    return { server: api.server, expectations, results: ordered(results, families), cleanup };
}
