//! JSON values as Python's `json` module (CPython 3.11, used by PyJWT 2.15) reads
//! and writes them: `json.loads(bytes)` with encoding detection, insertion-ordered
//! objects where the last duplicate wins, exact big integers, `json.dumps` output
//! with `ensure_ascii` and `float.__repr__`, and Python's `str()` of a value.

use alloc::borrow::{Cow, ToOwned};
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

/// Nesting levels no caller can raise the limit beyond (recursion depth of the parser).
pub(crate) const MAX_DEPTH_CAP: usize = 512;

/// Python's `sys.get_int_max_str_digits()` default: longer integer literals raise `ValueError`.
pub(crate) const MAX_INT_DIGITS: usize = 4300;

/// A Python integer: exact at any size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Int {
    /// Fits in an `i64`.
    Small(i64),
    /// Outside `i64`; canonical decimal text (optional `-`, no leading zeros).
    Big(String),
}

/// A decoded JSON value, as `json.loads` would build it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null` → `None`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal → `int`.
    Int(Int),
    /// A literal with a fraction or exponent → `float` (always finite here).
    Float(f64),
    /// A string.
    Str(String),
    /// An array → `list`.
    Array(Vec<Value>),
    /// An object → `dict`.
    Object(Map),
}

/// An insertion-ordered object; a repeated key keeps its first position and takes the last value, as `dict` does.
#[derive(Debug, Clone, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
    /// Key → position, built once a map grows past `INDEX_FROM` entries (keeps inserts O(log n)).
    index: Option<BTreeMap<String, usize>>,
}

const INDEX_FROM: usize = 16;

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Map {
    /// An empty map.
    pub fn new() -> Self {
        Map {
            entries: Vec::new(),
            index: None,
        }
    }
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }
    /// Whether `key` is present (`key in dict`).
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }
    /// `dict[key] = value`: replaces in place or appends.
    pub fn insert(&mut self, key: String, value: Value) {
        if let Some(i) = self.position(&key) {
            self.entries[i].1 = value;
            return;
        }
        if let Some(ix) = &mut self.index {
            ix.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_FROM {
            // One insert per key, not `collect()` (its stable sort and bulk build are ~3 KB
            // of the RSA-only wasm module); the keys are distinct, so the map is the same.
            let mut ix = BTreeMap::new();
            for (i, (k, _)) in self.entries.iter().enumerate() {
                ix.insert(k.clone(), i);
            }
            self.index = Some(ix);
        }
    }
    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut m = Map::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl Value {
    /// Python truthiness (`bool(value)`).
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(Int::Small(i)) => *i != 0,
            Value::Int(Int::Big(_)) => true,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(m) => !m.is_empty(),
        }
    }
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
}

/// Why `loads` refused its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Python raises `ValueError` too (the server rejects): message.
    Invalid(String),
    /// Python accepts, this crate refuses (documented hardening): message.
    Unsupported(String),
}

/// `json.loads(data)` for `bytes` (nesting limited to 64 levels); errors are [`crate::Error::Malformed`]
/// or [`crate::Error::UnsupportedJson`].
pub fn parse(data: &[u8]) -> crate::errors::Result<Value> {
    loads(data, 64).map_err(|e| match e {
        JsonError::Invalid(m) => crate::errors::Error::Malformed(m.into()),
        JsonError::Unsupported(m) => crate::errors::Error::UnsupportedJson(m.into()),
    })
}

/// `json.loads(data)` for `bytes`, with a nesting limit (`max_depth`, hardening).
pub(crate) fn loads(data: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let text = decode_text(data)?;
    // The parser recurses per level: a hard cap keeps any caller's limit stack-safe.
    let max_depth = max_depth.min(MAX_DEPTH_CAP);
    let mut p = Parser {
        s: &text,
        i: 0,
        depth: 0,
        max_depth,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != text.len() {
        return Err(p.err("Extra data"));
    }
    Ok(v)
}

/// `bytes.decode(json.detect_encoding(b), "surrogatepass")`, held as UTF-8 (a surrogate as
/// its three-byte form, which strings then refuse): UTF-8 input is only checked, not copied.
fn decode_text(b: &[u8]) -> Result<Cow<'_, [u8]>, JsonError> {
    const BOM32: [&[u8]; 2] = [&[0, 0, 0xfe, 0xff], &[0xff, 0xfe, 0, 0]];
    if b.starts_with(BOM32[0]) {
        return decode_utf32(&b[4..], true);
    }
    if b.starts_with(BOM32[1]) {
        return decode_utf32(&b[4..], false);
    }
    if b.starts_with(&[0xfe, 0xff]) {
        return decode_utf16(&b[2..], true);
    }
    if b.starts_with(&[0xff, 0xfe]) {
        return decode_utf16(&b[2..], false);
    }
    if b.starts_with(&[0xef, 0xbb, 0xbf]) {
        return check_utf8(&b[3..]);
    }
    if b.len() >= 4 {
        if b[0] == 0 {
            return if b[1] != 0 {
                decode_utf16(b, true)
            } else {
                decode_utf32(b, true)
            };
        }
        if b[1] == 0 {
            return if b[2] != 0 || b[3] != 0 {
                decode_utf16(b, false)
            } else {
                decode_utf32(b, false)
            };
        }
    } else if b.len() == 2 {
        if b[0] == 0 {
            return decode_utf16(b, true);
        }
        if b[1] == 0 {
            return decode_utf16(b, false);
        }
    }
    check_utf8(b)
}

fn codec_err(codec: &str) -> JsonError {
    JsonError::Invalid(format!("'{codec}' codec can't decode bytes"))
}

/// UTF-8 where encoded surrogates (`ED A0..BF xx`) are allowed ("surrogatepass").
fn check_utf8(b: &[u8]) -> Result<Cow<'_, [u8]>, JsonError> {
    if core::str::from_utf8(b).is_ok() {
        return Ok(Cow::Borrowed(b));
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            i += 1;
            continue;
        }
        let (len, min, init) = match c {
            0xc2..=0xdf => (2, 0x80, (c & 0x1f) as u32),
            0xe0..=0xef => (3, 0x800, (c & 0x0f) as u32),
            0xf0..=0xf4 => (4, 0x10000, (c & 0x07) as u32),
            _ => return Err(codec_err("utf-8")),
        };
        if i + len > b.len() {
            return Err(codec_err("utf-8"));
        }
        let mut cp = init;
        for &cc in &b[i + 1..i + len] {
            if cc & 0xc0 != 0x80 {
                return Err(codec_err("utf-8"));
            }
            cp = (cp << 6) | (cc & 0x3f) as u32;
        }
        if cp < min || cp > 0x10ffff {
            return Err(codec_err("utf-8"));
        }
        i += len;
    }
    Ok(Cow::Borrowed(b))
}

/// Appends code point `cp` (surrogates included) as UTF-8.
fn push_utf8(out: &mut Vec<u8>, cp: u32) {
    match cp {
        0..=0x7f => out.push(cp as u8),
        0x80..=0x7ff => out.extend_from_slice(&[0xc0 | (cp >> 6) as u8, 0x80 | (cp & 0x3f) as u8]),
        0x800..=0xffff => out.extend_from_slice(&[
            0xe0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
        _ => out.extend_from_slice(&[
            0xf0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3f) as u8,
            0x80 | ((cp >> 6) & 0x3f) as u8,
            0x80 | (cp & 0x3f) as u8,
        ]),
    }
}

fn decode_utf16(b: &[u8], be: bool) -> Result<Cow<'static, [u8]>, JsonError> {
    if !b.len().is_multiple_of(2) {
        return Err(codec_err("utf-16"));
    }
    let units: Vec<u32> = b
        .chunks_exact(2)
        .map(|c| if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) } as u32)
        .collect();
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        if (0xd800..0xdc00).contains(&u)
            && i + 1 < units.len()
            && (0xdc00..0xe000).contains(&units[i + 1])
        {
            push_utf8(
                &mut out,
                0x10000 + ((u - 0xd800) << 10) + (units[i + 1] - 0xdc00),
            );
            i += 2;
        } else {
            push_utf8(&mut out, u);
            i += 1;
        }
    }
    Ok(Cow::Owned(out))
}

fn decode_utf32(b: &[u8], be: bool) -> Result<Cow<'static, [u8]>, JsonError> {
    if !b.len().is_multiple_of(4) {
        return Err(codec_err("utf-32"));
    }
    let mut out = Vec::with_capacity(b.len());
    for c in b.chunks_exact(4) {
        let u = if be {
            u32::from_be_bytes([c[0], c[1], c[2], c[3]])
        } else {
            u32::from_le_bytes([c[0], c[1], c[2], c[3]])
        };
        if u > 0x10ffff {
            return Err(codec_err("utf-32"));
        }
        push_utf8(&mut out, u);
    }
    Ok(Cow::Owned(out))
}

/// Over the decoded text as UTF-8; positions in messages count code points, as Python's.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
    max_depth: usize,
}

fn is_surrogate(c: u32) -> bool {
    (0xd800..0xe000).contains(&c)
}

/// Code points in UTF-8 bytes (every byte but continuation bytes starts one).
fn chars(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c & 0xc0 != 0x80).count()
}

impl Parser<'_> {
    /// `JSONDecodeError` text: `msg: line L column C (char P)`.
    fn err(&self, what: &str) -> JsonError {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|&&c| c == 0x0a).count() + 1;
        let line_start = before.iter().rposition(|&c| c == 0x0a).map_or(0, |n| n + 1);
        let pos = chars(before);
        let col = pos - chars(&before[..line_start]) + 1;
        JsonError::Invalid(format!("{what}: line {line} column {col} (char {pos})"))
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(0x20 | 0x09 | 0x0a | 0x0d)) {
            self.i += 1;
        }
    }
    fn lit(&mut self, word: &str) -> bool {
        let w = word.as_bytes();
        if self.s[self.i..].starts_with(w) {
            self.i += w.len();
            true
        } else {
            false
        }
    }
    fn value(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            Some(0x22) => {
                self.i += 1;
                self.string().map(Value::Str)
            }
            Some(0x7b) => self.nested(|p| p.object()),
            Some(0x5b) => self.nested(|p| p.array()),
            Some(0x6e) if self.lit("null") => Ok(Value::Null),
            Some(0x74) if self.lit("true") => Ok(Value::Bool(true)),
            Some(0x66) if self.lit("false") => Ok(Value::Bool(false)),
            Some(0x4e) if self.lit("NaN") => {
                Err(JsonError::Unsupported("NaN is not accepted".into()))
            }
            Some(0x49) if self.lit("Infinity") => {
                Err(JsonError::Unsupported("Infinity is not accepted".into()))
            }
            Some(0x2d) if self.lit("-Infinity") => {
                Err(JsonError::Unsupported("-Infinity is not accepted".into()))
            }
            Some(c) if c == 0x2d || (0x30..=0x39).contains(&c) => self.number(),
            _ => Err(self.err("Expecting value")),
        }
    }
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Value, JsonError>,
    ) -> Result<Value, JsonError> {
        if self.depth >= self.max_depth {
            return Err(JsonError::Unsupported(format!(
                "JSON nesting deeper than {} levels",
                self.max_depth
            )));
        }
        self.depth += 1;
        self.i += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }
    fn object(&mut self) -> Result<Value, JsonError> {
        let mut m = Map::new();
        self.ws();
        if self.peek() == Some(0x7d) {
            self.i += 1;
            return Ok(Value::Object(m));
        }
        loop {
            if self.peek() != Some(0x22) {
                return Err(self.err("Expecting property name enclosed in double quotes"));
            }
            self.i += 1;
            let k = self.string()?;
            self.ws();
            if self.peek() != Some(0x3a) {
                return Err(self.err("Expecting ':' delimiter"));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            m.insert(k, v);
            self.ws();
            match self.peek() {
                Some(0x7d) => {
                    self.i += 1;
                    return Ok(Value::Object(m));
                }
                Some(0x2c) => {
                    self.i += 1;
                    self.ws();
                }
                _ => return Err(self.err("Expecting ',' delimiter")),
            }
        }
    }
    fn array(&mut self) -> Result<Value, JsonError> {
        let mut a = Vec::new();
        self.ws();
        if self.peek() == Some(0x5d) {
            self.i += 1;
            return Ok(Value::Array(a));
        }
        loop {
            self.ws();
            a.push(self.value()?);
            self.ws();
            match self.peek() {
                Some(0x5d) => {
                    self.i += 1;
                    return Ok(Value::Array(a));
                }
                Some(0x2c) => self.i += 1,
                _ => return Err(self.err("Expecting ',' delimiter")),
            }
        }
    }
    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for k in 0..4 {
            v = v * 16 + char::from(*self.s.get(at + k)?).to_digit(16)?;
        }
        Some(v)
    }
    /// After the opening quote; strict mode (control characters refused).
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        loop {
            // A run of plain ASCII, copied at once.
            let run = self.s[self.i..]
                .iter()
                .position(|&c| !(0x20..0x80).contains(&c) || c == 0x22 || c == 0x5c)
                .unwrap_or(self.s.len() - self.i);
            if run > 0 {
                let text = core::str::from_utf8(&self.s[self.i..self.i + run]).unwrap_or("");
                out.push_str(text);
                self.i += run;
            }
            let Some(c) = self.peek() else {
                return Err(self.err("Unterminated string starting at"));
            };
            self.i += 1;
            match c {
                0x22 => return Ok(out),
                0x5c => {
                    let Some(e) = self.peek() else {
                        return Err(self.err("Unterminated string starting at"));
                    };
                    self.i += 1;
                    let ch = match e {
                        0x22 => '"',
                        0x5c => '\\',
                        0x2f => '/',
                        0x62 => '\u{8}',
                        0x66 => '\u{c}',
                        0x6e => '\n',
                        0x72 => '\r',
                        0x74 => '\t',
                        0x75 => {
                            let Some(mut u) = self.hex4(self.i) else {
                                return Err(self.err("Invalid \\uXXXX escape"));
                            };
                            self.i += 4;
                            if (0xd800..0xdc00).contains(&u)
                                && self.s.get(self.i) == Some(&0x5c)
                                && self.s.get(self.i + 1) == Some(&0x75)
                            {
                                if let Some(lo) = self.hex4(self.i + 2) {
                                    if (0xdc00..0xe000).contains(&lo) {
                                        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                                        self.i += 6;
                                    }
                                }
                            }
                            char::from_u32(u).ok_or_else(|| {
                                JsonError::Unsupported("lone surrogate in string".into())
                            })?
                        }
                        _ => return Err(self.err("Invalid \\escape")),
                    };
                    out.push(ch);
                }
                c if c < 0x20 => return Err(self.err("Invalid control character at")),
                c => {
                    // The lead byte of a sequence `decode_text` checked (or built).
                    let (len, init) = match c {
                        0xc0..=0xdf => (1, (c & 0x1f) as u32),
                        0xe0..=0xef => (2, (c & 0x0f) as u32),
                        _ => (3, (c & 0x07) as u32),
                    };
                    let tail = self.s.get(self.i..self.i + len).unwrap_or(&[]);
                    let cp = tail
                        .iter()
                        .fold(init, |cp, &cc| (cp << 6) | (cc & 0x3f) as u32);
                    self.i += len;
                    if is_surrogate(cp) {
                        return Err(JsonError::Unsupported("lone surrogate in string".into()));
                    }
                    out.push(char::from_u32(cp).ok_or_else(|| self.err("Invalid character"))?);
                }
            }
        }
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(0x30..=0x39)) {
            self.i += 1;
        }
        self.i - start
    }
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.i;
        if self.peek() == Some(0x2d) {
            self.i += 1;
        }
        match self.peek() {
            Some(0x30) => self.i += 1,
            Some(0x31..=0x39) => {
                self.digits();
            }
            _ => {
                self.i = start;
                return Err(self.err("Expecting value"));
            }
        }
        let mut is_float = false;
        if self.peek() == Some(0x2e) && matches!(self.s.get(self.i + 1), Some(0x30..=0x39)) {
            self.i += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(), Some(0x65 | 0x45)) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(0x2b | 0x2d)) {
                self.i += 1;
            }
            if self.digits() == 0 {
                self.i = save;
            } else {
                is_float = true;
            }
        }
        let text = core::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        if is_float {
            let f =
                crate::pyfloat::parse(text.as_bytes()).ok_or_else(|| self.err("Invalid number"))?;
            if !f.is_finite() {
                return Err(JsonError::Unsupported(format!(
                    "number {text} overflows to infinity"
                )));
            }
            Ok(Value::Float(f))
        } else {
            parse_int_text(text)
                .map(Value::Int)
                .map_err(JsonError::Invalid)
        }
    }
}

/// Canonical integer from an optional `-` and ASCII digits (leading zeros allowed), with Python's digit limit.
pub fn parse_int_text(text: &str) -> Result<Int, String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.len() > MAX_INT_DIGITS {
        return Err(format!(
            "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value has {} digits",
            digits.len()
        ));
    }
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(Int::Small(0));
    }
    if digits.len() <= 18 {
        let v: i64 = digits.parse().unwrap_or(0);
        return Ok(Int::Small(if neg { -v } else { v }));
    }
    let mut t = String::with_capacity(digits.len() + 1);
    if neg {
        t.push('-');
    }
    t.push_str(digits);
    if let Ok(v) = t.parse::<i64>() {
        return Ok(Int::Small(v));
    }
    Ok(Int::Big(t))
}

impl Int {
    /// Decimal text (`str(int)`).
    pub fn to_text(&self) -> String {
        match self {
            Int::Small(i) => i.to_string(),
            Int::Big(s) => s.clone(),
        }
    }
}

/// `float.__repr__`: shortest round-trip digits; scientific when the decimal exponent is < -4 or >= 16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // The shortest digits that read back as `f` (what `{:e}` prints, without core's float
    // formatting: ~9 KB of the RSA-only wasm module) and the decimal point's position.
    let (digits, decpt) = if f == 0.0 {
        (alloc::vec![b'0'], 1)
    } else {
        crate::pyfloat::shortest_digits(f.abs())
    };
    let digits = core::str::from_utf8(&digits).unwrap_or_default();
    repr_from_digits(f.is_sign_negative(), digits, decpt)
}

/// `float.__repr__`'s layout of shortest digits whose decimal point comes after `decpt` of
/// them: positional for `-4 < decpt <= 16` (`.0` after an integer), else `d.ddde±XX`.
fn repr_from_digits(neg: bool, digits: &str, decpt: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4 < decpt) && (decpt <= 16) {
        crate::pyfloat::push_positional(&mut out, digits, decpt);
        if decpt >= digits.len() as i32 {
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = decpt - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    out
}

/// `json.dumps(value, separators=(",", ":"), ensure_ascii=True, sort_keys=sort_keys)`.
pub fn dumps(value: &Value, sort_keys: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, value, sort_keys);
    out
}

/// Appends `value` as compact JSON (`json.dumps` with `separators=(",", ":")`).
pub fn write_json(out: &mut String, value: &Value, sort_keys: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(&i.to_text()),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => write_json_str(out, s),
        Value::Array(a) => {
            out.push('[');
            for (n, v) in a.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_json(out, v, sort_keys);
            }
            out.push(']');
        }
        Value::Object(m) if !sort_keys => write_map(out, m),
        Value::Object(m) => {
            out.push('{');
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            if sort_keys {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            for (n, (k, v)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_json_str(out, k);
                out.push(':');
                write_json(out, v, sort_keys);
            }
            out.push('}');
        }
    }
}

/// Appends `m` as a compact JSON object in insertion order.
pub fn write_map(out: &mut String, m: &Map) {
    out.push('{');
    for (n, (k, v)) in m.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_json_str(out, k);
        out.push(':');
        write_json(out, v, false);
    }
    out.push('}');
}

/// Appends a JSON string with `ensure_ascii`: everything outside `' '..='~'` escaped, lower-case hex.
pub fn write_json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{:04x}", u);
                }
            }
        }
    }
    out.push('"');
}

/// Python's `str(value)` of a decoded JSON value (drf-sso uses `str(iss)` as the issuer name).
pub fn py_str(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr(value)`.
pub fn py_repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, value);
    out
}

fn write_repr(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => out.push_str(&i.to_text()),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => write_str_repr(out, s),
        Value::Array(a) => {
            out.push('[');
            for (n, v) in a.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_repr(out, v);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (n, (k, v)) in m.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_str_repr(out, k);
                out.push_str(": ");
                write_repr(out, v);
            }
            out.push('}');
        }
    }
}

fn write_str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if crate::printable::is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_escapes_what_python_3_11_does_not_print() {
        // Python 3.11: repr(['a\u0378b', '\u0600', 'é\u3000', '😀\U000e0001', "it's", '\x7f\xad'])
        let v = Value::Array(
            [
                "a\u{378}b",
                "\u{600}",
                "é\u{3000}",
                "😀\u{e0001}",
                "it's",
                "\u{7f}\u{ad}",
            ]
            .iter()
            .map(|s| Value::Str((*s).into()))
            .collect(),
        );
        assert_eq!(
            py_repr(&v),
            r#"['a\u0378b', '\u0600', 'é\u3000', '😀\U000e0001', "it's", '\x7f\xad']"#
        );
    }

    fn l(s: &str) -> Result<Value, JsonError> {
        loads(s.as_bytes(), 64)
    }

    #[test]
    fn python_loads_semantics() {
        let v = l(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(dumps(&v, false), r#"{"a":3,"b":2}"#);
        assert!(matches!(l("NaN"), Err(JsonError::Unsupported(_))));
        assert!(matches!(l("-Infinity"), Err(JsonError::Unsupported(_))));
        assert!(matches!(l("1e400"), Err(JsonError::Unsupported(_))));
        assert!(matches!(l(r#""\ud800""#), Err(JsonError::Unsupported(_))));
        assert_eq!(
            l(r#""\ud83d\ude00""#).unwrap(),
            Value::Str("\u{1F600}".into())
        );
        assert!(matches!(l("01"), Err(JsonError::Invalid(_))));
        assert!(matches!(l("1."), Err(JsonError::Invalid(_))));
        assert!(matches!(l("[1,]"), Err(JsonError::Invalid(_))));
        assert!(matches!(l("\"\t\""), Err(JsonError::Invalid(_))));
        assert_eq!(l("-0").unwrap(), Value::Int(Int::Small(0)));
        assert_eq!(
            l(" 12345678901234567890 ").unwrap(),
            Value::Int(Int::Big("12345678901234567890".into()))
        );
        let big = "1".repeat(4301);
        assert!(matches!(l(&big), Err(JsonError::Invalid(_))));
        assert!(l(&"1".repeat(4300)).is_ok());
        assert!(matches!(l(&"[".repeat(65)), Err(JsonError::Unsupported(_))));
        // UTF-8 BOM and UTF-16 are decoded as Python's detect_encoding does.
        assert!(loads(b"\xef\xbb\xbf{}", 64).is_ok());
        assert!(loads(b"{\x00}\x00", 64).is_ok());
        // Encoded surrogates pass decoding ("surrogatepass") and are then refused.
        assert!(matches!(
            loads(b"\"\xed\xa0\x80\"", 64),
            Err(JsonError::Unsupported(_))
        ));
        assert!(matches!(
            loads(b"\"\xc0\x80\"", 64),
            Err(JsonError::Invalid(_))
        ));
    }

    #[test]
    fn python_dumps_and_repr() {
        let cases = [
            (1e16, "1e+16"),
            (1e-7, "1e-07"),
            (0.1, "0.1"),
            (5.0, "5.0"),
            (1e22, "1e+22"),
            (-0.0, "-0.0"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (1.5e300, "1.5e+300"),
        ];
        for (f, s) in cases {
            assert_eq!(float_repr(f), s, "{f}");
        }
        let v = Value::Str("\x7f\u{e9}\u{1F600}".into());
        assert_eq!(dumps(&v, false), r#""\u007f\u00e9\ud83d\ude00""#);
        let v = l(r#"[1, true, null, "it's", {"k": 1.0}]"#).unwrap();
        assert_eq!(py_str(&v), r#"[1, True, None, "it's", {'k': 1.0}]"#);
    }
    /// The float_repr of before (digits from core's `{:e}`), the oracle of the one on
    /// shortest_digits.
    fn float_repr_by_core(f: f64) -> String {
        if f.is_nan() {
            return "nan".into();
        }
        if f.is_infinite() {
            return if f > 0.0 { "inf".into() } else { "-inf".into() };
        }
        let sci = format!("{:e}", f);
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let (neg, mant) = match mant.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mant),
        };
        let digits: String = mant.chars().filter(|c| *c != '.').collect();
        repr_from_digits(neg, &digits, exp + 1)
    }

    #[test]
    fn float_repr_as_before() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut xs = alloc::vec![
            0.0,
            -0.0,
            1.0,
            0.1,
            1e16,
            1e-4,
            1e-5,
            1e15,
            123.0,
            f64::MAX,
            5e-324,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY
        ];
        for _ in 0..300_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            xs.push(f64::from_bits(seed));
            xs.push((seed % 10_000_000) as f64 / 1000.0);
        }
        for x in xs {
            assert_eq!(float_repr(x), float_repr_by_core(x), "{:#x}", x.to_bits());
        }
    }
}
