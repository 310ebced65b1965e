import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Finding } from "../components/addressing";
import { COMMANDS } from "../cli/main";
import { runBin, runCli, tempDir, writeStack } from "./support/cli";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

interface CheckJson {
    findings: Finding[];
    files: Array<{ file: string; stack: string; errors: number; warnings: number }>;
    ok: boolean;
}

const SHIPPED = fs.readdirSync(path.join(__dirname, "..", "stacks")).map((f) => `stacks/${f}`);

describe("dualstack check", () => {
    const dir = tempDir();
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the shipped stacks pass together (bin, --json, exit 0)", () => {
        const result = runBin(["check", ...SHIPPED, "--json"]);
        assert.strictEqual(result.code, 0, result.stderr + result.stdout);
        const json = JSON.parse(result.stdout) as CheckJson;
        assert.deepStrictEqual(json.findings.filter((f) => f.severity === "error"), []);
        assert.strictEqual(json.ok, true);
        assert.deepStrictEqual(json.files.map((f) => f.stack).sort(), ["dev", "lab-ipv6", "private", "prod", "staging"]);
    });

    it("an IPv6 service /64 exits 1 with a finding on dualstack:services.ipv6Cidr", async () => {
        const file = writeStack(dir, "svc64", deepMerge(BASE_CONFIG, { "dualstack:services": { ipv6Cidr: "fd00:1::/64" } }));
        const result = await runCli(["check", file, "--json"]);
        assert.strictEqual(result.code, 1);
        const json = JSON.parse(result.stdout) as CheckJson;
        assert.deepStrictEqual(json.findings, [
            {
                rule: "service-range-too-large",
                severity: "error",
                path: "dualstack:services.ipv6Cidr",
                message:
                    "dualstack:services.ipv6Cidr is fd00:1::/64, 64 host bits; kubeadm allows at most 20 (an IPv6 service range must be /108 or longer). Use a /108 or longer, e.g. fd00:1::/112.",
                file,
            },
        ]);
    });

    it("says file, key, value, limit and fix for people", async () => {
        const file = writeStack(dir, "human", deepMerge(BASE_CONFIG, { "dualstack:services": { ipv6Cidr: "fd00:1::/64" } }));
        const result = await runCli(["check", file]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n  error   dualstack:services.ipv6Cidr \\[service-range-too-large\\]\\n`));
        assert.match(result.stdout, /fd00:1::\/64, 64 host bits; kubeadm allows at most 20/);
        assert.match(result.stdout, /FAILED: 1 stack file checked: 1 error, 0 warnings\.$/m);
    });

    it("two stacks sharing a pod range exit 1 and name both files", async () => {
        const a = writeStack(dir, "a", deepMerge(BASE_CONFIG, { "dualstack:network": { ipv4Cidr: "10.1.0.0/22" }, "dualstack:services": { ipv4Cidr: "10.2.0.0/16" } }));
        const b = writeStack(dir, "b", deepMerge(BASE_CONFIG, { "dualstack:network": { ipv4Cidr: "10.3.0.0/22" }, "dualstack:services": { ipv4Cidr: "10.4.0.0/16" } }));
        const result = await runCli(["check", a, b, "--json"]);
        assert.strictEqual(result.code, 1);
        const json = JSON.parse(result.stdout) as CheckJson;
        const across = json.findings.filter((f) => f.rule === "range-overlap-across-stacks");
        assert.strictEqual(across.length, 1);
        assert.strictEqual(across[0].path, "dualstack:pods.ipv4Cidr");
        assert.strictEqual(across[0].file, b);
        assert.ok(across[0].message.includes(a) && across[0].message.includes(b), across[0].message);
        // Each file alone is fine.
        assert.strictEqual((await runCli(["check", a])).code, 0);
    });

    it("ranges from random ULA /48s are not compared across stacks; pinned IDs are", async () => {
        const distinct = { "dualstack:network": { ipv4Cidr: "10.5.0.0/22" }, "dualstack:pods": { ipv4Cidr: "10.6.0.0/16" }, "dualstack:services": { ipv4Cidr: "10.7.0.0/16" } };
        const a = writeStack(dir, "ula-a", BASE_CONFIG);
        const b = writeStack(dir, "ula-b", deepMerge(BASE_CONFIG, distinct));
        assert.strictEqual((await runCli(["check", a, b])).code, 0);
        const pinnedA = writeStack(dir, "pin-a", deepMerge(BASE_CONFIG, { "dualstack:ulaGlobalId": "aaaaaaaaaa" }));
        const pinnedB = writeStack(dir, "pin-b", deepMerge(BASE_CONFIG, { ...distinct, "dualstack:ulaGlobalId": "aaaaaaaaaa" }));
        const result = await runCli(["check", pinnedA, pinnedB, "--json"]);
        assert.strictEqual(result.code, 1);
        const across = (JSON.parse(result.stdout) as CheckJson).findings.filter((f) => f.rule === "range-overlap-across-stacks");
        // One finding on the key to change, not one per range derived from it.
        assert.deepStrictEqual(across.map((f) => [f.path, f.file]), [["dualstack:ulaGlobalId", pinnedB]]);
        assert.match(across[0].message, /dualstack:ulaGlobalId is "aaaaaaaaaa" in both .*Pulumi\.pin-a\.yaml and .*Pulumi\.pin-b\.yaml/);
    });

    it("reserved ranges may list another environment's ranges", async () => {
        const a = writeStack(dir, "r-a", deepMerge(BASE_CONFIG, { "dualstack:network": { ipv4Cidr: "10.1.0.0/22" }, "dualstack:pods": { ipv4Cidr: "10.2.0.0/16" }, "dualstack:services": { ipv4Cidr: "10.3.0.0/16" } }));
        const b = writeStack(dir, "r-b", deepMerge(BASE_CONFIG, { "dualstack:reservedCidrs": ["10.1.0.0/16", "10.2.0.0/15"] }));
        assert.strictEqual((await runCli(["check", a, b])).code, 0);
    });

    it("a file given twice is one stack, not two that overlap", async () => {
        const result = await runCli(["check", "stacks/Pulumi.dev.yaml", "./stacks/Pulumi.dev.yaml", "--json"]);
        assert.strictEqual(result.code, 0, result.stdout);
        assert.deepStrictEqual((JSON.parse(result.stdout) as CheckJson).files.map((f) => f.stack), ["dev"]);
    });

    it("warnings alone exit 0", async () => {
        const file = writeStack(dir, "warn", deepMerge(BASE_CONFIG, { "dualstack:controlPlane": { count: 2 } }));
        const result = await runCli(["check", file, "--json"]);
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual((JSON.parse(result.stdout) as CheckJson).findings.map((f) => f.rule), ["control-plane-even"]);
    });

    it("config errors are findings (exit 1), not crashes", async () => {
        const file = writeStack(dir, "typo", deepMerge(BASE_CONFIG, { "dualstack:netwrk": {} }));
        const result = await runCli(["check", file, "--json"]);
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual((JSON.parse(result.stdout) as CheckJson).findings.map((f) => [f.rule, f.path]), [["config-unknown-key", "dualstack:netwrk"]]);
    });

    it("an unknown key hides no other finding: a bad CIDR in the same file is reported too", async () => {
        const file = writeStack(dir, "typo-and-cidr", deepMerge(BASE_CONFIG, { "dualstack:netwrk": {}, "dualstack:pods": { ipv4Cidr: "10.244.0.0/33" } }));
        const result = await runCli(["check", file, "--json"]);
        assert.strictEqual(result.code, 1);
        const findings = (JSON.parse(result.stdout) as CheckJson).findings;
        assert.deepStrictEqual(
            findings.map((f) => [f.rule, f.path, f.severity]),
            [
                ["config-unknown-key", "dualstack:netwrk", "error"],
                ["cidr-invalid", "dualstack:pods.ipv4Cidr", "error"],
            ],
        );
        assert.ok(findings.every((f) => f.file === file));
    });

    it("unreadable input exits 2 with a one-line reason", () => {
        const missing = runBin(["check", "stacks/Pulumi.nope.yaml"]);
        assert.strictEqual(missing.code, 2);
        assert.strictEqual(missing.stderr, "dualstack: stacks/Pulumi.nope.yaml: no such file\n");
        assert.strictEqual(missing.stdout, "");
        const bad = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(bad, "config: [\n");
        const invalid = runBin(["check", bad]);
        assert.strictEqual(invalid.code, 2);
        assert.match(invalid.stderr, /^dualstack: .*Pulumi\.bad\.yaml: not valid YAML \(line \d+\): .*\n$/);
    });

    it("bad arguments exit 2 with the usage", async () => {
        for (const args of [
            [],
            ["check"],
            ["frobnicate"],
            ["check", "--jsn", "x"],
            ["plan"],
            ["plan", "--stack", "dev", "x.yaml"],
            ["plan", "--stack", "dev", "--format", "html"],
            ["help", "frobnicate"],
        ]) {
            const result = await runCli(args);
            assert.strictEqual(result.code, 2, args.join(" "));
            assert.match(result.stderr, /^dualstack: .+\n\nUsage:/);
            assert.strictEqual(result.stdout, "");
        }
    });

    it("--json with --format markdown is a usage error (exit 2), with the usage of plan only", async () => {
        const result = await runCli(["plan", "--stack", "dev", "--json", "--format", "markdown"]);
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr.split("\n")[0], "dualstack: --json and --format markdown exclude each other: --json prints JSON, --format chooses the text layout");
        assert.match(result.stderr, /dualstack plan \(--stack NAME \| FILE\)/);
        assert.doesNotMatch(result.stderr, /dualstack check FILE/);
    });
});

describe("dualstack help and --version", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { version: string };

    it("--version (and -V, version) prints the package version and exits 0", async () => {
        for (const flag of ["--version", "-V", "version"]) {
            const result = await runCli([flag]);
            assert.deepStrictEqual([result.code, result.stdout, result.stderr], [0, `dualstack ${manifest.version}\n`, ""], flag);
        }
    });

    it("help for each subcommand exits 0 on stdout: help NAME, NAME --help, NAME -h, even with other arguments", async () => {
        assert.deepStrictEqual(Object.keys(COMMANDS), ["check", "plan", "verify"]);
        for (const command of Object.keys(COMMANDS)) {
            for (const args of [["help", command], [command, "--help"], [command, "-h"], [command, "--stack", "dev", "--help"]]) {
                const result = await runCli(args);
                assert.strictEqual(result.code, 0, args.join(" "));
                assert.strictEqual(result.stderr, "", args.join(" "));
                assert.match(result.stdout, new RegExp(`^Usage:\\n  dualstack ${command} `), args.join(" "));
                assert.match(result.stdout, /Exit codes: 0 no errors/);
            }
        }
        const general = await runCli(["--help"]);
        assert.strictEqual(general.code, 0);
        assert.match(general.stdout, /dualstack check FILE[\s\S]*dualstack plan[\s\S]*dualstack verify[\s\S]*dualstack --version/);
    });

    it("the command itself exits 0 for --version and check --help (bin)", () => {
        const version = runBin(["--version"]);
        assert.deepStrictEqual([version.code, version.stdout], [0, `dualstack ${manifest.version}\n`]);
        const help = runBin(["check", "--help"]);
        assert.deepStrictEqual([help.code, help.stderr], [0, ""]);
        assert.match(help.stdout, /^Usage:\n  dualstack check FILE/);
    });

    it("--json output starts with its schemaVersion", async () => {
        const result = await runCli(["check", "stacks/Pulumi.dev.yaml", "--json"]);
        assert.strictEqual(Object.keys(JSON.parse(result.stdout) as object)[0], "schemaVersion");
        assert.strictEqual((JSON.parse(result.stdout) as { schemaVersion: number }).schemaVersion, 1);
    });
});
