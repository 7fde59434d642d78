//! The RSA public-key operation (RFC 8017 §5.2.2 RSAVP1, `s^e mod n`) in radix 2^52 with
//! x86-64 AVX-512 IFMA (`vpmadd52luq` / `vpmadd52huq`): almost-Montgomery products
//! (Gueron & Krasnov 2016), eight 52-bit digits per 512-bit register, carries left in
//! the 64-bit lanes during a product and propagated once at its end.
//!
//! `rsa_public` prepares an [`IfmaKey`] next to its `MontyKey` and uses it when the CPU has
//! AVX-512F + IFMA (asked once). Tests run it against the portable and `mulx` kernels.

#![allow(unsafe_code)]

use alloc::vec::Vec;
use core::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_alignr_epi64, _mm512_castsi512_si128, _mm512_loadu_si512,
    _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_maskz_set1_epi64, _mm512_set1_epi64,
    _mm512_setzero_si512, _mm512_storeu_si512, _mm_extract_epi64,
};
use core::sync::atomic::{AtomicU8, Ordering};

use crate::radix::{be_from_digits, digits_from_be, exponent_bits, geq};

const DIGIT_BITS: usize = 52;
const MASK: u64 = (1 << DIGIT_BITS) - 1;
const LANES: usize = 8;
/// Registers per operand with code here: moduli up to `8 * 52 * 10 - 2` = 4158 bits.
const MAX_REGS: usize = 10;
const MAX_DIGITS: usize = LANES * MAX_REGS;

/// One public key in radix 2^52, prepared once.
#[derive(Debug, Clone)]
pub(crate) struct IfmaKey {
    /// 512-bit registers per operand (`8 * regs` digits).
    regs: usize,
    /// Modulus, little-endian 52-bit digits, `8 * regs` of them.
    n: Vec<u64>,
    /// `-n^-1 mod 2^52`.
    k0: u64,
    /// `R^e mod n`, `R = 2^(52 * 8 * regs)`, as digits: the last product with it turns the
    /// `x^e * R^-(e-1)` the ladder leaves into `x^e`.
    re: Vec<u64>,
    /// Public exponent, big-endian, no leading zeros.
    e: Vec<u8>,
    /// Modulus length in bytes.
    k: usize,
}

/// Registers per operand for a `bits`-bit modulus: `4n < R` keeps every almost-Montgomery
/// result below `2n`. `None` beyond the sizes compiled here.
pub(crate) fn regs_for(bits: usize) -> Option<usize> {
    let regs = (bits + 2).div_ceil(DIGIT_BITS).div_ceil(LANES);
    (1..=MAX_REGS).contains(&regs).then_some(regs)
}

/// `log2 R` for `regs` registers: the caller computes `R mod n` and `R^e mod n` with it.
pub(crate) fn r_bits(regs: usize) -> usize {
    DIGIT_BITS * LANES * regs
}

impl IfmaKey {
    /// From big-endian `n` (odd), `e` and `re = R^e mod n` for `R = 2^r_bits(regs)`.
    pub(crate) fn new(n_be: &[u8], e_be: &[u8], re_be: &[u8], regs: usize) -> Option<Self> {
        let d = LANES * regs;
        if regs == 0 || regs > MAX_REGS {
            return None;
        }
        let (mut n, mut re) = (alloc::vec![0u64; d], alloc::vec![0u64; d]);
        if !digits_from_be(n_be, DIGIT_BITS, &mut n)
            || !digits_from_be(re_be, DIGIT_BITS, &mut re)
            || n[0] & 1 == 0
        {
            return None;
        }
        // Newton: n0^-1 mod 2^64, then -inverse mod 2^52.
        let mut inv: u64 = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(n[0].wrapping_mul(inv)));
        }
        let e = e_be[e_be.iter().position(|b| *b != 0)?..].to_vec();
        Some(IfmaKey {
            regs,
            n,
            k0: inv.wrapping_neg() & MASK,
            re,
            e,
            k: n_be.len() - n_be.iter().take_while(|b| **b == 0).count(),
        })
    }

    /// `x^e mod n` as `k` big-endian bytes for `x < n` (the caller checks the range).
    /// Only call after [`available`] said yes.
    pub(crate) fn public_op(&self, x_be: &[u8]) -> Option<Vec<u8>> {
        // SAFETY: `available()` confirmed AVX-512F and IFMA (and their OS support) before
        // any key reaches here; the functions only touch the arrays they are given.
        unsafe {
            match self.regs {
                1 => self.run::<1>(x_be),
                2 => self.run::<2>(x_be),
                3 => self.run::<3>(x_be),
                4 => self.run::<4>(x_be),
                5 => self.run::<5>(x_be),
                6 => self.run::<6>(x_be),
                7 => self.run::<7>(x_be),
                8 => self.run::<8>(x_be),
                9 => self.run::<9>(x_be),
                10 => self.run::<10>(x_be),
                _ => None,
            }
        }
    }

    /// Left-to-right square-and-multiply on a base kept out of Montgomery form, then the
    /// product with `R^e`; variable time (public exponent).
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn run<const R: usize>(&self, x_be: &[u8]) -> Option<Vec<u8>> {
        let d = LANES * R;
        let mut base = [0u64; MAX_DIGITS];
        if !digits_from_be(x_be, DIGIT_BITS, &mut base[..d]) {
            return None;
        }
        let nv = operand::<R>(&self.n);
        let bv = operand::<R>(&base);
        let (mut acc, mut tmp) = (base, [0u64; MAX_DIGITS]);
        for bit in exponent_bits(&self.e) {
            amm::<R>(&acc[..d], &operand::<R>(&acc), &nv, self.k0, &mut tmp[..d]);
            core::mem::swap(&mut acc, &mut tmp);
            if bit == 1 {
                amm::<R>(&acc[..d], &bv, &nv, self.k0, &mut tmp[..d]);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        amm::<R>(
            &acc[..d],
            &operand::<R>(&self.re),
            &nv,
            self.k0,
            &mut tmp[..d],
        );
        // Below 2n: at most one subtraction.
        let out = &mut tmp[..d];
        if geq(out, &self.n) {
            let mut borrow = 0u64;
            for (x, &m) in out.iter_mut().zip(&self.n) {
                let v = x.wrapping_sub(m).wrapping_sub(borrow);
                borrow = v >> 63;
                *x = v & MASK;
            }
        }
        Some(be_from_digits(out, DIGIT_BITS, self.k))
    }
}

#[inline(always)]
unsafe fn load<const R: usize>(digits: &[u64]) -> [__m512i; R] {
    debug_assert!(digits.len() >= LANES * R);
    // SAFETY (caller): `digits` holds at least 8 * R values; unaligned loads.
    core::array::from_fn(|j| unsafe { _mm512_loadu_si512(digits.as_ptr().add(LANES * j).cast()) })
}

/// The operand vectors one product reads: the digits, and the digits moved one lane up
/// (where the high halves of their products belong).
struct Operand<const R: usize> {
    v: [__m512i; R],
    up: [__m512i; R],
    d0: u64,
    d1: u64,
    /// The top digit, whose high halves belong beyond the vectors until the shift.
    top: u64,
}

#[inline(always)]
unsafe fn operand<const R: usize>(digits: &[u64]) -> Operand<R> {
    let v = load::<R>(digits);
    let zero = _mm512_setzero_si512();
    // SAFETY (caller): AVX-512F is available.
    let up = core::array::from_fn(|j| unsafe {
        _mm512_alignr_epi64(v[j], if j == 0 { zero } else { v[j - 1] }, 7)
    });
    Operand {
        v,
        up,
        d0: digits[0],
        d1: digits[1],
        top: digits[LANES * R - 1],
    }
}

/// Low and high 52 bits of the product of two digits.
#[inline(always)]
fn lo52(x: u64, y: u64) -> u64 {
    x.wrapping_mul(y) & MASK
}
#[inline(always)]
fn hi52(x: u64, y: u64) -> u64 {
    ((x as u128 * y as u128) >> DIGIT_BITS) as u64
}

/// `out = a * b * R^-1 mod n + (0 or n)`, below `2n` for `a, b < 2n`; `a` and `b`
/// normalised (every digit below 2^52, as `vpmadd52*` reads only 52 bits), `out` too.
/// Per digit `a_i`: `m` clears the lowest digit of `acc + a_i * b`, then
/// `acc + a_i * b + m * n` moves one digit down. Low product halves go to `lo`, high halves (one digit
/// up, through the lane-shifted operands) to `hi`, two independent accumulations. The
/// lowest digit, which `m` depends on, is kept in a scalar: the vectors only feed it their
/// second digit, taken before they take this turn's products, so the next `m` never waits
/// for a vector product.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn amm<const R: usize>(a: &[u64], b: &Operand<R>, n: &Operand<R>, k0: u64, out: &mut [u64]) {
    let zero = _mm512_setzero_si512();
    let (mut lo, mut hi) = ([zero; R], [zero; R]);
    let mut d0 = 0u64;
    for &ai in a {
        let t0 = d0 + lo52(ai, b.d0);
        let m = t0.wrapping_mul(k0) & MASK;
        let lane1 = _mm512_add_epi64(lo[0], hi[0]);
        let v1 = _mm_extract_epi64::<1>(_mm512_castsi512_si128(lane1)) as u64;
        let (av, mv) = (_mm512_set1_epi64(ai as i64), _mm512_set1_epi64(m as i64));
        for j in 0..R {
            lo[j] = _mm512_madd52lo_epu64(lo[j], av, b.v[j]);
            hi[j] = _mm512_madd52hi_epu64(hi[j], av, b.up[j]);
        }
        for j in 0..R {
            lo[j] = _mm512_madd52lo_epu64(lo[j], mv, n.v[j]);
            hi[j] = _mm512_madd52hi_epu64(hi[j], mv, n.up[j]);
        }
        // t0 + lo(m * n0) is a multiple of 2^52: its carry joins the next digit.
        let carry = (t0 + lo52(m, n.d0)) >> DIGIT_BITS;
        d0 = v1 + lo52(ai, b.d1) + lo52(m, n.d1) + hi52(ai, b.d0) + hi52(m, n.d0) + carry;
        for j in 0..R - 1 {
            lo[j] = _mm512_alignr_epi64(lo[j + 1], lo[j], 1);
            hi[j] = _mm512_alignr_epi64(hi[j + 1], hi[j], 1);
        }
        lo[R - 1] = _mm512_alignr_epi64(zero, lo[R - 1], 1);
        let top = hi52(ai, b.top) + hi52(m, n.top);
        hi[R - 1] = _mm512_alignr_epi64(_mm512_maskz_set1_epi64(1, top as i64), hi[R - 1], 1);
    }
    // Lanes hold up to ~2^61 (4 * 2^52 per digit of `a`, 80 digits at most): one carry
    // pass; the lowest digit is the scalar's.
    let mut lanes = [0u64; MAX_DIGITS];
    for j in 0..R {
        let v = _mm512_add_epi64(lo[j], hi[j]);
        _mm512_storeu_si512(lanes.as_mut_ptr().add(LANES * j).cast(), v);
    }
    lanes[0] = d0;
    let mut c = 0u64;
    for (o, &l) in out.iter_mut().zip(&lanes) {
        let v = l + c;
        *o = v & MASK;
        c = v >> DIGIT_BITS;
    }
    debug_assert_eq!(c, 0, "an almost-Montgomery result fits its digits");
}

/// AVX-512F + IFMA, and the OS saving the ZMM state: CPUID leaf 1 ECX bit 27 (OSXSAVE),
/// XCR0 bits 1, 2, 5, 6, 7; leaf 7 EBX bit 16 (AVX512F), bit 21 (IFMA). Asked once.
pub(crate) fn available() -> bool {
    static STATE: AtomicU8 = AtomicU8::new(0);
    match STATE.load(Ordering::Relaxed) {
        1 => false,
        2 => true,
        _ => {
            let yes = detect();
            STATE.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
            yes
        }
    }
}

fn detect() -> bool {
    use core::arch::x86_64::{__cpuid, __cpuid_count};
    #[allow(unused_unsafe)]
    // SAFETY: CPUID exists on every x86-64 CPU; XGETBV only after OSXSAVE says it exists.
    unsafe {
        if __cpuid(0).eax < 7 || __cpuid(1).ecx & (1 << 27) == 0 {
            return false;
        }
        let (lo, hi): (u32, u32);
        core::arch::asm!("xgetbv", in("ecx") 0, out("eax") lo, out("edx") hi, options(nomem, nostack));
        let xcr0 = (hi as u64) << 32 | lo as u64;
        let ebx = __cpuid_count(7, 0).ebx;
        xcr0 & 0xe6 == 0xe6 && ebx & (1 << 16) != 0 && ebx & (1 << 21) != 0
    }
}
