/**
 * Paths on an access gateway. The configuration templates name the gateway's interface on the
 * node subnets as `@NODE_INTERFACE@`; its name is only known on the machine, where the setup
 * script fills it in.
 */

/** Where the interface name goes in the keepalived and radvd templates. */
export const INTERFACE_PLACEHOLDER = "@NODE_INTERFACE@";

export const GATEWAY_PATHS = {
    setup: "/usr/local/sbin/dualstack-gateway-setup",
    notify: "/usr/local/sbin/dualstack-gateway-notify",
    check: "/usr/local/sbin/dualstack-gateway-check",
    unit: "/etc/systemd/system/dualstack-gateway-setup.service",
    environment: "/etc/dualstack/gateway.env",
    /** Written by the setup script: `INTERFACE=<name>`, for the notify script. */
    interfaceEnvironment: "/etc/dualstack/gateway-interface.env",
    stateDir: "/var/lib/dualstack",
    doneMarker: "/var/lib/dualstack/gateway.done",
    sysctl: "/etc/sysctl.d/90-dualstack-gateway.conf",
    acceptRaSysctl: "/etc/sysctl.d/80-dualstack-accept-ra.conf",
    wireguard: "/etc/wireguard/wg0.conf",
    keepalivedTemplate: "/etc/dualstack/keepalived.conf.in",
    keepalived: "/etc/keepalived/keepalived.conf",
    radvdTemplate: "/etc/dualstack/radvd.conf.in",
    radvd: "/etc/radvd.conf",
} as const;
