//! The CLI's JSON-lines contract, run as a user runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_drf-sso-jwt");
const SETTINGS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../keys/settings.json");
const NOW: &str = "1700000000";

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_owned();
    let writer = std::thread::spawn(move || input.write_all(data.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn issue(kind: &str, uid: &str) -> String {
    let out = run(
        &[
            "issue",
            "--settings",
            SETTINGS,
            "--type",
            kind,
            "--sid",
            "\"s-1\"",
            "--uid",
            uid,
            "--email",
            "a@b.c",
            "--now",
            NOW,
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn ten_thousand_lines_in_one_call() {
    let good = issue("auth", "7");
    let session = issue("session", "8");
    // Flip one signature character well before the end (the last one would be non-canonical base64).
    let at = good.len() - 10;
    let flipped = if &good[at..at + 1] == "A" { "B" } else { "A" };
    let bad = format!("{}{flipped}{}", &good[..at], &good[at + 1..]);
    let mut input = String::new();
    for i in 0..10_000 {
        input.push_str(match i % 4 {
            0 => &good,
            1 => &session,
            2 => &bad,
            _ => "  not-a-token  ",
        });
        input.push_str(if i % 7 == 0 { "\n\n" } else { "\n" });
    }
    let out = run(&["verify", "--settings", SETTINGS, "--now", NOW], &input);
    assert_eq!(out.status.code(), Some(1)); // some rejected
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10_000);
    for (i, line) in lines.iter().enumerate() {
        match i % 4 {
            0 | 1 => assert!(line.starts_with(r#"{"ok":true,"header":{"alg":"RS256","kid":"myapp-20200410","typ":"JWT"},"payload":{"token":"#), "{line}"),
            2 => assert_eq!(*line, r#"{"ok":false,"code":"bad_signature","detail":"Error decoding signature.","message":"Signature verification failed"}"#),
            _ => assert_eq!(*line, r#"{"ok":false,"code":"malformed","detail":"Error decoding signature.","message":"Not enough segments"}"#),
        }
    }
}

#[test]
fn exit_codes_and_argument_token() {
    let good = issue("auth", "7");
    let out = run(&["verify", "--settings", SETTINGS, "--now", NOW, &good], "");
    assert_eq!(out.status.code(), Some(0));
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.contains(r#""payload":{"token":"auth","sid":"s-1","cid":"","uid":7,"email":"a@b.c","scopes":[],"iss":"myapp","aud":["myapp","otherapp"],"iat":1700000000,"exp":1700000300}"#), "{line}");
    let expired = run(
        &[
            "verify",
            "--settings",
            SETTINGS,
            "--now",
            "1700000300",
            &good,
        ],
        "",
    );
    assert_eq!(expired.status.code(), Some(1));
    assert!(String::from_utf8(expired.stdout)
        .unwrap()
        .contains(r#""code":"expired","detail":"Signature has expired.""#));
    assert_eq!(
        run(&["verify", "--now", NOW, &good], "").status.code(),
        Some(2)
    ); // no settings
    assert_eq!(
        run(&["verify", "--settings", "/nonexistent.json", &good], "")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"], "").status.code(), Some(2));
}

#[test]
fn decode_authenticate_and_jwks() {
    let good = issue("session", "7");
    let out = run(&["decode"], &format!("{good}\nabc\n"));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(r#"{"ok":true,"header":{"alg":"RS256""#));
    assert!(lines[1].contains(r#""code":"malformed""#));

    let input = format!(
        "{}\nnull\n\"Bearer x\"\n\"JWT\"\n\"JWT a b\"\n\"JWT \\u00ff\"\n",
        drf_sso_jwt::json::dumps(&drf_sso_jwt::Value::Str(format!("JWT {good}")), false)
    );
    let out = run(
        &["authenticate", "--settings", SETTINGS, "--now", NOW],
        &input,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with(r#"{"ok":true,"header""#));
    assert_eq!(lines[1], r#"{"ok":true,"anonymous":true}"#);
    assert_eq!(lines[2], r#"{"ok":true,"anonymous":true}"#);
    assert!(lines[3].contains("No credentials provided."));
    assert!(lines[4].contains("should not contain spaces."));
    assert!(lines[5].contains("should not contain invalid characters."));

    let out = run(&["jwks", "--settings", SETTINGS], "");
    let jwks = String::from_utf8(out.stdout).unwrap();
    for kid in ["myapp-20200410", "myapp-20180101", "otherapp-2024"] {
        assert!(
            jwks.contains(&format!(r#""kid":"{kid}","use":"sig","alg":"RS256""#)),
            "{jwks}"
        );
    }
}

#[test]
fn sign_lines_follow_encode_jwt_token() {
    let out = run(
        &["sign", "--settings", SETTINGS, "--now", NOW],
        "{\"token\":\"auth\",\"sid\":\"s\",\"uid\":1}\n{\"token\":\"x\"}\n[]\n",
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(r#"{"ok":true,"token":"eyJ"#));
    assert!(lines[1].contains(r#""code":"sign""#) && lines[1].contains("Unknown token type"));
    assert!(lines[2].contains(r#""ok":false"#));
}
