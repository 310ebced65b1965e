/**
 * The pure half of `dualstack verify`: expectations from a plan or from the cluster, the checks
 * over nodes, kubeadm ranges, Calico pools and pod addresses, the probes and how their results
 * are judged, and the objects' facts. No API, no mocks.
 */
import * as assert from "assert";
import { parseHostPort, planAddresses, summarizePlan } from "../components/addressing";
import { ClusterConfig, loadConfig } from "../components/config";
import {
    checkCalicoPools,
    checkClusterRanges,
    checkNodeAddresses,
    checkNodes,
    checkPodAddresses,
    ClusterFacts,
    egressFromPlan,
    evaluateProbes,
    Expectations,
    expectationsFromCluster,
    expectationsFromConfig,
    expectationsFromPlan,
    kubeadmNetworking,
    nodeFacts,
    observedUlaGlobalId,
    parseProbeLog,
    pickNodes,
    planProbes,
    podFacts,
    ProbeContext,
    probesEnv,
} from "../components/verify";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

function configOf(overrides: Record<string, unknown> = {}): { config: ClusterConfig; explicitKeys: ReadonlySet<string> } {
    const loaded = loadConfig(deepMerge(BASE_CONFIG, overrides));
    assert.deepStrictEqual(loaded.findings.filter((f) => f.severity === "error"), []);
    return { config: loaded.config as ClusterConfig, explicitKeys: loaded.explicitKeys };
}

/** Expectations of BASE_CONFIG with the ULA ID 123456789a (what the facts below show). */
function planned(overrides: Record<string, unknown> = {}): Expectations {
    const { config, explicitKeys } = configOf(overrides);
    const plan = planAddresses(config, { globalId: "123456789a" }, explicitKeys).plan;
    assert.ok(plan);
    return expectationsFromPlan(summarizePlan(plan), config, "stacks/Pulumi.test.yaml");
}

const NODES = [
    { name: "cp-0", internalIPs: ["10.0.0.10", "fd12:3456:789a::10"], ready: true, schedulable: false, controlPlane: true },
    { name: "w-0", internalIPs: ["10.0.0.11", "fd12:3456:789a::11"], ready: true, schedulable: true, controlPlane: false },
    { name: "w-1", internalIPs: ["10.0.0.12", "fd12:3456:789a::12"], ready: true, schedulable: true, controlPlane: false },
];

const FACTS: ClusterFacts = {
    nodes: NODES,
    kubeadm: { podSubnets: ["10.244.0.0/16", "fd12:3456:789a:4000::/56"], serviceSubnets: ["10.96.0.0/16", "fd12:3456:789a:8000::/112"] },
    pools: [
        { name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 26, ipipMode: "Never", vxlanMode: "Never", natOutgoing: true },
        { name: "default-ipv6-ippool", cidr: "fd12:3456:789a:4000::/56", blockSize: 122, ipipMode: "Never", vxlanMode: "Never", natOutgoing: true },
    ],
    poolsApi: "crd.projectcalico.org/v1",
};

describe("verify: expectations", () => {
    it("from the plan: ranges with their keys, the pool, egress per family, node count", () => {
        const expectations = planned();
        assert.strictEqual(expectations.fromPlan, true);
        assert.strictEqual(expectations.nodeCount, 3);
        assert.deepStrictEqual(expectations.families.map((f) => f.family), ["IPv4", "IPv6"]);
        const [ipv4, ipv6] = expectations.families;
        assert.deepStrictEqual(ipv4.nodeSubnet, { cidr: "10.0.0.0/22", source: "dualstack:network.ipv4Cidr" });
        assert.deepStrictEqual(ipv6.pods, { cidr: "fd12:3456:789a:4000::/56", source: "dualstack:pods.ipv6Cidr" });
        assert.deepStrictEqual(ipv6.services, { cidr: "fd12:3456:789a:8000::/112", source: "dualstack:services.ipv6Cidr" });
        assert.deepStrictEqual(ipv6.pool, { blockSize: 122, encapsulation: "None", natOutgoing: true });
        assert.strictEqual(ipv4.egress?.exists, true);
        assert.deepStrictEqual(ipv6.egress, {
            exists: false,
            reason: "the IPv6 node subnet fd12:3456:789a::/64 is unique-local (dualstack:network.ipv6Cidr) and Neutron routers do not translate IPv6",
        });
        assert.deepStrictEqual(expectations.loadBalancer, { missing: "the stack has no cloud controller for Services of type LoadBalancer" });
        assert.strictEqual(expectations.blockMetadata, true);
    });

    it("egress: a routed IPv6 node subnet with natOutgoing has it; IPv4 without natOutgoing has not", () => {
        const { config } = configOf({
            "dualstack:network": { ipv6Cidr: "2001:db8:5::/64" },
            "dualstack:calico": { natOutgoingIPv4: false, natOutgoingIPv6: true },
        });
        const plan = summarizePlan(planAddresses(config, { globalId: "123456789a" }).plan as NonNullable<ReturnType<typeof planAddresses>["plan"]>);
        assert.deepStrictEqual(egressFromPlan(plan, "IPv6"), {
            exists: true,
            reason: "dualstack:calico.natOutgoingIPv6 translates pod addresses to the node's routed IPv6 address (dualstack:network.ipv6Cidr)",
        });
        assert.deepStrictEqual(egressFromPlan(plan, "IPv4"), {
            exists: false,
            reason: "dualstack:calico.natOutgoingIPv4 is false: pod addresses leave unchanged and the router has no route back to the pod range",
        });
    });

    it("a stack file's random ULA ID is read from the cluster (kubeadm's IPv6 pod range)", () => {
        const { config, explicitKeys } = configOf();
        assert.strictEqual(observedUlaGlobalId(config, FACTS), "123456789a");
        const expectations = expectationsFromConfig(config, explicitKeys, FACTS, "stacks/Pulumi.test.yaml");
        assert.strictEqual(expectations.families[1].nodeSubnet?.cidr, "fd12:3456:789a::/64");
        assert.deepStrictEqual(expectations.notes, ["The stack's ULA /48 (ID 123456789a) is read from the cluster."]);
    });

    it("when the cluster does not show the ULA ID, ULA ranges are left out and a note says so", () => {
        const { config, explicitKeys } = configOf();
        const facts: ClusterFacts = { nodes: [], kubeadm: undefined, pools: [] };
        const expectations = expectationsFromConfig(config, explicitKeys, facts, "stacks/Pulumi.test.yaml");
        const ipv6 = expectations.families[1];
        assert.strictEqual(ipv6.pods, undefined);
        assert.strictEqual(ipv6.nodeSubnet, undefined);
        assert.strictEqual(expectations.families[0].pods?.cidr, "10.244.0.0/16");
        assert.match(expectations.notes[0], /ULA \/48 is random and kept in Pulumi state, and the cluster did not show it/);
    });

    it("without a plan: families and ranges from kubeadm-config, or the first node's addresses", () => {
        const fromKubeadm = expectationsFromCluster(FACTS, "the cluster");
        assert.strictEqual(fromKubeadm.fromPlan, false);
        assert.deepStrictEqual(fromKubeadm.families, [
            { family: "IPv4", pods: { cidr: "10.244.0.0/16", source: "kubeadm-config podSubnet" }, services: { cidr: "10.96.0.0/16", source: "kubeadm-config serviceSubnet" } },
            {
                family: "IPv6",
                pods: { cidr: "fd12:3456:789a:4000::/56", source: "kubeadm-config podSubnet" },
                services: { cidr: "fd12:3456:789a:8000::/112", source: "kubeadm-config serviceSubnet" },
            },
        ]);
        const fromNodes = expectationsFromCluster({ ...FACTS, kubeadm: undefined, nodes: [{ ...NODES[1], internalIPs: ["fd12:3456:789a::11", "10.0.0.11"] }] }, "the cluster");
        assert.deepStrictEqual(fromNodes.families, [
            { family: "IPv6", pods: undefined, services: undefined },
            { family: "IPv4", pods: undefined, services: undefined },
        ]);
        assert.match(fromNodes.notes[0], /the families are those of node w-0's addresses, and no range is compared/);
    });
});

describe("verify: checks of the cluster's objects", () => {
    const expectations = planned();

    it("a healthy dual-stack cluster passes every family", () => {
        const rows = [checkNodes(FACTS, expectations), ...checkNodeAddresses(FACTS, expectations), ...checkClusterRanges(FACTS, expectations), ...checkCalicoPools(FACTS, expectations)];
        assert.deepStrictEqual(
            rows.map((r) => `${r.check} ${r.family} ${r.result}`),
            ["nodes all pass", "node-addresses IPv4 pass", "node-addresses IPv6 pass", "cluster-ranges IPv4 pass", "cluster-ranges IPv6 pass", "calico-pools IPv4 pass", "calico-pools IPv6 pass"],
        );
        assert.strictEqual(rows[0].evidence, "3 nodes Ready (the plan has 3)");
        assert.strictEqual(
            rows[2].evidence,
            "cp-0 fd12:3456:789a::10, w-0 fd12:3456:789a::11, w-1 fd12:3456:789a::12 in fd12:3456:789a::/64 (dualstack:network.ipv6Cidr)",
        );
        assert.strictEqual(rows[4].evidence, "kubeadm podSubnet fd12:3456:789a:4000::/56, serviceSubnet fd12:3456:789a:8000::/112, as planned");
    });

    it("a node with no IPv6 InternalIP fails IPv6 only, naming the node, what it has and what was expected", () => {
        const facts = { ...FACTS, nodes: [NODES[0], { ...NODES[1], internalIPs: ["10.0.0.11"] }, NODES[2]] };
        const [ipv4, ipv6] = checkNodeAddresses(facts, expectations);
        assert.strictEqual(ipv4.result, "pass");
        assert.deepStrictEqual(ipv6, {
            check: "node-addresses",
            family: "IPv6",
            result: "fail",
            evidence: "expected an IPv6 InternalIP in fd12:3456:789a::/64 (dualstack:network.ipv6Cidr) on every node; w-0 has none (InternalIPs: 10.0.0.11)",
        });
    });

    it("the primary family's address must come first, and inside the node subnet", () => {
        const facts = {
            ...FACTS,
            nodes: [{ ...NODES[1], internalIPs: ["fd12:3456:789a::11", "10.0.0.11"] }, { ...NODES[2], internalIPs: ["10.9.0.12", "fd12:3456:789a::12"] }],
        };
        const [ipv4, ipv6] = checkNodeAddresses(facts, expectations);
        assert.strictEqual(
            ipv4.evidence,
            "expected an IPv4 InternalIP in 10.0.0.0/22 (dualstack:network.ipv4Cidr) on every node, listed first (IPv4 is the primary family); " +
                "w-0 lists fd12:3456:789a::11 first (InternalIPs: fd12:3456:789a::11, 10.0.0.11); w-1 has 10.9.0.12, outside it",
        );
        assert.strictEqual(ipv6.result, "pass");
    });

    it("nodes: not Ready, or fewer than planned", () => {
        const row = checkNodes({ ...FACTS, nodes: [NODES[0], { ...NODES[1], ready: false }] }, expectations);
        assert.strictEqual(row.result, "fail");
        assert.strictEqual(
            row.evidence,
            "expected every node Ready; not Ready: w-0; expected 3 nodes (the plan's control planes and workers), found 2: cp-0, w-0",
        );
    });

    it("kubeadm's ranges that differ from the plan fail with both", () => {
        const facts = { ...FACTS, kubeadm: { podSubnets: ["10.244.0.0/16", "fd00:1::/56"], serviceSubnets: ["10.96.0.0/16"] } };
        const [ipv4, ipv6] = checkClusterRanges(facts, expectations);
        assert.strictEqual(ipv4.result, "pass");
        assert.strictEqual(
            ipv6.evidence,
            "kubeadm's podSubnet has fd00:1::/56; expected fd12:3456:789a:4000::/56 (dualstack:pods.ipv6Cidr); kubeadm's serviceSubnet has no IPv6 range (serviceSubnet: 10.96.0.0/16)",
        );
        assert.deepStrictEqual(checkClusterRanges(FACTS, expectationsFromCluster(FACTS, "c")).map((r) => r.result), ["skip", "skip"]);
    });

    it("Calico pools: block size, encapsulation and NAT as planned; a missing pool or CRD fails", () => {
        const facts: ClusterFacts = {
            ...FACTS,
            pools: [
                { name: "default-ipv4-ippool", cidr: "10.244.0.0/16", blockSize: 24, ipipMode: "Always", vxlanMode: "Never", natOutgoing: false },
                { name: "default-ipv6-ippool", cidr: "fd12:3456:789a:4000::/56", blockSize: 122, disabled: true },
            ],
        };
        const [ipv4, ipv6] = checkCalicoPools(facts, expectations);
        assert.strictEqual(
            ipv4.evidence,
            "default-ipv4-ippool: block size /24; expected /26 (dualstack:calico.blockSizeIPv4); IPIP Always and VXLAN Never; expected IPIP Never and VXLAN Never " +
                "(dualstack:calico.encapsulationIPv4 None); natOutgoing false; expected true (dualstack:calico.natOutgoingIPv4)",
        );
        assert.strictEqual(
            ipv6.evidence,
            "expected an enabled IPv6 pool for fd12:3456:789a:4000::/56 (dualstack:pods.ipv6Cidr); pools: default-ipv4-ippool 10.244.0.0/16, default-ipv6-ippool fd12:3456:789a:4000::/56 (disabled)",
        );
        const vxlan = planned({ "dualstack:calico": { encapsulationIPv6: "VXLANCrossSubnet" } });
        const [, vxlanRow] = checkCalicoPools({ ...FACTS, pools: [FACTS.pools?.[0] as never, { ...(FACTS.pools?.[1] as object), vxlanMode: "CrossSubnet" } as never] }, vxlan);
        assert.strictEqual(vxlanRow.result, "pass");
        assert.deepStrictEqual(
            checkCalicoPools({ ...FACTS, pools: undefined }, expectations).map((r) => r.evidence),
            Array(2).fill("no Calico IPPool API answers (crd.projectcalico.org/v1 or projectcalico.org/v3 ippools): Calico is not installed"),
        );
    });

    it("a pod with one address fails the other family, naming the pod and node", () => {
        const pods = [
            { name: "dualstack-verify-server", node: "w-0", phase: "Running", podIPs: ["10.244.0.10"], ready: true },
            { name: "dualstack-verify-probe", node: "w-1", phase: "Succeeded", podIPs: ["10.244.0.11", "fd12:3456:789a:4000::b"], ready: false },
        ];
        const [ipv4, ipv6] = checkPodAddresses(pods, expectations);
        assert.strictEqual(ipv4.result, "pass");
        assert.strictEqual(
            ipv6.evidence,
            "expected an IPv6 address in fd12:3456:789a:4000::/56 (dualstack:pods.ipv6Cidr) on each test pod; dualstack-verify-server on w-0 has 10.244.0.10 only",
        );
    });

    it("test pods go to two schedulable nodes, workers first", () => {
        assert.deepStrictEqual(pickNodes(NODES), { server: "w-0", probe: "w-1" });
        assert.deepStrictEqual(pickNodes([NODES[0], NODES[1]]), { server: "w-0", probe: "w-0" });
        assert.strictEqual(pickNodes([NODES[0]]), undefined);
    });
});

describe("verify: probes", () => {
    const expectations = planned();
    const context: ProbeContext = {
        families: expectations.families,
        server: { name: "dualstack-verify-server", node: "w-0", phase: "Running", podIPs: ["10.244.0.10", "fd12:3456:789a:4000::a"], ready: true },
        probePod: "dualstack-verify-probe",
        probeNode: "w-1",
        serverNodeAddresses: ["10.0.0.11", "fd12:3456:789a::11"],
        service: { name: "dualstack-verify", ipFamilies: ["IPv4", "IPv6"], clusterIPs: ["10.96.0.100", "fd12:3456:789a:8000::64"], nodePort: 30080 },
        serviceName: "dualstack-verify.ns.svc.cluster.local.",
        serverPort: 8080,
        servicePort: 80,
        egressTargets: [
            { family: "IPv4", address: "192.0.2.10", port: 443 },
            { family: "IPv6", address: "2001:db8::10", port: 443 },
        ],
        blockMetadata: true,
    };

    it("every target is a literal address of its family; the plan's missing IPv6 egress is not tried", () => {
        assert.strictEqual(
            probesEnv(planProbes(context)),
            [
                "pod-to-pod/IPv4 http 3 http://10.244.0.10:8080/hostname",
                "pod-to-service/IPv4 http 3 http://10.96.0.100/hostname",
                "dns/IPv4 A 3 dualstack-verify.ns.svc.cluster.local.",
                "egress/IPv4 tcp 2 192.0.2.10:443",
                "node-port/IPv4 http 3 http://10.0.0.11:30080/hostname",
                "metadata-blocked/IPv4 http 1 http://169.254.169.254/",
                "pod-to-pod/IPv6 http 3 http://[fd12:3456:789a:4000::a]:8080/hostname",
                "pod-to-service/IPv6 http 3 http://[fd12:3456:789a:8000::64]/hostname",
                "dns/IPv6 AAAA 3 dualstack-verify.ns.svc.cluster.local.",
                "node-port/IPv6 http 3 http://[fd12:3456:789a::11]:30080/hostname",
                "metadata-blocked/IPv6 http 1 http://[fe80::a9fe:a9fe%25eth0]/",
            ].join("\n"),
        );
    });

    it("reads the script's log: tab-separated results and the done line", () => {
        const log = "noise\ndualstack-verify\tdns/IPv6\t0\t1\tfd12:3456:789a:8000::64\ndualstack-verify\tpod-to-pod/IPv6\t28\t3\tcurl: (28) timed out\n";
        assert.deepStrictEqual(parseProbeLog(log), {
            results: [
                { id: "dns/IPv6", exitCode: 0, attempts: 1, output: "fd12:3456:789a:8000::64" },
                { id: "pod-to-pod/IPv6", exitCode: 28, attempts: 3, output: "curl: (28) timed out" },
            ],
            complete: false,
        });
        assert.strictEqual(parseProbeLog(`${log}dualstack-verify-done\n`).complete, true);
    });

    it("judges answers, records, connections and the metadata service; a blocked family's metadata check is inconclusive", () => {
        const probes = planProbes(context);
        const ok = (id: string, output: string) => ({ id, exitCode: 0, attempts: 1, output });
        const timeout = (id: string) => ({ id, exitCode: 28, attempts: 3, output: "curl: (28) Connection timed out after 5001 milliseconds" });
        const results = [
            ok("pod-to-pod/IPv4", "dualstack-verify-server"),
            ok("pod-to-service/IPv4", "dualstack-verify-server"),
            ok("dns/IPv4", "10.96.0.100"),
            { id: "egress/IPv4", exitCode: 1, attempts: 2, output: "nc: connect to 192.0.2.10 port 443 (tcp) timed out" },
            ok("node-port/IPv4", "dualstack-verify-server"),
            { ...timeout("metadata-blocked/IPv4"), attempts: 1 },
            timeout("pod-to-pod/IPv6"),
            timeout("pod-to-service/IPv6"),
            ok("dns/IPv6", "fd12:3456:789a:8000:0:0:0:64"),
            timeout("node-port/IPv6"),
            { ...timeout("metadata-blocked/IPv6"), attempts: 1 },
        ];
        const rows = evaluateProbes(context, probes, { results });
        assert.deepStrictEqual(
            rows.map((r) => `${r.check} ${r.family} ${r.result}`),
            [
                "pod-to-pod IPv4 pass",
                "pod-to-service IPv4 pass",
                "dns IPv4 pass",
                "egress IPv4 fail",
                "node-port IPv4 pass",
                "metadata-blocked IPv4 pass",
                "pod-to-pod IPv6 fail",
                "pod-to-service IPv6 fail",
                "dns IPv6 pass",
                "egress IPv6 skip",
                "node-port IPv6 fail",
                "metadata-blocked IPv6 skip",
            ],
        );
        const byKey = (check: string, family: string) => rows.find((r) => r.check === check && r.family === family)?.evidence;
        assert.strictEqual(
            byKey("pod-to-pod", "IPv6"),
            'dualstack-verify-probe on w-1 → http://[fd12:3456:789a:4000::a]:8080/hostname (pod dualstack-verify-server on w-0): expected "dualstack-verify-server", ' +
                'got exit 28 after 3 attempts: "curl: (28) Connection timed out after 5001 milliseconds"',
        );
        assert.strictEqual(
            byKey("egress", "IPv4"),
            'dualstack-verify-probe on w-1 → 192.0.2.10:443 (the egress target): expected a TCP connection, got exit 1 after 2 attempts: "nc: connect to 192.0.2.10 port 443 (tcp) timed out"',
        );
        assert.match(byKey("egress", "IPv6") ?? "", /^the plan has no IPv6 egress: the IPv6 node subnet fd12:3456:789a::\/64 is unique-local/);
        assert.match(byKey("metadata-blocked", "IPv4") ?? "", /no answer \(exit 28: .*\), while the server pod answered over IPv4$/);
        assert.match(byKey("metadata-blocked", "IPv6") ?? "", /^inconclusive: .* but the probe pod reached nothing else over IPv6 either$/);
    });

    it("a metadata service that answers fails; a missing result names why the probe pod did not report", () => {
        const probes = planProbes({ ...context, families: context.families.slice(0, 1) });
        const rows = evaluateProbes({ ...context, families: context.families.slice(0, 1) }, probes, {
            results: [
                { id: "pod-to-pod/IPv4", exitCode: 0, attempts: 1, output: "dualstack-verify-server" },
                { id: "metadata-blocked/IPv4", exitCode: 0, attempts: 1, output: '{"uuid": "d8e02d56"}' },
            ],
            problem: "pod dualstack-verify-probe stopped before it ran every probe (phase Failed)",
        });
        const metadata = rows.find((r) => r.check === "metadata-blocked");
        assert.strictEqual(
            metadata?.evidence,
            'dualstack-verify-probe on w-1 → http://169.254.169.254/ (the metadata service): expected no answer (dualstack:calico.blockMetadata), got exit 0: "{"uuid": "d8e02d56"}"',
        );
        assert.strictEqual(
            rows.find((r) => r.check === "dns")?.evidence,
            "dualstack-verify-probe on w-1: A dualstack-verify.ns.svc.cluster.local.: expected 10.96.0.100 (the Service's IPv4 ClusterIP); no result: pod dualstack-verify-probe stopped before it ran every probe (phase Failed)",
        );
    });

    it("without a second node pod-to-pod is skipped; a refused Service fails its checks with the API's answer", () => {
        const single = { ...context, probeNode: "w-0", service: { name: "dualstack-verify", ipFamilies: ["IPv4"], clusterIPs: ["10.96.0.100"], nodePort: 30080, refused: "422 this cluster is not configured for dual-stack services" } };
        const rows = evaluateProbes(single, planProbes(single), { results: [] });
        assert.deepStrictEqual(
            rows.filter((r) => r.family === "IPv6").map((r) => [r.check, r.result, r.evidence]).slice(0, 3),
            [
                ["pod-to-pod", "skip", "one schedulable node (w-0): no second node to cross to"],
                ["pod-to-service", "fail", "expected an IPv6 ClusterIP to reach; the API refused the Service: 422 this cluster is not configured for dual-stack services"],
                ["dns", "fail", "expected a AAAA record of an IPv6 ClusterIP; the API refused the Service: 422 this cluster is not configured for dual-stack services"],
            ],
        );
    });
});

describe("verify: objects as the checks see them", () => {
    it("nodes: InternalIPs in order, readiness, taints", () => {
        assert.deepStrictEqual(
            nodeFacts({
                metadata: { name: "cp-0", labels: { "node-role.kubernetes.io/control-plane": "" } },
                spec: { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] },
                status: {
                    addresses: [
                        { type: "InternalIP", address: "fd00::10" },
                        { type: "Hostname", address: "cp-0" },
                        { type: "InternalIP", address: "10.0.0.10" },
                    ],
                    conditions: [{ type: "Ready", status: "True" }],
                },
            } as never),
            { name: "cp-0", internalIPs: ["fd00::10", "10.0.0.10"], ready: true, schedulable: false, controlPlane: true },
        );
    });

    it("kubeadm's ClusterConfiguration networking, comma-separated lists", () => {
        const configMap = { data: { ClusterConfiguration: "kind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16,fd00:1::/56\n  serviceSubnet: 10.96.0.0/16, fd00:2::/112\n" } };
        assert.deepStrictEqual(kubeadmNetworking(configMap as never), { podSubnets: ["10.244.0.0/16", "fd00:1::/56"], serviceSubnets: ["10.96.0.0/16", "fd00:2::/112"] });
        assert.strictEqual(kubeadmNetworking({ data: {} } as never), undefined);
        const domain = { data: { ClusterConfiguration: "networking:\n  dnsDomain: k8s.example.com\n  serviceSubnet: fd00:2::/112\n" } };
        assert.deepStrictEqual(kubeadmNetworking(domain as never), { podSubnets: [], serviceSubnets: ["fd00:2::/112"], dnsDomain: "k8s.example.com" });
    });

    it("a pod that cannot start says why: the scheduler's reason or the container's", () => {
        const unscheduled = podFacts({
            metadata: { name: "p" },
            status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available" }] },
        } as never);
        assert.strictEqual(unscheduled.problem, "not scheduled: Unschedulable (0/3 nodes are available)");
        const pulling = podFacts({
            metadata: { name: "p" },
            spec: { nodeName: "w-0" },
            status: { phase: "Pending", containerStatuses: [{ name: "server", state: { waiting: { reason: "ErrImagePull", message: "not found" } } }] },
        } as never);
        assert.deepStrictEqual(pulling, { name: "p", node: "w-0", phase: "Pending", podIPs: [], ready: false, problem: "container server waiting: ErrImagePull (not found)" });
    });
});

describe("verify: literal address:port targets", () => {
    it("parses both families and refuses names, bare IPv6 and bad ports", () => {
        assert.deepStrictEqual(parseHostPort("192.0.2.10:443"), { family: "IPv4", address: "192.0.2.10", port: 443 });
        assert.deepStrictEqual(parseHostPort("[2001:DB8:0::10]:443"), { family: "IPv6", address: "2001:db8::10", port: 443 });
        assert.strictEqual(parseHostPort("example.com:443"), "example.com is not an IPv4 or IPv6 address; give a literal address, not a name (a name could answer over the other family)");
        assert.strictEqual(parseHostPort("2001:db8::10:443"), "expected an address and a port, e.g. 192.0.2.10:443 or [2001:db8::10]:443 (IPv6 in brackets)");
        assert.strictEqual(parseHostPort("192.0.2.10:70000"), "the port is 70000; it must be 1 to 65535");
    });

    it("the configuration refuses a bad target and a second one of a family (verify-egress-target)", () => {
        const loaded = loadConfig(deepMerge(BASE_CONFIG, { "dualstack:verify": { egressTargets: ["192.0.2.10:443", "192.0.2.11:80", "[2001:db8::1]:0"] } }));
        assert.deepStrictEqual(
            loaded.findings.map((f) => [f.rule, f.path, f.message]),
            [
                [
                    "verify-egress-target",
                    "dualstack:verify.egressTargets[1]",
                    'dualstack:verify.egressTargets[1] is "192.0.2.11:80", a second IPv4 target; the egress check takes one target per family. Keep one.',
                ],
                ["verify-egress-target", "dualstack:verify.egressTargets[2]", 'dualstack:verify.egressTargets[2] is "[2001:db8::1]:0": the port is 0; it must be 1 to 65535.'],
            ],
        );
        const defaults = loadConfig(BASE_CONFIG).config?.verify;
        assert.deepStrictEqual(defaults, { afterUp: false, image: "registry.k8s.io/e2e-test-images/agnhost:2.53", egressTargets: [], timeoutSeconds: 300 });
    });
});
