/**
 * The CrossGuard policies (`dualstack/policies`): the rules of the policy pack in `policies/`,
 * which imports them from this package, and the in-process runner `dualstack plan` uses.
 * See docs/policies.md.
 */
export { policies } from "./policies";
export * from "./local";

/** The pack's name, as `pulumi preview --policy-pack` and the Pulumi Cloud list it. */
export const POLICY_PACK_NAME = "dualstack";

/** The pack's description. */
export const POLICY_PACK_DESCRIPTION =
    "Refuses overlapping or oversized address ranges and insecure network settings of dualstack clusters.";
