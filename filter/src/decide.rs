//! What to do with one request: pure logic, no host calls, so it is testable natively.
//! Mirrors `JWTAuthentication.authenticate` (rest_framework_sso/authentication.py) and
//! DRF's `APIView.permission_denied` (401 `NotAuthenticated` / 403 `PermissionDenied`).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use drf_sso_jwt::json::{self, py_str, Map, Value};

use crate::config::Config;
use crate::converted::Headers;
use crate::policy::{Forbidden, Requirement, TokenKind};

/// DRF's `NotAuthenticated` text, sent when a rule requires credentials and none came.
pub const DETAIL_NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";
/// DRF's `PermissionDenied` text, sent when a verified token lacks what the rule asks for.
pub const DETAIL_PERMISSION_DENIED: &str = "You do not have permission to perform this action.";
/// DRF's text for an `Authorization` header with more than two parts: what it answers for
/// two copies joined by a comma, as Envoy (for `authorization`) and WSGI servers join them.
pub const DETAIL_DUPLICATE: &str = "Invalid token header. Token string should not contain spaces.";
/// Prefix of a claim header value that is not plain printable ASCII (RFC 8187 `ext-value`).
pub const ENCODED_PREFIX: &str = "UTF-8''";

/// The credentials header of a request, as the filter found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials<'a> {
    Absent,
    One(&'a [u8]),
    /// More than one copy: never verified, never forwarded.
    Many,
}

/// What the request's `:method`, `:path` and credentials header were.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a [u8],
    pub path: &'a [u8],
    pub credentials: Credentials<'a>,
}

/// Why a request was forwarded (one counter each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forwarded {
    /// A verified token that satisfied the rule.
    Allowed,
    /// No credentials under an `optional` rule (DRF returns `None`).
    Anonymous,
    /// A `skip` rule: not authenticated at all.
    Skipped,
}

impl Forwarded {
    /// The counter / log name.
    pub fn name(self) -> &'static str {
        match self {
            Forwarded::Allowed => "allowed",
            Forwarded::Anonymous => "anonymous",
            Forwarded::Skipped => "skipped",
        }
    }
}

/// The verdict for one request, after client-supplied reserved headers were removed.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Forward upstream, adding these headers (the token's claims), and maybe removing the credentials.
    Forward {
        /// `(header, value)` to set from the verified token (empty when anonymous or skipped).
        headers: Headers,
        /// Remove the credentials header (`strip_token` and a verified token).
        strip: bool,
        why: Forwarded,
    },
    /// Answer locally, never reaching the upstream.
    Reject {
        /// HTTP status: 401 (authentication), 403 (permission), 503 (no fresh session state).
        status: u32,
        /// `{"detail":"..."}` as DRF's JSONRenderer writes it (compact separators).
        body: String,
        /// `content-type`, and `www-authenticate` on a 401.
        headers: Vec<(&'static str, String)>,
        /// The core's stable error code, or the filter's own (`not_authenticated`,
        /// `wrong_token_type`, `missing_scope`, `duplicate_header`).
        code: &'static str,
        /// The precise cause, for the log.
        message: String,
    },
}

/// Envoy's response code details for a local reply with this code (`%RESPONSE_CODE_DETAILS%`).
pub fn details(code: &str) -> String {
    format!("drf_sso_jwt_denied{{{code}}}")
}

/// The verdict for `req` at `now` seconds since the epoch.
pub fn decide(cfg: &Config, req: &Request<'_>, now: f64) -> Decision {
    let rule = cfg.rules.select(req.method, req.path);
    if rule.requirement == Requirement::Skip {
        return Decision::Forward {
            headers: Rc::from([]),
            strip: false,
            why: Forwarded::Skipped,
        };
    }
    let credentials = match req.credentials {
        Credentials::Absent => None,
        Credentials::One(v) => Some(v),
        Credentials::Many => {
            return reject(
                cfg,
                401,
                DETAIL_DUPLICATE,
                "duplicate_header",
                format!("more than one {} header", cfg.header),
            )
        }
    };
    // A token verified before: its entry in the core's cache answers the time-dependent
    // checks (`recheck`), and the headers built then are used again.
    let slot = credentials.and_then(|c| cfg.converted.try_borrow().ok()?.find(c));
    if let Some((id, headers, payload)) = slot {
        let again = match cfg.verifier.try_borrow_mut() {
            Ok(mut v) => v.recheck(id, now),
            Err(_) => None,
        };
        match again {
            Some(Ok(())) => {
                return match session_check(cfg, &payload, now) {
                    Ok(()) => permitted(cfg, &rule, &payload, headers),
                    Err(e) => refusal(cfg, e),
                }
            }
            Some(Err(e)) => return refusal(cfg, e),
            None => {} // the core's entry was replaced: verify again
        }
    }
    // Never re-entered (one request at a time per VM); a failed borrow is an error value, not a panic.
    let verdict = match cfg.verifier.try_borrow_mut() {
        Ok(mut v) => v
            .authenticate(credentials, now)
            .map(|d| d.map(|d| (d, v.last_entry()))),
        Err(_) => Err(drf_sso_jwt::Error::Config("verifier busy".into())),
    };
    match verdict {
        Ok(Some((data, entry))) => {
            let payload = Rc::new(data.payload);
            let headers = claim_headers(cfg, &payload);
            if let (Some(id), Some(c), Ok(mut conv)) =
                (entry, credentials, cfg.converted.try_borrow_mut())
            {
                conv.store(c, id, headers.clone(), payload.clone());
            }
            match session_check(cfg, &payload, now) {
                Ok(()) => permitted(cfg, &rule, &payload, headers),
                Err(e) => refusal(cfg, e),
            }
        }
        Ok(None) if rule.requirement == Requirement::Optional => Decision::Forward {
            headers: Rc::from([]),
            strip: false,
            why: Forwarded::Anonymous,
        },
        Ok(None) => reject(
            cfg,
            401,
            DETAIL_NOT_AUTHENTICATED,
            "not_authenticated",
            DETAIL_NOT_AUTHENTICATED.to_owned(),
        ),
        Err(e) => refusal(cfg, e),
    }
}

/// drf-sso's `authenticate_payload` from the feed's session state, after `decode_jwt_token`
/// accepted the token (nothing without a feed that uses session state).
fn session_check(cfg: &Config, payload: &Map, now: f64) -> Result<(), drf_sso_jwt::Error> {
    match cfg.edge.try_borrow() {
        Ok(edge) => match edge.as_ref() {
            Some(e) => e.check(payload, now),
            None => Ok(()),
        },
        Err(_) => Err(drf_sso_jwt::Error::StateUnavailable(
            "the session state is being replaced".into(),
        )),
    }
}

/// The reply for a core error: DRF's 401 with its detail; 503 when the edge has no fresh
/// session state to judge with (policy `refuse`): not a verdict, the request may succeed later.
fn refusal(cfg: &Config, e: drf_sso_jwt::Error) -> Decision {
    let status = if e.code() == "state_unavailable" {
        503
    } else {
        401
    };
    reject(cfg, status, e.detail(), e.code(), e.message().to_owned())
}

/// Forward with these headers if the rule's permission check passes, else DRF's 403.
fn permitted(
    cfg: &Config,
    rule: &crate::policy::Effective<'_>,
    payload: &Map,
    headers: Headers,
) -> Decision {
    if let Err(f) = rule.permits(payload) {
        let message = match f {
            Forbidden::WrongTokenType => {
                let mut m = String::from("the rule asks for ");
                m.push_str(match rule.token {
                    TokenKind::Auth => "an \"auth\" token",
                    TokenKind::Session => "a \"session\" token",
                    _ => "token kinds no token has",
                });
                m.push_str(", this one has \"token\": ");
                m.push_str(
                    &payload
                        .get("token")
                        .map_or("absent".to_owned(), |t| json::dumps(t, false)),
                );
                m
            }
            Forbidden::MissingScope => {
                let mut m = String::from("the rule asks for scopes");
                for s in &rule.scopes {
                    m.push(' ');
                    json::write_json_str(&mut m, s);
                }
                m
            }
        };
        return reject(cfg, 403, DETAIL_PERMISSION_DENIED, f.code(), message);
    }
    Decision::Forward {
        headers,
        strip: cfg.strip_token,
        why: Forwarded::Allowed,
    }
}

/// The claim headers and the payload header of a verified payload.
fn claim_headers(cfg: &Config, payload: &Map) -> Headers {
    let mut headers = Vec::with_capacity(cfg.claim_headers.len() + 1);
    for (claim, header) in &cfg.claim_headers {
        if let Some(value) = payload.get(claim).and_then(header_value) {
            headers.push((header.clone(), value));
        }
    }
    if let Some(h) = &cfg.payload_header {
        let mut compact = String::new();
        json::write_map(&mut compact, payload);
        headers.push((
            h.clone(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compact),
        ));
    }
    headers.into()
}

fn reject(
    cfg: &Config,
    status: u32,
    detail: &str,
    code: &'static str,
    message: String,
) -> Decision {
    let mut body = String::with_capacity(detail.len() + 14);
    body.push_str("{\"detail\":");
    json::write_json_str(&mut body, detail);
    body.push('}');
    let mut headers = alloc::vec![("content-type", "application/json".to_owned())];
    // DRF sends WWW-Authenticate with its 401s only (`get_authenticate_header`).
    if status == 401 {
        headers.push(("www-authenticate", cfg.www_authenticate.clone()));
    }
    Decision::Reject {
        status,
        body,
        headers,
        code,
        message,
    }
}

/// A claim as a header value: strings as they are, lists and objects as compact JSON
/// (`ensure_ascii`), other scalars as Python's `str()` (`7`, `True`); `null` sets no
/// header. A string that is not plain printable ASCII (non-ASCII, control characters,
/// leading or trailing spaces, which parsers trim) is sent as RFC 8187's
/// `UTF-8''<percent-encoded UTF-8>`, as is one that starts with `UTF-8''` itself, so the
/// upstream can always tell the two forms apart.
pub fn header_value(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Str(s) => Some(encode_text(s)),
        Value::Array(_) | Value::Object(_) => Some(json::dumps(v, false)),
        other => Some(py_str(other)),
    }
}

fn encode_text(s: &str) -> String {
    let b = s.as_bytes();
    let plain = b.iter().all(|&c| (0x20..0x7f).contains(&c))
        && !b.starts_with(b" ")
        && !b.ends_with(b" ")
        && !s.starts_with(ENCODED_PREFIX);
    if plain {
        return s.to_owned();
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(ENCODED_PREFIX.len() + 3 * b.len());
    out.push_str(ENCODED_PREFIX);
    for &c in b {
        // RFC 8187 attr-char stays; everything else is %XX.
        if c.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&c) {
            out.push(c as char);
        } else {
            out.push('%');
            out.push(HEX[(c >> 4) as usize] as char);
            out.push(HEX[(c & 15) as usize] as char);
        }
    }
    out
}
