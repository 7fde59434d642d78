//! Edge session state: drf-sso 0.8.1 `rest_framework_sso.utils.authenticate_payload` applied
//! after `decode_jwt_token`, from a signed snapshot of the server's database (the session-state
//! document of the repository's `drf_sso_feed` Django app), and the signed JWKS document that
//! replaces the key set (issuer → key files, and the keys) without a configuration change.
//!
//! Both documents are compact JWS signed by the server with its own private key (the one
//! `encode_jwt_token` signs tokens with) and verified here with the key store the verifier
//! already has: no new trust root. Each carries a sequence number that never goes backwards,
//! its issue time and a `max_age`, judged at the caller's `now`.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::cache::CachedVerifier;
use crate::clock::check_now;
use crate::decoding::{self, TokenData};
use crate::errors::{Cause, Error, Result};
use crate::json::{py_str, Int, Map, Value};
use crate::keys::{KeyMaterial, KeyStore};
use crate::policy::{verify_signature, Check};
use crate::pyint::{int_hex, py_int};
use crate::settings::{OneOrMany, Settings};
use crate::verifier::Verifier;

/// JOSE `typ` of a session-state document.
pub const STATE_TYPE: &str = "drf-sso-state+jwt";
/// JOSE `typ` of a key-set (JWKS) document.
pub const KEYS_TYPE: &str = "drf-sso-jwks+jwt";
/// Default size limit of a document, checked before any decoding.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 64 << 20;
/// JSON nesting of a document (a state document needs 3 levels, a JWKS document 3).
const DOCUMENT_DEPTH: usize = 8;

/// What the edge does when it has no session state younger than its `max_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StalePolicy {
    /// Refuse every token (`state_unavailable`) until a fresh document arrives: fail closed.
    Refuse,
    /// Verify tokens without the session checks (`decode_jwt_token` only), as without state.
    Stateless,
}

impl StalePolicy {
    /// From `"refuse"` or `"stateless"`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "refuse" => Some(StalePolicy::Refuse),
            "stateless" => Some(StalePolicy::Stateless),
            _ => None,
        }
    }
    /// `"refuse"` or `"stateless"`.
    pub fn name(self) -> &'static str {
        match self {
            StalePolicy::Refuse => "refuse",
            StalePolicy::Stateless => "stateless",
        }
    }
}

/// The envelope every document has: who signed it, its place in the sequence, its age limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    /// `iss`: the server's identity; the document is signed with one of its keys.
    pub issuer: String,
    /// `seq`: increases with every document the server builds.
    pub sequence: u64,
    /// `iat`: when the server built it (seconds since the epoch).
    pub issued_at: i64,
    /// `max_age`: seconds after `iat` during which it may be used.
    pub max_age: u64,
    /// `kid` of the key that signed it.
    pub key_id: Option<String>,
}

impl DocumentInfo {
    /// Seconds since the epoch from which the document is too old.
    pub fn expires_at(&self) -> f64 {
        self.issued_at as f64 + self.max_age as f64
    }
    /// Whether the document may still be used at `now`.
    pub fn is_fresh(&self, now: f64) -> bool {
        now < self.expires_at()
    }
}

fn bad(what: &str, message: impl core::fmt::Display) -> Error {
    Error::BadState(Cause::new(format!("{what}: {message}")))
}

/// A verified document: the envelope and the payload.
struct Opened {
    info: DocumentInfo,
    payload: Map,
    signature: Vec<u8>,
}

/// Checks a document's size, structure, `typ`, issuer, key and signature (as `decode_jwt_token`
/// checks a token's: the issuer's keys from `PUBLIC_KEYS`, `kid`, the allowed algorithms), then
/// its envelope and its age at `now`.
fn open(
    doc: &[u8],
    verifier: &Verifier,
    typ: &str,
    what: &str,
    issuer: &str,
    max_bytes: usize,
    now: f64,
) -> Result<Opened> {
    check_now(now)?;
    if doc.len() > max_bytes {
        return Err(bad(
            what,
            format!("{} bytes, over the limit of {max_bytes}", doc.len()),
        ));
    }
    let doc = doc.trim_ascii();
    let parts = decoding::load(doc, DOCUMENT_DEPTH).map_err(|e| bad(what, e.message()))?;
    match parts.header.get("typ").and_then(Value::as_str) {
        Some(t) if t == typ => {}
        other => {
            return Err(bad(
                what,
                format!("header typ is {other:?}, not {typ:?} (not this kind of document)"),
            ))
        }
    }
    let payload = decoding::payload(&parts, DOCUMENT_DEPTH).map_err(|e| bad(what, e.message()))?;
    let iss = match payload.get("iss") {
        Some(Value::Str(s)) => s.clone(),
        _ => return Err(bad(what, "iss is missing or not a string")),
    };
    if iss != issuer {
        return Err(bad(
            what,
            format!("issued by {iss:?}, the expected issuer is {issuer:?}"),
        ));
    }
    let kid = match parts.header.get("kid") {
        Some(v) if v.is_truthy() => Some(py_str(v)),
        _ => None,
    };
    let settings = verifier.settings();
    let key = verifier
        .keys()
        .public_key(settings, &iss, kid.as_deref())
        .map_err(|e| bad(what, format!("no key to verify it: {}", e.message())))?;
    verify_signature(
        parts.header.get("alg"),
        &settings.algorithms(),
        key,
        parts.signing_input,
        &parts.signature,
        Check::default(),
    )
    .map_err(|e| bad(what, e.message()))?;
    let sequence = match payload.get("seq") {
        Some(Value::Int(Int::Small(n))) if *n >= 0 => *n as u64,
        _ => return Err(bad(what, "seq must be a non-negative integer")),
    };
    let issued_at = match payload.get("iat") {
        Some(Value::Int(Int::Small(n))) if crate::clock::in_range(*n as f64) => *n,
        _ => return Err(bad(what, "iat must be an integer time")),
    };
    let max_age = match payload.get("max_age") {
        Some(Value::Int(Int::Small(n))) if (1..=1 << 40).contains(n) => *n as u64,
        _ => return Err(bad(what, "max_age must be a positive integer of seconds")),
    };
    let info = DocumentInfo {
        issuer: iss,
        sequence,
        issued_at,
        max_age,
        key_id: kid,
    };
    if !info.is_fresh(now) {
        return Err(bad(
            what,
            // Floats by `pyfloat::display`: `{}`'s text without core's float formatting.
            format!(
                "issued at {issued_at}, {} s old at {}, over its max_age of {max_age} s",
                crate::pyfloat::display(now - issued_at as f64),
                crate::pyfloat::display(now)
            ),
        ));
    }
    Ok(Opened {
        info,
        payload,
        signature: parts.signature,
    })
}

/// One session row the snapshot lists: revoked (now or at a set time), deleted by its user's
/// deletion, or re-issued recently enough to supersede tokens that still verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Session {
    /// `SessionToken.pk` as a 128-bit integer.
    sid: u128,
    /// `user_id`.
    uid: i64,
    /// `revoked_at` in microseconds since the epoch.
    revoked_at: Option<i64>,
    /// `int(last_issued_at.timestamp())`.
    last_issued_at: Option<i64>,
}

/// A verified session-state document: what the server's database said when it was built.
#[derive(Debug, Clone)]
pub struct SessionState {
    info: DocumentInfo,
    verify_session_token: bool,
    verify_token_issued_at: bool,
    horizon: Option<i64>,
    /// The smallest `int(last_issued_at.timestamp())` of any session (`None`: no session has one).
    last_issued_floor: Option<i64>,
    /// Sorted by `sid`.
    sessions: Vec<Session>,
    /// Sorted.
    deleted_sessions: Vec<u128>,
    /// Sorted.
    inactive_users: Vec<i64>,
    /// Sorted.
    deleted_users: Vec<i64>,
    signature: Vec<u8>,
}

fn hex_sid(v: &Value) -> Option<u128> {
    let s = v.as_str()?;
    if s.len() != 32
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    u128::from_str_radix(s, 16).ok()
}

fn small(v: &Value) -> Option<i64> {
    match v {
        Value::Int(Int::Small(n)) => Some(*n),
        _ => None,
    }
}

fn opt_small(v: &Value) -> Option<Option<i64>> {
    match v {
        Value::Null => Some(None),
        v => small(v).map(Some),
    }
}

fn list<'a>(p: &'a Map, key: &str) -> Result<&'a [Value]> {
    match p.get(key) {
        Some(Value::Array(a)) => Ok(a),
        _ => Err(bad("session state", format!("{key} must be a list"))),
    }
}

fn sorted_unique<T: Ord + Copy + core::fmt::Debug>(mut v: Vec<T>, key: &str) -> Result<Vec<T>> {
    v.sort_unstable();
    if let Some(w) = v.windows(2).find(|w| w[0] == w[1]) {
        return Err(bad(
            "session state",
            format!("{key} lists {:?} twice", w[0]),
        ));
    }
    Ok(v)
}

/// `sid` as `SessionToken.objects.get(pk=sid)` turns it into a UUID (`UUIDField.to_python`):
/// an `int` (`bool` too) is `UUID(int=...)`, anything else `UUID(hex=...)`. `Err` where the
/// server raises (`ValidationError`: HTTP 500).
fn session_uuid(v: &Value) -> core::result::Result<u128, &'static str> {
    match v {
        Value::Bool(b) => Ok(*b as u128),
        Value::Int(Int::Small(n)) => u128::try_from(*n).map_err(|_| "a negative integer"),
        Value::Int(Int::Big(t)) => {
            if t.starts_with('-') {
                return Err("a negative integer");
            }
            t.parse::<u128>()
                .map_err(|_| "an integer of more than 128 bits")
        }
        Value::Str(s) => {
            // uuid.UUID(hex=s): strip the URN prefix, braces and hyphens, 32 characters, int(.., 16).
            let h = s.replace("urn:", "").replace("uuid:", "");
            let h = h.trim_matches(|c| c == '{' || c == '}').replace('-', "");
            if h.chars().count() != 32 {
                return Err("not 32 hexadecimal digits");
            }
            match int_hex(&h) {
                Some((false, n)) => Ok(n),
                _ => Err("not hexadecimal"),
            }
        }
        _ => Err("neither a string nor an integer"),
    }
}

/// `uid` as the integer primary key lookup takes it (`IntegerField.get_prep_value`: `int(uid)`).
/// `Err` where `int()` raises (HTTP 500); `Ok(None)` for integers no row can have (beyond 64 bits).
fn user_pk(v: &Value) -> core::result::Result<Option<i64>, ()> {
    let n = py_int(v).ok_or(())?;
    Ok(n.to_i64())
}

/// Python's `iat < last` for a decoded claim and an `int`: `None` where Python raises `TypeError`.
fn py_less(iat: &Value, last: i64) -> Option<bool> {
    match iat {
        Value::Bool(b) => Some((*b as i64) < last),
        Value::Int(Int::Small(n)) => Some(*n < last),
        Value::Int(Int::Big(t)) => Some(t.starts_with('-')),
        // For an integer `last`: f < last <=> floor(f) < last (exact, no rounding).
        Value::Float(f) => Some(if *f >= 9.2e18 {
            false
        } else if *f < -9.2e18 {
            true
        } else {
            let t = *f as i64;
            let floor = if (t as f64) > *f { t - 1 } else { t };
            floor < last
        }),
        _ => None,
    }
}

/// The server's clock reading for a caller's `now`: `datetime.fromtimestamp(now)` in
/// microseconds (fraction rounded half to even, as CPython's `_PyTime_ROUND_HALF_EVEN`).
fn micros(now: f64) -> i64 {
    let mut secs = now as i64; // `modf`'s integral part (toward zero); `now` was range-checked
    let x = (now - secs as f64) * 1e6;
    let mut t = x as i64;
    if (t as f64) > x {
        t -= 1;
    }
    let d = x - t as f64;
    let mut us = if d > 0.5 || (d == 0.5 && t % 2 != 0) {
        t + 1
    } else {
        t
    };
    if us >= 1_000_000 {
        us -= 1_000_000;
        secs += 1;
    } else if us < 0 {
        us += 1_000_000;
        secs -= 1;
    }
    secs * 1_000_000 + us
}

impl SessionState {
    /// Verifies a session-state document (size, structure, `typ`, issuer, key, signature, age: as
    /// `decode_jwt_token` checks a token) issued by `issuer`, at `now`, and reads
    /// it. Its `verify_session_token` / `verify_token_issued_at` must be the verifier's settings
    /// (the server and the edge must run the same checks).
    pub fn from_document(
        doc: &[u8],
        verifier: &Verifier,
        issuer: &str,
        max_bytes: usize,
        now: f64,
    ) -> Result<SessionState> {
        let o = open(
            doc,
            verifier,
            STATE_TYPE,
            "session state",
            issuer,
            max_bytes,
            now,
        )?;
        let p = &o.payload;
        let flag = |key: &str| match p.get(key) {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(bad("session state", format!("{key} must be true or false"))),
        };
        let vst = flag("verify_session_token")?;
        let vti = flag("verify_token_issued_at")?;
        let s = verifier.settings();
        if vst != s.verify_session_token || vti != s.verify_token_issued_at {
            return Err(bad(
                "session state",
                format!(
                    "the server runs VERIFY_SESSION_TOKEN = {vst}, VERIFY_TOKEN_ISSUED_AT = {vti}; \
                     these settings say {}, {}",
                    s.verify_session_token, s.verify_token_issued_at
                ),
            ));
        }
        let horizon = match p.get("horizon") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                small(v)
                    .ok_or_else(|| bad("session state", "horizon must be an integer or null"))?,
            ),
        };
        let last_issued_floor = match p.get("last_issued_at_floor") {
            None | Some(Value::Null) => None,
            Some(v) => Some(small(v).ok_or_else(|| {
                bad(
                    "session state",
                    "last_issued_at_floor must be an integer or null",
                )
            })?),
        };
        let mut sessions = Vec::new();
        for (i, row) in list(p, "sessions")?.iter().enumerate() {
            let row_err = || {
                bad("session state", format!("sessions[{i}] must be [sid (32 hex digits), uid, revoked_at (microseconds) or null, last_issued_at (seconds) or null]"))
            };
            let Value::Array(cells) = row else {
                return Err(row_err());
            };
            let [sid, uid, revoked, last] = cells.as_slice() else {
                return Err(row_err());
            };
            sessions.push(Session {
                sid: hex_sid(sid).ok_or_else(row_err)?,
                uid: small(uid).ok_or_else(row_err)?,
                revoked_at: opt_small(revoked).ok_or_else(row_err)?,
                last_issued_at: opt_small(last).ok_or_else(row_err)?,
            });
        }
        sessions.sort_unstable_by_key(|s| s.sid);
        if let Some(w) = sessions.windows(2).find(|w| w[0].sid == w[1].sid) {
            return Err(bad(
                "session state",
                format!("sessions lists {:032x} twice", w[0].sid),
            ));
        }
        let sids = |key: &str| -> Result<Vec<u128>> {
            let v = list(p, key)?
                .iter()
                .map(|x| {
                    hex_sid(x).ok_or_else(|| {
                        bad(
                            "session state",
                            format!("{key}: session ids are 32 hexadecimal digits"),
                        )
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            sorted_unique(v, key)
        };
        let uids = |key: &str| -> Result<Vec<i64>> {
            let v = list(p, key)?
                .iter()
                .map(|x| {
                    small(x).ok_or_else(|| {
                        bad("session state", format!("{key}: user ids are integers"))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            sorted_unique(v, key)
        };
        Ok(SessionState {
            deleted_sessions: sids("deleted_sessions")?,
            inactive_users: uids("inactive_users")?,
            deleted_users: uids("deleted_users")?,
            info: o.info,
            verify_session_token: vst,
            verify_token_issued_at: vti,
            horizon,
            last_issued_floor,
            sessions,
            signature: o.signature,
        })
    }

    /// The document's envelope.
    pub fn info(&self) -> &DocumentInfo {
        &self.info
    }

    /// `horizon`: what the server left out happened before this time (seconds), and no token
    /// issued before it can still verify; `None` when nothing was left out.
    pub fn horizon(&self) -> Option<i64> {
        self.horizon
    }

    /// How many sessions, deleted sessions, inactive users and deleted users it lists.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.sessions.len(),
            self.deleted_sessions.len(),
            self.inactive_users.len(),
            self.deleted_users.len(),
        )
    }

    fn session(&self, sid: u128) -> Option<&Session> {
        self.sessions
            .binary_search_by_key(&sid, |s| s.sid)
            .ok()
            .map(|i| &self.sessions[i])
    }

    /// `authenticate_payload(payload)` at `now` against this snapshot, in drf-sso's order:
    /// the session lookup (`SessionToken.objects.active().get(pk=sid, user_id=uid)`: a `sid`
    /// that is no UUID or a `uid` that is no integer fails the query itself, HTTP 500 on the
    /// server; a missing, revoked or foreign session is "Invalid token."), then
    /// `iat < int(last_issued_at.timestamp())` ("Token has been superseded."), then
    /// `user.is_active` ("User inactive or deleted."). With `VERIFY_SESSION_TOKEN` off: the user
    /// lookup (`get(pk=uid)`) and `is_active`.
    ///
    /// Sessions and users the snapshot does not list are taken to exist and be active, and an
    /// unlisted session's `last_issued_at` to be the document's `last_issued_at_floor` (the
    /// smallest of any session; it was not re-issued after any token of it that still
    /// verifies): a token without `iat`, or older than the floor, is superseded, an `iat` of
    /// another type fails the comparison; without a floor (no session has a
    /// `last_issued_at`) there is no check.
    pub fn authenticate_payload(&self, payload: &Map, now: f64) -> Result<()> {
        check_now(now)?;
        let null = Value::Null;
        let uid_value = payload.get("uid").unwrap_or(&null);
        if !self.verify_session_token {
            let uid = user_pk(uid_value).map_err(|()| lookup_error("uid", uid_value))?;
            let Some(uid) = uid else {
                return Err(invalid("no user can have this id", "uid"));
            };
            if self.deleted_users.binary_search(&uid).is_ok() {
                return Err(invalid("the user was deleted", "uid"));
            }
            return self.active_user(uid);
        }
        // Django builds the query's conditions in sorted keyword order: pk (sid), then user_id.
        let sid_value = payload.get("sid").unwrap_or(&null);
        let sid = session_uuid(sid_value).map_err(|why| {
            Error::SessionLookup(
                Cause::new(format!(
                    "sid {} is {why}, not a UUID: the server's session lookup fails (HTTP 500)",
                    crate::json::dumps(sid_value, false)
                ))
                .claim("sid"),
            )
        })?;
        let uid = user_pk(uid_value).map_err(|()| lookup_error("uid", uid_value))?;
        let Some(uid) = uid else {
            return Err(invalid("no session of such a user", "uid"));
        };
        if self.deleted_users.binary_search(&uid).is_ok() {
            return Err(invalid(
                "the user was deleted, and with it their sessions",
                "uid",
            ));
        }
        if self.deleted_sessions.binary_search(&sid).is_ok() {
            return Err(invalid("the session was deleted", "sid"));
        }
        let row = self.session(sid);
        if let Some(r) = row {
            if r.uid != uid {
                return Err(invalid("the session belongs to another user", "uid"));
            }
            if let Some(at) = r.revoked_at {
                if at <= micros(now) {
                    return Err(invalid("the session was revoked", "sid"));
                }
            }
        }
        if self.verify_token_issued_at {
            // Listed: its own last_issued_at (maybe None: no check). Unlisted: re-issued before
            // any token of it that still verifies, so taken as the smallest one of any session
            // (no check when no session has one).
            let last = match row {
                Some(r) => r.last_issued_at,
                None => self.last_issued_floor,
            };
            if let Some(last) = last {
                match payload.get("iat") {
                    None | Some(Value::Null) => {
                        return Err(Error::Superseded(
                            Cause::new("Token has no iat and the session has a last_issued_at")
                                .claim("iat"),
                        ))
                    }
                    Some(iat) => match py_less(iat, last) {
                        None => {
                            return Err(Error::SessionLookup(
                                Cause::new(format!(
                                    "iat {} cannot be compared with an integer: the server fails (HTTP 500)",
                                    crate::json::dumps(iat, false)
                                ))
                                .claim("iat"),
                            ))
                        }
                        Some(true) => {
                            return Err(Error::Superseded(
                                Cause::new(format!(
                                    "iat is older than the session's last_issued_at ({last})"
                                ))
                                .claim("iat"),
                            ))
                        }
                        Some(_) => {}
                    },
                }
            }
        }
        self.active_user(uid)
    }

    fn active_user(&self, uid: i64) -> Result<()> {
        if self.inactive_users.binary_search(&uid).is_ok() {
            return Err(Error::InactiveUser(
                Cause::new("User inactive or deleted.").claim("uid"),
            ));
        }
        Ok(())
    }
}

fn invalid(why: &str, claim: &'static str) -> Error {
    Error::InvalidSession(Cause::new(format!("Invalid token: {why}")).claim(claim))
}

fn lookup_error(claim: &'static str, v: &Value) -> Error {
    Error::SessionLookup(
        Cause::new(format!(
            "{claim} {} is not an integer: the server's lookup fails (HTTP 500)",
            crate::json::dumps(v, false)
        ))
        .claim(claim),
    )
}

/// A verified key-set document: the server's `PUBLIC_KEYS` and its public keys as a JWK Set.
#[derive(Debug, Clone)]
pub struct KeySet {
    info: DocumentInfo,
    public_keys: Vec<(String, OneOrMany)>,
    keys: Vec<Value>,
    signature: Vec<u8>,
}

impl KeySet {
    /// Verifies a JWKS document issued by `issuer` at `now` with `verifier`'s keys and reads it:
    /// `public_keys` (issuer → key file name or list, as `PUBLIC_KEYS`) and `keys` (a JWK Set,
    /// `kid` = file name without `.pem`).
    pub fn from_document(
        doc: &[u8],
        verifier: &Verifier,
        issuer: &str,
        max_bytes: usize,
        now: f64,
    ) -> Result<KeySet> {
        let o = open(doc, verifier, KEYS_TYPE, "key set", issuer, max_bytes, now)?;
        let mut m = Map::new();
        match o.payload.get("public_keys") {
            Some(Value::Object(pk)) => {
                m.insert("PUBLIC_KEYS".to_owned(), Value::Object(pk.clone()));
            }
            _ => return Err(bad("key set", "public_keys must be an object")),
        }
        let public_keys = Settings::from_map(&m)
            .map_err(|e| bad("key set", e.message()))?
            .public_keys;
        let keys = match o.payload.get("keys") {
            Some(Value::Array(a)) => a.clone(),
            _ => return Err(bad("key set", "keys must be a list of JWKs")),
        };
        Ok(KeySet {
            info: o.info,
            public_keys,
            keys,
            signature: o.signature,
        })
    }

    /// The document's envelope.
    pub fn info(&self) -> &DocumentInfo {
        &self.info
    }

    /// A verifier with `verifier`'s settings but this `PUBLIC_KEYS` and these keys (parsed
    /// once, under the same `MIN_KEY_BITS`).
    pub fn verifier(&self, verifier: &Verifier) -> Result<Verifier> {
        let mut settings = verifier.settings().clone();
        settings.public_keys = self.public_keys.clone();
        let store = KeyStore::new(&settings, [KeyMaterial::Jwks(self.keys.clone())])
            .map_err(|e| bad("key set", e.message()))?;
        Verifier::new(settings, store)
    }
}

/// Whether a document replaces the one in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// A newer document is now in force.
    Replaced,
    /// The same document again (same sequence and signature): nothing changed.
    Unchanged,
}

/// What an edge holds between requests: the session state in force (if session state is in
/// use, and under which [`StalePolicy`]), and the sequence of the key set in force. Documents
/// are swapped whole: a refused one leaves the one in force untouched.
#[derive(Debug, Clone)]
pub struct EdgeState {
    issuer: String,
    policy: Option<StalePolicy>,
    state: Option<SessionState>,
    keys: Option<(DocumentInfo, Vec<u8>)>,
    max_bytes: usize,
}

fn sequence_check(
    what: &str,
    current: Option<(&DocumentInfo, &[u8])>,
    next: &DocumentInfo,
    signature: &[u8],
) -> Result<Update> {
    let Some((cur, sig)) = current else {
        return Ok(Update::Replaced);
    };
    if next.sequence > cur.sequence {
        return Ok(Update::Replaced);
    }
    if next.sequence == cur.sequence && sig == signature {
        return Ok(Update::Unchanged);
    }
    Err(bad(
        what,
        format!(
            "sequence {} after {}: sequences never go backwards (a replayed or out-of-order document)",
            next.sequence, cur.sequence
        ),
    ))
}

impl EdgeState {
    /// An edge state for documents signed by `issuer`, or by the settings' `IDENTITY` when it is
    /// one name. `policy`: `None` until session state is in use (then no session checks run).
    pub fn new(
        settings: &Settings,
        issuer: Option<&str>,
        policy: Option<StalePolicy>,
    ) -> Result<Self> {
        let issuer = match (issuer, &settings.identity) {
            (Some(i), _) => i.to_owned(),
            (None, Some(OneOrMany::One(i))) => i.clone(),
            (None, Some(OneOrMany::Many(l))) if l.len() == 1 => l[0].clone(),
            _ => {
                return Err(Error::Config(
                    "the issuer of the session-state and key documents must be given: IDENTITY is not one name".into(),
                ))
            }
        };
        if issuer.is_empty() {
            return Err(Error::Config(
                "the documents' issuer must not be empty".into(),
            ));
        }
        Ok(EdgeState {
            issuer,
            policy,
            state: None,
            keys: None,
            max_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        })
    }

    /// The issuer documents must come from.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The policy in force (`None`: session state is not in use).
    pub fn policy(&self) -> Option<StalePolicy> {
        self.policy
    }

    /// Turns session state on (with this policy for when it is missing or too old) or off.
    pub fn set_policy(&mut self, policy: Option<StalePolicy>) {
        self.policy = policy;
    }

    /// The size limit of documents (default [`DEFAULT_MAX_DOCUMENT_BYTES`]).
    pub fn set_max_document_bytes(&mut self, n: usize) {
        self.max_bytes = n;
    }

    /// The session state in force, if any (maybe too old: see [`DocumentInfo::is_fresh`]).
    pub fn session_state(&self) -> Option<&SessionState> {
        self.state.as_ref()
    }

    /// The envelope of the key set in force, if one was taken from a document.
    pub fn key_set(&self) -> Option<&DocumentInfo> {
        self.keys.as_ref().map(|(i, _)| i)
    }

    /// Takes a session-state document (verified with `verifier`'s keys at `now`); turns session
    /// state on with [`StalePolicy::Refuse`] if it was off. On error the state in force stays.
    pub fn update_state(&mut self, doc: &[u8], verifier: &Verifier, now: f64) -> Result<Update> {
        let next = SessionState::from_document(doc, verifier, &self.issuer, self.max_bytes, now)?;
        let current = self
            .state
            .as_ref()
            .map(|s| (&s.info, s.signature.as_slice()));
        let update = sequence_check("session state", current, &next.info, &next.signature)?;
        if self.policy.is_none() {
            self.policy = Some(StalePolicy::Refuse);
        }
        if update == Update::Replaced {
            self.state = Some(next);
        }
        Ok(update)
    }

    /// Takes a key-set document verified with `verifier`'s keys at `now`: `Some(verifier)` built
    /// on its keys to use from now on, `None` if it is the key set in force already. On error
    /// nothing changes.
    pub fn update_keys(
        &mut self,
        doc: &[u8],
        verifier: &Verifier,
        now: f64,
    ) -> Result<Option<Verifier>> {
        let set = KeySet::from_document(doc, verifier, &self.issuer, self.max_bytes, now)?;
        let current = self.keys.as_ref().map(|(i, s)| (i, s.as_slice()));
        if sequence_check("key set", current, &set.info, &set.signature)? == Update::Unchanged {
            return Ok(None);
        }
        let next = set.verifier(verifier)?;
        self.keys = Some((set.info, set.signature));
        Ok(Some(next))
    }

    /// The session checks for a payload `decode_jwt_token` accepted, at `now`: with session
    /// state off, none; with a fresh session state, [`SessionState::authenticate_payload`];
    /// without one, the policy (`state_unavailable`, or no session checks).
    pub fn check(&self, payload: &Map, now: f64) -> Result<()> {
        check_now(now)?;
        let Some(policy) = self.policy else {
            return Ok(());
        };
        match &self.state {
            Some(s) if s.info.is_fresh(now) => s.authenticate_payload(payload, now),
            _ if policy == StalePolicy::Stateless => Ok(()),
            None => Err(Error::StateUnavailable(
                "no session state has been loaded yet (policy refuse)".into(),
            )),
            Some(s) => Err(Error::StateUnavailable(
                format!(
                    "the session state (sequence {}) is {} s old, over its max_age of {} s (policy refuse)",
                    s.info.sequence,
                    crate::pyfloat::display(now - s.info.issued_at as f64),
                    s.info.max_age
                )
                .into(),
            )),
        }
    }
}

/// `authenticate_payload` on what `authenticate` returned (anonymous stays anonymous).
fn checked(data: Option<TokenData>, state: &EdgeState, now: f64) -> Result<Option<TokenData>> {
    if let Some(d) = &data {
        state.check(&d.payload, now)?;
    }
    Ok(data)
}

impl Verifier {
    /// `JWTAuthentication.authenticate` in full: the header, `decode_jwt_token`, then
    /// `authenticate_payload` as `state` knows it (see [`EdgeState::check`]).
    pub fn authenticate_with_state(
        &self,
        header: Option<&[u8]>,
        now: f64,
        state: &EdgeState,
    ) -> Result<Option<TokenData>> {
        checked(self.authenticate(header, now)?, state, now)
    }
}

impl CachedVerifier {
    /// As [`Verifier::authenticate_with_state`], through the cache.
    pub fn authenticate_with_state(
        &mut self,
        header: Option<&[u8]>,
        now: f64,
        state: &EdgeState,
    ) -> Result<Option<TokenData>> {
        checked(self.authenticate(header, now)?, state, now)
    }

    /// As [`CachedVerifier::recheck`], with the session checks of `state` on the entry's payload.
    pub fn recheck_with_state(
        &mut self,
        id: u64,
        now: f64,
        state: &EdgeState,
    ) -> Option<Result<()>> {
        let r = self.recheck(id, now)?;
        Some(r.and_then(|()| match self.entry_data(id) {
            Some(d) => state.check(&d.payload, now),
            None => Ok(()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn s(x: &str) -> Value {
        Value::Str(x.to_string())
    }

    #[test]
    fn sids_as_django_reads_them() {
        let u = 0x12345678_1234_5678_1234_567812345678u128;
        for text in [
            "12345678123456781234567812345678",
            "12345678-1234-5678-1234-567812345678",
            "{12345678-1234-5678-1234-567812345678}",
            "urn:uuid:12345678-1234-5678-1234-567812345678",
            "{{12345678123456781234567812345678}",
        ] {
            assert_eq!(session_uuid(&s(text)), Ok(u), "{text}");
        }
        assert_eq!(
            session_uuid(&s("0x345678123456781234567812345678")),
            Ok(u & ((1 << 120) - 1))
        );
        assert_eq!(
            session_uuid(&s(" 2345678123456781234567812345678")),
            Ok(0x2345678123456781234567812345678)
        );
        for bad in [
            "",
            "s-1",
            "1234567812345678123456781234567g",
            "123456781234567812345678123456789",
        ] {
            assert!(session_uuid(&s(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            session_uuid(&s("1_234567812345678123456781234567")),
            Ok(0x1234567812345678123456781234567)
        );
        assert_eq!(session_uuid(&Value::Bool(true)), Ok(1));
        assert_eq!(session_uuid(&Value::Int(Int::Small(42))), Ok(42));
        assert!(session_uuid(&Value::Int(Int::Small(-1))).is_err());
        assert!(session_uuid(&Value::Float(1.0)).is_err());
        assert!(session_uuid(&Value::Array(Vec::new())).is_err());
        let big = Int::Big("340282366920938463463374607431768211455".into());
        assert_eq!(session_uuid(&Value::Int(big)), Ok(u128::MAX));
        let over = Int::Big("340282366920938463463374607431768211456".into());
        assert!(session_uuid(&Value::Int(over)).is_err());
    }

    #[test]
    fn iat_comparisons_as_python() {
        assert_eq!(py_less(&Value::Int(Int::Small(9)), 10), Some(true));
        assert_eq!(py_less(&Value::Int(Int::Small(10)), 10), Some(false));
        assert_eq!(py_less(&Value::Float(9.999), 10), Some(true));
        assert_eq!(py_less(&Value::Float(10.0), 10), Some(false));
        assert_eq!(py_less(&Value::Float(-0.5), 0), Some(true));
        assert_eq!(py_less(&Value::Bool(true), 2), Some(true));
        assert_eq!(
            py_less(&Value::Int(Int::Big("-99999999999999999999".into())), 0),
            Some(true)
        );
        assert_eq!(
            py_less(&Value::Int(Int::Big("99999999999999999999".into())), 0),
            Some(false)
        );
        assert_eq!(py_less(&s("5"), 10), None);
        assert_eq!(py_less(&Value::Array(Vec::new()), 10), None);
    }

    #[test]
    fn now_as_a_datetime() {
        assert_eq!(micros(1.0), 1_000_000);
        assert_eq!(micros(1.5), 1_500_000);
        assert_eq!(micros(-1.5), -1_500_000);
        assert_eq!(micros(1_700_000_000.000_000_5), 1_700_000_000_000_000);
        assert_eq!(micros(0.000_000_5), 0); // half to even
        assert_eq!(micros(0.000_001_5), 2);
        assert_eq!(micros(-0.000_000_4), 0);
    }
}
