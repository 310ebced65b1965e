import * as assert from "assert";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import Ajv from "ajv";
import * as YAML from "yaml";
import { PolicyConfigSchema } from "@pulumi/policy";
import { policies } from "../components/policies/policies";
import { UNKNOWN_VALUE } from "./support/policy";
import { PolicyServer } from "./support/policyServer";
import { CLUSTER_TYPE, calicoReleaseProps, planSummary, SLAAC_SUBNET_NOT_64 } from "./support/policyStacks";

const ROOT = path.join(__dirname, "..");
const PACK = path.join(ROOT, "policies");
const read = (file: string) => fs.readFileSync(file, "utf8");

const dualStackPlan = {
    families: [
        { family: "IPv4" as const, pods: "10.11.0.0/16", services: "10.12.0.0/16" },
        { family: "IPv6" as const, pods: "fd12:3456:789a:100::/56", services: "fd12:3456:789a:200::/112" },
    ],
    nodeSubnets: [{ family: "IPv4" as const, cidr: "10.10.0.0/22" }],
};

describe("policy pack", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));

    it("has unique kebab-case policy names, each with a description and an enforcement level", () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const policy of policies) {
            assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)+$/);
            assert.ok(policy.description.length > 40, policy.name);
            assert.ok(policy.enforcementLevel === "mandatory" || policy.enforcementLevel === "advisory", policy.name);
        }
    });

    it("is mandatory for overlap and oversize, advisory for hygiene", () => {
        for (const name of ["ranges-disjoint", "service-range-size", "pod-range-node-mask", "neutron-subnet-size", "calico-ip-pools", "calico-pools-in-pod-range"]) {
            assert.strictEqual(levels[name], "mandatory", name);
        }
        assert.deepStrictEqual(policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name), ["calico-ipv6-nat-outgoing", "control-plane-anti-affinity"]);
    });

    it("docs/policies.md lists every policy with its level, and every configuration key", () => {
        const doc = read(path.join(ROOT, "docs", "policies.md"));
        const rows = new Map([...doc.matchAll(/^\| `([a-z0-9-]+)` \| [^|]+ \| (mandatory|advisory) \|/gm)].map((m) => [m[1], m[2]]));
        assert.deepStrictEqual(Object.fromEntries(rows), levels);
        for (const policy of policies) {
            assert.ok(doc.includes(`### \`${policy.name}\``), `no section for ${policy.name}`);
            for (const key of Object.keys(policy.configSchema?.properties ?? {})) {
                assert.ok(doc.includes(`| \`${policy.name}\` | \`${key}\` |`), `${policy.name}.${key} is not documented`);
            }
        }
    });

    it("policies/config.json names existing policies and satisfies their configuration schemas", () => {
        const config = JSON.parse(read(path.join(PACK, "config.json"))) as Record<string, unknown>;
        const ajv = new Ajv({ strict: false });
        for (const [name, value] of Object.entries(config)) {
            const policy = policies.find((p) => p.name === name);
            assert.ok(policy, `config.json configures ${name}, which the pack does not have`);
            if (typeof value === "string") {
                assert.ok(["advisory", "mandatory", "disabled"].includes(value), name);
                continue;
            }
            const schema: PolicyConfigSchema = policy.configSchema ?? { properties: {} };
            const validate = ajv.compile({
                type: "object",
                properties: { ...schema.properties, enforcementLevel: { enum: ["advisory", "mandatory", "disabled"] } },
                additionalProperties: false,
            });
            assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)}`);
        }
    });

    it("is a self-contained Node.js policy pack: its own package.json with real dependencies and tsconfig.json", () => {
        assert.strictEqual(YAML.parse(read(path.join(PACK, "PulumiPolicy.yaml"))).runtime, "nodejs");
        const pkg = JSON.parse(read(path.join(PACK, "package.json"))) as { name: string; version: string; dependencies: Record<string, string>; files: string[] };
        const root = JSON.parse(read(path.join(ROOT, "package.json"))) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
        assert.strictEqual(pkg.name, "dualstack-policies");
        assert.strictEqual(pkg.version, root.version);
        // The rules come from the package, at this version; the SDKs at the package's own ranges
        // (one copy each once installed); TypeScript and ts-node because Pulumi compiles index.ts
        // when it loads the pack (its vendored TypeScript 3.8 cannot read today's declarations).
        assert.deepStrictEqual(pkg.dependencies, {
            "@pulumi/policy": root.dependencies["@pulumi/policy"],
            "@pulumi/pulumi": root.dependencies["@pulumi/pulumi"],
            "@types/node": `^${root.devDependencies["@types/node"]}`,
            dualstack: `^${root.version}`,
            "ts-node": `^${root.devDependencies["ts-node"]}`,
            typescript: `~${root.devDependencies.typescript}`,
        });
        assert.deepStrictEqual(pkg.files, ["PulumiPolicy.yaml", "index.ts", "tsconfig.json", "config.json"]);
        assert.deepStrictEqual((JSON.parse(read(path.join(PACK, "tsconfig.json"))) as { files: string[] }).files, ["index.ts"]);
    });

    it("imports only @pulumi/policy and dualstack/policies, whose rules need the Pulumi SDKs, ip-num and Node built-ins", () => {
        const imports = (file: string) => [...read(file).matchAll(/^(?:import|export)[^;]*?from "([^"]+)";/gms)].map((m) => m[1]);
        // What `pulumi preview --policy-pack policies` loads: index.ts, nothing relative.
        assert.deepStrictEqual(imports(path.join(PACK, "index.ts")).sort(), ["@pulumi/policy", "dualstack/policies"]);
        const external = new Set<string>();
        const seen = new Set<string>();
        const visit = (file: string) => {
            if (seen.has(file)) return;
            seen.add(file);
            for (const spec of imports(file)) {
                if (spec.startsWith(".")) visit(require.resolve(path.resolve(path.dirname(file), spec)));
                else external.add(spec);
            }
        };
        visit(path.join(ROOT, "components", "policies", "index.ts"));
        assert.deepStrictEqual([...external].filter((s) => !builtinModules.includes(s)).sort(), ["@pulumi/policy", "@pulumi/pulumi", "ip-num"]);
    });
});

describe("policy pack under the policy server", function () {
    this.timeout(60000);
    let server: PolicyServer;

    before(async () => {
        server = await PolicyServer.start();
    });
    after(() => server?.stop());

    it("serves every policy with its level and configuration schema", async () => {
        const info = await server.info();
        assert.strictEqual(info.name, "dualstack");
        assert.strictEqual(info.version, JSON.parse(read(path.join(PACK, "package.json"))).version);
        assert.deepStrictEqual(
            info.policies.map((p) => [p.name, p.level]),
            policies.map((p) => [p.name, p.enforcementLevel]),
        );
        const serviceRange = info.policies.find((p) => p.name === "service-range-size");
        assert.deepStrictEqual(Object.keys(serviceRange?.configSchema as object), ["largestIPv4", "largestIPv6"]);
    });

    it("refuses a SLAAC subnet that is not a /64, as a mandatory violation", async () => {
        const found = await server.analyze(...SLAAC_SUBNET_NOT_64);
        assert.deepStrictEqual(found.map((d) => [d.policy, d.level]), [["neutron-subnet-accepted", "mandatory"]]);
        // The server prints the policy's description, then the message.
        const [description, message] = found[0].message.split("\n");
        assert.strictEqual(description, policies.find((p) => p.name === "neutron-subnet-accepted")?.description);
        assert.match(message, /^\[neutron-auto-address-prefix\] dev-subnet-ipv6\.cidr is fd00:0:0:1::\/80 with slaac;/);
    });

    it("skips values that are unknown in preview without a diagnostic (not even 'can't run policy during preview')", async () => {
        const rule = await server.analyze("openstack:networking/secGroupRule:SecGroupRule", "kubelet-from-nodes", {
            direction: "ingress",
            ethertype: "IPv4",
            protocol: "tcp",
            portRangeMin: 10250,
            portRangeMax: 10250,
            securityGroupId: UNKNOWN_VALUE,
            remoteGroupId: UNKNOWN_VALUE,
        });
        assert.deepStrictEqual(rule, []);
        const release = await server.analyze("kubernetes:helm.sh/v3:Release", "dev-calico", calicoReleaseProps([{ cidr: UNKNOWN_VALUE }]));
        assert.deepStrictEqual(release, []);
        const stack = await server.analyzeStack([
            { type: CLUSTER_TYPE, name: "dev", props: { addressPlan: UNKNOWN_VALUE } },
            { type: "openstack:networking/subnet:Subnet", name: "dev-subnet-ipv6", props: { cidr: UNKNOWN_VALUE, ipVersion: 6 }, parent: "dev" },
        ]);
        assert.deepStrictEqual(stack, []);
    });

    it("sees the Cluster's addressPlan in stack validation: a service range inside the node subnet", async () => {
        const plan = planSummary({ ...dualStackPlan, families: [{ family: "IPv4", pods: "10.11.0.0/16", services: "10.10.1.0/24" }] });
        const found = await server.analyzeStack([
            { type: CLUSTER_TYPE, name: "dev", props: { addressPlan: plan } },
            { type: "openstack:networking/subnet:Subnet", name: "dev-subnet-ipv4", props: { cidr: "10.10.0.0/22", ipVersion: 4 }, parent: "dev" },
        ]);
        assert.deepStrictEqual(
            found.map((d) => [d.policy, d.level, d.message.split("\n")[1].split(" overlaps")[0]]),
            [["ranges-disjoint", "mandatory", "[range-overlap] dualstack:services.ipv4Cidr (service range 10.10.1.0/24)"]],
        );
    });

    it("applies policies/config.json: limits and enforcement levels", async () => {
        const config = JSON.parse(read(path.join(PACK, "config.json"))) as Record<string, unknown>;
        await server.configure(Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel as string])), config);
        const plan = planSummary({ families: [{ family: "IPv4", pods: "10.11.0.0/16", services: "10.96.0.0/12" }] });
        const stack = await server.analyzeStack([{ type: CLUSTER_TYPE, name: "dev", props: { addressPlan: plan } }]);
        assert.deepStrictEqual(stack.map((d) => d.policy), ["service-range-size"]);
        assert.match(stack[0].message, /the policy pack \(service-range-size\.largestIPv4 is 16\) allows at most 16/);
        const nat = await server.analyze("kubernetes:helm.sh/v3:Release", "dev-calico", calicoReleaseProps([{ cidr: "fd12:3456:789a:100::/56" }]));
        assert.deepStrictEqual(nat.map((d) => [d.policy, d.level]), [["calico-ipv6-nat-outgoing", "mandatory"]]);
        const group = await server.analyze("openstack:compute/serverGroup:ServerGroup", "dev-control-plane", { policies: ["soft-anti-affinity"] });
        assert.deepStrictEqual(group.map((d) => [d.policy, d.level]), [["control-plane-anti-affinity", "mandatory"]]);
    });
});
