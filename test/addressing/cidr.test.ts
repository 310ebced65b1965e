import * as assert from "assert";
import * as fc from "fast-check";
import {
    addressAt,
    cidr,
    cidrSize,
    contains,
    formatAddress,
    overlaps,
    parseAddress,
    parseCidr,
    subnetAt,
} from "../../components/addressing";

describe("cidr", () => {
    describe("parseCidr", () => {
        const cases: Array<[string, string | null, boolean]> = [
            ["10.0.0.0/8", "10.0.0.0/8", false],
            ["10.0.0.16/12", "10.0.0.0/12", true],
            ["0.0.0.0/0", "0.0.0.0/0", false],
            ["FD00:1:0:0::/64", "fd00:1::/64", false],
            ["fd00:0:0:1::1/64", "fd00:0:0:1::/64", true],
            ["2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128", false],
            ["::/0", "::/0", false],
            ["10.0.0.0/33", null, false],
            ["fd00::/129", null, false],
            ["10.0.0.0", null, false],
            ["ula", null, false],
            ["10.0.0.256/24", null, false],
            ["", null, false],
        ];
        for (const [text, normal, hostBits] of cases) {
            it(`${JSON.stringify(text)} → ${normal ?? "invalid"}`, () => {
                const parsed = parseCidr(text);
                if (normal === null) {
                    assert.strictEqual(parsed.ok, false);
                } else {
                    assert.ok(parsed.ok);
                    assert.strictEqual(parsed.cidr.text, normal);
                    assert.strictEqual(parsed.hostBitsSet, hostBits);
                }
            });
        }
        it("names the prefix limit of the family", () => {
            const parsed = parseCidr("10.0.0.0/33");
            assert.ok(!parsed.ok);
            assert.strictEqual(parsed.reason, "the prefix length must be between 0 and 32");
        });
    });

    describe("formatAddress (RFC 5952)", () => {
        const cases: Array<[string, string]> = [
            ["2001:db8:0:0:0:0:2:1", "2001:db8::2:1"],
            ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
            ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
            ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
            ["0:0:0:0:0:0:0:1", "::1"],
            ["fe80:0:0:0:0:0:a9fe:a9fe", "fe80::a9fe:a9fe"],
            ["0:0:0:0:0:0:0:0", "::"],
        ];
        for (const [input, expected] of cases) {
            it(`${input} → ${expected}`, () => {
                const parsed = parseAddress(input);
                assert.ok(parsed);
                assert.strictEqual(formatAddress("IPv6", parsed.value), expected);
            });
        }
    });

    it("carves subnets and addresses", () => {
        assert.strictEqual(subnetAt(cidr("fd00::/48"), 64, 3n).text, "fd00:0:0:3::/64");
        assert.strictEqual(subnetAt(cidr("10.0.0.0/16"), 24, 255n).text, "10.0.255.0/24");
        assert.throws(() => subnetAt(cidr("10.0.0.0/16"), 24, 256n), /holds 256 \/24 subnets, not 257/);
        assert.throws(() => subnetAt(cidr("10.0.0.0/16"), 8, 0n), /a \/8 does not fit in 10.0.0.0\/16/);
        assert.strictEqual(addressAt(cidr("10.0.0.0/30"), 3n), "10.0.0.3");
        assert.throws(() => addressAt(cidr("10.0.0.0/30"), 4n), /outside/);
        assert.strictEqual(cidrSize(cidr("fd00::/64")), 1n << 64n);
    });

    it("never relates ranges of different families", () => {
        assert.strictEqual(contains(cidr("::/0"), cidr("10.0.0.0/8")), false);
        assert.strictEqual(overlaps(cidr("0.0.0.0/0"), cidr("::/0")), false);
    });

    describe("against a brute-force model on short prefixes", () => {
        // Ranges inside a base /N with 8 bits below it, compared with the sets of addresses they hold.
        const bases = [
            { family: "IPv4", base: cidr("10.1.2.0/24"), bits: 32 },
            { family: "IPv6", base: cidr("fd00:1:2:3::ab00/120"), bits: 128 },
        ] as const;
        for (const { family, base, bits } of bases) {
            const range = fc.record({ length: fc.integer({ min: bits - 8, max: bits }), offset: fc.integer({ min: 0, max: 255 }) }).map(({ length, offset }) => {
                const text = `${formatAddress(family, base.network + BigInt(offset))}/${length}`;
                const parsed = parseCidr(text);
                if (!parsed.ok) throw new Error(text);
                const first = Number(parsed.cidr.network - base.network);
                const count = 2 ** (bits - length);
                return { cidr: parsed.cidr, set: new Set(Array.from({ length: count }, (_, i) => first + i)) };
            });
            it(`${family}: contains, overlaps and size agree with sets of addresses`, () => {
                fc.assert(
                    fc.property(range, range, (a, b) => {
                        const subset = [...b.set].every((x) => a.set.has(x));
                        const shared = [...b.set].some((x) => a.set.has(x));
                        assert.strictEqual(contains(a.cidr, b.cidr), subset);
                        assert.strictEqual(overlaps(a.cidr, b.cidr), shared);
                        assert.strictEqual(cidrSize(a.cidr), BigInt(a.set.size));
                    }),
                    { numRuns: 2000 },
                );
            });
        }
        it("parsing a formatted CIDR gives it back", () => {
            fc.assert(
                fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }), (value, length) => {
                    const masked = (value >> BigInt(128 - length)) << BigInt(128 - length);
                    const text = `${formatAddress("IPv6", masked)}/${length}`;
                    const parsed = parseCidr(text);
                    assert.ok(parsed.ok && !parsed.hostBitsSet);
                    assert.strictEqual(parsed.cidr.network, masked);
                    assert.strictEqual(parsed.cidr.text, text);
                }),
            );
        });
    });
});
