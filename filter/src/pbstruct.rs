//! A serialized `google.protobuf.Struct` (struct.proto: `Struct`, `Value`, `ListValue`)
//! read as JSON: what Envoy hands the plugin when `configuration` is a Struct instead of
//! a StringValue (`MessageUtil::anyToBytes` passes the Any's value bytes as they are).

use alloc::string::String;
use alloc::vec::Vec;

use drf_sso_jwt::json::{Int, Map, Value};

/// Deepest Struct / ListValue nesting accepted.
const MAX_DEPTH: usize = 64;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// `(field number, wire type)`.
    fn tag(&mut self) -> Option<(u64, u8)> {
        let t = self.varint()?;
        Some((t >> 3, (t & 7) as u8))
    }

    fn bytes_field(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        self.take(n)
    }
}

/// The Struct in `bytes` as a JSON object; `None` if `bytes` is not exactly one
/// well-formed Struct of known fields (unknown fields are refused, not skipped).
pub fn decode(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    structure(bytes, 0)
}

fn structure(bytes: &[u8], depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut r = Reader { bytes, at: 0 };
    let mut map = Map::new();
    while !r.done() {
        // map<string, Value> fields = 1: each entry a message {1: key, 2: value}.
        if r.tag()? != (1, 2) {
            return None;
        }
        let mut e = Reader {
            bytes: r.bytes_field()?,
            at: 0,
        };
        let (mut key, mut value) = (String::new(), Value::Null);
        while !e.done() {
            match e.tag()? {
                (1, 2) => key = String::from(core::str::from_utf8(e.bytes_field()?).ok()?),
                (2, 2) => value = self::value(e.bytes_field()?, depth + 1)?,
                _ => return None,
            }
        }
        map.insert(key, value);
    }
    Some(Value::Object(map))
}

fn value(bytes: &[u8], depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut r = Reader { bytes, at: 0 };
    // An empty Value (no kind set) reads as null, as protobuf's JSON mapping does.
    let mut out = Value::Null;
    while !r.done() {
        out = match r.tag()? {
            (1, 0) => {
                r.varint()?;
                Value::Null
            }
            (2, 1) => {
                let b: [u8; 8] = r.take(8)?.try_into().ok()?;
                number(f64::from_le_bytes(b))?
            }
            (3, 2) => Value::Str(String::from(core::str::from_utf8(r.bytes_field()?).ok()?)),
            (4, 0) => Value::Bool(r.varint()? != 0),
            (5, 2) => structure(r.bytes_field()?, depth + 1)?,
            (6, 2) => list(r.bytes_field()?, depth + 1)?,
            _ => return None,
        };
    }
    Some(out)
}

fn list(bytes: &[u8], depth: usize) -> Option<Value> {
    let mut r = Reader { bytes, at: 0 };
    let mut items = Vec::new();
    while !r.done() {
        if r.tag()? != (1, 2) {
            return None;
        }
        items.push(value(r.bytes_field()?, depth + 1)?);
    }
    Some(Value::Array(items))
}

/// A Struct number (always a double) as JSON: whole numbers as integers, since YAML
/// `cache_size: 64` or `AUTHORIZATION_EXPIRATION: 300` mean integers; NaN/inf refused.
fn number(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Some(Value::Int(Int::Small(f as i64)));
    }
    Some(Value::Float(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use drf_sso_jwt::json;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn field(n: u64, payload: &[u8], out: &mut Vec<u8>) {
        varint(n << 3 | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }

    /// A protobuf encoder for JSON values, as Envoy's C++ side would serialize them.
    fn encode_value(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        match v {
            Value::Null => out.extend_from_slice(&[0x08, 0x00]),
            Value::Bool(b) => out.extend_from_slice(&[0x20, u8::from(*b)]),
            Value::Int(Int::Small(n)) => {
                out.push(0x11);
                out.extend_from_slice(&(*n as f64).to_le_bytes());
            }
            Value::Float(f) => {
                out.push(0x11);
                out.extend_from_slice(&f.to_le_bytes());
            }
            Value::Str(s) => field(3, s.as_bytes(), &mut out),
            Value::Object(m) => field(5, &encode_struct(m), &mut out),
            Value::Array(a) => {
                let mut l = Vec::new();
                for x in a {
                    field(1, &encode_value(x), &mut l);
                }
                field(6, &l, &mut out);
            }
            Value::Int(Int::Big(_)) => unreachable!(),
        }
        out
    }

    fn encode_struct(m: &Map) -> Vec<u8> {
        let mut out = Vec::new();
        for (k, v) in m.iter() {
            let mut e = Vec::new();
            field(1, k.as_bytes(), &mut e);
            field(2, &encode_value(v), &mut e);
            field(1, &e, &mut out);
        }
        out
    }

    #[test]
    fn round_trip_and_refusals() {
        let text = r#"{"settings": {"IDENTITY": "myapp", "AUTHORIZATION_EXPIRATION": 300, "EXPIRATION_LEEWAY": 1.5,
            "SESSION_EXPIRATION": null, "PUBLIC_KEYS": {"myapp": ["a.pem", "b.pem"]}},
            "allow_anonymous": false, "cache_size": 64, "e": "zoë", "empty": {}, "list": []}"#;
        let v = json::parse(text.as_bytes()).unwrap();
        let Value::Object(m) = &v else { panic!() };
        let bytes = encode_struct(m);
        assert_eq!(decode(&bytes), Some(v));
        // Struct bytes are never JSON text, and JSON text is never a Struct.
        assert!(json::parse(&bytes).is_err());
        assert_eq!(decode(text.as_bytes()), None);
        // Truncated, unknown field, bad UTF-8, NaN.
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(decode(&[0x10, 0x01]), None);
        let mut bad = Vec::new();
        let mut e = Vec::new();
        field(1, b"\xff", &mut e);
        field(1, &e, &mut bad);
        assert_eq!(decode(&bad), None);
        let mut nan = Vec::new();
        let mut e = Vec::new();
        field(1, b"x", &mut e);
        let mut val = vec![0x11];
        val.extend_from_slice(&f64::NAN.to_le_bytes());
        field(2, &val, &mut e);
        field(1, &e, &mut nan);
        assert_eq!(decode(&nan), None);
        assert_eq!(decode(b""), None);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_forever() {
        let mut v = Value::Null;
        for _ in 0..200 {
            let mut m = Map::new();
            m.insert("a".into(), v);
            v = Value::Object(m);
        }
        let Value::Object(m) = &v else { panic!() };
        assert_eq!(decode(&encode_struct(m)), None);
    }
}
