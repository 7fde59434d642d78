// drf-sso-jwt entry for Deno (verify build): the .wasm is read from the package (--allow-read) and
// instantiated synchronously on first use.
import * as glue from '../dist/verify/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes } = bind(glue, {
  load: () => Deno.readFileSync(new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url)),
});
