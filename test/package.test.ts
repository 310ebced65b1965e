/**
 * The package as another program gets it: `npm pack` (the `prepare` script builds dist/),
 * the tarball installed into a temporary project together with the dependencies of
 * examples/custom-cluster, that example compiled against the installed declarations and run
 * under the offline cloud, the example's own tests, and the installed `dualstack` command.
 * Needs the npm registry (or npm's cache) for the example's dependencies.
 */
import * as assert from "assert";
import { spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type * as grpcTypes from "@grpc/grpc-js";
import * as providerproto from "@pulumi/pulumi/proto/provider_pb";
import * as providerrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { decodeNovaUserData, NovaUserData } from "../components/bootstrap";
import { packedPackage } from "./support/packed";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLE = path.join(ROOT, "examples", "custom-cluster");

/** What the driver prints: the example's run against the offline cloud. */
interface ExampleRun {
    errors: string[];
    outputs: Record<string, unknown>;
    secretOutputs: string[];
    resources: Array<{ type: string; name: string; parent?: string; provider?: string; inputs: Record<string, unknown>; secretInputs: string[] }>;
    calls: Array<{ token: string; inputs: Record<string, unknown> }>;
    /** Modules of ts-node loaded while running (the compiled package must need none). */
    tsNode: string[];
}

/** Runs the compiled example with the installed package's offline cloud; plain JavaScript. */
const DRIVER = `
const { runOffline } = require("dualstack/offline");
const program = require("./bin/index.js");
runOffline(program, { stack: "test", config: {} }).then((run) => {
    process.stdout.write(JSON.stringify({
        errors: run.errors.map((e) => String((e && e.stack) || e)),
        outputs: run.outputs,
        secretOutputs: [...run.secretOutputs],
        resources: run.cloud.resources.map((r) => ({
            type: r.type, name: r.name, parent: r.parent, provider: r.provider, inputs: r.inputs, secretInputs: [...r.secretInputs],
        })),
        calls: run.cloud.calls,
        tsNode: Object.keys(require.cache).filter((file) => file.includes("/node_modules/ts-node/")),
    }));
});
`;

function run(command: string, args: readonly string[], cwd: string, timeout = 120_000, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, npm_config_update_notifier: "false", ...env } });
}

/** A command of the project's node_modules/.bin, as `npx` finds it (never downloads one). */
function npx(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return run("npx", ["--no", "--", ...args], cwd, 120_000, env);
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
    assert.strictEqual(result.status, 0, `${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/** `type name` of a resource, for inventories. */
function label(r: { type: string; name: string }): string {
    return `${r.type} ${r.name}`;
}

describe("the packed package, installed by another program", function () {
    // Packing builds the package, installing reads npm's cache or the registry.
    this.timeout(300_000);

    let tmp: string;
    let tarball: string;
    let app: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-package-"));
        tarball = packedPackage();

        // The example project, with the packed package in place of its file:../.. dependency.
        app = path.join(tmp, "edge-lab");
        fs.cpSync(EXAMPLE, app, {
            recursive: true,
            filter: (source) => !/[/\\](node_modules|bin)$/.test(source) && !/[/\\](package\.json|\.npmrc)$/.test(source),
        });
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "edge-lab", version: "0.0.0", private: true }));
        const manifest = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
            devDependencies: Record<string, string>;
        };
        const dependencies = Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
            .filter(([name]) => name !== "dualstack")
            .map(([name, version]) => `${name}@${version}`);
        ok(run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...dependencies], app, 240_000), "npm install");
    });

    after(() => {
        if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("ships the build (JavaScript and declarations), the command and the docs, not the sources or the tests", () => {
        const files = ok(run("tar", ["tzf", tarball], tmp), "tar").split("\n").filter(Boolean).map((f) => f.replace(/^package\//, ""));
        for (const file of [
            "package.json",
            "README.md",
            "bin/dualstack.js",
            "dist/components/index.js",
            "dist/components/index.d.ts",
            "dist/components/addressing/index.d.ts",
            "dist/components/offline/index.js",
            "dist/cli/main.js",
            "dist/components/provider/plugin.js",
            "dist/components/policies/index.js",
            "dist/components/policies/index.d.ts",
            "docs/library.md",
            "schema.json",
            "schemas/stack-file.schema.json",
            "PulumiPlugin.yaml",
            "LICENSE",
        ]) {
            assert.ok(files.includes(file), `${file} is in the tarball`);
        }
        const unwanted = files.filter((f) => (f.endsWith(".ts") && !f.endsWith(".d.ts")) || /^(test|components|cli|bench|stacks|examples|policies)\//.test(f));
        assert.deepStrictEqual(unwanted, []);
        assert.ok(!files.some((f) => f.startsWith("dist/test/")), "no compiled tests");

        const installed = path.join(app, "node_modules", "dualstack");
        const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { main: string; types: string };
        assert.ok(fs.existsSync(path.join(installed, pkg.main)) && fs.existsSync(path.join(installed, pkg.types)));
    });

    it("starts as Pulumi's Node.js plugin host starts it and serves the committed schema", async () => {
        const installed = path.join(app, "node_modules", "dualstack");
        const host = path.join(app, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");
        const child = spawn(process.execPath, [host, installed, "127.0.0.1:1"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
        try {
            const port = await new Promise<number>((resolve, reject) => {
                let out = "";
                let err = "";
                child.stdout.on("data", (chunk: Buffer) => {
                    out += chunk.toString();
                    const match = /^(\d+)\s*$/m.exec(out);
                    if (match) resolve(Number(match[1]));
                });
                child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
                child.on("exit", (code) => reject(new Error(`the plugin exited with ${code}: ${err}`)));
            });
            const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
            const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as typeof grpcTypes;
            const client = new providerrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const served = await new Promise<string>((resolve, reject) =>
                client.getSchema(new providerproto.GetSchemaRequest(), (e: grpcTypes.ServiceError | null, res: providerproto.GetSchemaResponse) => (e ? reject(e) : resolve(res.getSchema()))),
            );
            client.close();
            assert.deepStrictEqual(JSON.parse(served), JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")));
        } finally {
            child.kill();
        }
    });

    it("compiles the example against the installed declarations (root and deep imports)", () => {
        ok(npx(["tsc", "-p", "."], app), "tsc");
        assert.ok(fs.existsSync(path.join(app, "bin", "index.js")));
    });

    it("runs the example from the installed package under the offline cloud, without ts-node", () => {
        fs.writeFileSync(path.join(app, "driver.js"), DRIVER);
        const result = JSON.parse(ok(run(process.execPath, ["driver.js"], app), "the example")) as ExampleRun;
        assert.deepStrictEqual(result.errors, []);
        assert.deepStrictEqual(result.tsNode, []);

        const components = result.resources.filter((r) => r.type.startsWith("dualstack:")).map(label).sort();
        assert.deepStrictEqual(components, [
            "dualstack:index:ApiEndpoint edge-lab-api",
            "dualstack:index:BootstrapTokenSecret edge-lab-join-token",
            "dualstack:index:Calico edge-lab-calico",
            "dualstack:index:ClusterApi edge-lab-k8s",
            "dualstack:index:ClusterPki edge-lab-pki",
            "dualstack:index:Network edge-lab-net",
            "dualstack:index:NodePool edge-lab-cp",
            "dualstack:index:NodePool edge-lab-gpu",
        ]);

        // The existing network is looked up, not created; the subnets go into it.
        const openstack = result.resources.filter((r) => r.type.startsWith("openstack:") && !r.type.endsWith(":SecGroupRule")).map(label).sort();
        assert.deepStrictEqual(openstack, [
            "openstack:compute/instance:Instance edge-lab-cp-0",
            "openstack:compute/instance:Instance edge-lab-gpu-0",
            "openstack:compute/instance:Instance edge-lab-gpu-1",
            "openstack:compute/serverGroup:ServerGroup edge-lab-cp-group",
            "openstack:compute/serverGroup:ServerGroup edge-lab-gpu-group",
            "openstack:networking/floatingIp:FloatingIp edge-lab-api-fip",
            "openstack:networking/floatingIpAssociate:FloatingIpAssociate edge-lab-cp-fip-0",
            "openstack:networking/port:Port edge-lab-cp-port-0",
            "openstack:networking/port:Port edge-lab-gpu-port-0",
            "openstack:networking/port:Port edge-lab-gpu-port-1",
            "openstack:networking/router:Router edge-lab-net-router",
            "openstack:networking/routerInterface:RouterInterface edge-lab-net-router-ipv4",
            "openstack:networking/routerInterface:RouterInterface edge-lab-net-router-ipv6",
            "openstack:networking/secGroup:SecGroup edge-lab-gpu-metrics",
            "openstack:networking/secGroup:SecGroup edge-lab-net-control-plane",
            "openstack:networking/secGroup:SecGroup edge-lab-net-nodes",
            "openstack:networking/subnet:Subnet edge-lab-net-subnet-ipv4",
            "openstack:networking/subnet:Subnet edge-lab-net-subnet-ipv6",
        ]);
        assert.deepStrictEqual(
            result.calls.filter((c) => c.token === "openstack:networking/getNetwork:getNetwork").map((c) => c.inputs),
            [{ name: "lab-shared" }, { name: "public", external: true }],
        );
        const resource = (name: string) => {
            const found = result.resources.find((r) => r.name === name);
            assert.ok(found, `${name} was registered`);
            return found;
        };
        const subnetIPv6 = resource("edge-lab-net-subnet-ipv6").inputs;
        assert.deepStrictEqual(
            [subnetIPv6.name, subnetIPv6.cidr, subnetIPv6.ipVersion, subnetIPv6.networkId, subnetIPv6.ipv6AddressMode],
            ["edge-lab-nodes-ipv6", "fd42:4c61:6200::/64", 6, "lab-shared-id", "dhcpv6-stateful"],
        );
        assert.strictEqual(resource("edge-lab-net-subnet-ipv4").inputs.cidr, "10.30.0.0/24");

        // The custom worker pool: its own flavor, image, server-group policy and security group.
        for (const index of [0, 1]) {
            const instance = resource(`edge-lab-gpu-${index}`);
            assert.strictEqual(instance.inputs.name, `edge-lab-gpu-${index}`);
            assert.strictEqual(instance.inputs.flavorName, "g1.xlarge");
            assert.strictEqual(instance.inputs.imageName, "debian-12-cuda");
            assert.deepStrictEqual(instance.inputs.tags, ["dualstack-cluster=edge-lab", "dualstack-role=worker", "dualstack-pool=gpu"]);
            assert.deepStrictEqual(instance.secretInputs, ["userData"]);
            assert.match(String(instance.parent), /::dualstack:index:NodePool::edge-lab-gpu$/);
            const port = resource(`edge-lab-gpu-port-${index}`).inputs;
            assert.deepStrictEqual(port.securityGroupIds, ["edge-lab-net-nodes-id", "edge-lab-gpu-metrics-id"]);
            assert.deepStrictEqual(port.allowedAddressPairs, [{ ipAddress: "10.244.0.0/16" }, { ipAddress: "fd42:4c61:6200:100::/56" }]);
        }
        assert.deepStrictEqual(resource("edge-lab-gpu-group").inputs.policies, ["soft-anti-affinity"]);
        const rule = resource("edge-lab-gpu-metrics-dcgm").inputs;
        assert.deepStrictEqual(
            [rule.securityGroupId, rule.direction, rule.ethertype, rule.protocol, rule.portRangeMin, rule.remoteIpPrefix],
            ["edge-lab-gpu-metrics-id", "ingress", "IPv6", "tcp", 9400, "fd42:4c61:6200::/64"],
        );
        assert.deepStrictEqual(resource("edge-lab-cp-0").inputs.tags, [
            "dualstack-cluster=edge-lab",
            "dualstack-role=control-plane",
            "dualstack-pool=control-plane",
        ]);
        assert.strictEqual(resource("edge-lab-cp-fip-0").inputs.portId, "edge-lab-cp-port-0-id");

        // IPv6 is primary: the GPU workers join at the control plane's IPv6 address, and get no CA keys.
        const controlPlaneIPv6 = (result.outputs.controlPlaneIPv6 as string[])[0];
        assert.match(controlPlaneIPv6, /^fd42:4c61:6200::[0-9a-f]+$/);
        const userData = String(resource("edge-lab-gpu-1").inputs.userData);
        const cloudConfig = userData.startsWith("#cloud-config") ? userData : decodeNovaUserData({ userData, encoding: "gzip+base64" } as NovaUserData);
        assert.ok(cloudConfig.includes(`apiServerEndpoint: "[${controlPlaneIPv6}]:6443"`), "joins at the IPv6 endpoint");
        assert.doesNotMatch(cloudConfig, /PRIVATE KEY/);

        // Through the API once /readyz answers at the floating IP: the join token's Secret and
        // Calico, an IPv6 pool first, each node's address taken from inside its node subnet.
        const floatingIp = String(result.outputs.apiServerUrl).replace(/^https:\/\/(.*):6443$/, "$1");
        assert.match(floatingIp, /^203\.0\.113\.\d+$/);
        const readiness = resource("edge-lab-k8s-readyz").inputs;
        assert.deepStrictEqual([readiness.url, readiness.triggers], [`https://${floatingIp}:6443/readyz`, ["edge-lab-cp-0-id"]]);
        const throughApi = result.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => [r.name, r.provider?.split("::").pop()]);
        assert.deepStrictEqual(throughApi.sort(), [
            ["edge-lab-calico-crds", "edge-lab-k8s-provider-id"],
            ["edge-lab-calico-deny-metadata", "edge-lab-k8s-provider-id"],
            ["edge-lab-calico-metadata-tier", "edge-lab-k8s-provider-id"],
            ["edge-lab-calico-operator", "edge-lab-k8s-provider-id"],
            ["edge-lab-join-token-secret", "edge-lab-k8s-provider-id"],
        ]);
        assert.ok(resource("edge-lab-join-token-secret").secretInputs.includes("stringData"));
        const network = (resource("edge-lab-calico-operator").inputs.values as { installation: { calicoNetwork: Record<string, unknown> } }).installation.calicoNetwork;
        assert.deepStrictEqual(
            (network.ipPools as Array<{ cidr: string; encapsulation: string }>).map((p) => `${p.cidr} ${p.encapsulation}`),
            ["fd42:4c61:6200:100::/56 None", "10.244.0.0/16 VXLANCrossSubnet"],
        );
        assert.deepStrictEqual(network.nodeAddressAutodetectionV6, { cidrs: ["fd42:4c61:6200::/64"] });
        assert.deepStrictEqual(network.nodeAddressAutodetectionV4, { cidrs: ["10.30.0.0/24"] });
        assert.strictEqual(network.linuxDataplane, "Nftables");
        assert.deepStrictEqual((result.outputs.calicoPools as Array<{ name: string }>).map((p) => p.name), ["default-ipv6-ippool", "default-ipv4-ippool"]);

        assert.deepStrictEqual(result.outputs.gpuNodes, ["edge-lab-gpu-0", "edge-lab-gpu-1"]);
        assert.deepStrictEqual(result.secretOutputs, ["kubeconfig"]);
    });

    it("runs the example's own tests (mocha with the offline cloud)", () => {
        // tsc has checked the types above; ts-node only transpiles here.
        assert.match(ok(npx(["mocha"], app, { TS_NODE_TRANSPILE_ONLY: "true" }), "the example's tests"), /1 passing/);
    });

    it("runs the installed dualstack command: check, plan FILE and plan --stack from anywhere in the project", () => {
        assert.ok(!fs.existsSync(path.join(app, "node_modules", "dualstack", "cli")), "the installed package runs the compiled CLI");
        const stacks = path.join(app, "stacks");
        fs.mkdirSync(stacks);
        const edge = {
            "dualstack:ipFamilies": ["IPv6", "IPv4"],
            "dualstack:network": { ipv4Cidr: "10.30.0.0/24", ipv6Cidr: "fd42:4c61:6200::/64", externalNetwork: "public" },
            "dualstack:pods": { ipv4Cidr: "10.244.0.0/16", ipv6Cidr: "fd42:4c61:6200:100::/56" },
            "dualstack:services": { ipv4Cidr: "10.96.0.0/16", ipv6Cidr: "fd42:4c61:6200:200::/112" },
            "dualstack:controlPlane": { count: 1, flavor: "m1.large", image: "debian-12" },
        };
        fs.writeFileSync(path.join(stacks, "Pulumi.edge.yaml"), stringify({ config: edge }));
        fs.writeFileSync(path.join(stacks, "Pulumi.clash.yaml"), stringify({ config: { ...edge, "dualstack:pods": { ipv4Cidr: "10.30.0.0/16" } } }));

        const checked = JSON.parse(ok(npx(["dualstack", "check", "stacks/Pulumi.edge.yaml", "--json"], app), "check")) as {
            findings: Array<{ severity: string }>;
        };
        assert.deepStrictEqual(checked.findings.filter((f) => f.severity === "error"), []);
        const clash = npx(["dualstack", "check", "stacks/Pulumi.clash.yaml", "--json"], app);
        assert.strictEqual(clash.status, 1, clash.stderr);
        assert.ok((JSON.parse(clash.stdout) as { findings: Array<{ rule: string }> }).findings.some((f) => f.rule === "range-overlap"));

        // A stack file is planned from any directory.
        const command = path.join(app, "node_modules", ".bin", "dualstack");
        const planned = JSON.parse(ok(run(command, ["plan", path.join(stacks, "Pulumi.edge.yaml"), "--json"], tmp), "plan FILE")) as {
            addressPlan: { ipFamilies: string[] };
            resources: Array<{ type: string; name: string }>;
        };
        assert.deepStrictEqual(planned.addressPlan.ipFamilies, ["IPv6", "IPv4"]);
        assert.deepStrictEqual(
            planned.resources.filter((r) => r.type === "openstack:compute/instance:Instance").map((r) => r.name).sort(),
            ["edge-control-plane-0", "edge-workers-0", "edge-workers-1"],
        );

        // --stack reads stacks/ of the project (the directory with Pulumi.yaml) from a subdirectory too.
        const sub = path.join(app, "test");
        const byStack = JSON.parse(ok(npx(["dualstack", "plan", "--stack", "edge", "--json"], sub), "plan --stack")) as { stack: string; file: string };
        assert.strictEqual(byStack.stack, "edge");
        assert.strictEqual(fs.realpathSync(byStack.file), fs.realpathSync(path.join(stacks, "Pulumi.edge.yaml")));

        const missing = npx(["dualstack", "check", "stacks/Pulumi.nope.yaml"], app);
        assert.strictEqual(missing.status, 2);
        assert.match(missing.stderr, /stacks\/Pulumi\.nope\.yaml/);
    });
});
