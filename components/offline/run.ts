/**
 * Run a Pulumi program in this process against the offline cloud, as `pulumi up` (or
 * `pulumi preview`) would run it against a real one: the stack's configuration is handed to
 * the program the way the engine hands it over, every resource is recorded, the stack
 * outputs are resolved, and errors (thrown, or raised inside an apply) are collected.
 */
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE } from "../config/keys";
import { OfflineCloud, OfflineCloudOptions } from "./cloud";
import { installOfflineCloud, settle } from "./install";

export interface OfflineRunOptions extends OfflineCloudOptions {
    readonly stack: string;
    readonly project?: string;
    /** The stack file's `config:` map, values as written (structured). */
    readonly config: Readonly<Record<string, unknown>>;
    /** Preview: unknown values stay unknown. */
    readonly preview?: boolean;
    /** Print what the program logs (pulumi.log) instead of only returning it. Default false. */
    readonly printLogs?: boolean;
}

export interface OfflineRunResult {
    readonly cloud: OfflineCloud;
    /** Stack outputs, resolved. */
    readonly outputs: Record<string, unknown>;
    /** Names of stack outputs that are secret. */
    readonly secretOutputs: ReadonlySet<string>;
    /** Errors the program raised, in order. */
    readonly errors: Error[];
    /** What the program logged through pulumi.log (`warning: …`), in order. */
    readonly logs: string[];
}

/** The engine's view of a config map: namespaced keys, every value a string (JSON for non-strings). */
export function engineConfig(config: Readonly<Record<string, unknown>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const name = key.includes(":") ? key : `${NAMESPACE}:${key}`;
        out[name] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

async function resolve(value: unknown): Promise<{ value: unknown; secret: boolean }> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const [resolved, secret] = await Promise.all([
            new Promise<unknown>((r) => output.apply((v) => r(v))),
            pulumi.isSecret(output),
        ]);
        const inner = await resolve(resolved);
        return { value: inner.value, secret: secret || inner.secret };
    }
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map(resolve));
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)] as const));
        return {
            value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
            secret: entries.some(([, r]) => r.secret),
        };
    }
    return { value, secret: false };
}

/**
 * Run `program` against a fresh offline cloud, or against `cloud` when given (a subclass that
 * hands some resource types to a real service).
 */
export async function runOffline(
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    options: OfflineRunOptions,
    cloud: OfflineCloud = new OfflineCloud(options),
): Promise<OfflineRunResult> {
    await installOfflineCloud(cloud, { project: options.project ?? NAMESPACE, stack: options.stack, preview: options.preview });
    pulumi.runtime.setAllConfig(engineConfig(options.config));
    const errors: Error[] = [];
    // Without an engine, pulumi.log writes to the console; keep those lines with the run.
    const logs: string[] = [];
    const console_ = { log: console.log, warn: console.warn, error: console.error };
    if (!options.printLogs) {
        for (const level of ["log", "warn", "error"] as const) {
            console[level] = (...parts: unknown[]) => {
                const line = parts.map(String).join(" ");
                if (/^(debug|info|warning|error): \[runtime\] /.test(line)) logs.push(line.replace(" [runtime]", ""));
                else console_[level](...parts);
            };
        }
    }
    const onRejection = (reason: unknown) => errors.push(reason instanceof Error ? reason : new Error(String(reason)));
    process.on("unhandledRejection", onRejection);
    const outputs: Record<string, unknown> = {};
    const secretOutputs = new Set<string>();
    try {
        const exported = await program();
        for (const [name, value] of Object.entries(exported)) {
            const resolved = await resolve(value);
            outputs[name] = resolved.value;
            if (resolved.secret) secretOutputs.add(name);
        }
    } catch (e) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
    } finally {
        await settle().catch((e: unknown) => errors.push(e instanceof Error ? e : new Error(String(e))));
        // A failed run rejects many outputs, surfacing over several turns of the event loop;
        // wait until turns bring no new one, so none lands in the next run.
        for (let quiet = 0, seen = -1; quiet < 3; ) {
            await new Promise((r) => setImmediate(r));
            quiet = errors.length === seen ? quiet + 1 : 0;
            seen = errors.length;
        }
        process.off("unhandledRejection", onRejection);
        Object.assign(console, console_);
    }
    return { cloud, outputs, secretOutputs, errors, logs };
}
