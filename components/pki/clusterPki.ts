/**
 * The cluster's PKI and bootstrap tokens, made by Pulumi so that every control plane gets
 * the same CAs on first boot and the admin kubeconfig exists before the cluster does:
 * cluster CA, front-proxy CA, etcd CA, the service-account key pair, an admin client
 * certificate and its kubeconfig, the CA discovery hash, the init token and the long-lived
 * join token. Keys, tokens and the kubeconfig are secret in state and outputs.
 *
 * Upstream: https://kubernetes.io/docs/setup/best-practices/certificates/
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { ClusterPkiMaterial } from "../bootstrap/types";
import { caCertHash } from "./hash";
import { buildKubeconfig } from "./kubeconfig";

/** Key algorithms the PKI can use. */
export const KEY_ALGORITHMS = ["RSA", "ECDSA"] as const;

/** Groups the admin certificate can carry. */
export const ADMIN_GROUPS = ["kubeadm:cluster-admins", "system:masters"] as const;

/** Defaults, as kubeadm chooses them. */
export const PKI_DEFAULTS = {
    keyAlgorithm: "RSA",
    rsaBits: 2048,
    ecdsaCurve: "P256",
    /** kubeadm's CA lifetime: ten years. */
    caValidityHours: 87600,
    /** kubeadm's leaf certificate lifetime: one year. */
    adminValidityHours: 8760,
    /** Renew the admin certificate on the first `pulumi up` in its last 30 days. */
    adminEarlyRenewalHours: 720,
    adminGroup: "kubeadm:cluster-admins",
    adminUser: "kubernetes-admin",
} as const;

/**
 * Arguments of ClusterPki. Inputs: the API server URL and the token rotation. Plain: the
 * cluster name, the key algorithm and validity periods (checked before anything is
 * registered) and the admin group.
 */
export interface ClusterPkiArgs {
    /** Cluster name: names the kubeconfig's cluster and context. */
    clusterName: string;
    /**
     * URL of the API for the admin kubeconfig, e.g. `https://api.example.com:6443` or
     * `https://203.0.113.10:6443`. Without it there is no `adminKubeconfig` output (build one
     * with `buildKubeconfig` once the URL is known, as the Cluster component does when the
     * API's only address is a machine's own).
     */
    apiServerUrl?: pulumi.Input<string>;
    /** `RSA` (2048 bits, kubeadm's default) or `ECDSA` (P-256). Default `RSA`. */
    keyAlgorithm?: string;
    /**
     * Group (certificate O) of the admin certificate: `kubeadm:cluster-admins` (default; bound
     * to cluster-admin by kubeadm, revocable by deleting that ClusterRoleBinding) or
     * `system:masters` (a break-glass group no RBAC change can revoke).
     * See https://kubernetes.io/docs/reference/setup-tools/kubeadm/implementation-details/
     */
    adminGroup?: string;
    /** CA validity in hours. Default 87600 (ten years). */
    caValidityHours?: number;
    /** Admin certificate validity in hours. Default 8760 (one year); renewed by `pulumi up` in its last 30 days. */
    adminValidityHours?: number;
    /**
     * Any value; changing it issues a new long-lived join token (`dualstack:bootstrap.tokenRotation`).
     * Only machines created afterwards use the new token. See docs/bootstrap.md.
     */
    tokenRotation?: pulumi.Input<string>;
}

/** What createClusterPki returns; the component exposes the same as outputs. */
export interface ClusterPkiOutputs {
    caCertPem: pulumi.Output<string>;
    caKeyPem: pulumi.Output<string>;
    frontProxyCaCertPem: pulumi.Output<string>;
    frontProxyCaKeyPem: pulumi.Output<string>;
    etcdCaCertPem: pulumi.Output<string>;
    etcdCaKeyPem: pulumi.Output<string>;
    serviceAccountPublicKeyPem: pulumi.Output<string>;
    serviceAccountPrivateKeyPem: pulumi.Output<string>;
    adminCertPem: pulumi.Output<string>;
    adminKeyPem: pulumi.Output<string>;
    adminKubeconfig?: pulumi.Output<string>;
    caCertHash: pulumi.Output<string>;
    initToken: pulumi.Output<string>;
    joinTokenId: pulumi.Output<string>;
    joinTokenSecret: pulumi.Output<string>;
    joinToken: pulumi.Output<string>;
    material: pulumi.Output<ClusterPkiMaterial>;
}

/** Check the plain arguments; throws before any resource is registered. */
export function checkClusterPkiArgs(args: ClusterPkiArgs): void {
    if (typeof args.clusterName !== "string" || args.clusterName.length === 0) {
        throw new Error("ClusterPki: clusterName must be a non-empty string.");
    }
    if (args.keyAlgorithm !== undefined && !(KEY_ALGORITHMS as readonly string[]).includes(args.keyAlgorithm)) {
        throw new Error(`ClusterPki: keyAlgorithm "${args.keyAlgorithm}" is not one of ${KEY_ALGORITHMS.join(", ")}.`);
    }
    if (args.adminGroup !== undefined && !(ADMIN_GROUPS as readonly string[]).includes(args.adminGroup)) {
        throw new Error(`ClusterPki: adminGroup "${args.adminGroup}" is not one of ${ADMIN_GROUPS.join(", ")}.`);
    }
    for (const [field, value, min] of [
        ["caValidityHours", args.caValidityHours, 24 * 365],
        ["adminValidityHours", args.adminValidityHours, PKI_DEFAULTS.adminEarlyRenewalHours + 24],
    ] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < min)) {
            throw new Error(`ClusterPki: ${field} is ${value}; it must be a whole number of hours, at least ${min}.`);
        }
    }
    const adminHours = args.adminValidityHours ?? PKI_DEFAULTS.adminValidityHours;
    const caHours = args.caValidityHours ?? PKI_DEFAULTS.caValidityHours;
    if (adminHours > caHours) {
        throw new Error(`ClusterPki: adminValidityHours (${adminHours}) must not exceed caValidityHours (${caHours}).`);
    }
}

const CA_USES = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"];

/** The admin kubeconfig with embedded client credentials, as a secret. */
function adminKubeconfig(
    clusterName: string,
    apiServerUrl: pulumi.Input<string>,
    caCert: tls.SelfSignedCert,
    adminCert: tls.LocallySignedCert,
    adminKey: tls.PrivateKey,
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([apiServerUrl, caCert.certPem, adminCert.certPem, adminKey.privateKeyPem]).apply(([server, caCertPem, clientCertPem, clientKeyPem]) =>
            buildKubeconfig({ clusterName, server, caCertPem, userName: PKI_DEFAULTS.adminUser, clientCertPem, clientKeyPem }),
        ),
    );
}

/** Create the PKI and tokens as children of `parent`. */
export function createClusterPki(name: string, args: ClusterPkiArgs, parent: pulumi.Resource): ClusterPkiOutputs {
    checkClusterPkiArgs(args);
    const opts = { parent };
    const algorithm = args.keyAlgorithm ?? PKI_DEFAULTS.keyAlgorithm;
    const keyArgs: tls.PrivateKeyArgs =
        algorithm === "ECDSA" ? { algorithm, ecdsaCurve: PKI_DEFAULTS.ecdsaCurve } : { algorithm, rsaBits: PKI_DEFAULTS.rsaBits };
    const caHours = args.caValidityHours ?? PKI_DEFAULTS.caValidityHours;

    const selfSignedCa = (suffix: string, commonName: string): { key: tls.PrivateKey; cert: tls.SelfSignedCert } => {
        const key = new tls.PrivateKey(`${name}-${suffix}-key`, keyArgs, opts);
        const cert = new tls.SelfSignedCert(
            `${name}-${suffix}`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName },
                isCaCertificate: true,
                setSubjectKeyId: true,
                validityPeriodHours: caHours,
                allowedUses: CA_USES,
            },
            opts,
        );
        return { key, cert };
    };
    // Common names as kubeadm gives them, so the cluster looks like any kubeadm cluster.
    const ca = selfSignedCa("ca", "kubernetes");
    const frontProxyCa = selfSignedCa("front-proxy-ca", "front-proxy-ca");
    const etcdCa = selfSignedCa("etcd-ca", "etcd-ca");
    const serviceAccountKey = new tls.PrivateKey(`${name}-service-account-key`, keyArgs, opts);

    const adminKey = new tls.PrivateKey(`${name}-admin-key`, keyArgs, opts);
    const adminRequest = new tls.CertRequest(
        `${name}-admin`,
        {
            privateKeyPem: adminKey.privateKeyPem,
            subject: { commonName: PKI_DEFAULTS.adminUser, organization: args.adminGroup ?? PKI_DEFAULTS.adminGroup },
        },
        opts,
    );
    const adminCert = new tls.LocallySignedCert(
        `${name}-admin`,
        {
            certRequestPem: adminRequest.certRequestPem,
            caCertPem: ca.cert.certPem,
            caPrivateKeyPem: ca.key.privateKeyPem,
            validityPeriodHours: args.adminValidityHours ?? PKI_DEFAULTS.adminValidityHours,
            earlyRenewalHours: PKI_DEFAULTS.adminEarlyRenewalHours,
            allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
        },
        opts,
    );

    // Token ids are public (they name the Secret); the secret parts are RandomPassword,
    // which Pulumi keeps secret.
    const tokenPart = (suffix: string, length: number, secret: boolean, keepers?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>) => {
        const common = { length, lower: true, upper: false, numeric: true, special: false, keepers };
        return secret
            ? new random.RandomPassword(`${name}-${suffix}`, common, opts).result
            : new random.RandomString(`${name}-${suffix}`, common, opts).result;
    };
    const rotation = { rotation: pulumi.output(args.tokenRotation ?? "") };
    const joinTokenId = tokenPart("join-token-id", 6, false, rotation);
    const joinTokenSecret = pulumi.secret(tokenPart("join-token-secret", 16, true, rotation));
    const initTokenId = tokenPart("init-token-id", 6, false);
    const initTokenSecret = tokenPart("init-token-secret", 16, true);

    const secret = (value: pulumi.Input<string>): pulumi.Output<string> => pulumi.secret(value);
    const material: pulumi.Output<ClusterPkiMaterial> = pulumi.secret(
        pulumi
            .all([
                ca.cert.certPem,
                ca.key.privateKeyPem,
                frontProxyCa.cert.certPem,
                frontProxyCa.key.privateKeyPem,
                etcdCa.cert.certPem,
                etcdCa.key.privateKeyPem,
                serviceAccountKey.publicKeyPem,
                serviceAccountKey.privateKeyPem,
            ])
            .apply(([caCertPem, caKeyPem, frontProxyCaCertPem, frontProxyCaKeyPem, etcdCaCertPem, etcdCaKeyPem, saPublic, saPrivate]) => ({
                caCertPem,
                caKeyPem,
                frontProxyCaCertPem,
                frontProxyCaKeyPem,
                etcdCaCertPem,
                etcdCaKeyPem,
                serviceAccountPublicKeyPem: saPublic,
                serviceAccountPrivateKeyPem: saPrivate,
            })),
    );
    return {
        caCertPem: ca.cert.certPem,
        caKeyPem: secret(ca.key.privateKeyPem),
        frontProxyCaCertPem: frontProxyCa.cert.certPem,
        frontProxyCaKeyPem: secret(frontProxyCa.key.privateKeyPem),
        etcdCaCertPem: etcdCa.cert.certPem,
        etcdCaKeyPem: secret(etcdCa.key.privateKeyPem),
        serviceAccountPublicKeyPem: serviceAccountKey.publicKeyPem,
        serviceAccountPrivateKeyPem: secret(serviceAccountKey.privateKeyPem),
        adminCertPem: adminCert.certPem,
        adminKeyPem: secret(adminKey.privateKeyPem),
        adminKubeconfig: args.apiServerUrl === undefined ? undefined : adminKubeconfig(args.clusterName, args.apiServerUrl, ca.cert, adminCert, adminKey),
        caCertHash: ca.key.publicKeyPem.apply(caCertHash),
        initToken: secret(pulumi.interpolate`${initTokenId}.${initTokenSecret}`),
        joinTokenId,
        joinTokenSecret,
        joinToken: secret(pulumi.interpolate`${joinTokenId}.${joinTokenSecret}`),
        material,
    };
}

/**
 * The cluster's CAs, service-account key pair, admin credentials and bootstrap tokens
 * (`dualstack:index:ClusterPki`).
 */
export class ClusterPki extends pulumi.ComponentResource {
    /** Cluster CA certificate (public). */
    public readonly caCertPem: pulumi.Output<string>;
    /** Cluster CA private key (secret). */
    public readonly caKeyPem: pulumi.Output<string>;
    /** Front-proxy CA certificate (public). */
    public readonly frontProxyCaCertPem: pulumi.Output<string>;
    /** Front-proxy CA private key (secret). */
    public readonly frontProxyCaKeyPem: pulumi.Output<string>;
    /** etcd CA certificate (public). */
    public readonly etcdCaCertPem: pulumi.Output<string>;
    /** etcd CA private key (secret). */
    public readonly etcdCaKeyPem: pulumi.Output<string>;
    /** Service-account signing public key, PKIX PEM (public). */
    public readonly serviceAccountPublicKeyPem: pulumi.Output<string>;
    /** Service-account signing private key (secret). */
    public readonly serviceAccountPrivateKeyPem: pulumi.Output<string>;
    /** Admin client certificate (public). */
    public readonly adminCertPem: pulumi.Output<string>;
    /** Admin client private key (secret). */
    public readonly adminKeyPem: pulumi.Output<string>;
    /** Admin kubeconfig with embedded credentials (secret). */
    public readonly adminKubeconfig?: pulumi.Output<string>;
    /** kubeadm discovery hash of the cluster CA, `sha256:<hex>` (public, like the CA). */
    public readonly caCertHash: pulumi.Output<string>;
    /** Init token (24 h, created by `kubeadm init`), `id.secret` (secret). */
    public readonly initToken: pulumi.Output<string>;
    /** Public id of the long-lived join token (names its Secret). */
    public readonly joinTokenId: pulumi.Output<string>;
    /** Secret part of the long-lived join token (secret). */
    public readonly joinTokenSecret: pulumi.Output<string>;
    /** Long-lived join token, `id.secret` (secret). */
    public readonly joinToken: pulumi.Output<string>;
    /** Every CA certificate and key, as the bootstrap renderers take them (secret). */
    public readonly material: pulumi.Output<ClusterPkiMaterial>;

    constructor(name: string, args: ClusterPkiArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything, the component included, is registered.
        checkClusterPkiArgs(args);
        super("dualstack:index:ClusterPki", name, {}, opts);
        const out = createClusterPki(name, args, this);
        this.caCertPem = out.caCertPem;
        this.caKeyPem = out.caKeyPem;
        this.frontProxyCaCertPem = out.frontProxyCaCertPem;
        this.frontProxyCaKeyPem = out.frontProxyCaKeyPem;
        this.etcdCaCertPem = out.etcdCaCertPem;
        this.etcdCaKeyPem = out.etcdCaKeyPem;
        this.serviceAccountPublicKeyPem = out.serviceAccountPublicKeyPem;
        this.serviceAccountPrivateKeyPem = out.serviceAccountPrivateKeyPem;
        this.adminCertPem = out.adminCertPem;
        this.adminKeyPem = out.adminKeyPem;
        this.adminKubeconfig = out.adminKubeconfig;
        this.caCertHash = out.caCertHash;
        this.initToken = out.initToken;
        this.joinTokenId = out.joinTokenId;
        this.joinTokenSecret = out.joinTokenSecret;
        this.joinToken = out.joinToken;
        this.material = out.material;
        this.registerOutputs({ ...out });
    }
}
