//! Key material and key selection as `rest_framework_sso.keys` does it: key files
//! named in `PUBLIC_KEYS` per issuer, read as the server reads them (`crate::pem`),
//! `kid` matched with or without `.pem`; JWK/JWKS (RFC 7517) accepted too.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rsa::pkcs1::der::Decode;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::errors::{Cause, Error, Result};
use crate::json::{self, Value};
use crate::jwa::Algorithm;
use crate::pem::{Label, PemRead};
use crate::pkix::{EcCurve, EcDomain, SpkiAlgorithm};
use crate::rsa_public::{pkcs1v15_verify, pss_verify, Kernel, MontyKey};
use crate::settings::{OneOrMany, Settings};

/// Which implementation checks RSA signatures: everything but `Fast` exists to cross-check
/// the fast path (the parity harness, the Wycheproof test, the benchmarks).
#[cfg(feature = "cross-check")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// Our Montgomery code with the fastest kernel for this CPU (the default): AVX-512
    /// IFMA, else the `mulx`/`adcx`/`adox` rows, else portable Rust.
    #[default]
    Fast,
    /// Our Montgomery code with the `mulx` rows where the CPU has them, even with IFMA.
    Mulx,
    /// Our Montgomery code with the portable Rust kernel.
    Portable,
    /// The `rsa` crate's own (constant-time) verification.
    RsaCrate,
}

#[cfg(feature = "cross-check")]
impl SignatureCheck {
    /// From `fast`, `mulx`, `portable` or `rsa-crate`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fast" => Some(SignatureCheck::Fast),
            "mulx" => Some(SignatureCheck::Mulx),
            "portable" => Some(SignatureCheck::Portable),
            "rsa-crate" => Some(SignatureCheck::RsaCrate),
            _ => None,
        }
    }
}

/// A parsed RSA public key, prepared once (Montgomery parameters included).
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    /// Modulus, big-endian, no leading zeros.
    pub(crate) n: Vec<u8>,
    /// Public exponent, big-endian, no leading zeros.
    pub(crate) e: Vec<u8>,
    /// `None` when OpenSSL refuses every signature for this key (modulus over 16384 bits,
    /// or over 3072 bits with an exponent over 64 bits): the key loads, nothing verifies.
    pub(crate) monty: Option<MontyKey>,
    bits: usize,
}

impl VerifyingKey {
    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }
    /// Parses DER `SubjectPublicKeyInfo` (`PUBLIC KEY`) of an `rsaEncryption` or
    /// `id-RSASSA-PSS` key (`cryptography` loads the latter as a plain RSA key, for every
    /// RS*/PS* algorithm, whatever its parameters say).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        match crate::pkix::spki_algorithm(der)? {
            SpkiAlgorithm::Rsa | SpkiAlgorithm::RsaPss => {
                Self::from_pkcs1_der(crate::pkix::spki_key_bytes(der)?)
            }
            other => Err(Error::Config(
                format!("the SubjectPublicKeyInfo holds a {other:?} key, not RSA").into(),
            )),
        }
    }
    /// Parses DER `RSAPublicKey` (`RSA PUBLIC KEY`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let k = rsa::pkcs1::RsaPublicKeyRef::from_der(der)
            .map_err(|e| Error::Config(format!("bad RSAPublicKey: {e}").into()))?;
        Self::from_components(k.modulus.as_bytes(), k.public_exponent.as_bytes())
    }
    /// From big-endian modulus and exponent, with `cryptography`'s checks (`e must be >= 3
    /// and < n.`, `e must be odd.`, `n must be odd.`) and OpenSSL's verification limits:
    /// any such exponent for moduli up to 3072 bits; above that, exponents over 64 bits,
    /// and any modulus over 16384 bits, verify nothing (the key loads; every signature fails).
    /// `MIN_KEY_BITS` applies separately.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self> {
        let n: Vec<u8> = n.iter().skip_while(|x| **x == 0).copied().collect();
        let e: Vec<u8> = e.iter().skip_while(|x| **x == 0).copied().collect();
        let bad = |what: &str| Error::Config(format!("unusable RSA public key: {what}").into());
        // Big-endian without leading zeros: longer is larger, else bytewise.
        let below_n = e.len() < n.len() || (e.len() == n.len() && e < n);
        if e.len() == 1 && e[0] < 3 || e.is_empty() || !below_n {
            return Err(bad("e must be >= 3 and < n."));
        }
        if e[e.len() - 1] & 1 == 0 {
            return Err(bad("e must be odd."));
        }
        if n[n.len() - 1] & 1 == 0 {
            return Err(bad("n must be odd."));
        }
        let bits = n.len() * 8 - n[0].leading_zeros() as usize;
        let e_bits = e.len() * 8 - e[0].leading_zeros() as usize;
        let usable = bits <= 16384 && (bits <= 3072 || e_bits <= 64);
        let monty = if usable {
            Some(MontyKey::new(&n, &e).ok_or_else(|| bad("n must be odd."))?)
        } else {
            None
        };
        Ok(VerifyingKey { n, e, monty, bits })
    }
    /// Modulus, big-endian.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }
    /// Public exponent, big-endian.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    /// Verifies `sig` over `msg` with `alg`. PSS signatures shorter than the modulus are
    /// accepted as if left-padded: OpenSSL (behind PyJWT's `cryptography`) does so; PKCS#1
    /// v1.5 it does not.
    pub fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_kernel(alg, msg, sig, Kernel::Best)
    }

    fn verify_kernel(&self, alg: Algorithm, msg: &[u8], sig: &[u8], kernel: Kernel) -> bool {
        let Some(k) = &self.monty else {
            return false;
        };
        match alg {
            Algorithm::RS256 => pkcs1v15_verify::<Sha256>(k, &Sha256::digest(msg), sig, kernel),
            Algorithm::RS384 => pkcs1v15_verify::<Sha384>(k, &Sha384::digest(msg), sig, kernel),
            Algorithm::RS512 => pkcs1v15_verify::<Sha512>(k, &Sha512::digest(msg), sig, kernel),
            Algorithm::PS256 => pss_verify::<Sha256>(k, &Sha256::digest(msg), sig, kernel),
            Algorithm::PS384 => pss_verify::<Sha384>(k, &Sha384::digest(msg), sig, kernel),
            Algorithm::PS512 => pss_verify::<Sha512>(k, &Sha512::digest(msg), sig, kernel),
            _ => false, // not an RSA algorithm
        }
    }

    /// The same check by another implementation (see [`SignatureCheck`]).
    #[cfg(feature = "cross-check")]
    pub fn verify_with(
        &self,
        alg: Algorithm,
        msg: &[u8],
        sig: &[u8],
        check: SignatureCheck,
    ) -> bool {
        match check {
            SignatureCheck::Fast => self.verify_kernel(alg, msg, sig, Kernel::Best),
            SignatureCheck::Mulx => self.verify_kernel(alg, msg, sig, Kernel::Mulx),
            SignatureCheck::Portable => self.verify_kernel(alg, msg, sig, Kernel::Portable),
            SignatureCheck::RsaCrate => self.verify_rsa_crate(alg, msg, sig),
        }
    }

    #[cfg(feature = "cross-check")]
    fn verify_rsa_crate(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        let n = rsa::BoxedUint::from_be_slice(&self.n, (self.n.len() * 8) as u32);
        if self.monty.is_none() {
            return false;
        }
        let e = rsa::BoxedUint::from_be_slice(&self.e, (self.e.len() * 8) as u32);
        let (Ok(n), Ok(e)) = (n, e) else { return false };
        let Ok(k) = rsa::PublicKey::new_with_size_limits(n, e, 512..=16384) else {
            return false;
        };
        let size = rsa::traits::PublicKeyParts::size(&k);
        let padded;
        let sig = if alg.is_pss() && sig.len() < size {
            let mut p = alloc::vec![0u8; size - sig.len()];
            p.extend_from_slice(sig);
            padded = p;
            &padded[..]
        } else {
            sig
        };
        match alg {
            Algorithm::RS256 => k.pkcs1v15_verify_prehash::<Sha256>(&Sha256::digest(msg), sig),
            Algorithm::RS384 => k.pkcs1v15_verify_prehash::<Sha384>(&Sha384::digest(msg), sig),
            Algorithm::RS512 => k.pkcs1v15_verify_prehash::<Sha512>(&Sha512::digest(msg), sig),
            Algorithm::PS256 => k.pss_verify_prehash::<Sha256>(&Sha256::digest(msg), sig),
            Algorithm::PS384 => k.pss_verify_prehash::<Sha384>(&Sha384::digest(msg), sig),
            Algorithm::PS512 => k.pss_verify_prehash::<Sha512>(&Sha512::digest(msg), sig),
            _ => return false,
        }
        .is_ok()
    }
}

/// One key file as the server would read it for a token that selects it.
// A store holds a handful of slots, built once: their size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum PublicSlot {
    /// The file's first public key block.
    Key(PublicKey),
    /// The file holds no public key block: tokens selecting it get `InvalidKeyError`, as on the server.
    NoPublicKey,
    /// The server cannot load the file (missing, unreadable, unparsable, of a type it cannot
    /// use): it fails with HTTP 500 for the tokens that select it and for no others.
    Unavailable(String),
}

/// A key file that only some tokens will find unusable, reported when the store is built
/// (so that a typo is seen at deploy time, while the other keys keep working).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWarning {
    /// The file name, as `PUBLIC_KEYS` names it.
    pub file: String,
    /// The error code tokens selecting it get: `unknown_key` (no public key block, as the
    /// server's `InvalidKeyError`) or `key_unavailable` (the server fails with HTTP 500).
    pub code: &'static str,
    /// Why: the reading or parsing failure.
    pub reason: String,
}

impl core::fmt::Display for KeyWarning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = match self.code {
            "unknown_key" => "tokens selecting it get \"Unauthorized token signing key.\"",
            _ => "tokens selecting it are refused (the server fails with HTTP 500)",
        };
        write!(f, "key file {:?}: {}: {what}", self.file, self.reason)
    }
}

/// A public key as `cryptography`'s `load_pem_public_key` hands it to PyJWT, parsed once.
#[derive(Debug, Clone)]
pub(crate) enum PublicKey {
    /// RSA (`rsaEncryption` or `id-RSASSA-PSS` SPKI, or PKCS#1).
    Rsa(VerifyingKey),
    /// EC on one of the ES* curves.
    #[cfg(feature = "ec-common")]
    Ec(crate::ecdsa::EcPublicKey),
    /// Ed25519 or Ed448.
    #[cfg(feature = "eddsa")]
    Okp(crate::eddsa::OkpPublicKey),
    /// A key the server loads but no algorithm of PyJWT verifies with: DSA, DH, X25519,
    /// X448, EC on another curve. Its `cryptography` class name and, for EC, curve name.
    Other {
        class: &'static str,
        curve: Option<&'static str>,
    },
}

impl PublicKey {
    /// The class name of the key object `load_pem_public_key` returns (PyJWT's messages use it).
    pub(crate) fn class(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSAPublicKey",
            #[cfg(feature = "ec-common")]
            PublicKey::Ec(_) => "ECPublicKey",
            #[cfg(feature = "eddsa")]
            PublicKey::Okp(k) => match k.curve() {
                crate::pkix::OkpCurve::Ed25519 => "Ed25519PublicKey",
                crate::pkix::OkpCurve::Ed448 => "Ed448PublicKey",
            },
            PublicKey::Other { class, .. } => class,
        }
    }

    /// From a DER SubjectPublicKeyInfo, as `load_der_public_key` reads it. A key family
    /// this build leaves out is `Error::FeatureMissing`.
    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self> {
        match crate::pkix::spki_algorithm(der)? {
            SpkiAlgorithm::Rsa | SpkiAlgorithm::RsaPss => {
                VerifyingKey::from_spki_der(der).map(PublicKey::Rsa)
            }
            SpkiAlgorithm::Ec(EcDomain::Curve(c)) => ec_from_spki(c, der),
            SpkiAlgorithm::Ec(EcDomain::OtherCurve { name, .. }) => Ok(PublicKey::Other {
                class: "ECPublicKey",
                curve: Some(name),
            }),
            SpkiAlgorithm::Ec(EcDomain::Unsupported(why)) => Err(Error::Config(why.into())),
            SpkiAlgorithm::Ed25519 | SpkiAlgorithm::Ed448 => okp_from_spki(der),
            SpkiAlgorithm::Other(oid) => {
                let (class, key_len) = match oid.as_str() {
                    "1.2.840.10040.4.1" => ("DSAPublicKey", None),
                    "1.2.840.10046.2.1" | "1.2.840.113549.1.3.1" => ("DHPublicKey", None),
                    "1.3.101.110" => ("X25519PublicKey", Some(32)),
                    "1.3.101.111" => ("X448PublicKey", Some(56)),
                    _ => {
                        return Err(Error::Config(
                            format!("unsupported public key algorithm {oid}").into(),
                        ))
                    }
                };
                let len = crate::pkix::spki_key_bytes(der)?.len();
                if key_len.is_some_and(|n| n != len) {
                    return Err(Error::Config(format!("bad {class} length").into()));
                }
                Ok(PublicKey::Other { class, curve: None })
            }
        }
    }

    /// From a JWK (RFC 7517 §4, RFC 7518 §6, RFC 8037 §2): `kty` RSA, EC or OKP.
    fn from_jwk(m: &json::Map) -> Result<Self> {
        let member = |name: &str| -> Result<Vec<u8>> {
            m.get(name)
                .and_then(Value::as_str)
                .and_then(crate::b64::decode_jwk_member)
                .ok_or_else(|| {
                    Error::Config(format!("JWK member {name} is missing or not base64url").into())
                })
        };
        let crv = || {
            m.get("crv")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Config("JWK member crv is missing".into()))
        };
        match m.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                VerifyingKey::from_components(&member("n")?, &member("e")?).map(PublicKey::Rsa)
            }
            Some("EC") => {
                let crv = crv()?;
                let curve = EcCurve::from_jwk_name(crv)
                    .ok_or_else(|| Error::Config(format!("Invalid curve: {crv}").into()))?;
                ec_from_jwk(curve, crv, &member("x")?, &member("y")?)
            }
            Some("OKP") => okp_from_jwk(crv()?, &member("x")?),
            other => Err(Error::Config(
                format!("JWK kty {other:?} is not supported (RSA, EC, OKP)").into(),
            )),
        }
    }

    /// The JWK members of the public key (RFC 7517), without `kid`/`use`/`alg`.
    fn jwk_members(&self) -> Option<Vec<(&'static str, String)>> {
        match self {
            PublicKey::Rsa(k) => Some(alloc::vec![
                ("kty", "RSA".into()),
                ("n", crate::b64::encode(&k.n)),
                ("e", crate::b64::encode(&k.e)),
            ]),
            #[cfg(feature = "ec-common")]
            PublicKey::Ec(k) => {
                let mut v = alloc::vec![("kty", String::from("EC"))];
                v.extend(k.jwk_members());
                Some(v)
            }
            #[cfg(feature = "eddsa")]
            PublicKey::Okp(k) => {
                let mut v = alloc::vec![("kty", String::from("OKP"))];
                v.extend(k.jwk_members());
                Some(v)
            }
            PublicKey::Other { .. } => None,
        }
    }

    /// The `alg` a JWKS entry names for this key: its curve's for EC and OKP keys, the
    /// settings' algorithm for RSA keys when it is an RSA one.
    fn jwk_alg(&self, encode_algorithm: &str) -> Option<&'static str> {
        match self {
            PublicKey::Rsa(_) => Algorithm::from_name(encode_algorithm)
                .filter(|a| a.family() == crate::jwa::Family::Rsa)
                .map(Algorithm::name),
            #[cfg(feature = "ec-common")]
            PublicKey::Ec(k) => Some(match k.curve() {
                EcCurve::P256 => "ES256",
                EcCurve::P384 => "ES384",
                EcCurve::P521 => "ES512",
                EcCurve::Secp256k1 => "ES256K",
            }),
            #[cfg(feature = "eddsa")]
            PublicKey::Okp(_) => Some("EdDSA"),
            PublicKey::Other { .. } => None,
        }
    }
}

/// `Error::FeatureMissing` for keys on `curve` in a build without its feature.
fn missing_ec_feature(curve: EcCurve) -> Error {
    let feature = match curve {
        EcCurve::P256 => "es256",
        EcCurve::P384 => "es384",
        EcCurve::P521 => "es512",
        EcCurve::Secp256k1 => "es256k",
    };
    Error::FeatureMissing(
        format!(
            "an EC key on {} needs the `{feature}` feature, which this build leaves out",
            curve.name()
        )
        .into(),
    )
}

fn ec_curve_built(curve: EcCurve) -> bool {
    match curve {
        EcCurve::P256 => cfg!(feature = "es256"),
        EcCurve::P384 => cfg!(feature = "es384"),
        EcCurve::P521 => cfg!(feature = "es512"),
        EcCurve::Secp256k1 => cfg!(feature = "es256k"),
    }
}

#[allow(unused_variables)]
fn ec_from_spki(curve: EcCurve, der: &[u8]) -> Result<PublicKey> {
    if !ec_curve_built(curve) {
        return Err(missing_ec_feature(curve));
    }
    #[cfg(feature = "ec-common")]
    return crate::ecdsa::EcPublicKey::from_spki_der(der).map(PublicKey::Ec);
    #[cfg(not(feature = "ec-common"))]
    unreachable!("a curve is built only with ec-common")
}

#[allow(unused_variables)]
fn ec_from_jwk(curve: EcCurve, crv: &str, x: &[u8], y: &[u8]) -> Result<PublicKey> {
    if !ec_curve_built(curve) {
        return Err(missing_ec_feature(curve));
    }
    #[cfg(feature = "ec-common")]
    return crate::ecdsa::EcPublicKey::from_jwk(crv, x, y).map(PublicKey::Ec);
    #[cfg(not(feature = "ec-common"))]
    unreachable!("a curve is built only with ec-common")
}

#[cfg(not(feature = "eddsa"))]
fn missing_okp_feature() -> Error {
    Error::FeatureMissing(
        "an Ed25519 / Ed448 key needs the `eddsa` feature, which this build leaves out".into(),
    )
}

#[allow(unused_variables)]
fn okp_from_spki(der: &[u8]) -> Result<PublicKey> {
    #[cfg(feature = "eddsa")]
    return crate::eddsa::OkpPublicKey::from_spki_der(der).map(PublicKey::Okp);
    #[cfg(not(feature = "eddsa"))]
    Err(missing_okp_feature())
}

#[allow(unused_variables)]
fn okp_from_jwk(crv: &str, x: &[u8]) -> Result<PublicKey> {
    #[cfg(feature = "eddsa")]
    return crate::eddsa::OkpPublicKey::from_jwk(crv, x).map(PublicKey::Okp);
    #[cfg(not(feature = "eddsa"))]
    Err(missing_okp_feature())
}

/// The first public key block of a key file, read as the server reads it
/// ([`crate::pem::first_public_key`]): a usable key, no key, or the reason the server fails
/// to load it. `Err` only for a key family this build leaves out (`FeatureMissing`).
pub(crate) fn public_slot_from_pem(file: &[u8]) -> Result<PublicSlot> {
    let key = match crate::pem::first_public_key(file) {
        PemRead::NoBlock => return Ok(PublicSlot::NoPublicKey),
        PemRead::Unloadable(reason) => return Ok(PublicSlot::Unavailable(reason)),
        PemRead::Der {
            label: Label::RsaPublicKey,
            der,
        } => {
            // cryptography tries PKCS#1 first, then an (RSA) SubjectPublicKeyInfo.
            VerifyingKey::from_pkcs1_der(&der)
                .or_else(|e| VerifyingKey::from_spki_der(&der).map_err(|_| e))
                .map(PublicKey::Rsa)
        }
        // `PUBLIC KEY`, the only other label `first_public_key` yields.
        PemRead::Der { der, .. } => PublicKey::from_spki_der(&der),
    };
    match key {
        Ok(k) => Ok(PublicSlot::Key(k)),
        Err(e @ Error::FeatureMissing(_)) => Err(e),
        Err(e) => Ok(PublicSlot::Unavailable(e.message().into())),
    }
}

/// Public key material for a [`KeyStore`]: key files as the server reads them, or keys
/// handed over explicitly as JWK / JWK Set (RFC 7517).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyMaterial {
    /// A key file's contents under its file name, as `PUBLIC_KEYS` names it: read as the
    /// server reads key files (PEM blocks; anything else holds no key).
    File {
        /// The file name.
        name: String,
        /// The file's bytes.
        contents: Vec<u8>,
    },
    /// One JWK (`kty: RSA`) under a file name.
    Jwk {
        /// The file name it stands for.
        name: String,
        /// The JWK members.
        jwk: json::Map,
    },
    /// A JWK Set: each key stands for the file named by its `kid` (with or without `.pem`).
    Jwks(Vec<Value>),
    /// A key file that could not be read (the reason, e.g. the I/O error): tokens selecting it
    /// fail as they do on the server, which cannot read it either.
    Unreadable {
        /// The file name.
        name: String,
        /// Why it could not be read.
        reason: String,
    },
}

impl KeyMaterial {
    /// A key file.
    pub fn file(name: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        KeyMaterial::File {
            name: name.into(),
            contents: contents.into(),
        }
    }

    /// Key material in the JSON shape the npm `Verifier` and the proxy filter take: a JWK Set
    /// `{"keys": [...]}`, or an object mapping file names to key file text (a string) or to a
    /// JWK (an object).
    pub fn from_json(v: &Value) -> Result<Vec<KeyMaterial>> {
        let m = v.as_object().ok_or_else(|| {
            Error::Config(
                "keys must be an object {file name: key file text or JWK} or a JWKS {\"keys\": [...]}".into(),
            )
        })?;
        if let Some(keys) = m.get("keys") {
            return match keys {
                Value::Array(list) => Ok(alloc::vec![KeyMaterial::Jwks(list.clone())]),
                _ => Err(Error::Config(
                    "a JWKS \"keys\" member must be a list".into(),
                )),
            };
        }
        m.iter()
            .map(|(name, item)| KeyMaterial::from_json_entry(name, item))
            .collect()
    }

    /// One `{file name: item}` entry of [`KeyMaterial::from_json`]'s object form: key file
    /// text (a string), a JWK, or a JWKS.
    pub fn from_json_entry(name: &str, item: &Value) -> Result<KeyMaterial> {
        match item {
            Value::Str(text) => Ok(KeyMaterial::file(name, text.as_bytes())),
            Value::Object(set) if set.contains_key("keys") => match set.get("keys") {
                Some(Value::Array(list)) => Ok(KeyMaterial::Jwks(list.clone())),
                _ => Err(Error::Config(
                    format!("key {name:?}: a JWKS \"keys\" member must be a list").into(),
                )),
            },
            Value::Object(jwk) => Ok(KeyMaterial::Jwk {
                name: name.into(),
                jwk: jwk.clone(),
            }),
            _ => Err(Error::Config(
                format!("key {name:?}: expected key file text or a JWK object").into(),
            )),
        }
    }

    /// Parses the material into named slots. A key file always gives a slot (an unusable one
    /// answers for the tokens that select it); explicit JWK / JWKS must be valid.
    fn parse(&self) -> Result<Vec<(String, PublicSlot)>> {
        match self {
            KeyMaterial::File { name, contents } => {
                let slot = public_slot_from_pem(contents).map_err(|e| named(name, e))?;
                Ok(alloc::vec![(name.clone(), slot)])
            }
            KeyMaterial::Unreadable { name, reason } => Ok(alloc::vec![(
                name.clone(),
                PublicSlot::Unavailable(reason.clone())
            )]),
            KeyMaterial::Jwk { name, jwk } => {
                let key = PublicKey::from_jwk(jwk).map_err(|e| named(name, e))?;
                Ok(alloc::vec![(name.clone(), PublicSlot::Key(key))])
            }
            KeyMaterial::Jwks(keys) => keys
                .iter()
                .map(|k| {
                    let m = k.as_object().ok_or_else(|| {
                        Error::Config("every JWKS key must be a JSON object".into())
                    })?;
                    let kid = m
                        .get("kid")
                        .and_then(Value::as_str)
                        .ok_or_else(|| Error::Config("JWKS: every key needs a kid".into()))?;
                    let key = PublicKey::from_jwk(m).map_err(|e| named(kid, e))?;
                    Ok((kid.to_owned(), PublicSlot::Key(key)))
                })
                .collect(),
        }
    }
}

/// The same error, its message prefixed with the key's name (its class kept).
fn named(name: &str, e: Error) -> Error {
    let m = format!("key {name:?}: {}", e.message());
    match e {
        Error::FeatureMissing(_) => Error::FeatureMissing(m.into()),
        _ => Error::Config(m.into()),
    }
}

/// `rest_framework_sso.keys.get_key_id`: the file name without a case-insensitive `.pem`.
pub fn key_id(file_name: &str) -> &str {
    let n = file_name.len();
    if n >= 4
        && file_name.is_char_boundary(n - 4)
        && file_name[n - 4..].eq_ignore_ascii_case(".pem")
    {
        &file_name[..n - 4]
    } else {
        file_name
    }
}

/// The material named `file` exactly, else named `file` without `.pem` (a JWKS `kid`).
pub(crate) fn find_named<'a, K: AsRef<str>, T>(items: &'a [(K, T)], file: &str) -> Option<&'a T> {
    let by = |name: &str| {
        items
            .iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, t)| t)
    };
    by(file).or_else(|| by(key_id(file)))
}

/// `get_key_file_name`: picks the issuer's key file, honouring `kid`.
pub(crate) fn key_file_name<'a>(
    keys: &'a [(String, OneOrMany)],
    issuer: &str,
    kid: Option<&str>,
) -> Result<&'a str> {
    let names = match keys.iter().find(|(iss, _)| iss == issuer) {
        Some((_, names)) if names.is_truthy() => names,
        _ => {
            return Err(Error::UnknownKey(
                Cause::new("No keys defined for the given issuer").claim("iss"),
            ))
        }
    };
    let list: &[String] = match names {
        OneOrMany::One(s) => core::slice::from_ref(s),
        OneOrMany::Many(v) => v,
    };
    let found = match kid {
        Some(kid) => list
            .iter()
            .find(|ik| kid == ik.as_str() || kid == key_id(ik)),
        None => list.first(),
    };
    found.map(String::as_str).ok_or_else(|| {
        Error::UnknownKey(Cause::new("No key matches the given key_id").header_param("kid"))
    })
}

/// Public keys by file name, parsed once, for the names `PUBLIC_KEYS` uses.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    pub(crate) slots: Vec<(String, PublicSlot)>,
    warnings: Vec<KeyWarning>,
    /// What the store was built for: a [`crate::Verifier`] refuses other settings.
    built_for: (Vec<(String, OneOrMany)>, usize),
}

impl KeyStore {
    /// Builds the store from key material, one slot per file `PUBLIC_KEYS` names (found by
    /// exact name or by name without `.pem`, a JWKS `kid`). As on the server, a file that is
    /// not given, unreadable or unusable fails only the tokens that select it; each such file
    /// is listed in [`Self::warnings`]. Invalid explicit JWK / JWKS material and keys under
    /// `MIN_KEY_BITS` are configuration errors.
    pub fn new<I>(settings: &Settings, material: I) -> Result<Self>
    where
        I: IntoIterator<Item = KeyMaterial>,
    {
        let mut parsed: Vec<(String, PublicSlot)> = Vec::new();
        for m in material {
            parsed.extend(m.parse()?);
        }
        let mut slots = Vec::new();
        let mut warnings = Vec::new();
        for file in Settings::key_names(&settings.public_keys) {
            let slot = find_named(&parsed, &file)
                .cloned()
                .unwrap_or_else(|| PublicSlot::Unavailable("no such key file was given".into()));
            let warning = match &slot {
                PublicSlot::Key(_) => None,
                PublicSlot::NoPublicKey => {
                    Some(("unknown_key", "it holds no public key block".into()))
                }
                PublicSlot::Unavailable(why) => Some(("key_unavailable", why.clone())),
            };
            if let Some((code, reason)) = warning {
                warnings.push(KeyWarning {
                    file: file.clone(),
                    code,
                    reason,
                });
            }
            if let PublicSlot::Key(PublicKey::Rsa(k)) = &slot {
                if k.bits() < settings.min_key_bits {
                    return Err(Error::Config(
                        format!(
                            "key {file:?} has {} bits, below MIN_KEY_BITS = {}",
                            k.bits(),
                            settings.min_key_bits
                        )
                        .into(),
                    ));
                }
            }
            slots.push((file, slot));
        }
        Ok(KeyStore {
            slots,
            warnings,
            built_for: (settings.public_keys.clone(), settings.min_key_bits),
        })
    }

    /// The key files that will fail the tokens selecting them (empty when every file holds a
    /// usable public key).
    pub fn warnings(&self) -> &[KeyWarning] {
        &self.warnings
    }

    /// Builds the store from key files: (file name, contents) pairs, e.g. a
    /// `HashMap<String, String>` or `[("a.pem", pem_text)]`.
    pub fn from_files<I, N, T>(settings: &Settings, files: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<[u8]>,
    {
        KeyStore::new(
            settings,
            files
                .into_iter()
                .map(|(n, t)| KeyMaterial::file(n.as_ref(), t.as_ref())),
        )
    }

    /// Whether this store was built for `settings` (the same `PUBLIC_KEYS` and `MIN_KEY_BITS`).
    pub(crate) fn built_for(&self, settings: &Settings) -> bool {
        self.built_for.0 == settings.public_keys && self.built_for.1 == settings.min_key_bits
    }

    /// `get_public_key_and_key_id`: the key for `issuer` (and `kid`), or `InvalidKeyError`.
    pub(crate) fn public_key(
        &self,
        settings: &Settings,
        issuer: &str,
        kid: Option<&str>,
    ) -> Result<&PublicKey> {
        let file = key_file_name(&settings.public_keys, issuer, kid)?;
        match self.slots.iter().find(|(n, _)| n == file).map(|(_, s)| s) {
            Some(PublicSlot::Key(k)) => Ok(k),
            Some(PublicSlot::Unavailable(why)) => Err(Error::KeyUnavailable(
                Cause::new(format!(
                    "key file {file:?}: {why} (the server fails with HTTP 500)"
                ))
                .header_param("kid"),
            )),
            // f"No public key found for {issuer=} {key_id=}": Python reprs.
            _ => {
                let repr = |s: &str| json::py_repr(&Value::Str(s.into()));
                let kid = kid.map_or_else(|| "None".into(), repr);
                Err(Error::UnknownKey(
                    Cause::new(format!(
                        "No public key found for issuer={} key_id={kid}",
                        repr(issuer)
                    ))
                    .header_param("kid"),
                ))
            }
        }
    }

    /// The public keys as a JWKS document (`kid` = file name without `.pem`), for edge runtimes.
    pub fn to_jwks(&self, algorithm: &str) -> Value {
        let keys = self
            .slots
            .iter()
            .filter_map(|(name, slot)| {
                let PublicSlot::Key(k) = slot else {
                    return None;
                };
                let mut members = k.jwk_members()?;
                // RFC 7517 order: kty, then kid, use, alg, then the key's own members.
                let key_members = members.split_off(1);
                members.push(("kid", key_id(name).into()));
                members.push(("use", "sig".into()));
                if let Some(alg) = k.jwk_alg(algorithm) {
                    members.push(("alg", alg.into()));
                }
                members.extend(key_members);
                Some(Value::Object(
                    members
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), Value::Str(v)))
                        .collect(),
                ))
            })
            .collect();
        Value::Object(
            [("keys".to_owned(), Value::Array(keys))]
                .into_iter()
                .collect(),
        )
    }

    /// Reads every file `PUBLIC_KEYS` names from `KEY_STORE_ROOT` (relative roots resolve against `base_dir`).
    #[cfg(feature = "std")]
    pub fn from_key_store_root(settings: &Settings, base_dir: &std::path::Path) -> Result<Self> {
        let material = read_key_files(settings, &settings.public_keys, base_dir)
            .into_iter()
            .map(|(name, read)| match read {
                Ok(contents) => KeyMaterial::File { name, contents },
                Err(reason) => KeyMaterial::Unreadable { name, reason },
            });
        KeyStore::new(settings, material)
    }
}

/// `keys.read_key_file` for each named file.
#[cfg(feature = "std")]
pub(crate) fn read_key_files(
    settings: &Settings,
    map: &[(String, OneOrMany)],
    base_dir: &std::path::Path,
) -> Vec<(String, core::result::Result<Vec<u8>, String>)> {
    let root = match &settings.key_store_root {
        Some(r) if !r.is_empty() => base_dir.join(r),
        _ => base_dir.to_path_buf(),
    };
    Settings::key_names(map)
        .into_iter()
        .map(|name| {
            let path = root.join(&name);
            let read =
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()));
            (name, read)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_and_selection() {
        assert_eq!(key_id("a.pem"), "a");
        assert_eq!(key_id("a.PEM"), "a");
        assert_eq!(key_id("a.pub"), "a.pub");
        let keys = alloc::vec![
            (
                "i".to_owned(),
                OneOrMany::Many(alloc::vec!["new.pem".into(), "old.pem".into()])
            ),
            ("e".to_owned(), OneOrMany::Many(alloc::vec![])),
        ];
        assert_eq!(key_file_name(&keys, "i", None).unwrap(), "new.pem");
        assert_eq!(key_file_name(&keys, "i", Some("old")).unwrap(), "old.pem");
        assert_eq!(
            key_file_name(&keys, "i", Some("old.pem")).unwrap(),
            "old.pem"
        );
        assert_eq!(
            key_file_name(&keys, "i", Some("x")).unwrap_err().message(),
            "No key matches the given key_id"
        );
        assert_eq!(
            key_file_name(&keys, "e", None).unwrap_err().message(),
            "No keys defined for the given issuer"
        );
        assert_eq!(
            key_file_name(&keys, "z", None).unwrap_err().code(),
            "unknown_key"
        );
    }

    #[test]
    fn public_slots_from_key_files() {
        let t = b"junk\xe9\n-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(
            public_slot_from_pem(t),
            Ok(PublicSlot::NoPublicKey)
        ));
        // Found by pem, refused by cryptography's loader: the server fails for tokens selecting it.
        let slot =
            public_slot_from_pem(b"---- BEGIN PUBLIC KEY ----\nAAAA\n---- END PUBLIC KEY ----\n");
        assert!(
            matches!(&slot, Ok(PublicSlot::Unavailable(why)) if why.starts_with("Unable to load PEM file.")),
            "{slot:?}"
        );
    }
}
