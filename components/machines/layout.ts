/**
 * From NodePool args to what the pool creates: checked, with each node's name and role and
 * the pure choices (which pod ranges need allowed-address-pairs, tags, metadata).
 */
import * as pulumi from "@pulumi/pulumi";
import { familyFacts, IpFamily } from "../addressing/family";
import { error, Finding } from "../addressing/findings";
import { isNativeWithinSubnet } from "../addressing/rules/calico";
import { checkAddressPairsWorld } from "../addressing/rules/security";
import { argConflict, argMissing, checkInteger, checkName, checkOneOf, checkPodRanges, presentFamilies, throwOnArgErrors } from "../network/args";
import { SERVER_GROUP_POLICIES } from "../config/types";
import { NodePoolArgs } from "./types";

/** NodePool roles. */
export const POOL_ROLES = ["control-plane", "worker"] as const;

/** The default pool name of the control plane. */
export const CONTROL_PLANE_POOL = "control-plane";

const COMPONENT = "NodePool";

/** One node of a pool. */
export interface NodeLayout {
    readonly index: number;
    /** Host name, Nova name and Kubernetes Node name. */
    readonly name: string;
    /** The bootstrap role: `control-plane-init`, `control-plane-join` or `worker`. */
    readonly bootstrapRole: string;
}

/** A pod range the ports must accept as source. */
export interface AddressPairLayout {
    readonly family: IpFamily;
    readonly cidr: pulumi.Input<string>;
}

/** Everything a NodePool creates, decided. */
export interface NodePoolLayout {
    readonly role: string;
    readonly poolName: string;
    readonly nodes: NodeLayout[];
    /** Node families, IPv4 first. */
    readonly families: IpFamily[];
    readonly serverGroupPolicy: string;
    readonly allowedAddressPairs: AddressPairLayout[];
    readonly configDrive: boolean;
    /** Families with a load-balancer pool. */
    readonly loadBalancerFamilies: IpFamily[];
}

/** `<cluster>-<pool>-<index>`. */
export function nodeName(clusterName: string, poolName: string, index: number): string {
    return `${clusterName}-${poolName}-${index}`;
}

/**
 * Bootstrap roles of a pool's nodes: a control plane's node 0 runs `kubeadm init` (unless the
 * cluster exists already), the others join; workers join as workers.
 */
export function bootstrapRoles(role: string, count: number, joinExisting = false): string[] {
    return Array.from({ length: count }, (_, i) => {
        if (role !== "control-plane") return "worker";
        return i === 0 && !joinExisting ? "control-plane-init" : "control-plane-join";
    });
}

/**
 * The families whose pod range the node ports must allow as source address: exactly those
 * Calico routes natively within the subnet (`None`, `IPIPCrossSubnet`, `VXLANCrossSubnet`).
 * Encapsulated packets carry node addresses, which port security already allows.
 */
export function familiesNeedingAddressPairs(pods: ReadonlyArray<{ family: IpFamily; encapsulation: string }>): IpFamily[] {
    return pods.filter((p) => isNativeWithinSubnet(p.encapsulation)).map((p) => p.family);
}

/** Tags of a pool's ports and instances (the policy pack reads them). */
export function nodeTags(clusterName: string, role: string, poolName: string): string[] {
    return [`dualstack-cluster=${clusterName}`, `dualstack-role=${role}`, `dualstack-pool=${poolName}`];
}

/** Nova metadata of a pool's instances: the same facts as the tags. */
export function nodeMetadata(clusterName: string, role: string, poolName: string): Record<string, string> {
    return { "dualstack-cluster": clusterName, "dualstack-role": role, "dualstack-pool": poolName };
}

/** Check NodePool args and decide what to create; throws InvalidPlanError naming the component. */
export function planNodePool(name: string, args: NodePoolArgs): NodePoolLayout {
    const findings: Finding[] = [...checkName(args.clusterName, "clusterName"), ...checkOneOf(args.role, POOL_ROLES, "role")];
    const controlPlane = args.role === "control-plane";
    const poolName = args.poolName ?? (controlPlane ? CONTROL_PLANE_POOL : undefined);
    if (poolName === undefined) findings.push(argMissing("poolName", "a worker pool needs a name (a DNS label such as workers-a)."));
    else findings.push(...checkName(poolName, "poolName"));
    findings.push(...checkInteger(args.count, controlPlane ? 1 : 0, "count", controlPlane ? "a cluster needs a control plane" : "nodes in the pool"));
    if (findings.length === 0 && poolName !== undefined && args.count > 0) {
        const longest = nodeName(args.clusterName, poolName, args.count - 1);
        if (longest.length > 63) {
            findings.push(
                error(
                    "arg-invalid",
                    "poolName",
                    `poolName "${poolName}" makes the node name ${longest} (clusterName-poolName-index), ${longest.length} characters; ` +
                        `host names and Kubernetes node names take at most 63. Shorten clusterName or poolName.`,
                ),
            );
        }
    }
    const serverGroupPolicy = args.serverGroupPolicy ?? "anti-affinity";
    findings.push(...checkOneOf(serverGroupPolicy, SERVER_GROUP_POLICIES, "serverGroupPolicy"));
    if (args.imageName !== undefined && args.imageId !== undefined) {
        findings.push(argConflict("imageName", "imageId", "give the image by name or by ID. Remove one."));
    } else if (args.imageName === undefined && args.imageId === undefined) {
        findings.push(argMissing("imageName", "give the Glance image by imageName or imageId."));
    }

    const families = presentFamilies(args.subnetIds).map(([family]) => family);
    if (families.length === 0) findings.push(argMissing("subnetIds", "give subnetIds.ipv4, subnetIds.ipv6 or both (the node subnets)."));

    const checkedPods = checkPodRanges(args.podRanges, families, (f) => `subnetIds.${familyFacts(f).lowerSuffix}`, `${COMPONENT} "${name}"`);
    const podLayouts = checkedPods.pods;
    findings.push(...checkedPods.findings);
    const needPairs = familiesNeedingAddressPairs(podLayouts);
    // Pairs of the pod ranges; a pod range that is a whole family would switch anti-spoofing off.
    const pairTexts = podLayouts.filter((p) => needPairs.includes(p.family)).flatMap((p) => (typeof p.cidr === "string" ? [p.cidr] : []));
    findings.push(...checkAddressPairsWorld(pairTexts, "podRanges"));

    const loadBalancerFamilies = presentFamilies(args.loadBalancerPoolIds).map(([family]) => family);
    for (const family of loadBalancerFamilies) {
        const path = `loadBalancerPoolIds.${familyFacts(family).lowerSuffix}`;
        if (!controlPlane) findings.push(argConflict(path, "role worker", "only control planes serve the API. Remove it."));
        if (!families.includes(family)) {
            findings.push(argMissing(`subnetIds.${familyFacts(family).lowerSuffix}`, `${path} is set, so the nodes need a ${family} address.`));
        }
    }
    if (args.floatingIpAddress !== undefined && !families.includes("IPv4")) {
        findings.push(argMissing("subnetIds.ipv4", "floatingIpAddress is set, and floating IPs map to an IPv4 address; the nodes have none."));
    }
    if (args.joinExisting === true && !controlPlane) {
        findings.push(argConflict("joinExisting", "role worker", "workers always join. Remove it."));
    }
    throwOnArgErrors(findings, COMPONENT, name);

    const roles = bootstrapRoles(args.role, args.count, args.joinExisting);
    return {
        role: args.role,
        poolName: poolName as string,
        nodes: roles.map((bootstrapRole, index) => ({ index, name: nodeName(args.clusterName, poolName as string, index), bootstrapRole })),
        families,
        serverGroupPolicy,
        allowedAddressPairs: podLayouts.filter((p) => needPairs.includes(p.family)).map((p) => ({ family: p.family, cidr: p.cidr })),
        configDrive: args.configDrive ?? !families.includes("IPv4"),
        loadBalancerFamilies,
    };
}
