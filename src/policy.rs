//! PyJWT 2.15 `PyJWS._verify_signature` with the keys drf-sso loads: the `alg` allow-list,
//! PyJWT's algorithm table (`get_default_algorithms`), then the key's own check.

use alloc::format;
use alloc::string::String;

use crate::errors::{Cause, Error, Result, Segment};
use crate::json::Value;
use crate::jwa::Algorithm;
use crate::keys::VerifyingKey;

/// How the signature is checked once the policy allows it (a cross-check option, or the fast path).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Check {
    #[cfg(feature = "cross-check")]
    pub with: crate::keys::SignatureCheck,
}

impl Check {
    fn verify(self, key: &VerifyingKey, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        #[cfg(feature = "cross-check")]
        return key.verify_with(alg, msg, sig, self.with);
        #[cfg(not(feature = "cross-check"))]
        key.verify(alg, msg, sig)
    }
}

fn header(m: &str) -> Cause {
    Cause::new(m).header_param("alg")
}

/// `_verify_signature`: `alg` must be named, allowed and known to PyJWT, and usable with the key.
pub(crate) fn verify_signature(
    header_alg: Option<&Value>,
    allowed: &[String],
    key: &VerifyingKey,
    signing_input: &[u8],
    signature: &[u8],
    check: Check,
) -> Result<()> {
    let Some(alg) = header_alg else {
        return Err(Error::BadAlgorithm(header("Algorithm not specified")));
    };
    let name = match alg.as_str() {
        Some(s) if !s.is_empty() && allowed.iter().any(|a| a == s) => s,
        _ => {
            return Err(Error::BadAlgorithm(header(
                "The specified alg value is not allowed",
            )))
        }
    };
    let Some(algorithm) = Algorithm::from_name(name) else {
        return Err(match name {
            "none" => Error::InvalidKey(header("When alg = \"none\", key value must be None.")),
            "EdDSA" => Error::InvalidKey(header(
                "Expected an OKP key, got: RSAPublicKey. Invalid Key type for OKPAlgorithm",
            )),
            "HS256" | "HS384" | "HS512" | "ES256" | "ES256K" | "ES384" | "ES521" | "ES512" => {
                Error::UnsupportedAlgorithm(header(&format!(
                    "{name} cannot use an RSA public key (the server raises TypeError: HTTP 500)"
                )))
            }
            _ => Error::BadAlgorithm(header("Algorithm not supported")),
        });
    };
    if check.verify(key, algorithm, signing_input, signature) {
        Ok(())
    } else {
        Err(Error::BadSignature(
            Cause::new("Signature verification failed").segment(Segment::Signature),
        ))
    }
}
