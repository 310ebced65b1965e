/**
 * Checks and small derivations on the renderers' inputs. The seam types are plain strings
 * (they cross into other languages); this module turns them into checked values once, with
 * errors that name the field, the value and the fix.
 */
import { parseAddress, parseCidr } from "../addressing/cidr";
import { familyFacts, IpFamily, isIpFamily } from "../addressing/family";
import { isDnsLabel, isHost, quoted } from "../addressing/names";
import { parseKubernetesVersionParts } from "../addressing/rules/versions";
import { PROXY_MODES } from "../config/types";
import { API_SERVER_PORT, ClusterBootstrap, NODE_ROLES, NodeFacts, NodeRole } from "./types";

/** Thrown when the renderers are given inputs they cannot render. */
export class BootstrapInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "BootstrapInputError";
    }
}

/** kubeadm bootstrap token format (`[a-z0-9]{6}.[a-z0-9]{16}`). */
export const BOOTSTRAP_TOKEN_PATTERN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** A discovery hash as kubeadm prints it. */
export const CA_CERT_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** A parsed Kubernetes version. */
export interface KubernetesVersion {
    /** `1.34`: names the pkgs.k8s.io repository. */
    readonly minor: string;
    /** `1.34.2` when the patch is pinned. */
    readonly patch?: string;
}

/** Parse `1.34` or `1.34.2` (an optional leading `v` is accepted), as rules/versions.ts reads versions. */
export function parseKubernetesVersion(text: string): KubernetesVersion {
    const parts = typeof text === "string" ? parseKubernetesVersionParts(text) : undefined;
    if (parts === undefined) {
        throw new BootstrapInputError(
            `kubernetesVersion ${shown(text)} is not a Kubernetes version: write MAJOR.MINOR ("1.34") or MAJOR.MINOR.PATCH ("1.34.2").`,
        );
    }
    const minor = `${parts.major}.${parts.minor}`;
    return { minor, patch: parts.patch === undefined ? undefined : `${minor}.${parts.patch}` };
}

/** The cluster's families, checked: one or two distinct families. */
export function clusterFamilies(cluster: ClusterBootstrap): IpFamily[] {
    const families = cluster.ipFamilies;
    if (families.length < 1 || families.length > 2 || !families.every(isIpFamily) || new Set(families).size !== families.length) {
        throw new BootstrapInputError(
            `ipFamilies ${JSON.stringify(families)} must be one family or two distinct ones, primary first: ["IPv4"], ["IPv6"], ["IPv4", "IPv6"] or ["IPv6", "IPv4"].`,
        );
    }
    return families as IpFamily[];
}

/** A value for an error message: quoted and escaped, and cut when long (user values may be anything). */
function shown(value: unknown): string {
    const text = typeof value === "string" ? value : String(value);
    return quoted(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/** A DNS-1123 subdomain, as Kubernetes requires of Node names (and as host names go). */
export function isNodeName(name: string): boolean {
    const label = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    return name.length <= 253 && new RegExp(`^${label}(\\.${label})*$`).test(name);
}

/** The node's address of one family, if any. */
export function nodeAddress(node: NodeFacts, family: IpFamily): string | undefined {
    return family === "IPv4" ? node.addressIPv4 : node.addressIPv6;
}

/** The node mask of one family. */
export function nodeMask(cluster: ClusterBootstrap, family: IpFamily): number | undefined {
    return family === "IPv4" ? cluster.nodeMaskIPv4 : cluster.nodeMaskIPv6;
}

/** `host:port`, with brackets around an IPv6 literal. */
export function hostPort(host: string, port = API_SERVER_PORT): string {
    return parseAddress(host)?.family === "IPv6" ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The node's role, checked. */
export function nodeRole(node: NodeFacts): NodeRole {
    if (!(NODE_ROLES as readonly string[]).includes(node.role)) {
        throw new BootstrapInputError(
            `node ${shown(node.name)}: role ${shown(node.role)} is not one of ${NODE_ROLES.join(", ")}.`,
        );
    }
    return node.role as NodeRole;
}

/** True for the roles that run a control plane (and get the CA keys). */
export function isControlPlane(role: NodeRole): boolean {
    return role === "control-plane-init" || role === "control-plane-join";
}

/**
 * Check everything the renderers rely on, so that a bad input fails with one clear
 * message instead of a broken node. Returns the checked families.
 */
export function checkInputs(cluster: ClusterBootstrap, node: NodeFacts): IpFamily[] {
    const families = clusterFamilies(cluster);
    const role = nodeRole(node);
    parseKubernetesVersion(cluster.kubernetesVersion);
    // Every string below reaches the cloud-config (a comment line, YAML values), kubeadm's YAML
    // or the shell environment file: each is checked here, at the renderers' boundary, so that
    // a library caller cannot put a line break, a NUL or YAML of its own into a node's user-data.
    if (typeof cluster.clusterName !== "string" || !isDnsLabel(cluster.clusterName)) {
        throw new BootstrapInputError(
            `clusterName ${shown(cluster.clusterName)} is not a valid cluster name: use a DNS label (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters).`,
        );
    }
    if (typeof node.name !== "string" || !isNodeName(node.name)) {
        throw new BootstrapInputError(
            `node name ${shown(node.name)} is not a valid Kubernetes node name: use lower-case letters, digits, "-" and ".", labels of at most 63 characters that start and end with a letter or digit, 253 characters in all.`,
        );
    }
    if (!(PROXY_MODES as readonly string[]).includes(cluster.proxyMode)) {
        throw new BootstrapInputError(`proxyMode ${shown(cluster.proxyMode)} is not one of ${PROXY_MODES.join(", ")}.`);
    }
    for (const [field, list] of [
        ["podCidrs", cluster.podCidrs],
        ["serviceCidrs", cluster.serviceCidrs],
    ] as const) {
        if (list.length !== families.length) {
            throw new BootstrapInputError(
                `${field} ${JSON.stringify(list)} must hold one CIDR per cluster family (${families.join(", ")}), in that order.`,
            );
        }
        list.forEach((text, i) => {
            const parsed = parseCidr(text);
            if (!parsed.ok || parsed.cidr.family !== families[i]) {
                throw new BootstrapInputError(
                    `${field}[${i}] ${shown(text)} must be an ${families[i]} CIDR: the lists follow ipFamilies (${families.join(", ")}).`,
                );
            }
        });
    }
    for (const family of families) {
        const mask = nodeMask(cluster, family);
        const facts = familyFacts(family);
        if (mask === undefined || !Number.isInteger(mask) || mask < 1 || mask > facts.bits) {
            throw new BootstrapInputError(
                `nodeMask${facts.keySuffix} is ${mask}: ${family} is a cluster family, so it needs an integer node mask between 1 and ${facts.bits}.`,
            );
        }
    }
    for (const family of ["IPv4", "IPv6"] as IpFamily[]) {
        if (!families.includes(family) && nodeMask(cluster, family) !== undefined) {
            throw new BootstrapInputError(
                `nodeMask${familyFacts(family).keySuffix} is set but ${family} is not a cluster family: kube-controller-manager refuses node-cidr-mask-size-${familyFacts(family).lowerSuffix} on a cluster without it. Leave it undefined.`,
            );
        }
        const address = nodeAddress(node, family);
        if (address !== undefined && parseAddress(address)?.family !== family) {
            throw new BootstrapInputError(`node ${node.name}: address${family} ${shown(address)} is not an ${family} address.`);
        }
    }
    for (const family of families) {
        if (nodeAddress(node, family) === undefined) {
            throw new BootstrapInputError(
                `node ${node.name} has no ${family} address, but ${family} is a cluster family: kubelet's node-ip needs one address per cluster family. Give the node a port in the ${family} node subnet.`,
            );
        }
    }
    for (const [field, token] of [
        ["joinToken", cluster.joinToken],
        ["initToken", cluster.initToken],
    ] as const) {
        // Never echo a token: it is a secret.
        if (!BOOTSTRAP_TOKEN_PATTERN.test(token)) {
            throw new BootstrapInputError(`${field} is not a kubeadm bootstrap token: it must match [a-z0-9]{6}.[a-z0-9]{16}.`);
        }
    }
    if (cluster.joinToken.slice(0, 6) === cluster.initToken.slice(0, 6)) {
        throw new BootstrapInputError("joinToken and initToken have the same token id: they must be two different tokens.");
    }
    if (cluster.caCertHashes.length === 0 || !cluster.caCertHashes.every((h) => CA_CERT_HASH_PATTERN.test(h))) {
        throw new BootstrapInputError(
            `caCertHashes ${JSON.stringify(cluster.caCertHashes)} must hold at least one "sha256:<64 hex digits>" hash of the cluster CA's public key.`,
        );
    }
    if (role !== "control-plane-init" && !cluster.controlPlaneEndpoint) {
        throw new BootstrapInputError(
            `node ${node.name} (${role}) needs controlPlaneEndpoint to join: set it to the API load balancer address, the DNS name, or the first control plane's address.`,
        );
    }
    if (cluster.controlPlaneEndpoint !== undefined && !isHost(cluster.controlPlaneEndpoint)) {
        throw new BootstrapInputError(
            `controlPlaneEndpoint ${shown(cluster.controlPlaneEndpoint)} is neither an IP address nor a DNS name: give the API load balancer address, the DNS name, or the first control plane's address, without a port.`,
        );
    }
    for (const san of cluster.certSANs) {
        if (typeof san !== "string" || !isHost(san.startsWith("*.") ? san.slice(2) : san)) {
            throw new BootstrapInputError(
                `certSANs holds ${shown(san)}, which is neither an IP address nor a DNS name (a leading "*." is allowed): kubeadm puts each into the API server certificate.`,
            );
        }
    }
    for (const cidrText of cluster.nodeSubnetCidrs) {
        if (typeof cidrText !== "string" || !parseCidr(cidrText).ok) {
            throw new BootstrapInputError(`nodeSubnetCidrs holds ${shown(cidrText)}, which is not a CIDR.`);
        }
    }
    if (isControlPlane(role)) {
        for (const [field, pem] of Object.entries(cluster.pki)) {
            if (!/^-----BEGIN [A-Z ]+-----\n/.test(pem)) {
                throw new BootstrapInputError(`pki.${field} is not PEM text: control planes need every CA certificate and key.`);
            }
        }
    }
    return families;
}
