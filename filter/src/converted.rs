//! The request headers the filter built for a verified token, kept per credentials
//! header value beside the core's cache entry id (`CachedVerifier::last_entry` /
//! `recheck`, as the JS binding's cache front does), so a hit converts nothing again.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use drf_sso_jwt::json::Map;

/// Request headers set for a verified token.
pub type Headers = Rc<[(String, String)]>;

struct Entry {
    credentials: Vec<u8>,
    id: u64,
    headers: Headers,
    payload: Rc<Map>,
}

/// Direct-mapped, keyed by the whole credentials header value (compared byte for byte):
/// the same value always names the same token, and the core's entry `id`
/// ([`drf_sso_jwt::CachedVerifier::last_entry`]) says whether that token is still the
/// one the core remembers. Capacity 0 keeps nothing.
pub struct Converted {
    slots: Vec<Option<Entry>>,
}

impl core::fmt::Debug for Converted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Converted({} slots)", self.slots.len())
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Converted {
    /// `capacity` slots.
    pub fn new(capacity: usize) -> Self {
        let mut slots = Vec::new();
        slots.resize_with(capacity, || None);
        Converted { slots }
    }

    fn slot(&self, credentials: &[u8]) -> Option<usize> {
        let n = self.slots.len() as u64;
        (n > 0).then(|| (fnv1a(credentials) % n) as usize)
    }

    /// Forgets every entry (the core's cache they point into was replaced).
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = None);
    }

    /// The core entry id, headers and payload kept for this credentials value.
    pub fn find(&self, credentials: &[u8]) -> Option<(u64, Headers, Rc<Map>)> {
        let e = self.slots[self.slot(credentials)?].as_ref()?;
        (e.credentials == credentials).then(|| (e.id, e.headers.clone(), e.payload.clone()))
    }

    pub fn store(&mut self, credentials: &[u8], id: u64, headers: Headers, payload: Rc<Map>) {
        if let Some(i) = self.slot(credentials) {
            self.slots[i] = Some(Entry {
                credentials: credentials.to_vec(),
                id,
                headers,
                payload,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_by_the_whole_credentials_value() {
        let mut c = Converted::new(8);
        let h: Headers = Rc::from([("x-sso-uid".into(), "u-1".into())]);
        let p = Rc::new(Map::new());
        c.store(b"JWT a.b.c", 42, h.clone(), p.clone());
        let (id, got, _) = c.find(b"JWT a.b.c").expect("stored");
        assert_eq!((id, &*got), (42, &*h));
        assert!(
            c.find(b"jwt a.b.c").is_none(),
            "another value, even for the same token"
        );
        assert!(c.find(b"JWT a.b.").is_none());
        let mut off = Converted::new(0);
        off.store(b"JWT a.b.c", 1, h, p);
        assert!(off.find(b"JWT a.b.c").is_none(), "capacity 0 keeps nothing");
    }
}
