/**
 * The `dualstack:` configuration keys as findings name them. Per-family keys are built from
 * the family, so rules written once for both families name the right key.
 */
import { familyFacts, IpFamily } from "../addressing/family";

/** The configuration namespace (the Pulumi project name). */
export const NAMESPACE = "dualstack";

/**
 * What stands, while the configuration is checked, for a Cluster argument given as an Output
 * or a Promise (only keys the schema marks `input`); the Cluster hands the Input itself on.
 */
export const INPUT_MARK = "dualstack:input:";

/** Prefix a key path with the namespace: `pods.ipv6Cidr` → `dualstack:pods.ipv6Cidr`. */
export function key(path: string): string {
    return `${NAMESPACE}:${path}`;
}

export const keys = {
    clusterName: key("clusterName"),
    ipFamilies: key("ipFamilies"),
    ulaGlobalId: key("ulaGlobalId"),
    nodeCidr: (f: IpFamily) => key(`network.${familyFacts(f).lowerSuffix}Cidr`),
    ipv6AddressMode: key("network.ipv6AddressMode"),
    ipv6RaMode: key("network.ipv6RaMode"),
    ipv6SubnetPool: key("network.ipv6SubnetPool"),
    ipv6PrefixLength: key("network.ipv6PrefixLength"),
    externalNetwork: key("network.externalNetwork"),
    existingRouter: key("network.existingRouter"),
    dnsNameservers: (i: number) => key(`network.dnsNameservers[${i}]`),
    dnsNameserverList: key("network.dnsNameservers"),
    podCidr: (f: IpFamily) => key(`pods.${familyFacts(f).lowerSuffix}Cidr`),
    nodeMask: (f: IpFamily) => key(`pods.nodeMask${familyFacts(f).keySuffix}`),
    serviceCidr: (f: IpFamily) => key(`services.${familyFacts(f).lowerSuffix}Cidr`),
    reservedCidr: (i: number) => key(`reservedCidrs[${i}]`),
    kubernetesVersion: key("kubernetes.version"),
    proxyMode: key("kubernetes.proxyMode"),
    allowRangeChanges: key("kubernetes.allowRangeChanges"),
    controlPlaneCount: key("controlPlane.count"),
    controlPlaneFlavor: key("controlPlane.flavor"),
    controlPlaneImage: key("controlPlane.image"),
    joinExisting: key("controlPlane.joinExisting"),
    workerPool: (i: number, field: string) => key(`workerPools[${i}].${field}`),
    workerPools: key("workerPools"),
    calicoVersion: key("calico.version"),
    encapsulation: (f: IpFamily) => key(`calico.encapsulation${familyFacts(f).keySuffix}`),
    blockSize: (f: IpFamily) => key(`calico.blockSize${familyFacts(f).keySuffix}`),
    natOutgoing: (f: IpFamily) => key(`calico.natOutgoing${familyFacts(f).keySuffix}`),
    calicoBgp: key("calico.bgp"),
    calicoBlockMetadata: key("calico.blockMetadata"),
    apiAllowedCidr: (i: number) => key(`access.apiAllowedCidrs[${i}]`),
    apiAllowedCidrs: key("access.apiAllowedCidrs"),
    sshAllowedCidr: (i: number) => key(`access.sshAllowedCidrs[${i}]`),
    sshAllowedCidrs: key("access.sshAllowedCidrs"),
    gateway: key("gateway"),
    gatewayCount: key("gateway.count"),
    gatewayClientCidr: (f: IpFamily) => key(`gateway.client${familyFacts(f).keySuffix}Cidr`),
    gatewayPeers: key("gateway.peers"),
    gatewayPeer: (i: number, field: string) => key(`gateway.peers[${i}].${field}`),
    gatewayListenPort: key("gateway.listenPort"),
    gatewayAllowedSourceCidrs: key("gateway.allowedSourceCidrs"),
    gatewayAllowedSourceCidr: (i: number) => key(`gateway.allowedSourceCidrs[${i}]`),
    gatewayPrivateKey: key("gateway.privateKey"),
} as const;
