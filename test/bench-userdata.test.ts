import * as assert from "assert";
import * as zlib from "zlib";
import { decodeRecordedUserData, largestPerRole, measureUserData, realSizeCertificatePem, userDataRole, withRealSizeCertificates } from "../bench/userData";
import { encodeUserDataForNova } from "../components/bootstrap";

const CERT = "-----BEGIN CERTIFICATE-----\nb2ZmbGluZSBzdGFuZC1pbg==\n-----END CERTIFICATE-----";
const indented = (text: string, indent: string) =>
    text
        .split("\n")
        .map((l) => indent + l)
        .join("\n");

describe("benchmark user-data sizes", () => {
    it("decodes plain and gzip+base64 user-data and counts what Nova receives", () => {
        const text = "#cloud-config\nruncmd: [true]\n";
        assert.deepStrictEqual(decodeRecordedUserData(text), { text, sentBytes: 4 * Math.ceil(Buffer.byteLength(text) / 3), encoding: "plain" });
        const packed = zlib.gzipSync(Buffer.from(text)).toString("base64");
        assert.deepStrictEqual(decodeRecordedUserData(packed), { text, sentBytes: packed.length, encoding: "gzip+base64" });
    });

    it("makes certificates of an exact PEM length with 64-character lines", () => {
        for (const bytes of [1107, 1000, 700]) {
            const pem = realSizeCertificatePem(bytes, "seed");
            assert.strictEqual(Buffer.byteLength(pem), bytes);
            const lines = pem.trimEnd().split("\n");
            assert.strictEqual(lines[0], "-----BEGIN CERTIFICATE-----");
            assert.strictEqual(lines[lines.length - 1], "-----END CERTIFICATE-----");
            assert.ok(lines.slice(1, -2).every((l) => l.length === 64));
            assert.ok(lines[lines.length - 2].length <= 64 && /^[A-Za-z0-9+/]+$/.test(lines[lines.length - 2]));
        }
        assert.strictEqual(realSizeCertificatePem(1107, "a"), realSizeCertificatePem(1107, "a"));
        assert.notStrictEqual(realSizeCertificatePem(1107, "a"), realSizeCertificatePem(1107, "b"));
    });

    it("replaces each indented certificate with a real-size one and keeps the indentation and the rest", () => {
        const text = `write_files:\n  - content: |\n${indented(CERT, "      ")}\n  - content: |\n${indented(CERT, "      ")}\nkey: |\n  -----BEGIN RSA PRIVATE KEY-----\n  abc\n  -----END RSA PRIVATE KEY-----\n`;
        const out = withRealSizeCertificates(text, 1107);
        assert.strictEqual(out.replaced, 2);
        const blocks = out.text.match(/^ {6}-----BEGIN CERTIFICATE-----\n(?: {6}[A-Za-z0-9+/=]+\n)+ {6}-----END CERTIFICATE-----$/gm) ?? [];
        assert.strictEqual(blocks.length, 2);
        for (const block of blocks) assert.strictEqual(Buffer.byteLength(block.replace(/^ {6}/gm, "") + "\n"), 1107);
        assert.ok(out.text.startsWith("write_files:\n  - content: |\n"));
        assert.ok(out.text.endsWith("key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  abc\n  -----END RSA PRIVATE KEY-----\n"));
        assert.strictEqual(withRealSizeCertificates("no certificates").replaced, 0);
    });

    it("tells the bootstrap role from the metadata and the kubeadm configuration kind", () => {
        assert.strictEqual(userDataRole({ "dualstack-role": "worker" }, "kind: JoinConfiguration"), "worker");
        assert.strictEqual(userDataRole({ "dualstack-role": "control-plane" }, "      kind: InitConfiguration\n"), "control-plane-init");
        assert.strictEqual(userDataRole({ "dualstack-role": "control-plane" }, "      kind: JoinConfiguration\n"), "control-plane-join");
        assert.strictEqual(userDataRole(undefined, ""), "unknown");
    });

    it("measures raw, sent and real-certificate sizes and finds private keys", () => {
        const text = `#cloud-config\nwrite_files:\n  - content: |\n${indented(CERT, "      ")}\n      -----BEGIN RSA PRIVATE KEY-----\n      abc\n      -----END RSA PRIVATE KEY-----\n      kind: InitConfiguration\n`;
        const sizes = measureUserData(encodeUserDataForNova(text).userData, { "dualstack-role": "control-plane" });
        assert.strictEqual(sizes.role, "control-plane-init");
        assert.strictEqual(sizes.rawBytes, Buffer.byteLength(text));
        assert.strictEqual(sizes.certificates, 1);
        // 19 lines of 1,107 bytes instead of 3 lines, each indented by six spaces.
        assert.strictEqual(sizes.realRawBytes - sizes.rawBytes, 1107 + 19 * 6 - (Buffer.byteLength(`${CERT}\n`) + 3 * 6));
        assert.strictEqual(sizes.realEncoding, "plain");
        assert.strictEqual(sizes.realSentBytes, 4 * Math.ceil(sizes.realRawBytes / 3));
        assert.ok(sizes.hasPrivateKey);
        assert.ok(!measureUserData("#cloud-config\n", { "dualstack-role": "worker" }).hasPrivateKey);
    });

    it("keeps the largest node of each role, init first", () => {
        const base = { rawBytes: 0, sentBytes: 0, encoding: "plain", certificates: 0, realRawBytes: 0, realEncoding: "plain", gzipSentBytes: 0, hasPrivateKey: false };
        const rows = largestPerRole([
            { ...base, role: "worker", realSentBytes: 10 },
            { ...base, role: "worker", realSentBytes: 12 },
            { ...base, role: "control-plane-join", realSentBytes: 20 },
            { ...base, role: "control-plane-init", realSentBytes: 21 },
        ]);
        assert.deepStrictEqual(
            rows.map((r) => [r.role, r.realSentBytes, r.nodes]),
            [
                ["control-plane-init", 21, 1],
                ["control-plane-join", 20, 1],
                ["worker", 12, 2],
            ],
        );
    });
});
