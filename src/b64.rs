//! base64url segments exactly as PyJWT 2.15 `PyJWS._decode_base64url_segment`
//! accepts them (RFC 7515 §2 with PyJWT's tolerance for up to two `=`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::errors::{Cause, Error, Result, Segment};

/// Decodes one segment; `name` is PyJWT's segment name (`header`, `payload`, `crypto`).
///
/// Rules, in PyJWT's order: at most two trailing `=`, padding only on a length
/// that is a multiple of four, no length ≡ 1 (mod 4), alphabet `A-Za-z0-9-_` only,
/// and canonical (the unused low bits of the last character are zero).
pub(crate) fn decode_segment(segment: &[u8], name: &str) -> Result<Vec<u8>> {
    let part = match name {
        "header" => Segment::Header,
        "payload" => Segment::Payload,
        _ => Segment::Signature,
    };
    let err = || Error::Malformed(Cause::new(format!("Invalid {name} padding")).segment(part));
    let mut stripped = segment;
    let mut padding = 0;
    while let [rest @ .., b'='] = stripped {
        stripped = rest;
        padding += 1;
        if padding > 2 {
            return Err(err());
        }
    }
    if padding > 0 && !segment.len().is_multiple_of(4) {
        return Err(err());
    }
    if stripped.len() % 4 == 1 {
        return Err(err());
    }
    // The engine refuses every byte outside `A-Za-z0-9-_` (so no separate alphabet pass)
    // and non-zero trailing bits, which is PyJWT's re-encode check.
    URL_SAFE_NO_PAD.decode(stripped).map_err(|_| err())
}

/// base64url without padding, as PyJWT's `base64url_encode`.
pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes unpadded base64url (JWK members); `None` when not canonical.
pub(crate) fn decode_jwk_member(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyjwt_padding_rules() {
        assert_eq!(decode_segment(b"eyJ9", "header").unwrap(), b"{\"}");
        assert_eq!(decode_segment(b"YQ", "x").unwrap(), b"a");
        assert_eq!(decode_segment(b"YQ==", "x").unwrap(), b"a");
        assert!(decode_segment(b"YQ=", "x").is_err()); // length 3 with padding
        assert!(decode_segment(b"YQ===", "x").is_err()); // three '='
        assert!(decode_segment(b"YR", "x").is_err()); // non-canonical last char
        assert!(decode_segment(b"Y", "x").is_err()); // len % 4 == 1
        assert!(decode_segment(b"Y+/=", "x").is_err()); // standard alphabet
        for bad in [&b"YQ.A"[..], b"Y Q", b"YQ=A", b"\xc3\xa9AA", b"YQ\0A"] {
            assert!(decode_segment(bad, "x").is_err(), "{bad:?}");
        }
        assert_eq!(decode_segment(b"", "x").unwrap(), b"");
        let e = decode_segment(b"!!", "payload").unwrap_err();
        assert_eq!(e.message(), "Invalid payload padding");
        assert_eq!(e.detail(), crate::errors::DETAIL_DECODE);
    }
}
