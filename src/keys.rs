//! Key material and key selection as `rest_framework_sso.keys` does it: key files
//! named in `PUBLIC_KEYS` per issuer, PEM blocks found like the `pem` package finds
//! them, `kid` matched with or without `.pem`; JWK/JWKS (RFC 7517) accepted too.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::der::Decode;

use crate::errors::{Error, Result};
use crate::json::{self, Value};
use crate::settings::{OneOrMany, Settings};

/// A parsed RSA public key, prepared once (Montgomery parameters included).
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    /// Modulus, big-endian, no leading zeros.
    pub(crate) n: Vec<u8>,
    /// Public exponent.
    pub(crate) e: u64,
    pub(crate) monty: crate::rsa_public::MontyKey,
}

impl VerifyingKey {
    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.monty.bits()
    }
    /// Parses DER `SubjectPublicKeyInfo` (`PUBLIC KEY`).
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = rsa::pkcs8::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| Error::Config(format!("bad SubjectPublicKeyInfo: {e}")))?;
        if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
            return Err(Error::Config(format!(
                "public key algorithm {} is not RSA (only RS*/PS* are supported)",
                spki.algorithm.oid
            )));
        }
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::Config("bad SubjectPublicKeyInfo bit string".to_owned()))?;
        Self::from_pkcs1_der(bits)
    }
    /// Parses DER `RSAPublicKey` (`RSA PUBLIC KEY`).
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let k = rsa::pkcs1::RsaPublicKeyRef::from_der(der)
            .map_err(|e| Error::Config(format!("bad RSAPublicKey: {e}")))?;
        Self::from_components(k.modulus.as_bytes(), k.public_exponent.as_bytes())
    }
    /// From big-endian modulus and exponent, with the `rsa` crate's checks: modulus odd and
    /// 512 to 16384 bits (`MIN_KEY_BITS` applies separately), exponent odd, 3 to 2^33 - 1, below n.
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<Self> {
        let n: Vec<u8> = n.iter().skip_while(|x| **x == 0).copied().collect();
        let e: Vec<u8> = e.iter().skip_while(|x| **x == 0).copied().collect();
        let bad = |what: &str| Error::Config(format!("unusable RSA public key: {what}"));
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
        let monty = crate::rsa_public::MontyKey::new(&n, e).ok_or_else(|| bad("even modulus"))?;
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
}

fn trimmed_be(x: u64) -> Vec<u8> {
    x.to_be_bytes()
        .iter()
        .skip_while(|b| **b == 0)
        .copied()
        .collect()
}

/// One key file as the server would read it.
#[derive(Debug, Clone)]
pub(crate) enum PublicSlot {
    /// The file's first public key block.
    Key(VerifyingKey),
    /// The file holds no public key block: tokens selecting it get `InvalidKeyError`, as on the server.
    NoPublicKey,
}

/// A PEM block: label and DER body.
pub(crate) struct PemBlock<'a> {
    pub label: &'a str,
    pub body: &'a str,
}

/// Labels the `pem` package (23.1) recognises; text in other blocks is skipped.
const PEM_LABELS: [&str; 19] = [
    "CERTIFICATE",
    "TRUSTED CERTIFICATE",
    "NEW CERTIFICATE REQUEST",
    "CERTIFICATE REQUEST",
    "X509 CRL",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "PUBLIC KEY",
    "RSA PRIVATE KEY",
    "RSA PUBLIC KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "DH PARAMETERS",
    "OPENSSH PRIVATE KEY",
    "SSH2 PUBLIC KEY",
    "SSH2 ENCRYPTED PRIVATE KEY",
    "PGP PUBLIC KEY BLOCK",
    "PGP PRIVATE KEY BLOCK",
    "OPENSSL TRUSTED CERTIFICATE",
];

/// Labels of `pem.PublicKey` subclasses.
const PUBLIC_LABELS: [&str; 4] = [
    "PUBLIC KEY",
    "RSA PUBLIC KEY",
    "SSH2 PUBLIC KEY",
    "PGP PUBLIC KEY BLOCK",
];

/// Finds `----[- ]BEGIN <label>[- ]----` … `----[- ]END <label>[- ]----` blocks in order, like `pem.parse`.
pub(crate) fn pem_blocks(text: &str) -> Vec<PemBlock<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = text[pos..].find("BEGIN ") {
        let at = pos + off;
        pos = at + 6;
        let pre = &text.as_bytes()[..at];
        if pre.len() < 5
            || &pre[pre.len() - 5..pre.len() - 1] != b"----"
            || !matches!(pre[pre.len() - 1], b'-' | b' ')
        {
            continue;
        }
        let rest = &text[at + 6..];
        let Some(label) = PEM_LABELS
            .iter()
            .filter(|l| rest.starts_with(**l))
            .max_by_key(|l| l.len())
        else {
            continue;
        };
        let after = &rest[label.len()..];
        let ab = after.as_bytes();
        if ab.len() < 5 || !matches!(ab[0], b'-' | b' ') || &ab[1..5] != b"----" {
            continue;
        }
        let body_start = at + 6 + label.len() + 5;
        let end_marker = format!("END {label}");
        let mut search = body_start;
        let mut found = None;
        while let Some(o) = text[search..].find(&end_marker) {
            let e = search + o;
            let eb = text.as_bytes();
            let ok_pre = e >= 5 && &eb[e - 5..e - 1] == b"----" && matches!(eb[e - 1], b'-' | b' ');
            let tail = &eb[e + end_marker.len()..];
            let ok_post =
                tail.len() >= 5 && matches!(tail[0], b'-' | b' ') && &tail[1..5] == b"----";
            if ok_pre && ok_post {
                found = Some((e - 5, e + end_marker.len() + 5));
                break;
            }
            search = e + 1;
        }
        if let Some((body_end, next)) = found {
            if body_end > body_start {
                out.push(PemBlock {
                    label,
                    body: &text[body_start..body_end],
                });
            }
            pos = next;
        }
    }
    out
}

/// Base64 body of a PEM block (whitespace ignored; `Proc-Type` style headers refused).
pub(crate) fn pem_der(block: &PemBlock<'_>) -> Result<Vec<u8>> {
    let b64: String = block
        .body
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD
        .decode(b64)
        .map_err(|_| Error::Config(format!("{} block is not valid base64", block.label)))
}

/// Parses the first public key block of a key file's text.
pub(crate) fn public_slot_from_pem(text: &str) -> Result<PublicSlot> {
    let blocks = pem_blocks(text);
    let Some(block) = blocks.iter().find(|b| PUBLIC_LABELS.contains(&b.label)) else {
        return Ok(PublicSlot::NoPublicKey);
    };
    let der = pem_der(block)?;
    let key = match block.label {
        "PUBLIC KEY" => VerifyingKey::from_spki_der(&der)?,
        "RSA PUBLIC KEY" => VerifyingKey::from_pkcs1_der(&der)?,
        other => return Err(Error::Config(format!("{other} blocks are not supported"))),
    };
    Ok(PublicSlot::Key(key))
}

/// A JWK (RFC 7517 §4) with `kty: RSA`: its `kid` and public key.
fn jwk_key(v: &Value) -> Result<(Option<String>, VerifyingKey)> {
    let m = v
        .as_object()
        .ok_or_else(|| Error::Config("a JWK must be a JSON object".to_owned()))?;
    match m.get("kty").and_then(Value::as_str) {
        Some("RSA") => {}
        other => {
            return Err(Error::Config(format!(
                "JWK kty {other:?} is not supported (only RSA)"
            )))
        }
    }
    let member = |name: &str| -> Result<Vec<u8>> {
        m.get(name)
            .and_then(Value::as_str)
            .and_then(crate::b64::decode_jwk_member)
            .ok_or_else(|| Error::Config(format!("JWK member {name} is missing or not base64url")))
    };
    let key = VerifyingKey::from_components(&member("n")?, &member("e")?)?;
    Ok((m.get("kid").and_then(Value::as_str).map(str::to_owned), key))
}

/// Named public key material: PEM text, a JWK, or a JWKS (its keys named by `kid`).
pub(crate) fn parse_material(name: &str, text: &str) -> Result<Vec<(String, PublicSlot)>> {
    let t = text.trim_start();
    if t.starts_with('{') {
        let v = json::loads(t.as_bytes(), 16)
            .map_err(|_| Error::Config(format!("key {name:?}: not valid JSON")))?;
        if let Some(keys) = v.as_object().and_then(|m| m.get("keys")) {
            let Value::Array(keys) = keys else {
                return Err(Error::Config(format!(
                    "key {name:?}: JWKS keys must be a list"
                )));
            };
            return keys
                .iter()
                .map(|k| {
                    let (kid, key) = jwk_key(k)?;
                    let kid = kid.ok_or_else(|| {
                        Error::Config(format!("key {name:?}: every JWKS key needs a kid"))
                    })?;
                    Ok((kid, PublicSlot::Key(key)))
                })
                .collect();
        }
        let (_, key) =
            jwk_key(&v).map_err(|e| Error::Config(format!("key {name:?}: {}", e.message())))?;
        return Ok(alloc::vec![(name.to_owned(), PublicSlot::Key(key))]);
    }
    let slot = public_slot_from_pem(text)
        .map_err(|e| Error::Config(format!("key {name:?}: {}", e.message())))?;
    Ok(alloc::vec![(name.to_owned(), slot)])
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
                "No keys defined for the given issuer".to_owned(),
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
    found
        .map(String::as_str)
        .ok_or_else(|| Error::UnknownKey("No key matches the given key_id".to_owned()))
}

/// Public keys by file name, parsed once, for the names `PUBLIC_KEYS` uses.
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    pub(crate) slots: Vec<(String, PublicSlot)>,
}

impl KeyStore {
    /// Builds the store from named material (file name → PEM text, or a JWK/JWKS).
    /// Every file `PUBLIC_KEYS` names must resolve, by exact name or by name without `.pem`.
    pub fn new<'a, I>(settings: &Settings, material: I) -> Result<Self>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut parsed: Vec<(String, PublicSlot)> = Vec::new();
        for (name, text) in material {
            parsed.extend(parse_material(name, text)?);
        }
        let mut slots = Vec::new();
        for file in Settings::key_names(&settings.public_keys) {
            let slot = find_named(&parsed, &file).cloned().ok_or_else(|| {
                Error::Config(format!(
                    "PUBLIC_KEYS names {file:?} but no such key was given"
                ))
            })?;
            if let PublicSlot::Key(k) = &slot {
                if k.bits() < settings.min_key_bits {
                    return Err(Error::Config(format!(
                        "key {file:?} has {} bits, below MIN_KEY_BITS = {}",
                        k.bits(),
                        settings.min_key_bits
                    )));
                }
            }
            slots.push((file, slot));
        }
        Ok(KeyStore { slots })
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
            _ => Err(Error::UnknownKey(format!(
                "No public key found for issuer={issuer:?} key_id={kid:?}"
            ))),
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
                PublicSlot::NoPublicKey => None,
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
        let files = read_key_files(settings, &settings.public_keys, base_dir)?;
        KeyStore::new(
            settings,
            files.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
    }
}

/// `keys.read_key_file` for each named file.
#[cfg(feature = "std")]
pub(crate) fn read_key_files(
    settings: &Settings,
    map: &[(String, OneOrMany)],
    base_dir: &std::path::Path,
) -> Result<Vec<(String, String)>> {
    let root = match &settings.key_store_root {
        Some(r) if !r.is_empty() => base_dir.join(r),
        _ => base_dir.to_path_buf(),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for name in Settings::key_names(map) {
        let path = root.join(&name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Config(format!("cannot read key file {}: {e}", path.display())))?;
        out.push((name, text));
    }
    Ok(out)
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
    fn pem_blocks_like_pem_package() {
        let t = "junk\n-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n---- BEGIN PUBLIC KEY ----\nBBBB\n---- END PUBLIC KEY ----\n";
        let b = pem_blocks(t);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].label, "RSA PRIVATE KEY");
        assert_eq!(b[1].label, "PUBLIC KEY");
        assert_eq!(b[1].body.trim(), "BBBB");
        assert!(matches!(
            public_slot_from_pem(
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
            ),
            Ok(PublicSlot::NoPublicKey)
        ));
    }
}
