// The public API over one wasm-bindgen build (`glue`) that its entry has already instantiated.
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

export function bind(glue, exports) {
  const ready = Promise.resolve();

  class Verifier {
    #inner;
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
      try {
        this.#inner = new glue.Verifier(settings, keys, cacheSize);
      } catch (e) {
        rethrow(e);
      }
      this.#capacity = cacheSize ?? 1024;
      if (this.#capacity > 0) {
        this.#tokens = new Map();
        this.#headers = new Map();
      }
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
    get maxTokenBytes() {
      return this.#live().maxTokenBytes;
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
    /** Resolves when the wasm module is ready (it already is once the import has resolved). */
    init: () => ready,
    /** Current size of the module's WebAssembly.Memory in bytes (diagnostics). */
    memoryBytes: () => exports.memory.buffer.byteLength,
  };

  if (glue.Issuer) {
    class Issuer {
      #inner;
      constructor(settings, privateKeys) {
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
