/**
 * Outputs of other resources as component arguments: every argument that is not topology is
 * a `pulumi.Input`, so a flavor, a network name or a repository can come from another
 * resource or stack. One family of converted arguments per component, each passed as the
 * output of a registered resource: the children get the value and depend on that resource.
 */
import * as assert from "assert";
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "../components/addressing";
import { ApiEndpoint } from "../components/endpoint";
import { Calico } from "../components/calico";
import { Cluster } from "../components/cluster";
import { inputKeyPaths } from "../components/config/schema";
import { ClusterApi } from "../components/kubernetes";
import { Network } from "../components/network";
import { BootstrapTokenSecret, ClusterPki } from "../components/pki";
import { cloud, settle, valueOf } from "./support/runtime";

const INSTANCE = "openstack:compute/instance:Instance";
const GET_NETWORK = "openstack:networking/getNetwork:getNetwork";
const CA = "-----BEGIN CERTIFICATE-----\nY2x1c3RlciBDQQ==\n-----END CERTIFICATE-----\n";

/** A registered resource whose `name` output carries the value. */
function named(name: string, value: string): { output: pulumi.Output<string>; urn: () => string } {
    const network = new openstack.networking.Network(name, { name: value });
    return { output: network.name, urn: () => cloud.named(name, "openstack:networking/network:Network").urn };
}

describe("component arguments from other resources' outputs", () => {
    it("Cluster: flavor, image, availability zone, networks, key pair and token rotation may be outputs", async () => {
        const flavor = named("in-flavor", "m1.from-output");
        const external = named("in-external", "public-from-output");
        const key = named("in-key", "ops-from-output");
        new Cluster("in-cl", {
            network: { ipv4Cidr: "10.40.0.0/22", externalNetwork: external.output },
            controlPlane: { flavor: flavor.output, image: pulumi.output("ubuntu-24.04"), availabilityZone: Promise.resolve("az-1") },
            workerPools: [{ name: "workers", count: 2 }],
            access: { sshKeyName: key.output, apiAllowedCidrs: ["203.0.113.0/24"] },
            bootstrap: { tokenRotation: pulumi.output("2026-12") },
            installCalico: false,
        });
        await settle();
        const instances = cloud.ofType(INSTANCE).filter((r) => r.name.startsWith("in-cl-"));
        assert.deepStrictEqual(instances.map((r) => r.name).sort(), ["in-cl-control-plane-0", "in-cl-workers-0", "in-cl-workers-1"]);
        for (const instance of instances) {
            // Workers take the control plane's flavor and image, Outputs included (not its zone).
            assert.deepStrictEqual(
                [instance.inputs.flavorName, instance.inputs.imageName, instance.inputs.availabilityZone, instance.inputs.keyPair],
                ["m1.from-output", "ubuntu-24.04", instance.name.includes("control-plane") ? "az-1" : undefined, "ops-from-output"],
                instance.name,
            );
            assert.ok(instance.dependencies.includes(flavor.urn()) && instance.dependencies.includes(key.urn()), instance.name);
        }
        assert.ok(cloud.calls.some((c) => c.token === GET_NETWORK && c.inputs.name === "public-from-output" && c.inputs.external === true));
        assert.strictEqual(cloud.named("in-cl-fip", "openstack:networking/floatingIp:FloatingIp").inputs.pool, "public-from-output");
    });

    it("Cluster: the gateway's flavor, image and private key (a secret) may be outputs; its floating IP takes the external network's", async () => {
        const flavor = named("in-gw-flavor", "m1.gateway-from-output");
        const external = named("in-gw-external", "public-from-output");
        const privateKey = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex").toString("base64");
        const cluster = new Cluster("in-gw", {
            network: { ipv4Cidr: "10.40.0.0/22", externalNetwork: external.output },
            controlPlane: { flavor: "m1.large", image: "ubuntu-24.04" },
            workerPools: [{ name: "workers", count: 0 }],
            access: { apiAllowedCidrs: ["203.0.113.0/24"] },
            gateway: { flavor: flavor.output, image: pulumi.output("debian-12"), privateKey: pulumi.secret(privateKey) as unknown as string, allowedSourceCidrs: ["198.51.100.0/24"] },
            installCalico: false,
        });
        await settle();
        const gateway = cloud.named("in-gw-gateway-0", INSTANCE);
        assert.deepStrictEqual([gateway.inputs.flavorName, gateway.inputs.imageName], ["m1.gateway-from-output", "debian-12"]);
        assert.ok(gateway.dependencies.includes(flavor.urn()));
        assert.ok(String(gateway.inputs.userData).includes(`PrivateKey = ${privateKey}`) && gateway.secretInputs.has("userData"));
        assert.strictEqual(await valueOf(cluster.gatewayPublicKey as pulumi.Output<string>), Buffer.from("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "hex").toString("base64"));
        assert.strictEqual(cloud.named("in-gw-gateway-fip", "openstack:networking/floatingIp:FloatingIp").inputs.pool, "public-from-output");
        assert.ok(!cloud.resources.some((r) => r.name === "in-gw-gateway-wireguard-key"), "a given key: no generated one");
    });

    it("Cluster: an output where the value decides what exists is refused before anything is registered, naming the key", () => {
        const before = cloud.resources.length;
        assert.throws(
            () =>
                new Cluster("in-cl-bad", {
                    network: { externalNetwork: "public" },
                    controlPlane: { count: pulumi.output(3) as unknown as number, flavor: "m1.large", image: "ubuntu-24.04" },
                }),
            (e: unknown) =>
                e instanceof InvalidPlanError &&
                e.findings.some(
                    (f) =>
                        f.rule === "config-type" &&
                        f.path === "dualstack:controlPlane.count" &&
                        f.message.endsWith(`Outputs are accepted for: ${inputKeyPaths().join(", ")}.`),
                ),
        );
        assert.strictEqual(cloud.resources.length, before);
        assert.deepStrictEqual(inputKeyPaths(), [
            "network.externalNetwork",
            "network.existingNetwork",
            "network.existingRouter",
            "controlPlane.flavor",
            "controlPlane.image",
            "controlPlane.availabilityZone",
            "workerPools[].flavor",
            "workerPools[].image",
            "workerPools[].availabilityZone",
            "access.sshKeyName",
            "bootstrap.tokenRotation",
            "gateway.flavor",
            "gateway.image",
            "gateway.privateKey",
        ]);
    });

    it("Network: the existing network, the external network and the existing router may be outputs", async () => {
        const existing = named("in-existing", "lab-shared-from-output");
        const router = named("in-router", "edge-router-from-output");
        new Network("in-net", {
            clusterName: "demo",
            subnets: { ipv4: { cidr: "10.41.0.0/24" } },
            podRanges: { ipv4: { cidr: "10.42.0.0/16" } },
            existingNetworkName: existing.output,
            existingRouterName: router.output,
        });
        await settle();
        assert.ok(cloud.calls.some((c) => c.token === GET_NETWORK && c.inputs.name === "lab-shared-from-output"));
        assert.ok(cloud.calls.some((c) => c.token === "openstack:networking/getRouter:getRouter" && c.inputs.name === "edge-router-from-output"));
        assert.deepStrictEqual(cloud.ofType("openstack:networking/network:Network").filter((r) => r.name.startsWith("in-net")), []);
        assert.strictEqual(cloud.named("in-net-subnet-ipv4").inputs.networkId, "lab-shared-from-output-id");
    });

    it("ApiEndpoint: the external network of the floating IP may be an output", async () => {
        const external = named("in-ep-external", "public-from-output");
        new ApiEndpoint("in-ep", {
            clusterName: "demo",
            controlPlaneCount: 1,
            networkId: pulumi.output("net-id"),
            subnets: { ipv4: { subnetId: pulumi.output("subnet-id"), cidr: pulumi.output("10.43.0.0/24") } },
            externalNetworkName: external.output,
        });
        await settle();
        const fip = cloud.named("in-ep-fip", "openstack:networking/floatingIp:FloatingIp");
        assert.strictEqual(fip.inputs.pool, "public-from-output");
        assert.ok(fip.dependencies.includes(external.urn()));
    });

    it("Calico: the chart repository may be an output (a mirror published by another stack)", async () => {
        const mirror = named("in-mirror", "https://charts.mirror.example/calico");
        const api = new ClusterApi("in-ca-api", { kubeconfig: pulumi.secret("k"), endpoint: "203.0.113.10", clusterCaCertPem: CA });
        new Calico("in-ca", {
            kubernetesProvider: api.provider,
            kubeconfig: api.kubeconfig,
            ipFamilies: ["IPv4"],
            ipv4: { podCidr: "10.244.0.0/16", nodeSubnetCidr: "10.0.0.0/22" },
            chartRepository: mirror.output,
        });
        await settle();
        const release = cloud.named("in-ca-operator", "kubernetes:helm.sh/v3:Release");
        assert.deepStrictEqual(release.inputs.repositoryOpts, { repo: "https://charts.mirror.example/calico" });
        assert.deepStrictEqual(cloud.named("in-ca-crds", "kubernetes:helm.sh/v4:Chart").inputs.repositoryOpts, { repo: "https://charts.mirror.example/calico" });
    });

    it("ClusterPki, BootstrapTokenSecret and ClusterApi take outputs for the URL, the rotation, the token and the endpoint", async () => {
        const url = named("in-pki-url", "https://203.0.113.20:6443");
        const pki = new ClusterPki("in-pki", { clusterName: "demo", apiServerUrl: url.output, tokenRotation: named("in-rot", "r2").output });
        const api = new ClusterApi("in-api", { kubeconfig: pki.adminKubeconfig as pulumi.Output<string>, endpoint: named("in-api-host", "203.0.113.20").output, clusterCaCertPem: pki.caCertPem });
        new BootstrapTokenSecret("in-token", { tokenId: pki.joinTokenId, tokenSecret: pki.joinTokenSecret }, { provider: api.provider });
        await settle();
        assert.match(String(await valueOf(pki.adminKubeconfig as pulumi.Output<string>)), /server: "?https:\/\/203\.0\.113\.20:6443"?/);
        assert.strictEqual(await valueOf(api.readyzUrl), "https://203.0.113.20:6443/readyz");
        const secret = cloud.named("in-token-secret", "kubernetes:core/v1:Secret");
        assert.strictEqual((secret.inputs.stringData as Record<string, string>)["token-id"], await valueOf(pki.joinTokenId));
    });
});
