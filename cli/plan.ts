/**
 * `dualstack plan (--stack NAME | FILE) [--out DIR] [--json] [--format table|markdown]`.
 */
import { hasErrors } from "../components/addressing/findings";
import { summarizePlan } from "../components/addressing/summary";
import { readStackFile, stackFilePath } from "../components/config/stackFile";
import { evaluateStack } from "../components/stack";
import { renderAddressPlan } from "./addressReport";
import { heading, renderFindings, summarize, TextFormat, toJson } from "./format";
import { Io } from "./io";

export interface PlanOptions {
    readonly stack?: string;
    readonly file?: string;
    readonly out?: string;
    readonly json: boolean;
    readonly format: TextFormat;
}

/** Run `plan`; returns the exit code. */
export async function runPlan(options: PlanOptions, io: Io): Promise<number> {
    const file = options.file ?? stackFilePath(options.stack as string);
    const evaluated = evaluateStack(readStackFile(file));
    const failed = hasErrors(evaluated.findings);
    const plan = evaluated.plan && summarizePlan(evaluated.plan);
    if (options.json) {
        io.out(toJson({ stack: evaluated.stack, file: evaluated.file, addressPlan: plan ?? null, findings: evaluated.findings, ok: !failed }));
        return failed ? 1 : 0;
    }
    const sections: string[] = [heading(`dualstack plan: stack ${evaluated.stack} (${evaluated.file})`, options.format, 1)];
    if (plan) sections.push(heading("Address plan", options.format), renderAddressPlan(plan, options.format));
    sections.push(heading("Findings", options.format), renderFindings(evaluated.findings, options.format));
    sections.push(`${failed ? "FAILED" : "OK"}: ${summarize(evaluated.findings)}.`);
    io.out(sections.join("\n\n"));
    return failed ? 1 : 0;
}
