// Zero configuration: `init()` fetches the .wasm the bundler emitted for the package's URL.
import { runPage } from './page.js';

runPage('page', (v, s) => Promise.all([v.init(), s.init()]));
