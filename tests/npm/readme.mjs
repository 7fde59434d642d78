// pkg/README.md as a user reads it, from the installed tarball: every ```js block of its "Use"
// section runs as pasted (a module of its own, in Node), each `console.log(...); // → text`
// printing exactly that text, in order; and its error table lists exactly the codes of the
// core's Error (src/errors.rs) with the details the core gives them.
// Usage (from a project with the tarball installed): node readme.mjs ROOT
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Results, run } from './harness.mjs';

const ROOT = resolve(process.argv[2]);
const readme = readFileSync('node_modules/drf-sso-jwt/README.md', 'utf8');
const results = new Results();
const section = (title) => {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README: no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
};

// 1. The examples.
const blocks = [...section('Use').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const examples = results.row('README "Use" examples run as pasted');
if (blocks.length === 0) Results.fail(examples, 'blocks', { error: 'no ```js block' });
for (const [i, code] of blocks.entries()) {
  const file = `example-${i}.mjs`;
  writeFileSync(file, code);
  const want = [...code.matchAll(/console\.log\(.*\/\/ → (.*)$/gm)].map((m) => m[1].trim());
  const r = await run(process.execPath, [file]);
  const got = r.out.trim().split('\n').map((l) => l.trim());
  if (r.code === 0 && want.length > 0 && JSON.stringify(got) === JSON.stringify(want)) Results.pass(examples);
  else Results.fail(examples, file, { code: r.code, got, want, out: r.out.slice(0, 2000) });
}

// 2. The error table against the core: code() and detail() of src/errors.rs.
const rs = readFileSync(join(ROOT, 'src/errors.rs'), 'utf8');
const consts = Object.fromEntries([...rs.matchAll(/pub const (\w+): &str = "([^"]*)";/g)].map((m) => [m[1], m[2]]));
// The one list: `errors! { Variant => "code", Class, DETAIL_CONST | "text"; ... }`.
const list = rs.slice(rs.indexOf('errors! {'));
const codeOf = {};
const detailOf = {};
for (const m of list.matchAll(/^\s*(\w+) => "(\w+)", \w+, (?:"([^"]*)"|(\w+));$/gm)) {
  codeOf[m[1]] = m[2];
  detailOf[m[1]] = m[3] ?? consts[m[4]];
}
const fallback = '';
const core = Object.fromEntries(Object.entries(codeOf).map(([variant, code]) => [code, detailOf[variant] ?? fallback]));
const table = Object.fromEntries([...section('Errors').matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]));
const errors = results.row('README error table = src/errors.rs code() and detail()');
if (Object.keys(core).length < 20) Results.fail(errors, 'parse src/errors.rs', { core });
for (const code of new Set([...Object.keys(core), ...Object.keys(table)])) {
  if (core[code] !== undefined && core[code] === table[code]) Results.pass(errors);
  else Results.fail(errors, code, { readme: table[code], core: core[code] });
}
// And the types' ErrorCode union names the same codes.
const dts = readFileSync('node_modules/drf-sso-jwt/src/index.d.ts', 'utf8');
const at = dts.indexOf('export type ErrorCode');
const union = [...dts.slice(at, dts.indexOf(';', at)).matchAll(/'(\w+)'/g)].map((m) => m[1]);
if (JSON.stringify([...union].sort()) === JSON.stringify(Object.keys(core).sort())) Results.pass(errors);
else Results.fail(errors, 'index.d.ts ErrorCode', { union, core: Object.keys(core) });
results.finish('result.json', { runtime: 'readme' });
