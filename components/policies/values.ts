/**
 * Reading resource properties safely. During `pulumi preview` a property computed by another
 * resource (an id, an allocated CIDR) is unknown: @pulumi/policy throws an UnknownValueError
 * when such a property is read. Every policy first copies its props with `resolveProps`,
 * which turns each unknown into the UNKNOWN marker, and then reads fields with the typed
 * readers below, which give undefined for unknown, missing or mistyped values. A check whose
 * inputs are not known is skipped, never guessed.
 */
import { ReportViolation, UnknownValueError } from "@pulumi/policy";
import { Finding } from "../addressing/findings";

/** A value that is not known until `pulumi up` (computed by another resource). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

/** True for a value that is not known yet. */
export function isUnknown(value: unknown): value is Unknown {
    return value === UNKNOWN;
}

function read(container: unknown, key: string | number): unknown {
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/**
 * A plain deep copy of policy props: unknown values become UNKNOWN, objects and arrays become
 * plain ones (no proxies), other values are kept.
 */
export function resolveProps(value: unknown): unknown {
    if (Array.isArray(value)) {
        const copy: unknown[] = [];
        for (let i = 0; i < value.length; i++) copy.push(resolveProps(read(value, i)));
        return copy;
    }
    if (value !== null && typeof value === "object" && !isUnknown(value)) {
        const copy: Record<string, unknown> = {};
        for (const key of Object.keys(value)) copy[key] = resolveProps(read(value, key));
        return copy;
    }
    return value;
}

/** A string, or undefined. */
export function str(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** A number (numeric strings too, as some providers send them), or undefined. */
export function num(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
    return undefined;
}

/** A boolean, or undefined. */
export function bool(value: unknown): boolean | undefined {
    return typeof value === "boolean" ? value : undefined;
}

/** An array, or undefined. */
export function list(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

/** An object (not an array), or undefined. */
export function record(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !isUnknown(value)
        ? (value as Record<string, unknown>)
        : undefined;
}

/** The value at a path of object keys and array indexes; undefined when any step is missing or unknown. */
export function at(value: unknown, ...path: Array<string | number>): unknown {
    let current = value;
    for (const step of path) {
        if (isUnknown(current)) return UNKNOWN;
        if (typeof step === "number") current = list(current)?.[step];
        else current = record(current)?.[step];
    }
    return current;
}

/** OpenStack tags (`key=value` strings) as a map; tags without `=` map to "". */
export function tagsOf(value: unknown): Map<string, string> {
    const tags = new Map<string, string>();
    for (const tag of list(value) ?? []) {
        if (typeof tag !== "string") continue;
        const eq = tag.indexOf("=");
        if (eq < 0) tags.set(tag, "");
        else tags.set(tag.slice(0, eq), tag.slice(eq + 1));
    }
    return tags;
}

/** Report findings as violations: `[rule-id] message`. */
export function reportFindings(findings: readonly Finding[], reportViolation: ReportViolation, urn?: string): void {
    for (const finding of findings) reportViolation(`[${finding.rule}] ${finding.message}`, urn);
}
