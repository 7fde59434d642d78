// Shared plumbing of the toolchain checks (apps.mjs, bundlers.mjs): child processes in their
// own process groups, stopped by PID (also on failure and on exit; their PIDs go to
// $NPM_TEST_PIDS too, for run.sh's trap), free ports on 127.0.0.1, a static file server,
// headless Chromium, and one result file per check group.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { extname, join, normalize } from 'node:path';

const children = new Set();
function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
}
process.on('exit', () => { for (const c of children) killGroup(c); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

/** A free TCP port on 127.0.0.1 (bound, read and released). */
export async function freePort() {
  const s = createNetServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs `cmd args` in `cwd` to completion; resolves {code, out} (stdout+stderr), never rejects. */
export function run(cmd, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => { out += `\n[harness] timeout after ${timeoutMs} ms`; killGroup(child); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); children.delete(child); resolve({ code: -1, out: out + String(e) }); });
    child.on('close', (code) => { clearTimeout(timer); children.delete(child); resolve({ code: code ?? -1, out }); });
  });
}

/** Starts a long-running server process; `stop()` ends its process group by PID. */
export function start(cmd, args, { cwd, env } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  if (process.env.NPM_TEST_PIDS) appendFileSync(process.env.NPM_TEST_PIDS, `${child.pid}\n`);
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  child.on('error', (e) => (log += String(e)));
  return {
    child,
    log: () => log,
    async stop() {
      killGroup(child);
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('close', r));
      children.delete(child);
    },
  };
}

/** Polls `url` until it answers (any status) or `ms` pass. */
export async function waitForHttp(url, server, ms = 60_000) {
  const t0 = Date.now();
  for (;;) {
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) throw new Error(`server exited early:\n${server.log().slice(-2000)}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch { /* not yet */ }
    if (Date.now() - t0 > ms) throw new Error(`no answer from ${url} within ${ms} ms:\n${server?.log().slice(-2000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.html': 'text/html', '.css': 'text/css' };
/** A static server on 127.0.0.1: `routes[path]` (text) first, then files under `roots` in order. */
export async function serveStatic(roots, routes = {}) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/') && routes[path] === undefined) path += 'index.html';
    if (routes[path] !== undefined) return res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html' }).end(routes[path]);
    for (const root of roots) {
      const file = normalize(join(root, path));
      if (!file.startsWith(root)) continue;
      try {
        const body = await readFile(file);
        return res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch { /* next root */ }
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Headless Debian chromium through playwright-core; `chromium` is the module (resolved by the caller). */
export async function launchChromium(chromium) {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Loads `url` in a new page and waits for `window.__results` or `window.__error`. */
export async function pageResults(browser, url, ms = 120_000) {
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => { if (!m.text().startsWith('Failed to load resource')) logs.push(m.text()); });
  page.on('pageerror', (e) => logs.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.__results || window.__error, null, { timeout: ms });
    const [results, error] = await page.evaluate(() => [window.__results, window.__error]);
    return { results, error, logs };
  } catch (e) {
    return { results: undefined, error: String(e), logs };
  } finally {
    await page.close();
  }
}

/** One check group's outcome: rows {label, passed, failed, failures}; printed, written, exit code. */
export class Results {
  rows = [];
  row(label) {
    const r = { label, passed: 0, failed: 0, failures: [] };
    this.rows.push(r);
    return r;
  }
  static pass(r) { r.passed++; }
  static fail(r, name, detail) { r.failed++; r.failures.push({ name, ...detail }); }
  /** Records the rows of a `runChecks` result under `label`. */
  addChecks(label, res) {
    this.rows.push({ ...res, label });
  }
  finish(file, extra = {}) {
    writeFileSync(file, JSON.stringify({ ...extra, results: this.rows }, null, 1));
    for (const r of this.rows) {
      console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
      for (const f of r.failures.slice(0, 20)) console.log('  ', JSON.stringify(f).slice(0, 1500));
    }
    process.exitCode = this.rows.some((r) => r.failed) || this.rows.length === 0 ? 1 : 0;
  }
}

export const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));
