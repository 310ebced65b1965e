/**
 * Property: no set of security-group rules whose union admits a closed service's port from the
 * whole IPv4 or IPv6 internet passes `secgroup-world-open`, however the world is split between
 * rules, however the port ranges overlap, and however the protocol is spelt.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import * as openstack from "@pulumi/openstack";
import { Cidr, IpFamily, subnetAt, wholeSpace } from "../components/addressing";
import { WORLD_CLOSED_SERVICES } from "../components/addressing/rules/security";
import { secgroupWorldOpen } from "../components/policies/security";
import { messages, runStackPolicy, stackArgs, StackResource } from "./support/policy";

const { SecGroupRule } = openstack.networking;

/** Spellings Neutron reads as TCP, or as every protocol. */
const TCP_SPELLINGS = ["tcp", "TCP", "Tcp", "6", "06", "006", " 6", "+6", "", "0", "ip", "hopopt"];

const TCP_PORTS = WORLD_CLOSED_SERVICES.filter((s) => s.protocol === 6).map((s) => s.port as number);

/** A random partition of the whole space of a family into disjoint CIDRs. */
function partition(family: IpFamily): fc.Arbitrary<Cidr[]> {
    return fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }).map((splits) => {
        const out: Cidr[] = [];
        let index = 0;
        const walk = (node: Cidr) => {
            if (node.prefixLength < 6 && splits[index++]) {
                walk(subnetAt(node, node.prefixLength + 1, 0n));
                walk(subnetAt(node, node.prefixLength + 1, 1n));
            } else out.push(node);
        };
        walk(wholeSpace(family));
        return out;
    });
}

/** A port range holding `port`: [port - below, port + above], within 1..65535. */
const rangeAround = (port: number) =>
    fc.tuple(fc.nat({ max: 3000 }), fc.nat({ max: 3000 })).map(([below, above]) => [Math.max(1, port - below), Math.min(65535, port + above)] as const);

const pieceRule = (port: number) => fc.record({ protocol: fc.constantFrom(...TCP_SPELLINGS), ports: rangeAround(port) });

async function violationsOf(resources: StackResource[]): Promise<string[]> {
    return messages(await runStackPolicy(secgroupWorldOpen, stackArgs(resources)));
}

function rules(family: IpFamily, pieces: readonly Cidr[], shapes: ReadonlyArray<{ protocol: string; ports: readonly [number, number] }>): StackResource[] {
    return pieces.map((piece, i) => {
        const anyProtocol = shapes[i].protocol.trim() === "" || ["0", "ip", "hopopt"].includes(shapes[i].protocol);
        return {
            type: SecGroupRule,
            name: `piece-${i}`,
            props: {
                direction: "ingress",
                ethertype: family,
                protocol: shapes[i].protocol === "" ? undefined : shapes[i].protocol,
                // Neutron takes no ports with every protocol; such a rule admits every port.
                portRangeMin: anyProtocol ? undefined : shapes[i].ports[0],
                portRangeMax: anyProtocol ? undefined : shapes[i].ports[1],
                remoteIpPrefix: piece.text,
                securityGroupId: "sg",
            },
        };
    });
}

describe("#secgroup-world-open (property)", () => {
    for (const family of ["IPv4", "IPv6"] as IpFamily[]) {
        it(`${family}: rules that split the world between them, over a closed port, never pass`, async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.constantFrom(...TCP_PORTS).chain((port) =>
                        partition(family).chain((pieces) =>
                            fc.tuple(fc.constant(port), fc.constant(pieces), fc.array(pieceRule(port), { minLength: pieces.length, maxLength: pieces.length })),
                        ),
                    ),
                    async ([port, pieces, shapes]) => {
                        const found = await violationsOf(rules(family, pieces, shapes));
                        assert.ok(
                            found.some((m) => m.includes(`(${port}/tcp)`) && m.includes(`whole ${family} internet`)),
                            `${port} from ${pieces.map((p) => p.text).join(" ")}: ${JSON.stringify(found)}`,
                        );
                    },
                ),
                { numRuns: 60 },
            );
        });

        it(`${family}: the same rules less one piece of the world pass for that port`, async () => {
            await fc.assert(
                fc.asyncProperty(
                    partition(family).filter((p) => p.length > 1),
                    fc.nat(),
                    async (pieces, drop) => {
                        const kept = pieces.filter((_, i) => i !== drop % pieces.length);
                        const shapes = kept.map(() => ({ protocol: "tcp", ports: [22, 22] as const }));
                        const found = await violationsOf(rules(family, kept, shapes));
                        assert.deepStrictEqual(found, [], kept.map((p) => p.text).join(" "));
                    },
                ),
                { numRuns: 60 },
            );
        });
    }
});
