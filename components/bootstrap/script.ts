/**
 * The node's bootstrap script and the systemd unit that runs it. The script is the same on
 * every node; what differs (role, versions, subnets, which kubeadm files) comes from an
 * environment file that cloud-init writes next to it. Keeping the script static keeps it
 * checkable: the conformance tests run shellcheck on exactly what nodes run.
 */

import { NODE_NETWORK_FUNCTIONS, ROUTE_INFORMATION_FUNCTION, shellHelpers } from "./shell";

/** Paths on the node. */
export const NODE_PATHS = {
    script: "/usr/local/sbin/dualstack-bootstrap",
    environment: "/etc/dualstack/bootstrap.env",
    unit: "/etc/systemd/system/dualstack-bootstrap.service",
    stateDir: "/var/lib/dualstack",
    doneMarker: "/var/lib/dualstack/bootstrap.done",
    kubeadmDir: "/etc/kubernetes/dualstack",
    /** The CA material as cloud-init wrote it; copied to /etc/kubernetes/pki before each kubeadm run. */
    pkiSource: "/etc/kubernetes/dualstack/pki",
    modules: "/etc/modules-load.d/dualstack-kubernetes.conf",
    sysctl: "/etc/sysctl.d/90-dualstack-kubernetes.conf",
    acceptRaSysctl: "/etc/sysctl.d/80-dualstack-accept-ra.conf",
    routeInformationSysctl: "/etc/sysctl.d/80-dualstack-route-information.conf",
    containerdConfig: "/etc/containerd/config.toml",
    aptPreferences: "/etc/apt/preferences.d/dualstack-kubernetes",
    aptKeyring: "/etc/apt/keyrings/kubernetes-apt-keyring.gpg",
    aptSource: "/etc/apt/sources.list.d/kubernetes.list",
} as const;

/**
 * A systemd unit that runs `script` once the network is up, until it has succeeded once
 * (it touches `doneMarker`), also after a reboot. Its output goes to the journal and the
 * console (the cloud's console log).
 */
export function runOnceUnit(description: string, documentation: string, script: string, doneMarker: string): string {
    return `[Unit]
Description=${description}
Documentation=${documentation}
Wants=network-online.target
After=network-online.target
ConditionPathExists=!${doneMarker}

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${script}
TimeoutStartSec=infinity
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
`;
}

/** The systemd unit: runs the script until it has succeeded once, also after a reboot. */
export const BOOTSTRAP_UNIT = runOnceUnit(
    "dualstack node bootstrap (kubeadm init or join)",
    "https://kubernetes.io/docs/reference/setup-tools/kubeadm/",
    NODE_PATHS.script,
    NODE_PATHS.doneMarker,
);

/**
 * The bootstrap script. Steps, in order: swap off, kernel modules, accept_ra on the node
 * interface (and, with an access gateway, Route Information options up to its client
 * range's prefix length), sysctls, packages (containerd, then kubelet/kubeadm/kubectl from pkgs.k8s.io,
 * pinned and held), then `kubeadm init` or `kubeadm join` exactly once.
 */
export const BOOTSTRAP_SCRIPT = `#!/bin/bash
# dualstack node bootstrap: prepares the machine for Kubernetes, then runs kubeadm init
# (first control plane) or kubeadm join (every other node) once. Run by
# dualstack-bootstrap.service until it succeeds; logs: journalctl -u dualstack-bootstrap
set -euo pipefail

ENVIRONMENT_FILE=${NODE_PATHS.environment}
STATE_DIR=${NODE_PATHS.stateDir}
DONE_MARKER=${NODE_PATHS.doneMarker}
KUBEADM_DIR=${NODE_PATHS.kubeadmDir}
PKI_SOURCE=${NODE_PATHS.pkiSource}
PKI_DIR=/etc/kubernetes/pki
KUBELET_KUBECONFIG=/etc/kubernetes/kubelet.conf
MODULES_FILE=${NODE_PATHS.modules}
ACCEPT_RA_SYSCTL=${NODE_PATHS.acceptRaSysctl}
ROUTE_INFORMATION_SYSCTL=${NODE_PATHS.routeInformationSysctl}
PROC_SYS=/proc/sys
APT_KEYRING=${NODE_PATHS.aptKeyring}
APT_SOURCE=${NODE_PATHS.aptSource}
APT_OPTIONS=(-q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confdef)

${shellHelpers("dualstack-bootstrap")}
disable_swap() {
    swapoff -a
    sed -i -E 's@^([^#].*[[:space:]]swap[[:space:]].*)$@#\\1@' /etc/fstab
}

load_kernel_modules() {
    local module
    while read -r module; do
        case "$module" in
            "" | "#"*) continue ;;
        esac
        modprobe "$module"
    done <"$MODULES_FILE"
}

${NODE_NETWORK_FUNCTIONS}
${ROUTE_INFORMATION_FUNCTION}
install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    retry 10 15 apt-get "\${APT_OPTIONS[@]}" update
    retry 5 15 apt-get "\${APT_OPTIONS[@]}" install ca-certificates curl gpg containerd "\${EXTRA_PACKAGES[@]}"
    install -d -m 0755 /etc/apt/keyrings
    retry 10 15 curl -fsSL -o "$STATE_DIR/kubernetes-release.key" "$KUBERNETES_REPOSITORY/Release.key"
    gpg --batch --yes --dearmor -o "$APT_KEYRING" "$STATE_DIR/kubernetes-release.key"
    chmod 0644 "$APT_KEYRING"
    printf 'deb [signed-by=%s] %s/ /\\n' "$APT_KEYRING" "$KUBERNETES_REPOSITORY" >"$APT_SOURCE"
    retry 10 15 apt-get "\${APT_OPTIONS[@]}" update
    # ${NODE_PATHS.aptPreferences} pins the version.
    retry 5 15 apt-get "\${APT_OPTIONS[@]}" install kubelet kubeadm kubectl
    apt-mark hold kubelet kubeadm kubectl
    systemctl restart containerd
    systemctl enable containerd kubelet
}

# kubeadm reset empties /etc/kubernetes/pki; the CA material cloud-init wrote is kept
# apart and copied in before every attempt.
place_pki() {
    if [ -d "$PKI_SOURCE" ]; then
        install -d -m 0755 "$PKI_DIR" "$PKI_DIR/etcd"
        cp -a "$PKI_SOURCE/." "$PKI_DIR/"
    fi
}

api_answers() {
    curl -ksf --globoff --max-time 5 -o /dev/null "https://$API_SERVER_ENDPOINT/readyz"
}

kubeadm_init() {
    local config=$KUBEADM_DIR/kubeadm-init.yaml version attempt=0 deadline=$((SECONDS + INIT_TIMEOUT_SECONDS))
    # Behind a shared endpoint (the load balancer), an API that already answers there belongs
    # to a running cluster: this machine replaces its first control plane, and kubeadm init
    # would start a second cluster behind the same endpoint.
    if [ "$SHARED_ENDPOINT" = yes ] && api_answers; then
        log "the API at $API_SERVER_ENDPOINT already answers: this machine replaces the first control plane of a running cluster, and kubeadm init would start a second cluster behind the same endpoint. Set dualstack:controlPlane.joinExisting to true, then replace this machine again (docs/network.md)."
        return 1
    fi
    if [ -z "$KUBERNETES_PATCH_VERSION" ]; then
        version=$(kubeadm version -o short)
        log "pinning kubernetesVersion to the installed kubeadm: $version"
        sed -i "s/^kubernetesVersion: .*/kubernetesVersion: $version/" "$config"
    fi
    retry 10 30 kubeadm config images pull --config "$config"
    # kubeadm init reaches the API through the endpoint, which behind Octavia may still be
    # building when this machine is ready: retried until the deadline, reset in between.
    # --skip-token-print: the console (and the cloud's console log) must not carry the token.
    while true; do
        attempt=$((attempt + 1))
        place_pki
        if kubeadm init --skip-token-print --config "$config"; then
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "kubeadm init did not succeed within \${INIT_TIMEOUT_SECONDS}s ($attempt attempts)"
            return 1
        fi
        log "kubeadm init failed (attempt $attempt); resetting before the next attempt"
        kubeadm reset -f || true
        sleep 30
    done
}

# The token's signature is in the cluster-info ConfigMap once the token exists (the
# bootstrap signer adds it); kubeadm's discovery reads the same ConfigMap anonymously.
token_published() {
    local info
    info=$(curl -ksf --globoff --max-time 10 "https://$API_SERVER_ENDPOINT/api/v1/namespaces/kube-public/configmaps/cluster-info") || return 1
    [[ $info == *"\\"jws-kubeconfig-$1\\""* ]]
}

# Join with the first token that exists: the long-lived join token (a Secret Pulumi
# creates once the API answers), else the init token (created by kubeadm init, valid for
# 24 hours). Retried until one works or time runs out.
kubeadm_join() {
    local deadline=$((SECONDS + JOIN_TIMEOUT_SECONDS)) entry token_id config
    log "waiting for the API at $API_SERVER_ENDPOINT"
    until api_answers; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "the API at $API_SERVER_ENDPOINT did not answer within \${JOIN_TIMEOUT_SECONDS}s"
            return 1
        fi
        sleep 10
    done
    while true; do
        for entry in $KUBEADM_JOIN_CONFIGS; do
            token_id=\${entry%%:*}
            config=\${entry#*:}
            if ! token_published "$token_id"; then
                log "token $token_id is not (or no longer) published in cluster-info; skipping $config"
                continue
            fi
            place_pki
            if kubeadm join --config "$config"; then
                return 0
            fi
            log "kubeadm join with token $token_id failed; resetting before the next attempt"
            kubeadm reset -f || true
        done
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "could not join within \${JOIN_TIMEOUT_SECONDS}s: no token worked (see docs/bootstrap.md, token rotation)"
            return 1
        fi
        sleep 15
    done
}

main() {
    # shellcheck source=/dev/null
    . "$ENVIRONMENT_FILE"
    install -d -m 0700 "$STATE_DIR"
    log "bootstrapping $NODE_NAME as $NODE_ROLE of cluster $CLUSTER_NAME"
    disable_swap
    load_kernel_modules
    keep_router_advertisements
    accept_route_information
    sysctl -q --system
    install_packages
    if [ -f "$KUBELET_KUBECONFIG" ]; then
        # kubeadm has run here before (the machine rebooted during or after it): a second
        # init or join would break the node, so it is never repeated.
        log "kubeadm has already run on this node ($KUBELET_KUBECONFIG exists); not running it again"
    elif [ "$NODE_ROLE" = "control-plane-init" ]; then
        kubeadm_init
    else
        kubeadm_join
    fi
    touch "$DONE_MARKER"
    log "done"
}

# Run main unless the file is sourced (the tests source it to call single functions).
if [ "\${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
`;
