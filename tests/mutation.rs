//! Structured mutation of valid tokens (issue 9), fixed seed, no external PRNG.
//!
//! Unsigned mutations (bit flips in each segment, segment swaps between tokens, padding,
//! truncation / extension, byte insertions and deletions, character substitutions) must
//! be rejected, unless the mutated token has the same signing input and the same
//! signature as a pool token (e.g. `==` padding on the signature segment) — then the
//! original verdict is required. No mutated signature may verify.
//!
//! Re-signed mutations (JSON edits of header or payload, then signed with the test key)
//! may legitimately change the verdict: only a clean `Ok` or an `Err` with a known code
//! is asserted.
//!
//! `MUTATION_CASES` (env) overrides the number of cases (default 50,000).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use drf_sso_jwt::{Algorithm, Class, Error, TokenData, Verifier};

mod common;
use common::{b64, private_key};

const SETTINGS: &str = include_str!("../keys/settings.json");
const MYAPP_NEW: &str = include_str!("../keys/myapp-20200410.pem");
const MYAPP_OLD: &str = include_str!("../keys/myapp-20180101.pem");
const OTHERAPP: &str = include_str!("../keys/otherapp-2024.pem");
const NOW: f64 = 1_700_000_000.0;
const DEFAULT_CASES: usize = 50_000;
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Every code a token can be refused with: the core's one list, its `Token` class.
fn token_codes() -> Vec<&'static str> {
    Error::CODES
        .iter()
        .filter(|(_, class, _)| *class == Class::Token)
        .map(|(code, _, _)| *code)
        .collect()
}

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn sign(key: &rsa::PrivateKey, alg: Algorithm, header: &[u8], payload: &[u8]) -> String {
    common::token(key, alg, header, payload)
}

fn payload(iss: &str, token: &str, extra: &str) -> String {
    format!(
        r#"{{"iss":"{iss}","aud":["myapp","otherapp"],"sid":"sid-{token}","uid":"user-{token}","token":"{token}","iat":{},"exp":{}{extra}}}"#,
        NOW as i64 - 30,
        NOW as i64 + 270
    )
}

struct Pooled {
    token: String,
    /// The same signing input signed with every (key, algorithm) pair but its own.
    foreign: Vec<String>,
    key: usize,
    alg: Algorithm,
    header: String,
    payload: String,
}

/// Decodes one segment leniently (the standard alphabet, any padding), to compare
/// what a mutation decodes to.
fn lenient(seg: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(seg.trim_end_matches('=')).ok()
}

/// (signing input, signature as an integer): what signature verification depends on.
fn identity(token: &str) -> Option<(String, Vec<u8>)> {
    let dot = token.rfind('.')?;
    let sig = lenient(&token[dot + 1..])?;
    let sig: Vec<u8> = sig.iter().copied().skip_while(|b| *b == 0).collect();
    Some((token[..dot].to_owned(), sig))
}

fn code(r: &Result<TokenData, Error>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

#[test]
fn structured_mutations() {
    let cases: usize = std::env::var("MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    let verifier = Verifier::from_json(
        SETTINGS,
        [
            ("myapp-20200410.pem", MYAPP_NEW),
            ("myapp-20180101.pem", MYAPP_OLD),
            ("otherapp-2024.pem", OTHERAPP),
        ],
    )
    .unwrap();
    let keys = [
        private_key(MYAPP_NEW),
        private_key(MYAPP_OLD),
        private_key(OTHERAPP),
    ];

    // The pool of valid tokens.
    let specs: [(usize, Algorithm, &str, &str, &str); 7] = [
        (
            0,
            Algorithm::RS256,
            r#"{"alg":"RS256","typ":"JWT"}"#,
            "myapp",
            "session",
        ),
        (
            0,
            Algorithm::PS256,
            r#"{"typ":"JWT","alg":"PS256"}"#,
            "myapp",
            "auth",
        ),
        (
            0,
            Algorithm::RS256,
            r#"{"alg":"RS256","kid":"myapp-20200410"}"#,
            "myapp",
            "auth",
        ),
        (
            1,
            Algorithm::RS256,
            r#"{"alg":"RS256","kid":"myapp-20180101"}"#,
            "myapp",
            "session",
        ),
        (
            1,
            Algorithm::PS256,
            r#"{"alg":"PS256","kid":"myapp-20180101.pem"}"#,
            "myapp",
            "auth",
        ),
        (
            2,
            Algorithm::RS256,
            r#"{"alg":"RS256"}"#,
            "otherapp",
            "session",
        ),
        (
            2,
            Algorithm::PS256,
            r#"{"alg":"PS256","kid":"otherapp-2024"}"#,
            "otherapp",
            "auth",
        ),
    ];
    let pool: Vec<Pooled> = specs
        .iter()
        .map(|(k, alg, h, iss, typ)| {
            let p = payload(
                iss,
                typ,
                r#","extra":{"n":[1,2.5,null,true],"s":"\u00e9\ud83d\ude00"}"#,
            );
            let mut foreign = Vec::new();
            for (ki, key) in keys.iter().enumerate() {
                for a in [
                    Algorithm::RS256,
                    Algorithm::PS256,
                    Algorithm::RS384,
                    Algorithm::RS512,
                    Algorithm::PS512,
                ] {
                    if (ki, a) != (*k, *alg) {
                        foreign.push(sign(key, a, h.as_bytes(), p.as_bytes()));
                    }
                }
            }
            Pooled {
                token: sign(&keys[*k], *alg, h.as_bytes(), p.as_bytes()),
                foreign,
                key: *k,
                alg: *alg,
                header: h.to_string(),
                payload: p,
            }
        })
        .collect();
    let mut originals: HashMap<(String, Vec<u8>), TokenData> = HashMap::new();
    for p in &pool {
        let data = verifier
            .verify(&p.token, NOW)
            .unwrap_or_else(|e| panic!("pool token refused: {e}"));
        originals.insert(identity(&p.token).unwrap(), data);
    }

    let mut rng = Rng(SEED);
    let known = token_codes();
    let mut stats: HashMap<&'static str, usize> = HashMap::new();
    let mut unsigned_identical_ok = 0usize;
    let mut resigned = 0usize;
    let mut kinds: HashMap<&'static str, usize> = HashMap::new();

    for case in 0..cases {
        let base = rng.pick(&pool);
        let (kind, token, signed) = mutate(&mut rng, base, &pool, &keys);
        *kinds.entry(kind).or_default() += 1;
        let result = catch_unwind(AssertUnwindSafe(|| verifier.verify(&token, NOW)));
        let result = match result {
            Ok(r) => r,
            Err(_) => panic!("case {case} ({kind}) PANICKED on token {token:?}"),
        };
        // The Authorization path must agree.
        let header = format!("JWT {token}");
        let auth = catch_unwind(AssertUnwindSafe(|| {
            verifier.authenticate(Some(header.as_bytes()), NOW)
        }))
        .unwrap_or_else(|_| panic!("case {case} ({kind}) PANICKED in authenticate on {token:?}"));
        let c = code(&result);
        *stats.entry(c).or_default() += 1;
        if let Err(e) = &result {
            assert!(
                known.contains(&e.code()),
                "case {case} ({kind}): unknown code {}",
                e.code()
            );
            assert!(!e.detail().is_empty());
        }
        // bytes.split() separators (ASCII whitespace plus VT).
        if !token
            .bytes()
            .any(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        {
            match &auth {
                Ok(Some(_)) => assert_eq!(
                    c, "OK",
                    "case {case}: authenticate accepted, verify did not"
                ),
                Ok(None) => panic!("case {case}: authenticate ignored {token:?}"),
                Err(e) if token.is_empty() => assert_eq!(e.code(), "no_credentials"),
                Err(e) => assert_eq!(e.code(), c, "case {case}: authenticate and verify disagree"),
            }
        }
        if signed {
            resigned += 1;
            continue;
        }
        if let Ok(data) = &result {
            match identity(&token).and_then(|id| originals.get(&id)) {
                Some(orig) => {
                    assert_eq!(
                        data, orig,
                        "case {case} ({kind}): accepted with another meaning: {token:?}"
                    );
                    unsigned_identical_ok += 1;
                }
                None => panic!("case {case} ({kind}): MUTATED TOKEN VERIFIED: {token:?}"),
            }
        }
    }
    let mut s: Vec<_> = stats.into_iter().collect();
    s.sort();
    let mut k: Vec<_> = kinds.into_iter().collect();
    k.sort();
    println!("mutation: {cases} cases, seed {SEED:#x}, {resigned} re-signed, {unsigned_identical_ok} unsigned identical → original verdict");
    println!("mutation: kinds {k:?}");
    println!("mutation: verdicts {s:?}");
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const NOISE: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.+/ \t%\\\"{}";

fn segments(t: &str) -> Vec<String> {
    t.split('.').map(str::to_owned).collect()
}

/// Decoded bytes of segment `i` mutated by `f`, re-encoded canonically.
fn with_decoded(t: &str, i: usize, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut s = segments(t);
    let mut d = lenient(&s[i]).unwrap_or_default();
    f(&mut d);
    s[i] = b64(&d);
    s.join(".")
}

fn mutate(
    rng: &mut Rng,
    base: &Pooled,
    pool: &[Pooled],
    keys: &[rsa::PrivateKey],
) -> (&'static str, String, bool) {
    let t = base.token.clone();
    let seg = rng.below(3);
    match rng.below(14) {
        0 => (
            "decoded_bit_flip",
            with_decoded(&t, seg, |d| {
                if !d.is_empty() {
                    let i = rng.below(d.len());
                    d[i] ^= 1 << rng.below(8);
                }
            }),
            false,
        ),
        1 => {
            // Text-level flip of one of the low 7 bits of a character of the segment (stays ASCII).
            let s = segments(&t);
            let start: usize = s[..seg].iter().map(|x| x.len() + 1).sum();
            let mut b = t.into_bytes();
            if !s[seg].is_empty() {
                let i = start + rng.below(s[seg].len());
                b[i] ^= 1 << rng.below(7);
            }
            ("text_bit_flip", String::from_utf8(b).unwrap(), false)
        }
        2 => {
            let mut s = segments(&t);
            let other = segments(&rng.pick(pool).token);
            s[seg] = other[seg].clone();
            if rng.chance(50) {
                let j = rng.below(3);
                s[j] = segments(&rng.pick(pool).token)[j].clone();
            }
            ("segment_swap", s.join("."), false)
        }
        3 => {
            // Permute segments of one token.
            let s = segments(&t);
            let order = *rng.pick(&[[1, 0, 2], [0, 2, 1], [2, 1, 0], [1, 2, 0], [2, 0, 1]]);
            (
                "segment_permute",
                order
                    .iter()
                    .map(|&i| s[i].clone())
                    .collect::<Vec<_>>()
                    .join("."),
                false,
            )
        }
        4 => {
            let mut s = segments(&t);
            let pad = *rng.pick(&["=", "==", "===", "====", "=A", "\u{3d}\u{3d}"]);
            s[seg].push_str(pad);
            ("padding", s.join("."), false)
        }
        5 => {
            let cut = rng.below(t.len());
            ("truncate", t[..cut].to_owned(), false)
        }
        6 => {
            let mut t = t;
            for _ in 0..1 + rng.below(8) {
                t.push(*rng.pick(NOISE) as char);
            }
            ("extend", t, false)
        }
        7 => {
            let mut b = t.into_bytes();
            let i = rng.below(b.len() + 1);
            b.insert(i, *rng.pick(NOISE));
            ("insert_char", String::from_utf8(b).unwrap(), false)
        }
        8 => {
            let mut b = t.into_bytes();
            let i = rng.below(b.len());
            b.remove(i);
            ("delete_char", String::from_utf8(b).unwrap(), false)
        }
        9 => {
            let mut b = t.into_bytes();
            let i = rng.below(b.len());
            b[i] = *rng.pick(ALPHABET);
            ("substitute_char", String::from_utf8(b).unwrap(), false)
        }
        10 => (
            "decoded_insert_delete",
            with_decoded(&t, seg, |d| {
                if rng.chance(50) && !d.is_empty() {
                    d.remove(rng.below(d.len()));
                } else {
                    let i = rng.below(d.len() + 1);
                    d.insert(i, rng.next() as u8);
                }
            }),
            false,
        ),
        11 => {
            // Dots: extra segments, empty segments.
            let s = segments(&t);
            let m = match rng.below(5) {
                0 => format!("{t}."),
                1 => format!(".{t}"),
                2 => format!("{}..{}", s[0], s[2]),
                3 => format!("{}.{}.{}.{}", s[0], s[1], s[1], s[2]),
                _ => format!("{}.{}", s[0], s[2]),
            };
            ("dots", m, false)
        }
        12 => {
            // Signature from a different algorithm / key over the same signing input
            // (precomputed: signing is the expensive part of this test).
            let forged = rng.pick(&base.foreign);
            let mut s = segments(&t);
            s[2] = segments(forged)[2].clone();
            ("foreign_signature", s.join("."), false)
        }
        // Re-signing costs a private-key operation: 1 case in 28.
        13 if rng.chance(50) => {
            let (h, p) = if rng.chance(25) {
                (edit_json(rng, &base.header), base.payload.clone())
            } else {
                (base.header.clone(), edit_json(rng, &base.payload))
            };
            (
                "json_edit_resigned",
                sign(&keys[base.key], base.alg, h.as_bytes(), p.as_bytes()),
                true,
            )
        }
        _ => (
            "decoded_bit_flip_signature",
            with_decoded(&t, 2, |d| {
                let i = rng.below(d.len());
                d[i] ^= 1 << rng.below(8);
            }),
            false,
        ),
    }
}

const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1",
    "1.5",
    "1e3",
    "-0.0",
    "\"\"",
    "\"x\"",
    "\"1700000100\"",
    "\" 42 \"",
    "\"\\u0661\\u0662\"",
    "[]",
    "[\"myapp\"]",
    "[\"a\",1]",
    "{}",
    "{\"a\":{}}",
    "1700000100",
    "1699999000",
    "1700000000",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "1.7e9",
    "1e308",
    "\"myapp\"",
    "\"otherapp\"",
    "\"session\"",
    "\"auth\"",
    "\"RS256\"",
    "\"PS256\"",
    "\"none\"",
    "\"HS256\"",
    "\"myapp-20180101\"",
    "[\"b64\"]",
    "\"\\ud83d\\ude00\"",
    "\"\\u0000\"",
];
const CLAIMS: &[&str] = &[
    "iss", "aud", "sid", "uid", "token", "iat", "exp", "nbf", "sub", "jti", "alg", "kid", "crit",
    "b64", "typ", "x",
];

/// A JSON-text edit of an object: replace / delete / duplicate a member, add whitespace or
/// escapes, or break the syntax.
fn edit_json(rng: &mut Rng, json: &str) -> String {
    let claim = *rng.pick(CLAIMS);
    let value = *rng.pick(VALUES);
    let body = &json[1..json.len() - 1];
    let members: Vec<String> = split_members(body);
    let key = format!("\"{claim}\":");
    match rng.below(8) {
        0..=2 => {
            // Replace (or add) a member.
            let mut out: Vec<String> = members
                .iter()
                .filter(|m| !m.starts_with(&key))
                .cloned()
                .collect();
            let at = rng.below(out.len() + 1);
            out.insert(at, format!("{key}{value}"));
            format!("{{{}}}", out.join(","))
        }
        3 => {
            let out: Vec<String> = members
                .iter()
                .filter(|m| !m.starts_with(&key))
                .cloned()
                .collect();
            format!("{{{}}}", out.join(","))
        }
        4 => format!("{{{},{key}{value}}}", body), // duplicate: last wins
        5 => format!(" \n{{ {} }}\t", members.join(" ,\r\n ")),
        6 => {
            // Break the syntax at a random byte.
            let mut b = json.as_bytes().to_vec();
            let i = rng.below(b.len());
            b[i] = *rng.pick(b"{}[],:\"\\ 0a");
            String::from_utf8_lossy(&b).into_owned()
        }
        _ => {
            // Escape every character of one member's string value.
            json.replace("myapp", "\\u006dyapp")
                .replace("session", "s\\u0065ssion")
        }
    }
}

/// Top-level members of an object body (no nested commas inside strings/arrays/objects split).
fn split_members(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut in_str, mut esc, mut start) = (0i32, false, false, 0usize);
    for (i, c) in body.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(body[start..i].to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        out.push(body[start..].to_owned());
    }
    out
}
