/**
 * The cluster's Neutron network: node subnets per family, router, security groups. The
 * security-group rule set is a pure function (`securityGroupRules`).
 */
export * from "./types";
export * from "./args";
export * from "./rules";
export * from "./layout";
export * from "./network";
