//! The wasm-bindgen layer (feature `wasm`): JavaScript in, JavaScript out, and no
//! verification logic of its own. Everything is decided by [`crate::Verifier`],
//! [`crate::dangerous::decode`] and (feature `sign`) [`crate::Issuer`].
//!
//! Values cross as plain JavaScript: objects (key order preserved, `__proto__` kept
//! as an own property), arrays, strings, booleans, `null`, numbers, and `BigInt` for
//! integers outside ±(2^53 − 1). Failures are thrown as a plain object named `SsoError`
//! with `code`, `detail` and `message`; the package's JS entry rethrows it as its `SsoError` class.

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, BigInt, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::json::{Int, Map, Value};
use crate::{Error, Settings, TokenData};

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;
/// Nesting accepted when reading JS values (settings, payloads), as the JSON reader allows.
const MAX_DEPTH: usize = 64;

/// The one conversion of a crate [`Error`] into a thrown JS value: a plain object
/// `{name: "SsoError", code, detail, message}` (no stack capture here; the package's JS
/// entry turns it into its `SsoError` class, a real `Error`).
fn into_error(e: Error) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"name".into(), &"SsoError".into());
    let _ = Reflect::set(&o, &"code".into(), &e.code().into());
    let _ = Reflect::set(&o, &"detail".into(), &e.detail().into());
    let _ = Reflect::set(&o, &"message".into(), &e.message().into());
    o.into()
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
        return Err(type_error(&alloc::format!(
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
            return Err(type_error(&alloc::format!(
                "{what}: {f} is not a JSON number"
            )));
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
        return crate::json::parse_int_text(&text)
            .map(Value::Int)
            .map_err(|m| type_error(&m));
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let t = d.get_time();
        if !t.is_finite() {
            return Err(type_error(&alloc::format!("{what}: invalid Date")));
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
    Err(type_error(&alloc::format!(
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

#[cfg(feature = "sign")]
fn date_text(secs: f64) -> String {
    crate::signing::django_datetime(secs)
}

#[cfg(not(feature = "sign"))]
fn date_text(secs: f64) -> String {
    // Same text without the signing module: ISO 8601 UTC as `Date.prototype.toISOString`.
    let d = js_sys::Date::new(&JsValue::from_f64(secs * 1000.0));
    d.to_iso_string().into()
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

/// Key material: `{name: PEM text | JWK text | JWK object}`, a JWKS object `{keys: [...]}`
/// (one entry, keys named by `kid`), or JWKS/JWK JSON text.
fn material_from_js(v: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let stringify = |x: &JsValue| -> Result<String, JsValue> {
        js_sys::JSON::stringify(x)
            .map(String::from)
            .map_err(|_| type_error("key material is not JSON-serialisable"))
    };
    if v.is_null() || v.is_undefined() {
        return Ok(Vec::new());
    }
    if let Some(text) = v.as_string() {
        return Ok(alloc::vec![(String::from("jwks"), text)]);
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(type_error(
            "keys must be an object {name: PEM or JWK} or a JWKS {keys: [...]}",
        ));
    }
    if Reflect::get(v, &"keys".into())
        .map(|k| Array::is_array(&k))
        .unwrap_or(false)
    {
        return Ok(alloc::vec![(String::from("jwks"), stringify(v)?)]);
    }
    let mut out = Vec::new();
    for e in entries(v).iter() {
        let e: Array = e.unchecked_into();
        let (name, item) = (e.get(0).as_string().unwrap_or_default(), e.get(1));
        let text = match item.as_string() {
            Some(t) => t,
            None if item.is_object() => stringify(&item)?,
            None => {
                return Err(type_error(&alloc::format!(
                    "key {name:?}: expected PEM text or a JWK"
                )))
            }
        };
        out.push((name, text));
    }
    Ok(out)
}

fn now_or_clock(now: Option<f64>) -> f64 {
    now.unwrap_or_else(|| js_sys::Date::now() / 1000.0)
}

/// Verifies drf-sso tokens; settings and keys are parsed once, in the constructor.
#[wasm_bindgen(js_name = Verifier)]
pub struct JsVerifier {
    inner: crate::CachedVerifier,
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
        let material = material_from_js(&keys)?;
        let store = crate::KeyStore::new(
            &settings,
            material.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .map_err(into_error)?;
        let size = cache_size.map_or(crate::CachedVerifier::DEFAULT_CAPACITY, |n| n as usize);
        Ok(JsVerifier {
            inner: crate::CachedVerifier::new(crate::Verifier::new(settings, store), size),
        })
    }

    /// `verify(token, now?)` → `{header, payload}`; throws `SsoError`.
    pub fn verify(&mut self, token: &str, now: Option<f64>) -> Result<JsValue, JsValue> {
        self.inner
            .verify(token, now_or_clock(now))
            .map(|t| token_to_js(&t))
            .map_err(into_error)
    }

    /// `authenticate(headerValue | null, now?)` → `{header, payload}` or `null`; throws `SsoError`.
    /// Each char of the header string is one byte (U+0000..U+00FF), as HTTP header values are.
    pub fn authenticate(&mut self, header: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let bytes = if header.is_null() || header.is_undefined() {
            None
        } else if let Some(s) = header.as_string() {
            let b: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
            match b {
                Some(b) => Some(b),
                None => {
                    return Err(into_error(Error::InvalidCharacters(
                        "Invalid token header. Token string should not contain invalid characters."
                            .into(),
                    )))
                }
            }
        } else {
            return Err(type_error("header must be a string, null or undefined"));
        };
        match self.inner.authenticate(bytes.as_deref(), now_or_clock(now)) {
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
#[wasm_bindgen]
pub fn decode(token: &str) -> Result<JsValue, JsValue> {
    crate::dangerous::decode(token)
        .map(|t| token_to_js(&t))
        .map_err(into_error)
}

#[cfg(feature = "sign")]
mod sign {
    use super::*;
    use crate::signing::{Claim, Payload, Subject};

    /// A payload claim: `Date` → datetime, anything else → JSON value.
    fn claim_from_js(v: &JsValue, key: &str) -> Result<Claim, JsValue> {
        if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            let t = d.get_time();
            if !t.is_finite() {
                return Err(type_error(&alloc::format!("claim {key:?}: invalid Date")));
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
                    return Err(type_error(&alloc::format!("subject.{name} is required")));
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
        inner: crate::Issuer,
    }

    #[wasm_bindgen(js_class = Issuer)]
    impl JsIssuer {
        /// `new Issuer(settings, {fileName: PEM text with a private key})`.
        #[wasm_bindgen(constructor)]
        pub fn new(settings: JsValue, private_keys: JsValue) -> Result<JsIssuer, JsValue> {
            let settings = settings_from_js(&settings)?;
            let material = material_from_js(&private_keys)?;
            let inner = crate::Issuer::new(
                settings,
                material.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            )
            .map_err(into_error)?;
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
        let p = crate::create_session_payload(
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
        Ok(payload_to_js(&crate::create_authorization_payload(
            &s,
            &extra_from_js(&extra)?,
        )))
    }
}
