/**
 * Address maths, the address plan and every validation rule. Pure code: no Pulumi resources.
 * Components, the policy pack and the CLI all use this module, so each rule exists once.
 */
export * from "./family";
export * from "./cidr";
export * from "./coverage";
export * from "./ula";
export * from "./capacity";
export * from "./findings";
export * from "./names";
export * from "./overlap";
export * from "./plan";
export * from "./validate";
export * from "./rules/cidr";
export * from "./rules/kubernetes";
export * from "./rules/versions";
export * from "./rules/calico";
export * from "./rules/neutron";
export * from "./rules/ranges";
export * from "./rules/security";
export * from "./rules/bounds";
export * from "./summary";
export * from "./rules/changes";
export * from "./rules/compute";
export * from "./hostPort";
