/**
 * One stack file, or several, from text to findings: load the configuration, plan the
 * addresses, and check stacks against each other. Shared by `dualstack check` and `plan`.
 */
import { Finding } from "./addressing/findings";
import { Labeled } from "./addressing/overlap";
import { AddressPlan } from "./addressing/plan";
import { checkDisjointAcrossStacks, RangeLabel } from "./addressing/rules/ranges";
import { planAddresses } from "./addressing/validate";
import { checkSecretsInStackFile, loadConfig } from "./config/load";
import { StackFile } from "./config/stackFile";
import { ClusterConfig } from "./config/types";

/** A stack file evaluated: its config and plan when valid enough, and its findings. */
export interface EvaluatedStack {
    readonly file: string;
    readonly stack: string;
    readonly config?: ClusterConfig;
    readonly plan?: AddressPlan;
    readonly findings: Finding[];
    readonly labeledRanges: Labeled<RangeLabel>[];
}

/** Load and plan one stack file. The ULA stand-in ID is derived from the stack name. */
export function evaluateStack(stackFile: StackFile): EvaluatedStack {
    const loaded = loadConfig(stackFile.config, { defaultClusterName: stackFile.stack });
    const withFile = (f: Finding): Finding => ({ ...f, file: stackFile.file });
    const inClear = checkSecretsInStackFile(stackFile.config);
    // An unknown key hides no other finding: the rest of the file is planned and checked too.
    const checkable = loaded.config ?? loaded.withoutUnknownKeys;
    if (checkable === undefined) {
        return { file: stackFile.file, stack: stackFile.stack, findings: [...loaded.findings, ...inClear].map(withFile), labeledRanges: [] };
    }
    const planned = planAddresses(checkable, { standInSeed: stackFile.stack }, loaded.explicitKeys);
    return {
        file: stackFile.file,
        stack: stackFile.stack,
        config: loaded.config,
        plan: planned.plan,
        findings: [...loaded.findings, ...inClear, ...planned.findings].map(withFile),
        labeledRanges: planned.labeledRanges.map((r) => ({ ...r, label: { ...r.label, file: stackFile.file } })),
    };
}

/** Evaluate several stack files and check them against each other. */
export function checkStacks(stackFiles: readonly StackFile[]): { stacks: EvaluatedStack[]; findings: Finding[] } {
    const stacks = stackFiles.map(evaluateStack);
    const findings = stacks.flatMap((s) => s.findings);
    if (stacks.length > 1) {
        findings.push(...checkDisjointAcrossStacks(stacks.flatMap((s) => s.labeledRanges)));
    }
    return { stacks, findings };
}
