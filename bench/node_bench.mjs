// Throughput of the wasm package against jose (and Node crypto) on the same tokens and keys:
// RS256, and ES256 / EdDSA when BENCH_ES256_* / BENCH_EDDSA_* name a token, settings and key.
// Usage: node bench/node_bench.mjs TOKEN (run from a folder where drf-sso-jwt and jose are
// installed); runs under Bun and Deno too (BENCH_QUICK=1 there: the duels only).
// Prints one JSON object. Medians of timed batches, one thread.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const token = process.argv[2];
const root = process.env.BENCH_ROOT;
const settings = JSON.parse(readFileSync(`${root}/keys/settings.json`, 'utf8'));
const pemFile = (f) => readFileSync(`${root}/keys/${f}`, 'utf8');
const keys = Object.fromEntries(['myapp-20200410.pem', 'myapp-20180101.pem', 'otherapp-2024.pem'].map((f) => [f, pemFile(f)]));
const spki = pemFile('myapp-20200410.pem').match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----\n?/)[0];

function medianRate(fn, batch, rounds = 7) {
  for (let i = 0; i < Math.max(1, batch >> 2); i++) fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    rates.push(batch / ((performance.now() - t0) / 1e3));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[rates.length >> 1]);
}

async function medianRateAsync(fn, batch, rounds = 7) {
  for (let i = 0; i < Math.max(1, batch >> 2); i++) await fn();
  const rates = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    rates.push(batch / ((performance.now() - t0) / 1e3));
  }
  rates.sort((a, b) => a - b);
  return Math.round(rates[rates.length >> 1]);
}

if (process.argv[3] === '--cold') {
  // One cold start, measured inside a fresh process.
  const t0 = performance.now();
  if (process.argv[4] === 'wasm') {
    const { Verifier } = await import('drf-sso-jwt');
    const v = new Verifier(settings, keys);
    v.verify(token);
  } else {
    const jose = await import('jose');
    const k = await jose.importSPKI(spki, 'RS256');
    await jose.jwtVerify(token, k, { audience: 'myapp', issuer: 'myapp', algorithms: ['RS256'] });
  }
  console.log(JSON.stringify({ ms: performance.now() - t0 }));
  process.exit(0);
}

// Rounds of each contender in turn, so that a change of machine load hits all of them alike.
async function interleaved(fns, batch, rounds = 9) {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < Math.max(1, batch >> 2); i++) await fns[n]();
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const n of names) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await fns[n]();
      rates[n].push(batch / ((performance.now() - t0) / 1e3));
    }
  }
  return Object.fromEntries(names.map((n) => [n, Math.round(rates[n].sort((a, b) => a - b)[rounds >> 1])]));
}

const { Verifier } = await import('drf-sso-jwt');
const jose = await import('jose');
const out = {};
const fresh = new Verifier(settings, keys, { cacheSize: 0 });
fresh.verify(token);
const joseKey = await jose.importSPKI(spki, 'RS256');
const opts = { audience: 'myapp', issuer: 'myapp', algorithms: ['RS256'] };
await jose.jwtVerify(token, joseKey, opts);
// The wasm verifier and jose (key imported once) head to head, interleaved.
const duel = await interleaved({ wasm: () => fresh.verify(token), jose: () => jose.jwtVerify(token, joseKey, opts) }, 300);
out.wasm_full_verify_per_s = duel.wasm;
out.jose_jwtVerify_key_once_per_s = duel.jose;
const cached = new Verifier(settings, keys);
out.wasm_cache_hit_per_s = medianRate(() => cached.verify(token), 50_000);

// ES256 and EdDSA: the module with every algorithm (an EC/Ed key store loads it), against
// jose with the same key, interleaved.
for (const [name, alg] of [['es256', 'ES256'], ['eddsa', 'EdDSA']]) {
  const env = (k) => process.env[`BENCH_${name.toUpperCase()}_${k}`];
  if (!env('TOKEN')) continue;
  const t = env('TOKEN');
  const s = JSON.parse(readFileSync(env('SETTINGS'), 'utf8'));
  const file = env('KEY');
  const v = new Verifier(s, { [file]: pemFile(file) }, { cacheSize: 0 });
  v.verify(t);
  const pub = pemFile(file).match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----\n?/)[0];
  const k = await jose.importSPKI(pub, alg);
  const o = { audience: 'myapp', issuer: 'myapp', algorithms: [alg] };
  await jose.jwtVerify(t, k, o);
  const d = await interleaved({ wasm: () => v.verify(t), jose: () => jose.jwtVerify(t, k, o) }, 300);
  out[`wasm_${name}_full_verify_per_s`] = d.wasm;
  out[`jose_${name}_jwtVerify_key_once_per_s`] = d.jose;
}
if (process.env.BENCH_QUICK === '1') {
  console.log(JSON.stringify(out));
  process.exit(0);
}
// As a server sees it: the token arrives as a new string each time (decoded from bytes), so
// the Map lookup hashes it afresh; string creation included.
const tokenBytes = Buffer.from(token, 'latin1');
out.wasm_cache_hit_new_string_per_s = medianRate(() => cached.verify(tokenBytes.toString('latin1')), 50_000);

out.jose_jwtVerify_import_per_call_per_s = await medianRateAsync(async () => jose.jwtVerify(token, await jose.importSPKI(spki, 'RS256'), opts), 300);

const keyObject = createPublicKey(spki);
const dot = token.lastIndexOf('.');
const signingInput = Buffer.from(token.slice(0, dot));
const signature = Buffer.from(token.slice(dot + 1), 'base64url');
out.node_crypto_verify_per_s = medianRate(() => cryptoVerify('RSA-SHA256', signingInput, keyObject, signature), 2000);

const cold = (which) => {
  const ms = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, token, '--cold', which], { cwd: process.cwd(), env: process.env, encoding: 'utf8' });
    ms.push(JSON.parse(r.stdout).ms);
  }
  ms.sort((a, b) => a - b);
  return +ms[3].toFixed(2);
};
out.cold_start_wasm_ms = cold('wasm');
out.cold_start_jose_ms = cold('jose');
console.log(JSON.stringify(out));
