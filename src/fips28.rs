//! The RSA public-key operation (RFC 8017 §5.2.2 RSAVP1, `s^e mod n`) on 32-bit targets
//! in radix 2^28: Montgomery products by column sums (FIPS, Koç et al. 1996) of 56-bit
//! products, which 64-bit sums add up with no carry per product: on wasm32 SIMD128
//! `i64x2.extmul_*_i32x4_u` then `i64x2.add`, on Arm `umlal`. (32-bit limbs need every
//! product split in halves first: measured 1.35x slower in Node.)
//!
//! `rsa_public` prepares a [`Fips28Key`] next to its `MontyKey` on 32-bit targets (and in
//! the native tests, where it is checked against every other kernel).

use alloc::vec::Vec;

use crate::radix::{be_from_digits, digits_from_be, exponent_bits, geq};

/// Digit width: 28 bits while column sums of `2 * digits` 56-bit products fit in 64 bits
/// (moduli up to 127 * 28 = 3556 bits), else 26 bits (52-bit products, 2047 digits).
const WIDE_BITS: usize = 28;
const WIDE_MAX_DIGITS: usize = 127;
const NARROW_BITS: usize = 26;
/// Moduli up to 16384 bits (OpenSSL's limit, as `MontyKey`'s).
const MAX_BITS: usize = 16384;

/// One public key in radix 2^28 (2^26 above 3556 bits), prepared once.
#[derive(Debug, Clone)]
pub(crate) struct Fips28Key {
    /// Digit width in bits.
    w: usize,
    /// Modulus, little-endian digits.
    n: Vec<u32>,
    /// The modulus digits in reverse order (each column walks both operands upwards).
    n_rev: Vec<u32>,
    /// `-n^-1 mod 2^w`.
    n0inv: u32,
    /// `R^e mod n`, `R = 2^(w * digits)`: the last product with it turns the
    /// `x^e * R^-(e-1)` the ladder leaves into `x^e`.
    re: Vec<u32>,
    /// Public exponent, big-endian, no leading zeros.
    e: Vec<u8>,
    /// Modulus length in bytes.
    k: usize,
}

/// Digit width and count for a `bits`-bit modulus (`n < R`); `None` beyond 16384 bits.
pub(crate) fn digits_for(bits: usize) -> Option<(usize, usize)> {
    let d = bits.div_ceil(WIDE_BITS).max(1);
    if d <= WIDE_MAX_DIGITS {
        return Some((WIDE_BITS, d));
    }
    (bits <= MAX_BITS).then(|| (NARROW_BITS, bits.div_ceil(NARROW_BITS)))
}

fn digits(bytes: &[u8], w: usize, d: usize) -> Option<Vec<u32>> {
    let mut wide = alloc::vec![0u64; d];
    digits_from_be(bytes, w, &mut wide).then(|| wide.iter().map(|&x| x as u32).collect())
}

/// Per-product buffers: both operands, the second reversed, after three zeros, and the
/// reduction factors, with three zeros past them.
struct Scratch {
    a_pad: Vec<u32>,
    b_rev: Vec<u32>,
    m: Vec<u32>,
}

impl Scratch {
    fn new(d: usize) -> Self {
        Scratch {
            a_pad: alloc::vec![0; d + 3],
            b_rev: alloc::vec![0; d + 3],
            m: alloc::vec![0; d + 3],
        }
    }
}

/// `x -= n` when `x >= n` (`above`: `x` has a bit above its digits, which a borrow out of
/// the top digit cancels).
fn sub_if_geq(x: &mut [u32], n: &[u32], above: bool, w: usize) {
    if above || geq(x, n) {
        let mut borrow = 0u32;
        for (x, &y) in x.iter_mut().zip(n) {
            let v = x.wrapping_sub(y).wrapping_sub(borrow);
            borrow = v >> 31;
            *x = v & ((1 << w) - 1);
        }
    }
}

/// `sum x[j] * y[j]` (the caller keeps it below 2^64).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
#[allow(unsafe_code)]
fn dot(x: &[u32], y: &[u32]) -> u64 {
    use core::arch::wasm32::*;
    // Whole 16-byte loads: built from four lanes, LLVM emits a load per lane (measured:
    // as slow as the 32-bit limbs' products).
    // SAFETY: each chunk is four initialised u32 in bounds; wasm loads need no alignment.
    let load = |c: &[u32]| unsafe { v128_load(c.as_ptr().cast()) };
    let mut acc = u64x2_splat(0);
    let (mut xs, mut ys) = (x.chunks_exact(4), y.chunks_exact(4));
    for (a, b) in (&mut xs).zip(&mut ys) {
        let (va, vb) = (load(a), load(b));
        acc = u64x2_add(
            acc,
            u64x2_add(
                u64x2_extmul_low_u32x4(va, vb),
                u64x2_extmul_high_u32x4(va, vb),
            ),
        );
    }
    let mut sum = u64x2_extract_lane::<0>(acc) + u64x2_extract_lane::<1>(acc);
    for (a, b) in xs.remainder().iter().zip(ys.remainder()) {
        sum += *a as u64 * *b as u64;
    }
    sum
}

/// `sum x[j] * y[j]` (the caller keeps it below 2^64).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn dot(x: &[u32], y: &[u32]) -> u64 {
    x.iter().zip(y).map(|(a, b)| *a as u64 * *b as u64).sum()
}

impl Fips28Key {
    /// From big-endian `n` (odd) and `e`, for `(w, d)` from [`digits_for`].
    pub(crate) fn new(n_be: &[u8], e_be: &[u8], (w, d): (usize, usize)) -> Option<Self> {
        // The column-sum bound: 2 * d * (2^w - 1)^2 + carry < 2^64.
        let fits = match w {
            WIDE_BITS => d <= WIDE_MAX_DIGITS,
            NARROW_BITS => d <= 2047,
            _ => false,
        };
        if d == 0 || !fits {
            return None;
        }
        let n = digits(n_be, w, d)?;
        if n[0] & 1 == 0 {
            return None;
        }
        // Newton: n0^-1 mod 2^32, then -inverse mod 2^w.
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let mut key = Fips28Key {
            w,
            // Three zeros past the end: the reduction's dot products run to a multiple of four.
            n_rev: n.iter().rev().copied().chain([0; 3]).collect(),
            n,
            n0inv: inv.wrapping_neg() & ((1 << w) - 1),
            re: Vec::new(),
            e: e_be[e_be.iter().position(|b| *b != 0)?..].to_vec(),
            k: n_be.len() - n_be.iter().take_while(|b| **b == 0).count(),
        };
        // R^2 is the Montgomery form of R; to the power e it is the form of R^e, and a
        // product with 1 takes that out of the form.
        let mut one = alloc::vec![0u32; d];
        one[0] = 1;
        let form = key.ladder(&key.r2(), &key.e);
        key.re = key.run(&form, &one);
        Some(key)
    }

    /// `R^2 mod n`: `y = 2^(L + 1) mod n` (`L = w * d`) by doublings from `2^(bits - 1)`,
    /// then `L` in binary, as a Montgomery square takes `2^(L + t)` to `2^(L + 2t)` and a
    /// product with `y` to `2^(L + t + 1)`: about 30 doublings and 15 products for
    /// RSA-2048. (The 2L doublings from 1 took about 1 ms per key of a cold wasm start.)
    fn r2(&self) -> Vec<u32> {
        let (w, d, n) = (self.w, self.n.len(), &self.n[..]);
        let top = n.iter().rposition(|&x| x != 0).unwrap_or(0);
        let bits = top * w + (32 - n[top].leading_zeros() as usize).max(1);
        let mut y = alloc::vec![0u32; d];
        y[(bits - 1) / w] = 1 << ((bits - 1) % w);
        sub_if_geq(&mut y, n, false, w);
        for _ in bits - 1..w * d + 1 {
            let mut carry = 0;
            for x in y.iter_mut() {
                let v = (*x << 1) | carry;
                carry = v >> w;
                *x = v & ((1 << w) - 1);
            }
            sub_if_geq(&mut y, n, carry != 0, w);
        }
        self.ladder(&y, &((w * d) as u32).to_be_bytes())
    }

    /// `x^e mod n` as `k` big-endian bytes for `x < n` (the caller checks the range):
    /// square-and-multiply on a base kept out of Montgomery form, then the product with
    /// `R^e`. Variable time (public exponent).
    pub(crate) fn public_op(&self, x_be: &[u8]) -> Option<Vec<u8>> {
        let base = digits(x_be, self.w, self.n.len())?;
        let out = self.run(&self.ladder(&base, &self.e), &self.re);
        let wide: Vec<u64> = out.iter().map(|&x| x as u64).collect();
        Some(be_from_digits(&wide, self.w, self.k))
    }

    /// Square-and-multiply from `base` over the bits of `e` below its top one.
    fn ladder(&self, base: &[u32], e: &[u8]) -> Vec<u32> {
        let d = self.n.len();
        let mut acc = base.to_vec();
        let mut tmp = alloc::vec![0u32; d];
        let mut scratch = Scratch::new(d);
        for bit in exponent_bits(e) {
            self.product::<true>(&acc, &acc, &mut scratch, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if bit == 1 {
                self.product::<false>(&acc, base, &mut scratch, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        acc
    }

    /// One product, `a * b * R^-1 mod n`.
    fn run(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let d = self.n.len();
        let mut out = alloc::vec![0u32; d];
        self.product::<false>(a, b, &mut Scratch::new(d), &mut out);
        out
    }

    /// `out = a * b * R^-1 mod n` for `a, b < n` (`SQR` when `b` is `a`: each cross product
    /// once, doubled). Column `i` sums `a[j] * b[i-j]` and, for the reduction, `m[j] *
    /// n[i-j]`, both as dot products of upward runs (`b` and `n` reversed).
    fn product<const SQR: bool>(
        &self,
        a: &[u32],
        b: &[u32],
        Scratch { a_pad, b_rev, m }: &mut Scratch,
        out: &mut [u32],
    ) {
        let s = self.n.len();
        let (n, n_rev) = (&self.n[..], &self.n_rev[..]);
        // Operands after three zeros: a dot product of the product part can start up to three
        // digits early (to a multiple of four), as those digits pair with zeros.
        a_pad[3..].copy_from_slice(a);
        for (r, x) in b_rev[3..].iter_mut().zip(b.iter().rev()) {
            *r = *x;
        }
        // `sum a[j] * b[i-j]` for j in lo..h, from j = h - len (len a multiple of four).
        let column = |i: usize, lo: usize, h: usize| {
            let len = (h - lo).next_multiple_of(4);
            let j = h + 3 - len; // index into a_pad; b_rev's is j + s - 1 - i
            let k = j + s - 1 - i;
            dot(&a_pad[j..j + len], &b_rev[k..k + len])
        };
        // `m` past the factors chosen so far is zero (three more zeros past its end, as past
        // `n_rev`'s), so the reduction's dot products can run on to a multiple of four digits
        // and skip their scalar tails.
        m[..s].iter_mut().for_each(|x| *x = 0);
        let r4 = |len: usize| len.next_multiple_of(4);
        let (w, mask) = (self.w, (1u64 << self.w) - 1);
        // A column: up to 2 * digits products below 2^(2w), plus the carry in: below 2^64.
        let mut acc: u64 = 0;
        for i in 0..2 * s - 1 {
            let (lo, hi) = (i.saturating_sub(s - 1), i.min(s - 1));
            let off = |j: usize| j + s - 1 - i;
            if SQR {
                let h = i.div_ceil(2).max(lo);
                acc += 2 * column(i, lo, h);
                if i % 2 == 0 {
                    acc += a[i / 2] as u64 * a[i / 2] as u64;
                }
            } else {
                acc += column(i, lo, hi + 1);
            }
            if i < s {
                acc += dot(&m[..r4(i)], &n_rev[off(0)..off(0) + r4(i)]);
                let mi = (acc as u32).wrapping_mul(self.n0inv) & mask as u32;
                m[i] = mi;
                acc += mi as u64 * n[0] as u64;
            } else {
                let len = r4(s - lo);
                acc += dot(&m[lo..lo + len], &n_rev[off(lo)..off(lo) + len]);
                out[i - s] = (acc & mask) as u32;
            }
            acc >>= w; // for i < s the low digit is zero by the choice of m[i]
        }
        out[s - 1] = (acc & mask) as u32;
        // The result is below 2n: at most one subtraction.
        sub_if_geq(out, n, acc >> w != 0, w);
    }
}
