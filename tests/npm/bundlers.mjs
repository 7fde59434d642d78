// The package through the bundlers people build browser apps with, each from the packed tarball
// and with no configuration for it: Vite 6 and 8 (dev server and build), webpack 5, esbuild
// (ESM and IIFE, --target=es2020, no .wasm loader: explicit init), Rollup (node-resolve only:
// explicit init). Every page runs the shared corpus checks in headless Chromium. Plus esbuild
// --platform=node (ESM and CJS bundles) run in Node with initSync / init(bytes).
// Usage (from TEST_DIR, where web/, web-vite6/, web-vite8/ are laid out): node bundlers.mjs TEST_DIR TOOLS_DIR
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Results, freePort, launchChromium, pageResults, run, serveStatic, start, waitForHttp } from './harness.mjs';

const [T, TOOLS] = process.argv.slice(2).map((p) => resolve(p));
const bin = (p) => join(TOOLS, 'node_modules', p);
const web = join(T, 'web');
const results = new Results();
const requireHere = createRequire(join(web, 'package.json'));
const { build: esbuild } = await import('esbuild');
const { rollup } = await import('rollup');
const { nodeResolve } = await import('@rollup/plugin-node-resolve');
const { default: webpack } = await import('webpack');
const { chromium } = await import('playwright-core');

const buildErrors = results.row('bundler builds (no errors, no warnings)');
const built = (name, ok, detail) => (ok ? Results.pass(buildErrors) : Results.fail(buildErrors, name, detail));
// What a user copies for the explicit init path: the files the exports map names.
const copyWasm = (out) => {
  copyFileSync(requireHere.resolve('drf-sso-jwt/verify.wasm'), join(out, 'verify.wasm'));
  copyFileSync(requireHere.resolve('drf-sso-jwt/verify-all.wasm'), join(out, 'verify-all.wasm'));
  copyFileSync(requireHere.resolve('drf-sso-jwt/sign.wasm'), join(out, 'sign.wasm'));
};
const fresh = (d) => { rmSync(d, { recursive: true, force: true }); mkdirSync(d, { recursive: true }); return d; };

// Vite builds (CLI, as users run them) and dev servers.
const vite = { vite6: bin('vite6/bin/vite.js'), vite8: bin('vite8/bin/vite.js') };
const viteBuilds = Promise.all(Object.entries(vite).map(async ([name, cli]) => {
  const b = await run(process.execPath, [cli, 'build', '--logLevel', 'warn'], { cwd: join(T, `web-${name}`) });
  built(`${name} build`, b.code === 0 && !/warn|error/i.test(b.out), { code: b.code, out: b.out.slice(-2000) });
}));

// esbuild: browser ESM and IIFE at ES2020 (no top-level await allowed), no loader for .wasm.
const esbuildOpts = { bundle: true, target: 'es2020', platform: 'browser', logLevel: 'silent', absWorkingDir: web };
for (const [name, format] of [['esbuild-esm', 'esm'], ['esbuild-iife', 'iife']]) {
  const out = fresh(join(web, `dist-${name}`));
  try {
    const r = await esbuild({ ...esbuildOpts, entryPoints: [join(web, 'main-explicit.js')], format, outfile: join(out, 'main.js') });
    // esbuild warns that import.meta is empty in IIFE output: the package's default URL, unused here.
    const warnings = r.warnings.filter((w) => !(format === 'iife' && w.id === 'empty-import-meta'));
    built(name, warnings.length === 0, { warnings });
    copyWasm(out);
  } catch (e) {
    built(name, false, { error: String(e) });
  }
}
// esbuild --platform=node, ESM and CJS: the bundle cannot find the package's .wasm; the script
// hands it over (initSync with bytes, init with bytes) and runs the shared checks in Node.
const nodeRows = [];
for (const format of ['esm', 'cjs']) {
  const out = fresh(join(web, `dist-esbuild-node-${format}`));
  const file = join(out, format === 'esm' ? 'main.mjs' : 'main.cjs');
  try {
    await esbuild({ bundle: true, platform: 'node', format, target: 'node20', logLevel: 'silent', absWorkingDir: web, entryPoints: [join(web, 'node-explicit.mjs')], outfile: file });
    copyWasm(out);
    nodeRows.push([format, await run(process.execPath, [file, join(T, 'cases.json')], { cwd: out })]);
  } catch (e) {
    built(`esbuild --platform=node ${format}`, false, { error: String(e) });
  }
}

// Rollup with node-resolve (browser condition), ES output: explicit init like esbuild.
try {
  const out = fresh(join(web, 'dist-rollup'));
  const warnings = [];
  const bundle = await rollup({ input: join(web, 'main-explicit.js'), plugins: [nodeResolve({ browser: true, rootDir: web })], onwarn: (w) => warnings.push(String(w)) });
  await bundle.write({ file: join(out, 'main.js'), format: 'es' });
  await bundle.close();
  built('rollup', warnings.length === 0, { warnings });
  copyWasm(out);
} catch (e) {
  built('rollup', false, { error: String(e) });
}

// webpack 5, production, nothing but entry and output: the .wasm URL becomes an emitted asset.
await new Promise((done) => {
  webpack({ mode: 'production', context: web, entry: './main-auto.js', output: { path: fresh(join(web, 'dist-webpack')), filename: 'main.js' } }, (err, stats) => {
    const info = stats?.toJson({ all: false, errors: true, warnings: true });
    // webpack's performance hints (assets over 244 KiB: the sign build's .wasm) are advice, not faults.
    const warnings = (info?.warnings ?? []).filter((w) => !/size limit|performance recommendations/.test(w.message));
    built('webpack', !err && !stats.hasErrors() && warnings.length === 0, { err: String(err ?? ''), errors: info?.errors?.map((e) => e.message), warnings: warnings.map((e) => e.message) });
    done();
  });
});
await viteBuilds;

for (const [format, r] of nodeRows) {
  let parsed;
  try { parsed = JSON.parse(r.out.trim().split('\n').pop()); } catch { parsed = undefined; }
  if (r.code !== 0 || !parsed) {
    Results.fail(results.row(`esbuild --platform=node ${format}`), 'run', { code: r.code, out: r.out.slice(-2000) });
    continue;
  }
  for (const row of parsed) results.addChecks(`esbuild --platform=node ${format}: ${row.label}`, row);
}

const servers = [];
let browser;
try {
  const devs = [];
  for (const [name, cli] of Object.entries(vite)) {
    const port = await freePort();
    const proc = start(process.execPath, [cli, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: join(T, `web-${name}`) });
    servers.push(proc);
    devs.push([name, `http://127.0.0.1:${port}/`, proc]);
  }
  const statics = {
    'vite6 build': await serveStatic([join(T, 'web-vite6/dist')]),
    'vite8 build': await serveStatic([join(T, 'web-vite8/dist')]),
    'webpack 5': await serveStatic([join(web, 'dist-webpack'), join(web, 'public')], { '/': '<!doctype html><meta charset="utf-8"><script src="main.js"></script>' }),
    'esbuild ESM es2020': await serveStatic([join(web, 'dist-esbuild-esm'), join(web, 'public')], { '/': '<!doctype html><meta charset="utf-8"><script type="module" src="main.js"></script>' }),
    'esbuild IIFE es2020': await serveStatic([join(web, 'dist-esbuild-iife'), join(web, 'public')], { '/': '<!doctype html><meta charset="utf-8"><script src="main.js"></script>' }),
    'rollup + node-resolve': await serveStatic([join(web, 'dist-rollup'), join(web, 'public')], { '/': '<!doctype html><meta charset="utf-8"><script type="module" src="main.js"></script>' }),
  };
  servers.push(...Object.values(statics).map((s) => ({ stop: s.close })));
  await Promise.all(devs.map(([, url, proc]) => waitForHttp(url, proc)));
  browser = await launchChromium(chromium);
  const pages = [...devs.map(([name, url]) => [`${name} dev server`, url]), ...Object.entries(statics).map(([name, s]) => [name, `${s.url}/`])];
  for (const [name, url] of pages) {
    const { results: rows, error, logs } = await pageResults(browser, url);
    if (error || !rows) {
      Results.fail(results.row(name), 'page', { error, logs: logs.slice(-20) });
      continue;
    }
    for (const row of rows) results.addChecks(`${name}: ${row.label.replace(/^page:? ?/, '')}`, row);
    const noise = logs.filter((l) => !/favicon|\[vite\]/.test(l));
    if (noise.length) Results.fail(results.row(`${name}: browser console`), 'console', { logs: noise.slice(-20) });
  }
  // The dev servers had nothing to warn about (no "doesn't exist at build time", no MIME complaints).
  for (const [name, , proc] of devs) {
    const row = results.row(`${name} dev server log`);
    if (/warn|error/i.test(proc.log())) Results.fail(row, 'log', { log: proc.log().slice(-2000) });
    else Results.pass(row);
  }
} finally {
  await browser?.close();
  await Promise.all(servers.map((s) => s.stop()));
}
results.finish(join(T, 'bundlers-result.json'), { runtime: 'bundlers' });
