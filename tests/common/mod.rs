//! Test-only token signing shared by the integration tests: the `rsa` crate directly, so
//! these tests do not depend on the optional `sign` feature.
#![allow(dead_code)] // each test crate uses its own part

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use drf_sso_jwt::Algorithm;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Sha256, Sha384, Sha512};

/// The `-----BEGIN label-----` … `-----END label-----` block of a PEM file.
pub fn pem_block<'a>(text: &'a str, label: &str) -> &'a str {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let s = text.find(&begin).expect("block present");
    let e = text[s..].find(&end).expect("block end") + s + end.len();
    &text[s..e]
}

/// The private key of a key file (PKCS#1 or PKCS#8 block).
pub fn private_key(text: &str) -> rsa::PrivateKey {
    if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        rsa::PrivateKey::from_pkcs1_pem(pem_block(text, "RSA PRIVATE KEY"))
            .expect("PKCS#1 private key")
    } else {
        rsa::PrivateKey::from_pkcs8_pem(pem_block(text, "PRIVATE KEY")).expect("PKCS#8 private key")
    }
}

/// base64url without padding.
pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// The JWS signature of `msg` with `alg` (PSS: salt length = hash length, as PyJWT).
pub fn rsa_sign(key: &rsa::PrivateKey, alg: Algorithm, msg: &[u8]) -> Vec<u8> {
    match alg {
        Algorithm::RS256 => key.pkcs1v15_sign::<Sha256>(msg),
        Algorithm::RS384 => key.pkcs1v15_sign::<Sha384>(msg),
        Algorithm::RS512 => key.pkcs1v15_sign::<Sha512>(msg),
        Algorithm::PS256 => key.pss_sign::<Sha256>(msg),
        Algorithm::PS384 => key.pss_sign::<Sha384>(msg),
        Algorithm::PS512 => key.pss_sign::<Sha512>(msg),
        other => panic!("{other:?} is not an RSA algorithm"),
    }
    .expect("signing works")
}

/// A compact token over exactly these header and payload bytes.
pub fn token(key: &rsa::PrivateKey, alg: Algorithm, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let sig = rsa_sign(key, alg, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}
