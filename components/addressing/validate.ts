/**
 * From a typed configuration to the address plan and every finding about it. This is the one
 * entry point the components, the CLI and the policy pack share.
 */
import { ClusterConfig, NodeRangeSpec, RangeSpec } from "../config/types";
import { Cidr } from "./cidr";
import { keys } from "../config/keys";
import { endpointAddresses, familyCapacity, usableNodeAddresses } from "./capacity";
import { ALL_FAMILIES, familyFacts, IpFamily, otherFamily } from "./family";
import { error, Finding, warning } from "./findings";
import { Labeled } from "./overlap";
import { AddressPlan, FamilyPlan, NodeSubnetPlan, PlannedRange, RangeSource, UlaPlan } from "./plan";
import {
    checkCalicoBgp,
    checkCalicoMetadataAccess,
    checkCalicoBlocks,
    checkCalicoPool,
    checkUlaNatOutgoing,
} from "./rules/calico";
import { checkNodeSubnetMaxSize, NODE_SUBNET_LARGEST } from "./rules/bounds";
import { checkCidr } from "./rules/cidr";
import { checkServerGroupSize } from "./rules/compute";
import {
    checkControlPlaneCount,
    checkIpFamilies,
    checkJoinExisting,
    checkNodeCount,
    checkPodRangeAndNodeMask,
    checkServiceRange,
} from "./rules/kubernetes";
import { checkNeutronSubnet } from "./rules/neutron";
import { checkCalicoKubernetesVersion, checkKubernetesVersion } from "./rules/versions";
import {
    checkAllowedRangeFamily,
    checkClusterFamiliesOnNodes,
    checkDnsNameservers,
    checkSpecialUseRange,
    checkDisjoint,
    checkNodeSubnetSize,
    checkPodCapacity,
    checkWorldOpen,
    checkWorldOpenUnion,
    RangeLabel,
} from "./rules/ranges";
import { isValidGlobalId, standInGlobalId, ULA_REGION_PREFIX, ulaPrefix, ulaRange, UlaUse, UNIQUE_LOCAL_RANGE } from "./ula";

/** Where the ULA global ID comes from when the config does not pin one. */
export interface PlanOptions {
    /** The stack's real global ID (from state). */
    readonly globalId?: string;
    /** Seed for a stand-in ID when there is no state (the stack name). */
    readonly standInSeed?: string;
}

/** The plan (when every range resolved) and all findings. */
export interface PlanResult {
    readonly plan?: AddressPlan;
    readonly findings: Finding[];
    /** Every range with its label, for checks across stacks. */
    readonly labeledRanges: Labeled<RangeLabel>[];
}

/** Resolve the ULA /48 for this run. */
export function resolveUla(config: ClusterConfig, options: PlanOptions = {}): UlaPlan {
    if (config.ulaGlobalId !== undefined && isValidGlobalId(config.ulaGlobalId)) {
        return { globalId: config.ulaGlobalId, prefix: ulaPrefix(config.ulaGlobalId), standIn: false, pinned: true };
    }
    if (options.globalId !== undefined) {
        return { globalId: options.globalId, prefix: ulaPrefix(options.globalId), standIn: false, pinned: false };
    }
    const globalId = standInGlobalId(options.standInSeed ?? "dualstack");
    return { globalId, prefix: ulaPrefix(globalId), standIn: true, pinned: false };
}

/** True when any range of the config is `"ula"`. */
export function usesUla(config: ClusterConfig): boolean {
    const specs: Array<NodeRangeSpec | RangeSpec | undefined> = [
        ...Object.values(config.network.nodeCidrs),
        ...Object.values(config.pods.cidrs),
        ...Object.values(config.services.cidrs),
    ];
    return specs.some((s) => s?.kind === "ula");
}

interface Resolved {
    readonly range?: PlannedRange;
    readonly findings: Finding[];
}

function resolveRange(
    spec: RangeSpec,
    family: IpFamily,
    use: UlaUse,
    key: string,
    otherKey: string,
    ula: UlaPlan,
    source: RangeSource,
): Resolved {
    if (spec.kind === "ula") {
        if (spec.prefixLength < ULA_REGION_PREFIX || spec.prefixLength > 128) {
            return {
                findings: [
                    error(
                        "ula-layout",
                        key,
                        `${key} is "ula/${spec.prefixLength}"; each use has a /${ULA_REGION_PREFIX} of the stack's ULA /48, ` +
                            `so a derived ${use} range must be /${ULA_REGION_PREFIX} to /128. Use "ula/${Math.max(ULA_REGION_PREFIX, Math.min(spec.prefixLength, 128))}" ` +
                            `or an explicit CIDR.`,
                    ),
                ],
            };
        }
        return { range: { cidr: ulaRange(ula.globalId, use, spec.prefixLength), key, source: "ula" }, findings: [] };
    }
    const checked = checkCidr(spec.text, family, key, otherKey);
    return { range: checked.cidr ? { cidr: checked.cidr, key, source } : undefined, findings: checked.findings };
}

function label(range: PlannedRange, role: RangeLabel["role"], ula: UlaPlan): Labeled<RangeLabel> {
    const derived = range.source === "ula";
    return {
        cidr: range.cidr,
        label: {
            key: range.key,
            role,
            ula: derived && !ula.pinned,
            standInUla: derived && ula.standIn,
            pinnedUlaId: derived && ula.pinned ? ula.globalId : undefined,
        },
    };
}

/**
 * Validate a typed configuration and build its address plan.
 *
 * `explicitKeys` lists the keys the user wrote (others came from defaults); it only changes
 * how ranges are labelled in the plan.
 */
export function planAddresses(config: ClusterConfig, options: PlanOptions = {}, explicitKeys?: ReadonlySet<string>): PlanResult {
    const findings: Finding[] = [];
    const ula = resolveUla(config, options);
    const sourceOf = (key: string): RangeSource => (explicitKeys === undefined || explicitKeys.has(key) ? "config" : "default");

    findings.push(...checkIpFamilies(config.ipFamilies, keys.ipFamilies));
    const clusterFamilies = [...new Set(config.ipFamilies)];

    // Node subnets: cluster families first (primary first), then any extra node family.
    const nodeFamilies = [
        ...clusterFamilies.filter((f) => config.network.nodeCidrs[f] !== undefined),
        ...ALL_FAMILIES.filter((f) => !clusterFamilies.includes(f) && config.network.nodeCidrs[f] !== undefined),
    ];
    findings.push(...checkClusterFamiliesOnNodes(clusterFamilies, nodeFamilies, keys.ipFamilies, keys.nodeCidr));

    const nodeCount = config.controlPlane.count + config.workerPools.reduce((sum, p) => sum + p.count, 0);
    const endpointPorts = endpointAddresses(config.controlPlane.count);
    let complete = true;

    const nodeSubnets: NodeSubnetPlan[] = [];
    for (const family of nodeFamilies) {
        const spec = config.network.nodeCidrs[family] as NodeRangeSpec;
        const key = keys.nodeCidr(family);
        let range: PlannedRange | undefined;
        let prefixLength: number;
        if (spec.kind === "subnetPool") {
            prefixLength = spec.prefixLength;
        } else {
            const resolved = resolveRange(spec, family, "nodes", key, keys.nodeCidr(otherFamily(family)), ula, sourceOf(key));
            findings.push(...resolved.findings);
            if (resolved.range === undefined) {
                complete = false;
                continue;
            }
            range = resolved.range;
            prefixLength = range.cidr.prefixLength;
        }
        const ipv6 = family === "IPv6";
        const subnet: NodeSubnetPlan = {
            family,
            key,
            range,
            subnetPool: spec.kind === "subnetPool" ? { name: spec.pool, prefixLength: spec.prefixLength } : undefined,
            prefixLength,
            ipv6AddressMode: ipv6 ? config.network.ipv6AddressMode : undefined,
            ipv6RaMode: ipv6 ? config.network.ipv6RaMode : undefined,
            usablePorts: usableNodeAddresses(family, prefixLength),
        };
        nodeSubnets.push(subnet);
        const neutronFindings = checkNeutronSubnet(
                {
                    family,
                    cidr: range?.cidr,
                    prefixLength,
                    ipv6AddressMode: subnet.ipv6AddressMode,
                    ipv6RaMode: subnet.ipv6RaMode,
                    enableDhcp: true,
                },
                {
                    // From a subnet pool, what the rules judge is the prefix length asked for.
                    cidr: spec.kind === "subnetPool" ? keys.ipv6PrefixLength : key,
                    addressMode: keys.ipv6AddressMode,
                    raMode: keys.ipv6RaMode,
                },
            );
        // A range Neutron refuses for its place already has its finding; any other special-use block gets one.
        const refusedRange = neutronFindings.some((f) => ["neutron-unusable-range", "neutron-multicast", "neutron-loopback"].includes(f.rule));
        findings.push(
            ...neutronFindings,
            ...(range === undefined || refusedRange ? [] : checkSpecialUseRange(range.cidr, "nodes", key)),
            // The policy pack refuses oversized node subnets (configurable there); check says so early.
            ...checkNodeSubnetMaxSize(
                family,
                prefixLength,
                range?.cidr.text ?? `a /${prefixLength} from subnet pool ${spec.kind === "subnetPool" ? spec.pool : ""}`,
                { value: NODE_SUBNET_LARGEST[family], source: "the policy pack's default (policy neutron-subnet-size)" },
                spec.kind === "subnetPool" ? keys.ipv6PrefixLength : key,
            ).map((f) => ({ ...f, severity: "warning" as const, message: `${f.message} pulumi preview --policy-pack refuses it unless the pack's configuration allows more.` })),
            ...checkNodeSubnetSize(
                family,
                prefixLength,
                subnet.usablePorts,
                BigInt(nodeCount) + endpointPorts,
                nodeCount,
                spec.kind === "subnetPool" ? keys.ipv6PrefixLength : key,
            ),
        );
    }

    const families: FamilyPlan[] = [];
    for (const family of clusterFamilies) {
        const podKey = keys.podCidr(family);
        const serviceKey = keys.serviceCidr(family);
        const podSpec = config.pods.cidrs[family];
        const serviceSpec = config.services.cidrs[family];
        if (podSpec === undefined || serviceSpec === undefined) {
            complete = false;
            continue;
        }
        const pods = resolveRange(podSpec, family, "pods", podKey, keys.podCidr(otherFamily(family)), ula, sourceOf(podKey));
        const services = resolveRange(
            serviceSpec,
            family,
            "services",
            serviceKey,
            keys.serviceCidr(otherFamily(family)),
            ula,
            sourceOf(serviceKey),
        );
        findings.push(...pods.findings, ...services.findings);
        if (pods.range === undefined || services.range === undefined) {
            complete = false;
            continue;
        }
        const nodeMask = config.pods.nodeMasks[family] ?? familyFacts(family).defaultNodeMask;
        const blockSize = config.calico.blockSizes[family] ?? familyFacts(family).defaultBlockSize;
        const encapsulation = config.calico.encapsulation[family] ?? "None";
        const natOutgoing = config.calico.natOutgoing[family] ?? family === "IPv4";
        const subnet = nodeSubnets.find((s) => s.family === family);
        const capacity = familyCapacity({
            family,
            podRange: pods.range.cidr,
            nodeMask,
            serviceRange: services.range.cidr,
            blockSize,
            nodeSubnetPrefix: subnet?.prefixLength,
        });
        families.push({
            family,
            primary: family === clusterFamilies[0],
            pods: pods.range,
            services: services.range,
            nodeMask,
            calico: { blockSize, encapsulation, natOutgoing },
            capacity,
        });
        findings.push(
            ...checkSpecialUseRange(pods.range.cidr, "pods", podKey),
            ...checkSpecialUseRange(services.range.cidr, "services", serviceKey),
            ...checkServiceRange(services.range.cidr, serviceKey),
            ...checkPodRangeAndNodeMask(pods.range.cidr, nodeMask, podKey, keys.nodeMask(family)),
            ...checkPodCapacity(pods.range.cidr, nodeMask, capacity.nodesByPodRange, nodeCount, podKey, keys.nodeMask(family)),
            ...checkCalicoPool(
                { cidr: pods.range.cidr, blockSize, encapsulation },
                { cidr: podKey, blockSize: keys.blockSize(family), encapsulation: keys.encapsulation(family) },
            ),
            ...checkCalicoBgp(family, encapsulation, config.calico.bgp, keys.encapsulation(family), keys.calicoBgp),
            ...checkUlaNatOutgoing(pods.range.cidr, natOutgoing, UNIQUE_LOCAL_RANGE, podKey, keys.natOutgoing(family)),
            ...checkCalicoBlocks(pods.range.cidr, blockSize, capacity.calicoBlocks, nodeCount, podKey, keys.blockSize(family)),
        );
    }

    const reserved: PlannedRange[] = [];
    config.reservedCidrs.forEach((text, index) => {
        const checked = checkCidr(text, undefined, keys.reservedCidr(index));
        findings.push(...checked.findings);
        if (checked.cidr) reserved.push({ cidr: checked.cidr, key: keys.reservedCidr(index), source: "config" });
    });

    findings.push(
        ...checkAccessLists(config, nodeFamilies),
        ...checkDnsNameservers(config.network.dnsNameservers, nodeFamilies, keys.dnsNameservers, keys.dnsNameserverList),
        ...checkCalicoMetadataAccess(config.calico.blockMetadata, keys.calicoBlockMetadata),
    );
    findings.push(
        ...checkKubernetesVersion(config.kubernetes.version, config.kubernetes.proxyMode, keys.kubernetesVersion, keys.proxyMode),
        ...checkControlPlaneCount(config.controlPlane.count, keys.controlPlaneCount),
        ...checkNodeCount(nodeCount, keys.workerPools),
        ...checkJoinExisting(config.controlPlane.count, config.controlPlane.joinExisting, keys.joinExisting, keys.controlPlaneCount),
        ...checkServerGroupSize(config.controlPlane.count, config.controlPlane.serverGroupPolicy, keys.controlPlaneCount),
        ...config.workerPools.flatMap((pool, index) => checkServerGroupSize(pool.count, pool.serverGroupPolicy, keys.workerPool(index, "count"))),
        ...checkCalicoKubernetesVersion(config.calico.version, config.kubernetes.version, keys.calicoVersion, keys.kubernetesVersion),
    );

    const labeledRanges: Labeled<RangeLabel>[] = [
        ...nodeSubnets.flatMap((s) => (s.range ? [label(s.range, "nodes", ula)] : [])),
        ...families.flatMap((f) => [label(f.pods, "pods", ula), label(f.services, "services", ula)]),
        ...reserved.map((r) => label(r, "reserved", ula)),
    ];
    findings.push(...checkDisjoint(labeledRanges));

    if (!complete) return { findings, labeledRanges };
    const limits: bigint[] = [
        ...families.map((f) => f.capacity.nodesByPodRange),
        ...nodeSubnets.map((s) => (s.usablePorts > endpointPorts ? s.usablePorts - endpointPorts : 0n)),
    ];
    const plan: AddressPlan = {
        ipFamilies: clusterFamilies,
        families,
        nodeSubnets,
        reserved,
        ula: usesUla(config) ? ula : undefined,
        controlPlaneCount: config.controlPlane.count,
        nodeCount,
        maxNodes: limits.reduce((min, v) => (v < min ? v : min), limits[0] ?? 0n),
    };
    return { plan, findings, labeledRanges };
}

function checkAccessLists(config: ClusterConfig, nodeFamilies: readonly IpFamily[]): Finding[] {
    const findings: Finding[] = [];
    const lists: Array<[readonly string[], (i: number) => string, string, string]> = [
        [config.access.apiAllowedCidrs, keys.apiAllowedCidr, keys.apiAllowedCidrs, "the Kubernetes API (6443)"],
        [config.access.sshAllowedCidrs, keys.sshAllowedCidr, keys.sshAllowedCidrs, "SSH (22)"],
    ];
    for (const [list, keyOf, listKey, what] of lists) {
        const ranges: Cidr[] = [];
        list.forEach((text, index) => {
            const checked = checkCidr(text, undefined, keyOf(index));
            findings.push(...checked.findings);
            if (checked.cidr) {
                ranges.push(checked.cidr);
                findings.push(
                    ...checkWorldOpen(checked.cidr, keyOf(index), what),
                    ...checkAllowedRangeFamily(checked.cidr, nodeFamilies, keyOf(index), what),
                );
            }
        });
        findings.push(...checkWorldOpenUnion(ranges, listKey, what));
    }
    if (config.access.apiAllowedCidrs.length === 0) {
        findings.push(
            warning(
                "api-access-empty",
                keys.apiAllowedCidrs,
                `${keys.apiAllowedCidrs} is empty, so only cluster members reach the API. pulumi up installs Calico ` +
                    `through the API from where it runs: add that address (e.g. your VPN or CI range), or run pulumi ` +
                    `from inside the node network.`,
            ),
        );
    }
    return findings;
}
