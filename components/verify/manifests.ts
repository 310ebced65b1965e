/**
 * The test objects `dualstack verify` creates, all in a namespace of their own: a server pod on
 * one node, a probe pod on another, and a Service in front of the server. Pure functions; the
 * pods pass the Pod Security "restricted" profile, so an enforcing namespace default admits them.
 */
import type { V1Namespace, V1Pod, V1PodSpec, V1Service } from "@kubernetes/client-node";
import { IpFamily } from "../addressing/family";
import { DEFAULTS } from "../config/load";
import { Probe, PROBE_SCRIPT, probesEnv, PROBES_ENV, TIMEOUT_ENV } from "./probes";

/** The image both pods run: agnhost has netexec (the server) and sh, curl, dig and nc (the probes). */
export const DEFAULT_IMAGE = DEFAULTS.verifyImage;
/** The test namespace's name prefix (the API appends five characters). */
export const NAMESPACE_PREFIX = "dualstack-verify-";
export const SERVER_POD = "dualstack-verify-server";
export const PROBE_POD = "dualstack-verify-probe";
export const SERVICE_NAME = "dualstack-verify";
export const LOAD_BALANCER_SERVICE = "dualstack-verify-lb";
/** The server's port; the Service's own port defaults to 80. */
export const SERVER_PORT = 8080;
export const SERVICE_PORT = 80;

/** Labels on every test object, so a left-over is easy to find: `kubectl get ns -l app.kubernetes.io/name=dualstack-verify`. */
export const VERIFY_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": "dualstack-verify",
    "app.kubernetes.io/managed-by": "dualstack",
};
const SERVER_LABELS = { ...VERIFY_LABELS, "app.kubernetes.io/component": "server" };

/** The test namespace: the given name, or one the API generates from the prefix. */
export function namespaceManifest(name?: string): V1Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { ...(name !== undefined ? { name } : { generateName: NAMESPACE_PREFIX }), labels: { ...VERIFY_LABELS } },
    };
}

/** The "restricted" Pod Security profile: non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp. */
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
const RESOURCES = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };

/**
 * What both test pods share: pinned to one node by name, through the scheduler (taints and
 * resources still apply); run once; no service-account token, no service links; the
 * "restricted" Pod Security profile.
 */
function testPodSpec(node: string): Omit<V1PodSpec, "containers"> {
    return {
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }],
                },
            },
        },
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 1,
        securityContext: POD_SECURITY,
    };
}

/**
 * The server: agnhost netexec answering its host name (the pod's name) on every path. The
 * override keeps netexec's other endpoints (`/shell`, `/upload`, `/exit`) out of reach while the
 * Service is up; UDP is off.
 */
export function serverPod(image: string, node: string): V1Pod {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: SERVER_POD, labels: { ...SERVER_LABELS } },
        spec: {
            ...testPodSpec(node),
            containers: [
                {
                    name: "server",
                    image,
                    args: ["netexec", `--http-port=${SERVER_PORT}`, "--udp-port=-1", "--http-override=/hostname"],
                    ports: [{ name: "http", containerPort: SERVER_PORT, protocol: "TCP" }],
                    readinessProbe: { tcpSocket: { port: SERVER_PORT }, periodSeconds: 2 },
                    securityContext: CONTAINER_SECURITY,
                    resources: RESOURCES,
                },
            ],
        },
    };
}

/**
 * The probe pod: runs the probe script once and ends. `deadlineSeconds` bounds it (the kubelet
 * stops a pod that runs longer).
 */
export function probePod(image: string, node: string, probes: readonly Probe[], timeoutSeconds: number, deadlineSeconds: number): V1Pod {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: PROBE_POD, labels: { ...VERIFY_LABELS, "app.kubernetes.io/component": "probe" } },
        spec: {
            ...testPodSpec(node),
            activeDeadlineSeconds: deadlineSeconds,
            containers: [
                {
                    name: "probe",
                    image,
                    command: ["/bin/sh", "-c", PROBE_SCRIPT],
                    env: [
                        { name: PROBES_ENV, value: probesEnv(probes) },
                        { name: TIMEOUT_ENV, value: String(timeoutSeconds) },
                    ],
                    securityContext: CONTAINER_SECURITY,
                    resources: RESOURCES,
                },
            ],
        },
    };
}

/**
 * A Service in front of the server with a ClusterIP of every cluster family: `RequireDualStack`
 * on a dual-stack cluster (the API refuses it when the cluster cannot), `SingleStack` otherwise.
 */
export function serviceManifest(
    name: string,
    families: readonly IpFamily[],
    type: "NodePort" | "LoadBalancer",
    port: number = SERVICE_PORT,
    annotations?: Readonly<Record<string, string>>,
): V1Service {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, labels: { ...VERIFY_LABELS }, ...(annotations ? { annotations: { ...annotations } } : {}) },
        spec: {
            type,
            ipFamilyPolicy: families.length > 1 ? "RequireDualStack" : "SingleStack",
            ipFamilies: [...families],
            selector: { ...SERVER_LABELS },
            ports: [{ name: "http", port, targetPort: SERVER_PORT, protocol: "TCP" }],
        },
    };
}
