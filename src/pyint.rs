//! Python's `int(x)` on a decoded claim (PyJWT `_validate_iat/_nbf/_exp` call it),
//! and the exact `int > float` comparison Python performs against `now ± leeway`.

use crate::json::{Int, Value, MAX_INT_DIGITS};

/// An integer as `int()` produced it, saturated outside `i128` (only its sign matters there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PyInt(i128);

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

const SAT: i128 = 1 << 120;

fn saturating_text(neg: bool, digits: impl Iterator<Item = u32>) -> i128 {
    let mut v: i128 = 0;
    for d in digits {
        v = v.saturating_mul(10).saturating_add(d as i128).min(SAT);
    }
    if neg {
        -v
    } else {
        v
    }
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
    Some(PyInt(saturating_text(neg, digits.into_iter())))
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
        Value::Bool(b) => Some(PyInt(*b as i128)),
        Value::Int(Int::Small(i)) => Some(PyInt(*i as i128)),
        Value::Int(Int::Big(t)) => {
            let (neg, d) = match t.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, t.as_str()),
            };
            Some(PyInt(saturating_text(
                neg,
                d.bytes().map(|b| (b - b'0') as u32),
            )))
        }
        Value::Float(f) if f.is_finite() => {
            // `as` truncates toward zero, like int(float); beyond ±1e36 only the sign matters.
            Some(PyInt(if *f >= 1.0e36 {
                SAT
            } else if *f <= -1.0e36 {
                -SAT
            } else {
                *f as i128
            }))
        }
        Value::Str(s) => int_of_str(s),
        _ => None,
    }
}

impl PyInt {
    /// The value (saturated at ±2^120 beyond that).
    pub(crate) fn value(self) -> i128 {
        self.0
    }
    /// Python's exact `int > float`.
    pub(crate) fn gt(self, t: f64) -> bool {
        if t.is_nan() {
            return false;
        }
        if t >= 1.0e36 {
            return false;
        }
        if t < -1.0e36 {
            return true;
        }
        // x > t  <=>  x > floor(t) for integral x.
        let trunc = t as i128; // exact: |t| < 1e36, and t is integral beyond 2^53
        let floor = if (trunc as f64) > t { trunc - 1 } else { trunc };
        self.0 > floor
    }
    /// Python's exact `int <= float`.
    pub(crate) fn le(self, t: f64) -> bool {
        !t.is_nan() && !self.gt(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn s(x: &str) -> Option<i128> {
        py_int(&Value::Str(x.to_string())).map(|p| p.0)
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
        assert_eq!(py_int(&Value::Bool(true)), Some(PyInt(1)));
        assert_eq!(py_int(&Value::Float(1.9)), Some(PyInt(1)));
        assert_eq!(py_int(&Value::Float(-1.9)), Some(PyInt(-1)));
        assert_eq!(py_int(&Value::Null), None);
        assert_eq!(py_int(&Value::Array(alloc::vec![])), None);
    }

    #[test]
    fn exact_comparisons() {
        assert!(PyInt(11).gt(10.5));
        assert!(!PyInt(10).gt(10.5));
        assert!(!PyInt(10).gt(10.0));
        assert!(PyInt(10).le(10.0));
        assert!(PyInt(SAT).gt(1e30));
        assert!(!PyInt(SAT).gt(f64::INFINITY));
        assert!(!PyInt(1).gt(f64::NAN) && !PyInt(1).le(f64::NAN));
    }
}
