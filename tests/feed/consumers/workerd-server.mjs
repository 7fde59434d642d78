// Runs worker.js in workerd through miniflare (bundled as wrangler does), on 127.0.0.1 and a
// free port written to <port file>. argv: <config JSON file> <port file>. Stops on SIGTERM.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const [configPath, portFile] = process.argv.slice(2);
const dir = new URL('.', import.meta.url).pathname;
await build({
  entryPoints: [`${dir}worker.js`], bundle: true, format: 'esm', platform: 'neutral', outdir: `${dir}out`,
  conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'],
  loader: { '.wasm': 'copy' }, logLevel: 'warning',
});
const mf = new Miniflare({
  host: '127.0.0.1', port: 0,
  scriptPath: `${dir}out/worker.js`, modules: true, compatibilityDate: '2025-01-01',
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
  bindings: { CONFIG: readFileSync(configPath, 'utf8') },
});
const url = await mf.ready;
writeFileSync(portFile + '.tmp', String(url.port));
renameSync(portFile + '.tmp', portFile);
const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
