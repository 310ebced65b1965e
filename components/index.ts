/**
 * The dualstack component package: dual-stack (IPv4 + IPv6) Kubernetes clusters on
 * OpenStack. `Cluster` builds everything from the stack configuration; the lower-level
 * components (`Network`, `ApiEndpoint`, `NodePool`, `ClusterPki`, `BootstrapTokenSecret`)
 * compose into clusters of your own; `addressing` holds the address maths, the address plan
 * and every validation rule; `bootstrap` the kubeadm and cloud-init renderers; `verify` the
 * checks of a live cluster per family (`dualstack verify`, `verify.afterUp`).
 */
export * from "./cluster";
export * from "./network";
export * from "./endpoint";
export * from "./machines";
export * from "./pki";
export * from "./kubernetes";
export * from "./calico";
export * as addressing from "./addressing";
export * as bootstrap from "./bootstrap";
export * as config from "./config";
export * as offline from "./offline";
export * as verify from "./verify";
export { defineStack } from "./program";
