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

// The edge without a fresh session state under policy 'refuse': 503, as a proxy answers when
// it cannot reach what it needs to judge (the request may succeed once the feed has refreshed).
function unavailable(detail) {
  return new Response(JSON.stringify({ detail }), {
    status: 503,
    headers: { 'content-type': 'application/json', 'retry-after': '1' },
  });
}

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
    // What a move to the module with every algorithm rebuilds (a key set that brings EC or Ed
    // keys into an RSA-only verifier): the constructor's arguments, the policy, the state.
    #args;
    #policy = null;
    #state = null;
    #keysDoc = null;
    // Front of the core's verified-token cache: token (or header) string -> {id, result}.
    // A hit costs one Map lookup and one call into wasm, where the core re-runs every
    // time-dependent check on its own entry `id`; anything else takes the full path.
    #tokens;
    #headers;
    #capacity;
    /**
     * @param settings the REST_FRAMEWORK_SSO dict (object or JSON text)
     * @param keys {fileName: key file bytes (Uint8Array) or text, or a JWK} or a JWKS {keys: [...]}
     * @param options {cacheSize, sessionState}: verified-token cache slots (default 1024; 0
     *   disables); sessionState {policy: 'refuse' | 'stateless', issuer}: session state in use
     *   from the start (what to do until a fresh document is in force)
     */
    constructor(settings, keys, options) {
      const cacheSize = options?.cacheSize;
      if (cacheSize !== undefined && !(Number.isInteger(cacheSize) && cacheSize >= 0 && cacheSize <= 1 << 20)) {
        throw new TypeError('options.cacheSize must be an integer from 0 to 1048576');
      }
      [this.#module, this.#inner] = construct(settings, keys, cacheSize);
      this.#args = { settings, keys, cacheSize };
      const st = options?.sessionState;
      if (st !== undefined && st !== null) this.setStatePolicy(st.policy ?? 'refuse', st.issuer ?? undefined);
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
      // Session state is in the module with every algorithm only.
      if (options?.sessionState && full !== small) await init({ algorithms: 'all' });
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
    #cached(map, key, t, fresh, session) {
      const v = this.#inner;
      const hit = typeof key === 'string' ? map?.get(key) : undefined;
      if (hit !== undefined && (session ? v.recheckAuthenticated(hit.id, t) : v.recheck(hit.id, t))) return hit.result;
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
      return this.#cached(this.#headers, header, t, () => v.authenticate(header ?? null, t), true);
    }
    /**
     * Takes the server's signed session-state document (drf_sso_feed's `/sso/state/`), verified
     * with the keys in force; from then on `authenticate` runs drf-sso's `authenticate_payload`
     * against it (revoked, superseded, inactive). Turns session state on (policy 'refuse') if it
     * was off. Throws `SsoError` `bad_state`; the document in force stays.
     */
    setSessionState(document, now) {
      const t = seconds(now);
      this.#withSession(t);
      try {
        const info = Object.freeze(this.#live().setSessionState(document, t));
        this.#state = document;
        return info;
      } catch (e) {
        rethrow(e);
      }
    }
    /**
     * Takes the server's signed key-set document (`/sso/jwks/`), verified with the keys in force,
     * and verifies with its PUBLIC_KEYS and keys from then on (key rotation without a new
     * Verifier). Throws `SsoError` `bad_state`; the keys in force stay.
     */
    setKeys(document, now) {
      const t = seconds(now);
      // In the module with every algorithm: a key set may bring EC or Ed keys.
      this.#withSession(t);
      let info;
      try {
        info = this.#live().setKeys(document, t);
      } catch (e) {
        rethrow(e);
      }
      this.#keysDoc = document;
      // A new core cache: its entry ids start again, so the results kept under them go.
      if (info.changed) {
        this.#tokens?.clear();
        this.#headers?.clear();
      }
      return Object.freeze(info);
    }
    // Session state lives in the modules with every algorithm (the RSA-only module leaves it
    // out for its size, pkg/README.md): the first call that needs it moves this verifier there.
    #withSession(t) {
      if (!this.#hasSession()) this.#move(t, 'Session state and key-set documents need');
    }
    #hasSession() {
      return typeof this.#live().setStatePolicy === 'function';
    }
    // Rebuilds this verifier in the module with every algorithm from the constructor's
    // arguments, the key set, policy and state in force, then `then(inner)`; on any failure
    // the verifier in force stays.
    #move(t, need, then) {
      const { settings, keys, cacheSize } = this.#args;
      try {
        ready(full);
      } catch (err) {
        throw new SsoError('feature_missing', 'Invalid configuration.', `${need} drf-sso-jwt's WebAssembly module with every algorithm, which is not loaded: ${LOAD_ALL}`, null, null);
      }
      let inner;
      try {
        inner = new full.glue.Verifier(settings, keys, cacheSize);
        if (this.#keysDoc !== null) inner.setKeys(this.#keysDoc, t);
        if (this.#policy !== null) inner.setStatePolicy(this.#policy.policy, this.#policy.issuer);
        if (this.#state !== null) inner.setSessionState(this.#state, t);
        then?.(inner);
      } catch (err) {
        inner?.free();
        rethrow(err);
      }
      this.#inner.free();
      this.#inner = inner;
      this.#module = full;
      this.#tokens?.clear();
      this.#headers?.clear();
    }
    /** Session state on ('refuse' | 'stateless': what to do without a fresh document) or off (null). */
    setStatePolicy(policy, issuer) {
      if (policy !== null && policy !== 'refuse' && policy !== 'stateless') throw new TypeError("policy must be 'refuse', 'stateless' or null");
      // Off stays off without moving: a verifier in the RSA-only module has no session state.
      if (policy === null && !this.#hasSession()) {
        this.#policy = null;
        return;
      }
      this.#withSession(seconds(undefined));
      try {
        this.#live().setStatePolicy(policy, issuer ?? undefined);
      } catch (e) {
        rethrow(e);
      }
      this.#policy = policy === null ? null : { policy, issuer: issuer ?? undefined };
    }
    /** `{policy, issuer, state, keys}`: the documents in force (sequence, issuedAt, maxAge, age, fresh, counts) or null. */
    stateStatus(now) {
      if (!this.#hasSession()) return Object.freeze({ policy: null, issuer: null, state: null, keys: null });
      return Object.freeze(this.#live().stateStatus(seconds(now)));
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
        // No fresh session state under policy 'refuse': the edge cannot judge, so 503, not a verdict.
        if (e instanceof SsoError && e.code === 'state_unavailable') return unavailable(e.detail);
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

  /**
   * Keeps a Verifier's key set and session state current from the drf_sso_feed views:
   * conditional GETs (ETag), the key set first (a state document may be signed by a key it
   * brings), every `interval` seconds with `start()` (Node, Deno, Bun) or per request with
   * `sync(ctx)` (Workers, edge functions: timers do not run between requests). A failed fetch
   * or a refused document keeps what is in force; a session state older than its max_age then
   * gets the policy ('refuse': 503 from authenticateRequest; 'stateless': no session checks).
   */
  class SessionFeed {
    #verifier;
    #urls;
    #etags = { keys: null, state: null };
    #interval;
    #timeout;
    #fetch;
    #headers;
    #onError;
    #timer;
    #inflight;
    #last = -Infinity;
    #counts = { refreshes: 0, updates: 0, unchanged: 0, failures: 0, lastError: null, lastSuccess: null };
    constructor(verifier, options = {}) {
      if (!(verifier instanceof Verifier)) throw new TypeError('SessionFeed: the first argument must be a Verifier');
      const { state, keys, interval = 10, timeout = 10, headers = {}, policy = 'refuse', issuer, onError } = options;
      // Called as a plain function: workerd refuses a `fetch` called as a method of another object.
      const given = options.fetch;
      const f = given ?? (typeof globalThis.fetch === 'function' ? (url, init) => globalThis.fetch(url, init) : undefined);
      if (!state && !keys) throw new TypeError('SessionFeed: give the URL of the session state (state) and/or of the key set (keys)');
      if (typeof f !== 'function') throw new TypeError('SessionFeed: no fetch function');
      if (!(interval > 0) || !(timeout > 0)) throw new TypeError('SessionFeed: interval and timeout are positive numbers of seconds');
      this.#verifier = verifier;
      this.#urls = { keys: keys ? String(keys) : null, state: state ? String(state) : null };
      this.#interval = interval;
      this.#timeout = timeout;
      this.#fetch = f;
      this.#headers = { ...headers };
      this.#onError = onError;
      if (state) verifier.setStatePolicy(policy, issuer);
    }
    /** One round now (concurrent calls share it); resolves to `status`, never rejects. */
    refresh() {
      this.#inflight ??= this.#round().finally(() => {
        this.#inflight = undefined;
      });
      return this.#inflight;
    }
    async #round() {
      this.#last = Date.now();
      this.#counts.refreshes++;
      for (const kind of ['keys', 'state']) if (this.#urls[kind]) await this.#one(kind);
      return this.status;
    }
    async #one(kind) {
      try {
        const headers = { ...this.#headers, accept: 'application/jose' };
        if (this.#etags[kind]) headers['if-none-match'] = this.#etags[kind];
        const init = { headers };
        if (typeof AbortSignal !== 'undefined' && AbortSignal.timeout) init.signal = AbortSignal.timeout(this.#timeout * 1000);
        const fetchFn = this.#fetch;
        const res = await fetchFn(this.#urls[kind], init);
        if (res.status === 304) {
          this.#counts.unchanged++;
          this.#counts.lastSuccess = Date.now() / 1000;
          return;
        }
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        const text = await res.text();
        const info = kind === 'keys' ? this.#verifier.setKeys(text) : this.#verifier.setSessionState(text);
        this.#etags[kind] = res.headers.get('etag');
        this.#counts[info.changed ? 'updates' : 'unchanged']++;
        this.#counts.lastSuccess = Date.now() / 1000;
      } catch (e) {
        this.#counts.failures++;
        this.#counts.lastError = `${kind}: ${e?.code ? `${e.code}: ` : ''}${e?.message ?? e}`;
        try {
          this.#onError?.(e, kind);
        } catch {
          // the caller's handler must not stop the feed
        }
      }
    }
    /** Refreshes every `interval` seconds from now on (the timer does not keep Node alive). */
    start() {
      if (this.#timer === undefined) {
        this.refresh();
        this.#timer = setInterval(() => this.refresh(), this.#interval * 1000);
        this.#timer?.unref?.();
      }
      return this;
    }
    stop() {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      this.#timer = undefined;
    }
    /**
     * Per request (Workers: `await feed.sync(ctx)`): waits for a round when no fresh session state
     * (or no key set yet) is in force; otherwise starts a due round in the background (handed to
     * `ctx.waitUntil` when given) and resolves at once.
     */
    sync(ctx) {
      const s = this.#verifier.stateStatus();
      const ready = (!this.#urls.state || s.state?.fresh) && (!this.#urls.keys || s.keys);
      if (!ready) return this.refresh().then(() => undefined);
      if (Date.now() - this.#last >= this.#interval * 1000) {
        const p = this.refresh();
        ctx?.waitUntil?.(p);
      }
      return Promise.resolve();
    }
    /** Counters of this feed and the verifier's `stateStatus()`. */
    get status() {
      return Object.freeze({ ...this.#counts, ...this.#verifier.stateStatus() });
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
    SessionFeed,
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
