/**
 * Rules that mirror OpenStack Neutron's subnet validation (db_base_plugin_v2 _validate_subnet,
 * _validate_ipv6_attributes, ipam_backend_mixin _validate_subnet_cidr), so that a plan
 * Neutron would refuse is refused before `pulumi up`, with a message that names our key.
 */
import { Cidr, cidr, contains, overlaps } from "../cidr";
import { familyFacts, IpFamily } from "../family";
import { error, Finding } from "../findings";

/** Neutron's values for `ipv6_address_mode` and `ipv6_ra_mode`. */
export const NEUTRON_IPV6_MODES = ["dhcpv6-stateful", "dhcpv6-stateless", "slaac"] as const;

/** Modes in which hosts form their own address (EUI-64), which needs a /64. */
const AUTO_ADDRESS_MODES = new Set(["slaac", "dhcpv6-stateless"]);

/** A subnet as Neutron sees it. `cidr` is undefined when a subnet pool allocates it. */
export interface NeutronSubnetInput {
    readonly family: IpFamily;
    readonly cidr?: Cidr;
    /** The prefix length, known even when a subnet pool picks the range. */
    readonly prefixLength: number;
    readonly ipv6AddressMode?: string;
    readonly ipv6RaMode?: string;
    readonly enableDhcp: boolean;
}

/** Paths of the subnet's fields, for messages. */
export interface NeutronSubnetPaths {
    readonly cidr: string;
    readonly addressMode: string;
    readonly raMode: string;
}

/** Every Neutron subnet rule on one subnet. */
export function checkNeutronSubnet(subnet: NeutronSubnetInput, paths: NeutronSubnetPaths): Finding[] {
    return [...checkIpv6Modes(subnet, paths), ...checkSubnetRange(subnet, paths)];
}

/**
 * `neutron-ipv6-mode-invalid`, `neutron-ipv6-mode-mismatch`, `neutron-ipv6-mode-without-dhcp`,
 * `neutron-ipv6-mode-on-ipv4`, `neutron-auto-address-prefix`.
 */
export function checkIpv6Modes(subnet: NeutronSubnetInput, paths: NeutronSubnetPaths): Finding[] {
    const findings: Finding[] = [];
    const modes: Array<[string | undefined, string]> = [
        [subnet.ipv6AddressMode, paths.addressMode],
        [subnet.ipv6RaMode, paths.raMode],
    ];
    const valid = (mode: string | undefined) => mode === undefined || (NEUTRON_IPV6_MODES as readonly string[]).includes(mode);
    for (const [mode, path] of modes) {
        if (!valid(mode)) {
            findings.push(
                error(
                    "neutron-ipv6-mode-invalid",
                    path,
                    `${path} is "${mode}"; Neutron takes ${NEUTRON_IPV6_MODES.join(", ")}. ` +
                        `Use dhcpv6-stateful (any prefix length) or slaac (a /64).`,
                ),
            );
        }
    }
    if (findings.length > 0) return findings;
    const anyMode = subnet.ipv6AddressMode ?? subnet.ipv6RaMode;
    if (anyMode === undefined) return findings;
    if (subnet.family === "IPv4") {
        return [
            error(
                "neutron-ipv6-mode-on-ipv4",
                paths.addressMode,
                `${paths.addressMode} is ${anyMode} on an IPv4 subnet; Neutron accepts IPv6 modes on IPv6 subnets only. Remove it.`,
            ),
        ];
    }
    if (!subnet.enableDhcp) {
        findings.push(
            error(
                "neutron-ipv6-mode-without-dhcp",
                paths.addressMode,
                `${paths.addressMode} is ${anyMode} but DHCP is disabled on the subnet; Neutron refuses IPv6 modes ` +
                    `without DHCP. Enable DHCP or remove the modes.`,
            ),
        );
    }
    if (
        subnet.ipv6AddressMode !== undefined &&
        subnet.ipv6RaMode !== undefined &&
        subnet.ipv6AddressMode !== subnet.ipv6RaMode
    ) {
        findings.push(
            error(
                "neutron-ipv6-mode-mismatch",
                paths.raMode,
                `${paths.raMode} is ${subnet.ipv6RaMode} but ${paths.addressMode} is ${subnet.ipv6AddressMode}; ` +
                    `Neutron requires both to be the same value when both are set. Set ${paths.raMode} to ` +
                    `${subnet.ipv6AddressMode}, or leave it out.`,
            ),
        );
    }
    const autoMode = [subnet.ipv6AddressMode, subnet.ipv6RaMode].find((m) => m !== undefined && AUTO_ADDRESS_MODES.has(m));
    if (autoMode !== undefined && subnet.prefixLength !== 64) {
        findings.push(
            error(
                "neutron-auto-address-prefix",
                paths.cidr,
                `${paths.cidr} is ${subnet.cidr?.text ?? `a /${subnet.prefixLength}`} with ${autoMode}; hosts form ` +
                    `their address from the MAC (EUI-64), which needs exactly a /64. Use a /64, or dhcpv6-stateful ` +
                    `for other prefix lengths.`,
            ),
        );
    }
    return findings;
}

/** `neutron-dhcp-prefix`, `neutron-multicast`, `neutron-loopback`, `neutron-unusable-range`. */
export function checkSubnetRange(subnet: NeutronSubnetInput, paths: NeutronSubnetPaths): Finding[] {
    const findings: Finding[] = [];
    const facts = familyFacts(subnet.family);
    const shown = subnet.cidr?.text ?? `a /${subnet.prefixLength}`;
    if (subnet.enableDhcp && subnet.prefixLength > facts.dhcpMaxPrefix) {
        findings.push(
            error(
                "neutron-dhcp-prefix",
                paths.cidr,
                `${paths.cidr} is ${shown}; Neutron refuses ${subnet.family} subnets longer than /${facts.dhcpMaxPrefix} ` +
                    `with DHCP enabled (no room for the DHCP port and a host). Use a /${facts.dhcpMaxPrefix} or shorter.`,
            ),
        );
    }
    if (subnet.cidr === undefined) return findings;
    const range = subnet.cidr;
    if (range.prefixLength === 0 || (range.network === 0n && subnet.enableDhcp)) {
        findings.push(
            error(
                "neutron-unusable-range",
                paths.cidr,
                `${paths.cidr} is ${range.text}; Neutron refuses a subnet that ${
                    range.prefixLength === 0 ? "covers the whole address space" : "starts at the all-zero address"
                }. Use a private range such as ${subnet.family === "IPv4" ? "10.0.0.0/22" : "a ULA /64"}.`,
            ),
        );
    }
    if (subnet.enableDhcp) {
        const special: Array<[string, string]> = [
            ["neutron-multicast", facts.multicast],
            ["neutron-loopback", facts.loopback],
        ];
        for (const [rule, reserved] of special) {
            const reservedRange = cidr(reserved);
            if (overlaps(range, reservedRange)) {
                findings.push(
                    error(
                        rule,
                        paths.cidr,
                        `${paths.cidr} is ${range.text}, ${contains(reservedRange, range) ? "inside" : "which contains"} the ` +
                            `${rule === "neutron-multicast" ? "multicast" : "loopback"} range ${reservedRange.text}; Neutron refuses it for a subnet with DHCP, and no host could use ` +
                            `it. Use a private range.`,
                    ),
                );
            }
        }
    }
    return findings;
}
