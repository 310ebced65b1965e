/**
 * Keeping pods away from the OpenStack metadata service. Nova's metadata carries the user-data,
 * and dualstack's user-data carries the join token and, on control planes, CA keys: a pod that can
 * reach 169.254.169.254 (or fe80::a9fe:a9fe) can read them.
 *
 * A Calico tier of its own, ordered before the `default` tier, holds one GlobalNetworkPolicy:
 * deny egress from pods to the metadata addresses, pass everything else on to the next tiers
 * (where Kubernetes NetworkPolicies and Calico policies of the default tier apply as before).
 * A deny-only policy in the default tier would not do: a tier that selects an endpoint ends in
 * deny, so it would cut every pod off, and an explicit allow would bypass NetworkPolicies.
 *
 * The objects are written as `crd.projectcalico.org/v1`, Calico's storage for the Kubernetes
 * datastore, whose CRDs exist as soon as the CRD chart is applied. `projectcalico.org/v3` is served
 * by the Calico API server, which only runs once the operator has brought Calico up, too late for
 * the same `pulumi up`. In that storage a policy's name carries its tier (`<tier>.<name>`).
 */
import { ALL_FAMILIES, familyFacts } from "../addressing/family";

/** The tier that holds dualstack's policies. */
export const METADATA_TIER = "dualstack";
/** Before `allow-tigera` (100), `kube-admin` (1000) and `default` (1000000). */
export const METADATA_TIER_ORDER = 90;
/** The policy's name as stored (tier-prefixed). */
export const METADATA_POLICY_NAME = `${METADATA_TIER}.deny-metadata`;
/** Selects pods (workload endpoints carry their namespace label), never host endpoints, so host-networked pods such as the cloud provider's keep the metadata service. */
export const PODS_ONLY_SELECTOR = "has(projectcalico.org/namespace)";

/** A Kubernetes object as the provider takes it. */
export interface CalicoObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; labels: { [key: string]: string } };
    spec: { [key: string]: unknown };
}

const LABELS = { "app.kubernetes.io/managed-by": "dualstack" };

/** The metadata service as CIDRs, one per family. */
export function metadataNets(): Array<{ ipVersion: number; net: string }> {
    return ALL_FAMILIES.map((family) => {
        const facts = familyFacts(family);
        return { ipVersion: facts.ipVersion, net: `${facts.metadataAddress}/${facts.bits}` };
    });
}

/** The tier. Its default action passes, so traffic no rule matches goes on to the next tier. */
export function metadataTier(): CalicoObject {
    return {
        apiVersion: "crd.projectcalico.org/v1",
        kind: "Tier",
        metadata: { name: METADATA_TIER, labels: { ...LABELS } },
        spec: { order: METADATA_TIER_ORDER, defaultAction: "Pass" },
    };
}

/** The policy: deny pod egress to the metadata addresses (one rule per family), pass the rest. */
export function metadataPolicy(): CalicoObject {
    return {
        apiVersion: "crd.projectcalico.org/v1",
        kind: "GlobalNetworkPolicy",
        metadata: { name: METADATA_POLICY_NAME, labels: { ...LABELS } },
        spec: {
            tier: METADATA_TIER,
            order: 10,
            selector: PODS_ONLY_SELECTOR,
            types: ["Egress"],
            egress: [
                ...metadataNets().map(({ ipVersion, net }) => ({ action: "Deny", ipVersion, destination: { nets: [net] } })),
                { action: "Pass" },
            ],
        },
    };
}
