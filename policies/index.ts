/**
 * The dualstack policy pack: `pulumi preview --policy-pack policies` from the repository.
 * The policies live in topic modules (stack, network, security, calico, compute); see
 * docs/policies.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("dualstack", {
    description: "Refuses overlapping or oversized address ranges and insecure network settings of dualstack clusters.",
    policies,
});
