/**
 * Rules of the WireGuard access gateway: client ranges big enough for the gateways and their
 * peers, every peer's address inside every client range and unique, WireGuard keys in
 * WireGuard's format, and who can reach the WireGuard port. The client ranges' disjointness
 * from every other range is the overlap rules' business (role `clients`).
 */
import { Cidr, cidrSize, formatAddress } from "../cidr";
import { familyFacts, IpFamily } from "../family";
import { error, Finding, warning } from "../findings";

/** A WireGuard key: base64 of 32 bytes (44 characters, the last one `=`). */
export const WIREGUARD_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The gateways' own tunnel address in each client range: the range's first address plus this. */
export const GATEWAY_HOST_ID = 1;

/** A client range must hold its network address, the gateways' address and at least one peer (and IPv4's broadcast address). */
export const CLIENT_RANGE_MIN_ADDRESSES = 4n;

/** The address `hostId` places in a client range: the range's first address plus `hostId`. */
export function tunnelAddress(range: Cidr, hostId: number): string {
    return formatAddress(range.family, range.network + BigInt(hostId));
}

/** The highest host id a range can hold: IPv4 keeps its last address (broadcast) free. */
export function maxHostId(range: Cidr): bigint {
    return cidrSize(range) - (range.family === "IPv4" ? 2n : 1n);
}

/** True when `hostId` places a peer inside the range (not its first address, the gateways' or IPv4's broadcast address). */
export function hostIdFits(hostId: number, range: Cidr): boolean {
    return hostId > GATEWAY_HOST_ID && BigInt(hostId) <= maxHostId(range);
}

/** `gateway-client-range-too-small`: room for the gateways' address and at least one peer. */
export function checkClientRangeSize(range: Cidr, path: string): Finding[] {
    if (cidrSize(range) >= CLIENT_RANGE_MIN_ADDRESSES) return [];
    const longest = familyFacts(range.family).bits - 2;
    return [
        error(
            "gateway-client-range-too-small",
            path,
            `${path} is ${range.text}, ${cidrSize(range)} address(es); a WireGuard client range holds its first address, the ` +
                `gateways' tunnel address (+${GATEWAY_HOST_ID}) and the peers, so it needs at least ${CLIENT_RANGE_MIN_ADDRESSES}. ` +
                `Use a /${longest} or shorter.`,
        ),
    ];
}

/** `gateway-peer-address`: a peer's hostId gives it an address inside every client range. */
export function checkPeerHostId(hostId: number, ranges: readonly { cidr: Cidr; key: string }[], path: string): Finding[] {
    const findings: Finding[] = [];
    if (hostId === GATEWAY_HOST_ID || hostId < 1) {
        findings.push(
            error(
                "gateway-peer-address",
                path,
                `${path} is ${hostId}; host ids start at ${GATEWAY_HOST_ID + 1} (0 is each client range's first address, ` +
                    `${GATEWAY_HOST_ID} the gateways' own tunnel address). Choose ${GATEWAY_HOST_ID + 1} or higher.`,
            ),
        );
        return findings;
    }
    for (const range of ranges) {
        if (hostIdFits(hostId, range.cidr)) continue;
        const limit = maxHostId(range.cidr);
        findings.push(
            error(
                "gateway-peer-address",
                path,
                `${path} is ${hostId}, but ${range.key} (${range.cidr.text}) holds host ids up to ${limit}` +
                    `${range.cidr.family === "IPv4" ? " (its last address is the broadcast address)" : ""}. Choose a smaller ` +
                    `hostId, or a larger client range.`,
            ),
        );
    }
    return findings;
}

/** One peer as the uniqueness rule sees it. */
export interface PeerIdentity {
    readonly name: string;
    readonly publicKey: string;
    readonly hostId: number;
}

/** `gateway-peer-duplicate`: names, public keys and host ids are each unique among the peers. */
export function checkPeersUnique(peers: readonly PeerIdentity[], pathOf: (index: number, field: string) => string): Finding[] {
    const findings: Finding[] = [];
    const fields: Array<[keyof PeerIdentity, string]> = [
        ["name", "names the peer in the gateways' configuration"],
        ["publicKey", "identifies the peer to WireGuard, which keeps one peer per key"],
        ["hostId", "gives the peer its tunnel addresses, which WireGuard routes to one peer only"],
    ];
    for (const [field, why] of fields) {
        const first = new Map<string, number>();
        peers.forEach((peer, index) => {
            const value = String(peer[field]);
            const earlier = first.get(value);
            if (earlier === undefined) {
                first.set(value, index);
                return;
            }
            const shown = field === "publicKey" ? "the same public key" : `"${value}"`;
            findings.push(
                error(
                    "gateway-peer-duplicate",
                    pathOf(index, field),
                    `${pathOf(index, field)} is ${shown} as ${pathOf(earlier, field)}; each peer's ${field} ${why}. Give each peer its own.`,
                ),
            );
        });
    }
    return findings;
}

/**
 * `wireguard-key-invalid`: a WireGuard key is base64 of 32 bytes (what `wg genkey` and
 * `wg pubkey` print). A private key is never shown in the message.
 */
export function checkWireguardKey(text: string, path: string, secret: boolean): Finding[] {
    if (WIREGUARD_KEY.test(text)) return [];
    const shown = secret ? "is not" : `is "${text}", which is not`;
    return [
        error(
            "wireguard-key-invalid",
            path,
            `${path} ${shown} a WireGuard key: 44 characters of base64 (32 bytes), as \`wg genkey\` and \`wg pubkey\` print them.`,
        ),
    ];
}

/** `gateway-sources-empty`: nobody may reach the WireGuard port, so the gateway carries no traffic. */
export function checkGatewaySources(count: number, path: string): Finding[] {
    if (count > 0) return [];
    return [
        warning(
            "gateway-sources-empty",
            path,
            `${path} is empty, so the security group admits WireGuard from nowhere and no peer can connect. List the ` +
                `ranges your peers connect from (offices, VPN exits; 0.0.0.0/0 and ::/0 for roaming laptops).`,
        ),
    ];
}

/** `gateway-single`: one gateway has nothing to fail over to. */
export function checkGatewayCount(count: number, path: string): Finding[] {
    if (count !== 1) return [];
    return [
        warning(
            "gateway-single",
            path,
            `${path} is 1: keepalived has no second gateway to move the VIPs to, so the tunnel is down while that machine is. Use 2.`,
        ),
    ];
}

/** `gateway-no-client-range`: a gateway needs a client range of at least one family the nodes have. */
export function checkGatewayHasClientRange(families: readonly IpFamily[], path: string, nodeFamilies: readonly IpFamily[]): Finding[] {
    if (families.length > 0) return [];
    return [
        error(
            "gateway-no-client-range",
            path,
            `${path} has no client range of a family the nodes have (${nodeFamilies.join(", ")}), so WireGuard peers get no ` +
                `address. Set ${nodeFamilies.map((f) => `client${familyFacts(f).keySuffix}Cidr`).join(" or ")}, or remove the gateway section.`,
        ),
    ];
}
