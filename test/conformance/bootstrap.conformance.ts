/**
 * Conformance of the node user-data of every shipped stack, checked by the real tools:
 * `cloud-init schema --config-file` (Debian's cloud-init package) on every rendered
 * cloud-config, and `shellcheck` on every shell script the cloud-configs carry. Rendered
 * with the pure functions from each stack's configuration and address plan, with stand-in
 * PKI material and addresses.
 *
 * Run: npm run test:conformance (mocha --config .mocharc.conformance.json).
 * Needs: apt-get install -y cloud-init shellcheck
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { previewStackBootstrap } from "../../components/bootstrap";
import { parseStackFile } from "../../components/config/stackFile";
import { evaluateStack } from "../../components/stack";
import { requireTool, run } from "./tools";

const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");

interface ShellScript {
    /** Where it comes from, for messages. */
    origin: string;
    text: string;
    /** Shell dialect for shellcheck when the text has no shebang. */
    shell?: string;
}

/** Every shell script inside a cloud-config: write_files with a shebang or a shellcheck directive, and string runcmd/bootcmd entries. */
function shellScripts(userData: string, origin: string): ShellScript[] {
    const config = YAML.parse(userData, { version: "1.1" }) as {
        write_files?: { path: string; content: string }[];
        runcmd?: unknown[];
        bootcmd?: unknown[];
    };
    const scripts: ShellScript[] = [];
    for (const file of config.write_files ?? []) {
        if (/^#!\s*\/(usr\/)?bin\/(env )?(ba|da)?sh\b/.test(file.content) || /^# shellcheck shell=/m.test(file.content)) {
            scripts.push({ origin: `${origin} ${file.path}`, text: file.content });
        }
    }
    for (const key of ["runcmd", "bootcmd"] as const) {
        (config[key] ?? []).forEach((entry, i) => {
            // A string entry runs through sh -c; a list entry is an argv and no shell code.
            if (typeof entry === "string") scripts.push({ origin: `${origin} ${key}[${i}]`, text: `${entry}\n`, shell: "sh" });
        });
    }
    return scripts;
}

const stackFiles = fs
    .readdirSync(STACKS_DIR)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort();

describe("conformance: node user-data of every shipped stack", function () {
    let workDir: string;

    before(() => {
        requireTool("cloud-init");
        requireTool("shellcheck");
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-conformance-"));
    });

    after(() => {
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    it("finds the shipped stacks", () => {
        assert.ok(stackFiles.length >= 3, `stacks/ holds ${stackFiles.length} stack files`);
    });

    it("the tools catch what they should (a broken cloud-config and a broken script fail)", () => {
        const badConfig = path.join(workDir, "bad.yaml");
        fs.writeFileSync(badConfig, "#cloud-config\nwrite_files:\n  - path: /x\n    permissions: 384\nruncmd: not-a-list\n");
        const schema = run("cloud-init", ["schema", "--config-file", badConfig]);
        assert.notStrictEqual(schema.status, 0, `cloud-init schema accepted a broken config:\n${schema.output}`);
        const badScript = path.join(workDir, "bad.sh");
        fs.writeFileSync(badScript, "#!/bin/bash\nrm -rf $1/*\n");
        const check = run("shellcheck", [badScript]);
        assert.notStrictEqual(check.status, 0, "shellcheck accepted an unquoted expansion");
    });

    for (const stackFile of stackFiles) {
        describe(stackFile, () => {
            const file = path.join(STACKS_DIR, stackFile);
            const evaluated = evaluateStack(parseStackFile(file, fs.readFileSync(file, "utf8")));

            it("plans, and every node's user-data fits Nova's limit", () => {
                assert.ok(evaluated.config && evaluated.plan, `${stackFile} does not plan: ${evaluated.findings.map((f) => f.message).join(" ")}`);
                const preview = previewStackBootstrap(evaluated.stack, evaluated.config, evaluated.plan);
                assert.deepStrictEqual(preview.findings, []);
            });

            it("every node's cloud-config passes `cloud-init schema --config-file`", () => {
                assert.ok(evaluated.config && evaluated.plan);
                const preview = previewStackBootstrap(evaluated.stack, evaluated.config, evaluated.plan);
                const failures: string[] = [];
                for (const node of preview.nodes) {
                    const target = path.join(workDir, `${evaluated.stack}-${node.node.name}.yaml`);
                    fs.writeFileSync(target, node.userData, { mode: 0o600 });
                    const result = run("cloud-init", ["schema", "--config-file", target]);
                    if (result.status !== 0 || !/Valid cloud-config/.test(result.output)) {
                        failures.push(`${node.node.name} (${node.node.role}): exit ${result.status}\n${result.output}`);
                    }
                }
                assert.ok(preview.nodes.length > 0);
                assert.deepStrictEqual(failures, []);
            });

            it("every shell script in the cloud-configs passes shellcheck", () => {
                assert.ok(evaluated.config && evaluated.plan);
                const preview = previewStackBootstrap(evaluated.stack, evaluated.config, evaluated.plan);
                const failures: string[] = [];
                let checked = 0;
                for (const node of preview.nodes) {
                    const scripts = shellScripts(node.userData, node.node.name);
                    assert.ok(scripts.length >= 2, `${node.node.name} carries the bootstrap script and its settings`);
                    for (const script of scripts) {
                        const args = ["--severity=style", "--external-sources", ...(script.shell ? [`--shell=${script.shell}`] : []), "-"];
                        const result = run("shellcheck", args, script.text);
                        checked++;
                        if (result.status !== 0) failures.push(`${script.origin}:\n${result.output}`);
                    }
                }
                assert.ok(checked > 0);
                assert.deepStrictEqual(failures, []);
            });
        });
    }
});
