/**
 * Stack configuration → typed ClusterConfig with the documented defaults. Type errors,
 * unknown keys (with a did-you-mean) and missing required values become findings naming the
 * key; the address and Kubernetes rules run later, on the typed config.
 */
import { contains, parseCidr } from "../addressing/cidr";
import { ALL_FAMILIES, familyFacts, IpFamily, isIpFamily } from "../addressing/family";
import { error, Finding, hasErrors, warning } from "../addressing/findings";
import { HostPort, parseHostPort } from "../addressing/hostPort";
import { ULA_DEFAULT_PREFIX, UNIQUE_LOCAL_RANGE } from "../addressing/ula";
import { CALICO_VERSION, KUBERNETES_VERSION } from "../versions";
import { INPUT_MARK, key, keys, NAMESPACE } from "./keys";
import { CLUSTER_NAME, CONFIG_SCHEMA, Field, FieldType } from "./schema";
import {
    ClusterConfig,
    Encapsulation,
    FamilyMap,
    GatewayConfig,
    GatewayPeerConfig,
    NodeRangeSpec,
    ProxyMode,
    RangeSpec,
    SecretSetting,
    ServerGroupPolicy,
    WorkerPoolConfig,
} from "./types";

/** Documented defaults, in one place. */
export const DEFAULTS = {
    ipFamilies: ["IPv4", "IPv6"] as IpFamily[],
    nodeCidr: { IPv4: "10.0.0.0/22", IPv6: "ula" } as Record<IpFamily, string>,
    podCidr: { IPv4: "10.244.0.0/16", IPv6: "ula" } as Record<IpFamily, string>,
    serviceCidr: { IPv4: "10.96.0.0/16", IPv6: "ula" } as Record<IpFamily, string>,
    ipv6AddressMode: "dhcpv6-stateful",
    ipv6PrefixLength: 64,
    kubernetesVersion: KUBERNETES_VERSION.version,
    proxyMode: "ipvs" as ProxyMode,
    controlPlaneCount: 1,
    workerPool: { name: "workers", count: 2 },
    calicoVersion: CALICO_VERSION.version,
    encapsulation: "None" as Encapsulation,
    controlPlaneServerGroupPolicy: "anti-affinity" as ServerGroupPolicy,
    workerServerGroupPolicy: "soft-anti-affinity" as ServerGroupPolicy,
    gatewayCount: 2,
    gatewayClientCidr: { IPv4: "10.254.0.0/24", IPv6: "ula" } as Record<IpFamily, string>,
    /** WireGuard's customary port (wg(8) examples, wg-quick). */
    gatewayListenPort: 51820,
    /** agnhost has the test server (netexec) and the probes' sh, curl, dig and nc. */
    verifyImage: "registry.k8s.io/e2e-test-images/agnhost:2.53",
    verifyTimeoutSeconds: 300,
} as const;

/** Where the raw values come from. */
export interface LoadOptions {
    /**
     * The cluster name when `dualstack:clusterName` is not set: the stack name (program,
     * `check`, `plan`) or the component name. It must be a valid cluster name too.
     */
    readonly defaultClusterName?: string;
    /**
     * Values as Pulumi's engine hands them to a program (`pulumi.runtime.allConfig()`): every
     * top-level value is a string, objects and lists as JSON.
     */
    readonly stringValues?: boolean;
}

/** The result of loading: a config when no error was found, and every finding. */
export interface LoadResult {
    readonly config?: ClusterConfig;
    readonly findings: Finding[];
    /** The keys the configuration sets itself (`dualstack:pods.ipv4Cidr`); everything else is a default. */
    readonly explicitKeys: ReadonlySet<string>;
    /**
     * The config as it reads without its unknown keys, when they are its only errors: an
     * unknown key drops nothing else, so `check` and `plan` still run every other rule on it
     * and report all findings of the file at once. Never used to build anything.
     */
    readonly withoutUnknownKeys?: ClusterConfig;
}

type Tree = { [name: string]: unknown };

/**
 * Load a stack's `config:` map. Keys may carry the namespace (`dualstack:pods`) or not (the
 * project namespace, as Pulumi reads them); keys of other namespaces are ignored.
 */
export function loadConfig(raw: Readonly<Record<string, unknown>>, options: LoadOptions = {}): LoadResult {
    const findings: Finding[] = [];
    const tree: Tree = {};
    for (const [rawKey, rawValue] of Object.entries(raw)) {
        const colon = rawKey.indexOf(":");
        if (colon < 0) {
            // Pulumi refuses a stack-file key without a namespace.
            findings.push(
                error(
                    "config-unknown-key",
                    rawKey,
                    `${rawKey} has no namespace; Pulumi reads stack-file keys as <namespace>:<name>. Write ${key(rawKey)} ` +
                        `(pulumi config set adds the namespace for you).`,
                ),
            );
            continue;
        }
        const namespace = rawKey.slice(0, colon);
        const name = rawKey.slice(colon + 1);
        if (namespace !== NAMESPACE) continue;
        const field = fieldOf(CONFIG_SCHEMA, name);
        if (field === undefined) {
            findings.push(unknownKey(key(name), name, CONFIG_SCHEMA));
            continue;
        }
        const value = options.stringValues ? fromEngineString(rawValue, field.type) : rawValue;
        const clean = checkValue(value, field.type, key(name), findings);
        if (clean !== undefined) tree[name] = clean;
    }
    const config = buildConfig(tree, findings);
    if (config.clusterName === undefined && options.defaultClusterName !== undefined) {
        findings.push(...checkDefaultClusterName(options.defaultClusterName));
    }
    const withName = config.clusterName === undefined && options.defaultClusterName !== undefined ? { ...config, clusterName: options.defaultClusterName } : config;
    const onlyUnknownKeys = findings.every((f) => f.severity !== "error" || f.rule === "config-unknown-key");
    return {
        config: hasErrors(findings) ? undefined : withName,
        findings,
        explicitKeys: leafKeys(tree, key("")),
        withoutUnknownKeys: onlyUnknownKeys ? withName : undefined,
    };
}

/** The stack (or component) name stands in for `clusterName` only when it is a valid one. */
function checkDefaultClusterName(name: string): Finding[] {
    if (CLUSTER_NAME.test(name)) return [];
    const suggestion =
        name
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, "")
            .slice(0, 32) || "my-cluster";
    return [
        error(
            "config-required",
            keys.clusterName,
            `${keys.clusterName} is not set and the stack name "${name}" cannot be a cluster name: it names machines and ` +
                `must be a lower-case DNS label of at most 32 characters. Set it: pulumi config set clusterName ${suggestion}`,
        ),
    ];
}

/** Dotted paths of every value in the checked tree, lists as `[i]`. */
function leafKeys(value: unknown, prefix: string, into = new Set<string>()): Set<string> {
    if (Array.isArray(value)) {
        into.add(prefix);
        value.forEach((item, index) => leafKeys(item, `${prefix}[${index}]`, into));
    } else if (value !== null && typeof value === "object") {
        const separator = prefix.endsWith(":") ? "" : ".";
        for (const [name, item] of Object.entries(value as Tree)) leafKeys(item, `${prefix}${separator}${name}`, into);
    } else {
        into.add(prefix);
    }
    return into;
}

/**
 * The `dualstack:` keys of the engine's configuration (`pulumi.runtime.allConfig()`), without
 * the namespace and with values decoded by their schema type: the arguments of the Cluster
 * component. Unknown keys are kept, so that loading reports them.
 */
export function configArgsFromEngine(all: Readonly<Record<string, string>>): Record<string, unknown> {
    // A null prototype keeps a key named "__proto__" an own key, so that loading reports it.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [rawKey, value] of Object.entries(all)) {
        const colon = rawKey.indexOf(":");
        if (colon < 0 || rawKey.slice(0, colon) !== NAMESPACE) continue;
        const name = rawKey.slice(colon + 1);
        const field = fieldOf(CONFIG_SCHEMA, name);
        out[name] = field === undefined ? value : fromEngineString(value, field.type);
    }
    return out;
}

/**
 * The schema field of a key, own keys only: a key named like an Object.prototype member
 * (`constructor`, `__proto__`, `toString`) is an unknown key, not the member.
 */
function fieldOf(fields: Readonly<Record<string, Field>>, name: string): Field | undefined {
    return Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** Top-level values from the engine are strings; objects and lists are JSON. */
function fromEngineString(value: unknown, type: FieldType): unknown {
    if (typeof value !== "string") return value;
    switch (type.kind) {
        case "object":
        case "list":
        case "integer":
        case "boolean":
            try {
                return JSON.parse(value);
            } catch {
                return value;
            }
        default:
            return value;
    }
}

/** A short description of a value for messages: `"three" (a string)`, `a list`. */
export function describeValue(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    switch (typeof value) {
        case "string":
            return `"${value}" (a string)`;
        case "number":
            return `${value} (a number)`;
        case "boolean":
            return `${value} (a boolean)`;
        case "object":
            return "an object";
        default:
            return String(value);
    }
}

function expectedOf(type: FieldType): string {
    switch (type.kind) {
        case "string":
            return type.expected ?? "a string";
        case "integer":
            if (type.min !== undefined && type.max !== undefined) return `an integer from ${type.min} to ${type.max}`;
            if (type.min !== undefined) return `an integer of at least ${type.min}`;
            return "an integer";
        case "boolean":
            return "true or false";
        case "enum":
            return `one of ${type.values.join(", ")}`;
        case "range":
            return [
                "a CIDR in quotes",
                type.ula ? ' or "ula" / "ula/N"' : "",
                type.nullable ? " or null (none)" : "",
            ].join("");
        case "list":
            return `a list of at most ${type.maxItems} items, each item ${expectedOf(type.item)}`;
        case "object":
            return `an object with keys ${Object.keys(type.fields).join(", ")}`;
        case "secret":
            return type.expected;
    }
}

function typeError(path: string, value: unknown, type: FieldType, hint = ""): Finding {
    return error(
        "config-type",
        path,
        `${path} is ${describeValue(value)}; expected ${expectedOf(type)}.${hint ? ` ${hint}` : ""}`,
    );
}

/** Check a value against its type; returns the value when it is valid, undefined otherwise. */
function checkValue(value: unknown, type: FieldType, path: string, findings: Finding[]): unknown {
    switch (type.kind) {
        case "string":
            if (typeof value !== "string") {
                const hint = typeof value === "number" ? "Quote the value so YAML keeps it as written." : "";
                findings.push(typeError(path, value, type, hint));
                return undefined;
            }
            if (type.pattern && !type.pattern.test(value)) {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            return value;
        case "integer":
            if (typeof value !== "number" || !Number.isInteger(value)) {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            return value;
        case "boolean":
            if (typeof value !== "boolean") {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            return value;
        case "enum":
            if (typeof value !== "string" || !type.values.includes(value)) {
                const suggestion = typeof value === "string" ? didYouMean(value, type.values) : undefined;
                findings.push(typeError(path, value, type, suggestion ? `Did you mean ${suggestion}?` : ""));
                return undefined;
            }
            return value;
        case "range":
            return checkRange(value, type, path, findings);
        case "secret":
            return checkSecret(value, type, path, findings);
        case "list": {
            if (!Array.isArray(value)) {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            if (value.length > type.maxItems) {
                findings.push(error("config-type", path, `${path} has ${value.length} items; it takes at most ${type.maxItems}.`));
                return undefined;
            }
            const items: unknown[] = [];
            value.forEach((item, index) => {
                const clean = checkValue(item, type.item, `${path}[${index}]`, findings);
                if (clean !== undefined) items.push(clean);
            });
            return items;
        }
        case "object": {
            if (value === null || typeof value !== "object" || Array.isArray(value)) {
                findings.push(typeError(path, value, type));
                return undefined;
            }
            const out: Tree = {};
            for (const [name, item] of Object.entries(value as Tree)) {
                const field = fieldOf(type.fields, name);
                if (field === undefined) {
                    findings.push(unknownKey(`${path}.${name}`, name, type.fields));
                    continue;
                }
                const clean = checkValue(item, field.type, `${path}.${name}`, findings);
                if (clean !== undefined) out[name] = clean;
            }
            return out;
        }
    }
}

function checkRange(
    value: unknown,
    type: Extract<FieldType, { kind: "range" }>,
    path: string,
    findings: Finding[],
): unknown {
    if (value === null || value === "none") {
        if (type.nullable) return null;
        findings.push(typeError(path, value, type, "This range cannot be switched off; leave the key out for the default."));
        return undefined;
    }
    if (typeof value !== "string") {
        findings.push(typeError(path, value, type));
        return undefined;
    }
    const ula = /^ula(?:\/(\d+))?$/i.exec(value);
    if (ula) {
        if (!type.ula) {
            findings.push(
                typeError(path, value, type, "Unique local addresses (RFC 4193) are IPv6; give an IPv4 CIDR here."),
            );
            return undefined;
        }
        return value.toLowerCase();
    }
    return value;
}

/** Dotted paths of the secret fields of a schema (`gateway.privateKey`). */
function secretPaths(fields: Readonly<Record<string, Field>>, prefix = ""): string[] {
    return Object.entries(fields).flatMap(([name, field]) => {
        if (field.type.kind === "secret") return [`${prefix}${name}`];
        return field.type.kind === "object" ? secretPaths(field.type.fields, `${prefix}${name}.`) : [];
    });
}

/**
 * `secret-in-clear`: a secret key written as plain text in a stack file, where everyone who
 * can read the repository reads it. `pulumi config set --secret` stores it encrypted.
 */
export function checkSecretsInStackFile(raw: Readonly<Record<string, unknown>>): Finding[] {
    const findings: Finding[] = [];
    for (const path of secretPaths(CONFIG_SCHEMA)) {
        const [top, ...rest] = path.split(".");
        let value: unknown = raw[key(top)];
        for (const name of rest) value = value !== null && typeof value === "object" ? (value as Tree)[name] : undefined;
        if (typeof value !== "string") continue;
        findings.push(
            warning(
                "secret-in-clear",
                key(path),
                `${key(path)} is written in clear in the stack file, so everyone who can read the file has it. Store it ` +
                    `encrypted: pulumi config set --secret --path ${path} <value> (the value is not shown here).`,
            ),
        );
    }
    return findings;
}

/** What kind of value a secret is, never the value itself. */
function secretKind(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A secret value: the decrypted text (the program, run by the engine), or `{secure: ...}` as
 * `pulumi config set --secret` writes it into a stack file (`check`, `plan`: not readable
 * here). Messages describe the value, never show it.
 */
function checkSecret(value: unknown, type: Extract<FieldType, { kind: "secret" }>, path: string, findings: Finding[]): SecretSetting | undefined {
    if (typeof value === "string") {
        // An Output given to the Cluster (its stand-in): checked by the Gateway when it resolves.
        if (type.pattern.test(value) || value.startsWith(INPUT_MARK)) return { kind: "value", text: value };
        findings.push(
            error("config-type", path, `${path} is not ${type.expected}; the value is secret and not shown here. Set it again with pulumi config set --secret --path.`),
        );
        return undefined;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Tree);
        if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") return { kind: "encrypted" };
    }
    findings.push(
        error("config-type", path, `${path} is ${secretKind(value)}; expected ${type.expected}, set with pulumi config set --secret --path (the value is not shown here).`),
    );
    return undefined;
}

function unknownKey(path: string, name: string, fields: Readonly<Record<string, Field>>): Finding {
    const parent = path.slice(0, path.length - name.length);
    if (/[.[]/.test(name)) {
        const [head] = name.split(/[.[]/);
        const structured = fieldOf(fields, head) !== undefined;
        return error(
            "config-unknown-key",
            path,
            structured
                ? `${path} is not a key: ${head} is structured configuration. Write it as a nested value ` +
                      `(pulumi config set --path ${name} <value>), i.e. "${parent}${head}:" with "${name.slice(head.length + 1)}" inside.`
                : `${path} is not a dualstack configuration key; see the configuration reference in README.md.`,
        );
    }
    const suggestion = didYouMean(name, Object.keys(fields));
    return error(
        "config-unknown-key",
        path,
        `${path} is not a dualstack configuration key.` +
            (suggestion ? ` Did you mean ${parent}${suggestion}?` : ` Known keys here: ${Object.keys(fields).join(", ")}.`),
    );
}

/** The closest candidate by edit distance (case-insensitive first), if close enough to be a typo. */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
    // A typo is short; a long value is no key at all (and edit distance grows with its length).
    if (value.length > 100) return undefined;
    const lower = value.toLowerCase();
    const exact = candidates.find((c) => c.toLowerCase() === lower);
    if (exact) return exact;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const distance = editDistance(lower, candidate.toLowerCase());
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    const prefix = candidates.find((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()));
    if (prefix && Math.abs(prefix.length - value.length) <= 3) return prefix;
    const limit = Math.max(2, Math.ceil(value.length / 3));
    return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
        }
        previous = current;
    }
    return previous[b.length];
}

/** `"ula"`, `"ula/52"` or a CIDR string → a RangeSpec. */
export function rangeSpec(value: string, use: keyof typeof ULA_DEFAULT_PREFIX): RangeSpec {
    const ula = /^ula(?:\/(\d+))?$/.exec(value);
    if (ula) return { kind: "ula", prefixLength: ula[1] === undefined ? ULA_DEFAULT_PREFIX[use] : Number(ula[1]) };
    return { kind: "cidr", text: value };
}

function section(tree: Tree, name: string): Tree {
    const value = tree[name];
    return value !== undefined && value !== null && typeof value === "object" ? (value as Tree) : {};
}

/** Apply defaults to the checked tree. Values in the tree have passed their type check. */
function buildConfig(tree: Tree, findings: Finding[]): ClusterConfig {
    const ipFamilies = ((tree.ipFamilies as string[] | undefined) ?? DEFAULTS.ipFamilies).filter(isIpFamily);
    const clusterFamilies = new Set<IpFamily>(ipFamilies);
    const network = section(tree, "network");
    const pods = section(tree, "pods");
    const services = section(tree, "services");
    const kubernetes = section(tree, "kubernetes");
    const controlPlane = section(tree, "controlPlane");
    const calico = section(tree, "calico");
    const access = section(tree, "access");
    const bootstrap = section(tree, "bootstrap");
    const verify = section(tree, "verify");

    const ipv6SubnetPool = network.ipv6SubnetPool as string | undefined;
    const nodeCidrs: FamilyMap<NodeRangeSpec> = {};
    for (const family of ALL_FAMILIES) {
        const value = network[`${familyFacts(family).lowerSuffix}Cidr`] as string | null | undefined;
        if (family === "IPv6" && ipv6SubnetPool !== undefined) {
            if (value !== undefined && value !== null) {
                findings.push(
                    error(
                        "config-conflict",
                        keys.nodeCidr(family),
                        `${keys.nodeCidr(family)} and ${keys.ipv6SubnetPool} are both set; the IPv6 node subnet comes ` +
                            `either from a CIDR or from the subnet pool. Remove one of them.`,
                    ),
                );
            }
            nodeCidrs.IPv6 = {
                kind: "subnetPool",
                pool: ipv6SubnetPool,
                prefixLength: (network.ipv6PrefixLength as number | undefined) ?? DEFAULTS.ipv6PrefixLength,
            };
            continue;
        }
        if (value === null) continue;
        if (value !== undefined) nodeCidrs[family] = rangeSpec(value, "nodes");
        else if (clusterFamilies.has(family)) nodeCidrs[family] = rangeSpec(DEFAULTS.nodeCidr[family], "nodes");
    }

    const podCidrs: FamilyMap<RangeSpec> = {};
    const serviceCidrs: FamilyMap<RangeSpec> = {};
    const nodeMasks: FamilyMap<number> = {};
    const encapsulation: FamilyMap<Encapsulation> = {};
    const blockSizes: FamilyMap<number> = {};
    const natOutgoing: FamilyMap<boolean> = {};
    const familyKeys: Array<[Tree, string, (f: IpFamily) => string]> = [
        [pods, "Cidr", keys.podCidr],
        [services, "Cidr", keys.serviceCidr],
        [pods, "nodeMask", keys.nodeMask],
        [calico, "encapsulation", keys.encapsulation],
        [calico, "blockSize", keys.blockSize],
        [calico, "natOutgoing", keys.natOutgoing],
    ];
    for (const family of ALL_FAMILIES) {
        const facts = familyFacts(family);
        if (!clusterFamilies.has(family)) {
            for (const [tree, field, keyOf] of familyKeys) {
                const name = field === "Cidr" ? `${facts.lowerSuffix}Cidr` : `${field}${facts.keySuffix}`;
                if (tree[name] !== undefined) {
                    findings.push(
                        warning(
                            "config-unused-key",
                            keyOf(family),
                            `${keyOf(family)} is set but ${family} is not in ${keys.ipFamilies}, so it is not used. ` +
                                `Add ${family} to ipFamilies or remove the key.`,
                        ),
                    );
                }
            }
            continue;
        }
        const podValue = (pods[`${facts.lowerSuffix}Cidr`] as string | undefined) ?? DEFAULTS.podCidr[family];
        podCidrs[family] = rangeSpec(podValue, "pods");
        serviceCidrs[family] = rangeSpec(
            (services[`${facts.lowerSuffix}Cidr`] as string | undefined) ?? DEFAULTS.serviceCidr[family],
            "services",
        );
        nodeMasks[family] = (pods[`nodeMask${facts.keySuffix}`] as number | undefined) ?? facts.defaultNodeMask;
        encapsulation[family] =
            (calico[`encapsulation${facts.keySuffix}`] as Encapsulation | undefined) ?? DEFAULTS.encapsulation;
        blockSizes[family] = (calico[`blockSize${facts.keySuffix}`] as number | undefined) ?? facts.defaultBlockSize;
        natOutgoing[family] =
            (calico[`natOutgoing${facts.keySuffix}`] as boolean | undefined) ??
            (family === "IPv4" ? true : isUniqueLocal(podCidrs[family]));
    }

    const controlPlaneFlavor = controlPlane.flavor as string | undefined;
    const controlPlaneImage = controlPlane.image as string | undefined;
    const workerPools = buildWorkerPools(tree, controlPlaneFlavor, controlPlaneImage, findings);

    const config: ClusterConfig = {
        clusterName: tree.clusterName as string | undefined,
        ipFamilies,
        ulaGlobalId: (tree.ulaGlobalId as string | undefined)?.toLowerCase(),
        network: {
            nodeCidrs,
            ipv6AddressMode: (network.ipv6AddressMode as string | undefined) ?? DEFAULTS.ipv6AddressMode,
            ipv6RaMode:
                (network.ipv6RaMode as string | undefined) ??
                (network.ipv6AddressMode as string | undefined) ??
                DEFAULTS.ipv6AddressMode,
            externalNetwork: network.externalNetwork as string | undefined,
            dnsNameservers: (network.dnsNameservers as string[] | undefined) ?? [],
            existingNetwork: network.existingNetwork as string | undefined,
            existingRouter: network.existingRouter as string | undefined,
        },
        pods: { cidrs: podCidrs, nodeMasks },
        services: { cidrs: serviceCidrs },
        reservedCidrs: (tree.reservedCidrs as string[] | undefined) ?? [],
        kubernetes: {
            version: (kubernetes.version as string | undefined) ?? DEFAULTS.kubernetesVersion,
            proxyMode: (kubernetes.proxyMode as ProxyMode | undefined) ?? DEFAULTS.proxyMode,
            allowRangeChanges: (kubernetes.allowRangeChanges as boolean | undefined) ?? false,
        },
        controlPlane: {
            count: (controlPlane.count as number | undefined) ?? DEFAULTS.controlPlaneCount,
            flavor: controlPlaneFlavor,
            image: controlPlaneImage,
            endpoint: controlPlane.endpoint as string | undefined,
            serverGroupPolicy:
                (controlPlane.serverGroupPolicy as ServerGroupPolicy | undefined) ??
                DEFAULTS.controlPlaneServerGroupPolicy,
            availabilityZone: controlPlane.availabilityZone as string | undefined,
            joinExisting: (controlPlane.joinExisting as boolean | undefined) ?? false,
        },
        workerPools,
        calico: {
            version: (calico.version as string | undefined) ?? DEFAULTS.calicoVersion,
            encapsulation,
            blockSizes,
            natOutgoing,
            bgp: (calico.bgp as boolean | undefined) ?? true,
            blockMetadata: (calico.blockMetadata as boolean | undefined) ?? true,
        },
        access: {
            sshKeyName: access.sshKeyName as string | undefined,
            apiAllowedCidrs: (access.apiAllowedCidrs as string[] | undefined) ?? [],
            sshAllowedCidrs: (access.sshAllowedCidrs as string[] | undefined) ?? [],
        },
        bootstrap: { tokenRotation: (bootstrap.tokenRotation as string | undefined) ?? "" },
        verify: {
            afterUp: (verify.afterUp as boolean | undefined) ?? false,
            image: (verify.image as string | undefined) ?? DEFAULTS.verifyImage,
            egressTargets: egressTargets((verify.egressTargets as string[] | undefined) ?? [], findings),
            timeoutSeconds: (verify.timeoutSeconds as number | undefined) ?? DEFAULTS.verifyTimeoutSeconds,
        },
        gateway:
            tree.gateway === undefined
                ? undefined
                : buildGateway(section(tree, "gateway"), ALL_FAMILIES.filter((f) => nodeCidrs[f] !== undefined), controlPlaneFlavor, controlPlaneImage, findings),
    };
    // A value that failed its type check is reported already; "not set" would only repeat it.
    const reported = new Set(findings.map((f) => f.path));
    findings.push(...requiredKeys(config).filter((f) => !reported.has(f.path)));
    return config;
}

/**
 * The access gateway with its defaults: a client range for each family the nodes have
 * (none of a family the nodes lack), the control plane's flavor and image.
 */
function buildGateway(
    gateway: Tree,
    nodeFamilies: readonly IpFamily[],
    defaultFlavor: string | undefined,
    defaultImage: string | undefined,
    findings: Finding[],
): GatewayConfig {
    const clientCidrs: FamilyMap<RangeSpec> = {};
    for (const family of ALL_FAMILIES) {
        const value = gateway[`client${familyFacts(family).keySuffix}Cidr`] as string | null | undefined;
        if (value === null) continue;
        if (!nodeFamilies.includes(family)) {
            if (value !== undefined) {
                findings.push(
                    warning(
                        "config-unused-key",
                        keys.gatewayClientCidr(family),
                        `${keys.gatewayClientCidr(family)} is set but the nodes have no ${family} subnet, so the gateways have no ${family} ` +
                            `address to route it through. Give the nodes an ${family} subnet, or remove the key.`,
                    ),
                );
            }
            continue;
        }
        clientCidrs[family] = rangeSpec(value ?? DEFAULTS.gatewayClientCidr[family], "clients");
    }
    const peers: GatewayPeerConfig[] = [];
    ((gateway.peers as Tree[] | undefined) ?? []).forEach((peer, index) => {
        const missing = (["name", "publicKey", "hostId"] as const).filter(
            (field) => peer[field] === undefined && !findings.some((f) => f.path === keys.gatewayPeer(index, field)),
        );
        for (const field of missing) {
            findings.push(
                error(
                    "config-required",
                    keys.gatewayPeer(index, field),
                    `${keys.gatewayPeer(index, field)} is not set; every peer needs a name, its WireGuard public key and a hostId (its address in the client ranges).`,
                ),
            );
        }
        if (peer.name === undefined || peer.publicKey === undefined || peer.hostId === undefined) return;
        peers.push({ name: peer.name as string, publicKey: peer.publicKey as string, hostId: peer.hostId as number });
    });
    return {
        count: (gateway.count as number | undefined) ?? DEFAULTS.gatewayCount,
        flavor: (gateway.flavor as string | undefined) ?? defaultFlavor,
        image: (gateway.image as string | undefined) ?? defaultImage,
        clientCidrs,
        peers,
        listenPort: (gateway.listenPort as number | undefined) ?? DEFAULTS.gatewayListenPort,
        allowedSourceCidrs: (gateway.allowedSourceCidrs as string[] | undefined) ?? [],
        privateKey: gateway.privateKey as SecretSetting | undefined,
    };
}

/** `verify-egress-target`: literal `address:port` targets, at most one per family. */
function egressTargets(values: readonly string[], findings: Finding[]): HostPort[] {
    const targets: HostPort[] = [];
    values.forEach((value, index) => {
        const path = key(`verify.egressTargets[${index}]`);
        const parsed = parseHostPort(value);
        if (typeof parsed === "string") {
            findings.push(error("verify-egress-target", path, `${path} is "${value}": ${parsed}.`));
        } else if (targets.some((t) => t.family === parsed.family)) {
            findings.push(
                error(
                    "verify-egress-target",
                    path,
                    `${path} is "${value}", a second ${parsed.family} target; the egress check takes one target per family. Keep one.`,
                ),
            );
        } else {
            targets.push(parsed);
        }
    });
    return targets;
}

function isUniqueLocal(spec: RangeSpec | undefined): boolean {
    if (spec === undefined) return false;
    if (spec.kind === "ula") return true;
    const parsed = parseCidr(spec.text);
    return parsed.ok && contains(UNIQUE_LOCAL_RANGE, parsed.cidr);
}

function buildWorkerPools(
    tree: Tree,
    defaultFlavor: string | undefined,
    defaultImage: string | undefined,
    findings: Finding[],
): WorkerPoolConfig[] {
    const raw = (tree.workerPools as Tree[] | undefined) ?? [DEFAULTS.workerPool];
    const seen = new Set<string>();
    const pools: WorkerPoolConfig[] = [];
    raw.forEach((pool, index) => {
        const name = pool.name as string | undefined;
        if (name === undefined) {
            // A name that failed its type check is reported already.
            if (findings.some((f) => f.path === keys.workerPool(index, "name"))) return;
            findings.push(
                error(
                    "config-required",
                    keys.workerPool(index, "name"),
                    `${keys.workerPool(index, "name")} is not set; every worker pool needs a name (a DNS label such as "workers").`,
                ),
            );
            return;
        }
        if (seen.has(name) || name === "control-plane") {
            findings.push(
                error(
                    "config-duplicate-pool",
                    keys.workerPool(index, "name"),
                    `${keys.workerPool(index, "name")} is "${name}", ` +
                        (name === "control-plane"
                            ? "which is the name of the control plane's machines. Choose another pool name."
                            : "the name of an earlier pool; machine names derive from pool names, so each must be unique."),
                ),
            );
            return;
        }
        seen.add(name);
        pools.push({
            name,
            count: (pool.count as number | undefined) ?? DEFAULTS.workerPool.count,
            flavor: (pool.flavor as string | undefined) ?? defaultFlavor,
            image: (pool.image as string | undefined) ?? defaultImage,
            serverGroupPolicy: (pool.serverGroupPolicy as ServerGroupPolicy | undefined) ?? DEFAULTS.workerServerGroupPolicy,
            availabilityZone: pool.availabilityZone as string | undefined,
        });
    });
    return pools;
}

function requiredKeys(config: ClusterConfig): Finding[] {
    const findings: Finding[] = [];
    const missing = (path: string, what: string, example: string) =>
        findings.push(
            error(
                "config-required",
                key(path),
                `${key(path)} is not set; pulumi up needs ${what}. Set it: pulumi config set --path ${path} ${example}`,
            ),
        );
    if (config.controlPlane.flavor === undefined) missing("controlPlane.flavor", "the Nova flavor of the control-plane machines", "m1.large");
    if (config.controlPlane.image === undefined) missing("controlPlane.image", "the Glance image of the machines (with cloud-init)", "ubuntu-24.04");
    if (config.network.externalNetwork === undefined && config.network.existingRouter === undefined) {
        missing("network.externalNetwork", "the external network for the router gateway and floating IPs", "public");
    }
    return findings;
}
