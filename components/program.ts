/**
 * The dualstack program: one Cluster from the stack's configuration, and the stack outputs.
 * `index.ts` exports it for `pulumi up`; `dualstack plan` runs the same function offline.
 */
import * as pulumi from "@pulumi/pulumi";
import { InvalidPlanError } from "./addressing/findings";
import { Cluster, ClusterArgs } from "./cluster";
import { configArgsFromEngine, loadConfig } from "./config/load";
import { VerifyApi } from "./verify/kubernetesApi";
import { verifyAfterUp } from "./verify/afterUp";

/** The name of the StackReference through which the program reads its own last deployment. */
export const LAST_DEPLOYMENT = "last-deployment";

/** An output of the last deployment as JSON text ("" when there is none). */
async function lastOutput(self: pulumi.StackReference, name: string): Promise<string> {
    const details = await self.getOutputDetails(name);
    const value = details.value ?? details.secretValue;
    return value === undefined || value === null ? "" : JSON.stringify(value);
}

/** How the program runs; `pulumi up` gives no options. */
export interface StackOptions {
    /**
     * Run `verify.afterUp` when the configuration asks for it. Default true; `dualstack plan` turns
     * it off, since the cluster of an offline run is not real.
     */
    readonly verifyAfterUp?: boolean;
    /** How `verify.afterUp` reaches the cluster from its kubeconfig; default the official client. */
    readonly connect?: (kubeconfig: string) => VerifyApi;
}

/** Build the stack; returns its outputs. */
export async function defineStack(options: StackOptions = {}): Promise<Record<string, unknown>> {
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
    const outputs: Record<string, unknown> = {
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
    // The checks of `dualstack verify`, once Calico is deployed; only in an update, never in preview.
    if (loaded.config.verify.afterUp && options.verifyAfterUp !== false && !pulumi.runtime.isDryRun()) {
        outputs.verification = verifyAfterUp({
            stack,
            config: loaded.config,
            kubeconfig: cluster.kubeconfig,
            addressPlan: cluster.addressPlan,
            after: [cluster.calicoReleaseStatus, cluster.calicoPools],
            connect: options.connect,
        });
    }
    return outputs;
}
