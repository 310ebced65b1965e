/**
 * `dualstack verify` as a command: the table and JSON, exit codes 0/1/2 with one line on stderr,
 * where the kubeconfig and the plan come from (--kubeconfig, $KUBECONFIG, --stack with the
 * Pulumi CLI), and the flags. The cluster is the Kubernetes API test double.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { chooseKubeconfig, runPulumi, runVerifyCommand, VerifyCommandOptions, VerifyEnvironment } from "../cli/verify";
import { USAGE } from "../cli/main";
import { CliResult, runBin, runCli, tempDir } from "./support/cli";
import { dualStackScenario, KubernetesDouble, Scenario, startDouble } from "./support/kubernetesDouble";

/** The cluster stacks/Pulumi.dev.yaml describes, with the ULA ID 0a1b2c3d4e. */
function devScenario(overrides: Partial<Scenario> = {}): Scenario {
    return dualStackScenario({
        nodes: [
            { name: "dev-control-plane-0", addresses: ["10.10.0.10", "fd0a:1b2c:3d4e::10"], controlPlane: true },
            { name: "dev-workers-0", addresses: ["10.10.0.11", "fd0a:1b2c:3d4e::11"] },
            { name: "dev-workers-1", addresses: ["10.10.0.12", "fd0a:1b2c:3d4e::12"] },
        ],
        podCidrs: { IPv4: "10.11.0.0/16", IPv6: "fd0a:1b2c:3d4e:4000::/56" },
        serviceCidrs: { IPv4: "10.12.0.0/16", IPv6: "fd0a:1b2c:3d4e:8000::/112" },
        ...overrides,
    });
}

function options(overrides: Partial<VerifyCommandOptions>): VerifyCommandOptions {
    return { json: false, egress: [], ...overrides };
}

/** Run the command in this process with an environment of the test's choosing. */
async function command(opts: VerifyCommandOptions, environment: VerifyEnvironment): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const code = await runVerifyCommand(opts, { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) }, environment);
    return { code, stdout, stderr };
}

const NO_PULUMI: VerifyEnvironment["pulumi"] = async () => {
    throw new Error("the Pulumi CLI is not on PATH");
};

describe("dualstack verify (command)", () => {
    const dir = tempDir("dualstack-verify-cli-");
    let double: KubernetesDouble;
    let kubeconfig: string;
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    afterEach(async () => double?.stop());

    async function serve(scenario: Scenario): Promise<void> {
        double = await startDouble(scenario);
        kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, double.kubeconfig());
    }

    it("is in the usage with every flag", () => {
        assert.match(USAGE, /dualstack verify \[--stack NAME\] \[--kubeconfig FILE\] \[--context NAME\] \[--json\]\n\s+\[--image IMAGE\] \[--egress ADDRESS:PORT\]\.\.\. \[--namespace NAME\] \[--timeout SECONDS\]/);
    });

    it("prints where it looked, the table and the count; exit 0 when nothing failed", async () => {
        await serve(dualStackScenario());
        const result = await runCli(["verify", "--kubeconfig", kubeconfig, "--egress", "192.0.2.10:443", "--egress", "[2001:db8::10]:443"]);
        assert.strictEqual(result.code, 0, result.stderr);
        assert.strictEqual(result.stderr, "");
        const lines = result.stdout.split("\n");
        assert.deepStrictEqual(lines.slice(0, 5), [
            `dualstack verify: ${double.url} (kubeconfig: ${kubeconfig})`,
            "expected: the cluster (no stack given); families IPv4, IPv6",
            "note: No address plan: the families and the pod and service ranges are kubeadm's (kubeadm-config ConfigMap).",
            "note: Without a plan, node subnets, the Calico block size, encapsulation and NAT, and egress are not compared; egress is tried where a target is given.",
            "test namespace: dualstack-verify-t0000 (deleted)",
        ]);
        assert.match(lines[6], /^check {13}family {2}result {2}evidence$/);
        assert.match(result.stdout, /\negress {12}IPv6 {4}pass {4}dualstack-verify-probe on dev-workers-1 → \[2001:db8::10\]:443 \(the egress target\): connected\n/);
        assert.match(result.stdout, /\n\nOK: 19 of 23 checks passed, 4 skipped\.\n$/);
    });

    it("--json: every row, the expectations, the namespace, counts and ok", async () => {
        await serve(dualStackScenario({ blocked: ["IPv6"] }));
        const result = await runCli(["verify", "--kubeconfig", kubeconfig, "--json"]);
        assert.strictEqual(result.code, 1);
        const json = JSON.parse(result.stdout) as Record<string, unknown> & { checks: Array<Record<string, string>> };
        assert.deepStrictEqual(Object.keys(json), ["schemaVersion", "server", "kubeconfig", "expectations", "namespace", "checks", "summary", "ok"]);
        assert.strictEqual(json.ok, false);
        assert.deepStrictEqual(json.summary, { pass: 13, fail: 3, skip: 7 });
        assert.deepStrictEqual(json.namespace, { namespace: "dualstack-verify-t0000", deleted: true });
        assert.deepStrictEqual(Object.keys(json.checks[0]), ["check", "family", "result", "evidence"]);
        assert.deepStrictEqual(
            json.checks.filter((c) => c.result === "fail").map((c) => `${c.check} ${c.family}`),
            ["pod-to-pod IPv6", "pod-to-service IPv6", "node-port IPv6"],
        );
    });

    it("a failed check: exit 1 and FAILED with the count", async () => {
        await serve(dualStackScenario({ blocked: ["IPv6"] }));
        const result = await runCli(["verify", "--kubeconfig", kubeconfig]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout, /\n\nFAILED: 3 of 23 checks failed, 7 skipped\.\n$/);
    });

    describe("exit 2 with one line on stderr", () => {
        it("an unreachable API", async () => {
            await serve(dualStackScenario());
            const url = double.url;
            await double.stop();
            const result = await runCli(["verify", "--kubeconfig", kubeconfig]);
            assert.strictEqual(result.code, 2);
            assert.strictEqual(result.stdout, "");
            assert.strictEqual(result.stderr, `dualstack: the Kubernetes API at ${url} is unreachable (list nodes: connect ECONNREFUSED ${url.slice("http://".length)})\n`);
        });

        it("a missing permission, after deleting the namespace", async () => {
            await serve(dualStackScenario({ refuse: (m, p) => (m === "POST" && p.endsWith("/services") ? { status: 403, reason: "Forbidden", message: 'services is forbidden: User "dev" cannot create resource "services"' } : undefined) }));
            const result = await runCli(["verify", "--kubeconfig", kubeconfig]);
            assert.strictEqual(result.code, 2);
            assert.strictEqual(
                result.stderr,
                `dualstack: the Kubernetes API at ${double.url} refused to create services in dualstack-verify-t0000 (403 Forbidden): services is forbidden: User "dev" cannot create resource "services"; test namespace dualstack-verify-t0000 deleted\n`,
            );
        });

        it("a namespace left behind", async () => {
            await serve(dualStackScenario({ refuse: (m) => (m === "DELETE" ? { status: 503, reason: "ServiceUnavailable", message: "etcd is unavailable" } : undefined) }));
            const result = await runCli(["verify", "--kubeconfig", kubeconfig]);
            assert.strictEqual(result.code, 2);
            assert.match(result.stdout, /test namespace: dualstack-verify-t0000 \(NOT deleted\)/);
            assert.strictEqual(
                result.stderr,
                `dualstack: test namespace dualstack-verify-t0000 is left (the Kubernetes API at ${double.url} refused to delete namespace dualstack-verify-t0000 (503 Service Unavailable): etcd is unavailable): kubectl delete namespace dualstack-verify-t0000\n`,
            );
        });

        it("through bin/dualstack.js, in a process of its own", () => {
            const missing = path.join(dir, "absent-kubeconfig");
            const result = runBin(["verify", "--kubeconfig", missing]);
            assert.deepStrictEqual([result.code, result.stdout, result.stderr], [2, "", `dualstack: kubeconfig ${missing} cannot be read: no such file: ${missing}\n`]);
        });

        it("a missing kubeconfig file, a context it does not have, bad flags", async () => {
            const missing = path.join(dir, "nope");
            const cases: Array<[string[], string]> = [
                [["verify", "--kubeconfig", missing], `dualstack: kubeconfig ${missing} cannot be read: no such file: ${missing}\n`],
                [["verify", "--egress", "example.com:443"], 'dualstack: --egress is "example.com:443": example.com is not an IPv4 or IPv6 address; give a literal address, not a name (a name could answer over the other family)\n'],
                [["verify", "--egress", "192.0.2.1:1", "--egress", "192.0.2.2:2"], "dualstack: --egress is given twice for IPv4; the egress check takes one target per family\n"],
                [["verify", "--timeout", "soon"], 'dualstack: --timeout is "soon"; give whole seconds, e.g. --timeout 300\n'],
            ];
            for (const [args, stderr] of cases) {
                const result = await runCli(args);
                assert.deepStrictEqual([result.code, result.stderr], [2, stderr], args.join(" "));
            }
            await serve(dualStackScenario());
            const context = await runCli(["verify", "--kubeconfig", kubeconfig, "--context", "prod"]);
            assert.deepStrictEqual([context.code, context.stderr], [2, 'dualstack: the kubeconfig has no context "prod" (contexts: double)\n']);
            const positional = await runCli(["verify", "stacks/Pulumi.dev.yaml"]);
            assert.strictEqual(positional.code, 2);
            assert.match(positional.stderr, /^dualstack: verify takes no file \("stacks\/Pulumi.dev.yaml"\): use --stack NAME or --kubeconfig FILE\n/);
        });
    });

    describe("--stack NAME", () => {
        it("compares with the stack's address plan, its ULA /48 read from the cluster; kubeconfig from $KUBECONFIG", async () => {
            await serve(devScenario());
            const result = await command(options({ stack: "dev" }), { env: { KUBECONFIG: kubeconfig }, pulumi: NO_PULUMI });
            assert.strictEqual(result.code, 0, result.stdout + result.stderr);
            assert.match(result.stdout, new RegExp(`^dualstack verify: ${double.url} \\(kubeconfig: \\$KUBECONFIG \\(${kubeconfig}\\)\\)\n`));
            assert.match(result.stdout, /\nexpected: stacks\/Pulumi\.dev\.yaml \(address plan\); families IPv4, IPv6\nnote: The stack's ULA \/48 \(ID 0a1b2c3d4e\) is read from the cluster\.\n/);
            assert.match(result.stdout, /\ncluster-ranges {4}IPv6 {4}pass {4}kubeadm podSubnet fd0a:1b2c:3d4e:4000::\/56, serviceSubnet fd0a:1b2c:3d4e:8000::\/112, as planned\n/);
            assert.match(result.stdout, /\negress {12}IPv6 {4}skip {4}the plan has no IPv6 egress: the IPv6 node subnet fd0a:1b2c:3d4e::\/64 is unique-local/);
        });

        it("a cluster that is not the stack's fails with what the stack planned", async () => {
            await serve(dualStackScenario());
            const result = await command(options({ stack: "dev", kubeconfig }), { env: {}, pulumi: NO_PULUMI });
            assert.strictEqual(result.code, 1);
            assert.match(result.stdout, /\ncluster-ranges {4}IPv4 {4}fail {4}kubeadm's podSubnet has 10\.244\.0\.0\/16; expected 10\.11\.0\.0\/16 \(dualstack:pods\.ipv4Cidr\); kubeadm's serviceSubnet has 10\.96\.0\.0\/16; expected 10\.12\.0\.0\/16 \(dualstack:services\.ipv4Cidr\)\n/);
        });

        it("without --kubeconfig or $KUBECONFIG it reads the stack's kubeconfig output through the Pulumi CLI", async () => {
            await serve(devScenario());
            const asked: Array<{ args: readonly string[]; cwd: string }> = [];
            const pulumi: VerifyEnvironment["pulumi"] = async (args, cwd) => {
                asked.push({ args, cwd });
                return double.kubeconfig();
            };
            const result = await command(options({ stack: "dev", json: true }), { env: {}, pulumi });
            assert.strictEqual(result.code, 0, result.stderr);
            assert.deepStrictEqual(asked, [{ args: ["stack", "output", "kubeconfig", "--show-secrets", "--stack", "dev"], cwd: path.resolve(__dirname, "..") }]);
            assert.strictEqual((JSON.parse(result.stdout) as { kubeconfig: string }).kubeconfig, "pulumi stack output kubeconfig (stack dev)");
            assert.ok(!result.stdout.includes("test-token"), "the kubeconfig's token is never printed");
        });

        it("no Pulumi CLI and no kubeconfig: exit 2 saying what to give", async () => {
            const result = await command(options({ stack: "dev" }), { env: {}, pulumi: NO_PULUMI });
            assert.deepStrictEqual(
                [result.code, result.stderr],
                [2, "dualstack: no kubeconfig for stack dev: give --kubeconfig FILE or set KUBECONFIG (reading the stack's kubeconfig output: the Pulumi CLI is not on PATH)\n"],
            );
        });

        it("takes image, egress targets and timeout from the stack's verify keys; flags win", async () => {
            const project = tempDir("dualstack-verify-project-");
            fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: dualstack\nruntime: nodejs\nstackConfigDir: stacks\n");
            fs.mkdirSync(path.join(project, "stacks"));
            const devConfig = (fs.readFileSync(path.join(__dirname, "..", "stacks", "Pulumi.dev.yaml"), "utf8"));
            fs.writeFileSync(
                path.join(project, "stacks", "Pulumi.dev.yaml"),
                `${devConfig}\n  dualstack:verify:\n    image: mirror.example.com/agnhost:2.53\n    egressTargets: ["192.0.2.10:443"]\n    timeoutSeconds: 60\n`,
            );
            fs.writeFileSync(path.join(project, "stacks", "Pulumi.broken.yaml"), stringify({ config: { "dualstack:services": { ipv6Cidr: "fd00:1::/64" } } }));
            await serve(devScenario());
            const cwd = process.cwd();
            process.chdir(project);
            try {
                const fromStack = await command(options({ stack: "dev", kubeconfig }), { env: {}, pulumi: NO_PULUMI });
                assert.strictEqual(fromStack.code, 0, fromStack.stdout + fromStack.stderr);
                const probe = double.calls.filter((c) => c.method === "POST" && c.path.endsWith("/pods"))[1].body as { spec: { activeDeadlineSeconds: number; containers: Array<{ image: string; env: Array<{ value: string }> }> } };
                assert.strictEqual(probe.spec.containers[0].image, "mirror.example.com/agnhost:2.53");
                assert.match(probe.spec.containers[0].env[0].value, /^egress\/IPv4 tcp 2 192\.0\.2\.10:443$/m);
                assert.strictEqual(probe.spec.activeDeadlineSeconds, 60 + (4 * 3 + 2 + 1 + 4 * 3 + 1) * 6);

                const flags = await command(options({ stack: "dev", kubeconfig, image: "other/agnhost:1", egress: ["[2001:db8::10]:443"] }), { env: {}, pulumi: NO_PULUMI });
                assert.strictEqual(flags.code, 0, flags.stdout);
                const second = double.calls.filter((c) => c.method === "POST" && c.path.endsWith("/pods"))[3].body as { spec: { containers: Array<{ image: string; env: Array<{ value: string }> }> } };
                assert.strictEqual(second.spec.containers[0].image, "other/agnhost:1");
                assert.ok(!second.spec.containers[0].env[0].value.includes("egress/"), "the plan has no IPv6 egress, and the stack's IPv4 target is replaced by the flag");

                const broken = await command(options({ stack: "broken", kubeconfig }), { env: {}, pulumi: NO_PULUMI });
                assert.strictEqual(broken.code, 2);
                assert.match(broken.stderr, /^dualstack: stacks\/Pulumi\.broken\.yaml has \d+ errors?, so it has no address plan; run dualstack check stacks\/Pulumi\.broken\.yaml\n$/);
                const absent = await command(options({ stack: "absent", kubeconfig }), { env: {}, pulumi: NO_PULUMI });
                assert.deepStrictEqual([absent.code, absent.stderr], [2, "dualstack: stacks/Pulumi.absent.yaml: no such file\n"]);
            } finally {
                process.chdir(cwd);
                fs.rmSync(project, { recursive: true, force: true });
            }
        });
    });

    describe("where the kubeconfig comes from", () => {
        it("--kubeconfig, then every file of $KUBECONFIG, then ~/.kube/config (without --stack)", async () => {
            const home = tempDir("dualstack-home-");
            try {
                const flag = await chooseKubeconfig(options({ kubeconfig: "/k", context: "c" }), { env: { KUBECONFIG: "/a" }, pulumi: NO_PULUMI });
                assert.deepStrictEqual(flag, { input: { files: ["/k"], context: "c" }, description: "/k" });
                const env = await chooseKubeconfig(options({}), { env: { KUBECONFIG: `/a${path.delimiter}/b` }, pulumi: NO_PULUMI });
                assert.deepStrictEqual(env.input, { files: ["/a", "/b"], context: undefined });
                await assert.rejects(chooseKubeconfig(options({}), { env: { HOME: home }, pulumi: NO_PULUMI }), {
                    message: "no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or give --stack NAME with the Pulumi CLI installed",
                });
                fs.mkdirSync(path.join(home, ".kube"));
                fs.writeFileSync(path.join(home, ".kube", "config"), "apiVersion: v1\n");
                const fallback = await chooseKubeconfig(options({}), { env: { HOME: home }, pulumi: NO_PULUMI });
                assert.deepStrictEqual(fallback.input, { files: [path.join(home, ".kube", "config")], context: undefined });
            } finally {
                fs.rmSync(home, { recursive: true, force: true });
            }
        });

        it("runs the Pulumi CLI from PATH: its output, or its first error line", async () => {
            const bin = tempDir("dualstack-pulumi-");
            try {
                fs.writeFileSync(
                    path.join(bin, "pulumi"),
                    '#!/bin/sh\nif [ "$6" = missing ]; then echo "error: no stack named \'missing\' found" >&2; exit 255; fi\necho "apiVersion: v1 # $*"\n',
                    { mode: 0o755 },
                );
                const env = { PATH: `${bin}${path.delimiter}/usr/bin:/bin` };
                const pulumi = runPulumi(env);
                assert.strictEqual(await pulumi(["stack", "output", "kubeconfig", "--show-secrets", "--stack", "dev"], bin), "apiVersion: v1 # stack output kubeconfig --show-secrets --stack dev\n");
                await assert.rejects(pulumi(["stack", "output", "kubeconfig", "--show-secrets", "--stack", "missing"], bin), {
                    message: "pulumi stack output kubeconfig failed: error: no stack named 'missing' found",
                });
                await assert.rejects(runPulumi({ PATH: "/nonexistent" })(["version"], bin), { message: "the Pulumi CLI is not on PATH" });
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        });
    });
});
