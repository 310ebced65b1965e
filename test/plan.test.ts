/**
 * `dualstack plan`: the real program offline for every shipped stack, its reports and
 * artefacts, secrets kept out of all of them, and the exit codes.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Finding } from "../components/addressing";
import { readStackFile } from "../components/config";
import { clampPrivateKey } from "../components/gateway";
import { restoreSuiteCloud, runProgram } from "./support/offline";
import { runBin, runCli, tempDir, writeStack } from "./support/cli";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

const STACKS = ["dev", "staging", "prod", "lab-ipv6", "private"];
const PEM = /-----BEGIN /;

/** Every file under a directory, relative paths. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]));
}

describe("dualstack plan", () => {
    const dir = tempDir("dualstack-plan-");
    after(async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        await restoreSuiteCloud();
    });

    for (const stack of STACKS) {
        it(`${stack}: exit 0, address plan, resources, artefacts, and no secret in stdout or --out`, async () => {
            const out = path.join(dir, stack);
            const result = await runCli(["plan", "--stack", stack, "--out", out, "--json"]);
            assert.strictEqual(result.code, 0, result.stdout + result.stderr);
            const report = JSON.parse(result.stdout) as {
                resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
                outputs: Record<string, unknown>;
                artefacts: Array<{ path: string }>;
                findings: Finding[];
            };
            assert.deepStrictEqual(report.findings.filter((f) => f.severity === "error"), []);
            const types = new Set(report.resources.map((r) => r.type));
            for (const type of ["openstack:networking/subnet:Subnet", "openstack:networking/port:Port", "openstack:compute/instance:Instance", "openstack:networking/secGroupRule:SecGroupRule"]) {
                assert.ok(types.has(type), `${stack} creates a ${type}`);
            }
            const roles = report.artefacts.map((a) => a.path.split("/")[0]);
            assert.ok(roles.includes("control-plane-init") && roles.some((r) => r.startsWith("worker-")), roles.join(","));
            assert.strictEqual(report.outputs.kubeconfig, "[secret]");
            const written = filesUnder(out).sort();
            assert.ok(written.includes("address-plan.json") && written.includes(path.join("control-plane-init", "cloud-init.yaml")), written.join(","));

            // Secrets: no PEM block and no token secret anywhere.
            const config = readStackFile(`stacks/Pulumi.${stack}.yaml`);
            assert.ok(config);
            const texts = [result.stdout, ...written.map((f) => fs.readFileSync(path.join(out, f), "utf8"))];
            for (const text of texts) assert.doesNotMatch(text, PEM);
            for (const text of texts) {
                for (const token of text.match(/[a-z0-9]{6}\.[a-z0-9]{16}/g) ?? []) assert.fail(`a token in clear: ${token.slice(0, 7)}…`);
            }
            const workerRole = roles.find((r) => r.startsWith("worker-")) as string;
            assert.match(fs.readFileSync(path.join(out, workerRole, "kubeadm.yaml"), "utf8"), /^\s+token: [a-z0-9]{6}\.\[secret\]$/m);
            const cloudInit = parse(fs.readFileSync(path.join(out, "control-plane-init", "cloud-init.yaml"), "utf8")) as { write_files: Array<{ path: string; content: string }> };
            const caKey = cloudInit.write_files.find((f) => f.path.endsWith("/ca.key"));
            assert.strictEqual(caKey?.content, "[redacted rsa private key]\n");
        });
    }

    it("private: the gateway's artefacts (WireGuard, keepalived, radvd, each peer's template), and its private key nowhere in clear", async () => {
        const out = path.join(dir, "private-gateway");
        const result = await runCli(["plan", "--stack", "private", "--out", out, "--json"]);
        assert.strictEqual(result.code, 0, result.stdout + result.stderr);
        const written = filesUnder(out).sort();
        assert.deepStrictEqual(
            written.filter((f) => f.startsWith("gateway")),
            ["cloud-init.yaml", "keepalived.conf", "peers/alice-laptop.conf", "peers/ci-runner.conf", "radvd.conf", "wg0.conf"].map((f) => path.join("gateway", f)),
        );
        // The key this run generated: the same stack's offline run makes the same random bytes.
        const run = await runProgram("private", readStackFile("stacks/Pulumi.private.yaml").config);
        const bytes = run.cloud.resources.find((r) => r.name === "private-gateway-wireguard-key");
        const privateKey = clampPrivateKey(String(bytes?.outputs.base64));
        const texts = [result.stdout, (await runCli(["plan", "--stack", "private"])).stdout, ...written.map((f) => fs.readFileSync(path.join(out, f), "utf8"))];
        for (const text of texts) {
            assert.ok(!text.includes(privateKey), "the WireGuard private key in clear");
            assert.ok(!text.includes(Buffer.from(privateKey).toString("base64")), "the WireGuard private key, base64");
        }
        assert.match(fs.readFileSync(path.join(out, "gateway", "wg0.conf"), "utf8"), /^PrivateKey = \[redacted wireguard private key\]$/m);
        const report = JSON.parse(result.stdout) as { outputs: Record<string, unknown>; resources: Array<{ name: string; inputs: Record<string, unknown> }> };
        assert.strictEqual(report.resources.find((r) => r.name === "private-gateway-0")?.inputs.userData, "[secret]");
        assert.match(String(report.outputs.gatewayPublicKey), /^[A-Za-z0-9+/]{43}=$/);
        const template = fs.readFileSync(path.join(out, "gateway", "peers", "alice-laptop.conf"), "utf8");
        assert.match(template, new RegExp(`^PublicKey = ${String(report.outputs.gatewayPublicKey).replace(/[+/]/g, "\\$&")}$`, "m"));
        // The README and docs/gateway.md show this template as the plan renders it.
        const body = template.slice(template.indexOf("[Interface]")).trimEnd();
        for (const doc of ["README.md", path.join("docs", "gateway.md")]) {
            const text = fs.readFileSync(doc, "utf8").replace(/^ {3}/gm, "");
            for (const line of body.split("\n")) assert.ok(text.includes(line), `${doc} lacks the template's line: ${line}`);
        }
    });

    it("the table and Markdown formats render the same sections", async () => {
        const table = await runCli(["plan", "--stack", "staging"]);
        assert.strictEqual(table.code, 0);
        for (const section of ["Address plan", "Resources pulumi up would create", "Stack outputs", "Rendered artefacts", "Findings"]) {
            assert.match(table.stdout, new RegExp(`^${section}\\n=+$`, "m"));
        }
        assert.match(table.stdout, /staging-control-plane \(dualstack:index:NodePool\), \d+ resources/);
        assert.match(table.stdout, /ULA \/48: fd[0-9a-f:]+\/48 \(stand-in global ID/);
        const markdown = await runCli(["plan", "--stack", "staging", "--format", "markdown"]);
        assert.strictEqual(markdown.code, 0);
        assert.match(markdown.stdout, /^# dualstack plan: stack staging/);
        for (const section of ["Address plan", "Resources pulumi up would create", "Stack outputs", "Rendered artefacts", "Findings"]) {
            assert.match(markdown.stdout, new RegExp(`^## ${section}$`, "m"));
        }
        assert.match(markdown.stdout, /^\| family \| range \| cidr \| source \| capacity \|$/m);
        assert.match(markdown.stdout, /^\*\*staging-control-plane \(dualstack:index:NodePool\), \d+ resources\*\*$/m);
        assert.doesNotMatch(markdown.stdout + table.stdout, PEM);
    });

    it("--json round-trips with stable keys", async () => {
        const first = JSON.parse((await runCli(["plan", "--stack", "dev", "--json"])).stdout) as Record<string, unknown>;
        assert.deepStrictEqual(Object.keys(first), ["schemaVersion", "stack", "file", "addressPlan", "resources", "outputs", "artefacts", "findings", "ok"]);
        const again = JSON.parse((await runCli(["plan", "--stack", "dev", "--json"])).stdout) as Record<string, unknown>;
        const shape = (r: Record<string, unknown>) => (r.resources as Array<{ type: string; name: string }>).map((x) => `${x.type} ${x.name}`).sort();
        assert.deepStrictEqual(shape(again), shape(first));
        assert.deepStrictEqual(again.addressPlan, first.addressPlan);
        assert.strictEqual(first.ok, true);
    });

    it("a bad stack exits 1 with the rule ids, and runs nothing", async () => {
        const file = writeStack(dir, "bad", deepMerge(BASE_CONFIG, {
            "dualstack:services": { ipv6Cidr: "fd00:1::/64" },
            "dualstack:pods": { ipv4Cidr: "10.0.0.0/16", ipv6Cidr: "fd00:10::/56", nodeMaskIPv6: 76 },
        }));
        const result = await runCli(["plan", file, "--json"]);
        assert.strictEqual(result.code, 1);
        const report = JSON.parse(result.stdout) as { findings: Finding[]; resources: unknown[] };
        assert.deepStrictEqual([...new Set(report.findings.map((f) => f.rule))].sort(), ["pod-range-node-mask-gap", "range-overlap", "service-range-too-large"]);
        assert.deepStrictEqual(report.resources, []);
    });

    it("runs the policy pack: world-open SSH fails the plan unless the pack configuration allows port 22", async () => {
        const file = writeStack(dir, "ssh", deepMerge(BASE_CONFIG, { "dualstack:access": { sshAllowedCidrs: ["0.0.0.0/0"] } }));
        const refused = await runCli(["plan", file, "--json"]);
        assert.strictEqual(refused.code, 1);
        const findings = (JSON.parse(refused.stdout) as { findings: Finding[] }).findings;
        assert.deepStrictEqual(
            findings.map((f) => [f.severity, f.rule, f.path]),
            [
                ["warning", "world-open-access", "dualstack:access.sshAllowedCidrs[0]"],
                ["error", "secgroup-world-open", "ssh-nodes-ipv4-ssh-0.0.0.0/0.remoteIpPrefix"],
            ],
        );
        assert.match(findings[1].message, /^ssh-nodes-ipv4-ssh-0\.0\.0\.0\/0\.remoteIpPrefix is 0\.0\.0\.0\/0, so this ingress rule opens SSH \(22\/tcp\) to the whole IPv4 internet/);
        assert.match(findings[1].message, /\(policy secgroup-world-open\)$/);
        const config = path.join(dir, "pack.json");
        fs.writeFileSync(config, JSON.stringify({ "secgroup-world-open": { allowedPorts: [22] } }));
        const allowed = await runCli(["plan", file, "--json", "--policy-config", config]);
        assert.strictEqual(allowed.code, 0, allowed.stdout);
        const refusedConfigs: Array<[unknown, RegExp]> = [
            [{ "secgroup-world-open": "loud" }, /policy secgroup-world-open: "loud" is not an enforcement level/],
            [{ "service-range-size": { largestIPv6: "112" } }, /policy service-range-size: largestIPv6 is "112"; it must be an integer/],
            [{ "secgroup-world-open": { allowedPorts: [80] } }, /policy secgroup-world-open: allowedPorts is \[80\]; it \[0\] must be one of 22, 6443, 10250/],
            [{ "no-such-policy": "advisory" }, /policy no-such-policy: the pack has no such policy/],
        ];
        for (const [content, reason] of refusedConfigs) {
            fs.writeFileSync(config, JSON.stringify(content));
            const bad = await runCli(["plan", file, "--policy-config", config]);
            assert.strictEqual(bad.code, 2, JSON.stringify(content));
            assert.match(bad.stderr, /pack\.json: not a policy pack configuration: /);
            assert.match(bad.stderr, reason);
        }
    });

    it("an --out directory that cannot be written is unusable input: exit 2, one line", async () => {
        const blocker = path.join(dir, "a-file");
        fs.writeFileSync(blocker, "");
        const result = await runCli(["plan", "--stack", "dev", "--out", path.join(blocker, "out")]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, `dualstack: --out ${path.join(blocker, "out")}: cannot write there (ENOTDIR)\n`);
    });

    it("runs as the installed command too (bin, exit code, unreadable input)", () => {
        const ok = runBin(["plan", "--stack", "dev", "--format", "markdown"]);
        assert.strictEqual(ok.code, 0, ok.stderr);
        assert.match(ok.stdout, /^OK: 0 errors, 0 warnings\.$/m);
        const missing = runBin(["plan", "--stack", "nope"]);
        assert.strictEqual(missing.code, 2);
        assert.match(missing.stderr, /^dualstack: stacks\/Pulumi\.nope\.yaml: no such file\n$/);
    });
});
