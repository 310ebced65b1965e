/**
 * kubeadm's CA discovery hash: `sha256:` and the hex SHA-256 of the CA public key's DER
 * SubjectPublicKeyInfo, the value `kubeadm join --discovery-token-ca-cert-hash` takes.
 * Same as `openssl x509 -pubkey -in ca.crt | openssl pkey -pubin -outform der | sha256sum`.
 *
 * Upstream: https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-join/#token-based-discovery-with-ca-pinning
 */
import * as crypto from "crypto";

/** The discovery hash of a public key given as PEM (PKIX `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`). */
export function caCertHash(publicKeyPem: string): string {
    let spki: Buffer;
    try {
        spki = crypto.createPublicKey(publicKeyPem).export({ type: "spki", format: "der" });
    } catch (e) {
        throw new Error(`caCertHash: the CA public key is not a PEM public key (${(e as Error).message}).`);
    }
    return `sha256:${crypto.createHash("sha256").update(spki).digest("hex")}`;
}
