/**
 * Findings: what every rule returns. The same shape serves the components (which throw on
 * an error), the CLI (`check`, `plan`, and their `--json`) and the policy pack.
 */

/** `error` stops a plan (exit 1, a mandatory policy); `warning` is reported only. */
export type Severity = "error" | "warning";

/** One result of one rule. */
export interface Finding {
    /** Stable kebab-case rule id, documented in docs/rules.md. */
    readonly rule: string;
    readonly severity: Severity;
    /** A complete sentence or two: the key, the value, the limit and the fix. */
    readonly message: string;
    /** The configuration key (`dualstack:pods.ipv6Cidr`) or resource property it is about. */
    readonly path: string;
    /** The stack file, when the finding came from one. */
    readonly file?: string;
}

/** An error finding. */
export function error(rule: string, path: string, message: string): Finding {
    return { rule, severity: "error", path, message };
}

/** A warning finding. */
export function warning(rule: string, path: string, message: string): Finding {
    return { rule, severity: "warning", path, message };
}

/** True when any finding is an error. */
export function hasErrors(findings: readonly Finding[]): boolean {
    return findings.some((f) => f.severity === "error");
}

/** Errors only. */
export function errorsOf(findings: readonly Finding[]): Finding[] {
    return findings.filter((f) => f.severity === "error");
}

/** One line per finding: `error dualstack:pods.ipv6Cidr (rule-id): message`. */
export function formatFinding(f: Finding): string {
    return `${f.severity} ${f.path} (${f.rule}): ${f.message}`;
}

/**
 * Thrown by components when the plan they are given has errors, before any resource is
 * registered. The message lists every error finding.
 */
export class InvalidPlanError extends Error {
    readonly findings: readonly Finding[];
    constructor(findings: readonly Finding[], subject = "the dualstack address plan") {
        const errors = errorsOf(findings);
        super(`${subject} is invalid:\n${errors.map((f) => `  - ${formatFinding(f)}`).join("\n")}`);
        this.name = "InvalidPlanError";
        this.findings = errors;
    }
}

/** Throw InvalidPlanError when any finding is an error. */
export function throwOnErrors(findings: readonly Finding[], subject?: string): void {
    if (hasErrors(findings)) throw new InvalidPlanError(findings, subject);
}
