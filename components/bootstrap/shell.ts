/**
 * Shell functions that more than one machine's script uses: logging with retries, finding
 * the interface on the node subnets, and keeping IPv6 router advertisements with forwarding
 * on. The node bootstrap script and the access gateway's setup script include them, so both
 * kinds of machine treat their network the same way; the conformance suite runs shellcheck
 * on both scripts.
 */

/** `log` (timestamped, to stderr, with `tag`) and `retry ATTEMPTS DELAY COMMAND...`. */
export function shellHelpers(tag: string): string {
    return `log() {
    printf '%s ${tag}: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# retry ATTEMPTS DELAY COMMAND...: run COMMAND until it succeeds, at most ATTEMPTS times.
retry() {
    local attempts=$1 delay=$2 n=1
    shift 2
    until "$@"; do
        if [ "$n" -ge "$attempts" ]; then
            log "giving up after $n attempts: $*"
            return 1
        fi
        log "attempt $n of $attempts failed, again in \${delay}s: $*"
        n=$((n + 1))
        sleep "$delay"
    done
}
`;
}

/**
 * `node_interface` (the interface holding an address in one of `$NODE_SUBNETS`) and
 * `keep_router_advertisements` (accept_ra=2 on it when `$IPV6_NODE` is yes, kept in
 * `$ACCEPT_RA_SYSCTL`).
 */
export const NODE_NETWORK_FUNCTIONS = `# The interface that holds an address in one of the node subnets.
node_interface() {
    local subnet device
    for subnet in $NODE_SUBNETS; do
        device=$(ip -o addr show to "$subnet" | awk '{ print $2; exit }')
        if [ -n "$device" ]; then
            printf '%s\\n' "$device"
            return 0
        fi
    done
    return 1
}

# A Linux router ignores router advertisements: with IPv6 forwarding on, accept_ra=1
# stops working and the node loses its IPv6 default route when the RA-learned one
# expires. accept_ra=2 keeps accepting them. Only the kernel's own RA handling needs
# this; when a network daemon handles RAs (accept_ra=0), it is left alone.
keep_router_advertisements() {
    local device key current
    if [ "$IPV6_NODE" != "yes" ]; then
        return 0
    fi
    device=$(retry 60 2 node_interface)
    key="net/ipv6/conf/$device/accept_ra"
    current=$(sysctl -n "$key")
    if [ "$current" = "0" ]; then
        log "accept_ra is 0 on $device: a network daemon handles router advertisements; leaving it"
        return 0
    fi
    log "setting accept_ra=2 on $device (was $current) so that IPv6 forwarding keeps the default route"
    sysctl -q -w "$key=2"
    printf '# dualstack: keep accepting router advertisements with forwarding on\\n%s = 2\\n' "$key" >"$ACCEPT_RA_SYSCTL"
}
`;

/**
 * `accept_route_information`: lets the kernel install routes from Route Information options
 * (RFC 4191) of up to `$ROUTE_INFORMATION_MAX_PLEN` bits on the node interface, kept in
 * `$ROUTE_INFORMATION_SYSCTL`. The access gateway that holds the VIPs advertises its WireGuard
 * client range this way; Linux ignores such routes unless their prefix length is at most
 * `accept_ra_rt_info_max_plen`, which is 0 by default (Documentation/networking/ip-sysctl.rst).
 * Nothing happens without the variable (no gateway) or without IPv6 on the node.
 */
export const ROUTE_INFORMATION_FUNCTION = `# Routes from router advertisements (RFC 4191 Route Information): the access gateway that
# holds the VIPs advertises its WireGuard client range so. Linux ignores such a route unless
# its prefix length is at most accept_ra_rt_info_max_plen, 0 by default.
accept_route_information() {
    local device key
    if [ -z "\${ROUTE_INFORMATION_MAX_PLEN:-}" ] || [ "$IPV6_NODE" != "yes" ]; then
        return 0
    fi
    device=$(retry 60 2 node_interface)
    key="net/ipv6/conf/$device/accept_ra_rt_info_max_plen"
    if [ ! -e "$PROC_SYS/$key" ]; then
        log "the kernel has no $key (built without CONFIG_IPV6_ROUTE_INFO); the route to the WireGuard clients comes from the router alone"
        return 0
    fi
    log "accepting routes of up to /$ROUTE_INFORMATION_MAX_PLEN from router advertisements on $device (the access gateway's route to its WireGuard clients)"
    sysctl -q -w "$key=$ROUTE_INFORMATION_MAX_PLEN"
    printf '# dualstack: accept the access gateway route to its WireGuard clients (RFC 4191)\\n%s = %s\\n' "$key" "$ROUTE_INFORMATION_MAX_PLEN" >"$ROUTE_INFORMATION_SYSCTL"
}
`;
