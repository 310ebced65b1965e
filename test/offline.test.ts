import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { cloud, settle, valueOf } from "./support/runtime";
import { eui64 } from "../components/offline";

describe("offline cloud", () => {
    it("allocates fixed IPs like Neutron: from the pool start, EUI-64 on SLAAC subnets", async () => {
        const net = new openstack.networking.Network("t-net", {});
        const v4 = new openstack.networking.Subnet("t-v4", { networkId: net.id, cidr: "10.1.0.0/24", ipVersion: 4 });
        const v6 = new openstack.networking.Subnet("t-v6", {
            networkId: net.id,
            cidr: "fd00:1::/64",
            ipVersion: 6,
            ipv6AddressMode: "slaac",
            ipv6RaMode: "slaac",
        });
        const port = new openstack.networking.Port("t-port", {
            networkId: net.id,
            fixedIps: [{ subnetId: v4.id }, { subnetId: v6.id }],
            macAddress: "fa:16:3e:12:34:56",
        });
        const secret = new openstack.networking.Port("t-port2", {
            networkId: net.id,
            fixedIps: [{ subnetId: v4.id }],
            description: pulumi.secret("hidden"),
        });
        const [first, second] = [await valueOf(port.allFixedIps), await valueOf(secret.allFixedIps)];
        assert.strictEqual(first[1], "fd00:1::f816:3eff:fe12:3456");
        assert.deepStrictEqual([first[0], second[0]].sort(), ["10.1.0.2", "10.1.0.3"]);
        await settle();
        const recorded = cloud.named("t-port", "openstack:networking/port:Port");
        assert.strictEqual(recorded.inputs.networkId, "t-net-id");
        assert.ok(recorded.dependencies.some((d) => d.endsWith("::t-net")));
        assert.ok(cloud.named("t-port2").secretInputs.has("description"));
        assert.strictEqual(eui64("fa:16:3e:12:34:56").toString(16), "f8163efffe123456");
    });

    it("records through which input each dependency came", async () => {
        const net = new openstack.networking.Network("t-pd-net", {});
        const v4 = new openstack.networking.Subnet("t-pd-v4", { networkId: net.id, cidr: "10.2.0.0/24", ipVersion: 4 });
        new openstack.networking.Port("t-pd-port", {
            networkId: net.id,
            fixedIps: [{ subnetId: v4.id }],
            description: pulumi.interpolate`on ${v4.cidr}`,
        });
        await settle();
        const port = cloud.named("t-pd-port", "openstack:networking/port:Port");
        const names = (input: string) => (port.propertyDependencies[input] ?? []).map((urn) => urn.split("::").pop()).sort();
        assert.deepStrictEqual(names("networkId"), ["t-pd-net"]);
        assert.deepStrictEqual(names("fixedIps"), ["t-pd-v4"]);
        assert.deepStrictEqual(names("description"), ["t-pd-v4"]);
        assert.deepStrictEqual([...port.dependencies].map((urn) => urn.split("::").pop()).sort(), ["t-pd-net", "t-pd-v4"]);
    });
});
