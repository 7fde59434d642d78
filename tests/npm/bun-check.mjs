// bun: the packed package from the scratch project (Bun takes the `node` entry), shared checks.
import { readFileSync, writeFileSync } from 'node:fs';
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';

const cases = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8'));
const resolved = import.meta.resolve('drf-sso-jwt');
const results = [await runChecks(verifyApi, cases, { label: `bun ${Bun.version} verify build` }), await runChecks(signApi, cases, { label: `bun ${Bun.version} sign build` })];
if (!/\/drf-sso-jwt\/src\/node\.js$/.test(resolved)) results.push({ label: 'bun entry', passed: 0, failed: 1, failures: [{ name: 'resolved', got: resolved, want: '.../src/node.js' }] });
writeFileSync(new URL('./bun-result.json', import.meta.url), JSON.stringify({ runtime: 'bun', resolved, results }));
for (const r of results) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
  for (const f of r.failures) console.log(JSON.stringify(f));
}
process.exit(results.some((r) => r.failed) ? 1 : 0);
