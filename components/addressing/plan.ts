/**
 * The address plan: every range of a stack per family, resolved (ULA derived), with its
 * capacity. Components, the CLI and the policy pack all read this one structure.
 */
import { Cidr } from "./cidr";
import { FamilyCapacity } from "./capacity";
import { IpFamily } from "./family";

/** Where a range came from. */
export type RangeSource = "config" | "default" | "ula";

/** A range and the key it came from. */
export interface PlannedRange {
    readonly cidr: Cidr;
    /** The configuration key, e.g. `dualstack:pods.ipv6Cidr`. */
    readonly key: string;
    readonly source: RangeSource;
}

/** The node subnet of one family. */
export interface NodeSubnetPlan {
    readonly family: IpFamily;
    readonly key: string;
    /** The range; undefined when a Neutron subnet pool allocates it at `up`. */
    readonly range?: PlannedRange;
    /** Set when the range comes from a Neutron subnet pool. */
    readonly subnetPool?: { readonly name: string; readonly prefixLength: number };
    readonly prefixLength: number;
    /** Neutron IPv6 modes (IPv6 only). */
    readonly ipv6AddressMode?: string;
    readonly ipv6RaMode?: string;
    /** Ports the subnet can hold after Neutron's own addresses. */
    readonly usablePorts: bigint;
}

/** Calico's pool of one family. */
export interface CalicoPoolPlan {
    readonly blockSize: number;
    readonly encapsulation: string;
    readonly natOutgoing: boolean;
}

/** Pods and services of one cluster family. */
export interface FamilyPlan {
    readonly family: IpFamily;
    readonly primary: boolean;
    readonly pods: PlannedRange;
    readonly services: PlannedRange;
    readonly nodeMask: number;
    readonly calico: CalicoPoolPlan;
    readonly capacity: FamilyCapacity;
}

/** The stack's ULA /48. */
export interface UlaPlan {
    readonly prefix: Cidr;
    readonly globalId: string;
    /** True when the ID is a stand-in (no state yet): the real one is random. */
    readonly standIn: boolean;
    /** True when the configuration pins the ID (`dualstack:ulaGlobalId`). */
    readonly pinned: boolean;
}

/** One WireGuard peer of the access gateway. */
export interface GatewayPeerPlan {
    readonly name: string;
    readonly publicKey: string;
    readonly hostId: number;
    /** The peer's tunnel address in each client range, in `clientRanges` order. */
    readonly addresses: readonly string[];
}

/** The WireGuard access gateway. */
export interface GatewayPlan {
    readonly count: number;
    readonly listenPort: number;
    /** The WireGuard client ranges, IPv4 first; each one's family is a node family. */
    readonly clientRanges: readonly PlannedRange[];
    /** The gateways' own tunnel address in each client range, in `clientRanges` order. */
    readonly tunnelAddresses: readonly string[];
    readonly peers: readonly GatewayPeerPlan[];
    /** Ranges allowed to reach the WireGuard port (valid CIDRs, canonical). */
    readonly allowedSourceCidrs: readonly Cidr[];
}

/** The whole plan. */
export interface AddressPlan {
    /** Cluster families, primary first. */
    readonly ipFamilies: readonly IpFamily[];
    /** Cluster families (primary first), then extra node families. */
    readonly families: readonly FamilyPlan[];
    readonly nodeSubnets: readonly NodeSubnetPlan[];
    readonly reserved: readonly PlannedRange[];
    readonly ula?: UlaPlan;
    readonly controlPlaneCount: number;
    readonly nodeCount: number;
    /** The access gateway, when the configuration has one. */
    readonly gateway?: GatewayPlan;
    /** Nodes the plan can hold: the least of the pod ranges' node CIDRs and the node subnets' ports. */
    readonly maxNodes: bigint;
}

/** The plan of one cluster family, if it is one. */
export function familyPlan(plan: AddressPlan, family: IpFamily): FamilyPlan | undefined {
    return plan.families.find((f) => f.family === family);
}

/** The node subnet of one family, if the nodes have that family. */
export function nodeSubnet(plan: AddressPlan, family: IpFamily): NodeSubnetPlan | undefined {
    return plan.nodeSubnets.find((s) => s.family === family);
}

/** The primary cluster family. */
export function primaryFamily(plan: AddressPlan): IpFamily {
    return plan.ipFamilies[0];
}

/** The WireGuard client range of one family, if the gateway has one. */
export function clientRange(plan: AddressPlan, family: IpFamily): PlannedRange | undefined {
    return plan.gateway?.clientRanges.find((r) => r.cidr.family === family);
}
