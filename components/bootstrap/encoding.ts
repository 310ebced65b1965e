/**
 * User-data as Nova takes it. Nova limits `user_data` to 65,535 bytes of base64. The
 * OpenStack provider (gophercloud) base64-encodes the text it is given unless that text is
 * already valid base64, in which case it passes it on as it is. So: plain text while its
 * base64 fits, otherwise base64 of the gzip of the text, which gophercloud passes on and
 * cloud-init unpacks (it recognises gzip by its magic bytes).
 *
 * Upstream: https://docs.openstack.org/api-ref/compute/#create-server (user_data),
 * https://cloudinit.readthedocs.io/en/latest/explanation/format.html (gzip).
 */
import * as zlib from "zlib";

/** Nova's limit on base64 `user_data`, in bytes. */
export const NOVA_USER_DATA_LIMIT = 65535;

/** How the user-data is handed to the provider. */
export type UserDataEncoding = "plain" | "gzip+base64";

/** User-data ready for `openstack.compute.Instance.userData`, with its sizes. */
export interface NovaUserData {
    /** The value to give the provider. */
    userData: string;
    /** `plain` (the provider base64-encodes it) or `gzip+base64` (passed on as it is). */
    encoding: UserDataEncoding;
    /** Bytes of the rendered text (UTF-8). */
    rawBytes: number;
    /** Bytes of base64 that Nova receives; must not exceed NOVA_USER_DATA_LIMIT. */
    sentBytes: number;
}

/** Length of the base64 encoding of `bytes` bytes. */
export function base64Length(bytes: number): number {
    return 4 * Math.ceil(bytes / 3);
}

/**
 * Encode user-data for Nova: plain when it fits, gzip + base64 when it does not. The result
 * may still exceed the limit; `checkUserDataSize` turns that into a finding.
 */
export function encodeUserDataForNova(text: string, limit = NOVA_USER_DATA_LIMIT): NovaUserData {
    const raw = Buffer.from(text, "utf8");
    const plainSent = base64Length(raw.length);
    if (plainSent <= limit) {
        return { userData: text, encoding: "plain", rawBytes: raw.length, sentBytes: plainSent };
    }
    // Level 9 and no timestamp: the same text always gives the same bytes.
    const packed = zlib.gzipSync(raw, { level: 9 }).toString("base64");
    return { userData: packed, encoding: "gzip+base64", rawBytes: raw.length, sentBytes: packed.length };
}

/** Decode what `encodeUserDataForNova` produced back to the text (as cloud-init would see it). */
export function decodeNovaUserData(encoded: NovaUserData): string {
    if (encoded.encoding === "plain") return encoded.userData;
    return zlib.gunzipSync(Buffer.from(encoded.userData, "base64")).toString("utf8");
}
