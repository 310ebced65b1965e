/**
 * Conformance of the access gateways of every shipped stack that has one, checked by the real
 * tools from Debian's packages: `cloud-init schema` on each gateway's cloud-config, shellcheck
 * on every script in it, `keepalived --config-test` on its keepalived.conf, `radvd
 * --configtest` on its radvd.conf, and `wg pubkey` on the key pair (the public key the
 * program derives is the one WireGuard derives). Rendered with the pure functions from each
 * stack's configuration and address plan, with stand-in addresses and a stand-in key.
 *
 * Run: npm run test:conformance. Needs: apt-get install -y cloud-init shellcheck keepalived radvd wireguard-tools
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseStackFile } from "../../components/config/stackFile";
import { GATEWAY_PATHS, INTERFACE_PLACEHOLDER, previewGateways, standInPrivateKey, wireguardPublicKey } from "../../components/gateway";
import { evaluateStack } from "../../components/stack";
import { requireTool, run } from "./tools";

const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");

type WriteFiles = Array<{ path: string; content: string }>;

function writeFiles(userData: string): WriteFiles {
    return (YAML.parse(userData, { version: "1.1" }) as { write_files: WriteFiles }).write_files;
}

function content(files: WriteFiles, file: string): string | undefined {
    return files.find((f) => f.path === file)?.content;
}

/** An interface of this machine for the configuration checks (keepalived refuses loopback and unknown ones). */
function localInterface(): string {
    const found = fs.readdirSync("/sys/class/net").find((name) => name !== "lo");
    if (found === undefined) throw new Error("keepalived --config-test needs a network interface other than lo on this machine; none found in /sys/class/net");
    return found;
}

const shipped = fs
    .readdirSync(STACKS_DIR)
    .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
    .sort()
    .map((f) => evaluateStack(parseStackFile(path.join(STACKS_DIR, f), fs.readFileSync(path.join(STACKS_DIR, f), "utf8"))));
const withGateway = shipped.filter((s) => s.config?.gateway !== undefined);

describe("conformance: the access gateways of the shipped stacks", function () {
    let workDir: string;

    before(() => {
        for (const tool of ["cloud-init", "shellcheck", "keepalived", "radvd", "wg"]) requireTool(tool);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-gateway-conformance-"));
    });

    after(() => {
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    it("a shipped stack has a gateway", () => {
        assert.ok(withGateway.length > 0, "no shipped stack has a dualstack:gateway section");
    });

    it("the tools catch what they should (a bad keepalived keyword, a bad radvd option)", () => {
        const keepalived = path.join(workDir, "bad-keepalived.conf");
        fs.writeFileSync(keepalived, `vrrp_instance x {\n    interface ${localInterface()}\n    virtual_router_id 1\n    nopreemptx\n    virtual_ipaddress {\n        10.0.0.1/32\n    }\n}\n`);
        assert.notStrictEqual(run("keepalived", ["--config-test", "-f", keepalived]).status, 0);
        const radvd = path.join(workDir, "bad-radvd.conf");
        fs.writeFileSync(radvd, `interface ${localInterface()} {\n    AdvSendAdvert on;\n    route fd00::/64 {\n        AdvRouteLifetimex 30;\n    };\n};\n`);
        assert.notStrictEqual(run("radvd", ["--configtest", "-C", radvd]).status, 0);
    });

    it("`wg pubkey` derives the public key the program derives", () => {
        const key = standInPrivateKey();
        const result = run("wg", ["pubkey"], `${key}\n`);
        assert.strictEqual(result.status, 0, result.output);
        assert.strictEqual(result.output.trim(), wireguardPublicKey(key));
    });

    for (const stack of withGateway) {
        describe(path.basename(stack.file), () => {
            const preview = () => {
                assert.ok(stack.config && stack.plan, `${stack.file} does not plan`);
                const rendered = previewGateways(stack.stack, stack.config, stack.plan);
                assert.ok(rendered && rendered.machines.length > 0);
                return rendered;
            };

            it("every gateway's cloud-config passes `cloud-init schema --config-file`", () => {
                const failures: string[] = [];
                for (const { machine, userData } of preview().machines) {
                    const target = path.join(workDir, `${machine.name}.yaml`);
                    fs.writeFileSync(target, userData, { mode: 0o600 });
                    const result = run("cloud-init", ["schema", "--config-file", target]);
                    if (result.status !== 0 || !/Valid cloud-config/.test(result.output)) failures.push(`${machine.name}: exit ${result.status}\n${result.output}`);
                }
                assert.deepStrictEqual(failures, []);
            });

            it("every script in the gateways' cloud-configs passes shellcheck", () => {
                const failures: string[] = [];
                let checked = 0;
                for (const { machine, userData } of preview().machines) {
                    for (const file of writeFiles(userData)) {
                        if (!/^#!\/bin\/bash/.test(file.content) && !/^# shellcheck shell=/m.test(file.content)) continue;
                        const result = run("shellcheck", ["--severity=style", "--external-sources", "-"], file.content);
                        checked++;
                        if (result.status !== 0) failures.push(`${machine.name} ${file.path}:\n${result.output}`);
                    }
                }
                // The setup, notify and check scripts and the settings, per gateway.
                assert.strictEqual(checked, preview().machines.length * 4);
                assert.deepStrictEqual(failures, []);
            });

            it("every gateway's keepalived.conf passes `keepalived --config-test`, and its radvd.conf `radvd --configtest`", () => {
                const failures: string[] = [];
                const device = localInterface();
                for (const { machine, userData } of preview().machines) {
                    const files = writeFiles(userData);
                    // keepalived checks that the scripts it runs exist and are safe: put them in a
                    // private directory and point the configuration there.
                    const scripts = fs.mkdtempSync(path.join(workDir, `${machine.name}-`));
                    for (const script of [GATEWAY_PATHS.check, GATEWAY_PATHS.notify]) {
                        fs.writeFileSync(path.join(scripts, path.basename(script)), content(files, script) as string, { mode: 0o700 });
                    }
                    let keepalived = (content(files, GATEWAY_PATHS.keepalivedTemplate) as string).split(INTERFACE_PLACEHOLDER).join(device);
                    keepalived = keepalived.split(path.dirname(GATEWAY_PATHS.check)).join(scripts);
                    if (typeof process.getuid === "function" && process.getuid() !== 0) {
                        // Unprivileged, keepalived calls scripts owned by this user insecure; the
                        // syntax and values are what is checked here.
                        keepalived = keepalived.replace("    script_user root\n    enable_script_security\n", `    script_user ${os.userInfo().username}\n`);
                    }
                    const keepalivedFile = path.join(scripts, "keepalived.conf");
                    fs.writeFileSync(keepalivedFile, keepalived);
                    const checkedKeepalived = run("keepalived", ["--config-test", "-f", keepalivedFile]);
                    if (checkedKeepalived.status !== 0) failures.push(`${machine.name} keepalived.conf: exit ${checkedKeepalived.status}\n${checkedKeepalived.output}`);

                    const radvdTemplate = content(files, GATEWAY_PATHS.radvdTemplate);
                    if (radvdTemplate === undefined) continue;
                    const radvdFile = path.join(scripts, "radvd.conf");
                    fs.writeFileSync(radvdFile, radvdTemplate.split(INTERFACE_PLACEHOLDER).join(device));
                    const checkedRadvd = run("radvd", ["--configtest", "-C", radvdFile]);
                    if (checkedRadvd.status !== 0 || !/syntax ok/.test(checkedRadvd.output)) failures.push(`${machine.name} radvd.conf: exit ${checkedRadvd.status}\n${checkedRadvd.output}`);
                }
                assert.deepStrictEqual(failures, []);
            });

            it("wg0.conf's peers are WireGuard keys `wg` accepts, and its private key is the one the public key comes from", () => {
                const { machines, gateway } = preview();
                const wg0 = content(writeFiles(machines[0].userData), GATEWAY_PATHS.wireguard) as string;
                assert.strictEqual(/^PrivateKey = (.+)$/m.exec(wg0)?.[1], gateway.privateKey);
                for (const peer of gateway.peers) {
                    // `wg pubkey` accepts any 32-byte key; a malformed one fails.
                    const result = run("wg", ["pubkey"], `${peer.publicKey}\n`);
                    assert.strictEqual(result.status, 0, `${peer.name}: ${result.output}`);
                }
            });
        });
    }
});
