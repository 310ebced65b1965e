/**
 * Cluster PKI and bootstrap tokens: the ClusterPki component, the long-lived join token's
 * Secret, and the pure pieces (discovery hash, kubeconfig).
 */
export * from "./hash";
export * from "./kubeconfig";
export * from "./clusterPki";
export * from "./bootstrapToken";
