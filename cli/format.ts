/**
 * Output for people: findings, tables (plain or Markdown), and JSON that keeps bigints exact.
 */
import { Finding } from "../components/addressing/findings";

/** `table` for terminals, `markdown` for pull-request comments. */
export type TextFormat = "table" | "markdown";

/** A table cell: text, or text to show as code (a key, a rule id). */
export type Cell = string | { readonly code: string };

/**
 * Text for Markdown: HTML and Markdown punctuation escaped (a value such as
 * `<img src=…>` or `[x](…)` from a stack file shows as written, never as markup), line
 * breaks as spaces, so that it stays inside its table cell or heading.
 */
export function escapeMarkdown(text: string): string {
    return text.replace(/[\\`*_[\]<>|~&!]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** A Markdown code span that holds any text: a fence longer than any backtick run inside, pipes escaped for tables. */
export function markdownCode(text: string): string {
    const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longestRun + 1);
    const body = text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
    const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
    return `${fence}${pad}${body}${pad}${fence}`;
}

function cellText(cell: Cell): string {
    return typeof cell === "string" ? cell : cell.code;
}

/** Render rows under headers, aligned for a terminal or as a Markdown table. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[], format: TextFormat): string {
    if (format === "markdown") {
        const escape = (cell: Cell) => (typeof cell === "string" ? escapeMarkdown(cell) : markdownCode(cell.code));
        return [
            `| ${headers.map(escape).join(" | ")} |`,
            `| ${headers.map(() => "---").join(" | ")} |`,
            ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
        ].join("\n");
    }
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => cellText(r[i] ?? "").length)));
    const line = (cells: readonly Cell[]) =>
        cells
            .map((cell, i) => (i === cells.length - 1 ? cellText(cell) : cellText(cell).padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** A heading in either format. */
export function heading(text: string, format: TextFormat, level = 2): string {
    return format === "markdown" ? `${"#".repeat(level)} ${escapeMarkdown(text)}` : `${text}\n${"=".repeat(Math.min(text.length, 78))}`;
}

/** Findings grouped by file, each with its key, rule and full message. */
export function renderFindings(findings: readonly Finding[], format: TextFormat): string {
    if (findings.length === 0) return format === "markdown" ? "No findings." : "No findings.";
    if (format === "markdown") {
        return renderTable(
            ["severity", "rule", "key", "message"],
            findings.map((f) => [f.severity, { code: f.rule }, { code: f.path }, f.file ? `${f.message} (${f.file})` : f.message]),
            "markdown",
        );
    }
    const byFile = new Map<string, Finding[]>();
    for (const f of findings) {
        const file = f.file ?? "(no file)";
        const list = byFile.get(file);
        if (list === undefined) byFile.set(file, [f]);
        else list.push(f);
    }
    const blocks: string[] = [];
    for (const [file, list] of byFile) {
        blocks.push(
            [
                file,
                ...list.map((f) => `  ${f.severity.padEnd(7)} ${f.path} [${f.rule}]\n${wrap(f.message, 100, "          ")}`),
            ].join("\n"),
        );
    }
    return blocks.join("\n\n");
}

/** Counts, for a closing line. */
export function summarize(findings: readonly Finding[]): string {
    const errors = findings.filter((f) => f.severity === "error").length;
    const warnings = findings.length - errors;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** Wrap text at `width` columns with an indent. */
export function wrap(text: string, width: number, indent: string): string {
    const lines: string[] = [];
    let current = "";
    for (const word of text.split(/\s+/)) {
        if (current && indent.length + current.length + 1 + word.length > width) {
            lines.push(indent + current);
            current = word;
        } else {
            current = current ? `${current} ${word}` : word;
        }
    }
    if (current) lines.push(indent + current);
    return lines.join("\n");
}

/**
 * The version of the `--json` output's shape, its first field `schemaVersion`: raised when a
 * field is removed or changes meaning (added fields keep it). See README, "CLI".
 */
export const JSON_SCHEMA_VERSION = 1;

/** A `--json` report: `schemaVersion` first, then the command's fields. */
export function toJsonReport(fields: Record<string, unknown>): string {
    return toJson({ schemaVersion: JSON_SCHEMA_VERSION, ...fields });
}

/** JSON with bigints as numbers when exact, as decimal strings otherwise. */
export function toJson(value: unknown): string {
    return JSON.stringify(
        value,
        (_key, v: unknown) => {
            if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
            if (v instanceof Set) return [...v];
            return v;
        },
        2,
    );
}

/** A bigint for people: exact below a million, else a power of two when it is one. */
export function formatCount(value: bigint): string {
    if (value < 1_000_000n) return value.toString();
    const bits = value.toString(2).length - 1;
    if (1n << BigInt(bits) === value) return `2^${bits}`;
    const nearest = 1n << BigInt(bits);
    if (value > nearest && value - nearest < 16n) return `2^${bits}+${value - nearest}`;
    if (nearest * 2n - value < 16n) return `2^${bits + 1}-${nearest * 2n - value}`;
    return value.toLocaleString("en-US");
}
