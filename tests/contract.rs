//! The public contract beyond single verdicts: the one list of error codes against the
//! README table and the TypeScript `ErrorCode` type, structured error locations, a clock
//! that fails closed everywhere, header text taken as bytes, and key input shapes.

use std::collections::{BTreeSet, HashMap};

use drf_sso_jwt::{
    dangerous, header_bytes, CachedVerifier, Error, KeyMaterial, KeyStore, Segment, Settings,
    Verifier,
};

const SETTINGS: &str = include_str!("../keys/settings.json");
const README: &str = include_str!("../README.md");
const INDEX_D_TS: &str = include_str!("../pkg/src/index.d.ts");
const PKG_README: &str = include_str!("../pkg/README.md");
const NOW: f64 = 1_700_000_100.0;

fn key_files() -> HashMap<String, String> {
    [
        "myapp-20200410.pem",
        "myapp-20180101.pem",
        "otherapp-2024.pem",
    ]
    .into_iter()
    .map(|n| {
        let text = std::fs::read_to_string(format!("{}/keys/{n}", env!("CARGO_MANIFEST_DIR")));
        (n.to_owned(), text.unwrap())
    })
    .collect()
}

fn verifier() -> Verifier {
    // Any IntoIterator of (AsRef<str>, AsRef<[u8]>) pairs: here a HashMap<String, String>.
    Verifier::from_json(SETTINGS, key_files()).unwrap()
}

fn example_tokens() -> Vec<String> {
    include_str!("../keys/example-tokens.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

fn codes() -> BTreeSet<&'static str> {
    Error::CODES.iter().map(|(c, _, _)| *c).collect()
}

/// The codes of a markdown error table under `heading`, each checked against its DRF detail
/// (in cell `detail_cell` of the row).
fn error_table(doc: &str, heading: &str, detail_cell: usize) -> BTreeSet<&'static str> {
    let start = doc.find(heading).expect("the document has an error table");
    let table = &doc[start..];
    let table = &table[..table[3..].find("\n## ").map_or(table.len(), |e| e + 3)];
    let mut seen = BTreeSet::new();
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let detail = cells[detail_cell];
        for code in cells[1].split(',').map(|c| c.trim().trim_matches('`')) {
            let (code, _, want) = Error::CODES
                .iter()
                .find(|(c, _, _)| *c == code)
                .unwrap_or_else(|| panic!("{heading} lists {code:?}, which is not an error code"));
            assert_eq!(detail, *want, "{heading}: detail of {code}");
            assert!(seen.insert(*code), "{heading}: {code} twice");
        }
    }
    seen
}

#[test]
fn readme_error_tables_are_the_code_list() {
    assert_eq!(
        error_table(README, "## Error codes", 3),
        codes(),
        "README.md vs Error::CODES"
    );
    let pkg = error_table(PKG_README, "## Errors", 2);
    assert_eq!(pkg, codes(), "pkg/README.md vs Error::CODES");
}

#[test]
fn typescript_error_code_type_is_the_code_list() {
    let start = INDEX_D_TS.find("export type ErrorCode =").unwrap();
    let end = start + INDEX_D_TS[start..].find(';').unwrap();
    let listed: BTreeSet<&str> = INDEX_D_TS[start..end]
        .split('\'')
        .skip(1)
        .step_by(2)
        .collect();
    assert_eq!(
        listed,
        codes(),
        "pkg/src/index.d.ts ErrorCode vs Error::CODES"
    );
}

#[test]
fn errors_name_the_claim_or_segment() {
    let v = verifier();
    let token = &example_tokens()[0];
    let e = v.verify(token, 4_000_000_000.0).unwrap_err();
    assert_eq!(
        (e.code(), e.claim(), e.segment()),
        ("expired", Some("exp"), Some(Segment::Payload))
    );
    let (head, sig) = token.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let bad = format!("{head}.{flipped}{}", &sig[1..]);
    let e = v.verify(&bad, NOW).unwrap_err();
    assert_eq!(
        (e.code(), e.segment()),
        ("bad_signature", Some(Segment::Signature))
    );
    let e = v.verify("e30.e30.", NOW).unwrap_err();
    assert_eq!((e.code(), e.claim()), ("missing_claim", Some("iss")));
    let e = v.verify("!!.e30.", NOW).unwrap_err();
    assert_eq!(
        (e.code(), e.segment()),
        ("malformed", Some(Segment::Header))
    );
    let e = dangerous::decode("e30.!!.").unwrap_err();
    assert_eq!(e.segment(), Some(Segment::Payload));
    let e = v.verify("eyJraWQiOjF9.e30.", NOW).unwrap_err();
    assert_eq!(
        (e.code(), e.segment()),
        ("invalid_header", Some(Segment::Header))
    );
}

#[test]
fn a_bad_clock_fails_closed_everywhere() {
    let v = verifier();
    let token = example_tokens()[0].clone();
    assert!(v.verify(&token, NOW).is_ok());
    let header = format!("JWT {token}");
    for now in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e20,
        -1e20,
        253_402_300_800.0,
    ] {
        fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
            r.unwrap_err().code()
        }
        assert_eq!(code(v.verify(&token, now)), "bad_clock", "verify at {now}");
        assert_eq!(
            code(v.authenticate(Some(header.as_bytes()), now)),
            "bad_clock"
        );
        assert_eq!(code(v.authenticate(None, now)), "bad_clock");
        let mut c = CachedVerifier::new(v.clone(), 8).unwrap();
        assert!(c.verify(&token, NOW).is_ok());
        let id = c.last_entry().unwrap();
        assert_eq!(
            code(c.verify(&token, now)),
            "bad_clock",
            "cache hit at {now}"
        );
        assert_eq!(c.recheck(id, now).unwrap().unwrap_err().code(), "bad_clock");
        assert_eq!(
            code(c.authenticate(Some(header.as_bytes()), now)),
            "bad_clock"
        );
        let mut off = CachedVerifier::new(v.clone(), 0).unwrap();
        assert_eq!(code(off.verify(&token, now)), "bad_clock");
    }
    // The edges of datetime's range are clocks the server could read.
    assert_eq!(
        v.verify(&token, -62_135_596_800.0).unwrap_err().code(),
        "immature"
    );
    assert_eq!(
        v.verify(&token, 253_402_300_799.0).unwrap_err().code(),
        "expired"
    );
}

#[cfg(feature = "sign")]
#[test]
fn signing_times_stay_in_datetime_range() {
    use drf_sso_jwt::{signing::Claim, Issuer, Payload};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
    let settings = Settings::from_json(SETTINGS).unwrap();
    let issuer = Issuer::from_key_store_root(settings, &dir).unwrap();
    let mut p = Payload::new();
    p.set("token", Claim::Value("auth".into()));
    p.set("sid", Claim::Value("s".into()));
    p.set("uid", Claim::Value(drf_sso_jwt::json::parse(b"1").unwrap()));
    assert!(issuer.encode(&p, NOW).is_ok());
    for now in [f64::NAN, f64::INFINITY, 1e300, -1e300] {
        assert_eq!(issuer.encode(&p, now).unwrap_err().code(), "bad_clock");
    }
    // exp = iat + AUTHORIZATION_EXPIRATION past year 9999: OverflowError on the server.
    assert_eq!(
        issuer.encode(&p, 253_402_300_799.0).unwrap_err().code(),
        "sign"
    );
    for t in [1e300, -1e300, f64::NAN, 253_402_300_800.0] {
        let mut q = p.clone();
        q.set("when", Claim::DateTime(t));
        assert_eq!(
            issuer.encode(&q, NOW).unwrap_err().code(),
            "sign",
            "datetime {t}"
        );
    }
}

#[test]
fn header_text_is_taken_as_bytes() {
    assert_eq!(&*header_bytes("JWT abc"), b"JWT abc");
    assert_eq!(&*header_bytes("JWT \u{e9}"), b"JWT \xe9"); // ISO-8859-1, as WSGI
    assert_eq!(&*header_bytes("Basic \u{100}"), "Basic \u{100}".as_bytes()); // not a byte string: UTF-8
    let v = verifier();
    // Another scheme with chars above U+00FF: DRF returns None (anonymous).
    let h = header_bytes("Basic \u{442}\u{435}\u{441}\u{442}");
    assert!(v.authenticate(Some(&h), NOW).unwrap().is_none());
    // A Latin-1 byte in the token part is not UTF-8.
    let h = header_bytes("JWT abc\u{e9}");
    assert_eq!(
        v.authenticate(Some(&h), NOW).unwrap_err().code(),
        "invalid_characters"
    );
    // Tokens are bytes, as PyJWT's _load takes them: no invented verdict for non-UTF-8.
    let e = v.verify(b"\xff\xfe.e30.e30", NOW).unwrap_err();
    assert_eq!(e.code(), "malformed");
    assert_eq!(e.message(), "Invalid header padding");
}

#[test]
fn key_material_shapes() {
    let settings = Settings::from_json(SETTINGS).unwrap();
    let v = verifier();
    let jwks = v.keys().to_jwks("RS256");
    let from_jwks = KeyStore::new(&settings, KeyMaterial::from_json(&jwks).unwrap()).unwrap();
    let token = &example_tokens()[0];
    assert!(Verifier::new(settings.clone(), from_jwks)
        .unwrap()
        .verify(token, NOW)
        .is_ok());
    for bad in ["[]", "1", r#"{"a.pem": 1}"#, r#"{"keys": {}}"#] {
        let value = drf_sso_jwt::json::parse(bad.as_bytes()).unwrap();
        assert_eq!(
            KeyMaterial::from_json(&value).unwrap_err().code(),
            "config",
            "{bad}"
        );
    }
    // Byte contents and borrowed pairs work alike.
    let files = key_files();
    let pairs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    assert!(KeyStore::from_files(&settings, pairs).is_ok());
    assert!(KeyStore::from_files(&settings, &files).is_ok());
}

#[test]
fn cache_capacity_is_bounded_by_the_core() {
    assert!(CachedVerifier::new(verifier(), CachedVerifier::MAX_CAPACITY).is_ok());
    let e = CachedVerifier::new(verifier(), CachedVerifier::MAX_CAPACITY + 1).unwrap_err();
    assert_eq!(e.code(), "config");
}
