// Zero configuration: `init()` fetches the .wasm the bundler emitted for the package's URL.
import { runPage } from './page.js';

// EC/Ed keys: `init({ algorithms: 'all' })` fetches the other verify module the bundler emitted.
runPage('page', (v, s) => Promise.all([v.init(), s.init()]), (v) => v.init({ algorithms: 'all' }));
