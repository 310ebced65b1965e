/**
 * `address:port` with a literal address of either family (`192.0.2.10:443`, `[2001:db8::10]:443`):
 * a target reached over exactly one family, never a name that could resolve to the other.
 */
import { formatAddress, parseAddress } from "./cidr";
import { IpFamily } from "./family";

/** A literal address and a TCP port. */
export interface HostPort {
    readonly family: IpFamily;
    /** The address in canonical form (RFC 5952 for IPv6), without brackets. */
    readonly address: string;
    readonly port: number;
}

/** Parse `a.b.c.d:port` or `[v6]:port`; a string says what is wrong. */
export function parseHostPort(text: string): HostPort | string {
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
    if (match === null) return "expected an address and a port, e.g. 192.0.2.10:443 or [2001:db8::10]:443 (IPv6 in brackets)";
    const host = match[1] ?? match[2];
    const address = parseAddress(host);
    if (address === undefined) return `${host} is not an IPv4 or IPv6 address; give a literal address, not a name (a name could answer over the other family)`;
    const port = Number(match[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `the port is ${match[3]}; it must be 1 to 65535`;
    return { family: address.family, address: formatAddress(address.family, address.value), port };
}
