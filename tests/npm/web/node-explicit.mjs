// A Node program bundled by esbuild --platform=node (ESM or CJS): the package's own .wasm is
// not next to the bundle, so the program says the first use fails with how to initialise, then
// hands over the copied drf-sso-jwt/verify.wasm (initSync, bytes), verify-all.wasm (initSync with
// algorithms 'all', when the EC keys need it) and sign.wasm (init, bytes),
// runs the shared checks and prints their rows as JSON on its last line.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';

const here = dirname(process.argv[1]);
let says = false;
try { verifyApi.decode('x.y.z'); } catch (e) { says = /initSync/.test(e.message); }
verifyApi.initSync({ module: readFileSync(join(here, 'verify.wasm')) });
signApi.init(readFileSync(join(here, 'sign.wasm'))).then(async () => {
  const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const pre = { label: 'first use without the .wasm says how to initialise', passed: says ? 1 : 0, failed: says ? 0 : 1, failures: says ? [] : [{ name: 'message' }] };
  // EC/Ed keys: the bundle cannot find the module with every algorithm either; hand it over.
  const loadAll = () => verifyApi.initSync({ module: readFileSync(join(here, 'verify-all.wasm')), algorithms: 'all' });
  console.log(JSON.stringify([pre, await runChecks(verifyApi, cases, { label: 'verify build', loadAll }), await runChecks(signApi, cases, { label: 'sign build' })]));
});
