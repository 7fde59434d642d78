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

use drf_sso_jwt::{CachedVerifier, Update};

use crate::config::Config;
use crate::feed_config::{FeedConfig, Kind};

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
    use drf_sso_jwt::json::{Int, Value};
    use drf_sso_jwt::StalePolicy;

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
