// drf-sso-jwt entry for Node and Bun: the RSA-only .wasm (and, for keys that need it, the one with
// every algorithm) is read from the package with fs and instantiated synchronously on first use
// (no top-level await, so require() works too).
import { readFileSync } from 'node:fs';
import * as rsa from '../dist/verify/drf_sso_jwt.js';
import * as all from '../dist/verify-all/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules } = bind([
  { name: 'rsa', glue: rsa, load: () => readFileSync(new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url)) },
  { name: 'all', glue: all, load: () => readFileSync(new URL('../dist/verify-all/drf_sso_jwt_bg.wasm', import.meta.url)) },
]);
