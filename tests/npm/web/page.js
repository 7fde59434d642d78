// The page's check, shared by main-auto.js and main-explicit.js: before initialisation the API
// says how to initialise; after it, the shared corpus checks on both builds (window.__results).
import * as verifyApi from 'drf-sso-jwt';
import * as signApi from 'drf-sso-jwt/sign';
import { runChecks } from './check.mjs';

export function runPage(label, initialise, loadAll) {
  (async () => {
    try {
      let notReady = false;
      try { verifyApi.decode('x.y.z'); } catch (e) { notReady = /init\(\)/.test(String(e && e.message)); }
      await initialise(verifyApi, signApi);
      await verifyApi.init(); // resolves at once once loaded
      const cases = await (await fetch(new URL('cases.json', location.href))).json();
      const pre = { label: `${label}: API before init says how to initialise`, passed: notReady ? 1 : 0, failed: notReady ? 0 : 1, failures: notReady ? [] : [{ name: 'decode before init' }] };
      window.__results = [pre, await runChecks(verifyApi, cases, { label: `${label} verify build`, loadAll: () => loadAll(verifyApi) }), await runChecks(signApi, cases, { label: `${label} sign build` })];
    } catch (e) {
      window.__error = String((e && e.stack) || e);
    }
  })();
}
