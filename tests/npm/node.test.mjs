// node --test: the packed package, imported by name from a scratch project (node condition).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';

const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));
const results = [];
const resolved = import.meta.resolve('drf-sso-jwt');

test('resolves the node entry through the exports map', () => {
  assert.match(resolved, /\/drf-sso-jwt\/src\/node\.js$/);
});
for (const [label, api] of [['node verify build', verifyApi], ['node sign build', signApi]]) {
  test(label, async () => {
    const r = await runChecks(api, cases, { label });
    results.push(r);
    assert.equal(r.failed, 0, JSON.stringify(r.failures, null, 1));
  });
}
test('verify-only build has no signing API', () => {
  assert.equal(verifyApi.Issuer, undefined);
  assert.equal(typeof signApi.Issuer, 'function');
});
test('SsoError is a real Error subclass', () => {
  const e = new verifyApi.SsoError('expired', 'Signature has expired.', 'Signature has expired');
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'SsoError');
  assert.ok(e.stack.includes('SsoError'));
  assert.equal(verifyApi.SsoError, signApi.SsoError);
});
test.after(() => writeFileSync(new URL('./result.json', import.meta.url), JSON.stringify({ runtime: 'node', resolved, results })));
