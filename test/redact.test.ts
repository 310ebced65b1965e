import * as assert from "assert";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { redact, secretValues } from "../components/offline";
import { cloud, settle, valueOf } from "./support/runtime";

describe("redaction", () => {
    it("removes PEM blocks, generated secrets and their base64 forms, and keeps the rest", async () => {
        const token = new random.RandomPassword("redact-token", { length: 16, special: false, upper: false });
        const key = new tls.PrivateKey("redact-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const [tokenValue, pem] = await Promise.all([valueOf(token.result), valueOf(key.privateKeyPem)]);
        await settle();
        const secrets = secretValues(cloud.resources);
        assert.ok(secrets.includes(tokenValue) && secrets.includes(pem));
        const text = `token: abcdef.${tokenValue}\nkey-data: ${Buffer.from(pem).toString("base64")}\n${pem}\ncert:\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\naddress: 10.0.0.5`;
        const redacted = redact(text, secrets);
        assert.strictEqual(redacted, "token: abcdef.[secret]\nkey-data: [secret]\n[redacted ec private key]\n\ncert:\n[redacted certificate]\naddress: 10.0.0.5");
        assert.ok(!redacted.includes("BEGIN") && !redacted.includes(tokenValue));
    });

    it("removes every WireGuard PrivateKey (a key derived from secret bytes is no recorded secret itself), and keeps public keys and placeholders", () => {
        const key = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
        const text =
            `[Interface]\nPrivateKey = ${key}\nListenPort = 51820\n` +
            `      PrivateKey=${key}\n` +
            `[Peer]\nPublicKey = hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n` +
            "PrivateKey = <the private key of this peer: wg genkey on its machine>\n";
        assert.strictEqual(
            redact(text, []),
            "[Interface]\nPrivateKey = [redacted wireguard private key]\nListenPort = 51820\n" +
                "      PrivateKey=[redacted wireguard private key]\n" +
                "[Peer]\nPublicKey = hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n" +
                "PrivateKey = <the private key of this peer: wg genkey on its machine>\n",
        );
    });
});
