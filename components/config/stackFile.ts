/**
 * Reading Pulumi stack files (`stacks/Pulumi.<stack>.yaml`): a top-level `config:` map.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";

/** A stack file that could not be used at all (the CLI exits 2 with this one-line reason). */
export class UnreadableStackFileError extends Error {
    constructor(readonly file: string, reason: string) {
        super(`${file}: ${reason}`);
        this.name = "UnreadableStackFileError";
    }
}

/** A stack file's contents. */
export interface StackFile {
    readonly file: string;
    /** The stack name, from `Pulumi.<stack>.yaml`, or the file's base name. */
    readonly stack: string;
    /** The `config:` map, keys as written. */
    readonly config: Record<string, unknown>;
}

/** The stack name a file name implies: `Pulumi.dev.yaml` → `dev`. */
export function stackNameOf(file: string): string {
    const base = path.basename(file);
    const match = /^Pulumi\.(.+)\.ya?ml$/.exec(base);
    return match ? match[1] : base.replace(/\.ya?ml$/, "");
}

/** Parse a stack file's text. */
export function parseStackFile(file: string, text: string): StackFile {
    const document = parseDocument(text, { prettyErrors: false });
    if (document.errors.length > 0) {
        const first = document.errors[0];
        const line = text.slice(0, first.pos[0]).split("\n").length;
        throw new UnreadableStackFileError(file, `not valid YAML${line ? ` (line ${line})` : ""}: ${first.message.split("\n")[0]}`);
    }
    const data: unknown = document.toJS();
    if (data === null || data === undefined) {
        throw new UnreadableStackFileError(file, "the file is empty; a stack file has a top-level config: map");
    }
    if (typeof data !== "object" || Array.isArray(data)) {
        throw new UnreadableStackFileError(file, "not a stack file: expected a map with a top-level config: key");
    }
    const config = (data as Record<string, unknown>).config;
    if (config === undefined || config === null) {
        return { file, stack: stackNameOf(file), config: {} };
    }
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new UnreadableStackFileError(file, "config: must be a map of keys such as dualstack:ipFamilies");
    }
    return { file, stack: stackNameOf(file), config: config as Record<string, unknown> };
}

/** Read and parse a stack file. */
export function readStackFile(file: string): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message;
        throw new UnreadableStackFileError(file, reason);
    }
    return parseStackFile(file, text);
}

/** The directory holding `Pulumi.yaml`, searching upwards from `start`. */
export function findProjectRoot(start: string = process.cwd()): string | undefined {
    let dir = path.resolve(start);
    for (;;) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        const parent = path.dirname(dir);
        if (parent === dir) return undefined;
        dir = parent;
    }
}

/** The stack file of a named stack: `<project>/stacks/Pulumi.<name>.yaml`. */
export function stackFilePath(stack: string, start: string = process.cwd()): string {
    const root = findProjectRoot(start) ?? path.resolve(start);
    const relative = path.relative(process.cwd(), path.join(root, "stacks", `Pulumi.${stack}.yaml`));
    return relative.startsWith("..") ? path.join(root, "stacks", `Pulumi.${stack}.yaml`) : relative;
}
