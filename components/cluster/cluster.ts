/**
 * The whole cluster from the stack configuration: address plan → network → PKI → API
 * endpoint → machines (user-data per node) → Kubernetes access → Calico.
 */
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { familyFacts, IpFamily } from "../addressing/family";
import { error, Finding, formatFinding, hasErrors, InvalidPlanError, throwOnErrors } from "../addressing/findings";
import { AddressPlan, clientRange, familyPlan, nodeSubnet } from "../addressing/plan";
import { checkRangeChanges, rangesFingerprint } from "../addressing/rules/changes";
import { PlanSummary, summarizePlan } from "../addressing/summary";
import { planAddresses, usesUla } from "../addressing/validate";
import { ApiEndpointFacts, buildClusterBootstrap } from "../bootstrap/build";
import { ClusterBootstrap } from "../bootstrap/types";
import { INPUT_MARK, key, keys, NAMESPACE } from "../config/keys";
import { loadConfig } from "../config/load";
import { CONFIG_SCHEMA, Field, inputKeyPaths } from "../config/schema";
import { ClusterConfig } from "../config/types";
import { Calico, CalicoFamilyArgs, CalicoIpPool } from "../calico";
import { ApiEndpoint } from "../endpoint";
import { Gateway, GatewayClientConfig } from "../gateway";
import { ClusterApi } from "../kubernetes";
import { NodePool } from "../machines";
import { Network } from "../network";
import { PodRangesArgs } from "../network/types";
import { BootstrapTokenSecret, buildKubeconfig, ClusterPki, PKI_DEFAULTS } from "../pki";
import { ClusterConfigArgs } from "./configArgs";

/** Arguments of the Cluster component: the stack configuration, plus what the last deployment left. */
export interface ClusterArgs extends ClusterConfigArgs {
    /**
     * The `addressPlan` output of this stack's last deployment, as JSON text. With it, a change
     * Kubernetes cannot make in place (single- to dual-stack, new pod, service or node ranges)
     * is refused before anything changes, unless `kubernetes.allowRangeChanges` is set. The
     * program reads it from a StackReference to its own stack.
     */
    previousAddressPlan?: pulumi.Input<string>;
    /**
     * The `calicoPools` output of this stack's last deployment, as JSON text. With it, a change
     * of a pool's CIDR or block size (immutable in Calico) is refused with the key to fix
     * instead of a failed rollout.
     */
    previousCalicoPools?: pulumi.Input<string>;
    /**
     * Install Calico (and the long-lived join token) through the Kubernetes API once it
     * answers. Default true. Without it the cluster comes up without a pod network; install
     * one yourself with the `kubeconfig` output.
     */
    installCalico?: boolean;
    /** How long `pulumi up` waits for the API to answer `/readyz`, in seconds. Default 1200. */
    apiReadinessTimeoutSeconds?: number;
}

/** One machine of the cluster. */
export interface ClusterNode {
    /** Machine and Kubernetes node name. */
    name: string;
    /** `control-plane` or `worker`. */
    role: string;
    /** Pool name (`control-plane` for the control plane). */
    pool: string;
    /** The node's IPv4 address, when the nodes have IPv4. */
    addressIPv4?: string;
    /** The node's IPv6 address, when the nodes have IPv6. */
    addressIPv6?: string;
}

/** Arguments that are not configuration keys. */
const NON_CONFIG_ARGS = new Set(["previousAddressPlan", "previousCalicoPools", "installCalico", "apiReadinessTimeoutSeconds"]);


/** The raw configuration map the loader reads, with the Inputs set aside. */
export interface ArgsAsConfig {
    /** `dualstack:<key>` → value, as in a stack file; Inputs replaced by their marks. */
    readonly raw: Record<string, unknown>;
    /** Each mark → the Input it stands for. */
    readonly inputs: ReadonlyMap<string, pulumi.Input<string>>;
    /** Outputs where a plain value is needed (a key that decides what exists). */
    readonly findings: Finding[];
}

function isPlainValue(value: unknown): boolean {
    return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/** The raw configuration map the loader reads, from component arguments. */
export function configFromArgs(args: ClusterArgs): ArgsAsConfig {
    const raw: Record<string, unknown> = {};
    const inputs = new Map<string, pulumi.Input<string>>();
    const findings: Finding[] = [];
    const setAside = (value: unknown, field: Field | undefined, path: string): unknown => {
        if (value === undefined || value === null) return value;
        if (!isPlainValue(value)) {
            if (field?.input) {
                const mark = `${INPUT_MARK}${path}`;
                inputs.set(mark, value as pulumi.Input<string>);
                return mark;
            }
            findings.push(
                error(
                    "config-type",
                    key(path),
                    `${key(path)} is an output of another resource, but it decides which resources the Cluster creates or must ` +
                        `pass the rules before any is created, so it must be a plain value. Outputs are accepted for: ` +
                        `${inputKeyPaths().join(", ")}.`,
                ),
            );
            return undefined;
        }
        if (field?.type.kind === "object" && typeof value === "object" && !Array.isArray(value)) {
            const fields = field.type.fields;
            return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, item]) => [name, setAside(item, fields[name], `${path}.${name}`)]));
        }
        if (field?.type.kind === "list" && Array.isArray(value)) {
            const item = field.type.item;
            return value.map((entry, index) => setAside(entry, { ...field, type: item, input: item.kind === "object" ? false : field.input }, `${path}[${index}]`));
        }
        return value;
    };
    for (const [name, value] of Object.entries(args)) {
        if (NON_CONFIG_ARGS.has(name) || value === undefined) continue;
        raw[`${NAMESPACE}:${name}`] = setAside(value, CONFIG_SCHEMA[name], name);
    }
    return { raw, inputs, findings };
}

/** `https://host:6443`, with brackets around an IPv6 address. */
export function apiServerUrl(host: string): string {
    return `https://${host.includes(":") ? `[${host}]` : host}:6443`;
}

/** The validated configuration and the plan's shape, known at construction. */
export interface ClusterDesign {
    readonly clusterName: string;
    readonly config: ClusterConfig;
    /** The plan with the stand-in (or pinned, or last deployment's) ULA ID: everything but ULA-derived values is final. */
    readonly shape: AddressPlan;
    /** The configuration keys the arguments set (the rest are defaults). */
    readonly explicitKeys: ReadonlySet<string>;
    readonly warnings: Finding[];
    /**
     * A configuration value as the children get it: the Input the arguments gave for a key
     * that may be an output (its stand-in in `config`), else the value itself.
     */
    readonly input: (value: string | undefined) => pulumi.Input<string> | undefined;
}

/** The previous address plan when it is known now (the program passes it as text). */
function previousPlanOf(args: ClusterArgs): PlanSummary | undefined {
    return typeof args.previousAddressPlan === "string" && args.previousAddressPlan !== ""
        ? (JSON.parse(args.previousAddressPlan) as PlanSummary)
        : undefined;
}

/**
 * Validate arguments and plan the addresses; throws InvalidPlanError listing every error.
 * When the last deployment's plan is known now (the program reads it before building the
 * Cluster), the ranges are also compared with it here, before any resource exists; its ULA
 * global ID is the one the stack's RandomId keeps, so the new plan's IPv6 ranges are exact.
 */
export function designCluster(name: string, args: ClusterArgs, stack: string = pulumi.getStack()): ClusterDesign {
    const fromArgs = configFromArgs(args);
    const loaded = loadConfig(fromArgs.raw, { defaultClusterName: name });
    const subject = `Cluster "${name}"`;
    if (loaded.config === undefined || fromArgs.findings.length > 0) {
        throw new InvalidPlanError([...fromArgs.findings, ...loaded.findings], `the configuration of ${subject}`);
    }
    const config = loaded.config;
    const previous = previousPlanOf(args);
    const previousId = previous?.ula && !previous.ula.standIn ? previous.ula.globalId : undefined;
    const options = config.ulaGlobalId === undefined && previousId !== undefined ? { globalId: previousId } : { standInSeed: stack };
    const planned = planAddresses(config, options, loaded.explicitKeys);
    const findings = [...loaded.findings, ...planned.findings];
    if (planned.plan !== undefined) {
        findings.push(...checkRangeChanges(previous, summarizePlan(planned.plan), keys, config.kubernetes.allowRangeChanges));
    }
    if (hasErrors(findings) || planned.plan === undefined) throw new InvalidPlanError(findings, `the address plan of ${subject}`);
    return {
        clusterName: config.clusterName ?? name,
        config,
        shape: planned.plan,
        explicitKeys: loaded.explicitKeys,
        warnings: findings,
        input: (value) => (value !== undefined && value.startsWith(INPUT_MARK) ? fromArgs.inputs.get(value) : value),
    };
}

function nodeFamilyArgs<T>(families: readonly IpFamily[], make: (family: IpFamily) => T): { ipv4?: T; ipv6?: T } {
    const out: { ipv4?: T; ipv6?: T } = {};
    for (const family of families) out[familyFacts(family).lowerSuffix] = make(family);
    return out;
}

/**
 * A dual-stack Kubernetes cluster on OpenStack (`dualstack:index:Cluster`): Neutron network
 * and security groups, cluster PKI and join tokens, API endpoint, control-plane and worker
 * machines bootstrapped by kubeadm, Calico.
 */
export class Cluster extends pulumi.ComponentResource {
    /**
     * The address plan per family with capacity (also what the policy pack checks): an
     * `addressing.PlanSummary`. Declared `any` so that other languages receive it as a JSON
     * object: the schema inference cannot express its counts (a number, or a decimal string
     * beyond 2^53).
     */
    public readonly addressPlan: pulumi.Output<any>;
    /**
     * The address plan as known before the stack's random ULA ID is (an
     * `addressing.PlanSummary` whose `ula.standIn` says so): every range but the ULA-derived
     * ones is final, and those have their final layout. What the policy pack checks in a
     * first preview, when `addressPlan` is not known yet.
     */
    public readonly addressLayout: pulumi.Output<any>;
    /** Admin kubeconfig. Secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The API URL clients outside the cloud use (DNS name, floating IP, or the endpoint address). */
    public readonly apiServerUrl: pulumi.Output<string>;
    /** IPv4 address of the API endpoint in the node subnet (load-balancer VIP or the single control plane). */
    public readonly apiEndpointIPv4?: pulumi.Output<string>;
    /** IPv6 address of the API endpoint in the node subnet (load-balancer VIP or the single control plane). */
    public readonly apiEndpointIPv6?: pulumi.Output<string>;
    /** Floating IP of the API endpoint, when the nodes have IPv4. */
    public readonly apiFloatingIp?: pulumi.Output<string>;
    /** Every machine with its addresses. */
    public readonly nodes: pulumi.Output<ClusterNode[]>;
    /** Neutron network id. */
    public readonly networkId: pulumi.Output<string>;
    /** The Calico IP pools as applied (the next deployment checks them against its own). */
    public readonly calicoPools?: pulumi.Output<CalicoIpPool[]>;
    /** The tigera-operator Helm release's status. */
    public readonly calicoReleaseStatus?: pulumi.Output<kubernetes.types.output.helm.v3.ReleaseStatus>;
    /**
     * A Kubernetes provider for the cluster (`ClusterApi`'s): it waits until the API answers
     * `/readyz`, so resources created with it (`{ provider: cluster.provider }`) are sent only to
     * a ready API server. Undefined with `installCalico: false`, where this program does not
     * talk to the API at all.
     */
    public readonly provider?: kubernetes.Provider;
    /** The access gateways' WireGuard public key (with a `gateway` section). */
    public readonly gatewayPublicKey?: pulumi.Output<string>;
    /** Where WireGuard peers connect, `host:port` (with a `gateway` section). */
    public readonly gatewayEndpoint?: pulumi.Output<string>;
    /** The access gateways' IPv4 VIP in the node subnet. */
    public readonly gatewayVipIPv4?: pulumi.Output<string>;
    /** The access gateways' IPv6 VIP in the node subnet. */
    public readonly gatewayVipIPv6?: pulumi.Output<string>;
    /** Each peer's WireGuard configuration, without its private key. */
    public readonly gatewayClientConfigs?: pulumi.Output<GatewayClientConfig[]>;

    constructor(name: string, args: ClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const design = designCluster(name, args);
        super("dualstack:index:Cluster", name, {}, opts);
        for (const finding of design.warnings) pulumi.log.warn(formatFinding(finding), this);
        const out = createCluster(name, args, design, this);
        this.addressPlan = out.addressPlan;
        this.addressLayout = out.addressLayout;
        this.kubeconfig = out.kubeconfig;
        this.apiServerUrl = out.apiServerUrl;
        this.apiEndpointIPv4 = out.apiEndpointIPv4;
        this.apiEndpointIPv6 = out.apiEndpointIPv6;
        this.apiFloatingIp = out.apiFloatingIp;
        this.nodes = out.nodes;
        this.networkId = out.networkId;
        this.calicoPools = out.calicoPools;
        this.calicoReleaseStatus = out.calicoReleaseStatus;
        this.provider = out.clusterApi?.provider;
        clusterParts.set(this, out);
        this.gatewayPublicKey = out.gateway?.publicKey;
        this.gatewayEndpoint = out.gateway?.endpoint;
        this.gatewayVipIPv4 = out.gateway?.vipAddressIPv4;
        this.gatewayVipIPv6 = out.gateway?.vipAddressIPv6;
        this.gatewayClientConfigs = out.gateway?.clientConfigs;
        this.registerOutputs({
            addressPlan: out.addressPlan,
            addressLayout: out.addressLayout,
            kubeconfig: out.kubeconfig,
            apiServerUrl: out.apiServerUrl,
            apiEndpointIPv4: out.apiEndpointIPv4,
            apiEndpointIPv6: out.apiEndpointIPv6,
            apiFloatingIp: out.apiFloatingIp,
            nodes: out.nodes,
            networkId: out.networkId,
            calicoPools: out.calicoPools,
            // Not `provider`: a resource reference among a component's outputs is more than the
            // policy pack's deserializer reads (@pulumi/policy: "Unrecognized signature").
            calicoReleaseStatus: out.calicoReleaseStatus,
            gatewayPublicKey: this.gatewayPublicKey,
            gatewayEndpoint: this.gatewayEndpoint,
            gatewayVipIPv4: this.gatewayVipIPv4,
            gatewayVipIPv6: this.gatewayVipIPv6,
            gatewayClientConfigs: this.gatewayClientConfigs,
        });
    }

    // The child components, for TypeScript programs (as pulumi-eks exposes its parts). Getters,
    // not properties: the cross-language schema lists every property as an output, and can
    // refer to resources of @pulumi packages only.

    /** The Network component: network, subnets, router, security groups. */
    public get network(): Network {
        return partsOf(this).network;
    }
    /** The ClusterPki component: CAs, keys, tokens. */
    public get pki(): ClusterPki {
        return partsOf(this).pki;
    }
    /** The ApiEndpoint component: floating IP or load balancers. */
    public get endpoint(): ApiEndpoint {
        return partsOf(this).endpoint;
    }
    /** The control-plane NodePool. */
    public get controlPlane(): NodePool {
        return partsOf(this).controlPlane;
    }
    /** One NodePool per worker pool, in the order of `workerPools`. */
    public get workerPools(): readonly NodePool[] {
        return partsOf(this).workerPools;
    }
    /** The ClusterApi component (readiness wait and provider); undefined with `installCalico: false`. */
    public get clusterApi(): ClusterApi | undefined {
        return partsOf(this).clusterApi;
    }
    /** The Calico component; undefined with `installCalico: false`. */
    public get calico(): Calico | undefined {
        return partsOf(this).calico;
    }
}

/** Each Cluster's children (see the getters of Cluster). */
const clusterParts = new WeakMap<Cluster, ClusterOutputs>();

function partsOf(cluster: Cluster): ClusterOutputs {
    return clusterParts.get(cluster) as ClusterOutputs;
}

/** What createCluster builds. */
export interface ClusterOutputs {
    readonly addressPlan: pulumi.Output<PlanSummary>;
    readonly addressLayout: pulumi.Output<PlanSummary>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly apiServerUrl: pulumi.Output<string>;
    readonly apiEndpointIPv4?: pulumi.Output<string>;
    readonly apiEndpointIPv6?: pulumi.Output<string>;
    readonly apiFloatingIp?: pulumi.Output<string>;
    readonly nodes: pulumi.Output<ClusterNode[]>;
    readonly networkId: pulumi.Output<string>;
    readonly calicoPools?: pulumi.Output<CalicoIpPool[]>;
    readonly calicoReleaseStatus?: pulumi.Output<kubernetes.types.output.helm.v3.ReleaseStatus>;
    readonly network: Network;
    readonly pki: ClusterPki;
    readonly endpoint: ApiEndpoint;
    readonly controlPlane: NodePool;
    readonly workerPools: NodePool[];
    readonly clusterApi?: ClusterApi;
    readonly calico?: Calico;
    readonly gateway?: Gateway;
}

/** Create the cluster's children under `parent`. */
export function createCluster(name: string, args: ClusterArgs, design: ClusterDesign, parent: pulumi.Resource): ClusterOutputs {
    const { config, shape, clusterName, input } = design;
    const opts = { parent };

    // The final plan: with a random ULA /48 its IPv6 values are known only once the ID is.
    // A previous plan given as an Output is compared here, and every range waits for that
    // check; given as text (the program), designCluster has compared it already.
    const randomUla = usesUla(config) && config.ulaGlobalId === undefined;
    const globalId = randomUla ? new random.RandomId(`${name}-ula-global-id`, { byteLength: 5 }, opts).hex : pulumi.output(undefined);
    const previousLater = typeof args.previousAddressPlan === "string" ? undefined : args.previousAddressPlan;
    const plan: pulumi.Output<AddressPlan> = pulumi.all([globalId, previousLater]).apply(([id, previousJson]) => {
        let final = shape;
        if (id !== undefined) {
            const result = planAddresses(config, { globalId: id }, design.explicitKeys);
            throwOnErrors(result.findings, `the address plan of Cluster "${name}"`);
            final = result.plan as AddressPlan;
        }
        const previous = previousJson ? (JSON.parse(previousJson) as PlanSummary) : undefined;
        throwOnErrors(
            checkRangeChanges(previous, summarizePlan(final), keys, config.kubernetes.allowRangeChanges),
            `the change to Cluster "${name}"`,
        );
        return final;
    });
    const addressPlan = plan.apply(summarizePlan);
    // Stamped on every machine and on the Kubernetes provider: unchanged unless a range change
    // is let through by allowRangeChanges, which then rebuilds the machines and re-creates
    // every Kubernetes resource in the new cluster.
    const rangesKey = addressPlan.apply(rangesFingerprint);
    const nodeFamilies = shape.nodeSubnets.map((s) => s.family);
    const rangeOf = (pick: (p: AddressPlan) => string | undefined) => plan.apply((p) => pick(p) as string);

    // The access gateway's WireGuard client ranges: SSH and the API are open to them.
    const clientFamilies = (shape.gateway?.clientRanges ?? []).map((r) => r.cidr.family);
    const gatewayClientRanges = nodeFamilyArgs(clientFamilies, (family) => rangeOf((p) => clientRange(p, family)?.cidr.text));

    const podRanges: PodRangesArgs = nodeFamilyArgs(shape.ipFamilies, (family) => ({
        cidr: rangeOf((p) => familyPlan(p, family)?.pods.cidr.text),
        encapsulation: familyPlan(shape, family)?.calico.encapsulation,
    }));
    const network = new Network(
        name,
        {
            clusterName,
            subnets: nodeFamilyArgs(nodeFamilies, (family) => {
                const subnet = nodeSubnet(shape, family);
                const modes = family === "IPv6" ? { ipv6AddressMode: subnet?.ipv6AddressMode, ipv6RaMode: subnet?.ipv6RaMode } : {};
                return subnet?.subnetPool
                    ? { subnetPoolName: subnet.subnetPool.name, prefixLength: subnet.subnetPool.prefixLength, ...modes }
                    : { cidr: rangeOf((p) => nodeSubnet(p, family)?.range?.cidr.text), ...modes };
            }),
            podRanges,
            calicoBgp: config.calico.bgp,
            existingNetworkName: input(config.network.existingNetwork),
            externalNetworkName: input(config.network.externalNetwork),
            existingRouterName: input(config.network.existingRouter),
            dnsNameservers: [...config.network.dnsNameservers],
            access: { apiAllowedCidrs: [...config.access.apiAllowedCidrs], sshAllowedCidrs: [...config.access.sshAllowedCidrs] },
            gatewayClientRanges,
        },
        opts,
    );
    const subnetIds = { ipv4: network.subnetIdIPv4, ipv6: network.subnetIdIPv6 };
    const subnetCidrs = { ipv4: network.subnetCidrIPv4, ipv6: network.subnetCidrIPv6 };

    const pki = new ClusterPki(name, { clusterName, tokenRotation: input(config.bootstrap.tokenRotation) }, opts);

    const endpoint = new ApiEndpoint(
        name,
        {
            clusterName,
            controlPlaneCount: config.controlPlane.count,
            primaryFamily: shape.ipFamilies[0],
            networkId: network.networkId,
            subnets: nodeFamilyArgs(nodeFamilies, (family) => {
                const lower = familyFacts(family).lowerSuffix;
                return { subnetId: subnetIds[lower] as pulumi.Output<string>, cidr: subnetCidrs[lower] as pulumi.Output<string> };
            }),
            // Floating IPs are IPv4: without IPv4 on the nodes the API is reached at its IPv6 address.
            externalNetworkName: nodeFamilies.includes("IPv4") ? input(config.network.externalNetwork) : undefined,
            dnsName: config.controlPlane.endpoint,
            apiAllowedCidrs: [...config.access.apiAllowedCidrs],
            gatewayClientRanges,
            // Not controlPlane.availabilityZone: that is Nova's; Octavia's zones are its own objects.
        },
        opts,
    );

    const bootstrapFor = (facts: pulumi.Output<ApiEndpointFacts>): pulumi.Output<ClusterBootstrap> =>
        pulumi.secret(
            pulumi
                .all([plan, facts, pki.joinToken, pki.initToken, pki.caCertHash, pki.material, network.subnetCidrIPv4, network.subnetCidrIPv6])
                .apply(([p, endpointFacts, joinToken, initToken, caCertHash, material, cidrIPv4, cidrIPv6]) =>
                    buildClusterBootstrap({
                        clusterName,
                        config,
                        plan: p,
                        endpoint: endpointFacts,
                        secrets: { joinToken, initToken, caCertHash, pki: material },
                        nodeSubnetCidrs: { IPv4: cidrIPv4, IPv6: cidrIPv6 },
                    }),
                ),
        );

    const loadBalanced = config.controlPlane.count > 1;
    const dnsName = config.controlPlane.endpoint;
    const controlPlaneFacts: pulumi.Output<ApiEndpointFacts> = loadBalanced
        ? pulumi
              .all([endpoint.vipAddressIPv4, endpoint.vipAddressIPv6, endpoint.floatingIpAddress])
              .apply(([addressIPv4, addressIPv6, floatingIp]) => ({ addressIPv4, addressIPv6, floatingIp, dnsName }))
        : pulumi.output(endpoint.floatingIpAddress).apply((floatingIp) => ({ floatingIp, dnsName }));

    const machineArgs = {
        clusterName,
        rebuildKey: rangesKey,
        networkId: network.networkId,
        subnetIds: nodeFamilyArgs(nodeFamilies, (family) => subnetIds[familyFacts(family).lowerSuffix] as pulumi.Output<string>),
        subnetCidrs: nodeFamilyArgs(nodeFamilies, (family) => subnetCidrs[familyFacts(family).lowerSuffix] as pulumi.Output<string>),
        podRanges,
        keyPairName: input(config.access.sshKeyName),
    };
    const controlPlane = new NodePool(
        `${name}-control-plane`,
        {
            ...machineArgs,
            role: "control-plane",
            count: config.controlPlane.count,
            flavorName: input(config.controlPlane.flavor) as pulumi.Input<string>,
            imageName: input(config.controlPlane.image),
            availabilityZone: input(config.controlPlane.availabilityZone),
            serverGroupPolicy: config.controlPlane.serverGroupPolicy,
            securityGroupIds: [network.nodeSecurityGroupId, network.controlPlaneSecurityGroupId],
            bootstrap: bootstrapFor(controlPlaneFacts),
            loadBalancerPoolIds: loadBalanced ? { ipv4: endpoint.poolIdIPv4, ipv6: endpoint.poolIdIPv6 } : undefined,
            floatingIpAddress: loadBalanced ? undefined : endpoint.floatingIpAddress,
            joinExisting: config.controlPlane.joinExisting,
        },
        opts,
    );

    // Workers reach the API at the endpoint's address; with one control plane that is the
    // control plane's own address, known once its port exists (not the machine). They need
    // nothing else of the endpoint: the floating IP and DNS name only go into the control
    // planes' certificates, so workers do not wait for them.
    const workerFacts: pulumi.Output<ApiEndpointFacts> = loadBalanced
        ? pulumi.all([endpoint.vipAddressIPv4, endpoint.vipAddressIPv6]).apply(([addressIPv4, addressIPv6]) => ({ addressIPv4, addressIPv6 }))
        : pulumi.all([controlPlane.addressesIPv4, controlPlane.addressesIPv6]).apply(([v4, v6]) => ({ addressIPv4: v4[0], addressIPv6: v6[0] }));
    const workerBootstrap = bootstrapFor(workerFacts);
    const workerPools = config.workerPools.map(
        (pool) =>
            new NodePool(
                `${name}-${pool.name}`,
                {
                    ...machineArgs,
                    role: "worker",
                    poolName: pool.name,
                    count: pool.count,
                    flavorName: input(pool.flavor) as pulumi.Input<string>,
                    imageName: input(pool.image),
                    availabilityZone: input(pool.availabilityZone),
                    serverGroupPolicy: pool.serverGroupPolicy,
                    securityGroupIds: [network.nodeSecurityGroupId],
                    bootstrap: workerBootstrap,
                },
                opts,
            ),
    );

    const gateway = config.gateway === undefined ? undefined : createAccessGateway(name, design, network, gatewayClientRanges, parent);

    const primary = shape.ipFamilies[0];
    const ownAddress = (family: IpFamily) => (family === "IPv4" ? controlPlane.addressesIPv4 : controlPlane.addressesIPv6).apply((a) => a[0]);
    const apiEndpointIPv4 = nodeFamilies.includes("IPv4") ? (loadBalanced ? endpoint.vipAddressIPv4 : ownAddress("IPv4")) : undefined;
    const apiEndpointIPv6 = nodeFamilies.includes("IPv6") ? (loadBalanced ? endpoint.vipAddressIPv6 : ownAddress("IPv6")) : undefined;
    const fallbackHost = primary === "IPv4" ? apiEndpointIPv4 ?? apiEndpointIPv6 : apiEndpointIPv6 ?? apiEndpointIPv4;
    const clientHost = pulumi.all([endpoint.kubeconfigHost, fallbackHost]).apply(([host, fallback]) => (host ?? fallback) as string);
    const url = clientHost.apply(apiServerUrl);
    const kubeconfigFor = (server: pulumi.Output<string>) =>
        pulumi.secret(
            pulumi.all([server, pki.caCertPem, pki.adminCertPem, pki.adminKeyPem]).apply(([s, caCertPem, clientCertPem, clientKeyPem]) =>
                buildKubeconfig({ clusterName, server: s, caCertPem, userName: PKI_DEFAULTS.adminUser, clientCertPem, clientKeyPem }),
            ),
        );
    const kubeconfig = kubeconfigFor(url);
    // What this program itself talks to while it runs: never the DNS name, whose record may
    // not point anywhere yet during the first up; the floating IP, else the endpoint's own
    // address. The certificate names all of them.
    const programHost = pulumi.all([endpoint.floatingIpAddress, fallbackHost]).apply(([floatingIp, fallback]) => (floatingIp ?? fallback) as string);

    const pools = [controlPlane, ...workerPools];
    const nodes = pulumi
        .all(pools.map((pool) => pulumi.all([pool.addressesIPv4, pool.addressesIPv6])))
        .apply((addresses) =>
            pools.flatMap((pool, p) =>
                pool.nodeNames.map((nodeName, i) => ({
                    name: nodeName,
                    role: pool.role,
                    pool: pool.poolName,
                    addressIPv4: addresses[p][0][i],
                    addressIPv6: addresses[p][1][i],
                })),
            ),
        );

    // Through the API, once it answers: the long-lived join token and Calico. The provider
    // waits for /readyz, and so does everything created with it.
    let calico: Calico | undefined;
    let api: ClusterApi | undefined;
    if (args.installCalico !== false) {
        api = new ClusterApi(
            name,
            {
                kubeconfig: kubeconfigFor(programHost.apply(apiServerUrl)),
                endpoint: programHost,
                clusterCaCertPem: pki.caCertPem,
                readinessTimeoutSeconds: args.apiReadinessTimeoutSeconds,
                // A replaced control plane waits for the API again before anything is applied.
                readinessTriggers: controlPlane.instanceIds,
                clusterIdentifier: pulumi.interpolate`${clusterName}-${rangesKey}`,
            },
            opts,
        );
        new BootstrapTokenSecret(
            `${name}-join-token`,
            { tokenId: pki.joinTokenId, tokenSecret: pki.joinTokenSecret, description: `dualstack join token of cluster ${clusterName}` },
            { ...opts, provider: api.provider },
        );
        const calicoFamily = (family: IpFamily): CalicoFamilyArgs => {
            const cluster = familyPlan(shape, family);
            const lower = familyFacts(family).lowerSuffix;
            return {
                podCidr: cluster ? rangeOf((p) => familyPlan(p, family)?.pods.cidr.text) : undefined,
                nodeSubnetCidr: subnetCidrs[lower],
                blockSize: cluster?.calico.blockSize,
                encapsulation: cluster?.calico.encapsulation,
                natOutgoing: cluster?.calico.natOutgoing,
            };
        };
        calico = new Calico(
            name,
            {
                kubernetesProvider: api.provider,
                kubeconfig,
                ipFamilies: [...shape.ipFamilies],
                ...nodeFamilyArgs([...new Set([...shape.ipFamilies, ...nodeFamilies])], calicoFamily),
                version: config.calico.version,
                bgp: config.calico.bgp,
                proxyMode: config.kubernetes.proxyMode,
                blockMetadata: config.calico.blockMetadata,
                // A rebuilt cluster (allowRangeChanges) starts with no pools.
                previousPools: config.kubernetes.allowRangeChanges
                    ? []
                    : pulumi.output(args.previousCalicoPools).apply((json) => (json ? (JSON.parse(json) as CalicoIpPool[]) : [])),
            },
            opts,
        );
    }

    return {
        addressLayout: pulumi.output(summarizePlan(shape)),
        calicoPools: calico?.pools,
        calicoReleaseStatus: calico?.releaseStatus,
        addressPlan,
        kubeconfig,
        apiServerUrl: url,
        apiEndpointIPv4,
        apiEndpointIPv6,
        apiFloatingIp: endpoint.floatingIpAddress,
        nodes,
        networkId: network.networkId,
        network,
        pki,
        endpoint,
        controlPlane,
        workerPools,
        clusterApi: api,
        calico,
        gateway,
    };
}

/**
 * The access gateway of the `gateway` section. A private key that this run cannot read (an
 * encrypted stack-file value, which only the engine decrypts: `dualstack plan`) is replaced
 * by a generated one, with a warning.
 */
function createAccessGateway(
    name: string,
    design: ClusterDesign,
    network: Network,
    clientRanges: { ipv4?: pulumi.Input<string>; ipv6?: pulumi.Input<string> },
    parent: pulumi.Resource,
): Gateway {
    const { config, shape, clusterName, input } = design;
    const gateway = config.gateway as NonNullable<ClusterConfig["gateway"]>;
    if (gateway.privateKey?.kind === "encrypted") {
        pulumi.log.warn(
            formatFinding({
                rule: "secret-not-readable",
                severity: "warning",
                path: keys.gatewayPrivateKey,
                message:
                    `${keys.gatewayPrivateKey} is encrypted in the configuration this run reads, and only the Pulumi engine decrypts ` +
                    `it; this run uses a generated key instead, so the gateway public key it shows is not your key's.`,
            }),
            parent,
        );
    }
    const nodeFamilies = shape.nodeSubnets.map((s) => s.family);
    const subnets = { ipv4: { id: network.subnetIdIPv4, cidr: network.subnetCidrIPv4 }, ipv6: { id: network.subnetIdIPv6, cidr: network.subnetCidrIPv6 } };
    return new Gateway(
        `${name}-gateway`,
        {
            clusterName,
            count: gateway.count,
            flavorName: input(gateway.flavor) as pulumi.Input<string>,
            imageName: input(gateway.image),
            keyPairName: input(config.access.sshKeyName),
            networkId: network.networkId,
            subnets: nodeFamilyArgs(nodeFamilies, (family) => {
                const subnet = subnets[familyFacts(family).lowerSuffix];
                return { subnetId: subnet.id as pulumi.Output<string>, cidr: subnet.cidr as pulumi.Output<string> };
            }),
            routerId: network.routerId,
            clientRanges,
            peers: gateway.peers.map((p) => ({ ...p })),
            listenPort: gateway.listenPort,
            allowedSourceCidrs: [...gateway.allowedSourceCidrs],
            privateKey: gateway.privateKey?.kind === "value" ? pulumi.secret(input(gateway.privateKey.text) as pulumi.Input<string>) : undefined,
            // Floating IPs are IPv4: without IPv4 on the nodes, peers connect to the IPv6 VIP.
            externalNetworkName: nodeFamilies.includes("IPv4") ? input(config.network.externalNetwork) : undefined,
        },
        { parent },
    );
}

/** Every key of the configuration schema is an argument (checked by a test). */
export const CLUSTER_CONFIG_KEYS: readonly string[] = Object.keys(CONFIG_SCHEMA);
