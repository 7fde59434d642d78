//! JWS compact serialization (RFC 7515 §7.1) parsed as PyJWT 2.15 `PyJWS._load`,
//! `_validate_headers` and `PyJWT._decode_payload` do, in their order.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::b64::decode_segment;
use crate::errors::{Cause, Error, Result, Segment};
use crate::json::{self, JsonError, Map, Value};

/// A decoded token: the JOSE header and the claims.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenData {
    /// The JOSE header (`jwt.get_unverified_header`).
    pub header: Map,
    /// The claims, as the server's `json.loads` built them.
    pub payload: Map,
}

/// The segments of a token after `_load` and `_validate_headers`.
pub(crate) struct Parts<'a> {
    pub header: Map,
    pub payload: Vec<u8>,
    pub signing_input: &'a [u8],
    pub signature: Vec<u8>,
}

fn json_error(what: &str, part: Segment, e: JsonError) -> Error {
    match e {
        JsonError::Invalid(m) => {
            Error::Malformed(Cause::new(format!("Invalid {what} string: {m}")).segment(part))
        }
        JsonError::Unsupported(m) => {
            Error::UnsupportedJson(Cause::new(format!("Invalid {what} string: {m}")).segment(part))
        }
    }
}

fn header_error(m: &str) -> Cause {
    Cause::new(m).segment(Segment::Header)
}

fn is_false(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(false)))
}

/// `_load` then `_validate_headers`.
pub(crate) fn load(token: &[u8], max_depth: usize) -> Result<Parts<'_>> {
    let not_enough = || Error::Malformed("Not enough segments".into());
    let dot = token
        .iter()
        .rposition(|&b| b == b'.')
        .ok_or_else(not_enough)?;
    let (signing_input, crypto) = (&token[..dot], &token[dot + 1..]);
    let dot2 = signing_input
        .iter()
        .position(|&b| b == b'.')
        .ok_or_else(not_enough)?;
    let (header_seg, payload_seg) = (&signing_input[..dot2], &signing_input[dot2 + 1..]);

    let header_data = decode_segment(header_seg, "header")?;
    let header = match json::loads(&header_data, max_depth)
        .map_err(|e| json_error("header", Segment::Header, e))?
    {
        Value::Object(m) => m,
        _ => {
            return Err(Error::Malformed(header_error(
                "Invalid header string: must be a json object",
            )))
        }
    };
    let payload = if is_false(header.get("b64")) {
        if !payload_seg.is_empty() {
            return Err(Error::Malformed(
                Cause::new("Payload segment must be empty when 'b64' is false.")
                    .segment(Segment::Payload),
            ));
        }
        Vec::new()
    } else {
        decode_segment(payload_seg, "payload")?
    };
    let signature = decode_segment(crypto, "crypto")?;
    validate_headers(&header)?;
    Ok(Parts {
        header,
        payload,
        signing_input,
        signature,
    })
}

/// `_validate_headers`: `kid` must be a string; `crit` per `_validate_crit`.
fn validate_headers(h: &Map) -> Result<()> {
    if let Some(kid) = h.get("kid") {
        if kid.as_str().is_none() {
            return Err(Error::InvalidHeader(
                Cause::new("Key ID header parameter must be a string").header_param("kid"),
            ));
        }
    }
    if let Some(crit) = h.get("crit") {
        let list = match crit {
            Value::Array(l) if !l.is_empty() => l,
            _ => {
                return Err(Error::InvalidHeader(
                    Cause::new("Invalid 'crit' header: must be a non-empty list")
                        .header_param("crit"),
                ))
            }
        };
        for ext in list {
            let Some(ext) = ext.as_str() else {
                return Err(Error::InvalidHeader(
                    Cause::new("Invalid 'crit' header: values must be strings")
                        .header_param("crit"),
                ));
            };
            if ext != "b64" {
                return Err(Error::InvalidHeader(
                    Cause::new(format!("Unsupported critical extension: {ext}"))
                        .header_param("crit"),
                ));
            }
            if !h.contains_key(ext) {
                return Err(Error::InvalidHeader(
                    Cause::new(format!(
                        "Critical extension '{ext}' is missing from headers"
                    ))
                    .header_param("crit"),
                ));
            }
        }
    }
    Ok(())
}

/// `decode_complete`'s `b64: false` rules (no detached payload is ever supplied), then `_decode_payload`.
pub(crate) fn payload(parts: &Parts<'_>, max_depth: usize) -> Result<Map> {
    if is_false(parts.header.get("b64")) {
        let listed = matches!(parts.header.get("crit"), Some(Value::Array(l)) if l.iter().any(|e| e.as_str() == Some("b64")));
        if !listed {
            return Err(Error::InvalidHeader(
                Cause::new("The 'b64' header parameter requires 'b64' to be listed in 'crit'.")
                    .header_param("b64"),
            ));
        }
        return Err(Error::Malformed(Cause::new(
            "It is required that you pass in a value for the \"detached_payload\" argument to decode a message having the b64 header set to false.",
        ).segment(Segment::Payload)));
    }
    match json::loads(&parts.payload, max_depth)
        .map_err(|e| json_error("payload", Segment::Payload, e))?
    {
        Value::Object(m) => Ok(m),
        _ => Err(Error::Malformed(
            Cause::new("Invalid payload string: must be a json object").segment(Segment::Payload),
        )),
    }
}

/// Decoding without verification. Nothing returned here may be trusted.
pub mod dangerous {
    use super::*;

    /// `jwt.get_unverified_header` + `jwt.decode(..., verify_signature=False)`: structure
    /// checks only (segments, base64url, JSON objects, `kid`, `crit`, `b64`); no signature, no
    /// claims. Same default limits as verification: 8192 bytes, JSON depth 64.
    pub fn decode(token: impl AsRef<[u8]>) -> Result<TokenData> {
        decode_with_limits(token, 8192, 64)
    }

    /// As [`decode`] with explicit size and JSON nesting limits.
    pub fn decode_with_limits(
        token: impl AsRef<[u8]>,
        max_bytes: usize,
        max_depth: usize,
    ) -> Result<TokenData> {
        let token = token.as_ref();
        if token.len() > max_bytes {
            return Err(Error::TooLarge(
                format!(
                    "token is {} bytes, over the limit of {max_bytes}",
                    token.len()
                )
                .into(),
            ));
        }
        let parts = load(token, max_depth)?;
        let payload = payload(&parts, max_depth)?;
        Ok(TokenData {
            header: parts.header,
            payload,
        })
    }
}

impl TokenData {
    /// `{"header": ..., "payload": ...}` as compact JSON (ASCII-only, payload keys in order).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"header\":");
        json::write_map(&mut out, &self.header);
        out.push_str(",\"payload\":");
        json::write_map(&mut out, &self.payload);
        out.push('}');
        out
    }
}
