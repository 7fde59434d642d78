//! ECDSA keys and signatures (RFC 7518 §3.4: ES256, ES256K, ES384, ES512/ES521) as PyJWT
//! 2.15.1's `ECAlgorithm` does them over `cryptography`/OpenSSL: raw `r‖s` of exactly
//! 2·⌈bits/8⌉ bytes (`utils.raw_to_der_signature`), the key's curve bound to the `alg`
//! (`_validate_curve`), high S accepted, r and s in [1, n-1]. Keys load as
//! `cryptography-key-parsing` loads them (SPKI, SEC1 `EC PRIVATE KEY`, PKCS#8).
//! The curve arithmetic is RustCrypto's (`p256`, `p384`, `p521`, `k256`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};

use crate::errors::{Error, Result};
use crate::pkix::{self, Der, EcAlg, EcCurve, EcHash, BIT_STRING, INTEGER, OCTET_STRING};

/// One value per curve: the ES* code is the same for all four, only the types differ.
/// A curve whose feature (`es256`, `es384`, `es512`, `es256k`) is off holds `Infallible`.
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "ecdsa"), allow(dead_code))] // the left-out curves' variants
enum PerCurve<A, B, C, D> {
    P256(A),
    P384(B),
    P521(C),
    K256(D),
}

/// The key types of one curve, or `Infallible` when its feature is off.
macro_rules! curve_types {
    ($feat:literal, $vk:ident, $sk:ident, $m:ident) => {
        #[cfg(feature = $feat)]
        type $vk = $m::ecdsa::VerifyingKey;
        #[cfg(feature = $feat)]
        type $sk = $m::ecdsa::SigningKey;
        #[cfg(not(feature = $feat))]
        type $vk = core::convert::Infallible;
        #[cfg(not(feature = $feat))]
        type $sk = core::convert::Infallible;
    };
}
curve_types!("es256", VkP256, SkP256, p256);
curve_types!("es384", VkP384, SkP384, p384);
curve_types!("es512", VkP521, SkP521, p521);
curve_types!("es256k", VkK256, SkK256, k256);

type Verifying = PerCurve<VkP256, VkP384, VkP521, VkK256>;
type Signing = PerCurve<SkP256, SkP384, SkP521, SkK256>;

/// Runs `$body` with `$k` bound to the curve-specific value, `$m` to the curve's crate and
/// `$V` to the `PerCurve` variant; a compiled-out curve's arm is empty (`Infallible`).
macro_rules! each {
    ($v:expr, $k:ident, $m:ident, $V:ident => $body:expr) => {
        match $v {
            #[cfg(feature = "es256")]
            PerCurve::P256($k) => {
                #[allow(unused_imports)]
                use {p256 as $m, PerCurve::P256 as $V};
                $body
            }
            #[cfg(feature = "es384")]
            PerCurve::P384($k) => {
                #[allow(unused_imports)]
                use {p384 as $m, PerCurve::P384 as $V};
                $body
            }
            #[cfg(feature = "es512")]
            PerCurve::P521($k) => {
                #[allow(unused_imports)]
                use {p521 as $m, PerCurve::P521 as $V};
                $body
            }
            #[cfg(feature = "es256k")]
            PerCurve::K256($k) => {
                #[allow(unused_imports)]
                use {k256 as $m, PerCurve::K256 as $V};
                $body
            }
            #[cfg(not(feature = "es256"))]
            PerCurve::P256(n) => match *n {},
            #[cfg(not(feature = "es384"))]
            PerCurve::P384(n) => match *n {},
            #[cfg(not(feature = "es512"))]
            PerCurve::P521(n) => match *n {},
            #[cfg(not(feature = "es256k"))]
            PerCurve::K256(n) => match *n {},
        }
    };
}

/// Builds a `PerCurve` for `$curve`, with `$m` bound to that curve's crate in `$body`
/// (which may use `?`); a compiled-out curve returns `Error::Config`.
macro_rules! for_curve {
    ($curve:expr, $m:ident => $body:expr) => {
        match $curve {
            #[cfg(feature = "es256")]
            EcCurve::P256 => PerCurve::P256({
                use p256 as $m;
                $body
            }),
            #[cfg(feature = "es384")]
            EcCurve::P384 => PerCurve::P384({
                use p384 as $m;
                $body
            }),
            #[cfg(feature = "es512")]
            EcCurve::P521 => PerCurve::P521({
                use p521 as $m;
                $body
            }),
            #[cfg(feature = "es256k")]
            EcCurve::Secp256k1 => PerCurve::K256({
                use k256 as $m;
                $body
            }),
            #[allow(unreachable_patterns)]
            other => return Err(not_compiled(other)),
        }
    };
}

/// A key on a curve whose feature this build leaves out.
fn not_compiled(curve: EcCurve) -> Error {
    let feature = match curve {
        EcCurve::P256 => "es256",
        EcCurve::P384 => "es384",
        EcCurve::P521 => "es512",
        EcCurve::Secp256k1 => "es256k",
    };
    Error::Config(
        format!(
            "EC keys on {} need the `{feature}` feature, which this build leaves out",
            curve.name()
        )
        .into(),
    )
}

fn curve_of<A, B, C, D>(v: &PerCurve<A, B, C, D>) -> EcCurve {
    match v {
        PerCurve::P256(_) => EcCurve::P256,
        PerCurve::P384(_) => EcCurve::P384,
        PerCurve::P521(_) => EcCurve::P521,
        PerCurve::K256(_) => EcCurve::Secp256k1,
    }
}

fn digest(hash: EcHash, msg: &[u8]) -> Vec<u8> {
    match hash {
        EcHash::Sha256 => Sha256::digest(msg).to_vec(),
        EcHash::Sha384 => Sha384::digest(msg).to_vec(),
        EcHash::Sha512 => Sha512::digest(msg).to_vec(),
    }
}

fn bad_key(what: &str) -> Error {
    Error::Config(format!("unusable EC key: {what}").into())
}

/// The one signature failure PyJWT reports (`verify` returned False).
fn bad_signature() -> Error {
    Error::BadSignature("Signature verification failed".into())
}

/// A parsed ECDSA public key on one of the four ES* curves, validated once.
#[derive(Clone, Debug)]
pub struct EcPublicKey {
    vk: Verifying,
}

impl EcPublicKey {
    /// From DER `SubjectPublicKeyInfo` (`PUBLIC KEY`): `id-ecPublicKey` with a named
    /// curve or explicit parameters equal to P-256/P-384/P-521, and an uncompressed,
    /// compressed or hybrid point, as `cryptography`'s `load_der_public_key` accepts them.
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = pkix::parse_spki(der)?;
        if spki.oid != pkix::OID_EC_PUBLIC_KEY {
            return Err(Error::Config(
                format!(
                    "public key algorithm {} is not EC",
                    pkix::oid_string(spki.oid)
                )
                .into(),
            ));
        }
        let params = spki.params.ok_or_else(|| {
            Error::Config("bad SubjectPublicKeyInfo: EC key without curve parameters".into())
        })?;
        let curve = pkix::ec_domain(params)
            .ok_or_else(|| Error::Config("bad SubjectPublicKeyInfo: bad EC parameters".into()))?
            .into_curve()?;
        Self::from_sec1_point(curve, spki.key)
    }

    /// From an X9.62 / SEC 1 §2.3.3 point: `04‖x‖y`, `02`/`03‖x`, or hybrid `06`/`07‖x‖y`
    /// (OpenSSL's `EC_POINT_oct2point` takes all three). The point at infinity is refused
    /// as `cryptography` refuses it.
    pub fn from_sec1_point(curve: EcCurve, point: &[u8]) -> Result<Self> {
        let c = curve.coordinate_len();
        let uncompressed;
        let point = match point.first() {
            Some(0x02 | 0x03) if point.len() == 1 + c => point,
            Some(0x04) if point.len() == 1 + 2 * c => point,
            Some(tag @ (0x06 | 0x07)) if point.len() == 1 + 2 * c => {
                // Hybrid: the tag's low bit must be y's parity.
                if (tag & 1) != (point[2 * c] & 1) {
                    return Err(bad_key("hybrid point with the wrong y parity"));
                }
                let mut p = point.to_vec();
                p[0] = 0x04;
                uncompressed = p;
                &uncompressed[..]
            }
            Some(0x00) if point.len() == 1 => {
                return Err(bad_key(
                    "Cannot load an EC public key where the point is at infinity",
                ))
            }
            _ => return Err(bad_key("not an encoded point of this curve")),
        };
        let vk: Verifying = for_curve!(curve, m => m::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map_err(|_| bad_key(&format!("the point is not on {}", curve.name())))?);
        Ok(EcPublicKey { vk })
    }

    /// From JWK members (RFC 7518 §6.2.1, already base64url-decoded) with PyJWT's
    /// `ECAlgorithm.from_jwk` rules: known `crv`, coordinates of exactly ⌈bits/8⌉ bytes, on the curve.
    pub fn from_jwk(crv: &str, x: &[u8], y: &[u8]) -> Result<Self> {
        let curve = EcCurve::from_jwk_name(crv)
            .ok_or_else(|| Error::Config(format!("Invalid curve: {crv}").into()))?;
        let c = curve.coordinate_len();
        if x.len() != c || y.len() != c {
            return Err(Error::Config(
                format!("Coords should be {c} bytes for curve {crv}").into(),
            ));
        }
        let mut point = Vec::with_capacity(1 + 2 * c);
        point.push(0x04);
        point.extend_from_slice(x);
        point.extend_from_slice(y);
        Self::from_sec1_point(curve, &point)
    }

    /// The key's curve.
    pub fn curve(&self) -> EcCurve {
        curve_of(&self.vk)
    }

    /// `ECAlgorithm.prepare_key` + `verify`: `InvalidKeyError` text when the curve is not
    /// `alg`'s, then `Error::BadSignature("Signature verification failed")` unless `sig` is
    /// a raw `r‖s` of exactly 2·⌈bits/8⌉ bytes that verifies over the `alg` hash of `msg`.
    pub fn verify(&self, alg: EcAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        alg.check_curve(self.curve())?;
        if sig.len() != self.curve().signature_len() {
            return Err(bad_signature());
        }
        let prehash = digest(alg.hash(), msg);
        let ok = each!(&self.vk, k, m, _V => {
            match m::ecdsa::Signature::from_slice(sig) {
                // r, s in [1, n-1]; `k256` refuses high S, OpenSSL does not: (r, s) and
                // (r, n - s) verify alike, so the low-S form gives OpenSSL's verdict.
                Ok(s) => k.verify_prehash(&prehash, &s.normalize_s()).is_ok(),
                Err(_) => false,
            }
        });
        if ok {
            Ok(())
        } else {
            Err(bad_signature())
        }
    }

    /// The uncompressed point `04‖x‖y`.
    pub fn to_uncompressed_point(&self) -> Vec<u8> {
        each!(&self.vk, k, _m, _V => k.to_sec1_point(false).as_bytes().to_vec())
    }

    /// The JWK members of `ECAlgorithm.to_jwk` (without `kty`): `crv`, and `x`, `y` as
    /// fixed-width base64url.
    pub fn jwk_members(&self) -> [(&'static str, String); 3] {
        let p = self.to_uncompressed_point();
        let c = self.curve().coordinate_len();
        [
            ("crv", String::from(self.curve().jwk_name())),
            ("x", crate::b64::encode(&p[1..1 + c])),
            ("y", crate::b64::encode(&p[1 + c..])),
        ]
    }

    /// DER `SubjectPublicKeyInfo` with the named curve and the uncompressed point, as
    /// `cryptography`'s `public_bytes(DER, SubjectPublicKeyInfo)` writes it.
    pub fn to_spki_der(&self) -> Vec<u8> {
        let curve_oid = self.curve().oid_der();
        let point = self.to_uncompressed_point();
        let mut alg = pkix::der_tlv(pkix::OID, pkix::OID_EC_PUBLIC_KEY);
        alg.extend(pkix::der_tlv(pkix::OID, curve_oid));
        let mut bits = Vec::with_capacity(point.len() + 1);
        bits.push(0);
        bits.extend(point);
        let mut body = pkix::der_tlv(pkix::SEQUENCE, &alg);
        body.extend(pkix::der_tlv(BIT_STRING, &bits));
        pkix::der_tlv(pkix::SEQUENCE, &body)
    }
}

/// An ECDSA private key on one of the four ES* curves.
#[derive(Clone)]
pub struct EcSigningKey {
    sk: Signing,
}

impl core::fmt::Debug for EcSigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EcSigningKey({})", self.curve().name())
    }
}

impl EcSigningKey {
    /// From DER SEC 1 `ECPrivateKey` (`EC PRIVATE KEY`, RFC 5915), as `cryptography`'s
    /// `parse_pkcs1_private_key`: version 1, curve parameters required, the private value
    /// exactly ⌈bits/8⌉ bytes in [1, n-1], the optional public point equal to d·G.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self> {
        Self::from_ec_private_key(der, None)
    }

    /// From DER PKCS#8 `PrivateKeyInfo` (`PRIVATE KEY`) with `id-ecPublicKey`; inner
    /// parameters, when present, must equal the outer ones.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let p8 = pkix::parse_pkcs8(der)?;
        if p8.oid != pkix::OID_EC_PUBLIC_KEY {
            return Err(Error::Config(
                format!(
                    "private key algorithm {} is not EC",
                    pkix::oid_string(p8.oid)
                )
                .into(),
            ));
        }
        let params = p8
            .params
            .ok_or_else(|| bad_key("PKCS#8 EC key without curve parameters"))?;
        Self::from_ec_private_key(p8.private_key, Some(params))
    }

    fn from_ec_private_key(der: &[u8], outer: Option<pkix::Tlv<'_>>) -> Result<Self> {
        let bad = |what: &str| Error::Config(format!("bad EC private key: {what}").into());
        let mut top = Der::new(der);
        let body = top
            .take(pkix::SEQUENCE)
            .ok_or_else(|| bad("not a DER SEQUENCE"))?;
        if !top.is_empty() {
            return Err(bad("data after the key"));
        }
        let mut d = Der::new(body);
        if d.take(INTEGER).and_then(pkix::small_uint) != Some(1) {
            return Err(bad("version is not 1"));
        }
        let secret = d.take(OCTET_STRING).ok_or_else(|| bad("no private key"))?;
        let inner = match d.optional(0xa0).ok_or_else(|| bad("bad parameters"))? {
            Some(p) => {
                let mut pd = Der::new(p);
                let t = pd.any().ok_or_else(|| bad("bad parameters"))?;
                if !pd.is_empty() {
                    return Err(bad("bad parameters"));
                }
                Some(t)
            }
            None => None,
        };
        let point = match d.optional(0xa1).ok_or_else(|| bad("bad public key"))? {
            Some(p) => {
                let mut pd = Der::new(p);
                let bits = pd.take(BIT_STRING).ok_or_else(|| bad("bad public key"))?;
                if !pd.is_empty() {
                    return Err(bad("bad public key"));
                }
                Some(pkix::bit_string_bytes(bits).ok_or_else(|| bad("bad public key"))?)
            }
            None => None,
        };
        if !d.is_empty() {
            return Err(bad("extra data"));
        }
        let params = match (outer, inner) {
            (Some(o), Some(i)) if o.raw != i.raw => {
                return Err(bad("inner and outer curve parameters differ"))
            }
            (Some(p), _) | (None, Some(p)) => p,
            (None, None) => return Err(bad("no curve parameters")),
        };
        let curve = pkix::ec_domain(params)
            .ok_or_else(|| bad("bad EC parameters"))?
            .into_curve()?;
        if secret.len() != curve.coordinate_len() {
            return Err(bad("private key value is not ⌈bits/8⌉ bytes"));
        }
        let sk: Signing = for_curve!(curve, m => m::ecdsa::SigningKey::from_slice(secret)
            .map_err(|_| bad("private value not in [1, n-1]"))?);
        let key = EcSigningKey { sk };
        if let Some(point) = point {
            // `check_key`: the stored public point must be d·G (both public: `==` is fine).
            let given = EcPublicKey::from_sec1_point(curve, point)?.to_uncompressed_point();
            let derived = key.public_key().to_uncompressed_point();
            if given != derived {
                return Err(bad("the public key does not match the private key"));
            }
        }
        Ok(key)
    }

    /// The key's curve.
    pub fn curve(&self) -> EcCurve {
        curve_of(&self.sk)
    }

    /// The matching public key.
    pub fn public_key(&self) -> EcPublicKey {
        let vk: Verifying = each!(&self.sk, k, _m, V => V(*k.verifying_key()));
        EcPublicKey { vk }
    }

    /// `ECAlgorithm.sign`: the raw `r‖s` signature of `msg` under `alg` (whose curve must be
    /// this key's: PyJWT's `InvalidKeyError` otherwise). The nonce is RFC 6979 with
    /// 32-66 bytes from `rng` mixed in (hedged), so two signatures of one message differ.
    pub fn sign<R: TryCryptoRng + ?Sized>(
        &self,
        alg: EcAlg,
        msg: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        alg.check_curve(self.curve())?;
        let prehash = digest(alg.hash(), msg);
        each!(&self.sk, k, m, _V => {
            let s: m::ecdsa::Signature = k
                .sign_prehash_with_rng(rng, &prehash)
                .map_err(|e| Error::Sign(format!("ECDSA signing failed: {e}").into()))?;
            Ok(s.to_bytes().to_vec())
        })
    }

    /// [`EcSigningKey::sign`] with the operating system's random generator (`getrandom`).
    #[cfg(feature = "sign")]
    pub fn sign_random(&self, alg: EcAlg, msg: &[u8]) -> Result<Vec<u8>> {
        self.sign(alg, msg, &mut getrandom::SysRng)
    }
}

#[cfg(all(test, feature = "ecdsa"))]
mod tests {
    use super::*;

    use crate::pem::test_block as block;

    /// A deterministic "random" source for tests (the nonce stays RFC 6979-safe anyway).
    struct Counter(u8);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u32::from(self.0))
        }
        fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
            self.0 = self.0.wrapping_add(1);
            Ok(u64::from(self.0))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl TryCryptoRng for Counter {}

    const KEYS: [(EcCurve, EcAlg, &str); 4] = [
        (
            EcCurve::P256,
            EcAlg::ES256,
            include_str!("../keys/test-only-ec-p256.pem"),
        ),
        (
            EcCurve::P384,
            EcAlg::ES384,
            include_str!("../keys/test-only-ec-p384.pem"),
        ),
        (
            EcCurve::P521,
            EcAlg::ES512,
            include_str!("../keys/test-only-ec-p521.pem"),
        ),
        (
            EcCurve::Secp256k1,
            EcAlg::ES256K,
            include_str!("../keys/test-only-ec-secp256k1.pem"),
        ),
    ];

    #[test]
    fn pkcs8_keys_sign_and_verify_on_each_curve() {
        for (curve, alg, pem) in KEYS {
            let sk = EcSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
            let pk = EcPublicKey::from_spki_der(&block(pem, "PUBLIC KEY")).unwrap();
            assert_eq!(sk.curve(), curve);
            assert_eq!(pk.curve(), curve);
            assert_eq!(
                sk.public_key().to_uncompressed_point(),
                pk.to_uncompressed_point()
            );
            assert_eq!(pk.to_spki_der(), block(pem, "PUBLIC KEY"));
            let msg = b"eyJhbGciOiJFUzI1NiJ9.eyJ1aWQiOjF9";
            let sig = sk.sign(alg, msg, &mut Counter(0)).unwrap();
            assert_eq!(sig.len(), curve.signature_len());
            pk.verify(alg, msg, &sig).unwrap();
            // a second signature differs (hedged nonce) and verifies too
            let sig2 = sk.sign(alg, msg, &mut Counter(100)).unwrap();
            assert_ne!(sig, sig2);
            pk.verify(alg, msg, &sig2).unwrap();
            // one flipped bit anywhere in the message or signature: rejected
            let mut bad = sig.clone();
            bad[sig.len() / 3] ^= 1;
            let e = pk.verify(alg, msg, &bad).unwrap_err();
            assert_eq!(e.code(), "bad_signature");
            assert_eq!(e.message(), "Signature verification failed");
            assert!(pk
                .verify(alg, b"eyJhbGciOiJFUzI1NiJ9.eyJ1aWQiOjJ9", &sig)
                .is_err());
            // DER-encoded or truncated/padded signatures: the same failure as a bad signature
            for wrong in [&sig[1..], &[&sig[..], &[0u8][..]].concat()[..], &[]] {
                assert_eq!(
                    pk.verify(alg, msg, wrong).unwrap_err().code(),
                    "bad_signature"
                );
            }
        }
    }

    #[test]
    fn high_s_is_accepted_and_zero_or_n_rejected() {
        let (_, alg, pem) = KEYS[0];
        let sk = EcSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
        let pk = sk.public_key();
        let msg = b"high s";
        let sig = sk.sign(alg, msg, &mut Counter(7)).unwrap();
        let s = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        // (r, n - s): OpenSSL accepts it; so must we
        let flipped =
            p256::ecdsa::Signature::from_scalars(s.r().to_bytes(), (-*s.s()).to_bytes()).unwrap();
        assert_ne!(flipped.to_bytes(), s.to_bytes());
        pk.verify(alg, msg, &flipped.to_bytes()).unwrap();
        // r = 0, s = 0, r = n
        let n = hex32("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
        for (r, s2) in [
            ([0u8; 32], sig[32..].to_vec()),
            (sig[..32].try_into().unwrap(), alloc::vec![0u8; 32]),
            (n, sig[32..].to_vec()),
        ] {
            let bad = [&r[..], &s2[..]].concat();
            assert_eq!(
                pk.verify(alg, msg, &bad).unwrap_err().code(),
                "bad_signature"
            );
        }
        // secp256k1 too (k256 itself would refuse high S)
        let (_, alg, pem) = KEYS[3];
        let sk = EcSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
        let sig = sk.sign(alg, msg, &mut Counter(9)).unwrap();
        let s = k256::ecdsa::Signature::from_slice(&sig).unwrap();
        let flipped =
            k256::ecdsa::Signature::from_scalars(s.r().to_bytes(), (-*s.s()).to_bytes()).unwrap();
        sk.public_key()
            .verify(alg, msg, &flipped.to_bytes())
            .unwrap();
    }

    fn hex32(h: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn curve_must_match_the_alg_before_the_signature() {
        let (_, _, pem) = KEYS[1];
        let pk = EcPublicKey::from_spki_der(&block(pem, "PUBLIC KEY")).unwrap();
        let e = pk.verify(EcAlg::ES256, b"m", &[0u8; 64]).unwrap_err();
        assert_eq!(e.code(), "invalid_key");
        assert_eq!(
            e.message(),
            "The key's curve 'secp384r1' does not match the expected curve 'secp256r1' for this algorithm"
        );
        let (_, _, pem) = KEYS[2];
        let sk = EcSigningKey::from_pkcs8_der(&block(pem, "PRIVATE KEY")).unwrap();
        let sig = sk.sign(EcAlg::ES521, b"m", &mut Counter(1)).unwrap();
        // ES512 and ES521 are one algorithm
        sk.public_key().verify(EcAlg::ES512, b"m", &sig).unwrap();
        assert_eq!(
            sk.sign(EcAlg::ES384, b"m", &mut Counter(1))
                .unwrap_err()
                .code(),
            "invalid_key"
        );
    }

    #[test]
    fn jwk_round_trip_and_pyjwt_rules() {
        for (curve, _, pem) in KEYS {
            let pk = EcPublicKey::from_spki_der(&block(pem, "PUBLIC KEY")).unwrap();
            let [(_, crv), (_, x), (_, y)] = pk.jwk_members();
            assert_eq!(crv, curve.jwk_name());
            let x = crate::b64::decode_jwk_member(&x).unwrap();
            let y = crate::b64::decode_jwk_member(&y).unwrap();
            assert_eq!(x.len(), curve.coordinate_len());
            let again = EcPublicKey::from_jwk(&crv, &x, &y).unwrap();
            assert_eq!(again.to_uncompressed_point(), pk.to_uncompressed_point());
            let e = EcPublicKey::from_jwk(&crv, &x[1..], &y).unwrap_err();
            assert_eq!(
                e.message(),
                format!(
                    "Coords should be {} bytes for curve {crv}",
                    curve.coordinate_len()
                )
            );
            let mut off = y.clone();
            off[5] ^= 1;
            assert!(EcPublicKey::from_jwk(&crv, &x, &off).is_err());
        }
        assert_eq!(
            EcPublicKey::from_jwk("P-192", &[0; 24], &[0; 24])
                .unwrap_err()
                .message(),
            "Invalid curve: P-192"
        );
    }

    #[test]
    fn point_encodings() {
        let (curve, _, pem) = KEYS[0];
        let pk = EcPublicKey::from_spki_der(&block(pem, "PUBLIC KEY")).unwrap();
        let u = pk.to_uncompressed_point();
        let odd = u[64] & 1;
        let mut compressed = u[..33].to_vec();
        compressed[0] = 2 + odd;
        let mut hybrid = u.clone();
        hybrid[0] = 6 + odd;
        for good in [&u[..], &compressed, &hybrid] {
            let k = EcPublicKey::from_sec1_point(curve, good).unwrap();
            assert_eq!(k.to_uncompressed_point(), u);
        }
        let mut wrong_parity = hybrid.clone();
        wrong_parity[0] ^= 1;
        let mut compact = u[..33].to_vec();
        compact[0] = 5;
        let mut off_curve = u.clone();
        off_curve[64] ^= 1;
        for bad in [
            &wrong_parity[..],
            &compact,
            &off_curve,
            &[0u8][..],
            &[],
            &u[..64],
            &[0xffu8; 65][..],
        ] {
            assert!(
                EcPublicKey::from_sec1_point(curve, bad).is_err(),
                "{bad:02x?}"
            );
        }
        assert!(EcPublicKey::from_sec1_point(curve, &[0])
            .unwrap_err()
            .message()
            .contains("infinity"));
    }
}
