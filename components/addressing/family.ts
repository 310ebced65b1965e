/**
 * IP families and the per-family facts every rule and component needs. IPv4 and IPv6 go
 * through the same code everywhere; what differs between them lives in this one table.
 */

/** An IP family, spelled as Kubernetes spells it (`Service.spec.ipFamilies`). */
export type IpFamily = "IPv4" | "IPv6";

/** Both families, IPv4 first (a stable order for tables; not the cluster's primary order). */
export const ALL_FAMILIES: readonly IpFamily[] = ["IPv4", "IPv6"];

/** Facts about one family, with the upstream limit each comes from. */
export interface FamilyFacts {
    readonly family: IpFamily;
    /** Address width in bits. */
    readonly bits: number;
    /** Neutron `ip_version`. */
    readonly ipVersion: 4 | 6;
    /** Security-group `ethertype`. */
    readonly ethertype: "IPv4" | "IPv6";
    /** Security-group protocol name for ICMP of this family. */
    readonly icmpProtocol: "icmp" | "ipv6-icmp";
    /** The whole address space, i.e. "anywhere". */
    readonly anywhere: string;
    /** Suffix used in keys and flags: `ipv4Cidr`, `node-cidr-mask-size-ipv4`. */
    readonly keySuffix: "IPv4" | "IPv6";
    readonly lowerSuffix: "ipv4" | "ipv6";
    /** kube-controller-manager default `node-cidr-mask-size-<family>`. */
    readonly defaultNodeMask: number;
    /** Calico block size range and default (libcalico-go validateIPPoolSpec). */
    readonly blockSizeMin: number;
    readonly blockSizeMax: number;
    readonly defaultBlockSize: number;
    /** Neutron: longest prefix a subnet with DHCP enabled may have (ipam_backend_mixin). */
    readonly dhcpMaxPrefix: number;
    /** Link-local range (Calico refuses pools overlapping it). */
    readonly linkLocal: string;
    /** Loopback range (Neutron refuses it with DHCP on). */
    readonly loopback: string;
    /** Multicast range (Neutron refuses it with DHCP on). */
    readonly multicast: string;
    /** The OpenStack metadata service address of this family. */
    readonly metadataAddress: string;
}

const FACTS: Record<IpFamily, FamilyFacts> = {
    IPv4: {
        family: "IPv4",
        bits: 32,
        ipVersion: 4,
        ethertype: "IPv4",
        icmpProtocol: "icmp",
        anywhere: "0.0.0.0/0",
        keySuffix: "IPv4",
        lowerSuffix: "ipv4",
        defaultNodeMask: 24,
        blockSizeMin: 20,
        blockSizeMax: 32,
        defaultBlockSize: 26,
        dhcpMaxPrefix: 30,
        linkLocal: "169.254.0.0/16",
        loopback: "127.0.0.0/8",
        multicast: "224.0.0.0/4",
        metadataAddress: "169.254.169.254",
    },
    IPv6: {
        family: "IPv6",
        bits: 128,
        ipVersion: 6,
        ethertype: "IPv6",
        icmpProtocol: "ipv6-icmp",
        anywhere: "::/0",
        keySuffix: "IPv6",
        lowerSuffix: "ipv6",
        defaultNodeMask: 64,
        blockSizeMin: 116,
        blockSizeMax: 128,
        defaultBlockSize: 122,
        dhcpMaxPrefix: 126,
        linkLocal: "fe80::/10",
        loopback: "::1/128",
        multicast: "ff00::/8",
        metadataAddress: "fe80::a9fe:a9fe",
    },
};

/** The facts of one family. */
export function familyFacts(family: IpFamily): FamilyFacts {
    return FACTS[family];
}

/** True for the two family names Kubernetes accepts (case-sensitive, as Kubernetes is). */
export function isIpFamily(value: unknown): value is IpFamily {
    return value === "IPv4" || value === "IPv6";
}

/** The other family. */
export function otherFamily(family: IpFamily): IpFamily {
    return family === "IPv4" ? "IPv6" : "IPv4";
}
