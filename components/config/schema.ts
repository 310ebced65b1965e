/**
 * The schema of the `dualstack:` stack configuration: every key with its type, default and
 * meaning. The loader checks types against it, suggests keys from it, and the README's
 * configuration reference is checked against it by a test.
 */
import { ALL_FAMILIES } from "../addressing/family";
import { WIREGUARD_KEY } from "../addressing/rules/gateway";
import { CALICO_VERSION, KUBERNETES_VERSION } from "../versions";
import { DNS_NAME } from "../addressing/names";
import { ENCAPSULATIONS, PROXY_MODES, SERVER_GROUP_POLICIES } from "./types";

/** The type of one configuration value. */
export type FieldType =
    | { readonly kind: "string"; readonly pattern?: RegExp; readonly expected?: string }
    | { readonly kind: "integer"; readonly min?: number; readonly max?: number }
    | { readonly kind: "boolean" }
    | { readonly kind: "enum"; readonly values: readonly string[] }
    /** A CIDR, or `"ula"` / `"ula/N"` when `ula` is set; `null` (or `"none"`) when `nullable`. */
    | { readonly kind: "range"; readonly ula: boolean; readonly nullable: boolean }
    /** At most `maxItems` items: no key needs more, and longer lists only cost time. */
    | { readonly kind: "list"; readonly item: FieldType; readonly maxItems: number }
    /** A secret string: plain as the engine hands it to the program, `{secure: ...}` in a stack file. Never echoed in messages. */
    | { readonly kind: "secret"; readonly pattern: RegExp; readonly expected: string }
    | { readonly kind: "object"; readonly fields: Readonly<Record<string, Field>> };

/** One key of the schema. */
export interface Field {
    readonly type: FieldType;
    /** What the key means, for docs. */
    readonly doc: string;
    /** The default, as documented. */
    readonly default: string;
    /** Needed by `pulumi up` (and so by `check` and `plan`, which answer for `up`). */
    readonly required?: boolean;
    /**
     * The Cluster component takes it as a `pulumi.Input`: an output of another resource or
     * stack may be passed. Only names handed to OpenStack as they are (flavors, images, zones,
     * networks): nothing that decides which resources exist or that a rule must see first.
     */
    readonly input?: boolean;
    /** Read by the program (`index.ts`), not by the Cluster component: left out of its arguments. */
    readonly programOnly?: boolean;
}

const str = (pattern?: RegExp, expected?: string): FieldType => ({ kind: "string", pattern, expected });
const int = (min?: number, max?: number): FieldType => ({ kind: "integer", min, max });
const bool: FieldType = { kind: "boolean" };
const oneOf = (values: readonly string[]): FieldType => ({ kind: "enum", values });
/** The longest list any key takes (a stack's reserved ranges, access lists, pools). */
export const MAX_LIST_ITEMS = 256;
const listOf = (item: FieldType): FieldType => ({ kind: "list", item, maxItems: MAX_LIST_ITEMS });
const objectOf = (fields: Record<string, Field>): FieldType => ({ kind: "object", fields });

/**
 * An OpenStack resource name (flavor, image, network, key pair, zone): 1 to 255 characters,
 * not only blanks, and no control characters, Unicode replacement characters (the trace of a
 * wrong encoding) or bidirectional overrides. Nova and Neutron match names exactly, so such a
 * name can only fail at `up`, or hide what it is from a reviewer.
 */
export const OPENSTACK_NAME = /^(?=.*\S)[^\p{Cc}\ufffd\u202a-\u202e\u2066-\u2069]{1,255}$/u;

const name: FieldType = str(OPENSTACK_NAME, "an OpenStack name: 1 to 255 characters, not only blanks, without control characters");

/** A lower-case DNS label of at most 32 characters: cluster and pool names (machine names are `<cluster>-<pool>-<n>`). */
export const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/** Peers of the access gateway. */
export const GATEWAY_PEER_FIELDS: Readonly<Record<string, Field>> = {
    name: {
        type: str(CLUSTER_NAME, "a DNS label of at most 32 characters, e.g. alice-laptop"),
        doc: "Peer name: comments in the gateways' WireGuard configuration and the client configuration template.",
        default: "required",
        required: true,
    },
    publicKey: {
        type: str(WIREGUARD_KEY, "a WireGuard public key (44 characters of base64, `wg pubkey` prints one)"),
        doc: "The peer's WireGuard public key (`wg genkey | wg pubkey`); its private key never leaves the peer.",
        default: "required",
        required: true,
    },
    hostId: {
        type: int(2),
        doc: "The peer's address in each client range is the range's first address plus `hostId` (`10.254.0.0/24` and 10: `10.254.0.10`). 1 is the gateways' own tunnel address.",
        default: "required",
        required: true,
    },
};

/** Worker pool entries. */
export const WORKER_POOL_FIELDS: Readonly<Record<string, Field>> = {
    name: {
        type: str(CLUSTER_NAME, "a DNS label of at most 32 characters, e.g. workers"),
        doc: "Pool name; part of every machine name of the pool.",
        default: "required",
        required: true,
    },
    count: { type: int(0, 1000), doc: "Number of workers in the pool.", default: "2" },
    flavor: { type: name, doc: "Nova flavor name.", default: "`controlPlane.flavor`", input: true },
    image: { type: name, doc: "Glance image name (with cloud-init, Debian or Ubuntu).", default: "`controlPlane.image`", input: true },
    serverGroupPolicy: {
        type: oneOf(SERVER_GROUP_POLICIES),
        doc: "Nova server-group policy that spreads the pool over hypervisors.",
        default: "`soft-anti-affinity`",
    },
    availabilityZone: { type: name, doc: "Nova availability zone.", default: "none (the cloud's default)", input: true },
};

/** The whole `dualstack:` namespace. */
export const CONFIG_SCHEMA: Readonly<Record<string, Field>> = {
    clusterName: {
        type: str(CLUSTER_NAME, "a lower-case DNS label of at most 32 characters, e.g. dev"),
        doc: "Name of the cluster: kubeadm `clusterName`, machine names (`<clusterName>-<pool>-<n>`), the `dualstack-cluster` tag.",
        default: "the stack name",
    },
    ipFamilies: {
        type: listOf(oneOf(ALL_FAMILIES)),
        doc: "Families of pods and services, primary first: `[IPv4, IPv6]`, `[IPv6, IPv4]`, `[IPv4]` or `[IPv6]`.",
        default: "`[IPv4, IPv6]`",
    },
    ulaGlobalId: {
        type: str(/^[0-9a-fA-F]{10}$/, 'ten hexadecimal digits in quotes, e.g. "8a3c1f0b7d"'),
        doc: 'Pin the 40-bit RFC 4193 global ID of the stack\'s ULA /48 (reproducible plans). Otherwise it is random and kept in state.',
        default: "random (@pulumi/random)",
    },
    network: {
        type: objectOf({
            ipv4Cidr: {
                type: { kind: "range", ula: false, nullable: true },
                doc: "IPv4 node subnet. `null` for IPv6-only nodes.",
                default: "`10.0.0.0/22` when IPv4 is a cluster family",
            },
            ipv6Cidr: {
                type: { kind: "range", ula: true, nullable: true },
                doc: 'IPv6 node subnet, or `"ula"` (a /64 of the stack\'s ULA /48) or `"ula/N"`. `null` for IPv4-only nodes.',
                default: '`"ula"` (/64) when IPv6 is a cluster family',
            },
            ipv6AddressMode: {
                type: str(),
                doc: "Neutron `ipv6_address_mode`: `dhcpv6-stateful`, `dhcpv6-stateless` or `slaac` (the last two need a /64).",
                default: "`dhcpv6-stateful`",
            },
            ipv6RaMode: {
                type: str(),
                doc: "Neutron `ipv6_ra_mode`; must equal the address mode when set.",
                default: "the address mode",
            },
            ipv6SubnetPool: {
                type: name,
                doc: "Name of a Neutron subnet pool to take the IPv6 node subnet from (globally routed IPv6, no NAT). Replaces `ipv6Cidr`.",
                default: "none",
            },
            ipv6PrefixLength: {
                type: int(48, 126),
                doc: "Prefix length requested from `ipv6SubnetPool`.",
                default: "64",
            },
            externalNetwork: {
                type: name,
                doc: "Name of the external network: router gateway and floating IPs.",
                default: "required (unless `existingRouter`)",
                input: true,
            },
            dnsNameservers: { type: listOf(str()), doc: "DNS servers handed out on the node subnets (addresses of either family).", default: "`[]`" },
            existingNetwork: {
                type: name,
                doc: "Name of an existing Neutron network to create the node subnets in, instead of a new network.",
                default: "none",
                input: true,
            },
            existingRouter: {
                type: name,
                doc: "Name of an existing router to attach the node subnets to, instead of a new router.",
                default: "none",
                input: true,
            },
        }),
        doc: "Neutron network of the nodes.",
        default: "",
    },
    pods: {
        type: objectOf({
            ipv4Cidr: { type: { kind: "range", ula: false, nullable: false }, doc: "IPv4 pod range (kubeadm `podSubnet`, Calico pool).", default: "`10.244.0.0/16`" },
            ipv6Cidr: {
                type: { kind: "range", ula: true, nullable: false },
                doc: 'IPv6 pod range, or `"ula"` (a /56 of the ULA /48) or `"ula/N"`.',
                default: '`"ula"` (/56)',
            },
            nodeMaskIPv4: { type: int(0, 32), doc: "`node-cidr-mask-size-ipv4`: the IPv4 pod range of each node.", default: "24" },
            nodeMaskIPv6: { type: int(0, 128), doc: "`node-cidr-mask-size-ipv6`: the IPv6 pod range of each node.", default: "64" },
        }),
        doc: "Pod ranges.",
        default: "",
    },
    services: {
        type: objectOf({
            ipv4Cidr: { type: { kind: "range", ula: false, nullable: false }, doc: "IPv4 service range (kubeadm `serviceSubnet`).", default: "`10.96.0.0/16`" },
            ipv6Cidr: {
                type: { kind: "range", ula: true, nullable: false },
                doc: 'IPv6 service range, or `"ula"` (a /112 of the ULA /48) or `"ula/N"`.',
                default: '`"ula"` (/112)',
            },
        }),
        doc: "Service ranges.",
        default: "",
    },
    reservedCidrs: {
        type: listOf(str()),
        doc: "Ranges nothing of this stack may overlap: VPNs, other sites, other environments.",
        default: "`[]`",
    },
    kubernetes: {
        type: objectOf({
            version: {
                type: str(/^1\.\d+(\.\d+)?$/, 'a Kubernetes version in quotes, e.g. "1.34" or "1.34.2"'),
                doc: "Kubernetes minor (`1.34`) or patch (`1.34.2`); selects the pkgs.k8s.io repository.",
                default: `\`"${KUBERNETES_VERSION.version}"\``,
            },
            proxyMode: { type: oneOf(PROXY_MODES), doc: "kube-proxy mode.", default: "`ipvs`" },
            allowRangeChanges: {
                type: bool,
                doc: "Let a change of `ipFamilies`, a pod or service range, a node mask or a node subnet through on a deployed stack. Kubernetes cannot make it in place, so the cluster is rebuilt: every machine is replaced and every Kubernetes resource re-created (workloads and their data are lost).",
                default: "`false`",
            },
        }),
        doc: "Kubernetes.",
        default: "",
    },
    controlPlane: {
        type: objectOf({
            count: { type: int(1, 9), doc: "Control-plane machines: 1, 3 or 5 (etcd quorum; even counts warn).", default: "1" },
            flavor: { type: name, doc: "Nova flavor name.", default: "required", required: true, input: true },
            image: { type: name, doc: "Glance image name (with cloud-init, Debian or Ubuntu).", default: "required", required: true, input: true },
            endpoint: {
                type: str(DNS_NAME, "a DNS name such as api.dev.example.com (not an address: the endpoint's addresses are in the certificate already)"),
                doc: "DNS name of the API: it goes into the API server certificate and the exported kubeconfig. Point it at the endpoint's addresses (the floating IP, the VIPs) yourself; the nodes and pulumi up itself use the addresses, so the record can follow the first up.",
                default: "none (the endpoint address is used)",
            },
            serverGroupPolicy: {
                type: oneOf(SERVER_GROUP_POLICIES),
                doc: "Nova server-group policy for the control plane.",
                default: "`anti-affinity`",
            },
            availabilityZone: { type: name, doc: "Nova availability zone.", default: "none (the cloud's default)", input: true },
            joinExisting: {
                type: bool,
                doc: "The first control plane joins the running cluster instead of running `kubeadm init`: set it before replacing `control-plane-0` of a cluster with a load balancer (docs/network.md). Its machine is not touched until you replace it.",
                default: "`false`",
            },
        }),
        doc: "Control plane.",
        default: "",
    },
    workerPools: {
        type: listOf(objectOf(WORKER_POOL_FIELDS)),
        doc: "Worker pools: a list of `{name, count, flavor, image, serverGroupPolicy, availabilityZone}`.",
        default: "one pool `workers` of 2",
    },
    calico: {
        type: objectOf({
            version: {
                type: str(/^v\d+\.\d+\.\d+$/, 'a Calico release tag in quotes, e.g. "v3.32.1"'),
                doc: "tigera-operator and CRD chart version (the Calico tag).",
                default: `\`${CALICO_VERSION.version}\``,
            },
            encapsulationIPv4: { type: oneOf(ENCAPSULATIONS), doc: "IPv4 pool encapsulation.", default: "`None`" },
            encapsulationIPv6: {
                type: oneOf(ENCAPSULATIONS),
                doc: "IPv6 pool encapsulation: `None`, `VXLAN`, `VXLANCrossSubnet` (IPIP is IPv4-only).",
                default: "`None`",
            },
            blockSizeIPv4: { type: int(), doc: "IPv4 pool block size, 20–32.", default: "26" },
            blockSizeIPv6: { type: int(), doc: "IPv6 pool block size, 116–128.", default: "122" },
            natOutgoingIPv4: { type: bool, doc: "SNAT pod traffic leaving the IPv4 pool.", default: "`true`" },
            natOutgoingIPv6: { type: bool, doc: "SNAT pod traffic leaving the IPv6 pool.", default: "`true` when the IPv6 pod range is ULA" },
            bgp: { type: bool, doc: "Calico BGP between nodes; needed to route unencapsulated pod traffic.", default: "`true`" },
            blockMetadata: {
                type: bool,
                doc: "A Calico policy that keeps pods from the OpenStack metadata service (169.254.169.254, fe80::a9fe:a9fe); user-data carries keys.",
                default: "`true`",
            },
        }),
        doc: "Calico.",
        default: "",
    },
    access: {
        type: objectOf({
            sshKeyName: { type: name, doc: "Nova key pair for SSH to the nodes.", default: "none", input: true },
            apiAllowedCidrs: {
                type: listOf(str()),
                doc: "Ranges allowed to reach the API (6443) from outside the cluster. `pulumi up` installs Calico through the API, so include where it runs.",
                default: "`[]` (cluster members only)",
            },
            sshAllowedCidrs: { type: listOf(str()), doc: "Ranges allowed to reach SSH (22).", default: "`[]` (no SSH)" },
        }),
        doc: "Access from outside.",
        default: "",
    },
    bootstrap: {
        type: objectOf({
            tokenRotation: {
                type: str(),
                doc: "Any string; change it to issue a new join token (machines already joined are not touched).",
                default: '`""`',
                input: true,
            },
        }),
        doc: "Node bootstrap.",
        default: "",
    },
    verify: {
        type: objectOf({
            afterUp: {
                type: bool,
                doc: "Run the checks of `dualstack verify` as the last step of `pulumi up` (never in preview) and fail the update when one fails (docs/verify.md). Read by the program, not by the Cluster component.",
                default: "`false`",
            },
            image: {
                type: str(),
                doc: "Image of the test pods: agnhost, or a mirror of it (`dualstack verify --image`).",
                default: "`registry.k8s.io/e2e-test-images/agnhost:2.53`",
            },
            egressTargets: {
                type: listOf(str()),
                doc: "`address:port` pods connect to over TCP for the egress check, at most one per family, literal addresses (`192.0.2.10:443`, `[2001:db8::10]:443`).",
                default: "`[]` (egress not tried)",
            },
            timeoutSeconds: { type: int(10, 3600), doc: "Seconds to wait for nodes, test pods and load balancers.", default: "300" },
        }),
        doc: "Verifying each family of the running cluster.",
        default: "",
        programOnly: true,
    },
    gateway: {
        type: objectOf({
            count: { type: int(1, 9), doc: "Gateway machines; keepalived moves the VIPs between them (1 has no failover).", default: "2" },
            flavor: { type: name, doc: "Nova flavor of the gateways.", default: "`controlPlane.flavor`", input: true },
            image: { type: name, doc: "Glance image of the gateways (with cloud-init, Debian or Ubuntu).", default: "`controlPlane.image`", input: true },
            clientIPv4Cidr: {
                type: { kind: "range", ula: false, nullable: true },
                doc: "WireGuard client range (IPv4): the peers' tunnel addresses. `null` for no IPv4 in the tunnel.",
                default: "`10.254.0.0/24` when the nodes have IPv4",
            },
            clientIPv6Cidr: {
                type: { kind: "range", ula: true, nullable: true },
                doc: 'WireGuard client range (IPv6), or `"ula"` (a /64 of the ULA /48) or `"ula/N"`. `null` for no IPv6 in the tunnel.',
                default: '`"ula"` (/64) when the nodes have IPv6',
            },
            peers: {
                type: listOf(objectOf(GATEWAY_PEER_FIELDS)),
                doc: "WireGuard peers: a list of `{name, publicKey, hostId}`.",
                default: "`[]`",
            },
            listenPort: { type: int(1, 65535), doc: "UDP port WireGuard listens on.", default: "51820" },
            allowedSourceCidrs: {
                type: listOf(str()),
                doc: "Ranges allowed to reach the WireGuard port (either family). `0.0.0.0/0` and `::/0` are accepted when written here (docs/gateway.md).",
                default: "`[]` (nobody)",
            },
            privateKey: {
                type: { kind: "secret", pattern: WIREGUARD_KEY, expected: "a WireGuard private key (44 characters of base64, `wg genkey` prints one)" },
                doc: "The gateways' WireGuard private key. Set it with `pulumi config set --secret --path gateway.privateKey`. Without it one is generated and kept in state as a secret.",
                default: "generated",
                input: true,
            },
        }),
        doc: "WireGuard access gateway: present, it builds the gateways (docs/gateway.md).",
        default: "",
    },
};

/** Dotted paths of the keys the Cluster takes as `pulumi.Input` (`controlPlane.flavor`, `workerPools[].image`). */
export function inputKeyPaths(fields: Readonly<Record<string, Field>> = CONFIG_SCHEMA, prefix = ""): string[] {
    return Object.entries(fields).flatMap(([name, field]) => {
        if (field.type.kind === "object") return inputKeyPaths(field.type.fields, `${prefix}${name}.`);
        if (field.type.kind === "list" && field.type.item.kind === "object") return inputKeyPaths(field.type.item.fields, `${prefix}${name}[].`);
        return field.input ? [`${prefix}${name}`] : [];
    });
}

/** Every leaf key as a dotted path (`network.ipv4Cidr`, `workerPools[].name`), in schema order. */
export function schemaKeyPaths(fields: Readonly<Record<string, Field>> = CONFIG_SCHEMA, prefix = ""): string[] {
    const paths: string[] = [];
    for (const [name, field] of Object.entries(fields)) {
        const path = `${prefix}${name}`;
        if (field.type.kind === "object") {
            paths.push(...schemaKeyPaths(field.type.fields, `${path}.`));
        } else if (field.type.kind === "list" && field.type.item.kind === "object") {
            paths.push(path, ...schemaKeyPaths(field.type.item.fields, `${path}[].`));
        } else {
            paths.push(path);
        }
    }
    return paths;
}
