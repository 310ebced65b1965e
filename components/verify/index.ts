/**
 * `dualstack verify`: prove each IP family of a live cluster works on its own, through the Kubernetes API.
 */
export * from "./types";
export * from "./expectations";
export * from "./checks";
export * from "./probes";
export * from "./manifests";
export * from "./facts";
export * from "./kubernetesApi";
export * from "./run";
export * from "./afterUp";
