/**
 * The Cluster component: the whole dual-stack cluster from the stack configuration.
 */
export * from "./configArgs";
export * from "./cluster";
