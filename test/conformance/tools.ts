/**
 * Running the real tools of the conformance suite. A missing tool is a failure with the
 * package to install, never a skipped test.
 */
import { spawnSync } from "child_process";

/** Debian packages that provide the tools (CI installs them with apt-get). */
export const TOOL_PACKAGES: Record<string, string> = {
    "cloud-init": "cloud-init",
    shellcheck: "shellcheck",
    keepalived: "keepalived",
    radvd: "radvd",
    wg: "wireguard-tools",
};

/** Throw a clear error when a tool is not on PATH. */
export function requireTool(tool: string): void {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    if (found.status !== 0) {
        throw new Error(
            `${tool} is not installed, and the conformance suite needs it. Install it: apt-get update && apt-get install -y ${TOOL_PACKAGES[tool] ?? tool}`,
        );
    }
}

/** Run a command; returns its exit status and combined output. */
export function run(command: string, args: string[], input?: string): { status: number; output: string } {
    const result = spawnSync(command, args, { encoding: "utf8", input, maxBuffer: 16 * 1024 * 1024 });
    if (result.error) throw result.error;
    return { status: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
