// drf-sso-jwt entry for browsers and bundlers (verify build): `await init()` fetches the .wasm
// next to this file (bundlers see the URL below and emit the file) with a streaming compile.
import * as glue from '../dist/verify/drf_sso_jwt.js';
import { bind } from './api.js';

// Not a literal, so that no bundler takes it for an asset.
const VITE_DEV_PATH = ['', 'node_modules', 'drf-sso-jwt', 'dist', 'verify', 'drf_sso_jwt_bg.wasm'].join('/');

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes } = bind(glue, {
  locate: () => {
    const here = import.meta.url;
    // Vite's dev server pre-bundles dependencies into node_modules/.vite/, away from the .wasm:
    // from there, take the file from the package's own folder, which Vite serves as it is.
    if (/\/node_modules\/\.vite\//.test(here)) return here.replace(/\/node_modules\/\.vite\/.*$/, VITE_DEV_PATH);
    return new URL('../dist/verify/drf_sso_jwt_bg.wasm', import.meta.url);
  },
});
