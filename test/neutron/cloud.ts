/**
 * A mock runtime whose networking half is a real Neutron. Networks, subnets, routers, router
 * interfaces and routes, ports, security groups and their rules, floating IPs and their associations
 * are created in Neutron through its REST API, the provider's inputs mapped to Neutron's API
 * fields (as terraform-provider-openstack maps them), and Neutron's answers (ids, allocated
 * fixed IPs and subnet ranges, MAC addresses) are the resources' outputs. The invokes
 * getNetwork, getRouter, getSubnetPool and getSecGroup answer with Neutron's objects. Every
 * other type (Nova, Octavia, tls, random, Kubernetes) is answered by the OfflineCloud.
 *
 * Everything a run creates belongs to one Neutron project, so that runs do not see each
 * other's resources (lookups see the project's own resources and shared/external ones, as a
 * project member would).
 */
import { OfflineCloud, OfflineCloudOptions, Provisioned } from "../../components/offline/cloud";
import { NeutronClient, NeutronError } from "./client";

type Json = Record<string, unknown>;

/** The provider's resource type tokens that the Neutron suite hands to Neutron. */
export const NEUTRON_TYPES = {
    network: "openstack:networking/network:Network",
    subnet: "openstack:networking/subnet:Subnet",
    router: "openstack:networking/router:Router",
    routerInterface: "openstack:networking/routerInterface:RouterInterface",
    routerRoute: "openstack:networking/routerRoute:RouterRoute",
    port: "openstack:networking/port:Port",
    secGroup: "openstack:networking/secGroup:SecGroup",
    secGroupRule: "openstack:networking/secGroupRule:SecGroupRule",
    floatingIp: "openstack:networking/floatingIp:FloatingIp",
    floatingIpAssociate: "openstack:networking/floatingIpAssociate:FloatingIpAssociate",
} as const;

const INVOKES = {
    getNetwork: "openstack:networking/getNetwork:getNetwork",
    getRouter: "openstack:networking/getRouter:getRouter",
    getSubnetPool: "openstack:networking/getSubnetPool:getSubnetPool",
    getSecGroup: "openstack:networking/getSecGroup:getSecGroup",
} as const;

/** A resource Neutron refused, with what a person needs to act on it. */
export interface NeutronRefusal {
    /** The stack (run) the resource belongs to. */
    readonly stack: string;
    /** Pulumi type token and resource name. */
    readonly type: string;
    readonly name: string;
    readonly error: NeutronError;
}

/** One line per refusal: stack, resource, Neutron's status, type and message, and the request. */
export function describeRefusal(refusal: NeutronRefusal): string {
    return `stack ${refusal.stack}: Neutron refused ${refusal.type} "${refusal.name}": ${refusal.error.message}`;
}

/** Drop undefined fields (Neutron refuses explicit nulls where the provider omits the field). */
function defined(fields: Json): Json {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** An empty string or 0 from the provider means "not set" (gophercloud's omitempty). */
function nonEmpty<T>(value: T | undefined | null): T | undefined {
    return value === "" || value === 0 || value === null ? undefined : (value ?? undefined);
}

function list<T = Json>(value: unknown): T[] | undefined {
    return Array.isArray(value) ? (value as T[]) : undefined;
}

/** The provider's `valueSpecs`: extra API fields, passed through as written. */
function valueSpecs(inputs: Json): Json {
    return (inputs.valueSpecs as Json | undefined) ?? {};
}

/** Network as the provider reports it. */
function networkOutputs(network: Json): Json {
    return {
        name: network.name,
        description: network.description,
        adminStateUp: network.admin_state_up,
        external: network["router:external"],
        shared: network.shared,
        mtu: network.mtu,
        portSecurityEnabled: network.port_security_enabled,
        availabilityZoneHints: network.availability_zone_hints,
        dnsDomain: network.dns_domain ?? "",
        transparentVlan: false,
        tenantId: network.tenant_id,
        allTags: network.tags,
    };
}

function subnetOutputs(subnet: Json): Json {
    const pools = (list<Json>(subnet.allocation_pools) ?? []).map((p) => ({ start: p.start, end: p.end }));
    return {
        name: subnet.name,
        description: subnet.description,
        networkId: subnet.network_id,
        cidr: subnet.cidr,
        ipVersion: subnet.ip_version,
        gatewayIp: subnet.gateway_ip ?? "",
        noGateway: subnet.gateway_ip === null,
        enableDhcp: subnet.enable_dhcp,
        allocationPools: pools,
        allocationPoolsCollection: pools,
        dnsNameservers: subnet.dns_nameservers,
        hostRoutes: (list<Json>(subnet.host_routes) ?? []).map((r) => ({ destinationCidr: r.destination, nextHop: r.nexthop })),
        ipv6AddressMode: subnet.ipv6_address_mode ?? "",
        ipv6RaMode: subnet.ipv6_ra_mode ?? "",
        subnetpoolId: subnet.subnetpool_id ?? "",
        serviceTypes: subnet.service_types,
        tenantId: subnet.tenant_id,
        allTags: subnet.tags,
    };
}

function routerOutputs(router: Json): Json {
    const gateway = (router.external_gateway_info ?? {}) as Json;
    const fixedIps = (list<Json>(gateway.external_fixed_ips) ?? []).map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address }));
    return {
        name: router.name,
        description: router.description,
        adminStateUp: router.admin_state_up,
        distributed: router.distributed,
        externalNetworkId: gateway.network_id ?? "",
        externalGateway: gateway.network_id ?? "",
        enableSnat: gateway.enable_snat ?? false,
        externalFixedIps: fixedIps,
        availabilityZoneHints: router.availability_zone_hints,
        tenantId: router.tenant_id,
        allTags: router.tags,
    };
}

function portOutputs(port: Json): Json {
    const fixedIps = (list<Json>(port.fixed_ips) ?? []).map((f) => ({ subnetId: f.subnet_id, ipAddress: f.ip_address }));
    return {
        name: port.name,
        description: port.description,
        networkId: port.network_id,
        adminStateUp: port.admin_state_up,
        macAddress: port.mac_address,
        fixedIps,
        allFixedIps: fixedIps.map((f) => f.ipAddress),
        allSecurityGroupIds: port.security_groups,
        allowedAddressPairs: (list<Json>(port.allowed_address_pairs) ?? []).map((p) => ({ ipAddress: p.ip_address, macAddress: p.mac_address })),
        portSecurityEnabled: port.port_security_enabled,
        deviceId: port.device_id,
        deviceOwner: port.device_owner,
        binding: {
            hostId: port["binding:host_id"],
            profile: JSON.stringify(port["binding:profile"] ?? {}),
            vifDetails: port["binding:vif_details"],
            vifType: port["binding:vif_type"],
            vnicType: port["binding:vnic_type"],
        },
        dnsName: "",
        dnsAssignments: [],
        tenantId: port.tenant_id,
        allTags: port.tags,
    };
}

function ruleOutputs(rule: Json): Json {
    return {
        direction: rule.direction,
        ethertype: rule.ethertype,
        protocol: rule.protocol ?? "",
        portRangeMin: rule.port_range_min ?? 0,
        portRangeMax: rule.port_range_max ?? 0,
        remoteIpPrefix: rule.remote_ip_prefix ?? "",
        remoteGroupId: rule.remote_group_id ?? "",
        securityGroupId: rule.security_group_id,
        description: rule.description,
        tenantId: rule.tenant_id,
    };
}

function floatingIpOutputs(floatingIp: Json): Json {
    return {
        address: floatingIp.floating_ip_address,
        fixedIp: floatingIp.fixed_ip_address ?? "",
        portId: floatingIp.port_id ?? "",
        description: floatingIp.description,
        tenantId: floatingIp.tenant_id,
        allTags: floatingIp.tags,
    };
}

export interface NeutronCloudOptions extends OfflineCloudOptions {
    /** The stack name (required here: refusals name it). */
    readonly stack: string;
    /** The Neutron project every resource of this run is created in. */
    readonly project: string;
}

/** The OfflineCloud with Neutron as its networking service. */
export class NeutronCloud extends OfflineCloud {
    /** Resources Neutron refused, in order. */
    readonly refusals: NeutronRefusal[] = [];
    /** The last route change of each router: the next one waits for it. */
    private readonly routerLocks = new Map<string, Promise<unknown>>();
    readonly project: string;

    constructor(
        readonly neutron: NeutronClient,
        options: NeutronCloudOptions,
    ) {
        super(options);
        this.project = options.project;
    }

    protected override async provision(type: string, name: string, id: string, inputs: Json): Promise<Provisioned> {
        try {
            switch (type) {
                case NEUTRON_TYPES.network:
                    return await this.createNetworkInNeutron(inputs);
                case NEUTRON_TYPES.subnet:
                    return await this.createSubnetInNeutron(inputs);
                case NEUTRON_TYPES.router:
                    return await this.createRouterInNeutron(inputs);
                case NEUTRON_TYPES.routerInterface:
                    return await this.createRouterInterfaceInNeutron(inputs);
                case NEUTRON_TYPES.routerRoute:
                    return await this.addRouterRouteInNeutron(inputs);
                case NEUTRON_TYPES.port:
                    return await this.createPortInNeutron(inputs);
                case NEUTRON_TYPES.secGroup:
                    return await this.createSecGroupInNeutron(inputs);
                case NEUTRON_TYPES.secGroupRule:
                    return await this.createSecGroupRuleInNeutron(inputs);
                case NEUTRON_TYPES.floatingIp:
                    return await this.createFloatingIpInNeutron(inputs);
                case NEUTRON_TYPES.floatingIpAssociate:
                    return await this.associateFloatingIpInNeutron(inputs);
                default:
                    return await super.provision(type, name, id, inputs);
            }
        } catch (e) {
            if (!(e instanceof NeutronError)) throw e;
            const refusal: NeutronRefusal = { stack: this.options.stack as string, type, name, error: e };
            this.refusals.push(refusal);
            throw new Error(describeRefusal(refusal));
        }
    }

    protected override async answer(token: string, inputs: Json): Promise<Json> {
        switch (token) {
            case INVOKES.getNetwork:
                return this.getNetwork(inputs);
            case INVOKES.getRouter:
                return this.getRouter(inputs);
            case INVOKES.getSubnetPool:
                return this.getSubnetPool(inputs);
            case INVOKES.getSecGroup:
                return this.getSecGroup(inputs);
            default:
                return super.answer(token, inputs);
        }
    }

    /** Create, then tag (Neutron takes no tags in a create body, so the provider tags afterwards). */
    private async createTagged(collection: string, fields: Json, tags: unknown): Promise<Json> {
        const created = await this.neutron.create(collection, defined(fields), this.project);
        const wanted = list<string>(tags) ?? [];
        if (wanted.length > 0) created.tags = await this.neutron.setTags(collection, created.id as string, wanted);
        return created;
    }

    private async createNetworkInNeutron(inputs: Json): Promise<Provisioned> {
        const segments = list<Json>(inputs.segments)?.map((s) =>
            defined({
                "provider:network_type": s.networkType,
                "provider:physical_network": s.physicalNetwork,
                "provider:segmentation_id": s.segmentationId,
            }),
        );
        const network = await this.createTagged(
            "networks",
            {
                name: inputs.name,
                description: inputs.description,
                admin_state_up: inputs.adminStateUp,
                shared: inputs.shared,
                "router:external": inputs.external,
                port_security_enabled: inputs.portSecurityEnabled,
                mtu: inputs.mtu,
                dns_domain: inputs.dnsDomain,
                availability_zone_hints: inputs.availabilityZoneHints,
                segments: segments && segments.length > 0 ? segments : undefined,
                ...valueSpecs(inputs),
            },
            inputs.tags,
        );
        return { id: network.id as string, outputs: networkOutputs(network) };
    }

    private async createSubnetInNeutron(inputs: Json): Promise<Provisioned> {
        const pools = list<Json>(inputs.allocationPools) ?? list<Json>(inputs.allocationPoolsCollection);
        const subnet = await this.createTagged(
            "subnets",
            {
                network_id: inputs.networkId,
                name: inputs.name,
                description: inputs.description,
                cidr: nonEmpty(inputs.cidr),
                prefixlen: nonEmpty(inputs.prefixLength),
                subnetpool_id: nonEmpty(inputs.subnetpoolId),
                // The provider's default, as in terraform-provider-openstack.
                ip_version: inputs.ipVersion ?? 4,
                enable_dhcp: inputs.enableDhcp ?? true,
                gateway_ip: inputs.noGateway === true ? null : nonEmpty(inputs.gatewayIp),
                dns_nameservers: inputs.dnsNameservers,
                host_routes: list<Json>(inputs.hostRoutes)?.map((r) => ({ destination: r.destinationCidr, nexthop: r.nextHop })),
                allocation_pools: pools?.map((p) => ({ start: p.start, end: p.end })),
                ipv6_address_mode: nonEmpty(inputs.ipv6AddressMode),
                ipv6_ra_mode: nonEmpty(inputs.ipv6RaMode),
                service_types: inputs.serviceTypes,
                ...valueSpecs(inputs),
            },
            inputs.tags,
        );
        return { id: subnet.id as string, outputs: { ...subnetOutputs(subnet), prefixLength: inputs.prefixLength } };
    }

    private async createRouterInNeutron(inputs: Json): Promise<Provisioned> {
        const gatewayNetwork = nonEmpty(inputs.externalNetworkId) ?? nonEmpty(inputs.externalGateway);
        const fixedIps =
            list<Json>(inputs.externalFixedIps)?.map((f) => defined({ subnet_id: nonEmpty(f.subnetId), ip_address: nonEmpty(f.ipAddress) })) ??
            list<string>(inputs.externalSubnetIds)?.map((id) => ({ subnet_id: id }));
        const router = await this.createTagged(
            "routers",
            {
                name: inputs.name,
                description: inputs.description,
                admin_state_up: inputs.adminStateUp,
                distributed: inputs.distributed,
                availability_zone_hints: inputs.availabilityZoneHints,
                external_gateway_info:
                    gatewayNetwork === undefined
                        ? undefined
                        : defined({ network_id: gatewayNetwork, enable_snat: inputs.enableSnat, external_fixed_ips: fixedIps }),
                ...valueSpecs(inputs),
            },
            inputs.tags,
        );
        return { id: router.id as string, outputs: routerOutputs(router) };
    }

    private async createRouterInterfaceInNeutron(inputs: Json): Promise<Provisioned> {
        const body = defined({ subnet_id: nonEmpty(inputs.subnetId), port_id: nonEmpty(inputs.portId) });
        const answer = await this.neutron.request("PUT", `routers/${inputs.routerId}/add_router_interface`, body);
        // The provider's id of a router interface is the interface's port.
        return { id: answer.port_id as string, outputs: { portId: answer.port_id, subnetId: answer.subnet_id, routerId: inputs.routerId } };
    }

    /**
     * As the provider adds a route: under a lock per router (as the provider's), read the
     * router's routes, append this one, write them back.
     */
    private addRouterRouteInNeutron(inputs: Json): Promise<Provisioned> {
        const routerId = String(inputs.routerId);
        const add = async (): Promise<Provisioned> => {
            const router = await this.neutron.show("routers", routerId);
            const route = { destination: inputs.destinationCidr, nexthop: inputs.nextHop };
            await this.neutron.update("routers", routerId, { routes: [...(list<Json>(router.routes) ?? []), route] });
            // The provider's id of a route: <router>-route-<destination>-<next hop>.
            return { id: `${routerId}-route-${route.destination}-${route.nexthop}`, outputs: { routerId, destinationCidr: route.destination, nextHop: route.nexthop } };
        };
        const previous = this.routerLocks.get(routerId) ?? Promise.resolve();
        const next = previous.then(add, add);
        this.routerLocks.set(routerId, next.catch(() => undefined));
        return next;
    }

    private async createPortInNeutron(inputs: Json): Promise<Provisioned> {
        const binding = (inputs.binding ?? {}) as Json;
        const port = await this.createTagged(
            "ports",
            {
                network_id: inputs.networkId,
                name: inputs.name,
                description: inputs.description,
                admin_state_up: inputs.adminStateUp,
                mac_address: nonEmpty(inputs.macAddress),
                fixed_ips:
                    inputs.noFixedIp === true
                        ? []
                        : list<Json>(inputs.fixedIps)?.map((f) => defined({ subnet_id: f.subnetId, ip_address: nonEmpty(f.ipAddress) })),
                security_groups: inputs.noSecurityGroups === true ? [] : inputs.securityGroupIds,
                allowed_address_pairs: list<Json>(inputs.allowedAddressPairs)?.map((p) =>
                    defined({ ip_address: p.ipAddress, mac_address: nonEmpty(p.macAddress) }),
                ),
                port_security_enabled: inputs.portSecurityEnabled,
                device_id: nonEmpty(inputs.deviceId),
                device_owner: nonEmpty(inputs.deviceOwner),
                extra_dhcp_opts: list<Json>(inputs.extraDhcpOptions)?.map((o) =>
                    defined({ opt_name: o.name, opt_value: o.value, ip_version: o.ipVersion }),
                ),
                "binding:host_id": nonEmpty(binding.hostId),
                "binding:vnic_type": nonEmpty(binding.vnicType),
                "binding:profile": typeof binding.profile === "string" && binding.profile !== "" ? JSON.parse(binding.profile) : undefined,
                ...valueSpecs(inputs),
            },
            inputs.tags,
        );
        const outputs = portOutputs(port);
        // Instances and load balancers answered by the OfflineCloud read the port's addresses.
        this.ports.set(port.id as string, outputs.allFixedIps as string[]);
        return { id: port.id as string, outputs };
    }

    private async createSecGroupInNeutron(inputs: Json): Promise<Provisioned> {
        const group = await this.createTagged(
            "security-groups",
            { name: inputs.name, description: inputs.description, stateful: inputs.stateful },
            inputs.tags,
        );
        if (inputs.deleteDefaultRules === true) {
            // As the provider does: remove the egress rules Neutron puts into every new group.
            for (const rule of await this.neutron.list("security-group-rules", { security_group_id: group.id as string })) {
                await this.neutron.remove("security-group-rules", rule.id as string);
            }
        }
        return {
            id: group.id as string,
            outputs: { name: group.name, description: group.description, tenantId: group.tenant_id, allTags: group.tags },
        };
    }

    private async createSecGroupRuleInNeutron(inputs: Json): Promise<Provisioned> {
        const rule = await this.neutron.create(
            "security-group-rules",
            defined({
                security_group_id: inputs.securityGroupId,
                direction: inputs.direction,
                ethertype: inputs.ethertype,
                protocol: nonEmpty(inputs.protocol),
                port_range_min: nonEmpty(inputs.portRangeMin),
                port_range_max: nonEmpty(inputs.portRangeMax),
                remote_ip_prefix: nonEmpty(inputs.remoteIpPrefix),
                remote_group_id: nonEmpty(inputs.remoteGroupId),
                description: inputs.description,
            }),
            this.project,
        );
        return { id: rule.id as string, outputs: ruleOutputs(rule) };
    }

    /** The external network a floating IP pool names, as the provider finds it (by name). */
    private async externalNetworkNamed(pool: string): Promise<Json> {
        const found = (await this.neutron.list("networks", { name: pool, "router:external": true })).filter((n) => this.visible(n));
        if (found.length !== 1) {
            throw new NeutronError(404, "NotFound", `found ${found.length} external networks named "${pool}" (floating IP pool)`, "GET", "networks", undefined);
        }
        return found[0];
    }

    private async createFloatingIpInNeutron(inputs: Json): Promise<Provisioned> {
        const network = await this.externalNetworkNamed(String(inputs.pool));
        const floatingIp = await this.createTagged(
            "floatingips",
            {
                floating_network_id: network.id,
                floating_ip_address: nonEmpty(inputs.address),
                port_id: nonEmpty(inputs.portId),
                fixed_ip_address: nonEmpty(inputs.fixedIp),
                subnet_id: nonEmpty(inputs.subnetId),
                description: inputs.description,
                ...valueSpecs(inputs),
            },
            inputs.tags,
        );
        return { id: floatingIp.id as string, outputs: { ...floatingIpOutputs(floatingIp), pool: inputs.pool } };
    }

    /** The provider finds the floating IP by its address and sets its port. */
    private async associateFloatingIpInNeutron(inputs: Json): Promise<Provisioned> {
        const address = String(inputs.floatingIp);
        const found = (await this.neutron.list("floatingips", { floating_ip_address: address })).filter((f) => this.visible(f));
        if (found.length !== 1) {
            throw new NeutronError(404, "NotFound", `found ${found.length} floating IPs with address ${address}`, "GET", "floatingips", undefined);
        }
        const updated = await this.neutron.update("floatingips", found[0].id as string, defined({ port_id: inputs.portId, fixed_ip_address: nonEmpty(inputs.fixedIp) }));
        return {
            id: updated.id as string,
            outputs: { floatingIp: updated.floating_ip_address, portId: updated.port_id, fixedIp: updated.fixed_ip_address ?? "" },
        };
    }

    /** What a member of the run's project sees: its own resources, and shared or external ones. */
    private visible(resource: Json): boolean {
        return resource.tenant_id === this.project || resource.shared === true || resource["router:external"] === true;
    }

    /** Exactly one visible match, or the provider's error. */
    private async findOne(collection: string, filters: Record<string, string | number | boolean | undefined>, what: string): Promise<Json> {
        const found = (await this.neutron.list(collection, filters)).filter((r) => this.visible(r));
        if (found.length === 1) return found[0];
        const query = JSON.stringify(defined(filters as Json));
        throw new Error(
            found.length === 0
                ? `${what} ${query}: Your query returned no results. Please change your search criteria and try again.`
                : `${what} ${query}: Your query returned more than one result. Please try a more specific search criteria.`,
        );
    }

    private async getNetwork(inputs: Json): Promise<Json> {
        const network = await this.findOne(
            "networks",
            {
                name: nonEmpty(inputs.name as string),
                id: nonEmpty(inputs.networkId as string),
                status: nonEmpty(inputs.status as string),
                tenant_id: nonEmpty(inputs.tenantId as string),
                "router:external": inputs.external as boolean | undefined,
                mtu: inputs.mtu as number | undefined,
                description: nonEmpty(inputs.description as string),
            },
            "getNetwork",
        );
        return {
            ...inputs,
            ...networkOutputs(network),
            id: network.id,
            networkId: network.id,
            region: "",
            status: network.status,
            subnets: network.subnets,
            segments: [],
            adminStateUp: String(network.admin_state_up),
            shared: String(network.shared),
        };
    }

    private async getRouter(inputs: Json): Promise<Json> {
        const router = await this.findOne(
            "routers",
            {
                name: nonEmpty(inputs.name as string),
                id: nonEmpty(inputs.routerId as string),
                status: nonEmpty(inputs.status as string),
                tenant_id: nonEmpty(inputs.tenantId as string),
                description: nonEmpty(inputs.description as string),
            },
            "getRouter",
        );
        return { ...inputs, ...routerOutputs(router), id: router.id, routerId: router.id, status: router.status, region: "" };
    }

    private async getSubnetPool(inputs: Json): Promise<Json> {
        const pool = await this.findOne(
            "subnetpools",
            {
                name: nonEmpty(inputs.name as string),
                ip_version: inputs.ipVersion as number | undefined,
                address_scope_id: nonEmpty(inputs.addressScopeId as string),
                is_default: inputs.isDefault as boolean | undefined,
                project_id: nonEmpty(inputs.projectId as string),
                description: nonEmpty(inputs.description as string),
            },
            "getSubnetPool",
        );
        return {
            ...inputs,
            id: pool.id,
            name: pool.name,
            description: pool.description,
            ipVersion: Number(pool.ip_version),
            prefixes: pool.prefixes,
            // Neutron returns the prefix lengths as strings; the provider reports numbers.
            defaultPrefixlen: Number(pool.default_prefixlen),
            minPrefixlen: Number(pool.min_prefixlen),
            maxPrefixlen: Number(pool.max_prefixlen),
            defaultQuota: Number(pool.default_quota ?? 0),
            addressScopeId: pool.address_scope_id ?? "",
            isDefault: pool.is_default,
            shared: pool.shared,
            projectId: pool.project_id,
            tags: pool.tags,
            allTags: pool.tags,
            createdAt: pool.created_at,
            updatedAt: pool.updated_at,
            revisionNumber: pool.revision_number,
            region: "",
        };
    }

    private async getSecGroup(inputs: Json): Promise<Json> {
        const group = await this.findOne(
            "security-groups",
            {
                name: nonEmpty(inputs.name as string),
                id: nonEmpty(inputs.secgroupId as string),
                tenant_id: nonEmpty(inputs.tenantId as string),
                description: nonEmpty(inputs.description as string),
            },
            "getSecGroup",
        );
        return {
            ...inputs,
            id: group.id,
            secgroupId: group.id,
            name: group.name,
            description: group.description,
            tenantId: group.tenant_id,
            allTags: group.tags,
            region: "",
        };
    }
}
