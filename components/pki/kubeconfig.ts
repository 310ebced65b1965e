/**
 * A kubeconfig with embedded credentials, as `kubeadm kubeconfig user` writes one.
 *
 * Upstream: https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/
 */
import * as YAML from "yaml";

/** What a client-certificate kubeconfig is made of. */
export interface KubeconfigParts {
    /** Cluster name (cluster entry and context). */
    clusterName: string;
    /** API server URL, e.g. `https://api.example.com:6443`. */
    server: string;
    /** CA certificate that signs the API server's certificate. */
    caCertPem: string;
    /** User name in the kubeconfig. */
    userName: string;
    clientCertPem: string;
    clientKeyPem: string;
}

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

/** The kubeconfig as YAML text. It holds a private key: keep it secret. */
export function buildKubeconfig(parts: KubeconfigParts): string {
    if (!/^https:\/\/\S+$/.test(parts.server)) {
        throw new Error(`kubeconfig: server "${parts.server}" must be an https:// URL, e.g. https://api.example.com:6443.`);
    }
    const context = `${parts.userName}@${parts.clusterName}`;
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: parts.clusterName, cluster: { server: parts.server, "certificate-authority-data": b64(parts.caCertPem) } }],
        users: [
            {
                name: parts.userName,
                user: { "client-certificate-data": b64(parts.clientCertPem), "client-key-data": b64(parts.clientKeyPem) },
            },
        ],
        contexts: [{ name: context, context: { cluster: parts.clusterName, user: parts.userName } }],
        "current-context": context,
        preferences: {},
    });
}
