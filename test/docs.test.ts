/**
 * Every rule id the code can emit, every configuration key and every CLI flag is
 * documented.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterConfigArgsSource, schemaKeyPaths, withConfigReference } from "../components/config";

const ROOT = path.join(__dirname, "..");

function sources(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Rule ids in `error("id"`, `warning("id"`, `rule: "id"` and `["id", ...]` rule tables. */
export function ruleIdsInCode(): Set<string> {
    const ids = new Set<string>();
    const patterns = [/\b(?:error|warning)\(\s*"([a-z0-9]+(?:-[a-z0-9]+)+)"/g, /\brule:\s*"([a-z0-9]+(?:-[a-z0-9]+)+)"/g, /\["([a-z0-9]+(?:-[a-z0-9]+)+)",\s*(?:keys|facts)\./g];
    for (const file of [...sources(path.join(ROOT, "components")), ...sources(path.join(ROOT, "policies"))]) {
        const text = fs.readFileSync(file, "utf8");
        for (const pattern of patterns) for (const match of text.matchAll(pattern)) ids.add(match[1]);
    }
    return ids;
}

describe("documentation", () => {
    const rulesDoc = fs.readFileSync(path.join(ROOT, "docs", "rules.md"), "utf8");
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const allDocs = [readme, ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => fs.readFileSync(path.join(ROOT, "docs", f), "utf8"))].join("\n");

    it("docs/rules.md documents every rule id the code emits", () => {
        const ids = [...ruleIdsInCode()];
        assert.ok(ids.length > 40, `found only ${ids.length} rule ids; the scan is broken`);
        const missing = ids.filter((id) => !rulesDoc.includes(`\`${id}\``));
        assert.deepStrictEqual(missing, []);
    });

    it("the README's configuration reference lists every key", () => {
        const missing = schemaKeyPaths().filter((key) => !readme.includes(`\`${key}\``));
        assert.deepStrictEqual(missing, []);
    });

    it("every CLI flag is documented", () => {
        for (const flag of ["--json", "--stack", "--out", "--format", "--kubeconfig", "--context", "--image", "--egress", "--namespace", "--timeout"]) {
            assert.ok(allDocs.includes(flag), flag);
        }
    });
});

describe("README configuration reference", () => {
    it("is the table generated from the schema (run npm run docs after changing the schema)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.strictEqual(readme, withConfigReference(readme));
    });
});

describe("generated Cluster arguments", () => {
    it("components/cluster/configArgs.ts is generated from the schema (run npm run docs after changing the schema)", () => {
        assert.strictEqual(fs.readFileSync(path.join(ROOT, "components", "cluster", "configArgs.ts"), "utf8"), clusterConfigArgsSource());
    });
});
