/**
 * The access gateway's scripts, run in bash with the system commands they call (ip,
 * systemctl, wg, apt-get, sysctl, ...) replaced by recording stubs. Paths point into a
 * temporary directory; nothing on this machine is touched.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { GATEWAY_CHECK_SCRIPT, GATEWAY_NOTIFY_SCRIPT, GATEWAY_SETUP_SCRIPT, gatewayEnvironment } from "../components/gateway";
import { testGateway, testMachine } from "./fixtures/gateway";
import { BashRun, removeBashDirs, runBash } from "./support/bash";

/** Run `body` after `setup`, with `script` (its environment file's path moved into the directory) and `files` in a temporary directory. */
function runScript(script: string, body: string, setup = "", files: Record<string, string> = {}): BashRun {
    return runBash("dualstack-gateway-", { ...files }, (dir) => {
        // The check script has no main: it is run as a whole, so its settings' path is moved.
        fs.writeFileSync(path.join(dir, "script.sh"), script.replace(/\/etc\/dualstack\/gateway\.env/g, `${dir}/gateway.env`));
        return `${setup}\n${body}\n`;
    });
}

const STUBS = `ip() { record ip "$@"; }
systemctl() { record systemctl "$@"; }
logger() { record logger "$@"; }`;

function notify(state: string, mode: "dual-stack" | "ipv4-only" = "dual-stack"): BashRun {
    const env = gatewayEnvironment(testGateway(mode), testMachine(mode));
    return runScript(
        GATEWAY_NOTIFY_SCRIPT,
        `source "$T/script.sh"\nENVIRONMENT_FILE="$T/gateway.env"\nINTERFACE_FILE="$T/interface.env"\nmain ${state}`,
        STUBS,
        { "gateway.env": env, "interface.env": "INTERFACE=ens3\n" },
    );
}

describe("gateway: scripts' behaviour", () => {
    after(removeBashDirs);

    it("MASTER: routes the client ranges into wg0 and starts radvd", () => {
        const run = notify("MASTER");
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls, [
            "logger -t dualstack-gateway VRRP state MASTER",
            "ip route replace 10.43.0.0/24 dev wg0",
            "ip route replace fd00:40:0:c000::/64 dev wg0",
            "systemctl start radvd",
        ]);
    });

    for (const state of ["BACKUP", "FAULT", "STOP"]) {
        it(`${state}: routes the client ranges through the VIPs (to the gateway that holds them) and stops radvd`, () => {
            const run = notify(state);
            assert.strictEqual(run.status, 0, run.log);
            assert.deepStrictEqual(run.calls, [
                `logger -t dualstack-gateway VRRP state ${state}`,
                "ip route replace 10.43.0.0/24 via 10.40.0.2 dev ens3",
                "ip route replace fd00:40:0:c000::/64 via fd00:40::2 dev ens3",
                "systemctl stop radvd",
            ]);
        });
    }

    it("IPv4-only: routes, and no radvd", () => {
        assert.deepStrictEqual(notify("MASTER", "ipv4-only").calls.slice(1), ["ip route replace 10.43.0.0/24 dev wg0"]);
        assert.deepStrictEqual(notify("BACKUP", "ipv4-only").calls.slice(1), ["ip route replace 10.43.0.0/24 via 10.40.0.2 dev ens3"]);
    });

    it("the health check passes while WireGuard listens on the port, and fails otherwise", () => {
        const env = { "gateway.env": gatewayEnvironment(testGateway("dual-stack"), testMachine("dual-stack")) };
        // wg is looked up on PATH: give the script one that answers.
        const withWg = (port: string) =>
            runScript(GATEWAY_CHECK_SCRIPT, `mkdir -p "$T/bin" && printf '#!/bin/sh\\necho ${port}\\n' >"$T/bin/wg" && chmod +x "$T/bin/wg" && PATH="$T/bin:$PATH" bash "$T/script.sh"`, "", env);
        assert.strictEqual(withWg("51820").status, 0);
        assert.notStrictEqual(withWg("51821").status, 0);
        assert.notStrictEqual(withWg("").status, 0);
    });

    it("setup: finds the interface, keeps router advertisements, then sysctls, packages, radvd off, the configs, WireGuard and keepalived", () => {
        const env = gatewayEnvironment(testGateway("dual-stack"), testMachine("dual-stack"));
        const setup = `source "$T/script.sh"
ENVIRONMENT_FILE="$T/gateway.env"
INTERFACE_FILE="$T/interface.env"
STATE_DIR="$T/state"
DONE_MARKER="$T/state/gateway.done"
KEEPALIVED_TEMPLATE="$T/keepalived.conf.in"
KEEPALIVED_CONFIG="$T/keepalived/keepalived.conf"
RADVD_TEMPLATE="$T/radvd.conf.in"
RADVD_CONFIG="$T/radvd.conf"
node_interface() { echo ens3; }
keep_router_advertisements() { record keep_router_advertisements; }
sysctl() { record sysctl "$@"; }
apt-get() { record apt-get "$@"; }
${STUBS}`;
        const run = runScript(GATEWAY_SETUP_SCRIPT, "main", setup, {
            "gateway.env": env,
            "keepalived.conf.in": "interface @NODE_INTERFACE@\n",
            "radvd.conf.in": "interface @NODE_INTERFACE@ {\n",
        });
        assert.strictEqual(run.status, 0, run.log);
        const apt = "apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef";
        assert.deepStrictEqual(run.calls, [
            "keep_router_advertisements",
            "sysctl -q --system",
            `${apt} update`,
            `${apt} install wireguard-tools keepalived radvd`,
            "systemctl disable --now radvd",
            "systemctl enable --now wg-quick@wg0",
            "systemctl enable keepalived",
            "systemctl restart keepalived",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(run.dir, "keepalived", "keepalived.conf"), "utf8"), "interface ens3\n");
        assert.strictEqual(fs.readFileSync(path.join(run.dir, "radvd.conf"), "utf8"), "interface ens3 {\n");
        assert.strictEqual(fs.readFileSync(path.join(run.dir, "interface.env"), "utf8"), "INTERFACE=ens3\n");
        assert.ok(fs.existsSync(path.join(run.dir, "state", "gateway.done")));
    });

    it("setup without an IPv6 client range installs no radvd and leaves it alone", () => {
        const env = gatewayEnvironment(testGateway("ipv4-only"), testMachine("ipv4-only"));
        const run = runScript(
            GATEWAY_SETUP_SCRIPT,
            "main",
            `source "$T/script.sh"
ENVIRONMENT_FILE="$T/gateway.env"; INTERFACE_FILE="$T/interface.env"; STATE_DIR="$T/state"; DONE_MARKER="$T/state/done"
KEEPALIVED_TEMPLATE="$T/keepalived.conf.in"; KEEPALIVED_CONFIG="$T/keepalived.conf"
node_interface() { echo ens3; }\nsysctl() { record sysctl "$@"; }\napt-get() { record apt-get "$@"; }\n${STUBS}`,
            { "gateway.env": env, "keepalived.conf.in": "interface @NODE_INTERFACE@\n" },
        );
        assert.strictEqual(run.status, 0, run.log);
        assert.ok(run.calls.some((c) => c.endsWith("install wireguard-tools keepalived")), run.calls.join("\n"));
        assert.ok(!run.calls.some((c) => c.includes("radvd")), run.calls.join("\n"));
    });
});
