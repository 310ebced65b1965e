/**
 * The Kubernetes API of a new cluster: the readiness wait and the `ClusterApi` component.
 */
export * from "./readiness";
export * from "./readinessCommand";
export * from "./clusterApi";
