//! JWS algorithms (RFC 7518 §3.3, §3.5) as PyJWT 2.15 `_verify_signature` treats
//! them with an RSA key: RS*/PS* verify; every other name fails in PyJWT's way.

use alloc::format;
#[cfg(feature = "cross-check")]
use alloc::vec;

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::errors::{Error, Result};
use crate::json::Value;
use crate::keys::VerifyingKey;
use crate::rsa_public::{pkcs1v15_verify, pss_verify, Kernel};

/// The RSA algorithms this crate verifies and signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt length 64.
    PS512,
}

impl Algorithm {
    /// The algorithm for a JWS `alg` name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RS256" => Algorithm::RS256,
            "RS384" => Algorithm::RS384,
            "RS512" => Algorithm::RS512,
            "PS256" => Algorithm::PS256,
            "PS384" => Algorithm::PS384,
            "PS512" => Algorithm::PS512,
            _ => return None,
        })
    }

    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
        }
    }

    /// Whether this is a PSS algorithm.
    pub fn is_pss(self) -> bool {
        matches!(self, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512)
    }

    /// Verifies `sig` over `msg`. PSS signatures shorter than the modulus are accepted
    /// as if left-padded: OpenSSL (behind PyJWT's `cryptography`) does so; PKCS#1 v1.5 it does not.
    pub fn verify(self, key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_with(key, msg, sig, Kernel::Best)
    }

    /// The same check with the portable Rust kernel even where an assembly one exists;
    /// kept to cross-check the x86-64 kernel in tests.
    #[doc(hidden)]
    pub fn verify_portable(self, key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_with(key, msg, sig, Kernel::Portable)
    }

    fn verify_with(self, key: &VerifyingKey, msg: &[u8], sig: &[u8], kernel: Kernel) -> bool {
        let k = &key.monty;
        match self {
            Algorithm::RS256 => pkcs1v15_verify(k, self, &Sha256::digest(msg), sig, kernel),
            Algorithm::RS384 => pkcs1v15_verify(k, self, &Sha384::digest(msg), sig, kernel),
            Algorithm::RS512 => pkcs1v15_verify(k, self, &Sha512::digest(msg), sig, kernel),
            Algorithm::PS256 => pss_verify::<Sha256>(k, &Sha256::digest(msg), sig, kernel),
            Algorithm::PS384 => pss_verify::<Sha384>(k, &Sha384::digest(msg), sig, kernel),
            Algorithm::PS512 => pss_verify::<Sha512>(k, &Sha512::digest(msg), sig, kernel),
        }
    }

    /// The same check through the `rsa` crate's own (constant-time) verification;
    /// kept to cross-check the fast path in tests and benchmarks.
    #[doc(hidden)]
    #[cfg(feature = "cross-check")]
    pub fn verify_with_rsa_crate(self, key: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        let n = rsa::BoxedUint::from_be_slice(&key.n, (key.n.len() * 8) as u32);
        let e = rsa::BoxedUint::from_be_slice(&key.e.to_be_bytes(), 64);
        let (Ok(n), Ok(e)) = (n, e) else { return false };
        let Ok(k) = rsa::PublicKey::new_with_size_limits(n, e, 512..=16384) else {
            return false;
        };
        let k = &k;
        let size = rsa::traits::PublicKeyParts::size(k);
        let padded;
        let sig = if self.is_pss() && sig.len() < size {
            let mut p = vec![0u8; size - sig.len()];
            p.extend_from_slice(sig);
            padded = p;
            &padded[..]
        } else {
            sig
        };
        match self {
            Algorithm::RS256 => k
                .pkcs1v15_verify_prehash::<Sha256>(&Sha256::digest(msg), sig)
                .is_ok(),
            Algorithm::RS384 => k
                .pkcs1v15_verify_prehash::<Sha384>(&Sha384::digest(msg), sig)
                .is_ok(),
            Algorithm::RS512 => k
                .pkcs1v15_verify_prehash::<Sha512>(&Sha512::digest(msg), sig)
                .is_ok(),
            Algorithm::PS256 => k
                .pss_verify_prehash::<Sha256>(&Sha256::digest(msg), sig)
                .is_ok(),
            Algorithm::PS384 => k
                .pss_verify_prehash::<Sha384>(&Sha384::digest(msg), sig)
                .is_ok(),
            Algorithm::PS512 => k
                .pss_verify_prehash::<Sha512>(&Sha512::digest(msg), sig)
                .is_ok(),
        }
    }
}

/// Which implementation checks RSA signatures; everything but `Fast` exists to
/// cross-check the fast path (parity harness, Wycheproof test, benchmarks).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// Our Montgomery code with the fastest kernel for this CPU (the default).
    #[default]
    Fast,
    /// Our Montgomery code with the portable Rust kernel.
    Portable,
    /// The `rsa` crate's own verification (feature `cross-check`).
    #[cfg(feature = "cross-check")]
    RsaCrate,
}

impl SignatureCheck {
    /// From `fast`, `portable` or `rsa-crate`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fast" => Some(SignatureCheck::Fast),
            "portable" => Some(SignatureCheck::Portable),
            #[cfg(feature = "cross-check")]
            "rsa-crate" => Some(SignatureCheck::RsaCrate),
            _ => None,
        }
    }
}

/// `PyJWS._verify_signature` with an RSA public key: the `alg` allow-list, PyJWT's
/// algorithm table, then the signature.
pub(crate) fn verify_signature(
    header_alg: Option<&Value>,
    allowed: &[alloc::string::String],
    key: &VerifyingKey,
    signing_input: &[u8],
    signature: &[u8],
    check: SignatureCheck,
) -> Result<()> {
    let Some(alg) = header_alg else {
        return Err(Error::BadAlgorithm("Algorithm not specified".into()));
    };
    let name = match alg.as_str() {
        Some(s) if !s.is_empty() && allowed.iter().any(|a| a == s) => s,
        _ => {
            return Err(Error::BadAlgorithm(
                "The specified alg value is not allowed".into(),
            ))
        }
    };
    let Some(algorithm) = Algorithm::from_name(name) else {
        return Err(match name {
            "none" => Error::InvalidKey("When alg = \"none\", key value must be None.".into()),
            "EdDSA" => Error::InvalidKey(
                "Expected an OKP key, got: RSAPublicKey. Invalid Key type for OKPAlgorithm".into(),
            ),
            "HS256" | "HS384" | "HS512" => Error::UnsupportedAlgorithm(format!(
                "{name} cannot use an RSA public key (the server raises TypeError: HTTP 500)"
            )),
            "ES256" | "ES256K" | "ES384" | "ES521" | "ES512" => {
                Error::UnsupportedAlgorithm(format!(
                    "{name} cannot use an RSA public key (the server raises TypeError: HTTP 500)"
                ))
            }
            _ => Error::BadAlgorithm("Algorithm not supported".into()),
        });
    };
    let good = match check {
        SignatureCheck::Fast => algorithm.verify(key, signing_input, signature),
        SignatureCheck::Portable => algorithm.verify_portable(key, signing_input, signature),
        #[cfg(feature = "cross-check")]
        SignatureCheck::RsaCrate => algorithm.verify_with_rsa_crate(key, signing_input, signature),
    };
    if good {
        Ok(())
    } else {
        Err(Error::BadSignature("Signature verification failed".into()))
    }
}
