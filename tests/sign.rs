//! Payload builders and `encode_jwt_token` (issue: payload builders and signing). Byte
//! identity with the server is proved by the parity harness; here: defaults, errors, keys.
#![cfg(feature = "sign")]

use drf_sso_jwt::json::{Int, Value};
use drf_sso_jwt::signing::{django_datetime, payload_json};
use drf_sso_jwt::{
    create_authorization_payload, create_session_payload, Claim, Issuer, Payload, SigningKey,
    Subject, Verifier,
};

const NOW: f64 = 1_700_000_000.7;
const K2020: &str = include_str!("../keys/myapp-20200410.pem");
const K2018: &str = include_str!("../keys/myapp-20180101.pem");
const KOTHER: &str = include_str!("../keys/otherapp-2024.pem");
const SETTINGS: &str = include_str!("../keys/settings.json");

fn subject() -> Subject {
    Subject {
        sid: Value::from("s-1"),
        cid: Value::from("web"),
        uid: Value::Int(Int::Small(7)),
        email: Value::from("zoë@example.com"),
    }
}

fn issuer(settings: &str) -> Issuer {
    Issuer::from_json(
        settings,
        [("myapp-20200410.pem", K2020), ("otherapp-2024.pem", KOTHER)],
    )
    .unwrap()
}

fn verifier() -> Verifier {
    Verifier::from_json(
        &SETTINGS.replace(r#""KEY_STORE_ROOT": ".","#, ""),
        [
            ("myapp-20200410.pem", K2020),
            ("myapp-20180101.pem", K2018),
            ("otherapp-2024.pem", KOTHER),
        ],
    )
    .unwrap()
}

#[test]
fn authorization_payload_claims_and_defaults() {
    let extra = [("account".to_owned(), Value::Int(Int::Small(12)))];
    let p = create_authorization_payload(&subject(), &extra);
    let token = issuer(SETTINGS).encode(&p, NOW).unwrap();
    let data = verifier().verify(&token, NOW).unwrap();
    let json = drf_sso_jwt::json::dumps(&Value::Object(data.payload), false);
    assert_eq!(
        json,
        r#"{"token":"auth","sid":"s-1","cid":"web","uid":7,"email":"zo\u00eb@example.com","scopes":[],"account":12,"iss":"myapp","aud":["myapp","otherapp"],"iat":1700000000,"exp":1700000300}"#
    );
    assert_eq!(
        drf_sso_jwt::json::dumps(&Value::Object(data.header), true),
        r#"{"alg":"RS256","kid":"myapp-20200410","typ":"JWT"}"#
    );
}

#[test]
fn session_payload_keeps_iat_in_place_and_expiration() {
    let settings = SETTINGS.replace(
        r#""SESSION_EXPIRATION": null"#,
        r#""SESSION_EXPIRATION": 1.5"#,
    );
    let p = create_session_payload(&subject(), Some(NOW), &[]);
    let token = issuer(&settings).encode(&p, NOW).unwrap();
    let data = verifier().verify(&token, NOW).unwrap();
    let keys: Vec<&str> = data.payload.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["token", "sid", "cid", "uid", "email", "iat", "iss", "aud", "exp"]
    );
    // datetime(now) + timedelta(1.5 s), then PyJWT's timegm: floor(now + 1.5).
    assert_eq!(
        data.payload.get("iat"),
        Some(&Value::Int(Int::Small(1_700_000_000)))
    );
    assert_eq!(
        data.payload.get("exp"),
        Some(&Value::Int(Int::Small(1_700_000_002)))
    );
    assert_eq!(
        data.payload.get("aud"),
        Some(&Value::Array(vec![Value::from("myapp")]))
    );
}

#[test]
fn encode_jwt_token_errors() {
    let is = issuer(SETTINGS);
    let mut p = Payload::new();
    p.set("token", Value::from("refresh"));
    assert_eq!(
        is.encode(&p, NOW).unwrap_err().message(),
        "Unknown token type"
    );
    let no_identity = SETTINGS.replace(r#""IDENTITY": "myapp","#, "");
    let p = create_authorization_payload(&subject(), &[]);
    assert_eq!(
        issuer(&no_identity).encode(&p, NOW).unwrap_err().message(),
        "IDENTITY must be specified in settings"
    );
    let mut p2 = p.clone();
    p2.set("iss", Value::from("stranger"));
    assert_eq!(
        is.encode(&p2, NOW).unwrap_err().message(),
        "Private key for specified issuer was not found in settings"
    );
    // An int iat with an expiration to add: the server's `int + timedelta` TypeError.
    let mut p3 = p.clone();
    p3.set("iat", Value::Int(Int::Small(5)));
    assert_eq!(is.encode(&p3, NOW).unwrap_err().code(), "sign");
    // A key file named in PRIVATE_KEYS but not given fails encode for that issuer only.
    let only_other = Issuer::from_json(SETTINGS, [("otherapp-2024.pem", KOTHER)]).unwrap();
    assert!(only_other
        .encode(&p, NOW)
        .unwrap_err()
        .message()
        .contains("was not given"));
    let mut p4 = p.clone();
    p4.set("iss", Value::from("otherapp"));
    assert!(only_other.encode(&p4, NOW).is_ok());
}

#[test]
fn every_algorithm_signs_and_verifies() {
    for alg in ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] {
        let settings = SETTINGS.replace(r#""ENCODE_ALGORITHM""#, r#""X""#).replace(
            r#""DECODE_ALGORITHMS": ["RS256", "PS256"]"#,
            &format!(r#""ENCODE_ALGORITHM": "{alg}", "DECODE_ALGORITHMS": ["{alg}"]"#),
        );
        let token = issuer(&settings)
            .encode(&create_authorization_payload(&subject(), &[]), NOW)
            .unwrap();
        let v = Verifier::from_json(
            &settings.replace(r#""KEY_STORE_ROOT": ".","#, ""),
            [
                ("myapp-20200410.pem", K2020),
                ("myapp-20180101.pem", K2018),
                ("otherapp-2024.pem", KOTHER),
            ],
        )
        .unwrap();
        assert!(v.verify(&token, NOW).is_ok(), "{alg}");
        let again = issuer(&settings)
            .encode(&create_authorization_payload(&subject(), &[]), NOW)
            .unwrap();
        assert_eq!(
            token == again,
            alg.starts_with("RS"),
            "{alg}: RS* deterministic, PS* salted"
        );
    }
}

#[test]
fn bad_private_keys_are_errors_not_panics() {
    let public_only: String = K2020
        .split("-----BEGIN PUBLIC KEY-----")
        .nth(1)
        .map(|b| format!("-----BEGIN PUBLIC KEY-----{b}"))
        .unwrap();
    let e = SigningKey::from_pem("pub.pem", &public_only).unwrap_err();
    assert_eq!(e.code(), "sign");
    assert!(e.message().contains("only a public key"), "{}", e.message());
    let truncated = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        &K2020.lines().nth(1).unwrap()
    );
    for text in [
        "",
        "garbage",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n",
        truncated.as_str(),
    ] {
        assert_eq!(
            SigningKey::from_pem("k.pem", text).unwrap_err().code(),
            "sign",
            "{text:?}"
        );
    }
    // The PKCS#1 and PKCS#8 private keys of the combined files load.
    assert_eq!(
        SigningKey::from_pem("myapp-20180101.pem", K2018)
            .unwrap()
            .key_id(),
        "myapp-20180101"
    );
    assert_eq!(
        SigningKey::from_pem("myapp-20200410.pem", K2020)
            .unwrap()
            .key_id(),
        "myapp-20200410"
    );
    // Issuer construction surfaces the same error for a public-only key file.
    assert!(Issuer::from_json(SETTINGS, [("myapp-20200410.pem", public_only.as_str())]).is_err());
}

#[test]
fn python_serialisation_of_claims() {
    let mut p = Payload::new();
    p.set("token", Value::from("auth"));
    for (k, v) in [
        ("f1", 0.1),
        ("f2", 1e16),
        ("f3", 1e-7),
        ("f4", 5.0),
        ("f5", -0.0),
    ] {
        p.set(k, Value::Float(v));
    }
    p.set(
        "big",
        Value::Int(Int::Big("123456789012345678901234567890".into())),
    );
    p.set("when", Claim::DateTime(1_700_000_000.123_456));
    p.set("nbf", Claim::DateTime(1_700_000_000.9));
    assert_eq!(
        payload_json(&p).unwrap(),
        r#"{"token":"auth","f1":0.1,"f2":1e+16,"f3":1e-07,"f4":5.0,"f5":-0.0,"big":123456789012345678901234567890,"when":"2023-11-14T22:13:20.123Z","nbf":1700000000}"#
    );
    assert_eq!(django_datetime(1_700_000_000.0), "2023-11-14T22:13:20Z");
}
