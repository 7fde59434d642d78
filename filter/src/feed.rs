//! The filter's session-state and key-set feed (drf-sso-jwt session state, issue 18): the
//! `feed` configuration, when to fetch each document from the Envoy cluster
//! (`proxy_dispatch_http_call` on the root context's timer), and what an answer does: a new
//! document swaps in whole (one VM is one worker: requests see the old state or the new,
//! never a part), a failed fetch or a refused document keeps what is in force. Pure logic,
//! no host calls, so it is testable natively; the glue in `lib.rs` does the calls.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use drf_sso_jwt::json::{Int, Map, Value};
use drf_sso_jwt::{CachedVerifier, EdgeState, StalePolicy, Update};

use crate::config::Config;

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

/// What an answer (or an inline document) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A newer document is in force.
    Updated,
    /// The same document (304, or the same sequence and signature).
    Unchanged,
    /// The fetch failed: no answer, or a status other than 200 / 304 (the reason).
    FetchFailed(String),
    /// The document was refused (`bad_state`, the reason); the one in force stays.
    Refused(String),
}

impl Outcome {
    /// The counter it adds to, after `<stat_prefix>.feed.<kind>_`.
    pub fn counter(&self) -> &'static str {
        match self {
            Outcome::Updated => "updates",
            Outcome::Unchanged => "unchanged",
            Outcome::FetchFailed(_) => "fetch_failures",
            Outcome::Refused(_) => "refused",
        }
    }
}

/// Applies a document to the configuration's edge state at `now`: a key set replaces the
/// verifier (and empties both caches, whose entries belong to the old keys).
pub fn apply(cfg: &Config, kind: Kind, doc: &[u8], now: f64) -> Outcome {
    let (Ok(mut edge), Ok(verifier)) = (cfg.edge.try_borrow_mut(), cfg.verifier.try_borrow())
    else {
        return Outcome::Refused("the state is in use".to_owned());
    };
    let Some(edge) = edge.as_mut() else {
        return Outcome::Refused("this configuration has no feed".to_owned());
    };
    let current = verifier.verifier().clone();
    drop(verifier);
    match kind {
        Kind::State => match edge.update_state(doc, &current, now) {
            Ok(Update::Replaced) => Outcome::Updated,
            Ok(Update::Unchanged) => Outcome::Unchanged,
            Err(e) => Outcome::Refused(e.message().to_owned()),
        },
        Kind::Keys => match edge.update_keys(doc, &current, now) {
            Ok(None) => Outcome::Unchanged,
            Ok(Some(next)) => match CachedVerifier::new(next, cfg.cache_size) {
                Ok(c) => {
                    if let (Ok(mut v), Ok(mut conv)) = (
                        cfg.verifier.try_borrow_mut(),
                        cfg.converted.try_borrow_mut(),
                    ) {
                        *v = c;
                        conv.clear();
                        Outcome::Updated
                    } else {
                        Outcome::Refused("the verifier is in use".to_owned())
                    }
                }
                Err(e) => Outcome::Refused(e.message().to_owned()),
            },
            Err(e) => Outcome::Refused(e.message().to_owned()),
        },
    }
}

/// An HTTP answer to a fetch: `status`, `body` (200: the document; 304: none).
pub fn answer(cfg: &Config, kind: Kind, status: Option<u32>, body: &[u8], now: f64) -> Outcome {
    match status {
        Some(200) => apply(cfg, kind, body, now),
        Some(304) => Outcome::Unchanged,
        Some(s) => Outcome::FetchFailed(format!("HTTP {s}")),
        None => {
            Outcome::FetchFailed("no answer (timeout, reset or no healthy upstream)".to_owned())
        }
    }
}

/// When each document is fetched: one fetch in flight per kind; the next one `interval_ms`
/// after the last one started, or 1 s after a failure while nothing was ever taken.
#[derive(Debug, Default)]
pub struct Schedule {
    /// Per kind (see [`Kind::ALL`]): the pending call's token, when the last one started (s),
    /// whether a document of this kind was ever taken, the ETag of the one in force.
    slots: [(Option<u32>, f64, bool, Option<String>); 2],
}

fn index(kind: Kind) -> usize {
    match kind {
        Kind::Keys => 0,
        Kind::State => 1,
    }
}

impl Schedule {
    /// Whether `kind` should be fetched now.
    pub fn due(&self, cfg: &FeedConfig, kind: Kind, now: f64) -> bool {
        let (pending, last, taken, _) = &self.slots[index(kind)];
        if cfg.path(kind).is_none() || pending.is_some() {
            return false;
        }
        let wait = if *taken {
            cfg.interval_ms as f64 / 1000.0
        } else {
            (cfg.interval_ms as f64 / 1000.0).min(1.0)
        };
        !(now - last < wait && now >= *last)
    }

    /// The request headers of a fetch of `kind`.
    pub fn request_headers<'a>(
        &'a self,
        cfg: &'a FeedConfig,
        kind: Kind,
    ) -> Vec<(&'a str, &'a str)> {
        let mut h = alloc::vec![
            (":method", "GET"),
            (":path", cfg.path(kind).unwrap_or("/")),
            (":authority", cfg.authority.as_str()),
            ("accept", "application/jose"),
        ];
        if let Some(etag) = &self.slots[index(kind)].3 {
            h.push(("if-none-match", etag.as_str()));
        }
        h.extend(cfg.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        h
    }

    /// A fetch of `kind` started at `now` as call `token`.
    pub fn started(&mut self, kind: Kind, token: u32, now: f64) {
        let s = &mut self.slots[index(kind)];
        s.0 = Some(token);
        s.1 = now;
    }

    /// A fetch could not even start: try again after the wait.
    pub fn not_started(&mut self, kind: Kind, now: f64) {
        self.slots[index(kind)].1 = now;
    }

    /// Which fetch call `token` was, if it is one of ours (then it is no longer pending).
    pub fn finished(&mut self, token: u32) -> Option<Kind> {
        let kind = Kind::ALL
            .into_iter()
            .find(|k| self.slots[index(*k)].0 == Some(token))?;
        self.slots[index(kind)].0 = None;
        Some(kind)
    }

    /// Records the outcome of a fetch answered with `etag`.
    pub fn outcome(&mut self, kind: Kind, outcome: &Outcome, etag: Option<String>) {
        let s = &mut self.slots[index(kind)];
        if matches!(outcome, Outcome::Updated | Outcome::Unchanged) {
            s.2 = true;
            if etag.is_some() {
                s.3 = etag;
            }
        }
    }
}

/// The gauges the feed keeps (after `<stat_prefix>.feed.`), and their values at `now`.
pub fn gauges(cfg: &Config, now: f64) -> [(&'static str, Option<u64>); 4] {
    let edge = cfg.edge.try_borrow().ok();
    let edge = edge.as_ref().and_then(|e| e.as_ref());
    let state = edge
        .and_then(|e| e.session_state())
        .map(|s| s.info().clone());
    let keys = edge.and_then(|e| e.key_set()).cloned();
    let age = |i: &drf_sso_jwt::DocumentInfo| (now - i.issued_at as f64).max(0.0) as u64;
    [
        ("state_sequence", state.as_ref().map(|i| i.sequence)),
        ("state_age_seconds", state.as_ref().map(age)),
        ("keys_sequence", keys.as_ref().map(|i| i.sequence)),
        ("keys_age_seconds", keys.as_ref().map(age)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<FeedConfig, String> {
        FeedConfig::parse(&drf_sso_jwt::json::parse(json.as_bytes()).unwrap())
    }

    #[test]
    fn configuration() {
        let c = parse(
            r#"{"cluster": "django", "state_path": "/sso/state/", "keys_path": "/sso/jwks/",
                          "headers": {"Authorization": "Bearer x"}, "interval_ms": 1000}"#,
        )
        .unwrap();
        assert_eq!(c.authority, "django");
        assert_eq!(c.policy, StalePolicy::Refuse);
        assert_eq!(
            c.headers,
            [("authorization".to_owned(), "Bearer x".to_owned())]
        );
        assert!(c.uses_state());
        assert_eq!(c.tick_ms(), 500);
        for bad in [
            r#"{"state_path": "/s"}"#,
            r#"{"cluster": "c", "state_path": "s"}"#,
            r#"{"cluster": "c", "state_path": "/s x"}"#,
            r#"{"cluster": "c"}"#,
            r#"{"cluster": "c", "state_path": "/s", "policy": "open"}"#,
            r#"{"cluster": "c", "state_path": "/s", "interval_ms": 0}"#,
            r#"{"cluster": "c", "state_path": "/s", "headers": {"a b": "x"}}"#,
            r#"{"cluster": "c", "state_path": "/s", "headers": {"a": "x\ny"}}"#,
            r#"{"cluster": "c", "state_path": "/s", "nope": 1}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // Inline documents alone need no cluster.
        assert!(parse(r#"{"state": "a.b.c", "policy": "stateless"}"#).is_ok());
    }

    /// The whole path in one configuration: inline documents, then `decide` on tokens.
    #[test]
    fn decide_with_session_state() {
        use crate::decide::{decide, Credentials, Decision, Request};
        use drf_sso_jwt::signing::sign_compact;
        use drf_sso_jwt::{Algorithm, Issuer, Payload, SigningKey};

        const NOW: f64 = 1_700_000_000.0;
        const PRIVATE: &str = include_str!("../../keys/myapp-20200410.pem");
        let key = SigningKey::from_pem("myapp-20200410.pem", PRIVATE).unwrap();
        let revoked_sid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let body = format!(
            r#"{{"iss":"myapp","seq":1,"iat":{},"max_age":60,"verify_session_token":true,"verify_token_issued_at":true,
                "sessions":[["0f1e2d3c4b5a69788796a5b4c3d2e1f0",7,{},null]],"deleted_sessions":[],"inactive_users":[8],"deleted_users":[]}}"#,
            NOW as i64,
            (NOW as i64 - 5) * 1_000_000
        );
        let doc = sign_compact(
            br#"{"alg":"RS256","kid":"myapp-20200410","typ":"drf-sso-state+jwt"}"#,
            body.as_bytes(),
            Algorithm::RS256,
            &key,
        )
        .unwrap();
        let pem = drf_sso_jwt::json::dumps(&Value::Str(PRIVATE.into()), false);
        let config = |feed: &str| {
            Config::parse(
                format!(
                    r#"{{"settings": {{"IDENTITY": "myapp", "PUBLIC_KEYS": {{"myapp": "myapp-20200410.pem"}}}},
                         "keys": {{"myapp-20200410.pem": {pem}}}, "feed": {feed}}}"#
                )
                .as_bytes(),
            )
            .unwrap()
        };
        let issuer = Issuer::from_json(
            r#"{"IDENTITY": "myapp", "PRIVATE_KEYS": {"myapp": "myapp-20200410.pem"}}"#,
            [("myapp-20200410.pem", PRIVATE)],
        )
        .unwrap();
        let header = |sid: &str, uid: i64| {
            let mut p = Payload::new();
            p.set("token", Value::from("auth"))
                .set("sid", Value::from(sid))
                .set("uid", Value::Int(Int::Small(uid)));
            format!("JWT {}", issuer.encode(&p, NOW).unwrap())
        };
        let status = |cfg: &Config, h: &str, now: f64| match decide(
            cfg,
            &Request {
                method: b"GET",
                path: b"/",
                credentials: Credentials::One(h.as_bytes()),
            },
            now,
        ) {
            Decision::Forward { .. } => (200, String::new()),
            Decision::Reject { status, body, .. } => (status, body),
        };
        let revoked = header(revoked_sid, 7);
        let fine = header("00000000-0000-0000-0000-000000000001", 7);
        let inactive = header("00000000-0000-0000-0000-000000000002", 8);

        // Policy refuse, nothing loaded yet: 503; then the inline document.
        let cfg = config(r#"{"cluster": "django", "state_path": "/sso/state/"}"#);
        assert_eq!(status(&cfg, &fine, NOW).0, 503);
        assert_eq!(
            apply(&cfg, Kind::State, doc.as_bytes(), NOW),
            Outcome::Updated
        );
        assert_eq!(
            apply(&cfg, Kind::State, doc.as_bytes(), NOW),
            Outcome::Unchanged
        );
        assert_eq!(status(&cfg, &fine, NOW).0, 200);
        // Twice each: the second answer comes from the caches (core and converted headers).
        for _ in 0..2 {
            assert_eq!(
                status(&cfg, &revoked, NOW),
                (401, r#"{"detail":"Invalid token."}"#.to_owned())
            );
            assert_eq!(
                status(&cfg, &inactive, NOW),
                (401, r#"{"detail":"User inactive or deleted."}"#.to_owned())
            );
            assert_eq!(status(&cfg, &fine, NOW).0, 200);
        }
        // Past the document's max_age: refuse (503), or stateless (decode_jwt_token only).
        assert_eq!(
            status(&cfg, &fine, NOW + 60.0),
            (503, r#"{"detail":"Session state unavailable."}"#.to_owned())
        );
        let relaxed = config(r#"{"cluster": "django", "state_path": "/s", "policy": "stateless"}"#);
        assert_eq!(
            apply(&relaxed, Kind::State, doc.as_bytes(), NOW),
            Outcome::Updated
        );
        assert_eq!(status(&relaxed, &revoked, NOW).0, 401);
        assert_eq!(status(&relaxed, &revoked, NOW + 60.0).0, 200);
        // A tampered document is refused; the one in force stays.
        let tampered = format!("{}x", &doc[..doc.len() - 1]);
        assert!(matches!(
            apply(&cfg, Kind::State, tampered.as_bytes(), NOW),
            Outcome::Refused(_)
        ));
        assert_eq!(status(&cfg, &revoked, NOW).0, 401);
        // Answers other than 200 are fetch failures; 304 changes nothing.
        assert!(matches!(
            answer(&cfg, Kind::State, Some(500), b"", NOW),
            Outcome::FetchFailed(_)
        ));
        assert!(matches!(
            answer(&cfg, Kind::State, None, b"", NOW),
            Outcome::FetchFailed(_)
        ));
        assert_eq!(
            answer(&cfg, Kind::State, Some(304), b"", NOW),
            Outcome::Unchanged
        );
        // Without a feed: no session checks at all.
        let plain = Config::parse(
            format!(
                r#"{{"settings": {{"IDENTITY": "myapp", "PUBLIC_KEYS": {{"myapp": "myapp-20200410.pem"}}}},
                     "keys": {{"myapp-20200410.pem": {pem}}}}}"#
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(status(&plain, &revoked, NOW).0, 200);
    }

    #[test]
    fn schedule() {
        let c = parse(r#"{"cluster": "c", "state_path": "/s", "interval_ms": 5000}"#).unwrap();
        let mut s = Schedule::default();
        assert!(s.due(&c, Kind::State, 100.0));
        assert!(!s.due(&c, Kind::Keys, 100.0), "no keys_path");
        s.started(Kind::State, 7, 100.0);
        assert!(!s.due(&c, Kind::State, 200.0), "one in flight");
        assert_eq!(s.finished(8), None);
        assert_eq!(s.finished(7), Some(Kind::State));
        // Nothing taken yet: retry after 1 s; once taken, after the interval.
        s.outcome(Kind::State, &Outcome::FetchFailed("x".into()), None);
        assert!(!s.due(&c, Kind::State, 100.5) && s.due(&c, Kind::State, 101.0));
        s.outcome(Kind::State, &Outcome::Updated, Some("\"e1\"".into()));
        assert!(!s.due(&c, Kind::State, 104.0) && s.due(&c, Kind::State, 105.0));
        let h = s.request_headers(&c, Kind::State);
        assert!(h.contains(&("if-none-match", "\"e1\"")) && h.contains(&(":path", "/s")));
        // A clock that went backwards fetches.
        assert!(s.due(&c, Kind::State, 50.0));
    }
}
