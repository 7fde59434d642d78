//! The one error type: each variant is one PyJWT / drf-sso failure class (PyJWT 2.15.1
//! `jwt.exceptions`, DRF `AuthenticationFailed`), with a stable `code`, the DRF response
//! `detail` that `JWTAuthentication.authenticate` sends for it, a precise `message` (PyJWT's
//! own wording where it has one), and the claim or token segment it concerns.

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
/// Detail of failures that are not a verdict on a token: settings, keys, clock.
pub const DETAIL_CONFIG: &str = "Invalid configuration.";
/// Detail of signing failures.
pub const DETAIL_SIGN: &str = "Token could not be signed.";
/// drf-sso `authenticate_payload`: no active session `sid` of user `uid` (or no user `uid`).
pub const DETAIL_INVALID_TOKEN: &str = "Invalid token.";
/// drf-sso `authenticate_payload`: `iat` older than the session's `last_issued_at`.
pub const DETAIL_SUPERSEDED: &str = "Token has been superseded.";
/// drf-sso `authenticate_payload`: the user is not active.
pub const DETAIL_INACTIVE: &str = "User inactive or deleted.";
/// Detail of the edge's refusal when its session state is missing or too old (policy `refuse`).
pub const DETAIL_STATE_UNAVAILABLE: &str = "Session state unavailable.";

/// A part of a compact JWS (RFC 7515 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The JOSE header.
    Header,
    /// The claims.
    Payload,
    /// The signature.
    Signature,
}

impl Segment {
    /// `"header"`, `"payload"` or `"signature"`.
    pub fn name(self) -> &'static str {
        match self {
            Segment::Header => "header",
            Segment::Payload => "payload",
            Segment::Signature => "signature",
        }
    }
}

/// What an [`Error`] says beyond its class: the precise message, and where in the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    message: String,
    claim: Option<&'static str>,
    segment: Option<Segment>,
}

impl Cause {
    /// A cause with this message and no location.
    pub fn new(message: impl Into<String>) -> Self {
        Cause {
            message: message.into(),
            claim: None,
            segment: None,
        }
    }
    /// The same cause about payload claim `name` (which lies in the payload segment).
    pub fn claim(mut self, name: &'static str) -> Self {
        self.claim = Some(name);
        self.segment = Some(Segment::Payload);
        self
    }
    /// The same cause about JOSE header parameter `name` (`alg`, `kid`, `crit`, `b64`).
    pub fn header_param(mut self, name: &'static str) -> Self {
        self.claim = Some(name);
        self.segment = Some(Segment::Header);
        self
    }
    /// The same cause about token segment `s`.
    pub fn segment(mut self, s: Segment) -> Self {
        self.segment = Some(s);
        self
    }
}

impl From<&str> for Cause {
    fn from(m: &str) -> Self {
        Cause::new(m)
    }
}

impl From<String> for Cause {
    fn from(m: String) -> Self {
        Cause::new(m)
    }
}

/// Which part of the crate's contract an error code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `decode_jwt_token` rejects the token.
    Token,
    /// `JWTAuthentication.authenticate` rejects the `Authorization` header itself.
    Header,
    /// drf-sso's `authenticate_payload` rejects the token: the session state the edge holds
    /// (a signed snapshot of the server's database) says what the database would.
    Session,
    /// Settings, key material, state documents or the caller's clock are unusable (never a
    /// verdict on a token).
    Config,
    /// Building or signing a token failed.
    Sign,
}

macro_rules! errors {
    ($($(#[$doc:meta])* $variant:ident => $code:literal, $class:ident, $detail:expr;)*) => {
        /// Every failure of this crate. Token failures carry PyJWT's message text.
        #[non_exhaustive]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Error {
            $($(#[$doc])* $variant(Cause),)*
        }

        impl Error {
            /// Every error code with its class and DRF detail: the one list the README table,
            /// the TypeScript `ErrorCode` type and the tests are checked against.
            pub const CODES: &'static [(&'static str, Class, &'static str)] =
                &[$(($code, Class::$class, $detail),)*];

            /// Stable machine-readable code; tests and users match on this, never on messages.
            pub fn code(&self) -> &'static str {
                match self { $(Error::$variant(_) => $code,)* }
            }

            /// The DRF response text (`{"detail": ...}`) the Django server sends for this failure.
            pub fn detail(&self) -> &'static str {
                match self { $(Error::$variant(_) => $detail,)* }
            }

            /// Which part of the contract this error belongs to.
            pub fn class(&self) -> Class {
                match self { $(Error::$variant(_) => Class::$class,)* }
            }

            fn cause(&self) -> &Cause {
                match self { $(Error::$variant(c) => c,)* }
            }
        }
    };
}

errors! {
    /// Token longer than `MAX_TOKEN_BYTES`, or `Authorization` header longer than
    /// `MAX_HEADER_BYTES`, refused before any decoding (hardening).
    TooLarge => "too_large", Token, DETAIL_DECODE;
    /// Segments, base64url or JSON of the token are malformed (PyJWT `DecodeError`).
    Malformed => "malformed", Token, DETAIL_DECODE;
    /// JSON the server's `json.loads` would take but this crate refuses: NaN/Infinity, lone surrogates, excessive nesting (hardening).
    UnsupportedJson => "unsupported_json", Token, DETAIL_DECODE;
    /// Header parameter invalid: non-string `kid`, bad `crit`, `b64` rules (PyJWT `InvalidTokenError`).
    InvalidHeader => "invalid_header", Token, DETAIL_INVALID;
    /// A required claim is missing or empty: `iss`, `aud`, `sid`, `uid` (PyJWT `MissingRequiredClaimError`).
    MissingClaim => "missing_claim", Token, DETAIL_INVALID;
    /// The issuer is not in `ACCEPTED_ISSUERS` (drf-sso `InvalidIssuerError`).
    UntrustedIssuer => "untrusted_issuer", Token, DETAIL_INVALID;
    /// No usable key for the issuer / `kid` (PyJWT `InvalidKeyError`).
    UnknownKey => "unknown_key", Token, DETAIL_KEY;
    /// The selected key cannot serve the token's `alg` (PyJWT `InvalidKeyError`).
    InvalidKey => "invalid_key", Token, DETAIL_KEY;
    /// The key file the token selects cannot be loaded (missing, unreadable, unparsable, of a
    /// type the server cannot use); the server answers HTTP 500 for such tokens, this crate rejects.
    KeyUnavailable => "key_unavailable", Token, DETAIL_KEY;
    /// `alg` missing, not allowed by `DECODE_ALGORITHMS` or unknown to PyJWT (PyJWT `InvalidAlgorithmError`).
    BadAlgorithm => "bad_algorithm", Token, DETAIL_INVALID;
    /// `alg` allowed by the settings but unusable with the selected key; the server answers HTTP 500 here, this crate rejects.
    UnsupportedAlgorithm => "unsupported_algorithm", Token, DETAIL_INVALID;
    /// The signature does not verify (PyJWT `InvalidSignatureError`).
    BadSignature => "bad_signature", Token, DETAIL_DECODE;
    /// `iat` is not an integer in Python's `int()` sense (PyJWT `InvalidIssuedAtError`).
    BadIssuedAt => "bad_iat", Token, DETAIL_INVALID;
    /// `nbf` is not an integer in Python's `int()` sense (PyJWT `DecodeError`).
    BadNotBefore => "bad_nbf", Token, DETAIL_DECODE;
    /// `exp` is not an integer in Python's `int()` sense (PyJWT `DecodeError`).
    BadExpiration => "bad_exp", Token, DETAIL_DECODE;
    /// `iat` or `nbf` lies in the future beyond the leeway (PyJWT `ImmatureSignatureError`).
    Immature => "immature", Token, DETAIL_INVALID;
    /// `exp` has passed (PyJWT `ExpiredSignatureError`).
    Expired => "expired", Token, DETAIL_EXPIRED;
    /// `iss` is not a string (PyJWT `InvalidIssuerError`).
    BadIssuer => "bad_issuer", Token, DETAIL_INVALID;
    /// `aud` does not match `IDENTITY` or has a bad format (PyJWT `InvalidAudienceError`).
    BadAudience => "bad_audience", Token, DETAIL_INVALID;
    /// `sub` is not a string (PyJWT `InvalidSubjectError`).
    BadSubject => "bad_subject", Token, DETAIL_INVALID;
    /// `jti` is not a string (PyJWT `InvalidJTIError`).
    BadJwtId => "bad_jti", Token, DETAIL_INVALID;
    /// The `token` claim is neither `session` nor `auth` (drf-sso `InvalidTokenError`).
    UnknownTokenType => "unknown_token_type", Token, DETAIL_INVALID;
    /// `Authorization` header with the scheme and no token (DRF `AuthenticationFailed`).
    NoCredentials => "no_credentials", Header, "Invalid token header. No credentials provided.";
    /// `Authorization` header with more than one token part (DRF `AuthenticationFailed`).
    TokenHasSpaces => "token_has_spaces", Header, "Invalid token header. Token string should not contain spaces.";
    /// `Authorization` token part is not UTF-8 (DRF `AuthenticationFailed`).
    InvalidCharacters => "invalid_characters", Header, "Invalid token header. Token string should not contain invalid characters.";
    /// No active session `sid` belonging to user `uid` in the session state (revoked, deleted,
    /// another user's), or with `VERIFY_SESSION_TOKEN` off no user `uid` (drf-sso `authenticate_payload`).
    InvalidSession => "invalid_session", Session, DETAIL_INVALID_TOKEN;
    /// `iat` missing or older than the session's `last_issued_at` (`VERIFY_TOKEN_ISSUED_AT`).
    Superseded => "superseded", Session, DETAIL_SUPERSEDED;
    /// The token's user is not active.
    InactiveUser => "inactive_user", Session, DETAIL_INACTIVE;
    /// The session lookup itself fails on the server (HTTP 500): `sid` is not a UUID, `uid` not
    /// an integer, `iat` not comparable with an integer; this crate rejects.
    SessionLookup => "session_lookup_error", Session, DETAIL_INVALID_TOKEN;
    /// A session-state or key-set document was refused (signature, issuer, type, format,
    /// sequence going backwards, older than its `max_age`); the one in force stays.
    BadState => "bad_state", Config, DETAIL_CONFIG;
    /// Policy `refuse` and no session state younger than its `max_age`: every token is refused
    /// until a fresh document arrives.
    StateUnavailable => "state_unavailable", Config, DETAIL_STATE_UNAVAILABLE;
    /// Settings or key material are invalid; raised when configuring, never per token.
    Config => "config", Config, DETAIL_CONFIG;
    /// A key needs an algorithm family this build leaves out (a Cargo feature, or the npm
    /// package's RSA-only module); raised when configuring.
    FeatureMissing => "feature_missing", Config, DETAIL_CONFIG;
    /// The caller's `now` is not a finite time within Python's `datetime` range (the server's
    /// clock can never read such a value): refused, never compared.
    BadClock => "bad_clock", Config, DETAIL_CONFIG;
    /// Building or signing a token failed (drf-sso `encode_jwt_token` `RuntimeError`, key errors).
    Sign => "sign", Sign, DETAIL_SIGN;
}

impl Error {
    /// The precise cause, in PyJWT's words where PyJWT raises it.
    pub fn message(&self) -> &str {
        &self.cause().message
    }

    /// The member of [`Self::segment`] this failure concerns, where there is one: a payload
    /// claim (`"exp"`, `"sid"`, ...) or a header parameter (`"alg"`, `"kid"`, `"crit"`, `"b64"`).
    pub fn claim(&self) -> Option<&'static str> {
        self.cause().claim
    }

    /// The token segment this failure concerns, where there is one.
    pub fn segment(&self) -> Option<Segment> {
        self.cause().segment
    }

    /// The `too_large` error for a token of `len` bytes.
    pub fn too_large(len: usize, max: usize) -> Error {
        Error::TooLarge(Cause::new(alloc::format!(
            "token is {len} bytes, over MAX_TOKEN_BYTES = {max}"
        )))
    }

    /// `MissingRequiredClaimError(claim)`, with PyJWT's message.
    pub(crate) fn missing_claim(claim: &'static str) -> Error {
        Error::missing_required(claim, claim)
    }

    /// `MissingRequiredClaimError(text)` about payload claim `claim` (drf-sso passes
    /// sentences such as "Session ID is missing." where PyJWT passes claim names).
    pub(crate) fn missing_required(text: &str, claim: &'static str) -> Error {
        Error::MissingClaim(
            Cause::new(alloc::format!("Token is missing the \"{text}\" claim")).claim(claim),
        )
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
