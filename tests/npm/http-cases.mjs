// `Authorization` headers minted at the real clock (the example apps verify at `Date.now()`)
// with the native CLI, which also gives each one's expected verdict; and the HTTP check of an
// app against them: 200 with the identity, or DRF's 401 exactly as the Django server sends it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
