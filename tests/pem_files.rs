//! Key files read as the server reads them (`src/pem.rs`, pem 23.1 + cryptography 50.0.2):
//! every variant `tests/parity/pem_cases.py` records must get, through `KeyStore` (the
//! public key) and `SigningKey` (the private key), the outcome the server's own
//! `rest_framework_sso.keys` functions got for the same bytes. The checked-in fixture
//! always runs; the generated corpus (`target/parity/pem_corpus.json`, or
//! `DRF_SSO_PEM_CORPUS`) runs when present and is required with `PEM_CORPUS_REQUIRED=1`.
#![cfg(feature = "sign")]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use drf_sso_jwt::json::{self, Value};
use drf_sso_jwt::{KeyStore, Settings, SigningKey};

const FIXTURE: &str = include_str!("pem/fixture.json");
const HARDENINGS: &str = include_str!("parity/hardening.json");

/// Texts of cryptography's PEM layer (as in pem_cases.py); other errors are DER-level.
const PEM_LAYER: [&str; 6] = [
    "Unable to load PEM file.",
    "Valid PEM but no BEGIN",
    "Password was not given but private key is encrypted",
    "Proc-Type PEM header is not valid",
    "Encrypted PEM doesn't have a DEK-Info header.",
    "Encrypted PEM's DEK-Info header is not valid.",
];

/// The known differences, each by name: what the server and we do, and why.
struct Named {
    name: &'static str,
    applies: fn(id: &str, path: &str, server: &Outcome, ours: &Outcome) -> bool,
}

const NAMED: [Named; 2] = [
    // Both refuse (HTTP 500 on the server); only the text differs. cryptography parses an
    // `ENCRYPTED PRIVATE KEY`'s EncryptedPrivateKeyInfo before it asks for the password,
    // so a malformed one gets its ASN.1 error; ours always says "encrypted" (there is never
    // a password, so encrypted keys are not parsed).
    Named {
        name: "encrypted_pkcs8_text",
        applies: |id, path, server, ours| {
            id.ends_with("encrypted_pkcs8_malformed")
                && path == "private"
                && matches!(server, Outcome::DerError(_))
                && *ours
                    == Outcome::PemError(
                        "Password was not given but private key is encrypted".to_owned(),
                    )
        },
    },
    // DER level, not PEM: cryptography checks a loaded RSA private key as OpenSSL's
    // RSA_check_key does (dP, dQ, qInv against p, q, d) and refuses one whose CRT values are
    // damaged ("Invalid private key"); the `rsa` crate recomputes them and signs correctly.
    // Only seeded random mutations of a private key body produce this.
    Named {
        name: "rsa_private_crt_check",
        applies: |id, path, server, ours| {
            id.starts_with("random/")
                && path == "private"
                && *server == Outcome::DerError("Invalid private key".to_owned())
                && matches!(ours, Outcome::Loaded { .. })
        },
    },
];

#[derive(Debug, PartialEq)]
enum Outcome {
    NoBlock,
    Loaded { n: String, e: u64 },
    PemError(String),
    DerError(String),
}

fn hex(b: &[u8]) -> String {
    let s: String = b.iter().map(|x| format!("{x:02x}")).collect();
    s.trim_start_matches('0').to_owned()
}

fn classify(message: &str, prefix: &str) -> Outcome {
    let m = message.strip_prefix(prefix).unwrap_or(message);
    if PEM_LAYER.iter().any(|p| m.starts_with(p)) {
        Outcome::PemError(m.to_owned())
    } else {
        Outcome::DerError(m.to_owned())
    }
}

fn public(file: &[u8]) -> Outcome {
    let settings =
        Settings::from_json(r#"{"PUBLIC_KEYS": {"i": "k.pem"}, "MIN_KEY_BITS": 1024}"#).unwrap();
    match KeyStore::from_files(&settings, [("k.pem", file)]) {
        Err(e) => classify(e.message(), "key \"k.pem\": "),
        // A file the server cannot load fails the tokens that select it: its reason is kept.
        Ok(store) if store.warnings().iter().any(|w| w.code == "key_unavailable") => {
            classify(&store.warnings()[0].reason, "")
        }
        Ok(store) => {
            let jwks = store.to_jwks("RS256");
            let keys = match jwks.as_object().and_then(|m| m.get("keys")) {
                Some(Value::Array(keys)) => keys.clone(),
                other => panic!("jwks without keys: {other:?}"),
            };
            let Some(k) = keys.first().and_then(Value::as_object) else {
                return Outcome::NoBlock;
            };
            let member = |name: &str| {
                URL_SAFE_NO_PAD
                    .decode(k.get(name).and_then(Value::as_str).unwrap())
                    .unwrap()
            };
            let e = member("e")
                .iter()
                .fold(0u64, |a, b| (a << 8) | u64::from(*b));
            Outcome::Loaded {
                n: hex(&member("n")),
                e,
            }
        }
    }
}

fn private(file: &[u8]) -> Outcome {
    match SigningKey::from_pem("k.pem", file) {
        Err(e) if e.message().starts_with("No private key found in \"k.pem\"") => Outcome::NoBlock,
        Err(e) => classify(e.message(), "\"k.pem\": "),
        Ok(k) => {
            let v = k.verifying_key().unwrap();
            Outcome::Loaded {
                n: hex(v.modulus()),
                e: v.exponent()
                    .iter()
                    .fold(0u64, |a, b| (a << 8) | u64::from(*b)),
            }
        }
    }
}

fn expected(v: &Value) -> Outcome {
    let m = v.as_object().unwrap();
    let text = |k: &str| {
        m.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match text("kind").as_str() {
        "no_block" => Outcome::NoBlock,
        "loaded" => Outcome::Loaded {
            n: text("n"),
            e: json::dumps(m.get("e").unwrap(), false).parse().unwrap(),
        },
        "pem_error" => Outcome::PemError(text("message")),
        "der_error" => Outcome::DerError(text("message")),
        other => panic!("unknown kind {other}"),
    }
}

/// Compares every case; returns (outcomes compared, named differences seen), panics on others.
fn compare(doc: &str, what: &str) -> (usize, usize) {
    let doc = json::parse(doc.as_bytes()).unwrap();
    let cases = match doc.as_object().and_then(|m| m.get("cases")) {
        Some(Value::Array(c)) => c.clone(),
        _ => panic!("{what}: no cases"),
    };
    assert!(cases.len() >= 50, "{what}: only {} cases", cases.len());
    let (mut compared, mut named, mut failures) = (0, Vec::new(), Vec::new());
    for case in &cases {
        let c = case.as_object().unwrap();
        let id = c.get("id").and_then(Value::as_str).unwrap();
        let file: Vec<u8> = c
            .get("file")
            .and_then(Value::as_str)
            .unwrap()
            .chars()
            .map(|ch| u8::try_from(u32::from(ch)).expect("latin-1 text"))
            .collect();
        for (path, got) in [("public", public(&file)), ("private", private(&file))] {
            compared += 1;
            let want = expected(c.get(path).unwrap());
            let same = match (&want, &got) {
                (Outcome::DerError(_), Outcome::DerError(_)) => true,
                _ => want == got,
            };
            if same {
                continue;
            }
            match NAMED.iter().find(|n| (n.applies)(id, path, &want, &got)) {
                Some(n) => named.push(format!("{id} [{path}] {}", n.name)),
                None => failures.push(format!("{id} [{path}]: server {want:?}, ours {got:?}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} of {compared} differ:\n{}",
        failures.len(),
        failures[..failures.len().min(25)].join("\n")
    );
    println!(
        "{what}: {} files, {} of {compared} loader outcomes equal to the server's; named differences: {named:?}",
        cases.len(),
        compared - named.len(),
    );
    (compared, named.len())
}

#[test]
fn named_differences_are_listed_in_hardening_json() {
    for n in &NAMED {
        assert!(
            HARDENINGS.contains(&format!("\"name\": \"{}\"", n.name)),
            "{} missing from tests/parity/hardening.json",
            n.name
        );
    }
}

#[test]
fn fixture_variants_match_the_server() {
    let (compared, named) = compare(FIXTURE, "tests/pem/fixture.json");
    assert_eq!(
        named, 1,
        "the encrypted_pkcs8_malformed case is in the fixture"
    );
    assert!(compared >= 160);
}

#[test]
fn generated_corpus_matches_the_server() {
    let path = std::env::var("DRF_SSO_PEM_CORPUS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/parity/pem_corpus.json").to_owned()
    });
    match std::fs::read_to_string(&path) {
        Ok(doc) => {
            compare(&doc, &path);
        }
        Err(e) if std::env::var("PEM_CORPUS_REQUIRED").as_deref() == Ok("1") => {
            panic!("PEM_CORPUS_REQUIRED=1 but {path}: {e}")
        }
        Err(_) => println!(
            "NOTE: {path} absent (tests/parity/run.sh makes it): generated pem corpus SKIPPED"
        ),
    }
}
