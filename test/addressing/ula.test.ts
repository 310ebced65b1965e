import * as assert from "assert";
import * as fc from "fast-check";
import {
    contains,
    isValidGlobalId,
    overlaps,
    standInGlobalId,
    ULA_LOCAL_BLOCK,
    ulaPrefix,
    ulaRange,
    UlaUse,
} from "../../components/addressing";

const globalId = fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }).map((v) => v.toString(16).padStart(10, "0"));
const uses: UlaUse[] = ["nodes", "pods", "services"];

describe("ULA (RFC 4193)", () => {
    it("derives the /48 from the 40-bit global ID", () => {
        assert.strictEqual(ulaPrefix("5e2a9c4f17").text, "fd5e:2a9c:4f17::/48");
        assert.strictEqual(ulaPrefix("0000000000").text, "fd00::/48");
        assert.strictEqual(ulaRange("5e2a9c4f17", "nodes").text, "fd5e:2a9c:4f17::/64");
        assert.strictEqual(ulaRange("5e2a9c4f17", "pods").text, "fd5e:2a9c:4f17:4000::/56");
        assert.strictEqual(ulaRange("5e2a9c4f17", "services").text, "fd5e:2a9c:4f17:8000::/112");
        assert.strictEqual(ulaRange("5e2a9c4f17", "pods", 52).text, "fd5e:2a9c:4f17:4000::/52");
    });

    it("refuses a bad ID and ranges that do not fit their quarter", () => {
        assert.throws(() => ulaPrefix("5e2a9c4f1"), /10 hexadecimal digits/);
        assert.throws(() => ulaRange("5e2a9c4f17", "pods", 49), /between \/50 and \/128/);
        assert.strictEqual(isValidGlobalId("5E2A9C4F17"), true);
        assert.strictEqual(isValidGlobalId("5e2a9c4f1g"), false);
    });

    it("every derived range lies in fd00::/8 (L bit set) inside its /48", () => {
        fc.assert(
            fc.property(globalId, fc.constantFrom(...uses), fc.integer({ min: 50, max: 128 }), (id, use, length) => {
                const range = ulaRange(id, use, length);
                assert.ok(contains(ULA_LOCAL_BLOCK, range));
                assert.ok(contains(ulaPrefix(id), range));
            }),
        );
    });

    it("the parts never overlap, whatever their sizes", () => {
        fc.assert(
            fc.property(globalId, fc.integer({ min: 50, max: 128 }), fc.integer({ min: 50, max: 128 }), fc.integer({ min: 50, max: 128 }), (id, n, p, s) => {
                const nodes = ulaRange(id, "nodes", n);
                const pods = ulaRange(id, "pods", p);
                const services = ulaRange(id, "services", s);
                assert.ok(!overlaps(nodes, pods) && !overlaps(pods, services) && !overlaps(nodes, services));
            }),
        );
    });

    it("a range's place depends on its use only: resizing one moves no range, itself included", () => {
        fc.assert(
            fc.property(globalId, fc.constantFrom(...uses), fc.integer({ min: 50, max: 128 }), fc.integer({ min: 50, max: 128 }), (id, use, a, b) => {
                assert.strictEqual(ulaRange(id, use, a).network, ulaRange(id, use, b).network);
                assert.strictEqual(ulaRange(id, use, a).network, ulaRange(id, use).network);
            }),
        );
    });

    it("stand-in IDs are valid, stable per stack and differ between stacks", () => {
        assert.strictEqual(standInGlobalId("dev"), standInGlobalId("dev"));
        assert.notStrictEqual(standInGlobalId("dev"), standInGlobalId("prod"));
        assert.ok(isValidGlobalId(standInGlobalId("dev")));
    });
});
