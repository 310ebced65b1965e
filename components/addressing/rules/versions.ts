/**
 * Versions: which Kubernetes versions can exist and which dualstack can install, and which
 * Calico releases are tested with which Kubernetes minors. One place for version rules (the
 * version-skew rules of upgrades belong here too).
 */
import { error, Finding, warning } from "../findings";

/** kubeadm `v1beta4` configuration needs Kubernetes 1.31 or later. */
export const MIN_KUBERNETES_MINOR = 31;
/** kube-proxy `ipvs` mode is deprecated from this minor on. */
export const IPVS_DEPRECATED_MINOR = 35;
/** The newest Kubernetes minor with published Calico support data (Calico 3.33: 1.35–1.37). */
export const NEWEST_KNOWN_KUBERNETES_MINOR = 37;

/**
 * Kubernetes minors each Calico minor is tested with, from the "Kubernetes requirements" of
 * Calico's system requirements pages (docs.tigera.io). Older Calico releases are not listed:
 * dualstack installs Calico's CRDs from the `crd.projectcalico.org.v1` chart, which exists
 * from Calico 3.32 on.
 */
export const CALICO_KUBERNETES_SUPPORT: Readonly<Record<string, readonly [number, number]>> = {
    "3.32": [34, 36],
    "3.33": [35, 37],
};

/** The oldest Calico minor dualstack can install (the first with the separate CRD chart). */
export const MIN_CALICO_MINOR = 32;

/** A Kubernetes version's numbers. */
export interface KubernetesVersionParts {
    readonly major: number;
    readonly minor: number;
    readonly patch?: number;
}

/**
 * Parse `1.34`, `1.34.2` (and `v1.34.2`) as Kubernetes publishes versions: decimal numbers
 * without leading zeros, at most three digits each (pkgs.k8s.io has no `1.034`, and no
 * minor or patch has ever needed more). Undefined for anything else.
 */
export function parseKubernetesVersionParts(text: string): KubernetesVersionParts | undefined {
    const number = "(0|[1-9]\\d{0,2})";
    const match = new RegExp(`^v?${number}\\.${number}(?:\\.${number})?$`).exec(text);
    if (!match) return undefined;
    return { major: Number(match[1]), minor: Number(match[2]), patch: match[3] === undefined ? undefined : Number(match[3]) };
}

/** The minor of `1.34` / `1.34.2`; undefined when it is not a 1.x version. */
export function kubernetesMinor(version: string): number | undefined {
    const parts = parseKubernetesVersionParts(version);
    return parts?.major === 1 ? parts.minor : undefined;
}

/**
 * `kubernetes-version-invalid`: a version Kubernetes cannot have (`1.034`, `1.34.00`,
 * `1.9999`); `kubernetes-version-unsupported`: older than kubeadm v1beta4 allows;
 * `kubernetes-version-unknown`: newer than any minor dualstack has data for;
 * `kube-proxy-ipvs-deprecated`.
 */
export function checkKubernetesVersion(version: string, proxyMode: string, versionPath: string, proxyPath: string): Finding[] {
    const minor = kubernetesMinor(version);
    if (minor === undefined) {
        return [
            error(
                "kubernetes-version-invalid",
                versionPath,
                `${versionPath} is "${version}", which is not a Kubernetes version: Kubernetes writes 1.MINOR or 1.MINOR.PATCH ` +
                    `in decimal without leading zeros, and pkgs.k8s.io has nothing else. Use "1.34".`,
            ),
        ];
    }
    if (minor < MIN_KUBERNETES_MINOR) {
        return [
            error(
                "kubernetes-version-unsupported",
                versionPath,
                `${versionPath} is "${version}"; dualstack writes kubeadm v1beta4 configuration, which needs Kubernetes ` +
                    `1.${MIN_KUBERNETES_MINOR} or later. Use "1.34".`,
            ),
        ];
    }
    const findings: Finding[] = [];
    if (minor > NEWEST_KNOWN_KUBERNETES_MINOR) {
        findings.push(
            warning(
                "kubernetes-version-unknown",
                versionPath,
                `${versionPath} is "${version}", newer than Kubernetes 1.${NEWEST_KNOWN_KUBERNETES_MINOR}, the newest minor ` +
                    `dualstack knows: the nodes install it from pkgs.k8s.io, which has no repository for a release that does not exist yet. ` +
                    `Check that it is released, or use "1.34".`,
            ),
        );
    }
    if (proxyMode === "ipvs" && minor >= IPVS_DEPRECATED_MINOR) {
        findings.push(
            warning(
                "kube-proxy-ipvs-deprecated",
                proxyPath,
                `${proxyPath} is ipvs on Kubernetes ${version}; the ipvs mode is deprecated from 1.${IPVS_DEPRECATED_MINOR}. ` +
                    `Use nftables (GA since 1.33).`,
            ),
        );
    }
    return findings;
}

/**
 * `calico-version-unsupported`: a Calico release older than the first dualstack can install
 * (error), or one without published Kubernetes support data (warning);
 * `calico-kubernetes-version`: the Calico release is not tested with the Kubernetes minor.
 * Both name the Calico and the Kubernetes keys.
 */
export function checkCalicoKubernetesVersion(calicoVersion: string, kubernetesVersion: string, calicoPath: string, kubernetesPath: string): Finding[] {
    const match = /^v(\d+)\.(\d+)\./.exec(calicoVersion);
    const minor = kubernetesMinor(kubernetesVersion);
    if (match === null || minor === undefined) return [];
    const calicoMinor = `${Number(match[1])}.${Number(match[2])}`;
    const support = CALICO_KUBERNETES_SUPPORT[calicoMinor];
    if (support === undefined) {
        const tooOld = Number(match[1]) < 3 || (Number(match[1]) === 3 && Number(match[2]) < MIN_CALICO_MINOR);
        const known = Object.entries(CALICO_KUBERNETES_SUPPORT)
            .map(([calico, [low, high]]) => `${calico} (Kubernetes 1.${low}–1.${high})`)
            .join(", ");
        return [
            tooOld
                ? error(
                      "calico-version-unsupported",
                      calicoPath,
                      `${calicoPath} is ${calicoVersion}; dualstack installs Calico's CRDs from the crd.projectcalico.org.v1 chart, ` +
                          `which Calico publishes from 3.${MIN_CALICO_MINOR} on, so pulumi up would fail. With ${kubernetesPath} ` +
                          `${kubernetesVersion}, use a release of ${known}.`,
                  )
                : warning(
                      "calico-version-unsupported",
                      calicoPath,
                      `${calicoPath} is ${calicoVersion}, a Calico release dualstack has no Kubernetes support data for ` +
                          `(it knows ${known}); check Calico's requirements for ${kubernetesPath} ${kubernetesVersion}.`,
                  ),
        ];
    }
    if (minor >= support[0] && minor <= support[1]) return [];
    return [
        warning(
            "calico-kubernetes-version",
            calicoPath,
            `${calicoPath} is ${calicoVersion}, which is tested with Kubernetes 1.${support[0]} to 1.${support[1]}, ` +
                `not ${kubernetesPath} ${kubernetesVersion}. Pick a Calico release that supports it, or another Kubernetes version.`,
        ),
    ];
}
