/**
 * The access gateways' user-data rendered without a cloud, for the conformance suite: stand-in
 * addresses allocated after the nodes' (as Neutron would, from the start of each node subnet)
 * and a stand-in key that says what it is. Never used for a real gateway.
 */
import { createHash } from "crypto";
import { addressAt } from "../addressing/cidr";
import { AddressPlan } from "../addressing/plan";
import { standInSubnet } from "../bootstrap/standIn";
import { ClusterConfig } from "../config/types";
import { renderGatewayCloudConfig } from "./cloudinit";
import { virtualRouterId } from "./keepalived";
import { gatewayName } from "./layout";
import { GatewayBootstrap, GatewayMachine } from "./types";
import { clampPrivateKey } from "./wireguard";

/** A valid WireGuard private key from a fixed text: a stand-in, public by construction. */
export function standInPrivateKey(): string {
    return clampPrivateKey(createHash("sha256").update("dualstack stand-in WireGuard key, not a secret").digest("base64"));
}

/** One gateway rendered for a preview. */
export interface PreviewGateway {
    readonly machine: GatewayMachine;
    /** The `#cloud-config` text. */
    readonly userData: string;
}

/**
 * Every gateway of a stack with a gateway section, rendered with stand-in addresses (after the
 * machines and the API load balancer's VIP: the VIPs, then one per gateway) and the stand-in
 * key. Undefined without a gateway.
 */
export function previewGateways(clusterName: string, config: ClusterConfig, plan: AddressPlan): { gateway: GatewayBootstrap; machines: PreviewGateway[] } | undefined {
    const planned = plan.gateway;
    if (planned === undefined || config.gateway === undefined) return undefined;
    const first = 2n + BigInt(plan.nodeCount) + (plan.controlPlaneCount > 1 ? 1n : 0n);
    const families = plan.nodeSubnets.map((s) => {
        const subnet = standInSubnet(plan, s.family);
        return {
            family: s.family,
            subnetCidr: subnet.text,
            vip: addressAt(subnet, first),
            addresses: Array.from({ length: planned.count }, (_, i) => addressAt(subnet, first + 1n + BigInt(i))),
        };
    });
    const gateway: GatewayBootstrap = {
        clusterName,
        listenPort: planned.listenPort,
        privateKey: standInPrivateKey(),
        virtualRouterId: virtualRouterId(clusterName),
        clientRanges: planned.clientRanges.map((r, i) => ({ family: r.cidr.family, cidr: r.cidr.text, tunnelAddress: planned.tunnelAddresses[i] })),
        peers: planned.peers.map((p) => ({ name: p.name, publicKey: p.publicKey, addresses: [...p.addresses] })),
        families,
    };
    const machines = Array.from({ length: planned.count }, (_, index) => {
        const machine = { name: gatewayName(clusterName, index), index };
        return { machine, userData: renderGatewayCloudConfig(gateway, machine) };
    });
    return { gateway, machines };
}
