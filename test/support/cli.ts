/**
 * Running the `dualstack` command in tests: in-process through `main` (fast), or as the
 * real `bin/dualstack.js` in a child process (exit codes, streams, the bin shim).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../cli/main";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Run the CLI in this process. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const code = await main(args, {
        out: (t) => (stdout += t.endsWith("\n") ? t : `${t}\n`),
        err: (t) => (stderr += t.endsWith("\n") ? t : `${t}\n`),
    });
    return { code, stdout, stderr };
}

/** Run bin/dualstack.js in a child process from the repository root. */
export function runBin(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
    const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "dualstack.js"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
        timeout: 120_000,
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary directory for this test run. */
export function tempDir(prefix = "dualstack-test-"): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write a stack file `Pulumi.<stack>.yaml` with this config map; returns its path. */
export function writeStack(dir: string, stack: string, config: Record<string, unknown>): string {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, stringify({ config }));
    return file;
}
