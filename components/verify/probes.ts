/**
 * Traffic checks run inside the cluster by a probe pod whose own command does the probing: a
 * fixed shell script reads the probes from an environment variable, runs each with curl, dig or
 * nc against a literal address of one family (never a name that could fall back to the other),
 * and prints one line per probe to its log. Here: the probes to run, the script, reading its log
 * back, and judging each result. Pure functions.
 */
import { familyFacts, IpFamily } from "../addressing/family";
import { key } from "../config/keys";
import { addressOf, listOf, row, sameAddress } from "./checks";
import { CheckResult, EgressTarget, FamilyExpectation, Outcome, PodFacts, ServiceFacts } from "./types";

/** The checks a probe serves. */
export type ProbeCheck = "pod-to-pod" | "pod-to-service" | "dns" | "node-port" | "egress" | "metadata-blocked";

/** What a passing probe shows. */
export type ProbeExpectation =
    | { readonly kind: "answer"; readonly text: string }
    | { readonly kind: "address"; readonly address: string }
    | { readonly kind: "connect" }
    | { readonly kind: "blocked" };

/** One probe: a command of the script against one target of one family. */
export interface Probe {
    /** `<check>/<family>`: how the log line names it. */
    readonly id: string;
    readonly check: ProbeCheck;
    readonly family: IpFamily;
    /** `http` (curl GET), `A` / `AAAA` (dig through the pod's resolver), `tcp` (nc connect). */
    readonly kind: "http" | "A" | "AAAA" | "tcp";
    /** A URL with a literal address, a DNS name, or `address:port` (`[v6]:port`). */
    readonly target: string;
    /** Attempts, one second apart, until one succeeds (covers kube-proxy and DNS catching up). */
    readonly tries: number;
    readonly expect: ProbeExpectation;
    /** What the target is, for the report. */
    readonly what: string;
}

/** What the script printed for one probe. */
export interface ProbeResult {
    readonly id: string;
    readonly exitCode: number;
    readonly attempts: number;
    readonly output: string;
}

/** The start of each result line. */
export const RESULT_MARK = "dualstack-verify";
/** The last line, printed when every probe ran. */
export const DONE_MARK = "dualstack-verify-done";
/** Environment variables of the probe pod. */
export const PROBES_ENV = "DUALSTACK_PROBES";
export const TIMEOUT_ENV = "DUALSTACK_PROBE_TIMEOUT";

/**
 * The probe pod's script. It needs `/bin/sh`, `curl`, `dig` and `nc` (the agnhost image has
 * them). Each line of `$DUALSTACK_PROBES` is `id kind tries target`; for each it prints
 * `dualstack-verify<TAB>id<TAB>exit code<TAB>attempts<TAB>output` (output on one line, cut at
 * 400 characters), then `dualstack-verify-done`. It always exits 0: results are in the log.
 */
export const PROBE_SCRIPT = `timeout="\${${TIMEOUT_ENV}:-5}"
printf '%s\\n' "\${${PROBES_ENV}:-}" | while read -r id kind tries target; do
  [ -n "$id" ] || continue
  attempt=0
  while :; do
    attempt=$((attempt + 1))
    case "$kind" in
      http) out=$(curl -g -sS -m "$timeout" "$target" 2>&1) ;;
      A|AAAA) out=$(dig +short +time="$timeout" +tries=1 "$target" "$kind" 2>&1) ;;
      tcp)
        host=\${target%:*}
        host=\${host#\\[}
        host=\${host%\\]}
        out=$(nc -z -w "$timeout" "$host" "\${target##*:}" 2>&1) ;;
      *) out="unknown probe kind $kind"; false ;;
    esac
    code=$?
    if [ "$code" -eq 0 ] && { [ -n "$out" ] || [ "$kind" = tcp ]; }; then break; fi
    [ "$attempt" -lt "$tries" ] || break
    sleep 1
  done
  printf '${RESULT_MARK}\\t%s\\t%s\\t%s\\t%s\\n' "$id" "$code" "$attempt" "$(printf '%s' "$out" | tr '\\t\\r\\n' '   ' | cut -c1-400)"
done
echo ${DONE_MARK}
`;

/** The value of `$DUALSTACK_PROBES`. */
export function probesEnv(probes: readonly Probe[]): string {
    return probes.map((p) => `${p.id} ${p.kind} ${p.tries} ${p.target}`).join("\n");
}

/** Read the probe pod's log: the results, and whether the script got to the end. */
export function parseProbeLog(log: string): { results: ProbeResult[]; complete: boolean } {
    const results: ProbeResult[] = [];
    let complete = false;
    for (const line of log.split("\n")) {
        if (line.trim() === DONE_MARK) complete = true;
        const fields = line.split("\t");
        if (fields[0] !== RESULT_MARK || fields.length < 4) continue;
        results.push({ id: fields[1], exitCode: Number(fields[2]), attempts: Number(fields[3]), output: fields.slice(4).join(" ").trim() });
    }
    return { results, complete };
}

/** `http://10.1.2.3:8080/hostname`, `http://[fd00::1]:8080/hostname`. */
export function httpUrl(address: string, port: number, path = "/hostname"): string {
    return `http://${address.includes(":") ? `[${address}]` : address}${port === 80 ? "" : `:${port}`}${path}`;
}

/** `10.1.2.3:443`, `[2001:db8::1]:443`. */
export function hostPort(address: string, port: number): string {
    return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** The metadata URL of a family: IPv6's is link-local and needs the pod's interface. */
export function metadataUrl(family: IpFamily): string {
    const address = familyFacts(family).metadataAddress;
    return family === "IPv6" ? `http://[${address}%25eth0]/` : `http://${address}/`;
}

/** Everything the probes are planned from. */
export interface ProbeContext {
    /** Cluster families, primary first. */
    readonly families: readonly FamilyExpectation[];
    readonly server: PodFacts;
    /** The probe pod's name and node. */
    readonly probePod: string;
    readonly probeNode: string;
    /** The server node's InternalIPs. */
    readonly serverNodeAddresses: readonly string[];
    readonly service: ServiceFacts;
    /** The Service's fully qualified name, `<service>.<namespace>.svc.<cluster domain>.`, asked of the pod's resolver. */
    readonly serviceName: string;
    readonly serverPort: number;
    readonly servicePort: number;
    readonly egressTargets: readonly EgressTarget[];
    readonly blockMetadata: boolean;
}

/** The Service's cluster IP of a family. */
export function clusterIpOf(service: ServiceFacts, family: IpFamily): string | undefined {
    return addressOf(service.clusterIPs, family);
}

/** Why egress of a family is not tried, or undefined when it is. */
function egressSkipReason(expected: FamilyExpectation, targets: readonly EgressTarget[]): string | undefined {
    if (expected.egress !== undefined && !expected.egress.exists) return `the plan has no ${expected.family} egress: ${expected.egress.reason}`;
    if (!targets.some((t) => t.family === expected.family)) {
        const example = expected.family === "IPv4" ? "192.0.2.10:443" : "[2001:db8::10]:443";
        return `no ${expected.family} egress target given (--egress ${example}, or dualstack:verify.egressTargets)`;
    }
    return undefined;
}

/** The probes for every cluster family, in report order. */
export function planProbes(context: ProbeContext): Probe[] {
    const probes: Probe[] = [];
    const serverName = context.server.name;
    const sameNode = context.server.node === context.probeNode;
    for (const expected of context.families) {
        const family = expected.family;
        const add = (check: ProbeCheck, probe: Omit<Probe, "id" | "check" | "family">) => probes.push({ id: `${check}/${family}`, check, family, ...probe });
        const podAddress = addressOf(context.server.podIPs, family);
        if (podAddress !== undefined && !sameNode) {
            add("pod-to-pod", {
                kind: "http",
                target: httpUrl(podAddress, context.serverPort),
                tries: 3,
                expect: { kind: "answer", text: serverName },
                what: `pod ${serverName} on ${context.server.node ?? "?"}`,
            });
        }
        const clusterIp = clusterIpOf(context.service, family);
        if (clusterIp !== undefined) {
            add("pod-to-service", {
                kind: "http",
                target: httpUrl(clusterIp, context.servicePort),
                tries: 3,
                expect: { kind: "answer", text: serverName },
                what: `the ${family} ClusterIP of Service ${context.service.name}`,
            });
            add("dns", {
                kind: family === "IPv4" ? "A" : "AAAA",
                target: context.serviceName,
                tries: 3,
                expect: { kind: "address", address: clusterIp },
                what: `the Service's ${family} ClusterIP`,
            });
        }
        const egress = context.egressTargets.find((t) => t.family === family);
        if (egress !== undefined && egressSkipReason(expected, context.egressTargets) === undefined) {
            add("egress", { kind: "tcp", target: hostPort(egress.address, egress.port), tries: 2, expect: { kind: "connect" }, what: "the egress target" });
        }
        const nodeAddress = addressOf(context.serverNodeAddresses, family);
        if (context.service.nodePort !== undefined && nodeAddress !== undefined) {
            add("node-port", {
                kind: "http",
                target: httpUrl(nodeAddress, context.service.nodePort),
                tries: 3,
                expect: { kind: "answer", text: serverName },
                what: `NodePort on ${context.server.node ?? "?"}`,
            });
        }
        if (context.blockMetadata) {
            add("metadata-blocked", { kind: "http", target: metadataUrl(family), tries: 1, expect: { kind: "blocked" }, what: "the metadata service" });
        }
    }
    return probes;
}

/** The longest the script can take, in seconds: every attempt times out, with a second between. */
export function probeBudgetSeconds(probes: readonly Probe[], timeoutSeconds: number): number {
    return probes.reduce((sum, p) => sum + p.tries * (timeoutSeconds + 1), 0);
}

/** What the probe asks, for the report: `dualstack-verify-probe on w-1 → http://… (pod … on w-0)`. */
function routeOf(probe: Probe, context: ProbeContext): string {
    const from = `${context.probePod} on ${context.probeNode}`;
    if (probe.kind === "A" || probe.kind === "AAAA") return `${from}: ${probe.kind} ${probe.target}`;
    return `${from} → ${probe.target} (${probe.what})`;
}

/** What the probe printed: `exit 28 after 3 attempts: "curl: (28) …"`. */
function seenOf(result: ProbeResult): string {
    const tries = result.attempts > 1 ? ` after ${result.attempts} attempts` : "";
    return `exit ${result.exitCode}${tries}${result.output === "" ? ", no output" : `: "${result.output}"`}`;
}

/** Whether a probe's result is what a pass looks like. */
export function probePassed(probe: Probe, result: ProbeResult): boolean {
    switch (probe.expect.kind) {
        case "answer":
            return result.exitCode === 0 && result.output.trim() === probe.expect.text;
        case "address": {
            const address = probe.expect.address;
            return result.exitCode === 0 && result.output.split(/\s+/).some((a) => sameAddress(a, address));
        }
        case "connect":
            return result.exitCode === 0;
        case "blocked":
            return result.exitCode !== 0;
    }
}

/** What a pass looks like, in words. */
function expectedOf(probe: Probe): string {
    switch (probe.expect.kind) {
        case "answer":
            return `"${probe.expect.text}"`;
        case "address":
            return `${probe.expect.address} (${probe.what})`;
        case "connect":
            return "a TCP connection";
        case "blocked":
            return `no answer (${key("calico.blockMetadata")})`;
    }
}

/** What the probe pod reported, or why it reported nothing. */
export interface ProbeRun {
    readonly results: readonly ProbeResult[];
    /** Set when the probe pod did not report everything (never ran, log unreadable, cut short). */
    readonly problem?: string;
}

/**
 * The traffic rows of every family: each probe's result judged, and a reason for each check that
 * had no probe. `metadata-blocked` passes only when the same pod reached the server over the
 * family: no answer from a pod that reaches nothing proves nothing.
 */
export function evaluateProbes(context: ProbeContext, probes: readonly Probe[], run: ProbeRun): CheckResult[] {
    const rows: CheckResult[] = [];
    const byId = new Map(run.results.map((r) => [r.id, r]));
    for (const expected of context.families) {
        const family = expected.family;
        const passed = new Map<ProbeCheck, boolean>();
        const judge = (check: ProbeCheck, missing: () => string, missingOutcome: Outcome = "fail") => {
            const probe = probes.find((p) => p.check === check && p.family === family);
            if (probe === undefined) {
                rows.push(row(check, family, missingOutcome, missing()));
                return;
            }
            const route = routeOf(probe, context);
            const result = byId.get(probe.id);
            if (result === undefined) {
                rows.push(row(check, family, "fail", `${route}: expected ${expectedOf(probe)}; no result: ${run.problem ?? "the probe pod did not report it"}`));
                return;
            }
            const ok = probePassed(probe, result);
            passed.set(check, ok);
            if (!ok) {
                rows.push(row(check, family, "fail", `${route}: expected ${expectedOf(probe)}, got ${seenOf(result)}`));
            } else if (check !== "metadata-blocked") {
                rows.push(row(check, family, "pass", `${route}: ${result.output === "" ? "connected" : `"${result.output}"`}`));
            } else {
                const control = (["pod-to-pod", "pod-to-service"] as const).find((c) => passed.get(c) === true);
                rows.push(
                    control === undefined
                        ? row(check, family, "skip", `inconclusive: ${route}: ${seenOf(result)}, but the probe pod reached nothing else over ${family} either`)
                        : row(check, family, "pass", `${route}: no answer (${seenOf(result)}), while the ${control === "pod-to-pod" ? "server pod" : "Service"} answered over ${family}`),
                );
            }
        };
        const service = context.service;
        const noClusterIp = () =>
            service.refused !== undefined && !service.ipFamilies.includes(family)
                ? `the API refused the Service: ${service.refused}`
                : `Service ${service.name} has no ${family} ClusterIP (ClusterIPs: ${listOf(service.clusterIPs)})`;
        judge("pod-to-pod", () =>
            context.server.node === context.probeNode
                ? `one schedulable node (${context.probeNode}): no second node to cross to`
                : `expected an ${family} address on pod ${context.server.name} to reach; it has ${listOf(context.server.podIPs)}`,
            context.server.node === context.probeNode ? "skip" : "fail",
        );
        judge("pod-to-service", () => `expected an ${family} ClusterIP to reach; ${noClusterIp()}`);
        judge("dns", () => `expected a ${family === "IPv4" ? "A" : "AAAA"} record of an ${family} ClusterIP; ${noClusterIp()}`);
        judge("egress", () => egressSkipReason(expected, context.egressTargets) ?? "not tried", "skip");
        judge("node-port", () =>
            service.nodePort === undefined
                ? `expected a NodePort; ${service.refused !== undefined ? `the API refused the Service: ${service.refused}` : "the Service has none"}`
                : `expected an ${family} InternalIP on ${context.server.node ?? "the server's node"} to reach the NodePort on; it has ${listOf(context.serverNodeAddresses)}`,
        );
        judge("metadata-blocked", () => `${key("calico.blockMetadata")} is false: pods may reach the metadata service`, "skip");
    }
    return rows;
}
