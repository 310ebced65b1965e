/**
 * Keeping secrets out of what the offline plan prints or writes: every PEM block, every
 * value that was secret in the run, and the base64 forms of those values.
 */
import { RecordedResource } from "./cloud";

/** A PEM boundary line's marker: `-----BEGIN <label>-----` or `-----END <label>-----`. */
const PEM_MARKER = /-----(BEGIN|END) ([A-Z0-9 ]+)-----/g;

/**
 * Replace each PEM block (a BEGIN marker up to the first later END marker of its label) with
 * `[redacted <label>]`, in one pass over the markers: linear in the text, however many
 * unterminated BEGIN markers it holds (a lazy regular expression would rescan the rest of the
 * text from each of them).
 */
export function redactPemBlocks(text: string): string {
    const markers = [...text.matchAll(PEM_MARKER)];
    const endsByLabel = new Map<string, number[]>();
    markers.forEach((marker, index) => {
        if (marker[1] !== "END") return;
        const ends = endsByLabel.get(marker[2]);
        if (ends === undefined) endsByLabel.set(marker[2], [index]);
        else ends.push(index);
    });
    const nextEnd = new Map<string, number>();
    let out = "";
    let cursor = 0;
    markers.forEach((marker, index) => {
        const start = marker.index ?? 0;
        if (marker[1] !== "BEGIN" || start < cursor) return;
        const ends = endsByLabel.get(marker[2]) ?? [];
        let next = nextEnd.get(marker[2]) ?? 0;
        while (next < ends.length && ends[next] < index) next++;
        nextEnd.set(marker[2], next);
        if (next === ends.length) return;
        const end = markers[ends[next]];
        out += `${text.slice(cursor, start)}[redacted ${marker[2].toLowerCase()}]`;
        cursor = (end.index ?? 0) + end[0].length;
    });
    return out + text.slice(cursor);
}

/** Strings inside a value (nested objects and lists included). */
function stringsIn(value: unknown, into: Set<string>): void {
    if (typeof value === "string") into.add(value);
    else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, into));
    else if (value !== null && typeof value === "object") Object.values(value).forEach((v) => stringsIn(v, into));
}

/**
 * The secrets a run generated: secret outputs of random and tls resources (tokens, private
 * keys), plus extra values. Secrets built from them (user-data, kubeconfig) are not listed
 * themselves, so a user-data can be shown with only its keys and token redacted.
 */
export function secretValues(resources: readonly RecordedResource[], extra: readonly unknown[] = []): string[] {
    const found = new Set<string>();
    for (const resource of resources) {
        if (!/^(random|tls):/.test(resource.type)) continue;
        for (const name of resource.secretOutputs) stringsIn(resource.outputs[name], found);
    }
    extra.forEach((v) => stringsIn(v, found));
    // Short strings ("true", a port) would redact innocent text; secrets here are keys, tokens, user-data.
    return [...found].filter((s) => s.length >= 12);
}

/** Replace PEM blocks and secret values (and their base64 forms) in a text. */
export function redact(text: string, secrets: readonly string[]): string {
    let out = redactPemBlocks(text);
    const forms = new Set<string>();
    for (const secret of secrets) {
        forms.add(secret);
        forms.add(Buffer.from(secret).toString("base64"));
    }
    // Longest first, so a secret containing another is replaced whole.
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
        if (form.length >= 12 && out.includes(form)) out = out.split(form).join("[secret]");
    }
    return out;
}
