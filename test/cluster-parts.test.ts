/**
 * What a program gets from a Cluster besides its outputs, as pulumi-eks gives it: a
 * Kubernetes provider that waits for the API, and the child components.
 */
import * as assert from "assert";
import * as kubernetes from "@pulumi/kubernetes";
import { Cluster } from "../components/cluster";
import { cloud, settle } from "./support/runtime";

const ARGS = {
    network: { ipv4Cidr: "10.50.0.0/22", externalNetwork: "public" },
    controlPlane: { flavor: "m1.large", image: "ubuntu-24.04" },
    workerPools: [
        { name: "a", count: 1 },
        { name: "b", count: 1 },
    ],
    access: { apiAllowedCidrs: ["203.0.113.0/24"] },
};

describe("Cluster's provider and child components", () => {
    it("exposes the ClusterApi's provider (which waits for /readyz) for the program's own Kubernetes resources", async () => {
        const cluster = new Cluster("pc", ARGS);
        new kubernetes.core.v1.Namespace("pc-apps", { metadata: { name: "apps" } }, { provider: cluster.provider });
        await settle();
        const provider = cloud.named("pc-provider", "pulumi:providers:kubernetes");
        assert.strictEqual(provider.parent, cloud.named("pc", "dualstack:index:ClusterApi").urn);
        assert.ok(provider.dependencies.includes(cloud.named("pc-readyz", "pulumi-nodejs:dynamic:ApiReadiness").urn));
        assert.strictEqual(cluster.provider, cluster.clusterApi?.provider);
        assert.match(String(cloud.named("pc-apps", "kubernetes:core/v1:Namespace").provider), /::pc-provider::/);
    });

    it("exposes the children: network, PKI, endpoint, node pools in order, ClusterApi and Calico", async () => {
        const cluster = new Cluster("pk", ARGS);
        await settle();
        const urn = async (r: { urn: { apply: (f: (u: string) => void) => unknown } }) => new Promise<string>((resolve) => r.urn.apply(resolve));
        assert.strictEqual(await urn(cluster.network), cloud.named("pk", "dualstack:index:Network").urn);
        assert.strictEqual(await urn(cluster.pki), cloud.named("pk", "dualstack:index:ClusterPki").urn);
        assert.strictEqual(await urn(cluster.endpoint), cloud.named("pk", "dualstack:index:ApiEndpoint").urn);
        assert.strictEqual(await urn(cluster.controlPlane), cloud.named("pk-control-plane", "dualstack:index:NodePool").urn);
        assert.deepStrictEqual(cluster.workerPools.map((p) => p.poolName), ["a", "b"]);
        assert.strictEqual(await urn(cluster.calico as never), cloud.named("pk", "dualstack:index:Calico").urn);
    });

    it("has no provider, ClusterApi or Calico with installCalico: false (nothing talks to the API)", async () => {
        const cluster = new Cluster("pn", { ...ARGS, installCalico: false });
        await settle();
        assert.deepStrictEqual([cluster.provider, cluster.clusterApi, cluster.calico], [undefined, undefined, undefined]);
        assert.deepStrictEqual(cloud.ofType("pulumi:providers:kubernetes").filter((r) => r.name.startsWith("pn")), []);
    });
});
