// A bundle that does not copy the package's .wasm (esbuild, Rollup without plugins): the
// files drf-sso-jwt/verify.wasm, verify-all.wasm (EC/Ed keys) and sign.wasm are served next to
// the page and handed over explicitly, as a URL and as fetch Responses.
import { runPage } from './page.js';

runPage('page', (v, s) => Promise.all([
  v.init(new URL('verify.wasm', location.href)),
  s.init(fetch(new URL('sign.wasm', location.href))),
]), (v) => v.init({ algorithms: 'all', source: fetch(new URL('verify-all.wasm', location.href)) }));
