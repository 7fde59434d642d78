// Long run (Node): N verifications through ONE Verifier — valid tokens, corpus failures,
// mutated tokens, hostile random input (binary, unicode, huge, many dots) — must never trap,
// memory must stay bounded, and a valid token must still verify afterwards.
// Usage: node longrun.mjs [N=1000000]
import { readFileSync, writeFileSync } from 'node:fs';
import { Verifier, SsoError, memoryBytes } from 'drf-sso-jwt';

const N = Number(process.argv[2] ?? 1_000_000);
const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));
const v = new Verifier(cases.settings, cases.keys);
const now = cases.now;
const valid = cases.verify.filter((c) => c.expected.startsWith('{"ok":true')).map((c) => [c.input, c.now]);
const invalid = cases.verify.filter((c) => !c.expected.startsWith('{"ok":true')).map((c) => [c.input, c.now]);
const headers = cases.authenticate.map((c) => c.input);

let seed = 0x2545f491;
const rnd = (n) => {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const randStr = (len, alphabet) => {
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet ? alphabet[rnd(alphabet.length)] : String.fromCharCode(rnd(0x10000));
  return s;
};
function hostile() {
  const [t] = valid[rnd(valid.length)];
  switch (rnd(9)) {
    case 0: { const i = rnd(t.length); return t.slice(0, i) + B64[rnd(64)] + t.slice(i + 1); } // one-char mutation
    case 1: return randStr(rnd(300), null); // random UTF-16, lone surrogates included
    case 2: return `${randStr(rnd(80), B64)}.${randStr(rnd(400), B64)}.${randStr(rnd(400), B64)}`;
    case 3: return '.'.repeat(rnd(50));
    case 4: return `${t.split('.')[0]}.${Buffer.from('{"a":' + '['.repeat(rnd(200)) + '1').toString('base64url')}.${t.split('.')[2]}`;
    case 5: return rnd(100) === 0 ? 'A'.repeat(200_000 + rnd(100_000)) : 'A'.repeat(rnd(12_000)); // large
    case 6: return t.slice(0, rnd(t.length));
    case 7: return `${Buffer.from(randStr(rnd(60), null)).toString('base64url')}.${Buffer.from(randStr(rnd(200), null)).toString('base64url')}.AA`;
    default: return t + randStr(rnd(5), ' \t.=é\u0000');
  }
}

// A deterministic pool of hostile inputs, generated once (generation is slower than rejection).
const pool = Array.from({ length: 20_000 }, hostile);

// Mix: 4% valid tokens, 16% corpus failures, 10% Authorization headers, 70% hostile.
let ok = 0, rejected = 0, anonymous = 0, memMax = memoryBytes(), rssMax = process.memoryUsage().rss;
const memStart = memMax, codes = {};
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const kind = rnd(100);
  try {
    let r;
    if (kind < 4) { const [t, n] = valid[rnd(valid.length)]; r = v.verify(t, n); }
    else if (kind < 20) { const [t, n] = invalid[rnd(invalid.length)]; r = v.verify(t, n); }
    else if (kind < 30) { r = v.authenticate(headers[rnd(headers.length)], now); }
    else r = v.verify(pool[rnd(pool.length)], now);
    if (r === null) anonymous++; else ok++;
  } catch (e) {
    if (!(e instanceof SsoError)) {
      console.error(`iteration ${i}: not an SsoError (trap?):`, e);
      process.exit(1);
    }
    rejected++;
    codes[e.code] = (codes[e.code] ?? 0) + 1;
  }
  if (i % 10_000 === 0) {
    memMax = Math.max(memMax, memoryBytes());
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
}
const seconds = (performance.now() - t0) / 1000;
memMax = Math.max(memMax, memoryBytes());
rssMax = Math.max(rssMax, process.memoryUsage().rss);
const after = v.verify(valid[0][0], valid[0][1]);
const stillValid = after.payload.uid === 42;
const report = {
  iterations: N, seconds: Number(seconds.toFixed(1)), ok, anonymous, rejected, codes,
  wasmMemoryStartBytes: memStart, wasmMemoryHighWaterBytes: memMax, rssHighWaterBytes: rssMax, validAfter: stillValid,
};
writeFileSync(new URL('./longrun.json', import.meta.url), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report));
// Bounded: the wasm heap may grow to hold the largest input a few times over, not with N.
const bounded = memMax <= 16 * 1024 * 1024;
if (!stillValid || !bounded) {
  console.error(`FAIL: validAfter=${stillValid} wasm memory high-water ${memMax} bytes`);
  process.exit(1);
}
