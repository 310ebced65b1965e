/**
 * Every shipped stack, in each family mode, run through the real program with a real Neutron
 * behind the networking resources: Neutron must accept every resource, and what it allocated
 * (subnet ranges, fixed IPs, the floating IP) must be what the machines' kubeadm
 * configuration and cloud-init carry; allowed-address-pairs and security-group rules read
 * back from Neutron must be the planned ones.
 *
 * Run: npm run test:neutron (see docs/testing.md).
 */
import * as assert from "assert";
import { suiteNeutron } from "./hooks";
import {
    checkAccepted,
    checkAddressPairs,
    checkFloatingIp,
    checkPortAddresses,
    checkRules,
    checkSubnets,
    checkUserData,
    NeutronView,
    readProject,
} from "./readback";
import { deriveMode, FAMILY_MODES, failureReport, modeOf, NeutronRun, runAgainstNeutron, shippedStacks } from "./runs";

/** Fail with every difference, naming the stack and where its configuration comes from. */
function expectAgreement(run: NeutronRun, what: string, check: (run: NeutronRun) => string[]): void {
    // A run that failed has nothing to compare: show why it failed instead.
    const report = failureReport(run);
    if (report !== undefined) assert.fail(report);
    const problems = check(run);
    if (problems.length > 0) {
        assert.fail(`${what} for stack ${run.stack} (${run.origin}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

describe("Neutron: every shipped stack in every family mode", function () {
    const stacks = shippedStacks();

    it("finds the shipped stacks", () => {
        assert.ok(stacks.length >= 4, `stacks/ holds ${stacks.length} stack files`);
    });

    for (const stackFile of stacks) {
        const shippedMode = modeOf(stackFile.config);
        for (const mode of FAMILY_MODES) {
            const shipped = mode.id === shippedMode.id;
            const stack = shipped ? stackFile.stack : `${stackFile.stack}-${mode.id}`;
            const origin = shipped ? `${stackFile.file} as shipped, ${mode.title}` : `${stackFile.file} made ${mode.title}`;

            describe(`${stackFile.file} ${mode.title}${shipped ? " (as shipped)" : ""}`, function () {
                let run: NeutronRun;
                let view: NeutronView;

                before(async function () {
                    const config = shipped ? stackFile.config : deriveMode(stackFile.config, mode);
                    run = await runAgainstNeutron(suiteNeutron().client, stack, config, origin);
                    view = await readProject(run);
                });

                it("Neutron accepts every networking resource", () => {
                    expectAgreement(run, "Resources missing from Neutron", (r) => checkAccepted(r, view));
                });

                it("the node subnets are as planned (ranges, IPv6 modes, DNS servers per family, on the router)", () => {
                    expectAgreement(run, "Node subnets differ from the plan", (r) => checkSubnets(r, view));
                });

                it("each machine port has one address in each node subnet, its tags and its security groups", () => {
                    expectAgreement(run, "Machine ports", (r) => checkPortAddresses(r, view));
                });

                it("kubeadm and cloud-init of each node carry the addresses Neutron allocated", () => {
                    expectAgreement(run, "User-data does not match Neutron", (r) => checkUserData(r, view));
                });

                it("the floating IP is where the API endpoint needs it", () => {
                    expectAgreement(run, "Floating IP", (r) => checkFloatingIp(r, view));
                });

                it("allowed-address-pairs read back from Neutron as planned", () => {
                    expectAgreement(run, "Allowed-address-pairs differ from the plan", (r) => checkAddressPairs(r, view));
                });

                it("security-group rules read back from Neutron as planned, and nothing else", () => {
                    expectAgreement(run, "Security-group rules differ from the plan", (r) => checkRules(r, view));
                });
            });
        }
    }
});
