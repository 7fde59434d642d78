// drf-sso-jwt entry for Node and Bun (sign build, every algorithm): the .wasm is read from the package
// with fs and instantiated synchronously on first use (no top-level await, so require() works too).
import { readFileSync } from 'node:fs';
import * as glue from '../dist/sign/drf_sso_jwt.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, load: () => readFileSync(new URL('../dist/sign/drf_sso_jwt_bg.wasm', import.meta.url)) },
]);
