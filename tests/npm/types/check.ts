// Compiled by types.mjs with tsc --strict --noEmit, lib es2022 only (no DOM, no @types/node,
// no Symbol.dispose in the lib), under moduleResolution nodenext, bundler and node.
import { Verifier, SsoError, decode, init, initSync, memoryBytes, loadedModules, type ErrorCode, type VerifiedToken, type Settings, type ModuleName, type Jwks } from 'drf-sso-jwt';
import { Issuer, createAuthorizationPayload, createSessionPayload } from 'drf-sso-jwt/sign';

const settings: Settings = { IDENTITY: 'myapp', PUBLIC_KEYS: { myapp: 'myapp.pem' }, AUTHORIZATION_EXPIRATION: 300 };
const verifier = new Verifier(settings, { keys: [{ kty: 'RSA', kid: 'myapp', n: 'AQAB', e: 'AQAB' }] }, { cacheSize: 16 });
const data: VerifiedToken = verifier.verify('a.b.c', 1700000000);
const uid = data.payload.uid;
const header: string | null = verifier.authenticateHeader;
const maybe: VerifiedToken | null = verifier.authenticate('JWT a.b.c');
const auth = verifier.authenticateRequest({ headers: { authorization: 'JWT a.b.c' } }, { now: 1, required: true });
if (auth !== null && !('payload' in auth)) {
  const status: number = auth.status;
}
verifier.authenticateRequest({ get: (name: string) => (name === 'authorization' ? 'JWT x' : null) });
try {
  decode('x');
} catch (e) {
  if (!(e instanceof SsoError)) throw e;
  const code: ErrorCode = e.code;
  const detail: string = e.detail;
}
void init(new Uint8Array(8));
void init('https://example.test/verify.wasm');
void init();
initSync({ module: new Uint8Array(8) });
initSync(new ArrayBuffer(8));
void init({ algorithms: 'all' });
void init({ algorithms: 'all', source: new Uint8Array(8) });
initSync({ module: new Uint8Array(8), algorithms: 'all' });
const bytes: number = memoryBytes();
const loaded: ModuleName[] = loadedModules();
const module: ModuleName = verifier.module;
const jwks: Jwks = { keys: [
  { kty: 'EC', crv: 'P-256', kid: 'ec', x: 'AA', y: 'AA' },
  { kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: 'AA' },
] };
void Verifier.load(settings, jwks, { cacheSize: 0 }).then((v: Verifier) => v.verify('a.b.c'));
const issuer = new Issuer(settings, { 'myapp.pem': '-----BEGIN PRIVATE KEY-----' });
const token: string = issuer.encode(createAuthorizationPayload({ sid: 's', uid: 1 }, { account: 'acme' }), 1700000000);
issuer.encode(createSessionPayload({ sid: 's', uid: 1 }, new Date()));
issuer[Symbol.dispose]();
verifier.free();
export { uid, header, maybe, token, bytes, loaded, module };
