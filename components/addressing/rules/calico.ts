/**
 * Rules that mirror Calico's IPPool validation (libcalico-go validateIPPoolSpec, the IPPool
 * CEL rules) and our own about pools.
 */
import { Cidr, cidr, overlaps } from "../cidr";
import { familyFacts, IpFamily } from "../family";
import { error, Finding, warning } from "../findings";
import { ENCAPSULATIONS } from "../../config/types";

/** A Calico pool as the rules see it (the operator's `ipPools[]` entry, parsed). */
export interface PoolInput {
    readonly cidr: Cidr;
    readonly blockSize: number;
    /** `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN`, `VXLANCrossSubnet`. */
    readonly encapsulation: string;
}

/** Paths of a pool's fields, for messages. */
export interface PoolPaths {
    readonly cidr: string;
    readonly blockSize: string;
    readonly encapsulation: string;
}

/** True for encapsulations that carry pod traffic between nodes of one subnet unencapsulated. */
export function isNativeWithinSubnet(encapsulation: string): boolean {
    return encapsulation === "None" || encapsulation.endsWith("CrossSubnet");
}

/**
 * `calico-encapsulation-invalid`, `calico-ipip-ipv6` on one pool's encapsulation: one of
 * Calico's five values, and IP-in-IP only on IPv4.
 */
export function checkEncapsulation(family: IpFamily, encapsulation: string, path: string): Finding[] {
    if (!(ENCAPSULATIONS as readonly string[]).includes(encapsulation)) {
        return [
            error(
                "calico-encapsulation-invalid",
                path,
                `${path} is "${encapsulation}"; Calico takes ${ENCAPSULATIONS.join(", ")} (case-sensitive). ` +
                    `Use None for native routing, or VXLAN when the network does not route pod addresses.`,
            ),
        ];
    }
    if (family === "IPv6" && encapsulation.startsWith("IPIP")) {
        return [
            error(
                "calico-ipip-ipv6",
                path,
                `${path} is ${encapsulation}; IP-in-IP carries IPv4 only, and Calico refuses it on ` +
                    `IPv6 pools. Use None, VXLAN or VXLANCrossSubnet.`,
            ),
        ];
    }
    return [];
}

/**
 * `calico-block-size`, `calico-pool-smaller-than-block`, `calico-encapsulation-invalid`, `calico-ipip-ipv6`,
 * `calico-link-local` on one pool.
 */
export function checkCalicoPool(pool: PoolInput, paths: PoolPaths): Finding[] {
    const findings: Finding[] = [];
    const facts = familyFacts(pool.cidr.family);
    if (!Number.isInteger(pool.blockSize) || pool.blockSize < facts.blockSizeMin || pool.blockSize > facts.blockSizeMax) {
        findings.push(
            error(
                "calico-block-size",
                paths.blockSize,
                `${paths.blockSize} is ${pool.blockSize}; Calico takes ${facts.blockSizeMin} to ${facts.blockSizeMax} ` +
                    `for ${pool.cidr.family} pools. Use ${facts.defaultBlockSize} (the default).`,
            ),
        );
    } else if (pool.cidr.prefixLength > pool.blockSize) {
        findings.push(
            error(
                "calico-pool-smaller-than-block",
                paths.cidr,
                `${paths.cidr} is ${pool.cidr.text}, smaller than one Calico block of /${pool.blockSize} ` +
                    `(${paths.blockSize}); Calico IPAM refuses such a pool. Use a /${pool.blockSize} or shorter range, ` +
                    `or a block size of ${pool.cidr.prefixLength} or more.`,
            ),
        );
    }
    findings.push(...checkEncapsulation(pool.cidr.family, pool.encapsulation, paths.encapsulation));
    const linkLocal = cidr(facts.linkLocal);
    if (overlaps(pool.cidr, linkLocal)) {
        findings.push(
            error(
                "calico-link-local",
                paths.cidr,
                `${paths.cidr} is ${pool.cidr.text}, which overlaps the link-local range ${linkLocal.text}; Calico ` +
                    `refuses such pools (nodes and the metadata service use those addresses). Choose a range outside ${linkLocal.text}.`,
            ),
        );
    }
    return findings;
}

/** Encapsulations whose routes Calico distributes by BGP: none at all, and IP-in-IP. VXLAN routes are Felix's own. */
export function needsBgp(encapsulation: string): boolean {
    return encapsulation === "None" || encapsulation.startsWith("IPIP");
}

/**
 * `calico-bgp-required`: unencapsulated and IP-in-IP pod traffic needs routes that Calico
 * learns by BGP; the operator refuses IPIP without BGP ("IPIP encapsulation requires that
 * BGP is enabled"). VXLAN and VXLANCrossSubnet work without it.
 */
export function checkCalicoBgp(family: IpFamily, encapsulation: string, bgp: boolean, encapsulationPath: string, bgpPath: string): Finding[] {
    if (bgp || !needsBgp(encapsulation)) return [];
    const why =
        encapsulation === "None"
            ? `${family} pod traffic is routed natively, and without BGP no node learns the other nodes' pod routes`
            : `IP-in-IP routes are distributed by BGP, and the Calico operator refuses IPIP without it`;
    return [error("calico-bgp-required", bgpPath, `${bgpPath} is false but ${encapsulationPath} is ${encapsulation}: ${why}. Enable BGP, or use VXLAN or VXLANCrossSubnet.`)];
}

/**
 * `calico-metadata-open`: without the Calico policy that blocks the OpenStack metadata
 * service, every pod can read the node's user-data (169.254.169.254, fe80::a9fe:a9fe), which
 * carries the join token and, on control planes, the cluster's CA keys.
 */
export function checkCalicoMetadataAccess(blockMetadata: boolean, path: string): Finding[] {
    if (blockMetadata) return [];
    return [
        warning(
            "calico-metadata-open",
            path,
            `${path} is false, so pods can reach the OpenStack metadata service (${familyFacts("IPv4").metadataAddress}, ` +
                `${familyFacts("IPv6").metadataAddress}) and read the nodes' user-data, which carries the join token and, on ` +
                `control planes, the cluster's CA keys. Leave it true unless another policy blocks the service.`,
        ),
    ];
}

/** `ula-nat-outgoing-disabled`: pods with ULA addresses cannot reach the IPv6 internet without NAT. */
export function checkUlaNatOutgoing(podRange: Cidr, natOutgoing: boolean, ulaRange: Cidr, podPath: string, natPath: string): Finding[] {
    if (natOutgoing || podRange.family !== "IPv6" || !overlaps(podRange, ulaRange)) return [];
    return [
        warning(
            "ula-nat-outgoing-disabled",
            natPath,
            `${natPath} is false but ${podPath} is ${podRange.text}, a unique local (ULA) range: packets from pods ` +
                `to the IPv6 internet leave with addresses nobody routes back. Set it to true, or use a globally routed pod range.`,
        ),
    ];
}

/** `calico-blocks-below-nodes`: fewer blocks than nodes leaves some nodes without an affine block. */
export function checkCalicoBlocks(pool: Cidr, blockSize: number, blocks: bigint, nodes: number, path: string, blockPath: string): Finding[] {
    if (blocks === 0n || blocks >= BigInt(nodes)) return [];
    return [
        warning(
            "calico-blocks-below-nodes",
            blockPath,
            `${path} ${pool.text} holds ${blocks} Calico blocks of /${blockSize} (${blockPath}) but the stack has ` +
                `${nodes} nodes; nodes without a block of their own borrow addresses one by one. Use a wider pool or a larger block size ` +
                `(e.g. ${blockSize + 1}: smaller blocks, twice as many).`,
        ),
    ];
}

/**
 * `calico-pool-immutable`: Calico cannot change the CIDR or the block size of an existing IP pool
 * (libcalico-go keeps both for the life of the pool; the operator refuses such an edit and the
 * pool stays as it was). `previous` is the pool as applied last time, `next` the new one, of the
 * same family.
 */
export function checkCalicoPoolImmutable(
    previous: Pick<PoolInput, "cidr" | "blockSize">,
    next: Pick<PoolInput, "cidr" | "blockSize">,
    paths: Pick<PoolPaths, "cidr" | "blockSize">,
): Finding[] {
    const findings: Finding[] = [];
    const family = next.cidr.family;
    const migrate =
        "or migrate deliberately: add a second pool, move the pods to it, disable and delete the old one " +
        "(https://docs.tigera.io/calico/latest/networking/ipam/migrate-pools)";
    if (previous.cidr.text !== next.cidr.text) {
        findings.push(
            error(
                "calico-pool-immutable",
                paths.cidr,
                `${paths.cidr} changes the Calico ${family} pool from ${previous.cidr.text} to ${next.cidr.text}, but the CIDR ` +
                    `of an existing Calico IP pool cannot change: the operator would refuse the edit and every pod would keep ` +
                    `its old address. Keep ${previous.cidr.text}, ${migrate}.`,
            ),
        );
    } else if (previous.blockSize !== next.blockSize) {
        findings.push(
            error(
                "calico-pool-immutable",
                paths.blockSize,
                `${paths.blockSize} changes the block size of the Calico ${family} pool ${next.cidr.text} from ` +
                    `/${previous.blockSize} to /${next.blockSize}, but the block size of an existing Calico IP pool cannot ` +
                    `change (nodes already own blocks of the old size). Keep ${previous.blockSize}, ${migrate}.`,
            ),
        );
    }
    return findings;
}
