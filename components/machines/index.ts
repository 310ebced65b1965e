/**
 * The cluster's machines: one NodePool per role/pool (server group, ports, instances with
 * per-node user-data, load-balancer members, the floating IP of a single control plane).
 */
export * from "./types";
export * from "./layout";
export * from "./nodePool";
