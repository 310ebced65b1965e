/**
 * Rules across ranges: disjointness within a stack and across stacks, node subnet size,
 * pod range capacity, families present on the nodes, access lists.
 */
import { usableNodeAddresses } from "../capacity";
import { Cidr, cidr, contains, containsAddress, makeCidr, overlaps, parseAddress } from "../cidr";
import { coversWholeSpace } from "../coverage";
import { ALL_FAMILIES, familyFacts, IpFamily } from "../family";
import { error, Finding, warning } from "../findings";
import { findOverlaps, Labeled } from "../overlap";
import { ULA_LOCAL_BLOCK } from "../ula";

/** What a range is used for. */
export type RangeRole = "nodes" | "pods" | "services" | "reserved" | "pool";

/** A range with what the overlap rules need to know about it. */
export interface RangeLabel {
    readonly key: string;
    readonly role: RangeRole;
    /** Derived from a stand-in ULA global ID: the real /48 is random, so only its layout is certain. */
    readonly standInUla?: boolean;
    /** Derived from a random ULA global ID (stand-in or not): unique per stack. */
    readonly ula?: boolean;
    /** Derived from a pinned ULA global ID (`dualstack:ulaGlobalId`): this ID. */
    readonly pinnedUlaId?: string;
    /** The stack file, for checks across files. */
    readonly file?: string;
}

/** The key that pins a stack's ULA /48. */
const ULA_GLOBAL_ID_KEY = "dualstack:ulaGlobalId";

const ROLE_WORDS: Record<RangeRole, string> = {
    nodes: "node subnet",
    pods: "pod range",
    services: "service range",
    reserved: "reserved range",
    pool: "Calico pool",
};

function classOf(label: RangeLabel): string {
    return label.role === "reserved" ? "reserved" : "used";
}

/** Reserved ranges may overlap each other; everything else must be disjoint from everything. */
function classesMeet(a: string, b: string): boolean {
    return !(a === "reserved" && b === "reserved");
}

/**
 * A range derived from a stand-in ULA ID is only certain to overlap an explicit range that
 * covers every possible ULA /48 (fd00::/8).
 */
function certainOverlap(a: Labeled<RangeLabel>, b: Labeled<RangeLabel>): boolean {
    if (a.label.standInUla && b.label.standInUla) return true;
    if (a.label.standInUla) return contains(b.cidr, ULA_LOCAL_BLOCK);
    if (b.label.standInUla) return contains(a.cidr, ULA_LOCAL_BLOCK);
    return true;
}

/** The key a finding about a pair should name: the used range rather than a reserved one, else the narrower. */
function blamed(outer: Labeled<RangeLabel>, inner: Labeled<RangeLabel>): Labeled<RangeLabel> {
    if (inner.label.role === "reserved") return outer;
    return inner;
}

function describe(range: Labeled<RangeLabel>, withFile = false): string {
    const where = withFile && range.label.file ? ` in ${range.label.file}` : "";
    return `${range.label.key} (${ROLE_WORDS[range.label.role]} ${range.cidr.text})${where}`;
}

/** `range-overlap`: the ranges of one stack (nodes, pods, services, pools, reserved) pairwise disjoint per family. */
export function checkDisjoint(ranges: readonly Labeled<RangeLabel>[]): Finding[] {
    return findOverlaps(ranges, { classOf, classesMeet, report: certainOverlap }).map(({ outer, inner }) => {
        const subject = blamed(outer, inner);
        const other = subject === inner ? outer : inner;
        return error(
            "range-overlap",
            subject.label.key,
            `${describe(subject)} overlaps ${describe(other)}. Nodes, pods, services and reserved ranges must be ` +
                `disjoint, or packets are routed to the wrong place. Move ${subject.label.key} to a free range.`,
        );
    });
}

/**
 * `range-overlap-across-stacks`: the ranges clusters use (nodes, pods, services) must not be
 * shared between stacks. Reserved ranges are not compared across stacks (listing another
 * environment's ranges there is the point), nor are ranges derived from a random ULA /48.
 */
export function checkDisjointAcrossStacks(ranges: readonly Labeled<RangeLabel>[]): Finding[] {
    const compared = ranges.filter((r) => r.label.role !== "reserved" && !r.label.ula);
    const findings: Finding[] = [];
    const sharedIds = new Set<string>();
    for (const { outer, inner } of findOverlaps(compared, { report: (a, b) => a.label.file !== b.label.file })) {
        const [first, second] = [outer, inner].sort((a, b) => String(a.label.file).localeCompare(String(b.label.file)));
        const id = first.label.pinnedUlaId;
        if (id !== undefined && id === second.label.pinnedUlaId) {
            // Two stacks pinned one ULA /48: one finding on the key that says so, not one per derived range.
            const pair = `${id}|${first.label.file}|${second.label.file}`;
            if (sharedIds.has(pair)) continue;
            sharedIds.add(pair);
            findings.push({
                ...error(
                    "range-overlap-across-stacks",
                    ULA_GLOBAL_ID_KEY,
                    `${ULA_GLOBAL_ID_KEY} is "${id}" in both ${first.label.file} and ${second.label.file}, so every range ` +
                        `derived from it ("ula") is shared. Give ${second.label.file} a global ID of its own (10 hexadecimal digits), ` +
                        `or leave the key out for a random one.`,
                ),
                file: second.label.file,
            });
            continue;
        }
        findings.push({
            ...error(
                "range-overlap-across-stacks",
                second.label.key,
                `${describe(second, true)} overlaps ${describe(first, true)}. Two environments that share a range ` +
                    `cannot be connected or told apart. Give ${second.label.key} in ${second.label.file} a range of its own.`,
            ),
            file: second.label.file,
        });
    }
    return findings;
}

/** `node-subnet-too-small`: room for every machine and the endpoint's ports. */
export function checkNodeSubnetSize(
    family: IpFamily,
    prefixLength: number,
    usablePorts: bigint,
    neededPorts: bigint,
    nodes: number,
    path: string,
): Finding[] {
    if (usablePorts >= neededPorts) return [];
    let suggested = prefixLength;
    while (suggested > 0 && usableNodeAddresses(family, suggested) < neededPorts) suggested--;
    return [
        error(
            "node-subnet-too-small",
            path,
            `${path} is a /${prefixLength} with room for ${usablePorts} ports after Neutron's own addresses, but the ` +
                `stack needs ${neededPorts} (${nodes} machines` +
                `${neededPorts > BigInt(nodes) ? ` and ${neededPorts - BigInt(nodes)} for the API load balancer` : ""}). ` +
                `Use a /${suggested} or shorter.`,
        ),
    ];
}

/** `pod-range-too-few-nodes`: the pod range must give a node range to every machine. */
export function checkPodCapacity(podRange: Cidr, nodeMask: number, nodesByPodRange: bigint, nodes: number, podPath: string, maskPath: string): Finding[] {
    if (nodesByPodRange === 0n || nodesByPodRange >= BigInt(nodes)) return [];
    const neededBits = Math.ceil(Math.log2(nodes));
    return [
        error(
            "pod-range-too-few-nodes",
            podPath,
            `${podPath} is ${podRange.text}; with ${maskPath} ${nodeMask} it gives node ranges to ${nodesByPodRange} ` +
                `machines, but the stack has ${nodes}. Use a /${nodeMask - neededBits} or shorter pod range, or a longer node mask.`,
        ),
    ];
}

/** `cluster-family-missing-on-nodes`: every cluster family needs node addresses of that family. */
export function checkClusterFamiliesOnNodes(
    clusterFamilies: readonly IpFamily[],
    nodeFamilies: readonly IpFamily[],
    familiesPath: string,
    nodeKey: (f: IpFamily) => string,
): Finding[] {
    return clusterFamilies
        .filter((f) => !nodeFamilies.includes(f))
        .map((f) =>
            error(
                "cluster-family-missing-on-nodes",
                nodeKey(f),
                `${familiesPath} includes ${f} but ${nodeKey(f)} is null: kubelet needs an ${f} node address ` +
                    `(node-ip) for ${f} pods and services. Set ${nodeKey(f)}, or remove ${f} from ${familiesPath}.`,
            ),
        );
}

/** `world-open-access`: a listed range that is the whole internet (allowed, but said out loud). */
export function checkWorldOpen(range: Cidr, path: string, what: string): Finding[] {
    if (range.prefixLength !== 0) return [];
    return [
        warning(
            "world-open-access",
            path,
            `${path} is ${range.text}: ${what} is open to the whole ${range.family} internet. Prefer the ranges of ` +
                `your offices, VPN or CI runners. The policy pack (policy secgroup-world-open) refuses it unless its ` +
                `configuration lists the port in allowedPorts.`,
        ),
    ];
}

/**
 * `world-open-access` on a whole list: ranges none of which is a /0 but whose union is the
 * whole space of a family (`0.0.0.0/1` and `128.0.0.0/1`), which the security-group rules
 * built from them open to the world just the same.
 */
export function checkWorldOpenUnion(ranges: readonly Cidr[], path: string, what: string): Finding[] {
    return ALL_FAMILIES.filter((family) => !ranges.some((r) => r.family === family && r.prefixLength === 0) && coversWholeSpace(ranges, family)).map((family) =>
        warning(
            "world-open-access",
            path,
            `${path} lists ${ranges.filter((r) => r.family === family).map((r) => r.text).join(", ")}, which together are every ` +
                `${family} address: ${what} is open to the whole ${family} internet. Prefer the ranges of your offices, VPN or CI ` +
                `runners. The policy pack (policy secgroup-world-open) refuses it unless its configuration lists the port in allowedPorts.`,
        ),
    );
}

/**
 * `allowed-range-family-unused`: an access range of a family the nodes have no address of
 * can never match (security-group rules filter per ethertype), so the access it seems to
 * grant does not exist.
 */
export function checkAllowedRangeFamily(range: Cidr, nodeFamilies: readonly IpFamily[], path: string, what: string): Finding[] {
    if (nodeFamilies.includes(range.family)) return [];
    return [
        warning(
            "allowed-range-family-unused",
            path,
            `${path} is ${range.text}, an ${range.family} range, but the nodes have no ${range.family} address, so ` +
                `${what} is not reachable from it. Remove it, or list the ${nodeFamilies.join(" or ")} range of the same clients.`,
        ),
    ];
}

/** Neutron's default `max_dns_nameservers`: DNS servers per subnet. */
export const NEUTRON_MAX_DNS_NAMESERVERS = 5;

/** A special-use block (RFC 6890) no cluster range may use, and why. */
interface SpecialUseBlock {
    readonly kind: "unspecified" | "loopback" | "link-local" | "multicast" | "reserved" | "ipv4-mapped";
    readonly range: Cidr;
    readonly why: string;
}

function specialUseBlocks(family: IpFamily): SpecialUseBlock[] {
    const facts = familyFacts(family);
    const blocks: SpecialUseBlock[] = [
        { kind: "unspecified", range: cidr(family === "IPv4" ? "0.0.0.0/8" : "::/128"), why: "those addresses mean \"this host\" or \"any address\" and are never routed" },
        { kind: "loopback", range: cidr(facts.loopback), why: "every host keeps those addresses to itself" },
        {
            kind: "link-local",
            range: cidr(facts.linkLocal),
            why: `routers never forward those addresses, and the OpenStack metadata service answers at ${facts.metadataAddress}`,
        },
        { kind: "multicast", range: cidr(facts.multicast), why: "those are group addresses, never a host's" },
    ];
    if (family === "IPv4") {
        blocks.push({ kind: "reserved", range: cidr("240.0.0.0/4"), why: "the block is reserved (255.255.255.255 is the broadcast address) and hosts and routers drop it" });
    } else {
        blocks.push({ kind: "ipv4-mapped", range: cidr("::ffff:0:0/96"), why: "hosts read those addresses as IPv4 addresses" });
    }
    return blocks;
}

/**
 * `range-special-use`: a node subnet, pod or service range that overlaps a special-use block
 * (RFC 6890): unspecified (`0.0.0.0/8`, `::`), loopback, link-local (with the metadata
 * service), multicast, IPv4's reserved `240.0.0.0/4` with the broadcast address, IPv6's
 * IPv4-mapped `::ffff:0:0/96`. Blocks another rule reports already are skipped: Neutron's
 * loopback and multicast rules for node subnets, Calico's link-local rule for pod ranges.
 */
export function checkSpecialUseRange(range: Cidr, role: "nodes" | "pods" | "services", path: string): Finding[] {
    const skip: ReadonlyArray<SpecialUseBlock["kind"]> = role === "nodes" ? ["loopback", "multicast"] : role === "pods" ? ["link-local"] : [];
    const metadata = parseAddress(familyFacts(range.family).metadataAddress);
    return specialUseBlocks(range.family)
        .filter((block) => !skip.includes(block.kind) && overlaps(range, block.range))
        .map((block) => {
            const holdsMetadata = block.kind === "link-local" && metadata !== undefined && containsAddress(range, metadata.family, metadata.value);
            return error(
                "range-special-use",
                path,
                `${path} is ${range.text}, ${contains(block.range, range) ? "inside" : "which contains"} the ${block.kind} range ` +
                    `${block.range.text}${holdsMetadata ? `, and holds the metadata service address ${familyFacts(range.family).metadataAddress}` : ""}: ` +
                    `${block.why}, so no ${ROLE_WORDS[role]} can use them. Use a private range (RFC 1918 for IPv4, a ULA such as "ula" for IPv6).`,
            );
        });
}

function article(word: string): string {
    return /^[aeiou]/i.test(word) ? "an" : "a";
}

/**
 * `dns-nameserver-invalid`: a DNS server must be an address (error, with a word on zone ids,
 * which Neutron refuses), one a host can send queries to (error: not unspecified, broadcast,
 * multicast or reserved), and of a family the nodes have a subnet of (warning: Neutron hands
 * a server out on subnets of its own family only). Loopback and link-local servers are a
 * warning: a node would ask itself, or a neighbour only reachable with an interface name.
 */
export function checkDnsNameserver(text: string, nodeFamilies: readonly IpFamily[], path: string): Finding[] {
    // ip-num reads "fe80::1%eth0" as an address; Neutron (netaddr) does not.
    const zone = /^[0-9a-fA-F:.]+%.*$/.test(text);
    const address = zone ? undefined : parseAddress(text);
    if (address === undefined) {
        return [
            error(
                "dns-nameserver-invalid",
                path,
                zone
                    ? `${path} is "${text}", an address with a zone id (%…); Neutron takes plain addresses only, and nodes cannot use a link-local server without one. Give a routed DNS server.`
                    : `${path} is "${text}", which is not an IP address. Give the address of a DNS server.`,
            ),
        ];
    }
    const single = makeCidr(address.family, address.value, familyFacts(address.family).bits);
    const block = specialUseBlocks(address.family).find((b) => contains(b.range, single));
    if (block !== undefined && !["loopback", "link-local"].includes(block.kind)) {
        return [
            error(
                "dns-nameserver-invalid",
                path,
                `${path} is ${text}, ${address.value === 0xffffffffn && address.family === "IPv4" ? "the broadcast" : `${article(block.kind)} ${block.kind}`} address: ${block.why}, so no query reaches a server there. Give the address of a DNS server.`,
            ),
        ];
    }
    if (block !== undefined) {
        return [
            warning(
                "dns-nameserver-invalid",
                path,
                `${path} is ${text}, ${article(block.kind)} ${block.kind} address: ${block.kind === "loopback" ? "each node would ask itself, and nodes run no DNS server of their own" : "a node reaches it only through a named interface, which Neutron cannot hand out"}. Give a routed DNS server.`,
            ),
        ];
    }
    if (!nodeFamilies.includes(address.family)) {
        return [
            warning(
                "dns-nameserver-invalid",
                path,
                `${path} is ${text}, an ${address.family} address, but the nodes have no ${address.family} subnet; ` +
                    `Neutron hands a DNS server out on subnets of its own family only, so it is not used. Remove it.`,
            ),
        ];
    }
    return [];
}

/**
 * Every DNS server, then the list: `dns-nameserver-duplicate` (Neutron: "Duplicate nameserver",
 * and two spellings of one address are one server) and `dns-nameservers-too-many` (more
 * servers of one family than Neutron's default `max_dns_nameservers` of 5 per subnet).
 */
export function checkDnsNameservers(texts: readonly string[], nodeFamilies: readonly IpFamily[], pathOf: (index: number) => string, listPath: string): Finding[] {
    const findings = texts.flatMap((text, index) => checkDnsNameserver(text, nodeFamilies, pathOf(index)));
    const seen = new Map<string, number>();
    const perFamily = new Map<IpFamily, number>();
    texts.forEach((text, index) => {
        const address = parseAddress(text);
        if (address === undefined) return;
        const id = `${address.family}/${address.value}`;
        const first = seen.get(id);
        if (first !== undefined) {
            findings.push(
                error(
                    "dns-nameserver-duplicate",
                    pathOf(index),
                    `${pathOf(index)} is ${text}, the same server as ${pathOf(first)}; Neutron refuses a subnet that lists a DNS server twice. Remove one.`,
                ),
            );
            return;
        }
        seen.set(id, index);
        perFamily.set(address.family, (perFamily.get(address.family) ?? 0) + 1);
    });
    for (const [family, count] of perFamily) {
        if (count <= NEUTRON_MAX_DNS_NAMESERVERS) continue;
        findings.push(
            error(
                "dns-nameservers-too-many",
                listPath,
                `${listPath} lists ${count} ${family} DNS servers; Neutron's default limit (max_dns_nameservers) is ` +
                    `${NEUTRON_MAX_DNS_NAMESERVERS} per subnet, so it refuses the ${family} subnet. Keep ${NEUTRON_MAX_DNS_NAMESERVERS} or fewer.`,
            ),
        );
    }
    return findings;
}
