import * as assert from "assert";
import * as fc from "fast-check";
import { cidr, findOverlaps, formatAddress, Labeled, overlaps } from "../../components/addressing";

describe("findOverlaps (sort and sweep)", () => {
    const range = fc
        .record({ length: fc.integer({ min: 16, max: 24 }), offset: fc.integer({ min: 0, max: 0xffff }) })
        .map(({ length, offset }) => {
            const network = (BigInt(0x0a000000 + offset * 256) >> BigInt(32 - length)) << BigInt(32 - length);
            return cidr(`${formatAddress("IPv4", network)}/${length}`);
        });

    it("finds exactly the pairs a pairwise comparison finds", () => {
        fc.assert(
            fc.property(fc.array(range, { maxLength: 40 }), (ranges) => {
                const labeled: Labeled<number>[] = ranges.map((c, i) => ({ cidr: c, label: i }));
                const found = new Set(findOverlaps(labeled).map(({ outer, inner }) => [outer.label, inner.label].sort((a, b) => a - b).join(",")));
                const expected = new Set<string>();
                for (let i = 0; i < ranges.length; i++) {
                    for (let j = i + 1; j < ranges.length; j++) {
                        if (overlaps(ranges[i], ranges[j])) expected.add(`${i},${j}`);
                    }
                }
                assert.deepStrictEqual([...found].sort(), [...expected].sort());
            }),
            { numRuns: 500 },
        );
    });

    it("skips pairs of classes that do not meet, duplicates included", () => {
        const labeled = [
            ...Array.from({ length: 1000 }, (_, i) => ({ cidr: cidr("10.0.0.0/8"), label: `reserved-${i}` })),
            { cidr: cidr("10.1.0.0/16"), label: "pods" },
        ];
        const pairs = findOverlaps(labeled, {
            classOf: (l) => (l.startsWith("reserved") ? "reserved" : "used"),
            classesMeet: (a, b) => !(a === "reserved" && b === "reserved"),
        });
        assert.strictEqual(pairs.length, 1000);
        assert.ok(pairs.every((p) => p.inner.label === "pods"));
    });

    it("orders outer before inner and keeps families apart", () => {
        const pairs = findOverlaps([
            { cidr: cidr("fd00::/64"), label: "a" },
            { cidr: cidr("fd00::/48"), label: "b" },
            { cidr: cidr("10.0.0.0/8"), label: "c" },
        ]);
        assert.deepStrictEqual(
            pairs.map((p) => [p.outer.label, p.inner.label]),
            [["b", "a"]],
        );
    });
});
