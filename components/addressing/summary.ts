/**
 * The address plan as plain data (strings and numbers only): what the program exports as a
 * stack output and what `dualstack plan --json` prints. Counts that do not fit a double
 * exactly are decimal strings.
 */
import { AddressPlan, GatewayPlan, PlannedRange } from "./plan";
import { IpFamily } from "./family";

/** A count: a number when exact, a decimal string otherwise. */
export type Count = number | string;

function count(value: bigint): Count {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export interface RangeSummary {
    readonly cidr: string;
    readonly key: string;
    readonly source: string;
}

export interface NodeSubnetSummary {
    readonly family: IpFamily;
    readonly key: string;
    /** The CIDR, or undefined when a subnet pool allocates it. */
    readonly cidr?: string;
    readonly source: string;
    readonly prefixLength: number;
    readonly subnetPool?: string;
    readonly ipv6AddressMode?: string;
    readonly ipv6RaMode?: string;
    readonly usablePorts: Count;
}

export interface FamilySummary {
    readonly family: IpFamily;
    readonly primary: boolean;
    readonly pods: RangeSummary & {
        readonly nodeMask: number;
        readonly nodesByPodRange: Count;
        readonly podAddressesPerNode: Count;
    };
    readonly services: RangeSummary & { readonly addresses: Count };
    readonly calico: {
        readonly blockSize: number;
        readonly blocks: Count;
        readonly addressesPerBlock: Count;
        readonly encapsulation: string;
        readonly natOutgoing: boolean;
    };
}

/** The access gateway's part of the plan. */
export interface GatewaySummary {
    readonly count: number;
    readonly listenPort: number;
    /** WireGuard client ranges, IPv4 first. */
    readonly clientRanges: ReadonlyArray<RangeSummary & { readonly family: IpFamily; readonly tunnelAddress: string }>;
    /** Each peer's tunnel addresses, in `clientRanges` order. */
    readonly peers: ReadonlyArray<{ readonly name: string; readonly addresses: readonly string[] }>;
}

export interface PlanSummary {
    readonly ipFamilies: readonly IpFamily[];
    readonly ula?: { readonly prefix: string; readonly globalId: string; readonly standIn: boolean };
    readonly nodeSubnets: readonly NodeSubnetSummary[];
    readonly families: readonly FamilySummary[];
    readonly reserved: readonly RangeSummary[];
    readonly controlPlaneCount: number;
    readonly nodeCount: number;
    readonly maxNodes: Count;
    /** The access gateway, when the stack has one. */
    readonly gateway?: GatewaySummary;
}

function range(r: PlannedRange): RangeSummary {
    return { cidr: r.cidr.text, key: r.key, source: r.source };
}

function summarizeGateway(gateway: GatewayPlan): GatewaySummary {
    return {
        count: gateway.count,
        listenPort: gateway.listenPort,
        clientRanges: gateway.clientRanges.map((r, i) => ({ family: r.cidr.family, ...range(r), tunnelAddress: gateway.tunnelAddresses[i] })),
        peers: gateway.peers.map((p) => ({ name: p.name, addresses: p.addresses })),
    };
}

/** The plan as plain data. */
export function summarizePlan(plan: AddressPlan): PlanSummary {
    return {
        ipFamilies: plan.ipFamilies,
        ula: plan.ula && { prefix: plan.ula.prefix.text, globalId: plan.ula.globalId, standIn: plan.ula.standIn },
        nodeSubnets: plan.nodeSubnets.map((s) => ({
            family: s.family,
            key: s.key,
            cidr: s.range?.cidr.text,
            source: s.range?.source ?? "subnetPool",
            prefixLength: s.prefixLength,
            subnetPool: s.subnetPool?.name,
            ipv6AddressMode: s.ipv6AddressMode,
            ipv6RaMode: s.ipv6RaMode,
            usablePorts: count(s.usablePorts),
        })),
        families: plan.families.map((f) => ({
            family: f.family,
            primary: f.primary,
            pods: {
                ...range(f.pods),
                nodeMask: f.nodeMask,
                nodesByPodRange: count(f.capacity.nodesByPodRange),
                podAddressesPerNode: count(f.capacity.podAddressesPerNode),
            },
            services: { ...range(f.services), addresses: count(f.capacity.serviceAddresses) },
            calico: {
                blockSize: f.calico.blockSize,
                blocks: count(f.capacity.calicoBlocks),
                addressesPerBlock: count(f.capacity.addressesPerBlock),
                encapsulation: f.calico.encapsulation,
                natOutgoing: f.calico.natOutgoing,
            },
        })),
        reserved: plan.reserved.map(range),
        controlPlaneCount: plan.controlPlaneCount,
        nodeCount: plan.nodeCount,
        maxNodes: count(plan.maxNodes),
        ...(plan.gateway === undefined ? {} : { gateway: summarizeGateway(plan.gateway) }),
    };
}
