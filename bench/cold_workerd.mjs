// Cold start in workerd (miniflare), the counterpart of node_bench.mjs --cold: what a worker's
// first request costs with drf-sso-jwt (import, `new Verifier(settings, keys)`, one verify)
// against jose (import, importSPKI, one jwtVerify), less the same for a worker that imports
// neither. Each worker is bundled once with esbuild as wrangler does (the package's .wasm files
// as CompiledWasm modules: workerd compiles them when it loads the worker), the same settings,
// keys and token in all three as a JSON module; every answer is checked. workerd's clocks stand
// still while a request runs, so everything is timed from outside. Two measures:
// - cold_start_*: process cold start (`wrangler dev`, a self-hosted workerd). A sample is a fresh
//   Miniflare (a new workerd process, a new isolate), timed from `new Miniflare` through
//   `await mf.ready` and the first `dispatchFetch`. Rounds time the three workers in a rotating
//   order; a contender's figure is the median over the rounds of its time less the empty
//   worker's in the same round. cold_start_empty_ms: the empty worker itself (workerd and
//   miniflare starting up, ~70 ms; the differences move by several ms from run to run).
// - cold_isolate_*: a new isolate in a running workerd (Cloudflare's edge starts isolates in
//   warm processes). One Miniflare whose worker creates a fresh isolate per request with the
//   Worker Loader (`env.LOADER.get(newId, ...)`) holding the contender's modules and forwards
//   the request to it; each .wasm gets a unique trailing custom section per isolate, since V8
//   otherwise reuses the code it compiled for the same bytes in another isolate of the process.
//   Paired with the empty worker as above; much less noise. Left out if the Worker Loader fails.
// Usage (bench.sh copies this next to miniflare and esbuild, target/npm-tools/):
//   BENCH_TOKEN=... node cold_workerd.mjs BENCH_DIR ROOT [ROUNDS=15]
//   (BENCH_DIR: drf-sso-jwt and jose installed). One JSON object on stdout, `workerd:` keys;
//   the split (until ready / first request) on stderr.
import { writeFile, mkdir, rm, readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { build } from 'esbuild';

const [dir, root] = process.argv.slice(2, 4).map((p) => resolve(p));
const rounds = Math.max(7, Number(process.argv[4] ?? 15));
const token = process.env.BENCH_TOKEN;
if (!token) throw new Error('BENCH_TOKEN: the RS256 token to verify');
const pem = (f) => readFileSync(join(root, 'keys', f), 'utf8');
const data = {
  token,
  settings: JSON.parse(readFileSync(join(root, 'keys/settings.json'), 'utf8')),
  keys: Object.fromEntries(['myapp-20200410.pem', 'myapp-20180101.pem', 'otherapp-2024.pem'].map((f) => [f, pem(f)])),
  spki: pem('myapp-20200410.pem').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----\n?/)[0],
};
// What each first request does; the answer is checked (a failed verification is no cold start).
const workers = {
  empty: `import d from './data.json';
export default { async fetch() { return new Response(JSON.stringify({ uid: d.token.length })); } };`,
  wasm: `import { Verifier } from 'drf-sso-jwt';
import d from './data.json';
export default {
  async fetch() {
    const v = new Verifier(d.settings, d.keys);
    return new Response(JSON.stringify({ uid: v.verify(d.token).payload.uid }));
  },
};`,
  jose: `import { importSPKI, jwtVerify } from 'jose';
import d from './data.json';
export default {
  async fetch() {
    const k = await importSPKI(d.spki, 'RS256');
    const { payload } = await jwtVerify(d.token, k, { audience: 'myapp', issuer: 'myapp', algorithms: ['RS256'] });
    return new Response(JSON.stringify({ uid: payload.uid }));
  },
};`,
};
const names = Object.keys(workers);
const src = join(dir, 'rt-cold');
await rm(src, { recursive: true, force: true });
await mkdir(src, { recursive: true });
await writeFile(join(src, 'data.json'), JSON.stringify(data));
for (const [name, code] of Object.entries(workers)) {
  await writeFile(join(src, `${name}.mjs`), code);
  await build({
    entryPoints: [join(src, `${name}.mjs`)], bundle: true, format: 'esm', platform: 'neutral', outdir: join(src, name),
    conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], loader: { '.wasm': 'copy', '.json': 'json' }, logLevel: 'warning',
  });
}
const check = async (name, res) => {
  const body = await res.text();
  if (res.status !== 200 || typeof JSON.parse(body).uid !== 'number') throw new Error(`${name} worker: ${res.status} ${body.slice(0, 300)}`);
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const ms = (x) => +x.toFixed(2);
// `n` rounds of `sample(name)` for each worker, in a rotating order, after one of each unrecorded.
async function rotate(n, sample) {
  for (const w of names) await sample(w);
  const times = Object.fromEntries(names.map((w) => [w, []]));
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < names.length; i++) times[names[(r + i) % names.length]][r] = await sample(names[(r + i) % names.length]);
  }
  return times;
}
const out = {};

// Process cold start: a fresh Miniflare per sample.
{
  const times = await rotate(rounds, async (name) => {
    const t0 = performance.now();
    const mf = new Miniflare({
      host: '127.0.0.1', port: 0, scriptPath: join(src, name, `${name}.js`), modulesRoot: join(src, name), modules: true, compatibilityDate: '2025-01-01',
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
    });
    try {
      await mf.ready;
      const t1 = performance.now();
      await check(name, await mf.dispatchFetch('http://127.0.0.1/'));
      const t2 = performance.now();
      return { ready: t1 - t0, first: t2 - t1, total: t2 - t0 };
    } finally {
      await mf.dispose();
    }
  });
  const less = (w, part) => ms(median(times[w].map((t, r) => t[part] - times.empty[r][part])));
  out['workerd:cold_start_wasm_ms'] = less('wasm', 'total');
  out['workerd:cold_start_jose_ms'] = less('jose', 'total');
  out['workerd:cold_start_empty_ms'] = ms(median(times.empty.map((t) => t.total)));
  for (const w of ['wasm', 'jose']) {
    console.error(`workerd process cold start, ${w}: ${less(w, 'total')} ms over the empty worker (until ready +${less(w, 'ready')} ms, first request +${less(w, 'first')} ms; medians of ${rounds} rounds)`);
  }
  console.error(`workerd process cold start, empty worker: ${out['workerd:cold_start_empty_ms']} ms (until ready ${ms(median(times.empty.map((t) => t.ready)))} ms, first request ${ms(median(times.empty.map((t) => t.first)))} ms)`);
}

// Isolate cold start: a new isolate per request in one workerd, through the Worker Loader.
try {
  const modules = {}, dataBlobBindings = {};
  for (const w of names) {
    modules[w] = {};
    for (const f of await readdir(join(src, w))) {
      if (f.endsWith('.wasm')) {
        const b = `WASM_${Object.keys(dataBlobBindings).length}`;
        dataBlobBindings[b] = new Uint8Array(await readFile(join(src, w, f)));
        modules[w][f] = { blob: b };
      } else modules[w][f] = await readFile(join(src, w, f), 'utf8');
    }
  }
  await mkdir(join(src, 'host'), { recursive: true });
  await writeFile(join(src, 'host/host.js'), `const modules = ${JSON.stringify(modules)};
// The .wasm plus a custom section "n" holding the isolate's id (8 bytes): bytes no isolate had.
function fresh(buf, id) {
  const b = new Uint8Array(buf.byteLength + 12);
  b.set(new Uint8Array(buf));
  b.set([0, 10, 1, 110], buf.byteLength);
  b.set(new TextEncoder().encode(id.padStart(8, '0').slice(-8)), buf.byteLength + 4);
  return b.buffer;
}
export default {
  async fetch(request, env) {
    const u = new URL(request.url), w = u.searchParams.get('w'), id = u.searchParams.get('id');
    const worker = env.LOADER.get(id, () => ({
      compatibilityDate: '2025-01-01', mainModule: w + '.js',
      modules: Object.fromEntries(Object.entries(modules[w]).map(([f, m]) => [f, typeof m === 'string' ? m : { wasm: fresh(env[m.blob], id) }])),
    }));
    return worker.getEntrypoint().fetch(request);
  },
};`);
  const mf = new Miniflare({
    host: '127.0.0.1', port: 0, scriptPath: join(src, 'host/host.js'), modulesRoot: join(src, 'host'), modules: true, compatibilityDate: '2025-01-01',
    workerLoaders: { LOADER: {} }, dataBlobBindings,
  });
  try {
    await mf.ready;
    let id = 0;
    const n = Math.max(21, rounds);
    const times = await rotate(n, async (name) => {
      const t0 = performance.now();
      await check(name, await mf.dispatchFetch(`http://127.0.0.1/?w=${name}&id=${id++}`));
      return performance.now() - t0;
    });
    const less = (w) => ms(median(times[w].map((t, r) => t - times.empty[r])));
    out['workerd:cold_isolate_wasm_ms'] = less('wasm');
    out['workerd:cold_isolate_jose_ms'] = less('jose');
    out['workerd:cold_isolate_empty_ms'] = ms(median(times.empty));
    console.error(`workerd isolate cold start: wasm ${less('wasm')} ms, jose ${less('jose')} ms over the empty worker (${out['workerd:cold_isolate_empty_ms']} ms; medians of ${n} rounds)`);
  } finally {
    await mf.dispose();
  }
} catch (e) {
  console.error(`(workerd isolate cold start left out: ${e?.message ?? e})`);
}
console.log(JSON.stringify(out));
