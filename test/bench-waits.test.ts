import * as assert from "assert";
import { DeployGraph } from "../bench/graph";
import { latencySeconds } from "../bench/latency";
import { computedValues, describeNeedless, isWorkerInstance, WaitResource, waitCategory, workerWaits } from "../bench/waits";
import { RecordedResource } from "../components/offline";
import { restoreSuiteCloud, runProgram } from "./support/offline";
import { readStackFile } from "../components/config";

const shipped = (stack: string) => readStackFile(`stacks/Pulumi.${stack}.yaml`).config as Record<string, unknown>;
const urn = (type: string, name: string) => `urn:pulumi:s::p::${type}::${name}`;
const T = {
    net: "openstack:networking/network:Network",
    port: "openstack:networking/port:Port",
    fip: "openstack:networking/floatingIp:FloatingIp",
    group: "openstack:compute/serverGroup:ServerGroup",
    instance: "openstack:compute/instance:Instance",
    lb: "openstack:loadbalancer/loadBalancer:LoadBalancer",
    key: "tls:index/privateKey:PrivateKey",
    ref: "pulumi:pulumi:StackReference",
};

function r(type: string, name: string, deps: string[] = [], fields: Partial<WaitResource> = {}): WaitResource {
    return { urn: urn(type, name), type, name, custom: true, dependencies: deps, inputs: {}, outputs: {}, ...fields };
}

/** A worker that needs its port, the server group, a VIP port, a CA key, and also waits for a floating IP and a control plane. */
function cluster() {
    const net = r(T.net, "net");
    const port = r(T.port, "w-port", [net.urn], { outputs: { allFixedIps: ["10.0.0.5"] } });
    const vip = r(T.port, "vip", [net.urn], { outputs: { allFixedIps: ["10.0.0.2"] } });
    const group = r(T.group, "w-group");
    const key = r(T.key, "ca-key");
    const ref = r(T.ref, "last-deployment");
    const fip = r(T.fip, "fip", [vip.urn], { inputs: { pool: "public" }, outputs: { pool: "public", address: "203.0.113.3" } });
    const lb = r(T.lb, "lb", [vip.urn]);
    const controlPlane = r(T.instance, "cp-0", [net.urn], { inputs: { metadata: { "dualstack-role": "control-plane" } } });
    const worker = r(T.instance, "w-0", [port.urn, group.urn, vip.urn, key.urn, ref.urn, fip.urn, controlPlane.urn], {
        inputs: { metadata: { "dualstack-role": "worker" }, userData: "#cloud-config\nendpoint: 10.0.0.2\n" },
        propertyDependencies: {
            networks: [port.urn],
            schedulerHints: [group.urn],
            userData: [vip.urn, key.urn, ref.urn, fip.urn, controlPlane.urn],
        },
    });
    const all = [net, port, vip, group, key, ref, fip, lb, controlPlane, worker];
    return { all, worker, graph: new DeployGraph(all, (x) => latencySeconds(x.type, x.custom)) };
}

describe("benchmark worker waits", () => {
    it("sorts what a worker waits for into what it needs and what it does not", () => {
        const { graph, worker } = cluster();
        const waits = workerWaits(graph, worker, ["10.0.0.2"]);
        assert.deepStrictEqual(Object.fromEntries(waits.needed), {
            "own port": ["w-port"],
            "server group": ["w-group"],
            network: ["net"],
            "endpoint address": ["vip"],
            "PKI and tokens": ["ca-key"],
            "address plan": ["last-deployment"],
        });
        assert.deepStrictEqual(
            waits.needless.map((w) => [w.type, w.input, w.forbidden, w.valuesUsed]),
            [
                [T.instance, "userData", true, []],
                [T.fip, "userData", false, []],
            ],
        );
        assert.strictEqual(describeNeedless(waits.needless[1]), "FloatingIp fip through input userData (which does not contain its address)");
        // The control plane boots for 40 s after the network: that is what the worker waits for.
        assert.strictEqual(waits.earliestStart, 42);
        assert.strictEqual(waits.earliestStartNeeded, 4);
    });

    it("names a value the worker's input does use", () => {
        const { graph, worker } = cluster();
        const used = { ...worker, inputs: { ...worker.inputs, userData: "#cloud-config\nsans: [203.0.113.3]\n" } };
        const fip = workerWaits(graph, used, ["10.0.0.2"]).needless.find((w) => w.type === T.fip);
        assert.deepStrictEqual(fip?.valuesUsed, ["address"]);
        assert.match(describeNeedless(fip!), /\(which contains its address\)$/);
    });

    it("takes only computed string outputs as the values a dependent could use", () => {
        const fip = r(T.fip, "f", [], { inputs: { pool: "public" }, outputs: { pool: "public", address: "203.0.113.3", ips: ["a.b.c", "d.e.f"], n: 3, id: "x" } });
        assert.deepStrictEqual(computedValues(fip), { address: "203.0.113.3", ips: "a.b.c,d.e.f" });
    });

    it("does not count another machine's port as the worker's own", () => {
        const { all, worker } = cluster();
        const other = all.find((x) => x.name === "vip") as WaitResource;
        assert.strictEqual(waitCategory(worker, other, []), undefined);
        assert.strictEqual(waitCategory(worker, other, ["10.0.0.2"]), "endpoint address");
    });
});

describe("benchmark worker waits on the real program", () => {
    after(restoreSuiteCloud);

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no worker machine waits for a control-plane machine or a load balancer`, async () => {
            const run = await runProgram(stack, shipped(stack));
            assert.deepStrictEqual(run.errors, []);
            const resources = run.cloud.resources as RecordedResource[];
            const graph = new DeployGraph(resources, (x) => latencySeconds(x.type, x.custom));
            assert.deepStrictEqual([...graph.unresolved], []);
            const endpoints = [run.outputs.apiEndpointIPv4, run.outputs.apiEndpointIPv6] as string[];
            const workers = resources.filter((x) => isWorkerInstance(x as WaitResource));
            assert.ok(workers.length >= 2);
            for (const worker of workers) {
                const waits = workerWaits(graph, worker as WaitResource, endpoints);
                assert.deepStrictEqual(waits.needed.get("own port"), [worker.name.replace(/-(\d+)$/, "-port-$1")]);
                assert.ok(waits.needed.has("endpoint address"), `${worker.name} waits for no endpoint address`);
                assert.deepStrictEqual(waits.needless.filter((w) => w.forbidden).map(describeNeedless), []);
            }
        });
    }
});
