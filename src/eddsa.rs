//! EdDSA keys and signatures (RFC 8037 `alg: EdDSA`; RFC 8032 Ed25519 and Ed448) as PyJWT
//! 2.15.1's `OKPAlgorithm` does them over `cryptography`/OpenSSL. Verification takes
//! OpenSSL's verdicts: Ed25519 as `ossl_ed25519_verify` (S < L, cofactorless, R compared
//! byte for byte, A decoded without canonicity or small-order checks), Ed448 as
//! `ossl_c448_ed448_verify` (S < L, A and R canonical, cofactored: 4·(S·B − R − k·A) = 0).
//! Keys load as `cryptography-key-parsing` loads them: any 32/57 bytes make a public key
//! (one that is no curve point verifies nothing), PKCS#8 version 0 private keys.
//! The curve arithmetic is RustCrypto's (`ed25519-dalek`, `ed448-goldilocks`).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use ed448_goldilocks::shake::digest::{ExtendableOutput, Update, XofReader};
use ed448_goldilocks::{
    CompressedEdwardsY, EdwardsPoint, EdwardsScalar, EdwardsScalarBytes, WideEdwardsScalarBytes,
};

use crate::errors::{Error, Result};
use crate::pkix::{self, Der, OkpCurve, OCTET_STRING};

#[derive(Clone, Debug)]
enum Point {
    /// `None`: the 32 bytes decode to no curve point; every signature fails.
    Ed25519(Option<ed25519_dalek::VerifyingKey>),
    /// 4·A, or `None` when A is not a canonical curve point encoding.
    Ed448(Option<EdwardsPoint>),
}

/// An Ed25519 or Ed448 public key: its raw bytes (what the challenge hash takes) and the
/// point decoded once.
#[derive(Clone, Debug)]
pub struct OkpPublicKey {
    raw: Vec<u8>,
    point: Point,
}

fn bad_signature() -> Error {
    Error::BadSignature("Signature verification failed".into())
}

/// Ed448 order L, little-endian, 57 bytes (RFC 8032 §5.2).
const ED448_ORDER: [u8; 57] = [
    0xf3, 0x44, 0x58, 0xab, 0x92, 0xc2, 0x78, 0x23, 0x55, 0x8f, 0xc5, 0x8d, 0x72, 0xc2, 0x6c, 0x21,
    0x90, 0x36, 0xd6, 0xae, 0x49, 0xdb, 0x4e, 0xc4, 0xe9, 0x23, 0xca, 0x7c, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x00,
];

/// `a < b` for little-endian byte strings of one length.
fn lt_le(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `ossl_curve448_point_decode_like_eddsa_and_mul_by_ratio`'s acceptance: byte 56 holds only
/// the sign of x, y < p, y has an x on the curve, and x ≠ 0: OpenSSL's inverse square root
/// of (1 - y²)(1 - d·y²) fails at 0, so y = ±1 (the identity and the point of order 2)
/// never decode, whatever the sign bit. Returns the point itself (`ed448-goldilocks`' own
/// `decompress` also refuses torsion, which OpenSSL does not).
fn ed448_decode(bytes: &[u8; 57]) -> Option<EdwardsPoint> {
    // p = 2^448 - 2^224 - 1, little-endian.
    let mut p = [0xffu8; 56];
    p[28] = 0xfe;
    if bytes[56] & 0x7f != 0 || !lt_le(&bytes[..56], &p) {
        return None;
    }
    let mut one = [0u8; 56];
    one[0] = 1;
    let mut minus_one = p;
    minus_one[0] = 0xfe;
    if bytes[..56] == one || bytes[..56] == minus_one {
        return None;
    }
    let affine = CompressedEdwardsY(*bytes)
        .decompress_unchecked()
        .into_option()?;
    Some(affine.to_edwards())
}

/// OpenSSL's Ed448 verification (no context, not pre-hashed).
fn ed448_verify(raw_a: &[u8], a4: &EdwardsPoint, msg: &[u8], sig: &[u8]) -> bool {
    let (r_bytes, s_bytes) = sig.split_at(57);
    // S < L, byte by byte from the top (byte 56 must be 0).
    if !lt_le(s_bytes, &ED448_ORDER) {
        return false;
    }
    let Ok(s_arr) = EdwardsScalarBytes::try_from(s_bytes) else {
        return false;
    };
    let Some(s) = EdwardsScalar::from_canonical_bytes(&s_arr).into_option() else {
        return false;
    };
    let Ok(r_arr) = <[u8; 57]>::try_from(r_bytes) else {
        return false;
    };
    let Some(r) = ed448_decode(&r_arr) else {
        return false;
    };
    // k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L (RFC 8032 §5.2.7).
    let mut wide = WideEdwardsScalarBytes::default();
    let mut xof = ed448_goldilocks::shake::Shake256::default();
    xof.update(b"SigEd448\x00\x00");
    xof.update(r_bytes);
    xof.update(raw_a);
    xof.update(msg);
    xof.finalize_xof().read(&mut wide);
    let k = EdwardsScalar::from_bytes_mod_order_wide(&wide);
    // [S](4B) == 4R + [k](4A): 4A and 4B lie in the prime-order subgroup, where the
    // crate's scalar multiplication is exact; doublings and additions are complete.
    let lhs = (EdwardsPoint::GENERATOR * s).double().double();
    let rhs = r.double().double() + a4 * k;
    lhs == rhs
}

impl OkpPublicKey {
    /// From the raw public key bytes (32 for Ed25519, 57 for Ed448), as
    /// `Ed25519PublicKey.from_public_bytes` / OpenSSL's raw key import: any bytes of the
    /// right length load.
    pub fn from_raw(curve: OkpCurve, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != curve.key_len() {
            return Err(Error::Config(
                format!(
                    "An {} public key is {} bytes long",
                    curve.name(),
                    curve.key_len()
                )
                .into(),
            ));
        }
        let point = match curve {
            OkpCurve::Ed25519 => {
                let mut b = [0u8; 32];
                b.copy_from_slice(bytes);
                Point::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
            }
            OkpCurve::Ed448 => {
                let mut b = [0u8; 57];
                b.copy_from_slice(bytes);
                Point::Ed448(ed448_decode(&b).map(|a| a.double().double()))
            }
        };
        Ok(OkpPublicKey {
            raw: bytes.to_vec(),
            point,
        })
    }

    /// From DER `SubjectPublicKeyInfo` (`PUBLIC KEY`) with `id-Ed25519` or `id-Ed448`
    /// and no parameters (RFC 8410 §3).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = pkix::parse_spki(der)?;
        let curve = okp_curve(spki.oid).ok_or_else(|| {
            Error::Config(
                format!(
                    "public key algorithm {} is not Ed25519 or Ed448",
                    pkix::oid_string(spki.oid)
                )
                .into(),
            )
        })?;
        if spki.params.is_some() {
            return Err(Error::Config(
                "bad SubjectPublicKeyInfo: parameters where none are allowed".into(),
            ));
        }
        Self::from_raw(curve, spki.key).map_err(|_| Error::Config("Invalid key".into()))
    }

    /// From JWK members (RFC 8037 §2, `x` already base64url-decoded) with PyJWT's
    /// `OKPAlgorithm.from_jwk` rules.
    pub fn from_jwk(crv: &str, x: &[u8]) -> Result<Self> {
        let curve = OkpCurve::from_jwk_name(crv)
            .ok_or_else(|| Error::Config(format!("Invalid curve: {crv}").into()))?;
        Self::from_raw(curve, x)
    }

    /// The key's curve.
    pub fn curve(&self) -> OkpCurve {
        match self.point {
            Point::Ed25519(_) => OkpCurve::Ed25519,
            Point::Ed448(_) => OkpCurve::Ed448,
        }
    }

    /// The raw public key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// `OKPAlgorithm.verify`: `Error::BadSignature("Signature verification failed")` unless
    /// `sig` verifies `msg` the way OpenSSL decides (see the module docs); a signature of
    /// the wrong length fails the same way.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<()> {
        if sig.len() != self.curve().signature_len() {
            return Err(bad_signature());
        }
        let ok = match &self.point {
            Point::Ed25519(Some(vk)) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| ed25519_dalek::Verifier::verify(vk, msg, &s).is_ok()),
            Point::Ed448(Some(a4)) => ed448_verify(&self.raw, a4, msg, sig),
            Point::Ed25519(None) | Point::Ed448(None) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(bad_signature())
        }
    }

    /// The JWK members of `OKPAlgorithm.to_jwk` (without `kty`): `crv` and `x`.
    pub fn jwk_members(&self) -> [(&'static str, String); 2] {
        [
            ("crv", String::from(self.curve().name())),
            ("x", crate::b64::encode(&self.raw)),
        ]
    }

    /// DER `SubjectPublicKeyInfo` (RFC 8410 §4).
    pub fn to_spki_der(&self) -> Vec<u8> {
        use pkix::der_tlv;
        let alg = der_tlv(pkix::SEQUENCE, &der_tlv(pkix::OID, self.curve().oid_der()));
        let mut bits = alloc::vec![0u8];
        bits.extend_from_slice(&self.raw);
        let mut body = alg;
        body.extend(der_tlv(pkix::BIT_STRING, &bits));
        der_tlv(pkix::SEQUENCE, &body)
    }
}

fn okp_curve(oid: &[u8]) -> Option<OkpCurve> {
    [OkpCurve::Ed25519, OkpCurve::Ed448]
        .into_iter()
        .find(|c| c.oid_der() == oid)
}

#[derive(Clone)]
enum Secret {
    // Boxed: 224 and 464 bytes, with precomputed expansions.
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Ed448(Box<ed448_goldilocks::SigningKey>),
}

/// An Ed25519 or Ed448 private key. Signatures are deterministic (RFC 8032), so tokens
/// are byte-identical to PyJWT's.
#[derive(Clone)]
pub struct OkpSigningKey {
    secret: Secret,
}

impl core::fmt::Debug for OkpSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "OkpSigningKey({})", self.curve().name())
    }
}

impl OkpSigningKey {
    /// From the private seed (32 bytes for Ed25519, 57 for Ed448; a JWK `d`).
    pub fn from_seed(curve: OkpCurve, seed: &[u8]) -> Result<Self> {
        let wrong = || {
            Error::Config(
                format!(
                    "An {} private key is {} bytes long",
                    curve.name(),
                    curve.key_len()
                )
                .into(),
            )
        };
        let secret = match curve {
            OkpCurve::Ed25519 => {
                let s: [u8; 32] = seed.try_into().map_err(|_| wrong())?;
                Secret::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&s)))
            }
            OkpCurve::Ed448 => {
                let s = ed448_goldilocks::SecretKey::try_from(seed).map_err(|_| wrong())?;
                Secret::Ed448(Box::new(ed448_goldilocks::SigningKey::from(&s)))
            }
        };
        Ok(OkpSigningKey { secret })
    }

    /// From DER PKCS#8 `PrivateKeyInfo` (`PRIVATE KEY`, RFC 8410 §7) as `cryptography`
    /// loads it: version 0, no parameters, the seed as an inner OCTET STRING.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let p8 = pkix::parse_pkcs8(der)?;
        let curve = okp_curve(p8.oid).ok_or_else(|| {
            Error::Config(
                format!(
                    "private key algorithm {} is not Ed25519 or Ed448",
                    pkix::oid_string(p8.oid)
                )
                .into(),
            )
        })?;
        if p8.params.is_some() {
            return Err(Error::Config(
                "bad PKCS#8 PrivateKeyInfo: parameters where none are allowed".into(),
            ));
        }
        let mut d = Der::new(p8.private_key);
        let seed = d
            .take(OCTET_STRING)
            .filter(|_| d.is_empty())
            .ok_or_else(|| {
                Error::Config("bad PKCS#8 PrivateKeyInfo: the key is not an OCTET STRING".into())
            })?;
        Self::from_seed(curve, seed)
    }

    /// The key's curve.
    pub fn curve(&self) -> OkpCurve {
        match self.secret {
            Secret::Ed25519(_) => OkpCurve::Ed25519,
            Secret::Ed448(_) => OkpCurve::Ed448,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> OkpPublicKey {
        match &self.secret {
            Secret::Ed25519(k) => OkpPublicKey {
                raw: k.verifying_key().to_bytes().to_vec(),
                point: Point::Ed25519(Some(k.verifying_key())),
            },
            Secret::Ed448(k) => {
                let vk = k.verifying_key();
                OkpPublicKey {
                    raw: vk.to_bytes().to_vec(),
                    point: Point::Ed448(Some(vk.to_edwards().double().double())),
                }
            }
        }
    }

    /// `OKPAlgorithm.sign`: the RFC 8032 signature of `msg` (64 or 114 bytes).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match &self.secret {
            Secret::Ed25519(k) => ed25519_dalek::Signer::sign(&**k, msg).to_bytes().to_vec(),
            Secret::Ed448(k) => k.sign_raw(msg).to_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::pem::test_block as block;

    fn hex(h: &str) -> Vec<u8> {
        (0..h.len() / 2)
            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    const KEYS: [(OkpCurve, &str); 2] = [
        (
            OkpCurve::Ed25519,
            include_str!("../keys/test-only-ed25519.pem"),
        ),
        (OkpCurve::Ed448, include_str!("../keys/test-only-ed448.pem")),
    ];

    #[test]
    fn rfc8032_known_answers() {
        // RFC 8032 §7.1 TEST 1 and §7.4 "Blank".
        for (curve, seed, public, sig) in [
            (
                OkpCurve::Ed25519,
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                OkpCurve::Ed448,
                "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b",
                "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
                "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600",
            ),
        ] {
            let sk = OkpSigningKey::from_seed(curve, &hex(seed)).unwrap();
            assert_eq!(sk.public_key().as_bytes(), &hex(public)[..]);
            assert_eq!(sk.sign(b""), hex(sig));
            let pk = OkpPublicKey::from_raw(curve, &hex(public)).unwrap();
            pk.verify(b"", &hex(sig)).unwrap();
            assert!(pk.verify(b"x", &hex(sig)).is_err());
        }
    }

    #[test]
    fn pem_keys_sign_and_verify() {
        for (curve, pem) in KEYS {
            let sk = OkpSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
            let pk = OkpPublicKey::from_spki_der(&block(pem, "PUBLIC KEY")).unwrap();
            assert_eq!(sk.curve(), curve);
            assert_eq!(pk.curve(), curve);
            assert_eq!(sk.public_key().as_bytes(), pk.as_bytes());
            assert_eq!(pk.to_spki_der(), block(pem, "PUBLIC KEY"));
            let msg = b"eyJhbGciOiJFZERTQSJ9.eyJ1aWQiOjF9";
            let sig = sk.sign(msg);
            assert_eq!(sig, sk.sign(msg), "deterministic");
            assert_eq!(sig.len(), curve.signature_len());
            pk.verify(msg, &sig).unwrap();
            sk.public_key().verify(msg, &sig).unwrap();
            let e = pk.verify(b"other", &sig).unwrap_err();
            assert_eq!(
                (e.code(), e.message()),
                ("bad_signature", "Signature verification failed")
            );
            for wrong in [&sig[1..], &[&sig[..], &[0][..]].concat(), &[]] {
                assert!(pk.verify(msg, wrong).is_err());
            }
            let mut flipped = sig.clone();
            flipped[3] ^= 0x10;
            assert!(pk.verify(msg, &flipped).is_err());
            let [(_, crv), (_, x)] = pk.jwk_members();
            assert_eq!(crv, curve.name());
            let x = crate::b64::decode_jwk_member(&x).unwrap();
            assert_eq!(
                OkpPublicKey::from_jwk(&crv, &x).unwrap().as_bytes(),
                pk.as_bytes()
            );
        }
        assert_eq!(
            OkpPublicKey::from_jwk("X25519", &[0; 32])
                .unwrap_err()
                .message(),
            "Invalid curve: X25519"
        );
    }

    /// S + L verifies as the same equation but is the malleated form: rejected.
    #[test]
    fn malleated_s_is_rejected() {
        const L25519: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        for (curve, pem) in KEYS {
            let sk = OkpSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
            let pk = sk.public_key();
            let sig = sk.sign(b"m");
            let half = curve.key_len();
            let order: &[u8] = match curve {
                OkpCurve::Ed25519 => &L25519,
                OkpCurve::Ed448 => &ED448_ORDER,
            };
            let mut carry = 0u16;
            let mut mall = sig.clone();
            for i in 0..half {
                let v = mall[half + i] as u16 + order[i] as u16 + carry;
                mall[half + i] = v as u8;
                carry = v >> 8;
            }
            assert_eq!(carry, 0);
            assert_ne!(mall, sig);
            assert!(pk.verify(b"m", &mall).is_err(), "{curve:?}");
        }
    }

    #[test]
    fn raw_keys_load_like_openssl() {
        // Any 32/57 bytes load; a non-point verifies nothing.
        for curve in [OkpCurve::Ed25519, OkpCurve::Ed448] {
            let k = OkpPublicKey::from_raw(curve, &alloc::vec![0xff; curve.key_len()]).unwrap();
            assert!(k
                .verify(b"", &alloc::vec![0; curve.signature_len()])
                .is_err());
            assert!(OkpPublicKey::from_raw(curve, &alloc::vec![1; curve.key_len() - 1]).is_err());
        }
    }

    #[test]
    fn pkcs8_rules() {
        for (_, pem) in KEYS {
            let der = block(pem, "PRIVATE KEY");
            OkpSigningKey::from_pkcs8_der(&der).unwrap();
            // version 1 (RFC 8410 OneAsymmetricKey v2) and trailing bytes: refused
            let mut v1 = der.clone();
            v1[4] = 1;
            assert!(OkpSigningKey::from_pkcs8_der(&v1).is_err());
            let mut long = der.clone();
            long.push(0);
            assert!(OkpSigningKey::from_pkcs8_der(&long).is_err());
        }
    }
}
