/**
 * The access gateway's scripts, the same on every gateway (what differs comes from the
 * environment file): the setup script that a systemd unit runs until it has succeeded once,
 * the notify script keepalived runs on every VRRP state change, and keepalived's WireGuard
 * health check. The conformance suite runs shellcheck on exactly these.
 */
import { NODE_NETWORK_FUNCTIONS, shellHelpers } from "../bootstrap/shell";
import { runOnceUnit } from "../bootstrap/script";
import { GATEWAY_PATHS, INTERFACE_PLACEHOLDER } from "./paths";
import { WIREGUARD_INTERFACE } from "./wireguard";

/**
 * Setup, in order: find the interface on the node subnets, accept_ra=2 on it (as on the
 * nodes: with forwarding on, the kernel would otherwise drop the IPv6 default route), the
 * forwarding sysctls, the packages (wireguard-tools, keepalived, radvd with an IPv6 client
 * range), the interface into the keepalived and radvd templates, radvd disabled (keepalived
 * starts it where the VIPs are), then WireGuard and keepalived.
 */
export const GATEWAY_SETUP_SCRIPT = `#!/bin/bash
# dualstack access gateway setup: forwarding, WireGuard, keepalived (the VIPs) and radvd (the
# route to the WireGuard clients, started by keepalived only where the VIPs are). Run by
# dualstack-gateway-setup.service until it succeeds; logs: journalctl -u dualstack-gateway-setup
set -euo pipefail

ENVIRONMENT_FILE=${GATEWAY_PATHS.environment}
INTERFACE_FILE=${GATEWAY_PATHS.interfaceEnvironment}
STATE_DIR=${GATEWAY_PATHS.stateDir}
DONE_MARKER=${GATEWAY_PATHS.doneMarker}
ACCEPT_RA_SYSCTL=${GATEWAY_PATHS.acceptRaSysctl}
KEEPALIVED_TEMPLATE=${GATEWAY_PATHS.keepalivedTemplate}
KEEPALIVED_CONFIG=${GATEWAY_PATHS.keepalived}
RADVD_TEMPLATE=${GATEWAY_PATHS.radvdTemplate}
RADVD_CONFIG=${GATEWAY_PATHS.radvd}
APT_OPTIONS=(-q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef)

${shellHelpers("dualstack-gateway")}
${NODE_NETWORK_FUNCTIONS}
install_packages() {
    local packages=(wireguard-tools keepalived)
    if [ "$ADVERTISE_ROUTE" = yes ]; then
        packages+=(radvd)
    fi
    export DEBIAN_FRONTEND=noninteractive
    retry 10 15 apt-get "\${APT_OPTIONS[@]}" update
    retry 5 15 apt-get "\${APT_OPTIONS[@]}" install "\${packages[@]}"
}

# place_config DEVICE TEMPLATE TARGET: the template with the interface name filled in.
place_config() {
    install -d -m 0755 "$(dirname "$3")"
    sed "s/${INTERFACE_PLACEHOLDER}/$1/g" "$2" >"$3"
    chmod 0644 "$3"
}

main() {
    local device
    # shellcheck source=/dev/null
    . "$ENVIRONMENT_FILE"
    install -d -m 0700 "$STATE_DIR"
    device=$(retry 60 2 node_interface)
    log "setting up access gateway $GATEWAY_NAME on $device"
    keep_router_advertisements
    sysctl -q --system
    install_packages
    printf 'INTERFACE=%s\\n' "$device" >"$INTERFACE_FILE"
    if [ "$ADVERTISE_ROUTE" = yes ]; then
        # Only the gateway that holds the VIPs advertises: keepalived starts and stops radvd.
        systemctl disable --now radvd
        place_config "$device" "$RADVD_TEMPLATE" "$RADVD_CONFIG"
    fi
    place_config "$device" "$KEEPALIVED_TEMPLATE" "$KEEPALIVED_CONFIG"
    systemctl enable --now wg-quick@${WIREGUARD_INTERFACE}
    systemctl enable keepalived
    systemctl restart keepalived
    touch "$DONE_MARKER"
    log "done"
}

# Run main unless the file is sourced (the tests source it to call single functions).
if [ "\${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
`;

/**
 * keepalived's notify script, called with the gateway's new state. MASTER: the client ranges
 * go into wg0 and radvd advertises the IPv6 one. BACKUP, FAULT, STOP: the client ranges go
 * through the VIPs (so that a peer still reaches this gateway through the one holding them),
 * radvd stops and withdraws its route.
 */
export const GATEWAY_NOTIFY_SCRIPT = `#!/bin/bash
# dualstack access gateway: keepalived runs this with the gateway's new VRRP state (MASTER,
# BACKUP, FAULT or STOP). The gateway holding the VIPs routes the WireGuard client ranges into
# ${WIREGUARD_INTERFACE} and advertises the IPv6 one; the others route them through the VIPs.
set -euo pipefail

ENVIRONMENT_FILE=${GATEWAY_PATHS.environment}
INTERFACE_FILE=${GATEWAY_PATHS.interfaceEnvironment}

main() {
    local state=$1 entry range vip
    # shellcheck source=/dev/null
    . "$ENVIRONMENT_FILE"
    # shellcheck source=/dev/null
    . "$INTERFACE_FILE"
    logger -t dualstack-gateway "VRRP state $state"
    # CLIENT_ROUTES: <client range>@<VIP of its family>, separated by spaces.
    for entry in $CLIENT_ROUTES; do
        range=\${entry%@*}
        vip=\${entry#*@}
        if [ "$state" = MASTER ]; then
            ip route replace "$range" dev ${WIREGUARD_INTERFACE}
        else
            ip route replace "$range" via "$vip" dev "$INTERFACE"
        fi
    done
    if [ "$ADVERTISE_ROUTE" = yes ]; then
        if [ "$state" = MASTER ]; then
            systemctl start radvd
        else
            systemctl stop radvd
        fi
    fi
}

if [ "\${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
`;

/** keepalived's health check: a gateway may hold the VIPs only while WireGuard listens on its port. */
export const GATEWAY_CHECK_SCRIPT = `#!/bin/bash
# dualstack access gateway: keepalived's health check. This gateway may hold the VIPs only
# while WireGuard listens on its port.
set -euo pipefail
# shellcheck source=/dev/null
. ${GATEWAY_PATHS.environment}
[ "$(wg show ${WIREGUARD_INTERFACE} listen-port)" = "$LISTEN_PORT" ]
`;

/** The unit that runs the setup script once, also across reboots until it has succeeded. */
export const GATEWAY_SETUP_UNIT = runOnceUnit(
    "dualstack access gateway setup (WireGuard, keepalived, radvd)",
    "https://www.wireguard.com/quickstart/",
    GATEWAY_PATHS.setup,
    GATEWAY_PATHS.doneMarker,
);
