// The parity corpus through the packed wasm build in Node: every verdict must equal the
// native CLI's (which run_parity.py has proved equal to the Django server's).
// Usage (from a folder where the drf-sso-jwt tarball is installed):
//   node wasm_check.mjs ROOT CLI_BIN
// Compares ok, code, detail, message, and header/payload (as JS sees them: numbers are doubles,
// big integers BigInt → compared as decimal text), and the key-store warnings (which files).
// A key file Node cannot read (missing, a directory, a symlink loop) is left out of the keys,
// as an application would: its tokens must still get key_unavailable, only the reason in the
// message differs. A build without EC/Ed (today's RSA-only npm build) refuses key stores that
// need them with SsoError `feature_missing`: those groups are counted as skipped, and only
// for profiles whose files do hold EC/Ed keys (target/parity/profile_families.json); once the
// package loads a build with EC/Ed, `new Verifier` succeeds and they are compared in full.
// Key files are handed over as bytes (`readFileSync(f)`, a Uint8Array), as an application that
// reads them should: then a non-UTF-8 byte inside a PEM block fails as on the server (as text,
// `readFileSync(f, 'utf8')`, the byte would already be U+FFFD). Such cases are counted.
// Ends with `N passed, M failed`.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Verifier, SsoError } from 'drf-sso-jwt';

const [root, bin] = process.argv.slice(2);
const profilesDir = join(root, 'target/parity/profiles');
const utf8 = new TextDecoder('utf-8', { fatal: true });
const families = JSON.parse(readFileSync(join(root, 'target/parity/profile_families.json'), 'utf8'));
// The file names in key-store warnings (CLI stderr lines, verifier.warnings strings), with
// what tokens selecting the file get.
const warned = (lines) => lines.flatMap((w) => {
  const m = /key file ("(?:[^"\\]|\\.)*"): .*(get "Unauthorized token signing key\."|are refused)/.exec(w);
  return m ? [`${JSON.parse(m[1])} -> ${m[2].startsWith('get') ? 'unknown_key' : 'key_unavailable'}`] : [];
}).sort();
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

let passed = 0, failed = 0, refused = 0, cachePassed = 0, cacheFailed = 0, skipped = 0, skippedGroups = 0;
let warnPassed = 0, warnFailed = 0, nonUtf8Cases = 0;
const warnChecked = new Set();
for (const [key, list] of groups) {
  const [profile, mode, now] = key.split('\u0000');
  const settingsPath = join(profilesDir, profile + '.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8'));
  const storeRoot = settings.KEY_STORE_ROOT ? (isAbsolute(settings.KEY_STORE_ROOT) ? settings.KEY_STORE_ROOT : join(dirname(settingsPath), settings.KEY_STORE_ROOT)) : dirname(settingsPath);
  const names = new Set(Object.values(settings.PUBLIC_KEYS ?? {}).flatMap((v) => (Array.isArray(v) ? v : v ? [v] : [])));
  const omitted = new Set(), nonUtf8 = new Set();
  const keys = {};
  for (const n of names) {
    let bytes;
    try { bytes = readFileSync(join(storeRoot, n)); } catch { omitted.add(n); continue; }
    try { utf8.decode(bytes); } catch { nonUtf8.add(n); }
    keys[n] = bytes;
  }
  const fileOf = (r) => { const m = /^key file ("(?:[^"\\]|\\.)*")/.exec(r.message ?? ''); return m ? JSON.parse(m[1]) : null; };
  // A build without EC/Ed refuses the whole store: allowed only where the files need them.
  let v;
  try {
    v = new Verifier(settings, keys, { cacheSize: 0 });
  } catch (e) {
    if (e instanceof SsoError && e.code === 'feature_missing' && (families[profile] ?? []).some((f) => f === 'ec' || f === 'okp')) {
      skipped += list.length; skippedGroups++;
      continue;
    }
    if (!(e instanceof SsoError && e.code === 'config')) { // e.g. feature_missing for an RSA-only store
      failed += list.length;
      console.log(`MISMATCH ${profile}: new Verifier threw ${e?.code ?? ''} ${e?.message} (key families ${families[profile]})`);
      continue;
    }
    v = null; // compared with the CLI's refusal below
  }
  const input = list.map((c) => (mode === 'verify' ? c.input.trim() : JSON.stringify(c.input))).join('\n') + '\n';
  const proc = spawnSync(bin, [mode, '--settings', settingsPath, '--now', String(now)], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (proc.status === 2 || v === null) { // the CLI refuses this configuration (documented MIN_KEY_BITS hardening)
    if (proc.status === 2 && v === null) { refused += list.length; passed += list.length; } else { failed += list.length; console.log(`MISMATCH ${profile}: CLI exit ${proc.status}, wasm Verifier ${v === null ? 'refused' : 'built'}`); }
    v?.free();
    continue;
  }
  const want = proc.stdout.trim().split('\n');
  if (!warnChecked.has(profile)) { // the files warned about at start-up: the same names, the same consequence
    warnChecked.add(profile);
    const wasmW = warned(v.warnings), cliW = warned(proc.stderr.split('\n'));
    const a = JSON.stringify(wasmW), b = JSON.stringify(cliW);
    if (a === b) warnPassed++;
    else { warnFailed++; console.log(`WARNINGS MISMATCH ${profile}\n  wasm ${a}\n  cli  ${b}`); }
  }
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
    const exp = parseExact(want[i]);
    // A file left out for Node: the same verdict, the reason in the message is Node's side of it.
    const file = fileOf(exp);
    if (got.code === 'key_unavailable' && exp.code === 'key_unavailable' && omitted.has(file)) {
      delete got.message; delete exp.message;
    }
    if (nonUtf8.has(file)) nonUtf8Cases++;
    const a = JSON.stringify(canon(got));
    const b = JSON.stringify(canon(exp));
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
console.log(`skipped: RSA-only build: ${skippedGroups} groups (${skipped} cases) whose key stores need EC/Ed keys (feature_missing)`);
console.log(`compared with key files holding non-UTF-8 bytes (given as bytes): ${nonUtf8Cases} cases`);
console.log(`key-store warnings (files warned about, per profile): ${warnPassed} passed, ${warnFailed} failed`);
console.log(`wasm cache front (7 passes at 5 clocks, cached == uncached): ${cachePassed} passed, ${cacheFailed} failed`);
passed += cachePassed + warnPassed;
failed += cacheFailed + warnFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
