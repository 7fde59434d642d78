// Runtime-agnostic checks of the drf-sso-jwt npm package against the corpus made by
// make-cases.mjs (expected results from the native CLI). Used by the Node, Deno, workerd and
// Chromium runs alike: `await runChecks(api, cases, { label, loadAll })` → {passed, failed, failures}.
// `loadAll` (browsers, bundles without the package's files): how the page makes the module with
// every algorithm available; without it, the entry must load it by itself (Node, Deno, workerd).

/** JSON.parse with the package's number mapping (integers outside ±(2^53−1) → BigInt) and own `__proto__`. */
export function parseJson(text) {
  let i = 0;
  const ws = () => { while (' \t\n\r'.includes(text[i]) && i < text.length) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        const k = str();
        ws(); i++; // ':'
        Object.defineProperty(o, k, { value: value(), writable: true, enumerable: true, configurable: true });
        ws();
        if (text[i++] === '}') return o;
      }
    }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i++] === ']') return a;
      }
    }
    if (c === '"') return str();
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 5000));
    if (m) {
      i += m[0].length;
      if (m[1] === undefined && m[2] === undefined) {
        const b = BigInt(m[0]);
        return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
      }
      return Number(m[0]);
    }
    for (const [w, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(w, i)) { i += w.length; return v; }
    }
    throw new SyntaxError(`bad JSON at ${i}`);
  };
  const str = () => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  return value();
}

/** Canonical text of a JS value: key order kept, BigInt marked, -0 kept. */
export function canon(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (Object.getPrototypeOf(v) !== Object.prototype) return `<non-plain ${Object.prototype.toString.call(v)}>`;
  return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
}

function outcome(api, f) {
  try {
    const r = f();
    if (r === null) return { ok: true, anonymous: true };
    return { ok: true, header: r.header, payload: r.payload };
  } catch (e) {
    if (!(e instanceof api.SsoError) || !(e instanceof Error)) return { ok: 'threw', what: String(e && e.stack || e) };
    return { ok: false, code: e.code, detail: e.detail, message: e.message };
  }
}

/** The SsoError a constructor throws, as {code, message}; {ok: true} when it builds. */
function buildError(api, f) {
  try {
    f().free();
    return { ok: true };
  } catch (e) {
    return e instanceof api.SsoError ? { code: e.code, message: e.message } : { ok: 'threw', what: String(e && e.stack || e) };
  }
}

export async function runChecks(api, cases, { label = 'runtime', loadAll } = {}) {
  let passed = 0;
  const failures = [];
  const expect = (name, got, want) => {
    const g = canon(got), w = canon(want);
    if (g === w) passed++;
    else failures.push({ name, got: g.slice(0, 600), want: w.slice(0, 600) });
  };
  const vPem = new api.Verifier(cases.settings, cases.keys);
  const vJwks = new api.Verifier(JSON.stringify(cases.settings), cases.jwks);
  // One module per entry of drf-sso-jwt/sign; drf-sso-jwt builds RSA key stores in its small one.
  const signing = typeof api.Issuer === 'function';
  const small = signing ? 'sign' : 'rsa';
  expect('an RSA key store lives in the RSA-only module, the only one loaded', [vPem.module, vJwks.module, api.loadedModules().join()], [small, small, small]);
  for (const c of cases.verify) {
    const want = parseJson(c.expected);
    expect(`verify ${c.name}`, outcome(api, () => vPem.verify(c.input, c.now)), want);
    expect(`verify (JWKS) ${c.name}`, outcome(api, () => vJwks.verify(c.input, c.now)), want);
  }
  for (const c of cases.decode) expect(`decode ${c.name}`, outcome(api, () => api.decode(c.input)), parseJson(c.expected));
  for (const c of cases.authenticate) expect(`authenticate ${c.name}`, outcome(api, () => vPem.authenticate(c.input, c.now)), parseJson(c.expected));

  // RSA keys of many sizes: the wasm Montgomery arithmetic against the native CLI.
  const vSizes = new api.Verifier(cases.sizes.settings, cases.sizes.keys, { cacheSize: 0 });
  for (const c of cases.sizes.verify) expect(`key sizes: ${c.name}`, outcome(api, () => vSizes.verify(c.input, c.now)), parseJson(c.expected));
  vSizes.free();

  // The cache front: the corpus again through the same (cached) Verifier, then the rules of a hit.
  for (const c of cases.verify) expect(`verify, second pass ${c.name}`, outcome(api, () => vPem.verify(c.input, c.now)), parseJson(c.expected));
  for (const c of cases.authenticate) expect(`authenticate, second pass ${c.name}`, outcome(api, () => vPem.authenticate(c.input, c.now)), parseJson(c.expected));
  const oks = cases.verify.filter((c) => parseJson(c.expected).ok === true);
  const r1 = vPem.verify(oks[0].input, oks[0].now);
  expect('cache hit returns the same object', vPem.verify(oks[0].input, oks[0].now) === r1, true);
  expect('results are deeply frozen', Object.isFrozen(r1) && Object.isFrozen(r1.header) && Object.isFrozen(r1.payload), true);
  // Reflect.set: the same answer in strict code and in sloppy bundles (IIFE, CJS).
  expect('writing to a result fails', Reflect.set(r1.payload, 'uid', 0) === false && r1.payload.uid !== 0, true);
  expect('a hit still checks exp', outcome(api, () => vPem.verify(oks[0].input, oks[0].now + 1e7)).code, 'expired');
  expect('and passes again at the earlier clock', vPem.verify(oks[0].input, oks[0].now) === r1, true);
  const uncached = new api.Verifier(cases.settings, cases.keys, { cacheSize: 0 });
  const u1 = uncached.verify(oks[0].input, oks[0].now);
  expect('cacheSize 0: a new object each time', u1 !== uncached.verify(oks[0].input, oks[0].now) && canon(u1) === canon(r1), true);
  uncached.free();
  const one = new api.Verifier(cases.settings, cases.keys, { cacheSize: 1 });
  for (let round = 0; round < 3; round++) {
    for (const c of oks.slice(0, 3)) expect(`cacheSize 1, round ${round}: ${c.name}`, outcome(api, () => one.verify(c.input, c.now)), parseJson(c.expected));
  }
  one.free();

  // API shape and errors.
  // Key files not given or unusable fail only the tokens that select them, as on the server.
  const partial = new api.Verifier(cases.settings, { ...cases.keys, 'myapp-20180101.pem': 'not a pem' });
  const missing = new api.Verifier(cases.settings, {});
  expect('no key files: the Verifier builds and warns for each', missing.warnings.length, Object.keys(cases.keys).length);
  expect('an unusable file is a warning', partial.warnings.length === 1 && partial.warnings[0].includes('myapp-20180101.pem'), true);
  expect('the other keys keep working', canon(outcome(api, () => partial.verify(oks[0].input, oks[0].now))), canon(parseJson(oks[0].expected)));
  expect('a token selecting a missing file → key_unavailable', outcome(api, () => missing.verify(oks[0].input, oks[0].now)).code, 'key_unavailable');
  expect('no warnings for a complete key store', vPem.warnings.length, 0);
  partial.free();
  missing.free();
  // Key files as bytes (readFileSync(f), a Uint8Array or ArrayBuffer): the same verdicts as
  // the text, and a non-UTF-8 byte inside the PEM block fails as on the server (as text the
  // byte is valid UTF-8 here, so the text loads).
  const enc = new TextEncoder();
  const asBytes = Object.fromEntries(Object.entries(cases.keys).map(([k, t]) => [k, enc.encode(t)]));
  const asBuffers = Object.fromEntries(Object.entries(asBytes).map(([k, b]) => [k, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)]));
  const vBytes = new api.Verifier(cases.settings, asBytes, { cacheSize: 0 });
  const vBuffers = new api.Verifier(cases.settings, asBuffers, { cacheSize: 0 });
  for (const c of cases.verify.slice(0, 25)) {
    const want = parseJson(c.expected);
    expect(`key files as Uint8Array: ${c.name}`, outcome(api, () => vBytes.verify(c.input, c.now)), want);
    expect(`key files as ArrayBuffer: ${c.name}`, outcome(api, () => vBuffers.verify(c.input, c.now)), want);
  }
  vBytes.free();
  vBuffers.free();
  const [kName, kText] = Object.entries(cases.keys)[0];
  const at = kText.indexOf('-----BEGIN PUBLIC KEY-----\n') + '-----BEGIN PUBLIC KEY-----\n'.length;
  const head = enc.encode(kText.slice(0, at)), tail = enc.encode(kText.slice(at));
  const latin1 = new Uint8Array([...head, ...enc.encode('Comment: caf'), 0xe9, 0x0a, 0x0a, ...tail]);
  const vLatin1 = new api.Verifier(cases.settings, { ...asBytes, [kName]: latin1 });
  const vUtf8 = new api.Verifier(cases.settings, { ...cases.keys, [kName]: kText.slice(0, at) + 'Comment: caf\u00e9\n\n' + kText.slice(at) });
  expect('a Latin-1 byte in a PEM header, as bytes: the file fails (as on the server)', vLatin1.warnings.length === 1 && vLatin1.warnings[0].includes(kName), true);
  expect('the same header as UTF-8 text: the file loads (a Comment: header is allowed)', vUtf8.warnings.length, 0);
  vLatin1.free();
  vUtf8.free();
  expect('bad JWK → SsoError config', outcome(api, () => new api.Verifier(cases.settings, { 'myapp-20200410.pem': { kty: 'EC' } })).code, 'config');
  expect('bad settings → SsoError config', outcome(api, () => new api.Verifier({ VERIFY_EXPIRATON: false }, {})).code, 'config');
  const big = outcome(api, () => vPem.verify(cases.verify[5].input, cases.now));
  expect('big int is BigInt', typeof big.payload?.big, 'bigint');
  expect('safe int is number', typeof big.payload?.safe, 'number');
  expect('__proto__ stays an own property', Object.getPrototypeOf(big.payload ?? {}) === Object.prototype && Object.hasOwn(big.payload ?? {}, '__proto__'), true);
  expect('default now (clock) → expired', outcome(api, () => vPem.verify(cases.verify[0].input)).code, 'expired');
  let typeErr = false;
  try { vPem.verify(42); } catch (e) { typeErr = e instanceof TypeError; }
  expect('non-string token → TypeError', typeErr, true);
  expect('maxTokenBytes', vPem.maxTokenBytes, 8192);
  expect('toJwks kids', vPem.toJwks().keys.map((k) => k.kid).join(','), cases.jwks.keys.map((k) => k.kid).join(','));
  const tmp = new api.Verifier(cases.settings, cases.keys);
  tmp[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
  let freed = false;
  try { tmp.verify(cases.verify[0].input, cases.now); } catch (e) { freed = e instanceof TypeError; }
  expect('disposed Verifier refuses', freed, true);
  vJwks.free();

  // EC and Ed keys (mixed with RSA): the module with every algorithm, loaded only now.
  const ec = cases.ec;
  expect('RSA key stores so far: still only the RSA-only module', api.loadedModules().join(), small);
  if (loadAll) {
    const first = buildError(api, () => new api.Verifier(ec.settings, ec.keys));
    expect('EC keys before the full module is loaded: feature_missing saying what to call',
      first.code === 'feature_missing' && first.message.includes("await init({ algorithms: 'all' })") && first.message.includes('Verifier.load(settings, keys)'), true);
    await loadAll(ec);
  }
  const vEc = new api.Verifier(ec.settings, ec.keys);
  const vEcJwks = new api.Verifier(JSON.stringify(ec.settings), ec.jwks);
  expect('an EC/Ed key store lives in the module with every algorithm', [vEc.module, vEcJwks.module, api.loadedModules().join()], signing ? ['sign', 'sign', 'sign'] : ['all', 'all', 'rsa,all']);
  expect('an RSA key store still goes to the RSA-only module', buildError(api, () => { const v = new api.Verifier(cases.settings, cases.keys); if (v.module !== small) throw new Error(v.module); return v; }).ok, true);
  for (const c of ec.verify) {
    const want = parseJson(c.expected);
    expect(`EC/Ed verify ${c.name}`, outcome(api, () => vEc.verify(c.input, c.now)), want);
    expect(`EC/Ed verify (JWKS) ${c.name}`, outcome(api, () => vEcJwks.verify(c.input, c.now)), want);
  }
  for (const c of ec.authenticate) expect(`EC/Ed authenticate ${c.name}`, outcome(api, () => vEc.authenticate(c.input, c.now)), parseJson(c.expected));
  expect('EC/Ed key store: toJwks as the CLI exports it', canon(vEc.toJwks()), canon(ec.jwks));
  expect('EC/Ed key store: no warnings', vEc.warnings.length, 0);
  const loadedEc = await api.Verifier.load(ec.settings, ec.keys, { cacheSize: 0 });
  const loadedRsa = await api.Verifier.load(cases.settings, cases.keys);
  expect('Verifier.load builds each store in the module its keys need', [loadedEc.module, loadedRsa.module], signing ? ['sign', 'sign'] : ['all', 'rsa']);
  expect('Verifier.load result verifies', outcome(api, () => loadedEc.verify(ec.verify[0].input, ec.verify[0].now)), parseJson(ec.verify[0].expected));
  loadedEc.free();
  loadedRsa.free();
  // Session state is only in the modules with every algorithm: turning it on moves an RSA
  // verifier there (policy 'stateless': no document needed to keep verifying).
  const vState = new api.Verifier(cases.settings, cases.keys);
  expect('no session state: stateStatus is all null', canon(vState.stateStatus()), canon({ policy: null, issuer: null, state: null, keys: null }));
  vState.setStatePolicy(null);
  expect('setStatePolicy(null) leaves the verifier where it is', vState.module, small);
  vState.setStatePolicy('stateless');
  expect('session state on: the verifier moves to the module with every algorithm', [vState.module, vState.stateStatus().policy], [signing ? 'sign' : 'all', 'stateless']);
  for (const c of cases.authenticate.slice(0, 20)) expect(`after the move, authenticate ${c.name}`, outcome(api, () => vState.authenticate(c.input, c.now)), parseJson(c.expected));
  vState.free();
  if (signing) {
    for (const c of ec.sign) {
      const issuer = new api.Issuer(c.settings, c.privateKeys);
      const p = parseJson(c.payload);
      const t1 = issuer.encode(p, c.now), t2 = issuer.encode(p, c.now);
      if (c.random) {
        expect(`Issuer ${c.name}: header and payload as the CLI signs them`, t1.split('.').slice(0, 2).join('.'), c.expected.split('.').slice(0, 2).join('.'));
        expect(`Issuer ${c.name}: a random nonce each time`, t1 !== t2, true);
        expect(`Issuer ${c.name}: the second token verifies too`, outcome(api, () => vEc.verify(t2, cases.now)), parseJson(c.verified));
      } else {
        expect(`Issuer ${c.name}: byte-identical to the CLI`, [t1, t2], [c.expected, c.expected]);
      }
      expect(`Issuer ${c.name}: verifies`, outcome(api, () => vEc.verify(t1, cases.now)), parseJson(c.verified));
      issuer.free();
    }
  }
  vEc.free();
  vEcJwks.free();

  if (api.Issuer) {
    const issuer = new api.Issuer(cases.settings, cases.privateKeys);
    const signOutcome = (f) => {
      try { return { ok: true, token: f() }; } catch (e) {
        if (!(e instanceof api.SsoError)) return { ok: 'threw', what: String(e) };
        return { ok: false, code: e.code, detail: e.detail, message: e.message };
      }
    };
    for (const c of cases.sign) expect(`sign ${c.name}`, signOutcome(() => issuer.encode(parseJson(c.payload), c.now)), parseJson(c.expected));
    for (const c of cases.issue) {
      const p = c.kind === 'session'
        ? api.createSessionPayload(c.subject, c.now, c.extra)
        : api.createAuthorizationPayload(c.subject, c.extra);
      expect(`issue ${c.name}`, issuer.encode(p, c.now), c.expected);
      expect(`issue ${c.name} verifies`, outcome(api, () => vPem.verify(issuer.encode(p, c.now), c.now)).ok, true);
    }
    const sp = api.createSessionPayload({ sid: 'a', uid: 1 }, new Date(1700000000500));
    expect('createSessionPayload iat is a Date', sp.iat instanceof Date, true);
    expect('createSessionPayload order', Object.keys(sp).join(','), 'token,sid,cid,uid,email,iat');
    // PS256 signing uses getRandomValues; the result must verify.
    const ps = new api.Issuer({ ...cases.settings, ENCODE_ALGORITHM: 'PS256' }, cases.privateKeys);
    const t1 = ps.encode({ token: 'auth', sid: 's', uid: 1 }, cases.now), t2 = ps.encode({ token: 'auth', sid: 's', uid: 1 }, cases.now);
    expect('PS256 tokens are randomized', t1 !== t2, true);
    expect('PS256 token verifies', outcome(api, () => vPem.verify(t1, cases.now)).ok, true);
    expect('Issuer error is SsoError', signOutcome(() => issuer.encode({ token: 'x' }, cases.now)).code, 'sign');
    issuer.free();
    ps.free();
  }
  vPem.free();
  return { label, passed, failed: failures.length, failures };
}
