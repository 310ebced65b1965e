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

/** An output of the last deployment as JSON text ("" when there is none). */
async function lastOutput(self: pulumi.StackReference, name: string): Promise<string> {
    const details = await self.getOutputDetails(name);
    const value = details.value ?? details.secretValue;
    return value === undefined || value === null ? "" : JSON.stringify(value);
}

/** Build the stack; returns its outputs. */
export async function defineStack(): Promise<Record<string, unknown>> {
    const engineConfig = pulumi.runtime.allConfig();
    const stack = pulumi.getStack();
    const loaded = loadConfig(engineConfig, { stringValues: true, defaultClusterName: stack });
    if (loaded.config === undefined) throw new InvalidPlanError(loaded.findings, `the configuration of stack ${stack}`);

    // The outputs of this stack's last deployment, read before anything is built: a range
    // change Kubernetes cannot make in place is refused before a single resource is
    // registered. A stack that was never deployed has none.
    const self = new pulumi.StackReference(LAST_DEPLOYMENT, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`,
    });
    const [previousAddressPlan, previousCalicoPools] = await Promise.all([lastOutput(self, "addressPlan"), lastOutput(self, "calicoPools")]);

    const args: ClusterArgs = { ...(configArgsFromEngine(engineConfig) as ClusterArgs), previousAddressPlan, previousCalicoPools };
    const cluster = new Cluster(stack, args);
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
        // With a gateway section only.
        ...(cluster.gatewayPublicKey === undefined
            ? {}
            : {
                  gatewayPublicKey: cluster.gatewayPublicKey,
                  gatewayEndpoint: cluster.gatewayEndpoint,
                  gatewayVipIPv4: cluster.gatewayVipIPv4,
                  gatewayVipIPv6: cluster.gatewayVipIPv6,
                  gatewayClientConfigs: cluster.gatewayClientConfigs,
              }),
    };
}
