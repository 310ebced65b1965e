/**
 * A real Neutron API server for the Neutron suite: Debian's `neutron-server` (OpenStack
 * Neutron 2023.1) on a free loopback port, in a temporary directory, with no Keystone, no
 * message broker and no agents:
 *
 * - the SQLite schema is created from Neutron's own models (its alembic migrations do not run
 *   on SQLite) with Debian's Python, `/usr/bin/python3` (another python3 may come first on PATH);
 * - `auth_strategy = noauth` (every request is an admin request; bodies carry `tenant_id`),
 *   `transport_url = fake:/`, ML2 with no mechanism drivers (ports stay DOWN), the router
 *   service plugin, and a flat physical network `public` for the external network.
 *
 * `startNeutron()` installs the package when it is missing (apt-get, as root), waits for the
 * API with a bound, and returns a handle whose `stop()` ends exactly the processes it started:
 * the server and its worker processes, found by parent pid, never by name.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** The Debian package and the files the harness uses from it. */
export const NEUTRON_PACKAGE = "neutron-server";
const NEUTRON_SERVER = "/usr/bin/neutron-server";
/** Debian's Python, which has Neutron's modules. */
const DEBIAN_PYTHON = "/usr/bin/python3";
const API_PASTE = "/etc/neutron/api-paste.ini";

/** How long the server may take to answer its first request. */
const START_TIMEOUT_MS = Number(process.env.NEUTRON_START_TIMEOUT_MS ?? 120_000);
/** Keep the directory (configuration, database, server log) after stopping, to debug. */
const KEEP_DIR = process.env.NEUTRON_KEEP_DIR === "1";
/** How long the processes get to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/** A running server. */
export interface NeutronServer {
    /** Base URL of the API, e.g. `http://127.0.0.1:41234/v2.0`. */
    readonly url: string;
    /** Pid of the `neutron-server` process the harness started. */
    readonly pid: number;
    /** The temporary directory (configuration, database, log). */
    readonly dir: string;
    readonly logFile: string;
    /** The last lines of the server log, for error messages. */
    logTail(lines?: number): string;
    /** Stop the server and its workers (by pid) and remove the directory. Idempotent. */
    stop(): Promise<void>;
}

/** The server did not come up; the directory (with the whole log) is kept for inspection. */
export class NeutronStartError extends Error {
    constructor(
        message: string,
        readonly dir: string,
        readonly logFile: string,
    ) {
        super(message);
        this.name = "NeutronStartError";
    }
}

function run(command: string, args: string[], timeoutMs: number): { status: number; output: string } {
    const result = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    if (result.error) return { status: -1, output: String(result.error.message) };
    return { status: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

function packageInstalled(): boolean {
    const query = run("dpkg-query", ["-W", "-f=${Status}", NEUTRON_PACKAGE], 30_000);
    return query.status === 0 && query.output.includes("install ok installed") && fs.existsSync(NEUTRON_SERVER);
}

const INSTALL_HINT =
    `Install it as root and run the suite again:\n` +
    `  apt-get update && apt-get install -y --no-install-recommends ${NEUTRON_PACKAGE}\n` +
    `(Debian 12 packages OpenStack Neutron 2023.1; the install takes about a minute.)`;

/**
 * Install `neutron-server` from Debian when it is missing. Needs root (or password-less sudo);
 * otherwise throws with the command to run.
 */
export function ensureNeutronInstalled(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
    if (packageInstalled()) return;
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    const sudo = !root && run("sudo", ["-n", "true"], 10_000).status === 0;
    if (!root && !sudo) {
        throw new Error(`The Neutron suite needs Debian's ${NEUTRON_PACKAGE}, which is not installed, and this process is not root. ${INSTALL_HINT}`);
    }
    // `env` sets the variable for apt-get also under sudo, which resets the environment.
    const asRoot = (args: string[]) => {
        const command = ["env", "DEBIAN_FRONTEND=noninteractive", ...args];
        return root ? run(command[0], command.slice(1), 600_000) : run("sudo", ["-n", ...command], 600_000);
    };
    const install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", NEUTRON_PACKAGE];
    log(`Neutron suite: ${install.join(" ")}`);
    let result = asRoot(install);
    if (result.status !== 0) {
        log("Neutron suite: apt-get update, then install again");
        asRoot(["apt-get", "update", "-q"]);
        result = asRoot(install);
    }
    if (result.status !== 0 || !packageInstalled()) {
        throw new Error(`Installing ${NEUTRON_PACKAGE} failed (exit ${result.status}):\n${tail(result.output, 30)}\n${INSTALL_HINT}`);
    }
}

function tail(text: string, lines: number): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.once("error", reject);
        probe.listen(0, "127.0.0.1", () => {
            const address = probe.address();
            probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

function neutronConf(dir: string, port: number): string {
    return `[DEFAULT]
auth_strategy = noauth
core_plugin = ml2
service_plugins = router
bind_host = 127.0.0.1
bind_port = ${port}
transport_url = fake:/
api_paste_config = ${API_PASTE}
state_path = ${dir}/state
allow_overlapping_ips = true
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
use_stderr = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[quotas]
quota_driver = neutron.db.quota.driver_null.DbQuotaDriverNull
[database]
connection = sqlite:///${dir}/neutron.sqlite
sqlite_synchronous = false
[oslo_concurrency]
lock_path = ${dir}/lock
`;
}

const ML2_INI = `[ml2]
type_drivers = local,flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers =
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:1000
[ml2_type_flat]
flat_networks = public
`;

/**
 * Neutron's alembic migrations do not run on SQLite: create the schema from its models. The
 * database uses SQLite's write-ahead log, so that a request reading never waits for one
 * writing: Neutron's green threads cannot wait for each other's SQLite locks (the wait blocks
 * the whole process), and would fail with "database is locked".
 */
const CREATE_SCHEMA = `
import sys
from neutron.db.migration.models import head
from sqlalchemy import create_engine
engine = create_engine("sqlite:///" + sys.argv[1])
head.get_metadata().create_all(engine)
with engine.connect() as connection:
    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
`;

/** Parent pid of a process, from /proc; undefined when it is gone. */
function parentOf(pid: number): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name (in parentheses) may hold spaces: the fields after it start at the last ')'.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return fields[0] === "Z" ? undefined : Number(fields[1]);
    } catch {
        return undefined;
    }
}

/** Every live descendant of `pid` (children, their children, ...), from /proc. */
export function descendantsOf(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const parent = parentOf(Number(entry));
        if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    }
    const found: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
        for (const child of children.get(queue.shift() as number) ?? []) {
            found.push(child);
            queue.push(child);
        }
    }
    return found;
}

function alive(pid: number): boolean {
    return parentOf(pid) !== undefined;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
    for (const pid of pids) {
        try {
            process.kill(pid, sig);
        } catch {
            // already gone
        }
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until the API answers, the process exits, or the bound passes. */
async function waitForApi(url: string, child: ChildProcess, exited: () => boolean): Promise<string | undefined> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = "no answer yet";
    while (Date.now() < deadline) {
        if (exited()) return `neutron-server exited (code ${child.exitCode}, signal ${child.signalCode}) before it answered`;
        try {
            const response = await fetch(`${url}/networks?limit=1`, { signal: AbortSignal.timeout(5_000) });
            if (response.ok) return undefined;
            last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
        } catch (e) {
            last = e instanceof Error ? e.message : String(e);
        }
        await sleep(250);
    }
    return `neutron-server did not answer ${url}/networks within ${START_TIMEOUT_MS / 1000} s (last: ${last})`;
}

export interface StartOptions {
    /** Lines appended to neutron.conf (later settings win), e.g. to test a server that fails to start. */
    readonly extraConfig?: string;
}

/** Start a Neutron API server; see the module comment. */
export async function startNeutron(options: StartOptions = {}): Promise<NeutronServer> {
    ensureNeutronInstalled();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-neutron-"));
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "lock"));
    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}/v2.0`;
    const logFile = path.join(dir, "server.log");
    fs.writeFileSync(path.join(dir, "neutron.conf"), `${neutronConf(dir, port)}${options.extraConfig ?? ""}`);
    fs.writeFileSync(path.join(dir, "ml2.ini"), ML2_INI);
    const logTail = (lines = 40) => (fs.existsSync(logFile) ? tail(fs.readFileSync(logFile, "utf8"), lines) : "(no log)");

    const schema = run(DEBIAN_PYTHON, ["-c", CREATE_SCHEMA, path.join(dir, "neutron.sqlite")], 180_000);
    if (schema.status !== 0) {
        throw new Error(
            `Creating Neutron's SQLite schema with ${DEBIAN_PYTHON} failed (exit ${schema.status}); ` +
                `is ${NEUTRON_PACKAGE} installed for Debian's Python?\n${tail(schema.output, 30)}\n(directory kept: ${dir})`,
        );
    }

    const logFd = fs.openSync(logFile, "a");
    const child = spawn(NEUTRON_SERVER, ["--config-file", path.join(dir, "neutron.conf"), "--config-file", path.join(dir, "ml2.ini")], {
        cwd: dir,
        stdio: ["ignore", logFd, logFd],
    });
    fs.closeSync(logFd);
    if (child.pid === undefined) throw new Error(`Could not start ${NEUTRON_SERVER} (log: ${logFile})`);
    const pid = child.pid;
    let exited = false;
    child.once("exit", () => (exited = true));

    // Processes known to be ours: the server and every worker it forked. Refreshed while it
    // runs, so that a last-resort kill at process exit still knows the workers.
    let ours: number[] = [pid];
    const refresh = () => {
        if (!exited) ours = [pid, ...descendantsOf(pid)];
    };
    // Last resort when this process exits or is told to stop without the suite's hooks running.
    const killNow = () => {
        signal(ours.filter(alive), "SIGKILL");
        if (!KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true });
    };
    const onSignal = (sig: NodeJS.Signals) => {
        refresh();
        killNow();
        process.exit(sig === "SIGINT" ? 130 : 143);
    };
    process.on("exit", killNow);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);

    let stopped: Promise<void> | undefined;
    const stop = (keepDir = false): Promise<void> =>
        (stopped ??= (async () => {
            refresh();
            const pids = ours;
            signal(pids, "SIGTERM");
            const deadline = Date.now() + STOP_GRACE_MS;
            while (pids.some(alive) && Date.now() < deadline) await sleep(100);
            signal(pids.filter(alive), "SIGKILL");
            while (pids.some(alive)) await sleep(50);
            process.off("exit", killNow);
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
            if (!keepDir && !KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true });
        })());

    const problem = await waitForApi(url, child, () => exited);
    if (problem !== undefined) {
        const log = logTail();
        await stop(true);
        throw new NeutronStartError(`${problem}.\nLast lines of ${logFile}:\n${log}`, dir, logFile);
    }
    refresh();
    return { url, pid, dir, logFile, logTail, stop: () => stop(false) };
}
