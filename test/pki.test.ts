/**
 * ClusterPki and the join token's Secret under the offline cloud, and the pure pieces
 * (discovery hash, kubeconfig, token data). Assertions on secrets never print them: they
 * compare with assert.ok and fixed messages.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { BOOTSTRAP_TOKEN_PATTERN } from "../components/bootstrap";
import {
    BootstrapTokenSecret,
    bootstrapTokenData,
    bootstrapTokenSecretName,
    buildKubeconfig,
    caCertHash,
    ClusterPki,
} from "../components/pki";
import { cloud, settle, valueOf } from "./support/runtime";

const FIXTURES = path.join(__dirname, "fixtures", "pki");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

const TLS_KEY = "tls:index/privateKey:PrivateKey";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const CERT_REQUEST = "tls:index/certRequest:CertRequest";
const RANDOM_STRING = "random:index/randomString:RandomString";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

describe("pki: discovery hash", () => {
    // Expected values from: openssl pkey -pubin -in KEY -outform der | sha256sum
    it("is sha256 of the DER SubjectPublicKeyInfo, as kubeadm and openssl compute it (RSA)", () => {
        assert.strictEqual(caCertHash(fixture("rsa-public-key.pem")), "sha256:3d4a087343d5f885d5e9c419639f2421967ef5824597b6d05c52b388a684155b");
    });

    it("gives the same hash for the PKCS#1 form of the same RSA key", () => {
        assert.strictEqual(caCertHash(fixture("rsa-public-key-pkcs1.pem")), caCertHash(fixture("rsa-public-key.pem")));
    });

    it("works for ECDSA keys", () => {
        assert.strictEqual(caCertHash(fixture("ecdsa-public-key.pem")), "sha256:35dd57e029b12296b750dc86b82d7e75a33f4bb492bf788b2b15f2e8782bb125");
    });

    it("refuses text that is not a public key", () => {
        assert.throws(() => caCertHash("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), /caCertHash: the CA public key is not a PEM public key/);
    });
});

describe("pki: kubeconfig", () => {
    it("embeds the CA, the client certificate and key, and names cluster, user and context", () => {
        const text = buildKubeconfig({
            clusterName: "dev",
            server: "https://[2001:db8::10]:6443",
            caCertPem: "CA PEM\n",
            userName: "kubernetes-admin",
            clientCertPem: "CERT PEM\n",
            clientKeyPem: "KEY PEM\n",
        });
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        assert.deepStrictEqual(YAML.parse(text), {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "dev", cluster: { server: "https://[2001:db8::10]:6443", "certificate-authority-data": b64("CA PEM\n") } }],
            users: [{ name: "kubernetes-admin", user: { "client-certificate-data": b64("CERT PEM\n"), "client-key-data": b64("KEY PEM\n") } }],
            contexts: [{ name: "kubernetes-admin@dev", context: { cluster: "dev", user: "kubernetes-admin" } }],
            "current-context": "kubernetes-admin@dev",
            preferences: {},
        });
    });

    it("refuses a server that is not an https URL", () => {
        const parts = { clusterName: "dev", caCertPem: "", userName: "u", clientCertPem: "", clientKeyPem: "" };
        assert.throws(() => buildKubeconfig({ ...parts, server: "10.0.0.1:6443" }), /kubeconfig: server "10\.0\.0\.1:6443" must be an https:\/\/ URL/);
    });
});

describe("pki: ClusterPki", () => {
    it("creates the three CAs, the service-account key and the admin certificate as kubeadm would", async () => {
        const pki = new ClusterPki("pa", { clusterName: "alpha", apiServerUrl: "https://203.0.113.10:6443" });
        await valueOf(pki.adminKubeconfig);
        await settle();
        const component = cloud.named("pa", "dualstack:index:ClusterPki");
        const children = cloud.resources.filter((r) => r.parent === component.urn);
        assert.deepStrictEqual(children.map((r) => `${r.type} ${r.name}`).sort(), [
            `${RANDOM_PASSWORD} pa-init-token-secret`,
            `${RANDOM_PASSWORD} pa-join-token-secret`,
            `${RANDOM_STRING} pa-init-token-id`,
            `${RANDOM_STRING} pa-join-token-id`,
            `${CERT_REQUEST} pa-admin`,
            `${LOCALLY_SIGNED} pa-admin`,
            `${SELF_SIGNED} pa-ca`,
            `${SELF_SIGNED} pa-etcd-ca`,
            `${SELF_SIGNED} pa-front-proxy-ca`,
            `${TLS_KEY} pa-admin-key`,
            `${TLS_KEY} pa-ca-key`,
            `${TLS_KEY} pa-etcd-ca-key`,
            `${TLS_KEY} pa-front-proxy-ca-key`,
            `${TLS_KEY} pa-service-account-key`,
        ].sort());
        for (const key of cloud.ofType(TLS_KEY).filter((r) => r.parent === component.urn)) {
            assert.deepStrictEqual(key.inputs, { algorithm: "RSA", rsaBits: 2048 }, key.name);
        }
        for (const [name, commonName] of [
            ["pa-ca", "kubernetes"],
            ["pa-front-proxy-ca", "front-proxy-ca"],
            ["pa-etcd-ca", "etcd-ca"],
        ]) {
            const ca = cloud.named(name, SELF_SIGNED);
            assert.deepStrictEqual(ca.inputs.subject, { commonName });
            assert.strictEqual(ca.inputs.isCaCertificate, true);
            assert.strictEqual(ca.inputs.setSubjectKeyId, true);
            assert.strictEqual(ca.inputs.validityPeriodHours, 87600);
            assert.deepStrictEqual(ca.inputs.allowedUses, ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]);
            assert.ok(ca.dependencies.some((d) => d.endsWith(`::${name}-key`)), `${name} is signed with its own key`);
        }
        const request = cloud.named("pa-admin", CERT_REQUEST);
        assert.deepStrictEqual(request.inputs.subject, { commonName: "kubernetes-admin", organization: "kubeadm:cluster-admins" });
        const admin = cloud.named("pa-admin", LOCALLY_SIGNED);
        assert.deepStrictEqual(admin.inputs.allowedUses, ["digital_signature", "key_encipherment", "client_auth"]);
        assert.strictEqual(admin.inputs.validityPeriodHours, 8760);
        assert.strictEqual(admin.inputs.earlyRenewalHours, 720);
        assert.ok(admin.dependencies.some((d) => d.endsWith("::pa-ca")) && admin.dependencies.some((d) => d.endsWith("::pa-ca-key")), "signed by the cluster CA");
    });

    it("makes tokens of kubeadm's form; the join token's parts are kept by the rotation value", async () => {
        const pki = new ClusterPki("pb", { clusterName: "beta", apiServerUrl: "https://api.example.com:6443", tokenRotation: "2026-01" });
        const [join, init, id, secretPart] = await Promise.all([valueOf(pki.joinToken), valueOf(pki.initToken), valueOf(pki.joinTokenId), valueOf(pki.joinTokenSecret)]);
        await settle();
        assert.ok(BOOTSTRAP_TOKEN_PATTERN.test(join), "the join token has the form [a-z0-9]{6}.[a-z0-9]{16}");
        assert.ok(BOOTSTRAP_TOKEN_PATTERN.test(init), "the init token has the form [a-z0-9]{6}.[a-z0-9]{16}");
        assert.ok(join !== init, "the two tokens differ");
        assert.ok(join === `${id}.${secretPart}`, "the join token is id.secret");
        for (const name of ["pb-join-token-id", "pb-join-token-secret"]) {
            const r = cloud.named(name);
            assert.deepStrictEqual(r.inputs.keepers, { rotation: "2026-01" }, name);
            assert.strictEqual(r.inputs.upper, false);
            assert.strictEqual(r.inputs.special, false);
            assert.strictEqual(r.inputs.lower, true);
            assert.strictEqual(r.inputs.numeric, true);
        }
        assert.strictEqual(cloud.named("pb-join-token-id").inputs.length, 6);
        assert.strictEqual(cloud.named("pb-join-token-secret").inputs.length, 16);
        assert.strictEqual(cloud.named("pb-join-token-secret").type, RANDOM_PASSWORD, "the secret part is a RandomPassword");
        assert.strictEqual(cloud.named("pb-init-token-secret").type, RANDOM_PASSWORD);
        assert.strictEqual(cloud.named("pb-init-token-id").inputs.keepers, undefined, "the init token is not rotated");
    });

    it("has no admin kubeconfig without an API URL", () => {
        const pki = new ClusterPki("pnourl", { clusterName: "nourl" });
        assert.strictEqual(pki.adminKubeconfig, undefined);
    });

    it("keeps keys, tokens and the kubeconfig secret; certificates and the hash are public", async () => {
        const pki = new ClusterPki("pc", { clusterName: "gamma", apiServerUrl: "https://203.0.113.11:6443" });
        const secret: [string, pulumi.Output<unknown>][] = [
            ["caKeyPem", pki.caKeyPem],
            ["frontProxyCaKeyPem", pki.frontProxyCaKeyPem],
            ["etcdCaKeyPem", pki.etcdCaKeyPem],
            ["serviceAccountPrivateKeyPem", pki.serviceAccountPrivateKeyPem],
            ["adminKeyPem", pki.adminKeyPem],
            ["adminKubeconfig", pki.adminKubeconfig as pulumi.Output<string>],
            ["initToken", pki.initToken],
            ["joinToken", pki.joinToken],
            ["joinTokenSecret", pki.joinTokenSecret],
            ["material", pki.material],
        ];
        for (const [name, output] of secret) assert.strictEqual(await pulumi.isSecret(output), true, `${name} is secret`);
        const open: [string, pulumi.Output<unknown>][] = [
            ["caCertPem", pki.caCertPem],
            ["caCertHash", pki.caCertHash],
            ["joinTokenId", pki.joinTokenId],
        ];
        for (const [name, output] of open) assert.strictEqual(await pulumi.isSecret(output), false, `${name} is public`);
        await settle();
    });

    it("hashes the cluster CA's public key and builds the admin kubeconfig from the admin certificate", async () => {
        const pki = new ClusterPki("pd", { clusterName: "delta", apiServerUrl: "https://api.delta.example.com:6443", adminGroup: "system:masters", keyAlgorithm: "ECDSA" });
        const [hash, kubeconfig, material, adminCert, adminKey] = await Promise.all([
            valueOf(pki.caCertHash),
            valueOf(pki.adminKubeconfig as pulumi.Output<string>),
            valueOf(pki.material),
            valueOf(pki.adminCertPem),
            valueOf(pki.adminKeyPem),
        ]);
        await settle();
        const caKey = cloud.named("pd-ca-key", TLS_KEY);
        assert.deepStrictEqual(caKey.inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
        assert.strictEqual(hash, caCertHash(caKey.outputs.publicKeyPem as string));
        assert.match(hash, /^sha256:[0-9a-f]{64}$/);
        assert.deepStrictEqual(cloud.named("pd-admin", CERT_REQUEST).inputs.subject, { commonName: "kubernetes-admin", organization: "system:masters" });

        const parsed = YAML.parse(kubeconfig);
        assert.strictEqual(parsed.clusters[0].cluster.server, "https://api.delta.example.com:6443");
        assert.strictEqual(parsed["current-context"], "kubernetes-admin@delta");
        const decode = (s: string) => Buffer.from(s, "base64").toString("utf8");
        assert.ok(decode(parsed.clusters[0].cluster["certificate-authority-data"]) === material.caCertPem, "the kubeconfig trusts the cluster CA");
        assert.ok(decode(parsed.users[0].user["client-certificate-data"]) === adminCert, "the kubeconfig carries the admin certificate");
        assert.ok(decode(parsed.users[0].user["client-key-data"]) === adminKey, "the kubeconfig carries the admin key");
        assert.ok(material.caKeyPem === caKey.outputs.privateKeyPem, "material holds the CA key");
        assert.ok(material.serviceAccountPublicKeyPem.startsWith("-----BEGIN PUBLIC KEY-----"));
    });

    const invalid: [string, object, string][] = [
        ["an unknown key algorithm", { keyAlgorithm: "DSA" }, 'ClusterPki: keyAlgorithm "DSA" is not one of RSA, ECDSA.'],
        ["an unknown admin group", { adminGroup: "admins" }, 'ClusterPki: adminGroup "admins" is not one of kubeadm:cluster-admins, system:masters.'],
        ["a CA validity under a year", { caValidityHours: 100 }, "ClusterPki: caValidityHours is 100; it must be a whole number of hours, at least 8760."],
        ["an admin certificate outliving its CA", { caValidityHours: 8760, adminValidityHours: 9000 }, "ClusterPki: adminValidityHours (9000) must not exceed caValidityHours (8760)."],
        ["an empty cluster name", { clusterName: "" }, "ClusterPki: clusterName must be a non-empty string."],
    ];
    for (const [what, change, message] of invalid) {
        it(`refuses ${what} before creating anything`, async () => {
            assert.throws(
                () => new ClusterPki("pe", { clusterName: "eps", apiServerUrl: "https://x:6443", ...change }),
                (e: Error) => e.message === message,
            );
            await settle();
            assert.deepStrictEqual(
                cloud.resources.filter((r) => r.name.startsWith("pe")).map((r) => r.name),
                [],
            );
        });
    }
});

describe("pki: BootstrapTokenSecret", () => {
    it("holds the join token as a bootstrap-token Secret in kube-system, without expiration, through the given provider", async () => {
        const provider = new k8s.Provider("bt-k8s", { kubeconfig: "{}" });
        const token = new BootstrapTokenSecret(
            "bt",
            { tokenId: "abc123", tokenSecret: pulumi.secret("0123456789abcdef") },
            { provider },
        );
        assert.strictEqual(await valueOf(token.secretName), "bootstrap-token-abc123");
        await settle();
        const secret = cloud.named("bt-secret", "kubernetes:core/v1:Secret");
        assert.strictEqual(secret.parent, cloud.named("bt", "dualstack:index:BootstrapTokenSecret").urn);
        assert.ok(secret.provider?.includes("::bt-k8s::"), "created through the cluster's provider");
        assert.deepStrictEqual(secret.inputs.metadata, {
            name: "bootstrap-token-abc123",
            namespace: "kube-system",
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "dualstack" },
        });
        assert.strictEqual(secret.inputs.type, "bootstrap.kubernetes.io/token");
        assert.ok(secret.secretInputs.has("stringData"), "stringData is secret");
        const data = secret.inputs.stringData as Record<string, string>;
        assert.deepStrictEqual(Object.keys(data).sort(), [
            "auth-extra-groups",
            "description",
            "token-id",
            "token-secret",
            "usage-bootstrap-authentication",
            "usage-bootstrap-signing",
        ]);
        assert.strictEqual(data["token-id"], "abc123");
        assert.ok(data["token-secret"] === "0123456789abcdef", "the secret part is stored");
        assert.strictEqual(data["usage-bootstrap-authentication"], "true");
        assert.strictEqual(data["usage-bootstrap-signing"], "true");
        assert.strictEqual(data["auth-extra-groups"], "system:bootstrappers:kubeadm:default-node-token");
        assert.ok(!("expiration" in data), "the token does not expire");
    });

    it("takes its parts from ClusterPki", async () => {
        const pki = new ClusterPki("bu", { clusterName: "u", apiServerUrl: "https://x:6443" });
        const token = new BootstrapTokenSecret("bu-join", { tokenId: pki.joinTokenId, tokenSecret: pki.joinTokenSecret });
        const [name, id] = await Promise.all([valueOf(token.secretName), valueOf(pki.joinTokenId)]);
        await settle();
        assert.strictEqual(name, `bootstrap-token-${id}`);
        assert.strictEqual(await pulumi.isSecret(token.secretName), false, "the Secret's name is public");
    });

    it("refuses malformed parts without showing the secret", () => {
        assert.throws(() => bootstrapTokenSecretName("ABC123"), /bootstrap token id "ABC123" must match \[a-z0-9\]\{6\}/);
        assert.throws(
            () => bootstrapTokenData("abc123", "NOT-A-SECRET-VALUE", "d"),
            (e: Error) => e.message === "bootstrap token secret must match [a-z0-9]{16}.",
        );
    });
});
