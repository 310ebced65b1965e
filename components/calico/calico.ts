/**
 * `Calico`: Calico installed by the tigera-operator, with one IP pool per cluster family taken
 * from the address plan. In order, through the cluster's Kubernetes provider (which itself waits
 * for the API, see `ClusterApi`):
 *  1. the `crd.projectcalico.org.v1` chart (Calico and operator CRDs), applied server-side;
 *  2. the `tigera-operator` chart, whose `installation` values become `Installation.spec`;
 *  3. unless opted out, a tier and GlobalNetworkPolicy that keep pods off the metadata service.
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ALL_FAMILIES, familyFacts, IpFamily, isIpFamily } from "../addressing/family";
import { error, Finding, throwOnErrors } from "../addressing/findings";
import { checkIpFamilies } from "../addressing/rules/kubernetes";
import { keys } from "../config/keys";
import { metadataPolicy, metadataTier } from "./metadataPolicy";
import { checkPoolChanges } from "./pools";
import {
    CALICO_CHART_REPO,
    CALICO_CRD_CHART,
    CALICO_DEFAULT_VERSION,
    CALICO_NAMESPACE,
    CALICO_OPERATOR_CHART,
    CalicoIpPool,
    CalicoNetworkDraft,
    CalicoNetworkSpec,
    checkCalicoNetwork,
    isComplete,
    renderIpPools,
    renderOperatorValues,
    TigeraOperatorValues,
} from "./values";

/** The Calico settings of one family. */
export interface CalicoFamilyArgs {
    /**
     * The pod range of this family: kubeadm's `podSubnet` entry, used as the Calico pool's CIDR.
     * Required for each family in `ipFamilies`.
     */
    podCidr?: pulumi.Input<string>;
    /**
     * The node subnet of this family. Calico takes each node's address of this family from inside
     * it (`nodeAddressAutodetectionV4/V6: {cidrs: [...]}`). Required for each family in `ipFamilies`;
     * may be given for a node-only family too.
     */
    nodeSubnetCidr?: pulumi.Input<string>;
    /** Calico block size: 20–32 for IPv4, 116–128 for IPv6. Default 26 / 122. */
    blockSize?: number;
    /** `None`, `IPIP`, `IPIPCrossSubnet`, `VXLAN`, `VXLANCrossSubnet` (IPIP is IPv4 only). Default `None`. */
    encapsulation?: string;
    /** SNAT pod traffic leaving the pool. Default: IPv4 yes; IPv6 yes only when the pod range is ULA. */
    natOutgoing?: boolean;
}

/**
 * Arguments of {@link Calico}. Inputs: the kubeconfig, the pod and node CIDRs, the previous
 * pools, the chart repository. Plain: the families (one pool each), the version (checked),
 * block sizes, encapsulations, NAT, BGP, proxy mode and the metadata policy, which shape the
 * Installation and are checked before anything is applied; the provider is a resource.
 */
export interface CalicoArgs {
    /** The cluster's Kubernetes provider (`ClusterApi.provider`), which waits for `/readyz`. */
    kubernetesProvider: kubernetes.Provider;
    /** The admin kubeconfig, passed through to the `kubeconfig` output (secret). */
    kubeconfig: pulumi.Input<string>;
    /** Cluster families (`IPv4`, `IPv6`), primary first: one pool each, in this order. */
    ipFamilies: string[];
    /** IPv4 settings. */
    ipv4?: CalicoFamilyArgs;
    /** IPv6 settings. */
    ipv6?: CalicoFamilyArgs;
    /** Calico release, the version of both charts, e.g. `v3.32.1` (the default). */
    version?: string;
    /** Calico BGP between nodes; needed when a pool is not encapsulated. Default true. */
    bgp?: boolean;
    /** kube-proxy mode (`ipvs`, `iptables`, `nftables`); Calico's dataplane follows it. Default `ipvs`. */
    proxyMode?: string;
    /** Deny pods access to the OpenStack metadata service (169.254.169.254, fe80::a9fe:a9fe). Default true. */
    blockMetadata?: boolean;
    /**
     * The pools as applied by the last deployment (this component's `pools` output). A change of a
     * pool's CIDR or block size is refused (`calico-pool-immutable`) instead of being sent to the operator.
     */
    previousPools?: pulumi.Input<pulumi.Input<CalicoIpPool>[]>;
    /** Helm repository of both charts (a mirror, say); may be an output of another resource or stack. Default https://docs.tigera.io/calico/charts. */
    chartRepository?: pulumi.Input<string>;
}

/** What {@link createCalico} builds. */
export interface CalicoParts {
    readonly crds: kubernetes.helm.v4.Chart;
    readonly release: kubernetes.helm.v3.Release;
    readonly metadataPolicy?: kubernetes.apiextensions.CustomResource;
    readonly values: pulumi.Output<TigeraOperatorValues>;
    readonly pools: pulumi.Output<CalicoIpPool[]>;
}

/** Family settings by family, from the explicit `ipv4` / `ipv6` fields. */
function familyArgs(args: CalicoArgs, family: IpFamily): CalicoFamilyArgs | undefined {
    return args[familyFacts(family).lowerSuffix];
}

/** A value now if it is a plain string, undefined when it is an Output or a Promise. */
function plain(value: pulumi.Input<string> | undefined): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** Node families: cluster families first (in order), then any other family with a node subnet. */
function nodeFamiliesOf(args: CalicoArgs, clusterFamilies: readonly IpFamily[]): IpFamily[] {
    const withSubnet = (f: IpFamily) => familyArgs(args, f)?.nodeSubnetCidr !== undefined;
    return [...clusterFamilies.filter(withSubnet), ...ALL_FAMILIES.filter((f) => !clusterFamilies.includes(f) && withSubnet(f))];
}

/** The network as far as it is known at construction (Outputs stay undefined). */
export function calicoDraftFromArgs(args: CalicoArgs): CalicoNetworkDraft {
    const clusterFamilies = args.ipFamilies.filter(isIpFamily);
    return {
        pools: clusterFamilies.map((family) => {
            const settings = familyArgs(args, family);
            return {
                family,
                cidr: plain(settings?.podCidr),
                blockSize: settings?.blockSize ?? familyFacts(family).defaultBlockSize,
                encapsulation: settings?.encapsulation ?? "None",
                natOutgoing: settings?.natOutgoing,
            };
        }),
        nodeSubnets: nodeFamiliesOf(args, clusterFamilies).map((family) => ({
            family,
            cidr: plain(familyArgs(args, family)?.nodeSubnetCidr),
        })),
        bgp: args.bgp ?? true,
        proxyMode: args.proxyMode ?? "ipvs",
    };
}

/** Plain previous pools, when every entry is a plain object now. */
function plainPools(pools: CalicoArgs["previousPools"]): CalicoIpPool[] | undefined {
    if (!Array.isArray(pools)) return undefined;
    if (!pools.every((p) => p !== null && typeof p === "object" && !pulumi.Output.isInstance(p) && !(p instanceof Promise))) return undefined;
    return pools as CalicoIpPool[];
}

/**
 * Every finding about the arguments that can be known at construction: families, pod ranges
 * given for each cluster family, the version, and the network rules on the plain values (and the
 * pool history when it is plain too).
 */
export function checkCalicoArgs(args: CalicoArgs): Finding[] {
    const families = checkIpFamilies(args.ipFamilies ?? [], keys.ipFamilies);
    if (families.length > 0) return families;
    const findings: Finding[] = [];
    for (const family of args.ipFamilies.filter(isIpFamily)) {
        if (familyArgs(args, family)?.podCidr === undefined) {
            const arg = `${familyFacts(family).lowerSuffix}.podCidr`;
            findings.push(
                error(
                    "config-required",
                    keys.podCidr(family),
                    `${family} is a cluster family but Calico has no ${family} pod range (${arg}, from ${keys.podCidr(family)}); ` +
                        `each cluster family needs its pool, the same range as kubeadm's podSubnet.`,
                ),
            );
        }
    }
    const version = args.version ?? CALICO_DEFAULT_VERSION;
    if (!/^v\d+\.\d+\.\d+$/.test(version)) {
        findings.push(
            error(
                "config-type",
                keys.calicoVersion,
                `${keys.calicoVersion} is "${version}"; Calico's charts are versioned by the release tag with its v, ` +
                    `such as ${CALICO_DEFAULT_VERSION}.`,
            ),
        );
    }
    const draft = calicoDraftFromArgs(args);
    findings.push(...checkCalicoNetwork(draft));
    const previous = plainPools(args.previousPools);
    if (previous !== undefined && isComplete(draft)) findings.push(...checkPoolChanges(previous, renderIpPools(draft)));
    return findings;
}

/** Register the charts and the policy under `parent`. Throws InvalidPlanError before registering anything when the arguments are invalid. */
export function createCalico(name: string, args: CalicoArgs, parent: pulumi.Resource): CalicoParts {
    throwOnErrors(checkCalicoArgs(args), `the Calico arguments of "${name}"`);
    const draft = calicoDraftFromArgs(args);
    const version = args.version ?? CALICO_DEFAULT_VERSION;
    const repo = args.chartRepository ?? CALICO_CHART_REPO;
    const provider = args.kubernetesProvider;

    // Ranges may be Outputs (a ULA from state, a subnet from a Neutron pool): finish the check
    // and render once they are known. A failing check rejects every Output derived from
    // `resolved` (each with its own error), and every child waits on one of them, so nothing
    // is applied.
    const podCidrs = draft.pools.map((p) => familyArgs(args, p.family)?.podCidr as pulumi.Input<string>);
    const nodeCidrs = draft.nodeSubnets.map((s) => familyArgs(args, s.family)?.nodeSubnetCidr as pulumi.Input<string>);
    const resolved = pulumi
        .all([pulumi.all(podCidrs), pulumi.all(nodeCidrs), pulumi.output(args.previousPools ?? [])])
        .apply(([pods, nodes, previous]) => {
            const spec: CalicoNetworkSpec = {
                ...draft,
                pools: draft.pools.map((pool, i) => ({ ...pool, cidr: pods[i] })),
                nodeSubnets: draft.nodeSubnets.map((subnet, i) => ({ ...subnet, cidr: nodes[i] })),
            };
            const pools = renderIpPools(spec);
            const findings = [...checkCalicoNetwork(spec), ...checkPoolChanges((previous ?? []) as CalicoIpPool[], pools)];
            return { findings, values: renderOperatorValues(spec), pools };
        });
    const subject = `the Calico network of "${name}"`;
    const valid = <T>(pick: (r: { values: TigeraOperatorValues; pools: CalicoIpPool[] }) => T): pulumi.Output<T> =>
        resolved.apply((r) => {
            throwOnErrors(r.findings, subject);
            return pick(r);
        });
    const checked = valid(() => [provider]);

    const crds = new kubernetes.helm.v4.Chart(
        `${name}-crds`,
        { chart: CALICO_CRD_CHART, version, repositoryOpts: { repo } },
        { parent, provider, dependsOn: checked },
    );
    const release = new kubernetes.helm.v3.Release(
        `${name}-operator`,
        {
            name: "calico",
            chart: CALICO_OPERATOR_CHART,
            version,
            namespace: CALICO_NAMESPACE,
            createNamespace: true,
            repositoryOpts: { repo },
            // The CRD chart owns the CRDs (and upgrades them first).
            skipCrds: true,
            values: valid((r) => ({ ...r.values })),
        },
        { parent, provider, dependsOn: [crds] },
    );
    let policy: kubernetes.apiextensions.CustomResource | undefined;
    if (args.blockMetadata ?? true) {
        const tier = new kubernetes.apiextensions.CustomResource(`${name}-metadata-tier`, metadataTier(), {
            parent,
            provider,
            dependsOn: [crds],
        });
        policy = new kubernetes.apiextensions.CustomResource(`${name}-deny-metadata`, metadataPolicy(), {
            parent,
            provider,
            dependsOn: [tier],
        });
    }
    return {
        crds,
        release,
        metadataPolicy: policy,
        values: valid((r) => r.values),
        pools: valid((r) => r.pools),
    };
}

/**
 * Calico with one IP pool per cluster family (from the address plan), installed by the
 * tigera-operator after its CRDs, and a policy that keeps pods off the metadata service.
 * Invalid arguments throw `InvalidPlanError` before anything is registered.
 */
export class Calico extends pulumi.ComponentResource {
    /** The admin kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The tigera-operator release's status (name, namespace, chart, version, status, revision). */
    public readonly releaseStatus: pulumi.Output<kubernetes.types.output.helm.v3.ReleaseStatus>;
    /** The pools as applied (`installation.calicoNetwork.ipPools`); feed them back as `previousPools`. */
    public readonly pools: pulumi.Output<CalicoIpPool[]>;
    /** The tigera-operator chart values. */
    public readonly values: pulumi.Output<TigeraOperatorValues>;
    /** The operator release, for `dependsOn` of resources that need Calico's API objects. */
    public readonly release: kubernetes.helm.v3.Release;

    constructor(name: string, args: CalicoArgs, opts?: pulumi.ComponentResourceOptions) {
        throwOnErrors(checkCalicoArgs(args), `the Calico arguments of "${name}"`);
        super("dualstack:index:Calico", name, {}, opts);
        const parts = createCalico(name, args, this);
        this.kubeconfig = pulumi.secret(args.kubeconfig);
        this.releaseStatus = parts.release.status;
        this.pools = parts.pools;
        this.values = parts.values;
        this.release = parts.release;
        this.registerOutputs({ kubeconfig: this.kubeconfig, releaseStatus: this.releaseStatus, pools: this.pools });
    }
}
