//! The wasm-bindgen layer of the npm package: JavaScript in, JavaScript out, and no
//! verification logic of its own. Everything is decided by [`drf_sso_jwt::Verifier`],
//! [`drf_sso_jwt::dangerous::decode`] and (feature `sign`) `drf_sso_jwt::Issuer`.
//!
//! Values cross as plain JavaScript: objects (key order preserved, `__proto__` kept
//! as an own property), arrays, strings, booleans, `null`, numbers, and `BigInt` for
//! integers outside ±(2^53 − 1). Failures are thrown as a plain object named `SsoError`
//! with `code`, `detail`, `message`, `claim` and `segment`; the package's JS entry rethrows
//! it as its `SsoError` class.
//!
//! Built three times by `pkg/build.sh`: without features (RSA only, the small module an RSA
//! key store loads), `all-algorithms` (ES*, EdDSA too) and `sign`. A key the build cannot
//! use is the core's `feature_missing` at `new Verifier`, which the JS layer acts on.

/// talc instead of std's dlmalloc: 3.3 KB less gzip on the RSA-only module (pkg/README.md).
#[cfg(target_family = "wasm")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use js_sys::{Array, BigInt, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use drf_sso_jwt::json::{Int, Map, Value};
use drf_sso_jwt::{Error, Settings, TokenData};

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;
/// Nesting accepted when reading JS values (settings, payloads), as the JSON reader allows.
const MAX_DEPTH: usize = 64;

/// The one conversion of a crate [`Error`] into a thrown JS value: a plain object
/// `{name: "SsoError", code, detail, message, claim, segment}` (no stack capture here; the
/// package's JS entry turns it into its `SsoError` class, a real `Error`).
fn into_error(e: Error) -> JsValue {
    let o = Object::new();
    let opt = |s: Option<&str>| s.map_or(JsValue::NULL, JsValue::from_str);
    let _ = Reflect::set(&o, &"name".into(), &"SsoError".into());
    let _ = Reflect::set(&o, &"code".into(), &e.code().into());
    let _ = Reflect::set(&o, &"detail".into(), &e.detail().into());
    let _ = Reflect::set(&o, &"message".into(), &e.message().into());
    let _ = Reflect::set(&o, &"claim".into(), &opt(e.claim()));
    let _ = Reflect::set(&o, &"segment".into(), &opt(e.segment().map(|s| s.name())));
    o.into()
}

/// A JS string as UTF-8 bytes, refused before it is copied into wasm memory when it is
/// longer than `max` bytes: every UTF-16 unit is at least one UTF-8 byte, so only strings of
/// more than `max` units are counted (exactly, for the core's message) and never copied.
fn bounded_utf8(
    v: &JsValue,
    what: &str,
    max: usize,
    too_large: impl Fn(usize) -> Error,
) -> Result<Vec<u8>, JsValue> {
    let Some(s) = v.dyn_ref::<js_sys::JsString>() else {
        return Err(type_error(&format!("{what} must be a string")));
    };
    if s.length() as usize > max {
        let mut bytes = 0usize;
        let mut units = s.iter().peekable();
        while let Some(u) = units.next() {
            bytes += match u {
                0..=0x7f => 1,
                0x80..=0x7ff => 2,
                0xd800..=0xdbff if units.peek().is_some_and(|n| (0xdc00..=0xdfff).contains(n)) => {
                    units.next();
                    4
                }
                _ => 3, // other BMP chars; a lone surrogate becomes U+FFFD
            };
        }
        return Err(into_error(too_large(bytes)));
    }
    Ok(String::from(s).into_bytes())
}

fn type_error(msg: &str) -> JsValue {
    js_sys::TypeError::new(msg).into()
}

fn set_own(o: &Object, key: &str, value: &JsValue) {
    if key == "__proto__" {
        // `o[key] = v` would replace the prototype; define an own data property instead.
        let d = Object::new();
        let _ = Reflect::set(&d, &"value".into(), value);
        for flag in ["writable", "enumerable", "configurable"] {
            let _ = Reflect::set(&d, &flag.into(), &JsValue::TRUE);
        }
        let _ = Reflect::define_property(o, &key.into(), &d);
    } else {
        let _ = Reflect::set(o, &key.into(), value);
    }
}

fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Int(Int::Small(i)) if (-MAX_SAFE..=MAX_SAFE).contains(i) => {
            JsValue::from_f64(*i as f64)
        }
        Value::Int(Int::Small(i)) => BigInt::from(*i).into(),
        Value::Int(Int::Big(s)) => BigInt::new(&JsValue::from_str(s))
            .map(JsValue::from)
            .unwrap_or_else(|_| JsValue::from_str(s)),
        Value::Float(f) => JsValue::from_f64(*f),
        Value::Str(s) => JsValue::from_str(s),
        Value::Array(a) => {
            let out = Array::new_with_length(a.len() as u32);
            for (i, item) in a.iter().enumerate() {
                out.set(i as u32, value_to_js(item));
            }
            out.into()
        }
        Value::Object(m) => map_to_js(m).into(),
    }
}

fn map_to_js(m: &Map) -> Object {
    let o = Object::new();
    for (k, v) in m.iter() {
        set_own(&o, k, &value_to_js(v));
    }
    o
}

/// Whether every integer in `v` is a safe JS number (then JSON text round-trips exactly).
fn json_safe(v: &Value) -> bool {
    match v {
        Value::Int(Int::Small(i)) => (-MAX_SAFE..=MAX_SAFE).contains(i),
        Value::Int(Int::Big(_)) => false,
        Value::Array(a) => a.iter().all(json_safe),
        Value::Object(m) => m.iter().all(|(_, x)| json_safe(x)),
        _ => true,
    }
}

fn token_to_js(t: &TokenData) -> JsValue {
    // One JSON string and the engine's native JSON.parse beat a boundary crossing per member;
    // tokens holding integers beyond 2^53 take the member-by-member path (BigInt).
    if t.header.iter().all(|(_, v)| json_safe(v)) && t.payload.iter().all(|(_, v)| json_safe(v)) {
        if let Ok(v) = js_sys::JSON::parse(&t.to_json()) {
            return v;
        }
    }
    let o = Object::new();
    set_own(&o, "header", &map_to_js(&t.header).into());
    set_own(&o, "payload", &map_to_js(&t.payload).into());
    o.into()
}

/// A JS value as a JSON value (what `json.loads` of `JSON.stringify(v)` would give, except
/// that `BigInt` is an exact integer and integral numbers up to 2^53 are integers).
/// `Date`s become `Err(seconds)` at the top of a payload (see `claim_from_js`), strings
/// in ISO form elsewhere.
fn value_from_js(v: &JsValue, what: &str, depth: usize) -> Result<Value, JsValue> {
    if depth > MAX_DEPTH {
        return Err(type_error(&format!(
            "{what}: nested deeper than {MAX_DEPTH} levels"
        )));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::Str(s));
    }
    if let Some(f) = v.as_f64() {
        if !f.is_finite() {
            // `{f}` of a non-finite f64, without linking float formatting for it.
            let f = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            return Err(type_error(&format!("{what}: {f} is not a JSON number")));
        }
        if f == libm_trunc(f) && f.abs() <= MAX_SAFE as f64 {
            return Ok(Value::Int(Int::Small(f as i64)));
        }
        return Ok(Value::Float(f));
    }
    if v.is_bigint() {
        let text: String = v
            .unchecked_ref::<BigInt>()
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return drf_sso_jwt::json::parse_int_text(&text)
            .map(Value::Int)
            .map_err(|m| type_error(&m));
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let t = d.get_time();
        if !t.is_finite() {
            return Err(type_error(&format!("{what}: invalid Date")));
        }
        return Ok(Value::Str(date_text(t / 1000.0)));
    }
    if Array::is_array(v) {
        let a: &Array = v.unchecked_ref();
        let mut out = Vec::with_capacity(a.length() as usize);
        for item in a.iter() {
            out.push(value_from_js(&item, what, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        return map_from_js(v, what, depth + 1).map(Value::Object);
    }
    Err(type_error(&format!(
        "{what}: a value of this type has no JSON form"
    )))
}

/// Own enumerable string-keyed properties, in JS order (`undefined` members skipped, as `JSON.stringify` does).
fn entries(v: &JsValue) -> Array {
    Object::entries(v.unchecked_ref::<Object>())
}

fn map_from_js(v: &JsValue, what: &str, depth: usize) -> Result<Map, JsValue> {
    let mut m = Map::new();
    for e in entries(v).iter() {
        let e: Array = e.unchecked_into();
        let (k, item) = (e.get(0).as_string().unwrap_or_default(), e.get(1));
        if item.is_undefined() {
            continue;
        }
        m.insert(k, value_from_js(&item, what, depth)?);
    }
    Ok(m)
}

/// `f.trunc()` without std.
fn libm_trunc(f: f64) -> f64 {
    if f.abs() >= 4_503_599_627_370_496.0 {
        f // 2^52 and above: already integral
    } else {
        (f as i64) as f64
    }
}

/// A `Date` outside the payload's time claims: the text `DjangoJSONEncoder` gives a
/// datetime, in every build.
fn date_text(secs: f64) -> String {
    drf_sso_jwt::django_datetime(secs)
}

/// Settings: the `REST_FRAMEWORK_SSO` dict as a JS object, or as JSON text.
fn settings_from_js(v: &JsValue) -> Result<Settings, JsValue> {
    if let Some(text) = v.as_string() {
        return Settings::from_json(&text).map_err(into_error);
    }
    if v.is_object() && !Array::is_array(v) {
        let m = map_from_js(v, "settings", 1)?;
        return Settings::from_map(&m).map_err(into_error);
    }
    Err(type_error("settings must be an object or JSON text"))
}

/// Key material: `{fileName: key file text | JWK object}`, a JWKS `{keys: [...]}`, or
/// JWKS / name-map JSON text; the shapes are the core's ([`drf_sso_jwt::KeyMaterial::from_json`]).
/// Keys as JSON text, a JWKS, or `{fileName: text | bytes | JWK}`. A key file as bytes
/// (`Uint8Array`, `ArrayBuffer`: `readFileSync(f)`) is read exactly as the server reads the
/// file; as a string it is the text's UTF-8 (a byte that was not UTF-8 is already U+FFFD).
fn material_from_js(v: &JsValue) -> Result<Vec<drf_sso_jwt::KeyMaterial>, JsValue> {
    if v.is_null() || v.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(text) = v.as_string() {
        let value = drf_sso_jwt::json::parse(text.as_bytes()).map_err(into_error)?;
        return drf_sso_jwt::KeyMaterial::from_json(&value).map_err(into_error);
    }
    let bytes_of = |item: &JsValue| -> Option<Vec<u8>> {
        if let Some(a) = item.dyn_ref::<js_sys::Uint8Array>() {
            return Some(a.to_vec());
        }
        item.dyn_ref::<js_sys::ArrayBuffer>()
            .map(|b| js_sys::Uint8Array::new(b).to_vec())
    };
    let is_plain_object = v.is_object() && !Array::is_array(v);
    let has_keys = is_plain_object && Reflect::has(v, &"keys".into()).unwrap_or(false);
    if !is_plain_object || has_keys {
        return drf_sso_jwt::KeyMaterial::from_json(&value_from_js(v, "keys", 0)?)
            .map_err(into_error);
    }
    // One entry at a time, in order: bytes as a file, anything else as the JSON form takes it.
    let mut out = Vec::new();
    for entry in entries(v).iter() {
        let pair: Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let item = pair.get(1);
        match bytes_of(&item) {
            Some(contents) => out.push(drf_sso_jwt::KeyMaterial::file(name, contents)),
            None => out.push(
                drf_sso_jwt::KeyMaterial::from_json_entry(&name, &value_from_js(&item, "keys", 1)?)
                    .map_err(into_error)?,
            ),
        }
    }
    Ok(out)
}

fn now_or_clock(now: Option<f64>) -> f64 {
    now.unwrap_or_else(|| js_sys::Date::now() / 1000.0)
}

/// Verifies drf-sso tokens; settings and keys are parsed once, in the constructor.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: drf_sso_jwt::CachedVerifier,
    #[cfg(feature = "session")]
    capacity: usize,
    /// Session state and key-set documents, once either is in use.
    #[cfg(feature = "session")]
    edge: Option<drf_sso_jwt::EdgeState>,
}

#[cfg(feature = "session")]
fn set(o: &Object, key: &str, v: JsValue) {
    let _ = Reflect::set(o, &key.into(), &v);
}

#[cfg(feature = "session")]
fn info_to_js(i: &drf_sso_jwt::DocumentInfo, now: f64) -> Object {
    let o = Object::new();
    set(&o, "issuer", i.issuer.as_str().into());
    // Sequences are microsecond times: beyond 2^53 only as BigInt.
    let seq = if i.sequence <= MAX_SAFE as u64 {
        JsValue::from_f64(i.sequence as f64)
    } else {
        BigInt::from(i.sequence).into()
    };
    set(&o, "sequence", seq);
    set(&o, "issuedAt", JsValue::from_f64(i.issued_at as f64));
    set(&o, "maxAge", JsValue::from_f64(i.max_age as f64));
    set(&o, "age", JsValue::from_f64(now - i.issued_at as f64));
    set(&o, "fresh", JsValue::from_bool(i.is_fresh(now)));
    o
}

#[cfg(feature = "session")]
fn state_to_js(s: &drf_sso_jwt::SessionState, now: f64) -> Object {
    let o = info_to_js(s.info(), now);
    let (sessions, deleted, inactive, deleted_users) = s.counts();
    set(&o, "sessions", JsValue::from_f64(sessions as f64));
    set(&o, "deletedSessions", JsValue::from_f64(deleted as f64));
    set(&o, "inactiveUsers", JsValue::from_f64(inactive as f64));
    set(&o, "deletedUsers", JsValue::from_f64(deleted_users as f64));
    set(
        &o,
        "horizon",
        s.horizon()
            .map_or(JsValue::NULL, |h| JsValue::from_f64(h as f64)),
    );
    o
}

#[cfg(feature = "session")]
fn document_bytes(doc: &JsValue) -> Result<Vec<u8>, JsValue> {
    let max = drf_sso_jwt::DEFAULT_MAX_DOCUMENT_BYTES;
    bounded_utf8(doc, "document", max, |n| {
        Error::BadState(format!("document: {n} bytes, over the limit of {max}").into())
    })
}

#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    /// `new Verifier(settings, keys, cacheSize)`: a verified-token cache of `cacheSize`
    /// slots (default 1024, 0 disables); hits re-check every time-dependent claim.
    #[wasm_bindgen(constructor)]
    pub fn new(
        settings: JsValue,
        keys: JsValue,
        cache_size: Option<u32>,
    ) -> Result<JsVerifier, JsValue> {
        let settings = settings_from_js(&settings)?;
        let store =
            drf_sso_jwt::KeyStore::new(&settings, material_from_js(&keys)?).map_err(into_error)?;
        let verifier = drf_sso_jwt::Verifier::new(settings, store).map_err(into_error)?;
        let size = cache_size.map_or(drf_sso_jwt::CachedVerifier::DEFAULT_CAPACITY, |n| {
            n as usize
        });
        Ok(JsVerifier {
            inner: drf_sso_jwt::CachedVerifier::new(verifier, size).map_err(into_error)?,
            #[cfg(feature = "session")]
            capacity: size,
            #[cfg(feature = "session")]
            edge: None,
        })
    }

    /// `verify(token, now?)` → `{header, payload}`; throws `SsoError`.
    pub fn verify(&mut self, token: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let max = self.inner.verifier().settings().max_token_bytes;
        let token = bounded_utf8(&token, "token", max, |n| Error::too_large(n, max))?;
        self.inner
            .verify(&token, now_or_clock(now))
            .map(|t| token_to_js(&t))
            .map_err(into_error)
    }

    /// `authenticate(headerValue | null, now?)` → `{header, payload}` or `null`; throws `SsoError`.
    /// The header text is taken as [`drf_sso_jwt::header_bytes`] takes it (each char up to
    /// U+00FF one byte, as HTTP header values arrive).
    pub fn authenticate(&mut self, header: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let bytes = if header.is_null() || header.is_undefined() {
            None
        } else {
            // The core refuses headers over MAX_HEADER_BYTES; in UTF-16 units the string is
            // at most three times that as UTF-8, so copying up to that bound is safe.
            let max = self.inner.verifier().settings().max_header_bytes;
            let text = bounded_utf8(&header, "header", max.saturating_mul(3), |_| {
                Error::TooLarge(
                    format!("Authorization header is over MAX_HEADER_BYTES = {max}").into(),
                )
            })?;
            let text = String::from_utf8(text).unwrap_or_default();
            Some(drf_sso_jwt::header_bytes(&text).into_owned())
        };
        let t = now_or_clock(now);
        #[cfg(feature = "session")]
        let r = match &self.edge {
            Some(e) => self.inner.authenticate_with_state(bytes.as_deref(), t, e),
            None => self.inner.authenticate(bytes.as_deref(), t),
        };
        #[cfg(not(feature = "session"))]
        let r = self.inner.authenticate(bytes.as_deref(), t);
        match r {
            Ok(Some(t)) => Ok(token_to_js(&t)),
            Ok(None) => Ok(JsValue::NULL),
            Err(e) => Err(into_error(e)),
        }
    }

    /// Id of the cache entry behind the last `verify`/`authenticate` answer, or -1.
    /// The JS entry keeps the converted result under this id (see `recheck`).
    #[wasm_bindgen(getter, js_name = lastEntry)]
    pub fn last_entry(&self) -> f64 {
        match self.inner.last_entry() {
            Some(id) if id <= MAX_SAFE as u64 => id as f64,
            _ => -1.0,
        }
    }

    /// Whether cache entry `id` still holds its token and passes every time-dependent
    /// check at `now`; then a fresh verification would return the same result.
    pub fn recheck(&mut self, id: f64, now: Option<f64>) -> bool {
        if !(id >= 0.0 && id <= MAX_SAFE as f64) {
            return false;
        }
        matches!(
            self.inner.recheck(id as u64, now_or_clock(now)),
            Some(Ok(()))
        )
    }

    /// As `recheck`, with the session checks `authenticate` runs (the session state in force).
    #[wasm_bindgen(js_name = recheckAuthenticated)]
    pub fn recheck_authenticated(&mut self, id: f64, now: Option<f64>) -> bool {
        if !(id >= 0.0 && id <= MAX_SAFE as f64) {
            return false;
        }
        let t = now_or_clock(now);
        #[cfg(feature = "session")]
        let r = match &self.edge {
            Some(e) => self.inner.recheck_with_state(id as u64, t, e),
            None => self.inner.recheck(id as u64, t),
        };
        #[cfg(not(feature = "session"))]
        let r = self.inner.recheck(id as u64, t);
        matches!(r, Some(Ok(())))
    }

    /// The key files that will fail the tokens selecting them, one message each.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> Array {
        self.inner
            .verifier()
            .keys()
            .warnings()
            .iter()
            .map(|w| JsValue::from_str(&w.to_string()))
            .collect()
    }

    /// `MAX_TOKEN_BYTES` in force.
    #[wasm_bindgen(getter, js_name = maxTokenBytes)]
    pub fn max_token_bytes(&self) -> f64 {
        self.inner.verifier().settings().max_token_bytes as f64
    }

    /// `AUTHENTICATE_HEADER` in force: the scheme of `Authorization` and of the 401's
    /// `WWW-Authenticate` (drf-sso's `authenticate_header`).
    #[wasm_bindgen(getter, js_name = authenticateHeader)]
    pub fn authenticate_header(&self) -> String {
        self.inner.verifier().settings().authenticate_header.clone()
    }

    /// The public keys as a JWKS object.
    #[wasm_bindgen(js_name = toJwks)]
    pub fn to_jwks(&self) -> JsValue {
        let v = self.inner.verifier();
        value_to_js(&v.keys().to_jwks(&v.settings().encode_algorithm))
    }
}

/// `decode(token)` → `{header, payload}` without verification (nothing in it may be trusted).
/// Session state and key-set documents (feature `session`, in the `all` and `sign` modules:
/// the RSA-only module stays without them, and the JS layer moves a verifier that turns
/// session state on into the module with every algorithm).
#[cfg(feature = "session")]
#[wasm_bindgen(js_class = Verifier)]
impl JsVerifier {
    fn edge_mut(&mut self) -> Result<&mut drf_sso_jwt::EdgeState, JsValue> {
        if self.edge.is_none() {
            let e = drf_sso_jwt::EdgeState::new(self.inner.verifier().settings(), None, None)
                .map_err(into_error)?;
            self.edge = Some(e);
        }
        Ok(self.edge.as_mut().expect("just set"))
    }

    /// `setStatePolicy(policy, issuer?)`: session state on (`"refuse"`, `"stateless"`: what to
    /// do while no fresh document is in force) or off (`null`); `issuer` of the documents
    /// (default: `IDENTITY`).
    #[wasm_bindgen(js_name = setStatePolicy)]
    pub fn set_state_policy(
        &mut self,
        policy: Option<String>,
        issuer: Option<String>,
    ) -> Result<(), JsValue> {
        let policy = match policy.as_deref() {
            None => None,
            Some(p) => Some(drf_sso_jwt::StalePolicy::from_name(p).ok_or_else(|| {
                type_error("the policy must be \"refuse\", \"stateless\" or null")
            })?),
        };
        if let Some(i) = issuer {
            let mut e =
                drf_sso_jwt::EdgeState::new(self.inner.verifier().settings(), Some(&i), policy)
                    .map_err(into_error)?;
            if let Some(old) = &self.edge {
                // Documents already in force stay only if they come from the same issuer.
                if old.issuer() == e.issuer() {
                    e = old.clone();
                    e.set_policy(policy);
                }
            }
            self.edge = Some(e);
            return Ok(());
        }
        self.edge_mut()?.set_policy(policy);
        Ok(())
    }

    /// `setSessionState(document, now?)`: takes the server's signed session-state document
    /// (verified with the keys in force); `{changed, issuer, sequence, issuedAt, maxAge, …}`.
    /// Throws `SsoError` `bad_state` (the state in force stays).
    #[wasm_bindgen(js_name = setSessionState)]
    pub fn set_session_state(
        &mut self,
        doc: JsValue,
        now: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let bytes = document_bytes(&doc)?;
        let t = now_or_clock(now);
        let verifier = self.inner.verifier().clone();
        let edge = self.edge_mut()?;
        let update = edge
            .update_state(&bytes, &verifier, t)
            .map_err(into_error)?;
        let state = edge.session_state().expect("a state was taken");
        let o = state_to_js(state, t);
        set(
            &o,
            "changed",
            JsValue::from_bool(update == drf_sso_jwt::Update::Replaced),
        );
        Ok(o.into())
    }

    /// `setKeys(document, now?)`: takes the server's signed key-set document (verified with
    /// the keys in force) and from then on verifies with its `PUBLIC_KEYS` and keys (the
    /// verified-token cache starts empty). `{changed, issuer, sequence, …, keys: [kid…]}`.
    #[wasm_bindgen(js_name = setKeys)]
    pub fn set_keys(&mut self, doc: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let bytes = document_bytes(&doc)?;
        let t = now_or_clock(now);
        let verifier = self.inner.verifier().clone();
        let edge = self.edge_mut()?;
        let next = edge.update_keys(&bytes, &verifier, t).map_err(into_error)?;
        let o = info_to_js(edge.key_set().expect("a key set was taken"), t);
        set(&o, "changed", JsValue::from_bool(next.is_some()));
        if let Some(v) = next {
            self.inner = drf_sso_jwt::CachedVerifier::new(v, self.capacity).map_err(into_error)?;
        }
        Ok(o.into())
    }

    /// `stateStatus(now?)`: `{policy, issuer, state, keys}` (`state`/`keys`: the documents in
    /// force, or `null`).
    #[wasm_bindgen(js_name = stateStatus)]
    pub fn state_status(&self, now: Option<f64>) -> JsValue {
        let t = now_or_clock(now);
        let o = Object::new();
        let e = self.edge.as_ref();
        set(
            &o,
            "policy",
            e.and_then(|e| e.policy())
                .map_or(JsValue::NULL, |p| p.name().into()),
        );
        set(&o, "issuer", e.map_or(JsValue::NULL, |e| e.issuer().into()));
        set(
            &o,
            "state",
            e.and_then(|e| e.session_state())
                .map_or(JsValue::NULL, |s| state_to_js(s, t).into()),
        );
        set(
            &o,
            "keys",
            e.and_then(|e| e.key_set())
                .map_or(JsValue::NULL, |k| info_to_js(k, t).into()),
        );
        o.into()
    }
}

#[wasm_bindgen]
pub fn decode(token: &str) -> Result<JsValue, JsValue> {
    drf_sso_jwt::dangerous::decode(token)
        .map(|t| token_to_js(&t))
        .map_err(into_error)
}

#[cfg(feature = "sign")]
mod sign {
    use super::*;
    use drf_sso_jwt::signing::{Claim, Payload, Subject};

    /// A payload claim: `Date` → datetime, anything else → JSON value.
    fn claim_from_js(v: &JsValue, key: &str) -> Result<Claim, JsValue> {
        if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            let t = d.get_time();
            if !t.is_finite() {
                return Err(type_error(&format!("claim {key:?}: invalid Date")));
            }
            return Ok(Claim::DateTime(t / 1000.0));
        }
        value_from_js(v, key, 1).map(Claim::Value)
    }

    fn payload_from_js(v: &JsValue) -> Result<Payload, JsValue> {
        if !v.is_object() || Array::is_array(v) {
            return Err(type_error("payload must be an object"));
        }
        let mut p = Payload::new();
        for e in entries(v).iter() {
            let e: Array = e.unchecked_into();
            let (k, item) = (e.get(0).as_string().unwrap_or_default(), e.get(1));
            if !item.is_undefined() {
                p.set(&k, claim_from_js(&item, &k)?);
            }
        }
        Ok(p)
    }

    fn payload_to_js(p: &Payload) -> JsValue {
        let o = Object::new();
        for (k, c) in p.iter() {
            let v = match c {
                Claim::Value(v) => value_to_js(v),
                Claim::DateTime(t) => js_sys::Date::new(&JsValue::from_f64(t * 1000.0)).into(),
            };
            set_own(&o, k, &v);
        }
        o.into()
    }

    fn extra_from_js(v: &JsValue) -> Result<Vec<(String, Value)>, JsValue> {
        if v.is_null() || v.is_undefined() {
            return Ok(Vec::new());
        }
        if !v.is_object() || Array::is_array(v) {
            return Err(type_error("extra claims must be an object"));
        }
        Ok(map_from_js(v, "extra", 1)?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn subject_from_js(v: &JsValue) -> Result<Subject, JsValue> {
        if !v.is_object() {
            return Err(type_error(
                "subject must be an object {sid, uid, cid?, email?}",
            ));
        }
        let field = |name: &str, required: bool| -> Result<Value, JsValue> {
            let item = Reflect::get(v, &name.into()).unwrap_or(JsValue::UNDEFINED);
            if item.is_undefined() {
                if required {
                    return Err(type_error(&format!("subject.{name} is required")));
                }
                return Ok(Value::Str(String::new()));
            }
            value_from_js(&item, name, 1)
        };
        Ok(Subject {
            sid: field("sid", true)?,
            cid: field("cid", false)?,
            uid: field("uid", true)?,
            email: field("email", false)?,
        })
    }

    fn seconds_from_js(v: &JsValue) -> Result<Option<f64>, JsValue> {
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            return Ok(Some(d.get_time() / 1000.0)).and_then(|t| match t {
                Some(t) if t.is_finite() => Ok(Some(t)),
                _ => Err(type_error("lastIssuedAt: invalid Date")),
            });
        }
        match v.as_f64() {
            Some(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(type_error(
                "lastIssuedAt must be seconds since the epoch, a Date, or null",
            )),
        }
    }

    /// Signs tokens as the server's `encode_jwt_token`; private keys parsed once.
    #[wasm_bindgen(js_name = Issuer)]
    pub struct JsIssuer {
        inner: drf_sso_jwt::Issuer,
    }

    #[wasm_bindgen(js_class = Issuer)]
    impl JsIssuer {
        /// `new Issuer(settings, {fileName: PEM text with a private key})`.
        #[wasm_bindgen(constructor)]
        pub fn new(settings: JsValue, private_keys: JsValue) -> Result<JsIssuer, JsValue> {
            let settings = settings_from_js(&settings)?;
            let mut files = Vec::new();
            for m in material_from_js(&private_keys)? {
                match m {
                    drf_sso_jwt::KeyMaterial::File { name, contents } => {
                        files.push((name, contents))
                    }
                    _ => return Err(type_error("private keys must be {fileName: PEM text}")),
                }
            }
            let inner = drf_sso_jwt::Issuer::new(settings, files).map_err(into_error)?;
            Ok(JsIssuer { inner })
        }

        /// `encode(payload, now?)` → compact JWT; `Date` values are datetimes.
        pub fn encode(&self, payload: JsValue, now: Option<f64>) -> Result<String, JsValue> {
            let p = payload_from_js(&payload)?;
            self.inner.encode(&p, now_or_clock(now)).map_err(into_error)
        }
    }

    /// `createSessionPayload(subject, lastIssuedAt?, extra?)`: `iat` comes back as a `Date` (or `null`).
    #[wasm_bindgen(js_name = createSessionPayload)]
    pub fn create_session_payload(
        subject: JsValue,
        last_issued_at: JsValue,
        extra: JsValue,
    ) -> Result<JsValue, JsValue> {
        let s = subject_from_js(&subject)?;
        let p = drf_sso_jwt::create_session_payload(
            &s,
            seconds_from_js(&last_issued_at)?,
            &extra_from_js(&extra)?,
        );
        Ok(payload_to_js(&p))
    }

    /// `createAuthorizationPayload(subject, extra?)`.
    #[wasm_bindgen(js_name = createAuthorizationPayload)]
    pub fn create_authorization_payload(
        subject: JsValue,
        extra: JsValue,
    ) -> Result<JsValue, JsValue> {
        let s = subject_from_js(&subject)?;
        Ok(payload_to_js(&drf_sso_jwt::create_authorization_payload(
            &s,
            &extra_from_js(&extra)?,
        )))
    }
}
