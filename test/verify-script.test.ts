/**
 * The probe pod's script, run by /bin/sh with stand-ins for curl, dig, nc and sleep on PATH: the
 * commands it runs for each probe (exact arguments), its retries, and the log lines it prints,
 * read back with the parser `dualstack verify` uses.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseProbeLog, PROBE_SCRIPT } from "../components/verify";
import { tempDir } from "./support/cli";

/** Stand-in commands: each logs its arguments, then answers by them. */
const STUBS: Record<string, string> = {
    curl: `#!/bin/sh
echo "curl $*" >> "$CALLS"
case "$*" in
  *10.244.0.10*) printf 'dualstack-verify-server' ;;
  *169.254.169.254*|*fe80::a9fe:a9fe*) echo "curl: (28) Connection timed out after 5001 milliseconds" >&2; exit 28 ;;
  *) echo "curl: (7) Failed to connect" >&2; exit 7 ;;
esac
`,
    dig: `#!/bin/sh
echo "dig $*" >> "$CALLS"
count=$(cat "$STATE" 2>/dev/null || echo 0)
echo $((count + 1)) > "$STATE"
case "$*" in
  *" A") echo "10.96.0.100" ;;
  *" AAAA") [ "$count" -ge 2 ] && echo "fd00:96::64" ;;
esac
exit 0
`,
    nc: `#!/bin/sh
echo "nc $*" >> "$CALLS"
case "$*" in
  *192.0.2.10*) exit 0 ;;
  *) echo "nc: connect to $4 port $5 (tcp) timed out: Operation now in progress" >&2; exit 1 ;;
esac
`,
    sleep: `#!/bin/sh
echo "sleep $*" >> "$CALLS"
`,
};

describe("verify: the probe script", () => {
    const dir = tempDir("dualstack-probe-");
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs each probe against its literal target, retries failures, and prints one line per probe", () => {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
        const calls = path.join(dir, "calls");
        const probes = [
            "pod-to-pod/IPv4 http 3 http://10.244.0.10:8080/hostname",
            "dns/IPv4 A 3 dualstack-verify.ns.svc.cluster.local.",
            "dns/IPv6 AAAA 3 dualstack-verify.ns.svc.cluster.local.",
            "pod-to-pod/IPv6 http 2 http://[fd00:244::a]:8080/hostname",
            "egress/IPv4 tcp 2 192.0.2.10:443",
            "egress/IPv6 tcp 1 [2001:db8::10]:443",
            "metadata-blocked/IPv6 http 1 http://[fe80::a9fe:a9fe%25eth0]/",
        ].join("\n");
        const result = spawnSync("/bin/sh", ["-c", PROBE_SCRIPT], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: calls, STATE: path.join(dir, "dig-count"), DUALSTACK_PROBES: probes, DUALSTACK_PROBE_TIMEOUT: "4" },
        });
        assert.strictEqual(result.status, 0, result.stderr);
        assert.deepStrictEqual(fs.readFileSync(calls, "utf8").trim().split("\n"), [
            "curl -g -sS -m 4 http://10.244.0.10:8080/hostname",
            "dig +short +time=4 +tries=1 dualstack-verify.ns.svc.cluster.local. A",
            "dig +short +time=4 +tries=1 dualstack-verify.ns.svc.cluster.local. AAAA",
            "sleep 1",
            "dig +short +time=4 +tries=1 dualstack-verify.ns.svc.cluster.local. AAAA",
            "curl -g -sS -m 4 http://[fd00:244::a]:8080/hostname",
            "sleep 1",
            "curl -g -sS -m 4 http://[fd00:244::a]:8080/hostname",
            "nc -z -w 4 192.0.2.10 443",
            "nc -z -w 4 2001:db8::10 443",
            "curl -g -sS -m 4 http://[fe80::a9fe:a9fe%25eth0]/",
        ]);
        const parsed = parseProbeLog(result.stdout);
        assert.strictEqual(parsed.complete, true);
        assert.deepStrictEqual(parsed.results, [
            { id: "pod-to-pod/IPv4", exitCode: 0, attempts: 1, output: "dualstack-verify-server" },
            { id: "dns/IPv4", exitCode: 0, attempts: 1, output: "10.96.0.100" },
            { id: "dns/IPv6", exitCode: 0, attempts: 2, output: "fd00:96::64" },
            { id: "pod-to-pod/IPv6", exitCode: 7, attempts: 2, output: "curl: (7) Failed to connect" },
            { id: "egress/IPv4", exitCode: 0, attempts: 1, output: "" },
            { id: "egress/IPv6", exitCode: 1, attempts: 1, output: "nc: connect to 2001:db8::10 port 443 (tcp) timed out: Operation now in progress" },
            { id: "metadata-blocked/IPv6", exitCode: 28, attempts: 1, output: "curl: (28) Connection timed out after 5001 milliseconds" },
        ]);
    });

    it("with no probes it prints only the done line", () => {
        const result = spawnSync("/bin/sh", ["-c", PROBE_SCRIPT], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
        assert.strictEqual(result.status, 0);
        assert.strictEqual(result.stdout, "dualstack-verify-done\n");
    });
});
