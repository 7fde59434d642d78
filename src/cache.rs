//! A bounded cache of verified tokens. Only the time-independent part of
//! `decode_jwt_token` (structure, issuer, key, signature) is remembered; every hit
//! re-runs the claim checks at the caller's `now`, so a hit answers exactly what a
//! fresh verification would.

use alloc::string::String;
use alloc::vec::Vec;

use crate::decoding::TokenData;
use crate::errors::Result;
use crate::verifier::{Checked, Verifier};

struct Entry {
    token: String,
    checked: Checked,
}

/// A [`Verifier`] with a direct-mapped cache of tokens whose signature verified.
/// Capacity 0 disables caching. Keyed by the full token (compared byte for byte),
/// so a collision of the slot hash can only cost a miss.
pub struct CachedVerifier {
    verifier: Verifier,
    slots: Vec<Option<Entry>>,
    hits: u64,
    misses: u64,
}

/// FNV-1a: cheap slot selection; correctness never depends on it.
fn slot_hash(token: &[u8]) -> u64 {
    token.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl core::fmt::Debug for CachedVerifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CachedVerifier")
            .field("verifier", &self.verifier)
            .field("capacity", &self.slots.len())
            .field("hits", &self.hits)
            .field("misses", &self.misses)
            .finish()
    }
}

impl CachedVerifier {
    /// Default number of slots.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// Wraps `verifier` with `capacity` slots (0 disables the cache).
    pub fn new(verifier: Verifier, capacity: usize) -> Self {
        let mut slots = Vec::new();
        slots.resize_with(capacity, || None);
        CachedVerifier {
            verifier,
            slots,
            hits: 0,
            misses: 0,
        }
    }

    /// The wrapped verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// `(hits, misses)` so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// As [`Verifier::verify`], answering from the cache when the token's signature was already checked.
    pub fn verify(&mut self, token: &str, now: f64) -> Result<TokenData> {
        if self.slots.is_empty() {
            return self.verifier.verify(token, now);
        }
        let idx = (slot_hash(token.as_bytes()) % self.slots.len() as u64) as usize;
        if let Some(entry) = &self.slots[idx] {
            if entry.token == token {
                self.hits += 1;
                self.verifier.check_claims(&entry.checked, now)?;
                return Ok(entry.checked.data.clone());
            }
        }
        self.misses += 1;
        let checked = self.verifier.check_signed(token)?;
        let result = self
            .verifier
            .check_claims(&checked, now)
            .map(|()| checked.data.clone());
        self.slots[idx] = Some(Entry {
            token: String::from(token),
            checked,
        });
        result
    }

    /// As [`Verifier::authenticate`], through the cache.
    pub fn authenticate(&mut self, header: Option<&[u8]>, now: f64) -> Result<Option<TokenData>> {
        let Some(token) = self.verifier.authorization_token(header.unwrap_or(b""))? else {
            return Ok(None);
        };
        self.verify(token, now).map(Some)
    }
}
