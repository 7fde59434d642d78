// drf-sso-jwt entry for webpack's Node builds (sign build; the `node` + `webpack` conditions: Next.js
// route handlers and server components on the Node runtime). webpack turns a file URL into an
// asset URL the server cannot read from disk, so this entry carries the .wasm in the bundle
// (base64) and instantiates it synchronously on first use.
import * as glue from '../dist/sign/drf_sso_jwt.js';
import wasm from '../dist/sign/drf_sso_jwt_bg.wasm.base64.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, load: () => Buffer.from(wasm, 'base64') },
]);
