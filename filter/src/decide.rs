//! What to do with one request: pure logic, no host calls, so it is testable natively.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use base64::Engine as _;
use drf_sso_jwt::json::{self, py_str, Value};

use crate::config::Config;

/// DRF's `NotAuthenticated` text, sent when `allow_anonymous` is false and no credentials came.
pub const DETAIL_NOT_AUTHENTICATED: &str = "Authentication credentials were not provided.";

/// The verdict for one request, after client-supplied reserved headers were removed.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Forward upstream, adding these headers (the token's claims), and maybe removing the credentials.
    Forward {
        /// `(header, value)` to set from the verified token (empty when anonymous or skipped).
        headers: Vec<(String, String)>,
        /// Remove the credentials header (`strip_token` and a verified token).
        strip: bool,
        /// Why it was forwarded: `"authenticated"`, `"anonymous"` or `"skipped"`.
        reason: &'static str,
    },
    /// Answer locally, never reaching the upstream.
    Reject {
        /// HTTP status (401).
        status: u32,
        /// `{"detail":"..."}` as DRF's JSONRenderer writes it (compact separators).
        body: String,
        /// `content-type` and `www-authenticate`.
        headers: Vec<(&'static str, String)>,
        /// The core's stable error code (or `not_authenticated`), for the log.
        code: &'static str,
        /// The precise cause, for the log.
        message: String,
    },
}

/// The verdict for a request with `:path` `path` and credentials header `credentials`
/// (absent = `None`), at `now` seconds since the epoch.
pub fn decide(cfg: &Config, path: Option<&[u8]>, credentials: Option<&[u8]>, now: f64) -> Decision {
    if path.is_some_and(|p| cfg.skips(p)) {
        return Decision::Forward {
            headers: Vec::new(),
            strip: false,
            reason: "skipped",
        };
    }
    // Never re-entered (one request at a time per VM); a failed borrow is an error value, not a panic.
    let verdict = match cfg.verifier.try_borrow_mut() {
        Ok(mut v) => v.authenticate(credentials, now),
        Err(_) => Err(drf_sso_jwt::Error::Config("verifier busy".into())),
    };
    match verdict {
        Ok(Some(data)) => {
            let mut headers = Vec::with_capacity(cfg.claim_headers.len() + 1);
            for (claim, header) in &cfg.claim_headers {
                if let Some(value) = data.payload.get(claim).and_then(header_value) {
                    headers.push((header.clone(), value));
                }
            }
            if let Some(h) = &cfg.payload_header {
                let compact = json::dumps(&Value::Object(data.payload), false);
                headers.push((
                    h.clone(),
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compact),
                ));
            }
            Decision::Forward {
                headers,
                strip: cfg.strip_token,
                reason: "authenticated",
            }
        }
        Ok(None) if cfg.allow_anonymous => Decision::Forward {
            headers: Vec::new(),
            strip: false,
            reason: "anonymous",
        },
        Ok(None) => reject(
            cfg,
            DETAIL_NOT_AUTHENTICATED,
            "not_authenticated",
            DETAIL_NOT_AUTHENTICATED.to_owned(),
        ),
        Err(e) => reject(cfg, e.detail(), e.code(), e.message().to_owned()),
    }
}

fn reject(cfg: &Config, detail: &str, code: &'static str, message: String) -> Decision {
    let mut body = String::with_capacity(detail.len() + 14);
    body.push_str("{\"detail\":");
    json::write_json_str(&mut body, detail);
    body.push('}');
    Decision::Reject {
        status: 401,
        body,
        headers: alloc::vec![
            ("content-type", "application/json".to_owned()),
            ("www-authenticate", cfg.www_authenticate.clone()),
        ],
        code,
        message,
    }
}

/// A claim as a header value: strings as they are, lists and objects as compact JSON,
/// other scalars as Python's `str()` (`7`, `True`); `null` and strings with control
/// characters (which no header value may carry) set no header.
pub fn header_value(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Str(s) if s.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) => None,
        Value::Str(s) => Some(s.clone()),
        Value::Array(_) | Value::Object(_) => Some(json::dumps(v, false)),
        other => Some(py_str(other)),
    }
}
