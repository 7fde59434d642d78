// drf-sso-jwt entry for webpack's Node builds (the `node` + `webpack` conditions: Next.js route
// handlers and server components on the Node runtime). webpack turns a file URL into an asset URL
// the server cannot read from disk, so this entry carries both .wasm modules in the bundle
// (base64: RSA only, and every algorithm) and instantiates one synchronously on first use.
import * as rsa from '../dist/verify/drf_sso_jwt.js';
import rsaWasm from '../dist/verify/drf_sso_jwt_bg.wasm.base64.js';
import * as all from '../dist/verify-all/drf_sso_jwt.js';
import allWasm from '../dist/verify-all/drf_sso_jwt_bg.wasm.base64.js';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes, loadedModules } = bind([
  { name: 'rsa', glue: rsa, load: () => Buffer.from(rsaWasm, 'base64') },
  { name: 'all', glue: all, load: () => Buffer.from(allWasm, 'base64') },
]);
