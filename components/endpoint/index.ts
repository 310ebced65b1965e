/**
 * The Kubernetes API endpoint: a floating IP (one control plane) or an Octavia load
 * balancer per node family (two or more).
 */
export * from "./types";
export * from "./endpoint";
