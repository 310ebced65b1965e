/**
 * A cluster of our own, composed from the dualstack components instead of the ready-made
 * `Cluster`: an IPv6-primary cluster "edge-lab" in the existing Neutron network
 * "lab-shared", one control plane behind a floating IP, a worker pool "gpu" with a
 * security group of its own, and Calico once the API answers.
 */
import * as openstack from "@pulumi/openstack";
import * as pulumi from "@pulumi/pulumi";
import { ApiEndpoint, bootstrap, BootstrapTokenSecret, Calico, ClusterApi, ClusterPki, designCluster, Network, NodePool } from "dualstack";

/** Names machines (`edge-lab-gpu-0`), OpenStack resources and the `dualstack-cluster` tag. */
const CLUSTER = "edge-lab";

/** Node subnets, pod and service ranges: IPv6 first, it is the primary family. */
const RANGES = {
    nodes: { ipv4: "10.30.0.0/24", ipv6: "fd42:4c61:6200::/64" },
    pods: { ipv4: "10.244.0.0/16", ipv6: "fd42:4c61:6200:100::/56" },
    services: { ipv4: "10.96.0.0/16", ipv6: "fd42:4c61:6200:200::/112" },
};

const CONTROL_PLANE = { count: 1, flavor: "m1.large", image: "debian-12" };
const GPU_POOL = { name: "gpu", count: 2, flavor: "g1.xlarge", image: "debian-12-cuda" };

/** Where we administer the cluster from. */
const ADMIN_CIDRS = ["2001:db8:acdc::/48", "198.51.100.0/24"];

/** The program: returns the stack outputs. */
export = function edgeLab(): Record<string, pulumi.Output<unknown>> {
    // 1. The design, checked by the package's own rules before anything is created (ranges
    //    that overlap, a pod range too small for the nodes, a wrong node mask...). Throws an
    //    InvalidPlanError that lists every problem with the key to change.
    const design = designCluster(CLUSTER, {
        ipFamilies: ["IPv6", "IPv4"],
        network: { ipv4Cidr: RANGES.nodes.ipv4, ipv6Cidr: RANGES.nodes.ipv6, existingNetwork: "lab-shared", externalNetwork: "public" },
        pods: { ipv4Cidr: RANGES.pods.ipv4, ipv6Cidr: RANGES.pods.ipv6 },
        services: { ipv4Cidr: RANGES.services.ipv4, ipv6Cidr: RANGES.services.ipv6 },
        kubernetes: { version: "1.34.2", proxyMode: "nftables" },
        calico: { encapsulationIPv4: "VXLANCrossSubnet" },
        controlPlane: CONTROL_PLANE,
        workerPools: [GPU_POOL],
    });

    // Pod packets leave the nodes with pod addresses (no encapsulation for IPv6, VXLAN only
    // across subnets for IPv4): the security groups and the ports must let them through.
    const podRanges = {
        ipv4: { cidr: RANGES.pods.ipv4, encapsulation: "VXLANCrossSubnet" },
        ipv6: { cidr: RANGES.pods.ipv6, encapsulation: "None" },
    };

    // 2. Subnets in the existing network, a router to "public", the security groups.
    const network = new Network(`${CLUSTER}-net`, {
        clusterName: CLUSTER,
        subnets: { ipv4: { cidr: RANGES.nodes.ipv4 }, ipv6: { cidr: RANGES.nodes.ipv6 } },
        podRanges,
        existingNetworkName: "lab-shared",
        externalNetworkName: "public",
        access: { apiAllowedCidrs: ADMIN_CIDRS, sshAllowedCidrs: ["2001:db8:acdc::/48"] },
    });
    const subnetIds = { ipv4: network.subnetIdIPv4!, ipv6: network.subnetIdIPv6! };

    // 3. The API endpoint: one control plane, so a floating IP (associated below).
    const endpoint = new ApiEndpoint(`${CLUSTER}-api`, {
        clusterName: CLUSTER,
        controlPlaneCount: CONTROL_PLANE.count,
        primaryFamily: "IPv6",
        networkId: network.networkId,
        subnets: {
            ipv4: { subnetId: subnetIds.ipv4, cidr: network.subnetCidrIPv4! },
            ipv6: { subnetId: subnetIds.ipv6, cidr: network.subnetCidrIPv6! },
        },
        externalNetworkName: "public",
        apiAllowedCidrs: ADMIN_CIDRS,
    });
    const floatingIp = endpoint.floatingIpAddress!;
    const apiServerUrl = pulumi.interpolate`https://${floatingIp}:6443`;

    // 4. CAs, service-account keys, join tokens and an admin kubeconfig for that URL.
    const pki = new ClusterPki(`${CLUSTER}-pki`, { clusterName: CLUSTER, keyAlgorithm: "ECDSA", apiServerUrl });

    // The facts every node's user-data is rendered from (secret: tokens and CA keys).
    const clusterBootstrap = (endpointFacts: pulumi.Input<bootstrap.ApiEndpointFacts>) =>
        pulumi.secret(
            pulumi
                .all([endpointFacts, pki.joinToken, pki.initToken, pki.caCertHash, pki.material, network.subnetCidrIPv4, network.subnetCidrIPv6])
                .apply(([facts, joinToken, initToken, caCertHash, material, cidrIPv4, cidrIPv6]) =>
                    bootstrap.buildClusterBootstrap({
                        clusterName: CLUSTER,
                        config: design.config,
                        plan: design.shape,
                        endpoint: facts,
                        secrets: { joinToken, initToken, caCertHash, pki: material },
                        nodeSubnetCidrs: { IPv4: cidrIPv4, IPv6: cidrIPv6 },
                    }),
                ),
        );

    // 5. The control plane: node 0 runs kubeadm init and gets the floating IP.
    const machines = { clusterName: CLUSTER, networkId: network.networkId, subnetIds, podRanges, keyPairName: "lab-admin" };
    const controlPlane = new NodePool(`${CLUSTER}-cp`, {
        ...machines,
        role: "control-plane",
        count: CONTROL_PLANE.count,
        flavorName: CONTROL_PLANE.flavor,
        imageName: CONTROL_PLANE.image,
        securityGroupIds: [network.nodeSecurityGroupId, network.controlPlaneSecurityGroupId],
        bootstrap: clusterBootstrap(floatingIp.apply((ip) => ({ floatingIp: ip }))),
        floatingIpAddress: floatingIp,
    });

    // 6. Our own addition: Prometheus may scrape the GPU exporter from the IPv6 node subnet.
    const gpuMetrics = new openstack.networking.SecGroup(`${CLUSTER}-gpu-metrics`, {
        name: `${CLUSTER}-gpu-metrics`,
        description: "DCGM exporter on the GPU workers",
        deleteDefaultRules: true,
        tags: [`dualstack-cluster=${CLUSTER}`],
    });
    new openstack.networking.SecGroupRule(`${CLUSTER}-gpu-metrics-dcgm`, {
        securityGroupId: gpuMetrics.id,
        direction: "ingress",
        ethertype: "IPv6",
        protocol: "tcp",
        portRangeMin: 9400,
        portRangeMax: 9400,
        remoteIpPrefix: network.subnetCidrIPv6!,
        description: "DCGM exporter from the node subnet",
    });

    // 7. The GPU workers join at the control plane's own addresses.
    const workerEndpoint = pulumi
        .all([controlPlane.addressesIPv4, controlPlane.addressesIPv6, floatingIp])
        .apply(([v4, v6, ip]) => ({ addressIPv4: v4[0], addressIPv6: v6[0], floatingIp: ip }));
    const gpu = new NodePool(`${CLUSTER}-${GPU_POOL.name}`, {
        ...machines,
        role: "worker",
        poolName: GPU_POOL.name,
        count: GPU_POOL.count,
        flavorName: GPU_POOL.flavor,
        imageName: GPU_POOL.image,
        serverGroupPolicy: "soft-anti-affinity",
        securityGroupIds: [network.nodeSecurityGroupId, gpuMetrics.id],
        bootstrap: clusterBootstrap(workerEndpoint),
    });

    // 8. Through the API once it answers (/readyz, checked against our CA): the long-lived
    //    join token for nodes added later, and Calico with an IPv6 and an IPv4 pool, each
    //    node's address taken from inside its node subnet.
    const kubeconfig = pki.adminKubeconfig!;
    const api = new ClusterApi(`${CLUSTER}-k8s`, {
        kubeconfig,
        endpoint: floatingIp,
        clusterCaCertPem: pki.caCertPem,
        readinessTriggers: controlPlane.instanceIds,
    });
    new BootstrapTokenSecret(`${CLUSTER}-join-token`, { tokenId: pki.joinTokenId, tokenSecret: pki.joinTokenSecret }, { provider: api.provider });
    const calico = new Calico(`${CLUSTER}-calico`, {
        kubernetesProvider: api.provider,
        kubeconfig,
        ipFamilies: ["IPv6", "IPv4"],
        ipv6: { podCidr: RANGES.pods.ipv6, nodeSubnetCidr: network.subnetCidrIPv6, encapsulation: podRanges.ipv6.encapsulation },
        ipv4: { podCidr: RANGES.pods.ipv4, nodeSubnetCidr: network.subnetCidrIPv4, encapsulation: podRanges.ipv4.encapsulation },
        proxyMode: "nftables",
    });

    return {
        apiServerUrl,
        kubeconfig,
        calicoPools: calico.pools,
        controlPlaneIPv6: controlPlane.addressesIPv6,
        gpuNodes: pulumi.output(gpu.nodeNames),
        gpuIPv6: gpu.addressesIPv6,
    };
};
