/**
 * YAML output for nodes. kubeadm (go-yaml) and cloud-init (PyYAML) read YAML 1.1, where
 * `0600` is an octal number and `yes` a boolean; writing with 1.1 rules quotes every string
 * those readers would otherwise turn into something else.
 */
import * as YAML from "yaml";

const OPTIONS = { version: "1.1", lineWidth: 0 } as const;

/** One YAML document. */
export function stringifyDocument(value: unknown): string {
    return new YAML.Document(value, OPTIONS).toString(OPTIONS);
}

/** Several documents separated by `---`. */
export function stringifyDocuments(values: readonly unknown[]): string {
    return values.map(stringifyDocument).join("---\n");
}
