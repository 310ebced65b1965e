/**
 * Rules on a single CIDR value: it parses, it is of the family its key says, and it is
 * strictly masked.
 */
import { Cidr, guessFamily, parseCidr } from "../cidr";
import { IpFamily } from "../family";
import { error, Finding } from "../findings";

/** A CIDR checked against its key: the parsed range when usable, and the findings. */
export interface CheckedCidr {
    readonly cidr?: Cidr;
    readonly findings: Finding[];
}

const EXAMPLE: Record<IpFamily, string> = { IPv4: "10.244.0.0/16", IPv6: "fd00:10:244::/56" };

/**
 * `cidr-invalid`, `cidr-family-mismatch`, `cidr-host-bits` on one value.
 *
 * @param text the value as written
 * @param family the family its key expects, or undefined when either is fine
 * @param path the key or property for messages
 * @param otherFamilyPath the key where a value of the other family belongs, for the fix
 *
 * Host bits: kubeadm accepts `10.0.0.16/12` and uses `10.0.0.0/12`; we refuse it because
 * Calico refuses pools that are not strictly masked, Neutron stores the masked value (a
 * permanent diff), and the stray bits are nearly always a typo.
 */
export function checkCidr(text: string, family: IpFamily | undefined, path: string, otherFamilyPath?: string): CheckedCidr {
    const parsed = parseCidr(text);
    if (!parsed.ok) {
        const expected = family ?? guessFamily(text) ?? "IPv4";
        return {
            findings: [
                error(
                    "cidr-invalid",
                    path,
                    `${path} is "${text}": ${parsed.reason}. Write ${family ? `an ${family}` : "a"} CIDR such as ${EXAMPLE[expected]}.`,
                ),
            ],
        };
    }
    const found = parsed.cidr;
    if (family !== undefined && found.family !== family) {
        const fix = otherFamilyPath
            ? `Move it to ${otherFamilyPath}, or give an ${family} CIDR here (e.g. ${EXAMPLE[family]}).`
            : `Give an ${family} CIDR here (e.g. ${EXAMPLE[family]}).`;
        return {
            findings: [
                error(
                    "cidr-family-mismatch",
                    path,
                    `${path} is "${text}", an ${found.family} range, but this key takes ${family}. ${fix}`,
                ),
            ],
        };
    }
    if (parsed.hostBitsSet) {
        return {
            cidr: found,
            findings: [
                error(
                    "cidr-host-bits",
                    path,
                    `${path} is "${text}": bits are set after the /${found.prefixLength} prefix. Write ${found.text} ` +
                        `(or a longer prefix if a smaller range was meant): Calico refuses a range written otherwise, and Neutron would store the ` +
                        `masked value in place of yours.`,
                ),
            ],
        };
    }
    return { cidr: found, findings: [] };
}
