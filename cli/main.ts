/**
 * The `dualstack` command: `check`, `plan` and `verify`, `help` and `--version`. Exit codes:
 * 0 no error finding (no failed check), 1 an error finding (a failed check), 2 unusable
 * input (unreadable file, bad arguments, a cluster that cannot be verified) with a one-line
 * reason.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { safeText } from "../components/addressing/findings";
import { isStackName, UnreadableStackFileError } from "../components/config/stackFile";
import { runCheck } from "./check";
import { TextFormat } from "./format";
import { Io, processIo } from "./io";
import { OutputDirectoryError, runPlan } from "./plan";
import { runVerifyCommand } from "./verify";

/** One subcommand: its usage text and how it runs. */
interface Command {
    /** Synopsis and description, as `dualstack help NAME` prints them. */
    readonly usage: string;
    /** Run with the arguments after the subcommand's name; returns the exit code. */
    run(args: readonly string[], io: Io): Promise<number>;
}

const EXIT_CODES = "Exit codes: 0 no errors, 1 errors found, 2 unreadable input or bad arguments.";

/**
 * The subcommands, in the order the usage lists them. A new subcommand is one more entry;
 * `help`, `--help` and the usage text follow from the table.
 */
export const COMMANDS: Readonly<Record<string, Command>> = {
    check: {
        usage: `  dualstack check FILE... [--json]
      Validate stack files (stacks/Pulumi.<stack>.yaml), each alone and against each other.`,
        async run(args, io) {
            const { values, positionals } = parse(args, { json: { type: "boolean" } }, "check");
            if (positionals.length === 0) throw new UsageError("check needs at least one stack file", "check");
            return runCheck({ files: positionals, json: values.json === true }, io);
        },
    },
    plan: {
        usage: `  dualstack plan (--stack NAME | FILE) [--out DIR] [--json] [--format table|markdown]
                 [--policy-config FILE]
      Run the program offline under Pulumi's mock runtime and show the address plan, the
      resources pulumi up would create and the policy findings (FILE: a policy pack
      configuration, as for pulumi preview --policy-pack-config).`,
        async run(args, io) {
            const { values, positionals } = parse(
                args,
                {
                    stack: { type: "string" },
                    out: { type: "string" },
                    json: { type: "boolean" },
                    format: { type: "string" },
                    "policy-config": { type: "string" },
                },
                "plan",
            );
            const stack = values.stack as string | undefined;
            if ((stack === undefined) === (positionals.length === 0) || positionals.length > 1) {
                throw new UsageError("plan takes either --stack NAME or one stack file", "plan");
            }
            checkStackName(stack, "plan");
            if (values.out === "") throw new UsageError("--out is empty; give the directory to write the artefacts to", "plan");
            const given = values.format as string | undefined;
            const format = given ?? "table";
            if (format !== "table" && format !== "markdown") {
                throw new UsageError(`--format is "${format}"; use table or markdown`, "plan");
            }
            if (values.json === true && given !== undefined) {
                throw new UsageError(`--json and --format ${given} exclude each other: --json prints JSON, --format chooses the text layout`, "plan");
            }
            return await runPlan(
                {
                    stack,
                    file: positionals[0],
                    out: values.out as string | undefined,
                    json: values.json === true,
                    format: format as TextFormat,
                    policyConfig: values["policy-config"] as string | undefined,
                },
                io,
            );
        },
    },
    verify: {
        usage: `  dualstack verify [--stack NAME] [--kubeconfig FILE] [--context NAME] [--json]
                   [--image IMAGE] [--egress ADDRESS:PORT]... [--namespace NAME] [--timeout SECONDS]
      Check each family of a live cluster on its own: node addresses, Calico pools, pod
      addresses, pod-to-pod, pod-to-Service, DNS, egress, NodePort, LoadBalancer, metadata
      blocked (docs/verify.md). Exit 0 no check failed, 1 a check failed, 2 the cluster cannot
      be verified.`,
        async run(args, io) {
            const { values, positionals } = parse(
                args,
                {
                    stack: { type: "string" },
                    kubeconfig: { type: "string" },
                    context: { type: "string" },
                    json: { type: "boolean" },
                    image: { type: "string" },
                    egress: { type: "string", multiple: true },
                    namespace: { type: "string" },
                    timeout: { type: "string" },
                },
                "verify",
            );
            if (positionals.length > 0) throw new UsageError(`verify takes no file ("${positionals[0]}"): use --stack NAME or --kubeconfig FILE`, "verify");
            checkStackName(values.stack as string | undefined, "verify");
            return await runVerifyCommand(
                {
                    stack: values.stack as string | undefined,
                    kubeconfig: values.kubeconfig as string | undefined,
                    context: values.context as string | undefined,
                    json: values.json === true,
                    image: values.image as string | undefined,
                    egress: (values.egress as unknown as string[] | undefined) ?? [],
                    namespace: values.namespace as string | undefined,
                    timeout: values.timeout as string | undefined,
                },
                io,
            );
        },
    },
};

/** The usage of every subcommand, or of one. */
export function usage(command?: string): string {
    const entries = command === undefined ? Object.values(COMMANDS) : [COMMANDS[command]];
    const general = command === undefined ? ["  dualstack help [COMMAND] | COMMAND --help", "  dualstack --version"] : [];
    return ["Usage:", ...entries.map((c) => c.usage), ...general, "", EXIT_CODES].join("\n");
}

/** Every subcommand's usage, as `dualstack help` prints it. */
export const USAGE = usage();

/** This package's version, from its package.json (one level above cli/ and dist/cli/). */
export function packageVersion(): string {
    const candidates = [path.join(__dirname, "..", "package.json"), path.join(__dirname, "..", "..", "package.json")];
    for (const file of candidates) {
        if (!fs.existsSync(file)) continue;
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (manifest.name === "dualstack" && manifest.version !== undefined) return manifest.version;
    }
    throw new Error(`no package.json of dualstack above ${__dirname}`);
}

/** A usage error: exit 2 with a one-line reason and the usage (of the subcommand, when known). */
class UsageError extends Error {
    constructor(
        message: string,
        readonly command?: string,
    ) {
        super(message);
    }
}

const HELP_FLAGS = new Set(["--help", "-h"]);

/** Run the CLI with arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const [name, ...rest] = argv;
    try {
        if (name === undefined) throw new UsageError("no command given");
        if (name === "--version" || name === "-V" || name === "version") {
            io.out(`dualstack ${packageVersion()}`);
            return 0;
        }
        if (name === "help" || HELP_FLAGS.has(name)) {
            const topic = rest[0];
            if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) throw new UsageError(`no help for "${topic}": it is not a command`);
            io.out(usage(topic));
            return 0;
        }
        if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command "${name}"`);
        // Help wins over every other argument, as in git and kubectl: `plan --stack dev --help`.
        if (rest.some((arg) => HELP_FLAGS.has(arg))) {
            io.out(usage(name));
            return 0;
        }
        return await COMMANDS[name].run(rest, io);
    } catch (e) {
        if (e instanceof UnreadableStackFileError || e instanceof OutputDirectoryError) {
            io.err(`dualstack: ${safeText(e.message)}`);
            return 2;
        }
        if (e instanceof UsageError) {
            io.err(`dualstack: ${safeText(e.message)}\n\n${usage(e.command)}`);
            return 2;
        }
        throw e;
    }
}

/** `--stack` reads `stacks/Pulumi.<name>.yaml`: a Pulumi stack name, never a path. */
function checkStackName(stack: string | undefined, command: string): void {
    if (stack === undefined || isStackName(stack)) return;
    throw new UsageError(
        `--stack ${JSON.stringify(stack.slice(0, 100))} is not a stack name: Pulumi stack names are letters, digits, "-", "_" and "." ` +
            `(at most 100), and --stack reads stacks/Pulumi.<name>.yaml. Give a file path for any other file.`,
        command,
    );
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

interface Parsed {
    readonly values: Readonly<Record<string, string | boolean | undefined>>;
    readonly positionals: string[];
}

function parse(args: readonly string[], options: Options, command: string): Parsed {
    try {
        const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
        return { values: values as Parsed["values"], positionals };
    } catch (e) {
        throw new UsageError((e as Error).message.split("\n")[0], command);
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`dualstack: ${(e as Error).stack ?? String(e)}\n`);
            process.exitCode = 2;
        },
    );
}
