// The parity corpus through the packed wasm build in Node: every verdict must equal the
// native CLI's (which run_parity.py has proved equal to the Django server's).
// Usage (from a folder where the drf-sso-jwt tarball is installed):
//   node wasm_check.mjs ROOT CLI_BIN
// Compares ok, code, detail, message, and header/payload (as JS sees them: numbers are doubles,
// big integers BigInt → compared as decimal text). Ends with `N passed, M failed`.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Verifier, SsoError } from 'drf-sso-jwt';

const [root, bin] = process.argv.slice(2);
const profilesDir = join(root, 'target/parity/profiles');
// The oracle's "expected" (last member) may hold Python-only JSON such as NaN: not needed here.
const cases = readFileSync(join(root, 'target/parity/corpus.jsonl'), 'utf8').trim().split('\n').map((l) => {
  const cut = l.indexOf(',"expected":');
  return JSON.parse(cut < 0 ? l : l.slice(0, cut) + '}');
});

// JSON text → the JS value a consumer would see, with integers kept as decimal text.
function canon(v) {
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: String(BigInt(v)) } : v;
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}
// Parses CLI JSON keeping big integers exact (their digits become BigInt).
function parseExact(text) {
  return JSON.parse(text.replace(/([:\[,])(-?\d{16,})(?=[,\]}])/g, '$1"__big$2"'), (k, v) =>
    typeof v === 'string' && v.startsWith('__big') ? BigInt(v.slice(5)) : v);
}

const groups = new Map();
for (const c of cases) {
  if (c.mode !== 'verify' && c.mode !== 'authenticate') continue;
  if (c.mode === 'verify' && (!c.input.trim() || /[\r\n]/.test(c.input))) continue;
  const key = `${c.profile}\u0000${c.mode}\u0000${c.now}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(c);
}

let passed = 0, failed = 0, refused = 0, cachePassed = 0, cacheFailed = 0;
for (const [key, list] of groups) {
  const [profile, mode, now] = key.split('\u0000');
  const settingsPath = join(profilesDir, profile + '.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8'));
  const storeRoot = settings.KEY_STORE_ROOT ? (isAbsolute(settings.KEY_STORE_ROOT) ? settings.KEY_STORE_ROOT : join(dirname(settingsPath), settings.KEY_STORE_ROOT)) : dirname(settingsPath);
  const names = new Set(Object.values(settings.PUBLIC_KEYS ?? {}).flatMap((v) => (Array.isArray(v) ? v : [v])));
  const keys = Object.fromEntries([...names].map((n) => [n, readFileSync(join(storeRoot, n), 'utf8')]));
  const input = list.map((c) => (mode === 'verify' ? c.input.trim() : JSON.stringify(c.input))).join('\n') + '\n';
  let cli;
  try {
    cli = execFileSync(bin, [mode, '--settings', settingsPath, '--now', String(now)], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (e) {
    if (e.status === 2) { // the CLI refuses this configuration (documented MIN_KEY_BITS hardening)
      let threw = false;
      try { new Verifier(settings, keys); } catch (err) { threw = err instanceof SsoError && err.code === 'config'; }
      if (threw) { refused += list.length; passed += list.length; } else { failed += list.length; console.log(`MISMATCH ${profile}: CLI refused the config, wasm did not`); }
      continue;
    }
    cli = e.stdout;
  }
  const want = cli.trim().split('\n');
  const v = new Verifier(settings, keys, { cacheSize: 0 });
  const run = (verifier, c, t) => {
    try {
      const r = mode === 'verify' ? verifier.verify(c.input.trim(), t) : verifier.authenticate(c.input, t);
      return r === null ? { ok: true, anonymous: true } : { ok: true, header: r.header, payload: r.payload };
    } catch (e) {
      if (!(e instanceof SsoError)) throw e;
      return { ok: false, code: e.code, detail: e.detail, message: e.message };
    }
  };
  list.forEach((c, i) => {
    const got = run(v, c, Number(now));
    const a = JSON.stringify(canon(got));
    const b = JSON.stringify(canon(parseExact(want[i])));
    if (a === b) passed++;
    else { failed++; if (failed <= 20) console.log(`MISMATCH ${c.id} (${profile}, ${mode})\n  wasm ${a.slice(0, 400)}\n  cli  ${b.slice(0, 400)}`); }
  });
  // The JS-side cache front: one cached Verifier (default size) over the group again and
  // again, at clocks around `now` (hits re-check exp/nbf/iat), must answer as the uncached one.
  const cached = new Verifier(settings, keys);
  for (const off of [0, 0, -400, 299, 300, 86_400 * 365, 0]) {
    const t = Number(now) + off;
    for (const c of list) {
      const a = JSON.stringify(canon(run(cached, c, t)));
      const b = JSON.stringify(canon(run(v, c, t)));
      if (a === b) cachePassed++;
      else { cacheFailed++; if (cacheFailed <= 20) console.log(`CACHE MISMATCH ${c.id} at now ${t}\n  cached   ${a.slice(0, 300)}\n  uncached ${b.slice(0, 300)}`); }
    }
  }
  cached.free();
  v.free();
}
console.log(`wasm parity: ${groups.size} groups, ${refused} cases in refused configurations`);
console.log(`wasm cache front (7 passes at 5 clocks, cached == uncached): ${cachePassed} passed, ${cacheFailed} failed`);
passed += cachePassed;
failed += cacheFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
