// `Authorization` headers minted at the real clock (the example apps verify at `Date.now()`)
// with the native CLI, which also gives each one's expected verdict; and the HTTP check of an
// app against them: 200 with the identity, or DRF's 401 exactly as the Django server sends it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Results } from './harness.mjs';

const b64 = (x) => Buffer.from(x).toString('base64url');
const NOT_AUTHENTICATED = 'Authentication credentials were not provided.';

export function httpCases(cli, root) {
  const keys = join(root, 'keys');
  const settings = join(keys, 'settings.json');
  const now = Math.floor(Date.now() / 1000);
  const issue = (at, ...args) => execFileSync(cli, ['issue', '--settings', settings, '--now', String(at), ...args], { cwd: keys, encoding: 'utf8' }).trim();
  const auth = issue(now, '--type', 'auth', '--sid', 's-1', '--uid', '42', '--email', 'a@example.com', '--cid', 'c');
  const session = issue(now, '--type', 'session', '--sid', '"sess-7"', '--uid', '7', '--email', 'b@example.com');
  const expired = issue(now - 1000, '--type', 'auth', '--sid', 's-1', '--uid', '42');
  const [h, p, s] = auth.split('.');
  const attackerPem = readFileSync(join(keys, 'test-only-attacker.pem'), 'utf8').match(/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+?-----END (RSA )?PRIVATE KEY-----/)[0];
  const input = `${b64(JSON.stringify({ alg: 'RS256', kid: 'myapp-20200410', typ: 'JWT' }))}.${p}`;
  const forged = `${input}.${createSign('RSA-SHA256').update(input).sign(attackerPem).toString('base64url')}`;
  const list = [
    ['no Authorization', null],
    ['other scheme', 'Basic dXNlcjpwYXNz'],
    ['valid auth token', `JWT ${auth}`],
    ['valid session token, lower-case scheme', `jwt ${session}`],
    ['expired', `JWT ${expired}`],
    ['tampered signature', `JWT ${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`],
    ['signed by another key under the real kid', `JWT ${forged}`],
    ['malformed', 'JWT abc'],
    ['scheme only', 'JWT'],
    ['token with spaces', `JWT ${h} ${p}`],
  ];
  // Exit status 1 = some line was rejected; still one result per line.
  const r = spawnSync(cli, ['authenticate', '--settings', settings, '--now', String(now)], {
    cwd: keys, encoding: 'utf8', input: list.map(([, v]) => JSON.stringify(v)).join('\n') + '\n',
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`authenticate: ${r.stderr}`);
  const out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  if (out.length !== list.length) throw new Error('authenticate: CLI result count');
  return list.map(([name, header], i) => ({ name, header, expected: out[i] }));
}

/**
 * A mixed key store (keys/settings.json's RSA keys plus the TEST ONLY P-256 and Ed25519 keys for
 * `myapp`, ES256 and EdDSA allowed), as the apps get it (settings and JWKS), and headers minted
 * at the real clock: ES256 and EdDSA tokens (valid, expired, tampered) and an RSA one, with the
 * CLI's verdicts. The apps build this store in the module with every algorithm.
 */
export function ecHttpCases(cli, root) {
  const keys = resolve(root, 'keys');
  const base = JSON.parse(readFileSync(join(keys, 'settings.json'), 'utf8'));
  base.PUBLIC_KEYS.myapp = [...base.PUBLIC_KEYS.myapp, 'test-only-ec-p256.pem', 'test-only-ed25519.pem'];
  base.DECODE_ALGORITHMS = [...base.DECODE_ALGORITHMS, 'ES256', 'EdDSA'];
  const dir = mkdtempSync(join(tmpdir(), 'drf-npm-http-ec-'));
  const file = (name, over) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify({ ...base, KEY_STORE_ROOT: keys, ...over }));
    return f;
  };
  try {
    const settings = file('settings.json', {});
    const es = file('es256.json', { ENCODE_ALGORITHM: 'ES256', PRIVATE_KEYS: { myapp: 'test-only-ec-p256.pem' } });
    const ed = file('eddsa.json', { ENCODE_ALGORITHM: 'EdDSA', PRIVATE_KEYS: { myapp: 'test-only-ed25519.pem' } });
    const now = Math.floor(Date.now() / 1000);
    const issue = (s, at, ...args) => execFileSync(cli, ['issue', '--settings', s, '--now', String(at), ...args], { encoding: 'utf8' }).trim();
    const who = ['--type', 'auth', '--sid', 's-ec', '--uid', '43', '--email', 'e@example.com'];
    const es256 = issue(es, now, ...who);
    const eddsa = issue(ed, now, ...who);
    const [h, p, sig] = eddsa.split('.');
    const list = [
      ['ES256 (P-256)', `JWT ${es256}`],
      ['EdDSA (Ed25519) session token', `JWT ${issue(ed, now, '--type', 'session', '--sid', '"sess-ed"', '--uid', '44')}`],
      ['EdDSA (Ed25519)', `JWT ${eddsa}`],
      ['ES256 expired', `JWT ${issue(es, now - 1000, ...who)}`],
      ['EdDSA tampered signature', `JWT ${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`],
      ['RS256 in the same store', `JWT ${issue(file('rs.json', {}), now, ...who)}`],
      ['no Authorization', null],
    ];
    const r = spawnSync(cli, ['authenticate', '--settings', settings, '--now', String(now)], {
      encoding: 'utf8', input: list.map(([, v]) => JSON.stringify(v)).join('\n') + '\n',
    });
    if (r.status !== 0 && r.status !== 1) throw new Error(`authenticate: ${r.stderr}`);
    const out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    if (out.length !== list.length) throw new Error('authenticate: CLI result count');
    const jwks = execFileSync(cli, ['jwks', '--settings', settings], { encoding: 'utf8' }).trim();
    const { KEY_STORE_ROOT, ...jsSettings } = JSON.parse(readFileSync(settings, 'utf8'));
    return { settings: JSON.stringify(jsSettings), jwks, cases: list.map(([name, header], i) => ({ name, header, expected: out[i] })) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends every case to `url`; one row `label` of passed/failed requests. */
export async function checkHttp(results, label, url, cases) {
  const row = results.row(label);
  for (const c of cases) {
    let res, body;
    try {
      res = await fetch(url, { headers: c.header === null ? {} : { authorization: c.header }, signal: AbortSignal.timeout(30_000) });
      body = await res.text();
    } catch (e) {
      Results.fail(row, c.name, { error: String(e) });
      continue;
    }
    const want = c.expected;
    let ok, json;
    try { json = JSON.parse(body); } catch { json = undefined; }
    if (want.ok === true && !want.anonymous) {
      const { uid, sid, token } = want.payload;
      ok = res.status === 200 && json && json.uid === uid && json.sid === sid && json.token === token;
    } else {
      const detail = want.ok === true ? NOT_AUTHENTICATED : want.detail;
      ok = res.status === 401 && json?.detail === detail && Object.keys(json).length === 1 &&
        res.headers.get('www-authenticate') === 'JWT' && /^application\/json\b/.test(res.headers.get('content-type') ?? '');
    }
    if (ok) Results.pass(row);
    else Results.fail(row, c.name, { status: res.status, body: body.slice(0, 300), wwwAuthenticate: res.headers.get('www-authenticate'), want });
  }
  return row;
}
