//! Every algorithm with every key family the server can load, end to end: tokens signed by
//! `Issuer` with RSA, RSA-PSS, EC (four curves, three key-file forms) and Ed keys, verified
//! by `Verifier`, and PyJWT's verdict for each (alg, key) pair that does not fit (the parity
//! harness checks the same table against the real server).
#![cfg(all(feature = "sign", feature = "ecdsa", feature = "eddsa"))]

use drf_sso_jwt::{
    create_authorization_payload, json::Value, Issuer, KeyMaterial, KeyStore, Settings, Subject,
    Verifier,
};

const NOW: f64 = 1_700_000_000.0;

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Settings for one issuer `i` whose only key file is `file`, signing with `alg`.
fn settings(file: &str, alg: &str, decode: &[&str]) -> String {
    let decode: Vec<String> = decode.iter().map(|a| format!("{a:?}")).collect();
    format!(
        r#"{{"IDENTITY": "i", "ENCODE_ALGORITHM": "{alg}", "DECODE_ALGORITHMS": [{}],
            "PUBLIC_KEYS": {{"i": "{file}"}}, "PRIVATE_KEYS": {{"i": "{file}"}}}}"#,
        decode.join(",")
    )
}

fn subject() -> Subject {
    Subject {
        sid: Value::Str("s".into()),
        cid: Value::Str(String::new()),
        uid: Value::Str("u".into()),
        email: Value::Str(String::new()),
    }
}

/// A token `file`'s private key signs with `alg`, and the verdict of a verifier that allows
/// `decode` with the same file's public key: `Ok(())` or the error code.
fn round_trip(file: &str, alg: &str, decode: &[&str]) -> Result<(), String> {
    let s = settings(file, alg, decode);
    let text = key(file);
    let issuer = Issuer::from_json(&s, [(file, text.as_str())]).map_err(|e| e.to_string())?;
    let token = issuer
        .encode(&create_authorization_payload(&subject(), &[]), NOW)
        .map_err(|e| format!("sign: {e}"))?;
    let v = Verifier::from_json(&s, [(file, text.as_str())]).unwrap();
    v.verify(&token, NOW)
        .map(|_| ())
        .map_err(|e| e.code().to_owned())
}

#[test]
fn every_algorithm_with_its_keys() {
    for (file, algs) in [
        (
            "myapp-20200410.pem",
            &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"][..],
        ),
        ("test-only-rsa-pss.pem", &["RS256", "PS256", "PS512"]),
        ("test-only-ec-p256.pem", &["ES256"]),
        ("test-only-ec-p256-sec1.pem", &["ES256"]),
        ("test-only-ec-p256-explicit.pem", &["ES256"]),
        ("test-only-ec-p384.pem", &["ES384"]),
        ("test-only-ec-p521.pem", &["ES512", "ES521"]),
        ("test-only-ec-p521-sec1.pem", &["ES521"]),
        ("test-only-ec-secp256k1.pem", &["ES256K"]),
        ("test-only-ec-secp256k1-sec1.pem", &["ES256K"]),
        ("test-only-ed25519.pem", &["EdDSA"]),
        ("test-only-ed448.pem", &["EdDSA"]),
    ] {
        for alg in algs {
            assert_eq!(round_trip(file, alg, &[alg]), Ok(()), "{file} {alg}");
        }
    }
}

#[test]
fn rsa_exponents_beyond_2_pow_33_verify_as_openssl_does() {
    // The `rsa` crate cannot sign with e = 2^33 + 1; OpenSSL can, and verifies it: so does
    // the core's own RSA code.
    use base64::Engine as _;
    let file = "test-only-rsa-e2p33.pem";
    let b64 = |d: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d);
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(br#"{"iss":"i","token":"auth","sid":"s","uid":"u","aud":["i"]}"#)
    );
    let dir = std::env::temp_dir().join(format!("drf-sso-jwt-e2p33-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let msg = dir.join("msg");
    std::fs::write(&msg, &input).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(format!("{}/keys/{file}", env!("CARGO_MANIFEST_DIR")))
        .arg(&msg)
        .output()
        .expect("openssl is installed");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = format!("{input}.{}", b64(&out.stdout));
    let v = Verifier::from_json(&settings(file, "RS256", &["RS256"]), [(file, key(file))]).unwrap();
    assert!(v.verify(&token, NOW).is_ok());
    let mut bad = token.clone().into_bytes();
    let last = bad.len() - 2;
    bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(v.verify(&bad, NOW).unwrap_err().code(), "bad_signature");
}

#[test]
fn eddsa_tokens_are_deterministic() {
    for file in ["test-only-ed25519.pem", "test-only-ed448.pem"] {
        let s = settings(file, "EdDSA", &["EdDSA"]);
        let text = key(file);
        let issuer = Issuer::from_json(&s, [(file, text.as_str())]).unwrap();
        let p = create_authorization_payload(&subject(), &[]);
        assert_eq!(
            issuer.encode(&p, NOW).unwrap(),
            issuer.encode(&p, NOW).unwrap()
        );
    }
}

/// The verdict on a token claiming `alg` (any signature) for a store holding `file`'s public key.
fn verdict(file: &str, alg: &str) -> String {
    let s = settings(file, "RS256", &[alg]);
    let v = Verifier::from_json(&s, [(file, key(file).as_str())]).unwrap();
    let b64 = |t: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(t)
    };
    let token = format!(
        "{}.{}.AAAA",
        b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)),
        b64(r#"{"iss":"i","token":"auth","sid":"s","uid":"u","aud":["i"]}"#)
    );
    match v.verify(token, NOW) {
        Ok(_) => "ok".into(),
        Err(e) => e.code().into(),
    }
}

#[test]
fn keys_that_do_not_fit_the_algorithm_fail_as_pyjwt_does() {
    // (key file, [(alg, verdict)]): TypeError on the server is unsupported_algorithm,
    // InvalidKeyError is invalid_key, a key that fits but a bad signature is bad_signature.
    let table: &[(&str, &[(&str, &str)])] = &[
        (
            "myapp-20200410.pem",
            &[
                ("ES256", "unsupported_algorithm"),
                ("EdDSA", "invalid_key"),
                ("HS256", "unsupported_algorithm"),
                ("none", "invalid_key"),
                ("RS256", "bad_signature"),
            ],
        ),
        (
            "test-only-ec-p256.pem",
            &[
                ("RS256", "unsupported_algorithm"),
                ("PS256", "unsupported_algorithm"),
                ("ES384", "invalid_key"),
                ("ES256K", "invalid_key"),
                ("EdDSA", "invalid_key"),
                ("HS512", "unsupported_algorithm"),
                ("ES256", "bad_signature"),
            ],
        ),
        (
            "test-only-ec-p224.pem",
            &[
                ("ES256", "invalid_key"),
                ("ES512", "invalid_key"),
                ("RS256", "unsupported_algorithm"),
                ("EdDSA", "invalid_key"),
            ],
        ),
        (
            "test-only-ed25519.pem",
            &[
                ("RS256", "unsupported_algorithm"),
                ("ES256", "unsupported_algorithm"),
                ("EdDSA", "bad_signature"),
            ],
        ),
        (
            "test-only-x25519.pem",
            &[
                ("EdDSA", "invalid_key"),
                ("RS256", "unsupported_algorithm"),
                ("ES256", "unsupported_algorithm"),
            ],
        ),
        (
            "test-only-dsa.pem",
            &[
                ("EdDSA", "invalid_key"),
                ("RS256", "unsupported_algorithm"),
                ("none", "invalid_key"),
            ],
        ),
        (
            "test-only-rsa-pss.pem",
            &[("PS256", "bad_signature"), ("EdDSA", "invalid_key")],
        ),
    ];
    for (file, rows) in table {
        for (alg, want) in *rows {
            assert_eq!(verdict(file, alg), *want, "{file} {alg}");
        }
    }
}

#[test]
fn curve_mismatch_text_is_pyjwts() {
    let s = settings("test-only-ec-p384.pem", "ES384", &["ES256"]);
    let text = key("test-only-ec-p384.pem");
    let issuer = Issuer::from_json(
        &settings("test-only-ec-p384.pem", "ES384", &["ES384"]),
        [("test-only-ec-p384.pem", text.as_str())],
    )
    .unwrap();
    let t = issuer
        .encode(&create_authorization_payload(&subject(), &[]), NOW)
        .unwrap();
    // Re-label the header as ES256: the curve check comes before the signature.
    let (_, rest) = t.split_once('.').unwrap();
    use base64::Engine as _;
    let h = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(r#"{"alg":"ES256","kid":"test-only-ec-p384","typ":"JWT"}"#);
    let v = Verifier::from_json(&s, [("test-only-ec-p384.pem", text.as_str())]).unwrap();
    let e = v.verify(format!("{h}.{rest}"), NOW).unwrap_err();
    assert_eq!(e.code(), "invalid_key");
    assert_eq!(
        e.message(),
        "The key's curve 'secp384r1' does not match the expected curve 'secp256r1' for this algorithm"
    );
}

#[test]
fn jwks_export_and_import_every_family() {
    let files = [
        "myapp-20200410.pem",
        "test-only-ec-p256.pem",
        "test-only-ec-p521.pem",
        "test-only-ec-secp256k1.pem",
        "test-only-ed25519.pem",
        "test-only-ed448.pem",
        "test-only-x25519.pem",
    ];
    let names: Vec<String> = files.iter().map(|f| format!("{f:?}")).collect();
    let s = Settings::from_json(&format!(
        r#"{{"IDENTITY": "i", "ENCODE_ALGORITHM": "RS256", "PUBLIC_KEYS": {{"i": [{}]}}}}"#,
        names.join(",")
    ))
    .unwrap();
    let store = KeyStore::from_files(&s, files.iter().map(|f| (*f, key(f)))).unwrap();
    let jwks = store.to_jwks("RS256");
    let text = drf_sso_jwt::json::dumps(&jwks, false);
    for needle in [
        r#""kty":"RSA","kid":"myapp-20200410","use":"sig","alg":"RS256""#,
        r#""kty":"EC","kid":"test-only-ec-p256","use":"sig","alg":"ES256","crv":"P-256""#,
        r#""alg":"ES512","crv":"P-521""#,
        r#""alg":"ES256K","crv":"secp256k1""#,
        r#""kty":"OKP","kid":"test-only-ed25519","use":"sig","alg":"EdDSA","crv":"Ed25519""#,
        r#""crv":"Ed448""#,
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    assert!(
        !text.contains("x25519"),
        "keys no algorithm uses are not exported: {text}"
    );
    // The JWKS hands the same keys over again (X25519 aside, which it leaves out).
    let again = KeyStore::new(&s, KeyMaterial::from_json(&jwks).unwrap()).unwrap();
    assert_eq!(
        drf_sso_jwt::json::dumps(&again.to_jwks("RS256"), false),
        text
    );
    assert_eq!(again.warnings().len(), 1, "{:?}", again.warnings());
}
