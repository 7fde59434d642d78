// drf-sso-jwt entry for browsers and bundlers (verify build): `await init()` fetches the .wasm
// next to this file (bundlers see the URL below and emit the file) with a streaming compile.
import * as glue from '../dist/verify/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, decode, init, initSync, memoryBytes } = bind(glue, {
  locate: () => new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url),
});
