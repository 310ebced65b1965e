/**
 * The repository packed as npm publishes it, once per test run: `npm pack` runs the
 * `prepare` script, so the tarball holds a fresh build. Removed when the run ends.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");

let packed: string | undefined;

/** Run a command for a test; throws with its output when it fails. */
export function runOk(command: string, args: readonly string[], cwd: string, timeout = 240_000): string {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, npm_config_update_notifier: "false" } });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/** The path of `dualstack-<version>.tgz`, packed on first use. */
export function packedPackage(): string {
    if (packed !== undefined) return packed;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-packed-"));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    runOk("npm", ["pack", "--pack-destination", dir], ROOT);
    const tarballs = fs.readdirSync(dir).filter((f) => f.endsWith(".tgz"));
    if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.join(", ") || "nothing"} in ${dir}`);
    packed = path.join(dir, tarballs[0]);
    return packed;
}
