// drf-sso-jwt entry for browsers and bundlers (sign build): `await init()` fetches the .wasm
// next to this file (bundlers see the URL below and emit the file) with a streaming compile.
import * as glue from '../dist/sign/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, decode, init, initSync, memoryBytes, Issuer, createSessionPayload, createAuthorizationPayload } = bind(glue, {
  locate: () => new URL('../dist/sign/drf_sso_jwt_bg.wasm', import.meta.url),
});
