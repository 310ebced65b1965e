/**
 * Running the real program offline in tests. Each run installs its own offline cloud; the
 * suite's cloud is put back after each suite that uses this.
 */
import { installOfflineCloud, OfflineRunResult, RecordedResource, runOffline } from "../../components/offline";
import { defineStack } from "../../components/program";
import { cloud } from "./runtime";

/** Run the program for a stack's config map. */
export function runProgram(stack: string, config: Record<string, unknown>, previousOutputs?: Record<string, unknown>): Promise<OfflineRunResult> {
    return runOffline(defineStack, { stack, config, previousOutputs, realRsaKeys: false });
}

/** Mocha hook: reinstall the suite's cloud. */
export function restoreSuiteCloud(): Promise<void> {
    return installOfflineCloud(cloud, { project: "dualstack", stack: "test" });
}

/** Recorded resources of a type, by name. */
export function byName(resources: readonly RecordedResource[], type: string): Map<string, RecordedResource> {
    return new Map(resources.filter((r) => r.type === type).map((r) => [r.name, r]));
}
