/**
 * A software WebAuthn authenticator for tests (ADR 036): one P-256 credential (ES256), "none"
 * attestation, user present and verified, a signature counter it keeps (and that a test can set
 * back), and answers whose origin or RP ID a test can change to play a phishing site. What it
 * returns has the shape @simplewebauthn/browser gives the server.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

export interface Ceremony {
  /** The options' challenge (base64url). */
  challenge: string;
  /** The page's origin as the browser would report it, e.g. "https://bazaar.test". */
  origin: string;
  /** The RP ID the authenticator scopes the credential to. */
  rpId: string;
}

export class SoftAuthenticator {
  readonly credentialId = new Uint8Array(randomBytes(16));
  counter = 0;
  private readonly privateKey: KeyObject;
  private readonly x: Uint8Array;
  private readonly y: Uint8Array;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    this.privateKey = privateKey;
    this.x = new Uint8Array(Buffer.from(jwk.x!, "base64url"));
    this.y = new Uint8Array(Buffer.from(jwk.y!, "base64url"));
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private authData(rpId: string, flags: number, attested?: Uint8Array): Uint8Array {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, this.counter);
    return concat(sha256(rpId), new Uint8Array([flags]), count, ...(attested ? [attested] : []));
  }

  private clientData(type: "webauthn.create" | "webauthn.get", c: Ceremony): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ type, challenge: c.challenge, origin: c.origin, crossOrigin: false }));
  }

  /** The answer to registration options (navigator.credentials.create). */
  register(c: Ceremony) {
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, this.x],
      [-3, this.y],
    ]);
    const idLength = new Uint8Array(2);
    new DataView(idLength.buffer).setUint16(0, this.credentialId.length);
    const attested = concat(new Uint8Array(16), idLength, this.credentialId, isoCBOR.encode(cose));
    const authData = this.authData(c.rpId, UP | UV | AT, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: { clientDataJSON: b64url(this.clientData("webauthn.create", c)), attestationObject: b64url(attestationObject), transports: ["internal"] },
      clientExtensionResults: {},
    };
  }

  /** The answer to authentication options (navigator.credentials.get); the counter goes up first. */
  authenticate(c: Ceremony) {
    this.counter += 1;
    const authData = this.authData(c.rpId, UP | UV);
    const clientDataJSON = this.clientData("webauthn.get", c);
    const signature = sign("sha256", concat(authData, sha256(clientDataJSON)), { key: this.privateKey, dsaEncoding: "der" });
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key" as const,
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {},
    };
  }
}
