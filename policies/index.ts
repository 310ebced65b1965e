/**
 * The dualstack policy pack: `pulumi preview --policy-pack policies` (after `npm install`
 * here), or `pulumi policy publish`. The policies come from the dualstack package
 * (`dualstack/policies`), the same rules its components and `dualstack check` apply; see
 * docs/policies.md in the package.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_DESCRIPTION, POLICY_PACK_NAME, policies } from "dualstack/policies";

new PolicyPack(POLICY_PACK_NAME, { description: POLICY_PACK_DESCRIPTION, policies });
