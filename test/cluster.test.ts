/**
 * The Cluster wiring, through the real program run offline: which components exist, how
 * the endpoint reaches the machines' user-data, the outputs, and the guard against range
 * changes Kubernetes cannot make in place.
 */
import * as assert from "assert";
import { parse, parseAllDocuments } from "yaml";
import { PlanSummary } from "../components/addressing";
import { readStackFile } from "../components/config";
import { RecordedResource } from "../components/offline";
import { decodeUserData, kubeadmFilesIn } from "../cli/artefacts";
import { byName, restoreSuiteCloud, runProgram } from "./support/offline";
import { deepMerge } from "./support/stacks";
import { evaluateStack } from "../components/stack";
import { summarizePlan } from "../components/addressing";

const INSTANCE = "openstack:compute/instance:Instance";
const shipped = (stack: string) => readStackFile(`stacks/Pulumi.${stack}.yaml`).config;

/** The kubeadm documents of a machine's user-data, by kind. */
function kubeadmOf(instance: RecordedResource): Map<string, Record<string, unknown>> {
    const text = decodeUserData(instance.inputs.userData as string);
    const docs = new Map<string, Record<string, unknown>>();
    const first = kubeadmFilesIn(text)[0];
    for (const doc of parseAllDocuments(first.content)) {
        const value = doc.toJS() as Record<string, unknown>;
        docs.set(String(value.kind), value);
    }
    return docs;
}

function children(resources: readonly RecordedResource[], parentName: string): string[] {
    const parent = resources.find((r) => r.name === parentName && r.type === "dualstack:index:Cluster");
    return resources.filter((r) => r.parent === parent?.urn).map((r) => `${r.type} ${r.name}`).sort();
}

describe("Cluster (the program, offline)", () => {
    after(restoreSuiteCloud);

    it("dev: one control plane behind a floating IP, workers join at its own address", async () => {
        const run = await runProgram("dev", shipped("dev"));
        assert.deepStrictEqual(run.errors, []);
        const resources = run.cloud.resources;
        assert.deepStrictEqual(children(resources, "dev"), [
            "dualstack:index:ApiEndpoint dev",
            "dualstack:index:BootstrapTokenSecret dev-join-token",
            "dualstack:index:Calico dev",
            "dualstack:index:ClusterApi dev",
            "dualstack:index:ClusterPki dev",
            "dualstack:index:Network dev",
            "dualstack:index:NodePool dev-control-plane",
            "dualstack:index:NodePool dev-workers",
            "random:index/randomId:RandomId dev-ula-global-id",
        ]);
        const fip = resources.find((r) => r.type === "openstack:networking/floatingIp:FloatingIp");
        assert.ok(fip);
        const association = resources.find((r) => r.type === "openstack:networking/floatingIpAssociate:FloatingIpAssociate");
        assert.strictEqual(association?.inputs.floatingIp, fip.outputs.address);
        assert.strictEqual(association?.inputs.portId, "dev-control-plane-port-0-id");

        const instances = byName(resources, INSTANCE);
        const controlPlane = instances.get("dev-control-plane-0") as RecordedResource;
        const nodes = run.outputs.nodes as Array<{ name: string; addressIPv4: string; addressIPv6: string }>;
        const cp = nodes.find((n) => n.name === "dev-control-plane-0") as { addressIPv4: string; addressIPv6: string };
        const init = kubeadmOf(controlPlane);
        const clusterConfiguration = init.get("ClusterConfiguration") as Record<string, Record<string, unknown>>;
        assert.strictEqual(clusterConfiguration.controlPlaneEndpoint, undefined);
        assert.deepStrictEqual(clusterConfiguration.networking, {
            podSubnet: `10.11.0.0/16,${(run.outputs.addressPlan as PlanSummary).families[1].pods.cidr}`,
            serviceSubnet: `10.12.0.0/16,${(run.outputs.addressPlan as PlanSummary).families[1].services.cidr}`,
        });
        assert.ok((clusterConfiguration.apiServer.certSANs as string[]).includes(fip.outputs.address as string));
        assert.strictEqual((init.get("InitConfiguration") as Record<string, Record<string, unknown>>).localAPIEndpoint.advertiseAddress, cp.addressIPv4);

        const worker = kubeadmOf(instances.get("dev-workers-0") as RecordedResource).get("JoinConfiguration") as Record<string, Record<string, Record<string, unknown>>>;
        assert.strictEqual(worker.discovery.bootstrapToken.apiServerEndpoint, `${cp.addressIPv4}:6443`);

        assert.strictEqual(run.outputs.apiServerUrl, `https://${fip.outputs.address}:6443`);
        assert.strictEqual(run.outputs.apiEndpointIPv4, cp.addressIPv4);
        assert.strictEqual(run.outputs.apiEndpointIPv6, cp.addressIPv6);
        assert.ok(run.secretOutputs.has("kubeconfig"));
        assert.strictEqual((parse(run.outputs.kubeconfig as string) as { clusters: Array<{ cluster: { server: string } }> }).clusters[0].cluster.server, run.outputs.apiServerUrl);
        assert.deepStrictEqual(run.outputs.nodeAddressesIPv4, nodes.map((n) => n.addressIPv4));
        for (const instance of instances.values()) assert.ok(instance.secretInputs.has("userData"), `${instance.name} user-data is secret`);
    });

    it("the address plan output is the plan `dualstack check` computes (same stand-in ULA)", async () => {
        const run = await runProgram("dev", shipped("dev"));
        const checked = evaluateStack(readStackFile("stacks/Pulumi.dev.yaml"));
        assert.ok(checked.plan);
        // Sources differ by design (the program's ranges come from its random ULA ID), values must not.
        const strip = (p: PlanSummary) => JSON.parse(JSON.stringify({ ...p, ula: { ...p.ula, standIn: undefined }, families: p.families.map((f) => ({ ...f, pods: { ...f.pods, source: "" }, services: { ...f.services, source: "" } })), nodeSubnets: p.nodeSubnets.map((s) => ({ ...s, source: "" })) }));
        assert.deepStrictEqual(strip(run.outputs.addressPlan as PlanSummary), strip(summarizePlan(checked.plan)));
    });

    it("staging: three control planes behind a load balancer per family, IPv6 first everywhere", async () => {
        const run = await runProgram("staging", shipped("staging"));
        assert.deepStrictEqual(run.errors, []);
        const resources = run.cloud.resources;
        const lbs = resources.filter((r) => r.type === "openstack:loadbalancer/loadBalancer:LoadBalancer");
        assert.deepStrictEqual(lbs.map((r) => r.name).sort(), ["staging-lb-ipv4", "staging-lb-ipv6"]);
        const members = resources.filter((r) => r.type === "openstack:loadbalancer/member:Member");
        assert.strictEqual(members.length, 6);
        const v6Vip = run.outputs.apiEndpointIPv6 as string;
        const instances = byName(resources, INSTANCE);
        const init = kubeadmOf(instances.get("staging-control-plane-0") as RecordedResource);
        const clusterConfiguration = init.get("ClusterConfiguration") as Record<string, unknown>;
        assert.strictEqual(clusterConfiguration.controlPlaneEndpoint, `[${v6Vip}]:6443`);
        const networking = clusterConfiguration.networking as Record<string, string>;
        assert.match(networking.podSubnet, /^fd[0-9a-f:]+\/56,10\.21\.0\.0\/16$/);
        const join = kubeadmOf(instances.get("staging-control-plane-1") as RecordedResource).get("JoinConfiguration") as Record<string, Record<string, unknown>>;
        assert.ok(join.controlPlane, "control plane 1 joins as a control plane");
        assert.strictEqual(run.outputs.apiServerUrl, "https://api.staging.example.com:6443");
        assert.deepStrictEqual(
            members.map((m) => m.inputs.address).sort(),
            [...(run.outputs.nodeAddressesIPv4 as string[]).slice(0, 3), ...(run.outputs.nodeAddressesIPv6 as string[]).slice(0, 3)].sort(),
        );
    });

    it("controlPlane.joinExisting: control-plane-0 joins the running cluster instead of kubeadm init", async () => {
        const run = await runProgram("staging", deepMerge(shipped("staging"), { "dualstack:controlPlane": { joinExisting: true } }));
        assert.deepStrictEqual(run.errors, []);
        const instances = byName(run.cloud.resources, INSTANCE);
        for (const i of [0, 1, 2]) {
            const docs = kubeadmOf(instances.get(`staging-control-plane-${i}`) as RecordedResource);
            assert.ok(docs.has("JoinConfiguration") && !docs.has("InitConfiguration"), `control-plane-${i} joins`);
        }
    });

    it("lab-ipv6: IPv6-only nodes from a subnet pool, no floating IP, the API at the control plane's IPv6 address", async () => {
        const run = await runProgram("lab-ipv6", shipped("lab-ipv6"));
        assert.deepStrictEqual(run.errors, []);
        const resources = run.cloud.resources;
        assert.deepStrictEqual(resources.filter((r) => r.type.includes("floatingIp")).map((r) => r.name), []);
        const subnets = resources.filter((r) => r.type === "openstack:networking/subnet:Subnet");
        assert.deepStrictEqual(subnets.map((s) => [s.name, s.inputs.subnetpoolId, s.inputs.prefixLength, s.inputs.ipv6AddressMode]), [["lab-ipv6-subnet-ipv6", "public-ipv6-id", 64, "slaac"]]);
        const cp = (run.outputs.nodes as Array<{ name: string; addressIPv6: string }>)[0];
        assert.strictEqual(run.outputs.apiServerUrl, `https://[${cp.addressIPv6}]:6443`);
        assert.strictEqual(run.outputs.apiEndpointIPv4, undefined);
    });

    it("IPv4-only: one family everywhere", async () => {
        const run = await runProgram("v4only", deepMerge(shipped("dev"), { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null, dnsNameservers: ["9.9.9.9"] } }));
        assert.deepStrictEqual(run.errors, []);
        const subnets = run.cloud.resources.filter((r) => r.type === "openstack:networking/subnet:Subnet");
        assert.deepStrictEqual(subnets.map((s) => s.inputs.cidr), ["10.10.0.0/22"]);
        const init = kubeadmOf(byName(run.cloud.resources, INSTANCE).get("v4only-control-plane-0") as RecordedResource);
        assert.deepStrictEqual((init.get("ClusterConfiguration") as Record<string, unknown>).networking, { podSubnet: "10.11.0.0/16", serviceSubnet: "10.12.0.0/16" });
        assert.deepStrictEqual(run.outputs.nodeAddressesIPv6, []);
    });

    describe("changes Kubernetes cannot make in place", () => {
        const single = deepMerge(shipped("dev"), { "dualstack:ipFamilies": ["IPv4"], "dualstack:network": { ipv6Cidr: null, dnsNameservers: ["9.9.9.9"] } });

        /** What a refused run registered: nothing but the read of its own last deployment. */
        const registeredBy = (run: { cloud: { resources: RecordedResource[] } }) =>
            run.cloud.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference").map((r) => `${r.type} ${r.name}`);

        it("a deployed single-stack cluster does not become dual-stack: the run stops, naming the key, before anything is registered", async () => {
            const deployed = await runProgram("dev", single);
            assert.deepStrictEqual(deployed.errors, []);
            // Other changes ride along; none of them may happen either.
            const next = deepMerge(shipped("dev"), {
                "dualstack:workerPools": [{ name: "workers", count: 2, flavor: "m1.xlarge" }, { name: "extra", count: 1 }],
                "dualstack:access": { sshAllowedCidrs: ["10.201.0.0/16"] },
            });
            const run = await runProgram("dev", next, { addressPlan: deployed.outputs.addressPlan, calicoPools: deployed.outputs.calicoPools });
            const messages = run.errors.map((e) => e.message).join("\n");
            assert.match(messages, /dualstack:ipFamilies \(ip-families-change\): dualstack:ipFamilies was \[IPv4\] when the cluster was deployed and is now \[IPv4, IPv6\]: a single-stack cluster cannot become dual-stack/);
            assert.strictEqual(run.errors.length, 1, "one refusal, not one per resource");
            assert.deepStrictEqual(registeredBy(run), []);
        });

        it("a new node mask, or an IPv6 node subnet from another subnet pool, is refused too", async () => {
            const deployed = await runProgram("lab-ipv6", shipped("lab-ipv6"));
            const previous = { addressPlan: deployed.outputs.addressPlan, calicoPools: deployed.outputs.calicoPools };
            const mask = await runProgram("lab-ipv6", deepMerge(shipped("lab-ipv6"), { "dualstack:pods": { nodeMaskIPv6: 80 } }), previous);
            assert.match(mask.errors.map((e) => e.message).join("\n"), /dualstack:pods\.nodeMaskIPv6 \(node-mask-change\): dualstack:pods\.nodeMaskIPv6 was 64 when the cluster was deployed and is now 80/);
            const pool = await runProgram("lab-ipv6", deepMerge(shipped("lab-ipv6"), { "dualstack:network": { ipv6SubnetPool: "other-v6" } }), previous);
            assert.match(pool.errors.map((e) => e.message).join("\n"), /\(node-subnet-change\): The IPv6 node subnet was \/64 from subnet pool public-ipv6 when the cluster was deployed and is now \/64 from subnet pool other-v6/);
            assert.deepStrictEqual([...registeredBy(mask), ...registeredBy(pool)], []);
        });

        it("a new pod range is refused; the same plan passes; allowRangeChanges rebuilds every machine and the Kubernetes side", async () => {
            const deployed = await runProgram("dev", shipped("dev"));
            const previous = { addressPlan: deployed.outputs.addressPlan, calicoPools: deployed.outputs.calicoPools };
            const same = await runProgram("dev", shipped("dev"), previous);
            assert.deepStrictEqual(same.errors, []);
            const moved = deepMerge(shipped("dev"), { "dualstack:pods": { ipv4Cidr: "10.13.0.0/16" } });
            const refused = await runProgram("dev", moved, previous);
            assert.match(refused.errors.map((e) => e.message).join("\n"), /dualstack:pods\.ipv4Cidr \(pod-range-change\): dualstack:pods\.ipv4Cidr was 10\.11\.0\.0\/16/);
            assert.deepStrictEqual(registeredBy(refused), []);
            const allowed = await runProgram("dev", deepMerge(moved, { "dualstack:kubernetes": { allowRangeChanges: true } }), previous);
            assert.deepStrictEqual(allowed.errors, []);
            // The rebuild: a new fingerprint on every machine (they are replaced on it) and a
            // new identity for the Kubernetes provider (every Kubernetes resource is re-created).
            const stamp = (run: typeof deployed) => byName(run.cloud.resources, INSTANCE).get("dev-workers-0")?.inputs.metadata as Record<string, string>;
            const identity = (run: typeof deployed) => run.cloud.resources.find((r) => r.type === "pulumi:providers:kubernetes")?.inputs.clusterIdentifier;
            assert.strictEqual(stamp(same)["dualstack-ranges"], stamp(deployed)["dualstack-ranges"]);
            assert.notStrictEqual(stamp(allowed)["dualstack-ranges"], stamp(deployed)["dualstack-ranges"]);
            assert.match(String(identity(deployed)), /^dev-[0-9a-f]{12}$/);
            assert.strictEqual(identity(same), identity(deployed));
            assert.notStrictEqual(identity(allowed), identity(deployed));
        });
    });

    describe("with an access gateway (stacks/Pulumi.private.yaml)", () => {
        it("builds a Gateway, opens SSH and the API to the client ranges, and exports the public key, endpoint, VIPs and peers' templates", async () => {
            const run = await runProgram("private", shipped("private"));
            assert.deepStrictEqual(run.errors, []);
            const resources = run.cloud.resources;
            assert.ok(children(resources, "private").includes("dualstack:index:Gateway private-gateway"));
            const rules = byName(resources, "openstack:networking/secGroupRule:SecGroupRule");
            const plan = run.outputs.addressPlan as PlanSummary;
            const [clientsIPv4, clientsIPv6] = (plan.gateway?.clientRanges ?? []).map((r) => r.cidr);
            assert.deepStrictEqual([clientsIPv4, clientsIPv6.endsWith(":c000::/64")], ["10.43.0.0/24", true]);
            for (const [name, port, remote] of [
                ["private-nodes-ipv4-ssh-wireguard-clients", 22, clientsIPv4],
                ["private-nodes-ipv6-ssh-wireguard-clients", 22, clientsIPv6],
                ["private-control-plane-ipv4-api-wireguard-clients", 6443, clientsIPv4],
                ["private-control-plane-ipv6-api-wireguard-clients", 6443, clientsIPv6],
            ] as const) {
                const rule = rules.get(name);
                assert.deepStrictEqual([rule?.inputs.protocol, rule?.inputs.portRangeMin, rule?.inputs.remoteIpPrefix], ["tcp", port, remote], name);
            }
            const vip4 = resources.find((r) => r.name === "private-gateway-vip-ipv4")?.outputs.allFixedIps as string[];
            assert.deepStrictEqual(
                [run.outputs.gatewayVipIPv4, run.outputs.gatewayEndpoint],
                [vip4[0], `${resources.find((r) => r.name === "private-gateway-fip")?.outputs.address}:51820`],
            );
            assert.match(String(run.outputs.gatewayPublicKey), /^[A-Za-z0-9+/]{43}=$/);
            assert.deepStrictEqual([...run.secretOutputs].filter((k) => k.startsWith("gateway")), []);
            const configs = run.outputs.gatewayClientConfigs as Array<{ name: string; config: string }>;
            assert.deepStrictEqual(configs.map((c) => c.name), ["alice-laptop", "ci-runner"]);
            assert.match(configs[0].config, /^Address = 10\.43\.0\.10\/32, [0-9a-f:]+:c000::a\/128$/m);
        });

        it("the nodes accept the gateway's Route Information up to the IPv6 client range's length", async () => {
            const run = await runProgram("private", shipped("private"));
            const worker = run.cloud.resources.find((r) => r.type === INSTANCE && r.name === "private-workers-0") as RecordedResource;
            const env = (parse(decodeUserData(worker.inputs.userData as string)) as { write_files: Array<{ path: string; content: string }> }).write_files.find(
                (f) => f.path === "/etc/dualstack/bootstrap.env",
            );
            assert.match(String(env?.content), /^ROUTE_INFORMATION_MAX_PLEN='64'$/m);
            const dev = await runProgram("dev", shipped("dev"));
            const devWorker = dev.cloud.resources.find((r) => r.type === INSTANCE && r.name === "dev-workers-0") as RecordedResource;
            assert.match(decodeUserData(devWorker.inputs.userData as string), /ROUTE_INFORMATION_MAX_PLEN=''/);
        });

        it("behind a load balancer, each API listener admits its family's client range", async () => {
            const run = await runProgram("private-lb", deepMerge(shipped("private"), { "dualstack:controlPlane": { count: 3 } }));
            assert.deepStrictEqual(run.errors, []);
            const listeners = byName(run.cloud.resources, "openstack:loadbalancer/listener:Listener");
            const plan = run.outputs.addressPlan as PlanSummary;
            const clients = (plan.gateway?.clientRanges ?? []).map((r) => r.cidr);
            assert.deepStrictEqual(listeners.get("private-lb-listener-ipv4")?.inputs.allowedCidrs, ["203.0.113.0/24", "10.40.0.0/22", clients[0]]);
            assert.deepStrictEqual(listeners.get("private-lb-listener-ipv6")?.inputs.allowedCidrs, [plan.nodeSubnets[1].cidr, clients[1]]);
        });

        it("a private key this run cannot read (encrypted in the stack file) is replaced by a generated one, with a warning", async () => {
            const config = deepMerge(shipped("private"), { "dualstack:gateway": { privateKey: { secure: "v1:encrypted" } } });
            const run = await runProgram("private-encrypted", config);
            assert.deepStrictEqual(run.errors, []);
            assert.ok(run.cloud.resources.some((r) => r.name === "private-encrypted-gateway-wireguard-key"));
            assert.ok(
                run.logs.some((l) => l.includes("dualstack:gateway.privateKey (secret-not-readable): dualstack:gateway.privateKey is encrypted in the configuration")),
                run.logs.join("\n"),
            );
        });
    });

    it("Calico gets the plan's pools in family order and detects node addresses in the node subnets", async () => {
        for (const stack of ["dev", "staging", "lab-ipv6"]) {
            const run = await runProgram(stack, shipped(stack));
            assert.deepStrictEqual(run.errors, []);
            const plan = run.outputs.addressPlan as PlanSummary;
            const release = run.cloud.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release") as RecordedResource;
            const network = ((release.inputs.values as Record<string, Record<string, unknown>>).installation.calicoNetwork ?? {}) as Record<string, unknown>;
            assert.deepStrictEqual(
                (network.ipPools as Array<{ cidr: string; blockSize: number }>).map((p) => [p.cidr, p.blockSize]),
                plan.families.map((f) => [f.pods.cidr, f.calico.blockSize]),
                stack,
            );
            const subnets = run.cloud.resources.filter((r) => r.type === "openstack:networking/subnet:Subnet");
            for (const subnet of subnets) {
                const key = subnet.outputs.ipVersion === 4 ? "nodeAddressAutodetectionV4" : "nodeAddressAutodetectionV6";
                assert.deepStrictEqual(network[key], { cidrs: [subnet.outputs.cidr] }, `${stack} ${key}`);
            }
            assert.deepStrictEqual(run.outputs.calicoPools, network.ipPools);
        }
    });

    it("a new Calico block size on a deployed stack is refused with the key to fix", async () => {
        const deployed = await runProgram("dev", shipped("dev"));
        const previous = { addressPlan: deployed.outputs.addressPlan, calicoPools: deployed.outputs.calicoPools };
        const run = await runProgram("dev", deepMerge(shipped("dev"), { "dualstack:calico": { blockSizeIPv4: 27 } }), previous);
        assert.match(run.errors.map((e) => e.message).join("\n"), /dualstack:calico\.blockSizeIPv4 \(calico-pool-immutable\)/);
    });

    it("an invalid configuration registers nothing and names every error", async () => {
        const run = await runProgram("bad", deepMerge(shipped("dev"), { "dualstack:services": { ipv6Cidr: "fd00:1::/64" }, "dualstack:pods": { ipv4Cidr: "10.10.0.0/16" } }));
        const message = run.errors.map((e) => e.message).join("\n");
        assert.match(message, /dualstack:services\.ipv6Cidr \(service-range-too-large\)/);
        assert.match(message, /\(range-overlap\)/);
        assert.deepStrictEqual(run.cloud.resources.filter((r) => r.type.startsWith("openstack:")), []);
    });
});
