//! The one error type: each variant is one PyJWT / drf-sso failure class, with a
//! stable `code`, the DRF response `detail` that `JWTAuthentication.authenticate`
//! sends for it, and a precise `message` (PyJWT's own wording where it has one).

use alloc::string::String;
use core::fmt;

/// DRF text for `jwt.exceptions.ExpiredSignatureError`.
pub const DETAIL_EXPIRED: &str = "Signature has expired.";
/// DRF text for `jwt.exceptions.DecodeError` and its subclasses.
pub const DETAIL_DECODE: &str = "Error decoding signature.";
/// DRF text for `jwt.exceptions.InvalidKeyError`.
pub const DETAIL_KEY: &str = "Unauthorized token signing key.";
/// DRF text for every other `jwt.exceptions.InvalidTokenError` (`AuthenticationFailed()`).
pub const DETAIL_INVALID: &str = "Incorrect authentication credentials.";

/// Every failure of this crate. Token failures carry PyJWT's message text.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Token longer than `MAX_TOKEN_BYTES`, refused before any decoding (hardening).
    TooLarge(String),
    /// Segments, base64url or JSON of the token are malformed (PyJWT `DecodeError`).
    Malformed(String),
    /// JSON the server's `json.loads` would take but this crate refuses: NaN/Infinity, lone surrogates, excessive nesting (hardening).
    UnsupportedJson(String),
    /// Header parameter invalid: non-string `kid`, bad `crit`, `b64` rules (PyJWT `InvalidTokenError`).
    InvalidHeader(String),
    /// A required claim is missing or empty: `iss`, `aud`, `sid`, `uid` (PyJWT `MissingRequiredClaimError`).
    MissingClaim(String),
    /// The issuer is not in `ACCEPTED_ISSUERS` (drf-sso `InvalidIssuerError`).
    UntrustedIssuer(String),
    /// No usable key for the issuer / `kid` (PyJWT `InvalidKeyError`).
    UnknownKey(String),
    /// The selected key cannot serve the token's `alg` (`none`, `EdDSA` with an RSA key; PyJWT `InvalidKeyError`).
    InvalidKey(String),
    /// `alg` missing, not allowed by `DECODE_ALGORITHMS` or unknown to PyJWT (PyJWT `InvalidAlgorithmError`).
    BadAlgorithm(String),
    /// `alg` allowed by the settings but unusable with an RSA key; the server answers HTTP 500 here, this crate rejects.
    UnsupportedAlgorithm(String),
    /// The signature does not verify (PyJWT `InvalidSignatureError`).
    BadSignature(String),
    /// `iat` is not an integer in Python's `int()` sense (PyJWT `InvalidIssuedAtError`).
    BadIssuedAt(String),
    /// `nbf` is not an integer in Python's `int()` sense (PyJWT `DecodeError`).
    BadNotBefore(String),
    /// `exp` is not an integer in Python's `int()` sense (PyJWT `DecodeError`).
    BadExpiration(String),
    /// `iat` or `nbf` lies in the future beyond the leeway (PyJWT `ImmatureSignatureError`).
    Immature(String),
    /// `exp` has passed (PyJWT `ExpiredSignatureError`).
    Expired(String),
    /// `iss` is not a string (PyJWT `InvalidIssuerError`).
    BadIssuer(String),
    /// `aud` does not match `IDENTITY` or has a bad format (PyJWT `InvalidAudienceError`).
    BadAudience(String),
    /// `sub` is not a string (PyJWT `InvalidSubjectError`).
    BadSubject(String),
    /// `jti` is not a string (PyJWT `InvalidJTIError`).
    BadJwtId(String),
    /// The `token` claim is neither `session` nor `auth` (drf-sso `InvalidTokenError`).
    UnknownTokenType(String),
    /// `Authorization` header with the scheme and no token (DRF `AuthenticationFailed`).
    NoCredentials(String),
    /// `Authorization` header with more than one token part (DRF `AuthenticationFailed`).
    TokenHasSpaces(String),
    /// `Authorization` token part is not UTF-8 (DRF `AuthenticationFailed`).
    InvalidCharacters(String),
    /// Settings or key material are invalid; raised when configuring, never per token.
    Config(String),
    /// Building or signing a token failed (drf-sso `encode_jwt_token` `RuntimeError`, key errors).
    Sign(String),
}

impl Error {
    /// Stable machine-readable code; tests and users match on this, never on messages.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLarge(_) => "too_large",
            Error::Malformed(_) => "malformed",
            Error::UnsupportedJson(_) => "unsupported_json",
            Error::InvalidHeader(_) => "invalid_header",
            Error::MissingClaim(_) => "missing_claim",
            Error::UntrustedIssuer(_) => "untrusted_issuer",
            Error::UnknownKey(_) => "unknown_key",
            Error::InvalidKey(_) => "invalid_key",
            Error::BadAlgorithm(_) => "bad_algorithm",
            Error::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            Error::BadSignature(_) => "bad_signature",
            Error::BadIssuedAt(_) => "bad_iat",
            Error::BadNotBefore(_) => "bad_nbf",
            Error::BadExpiration(_) => "bad_exp",
            Error::Immature(_) => "immature",
            Error::Expired(_) => "expired",
            Error::BadIssuer(_) => "bad_issuer",
            Error::BadAudience(_) => "bad_audience",
            Error::BadSubject(_) => "bad_subject",
            Error::BadJwtId(_) => "bad_jti",
            Error::UnknownTokenType(_) => "unknown_token_type",
            Error::NoCredentials(_) => "no_credentials",
            Error::TokenHasSpaces(_) => "token_has_spaces",
            Error::InvalidCharacters(_) => "invalid_characters",
            Error::Config(_) => "config",
            Error::Sign(_) => "sign",
        }
    }

    /// The DRF response text (`{"detail": ...}`) the Django server sends for this failure.
    pub fn detail(&self) -> &'static str {
        match self {
            Error::Expired(_) => DETAIL_EXPIRED,
            Error::TooLarge(_)
            | Error::Malformed(_)
            | Error::UnsupportedJson(_)
            | Error::BadSignature(_)
            | Error::BadNotBefore(_)
            | Error::BadExpiration(_) => DETAIL_DECODE,
            Error::UnknownKey(_) | Error::InvalidKey(_) => DETAIL_KEY,
            Error::NoCredentials(_) => "Invalid token header. No credentials provided.",
            Error::TokenHasSpaces(_) => {
                "Invalid token header. Token string should not contain spaces."
            }
            Error::InvalidCharacters(_) => {
                "Invalid token header. Token string should not contain invalid characters."
            }
            Error::Config(_) => "Invalid configuration.",
            Error::Sign(_) => "Token could not be signed.",
            _ => DETAIL_INVALID,
        }
    }

    /// The precise cause, in PyJWT's words where PyJWT raises it.
    pub fn message(&self) -> &str {
        match self {
            Error::TooLarge(m)
            | Error::Malformed(m)
            | Error::UnsupportedJson(m)
            | Error::InvalidHeader(m)
            | Error::MissingClaim(m)
            | Error::UntrustedIssuer(m)
            | Error::UnknownKey(m)
            | Error::InvalidKey(m)
            | Error::BadAlgorithm(m)
            | Error::UnsupportedAlgorithm(m)
            | Error::BadSignature(m)
            | Error::BadIssuedAt(m)
            | Error::BadNotBefore(m)
            | Error::BadExpiration(m)
            | Error::Immature(m)
            | Error::Expired(m)
            | Error::BadIssuer(m)
            | Error::BadAudience(m)
            | Error::BadSubject(m)
            | Error::BadJwtId(m)
            | Error::UnknownTokenType(m)
            | Error::NoCredentials(m)
            | Error::TokenHasSpaces(m)
            | Error::InvalidCharacters(m)
            | Error::Config(m)
            | Error::Sign(m) => m,
        }
    }

    /// The `too_large` error for a token of `len` bytes (adapters check lengths before copying).
    pub fn too_large(len: usize, max: usize) -> Error {
        Error::TooLarge(alloc::format!(
            "token is {len} bytes, over MAX_TOKEN_BYTES = {max}"
        ))
    }

    /// The message of a `MissingRequiredClaimError(claim)`, as PyJWT formats it.
    pub(crate) fn missing_claim(claim: &str) -> Error {
        Error::MissingClaim(alloc::format!("Token is missing the \"{claim}\" claim"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T> = core::result::Result<T, Error>;
