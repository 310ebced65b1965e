/**
 * RFC 4193 unique local addresses. A stack owns one /48, `fd` followed by a 40-bit global
 * ID (random, kept in state). Every range configured as `"ula"` is carved out of it at a
 * fixed place, so changing one range's size never moves another:
 *
 *     fdXX:XXXX:XXXX:0000::/50   node subnets   (default /64 at its start)
 *     fdXX:XXXX:XXXX:4000::/50   pod ranges     (default /56 at its start)
 *     fdXX:XXXX:XXXX:8000::/50   service ranges (default /112 at its start)
 *     fdXX:XXXX:XXXX:c000::/50   WireGuard client ranges of the access gateway (default /64 at its start)
 */
import { createHash } from "crypto";
import { Cidr, makeCidr, subnetAt } from "./cidr";

/** What a ULA range is used for; each use has its own quarter of the /48. */
export type UlaUse = "nodes" | "pods" | "services" | "clients";

/** Prefix length of a range written as plain `"ula"`. */
export const ULA_DEFAULT_PREFIX: Readonly<Record<UlaUse, number>> = { nodes: 64, pods: 56, services: 112, clients: 64 };

/** Each use's region is a /50; a `"ula/N"` range must have N of at least this. */
export const ULA_REGION_PREFIX = 50;

const REGION_INDEX: Readonly<Record<UlaUse, bigint>> = { nodes: 0n, pods: 1n, services: 2n, clients: 3n };

/** The whole unique local block fc00::/7 (RFC 4193). */
export const UNIQUE_LOCAL_RANGE: Cidr = makeCidr("IPv6", 0xfcn << 120n, 7);

/** The locally assigned ULA block fd00::/8 (L bit set), where every derived /48 lies. */
export const ULA_LOCAL_BLOCK: Cidr = makeCidr("IPv6", 0xfdn << 120n, 8);

/** True for a 40-bit global ID written as 10 hexadecimal digits. */
export function isValidGlobalId(id: string): boolean {
    return /^[0-9a-fA-F]{10}$/.test(id);
}

/** The stack's /48: `fd` + 40-bit global ID. */
export function ulaPrefix(globalId: string): Cidr {
    if (!isValidGlobalId(globalId)) {
        throw new RangeError(`a ULA global ID is 10 hexadecimal digits (40 bits), not "${globalId}"`);
    }
    const network = (0xfdn << 120n) | (BigInt(`0x${globalId}`) << 80n);
    return makeCidr("IPv6", network, 48);
}

/** The /50 region of the stack's /48 that holds ranges of one use. */
export function ulaRegion(globalId: string, use: UlaUse): Cidr {
    return subnetAt(ulaPrefix(globalId), ULA_REGION_PREFIX, REGION_INDEX[use]);
}

/** The range of one use, of the given length, at the start of its region. */
export function ulaRange(globalId: string, use: UlaUse, prefixLength: number = ULA_DEFAULT_PREFIX[use]): Cidr {
    if (prefixLength < ULA_REGION_PREFIX || prefixLength > 128) {
        throw new RangeError(
            `a ULA ${use} range must be between /${ULA_REGION_PREFIX} and /128 to fit its quarter of the /48, not /${prefixLength}`,
        );
    }
    return subnetAt(ulaRegion(globalId, use), prefixLength, 0n);
}

/**
 * A stand-in global ID for when no state exists (`dualstack check`, `dualstack plan`): derived
 * from a seed (the stack name) so plans are reproducible and two stacks differ. The real ID
 * is random and kept in the stack's state.
 */
export function standInGlobalId(seed: string): string {
    return createHash("sha256").update(`dualstack-ula:${seed}`).digest("hex").slice(0, 10);
}
