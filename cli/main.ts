/**
 * The `dualstack` command: `check`, `plan` and `verify`. Exit codes: 0 no error finding (no
 * failed check), 1 an error finding (a failed check), 2 unusable input (unreadable file, bad
 * arguments, a cluster that cannot be verified) with a one-line reason.
 */
import { parseArgs } from "util";
import { safeText } from "../components/addressing/findings";
import { isStackName, UnreadableStackFileError } from "../components/config/stackFile";
import { runCheck } from "./check";
import { TextFormat } from "./format";
import { Io, processIo } from "./io";
import { OutputDirectoryError, runPlan } from "./plan";
import { runVerifyCommand } from "./verify";

export const USAGE = `Usage:
  dualstack check FILE... [--json]
      Validate stack files (stacks/Pulumi.<stack>.yaml), each alone and against each other.
  dualstack plan (--stack NAME | FILE) [--out DIR] [--json] [--format table|markdown]
                 [--policy-config FILE]
      Run the program offline under Pulumi's mock runtime and show the address plan, the
      resources pulumi up would create and the policy findings (FILE: a policy pack
      configuration, as for pulumi preview --policy-pack-config).
  dualstack verify [--stack NAME] [--kubeconfig FILE] [--context NAME] [--json]
                   [--image IMAGE] [--egress ADDRESS:PORT]... [--namespace NAME] [--timeout SECONDS]
      Check each family of a live cluster on its own: node addresses, Calico pools, pod
      addresses, pod-to-pod, pod-to-Service, DNS, egress, NodePort, LoadBalancer, metadata
      blocked (docs/verify.md). Exit 0 no check failed, 1 a check failed, 2 the cluster cannot
      be verified.

Exit codes: 0 no errors, 1 errors found, 2 unreadable input or bad arguments.`;

/** A usage error: exit 2 with a one-line reason. */
class UsageError extends Error {}

/** Run the CLI with arguments (without `node` and the script); returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case "check": {
                const { values, positionals } = parse(rest, { json: { type: "boolean" } });
                if (positionals.length === 0) throw new UsageError("check needs at least one stack file");
                return runCheck({ files: positionals, json: values.json === true }, io);
            }
            case "plan": {
                const { values, positionals } = parse(rest, {
                    stack: { type: "string" },
                    out: { type: "string" },
                    json: { type: "boolean" },
                    format: { type: "string" },
                    "policy-config": { type: "string" },
                });
                const stack = values.stack as string | undefined;
                if ((stack === undefined) === (positionals.length === 0) || positionals.length > 1) {
                    throw new UsageError("plan takes either --stack NAME or one stack file");
                }
                checkStackName(stack);
                if (values.out === "") throw new UsageError("--out is empty; give the directory to write the artefacts to");
                const format = (values.format as string | undefined) ?? "table";
                if (format !== "table" && format !== "markdown") {
                    throw new UsageError(`--format is "${format}"; use table or markdown`);
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
            }
            case "verify": {
                const { values, positionals } = parse(rest, {
                    stack: { type: "string" },
                    kubeconfig: { type: "string" },
                    context: { type: "string" },
                    json: { type: "boolean" },
                    image: { type: "string" },
                    egress: { type: "string", multiple: true },
                    namespace: { type: "string" },
                    timeout: { type: "string" },
                });
                if (positionals.length > 0) throw new UsageError(`verify takes no file ("${positionals[0]}"): use --stack NAME or --kubeconfig FILE`);
                checkStackName(values.stack as string | undefined);
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
            }
            case "help":
            case "--help":
            case "-h":
                io.out(USAGE);
                return 0;
            case undefined:
                throw new UsageError("no command given");
            default:
                throw new UsageError(`unknown command "${command}"`);
        }
    } catch (e) {
        if (e instanceof UnreadableStackFileError || e instanceof OutputDirectoryError) {
            io.err(`dualstack: ${safeText(e.message)}`);
            return 2;
        }
        if (e instanceof UsageError) {
            io.err(`dualstack: ${safeText(e.message)}\n\n${USAGE}`);
            return 2;
        }
        throw e;
    }
}

/** `--stack` reads `stacks/Pulumi.<name>.yaml`: a Pulumi stack name, never a path. */
function checkStackName(stack: string | undefined): void {
    if (stack === undefined || isStackName(stack)) return;
    throw new UsageError(
        `--stack ${JSON.stringify(stack.slice(0, 100))} is not a stack name: Pulumi stack names are letters, digits, "-", "_" and "." ` +
            `(at most 100), and --stack reads stacks/Pulumi.<name>.yaml. Give a file path for any other file.`,
    );
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

interface Parsed {
    readonly values: Readonly<Record<string, string | boolean | undefined>>;
    readonly positionals: string[];
}

function parse(args: readonly string[], options: Options): Parsed {
    try {
        const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
        return { values: values as Parsed["values"], positionals };
    } catch (e) {
        throw new UsageError((e as Error).message.split("\n")[0]);
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
