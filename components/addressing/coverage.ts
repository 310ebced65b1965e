/**
 * Whether a set of ranges covers a range, as a union: `0.0.0.0/1` and `128.0.0.0/1` together
 * are the whole IPv4 internet although neither is. Exact interval arithmetic on bigints, the
 * same code for both families.
 */
import { Cidr, contains, lastAddress, makeCidr } from "./cidr";
import { IpFamily } from "./family";

/** The whole address space of a family (`0.0.0.0/0`, `::/0`). */
export function wholeSpace(family: IpFamily): Cidr {
    return makeCidr(family, 0n, 0);
}

/**
 * True when the union of `ranges` holds every address of `target`. Ranges of the other family
 * are ignored; overlapping and duplicate ranges are fine. O(n log n) in the number of ranges.
 */
export function unionCovers(ranges: readonly Cidr[], target: Cidr): boolean {
    const inside: Cidr[] = [];
    for (const range of ranges) {
        if (range.family !== target.family) continue;
        if (contains(range, target)) return true;
        if (contains(target, range)) inside.push(range);
    }
    inside.sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
    const end = lastAddress(target);
    let next = target.network;
    for (const range of inside) {
        if (range.network > next) return false;
        const after = lastAddress(range) + 1n;
        if (after > next) next = after;
        if (next > end) return true;
    }
    return next > end;
}

/** True when the union of `ranges` is the whole address space of `family`. */
export function coversWholeSpace(ranges: readonly Cidr[], family: IpFamily): boolean {
    return unionCovers(ranges, wholeSpace(family));
}
