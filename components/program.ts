/**
 * The dualstack program: one Cluster from the stack's configuration, and the stack outputs.
 * `index.ts` exports it for `pulumi up`; `dualstack plan` runs the same function offline.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "./addressing/findings";
import { Cluster, ClusterArgs } from "./cluster";
import { configArgsFromEngine, loadConfig } from "./config/load";

/** The name of the StackReference through which the program reads its own last deployment. */
export const LAST_DEPLOYMENT = "last-deployment";

/** Build the stack; returns its outputs. */
export function defineStack(): Record<string, unknown> {
    const engineConfig = pulumi.runtime.allConfig();
    const loaded = loadConfig(engineConfig, { stringValues: true });
    if (loaded.config === undefined) throw new InvalidPlanError(loaded.findings, `the configuration of stack ${pulumi.getStack()}`);

    // The outputs of this stack's last deployment, to refuse range changes Kubernetes
    // cannot make in place. A stack that was never deployed has none.
    const self = new pulumi.StackReference(LAST_DEPLOYMENT, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const previousAddressPlan = self.getOutput("addressPlan").apply((plan: unknown) => (plan === undefined || plan === null ? "" : JSON.stringify(plan)));

    const previousCalicoPools = self.getOutput("calicoPools").apply((pools: unknown) => (pools === undefined || pools === null ? "" : JSON.stringify(pools)));

    const args: ClusterArgs = { ...(configArgsFromEngine(engineConfig) as ClusterArgs), previousAddressPlan, previousCalicoPools };
    const cluster = new Cluster(pulumi.getStack(), args);
    const addresses = (family: "addressIPv4" | "addressIPv6") =>
        cluster.nodes.apply((nodes) => nodes.map((n) => n[family]).filter((a): a is string => a !== undefined));
    return {
        addressPlan: cluster.addressPlan,
        apiServerUrl: cluster.apiServerUrl,
        apiEndpointIPv4: cluster.apiEndpointIPv4,
        apiEndpointIPv6: cluster.apiEndpointIPv6,
        apiFloatingIp: cluster.apiFloatingIp,
        kubeconfig: cluster.kubeconfig,
        nodes: cluster.nodes,
        nodeAddressesIPv4: addresses("addressIPv4"),
        nodeAddressesIPv6: addresses("addressIPv6"),
        calicoPools: cluster.calicoPools,
        calicoReleaseStatus: cluster.calicoReleaseStatus,
    };
}
