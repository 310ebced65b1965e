import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ClusterApi, READINESS_ENVIRONMENT, readinessScript, withReadinessMechanism } from "../components/kubernetes";
import { cloud, isSecretOutput, settle, valueOf } from "./support/runtime";

const CA = "-----BEGIN CERTIFICATE-----\nY2x1c3RlciBDQQ==\n-----END CERTIFICATE-----\n";
const READINESS = "pulumi-nodejs:dynamic:ApiReadiness";
const PROVIDER = "pulumi:providers:kubernetes";

describe("ClusterApi", () => {
    it("builds a provider from the kubeconfig that depends on the /readyz wait", async () => {
        const api = new ClusterApi("ka-basic", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"), endpoint: "203.0.113.10", clusterCaCertPem: CA });
        await settle();

        const component = cloud.named("ka-basic", "dualstack:index:ClusterApi");
        const readiness = cloud.named("ka-basic-readyz", READINESS);
        const provider = cloud.named("ka-basic-provider", PROVIDER);
        assert.strictEqual(readiness.parent, component.urn);
        assert.strictEqual(provider.parent, component.urn);
        const { __provider, ...readinessInputs } = readiness.inputs;
        assert.deepStrictEqual(readinessInputs, {
            url: "https://203.0.113.10:6443/readyz",
            caCertPem: CA,
            timeoutSeconds: 1200,
            intervalSeconds: 10,
            triggers: [],
        });
        // The dynamic provider travels as serialized code; under mocks it is only recorded.
        assert.match(String(__provider), /function \/\*waitForApiReady\*\//);
        // The cluster's identity, not its kubeconfig, decides when the provider (and every
        // resource it manages) is replaced; resources of a cluster whose machines are gone leave the state.
        assert.deepStrictEqual(provider.inputs, {
            kubeconfig: "apiVersion: v1\nkind: Config\n",
            clusterIdentifier: "ka-basic",
            deleteUnreachable: "true",
            enableServerSideApply: "true",
        });
        assert.ok(provider.secretInputs.has("kubeconfig"));
        assert.deepStrictEqual(provider.dependencies, [readiness.urn]);

        assert.strictEqual(await valueOf(api.kubeconfig), "apiVersion: v1\nkind: Config\n");
        assert.strictEqual(await isSecretOutput(api.kubeconfig), true);
        assert.strictEqual(await valueOf(api.readyzUrl), "https://203.0.113.10:6443/readyz");
    });

    it("inside the plugin for other languages, waits with a local command that runs the same wait, and the provider depends on it", async () => {
        const api = withReadinessMechanism("command", () =>
            new ClusterApi("ka-cmd", {
                kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
                endpoint: pulumi.output("2001:db8::10"),
                clusterCaCertPem: CA,
                readinessTimeoutSeconds: 900,
                readinessTriggers: [pulumi.output("cp-0-id")],
            }),
        );
        // Only the construction inside withReadinessMechanism: Node.js programs keep the dynamic resource.
        new ClusterApi("ka-node", { kubeconfig: "k", endpoint: "203.0.113.10", clusterCaCertPem: CA });
        await settle();
        assert.deepStrictEqual(cloud.ofType(READINESS).map((r) => r.name), ["ka-node-readyz"]);

        const wait = cloud.named("ka-cmd-readyz", "command:local:Command");
        assert.strictEqual(wait.parent, cloud.named("ka-cmd", "dualstack:index:ClusterApi").urn);
        assert.deepStrictEqual(wait.inputs.interpreter, ["node", "-e"]);
        assert.strictEqual(wait.inputs.create, await readinessScript());
        assert.deepStrictEqual(wait.inputs.environment, {
            [READINESS_ENVIRONMENT.url]: "https://[2001:db8::10]:6443/readyz",
            [READINESS_ENVIRONMENT.caCertPem]: CA,
            [READINESS_ENVIRONMENT.timeoutSeconds]: "900",
            [READINESS_ENVIRONMENT.intervalSeconds]: "10",
        });
        assert.deepStrictEqual(wait.inputs.triggers, ["cp-0-id"]);
        assert.deepStrictEqual(cloud.named("ka-cmd-provider", PROVIDER).dependencies, [wait.urn]);
        assert.strictEqual(api.readiness.constructor.name, "Command");
    });

    it("keeps a plain kubeconfig secret too, and brackets an IPv6 endpoint", async () => {
        const api = new ClusterApi("ka-v6", {
            kubeconfig: "plain kubeconfig",
            endpoint: pulumi.output("2001:db8:0:1::10"),
            port: 8443,
            clusterCaCertPem: pulumi.output(CA),
            readinessTimeoutSeconds: 600,
            readinessIntervalSeconds: 5,
            readinessTriggers: [pulumi.output("cp-0-id"), "cp-1-id"],
        });
        await settle();
        const readiness = cloud.named("ka-v6-readyz", READINESS);
        assert.strictEqual(readiness.inputs.url, "https://[2001:db8:0:1::10]:8443/readyz");
        assert.strictEqual(readiness.inputs.timeoutSeconds, 600);
        assert.strictEqual(readiness.inputs.intervalSeconds, 5);
        assert.deepStrictEqual(readiness.inputs.triggers, ["cp-0-id", "cp-1-id"]);
        assert.ok(cloud.named("ka-v6-provider", PROVIDER).secretInputs.has("kubeconfig"));
        assert.strictEqual(await isSecretOutput(api.kubeconfig), true);
    });

    const invalid: Array<[string, Partial<ConstructorParameters<typeof ClusterApi>[1]>, RegExp]> = [
        ["an endpoint with a scheme", { endpoint: "https://203.0.113.10:6443" }, /ClusterApi endpoint is "https:\/\/203\.0\.113\.10:6443"; give the host only/],
        ["an endpoint with a port", { endpoint: "api.example.com:6443" }, /ClusterApi endpoint is "api\.example\.com:6443"; give the host only/],
        ["a port out of range", { port: 70000 }, /^ClusterApi port is 70000; it must be an integer from 1 to 65535/],
        ["a zero timeout", { readinessTimeoutSeconds: 0 }, /^ClusterApi readinessTimeoutSeconds is 0; it must be a positive number of seconds/],
        [
            "an interval longer than the timeout",
            { readinessTimeoutSeconds: 30, readinessIntervalSeconds: 60 },
            /^ClusterApi readinessIntervalSeconds is 60; it must be positive and at most readinessTimeoutSeconds \(30\)\.$/,
        ],
    ];
    for (const [what, bad, message] of invalid) {
        it(`refuses ${what} before registering anything`, async () => {
            assert.throws(
                () => new ClusterApi(`ka-bad-${what.replace(/\W+/g, "-")}`, { kubeconfig: "k", endpoint: "203.0.113.10", clusterCaCertPem: CA, ...bad }),
                (e: Error) => message.test(e.message),
            );
            await settle();
            assert.deepStrictEqual(cloud.resources, []);
        });
    }
});
