//! Named hostile-input tests (issue 9): every classic JWT attack against the verifier
//! with the expected stable error code. Tokens are signed here with the `rsa` crate
//! directly so this file does not depend on the optional `sign` feature.
//!
//! Key files: keys/myapp-*.pem and keys/otherapp-2024.pem are the project's test keys;
//! keys/test-only-1024.pem (1024-bit, for MIN_KEY_BITS) and keys/test-only-attacker.pem
//! (2048-bit "attacker" key, never configured anywhere) were generated with
//! `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:N` for these tests only.

use std::time::Instant;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use drf_sso_jwt::{
    dangerous, json, Algorithm, Error, KeyMaterial, KeyStore, Settings, TokenData, Verifier,
};
use hmac::{KeyInit, Mac};
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};

mod common;
use common::{b64, pem_block, private_key, rsa_sign};

const SETTINGS: &str = include_str!("../keys/settings.json");
const MYAPP_NEW: &str = include_str!("../keys/myapp-20200410.pem");
const MYAPP_OLD: &str = include_str!("../keys/myapp-20180101.pem");
const OTHERAPP: &str = include_str!("../keys/otherapp-2024.pem");
const SMALL_1024: &str = include_str!("../keys/test-only-1024.pem");
const ATTACKER: &str = include_str!("../keys/test-only-attacker.pem");

const NOW: f64 = 1_700_000_000.0;

// ---------------------------------------------------------------- helpers

fn key_files() -> [(&'static str, &'static str); 3] {
    [
        ("myapp-20200410.pem", MYAPP_NEW),
        ("myapp-20180101.pem", MYAPP_OLD),
        ("otherapp-2024.pem", OTHERAPP),
    ]
}

fn verifier() -> Verifier {
    Verifier::from_json(SETTINGS, key_files()).expect("fixture settings load")
}

/// keys/settings.json with some top-level entries replaced or added (`extra` is `"K": V, ...`):
/// appended last, and in a JSON object read as Python's `dict` the last duplicate wins.
fn settings_with(extra: &str) -> String {
    let end = SETTINGS.rfind('}').unwrap();
    format!("{}, {extra}}}", &SETTINGS[..end])
}

fn verifier_with(extra: &str) -> Verifier {
    Verifier::from_json(&settings_with(extra), key_files()).expect("settings load")
}

fn public_der(text: &str) -> Vec<u8> {
    let block = pem_block(text, "PUBLIC KEY");
    let body: String = block.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// A compact token over exactly these header and payload bytes.
fn token(key: &rsa::PrivateKey, alg: Algorithm, header: &str, payload: &str) -> String {
    common::token(key, alg, header.as_bytes(), payload.as_bytes())
}

fn hmac_token(alg: &str, secret: &[u8], header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = match alg {
        "HS256" => hmac::Hmac::<Sha256>::new_from_slice(secret)
            .unwrap()
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        "HS384" => hmac::Hmac::<Sha384>::new_from_slice(secret)
            .unwrap()
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        "HS512" => hmac::Hmac::<Sha512>::new_from_slice(secret)
            .unwrap()
            .chain_update(input.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec(),
        _ => unreachable!(),
    };
    format!("{input}.{}", b64(&sig))
}

fn payload_for(iss: &str) -> String {
    payload_with(iss, &[])
}

/// The standard payload with claims replaced or added (raw JSON values).
fn payload_with(iss: &str, changes: &[(&str, &str)]) -> String {
    let iss = format!("\"{iss}\"");
    let iat = (NOW as i64 - 10).to_string();
    let exp = (NOW as i64 + 300).to_string();
    let mut claims: Vec<(&str, &str)> = vec![
        ("iss", &iss),
        ("aud", "\"myapp\""),
        ("sid", "\"s-1\""),
        ("uid", "\"u-1\""),
        ("token", "\"session\""),
        ("iat", &iat),
        ("exp", &exp),
    ];
    for (k, v) in changes {
        match claims.iter_mut().find(|(c, _)| c == k) {
            Some(slot) => slot.1 = v,
            None => claims.push((k, v)),
        }
    }
    let body: Vec<String> = claims.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    format!("{{{}}}", body.join(","))
}

fn code(r: Result<TokenData, Error>) -> &'static str {
    match r {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

fn assert_code(r: Result<TokenData, Error>, want: &str, what: &str) {
    assert_eq!(code(r), want, "{what}");
}

// ---------------------------------------------------------------- baseline

#[test]
fn baseline_valid_tokens_verify() {
    let v = verifier();
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let t = token(
            &private_key(MYAPP_NEW),
            alg,
            &format!(r#"{{"alg":"{}","typ":"JWT"}}"#, alg.name()),
            &payload_for("myapp"),
        );
        assert_code(v.verify(&t, NOW), "OK", alg.name());
    }
    // kid selects the older rotation.
    let t = token(
        &private_key(MYAPP_OLD),
        Algorithm::RS256,
        r#"{"alg":"RS256","kid":"myapp-20180101"}"#,
        &payload_for("myapp"),
    );
    assert_code(v.verify(&t, NOW), "OK", "old rotation by kid");
    let t = token(
        &private_key(OTHERAPP),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &payload_for("otherapp"),
    );
    assert_code(v.verify(&t, NOW), "OK", "otherapp");
    // Algorithms outside DECODE_ALGORITHMS are refused even with a good signature.
    let t = token(
        &private_key(MYAPP_NEW),
        Algorithm::RS512,
        r#"{"alg":"RS512"}"#,
        &payload_for("myapp"),
    );
    assert_code(v.verify(&t, NOW), "bad_algorithm", "RS512 not allowed");
}

// ---------------------------------------------------------------- alg none

const NONE_SPELLINGS: [&str; 4] = ["none", "None", "NONE", "nOnE"];

fn none_tokens(payload: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for alg in NONE_SPELLINGS {
        let input = format!(
            "{}.{}",
            b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()),
            b64(payload.as_bytes())
        );
        out.push((alg.to_owned(), format!("{input}.")));
        // Some libraries accepted a junk signature with alg none.
        out.push((alg.to_owned(), format!("{input}.{}", b64(b"junk"))));
        // And a real signature, in case "none" were mapped to "skip the check".
        let sig = rsa_sign(&private_key(MYAPP_NEW), Algorithm::RS256, input.as_bytes());
        out.push((alg.to_owned(), format!("{input}.{}", b64(&sig))));
    }
    out
}

#[test]
fn alg_none_every_capitalisation_default_algorithms() {
    let v = verifier();
    for (alg, t) in none_tokens(&payload_for("myapp")) {
        assert_code(
            v.verify(&t, NOW),
            "bad_algorithm",
            &format!("alg {alg} with default DECODE_ALGORITHMS"),
        );
    }
}

#[test]
fn alg_none_every_capitalisation_even_when_allowed() {
    for allowed in NONE_SPELLINGS {
        let v = verifier_with(&format!(r#""DECODE_ALGORITHMS": ["RS256", "{allowed}"]"#));
        for (alg, t) in none_tokens(&payload_for("myapp")) {
            let want = match (alg.as_str(), alg == allowed) {
                // PyJWT: NoneAlgorithm.prepare_key refuses a key → InvalidKeyError.
                ("none", true) => "invalid_key",
                // Not in the allow-list → InvalidAlgorithmError; other spellings are unknown to PyJWT.
                _ => "bad_algorithm",
            };
            assert_code(
                v.verify(&t, NOW),
                want,
                &format!("alg {alg} with DECODE_ALGORITHMS [RS256, {allowed}]"),
            );
        }
    }
}

// ---------------------------------------------------------------- HMAC key confusion

fn hmac_secrets() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("whole key file text", MYAPP_NEW.as_bytes().to_vec()),
        (
            "public PEM block",
            pem_block(MYAPP_NEW, "PUBLIC KEY").as_bytes().to_vec(),
        ),
        (
            "public PEM block + newline",
            format!("{}\n", pem_block(MYAPP_NEW, "PUBLIC KEY")).into_bytes(),
        ),
        ("public key DER", public_der(MYAPP_NEW)),
    ]
}

#[test]
fn hs_signed_with_public_key_default_algorithms() {
    let v = verifier();
    for alg in ["HS256", "HS384", "HS512"] {
        for (what, secret) in hmac_secrets() {
            let t = hmac_token(
                alg,
                &secret,
                &format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
                &payload_for("myapp"),
            );
            assert_code(
                v.verify(&t, NOW),
                "bad_algorithm",
                &format!("{alg} keyed with {what}"),
            );
        }
    }
}

#[test]
fn hs_signed_with_public_key_when_hs_allowed() {
    let v = verifier_with(r#""DECODE_ALGORITHMS": ["RS256", "HS256", "HS384", "HS512"]"#);
    for alg in ["HS256", "HS384", "HS512"] {
        for (what, secret) in hmac_secrets() {
            let t = hmac_token(
                alg,
                &secret,
                &format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
                &payload_for("myapp"),
            );
            // The server raises (HTTP 500) rather than verifying; this crate refuses cleanly.
            assert_code(
                v.verify(&t, NOW),
                "unsupported_algorithm",
                &format!("{alg} keyed with {what}, HS allowed"),
            );
        }
    }
    // Same with ENCODE_ALGORITHM = HS256 and no DECODE_ALGORITHMS.
    let v = verifier_with(r#""DECODE_ALGORITHMS": null, "ENCODE_ALGORITHM": "HS256""#);
    let t = hmac_token(
        "HS256",
        MYAPP_NEW.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &payload_for("myapp"),
    );
    assert_code(
        v.verify(&t, NOW),
        "unsupported_algorithm",
        "ENCODE_ALGORITHM HS256",
    );
}

// ---------------------------------------------------------------- key selection

#[test]
fn kid_pointing_at_another_issuers_key() {
    let v = verifier();
    let other = private_key(OTHERAPP);
    let mine = private_key(MYAPP_NEW);
    for kid in [
        "otherapp-2024",
        "otherapp-2024.pem",
        "../otherapp-2024.pem",
        "./otherapp-2024",
        "OTHERAPP-2024",
    ] {
        let h = format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#);
        assert_code(
            v.verify(
                token(&other, Algorithm::RS256, &h, &payload_for("myapp")),
                NOW,
            ),
            "unknown_key",
            &format!("kid {kid} signed by otherapp"),
        );
        assert_code(
            v.verify(
                token(&mine, Algorithm::RS256, &h, &payload_for("myapp")),
                NOW,
            ),
            "unknown_key",
            &format!("kid {kid} signed by myapp"),
        );
    }
}

#[test]
fn issuer_b_key_claiming_issuer_a() {
    let v = verifier();
    let (other, attacker) = (private_key(OTHERAPP), private_key(ATTACKER));
    // (signing key, header, iss, expected code, what)
    let cases = [
        // iss A, kid of B's key, signed by B.
        (
            &other,
            r#"{"alg":"RS256","kid":"otherapp-2024"}"#,
            "myapp",
            "unknown_key",
            "iss myapp, kid otherapp, signed by otherapp",
        ),
        // iss A, no kid: A's first key is used, B's signature fails.
        (
            &other,
            r#"{"alg":"RS256"}"#,
            "myapp",
            "bad_signature",
            "iss myapp, no kid, signed by otherapp",
        ),
        // iss A with A's old kid, signed by B.
        (
            &other,
            r#"{"alg":"RS256","kid":"myapp-20180101"}"#,
            "myapp",
            "bad_signature",
            "iss myapp, kid myapp old, signed by otherapp",
        ),
        // Untrusted issuer with a perfectly good signature.
        (
            &attacker,
            r#"{"alg":"RS256"}"#,
            "attacker",
            "untrusted_issuer",
            "issuer not accepted",
        ),
    ];
    for (key, header, iss, code, what) in cases {
        let t = token(key, Algorithm::RS256, header, &payload_for(iss));
        assert_code(v.verify(&t, NOW), code, what);
    }
}

// ---------------------------------------------------------------- embedded key headers

#[test]
fn jku_x5u_jwk_headers_are_never_trusted() {
    let v = verifier();
    let attacker = private_key(ATTACKER);
    let n = b64(&attacker.n().to_be_bytes_trimmed_vartime());
    let e = b64(&attacker.e().to_be_bytes_trimmed_vartime());
    let der = STANDARD.encode(public_der(ATTACKER));
    let jwk = format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}","kid":"myapp-20200410"}}"#);
    let headers = [
        format!(r#"{{"alg":"RS256","jwk":{jwk}}}"#),
        format!(r#"{{"alg":"RS256","kid":"myapp-20200410","jwk":{jwk}}}"#),
        r#"{"alg":"RS256","jku":"https://attacker.example/jwks.json"}"#.to_owned(),
        r#"{"alg":"RS256","x5u":"https://attacker.example/cert.pem"}"#.to_owned(),
        format!(r#"{{"alg":"RS256","x5c":["{der}"]}}"#),
        format!(
            r#"{{"alg":"PS256","jwk":{jwk},"jku":"https://attacker.example/","x5u":"https://attacker.example/"}}"#
        ),
    ];
    for h in &headers {
        let alg = if h.contains("PS256") {
            Algorithm::PS256
        } else {
            Algorithm::RS256
        };
        let t = token(&attacker, alg, h, &payload_for("myapp"));
        assert_code(
            v.verify(&t, NOW),
            "bad_signature",
            &format!("attacker-signed with header {h}"),
        );
        // The same headers on a genuinely signed token are simply ignored.
        let t = token(&private_key(MYAPP_NEW), alg, h, &payload_for("myapp"));
        assert_code(
            v.verify(&t, NOW),
            "OK",
            &format!("genuine token with header {h}"),
        );
    }
}

// ---------------------------------------------------------------- signature shapes

fn with_signature(t: &str, sig: &[u8]) -> String {
    let dot = t.rfind('.').unwrap();
    format!("{}.{}", &t[..dot], b64(sig))
}

fn signature_of(t: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(&t[t.rfind('.').unwrap() + 1..])
        .unwrap()
}

#[test]
fn signature_of_wrong_length() {
    let v = verifier_with(
        r#""DECODE_ALGORITHMS": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]"#,
    );
    let key = private_key(MYAPP_NEW);
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let t = token(
            &key,
            alg,
            &format!(r#"{{"alg":"{}"}}"#, alg.name()),
            &payload_for("myapp"),
        );
        assert_code(v.verify(&t, NOW), "OK", alg.name());
        let sig = signature_of(&t);
        assert_eq!(sig.len(), 256);
        let mut longer_tail = sig.clone();
        longer_tail.push(0);
        let mut longer_head = vec![0u8];
        longer_head.extend_from_slice(&sig);
        let mut longer_ones = vec![0xffu8];
        longer_ones.extend_from_slice(&sig);
        for (what, s) in [
            ("+1 byte at end", longer_tail),
            ("+1 zero byte in front", longer_head),
            ("+1 0xff byte in front", longer_ones),
        ] {
            assert_code(
                v.verify(with_signature(&t, &s), NOW),
                "bad_signature",
                &format!("{} {what}", alg.name()),
            );
        }
        // One byte short (last byte dropped) never verifies: the value changes.
        assert_code(
            v.verify(with_signature(&t, &sig[..sig.len() - 1]), NOW),
            "bad_signature",
            &format!("{} -1 byte", alg.name()),
        );
        // One byte short (first byte dropped): for RS* always refused (PKCS#1 v1.5 needs the
        // full length); for PS* only an equal numeric value could pass, which needs a 0x00 first byte.
        let short = &sig[1..];
        let want = if alg.is_pss() && sig[0] == 0 {
            "OK"
        } else {
            "bad_signature"
        };
        assert_code(
            v.verify(with_signature(&t, short), NOW),
            want,
            &format!("{} first byte dropped", alg.name()),
        );
        // Empty signature, and all-zero / all-0xff / modulus-sized garbage.
        for (what, s) in [
            ("empty", vec![]),
            ("zeros", vec![0u8; 256]),
            ("ones", vec![0xffu8; 256]),
            ("one", {
                let mut o = vec![0u8; 256];
                o[255] = 1;
                o
            }),
        ] {
            assert_code(
                v.verify(with_signature(&t, &s), NOW),
                "bad_signature",
                &format!("{} {what} signature", alg.name()),
            );
        }
    }
}

#[test]
fn rs_pkcs1_signature_left_padded_is_refused_but_pss_short_is_parity() {
    // RS256: a PKCS#1 v1.5 signature whose first byte happens to be 0x00 must not verify
    // when that byte is stripped (OpenSSL refuses short PKCS#1 v1.5 signatures). Search a
    // few payloads for such a signature (deterministic; ~1/256 per payload).
    let v = verifier();
    let key = private_key(MYAPP_NEW);
    let mut found = false;
    for i in 0..2000 {
        let p = payload_for("myapp").replace("\"s-1\"", &format!("\"s-{i}\""));
        let t = token(&key, Algorithm::RS256, r#"{"alg":"RS256"}"#, &p);
        let sig = signature_of(&t);
        if sig[0] == 0 {
            assert_code(v.verify(&t, NOW), "OK", "full-length RS256");
            assert_code(
                v.verify(with_signature(&t, &sig[1..]), NOW),
                "bad_signature",
                "RS256 with its leading zero stripped",
            );
            found = true;
            break;
        }
    }
    assert!(
        found,
        "no RS256 signature with a leading zero byte in 2000 payloads"
    );
}

#[test]
fn alg_confusion_between_rs_and_ps() {
    let v = verifier();
    let key = private_key(MYAPP_NEW);
    // Signed RS256 but labelled PS256, and the reverse.
    for (label, signed_as, what) in [
        (
            r#"{"alg":"PS256"}"#,
            Algorithm::RS256,
            "RS256 signature labelled PS256",
        ),
        (
            r#"{"alg":"RS256"}"#,
            Algorithm::PS256,
            "PS256 signature labelled RS256",
        ),
    ] {
        let t = token(&key, signed_as, label, &payload_for("myapp"));
        assert_code(v.verify(&t, NOW), "bad_signature", what);
    }
    // Odd alg spellings and types.
    for alg in [
        r#""rs256""#,
        r#""RS256 ""#,
        r#"" RS256""#,
        r#""RS256\u0000""#,
        r#"["RS256"]"#,
        "null",
        "256",
        r#""""#,
    ] {
        let h = format!(r#"{{"alg":{alg}}}"#);
        let t = token(&key, Algorithm::RS256, &h, &payload_for("myapp"));
        assert_code(v.verify(&t, NOW), "bad_algorithm", &format!("alg {alg}"));
    }
    let t = token(
        &key,
        Algorithm::RS256,
        r#"{"typ":"JWT"}"#,
        &payload_for("myapp"),
    );
    assert_code(v.verify(&t, NOW), "bad_algorithm", "no alg");
}

// ---------------------------------------------------------------- key sizes

#[test]
fn keys_under_2048_bits_rejected_at_load_by_default() {
    let settings = r#"{"IDENTITY":"myapp","PUBLIC_KEYS":{"small":"test-only-1024.pem"}}"#;
    let e = Verifier::from_json(settings, [("test-only-1024.pem", SMALL_1024)]).unwrap_err();
    assert_eq!(e.code(), "config");
    assert!(e.message().contains("MIN_KEY_BITS"), "{e}");
    // A JWK of the same key is refused too.
    let k = private_key(SMALL_1024);
    let jwk = format!(
        r#"{{"kty":"RSA","n":"{}","e":"{}"}}"#,
        b64(&k.n().to_be_bytes_trimmed_vartime()),
        b64(&k.e().to_be_bytes_trimmed_vartime())
    );
    let s = Settings::from_json(settings).unwrap();
    let material = KeyMaterial::from_json(
        &json::parse(format!(r#"{{"test-only-1024.pem": {jwk}}}"#).as_bytes()).unwrap(),
    )
    .unwrap();
    assert_eq!(KeyStore::new(&s, material).unwrap_err().code(), "config");
}

#[test]
fn keys_under_2048_bits_accepted_with_min_key_bits_1024() {
    let settings =
        r#"{"IDENTITY":"myapp","MIN_KEY_BITS":1024,"PUBLIC_KEYS":{"small":"test-only-1024.pem"}}"#;
    let v = Verifier::from_json(settings, [("test-only-1024.pem", SMALL_1024)])
        .expect("1024-bit key allowed");
    let t = token(
        &private_key(SMALL_1024),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &payload_for("small"),
    );
    assert_code(
        v.verify(&t, NOW),
        "OK",
        "1024-bit key with MIN_KEY_BITS 1024",
    );
    // 1025 is one too many.
    let settings =
        r#"{"IDENTITY":"myapp","MIN_KEY_BITS":1025,"PUBLIC_KEYS":{"small":"test-only-1024.pem"}}"#;
    assert_eq!(
        Verifier::from_json(settings, [("test-only-1024.pem", SMALL_1024)])
            .unwrap_err()
            .code(),
        "config"
    );
}

// ---------------------------------------------------------------- sizes and shapes

#[test]
fn oversized_tokens_rejected_fast() {
    let v = verifier();
    let good = token(
        &private_key(MYAPP_NEW),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &payload_for("myapp"),
    );
    // Just over the limit.
    let pad = "A".repeat(8193 - good.len());
    let t = format!("{good}{pad}");
    assert_eq!(t.len(), 8193);
    assert_code(v.verify(&t, NOW), "too_large", "8193 bytes");
    // Exactly at the limit: decoded, then refused for another reason.
    let at_limit = &t[..8192];
    assert_ne!(code(v.verify(at_limit, NOW)), "too_large");
    // 64 MiB: refused before any decoding.
    let huge = "A".repeat(64 << 20);
    let start = Instant::now();
    assert_code(v.verify(&huge, NOW), "too_large", "64 MiB");
    let header = format!("JWT {huge}");
    assert_eq!(
        v.authenticate(Some(header.as_bytes()), NOW)
            .unwrap_err()
            .code(),
        "too_large"
    );
    println!("64 MiB token refused twice in {:?}", start.elapsed());
    // MAX_TOKEN_BYTES = 0 refuses everything non-empty.
    let v0 = verifier_with(r#""MAX_TOKEN_BYTES": 0"#);
    assert_code(v0.verify(&good, NOW), "too_large", "MAX_TOKEN_BYTES 0");
}

#[test]
fn oversized_headers() {
    let key = private_key(MYAPP_NEW);
    let v = verifier();
    // A header that fits: accepted (extra members are ignored).
    let h = format!(r#"{{"alg":"RS256","x":"{}"}}"#, "a".repeat(4000));
    assert_code(
        v.verify(
            token(&key, Algorithm::RS256, &h, &payload_for("myapp")),
            NOW,
        ),
        "OK",
        "4000-byte header member",
    );
    // A header that does not.
    let h = format!(r#"{{"alg":"RS256","x":"{}"}}"#, "a".repeat(8000));
    assert_code(
        v.verify(
            token(&key, Algorithm::RS256, &h, &payload_for("myapp")),
            NOW,
        ),
        "too_large",
        "8000-byte header member",
    );
    // With the limit lifted: a 500 KB header of 2,000 members still verifies in bounded time
    // (quadratic in the member count, see many_members_and_duplicates).
    let big = verifier_with(r#""MAX_TOKEN_BYTES": 100000000"#);
    let members: Vec<String> = (0..2_000)
        .map(|i| format!(r#""k{i}":"{}""#, "v".repeat(180)))
        .collect();
    let h = format!(r#"{{"alg":"RS256",{}}}"#, members.join(","));
    let t = token(&key, Algorithm::RS256, &h, &payload_for("myapp"));
    let start = Instant::now();
    assert_code(big.verify(&t, NOW), "OK", "2,000-member header");
    println!(
        "{} byte token with a 2,000-member header verified in {:?}",
        t.len(),
        start.elapsed()
    );
}

fn unsigned(header: &[u8], payload: &[u8]) -> String {
    format!("{}.{}.{}", b64(header), b64(payload), b64(&[0u8; 256]))
}

#[test]
fn deep_json_nesting_never_overflows_the_stack() {
    let depth = 10_000;
    let arr = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let obj = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let unclosed = "[".repeat(depth);
    let payloads = [
        format!(r#"{{"iss":"myapp","x":{arr}}}"#),
        format!(r#"{{"iss":"myapp","x":{obj}}}"#),
        format!(r#"{{"iss":"myapp","x":{unclosed}"#),
        arr.clone(),
    ];
    let v = verifier();
    let big = verifier_with(r#""MAX_TOKEN_BYTES": 100000000, "MAX_JSON_DEPTH": 100000"#);
    for p in &payloads {
        let t = unsigned(br#"{"alg":"RS256"}"#, p.as_bytes());
        assert_code(
            v.verify(&t, NOW),
            "too_large",
            "deep payload, default limit",
        );
        let c = code(big.verify(&t, NOW));
        assert!(
            c == "unsupported_json" || c == "malformed",
            "deep payload → {c}"
        );
        assert_code(
            dangerous::decode(&t),
            "too_large",
            "dangerous::decode, default limit",
        );
        let c = code(dangerous::decode_with_limits(&t, usize::MAX, 100_000));
        assert!(
            c == "unsupported_json" || c == "malformed",
            "dangerous::decode deep payload → {c}"
        );
        // In the header too.
        let t = unsigned(p.as_bytes(), br#"{"iss":"myapp"}"#);
        let c = code(big.verify(&t, NOW));
        assert!(
            c == "unsupported_json" || c == "malformed",
            "deep header → {c}"
        );
    }
    // 1,000,000 levels through dangerous::decode: refused by size first, and by depth
    // when the size limit is lifted.
    let t = unsigned(br#"{"alg":"RS256"}"#, "[".repeat(1_000_000).as_bytes());
    assert_eq!(code(dangerous::decode(&t)), "too_large");
    assert_eq!(
        code(dangerous::decode_with_limits(&t, usize::MAX, 64)),
        "unsupported_json"
    );
    // Nesting right at the clamp (MAX_JSON_DEPTH is clamped to 512) parses without overflow,
    // even in a debug build on a test thread's stack.
    let inner = format!("{}{}", "[".repeat(511), "]".repeat(511));
    let t = unsigned(
        br#"{"alg":"RS256"}"#,
        format!(r#"{{"iss":"myapp","x":{inner}}}"#).as_bytes(),
    );
    assert_eq!(
        code(dangerous::decode_with_limits(&t, usize::MAX, 512)),
        "OK"
    );
    assert_eq!(code(big.verify(&t, NOW)), "bad_signature");
    let inner = format!("{}{}", "[".repeat(512), "]".repeat(512));
    let t = unsigned(
        br#"{"alg":"RS256"}"#,
        format!(r#"{{"iss":"myapp","x":{inner}}}"#).as_bytes(),
    );
    assert_eq!(code(big.verify(&t, NOW)), "unsupported_json");
    // Default depth 64.
    let inner = format!("{}{}", "[".repeat(64), "]".repeat(64));
    let t = unsigned(
        br#"{"alg":"RS256"}"#,
        format!(r#"{{"iss":"myapp","x":{inner}}}"#).as_bytes(),
    );
    assert_eq!(code(v.verify(&t, NOW)), "unsupported_json");
}

#[test]
fn deep_json_in_settings_and_keys() {
    let deep = format!(
        r#"{{"IDENTITY":{}"x"{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(Settings::from_json(&deep).unwrap_err().code(), "config");
    let jwk = format!(
        r#"{{"keys":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Explicit JWKS text is JSON with the settings' depth limits: refused, no stack overflow.
    assert!(json::parse(jwk.as_bytes()).is_err());
    // As a key *file* it is read as the server reads files: no PEM block, so no key.
    let s = r#"{"PUBLIC_KEYS":{"a":"k"}}"#;
    let v = Verifier::from_json(s, [("k", jwk.as_str())]).unwrap();
    let token = common::token(
        &private_key(MYAPP_NEW),
        Algorithm::RS256,
        br#"{"alg":"RS256","typ":"JWT"}"#,
        br#"{"iss":"a"}"#,
    );
    assert_eq!(v.verify(&token, NOW).unwrap_err().code(), "unknown_key");
}

#[test]
fn very_long_numbers_and_strings() {
    let key = private_key(MYAPP_NEW);
    let v = verifier_with(r#""MAX_TOKEN_BYTES": 10000000"#);
    let sign = |p: &str| token(&key, Algorithm::RS256, r#"{"alg":"RS256"}"#, p);
    let with = |claim: &str, val: &str| payload_with("myapp", &[(claim, val)]);

    // 7,000-digit integer literal: Python's json refuses > 4300 digits (ValueError → DecodeError).
    let n7000 = "9".repeat(7000);
    for claim in ["x", "exp", "iat", "nbf"] {
        assert_code(
            v.verify(sign(&with(claim, &n7000)), NOW),
            "malformed",
            &format!("7000-digit {claim}"),
        );
        assert_code(
            v.verify(sign(&with(claim, &format!("-{n7000}"))), NOW),
            "malformed",
            &format!("-7000-digit {claim}"),
        );
    }
    // 4,300 digits is Python's limit exactly: parsed; exp far in the future is fine, iat far in the future is not.
    let n4300 = "9".repeat(4300);
    assert_code(
        v.verify(sign(&with("x", &n4300)), NOW),
        "OK",
        "4300-digit integer",
    );
    assert_code(
        v.verify(sign(&with("iat", &n4300)), NOW),
        "immature",
        "4300-digit iat",
    );
    let n4301 = "9".repeat(4301);
    assert_code(
        v.verify(sign(&with("x", &n4301)), NOW),
        "malformed",
        "4301-digit integer",
    );
    // The same as strings: int("999…") over 4300 digits → ValueError.
    assert_code(
        v.verify(sign(&with("exp", &format!("\"{n7000}\""))), NOW),
        "bad_exp",
        "7000-digit exp string",
    );
    assert_code(
        v.verify(sign(&with("iat", &format!("\"{n7000}\""))), NOW),
        "bad_iat",
        "7000-digit iat string",
    );
    // Huge exponents and fractions.
    assert_code(
        v.verify(sign(&with("x", "1e999999")), NOW),
        "unsupported_json",
        "1e999999",
    );
    assert_code(
        v.verify(sign(&with("x", &format!("1.{}", "1".repeat(100_000)))), NOW),
        "OK",
        "100,000-digit fraction",
    );
    assert_code(
        v.verify(
            sign(&with("x", &format!("0.{}1e-99999", "0".repeat(50_000)))),
            NOW,
        ),
        "OK",
        "tiny float",
    );
    assert_code(
        v.verify(sign(&with("exp", "1e400")), NOW),
        "unsupported_json",
        "exp 1e400",
    );
    // Long strings and many escapes.
    let long = format!("\"{}\"", "x".repeat(1_000_000));
    assert_code(v.verify(sign(&with("x", &long)), NOW), "OK", "1 MB string");
    let escapes = format!("\"{}\"", "\\u00e9".repeat(200_000));
    assert_code(
        v.verify(sign(&with("x", &escapes)), NOW),
        "OK",
        "200,000 escapes",
    );
    let surrogates = format!("\"{}\"", "\\ud83d\\ude00".repeat(100_000));
    assert_code(
        v.verify(sign(&with("x", &surrogates)), NOW),
        "OK",
        "surrogate pairs",
    );
    assert_code(
        v.verify(sign(&with("x", r#""\ud800""#)), NOW),
        "unsupported_json",
        "lone surrogate",
    );
    // With the default limit, all of these are refused by size first.
    assert_code(
        verifier().verify(sign(&with("x", &n7000)), NOW),
        "too_large",
        "default MAX_TOKEN_BYTES",
    );
}

#[test]
fn many_members_and_duplicates() {
    // Large objects: json::Map indexes its keys past 16 members, so n inserts cost
    // O(n log n) (a regression test for the quadratic map the fuzzing review found);
    // dangerous::decode also has the 8 KiB default limit now.
    let members: Vec<String> = (0..50_000).map(|i| format!(r#""k{i}":{i}"#)).collect();
    let p = format!("{{{}}}", members.join(","));
    let t = unsigned(br#"{"alg":"RS256"}"#, p.as_bytes());
    assert_code(
        dangerous::decode(&t),
        "too_large",
        "50,000 members, default limit",
    );
    let start = Instant::now();
    let d = dangerous::decode_with_limits(&t, usize::MAX, 64).unwrap();
    assert_eq!(d.payload.len(), 50_000);
    assert_eq!(
        d.payload.get("k49999"),
        Some(&drf_sso_jwt::Value::Int(drf_sso_jwt::json::Int::Small(
            49_999
        )))
    );
    println!(
        "50,000 distinct members ({} bytes) decoded in {:?}",
        t.len(),
        start.elapsed()
    );
    // Duplicate keys: the last one wins (Python dict), in header and payload.
    let dup = r#"{"k":1,"k":2,"k":3}"#;
    let t = unsigned(dup.as_bytes(), dup.as_bytes());
    let d = dangerous::decode(&t).unwrap();
    assert_eq!(d.payload.len(), 1);
    assert_eq!(
        d.payload.get("k"),
        Some(&drf_sso_jwt::Value::Int(drf_sso_jwt::json::Int::Small(3)))
    );
    // A signed token whose duplicate iss names another issuer: the last value decides,
    // so the key lookup and signature check agree with the server.
    let key = private_key(MYAPP_NEW);
    let p = payload_for("myapp").replacen('{', r#"{"iss":"otherapp","#, 1);
    let t = token(&key, Algorithm::RS256, r#"{"alg":"RS256"}"#, &p);
    assert_code(verifier().verify(&t, NOW), "OK", "duplicate iss, last wins");
    let p = payload_for("myapp").replace(r#""u-1","#, r#""u-1","iss":"otherapp","#);
    let t = token(&key, Algorithm::RS256, r#"{"alg":"RS256"}"#, &p);
    assert_code(
        verifier().verify(&t, NOW),
        "bad_signature",
        "duplicate iss, last is otherapp",
    );
}

#[test]
fn hostile_authorization_headers() {
    let v = verifier();
    let good = token(
        &private_key(MYAPP_NEW),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &payload_for("myapp"),
    );
    let ok = |h: &[u8]| v.authenticate(Some(h), NOW).map(|o| o.is_some());
    assert_eq!(ok(format!("JWT {good}").as_bytes()), Ok(true));
    assert_eq!(ok(format!("jwt\t{good}\r\n").as_bytes()), Ok(true));
    assert_eq!(ok(b"Bearer x.y.z"), Ok(false));
    assert_eq!(ok(b""), Ok(false));
    assert_eq!(ok(b"   "), Ok(false));
    assert_eq!(ok(b"JWT").unwrap_err().code(), "no_credentials");
    assert_eq!(
        ok(format!("JWT {good} {good}").as_bytes())
            .unwrap_err()
            .code(),
        "token_has_spaces"
    );
    assert_eq!(
        ok(b"JWT \xff\xfe.x.y").unwrap_err().code(),
        "invalid_characters"
    );
    assert_eq!(ok(b"JWT \x00").unwrap_err().code(), "malformed");
    // Non-ASCII whitespace is not a separator for bytes.split().
    assert_eq!(ok(format!("JWT\u{a0}{good}").as_bytes()), Ok(false));
    // 16 MiB of separators, a 16 MiB scheme, a million parts: refused before splitting
    // under the default MAX_HEADER_BYTES (hardening), and DRF's verdicts when it allows them.
    let spaces = vec![b' '; 16 << 20];
    let long_scheme = vec![b'J'; 16 << 20];
    let mut many = b"JWT ".to_vec();
    many.extend(std::iter::repeat_n(b"a ", 1 << 20).flatten());
    for h in [&spaces, &long_scheme, &many] {
        assert_eq!(ok(h).unwrap_err().code(), "too_large");
    }
    let big = verifier_with(r#""MAX_HEADER_BYTES": 33554432"#);
    let ok = |h: &[u8]| big.authenticate(Some(h), NOW).map(|o| o.is_some());
    assert_eq!(ok(&spaces), Ok(false));
    assert_eq!(ok(&long_scheme), Ok(false));
    assert_eq!(ok(&many).unwrap_err().code(), "token_has_spaces");
    assert_eq!(ok(format!("JWT {good}").as_bytes()), Ok(true));
}

#[test]
fn header_parameter_attacks() {
    let key = private_key(MYAPP_NEW);
    let v = verifier();
    let p = payload_for("myapp");
    for (h, want) in [
        (r#"{"alg":"RS256","kid":1}"#, "invalid_header"),
        (
            r#"{"alg":"RS256","kid":["myapp-20200410"]}"#,
            "invalid_header",
        ),
        (r#"{"alg":"RS256","kid":""}"#, "OK"), // falsy kid → issuer's first key, as drf-sso
        (r#"{"alg":"RS256","kid":"myapp-20200410"}"#, "OK"),
        (r#"{"alg":"RS256","kid":"myapp-20200410.pem"}"#, "OK"),
        (r#"{"alg":"RS256","kid":"nope"}"#, "unknown_key"),
        (r#"{"alg":"RS256","crit":["exp"]}"#, "invalid_header"),
        (r#"{"alg":"RS256","crit":[]}"#, "invalid_header"),
        (r#"{"alg":"RS256","crit":["b64"]}"#, "invalid_header"),
        (r#"{"alg":"RS256","crit":["b64"],"b64":true}"#, "OK"),
    ] {
        assert_code(v.verify(token(&key, Algorithm::RS256, h, &p), NOW), want, h);
    }
    // b64:false with an empty payload segment: refused (no detached payload on the server).
    let h = br#"{"alg":"RS256","crit":["b64"],"b64":false}"#;
    let input = format!("{}.", b64(h));
    let t = format!(
        "{input}.{}",
        b64(&rsa_sign(&key, Algorithm::RS256, input.as_bytes()))
    );
    assert_code(v.verify(&t, NOW), "malformed", "b64 false");
    // Header / payload that are JSON but not objects.
    for (h, p) in [
        ("[]", "{}"),
        ("\"RS256\"", "{}"),
        ("null", "{}"),
        (r#"{"alg":"RS256"}"#, "[]"),
        (r#"{"alg":"RS256"}"#, "1"),
    ] {
        assert_code(
            v.verify(token(&key, Algorithm::RS256, h, p), NOW),
            "malformed",
            &format!("{h} / {p}"),
        );
    }
}

#[test]
fn segment_structure_attacks() {
    let v = verifier();
    let good = token(
        &private_key(MYAPP_NEW),
        Algorithm::RS256,
        r#"{"alg":"RS256"}"#,
        &payload_for("myapp"),
    );
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        (String::new(), "malformed"),
        (".".to_owned(), "malformed"),
        ("..".to_owned(), "malformed"),
        ("...".to_owned(), "malformed"),
        (parts[0].to_owned(), "malformed"),
        (format!("{}.{}", parts[0], parts[1]), "malformed"),
        (format!("{good}."), "malformed"), // 4 segments: the last dot splits the signature off
        (format!("{}.{}", parts[0], good), "malformed"), // payload contains dots
        (format!("{good}=="), "OK"), // PyJWT tolerates up to two '=' on a multiple-of-4 length
        (format!("{good}="), "malformed"), // padding on a length that is not a multiple of 4
        (format!("{good}==="), "malformed"), // three '='
        (
            format!("{}==.{}.{}", parts[0], parts[1], parts[2]),
            if parts[0].len() % 4 == 2 {
                "OK"
            } else {
                "malformed"
            },
        ),
        (
            good.replace('-', "+").replace('_', "/"),
            if good.contains(['-', '_']) {
                "malformed"
            } else {
                "OK"
            },
        ),
        (format!(" {good}"), "malformed"),
        (format!("{good}\n"), "malformed"),
        (format!("{}.{}.", parts[0], parts[1]), "bad_signature"), // stripped signature
    ];
    for (t, want) in &cases {
        assert_code(v.verify(t, NOW), want, &format!("{t:?}"));
    }
}
