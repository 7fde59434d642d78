// drf-sso-jwt entry for browsers and bundlers (sign build, every algorithm): `await init()` fetches
// the .wasm next to this file (bundlers see the URL below and emit the file) with a streaming compile.
import * as glue from '../dist/sign/drf_sso_jwt.js';
import { bind } from './api.js';

// Vite's dev server pre-bundles dependencies into node_modules/.vite/, away from the .wasm: from
// there, take the file from the package's own folder, which Vite serves as it is. (Joined, not a
// literal, so that no bundler takes it for an asset.)
const viteDev = (url) => /\/node_modules\/\.vite\//.test(import.meta.url)
  ? import.meta.url.replace(/\/node_modules\/\.vite\/.*$/, ['', 'node_modules', 'drf-sso-jwt', 'dist', 'sign', 'drf_sso_jwt_bg.wasm'].join('/'))
  : url;

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules, Issuer, createSessionPayload, createAuthorizationPayload } = bind([
  { name: 'sign', glue, locate: () => viteDev(new URL('../dist/sign/drf_sso_jwt_bg.wasm', import.meta.url)) },
]);
