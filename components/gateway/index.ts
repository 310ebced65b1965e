/** WireGuard access gateway: keepalived VIPs per family, radvd for the IPv6 route back, and the Gateway component. */
export * from "./types";
export * from "./paths";
export * from "./wireguard";
export * from "./keepalived";
export * from "./radvd";
export * from "./scripts";
export * from "./cloudinit";
export * from "./layout";
export * from "./gateway";
export * from "./standIn";
