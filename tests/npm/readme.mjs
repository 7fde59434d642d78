// pkg/README.md as a user reads it, from the installed tarball: every ```js block of its "Use"
// section runs as pasted (a module of its own, in Node), each `console.log(...); // → text`
// printing exactly that text, in order.
// Usage (from a project with the tarball installed): node readme.mjs ROOT
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
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

// The error table and the ErrorCode type are checked against the core's one list of codes
// by the Rust test tests/contract.rs.
results.finish('result.json', { runtime: 'readme' });
