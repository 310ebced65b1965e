/**
 * The node bootstrap script's behaviour, run in bash with the system commands it calls
 * (curl, kubeadm, ip, sysctl, ...) replaced by recording stubs. Paths point into a
 * temporary directory; nothing on this machine is touched.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BOOTSTRAP_SCRIPT, bootstrapEnvironment } from "../components/bootstrap";
import { testCluster, testNode } from "./fixtures/bootstrap/clusters";
import { BashRun, removeBashDirs, runBash } from "./support/bash";

/**
 * Source the script, point its paths into a temporary directory (with `files` in it), define
 * the stubs, then run `body`. Stubs append `name args...` to $CALLS.
 */
function runScript(body: string, setup = "", files: Record<string, string> = {}): BashRun {
    return runBash("dualstack-script-", { "bootstrap.sh": BOOTSTRAP_SCRIPT, ...files }, (dir) => `
source "${dir}/bootstrap.sh"
ENVIRONMENT_FILE="$T/bootstrap.env"
STATE_DIR="$T/state"
DONE_MARKER="$T/state/bootstrap.done"
KUBEADM_DIR="$T/kubeadm"
PKI_SOURCE="$T/pki-source"
PKI_DIR="$T/pki"
KUBELET_KUBECONFIG="$T/kubelet.conf"
MODULES_FILE="$T/modules"
ACCEPT_RA_SYSCTL="$T/accept-ra.conf"
ROUTE_INFORMATION_SYSCTL="$T/route-information.conf"
PROC_SYS="$T/proc-sys"
mkdir -p "$KUBEADM_DIR"
install() { record install "$@"; command install "$@" 2>/dev/null || true; }
${setup}
${body}
`);
}

/** curl answers /readyz, and cluster-info with the signatures of the given token ids. */
function apiWithTokens(...ids: string[]): string {
    const data = ids.map((id) => `"jws-kubeconfig-${id}":"sig"`).join(",");
    return `curl() {
    record curl "$@"
    case "\${@: -1}" in
        *readyz) return 0 ;;
        *cluster-info) printf '%s' '{"data":{${data}}}' ;;
        *) return 22 ;;
    esac
}`;
}

const JOIN_SETTINGS = `API_SERVER_ENDPOINT='10.0.0.2:6443'
JOIN_TIMEOUT_SECONDS=30
KUBEADM_JOIN_CONFIGS="j0in00:$T/kubeadm/join.yaml in1t00:$T/kubeadm/join-init.yaml"`;

describe("bootstrap: node script behaviour", () => {
    after(removeBashDirs);

    it("joins with the long-lived token when cluster-info carries its signature", () => {
        const run = runScript(`${JOIN_SETTINGS}\nkubeadm_join`, `${apiWithTokens("in1t00", "j0in00")}\nkubeadm() { record kubeadm "$@"; }`);
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), [`kubeadm join --config ${run.dir}/kubeadm/join.yaml`]);
    });

    it("falls back to the init token while the join token's Secret does not exist yet", () => {
        const run = runScript(`${JOIN_SETTINGS}\nkubeadm_join`, `${apiWithTokens("in1t00")}\nkubeadm() { record kubeadm "$@"; }`);
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), [`kubeadm join --config ${run.dir}/kubeadm/join-init.yaml`]);
        assert.match(run.log, /token j0in00 is not \(or no longer\) published in cluster-info/);
    });

    it("resets after a failed join and tries again", () => {
        const stubs = `${apiWithTokens("j0in00")}
kubeadm() {
    record kubeadm "$@"
    if [ "$1" = join ] && [ ! -f "$T/failed-once" ]; then touch "$T/failed-once"; return 1; fi
}`;
        const run = runScript(`${JOIN_SETTINGS}\nkubeadm_join`, stubs);
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), [
            `kubeadm join --config ${run.dir}/kubeadm/join.yaml`,
            "kubeadm reset -f",
            `kubeadm join --config ${run.dir}/kubeadm/join.yaml`,
        ]);
    });

    it("gives up with a message when the API never answers", () => {
        const stubs = `curl() { record curl "$@"; return 7; }\nkubeadm() { record kubeadm "$@"; }`;
        const run = runScript(`API_SERVER_ENDPOINT='[fd00::2]:6443'\nJOIN_TIMEOUT_SECONDS=0\nKUBEADM_JOIN_CONFIGS=''\nkubeadm_join || echo "exit $?"`, stubs);
        assert.match(run.log, /the API at \[fd00::2\]:6443 did not answer within 0s/);
        assert.match(run.log, /exit 1/);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), []);
        assert.ok(run.calls.includes("curl -ksf --globoff --max-time 5 -o /dev/null https://[fd00::2]:6443/readyz"));
    });

    it("copies the CA material into place before each kubeadm run (kubeadm reset empties /etc/kubernetes/pki)", () => {
        const setup = `${apiWithTokens("j0in00")}
kubeadm() { record kubeadm "$@"; [ -f "$PKI_DIR/etcd/ca.key" ] && record "pki present"; }
mkdir -p "$PKI_SOURCE/etcd" && echo key >"$PKI_SOURCE/etcd/ca.key" && echo crt >"$PKI_SOURCE/ca.crt"`;
        const run = runScript(`${JOIN_SETTINGS}\nkubeadm_join`, setup);
        assert.strictEqual(run.status, 0, run.log);
        assert.ok(run.calls.includes("pki present"), run.calls.join("\n"));
        assert.strictEqual(fs.readFileSync(path.join(run.dir, "pki", "ca.crt"), "utf8"), "crt\n");
    });

    it("finds the node interface by its address in a node subnet", () => {
        const stubs = `ip() {
    record ip "$@"
    if [ "\${@: -1}" = "fd00:10::/64" ]; then echo "2: ens4    inet6 fd00:10::5/64 scope global dynamic"; fi
}`;
        const run = runScript(`NODE_SUBNETS='10.0.0.0/22 fd00:10::/64'\nnode_interface`, stubs);
        assert.strictEqual(run.status, 0, run.log);
        assert.strictEqual(run.log.trim(), "ens4");
        assert.deepStrictEqual(run.calls, ["ip -o addr show to 10.0.0.0/22", "ip -o addr show to fd00:10::/64"]);
    });

    it("sets accept_ra=2 on the node interface when the kernel handles router advertisements, and keeps it across reboots", () => {
        const stubs = `node_interface() { echo ens3; }
sysctl() { record sysctl "$@"; if [ "$1" = -n ]; then echo 1; fi; }`;
        const run = runScript(`IPV6_NODE=yes\nkeep_router_advertisements`, stubs);
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls, ["sysctl -n net/ipv6/conf/ens3/accept_ra", "sysctl -q -w net/ipv6/conf/ens3/accept_ra=2"]);
        assert.strictEqual(
            fs.readFileSync(path.join(run.dir, "accept-ra.conf"), "utf8"),
            "# dualstack: keep accepting router advertisements with forwarding on\nnet/ipv6/conf/ens3/accept_ra = 2\n",
        );
    });

    it("leaves accept_ra alone when a network daemon handles router advertisements, or the node has no IPv6", () => {
        const stubs = `node_interface() { echo ens3; }
sysctl() { record sysctl "$@"; if [ "$1" = -n ]; then echo 0; fi; }`;
        const daemon = runScript(`IPV6_NODE=yes\nkeep_router_advertisements`, stubs);
        assert.deepStrictEqual(daemon.calls, ["sysctl -n net/ipv6/conf/ens3/accept_ra"]);
        assert.ok(!fs.existsSync(path.join(daemon.dir, "accept-ra.conf")));
        const v4 = runScript(`IPV6_NODE=no\nkeep_router_advertisements`, stubs);
        assert.deepStrictEqual(v4.calls, []);
    });

    it("accepts the access gateway's Route Information up to its client range's prefix length, and keeps it across reboots", () => {
        const stubs = `node_interface() { echo ens3; }
sysctl() { record sysctl "$@"; }
mkdir -p "$PROC_SYS/net/ipv6/conf/ens3" && : >"$PROC_SYS/net/ipv6/conf/ens3/accept_ra_rt_info_max_plen"`;
        const run = runScript(`IPV6_NODE=yes\nROUTE_INFORMATION_MAX_PLEN=64\naccept_route_information`, stubs);
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls, ["sysctl -q -w net/ipv6/conf/ens3/accept_ra_rt_info_max_plen=64"]);
        assert.strictEqual(
            fs.readFileSync(path.join(run.dir, "route-information.conf"), "utf8"),
            "# dualstack: accept the access gateway route to its WireGuard clients (RFC 4191)\nnet/ipv6/conf/ens3/accept_ra_rt_info_max_plen = 64\n",
        );
    });

    it("leaves Route Information alone without a gateway, without IPv6, or on a kernel without RFC 4191 support", () => {
        const stubs = `node_interface() { echo ens3; }\nsysctl() { record sysctl "$@"; }`;
        for (const body of ["IPV6_NODE=yes\nROUTE_INFORMATION_MAX_PLEN=", "IPV6_NODE=no\nROUTE_INFORMATION_MAX_PLEN=64"]) {
            const run = runScript(`${body}\naccept_route_information`, stubs);
            assert.strictEqual(run.status, 0, run.log);
            assert.deepStrictEqual(run.calls, [], body);
        }
        const noSupport = runScript(`IPV6_NODE=yes\nROUTE_INFORMATION_MAX_PLEN=64\naccept_route_information`, stubs);
        assert.deepStrictEqual(noSupport.calls, []);
        assert.match(noSupport.log, /the kernel has no net\/ipv6\/conf\/ens3\/accept_ra_rt_info_max_plen \(built without CONFIG_IPV6_ROUTE_INFO\)/);
        assert.ok(!fs.existsSync(path.join(noSupport.dir, "route-information.conf")));
    });

    const prepared = `disable_swap() { record disable_swap; }
load_kernel_modules() { record load_kernel_modules; }
keep_router_advertisements() { record keep_router_advertisements; }
install_packages() { record install_packages; }
sysctl() { record sysctl "$@"; }
kubeadm() {
    record kubeadm "$@"
    if [ "$1" = version ]; then echo v1.34.3; fi
}`;

    it("runs kubeadm init once on the first control plane, pinning a minor-only version to the installed kubeadm", () => {
        const env = bootstrapEnvironment(testCluster("ipv4-primary"), testNode("ipv4-primary", "control-plane-init"), ["IPv4", "IPv6"]);
        const run = runScript("main", prepared, {
            "bootstrap.env": env,
            "kubeadm/kubeadm-init.yaml": "kind: ClusterConfiguration\nkubernetesVersion: stable-1.34\n",
        });
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(
            run.calls.filter((c) => !c.startsWith("install ")),
            [
                "disable_swap",
                "load_kernel_modules",
                "keep_router_advertisements",
                "sysctl -q --system",
                "install_packages",
                "kubeadm version -o short",
                `kubeadm config images pull --config ${run.dir}/kubeadm/kubeadm-init.yaml`,
                `kubeadm init --skip-token-print --config ${run.dir}/kubeadm/kubeadm-init.yaml`,
            ],
        );
        assert.strictEqual(fs.readFileSync(path.join(run.dir, "kubeadm", "kubeadm-init.yaml"), "utf8"), "kind: ClusterConfiguration\nkubernetesVersion: v1.34.3\n");
        assert.ok(fs.existsSync(path.join(run.dir, "state", "bootstrap.done")), "the done marker stops the unit from running again");
    });

    it("never runs kubeadm a second time once kubelet.conf exists (a reboot during or after bootstrap)", () => {
        const env = bootstrapEnvironment(testCluster("ipv4-primary"), testNode("ipv4-primary", "control-plane-init"), ["IPv4", "IPv6"]);
        const run = runScript("main", prepared, { "bootstrap.env": env, "kubelet.conf": "" });
        assert.strictEqual(run.status, 0, run.log);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), []);
        assert.match(run.log, /kubeadm has already run on this node \(.*kubelet\.conf exists\); not running it again/);
        assert.ok(fs.existsSync(path.join(run.dir, "state", "bootstrap.done")));
    });

    it("a failed kubeadm init is reset and retried until it succeeds (the load balancer may still be building)", () => {
        const env = bootstrapEnvironment(testCluster("ipv4-only"), testNode("ipv4-only", "control-plane-init"), ["IPv4"]);
        // kubeadm init fails twice, then succeeds.
        const setup = `${prepared}\nkubeadm() { record kubeadm "$@"; if [ "$1" = init ]; then n=$(( $(cat "$T/inits" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$T/inits"; [ "$n" -ge 3 ]; fi; }`;
        const run = runScript('set +e\n( set -e; main )\necho "main exit $?"', setup, {
            "bootstrap.env": env,
            "kubeadm/kubeadm-init.yaml": "kubernetesVersion: v1.34.2\n",
        });
        assert.match(run.log, /main exit 0/);
        assert.deepStrictEqual(
            run.calls.filter((c) => c.startsWith("kubeadm init") || c.startsWith("kubeadm reset")).map((c) => c.split(" ").slice(0, 2).join(" ")),
            ["kubeadm init", "kubeadm reset", "kubeadm init", "kubeadm reset", "kubeadm init"],
        );
        assert.ok(fs.existsSync(path.join(run.dir, "state", "bootstrap.done")));
    });

    it("gives up on kubeadm init at the deadline and fails the unit", () => {
        const env = bootstrapEnvironment(testCluster("ipv4-only"), testNode("ipv4-only", "control-plane-init"), ["IPv4"]).replace(
            /^INIT_TIMEOUT_SECONDS=.*$/m,
            "INIT_TIMEOUT_SECONDS='0'",
        );
        const setup = `${prepared}\nkubeadm() { record kubeadm "$@"; [ "$1" != init ]; }`;
        // As systemd runs it: errexit on, so the first failure ends the script.
        const run = runScript('set +e\n( set -e; main )\necho "main exit $?"', setup, {
            "bootstrap.env": env,
            "kubeadm/kubeadm-init.yaml": "kubernetesVersion: v1.34.2\n",
        });
        assert.match(run.log, /main exit 1/);
        assert.match(run.log, /kubeadm init did not succeed within 0s \(1 attempts\)/);
        assert.ok(!fs.existsSync(path.join(run.dir, "state", "bootstrap.done")), "no done marker: the unit runs again at the next boot");
    });

    it("never starts a second cluster: behind a load balancer whose API already answers, kubeadm init is refused", () => {
        const cluster = { ...testCluster("ipv6-primary"), controlPlaneEndpoint: "fd00:10::a" };
        const env = bootstrapEnvironment(cluster, testNode("ipv6-primary", "control-plane-init"), ["IPv6", "IPv4"]);
        assert.match(env, /^SHARED_ENDPOINT='yes'$/m);
        const setup = `${prepared}\ncurl() { record curl "$@"; return 0; }`;
        const run = runScript('set +e\n( set -e; main )\necho "main exit $?"', setup, {
            "bootstrap.env": env,
            "kubeadm/kubeadm-init.yaml": "kubernetesVersion: v1.34.2\n",
        });
        assert.match(run.log, /main exit 1/);
        assert.match(run.log, /the API at \[fd00:10::a\]:6443 already answers: .*Set dualstack:controlPlane\.joinExisting to true/);
        assert.deepStrictEqual(run.calls.filter((c) => c.startsWith("kubeadm")), []);
        // With one control plane the endpoint is the machine itself: no such check.
        const single = bootstrapEnvironment({ ...testCluster("ipv6-primary"), controlPlaneEndpoint: undefined }, testNode("ipv6-primary", "control-plane-init"), ["IPv6", "IPv4"]);
        assert.match(single, /^SHARED_ENDPOINT='no'$/m);
    });
});
