// drf-sso-jwt entry for Cloudflare Workers / workerd (verify build): wrangler bundles the .wasm
// import as a CompiledWasm module (no compilation from bytes at run time).
import * as glue from '../dist/verify/drf_sso_jwt.js';
import module from '../dist/verify/drf_sso_jwt_bg.wasm';
import { bind } from './api.js';

export const { SsoError, Verifier, SessionFeed, decode, init, initSync, memoryBytes } = bind(glue, { load: () => module });
