/** Where the CLI writes: stdout and stderr, swappable in tests. */
export interface Io {
    out(text: string): void;
    err(text: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};
