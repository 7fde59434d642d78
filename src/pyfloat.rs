//! Python's `float(text)` for a JSON number's text (`json.loads` calls it on every number with
//! a fraction or an exponent) and `float(int)`: the binary64 nearest to the decimal value, ties
//! to even (IEEE 754; CPython's `_Py_dg_strtod`), computed exactly on small big integers.
//!
//! Why not `str::parse::<f64>`: it is exact too, but its Eisel–Lemire fast path links a
//! 10.4 KB table of powers of five, about a tenth of the RSA-only wasm module (gzip). Floats are
//! rare in drf-sso tokens, so the slow exact path alone is the right trade.
//!
//! The other direction too, on the same small big integers: [`shortest_digits`] are the digits
//! core's `{}` and `{:e}` print for an `f64`, and [`display`] is `format!("{v}")` to the byte.
//! core's float formatting (Grisu and Dragon, each in a shortest and an exact mode, all linked
//! by any `Display`/`LowerExp` of an `f64`, as the precision is only known at run time) is
//! about 9 KB of the RSA-only wasm module (gzip) once nothing else formats a float.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Significant digits kept: the exact midpoint between two adjacent doubles has at most 767,
/// so the first 800 and "were any of the rest not zero" decide the rounding exactly.
const KEEP_DIGITS: usize = 800;

/// Parses `-?digits(.digits)?([eE][+-]?digits)?` (leading zeros allowed, as in an int's text).
/// `None` for anything else. Beyond the float range: ±infinity, as `float()` gives for JSON.
pub(crate) fn parse(text: &[u8]) -> Option<f64> {
    let (neg, rest) = match text.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, text),
    };
    let int_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let (int_part, rest) = rest.split_at(int_len);
    let (frac_part, rest) = match rest.split_first() {
        Some((b'.', r)) => {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            r.split_at(n)
        }
        _ => (&rest[..0], rest),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let exp10: i64 = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', r)) => {
            let (eneg, r) = match r.split_first() {
                Some((b'-', r)) => (true, r),
                Some((b'+', r)) => (false, r),
                _ => (false, r),
            };
            if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
                return None;
            }
            // Saturates far beyond any exponent that still matters (see below).
            let mut e: i64 = 0;
            for &c in r {
                e = (e * 10 + i64::from(c - b'0')).min(1 << 40);
            }
            if eneg {
                -e
            } else {
                e
            }
        }
        _ => return None,
    };
    let magnitude = magnitude(int_part, frac_part, exp10);
    Some(if neg { -magnitude } else { magnitude })
}

/// The value of `int_part.frac_part × 10^exp10`, rounded to the nearest double, ties to even.
fn magnitude(int_part: &[u8], frac_part: &[u8], exp10: i64) -> f64 {
    // Significant digits D and exponent e with value = D × 10^e.
    let all = int_part.iter().chain(frac_part.iter()).copied();
    let lead = all.clone().take_while(|&c| c == b'0').count();
    let mut digits: Vec<u8> = all.skip(lead).collect();
    let mut e = exp10 - frac_part.len() as i64;
    while digits.last() == Some(&b'0') {
        digits.pop();
        e += 1;
    }
    if digits.is_empty() {
        return 0.0;
    }
    // value < 10^(len + e): below 1e-324 it rounds to zero (the least subnormal is 4.94e-324,
    // half of it 2.47e-324); at or above 10^310 it is beyond f64::MAX (1.80e308).
    let order = digits.len() as i64 + e;
    if order < -324 {
        return 0.0;
    }
    if order > 310 {
        return f64::INFINITY;
    }
    if digits.len() > KEEP_DIGITS {
        let sticky = digits[KEEP_DIGITS..].iter().any(|&c| c != b'0');
        e += (digits.len() - KEEP_DIGITS) as i64;
        digits.truncate(KEEP_DIGITS);
        if sticky {
            // A 1 past the kept digits: above every number they spell, below the next one.
            digits.push(b'1');
            e -= 1;
        }
    }
    // |e| <= 310 + 324 + 801 here: value = num / den exactly, both integers.
    let mut num = Big::from_digits(&digits);
    let mut den = Big::one();
    if e >= 0 {
        num.mul_pow10(e as u32);
    } else {
        den.mul_pow10(e.unsigned_abs() as u32);
    }
    // Scale so that q = floor(num / den) has 64 or 65 bits: num / den is within a factor of
    // two of 2^(bits(num) - bits(den)).
    let shift = 64 - (num.bits() as i64 - den.bits() as i64);
    if shift >= 0 {
        num.shl(shift as usize);
    } else {
        den.shl(shift.unsigned_abs() as usize);
    }
    let (q, exact) = num.div_small_quotient(&den, 66);
    round(q, -shift, !exact)
}

/// `m × 2^b` (plus a nonzero amount below `m`'s last bit if `sticky`) as the nearest double,
/// ties to even; subnormals and overflow included. `m` has at least 64 bits here.
fn round(m: u128, b: i64, sticky: bool) -> f64 {
    let len = 128 - i64::from(m.leading_zeros());
    // Unbiased exponent of the leading bit, and the precision the format has there.
    let exp = len - 1 + b;
    if exp > 1023 {
        return f64::INFINITY;
    }
    let precision = if exp >= -1022 { 53 } else { 53 - (-1022 - exp) };
    let drop = len - precision; // >= 11: m has >= 64 bits, precision <= 53
    let (kept, half, below) = if drop > 128 {
        (0u128, false, m != 0 || sticky)
    } else if drop == 128 {
        (0, m >> 127 == 1, m << 1 != 0 || sticky)
    } else {
        let d = drop as u32;
        let half = (m >> (d - 1)) & 1 == 1;
        let below = m & ((1u128 << (d - 1)) - 1) != 0 || sticky;
        (m >> d, half, below)
    };
    let kept = kept + u128::from(half && (below || kept & 1 == 1));
    let bits = if exp >= -1022 {
        // kept in [2^52, 2^53]; 2^53 is the carry into the next binade.
        let (kept, exp) = if kept >> 53 == 1 {
            (kept >> 1, exp + 1)
        } else {
            (kept, exp)
        };
        if exp > 1023 {
            return f64::INFINITY;
        }
        (((exp + 1023) as u64) << 52) | (kept as u64 & ((1 << 52) - 1))
    } else {
        // A subnormal's bits are its multiple of 2^-1074; a carry to 2^52 is the least normal.
        kept as u64
    };
    f64::from_bits(bits)
}

/// The shortest digits `d1 d2 … dn` (ASCII, `d1` not `0`) and the exponent `k` with
/// `v ≈ 0.d1d2…dn × 10^k` (`v` finite and positive) that core's `{}` and `{:e}` print: the
/// shortest decimal that reads back as `v`, the closest to `v` among those (ties up). The same
/// computation as core's `flt2dec` (its `decode`, then Burger and Dybvig's free-format algorithm
/// as its Dragon strategy runs it; its Grisu fast path answers the same digits or defers to
/// Dragon), error ranges and all.
pub(crate) fn shortest_digits(v: f64) -> (Vec<u8>, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1 << 52) - 1);
    // `integer_decode` (a subnormal's mantissa doubled), then `decode`: v = mant × 2^exp, and
    // what lies from (mant - minus) × 2^exp to (mant + plus) × 2^exp reads back as v, bounds
    // included when the integer_decode mantissa is even.
    let (m, e) = if biased == 0 {
        (frac << 1, -1075)
    } else {
        (frac | 1 << 52, biased - 1075)
    };
    let inclusive = m & 1 == 0;
    let (mant, minus, plus, exp) = if biased == 0 {
        (m, 1, 1, e)
    } else if m == 1 << 52 {
        (m << 2, 1, 2, e - 2) // a power of two: the gap below is half the gap above
    } else {
        (m << 1, 1, 1, e - 1)
    };
    // `a < b`, or `a <= b` when the bounds are included.
    let below = |a: &Big, b: &Big| match a.cmp(b) {
        Ordering::Less => true,
        Ordering::Equal => inclusive,
        Ordering::Greater => false,
    };
    // k with 10^(k-1) < high <= 10^(k+1) (core's `estimate_scaling_factor`), fixed up below.
    let nbits = 64 - i64::from((mant + plus - 1).leading_zeros());
    let mut k = (((nbits + i64::from(exp)) * 1_292_913_986) >> 32) as i32;
    // v = mant / scale, low = (mant - minus) / scale, high = (mant + plus) / scale.
    let mut mant = Big::from_u64(mant);
    let mut minus = Big::from_u64(minus);
    let mut plus = Big::from_u64(plus);
    let mut scale = Big::one();
    if exp < 0 {
        scale.shl(exp.unsigned_abs() as usize);
    } else {
        for x in [&mut mant, &mut minus, &mut plus] {
            x.shl(exp as usize);
        }
    }
    if k >= 0 {
        scale.mul_pow10(k as u32);
    } else {
        for x in [&mut mant, &mut minus, &mut plus] {
            x.mul_pow10(k.unsigned_abs());
        }
    }
    let times10 = |mant: &mut Big, minus: &mut Big, plus: &mut Big| {
        for x in [mant, minus, plus] {
            x.mul_add(10, 0);
        }
    };
    if below(&scale, &mant.sum(&plus)) {
        k += 1;
    } else {
        times10(&mut mant, &mut minus, &mut plus);
    }
    let mut digits = Vec::with_capacity(17);
    let (down, up) = loop {
        // One digit, floor(mant / scale) < 10.
        let mut d = b'0';
        while mant.cmp(&scale) != Ordering::Less {
            mant.sub(&scale);
            d += 1;
        }
        digits.push(d);
        // Stop rounding down when mant < minus, up when scale < mant + plus (or <=).
        let down = below(&mant, &minus);
        let up = below(&scale, &mant.sum(&plus));
        if down || up {
            break (down, up);
        }
        times10(&mut mant, &mut minus, &mut plus);
    };
    if up
        && (!down || {
            mant.shl(1);
            mant.cmp(&scale) != Ordering::Less
        })
    {
        // core's `round_up`: the last digit plus one, carried; all nines become 10…0 and one
        // more digit.
        match digits.iter().rposition(|&c| c != b'9') {
            Some(i) => {
                digits[i] += 1;
                digits[i + 1..].fill(b'0');
            }
            None => {
                digits.fill(b'0');
                digits[0] = b'1';
                digits.push(b'0');
                k += 1;
            }
        }
    }
    (digits, k)
}

/// `format!("{v}")`: the shortest digits in positional notation (`1e21` as 22 digits, `1e-7`
/// as `0.0000001`, `1.0` as `1`), `-` for every negative value (`-0`, `-inf`) but NaN.
pub(crate) fn display(v: f64) -> String {
    let mut out = String::new();
    if v.is_sign_negative() && !v.is_nan() {
        out.push('-');
    }
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str("inf");
    } else if v == 0.0 {
        out.push('0');
    } else {
        let (digits, k) = shortest_digits(v.abs());
        push_positional(
            &mut out,
            core::str::from_utf8(&digits).unwrap_or_default(),
            k,
        );
    }
    out
}

/// Digits with the decimal point after `k` of them, positionally: `0.00ddd`, `dd.ddd` or
/// `ddd00` (the shared part of `{}` and of Python's `repr` in its positional range).
pub(crate) fn push_positional(out: &mut String, digits: &str, k: i32) {
    if k <= 0 {
        out.push_str("0.");
        out.extend(core::iter::repeat_n('0', k.unsigned_abs() as usize));
        out.push_str(digits);
    } else if (k as usize) < digits.len() {
        out.push_str(&digits[..k as usize]);
        out.push('.');
        out.push_str(&digits[k as usize..]);
    } else {
        out.push_str(digits);
        out.extend(core::iter::repeat_n('0', k as usize - digits.len()));
    }
}

/// A non-negative integer, 32-bit limbs, least significant first, no leading zero limbs.
struct Big(Vec<u32>);

impl Big {
    fn one() -> Big {
        Big(vec![1])
    }
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }
    /// `self + other`.
    fn sum(&self, other: &Big) -> Big {
        let (long, short) = if self.0.len() >= other.0.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut out = Big(long.0.clone());
        let mut carry = 0u64;
        for (i, limb) in out.0.iter_mut().enumerate() {
            let t = u64::from(*limb) + u64::from(short.0.get(i).copied().unwrap_or(0)) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            out.0.push(carry as u32);
        }
        out
    }
    fn from_digits(digits: &[u8]) -> Big {
        let mut b = Big(Vec::with_capacity(digits.len() / 9 + 1));
        for chunk in digits.chunks(9) {
            let mut v = 0u32;
            for &c in chunk {
                v = v * 10 + u32::from(c - b'0');
            }
            b.mul_add(10u32.pow(chunk.len() as u32), v);
        }
        b
    }
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = u64::from(a);
        for limb in self.0.iter_mut() {
            let t = u64::from(*limb) * u64::from(m) + carry;
            *limb = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }
    fn mul_pow10(&mut self, mut n: u32) {
        while n > 0 {
            let k = n.min(9);
            self.mul_add(10u32.pow(k), 0);
            n -= k;
        }
    }
    fn bits(&self) -> usize {
        match self.0.last() {
            Some(&top) => self.0.len() * 32 - top.leading_zeros() as usize,
            None => 0,
        }
    }
    fn shl(&mut self, n: usize) {
        let (limbs, bits) = (n / 32, (n % 32) as u32);
        if bits != 0 {
            let mut carry = 0u32;
            for limb in self.0.iter_mut() {
                let v = *limb;
                *limb = (v << bits) | carry;
                carry = v >> (32 - bits);
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if limbs != 0 {
            self.0.splice(0..0, core::iter::repeat_n(0, limbs));
        }
    }
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.0.iter_mut().rev() {
            let v = *limb;
            *limb = (v >> 1) | carry;
            carry = v << 31;
        }
        self.trim();
    }
    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
    /// `self -= other`, with `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let t = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            *limb = t as u32;
            borrow = i64::from(t < 0);
        }
        self.trim();
    }
    /// `(floor(self / den), self % den == 0)` for a quotient below `2^bits` (restoring
    /// division, a bit at a time; `self` becomes the remainder).
    fn div_small_quotient(&mut self, den: &Big, bits: u32) -> (u128, bool) {
        let mut d = Big(den.0.clone());
        d.shl(bits as usize - 1);
        let mut q = 0u128;
        for i in (0..bits).rev() {
            if self.cmp(&d) != Ordering::Less {
                self.sub(&d);
                q |= 1 << i;
            }
            d.shr1();
        }
        (q, self.0.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use alloc::format;
    use alloc::string::String;

    /// `str::parse::<f64>` is exact (round half to even) too: the oracle.
    fn check(text: &str) {
        let want: f64 = text.parse().unwrap();
        let got = parse(text.as_bytes()).unwrap();
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} vs {want:e}");
    }

    #[test]
    fn edge_values() {
        for t in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "0e0",
            "0e-99999999999",
            "0e99999999999",
            "1",
            "-1",
            "1.5",
            "0.1",
            "0.2",
            "0.3",
            "1e23",
            "8.98846567431158e307",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1.797693134862315807e308",
            "1.79769313486231580793728971405301e308",
            "2e308",
            "1e309",
            "1e99999999999",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.47032822920623272e-324",
            "5e-324",
            "3e-324",
            "2e-324",
            "1e-324",
            "1e-400",
            "9007199254740992",
            "9007199254740993",
            "9007199254740994",
            "9007199254740995",
            "18446744073709551615",
            "18446744073709551616",
            "123456789012345678901234567890",
            "00000000000000000001.000000000000000000000",
            "1.000000000000000111022302462515654042363166809082031250",
            "1.000000000000000111022302462515654042363166809082031251",
            "1.000000000000000111022302462515654042363166809082031249",
            "1448997445238699",
            "1.4e-45",
            "3.4028235e38",
            "1E+5",
            "1e-5",
            "-2.5E-3",
            "7.2057594037927933e16",
            "4.4501477170144023e-308",
            "2.225073858507201136057409796709131975934819546351645648e-308",
        ] {
            check(t);
        }
    }

    #[test]
    fn exact_midpoints_and_their_neighbours() {
        // (x + next) / 2 for doubles across the range, written out exactly, then nudged a
        // hair above and below: the ties-to-even decision and its neighbours.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..600 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let bits = seed % 0x7fef_ffff_ffff_ffff; // finite, positive, with a next one
            let (t, s) = exact_midpoint(f64::from_bits(bits), f64::from_bits(bits + 1));
            check(&format!("{t}e{s}"));
            check(&format!("{t}0001e{}", s - 4));
            check(&format!("{}9999e{}", minus_one(&t), s - 4));
        }
    }

    /// `(digits, s)` with `(a + b) / 2 = digits × 10^s` exactly, for adjacent positive doubles.
    fn exact_midpoint(a: f64, b: f64) -> (String, i64) {
        let (ma, ea) = parts(a);
        let (mb, eb) = parts(b);
        let e = ea.min(eb);
        let sum = (u128::from(ma) << (ea - e)) + (u128::from(mb) << (eb - e));
        let e = i64::from(e) - 1;
        // sum × 2^e: times 2^e, or times 5^-e over 10^-e. Base-10^9 limbs.
        let mut dec: Vec<u64> = Vec::new();
        let mut v = sum;
        while v > 0 {
            dec.push((v % 1_000_000_000) as u64);
            v /= 1_000_000_000;
        }
        let (factor, times, s) = if e >= 0 { (2, e, 0) } else { (5, -e, e) };
        for _ in 0..times {
            let mut carry = 0u64;
            for d in dec.iter_mut() {
                let t = *d * factor + carry;
                *d = t % 1_000_000_000;
                carry = t / 1_000_000_000;
            }
            if carry > 0 {
                dec.push(carry);
            }
        }
        let mut text = String::new();
        for (i, d) in dec.iter().rev().enumerate() {
            text.push_str(&if i == 0 {
                format!("{d}")
            } else {
                format!("{d:09}")
            });
        }
        (text, s)
    }

    fn minus_one(t: &str) -> String {
        let mut b = t.as_bytes().to_vec();
        let mut i = b.len();
        loop {
            i -= 1;
            if b[i] == b'0' {
                b[i] = b'9';
            } else {
                b[i] -= 1;
                break;
            }
        }
        String::from_utf8(b).unwrap()
    }

    use alloc::vec::Vec;
    fn parts(x: f64) -> (u64, i32) {
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), exp - 1075)
        }
    }

    #[test]
    fn random_texts() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 40 + 1) as usize;
            let mut t = String::new();
            for i in 0..n {
                let d = (next() % 10) as u8;
                t.push((b'0' + d) as char);
                if i == 0 && next() % 3 == 0 {
                    t.push('.');
                }
            }
            let e = (next() % 700) as i64 - 350;
            t.push_str(&format!("e{e}"));
            check(&t);
        }
        // Round trips of random doubles, in shortest and in 17-digit form.
        for _ in 0..20_000 {
            let x = f64::from_bits(next() & 0x7fef_ffff_ffff_ffff);
            check(&format!("{x:e}"));
            check(&format!("{x:.16e}"));
        }
    }

    #[test]
    fn long_texts_and_grammar() {
        let long = format!("0.{}1", "0".repeat(5000));
        check(&long);
        let many = format!("1{}e-1000", "7".repeat(3000));
        check(&many);
        let exact_tail = format!(
            "1.00000000000000011102230246251565404236316680908203125{}",
            "0".repeat(2000)
        );
        check(&exact_tail);
        let above_tail = format!("{exact_tail}1");
        check(&above_tail);
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "1x", "1.5.5", "--1", "1e5e5",
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(parse(b"1."), Some(1.0));
        assert_eq!(parse(b".5"), Some(0.5));
    }
}

#[cfg(test)]
mod format_tests {
    use super::{display, shortest_digits};
    use alloc::format;
    use alloc::string::String;

    /// `{:e}` from `shortest_digits`, as `json::float_repr` lays the digits out.
    fn lower_exp(x: f64) -> String {
        let sign = if x.is_sign_negative() { "-" } else { "" };
        if x == 0.0 {
            return format!("{sign}0e0");
        }
        let (digits, k) = shortest_digits(x.abs());
        let digits = String::from_utf8(digits).unwrap();
        let dot = if digits.len() > 1 { "." } else { "" };
        format!("{sign}{}{dot}{}e{}", &digits[..1], &digits[1..], k - 1)
    }

    /// The digits and exponent core prints, in both of its forms.
    fn check(x: f64) {
        if x.is_finite() {
            assert_eq!(lower_exp(x), format!("{x:e}"), "{:#x}", x.to_bits());
        }
        assert_eq!(display(x), format!("{x}"), "{:#x}", x.to_bits());
    }

    #[test]
    fn edge_values() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            1.5,
            100.0,
            1e7,
            1e15,
            1e16,
            1e21,
            1e22,
            1e23,
            123456.789,
            1e-5,
            1e-7,
            2.5e-3,
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            1e-323,
            f64::from_bits(0x000f_ffff_ffff_ffff), // the largest subnormal
            9007199254740992.0,
            9007199254740993.0,
            1.7976931348623157e308,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            253_402_300_800.0,
            -62_135_596_800.5,
        ] {
            check(x);
        }
    }

    #[test]
    fn powers_and_neighbours() {
        // Every power of two (the asymmetric error range), every power of ten that is a
        // double's neighbourhood, and the doubles next to each, both signs.
        let mut xs = alloc::vec::Vec::new();
        for e in 0..2046u64 {
            xs.push(f64::from_bits(e << 52));
            xs.push(f64::from_bits((e << 52) | 1));
            xs.push(f64::from_bits(((e + 1) << 52) - 1));
        }
        for k in -325..=309 {
            let t = format!("1e{k}");
            xs.push(t.parse().unwrap());
        }
        for x in xs {
            for y in [x, f64::from_bits(x.to_bits().wrapping_add(1)), -x] {
                if y.is_finite() {
                    check(y);
                }
            }
        }
    }

    #[test]
    fn random_doubles() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for i in 0..300_000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = match i % 3 {
                // Any bit pattern; few digits (decimal literals); subnormals.
                0 => f64::from_bits(seed),
                1 => (seed % 100_000_000) as f64 / 10f64.powi((seed >> 40) as i32 % 12),
                _ => f64::from_bits(seed & ((1 << 52) - 1)),
            };
            check(x);
        }
    }
}
