/**
 * keepalived on the access gateways: one VRRP instance per node family (keepalived takes the
 * family of an instance from its VIPs and refuses a VIP of the other family), both in one
 * sync group so that the gateway holding the IPv4 VIP also holds the IPv6 one. VRRP runs
 * unicast between the gateways' own addresses: OpenStack networks often drop multicast.
 * A gateway whose WireGuard does not listen goes to FAULT and gives the VIPs up.
 *
 * Upstream: keepalived.conf(5) of keepalived 2.2 (Debian 12, Ubuntu 24.04).
 */
import { createHash } from "crypto";
import { familyFacts, IpFamily } from "../addressing/family";
import { hostRoute } from "./wireguard";
import { GATEWAY_PATHS, INTERFACE_PLACEHOLDER } from "./paths";
import { GatewayBootstrap, GatewayMachine } from "./types";

/** VRRP priority of gateway 0; each further gateway has 10 less, so the first one starting wins the first election. */
export const BASE_PRIORITY = 150;

/** Seconds between VRRP adverts; a backup takes over after about three missed ones. */
export const ADVERT_INTERVAL_SECONDS = 1;

/** How often keepalived runs the WireGuard check, and how long the check may take, in seconds. */
export const CHECK_INTERVAL_SECONDS = 5;
export const CHECK_TIMEOUT_SECONDS = 3;

/** The VRRP states keepalived reports to the notify script. */
export const NOTIFY_STATES = ["MASTER", "BACKUP", "FAULT", "STOP"] as const;

/**
 * The VRRP virtual router id (1 to 255) of a cluster's gateways, from its name: the same for
 * both families (IPv4 and IPv6 VRRP are separate protocols), and most likely different from
 * another cluster's on a shared network.
 */
export function virtualRouterId(clusterName: string): number {
    return 1 + (createHash("sha256").update(`dualstack-vrrp:${clusterName}`).digest()[0] % 255);
}

/** The name of a family's VRRP instance. */
export function instanceName(family: IpFamily | string): string {
    return `gateway_${familyFacts(family as IpFamily).lowerSuffix}`;
}

function notifyLines(indent: string): string[] {
    return NOTIFY_STATES.map((state) => `${indent}notify_${state.toLowerCase()} "${GATEWAY_PATHS.notify} ${state}"`);
}

/**
 * `/etc/keepalived/keepalived.conf` of one gateway, with `@NODE_INTERFACE@` where the
 * interface name goes (the setup script fills it in on the machine). Unicast peers are the
 * other gateways' addresses of the family; with one gateway there are none and keepalived
 * advertises by multicast to nobody.
 */
export function renderKeepalivedConfig(gateway: GatewayBootstrap, machine: GatewayMachine): string {
    const lines = [
        `# dualstack cluster ${gateway.clusterName}: keepalived on access gateway ${machine.name}. The gateway that`,
        "# holds the VIPs answers WireGuard and routes the client ranges; keepalived's notify script",
        "# switches routes and the router advertisements over.",
        "global_defs {",
        `    router_id ${machine.name}`,
        "    vrrp_version 3",
        "    script_user root",
        "    enable_script_security",
        "}",
        "",
        "vrrp_script wireguard {",
        `    script "${GATEWAY_PATHS.check}"`,
        `    interval ${CHECK_INTERVAL_SECONDS}`,
        `    timeout ${CHECK_TIMEOUT_SECONDS}`,
        "    rise 2",
        "    fall 2",
        "}",
    ];
    const synced = gateway.families.length > 1;
    for (const family of gateway.families) {
        const own = family.addresses[machine.index];
        const peers = family.addresses.filter((_, i) => i !== machine.index);
        lines.push(
            "",
            `vrrp_instance ${instanceName(family.family)} {`,
            "    state BACKUP",
            `    interface ${INTERFACE_PLACEHOLDER}`,
            `    virtual_router_id ${gateway.virtualRouterId}`,
            `    priority ${BASE_PRIORITY - 10 * machine.index}`,
            `    advert_int ${ADVERT_INTERVAL_SECONDS}`,
            // A recovered gateway does not take the VIPs back: one failover, not two.
            "    nopreempt",
        );
        if (peers.length > 0) lines.push(`    unicast_src_ip ${own}`, "    unicast_peer {", ...peers.map((p) => `        ${p}`), "    }");
        lines.push("    virtual_ipaddress {", `        ${hostRoute(family.vip)}`, "    }", "    track_script {", "        wireguard", "    }");
        // A sync group of one instance is dropped by keepalived: then the instance notifies.
        if (!synced) lines.push(...notifyLines("    "));
        lines.push("}");
    }
    if (synced) {
        lines.push(
            "",
            "vrrp_sync_group gateway {",
            "    group {",
            ...gateway.families.map((f) => `        ${instanceName(f.family)}`),
            "    }",
            ...notifyLines("    "),
            "}",
        );
    }
    return `${lines.join("\n")}\n`;
}
