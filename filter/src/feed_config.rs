//! The filter's `feed` configuration (drf-sso-jwt session state, issue 18): which documents
//! to fetch from which Envoy cluster, how often, the policy without a fresh one, and the edge
//! state a configuration starts with. Parsed once in `on_configure` (`config.rs`); `feed.rs`
//! runs it.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use drf_sso_jwt::json::{Int, Map, Value};
use drf_sso_jwt::{EdgeState, StalePolicy};

/// The two documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The key set (`PUBLIC_KEYS` and the public keys); fetched first.
    Keys,
    /// The session state.
    State,
}

impl Kind {
    /// Both, in the order they are applied (a state document may be signed by a new key).
    pub const ALL: [Kind; 2] = [Kind::Keys, Kind::State];

    /// `keys` or `state` (counter and log names).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Keys => "keys",
            Kind::State => "state",
        }
    }
}

/// The `feed` object of the plugin configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// Envoy cluster of the Django server (`proxy_dispatch_http_call` upstream).
    pub cluster: Option<String>,
    /// `:authority` of the fetches (default: the cluster name).
    pub authority: String,
    /// Path of the session-state document (`/sso/state/`); `None`: not fetched.
    pub state_path: Option<String>,
    /// Path of the key-set document (`/sso/jwks/`); `None`: not fetched.
    pub keys_path: Option<String>,
    /// Extra request headers of the fetches (lower-cased names).
    pub headers: Vec<(String, String)>,
    /// Milliseconds between fetches of a document.
    pub interval_ms: u64,
    /// Milliseconds a fetch may take.
    pub timeout_ms: u64,
    /// What requests get while no fresh session state is in force.
    pub policy: StalePolicy,
    /// Issuer of the documents (default: the settings' `IDENTITY`).
    pub issuer: Option<String>,
    /// Documents given inline (applied when the configuration loads, before any fetch).
    pub inline_state: Option<String>,
    /// See `inline_state`.
    pub inline_keys: Option<String>,
    /// Largest document accepted.
    pub max_document_bytes: usize,
}

impl FeedConfig {
    /// Whether session state is in use (fetched or inline).
    pub fn uses_state(&self) -> bool {
        self.state_path.is_some() || self.inline_state.is_some()
    }

    /// The path of a document, when it is fetched.
    pub fn path(&self, kind: Kind) -> Option<&str> {
        match kind {
            Kind::Keys => self.keys_path.as_deref(),
            Kind::State => self.state_path.as_deref(),
        }
    }

    /// The timer period: short enough to meet `interval_ms` and to retry soon at start-up.
    pub fn tick_ms(&self) -> u64 {
        self.interval_ms.clamp(50, 500)
    }
}

const KNOWN: [&str; 12] = [
    "cluster",
    "authority",
    "state_path",
    "keys_path",
    "headers",
    "interval_ms",
    "timeout_ms",
    "policy",
    "issuer",
    "state",
    "keys",
    "max_document_bytes",
];

fn text(what: &str, v: Option<&Value>) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(format!("feed.{what} must be a non-empty string")),
    }
}

fn millis(what: &str, v: Option<&Value>, default: u64) -> Result<u64, String> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Int(Int::Small(n))) if (1..=86_400_000).contains(n) => Ok(*n as u64),
        Some(_) => Err(format!(
            "feed.{what} must be an integer of milliseconds from 1 to 86400000"
        )),
    }
}

fn path(what: &str, v: Option<&Value>) -> Result<Option<String>, String> {
    let p = text(what, v)?;
    if let Some(p) = &p {
        if !p.starts_with('/') || p.bytes().any(|b| b <= 0x20 || b == 0x7f) {
            return Err(format!(
                "feed.{what} must be a path starting with '/' without spaces or control characters"
            ));
        }
    }
    Ok(p)
}

impl FeedConfig {
    /// Parses the `feed` object.
    pub fn parse(v: &Value) -> Result<FeedConfig, String> {
        let Value::Object(m) = v else {
            return Err("feed must be an object".to_owned());
        };
        if let Some((k, _)) = m.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
            return Err(format!(
                "unknown feed key {k:?} (known: {})",
                KNOWN.join(", ")
            ));
        }
        let cluster = text("cluster", m.get("cluster"))?;
        let state_path = path("state_path", m.get("state_path"))?;
        let keys_path = path("keys_path", m.get("keys_path"))?;
        if (state_path.is_some() || keys_path.is_some()) && cluster.is_none() {
            return Err("feed.cluster (the Envoy cluster of the Django server) is required to fetch documents".to_owned());
        }
        let headers = match m.get("headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(h)) => headers(h)?,
            Some(_) => return Err("feed.headers must be an object of header → value".to_owned()),
        };
        let policy = match m.get("policy") {
            None | Some(Value::Null) => StalePolicy::Refuse,
            Some(Value::Str(p)) => StalePolicy::from_name(p).ok_or_else(|| {
                format!("feed.policy must be \"refuse\" or \"stateless\", not {p:?}")
            })?,
            Some(_) => return Err("feed.policy must be \"refuse\" or \"stateless\"".to_owned()),
        };
        let max_document_bytes = match m.get("max_document_bytes") {
            None | Some(Value::Null) => drf_sso_jwt::DEFAULT_MAX_DOCUMENT_BYTES,
            Some(Value::Int(Int::Small(n))) if *n > 0 => usize::try_from(*n).unwrap_or(usize::MAX),
            Some(_) => return Err("feed.max_document_bytes must be a positive integer".to_owned()),
        };
        let authority = text("authority", m.get("authority"))?
            .or_else(|| cluster.clone())
            .unwrap_or_default();
        let cfg = FeedConfig {
            authority,
            cluster,
            state_path,
            keys_path,
            headers,
            interval_ms: millis("interval_ms", m.get("interval_ms"), 5000)?,
            timeout_ms: millis("timeout_ms", m.get("timeout_ms"), 5000)?,
            policy,
            issuer: text("issuer", m.get("issuer"))?,
            inline_state: text("state", m.get("state"))?,
            inline_keys: text("keys", m.get("keys"))?,
            max_document_bytes,
        };
        if !cfg.uses_state() && cfg.keys_path.is_none() && cfg.inline_keys.is_none() {
            return Err(
                "feed: give state_path and/or keys_path (or inline state / keys documents)"
                    .to_owned(),
            );
        }
        Ok(cfg)
    }
}

fn headers(h: &Map) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, v) in h.iter() {
        let ok_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let Some(value) = v
            .as_str()
            .filter(|s| s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)))
        else {
            return Err(format!(
                "feed.headers[{name:?}] must be a string of visible ASCII"
            ));
        };
        if !ok_name {
            return Err(format!("feed.headers: {name:?} is not a header name"));
        }
        out.push((name.to_ascii_lowercase(), value.to_owned()));
    }
    Ok(out)
}

/// The edge state a configuration starts with: session state on (with the feed's policy) when
/// the feed uses it.
pub fn edge_state(cfg: &FeedConfig, settings: &drf_sso_jwt::Settings) -> Result<EdgeState, String> {
    let policy = cfg.uses_state().then_some(cfg.policy);
    let mut e = EdgeState::new(settings, cfg.issuer.as_deref(), policy)
        .map_err(|e| format!("feed: {}", e.message()))?;
    e.set_max_document_bytes(cfg.max_document_bytes);
    Ok(e)
}
