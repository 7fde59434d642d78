// deno run: the packed package from the scratch project's node_modules (deno condition).
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';

const cases = JSON.parse(await Deno.readTextFile(new URL('./cases.json', import.meta.url)));
const resolved = import.meta.resolve('drf-sso-jwt');
const results = [await runChecks(verifyApi, cases, { label: 'deno verify build' }), await runChecks(signApi, cases, { label: 'deno sign build' })];
if (!/\/drf-sso-jwt\/src\/deno\.js$/.test(resolved)) results.push({ label: 'deno entry', passed: 0, failed: 1, failures: [{ name: 'resolved', got: resolved, want: '.../src/deno.js' }] });
await Deno.writeTextFile(new URL('./result.json', import.meta.url), JSON.stringify({ runtime: 'deno', resolved, results }));
for (const r of results) {
  console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
  for (const f of r.failures) console.log(JSON.stringify(f));
}
Deno.exit(results.some((r) => r.failed) ? 1 : 0);
