//! Python's `int(x)` on a decoded claim (PyJWT `_validate_iat/_nbf/_exp` call it),
//! and the exact `int > float` comparison Python performs against `now ± leeway`.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::json::{Int, Value, MAX_INT_DIGITS};

/// An integer as `int()` produced it, exactly: sign and decimal digits (no leading zeros;
/// zero is `"0"`, never negative). At most 4300 digits, Python's own limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PyInt {
    neg: bool,
    digits: String,
}

/// Zero digits of every Unicode `Nd` run (Unicode 14, CPython 3.11): `int()` takes any of them.
const ND_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

fn decimal(c: char) -> Option<u32> {
    let u = c as u32;
    // Runs are contiguous and sorted: the last zero <= u decides.
    let idx = ND_ZEROS.partition_point(|&z| z <= u);
    let zero = *ND_ZEROS.get(idx.checked_sub(1)?)?;
    (u - zero < 10).then_some(u - zero)
}

/// Whitespace `int()` strips: `str.isspace()` less U+001C..U+001F (CPython's parser rejects those).
fn int_space(c: char) -> bool {
    matches!(c as u32, 0x09..=0x0d | 0x20 | 0x85 | 0xa0 | 0x1680 | 0x2000..=0x200a | 0x2028 | 0x2029 | 0x202f | 0x205f | 0x3000)
}

impl PyInt {
    fn new(neg: bool, digits: &str) -> Self {
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return PyInt {
                neg: false,
                digits: "0".into(),
            };
        }
        PyInt {
            neg,
            digits: digits.into(),
        }
    }

    fn from_i64(i: i64) -> Self {
        PyInt::new(i < 0, i.unsigned_abs().to_string().as_str())
    }

    /// `floor(t)` (or, with `trunc`, `int(t)`) of a finite float, exactly.
    fn from_f64(t: f64, trunc: bool) -> Self {
        let bits = t.to_bits();
        let neg = bits >> 63 == 1;
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        // t = m * 2^e exactly.
        let (m, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), exp - 1075)
        };
        if e >= 0 {
            return PyInt::new(neg, &shifted_decimal(m, e as u32));
        }
        let shift = (-e) as u32;
        let (whole, rest) = if shift >= 64 {
            (0, m != 0)
        } else {
            (m >> shift, m & ((1u64 << shift) - 1) != 0)
        };
        // Truncation toward zero; floor moves negative non-integers one further down.
        let whole = if neg && rest && !trunc {
            whole + 1
        } else {
            whole
        };
        PyInt::new(neg, &whole.to_string())
    }

    fn cmp(&self, other: &PyInt) -> Ordering {
        let magnitude = self
            .digits
            .len()
            .cmp(&other.digits.len())
            .then_with(|| self.digits.cmp(&other.digits));
        match (self.neg, other.neg) {
            (false, false) => magnitude,
            (true, true) => magnitude.reverse(),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

/// `m * 2^e` in decimal (base 10^9 limbs, little-endian).
fn shifted_decimal(m: u64, e: u32) -> String {
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = Vec::new();
    let mut x = m;
    while x > 0 {
        limbs.push(x % BASE);
        x /= BASE;
    }
    let mut left = e;
    while left > 0 {
        let step = left.min(30);
        left -= step;
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = (*l << step) + carry;
            *l = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    }
    let mut out = String::new();
    for (i, l) in limbs.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&l.to_string());
        } else {
            let t = l.to_string();
            out.extend(core::iter::repeat_n('0', 9 - t.len()));
            out.push_str(&t);
        }
    }
    if out.is_empty() {
        out.push('0');
    }
    out
}

/// `int(s)` for a `str`, base 10: `None` where Python raises `ValueError`.
fn int_of_str(s: &str) -> Option<PyInt> {
    let s = s.trim_matches(int_space);
    let (neg, body) = match s.chars().next()? {
        '-' => (true, &s[1..]),
        '+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mut digits = alloc::vec::Vec::new();
    let mut prev_underscore = true; // no leading underscore
    for c in body.chars() {
        if c == '_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
        } else {
            digits.push(decimal(c)?);
            prev_underscore = false;
        }
    }
    if digits.is_empty() || prev_underscore || digits.len() > MAX_INT_DIGITS {
        return None;
    }
    let text: String = digits
        .into_iter()
        .map(|d| char::from(b'0' + d as u8))
        .collect();
    Some(PyInt::new(neg, &text))
}

/// `int(s, 16)` for a `str` (what `uuid.UUID(hex=...)` calls): Unicode spaces around it and
/// Unicode decimal digits are taken as `int()` takes them, then ASCII-space trimming, a sign, an
/// optional `0x` prefix (one `_` may follow it), hex digits with single `_` between them.
/// `None` where Python raises `ValueError`, or beyond 128 bits (only `UUID`'s range matters).
pub(crate) fn int_hex(s: &str) -> Option<(bool, u128)> {
    // `_PyUnicode_TransformDecimalAndSpaceToASCII`: non-ASCII spaces become ' ', non-ASCII
    // decimal digits their ASCII digit, anything else non-ASCII an invalid character.
    let mut text = alloc::vec::Vec::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            text.push(c as u8);
        } else if int_space(c) {
            text.push(b' ');
        } else {
            text.push(decimal(c).map_or(b'?', |d| b'0' + d as u8));
        }
    }
    // `PyLong_FromString`: ASCII whitespace (`Py_ISSPACE`) only from here on.
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let mut t: &[u8] = &text;
    while t.first().is_some_and(space) {
        t = &t[1..];
    }
    while t.last().is_some_and(space) {
        t = &t[..t.len() - 1];
    }
    let neg = match t.first() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => false,
    };
    if matches!(t.first(), Some(b'-' | b'+')) {
        t = &t[1..];
    }
    if t.len() >= 2 && t[0] == b'0' && matches!(t[1], b'x' | b'X') {
        t = &t[2..];
        if t.first() == Some(&b'_') {
            t = &t[1..];
        }
    }
    let mut v: u128 = 0;
    let mut digits = 0usize;
    let mut prev_underscore = true; // no leading underscore
    for &b in t {
        if b == b'_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
            continue;
        }
        let d = (b as char).to_digit(16)?;
        v = v.checked_mul(16)?.checked_add(d as u128)?;
        digits += 1;
        prev_underscore = false;
    }
    if digits == 0 || prev_underscore {
        return None;
    }
    Some((neg && v != 0, v))
}

/// `int(value)`: `None` where Python raises `ValueError`, `TypeError` or `OverflowError`.
pub(crate) fn py_int(value: &Value) -> Option<PyInt> {
    match value {
        Value::Bool(b) => Some(PyInt::from_i64(i64::from(*b))),
        Value::Int(Int::Small(i)) => Some(PyInt::from_i64(*i)),
        Value::Int(Int::Big(t)) => Some(match t.strip_prefix('-') {
            Some(d) => PyInt::new(true, d),
            None => PyInt::new(false, t),
        }),
        // int(float) truncates toward zero.
        Value::Float(f) if f.is_finite() => Some(PyInt::from_f64(*f, true)),
        Value::Str(s) => int_of_str(s),
        _ => None,
    }
}

impl PyInt {
    /// The value, where it fits 64 bits.
    pub(crate) fn to_i64(&self) -> Option<i64> {
        let m: u64 = self.digits.parse().ok()?;
        if self.neg {
            0i64.checked_sub_unsigned(m)
        } else {
            i64::try_from(m).ok()
        }
    }
    /// Python's exact `int > float`.
    pub(crate) fn gt(&self, t: f64) -> bool {
        if t.is_nan() || t == f64::INFINITY {
            return false;
        }
        if t == f64::NEG_INFINITY {
            return true;
        }
        // x > t  <=>  x > floor(t) for integral x.
        self.cmp(&PyInt::from_f64(t, false)) == Ordering::Greater
    }
    /// Python's exact `int <= float`.
    pub(crate) fn le(&self, t: f64) -> bool {
        !t.is_nan() && !self.gt(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn s(x: &str) -> Option<i128> {
        py_int(&Value::Str(x.to_string())).map(|p| {
            let v: i128 = p.digits.parse().unwrap_or(i128::MAX);
            if p.neg {
                -v
            } else {
                v
            }
        })
    }

    fn int(text: &str) -> PyInt {
        py_int(&Value::Int(crate::json::parse_int_text(text).unwrap())).unwrap()
    }

    #[test]
    fn int_of_strings_like_python() {
        assert_eq!(s("123"), Some(123));
        assert_eq!(s(" 42 "), Some(42));
        assert_eq!(s("\u{3000}7\u{85}"), Some(7));
        assert_eq!(s("\u{1c}7"), None);
        assert_eq!(s("+5"), Some(5));
        assert_eq!(s("-5"), Some(-5));
        assert_eq!(s("1_000"), Some(1000));
        assert_eq!(s("1__0"), None);
        assert_eq!(s("_1"), None);
        assert_eq!(s("1_"), None);
        assert_eq!(s("- 1"), None);
        assert_eq!(s("0010"), Some(10));
        assert_eq!(s("١٢"), Some(12));
        assert_eq!(s("１２"), Some(12));
        assert_eq!(s("\u{b2}"), None);
        assert_eq!(s("1.5"), None);
        assert_eq!(s(""), None);
        assert_eq!(s("0x10"), None);
        assert_eq!(s("NaN"), None);
        assert!(s(&"1".repeat(4300)).is_some());
        assert_eq!(s(&"1".repeat(4301)), None);
        assert!(s(&"1_".repeat(2200)).is_none()); // trailing underscore
        assert!(s(&(String::from("1") + &"_1".repeat(2200))).is_some());
    }

    #[test]
    fn int_base_16_like_python() {
        assert_eq!(int_hex("ff"), Some((false, 255)));
        assert_eq!(int_hex(" 0xF_f "), Some((false, 255)));
        assert_eq!(int_hex("0x_1"), Some((false, 1)));
        assert_eq!(int_hex("0x__1"), None);
        assert_eq!(int_hex("_1"), None);
        assert_eq!(int_hex("1_"), None);
        assert_eq!(int_hex("-1"), Some((true, 1)));
        assert_eq!(int_hex("+0"), Some((false, 0)));
        assert_eq!(int_hex("-0"), Some((false, 0)));
        assert_eq!(int_hex("0x"), None);
        assert_eq!(int_hex("\u{3000}a\u{85}"), Some((false, 10)));
        assert_eq!(int_hex("\u{1c}a"), None);
        assert_eq!(int_hex("\u{661}f"), Some((false, 0x1f)));
        assert_eq!(int_hex("\u{ff41}"), None); // fullwidth a: not a decimal digit
        assert_eq!(int_hex("g"), None);
        assert_eq!(int_hex(""), None);
        assert_eq!(int_hex(&"f".repeat(32)), Some((false, u128::MAX)));
        assert_eq!(int_hex(&"f".repeat(33)), None);
    }

    #[test]
    fn int_of_other_types() {
        assert_eq!(py_int(&Value::Bool(true)), Some(PyInt::from_i64(1)));
        assert_eq!(py_int(&Value::Float(1.9)), Some(PyInt::from_i64(1)));
        assert_eq!(py_int(&Value::Float(-1.9)), Some(PyInt::from_i64(-1)));
        assert_eq!(py_int(&Value::Float(-0.5)), Some(PyInt::from_i64(0)));
        // int(1e300): every digit of the double's exact value.
        let big = py_int(&Value::Float(1e300)).unwrap();
        assert!(big
            .digits
            .starts_with("10000000000000000525047602552044202487"));
        assert_eq!(big.digits.len(), 301);
        assert_eq!(py_int(&Value::Null), None);
        assert_eq!(py_int(&Value::Array(alloc::vec![])), None);
    }

    #[test]
    fn exact_comparisons() {
        let i = PyInt::from_i64;
        assert!(i(11).gt(10.5));
        assert!(!i(10).gt(10.5));
        assert!(!i(10).gt(10.0));
        assert!(i(10).le(10.0));
        assert!(i(-10).gt(-10.5));
        assert!(!i(-11).gt(-10.5));
        assert!(!i(1).gt(f64::INFINITY) && i(1).gt(f64::NEG_INFINITY));
        assert!(!i(1).gt(f64::NAN) && !i(1).le(f64::NAN));
        // Beyond 2^120 and 1e36 the comparison stays exact (Python: 10**40 <= 1e38 is False).
        assert!(int("10000000000000000000000000000000000000000").gt(1e38));
        assert!(int("99999999999999999999999999999999999999").gt(1e38));
        // 1e38 is exactly 99999999999999997748809823456034029568.
        assert!(!int("100000000000000000000000000000000000000").le(1e38));
        assert!(int("99999999999999997748809823456034029568").le(1e38));
        assert!(int("99999999999999997748809823456034029569").gt(1e38));
        assert!(int("-100000000000000000000000000000000000000000").le(-1e40));
        assert!(!int("-1").gt(0.0) && i(0).le(-0.0) && !i(0).gt(-0.0));
        assert!(i(0).gt(-1e-300) && !i(-1).gt(-1e-300));
    }
}
