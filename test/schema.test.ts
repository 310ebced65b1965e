/**
 * The package as other languages see it. `pulumi package add <this repository>` starts the
 * package as a plugin (PulumiPlugin.yaml, runtime nodejs; package.json `main` is the plugin
 * entry), which serves the committed `schema.json`: @pulumi/pulumi's own component analyzer
 * run on the sources (`npm run schema`), with the provider references fixed for Pulumi's
 * schema binder. SDK generators bind that schema first; there is no Pulumi CLI here, so these
 * tests check it against the binder's reference rules (components/provider/references.ts,
 * after pkg/codegen/schema/bind.go) and construct components as the plugin does.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { parse } from "yaml";
import * as pkg from "../components";
import { DualstackProvider } from "../components/provider";
import { inferSchema, providerName, schemaText, SOURCE_ENTRY } from "../components/provider/generate";
import { checkSchemaReferences, fixProviderReferences, PackageSchema } from "../components/provider/references";
import { cloud, settle, valueOf } from "./support/runtime";

const ROOT = path.resolve(__dirname, "..");
const PACKAGE_JSON = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    exports: Record<string, { default: string }>;
    files: string[];
};

/** Every public component, as other languages get them. */
const COMPONENTS = ["ApiEndpoint", "BootstrapTokenSecret", "Calico", "Cluster", "ClusterApi", "ClusterPki", "Gateway", "Network", "NodePool"];

/** Nested types that come from another package's declarations, with that package. */
const FOREIGN_TYPES: Record<string, string> = { ReleaseStatus: "@pulumi/kubernetes" };

/** The Kubernetes package schema that Calico and ClusterApi refer to. */
const KUBERNETES_VERSION = (JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as { version: string }).version;
const KUBERNETES_SCHEMA = `/kubernetes/v${KUBERNETES_VERSION}/schema.json`;

/** Resource tokens of the installed Kubernetes SDK (each class's `__pulumiType`). */
function sdkResourceTokens(packageDir: string): Set<string> {
    const tokens = new Set<string>();
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory() && entry.name !== "node_modules") walk(full);
            else if (entry.name.endsWith(".js")) for (const m of fs.readFileSync(full, "utf8").matchAll(/__pulumiType = '([^']+)'/g)) tokens.add(m[1]);
        }
    };
    walk(packageDir);
    return tokens;
}

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
interface Schema extends PackageSchema {
    name: string;
    version: string;
    resources: Record<string, Resource>;
    types: Record<string, ObjectType>;
    dependencies: Array<{ name: string; version: string }>;
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
    this.timeout(180_000);

    let provider: DualstackProvider;
    let inferred: Schema;
    let schema: Schema;
    const kubernetesTokens = sdkResourceTokens(path.dirname(require.resolve("@pulumi/kubernetes/package.json")));
    const lookup = (packageName: string, version: string | undefined, token: string) =>
        packageName === "kubernetes" && version === KUBERNETES_VERSION ? kubernetesTokens.has(token) : undefined;
    const resource = (name: string): Resource => schema.resources[`dualstack:index:${name}`];
    const type = (name: string): ObjectType => schema.types[`dualstack:index:${name}`];

    before(async () => {
        inferred = inferSchema() as unknown as Schema;
        schema = fixProviderReferences(inferred);
        provider = new DualstackProvider();
    });

    it("commits schema.json as a fresh generation from the sources (npm run schema)", () => {
        assert.strictEqual(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8"), schemaText(schema as never), "run npm run schema");
        assert.deepStrictEqual(JSON.parse(provider.schema), schema);
    });

    it("passes the schema binder's reference rules: every $ref parses and resolves", () => {
        assert.ok(kubernetesTokens.has("kubernetes:helm.sh/v3:Release") && kubernetesTokens.size > 200);
        assert.deepStrictEqual(checkSchemaReferences(schema, lookup), []);
        // The Kubernetes provider is referred to as the binder expects it.
        assert.strictEqual(resource("Calico").inputProperties.kubernetesProvider.$ref, `${KUBERNETES_SCHEMA}#/provider`);
    });

    it("the binder rules refuse the analyzer's own provider reference into #/resources, which the fix rewrites", () => {
        // As @pulumi/pulumi writes it today: a provider's __pulumiType is the bare package name.
        assert.strictEqual(inferred.resources["dualstack:index:Calico"].inputProperties.kubernetesProvider.$ref, `${KUBERNETES_SCHEMA}#/resources/kubernetes`);
        const problems = checkSchemaReferences(inferred, lookup);
        assert.ok(problems.length > 0);
        assert.ok(
            problems.includes(`#/resources/dualstack:index:Calico/inputProperties/kubernetesProvider/$ref: resource type kubernetes not found in package kubernetes`),
            problems.join("\n"),
        );
        const bad = (ref: string): string[] =>
            checkSchemaReferences({ name: "dualstack", version: "0.1.0", resources: { "dualstack:index:X": { inputProperties: { p: { $ref: ref } } } }, types: {}, dependencies: [{ name: "kubernetes", version: KUBERNETES_VERSION }] }, lookup).map((p) => p.replace(/^.*?\$ref: /, ""));
        assert.deepStrictEqual(bad(`${KUBERNETES_SCHEMA}#/resources/pulumi:providers:kubernetes`), [
            "reference to provider resource '/resources/pulumi:providers:kubernetes' is deprecated, use '#/provider' instead",
        ]);
        assert.deepStrictEqual(bad(`${KUBERNETES_SCHEMA}#/resources/kubernetes:core/v1:NoSuchThing`), ["resource type kubernetes:core/v1:NoSuchThing not found in package kubernetes"]);
        assert.deepStrictEqual(bad(`${KUBERNETES_SCHEMA}#/provider/extra`), [`invalid provider reference '${KUBERNETES_SCHEMA}#/provider/extra'`]);
        assert.deepStrictEqual(bad("/kubernetes/schema.json#/provider"), ["failed to parse path '/kubernetes/schema.json'"]);
        assert.deepStrictEqual(bad("/random/v4.21.2/schema.json#/provider"), ["package random@4.21.2 is not among the schema's dependencies"]);
        assert.deepStrictEqual(bad("#/types/dualstack:index:Nothing"), ["type dualstack:index:Nothing not found in package dualstack"]);
        assert.deepStrictEqual(bad("#/things/x"), ["invalid type reference '#/things/x'"]);
        assert.deepStrictEqual(bad(`${KUBERNETES_SCHEMA}#/provider`), []);
    });

    it("is a plugin: PulumiPlugin.yaml (nodejs, no ts-node), main the plugin entry, exports the library, the schema read from components/index.ts", () => {
        const manifest = parse(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as {
            runtime: { name: string; options: { typescript: boolean } };
        };
        assert.deepStrictEqual(manifest.runtime, { name: "nodejs", options: { typescript: false } });
        assert.strictEqual(PACKAGE_JSON.main, "dist/components/provider/plugin.js");
        assert.strictEqual(PACKAGE_JSON.exports["."].default, "./dist/components/index.js");
        assert.strictEqual(SOURCE_ENTRY, "components/index.ts");
        assert.ok(PACKAGE_JSON.files.includes("schema.json") && PACKAGE_JSON.files.includes("PulumiPlugin.yaml"));
        // The plugin module's export is a function and no component, so the host calls it.
        const plugin = require("../components/provider/plugin") as unknown;
        assert.strictEqual(typeof plugin, "function");
        assert.deepStrictEqual(getPulumiComponents(plugin), []);
    });

    it("offers every public component, in the index module of the dualstack package", () => {
        assert.deepStrictEqual(getPulumiComponents(pkg).map((c) => c.name).sort(), COMPONENTS);
        assert.strictEqual(providerName(PACKAGE_JSON.name), "dualstack");
        assert.strictEqual(schema.name, "dualstack");
        assert.strictEqual(schema.version, PACKAGE_JSON.version);
        assert.strictEqual(provider.version, PACKAGE_JSON.version);
        assert.deepStrictEqual(Object.keys(schema.resources).sort(), COMPONENTS.map((c) => `dualstack:index:${c}`));
        for (const name of COMPONENTS) assert.strictEqual(resource(name).isComponent, true, name);
        // Calico and ClusterApi refer to Kubernetes resources: SDKs need that package's schema too.
        assert.deepStrictEqual(schema.dependencies, [{ name: "kubernetes", version: KUBERNETES_VERSION }]);
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

    it("gives Cluster the stack configuration as inputs: nested types per config group, plain where they shape the resources", () => {
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
        // Names handed to OpenStack as they are may be outputs of other resources; the rest is plain.
        assert.deepStrictEqual(shape(type("ClusterNetworkArgs").properties.existingNetwork), { type: "string", optional: true });
        assert.deepStrictEqual(shape(type("ClusterControlPlaneArgs").properties.flavor), { type: "string", optional: true });
        assert.deepStrictEqual(shape(type("ClusterControlPlaneArgs").properties.count), { type: "number", optional: true, plain: true });
        assert.deepStrictEqual(shape(type("ClusterWorkerPoolArgs").properties.image), { type: "string", optional: true });
        assert.deepStrictEqual(shape(type("ClusterAccessArgs").properties.apiAllowedCidrs), { type: "array", items: { type: "string", plain: true }, optional: true, plain: true });
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
            "provider",
        ]);
        assert.deepStrictEqual(cluster.required, ["addressLayout", "addressPlan", "apiServerUrl", "kubeconfig", "networkId", "nodes"]);
        // The provider that waits for the API, as the binder expects a reference to it.
        assert.deepStrictEqual(shape(cluster.properties.provider), { $ref: `${KUBERNETES_SCHEMA}#/provider`, optional: true });
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
        assert.deepStrictEqual(shape(network.inputProperties.existingNetworkName), { type: "string", optional: true });
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
        assert.deepStrictEqual(shape(calico.inputProperties.kubernetesProvider), { $ref: `${KUBERNETES_SCHEMA}#/provider`, plain: true });
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
        assert.deepStrictEqual(shape(api.properties.provider), { $ref: `${KUBERNETES_SCHEMA}#/provider` });
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

        // The readiness wait: a local command, since a dynamic resource cannot run for another language.
        const api = await provider.construct("xlang-api", "dualstack:index:ClusterApi", { kubeconfig: "k", endpoint: "203.0.113.9", clusterCaCertPem: "ca" }, {});
        await settle();
        assert.deepStrictEqual(Object.keys(api.state).sort(), ["kubeconfig", "provider", "readyzUrl"]);
        assert.deepStrictEqual(cloud.named("xlang-api-readyz", "command:local:Command").inputs.interpreter, ["node", "-e"]);
        assert.deepStrictEqual(cloud.ofType("pulumi-nodejs:dynamic:ApiReadiness"), []);

        await assert.rejects(
            provider.construct("xlang-bad", "dualstack:other:Network", {}, {}),
            /dualstack:other:Network is not a component of the dualstack package; its components are dualstack:index:Cluster, /,
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
