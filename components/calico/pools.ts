/**
 * Pools across deployments. Calico keeps a pool's CIDR and block size for its whole life, so a
 * change of either must be refused before the operator is asked for it. `previous` is what the
 * last deployment recorded in the Calico component's `pools` output.
 */
import { parseCidr } from "../addressing/cidr";
import { Finding } from "../addressing/findings";
import { checkCalicoPoolImmutable } from "../addressing/rules/calico";
import { keys } from "../config/keys";
import { CalicoIpPool } from "./values";

/** `calico-pool-immutable` over two lists of pools, matched by family. */
export function checkPoolChanges(previous: readonly CalicoIpPool[], next: readonly CalicoIpPool[]): Finding[] {
    const findings: Finding[] = [];
    for (const pool of next) {
        const parsed = parseCidr(pool.cidr);
        if (!parsed.ok) continue;
        const family = parsed.cidr.family;
        const before = previous
            .map((p) => ({ pool: p, parsed: parseCidr(p.cidr) }))
            .find((p) => p.parsed.ok && p.parsed.cidr.family === family);
        if (before === undefined || !before.parsed.ok) continue;
        findings.push(
            ...checkCalicoPoolImmutable(
                { cidr: before.parsed.cidr, blockSize: before.pool.blockSize },
                { cidr: parsed.cidr, blockSize: pool.blockSize },
                { cidr: keys.podCidr(family), blockSize: keys.blockSize(family) },
            ),
        );
    }
    return findings;
}
