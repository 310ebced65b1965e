import * as assert from "assert";
import { describeChain, DeployGraph, GraphResource, nameOf, providerUrn, shortType } from "../bench/graph";
import { DEFAULT_LATENCY_SECONDS, latencyEntry, latencySeconds } from "../bench/latency";

const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;
const NET = "openstack:networking/network:Network";
const SUBNET = "openstack:networking/subnet:Subnet";
const PORT = "openstack:networking/port:Port";
const FIP = "openstack:networking/floatingIp:FloatingIp";
const INSTANCE = "openstack:compute/instance:Instance";
const POOL = "dualstack:index:NodePool";

function resource(type: string, name: string, deps: string[] = [], extra: Partial<GraphResource> = {}): GraphResource {
    return { urn: urn(type, name), type, name, custom: !type.startsWith("dualstack:"), dependencies: deps, ...extra };
}

/** network → subnet → port → instance, a floating IP the instance's userData also waits for, all under a component. */
function smallGraph(): { graph: DeployGraph; byName: (name: string) => GraphResource } {
    const pool = resource(POOL, "pool");
    const net = resource(NET, "net");
    const subnet = resource(SUBNET, "subnet", [net.urn]);
    const fip = resource(FIP, "fip");
    const port = resource(PORT, "port", [net.urn, subnet.urn], { parent: pool.urn, propertyDependencies: { networkId: [net.urn], fixedIps: [subnet.urn] } });
    const instance = resource(INSTANCE, "vm", [port.urn, fip.urn], {
        parent: pool.urn,
        propertyDependencies: { networks: [port.urn], userData: [fip.urn, port.urn] },
    });
    const all = [pool, net, subnet, fip, port, instance];
    return { graph: new DeployGraph(all, (r) => latencySeconds(r.type, r.custom)), byName: (name) => all.find((r) => r.name === name) as GraphResource };
}

describe("benchmark deploy graph", () => {
    it("schedules each resource after its dependencies and parent; components take no time", () => {
        const { graph, byName } = smallGraph();
        const at = (name: string) => graph.scheduled(byName(name).urn);
        assert.deepStrictEqual([at("pool").start, at("pool").finish], [0, 0]);
        assert.deepStrictEqual([at("net").start, at("net").finish], [0, 2]);
        assert.deepStrictEqual([at("subnet").start, at("subnet").finish], [2, 4]);
        assert.deepStrictEqual([at("port").start, at("port").finish], [4, 6]);
        assert.deepStrictEqual([at("vm").start, at("vm").finish], [6, 46]);
        assert.strictEqual(at("vm").waitsLongestFor, byName("port").urn);
        assert.strictEqual(graph.last().resource.name, "vm");
        assert.strictEqual(graph.totalSeconds(), 2 + 2 + 3 + 2 + 40);
    });

    it("gives the chain that decides a finish, first to last, without components", () => {
        const { graph, byName } = smallGraph();
        const chain = graph.chain(byName("vm").urn);
        assert.deepStrictEqual(chain.map((s) => s.resource.name), ["net", "subnet", "port", "vm"]);
        assert.strictEqual(describeChain(chain), "net Network 2 s → subnet Subnet 2 s → port Port 2 s → vm Instance 40 s");
    });

    it("finds everything a resource waits for and the input that carries each", () => {
        const { graph, byName } = smallGraph();
        const names = [...graph.ancestors(byName("vm").urn)].map(nameOf).sort();
        assert.deepStrictEqual(names, ["fip", "net", "pool", "port", "subnet"]);
        assert.deepStrictEqual(graph.waitPath(byName("vm").urn, byName("fip").urn), { input: "userData", through: [] });
        assert.deepStrictEqual(graph.waitPath(byName("vm").urn, byName("port").urn), { input: "networks, userData", through: [] });
        assert.deepStrictEqual(graph.waitPath(byName("vm").urn, byName("subnet").urn), { input: "networks, userData", through: [byName("port").urn] });
        assert.deepStrictEqual(graph.waitPath(byName("vm").urn, byName("pool").urn), { input: "parent", through: [] });
        assert.strictEqual(graph.waitPath(byName("net").urn, byName("vm").urn), undefined);
    });

    it("reports dependencies on resources that were not recorded, and refuses cycles", () => {
        const a = resource(NET, "a", [urn(NET, "b")]);
        const b = resource(NET, "b", [a.urn]);
        assert.deepStrictEqual([...new DeployGraph([a], () => 1).unresolved], [urn(NET, "b")]);
        assert.throws(() => new DeployGraph([a, b], () => 1).scheduled(a.urn), /dependency cycle through urn:pulumi:s::p::openstack:networking\/network:Network::a/);
    });

    it("waits for a resource's provider, which its dependencies do not name", () => {
        const readiness = resource("pulumi-nodejs:dynamic:ApiReadiness", "readyz");
        const provider = resource("pulumi:providers:kubernetes", "k8s", [readiness.urn]);
        const secret = resource("kubernetes:core/v1:Secret", "token", [], { provider: `${provider.urn}::k8s-id` });
        const chart = resource("kubernetes:helm.sh/v4:Chart", "crds", [], { custom: false, provider: `${provider.urn}::k8s-id` });
        const release = resource("kubernetes:helm.sh/v3:Release", "operator", [chart.urn], { provider: `${provider.urn}::k8s-id` });
        const graph = new DeployGraph([readiness, provider, secret, chart, release], (r) => latencySeconds(r.type, r.custom));
        assert.deepStrictEqual(graph.predecessorsOf(secret), [provider.urn]);
        assert.strictEqual(graph.scheduled(secret.urn).finish, 180 + 0 + 2);
        // The Helm v4 chart is a component whose objects the provider applies: it takes their time.
        assert.strictEqual(graph.scheduled(release.urn).finish, 180 + 10 + 60);
        assert.strictEqual(describeChain(graph.chain(release.urn)), "readyz ApiReadiness 180 s → crds Chart 10 s → operator Release 60 s");
        assert.strictEqual(providerUrn("urn:pulumi:s::p::pulumi:providers:kubernetes::k8s::k8s-id"), "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s");
        assert.strictEqual(providerUrn(""), undefined);
    });

    it("shortens type tokens and names URNs", () => {
        assert.strictEqual(shortType("openstack:loadbalancer/loadBalancer:LoadBalancer"), "LoadBalancer");
        assert.strictEqual(nameOf("urn:pulumi:s::p::a$b::name-0"), "name-0");
    });
});

describe("benchmark latency table", () => {
    it("takes exact tokens first, else the longest prefix, else the default; components take none", () => {
        assert.strictEqual(latencySeconds("openstack:compute/instance:Instance"), 40);
        assert.strictEqual(latencySeconds("kubernetes:helm.sh/v3:Release"), 60);
        assert.strictEqual(latencySeconds("kubernetes:core/v1:Namespace"), 2);
        assert.strictEqual(latencySeconds("tls:index/privateKey:PrivateKey"), 0);
        assert.strictEqual(latencySeconds("openstack:dns/recordSet:RecordSet"), DEFAULT_LATENCY_SECONDS);
        assert.strictEqual(latencyEntry("openstack:dns/recordSet:RecordSet"), undefined);
        assert.strictEqual(latencySeconds("dualstack:index:Cluster", false), 0);
        assert.strictEqual(latencySeconds("kubernetes:helm.sh/v4:Chart", false), 10);
        assert.strictEqual(latencySeconds("kubernetes:yaml/v2:ConfigGroup", false), 0);
    });
});
