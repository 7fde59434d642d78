// drf-sso-jwt entry for Deno (sign build, every algorithm): the .wasm is read from the package
// (--allow-read) and instantiated synchronously on first use.
import * as glue from '../dist/sign/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, load: () => Deno.readFileSync(new URL('../dist/sign/drf_sso_jwt_bg.wasm', import.meta.url)) },
]);
