import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    apiReadinessResourceProvider,
    formatDuration,
    probeReadyz,
    ProbeResult,
    readinessTimeoutMessage,
    READINESS_ENVIRONMENT,
    readinessScript,
    readyzUrl,
    waitForApiReady,
} from "../components/kubernetes";

/** A self-signed certificate for 127.0.0.1 made with openssl, or undefined when openssl is missing. */
function makeCertificate(dir: string, name: string): { key: string; cert: string } | undefined {
    const key = path.join(dir, `${name}.key`);
    const cert = path.join(dir, `${name}.crt`);
    try {
        execFileSync(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`,
                "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            { stdio: "ignore" },
        );
    } catch {
        return undefined;
    }
    return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}

/** Answers /readyz from a script: one status per request, the last one repeated. */
function scripted(statuses: number[]): { handler: http.RequestListener; seen: string[] } {
    const seen: string[] = [];
    const handler: http.RequestListener = (req, res) => {
        seen.push(`${req.method} ${req.url}`);
        const status = statuses[Math.min(seen.length - 1, statuses.length - 1)];
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(status === 200 ? "ok" : "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n");
    };
    return { handler, seen };
}

function listen(server: net.Server, port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
    });
}

function close(server: net.Server): Promise<void> {
    return new Promise((resolve) => {
        if (!server.listening) return resolve();
        (server as http.Server).closeAllConnections?.();
        server.close(() => resolve());
    });
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
    const probe = net.createServer();
    const port = await listen(probe);
    await close(probe);
    return port;
}

describe("kubernetes readiness: waitForApiReady", () => {
    let dir: string;
    let apiCert: { key: string; cert: string } | undefined;
    let otherCert: { key: string; cert: string } | undefined;
    const servers: net.Server[] = [];

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dualstack-readyz-"));
        apiCert = makeCertificate(dir, "kube-apiserver");
        otherCert = makeCertificate(dir, "someone-else");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    afterEach(async () => {
        await Promise.all(servers.splice(0).map(close));
    });

    /** An https server with the API certificate when openssl is available, else plain http. */
    function apiServer(handler: http.RequestListener): { server: net.Server; scheme: string; ca?: string } {
        const server = apiCert ? https.createServer({ key: apiCert.key, cert: apiCert.cert }, handler) : http.createServer(handler);
        servers.push(server);
        return { server, scheme: apiCert ? "https" : "http", ca: apiCert?.cert };
    }

    it("polls until /readyz answers 200, verifying TLS against the cluster CA", async function () {
        // Without openssl there is no certificate to verify: skip rather than test plain http under this name.
        if (apiCert === undefined) this.skip();
        const script = scripted([500, 500, 200]);
        const api = apiServer(script.handler);
        const port = await listen(api.server);
        const seen: Array<number | undefined> = [];
        const result = await waitForApiReady({
            url: `${api.scheme}://127.0.0.1:${port}/readyz`,
            caPem: api.ca,
            timeoutMs: 30000,
            intervalMs: 10,
            onAttempt: (probe) => {
                seen.push(probe.status);
            },
        });
        assert.strictEqual(result.attempts, 3);
        assert.deepStrictEqual(seen, [500, 500]);
        assert.deepStrictEqual(script.seen, ["GET /readyz", "GET /readyz", "GET /readyz"]);
    });

    it("fails with the URL, the time waited and the last answer when the API never gets ready", async () => {
        const api = apiServer(scripted([500]).handler);
        const port = await listen(api.server);
        const url = `${api.scheme}://127.0.0.1:${port}/readyz`;
        await assert.rejects(waitForApiReady({ url, caPem: api.ca, timeoutMs: 300, intervalMs: 50 }), (e: Error) => {
            const pattern = new RegExp(
                `^The Kubernetes API at ${url.replace(/[.]/g, "\\.")} did not become ready within 300 ms ` +
                    `\\(waited [0-9.]+ m?s, [0-9]+ attempts?\\)\\. Last attempt: HTTP 500 "\\[\\+\\]ping ok \\[-\\]etcd failed: ` +
                    `reason withheld readyz check failed"\\. The API server runs but is not ready`,
            );
            assert.match(e.message, pattern);
            return true;
        });
    });

    it("retries while the connection is refused, until the API server listens", async () => {
        const port = await freePort();
        const api = apiServer(scripted([200]).handler);
        const codes: Array<string | undefined> = [];
        const result = await waitForApiReady({
            url: `${api.scheme}://127.0.0.1:${port}/readyz`,
            caPem: api.ca,
            timeoutMs: 30000,
            intervalMs: 10,
            onAttempt: async (probe, attempt) => {
                codes.push(probe.errorCode);
                if (attempt === 2) await listen(api.server, port);
            },
        });
        assert.deepStrictEqual(codes, ["ECONNREFUSED", "ECONNREFUSED"]);
        assert.strictEqual(result.attempts, 3);
    });

    it("refuses an API server whose certificate the cluster CA did not sign", async function () {
        if (!apiCert || !otherCert) this.skip();
        const api = apiServer(scripted([200]).handler);
        const port = await listen(api.server);
        const url = `https://127.0.0.1:${port}/readyz`;
        const probe = await probeReadyz(url, otherCert!.cert, 5000);
        assert.strictEqual(probe.ready, false);
        assert.strictEqual(probe.status, undefined);
        assert.match(probe.errorCode ?? "", /SELF_SIGNED|UNABLE_TO_VERIFY|SIGNATURE/);
        await assert.rejects(waitForApiReady({ url, caPem: otherCert!.cert, timeoutMs: 200, intervalMs: 50 }), (e: Error) => {
            assert.match(e.message, /Last attempt: [A-Z_]+: .*TLS verification failed: the server certificate must chain to the cluster CA/);
            return true;
        });
    });

    it("tells a connection that gets no answer from one that is refused", async () => {
        const silent = http.createServer(() => undefined);
        servers.push(silent);
        const port = await listen(silent);
        const probe = await probeReadyz(`http://127.0.0.1:${port}/readyz`, undefined, 150);
        assert.deepStrictEqual(probe, { ready: false, errorCode: "RESPONSE_TIMEOUT", errorMessage: "no answer within 150 ms" });
        const refused = await probeReadyz(`http://127.0.0.1:${await freePort()}/readyz`, undefined, 1000);
        assert.strictEqual(refused.errorCode, "ECONNREFUSED");
    });

    it("hints at dualstack:access.apiAllowedCidrs when the connection times out", () => {
        const timedOut: ProbeResult = { ready: false, errorCode: "CONNECT_TIMEOUT", errorMessage: "no connection within 10 s" };
        assert.strictEqual(
            readinessTimeoutMessage("https://203.0.113.10:6443/readyz", 1200000, 1195500, 103, timedOut),
            "The Kubernetes API at https://203.0.113.10:6443/readyz did not become ready within 20 min " +
                "(waited 19 min 56 s, 103 attempts). Last attempt: the connection timed out (no connection within 10 s). " +
                "Nothing answered: check that the address pulumi runs from is inside dualstack:access.apiAllowedCidrs " +
                "(the security group admits port 6443 only from those ranges), that the floating IP or load balancer is " +
                "reachable from here, and that the first control-plane node booted (its console log).",
        );
        const osTimeout = readinessTimeoutMessage("https://[2001:db8::10]:6443/readyz", 60000, 60000, 6, {
            ready: false,
            errorCode: "ETIMEDOUT",
            errorMessage: "connect ETIMEDOUT 2001:db8::10:6443",
        });
        assert.match(osTimeout, /Last attempt: the connection timed out \(connect ETIMEDOUT 2001:db8::10:6443\)\. Nothing answered: check .*dualstack:access\.apiAllowedCidrs/);
        const refused = readinessTimeoutMessage("https://203.0.113.10:6443/readyz", 60000, 60000, 6, { ready: false, errorCode: "ECONNREFUSED" });
        assert.doesNotMatch(refused, /apiAllowedCidrs/);
        assert.match(refused, /the connection was refused\. The endpoint is reachable but nothing listens on the API port yet/);
    });

    it("rejects a wait without a positive timeout or interval", async () => {
        await assert.rejects(waitForApiReady({ url: "https://127.0.0.1:1/readyz", timeoutMs: 0, intervalMs: 10 }), /timeoutMs and intervalMs must be positive/);
    });

    it("brackets IPv6 endpoints and formats durations for people", () => {
        assert.strictEqual(readyzUrl("2001:db8::10", 6443), "https://[2001:db8::10]:6443/readyz");
        assert.strictEqual(readyzUrl("[2001:db8::10]", 6443), "https://[2001:db8::10]:6443/readyz");
        assert.strictEqual(readyzUrl("203.0.113.10", 6443), "https://203.0.113.10:6443/readyz");
        assert.strictEqual(readyzUrl("api.dev.example.com", 443), "https://api.dev.example.com:443/readyz");
        assert.deepStrictEqual(
            [850, 4200, 45000, 1200000, 185000].map(formatDuration),
            ["850 ms", "4.2 s", "45 s", "20 min", "3 min 5 s"],
        );
    });

    it("serializes its dynamic provider without captured modules, and the serialized provider waits", async () => {
        const provider = apiReadinessResourceProvider();
        const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        assert.doesNotMatch(serialized.text, /@pulumi|components\/|__importStar|require\("\.\.?\//);
        assert.match(serialized.text, /require\("https"\)/);

        const script = scripted([500, 200]);
        const api = apiServer(script.handler);
        const port = await listen(api.server);
        const url = `${api.scheme}://127.0.0.1:${port}/readyz`;
        const module = { exports: {} as { handler?: () => pulumi.dynamic.ResourceProvider } };
        new Function("exports", "require", "module", serialized.text)(module.exports, require, module);
        const restored = module.exports.handler!();
        const created = await restored.create({ url, caCertPem: api.ca, timeoutSeconds: 30, intervalSeconds: 0.01, triggers: [] });
        assert.strictEqual(created.id, url);
        assert.strictEqual(created.outs.attempts, 2);
        assert.strictEqual(typeof created.outs.waitedSeconds, "number");

        const olds = created.outs;
        assert.deepStrictEqual(await restored.diff!(url, olds, { ...olds, timeoutSeconds: 60 }), { changes: false });
        assert.deepStrictEqual(await restored.diff!(url, olds, { ...olds, triggers: ["cp-0-new-id"] }), { changes: true });
        assert.deepStrictEqual(await restored.diff!(url, olds, { ...olds, url: "https://203.0.113.11:6443/readyz" }), { changes: true });
    });

    it("the command the plugin runs for other languages waits the same way: node -e <script>, exit 0 when ready, 1 with the message when not", async () => {
        const script = await readinessScript();
        // Self-contained: the readiness functions and Node built-ins, nothing of this package or @pulumi.
        assert.doesNotMatch(script, /@pulumi|components\/|__importStar|require\("\.\.?\//);
        const run = (env: Record<string, string>) =>
            new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
                execFile(process.execPath, ["-e", script], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
                    resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
                );
            });

        const answers = scripted([503, 200]);
        const api = apiServer(answers.handler);
        const port = await listen(api.server);
        const ready = await run({
            [READINESS_ENVIRONMENT.url]: `${api.scheme}://127.0.0.1:${port}/readyz`,
            [READINESS_ENVIRONMENT.caCertPem]: api.ca ?? "",
            [READINESS_ENVIRONMENT.timeoutSeconds]: "30",
            [READINESS_ENVIRONMENT.intervalSeconds]: "0.01",
        });
        assert.deepStrictEqual([ready.code, ready.stderr], [0, ""]);
        assert.deepStrictEqual(JSON.parse(ready.stdout), { attempts: 2, waitedSeconds: 0 });
        assert.strictEqual(answers.seen.length, 2);

        const closed = await freePort();
        const failed = await run({
            [READINESS_ENVIRONMENT.url]: `http://127.0.0.1:${closed}/readyz`,
            [READINESS_ENVIRONMENT.caCertPem]: "",
            [READINESS_ENVIRONMENT.timeoutSeconds]: "1",
            [READINESS_ENVIRONMENT.intervalSeconds]: "0.2",
        });
        assert.strictEqual(failed.code, 1);
        assert.match(failed.stderr, new RegExp(`^The Kubernetes API at http://127\\.0\\.0\\.1:${closed}/readyz did not become ready within 1\\.0 s .*the connection was refused\\.`));
    });
});
