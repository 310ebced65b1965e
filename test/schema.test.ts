/**
 * The package as other languages see it. `pulumi package add <this repository>` starts the
 * package as a plugin (PulumiPlugin.yaml, runtime nodejs): @pulumi/pulumi collects the
 * component classes the package's main module exports, infers a schema from their Args
 * interfaces and class properties with its TypeScript analyzer, and generates the Python,
 * Go, C# or YAML SDK from that schema. There is no Pulumi CLI here, so these tests run the
 * same provider code in this process and check the schema it produces.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { parse } from "yaml";
import * as pkg from "../components";
import { cloud, settle, valueOf } from "./support/runtime";

const ROOT = path.resolve(__dirname, "..");
const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string; main: string };

/** Every public component, as other languages get them. */
const COMPONENTS = ["ApiEndpoint", "BootstrapTokenSecret", "Calico", "Cluster", "ClusterApi", "ClusterPki", "Gateway", "Network", "NodePool"];

/** Nested types that come from another package's declarations, with that package. */
const FOREIGN_TYPES: Record<string, string> = { ReleaseStatus: "@pulumi/kubernetes" };

/** The Kubernetes package schema that Calico and ClusterApi refer to. */
const KUBERNETES_SCHEMA = "/kubernetes/v4.34.2/schema.json";

/** A property of the schema (PropertyDefinition of @pulumi/pulumi's analyzer). */
interface Property {
    type?: string;
    $ref?: string;
    items?: Property;
    optional?: boolean;
    plain?: boolean;
    description?: string;
}
interface Resource {
    isComponent: boolean;
    description?: string;
    inputProperties: Record<string, Property>;
    requiredInputs: string[];
    properties: Record<string, Property>;
    required: string[];
}
interface ObjectType {
    type: string;
    properties: Record<string, Property>;
    required: string[];
    enum?: unknown[];
}
interface Schema {
    name: string;
    version: string;
    resources: Record<string, Resource>;
    types: Record<string, ObjectType>;
    dependencies: unknown[];
}

/** The provider name the nodejs plugin host derives from package.json (run-plugin). */
function providerName(packageName: string): string {
    return packageName.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");
}

/** A property without its documentation, to compare shapes. */
function shape(property: Property | undefined): Omit<Property, "description"> | undefined {
    if (property === undefined) return undefined;
    const { description: _description, items, ...rest } = property;
    return items === undefined ? rest : { ...rest, items: shape(items) };
}

function ref(typeName: string): string {
    return `#/types/dualstack:index:${typeName}`;
}

describe("cross-language schema (pulumi package add)", function () {
    // The analyzer builds a TypeScript program of the whole repository once.
    this.timeout(120_000);

    let provider: ComponentProvider;
    let schema: Schema;
    const resource = (name: string): Resource => schema.resources[`dualstack:index:${name}`];
    const type = (name: string): ObjectType => schema.types[`dualstack:index:${name}`];

    before(async () => {
        provider = new ComponentProvider({ name: providerName(PACKAGE_JSON.name), dirname: ROOT, components: getPulumiComponents(pkg) });
        schema = JSON.parse(await provider.getSchema()) as Schema;
    });

    it("has a PulumiPlugin.yaml that starts the compiled package with the nodejs runtime", () => {
        const manifest = parse(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as {
            runtime: { name: string; options: { typescript: boolean } };
        };
        // No ts-node: the plugin host loads package.json `main`, the build of components/index.ts.
        assert.deepStrictEqual(manifest.runtime, { name: "nodejs", options: { typescript: false } });
        assert.strictEqual(PACKAGE_JSON.main, "dist/components/index.js");
    });

    it("offers every public component, in the index module of the dualstack package", () => {
        assert.deepStrictEqual(getPulumiComponents(pkg).map((c) => c.name).sort(), COMPONENTS);
        assert.strictEqual(schema.name, "dualstack");
        assert.strictEqual(schema.version, PACKAGE_JSON.version);
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), COMPONENTS.map((c) => `dualstack:index:${c}`));
        for (const name of COMPONENTS) assert.strictEqual(resource(name).isComponent, true, name);
        // Calico and ClusterApi refer to Kubernetes resources: SDKs need that package's schema too.
        assert.deepStrictEqual(schema.dependencies, [{ name: "kubernetes", version: "4.34.2" }]);
    });

    it("documents every component, input, output and nested field (the SDKs' doc comments)", () => {
        const undocumented: string[] = [];
        for (const [token, r] of Object.entries(schema.resources)) {
            if (!r.description) undocumented.push(token);
            for (const [name, p] of Object.entries(r.inputProperties)) if (!p.description) undocumented.push(`${token} input ${name}`);
            for (const [name, p] of Object.entries(r.properties)) if (!p.description) undocumented.push(`${token} output ${name}`);
        }
        for (const [token, t] of Object.entries(schema.types)) {
            for (const [name, p] of Object.entries(t.properties)) if (!p.description) undocumented.push(`${token}.${name}`);
        }
        assert.deepStrictEqual(undocumented, []);
    });

    it("gives Cluster the stack configuration as inputs: plain values, nested types per config group", () => {
        const cluster = resource("Cluster");
        assert.deepStrictEqual(Object.keys(cluster.inputProperties).sort(), [
            "access",
            "apiReadinessTimeoutSeconds",
            "bootstrap",
            "calico",
            "clusterName",
            "controlPlane",
            "gateway",
            "installCalico",
            "ipFamilies",
            "kubernetes",
            "network",
            "pods",
            "previousAddressPlan",
            "previousCalicoPools",
            "reservedCidrs",
            "services",
            "ulaGlobalId",
            "workerPools",
        ]);
        assert.deepStrictEqual(cluster.requiredInputs, []);
        assert.deepStrictEqual(shape(cluster.inputProperties.ipFamilies), {
            type: "array",
            items: { type: "string", plain: true },
            optional: true,
            plain: true,
        });
        assert.deepStrictEqual(shape(cluster.inputProperties.network), { $ref: ref("ClusterNetworkArgs"), optional: true, plain: true });
        assert.deepStrictEqual(shape(type("ClusterNetworkArgs").properties.ipv6Cidr), { type: "string", optional: true, plain: true });
        assert.deepStrictEqual(shape(type("ClusterNetworkArgs").properties.existingNetwork), { type: "string", optional: true, plain: true });
        assert.deepStrictEqual(shape(type("ClusterPodsArgs").properties.nodeMaskIPv6), { type: "number", optional: true, plain: true });
        assert.deepStrictEqual(shape(cluster.inputProperties.workerPools), {
            type: "array",
            items: { $ref: ref("ClusterWorkerPoolArgs"), plain: true },
            optional: true,
            plain: true,
        });
        assert.deepStrictEqual(Object.keys(type("ClusterWorkerPoolArgs").properties).sort(), [
            "availabilityZone",
            "count",
            "flavor",
            "image",
            "name",
            "serverGroupPolicy",
        ]);
        // The last deployment's plan may come from another resource: an Input, not plain.
        assert.deepStrictEqual(shape(cluster.inputProperties.previousAddressPlan), { type: "string", optional: true });
    });

    it("gives Cluster its outputs (the analyzer marks none secret)", () => {
        const cluster = resource("Cluster");
        assert.deepStrictEqual(Object.keys(cluster.properties).sort(), [
            "addressLayout",
            "addressPlan",
            "apiEndpointIPv4",
            "apiEndpointIPv6",
            "apiFloatingIp",
            "apiServerUrl",
            "calicoPools",
            "calicoReleaseStatus",
            "gatewayClientConfigs",
            "gatewayEndpoint",
            "gatewayPublicKey",
            "gatewayVipIPv4",
            "gatewayVipIPv6",
            "kubeconfig",
            "networkId",
            "nodes",
        ]);
        assert.deepStrictEqual(cluster.required, ["addressLayout", "addressPlan", "apiServerUrl", "kubeconfig", "networkId", "nodes"]);
        // The analyzer does not carry secretness into the schema (no `secret: true`); the
        // values stay secret Outputs when the plugin constructs a component (checked below).
        assert.deepStrictEqual(shape(cluster.properties.kubeconfig), { type: "string" });
        // The plan (a PlanSummary: counts are numbers or decimal strings) is a JSON object.
        assert.deepStrictEqual(shape(cluster.properties.addressPlan), { $ref: "pulumi.json#/Any" });
        assert.deepStrictEqual(shape(cluster.properties.apiEndpointIPv6), { type: "string", optional: true });
        assert.deepStrictEqual(shape(cluster.properties.nodes), { type: "array", items: { $ref: ref("ClusterNode") } });
        assert.deepStrictEqual(shape(cluster.properties.calicoPools), { type: "array", items: { $ref: ref("CalicoIpPool") }, optional: true });
        assert.deepStrictEqual(type("ClusterNode").required, ["name", "pool", "role"]);
    });

    it("gives Network its per-family subnets, the existing network and its outputs", () => {
        const network = resource("Network");
        assert.deepStrictEqual(network.requiredInputs, ["clusterName", "podRanges", "subnets"]);
        assert.deepStrictEqual(shape(network.inputProperties.subnets), { $ref: ref("NetworkSubnetsArgs"), plain: true });
        assert.deepStrictEqual(Object.keys(type("NetworkSubnetsArgs").properties).sort(), ["ipv4", "ipv6"]);
        assert.deepStrictEqual(shape(type("NetworkSubnetArgs").properties.cidr), { type: "string", optional: true });
        assert.deepStrictEqual(shape(type("NetworkSubnetArgs").properties.subnetPoolName), { type: "string", optional: true, plain: true });
        assert.deepStrictEqual(shape(network.inputProperties.existingNetworkName), { type: "string", optional: true, plain: true });
        assert.deepStrictEqual(shape(type("PodRangeArgs").properties.cidr), { type: "string" });
        assert.deepStrictEqual(type("PodRangeArgs").required, ["cidr"]);
        assert.deepStrictEqual(shape(network.properties.subnetCidrIPv6), { type: "string", optional: true });
        assert.deepStrictEqual(shape(network.properties.nodeFamilies), { type: "array", items: { type: "string" } });
        assert.deepStrictEqual(network.required, ["controlPlaneSecurityGroupId", "networkId", "nodeFamilies", "nodeSecurityGroupId", "routerId"]);
    });

    it("gives ApiEndpoint, NodePool, ClusterPki and BootstrapTokenSecret their inputs and outputs", () => {
        const endpoint = resource("ApiEndpoint");
        assert.deepStrictEqual(endpoint.requiredInputs, ["clusterName", "controlPlaneCount", "networkId", "subnets"]);
        assert.deepStrictEqual(shape(endpoint.inputProperties.controlPlaneCount), { type: "number", plain: true });
        assert.deepStrictEqual(shape(endpoint.inputProperties.networkId), { type: "string" });
        assert.deepStrictEqual(shape(endpoint.properties.floatingIpAddress), { type: "string", optional: true });
        assert.deepStrictEqual(shape(endpoint.properties.certSANs), { type: "array", items: { type: "string" } });

        const pool = resource("NodePool");
        assert.deepStrictEqual(pool.requiredInputs, ["bootstrap", "clusterName", "count", "flavorName", "networkId", "role", "securityGroupIds", "subnetIds"]);
        assert.deepStrictEqual(shape(pool.inputProperties.count), { type: "number", plain: true });
        assert.deepStrictEqual(shape(pool.inputProperties.securityGroupIds), { type: "array", items: { type: "string" }, plain: true });
        assert.deepStrictEqual(shape(pool.inputProperties.bootstrap), { $ref: ref("ClusterBootstrap") });
        // Network and NodePool share one pod-range type.
        assert.deepStrictEqual(shape(pool.inputProperties.podRanges), { $ref: ref("PodRangesArgs"), optional: true, plain: true });
        assert.deepStrictEqual(shape(pool.properties.addressesIPv6), { type: "array", items: { type: "string" } });

        const pki = resource("ClusterPki");
        assert.deepStrictEqual(pki.requiredInputs, ["clusterName"]);
        assert.deepStrictEqual(shape(pki.inputProperties.apiServerUrl), { type: "string", optional: true });
        assert.deepStrictEqual(shape(pki.properties.adminKubeconfig), { type: "string", optional: true });
        assert.deepStrictEqual(shape(pki.properties.material), { $ref: ref("ClusterPkiMaterial") });
        assert.ok(pki.required.includes("caCertHash") && pki.required.includes("joinToken"));

        const token = resource("BootstrapTokenSecret");
        assert.deepStrictEqual(token.requiredInputs, ["tokenId", "tokenSecret"]);
        assert.deepStrictEqual(shape(token.properties.secretName), { type: "string" });
    });

    it("gives Gateway its inputs (values as Inputs, topology plain) and outputs", () => {
        const gateway = resource("Gateway");
        assert.deepStrictEqual(gateway.requiredInputs, ["clientRanges", "clusterName", "flavorName", "networkId", "subnets"]);
        // What decides which resources exist is plain: the count, the families, the allowed sources.
        assert.deepStrictEqual(shape(gateway.inputProperties.count), { type: "number", optional: true, plain: true });
        assert.deepStrictEqual(shape(gateway.inputProperties.subnets), { $ref: ref("GatewaySubnetsArgs"), plain: true });
        assert.deepStrictEqual(shape(gateway.inputProperties.allowedSourceCidrs), { type: "array", items: { type: "string", plain: true }, optional: true, plain: true });
        // Values are Inputs: another resource may provide them.
        assert.deepStrictEqual(shape(gateway.inputProperties.privateKey), { type: "string", optional: true });
        assert.deepStrictEqual(shape(gateway.inputProperties.listenPort), { type: "number", optional: true });
        assert.deepStrictEqual(shape(type("GatewayClientRangesArgs").properties.ipv6), { type: "string", optional: true });
        assert.deepStrictEqual(shape(gateway.inputProperties.peers), { type: "array", items: { $ref: ref("GatewayPeerArgs"), plain: true }, optional: true });
        assert.deepStrictEqual(type("GatewayPeerArgs").required, ["hostId", "name", "publicKey"]);
        assert.deepStrictEqual(gateway.required, ["addressesIPv4", "addressesIPv6", "clientConfigs", "endpoint", "instanceIds", "names", "publicKey", "securityGroupId"]);
        assert.deepStrictEqual(shape(gateway.properties.clientConfigs), { type: "array", items: { $ref: ref("GatewayClientConfig") } });
    });

    it("gives Calico and ClusterApi their inputs and outputs, Kubernetes resources by reference", () => {
        const calico = resource("Calico");
        assert.deepStrictEqual(calico.requiredInputs, ["ipFamilies", "kubeconfig", "kubernetesProvider"]);
        assert.deepStrictEqual(shape(calico.inputProperties.ipv6), { $ref: ref("CalicoFamilyArgs"), optional: true, plain: true });
        assert.deepStrictEqual(shape(type("CalicoFamilyArgs").properties.podCidr), { type: "string", optional: true });
        assert.deepStrictEqual(shape(type("CalicoFamilyArgs").properties.blockSize), { type: "number", optional: true, plain: true });
        assert.deepStrictEqual(shape(type("CalicoFamilyArgs").properties.encapsulation), { type: "string", optional: true, plain: true });
        assert.deepStrictEqual(shape(calico.inputProperties.previousPools), { type: "array", items: { $ref: ref("CalicoIpPool") }, optional: true });
        // The analyzer refers to a provider by its __pulumiType, the bare package name, where
        // the schema format has `#/provider`; recorded here as @pulumi/pulumi 3.270 writes it.
        assert.deepStrictEqual(shape(calico.inputProperties.kubernetesProvider), { $ref: `${KUBERNETES_SCHEMA}#/resources/kubernetes`, plain: true });
        assert.deepStrictEqual(calico.required, ["kubeconfig", "pools", "release", "releaseStatus", "values"]);
        assert.deepStrictEqual(shape(calico.properties.pools), { type: "array", items: { $ref: ref("CalicoIpPool") } });
        assert.deepStrictEqual(type("CalicoIpPool").required, ["blockSize", "cidr", "encapsulation", "name", "natOutgoing", "nodeSelector"]);
        assert.deepStrictEqual(shape(calico.properties.values), { $ref: ref("TigeraOperatorValues") });
        assert.deepStrictEqual(shape(type("TigeraInstallationValues").properties.calicoNetwork), { $ref: ref("CalicoNetworkValues") });
        assert.deepStrictEqual(shape(type("CalicoNetworkValues").properties.nodeAddressAutodetectionV6), {
            $ref: ref("NodeAddressAutodetection"),
            optional: true,
        });
        assert.deepStrictEqual(shape(calico.properties.release), { $ref: `${KUBERNETES_SCHEMA}#/resources/kubernetes:helm.sh%2Fv3:Release` });
        assert.deepStrictEqual(shape(calico.properties.releaseStatus), { $ref: ref("ReleaseStatus") });

        const api = resource("ClusterApi");
        assert.deepStrictEqual(api.requiredInputs, ["clusterCaCertPem", "endpoint", "kubeconfig"]);
        assert.deepStrictEqual(shape(api.inputProperties.endpoint), { type: "string" });
        assert.deepStrictEqual(shape(api.inputProperties.port), { type: "number", optional: true, plain: true });
        assert.deepStrictEqual(shape(api.inputProperties.readinessTriggers), { type: "array", items: { type: "string" }, optional: true });
        // The readiness wait is a dynamic resource, which other languages cannot refer to: no output.
        assert.deepStrictEqual(Object.keys(api.properties).sort(), ["kubeconfig", "provider", "readyzUrl"]);
        assert.deepStrictEqual(shape(api.properties.provider), { $ref: `${KUBERNETES_SCHEMA}#/resources/kubernetes` });
    });

    it("declares each nested type once, so no two Args interfaces share a schema name", () => {
        const sources = listTs(path.join(ROOT, "components")).map((file) => fs.readFileSync(file, "utf8"));
        const declarations = (name: string) => sources.reduce((n, text) => n + (text.match(new RegExp(`\\binterface ${name}\\b`, "g"))?.length ?? 0), 0);
        const names = Object.keys(schema.types).map((token) => token.split(":")[2]);
        assert.ok(names.length > 10);
        assert.deepStrictEqual(
            names.filter((name) => declarations(name) !== (name in FOREIGN_TYPES ? 0 : 1)),
            [],
        );
        for (const [name, from] of Object.entries(FOREIGN_TYPES)) {
            const typings = fs.readFileSync(require.resolve(`${from}/types/output.d.ts`), "utf8");
            assert.match(typings, new RegExp(`\\binterface ${name}\\b`), `${name} comes from ${from}`);
        }
        // Enumerated values are strings checked at construction, not schema enums.
        assert.deepStrictEqual(
            Object.keys(schema.types).filter((token) => schema.types[token].enum !== undefined),
            [],
        );
    });

    it("constructs components from plain inputs, as a Python or YAML program sends them", async () => {
        const result = await provider.construct(
            "xlang",
            "dualstack:index:Network",
            {
                clusterName: "xlang",
                subnets: { ipv4: { cidr: "10.77.0.0/24" } },
                podRanges: { ipv4: { cidr: "10.78.0.0/16", encapsulation: "VXLAN" } },
                externalNetworkName: "public",
            },
            {},
        );
        await settle();
        assert.deepStrictEqual(Object.keys(result.state).sort(), Object.keys(resource("Network").properties).sort());
        assert.deepStrictEqual(await valueOf(result.state.nodeFamilies), ["IPv4"]);
        const subnet = cloud.named("xlang-subnet-ipv4", "openstack:networking/subnet:Subnet");
        assert.strictEqual(subnet.inputs.cidr, "10.77.0.0/24");
        assert.strictEqual(subnet.parent, await valueOf(result.urn));

        // Secret outputs stay secret for the other language's program, though the schema does not say so.
        const pki = await provider.construct("xlang-pki", "dualstack:index:ClusterPki", { clusterName: "xlang" }, {});
        await settle();
        assert.strictEqual(await pulumi.isSecret(pki.state.caKeyPem as pulumi.Output<string>), true);
        assert.strictEqual(await pulumi.isSecret(pki.state.joinToken as pulumi.Output<string>), true);
        assert.strictEqual(await pulumi.isSecret(pki.state.caCertPem as pulumi.Output<string>), false);

        await assert.rejects(
            provider.construct("xlang-bad", "dualstack:other:Network", {}, {}),
            /Invalid module 'other' in resource type 'dualstack:other:Network', expected 'index'/,
        );
    });
});

function listTs(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return listTs(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}
