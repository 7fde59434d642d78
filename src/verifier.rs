//! The verifier: `rest_framework_sso.utils.decode_jwt_token` step by step, and
//! `JWTAuthentication.authenticate`'s `Authorization` header handling.

use alloc::string::String;

use crate::algorithms::{verify_signature, SignatureCheck};
use crate::decoding::{self, TokenData};
use crate::errors::{Error, Result};
use crate::json::{py_str, Value};
use crate::keys::KeyStore;
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
    check: SignatureCheck,
}

impl Verifier {
    /// A verifier over parsed settings and keys.
    pub fn new(settings: Settings, keys: KeyStore) -> Self {
        let algorithms = settings.algorithms();
        let options = ClaimOptions::from_settings(&settings);
        let scheme = settings
            .authenticate_header
            .to_ascii_lowercase()
            .into_bytes();
        Verifier {
            settings,
            keys,
            algorithms,
            options,
            scheme,
            check: SignatureCheck::Fast,
        }
    }

    /// The same verifier with another signature implementation (cross-checks only).
    #[doc(hidden)]
    pub fn with_signature_check(mut self, check: SignatureCheck) -> Self {
        self.check = check;
        self
    }

    /// Settings JSON plus key material (file name → PEM text, or JWK/JWKS), parsed once.
    pub fn from_json<'a, I>(settings_json: &str, keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let settings = Settings::from_json(settings_json)?;
        let keys = KeyStore::new(&settings, keys)?;
        Ok(Verifier::new(settings, keys))
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
    /// payload the server would accept, or the error it would raise.
    pub fn verify(&self, token: &str, now: f64) -> Result<TokenData> {
        let checked = self.check_signed(token)?;
        self.check_claims(&checked, now)?;
        Ok(checked.data)
    }

    /// Every time-independent step of `decode_jwt_token`, up to and including the signature.
    pub(crate) fn check_signed(&self, token: &str) -> Result<Checked> {
        let s = &self.settings;
        if token.len() > s.max_token_bytes {
            return Err(Error::too_large(token.len(), s.max_token_bytes));
        }
        // get_unverified_header + the unverified jwt.decode: structure only.
        let parts = decoding::load(token.as_bytes(), s.max_json_depth)?;
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
                OneOrMany::One(text) => text.contains(issuer.as_str()), // Python `in` on a str
            };
            if !ok {
                return Err(Error::UntrustedIssuer("Invalid issuer".into()));
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
        let payload = &checked.data.payload;
        validate_claims(payload, self.options, &self.settings, &checked.issuer, now)?;
        match payload.get("token").and_then(Value::as_str) {
            Some("session" | "auth") => {}
            _ => return Err(Error::UnknownTokenType("Unknown token type".into())),
        }
        if !payload.get("sid").is_some_and(Value::is_truthy) {
            return Err(Error::missing_claim("Session ID is missing."));
        }
        if !payload.get("uid").is_some_and(Value::is_truthy) {
            return Err(Error::missing_claim("User ID is missing."));
        }
        Ok(())
    }

    /// `JWTAuthentication.authenticate` for an `Authorization` header value given as
    /// bytes (`None` = header absent): `Ok(None)` when DRF would return `None`
    /// (no header, another scheme), else the verified token or the DRF failure.
    pub fn authenticate(&self, header: Option<&[u8]>, now: f64) -> Result<Option<TokenData>> {
        let Some(token) = self.authorization_token(header.unwrap_or(b""))? else {
            return Ok(None);
        };
        self.verify(token, now).map(Some)
    }

    /// The token part of an `Authorization` header, split as `bytes.split()` does.
    pub fn authorization_token<'h>(&self, header: &'h [u8]) -> Result<Option<&'h str>> {
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
