//! The `REST_FRAMEWORK_SSO` settings dict (drf-sso 0.8.1 `settings.DEFAULTS`) read
//! from JSON with the same keys and defaults; durations are seconds.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::errors::{Error, Result};
use crate::json::{self, Int, Map, Value};

/// A string or a list of strings, as several settings accept either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// A list of strings.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names as a list (`"a"` → `["a"]`).
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
    /// Python truthiness: empty string / empty list are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            OneOrMany::One(s) => !s.is_empty(),
            OneOrMany::Many(v) => !v.is_empty(),
        }
    }
}

/// drf-sso settings. Field docs give the Django default.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Settings {
    /// `ENCODE_ALGORITHM`, default `"RS256"`.
    pub encode_algorithm: String,
    /// `DECODE_ALGORITHMS`, default `None` (then `[ENCODE_ALGORITHM]`; an empty list too).
    pub decode_algorithms: Option<Vec<String>>,
    /// `VERIFY_SIGNATURE`, default `true`.
    pub verify_signature: bool,
    /// `VERIFY_EXPIRATION`, default `true`.
    pub verify_expiration: bool,
    /// `VERIFY_ISSUER`, default `true`.
    pub verify_issuer: bool,
    /// `VERIFY_AUDIENCE`, default `true`.
    pub verify_audience: bool,
    /// `VERIFY_SESSION_TOKEN`, default `true` (a database check on the server; kept for completeness, unused here).
    pub verify_session_token: bool,
    /// `VERIFY_TOKEN_ISSUED_AT`, default `true` (database check on the server; unused here).
    pub verify_token_issued_at: bool,
    /// `EXPIRATION_LEEWAY` in seconds, default `0`.
    pub expiration_leeway: f64,
    /// `SESSION_EXPIRATION` in seconds, default `None`.
    pub session_expiration: Option<f64>,
    /// `AUTHORIZATION_EXPIRATION` in seconds, default `300`.
    pub authorization_expiration: Option<f64>,
    /// `IDENTITY`, default `None`; the audience tokens must name, and the issuer of tokens signed here.
    pub identity: Option<OneOrMany>,
    /// `SESSION_AUDIENCE`, default `None`.
    pub session_audience: Option<Value>,
    /// `AUTHORIZATION_AUDIENCE`, default `None`.
    pub authorization_audience: Option<Value>,
    /// `ACCEPTED_ISSUERS`, default `None` (any issuer with keys); a string means substring test, as Python's `in`.
    pub accepted_issuers: Option<OneOrMany>,
    /// `KEY_STORE_ROOT`, default `None`.
    pub key_store_root: Option<String>,
    /// `PUBLIC_KEYS`: issuer → key file name(s), default `{}`.
    pub public_keys: Vec<(String, OneOrMany)>,
    /// `PRIVATE_KEYS`: issuer → key file name(s), default `{}`.
    pub private_keys: Vec<(String, OneOrMany)>,
    /// `AUTHENTICATE_HEADER`, default `"JWT"`.
    pub authenticate_header: String,
    /// Not a Django setting: tokens longer than this many bytes are refused before decoding (default 8192).
    pub max_token_bytes: usize,
    /// Not a Django setting: `Authorization` header values longer than this many bytes are
    /// refused before they are split (default: twice `MAX_TOKEN_BYTES`, so 16384; when set, it
    /// must exceed `MAX_TOKEN_BYTES`).
    pub max_header_bytes: usize,
    /// Not a Django setting: RSA keys shorter than this many bits are refused when loaded (default 2048).
    pub min_key_bits: usize,
    /// Not a Django setting: JSON nesting allowed in header and payload (default 64).
    pub max_json_depth: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            encode_algorithm: "RS256".to_owned(),
            decode_algorithms: None,
            verify_signature: true,
            verify_expiration: true,
            verify_issuer: true,
            verify_audience: true,
            verify_session_token: true,
            verify_token_issued_at: true,
            expiration_leeway: 0.0,
            session_expiration: None,
            authorization_expiration: Some(300.0),
            identity: None,
            session_audience: None,
            authorization_audience: None,
            accepted_issuers: None,
            key_store_root: None,
            public_keys: Vec::new(),
            private_keys: Vec::new(),
            authenticate_header: "JWT".to_owned(),
            max_token_bytes: 8192,
            max_header_bytes: 16384,
            min_key_bits: 2048,
            max_json_depth: 64,
        }
    }
}

/// Settings that name Python callables: accepted (string or null) and ignored.
const IMPORT_STRINGS: [&str; 5] = [
    "CREATE_SESSION_PAYLOAD",
    "CREATE_AUTHORIZATION_PAYLOAD",
    "ENCODE_JWT_TOKEN",
    "DECODE_JWT_TOKEN",
    "AUTHENTICATE_PAYLOAD",
];

fn bad(key: &str, want: &str) -> Error {
    Error::Config(format!("setting {key} must be {want}").into())
}

fn string(key: &str, v: &Value) -> Result<String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| bad(key, "a string"))
}

fn opt_string(key: &str, v: &Value) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        v => string(key, v).map(Some),
    }
}

fn boolean(key: &str, v: &Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(bad(key, "true or false")),
    }
}

/// A number of seconds as Python uses it against a float clock: `float(n)` of an int of
/// any size (correctly rounded), a float as it is. Ints beyond a float's range are refused:
/// the server's `now - leeway` would raise `OverflowError`.
fn seconds(key: &str, v: &Value) -> Result<f64> {
    let f = match v {
        Value::Int(i) => crate::pyfloat::parse(i.to_text().as_bytes()).unwrap_or(f64::INFINITY),
        Value::Float(f) => *f,
        _ => return Err(bad(key, "a number of seconds")),
    };
    if f.is_finite() {
        Ok(f)
    } else {
        Err(bad(
            key,
            "a number of seconds within a float's range (the server raises OverflowError)",
        ))
    }
}

fn opt_seconds(key: &str, v: &Value) -> Result<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        v => seconds(key, v).map(Some),
    }
}

/// A non-negative integer; beyond `usize` (32 bits on wasm32) it saturates, which for every
/// count setting is the same limit in effect (or, for `MIN_KEY_BITS`, refuses every key).
fn count(key: &str, v: &Value) -> Result<usize> {
    match v {
        Value::Int(Int::Small(i)) if *i >= 0 => Ok(usize::try_from(*i).unwrap_or(usize::MAX)),
        Value::Int(Int::Big(text)) if !text.starts_with('-') => Ok(usize::MAX),
        _ => Err(bad(key, "a non-negative integer")),
    }
}

fn string_list(key: &str, v: &Value) -> Result<Vec<String>> {
    match v {
        Value::Array(items) => items.iter().map(|i| string(key, i)).collect(),
        _ => Err(bad(key, "a list of strings")),
    }
}

fn one_or_many(key: &str, v: &Value) -> Result<OneOrMany> {
    match v {
        Value::Str(s) => Ok(OneOrMany::One(s.clone())),
        Value::Array(_) => string_list(key, v).map(OneOrMany::Many),
        _ => Err(bad(key, "a string or a list of strings")),
    }
}

fn opt_one_or_many(key: &str, v: &Value) -> Result<Option<OneOrMany>> {
    match v {
        Value::Null => Ok(None),
        v => one_or_many(key, v).map(Some),
    }
}

fn audience(key: &str, v: &Value) -> Result<Option<Value>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(_) => Ok(Some(v.clone())),
        Value::Array(_) => string_list(key, v).map(|_| Some(v.clone())),
        _ => Err(bad(key, "null, a string or a list of strings")),
    }
}

fn key_map(key: &str, v: &Value) -> Result<Vec<(String, OneOrMany)>> {
    let m = v
        .as_object()
        .ok_or_else(|| bad(key, "an object mapping issuer to key file name(s)"))?;
    m.iter()
        .map(|(iss, names)| Ok((iss.clone(), one_or_many(&format!("{key}[{iss:?}]"), names)?)))
        .collect()
}

impl Settings {
    /// Reads the `REST_FRAMEWORK_SSO` dict from JSON text. Unknown keys are an error (a typo would
    /// otherwise silently keep a default); wrongly typed values name the key.
    pub fn from_json(text: &str) -> Result<Settings> {
        let v = json::loads(text.as_bytes(), 32)
            .map_err(|e| Error::Config(format!("settings are not valid JSON: {e:?}").into()))?;
        let m = v
            .as_object()
            .ok_or_else(|| Error::Config("settings must be a JSON object".into()))?;
        Settings::from_map(m)
    }

    /// Reads settings from an already decoded JSON object.
    pub fn from_map(m: &Map) -> Result<Settings> {
        let mut s = Settings::default();
        let mut header_limit = None;
        for (k, v) in m.iter() {
            let k = k.as_str();
            match k {
                _ if IMPORT_STRINGS.contains(&k) => {
                    opt_string(k, v)?;
                }
                "ENCODE_ALGORITHM" => s.encode_algorithm = string(k, v)?,
                "DECODE_ALGORITHMS" => {
                    s.decode_algorithms = match v {
                        Value::Null => None,
                        v => Some(string_list(k, v)?),
                    }
                }
                "VERIFY_SIGNATURE" => s.verify_signature = boolean(k, v)?,
                "VERIFY_EXPIRATION" => s.verify_expiration = boolean(k, v)?,
                "VERIFY_ISSUER" => s.verify_issuer = boolean(k, v)?,
                "VERIFY_AUDIENCE" => s.verify_audience = boolean(k, v)?,
                "VERIFY_SESSION_TOKEN" => s.verify_session_token = boolean(k, v)?,
                "VERIFY_TOKEN_ISSUED_AT" => s.verify_token_issued_at = boolean(k, v)?,
                "EXPIRATION_LEEWAY" => s.expiration_leeway = seconds(k, v)?,
                "SESSION_EXPIRATION" => s.session_expiration = opt_seconds(k, v)?,
                "AUTHORIZATION_EXPIRATION" => s.authorization_expiration = opt_seconds(k, v)?,
                "IDENTITY" => s.identity = opt_one_or_many(k, v)?,
                "SESSION_AUDIENCE" => s.session_audience = audience(k, v)?,
                "AUTHORIZATION_AUDIENCE" => s.authorization_audience = audience(k, v)?,
                "ACCEPTED_ISSUERS" => s.accepted_issuers = opt_one_or_many(k, v)?,
                "KEY_STORE_ROOT" => s.key_store_root = opt_string(k, v)?,
                "PUBLIC_KEYS" => s.public_keys = key_map(k, v)?,
                "PRIVATE_KEYS" => s.private_keys = key_map(k, v)?,
                "AUTHENTICATE_HEADER" => {
                    s.authenticate_header = string(k, v)?;
                    // An auth-scheme is an RFC 7235 token; ASCII keeps `.lower()` exact without Unicode tables.
                    if !s.authenticate_header.is_ascii() {
                        return Err(bad(k, "an ASCII auth-scheme"));
                    }
                }
                "MAX_TOKEN_BYTES" => s.max_token_bytes = count(k, v)?,
                "MAX_HEADER_BYTES" => header_limit = Some(count(k, v)?),
                "MIN_KEY_BITS" => s.min_key_bits = count(k, v)?,
                "MAX_JSON_DEPTH" => s.max_json_depth = count(k, v)?.clamp(1, 512),
                _ => return Err(Error::Config(format!("unknown setting {k}").into())),
            }
        }
        s.max_header_bytes = match header_limit {
            Some(n) if n <= s.max_token_bytes => {
                return Err(bad("MAX_HEADER_BYTES", "larger than MAX_TOKEN_BYTES"))
            }
            Some(n) => n,
            None => s.max_token_bytes.saturating_mul(2),
        };
        Ok(s)
    }

    /// `DECODE_ALGORITHMS or [ENCODE_ALGORITHM]`.
    pub fn algorithms(&self) -> Vec<String> {
        match &self.decode_algorithms {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![self.encode_algorithm.clone()],
        }
    }

    /// Every key file name a key map mentions, each once, in order of first mention.
    pub(crate) fn key_names(map: &[(String, OneOrMany)]) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for name in map.iter().flat_map(|(_, names)| names.to_vec()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_sized_seconds() {
        let s = Settings::from_json(r#"{"EXPIRATION_LEEWAY": 100000000000000000000}"#).unwrap();
        assert_eq!(s.expiration_leeway, 1e20);
        let huge = format!(r#"{{"EXPIRATION_LEEWAY": 1{}}}"#, "0".repeat(400));
        let e = Settings::from_json(&huge).unwrap_err();
        assert!(e.message().contains("OverflowError"), "{e}");
        let s = Settings::from_json(r#"{"EXPIRATION_LEEWAY": -1e38}"#).unwrap();
        assert_eq!(s.expiration_leeway, -1e38);
    }

    #[test]
    fn reads_django_dict() {
        let s = Settings::from_json(
            r#"{"IDENTITY":"myapp","PUBLIC_KEYS":{"myapp":["a.pem","b.pem"],"o":"c.pem"},
                "AUTHORIZATION_EXPIRATION":60,"DECODE_ALGORITHMS":[],"EXPIRATION_LEEWAY":1.5,
                "DECODE_JWT_TOKEN":"x.y","CREATE_SESSION_PAYLOAD":null}"#,
        )
        .unwrap();
        assert_eq!(s.identity, Some(OneOrMany::One("myapp".into())));
        assert_eq!(s.algorithms(), vec![String::from("RS256")]);
        assert_eq!(s.authorization_expiration, Some(60.0));
        assert_eq!(s.expiration_leeway, 1.5);
        assert_eq!(s.public_keys.len(), 2);
    }

    #[test]
    fn config_errors_name_the_key() {
        let e = Settings::from_json(r#"{"VERIFY_EXPIRATION":"no"}"#).unwrap_err();
        assert_eq!(e.code(), "config");
        assert!(e.message().contains("VERIFY_EXPIRATION"));
        assert!(Settings::from_json(r#"{"VERIFY_EXPIRATON":false}"#)
            .unwrap_err()
            .message()
            .contains("VERIFY_EXPIRATON"));
        assert!(Settings::from_json("[]").is_err());
        assert!(Settings::from_json(r#"{"PUBLIC_KEYS":{"a":1}}"#).is_err());
    }
}
