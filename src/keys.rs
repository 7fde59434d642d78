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
use crate::rsa_public::{pkcs1v15_verify, pss_verify, Kernel, MontyKey};
use crate::settings::{OneOrMany, Settings};

/// Which implementation checks RSA signatures: everything but `Fast` exists to cross-check
/// the fast path (the parity harness, the Wycheproof test, the benchmarks).
#[cfg(feature = "cross-check")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureCheck {
    /// Our Montgomery code with the fastest kernel for this CPU (the default).
    #[default]
    Fast,
    /// Our Montgomery code with the portable Rust kernel.
    Portable,
    /// The `rsa` crate's own (constant-time) verification.
    RsaCrate,
}

#[cfg(feature = "cross-check")]
impl SignatureCheck {
    /// From `fast`, `portable` or `rsa-crate`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "fast" => Some(SignatureCheck::Fast),
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
    /// Public exponent.
    pub(crate) e: u64,
    pub(crate) monty: MontyKey,
}

impl VerifyingKey {
    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.monty.bits()
    }
    /// Parses DER `SubjectPublicKeyInfo` (`PUBLIC KEY`).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = rsa::pkcs8::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| Error::Config(format!("bad SubjectPublicKeyInfo: {e}").into()))?;
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(Error::Config(
                format!(
                    "public key algorithm {} is not RSA (only RS*/PS* are supported)",
                    spki.algorithm.oid
                )
                .into(),
            ));
        }
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::Config("bad SubjectPublicKeyInfo bit string".into()))?;
        Self::from_pkcs1_der(bits)
    }
    /// Parses DER `RSAPublicKey` (`RSA PUBLIC KEY`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let k = rsa::pkcs1::RsaPublicKeyRef::from_der(der)
            .map_err(|e| Error::Config(format!("bad RSAPublicKey: {e}").into()))?;
        Self::from_components(k.modulus.as_bytes(), k.public_exponent.as_bytes())
    }
    /// From big-endian modulus and exponent, with the `rsa` crate's checks: modulus odd and
    /// 512 to 16384 bits (`MIN_KEY_BITS` applies separately), exponent odd, 3 to 2^33 - 1, below n.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self> {
        let n: Vec<u8> = n.iter().skip_while(|x| **x == 0).copied().collect();
        let e: Vec<u8> = e.iter().skip_while(|x| **x == 0).copied().collect();
        let bad = |what: &str| Error::Config(format!("unusable RSA public key: {what}").into());
        if n.is_empty() || n.len() > 2048 {
            return Err(bad("modulus size"));
        }
        if e.is_empty() || e.len() > 5 {
            return Err(bad("public exponent too large"));
        }
        let e = e.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64);
        if !(3..(1u64 << 33)).contains(&e) || e % 2 == 0 {
            return Err(bad("public exponent"));
        }
        let monty = MontyKey::new(&n, e).ok_or_else(|| bad("even modulus"))?;
        if !(512..=16384).contains(&monty.bits()) {
            return Err(bad("modulus size"));
        }
        Ok(VerifyingKey { n, e, monty })
    }
    /// Modulus, big-endian.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }
    /// Public exponent.
    pub fn exponent(&self) -> u64 {
        self.e
    }

    /// Verifies `sig` over `msg` with `alg`. PSS signatures shorter than the modulus are
    /// accepted as if left-padded: OpenSSL (behind PyJWT's `cryptography`) does so; PKCS#1
    /// v1.5 it does not.
    pub fn verify(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        self.verify_kernel(alg, msg, sig, Kernel::Best)
    }

    fn verify_kernel(&self, alg: Algorithm, msg: &[u8], sig: &[u8], kernel: Kernel) -> bool {
        let k = &self.monty;
        match alg {
            Algorithm::RS256 => pkcs1v15_verify::<Sha256>(k, &Sha256::digest(msg), sig, kernel),
            Algorithm::RS384 => pkcs1v15_verify::<Sha384>(k, &Sha384::digest(msg), sig, kernel),
            Algorithm::RS512 => pkcs1v15_verify::<Sha512>(k, &Sha512::digest(msg), sig, kernel),
            Algorithm::PS256 => pss_verify::<Sha256>(k, &Sha256::digest(msg), sig, kernel),
            Algorithm::PS384 => pss_verify::<Sha384>(k, &Sha384::digest(msg), sig, kernel),
            Algorithm::PS512 => pss_verify::<Sha512>(k, &Sha512::digest(msg), sig, kernel),
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
            SignatureCheck::Portable => self.verify_kernel(alg, msg, sig, Kernel::Portable),
            SignatureCheck::RsaCrate => self.verify_rsa_crate(alg, msg, sig),
        }
    }

    #[cfg(feature = "cross-check")]
    fn verify_rsa_crate(&self, alg: Algorithm, msg: &[u8], sig: &[u8]) -> bool {
        let n = rsa::BoxedUint::from_be_slice(&self.n, (self.n.len() * 8) as u32);
        let e = rsa::BoxedUint::from_be_slice(&self.e.to_be_bytes(), 64);
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
        }
        .is_ok()
    }
}

fn trimmed_be(x: u64) -> Vec<u8> {
    x.to_be_bytes()
        .iter()
        .skip_while(|b| **b == 0)
        .copied()
        .collect()
}

/// One key file as the server would read it for a token that selects it.
#[derive(Debug, Clone)]
pub(crate) enum PublicSlot {
    /// The file's first public key block.
    Key(VerifyingKey),
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

/// Parses the first public key block of a key file, read as the server reads it
/// ([`crate::pem::first_public_key`]).
pub(crate) fn public_slot_from_pem(file: &[u8]) -> Result<PublicSlot> {
    let key = match crate::pem::first_public_key(file) {
        PemRead::NoBlock => return Ok(PublicSlot::NoPublicKey),
        PemRead::Unloadable(reason) => return Err(Error::Config(reason.into())),
        PemRead::Der {
            label: Label::RsaPublicKey,
            der,
        } => {
            // cryptography tries PKCS#1 first, then an (RSA) SubjectPublicKeyInfo.
            VerifyingKey::from_pkcs1_der(&der)
                .or_else(|e| VerifyingKey::from_spki_der(&der).map_err(|_| e))?
        }
        // `PUBLIC KEY`, the only other label `first_public_key` yields.
        PemRead::Der { der, .. } => VerifyingKey::from_spki_der(&der)?,
    };
    Ok(PublicSlot::Key(key))
}

/// A JWK (RFC 7517 §4) with `kty: RSA`: its `kid` and public key.
fn jwk_key(m: &json::Map) -> Result<(Option<String>, VerifyingKey)> {
    match m.get("kty").and_then(Value::as_str) {
        Some("RSA") => {}
        other => {
            return Err(Error::Config(
                format!("JWK kty {other:?} is not supported (only RSA)").into(),
            ))
        }
    }
    let member = |name: &str| -> Result<Vec<u8>> {
        m.get(name)
            .and_then(Value::as_str)
            .and_then(crate::b64::decode_jwk_member)
            .ok_or_else(|| {
                Error::Config(format!("JWK member {name} is missing or not base64url").into())
            })
    };
    let key = VerifyingKey::from_components(&member("n")?, &member("e")?)?;
    Ok((m.get("kid").and_then(Value::as_str).map(str::to_owned), key))
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
            .map(|(name, item)| match item {
                Value::Str(text) => Ok(KeyMaterial::file(name.as_str(), text.as_bytes())),
                Value::Object(set) if set.contains_key("keys") => match set.get("keys") {
                    Some(Value::Array(list)) => Ok(KeyMaterial::Jwks(list.clone())),
                    _ => Err(Error::Config(
                        format!("key {name:?}: a JWKS \"keys\" member must be a list").into(),
                    )),
                },
                Value::Object(jwk) => Ok(KeyMaterial::Jwk {
                    name: name.clone(),
                    jwk: jwk.clone(),
                }),
                _ => Err(Error::Config(
                    format!("key {name:?}: expected key file text or a JWK object").into(),
                )),
            })
            .collect()
    }

    /// Parses the material into named slots. A key file always gives a slot (an unusable one
    /// answers for the tokens that select it); explicit JWK / JWKS must be valid.
    fn parse(&self) -> Result<Vec<(String, PublicSlot)>> {
        match self {
            KeyMaterial::File { name, contents } => {
                let slot = public_slot_from_pem(contents)
                    .unwrap_or_else(|e| PublicSlot::Unavailable(e.message().into()));
                Ok(alloc::vec![(name.clone(), slot)])
            }
            KeyMaterial::Unreadable { name, reason } => Ok(alloc::vec![(
                name.clone(),
                PublicSlot::Unavailable(reason.clone())
            )]),
            KeyMaterial::Jwk { name, jwk } => {
                let (_, key) = jwk_key(jwk)
                    .map_err(|e| Error::Config(format!("key {name:?}: {}", e.message()).into()))?;
                Ok(alloc::vec![(name.clone(), PublicSlot::Key(key))])
            }
            KeyMaterial::Jwks(keys) => keys
                .iter()
                .map(|k| {
                    let m = k.as_object().ok_or_else(|| {
                        Error::Config("every JWKS key must be a JSON object".into())
                    })?;
                    let (kid, key) = jwk_key(m)
                        .map_err(|e| Error::Config(format!("JWKS: {}", e.message()).into()))?;
                    let kid =
                        kid.ok_or_else(|| Error::Config("JWKS: every key needs a kid".into()))?;
                    Ok((kid, PublicSlot::Key(key)))
                })
                .collect(),
        }
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
            if let PublicSlot::Key(k) = &slot {
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
    ) -> Result<&VerifyingKey> {
        let file = key_file_name(&settings.public_keys, issuer, kid)?;
        match self.slots.iter().find(|(n, _)| n == file).map(|(_, s)| s) {
            Some(PublicSlot::Key(k)) => Ok(k),
            Some(PublicSlot::Unavailable(why)) => Err(Error::KeyUnavailable(
                Cause::new(format!(
                    "key file {file:?}: {why} (the server fails with HTTP 500)"
                ))
                .header_param("kid"),
            )),
            _ => Err(Error::UnknownKey(
                Cause::new(format!(
                    "No public key found for issuer={issuer:?} key_id={kid:?}"
                ))
                .header_param("kid"),
            )),
        }
    }

    /// The public keys as a JWKS document (`kid` = file name without `.pem`), for edge runtimes.
    pub fn to_jwks(&self, algorithm: &str) -> Value {
        let keys = self
            .slots
            .iter()
            .filter_map(|(name, slot)| match slot {
                PublicSlot::Key(k) => Some(Value::Object(
                    [
                        ("kty", Value::from("RSA")),
                        ("kid", Value::from(key_id(name))),
                        ("use", Value::from("sig")),
                        ("alg", Value::from(algorithm)),
                        ("n", Value::Str(crate::b64::encode(&k.n))),
                        ("e", Value::Str(crate::b64::encode(&trimmed_be(k.e)))),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect(),
                )),
                PublicSlot::NoPublicKey | PublicSlot::Unavailable(_) => None,
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
        let e =
            public_slot_from_pem(b"---- BEGIN PUBLIC KEY ----\nAAAA\n---- END PUBLIC KEY ----\n")
                .unwrap_err();
        assert!(
            e.message().starts_with("Unable to load PEM file."),
            "{}",
            e.message()
        );
    }
}
