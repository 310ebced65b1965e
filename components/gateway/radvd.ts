/**
 * radvd on the access gateways: router advertisements that carry only a Route Information
 * option (RFC 4191) for the IPv6 WireGuard client range, so that nodes send replies to the
 * peers straight to the gateway. keepalived starts radvd on the gateway that holds the VIPs
 * and stops it on the others; on stopping, radvd announces the route with lifetime 0.
 *
 * Neutron's iptables and Open vSwitch firewall drivers drop router advertisements that an
 * instance sends through a port with port security on (docs/gateway.md): there, the route
 * through the Neutron router (Gateway `routerId`) is the one the nodes use.
 *
 * Upstream: radvd.conf(5) of radvd 2.19.
 */
import { INTERFACE_PLACEHOLDER } from "./paths";
import { GatewayBootstrap } from "./types";

/** Most seconds between advertisements (radvd's minimum is 4). */
export const MAX_ADVERTISEMENT_INTERVAL_SECONDS = 10;

/**
 * Seconds a node keeps the route after the last advertisement: three intervals, so that a
 * gateway that dies without withdrawing it stops being used within half a minute.
 */
export const ROUTE_LIFETIME_SECONDS = 3 * MAX_ADVERTISEMENT_INTERVAL_SECONDS;

/**
 * `/etc/radvd.conf` with `@NODE_INTERFACE@` for the interface, or undefined without an IPv6
 * client range. Router lifetime 0: the gateway is no default router (the Neutron router stays
 * the nodes' default route); no prefix: nodes configure no address from it.
 */
export function renderRadvdConfig(gateway: GatewayBootstrap): string | undefined {
    const range = gateway.clientRanges.find((r) => r.family === "IPv6");
    if (range === undefined) return undefined;
    return [
        `# dualstack cluster ${gateway.clusterName}: the route to the WireGuard clients, advertised only by the`,
        "# access gateway that holds the VIPs (keepalived starts and stops radvd).",
        `interface ${INTERFACE_PLACEHOLDER} {`,
        "    AdvSendAdvert on;",
        "    AdvDefaultLifetime 0;",
        `    MaxRtrAdvInterval ${MAX_ADVERTISEMENT_INTERVAL_SECONDS};`,
        `    route ${range.cidr} {`,
        `        AdvRouteLifetime ${ROUTE_LIFETIME_SECONDS};`,
        "        AdvRoutePreference medium;",
        "        RemoveRoute on;",
        "    };",
        "};",
        "",
    ].join("\n");
}
