/**
 * User-data for Nova: plain while it fits, gzip + base64 when it does not, and the
 * `user-data-too-large` rule when even that is over the limit.
 */
import * as assert from "assert";
import * as crypto from "crypto";
import * as zlib from "zlib";
import { InvalidPlanError } from "../components/addressing/findings";
import {
    base64Length,
    checkUserDataSize,
    decodeNovaUserData,
    encodeUserDataForNova,
    NOVA_USER_DATA_LIMIT,
    renderNodeUserData,
    renderNovaUserData,
} from "../components/bootstrap";
import { testCluster, testNode } from "./fixtures/bootstrap/clusters";

/** What gophercloud does: is the value already valid standard base64? */
function isStrictBase64(text: string): boolean {
    return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** Text of `bytes` bytes that gzip cannot shrink much (hex of random bytes). */
function incompressible(bytes: number): string {
    return `#cloud-config\n# ${crypto.randomBytes(bytes).toString("hex")}`.slice(0, bytes);
}

describe("bootstrap: Nova user-data encoding", () => {
    it("the limit is Nova's 65,535 bytes of base64", () => {
        assert.strictEqual(NOVA_USER_DATA_LIMIT, 65535);
        assert.strictEqual(base64Length(49149), 65532);
        assert.strictEqual(base64Length(49152), 65536);
    });

    it("sends a node's user-data as plain text, which gophercloud base64-encodes (it is not valid base64 itself)", () => {
        const text = renderNodeUserData(testCluster("ipv4-primary"), testNode("ipv4-primary", "control-plane-init"));
        const encoded = encodeUserDataForNova(text);
        assert.strictEqual(encoded.encoding, "plain");
        assert.strictEqual(encoded.userData, text);
        assert.strictEqual(encoded.rawBytes, Buffer.byteLength(text));
        assert.strictEqual(encoded.sentBytes, Buffer.from(text).toString("base64").length);
        assert.ok(!isStrictBase64(encoded.userData));
    });

    it("counts bytes, not characters", () => {
        const encoded = encodeUserDataForNova("#cloud-config\n# é\n");
        assert.strictEqual(encoded.rawBytes, 19);
        assert.strictEqual(encoded.sentBytes, 28);
    });

    it("stays plain up to the limit and compresses from the first byte over it", () => {
        const atLimit = encodeUserDataForNova(`#cloud-config\n#${"x".repeat(49149 - 16)}\n`);
        assert.strictEqual(atLimit.rawBytes, 49149);
        assert.strictEqual(atLimit.encoding, "plain");
        const over = encodeUserDataForNova(`#cloud-config\n#${"x".repeat(49152 - 16)}\n`);
        assert.strictEqual(over.rawBytes, 49152);
        assert.strictEqual(over.encoding, "gzip+base64");
    });

    it("gzips and base64-encodes large user-data, which gophercloud passes on and cloud-init unpacks", () => {
        const text = `#cloud-config\nwrite_files:\n${"  - path: /etc/example\n    content: same line again\n".repeat(2000)}`;
        const encoded = encodeUserDataForNova(text);
        assert.strictEqual(encoded.encoding, "gzip+base64");
        assert.ok(isStrictBase64(encoded.userData), "valid base64, so gophercloud does not encode it again");
        const packed = Buffer.from(encoded.userData, "base64");
        assert.deepStrictEqual([...packed.subarray(0, 2)], [0x1f, 0x8b], "gzip magic bytes, which cloud-init recognises");
        assert.strictEqual(zlib.gunzipSync(packed).toString("utf8"), text);
        assert.strictEqual(decodeNovaUserData(encoded), text);
        assert.strictEqual(encoded.rawBytes, Buffer.byteLength(text));
        assert.strictEqual(encoded.sentBytes, encoded.userData.length);
        assert.ok(encoded.sentBytes < NOVA_USER_DATA_LIMIT);
        assert.strictEqual(encodeUserDataForNova(text).userData, encoded.userData, "the same text gives the same bytes");
    });

    describe("#user-data-too-large", () => {
        it("is silent when the user-data fits", () => {
            assert.deepStrictEqual(checkUserDataSize(encodeUserDataForNova("#cloud-config\n"), "userData", "n-0"), []);
        });

        it("is an error naming the node, the sizes, the limit and what to do", () => {
            const encoded = encodeUserDataForNova(incompressible(120000));
            assert.strictEqual(encoded.encoding, "gzip+base64");
            const findings = checkUserDataSize(encoded, "dualstack:workerPools[0]", "prod-general-0");
            assert.deepStrictEqual(findings, [
                {
                    rule: "user-data-too-large",
                    severity: "error",
                    path: "dualstack:workerPools[0]",
                    message: `The user-data of node prod-general-0 is ${encoded.sentBytes} bytes of base64 (120000 bytes rendered, sent gzip-compressed), over Nova's limit of 65535 bytes. Shorten what the node carries (fewer or smaller files, shorter certificate chains) or move large files to a place the node downloads them from.`,
                },
            ]);
        });

        it("makes renderNovaUserData throw before anything reaches Nova", () => {
            const cluster = testCluster("ipv4-only");
            const huge = { ...cluster, pki: { ...cluster.pki, caCertPem: `-----BEGIN CERTIFICATE-----\n${crypto.randomBytes(90000).toString("base64")}\n-----END CERTIFICATE-----\n` } };
            assert.throws(
                () => renderNovaUserData(huge, testNode("ipv4-only", "control-plane-init")),
                (e: Error) =>
                    e instanceof InvalidPlanError &&
                    e.findings.length === 1 &&
                    e.findings[0].rule === "user-data-too-large" &&
                    e.message.startsWith("the user-data of node test-cp-0 is invalid:"),
            );
            const ok = renderNovaUserData(cluster, testNode("ipv4-only", "worker"));
            assert.strictEqual(ok.encoding, "plain");
        });
    });
});
