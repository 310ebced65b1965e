/**
 * An offline stand-in for OpenStack, Kubernetes and the random/tls providers, for Pulumi's
 * mock runtime. `dualstack plan`, the tests and the benchmarks run the real program against
 * it. It answers like the real services where the program depends on the answer: Neutron
 * allocates fixed IPs from the subnet's pool (EUI-64 for SLAAC), floating IPs come from a
 * documentation range, tls keys are real keys. Certificates are not real X.509: their PEM
 * bodies say so.
 *
 * It also records every resource with its parent, dependencies and which inputs were
 * secret, so tests can assert the exact resources a program registers.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { Cidr, cidrSize, formatAddress, lastAddress, makeCidr, parseAddress, parseCidr } from "../addressing/cidr";
import { IpFamily } from "../addressing/family";
import { standInGlobalId } from "../addressing/ula";

/** Pulumi's marker for secret values in serialized properties. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** One registered resource (custom resources and components alike). */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** URN of the parent resource, if any. */
    readonly parent?: string;
    /** URNs this resource depends on (explicit dependsOn and inputs' resources). */
    readonly dependencies: readonly string[];
    /** For each top-level input, the URNs of the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly provider?: string;
    /** Inputs with secrets unwrapped. */
    readonly inputs: Record<string, unknown>;
    /** Names of top-level inputs that were secret. */
    readonly secretInputs: ReadonlySet<string>;
    /** The outputs the stand-in answered with. */
    readonly outputs: Record<string, unknown>;
    /** Names of outputs that are secret (secret inputs and the resource's additionalSecretOutputs). */
    readonly secretOutputs: ReadonlySet<string>;
    /** A component's registered outputs (registerOutputs), secrets unwrapped; unknowns in preview stay Pulumi's unknown marker. */
    readonly registeredOutputs?: Record<string, unknown>;
    readonly id?: string;
    /** Milliseconds since the cloud was created: when registration began and ended. */
    readonly startedAt: number;
    readonly finishedAt: number;
}

/** What the monitor knows about a registration that the Mocks interface does not carry. */
export interface RegistrationMeta {
    readonly urn: string;
    readonly parent?: string;
    readonly dependencies: string[];
    /** For each top-level input, the URNs of the resources its value came from. */
    readonly propertyDependencies: Record<string, string[]>;
    readonly additionalSecretOutputs: string[];
}

/** One invoke (data source) call. */
export interface RecordedCall {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
}

export interface OfflineCloudOptions {
    /** Stack name: seeds deterministic random values and the ULA stand-in ID. */
    readonly stack?: string;
    /** Answer for the ULA global ID (RandomId named `*-ula-global-id`); default: the stand-in of the stack. */
    readonly ulaGlobalId?: string;
    /** Delay per resource type, to simulate how long a cloud takes (benchmarks); `custom` is false for components. */
    readonly latencyMs?: (type: string, custom: boolean) => number;
    /** Generate RSA keys of the requested size (slow); false uses 1024 bits. Default true. */
    readonly realRsaKeys?: boolean;
    /** The outputs a StackReference reads (the stack's last deployment); none when absent. */
    readonly previousOutputs?: Readonly<Record<string, unknown>>;
}

/** A custom resource as a cloud answers its creation: the id and the outputs it computed. */
export interface Provisioned {
    readonly id: string;
    readonly outputs: Record<string, unknown>;
}

interface SubnetState {
    readonly cidr: Cidr;
    readonly networkId: string;
    readonly autoAddress: boolean;
    next: bigint;
}

/** Unwrap Pulumi's secret markers; returns the value and whether it was secret at top level. */
export function unwrapSecrets(value: unknown): { value: unknown; secret: boolean } {
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG_KEY] === SECRET_SIG) {
            return { value: unwrapSecrets(record.value).value, secret: true };
        }
        if (Array.isArray(value)) return { value: value.map((v) => unwrapSecrets(v).value), secret: false };
        if (Object.getPrototypeOf(value) === Object.prototype) {
            const out: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(record)) out[k] = unwrapSecrets(v).value;
            return { value: out, secret: false };
        }
    }
    return { value, secret: false };
}

/** The stand-in cloud. Install it with `installOfflineCloud`. */
export class OfflineCloud implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    readonly calls: RecordedCall[] = [];
    private readonly subnets = new Map<string, SubnetState>();
    /** Fixed IPs per port id; instances and load balancers read their addresses from here. */
    protected readonly ports = new Map<string, string[]>();
    private readonly keys = new Map<string, crypto.KeyPairSyncResult<string, string>>();
    private readonly pendingMeta = new Map<string, Array<RegistrationMeta>>();
    private floatingIps = 0;
    private poolSubnets = 0;
    private macs = 0;
    private readonly epoch = Date.now();

    constructor(readonly options: OfflineCloudOptions = {}) {}

    /** Forget everything recorded (between tests). Allocations continue, so addresses stay unique. */
    reset(): void {
        this.resources.length = 0;
        this.calls.length = 0;
    }

    /** Recorded resources of one type token, in registration order. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The recorded resource with this name (and type, if given); throws when absent. */
    named(name: string, type?: string): RecordedResource {
        const found = this.resources.find((r) => r.name === name && (type === undefined || r.type === type));
        if (!found) throw new Error(`no resource named ${name}${type ? ` of type ${type}` : ""} was registered`);
        return found;
    }

    /** Called by the monitor before `newResource`, with what the Mocks interface does not carry. */
    noteRegistration(type: string, name: string, meta: RegistrationMeta): void {
        const key = `${type}::${name}`;
        this.pendingMeta.set(key, [...(this.pendingMeta.get(key) ?? []), meta]);
    }

    /** Called by the monitor when a component registers its outputs. */
    noteRegisteredOutputs(urn: string, outputs: Record<string, unknown>): void {
        const index = this.resources.findIndex((r) => r.urn === urn);
        if (index < 0) return;
        this.resources[index] = { ...this.resources[index], registeredOutputs: unwrapSecrets(outputs).value as Record<string, unknown> };
    }

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
        const startedAt = Date.now() - this.epoch;
        const key = `${args.type}::${args.name}`;
        const queue = this.pendingMeta.get(key) ?? [];
        const meta: RegistrationMeta = queue.shift() ?? {
            urn: `urn:offline::${args.type}::${args.name}`,
            dependencies: [],
            propertyDependencies: {},
            additionalSecretOutputs: [],
        };
        const rawInputs = (args.inputs ?? {}) as Record<string, unknown>;
        const inputs: Record<string, unknown> = {};
        const secretInputs = new Set<string>();
        for (const [name, value] of Object.entries(rawInputs)) {
            const unwrapped = unwrapSecrets(value);
            inputs[name] = unwrapped.value;
            if (unwrapped.secret) secretInputs.add(name);
        }
        const latency = this.options.latencyMs?.(args.type, args.custom !== false) ?? 0;
        if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
        const created = args.custom === false ? undefined : await this.provision(args.type, args.name, args.id || `${args.name}-id`, inputs);
        const id = created?.id;
        const computed = created?.outputs ?? {};
        const outputs = { ...inputs, ...computed };
        const secretOutputs = new Set([...secretInputs, ...meta.additionalSecretOutputs].filter((n) => n in outputs));
        this.resources.push({
            urn: meta.urn,
            type: args.type,
            name: args.name,
            custom: args.custom !== false,
            parent: meta.parent,
            dependencies: meta.dependencies,
            propertyDependencies: meta.propertyDependencies,
            provider: args.provider,
            inputs,
            secretInputs,
            outputs,
            secretOutputs,
            id,
            startedAt,
            finishedAt: Date.now() - this.epoch,
        });
        // Inputs that were secret stay secret in the outputs, and so do the outputs the
        // resource declares secret (additionalSecretOutputs), as the engine does. An unknown
        // one stays unknown: a secret marker without a value would never resolve.
        const state: Record<string, unknown> = { ...outputs };
        for (const name of secretOutputs) {
            if (outputs[name] !== undefined) state[name] = { [SECRET_SIG_KEY]: SECRET_SIG, value: outputs[name] };
        }
        return { id, state: args.custom === false ? {} : state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> | Promise<Record<string, unknown>> {
        const inputs = (unwrapSecrets(args.inputs ?? {}).value ?? {}) as Record<string, unknown>;
        this.calls.push({ token: args.token, inputs });
        return this.answer(args.token, inputs);
    }

    /**
     * Create one custom resource: the id and outputs the cloud answers with. A subclass may
     * hand some types to a real service (the Neutron suite creates the networking resources
     * in a real Neutron) and call this for the others.
     */
    protected provision(type: string, name: string, id: string, inputs: Record<string, unknown>): Provisioned | Promise<Provisioned> {
        return { id, outputs: this.compute(type, name, id, inputs) };
    }

    /** The answer to an invoke (data source). A subclass may answer some tokens from a real service. */
    protected answer(token: string, inputs: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>> {
        const name = String(inputs.name ?? "resource");
        switch (token) {
            case "openstack:networking/getNetwork:getNetwork":
                return { ...inputs, id: `${name}-id`, name, external: name === "public", subnets: [`${name}-subnet-id`] };
            case "openstack:networking/getRouter:getRouter":
                return { ...inputs, id: `${name}-id`, name };
            case "openstack:networking/getSubnetPool:getSubnetPool":
                return {
                    ...inputs,
                    id: `${name}-id`,
                    name,
                    ipVersion: 6,
                    prefixes: ["2001:db8::/32"],
                    defaultPrefixlen: 64,
                    minPrefixlen: 48,
                    maxPrefixlen: 128,
                };
            case "openstack:networking/getSecGroup:getSecGroup":
                return { ...inputs, id: `${name}-id`, name };
            default:
                return inputs;
        }
    }

    /** Outputs a real service would compute, per type. */
    private compute(type: string, name: string, id: string, inputs: Record<string, unknown>): Record<string, unknown> {
        switch (type) {
            case "openstack:networking/subnet:Subnet":
                return this.createSubnet(id, inputs);
            case "openstack:networking/port:Port":
                return this.createPort(id, inputs);
            case "openstack:networking/floatingIp:FloatingIp": {
                this.floatingIps++;
                const address = `203.0.113.${(this.floatingIps % 250) + 2}`;
                const portId = inputs.portId as string | undefined;
                return { address, fixedIp: portId ? this.ports.get(portId)?.find((a) => !a.includes(":")) : undefined };
            }
            case "openstack:networking/router:Router":
                return { externalFixedIps: [{ ipAddress: "203.0.113.1", subnetId: "public-subnet-id" }] };
            case "openstack:networking/network:Network":
                return { mtu: 1450, portSecurityEnabled: inputs.portSecurityEnabled ?? true };
            case "openstack:loadbalancer/loadBalancer:LoadBalancer": {
                const vipPort = inputs.vipPortId as string | undefined;
                const vipSubnet = inputs.vipSubnetId as string | undefined;
                const vipAddress =
                    (inputs.vipAddress as string | undefined) ??
                    (vipPort ? this.ports.get(vipPort)?.[0] : undefined) ??
                    (vipSubnet ? this.allocate(vipSubnet, undefined) : undefined);
                return { vipAddress, vipPortId: vipPort ?? `${name}-vip-port-id` };
            }
            case "openstack:compute/instance:Instance": {
                const networks = (inputs.networks as Array<Record<string, unknown>> | undefined) ?? [];
                const addresses = networks.flatMap((n) => this.ports.get(String(n.port)) ?? []);
                return {
                    accessIpV4: addresses.find((a) => !a.includes(":")) ?? "",
                    accessIpV6: addresses.find((a) => a.includes(":")) ?? "",
                    powerState: "active",
                };
            }
            case "random:index/randomId:RandomId":
                return this.randomId(name, Number(inputs.byteLength ?? 8));
            case "random:index/randomBytes:RandomBytes":
                return this.randomBytes(name, Number(inputs.length ?? 32));
            case "random:index/randomString:RandomString":
            case "random:index/randomPassword:RandomPassword":
                return { result: this.randomString(name, inputs) };
            case "tls:index/privateKey:PrivateKey":
                return this.privateKey(name, inputs);
            case "tls:index/selfSignedCert:SelfSignedCert":
            case "tls:index/locallySignedCert:LocallySignedCert":
                return {
                    certPem: fakePem("CERTIFICATE", `offline stand-in certificate ${name}; not X.509`),
                    validityStartTime: "2026-01-01T00:00:00Z",
                    validityEndTime: "2036-01-01T00:00:00Z",
                    readyForRenewal: false,
                };
            case "tls:index/certRequest:CertRequest":
                return { certRequestPem: fakePem("CERTIFICATE REQUEST", `offline stand-in request ${name}`) };
            case "pulumi:pulumi:StackReference":
                return { outputs: this.options.previousOutputs ?? {}, secretOutputNames: [] };
            case "kubernetes:helm.sh/v3:Release":
                return {
                    status: {
                        name: inputs.name ?? name,
                        namespace: inputs.namespace ?? "default",
                        chart: inputs.chart,
                        version: inputs.version,
                        appVersion: inputs.version,
                        status: "deployed",
                        revision: 1,
                    },
                };
            default:
                return {};
        }
    }

    private createSubnet(id: string, inputs: Record<string, unknown>): Record<string, unknown> {
        let range: Cidr | undefined;
        const written = inputs.cidr as string | undefined;
        if (written) {
            const parsed = parseCidr(written);
            if (parsed.ok) range = parsed.cidr;
        } else if (inputs.subnetpoolId) {
            this.poolSubnets++;
            const length = Number(inputs.prefixLength ?? 64);
            range = makeCidr("IPv6", (0x20010db8n << 96n) | (BigInt(this.poolSubnets) << 80n), length);
        }
        if (range === undefined) return {};
        const mode = String(inputs.ipv6AddressMode ?? "");
        const autoAddress = mode === "slaac" || mode === "dhcpv6-stateless";
        // Neutron: the gateway is the first host address; allocation starts right after it.
        this.subnets.set(id, { cidr: range, networkId: String(inputs.networkId ?? ""), autoAddress, next: 2n });
        const gatewayIp = (inputs.gatewayIp as string | undefined) ?? formatAddress(range.family, range.network + 1n);
        const poolEnd = range.family === "IPv4" ? lastAddress(range) - 1n : lastAddress(range);
        return {
            cidr: range.text,
            gatewayIp,
            ipVersion: range.family === "IPv4" ? 4 : 6,
            allocationPools: [
                { start: formatAddress(range.family, range.network + 2n), end: formatAddress(range.family, poolEnd) },
            ],
            enableDhcp: inputs.enableDhcp ?? true,
        };
    }

    private createPort(id: string, inputs: Record<string, unknown>): Record<string, unknown> {
        this.macs++;
        const macAddress = (inputs.macAddress as string | undefined) ?? `fa:16:3e:00:${hex2(this.macs >> 8)}:${hex2(this.macs)}`;
        const requested = (inputs.fixedIps as Array<Record<string, unknown>> | undefined) ?? [];
        const fixedIps = requested.map((ip) => {
            const subnetId = String(ip.subnetId ?? "");
            const address = (ip.ipAddress as string | undefined) || this.allocate(subnetId, macAddress);
            return { subnetId, ipAddress: address ?? "" };
        });
        // Neutron gives every port an address on each SLAAC / dhcpv6-stateless subnet of its
        // network, whether the port asked for that subnet or not.
        const networkId = String(inputs.networkId ?? "");
        for (const [subnetId, subnet] of this.subnets) {
            if (subnet.autoAddress && subnet.networkId === networkId && !fixedIps.some((f) => f.subnetId === subnetId)) {
                fixedIps.push({ subnetId, ipAddress: this.allocate(subnetId, macAddress) ?? "" });
            }
        }
        const allFixedIps = fixedIps.map((f) => f.ipAddress).filter((a) => a !== "");
        this.ports.set(id, allFixedIps);
        return {
            macAddress,
            fixedIps,
            allFixedIps,
            allSecurityGroupIds: inputs.securityGroupIds ?? [],
            portSecurityEnabled: inputs.portSecurityEnabled ?? true,
        };
    }

    /** The next address of a subnet, or the EUI-64 address of a MAC on an auto-address subnet. */
    private allocate(subnetId: string, macAddress: string | undefined): string | undefined {
        const subnet = this.subnets.get(subnetId);
        if (subnet === undefined) return undefined;
        if (subnet.autoAddress && macAddress !== undefined) {
            return formatAddress("IPv6", subnet.cidr.network | eui64(macAddress));
        }
        const offset = subnet.next++;
        if (offset >= cidrSize(subnet.cidr) - 1n) throw new Error(`offline Neutron: subnet ${subnet.cidr.text} is full`);
        return formatAddress(subnet.cidr.family, subnet.cidr.network + offset);
    }

    private seed(name: string): Buffer {
        return crypto.createHash("sha256").update(`${this.options.stack ?? "stack"}/${name}`).digest();
    }

    private randomId(name: string, byteLength: number): Record<string, unknown> {
        const bytes = name.endsWith("-ula-global-id")
            ? Buffer.from(this.options.ulaGlobalId ?? standInGlobalId(this.options.stack ?? "dualstack"), "hex")
            : this.seed(name).subarray(0, byteLength);
        return {
            hex: bytes.toString("hex"),
            b64Std: bytes.toString("base64"),
            b64Url: bytes.toString("base64url"),
            dec: BigInt(`0x${bytes.toString("hex") || "0"}`).toString(),
        };
    }

    /** Deterministic bytes of any length (secret outputs base64 and hex, as the provider declares them). */
    private randomBytes(name: string, length: number): Record<string, unknown> {
        const blocks: Buffer[] = [this.seed(name)];
        while (blocks.length * 32 < length) blocks.push(crypto.createHash("sha256").update(blocks[blocks.length - 1]).digest());
        const bytes = Buffer.concat(blocks).subarray(0, length);
        return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }

    private randomString(name: string, inputs: Record<string, unknown>): string {
        const length = Number(inputs.length ?? 16);
        let alphabet = "";
        if (inputs.lower !== false) alphabet += "abcdefghijklmnopqrstuvwxyz";
        if (inputs.upper !== false) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        if (inputs.numeric !== false && inputs.number !== false) alphabet += "0123456789";
        if (inputs.special !== false) alphabet += (inputs.overrideSpecial as string | undefined) ?? "!@#$%&*()-_=+[]{}<>:?";
        const out: string[] = [];
        let block = this.seed(name);
        for (let i = 0; out.length < length; i++) {
            if (i === block.length) {
                block = crypto.createHash("sha256").update(block).digest();
                i = 0;
            }
            out.push(alphabet[block[i] % alphabet.length]);
        }
        return out.join("");
    }

    private privateKey(name: string, inputs: Record<string, unknown>): Record<string, unknown> {
        const algorithm = String(inputs.algorithm ?? "RSA");
        let pair = this.keys.get(name);
        if (pair === undefined) {
            if (algorithm === "ECDSA") {
                const curve = String(inputs.ecdsaCurve ?? "P224") === "P384" ? "secp384r1" : "prime256v1";
                pair = crypto.generateKeyPairSync("ec", {
                    namedCurve: curve,
                    publicKeyEncoding: { type: "spki", format: "pem" },
                    privateKeyEncoding: { type: "sec1", format: "pem" },
                });
            } else if (algorithm === "ED25519") {
                pair = crypto.generateKeyPairSync("ed25519", {
                    publicKeyEncoding: { type: "spki", format: "pem" },
                    privateKeyEncoding: { type: "pkcs8", format: "pem" },
                });
            } else {
                pair = crypto.generateKeyPairSync("rsa", {
                    modulusLength: this.options.realRsaKeys === false ? 1024 : Number(inputs.rsaBits ?? 2048),
                    publicKeyEncoding: { type: "spki", format: "pem" },
                    privateKeyEncoding: { type: "pkcs1", format: "pem" },
                });
            }
            this.keys.set(name, pair);
        }
        const pkcs8 = crypto.createPrivateKey(pair.privateKey).export({ type: "pkcs8", format: "pem" }).toString();
        const spkiDer = crypto.createPublicKey(pair.publicKey).export({ type: "spki", format: "der" });
        return {
            privateKeyPem: pair.privateKey,
            privateKeyPemPkcs8: pkcs8,
            publicKeyPem: pair.publicKey,
            publicKeyFingerprintSha256: `SHA256:${crypto.createHash("sha256").update(spkiDer).digest("base64")}`,
        };
    }
}

function hex2(n: number): string {
    return (n & 0xff).toString(16).padStart(2, "0");
}

/** The EUI-64 interface identifier of a MAC address (RFC 4291 appendix A). */
export function eui64(macAddress: string): bigint {
    const bytes = macAddress.split(":").map((b) => parseInt(b, 16));
    const id = [bytes[0] ^ 0x02, bytes[1], bytes[2], 0xff, 0xfe, bytes[3], bytes[4], bytes[5]];
    return id.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function fakePem(label: string, text: string): string {
    const body = Buffer.from(text).toString("base64").replace(/(.{64})/g, "$1\n").trim();
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Family of an address string, for tests. */
export function addressFamily(address: string): IpFamily | undefined {
    return parseAddress(address)?.family;
}
