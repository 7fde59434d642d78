// A Cloudflare Worker (workerd) guarding an API with drf-sso-jwt: 200 with the claims, or
// 401 with DRF's {"detail": ...} and `WWW-Authenticate: JWT` (authenticateRequest's Response).
// Bundled by workerd.mjs with esbuild (conditions workerd/worker/browser, .wasm kept as a
// CompiledWasm import), as wrangler does.
import { Verifier } from 'drf-sso-jwt';
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';
import cases from './cases.json';

let verifier; // parsed once per isolate
const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/selftest') {
      return json(200, [await runChecks(verifyApi, cases, { label: 'workerd verify build' }), await runChecks(signApi, cases, { label: 'workerd sign build' })]);
    }
    verifier ??= new Verifier(cases.settings, cases.jwks);
    // The tests pin the clock; a real Worker leaves `now` out (Date.now()).
    const now = url.searchParams.has('now') ? Number(url.searchParams.get('now')) : undefined;
    const result = verifier.authenticateRequest(request, { now, required: true });
    if (result instanceof Response) return result;
    return json(200, { claims: result.payload });
  },
};
