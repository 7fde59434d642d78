// Serves a `wrangler deploy --dry-run --outdir DIR` bundle in workerd (miniflare) on
// 127.0.0.1:PORT until killed, with SSO_SETTINGS / SSO_KEYS from the environment as the
// Worker's vars. Usage: node serve-worker.mjs DIR PORT
import { Miniflare } from 'miniflare';
import { join } from 'node:path';

const [dir, port] = process.argv.slice(2);
const mf = new Miniflare({
  host: '127.0.0.1', port: Number(port),
  scriptPath: join(dir, 'index.js'), modules: true, compatibilityDate: '2025-01-01',
  // What wrangler's bundle holds: the Worker's ES modules and its .wasm as CompiledWasm.
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
  bindings: { SSO_SETTINGS: process.env.SSO_SETTINGS, SSO_KEYS: process.env.SSO_KEYS },
});
console.log(`workerd on ${await mf.ready}`);
const stop = async () => { await mf.dispose(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
