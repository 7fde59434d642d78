//! Payload builders and signing, byte-identical to `rest_framework_sso.utils`
//! (`create_*_payload`, `encode_jwt_token`) over PyJWT 2.15 `jwt.encode` with
//! `DjangoJSONEncoder` (RFC 7515 §7.1 compact serialization).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sha2::{Sha256, Sha384, Sha512};

pub use crate::clock::django_datetime;
use crate::clock::floor;
use crate::errors::{Error, Result};
use crate::json::{self, Int, Value};
use crate::jwa::Algorithm;
use crate::keys::{self, key_file_name};
use crate::pem::{Label, PemRead};
use crate::settings::{OneOrMany, Settings};

/// One claim of a payload being built: a JSON value, or a `datetime` (seconds since
/// the epoch, microsecond precision) as Django code puts in payloads.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// A plain JSON value.
    Value(Value),
    /// A timezone-aware UTC `datetime`. In `iat`/`exp`/`nbf` PyJWT turns it into whole
    /// seconds; elsewhere `DjangoJSONEncoder` writes ISO 8601 with milliseconds and `Z`.
    DateTime(f64),
}

impl From<Value> for Claim {
    fn from(v: Value) -> Self {
        Claim::Value(v)
    }
}

impl Claim {
    fn is_truthy(&self) -> bool {
        match self {
            Claim::Value(v) => v.is_truthy(),
            Claim::DateTime(_) => true,
        }
    }
}

/// A payload being built: claims in insertion order (`dict` semantics).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Payload {
    claims: Vec<(String, Claim)>,
}

impl Payload {
    /// An empty payload.
    pub fn new() -> Self {
        Payload::default()
    }
    /// `payload[key] = value`: replaces in place or appends.
    pub fn set(&mut self, key: &str, value: impl Into<Claim>) -> &mut Self {
        let value = value.into();
        match self.claims.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.claims.push((key.to_owned(), value)),
        }
        self
    }
    /// `payload.get(key)`.
    pub fn get(&self, key: &str) -> Option<&Claim> {
        self.claims.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    fn truthy(&self, key: &str) -> bool {
        self.get(key).is_some_and(Claim::is_truthy)
    }
    fn token_type(&self) -> Option<&str> {
        match self.get("token") {
            Some(Claim::Value(Value::Str(s))) => Some(s),
            _ => None,
        }
    }
    /// The claims in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Claim)> {
        self.claims.iter().map(|(k, v)| (k, v))
    }
}

impl From<json::Map> for Payload {
    fn from(m: json::Map) -> Self {
        Payload {
            claims: m
                .iter()
                .map(|(k, v)| (k.clone(), Claim::Value(v.clone())))
                .collect(),
        }
    }
}

/// Identity of the session a token belongs to, as the server's models give it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// `session_token.pk` (a UUID string on the server).
    pub sid: Value,
    /// `session_token.client_id`.
    pub cid: Value,
    /// `user.pk`.
    pub uid: Value,
    /// `user.email`.
    pub email: Value,
}

/// `create_session_payload`: `token`, `sid`, `cid`, `uid`, `email`, `iat`
/// (`last_issued_at`, a datetime), then `extra` claims in order.
pub fn create_session_payload(
    subject: &Subject,
    last_issued_at: Option<f64>,
    extra: &[(String, Value)],
) -> Payload {
    let mut p = base_payload("session", subject);
    p.set(
        "iat",
        last_issued_at.map_or(Claim::Value(Value::Null), Claim::DateTime),
    );
    for (k, v) in extra {
        p.set(k, v.clone());
    }
    p
}

/// `create_authorization_payload`: `token`, `sid`, `cid`, `uid`, `email`, `scopes: []`, then `extra`
/// (the README's `account` example is one extra claim).
pub fn create_authorization_payload(subject: &Subject, extra: &[(String, Value)]) -> Payload {
    let mut p = base_payload("auth", subject);
    p.set("scopes", Value::Array(Vec::new()));
    for (k, v) in extra {
        p.set(k, v.clone());
    }
    p
}

fn base_payload(kind: &str, s: &Subject) -> Payload {
    let mut p = Payload::new();
    p.set("token", Value::from(kind));
    p.set("sid", s.sid.clone());
    p.set("cid", s.cid.clone());
    p.set("uid", s.uid.clone());
    p.set("email", s.email.clone());
    p
}

/// A private key as `load_pem_private_key` gives it to PyJWT.
#[derive(Debug, Clone)]
enum PrivateKey {
    Rsa(rsa::PrivateKey),
    #[cfg(feature = "ec-common")]
    Ec(crate::ecdsa::EcSigningKey),
    #[cfg(feature = "eddsa")]
    Okp(crate::eddsa::OkpSigningKey),
}

impl PrivateKey {
    /// `cryptography`'s class name of the key object (PyJWT's messages use it).
    fn class(&self) -> &'static str {
        match self {
            PrivateKey::Rsa(_) => "RSAPrivateKey",
            #[cfg(feature = "ec-common")]
            PrivateKey::Ec(_) => "ECPrivateKey",
            #[cfg(feature = "eddsa")]
            PrivateKey::Okp(k) => match k.curve() {
                crate::pkix::OkpCurve::Ed25519 => "Ed25519PrivateKey",
                crate::pkix::OkpCurve::Ed448 => "Ed448PrivateKey",
            },
        }
    }
}

/// A private key loaded from a key file, with its name: RSA, EC (P-256, P-384, P-521,
/// secp256k1) or Ed25519 / Ed448, each when this build has its feature.
#[derive(Debug, Clone)]
pub struct SigningKey {
    name: String,
    key: PrivateKey,
}

impl SigningKey {
    /// The key file's first private key block, read as `get_private_key_and_key_id` reads
    /// it (`pem.parse`, then `load_pem_private_key(.., password=None)`): `PRIVATE KEY`
    /// (PKCS#8: RSA, EC, Ed25519, Ed448), `RSA PRIVATE KEY` (PKCS#1) and `EC PRIVATE KEY`
    /// (SEC1). A file with only a public key is a clear error.
    pub fn from_pem(name: &str, file: impl AsRef<[u8]>) -> Result<Self> {
        let file = file.as_ref();
        let (label, der) = match crate::pem::first_private_key(file) {
            PemRead::Der { label, der } => (label, der),
            PemRead::NoBlock => {
                let what = match crate::pem::first_public_key(file) {
                    PemRead::NoBlock => "no private key",
                    _ => "only a public key",
                };
                return Err(Error::Sign(
                    format!("No private key found in {name:?}: the file holds {what}").into(),
                ));
            }
            PemRead::Unloadable(reason) => {
                return Err(Error::Sign(format!("{name:?}: {reason}").into()))
            }
        };
        let bad = |what: &str, e: &dyn core::fmt::Display| {
            Error::Sign(format!("{name:?}: bad {what}: {e}").into())
        };
        let key = match label {
            Label::PrivateKey => {
                let info = crate::pkix::parse_pkcs8(&der).map_err(|e| bad("PKCS#8 key", &e))?;
                match info.oid {
                    crate::pkix::OID_RSA => PrivateKey::Rsa(
                        rsa::PrivateKey::from_pkcs8_der(&der)
                            .map_err(|e| bad("PKCS#8 RSA key", &e))?,
                    ),
                    // cryptography loads an RSASSA-PSS key as a plain RSA key.
                    crate::pkix::OID_RSA_PSS => PrivateKey::Rsa(
                        rsa::PrivateKey::from_pkcs1_der(info.private_key)
                            .map_err(|e| bad("PKCS#8 RSA-PSS key", &e))?,
                    ),
                    #[cfg(feature = "ec-common")]
                    crate::pkix::OID_EC_PUBLIC_KEY => PrivateKey::Ec(
                        crate::ecdsa::EcSigningKey::from_pkcs8_der(&der)
                            .map_err(|e| bad("PKCS#8 EC key", &e))?,
                    ),
                    #[cfg(feature = "eddsa")]
                    crate::pkix::OID_ED25519 | crate::pkix::OID_ED448 => PrivateKey::Okp(
                        crate::eddsa::OkpSigningKey::from_pkcs8_der(&der)
                            .map_err(|e| bad("PKCS#8 EdDSA key", &e))?,
                    ),
                    other => {
                        return Err(Error::Sign(
                            format!(
                                "{name:?}: private keys of algorithm {} are not supported here",
                                crate::pkix::oid_string(other)
                            )
                            .into(),
                        ))
                    }
                }
            }
            Label::RsaPrivateKey => PrivateKey::Rsa(
                rsa::PrivateKey::from_pkcs1_der(&der).map_err(|e| bad("PKCS#1 RSA key", &e))?,
            ),
            #[cfg(feature = "ec-common")]
            Label::EcPrivateKey => PrivateKey::Ec(
                crate::ecdsa::EcSigningKey::from_sec1_der(&der)
                    .map_err(|e| bad("SEC1 EC key", &e))?,
            ),
            other => {
                return Err(Error::Sign(
                    format!("{name:?}: {} keys are not supported here", other.as_str()).into(),
                ))
            }
        };
        Ok(SigningKey {
            name: name.to_owned(),
            key,
        })
    }

    /// The `kid` this key signs with: the file name without `.pem`.
    pub fn key_id(&self) -> &str {
        keys::key_id(&self.name)
    }

    /// The matching public key of an RSA signing key.
    pub fn verifying_key(&self) -> Result<crate::keys::VerifyingKey> {
        use rsa::traits::PublicKeyParts;
        match &self.key {
            PrivateKey::Rsa(k) => crate::keys::VerifyingKey::from_components(
                &k.n().to_be_bytes_trimmed_vartime(),
                &k.e().to_be_bytes_trimmed_vartime(),
            ),
            #[allow(unreachable_patterns)]
            other => Err(Error::Sign(
                format!("a {} has no RSA verifying key", other.class()).into(),
            )),
        }
    }

    /// The signature of `msg`, as PyJWT's algorithm `sign` makes it: RS* and EdDSA
    /// deterministic; PS* with a random salt; ES* raw `r‖s` with a hedged RFC 6979 nonce. A
    /// key of another family (or EC curve) than `alg` needs fails as PyJWT's `prepare_key` does.
    pub fn sign(&self, alg: Algorithm, msg: &[u8]) -> Result<Vec<u8>> {
        let mismatch = || {
            Error::Sign(
                format!(
                    "{} cannot sign with a {} (the server raises TypeError / InvalidKeyError)",
                    alg.name(),
                    self.key.class()
                )
                .into(),
            )
        };
        match (&self.key, alg.family()) {
            (PrivateKey::Rsa(k), crate::jwa::Family::Rsa) => match alg {
                Algorithm::RS256 => k.pkcs1v15_sign::<Sha256>(msg),
                Algorithm::RS384 => k.pkcs1v15_sign::<Sha384>(msg),
                Algorithm::RS512 => k.pkcs1v15_sign::<Sha512>(msg),
                Algorithm::PS256 => k.pss_sign::<Sha256>(msg),
                Algorithm::PS384 => k.pss_sign::<Sha384>(msg),
                Algorithm::PS512 => k.pss_sign::<Sha512>(msg),
                _ => return Err(mismatch()),
            }
            .map_err(|e| Error::Sign(format!("signing failed: {e}").into())),
            #[cfg(feature = "ec-common")]
            (PrivateKey::Ec(k), crate::jwa::Family::Ec) => {
                let ec = alg.ec().ok_or_else(mismatch)?;
                k.sign_random(ec, msg)
                    .map_err(|e| Error::Sign(e.message().into()))
            }
            #[cfg(feature = "eddsa")]
            (PrivateKey::Okp(k), crate::jwa::Family::Okp) => Ok(k.sign(msg)),
            _ => Err(mismatch()),
        }
    }
}

/// `header.payload.signature` from already serialized header and payload JSON bytes.
pub fn sign_compact(
    header_json: &[u8],
    payload_json: &[u8],
    alg: Algorithm,
    key: &SigningKey,
) -> Result<String> {
    let mut token = crate::b64::encode(header_json);
    token.push('.');
    token.push_str(&crate::b64::encode(payload_json));
    let sig = key.sign(alg, token.as_bytes())?;
    token.push('.');
    token.push_str(&crate::b64::encode(&sig));
    Ok(token)
}

/// Signs tokens as the server's `encode_jwt_token` does, keys parsed once.
#[derive(Debug, Clone)]
pub struct Issuer {
    settings: Settings,
    keys: Vec<SigningKey>,
}

impl Issuer {
    /// Settings plus private key material (file name → PEM text) for the files `PRIVATE_KEYS`
    /// names. Like the server, which reads a key file only when it signs for that issuer, a
    /// named file that is not given fails only `encode` for its issuer; given keys are parsed now.
    pub fn new<I, N, T>(settings: Settings, material: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<[u8]>,
    {
        let given: Vec<(N, T)> = material.into_iter().collect();
        let mut keys = Vec::new();
        for file in Settings::key_names(&settings.private_keys) {
            if let Some(contents) = keys::find_named(&given, &file) {
                keys.push(SigningKey::from_pem(&file, contents)?);
            }
        }
        Ok(Issuer { settings, keys })
    }

    /// Settings JSON plus private key material.
    pub fn from_json<I, N, T>(settings_json: &str, material: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<[u8]>,
    {
        Issuer::new(Settings::from_json(settings_json)?, material)
    }

    /// Reads the files `PRIVATE_KEYS` names from `KEY_STORE_ROOT` (relative to `base_dir`).
    #[cfg(feature = "std")]
    pub fn from_key_store_root(settings: Settings, base_dir: &std::path::Path) -> Result<Self> {
        // An unreadable file is one not given: encode fails for its issuer only, as on the server.
        let files: Vec<(String, Vec<u8>)> =
            keys::read_key_files(&settings, &settings.private_keys, base_dir)
                .into_iter()
                .filter_map(|(name, read)| read.ok().map(|c| (name, c)))
                .collect();
        Issuer::new(settings, files)
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// `encode_jwt_token(payload)` at time `now`: fills `iss`, `aud`, `iat`, `exp` as the
    /// server does, then signs with `ENCODE_ALGORITHM` and the issuer's first private key.
    pub fn encode(&self, payload: &Payload, now: f64) -> Result<String> {
        crate::clock::check_now(now)?;
        let s = &self.settings;
        let mut p = payload.clone();
        let kind = match p.token_type() {
            Some(k @ ("session" | "auth")) => k.to_owned(),
            _ => return Err(Error::Sign("Unknown token type".into())),
        };
        if !p.truthy("iss") {
            match &s.identity {
                Some(id) => p.set("iss", one_or_many_value(id)),
                None => return Err(Error::Sign("IDENTITY must be specified in settings".into())),
            };
        }
        if !p.truthy("aud") {
            let aud = match (
                kind.as_str(),
                &s.session_audience,
                &s.authorization_audience,
            ) {
                ("session", Some(a), _) | ("auth", _, Some(a)) => a.clone(),
                _ => match &s.identity {
                    Some(id) => Value::Array(alloc::vec![one_or_many_value(id)]),
                    None => {
                        return Err(Error::Sign(
                            "SESSION_AUDIENCE must be specified in settings".into(),
                        ))
                    }
                },
            };
            p.set("aud", aud);
        }
        if !p.truthy("iat") {
            // timezone.now().replace(microsecond=0)
            p.set("iat", Claim::DateTime(floor(now)));
        }
        if !p.truthy("exp") {
            let expiration = if kind == "session" {
                s.session_expiration
            } else {
                s.authorization_expiration
            };
            if let Some(secs) = expiration {
                let exp = match p.get("iat") {
                    Some(Claim::DateTime(t)) => Claim::DateTime(t + secs),
                    _ => {
                        return Err(Error::Sign(
                            "unsupported operand type(s) for +: iat is not a datetime (the server raises TypeError)".into(),
                        ))
                    }
                };
                p.set("exp", exp);
            }
        }
        let iss = match p.get("iss") {
            Some(Claim::Value(Value::Str(i))) => i.clone(),
            _ => return Err(Error::Sign(
                "Private key for specified issuer was not found in settings (iss is not a string)"
                    .into(),
            )),
        };
        if !s.private_keys.iter().any(|(i, _)| *i == iss) {
            return Err(Error::Sign(
                "Private key for specified issuer was not found in settings".into(),
            ));
        }
        let file = key_file_name(&s.private_keys, &iss, None)
            .map_err(|e| Error::Sign(e.message().into()))?;
        let key = self.keys.iter().find(|k| k.name == file).ok_or_else(|| {
            Error::Sign(
                format!("No private key found for issuer={iss:?}: key file {file:?} was not given")
                    .into(),
            )
        })?;
        let alg = Algorithm::from_name(&s.encode_algorithm).ok_or_else(|| {
            Error::Sign(
                format!(
                    "ENCODE_ALGORITHM {:?} is not supported (RS*, PS*, ES*, EdDSA)",
                    s.encode_algorithm
                )
                .into(),
            )
        })?;

        // PyJWS.encode: {"typ", "alg"} updated with {"kid"}, keys sorted.
        let mut header = String::from("{\"alg\":");
        json::write_json_str(&mut header, alg.name());
        header.push_str(",\"kid\":");
        json::write_json_str(&mut header, key.key_id());
        header.push_str(",\"typ\":\"JWT\"}");
        let body = payload_json(&p)?;
        sign_compact(header.as_bytes(), body.as_bytes(), alg, key)
    }
}

fn one_or_many_value(v: &OneOrMany) -> Value {
    match v {
        OneOrMany::One(s) => Value::Str(s.clone()),
        OneOrMany::Many(l) => Value::Array(l.iter().map(|s| Value::Str(s.clone())).collect()),
    }
}

/// `json.dumps(payload, separators=(",", ":"), cls=DjangoJSONEncoder)` after PyJWT turned
/// `exp`/`iat`/`nbf` datetimes into whole seconds.
pub fn payload_json(p: &Payload) -> Result<String> {
    if let Some(Claim::Value(v)) = p.get("iss") {
        if v.as_str().is_none() {
            return Err(Error::Sign("Issuer (iss) must be a string.".into()));
        }
    }
    let mut out = String::from("{");
    for (n, (k, v)) in p.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        json::write_json_str(&mut out, k);
        out.push(':');
        if let Claim::DateTime(t) = v {
            if !crate::clock::in_range(*t) {
                return Err(Error::Sign(
                    format!(
                        "claim {k:?}: date value out of range (the server raises OverflowError)"
                    )
                    .into(),
                ));
            }
        }
        match v {
            Claim::Value(v) => json::write_json(&mut out, v, false),
            Claim::DateTime(t) if matches!(k.as_str(), "exp" | "iat" | "nbf") => {
                json::write_json(&mut out, &Value::Int(Int::Small(floor(*t) as i64)), false)
            }
            Claim::DateTime(t) => json::write_json_str(&mut out, &django_datetime(*t)),
        }
    }
    out.push('}');
    Ok(out)
}
