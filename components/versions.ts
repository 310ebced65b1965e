/**
 * The Kubernetes minor and Calico release a cluster gets by default, from `upstream-versions.json`
 * (the file an update bot edits; see renovate.json and docs/library.md, "Versions").
 */
import versions from "./upstream-versions.json";

/** A pinned upstream version and where an update bot looks for newer ones. */
export interface PinnedVersion {
    /** Renovate datasource of the releases. */
    readonly datasource: string;
    /** The upstream project, as the datasource names it. */
    readonly depName: string;
    /** The pinned version as the configuration writes it. */
    readonly version: string;
}

/** Default Kubernetes minor (`dualstack:kubernetes.version`). */
export const KUBERNETES_VERSION: PinnedVersion = versions.kubernetes;
/** Default Calico release (`dualstack:calico.version`), the version of both charts. */
export const CALICO_VERSION: PinnedVersion = versions.calico;
