/**
 * The resources `pulumi up` would create, from an offline run: grouped by the component
 * that owns them, one line each with the inputs that matter (CIDRs, addresses, modes,
 * pools), secrets never shown.
 */
import { RecordedResource } from "../components/offline/cloud";
import { READINESS_ENVIRONMENT } from "../components/kubernetes/readinessCommand";
import { renderTable, TextFormat } from "./format";

function str(value: unknown): string {
    if (value === undefined || value === null || value === "") return "";
    if (Array.isArray(value)) return value.map(str).join(", ");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
}

/** The last segment of a type token: `openstack:networking/subnet:Subnet` → `Subnet`; providers are `Provider`. */
export function shortType(type: string): string {
    if (type.startsWith("pulumi:providers:")) return "Provider";
    return type.split(":").pop() ?? type;
}

/** A reader for resource names by id, so references print as names. */
type NameOf = (id: unknown) => string;

function ports(r: Record<string, unknown>): string {
    const min = r.portRangeMin;
    const max = r.portRangeMax;
    if (min === undefined && max === undefined) return "";
    return min === max ? ` ${min}` : ` ${min}-${max}`;
}

/** One line about a resource: what a reviewer wants to see. */
export function describeResource(r: RecordedResource, nameOf: NameOf): string {
    const i = r.inputs;
    const o = r.outputs;
    const secret = (field: string) => (r.secretOutputs.has(field) ? "secret" : "");
    switch (r.type) {
        case "openstack:networking/network:Network":
            return `network ${str(i.name)}`;
        case "openstack:networking/subnet:Subnet": {
            const modes = i.ipv6AddressMode ? `, ${str(i.ipv6AddressMode)} (RA ${str(i.ipv6RaMode ?? i.ipv6AddressMode)})` : "";
            const pool = i.subnetpoolId ? `, /${str(i.prefixLength)} from subnet pool ${nameOf(i.subnetpoolId)}` : "";
            const dns = i.dnsNameservers ? `, DNS ${str(i.dnsNameservers)}` : "";
            return `${str(o.cidr ?? i.cidr)} IPv${str(i.ipVersion ?? o.ipVersion)}${modes}${pool}${dns}`;
        }
        case "openstack:networking/router:Router":
            return `gateway on ${nameOf(i.externalNetworkId)}`;
        case "openstack:networking/routerInterface:RouterInterface":
            return `${nameOf(i.routerId)} ↔ ${nameOf(i.subnetId)}`;
        case "openstack:networking/routerRoute:RouterRoute":
            return `${str(i.destinationCidr)} via ${str(i.nextHop)} on ${nameOf(i.routerId)}`;
        case "openstack:networking/secGroup:SecGroup":
            return `${str(i.name)}${i.deleteDefaultRules ? " (default rules removed)" : ""}`;
        case "openstack:networking/secGroupRule:SecGroupRule": {
            const from = i.remoteIpPrefix ? str(i.remoteIpPrefix) : i.remoteGroupId ? `group ${nameOf(i.remoteGroupId)}` : "anywhere";
            return `${str(i.direction)} ${str(i.ethertype)} ${str(i.protocol) || "any"}${ports(i)} from ${from}${i.description ? ` (${str(i.description)})` : ""}`;
        }
        case "openstack:networking/port:Port": {
            const pairs = Array.isArray(i.allowedAddressPairs) ? (i.allowedAddressPairs as Array<Record<string, unknown>>).map((p) => str(p.ipAddress)) : [];
            return `fixed IPs ${str(o.allFixedIps)}${pairs.length ? `; allowed pairs ${pairs.join(", ")}` : ""}${
                i.portSecurityEnabled === false ? "; PORT SECURITY OFF" : ""
            }`;
        }
        case "openstack:compute/instance:Instance": {
            const userData = typeof i.userData === "string" ? `user-data ${i.userData.length} bytes${r.secretInputs.has("userData") ? " (secret)" : ""}` : "no user-data";
            const hints = Array.isArray(i.schedulerHints) ? (i.schedulerHints as Array<Record<string, unknown>>).map((h) => nameOf(h.group)).join(", ") : "";
            return `${str(i.flavorName)}, ${str(i.imageName)}${i.keyPair ? `, key ${str(i.keyPair)}` : ""}${i.availabilityZone ? `, ${str(i.availabilityZone)}` : ""}${hints ? `, group ${hints}` : ""}; ${userData}`;
        }
        case "openstack:compute/serverGroup:ServerGroup":
            return `${str(i.policies)}`;
        case "openstack:networking/floatingIp:FloatingIp":
            return `${str(o.address)} from ${str(i.pool)}${i.portId ? ` on ${nameOf(i.portId)}` : ""}`;
        case "openstack:networking/floatingIpAssociate:FloatingIpAssociate":
            return `${str(i.floatingIp)} → ${nameOf(i.portId)}`;
        case "openstack:loadbalancer/loadBalancer:LoadBalancer":
            return `VIP ${str(o.vipAddress)}${i.vipPortId ? ` on ${nameOf(i.vipPortId)}` : ""}`;
        case "openstack:loadbalancer/listener:Listener":
            return `${str(i.protocol)} ${str(i.protocolPort)}${i.allowedCidrs ? ` from ${str(i.allowedCidrs)}` : ""}`;
        case "openstack:loadbalancer/pool:Pool":
            return `${str(i.protocol)} ${str(i.lbMethod)}`;
        case "openstack:loadbalancer/member:Member":
            return `${str(i.address)}:${str(i.protocolPort)}`;
        case "openstack:loadbalancer/monitor:Monitor":
            return `${str(i.type)} every ${str(i.delay)}s${i.urlPath ? ` ${str(i.urlPath)}` : ""}`;
        case "tls:index/privateKey:PrivateKey":
            return `${str(i.algorithm)} ${str(i.ecdsaCurve ?? i.rsaBits)} (private key secret)`;
        case "tls:index/locallySignedCert:LocallySignedCert":
            return `signed by the cluster CA, valid ${str(i.validityPeriodHours)} h`;
        case "tls:index/certRequest:CertRequest":
        case "tls:index/selfSignedCert:SelfSignedCert": {
            const subject = (i.subject ?? {}) as Record<string, unknown>;
            return `CN=${str(subject.commonName)}${subject.organization ? `, O=${str(subject.organization)}` : ""}${i.isCaCertificate ? " (CA)" : ""}`;
        }
        case "random:index/randomId:RandomId":
            return `${str(i.byteLength)} random bytes: ${str(o.hex)}`;
        case "random:index/randomBytes:RandomBytes":
            return `${str(i.length)} random bytes (${secret("base64") || "not secret"})`;
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return `${str(i.length)} characters (${secret("result") || "not secret"})`;
        case "pulumi:providers:kubernetes":
            return `Kubernetes, server-side apply, kubeconfig ${r.secretInputs.has("kubeconfig") ? "(secret)" : ""}`.trim();
        case "kubernetes:helm.sh/v3:Release":
            return `${str(i.chart)} ${str(i.version)} in ${str(i.namespace)} from ${str((i.repositoryOpts as Record<string, unknown> | undefined)?.repo)}`;
        case "kubernetes:helm.sh/v4:Chart":
            return `${str(i.chart)} ${str(i.version)}${i.namespace ? ` in ${str(i.namespace)}` : ""}`;
        case "kubernetes:core/v1:Secret": {
            const meta = (i.metadata ?? {}) as Record<string, unknown>;
            return `${str(meta.namespace)}/${str(meta.name)} ${str(i.type)} (data secret)`;
        }
        case "pulumi-nodejs:dynamic:ApiReadiness":
            return `waits up to ${str(i.timeoutSeconds)} s for ${str(i.url)}`;
        case "command:local:Command": {
            const env = (i.environment ?? {}) as Record<string, unknown>;
            return env[READINESS_ENVIRONMENT.url] === undefined ? "" : `waits up to ${str(env[READINESS_ENVIRONMENT.timeoutSeconds])} s for ${str(env[READINESS_ENVIRONMENT.url])}`;
        }
        case "pulumi:pulumi:StackReference":
            return `reads ${str(i.name)}`;
        default: {
            const meta = (i.metadata ?? {}) as Record<string, unknown>;
            if (meta.name) return `${str(meta.namespace) ? `${str(meta.namespace)}/` : ""}${str(meta.name)}`;
            return "";
        }
    }
}

export interface ResourceGroup {
    /** The owning component ("" for resources without one). */
    readonly component: string;
    readonly componentType: string;
    readonly resources: RecordedResource[];
}

/**
 * A resource the report lists: custom resources, and components of other packages (a Helm
 * chart is a component of @pulumi/kubernetes, but to the reader it is one thing created).
 */
export function isListed(r: RecordedResource): boolean {
    return r.custom || !r.type.startsWith("dualstack:");
}

/** Listed resources grouped by their nearest dualstack component, in registration order. */
export function groupByComponent(resources: readonly RecordedResource[]): ResourceGroup[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const groups = new Map<string, ResourceGroup>();
    for (const r of resources) {
        if (!isListed(r)) {
            if (!groups.has(r.urn)) groups.set(r.urn, { component: r.name, componentType: r.type, resources: [] });
            continue;
        }
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const key = parent?.urn ?? "";
        if (!groups.has(key)) groups.set(key, { component: parent?.name ?? "", componentType: parent?.type ?? "", resources: [] });
        groups.get(key)?.resources.push(r);
    }
    return [...groups.values()].filter((g) => g.resources.length > 0);
}

/** Resource tables, one per component. */
export function renderResources(resources: readonly RecordedResource[], format: TextFormat): string {
    const names = new Map<string, string>();
    for (const r of resources) if (r.id) names.set(r.id, r.name);
    const nameOf: NameOf = (id) => (typeof id === "string" ? names.get(id) ?? id : str(id));
    const custom = resources.filter(isListed);
    const sections = groupByComponent(resources).map((group) => {
        const title = group.component ? `${group.component} (${group.componentType}), ${group.resources.length} resources` : `outside components, ${group.resources.length} resources`;
        const table = renderTable(
            ["type", "name", "details"],
            group.resources.map((r) => [shortType(r.type), r.name, describeResource(r, nameOf)]),
            format,
        );
        return format === "markdown" ? `**${title}**\n\n${table}` : `${title}\n${table}`;
    });
    const counts = new Map<string, number>();
    for (const r of custom) counts.set(shortType(r.type), (counts.get(shortType(r.type)) ?? 0) + 1);
    const summary = `${custom.length} resources: ${[...counts].map(([t, n]) => `${n} ${t}`).join(", ")}.`;
    return [summary, ...sections].join("\n\n");
}
