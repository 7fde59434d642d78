// workerd via miniflare: bundle worker.js like wrangler (esbuild), run it, then (1) the shared
// checks inside workerd (/selftest) and (2) the Authorization cases over HTTP.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { parseJson, canon } from './check.mjs';

const dir = new URL('.', import.meta.url).pathname;
rmSync(`${dir}out`, { recursive: true, force: true });
await build({
  entryPoints: [`${dir}worker.js`], bundle: true, format: 'esm', platform: 'neutral', outdir: `${dir}out`,
  conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'],
  loader: { '.wasm': 'copy', '.json': 'json' }, logLevel: 'warning',
});
const cases = JSON.parse(readFileSync(`${dir}cases.json`, 'utf8'));
const mf = new Miniflare({
  host: '127.0.0.1', port: 0,
  scriptPath: `${dir}out/worker.js`, modules: true, compatibilityDate: '2025-01-01',
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
});
const results = [];
try {
  const self = await (await mf.dispatchFetch('http://127.0.0.1/selftest')).json();
  results.push(...self);
  // HTTP: only header values a client can send unchanged (visible ASCII, inner spaces/tabs).
  const http = { label: 'workerd HTTP 200/401', passed: 0, failed: 0, failures: [] };
  const sendable = (h) => h === null || /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/.test(h);
  for (const c of cases.authenticate.filter((c) => sendable(c.input))) {
    const want = parseJson(c.expected);
    const res = await mf.dispatchFetch(`http://127.0.0.1/api?now=${c.now}`, { headers: c.input === null ? {} : { Authorization: c.input } });
    const body = await res.text();
    let ok;
    if (want.ok === true && !want.anonymous) {
      ok = res.status === 200 && canon(JSON.parse(body).claims) === canon(JSON.parse(JSON.stringify({ c: want.payload }, (_, v) => (typeof v === 'bigint' ? v.toString() : v))).c);
    } else {
      const detail = want.anonymous ? 'Authentication credentials were not provided.' : want.detail;
      ok = res.status === 401 && JSON.parse(body).detail === detail && res.headers.get('WWW-Authenticate') === 'JWT';
    }
    if (ok) http.passed++;
    else { http.failed++; http.failures.push({ name: c.name, status: res.status, body: body.slice(0, 300), want: c.expected.slice(0, 300) }); }
  }
  results.push(http);
} finally {
  await mf.dispose();
}
writeFileSync(`${dir}result.json`, JSON.stringify({ runtime: 'workerd', results }));
for (const r of results) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
  for (const f of r.failures) console.log(JSON.stringify(f));
}
process.exit(results.some((r) => r.failed) ? 1 : 0);
