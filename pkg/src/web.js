// drf-sso-jwt entry for browsers and bundlers: `await init()` fetches the RSA-only .wasm next to
// this file, `await init({ algorithms: 'all' })` (or `await Verifier.load(settings, keys)`) the one
// with every algorithm, each with a streaming compile. Bundlers see both URLs below and emit both
// files; a page fetches only what it asks for.
import * as rsa from '../dist/verify/drf_sso_jwt.js';
import * as all from '../dist/verify-all/drf_sso_jwt.js';
import { bind } from './api.js';

// Vite's dev server pre-bundles dependencies into node_modules/.vite/, away from the .wasm: from
// there, take the file from the package's own folder, which Vite serves as it is. (Joined, not a
// literal, so that no bundler takes it for an asset.)
const viteDev = (url, dir) => /\/node_modules\/\.vite\//.test(import.meta.url)
  ? import.meta.url.replace(/\/node_modules\/\.vite\/.*$/, ['', 'node_modules', 'drf-sso-jwt', 'dist', dir, 'drf_sso_jwt_bg.wasm'].join('/'))
  : url;

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules } = bind([
  { name: 'rsa', glue: rsa, locate: () => viteDev(new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url), 'verify') },
  { name: 'all', glue: all, locate: () => viteDev(new URL('../dist/verify-all/drf_sso_jwt_bg.wasm', import.meta.url), 'verify-all') },
]);
