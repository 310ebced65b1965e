/**
 * The long-lived join token as a Kubernetes bootstrap-token Secret, managed by Pulumi.
 *
 * `kubeadm init` creates its token with a 24-hour TTL, and the token cleaner deletes it when
 * it expires; a worker pool added a month later needs a token that still exists. This
 * Secret has no `expiration`, so it lives as long as the stack; rotating it (a new
 * `dualstack:bootstrap.tokenRotation` value) replaces it, which deletes the old token.
 *
 * Upstream: https://kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BOOTSTRAP_TOKEN_GROUP } from "../bootstrap/kubeadm";

/** The public part of a bootstrap token. */
export const TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
/** The secret part of a bootstrap token. */
export const TOKEN_SECRET_PATTERN = /^[a-z0-9]{16}$/;

/** The Secret's name: `bootstrap-token-<id>`, as the bootstrap authenticator looks it up. */
export function bootstrapTokenSecretName(tokenId: string): string {
    if (!TOKEN_ID_PATTERN.test(tokenId)) {
        throw new Error(`bootstrap token id "${tokenId}" must match [a-z0-9]{6}.`);
    }
    return `bootstrap-token-${tokenId}`;
}

/**
 * The Secret's `stringData`: usable for authentication (joining) and for signing the
 * cluster-info ConfigMap (discovery), in the group kubeadm's RBAC rules grant node
 * bootstrap to. No `expiration`: the token lives until it is rotated.
 */
export function bootstrapTokenData(tokenId: string, tokenSecret: string, description: string): Record<string, string> {
    bootstrapTokenSecretName(tokenId);
    if (!TOKEN_SECRET_PATTERN.test(tokenSecret)) {
        // The value is a secret: never put it in the message.
        throw new Error("bootstrap token secret must match [a-z0-9]{16}.");
    }
    return {
        "token-id": tokenId,
        "token-secret": tokenSecret,
        "usage-bootstrap-authentication": "true",
        "usage-bootstrap-signing": "true",
        "auth-extra-groups": BOOTSTRAP_TOKEN_GROUP,
        description,
    };
}

/** Arguments of BootstrapTokenSecret. */
export interface BootstrapTokenSecretArgs {
    /** Public part of the token (`[a-z0-9]{6}`), e.g. `ClusterPki.joinTokenId`. It names the Secret. */
    tokenId: pulumi.Input<string>;
    /** Secret part of the token (`[a-z0-9]{16}`), e.g. `ClusterPki.joinTokenSecret`. */
    tokenSecret: pulumi.Input<string>;
    /** Free text stored with the token (`kubeadm token list` shows it). */
    description?: string;
}

/**
 * A `bootstrap-token-<id>` Secret in `kube-system`. Give it the cluster's Kubernetes provider
 * through the resource options (`{ provider }` or `{ providers: [provider] }`); it can only
 * be created once the API answers, so depend on the cluster's readiness as well.
 */
export class BootstrapTokenSecret extends pulumi.ComponentResource {
    /** The Secret's name, `bootstrap-token-<id>`. */
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: BootstrapTokenSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("dualstack:index:BootstrapTokenSecret", name, {}, opts);
        const secret = createBootstrapTokenSecret(name, args, this);
        this.secretName = secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}

/** The Secret itself, child of `parent`. */
export function createBootstrapTokenSecret(name: string, args: BootstrapTokenSecretArgs, parent: pulumi.Resource): k8s.core.v1.Secret {
    const description = args.description ?? "dualstack join token for nodes added after the cluster was created; rotate with dualstack:bootstrap.tokenRotation";
    const tokenId = pulumi.output(args.tokenId);
    return new k8s.core.v1.Secret(
        `${name}-secret`,
        {
            metadata: {
                name: tokenId.apply(bootstrapTokenSecretName),
                namespace: "kube-system",
                labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "dualstack" },
            },
            type: "bootstrap.kubernetes.io/token",
            stringData: pulumi.secret(
                pulumi.all([tokenId, args.tokenSecret]).apply(([id, secret]) => bootstrapTokenData(id, secret, description)),
            ),
        },
        { parent },
    );
}
