//! The drf-sso-jwt proxy-wasm filter, driven through the test host as Envoy drives it.
//!
//! The filter is the release build at `DRF_SSO_FILTER_WASM`, or by default
//! `target/wasm32-unknown-unknown/filter/drf_sso_jwt_filter.wasm` (built by
//! tests/proxy/run.sh). Tokens are signed here with the repository's test keys.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proxy_wasm_test_host::{level, Action, Exchange, Host};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

const NOW: f64 = 1_750_000_000.0;
/// drf-sso's `authenticate_header`: the AUTHENTICATE_HEADER setting, no realm.
const WWW: &str = "JWT";

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn module() -> &'static (wasmtime::Engine, wasmtime::Module) {
    static M: OnceLock<(wasmtime::Engine, wasmtime::Module)> = OnceLock::new();
    M.get_or_init(|| {
        let path = std::env::var("DRF_SSO_FILTER_WASM").unwrap_or_else(|_| {
            repo("target/wasm32-unknown-unknown/filter/drf_sso_jwt_filter.wasm")
        });
        let wasm = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{path}: {e}; build the filter first (bash tests/proxy/run.sh)")
        });
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, &wasm).expect("the filter compiles");
        (engine, module)
    })
}

/// The configuration filter/envoy.yaml carries: keys/settings.json and the three test keys.
fn base_config() -> Value {
    let settings: Value = serde_json::from_str(&read("keys/settings.json")).unwrap();
    json!({
        "settings": settings,
        "keys": {
            "myapp-20200410.pem": read("keys/myapp-20200410.pem"),
            "myapp-20180101.pem": read("keys/myapp-20180101.pem"),
            "otherapp-2024.pem": read("keys/otherapp-2024.pem"),
        },
        "skip_paths": ["/healthz", "/static/"],
    })
}

fn with(mut cfg: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    cfg
}

fn host_with(cfg: &Value) -> Host {
    let (engine, module) = module();
    let mut host =
        Host::with_module(engine, module, cfg.to_string().as_bytes()).expect("the filter starts");
    host.set_now(NOW);
    host
}

fn host() -> Host {
    let h = host_with(&base_config());
    assert!(
        h.configured,
        "base configuration accepted: {:?}",
        h.state().logs
    );
    h
}

// ---- tokens ----

fn pem_block<'a>(text: &'a str, label: &str) -> &'a str {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let s = text.find(&begin).expect("block present");
    let e = text[s..].find(&end).expect("block end") + s + end.len();
    &text[s..e]
}

fn private_key(file: &str) -> rsa::PrivateKey {
    let text = read(&format!("keys/{file}"));
    if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        rsa::PrivateKey::from_pkcs1_pem(pem_block(&text, "RSA PRIVATE KEY"))
            .expect("PKCS#1 private key")
    } else {
        rsa::PrivateKey::from_pkcs8_pem(pem_block(&text, "PRIVATE KEY"))
            .expect("PKCS#8 private key")
    }
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// An RS256 token over exactly these header and payload JSON texts, signed with `key_file`.
fn sign(key_file: &str, header: &Value, payload: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let sig = private_key(key_file)
        .pkcs1v15_sign::<Sha256>(input.as_bytes())
        .expect("signing works");
    format!("{input}.{}", b64(&sig))
}

fn claims(iss: &str) -> Value {
    json!({
        "token": "session", "iss": iss, "aud": "myapp", "sid": "s-1", "uid": "u-1",
        "iat": NOW as i64 - 10, "exp": NOW as i64 + 300,
    })
}

fn claims_with(iss: &str, changes: Value) -> Value {
    with(claims(iss), changes)
}

fn token(key_file: &str, kid: Option<&str>, payload: &Value) -> String {
    let header = match kid {
        Some(kid) => json!({"typ": "JWT", "alg": "RS256", "kid": kid}),
        None => json!({"typ": "JWT", "alg": "RS256"}),
    };
    sign(key_file, &header, payload)
}

fn valid_token() -> String {
    token(
        "myapp-20200410.pem",
        Some("myapp-20200410"),
        &claims("myapp"),
    )
}

// ---- requests ----

fn get(host: &mut Host, path: &str, extra: &[(&str, &str)]) -> Exchange {
    let mut headers = vec![
        (":method", "GET"),
        (":path", path),
        (":authority", "api.example"),
        (":scheme", "https"),
    ];
    headers.extend_from_slice(extra);
    host.request_text(&headers).expect("no trap")
}

fn with_token(host: &mut Host, token: &str) -> Exchange {
    let auth = format!("JWT {token}");
    get(host, "/api/me", &[("authorization", &auth)])
}

/// A 401 with DRF's body and headers.
#[track_caller]
fn assert_401(x: &Exchange, detail: &str) {
    assert_eq!(x.action, Action::Pause, "a rejected request stops");
    let r = x.local_response.as_ref().expect("a local 401 reply");
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(r.header("www-authenticate").as_deref(), Some(WWW));
    let body: Value = serde_json::from_slice(&r.body).expect("JSON body");
    assert_eq!(body, json!({"detail": detail}), "body {}", r.body_text());
    // DRF's JSONRenderer is compact: the server's exact bytes.
    assert_eq!(r.body_text(), format!("{{\"detail\":\"{detail}\"}}"));
}

#[track_caller]
fn assert_no_sso_headers(x: &Exchange) {
    for (n, v) in &x.request_headers {
        assert!(
            !n.starts_with("x-sso-"),
            "{n}: {} reached the upstream",
            String::from_utf8_lossy(v)
        );
    }
}

fn payload_header(x: &Exchange) -> Value {
    let h = x
        .upstream_header("x-sso-payload")
        .expect("x-sso-payload set");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).expect("base64url")).expect("JSON payload")
}

// ---- tests ----

#[test]
fn valid_tokens_of_each_issuer_and_key_rotation_pass_with_claim_headers() {
    let mut h = host();
    let cases = [
        ("myapp-20200410.pem", Some("myapp-20200410"), "myapp"),
        ("myapp-20180101.pem", Some("myapp-20180101"), "myapp"), // older rotation, PKCS#1 key file
        ("myapp-20200410.pem", Some("myapp-20200410.pem"), "myapp"), // kid as the file name
        ("myapp-20200410.pem", None, "myapp"),                   // no kid: the issuer's first key
        ("otherapp-2024.pem", Some("otherapp-2024"), "otherapp"),
        ("otherapp-2024.pem", None, "otherapp"),
    ];
    for (file, kid, iss) in cases {
        let payload = claims_with(iss, json!({"uid": format!("u-{iss}"), "sid": "sess-9"}));
        let t = token(file, kid, &payload);
        let x = with_token(&mut h, &t);
        assert!(x.forwarded(), "{file} {kid:?}: {:?}", x.local_response);
        assert_eq!(x.upstream_header("x-sso-uid"), Some(format!("u-{iss}")));
        assert_eq!(x.upstream_header("x-sso-sid").as_deref(), Some("sess-9"));
        assert_eq!(x.upstream_header("x-sso-iss").as_deref(), Some(iss));
        assert_eq!(
            x.upstream_header("x-sso-email"),
            None,
            "absent claim sets no header"
        );
        assert_eq!(payload_header(&x), payload);
        assert_eq!(
            x.upstream_header("authorization"),
            Some(format!("JWT {t}")),
            "token kept by default"
        );
    }
    // An authorization token (drf-sso `token: auth`) for this service.
    let auth = claims_with(
        "otherapp",
        json!({"token": "auth", "aud": ["myapp", "otherapp"]}),
    );
    assert!(with_token(&mut h, &token("otherapp-2024.pem", None, &auth)).forwarded());
    assert!(
        h.state().unimplemented.is_empty(),
        "the filter used only implemented host calls: {:?}",
        h.state().unimplemented
    );
}

#[test]
fn claim_values_become_header_text() {
    let mut h = host();
    let payload = claims_with(
        "myapp",
        json!({"uid": 7, "cid": true, "email": "ada@example.com", "scopes": ["read", "write"], "sid": "a\nb", "iss": "myapp"}),
    );
    let x = with_token(&mut h, &token("myapp-20200410.pem", None, &payload));
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("7"));
    assert_eq!(
        x.upstream_header("x-sso-cid").as_deref(),
        Some("True"),
        "Python str()"
    );
    assert_eq!(
        x.upstream_header("x-sso-email").as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        x.upstream_header("x-sso-scopes").as_deref(),
        Some(r#"["read","write"]"#)
    );
    assert_eq!(
        x.upstream_header("x-sso-sid").as_deref(),
        Some("UTF-8''a%0Ab"),
        "a value no header may carry as it is: RFC 8187 encoding"
    );
    assert_eq!(payload_header(&x)["sid"], "a\nb");
    // Non-ASCII survives: percent-encoded UTF-8 behind `UTF-8''`.
    let payload = claims_with(
        "myapp",
        json!({"uid": "дмитрий", "email": "zoë@exämple.org"}),
    );
    let x = with_token(&mut h, &token("myapp-20200410.pem", None, &payload));
    assert_eq!(
        x.upstream_header("x-sso-email").as_deref(),
        Some("UTF-8''zo%C3%AB%40ex%C3%A4mple.org")
    );
    assert_eq!(
        x.upstream_header("x-sso-uid").as_deref(),
        Some("UTF-8''%D0%B4%D0%BC%D0%B8%D1%82%D1%80%D0%B8%D0%B9")
    );
    for (n, v) in &x.request_headers {
        assert!(v.is_ascii(), "{n} carries only ASCII");
    }
}

#[test]
fn claim_headers_and_payload_header_are_configurable() {
    let cfg = with(
        base_config(),
        json!({"claim_headers": {"uid": "X-User-Id", "email": null, "role": "x-user-role"}, "payload_header": null}),
    );
    let mut h = host_with(&cfg);
    assert!(h.configured);
    let payload = claims_with("myapp", json!({"role": "admin", "email": "e@x"}));
    let x = with_token(&mut h, &token("myapp-20200410.pem", None, &payload));
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-user-id").as_deref(), Some("u-1"));
    assert_eq!(x.upstream_header("x-user-role").as_deref(), Some("admin"));
    assert_eq!(
        x.upstream_header("x-sso-uid"),
        None,
        "the given map replaces the defaults"
    );
    assert_eq!(
        x.upstream_header("x-sso-payload"),
        None,
        "payload_header: null disables it"
    );
    assert_no_sso_headers(&x);
    // Forged custom claim headers are removed as well.
    let x = get(
        &mut h,
        "/api",
        &[("x-user-id", "admin"), ("x-user-role", "root")],
    );
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-user-id"), None);
    assert_eq!(x.upstream_header("x-user-role"), None);
}

#[test]
fn strip_token_removes_the_credentials_after_success_only() {
    let mut h = host_with(&with(base_config(), json!({"strip_token": true})));
    let x = with_token(&mut h, &valid_token());
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("authorization"), None);
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("u-1"));
    // Another scheme is not ours to strip.
    let x = get(&mut h, "/api", &[("authorization", "Basic dTpw")]);
    assert!(x.forwarded());
    assert_eq!(
        x.upstream_header("authorization").as_deref(),
        Some("Basic dTpw")
    );
}

#[test]
fn each_error_class_is_a_401_with_drf_text() {
    let mut h = host();
    let expired = token(
        "myapp-20200410.pem",
        None,
        &claims_with(
            "myapp",
            json!({"iat": NOW as i64 - 1000, "exp": NOW as i64 - 1}),
        ),
    );
    let attacker = token(
        "test-only-attacker.pem",
        Some("myapp-20200410"),
        &claims("myapp"),
    );
    let wrong_rotation = token(
        "myapp-20200410.pem",
        Some("myapp-20180101"),
        &claims("myapp"),
    );
    let unknown_kid = token("myapp-20200410.pem", Some("myapp-2099"), &claims("myapp"));
    let unknown_issuer = token("myapp-20200410.pem", None, &claims("stranger"));
    let no_uid = token(
        "myapp-20200410.pem",
        None,
        &claims_with("myapp", json!({"uid": ""})),
    );
    let wrong_aud = token(
        "myapp-20200410.pem",
        None,
        &claims_with("myapp", json!({"aud": "elsewhere"})),
    );
    let valid = valid_token();
    // Change a signature character well inside the segment (the last one carries padding bits).
    let mut tampered = valid.clone().into_bytes();
    let at = tampered.len() - 20;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let cases: Vec<(String, &str)> = vec![
        (format!("JWT {expired}"), "Signature has expired."),
        (format!("JWT {attacker}"), "Error decoding signature."),
        (format!("JWT {wrong_rotation}"), "Error decoding signature."),
        (format!("JWT {tampered}"), "Error decoding signature."),
        (
            format!("JWT {unknown_kid}"),
            "Unauthorized token signing key.",
        ),
        (
            format!("JWT {unknown_issuer}"),
            "Incorrect authentication credentials.",
        ),
        (
            format!("JWT {no_uid}"),
            "Incorrect authentication credentials.",
        ),
        (
            format!("JWT {wrong_aud}"),
            "Incorrect authentication credentials.",
        ),
        ("JWT not-a-token".into(), "Error decoding signature."),
        ("JWT a.b.c".into(), "Error decoding signature."),
        (
            format!("JWT {}", "A".repeat(9000)),
            "Error decoding signature.",
        ),
        (
            "JWT".into(),
            "Invalid token header. No credentials provided.",
        ),
        (
            "jwt   ".into(),
            "Invalid token header. No credentials provided.",
        ),
        (
            format!("JWT {valid} extra"),
            "Invalid token header. Token string should not contain spaces.",
        ),
    ];
    for (auth, detail) in &cases {
        let x = get(&mut h, "/api/me", &[("authorization", auth)]);
        assert_401(&x, detail);
        assert_no_sso_headers(&x);
    }
    // Not UTF-8 after the scheme.
    let x = h
        .request(&[
            (":method", b"GET"),
            (":path", b"/api"),
            ("authorization", b"JWT \xff\xfe"),
        ])
        .expect("no trap");
    assert_401(
        &x,
        "Invalid token header. Token string should not contain invalid characters.",
    );
    // The same valid token still passes, and the scheme is case-insensitive as in DRF.
    assert!(get(
        &mut h,
        "/api",
        &[("authorization", &format!("jwt {valid}"))]
    )
    .forwarded());
}

#[test]
fn the_host_clock_decides_expiry() {
    let mut h = host();
    let t = valid_token(); // exp = NOW + 300
    h.set_now(NOW + 299.0);
    assert!(with_token(&mut h, &t).forwarded());
    h.set_now(NOW + 301.0);
    assert_401(&with_token(&mut h, &t), "Signature has expired.");
    h.set_now(NOW - 100.0); // iat = NOW - 10 is in the future
    assert_401(
        &with_token(&mut h, &t),
        "Incorrect authentication credentials.",
    );
}

#[test]
fn forged_sso_headers_are_always_removed() {
    let mut h = host();
    let forged = [
        ("x-sso-uid", "admin"),
        ("X-SSO-Sid", "forged"),
        ("x-sso-payload", "eyJ1aWQiOiJhZG1pbiJ9"),
        ("x-sso-anything", "1"),
        ("x-sso-uid", "second copy"),
    ];
    // Anonymous.
    let x = get(&mut h, "/api", &forged);
    assert!(x.forwarded());
    assert_no_sso_headers(&x);
    // Skipped path.
    let x = get(&mut h, "/healthz", &forged);
    assert!(x.forwarded());
    assert_no_sso_headers(&x);
    // Rejected (nothing reaches the upstream anyway, but the map is clean).
    let mut headers = forged.to_vec();
    headers.push(("authorization", "JWT x.y.z"));
    let x = get(&mut h, "/api", &headers);
    assert_401(&x, "Error decoding signature.");
    assert_no_sso_headers(&x);
    // Authenticated: only the filter's values, once each.
    let auth = format!("JWT {}", valid_token());
    headers.pop();
    headers.push(("authorization", &auth));
    let x = get(&mut h, "/api", &headers);
    assert!(x.forwarded());
    let uids: Vec<_> = x
        .request_headers
        .iter()
        .filter(|(n, _)| n == "x-sso-uid")
        .collect();
    assert_eq!(uids.len(), 1);
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("u-1"));
    assert_eq!(x.upstream_header("x-sso-sid").as_deref(), Some("s-1"));
    assert_eq!(x.upstream_header("x-sso-anything"), None);
    assert_eq!(payload_header(&x), claims("myapp"));
}

#[test]
fn anonymous_requests_follow_allow_anonymous() {
    let mut open = host();
    let mut closed = host_with(&with(base_config(), json!({"allow_anonymous": false})));
    assert!(closed.configured);
    for extra in [
        vec![],
        vec![("authorization", "")],
        vec![("authorization", "Basic dTpw")],
        vec![("authorization", "Bearer x")],
    ] {
        let x = get(&mut open, "/api", &extra);
        assert!(
            x.forwarded(),
            "{extra:?}: DRF returns None → unauthenticated pass-through"
        );
        assert_no_sso_headers(&x);
        assert_401(
            &get(&mut closed, "/api", &extra),
            "Authentication credentials were not provided.",
        );
    }
    // Credentials are still checked in both modes.
    assert_401(
        &get(&mut open, "/api", &[("authorization", "JWT")]),
        "Invalid token header. No credentials provided.",
    );
    assert!(with_token(&mut closed, &valid_token()).forwarded());
}

#[test]
fn skip_paths_match_whole_segments() {
    let mut h = host_with(&with(base_config(), json!({"allow_anonymous": false})));
    let expired = token(
        "myapp-20200410.pem",
        None,
        &claims_with(
            "myapp",
            json!({"iat": NOW as i64 - 1000, "exp": NOW as i64 - 1}),
        ),
    );
    let auth = format!("JWT {expired}");
    for path in [
        "/healthz",
        "/healthz/live",
        "/healthz?probe=1",
        "/static/app.js",
        "/static/",
    ] {
        let x = get(&mut h, path, &[("authorization", &auth)]);
        assert!(x.forwarded(), "{path} skips authentication");
        assert_eq!(x.upstream_header("x-sso-uid"), None);
    }
    for path in [
        "/healthzx",
        "/api/healthz",
        "/static",
        "/healthz/../admin",
        "/healthz/%2e%2e/admin",
        "//healthz",
        "/healthz//x",
    ] {
        assert_401(
            &get(&mut h, path, &[]),
            "Authentication credentials were not provided.",
        );
    }
}

#[test]
fn authenticate_header_sets_the_scheme_and_www_authenticate() {
    let mut cfg = base_config();
    cfg["settings"]["AUTHENTICATE_HEADER"] = json!("Bearer");
    let mut h = host_with(&cfg);
    assert!(h.configured);
    let t = valid_token();
    assert!(get(&mut h, "/api", &[("authorization", &format!("Bearer {t}"))]).forwarded());
    let x = get(&mut h, "/api", &[("authorization", "Bearer nope")]);
    let r = x.local_response.expect("401");
    assert_eq!(r.header("www-authenticate").as_deref(), Some("Bearer"));
    // `JWT …` is now another scheme: anonymous.
    let x = get(&mut h, "/api", &[("authorization", &format!("JWT {t}"))]);
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-sso-uid"), None);
}

#[test]
fn a_custom_credentials_header_is_read() {
    let mut h = host_with(&with(
        base_config(),
        json!({"header": "X-Api-Token", "strip_token": true}),
    ));
    assert!(h.configured);
    let auth = format!("JWT {}", valid_token());
    let x = get(
        &mut h,
        "/api",
        &[("x-api-token", &auth), ("authorization", "JWT garbage")],
    );
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("u-1"));
    assert_eq!(x.upstream_header("x-api-token"), None);
    assert_eq!(
        x.upstream_header("authorization").as_deref(),
        Some("JWT garbage")
    );
}

#[test]
fn key_files_fail_only_the_tokens_selecting_them() {
    // As on the Django server: a key file not given, or unusable, is refused for the tokens
    // whose kid selects it; the configuration loads, logs it at warn, and the rest works.
    let mut cfg = base_config();
    cfg["settings"]["PUBLIC_KEYS"]["myapp"] = json!(["myapp-20200410.pem", "missing.pem"]);
    cfg["keys"]["otherapp-2024.pem"] =
        json!("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    let mut h = host_with(&cfg);
    assert!(h.configured, "{:?}", h.state().logs);
    let warns: Vec<String> = h
        .state()
        .logs
        .iter()
        .filter(|(l, _)| *l == level::WARN)
        .map(|(_, m)| m.clone())
        .collect();
    assert!(warns.iter().any(|m| m.contains("missing.pem")), "{warns:?}");
    assert!(
        warns.iter().any(|m| m.contains("otherapp-2024.pem")),
        "{warns:?}"
    );
    assert!(with_token(&mut h, &valid_token()).forwarded());
    let other = token(
        "otherapp-2024.pem",
        Some("otherapp-2024"),
        &claims("otherapp"),
    );
    assert_401(
        &with_token(&mut h, &other),
        "Unauthorized token signing key.",
    );
}

#[test]
fn bad_configuration_fails_on_configure_and_requests_fail_closed() {
    let mut weak_key = base_config();
    weak_key["settings"]["PUBLIC_KEYS"]["weak"] = json!("test-only-1024.pem");
    weak_key["keys"]["test-only-1024.pem"] = json!(read("keys/test-only-1024.pem"));
    let mut bad_setting = base_config();
    bad_setting["settings"]["VERIFY_EXPIRATION"] = json!("yes");
    // The base configuration with some members replaced, as bytes.
    let base_with = |extra| with(base_config(), extra).to_string().into_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", b"".to_vec()),
        ("not JSON", b"{settings:".to_vec()),
        ("not an object", b"[1, 2]".to_vec()),
        ("no settings", json!({"keys": {}}).to_string().into_bytes()),
        ("unknown key", base_with(json!({"allow_anonymus": false}))),
        ("1024-bit key", weak_key.to_string().into_bytes()),
        ("bad setting type", bad_setting.to_string().into_bytes()),
        (
            "allow_anonymous not bool",
            base_with(json!({"allow_anonymous": "no"})),
        ),
        (
            "skip_paths not a list",
            base_with(json!({"skip_paths": "/healthz"})),
        ),
        (
            "relative skip path",
            base_with(json!({"skip_paths": ["healthz"]})),
        ),
        (
            "bad header name",
            base_with(json!({"claim_headers": {"uid": "x sso uid"}})),
        ),
        (
            "claim into credentials header",
            base_with(json!({"claim_headers": {"uid": "authorization"}})),
        ),
        ("header not a string", base_with(json!({"header": 5}))),
        (
            "credentials header the filter strips",
            base_with(json!({"header": "x-sso-token"})),
        ),
        (
            "credentials header is a claim header",
            base_with(json!({"header": "x-user", "claim_headers": {"uid": "x-user"}})),
        ),
        ("bad rule", base_with(json!({"rules": [{"prefix": "/a"}]}))),
        (
            "claim into host",
            base_with(json!({"claim_headers": {"uid": "host"}})),
        ),
        ("not UTF-8", b"{\"settings\": \"\xff\"}".to_vec()),
    ];
    let (engine, module) = module();
    for (what, cfg) in cases {
        let mut h = Host::with_module(engine, module, &cfg).expect("the VM still starts");
        h.set_now(NOW);
        assert!(!h.configured, "{what}: on_configure returns false");
        let errors: Vec<_> = h
            .state()
            .logs
            .iter()
            .filter(|(l, _)| *l == level::ERROR)
            .collect();
        assert!(
            errors
                .iter()
                .any(|(_, m)| m.contains("bad plugin configuration")),
            "{what}: an error is logged: {:?}",
            h.state().logs
        );
        for _ in 0..3 {
            let x = with_token(&mut h, &valid_token());
            assert_eq!(x.action, Action::Pause, "{what}: fail closed");
            assert_eq!(
                x.local_response.as_ref().map(|r| r.status),
                Some(500),
                "{what}"
            );
        }
    }
}

#[test]
fn reconfiguration_replaces_the_configuration() {
    let mut h = host();
    let t = valid_token();
    assert!(with_token(&mut h, &t).forwarded());
    assert!(!h.reconfigure(b"{").unwrap());
    assert_eq!(
        with_token(&mut h, &t).local_response.map(|r| r.status),
        Some(500)
    );
    assert!(h.reconfigure(base_config().to_string().as_bytes()).unwrap());
    assert!(with_token(&mut h, &t).forwarded());
}

#[test]
fn jwks_key_material_is_accepted() {
    // The public key of myapp-20200410 as a JWK: inline JSON objects are explicit key
    // material; the same JSON as a *string* is key file text, read as the server reads key
    // files (no PEM block, so no key: only the tokens selecting it are refused).
    use rsa::traits::PublicKeyParts;
    let key = private_key("myapp-20200410.pem");
    let jwk = json!({"kty": "RSA", "kid": "myapp-20200410", "n": b64(&key.n().to_be_bytes_trimmed_vartime()), "e": b64(&key.e().to_be_bytes_trimmed_vartime())});
    for (material, works) in [
        (json!({"keys": [jwk.clone()]}), true),
        (jwk.clone(), true),
        (json!(json!({"keys": [jwk.clone()]}).to_string()), false),
    ] {
        let mut cfg = base_config();
        cfg["keys"] = json!({"myapp-20200410.pem": material, "myapp-20180101.pem": read("keys/myapp-20180101.pem"), "otherapp-2024.pem": read("keys/otherapp-2024.pem")});
        let mut h = host_with(&cfg);
        assert!(h.configured, "{:?}", h.state().logs);
        let r = with_token(&mut h, &valid_token());
        if works {
            assert!(r.forwarded());
        } else {
            assert_401(&r, "Unauthorized token signing key.");
            let warned = h
                .state()
                .logs
                .iter()
                .any(|(l, m)| *l == level::WARN && m.contains("myapp-20200410.pem"));
            assert!(
                warned,
                "the unusable key file is logged at warn: {:?}",
                h.state().logs
            );
        }
    }
}

#[test]
fn refusals_log_one_warn_line_per_class_then_debug_only() {
    let mut h = host();
    let warns = |h: &Host| {
        h.state()
            .logs
            .iter()
            .filter(|(l, _)| *l == level::WARN)
            .map(|(_, m)| m.clone())
            .collect::<Vec<_>>()
    };
    for _ in 0..5 {
        assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    }
    assert_eq!(warns(&h).len(), 1, "{:?}", h.state().logs);
    assert!(
        warns(&h)[0].contains("401 malformed GET /api/me"),
        "{:?}",
        warns(&h)
    );
    // Another class has its own line.
    let expired = token(
        "myapp-20200410.pem",
        None,
        &claims_with(
            "myapp",
            json!({"iat": NOW as i64 - 1000, "exp": NOW as i64 - 1}),
        ),
    );
    assert_401(&with_token(&mut h, &expired), "Signature has expired.");
    assert_401(&with_token(&mut h, &expired), "Signature has expired.");
    assert_eq!(warns(&h).len(), 2);
    assert!(warns(&h)[1].contains("401 expired"), "{:?}", warns(&h));
    // After the interval: one line again, counting what was left out.
    h.set_now(NOW + 61.0);
    assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    assert!(
        warns(&h)[2].contains("(4 more of this class"),
        "{:?}",
        warns(&h)
    );
    // Nothing at info or above for the quiet ones; at debug, a line each.
    h.set_log_level(level::DEBUG);
    let before = h.state().logs.len();
    assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    let (lvl, msg) = h.state().logs.last().unwrap().clone();
    assert_eq!(h.state().logs.len(), before + 1);
    assert_eq!(lvl, level::DEBUG);
    assert!(msg.contains("401 malformed"), "{msg}");
    // Log text cannot be forged by the client: control bytes are escaped.
    let x = get(&mut h, "/a\nb", &[("authorization", "JWT x.y.z\u{7f}")]);
    assert!(x.local_response.is_some());
    assert!(h.state().logs.iter().all(|(_, m)| !m.contains('\n')));
}

#[test]
fn every_local_reply_carries_response_code_details() {
    let mut h = host_with(&with(
        base_config(),
        json!({"rules": [{"prefix": "/admin", "requirement": "required", "token": "auth"}]}),
    ));
    let cases: Vec<(Exchange, &str)> = vec![
        (with_token(&mut h, "x.y.z"), "drf_sso_jwt_denied{malformed}"),
        (
            get(&mut h, "/admin", &[]),
            "drf_sso_jwt_denied{not_authenticated}",
        ),
        (
            get(
                &mut h,
                "/admin",
                &[("authorization", &format!("JWT {}", valid_token()))],
            ),
            "drf_sso_jwt_denied{wrong_token_type}",
        ),
    ];
    for (x, want) in cases {
        let r = x.local_response.expect("a local reply");
        assert_eq!(String::from_utf8_lossy(&r.details), want);
    }
    let (engine, module) = module();
    let mut bad = Host::with_module(engine, module, b"{").unwrap();
    let r = with_token(&mut bad, &valid_token()).local_response.unwrap();
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.details).into_owned()),
        (500, "drf_sso_jwt_denied{no_config}".into())
    );
    assert_eq!(bad.state().metric("drf_sso_jwt.config_errors"), 1);
    assert_eq!(bad.state().metric("drf_sso_jwt.denied.no_config"), 1);
}

#[test]
fn counters_count_each_outcome() {
    let mut h = host_with(&with(base_config(), json!({"stat_prefix": "edge"})));
    let t = valid_token();
    for _ in 0..3 {
        assert!(with_token(&mut h, &t).forwarded());
    }
    assert!(get(&mut h, "/api", &[]).forwarded());
    assert!(get(&mut h, "/healthz", &[("authorization", "JWT x")]).forwarded());
    assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    let s = h.state();
    let m = |n: &str| s.metric(&format!("edge.{n}"));
    assert_eq!(
        [
            m("allowed"),
            m("anonymous"),
            m("skipped"),
            m("denied"),
            m("denied.malformed")
        ],
        [3, 1, 1, 2, 2]
    );
    // The valid token: one miss (its RSA check), then two hits; each x.y.z is a miss.
    assert_eq!([m("cache_misses"), m("cache_hits")], [3, 2]);
    assert_eq!(m("denied.expired"), 0);
    let names = s.metric_names();
    assert!(
        names.contains(&"edge.denied.expired".to_string()),
        "defined up front: {names:?}"
    );
    assert!(names.contains(&"edge.config_errors".to_string()));
}

#[test]
fn a_repeated_credentials_header_is_refused_never_forwarded() {
    let valid = format!("JWT {}", valid_token());
    let mut custom = host_with(&with(base_config(), json!({"header": "x-api-token"})));
    let mut plain = host();
    for (h, name) in [(&mut custom, "x-api-token"), (&mut plain, "authorization")] {
        for second in [valid.as_str(), "JWT forged", "", "Basic dTpw"] {
            let x = get(h, "/api", &[(name, &valid), (name, second)]);
            assert_401(
                &x,
                "Invalid token header. Token string should not contain spaces.",
            );
            assert_eq!(
                String::from_utf8_lossy(&x.local_response.unwrap().details),
                "drf_sso_jwt_denied{duplicate_header}"
            );
        }
        let x = get(h, "/api", &[(name, ""), (name, "")]);
        assert!(!x.forwarded(), "{name}: two empty copies are refused too");
        assert_eq!(h.state().metric("drf_sso_jwt.denied.duplicate_header"), 5);
    }
}

#[test]
fn header_names_that_are_not_ascii_never_trap() {
    let mut h = host();
    // "x-sso" + "é" puts a multi-byte character across the 6-byte "x-sso-" prefix.
    let names = [
        "x-sso\u{e9}",
        "x-ss\u{e9}\u{e9}",
        "\u{e9}",
        "x-sso-\u{e9}t\u{e9}",
        "\u{1f600}x-sso-",
    ];
    let mut headers: Vec<(&str, &[u8])> = vec![(":method", b"GET"), (":path", b"/api")];
    for n in &names {
        headers.push((n, b"1"));
    }
    let x = h.request(&headers).expect("no trap");
    assert!(x.forwarded());
    assert_no_sso_headers(&x);
    assert_eq!(
        x.upstream_header("x-sso\u{e9}").as_deref(),
        Some("1"),
        "not x-sso-*: kept"
    );
    let auth = format!("JWT {}", valid_token());
    headers.push(("authorization", auth.as_bytes()));
    let x = h.request(&headers).expect("no trap");
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("u-1"));
}

#[test]
fn rules_ask_for_token_kinds_and_scopes_as_drf_permissions_would() {
    let cfg = with(
        base_config(),
        json!({
            "allow_anonymous": false,
            "rules": [
                {"path": "/api/public", "methods": ["GET"], "requirement": "optional"},
                {"prefix": "/api/reports", "requirement": "required", "token": "auth", "scopes": ["reports"]},
                {"prefix": "/api/session", "requirement": "required", "token": "session"},
                {"prefix": "/static", "requirement": "skip"},
            ]
        }),
    );
    let mut h = host_with(&cfg);
    assert!(h.configured, "{:?}", h.state().logs);
    let session = format!("JWT {}", valid_token());
    let auth_no_scope = format!(
        "JWT {}",
        token(
            "myapp-20200410.pem",
            None,
            &claims_with("myapp", json!({"token": "auth", "scopes": []}))
        )
    );
    let auth_reports = format!(
        "JWT {}",
        token(
            "myapp-20200410.pem",
            None,
            &claims_with(
                "myapp",
                json!({"token": "auth", "scopes": ["read", "reports"]})
            )
        )
    );
    let forbidden = "You do not have permission to perform this action.";
    let req = |h: &mut Host, m: &str, p: &str, auth: Option<&str>| {
        let mut hs = vec![(":method", m), (":path", p)];
        if let Some(a) = auth {
            hs.push(("authorization", a));
        }
        h.request_text(&hs).expect("no trap")
    };
    // optional: anonymous passes, GET only.
    assert!(req(&mut h, "GET", "/api/public", None).forwarded());
    assert_401(
        &req(&mut h, "POST", "/api/public", None),
        "Authentication credentials were not provided.",
    );
    // required + auth + scopes.
    assert_401(
        &req(&mut h, "GET", "/api/reports/1", None),
        "Authentication credentials were not provided.",
    );
    let x = req(&mut h, "GET", "/api/reports/1", Some(&session));
    let r = x.local_response.expect("403");
    assert_eq!(r.status, 403);
    assert_eq!(r.body_text(), format!("{{\"detail\":\"{forbidden}\"}}"));
    assert_eq!(
        r.header("www-authenticate"),
        None,
        "DRF sends WWW-Authenticate with 401s only"
    );
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json")
    );
    let x = req(&mut h, "GET", "/api/reports/1", Some(&auth_no_scope));
    assert_eq!(
        x.local_response.map(|r| (r.status, r.details)),
        Some((403, b"drf_sso_jwt_denied{missing_scope}".to_vec()))
    );
    let x = req(&mut h, "GET", "/api/reports/1", Some(&auth_reports));
    assert!(x.forwarded());
    assert_eq!(
        x.upstream_header("x-sso-scopes").as_deref(),
        Some(r#"["read","reports"]"#)
    );
    // An encoded path reaches the stricter rule.
    let x = req(&mut h, "GET", "/api/%72eports/1", Some(&session));
    assert_eq!(x.local_response.map(|r| r.status), Some(403));
    let x = req(
        &mut h,
        "GET",
        "/static/../api/reports/1",
        Some(&auth_no_scope),
    );
    assert_eq!(x.local_response.map(|r| r.status), Some(403));
    // session-only route.
    assert!(req(&mut h, "GET", "/api/session", Some(&session)).forwarded());
    assert_eq!(
        req(&mut h, "GET", "/api/session", Some(&auth_reports))
            .local_response
            .map(|r| r.status),
        Some(403)
    );
    // Bad credentials are still a 401, whatever the rule.
    assert_401(
        &req(&mut h, "GET", "/api/public", Some("JWT x.y.z")),
        "Error decoding signature.",
    );
    // skip: not even read.
    assert!(req(&mut h, "GET", "/static/app.js", Some("JWT x.y.z")).forwarded());
    // The default rule (allow_anonymous: false).
    assert_401(
        &req(&mut h, "GET", "/other", None),
        "Authentication credentials were not provided.",
    );
    assert!(req(&mut h, "GET", "/other", Some(&session)).forwarded());
}

/// A `google.protobuf.Struct` serialized as Envoy passes it for a Struct `configuration`.
fn struct_bytes(v: &Value) -> Vec<u8> {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn field(n: u64, payload: &[u8], out: &mut Vec<u8>) {
        varint(n << 3 | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }
    fn value(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        match v {
            Value::Null => out.extend_from_slice(&[0x08, 0]),
            Value::Bool(b) => out.extend_from_slice(&[0x20, u8::from(*b)]),
            Value::Number(n) => {
                out.push(0x11);
                out.extend_from_slice(&n.as_f64().unwrap().to_le_bytes());
            }
            Value::String(s) => field(3, s.as_bytes(), &mut out),
            Value::Array(a) => {
                let mut l = Vec::new();
                for x in a {
                    field(1, &value(x), &mut l);
                }
                field(6, &l, &mut out);
            }
            Value::Object(_) => field(5, &struct_bytes(v), &mut out),
        }
        out
    }
    let mut out = Vec::new();
    for (k, x) in v.as_object().unwrap() {
        let mut e = Vec::new();
        field(1, k.as_bytes(), &mut e);
        field(2, &value(x), &mut e);
        field(1, &e, &mut out);
    }
    out
}

#[test]
fn a_struct_configuration_is_read_like_its_json() {
    let cfg = with(
        base_config(),
        json!({"allow_anonymous": false, "cache_size": 16}),
    );
    let (engine, module) = module();
    let mut h = Host::with_module(engine, module, &struct_bytes(&cfg)).unwrap();
    h.set_now(NOW);
    assert!(h.configured, "{:?}", h.state().logs);
    assert!(with_token(&mut h, &valid_token()).forwarded());
    assert_401(
        &get(&mut h, "/api", &[]),
        "Authentication credentials were not provided.",
    );
    // A broken Struct is a configuration error like broken JSON.
    let mut broken = struct_bytes(&cfg);
    broken.truncate(broken.len() / 2);
    let h = Host::with_module(engine, module, &broken).unwrap();
    assert!(!h.configured);
}

#[test]
fn public_halves_of_the_key_files_are_enough() {
    // Shipping only the public half works (what a deployment should do).
    let mut cfg = base_config();
    for f in [
        "myapp-20200410.pem",
        "myapp-20180101.pem",
        "otherapp-2024.pem",
    ] {
        cfg["keys"][f] = json!(pem_block(&read(&format!("keys/{f}")), "PUBLIC KEY"));
    }
    let mut h = host_with(&cfg);
    assert!(h.configured, "{:?}", h.state().logs);
    assert!(with_token(&mut h, &valid_token()).forwarded());
}

/// 100,000 requests through one filter instance: linear memory stays bounded.
#[test]
fn a_hundred_thousand_requests_in_bounded_memory() {
    let mut h = host_with(&with(base_config(), json!({"strip_token": true})));
    let valid = format!("JWT {}", valid_token());
    let old = format!(
        "JWT {}",
        token(
            "myapp-20180101.pem",
            Some("myapp-20180101"),
            &claims("myapp")
        )
    );
    let expired = format!(
        "JWT {}",
        token(
            "myapp-20200410.pem",
            None,
            &claims_with(
                "myapp",
                json!({"iat": NOW as i64 - 1000, "exp": NOW as i64 - 1})
            )
        )
    );
    let forged = format!(
        "JWT {}",
        token(
            "test-only-attacker.pem",
            Some("myapp-20200410"),
            &claims("myapp")
        )
    );
    let kinds: [(&str, Option<&str>); 7] = [
        ("/api/a", Some(valid.as_str())),
        ("/api/b", Some(old.as_str())),
        ("/api/c", Some(expired.as_str())),
        ("/api/d", Some(forged.as_str())),
        ("/api/e", Some("JWT not.a.token")),
        ("/api/f", None),
        ("/healthz", Some(valid.as_str())),
    ];
    let run = |h: &mut Host, n: usize| -> [usize; 2] {
        let mut counts = [0usize; 2];
        for i in 0..n {
            let (path, auth) = kinds[i % kinds.len()];
            let mut headers = vec![(":method", "GET"), (":path", path), ("x-sso-uid", "forged")];
            if let Some(a) = auth {
                headers.push(("authorization", a));
            }
            let x = h.request_text(&headers).expect("no trap");
            counts[usize::from(!x.forwarded())] += 1;
        }
        counts
    };
    let start_mem = h.memory_bytes();
    run(&mut h, 1_000);
    let warm_mem = h.memory_bytes();
    let t = std::time::Instant::now();
    let counts = run(&mut h, 100_000);
    let secs = t.elapsed().as_secs_f64();
    let end_mem = h.memory_bytes();
    eprintln!(
        "100000 requests: {} forwarded, {} rejected in {secs:.2}s ({:.1} µs/request); linear memory {} KiB at start, {} KiB after 1000 warm-up requests, {} KiB after 100000 more",
        counts[0],
        counts[1],
        secs * 1e6 / 100_000.0,
        start_mem / 1024,
        warm_mem / 1024,
        end_mem / 1024
    );
    assert_eq!(counts[0] + counts[1], 100_000);
    assert!(counts[0] > 40_000 && counts[1] > 40_000, "{counts:?}");
    assert!(
        end_mem <= warm_mem + 64 * 1024,
        "memory grew from {warm_mem} to {end_mem} bytes"
    );
    assert!(
        h.state().unimplemented.is_empty(),
        "{:?}",
        h.state().unimplemented
    );
}

/// The JSON plugin configuration of filter/envoy.yaml (the `value: |` block scalar).
fn envoy_yaml_configuration() -> String {
    let yaml = read("filter/envoy.yaml");
    let mut lines = yaml.lines().skip_while(|l| l.trim() != "value: |");
    let key_line = lines
        .next()
        .expect("a `value: |` block in filter/envoy.yaml");
    let indent = key_line.len() - key_line.trim_start().len();
    let block: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .collect();
    let strip = block
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    block
        .iter()
        .map(|l| l.get(strip..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_envoy_example_configuration_works() {
    let text = envoy_yaml_configuration();
    let cfg: Value = serde_json::from_str(&text).expect("envoy.yaml carries JSON");
    let mut h = host_with(&cfg);
    assert!(h.configured, "{:?}", h.state().logs);
    // /api/ requires authorization tokens; the rest of the app takes session tokens too.
    let auth = |iss: &str| claims_with(iss, json!({"token": "auth", "aud": ["myapp", "otherapp"]}));
    let x = with_token(&mut h, &token("myapp-20200410.pem", None, &auth("myapp")));
    assert!(x.forwarded());
    assert_eq!(x.upstream_header("x-sso-uid").as_deref(), Some("u-1"));
    assert!(with_token(&mut h, &token("otherapp-2024.pem", None, &auth("otherapp"))).forwarded());
    assert!(with_token(
        &mut h,
        &token("myapp-20180101.pem", Some("myapp-20180101"), &auth("myapp"))
    )
    .forwarded());
    let session = format!("JWT {}", valid_token());
    assert_eq!(
        with_token(&mut h, &valid_token())
            .local_response
            .map(|r| r.status),
        Some(403),
        "a session token at /api/"
    );
    assert!(get(&mut h, "/authorize/", &[("authorization", &session)]).forwarded());
    assert_401(&with_token(&mut h, "x.y.z"), "Error decoding signature.");
    assert!(get(&mut h, "/healthz", &[("authorization", "JWT x.y.z")]).forwarded());
    assert!(
        get(&mut h, "/session/", &[]).forwarded(),
        "allow_anonymous: true"
    );
    assert_401(
        &get(&mut h, "/api/me", &[]),
        "Authentication credentials were not provided.",
    );
    // It carries public keys only.
    assert!(!text.contains("PRIVATE KEY"));
}
