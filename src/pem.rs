//! Key files read as bytes exactly as the server reads them: `pem` 23.1 `parse` (its one
//! regex; the first `PublicKey` / `PrivateKey` object wins), then the PEM layer of
//! cryptography 50.0.2 `load_pem_public_key` / `load_pem_private_key` (the `pem` crate
//! 4.0.0 it links, base64 0.23 `STANDARD`, its label and `Proc-Type` checks).
//!
//! Two parsers run one after the other, as on the server:
//!
//! 1. `pem.parse(file_bytes)`: `----[- ]BEGIN (L)[- ]----\r?\n(.+?)\r?\n----[- ]END \1[- ]----\r?\n?`
//!    (DOTALL, `L` one of the 18 labels of `pem._object_types`), left to right, each match
//!    an object whose bytes are the whole match. Reimplemented as a linear scan: every END
//!    line is indexed once per label, so each BEGIN finds its END by binary search.
//! 2. cryptography gets only that object's bytes and parses them again with pem-rs 4.0.0,
//!    whose framing differs (`-----BEGIN ` with five dashes, headers up to the first blank
//!    line, body whitespace-free base64 with canonical padding, BEGIN and END tags equal).
//!    Its error texts are reproduced byte for byte (they are what the server logs with its 500).

// The private-key reader serves signing (`sign` feature) only.
#![cfg_attr(not(feature = "sign"), allow(dead_code))]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A PEM label cryptography hands to one of its DER key parsers.
#[allow(clippy::enum_variant_names)] // named after the labels
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// `PUBLIC KEY`: `SubjectPublicKeyInfo`.
    PublicKey,
    /// `RSA PUBLIC KEY`: PKCS#1 `RSAPublicKey`, else an RSA `SubjectPublicKeyInfo`.
    RsaPublicKey,
    /// `PRIVATE KEY`: PKCS#8 `PrivateKeyInfo`.
    PrivateKey,
    /// `RSA PRIVATE KEY`: PKCS#1 `RSAPrivateKey`.
    RsaPrivateKey,
    /// `EC PRIVATE KEY`: SEC1 `ECPrivateKey`.
    EcPrivateKey,
    /// `DSA PRIVATE KEY`: OpenSSL's DSA sequence.
    DsaPrivateKey,
}

impl Label {
    /// The label as written in the BEGIN line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Label::PublicKey => "PUBLIC KEY",
            Label::RsaPublicKey => "RSA PUBLIC KEY",
            Label::PrivateKey => "PRIVATE KEY",
            Label::RsaPrivateKey => "RSA PRIVATE KEY",
            Label::EcPrivateKey => "EC PRIVATE KEY",
            Label::DsaPrivateKey => "DSA PRIVATE KEY",
        }
    }
}

/// What the server gets from a key file for one of the two loaders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PemRead {
    /// `pem.parse` finds no object of the wanted class: the server raises `InvalidKeyError`
    /// ("No public key found ..."), DRF answers "Unauthorized token signing key.".
    NoBlock,
    /// cryptography raises in its PEM layer (HTTP 500 on the server); its message.
    Unloadable(String),
    /// cryptography's PEM layer accepts the block and hands `der` to the key parser for `label`.
    Der {
        /// Which DER structure the label selects.
        label: Label,
        /// The decoded body.
        der: Vec<u8>,
    },
}

/// `pem.parse` + first `pem.PublicKey` + `load_pem_public_key`'s PEM layer.
pub(crate) fn first_public_key(file: &[u8]) -> PemRead {
    match first_object(file, Class::Public) {
        None => PemRead::NoBlock,
        Some(block) => load_public(block),
    }
}

/// `pem.parse` + first `pem.PrivateKey` + `load_pem_private_key(.., password=None)`'s PEM layer.
pub(crate) fn first_private_key(file: &[u8]) -> PemRead {
    match first_object(file, Class::Private) {
        None => PemRead::NoBlock,
        Some(block) => load_private(block),
    }
}

// ---- pem 23.1: `_PEM_RE.finditer` ----------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Public,
    Private,
    Other,
}

/// `pem._object_types` labels in `_PEM_TO_CLASS` order (the regex alternation order), with
/// whether the class is a `PublicKey` or `PrivateKey` subclass.
const OBJECT_LABELS: [(&[u8], Class); 18] = [
    (b"CERTIFICATE", Class::Other),
    (b"TRUSTED CERTIFICATE", Class::Other),
    (b"NEW CERTIFICATE REQUEST", Class::Other),
    (b"CERTIFICATE REQUEST", Class::Other),
    (b"X509 CRL", Class::Other),
    (b"PRIVATE KEY", Class::Private),
    (b"ENCRYPTED PRIVATE KEY", Class::Private),
    (b"PUBLIC KEY", Class::Public),
    (b"RSA PRIVATE KEY", Class::Private),
    (b"RSA PUBLIC KEY", Class::Public),
    (b"EC PRIVATE KEY", Class::Private),
    (b"DSA PRIVATE KEY", Class::Private),
    (b"DH PARAMETERS", Class::Other),
    (b"OPENSSH PRIVATE KEY", Class::Private),
    (b"SSH2 PUBLIC KEY", Class::Public),
    (b"SSH2 ENCRYPTED PRIVATE KEY", Class::Private),
    (b"PGP PUBLIC KEY BLOCK", Class::Public),
    (b"PGP PRIVATE KEY BLOCK", Class::Private),
];

fn at(f: &[u8], i: usize, lit: &[u8]) -> bool {
    f.get(i..).is_some_and(|r| r.starts_with(lit))
}

/// `[- ]----` at `i`.
fn closing_dashes(f: &[u8], i: usize) -> bool {
    matches!(f.get(i), Some(b'-' | b' ')) && at(f, i + 1, b"----")
}

/// `----[- ]` + `word` + label + `[- ]----` at `p`: the label index and the end of the dashes.
/// Labels never share a `L[- ]----` prefix, so at most one label fits.
fn delimiter(f: &[u8], p: usize, word: &[u8]) -> Option<(usize, usize)> {
    if !at(f, p, b"----") || !matches!(f.get(p + 4), Some(b'-' | b' ')) || !at(f, p + 5, word) {
        return None;
    }
    let l = p + 5 + word.len();
    OBJECT_LABELS
        .iter()
        .position(|(label, _)| at(f, l, label) && closing_dashes(f, l + label.len()))
        .map(|i| (i, l + OBJECT_LABELS[i].0.len() + 5))
}

/// The first object of class `want`, as `as_bytes()` gives it (the whole regex match).
fn first_object(f: &[u8], want: Class) -> Option<&[u8]> {
    // Every `\n----[- ]END L[- ]----` once, per label, in order: (dash start, match end
    // after the optional `\r` and `\n`).
    let mut ends: [Vec<(usize, usize)>; 18] = core::array::from_fn(|_| Vec::new());
    for d in 1..f.len() {
        if f[d - 1] == b'\n' && f[d] == b'-' {
            if let Some((li, mut e)) = delimiter(f, d, b"END ") {
                if f.get(e) == Some(&b'\r') {
                    e += 1;
                }
                if f.get(e) == Some(&b'\n') {
                    e += 1;
                }
                ends[li].push((d, e));
            }
        }
    }
    let mut p = 0;
    while p < f.len() {
        if let Some((li, q)) = delimiter(f, p, b"BEGIN ") {
            let body = match (f.get(q), f.get(q + 1)) {
                (Some(b'\r'), Some(b'\n')) => Some(q + 2),
                (Some(b'\n'), _) => Some(q + 1),
                _ => None,
            };
            if let Some(s) = body {
                // `(.+?)\r?\n` before the END dashes: the payload is at least one byte, so the
                // END's dashes start at s + 2 or later; the lazy match takes the first such END.
                let list = &ends[li];
                if let Some(&(_, e)) = list.get(list.partition_point(|&(d, _)| d < s + 2)) {
                    if OBJECT_LABELS[li].1 == want {
                        return Some(&f[p..e]);
                    }
                    p = e;
                    continue;
                }
            }
        }
        p += 1;
    }
    None
}

// ---- pem-rs 4.0.0 (`parser.rs`, `Pem::new_from_captures`) ---------------------------------

/// pem-rs `read_until`: the text before the first `marker` and the rest after it. Kept with
/// its quirk: after a partial match it restarts at the next byte without re-testing the one
/// that broke the match (`------BEGIN ` is not found, `\r\n\r\r\n\r\n` has no `\r\n\r\n`).
fn read_until<'a>(input: &'a [u8], marker: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let (mut index, mut found) = (0, 0);
    while input.len() - index >= marker.len() - found {
        if input[index] == marker[found] {
            found += 1;
        } else {
            found = 0;
        }
        index += 1;
        if found == marker.len() {
            return Some((&input[index..], &input[..index - found]));
        }
    }
    None
}

fn skip_whitespace(input: &[u8]) -> &[u8] {
    let n = input
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    &input[n..]
}

struct Captures<'a> {
    begin: &'a [u8],
    headers: &'a [u8],
    data: &'a [u8],
    end: &'a [u8],
}

/// pem-rs `parser_inner`: one section and the input after it.
fn parse_section(input: &[u8]) -> Option<(&[u8], Captures<'_>)> {
    let (input, _) = read_until(input, b"-----BEGIN ")?;
    let (input, begin) = read_until(input, b"-----")?;
    let input = skip_whitespace(input);
    let (input, payload) = read_until(input, b"-----END ")?;
    let (headers, data) = if let Some((rest, headers)) = read_until(payload, b"\n\n") {
        (headers, rest)
    } else if let Some((rest, headers)) = read_until(payload, b"\r\n\r\n") {
        (headers, rest)
    } else {
        (&[][..], payload)
    };
    let (remaining, end) = read_until(input, b"-----")?;
    Some((
        skip_whitespace(remaining),
        Captures {
            begin,
            headers,
            data,
            end,
        },
    ))
}

/// A decoded section: tag, header lines (each holds a `:`), contents.
struct Section {
    tag: String,
    headers: Vec<String>,
    contents: Vec<u8>,
}

impl Section {
    /// pem-rs `HeaderMap::get`: the last header whose trimmed key is `key`, value trimmed.
    fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .filter_map(|h| h.split_once(':'))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim())
    }
}

/// cryptography's `From<pem::PemError>` text around the error's `Debug` form.
fn pem_error(debug: &str) -> String {
    format!(
        "Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. {debug}"
    )
}

const MALFORMED_FRAMING: &str = "MalformedFraming";

/// pem-rs `Pem::new_from_captures`, checks in its order; errors as `PemError`'s `Debug`.
fn section(c: &Captures<'_>) -> Result<Section, String> {
    let utf8 = |b| core::str::from_utf8(b).map_err(|e| format!("NotUtf8({e:?})"));
    let tag = utf8(c.begin)?;
    if tag.is_empty() {
        return Err("MissingBeginTag".into());
    }
    let tag_end = utf8(c.end)?;
    if tag_end.is_empty() {
        return Err("MissingEndTag".into());
    }
    if tag != tag_end {
        return Err(format!("MismatchedTags({tag:?}, {tag_end:?})"));
    }
    let data = utf8(c.data)?;
    let b64: Vec<u8> = data.chars().filter(|c| !c.is_whitespace()).fold(
        Vec::with_capacity(data.len()),
        |mut v, c| {
            v.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            v
        },
    );
    let contents = decode_standard(&b64).map_err(|e| format!("InvalidData({e})"))?;
    let mut headers = Vec::new();
    for line in utf8(c.headers)?.lines() {
        if !line.contains(':') {
            return Err(format!("InvalidHeader({line:?})"));
        }
        headers.push(String::from(line));
    }
    Ok(Section {
        tag: String::from(tag),
        headers,
        contents,
    })
}

// ---- cryptography 50.0.2 (`src/rust/src/backend/keys.rs`) ------------------------------------

/// `load_pem_public_key`: `pem::parse` (the first section only), then the tag.
fn load_public(block: &[u8]) -> PemRead {
    let parsed = parse_section(block)
        .ok_or_else(|| String::from(MALFORMED_FRAMING))
        .and_then(|(_, c)| section(&c));
    let s = match parsed {
        Ok(s) => s,
        Err(debug) => return PemRead::Unloadable(pem_error(&debug)),
    };
    let label = match s.tag.as_str() {
        "RSA PUBLIC KEY" => Label::RsaPublicKey,
        "PUBLIC KEY" => Label::PublicKey,
        _ => return PemRead::Unloadable(
            "Valid PEM but no BEGIN PUBLIC KEY/END PUBLIC KEY delimiters. Are you sure this is a public key?".into(),
        ),
    };
    PemRead::Der {
        label,
        der: s.contents,
    }
}

/// `load_pem_private_key(data, password=None)`: `x509::find_in_pem` (`pem::parse_many`, every
/// section decoded, the first with a private key tag), `decrypt_pem`, then the tag.
fn load_private(block: &[u8]) -> PemRead {
    let mut sections = Vec::new();
    let mut input = block;
    while let Some((rest, c)) = parse_section(input) {
        match section(&c) {
            Ok(s) => sections.push(s),
            Err(debug) => return PemRead::Unloadable(pem_error(&debug)),
        }
        input = rest;
    }
    if sections.is_empty() {
        return PemRead::Unloadable(pem_error(MALFORMED_FRAMING));
    }
    const TAGS: [(&str, Option<Label>); 5] = [
        ("PRIVATE KEY", Some(Label::PrivateKey)),
        ("ENCRYPTED PRIVATE KEY", None),
        ("RSA PRIVATE KEY", Some(Label::RsaPrivateKey)),
        ("EC PRIVATE KEY", Some(Label::EcPrivateKey)),
        ("DSA PRIVATE KEY", Some(Label::DsaPrivateKey)),
    ];
    let found = sections
        .into_iter()
        .find_map(|s| TAGS.iter().find(|(t, _)| *t == s.tag).map(|(_, l)| (s, *l)));
    let Some((s, label)) = found else {
        return PemRead::Unloadable(
            "Valid PEM but no BEGIN/END delimiters for a private key found. Are you sure this is a private key?".into(),
        );
    };
    // `cryptography_key_parsing::pem::decrypt_pem` with no password.
    let unloadable = |m: &str| PemRead::Unloadable(m.into());
    const NO_PASSWORD: &str = "Password was not given but private key is encrypted";
    match s.header("Proc-Type") {
        None => {}
        Some("4,ENCRYPTED") => {
            return match s.header("DEK-Info") {
                None => unloadable("Encrypted PEM doesn't have a DEK-Info header."),
                Some(v) if !v.contains(',') => {
                    unloadable("Encrypted PEM's DEK-Info header is not valid.")
                }
                Some(_) => unloadable(NO_PASSWORD),
            }
        }
        Some(_) => {
            return unloadable("Proc-Type PEM header is not valid, key could not be decrypted.")
        }
    }
    match label {
        Some(label) => PemRead::Der {
            label,
            der: s.contents,
        },
        // cryptography first parses the EncryptedPrivateKeyInfo, then wants the password:
        // a malformed one gets its ASN.1 error text instead (a 500 all the same).
        None => unloadable(NO_PASSWORD),
    }
}

// ---- base64 0.23 `general_purpose::STANDARD` decode (canonical padding, no trailing bits) ----

/// base64 0.23 `DecodeError`, its `Display` (which is also its `Debug`).
#[allow(clippy::enum_variant_names)] // base64's names
#[derive(Debug, PartialEq, Eq)]
enum B64Error {
    InvalidByte(usize, u8),
    InvalidLength(usize),
    InvalidLastSymbol {
        offset: usize,
        symbol: u8,
        value: u8,
    },
    InvalidPadding,
}

impl core::fmt::Display for B64Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            B64Error::InvalidByte(i, b) => write!(f, "Invalid symbol {b}, offset {i}."),
            B64Error::InvalidLength(n) => write!(f, "Invalid input length: {n}"),
            B64Error::InvalidLastSymbol {
                offset,
                symbol,
                value,
            } => write!(
                f,
                "Invalid last symbol {symbol:#4x} ('{}') at offset {offset}, decoded as {value:#010b}.",
                symbol as char
            ),
            B64Error::InvalidPadding => f.write_str("Invalid padding"),
        }
    }
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// `STANDARD.decode`, with the errors base64 0.23 reports and in its order: a bad last byte
/// when the length is 1 mod 4, then the first bad byte before the last quad, then the last
/// quad's padding, length, canonical padding and trailing bits.
fn decode_standard(input: &[u8]) -> Result<Vec<u8>, B64Error> {
    let rem = input.len() % 4;
    if rem == 1 {
        let last = input[input.len() - 1];
        if last != b'=' && sextet(last).is_none() {
            return Err(B64Error::InvalidByte(input.len() - 1, last));
        }
    }
    let body = input
        .len()
        .saturating_sub(rem)
        .saturating_sub(usize::from(rem == 0) * 4);
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    for (q, quad) in input[..body].chunks_exact(4).enumerate() {
        let mut acc = 0u32;
        for (k, &b) in quad.iter().enumerate() {
            let v = sextet(b).ok_or(B64Error::InvalidByte(q * 4 + k, b))?;
            acc = (acc << 6) | u32::from(v);
        }
        out.extend_from_slice(&acc.to_be_bytes()[1..]);
    }
    let (mut morsels, mut pads, mut first_pad) = ([0u8; 4], 0, 0);
    let (mut n, mut last) = (0, (0u8, 0u8));
    for (k, &b) in input[body..].iter().enumerate() {
        if b == b'=' {
            if k < 2 {
                return Err(B64Error::InvalidByte(body + k, b));
            }
            if pads == 0 {
                first_pad = k;
            }
            pads += 1;
            continue;
        }
        if pads > 0 {
            return Err(B64Error::InvalidByte(body + first_pad, b'='));
        }
        let v = sextet(b).ok_or(B64Error::InvalidByte(body + k, b))?;
        last = (b, v);
        morsels[n] = v;
        n += 1;
    }
    if !input.is_empty() && n < 2 {
        return Err(B64Error::InvalidLength(body + n));
    }
    if (pads + n) % 4 != 0 {
        return Err(B64Error::InvalidPadding);
    }
    let bytes = n * 6 / 8;
    let num = (u32::from(morsels[0]) << 26)
        | (u32::from(morsels[1]) << 20)
        | (u32::from(morsels[2]) << 14)
        | (u32::from(morsels[3]) << 8);
    if num & (!0u32 >> (bytes * 8)) != 0 {
        return Err(B64Error::InvalidLastSymbol {
            offset: body + n - 1,
            symbol: last.0,
            value: last.1,
        });
    }
    out.extend_from_slice(&num.to_be_bytes()[..bytes]);
    Ok(out)
}

/// The DER of a test key file's first public (or private) block, read as the server reads
/// key files; `label` is the block's expected label (tests of the key parsers).
#[cfg(test)]
pub(crate) fn test_block(pem: &str, label: &str) -> Vec<u8> {
    let read = if label.contains("PUBLIC") {
        first_public_key(pem.as_bytes())
    } else {
        first_private_key(pem.as_bytes())
    };
    match read {
        PemRead::Der { label: l, der } if l.as_str() == label => der,
        other => panic!("{label}: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "Unable to load PEM file. See https://cryptography.io/en/latest/faq/#why-can-t-i-import-my-pem-file for more details. ";
    // The SPKI of keys/myapp-20200410.pem, split as openssl writes it.
    const SPKI: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3g0Wprsu5zz3NT0MJjAf
URvtACxQIMrxDbRkiRJGn6LXO+TF+vuECUzN1icVfHKqQQxw3xOsuUbVH+STsIxv
qqq32BpltfdIzKu9QPorxPXd9CIca4aLILrccPs6kLCfNt5cUvEszZZ8tdR3LzzF
pYoBWRarp/9MjuzGgESPH79ODOfetPVwWOt6mdPXMaGlsAq9cGFs7/qtdvyigS4f
RiGN8pHsrP5poYh2YXe1s1/9yP+cUVsNfGkSjMP8KPCnPSvwdpYtNNAdeMy5g+Gj
yF1VrfHt0mkrvFoaZcU/ocmxSsx8iYkR7G7bLK26PKOlHu6aQyHs4RSXuCf7uAMf
NwIDAQAB";

    fn public(body: &str) -> String {
        format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n")
    }

    fn der_of(r: &PemRead) -> Option<(Label, usize)> {
        match r {
            PemRead::Der { label, der } => Some((*label, der.len())),
            _ => None,
        }
    }

    fn unloadable(r: PemRead) -> String {
        match r {
            PemRead::Unloadable(m) => m,
            other => panic!("expected Unloadable, got {other:?}"),
        }
    }

    #[test]
    fn a_plain_block_loads() {
        let r = first_public_key(public(SPKI).as_bytes());
        assert_eq!(der_of(&r), Some((Label::PublicKey, 294)));
        let crlf = public(SPKI).replace('\n', "\r\n");
        assert_eq!(
            der_of(&first_public_key(crlf.as_bytes())),
            Some((Label::PublicKey, 294))
        );
    }

    #[test]
    fn what_the_pem_regex_does_not_find() {
        let one_line = format!(
            "-----BEGIN PUBLIC KEY-----{}-----END PUBLIC KEY-----\n",
            SPKI.replace('\n', "")
        );
        let glued_end = format!("-----BEGIN PUBLIC KEY-----\n{SPKI}-----END PUBLIC KEY-----\n");
        let indented = public(SPKI).replace('\n', "\n  ");
        let mismatch = public(SPKI).replace("END PUBLIC", "END RSA PUBLIC");
        let six_dashes_end = public(SPKI).replace("-----END", "------END");
        let trailing_space = public(SPKI).replace("KEY-----\n", "KEY----- \n");
        for f in [
            one_line,
            glued_end,
            indented,
            mismatch,
            six_dashes_end,
            trailing_space,
        ] {
            assert_eq!(first_public_key(f.as_bytes()), PemRead::NoBlock, "{f:?}");
        }
    }

    #[test]
    fn what_the_regex_finds_and_cryptography_refuses() {
        let spaced =
            public(SPKI).replace("-----BEGIN PUBLIC KEY-----", "---- BEGIN PUBLIC KEY ----");
        assert_eq!(
            unloadable(first_public_key(spaced.as_bytes())),
            format!("{PREFIX}MalformedFraming")
        );
        let blank = public(&SPKI.replacen('\n', "\n\n", 1));
        assert_eq!(
            unloadable(first_public_key(blank.as_bytes())),
            format!("{PREFIX}InvalidHeader(\"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3g0Wprsu5zz3NT0MJjAf\")")
        );
        // A header needs the blank line after it; without one it is base64 (':' = 58).
        let header = public(&format!("Comment: hi\n{SPKI}"));
        assert_eq!(
            unloadable(first_public_key(header.as_bytes())),
            format!("{PREFIX}InvalidData(Invalid symbol 58, offset 7.)")
        );
        let latin1 =
            [b"-----BEGIN PUBLIC KEY-----\nMIIB\xa0IjAN\n-----END PUBLIC KEY-----\n".as_slice()]
                .concat();
        assert_eq!(
            unloadable(first_public_key(&latin1)),
            format!("{PREFIX}NotUtf8(Utf8Error {{ valid_up_to: 4, error_len: Some(1) }})")
        );
        let ssh2 = public(SPKI).replace("PUBLIC KEY", "SSH2 PUBLIC KEY");
        assert_eq!(
            unloadable(first_public_key(ssh2.as_bytes())),
            "Valid PEM but no BEGIN PUBLIC KEY/END PUBLIC KEY delimiters. Are you sure this is a public key?"
        );
    }

    #[test]
    fn what_the_server_loads_and_a_strict_reader_would_not() {
        let header = public(&format!("Comment: \"x\"\nProc-Type: 4,ENCRYPTED\n\n{SPKI}"));
        assert_eq!(
            der_of(&first_public_key(header.as_bytes())),
            Some((Label::PublicKey, 294))
        );
        let outside = [
            b"\xe9t\xe9 \xff\x00\n".as_slice(),
            public(SPKI).as_bytes(),
            b"\xa0",
        ]
        .concat();
        assert_eq!(
            der_of(&first_public_key(&outside)),
            Some((Label::PublicKey, 294))
        );
        // Unicode whitespace in the body is dropped before base64 (U+00A0, U+2028, U+3000).
        let nbsp = public(&SPKI.replacen('\n', "\u{a0}\u{2028}\n\u{3000}", 2));
        assert_eq!(
            der_of(&first_public_key(nbsp.as_bytes())),
            Some((Label::PublicKey, 294))
        );
        // Six dashes before BEGIN: the match starts at the second one.
        let six = public(SPKI).replace("-----BEGIN", "------BEGIN");
        assert_eq!(
            der_of(&first_public_key(six.as_bytes())),
            Some((Label::PublicKey, 294))
        );
        // PKCS#1 under RSA PUBLIC KEY; the key parser decides what the DER is.
        let rsa = public("AAAA").replace("PUBLIC KEY", "RSA PUBLIC KEY");
        assert_eq!(
            der_of(&first_public_key(rsa.as_bytes())),
            Some((Label::RsaPublicKey, 3))
        );
    }

    #[test]
    fn the_first_public_object_wins_even_when_unloadable() {
        let bad = public("!!!!");
        let f = [bad.as_str(), &public(SPKI)].concat();
        assert_eq!(
            unloadable(first_public_key(f.as_bytes())),
            format!("{PREFIX}InvalidData(Invalid symbol 33, offset 0.)")
        );
        let ssh2 = "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----\n";
        let f = [ssh2, &public(SPKI)].concat();
        assert_eq!(
            unloadable(first_public_key(f.as_bytes())),
            format!("{PREFIX}MalformedFraming")
        );
        // A certificate swallows everything up to its END, a public block inside included.
        let f = format!(
            "-----BEGIN CERTIFICATE-----\n{}-----END CERTIFICATE-----\n",
            public(SPKI)
        );
        assert_eq!(first_public_key(f.as_bytes()), PemRead::NoBlock);
        // An unknown label is no object: the block inside it is found.
        let f = format!("-----BEGIN FOO-----\n{}-----END FOO-----\n", public(SPKI));
        assert!(der_of(&first_public_key(f.as_bytes())).is_some());
        // An empty block runs on to the next END of its label; pem-rs then sees an empty body.
        let f = [
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
            &public(SPKI),
        ]
        .concat();
        assert_eq!(
            der_of(&first_public_key(f.as_bytes())),
            Some((Label::PublicKey, 0))
        );
    }

    #[test]
    fn private_key_rules() {
        let block = |label: &str, head: &str| {
            format!("-----BEGIN {label}-----\n{head}{SPKI}\n-----END {label}-----\n")
        };
        let r = first_private_key(block("RSA PRIVATE KEY", "Comment: x\n\n").as_bytes());
        assert_eq!(der_of(&r), Some((Label::RsaPrivateKey, 294)));
        for (head, text) in [
            (
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
                "Password was not given but private key is encrypted",
            ),
            (
                "Proc-Type: 4,ENCRYPTED\n\n",
                "Encrypted PEM doesn't have a DEK-Info header.",
            ),
            (
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC\n\n",
                "Encrypted PEM's DEK-Info header is not valid.",
            ),
            (
                "Proc-Type: 4,ENCRYPTED\nProc-Type: 4\n\n",
                "Proc-Type PEM header is not valid, key could not be decrypted.",
            ),
        ] {
            assert_eq!(
                unloadable(first_private_key(block("PRIVATE KEY", head).as_bytes())),
                text
            );
        }
        let r = first_private_key(block("OPENSSH PRIVATE KEY", "").as_bytes());
        assert!(
            unloadable(r).starts_with("Valid PEM but no BEGIN/END delimiters for a private key")
        );
        let r = first_private_key(block("ENCRYPTED PRIVATE KEY", "").as_bytes());
        assert_eq!(
            unloadable(r),
            "Password was not given but private key is encrypted"
        );
        assert_eq!(first_private_key(public(SPKI).as_bytes()), PemRead::NoBlock);
        // Every section inside the object is decoded: a broken inner one fails the whole.
        let nested =
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END X-----\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            unloadable(first_private_key(nested.as_bytes())),
            format!("{PREFIX}MismatchedTags(\"PRIVATE KEY\", \"X\")")
        );
    }

    #[test]
    fn pem_rs_read_until_quirk() {
        assert_eq!(read_until(b"ab--c", b"-c"), None);
        assert_eq!(read_until(b"ab-c", b"-c"), Some((&b""[..], &b"ab"[..])));
        assert_eq!(read_until(b"\r\n\r\r\n\r\n", b"\r\n\r\n"), None);
        assert_eq!(read_until(b"", b"x"), None);
    }

    #[test]
    fn base64_errors_as_base64_0_23() {
        let e = |s: &str| decode_standard(s.as_bytes()).unwrap_err().to_string();
        assert_eq!(decode_standard(b"").unwrap(), Vec::<u8>::new());
        assert_eq!(decode_standard(b"YQ==").unwrap(), b"a");
        assert_eq!(decode_standard(b"YWI=").unwrap(), b"ab");
        assert_eq!(decode_standard(b"YWJj").unwrap(), b"abc");
        assert_eq!(e("YQ="), "Invalid padding");
        assert_eq!(e("YQ"), "Invalid padding");
        assert_eq!(
            e("YR=="),
            "Invalid last symbol 0x52 ('R') at offset 1, decoded as 0b00010001."
        );
        assert_eq!(e("Y==="), "Invalid symbol 61, offset 1.");
        assert_eq!(e("YWJjY"), "Invalid input length: 5");
        assert_eq!(e("YWJj!"), "Invalid symbol 33, offset 4.");
        assert_eq!(e("!WJjYWJj"), "Invalid symbol 33, offset 0.");
        assert_eq!(e("YQ==YWJj"), "Invalid symbol 61, offset 2.");
        assert_eq!(e("YWJjYQ=x"), "Invalid symbol 61, offset 6.");
        assert_eq!(e("="), "Invalid symbol 61, offset 0.");
    }

    #[test]
    fn hostile_files_are_linear_and_never_panic() {
        let mb = 1 << 20;
        let rep = |s: &str| s.repeat(mb / s.len());
        for f in [
            rep("-----BEGIN "),
            rep("-----BEGIN PUBLIC KEY-----\n"),
            rep("-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY ---\n"),
            rep("\n-----END PUBLIC KEY-----"),
            rep("-"),
            rep("\n"),
        ] {
            assert_eq!(first_public_key(f.as_bytes()), PemRead::NoBlock);
            assert_eq!(first_private_key(f.as_bytes()), PemRead::NoBlock);
        }
        // One BEGIN, then a megabyte of ENDs of other labels, then its own END.
        let f = format!(
            "-----BEGIN PUBLIC KEY-----\nA\n{}-----END PUBLIC KEY-----\n",
            rep("-----END RSA PUBLIC KEY-----\n")
        );
        assert!(matches!(
            first_public_key(f.as_bytes()),
            PemRead::Unloadable(_)
        ));
        // A megabyte object in which pem-rs finds section after section (none a private key).
        let f = format!(
            "---- BEGIN PRIVATE KEY ----\n{}\n---- END PRIVATE KEY ----\n",
            rep("-----BEGIN A-----\nAAAA\n-----END A-----\n")
        );
        let r = unloadable(first_private_key(f.as_bytes()));
        assert!(
            r.starts_with("Valid PEM but no BEGIN/END delimiters for a private key"),
            "{r}"
        );
        let f = [public(SPKI).as_bytes(), &[0xff; 1 << 20]].concat();
        assert!(der_of(&first_public_key(&f)).is_some());
    }
}
