/**
 * Offline stand-in cloud for Pulumi's mock runtime: used by `dualstack plan`, the tests and
 * the benchmarks.
 */
export * from "./cloud";
export * from "./install";
export * from "./run";
export * from "./redact";
