/**
 * Every policy of the pack, in the order `pulumi preview` lists them. The pack (policies/index.ts)
 * hands this list to its PolicyPack; tests and `dualstack plan` use it without a policy server.
 */
import { Policies } from "@pulumi/policy";
import { calicoIpPools, calicoIpv6NatOutgoing, calicoPoolsInPodRange } from "./calico";
import { controlPlaneAntiAffinity } from "./compute";
import { neutronSubnetAccepted, neutronSubnetSize } from "./network";
import { icmpv6Allowed, portAddressPairsWorld, portPodAddressPairs, portSecurityEnabled, secgroupRuleFamily, secgroupWorldOpen } from "./security";
import { podRangeNodeMask, rangesDisjoint, serviceRangeSize } from "./stack";

export const policies: Policies = [
    // Address plan (stack).
    rangesDisjoint,
    serviceRangeSize,
    podRangeNodeMask,
    // Neutron subnets.
    neutronSubnetAccepted,
    neutronSubnetSize,
    // Security groups and ports.
    secgroupWorldOpen,
    secgroupRuleFamily,
    icmpv6Allowed,
    portSecurityEnabled,
    portPodAddressPairs,
    portAddressPairsWorld,
    // Calico.
    calicoIpPools,
    calicoPoolsInPodRange,
    calicoIpv6NatOutgoing,
    // Compute.
    controlPlaneAntiAffinity,
];
