/**
 * WireGuard for the access gateway: the server key pair (Curve25519, RFC 7748), the gateways'
 * `wg0.conf`, and the configuration template a peer fills in. Pure functions.
 *
 * Upstream: https://www.wireguard.com/protocol/, wg(8), wg-quick(8).
 */
import * as crypto from "crypto";
import { WIREGUARD_KEY } from "../addressing/rules/gateway";
import { GatewayBootstrap } from "./types";

/** The tunnel interface on the gateways (wg-quick@wg0). */
export const WIREGUARD_INTERFACE = "wg0";

/** PKCS #8 DER prefix of an X25519 private key (RFC 8410): the 32 key bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** How often a peer sends a keepalive through NAT, in seconds (wg(8) suggests 25). */
export const PERSISTENT_KEEPALIVE_SECONDS = 25;

/**
 * A Curve25519 private key from 32 random bytes, clamped as RFC 7748 section 5 decodes
 * scalars (and as `wg genkey` prints them): the low three bits cleared, bit 255 cleared,
 * bit 254 set. Base64, as WireGuard writes keys.
 */
export function clampPrivateKey(randomBase64: string): string {
    const bytes = Buffer.from(randomBase64, "base64");
    if (bytes.length !== 32) throw new RangeError(`a WireGuard private key is 32 bytes, not ${bytes.length}`);
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes.toString("base64");
}

/** The public key of a WireGuard private key: X25519 of the key and the base point (what `wg pubkey` prints). */
export function wireguardPublicKey(privateKey: string): string {
    if (!WIREGUARD_KEY.test(privateKey)) throw new RangeError("not a WireGuard private key (44 characters of base64)");
    const der = Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(privateKey, "base64")]);
    const key = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const spki = crypto.createPublicKey(key).export({ format: "der", type: "spki" });
    return spki.subarray(spki.length - 32).toString("base64");
}

/** An address as a host route: `/32` or `/128`. */
export function hostRoute(address: string): string {
    return `${address}/${address.includes(":") ? 128 : 32}`;
}

/**
 * The gateways' `/etc/wireguard/wg0.conf`: the same key, port and tunnel addresses on every
 * gateway, so that whichever holds the VIPs answers the peers. `Table = off`: wg-quick adds no
 * routes; keepalived's notify script routes the client ranges into wg0 on the gateway that
 * holds the VIPs, and through the VIPs on the others. No MTU: wg-quick derives it from the
 * route to the endpoint (the node subnet's MTU minus WireGuard's 80 bytes). Carries the
 * private key: the user-data that holds it is a secret.
 */
export function renderWireguardConfig(gateway: GatewayBootstrap): string {
    const lines = [
        `# dualstack cluster ${gateway.clusterName}: WireGuard on the access gateways. Every gateway has this`,
        "# key and these addresses; the one holding the VIPs answers the peers.",
        "[Interface]",
        `Address = ${gateway.clientRanges.map((r) => hostRoute(r.tunnelAddress)).join(", ")}`,
        `ListenPort = ${gateway.listenPort}`,
        `PrivateKey = ${gateway.privateKey}`,
        "Table = off",
    ];
    for (const peer of gateway.peers) {
        lines.push("", "[Peer]", `# ${peer.name}`, `PublicKey = ${peer.publicKey}`, `AllowedIPs = ${peer.addresses.map(hostRoute).join(", ")}`);
    }
    return `${lines.join("\n")}\n`;
}

/** What a peer's configuration template needs besides the peer. */
export interface ClientTemplateFacts {
    readonly clusterName: string;
    /** The gateways' public key. */
    readonly serverPublicKey: string;
    /** `host:port` the peer connects to: the floating IP, else the IPv6 VIP in brackets. */
    readonly endpoint: string;
    /** What the peer routes into the tunnel: the node subnets and the gateways' tunnel addresses. */
    readonly allowedIps: readonly string[];
}

/** The line a peer replaces with its own private key; wg-quick refuses the file until then. */
export const CLIENT_PRIVATE_KEY_PLACEHOLDER = "<the private key of this peer: wg genkey on its machine>";

/**
 * The wg-quick configuration of one peer, without its private key (which never leaves the
 * peer): its tunnel addresses, the gateways' public key and endpoint, and the ranges to route
 * through the tunnel.
 */
export function renderClientTemplate(peer: { name: string; addresses: readonly string[] }, facts: ClientTemplateFacts): string {
    return [
        `# dualstack cluster ${facts.clusterName}: WireGuard configuration of peer ${peer.name}.`,
        "# Put this peer's private key in, then: wg-quick up ./<file>.conf",
        "[Interface]",
        `PrivateKey = ${CLIENT_PRIVATE_KEY_PLACEHOLDER}`,
        `Address = ${peer.addresses.map(hostRoute).join(", ")}`,
        "",
        "[Peer]",
        `# the access gateways of ${facts.clusterName} (the one holding the VIPs answers)`,
        `PublicKey = ${facts.serverPublicKey}`,
        `Endpoint = ${facts.endpoint}`,
        `AllowedIPs = ${facts.allowedIps.join(", ")}`,
        `PersistentKeepalive = ${PERSISTENT_KEEPALIVE_SECONDS}`,
        "",
    ].join("\n");
}
