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

/** A run of non-blank characters longer than this is a value, not prose: it is cut in messages. */
export const LONGEST_SHOWN_WORD = 120;

/** Messages longer than this keep their beginning and end (the value and the fix). */
export const LONGEST_MESSAGE = 2000;

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides, which could forge lines or
 * reorder text on a terminal or in a review, and the replacement character (shown as its
 * escape, so that a wrongly encoded value is seen for what it is).
 */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffd]/g;

/**
 * Text for a message, safe to print: control characters shown as escapes (`\n`, `\u0000`),
 * each over-long value cut to its start with its length, and an over-long message cut in the
 * middle. Rules interpolate user values freely; this keeps a 1 MB value or a newline in one
 * from flooding or forging the output.
 */
export function safeText(text: string): string {
    const short: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    const escaped = text.replace(UNSAFE_CHARACTERS, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const cut = escaped.replace(new RegExp(`[^\\s]{${LONGEST_SHOWN_WORD + 1},}`, "g"), (word) => `${word.slice(0, 60)}…[${word.length} characters]`);
    if (cut.length <= LONGEST_MESSAGE) return cut;
    const tail = LONGEST_MESSAGE / 4;
    return `${cut.slice(0, LONGEST_MESSAGE - tail)} …[${cut.length - LONGEST_MESSAGE} characters cut]… ${cut.slice(-tail)}`;
}

/** An error finding. */
export function error(rule: string, path: string, message: string): Finding {
    return { rule, severity: "error", path: safeText(path), message: safeText(message) };
}

/** A warning finding. */
export function warning(rule: string, path: string, message: string): Finding {
    return { rule, severity: "warning", path: safeText(path), message: safeText(message) };
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
