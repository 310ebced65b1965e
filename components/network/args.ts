/**
 * Checks on component arguments that are not about address ranges (those live in
 * components/addressing): required fields, mutually exclusive fields, enumerated values,
 * names. Each returns findings, like the address rules, so a component collects every
 * problem and throws once, before it registers anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { containsAddress, parseAddress, parseCidr } from "../addressing/cidr";
import { isDnsLabel } from "../addressing/names";
import { checkCidr } from "../addressing/rules/cidr";
import { ALL_FAMILIES, familyFacts, IpFamily } from "../addressing/family";
import { error, Finding, formatFinding, InvalidPlanError, throwOnErrors } from "../addressing/findings";
import { checkEncapsulation } from "../addressing/rules/calico";
import { checkClusterFamiliesOnNodes } from "../addressing/rules/ranges";
import { PodRangesArgs } from "./types";

/** An argument that must be set is missing. */
export function argMissing(path: string, what: string): Finding {
    return error("arg-missing", path, `${path} is not set; ${what}`);
}

/** Two arguments that exclude each other are both set. */
export function argConflict(path: string, other: string, why: string): Finding {
    return error("arg-conflict", path, `${path} and ${other} are both set; ${why}`);
}

/** `arg-invalid` when `value` is not one of `allowed`. */
export function checkOneOf(value: string | undefined, allowed: readonly string[], path: string): Finding[] {
    if (value === undefined || allowed.includes(value)) return [];
    return [error("arg-invalid", path, `${path} is "${value}"; it takes ${allowed.join(", ")}.`)];
}

/** `arg-invalid` unless `value` is an integer of at least `min`. */
export function checkInteger(value: number, min: number, path: string, why: string): Finding[] {
    if (Number.isInteger(value) && value >= min) return [];
    return [error("arg-invalid", path, `${path} is ${value}; it must be an integer of at least ${min} (${why}).`)];
}


/**
 * `arg-invalid` unless `value` is a lower-case DNS label of at most `maxLength` characters.
 * Names end up in hostnames (Kubernetes node names), tags and certificate SANs.
 */
export function checkName(value: string, path: string, maxLength = 63): Finding[] {
    if (typeof value === "string" && value.length <= maxLength && isDnsLabel(value)) return [];
    return [
        error(
            "arg-invalid",
            path,
            `${path} is "${value}"; it becomes part of host names and Kubernetes node names, so it must be ` +
                `lower-case letters, digits and '-', start and end with a letter or digit, and be at most ${maxLength} characters.`,
        ),
    ];
}

/** Throw InvalidPlanError naming the component when any finding is an error. */
export function throwOnArgErrors(findings: readonly Finding[], component: string, name: string): void {
    throwOnErrors(findings, `${component} "${name}"`);
}

/** A value per family, as args spell it: `ipv4?` and `ipv6?`. */
export interface PerFamily<T> {
    /** The IPv4 value. */
    ipv4?: T;
    /** The IPv6 value. */
    ipv6?: T;
}

/** The families that have a value, IPv4 first, with the value. */
export function presentFamilies<T>(perFamily: PerFamily<T> | undefined): Array<[IpFamily, T]> {
    const present: Array<[IpFamily, T]> = [];
    for (const family of ALL_FAMILIES) {
        const value = perFamily?.[familyFacts(family).lowerSuffix];
        if (value !== undefined) present.push([family, value]);
    }
    return present;
}

/** The value of one family. */
export function ofFamily<T>(perFamily: PerFamily<T> | undefined, family: IpFamily): T | undefined {
    return perFamily?.[familyFacts(family).lowerSuffix];
}

/** Build a per-family object from the families that have a value. */
export function perFamily<T>(entries: Iterable<readonly [IpFamily, T]>): PerFamily<T> {
    const out: PerFamily<T> = {};
    for (const [family, value] of entries) out[familyFacts(family).lowerSuffix] = value;
    return out;
}

/**
 * A CIDR argument that may be a plain string or an Output (a range derived from the stack's
 * random ULA /48 is only known once its RandomId exists). A plain string is checked now and
 * its findings returned; an Output is checked when it resolves, and a bad value fails the
 * deployment with the same message. The returned input is the one to use.
 */
export function checkCidrInput(
    value: pulumi.Input<string>,
    family: IpFamily,
    path: string,
    subject: string,
    more: (text: string) => Finding[] = () => [],
): { value: pulumi.Input<string>; findings: Finding[] } {
    if (typeof value === "string") {
        const checked = checkCidr(value, family, path);
        return { value, findings: [...checked.findings, ...(checked.findings.length === 0 ? more(value) : [])] };
    }
    const checked = pulumi.output(value).apply((text) => {
        const result = checkCidr(text, family, path);
        const findings = [...result.findings, ...(result.findings.length === 0 ? more(text) : [])];
        if (findings.some((f) => f.severity === "error")) throw new InvalidPlanError(findings, subject);
        for (const finding of findings) pulumi.log.warn(formatFinding(finding));
        return text;
    });
    return { value: checked, findings: [] };
}

/** A cluster family's pod range, checked. */
export interface PodRangeLayout {
    readonly family: IpFamily;
    readonly cidr: pulumi.Input<string>;
    /** The Calico encapsulation, `None` when not given. */
    readonly encapsulation: string;
}

/**
 * The `podRanges` argument of Network and NodePool: every pod family must be a node family
 * (`nodePath` names the node argument of a family), each encapsulation must suit its family
 * and each CIDR must parse as its family.
 */
export function checkPodRanges(
    podRanges: PodRangesArgs | undefined,
    nodeFamilies: readonly IpFamily[],
    nodePath: (family: IpFamily) => string,
    subject: string,
): { pods: PodRangeLayout[]; findings: Finding[] } {
    const present = presentFamilies(podRanges);
    const findings = checkClusterFamiliesOnNodes(
        present.map(([family]) => family),
        nodeFamilies,
        "podRanges",
        nodePath,
    );
    const pods = present.map(([family, pod]): PodRangeLayout => {
        const path = `podRanges.${familyFacts(family).lowerSuffix}`;
        const encapsulation = pod.encapsulation ?? "None";
        findings.push(...checkEncapsulation(family, encapsulation, `${path}.encapsulation`));
        const checked = checkCidrInput(pod.cidr, family, `${path}.cidr`, subject);
        findings.push(...checked.findings);
        return { family, cidr: checked.value, encapsulation };
    });
    return { pods, findings };
}

/**
 * The address a port has on a subnet: the one inside the subnet's CIDR. Neutron gives a port
 * an address on every SLAAC / dhcpv6-stateless subnet of its network, asked for or not, so
 * neither position nor family alone picks the right one. Without the CIDR, the first address
 * of the family.
 */
export function addressOnSubnet(addresses: readonly string[], family: IpFamily, subnetCidr?: string): string | undefined {
    const range = subnetCidr === undefined ? undefined : parseCidr(subnetCidr);
    return addresses.find((a) => {
        const address = parseAddress(a);
        if (address === undefined || address.family !== family) return false;
        return range === undefined || !range.ok || containsAddress(range.cidr, address.family, address.value);
    });
}

/**
 * A port's address on one of its subnets, as an Output that fails with a message naming the
 * port when the port has none (`subnetCidr` may be unknown until the subnet exists).
 */
export function portAddress(
    port: { readonly allFixedIps: pulumi.Output<string[]> },
    family: IpFamily,
    subnetCidr: pulumi.Input<string> | undefined,
    describe: string,
): pulumi.Output<string> {
    return pulumi.all([port.allFixedIps, subnetCidr]).apply(([ips, cidrText]) => {
        const address = addressOnSubnet(ips, family, cidrText);
        if (address === undefined) {
            throw new Error(`${describe} has no ${family} address${cidrText ? ` in ${cidrText}` : ""} (fixed IPs ${ips.join(", ")}).`);
        }
        return address;
    });
}
