import * as fs from "fs";
import { stringify } from "yaml";
import { runCli } from "./support/cli";
import { BASE_CONFIG, deepMerge } from "./support/stacks";
const cases: Array<[string, Record<string, unknown>]> = [
  ["nl-cluster", { "dualstack:clusterName": "dev\nbootcmd: [reboot]" }],
  ["empty-flavor", { "dualstack:controlPlane": { flavor: "", image: "" } }],
  ["nul-image", { "dualstack:controlPlane": { image: "ubuntu\u0000" }, "dualstack:network": { externalNetwork: "pub\ufffdlic" } }],
  ["huge-flavor", { "dualstack:controlPlane": { flavor: "x".repeat(1_000_000) } }],
  ["special", { "dualstack:pods": { ipv4Cidr: "127.0.0.0/16" }, "dualstack:services": { ipv4Cidr: "224.0.0.0/16", ipv6Cidr: "::ffff:a00:0/112" } }],
  ["special2", { "dualstack:pods": { ipv4Cidr: "240.0.0.0/16" }, "dualstack:services": { ipv4Cidr: "0.0.0.0/16" } }],
  ["linklocal", { "dualstack:network": { ipv4Cidr: "169.254.168.0/22" } }],
  ["dns", { "dualstack:network": { dnsNameservers: ["fe80::1%eth0", "0.0.0.0", "255.255.255.255", "ff02::1", "127.0.0.53", "9.9.9.9", "9.9.9.9", "1.1.1.1", "8.8.8.8", "8.8.4.4", "9.9.9.10", "149.112.112.112"] } }],
  ["k8s", { "dualstack:kubernetes": { version: "1.034" } }],
  ["k8s2", { "dualstack:kubernetes": { version: "1.40", proxyMode: "nftables" } }],
  ["calico", { "dualstack:calico": { version: "v3.31.0", blockMetadata: false } }],
  ["calico2", { "dualstack:calico": { version: "v3.40.0" } }],
  ["calico3", { "dualstack:kubernetes": { version: "1.33" } }],
  ["endpoint", { "dualstack:controlPlane": { endpoint: "1.2.3.4" } }],
  ["halves", { "dualstack:access": { sshAllowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } }],
];
(async () => {
  for (const [name, over] of cases) {
    const file = `/tmp/w21/h/Pulumi.${name}.yaml`;
    fs.writeFileSync(file, stringify({ config: deepMerge(BASE_CONFIG, over) }));
    const r = await runCli(["check", file, "--json"]);
    console.log("==", name, r.code, r.stderr);
    for (const f of JSON.parse(r.stdout).findings) console.log(JSON.stringify([f.rule, f.severity, f.path, f.message]));
  }
})();
