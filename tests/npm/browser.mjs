// Headless Chromium (playwright-core + Debian chromium): a page served from 127.0.0.1 imports
// the package through an import map built from its exports map ("browser" condition, no
// bundler), `await init()` fetches the .wasm, then the shared checks run.
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const dir = new URL('.', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/drf-sso-jwt/package.json'), 'utf8'));
const importMap = {
  imports: Object.fromEntries(['.', './sign'].map((k) => [`drf-sso-jwt${k.slice(1)}`, `/node_modules/drf-sso-jwt/${pkg.exports[k].browser.slice(2)}`])),
};
const page = `<!doctype html><meta charset="utf-8"><title>drf-sso-jwt</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module">
  try {
    const [{ runChecks }, verifyApi, signApi] = await Promise.all([import('/check.mjs'), import('drf-sso-jwt'), import('drf-sso-jwt/sign')]);
    await Promise.all([verifyApi.init(), signApi.init()]); // fetches each build's .wasm next to its module
    const cases = await (await fetch('/cases.json')).json();
    // EC/Ed keys: the page builds the first such verifier with Verifier.load (fetches the module with every algorithm).
    const loadAll = async (ec) => (await verifyApi.Verifier.load(ec.settings, ec.keys)).free();
    window.__results = [await runChecks(verifyApi, cases, { label: 'chromium verify build', loadAll }), await runChecks(signApi, cases, { label: 'chromium sign build' })];
  } catch (e) { window.__error = String(e && e.stack || e); }
</script>`;
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.html': 'text/html' };
const server = createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  const file = normalize(join(dir, path));
  if (!file.startsWith(dir)) return res.writeHead(403).end();
  let body;
  try {
    body = await readFile(file);
  } catch {
    return res.writeHead(404).end();
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
let browser, results, failure;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const p = await browser.newPage();
  const logs = [];
  p.on('console', (m) => { if (!m.text().includes('favicon') && !m.text().startsWith('Failed to load resource')) logs.push(m.text()); });
  p.on('pageerror', (e) => logs.push(String(e)));
  await p.goto(`http://127.0.0.1:${server.address().port}/`);
  await p.waitForFunction(() => window.__results || window.__error, null, { timeout: 120000 });
  [results, failure] = await p.evaluate(() => [window.__results, window.__error]);
  if (failure) throw new Error(`page failed: ${failure}\n${logs.join('\n')}`);
  if (logs.length) console.log('page console:', logs.join('\n'));
} finally {
  await browser?.close();
  server.close();
}
await writeFile(join(dir, 'result.json'), JSON.stringify({ runtime: 'chromium', importMap, results }));
for (const r of results) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
  for (const f of r.failures) console.log(JSON.stringify(f));
}
process.exit(results.some((r) => r.failed) ? 1 : 0);
