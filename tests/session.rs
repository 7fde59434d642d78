//! Edge session state (issue 18): the signed documents (state, key set) as the core takes
//! them, and drf-sso's `authenticate_payload` verdicts from a snapshot. The verdicts against
//! the real Django server are checked by tests/feed/ (the Django app's parity test); these
//! tests pin the document rules and each verdict's order.
#![cfg(feature = "sign")]

use drf_sso_jwt::signing::sign_compact;
use drf_sso_jwt::{
    Algorithm, CachedVerifier, EdgeState, Error, SigningKey, StalePolicy, Update, Verifier,
};

const NOW: f64 = 1_700_000_000.0;
const K2020: &str = include_str!("../keys/myapp-20200410.pem");
const K2018: &str = include_str!("../keys/myapp-20180101.pem");
const KOTHER: &str = include_str!("../keys/otherapp-2024.pem");
const ATTACKER: &str = include_str!("../keys/test-only-attacker.pem");
const SID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const SID_DASHED: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

fn settings(extra: &str) -> String {
    format!(
        r#"{{"IDENTITY": "myapp", "ACCEPTED_ISSUERS": ["myapp", "otherapp"],
            "PUBLIC_KEYS": {{"myapp": ["myapp-20200410.pem"], "otherapp": "otherapp-2024.pem"}}{extra}}}"#
    )
}

fn verifier_with(extra: &str) -> Verifier {
    Verifier::from_json(
        &settings(extra),
        [("myapp-20200410.pem", K2020), ("otherapp-2024.pem", KOTHER)],
    )
    .unwrap()
}

fn verifier() -> Verifier {
    verifier_with("")
}

fn key(name: &str, pem: &str) -> SigningKey {
    SigningKey::from_pem(name, pem).unwrap()
}

/// A document signed with `k`: header `{"alg","kid","typ"}`, payload JSON as given.
fn doc(k: &SigningKey, typ: &str, payload: &str) -> String {
    let header = format!(r#"{{"alg":"RS256","kid":"{}","typ":"{typ}"}}"#, k.key_id());
    sign_compact(header.as_bytes(), payload.as_bytes(), Algorithm::RS256, k).unwrap()
}

fn state_payload(seq: u64, iat: i64, body: &str) -> String {
    format!(
        r#"{{"iss":"myapp","seq":{seq},"iat":{iat},"max_age":60,"verify_session_token":true,
            "verify_token_issued_at":true,"horizon":null,{body}}}"#
    )
}

fn state_doc(seq: u64, body: &str) -> String {
    doc(
        &key("myapp-20200410.pem", K2020),
        "drf-sso-state+jwt",
        &state_payload(seq, NOW as i64, body),
    )
}

const EMPTY: &str = r#""sessions":[],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#;

/// A payload as `decode_jwt_token` returns it.
fn payload(json: &str) -> drf_sso_jwt::Map {
    match drf_sso_jwt::json::parse(json.as_bytes()).unwrap() {
        drf_sso_jwt::Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn edge(body: &str) -> EdgeState {
    let v = verifier();
    let mut e = EdgeState::new(v.settings(), None, Some(StalePolicy::Refuse)).unwrap();
    e.update_state(state_doc(1, body).as_bytes(), &v, NOW)
        .unwrap();
    e
}

fn code(r: Result<(), Error>) -> &'static str {
    match r {
        Ok(()) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn verdicts_in_drf_sso_order() {
    let e = edge(&format!(
        r#""sessions":[["{SID}",7,{revoked},null],["00000000000000000000000000000002",8,null,1700000000],
                        ["00000000000000000000000000000003",9,{future},1699990000]],
            "deleted_sessions":["00000000000000000000000000000004"],"inactive_users":[8,10],"deleted_users":[11]"#,
        revoked = (NOW as i64 - 10) * 1_000_000,
        future = (NOW as i64 + 10) * 1_000_000,
    ));
    let p =
        |sid: &str, uid: &str, iat: &str| payload(&format!(r#"{{"sid":{sid},"uid":{uid}{iat}}}"#));
    let check = |sid: &str, uid: &str, iat: &str, now: f64| code(e.check(&p(sid, uid, iat), now));
    // revoked 10 s ago, in any spelling of the UUID
    assert_eq!(
        check(&format!("\"{SID}\""), "7", r#","iat":1"#, NOW),
        "invalid_session"
    );
    assert_eq!(
        check(&format!("\"{SID_DASHED}\""), "7", "", NOW),
        "invalid_session"
    );
    assert_eq!(
        check(&format!("\"urn:uuid:{SID_DASHED}\""), "\"7\"", "", NOW),
        "invalid_session"
    );
    // ... but not yet 11 s before now
    assert_eq!(
        check(&format!("\"{SID}\""), "7", r#","iat":1"#, NOW - 11.0),
        "ok"
    );
    // superseded: iat older than last_issued_at; equal is not; no iat is; then inactive user 8
    let s2 = "\"00000000000000000000000000000002\"";
    assert_eq!(check(s2, "8", r#","iat":1699999999"#, NOW), "superseded");
    assert_eq!(check(s2, "8", r#","iat":1699999999.5"#, NOW), "superseded");
    assert_eq!(check(s2, "8", r#","iat":1700000000"#, NOW), "inactive_user");
    assert_eq!(check(s2, "8", "", NOW), "superseded");
    assert_eq!(
        check(s2, "8", r#","iat":"1700000000""#, NOW),
        "session_lookup_error"
    );
    // another user's session
    assert_eq!(
        check(s2, "9", r#","iat":1700000000"#, NOW),
        "invalid_session"
    );
    // a revocation set for later: active until then
    let s3 = "\"00000000000000000000000000000003\"";
    assert_eq!(check(s3, "9", r#","iat":1699990000"#, NOW), "ok");
    assert_eq!(
        check(s3, "9", r#","iat":1699990000"#, NOW + 10.0),
        "invalid_session"
    );
    // deleted session, deleted user, inactive user with an unlisted session
    assert_eq!(
        check(
            "\"00000000000000000000000000000004\"",
            "9",
            r#","iat":1"#,
            NOW
        ),
        "invalid_session"
    );
    assert_eq!(
        check(
            "\"00000000000000000000000000000005\"",
            "11",
            r#","iat":1"#,
            NOW
        ),
        "invalid_session"
    );
    assert_eq!(
        check(
            "\"00000000000000000000000000000005\"",
            "10",
            r#","iat":1"#,
            NOW
        ),
        "inactive_user"
    );
    assert_eq!(
        check(
            "\"00000000000000000000000000000005\"",
            "12",
            r#","iat":1"#,
            NOW
        ),
        "ok"
    );
    // lookups the server cannot run: sid not a UUID, uid not an integer (sid first)
    assert_eq!(
        check("\"s-1\"", "12", r#","iat":1"#, NOW),
        "session_lookup_error"
    );
    assert_eq!(
        check("1.5", "12", r#","iat":1"#, NOW),
        "session_lookup_error"
    );
    assert_eq!(
        check("5", "\"u-1\"", r#","iat":1"#, NOW),
        "session_lookup_error"
    );
    assert_eq!(
        check("5", "[1]", r#","iat":1"#, NOW),
        "session_lookup_error"
    );
    // int() of uid: " 10 ", 10.9 and true are users 10, 10 and 1
    assert_eq!(check("5", "\" 10 \"", r#","iat":1"#, NOW), "inactive_user");
    assert_eq!(check("5", "10.9", r#","iat":1"#, NOW), "inactive_user");
    assert_eq!(check("5", "true", r#","iat":1"#, NOW), "ok");
    // an integer sid is UUID(int=...): 2 is session ...0002
    assert_eq!(check("2", "8", r#","iat":1"#, NOW), "superseded");
    // a uid no row can have
    assert_eq!(
        check("5", "99999999999999999999", r#","iat":1"#, NOW),
        "invalid_session"
    );
}

#[test]
fn unlisted_sessions_take_the_floor_of_last_issued_at() {
    let e = edge(&format!(
        r#""last_issued_at_floor":1699000000,"sessions":[["{SID}",7,null,null]],
            "deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#
    ));
    let check = |sid: &str, iat: &str| {
        code(e.check(&payload(&format!(r#"{{"sid":"{sid}","uid":7{iat}}}"#)), NOW))
    };
    let unlisted = "00000000000000000000000000000009";
    assert_eq!(check(unlisted, r#","iat":1"#), "superseded");
    assert_eq!(check(unlisted, r#","iat":true"#), "superseded");
    assert_eq!(check(unlisted, r#","iat":1699000000"#), "ok");
    assert_eq!(check(unlisted, ""), "superseded");
    assert_eq!(
        check(unlisted, r#","iat":"1699000000""#),
        "session_lookup_error"
    );
    // A listed session without last_issued_at: no check at all, as on the server.
    assert_eq!(check(SID, ""), "ok");
    assert_eq!(check(SID, r#","iat":"x""#), "ok");
}

#[test]
fn without_verify_session_token_only_the_user_counts() {
    let v = verifier_with(r#", "VERIFY_SESSION_TOKEN": false"#);
    let body = format!(
        r#""iss":"myapp","seq":1,"iat":{},"max_age":60,"verify_session_token":false,
           "verify_token_issued_at":true,"sessions":[["{SID}",7,0,null]],
           "deleted_sessions":[],"inactive_users":[8],"deleted_users":[9]"#,
        NOW as i64
    );
    let d = doc(
        &key("myapp-20200410.pem", K2020),
        "drf-sso-state+jwt",
        &format!("{{{body}}}"),
    );
    let mut e = EdgeState::new(v.settings(), None, None).unwrap();
    // A document whose flags differ from the settings is refused.
    let strict = verifier();
    assert_eq!(
        e.update_state(d.as_bytes(), &strict, NOW)
            .unwrap_err()
            .code(),
        "bad_state"
    );
    e.update_state(d.as_bytes(), &v, NOW).unwrap();
    let check = |sid: &str, uid: &str| {
        code(e.check(&payload(&format!(r#"{{"sid":{sid},"uid":{uid}}}"#)), NOW))
    };
    assert_eq!(check(&format!("\"{SID}\""), "7"), "ok"); // revoked session: not looked up
    assert_eq!(check("\"not a uuid\"", "7"), "ok");
    assert_eq!(check("\"x\"", "8"), "inactive_user");
    assert_eq!(check("\"x\"", "9"), "invalid_session");
    assert_eq!(check("\"x\"", "\"u\""), "session_lookup_error");
}

#[test]
fn documents_are_signed_by_the_issuer_and_move_forward() {
    let v = verifier();
    let mut e = EdgeState::new(v.settings(), None, Some(StalePolicy::Refuse)).unwrap();
    let mine = key("myapp-20200410.pem", K2020);
    let body = |seq: u64, iat: i64| state_payload(seq, iat, EMPTY);
    let refused = |e: &mut EdgeState, d: &str| e.update_state(d.as_bytes(), &v, NOW).unwrap_err();
    // signed by another key under the same kid; by the other issuer; of the wrong type;
    // issued by another issuer; too old; tampered
    let forged = doc(
        &key("myapp-20200410.pem", ATTACKER),
        "drf-sso-state+jwt",
        &body(1, NOW as i64),
    );
    assert_eq!(refused(&mut e, &forged).code(), "bad_state");
    let other = doc(
        &key("otherapp-2024.pem", KOTHER),
        "drf-sso-state+jwt",
        &body(1, NOW as i64).replace("\"myapp\"", "\"otherapp\""),
    );
    assert!(refused(&mut e, &other)
        .message()
        .contains("expected issuer"));
    let as_keys = doc(&mine, "drf-sso-jwks+jwt", &body(1, NOW as i64));
    assert!(refused(&mut e, &as_keys).message().contains("typ"));
    let token_typ = doc(&mine, "JWT", &body(1, NOW as i64));
    assert!(refused(&mut e, &token_typ).message().contains("typ"));
    let old = doc(&mine, "drf-sso-state+jwt", &body(1, NOW as i64 - 60));
    assert!(refused(&mut e, &old).message().contains("max_age"));
    let good = doc(&mine, "drf-sso-state+jwt", &body(5, NOW as i64));
    let (head, sig) = good.rsplit_once('.').unwrap();
    let tampered = format!(
        "{head}.{}{}",
        if sig.starts_with('A') { "B" } else { "A" },
        &sig[1..]
    );
    assert_eq!(refused(&mut e, &tampered).code(), "bad_state");
    // nothing loaded yet: policy refuse
    let p = payload(r#"{"sid":"00000000000000000000000000000001","uid":1,"iat":1}"#);
    assert_eq!(code(e.check(&p, NOW)), "state_unavailable");
    assert_eq!(
        e.update_state(good.as_bytes(), &v, NOW).unwrap(),
        Update::Replaced
    );
    assert_eq!(
        e.update_state(good.as_bytes(), &v, NOW).unwrap(),
        Update::Unchanged
    );
    assert_eq!(code(e.check(&p, NOW)), "ok");
    // an older sequence, or the same sequence with other content, is a replay
    let older = doc(&mine, "drf-sso-state+jwt", &body(4, NOW as i64));
    assert!(refused(&mut e, &older).message().contains("backwards"));
    let same_seq = doc(&mine, "drf-sso-state+jwt", &body(5, NOW as i64 - 1));
    assert!(refused(&mut e, &same_seq).message().contains("backwards"));
    // the document in force stays in force until its max_age...
    assert_eq!(e.session_state().unwrap().info().sequence, 5);
    assert_eq!(code(e.check(&p, NOW + 59.9)), "ok");
    // ... then the policy
    assert_eq!(code(e.check(&p, NOW + 60.0)), "state_unavailable");
    e.set_policy(Some(StalePolicy::Stateless));
    assert_eq!(code(e.check(&p, NOW + 60.0)), "ok");
    e.set_policy(None);
    assert_eq!(code(e.check(&p, NOW + 60.0)), "ok");
    // a bad clock fails closed
    e.set_policy(Some(StalePolicy::Stateless));
    assert_eq!(code(e.check(&p, f64::NAN)), "bad_clock");
    // size limit before any work
    e.set_max_document_bytes(100);
    assert!(refused(&mut e, &good).message().contains("over the limit"));
}

#[test]
fn malformed_documents_are_refused_whole() {
    let v = verifier();
    let mine = key("myapp-20200410.pem", K2020);
    for body in [
        r#""sessions":[["0F1E2D3C4B5A69788796A5B4C3D2E1F0",1,null,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[["0f1e",1,null,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[["0f1e2d3c4b5a69788796a5b4c3d2e1f0",1,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[["0f1e2d3c4b5a69788796a5b4c3d2e1f0","1",null,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[["0f1e2d3c4b5a69788796a5b4c3d2e1f0",1,1.5,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[["0f1e2d3c4b5a69788796a5b4c3d2e1f0",1,null,null],["0f1e2d3c4b5a69788796a5b4c3d2e1f0",2,null,null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
        r#""sessions":[],"deleted_sessions":[],"inactive_users":[1,1],"deleted_users":[]"#,
        r#""sessions":[],"deleted_sessions":[],"inactive_users":[]"#,
        r#""sessions":{},"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
    ] {
        let d = doc(
            &mine,
            "drf-sso-state+jwt",
            &state_payload(1, NOW as i64, body),
        );
        let mut e = EdgeState::new(v.settings(), None, None).unwrap();
        let err = e.update_state(d.as_bytes(), &v, NOW).unwrap_err();
        assert_eq!(err.code(), "bad_state", "{body}");
        assert!(e.session_state().is_none());
    }
    for (field, value) in [
        ("seq", "-1"),
        ("seq", "1.0"),
        ("iat", "\"x\""),
        ("max_age", "0"),
        ("max_age", "null"),
    ] {
        let p = state_payload(1, NOW as i64, EMPTY).replacen(
            &format!(
                "\"{field}\":{}",
                if field == "seq" {
                    "1".to_owned()
                } else if field == "iat" {
                    (NOW as i64).to_string()
                } else {
                    "60".to_owned()
                }
            ),
            &format!("\"{field}\":{value}"),
            1,
        );
        let d = doc(&mine, "drf-sso-state+jwt", &p);
        let mut e = EdgeState::new(v.settings(), None, None).unwrap();
        assert_eq!(
            e.update_state(d.as_bytes(), &v, NOW).unwrap_err().code(),
            "bad_state",
            "{field}={value}"
        );
    }
}

fn jwk(pem_private: &str, kid: &str) -> String {
    let k = key(&format!("{kid}.pem"), pem_private);
    let s =
        drf_sso_jwt::Settings::from_json(&format!(r#"{{"PUBLIC_KEYS": {{"i": "{kid}.pem"}}}}"#))
            .unwrap();
    let store = drf_sso_jwt::KeyStore::new(
        &s,
        [drf_sso_jwt::KeyMaterial::Jwk {
            name: format!("{kid}.pem"),
            jwk: {
                let vk = k.verifying_key().unwrap();
                let mut m = drf_sso_jwt::Map::new();
                m.insert("kty".into(), "RSA".into());
                m.insert("n".into(), drf_sso_jwt::Value::Str(b64(vk.modulus())));
                m.insert("e".into(), drf_sso_jwt::Value::Str(b64(vk.exponent())));
                m
            },
        }],
    )
    .unwrap();
    let jwks = drf_sso_jwt::json::dumps(&store.to_jwks("RS256"), false);
    jwks[r#"{"keys":["#.len()..jwks.len() - 2].to_owned()
}

fn b64(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn key_sets_rotate_without_a_configuration_change() {
    let v = verifier();
    let mut e = EdgeState::new(v.settings(), None, None).unwrap();
    let k2020 = key("myapp-20200410.pem", K2020);
    let k2018 = key("myapp-20180101.pem", K2018);
    let keys_doc = |signer: &SigningKey, seq: u64, names: &str, keys: &[String]| {
        doc(
            signer,
            "drf-sso-jwks+jwt",
            &format!(
                r#"{{"iss":"myapp","seq":{seq},"iat":{},"max_age":300,"public_keys":{{"myapp":{names},"otherapp":"otherapp-2024.pem"}},"keys":[{}]}}"#,
                NOW as i64,
                keys.join(",")
            ),
        )
    };
    let all = [
        jwk(K2018, "myapp-20180101"),
        jwk(K2020, "myapp-20200410"),
        jwk(KOTHER, "otherapp-2024"),
    ];
    // A token signed by the 2018 key: the configured PUBLIC_KEYS do not name it.
    let issuer = drf_sso_jwt::Issuer::from_json(
        r#"{"IDENTITY": "myapp", "PRIVATE_KEYS": {"myapp": "myapp-20180101.pem"}}"#,
        [("myapp-20180101.pem", K2018)],
    )
    .unwrap();
    let mut p = drf_sso_jwt::Payload::new();
    p.set("token", drf_sso_jwt::Value::from("auth"))
        .set("sid", drf_sso_jwt::Value::from("s"))
        .set("uid", drf_sso_jwt::Value::from("u"));
    let token = issuer.encode(&p, NOW).unwrap();
    assert_eq!(v.verify(&token, NOW).unwrap_err().code(), "unknown_key");
    // Step 1, signed by the current key: both keys published, the 2020 one still first.
    let step1 = keys_doc(
        &k2020,
        1,
        r#"["myapp-20200410.pem","myapp-20180101.pem"]"#,
        &all,
    );
    let v1 = e
        .update_keys(step1.as_bytes(), &v, NOW)
        .unwrap()
        .expect("a new key set");
    assert!(v1.verify(&token, NOW).is_ok());
    assert!(e.update_keys(step1.as_bytes(), &v1, NOW).unwrap().is_none());
    // Step 2, signed by the new key the edge now knows: the 2020 key is gone.
    let step2 = keys_doc(
        &k2018,
        2,
        r#"["myapp-20180101.pem"]"#,
        &all[..1]
            .iter()
            .chain(&all[2..])
            .cloned()
            .collect::<Vec<_>>(),
    );
    // The edge that skipped step 1 cannot verify step 2 (no new trust root).
    let mut fresh = EdgeState::new(v.settings(), None, None).unwrap();
    assert_eq!(
        fresh
            .update_keys(step2.as_bytes(), &v, NOW)
            .unwrap_err()
            .code(),
        "bad_state"
    );
    let v2 = e
        .update_keys(step2.as_bytes(), &v1, NOW)
        .unwrap()
        .expect("a new key set");
    assert!(v2.verify(&token, NOW).is_ok());
    let old_token = drf_sso_jwt::Issuer::from_json(
        r#"{"IDENTITY": "myapp", "PRIVATE_KEYS": {"myapp": "myapp-20200410.pem"}}"#,
        [("myapp-20200410.pem", K2020)],
    )
    .unwrap()
    .encode(&p, NOW)
    .unwrap();
    assert_eq!(
        v2.verify(&old_token, NOW).unwrap_err().code(),
        "unknown_key"
    );
    // Replaying step 1 (which still lists the removed key) is refused: its key is gone, and
    // even checked with a verifier that still has it, its sequence is behind.
    assert_eq!(
        e.update_keys(step1.as_bytes(), &v2, NOW)
            .unwrap_err()
            .code(),
        "bad_state"
    );
    let replay = e.update_keys(step1.as_bytes(), &v1, NOW).unwrap_err();
    assert!(replay.message().contains("backwards"), "{replay}");
    // A state document cannot pose as a key set.
    let st = state_doc(9, EMPTY);
    assert_eq!(
        e.update_keys(st.as_bytes(), &v2, NOW).unwrap_err().code(),
        "bad_state"
    );
}

#[test]
fn cached_verifier_applies_the_state_on_hits() {
    let v = verifier();
    let issuer = drf_sso_jwt::Issuer::from_json(
        r#"{"IDENTITY": "myapp", "PRIVATE_KEYS": {"myapp": "myapp-20200410.pem"}}"#,
        [("myapp-20200410.pem", K2020)],
    )
    .unwrap();
    let mut p = drf_sso_jwt::Payload::new();
    p.set("token", drf_sso_jwt::Value::from("auth"))
        .set("sid", drf_sso_jwt::Value::from(SID))
        .set(
            "uid",
            drf_sso_jwt::Value::Int(drf_sso_jwt::json::Int::Small(7)),
        );
    let token = issuer.encode(&p, NOW).unwrap();
    let header = format!("JWT {token}");
    let mut c = CachedVerifier::new(v.clone(), 16).unwrap();
    let mut e = EdgeState::new(v.settings(), None, Some(StalePolicy::Refuse)).unwrap();
    e.update_state(state_doc(1, EMPTY).as_bytes(), &v, NOW)
        .unwrap();
    assert!(c
        .authenticate_with_state(Some(header.as_bytes()), NOW, &e)
        .unwrap()
        .is_some());
    let id = c.last_entry().unwrap();
    assert!(matches!(c.recheck_with_state(id, NOW, &e), Some(Ok(()))));
    // Logged out: the next document lists the session as revoked.
    let revoked = state_doc(
        2,
        &format!(
            r#""sessions":[["{SID}",7,{},null]],"deleted_sessions":[],"inactive_users":[],"deleted_users":[]"#,
            (NOW as i64 - 1) * 1_000_000
        ),
    );
    e.update_state(revoked.as_bytes(), &v, NOW).unwrap();
    assert_eq!(
        c.recheck_with_state(id, NOW, &e)
            .unwrap()
            .unwrap_err()
            .code(),
        "invalid_session"
    );
    let err = c
        .authenticate_with_state(Some(header.as_bytes()), NOW, &e)
        .unwrap_err();
    assert_eq!(
        (err.code(), err.detail()),
        ("invalid_session", "Invalid token.")
    );
    assert_eq!(
        v.authenticate_with_state(Some(header.as_bytes()), NOW, &e)
            .unwrap_err()
            .code(),
        "invalid_session"
    );
    // Anonymous requests are not affected by the state, even when it is unavailable.
    assert!(v
        .authenticate_with_state(None, NOW + 1000.0, &e)
        .unwrap()
        .is_none());
}

/// Hostile documents and payloads: structured random values in every place, signed (so
/// they reach the reader), never a panic; a document is either taken whole or refused.
#[test]
fn random_documents_and_claims_never_panic() {
    let v = verifier();
    let k = key("myapp-20200410.pem", K2020);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    fn value(r: u64) -> String {
        match r % 14 {
            0 => "null".into(),
            1 => "true".into(),
            2 => format!("{}", r as i64),
            3 => "-1".into(),
            4 => "1e308".into(),
            5 => "1.5".into(),
            6 => format!("\"{:032x}\"", r as u128 * 0x1_0000_0001),
            7 => "\"0F1E2D3C4B5A69788796A5B4C3D2E1F0\"".into(),
            8 => "[]".into(),
            9 => "{}".into(),
            10 => "99999999999999999999999999".into(),
            11 => format!("\"{}\"", "\\u00e9".repeat((r % 5) as usize)),
            12 => format!("{}", (r % 4_000_000_000) as i64 * 1_000_000),
            _ => format!("[{}, {}, {}, {}]", r % 3, r % 7, "null", r % 11),
        }
    }
    for round in 0..100 {
        let row = |n: &mut dyn FnMut() -> u64| {
            format!(
                "[{},{},{},{}]",
                value(n()),
                value(n()),
                value(n()),
                value(n())
            )
        };
        let rows: Vec<String> = (0..next() % 4).map(|_| row(&mut next)).collect();
        let field = |n: &mut dyn FnMut() -> u64, ok: &str| {
            if n().is_multiple_of(5) {
                value(n())
            } else {
                ok.to_owned()
            }
        };
        let body = format!(
            r#"{{"iss":{},"seq":{},"iat":{},"max_age":{},"verify_session_token":{},"verify_token_issued_at":true,
                "horizon":{},"last_issued_at_floor":{},"sessions":[{}],"deleted_sessions":{},"inactive_users":{},"deleted_users":{}}}"#,
            field(&mut next, "\"myapp\""),
            field(&mut next, &round.to_string()),
            field(&mut next, &(NOW as i64).to_string()),
            field(&mut next, "60"),
            field(&mut next, "true"),
            value(next()),
            field(&mut next, "1699999000"),
            rows.join(","),
            field(&mut next, "[]"),
            field(&mut next, "[7]"),
            field(&mut next, "[]"),
        );
        let d = doc(&k, "drf-sso-state+jwt", &body);
        let mut e = EdgeState::new(v.settings(), None, Some(StalePolicy::Refuse)).unwrap();
        match e.update_state(d.as_bytes(), &v, NOW) {
            Ok(_) => assert!(e.session_state().is_some()),
            Err(err) => {
                assert_eq!(err.code(), "bad_state", "{body}: {err}");
                assert!(e.session_state().is_none());
            }
        }
        for _ in 0..8 {
            let p = format!(
                r#"{{"sid":{},"uid":{},"iat":{}}}"#,
                value(next()),
                value(next()),
                value(next())
            );
            let Ok(drf_sso_jwt::Value::Object(m)) = drf_sso_jwt::json::parse(p.as_bytes()) else {
                continue;
            };
            let r = e.check(&m, NOW);
            if let Err(err) = r {
                assert!(
                    matches!(
                        err.code(),
                        "invalid_session"
                            | "superseded"
                            | "inactive_user"
                            | "session_lookup_error"
                            | "state_unavailable"
                    ),
                    "{p}: {err}"
                );
            }
        }
        // Keys documents too.
        let kd = doc(
            &k,
            "drf-sso-jwks+jwt",
            &format!(
                r#"{{"iss":"myapp","seq":1,"iat":{},"max_age":60,"public_keys":{},"keys":{}}}"#,
                NOW as i64,
                field(&mut next, r#"{"myapp":"myapp-20200410.pem"}"#),
                field(&mut next, "[]")
            ),
        );
        if let Err(err) = e.update_keys(kd.as_bytes(), &v, NOW) {
            assert_eq!(err.code(), "bad_state", "{err}");
        }
    }
}
