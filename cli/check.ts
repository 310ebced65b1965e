/**
 * `dualstack check FILE... [--json]`: validate stack files, each alone and against each other.
 */
import * as path from "path";
import { hasErrors } from "../components/addressing/findings";
import { readStackFile, StackFile } from "../components/config/stackFile";
import { checkStacks } from "../components/stack";
import { renderFindings, summarize, toJsonReport } from "./format";
import { Io } from "./io";

export interface CheckOptions {
    readonly files: readonly string[];
    readonly json: boolean;
}

/** Run `check`; returns the exit code. Unreadable files throw UnreadableStackFileError (exit 2). */
export function runCheck(options: CheckOptions, io: Io): number {
    // A file given twice (stacks/x.yaml, ./stacks/x.yaml) is one stack, not two that overlap.
    const seen = new Set<string>();
    const files = options.files.filter((file) => {
        const resolved = path.resolve(file);
        if (seen.has(resolved)) return false;
        seen.add(resolved);
        return true;
    });
    const stackFiles: StackFile[] = files.map(readStackFile);
    const { stacks, findings } = checkStacks(stackFiles);
    const failed = hasErrors(findings);
    if (options.json) {
        io.out(
            toJsonReport({
                findings,
                files: stacks.map((s) => ({
                    file: s.file,
                    stack: s.stack,
                    errors: findings.filter((f) => f.file === s.file && f.severity === "error").length,
                    warnings: findings.filter((f) => f.file === s.file && f.severity === "warning").length,
                })),
                ok: !failed,
            }),
        );
    } else {
        if (findings.length > 0) io.out(renderFindings(findings, "table") + "\n");
        const what = stacks.length === 1 ? "1 stack file" : `${stacks.length} stack files`;
        io.out(`${failed ? "FAILED" : "OK"}: ${what} checked: ${summarize(findings)}.`);
    }
    return failed ? 1 : 0;
}
