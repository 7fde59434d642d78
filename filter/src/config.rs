//! The plugin configuration (Envoy's `configuration` StringValue): parsed once in
//! `on_configure`, then shared read-only with every HTTP context.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use core::cell::RefCell;
use drf_sso_jwt::json::{self, Map, Value};

use drf_sso_jwt::{CachedVerifier, KeyMaterial, KeyStore, Settings, Verifier};

/// Claim → request header set on success unless `claim_headers` says otherwise.
pub const DEFAULT_CLAIM_HEADERS: [(&str, &str); 6] = [
    ("uid", "x-sso-uid"),
    ("sid", "x-sso-sid"),
    ("cid", "x-sso-cid"),
    ("email", "x-sso-email"),
    ("iss", "x-sso-iss"),
    ("scopes", "x-sso-scopes"),
];

/// Header carrying the whole verified payload unless `payload_header` says otherwise.
pub const DEFAULT_PAYLOAD_HEADER: &str = "x-sso-payload";

/// Request headers with this prefix are always removed before anything else (forgery).
pub const RESERVED_PREFIX: &str = "x-sso-";

/// Largest plugin configuration accepted (keys included).
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// The filter configuration, ready to use.
#[derive(Debug)]
pub struct Config {
    /// Settings and keys, parsed once, with the verified-token cache (one per filter instance).
    pub verifier: RefCell<CachedVerifier>,
    /// Lower-cased name of the header holding the credentials (`authorization`).
    pub header: String,
    /// No credentials: pass through unauthenticated (DRF semantics) or answer 401.
    pub allow_anonymous: bool,
    /// Path prefixes that are not authenticated (matched on whole segments).
    pub skip_paths: Vec<String>,
    /// (claim, lower-cased header name) pairs set from a verified token.
    pub claim_headers: Vec<(String, String)>,
    /// Lower-cased header for the base64url compact JSON payload, if any.
    pub payload_header: Option<String>,
    /// Remove the credentials header after a successful verification.
    pub strip_token: bool,
    /// `WWW-Authenticate` value on 401: `{AUTHENTICATE_HEADER} realm="api"`, as DRF sends it.
    pub www_authenticate: String,
}

fn err(msg: impl Into<String>) -> String {
    msg.into()
}

fn header_name(what: &str, v: &Value) -> Result<String, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("{what} must be a string"))?;
    if s.is_empty() || !s.bytes().all(is_tchar) {
        return Err(format!("{what} {s:?} is not a valid HTTP header name"));
    }
    Ok(s.to_ascii_lowercase())
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn boolean(what: &str, v: Option<&Value>, default: bool) -> Result<bool, String> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{what} must be true or false")),
    }
}

const KNOWN: [&str; 9] = [
    "settings",
    "keys",
    "header",
    "allow_anonymous",
    "skip_paths",
    "claim_headers",
    "payload_header",
    "strip_token",
    "cache_size",
];

impl Config {
    /// Parses the plugin configuration; the error is a one-line reason for the host log.
    pub fn parse(bytes: &[u8]) -> Result<Config, String> {
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(format!(
                "configuration is {} bytes, over {MAX_CONFIG_BYTES}",
                bytes.len()
            ));
        }
        let root = json::parse(bytes)
            .map_err(|e| format!("configuration is not valid JSON: {}", e.message()))?;
        let Value::Object(root) = root else {
            return Err(err("configuration must be a JSON object"));
        };
        if let Some((k, _)) = root.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "unknown configuration key {k:?} (known: {})",
                KNOWN.join(", ")
            ));
        }

        let settings = match root.get("settings") {
            Some(Value::Object(m)) => {
                Settings::from_map(m).map_err(|e| format!("settings: {}", e.message()))?
            }
            None => {
                return Err(err(
                    "\"settings\" (the REST_FRAMEWORK_SSO dict) is required",
                ))
            }
            Some(_) => return Err(err("\"settings\" must be an object")),
        };
        // Key material in the core's JSON shape: {file name: key file text | JWK} or a JWKS.
        let material = match root.get("keys") {
            Some(v) => KeyMaterial::from_json(v).map_err(|e| format!("keys: {}", e.message()))?,
            None => Vec::new(),
        };
        let store =
            KeyStore::new(&settings, material).map_err(|e| format!("keys: {}", e.message()))?;
        let www_authenticate = format!("{} realm=\"api\"", settings.authenticate_header);
        if www_authenticate.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(err(
                "settings: AUTHENTICATE_HEADER must not contain control characters",
            ));
        }
        let cache_size = match root.get("cache_size") {
            None | Some(Value::Null) => CachedVerifier::DEFAULT_CAPACITY,
            Some(Value::Int(drf_sso_jwt::json::Int::Small(n))) if *n >= 0 => {
                usize::try_from(*n).unwrap_or(usize::MAX)
            }
            Some(_) => return Err(err("cache_size must be a non-negative integer")),
        };
        let verifier = Verifier::new(settings, store).map_err(|e| e.message().to_owned())?;
        let verifier = RefCell::new(
            CachedVerifier::new(verifier, cache_size)
                .map_err(|e| format!("cache_size: {}", e.message()))?,
        );

        let header = match root.get("header") {
            None | Some(Value::Null) => "authorization".to_owned(),
            Some(v) => header_name("header", v)?,
        };
        let allow_anonymous = boolean("allow_anonymous", root.get("allow_anonymous"), true)?;
        let strip_token = boolean("strip_token", root.get("strip_token"), false)?;

        let skip_paths = match root.get("skip_paths") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v.as_str() {
                    Some(p) if p.starts_with('/') => Ok(p.to_owned()),
                    _ => Err(format!(
                        "skip_paths entries must be strings starting with '/', got {}",
                        json::dumps(v, false)
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(err("skip_paths must be a list of path prefixes")),
        };

        let claim_headers = match root.get("claim_headers") {
            None | Some(Value::Null) => DEFAULT_CLAIM_HEADERS
                .iter()
                .map(|(c, h)| ((*c).to_owned(), (*h).to_owned()))
                .collect(),
            Some(Value::Object(m)) => claim_map(m)?,
            Some(_) => {
                return Err(err(
                    "claim_headers must be an object of claim → header name",
                ))
            }
        };
        let payload_header = match root.get("payload_header") {
            None => Some(DEFAULT_PAYLOAD_HEADER.to_owned()),
            Some(Value::Null) => None,
            Some(v) => Some(header_name("payload_header", v)?),
        };
        for name in claim_headers
            .iter()
            .map(|(_, h)| h)
            .chain(payload_header.iter())
        {
            if *name == header || name.starts_with(':') {
                return Err(format!("header {name:?} cannot carry claims"));
            }
        }

        Ok(Config {
            verifier,
            header,
            allow_anonymous,
            skip_paths,
            claim_headers,
            payload_header,
            strip_token,
            www_authenticate,
        })
    }

    /// Is `name` (lower-case) a header only this filter may set?
    pub fn is_reserved(&self, name: &str) -> bool {
        let lower = name.len() >= RESERVED_PREFIX.len()
            && name[..RESERVED_PREFIX.len()].eq_ignore_ascii_case(RESERVED_PREFIX);
        lower
            || self
                .claim_headers
                .iter()
                .any(|(_, h)| h.eq_ignore_ascii_case(name))
            || self
                .payload_header
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(name))
    }

    /// Does `path` (the `:path` pseudo-header, query included) skip authentication?
    /// A prefix matches whole segments only (`/healthz` matches `/healthz`, `/healthz/x`
    /// and `/healthz?q`, not `/healthzx`), and paths with dot segments, `%` escapes,
    /// backslashes or empty segments never skip: the upstream could read them differently.
    pub fn skips(&self, path: &[u8]) -> bool {
        if self.skip_paths.is_empty() {
            return false;
        }
        let end = path
            .iter()
            .position(|&b| b == b'?' || b == b'#')
            .unwrap_or(path.len());
        let path = &path[..end];
        if path.contains(&b'%') || path.contains(&b'\\') || path.windows(2).any(|w| w == b"//") {
            return false;
        }
        if path
            .split(|&b| b == b'/')
            .any(|seg| seg == b"." || seg == b"..")
        {
            return false;
        }
        self.skip_paths.iter().any(|p| {
            let p = p.as_bytes();
            path.starts_with(p)
                && (path.len() == p.len() || p.ends_with(b"/") || path[p.len()] == b'/')
        })
    }
}

fn claim_map(m: &Map) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (claim, v) in m.iter() {
        match v {
            Value::Null => continue, // `"email": null` turns a default off
            v => {
                let h = header_name(&format!("claim_headers[{claim:?}]"), v)?;
                if out.iter().any(|(_, o)| *o == h) {
                    return Err(format!("header {h:?} is used for two claims"));
                }
                out.push((claim.clone(), h));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../keys/myapp-20200410.pem");

    fn config(extra: &str) -> Result<Config, String> {
        let pem = json::dumps(&Value::Str(PEM.into()), false);
        Config::parse(
            format!(r#"{{"settings": {{"PUBLIC_KEYS": {{"myapp": "k.pem"}}}}, "keys": {{"k.pem": {pem}}}{extra}}}"#)
                .as_bytes(),
        )
    }

    #[test]
    fn defaults() {
        let c = config("").unwrap();
        assert_eq!(c.header, "authorization");
        assert!(c.allow_anonymous && !c.strip_token);
        assert_eq!(c.claim_headers.len(), 6);
        assert_eq!(c.payload_header.as_deref(), Some("x-sso-payload"));
        assert_eq!(c.www_authenticate, "JWT realm=\"api\"");
        assert!(
            c.is_reserved("X-SSO-Anything")
                && c.is_reserved("x-sso-payload")
                && !c.is_reserved("x-ss")
        );
    }

    #[test]
    fn skip_paths_match_segments_and_refuse_ambiguous_paths() {
        let c = config(r#", "skip_paths": ["/healthz", "/static/"]"#).unwrap();
        for p in [
            "/healthz",
            "/healthz/",
            "/healthz/a",
            "/healthz?x=1",
            "/healthz#f",
            "/static/a.js",
            "/static/",
        ] {
            assert!(c.skips(p.as_bytes()), "{p}");
        }
        for p in [
            "/healthzz",
            "/static",
            "/",
            "/x/healthz",
            "/healthz/../a",
            "/healthz/./a",
            "/healthz/%2e%2e/a",
            "//healthz",
            "/healthz\\..\\a",
        ] {
            assert!(!c.skips(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(config(r#", "claim_headers": {"uid": "bad name"}"#)
            .unwrap_err()
            .contains("not a valid HTTP header name"));
        assert!(config(r#", "claim_headers": {"uid": "x-a", "sid": "X-A"}"#)
            .unwrap_err()
            .contains("two claims"));
        assert!(config(r#", "payload_header": ":path""#).is_err());
        assert!(config(r#", "nope": 1"#)
            .unwrap_err()
            .contains("unknown configuration key"));
        assert!(Config::parse(b"{}").unwrap_err().contains("settings"));
        // A key file not given fails only the tokens selecting it (the core's per-token rule).
        assert!(Config::parse(br#"{"settings": {"PUBLIC_KEYS": {"a": "x.pem"}}}"#).is_ok());
        assert!(Config::parse(br#"{"settings": {}, "keys": {"a": {"kty": "EC"}}}"#)
            .unwrap_err()
            .starts_with("keys:"));
    }

    #[test]
    fn header_values() {
        use crate::decide::header_value;
        let v = |t: &str| header_value(&json::parse(t.as_bytes()).unwrap());
        assert_eq!(v("7").as_deref(), Some("7"));
        assert_eq!(v("1.5").as_deref(), Some("1.5"));
        assert_eq!(v("false").as_deref(), Some("False"));
        assert_eq!(v(r#"["a", "é"]"#).as_deref(), Some(r#"["a","\u00e9"]"#));
        assert_eq!(v(r#""é""#).as_deref(), Some("é"));
        assert_eq!(v("null"), None);
        assert_eq!(v(r#""a\r\nb""#), None);
    }
}
