/**
 * What a run left in Neutron, read back with GET requests, and the checks of the stack runs:
 * each compares Neutron's own view with what the address plan and the program intended, and
 * returns the differences as sentences (empty when everything agrees).
 */
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { containsAddress, parseAddress, parseCidr } from "../../components/addressing/cidr";
import { IpFamily } from "../../components/addressing/family";
import { isNativeWithinSubnet } from "../../components/addressing/rules/calico";
import { PlanSummary } from "../../components/addressing/summary";
import { NODE_PATHS } from "../../components/bootstrap/script";
import { loadConfig } from "../../components/config/load";
import { RuleRemote, RuleSpec, securityGroupRules } from "../../components/network/rules";
import { DEFAULT_LISTEN_PORT, GATEWAY_PATHS, GATEWAY_TAG, gatewaySecurityGroupRules } from "../../components/gateway";
import { RecordedResource } from "../../components/offline/cloud";
import { decodeUserData, kubeadmFilesIn } from "../../cli/artefacts";
import { NEUTRON_TYPES } from "./cloud";
import { NeutronRun } from "./runs";

type Json = Record<string, unknown>;

const INSTANCE = "openstack:compute/instance:Instance";

/** A run's project as Neutron has it. */
export interface NeutronView {
    readonly networks: Json[];
    readonly subnets: Json[];
    readonly routers: Json[];
    readonly ports: Json[];
    readonly securityGroups: Json[];
    readonly rules: Json[];
    readonly floatingIps: Json[];
}

/** Read every resource of the run's project from Neutron. */
export async function readProject(run: NeutronRun): Promise<NeutronView> {
    const neutron = run.cloud.neutron;
    const mine = { tenant_id: run.project };
    return {
        networks: await neutron.list("networks", mine),
        subnets: await neutron.list("subnets", mine),
        routers: await neutron.list("routers", mine),
        ports: await neutron.list("ports", mine),
        securityGroups: await neutron.list("security-groups", mine),
        rules: await neutron.list("security-group-rules", mine),
        floatingIps: await neutron.list("floatingips", mine),
    };
}

/** The run's address plan (the program's `addressPlan` output). */
export function planOf(run: NeutronRun): PlanSummary {
    return run.result.outputs.addressPlan as PlanSummary;
}

function recorded(run: NeutronRun, type: string): RecordedResource[] {
    return run.cloud.resources.filter((r) => r.type === type);
}

function tagsOf(resource: RecordedResource): string[] {
    return (resource.inputs.tags as string[] | undefined) ?? [];
}

/** Ports of machines (they carry the `dualstack-role` tag), with the machine's role. */
function machinePorts(run: NeutronRun): RecordedResource[] {
    return recorded(run, NEUTRON_TYPES.port).filter((p) => tagsOf(p).some((t) => t.startsWith("dualstack-role=")));
}

/** The access gateway's ports: `machine` (a gateway's) or `vip` (a VIP's). */
function gatewayPorts(run: NeutronRun, kind: "machine" | "vip"): RecordedResource[] {
    return recorded(run, NEUTRON_TYPES.port).filter((p) => tagsOf(p).includes(`${GATEWAY_TAG}=${kind}`));
}

/** Cluster machines (they carry the `dualstack-role` tag), not gateways. */
function machineInstances(run: NeutronRun): RecordedResource[] {
    return recorded(run, INSTANCE).filter((i) => tagsOf(i).some((t) => t.startsWith("dualstack-role=")));
}

function byId(list: readonly Json[], id: unknown): Json | undefined {
    return list.find((item) => item.id === id);
}

function familyOfAddress(address: string): IpFamily | undefined {
    return parseAddress(address)?.family;
}

/** The node subnets (Neutron's), by family. */
function nodeSubnets(view: NeutronView): Map<IpFamily, Json> {
    return new Map(view.subnets.map((s) => [(s.ip_version === 4 ? "IPv4" : "IPv6") as IpFamily, s]));
}

/** A port's fixed IPs as Neutron has them. */
function fixedIps(port: Json): Array<{ subnet_id: string; ip_address: string }> {
    return (port.fixed_ips as Array<{ subnet_id: string; ip_address: string }> | undefined) ?? [];
}

/** A port's address of a family, as Neutron allocated it. */
function addressOf(port: Json, family: IpFamily): string | undefined {
    return fixedIps(port).find((f) => familyOfAddress(f.ip_address) === family)?.ip_address;
}

/** Every recorded networking resource exists in Neutron under the id the program got. */
export function checkAccepted(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const where: Array<[string, readonly Json[]]> = [
        [NEUTRON_TYPES.network, view.networks],
        [NEUTRON_TYPES.subnet, view.subnets],
        [NEUTRON_TYPES.router, view.routers],
        [NEUTRON_TYPES.port, view.ports],
        [NEUTRON_TYPES.secGroup, view.securityGroups],
        [NEUTRON_TYPES.secGroupRule, view.rules],
        [NEUTRON_TYPES.floatingIp, view.floatingIps],
        [NEUTRON_TYPES.floatingIpAssociate, view.floatingIps],
    ];
    for (const [type, list] of where) {
        for (const resource of recorded(run, type)) {
            if (byId(list, resource.id) === undefined) problems.push(`${type} "${resource.name}" (id ${resource.id}) is not in Neutron`);
        }
    }
    for (const routerInterface of recorded(run, NEUTRON_TYPES.routerInterface)) {
        const port = byId(view.ports, routerInterface.id);
        if (port === undefined || port.device_owner !== "network:router_interface" || port.device_id !== routerInterface.inputs.routerId) {
            problems.push(`router interface "${routerInterface.name}" (port ${routerInterface.id}) is not a port of router ${routerInterface.inputs.routerId}`);
        }
    }
    const network = (run.config["dualstack:network"] ?? {}) as Json;
    const expectedCounts: Array<[string, number]> = [
        [NEUTRON_TYPES.network, network.existingNetwork === undefined ? 1 : 0],
        [NEUTRON_TYPES.subnet, planOf(run).nodeSubnets.length],
        [NEUTRON_TYPES.router, network.existingRouter === undefined ? 1 : 0],
        [NEUTRON_TYPES.routerInterface, planOf(run).nodeSubnets.length],
        [NEUTRON_TYPES.secGroup, planOf(run).gateway === undefined ? 2 : 3],
        [NEUTRON_TYPES.routerRoute, planOf(run).gateway?.clientRanges.length ?? 0],
    ];
    for (const [type, count] of expectedCounts) {
        const found = recorded(run, type).length;
        if (found !== count) problems.push(`${count} ${type} expected, the program created ${found}`);
    }
    const machines = planOf(run).nodeCount;
    if (machinePorts(run).length !== machines) problems.push(`${machines} machine ports expected, found ${machinePorts(run).length}`);
    for (const route of recorded(run, NEUTRON_TYPES.routerRoute)) {
        const router = byId(view.routers, route.inputs.routerId);
        const held = ((router?.routes as Json[] | undefined) ?? []).some((r) => r.destination === route.inputs.destinationCidr && r.nexthop === route.inputs.nextHop);
        if (!held) problems.push(`router route "${route.name}" (${route.inputs.destinationCidr} via ${route.inputs.nextHop}) is not on router ${route.inputs.routerId}`);
    }
    return problems;
}

/** The node subnets: range, modes, DHCP, DNS servers per family, on the router. */
export function checkSubnets(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const subnets = nodeSubnets(view);
    const dns = ((run.config["dualstack:network"] as Json | undefined)?.dnsNameservers as string[] | undefined) ?? [];
    for (const planned of planOf(run).nodeSubnets) {
        const subnet = subnets.get(planned.family);
        if (subnet === undefined) {
            problems.push(`no ${planned.family} subnet in Neutron`);
            continue;
        }
        const cidr = String(subnet.cidr);
        if (planned.cidr !== undefined && cidr !== planned.cidr) problems.push(`${planned.family} subnet is ${cidr} in Neutron, planned ${planned.cidr}`);
        if (planned.cidr === undefined) {
            if (!cidr.endsWith(`/${planned.prefixLength}`)) problems.push(`${planned.family} subnet from pool is ${cidr}, planned a /${planned.prefixLength}`);
            if (subnet.subnetpool_id === null) problems.push(`${planned.family} subnet ${cidr} does not come from subnet pool ${planned.subnetPool}`);
        }
        const modes = [subnet.ipv6_address_mode ?? undefined, subnet.ipv6_ra_mode ?? undefined];
        if (JSON.stringify(modes) !== JSON.stringify([planned.ipv6AddressMode, planned.ipv6RaMode])) {
            problems.push(`${planned.family} subnet modes are ${JSON.stringify(modes)} in Neutron, planned ${JSON.stringify([planned.ipv6AddressMode, planned.ipv6RaMode])}`);
        }
        if (subnet.enable_dhcp !== true) problems.push(`${planned.family} subnet has DHCP off`);
        const wantedDns = dns.filter((d) => familyOfAddress(d) === planned.family);
        if (JSON.stringify(subnet.dns_nameservers) !== JSON.stringify(wantedDns)) {
            problems.push(`${planned.family} subnet DNS servers are ${JSON.stringify(subnet.dns_nameservers)}, planned ${JSON.stringify(wantedDns)}`);
        }
        const onRouter = view.ports.some(
            (p) => p.device_owner === "network:router_interface" && fixedIps(p).some((f) => f.subnet_id === subnet.id && f.ip_address === subnet.gateway_ip),
        );
        if (!onRouter) problems.push(`${planned.family} subnet ${cidr} has no router interface at its gateway ${subnet.gateway_ip}`);
    }
    return problems;
}

/** Each machine port: one address in each node subnet, inside its range; the pool's tags; the right groups. */
export function checkPortAddresses(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const subnets = nodeSubnets(view);
    const groups = securityGroupIds(run);
    for (const recordedPort of machinePorts(run)) {
        const port = byId(view.ports, recordedPort.id);
        const name = String(recordedPort.inputs.name);
        if (port === undefined) {
            problems.push(`port ${name} is not in Neutron`);
            continue;
        }
        for (const [family, subnet] of subnets) {
            const inSubnet = fixedIps(port).filter((f) => f.subnet_id === subnet.id);
            const range = parseCidr(String(subnet.cidr));
            const address = parseAddress(inSubnet[0]?.ip_address ?? "");
            if (inSubnet.length !== 1 || !range.ok || address === undefined || !containsAddress(range.cidr, family, address.value)) {
                problems.push(`port ${name} has ${JSON.stringify(inSubnet.map((f) => f.ip_address))} in the ${family} subnet ${subnet.cidr}; expected one address inside it`);
            }
        }
        const extra = fixedIps(port).filter((f) => ![...subnets.values()].some((s) => s.id === f.subnet_id));
        if (extra.length > 0) problems.push(`port ${name} has addresses outside the node subnets: ${JSON.stringify(extra)}`);
        const tags = [...((port.tags as string[]) ?? [])].sort();
        if (JSON.stringify(tags) !== JSON.stringify([...tagsOf(recordedPort)].sort())) problems.push(`port ${name} has tags ${JSON.stringify(tags)} in Neutron`);
        const controlPlane = tagsOf(recordedPort).includes("dualstack-role=control-plane");
        const wantedGroups = (controlPlane ? [groups.nodes, groups.controlPlane] : [groups.nodes]).sort();
        const actualGroups = [...((port.security_groups as string[]) ?? [])].sort();
        if (JSON.stringify(actualGroups) !== JSON.stringify(wantedGroups)) problems.push(`port ${name} is in groups ${JSON.stringify(actualGroups)}, expected ${JSON.stringify(wantedGroups)}`);
        if (port.port_security_enabled !== true) problems.push(`port ${name} has port security off`);
    }
    return problems;
}

/** The pod ranges whose traffic leaves nodes unencapsulated: the allowed-address-pairs of every machine port. */
export function plannedAddressPairs(plan: PlanSummary): string[] {
    return plan.families.filter((f) => isNativeWithinSubnet(f.calico.encapsulation)).map((f) => f.pods.cidr);
}

/**
 * Allowed-address-pairs as Neutron stored them, with the port's own MAC: the planned pod
 * ranges on machine ports; on gateway ports the VIPs (as Neutron allocated them) and the
 * WireGuard client ranges; nothing elsewhere.
 */
export function checkAddressPairs(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const wanted = plannedAddressPairs(planOf(run)).sort();
    const vips = gatewayPorts(run, "vip").flatMap((p) => fixedIps(byId(view.ports, p.id) ?? {}).map((f) => f.ip_address));
    const gatewayPairs = [...vips, ...(planOf(run).gateway?.clientRanges ?? []).map((r) => r.cidr)].sort();
    for (const recordedPort of recorded(run, NEUTRON_TYPES.port)) {
        const port = byId(view.ports, recordedPort.id);
        if (port === undefined) continue;
        const machine = tagsOf(recordedPort).some((t) => t.startsWith("dualstack-role="));
        const gateway = tagsOf(recordedPort).includes(`${GATEWAY_TAG}=machine`);
        const pairs = (port.allowed_address_pairs as Array<{ ip_address: string; mac_address: string }>) ?? [];
        const ranges = pairs.map((p) => p.ip_address).sort();
        const expected = machine ? wanted : gateway ? gatewayPairs : [];
        if (JSON.stringify(ranges) !== JSON.stringify(expected)) {
            problems.push(`port ${recordedPort.inputs.name}: allowed-address-pairs ${JSON.stringify(ranges)} in Neutron, planned ${JSON.stringify(expected)}`);
        }
        const foreignMac = pairs.filter((p) => p.mac_address !== port.mac_address);
        if (foreignMac.length > 0) problems.push(`port ${recordedPort.inputs.name}: pairs with another MAC ${JSON.stringify(foreignMac)}`);
    }
    return problems;
}

function securityGroupIds(run: NeutronRun): { nodes: string; controlPlane: string; gateway?: string } {
    const groups = recorded(run, NEUTRON_TYPES.secGroup);
    const find = (suffix: string) => groups.find((g) => String(g.inputs.name).endsWith(suffix))?.id as string;
    return { nodes: find("-nodes"), controlPlane: find("-control-plane"), gateway: find("-gateway") };
}

/** A rule's remote prefix as Neutron must hold it: node subnets as Neutron allocated them, ranges from the plan. */
function remotePrefix(remote: RuleRemote, family: IpFamily, plan: PlanSummary, view: NeutronView): unknown {
    switch (remote.kind) {
        case "cidr":
            return remote.cidr;
        case "nodeSubnet":
            return nodeSubnets(view).get(family)?.cidr;
        case "podRange":
            return plan.families.find((f) => f.family === family)?.pods.cidr;
        case "clientRange":
            return plan.gateway?.clientRanges.find((r) => r.family === family)?.cidr;
        default:
            return undefined;
    }
}

/** A rule in one comparable form. */
function ruleKey(rule: { group: string; direction: string; ethertype: string; protocol?: unknown; min?: unknown; max?: unknown; prefix?: unknown; remoteGroup?: unknown; description?: unknown }): string {
    return JSON.stringify([
        rule.group,
        rule.direction,
        rule.ethertype,
        rule.protocol ?? null,
        rule.min ?? null,
        rule.max ?? null,
        rule.prefix ?? null,
        rule.remoteGroup ?? null,
        rule.description ?? "",
    ]);
}

/**
 * The planned rule set: the rules the address plan and the configuration call for, with
 * every remote resolved as Neutron must hold it (node subnets as Neutron allocated them).
 */
export function plannedRules(run: NeutronRun, view: NeutronView): string[] {
    const loaded = loadConfig(run.config);
    if (loaded.config === undefined) throw new Error(`the configuration of ${run.stack} does not load`);
    const plan = planOf(run);
    const specs: RuleSpec[] = securityGroupRules({
        nodeFamilies: plan.nodeSubnets.map((s) => s.family),
        pods: plan.families.map((f) => ({ family: f.family, encapsulation: f.calico.encapsulation })),
        bgp: loaded.config.calico.bgp,
        apiAllowedCidrs: loaded.config.access.apiAllowedCidrs,
        sshAllowedCidrs: loaded.config.access.sshAllowedCidrs,
        gatewayClientFamilies: (plan.gateway?.clientRanges ?? []).map((r) => r.family),
    });
    const groups = securityGroupIds(run);
    const planned = specs.map((spec) =>
        ruleKey({
            group: spec.group === "nodes" ? groups.nodes : groups.controlPlane,
            direction: spec.direction,
            ethertype: spec.ethertype,
            protocol: spec.protocol,
            min: spec.portRangeMin,
            max: spec.portRangeMax,
            prefix: remotePrefix(spec.remote, spec.ethertype, plan, view),
            remoteGroup: spec.remote.kind === "members" ? groups.nodes : undefined,
            description: spec.description,
        }),
    );
    const gateway = loaded.config.gateway;
    if (gateway !== undefined && plan.gateway !== undefined) {
        const port = gateway.listenPort ?? DEFAULT_LISTEN_PORT;
        const rules = gatewaySecurityGroupRules({
            families: plan.nodeSubnets.map((s) => s.family),
            clientFamilies: plan.gateway.clientRanges.map((r) => r.family),
            allowedSourceCidrs: gateway.allowedSourceCidrs,
        });
        for (const spec of rules) {
            planned.push(
                ruleKey({
                    group: groups.gateway as string,
                    direction: spec.direction,
                    ethertype: spec.ethertype,
                    protocol: spec.protocol,
                    min: spec.wireguard ? port : spec.portRangeMin,
                    max: spec.wireguard ? port : spec.portRangeMax,
                    prefix: remotePrefix(spec.remote, spec.ethertype, plan, view),
                    remoteGroup: spec.remote.kind === "members" ? groups.gateway : undefined,
                    description: spec.description,
                }),
            );
        }
    }
    return planned.sort();
}

/** Security-group rules as Neutron holds them: exactly the planned set, nothing else (Neutron's default egress rules removed). */
export function checkRules(run: NeutronRun, view: NeutronView): string[] {
    const groups = securityGroupIds(run);
    const ours = [groups.nodes, groups.controlPlane, groups.gateway].filter((g) => g !== undefined);
    const actual = view.rules
        .filter((r) => ours.includes(r.security_group_id as string))
        .map((r) =>
            ruleKey({
                group: String(r.security_group_id),
                direction: String(r.direction),
                ethertype: String(r.ethertype),
                protocol: r.protocol,
                min: r.port_range_min,
                max: r.port_range_max,
                prefix: r.remote_ip_prefix,
                remoteGroup: r.remote_group_id,
                description: r.description,
            }),
        )
        .sort();
    const planned = plannedRules(run, view);
    const missing = planned.filter((r) => !actual.includes(r)).map((r) => `planned but not in Neutron: ${r}`);
    const extra = actual.filter((r) => !planned.includes(r)).map((r) => `in Neutron but not planned: ${r}`);
    const problems = [...missing, ...extra];
    if (problems.length === 0 && actual.length !== planned.length) problems.push(`${actual.length} rules in Neutron, ${planned.length} planned`);
    return problems;
}

/** The API endpoint as Neutron allocated it: VIP addresses per family, the floating IP, and the nodes' host for kubeadm. */
export interface Endpoint {
    /** Addresses that must be in the API server certificate (besides the DNS name and the init node's own). */
    readonly addresses: string[];
    /** Host that nodes join (kubeadm controlPlaneEndpoint / apiServerEndpoint). */
    readonly host: string;
    readonly floatingIp?: Json;
    /** The port the floating IP must be on, and its address there. */
    readonly floatingPortId?: string;
    readonly floatingFixedIp?: string;
}

/** The API load balancer's VIP ports (not the access gateway's). */
function vipPorts(run: NeutronRun, view: NeutronView): Map<IpFamily, Json> {
    const out = new Map<IpFamily, Json>();
    const apiVips = recorded(run, NEUTRON_TYPES.port).filter((p) => /-vip-ipv[46]$/.test(p.name) && !tagsOf(p).some((t) => t.startsWith(`${GATEWAY_TAG}=`)));
    for (const recordedPort of apiVips) {
        const family: IpFamily = recordedPort.name.endsWith("ipv4") ? "IPv4" : "IPv6";
        const port = byId(view.ports, recordedPort.id);
        if (port !== undefined) out.set(family, port);
    }
    return out;
}

/** The init node's port (control-plane node 0). */
function initPort(run: NeutronRun, view: NeutronView): Json | undefined {
    const first = machinePorts(run).find((p) => tagsOf(p).includes("dualstack-role=control-plane") && String(p.inputs.name).endsWith("-0"));
    return first === undefined ? undefined : byId(view.ports, first.id);
}

/** The floating IPs of the API (not the one on the access gateway's IPv4 VIP). */
function apiFloatingIps(run: NeutronRun, view: NeutronView): Json[] {
    const gatewayVips = new Set(gatewayPorts(run, "vip").map((p) => p.id));
    return view.floatingIps.filter((f) => !gatewayVips.has(f.port_id as string));
}

export function endpointOf(run: NeutronRun, view: NeutronView): Endpoint {
    const families = planOf(run).ipFamilies;
    const vips = vipPorts(run, view);
    const floatingIp = apiFloatingIps(run, view)[0];
    const floatingAddress = floatingIp === undefined ? [] : [String(floatingIp.floating_ip_address)];
    if (vips.size > 0) {
        const vipAddresses = [...vips].map(([family, port]) => addressOf(port, family) as string);
        const ipv4Vip = vips.get("IPv4");
        return {
            addresses: [...vipAddresses, ...floatingAddress],
            host: addressOf(vips.get(families[0]) as Json, families[0]) as string,
            floatingIp,
            floatingPortId: ipv4Vip?.id as string | undefined,
            floatingFixedIp: ipv4Vip === undefined ? undefined : addressOf(ipv4Vip, "IPv4"),
        };
    }
    const init = initPort(run, view) as Json;
    const own = fixedIps(init).map((f) => f.ip_address);
    return {
        addresses: [...own, ...floatingAddress],
        host: addressOf(init, families[0]) as string,
        floatingIp,
        floatingPortId: init.id as string,
        floatingFixedIp: addressOf(init, "IPv4"),
    };
}

/** The floating IP: on the IPv4 VIP (load balancer) or node 0 (one control plane), at that port's IPv4 address; none without IPv4. */
export function checkFloatingIp(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const ipv4Nodes = planOf(run).nodeSubnets.some((s) => s.family === "IPv4");
    const apiFips = apiFloatingIps(run, view);
    if (!ipv4Nodes) return view.floatingIps.length === 0 ? [] : [`${view.floatingIps.length} floating IPs on a cluster without IPv4 nodes`];
    if (apiFips.length !== 1) return [`one floating IP of the API expected, Neutron has ${apiFips.length}`];
    const endpoint = endpointOf(run, view);
    const fip = endpoint.floatingIp as Json;
    if (fip.port_id !== endpoint.floatingPortId || fip.fixed_ip_address !== endpoint.floatingFixedIp) {
        problems.push(`floating IP ${fip.floating_ip_address} is on port ${fip.port_id} at ${fip.fixed_ip_address}; expected port ${endpoint.floatingPortId} at ${endpoint.floatingFixedIp}`);
    }
    if (run.result.outputs.apiFloatingIp !== fip.floating_ip_address) {
        problems.push(`the stack output apiFloatingIp is ${run.result.outputs.apiFloatingIp}, Neutron allocated ${fip.floating_ip_address}`);
    }
    return problems;
}

/** A kubeadm YAML file's documents by kind. */
function kubeadmDocuments(content: string): Map<string, Json> {
    return new Map(parseAllDocuments(content).map((d) => d.toJS() as Json).map((d) => [String(d.kind), d]));
}

/** `host:port` as kubeadm and the bootstrap script take it. */
function hostPort(host: string): string {
    return familyOfAddress(host) === "IPv6" ? `[${host}]:6443` : `${host}:6443`;
}

/** The bootstrap environment file's variables (`NAME='value'`). */
function environmentOf(cloudConfig: Json): Map<string, string> {
    const file = ((cloudConfig.write_files as Json[]) ?? []).find((f) => f.path === NODE_PATHS.environment);
    const values = new Map<string, string>();
    for (const line of String(file?.content ?? "").split("\n")) {
        const match = /^([A-Z_]+)='(.*)'$/.exec(line);
        if (match) values.set(match[1], match[2].replace(/'\\''/g, "'"));
    }
    return values;
}

/**
 * The user-data of every machine carries the addresses Neutron allocated: kubelet node-ip (in
 * cluster family order), kubeadm advertiseAddress (primary family), the API server
 * certificate's SANs (every endpoint address, nothing Neutron does not know), the endpoint
 * nodes join, the host name, and the node subnets of the bootstrap script.
 */
export function checkUserData(run: NeutronRun, view: NeutronView): string[] {
    const problems: string[] = [];
    const plan = planOf(run);
    const families = plan.ipFamilies;
    const endpoint = endpointOf(run, view);
    const dnsName = ((run.config["dualstack:controlPlane"] as Json | undefined)?.endpoint as string | undefined) ?? undefined;
    const known = new Set([
        ...view.ports.flatMap((p) => fixedIps(p).map((f) => f.ip_address)),
        ...view.floatingIps.map((f) => String(f.floating_ip_address)),
    ]);
    const subnetCidrs = view.subnets.map((s) => String(s.cidr)).sort();
    const instances = machineInstances(run);
    if (instances.length !== plan.nodeCount) problems.push(`${plan.nodeCount} instances expected, ${instances.length} created`);
    for (const instance of instances) {
        const name = String(instance.inputs.name);
        const portId = ((instance.inputs.networks as Json[] | undefined) ?? [])[0]?.port;
        const port = byId(view.ports, portId);
        if (port === undefined) {
            problems.push(`${name}: its port ${portId} is not in Neutron`);
            continue;
        }
        const nodeIps = families.map((f) => addressOf(port, f));
        const text = decodeUserData(String(instance.inputs.userData));
        const cloudConfig = parseYaml(text) as Json;
        if (cloudConfig.hostname !== name) problems.push(`${name}: cloud-init hostname is ${cloudConfig.hostname}`);
        const environment = environmentOf(cloudConfig);
        const nodeSubnetsInFile = (environment.get("NODE_SUBNETS") ?? "").split(" ").filter((s) => s !== "").sort();
        if (JSON.stringify(nodeSubnetsInFile) !== JSON.stringify(subnetCidrs)) {
            problems.push(`${name}: NODE_SUBNETS is ${JSON.stringify(nodeSubnetsInFile)}, Neutron's subnets are ${JSON.stringify(subnetCidrs)}`);
        }
        if (environment.get("API_SERVER_ENDPOINT") !== hostPort(endpoint.host)) {
            problems.push(`${name}: API_SERVER_ENDPOINT is ${environment.get("API_SERVER_ENDPOINT")}, expected ${hostPort(endpoint.host)}`);
        }
        const files = kubeadmFilesIn(text);
        if (files.length === 0) problems.push(`${name}: no kubeadm configuration in its user-data`);
        for (const file of files) {
            const docs = kubeadmDocuments(file.content);
            const nodeConfig = docs.get("InitConfiguration") ?? docs.get("JoinConfiguration");
            const where = `${name} ${file.path}`;
            const registration = (nodeConfig?.nodeRegistration ?? {}) as Json;
            const nodeIp = ((registration.kubeletExtraArgs as Array<{ name: string; value: string }>) ?? []).find((a) => a.name === "node-ip")?.value;
            if (nodeIp !== nodeIps.join(",")) problems.push(`${where}: node-ip is ${nodeIp}, Neutron allocated ${nodeIps.join(",")}`);
            const init = docs.get("InitConfiguration");
            const join = docs.get("JoinConfiguration");
            const local = (init?.localAPIEndpoint ?? (join?.controlPlane as Json | undefined)?.localAPIEndpoint) as Json | undefined;
            const controlPlane = tagsOf(instance).includes("dualstack-role=control-plane");
            if (controlPlane && local?.advertiseAddress !== nodeIps[0]) {
                problems.push(`${where}: advertiseAddress is ${local?.advertiseAddress}, Neutron allocated ${nodeIps[0]} (${families[0]})`);
            }
            if (!controlPlane && local !== undefined) problems.push(`${where}: a worker with a control-plane localAPIEndpoint`);
            const cluster = docs.get("ClusterConfiguration");
            if (cluster !== undefined) {
                const sans = ((cluster.apiServer as Json | undefined)?.certSANs as string[] | undefined) ?? [];
                // The node's own addresses are names of the endpoint only with one control plane; behind a
                // load balancer the cluster-wide list names the endpoint (kubeadm adds each advertise address).
                const host = cluster.controlPlaneEndpoint as string | undefined;
                const wanted = [...endpoint.addresses, ...(host === undefined ? nodeIps : []), ...(dnsName ? [dnsName] : [])];
                const missing = wanted.filter((a) => !sans.includes(a as string));
                if (missing.length > 0) problems.push(`${where}: certSANs ${JSON.stringify(sans)} lack ${JSON.stringify(missing)}`);
                const unknown = sans.filter((s) => familyOfAddress(s) !== undefined && !known.has(s));
                if (unknown.length > 0) problems.push(`${where}: certSANs hold addresses Neutron never allocated: ${JSON.stringify(unknown)}`);
                if (host !== undefined && host !== hostPort(endpoint.host)) problems.push(`${where}: controlPlaneEndpoint is ${host}, expected ${hostPort(endpoint.host)}`);
            }
            const discovery = ((join?.discovery as Json | undefined)?.bootstrapToken as Json | undefined)?.apiServerEndpoint;
            if (join !== undefined && discovery !== hostPort(endpoint.host)) {
                problems.push(`${where}: joins ${discovery}, expected the endpoint Neutron allocated ${hostPort(endpoint.host)}`);
            }
        }
    }
    return problems;
}

/** The environment file of a gateway (`NAME='value'`). */
function gatewayEnvironmentOf(cloudConfig: Json): Map<string, string> {
    const file = ((cloudConfig.write_files as Json[]) ?? []).find((f) => f.path === GATEWAY_PATHS.environment);
    const values = new Map<string, string>();
    for (const line of String(file?.content ?? "").split("\n")) {
        const match = /^([A-Z0-9_]+)='(.*)'$/.exec(line);
        if (match) values.set(match[1], match[2]);
    }
    return values;
}

/**
 * The access gateway as Neutron holds it: a VIP port per node family with one address in
 * that subnet and no device; each gateway's port with one address per node subnet, the
 * gateways' group and port security on; the gateways' floating IP on the IPv4 VIP at its
 * address; a router route per client range through its family's VIP; and each gateway's
 * user-data (keepalived, the notify script's routes) naming the addresses Neutron allocated.
 */
export function checkGateway(run: NeutronRun, view: NeutronView): string[] {
    const gateway = planOf(run).gateway;
    const vipRecords = gatewayPorts(run, "vip");
    const machineRecords = gatewayPorts(run, "machine");
    if (gateway === undefined) return vipRecords.length + machineRecords.length === 0 ? [] : ["gateway ports without a gateway in the plan"];
    const problems: string[] = [];
    const subnets = nodeSubnets(view);
    const groups = securityGroupIds(run);
    const inSubnet = (port: Json, family: IpFamily): string[] => {
        const subnet = subnets.get(family);
        const range = parseCidr(String(subnet?.cidr));
        return fixedIps(port)
            .filter((f) => f.subnet_id === subnet?.id)
            .map((f) => f.ip_address)
            .filter((a) => range.ok && containsAddress(range.cidr, family, parseAddress(a)?.value ?? -1n));
    };

    const vips = new Map<IpFamily, { id: string; address: string }>();
    for (const record of vipRecords) {
        const family: IpFamily = record.name.endsWith("ipv4") ? "IPv4" : "IPv6";
        const port = byId(view.ports, record.id);
        const addresses = port === undefined ? [] : inSubnet(port, family);
        if (port === undefined || addresses.length !== 1) {
            problems.push(`gateway VIP port ${record.inputs.name}: ${JSON.stringify(addresses)} in the ${family} subnet; expected one address`);
            continue;
        }
        if (port.device_owner) problems.push(`gateway VIP port ${record.inputs.name} is bound to ${port.device_owner}; keepalived holds its address`);
        vips.set(family, { id: String(port.id), address: addresses[0] });
    }
    if (vips.size !== subnets.size) problems.push(`${subnets.size} gateway VIP ports expected (one per node subnet), Neutron has ${vips.size}`);

    if (machineRecords.length !== gateway.count) problems.push(`${gateway.count} gateway ports expected, found ${machineRecords.length}`);
    const gatewayAddresses = new Map<string, Map<IpFamily, string>>();
    for (const record of machineRecords) {
        const port = byId(view.ports, record.id);
        const name = String(record.inputs.name);
        if (port === undefined) {
            problems.push(`gateway port ${name} is not in Neutron`);
            continue;
        }
        const own = new Map<IpFamily, string>();
        for (const family of subnets.keys()) {
            const addresses = inSubnet(port, family);
            if (addresses.length !== 1) problems.push(`gateway port ${name} has ${JSON.stringify(addresses)} in the ${family} subnet; expected one address`);
            else own.set(family, addresses[0]);
        }
        gatewayAddresses.set(name, own);
        if (JSON.stringify(port.security_groups) !== JSON.stringify([groups.gateway])) problems.push(`gateway port ${name} is in groups ${JSON.stringify(port.security_groups)}, expected the gateways' only`);
        if (port.port_security_enabled !== true) problems.push(`gateway port ${name} has port security off`);
    }

    const fips = view.floatingIps.filter((f) => [...vips.values()].some((v) => v.id === f.port_id));
    const port = gateway.listenPort;
    const ipv4 = vips.get("IPv4");
    const endpoint = ipv4 === undefined ? `[${vips.get("IPv6")?.address}]:${port}` : `${fips[0]?.floating_ip_address}:${port}`;
    if (ipv4 !== undefined && (fips.length !== 1 || fips[0].port_id !== ipv4.id || fips[0].fixed_ip_address !== ipv4.address)) {
        problems.push(`the gateways' floating IP is ${JSON.stringify(fips.map((f) => [f.port_id, f.fixed_ip_address]))}; expected one on the IPv4 VIP port at ${ipv4.address}`);
    }
    if (ipv4 === undefined && fips.length > 0) problems.push("a floating IP on a gateway VIP without IPv4");
    const outputs = run.result.outputs;
    if (outputs.gatewayEndpoint !== endpoint) problems.push(`the stack output gatewayEndpoint is ${outputs.gatewayEndpoint}, Neutron allocated ${endpoint}`);
    for (const [family, output] of [["IPv4", outputs.gatewayVipIPv4], ["IPv6", outputs.gatewayVipIPv6]] as const) {
        if (output !== vips.get(family)?.address) problems.push(`the stack output gatewayVip${family} is ${output}, Neutron allocated ${vips.get(family)?.address}`);
    }

    const routes = view.routers.flatMap((r) => (r.routes as Json[] | undefined) ?? []);
    const routesOf = gateway.clientRanges.map((r) => `${r.cidr}@${vips.get(r.family)?.address}`);
    for (const wanted of routesOf) {
        const [destination, nexthop] = wanted.split("@");
        if (!routes.some((r) => r.destination === destination && r.nexthop === nexthop)) problems.push(`no router route ${destination} via ${nexthop}`);
    }

    const subnetCidrs = [...subnets.values()].map((s) => String(s.cidr));
    for (const instance of recorded(run, INSTANCE).filter((i) => tagsOf(i).includes(`${GATEWAY_TAG}=machine`))) {
        const name = String(instance.inputs.name);
        const cloudConfig = parseYaml(decodeUserData(String(instance.inputs.userData))) as Json;
        const environment = gatewayEnvironmentOf(cloudConfig);
        if (environment.get("CLIENT_ROUTES") !== routesOf.join(" ")) problems.push(`${name}: CLIENT_ROUTES is ${environment.get("CLIENT_ROUTES")}, expected ${routesOf.join(" ")}`);
        if (JSON.stringify((environment.get("NODE_SUBNETS") ?? "").split(" ").sort()) !== JSON.stringify([...subnetCidrs].sort())) {
            problems.push(`${name}: NODE_SUBNETS is ${environment.get("NODE_SUBNETS")}, Neutron's subnets are ${subnetCidrs.join(" ")}`);
        }
        const keepalived = String(((cloudConfig.write_files as Json[]) ?? []).find((f) => f.path === GATEWAY_PATHS.keepalivedTemplate)?.content ?? "");
        const own = gatewayAddresses.get(name) ?? new Map<IpFamily, string>();
        for (const [family, vip] of vips) {
            if (!keepalived.includes(`${vip.address}/${family === "IPv4" ? 32 : 128}\n`)) problems.push(`${name}: keepalived does not hold the ${family} VIP ${vip.address}`);
            if (gateway.count > 1 && !keepalived.includes(`unicast_src_ip ${own.get(family)}\n`)) problems.push(`${name}: keepalived's ${family} source is not its address ${own.get(family)}`);
            for (const [other, addresses] of gatewayAddresses) {
                if (other !== name && !keepalived.includes(`        ${addresses.get(family)}\n`)) problems.push(`${name}: keepalived has no ${family} peer ${addresses.get(family)} (${other})`);
            }
        }
    }
    return problems;
}
