// drf-sso-jwt entry for Node and Bun (verify build): the .wasm is read from the package with fs and
// instantiated synchronously on first use (no top-level await, so require() works too).
import { readFileSync } from 'node:fs';
import * as glue from '../dist/verify/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes } = bind(glue, {
  load: () => readFileSync(new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url)),
});
