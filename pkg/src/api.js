// The public API over the wasm-bindgen builds of an entry, for every entry alike: two for
// `drf-sso-jwt` (RSA only, and every algorithm), one for `drf-sso-jwt/sign`. The entry says
// where each .wasm is: `load()` gives it synchronously (Node, Deno, workerd, edge: a module is
// instantiated on first use, no top-level await), `locate()` gives what `init()` fetches
// (browsers: `await init()` first, `await init({ algorithms: 'all' })` for EC/Ed keys).
// `initSync({ module })` / `await init(source)` hand a module over explicitly wherever the
// entry cannot find it (bundles that do not copy the .wasm).
import { SsoError, rethrow } from './errors.js';

const dispose = Symbol.dispose ?? Symbol.for('Symbol.dispose');

// The clock's value is the core's to judge (NaN, infinities, out of range: SsoError bad_clock).
function seconds(now) {
  if (now === undefined) return Date.now() / 1000;
  if (typeof now !== 'number') throw new TypeError('now must be a number of seconds since the epoch');
  return now;
}

// Results are deeply frozen: a cache hit hands back the very object an earlier call returned.
function deepFreeze(v) {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze(v[k]);
  }
  return v;
}

// DRF's texts and headers around a verdict (`rest_framework.exceptions`, `APIView.handle_exception`).
const NOT_AUTHENTICATED = 'Authentication credentials were not provided.';

// The `Authorization` value of a Fetch `Request`, a `Headers`, a Node/Express request or its
// headers object; `null` when absent. Node and Fetch give header bytes as chars U+0000..U+00FF.
function authorizationOf(source) {
  if (source === null || typeof source !== 'object') throw new TypeError('authenticateRequest: expected a Request, Headers or a headers object');
  let h = source;
  if (typeof h.headers === 'object' && h.headers !== null) h = h.headers;
  if (typeof h.get === 'function') return h.get('authorization') ?? null;
  let value;
  for (const k of Object.keys(h)) {
    if (k.toLowerCase() === 'authorization') { value = h[k]; break; }
  }
  if (Array.isArray(value)) value = value.join(', ');
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TypeError('authenticateRequest: the authorization header is not a string');
  return value;
}

const NOT_READY = 'drf-sso-jwt: the WebAssembly module is not loaded yet. Call `await init()` first (browsers), or hand it over: `await init(urlOrResponseOrBytes)` / `initSync({ module })`';
const LOAD_ALL = "call `await init({ algorithms: 'all' })` once before `new Verifier(...)`, or build the verifier with `await Verifier.load(settings, keys)`";

// Bytes or a compiled module; the module by its tag, since it may come from another realm.
function isModuleSource(x) {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || Object.prototype.toString.call(x) === '[object WebAssembly.Module]';
}
// `{ algorithms, source }` / `{ module, algorithms }`: a plain object, not a URL, Request, Response or promise.
function isOptions(x) {
  if (x === null || typeof x !== 'object' || isModuleSource(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The API over one or two wasm-bindgen builds, each `{ name, glue, load?, locate? }`: the first
 * is the one a `Verifier` is built in (RSA only, the small module), the last has every
 * algorithm (a key store that needs it is built there: the core answers `feature_missing` in
 * the small one, at construction). An entry with one module (`drf-sso-jwt/sign`) has it all.
 */
export function bind(builds) {
  const modules = builds.map((b) => ({ ...b, exports: undefined, pending: undefined }));
  const small = modules[0];
  const full = modules[modules.length - 1];
  const pick = (algorithms) => {
    if (algorithms === undefined || algorithms === 'rsa') return small;
    if (algorithms === 'all') return full;
    throw new TypeError("algorithms must be 'rsa' (the default: RS*/PS* only) or 'all' (ES*, EdDSA too)");
  };

  function initSync(options) {
    const m = pick(isOptions(options) ? options.algorithms : undefined);
    if (m.exports) return;
    if (m.pending) throw new Error('drf-sso-jwt: init() is in progress; await it instead of calling initSync()');
    const module = isModuleSource(options) ? options : options?.module;
    if (!isModuleSource(module)) throw new TypeError('initSync: expected { module } with a WebAssembly.Module, ArrayBuffer or typed array of the .wasm');
    m.exports = m.glue.initSync({ module });
  }

  async function init(arg) {
    const opts = isOptions(arg);
    const m = pick(opts ? arg.algorithms : undefined);
    const source = opts ? arg.source : arg;
    if (m.exports) return;
    if (source === undefined && m.load && !m.pending) return ready(m);
    m.pending ??= (async () => {
      const given = await source;
      let e;
      try {
        e = await m.glue.default({ module_or_path: given ?? m.locate() });
      } catch (err) {
        if (given !== undefined) throw err;
        // The package's own .wasm is not where the entry looks (a bundle that did not copy it).
        const how = m === small ? 'init(urlOrResponseOrBytes) or initSync({ module })' : "init({ algorithms: 'all', source }) or initSync({ module, algorithms: 'all' })";
        throw new Error(`drf-sso-jwt: cannot load the package's .wasm (${err?.message ?? err}); pass it to ${how}`, { cause: err });
      }
      m.exports ??= e;
    })().finally(() => { m.pending = undefined; });
    await m.pending;
  }

  // Instantiates `m` on first use where the entry can load its .wasm synchronously, else
  // says how to initialise.
  function ready(m) {
    if (m.exports) return;
    if (!m.load || m.pending) throw new Error(NOT_READY);
    let module;
    try {
      module = m.load();
    } catch (e) {
      throw new Error(`${NOT_READY}. Loading it from the package failed: ${e?.message ?? e}`, { cause: e });
    }
    m.exports = m.glue.initSync({ module });
  }
  // decode, memoryBytes: any module will do; the small one unless another is loaded.
  const any = () => {
    const m = modules.find((x) => x.exports) ?? small;
    ready(m);
    return m;
  };

  // `new Verifier` in the small module; on `feature_missing` in the full one, instantiated
  // synchronously where the entry can (Node, Deno, workerd, edge), else a `feature_missing`
  // that says what to call (browsers).
  function construct(settings, keys, cacheSize) {
    // Browsers that loaded only the full module build there.
    const m = !small.exports && !small.load && full.exports ? full : small;
    ready(m);
    try {
      return [m, new m.glue.Verifier(settings, keys, cacheSize)];
    } catch (e) {
      if (m === full || e?.name !== 'SsoError' || e.code !== 'feature_missing') rethrow(e);
      try {
        ready(full);
      } catch (err) {
        const why = full.load ? ` (loading it from the package failed: ${err?.message ?? err}; hand it over with initSync({ module, algorithms: 'all' }))` : '';
        throw new SsoError('feature_missing', e.detail, `${e.message}. These keys need drf-sso-jwt's WebAssembly module with every algorithm, which is not loaded: ${LOAD_ALL}${why}`, e.claim ?? null, e.segment ?? null);
      }
    }
    try {
      return [full, new full.glue.Verifier(settings, keys, cacheSize)];
    } catch (e) {
      rethrow(e);
    }
  }

  class Verifier {
    #inner;
    #module;
    // Front of the core's verified-token cache: token (or header) string -> {id, result}.
    // A hit costs one Map lookup and one call into wasm, where the core re-runs every
    // time-dependent check on its own entry `id`; anything else takes the full path.
    #tokens;
    #headers;
    #capacity;
    /**
     * @param settings the REST_FRAMEWORK_SSO dict (object or JSON text)
     * @param keys {fileName: PEM or JWK} or a JWKS {keys: [...]}
     * @param options {cacheSize}: verified-token cache slots (default 1024; 0 disables)
     */
    constructor(settings, keys, options) {
      const cacheSize = options?.cacheSize;
      if (cacheSize !== undefined && !(Number.isInteger(cacheSize) && cacheSize >= 0 && cacheSize <= 1 << 20)) {
        throw new TypeError('options.cacheSize must be an integer from 0 to 1048576');
      }
      [this.#module, this.#inner] = construct(settings, keys, cacheSize);
      this.#capacity = cacheSize ?? 1024;
      if (this.#capacity > 0) {
        this.#tokens = new Map();
        this.#headers = new Map();
      }
    }
    /**
     * `new Verifier(...)` once the module its keys need is loaded: the small one, and the one
     * with every algorithm when a key needs it (fetched in browsers, at once elsewhere).
     */
    static async load(settings, keys, options) {
      if (!full.exports) await init(); // after init({ algorithms: 'all' }) alone, nothing more to fetch
      try {
        return new Verifier(settings, keys, options);
      } catch (e) {
        if (!(e instanceof SsoError && e.code === 'feature_missing') || full.exports || full === small) throw e;
      }
      await init({ algorithms: 'all' });
      return new Verifier(settings, keys, options);
    }
    /** Which WebAssembly module holds this verifier: `'rsa'`, `'all'` (every algorithm) or `'sign'`. */
    get module() {
      this.#live();
      return this.#module.name;
    }
    #live() {
      if (this.#inner === undefined) throw new TypeError('Verifier has been freed');
      return this.#inner;
    }
    // verify and authenticate alike: a hit in `map` whose core entry still passes the time
    // checks at `t` answers at once; anything else runs `fresh()`, and a result (not null)
    // is kept under the core's entry id, the oldest key making room.
    #cached(map, key, t, fresh) {
      const v = this.#inner;
      const hit = typeof key === 'string' ? map?.get(key) : undefined;
      if (hit !== undefined && v.recheck(hit.id, t)) return hit.result;
      let result;
      try {
        result = deepFreeze(fresh());
      } catch (e) {
        rethrow(e);
      }
      const id = v.lastEntry;
      if (map && result !== null && id >= 0) {
        if (map.size >= this.#capacity && !map.has(key)) map.delete(map.keys().next().value);
        map.set(key, { id, result });
      }
      return result;
    }
    verify(token, now) {
      if (typeof token !== 'string') throw new TypeError('token must be a string');
      const v = this.#live();
      const t = seconds(now);
      // Over-long tokens are refused by the wasm layer before they are copied in.
      return this.#cached(this.#tokens, token, t, () => v.verify(token, t));
    }
    authenticate(header, now) {
      if (header !== null && header !== undefined && typeof header !== 'string') throw new TypeError('header must be a string or null');
      const v = this.#live();
      const t = seconds(now);
      return this.#cached(this.#headers, header, t, () => v.authenticate(header ?? null, t));
    }
    /**
     * The request helper frameworks share: `authenticate` on the request's `Authorization`
     * header, answering as DRF does. Returns the verified token data, `null` when DRF returns
     * `None` (no header, another scheme; with `required: true` the 401 of DRF's
     * `IsAuthenticated` instead), or a ready 401 `Response` for a rejected header.
     */
    authenticateRequest(request, options) {
      const header = authorizationOf(request);
      const now = options?.now;
      let data;
      try {
        data = this.authenticate(header, now);
      } catch (e) {
        // A verdict on the request is DRF's 401; a bad clock or configuration is the
        // server's fault (Django would answer 500), so it propagates.
        if (e instanceof SsoError && e.code !== 'bad_clock' && e.code !== 'config') return this.#unauthorized(e.detail);
        throw e;
      }
      if (data === null && options?.required) return this.#unauthorized(NOT_AUTHENTICATED);
      return data;
    }
    // DRF's 401: `{"detail": ...}` (JSONRenderer: compact, UTF-8) and `WWW-Authenticate` =
    // drf-sso's `authenticate_header()`, i.e. the AUTHENTICATE_HEADER scheme alone.
    #unauthorized(detail) {
      return new Response(JSON.stringify({ detail }), {
        status: 401,
        headers: { 'content-type': 'application/json', 'www-authenticate': this.#live().authenticateHeader },
      });
    }
    get maxTokenBytes() {
      return this.#live().maxTokenBytes;
    }
    /** Key files that will fail the tokens selecting them (the rest keeps working), one message each. */
    get warnings() {
      return Object.freeze(this.#live().warnings);
    }
    toJwks() {
      return this.#live().toJwks();
    }
    free() {
      const v = this.#inner;
      this.#inner = undefined;
      this.#tokens = this.#headers = undefined;
      v?.free();
    }
    [dispose]() {
      this.free();
    }
  }

  function decode(token) {
    if (typeof token !== 'string') throw new TypeError('token must be a string');
    const { glue } = any();
    try {
      return glue.decode(token);
    } catch (e) {
      rethrow(e);
    }
  }

  const api = {
    SsoError,
    Verifier,
    decode,
    init,
    initSync,
    /** Current size of the loaded modules' WebAssembly.Memory in bytes, together (diagnostics). */
    memoryBytes: () => {
      any();
      return modules.reduce((n, m) => n + (m.exports ? m.exports.memory.buffer.byteLength : 0), 0);
    },
    /** The WebAssembly modules instantiated so far, by name (`'rsa'`, `'all'`, `'sign'`): diagnostics. */
    loadedModules: () => modules.filter((m) => m.exports).map((m) => m.name),
  };

  const { glue } = full;
  if (glue.Issuer) {
    class Issuer {
      #inner;
      constructor(settings, privateKeys) {
        ready(full);
        try {
          this.#inner = new glue.Issuer(settings, privateKeys);
        } catch (e) {
          rethrow(e);
        }
      }
      encode(payload, now) {
        if (this.#inner === undefined) throw new TypeError('Issuer has been freed');
        try {
          return this.#inner.encode(payload, seconds(now));
        } catch (e) {
          rethrow(e);
        }
      }
      free() {
        const v = this.#inner;
        this.#inner = undefined;
        v?.free();
      }
      [dispose]() {
        this.free();
      }
    }
    const wrap = (f) => (...args) => {
      ready(full);
      try {
        return f(...args);
      } catch (e) {
        rethrow(e);
      }
    };
    api.Issuer = Issuer;
    api.createSessionPayload = wrap((subject, lastIssuedAt = null, extra = null) => glue.createSessionPayload(subject, lastIssuedAt, extra));
    api.createAuthorizationPayload = wrap((subject, extra = null) => glue.createAuthorizationPayload(subject, extra));
  }
  return api;
}
