//! decode_jwt_token parity, step by step (issue: core verifier). Tokens are built
//! here from raw header/payload JSON and signed with the test keys in keys/.
#![cfg(feature = "sign")]

use drf_sso_jwt::signing::sign_compact;
use drf_sso_jwt::{
    dangerous, Algorithm, Error, SigningKey, Verifier, DETAIL_DECODE, DETAIL_EXPIRED,
    DETAIL_INVALID, DETAIL_KEY,
};

const NOW: f64 = 1_700_000_000.0;
const K2020: &str = include_str!("../keys/myapp-20200410.pem");
const K2018: &str = include_str!("../keys/myapp-20180101.pem");
const KOTHER: &str = include_str!("../keys/otherapp-2024.pem");

const SETTINGS: &str = r#"{
  "IDENTITY": "myapp",
  "ACCEPTED_ISSUERS": ["myapp", "otherapp"],
  "DECODE_ALGORITHMS": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
  "PUBLIC_KEYS": {"myapp": ["myapp-20200410.pem", "myapp-20180101.pem"], "otherapp": "otherapp-2024.pem", "empty": []}
}"#;

fn verifier_with(settings: &str) -> Verifier {
    Verifier::from_json(
        settings,
        [
            ("myapp-20200410.pem", K2020),
            ("myapp-20180101.pem", K2018),
            ("otherapp-2024.pem", KOTHER),
        ],
    )
    .unwrap()
}

fn verifier() -> Verifier {
    verifier_with(SETTINGS)
}

/// Merges extra settings into SETTINGS (top-level keys replaced).
fn with(extra: &str) -> Verifier {
    let base = SETTINGS.trim().strip_suffix('}').unwrap();
    verifier_with(&format!("{base}, {extra} }}"))
}

fn key(pem: &str, name: &str) -> SigningKey {
    SigningKey::from_pem(name, pem).unwrap()
}

fn sign(header: &str, payload: &str, alg: Algorithm, pem: &str) -> String {
    sign_compact(
        header.as_bytes(),
        payload.as_bytes(),
        alg,
        &key(pem, "k.pem"),
    )
    .unwrap()
}

/// A valid authorization payload with `extra` JSON members appended (later keys win).
fn payload(extra: &str) -> String {
    let base = format!(
        r#"{{"token":"auth","sid":"s-1","cid":"web","uid":7,"email":"a@b.c","scopes":[],"iss":"myapp","aud":["myapp","otherapp"],"iat":{},"exp":{}"#,
        NOW as i64 - 10,
        NOW as i64 + 290
    );
    if extra.is_empty() {
        base + "}"
    } else {
        format!("{base},{extra}}}")
    }
}

const H2020: &str = r#"{"alg":"RS256","kid":"myapp-20200410","typ":"JWT"}"#;

fn rs(extra: &str) -> String {
    sign(H2020, &payload(extra), Algorithm::RS256, K2020)
}

fn err(v: &Verifier, token: &str) -> Error {
    v.verify(token, NOW).expect_err("token must be rejected")
}

fn assert_rejects(v: &Verifier, token: &str, code: &str, detail: &str) {
    let e = err(v, token);
    assert_eq!(
        (e.code(), e.detail()),
        (code, detail),
        "message: {}",
        e.message()
    );
}

#[test]
fn valid_tokens_of_every_algorithm_and_key() {
    let v = verifier();
    for (alg, name) in [
        (Algorithm::RS256, "RS256"),
        (Algorithm::RS384, "RS384"),
        (Algorithm::RS512, "RS512"),
        (Algorithm::PS256, "PS256"),
        (Algorithm::PS384, "PS384"),
        (Algorithm::PS512, "PS512"),
    ] {
        for (pem, kid, iss) in [
            (K2020, "myapp-20200410", "myapp"),
            (K2018, "myapp-20180101.pem", "myapp"),
            (KOTHER, "otherapp-2024", "otherapp"),
        ] {
            let h = format!(r#"{{"alg":"{name}","kid":"{kid}","typ":"JWT"}}"#);
            let t = sign(&h, &payload(&format!(r#""iss":"{iss}""#)), alg, pem);
            let data = v
                .verify(&t, NOW)
                .unwrap_or_else(|e| panic!("{name} {kid}: {e}"));
            assert_eq!(
                data.payload.get("uid"),
                Some(&drf_sso_jwt::Value::Int(drf_sso_jwt::json::Int::Small(7)))
            );
            assert_eq!(data.header.get("kid").and_then(|k| k.as_str()), Some(kid));
        }
    }
}

#[test]
fn step1_segments_and_base64() {
    let v = verifier();
    let good = rs("");
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    for (t, msg) in [
        ("abc".to_string(), "Not enough segments"),
        (format!("{h}.{p}"), "Not enough segments"), // rsplit leaves one segment for header+payload
        (format!("{h}.{p}.{s}.x"), "Invalid payload padding"),
        (format!("{h}===.{p}.{s}"), "Invalid header padding"),
        (format!("{h}.{p}.{s}="), "Invalid crypto padding"),
        (format!("{h}.{p}+.{s}"), "Invalid payload padding"),
        (
            format!(".{p}.{s}"),
            "Invalid header string: Expecting value: line 1 column 1 (char 0)",
        ),
    ] {
        let e = err(&v, &t);
        assert_eq!(
            (e.code(), e.detail(), e.message()),
            ("malformed", DETAIL_DECODE, msg),
            "{t}"
        );
    }
    // Up to two '=' of padding decode (the signature, over the raw segments, then fails).
    let padded_payload = {
        let mut p2 = p.to_string();
        while p2.len() % 4 != 0 {
            p2.push('=');
        }
        p2
    };
    if padded_payload.len() != p.len() && padded_payload.len() - p.len() <= 2 {
        assert_eq!(
            err(&v, &format!("{h}.{padded_payload}.{s}")).code(),
            "bad_signature"
        );
    }
    // Non-canonical base64: flip the unused low bits of the last character.
    let last = s.chars().last().unwrap();
    if s.len() % 4 != 0 {
        let idx = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            .find(last)
            .unwrap();
        let alt = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".as_bytes()
            [idx ^ 1] as char;
        let t = format!("{h}.{p}.{}{alt}", &s[..s.len() - 1]);
        assert_eq!(err(&v, &t).message(), "Invalid crypto padding");
    }
}

#[test]
fn step1_header_rules() {
    let v = verifier();
    let p = payload("");
    let cases = [
        (r#"[1]"#, "malformed", DETAIL_DECODE),
        (r#""x""#, "malformed", DETAIL_DECODE),
        (
            r#"{"alg":"RS256","kid":5}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
        (
            r#"{"alg":"RS256","crit":[]}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
        (
            r#"{"alg":"RS256","crit":"b64"}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
        (
            r#"{"alg":"RS256","crit":[1]}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
        (
            r#"{"alg":"RS256","crit":["exp"],"exp":1}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
        (
            r#"{"alg":"RS256","crit":["b64"]}"#,
            "invalid_header",
            DETAIL_INVALID,
        ),
    ];
    for (h, code, detail) in cases {
        assert_rejects(&v, &sign(h, &p, Algorithm::RS256, K2020), code, detail);
    }
    // crit ["b64"] with b64 true is fine.
    assert!(v
        .verify(
            sign(
                r#"{"alg":"RS256","crit":["b64"],"b64":true,"kid":"myapp-20200410"}"#,
                &p,
                Algorithm::RS256,
                K2020
            ),
            NOW
        )
        .is_ok());
    // b64:false needs an empty payload segment, then 'b64' in crit, then a detached payload (never given).
    let h = drf_sso_jwt::signing::sign_compact(
        br#"{"alg":"RS256","b64":false}"#,
        b"",
        Algorithm::RS256,
        &key(K2020, "k"),
    )
    .unwrap();
    assert_rejects(&v, &h, "invalid_header", DETAIL_INVALID);
    let h = drf_sso_jwt::signing::sign_compact(
        br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#,
        b"",
        Algorithm::RS256,
        &key(K2020, "k"),
    )
    .unwrap();
    let e = err(&v, &h);
    assert_eq!((e.code(), e.detail()), ("malformed", DETAIL_DECODE));
    assert!(e.message().contains("detached_payload"));
    let t = sign(
        r#"{"alg":"RS256","b64":false,"crit":["b64"]}"#,
        &p,
        Algorithm::RS256,
        K2020,
    );
    assert_eq!(
        err(&v, &t).message(),
        "Payload segment must be empty when 'b64' is false."
    );
}

#[test]
fn step2_payload_and_issuer() {
    let v = verifier();
    assert_rejects(
        &v,
        &sign(H2020, "[1,2]", Algorithm::RS256, K2020),
        "malformed",
        DETAIL_DECODE,
    );
    assert_rejects(
        &v,
        &sign(H2020, "{", Algorithm::RS256, K2020),
        "malformed",
        DETAIL_DECODE,
    );
    let no_iss = payload("").replace(r#""iss":"myapp","#, "");
    let e = err(&v, &sign(H2020, &no_iss, Algorithm::RS256, K2020));
    assert_eq!(
        (e.code(), e.detail(), e.message()),
        (
            "missing_claim",
            DETAIL_INVALID,
            "Token is missing the \"iss\" claim"
        )
    );
    assert_rejects(
        &v,
        &rs(r#""iss":"evil""#),
        "untrusted_issuer",
        DETAIL_INVALID,
    );
    // ACCEPTED_ISSUERS absent: an issuer without keys is an unknown key.
    let open =
        verifier_with(&SETTINGS.replace(r#""ACCEPTED_ISSUERS": ["myapp", "otherapp"],"#, ""));
    assert_rejects(&open, &rs(r#""iss":"evil""#), "unknown_key", DETAIL_KEY);
    // str(iss): a non-string issuer is looked up by its Python str() and then fails the iss type check.
    let ints = with(r#""ACCEPTED_ISSUERS": ["7"], "PUBLIC_KEYS": {"7": "myapp-20200410.pem"}"#);
    assert_rejects(&ints, &rs(r#""iss":7"#), "bad_issuer", DETAIL_INVALID);
    let no_iss_check = with(
        r#""ACCEPTED_ISSUERS": ["7"], "PUBLIC_KEYS": {"7": "myapp-20200410.pem"}, "VERIFY_ISSUER": false"#,
    );
    assert!(no_iss_check.verify(rs(r#""iss":7"#), NOW).is_ok());
    // ACCEPTED_ISSUERS as a string: Python's `in` is a substring test.
    let substring = with(r#""ACCEPTED_ISSUERS": "myapp,otherapp""#);
    assert!(substring.verify(rs(""), NOW).is_ok());
}

#[test]
fn step3_key_selection() {
    let v = verifier();
    let p = payload("");
    // No kid: the issuer's first key (20200410) is used; a token of the older key fails its signature.
    assert!(v
        .verify(sign(r#"{"alg":"RS256"}"#, &p, Algorithm::RS256, K2020), NOW)
        .is_ok());
    assert_rejects(
        &v,
        &sign(r#"{"alg":"RS256"}"#, &p, Algorithm::RS256, K2018),
        "bad_signature",
        DETAIL_DECODE,
    );
    assert_rejects(
        &v,
        &sign(r#"{"alg":"RS256","kid":""}"#, &p, Algorithm::RS256, K2018),
        "bad_signature",
        DETAIL_DECODE,
    );
    // kid with or without .pem; case of the suffix follows get_key_id.
    assert!(v
        .verify(
            sign(
                r#"{"alg":"RS256","kid":"myapp-20180101"}"#,
                &p,
                Algorithm::RS256,
                K2018
            ),
            NOW
        )
        .is_ok());
    assert!(v
        .verify(
            sign(
                r#"{"alg":"RS256","kid":"myapp-20180101.pem"}"#,
                &p,
                Algorithm::RS256,
                K2018
            ),
            NOW
        )
        .is_ok());
    let e = err(
        &v,
        &sign(
            r#"{"alg":"RS256","kid":"myapp-20180101.PEM"}"#,
            &p,
            Algorithm::RS256,
            K2018,
        ),
    );
    assert_eq!(
        (e.code(), e.message()),
        ("unknown_key", "No key matches the given key_id")
    );
    // kid of another issuer's key.
    assert_rejects(
        &v,
        &sign(
            r#"{"alg":"RS256","kid":"otherapp-2024"}"#,
            &p,
            Algorithm::RS256,
            KOTHER,
        ),
        "unknown_key",
        DETAIL_KEY,
    );
    // An issuer with an empty key list.
    let empty = with(r#""ACCEPTED_ISSUERS": null"#);
    let e = err(&empty, &rs(r#""iss":"empty""#));
    assert_eq!(
        (e.code(), e.message()),
        ("unknown_key", "No keys defined for the given issuer")
    );
    // A key file with no public key block: the server's InvalidKeyError, not a derived key.
    let private_only: String = K2020
        .split("-----BEGIN PUBLIC KEY-----")
        .next()
        .unwrap()
        .to_string();
    let v2 = Verifier::from_json(
        r#"{"IDENTITY":"myapp","PUBLIC_KEYS":{"myapp":"p.pem"}}"#,
        [("p.pem", private_only.as_str())],
    )
    .unwrap();
    let e = err(
        &v2,
        &sign(r#"{"alg":"RS256"}"#, &p, Algorithm::RS256, K2020),
    );
    assert_eq!((e.code(), e.detail()), ("unknown_key", DETAIL_KEY));
    // keys.py's f"{issuer=} {key_id=}": Python reprs of the str(iss) and str(kid) it used.
    assert_eq!(
        e.message(),
        "No public key found for issuer='myapp' key_id=None"
    );
    let e = err(
        &v2,
        &sign(r#"{"alg":"RS256","kid":"p"}"#, &p, Algorithm::RS256, K2020),
    );
    assert_eq!(
        e.message(),
        "No public key found for issuer='myapp' key_id='p'"
    );
    let e = err(
        &v2,
        &sign(
            r#"{"alg":"RS256","kid":"p.pem"}"#,
            &p,
            Algorithm::RS256,
            K2020,
        ),
    );
    assert_eq!(
        e.message(),
        "No public key found for issuer='myapp' key_id='p.pem'"
    );
}

#[test]
fn step3_jwks_material() {
    let v = verifier();
    let jwks = v.keys().to_jwks("RS256");
    let settings = drf_sso_jwt::Settings::from_json(SETTINGS).unwrap();
    let material = drf_sso_jwt::KeyMaterial::from_json(&jwks).unwrap();
    let store = drf_sso_jwt::KeyStore::new(&settings, material).unwrap();
    let from_jwks = Verifier::new(settings.clone(), store.clone()).unwrap();
    assert!(from_jwks.verify(rs(""), NOW).is_ok());
    let t = sign(
        r#"{"alg":"RS256","kid":"myapp-20180101"}"#,
        &payload(""),
        Algorithm::RS256,
        K2018,
    );
    assert!(from_jwks.verify(&t, NOW).is_ok());
    // A store is tied to the settings it was built for.
    let mut other = settings;
    other.min_key_bits = 1024;
    assert_eq!(Verifier::new(other, store).unwrap_err().code(), "config");
    // JWKS text handed over as a key *file* is read as the server reads files: no key.
    let text = drf_sso_jwt::json::dumps(&jwks, false);
    let as_file = Verifier::from_json(
        SETTINGS,
        [
            ("myapp-20200410.pem", text.as_str()),
            ("myapp-20180101.pem", text.as_str()),
            ("otherapp-2024.pem", text.as_str()),
        ],
    )
    .unwrap();
    assert_eq!(as_file.verify(&t, NOW).unwrap_err().code(), "unknown_key");
}

#[test]
fn step4_algorithms() {
    let v = verifier();
    let p = payload("");
    let only_rs256 = with(r#""DECODE_ALGORITHMS": null"#);
    assert_rejects(
        &only_rs256,
        &sign(
            r#"{"alg":"RS512","kid":"myapp-20200410"}"#,
            &p,
            Algorithm::RS512,
            K2020,
        ),
        "bad_algorithm",
        DETAIL_INVALID,
    );
    let empty_list = with(r#""DECODE_ALGORITHMS": []"#); // `[] or [ENCODE_ALGORITHM]`
    assert!(empty_list.verify(rs(""), NOW).is_ok());
    for h in [
        r#"{"kid":"myapp-20200410"}"#,
        r#"{"alg":null}"#,
        r#"{"alg":""}"#,
        r#"{"alg":"none"}"#,
        r#"{"alg":"HS256"}"#,
    ] {
        assert_rejects(
            &v,
            &sign(h, &p, Algorithm::RS256, K2020),
            "bad_algorithm",
            DETAIL_INVALID,
        );
    }
    let e = err(
        &v,
        &sign(r#"{"kid":"myapp-20200410"}"#, &p, Algorithm::RS256, K2020),
    );
    assert_eq!(e.message(), "Algorithm not specified");
    // Allowed by settings but unusable with an RSA key, as on the server.
    let lax = with(r#""DECODE_ALGORITHMS": ["none", "HS256", "ES256", "EdDSA", "XX1"]"#);
    let t = |alg: &str| {
        sign(
            &format!(r#"{{"alg":"{alg}"}}"#),
            &p,
            Algorithm::RS256,
            K2020,
        )
    };
    assert_rejects(&lax, &t("none"), "invalid_key", DETAIL_KEY);
    assert_rejects(&lax, &t("EdDSA"), "invalid_key", DETAIL_KEY);
    assert_rejects(&lax, &t("HS256"), "unsupported_algorithm", DETAIL_INVALID);
    assert_rejects(&lax, &t("ES256"), "unsupported_algorithm", DETAIL_INVALID);
    assert_rejects(&lax, &t("XX1"), "bad_algorithm", DETAIL_INVALID);
    // A tampered payload and a foreign signature.
    let good = rs("");
    let mut parts: Vec<&str> = good.split('.').collect();
    let other = rs(r#""uid":8"#);
    parts[1] = other.split('.').nth(1).unwrap();
    assert_rejects(&v, &parts.join("."), "bad_signature", DETAIL_DECODE);
    // VERIFY_SIGNATURE false skips only the signature.
    let nosig = with(r#""VERIFY_SIGNATURE": false"#);
    assert!(nosig.verify(parts.join("."), NOW).is_ok());
    assert_rejects(
        &nosig,
        &sign(H2020, &payload(r#""exp":1"#), Algorithm::RS256, K2020),
        "expired",
        DETAIL_EXPIRED,
    );
}

#[test]
fn step4_pss_short_signature_is_accepted_like_openssl() {
    let v = verifier();
    let k = key(K2020, "k");
    // Find a PS256 signature with a leading zero byte and drop it.
    for i in 0..2000 {
        let p = payload(&format!(r#""n":{i}"#));
        let t = sign_compact(
            br#"{"alg":"PS256","kid":"myapp-20200410"}"#,
            p.as_bytes(),
            Algorithm::PS256,
            &k,
        )
        .unwrap();
        let (si, s) = t.rsplit_once('.').unwrap();
        let sig = base64_decode(s);
        if sig[0] == 0 {
            let short = format!("{si}.{}", drf_sso_jwt_b64(&sig[1..]));
            assert!(v.verify(&short, NOW).is_ok());
            let mut long = vec![0u8];
            long.extend_from_slice(&sig);
            let long = format!("{si}.{}", drf_sso_jwt_b64(&long));
            assert_rejects(&v, &long, "bad_signature", DETAIL_DECODE);
            return;
        }
    }
    panic!("no signature with a leading zero in 2000 tries");
}

fn base64_decode(s: &str) -> Vec<u8> {
    let t = dangerous::decode(format!("e30.e30.{s}"));
    assert!(t.is_ok());
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.chars() {
        bits = (bits << 6) | alphabet.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn drf_sso_jwt_b64(b: &[u8]) -> String {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let v = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..=chunk.len() {
            out.push(alphabet[(v >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Python `int()` coercion of iat / nbf / exp, each case as the server decides it.
#[test]
fn step5_time_claims_coerce_like_python_int() {
    let v = verifier();
    let ok = |claim: &str, json: &str| -> Result<(), Error> {
        v.verify(rs(&format!(r#""{claim}":{json}"#)), NOW)
            .map(|_| ())
    };
    let future = (NOW as i64 + 100).to_string();
    let past = (NOW as i64 - 100).to_string();
    // exp: accepted forms (all in the future).
    for json in [
        future.clone(),
        format!("{future}.9"),
        format!("\"{future}\""),
        format!("\" {future} \""),
        format!("\"+{future}\""),
        format!("\"{}_{}\"", &future[..4], &future[4..]),
        "\"\u{0661}\u{0667}\u{0660}\u{0660}\u{0660}\u{0660}\u{0660}\u{0661}\u{0660}\u{0660}\""
            .to_string(),
        "1e300".into(),
        "123456789012345678901234567890".into(),
    ] {
        assert!(ok("exp", &json).is_ok(), "exp {json}");
    }
    // exp: expired forms.
    for json in [
        past.clone(),
        format!("\"{past}\""),
        "true".into(),
        "-5".into(),
        "\"-1\"".into(),
        (NOW as i64).to_string(),
    ] {
        assert_eq!(
            ok("exp", &json).unwrap_err().code(),
            "expired",
            "exp {json}"
        );
    }
    // exp: not an int() → DecodeError.
    for json in [
        "null",
        "\"1.5\"",
        "\"NaN\"",
        "\"inf\"",
        "[1]",
        "{}",
        "\"\"",
        "\"1__0\"",
        "\"0x10\"",
        "\"\\u00b2\"",
    ] {
        let e = ok("exp", json).unwrap_err();
        assert_eq!(
            (e.code(), e.detail()),
            ("bad_exp", DETAIL_DECODE),
            "exp {json}"
        );
    }
    // nbf: same coercion, DecodeError / ImmatureSignatureError.
    assert!(ok("nbf", &format!("\"{past}\"")).is_ok());
    assert_eq!(ok("nbf", &future).unwrap_err().code(), "immature");
    let e = ok("nbf", "\"x\"").unwrap_err();
    assert_eq!((e.code(), e.detail()), ("bad_nbf", DETAIL_DECODE));
    // iat: InvalidIssuedAtError is not a DecodeError.
    assert!(ok("iat", "false").is_ok());
    assert_eq!(ok("iat", &future).unwrap_err().code(), "immature");
    let e = ok("iat", "null").unwrap_err();
    assert_eq!(
        (e.code(), e.detail(), e.message()),
        (
            "bad_iat",
            DETAIL_INVALID,
            "Issued At claim (iat) must be an integer."
        )
    );
}

#[test]
fn step5_expiry_edges_leeway_and_flags() {
    let v = verifier();
    let at = |exp: i64| rs(&format!(r#""exp":{exp}"#));
    let n = NOW as i64;
    assert_eq!(err(&v, &at(n)).code(), "expired"); // exactly at exp
    assert!(v.verify(at(n + 1), NOW).is_ok());
    assert!(v.verify(at(n), NOW - 0.5).is_ok()); // now is a float, as on the server
    let lee = with(r#""EXPIRATION_LEEWAY": 10"#);
    assert!(lee.verify(at(n - 9), NOW).is_ok());
    assert_eq!(err(&lee, &at(n - 10)).code(), "expired");
    assert!(lee.verify(rs(&format!(r#""iat":{}"#, n + 10)), NOW).is_ok());
    assert_eq!(
        err(&lee, &rs(&format!(r#""iat":{}"#, n + 11))).code(),
        "immature"
    );
    let noexp = with(r#""VERIFY_EXPIRATION": false"#);
    assert!(noexp.verify(at(1), NOW).is_ok());
    assert!(noexp.verify(rs(r#""exp":"x""#), NOW).is_ok());
    // With VERIFY_SIGNATURE off, PyJWT also stops checking iat/nbf/sub/jti.
    let nosig = with(r#""VERIFY_SIGNATURE": false"#);
    assert!(nosig
        .verify(rs(r#""iat":"x","nbf":"y","sub":1,"jti":2"#), NOW)
        .is_ok());
}

#[test]
fn step5_audience_issuer_subject_jti() {
    let v = verifier();
    for (aud, code) in [
        (r#""aud":"myapp""#, None),
        (r#""aud":["x","myapp"]"#, None),
        (r#""aud":"other""#, Some("bad_audience")),
        (r#""aud":[]"#, Some("missing_claim")),
        (r#""aud":"""#, Some("missing_claim")),
        (r#""aud":["myapp",1]"#, Some("bad_audience")),
        (r#""aud":{"myapp":1}"#, Some("bad_audience")),
        (r#""aud":5"#, Some("bad_audience")),
    ] {
        let r = v.verify(rs(aud), NOW);
        assert_eq!(r.as_ref().err().map(Error::code), code, "{aud}");
        if let Err(e) = r {
            assert_eq!(e.detail(), DETAIL_INVALID);
        }
    }
    let no_aud = payload("").replace(r#""aud":["myapp","otherapp"],"#, "");
    assert_eq!(
        err(&v, &sign(H2020, &no_aud, Algorithm::RS256, K2020)).message(),
        "Token is missing the \"aud\" claim"
    );
    // IDENTITY absent: a token with a truthy aud is refused, one without passes.
    let anon = with(r#""IDENTITY": null"#);
    assert_eq!(err(&anon, &rs("")).code(), "bad_audience");
    assert!(anon
        .verify(sign(H2020, &no_aud, Algorithm::RS256, K2020), NOW)
        .is_ok());
    assert!(anon.verify(rs(r#""aud":[]"#), NOW).is_ok());
    // IDENTITY as a list.
    let multi = with(r#""IDENTITY": ["zzz", "otherapp"]"#);
    assert!(multi.verify(rs(""), NOW).is_ok());
    let noaud = with(r#""VERIFY_AUDIENCE": false"#);
    assert!(noaud.verify(rs(r#""aud":5"#), NOW).is_ok());
    assert_eq!(err(&v, &rs(r#""sub":5"#)).code(), "bad_subject");
    assert!(v.verify(rs(r#""sub":"u""#), NOW).is_ok());
    assert_eq!(err(&v, &rs(r#""jti":null"#)).code(), "bad_jti");
}

#[test]
fn step6_drf_sso_claims() {
    let v = verifier();
    for extra in [
        r#""token":"refresh""#,
        r#""token":null"#,
        r#""token":["auth"]"#,
    ] {
        let e = err(&v, &rs(extra));
        assert_eq!(
            (e.code(), e.detail(), e.message()),
            ("unknown_token_type", DETAIL_INVALID, "Unknown token type")
        );
    }
    assert!(v.verify(rs(r#""token":"session""#), NOW).is_ok());
    for extra in [
        r#""sid":0"#,
        r#""sid":"""#,
        r#""sid":[]"#,
        r#""sid":false"#,
        r#""sid":0.0"#,
        r#""sid":{}"#,
        r#""sid":null"#,
    ] {
        assert_eq!(
            err(&v, &rs(extra)).message(),
            "Token is missing the \"Session ID is missing.\" claim",
            "{extra}"
        );
    }
    for extra in [r#""uid":0"#, r#""uid":"""#, r#""uid":null"#] {
        assert_eq!(
            err(&v, &rs(extra)).message(),
            "Token is missing the \"User ID is missing.\" claim",
            "{extra}"
        );
    }
    assert!(v.verify(rs(r#""uid":"0""#), NOW).is_ok()); // a non-empty string is truthy
}

#[test]
fn faults_are_reported_in_server_order() {
    let v = verifier();
    // Bad signature AND expired AND wrong token type: signature comes first.
    let t = sign(
        H2020,
        &payload(r#""exp":1,"token":"x""#),
        Algorithm::RS256,
        K2018,
    );
    assert_eq!(err(&v, &t).code(), "bad_signature");
    // Untrusted issuer AND bad alg: the issuer check runs before the signature.
    let t = sign(
        r#"{"alg":"none"}"#,
        &payload(r#""iss":"evil""#),
        Algorithm::RS256,
        K2020,
    );
    assert_eq!(err(&v, &t).code(), "untrusted_issuer");
    // iat before exp: both bad → iat reported.
    let t = rs(r#""iat":"x","exp":"y""#);
    assert_eq!(err(&v, &t).code(), "bad_iat");
    // exp before aud.
    assert_eq!(err(&v, &rs(r#""exp":1,"aud":"zz""#)).code(), "expired");
    // Claims before token type.
    assert_eq!(
        err(&v, &rs(r#""aud":"zz","token":"x""#)).code(),
        "bad_audience"
    );
}

#[test]
fn payload_is_what_python_json_loads_gives() {
    let v = verifier();
    let data = v
        .verify(rs(r#""big":123456789012345678901234567890,"f":1.0,"dup":1,"s":"\u00e9\ud83d\ude00","dup":2"#), NOW)
        .unwrap();
    let out = drf_sso_jwt::json::dumps(&drf_sso_jwt::Value::Object(data.payload.clone()), false);
    assert!(
        out.contains(
            r#""big":123456789012345678901234567890,"f":1.0,"dup":2,"s":"\u00e9\ud83d\ude00""#
        ),
        "{out}"
    );
    // Hardening: NaN and lone surrogates are refused (documented).
    assert_rejects(&v, &rs(r#""x":NaN"#), "unsupported_json", DETAIL_DECODE);
    assert_rejects(
        &v,
        &rs(r#""x":"\ud800""#),
        "unsupported_json",
        DETAIL_DECODE,
    );
    assert_rejects(
        &v,
        &rs(&format!(r#""x":{}"#, "1".repeat(4301))),
        "malformed",
        DETAIL_DECODE,
    );
}

#[test]
fn size_limit_comes_before_any_decoding() {
    let v = with(r#""MAX_TOKEN_BYTES": 100"#);
    let e = err(&v, &"!".repeat(101));
    assert_eq!((e.code(), e.detail()), ("too_large", DETAIL_DECODE));
}

#[test]
fn authorization_header_like_jwt_authentication() {
    let v = verifier();
    let t = rs("");
    let auth = |h: Option<&[u8]>| v.authenticate(h, NOW);
    assert!(auth(None).unwrap().is_none());
    assert!(auth(Some(b"")).unwrap().is_none());
    assert!(auth(Some(format!("Bearer {t}").as_bytes()))
        .unwrap()
        .is_none());
    assert!(auth(Some(format!("JWT {t}").as_bytes())).unwrap().is_some());
    assert!(auth(Some(format!("jwt\t{t}  ").as_bytes()))
        .unwrap()
        .is_some());
    assert!(auth(Some(format!("  JwT \x0b {t}").as_bytes()))
        .unwrap()
        .is_some());
    let e = auth(Some(b"JWT")).unwrap_err();
    assert_eq!(
        (e.code(), e.detail()),
        (
            "no_credentials",
            "Invalid token header. No credentials provided."
        )
    );
    let e = auth(Some(b"JWT a b")).unwrap_err();
    assert_eq!(
        e.detail(),
        "Invalid token header. Token string should not contain spaces."
    );
    let e = auth(Some(b"JWT \xff\xfe")).unwrap_err();
    assert_eq!(
        e.detail(),
        "Invalid token header. Token string should not contain invalid characters."
    );
    let custom = with(r#""AUTHENTICATE_HEADER": "Token""#);
    assert!(custom
        .authenticate(Some(format!("token {t}").as_bytes()), NOW)
        .unwrap()
        .is_some());
    assert!(custom
        .authenticate(Some(format!("JWT {t}").as_bytes()), NOW)
        .unwrap()
        .is_none());
}

#[test]
fn configuration_errors_are_values() {
    let keys = [("myapp-20200410.pem", K2020)];
    for bad in [
        r#"{"PUBLIC_KEYS": {"myapp": 5}}"#,
        r#"{"VERIFY_SIGNATURE": 1}"#,
        r#"{"EXPIRATION_LEEWAY": "1"}"#,
        r#"{"NOT_A_SETTING": 1}"#,
        "not json",
    ] {
        let e = Verifier::from_json(bad, keys).unwrap_err();
        assert_eq!(e.code(), "config", "{bad}");
    }
    // Import-string settings are accepted and ignored.
    assert!(Verifier::from_json(r#"{"DECODE_JWT_TOKEN": "a.b", "AUTHENTICATE_PAYLOAD": "c.d", "VERIFY_SESSION_TOKEN": false}"#, keys).is_ok());
}

#[test]
fn unverified_decode() {
    let d = dangerous::decode(sign(
        r#"{"alg":"XX","kid":"k"}"#,
        r#"{"a":1}"#,
        Algorithm::RS256,
        K2020,
    ))
    .unwrap();
    assert_eq!(d.header.get("alg").and_then(|a| a.as_str()), Some("XX"));
    assert_eq!(dangerous::decode("a.b").unwrap_err().code(), "malformed");
    assert_eq!(
        dangerous::decode(sign(r#"{"kid":1}"#, "{}", Algorithm::RS256, K2020))
            .unwrap_err()
            .code(),
        "invalid_header"
    );
}

#[test]
fn cache_entries_can_be_rechecked_by_id() {
    use drf_sso_jwt::CachedVerifier;
    let mut c = CachedVerifier::new(verifier(), 2).unwrap();
    let (a, b) = (rs(r#""n":1"#), rs(r#""n":2"#));
    // Failures before the signature check store nothing.
    assert!(c.verify("x.y.z", NOW).is_err());
    assert_eq!(c.last_entry(), None);
    let first = c.verify(&a, NOW).unwrap();
    let id = c.last_entry().expect("a verified token is stored");
    assert!(matches!(c.recheck(id, NOW), Some(Ok(()))));
    // The entry answers the time rules at each clock, as a fresh verification would.
    let later = c.recheck(id, NOW + 10_000.0).unwrap().unwrap_err();
    assert_eq!(
        later.code(),
        c.verifier().verify(&a, NOW + 10_000.0).unwrap_err().code()
    );
    assert!(matches!(c.recheck(id, NOW), Some(Ok(()))));
    // A hit reports the same id and the same data.
    assert_eq!(c.verify(&a, NOW).unwrap(), first);
    assert_eq!(c.last_entry(), Some(id));
    // Expired at `now`, yet stored: the id is still reported.
    assert!(c.verify(&b, NOW + 10_000.0).is_err());
    let id_b = c.last_entry().unwrap();
    assert_ne!(id_b, id);
    // Filling the slots replaces entries; a replaced id is never answered for.
    let mut replaced = 0;
    for n in 3..40 {
        c.verify(rs(&format!(r#""n":{n}"#)), NOW).unwrap();
        for old in [id, id_b] {
            if c.recheck(old, NOW).is_none() {
                replaced += 1;
            }
        }
    }
    assert!(replaced > 0);
    assert_eq!(c.recheck(u64::MAX, NOW), None);
    assert_eq!(
        CachedVerifier::new(verifier(), 0).unwrap().recheck(0, NOW),
        None
    );
}

#[test]
fn key_files_fail_per_token_as_on_the_server() {
    // One good file and broken ones in the same issuer's list: the verifier builds, names
    // each broken file, keeps verifying tokens that select the good one, and fails only
    // the tokens that select a broken one (the server: HTTP 500, or 401 for no public key).
    let settings = r#"{"IDENTITY": "myapp", "ACCEPTED_ISSUERS": ["myapp"],
        "PUBLIC_KEYS": {"myapp": ["myapp-20200410.pem", "missing.pem", "garbled.pem",
                                  "latin1.pem", "json.pem", "private.pem"]}}"#;
    let private_only: String = K2020
        .split("-----BEGIN PUBLIC KEY-----")
        .next()
        .unwrap()
        .to_owned();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("myapp-20200410.pem", K2020.as_bytes().to_vec()),
        (
            "garbled.pem",
            b"-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n".to_vec(),
        ),
        ("latin1.pem", b"\xe9t\xe9\n".to_vec()),
        (
            "json.pem",
            br#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#.to_vec(),
        ),
        ("private.pem", private_only.into_bytes()),
    ];
    let v = Verifier::from_json(settings, files).unwrap();
    let warned: Vec<&str> = v
        .keys()
        .warnings()
        .iter()
        .map(|w| w.file.as_str())
        .collect();
    assert_eq!(
        warned,
        [
            "missing.pem",
            "garbled.pem",
            "latin1.pem",
            "json.pem",
            "private.pem"
        ]
    );
    assert!(v.verify(rs(""), NOW).is_ok(), "the good key keeps working");
    for (kid, code) in [
        ("missing", "key_unavailable"),
        ("garbled", "key_unavailable"),
        ("json", "unknown_key"),
        ("private", "unknown_key"),
    ] {
        let t = sign(
            &format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#),
            &payload(""),
            Algorithm::RS256,
            K2020,
        );
        let e = v.verify(t, NOW).unwrap_err();
        assert_eq!((kid, e.code(), e.detail()), (kid, code, DETAIL_KEY));
    }
}

#[test]
fn huge_times_and_leeways_compare_exactly() {
    // Python: exp <= now - leeway with an int exp and a float right side, exactly.
    // With EXPIRATION_LEEWAY = -1e38: 10**40 <= now + 1e38 is False (valid), and
    // 10**37 <= now + 1e38 is True (expired); iat > now - 1e38 unless iat is below -1e38.
    // A Python-sized int leeway reads as float(n).
    let v = with(r#""EXPIRATION_LEEWAY": -1e38"#);
    let iat = r#""iat":-1000000000000000000000000000000000000000"#;
    let t = rs(&format!(
        r#"{iat},"exp":10000000000000000000000000000000000000000"#
    ));
    assert!(v.verify(t, NOW).is_ok());
    let t = rs(&format!(
        r#"{iat},"exp":10000000000000000000000000000000000000"#
    ));
    assert_eq!(err(&v, &t).code(), "expired");
    assert_eq!(err(&v, &rs("")).code(), "immature");
    let v = with(r#""EXPIRATION_LEEWAY": 100000000000000000000"#);
    let t = rs(r#""exp":1"#);
    assert!(
        v.verify(t, NOW).is_ok(),
        "a 1e20-second leeway keeps exp = 1 valid"
    );
}
