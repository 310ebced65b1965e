/**
 * Names that reach machines, certificates and files: DNS labels (cluster, pool and node
 * names) and DNS names (the API's name, certificate names). One definition for the
 * configuration, the components and the bootstrap renderers.
 */
import { parseAddress } from "./cidr";

/** An RFC 1123 label in lower case, as OpenStack host names and Kubernetes node names need it. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A DNS name: dot-separated RFC 1123 labels of letters, digits and `-` (either case), at most
 * 253 characters. A dotted-decimal address such as `10.0.0.1` has the same shape but is not a
 * name: certificates and kubeconfigs treat it as an address.
 */
export const DNS_NAME = /^(?=.{1,253}$)(?![0-9.]+$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** True for a DNS label (lower case, at most 63 characters). */
export function isDnsLabel(text: string): boolean {
    return DNS_LABEL.test(text);
}

/** True for a DNS name (not an address). */
export function isDnsName(text: string): boolean {
    return DNS_NAME.test(text);
}

/** True for an IP address of either family or a DNS name: what a host in a URL or a certificate can be. */
export function isHost(text: string): boolean {
    return parseAddress(text) !== undefined || isDnsName(text);
}

/** A value for a message: quoted with escapes (a newline shows as `\n`), so it can never break the line. */
export function quoted(value: string): string {
    return JSON.stringify(value);
}
