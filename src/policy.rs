//! PyJWT 2.15 `PyJWS._verify_signature` with the keys drf-sso loads: the `alg` allow-list,
//! PyJWT's algorithm table (`get_default_algorithms`), each algorithm's `prepare_key` on the
//! key object `load_pem_public_key` gave, then its `verify`.

use alloc::format;
use alloc::string::String;

use crate::errors::{Cause, Error, Result, Segment};
use crate::json::Value;
use crate::jwa::{Algorithm, Family};
use crate::keys::PublicKey;

/// How the signature is checked once the policy allows it (a cross-check option, or the fast path).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Check {
    #[cfg(feature = "cross-check")]
    pub with: crate::keys::SignatureCheck,
}

impl Check {
    fn rsa(self, key: &crate::keys::VerifyingKey, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        #[cfg(feature = "cross-check")]
        return key.verify_with(alg, msg, sig, self.with);
        #[cfg(not(feature = "cross-check"))]
        key.verify(alg, msg, sig)
    }
}

fn header(m: &str) -> Cause {
    Cause::new(m).header_param("alg")
}

fn bad_signature() -> Error {
    Error::BadSignature(Cause::new("Signature verification failed").segment(Segment::Signature))
}

/// `prepare_key` raising `TypeError` (a key object of another family handed to RSA, EC or
/// HMAC): the server answers HTTP 500; this crate rejects.
fn type_error(name: &str, key: &PublicKey) -> Error {
    Error::UnsupportedAlgorithm(header(&format!(
        "{name} cannot use a key of type {} (the server raises TypeError: HTTP 500)",
        key.class()
    )))
}

/// `_verify_signature`: `alg` must be named, allowed and known to PyJWT, and usable with the key.
pub(crate) fn verify_signature(
    header_alg: Option<&Value>,
    allowed: &[String],
    key: &PublicKey,
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
            // HMACAlgorithm.prepare_key(key object): force_bytes raises TypeError.
            "HS256" | "HS384" | "HS512" => type_error(name, key),
            _ => Error::BadAlgorithm(header("Algorithm not supported")),
        });
    };
    // prepare_key, then verify.
    let good = match (algorithm.family(), key) {
        (Family::Rsa, PublicKey::Rsa(k)) => check.rsa(k, algorithm, signing_input, signature),
        #[cfg(feature = "ec-common")]
        (Family::Ec, PublicKey::Ec(k)) => {
            let ec = algorithm.ec().ok_or_else(|| type_error(name, key))?;
            match k.verify(ec, signing_input, signature) {
                Ok(()) => true,
                Err(e @ Error::InvalidKey(_)) => return Err(e),
                Err(_) => false,
            }
        }
        // ECAlgorithm._validate_curve on a curve no ES* algorithm names.
        (
            Family::Ec,
            PublicKey::Other {
                curve: Some(curve), ..
            },
        ) => {
            let ec = algorithm.ec().ok_or_else(|| type_error(name, key))?;
            ec.check_curve_name(curve)?;
            false
        }
        #[cfg(feature = "eddsa")]
        (Family::Okp, PublicKey::Okp(k)) => k.verify(signing_input, signature).is_ok(),
        // OKPAlgorithm.prepare_key(key object): check_crypto_key_type raises InvalidKeyError.
        (Family::Okp, other) => {
            return Err(Error::InvalidKey(header(&format!(
                "Expected one of (Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, \
                 Ed448PublicKey), got: {}. Invalid Key type for OKPAlgorithm",
                other.class()
            ))))
        }
        // RSAAlgorithm / ECAlgorithm.prepare_key(a key object of another family): TypeError.
        (Family::Rsa | Family::Ec, other) => return Err(type_error(name, other)),
    };
    if good {
        Ok(())
    } else {
        Err(bad_signature())
    }
}
