//! What the RSA public-key kernels (`rsa_public`, `ifma`, `fips28`) share: the exponent's
//! bits for left-to-right square-and-multiply (RFC 8017 §5.2.2 RSAVP1), comparison of
//! digit strings, and big-endian octet strings (I2OSP / OS2IP, §4) to and from little-endian
//! digits of any width.

use alloc::vec::Vec;

/// Bits of the big-endian exponent below its top set bit, most significant first (the
/// ladder starts from the base, which is the top bit). Empty for `e` = 0 or 1.
pub(crate) fn exponent_bits(e: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let e = &e[e.iter().position(|b| *b != 0).unwrap_or(e.len())..];
    let top = e.first().map_or(0, |b| 7 - b.leading_zeros() as usize);
    (0..top).rev().map(move |i| (e[0] >> i) & 1).chain(
        e.iter()
            .skip(1)
            .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1)),
    )
}

/// `a >= b` for numbers held as equal-length little-endian digits (limbs) of any width.
pub(crate) fn geq<T: Ord>(a: &[T], b: &[T]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// Little-endian `digit_bits`-bit digits of big-endian bytes, zero-padded to `out.len()`;
/// `false` when they do not fit.
pub(crate) fn digits_from_be(bytes: &[u8], digit_bits: usize, out: &mut [u64]) -> bool {
    let mask = (1u64 << digit_bits) - 1;
    out.iter_mut().for_each(|d| *d = 0);
    for (i, &b) in bytes.iter().rev().enumerate() {
        if b == 0 {
            continue;
        }
        let (d, sh) = ((8 * i) / digit_bits, (8 * i) % digit_bits);
        let Some(slot) = out.get_mut(d) else {
            return false;
        };
        *slot |= ((b as u64) << sh) & mask;
        if sh + 8 > digit_bits {
            let Some(next) = out.get_mut(d + 1) else {
                return false;
            };
            *next |= (b as u64) >> (digit_bits - sh);
        }
    }
    true
}

/// The low `k` bytes, big-endian, of a value held in `digit_bits`-bit digits.
pub(crate) fn be_from_digits(digits: &[u64], digit_bits: usize, k: usize) -> Vec<u8> {
    let mut be = alloc::vec![0u8; k];
    for (i, byte) in be.iter_mut().rev().enumerate() {
        let (q, sh) = ((8 * i) / digit_bits, (8 * i) % digit_bits);
        let lo = digits.get(q).map_or(0, |d| d >> sh);
        let hi = match digits.get(q + 1) {
            Some(d) if sh + 8 > digit_bits => d << (digit_bits - sh),
            _ => 0,
        };
        *byte = (lo | hi) as u8;
    }
    be
}
