/**
 * Calico: the tigera-operator Helm values from the address plan (pure), the pool history rule,
 * the metadata-blocking policy, and the `Calico` component.
 */
export * from "./values";
export * from "./pools";
export * from "./metadataPolicy";
export * from "./calico";
