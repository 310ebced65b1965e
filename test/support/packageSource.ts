/**
 * Preloaded (`node -r`) into processes that run code importing the `dualstack` package from
 * inside this repository, such as the policy pack (`policies/index.ts` imports
 * `dualstack/policies`, as it must once published): resolves `dualstack` and its subpaths to
 * the TypeScript sources behind package.json `exports`, so tests never run a stale dist/. The
 * packed pack, installed in a folder of its own, is tested without it
 * (test/policies.package.test.ts).
 */
import * as fs from "fs";
import Module = require("module");
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; exports: Record<string, { types?: string } | string> };

/** `dualstack/policies` → `<root>/components/policies/index.ts`, from each export's declarations. */
export const SOURCE_EXPORTS: ReadonlyMap<string, string> = new Map(
    Object.entries(manifest.exports).flatMap(([subpath, target]) => {
        const types = typeof target === "string" ? undefined : target.types;
        if (types === undefined) return [];
        const request = subpath === "." ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, "")}`;
        return [[request, path.join(ROOT, types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts"))] as [string, string]];
    }),
);

const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
    return resolve.call(this, SOURCE_EXPORTS.get(request) ?? request, ...rest);
};
