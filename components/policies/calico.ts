/**
 * Policies on the Calico installation: the IP pools in the tigera-operator Helm release's
 * values (`values.installation.calicoNetwork.ipPools[]`), which become the Installation's
 * `spec.calicoNetwork.ipPools`.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Cidr } from "../addressing/cidr";
import { familyFacts } from "../addressing/family";
import { Finding } from "../addressing/findings";
import { Labeled } from "../addressing/overlap";
import { checkPoolInPodRange } from "../addressing/rules/bounds";
import { checkCalicoPool, checkUlaNatOutgoing } from "../addressing/rules/calico";
import { checkCidr } from "../addressing/rules/cidr";
import { checkDisjoint, RangeLabel } from "../addressing/rules/ranges";
import { UNIQUE_LOCAL_RANGE } from "../addressing/ula";
import { keys } from "../config/keys";
import { clusterOf, clusterPlans, planFamily } from "./cluster";
import { resourcesOfType, types, validateResourceType } from "./resources";
import { at, isUnknown, list, num, record, reportFindings, str } from "./values";

/** The chart that installs Calico. */
export const CALICO_CHART = "tigera-operator";

/** One pool of the release, with what is known of it. */
export interface ReleasePool {
    /** `<release>.values.installation.calicoNetwork.ipPools[i]`. */
    readonly path: string;
    readonly cidrText: string;
    /** The parsed range; undefined when the text is not a usable CIDR (see `cidrFindings`). */
    readonly cidr?: Cidr;
    readonly cidrFindings: Finding[];
    /** As written, or the operator's default for the family. */
    readonly blockSize: number;
    readonly encapsulation: string;
    readonly natOutgoing: boolean;
}

/** True when the release installs the tigera-operator chart (by name, repo/name or a chart URL). */
export function isCalicoRelease(props: unknown): boolean {
    const chart = str(at(props, "chart"));
    if (chart === undefined) return false;
    const base = chart.split("/").pop() ?? "";
    return base === CALICO_CHART || base.startsWith(`${CALICO_CHART}-`);
}

/** Operator defaults per family (tigera-operator: IPv4 IPIP + NAT, IPv6 no encapsulation, no NAT). */
const OPERATOR_DEFAULTS = {
    IPv4: { encapsulation: "IPIP", natOutgoing: true },
    IPv6: { encapsulation: "None", natOutgoing: false },
} as const;

/**
 * The pools of a release whose fields are known. A pool with an unknown field (e.g. a CIDR
 * derived from a ULA ID that is random until `up`) is left out.
 */
export function releasePools(props: unknown, releaseName: string): ReleasePool[] {
    const base = `${releaseName}.values.installation.calicoNetwork.ipPools`;
    const pools: ReleasePool[] = [];
    (list(at(props, "values", "installation", "calicoNetwork", "ipPools")) ?? []).forEach((entry, i) => {
        const pool = record(entry);
        if (pool === undefined) return;
        const { cidr, blockSize, encapsulation, natOutgoing } = pool;
        if ([cidr, blockSize, encapsulation, natOutgoing].some(isUnknown)) return;
        const text = str(cidr);
        if (text === undefined) return;
        const path = `${base}[${i}]`;
        const checked = checkCidr(text, undefined, `${path}.cidr`);
        const family = checked.cidr?.family ?? (text.includes(":") ? "IPv6" : "IPv4");
        const defaults = OPERATOR_DEFAULTS[family];
        pools.push({
            path,
            cidrText: text,
            cidr: checked.findings.length === 0 ? checked.cidr : undefined,
            cidrFindings: checked.findings,
            blockSize: num(blockSize) ?? familyFacts(family).defaultBlockSize,
            encapsulation: str(encapsulation) ?? defaults.encapsulation,
            natOutgoing: natOutgoing === undefined ? defaults.natOutgoing : natOutgoing === "Enabled",
        });
    });
    return pools;
}

/** The pools as labelled ranges for the overlap rules. */
export function poolRanges(pools: readonly ReleasePool[]): Labeled<RangeLabel>[] {
    return pools.flatMap((p) => (p.cidr ? [{ cidr: p.cidr, label: { key: `${p.path}.cidr`, role: "pool" as const } }] : []));
}

/** `calico-ip-pools`: each pool is one Calico accepts, and pools do not overlap. */
export const calicoIpPools: ResourceValidationPolicy = {
    name: "calico-ip-pools",
    description:
        "Calico IP pools in the tigera-operator release are ones Calico accepts: a strictly masked CIDR, a block size " +
        "in 20–32 (IPv4) or 116–128 (IPv6) no longer than the pool, no IPIP on IPv6, no link-local range, no two " +
        "pools overlapping.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceType(types.helmRelease, (props, args, reportViolation) => {
        if (isUnknown(at(props, "chart"))) return;
        if (!isCalicoRelease(props)) args.notApplicable(`not the ${CALICO_CHART} chart`);
        const pools = releasePools(props, args.name);
        const findings: Finding[] = [];
        for (const pool of pools) {
            findings.push(...pool.cidrFindings);
            if (pool.cidr === undefined) continue;
            findings.push(
                ...checkCalicoPool(
                    { cidr: pool.cidr, blockSize: pool.blockSize, encapsulation: pool.encapsulation },
                    { cidr: `${pool.path}.cidr`, blockSize: `${pool.path}.blockSize`, encapsulation: `${pool.path}.encapsulation` },
                ),
            );
        }
        findings.push(...checkDisjoint(poolRanges(pools)));
        reportFindings(findings, reportViolation);
    }),
};

/** `calico-ipv6-nat-outgoing`: IPv6 pools in ULA space NAT traffic that leaves the cluster. */
export const calicoIpv6NatOutgoing: ResourceValidationPolicy = {
    name: "calico-ipv6-nat-outgoing",
    description:
        "An IPv6 Calico pool in unique local (ULA, fc00::/7) space has natOutgoing Enabled (the operator's default " +
        "for IPv6 is Disabled): nobody routes ULA addresses back from the internet.",
    enforcementLevel: "advisory",
    validateResource: validateResourceType(types.helmRelease, (props, args, reportViolation) => {
        if (isUnknown(at(props, "chart"))) return;
        if (!isCalicoRelease(props)) args.notApplicable(`not the ${CALICO_CHART} chart`);
        for (const pool of releasePools(props, args.name)) {
            if (pool.cidr === undefined) continue;
            reportFindings(
                checkUlaNatOutgoing(pool.cidr, pool.natOutgoing, UNIQUE_LOCAL_RANGE, `${pool.path}.cidr`, `${pool.path}.natOutgoing`),
                reportViolation,
            );
        }
    }),
};

/** `calico-pools-in-pod-range`: every pool lies inside the cluster's pod range of its family. */
export const calicoPoolsInPodRange: StackValidationPolicy = {
    name: "calico-pools-in-pod-range",
    description:
        "Every Calico pool lies inside the Cluster's pod range of its family (kubeadm's podSubnet, from the Cluster's " +
        "addressPlan): not larger, not outside, not of a family the cluster does not have.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const plans = clusterPlans(args.resources);
        const releases = resourcesOfType(args.resources, types.helmRelease).filter(({ props }) => isCalicoRelease(props));
        if (plans.length === 0 || releases.length === 0) {
            args.notApplicable("needs a Cluster with a known addressPlan and a tigera-operator release");
        }
        for (const { resource, props } of releases) {
            const plan = clusterOf(resource, plans);
            if (plan === undefined) continue;
            for (const pool of releasePools(props, resource.name)) {
                if (pool.cidr === undefined) continue;
                const family = planFamily(plan, pool.cidr.family);
                if (family !== undefined && family.pods === undefined) continue;
                reportFindings(
                    checkPoolInPodRange(pool.cidr, family?.pods?.cidr, `${pool.path}.cidr`, family?.pods?.path ?? keys.podCidr(pool.cidr.family)),
                    reportViolation,
                    resource.urn,
                );
            }
        }
    },
};
