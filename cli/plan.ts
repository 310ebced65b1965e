/**
 * `dualstack plan (--stack NAME | FILE) [--out DIR] [--json] [--format table|markdown]`:
 * the real program, run in this process against the offline cloud, and everything `pulumi up`
 * would do: the address plan with capacity, the resources grouped by component, the rendered
 * artefacts, and the findings of every rule. Secrets are redacted everywhere.
 */
import * as fs from "fs";
import * as path from "path";
import { error, Finding, hasErrors, InvalidPlanError } from "../components/addressing/findings";
import { PlanSummary, summarizePlan } from "../components/addressing/summary";
import { readInputFile, readStackFile, stackFilePath, UnreadableStackFileError } from "../components/config/stackFile";
import { checkRecordedStack, PackConfig, packConfigProblems, parsePackConfig } from "../components/policies/local";
import { policies } from "../components/policies/policies";
import { OfflineRunResult, redact, runOffline, secretValues } from "../components/offline";
import { defineStack } from "../components/program";
import { evaluateStack } from "../components/stack";
import { renderAddressPlan } from "./addressReport";
import { Artefact, collectArtefacts } from "./artefacts";
import { heading, renderFindings, renderTable, summarize, TextFormat, toJson, toJsonReport } from "./format";
import { Io } from "./io";
import { describeResource, groupByComponent, isListed, renderResources, shortType } from "./resourceReport";

export interface PlanOptions {
    readonly stack?: string;
    readonly file?: string;
    /** A policy pack configuration file (as for `pulumi preview --policy-pack-config`). */
    readonly policyConfig?: string;
    readonly out?: string;
    readonly json: boolean;
    readonly format: TextFormat;
}

/** What one offline plan found. */
export interface PlanReport {
    readonly stack: string;
    readonly file: string;
    readonly addressPlan?: PlanSummary;
    readonly run?: OfflineRunResult;
    readonly artefacts: Artefact[];
    readonly findings: Finding[];
}

/** Errors of the program as findings; an error that is not a finding is `plan-failed`. */
function programFindings(errors: readonly Error[], file: string): Finding[] {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const e of errors) {
        const list = e instanceof InvalidPlanError ? [...e.findings] : [error("plan-failed", "dualstack", `The program failed under the offline runtime: ${e.message}`)];
        for (const f of list) {
            const id = `${f.rule}|${f.path}|${f.message}`;
            if (seen.has(id)) continue;
            seen.add(id);
            findings.push({ ...f, file });
        }
    }
    return findings;
}

/** Evaluate the stack file, then run the program offline unless the configuration is unusable, then the policy pack. */
export async function planStack(file: string, packConfig?: PackConfig): Promise<PlanReport> {
    const stackFile = readStackFile(file);
    const evaluated = evaluateStack(stackFile);
    if (evaluated.config === undefined || hasErrors(evaluated.findings)) {
        return {
            stack: evaluated.stack,
            file,
            addressPlan: evaluated.plan && summarizePlan(evaluated.plan),
            artefacts: [],
            findings: evaluated.findings,
        };
    }
    // The offline cluster is not real: verify.afterUp has nothing to verify.
    const run = await runOffline(() => defineStack({ verifyAfterUp: false }), { stack: stackFile.stack, config: stackFile.config });
    const findings = [...evaluated.findings, ...programFindings(run.errors, file)];
    if (run.errors.length === 0) {
        findings.push(...(await checkRecordedStack(run.cloud.resources, packConfig)).map((f) => ({ ...f, file })));
    }
    const programPlan = run.outputs.addressPlan as PlanSummary | undefined;
    // Offline, the random ULA ID is the stand-in `check` uses too; say so unless it is pinned.
    const addressPlan =
        programPlan?.ula && evaluated.config.ulaGlobalId === undefined ? { ...programPlan, ula: { ...programPlan.ula, standIn: true } } : programPlan;
    return {
        stack: evaluated.stack,
        file,
        addressPlan: addressPlan ?? (evaluated.plan && summarizePlan(evaluated.plan)),
        run,
        artefacts: run.errors.length === 0 ? collectArtefacts(run.cloud.resources) : [],
        findings,
    };
}

/** Stack outputs with secret ones replaced. */
function publicOutputs(run: OfflineRunResult): Record<string, unknown> {
    return Object.fromEntries(Object.entries(run.outputs).map(([k, v]) => [k, run.secretOutputs.has(k) ? "[secret]" : v]));
}

function renderText(report: PlanReport, format: TextFormat): string {
    const failed = hasErrors(report.findings);
    const sections = [heading(`dualstack plan: stack ${report.stack} (${report.file})`, format, 1)];
    if (report.addressPlan) sections.push(heading("Address plan", format), renderAddressPlan(report.addressPlan, format));
    if (report.run && report.run.errors.length === 0) {
        sections.push(heading("Resources pulumi up would create", format), renderResources(report.run.cloud.resources, format));
        const outputs = publicOutputs(report.run);
        sections.push(
            heading("Stack outputs", format),
            renderTable(
                ["output", "value"],
                Object.entries(outputs)
                    .filter(([k]) => k !== "addressPlan" && k !== "nodes")
                    .map(([k, v]) => [k, v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v)]),
                format,
            ),
        );
        if (report.artefacts.length > 0) {
            sections.push(
                heading("Rendered artefacts", format),
                renderTable(
                    ["file", "from", "size"],
                    report.artefacts.map((a) => [a.path, a.node ?? "", `${Buffer.byteLength(a.content)} bytes`]),
                    format,
                ) + "\n\nWrite them with --out DIR.",
            );
        }
    }
    sections.push(heading("Findings", format), renderFindings(report.findings, format));
    sections.push(`${failed ? "FAILED" : "OK"}: ${summarize(report.findings)}.`);
    return sections.join("\n\n");
}

function renderJson(report: PlanReport): string {
    const resources = (report.run?.cloud.resources ?? []).filter(isListed);
    const names = new Map(resources.map((r) => [r.id ?? "", r.name]));
    const nameOf = (id: unknown) => (typeof id === "string" ? names.get(id) ?? id : String(id));
    const components = new Map(groupByComponent(report.run?.cloud.resources ?? []).flatMap((g) => g.resources.map((r) => [r.urn, g.component])));
    return toJsonReport({
        stack: report.stack,
        file: report.file,
        addressPlan: report.addressPlan ?? null,
        resources: resources.map((r) => ({
            type: r.type,
            kind: shortType(r.type),
            name: r.name,
            component: components.get(r.urn) ?? "",
            details: describeResource(r, nameOf),
            // Inputs starting with "__" are the engine's (a dynamic provider's serialized code).
            inputs: Object.fromEntries(
                Object.entries(r.inputs)
                    .filter(([k]) => !k.startsWith("__"))
                    .map(([k, v]) => [k, r.secretInputs.has(k) ? "[secret]" : v]),
            ),
        })),
        outputs: report.run ? publicOutputs(report.run) : {},
        artefacts: report.artefacts.map((a) => ({ path: a.path, node: a.node ?? null, bytes: Buffer.byteLength(a.content) })),
        findings: report.findings,
        ok: !hasErrors(report.findings),
    });
}

/** An output directory that cannot be written: unusable input (exit 2), one line. */
export class OutputDirectoryError extends Error {
    constructor(dir: string, reason: string) {
        super(`--out ${dir}: ${reason}`);
        this.name = "OutputDirectoryError";
    }
}

/** A file system error as a reason. */
function cannotWrite(e: unknown): string {
    return `cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
}

/**
 * A directory to write into: created when missing, refused when it is a symbolic link or not
 * a directory. `--out` never follows a link it did not create, so a link planted in the
 * directory (`control-plane-init -> /etc`) cannot redirect the artefacts.
 */
function ensureRealDirectory(dir: string, shown: string, out: string): void {
    let stat: fs.Stats | undefined;
    try {
        stat = fs.lstatSync(dir);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new OutputDirectoryError(out, cannotWrite(e));
    }
    if (stat === undefined) {
        try {
            fs.mkdirSync(dir, { recursive: dir === out });
        } catch (e) {
            throw new OutputDirectoryError(out, cannotWrite(e));
        }
        return;
    }
    if (stat.isSymbolicLink()) throw new OutputDirectoryError(out, `${shown} is a symbolic link; plan writes only into real directories. Remove the link or choose another directory.`);
    if (!stat.isDirectory()) throw new OutputDirectoryError(out, `${shown} exists and is not a directory.`);
}

/** Write one file under a checked directory: no link followed, no hard-linked file overwritten. */
function writeFileNoFollow(target: string, shown: string, out: string, content: string): void {
    let fd: number;
    try {
        fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ELOOP") throw new OutputDirectoryError(out, `${shown} is a symbolic link; plan does not write through links it did not create. Remove it.`);
        throw new OutputDirectoryError(out, cannotWrite(e));
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new OutputDirectoryError(out, `${shown} exists and is not a regular file.`);
        if (stat.nlink > 1) throw new OutputDirectoryError(out, `${shown} has other hard links; plan does not overwrite a file shared with another path. Remove it.`);
        fs.ftruncateSync(fd, 0);
        const bytes = Buffer.from(content, "utf8");
        for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written, written);
    } catch (e) {
        if (e instanceof OutputDirectoryError) throw e;
        throw new OutputDirectoryError(out, cannotWrite(e));
    } finally {
        fs.closeSync(fd);
    }
}

/** Write the artefacts and the address plan under `dir` (redacted). */
function writeArtefacts(dir: string, artefacts: readonly Artefact[], addressPlan: PlanSummary | undefined, clean: (text: string) => string): void {
    ensureRealDirectory(dir, dir, dir);
    const files: Array<[string, string]> = artefacts.map((a) => [a.path, clean(a.content)]);
    if (addressPlan) files.push(["address-plan.json", `${toJson(addressPlan)}\n`]);
    for (const [relative, content] of files) {
        const parts = relative.split("/");
        if (parts.some((part) => part === "" || part === "." || part === "..")) throw new OutputDirectoryError(dir, `refusing the artefact path ${relative}`);
        let current = dir;
        for (const part of parts.slice(0, -1)) {
            current = path.join(current, part);
            ensureRealDirectory(current, path.relative(dir, current), dir);
        }
        writeFileNoFollow(path.join(current, parts[parts.length - 1]), relative, dir, content);
    }
}

/** Run `plan`; returns the exit code. */
export async function runPlan(options: PlanOptions, io: Io): Promise<number> {
    const file = options.file ?? stackFilePath(options.stack as string);
    const report = await planStack(file, options.policyConfig === undefined ? undefined : readPackConfig(options.policyConfig));
    const secrets = report.run ? secretValues(report.run.cloud.resources, [...report.run.secretOutputs].map((k) => report.run?.outputs[k])) : [];
    const clean = (text: string) => redact(text, secrets);
    if (options.out !== undefined) writeArtefacts(options.out, report.artefacts, report.addressPlan, clean);
    io.out(clean(options.json ? renderJson(report) : renderText(report, options.format)));
    return hasErrors(report.findings) ? 1 : 0;
}

/** Read a policy pack configuration file; unreadable or malformed is unusable input (exit 2). */
function readPackConfig(file: string): PackConfig {
    const text = readInputFile(file);
    let config: PackConfig;
    try {
        config = parsePackConfig(JSON.parse(text));
    } catch (e) {
        throw new UnreadableStackFileError(file, `not a policy pack configuration: ${(e as Error).message}`);
    }
    const problems = packConfigProblems(config, policies);
    if (problems.length > 0) throw new UnreadableStackFileError(file, `not a policy pack configuration: ${problems.join("; ")}`);
    return config;
}
