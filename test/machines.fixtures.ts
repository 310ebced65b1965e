/**
 * Shared inputs for the network, endpoint and machines tests: a cluster's bootstrap facts
 * with recognisable fake key material, and a helper that decodes Nova user-data.
 */
import { ClusterBootstrap, decodeNovaUserData, NovaUserData } from "../components/bootstrap";

/** PEM text that is recognisable in rendered user-data. */
export function fakePem(label: string, marker: string): string {
    return `-----BEGIN ${label}-----\n${Buffer.from(marker).toString("base64")}\n-----END ${label}-----\n`;
}

/** The CA private key marker: must appear in control-plane user-data only. */
export const CA_KEY_MARKER = "cluster-ca-private-key-marker";

/** Bootstrap facts of a cluster of the given families (primary first). */
export function clusterBootstrap(ipFamilies: string[], overrides: Partial<ClusterBootstrap> = {}): ClusterBootstrap {
    const pods: Record<string, string> = { IPv4: "10.244.0.0/16", IPv6: "fd00:10:244::/56" };
    const services: Record<string, string> = { IPv4: "10.96.0.0/16", IPv6: "fd00:10:96::/112" };
    return {
        clusterName: "demo",
        kubernetesVersion: "1.34",
        ipFamilies,
        podCidrs: ipFamilies.map((f) => pods[f]),
        serviceCidrs: ipFamilies.map((f) => services[f]),
        nodeMaskIPv4: ipFamilies.includes("IPv4") ? 24 : undefined,
        nodeMaskIPv6: ipFamilies.includes("IPv6") ? 64 : undefined,
        proxyMode: "nftables",
        controlPlaneEndpoint: "api.demo.example.org",
        certSANs: ["api.demo.example.org"],
        nodeSubnetCidrs: [],
        joinToken: "abcdef.0123456789abcdef",
        initToken: "uvwxyz.0123456789abcdef",
        caCertHashes: [`sha256:${"a".repeat(64)}`],
        pki: {
            caCertPem: fakePem("CERTIFICATE", "cluster-ca-cert"),
            caKeyPem: fakePem("PRIVATE KEY", CA_KEY_MARKER),
            frontProxyCaCertPem: fakePem("CERTIFICATE", "front-proxy-ca-cert"),
            frontProxyCaKeyPem: fakePem("PRIVATE KEY", "front-proxy-ca-key"),
            etcdCaCertPem: fakePem("CERTIFICATE", "etcd-ca-cert"),
            etcdCaKeyPem: fakePem("PRIVATE KEY", "etcd-ca-key"),
            serviceAccountPublicKeyPem: fakePem("PUBLIC KEY", "sa-pub"),
            serviceAccountPrivateKeyPem: fakePem("PRIVATE KEY", "sa-key"),
        },
        ...overrides,
    };
}

/** The cloud-config text of an instance's recorded userData input. */
export function userDataText(recorded: unknown): string {
    const text = String(recorded);
    if (text.startsWith("#cloud-config")) return text;
    return decodeNovaUserData({ userData: text, encoding: "gzip+base64" } as NovaUserData);
}
