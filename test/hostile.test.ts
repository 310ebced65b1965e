/**
 * Hostile and broken input, table-driven: what `dualstack check` and `plan` answer to values
 * the cluster, Neutron or the kubelet would refuse (exit 1, exact findings), to input that
 * is no stack file at all (exit 2, one exact line), and to names built to confuse the loader,
 * the output or the file system. Every message and exit code is asserted whole.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { Finding } from "../components/addressing";
import { configArgsFromEngine, loadConfig } from "../components/config";
import { redact } from "../components/offline";
import { escapeMarkdown, markdownCode, renderFindings } from "../cli/format";
import { runCli, tempDir, writeStack } from "./support/cli";
import { restoreSuiteCloud } from "./support/offline";
import { BASE_CONFIG, deepMerge } from "./support/stacks";

interface ConfigCase {
    readonly title: string;
    readonly config: Record<string, unknown>;
    readonly code: number;
    /** [rule, severity, path, message], `api-access-empty` left out. */
    readonly findings: Array<[string, string, string, string]>;
}

/** Values that parse as YAML and type-check as far as they can, but that nothing downstream would accept. */
const CONFIG_CASES: ConfigCase[] = [
    {
        title: "a newline in clusterName",
        config: {"dualstack:clusterName":"dev\nbootcmd: [reboot]"},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:clusterName",
                "dualstack:clusterName is \"dev\\nbootcmd: [reboot]\" (a string); expected a lower-case DNS label of at most 32 characters, e.g. dev."
            ]
        ],
    },
    {
        title: "empty flavor and image",
        config: {"dualstack:controlPlane":{"flavor":"","image":""}},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:controlPlane.flavor",
                "dualstack:controlPlane.flavor is \"\" (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ],
            [
                "config-type",
                "error",
                "dualstack:controlPlane.image",
                "dualstack:controlPlane.image is \"\" (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ]
        ],
    },
    {
        title: "a NUL and a replacement character in names",
        config: {"dualstack:controlPlane":{"image":"ubuntu\u0000"},"dualstack:network":{"externalNetwork":"pub�lic"}},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:network.externalNetwork",
                "dualstack:network.externalNetwork is \"pub\\ufffdlic\" (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ],
            [
                "config-type",
                "error",
                "dualstack:controlPlane.image",
                "dualstack:controlPlane.image is \"ubuntu\\u0000\" (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ]
        ],
    },
    {
        title: "a blank worker flavor",
        config: {"dualstack:workerPools":[{"name":"workers","flavor":"   "}]},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:workerPools[0].flavor",
                "dualstack:workerPools[0].flavor is \"   \" (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ]
        ],
    },
    {
        title: "a 1 MB flavor",
        config: {"dualstack:controlPlane":{"flavor":"x".repeat(1_000_000)}},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:controlPlane.flavor",
                "dualstack:controlPlane.flavor is \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…[1000002 characters] (a string); expected an OpenStack name: 1 to 255 characters, not only blanks, without control characters."
            ]
        ],
    },
    {
        title: "loopback, multicast and IPv4-mapped ranges",
        config: {"dualstack:pods":{"ipv4Cidr":"127.0.0.0/16"},"dualstack:services":{"ipv4Cidr":"224.0.0.0/16","ipv6Cidr":"::ffff:a00:0/112"}},
        code: 1,
        findings: [
            [
                "range-special-use",
                "error",
                "dualstack:pods.ipv4Cidr",
                "dualstack:pods.ipv4Cidr is 127.0.0.0/16, inside the loopback range 127.0.0.0/8: every host keeps those addresses to itself, so no pod range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ],
            [
                "range-special-use",
                "error",
                "dualstack:services.ipv4Cidr",
                "dualstack:services.ipv4Cidr is 224.0.0.0/16, inside the multicast range 224.0.0.0/4: those are group addresses, never a host's, so no service range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ],
            [
                "range-special-use",
                "error",
                "dualstack:services.ipv6Cidr",
                "dualstack:services.ipv6Cidr is ::ffff:a00:0/112, inside the ipv4-mapped range ::ffff:0:0/96: hosts read those addresses as IPv4 addresses, so no service range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ]
        ],
    },
    {
        title: "reserved and unspecified ranges",
        config: {"dualstack:pods":{"ipv4Cidr":"240.0.0.0/16"},"dualstack:services":{"ipv4Cidr":"0.0.0.0/16"}},
        code: 1,
        findings: [
            [
                "range-special-use",
                "error",
                "dualstack:pods.ipv4Cidr",
                "dualstack:pods.ipv4Cidr is 240.0.0.0/16, inside the reserved range 240.0.0.0/4: the block is reserved (255.255.255.255 is the broadcast address) and hosts and routers drop it, so no pod range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ],
            [
                "range-special-use",
                "error",
                "dualstack:services.ipv4Cidr",
                "dualstack:services.ipv4Cidr is 0.0.0.0/16, inside the unspecified range 0.0.0.0/8: those addresses mean \"this host\" or \"any address\" and are never routed, so no service range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ]
        ],
    },
    {
        title: "a link-local service range",
        config: {"dualstack:services":{"ipv4Cidr":"169.254.0.0/16"}},
        code: 1,
        findings: [
            [
                "range-special-use",
                "error",
                "dualstack:services.ipv4Cidr",
                "dualstack:services.ipv4Cidr is 169.254.0.0/16, inside the link-local range 169.254.0.0/16, and holds the metadata service address 169.254.169.254: routers never forward those addresses, and the OpenStack metadata service answers at 169.254.169.254, so no service range can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ]
        ],
    },
    {
        title: "a link-local node subnet holding 169.254.169.254",
        config: {"dualstack:network":{"ipv4Cidr":"169.254.168.0/22"}},
        code: 1,
        findings: [
            [
                "range-special-use",
                "error",
                "dualstack:network.ipv4Cidr",
                "dualstack:network.ipv4Cidr is 169.254.168.0/22, inside the link-local range 169.254.0.0/16, and holds the metadata service address 169.254.169.254: routers never forward those addresses, and the OpenStack metadata service answers at 169.254.169.254, so no node subnet can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ]
        ],
    },
    {
        title: "a link-local IPv6 node subnet",
        config: {"dualstack:network":{"ipv6Cidr":"fe80::/64"}},
        code: 1,
        findings: [
            [
                "range-special-use",
                "error",
                "dualstack:network.ipv6Cidr",
                "dualstack:network.ipv6Cidr is fe80::/64, inside the link-local range fe80::/10, and holds the metadata service address fe80::a9fe:a9fe: routers never forward those addresses, and the OpenStack metadata service answers at fe80::a9fe:a9fe, so no node subnet can use them. Use a private range (RFC 1918 for IPv4, a ULA such as \"ula\" for IPv6)."
            ]
        ],
    },
    {
        title: "unusable DNS servers, a duplicate and too many",
        config: {"dualstack:network":{"dnsNameservers":["fe80::1%eth0","0.0.0.0","255.255.255.255","ff02::1","127.0.0.53","9.9.9.9","9.9.9.9","1.1.1.1","8.8.8.8","8.8.4.4","9.9.9.10","::"]}},
        code: 1,
        findings: [
            [
                "dns-nameserver-invalid",
                "error",
                "dualstack:network.dnsNameservers[0]",
                "dualstack:network.dnsNameservers[0] is \"fe80::1%eth0\", an address with a zone id (%…); Neutron takes plain addresses only, and nodes cannot use a link-local server without one. Give a routed DNS server."
            ],
            [
                "dns-nameserver-invalid",
                "error",
                "dualstack:network.dnsNameservers[1]",
                "dualstack:network.dnsNameservers[1] is 0.0.0.0, an unspecified address: those addresses mean \"this host\" or \"any address\" and are never routed, so no query reaches a server there. Give the address of a DNS server."
            ],
            [
                "dns-nameserver-invalid",
                "error",
                "dualstack:network.dnsNameservers[2]",
                "dualstack:network.dnsNameservers[2] is 255.255.255.255, the broadcast address: the block is reserved (255.255.255.255 is the broadcast address) and hosts and routers drop it, so no query reaches a server there. Give the address of a DNS server."
            ],
            [
                "dns-nameserver-invalid",
                "error",
                "dualstack:network.dnsNameservers[3]",
                "dualstack:network.dnsNameservers[3] is ff02::1, a multicast address: those are group addresses, never a host's, so no query reaches a server there. Give the address of a DNS server."
            ],
            [
                "dns-nameserver-invalid",
                "warning",
                "dualstack:network.dnsNameservers[4]",
                "dualstack:network.dnsNameservers[4] is 127.0.0.53, a loopback address: each node would ask itself, and nodes run no DNS server of their own. Give a routed DNS server."
            ],
            [
                "dns-nameserver-invalid",
                "error",
                "dualstack:network.dnsNameservers[11]",
                "dualstack:network.dnsNameservers[11] is ::, an unspecified address: those addresses mean \"this host\" or \"any address\" and are never routed, so no query reaches a server there. Give the address of a DNS server."
            ],
            [
                "dns-nameserver-duplicate",
                "error",
                "dualstack:network.dnsNameservers[6]",
                "dualstack:network.dnsNameservers[6] is 9.9.9.9, the same server as dualstack:network.dnsNameservers[5]; Neutron refuses a subnet that lists a DNS server twice. Remove one."
            ],
            [
                "dns-nameservers-too-many",
                "error",
                "dualstack:network.dnsNameservers",
                "dualstack:network.dnsNameservers lists 8 IPv4 DNS servers; Neutron's default limit (max_dns_nameservers) is 5 per subnet, so it refuses the IPv4 subnet. Keep 5 or fewer."
            ]
        ],
    },
    {
        title: "a Kubernetes version with a leading zero",
        config: {"dualstack:kubernetes":{"version":"1.034"}},
        code: 1,
        findings: [
            [
                "kubernetes-version-invalid",
                "error",
                "dualstack:kubernetes.version",
                "dualstack:kubernetes.version is \"1.034\", which is not a Kubernetes version: Kubernetes writes 1.MINOR or 1.MINOR.PATCH in decimal without leading zeros, and pkgs.k8s.io has nothing else. Use \"1.34\"."
            ]
        ],
    },
    {
        title: "an impossible Kubernetes minor",
        config: {"dualstack:kubernetes":{"version":"1.9999"}},
        code: 1,
        findings: [
            [
                "kubernetes-version-invalid",
                "error",
                "dualstack:kubernetes.version",
                "dualstack:kubernetes.version is \"1.9999\", which is not a Kubernetes version: Kubernetes writes 1.MINOR or 1.MINOR.PATCH in decimal without leading zeros, and pkgs.k8s.io has nothing else. Use \"1.34\"."
            ]
        ],
    },
    {
        title: "a Kubernetes minor newer than known",
        config: {"dualstack:kubernetes":{"version":"1.40","proxyMode":"nftables"}},
        code: 0,
        findings: [
            [
                "kubernetes-version-unknown",
                "warning",
                "dualstack:kubernetes.version",
                "dualstack:kubernetes.version is \"1.40\", newer than Kubernetes 1.37, the newest minor dualstack knows: the nodes install it from pkgs.k8s.io, which has no repository for a release that does not exist yet. Check that it is released, or use \"1.34\"."
            ],
            [
                "calico-kubernetes-version",
                "warning",
                "dualstack:calico.version",
                "dualstack:calico.version is v3.32.1, which is tested with Kubernetes 1.34 to 1.36, not dualstack:kubernetes.version 1.40. Pick a Calico release that supports it, or another Kubernetes version."
            ]
        ],
    },
    {
        title: "Calico metadata open and Calico too old",
        config: {"dualstack:calico":{"version":"v3.31.0","blockMetadata":false}},
        code: 1,
        findings: [
            [
                "calico-metadata-open",
                "warning",
                "dualstack:calico.blockMetadata",
                "dualstack:calico.blockMetadata is false, so pods can reach the OpenStack metadata service (169.254.169.254, fe80::a9fe:a9fe) and read the nodes' user-data, which carries the join token and, on control planes, the cluster's CA keys. Leave it true unless another policy blocks the service."
            ],
            [
                "calico-version-unsupported",
                "error",
                "dualstack:calico.version",
                "dualstack:calico.version is v3.31.0; dualstack installs Calico's CRDs from the crd.projectcalico.org.v1 chart, which Calico publishes from 3.32 on, so pulumi up would fail. With dualstack:kubernetes.version 1.34, use a release of 3.32 (Kubernetes 1.34–1.36), 3.33 (Kubernetes 1.35–1.37)."
            ]
        ],
    },
    {
        title: "a Calico release without support data",
        config: {"dualstack:calico":{"version":"v3.40.0"}},
        code: 0,
        findings: [
            [
                "calico-version-unsupported",
                "warning",
                "dualstack:calico.version",
                "dualstack:calico.version is v3.40.0, a Calico release dualstack has no Kubernetes support data for (it knows 3.32 (Kubernetes 1.34–1.36), 3.33 (Kubernetes 1.35–1.37)); check Calico's requirements for dualstack:kubernetes.version 1.34."
            ]
        ],
    },
    {
        title: "a Kubernetes minor outside Calico's range",
        config: {"dualstack:kubernetes":{"version":"1.33"}},
        code: 0,
        findings: [
            [
                "calico-kubernetes-version",
                "warning",
                "dualstack:calico.version",
                "dualstack:calico.version is v3.32.1, which is tested with Kubernetes 1.34 to 1.36, not dualstack:kubernetes.version 1.33. Pick a Calico release that supports it, or another Kubernetes version."
            ]
        ],
    },
    {
        title: "an address as controlPlane.endpoint",
        config: {"dualstack:controlPlane":{"endpoint":"1.2.3.4"}},
        code: 1,
        findings: [
            [
                "config-type",
                "error",
                "dualstack:controlPlane.endpoint",
                "dualstack:controlPlane.endpoint is \"1.2.3.4\" (a string); expected a DNS name such as api.dev.example.com (not an address: the endpoint's addresses are in the certificate already)."
            ]
        ],
    },
    {
        title: "SSH ranges that add up to the world",
        config: {"dualstack:access":{"sshAllowedCidrs":["0.0.0.0/1","128.0.0.0/1"],"apiAllowedCidrs":["::/1","8000::/1"]}},
        code: 0,
        findings: [
            [
                "world-open-access",
                "warning",
                "dualstack:access.apiAllowedCidrs",
                "dualstack:access.apiAllowedCidrs lists ::/1, 8000::/1, which together are every IPv6 address: the Kubernetes API (6443) is open to the whole IPv6 internet. Prefer the ranges of your offices, VPN or CI runners. The policy pack (policy secgroup-world-open) refuses it unless its configuration lists the port in allowedPorts."
            ],
            [
                "world-open-access",
                "warning",
                "dualstack:access.sshAllowedCidrs",
                "dualstack:access.sshAllowedCidrs lists 0.0.0.0/1, 128.0.0.0/1, which together are every IPv4 address: SSH (22) is open to the whole IPv4 internet. Prefer the ranges of your offices, VPN or CI runners. The policy pack (policy secgroup-world-open) refuses it unless its configuration lists the port in allowedPorts."
            ]
        ],
    },
    {
        title: "a list longer than any key takes",
        config: { "dualstack:reservedCidrs": Array(257).fill("10.200.0.0/16") },
        code: 1,
        findings: [["config-type", "error", "dualstack:reservedCidrs", "dualstack:reservedCidrs has 257 items; it takes at most 256."]],
    },
];

function findingsOf(stdout: string): Array<[string, string, string, string]> {
    return (JSON.parse(stdout) as { findings: Finding[] }).findings
        .filter((f) => f.rule !== "api-access-empty")
        .map((f) => [f.rule, f.severity, f.path, f.message]);
}

describe("hostile input", () => {
    const dir = tempDir();
    after(async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        // `plan` runs the program in this process, against a cloud of its own.
        await restoreSuiteCloud();
    });

    describe("values nothing downstream accepts: check exits with exact findings", () => {
        CONFIG_CASES.forEach((c, index) => {
            it(c.title, async () => {
                const file = writeStack(dir, `case-${index}`, deepMerge(BASE_CONFIG, c.config));
                const result = await runCli(["check", file, "--json"]);
                assert.deepStrictEqual(findingsOf(result.stdout), c.findings);
                assert.strictEqual(result.code, c.code);
                assert.strictEqual(result.stderr, "");
            });
        });
    });

    it("more machines than a Kubernetes cluster takes is an error, before any plan registers them", async () => {
        const pools = Array.from({ length: 6 }, (_, i) => ({ name: `w${i}`, count: 1000 }));
        const file = writeStack(dir, "too-many", deepMerge(BASE_CONFIG, { "dualstack:workerPools": pools }));
        const result = await runCli(["check", file, "--json"]);
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(
            findingsOf(result.stdout).filter(([rule]) => rule === "cluster-too-many-nodes"),
            [
                [
                    "cluster-too-many-nodes",
                    "error",
                    "dualstack:workerPools",
                    "The stack has 6001 machines (control plane and dualstack:workerPools); Kubernetes is built and tested for at most 5000 nodes per cluster. Split the machines over several clusters.",
                ],
            ],
        );
    });

    describe("keys named like Object.prototype members are unknown keys, not crashes", () => {
        for (const name of ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf"]) {
            it(name, async () => {
                const file = path.join(dir, `Pulumi.proto-${name.replace(/_/g, "u")}.yaml`);
                const base = stringify({ config: BASE_CONFIG });
                fs.writeFileSync(file, `${base}  dualstack:${name}: 1\n  dualstack:pods:\n    ${name}: 1\n`);
                const result = await runCli(["check", file, "--json"]);
                assert.strictEqual(result.code, 1, result.stderr);
                const unknown = findingsOf(result.stdout).filter(([rule]) => rule === "config-unknown-key");
                assert.deepStrictEqual(
                    unknown.map(([rule, severity, key]) => [rule, severity, key]),
                    [
                        ["config-unknown-key", "error", `dualstack:${name}`],
                        ["config-unknown-key", "error", `dualstack:pods.${name}`],
                    ],
                );
                assert.match(unknown[1][3], new RegExp(`^dualstack:pods\\.${name} is not a dualstack configuration key\\.`));
            });
        }
    });

    it("the program's path: engine keys named like Object.prototype members stay keys and are reported", () => {
        const engine = { "dualstack:__proto__": '{"polluted": true}', "dualstack:constructor": "1", "dualstack:controlPlane": '{"toString": 1}' };
        const args = configArgsFromEngine(engine);
        assert.deepStrictEqual(Object.keys(args).sort(), ["__proto__", "constructor", "controlPlane"]);
        const loaded = loadConfig({ ...engine, "dualstack:network": '{"externalNetwork": "public"}' }, { stringValues: true, defaultClusterName: "dev" });
        assert.strictEqual(loaded.config, undefined);
        assert.deepStrictEqual(
            loaded.findings.filter((f) => f.rule === "config-unknown-key").map((f) => f.path),
            ["dualstack:__proto__", "dualstack:constructor", "dualstack:controlPlane.toString"],
        );
        assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
    });

    describe("input that is not a stack file: exit 2, one line", () => {
        const cases: Array<[string, () => string, (file: string) => string]> = [
            ["a directory", () => dir, (file) => `dualstack: ${file}: is a directory\n`],
            ["a character device", () => "/dev/zero", (file) => `dualstack: ${file}: is a device, not a regular file\n`],
            [
                "a named pipe (no writer: must not hang)",
                () => {
                    const fifo = path.join(dir, "Pulumi.fifo.yaml");
                    if (!fs.existsSync(fifo)) spawnSync("mkfifo", [fifo]);
                    return fifo;
                },
                (file) => `dualstack: ${file}: is a named pipe (FIFO), not a regular file\n`,
            ],
            [
                "a file over 1 MiB",
                () => {
                    const big = path.join(dir, "Pulumi.big.yaml");
                    fs.writeFileSync(big, `config:\n  dualstack:clusterName: ${"a".repeat(1024 * 1024)}\n`);
                    return big;
                },
                (file) => `dualstack: ${file}: is larger than 1048576 bytes, the limit for an input file\n`,
            ],
            [
                "an alias bomb",
                () => {
                    const bomb = path.join(dir, "Pulumi.bomb.yaml");
                    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
                    for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
                    fs.writeFileSync(bomb, `${levels.join("\n")}\nconfig:\n  dualstack:reservedCidrs: *l7\n`);
                    return bomb;
                },
                (file) =>
                    `dualstack: ${file}: its YAML aliases expand too far (a resource-exhaustion guard); write the values out instead of nesting aliases\n`,
            ],
            [
                "nesting deeper than the parser's stack",
                () => {
                    const deep = path.join(dir, "Pulumi.deep.yaml");
                    fs.writeFileSync(deep, `config: ${"[".repeat(100_000)}\n`);
                    return deep;
                },
                (file) => `dualstack: ${file}: not valid YAML (line 1): Maximum call stack size exceeded\n`,
            ],
            [
                "a key given twice, deep in the tree",
                () => {
                    const twice = path.join(dir, "Pulumi.twice.yaml");
                    fs.writeFileSync(twice, "config:\n  dualstack:workerPools:\n    - name: a\n      count: 1\n      count: 2\n");
                    return twice;
                },
                (file) => `dualstack: ${file}: not valid YAML (line 5): Map keys must be unique\n`,
            ],
        ];
        for (const [what, make, expected] of cases) {
            it(what, async () => {
                const file = make();
                for (const args of [["check", file], ["plan", file]]) {
                    const result = await runCli(args);
                    assert.deepStrictEqual([result.code, result.stderr, result.stdout], [2, expected(file), ""], args.join(" "));
                }
            });
        }

        it("a policy pack configuration that is a FIFO", async () => {
            const fifo = path.join(dir, "policy.fifo");
            spawnSync("mkfifo", [fifo]);
            const result = await runCli(["plan", "--stack", "dev", "--policy-config", fifo]);
            assert.deepStrictEqual([result.code, result.stderr], [2, `dualstack: ${fifo}: is a named pipe (FIFO), not a regular file\n`]);
        });
    });

    it("tens of thousands of unknown keys: every one reported, in one pass (no quadratic step in reading or rendering)", async () => {
        const file = path.join(dir, "Pulumi.keys.yaml");
        const lines = Array.from({ length: 30_000 }, (_, i) => `  dualstack:k${i}: 1`);
        fs.writeFileSync(file, `config:\n${lines.join("\n")}\n`);
        const result = await runCli(["check", file]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stdout, /FAILED: 1 stack file checked: 30003 errors, 0 warnings\.\n$/);
    });

    describe("YAML as Pulumi reads it", () => {
        it("merge keys (<<) are merged, as gopkg.in/yaml.v3 does", async () => {
            const file = path.join(dir, "Pulumi.merge.yaml");
            fs.writeFileSync(
                file,
                [
                    "shared: &plane",
                    "  flavor: m1.large",
                    "  image: ubuntu-24.04",
                    "config:",
                    "  dualstack:network: {externalNetwork: public}",
                    "  dualstack:access: {apiAllowedCidrs: [203.0.113.0/24]}",
                    "  dualstack:controlPlane:",
                    "    <<: *plane",
                    "    count: 3",
                    "",
                ].join("\n"),
            );
            const result = await runCli(["check", file, "--json"]);
            assert.deepStrictEqual([result.code, findingsOf(result.stdout)], [0, []]);
        });
    });

    describe("check and plan agree", () => {
        it("on controlPlane.endpoint: the same finding, naming the config key", async () => {
            const file = writeStack(dir, "endpoint-agree", deepMerge(BASE_CONFIG, { "dualstack:controlPlane": { endpoint: "10.0.0.1" } }));
            const checked = await runCli(["check", file, "--json"]);
            const planned = await runCli(["plan", file, "--json"]);
            assert.deepStrictEqual([checked.code, planned.code], [1, 1]);
            const expected = [
                [
                    "config-type",
                    "error",
                    "dualstack:controlPlane.endpoint",
                    'dualstack:controlPlane.endpoint is "10.0.0.1" (a string); expected a DNS name such as api.dev.example.com (not an address: the endpoint\'s addresses are in the certificate already).',
                ],
            ];
            assert.deepStrictEqual(findingsOf(checked.stdout), expected);
            assert.deepStrictEqual(findingsOf(planned.stdout), expected);
            // A name with upper-case letters is a DNS name to both.
            const named = writeStack(dir, "endpoint-named", deepMerge(BASE_CONFIG, { "dualstack:controlPlane": { endpoint: "API.Example.org" } }));
            assert.strictEqual((await runCli(["check", named])).code, 0);
        });
    });

    describe("the command line", () => {
        const usage = (line: string) => new RegExp(`^dualstack: ${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n\nUsage:`);

        it("--out '' writes nothing: a usage error", async () => {
            const before = fs.readdirSync(".");
            const result = await runCli(["plan", "--stack", "dev", "--out", ""]);
            assert.strictEqual(result.code, 2);
            assert.match(result.stderr, usage("--out is empty; give the directory to write the artefacts to"));
            assert.deepStrictEqual(fs.readdirSync("."), before);
        });

        it("--stack cannot leave the stacks folder", async () => {
            for (const [command, stack] of ["../Pulumi", "../../etc/passwd", "a/b", "..", "dev\n", ""].flatMap((name) => [["plan", name], ["verify", name]])) {
                const result = await runCli([command, "--stack", stack]);
                assert.strictEqual(result.code, 2, JSON.stringify(stack));
                assert.match(result.stderr, /^dualstack: --stack .* is not a stack name: Pulumi stack names are letters, digits, "-", "_" and "\." \(at most 100\)/);
                assert.ok(!result.stderr.split("\n\n")[0].includes("\n"), result.stderr);
            }
        });

        it("--out does not follow a symbolic link it did not create", async () => {
            const out = path.join(dir, "out");
            const elsewhere = path.join(dir, "elsewhere");
            fs.mkdirSync(out);
            fs.symlinkSync(elsewhere, path.join(out, "control-plane-init"));
            const result = await runCli(["plan", "--stack", "dev", "--out", out]);
            assert.deepStrictEqual(
                [result.code, result.stderr],
                [2, `dualstack: --out ${out}: control-plane-init is a symbolic link; plan writes only into real directories. Remove the link or choose another directory.\n`],
            );
            assert.strictEqual(fs.existsSync(elsewhere), false);
            // A link in place of a file is refused too, and the file it points to is untouched.
            fs.rmSync(path.join(out, "control-plane-init"));
            const target = path.join(dir, "victim");
            fs.writeFileSync(target, "keep");
            fs.symlinkSync(target, path.join(out, "address-plan.json"));
            const linked = await runCli(["plan", "--stack", "dev", "--out", out]);
            assert.deepStrictEqual(
                [linked.code, linked.stderr],
                [2, `dualstack: --out ${out}: address-plan.json is a symbolic link; plan does not write through links it did not create. Remove it.\n`],
            );
            assert.strictEqual(fs.readFileSync(target, "utf8"), "keep");
        });

        it("huge and multi-line values are cut and escaped in the one-line reason", async () => {
            const result = await runCli([`${"z".repeat(100_000)}\nerror fake`]);
            assert.strictEqual(result.code, 2);
            const first = result.stderr.split("\n\n")[0];
            // The line break is escaped into the value, and the value is cut: one line, whatever the input.
            assert.strictEqual(first, `dualstack: unknown command "${"z".repeat(59)}…[100008 characters] fake"`);
        });
    });

    describe("output", () => {
        it("Markdown escapes HTML and Markdown in values, and code spans hold any text", () => {
            assert.strictEqual(escapeMarkdown('<img src=x onerror=alert(1)> [a](http://x) *b* | c'), "\\<img src=x onerror=alert(1)\\> \\[a\\](http://x) \\*b\\* \\| c");
            assert.strictEqual(markdownCode("a`b|c"), "``a`b\\|c``");
            const table = renderFindings([{ rule: "config-type", severity: "error", path: "dualstack:<b>`x`", message: "is <script>alert(1)</script>", file: "f" }], "markdown");
            assert.strictEqual(
                table.split("\n")[2],
                "| error | `config-type` | `` dualstack:<b>`x` `` | is \\<script\\>alert(1)\\</script\\> (f) |",
            );
        });

        it("PEM redaction is linear: a megabyte of unterminated BEGIN lines comes back as it was", () => {
            const text = "-----BEGIN RSA PRIVATE KEY-----\n".repeat(32_768);
            assert.strictEqual(redact(text, []), text);
            assert.strictEqual(redact(`${text}abc\n-----END RSA PRIVATE KEY-----\nafter`, []), "[redacted rsa private key]\nafter");
        });
    });
});
