/**
 * Rules about what the bootstrap renders. Like the address rules, each returns findings
 * with a stable id (documented in docs/rules.md) instead of throwing, so `dualstack plan`,
 * the components and the policy pack can share it.
 */
import { error, Finding } from "../addressing/findings";
import { NOVA_USER_DATA_LIMIT, NovaUserData } from "./encoding";

/**
 * `user-data-too-large`: the user-data Nova would receive is over its limit of 65,535
 * bytes of base64, even gzip-compressed. Nova would refuse the server at `up`; this says so
 * before anything is created.
 */
export function checkUserDataSize(encoded: NovaUserData, path: string, nodeName: string, limit = NOVA_USER_DATA_LIMIT): Finding[] {
    if (encoded.sentBytes <= limit) return [];
    return [
        error(
            "user-data-too-large",
            path,
            `The user-data of node ${nodeName} is ${encoded.sentBytes} bytes of base64 (${encoded.rawBytes} bytes rendered, sent ${encoded.encoding === "plain" ? "as text" : "gzip-compressed"}), over Nova's limit of ${limit} bytes. Shorten what the node carries (fewer or smaller files, shorter certificate chains) or move large files to a place the node downloads them from.`,
        ),
    ];
}
