/**
 * `verify.afterUp`: the checks of `dualstack verify` as the last step of `pulumi up`. It lives in
 * the program (Node.js), not in the Cluster component, so that the component stays usable from
 * other languages: no dynamic resource, only an Output that the update waits for, and that fails
 * the update (a `RunError`) when a family is broken.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlanSummary } from "../addressing/summary";
import { ClusterConfig } from "../config/types";
import { expectationsFromPlan } from "./expectations";
import { connectKubernetes, VerifyApi, VerifyUnavailableError } from "./kubernetesApi";
import { describeFailures, runVerify, verificationPassed, VerifyOptions } from "./run";
import { CheckResult, CleanupResult } from "./types";

/** The `verification` stack output: what the checks saw. */
export interface VerificationSummary {
    readonly passed: number;
    readonly failed: number;
    readonly skipped: number;
    readonly namespace: CleanupResult;
    readonly checks: readonly CheckResult[];
}

/** What the verification waits for and reads. */
export interface AfterUpArgs {
    /** The stack's name, for messages. */
    readonly stack: string;
    readonly config: ClusterConfig;
    /** The admin kubeconfig (secret; it stays in this process). */
    readonly kubeconfig: pulumi.Input<string>;
    /** The Cluster's `addressPlan` output (with the stack's real ULA ID). */
    readonly addressPlan: pulumi.Input<PlanSummary>;
    /** Values whose resolution means the deployment is done: Calico's release status and pools. */
    readonly after: readonly pulumi.Input<unknown>[];
    /** How to reach the cluster from its kubeconfig; default the official client. */
    readonly connect?: (kubeconfig: string) => VerifyApi;
    /** Extra run options (tests: a clock, a poll interval). */
    readonly runOptions?: Partial<Omit<VerifyOptions, "expect">>;
}

/**
 * Verify the cluster once every value in `after` is known. Resolves with the summary; rejects with a
 * RunError listing each failed check (or why the cluster could not be verified), which fails the
 * update. The test namespace is deleted either way.
 */
export function verifyAfterUp(args: AfterUpArgs): pulumi.Output<VerificationSummary> {
    const connect = args.connect ?? ((kubeconfig: string) => connectKubernetes({ text: kubeconfig }));
    const settings = args.config.verify;
    const result = pulumi.all([args.kubeconfig, args.addressPlan, ...args.after]).apply(async ([kubeconfig, plan]) => {
        const basis = `stack ${args.stack} (its address plan)`;
        let report;
        try {
            report = await runVerify(connect(kubeconfig as string), {
                expect: () => expectationsFromPlan(plan as PlanSummary, args.config, basis),
                image: settings.image,
                egressTargets: settings.egressTargets,
                timeoutSeconds: settings.timeoutSeconds,
                waitForNodes: true,
                ...args.runOptions,
            });
        } catch (e) {
            if (e instanceof VerifyUnavailableError) {
                throw new pulumi.RunError(`dualstack:verify.afterUp: stack ${args.stack} could not be verified: ${e.message}`);
            }
            throw e;
        }
        const count = (outcome: string) => report.results.filter((r) => r.result === outcome).length;
        if (!verificationPassed(report.results)) {
            const failures = describeFailures(report.results);
            throw new pulumi.RunError(
                `dualstack:verify.afterUp: ${failures.length} check${failures.length === 1 ? "" : "s"} failed on stack ${args.stack} ` +
                    `(dualstack verify --stack ${args.stack} runs them again):\n${failures.map((f) => `  - ${f}`).join("\n")}`,
            );
        }
        const summary: VerificationSummary = {
            passed: count("pass"),
            failed: 0,
            skipped: count("skip"),
            namespace: report.cleanup,
            checks: report.results,
        };
        return summary;
    });
    // The summary holds addresses and check results only; the kubeconfig it was made with is not in it.
    return pulumi.unsecret(result);
}
