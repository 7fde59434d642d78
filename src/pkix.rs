//! Which key a DER blob holds, and the DER around EC and EdDSA keys, read as `cryptography`
//! 50 reads it (`cryptography-key-parsing`: `spki.rs`, `pkcs8.rs`, `ec.rs`): strict DER
//! SubjectPublicKeyInfo (RFC 5280 §4.1), PrivateKeyInfo (RFC 5208), ECPrivateKey (RFC 5915),
//! RFC 8410 key identifiers; plus the curve each ES* `alg` demands (PyJWT 2.15.1
//! `get_default_algorithms` and `ECAlgorithm._validate_curve`).
//!
//! No cryptography here: this module is compiled in every build, so an RSA-only build can
//! still tell an EC or Ed key apart and answer for it.

// The DER helpers serve `ecdsa.rs` and `eddsa.rs`; builds without them leave some unused.
#![cfg_attr(not(all(feature = "ec-common", feature = "eddsa")), allow(dead_code))]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::errors::{Error, Result};

// ---------------------------------------------------------------------------------------
// Strict DER (X.690 §10): definite, minimal lengths; low tag numbers only.

/// A cursor over DER TLVs.
#[derive(Clone, Copy)]
pub(crate) struct Der<'a>(&'a [u8]);

/// One TLV: tag byte, contents, and the whole encoding.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;

impl<'a> Der<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Der(bytes)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.0.first().copied()
    }

    /// The next TLV, or `None` when the input is exhausted or not DER.
    pub(crate) fn any(&mut self) -> Option<Tlv<'a>> {
        let b = self.0;
        let tag = *b.first()?;
        if tag & 0x1f == 0x1f {
            return None; // high tag numbers: nothing here uses them
        }
        let first = *b.get(1)? as usize;
        let (len, hdr) = if first < 0x80 {
            (first, 2)
        } else {
            let n = first & 0x7f;
            // 0x80 is BER's indefinite length; more than 4 length bytes is never needed.
            if n == 0 || n > 4 {
                return None;
            }
            let bytes = b.get(2..2 + n)?;
            if bytes[0] == 0 {
                return None; // not minimal
            }
            let len = bytes.iter().fold(0usize, |acc, x| (acc << 8) | *x as usize);
            if len < 0x80 {
                return None; // long form where the short one fits
            }
            (len, 2 + n)
        };
        let end = hdr.checked_add(len)?;
        let raw = b.get(..end)?;
        self.0 = &b[end..];
        Some(Tlv {
            tag,
            value: &raw[hdr..],
            raw,
        })
    }

    /// The next TLV's contents if its tag is `tag`.
    pub(crate) fn take(&mut self, tag: u8) -> Option<&'a [u8]> {
        let save = *self;
        match self.any() {
            Some(t) if t.tag == tag => Some(t.value),
            _ => {
                *self = save;
                None
            }
        }
    }

    /// Like `take`, but absent (another tag or the end) is `Ok(None)`.
    pub(crate) fn optional(&mut self, tag: u8) -> Option<Option<&'a [u8]>> {
        if self.peek_tag() == Some(tag) {
            self.take(tag).map(Some)
        } else {
            Some(None)
        }
    }
}

/// One DER TLV (lengths below 64 KiB, all this module writes).
pub(crate) fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let n = value.len();
    let mut out = Vec::with_capacity(n + 4);
    out.push(tag);
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(value);
    out
}

/// A DER INTEGER holding a small non-negative value (versions).
pub(crate) fn small_uint(value: &[u8]) -> Option<u8> {
    match value {
        [v] if *v < 0x80 => Some(*v),
        [0, v] if *v >= 0x80 => Some(*v),
        _ => None,
    }
}

/// A BIT STRING's bytes: unused-bit count 0 (every key here is whole bytes; `cryptography`
/// refuses the rest as "Invalid key").
pub(crate) fn bit_string_bytes(value: &[u8]) -> Option<&[u8]> {
    match value {
        [0, rest @ ..] => Some(rest),
        _ => None,
    }
}

/// Dotted form of an OID's contents, for messages (`1.2.840.10045.2.1`).
pub(crate) fn oid_string(oid: &[u8]) -> String {
    let mut out = String::new();
    let mut acc: u64 = 0;
    let mut first = true;
    for (i, b) in oid.iter().enumerate() {
        if acc > (u64::MAX >> 7) {
            return String::from("(invalid OID)");
        }
        acc = (acc << 7) | (*b & 0x7f) as u64;
        if b & 0x80 != 0 {
            if i + 1 == oid.len() {
                return String::from("(invalid OID)");
            }
            continue;
        }
        if first {
            let (a, b) = match acc {
                0..=39 => (0, acc),
                40..=79 => (1, acc - 40),
                _ => (2, acc - 80),
            };
            out.push_str(&format!("{a}.{b}"));
            first = false;
        } else {
            out.push_str(&format!(".{acc}"));
        }
        acc = 0;
    }
    if first {
        String::from("(invalid OID)")
    } else {
        out
    }
}

// ---------------------------------------------------------------------------------------
// Object identifiers (contents bytes).

pub(crate) const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
pub(crate) const OID_RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
pub(crate) const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
pub(crate) const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
pub(crate) const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];

/// Named curves `cryptography` 50 loads but no PyJWT `alg` accepts: (OID, `curve.name`).
const OTHER_NAMED_CURVES: [(&[u8], &str); 5] = [
    (
        &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01],
        "secp192r1",
    ),
    (&[0x2b, 0x81, 0x04, 0x00, 0x21], "secp224r1"),
    (
        &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07],
        "brainpoolP256r1",
    ),
    (
        &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b],
        "brainpoolP384r1",
    ),
    (
        &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d],
        "brainpoolP512r1",
    ),
];

// ---------------------------------------------------------------------------------------
// Curves and algorithms.

/// The elliptic curves PyJWT's ES* algorithms use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    /// NIST P-256 (`secp256r1`, `prime256v1`), for ES256.
    P256,
    /// NIST P-384 (`secp384r1`), for ES384.
    P384,
    /// NIST P-521 (`secp521r1`), for ES512 and ES521.
    P521,
    /// SEC 2 `secp256k1`, for ES256K (RFC 8812).
    Secp256k1,
}

impl EcCurve {
    /// Every curve, in a fixed order.
    pub const ALL: [EcCurve; 4] = [
        EcCurve::P256,
        EcCurve::P384,
        EcCurve::P521,
        EcCurve::Secp256k1,
    ];

    /// `cryptography`'s `curve.name`, the name PyJWT's messages use.
    pub fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "secp256r1",
            EcCurve::P384 => "secp384r1",
            EcCurve::P521 => "secp521r1",
            EcCurve::Secp256k1 => "secp256k1",
        }
    }

    /// The JWK `crv` value (RFC 7518 §6.2.1.1, RFC 8812 §3.1).
    pub fn jwk_name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Secp256k1 => "secp256k1",
        }
    }

    /// The curve a JWK `crv` names (exact, case-sensitive, as PyJWT's `from_jwk`).
    pub fn from_jwk_name(crv: &str) -> Option<Self> {
        EcCurve::ALL.into_iter().find(|c| c.jwk_name() == crv)
    }

    /// `curve.key_size`: bits of the field (and of the order).
    pub fn key_size(self) -> usize {
        match self {
            EcCurve::P256 | EcCurve::Secp256k1 => 256,
            EcCurve::P384 => 384,
            EcCurve::P521 => 521,
        }
    }

    /// Bytes of one coordinate, one private scalar, and one half of a raw signature: ⌈bits/8⌉.
    pub fn coordinate_len(self) -> usize {
        self.key_size().div_ceil(8)
    }

    /// Bytes of a JWS signature, raw `r‖s` (RFC 7518 §3.4).
    pub fn signature_len(self) -> usize {
        2 * self.coordinate_len()
    }

    /// The named-curve OID, dotted.
    pub fn oid(self) -> &'static str {
        match self {
            EcCurve::P256 => "1.2.840.10045.3.1.7",
            EcCurve::P384 => "1.3.132.0.34",
            EcCurve::P521 => "1.3.132.0.35",
            EcCurve::Secp256k1 => "1.3.132.0.10",
        }
    }

    pub(crate) fn oid_der(self) -> &'static [u8] {
        match self {
            EcCurve::P256 => OID_P256,
            EcCurve::P384 => OID_P384,
            EcCurve::P521 => OID_P521,
            EcCurve::Secp256k1 => OID_SECP256K1,
        }
    }
}

/// PyJWT's ECDSA algorithms (`ECAlgorithm` instances in `get_default_algorithms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcAlg {
    /// ECDSA P-256 SHA-256.
    ES256,
    /// ECDSA secp256k1 SHA-256.
    ES256K,
    /// ECDSA P-384 SHA-384.
    ES384,
    /// ECDSA P-521 SHA-512 (the RFC 7518 name).
    ES512,
    /// ECDSA P-521 SHA-512 (PyJWT's alias, kept for backward compatibility).
    ES521,
}

/// The hash an ES* algorithm applies to the signing input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcHash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl EcAlg {
    /// Every ES* algorithm.
    pub const ALL: [EcAlg; 5] = [
        EcAlg::ES256,
        EcAlg::ES256K,
        EcAlg::ES384,
        EcAlg::ES512,
        EcAlg::ES521,
    ];

    /// From the JWS `alg` value (exact, case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        EcAlg::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The JWS `alg` value.
    pub fn name(self) -> &'static str {
        match self {
            EcAlg::ES256 => "ES256",
            EcAlg::ES256K => "ES256K",
            EcAlg::ES384 => "ES384",
            EcAlg::ES512 => "ES512",
            EcAlg::ES521 => "ES521",
        }
    }

    /// The hash (`ECAlgorithm.hash_alg`).
    pub fn hash(self) -> EcHash {
        match self {
            EcAlg::ES256 | EcAlg::ES256K => EcHash::Sha256,
            EcAlg::ES384 => EcHash::Sha384,
            EcAlg::ES512 | EcAlg::ES521 => EcHash::Sha512,
        }
    }

    /// `ECAlgorithm.expected_curve` (every ES* algorithm of PyJWT 2.15.1 has one).
    pub fn expected_curve(self) -> EcCurve {
        match self {
            EcAlg::ES256 => EcCurve::P256,
            EcAlg::ES256K => EcCurve::Secp256k1,
            EcAlg::ES384 => EcCurve::P384,
            EcAlg::ES512 | EcAlg::ES521 => EcCurve::P521,
        }
    }

    /// `ECAlgorithm._validate_curve` for a key on the curve `cryptography` names
    /// `curve_name` (any curve the server can load, see [`EcDomain`]).
    pub fn check_curve_name(self, curve_name: &str) -> Result<()> {
        let expected = self.expected_curve().name();
        if curve_name == expected {
            Ok(())
        } else {
            Err(Error::InvalidKey(format!(
                "The key's curve '{curve_name}' does not match the expected curve '{expected}' for this algorithm"
            ).into()))
        }
    }

    /// `ECAlgorithm._validate_curve`: `InvalidKeyError` unless `curve` is this algorithm's.
    pub fn check_curve(self, curve: EcCurve) -> Result<()> {
        self.check_curve_name(curve.name())
    }
}

/// The EdDSA curves of RFC 8037 (`OKPAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OkpCurve {
    /// Ed25519 (RFC 8032 §5.1).
    Ed25519,
    /// Ed448 (RFC 8032 §5.2).
    Ed448,
}

impl OkpCurve {
    /// The JWK `crv` value, also PyJWT's name.
    pub fn name(self) -> &'static str {
        match self {
            OkpCurve::Ed25519 => "Ed25519",
            OkpCurve::Ed448 => "Ed448",
        }
    }

    /// From a JWK `crv` (exact).
    pub fn from_jwk_name(crv: &str) -> Option<Self> {
        match crv {
            "Ed25519" => Some(OkpCurve::Ed25519),
            "Ed448" => Some(OkpCurve::Ed448),
            _ => None,
        }
    }

    /// Bytes of a public key (and of a private seed).
    pub fn key_len(self) -> usize {
        match self {
            OkpCurve::Ed25519 => 32,
            OkpCurve::Ed448 => 57,
        }
    }

    /// Bytes of a signature.
    pub fn signature_len(self) -> usize {
        2 * self.key_len()
    }

    /// The RFC 8410 OID, dotted.
    pub fn oid(self) -> &'static str {
        match self {
            OkpCurve::Ed25519 => "1.3.101.112",
            OkpCurve::Ed448 => "1.3.101.113",
        }
    }

    pub(crate) fn oid_der(self) -> &'static [u8] {
        match self {
            OkpCurve::Ed25519 => OID_ED25519,
            OkpCurve::Ed448 => OID_ED448,
        }
    }
}

// ---------------------------------------------------------------------------------------
// EC domain parameters (RFC 5480 §2.1.1 ECParameters; RFC 3279 §2.3.5 SpecifiedECDomain).

/// What an EC key's parameters name, as `cryptography` 50's `ec_params_to_group` maps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcDomain {
    /// One of the four curves of the ES* algorithms: a named-curve OID, or explicit
    /// parameters equal to P-256, P-384 or P-521 (with or without the seed).
    Curve(EcCurve),
    /// A named curve the server loads but no `alg` accepts (ES* then answer
    /// `InvalidKeyError`, see [`EcAlg::check_curve_name`]). The point itself is not checked here.
    OtherCurve {
        /// Dotted OID.
        oid: String,
        /// `cryptography`'s `curve.name`.
        name: &'static str,
    },
    /// Parameters the server refuses to load (`UnsupportedAlgorithm`): explicit parameters
    /// of another curve (secp256k1's included), `implicitCA`, an unknown curve OID.
    Unsupported(String),
}

/// SpecifiedECDomain DER with the seed, as `openssl ecparam -name <curve> -param_enc
/// explicit -outform DER` writes it; `cryptography` also takes it without the seed.
const EXPLICIT_P256: [u8; 250] = [
    0x30, 0x81, 0xf7, 0x02, 0x01, 0x01, 0x30, 0x2c, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x01,
    0x01, 0x02, 0x21, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0x30, 0x5b, 0x04, 0x20, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc, 0x04, 0x20, 0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a,
    0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53,
    0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b, 0x03, 0x15, 0x00, 0xc4, 0x9d, 0x36,
    0x08, 0x86, 0xe7, 0x04, 0x93, 0x6a, 0x66, 0x78, 0xe1, 0x13, 0x9d, 0x26, 0xb7, 0x81, 0x9f, 0x7e,
    0x90, 0x04, 0x41, 0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45,
    0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
    0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68,
    0x37, 0xbf, 0x51, 0xf5, 0x02, 0x21, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3,
    0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51, 0x02, 0x01, 0x01,
];

const EXPLICIT_P384: [u8; 347] = [
    0x30, 0x82, 0x01, 0x57, 0x02, 0x01, 0x01, 0x30, 0x3c, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x01, 0x01, 0x02, 0x31, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0xff, 0xff, 0x30, 0x7b, 0x04, 0x30, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xfc, 0x04, 0x30, 0xb3, 0x31, 0x2f, 0xa7, 0xe2,
    0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b, 0xe3, 0xf8, 0x2d, 0x19, 0x18, 0x1d, 0x9c, 0x6e, 0xfe,
    0x81, 0x41, 0x12, 0x03, 0x14, 0x08, 0x8f, 0x50, 0x13, 0x87, 0x5a, 0xc6, 0x56, 0x39, 0x8d, 0x8a,
    0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3, 0xec, 0x2a, 0xef, 0x03, 0x15, 0x00, 0xa3, 0x35,
    0x92, 0x6a, 0xa3, 0x19, 0xa2, 0x7a, 0x1d, 0x00, 0x89, 0x6a, 0x67, 0x73, 0xa4, 0x82, 0x7a, 0xcd,
    0xac, 0x73, 0x04, 0x61, 0x04, 0xaa, 0x87, 0xca, 0x22, 0xbe, 0x8b, 0x05, 0x37, 0x8e, 0xb1, 0xc7,
    0x1e, 0xf3, 0x20, 0xad, 0x74, 0x6e, 0x1d, 0x3b, 0x62, 0x8b, 0xa7, 0x9b, 0x98, 0x59, 0xf7, 0x41,
    0xe0, 0x82, 0x54, 0x2a, 0x38, 0x55, 0x02, 0xf2, 0x5d, 0xbf, 0x55, 0x29, 0x6c, 0x3a, 0x54, 0x5e,
    0x38, 0x72, 0x76, 0x0a, 0xb7, 0x36, 0x17, 0xde, 0x4a, 0x96, 0x26, 0x2c, 0x6f, 0x5d, 0x9e, 0x98,
    0xbf, 0x92, 0x92, 0xdc, 0x29, 0xf8, 0xf4, 0x1d, 0xbd, 0x28, 0x9a, 0x14, 0x7c, 0xe9, 0xda, 0x31,
    0x13, 0xb5, 0xf0, 0xb8, 0xc0, 0x0a, 0x60, 0xb1, 0xce, 0x1d, 0x7e, 0x81, 0x9d, 0x7a, 0x43, 0x1d,
    0x7c, 0x90, 0xea, 0x0e, 0x5f, 0x02, 0x31, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a,
    0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73, 0x02, 0x01, 0x01,
];

const EXPLICIT_P521: [u8; 455] = [
    0x30, 0x82, 0x01, 0xc3, 0x02, 0x01, 0x01, 0x30, 0x4d, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x01, 0x01, 0x02, 0x42, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x30, 0x81, 0x9f, 0x04, 0x42, 0x01, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc, 0x04, 0x42, 0x00,
    0x51, 0x95, 0x3e, 0xb9, 0x61, 0x8e, 0x1c, 0x9a, 0x1f, 0x92, 0x9a, 0x21, 0xa0, 0xb6, 0x85, 0x40,
    0xee, 0xa2, 0xda, 0x72, 0x5b, 0x99, 0xb3, 0x15, 0xf3, 0xb8, 0xb4, 0x89, 0x91, 0x8e, 0xf1, 0x09,
    0xe1, 0x56, 0x19, 0x39, 0x51, 0xec, 0x7e, 0x93, 0x7b, 0x16, 0x52, 0xc0, 0xbd, 0x3b, 0xb1, 0xbf,
    0x07, 0x35, 0x73, 0xdf, 0x88, 0x3d, 0x2c, 0x34, 0xf1, 0xef, 0x45, 0x1f, 0xd4, 0x6b, 0x50, 0x3f,
    0x00, 0x03, 0x15, 0x00, 0xd0, 0x9e, 0x88, 0x00, 0x29, 0x1c, 0xb8, 0x53, 0x96, 0xcc, 0x67, 0x17,
    0x39, 0x32, 0x84, 0xaa, 0xa0, 0xda, 0x64, 0xba, 0x04, 0x81, 0x85, 0x04, 0x00, 0xc6, 0x85, 0x8e,
    0x06, 0xb7, 0x04, 0x04, 0xe9, 0xcd, 0x9e, 0x3e, 0xcb, 0x66, 0x23, 0x95, 0xb4, 0x42, 0x9c, 0x64,
    0x81, 0x39, 0x05, 0x3f, 0xb5, 0x21, 0xf8, 0x28, 0xaf, 0x60, 0x6b, 0x4d, 0x3d, 0xba, 0xa1, 0x4b,
    0x5e, 0x77, 0xef, 0xe7, 0x59, 0x28, 0xfe, 0x1d, 0xc1, 0x27, 0xa2, 0xff, 0xa8, 0xde, 0x33, 0x48,
    0xb3, 0xc1, 0x85, 0x6a, 0x42, 0x9b, 0xf9, 0x7e, 0x7e, 0x31, 0xc2, 0xe5, 0xbd, 0x66, 0x01, 0x18,
    0x39, 0x29, 0x6a, 0x78, 0x9a, 0x3b, 0xc0, 0x04, 0x5c, 0x8a, 0x5f, 0xb4, 0x2c, 0x7d, 0x1b, 0xd9,
    0x98, 0xf5, 0x44, 0x49, 0x57, 0x9b, 0x44, 0x68, 0x17, 0xaf, 0xbd, 0x17, 0x27, 0x3e, 0x66, 0x2c,
    0x97, 0xee, 0x72, 0x99, 0x5e, 0xf4, 0x26, 0x40, 0xc5, 0x50, 0xb9, 0x01, 0x3f, 0xad, 0x07, 0x61,
    0x35, 0x3c, 0x70, 0x86, 0xa2, 0x72, 0xc2, 0x40, 0x88, 0xbe, 0x94, 0x76, 0x9f, 0xd1, 0x66, 0x50,
    0x02, 0x42, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48,
    0xf7, 0x09, 0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e,
    0x91, 0x38, 0x64, 0x09, 0x02, 0x01, 0x01,
];

/// The parts of a SpecifiedECDomain that `cryptography` compares, as raw TLVs.
struct Specified<'a> {
    version: &'a [u8],
    field: &'a [u8],
    a: &'a [u8],
    b: &'a [u8],
    seed: Option<&'a [u8]>,
    base: &'a [u8],
    order: &'a [u8],
    cofactor: Option<&'a [u8]>,
}

/// The whole encoding of the next TLV if its tag is `tag`.
fn raw<'a>(d: &mut Der<'a>, tag: u8) -> Option<&'a [u8]> {
    let t = d.any()?;
    (t.tag == tag).then_some(t.raw)
}

fn specified(contents: &[u8]) -> Option<Specified<'_>> {
    let mut d = Der::new(contents);
    let version = raw(&mut d, INTEGER)?;
    let field = raw(&mut d, SEQUENCE)?;
    let mut curve = Der::new(d.take(SEQUENCE)?);
    let a = raw(&mut curve, OCTET_STRING)?;
    let b = raw(&mut curve, OCTET_STRING)?;
    let seed = if curve.is_empty() {
        None
    } else {
        Some(raw(&mut curve, BIT_STRING)?)
    };
    if !curve.is_empty() {
        return None;
    }
    let base = raw(&mut d, OCTET_STRING)?;
    let order = raw(&mut d, INTEGER)?;
    let cofactor = if d.is_empty() {
        None
    } else {
        Some(raw(&mut d, INTEGER)?)
    };
    d.is_empty().then_some(Specified {
        version,
        field,
        a,
        b,
        seed,
        base,
        order,
        cofactor,
    })
}

/// `cryptography`'s rule for explicit parameters: everything equal to the curve's
/// (uncompressed base point, cofactor 1 present), the seed equal or omitted.
fn explicit_curve(contents: &[u8]) -> Option<Option<EcCurve>> {
    let got = specified(contents)?;
    for (curve, reference) in [
        (EcCurve::P256, &EXPLICIT_P256[..]),
        (EcCurve::P384, &EXPLICIT_P384[..]),
        (EcCurve::P521, &EXPLICIT_P521[..]),
    ] {
        let want = Der::new(reference).take(SEQUENCE).and_then(specified)?;
        if got.version == want.version
            && got.field == want.field
            && got.a == want.a
            && got.b == want.b
            && (got.seed.is_none() || got.seed == want.seed)
            && got.base == want.base
            && got.order == want.order
            && got.cofactor == want.cofactor
        {
            return Some(Some(curve));
        }
    }
    Some(None)
}

/// The ECParameters CHOICE (named curve, explicit, `implicitCA`) mapped like
/// `cryptography`'s `ec_params_to_group`; `None` when it is not DER of that CHOICE.
pub(crate) fn ec_domain(params: Tlv<'_>) -> Option<EcDomain> {
    Some(match params.tag {
        OID => {
            let oid = params.value;
            if let Some(c) = EcCurve::ALL.into_iter().find(|c| c.oid_der() == oid) {
                EcDomain::Curve(c)
            } else if let Some((_, name)) = OTHER_NAMED_CURVES.iter().find(|(o, _)| *o == oid) {
                EcDomain::OtherCurve {
                    oid: oid_string(oid),
                    name,
                }
            } else {
                EcDomain::Unsupported(format!("Curve {} is not supported", oid_string(oid)))
            }
        }
        SEQUENCE => match explicit_curve(params.value)? {
            Some(c) => EcDomain::Curve(c),
            None => EcDomain::Unsupported(EXPLICIT_UNSUPPORTED.into()),
        },
        NULL if params.value.is_empty() => EcDomain::Unsupported(EXPLICIT_UNSUPPORTED.into()),
        _ => return None,
    })
}

/// `cryptography`'s `UnsupportedAlgorithm` text for explicit or implicit parameters.
const EXPLICIT_UNSUPPORTED: &str = "ECDSA keys with explicit parameters are only supported when they map to secp256r1, secp384r1, or secp521r1. No custom curves are supported.";

impl EcDomain {
    /// The supported curve, or `Error::Config` saying why the server would not load the key.
    pub(crate) fn into_curve(self) -> Result<EcCurve> {
        match self {
            EcDomain::Curve(c) => Ok(c),
            EcDomain::OtherCurve { name, .. } => Err(Error::Config(format!(
                "EC keys on {name} cannot verify any JWS algorithm (ES* need secp256r1, secp384r1, secp521r1 or secp256k1)"
            ).into())),
            EcDomain::Unsupported(why) => Err(Error::Config(why.into())),
        }
    }
}

// ---------------------------------------------------------------------------------------
// SubjectPublicKeyInfo and PrivateKeyInfo.

/// A parsed SubjectPublicKeyInfo: algorithm OID contents, optional parameters, key bytes.
pub(crate) struct Spki<'a> {
    pub oid: &'a [u8],
    pub params: Option<Tlv<'a>>,
    pub key: &'a [u8],
}

fn bad_spki(what: &str) -> Error {
    Error::Config(format!("bad SubjectPublicKeyInfo: {what}").into())
}

/// SEQUENCE { SEQUENCE { OID, ANY OPTIONAL }, BIT STRING }, nothing after it.
pub(crate) fn parse_spki(der: &[u8]) -> Result<Spki<'_>> {
    let mut outer = Der::new(der);
    let body = outer
        .take(SEQUENCE)
        .ok_or_else(|| bad_spki("not a DER SEQUENCE"))?;
    if !outer.is_empty() {
        return Err(bad_spki("data after the key"));
    }
    let mut d = Der::new(body);
    let (oid, params) =
        algorithm_identifier(&mut d).ok_or_else(|| bad_spki("bad AlgorithmIdentifier"))?;
    let bits = d
        .take(BIT_STRING)
        .ok_or_else(|| bad_spki("no subjectPublicKey BIT STRING"))?;
    if !d.is_empty() {
        return Err(bad_spki("extra data"));
    }
    let key =
        bit_string_bytes(bits).ok_or_else(|| bad_spki("subjectPublicKey is not whole bytes"))?;
    Ok(Spki { oid, params, key })
}

fn algorithm_identifier<'a>(d: &mut Der<'a>) -> Option<(&'a [u8], Option<Tlv<'a>>)> {
    let mut alg = Der::new(d.take(SEQUENCE)?);
    let oid = alg.take(OID)?;
    let params = if alg.is_empty() {
        None
    } else {
        Some(alg.any()?)
    };
    alg.is_empty().then_some((oid, params))
}

/// A parsed PrivateKeyInfo (RFC 5208; `cryptography` takes version 0 only, no public key field).
pub(crate) struct Pkcs8<'a> {
    pub oid: &'a [u8],
    pub params: Option<Tlv<'a>>,
    pub private_key: &'a [u8],
}

/// SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING, [0] attributes OPTIONAL }.
pub(crate) fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8<'_>> {
    let bad = |what: &str| Error::Config(format!("bad PKCS#8 PrivateKeyInfo: {what}").into());
    let mut outer = Der::new(der);
    let body = outer
        .take(SEQUENCE)
        .ok_or_else(|| bad("not a DER SEQUENCE"))?;
    if !outer.is_empty() {
        return Err(bad("data after the key"));
    }
    let mut d = Der::new(body);
    match d.take(INTEGER).and_then(small_uint) {
        Some(0) => {}
        Some(v) => return Err(bad(&format!("version {v} (only 0 is loaded)"))),
        None => return Err(bad("no version")),
    }
    let (oid, params) =
        algorithm_identifier(&mut d).ok_or_else(|| bad("bad AlgorithmIdentifier"))?;
    let private_key = d
        .take(OCTET_STRING)
        .ok_or_else(|| bad("no privateKey OCTET STRING"))?;
    if let Some(attrs) = d.optional(0xa0).ok_or_else(|| bad("bad attributes"))? {
        let mut a = Der::new(attrs);
        while !a.is_empty() {
            a.take(SEQUENCE).ok_or_else(|| bad("bad attribute"))?;
        }
    }
    if !d.is_empty() {
        return Err(bad("extra data (a version 2 public key is not loaded)"));
    }
    Ok(Pkcs8 {
        oid,
        params,
        private_key,
    })
}

/// The key family a DER SubjectPublicKeyInfo holds (`PUBLIC KEY` PEM blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpkiAlgorithm {
    /// `rsaEncryption` (1.2.840.113549.1.1.1).
    Rsa,
    /// `id-RSASSA-PSS` (1.2.840.113549.1.1.10); `cryptography` treats it as a plain RSA key.
    /// Its parameters, when present, are not checked here.
    RsaPss,
    /// `id-ecPublicKey` (1.2.840.10045.2.1) and what its parameters name.
    Ec(EcDomain),
    /// `id-Ed25519` (1.3.101.112).
    Ed25519,
    /// `id-Ed448` (1.3.101.113).
    Ed448,
    /// Any other algorithm (DSA, DH, X25519, X448, ...): its dotted OID.
    Other(String),
}

/// Names the algorithm of a DER `SubjectPublicKeyInfo`, checking its parameters the way
/// `cryptography` does (RSA: absent or NULL; EC: required; Ed25519/Ed448: absent).
/// `Error::Config` when the DER is not a SubjectPublicKeyInfo the server would parse.
pub fn spki_algorithm(der: &[u8]) -> Result<SpkiAlgorithm> {
    let spki = parse_spki(der)?;
    let p = spki.params;
    let no_params = |alg: SpkiAlgorithm| match p {
        None => Ok(alg),
        Some(_) => Err(bad_spki("parameters where none are allowed")),
    };
    match spki.oid {
        OID_RSA => match p {
            None => Ok(SpkiAlgorithm::Rsa),
            Some(t) if t.tag == NULL && t.value.is_empty() => Ok(SpkiAlgorithm::Rsa),
            Some(_) => Err(bad_spki("RSA parameters must be NULL")),
        },
        OID_RSA_PSS => match p {
            None => Ok(SpkiAlgorithm::RsaPss),
            Some(t) if t.tag == SEQUENCE => Ok(SpkiAlgorithm::RsaPss),
            Some(_) => Err(bad_spki("bad RSASSA-PSS parameters")),
        },
        OID_EC_PUBLIC_KEY => {
            let p = p.ok_or_else(|| bad_spki("EC key without curve parameters"))?;
            ec_domain(p)
                .map(SpkiAlgorithm::Ec)
                .ok_or_else(|| bad_spki("bad EC parameters"))
        }
        OID_ED25519 => no_params(SpkiAlgorithm::Ed25519),
        OID_ED448 => no_params(SpkiAlgorithm::Ed448),
        other => Ok(SpkiAlgorithm::Other(oid_string(other))),
    }
}

/// The `subjectPublicKey` bytes of a DER `SubjectPublicKeyInfo` (the `RSAPublicKey` DER
/// of an RSA or RSA-PSS key, the point of an EC key, the raw key of an Ed key).
pub fn spki_key_bytes(der: &[u8]) -> Result<&[u8]> {
    Ok(parse_spki(der)?.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_are_strict() {
        assert!(Der::new(&[0x04, 0x01, 0xaa]).any().is_some());
        // long form for a short length, leading zero length byte, indefinite, truncated
        for bad in [
            &[0x04, 0x81, 0x01, 0xaa][..],
            &[0x04, 0x82, 0x00, 0x81],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x04, 0x02, 0xaa],
            &[0x1f, 0x01, 0x00],
            &[0x04],
        ] {
            assert!(Der::new(bad).any().is_none(), "{bad:02x?}");
        }
        let mut long = alloc::vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(Der::new(&long).any().unwrap().value.len(), 0x80);
    }

    #[test]
    fn oid_strings() {
        assert_eq!(oid_string(OID_EC_PUBLIC_KEY), "1.2.840.10045.2.1");
        assert_eq!(oid_string(OID_P384), "1.3.132.0.34");
        assert_eq!(oid_string(OID_ED448), "1.3.101.113");
        assert_eq!(oid_string(&[0x2a, 0x83]), "(invalid OID)");
        for c in EcCurve::ALL {
            assert_eq!(oid_string(c.oid_der()), c.oid());
        }
        for c in [OkpCurve::Ed25519, OkpCurve::Ed448] {
            assert_eq!(oid_string(c.oid_der()), c.oid());
        }
    }

    #[test]
    fn expected_curves_and_pyjwt_text() {
        assert_eq!(EcAlg::ES512.expected_curve(), EcCurve::P521);
        assert_eq!(EcAlg::ES521.expected_curve(), EcCurve::P521);
        assert_eq!(EcAlg::ES256K.hash(), EcHash::Sha256);
        assert!(EcAlg::ES384.check_curve(EcCurve::P384).is_ok());
        let e = EcAlg::ES256.check_curve(EcCurve::P384).unwrap_err();
        assert_eq!(e.code(), "invalid_key");
        assert_eq!(e.detail(), crate::errors::DETAIL_KEY);
        assert_eq!(
            e.message(),
            "The key's curve 'secp384r1' does not match the expected curve 'secp256r1' for this algorithm"
        );
        assert_eq!(
            EcAlg::ES256K.check_curve_name("brainpoolP256r1").unwrap_err().message(),
            "The key's curve 'brainpoolP256r1' does not match the expected curve 'secp256k1' for this algorithm"
        );
        for a in EcAlg::ALL {
            assert_eq!(EcAlg::from_name(a.name()), Some(a));
        }
        assert_eq!(EcAlg::from_name("es256"), None);
        assert_eq!(EcCurve::P521.signature_len(), 132);
        assert_eq!(EcCurve::from_jwk_name("P-521"), Some(EcCurve::P521));
        assert_eq!(EcCurve::from_jwk_name("P-256K"), None);
    }

    #[test]
    fn explicit_references_parse() {
        for r in [&EXPLICIT_P256[..], &EXPLICIT_P384, &EXPLICIT_P521] {
            let t = Der::new(r).any().unwrap();
            assert!(ec_domain(t).is_some_and(|d| matches!(d, EcDomain::Curve(_))));
        }
    }
}
