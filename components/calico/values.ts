/**
 * The tigera-operator Helm values, from the address plan. Pure: a spec of the Calico network
 * (pools in cluster-family order, node subnets, BGP, kube-proxy mode) in, checked, and rendered
 * as the chart's `installation` values, which the chart turns into `Installation.spec`.
 *
 * Reference: https://docs.tigera.io/calico/latest/reference/installation/api#caliconetworkspec
 */
import { cidr as parseStrictCidr, contains } from "../addressing/cidr";
import { familyFacts, IpFamily, isIpFamily } from "../addressing/family";
import { error, Finding } from "../addressing/findings";
import { AddressPlan } from "../addressing/plan";
import { Labeled } from "../addressing/overlap";
import { checkCalicoBgp, checkCalicoPool, checkEncapsulation } from "../addressing/rules/calico";
import { checkClusterFamiliesOnNodes, checkDisjoint, RangeLabel } from "../addressing/rules/ranges";
import { checkCidr } from "../addressing/rules/cidr";
import { checkIpFamilies } from "../addressing/rules/kubernetes";
import { UNIQUE_LOCAL_RANGE } from "../addressing/ula";
import { keys } from "../config/keys";
import { CALICO_VERSION } from "../versions";
import { ENCAPSULATIONS, PROXY_MODES } from "../config/types";

/** The tigera-operator chart repository. */
export const CALICO_CHART_REPO = "https://docs.tigera.io/calico/charts";
/** The CRD chart (crd.projectcalico.org and operator.tigera.io CRDs), separate since Calico v3.32. */
export const CALICO_CRD_CHART = "crd.projectcalico.org.v1";
/** The operator chart. */
export const CALICO_OPERATOR_CHART = "tigera-operator";
/** The operator's namespace. */
export const CALICO_NAMESPACE = "tigera-operator";
/** The Calico release (chart version) installed when none is given. */
export const CALICO_DEFAULT_VERSION = CALICO_VERSION.version;

/** One pool of the spec. `cidr` is undefined while it is not known (an unresolved Output). */
export interface CalicoPoolDraft {
    readonly family: IpFamily;
    readonly cidr?: string;
    readonly blockSize: number;
    readonly encapsulation: string;
    /** Undefined: the default (IPv4 yes; IPv6 yes when the pod range is ULA). */
    readonly natOutgoing?: boolean;
}

/** One node subnet of the spec. */
export interface NodeSubnetDraft {
    readonly family: IpFamily;
    readonly cidr?: string;
}

/** The Calico network before every value is known. */
export interface CalicoNetworkDraft {
    /** One per cluster family, primary first (kubeadm's podSubnet order). */
    readonly pools: readonly CalicoPoolDraft[];
    /** One per node family. */
    readonly nodeSubnets: readonly NodeSubnetDraft[];
    readonly bgp: boolean;
    /** kube-proxy mode: ipvs, iptables, nftables. */
    readonly proxyMode: string;
}

/** A pool with its range known. */
export interface CalicoPoolSpec extends CalicoPoolDraft {
    readonly cidr: string;
}

/** A node subnet with its range known. */
export interface NodeSubnetSpec extends NodeSubnetDraft {
    readonly cidr: string;
}

/** The Calico network with every value known: what {@link renderCalicoNetwork} takes. */
export interface CalicoNetworkSpec extends CalicoNetworkDraft {
    readonly pools: readonly CalicoPoolSpec[];
    readonly nodeSubnets: readonly NodeSubnetSpec[];
}

/** An `installation.calicoNetwork.ipPools[]` entry: the pool as applied. */
export interface CalicoIpPool {
    /** `default-ipv4-ippool` / `default-ipv6-ippool` (the names the operator would generate). */
    name: string;
    /** The pool's CIDR: the cluster's pod range of its family. */
    cidr: string;
    /** Block size: the prefix length of the blocks Calico hands to nodes. */
    blockSize: number;
    /** `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN` or `VXLANCrossSubnet`. */
    encapsulation: string;
    /** `Enabled` or `Disabled`. */
    natOutgoing: string;
    /** Nodes that take addresses from the pool (`all()`). */
    nodeSelector: string;
}

/** `nodeAddressAutodetectionV4/V6`: always `cidrs`, never first-found. */
export interface NodeAddressAutodetection {
    /** The node subnet of the family: each node's address is the one inside it. */
    cidrs: string[];
}

/** `installation.calicoNetwork`. */
export interface CalicoNetworkValues {
    /** `Enabled` or `Disabled`. */
    bgp: string;
    /** `Iptables` or `Nftables` (follows kube-proxy's mode). */
    linuxDataplane: string;
    /** One pool per cluster family, primary first. */
    ipPools: CalicoIpPool[];
    /** How Calico picks each node's IPv4 address. */
    nodeAddressAutodetectionV4?: NodeAddressAutodetection;
    /** How Calico picks each node's IPv6 address. */
    nodeAddressAutodetectionV6?: NodeAddressAutodetection;
}

/** `installation.cni.ipam`. */
export interface CalicoIpamValues {
    /** `Calico`: Calico IPAM hands out the pod addresses. */
    type: string;
}

/** `installation.cni`. */
export interface CalicoCniValues {
    /** `Calico`. */
    type: string;
    /** The IPAM plugin. */
    ipam: CalicoIpamValues;
}

/** The chart's `installation` values, which the chart turns into `Installation.spec`. */
export interface TigeraInstallationValues {
    /** Whether the chart creates the Installation. */
    enabled: boolean;
    /** The CNI plugin and its IPAM. */
    cni: CalicoCniValues;
    /** Pools, BGP, dataplane and node address detection. */
    calicoNetwork: CalicoNetworkValues;
    /** The Calico CSI driver's kubelet plugin path; `None`: no CSI driver. */
    kubeletVolumePluginPath: string;
}

/** The tigera-operator chart values dualstack sets (the chart's defaults fill the rest). */
export interface TigeraOperatorValues {
    /** The chart's `installation` values: `Installation.spec`. */
    installation: TigeraInstallationValues;
    /** False: the CRD chart owns the CRDs, so the operator must not rewrite them. */
    manageCRDs: boolean;
}

/** The operator's pool name for a family. */
export function poolName(family: IpFamily): string {
    return `default-${familyFacts(family).lowerSuffix}-ippool`;
}

/** Calico's dataplane matching kube-proxy's: nftables with nftables, iptables otherwise (ipvs runs beside iptables rules). */
export function linuxDataplaneFor(proxyMode: string): string {
    return proxyMode === "nftables" ? "Nftables" : "Iptables";
}

/** natOutgoing when none is given: IPv4 yes; IPv6 yes only for a ULA pod range (as `dualstack:calico.natOutgoingIPv6`). */
export function defaultNatOutgoing(family: IpFamily, podCidr: string | undefined): boolean | undefined {
    if (family === "IPv4") return true;
    if (podCidr === undefined) return undefined;
    const parsed = safeCidr(podCidr);
    return parsed !== undefined && contains(UNIQUE_LOCAL_RANGE, parsed);
}

function safeCidr(text: string) {
    try {
        return parseStrictCidr(text);
    } catch {
        return undefined;
    }
}

/**
 * Every finding about a Calico network: families, each known pool (CIDR, block size,
 * encapsulation, link-local), BGP for unencapsulated pools, a node subnet per cluster family,
 * and the kube-proxy mode. Values not known yet are skipped; call again once they are.
 */
export function checkCalicoNetwork(draft: CalicoNetworkDraft): Finding[] {
    const findings: Finding[] = [];
    const families = draft.pools.map((p) => p.family);
    findings.push(...checkIpFamilies(families, keys.ipFamilies));
    if (!(PROXY_MODES as readonly string[]).includes(draft.proxyMode)) {
        findings.push(
            error(
                "config-type",
                keys.proxyMode,
                `${keys.proxyMode} is "${draft.proxyMode}"; expected one of ${PROXY_MODES.join(", ")}. ` +
                    `Calico's dataplane follows it (nftables → Nftables, otherwise Iptables).`,
            ),
        );
    }
    const ranges: Labeled<RangeLabel>[] = [];
    for (const pool of draft.pools) {
        if (!isIpFamily(pool.family)) continue;
        const family = pool.family;
        const encapsulationKey = keys.encapsulation(family);
        if (!(ENCAPSULATIONS as readonly string[]).includes(pool.encapsulation)) {
            findings.push(...checkEncapsulation(family, pool.encapsulation, encapsulationKey));
            continue;
        }
        findings.push(...checkCalicoBgp(family, pool.encapsulation, draft.bgp, encapsulationKey, keys.calicoBgp));
        if (pool.cidr === undefined) {
            findings.push(...checkEncapsulation(family, pool.encapsulation, encapsulationKey));
            continue;
        }
        const checked = checkCidr(pool.cidr, family, keys.podCidr(family));
        findings.push(...checked.findings);
        if (checked.cidr === undefined) continue;
        ranges.push({ cidr: checked.cidr, label: { key: keys.podCidr(family), role: "pods" } });
        findings.push(
            ...checkCalicoPool(
                { cidr: checked.cidr, blockSize: pool.blockSize, encapsulation: pool.encapsulation },
                { cidr: keys.podCidr(family), blockSize: keys.blockSize(family), encapsulation: encapsulationKey },
            ),
        );
    }
    findings.push(
        ...checkClusterFamiliesOnNodes(
            families.filter(isIpFamily),
            draft.nodeSubnets.map((s) => s.family),
            keys.ipFamilies,
            keys.nodeCidr,
        ),
    );
    for (const subnet of draft.nodeSubnets) {
        if (subnet.cidr === undefined) continue;
        const checked = checkCidr(subnet.cidr, subnet.family, keys.nodeCidr(subnet.family));
        findings.push(...checked.findings);
        if (checked.cidr) ranges.push({ cidr: checked.cidr, label: { key: keys.nodeCidr(subnet.family), role: "nodes" } });
    }
    // A pool over a node subnet would hand node addresses to pods.
    findings.push(...checkDisjoint(ranges));
    return findings;
}

/** The canonical text of a CIDR already checked (lower case, `::` compressed). */
function canonical(text: string): string {
    return safeCidr(text)?.text ?? text;
}

/** `installation.calicoNetwork.ipPools`, in cluster-family order. */
export function renderIpPools(spec: CalicoNetworkSpec): CalicoIpPool[] {
    return spec.pools.map((pool) => ({
        name: poolName(pool.family),
        cidr: canonical(pool.cidr),
        blockSize: pool.blockSize,
        encapsulation: pool.encapsulation,
        natOutgoing: (pool.natOutgoing ?? defaultNatOutgoing(pool.family, pool.cidr)) ? "Enabled" : "Disabled",
        nodeSelector: "all()",
    }));
}

/** `installation.calicoNetwork`. */
export function renderCalicoNetwork(spec: CalicoNetworkSpec): CalicoNetworkValues {
    const network: CalicoNetworkValues = {
        bgp: spec.bgp ? "Enabled" : "Disabled",
        linuxDataplane: linuxDataplaneFor(spec.proxyMode),
        ipPools: renderIpPools(spec),
    };
    // The node's address of each family is the one inside that family's node subnet. Never
    // first-found: on OpenStack it readily picks a link-local, a Docker bridge or a temporary
    // SLAAC privacy address for IPv6.
    for (const subnet of spec.nodeSubnets) {
        const detection: NodeAddressAutodetection = { cidrs: [canonical(subnet.cidr)] };
        if (familyFacts(subnet.family).ipVersion === 4) network.nodeAddressAutodetectionV4 = detection;
        else network.nodeAddressAutodetectionV6 = detection;
    }
    return network;
}

/** The tigera-operator chart values. */
export function renderOperatorValues(spec: CalicoNetworkSpec): TigeraOperatorValues {
    return {
        installation: {
            enabled: true,
            cni: { type: "Calico", ipam: { type: "Calico" } },
            calicoNetwork: renderCalicoNetwork(spec),
            // No Calico CSI driver: it only serves Calico Enterprise's application-layer policy;
            // one privileged DaemonSet less (the chart's own default).
            kubeletVolumePluginPath: "None",
        },
        manageCRDs: false,
    };
}

/** What the plan does not hold: Calico BGP and the kube-proxy mode, and node subnets allocated at `up`. */
export interface CalicoPlanOptions {
    readonly bgp: boolean;
    readonly proxyMode: string;
    /** Node subnet CIDRs that the plan lacks (a Neutron subnet pool allocates them), by family. */
    readonly nodeSubnetCidrs?: Partial<Record<IpFamily, string>>;
}

/** The Calico network of a plan: a pool per cluster family (primary first) and every node subnet. */
export function calicoNetworkFromPlan(plan: AddressPlan, options: CalicoPlanOptions): CalicoNetworkDraft {
    return {
        pools: plan.families.map((f) => ({
            family: f.family,
            cidr: f.pods.cidr.text,
            blockSize: f.calico.blockSize,
            encapsulation: f.calico.encapsulation,
            natOutgoing: f.calico.natOutgoing,
        })),
        nodeSubnets: plan.nodeSubnets.map((s) => ({
            family: s.family,
            cidr: options.nodeSubnetCidrs?.[s.family] ?? s.range?.cidr.text,
        })),
        bgp: options.bgp,
        proxyMode: options.proxyMode,
    };
}

/** True when every range of the draft is known. */
export function isComplete(draft: CalicoNetworkDraft): draft is CalicoNetworkSpec {
    return draft.pools.every((p) => p.cidr !== undefined) && draft.nodeSubnets.every((s) => s.cidr !== undefined);
}

/** Plan → chart values. Throws when a node subnet is not known yet (give it in `nodeSubnetCidrs`). */
export function calicoValuesFromPlan(plan: AddressPlan, options: CalicoPlanOptions): TigeraOperatorValues {
    const draft = calicoNetworkFromPlan(plan, options);
    if (!isComplete(draft)) {
        const missing = draft.nodeSubnets.filter((s) => s.cidr === undefined).map((s) => keys.nodeCidr(s.family));
        throw new Error(`Calico values need every node subnet; ${missing.join(", ")} is allocated at up: pass it in nodeSubnetCidrs.`);
    }
    return renderOperatorValues(draft);
}
