/**
 * The `#cloud-config` user-data of one access gateway: cloud-init writes the settings, the
 * WireGuard configuration (with the private key), the keepalived and radvd templates and the
 * scripts, then starts the setup unit. Pure; carries the private key, so the caller keeps it
 * a secret.
 *
 * Upstream: https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 */
import { parseAddress, parseCidr } from "../addressing/cidr";
import { WriteFile, shellQuote } from "../bootstrap/cloudinit";
import { stringifyDocument } from "../bootstrap/yaml";
import { renderKeepalivedConfig } from "./keepalived";
import { GATEWAY_PATHS } from "./paths";
import { renderRadvdConfig } from "./radvd";
import { GATEWAY_CHECK_SCRIPT, GATEWAY_NOTIFY_SCRIPT, GATEWAY_SETUP_SCRIPT, GATEWAY_SETUP_UNIT } from "./scripts";
import { GatewayBootstrap, GatewayMachine } from "./types";
import { renderWireguardConfig } from "./wireguard";

/** Kernel settings of a gateway: it forwards between WireGuard and the node subnets, both families. */
export const GATEWAY_KERNEL_SETTINGS: readonly (readonly [string, string])[] = [
    ["net.ipv4.ip_forward", "1"],
    ["net.ipv6.conf.all.forwarding", "1"],
    ["net.ipv6.conf.default.forwarding", "1"],
];

/** Inputs the renderers cannot work with. Messages never show the private key. */
export class GatewayInputError extends Error {
    constructor(message: string) {
        super(`cannot render the access gateway's user-data: ${message}`);
        this.name = "GatewayInputError";
    }
}

/** Check what the renderers rely on; throws GatewayInputError. */
export function checkGatewayInputs(gateway: GatewayBootstrap, machine: GatewayMachine): void {
    if (gateway.families.length === 0) throw new GatewayInputError("the gateways have no node subnet.");
    if (gateway.clientRanges.length === 0) throw new GatewayInputError("there is no WireGuard client range.");
    for (const family of gateway.families) {
        const subnet = parseCidr(family.subnetCidr);
        if (!subnet.ok || subnet.cidr.family !== family.family) throw new GatewayInputError(`the ${family.family} node subnet "${family.subnetCidr}" is not an ${family.family} CIDR.`);
        for (const address of [family.vip, family.addresses[machine.index]]) {
            if (parseAddress(address ?? "")?.family !== family.family) {
                throw new GatewayInputError(`"${address}" is not an ${family.family} address (VIP, or ${machine.name}'s address).`);
            }
        }
    }
    for (const range of gateway.clientRanges) {
        if (!gateway.families.some((f) => f.family === range.family)) {
            throw new GatewayInputError(`the ${range.family} client range ${range.cidr} has no ${range.family} node subnet to route it through.`);
        }
    }
}

/** The settings file the scripts read. */
export function gatewayEnvironment(gateway: GatewayBootstrap, machine: GatewayMachine): string {
    const vipOf = (family: string) => gateway.families.find((f) => f.family === family)?.vip as string;
    const values: [string, string][] = [
        ["GATEWAY_NAME", machine.name],
        ["NODE_SUBNETS", gateway.families.map((f) => f.subnetCidr).join(" ")],
        ["IPV6_NODE", gateway.families.some((f) => f.family === "IPv6") ? "yes" : "no"],
        ["LISTEN_PORT", String(gateway.listenPort)],
        ["CLIENT_ROUTES", gateway.clientRanges.map((r) => `${r.cidr}@${vipOf(r.family)}`).join(" ")],
        ["ADVERTISE_ROUTE", renderRadvdConfig(gateway) === undefined ? "no" : "yes"],
    ];
    const header = `# dualstack access gateway settings of ${machine.name}; read by its setup, notify and check scripts\n# shellcheck shell=bash disable=SC2034\n`;
    return `${header}${values.map(([name, value]) => `${name}=${shellQuote(value)}`).join("\n")}\n`;
}

/** Every file cloud-init writes on a gateway, in order. */
export function gatewayFiles(gateway: GatewayBootstrap, machine: GatewayMachine): WriteFile[] {
    checkGatewayInputs(gateway, machine);
    const file = (path: string, content: string, permissions: string): WriteFile => ({ path, content, owner: "root:root", permissions });
    const radvd = renderRadvdConfig(gateway);
    return [
        file(GATEWAY_PATHS.sysctl, `# dualstack: the access gateway forwards between WireGuard and the node subnets\n${GATEWAY_KERNEL_SETTINGS.map(([k, v]) => `${k} = ${v}`).join("\n")}\n`, "0644"),
        file(GATEWAY_PATHS.environment, gatewayEnvironment(gateway, machine), "0644"),
        file(GATEWAY_PATHS.wireguard, renderWireguardConfig(gateway), "0600"),
        file(GATEWAY_PATHS.keepalivedTemplate, renderKeepalivedConfig(gateway, machine), "0644"),
        ...(radvd === undefined ? [] : [file(GATEWAY_PATHS.radvdTemplate, radvd, "0644")]),
        file(GATEWAY_PATHS.setup, GATEWAY_SETUP_SCRIPT, "0700"),
        file(GATEWAY_PATHS.notify, GATEWAY_NOTIFY_SCRIPT, "0700"),
        file(GATEWAY_PATHS.check, GATEWAY_CHECK_SCRIPT, "0700"),
        file(GATEWAY_PATHS.unit, GATEWAY_SETUP_UNIT, "0644"),
    ];
}

/** The cloud-config of a gateway as an object (before YAML). */
export function gatewayCloudConfig(gateway: GatewayBootstrap, machine: GatewayMachine): Record<string, unknown> {
    return {
        hostname: machine.name,
        write_files: gatewayFiles(gateway, machine),
        runcmd: [
            ["systemctl", "daemon-reload"],
            ["systemctl", "enable", "dualstack-gateway-setup.service"],
            ["systemctl", "start", "dualstack-gateway-setup.service"],
        ],
    };
}

/** The `#cloud-config` user-data of one gateway. It carries the WireGuard private key: keep it a secret. */
export function renderGatewayCloudConfig(gateway: GatewayBootstrap, machine: GatewayMachine): string {
    return `#cloud-config\n# dualstack cluster ${gateway.clusterName}: access gateway ${machine.name}\n${stringifyDocument(gatewayCloudConfig(gateway, machine))}`;
}
