/**
 * From the typed configuration, the address plan, the API endpoint's facts and the PKI
 * material to the `ClusterBootstrap` every node's user-data is rendered from. The cluster
 * wiring calls this inside an `apply` once the endpoint and PKI outputs are known.
 */
import { parseAddress } from "../addressing/cidr";
import { IpFamily } from "../addressing/family";
import { AddressPlan, clientRange } from "../addressing/plan";
import { ClusterConfig } from "../config/types";
import { BootstrapInputError } from "./inputs";
import { ClusterBootstrap, ClusterPkiMaterial } from "./types";

/** What nodes and clients know about the API endpoint. */
export interface ApiEndpointFacts {
    /**
     * Endpoint address in the IPv4 node subnet: the IPv4 load balancer's VIP, or with one
     * control plane that machine's own IPv4 address.
     */
    addressIPv4?: string;
    /** Endpoint address in the IPv6 node subnet (VIP, or the single control plane's address). */
    addressIPv6?: string;
    /** Floating IP in front of the endpoint (clients outside the cloud use it). */
    floatingIp?: string;
    /** DNS name of the API; defaults to `dualstack:controlPlane.endpoint`. */
    dnsName?: string;
}

/** The secrets and CA material the PKI made. */
export interface BootstrapSecrets {
    /** Long-lived join token (`ClusterPki.joinToken`). */
    joinToken: string;
    /** 24-hour init token (`ClusterPki.initToken`). */
    initToken: string;
    /** Discovery hash of the cluster CA (`ClusterPki.caCertHash`). */
    caCertHash: string;
    /** CA certificates and keys (`ClusterPki.material`). */
    pki: ClusterPkiMaterial;
}

/** Everything buildClusterBootstrap reads. */
export interface ClusterBootstrapSources {
    clusterName: string;
    config: ClusterConfig;
    plan: AddressPlan;
    endpoint: ApiEndpointFacts;
    secrets: BootstrapSecrets;
    /**
     * Node subnet CIDRs that the plan cannot know (a subnet from a Neutron subnet pool gets
     * its CIDR at `up`): the Network component's subnet CIDR outputs.
     */
    nodeSubnetCidrs?: { IPv4?: string; IPv6?: string };
}

function endpointAddress(endpoint: ApiEndpointFacts, family: IpFamily): string | undefined {
    return family === "IPv4" ? endpoint.addressIPv4 : endpoint.addressIPv6;
}

/**
 * Build the cluster-wide bootstrap facts. Nodes reach the API through the endpoint address of
 * the primary cluster family (the other family's when the endpoint has none of the primary),
 * never through the DNS name or the floating IP, so that a bootstrap depends neither on DNS
 * records nor on hairpin NAT through the router. The DNS name, the floating IP and every
 * endpoint address go into the API server certificate.
 */
export function buildClusterBootstrap(sources: ClusterBootstrapSources): ClusterBootstrap {
    const { config, plan, endpoint, secrets } = sources;
    const families = [...plan.ipFamilies];
    for (const family of ["IPv4", "IPv6"] as IpFamily[]) {
        const address = endpointAddress(endpoint, family);
        if (address !== undefined && parseAddress(address)?.family !== family) {
            throw new BootstrapInputError(`endpoint address${family} "${address}" is not an ${family} address.`);
        }
    }
    if (endpoint.floatingIp !== undefined && parseAddress(endpoint.floatingIp) === undefined) {
        throw new BootstrapInputError(`endpoint floatingIp "${endpoint.floatingIp}" is not an IP address.`);
    }
    const endpointFamily = [...families, ...(["IPv4", "IPv6"] as IpFamily[])].find((f) => endpointAddress(endpoint, f) !== undefined);
    const controlPlaneEndpoint = endpointFamily === undefined ? undefined : endpointAddress(endpoint, endpointFamily);

    const dnsName = endpoint.dnsName ?? config.controlPlane.endpoint;
    const certSANs = [
        ...new Set(
            [dnsName, endpoint.floatingIp, endpoint.addressIPv4, endpoint.addressIPv6].filter((v): v is string => v !== undefined && v !== ""),
        ),
    ];

    const nodeSubnetCidrs = plan.nodeSubnets.map((subnet) => {
        const given = sources.nodeSubnetCidrs?.[subnet.family];
        const cidr = given ?? subnet.range?.cidr.text;
        if (cidr === undefined) {
            throw new BootstrapInputError(
                `the ${subnet.family} node subnet comes from a subnet pool, so its CIDR is known only at up: pass it as nodeSubnetCidrs.${subnet.family}.`,
            );
        }
        return cidr;
    });

    const byFamily = (family: IpFamily) => {
        const f = plan.families.find((p) => p.family === family);
        if (f === undefined) throw new BootstrapInputError(`the address plan has no ${family} pods and services, but ${family} is a cluster family.`);
        return f;
    };
    const clientsIPv6 = clientRange(plan, "IPv6");
    const ipv4 = families.includes("IPv4") ? byFamily("IPv4") : undefined;
    const ipv6 = families.includes("IPv6") ? byFamily("IPv6") : undefined;
    return {
        clusterName: sources.clusterName,
        kubernetesVersion: config.kubernetes.version,
        ipFamilies: families,
        podCidrs: families.map((f) => byFamily(f).pods.cidr.text),
        serviceCidrs: families.map((f) => byFamily(f).services.cidr.text),
        nodeMaskIPv4: ipv4?.nodeMask,
        nodeMaskIPv6: ipv6?.nodeMask,
        proxyMode: config.kubernetes.proxyMode,
        controlPlaneEndpoint,
        certSANs,
        nodeSubnetCidrs,
        joinToken: secrets.joinToken,
        initToken: secrets.initToken,
        caCertHashes: [secrets.caCertHash],
        pki: secrets.pki,
        ...(clientsIPv6 === undefined ? {} : { routeInformationMaxPrefixLength: clientsIPv6.cidr.prefixLength }),
    };
}
