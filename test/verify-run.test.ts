/**
 * `runVerify` through the official Kubernetes client against the API test double: healthy
 * dual-stack and IPv6-only clusters, a node without an IPv6 InternalIP, a pod with one address,
 * a blocked family, an API that refuses, and the test namespace deleted on every path.
 */
import * as assert from "assert";
import * as http from "http";
import { AddressInfo } from "net";
import { planAddresses, summarizePlan } from "../components/addressing";
import { ClusterConfig, loadConfig } from "../components/config";
import {
    CheckResult,
    Clock,
    connectKubernetes,
    Expectations,
    expectationsFromCluster,
    expectationsFromPlan,
    runVerify,
    VerifyOptions,
    VerifyReport,
    VerifyUnavailableError,
} from "../components/verify";
import { dualStackScenario, ipv6OnlyScenario, KubernetesDouble, Scenario, startDouble } from "./support/kubernetesDouble";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

/** A clock that never sleeps: waits end at once when the deadline passes. */
function instantClock(onSleep?: (count: number) => void): Clock {
    let now = 0;
    let sleeps = 0;
    return {
        now: () => now,
        sleep: async (ms, signal) => {
            onSleep?.(++sleeps);
            signal?.throwIfAborted();
            now += ms;
        },
    };
}

/** The plan of BASE_CONFIG (optionally changed) with the ULA ID the double's dual-stack cluster shows. */
function planFor(overrides: Record<string, unknown> = {}): (facts: unknown) => Expectations {
    const loaded = loadConfig(deepMerge(BASE_CONFIG, overrides));
    const config = loaded.config as ClusterConfig;
    const plan = planAddresses(config, { globalId: "123456789a" }, loaded.explicitKeys).plan;
    assert.ok(plan);
    return () => expectationsFromPlan(summarizePlan(plan), config, "stacks/Pulumi.dev.yaml");
}

const fromCluster: VerifyOptions["expect"] = (facts) => expectationsFromCluster(facts, "the cluster");

async function verify(double: KubernetesDouble, options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
    return runVerify(connectKubernetes({ text: double.kubeconfig() }), { expect: fromCluster, clock: instantClock(), ...options });
}

function outcomes(results: readonly CheckResult[]): string[] {
    return results.map((r) => `${r.check} ${r.family} ${r.result}`);
}

function evidence(results: readonly CheckResult[], check: string, family: string): string {
    const found = results.find((r) => r.check === check && r.family === family);
    assert.ok(found, `${check} ${family}`);
    return found.evidence;
}

/** Run a scenario and stop the double afterwards. */
async function withDouble<T>(scenario: Scenario, run: (double: KubernetesDouble) => Promise<T>): Promise<T> {
    const double = await startDouble(scenario);
    try {
        return await run(double);
    } finally {
        await double.stop();
    }
}

const NAMESPACE = "dualstack-verify-t0000";
const DELETE_NAMESPACE = `DELETE /api/v1/namespaces/${NAMESPACE}`;

describe("verify against the Kubernetes API double", () => {
    it("a healthy dual-stack cluster: every check passes per family, and the namespace is deleted", async () => {
        await withDouble(dualStackScenario(), async (double) => {
            const report = await verify(double, { expect: planFor(), egressTargets: [{ family: "IPv4", address: "192.0.2.10", port: 443 }] });
            assert.deepStrictEqual(outcomes(report.results), [
                "nodes all pass",
                "node-addresses IPv4 pass",
                "node-addresses IPv6 pass",
                "cluster-ranges IPv4 pass",
                "cluster-ranges IPv6 pass",
                "calico-pools IPv4 pass",
                "calico-pools IPv6 pass",
                "pod-addresses IPv4 pass",
                "pod-addresses IPv6 pass",
                "pod-to-pod IPv4 pass",
                "pod-to-pod IPv6 pass",
                "pod-to-service IPv4 pass",
                "pod-to-service IPv6 pass",
                "dns IPv4 pass",
                "dns IPv6 pass",
                "egress IPv4 pass",
                "egress IPv6 skip",
                "node-port IPv4 pass",
                "node-port IPv6 pass",
                "load-balancer IPv4 skip",
                "load-balancer IPv6 skip",
                "metadata-blocked IPv4 pass",
                "metadata-blocked IPv6 pass",
            ]);
            assert.strictEqual(
                evidence(report.results, "pod-to-pod", "IPv6"),
                'dualstack-verify-probe on dev-workers-1 → http://[fd12:3456:789a:4000::a]:8080/hostname (pod dualstack-verify-server on dev-workers-0): "dualstack-verify-server"',
            );
            assert.strictEqual(evidence(report.results, "dns", "IPv6"), 'dualstack-verify-probe on dev-workers-1: AAAA dualstack-verify.dualstack-verify-t0000.svc.cluster.local.: "fd12:3456:789a:8000::64"');
            assert.strictEqual(evidence(report.results, "load-balancer", "IPv6"), "the stack has no cloud controller for Services of type LoadBalancer");
            assert.deepStrictEqual(report.cleanup, { namespace: NAMESPACE, deleted: true });
            assert.deepStrictEqual(double.callLines(), [
                "GET /api/v1/nodes",
                "GET /api/v1/namespaces/kube-system/configmaps/kubeadm-config",
                "GET /apis/crd.projectcalico.org/v1/ippools",
                "POST /api/v1/namespaces",
                `POST /api/v1/namespaces/${NAMESPACE}/pods`,
                `POST /api/v1/namespaces/${NAMESPACE}/services`,
                `GET /api/v1/namespaces/${NAMESPACE}/pods/dualstack-verify-server`,
                `POST /api/v1/namespaces/${NAMESPACE}/pods`,
                `GET /api/v1/namespaces/${NAMESPACE}/pods/dualstack-verify-probe`,
                `GET /api/v1/namespaces/${NAMESPACE}/pods/dualstack-verify-probe/log`,
                DELETE_NAMESPACE,
            ]);
        });
    });

    it("creates its objects in a labelled namespace of their own: pods pinned to two workers, a RequireDualStack NodePort Service", async () => {
        await withDouble(dualStackScenario(), async (double) => {
            await verify(double, { image: "mirror.example.com/agnhost:2.53", timeoutSeconds: 120 });
            type Posted = { metadata: Record<string, unknown>; spec: Record<string, never> };
            const [namespace, server, service, probe] = double.calls.filter((c) => c.method === "POST").map((c) => c.body as Posted);
            assert.deepStrictEqual(namespace.metadata, {
                generateName: "dualstack-verify-",
                labels: { "app.kubernetes.io/name": "dualstack-verify", "app.kubernetes.io/managed-by": "dualstack" },
            });
            const container = (pod: typeof server) => (pod.spec.containers as Array<Record<string, unknown>>)[0];
            const nodeOf = (pod: typeof server) => JSON.stringify(pod.spec.affinity);
            assert.strictEqual(container(server).image, "mirror.example.com/agnhost:2.53");
            assert.deepStrictEqual(container(server).args, ["netexec", "--http-port=8080", "--udp-port=-1", "--http-override=/hostname"]);
            assert.match(nodeOf(server), /"matchFields":\[\{"key":"metadata.name","operator":"In","values":\["dev-workers-0"\]\}\]/);
            assert.match(nodeOf(probe), /"values":\["dev-workers-1"\]/);
            assert.deepStrictEqual(server.spec.securityContext, { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } });
            assert.deepStrictEqual(container(server).securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
            assert.strictEqual(server.spec.automountServiceAccountToken, false);
            assert.deepStrictEqual(service.spec, {
                type: "NodePort",
                ipFamilyPolicy: "RequireDualStack",
                ipFamilies: ["IPv4", "IPv6"],
                selector: { "app.kubernetes.io/name": "dualstack-verify", "app.kubernetes.io/managed-by": "dualstack", "app.kubernetes.io/component": "server" },
                ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }],
            });
            assert.strictEqual(container(probe).image, "mirror.example.com/agnhost:2.53");
            assert.deepStrictEqual((container(probe).command as string[]).slice(0, 2), ["/bin/sh", "-c"]);
            const env = container(probe).env as Array<{ name: string; value: string }>;
            assert.deepStrictEqual(env.map((e) => e.name), ["DUALSTACK_PROBES", "DUALSTACK_PROBE_TIMEOUT"]);
            assert.strictEqual(env[1].value, "5");
            // 10 probes: 4 of 3 tries and 1 of 1 per family, each try at most 5 s + 1 s; plus the timeout for the image.
            assert.strictEqual(probe.spec.activeDeadlineSeconds, 120 + (2 * (4 * 3 + 1)) * 6);
        });
    });

    it("an IPv6-only cluster: IPv6 rows only, a SingleStack Service", async () => {
        await withDouble(ipv6OnlyScenario(), async (double) => {
            const report = await verify(double);
            assert.ok(report.results.every((r) => r.family === "IPv6" || r.family === "all"));
            assert.deepStrictEqual(
                report.results.filter((r) => r.result !== "pass").map((r) => `${r.check} ${r.result}`),
                ["cluster-ranges skip", "egress skip", "load-balancer skip"],
            );
            const service = double.calls.find((c) => c.method === "POST" && c.path.endsWith("/services"))?.body as { spec: Record<string, unknown> };
            assert.strictEqual(service.spec.ipFamilyPolicy, "SingleStack");
            assert.deepStrictEqual(service.spec.ipFamilies, ["IPv6"]);
            assert.strictEqual(evidence(report.results, "node-port", "IPv6"), 'dualstack-verify-probe on lab-workers-1 → http://[2001:db8:1000::11]:30080/hostname (NodePort on lab-workers-0): "dualstack-verify-server"');
        });
    });

    it("a node with no IPv6 InternalIP fails node-addresses for IPv6 only", async () => {
        const scenario = dualStackScenario();
        const nodes = scenario.nodes.map((n) => (n.name === "dev-workers-1" ? { ...n, addresses: ["10.0.0.12"] } : n));
        await withDouble({ ...scenario, nodes }, async (double) => {
            const report = await verify(double, { expect: planFor() });
            assert.deepStrictEqual(
                report.results.filter((r) => r.result === "fail"),
                [
                    {
                        check: "node-addresses",
                        family: "IPv6",
                        result: "fail",
                        evidence: "expected an IPv6 InternalIP in fd12:3456:789a::/64 (dualstack:network.ipv6Cidr) on every node; dev-workers-1 has none (InternalIPs: 10.0.0.12)",
                    },
                ],
            );
        });
    });

    it("a pod with one address fails pod-addresses and pod-to-pod for the missing family", async () => {
        const scenario = dualStackScenario({ podFamilies: (pod) => (pod === "dualstack-verify-server" ? ["IPv4"] : ["IPv4", "IPv6"]) });
        await withDouble(scenario, async (double) => {
            const report = await verify(double, { expect: planFor() });
            assert.deepStrictEqual(outcomes(report.results.filter((r) => r.result === "fail")), ["pod-addresses IPv6 fail", "pod-to-pod IPv6 fail"]);
            assert.strictEqual(
                evidence(report.results, "pod-addresses", "IPv6"),
                "expected an IPv6 address in fd12:3456:789a:4000::/56 (dualstack:pods.ipv6Cidr) on each test pod; dualstack-verify-server on dev-workers-0 has 10.244.0.10 only",
            );
            assert.strictEqual(evidence(report.results, "pod-to-pod", "IPv6"), "expected an IPv6 address on pod dualstack-verify-server to reach; it has 10.244.0.10");
            assert.ok(double.callLines().includes(DELETE_NAMESPACE));
        });
    });

    it("a blocked family fails its traffic checks on its own; the other family passes, nothing falls back", async () => {
        await withDouble(dualStackScenario({ blocked: ["IPv6"] }), async (double) => {
            const report = await verify(double, { expect: planFor() });
            assert.deepStrictEqual(outcomes(report.results.filter((r) => r.family === "IPv6" && r.result !== "pass")), [
                "pod-to-pod IPv6 fail",
                "pod-to-service IPv6 fail",
                "egress IPv6 skip",
                "node-port IPv6 fail",
                "load-balancer IPv6 skip",
                "metadata-blocked IPv6 skip",
            ]);
            assert.deepStrictEqual(report.results.filter((r) => r.family === "IPv4" && r.result === "fail"), []);
            assert.strictEqual(
                evidence(report.results, "pod-to-service", "IPv6"),
                'dualstack-verify-probe on dev-workers-1 → http://[fd12:3456:789a:8000::64]/hostname (the IPv6 ClusterIP of Service dualstack-verify): expected "dualstack-verify-server", got exit 28 after 3 attempts: "curl: (28) Connection timed out after 5002 milliseconds"',
            );
        });
    });

    it("a cluster that refuses a RequireDualStack Service still tests the primary family's Service", async () => {
        await withDouble(dualStackScenario({ dualStackServices: false }), async (double) => {
            const report = await verify(double, { expect: planFor() });
            const services = double.calls.filter((c) => c.method === "POST" && c.path.endsWith("/services")).map((c) => (c.body as { spec: { ipFamilyPolicy: string } }).spec.ipFamilyPolicy);
            assert.deepStrictEqual(services, ["RequireDualStack", "SingleStack"]);
            assert.deepStrictEqual(outcomes(report.results.filter((r) => r.result === "fail")), ["pod-to-service IPv6 fail", "dns IPv6 fail"]);
            assert.strictEqual(
                evidence(report.results, "pod-to-service", "IPv6"),
                'expected an IPv6 ClusterIP to reach; the API refused the Service: 422 Service "dualstack-verify" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
            );
            assert.strictEqual(evidence(report.results, "node-port", "IPv6"), 'dualstack-verify-probe on dev-workers-1 → http://[fd12:3456:789a::11]:30080/hostname (NodePort on dev-workers-0): "dualstack-verify-server"');
        });
    });

    it("right after pulumi up: waits until every planned node is Ready, then reads Calico's pools again", async () => {
        await withDouble(dualStackScenario({ nodesComingUp: 4 }), async (double) => {
            const report = await verify(double, { expect: planFor(), waitForNodes: true });
            assert.strictEqual(evidence(report.results, "nodes", "all"), "3 nodes Ready (the plan has 3)");
            assert.deepStrictEqual(double.callLines().slice(0, 9), [
                "GET /api/v1/nodes",
                "GET /api/v1/namespaces/kube-system/configmaps/kubeadm-config",
                "GET /apis/crd.projectcalico.org/v1/ippools",
                "GET /api/v1/nodes",
                "GET /api/v1/nodes",
                "GET /api/v1/nodes",
                "GET /api/v1/nodes",
                "GET /api/v1/namespaces/kube-system/configmaps/kubeadm-config",
                "GET /apis/crd.projectcalico.org/v1/ippools",
            ]);
        });
    });

    it("without waiting, a cluster still coming up fails nodes with what is missing", async () => {
        await withDouble(dualStackScenario({ nodesComingUp: 1 }), async (double) => {
            const report = await verify(double, { expect: planFor() });
            assert.strictEqual(
                evidence(report.results, "nodes", "all"),
                "expected every node Ready; not Ready: dev-control-plane-0, dev-workers-0; expected 3 nodes (the plan's control planes and workers), found 2: dev-control-plane-0, dev-workers-0",
            );
        });
    });

    describe("an API that refuses", () => {
        it("unreachable: VerifyUnavailableError naming the server and the call", async () => {
            const double = await startDouble(dualStackScenario());
            const kubeconfig = double.kubeconfig();
            const url = double.url;
            await double.stop();
            await assert.rejects(runVerify(connectKubernetes({ text: kubeconfig }), { expect: fromCluster, clock: instantClock() }), (e: Error) => {
                assert.ok(e instanceof VerifyUnavailableError);
                assert.strictEqual(e.message, `the Kubernetes API at ${url} is unreachable (list nodes: connect ECONNREFUSED ${url.replace("http://", "")})`);
                return true;
            });
        });

        it("a missing permission: the call, the status and the API's message", async () => {
            const refuse = (_method: string, path: string) =>
                path === "/api/v1/nodes" ? { status: 403, reason: "Forbidden", message: 'nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope' } : undefined;
            await withDouble(dualStackScenario({ refuse }), async (double) => {
                await assert.rejects(verify(double), {
                    name: "VerifyUnavailableError",
                    message: `the Kubernetes API at ${double.url} refused to list nodes (403 Forbidden): nodes is forbidden: User "dev" cannot list resource "nodes" in API group "" at the cluster scope`,
                });
                assert.deepStrictEqual(double.callLines(), ["GET /api/v1/nodes"]);
            });
        });

        it("no Calico CRD and no kubeadm-config: the pools fail, the ranges are skipped, the rest runs", async () => {
            await withDouble(dualStackScenario({ pools: "none", kubeadmConfig: false }), async (double) => {
                const report = await verify(double);
                assert.deepStrictEqual(outcomes(report.results.filter((r) => r.result === "fail")), ["calico-pools IPv4 fail", "calico-pools IPv6 fail"]);
                assert.ok(double.callLines().includes("GET /apis/projectcalico.org/v3/ippools"));
                assert.match(report.expectations.notes[0], /no kubeadm-config ConfigMap: the families are those of node dev-control-plane-0's addresses/);
            });
        });
    });

    describe("cleanup runs on every failure path", () => {
        const refuseWith = (status: number, reason: string, when: (method: string, path: string) => boolean) => (method: string, path: string) =>
            when(method, path) ? { status, reason, message: `${reason.toLowerCase()} by the test` } : undefined;

        it("creating a pod forbidden (403): exit-2 error, namespace deleted", async () => {
            const refuse = refuseWith(403, "Forbidden", (m, p) => m === "POST" && p.endsWith("/pods"));
            await withDouble(dualStackScenario({ refuse }), async (double) => {
                await assert.rejects(verify(double), {
                    name: "VerifyUnavailableError",
                    message: `the Kubernetes API at ${double.url} refused to create pods in ${NAMESPACE} (403 Forbidden): forbidden by the test; test namespace ${NAMESPACE} deleted`,
                });
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("an admission webhook refuses the server pod (422): every pod check fails with its message, namespace deleted", async () => {
            const refuse = refuseWith(422, "Invalid", (m, p) => m === "POST" && p.endsWith("/pods"));
            await withDouble(dualStackScenario({ refuse }), async (double) => {
                const report = await verify(double);
                assert.strictEqual(evidence(report.results, "pod-to-pod", "IPv6"), "the API refused the server pod: 422 invalid by the test");
                assert.strictEqual(report.results.filter((r) => r.evidence === "the API refused the server pod: 422 invalid by the test").length, 16);
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("the API fails while the probe runs (500): exit-2 error, namespace deleted", async () => {
            const refuse = refuseWith(500, "InternalError", (m, p) => m === "GET" && p.endsWith("/pods/dualstack-verify-probe"));
            await withDouble(dualStackScenario({ refuse }), async (double) => {
                await assert.rejects(verify(double), (e: Error) => e instanceof VerifyUnavailableError && e.message.endsWith(`; test namespace ${NAMESPACE} deleted`));
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("the server's image cannot be pulled: the wait ends at the timeout with the reason, namespace deleted", async () => {
            await withDouble(dualStackScenario({ serverImagePullFails: true }), async (double) => {
                const report = await verify(double, { timeoutSeconds: 60 });
                const reason =
                    'pod dualstack-verify-server on dev-workers-0 is not ready after 60 s (container server waiting: ImagePullBackOff (Back-off pulling image "registry.k8s.io/e2e-test-images/agnhost:2.53"))';
                assert.strictEqual(evidence(report.results, "pod-to-service", "IPv4"), reason);
                assert.strictEqual(
                    evidence(report.results, "pod-addresses", "IPv4"),
                    'expected an IPv4 address in 10.244.0.0/16 (kubeadm-config podSubnet) on each test pod, listed first; dualstack-verify-server on dev-workers-0 has no address (container server waiting: ImagePullBackOff (Back-off pulling image "registry.k8s.io/e2e-test-images/agnhost:2.53"))',
                );
                assert.strictEqual(double.callLines().filter((l) => l.endsWith("/pods/dualstack-verify-server")).length, 31);
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("the probe pod stops early: the probes it did not report fail with why, namespace deleted", async () => {
            await withDouble(dualStackScenario({ probeCutAfter: 3 }), async (double) => {
                const report = await verify(double);
                assert.strictEqual(evidence(report.results, "pod-to-pod", "IPv4"), 'dualstack-verify-probe on dev-workers-1 → http://10.244.0.10:8080/hostname (pod dualstack-verify-server on dev-workers-0): "dualstack-verify-server"');
                assert.match(evidence(report.results, "pod-to-pod", "IPv6"), /no result: pod dualstack-verify-probe stopped before it ran every probe \(phase Succeeded\)$/);
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("interrupted while waiting: 'interrupted', namespace deleted", async () => {
            const controller = new AbortController();
            await withDouble(dualStackScenario({ serverImagePullFails: true }), async (double) => {
                const clock = instantClock((count) => count === 3 && controller.abort(new Error("interrupted")));
                await assert.rejects(verify(double, { clock, signal: controller.signal }), {
                    name: "VerifyUnavailableError",
                    message: `interrupted; test namespace ${NAMESPACE} deleted`,
                });
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("deleting the namespace fails: the report says it is left and how to remove it", async () => {
            const refuse = refuseWith(503, "ServiceUnavailable", (m) => m === "DELETE");
            await withDouble(dualStackScenario({ refuse }), async (double) => {
                const report = await verify(double);
                assert.deepStrictEqual(report.cleanup, {
                    namespace: NAMESPACE,
                    deleted: false,
                    error: `the Kubernetes API at ${double.url} refused to delete namespace ${NAMESPACE} (503 Service Unavailable): serviceunavailable by the test`,
                });
            });
        });

        it("a given namespace that exists is refused and never deleted", async () => {
            await withDouble(dualStackScenario({ namespaces: ["team-a"] }), async (double) => {
                await assert.rejects(verify(double, { namespace: "team-a" }), {
                    name: "VerifyUnavailableError",
                    message:
                        `the Kubernetes API at ${double.url} refused to create namespaces (409 Conflict): namespaces "team-a" already exists; ` +
                        "verify creates the namespace it is given and deletes it afterwards: give a --namespace that does not exist",
                });
                assert.ok(!double.calls.some((c) => c.method === "DELETE"));
                // A name that does not exist is used as given, and deleted.
                const report = await verify(double, { namespace: "dualstack-verify-mine" });
                assert.deepStrictEqual(report.cleanup, { namespace: "dualstack-verify-mine", deleted: true });
            });
        });
    });

    describe("load balancers, when the cloud provides them", () => {
        let server: http.Server;
        let port: number;
        before(async () => {
            server = http.createServer((_req, res) => res.end("dualstack-verify-server"));
            await new Promise<void>((resolve) => server.listen(0, "::", () => resolve()));
            port = (server.address() as AddressInfo).port;
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));

        const withLoadBalancers: VerifyOptions["expect"] = (facts) => ({ ...expectationsFromCluster(facts, "the cluster"), loadBalancer: { families: ["IPv4", "IPv6"], annotations: { "loadbalancer.openstack.org/lb-provider": "ovn" } } });

        it("a LoadBalancer Service gets an ingress address per family, and each answers from this machine", async () => {
            await withDouble(dualStackScenario({ loadBalancerIngress: ["127.0.0.1", "::1"] }), async (double) => {
                const report = await verify(double, { expect: withLoadBalancers, servicePort: port });
                assert.deepStrictEqual(report.results.filter((r) => r.check === "load-balancer"), [
                    { check: "load-balancer", family: "IPv4", result: "pass", evidence: `http://127.0.0.1:${port}/hostname answered dualstack-verify-server from this machine` },
                    { check: "load-balancer", family: "IPv6", result: "pass", evidence: `http://[::1]:${port}/hostname answered dualstack-verify-server from this machine` },
                ]);
                const created = double.calls.filter((c) => c.method === "POST" && c.path.endsWith("/services")).map((c) => c.body as { metadata: Record<string, unknown>; spec: Record<string, unknown> });
                assert.deepStrictEqual(created[1].metadata.annotations, { "loadbalancer.openstack.org/lb-provider": "ovn" });
                assert.deepStrictEqual([created[1].spec.type, created[1].spec.ipFamilyPolicy], ["LoadBalancer", "RequireDualStack"]);
                assert.strictEqual(double.callLines().at(-1), DELETE_NAMESPACE);
            });
        });

        it("no IPv6 ingress address within the timeout fails IPv6", async () => {
            await withDouble(dualStackScenario({ loadBalancerIngress: ["127.0.0.1"] }), async (double) => {
                const report = await verify(double, { expect: withLoadBalancers, servicePort: port, timeoutSeconds: 30 });
                assert.deepStrictEqual(outcomes(report.results.filter((r) => r.check === "load-balancer")), ["load-balancer IPv4 pass", "load-balancer IPv6 fail"]);
                assert.strictEqual(evidence(report.results, "load-balancer", "IPv6"), "expected an IPv6 ingress address on Service dualstack-verify-lb; ingress: 127.0.0.1 after waiting");
            });
        });
    });
});
