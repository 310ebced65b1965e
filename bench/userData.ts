/**
 * User-data bytes per role (control-plane init, control-plane join, worker) against Nova's
 * limit of 65,535 bytes of base64: the program runs offline with real RSA-2048 keys for each
 * stack in stacks/ and a 300-node stack, and each instance's recorded `userData` input is
 * measured raw (the rendered text) and as sent (what Nova receives).
 *
 * The offline cloud's certificates are short labelled stand-ins, so every size is measured a
 * second time with each certificate replaced by one as long as kubeadm's RSA-2048 CA
 * certificate (1,107 bytes) whose body is random, that is incompressible like a real one.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { base64Length, encodeUserDataForNova, NOVA_USER_DATA_LIMIT } from "../components/bootstrap/encoding";
import { readStackFile } from "../components/config/stackFile";
import { runOffline } from "../components/offline";
import { defineStack } from "../components/program";
import { PROJECT_ROOT, Row, Suite, SuiteResult } from "./harness";
import { benchStack } from "./stacks";

/** PEM length of kubeadm's RSA-2048 CA certificate, headers included (as in components/bootstrap/standIn.ts). */
export const REAL_CERTIFICATE_PEM_BYTES = 1107;

const INSTANCE = "openstack:compute/instance:Instance";

/** The text cloud-init reads from a recorded `userData` input, and the bytes Nova receives. */
export function decodeRecordedUserData(userData: string): { text: string; sentBytes: number; encoding: "plain" | "gzip+base64" } {
    if (userData.startsWith("#")) return { text: userData, sentBytes: base64Length(Buffer.byteLength(userData, "utf8")), encoding: "plain" };
    return { text: zlib.gunzipSync(Buffer.from(userData, "base64")).toString("utf8"), sentBytes: userData.length, encoding: "gzip+base64" };
}

/** Bootstrap role of an instance: its `dualstack-role` metadata, and for control planes whether it runs `kubeadm init`. */
export function userDataRole(metadata: Record<string, unknown> | undefined, text: string): string {
    const role = String(metadata?.["dualstack-role"] ?? "unknown");
    if (role !== "control-plane") return role;
    return /^\s*kind: InitConfiguration$/m.test(text) ? "control-plane-init" : "control-plane-join";
}

/** Deterministic pseudo-random bytes (a SHA-256 chain), incompressible like key material. */
function noise(length: number, seed: string): Buffer {
    const blocks: Buffer[] = [];
    let block = crypto.createHash("sha256").update(seed).digest();
    for (let total = 0; total < length; total += block.length) {
        blocks.push(block);
        block = crypto.createHash("sha256").update(block).digest();
    }
    return Buffer.concat(blocks).subarray(0, length);
}

/** A PEM certificate of exactly `pemBytes` bytes (headers and final newline included) with a random body. */
export function realSizeCertificatePem(pemBytes: number, seed: string): string {
    const header = "-----BEGIN CERTIFICATE-----\n";
    const footer = "-----END CERTIFICATE-----\n";
    // Body: lines of 64 base64 characters, each followed by a newline.
    const bodyWithNewlines = pemBytes - header.length - footer.length;
    const bodyChars = bodyWithNewlines - Math.ceil(bodyWithNewlines / 65);
    const body = noise(Math.ceil((bodyChars * 3) / 4), seed).toString("base64").slice(0, bodyChars);
    return `${header}${body.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n${footer}`;
}

/**
 * The text with every PEM certificate (indented as in a YAML block) replaced by one of
 * `pemBytes` bytes with a random body, keeping the indentation.
 */
export function withRealSizeCertificates(text: string, pemBytes = REAL_CERTIFICATE_PEM_BYTES): { text: string; replaced: number } {
    let replaced = 0;
    const out = text.replace(/^([ \t]*)-----BEGIN CERTIFICATE-----\n(?:\1[A-Za-z0-9+/=]+\n)*\1-----END CERTIFICATE-----$/gm, (_match, indent: string) => {
        const pem = realSizeCertificatePem(pemBytes, `certificate ${replaced++}`);
        return pem
            .trimEnd()
            .split("\n")
            .map((line) => `${indent}${line}`)
            .join("\n");
    });
    return { text: out, replaced };
}

/** Sizes of one node's user-data. */
export interface UserDataSizes {
    readonly role: string;
    readonly rawBytes: number;
    readonly sentBytes: number;
    readonly encoding: string;
    readonly certificates: number;
    /** With real-size certificates. */
    readonly realRawBytes: number;
    readonly realSentBytes: number;
    readonly realEncoding: string;
    /** Bytes of base64 if the text were always gzip-compressed (real-size certificates). */
    readonly gzipSentBytes: number;
    readonly hasPrivateKey: boolean;
}

/** Measure one recorded instance's user-data. */
export function measureUserData(userData: string, metadata: Record<string, unknown> | undefined): UserDataSizes {
    const decoded = decodeRecordedUserData(userData);
    const real = withRealSizeCertificates(decoded.text);
    const realEncoded = encodeUserDataForNova(real.text);
    return {
        role: userDataRole(metadata, decoded.text),
        rawBytes: Buffer.byteLength(decoded.text, "utf8"),
        sentBytes: decoded.sentBytes,
        encoding: decoded.encoding,
        certificates: real.replaced,
        realRawBytes: realEncoded.rawBytes,
        realSentBytes: realEncoded.sentBytes,
        realEncoding: realEncoded.encoding,
        gzipSentBytes: zlib.gzipSync(Buffer.from(real.text, "utf8"), { level: 9 }).toString("base64").length,
        hasPrivateKey: /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(decoded.text),
    };
}

/** The largest user-data of each role, in the order init, join, worker. */
export function largestPerRole(sizes: readonly UserDataSizes[]): Array<UserDataSizes & { nodes: number }> {
    const order = ["control-plane-init", "control-plane-join", "worker"];
    const byRole = new Map<string, Array<UserDataSizes>>();
    for (const s of sizes) byRole.set(s.role, [...(byRole.get(s.role) ?? []), s]);
    return [...byRole.entries()]
        .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
        .map(([, list]) => ({ ...list.reduce((max, s) => (s.realSentBytes > max.realSentBytes ? s : max)), nodes: list.length }));
}

export const userDataSuite: Suite = {
    name: "user-data",
    async run(): Promise<SuiteResult> {
        const stackDir = path.join(PROJECT_ROOT, "stacks");
        const stacks = fs
            .readdirSync(stackDir)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
            .sort()
            .map((f) => readStackFile(path.join(stackDir, f)))
            .map((s) => ({ name: s.stack, config: s.config as Record<string, unknown> }));
        stacks.push({ name: "bench-300", config: benchStack(300).config });

        const rows: Row[] = [];
        const all: Array<UserDataSizes & { stack: string }> = [];
        for (const stack of stacks) {
            const result = await runOffline(defineStack, { stack: stack.name, config: stack.config, realRsaKeys: true });
            if (result.errors.length > 0) throw new Error(`stack ${stack.name}: ${result.errors.map((e) => e.message).join("; ")}`);
            const sizes = result.cloud.ofType(INSTANCE).map((i) => measureUserData(String(i.inputs.userData), i.inputs.metadata as Record<string, unknown>));
            all.push(...sizes.map((s) => ({ ...s, stack: stack.name })));
            for (const s of largestPerRole(sizes)) {
                rows.push({
                    stack: stack.name,
                    role: s.role,
                    nodes: s.nodes,
                    "raw B": s.rawBytes,
                    "sent B": s.sentBytes,
                    certs: s.certificates,
                    "raw B (real certs)": s.realRawBytes,
                    "sent B (real certs)": s.realSentBytes,
                    encoding: s.realEncoding,
                    "% of limit": Math.round((1000 * s.realSentBytes) / NOVA_USER_DATA_LIMIT) / 10,
                    "gzip+base64 B": s.gzipSentBytes,
                });
            }
        }
        const largest = all.reduce((max, s) => (s.realSentBytes > max.realSentBytes ? s : max));
        const workersWithKeys = all.filter((s) => s.role === "worker" && s.hasPrivateKey);
        return {
            name: "user-data",
            title: `User-data per role, largest node of each role, against Nova's limit of ${NOVA_USER_DATA_LIMIT} bytes of base64 (RSA-2048 keys)`,
            rows,
            checks: [
                {
                    what: `every node's user-data as sent fits Nova's limit of ${NOVA_USER_DATA_LIMIT} bytes (with real-size certificates)`,
                    ok: largest.realSentBytes <= NOVA_USER_DATA_LIMIT,
                    detail: `largest ${largest.realSentBytes} B (${largest.stack}, ${largest.role}), headroom ${NOVA_USER_DATA_LIMIT - largest.realSentBytes} B`,
                },
                {
                    what: "no worker's user-data carries a private key",
                    ok: workersWithKeys.length === 0,
                    detail: `${all.filter((s) => s.role === "worker").length} workers, ${workersWithKeys.length} with a private key`,
                },
            ],
            notes: [
                "raw B = rendered text; sent B = base64 Nova receives (the provider base64-encodes plain text; gzip+base64 is passed on as it is)",
                `real certs = each offline stand-in certificate replaced by a ${REAL_CERTIFICATE_PEM_BYTES}-byte PEM with a random body; gzip+base64 B = the same text always compressed`,
            ],
        };
    },
};
