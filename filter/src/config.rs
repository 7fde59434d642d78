//! The plugin configuration (Envoy's `configuration`: JSON text in a StringValue, or a
//! google.protobuf.Struct): parsed once in `on_configure`, then shared read-only with
//! every HTTP context.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use core::cell::RefCell;
use drf_sso_jwt::json::{self, Map, Value};

use drf_sso_jwt::{CachedVerifier, KeyMaterial, KeyStore, Settings, Verifier};

use crate::converted::Converted;
use crate::feed_config::{self, FeedConfig};
use crate::pbstruct;
use crate::policy::{self, PathMatch, Requirement, Rule, Rules};

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

/// Counter names start with this unless `stat_prefix` says otherwise.
pub const DEFAULT_STAT_PREFIX: &str = "drf_sso_jwt";

/// Headers a claim must never be written to: they frame or route the request.
const NOT_FOR_CLAIMS: [&str; 11] = [
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "cookie",
];

/// The filter configuration, ready to use.
#[derive(Debug)]
pub struct Config {
    /// Settings and keys, parsed once, with the verified-token cache (one per filter instance).
    pub verifier: RefCell<CachedVerifier>,
    /// The request headers already built for verified tokens (as many slots as the cache).
    pub converted: RefCell<Converted>,
    /// Lower-cased name of the header holding the credentials (`authorization`).
    pub header: String,
    /// `skip_paths`, then `rules`, then the default rule (`allow_anonymous`, `token`, `scopes`).
    pub rules: Rules,
    /// (claim, lower-cased header name) pairs set from a verified token.
    pub claim_headers: Vec<(String, String)>,
    /// Lower-cased header for the base64url compact JSON payload, if any.
    pub payload_header: Option<String>,
    /// Remove the credentials header after a successful verification.
    pub strip_token: bool,
    /// `WWW-Authenticate` value on 401: the `AUTHENTICATE_HEADER` setting, as drf-sso's
    /// `JWTAuthentication.authenticate_header` returns it (no `realm`).
    pub www_authenticate: String,
    /// First part of every counter name (`<stat_prefix>.allowed`, …).
    pub stat_prefix: String,
    /// Slots of the verified-token cache (a key set from the feed starts a new one).
    pub cache_size: usize,
    /// Where the session state and key set come from (`feed`), if anywhere.
    pub feed: Option<FeedConfig>,
    /// The documents in force (`None` without a feed); swapped whole by the root context.
    pub edge: RefCell<Option<drf_sso_jwt::EdgeState>>,
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

const KNOWN: [&str; 14] = [
    "settings",
    "keys",
    "header",
    "allow_anonymous",
    "skip_paths",
    "rules",
    "token",
    "scopes",
    "claim_headers",
    "payload_header",
    "strip_token",
    "cache_size",
    "stat_prefix",
    "feed",
];

impl Config {
    /// Parses the plugin configuration; the error is a one-line reason for the host log.
    /// JSON text, or the serialized google.protobuf.Struct Envoy passes for a Struct
    /// `configuration` (no JSON text contains the byte 0x12 a Struct field carries, so
    /// the two cannot be confused).
    pub fn parse(bytes: &[u8]) -> Result<Config, String> {
        if bytes.len() > MAX_CONFIG_BYTES {
            return Err(format!(
                "configuration is {} bytes, over {MAX_CONFIG_BYTES}",
                bytes.len()
            ));
        }
        let root = match json::parse(bytes) {
            Ok(v) => v,
            Err(e) => match pbstruct::decode(bytes) {
                Some(v) => v,
                None => {
                    return Err(format!(
                        "configuration is not valid JSON (nor a google.protobuf.Struct): {}",
                        e.message()
                    ))
                }
            },
        };
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
        let www_authenticate = settings.authenticate_header.clone();
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
        let feed = match root.get("feed") {
            None | Some(Value::Null) => None,
            Some(v) => Some(FeedConfig::parse(v)?),
        };
        let edge = match &feed {
            Some(f) => Some(feed_config::edge_state(f, &settings)?),
            None => None,
        };
        let verifier = Verifier::new(settings, store).map_err(|e| e.message().to_owned())?;
        let verifier = RefCell::new(
            CachedVerifier::new(verifier, cache_size)
                .map_err(|e| format!("cache_size: {}", e.message()))?,
        );
        let converted = RefCell::new(Converted::new(cache_size));

        let header = match root.get("header") {
            None | Some(Value::Null) => "authorization".to_owned(),
            Some(v) => header_name("header", v)?,
        };
        let allow_anonymous = boolean("allow_anonymous", root.get("allow_anonymous"), true)?;
        let strip_token = boolean("strip_token", root.get("strip_token"), false)?;

        let mut rules = match root.get("skip_paths") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v.as_str() {
                    Some(p) if p.starts_with('/') => Ok(Rule {
                        path: PathMatch::Prefix(p.to_owned()),
                        methods: None,
                        requirement: Requirement::Skip,
                        token: policy::TokenKind::Any,
                        scopes: Vec::new(),
                    }),
                    _ => Err(format!(
                        "skip_paths entries must be strings starting with '/', got {}",
                        json::dumps(v, false)
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(err("skip_paths must be a list of path prefixes")),
        };
        match root.get("rules") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for (i, r) in a.iter().enumerate() {
                    rules.push(policy::rule(i, r)?);
                }
            }
            Some(_) => return Err(err("rules must be a list of rule objects")),
        }
        let default = Rule {
            path: PathMatch::Any,
            methods: None,
            requirement: if allow_anonymous {
                Requirement::Optional
            } else {
                Requirement::Required
            },
            token: policy::token_kind("token", root.get("token"))?,
            scopes: policy::scopes("scopes", root.get("scopes"))?,
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
            if *name == header || NOT_FOR_CLAIMS.contains(&name.as_str()) {
                return Err(format!("header {name:?} cannot carry claims"));
            }
        }
        let stat_prefix = match root.get("stat_prefix") {
            None | Some(Value::Null) => DEFAULT_STAT_PREFIX.to_owned(),
            Some(Value::Str(s))
                if !s.is_empty()
                    && s.len() <= 64
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !s.as_bytes()[0].is_ascii_digit() =>
            {
                s.clone()
            }
            Some(_) => return Err(err(
                "stat_prefix must be 1-64 characters of [A-Za-z0-9_], not starting with a digit",
            )),
        };

        let cfg = Config {
            verifier,
            converted,
            header,
            rules: Rules { rules, default },
            claim_headers,
            payload_header,
            strip_token,
            www_authenticate,
            stat_prefix,
            cache_size,
            feed,
            edge: RefCell::new(edge),
        };
        // The filter removes reserved headers before reading the credentials: a reserved
        // credentials header would never be read, and every request would pass unauthenticated.
        if cfg.is_reserved(cfg.header.as_bytes()) {
            return Err(format!(
                "header {:?} is reserved for claims (x-sso-*, claim_headers, payload_header): \
                 the filter removes it from every request, so it cannot carry the credentials",
                cfg.header
            ));
        }
        Ok(cfg)
    }

    /// Is `name` a header only this filter may set? Byte-wise and ASCII case-insensitive:
    /// any name, even one that is not UTF-8, gets an answer.
    pub fn is_reserved(&self, name: &[u8]) -> bool {
        let prefix = RESERVED_PREFIX.as_bytes();
        (name.len() >= prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(prefix))
            || self
                .claim_headers
                .iter()
                .any(|(_, h)| h.as_bytes().eq_ignore_ascii_case(name))
            || self
                .payload_header
                .as_deref()
                .is_some_and(|h| h.as_bytes().eq_ignore_ascii_case(name))
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
        assert!(!c.strip_token);
        assert_eq!(c.rules.default.requirement, Requirement::Optional);
        assert_eq!(c.stat_prefix, "drf_sso_jwt");
        assert_eq!(c.claim_headers.len(), 6);
        assert_eq!(c.payload_header.as_deref(), Some("x-sso-payload"));
        assert_eq!(c.www_authenticate, "JWT");
        assert!(
            c.is_reserved(b"X-SSO-Anything")
                && c.is_reserved(b"x-sso-payload")
                && !c.is_reserved(b"x-ss")
        );
        // Names that are not ASCII (or not UTF-8) get an answer, never a panic.
        for name in ["x-sso\u{e9}", "x-ss\u{e9}\u{e9}", "\u{e9}", "x-sso-\u{e9}"] {
            assert_eq!(
                c.is_reserved(name.as_bytes()),
                name.starts_with("x-sso-"),
                "{name}"
            );
        }
        assert!(!c.is_reserved(b"x-ss\xff\xfe") && c.is_reserved(b"x-sso-\xff"));
    }

    #[test]
    fn skip_paths_match_segments_and_refuse_ambiguous_paths() {
        let c = config(r#", "skip_paths": ["/healthz", "/static/"]"#).unwrap();
        let skips = |p: &str| c.rules.select(b"GET", p.as_bytes()).requirement == Requirement::Skip;
        for p in [
            "/healthz",
            "/healthz/",
            "/healthz/a",
            "/healthz?x=1",
            "/healthz#f",
            "/static/a.js",
            "/static/",
        ] {
            assert!(skips(p), "{p}");
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
            "/healthz//x",
        ] {
            assert!(!skips(p), "{p}");
        }
    }

    #[test]
    fn the_credentials_header_cannot_be_one_the_filter_strips() {
        for extra in [
            r#", "header": "x-sso-token""#,
            r#", "header": "X-SSO-Token""#,
            r#", "header": "x-user", "claim_headers": {"uid": "x-user"}"#,
            r#", "header": "x-payload", "payload_header": "x-payload""#,
        ] {
            let e = config(extra).unwrap_err();
            assert!(
                e.contains("cannot carry the credentials") || e.contains("cannot carry claims"),
                "{extra}: {e}"
            );
        }
        assert!(config(r#", "header": "x-api-token""#).is_ok());
        for h in ["host", "content-length", "transfer-encoding", "cookie"] {
            let e = config(&format!(r#", "claim_headers": {{"uid": "{h}"}}"#)).unwrap_err();
            assert!(e.contains("cannot carry claims"), "{h}: {e}");
        }
    }

    #[test]
    fn rules_and_default_rule() {
        let c = config(
            r#", "allow_anonymous": false, "token": "auth", "scopes": ["api"], "skip_paths": ["/healthz"],
                 "rules": [{"prefix": "/public", "requirement": "optional"}]"#,
        )
        .unwrap();
        assert_eq!(c.rules.rules.len(), 2);
        assert_eq!(c.rules.default.requirement, Requirement::Required);
        assert_eq!(c.rules.default.token, policy::TokenKind::Auth);
        assert_eq!(c.rules.default.scopes, ["api"]);
        assert!(config(r#", "rules": {}"#).unwrap_err().contains("rules"));
        assert!(config(r#", "token": "both""#)
            .unwrap_err()
            .contains("token"));
        assert!(config(r#", "stat_prefix": "a.b""#)
            .unwrap_err()
            .contains("stat_prefix"));
        assert_eq!(
            config(r#", "stat_prefix": "edge_1""#).unwrap().stat_prefix,
            "edge_1"
        );
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
        assert!(
            Config::parse(br#"{"settings": {}, "keys": {"a": {"kty": "EC"}}}"#)
                .unwrap_err()
                .starts_with("keys:")
        );
    }

    #[test]
    fn header_values() {
        use crate::decide::header_value;
        let v = |t: &str| header_value(&json::parse(t.as_bytes()).unwrap());
        assert_eq!(v("7").as_deref(), Some("7"));
        assert_eq!(v("1.5").as_deref(), Some("1.5"));
        assert_eq!(v("false").as_deref(), Some("False"));
        assert_eq!(v(r#"["a", "é"]"#).as_deref(), Some(r#"["a","\u00e9"]"#));
        assert_eq!(
            v(r#""ada@example.org""#).as_deref(),
            Some("ada@example.org")
        );
        assert_eq!(v(r#""a b%""#).as_deref(), Some("a b%"));
        assert_eq!(v(r#""""#).as_deref(), Some(""));
        // Not plain printable ASCII: RFC 8187 `UTF-8''` + percent-encoded UTF-8.
        assert_eq!(
            v(r#""zoë@exämple.org""#).as_deref(),
            Some("UTF-8''zo%C3%AB%40ex%C3%A4mple.org")
        );
        assert_eq!(v(r#""a\r\nb""#).as_deref(), Some("UTF-8''a%0D%0Ab"));
        assert_eq!(v(r#"" x""#).as_deref(), Some("UTF-8''%20x"));
        assert_eq!(v(r#""UTF-8''x""#).as_deref(), Some("UTF-8''UTF-8%27%27x"));
        assert_eq!(v("null"), None);
    }
}
