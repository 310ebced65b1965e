/**
 * The ApiEndpoint component: where clients and nodes reach the Kubernetes API. Created
 * before the control-plane machines, so that their user-data (certificate SANs,
 * `controlPlaneEndpoint`) knows every address.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { familyFacts, IpFamily, isIpFamily } from "../addressing/family";
import { error, Finding, formatFinding, warning } from "../addressing/findings";
import { isDnsName } from "../addressing/names";
import { checkCidr } from "../addressing/rules/cidr";
import { argMissing, checkCidrInput, checkInteger, checkName, checkOneOf, ofFamily, portAddress, presentFamilies, throwOnArgErrors } from "../network/args";
import { clusterTag } from "../network/network";
import { API_PORT } from "../network/rules";
import { ApiEndpointArgs } from "./types";

const COMPONENT = "ApiEndpoint";

/** Default idle timeout of API connections through a load balancer, in seconds. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 3600;

/** The OVN Octavia provider: no allowed_cidrs, no timeouts, SOURCE_IP_PORT only. */
const OVN_PROVIDER = "ovn";

/** How the API is reached. */
export type EndpointMode = "floating-ip" | "load-balancer";

/** ApiEndpoint args, checked and defaulted. */
export interface EndpointLayout {
    readonly mode: EndpointMode;
    /** Node families, primary first. */
    readonly families: IpFamily[];
    /** Allowed API ranges per family (canonical text). */
    readonly allowedCidrs: ReadonlyMap<IpFamily, string[]>;
    /** True when a floating IP is created. */
    readonly floatingIp: boolean;
    readonly ovn: boolean;
    readonly idleTimeoutSeconds: number;
    readonly warnings: Finding[];
}

/** Check ApiEndpoint args; throws InvalidPlanError naming the component with every error. */
export function planApiEndpoint(name: string, args: ApiEndpointArgs): EndpointLayout {
    const findings: Finding[] = [
        ...checkName(args.clusterName, "clusterName"),
        ...checkInteger(args.controlPlaneCount, 1, "controlPlaneCount", "the number of control-plane nodes"),
        ...checkOneOf(args.primaryFamily, ["IPv4", "IPv6"], "primaryFamily"),
    ];
    const nodeFamilies = presentFamilies(args.subnets).map(([family]) => family);
    if (nodeFamilies.length === 0) findings.push(argMissing("subnets", "give subnets.ipv4, subnets.ipv6 or both (the node subnets)."));
    const primary = isIpFamily(args.primaryFamily) ? args.primaryFamily : nodeFamilies[0];
    if (isIpFamily(args.primaryFamily) && nodeFamilies.length > 0 && !nodeFamilies.includes(primary)) {
        const path = `subnets.${familyFacts(primary).lowerSuffix}`;
        findings.push(argMissing(path, `primaryFamily is ${primary}, so the endpoint needs the ${primary} node subnet.`));
    }
    if (args.dnsName !== undefined && !isDnsName(args.dnsName)) {
        findings.push(
            error(
                "arg-invalid",
                "dnsName",
                `dnsName is "${args.dnsName}", which is not a DNS name (labels of letters, digits and '-', separated by dots). ` +
                    `Give the name you will point at the API, e.g. api.example.org.`,
            ),
        );
    }
    const idleTimeoutSeconds = args.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
    findings.push(...checkInteger(idleTimeoutSeconds, 1, "idleTimeoutSeconds", "seconds"));

    const allowedCidrs = new Map<IpFamily, string[]>(nodeFamilies.map((f) => [f, []]));
    (args.apiAllowedCidrs ?? []).forEach((text, index) => {
        const checked = checkCidr(text, undefined, `apiAllowedCidrs[${index}]`);
        findings.push(...checked.findings);
        if (checked.cidr === undefined || checked.findings.length > 0) return;
        // A range of a family without a VIP has no listener to go to; Network warns about it.
        const list = allowedCidrs.get(checked.cidr.family);
        if (list !== undefined && !list.includes(checked.cidr.text)) list.push(checked.cidr.text);
    });

    for (const [family, cidr] of presentFamilies(args.gatewayClientRanges)) {
        const path = `gatewayClientRanges.${familyFacts(family).lowerSuffix}`;
        if (typeof cidr === "string") findings.push(...checkCidrInput(cidr, family, path, `${COMPONENT} "${name}"`).findings);
        if (!nodeFamilies.includes(family)) findings.push(argMissing(`subnets.${familyFacts(family).lowerSuffix}`, `${path} is set, so the endpoint needs the ${family} node subnet.`));
    }

    const floatingIp = args.externalNetworkName !== undefined && nodeFamilies.includes("IPv4");
    if (args.externalNetworkName !== undefined && !floatingIp && nodeFamilies.length > 0) {
        findings.push(
            warning(
                "arg-unused",
                "externalNetworkName",
                `externalNetworkName is ${typeof args.externalNetworkName === "string" ? `"${args.externalNetworkName}"` : "set"} but the nodes have no IPv4 subnet; floating IPs ` +
                    `are IPv4, so none is created. The API is reached at its IPv6 address.`,
            ),
        );
    }
    throwOnArgErrors(findings, COMPONENT, name);
    return {
        mode: args.controlPlaneCount >= 2 ? "load-balancer" : "floating-ip",
        families: [primary, ...nodeFamilies.filter((f) => f !== primary)],
        allowedCidrs,
        floatingIp,
        ovn: args.loadBalancerProvider === OVN_PROVIDER,
        idleTimeoutSeconds,
        warnings: findings,
    };
}

/** One family's load balancer. */
interface FamilyBalancer {
    readonly family: IpFamily;
    readonly vipPort: openstack.networking.Port;
    readonly vipAddress: pulumi.Output<string>;
    readonly loadBalancer: openstack.loadbalancer.LoadBalancer;
    readonly pool: openstack.loadbalancer.Pool;
}

/** What createApiEndpoint returns: the component's outputs. */
export interface ApiEndpointOutputs {
    readonly floatingIp?: openstack.networking.FloatingIp;
    readonly balancers: FamilyBalancer[];
}

/** The values that are set. */
function present<T>(values: ReadonlyArray<T | undefined>): T[] {
    return values.filter((v): v is T => v !== undefined);
}

/** Create the endpoint's resources under `parent`. */
export function createApiEndpoint(name: string, args: ApiEndpointArgs, layout: EndpointLayout, parent: pulumi.Resource): ApiEndpointOutputs {
    const opts: pulumi.CustomResourceOptions = { parent };
    const tags = [clusterTag(args.clusterName)];
    const balancers: FamilyBalancer[] = [];
    if (layout.mode === "load-balancer") {
        for (const family of layout.families) {
            const lower = familyFacts(family).lowerSuffix;
            const subnet = ofFamily(args.subnets, family)!;
            // Octavia in provider 3.15 has no additional VIPs: one load balancer per family.
            // The VIP port is created first, so its address is known before the (slow) load
            // balancer exists, and the control planes' certificates can name it.
            const vipPort = new openstack.networking.Port(
                `${name}-vip-${lower}`,
                {
                    name: `${args.clusterName}-api-${lower}`,
                    description: `dualstack: ${family} VIP of the Kubernetes API load balancer`,
                    networkId: args.networkId,
                    fixedIps: [{ subnetId: subnet.subnetId }],
                    adminStateUp: true,
                    tags,
                },
                opts,
            );
            const vipAddress = portAddress(vipPort, family, subnet.cidr, `ApiEndpoint "${name}": the ${family} VIP port`);
            const loadBalancer = new openstack.loadbalancer.LoadBalancer(
                `${name}-lb-${lower}`,
                {
                    name: `${args.clusterName}-api-${lower}`,
                    description: `dualstack: Kubernetes API of ${args.clusterName} over ${family}`,
                    vipPortId: vipPort.id,
                    // On a network with a SLAAC subnet the VIP port has an address there too, and
                    // Octavia refuses a port of several addresses unless told which one is the VIP.
                    vipSubnetId: subnet.subnetId,
                    vipAddress,
                    loadbalancerProvider: args.loadBalancerProvider,
                    flavorId: args.loadBalancerFlavorId,
                    availabilityZone: args.availabilityZone,
                    tags,
                },
                opts,
            );
            const idleMs = layout.idleTimeoutSeconds * 1000;
            const listener = new openstack.loadbalancer.Listener(
                `${name}-listener-${lower}`,
                {
                    name: `${args.clusterName}-api-${lower}`,
                    loadbalancerId: loadBalancer.id,
                    protocol: "TCP",
                    protocolPort: API_PORT,
                    // Amphorae connect to the members from their own address, so the member
                    // security groups cannot tell clients apart: the listener filters.
                    allowedCidrs: layout.ovn
                        ? undefined
                        : [...(layout.allowedCidrs.get(family) ?? []), subnet.cidr, ...present([ofFamily(args.gatewayClientRanges, family)])],
                    timeoutClientData: layout.ovn ? undefined : idleMs,
                    timeoutMemberData: layout.ovn ? undefined : idleMs,
                    tags,
                },
                opts,
            );
            const pool = new openstack.loadbalancer.Pool(
                `${name}-pool-${lower}`,
                {
                    name: `${args.clusterName}-api-${lower}`,
                    listenerId: listener.id,
                    protocol: "TCP",
                    lbMethod: layout.ovn ? "SOURCE_IP_PORT" : "ROUND_ROBIN",
                },
                opts,
            );
            new openstack.loadbalancer.Monitor(
                `${name}-monitor-${lower}`,
                {
                    name: `${args.clusterName}-api-${lower}`,
                    poolId: pool.id,
                    type: "TCP",
                    delay: 10,
                    timeout: 5,
                    maxRetries: 3,
                    maxRetriesDown: 3,
                },
                opts,
            );
            balancers.push({ family, vipPort, vipAddress, loadBalancer, pool });
        }
    }
    let floatingIp: openstack.networking.FloatingIp | undefined;
    if (layout.floatingIp) {
        const ipv4 = balancers.find((b) => b.family === "IPv4");
        floatingIp = new openstack.networking.FloatingIp(
            `${name}-fip`,
            {
                pool: args.externalNetworkName as pulumi.Input<string>,
                description:
                    layout.mode === "load-balancer"
                        ? `dualstack: Kubernetes API of ${args.clusterName} (IPv4 load balancer)`
                        : `dualstack: Kubernetes API of ${args.clusterName} (control-plane node 0)`,
                portId: ipv4?.vipPort.id,
                // Named, because on a network with a SLAAC subnet the port has an IPv6 address too.
                fixedIp: ipv4?.vipAddress,
                tags,
            },
            opts,
        );
    }
    return { floatingIp, balancers };
}

/**
 * The Kubernetes API endpoint of a cluster.
 *
 * One control plane: a floating IP (when the nodes have IPv4 and an external network is
 * named), which the control-plane NodePool associates with node 0; the IPv6 endpoint is that
 * node's own IPv6 address (NodePool `addressesIPv6[0]`). Two or more: per node family an
 * Octavia load balancer on a VIP port created beforehand, a TCP 6443 listener, a pool and a
 * TCP health monitor; the floating IP goes on the IPv4 VIP port. Members are added by the
 * control-plane NodePool (`loadBalancerPoolIds`).
 */
export class ApiEndpoint extends pulumi.ComponentResource {
    /** `floating-ip` (one control plane) or `load-balancer`. */
    public readonly mode: string;
    /** The floating IP's address, when one is created. */
    public readonly floatingIpAddress?: pulumi.Output<string>;
    /** The floating IP's ID, for the control-plane NodePool to associate (one control plane). */
    public readonly floatingIpId?: pulumi.Output<string>;
    /** IPv4 VIP of the load balancer (two or more control planes). */
    public readonly vipAddressIPv4?: pulumi.Output<string>;
    /** IPv6 VIP of the load balancer (two or more control planes). */
    public readonly vipAddressIPv6?: pulumi.Output<string>;
    /** ID of the IPv4 load-balancer pool, for NodePool `loadBalancerPoolIds.ipv4`. */
    public readonly poolIdIPv4?: pulumi.Output<string>;
    /** ID of the IPv6 load-balancer pool, for NodePool `loadBalancerPoolIds.ipv6`. */
    public readonly poolIdIPv6?: pulumi.Output<string>;
    /** Every IPv4 address of the endpoint (VIP, floating IP). */
    public readonly addressesIPv4: pulumi.Output<string[]>;
    /** Every IPv6 address of the endpoint (VIP). With one control plane: none here; node 0's IPv6 address is the endpoint. */
    public readonly addressesIPv6: pulumi.Output<string[]>;
    /** Names and addresses the API server certificates must carry: every address above and the DNS name. */
    public readonly certSANs: pulumi.Output<string[]>;
    /**
     * Address nodes reach the API at (kubeadm `controlPlaneEndpoint`): the primary family's
     * VIP, never the DNS name or the floating IP, so that bootstrapping depends neither on a
     * DNS record nor on hairpin NAT through the router. Undefined with one control plane:
     * nodes use node 0's own primary address (NodePool outputs).
     */
    public readonly controlPlaneHost?: pulumi.Output<string>;
    /**
     * Host for kubeconfig files used from outside: the DNS name, else the floating IP, else
     * the primary VIP. Undefined with one control plane, no DNS name and no floating IP.
     */
    public readonly kubeconfigHost?: pulumi.Output<string>;

    constructor(name: string, args: ApiEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        const layout = planApiEndpoint(name, args);
        super("dualstack:index:ApiEndpoint", name, {}, opts);
        for (const finding of layout.warnings) pulumi.log.warn(formatFinding(finding), this);
        const { floatingIp, balancers } = createApiEndpoint(name, args, layout, this);
        const balancer = (family: IpFamily) => balancers.find((b) => b.family === family);
        this.mode = layout.mode;
        this.floatingIpAddress = floatingIp?.address;
        this.floatingIpId = floatingIp?.id;
        this.vipAddressIPv4 = balancer("IPv4")?.vipAddress;
        this.vipAddressIPv6 = balancer("IPv6")?.vipAddress;
        this.poolIdIPv4 = balancer("IPv4")?.pool.id;
        this.poolIdIPv6 = balancer("IPv6")?.pool.id;
        const present = (values: Array<pulumi.Output<string> | undefined>) =>
            pulumi.all(values.filter((v): v is pulumi.Output<string> => v !== undefined));
        this.addressesIPv4 = present([this.vipAddressIPv4, this.floatingIpAddress]);
        this.addressesIPv6 = present([this.vipAddressIPv6]);
        this.certSANs = pulumi
            .all([this.addressesIPv4, this.addressesIPv6])
            .apply(([v4, v6]) => [...(args.dnsName !== undefined ? [args.dnsName] : []), ...v4, ...v6]);
        const primaryVip = balancer(layout.families[0])?.vipAddress;
        const dnsName = args.dnsName !== undefined ? pulumi.output(args.dnsName) : undefined;
        this.controlPlaneHost = primaryVip;
        this.kubeconfigHost = dnsName ?? this.floatingIpAddress ?? primaryVip;
        this.registerOutputs({
            mode: this.mode,
            floatingIpAddress: this.floatingIpAddress,
            floatingIpId: this.floatingIpId,
            vipAddressIPv4: this.vipAddressIPv4,
            vipAddressIPv6: this.vipAddressIPv6,
            poolIdIPv4: this.poolIdIPv4,
            poolIdIPv6: this.poolIdIPv6,
            addressesIPv4: this.addressesIPv4,
            addressesIPv6: this.addressesIPv6,
            certSANs: this.certSANs,
            controlPlaneHost: this.controlPlaneHost,
            kubeconfigHost: this.kubeconfigHost,
        });
    }
}
