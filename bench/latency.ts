/**
 * How long an OpenStack cloud (and the other providers the program uses) typically takes to
 * create each resource type, in seconds: from the API call until the resource is usable
 * (ACTIVE, or the provider's wait for it is over). Typical figures for an OVS/OVN Neutron,
 * a Nova boot from a cached image and an Octavia amphora load balancer; real clouds vary
 * by a factor of two either way. BENCHMARKS.md prints this table.
 */

/** One row of the table. */
export interface LatencyEntry {
    /** A type token, or a prefix ending in `:` or `/` for a whole provider or module. */
    readonly type: string;
    readonly seconds: number;
    readonly why: string;
    /**
     * A component whose children the provider creates (a multi-language component such as a
     * Helm v4 Chart): offline they are not there, so the component stands for their time.
     */
    readonly remoteComponent?: boolean;
}

export const OPENSTACK_LATENCY: readonly LatencyEntry[] = [
    { type: "openstack:networking/network:Network", seconds: 2, why: "Neutron network" },
    { type: "openstack:networking/subnet:Subnet", seconds: 2, why: "subnet with DHCP port" },
    { type: "openstack:networking/router:Router", seconds: 3, why: "router with external gateway" },
    { type: "openstack:networking/routerInterface:RouterInterface", seconds: 3, why: "router port on a subnet" },
    { type: "openstack:networking/secGroup:SecGroup", seconds: 1, why: "security group" },
    { type: "openstack:networking/secGroupRule:SecGroupRule", seconds: 1, why: "one rule" },
    { type: "openstack:networking/port:Port", seconds: 2, why: "port with fixed IPs" },
    { type: "openstack:networking/floatingIp:FloatingIp", seconds: 3, why: "floating IP (and NAT on the router)" },
    { type: "openstack:networking/floatingIpAssociate:FloatingIpAssociate", seconds: 2, why: "associate a floating IP with a port" },
    { type: "openstack:compute/serverGroup:ServerGroup", seconds: 1, why: "Nova server group" },
    { type: "openstack:compute/keypair:Keypair", seconds: 1, why: "Nova key pair" },
    { type: "openstack:compute/instance:Instance", seconds: 40, why: "server to ACTIVE (schedule, image, port binding, boot)" },
    { type: "openstack:loadbalancer/loadBalancer:LoadBalancer", seconds: 90, why: "Octavia amphora load balancer to ACTIVE" },
    { type: "openstack:loadbalancer/listener:Listener", seconds: 10, why: "listener (amphora reconfigured)" },
    { type: "openstack:loadbalancer/pool:Pool", seconds: 5, why: "pool" },
    { type: "openstack:loadbalancer/monitor:Monitor", seconds: 5, why: "health monitor" },
    { type: "openstack:loadbalancer/member:Member", seconds: 5, why: "pool member" },
    {
        type: "pulumi-nodejs:dynamic:ApiReadiness",
        seconds: 180,
        why: "from the control-plane machines ACTIVE until /readyz answers: first boot, packages, kubeadm init",
    },
    { type: "kubernetes:helm.sh/v3:Release", seconds: 60, why: "Helm release until its resources are ready" },
    { type: "kubernetes:helm.sh/v4:Chart", seconds: 10, why: "chart objects applied server-side (CRDs)", remoteComponent: true },
    { type: "kubernetes:", seconds: 2, why: "any other Kubernetes object (server-side apply)" },
    { type: "pulumi:providers:", seconds: 0, why: "provider configuration, no API call" },
    { type: "pulumi:pulumi:StackReference", seconds: 1, why: "read another stack's outputs from the backend" },
    { type: "tls:", seconds: 0, why: "keys and certificates made locally by the provider" },
    { type: "random:", seconds: 0, why: "random values made locally by the provider" },
];

/** For custom resource types the table does not list. */
export const DEFAULT_LATENCY_SECONDS = 1;

/** The table entry for a type: an exact token first, else the longest matching prefix. */
export function latencyEntry(type: string, table: readonly LatencyEntry[] = OPENSTACK_LATENCY): LatencyEntry | undefined {
    const exact = table.find((e) => e.type === type);
    if (exact !== undefined) return exact;
    return table
        .filter((e) => /[:/]$/.test(e.type) && type.startsWith(e.type))
        .reduce<LatencyEntry | undefined>((best, e) => (best === undefined || e.type.length > best.type.length ? e : best), undefined);
}

/** Seconds a resource of `type` takes; components take none, unless the provider makes their children. */
export function latencySeconds(type: string, custom = true): number {
    const entry = latencyEntry(type);
    if (!custom) return entry?.remoteComponent === true ? entry.seconds : 0;
    return entry?.seconds ?? DEFAULT_LATENCY_SECONDS;
}
