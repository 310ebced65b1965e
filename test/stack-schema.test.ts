/**
 * The stack-file JSON Schema (schemas/stack-file.schema.json), as an editor's YAML extension
 * applies it: generated from the configuration schema, it accepts every shipped stack and
 * flags exactly the keys whose type `dualstack check` refuses.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject } from "ajv";
import { parse } from "yaml";
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchema } from "../components/config/jsonSchema";
import { readStackFile } from "../components/config/stackFile";
import { evaluateStack } from "../components/stack";

const ROOT = path.resolve(__dirname, "..");
const BAD = path.join(__dirname, "fixtures", "stacks");
const shipped = fs.readdirSync(path.join(ROOT, "stacks")).map((f) => path.join(ROOT, "stacks", f));
const bad = fs.readdirSync(BAD).filter((f) => f.endsWith(".yaml")).map((f) => path.join(BAD, f));

/** The findings `check` reports as type errors: wrong types and unknown keys. */
const TYPE_RULES = new Set(["config-type", "config-unknown-key"]);

/** An Ajv error as the configuration key it concerns: `dualstack:workerPools[0].name`. */
function keyOf(e: ErrorObject): string {
    const segments = e.instancePath.split("/").slice(2).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (e.keyword === "additionalProperties") segments.push((e.params as { additionalProperty: string }).additionalProperty);
    return segments.reduce((key, segment, i) => (i === 0 ? segment : /^\d+$/.test(segment) ? `${key}[${segment}]` : `${key}.${segment}`), "");
}

describe("stack-file JSON Schema", () => {
    const schema = stackFileJsonSchema();
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const schemaErrors = (file: string): string[] => {
        validate(parse(fs.readFileSync(file, "utf8")));
        return [...new Set((validate.errors ?? []).filter((e) => e.keyword !== "required").map(keyOf))].sort();
    };

    it("is committed as `npm run docs` generates it", () => {
        assert.deepStrictEqual(JSON.parse(fs.readFileSync(path.join(ROOT, STACK_FILE_SCHEMA_PATH), "utf8")), schema);
    });

    it("accepts every shipped stack", () => {
        assert.ok(shipped.length >= 4);
        for (const file of shipped) assert.deepStrictEqual(schemaErrors(file), [], path.basename(file));
    });

    it("flags exactly the keys whose type or name check refuses, in every bad-input fixture", () => {
        assert.ok(bad.length >= 3);
        for (const file of bad) {
            const refused = evaluateStack(readStackFile(file))
                .findings.filter((f) => TYPE_RULES.has(f.rule))
                .map((f) => f.path);
            assert.ok(refused.length >= 3, `${path.basename(file)} has type errors`);
            assert.deepStrictEqual(schemaErrors(file), [...new Set(refused)].sort(), path.basename(file));
        }
    });

    it("completes every key with its documentation and offers the enumerated values", () => {
        const config = (schema.properties as { config: { properties: Record<string, { description?: string; properties?: Record<string, { enum?: string[] }> }> } }).config;
        assert.ok(Object.values(config.properties).every((p) => (p.description ?? "").length > 0));
        assert.deepStrictEqual(config.properties["dualstack:kubernetes"].properties?.proxyMode.enum, ["ipvs", "iptables", "nftables"]);
    });

    it("is documented for VS Code's YAML extension", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        assert.ok(readme.includes(`"yaml.schemas"`) && readme.includes(STACK_FILE_SCHEMA_PATH));
    });
});
