/**
 * The rendered artefacts of an offline run, per node role: the cloud-config as Nova would
 * receive it (decoded), the kubeadm configuration inside it, and the Calico values; for the
 * access gateway its WireGuard (private key redacted on output), keepalived and radvd
 * configuration and each peer's configuration template.
 */
import { gunzipSync } from "zlib";
import { parse, stringify } from "yaml";
import { NODE_PATHS } from "../components/bootstrap/script";
import { GATEWAY_PATHS } from "../components/gateway/paths";
import { GATEWAY_TAG, GatewayClientConfig } from "../components/gateway/gateway";
import { RecordedResource } from "../components/offline/cloud";

/** One file to show or write. */
export interface Artefact {
    /** Relative path under `--out`, e.g. `worker-workers/cloud-init.yaml`. */
    readonly path: string;
    readonly content: string;
    /** The node it was taken from, for the report. */
    readonly node?: string;
}

const INSTANCE = "openstack:compute/instance:Instance";
const GATEWAY = "dualstack:index:Gateway";

/** Files of a gateway's cloud-config shown on their own, and the artefact each becomes. */
const GATEWAY_FILES: ReadonlyArray<[string, string]> = [
    [GATEWAY_PATHS.wireguard, "wg0.conf"],
    [GATEWAY_PATHS.keepalivedTemplate, "keepalived.conf"],
    [GATEWAY_PATHS.radvdTemplate, "radvd.conf"],
];
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** A user-data as Nova gets it, back to text: plain, or base64 of gzip. */
export function decodeUserData(userData: string): string {
    if (userData.startsWith("#")) return userData;
    const bytes = Buffer.from(userData, "base64");
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes).toString("utf8");
    return userData;
}

function metadataOf(instance: RecordedResource): Record<string, string> {
    return (instance.inputs.metadata ?? {}) as Record<string, string>;
}

/** The role of a machine for artefacts: `control-plane-init`, `control-plane-join`, `worker-<pool>`, `gateway`. */
function artefactRole(instance: RecordedResource, cloudConfigText: string): string {
    const metadata = metadataOf(instance);
    if (metadata[GATEWAY_TAG] !== undefined) return "gateway";
    if (metadata["dualstack-role"] === "worker") return `worker-${metadata["dualstack-pool"] ?? "workers"}`;
    return kubeadmFilesIn(cloudConfigText).some((f) => f.path.endsWith("/kubeadm-init.yaml")) ? "control-plane-init" : "control-plane-join";
}

/** The files of a cloud-config (`write_files`) that `keep` selects, decoded. */
function filesIn(cloudConfigText: string, keep: (path: string) => boolean): Array<{ path: string; content: string }> {
    const document = parse(cloudConfigText) as { write_files?: Array<{ path: string; content: string; encoding?: string }> };
    return (document.write_files ?? [])
        .filter((f) => keep(f.path))
        .map((f) => ({ path: f.path, content: f.encoding === "b64" ? Buffer.from(f.content, "base64").toString("utf8") : f.content }));
}

/** kubeadm files inside a cloud-config (write_files under the kubeadm directory). */
export function kubeadmFilesIn(cloudConfigText: string): Array<{ path: string; content: string }> {
    return filesIn(cloudConfigText, (path) => path.startsWith(`${NODE_PATHS.kubeadmDir}/`) && path.endsWith(".yaml"));
}

/** A gateway's WireGuard, keepalived and radvd configuration, and each peer's configuration template. */
function gatewayArtefacts(text: string, node: string, resources: readonly RecordedResource[]): Artefact[] {
    const artefacts: Artefact[] = [];
    for (const file of filesIn(text, (path) => GATEWAY_FILES.some(([p]) => p === path))) {
        artefacts.push({ path: `gateway/${GATEWAY_FILES.find(([p]) => p === file.path)?.[1]}`, content: file.content, node });
    }
    for (const component of resources.filter((r) => r.type === GATEWAY)) {
        const configs = (component.registeredOutputs?.clientConfigs ?? []) as GatewayClientConfig[];
        if (!Array.isArray(configs)) continue;
        for (const peer of configs) artefacts.push({ path: `gateway/peers/${peer.name}.conf`, content: peer.config });
    }
    return artefacts;
}

/** One set of artefacts per role (the first machine of each), plus the Calico values. */
export function collectArtefacts(resources: readonly RecordedResource[]): Artefact[] {
    const artefacts: Artefact[] = [];
    const seen = new Set<string>();
    for (const instance of resources.filter((r) => r.type === INSTANCE)) {
        if (typeof instance.inputs.userData !== "string") continue;
        const text = decodeUserData(instance.inputs.userData);
        const role = artefactRole(instance, text);
        if (seen.has(role)) continue;
        seen.add(role);
        const node = String(instance.inputs.name ?? instance.name);
        artefacts.push({ path: `${role}/cloud-init.yaml`, content: text, node });
        if (role === "gateway") {
            artefacts.push(...gatewayArtefacts(text, node, resources));
            continue;
        }
        const kubeadm = kubeadmFilesIn(text);
        if (kubeadm.length > 0) {
            artefacts.push({
                path: `${role}/kubeadm.yaml`,
                content: kubeadm.map((f) => `# ${f.path}\n${f.content.trimEnd()}\n`).join("---\n"),
                node,
            });
        }
    }
    for (const release of resources.filter((r) => r.type === HELM_RELEASE)) {
        const chart = String(release.inputs.chart ?? release.name);
        artefacts.push({ path: `calico/${chart}-values.yaml`, content: stringify(release.inputs.values ?? {}) });
    }
    return artefacts;
}
