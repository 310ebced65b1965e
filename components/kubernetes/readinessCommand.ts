/**
 * The readiness wait for programs in other languages. There the components run inside the
 * package's plugin, where a dynamic resource cannot (its provider would be loaded from the
 * program's own Node.js modules, which a Python or Go program has none of: pulumi/pulumi#5455).
 * The wait is instead a `command:local:Command` that runs `node -e <script>` at `pulumi up`:
 * the script is {@link waitFromEnvironment} serialized with its closure, the same pure
 * functions the dynamic resource runs (./readiness.ts), so both wait alike. Like the dynamic
 * resource it runs on create and again when an input changes (endpoint, CA, triggers; also the
 * timeout, and the script itself after an upgrade: one `GET /readyz` when the API is up),
 * never in preview.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ApiReadinessArgs, waitForApiReady } from "./readiness";

/** The environment the script reads. */
export const READINESS_ENVIRONMENT = {
    url: "DUALSTACK_READYZ_URL",
    caCertPem: "DUALSTACK_READYZ_CA_PEM",
    timeoutSeconds: "DUALSTACK_READYZ_TIMEOUT_SECONDS",
    intervalSeconds: "DUALSTACK_READYZ_INTERVAL_SECONDS",
} as const;

/**
 * Wait for the API named by the environment; exit code 1 with the wait's message on stderr
 * when it does not become ready. Serialized into the command, so self-contained: it uses only
 * the readiness functions and Node built-ins, and repeats the variable names.
 */
export async function waitFromEnvironment(): Promise<void> {
    const env = process.env;
    try {
        const result = await waitForApiReady({
            url: env.DUALSTACK_READYZ_URL ?? "",
            caPem: env.DUALSTACK_READYZ_CA_PEM || undefined,
            timeoutMs: Number(env.DUALSTACK_READYZ_TIMEOUT_SECONDS) * 1000,
            intervalMs: Number(env.DUALSTACK_READYZ_INTERVAL_SECONDS) * 1000,
        });
        process.stdout.write(`${JSON.stringify({ attempts: result.attempts, waitedSeconds: Math.round(result.waitedMs / 1000) })}\n`);
    } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
    }
}

/** The Node.js script the command runs: {@link waitFromEnvironment} with its closure, then a call to it. */
export async function readinessScript(): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(waitFromEnvironment, { isFactoryFunction: false });
    return `${serialized.text}\nexports.${serialized.exportName}();\n`;
}

/** How `ClusterApi` waits: a dynamic resource (Node.js programs) or a local command (other languages). */
export type ReadinessMechanism = "dynamic-resource" | "command";

let mechanism: ReadinessMechanism = "dynamic-resource";

/** The mechanism in force (the plugin switches to `command` while it constructs a component). */
export function readinessMechanism(): ReadinessMechanism {
    return mechanism;
}

/** Run `build` (a component's constructor) with readiness waits made by `chosen`; restores the previous one. */
export function withReadinessMechanism<T>(chosen: ReadinessMechanism, build: () => T): T {
    const previous = mechanism;
    mechanism = chosen;
    try {
        return build();
    } finally {
        mechanism = previous;
    }
}

/** The wait as a local command (`<name>` is the ClusterApi's `<name>-readyz`). */
export function createReadinessCommand(name: string, args: ApiReadinessArgs, opts: pulumi.CustomResourceOptions): command.local.Command {
    const url = pulumi.output(args.url);
    const caCertPem = pulumi.output(args.caCertPem);
    return new command.local.Command(
        name,
        {
            interpreter: ["node", "-e"],
            create: readinessScript(),
            environment: {
                [READINESS_ENVIRONMENT.url]: url,
                [READINESS_ENVIRONMENT.caCertPem]: caCertPem,
                [READINESS_ENVIRONMENT.timeoutSeconds]: String(args.timeoutSeconds),
                [READINESS_ENVIRONMENT.intervalSeconds]: String(args.intervalSeconds),
            },
            // Any change of an input runs the wait again; these are the values outside it.
            triggers: args.triggers ?? [],
        },
        opts,
    );
}
