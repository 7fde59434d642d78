// TypeScript 5 on the package's types as users compile them: tsc --strict --noEmit with
// lib es2022 and no @types/node (types: []) under moduleResolution nodenext, bundler and node,
// plus one with the DOM lib and esnext.disposable (`using`, `instanceof Response`).
// Usage (from the project with the tarball installed): node types.mjs TOOLS_DIR
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Results, run } from './harness.mjs';

const TOOLS = resolve(process.argv[2]);
const tsc = join(TOOLS, 'node_modules/typescript/bin/tsc');
const dir = process.cwd();
const base = { strict: true, noEmit: true, target: 'es2022', types: [], skipLibCheck: false, noUnusedLocals: false };
const configs = {
  'nodenext, lib es2022': { files: ['check.ts'], compilerOptions: { ...base, lib: ['es2022'], module: 'nodenext', moduleResolution: 'nodenext' } },
  'bundler, lib es2022': { files: ['check.ts'], compilerOptions: { ...base, lib: ['es2022'], module: 'esnext', moduleResolution: 'bundler' } },
  'node (node10), lib es2022': { files: ['check.ts'], compilerOptions: { ...base, lib: ['es2022'], module: 'esnext', moduleResolution: 'node' } },
  'bundler, lib es2022 + dom + esnext.disposable': { files: ['check-dom.ts'], compilerOptions: { ...base, lib: ['es2022', 'dom', 'esnext.disposable'], module: 'esnext', moduleResolution: 'bundler' } },
};
const results = new Results();
await Promise.all(Object.entries(configs).map(async ([name, config], i) => {
  const file = join(dir, `tsconfig.${i}.json`);
  writeFileSync(file, JSON.stringify(config, null, 1));
  const r = await run(process.execPath, [tsc, '-p', file], { cwd: dir });
  const row = results.row(`tsc ${name}`);
  if (r.code === 0 && r.out.trim() === '') Results.pass(row);
  else Results.fail(row, 'tsc', { code: r.code, out: r.out.slice(0, 3000) });
}));
results.finish(join(dir, 'result.json'), { runtime: 'typescript' });
