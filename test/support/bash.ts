/**
 * Running shell scripts in tests: files in a fresh temporary directory, a bash harness that
 * defines recording stubs, and the calls the stubs recorded (`record name args...` appends a
 * line to `$CALLS`). Nothing outside the directory is touched.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface BashRun {
    status: number;
    /** Recorded calls of the stubbed commands, one per line. */
    calls: string[];
    log: string;
    dir: string;
}

const temporaryDirs: string[] = [];

/** Remove every directory the runs made (a mocha `after` hook). */
export function removeBashDirs(): void {
    for (const dir of temporaryDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Write `files` into a temporary directory `$T`, then run `harness(dir)` in bash after the
 * common preamble (`T`, `CALLS`, `record`, a `sleep` that returns at once).
 */
export function runBash(prefix: string, files: Record<string, string>, harness: (dir: string) => string): BashRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporaryDirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    const script = `
T="${dir}"
CALLS="$T/calls"
: >"$CALLS"
record() { printf '%s\\n' "$*" >>"$CALLS"; }
sleep() { :; }
${harness(dir)}
`;
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    const callsFile = path.join(dir, "calls");
    const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, "utf8").split("\n").filter((l) => l !== "") : [];
    return { status: result.status ?? -1, calls, log: `${result.stdout}${result.stderr}`, dir };
}
