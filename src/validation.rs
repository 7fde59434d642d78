//! Registered-claim checks (RFC 7519 §4.1) exactly as PyJWT 2.15
//! `PyJWT._validate_claims` runs them with the options drf-sso passes.

use crate::errors::{Cause, Error, Result};
use crate::json::{Map, Value};
use crate::pyint::py_int;
use crate::settings::{OneOrMany, Settings};

/// The option set `decode_jwt_token` ends up with after PyJWT's `_merge_options`:
/// with `VERIFY_SIGNATURE` off, `iat`/`nbf`/`sub`/`jti` checks default to off too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClaimOptions {
    pub iat: bool,
    pub nbf: bool,
    pub exp: bool,
    pub iss: bool,
    pub aud: bool,
    pub sub: bool,
    pub jti: bool,
}

impl ClaimOptions {
    pub(crate) fn from_settings(s: &Settings) -> Self {
        let sig = s.verify_signature;
        ClaimOptions {
            iat: sig,
            nbf: sig,
            exp: s.verify_expiration,
            iss: s.verify_issuer,
            aud: s.verify_audience,
            sub: sig,
            jti: sig,
        }
    }
}

/// `_validate_claims(payload, options, audience=IDENTITY, issuer=issuer, leeway=EXPIRATION_LEEWAY)` at time `now`.
pub(crate) fn validate_claims(
    payload: &Map,
    o: ClaimOptions,
    settings: &Settings,
    issuer: &str,
    now: f64,
) -> Result<()> {
    let leeway = settings.expiration_leeway;
    if o.iat {
        if let Some(v) = payload.get("iat") {
            let iat = py_int(v).ok_or_else(|| {
                Error::BadIssuedAt(
                    Cause::new("Issued At claim (iat) must be an integer.").claim("iat"),
                )
            })?;
            if iat.gt(now + leeway) {
                return Err(Error::Immature(
                    Cause::new("The token is not yet valid (iat)").claim("iat"),
                ));
            }
        }
    }
    if o.nbf {
        if let Some(v) = payload.get("nbf") {
            let nbf = py_int(v).ok_or_else(|| {
                Error::BadNotBefore(
                    Cause::new("Not Before claim (nbf) must be an integer.").claim("nbf"),
                )
            })?;
            if nbf.gt(now + leeway) {
                return Err(Error::Immature(
                    Cause::new("The token is not yet valid (nbf)").claim("nbf"),
                ));
            }
        }
    }
    if o.exp {
        if let Some(v) = payload.get("exp") {
            let exp = py_int(v).ok_or_else(|| {
                Error::BadExpiration(
                    Cause::new("Expiration Time claim (exp) must be an integer.").claim("exp"),
                )
            })?;
            if exp.le(now - leeway) {
                return Err(Error::Expired(
                    Cause::new("Signature has expired").claim("exp"),
                ));
            }
        }
    }
    if o.iss {
        match payload.get("iss") {
            None => return Err(Error::missing_claim("iss")),
            Some(Value::Str(s)) if s == issuer => {}
            Some(Value::Str(_)) => {
                return Err(Error::BadIssuer(Cause::new("Invalid issuer").claim("iss")))
            }
            Some(_) => {
                return Err(Error::BadIssuer(
                    Cause::new("Payload Issuer (iss) must be a string").claim("iss"),
                ))
            }
        }
    }
    if o.aud {
        validate_aud(payload, settings.identity.as_ref())?;
    }
    if o.sub {
        if let Some(v) = payload.get("sub") {
            if v.as_str().is_none() {
                return Err(Error::BadSubject(
                    Cause::new("Subject must be a string").claim("sub"),
                ));
            }
        }
    }
    if o.jti {
        if let Some(v) = payload.get("jti") {
            if v.as_str().is_none() {
                return Err(Error::BadJwtId(
                    Cause::new("JWT ID must be a string").claim("jti"),
                ));
            }
        }
    }
    Ok(())
}

/// `_validate_aud` (non-strict) against `IDENTITY`.
fn validate_aud(payload: &Map, audience: Option<&OneOrMany>) -> Result<()> {
    let claim = payload.get("aud").filter(|v| v.is_truthy());
    let Some(audience) = audience else {
        return match claim {
            None => Ok(()),
            Some(_) => Err(Error::BadAudience(
                Cause::new("Invalid audience").claim("aud"),
            )),
        };
    };
    let Some(claim) = claim else {
        return Err(Error::missing_claim("aud"));
    };
    let bad_format =
        || Error::BadAudience(Cause::new("Invalid claim format in token").claim("aud"));
    let claims: alloc::vec::Vec<&str> = match claim {
        Value::Str(s) => alloc::vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().ok_or_else(bad_format))
            .collect::<Result<_>>()?,
        _ => return Err(bad_format()),
    };
    let wanted = audience.to_vec();
    if wanted.iter().all(|a| !claims.contains(&a.as_str())) {
        return Err(Error::BadAudience(
            Cause::new("Audience doesn't match").claim("aud"),
        ));
    }
    Ok(())
}
