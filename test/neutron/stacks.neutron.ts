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
    checkGateway,
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

/** Every check of a run, as one `it` each. */
function checkRun(current: () => NeutronRun, view: () => NeutronView): void {
    it("Neutron accepts every networking resource", () => {
        expectAgreement(current(), "Resources missing from Neutron", (r) => checkAccepted(r, view()));
    });

    it("the node subnets are as planned (ranges, IPv6 modes, DNS servers per family, on the router)", () => {
        expectAgreement(current(), "Node subnets differ from the plan", (r) => checkSubnets(r, view()));
    });

    it("each machine port has one address in each node subnet, its tags and its security groups", () => {
        expectAgreement(current(), "Machine ports", (r) => checkPortAddresses(r, view()));
    });

    it("kubeadm and cloud-init of each node carry the addresses Neutron allocated", () => {
        expectAgreement(current(), "User-data does not match Neutron", (r) => checkUserData(r, view()));
    });

    it("the floating IP is where the API endpoint needs it", () => {
        expectAgreement(current(), "Floating IP", (r) => checkFloatingIp(r, view()));
    });

    it("allowed-address-pairs read back from Neutron as planned", () => {
        expectAgreement(current(), "Allowed-address-pairs differ from the plan", (r) => checkAddressPairs(r, view()));
    });

    it("security-group rules read back from Neutron as planned, and nothing else", () => {
        expectAgreement(current(), "Security-group rules differ from the plan", (r) => checkRules(r, view()));
    });

    it("the access gateway: VIP ports, gateway ports, its floating IP and router routes as planned; its user-data names what Neutron allocated", () => {
        expectAgreement(current(), "The access gateway", (r) => checkGateway(r, view()));
    });
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

                checkRun(
                    () => run,
                    () => view,
                );
            });
        }
    }
});

describe("Neutron: variants the shipped stacks do not cover", function () {
    const dev = () => {
        const found = shippedStacks().find((s) => s.stack === "dev");
        if (found === undefined) throw new Error("stacks/Pulumi.dev.yaml is missing");
        return found;
    };

    describe("dev in an existing network with an existing router (found by name, as getNetwork and getRouter answer)", function () {
        let run: NeutronRun;
        let view: NeutronView;
        before(async function () {
            const { client, seeded } = suiteNeutron();
            const stack = "dev-existing-network";
            const project = `dualstack-${stack}`;
            // What a project's own network team set up beforehand.
            await client.create("networks", { name: "team-network" }, project);
            await client.create("routers", { name: "team-router", external_gateway_info: { network_id: seeded.externalNetworkId } }, project);
            const base = dev().config;
            const network = { ...(base["dualstack:network"] as Record<string, unknown>), existingNetwork: "team-network", existingRouter: "team-router" };
            run = await runAgainstNeutron(client, stack, { ...base, "dualstack:network": network }, "stacks/Pulumi.dev.yaml with network.existingNetwork and network.existingRouter");
            view = await readProject(run);
        });
        checkRun(
            () => run,
            () => view,
        );
        it("puts the subnets on the existing network and router", () => {
            const network = view.networks.find((n) => n.name === "team-network");
            const router = view.routers.find((r) => r.name === "team-router");
            assert.ok(network && router);
            assert.deepStrictEqual(view.networks.length, 1, "the program created a network");
            assert.deepStrictEqual(view.routers.length, 1, "the program created a router");
            for (const subnet of view.subnets) assert.strictEqual(subnet.network_id, network.id, String(subnet.cidr));
            const interfaces = view.ports.filter((p) => p.device_owner === "network:router_interface");
            assert.strictEqual(interfaces.length, view.subnets.length);
            for (const port of interfaces) assert.strictEqual(port.device_id, router.id);
        });
    });

    describe("dev with IP-in-IP over IPv4, VXLAN over IPv6 and dhcpv6-stateless", function () {
        let run: NeutronRun;
        let view: NeutronView;
        before(async function () {
            const base = dev().config;
            const config = {
                ...base,
                "dualstack:network": { ...(base["dualstack:network"] as Record<string, unknown>), ipv6AddressMode: "dhcpv6-stateless" },
                "dualstack:calico": { encapsulationIPv4: "IPIP", encapsulationIPv6: "VXLAN" },
            };
            run = await runAgainstNeutron(suiteNeutron().client, "dev-encapsulated", config, "stacks/Pulumi.dev.yaml with IPIP, VXLAN and dhcpv6-stateless");
            view = await readProject(run);
        });
        checkRun(
            () => run,
            () => view,
        );
        it("has no allowed-address-pairs (every pod packet is encapsulated) and an IP-in-IP rule Neutron stores as protocol 4", () => {
            for (const port of view.ports) assert.deepStrictEqual(port.allowed_address_pairs ?? [], [], String(port.name));
            assert.ok(view.rules.some((r) => r.protocol === "4" && r.ethertype === "IPv4"), "no IP-in-IP rule in Neutron");
            assert.ok(view.rules.some((r) => r.protocol === "udp" && r.port_range_min === 4789 && r.ethertype === "IPv6"), "no VXLAN rule over IPv6");
        });
    });
});
