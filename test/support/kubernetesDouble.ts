/**
 * A Kubernetes API test double: an HTTP server on loopback that answers the paths
 * `dualstack verify` calls with objects of the real API's shape (NodeList, ConfigMap, Calico
 * IPPool lists, Namespace, Pod, Service, pod logs, Status errors), scripted per scenario, and
 * records every call. It also stands in for the network: the probe pod's log is what the probe
 * script would print if the scenario's network carried (or dropped) each probe, read from the
 * pod's own `DUALSTACK_PROBES` environment variable.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { addressAt, cidr, parseAddress } from "../../components/addressing/cidr";
import { IpFamily } from "../../components/addressing/family";

/** One node of a scenario. */
export interface DoubleNode {
    readonly name: string;
    /** InternalIPs, in the order the node lists them. */
    readonly addresses: readonly string[];
    readonly ready?: boolean;
    readonly controlPlane?: boolean;
}

/** A Calico pool the double serves. */
export interface DoublePool {
    readonly name: string;
    readonly cidr: string;
    readonly blockSize: number;
    readonly ipipMode?: string;
    readonly vxlanMode?: string;
    readonly natOutgoing: boolean;
    readonly disabled?: boolean;
}

/** An injected failure: the status and message the API answers a call with. */
export interface Refusal {
    readonly status: number;
    readonly reason: string;
    readonly message: string;
}

/** What the double's cluster looks like and how its network behaves. */
export interface Scenario {
    /** Cluster families, primary first. */
    readonly families: readonly IpFamily[];
    readonly nodes: readonly DoubleNode[];
    readonly podCidrs: Readonly<Partial<Record<IpFamily, string>>>;
    readonly serviceCidrs: Readonly<Partial<Record<IpFamily, string>>>;
    /** Serve kube-system/kubeadm-config. Default true. */
    readonly kubeadmConfig?: boolean;
    /** The pools; "none" for no Calico CRD at all. Default: one per family over the pod range, /26 and /122, no encapsulation, NAT on. */
    readonly pools?: readonly DoublePool[] | "none";
    /** Families each new pod gets an address of. Default: every cluster family. */
    readonly podFamilies?: (pod: string) => readonly IpFamily[];
    /** Traffic of these families goes nowhere (probes time out). */
    readonly blocked?: readonly IpFamily[];
    /** Families whose metadata address answers pods. Default none. */
    readonly metadataReachable?: readonly IpFamily[];
    /** Families whose egress targets answer. Default every family. */
    readonly egressReachable?: readonly IpFamily[];
    /** Accept RequireDualStack Services. Default: with two families. */
    readonly dualStackServices?: boolean;
    /** The server pod never becomes ready: its image cannot be pulled. */
    readonly serverImagePullFails?: boolean;
    /** The probe pod's script is cut short after this many probes (no done line). */
    readonly probeCutAfter?: number;
    /** Ingress addresses the double's cloud gives a LoadBalancer Service. */
    readonly loadBalancerIngress?: readonly string[];
    /** The first this many node lists show the last node missing and the others NotReady (a cluster still coming up). */
    readonly nodesComingUp?: number;
    /** Namespaces that exist before the run (someone else's). */
    readonly namespaces?: readonly string[];
    /** Answer a call with an error instead. */
    readonly refuse?: (method: string, path: string) => Refusal | undefined;
}

/** One call the double answered. */
export interface RecordedCall {
    readonly method: string;
    readonly path: string;
    readonly body?: unknown;
}

type Json = Record<string, unknown>;

const METADATA: Readonly<Record<string, IpFamily>> = { "169.254.169.254": "IPv4", "fe80::a9fe:a9fe": "IPv6" };

/** A running double. */
export class KubernetesDouble {
    readonly calls: RecordedCall[] = [];
    private readonly namespaces = new Map<string, Json>();
    private readonly pods = new Map<string, Json>();
    private readonly services = new Map<string, Json>();
    private readonly podCount: Record<IpFamily, number> = { IPv4: 0, IPv6: 0 };
    private readonly serviceCount: Record<IpFamily, number> = { IPv4: 0, IPv6: 0 };
    private generated = 0;
    private nodeLists = 0;
    private server?: http.Server;

    constructor(readonly scenario: Scenario) {
        for (const name of scenario.namespaces ?? []) this.namespaces.set(name, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }

    /** Listen on a free loopback port; returns the URL. */
    async start(): Promise<string> {
        const server = http.createServer((req, res) => this.handle(req, res));
        this.server = server;
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        return this.url;
    }

    get url(): string {
        return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
    }

    /** A kubeconfig (YAML) that points at the double. */
    kubeconfig(): string {
        return [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - name: double",
            `    cluster: {server: "${this.url}", insecure-skip-tls-verify: true}`,
            "users:",
            "  - name: tester",
            "    user: {token: test-token}",
            "contexts:",
            "  - name: double",
            "    context: {cluster: double, user: tester}",
            "current-context: double",
            "",
        ].join("\n");
    }

    /** Stop listening and drop open connections. */
    async stop(): Promise<void> {
        const server = this.server;
        if (server === undefined) return;
        this.server = undefined;
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    /** The calls as `METHOD path` lines. */
    callLines(): string[] {
        return this.calls.map((c) => `${c.method} ${c.path}`);
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        let text = "";
        req.setEncoding("utf8");
        req.on("data", (chunk: string) => (text += chunk));
        req.on("end", () => {
            const method = req.method ?? "GET";
            const path = (req.url ?? "/").split("?")[0];
            const body = text === "" ? undefined : (JSON.parse(text) as unknown);
            this.calls.push({ method, path, body });
            const refusal = this.scenario.refuse?.(method, path);
            if (refusal !== undefined) return this.status(res, refusal.status, refusal.reason, refusal.message);
            try {
                this.route(method, path, body as Json | undefined, res);
            } catch (e) {
                this.status(res, 500, "InternalError", `the double failed: ${(e as Error).message}`);
            }
        });
    }

    private send(res: http.ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
        res.writeHead(status, { "content-type": contentType });
        res.end(typeof body === "string" ? body : JSON.stringify(body));
    }

    private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
        this.send(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
    }

    private route(method: string, path: string, body: Json | undefined, res: http.ServerResponse): void {
        const parts = path.split("/").filter((p) => p !== "");
        const s = this.scenario;
        if (method === "GET" && path === "/api/v1/nodes") {
            const comingUp = this.nodeLists++ < (s.nodesComingUp ?? 0);
            const nodes = comingUp ? s.nodes.slice(0, -1).map((n) => ({ ...n, ready: false })) : s.nodes;
            return this.send(res, 200, { apiVersion: "v1", kind: "NodeList", metadata: {}, items: nodes.map((n) => this.node(n)) });
        }
        if (method === "GET" && path === "/api/v1/namespaces/kube-system/configmaps/kubeadm-config") {
            if (s.kubeadmConfig === false) return this.status(res, 404, "NotFound", 'configmaps "kubeadm-config" not found');
            return this.send(res, 200, this.kubeadmConfigMap());
        }
        if (method === "GET" && path === "/apis/crd.projectcalico.org/v1/ippools") {
            if (s.pools === "none") return this.status(res, 404, "NotFound", "the server could not find the requested resource");
            return this.send(res, 200, { apiVersion: "crd.projectcalico.org/v1", kind: "IPPoolList", metadata: {}, items: this.poolObjects() });
        }
        if (method === "GET" && path === "/apis/projectcalico.org/v3/ippools") return this.status(res, 404, "NotFound", "the server could not find the requested resource");
        if (method === "POST" && path === "/api/v1/namespaces") return this.createNamespace(body ?? {}, res);
        if (parts[0] === "api" && parts[2] === "namespaces" && parts.length >= 4) {
            const namespace = parts[3];
            if (method === "DELETE" && parts.length === 4) {
                const ns = this.namespaces.get(namespace);
                if (ns === undefined) return this.status(res, 404, "NotFound", `namespaces "${namespace}" not found`);
                this.namespaces.delete(namespace);
                // Namespace deletion takes the namespace's objects with it.
                for (const objects of [this.pods, this.services]) for (const key of [...objects.keys()]) if (key.startsWith(`${namespace}/`)) objects.delete(key);
                return this.send(res, 200, { ...ns, status: { phase: "Terminating" } });
            }
            if (parts.length >= 5 && !this.namespaces.has(namespace)) return this.status(res, 404, "NotFound", `namespaces "${namespace}" not found`);
            if (parts[4] === "pods") return this.pod(method, namespace, parts[5], parts[6], body, res);
            if (parts[4] === "services") return this.service(method, namespace, parts[5], body, res);
        }
        this.status(res, 404, "NotFound", "the server could not find the requested resource");
    }

    private node(n: DoubleNode): Json {
        return {
            apiVersion: "v1",
            kind: "Node",
            metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, ...(n.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}) } },
            spec: n.controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {},
            status: {
                addresses: [...n.addresses.map((address) => ({ type: "InternalIP", address })), { type: "Hostname", address: n.name }],
                conditions: [{ type: "Ready", status: n.ready === false ? "False" : "True", reason: n.ready === false ? "KubeletNotReady" : "KubeletReady" }],
            },
        };
    }

    private ranges(map: Scenario["podCidrs"]): string {
        return this.scenario.families.map((f) => map[f]).filter((c): c is string => c !== undefined).join(",");
    }

    private kubeadmConfigMap(): Json {
        const clusterConfiguration = [
            "apiVersion: kubeadm.k8s.io/v1beta4",
            "kind: ClusterConfiguration",
            "kubernetesVersion: v1.34.2",
            "networking:",
            "  dnsDomain: cluster.local",
            `  podSubnet: ${this.ranges(this.scenario.podCidrs)}`,
            `  serviceSubnet: ${this.ranges(this.scenario.serviceCidrs)}`,
            "",
        ].join("\n");
        return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubeadm-config", namespace: "kube-system" }, data: { ClusterConfiguration: clusterConfiguration } };
    }

    private poolObjects(): Json[] {
        const pools: readonly DoublePool[] =
            this.scenario.pools === undefined
                ? this.scenario.families.map((f) => ({
                      name: `default-${f.toLowerCase()}-ippool`,
                      cidr: this.scenario.podCidrs[f] as string,
                      blockSize: f === "IPv4" ? 26 : 122,
                      ipipMode: "Never",
                      vxlanMode: "Never",
                      natOutgoing: true,
                  }))
                : (this.scenario.pools as readonly DoublePool[]);
        return pools.map((p) => ({
            apiVersion: "crd.projectcalico.org/v1",
            kind: "IPPool",
            metadata: { name: p.name },
            spec: { cidr: p.cidr, blockSize: p.blockSize, ipipMode: p.ipipMode, vxlanMode: p.vxlanMode, natOutgoing: p.natOutgoing, disabled: p.disabled, nodeSelector: "all()" },
        }));
    }

    private createNamespace(body: Json, res: http.ServerResponse): void {
        const metadata = (body.metadata ?? {}) as Json;
        const name = (metadata.name as string | undefined) ?? `${metadata.generateName as string}t${String(this.generated++).padStart(4, "0")}`;
        if (this.namespaces.has(name)) return this.status(res, 409, "AlreadyExists", `namespaces "${name}" already exists`);
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { ...metadata, name, uid: `uid-${name}` }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
        delete (ns.metadata as Json).generateName;
        this.namespaces.set(name, ns);
        this.send(res, 201, ns);
    }

    /** The node a pod is pinned to by its node affinity. */
    private nodeOf(pod: Json): string {
        const spec = pod.spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchFields?: Array<{ values?: string[] }> }> } } } };
        return spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] ?? "?";
    }

    private allocatePodIPs(name: string): string[] {
        const families = this.scenario.podFamilies?.(name) ?? this.scenario.families;
        return this.scenario.families
            .filter((f) => families.includes(f))
            .map((f) => addressAt(cidr(this.scenario.podCidrs[f] as string), BigInt(10 + this.podCount[f]++)));
    }

    private pod(method: string, namespace: string, name: string | undefined, sub: string | undefined, body: Json | undefined, res: http.ServerResponse): void {
        if (method === "POST" && name === undefined && body !== undefined) {
            const podName = (body.metadata as Json).name as string;
            const key = `${namespace}/${podName}`;
            if (this.pods.has(key)) return this.status(res, 409, "AlreadyExists", `pods "${podName}" already exists`);
            const stored = { ...body, metadata: { ...(body.metadata as Json), namespace, uid: `uid-${podName}` }, spec: { ...(body.spec as Json), nodeName: this.nodeOf(body) }, podIPs: this.allocatePodIPs(podName) };
            this.pods.set(key, stored);
            return this.send(res, 201, { ...stored, podIPs: undefined, status: { phase: "Pending" } });
        }
        const stored = name === undefined ? undefined : this.pods.get(`${namespace}/${name}`);
        if (stored === undefined) return this.status(res, 404, "NotFound", `pods "${name ?? ""}" not found`);
        if (method === "GET" && sub === "log") return this.send(res, 200, this.probeLog(stored), "text/plain");
        if (method === "GET" && sub === undefined) return this.send(res, 200, { ...stored, podIPs: undefined, status: this.podStatus(stored) });
        this.status(res, 405, "MethodNotAllowed", "not supported by the double");
    }

    private podStatus(pod: Json): Json {
        const ips = pod.podIPs as string[];
        const container = ((pod.spec as Json).containers as Json[])[0];
        const isProbe = (container.command as string[] | undefined) !== undefined;
        if (!isProbe && this.scenario.serverImagePullFails) {
            return {
                phase: "Pending",
                conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }],
                containerStatuses: [{ name: container.name, ready: false, restartCount: 0, image: container.image, imageID: "", state: { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${container.image as string}"` } } }],
            };
        }
        const base = { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })), hostIP: "", startTime: "2026-01-01T00:00:00Z" };
        if (isProbe) {
            return {
                ...base,
                phase: "Succeeded",
                conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False", reason: "PodCompleted" }],
                containerStatuses: [{ name: container.name, ready: false, restartCount: 0, image: container.image, imageID: "", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
            };
        }
        return {
            ...base,
            phase: "Running",
            conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }],
            containerStatuses: [{ name: container.name, ready: true, restartCount: 0, image: container.image, imageID: "", state: { running: { startedAt: "2026-01-01T00:00:00Z" } } }],
        };
    }

    private service(method: string, namespace: string, name: string | undefined, body: Json | undefined, res: http.ServerResponse): void {
        if (method === "POST" && body !== undefined) {
            const spec = body.spec as { ipFamilyPolicy?: string; ipFamilies?: IpFamily[]; type?: string; ports?: Json[] };
            const serviceName = (body.metadata as Json).name as string;
            const dualStack = this.scenario.dualStackServices ?? this.scenario.families.length > 1;
            if (spec.ipFamilyPolicy === "RequireDualStack" && !dualStack) {
                return this.status(res, 422, "Invalid", `Service "${serviceName}" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services`);
            }
            const families = (spec.ipFamilies ?? this.scenario.families.slice(0, 1)).filter((f) => this.scenario.serviceCidrs[f] !== undefined);
            const clusterIPs = families.map((f) => addressAt(cidr(this.scenario.serviceCidrs[f] as string), BigInt(100 + this.serviceCount[f]++)));
            const ports = (spec.ports ?? []).map((p, i) => (spec.type === "NodePort" || spec.type === "LoadBalancer" ? { ...p, nodePort: 30080 + i + this.services.size } : p));
            const stored = { ...body, metadata: { ...(body.metadata as Json), namespace }, spec: { ...spec, ports, ipFamilies: families, clusterIP: clusterIPs[0], clusterIPs }, status: { loadBalancer: {} } };
            this.services.set(`${namespace}/${serviceName}`, stored);
            return this.send(res, 201, stored);
        }
        const stored = name === undefined ? undefined : this.services.get(`${namespace}/${name}`);
        if (stored === undefined) return this.status(res, 404, "NotFound", `services "${name ?? ""}" not found`);
        const isLoadBalancer = (stored.spec as Json).type === "LoadBalancer";
        const ingress = isLoadBalancer ? (this.scenario.loadBalancerIngress ?? []).map((ip) => ({ ip, ipMode: "VIP" })) : [];
        this.send(res, 200, { ...stored, status: { loadBalancer: ingress.length > 0 ? { ingress } : {} } });
    }

    /** Who answers an address and port inside the cluster: a pod, a Service, a node port. */
    private answerer(address: string, port: number): string | undefined {
        const same = (a: string, b: string) => parseAddress(a)?.value === parseAddress(b)?.value && parseAddress(a)?.family === parseAddress(b)?.family;
        const server = [...this.pods.values()].find((p) => ((p.spec as Json).containers as Json[])[0].command === undefined);
        if (server === undefined) return undefined;
        const serverName = (server.metadata as Json).name as string;
        if ((server.podIPs as string[]).some((ip) => same(ip, address)) && port === 8080) return serverName;
        for (const service of this.services.values()) {
            const spec = service.spec as { clusterIPs: string[]; ports: Array<{ port: number; nodePort?: number }> };
            if (spec.clusterIPs.some((ip) => same(ip, address)) && spec.ports.some((p) => p.port === port)) return serverName;
            const onNode = this.scenario.nodes.some((n) => n.addresses.some((a) => same(a, address)));
            if (onNode && spec.ports.some((p) => p.nodePort === port)) return serverName;
        }
        return undefined;
    }

    /** What the probe script would print in this scenario's network. */
    private probeLog(pod: Json): string {
        const container = ((pod.spec as Json).containers as Json[])[0];
        const env = (container.env as Array<{ name: string; value: string }> | undefined) ?? [];
        const lines = (env.find((e) => e.name === "DUALSTACK_PROBES")?.value ?? "").split("\n").filter((l) => l !== "");
        const s = this.scenario;
        const blocked = (f: IpFamily | undefined) => f !== undefined && (s.blocked ?? []).includes(f);
        const out: string[] = [];
        for (const line of lines.slice(0, s.probeCutAfter ?? lines.length)) {
            const [id, kind, tries, target] = line.split(" ");
            let code = 0;
            let output = "";
            if (kind === "http") {
                // The URL parser refuses IPv6 zones (the metadata address's %25eth0): split by hand.
                const match = /^http:\/\/(?:\[([^\]]+)\]|([^/:]+))(?::(\d+))?/.exec(target) as RegExpExecArray;
                const host = (match[1] ?? match[2]).replace(/%.*$/, "");
                const port = Number(match[3] ?? "80");
                const family = parseAddress(host)?.family;
                if (METADATA[host] !== undefined) {
                    const reachable = (s.metadataReachable ?? []).includes(METADATA[host]) && !blocked(METADATA[host]);
                    [code, output] = reachable ? [0, '{"uuid": "d8e02d56"}'] : [28, "curl: (28) Connection timed out after 5001 milliseconds"];
                } else if (blocked(family)) {
                    [code, output] = [28, "curl: (28) Connection timed out after 5002 milliseconds"];
                } else {
                    const who = this.answerer(host, port);
                    [code, output] = who !== undefined ? [0, who] : [7, `curl: (7) Failed to connect to ${host} port ${port}: Connection refused`];
                }
            } else if (kind === "A" || kind === "AAAA") {
                const family: IpFamily = kind === "A" ? "IPv4" : "IPv6";
                if (blocked(s.families[0])) {
                    [code, output] = [9, ";; connection timed out; no servers could be reached"];
                } else {
                    const [serviceName, namespace] = target.split(".");
                    const service = this.services.get(`${namespace}/${serviceName}`);
                    const ips = ((service?.spec as { clusterIPs?: string[] } | undefined)?.clusterIPs ?? []).filter((ip) => parseAddress(ip)?.family === family);
                    output = ips.join("\n");
                }
            } else if (kind === "tcp") {
                const host = target.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
                const family = parseAddress(host)?.family as IpFamily;
                const reachable = !blocked(family) && (s.egressReachable ?? s.families).includes(family);
                [code, output] = reachable ? [0, ""] : [1, `nc: connect to ${host} port ${target.replace(/^.*:/, "")} (tcp) timed out: Operation now in progress`];
            }
            const attempts = code === 0 ? 1 : Number(tries);
            out.push(["dualstack-verify", id, String(code), String(attempts), output.replace(/\n/g, " ")].join("\t"));
        }
        if (s.probeCutAfter === undefined) out.push("dualstack-verify-done");
        return out.join("\n") + "\n";
    }
}

/** Start a double for a scenario (stop it in `after`/`finally`). */
export async function startDouble(scenario: Scenario): Promise<KubernetesDouble> {
    const double = new KubernetesDouble(scenario);
    await double.start();
    return double;
}

/** A healthy IPv4-primary dual-stack cluster: one control plane, two workers. */
export function dualStackScenario(overrides: Partial<Scenario> = {}): Scenario {
    return {
        families: ["IPv4", "IPv6"],
        nodes: [
            { name: "dev-control-plane-0", addresses: ["10.0.0.10", "fd12:3456:789a::10"], controlPlane: true },
            { name: "dev-workers-0", addresses: ["10.0.0.11", "fd12:3456:789a::11"] },
            { name: "dev-workers-1", addresses: ["10.0.0.12", "fd12:3456:789a::12"] },
        ],
        podCidrs: { IPv4: "10.244.0.0/16", IPv6: "fd12:3456:789a:4000::/56" },
        serviceCidrs: { IPv4: "10.96.0.0/16", IPv6: "fd12:3456:789a:8000::/112" },
        ...overrides,
    };
}

/** A healthy IPv6-only cluster. */
export function ipv6OnlyScenario(overrides: Partial<Scenario> = {}): Scenario {
    return {
        families: ["IPv6"],
        nodes: [
            { name: "lab-control-plane-0", addresses: ["2001:db8:1000::10"], controlPlane: true },
            { name: "lab-workers-0", addresses: ["2001:db8:1000::11"] },
            { name: "lab-workers-1", addresses: ["2001:db8:1000::12"] },
        ],
        podCidrs: { IPv6: "fd00:10:244::/56" },
        serviceCidrs: { IPv6: "fd00:10:96::/112" },
        ...overrides,
    };
}
