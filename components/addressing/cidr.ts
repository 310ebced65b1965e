/**
 * CIDR maths for both families. Parsing and syntax checks come from ip-num; the arithmetic
 * works on bigints (network address and prefix length), which keeps contains / overlaps /
 * size exact for IPv6 and fast enough to sweep a hundred thousand ranges.
 */
import { IPv4, IPv6, Validator } from "ip-num";
import { familyFacts, IpFamily } from "./family";

/** A parsed, normalised CIDR: the network address with host bits cleared. */
export interface Cidr {
    readonly family: IpFamily;
    /** The network address as an unsigned integer. */
    readonly network: bigint;
    readonly prefixLength: number;
    /** Canonical text: dotted quad for IPv4, RFC 5952 (lower case, `::` compression) for IPv6. */
    readonly text: string;
}

/** The result of parsing a CIDR written by a user. */
export type CidrParseResult =
    | {
          readonly ok: true;
          readonly cidr: Cidr;
          /** The address part had bits set beyond the prefix (`10.0.0.16/12`). */
          readonly hostBitsSet: boolean;
      }
    | { readonly ok: false; readonly reason: string };

/** Which family a string looks like, by its separators; undefined for neither. */
export function guessFamily(text: string): IpFamily | undefined {
    if (text.includes(":")) return "IPv6";
    if (/^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(text)) return "IPv4";
    return undefined;
}

/** Parse `addr/len` of either family. Host bits are reported, not rejected: rules decide. */
export function parseCidr(text: string): CidrParseResult {
    if (typeof text !== "string" || !text.includes("/")) {
        return { ok: false, reason: "expected an address and a prefix length such as 10.0.0.0/16 or fd00::/64" };
    }
    const family = guessFamily(text);
    if (family === undefined) {
        return { ok: false, reason: "neither an IPv4 nor an IPv6 CIDR" };
    }
    const [valid, messages] =
        family === "IPv4" ? Validator.isValidIPv4CidrNotation(text) : Validator.isValidIPv6CidrNotation(text);
    if (!valid) {
        return { ok: false, reason: describeIpNumError(family, messages) };
    }
    const [addressText, lengthText] = text.split("/");
    const prefixLength = Number(lengthText);
    const address = family === "IPv4" ? new IPv4(addressText).getValue() : new IPv6(addressText).getValue();
    const network = maskNetwork(family, address, prefixLength);
    return {
        ok: true,
        cidr: makeCidr(family, network, prefixLength),
        hostBitsSet: network !== address,
    };
}

function describeIpNumError(family: IpFamily, messages: string[]): string {
    const prefixMessage = messages.find((m) => m.includes("Prefix value"));
    if (prefixMessage) return `the prefix length must be between 0 and ${familyFacts(family).bits}`;
    return `not a valid ${family} CIDR`;
}

/** Parse a CIDR that must be valid and strictly masked; throws otherwise. For constants and tests. */
export function cidr(text: string): Cidr {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
    if (parsed.hostBitsSet) throw new Error(`${text}: host bits set (did you mean ${parsed.cidr.text}?)`);
    return parsed.cidr;
}

/** Build a CIDR from its parts; the network is masked to the prefix. */
export function makeCidr(family: IpFamily, network: bigint, prefixLength: number): Cidr {
    const bits = familyFacts(family).bits;
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) {
        throw new RangeError(`prefix length ${prefixLength} out of range for ${family}`);
    }
    const masked = maskNetwork(family, network, prefixLength);
    return { family, network: masked, prefixLength, text: `${formatAddress(family, masked)}/${prefixLength}` };
}

function maskNetwork(family: IpFamily, address: bigint, prefixLength: number): bigint {
    const hostBitCount = BigInt(familyFacts(family).bits - prefixLength);
    return (address >> hostBitCount) << hostBitCount;
}

/** Number of host bits: 32 or 128 minus the prefix length. */
export function hostBits(c: Cidr): number {
    return familyFacts(c.family).bits - c.prefixLength;
}

/** Number of addresses in the range. */
export function cidrSize(c: Cidr): bigint {
    return 1n << BigInt(hostBits(c));
}

/** The last address of the range, as an integer. */
export function lastAddress(c: Cidr): bigint {
    return c.network + cidrSize(c) - 1n;
}

/** True when `inner` lies entirely inside `outer` (same family). */
export function contains(outer: Cidr, inner: Cidr): boolean {
    return (
        outer.family === inner.family &&
        outer.prefixLength <= inner.prefixLength &&
        maskNetwork(outer.family, inner.network, outer.prefixLength) === outer.network
    );
}

/** True when the ranges share at least one address. Two CIDRs overlap only by nesting. */
export function overlaps(a: Cidr, b: Cidr): boolean {
    return contains(a, b) || contains(b, a);
}

/** True when the address lies in the range. */
export function containsAddress(range: Cidr, family: IpFamily, address: bigint): boolean {
    return range.family === family && maskNetwork(family, address, range.prefixLength) === range.network;
}

/** The `index`-th subnet of length `prefixLength` inside `parent` (0-based). */
export function subnetAt(parent: Cidr, prefixLength: number, index: bigint): Cidr {
    if (prefixLength < parent.prefixLength) {
        throw new RangeError(`a /${prefixLength} does not fit in ${parent.text}`);
    }
    const count = 1n << BigInt(prefixLength - parent.prefixLength);
    if (index < 0n || index >= count) {
        throw new RangeError(`${parent.text} holds ${count} /${prefixLength} subnets, not ${index + 1n}`);
    }
    const step = 1n << BigInt(familyFacts(parent.family).bits - prefixLength);
    return makeCidr(parent.family, parent.network + index * step, prefixLength);
}

/** The address at `offset` from the start of the range, as text. */
export function addressAt(range: Cidr, offset: bigint): string {
    if (offset < 0n || offset >= cidrSize(range)) {
        throw new RangeError(`offset ${offset} is outside ${range.text}`);
    }
    return formatAddress(range.family, range.network + offset);
}

/** Parse a bare address of either family; undefined when it is not one. */
export function parseAddress(text: string): { family: IpFamily; value: bigint } | undefined {
    const family = guessFamily(text);
    if (family === "IPv4" && Validator.isValidIPv4String(text)[0]) {
        return { family, value: new IPv4(text).getValue() };
    }
    if (family === "IPv6" && Validator.isValidIPv6String(text)[0]) {
        return { family, value: new IPv6(text).getValue() };
    }
    return undefined;
}

/** Canonical text of an address: dotted quad, or RFC 5952 for IPv6. */
export function formatAddress(family: IpFamily, value: bigint): string {
    if (family === "IPv4") {
        return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
    }
    const groups: number[] = [];
    for (let shift = 112n; shift >= 0n; shift -= 16n) {
        groups.push(Number((value >> shift) & 0xffffn));
    }
    // RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie.
    let bestStart = -1;
    let bestLength = 1;
    for (let i = 0; i < groups.length; ) {
        if (groups[i] !== 0) {
            i++;
            continue;
        }
        let j = i;
        while (j < groups.length && groups[j] === 0) j++;
        if (j - i > bestLength) {
            bestStart = i;
            bestLength = j - i;
        }
        i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hex.join(":");
    const head = hex.slice(0, bestStart).join(":");
    const tail = hex.slice(bestStart + bestLength).join(":");
    return `${head}::${tail}`;
}

/** Sort key: family, then network, then prefix length (wider first). */
export function compareCidrs(a: Cidr, b: Cidr): number {
    if (a.family !== b.family) return a.family < b.family ? -1 : 1;
    if (a.network !== b.network) return a.network < b.network ? -1 : 1;
    return a.prefixLength - b.prefixLength;
}
