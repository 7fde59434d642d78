// drf-sso-jwt entry for the edge-light condition (Next.js middleware and Edge routes, Vercel Edge
// Functions): `?module` makes the bundler ship each .wasm precompiled, a WebAssembly.Module, since
// the Edge runtime refuses to compile wasm from bytes. Both are bound (RSA only, and every
// algorithm); only the one the keys need is instantiated.
import * as rsa from '../dist/verify/drf_sso_jwt.js';
import rsaModule from '../dist/verify/drf_sso_jwt_bg.wasm?module';
import * as all from '../dist/verify-all/drf_sso_jwt.js';
import allModule from '../dist/verify-all/drf_sso_jwt_bg.wasm?module';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules } = bind([
  { name: 'rsa', glue: rsa, load: () => rsaModule },
  { name: 'all', glue: all, load: () => allModule },
]);
