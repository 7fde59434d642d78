// drf-sso-jwt: verify and decode djangorestframework-sso JWTs (verify builds: RSA only, and every algorithm).
// Compiles with any `lib` from es2020 up, without the DOM lib or @types/node: the host types
// it needs (Symbol.dispose, Response) are declared or taken from the host when present.

declare global {
  // lib.esnext.disposable declares this too; the declarations merge.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** A decoded JSON value: integers outside ±(2^53 − 1) are `bigint`; object key order is the token's. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** The `REST_FRAMEWORK_SSO` settings dict (durations in seconds). Unknown keys are an error. */
export interface Settings {
  IDENTITY?: string | string[] | null;
  SESSION_AUDIENCE?: string | string[] | null;
  AUTHORIZATION_AUDIENCE?: string | string[] | null;
  ACCEPTED_ISSUERS?: string | string[] | null;
  PUBLIC_KEYS?: Record<string, string | string[]>;
  PRIVATE_KEYS?: Record<string, string | string[]>;
  KEY_STORE_ROOT?: string | null;
  ENCODE_ALGORITHM?: string;
  DECODE_ALGORITHMS?: string[] | null;
  VERIFY_SIGNATURE?: boolean;
  VERIFY_EXPIRATION?: boolean;
  VERIFY_ISSUER?: boolean;
  VERIFY_AUDIENCE?: boolean;
  VERIFY_SESSION_TOKEN?: boolean;
  VERIFY_TOKEN_ISSUED_AT?: boolean;
  EXPIRATION_LEEWAY?: number;
  SESSION_EXPIRATION?: number | null;
  AUTHORIZATION_EXPIRATION?: number | null;
  AUTHENTICATE_HEADER?: string;
  /** Not Django settings: hardening limits. */
  MAX_TOKEN_BYTES?: number;
  MIN_KEY_BITS?: number;
  MAX_JSON_DEPTH?: number;
  [importString: string]: unknown;
}

/** A public JWK (RFC 7517/7518/8037): RSA, EC (P-256, P-384, P-521, secp256k1) or OKP (Ed25519, Ed448). */
export type Jwk =
  | { kty: 'RSA'; n: string; e: string; kid?: string; [member: string]: unknown }
  | { kty: 'EC'; crv: 'P-256' | 'P-384' | 'P-521' | 'secp256k1'; x: string; y: string; kid?: string; [member: string]: unknown }
  | { kty: 'OKP'; crv: 'Ed25519' | 'Ed448'; x: string; kid?: string; [member: string]: unknown };
export interface Jwks { keys: Jwk[] }
/**
 * `{fileName: key file text | JWK object}` for the file names `PUBLIC_KEYS` uses (file text is
 * read as the server reads key files: PEM blocks), or a JWKS (keys named by `kid`), or that
 * JSON as text.
 */
/**
 * `{fileName: key file}` (as `PUBLIC_KEYS` names it) or a JWKS, or either as JSON text. A key
 * file as bytes (`Uint8Array`/`ArrayBuffer`, e.g. `readFileSync(f)`) is read exactly as the
 * server reads the file; as a string, as its UTF-8 (a byte that was not UTF-8 is lost).
 */
export type KeyMaterial = Record<string, string | Uint8Array | ArrayBuffer | Jwk> | Jwks | string;

export interface Claims {
  token?: 'session' | 'auth';
  sid?: JsonValue;
  cid?: JsonValue;
  uid?: JsonValue;
  email?: JsonValue;
  iss?: JsonValue;
  aud?: JsonValue;
  iat?: JsonValue;
  exp?: JsonValue;
  [claim: string]: JsonValue | undefined;
}

export interface TokenData {
  header: { [key: string]: JsonValue };
  payload: Claims;
}

/** Deeply read-only view of `T`. */
export type DeepReadonly<T> = T extends bigint | boolean | number | string | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? ReadonlyArray<DeepReadonly<U>>
    : { readonly [K in keyof T]: DeepReadonly<T[K]> };

/**
 * What `Verifier` returns: deeply frozen (`Object.freeze`), because a cache hit returns the
 * very object an earlier call returned. Copy it (`structuredClone`) to modify it.
 */
export type VerifiedToken = DeepReadonly<TokenData>;

export type ErrorCode =
  | 'too_large' | 'malformed' | 'unsupported_json' | 'invalid_header' | 'missing_claim' | 'untrusted_issuer'
  | 'unknown_key' | 'invalid_key' | 'key_unavailable' | 'bad_algorithm' | 'unsupported_algorithm' | 'bad_signature' | 'bad_iat'
  | 'bad_nbf' | 'bad_exp' | 'immature' | 'expired' | 'bad_issuer' | 'bad_audience' | 'bad_subject' | 'bad_jti'
  | 'unknown_token_type' | 'no_credentials' | 'token_has_spaces' | 'invalid_characters' | 'invalid_session'
  | 'superseded' | 'inactive_user' | 'session_lookup_error' | 'bad_state' | 'state_unavailable' | 'config'
  | 'feature_missing' | 'bad_clock' | 'sign';

/** The part of a compact JWS an error concerns. */
export type Segment = 'header' | 'payload' | 'signature';

/** Every failure: `code` to match on, `detail` = the DRF response text the Django server sends, `message` = the precise cause. */
export class SsoError extends Error {
  constructor(code: ErrorCode, detail: string, message: string, claim?: string | null, segment?: Segment | null);
  readonly name: 'SsoError';
  readonly code: ErrorCode;
  readonly detail: string;
  /** The payload claim the failure concerns (`exp`, `iss`, `sid`, ...), or `null`. */
  readonly claim: string | null;
  /** The token segment the failure concerns, or `null`. */
  readonly segment: Segment | null;
}

/** Where `authenticateRequest` reads `Authorization`: a Fetch `Request`, a `Headers`, a Node/Express request, or its headers object. */
export type RequestLike =
  | { readonly headers: HeadersLike | IncomingHeaders }
  | HeadersLike
  | IncomingHeaders;
/** A Fetch `Headers` (or anything with its `get`). */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}
/** Node's `IncomingMessage.headers`: lower-case names (matched case-insensitively here). */
export type IncomingHeaders = { readonly [name: string]: string | readonly string[] | undefined };

/** The host's Fetch `Response` type where its lib declares one (DOM, WebWorker, @types/node), else its shape. */
export type FetchResponse = HostClass<'Response', ResponseShape>;
export interface ResponseShape {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface AuthenticateRequestOptions {
  /** Seconds since the epoch (default `Date.now() / 1000`). */
  now?: number;
  /** Answer an anonymous request (no `Authorization`, another scheme) with the 401 of DRF's `IsAuthenticated` instead of `null`. */
  required?: boolean;
}

/** A WebAssembly module of the package: `'rsa'` (RS256…PS512 only), `'all'` (every algorithm), `'sign'` (every algorithm + signing). */
export type ModuleName = 'rsa' | 'all' | 'sign';
/** Which verify module `init`/`initSync` load: `'rsa'` (the default, RS256…PS512 only) or `'all'` (ES*, EdDSA too). */
export type Algorithms = 'rsa' | 'all';
/** What the edge does while no session state younger than its `max_age` is in force. */
export type StalePolicy = 'refuse' | 'stateless';

/** The envelope of a signed document (session state or key set) in force. */
export interface DocumentInfo {
  readonly issuer: string;
  /** Never goes backwards; microseconds since the epoch of its build, so a `bigint` beyond 2^53. */
  readonly sequence: number | bigint;
  /** Seconds since the epoch when the server built it. */
  readonly issuedAt: number;
  /** Seconds after `issuedAt` during which it may be used. */
  readonly maxAge: number;
  /** Seconds since `issuedAt` at the time asked. */
  readonly age: number;
  readonly fresh: boolean;
}
export interface SessionStateInfo extends DocumentInfo {
  /** Sessions listed (revoked, revoked for later, re-issued), deleted sessions, inactive and deleted users. */
  readonly sessions: number;
  readonly deletedSessions: number;
  readonly inactiveUsers: number;
  readonly deletedUsers: number;
  /** What the server left out happened before this time (seconds); `null`: nothing left out. */
  readonly horizon: number | null;
}
export interface StateStatus {
  /** `null`: session state is off (no session checks). */
  readonly policy: StalePolicy | null;
  readonly issuer: string | null;
  readonly state: SessionStateInfo | null;
  readonly keys: DocumentInfo | null;
}

export interface VerifierOptions {
  /** Slots of the verified-token cache (default 1024, 0 disables). */
  cacheSize?: number;
  /** Session state in use from the start: `policy` (default `'refuse'`) applies until a fresh document is in force; `issuer` of the documents (default `IDENTITY`). */
  sessionState?: { policy?: StalePolicy; issuer?: string } | null;
}

export interface SessionFeedOptions {
  /** URL of the session-state document (drf_sso_feed `…/state/`). */
  state?: string | { readonly href: string };
  /** URL of the key-set document (`…/jwks/`). */
  keys?: string | { readonly href: string };
  /** Seconds between rounds (default 10). */
  interval?: number;
  /** Seconds a fetch may take (default 10). */
  timeout?: number;
  /** Extra request headers (e.g. `authorization: 'Bearer …'` for the feed's SECRET). */
  headers?: Record<string, string>;
  /** Default `'refuse'`. */
  policy?: StalePolicy;
  issuer?: string;
  /** Default `globalThis.fetch`. */
  fetch?: (url: string, init: { headers: Record<string, string>; signal?: unknown }) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;
  /** Called with each failure (a fetch error, a status other than 200/304, a refused document). */
  onError?: (error: unknown, kind: 'state' | 'keys') => void;
}

export interface SessionFeedStatus extends StateStatus {
  readonly refreshes: number;
  readonly updates: number;
  readonly unchanged: number;
  readonly failures: number;
  readonly lastError: string | null;
  /** Seconds since the epoch of the last fetch answered 200 (taken) or 304. */
  readonly lastSuccess: number | null;
}

/**
 * Keeps a `Verifier`'s key set and session state current from the drf_sso_feed views (conditional
 * GETs with ETag, the key set first). `start()` refreshes on a timer (Node, Deno, Bun); `sync(ctx)`
 * per request (Workers, edge functions). Failures keep what is in force.
 */
export class SessionFeed {
  constructor(verifier: Verifier, options: SessionFeedOptions);
  /** One round now; resolves to the status, never rejects. */
  refresh(): Promise<SessionFeedStatus>;
  start(): this;
  stop(): void;
  /** Waits for a round when no fresh state (or no key set yet) is in force; else starts a due one in the background (`ctx.waitUntil`). */
  sync(ctx?: { waitUntil?(promise: Promise<unknown>): void }): Promise<void>;
  readonly status: SessionFeedStatus;
}

export class Verifier {
  /**
   * Parses settings and keys once; throws `SsoError` (`config`). Built in the RSA-only module;
   * a key store with EC or Ed keys is built in the module with every algorithm, which Node, Bun,
   * Deno, workerd and the Edge runtime load at once. In browsers it must be loaded first
   * (`await init({ algorithms: 'all' })`, or use `Verifier.load`), else this throws `SsoError`
   * `feature_missing` saying so. `options.cacheSize`: slots of the verified-token cache
   * (default 1024, 0 disables); a hit re-checks `exp`/`nbf`/`iat` at `now`, so it answers
   * exactly what a fresh verification would, and returns the same frozen object.
   */
  constructor(settings: Settings | string, keys: KeyMaterial, options?: VerifierOptions);
  /**
   * Takes the server's signed session-state document; `authenticate` then runs drf-sso's
   * `authenticate_payload` against it. Throws `SsoError` `bad_state` (the state in force stays).
   */
  setSessionState(document: string, now?: number): SessionStateInfo & { readonly changed: boolean };
  /** Takes the server's signed key-set document (key rotation). Throws `SsoError` `bad_state`. */
  setKeys(document: string, now?: number): DocumentInfo & { readonly changed: boolean };
  /**
   * Session state on (`'refuse'`, `'stateless'`) or off (`null`). Session state lives in the
   * module with every algorithm: turning it on (here, in `setSessionState`, `setKeys` or the
   * `sessionState` option) moves an RSA-only verifier there (browsers: `init({ algorithms: 'all' })` first).
   */
  setStatePolicy(policy: StalePolicy | null, issuer?: string): void;
  stateStatus(now?: number): StateStatus;
  /**
   * `new Verifier(...)` once the WebAssembly module its keys need is loaded: the RSA-only one,
   * and the one with every algorithm only when a key needs it (browsers fetch it; elsewhere it
   * loads at once). Works in every runtime.
   */
  static load(settings: Settings | string, keys: KeyMaterial, options?: VerifierOptions): Promise<Verifier>;
  /** The module this verifier lives in: `'rsa'` for an RSA-only key store, `'all'` with EC/Ed keys (`'sign'` from `drf-sso-jwt/sign`). */
  readonly module: ModuleName;
  /** `decode_jwt_token(token)` at `now` (seconds since the epoch, default `Date.now() / 1000`). */
  verify(token: string, now?: number): VerifiedToken;
  /**
   * `JWTAuthentication.authenticate` for an `Authorization` header value (each char one byte,
   * U+0000..U+00FF, as runtimes hand header values over; a string with a char above U+00FF is
   * taken as UTF-8): `null` when DRF returns `None` (no header, another scheme).
   */
  authenticate(header: string | null | undefined, now?: number): VerifiedToken | null;
  // With session state in use, `authenticate` (and `authenticateRequest`) also run drf-sso's
  // `authenticate_payload` against it; `verify` stays `decode_jwt_token` alone.
  /**
   * `authenticate` on the request's `Authorization` header, answered as the Django server does:
   * the verified token data; `null` when DRF returns `None` (no header, another scheme); or, for a
   * rejected header, a ready 401 `Response` with DRF's body `{"detail": ...}` and
   * `WWW-Authenticate: <AUTHENTICATE_HEADER>` (with `required: true`, anonymous gets the 401
   * `{"detail": "Authentication credentials were not provided."}` too); without a fresh session
   * state under policy `'refuse'`, a 503 `{"detail": "Session state unavailable."}`. Other errors throw.
   */
  authenticateRequest(request: RequestLike, options?: AuthenticateRequestOptions): VerifiedToken | null | FetchResponse;
  /** `AUTHENTICATE_HEADER` in force (the `Authorization` scheme, default `JWT`). */
  readonly authenticateHeader: string;
  /** `MAX_TOKEN_BYTES` in force. */
  readonly maxTokenBytes: number;
  /**
   * Key files that will fail the tokens selecting them, one message each (a file not given,
   * unparsable, or holding no public key): as on the Django server, the other keys keep
   * working, and only tokens whose `kid` selects such a file are refused.
   */
  readonly warnings: readonly string[];
  /** The public keys as a JWKS (kid = file name without `.pem`). */
  toJwks(): Jwks;
  /** Releases the wasm memory now (else a FinalizationRegistry does it eventually). */
  free(): void;
  [Symbol.dispose](): void;
}

/** Header and payload without any verification: nothing in it may be trusted. */
export function decode(token: string): TokenData;
/** The host's type of global `Name` (its instances) where the host's lib declares it, else `Fallback`. */
type HostClass<Name extends string, Fallback> = typeof globalThis extends { [K in Name]: { prototype: infer T } } ? T : Fallback;
/** A compiled `WebAssembly.Module` (the host's type where its lib declares WebAssembly). */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;
/** What `init` takes: the `.wasm` as a URL (fetched), a fetch `Request`/`Response`, its bytes or a compiled module. */
export type WasmSource = string | HostClass<'URL', { readonly href: string }> | HostClass<'Request', never> | FetchResponse | ArrayBufferLike | ArrayBufferView | WasmModule;
export interface InitOptions {
  /** `'rsa'` (default): the RSA-only module; `'all'`: the module with every algorithm (EC and Ed keys). */
  algorithms?: Algorithms;
  /** Where that module's `.wasm` is, when not in the package (see `init(source)`). */
  source?: WasmSource | Promise<WasmSource>;
}
/**
 * Loads a WebAssembly module. Browsers: `await init()` before first use (fetches the package's
 * RSA-only `.wasm`, which bundlers emit), and `await init({ algorithms: 'all' })` too for EC or
 * Ed keys (or `Verifier.load`). Anywhere the package cannot find its `.wasm` (a bundle that did
 * not copy it): `await init(source)` / `await init({ algorithms: 'all', source })`. Node, Bun,
 * Deno, workerd and the Edge runtime load what they need by themselves on first use. Resolves
 * at once when already loaded; the first copy of a module loaded stays.
 */
export function init(source?: WasmSource | Promise<WasmSource> | InitOptions): Promise<void>;
/** Loads a WebAssembly module synchronously from its bytes or a compiled `WebAssembly.Module` (`algorithms: 'all'`: the one with every algorithm). */
export function initSync(options: { module: ArrayBufferLike | ArrayBufferView | WasmModule; algorithms?: Algorithms } | ArrayBufferLike | ArrayBufferView | WasmModule): void;
/** Current byte size of the loaded modules' WebAssembly.Memory, together (diagnostics). */
export function memoryBytes(): number;
/** The WebAssembly modules instantiated so far (diagnostics): `['rsa']` while only RSA key stores were built. */
export function loadedModules(): ModuleName[];
