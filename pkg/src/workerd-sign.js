// drf-sso-jwt entry for Cloudflare Workers / workerd (sign build, every algorithm): wrangler bundles
// the .wasm import as a CompiledWasm module (no compilation from bytes at run time).
import * as glue from '../dist/sign/drf_sso_jwt.js';
import module from '../dist/sign/drf_sso_jwt_bg.wasm';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, load: () => module },
]);
