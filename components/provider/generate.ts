/**
 * `npm run schema`: the package schema from the TypeScript sources, by @pulumi/pulumi's own
 * component analyzer (what `pulumi package add` infers for a source package), with the entry
 * point `components/index.ts` and the provider references fixed (see ./references.ts). Writes
 * `schema.json`; a test fails when the committed file differs from a fresh generation.
 */
import * as fs from "fs";
import * as path from "path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { packageComponents } from "./provider";
import { fixProviderReferences } from "./references";

/** The repository (or installed package) root. */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

/** The entry point of the component library, as the analyzer must read it (sources, not dist/). */
export const SOURCE_ENTRY = "components/index.ts";

interface Manifest {
    name: string;
    version: string;
    description: string;
}

/**
 * The provider name Pulumi's plugin host derives from package.json `name`
 * (`@pulumi/pulumi/cmd/run-plugin`): no scope, characters outside `[-a-zA-Z0-9_]` as `-`.
 */
export function providerName(packageName: string): string {
    return packageName.replace(/^@[^/]+\//, "").replace(/[^-a-zA-Z0-9_]/g, "-");
}

/** The schema exactly as @pulumi/pulumi's analyzer infers it from the sources (references unfixed). */
export function inferSchema(root: string = PACKAGE_ROOT): PackageSpec {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Manifest;
    const name = providerName(manifest.name);
    // The analyzer reads `exports`, then `main`, mapping `.js` to the `.ts` beside it; the
    // build is in dist/ and `main` is the plugin entry, so it is told the source entry.
    const analyzer = new Analyzer(root, name, { ...manifest, exports: undefined, main: SOURCE_ENTRY }, new Set(packageComponents().keys()));
    const { components, typeDefinitions, dependencies } = analyzer.analyze();
    return generateSchema(name, manifest.version, manifest.description, components, typeDefinitions, dependencies);
}

/** The schema the package serves: the inferred one with provider references the binder accepts. */
export function generatePackageSchema(root: string = PACKAGE_ROOT): PackageSpec {
    return fixProviderReferences(inferSchema(root));
}

/** The text of `schema.json`. */
export function schemaText(spec: PackageSpec): string {
    return `${JSON.stringify(spec, null, 2)}\n`;
}

if (require.main === module) {
    fs.writeFileSync(path.join(PACKAGE_ROOT, "schema.json"), schemaText(generatePackageSchema()));
}
