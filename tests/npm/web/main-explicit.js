// A bundle that does not copy the package's .wasm (esbuild, Rollup without plugins): the
// files drf-sso-jwt/verify.wasm and drf-sso-jwt/sign.wasm are served next to the page and
// handed over explicitly, as a URL and as a fetch Response.
import { runPage } from './page.js';

runPage('page', (v, s) => Promise.all([
  v.init(new URL('verify.wasm', location.href)),
  s.init(fetch(new URL('sign.wasm', location.href))),
]));
