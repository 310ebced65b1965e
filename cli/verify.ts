/**
 * `dualstack verify [--stack NAME | --kubeconfig FILE] [--json]`: prove each family of a live
 * cluster works on its own (docs/verify.md). Exit 0 when no check failed, 1 when one did, 2 when
 * the cluster cannot be verified or the arguments are bad (one line on stderr).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hasErrors } from "../components/addressing/findings";
import { HostPort, parseHostPort } from "../components/addressing/hostPort";
import { loadConfig } from "../components/config/load";
import { findProjectRoot, readStackFile, stackFilePath, UnreadableStackFileError } from "../components/config/stackFile";
import { evaluateStack } from "../components/stack";
import {
    ClusterFacts,
    connectKubernetes,
    Expectations,
    expectationsFromCluster,
    expectationsFromConfig,
    KubeconfigInput,
    runVerify,
    verificationPassed,
    VerifyReport,
    VerifyUnavailableError,
} from "../components/verify";
import { renderTable, toJsonReport } from "./format";
import { Io, processIo } from "./io";

/** The command line, parsed. */
export interface VerifyCommandOptions {
    readonly stack?: string;
    readonly kubeconfig?: string;
    readonly context?: string;
    readonly json: boolean;
    readonly image?: string;
    /** `--egress` values as written. */
    readonly egress: readonly string[];
    readonly namespace?: string;
    /** `--timeout` as written. */
    readonly timeout?: string;
}

/** Where the process finds things: its environment, and how it runs the Pulumi CLI. */
export interface VerifyEnvironment {
    readonly env: NodeJS.ProcessEnv;
    /** `pulumi <args>` in `cwd`: its stdout, or a rejection whose message says why. */
    readonly pulumi: (args: readonly string[], cwd: string) => Promise<string>;
}

/** Run the Pulumi CLI found on PATH. */
export function runPulumi(env: NodeJS.ProcessEnv): VerifyEnvironment["pulumi"] {
    return (args, cwd) =>
        new Promise((resolve, reject) => {
            execFile("pulumi", [...args], { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (e, stdout, stderr) => {
                if (e === null) return resolve(stdout);
                const err = e as NodeJS.ErrnoException & { killed?: boolean };
                if (err.code === "ENOENT") return reject(new Error("the Pulumi CLI is not on PATH"));
                const first = String(stderr).split("\n").find((l) => l.trim() !== "") ?? err.message.split("\n")[0];
                reject(new Error(`pulumi ${args.slice(0, 3).join(" ")} failed: ${first.trim()}`));
            });
        });
}

const PROCESS_ENVIRONMENT: VerifyEnvironment = { env: process.env, pulumi: runPulumi(process.env) };

/** The kubeconfig to use and how the report names it. */
export interface KubeconfigChoice {
    readonly input: KubeconfigInput;
    readonly description: string;
}

/**
 * `--kubeconfig FILE`; else `$KUBECONFIG`; else, with `--stack`, the stack's `kubeconfig` output
 * through the Pulumi CLI; else, without `--stack`, `~/.kube/config`.
 */
export async function chooseKubeconfig(options: VerifyCommandOptions, environment: VerifyEnvironment): Promise<KubeconfigChoice> {
    const context = options.context;
    if (options.kubeconfig !== undefined) return { input: { files: [options.kubeconfig], context }, description: options.kubeconfig };
    const fromEnv = (environment.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f !== "");
    if (fromEnv.length > 0) return { input: { files: fromEnv, context }, description: `$KUBECONFIG (${fromEnv.join(path.delimiter)})` };
    if (options.stack !== undefined) {
        const root = findProjectRoot() ?? process.cwd();
        let text: string;
        try {
            text = await environment.pulumi(["stack", "output", "kubeconfig", "--show-secrets", "--stack", options.stack], root);
        } catch (e) {
            throw new VerifyUnavailableError(
                `no kubeconfig for stack ${options.stack}: give --kubeconfig FILE or set KUBECONFIG (reading the stack's kubeconfig output: ${(e as Error).message})`,
            );
        }
        if (text.trim() === "") throw new VerifyUnavailableError(`stack ${options.stack} has no kubeconfig output (has pulumi up run?); give --kubeconfig FILE`);
        return { input: { text, context }, description: `pulumi stack output kubeconfig (stack ${options.stack})` };
    }
    const home = environment.env.HOME ?? os.homedir();
    const fallback = path.join(home, ".kube", "config");
    if (fs.existsSync(fallback)) return { input: { files: [fallback], context }, description: fallback };
    throw new VerifyUnavailableError("no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or give --stack NAME with the Pulumi CLI installed");
}

/** `--egress` values (at most one per family); a string says what is wrong. */
export function parseEgressFlags(values: readonly string[]): HostPort[] | string {
    const targets: HostPort[] = [];
    for (const value of values) {
        const parsed = parseHostPort(value);
        if (typeof parsed === "string") return `--egress is "${value}": ${parsed}`;
        if (targets.some((t) => t.family === parsed.family)) return `--egress is given twice for ${parsed.family}; the egress check takes one target per family`;
        targets.push(parsed);
    }
    return targets;
}

/** What the stack file contributes: the expectations, and defaults for the flags. */
interface StackSettings {
    readonly expect: (facts: ClusterFacts) => Expectations;
    readonly image?: string;
    readonly egressTargets: readonly HostPort[];
    readonly timeoutSeconds?: number;
}

function stackSettings(stack: string | undefined): StackSettings {
    if (stack === undefined) return { expect: (facts) => expectationsFromCluster(facts, "the cluster (no stack given)"), egressTargets: [] };
    const stackFile = readStackFile(stackFilePath(stack));
    const evaluated = evaluateStack(stackFile);
    if (hasErrors(evaluated.findings)) {
        const errors = evaluated.findings.filter((f) => f.severity === "error").length;
        throw new VerifyUnavailableError(`${stackFile.file} has ${errors} error${errors === 1 ? "" : "s"}, so it has no address plan; run dualstack check ${stackFile.file}`);
    }
    const loaded = loadConfig(stackFile.config, { defaultClusterName: stackFile.stack });
    const config = loaded.config;
    if (config === undefined) throw new VerifyUnavailableError(`${stackFile.file} cannot be loaded; run dualstack check ${stackFile.file}`);
    return {
        expect: (facts) => expectationsFromConfig(config, loaded.explicitKeys, facts, stackFile.file),
        image: config.verify.image,
        egressTargets: config.verify.egressTargets,
        timeoutSeconds: config.verify.timeoutSeconds,
    };
}

function summaryOf(report: VerifyReport): { pass: number; fail: number; skip: number } {
    const count = (result: string) => report.results.filter((r) => r.result === result).length;
    return { pass: count("pass"), fail: count("fail"), skip: count("skip") };
}

function renderText(report: VerifyReport, kubeconfig: string): string {
    const { expectations, cleanup } = report;
    const header = [
        `dualstack verify: ${report.server} (kubeconfig: ${kubeconfig})`,
        `expected: ${expectations.basis}${expectations.fromPlan ? " (address plan)" : ""}; families ${expectations.families.map((f) => f.family).join(", ") || "none"}`,
        ...expectations.notes.map((n) => `note: ${n}`),
    ];
    if (cleanup.namespace !== undefined) header.push(`test namespace: ${cleanup.namespace} (${cleanup.deleted ? "deleted" : "NOT deleted"})`);
    const table = renderTable(
        ["check", "family", "result", "evidence"],
        report.results.map((r) => [r.check, r.family, r.result, r.evidence]),
        "table",
    );
    const { pass, fail, skip } = summaryOf(report);
    const total = report.results.length;
    const footer = fail > 0 ? `FAILED: ${fail} of ${total} checks failed, ${skip} skipped.` : `OK: ${pass} of ${total} checks passed, ${skip} skipped.`;
    return `${header.join("\n")}\n\n${table}\n\n${footer}`;
}

/** Run `verify`; returns the exit code. */
export async function runVerifyCommand(options: VerifyCommandOptions, io: Io, environment: VerifyEnvironment = PROCESS_ENVIRONMENT): Promise<number> {
    const abort = new AbortController();
    const onSignal = () => abort.abort(new Error("interrupted"));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        let timeoutSeconds: number | undefined;
        if (options.timeout !== undefined) {
            timeoutSeconds = Number(options.timeout);
            if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
                io.err(`dualstack: --timeout is "${options.timeout}"; give whole seconds, e.g. --timeout 300`);
                return 2;
            }
        }
        const egress = parseEgressFlags(options.egress);
        if (typeof egress === "string") {
            io.err(`dualstack: ${egress}`);
            return 2;
        }
        const settings = stackSettings(options.stack);
        const kubeconfig = await chooseKubeconfig(options, environment);
        const api = connectKubernetes(kubeconfig.input);
        const progress = io === processIo && process.stderr.isTTY && !options.json ? (m: string) => io.err(`… ${m}`) : undefined;
        const report = await runVerify(api, {
            expect: settings.expect,
            image: options.image ?? settings.image,
            egressTargets: options.egress.length > 0 ? egress : settings.egressTargets,
            timeoutSeconds: timeoutSeconds ?? settings.timeoutSeconds,
            namespace: options.namespace,
            signal: abort.signal,
            progress,
        });
        const passed = verificationPassed(report.results);
        if (options.json) {
            io.out(
                toJsonReport({
                    server: report.server,
                    kubeconfig: kubeconfig.description,
                    expectations: {
                        basis: report.expectations.basis,
                        fromPlan: report.expectations.fromPlan,
                        families: report.expectations.families,
                        notes: report.expectations.notes,
                    },
                    namespace: report.cleanup,
                    checks: report.results,
                    summary: summaryOf(report),
                    ok: passed,
                }),
            );
        } else {
            io.out(renderText(report, kubeconfig.description));
        }
        if (report.cleanup.namespace !== undefined && !report.cleanup.deleted) {
            io.err(
                `dualstack: test namespace ${report.cleanup.namespace} is left (${report.cleanup.error ?? "not deleted"}): kubectl delete namespace ${report.cleanup.namespace}`,
            );
            return 2;
        }
        return passed ? 0 : 1;
    } catch (e) {
        if (e instanceof VerifyUnavailableError || e instanceof UnreadableStackFileError) {
            io.err(`dualstack: ${e.message.replace(/\s*\n\s*/g, " ")}`);
            return 2;
        }
        throw e;
    } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}
