//! A bounded cache of verified tokens. Only the time-independent part of
//! `decode_jwt_token` (structure, issuer, key, signature) is remembered; every hit
//! re-runs the claim checks at the caller's `now`, so a hit answers exactly what a
//! fresh verification would.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::clock::check_now;
use crate::decoding::TokenData;
use crate::errors::Result;
use crate::verifier::{Checked, Verifier};

struct Entry {
    token: Box<[u8]>,
    checked: Checked,
    id: u64,
}

/// A [`Verifier`] with a direct-mapped cache of tokens whose signature verified.
/// Capacity 0 disables caching. Keyed by the full token (compared byte for byte),
/// so a collision of the slot hash can only cost a miss.
pub struct CachedVerifier {
    verifier: Verifier,
    slots: Vec<Option<Entry>>,
    hits: u64,
    misses: u64,
    /// Entries stored so far; with the slot index it makes each entry's id unique.
    stored: u64,
    last: Option<u64>,
}

/// Slot selection, eight bytes per step (a multiply-rotate mix); correctness never
/// depends on it: only tokens whose signature verified are stored, and a hit compares
/// the whole token.
fn slot_hash(token: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunks = token.chunks_exact(8);
    let mut h = token.len() as u64;
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    for &b in chunks.remainder() {
        h = (h ^ b as u64).wrapping_mul(K).rotate_left(29);
    }
    h ^ (h >> 32)
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
    /// Default number of slots (the npm `Verifier`, the proxy filter).
    pub const DEFAULT_CAPACITY: usize = 1024;
    /// Most slots a cache may have (each holds a token and its decoded data).
    pub const MAX_CAPACITY: usize = 1 << 20;

    /// Wraps `verifier` with `capacity` slots (0 disables the cache); more than
    /// [`Self::MAX_CAPACITY`] is a configuration error.
    pub fn new(verifier: Verifier, capacity: usize) -> Result<Self> {
        if capacity > Self::MAX_CAPACITY {
            return Err(crate::errors::Error::Config(
                alloc::format!(
                    "cache size {capacity} is over the maximum of {}",
                    Self::MAX_CAPACITY
                )
                .into(),
            ));
        }
        let mut slots = Vec::new();
        slots.resize_with(capacity, || None);
        Ok(CachedVerifier {
            verifier,
            slots,
            hits: 0,
            misses: 0,
            stored: 0,
            last: None,
        })
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
    pub fn verify(&mut self, token: impl AsRef<[u8]>, now: f64) -> Result<TokenData> {
        let token = token.as_ref();
        self.last = None;
        if self.slots.is_empty() {
            return self.verifier.verify(token, now);
        }
        check_now(now)?;
        let idx = (slot_hash(token) % self.slots.len() as u64) as usize;
        if let Some(entry) = &self.slots[idx] {
            if *entry.token == *token {
                self.hits += 1;
                self.last = Some(entry.id);
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
        let id = self.stored * self.slots.len() as u64 + idx as u64;
        self.stored += 1;
        self.last = Some(id);
        self.slots[idx] = Some(Entry {
            token: token.into(),
            checked,
            id,
        });
        result
    }

    /// The id of the entry the last `verify` or `authenticate` answered from or stored
    /// (`None` if the token failed before its signature checked out, or with capacity 0).
    /// Lets a binding keep its own converted copy of a result and ask [`Self::recheck`]
    /// instead of converting the result again.
    pub fn last_entry(&self) -> Option<u64> {
        self.last
    }

    /// Re-runs the time-dependent checks of entry `id` at `now`, as a hit would:
    /// `None` if that entry has been replaced, else the verdict a fresh verification of
    /// its token at `now` would give (`Ok` meaning: the same `TokenData` as before).
    pub fn recheck(&mut self, id: u64, now: f64) -> Option<Result<()>> {
        let cap = self.slots.len() as u64;
        if cap == 0 {
            return None;
        }
        let entry = self.slots[(id % cap) as usize].as_ref()?;
        if entry.id != id {
            return None;
        }
        self.hits += 1;
        Some(self.verifier.check_claims(&entry.checked, now))
    }

    /// The token data of entry `id`, while that entry holds it (what a hit would return).
    pub fn entry_data(&self, id: u64) -> Option<&TokenData> {
        let cap = self.slots.len() as u64;
        if cap == 0 {
            return None;
        }
        let entry = self.slots[(id % cap) as usize].as_ref()?;
        (entry.id == id).then_some(&entry.checked.data)
    }

    /// As [`Verifier::authenticate`], through the cache.
    pub fn authenticate(&mut self, header: Option<&[u8]>, now: f64) -> Result<Option<TokenData>> {
        self.last = None;
        check_now(now)?;
        let Some(token) = self.verifier.authorization_token(header.unwrap_or(b""))? else {
            return Ok(None);
        };
        self.verify(token, now).map(Some)
    }
}
