/**
 * Kubernetes objects as the checks see them: nodes, kubeadm's ClusterConfiguration, Calico
 * pools, the test pods and Service. Pure functions over the API's objects.
 */
import type { V1ConfigMap, V1Node, V1Pod, V1Service } from "@kubernetes/client-node";
import { parse } from "yaml";
import { IpPoolObject } from "./kubernetesApi";
import { KubeadmNetworking, NodeFacts, PodFacts, PoolFacts, ServiceFacts } from "./types";

/** The label kubeadm puts on control-plane nodes. */
const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

/** A node: its InternalIPs in order, readiness, and whether test pods can be scheduled there. */
export function nodeFacts(node: V1Node): NodeFacts {
    const taints = node.spec?.taints ?? [];
    return {
        name: node.metadata?.name ?? "?",
        internalIPs: (node.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address),
        ready: (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        schedulable: node.spec?.unschedulable !== true && !taints.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute"),
        controlPlane: Object.prototype.hasOwnProperty.call(node.metadata?.labels ?? {}, CONTROL_PLANE_LABEL),
    };
}

/** `a,b` → `[a, b]`. */
function splitList(value: unknown): string[] {
    return typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}

/** The networking of kubeadm's ClusterConfiguration (the ConfigMap's `ClusterConfiguration` key). */
export function kubeadmNetworking(configMap: V1ConfigMap): KubeadmNetworking | undefined {
    const text = configMap.data?.ClusterConfiguration;
    if (text === undefined) return undefined;
    let document: unknown;
    try {
        document = parse(text);
    } catch {
        return undefined;
    }
    const networking = (document as { networking?: { podSubnet?: unknown; serviceSubnet?: unknown; dnsDomain?: unknown } } | null)?.networking;
    return {
        podSubnets: splitList(networking?.podSubnet),
        serviceSubnets: splitList(networking?.serviceSubnet),
        ...(typeof networking?.dnsDomain === "string" && networking.dnsDomain !== "" ? { dnsDomain: networking.dnsDomain } : {}),
    };
}

/** A Calico pool as stored. */
export function poolFacts(pool: IpPoolObject): PoolFacts {
    return {
        name: pool.metadata?.name ?? "?",
        cidr: pool.spec?.cidr ?? "",
        blockSize: pool.spec?.blockSize,
        ipipMode: pool.spec?.ipipMode,
        vxlanMode: pool.spec?.vxlanMode,
        natOutgoing: pool.spec?.natOutgoing,
        disabled: pool.spec?.disabled,
    };
}

/** Why a pod is not running, from its status: the scheduler's reason, a container's, the pod's. */
function podProblem(pod: V1Pod): string | undefined {
    const status = pod.status;
    const unscheduled = (status?.conditions ?? []).find((c) => c.type === "PodScheduled" && c.status === "False");
    if (unscheduled) return `not scheduled: ${unscheduled.reason ?? ""}${unscheduled.message ? ` (${unscheduled.message})` : ""}`.trim();
    for (const container of status?.containerStatuses ?? []) {
        const waiting = container.state?.waiting;
        if (waiting?.reason && waiting.reason !== "ContainerCreating" && waiting.reason !== "PodInitializing") {
            return `container ${container.name} waiting: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""}`;
        }
        const terminated = container.state?.terminated;
        if (terminated && terminated.exitCode !== 0) {
            return `container ${container.name} exited ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}`;
        }
    }
    if (status?.phase === "Failed") return `failed: ${status.reason ?? ""}${status.message ? ` (${status.message})` : ""}`.trim();
    return undefined;
}

/** A test pod: node, phase, addresses (`status.podIPs`, in the pod's family order), readiness. */
export function podFacts(pod: V1Pod): PodFacts {
    const status = pod.status;
    const podIPs = (status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => typeof ip === "string");
    return {
        name: pod.metadata?.name ?? "?",
        node: pod.spec?.nodeName,
        phase: status?.phase,
        podIPs: podIPs.length > 0 ? podIPs : status?.podIP ? [status.podIP] : [],
        ready: (status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        problem: podProblem(pod),
    };
}

/** The test Service: its families, cluster IPs (one per family) and node port. */
export function serviceFacts(service: V1Service): ServiceFacts {
    return {
        name: service.metadata?.name ?? "?",
        ipFamilies: service.spec?.ipFamilies ?? [],
        clusterIPs: service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []),
        nodePort: service.spec?.ports?.[0]?.nodePort,
    };
}

/** Ingress addresses of a LoadBalancer Service. */
export function loadBalancerIngress(service: V1Service): string[] {
    return (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => typeof ip === "string" && ip !== "");
}
