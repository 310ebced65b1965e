/**
 * The address plan for people: one row per range with its capacity.
 */
import { formatCount, renderTable, TextFormat } from "./format";
import { PlanSummary } from "../components/addressing/summary";

function count(value: number | string): string {
    return formatCount(BigInt(value));
}

/** The address plan table and the capacity line. */
export function renderAddressPlan(plan: PlanSummary, format: TextFormat): string {
    const rows: string[][] = [];
    const familyName = (family: string) => {
        const cluster = plan.families.find((f) => f.family === family);
        return cluster ? `${family}${cluster.primary && plan.families.length > 1 ? " (primary)" : ""}` : `${family} (nodes only)`;
    };
    const families = [...new Set([...plan.families.map((f) => f.family), ...plan.nodeSubnets.map((s) => s.family)])];
    for (const family of families) {
        const subnet = plan.nodeSubnets.find((s) => s.family === family);
        const cluster = plan.families.find((f) => f.family === family);
        if (subnet) {
            const modes = subnet.ipv6AddressMode ? `, ${subnet.ipv6AddressMode}` : "";
            rows.push([
                familyName(family),
                "nodes",
                subnet.cidr ?? `/${subnet.prefixLength} from subnet pool ${subnet.subnetPool}`,
                subnet.source,
                `${count(subnet.usablePorts)} ports${modes}`,
            ]);
        }
        if (cluster) {
            rows.push([
                subnet ? "" : familyName(family),
                "pods",
                cluster.pods.cidr,
                cluster.pods.source,
                `${count(cluster.pods.nodesByPodRange)} node ranges of /${cluster.pods.nodeMask} ` +
                    `(${count(cluster.pods.podAddressesPerNode)} addresses each)`,
            ]);
            rows.push([
                "",
                "calico pool",
                cluster.pods.cidr,
                cluster.pods.source,
                `${count(cluster.calico.blocks)} blocks of /${cluster.calico.blockSize}, ` +
                    `encapsulation ${cluster.calico.encapsulation}, NAT ${cluster.calico.natOutgoing ? "on" : "off"}`,
            ]);
            rows.push(["", "services", cluster.services.cidr, cluster.services.source, `${count(cluster.services.addresses)} addresses`]);
        }
        const clients = plan.gateway?.clientRanges.find((r) => r.family === family);
        if (clients) {
            const peers = plan.gateway?.peers.length ?? 0;
            rows.push(["", "wireguard clients", clients.cidr, clients.source, `gateways at ${clients.tunnelAddress}, ${peers} peer${peers === 1 ? "" : "s"}`]);
        }
    }
    for (const reserved of plan.reserved) {
        rows.push(["", "reserved", reserved.cidr, reserved.key.replace(/^dualstack:/, ""), "kept free"]);
    }
    const lines = [renderTable(["family", "range", "cidr", "source", "capacity"], rows, format)];
    if (plan.ula) {
        lines.push(
            `ULA /48: ${plan.ula.prefix}` +
                (plan.ula.standIn ? ` (stand-in global ID ${plan.ula.globalId}; the real one is random and kept in the stack's state)` : ` (global ID ${plan.ula.globalId})`),
        );
    }
    if (plan.gateway) {
        lines.push(
            `Access gateway: ${plan.gateway.count} machine${plan.gateway.count === 1 ? "" : "s"}, WireGuard on UDP ${plan.gateway.listenPort}; ` +
                (plan.gateway.peers.length === 0
                    ? "no peers."
                    : `peers ${plan.gateway.peers.map((p) => `${p.name} (${p.addresses.join(", ")})`).join(", ")}.`),
        );
    }
    const workers = plan.nodeCount - plan.controlPlaneCount;
    lines.push(
        `Machines: ${plan.nodeCount} (${plan.controlPlaneCount} control plane, ${workers} worker${workers === 1 ? "" : "s"}); ` +
            `the address plan has room for ${count(plan.maxNodes)}.`,
    );
    return lines.join("\n\n");
}
