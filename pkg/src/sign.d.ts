// drf-sso-jwt/sign: everything of the verify builds, plus building and signing tokens (one module, every algorithm).
export * from './index.js';
import type { JsonValue, Settings } from './index.js';

/** Identity of the session a token belongs to; `cid` and `email` default to `""`. */
export interface Subject { sid: JsonValue; uid: JsonValue; cid?: JsonValue; email?: JsonValue }
/** A payload to sign: `Date` values are datetimes (`iat`/`exp`/`nbf` → whole seconds, elsewhere ISO text). */
export type Payload = { [claim: string]: JsonValue | Date | undefined };

export class Issuer {
  /** `privateKeys`: `{fileName: PEM text}` (RSA, EC or Ed25519/Ed448 private key) for the files `PRIVATE_KEYS` names. Throws `SsoError`. */
  constructor(settings: Settings | string, privateKeys: Record<string, string>);
  /** `encode_jwt_token(payload)` at `now` (seconds, default `Date.now() / 1000`): fills iss/aud/iat/exp and signs. */
  encode(payload: Payload, now?: number): string;
  free(): void;
  [Symbol.dispose](): void;
}

/** `create_session_payload`: token, sid, cid, uid, email, iat (a `Date`, or `null`), then `extra`. */
export function createSessionPayload(subject: Subject, lastIssuedAt?: number | Date | null, extra?: Record<string, JsonValue> | null): Payload;
/** `create_authorization_payload`: token, sid, cid, uid, email, scopes: [], then `extra`. */
export function createAuthorizationPayload(subject: Subject, extra?: Record<string, JsonValue> | null): Payload;
