/**
 * Union coverage: exact on tables, and against an independent recursive oracle on random
 * sets of ranges of both families (property tests).
 */
import * as assert from "assert";
import * as fc from "fast-check";
import { Cidr, cidr, contains, coversWholeSpace, IpFamily, makeCidr, subnetAt, unionCovers, wholeSpace } from "../../components/addressing";

/** Covered iff some range holds the node, or both halves are covered; no range is longer than `depth`. */
function oracle(ranges: readonly Cidr[], node: Cidr, depth: number): boolean {
    if (ranges.some((r) => contains(r, node))) return true;
    if (node.prefixLength >= depth) return false;
    return oracle(ranges, subnetAt(node, node.prefixLength + 1, 0n), depth) && oracle(ranges, subnetAt(node, node.prefixLength + 1, 1n), depth);
}

/** A random range of the family with a short prefix (at most `depth`), so that the oracle stays small. */
function shortRange(family: IpFamily, depth: number): fc.Arbitrary<Cidr> {
    const bits = family === "IPv4" ? 32 : 128;
    return fc
        .tuple(fc.integer({ min: 0, max: depth }), fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }))
        .map(([prefixLength, network]) => makeCidr(family, network, prefixLength));
}

/** A random partition of a range into disjoint CIDRs (a random binary split down to `depth`). */
function partition(family: IpFamily, depth: number): fc.Arbitrary<Cidr[]> {
    return fc.array(fc.boolean(), { minLength: 1 << (depth + 1), maxLength: 1 << (depth + 1) }).map((splits) => {
        const out: Cidr[] = [];
        let index = 0;
        const walk = (node: Cidr) => {
            if (node.prefixLength < depth && splits[index++ % splits.length]) {
                walk(subnetAt(node, node.prefixLength + 1, 0n));
                walk(subnetAt(node, node.prefixLength + 1, 1n));
            } else out.push(node);
        };
        walk(wholeSpace(family));
        return out;
    });
}

describe("union coverage", () => {
    it("tables", () => {
        const world = (texts: string[], family: IpFamily) => coversWholeSpace(texts.map(cidr), family);
        assert.strictEqual(world(["0.0.0.0/0"], "IPv4"), true);
        assert.strictEqual(world(["0.0.0.0/1", "128.0.0.0/1"], "IPv4"), true);
        assert.strictEqual(world(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"], "IPv4"), true);
        assert.strictEqual(world(["0.0.0.0/1", "128.0.0.0/2"], "IPv4"), false);
        assert.strictEqual(world(["0.0.0.0/1", "0.0.0.0/1"], "IPv4"), false);
        assert.strictEqual(world(["::/1", "8000::/1"], "IPv6"), true);
        assert.strictEqual(world(["::/1", "8000::/1"], "IPv4"), false);
        assert.strictEqual(world(["0.0.0.0/0"], "IPv6"), false);
        assert.strictEqual(world([], "IPv4"), false);
        assert.strictEqual(unionCovers([cidr("10.0.0.0/25"), cidr("10.0.0.128/25"), cidr("192.168.0.0/16")], cidr("10.0.0.0/24")), true);
        assert.strictEqual(unionCovers([cidr("10.0.0.0/25"), cidr("10.0.0.192/26")], cidr("10.0.0.0/24")), false);
    });

    for (const family of ["IPv4", "IPv6"] as IpFamily[]) {
        it(`${family}: agrees with a recursive oracle on random sets of ranges`, () => {
            const depth = 5;
            fc.assert(
                fc.property(fc.array(shortRange(family, depth), { maxLength: 24 }), (ranges) => {
                    assert.strictEqual(coversWholeSpace(ranges, family), oracle(ranges, wholeSpace(family), depth));
                }),
                { numRuns: 400 },
            );
        });

        it(`${family}: every partition of the space covers it, and none without one of its pieces`, () => {
            fc.assert(
                fc.property(partition(family, 6), fc.nat(), (pieces, drop) => {
                    assert.strictEqual(coversWholeSpace(pieces, family), true);
                    if (pieces.length > 1) {
                        const without = pieces.filter((_, i) => i !== drop % pieces.length);
                        assert.strictEqual(coversWholeSpace(without, family), false);
                    }
                }),
                { numRuns: 200 },
            );
        });
    }
});
