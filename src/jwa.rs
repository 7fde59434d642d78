//! JWS algorithm identifiers (RFC 7518 §3.1, RFC 8037 §3.1) that this crate verifies and
//! signs: names and families only; which of them a token may use with which key is PyJWT's
//! policy (`policy.rs`).

/// The JWS algorithms of PyJWT 2.15's table that use public keys.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, salt length 64.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on secp256k1 with SHA-256.
    ES256K,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512 (PyJWT's name, kept for backward compatibility).
    ES512,
    /// ECDSA on P-521 with SHA-512.
    ES521,
    /// EdDSA with Ed25519 or Ed448 (the key decides).
    EdDSA,
}

/// What kind of key an [`Algorithm`] needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// An RSA key (RS*, PS*).
    Rsa,
    /// An EC key on the algorithm's curve (ES*).
    Ec,
    /// An Ed25519 or Ed448 key (EdDSA).
    Okp,
}

impl Algorithm {
    /// Every algorithm, in PyJWT's table order.
    pub const ALL: [Algorithm; 12] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::ES256,
        Algorithm::ES256K,
        Algorithm::ES384,
        Algorithm::ES521,
        Algorithm::ES512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::EdDSA,
    ];

    /// The algorithm for a JWS `alg` name.
    pub fn from_name(name: &str) -> Option<Self> {
        Algorithm::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES256K => "ES256K",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::ES521 => "ES521",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// The key family it needs.
    pub fn family(self) -> Family {
        match self {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Family::Rsa,
            Algorithm::EdDSA => Family::Okp,
            _ => Family::Ec,
        }
    }

    /// Whether this is a PSS algorithm.
    pub fn is_pss(self) -> bool {
        matches!(self, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512)
    }

    /// The ECDSA algorithm (curve binding and hash) of an ES* algorithm.
    pub fn ec(self) -> Option<crate::pkix::EcAlg> {
        crate::pkix::EcAlg::from_name(self.name())
    }
}
