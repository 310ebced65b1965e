import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "../components/addressing/findings";
import { IpFamily } from "../components/addressing/family";
import { ClusterBootstrap } from "../components/bootstrap";
import { ApiEndpoint } from "../components/endpoint";
import { NodePool, NodePoolArgs } from "../components/machines";
import { Network, PodRangesArgs } from "../components/network";
import { CA_KEY_MARKER, clusterBootstrap, userDataText } from "./machines.fixtures";
import { cloud, settle, valueOf } from "./support/runtime";

const PORT = "openstack:networking/port:Port";
const INSTANCE = "openstack:compute/instance:Instance";
const MEMBER = "openstack:loadbalancer/member:Member";

const NODE_CIDRS: Record<IpFamily, string> = { IPv4: "10.30.0.0/22", IPv6: "fd00:30::/64" };
const POD_CIDRS: Record<IpFamily, string> = { IPv4: "10.244.0.0/16", IPv6: "fd00:10:244::/56" };

interface ClusterOptions {
    /** Cluster families, primary first (also the node families). */
    families: IpFamily[];
    controlPlanes: number;
    workers?: number;
    encapsulation?: Partial<Record<IpFamily, string>>;
    ipv6AddressMode?: string;
    /** A SLAAC subnet of someone else on the same network (Neutron gives every port an address there). */
    foreignSlaac?: string;
    /** NodePool `rebuildKey` of both pools. */
    rebuildKey?: string;
}

interface BuiltCluster {
    network: Network;
    endpoint: ApiEndpoint;
    controlPlane: NodePool;
    workers?: NodePool;
    /** Resource options each child resource of the pools was registered with, by name. */
    options: Map<string, pulumi.ResourceOptions>;
}

/** Network → ApiEndpoint → control-plane and worker NodePools, wired as the Cluster wires them. */
function buildCluster(name: string, o: ClusterOptions): BuiltCluster {
    const lower = (f: IpFamily) => (f === "IPv4" ? "ipv4" : "ipv6");
    const podRanges: PodRangesArgs = {};
    for (const f of o.families) podRanges[lower(f)] = { cidr: POD_CIDRS[f], encapsulation: o.encapsulation?.[f] ?? "None" };
    const network = new Network(`${name}-net`, {
        clusterName: name,
        subnets: Object.fromEntries(
            o.families.map((f) => [lower(f), { cidr: NODE_CIDRS[f], ipv6AddressMode: f === "IPv6" ? o.ipv6AddressMode : undefined }]),
        ),
        podRanges,
        calicoBgp: true,
        externalNetworkName: "public",
    });
    const externalNetworkName = o.families.includes("IPv4") ? "public" : undefined;
    const foreign =
        o.foreignSlaac === undefined
            ? undefined
            : new openstack.networking.Subnet(`${name}-foreign`, {
                  networkId: network.networkId,
                  cidr: o.foreignSlaac,
                  ipVersion: 6,
                  ipv6AddressMode: "slaac",
                  ipv6RaMode: "slaac",
              });
    // With a foreign subnet, the machines' ports come after it, as on a network that had it before.
    const after = (id: pulumi.Output<string> | undefined) => (id === undefined || foreign === undefined ? id : pulumi.all([id, foreign.id]).apply(([v]) => v));
    const subnetIds = { ipv4: after(network.subnetIdIPv4), ipv6: after(network.subnetIdIPv6) };
    const endpoint = new ApiEndpoint(`${name}-api`, {
        clusterName: name,
        controlPlaneCount: o.controlPlanes,
        primaryFamily: o.families[0],
        networkId: network.networkId,
        subnets: Object.fromEntries(
            o.families.map((f) => [
                lower(f),
                { subnetId: (f === "IPv4" ? network.subnetIdIPv4 : network.subnetIdIPv6)!, cidr: (f === "IPv4" ? network.subnetCidrIPv4 : network.subnetCidrIPv6)! },
            ]),
        ),
        externalNetworkName,
    });
    const bootstrap: pulumi.Output<ClusterBootstrap> = pulumi
        .all([endpoint.certSANs, endpoint.controlPlaneHost ?? pulumi.output(undefined)])
        .apply(([certSANs, host]) =>
            clusterBootstrap(o.families, { clusterName: name, certSANs, controlPlaneEndpoint: host ?? "203.0.113.250" }),
        );
    const secretBootstrap = pulumi.secret(bootstrap);
    const options = new Map<string, pulumi.ResourceOptions>();
    const record: pulumi.ResourceTransformation = (args) => {
        options.set(args.name, args.opts);
        return undefined;
    };
    const common = {
        clusterName: name,
        flavorName: "m1.large",
        imageName: "debian-13",
        keyPairName: "ops",
        availabilityZone: "az1",
        networkId: network.networkId,
        subnetIds,
        subnetCidrs: { ipv4: network.subnetCidrIPv4, ipv6: network.subnetCidrIPv6 },
        podRanges,
        bootstrap: secretBootstrap,
        rebuildKey: o.rebuildKey,
    };
    const controlPlane = new NodePool(
        `${name}-cp`,
        {
            ...common,
            role: "control-plane",
            count: o.controlPlanes,
            securityGroupIds: [network.nodeSecurityGroupId, network.controlPlaneSecurityGroupId],
            loadBalancerPoolIds: o.controlPlanes > 1 ? { ipv4: endpoint.poolIdIPv4, ipv6: endpoint.poolIdIPv6 } : undefined,
            floatingIpAddress: o.controlPlanes === 1 ? endpoint.floatingIpAddress : undefined,
        },
        { transformations: [record] },
    );
    const workers =
        o.workers === undefined
            ? undefined
            : new NodePool(
                  `${name}-wk`,
                  { ...common, role: "worker", poolName: "workers", count: o.workers, serverGroupPolicy: "soft-anti-affinity", securityGroupIds: [network.nodeSecurityGroupId] },
                  { transformations: [record] },
              );
    return { network, endpoint, controlPlane, workers, options };
}

/** The recorded port's allowed address pairs, as CIDRs. */
function pairsOf(portName: string): string[] | undefined {
    const pairs = cloud.named(portName, PORT).inputs.allowedAddressPairs as Array<{ ipAddress: string }> | undefined;
    return pairs?.map((p) => p.ipAddress);
}

describe("NodePool", () => {
    it("dual-stack IPv4-primary, one control plane and two workers: exact ports, instances and the floating IP on node 0", async () => {
        const c = buildCluster("m-one", { families: ["IPv4", "IPv6"], controlPlanes: 1, workers: 2 });
        const [cp4, cp6] = await Promise.all([valueOf(c.controlPlane.addressesIPv4), valueOf(c.controlPlane.addressesIPv6)]);
        await settle();
        const cpUrn = cloud.named("m-one-cp", "dualstack:index:NodePool").urn;
        assert.deepStrictEqual(
            cloud.resources
                .filter((r) => r.parent === cpUrn)
                .map((r) => `${r.type.split(":").pop()} ${r.name}`)
                .sort(),
            ["FloatingIpAssociate m-one-cp-fip-0", "Instance m-one-cp-0", "Port m-one-cp-port-0", "ServerGroup m-one-cp-group"],
        );
        const cpTags = ["dualstack-cluster=m-one", "dualstack-role=control-plane", "dualstack-pool=control-plane"];
        assert.deepStrictEqual(cloud.named("m-one-cp-group").inputs, { name: "m-one-control-plane", policies: ["anti-affinity"] });
        assert.deepStrictEqual(cloud.named("m-one-cp-port-0", PORT).inputs, {
            name: "m-one-control-plane-0",
            description: "dualstack: control-plane node m-one-control-plane-0",
            networkId: "m-one-net-network-id",
            fixedIps: [{ subnetId: "m-one-net-subnet-ipv4-id" }, { subnetId: "m-one-net-subnet-ipv6-id" }],
            securityGroupIds: ["m-one-net-nodes-id", "m-one-net-control-plane-id"],
            allowedAddressPairs: [{ ipAddress: "10.244.0.0/16" }, { ipAddress: "fd00:10:244::/56" }],
            adminStateUp: true,
            tags: cpTags,
        });
        const instance = cloud.named("m-one-cp-0", INSTANCE);
        const { userData, ...rest } = instance.inputs;
        assert.deepStrictEqual(rest, {
            name: "m-one-control-plane-0",
            flavorName: "m1.large",
            imageName: "debian-13",
            keyPair: "ops",
            availabilityZone: "az1",
            networks: [{ port: "m-one-cp-port-0-id" }],
            schedulerHints: [{ group: "m-one-cp-group-id" }],
            configDrive: false,
            metadata: { "dualstack-cluster": "m-one", "dualstack-role": "control-plane", "dualstack-pool": "control-plane" },
            tags: cpTags,
        });
        assert.ok(instance.secretInputs.has("userData"), "user-data is a secret");
        const text = userDataText(userData);
        assert.ok(text.startsWith("#cloud-config"));
        assert.ok(text.includes("InitConfiguration") && text.includes(cp4[0]) && text.includes(cp6[0]), "rendered from the node's own addresses");
        assert.ok(text.includes(CA_KEY_MARKER) || text.includes(Buffer.from(CA_KEY_MARKER).toString("base64")), "control planes carry the CA key");

        const fip = await valueOf(c.endpoint.floatingIpAddress as pulumi.Output<string>);
        assert.deepStrictEqual(cloud.named("m-one-cp-fip-0").inputs, { floatingIp: fip, portId: "m-one-cp-port-0-id", fixedIp: cp4[0] });
        assert.deepStrictEqual(cloud.ofType(MEMBER), []);

        const workerTags = ["dualstack-cluster=m-one", "dualstack-role=worker", "dualstack-pool=workers"];
        assert.deepStrictEqual(cloud.named("m-one-wk-group").inputs, { name: "m-one-workers", policies: ["soft-anti-affinity"] });
        for (const i of [0, 1]) {
            const port = cloud.named(`m-one-wk-port-${i}`, PORT).inputs;
            assert.deepStrictEqual(port.securityGroupIds, ["m-one-net-nodes-id"]);
            assert.deepStrictEqual(port.tags, workerTags);
            const worker = cloud.named(`m-one-wk-${i}`, INSTANCE);
            assert.strictEqual(worker.inputs.name, `m-one-workers-${i}`);
            assert.ok(worker.secretInputs.has("userData"));
            const workerText = userDataText(worker.inputs.userData);
            assert.ok(workerText.includes("JoinConfiguration"));
            assert.ok(!workerText.includes(CA_KEY_MARKER) && !workerText.includes(Buffer.from(CA_KEY_MARKER).toString("base64")), "workers get no CA key");
        }
        assert.deepStrictEqual(c.workers?.nodeNames, ["m-one-workers-0", "m-one-workers-1"]);
    });

    it("registers instances ignoring changes of userData (and other first-boot properties), delete-before-replace (their port is bound to one server)", async () => {
        const c = buildCluster("m-opts", { families: ["IPv4", "IPv6"], controlPlanes: 1, workers: 1 });
        await settle();
        for (const name of ["m-opts-cp-0", "m-opts-wk-0"]) {
            const opts = c.options.get(name) as pulumi.CustomResourceOptions;
            assert.deepStrictEqual(opts.ignoreChanges, ["userData", "imageName", "imageId", "keyPair", "availabilityZone", "configDrive", "schedulerHints"], name);
            assert.strictEqual(opts.deleteBeforeReplace, true, name);
        }
        assert.strictEqual((c.options.get("m-opts-cp-port-0") as pulumi.CustomResourceOptions).ignoreChanges, undefined);
        assert.strictEqual((c.options.get("m-opts-wk-0") as pulumi.CustomResourceOptions).replaceOnChanges, undefined);
    });

    it("with a rebuild key, every machine carries it and is replaced when it changes", async () => {
        const c = buildCluster("m-rebuild", { families: ["IPv4"], controlPlanes: 1, workers: 1, rebuildKey: "0123456789ab" });
        await settle();
        for (const name of ["m-rebuild-cp-0", "m-rebuild-wk-0"]) {
            assert.strictEqual((cloud.named(name, INSTANCE).inputs.metadata as Record<string, string>)["dualstack-ranges"], "0123456789ab", name);
            assert.deepStrictEqual((c.options.get(name) as pulumi.CustomResourceOptions).replaceOnChanges, ["metadata"], name);
        }
    });

    it("three control planes, dual-stack IPv6-primary: node 0 inits, the others join, every node is a member of both pools", async () => {
        const c = buildCluster("m-three", { families: ["IPv6", "IPv4"], controlPlanes: 3 });
        const [v4, v6] = await Promise.all([valueOf(c.controlPlane.addressesIPv4), valueOf(c.controlPlane.addressesIPv6)]);
        await settle();
        assert.strictEqual(v4.length, 3);
        assert.strictEqual(new Set(v6).size, 3);
        assert.deepStrictEqual(
            cloud.ofType(MEMBER).map((m) => m.name).sort(),
            ["ipv4-0", "ipv4-1", "ipv4-2", "ipv6-0", "ipv6-1", "ipv6-2"].map((s) => `m-three-cp-member-${s}`),
        );
        for (const i of [0, 1, 2]) {
            assert.deepStrictEqual(cloud.named(`m-three-cp-member-ipv6-${i}`, MEMBER).inputs, {
                name: `m-three-control-plane-${i}`,
                poolId: "m-three-api-pool-ipv6-id",
                address: v6[i],
                protocolPort: 6443,
                subnetId: "m-three-net-subnet-ipv6-id",
            });
            assert.strictEqual(cloud.named(`m-three-cp-member-ipv4-${i}`, MEMBER).inputs.address, v4[i]);
            const text = userDataText(cloud.named(`m-three-cp-${i}`, INSTANCE).inputs.userData);
            assert.ok(text.includes(i === 0 ? "InitConfiguration" : "JoinConfiguration"), `node ${i}`);
        }
        assert.deepStrictEqual(cloud.ofType("openstack:networking/floatingIpAssociate:FloatingIpAssociate"), []);
        // The endpoint's addresses reach the certificates: the IPv6 VIP is the primary endpoint.
        const vip6 = await valueOf(c.endpoint.vipAddressIPv6 as pulumi.Output<string>);
        const init = userDataText(cloud.named("m-three-cp-0", INSTANCE).inputs.userData);
        assert.ok(init.includes(vip6), "the IPv6 VIP is in the init node's configuration");
    });

    it("on a network with someone else's SLAAC subnet: node addresses and VIPs are those in the node subnets", async () => {
        const c = buildCluster("m-foreign", { families: ["IPv4", "IPv6"], controlPlanes: 3, workers: 1, foreignSlaac: "fd00:99::/64" });
        const [v6, vip4, vip6] = await Promise.all([
            valueOf(c.controlPlane.addressesIPv6),
            valueOf(c.endpoint.vipAddressIPv4 as pulumi.Output<string>),
            valueOf(c.endpoint.vipAddressIPv6 as pulumi.Output<string>),
        ]);
        await settle();
        // Neutron gave every port an address on the foreign subnet too...
        const ports = cloud.ofType(PORT);
        assert.ok(ports.every((p) => (p.outputs.allFixedIps as string[]).some((a) => a.startsWith("fd00:99:"))));
        // ...and none of them is taken for a node, a member or a VIP.
        for (const address of [...v6, vip6]) assert.match(address, /^fd00:30::/);
        assert.ok(cloud.ofType(MEMBER).every((m) => !String(m.inputs.address).startsWith("fd00:99:")));
        // Octavia is told which address of the VIP port is the VIP.
        for (const [lower, address] of [["ipv4", vip4], ["ipv6", vip6]] as const) {
            const lb = cloud.named(`m-foreign-api-lb-${lower}`, "openstack:loadbalancer/loadBalancer:LoadBalancer");
            assert.strictEqual(lb.inputs.vipPortId, `m-foreign-api-vip-${lower}-id`);
            assert.strictEqual(lb.inputs.vipSubnetId, `m-foreign-net-subnet-${lower}-id`);
            assert.strictEqual(lb.inputs.vipAddress, address);
        }
    });

    it("IPv6-only nodes: one IPv6 fixed IP (EUI-64 on SLAAC), a config drive, IPv6 members only", async () => {
        const c = buildCluster("m-v6", { families: ["IPv6"], controlPlanes: 3, workers: 1, ipv6AddressMode: "slaac" });
        const v6 = await valueOf(c.controlPlane.addressesIPv6);
        await settle();
        assert.deepStrictEqual(await valueOf(c.controlPlane.addressesIPv4), []);
        const port = cloud.named("m-v6-cp-port-0", PORT);
        assert.deepStrictEqual(port.inputs.fixedIps, [{ subnetId: "m-v6-net-subnet-ipv6-id" }]);
        assert.match(v6[0], /^fd00:30::f816:3eff:fe[0-9a-f]{2}:[0-9a-f]{1,4}$/);
        assert.strictEqual(cloud.named("m-v6-cp-0", INSTANCE).inputs.configDrive, true);
        assert.deepStrictEqual(pairsOf("m-v6-wk-port-0"), ["fd00:10:244::/56"]);
        assert.ok(cloud.ofType(MEMBER).every((m) => m.name.includes("-ipv6-")));
    });

    it("IPv4-only nodes: one IPv4 fixed IP, no IPv6 anywhere", async () => {
        const c = buildCluster("m-v4", { families: ["IPv4"], controlPlanes: 1, workers: 1 });
        await settle();
        assert.deepStrictEqual(cloud.named("m-v4-wk-port-0", PORT).inputs.fixedIps, [{ subnetId: "m-v4-net-subnet-ipv4-id" }]);
        assert.deepStrictEqual(pairsOf("m-v4-wk-port-0"), ["10.244.0.0/16"]);
        assert.deepStrictEqual(await valueOf(c.workers!.addressesIPv6), []);
        assert.strictEqual(cloud.named("m-v4-wk-0", INSTANCE).inputs.configDrive, false);
    });

    describe("allowed-address-pairs exactly for unencapsulated pod ranges", () => {
        const cases: Array<[Partial<Record<IpFamily, string>>, string[] | undefined]> = [
            [{ IPv4: "None", IPv6: "None" }, ["10.244.0.0/16", "fd00:10:244::/56"]],
            [{ IPv4: "IPIP", IPv6: "None" }, ["fd00:10:244::/56"]],
            [{ IPv4: "IPIPCrossSubnet", IPv6: "VXLAN" }, ["10.244.0.0/16"]],
            [{ IPv4: "VXLAN", IPv6: "VXLAN" }, undefined],
            [{ IPv4: "VXLANCrossSubnet", IPv6: "VXLANCrossSubnet" }, ["10.244.0.0/16", "fd00:10:244::/56"]],
        ];
        cases.forEach(([encapsulation, expected], index) => {
            it(`IPv4 ${encapsulation.IPv4}, IPv6 ${encapsulation.IPv6}`, async () => {
                buildCluster(`m-enc${index}`, { families: ["IPv4", "IPv6"], controlPlanes: 1, workers: 1, encapsulation });
                await settle();
                assert.deepStrictEqual(pairsOf(`m-enc${index}-cp-port-0`), expected);
                assert.deepStrictEqual(pairsOf(`m-enc${index}-wk-port-0`), expected);
            });
        });
    });

    it("refuses invalid args before registering anything", async () => {
        const args: NodePoolArgs = {
            clusterName: "demo",
            role: "worker",
            poolName: "workers",
            count: 1,
            flavorName: "m1.large",
            imageName: "debian-13",
            networkId: "net",
            subnetIds: { ipv4: "s4" },
            securityGroupIds: [],
            bootstrap: clusterBootstrap(["IPv4"]),
            loadBalancerPoolIds: { ipv4: "pool" },
        };
        assert.throws(
            () => new NodePool("m-bad", args),
            (e: unknown) =>
                e instanceof InvalidPlanError &&
                e.message.startsWith('NodePool "m-bad" is invalid:') &&
                e.message.includes("loadBalancerPoolIds.ipv4 and role worker are both set"),
        );
        await settle();
        assert.deepStrictEqual(cloud.resources, []);
    });
});
