/**
 * The one mock runtime of the test run: an OfflineCloud installed before any test, reset
 * between tests. Tests import `cloud` to read what was registered, and `valueOf` to read an
 * Output.
 */
import * as pulumi from "@pulumi/pulumi";
import { installOfflineCloud, OfflineCloud, settle } from "../../components/offline";

export const cloud = new OfflineCloud({ stack: "test", realRsaKeys: false });

/** Mocha root hooks (loaded with --require). */
export const mochaHooks = {
    async beforeAll(): Promise<void> {
        await installOfflineCloud(cloud, { project: "dualstack", stack: "test" });
    },
    beforeEach(): void {
        cloud.reset();
    },
};

/** The value of an Output (or plain value), once known. */
export function valueOf<T>(input: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(input).apply((v) => resolve(v as T)));
}

/** Whether an Output is secret. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** Wait for all registrations to finish. */
export { settle };
