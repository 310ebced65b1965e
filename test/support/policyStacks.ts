/**
 * Synthetic stack resources for policy tests: a `dualstack:index:Cluster` with an addressPlan
 * output (a PlanSummary, typed so it follows components/addressing/summary.ts), Neutron
 * subnets, and the tigera-operator Helm release.
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as openstack from "@pulumi/openstack";
import { familyFacts, IpFamily } from "../../components/addressing/family";
import { FamilySummary, NodeSubnetSummary, PlanSummary, RangeSummary } from "../../components/addressing/summary";
import { keys } from "../../components/config/keys";
import { RecordedResource } from "../../components/offline/cloud";
import { StackResource } from "./policy";

/** The Cluster component's type token. */
export const CLUSTER_TYPE = "dualstack:index:Cluster";

/** A SLAAC subnet that is not a /64, which Neutron refuses (`neutron-subnet-accepted`): type, name, inputs. */
export const SLAAC_SUBNET_NOT_64 = [
    "openstack:networking/subnet:Subnet",
    "dev-subnet-ipv6",
    { networkId: "net", cidr: "fd00:0:0:1::/80", ipVersion: 6, ipv6AddressMode: "slaac" },
] as const;

export interface FamilySpec {
    readonly family: IpFamily;
    readonly pods: string;
    readonly services: string;
    readonly nodeMask?: number;
    readonly encapsulation?: string;
    readonly blockSize?: number;
    readonly source?: string;
}

export interface PlanSpec {
    readonly families: readonly FamilySpec[];
    readonly nodeSubnets?: ReadonlyArray<{ readonly family: IpFamily; readonly cidr?: string; readonly prefixLength?: number; readonly source?: string }>;
    readonly reserved?: readonly string[];
    readonly ula?: PlanSummary["ula"];
    /** WireGuard client ranges of an access gateway. */
    readonly clientRanges?: readonly string[];
}

/** A PlanSummary with the given ranges, keyed as the configuration keys name them. */
export function planSummary(spec: PlanSpec): PlanSummary {
    const families: FamilySummary[] = spec.families.map((f, i) => ({
        family: f.family,
        primary: i === 0,
        pods: {
            cidr: f.pods,
            key: keys.podCidr(f.family),
            source: f.source ?? "config",
            nodeMask: f.nodeMask ?? familyFacts(f.family).defaultNodeMask,
            nodesByPodRange: 0,
            podAddressesPerNode: 0,
        },
        services: { cidr: f.services, key: keys.serviceCidr(f.family), source: f.source ?? "config", addresses: 0 },
        calico: {
            blockSize: f.blockSize ?? familyFacts(f.family).defaultBlockSize,
            blocks: 0,
            addressesPerBlock: 0,
            encapsulation: f.encapsulation ?? "None",
            natOutgoing: true,
        },
    }));
    const nodeSubnets: NodeSubnetSummary[] = (spec.nodeSubnets ?? []).map((s) => ({
        family: s.family,
        key: keys.nodeCidr(s.family),
        cidr: s.cidr,
        source: s.source ?? (s.cidr ? "config" : "subnetPool"),
        prefixLength: s.prefixLength ?? Number(s.cidr?.split("/")[1]),
        usablePorts: 0,
    }));
    const reserved: RangeSummary[] = (spec.reserved ?? []).map((cidr, i) => ({ cidr, key: keys.reservedCidr(i), source: "config" }));
    return {
        ipFamilies: spec.families.map((f) => f.family),
        ula: spec.ula,
        nodeSubnets,
        families,
        reserved,
        controlPlaneCount: 1,
        nodeCount: 3,
        maxNodes: 100,
        ...(spec.clientRanges === undefined
            ? {}
            : {
                  gateway: {
                      count: 2,
                      listenPort: 51820,
                      clientRanges: spec.clientRanges.map((cidr) => {
                          const family: IpFamily = cidr.includes(":") ? "IPv6" : "IPv4";
                          return { family, cidr, key: keys.gatewayClientCidr(family), source: "config", tunnelAddress: "" };
                      }),
                      peers: [],
                  },
              }),
    };
}

/** A Cluster component resource whose registered output `addressPlan` is the given plan. */
export function clusterResource(name: string, spec: PlanSpec): StackResource {
    return { type: CLUSTER_TYPE, name, props: { addressPlan: planSummary(spec) } };
}

/** A Neutron subnet (outputs) with a CIDR. */
export function subnet(name: string, cidr: string, parent?: string): StackResource {
    return {
        type: openstack.networking.Subnet,
        name,
        parent,
        props: { networkId: "net", cidr, ipVersion: cidr.includes(":") ? 6 : 4, tags: ["dualstack-cluster=dev"] },
    };
}

/** An operator IP pool as the Calico component writes it. */
export interface PoolSpec {
    readonly cidr: string;
    readonly blockSize?: number;
    readonly encapsulation?: string;
    readonly natOutgoing?: string;
}

/** The props of a tigera-operator Helm release with the given pools. */
export function calicoReleaseProps(pools: readonly PoolSpec[]): Record<string, unknown> {
    return {
        chart: "tigera-operator",
        version: "v3.32.1",
        namespace: "tigera-operator",
        repositoryOpts: { repo: "https://docs.tigera.io/calico/charts" },
        values: { installation: { calicoNetwork: { bgp: "Enabled", ipPools: pools.map((p) => ({ ...p })) } } },
    };
}

/** A tigera-operator Helm release resource. */
export function calicoRelease(name: string, pools: readonly PoolSpec[], parent?: string): StackResource {
    return { type: kubernetes.helm.v3.Release, name, parent, props: calicoReleaseProps(pools) };
}

/**
 * A stack recorded by the offline cloud, as the policy server sees it: resource policies get
 * each custom resource's inputs, stack policies every resource's outputs (a component's
 * outputs are what it registered with registerOutputs).
 */
export function stackFromRecorded(resources: readonly RecordedResource[]): { inputs: StackResource[]; outputs: StackResource[] } {
    const inputs = resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, props: r.inputs }));
    const outputs = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        parent: resources.some((p) => p.urn === r.parent) ? r.parent : undefined,
        props: r.custom ? r.outputs : { ...r.outputs, ...r.registeredOutputs },
    }));
    return { inputs, outputs };
}
