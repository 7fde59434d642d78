// drf-sso-jwt entry for the edge-light condition (sign build, every algorithm; Next.js middleware and
// Edge routes, Vercel Edge Functions): `?module` makes the bundler ship the .wasm precompiled, a
// WebAssembly.Module, since the Edge runtime refuses to compile wasm from bytes.
import * as glue from '../dist/sign/drf_sso_jwt.js';
import module from '../dist/sign/drf_sso_jwt_bg.wasm?module';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, load: () => module },
]);
