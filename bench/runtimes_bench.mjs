// Fresh verification, the wasm package against jose with the same key, in headless Chromium
// and in workerd (miniflare): the two runtimes node_bench.mjs cannot run in. One JSON object
// on stdout, keys prefixed `chromium:` / `workerd:` as bench.sh's table expects.
// Usage (bench.sh copies this next to playwright-core, miniflare and esbuild, target/npm-tools/):
//   node runtimes_bench.mjs BENCH_DIR ROOT   (BENCH_DIR: drf-sso-jwt and jose installed;
//   tokens, settings and keys in BENCH_*_TOKEN/_SETTINGS/_KEY, the RS256 token in BENCH_TOKEN)
// Chromium times inside the page (performance.now, batches of 1000). workerd's clocks stand
// still while a request runs (Spectre mitigation), so there a request verifies N tokens and is
// timed from outside, less the same request with N = 0.
import { writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { Miniflare } from 'miniflare';
import { build } from 'esbuild';

const [dir, root] = process.argv.slice(2).map((p) => resolve(p));
const pem = (f) => readFileSync(join(root, 'keys', f), 'utf8');
const spki = (text) => text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----\n?/)[0];
// The three duels: RS256 on the repository's store, ES256 and EdDSA from bench.sh's settings.
const duels = [{
  name: '', alg: 'RS256', token: process.env.BENCH_TOKEN,
  settings: JSON.parse(readFileSync(join(root, 'keys/settings.json'), 'utf8')),
  keys: Object.fromEntries(['myapp-20200410.pem', 'myapp-20180101.pem', 'otherapp-2024.pem'].map((f) => [f, pem(f)])),
  spki: spki(pem('myapp-20200410.pem')),
}];
for (const [name, alg] of [['es256_', 'ES256'], ['eddsa_', 'EdDSA']]) {
  const env = (k) => process.env[`BENCH_${name.slice(0, -1).toUpperCase()}_${k}`];
  if (!env('TOKEN')) continue;
  duels.push({ name, alg, token: env('TOKEN'), settings: JSON.parse(readFileSync(env('SETTINGS'), 'utf8')), keys: { [env('KEY')]: pem(env('KEY')) }, spki: spki(pem(env('KEY'))) });
}
await mkdir(join(dir, 'rt'), { recursive: true });
await writeFile(join(dir, 'rt/duels.json'), JSON.stringify(duels));
const out = {};

// The code both runtimes run: one batch of `n` verifications of one kind, awaited one by one.
const shared = `
export async function prepare(api, jose, duels) {
  return Promise.all(duels.map(async (d) => {
    const v = new api.Verifier(d.settings, d.keys, { cacheSize: 0 });
    const k = await jose.importSPKI(d.spki, d.alg);
    const o = { audience: 'myapp', issuer: 'myapp', algorithms: [d.alg] };
    v.verify(d.token);
    await jose.jwtVerify(d.token, k, o);
    return { wasm: async () => v.verify(d.token), jose: () => jose.jwtVerify(d.token, k, o) };
  }));
}
export async function batch(f, n) { for (let i = 0; i < n; i++) await f(); }
`;
await writeFile(join(dir, 'rt/shared.mjs'), shared);

// Chromium: the package's browser entry and jose's webapi build through an import map.
{
  const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/drf-sso-jwt/package.json'), 'utf8'));
  const josePkg = JSON.parse(readFileSync(join(dir, 'node_modules/jose/package.json'), 'utf8'));
  const importMap = { imports: {
    'drf-sso-jwt': `/node_modules/drf-sso-jwt/${pkg.exports['.'].browser.slice(2)}`,
    jose: `/node_modules/jose/${josePkg.exports['.'].default.slice(2)}`,
  } };
  const page = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module">
  try {
    const api = await import('drf-sso-jwt'), jose = await import('jose'), { prepare, batch } = await import('/rt/shared.mjs');
    await api.init(); await api.init({ algorithms: 'all' });
    const duels = await (await fetch('/rt/duels.json')).json();
    const runs = await prepare(api, jose, duels);
    const res = {};
    for (let j = 0; j < duels.length; j++) {
      const rates = { wasm: [], jose: [] };
      for (let r = 0; r < 9; r++) for (const w of ['wasm', 'jose']) {
        const t0 = performance.now(); await batch(runs[j][w], 1000); rates[w].push(1000 / ((performance.now() - t0) / 1e3));
      }
      const med = (a) => Math.round(a.sort((x, y) => x - y)[4]);
      res[\`wasm_\${duels[j].name}full_verify_per_s\`] = med(rates.wasm);
      res[\`jose_\${duels[j].name}jwtVerify_key_once_per_s\`] = med(rates.jose);
    }
    window.__results = res;
  } catch (e) { window.__error = String(e && e.stack || e); }
</script>`;
  // The test suite's static server and Chromium launcher (tests/npm/harness.mjs).
  const { serveStatic, launchChromium, pageResults } = await import(join(root, 'tests/npm/harness.mjs'));
  const server = await serveStatic([dir], { '/': page });
  const browser = await launchChromium(chromium);
  try {
    const { results, error, logs } = await pageResults(browser, `${server.url}/`, 300_000);
    if (error) throw new Error(`${error}\n${logs.join('\n')}`);
    for (const [k, v] of Object.entries(results)) out[`chromium:${k}`] = v;
  } finally {
    await browser.close();
    await server.close();
  }
}

// workerd: the worker verifies `n` tokens of duel `j` per request.
{
  await writeFile(join(dir, 'rt/worker.mjs'), `import * as api from 'drf-sso-jwt';
import * as jose from 'jose';
import { prepare, batch } from './shared.mjs';
import duels from './duels.json';
let runs;
export default {
  async fetch(request) {
    const u = new URL(request.url);
    runs ??= await prepare(api, jose, duels);
    const n = Number(u.searchParams.get('n')), j = Number(u.searchParams.get('j'));
    await batch(runs[j][u.searchParams.get('w')], n);
    return new Response('ok');
  },
};`);
  await build({
    entryPoints: [join(dir, 'rt/worker.mjs')], bundle: true, format: 'esm', platform: 'neutral', outdir: join(dir, 'rt/out'),
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], loader: { '.wasm': 'copy', '.json': 'json' }, logLevel: 'warning',
  });
  const mf = new Miniflare({
    host: '127.0.0.1', port: 0, scriptPath: join(dir, 'rt/out/worker.js'), modulesRoot: join(dir, 'rt/out'), modules: true, compatibilityDate: '2025-01-01',
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
  });
  try {
    const time = async (q) => { const t0 = performance.now(); await (await mf.dispatchFetch(`http://127.0.0.1/?${q}`)).text(); return performance.now() - t0; };
    await time('n=0&j=0&w=wasm');
    const n = 300;
    for (let j = 0; j < duels.length; j++) {
      const rates = { wasm: [], jose: [] };
      for (let r = 0; r < 7; r++) for (const w of ['wasm', 'jose']) {
        const empty = await time(`n=0&j=${j}&w=${w}`);
        const full = await time(`n=${n}&j=${j}&w=${w}`);
        rates[w].push(n / (Math.max(full - empty, 0.001) / 1e3));
      }
      const med = (a) => Math.round(a.sort((x, y) => x - y)[3]);
      out[`workerd:wasm_${duels[j].name}full_verify_per_s`] = med(rates.wasm);
      out[`workerd:jose_${duels[j].name}jwtVerify_key_once_per_s`] = med(rates.jose);
    }
  } finally {
    await mf.dispose();
  }
}
console.log(JSON.stringify(out));
