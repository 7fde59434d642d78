//! Verify, decode, build and sign the JSON Web Tokens of
//! [djangorestframework-sso](https://pypi.org/project/djangorestframework-sso/) 0.8.1
//! with exactly the Django server's verdicts (PyJWT 2.15.1 semantics; RFC 7515, RFC 7519).
//!
//! The core is `no_std` + `alloc`. Configuration is the `REST_FRAMEWORK_SSO` dict as
//! JSON ([`Settings`]); keys are parsed once into a [`KeyStore`]; the current time is
//! always a parameter (`now`, seconds since the epoch), never read from a clock.
//!
//! ```no_run
//! # fn main() -> Result<(), drf_sso_jwt::Error> {
//! let settings = r#"{"IDENTITY": "myapp", "PUBLIC_KEYS": {"myapp": "myapp-20200410.pem"}}"#;
//! let pem = "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n";
//! let verifier = drf_sso_jwt::Verifier::from_json(settings, [("myapp-20200410.pem", pem)])?;
//! let token = "eyJ...";
//! match verifier.verify(token, 1_700_000_000.0) {
//!     Ok(data) => println!("uid = {:?}", data.payload.get("uid")),
//!     Err(e) => println!("{} ({}): {}", e.detail(), e.code(), e.message()),
//! }
//! # Ok(()) }
//! ```
#![cfg_attr(not(test), no_std)]
// One exception, `rsa_public::adx`: the x86-64 mulx/adx row kernel (inline asm).
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The README's Rust example runs as a doctest (from the package root, where keys/ is).
#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod b64;
mod cache;
mod clock;
mod decoding;
#[cfg(feature = "ec-common")]
mod ecdsa;
#[cfg(feature = "eddsa")]
mod eddsa;
mod errors;
#[cfg(any(test, not(target_pointer_width = "64")))]
mod fips28;
#[cfg(target_arch = "x86_64")]
mod ifma;
pub mod json;
mod jwa;
mod keys;
mod pem;
mod pkix;
mod policy;
mod printable;
mod pyfloat;
mod pyint;
mod radix;
mod rsa_public;
mod session;
mod settings;
#[cfg(feature = "sign")]
pub mod signing;
mod validation;
mod verifier;

pub use crate::{
    cache::CachedVerifier,
    clock::django_datetime,
    decoding::{dangerous, TokenData},
    errors::{
        Cause, Class, Error, Result, Segment, DETAIL_CONFIG, DETAIL_DECODE, DETAIL_EXPIRED,
        DETAIL_INACTIVE, DETAIL_INVALID, DETAIL_INVALID_TOKEN, DETAIL_KEY, DETAIL_SIGN,
        DETAIL_STATE_UNAVAILABLE, DETAIL_SUPERSEDED,
    },
    json::{Map, Value},
    jwa::Algorithm,
    keys::{key_id, KeyMaterial, KeyStore, KeyWarning, VerifyingKey},
    pkix::{
        spki_algorithm, spki_key_bytes, EcAlg, EcCurve, EcDomain, EcHash, OkpCurve, SpkiAlgorithm,
    },
    session::{
        DocumentInfo, EdgeState, KeySet, SessionState, StalePolicy, Update,
        DEFAULT_MAX_DOCUMENT_BYTES, KEYS_TYPE, STATE_TYPE,
    },
    settings::{OneOrMany, Settings},
    verifier::{header_bytes, Verifier},
};

#[cfg(feature = "cross-check")]
pub use crate::keys::SignatureCheck;

#[cfg(feature = "ec-common")]
pub use crate::ecdsa::{EcPublicKey, EcSigningKey};
#[cfg(feature = "eddsa")]
pub use crate::eddsa::{OkpPublicKey, OkpSigningKey};

#[cfg(feature = "sign")]
pub use crate::signing::{
    create_authorization_payload, create_session_payload, Claim, Issuer, Payload, SigningKey,
    Subject,
};
