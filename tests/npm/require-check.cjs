// require() of the package from CommonJS (Node's require(esm): no top-level await in any entry):
// both builds run the shared checks. Usage: node require-check.cjs LABEL OUT.json
const { readFileSync, writeFileSync } = require('node:fs');
const verifyApi = require('drf-sso-jwt');
const signApi = require('drf-sso-jwt/sign');
const { runChecks } = require('./check.mjs');

const [label, out] = process.argv.slice(2);
const cases = JSON.parse(readFileSync(`${__dirname}/cases.json`, 'utf8'));
const resolved = require.resolve('drf-sso-jwt');
(async () => {
  const results = [await runChecks(verifyApi, cases, { label: `${label} require() verify build` }), await runChecks(signApi, cases, { label: `${label} require() sign build` })];
  if (!/[/\\]drf-sso-jwt[/\\]src[/\\]node\.js$/.test(resolved)) results.push({ label: `${label} require() entry`, passed: 0, failed: 1, failures: [{ name: 'resolved', got: resolved }] });
  writeFileSync(out, JSON.stringify({ runtime: label, resolved, results }));
  for (const r of results) {
    console.log(`${r.label}: ${r.passed} passed, ${r.failed} failed`);
    for (const f of r.failures) console.log(JSON.stringify(f));
  }
  process.exitCode = results.some((r) => r.failed) ? 1 : 0;
})();
