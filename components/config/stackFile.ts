/**
 * Reading Pulumi stack files (`stacks/Pulumi.<stack>.yaml`): a top-level `config:` map.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isNode, isScalar, isSeq, parseDocument } from "yaml";

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

/** The largest input file read (stack files, policy pack configurations): 1 MiB. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** What an inode that is not a regular file is, for the one-line reason. */
function fileKind(stat: fs.Stats): string {
    if (stat.isDirectory()) return "is a directory";
    if (stat.isFIFO()) return "is a named pipe (FIFO), not a regular file";
    if (stat.isCharacterDevice() || stat.isBlockDevice()) return "is a device, not a regular file";
    if (stat.isSocket()) return "is a socket, not a regular file";
    return "is not a regular file";
}

/**
 * Read a regular file of at most `limit` bytes as UTF-8. A FIFO, a device or a directory is
 * refused without reading from it (opened non-blocking, so a FIFO without a writer cannot hang
 * the command), and so is a file over the limit (nothing reads more than limit + 1 bytes).
 */
export function readInputFile(file: string, limit = MAX_INPUT_FILE_BYTES): string {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message;
        throw new UnreadableStackFileError(file, reason);
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new UnreadableStackFileError(file, fileKind(stat));
        const tooLarge = () => new UnreadableStackFileError(file, `is larger than ${limit} bytes, the limit for an input file`);
        if (stat.size > limit) throw tooLarge();
        const buffer = Buffer.alloc(limit + 1);
        let length = 0;
        for (;;) {
            const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
            if (read === 0) break;
            length += read;
            // The file grew after fstat: stop at the limit instead of reading on.
            if (length > limit) throw tooLarge();
        }
        return buffer.subarray(0, length).toString("utf8");
    } catch (e) {
        if (e instanceof UnreadableStackFileError) throw e;
        throw new UnreadableStackFileError(file, (e as NodeJS.ErrnoException).code === "EISDIR" ? "is a directory" : (e as Error).message);
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Parse a stack file's text as the Pulumi CLI reads it (gopkg.in/yaml.v3): `<<` merge keys
 * are merged. Aliases that expand too far are refused (the `yaml` package's resource limit).
 */
export function parseStackFile(file: string, text: string): StackFile {
    let document: ReturnType<typeof parseDocument>;
    try {
        // The package's own duplicate-key check is quadratic in a map's size (40,000 keys: half
        // a minute); duplicateKey below does the same check in one pass.
        document = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: false });
    } catch (e) {
        throw new UnreadableStackFileError(file, `not valid YAML: ${firstLine((e as Error).message)}`);
    }
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    if (document.errors.length > 0) {
        const first = document.errors[0];
        throw new UnreadableStackFileError(file, `not valid YAML (line ${lineOf(first.pos[0])}): ${firstLine(first.message)}`);
    }
    const duplicate = duplicateKey(document.contents);
    if (duplicate !== undefined) {
        // Pulumi (gopkg.in/yaml.v3) refuses a map with a key twice, and so does the `yaml` package by default.
        throw new UnreadableStackFileError(file, `not valid YAML (line ${lineOf(duplicate)}): Map keys must be unique`);
    }
    let data: unknown;
    try {
        data = document.toJS();
    } catch (e) {
        const reason =
            e instanceof ReferenceError && /alias/i.test(e.message)
                ? "its YAML aliases expand too far (a resource-exhaustion guard); write the values out instead of nesting aliases"
                : `not usable YAML: ${firstLine((e as Error).message)}`;
        throw new UnreadableStackFileError(file, reason);
    }
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

/** The offset of the first key that repeats an earlier key of its map, anywhere in the tree. */
function duplicateKey(root: unknown): number | undefined {
    const stack: unknown[] = [root];
    while (stack.length > 0) {
        const node = stack.pop();
        if (isMap(node)) {
            const seen = new Set<string>();
            for (const pair of node.items) {
                const key = isScalar(pair.key) ? `${typeof pair.key.value}:${String(pair.key.value)}` : `node:${String(pair.key)}`;
                if (seen.has(key) && key !== "string:<<") return (isNode(pair.key) ? pair.key.range?.[0] : undefined) ?? 0;
                seen.add(key);
                stack.push(pair.value);
            }
        } else if (isSeq(node)) {
            for (const item of node.items) stack.push(item);
        }
    }
    return undefined;
}

function firstLine(message: string): string {
    return message.split("\n")[0];
}

/** Read and parse a stack file (a regular file of at most MAX_INPUT_FILE_BYTES). */
export function readStackFile(file: string): StackFile {
    return parseStackFile(file, readInputFile(file));
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

/** Pulumi's stack names: letters, digits, `-`, `_` and `.`, at most 100 characters (so never a path). */
export function isStackName(name: string): boolean {
    return /^[A-Za-z0-9_.-]{1,100}$/.test(name) && name !== "." && name !== "..";
}

/** The stack file of a named stack: `<project>/stacks/Pulumi.<name>.yaml`. */
export function stackFilePath(stack: string, start: string = process.cwd()): string {
    const root = findProjectRoot(start) ?? path.resolve(start);
    const relative = path.relative(process.cwd(), path.join(root, "stacks", `Pulumi.${stack}.yaml`));
    return relative.startsWith("..") ? path.join(root, "stacks", `Pulumi.${stack}.yaml`) : relative;
}
