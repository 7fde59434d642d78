//! The verifier: `rest_framework_sso.utils.decode_jwt_token` step by step, and
//! `JWTAuthentication.authenticate`'s `Authorization` header handling.

use alloc::string::String;

use crate::clock::check_now;
use crate::decoding::{self, TokenData};
use crate::errors::{Cause, Error, Result};
use crate::json::{py_str, Value};
use crate::keys::KeyStore;
use crate::policy::{verify_signature, Check};
use crate::settings::{OneOrMany, Settings};
use crate::validation::{validate_claims, ClaimOptions};

/// A token that passed every time-independent check (structure, issuer, key, signature).
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub data: TokenData,
    pub issuer: String,
}

/// Verifies drf-sso tokens with settings and keys prepared once.
#[derive(Debug, Clone)]
pub struct Verifier {
    settings: Settings,
    keys: KeyStore,
    algorithms: alloc::vec::Vec<String>,
    options: ClaimOptions,
    scheme: alloc::vec::Vec<u8>,
    check: Check,
}

impl Verifier {
    /// A verifier over parsed settings and a key store built for them (a store built for
    /// other `PUBLIC_KEYS` or `MIN_KEY_BITS` is a configuration error).
    pub fn new(settings: Settings, keys: KeyStore) -> Result<Self> {
        if !keys.built_for(&settings) {
            return Err(Error::Config(
                "the key store was built for other settings (PUBLIC_KEYS or MIN_KEY_BITS differ)"
                    .into(),
            ));
        }
        let algorithms = settings.algorithms();
        let options = ClaimOptions::from_settings(&settings);
        let scheme = settings
            .authenticate_header
            .to_ascii_lowercase()
            .into_bytes();
        Ok(Verifier {
            settings,
            keys,
            algorithms,
            options,
            scheme,
            check: Check::default(),
        })
    }

    /// The same verifier with another signature implementation (feature `cross-check`).
    #[cfg(feature = "cross-check")]
    pub fn with_signature_check(mut self, check: crate::keys::SignatureCheck) -> Self {
        self.check = Check { with: check };
        self
    }

    /// Settings JSON plus key files (file name, contents), parsed once.
    pub fn from_json<I, N, T>(settings_json: &str, files: I) -> Result<Self>
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<[u8]>,
    {
        let settings = Settings::from_json(settings_json)?;
        let keys = KeyStore::from_files(&settings, files)?;
        Verifier::new(settings, keys)
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The key store in use.
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// `decode_jwt_token(token)` at time `now` (seconds since the epoch): the header and
    /// payload the server would accept, or the error it would raise. The token is bytes, as
    /// PyJWT's `_load` works on them (a `&str` is its UTF-8).
    pub fn verify(&self, token: impl AsRef<[u8]>, now: f64) -> Result<TokenData> {
        check_now(now)?;
        let checked = self.check_signed(token.as_ref())?;
        self.check_claims(&checked, now)?;
        Ok(checked.data)
    }

    /// Every time-independent step of `decode_jwt_token`, up to and including the signature.
    pub(crate) fn check_signed(&self, token: &[u8]) -> Result<Checked> {
        let s = &self.settings;
        if token.len() > s.max_token_bytes {
            return Err(Error::too_large(token.len(), s.max_token_bytes));
        }
        // get_unverified_header + the unverified jwt.decode: structure only.
        let parts = decoding::load(token, s.max_json_depth)?;
        let payload = decoding::payload(&parts, s.max_json_depth)?;

        let kid = match parts.header.get("kid") {
            Some(v) if v.is_truthy() => Some(py_str(v)),
            _ => None,
        };
        let Some(iss) = payload.get("iss") else {
            return Err(Error::missing_claim("iss"));
        };
        let issuer = py_str(iss);
        if let Some(accepted) = &s.accepted_issuers {
            let ok = match accepted {
                OneOrMany::Many(list) => list.contains(&issuer),
                // Python `in` on a str: a substring of the UTF-8 bytes (the same answer, without
                // core's two-way searcher, ~1 KB of the RSA-only wasm module; the text is a
                // setting).
                OneOrMany::One(text) => {
                    issuer.is_empty()
                        || text
                            .as_bytes()
                            .windows(issuer.len())
                            .any(|w| w == issuer.as_bytes())
                }
            };
            if !ok {
                return Err(Error::UntrustedIssuer(
                    Cause::new("Invalid issuer").claim("iss"),
                ));
            }
        }
        let key = self.keys.public_key(s, &issuer, kid.as_deref())?;

        // The verifying jwt.decode.
        if s.verify_signature {
            verify_signature(
                parts.header.get("alg"),
                &self.algorithms,
                key,
                parts.signing_input,
                &parts.signature,
                self.check,
            )?;
        }
        Ok(Checked {
            data: TokenData {
                header: parts.header,
                payload,
            },
            issuer,
        })
    }

    /// The time-dependent rest: `_validate_claims` at `now`, then drf-sso's own checks.
    pub(crate) fn check_claims(&self, checked: &Checked, now: f64) -> Result<()> {
        check_now(now)?;
        let payload = &checked.data.payload;
        validate_claims(payload, self.options, &self.settings, &checked.issuer, now)?;
        match payload.get("token").and_then(Value::as_str) {
            Some("session" | "auth") => {}
            _ => {
                return Err(Error::UnknownTokenType(
                    Cause::new("Unknown token type").claim("token"),
                ))
            }
        }
        if !payload.get("sid").is_some_and(Value::is_truthy) {
            return Err(Error::missing_required("Session ID is missing.", "sid"));
        }
        if !payload.get("uid").is_some_and(Value::is_truthy) {
            return Err(Error::missing_required("User ID is missing.", "uid"));
        }
        Ok(())
    }

    /// `JWTAuthentication.authenticate` for an `Authorization` header value given as
    /// bytes (`None` = header absent): `Ok(None)` when DRF would return `None`
    /// (no header, another scheme), else the verified token or the DRF failure.
    pub fn authenticate(&self, header: Option<&[u8]>, now: f64) -> Result<Option<TokenData>> {
        check_now(now)?;
        let Some(token) = self.authorization_token(header.unwrap_or(b""))? else {
            return Ok(None);
        };
        self.verify(token, now).map(Some)
    }

    /// The token part of an `Authorization` header, split as `bytes.split()` does:
    /// `Ok(None)` when DRF returns `None` (no credentials, another scheme). Headers longer
    /// than `MAX_HEADER_BYTES` are refused before they are split (hardening).
    pub fn authorization_token<'h>(&self, header: &'h [u8]) -> Result<Option<&'h str>> {
        let max = self.settings.max_header_bytes;
        if header.len() > max {
            return Err(Error::TooLarge(
                alloc::format!(
                    "Authorization header is {} bytes, over MAX_HEADER_BYTES = {max}",
                    header.len()
                )
                .into(),
            ));
        }
        let mut parts = header
            .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
            .filter(|p| !p.is_empty());
        let Some(scheme) = parts.next() else {
            return Ok(None);
        };
        // `auth[0].lower() != AUTHENTICATE_HEADER.lower().encode()`: ASCII-lowered bytes vs the lowered setting.
        if scheme.len() != self.scheme.len()
            || scheme
                .iter()
                .zip(&self.scheme)
                .any(|(a, b)| a.to_ascii_lowercase() != *b)
        {
            return Ok(None);
        }
        let Some(token) = parts.next() else {
            return Err(Error::NoCredentials(
                "Invalid token header. No credentials provided.".into(),
            ));
        };
        if parts.next().is_some() {
            return Err(Error::TokenHasSpaces(
                "Invalid token header. Token string should not contain spaces.".into(),
            ));
        }
        core::str::from_utf8(token).map(Some).map_err(|_| {
            Error::InvalidCharacters(
                "Invalid token header. Token string should not contain invalid characters.".into(),
            )
        })
    }
}

/// An `Authorization` header value given as text, as the bytes the server's
/// `get_authorization_header` sees: every char up to U+00FF is one byte (the ISO-8859-1
/// decoding that WSGI, Fetch `Headers` and Node apply to header bytes); a text holding any
/// char above U+00FF cannot have come that way and is taken as UTF-8, the bytes a client
/// would have sent for it.
pub fn header_bytes(text: &str) -> alloc::borrow::Cow<'_, [u8]> {
    if text.is_ascii() {
        return alloc::borrow::Cow::Borrowed(text.as_bytes());
    }
    let latin1: Option<alloc::vec::Vec<u8>> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect();
    match latin1 {
        Some(bytes) => alloc::borrow::Cow::Owned(bytes),
        None => alloc::borrow::Cow::Borrowed(text.as_bytes()),
    }
}
