/**
 * The Neutron suite's own machinery: the server runs as this process's children on loopback
 * and is stopped by pid (never by name); a server that does not come up is reported with its
 * log; a resource Neutron refuses is reported with Neutron's text, the resource and the stack.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as openstack from "@pulumi/openstack";
import { runOffline } from "../../components/offline/run";
import { suiteNeutron } from "./hooks";
import { NeutronCloud } from "./cloud";
import { failureReport, NeutronRun } from "./runs";
import { descendantsOf, NeutronStartError, startNeutron } from "./server";

/** The command line of a process, or undefined when it is gone. */
function commandLine(pid: number): string | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
    } catch {
        return undefined;
    }
}

describe("Neutron suite harness", function () {
    it("runs neutron-server and its workers as children of this process, on a loopback port", async () => {
        const { server, client } = suiteNeutron();
        assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v2\.0$/);
        assert.ok(descendantsOf(process.pid).includes(server.pid), "the server is not a child of the test process");
        const workers = descendantsOf(server.pid);
        assert.ok(workers.length >= 1, "neutron-server forked no workers");
        for (const pid of [server.pid, ...workers]) assert.match(commandLine(pid) ?? "", /neutron-server/, `process ${pid}`);
        const networks = await client.list("networks", { name: "public" });
        assert.strictEqual(networks.length, 1);
    });

    it("stops exactly the processes it started: a second server goes away, the suite's server keeps answering", async () => {
        const second = await startNeutron();
        const pids = [second.pid, ...descendantsOf(second.pid)];
        assert.ok(pids.length >= 2, "the second server has no workers");
        await second.stop();
        // Gone, or a zombie (whose command line is empty) until its parent reaps it.
        assert.deepStrictEqual(pids.filter((pid) => (commandLine(pid) ?? "").includes("neutron-server")), []);
        assert.ok(!fs.existsSync(second.dir), "the temporary directory is left behind");
        const { client } = suiteNeutron();
        assert.strictEqual((await client.list("networks", { name: "public" })).length, 1, "the suite's server stopped answering");
    });

    it("a server that does not come up fails with the reason and the last lines of its log", async () => {
        let failure: unknown;
        try {
            const server = await startNeutron({ extraConfig: "[quotas]\nquota_driver = neutron.no.such.QuotaDriver\n" });
            await server.stop();
        } catch (e) {
            failure = e;
        }
        assert.ok(failure instanceof NeutronStartError, `expected a start failure, got ${String(failure)}`);
        try {
            assert.match(failure.message, /neutron-server exited .* before it answered/);
            assert.match(failure.message, /Last lines of .*server\.log:/);
            assert.match(failure.message, /No module named 'neutron\.no'/);
            assert.ok(fs.existsSync(failure.logFile), "the log is kept for inspection");
        } finally {
            fs.rmSync(failure.dir, { recursive: true, force: true });
        }
    });

    it("a resource Neutron refuses is reported with Neutron's text, the resource and the stack", async () => {
        const { client } = suiteNeutron();
        const stack = "refusal-report";
        const cloud = new NeutronCloud(client, { stack, project: `dualstack-${stack}`, realRsaKeys: false });
        // A subnet our rules would refuse, created directly, as a program without them could.
        const program = () => {
            const network = new openstack.networking.Network("demo-network", { name: "demo" });
            const subnet = new openstack.networking.Subnet("demo-subnet", {
                networkId: network.id,
                ipVersion: 6,
                cidr: "fd00:99::/80",
                ipv6AddressMode: "slaac",
                ipv6RaMode: "slaac",
            });
            return { subnetId: subnet.id };
        };
        const result = await runOffline(program, { stack, config: {}, realRsaKeys: false }, cloud);
        const run: NeutronRun = { stack, origin: "a demonstration program", config: {}, project: cloud.project, cloud, result };
        assert.strictEqual(cloud.refusals.length, 1);
        const report = failureReport(run);
        assert.ok(report !== undefined, "no failure report");
        for (const text of [
            "stack refusal-report",
            'openstack:networking/subnet:Subnet "demo-subnet"',
            "HTTP 400 InvalidInput",
            "Invalid CIDR fd00:99::/80 for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64",
            "POST subnets",
        ]) {
            assert.ok(report.includes(text), `the report does not show ${text}:\n${report}`);
        }
        // The network was accepted; only the subnet is reported.
        assert.strictEqual((await client.list("networks", { tenant_id: cloud.project })).length, 1);
        assert.ok(!report.includes("demo-network"), report);
    });
});
