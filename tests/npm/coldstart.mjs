// Cold start of each wasm module in Node, for pkg/README.md's table (a measurement, not a test):
// each sample is a fresh `node` process that imports the packed package and times (a) compiling
// and instantiating the module (WebAssembly.Module + Instance of the shipped .wasm) and (b) the
// first answer: import, `new Verifier(...)` on the keys of that module, one verification.
// Usage (from a project with the tarball installed and cases.json): node coldstart.mjs [SAMPLES=15]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const samples = Number(process.argv[2] ?? 15);
const child = `
  const { readFileSync } = await import('node:fs');
  const [what, dir] = process.argv.slice(1);
  const cases = JSON.parse(readFileSync('cases.json', 'utf8'));
  const t0 = performance.now();
  if (what === 'compile') {
    const bytes = readFileSync('node_modules/drf-sso-jwt/dist/' + dir + '/drf_sso_jwt_bg.wasm');
    const t1 = performance.now();
    new WebAssembly.Module(bytes);
    console.log(performance.now() - t1);
  } else {
    const api = await import(dir === 'sign' ? 'drf-sso-jwt/sign' : 'drf-sso-jwt');
    const store = dir === 'verify' ? cases : cases.ec;
    const c = store.verify[0];
    const t1 = performance.now();
    const v = new api.Verifier(store.settings, store.keys); // instantiates the module(s) it needs
    const t2 = performance.now();
    v.verify(c.input, c.now);
    const t3 = performance.now();
    console.log(t1 - t0, t2 - t1, t3 - t2, v.module, api.loadedModules().join('+'));
  }`;
const run = (what, dir) => execFileSync(process.execPath, ['--input-type=module', '-e', child, what, dir], { encoding: 'utf8' }).trim().split(' ');
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const out = {};
for (const dir of ['verify', 'verify-all', 'sign']) {
  const compile = [], imp = [], build = [], first = [];
  let loaded;
  for (let i = 0; i < samples; i++) {
    compile.push(Number(run('compile', dir)[0]));
    const [a, b, c, module, mods] = run('first', dir);
    imp.push(Number(a)); build.push(Number(b)); first.push(Number(c));
    loaded = `${module} (${mods})`;
  }
  const m = (xs) => Number(median(xs).toFixed(1));
  out[dir] = { compileMs: m(compile), importMs: m(imp), newVerifierMs: m(build), firstVerifyMs: m(first), verifierIn: loaded };
  console.log(`${dir}: WebAssembly.Module ${out[dir].compileMs} ms; import ${out[dir].importMs} ms, new Verifier (instantiation + keys) ${out[dir].newVerifierMs} ms, first verify ${out[dir].firstVerifyMs} ms (medians of ${samples}; verifier in ${loaded})`);
}
writeFileSync('coldstart.json', JSON.stringify({ node: process.version, samples, ...out }, null, 1));
