/**
 * Running the real program (`defineStack`) against the Neutron-backed mock runtime: the
 * shipped stacks, the same stacks in each family mode, and the failure report a person reads
 * when Neutron refuses something.
 */
import * as fs from "fs";
import * as path from "path";
import { familyFacts, IpFamily, otherFamily } from "../../components/addressing/family";
import { parseAddress, parseCidr } from "../../components/addressing/cidr";
import { OfflineRunResult, runOffline } from "../../components/offline/run";
import { defineStack } from "../../components/program";
import { parseStackFile, StackFile } from "../../components/config/stackFile";
import { NeutronClient } from "./client";
import { describeRefusal, NeutronCloud } from "./cloud";

export const STACKS_DIR = path.join(__dirname, "..", "..", "stacks");

/** The shipped stack files, by name. */
export function shippedStacks(): StackFile[] {
    return fs
        .readdirSync(STACKS_DIR)
        .filter((f) => /^Pulumi\..+\.ya?ml$/.test(f))
        .sort()
        .map((f) => parseStackFile(path.join("stacks", f), fs.readFileSync(path.join(STACKS_DIR, f), "utf8")));
}

/** A family mode: the cluster's families, primary first. */
export interface FamilyMode {
    readonly id: string;
    readonly title: string;
    readonly families: readonly IpFamily[];
}

export const FAMILY_MODES: readonly FamilyMode[] = [
    { id: "ipv4-primary", title: "IPv4-primary", families: ["IPv4", "IPv6"] },
    { id: "ipv6-primary", title: "IPv6-primary", families: ["IPv6", "IPv4"] },
    { id: "ipv4-only", title: "IPv4-only", families: ["IPv4"] },
    { id: "ipv6-only", title: "IPv6-only", families: ["IPv6"] },
];

const DEFAULT_FAMILIES: readonly IpFamily[] = ["IPv4", "IPv6"];

/**
 * Client ranges of the shipped stacks, per family: a single-family mode whose allowed API or
 * SSH ranges were all of the other family gets this one, so its API and SSH rules are tested.
 */
const CLIENT_RANGES: Record<IpFamily, string> = { IPv4: "203.0.113.0/24", IPv6: "2001:db8:100::/48" };

/** The families a stack configuration asks for. */
export function familiesOf(config: Readonly<Record<string, unknown>>): IpFamily[] {
    return ((config["dualstack:ipFamilies"] as IpFamily[] | undefined) ?? DEFAULT_FAMILIES).slice();
}

/** The mode of a stack configuration. */
export function modeOf(config: Readonly<Record<string, unknown>>): FamilyMode {
    const families = familiesOf(config).join(",");
    const mode = FAMILY_MODES.find((m) => m.families.join(",") === families);
    if (mode === undefined) throw new Error(`no family mode for ipFamilies ${families}`);
    return mode;
}

type Tree = Record<string, unknown>;

function section(config: Tree, key: string): Tree {
    return { ...((config[`dualstack:${key}`] as Tree | undefined) ?? {}) };
}

function ofFamily(list: unknown, family: IpFamily, parse: (text: string) => IpFamily | undefined): unknown {
    return Array.isArray(list) ? list.filter((text) => parse(String(text)) === family) : list;
}

const cidrFamily = (text: string): IpFamily | undefined => {
    const parsed = parseCidr(text);
    return parsed.ok ? parsed.cidr.family : undefined;
};
const addressFamily = (text: string): IpFamily | undefined => parseAddress(text)?.family;

/**
 * A shipped configuration in another family mode. Dual-stack modes only set `ipFamilies`
 * (the missing family's ranges take their defaults). Single-family modes also drop
 * everything of the other family: its node subnet (so the nodes are single-stack too), pod
 * and service ranges, node mask, Calico settings, DNS servers, allowed ranges (a list left
 * empty gets a documentation range of the family), and the gateway's client range and
 * allowed sources of that family.
 */
export function deriveMode(config: Readonly<Tree>, mode: FamilyMode): Tree {
    const derived: Tree = { ...config, "dualstack:ipFamilies": [...mode.families] };
    if (mode.families.length === 2) return derived;
    const keep = mode.families[0];
    const drop = otherFamily(keep);
    const lower = familyFacts(drop).lowerSuffix;
    const suffix = familyFacts(drop).keySuffix;

    const network = section(config, "network");
    network[`${lower}Cidr`] = null;
    if (drop === "IPv6") for (const key of ["ipv6SubnetPool", "ipv6PrefixLength", "ipv6AddressMode", "ipv6RaMode"]) delete network[key];
    if (network.dnsNameservers !== undefined) network.dnsNameservers = ofFamily(network.dnsNameservers, keep, addressFamily);
    derived["dualstack:network"] = network;

    const pods = section(config, "pods");
    delete pods[`${lower}Cidr`];
    delete pods[`nodeMask${suffix}`];
    derived["dualstack:pods"] = pods;
    const services = section(config, "services");
    delete services[`${lower}Cidr`];
    derived["dualstack:services"] = services;
    const calico = section(config, "calico");
    for (const key of ["encapsulation", "blockSize", "natOutgoing"]) delete calico[`${key}${suffix}`];
    derived["dualstack:calico"] = calico;

    const access = section(config, "access");
    for (const key of ["apiAllowedCidrs", "sshAllowedCidrs"]) {
        if (access[key] === undefined) continue;
        const kept = ofFamily(access[key], keep, cidrFamily) as string[];
        access[key] = kept.length > 0 ? kept : [CLIENT_RANGES[keep]];
    }
    derived["dualstack:access"] = access;
    if (config["dualstack:gateway"] !== undefined) {
        const gateway = section(config, "gateway");
        delete gateway[`client${suffix}Cidr`];
        if (gateway.allowedSourceCidrs !== undefined) {
            const kept = ofFamily(gateway.allowedSourceCidrs, keep, cidrFamily) as string[];
            gateway.allowedSourceCidrs = kept.length > 0 ? kept : [CLIENT_RANGES[keep]];
        }
        derived["dualstack:gateway"] = gateway;
    }
    if (config["dualstack:reservedCidrs"] !== undefined) derived["dualstack:reservedCidrs"] = ofFamily(config["dualstack:reservedCidrs"], keep, cidrFamily);
    return derived;
}

/** One program run against Neutron. */
export interface NeutronRun {
    /** The stack name the program ran as (the cluster name). */
    readonly stack: string;
    /** Where the configuration comes from, for messages: `stacks/Pulumi.dev.yaml, IPv6-only`. */
    readonly origin: string;
    readonly config: Tree;
    readonly project: string;
    readonly cloud: NeutronCloud;
    readonly result: OfflineRunResult;
}

/** Run the program for a configuration; every Neutron resource goes into its own project. */
export async function runAgainstNeutron(neutron: NeutronClient, stack: string, config: Tree, origin: string): Promise<NeutronRun> {
    const project = `dualstack-${stack}`;
    const cloud = new NeutronCloud(neutron, { stack, project, realRsaKeys: false });
    const result = await runOffline(defineStack, { stack, config, realRsaKeys: false }, cloud);
    return { stack, origin, config, project, cloud, result };
}

/** The part of a runtime error after Pulumi's "error serializing property ..." prefixes. */
function rootMessage(error: Error): string {
    return error.message.replace(/^(error serializing property "[^"]*": )+/, "");
}

/**
 * Why a run failed, for a person: each resource Neutron refused (stack, type and name,
 * Neutron's status, error type and message, the request), then the program's own errors,
 * once each. Undefined when the run succeeded.
 */
export function failureReport(run: NeutronRun): string | undefined {
    const refusals = run.cloud.refusals;
    const errors = [...new Set(run.result.errors.map(rootMessage))];
    if (refusals.length === 0 && errors.length === 0) return undefined;
    const lines = [`The program failed against Neutron for stack ${run.stack} (${run.origin}, project ${run.project}).`];
    if (refusals.length > 0) {
        lines.push(`Neutron refused ${refusals.length} resource(s):`, ...refusals.map((r) => `  - ${describeRefusal(r)}`));
    }
    const other = errors.filter((e) => !refusals.some((r) => e.includes(describeRefusal(r))));
    if (other.length > 0) {
        lines.push(`The program raised ${other.length} other error(s):`, ...other.slice(0, 10).map((e) => `  - ${e}`));
        if (other.length > 10) lines.push(`  ... and ${other.length - 10} more`);
    }
    return lines.join("\n");
}
