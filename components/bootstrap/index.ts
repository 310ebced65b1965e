/**
 * Node bootstrap: kubeadm `v1beta4` configuration and cloud-init user-data, rendered by pure
 * functions from the cluster's facts (`ClusterBootstrap`) and one node's (`NodeFacts`).
 */
import { throwOnErrors } from "../addressing/findings";
import { renderCloudConfig } from "./cloudinit";
import { encodeUserDataForNova, NovaUserData } from "./encoding";
import { checkUserDataSize } from "./rules";
import { ClusterBootstrap, NodeFacts } from "./types";

export * from "./types";
export * from "./inputs";
export * from "./kubeadm";
export * from "./cloudinit";
export * from "./encoding";
export * from "./rules";
export * from "./build";
export * from "./standIn";
export { BOOTSTRAP_SCRIPT, BOOTSTRAP_UNIT, NODE_PATHS } from "./script";

/**
 * The `#cloud-config` user-data of one node, as text. Carries secrets: keep it in
 * `pulumi.secret`. Throws BootstrapInputError on inputs it cannot render.
 */
export function renderNodeUserData(cluster: ClusterBootstrap, node: NodeFacts): string {
    return renderCloudConfig(cluster, node);
}

/**
 * The user-data of one node, encoded for Nova (plain, or gzip + base64 when the plain text
 * would be too large). Throws InvalidPlanError (rule `user-data-too-large`) when even the
 * compressed form is over Nova's limit. `path` names the property in the finding.
 */
export function renderNovaUserData(cluster: ClusterBootstrap, node: NodeFacts, path = "userData"): NovaUserData {
    const encoded = encodeUserDataForNova(renderNodeUserData(cluster, node));
    throwOnErrors(checkUserDataSize(encoded, path, node.name), `the user-data of node ${node.name}`);
    return encoded;
}
