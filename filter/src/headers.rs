//! Header maps in the proxy-wasm ABI 0.2.1 serialization (count, then (name size, value
//! size) pairs, then each name and value NUL-terminated, integers u32 little-endian),
//! read as bytes: a name that is not UTF-8 is a name like any other, never a panic.

use alloc::vec::Vec;

/// A header map as the host serialized it (ABI 0.2.1: count, then (name size, value
/// size) pairs, then each name and value NUL-terminated), read in place.
pub struct Pairs {
    buf: Vec<u8>,
    /// (name start, name len, value start, value len) in `buf`.
    spans: Vec<(usize, usize, usize, usize)>,
}

impl Pairs {
    /// Each `(name, value)` as bytes, in the host's order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.spans
            .iter()
            .map(|&(n, nl, v, vl)| (&self.buf[n..n + nl], &self.buf[v..v + vl]))
    }
}

/// Parses a serialized map; `None` if it is malformed (sizes out of range).
pub fn parse_pairs(buf: Vec<u8>) -> Option<Pairs> {
    let mut spans = Vec::new();
    if !buf.is_empty() {
        let u32_at = |at: usize| -> Option<usize> {
            let b = buf.get(at..at.checked_add(4)?)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let count = u32_at(0)?;
        let mut p = count.checked_mul(8)?.checked_add(4)?;
        spans.reserve(count.min(buf.len() / 10));
        for i in 0..count {
            let (nl, vl) = (u32_at(4 + i * 8)?, u32_at(8 + i * 8)?);
            let n = p;
            let v = n.checked_add(nl)?.checked_add(1)?;
            p = v.checked_add(vl)?.checked_add(1)?;
            if p > buf.len() {
                return None;
            }
            spans.push((n, nl, v, vl));
        }
    }
    Some(Pairs { buf, spans })
}

/// Serializes `(name, value)` pairs as the ABI wants them.
pub fn serialize(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        4 + headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 10)
            .sum::<usize>(),
    );
    out.extend_from_slice(&(headers.len() as u32).to_le_bytes());
    for (n, v) in headers {
        out.extend_from_slice(&(n.len() as u32).to_le_bytes());
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    }
    for (n, v) in headers {
        out.extend_from_slice(n.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_malformed_maps() {
        let bytes = serialize(&[
            (":path", "/a"),
            ("x-sso-\u{e9}", ""),
            ("authorization", "JWT t"),
        ]);
        let p = parse_pairs(bytes.clone()).unwrap();
        let got: Vec<_> = p.iter().collect();
        assert_eq!(
            got,
            [
                (&b":path"[..], &b"/a"[..]),
                ("x-sso-\u{e9}".as_bytes(), &b""[..]),
                (&b"authorization"[..], &b"JWT t"[..])
            ]
        );
        assert_eq!(parse_pairs(Vec::new()).unwrap().iter().count(), 0);
        // Not UTF-8: still read.
        let mut raw = serialize(&[("ab", "c")]);
        raw[12] = 0xff;
        assert_eq!(parse_pairs(raw).unwrap().iter().next().unwrap().0, b"\xffb");
        for cut in 1..bytes.len() {
            assert!(parse_pairs(bytes[..cut].to_vec()).is_none(), "cut at {cut}");
        }
        let mut huge = bytes.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_pairs(huge).is_none());
    }
}
