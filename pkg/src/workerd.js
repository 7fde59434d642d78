// drf-sso-jwt entry for Cloudflare Workers / workerd: wrangler bundles each .wasm import as a
// CompiledWasm module (no compilation from bytes at run time). Both are bound (RSA only, and
// every algorithm); only the one the keys need is instantiated.
import * as rsa from '../dist/verify/drf_sso_jwt.js';
import rsaModule from '../dist/verify/drf_sso_jwt_bg.wasm';
import * as all from '../dist/verify-all/drf_sso_jwt.js';
import allModule from '../dist/verify-all/drf_sso_jwt_bg.wasm';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules } = bind([
  { name: 'rsa', glue: rsa, load: () => rsaModule },
  { name: 'all', glue: all, load: () => allModule },
]);
