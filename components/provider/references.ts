/**
 * Type references of a Pulumi package schema, checked by the rules of Pulumi's schema binder
 * (pulumi/pulumi `pkg/codegen/schema/bind.go`: `parseTypeSpecRef` and `bindTypeSpecRef`),
 * which every SDK generator (`pulumi package gen-sdk`, `pulumi package add`) runs first: one
 * reference it rejects fails the whole package. And the one fix the inferred schema needs.
 */

/** A property or type of a schema, as far as references go. */
export interface SchemaProperty {
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
}

/** The parts of a package schema that hold references. */
export interface PackageSchema {
    name: string;
    version?: string;
    resources: Record<string, { inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }>;
    types: Record<string, { properties?: Record<string, SchemaProperty> }>;
    dependencies?: Array<{ name: string; version?: string }>;
}

/** Whether a resource token exists in another package (e.g. by the SDK's `__pulumiType`); undefined: cannot tell. */
export type ResourceLookup = (packageName: string, version: string | undefined, token: string) => boolean | undefined;

/** The built-in types of `pulumi.json` (bindTypeSpecRef handles them before parsing). */
const BUILTIN_REFS = new Set(["pulumi.json#/Archive", "pulumi.json#/Asset", "pulumi.json#/Json", "pulumi.json#/Any"]);

/** An external schema path: `/<package>/v<version>/schema.json` (bind.go `refPathRegex`). */
const EXTERNAL_PATH = /^\/?([-\w]+)\/(v[^/]*)\/schema\.json$/;

/** A resource or type token: `<package>:<module>:<Name>` (tokens.Type; the module may be empty). */
const TOKEN = /^([^:]+):([^:]*):([^:]+)$/;

/** Every `$ref` of a schema, with the JSON pointer of the property holding it. */
export function schemaReferences(spec: PackageSchema): Array<{ path: string; ref: string }> {
    const found: Array<{ path: string; ref: string }> = [];
    const visit = (property: SchemaProperty | undefined, path: string) => {
        if (property === undefined) return;
        if (property.$ref !== undefined) found.push({ path: `${path}/$ref`, ref: property.$ref });
        visit(property.items, `${path}/items`);
        visit(property.additionalProperties, `${path}/additionalProperties`);
    };
    const escape = (token: string) => token.replace(/~/g, "~0").replace(/\//g, "~1");
    for (const [token, resource] of Object.entries(spec.resources)) {
        for (const [name, p] of Object.entries(resource.inputProperties ?? {})) visit(p, `#/resources/${escape(token)}/inputProperties/${name}`);
        for (const [name, p] of Object.entries(resource.properties ?? {})) visit(p, `#/resources/${escape(token)}/properties/${name}`);
    }
    for (const [token, type] of Object.entries(spec.types)) {
        for (const [name, p] of Object.entries(type.properties ?? {})) visit(p, `#/types/${escape(token)}/properties/${name}`);
    }
    return found;
}

/** A reference, parsed as `parseTypeSpecRef` parses it; a string is why it is rejected. */
type ParsedRef = { packageName: string; version?: string; kind: "provider" | "resources" | "types"; token: string } | string;

function parseRef(spec: PackageSchema, ref: string): ParsedRef {
    const hash = ref.indexOf("#");
    const refPath = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? "" : ref.slice(hash + 1);
    let packageName = spec.name;
    let version = spec.version;
    if (refPath !== "") {
        const match = EXTERNAL_PATH.exec(decodeURIComponent(refPath));
        if (!match) return `failed to parse path '${refPath}'`;
        [, packageName, version] = match;
        version = version.replace(/^v/, "");
    }
    const clean = fragment.replace(/^\/+/, "");
    const slash = clean.indexOf("/");
    const kind = slash < 0 ? clean : clean.slice(0, slash);
    const token = slash < 0 ? "" : clean.slice(slash + 1);
    switch (kind) {
        case "provider":
            return token === "" ? { packageName, version, kind, token: `pulumi:providers:${packageName}` } : `invalid provider reference '${ref}'`;
        case "resources":
        case "types":
            return { packageName, version, kind, token: decodeURIComponent(token) };
        default:
            return `invalid type reference '${ref}'`;
    }
}

/**
 * What Pulumi's schema binder would say about every reference: the problems (errors, and the
 * deprecation it warns about today and means to turn into an error), each with its pointer.
 * `lookup` answers for resources of other packages; without an answer, the token's shape and
 * package are checked.
 */
export function checkSchemaReferences(spec: PackageSchema, lookup: ResourceLookup = () => undefined): string[] {
    const problems: string[] = [];
    for (const { path, ref } of schemaReferences(spec)) {
        if (BUILTIN_REFS.has(ref)) continue;
        const parsed = parseRef(spec, ref);
        if (typeof parsed === "string") {
            problems.push(`${path}: ${parsed}`);
            continue;
        }
        const { packageName, version, kind, token } = parsed;
        if (kind !== "provider" && token.startsWith("pulumi:providers:")) {
            problems.push(`${path}: reference to provider resource '/resources/${token}' is deprecated, use '#/provider' instead`);
            continue;
        }
        const external = packageName !== spec.name;
        if (external) {
            const declared = (spec.dependencies ?? []).some((d) => d.name === packageName && (d.version === undefined || version === undefined || d.version === version));
            if (!declared) problems.push(`${path}: package ${packageName}@${version ?? "*"} is not among the schema's dependencies`);
            if (kind === "provider") continue;
            const shape = TOKEN.exec(token);
            if (kind === "resources" && (!shape || shape[1] !== packageName || lookup(packageName, version, token) === false)) {
                problems.push(`${path}: resource type ${token} not found in package ${packageName}`);
            } else if (kind === "types" && (!shape || shape[1] !== packageName)) {
                problems.push(`${path}: type ${token} not found in package ${packageName}`);
            }
            continue;
        }
        if (kind === "types" && !(token in spec.types)) problems.push(`${path}: type ${token} not found in package ${packageName}`);
        if (kind === "resources" && !(token in spec.resources)) problems.push(`${path}: resource type ${token} not found in package ${packageName}`);
    }
    return problems;
}

/**
 * Rewrite the references @pulumi/pulumi's component analyzer writes for a provider class
 * (`/kubernetes/v4.34.2/schema.json#/resources/kubernetes`: a provider's `__pulumiType` is
 * the bare package name) into the form the binder expects (`…/schema.json#/provider`).
 * Returns a new schema; other references are kept as written.
 */
export function fixProviderReferences<T extends PackageSchema>(spec: T): T {
    const copy = JSON.parse(JSON.stringify(spec)) as T;
    const fix = (property: SchemaProperty | undefined) => {
        if (property === undefined) return;
        if (property.$ref !== undefined) {
            const match = /^(\/?([-\w]+)\/v[^/]*\/schema\.json)#\/resources\/([^:/]+)$/.exec(property.$ref);
            if (match && match[2] === match[3]) property.$ref = `${match[1]}#/provider`;
        }
        fix(property.items);
        fix(property.additionalProperties);
    };
    for (const resource of Object.values(copy.resources)) {
        Object.values(resource.inputProperties ?? {}).forEach(fix);
        Object.values(resource.properties ?? {}).forEach(fix);
    }
    for (const type of Object.values(copy.types)) Object.values(type.properties ?? {}).forEach(fix);
    return copy;
}
