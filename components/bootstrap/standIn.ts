/**
 * Stand-in secrets and addresses for rendering user-data without a cloud: `dualstack plan
 * --out`, the size check at plan time, and the conformance tests. The PEM texts say what
 * they are and are as long as real RSA-2048 material, so the sizes measured with them are
 * the sizes of the real user-data.
 */
import * as crypto from "crypto";
import { addressAt, Cidr, makeCidr } from "../addressing/cidr";
import { IpFamily } from "../addressing/family";
import { Finding } from "../addressing/findings";
import { AddressPlan } from "../addressing/plan";
import { key } from "../config/keys";
import { ClusterConfig } from "../config/types";
import { ApiEndpointFacts, BootstrapSecrets, buildClusterBootstrap } from "./build";
import { renderCloudConfig, kubeadmFiles } from "./cloudinit";
import { encodeUserDataForNova, NovaUserData } from "./encoding";
import { checkUserDataSize } from "./rules";
import { ClusterBootstrap, ClusterPkiMaterial, NodeFacts } from "./types";

/** PEM lengths of kubeadm's RSA-2048 material (bytes, headers included). */
const REAL_SIZES = { certificate: 1107, privateKey: 1679, publicKey: 451 } as const;

/** A labelled PEM of about `length` bytes whose body says it is a stand-in. */
export function standInPem(label: string, what: string, length: number): string {
    const header = `-----BEGIN ${label}-----\n`;
    const footer = `-----END ${label}-----\n`;
    const text = `dualstack stand-in ${what}, not real key material. `;
    const bodyChars = Math.max(64, Math.floor(((length - header.length - footer.length) * 64) / 65));
    const body = Buffer.from(text.repeat(Math.ceil(bodyChars / text.length) + 1))
        .toString("base64")
        .slice(0, bodyChars)
        .replace(/(.{64})/g, "$1\n")
        .trim();
    return `${header}${body}\n${footer}`;
}

/** Stand-in CA material, as long as the real RSA-2048 material. */
export function standInPkiMaterial(): ClusterPkiMaterial {
    const cert = (what: string) => standInPem("CERTIFICATE", what, REAL_SIZES.certificate);
    const key = (what: string) => standInPem("RSA PRIVATE KEY", what, REAL_SIZES.privateKey);
    return {
        caCertPem: cert("cluster CA certificate"),
        caKeyPem: key("cluster CA key"),
        frontProxyCaCertPem: cert("front-proxy CA certificate"),
        frontProxyCaKeyPem: key("front-proxy CA key"),
        etcdCaCertPem: cert("etcd CA certificate"),
        etcdCaKeyPem: key("etcd CA key"),
        serviceAccountPublicKeyPem: standInPem("PUBLIC KEY", "service-account public key", REAL_SIZES.publicKey),
        serviceAccountPrivateKeyPem: key("service-account key"),
    };
}

/** Stand-in tokens and hash: obviously not real, valid in form. */
export function standInBootstrapSecrets(): BootstrapSecrets {
    return {
        joinToken: "joinjo.standin000000000",
        initToken: "initin.standin000000000",
        caCertHash: `sha256:${crypto.createHash("sha256").update("dualstack stand-in CA").digest("hex")}`,
        pki: standInPkiMaterial(),
    };
}

/** One node rendered for a preview. */
export interface PreviewNode {
    node: NodeFacts;
    /** `control-plane` or the worker pool's name. */
    pool: string;
    /** The `#cloud-config` text. */
    userData: string;
    /** As it would be sent to Nova. */
    encoded: NovaUserData;
    /** kubeadm files on the node (path and YAML). */
    kubeadm: { path: string; content: string }[];
}

/** Every node of a stack, rendered with stand-in addresses and secrets. */
export interface BootstrapPreview {
    cluster: ClusterBootstrap;
    nodes: PreviewNode[];
    /** `user-data-too-large` findings. */
    findings: Finding[];
}

/** The CIDR of a node subnet, or a stand-in one when a subnet pool allocates it (the documentation range). */
export function standInSubnet(plan: AddressPlan, family: IpFamily): Cidr {
    const subnet = plan.nodeSubnets.find((s) => s.family === family);
    if (subnet?.range !== undefined) return subnet.range.cidr;
    const prefix = subnet?.prefixLength ?? 64;
    return family === "IPv6" ? makeCidr("IPv6", 0x20010db8n << 96n, prefix) : makeCidr("IPv4", 0xc0000200n, prefix);
}

/**
 * Render the user-data of every node of a stack, with stand-in secrets and addresses
 * allocated like Neutron does (from the start of each node subnet; load balancer VIPs first
 * when there are several control planes), and check each against Nova's size limit.
 */
export function previewStackBootstrap(
    clusterName: string,
    config: ClusterConfig,
    plan: AddressPlan,
    secrets: BootstrapSecrets = standInBootstrapSecrets(),
): BootstrapPreview {
    const nodeFamilies = plan.nodeSubnets.map((s) => s.family);
    const subnets = new Map(nodeFamilies.map((f) => [f, standInSubnet(plan, f)] as const));
    let next = 2n; // .1 is the router
    const allocate = (): { addressIPv4?: string; addressIPv6?: string } => {
        const offset = next++;
        const at = (family: IpFamily) => {
            const subnet = subnets.get(family);
            return subnet === undefined ? undefined : addressAt(subnet, offset);
        };
        return { addressIPv4: at("IPv4"), addressIPv6: at("IPv6") };
    };
    const controlPlaneCount = config.controlPlane.count;
    const vip = controlPlaneCount > 1 ? allocate() : undefined;
    const nodes: { node: NodeFacts; pool: string; path: string }[] = [];
    for (let i = 0; i < controlPlaneCount; i++) {
        nodes.push({
            node: { name: `${clusterName}-control-plane-${i}`, role: i === 0 ? "control-plane-init" : "control-plane-join", ...allocate() },
            pool: "control-plane",
            path: key("controlPlane"),
        });
    }
    config.workerPools.forEach((pool, index) => {
        for (let i = 0; i < pool.count; i++) {
            nodes.push({ node: { name: `${clusterName}-${pool.name}-${i}`, role: "worker", ...allocate() }, pool: pool.name, path: key(`workerPools[${index}]`) });
        }
    });
    const endpointAddresses = vip ?? { addressIPv4: nodes[0]?.node.addressIPv4, addressIPv6: nodes[0]?.node.addressIPv6 };
    const endpoint: ApiEndpointFacts = { ...endpointAddresses, floatingIp: config.network.externalNetwork && subnets.has("IPv4") ? "203.0.113.10" : undefined };
    const nodeSubnetCidrs = Object.fromEntries([...subnets].map(([family, cidr]) => [family, cidr.text]));
    const cluster = buildClusterBootstrap({ clusterName, config, plan, endpoint, secrets, nodeSubnetCidrs });
    const findings: Finding[] = [];
    const rendered = nodes.map(({ node, pool, path }) => {
        const userData = renderCloudConfig(cluster, node);
        const encoded = encodeUserDataForNova(userData);
        findings.push(...checkUserDataSize(encoded, path, node.name));
        return { node, pool, userData, encoded, kubeadm: kubeadmFiles(cluster, node) };
    });
    return { cluster, nodes: rendered, findings };
}
