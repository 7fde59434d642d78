//! EC and EdDSA keys and signatures against the server's stack, three ways:
//! * `tests/ec_openssl_cases.json`: edge cases (key encodings, PKCS#8/SEC1 variants,
//!   high S, small-order and torsion points) with the verdicts of `cryptography` 50.0.2
//!   (OpenSSL 4.0.3) and PyJWT 2.15.1, made and re-checked by `tests/ec_openssl_cases.py`;
//! * PyJWT tokens from that file: EdDSA signatures byte-identical to ours, ES* verified;
//! * the `openssl` command line (the machine's OpenSSL): its signatures verified by us,
//!   ours verified by it, Ed25519/Ed448 signatures byte-identical.
//!
//! Every token signed here is also written to `target/ec-interop/rust-signed.json`, which
//! `python tests/ec_openssl_cases.py --check-rust <file>` verifies with PyJWT.
#![cfg(all(feature = "ecdsa", feature = "eddsa"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use drf_sso_jwt::json::{self, Value};
use drf_sso_jwt::{
    spki_algorithm, EcAlg, EcPublicKey, EcSigningKey, OkpPublicKey, OkpSigningKey, SpkiAlgorithm,
};

const CASES: &str = include_str!("ec_openssl_cases.json");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn b64url(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

fn unb64url(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn field<'a>(v: &'a Value, k: &str) -> &'a Value {
    v.as_object()
        .unwrap()
        .get(k)
        .unwrap_or_else(|| panic!("no {k}"))
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    field(v, k).as_str().unwrap()
}

fn flag(v: &Value, k: &str) -> bool {
    matches!(field(v, k), Value::Bool(true))
}

fn list<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    match field(v, k) {
        Value::Array(a) => a,
        _ => panic!("{k} is not a list"),
    }
}

/// The DER of the first `label` block of a PEM file.
fn pem_block(path: &Path, label: &str) -> Vec<u8> {
    use base64::Engine;
    let text = std::fs::read_to_string(path).unwrap();
    let begin = format!("-----BEGIN {label}-----");
    let start = text.find(&begin).unwrap() + begin.len();
    let end = text[start..].find("-----END").unwrap() + start;
    let b64: String = text[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

/// Loads a public key the way the verifier will: by the SPKI's algorithm.
fn loads_public(der: &[u8]) -> bool {
    match spki_algorithm(der) {
        Ok(SpkiAlgorithm::Ec(_)) => EcPublicKey::from_spki_der(der).is_ok(),
        Ok(SpkiAlgorithm::Ed25519 | SpkiAlgorithm::Ed448) => {
            OkpPublicKey::from_spki_der(der).is_ok()
        }
        _ => false,
    }
}

fn loads_private(label: &str, der: &[u8]) -> bool {
    match label {
        "EC PRIVATE KEY" => EcSigningKey::from_sec1_der(der).is_ok(),
        "PRIVATE KEY" => {
            EcSigningKey::from_pkcs8_der(der).is_ok() || OkpSigningKey::from_pkcs8_der(der).is_ok()
        }
        other => panic!("label {other}"),
    }
}

fn verifies(alg: &str, spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    match EcAlg::from_name(alg) {
        Some(a) => EcPublicKey::from_spki_der(spki)
            .unwrap()
            .verify(a, msg, sig)
            .is_ok(),
        None => OkpPublicKey::from_spki_der(spki)
            .unwrap()
            .verify(msg, sig)
            .is_ok(),
    }
}

#[test]
fn server_verdicts_on_edge_cases() {
    let cases = json::parse(CASES.as_bytes()).unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for c in list(&cases, "public_keys") {
        n += 1;
        if loads_public(&hex(text(c, "spki"))) != flag(c, "loads") {
            wrong.push(format!("public key: {}", text(c, "name")));
        }
    }
    for c in list(&cases, "private_keys") {
        n += 1;
        if loads_private(text(c, "label"), &hex(text(c, "der"))) != flag(c, "loads") {
            wrong.push(format!("private key: {}", text(c, "name")));
        }
    }
    for c in list(&cases, "signatures") {
        n += 1;
        let got = verifies(
            text(c, "alg"),
            &hex(text(c, "spki")),
            &hex(text(c, "msg")),
            &hex(text(c, "sig")),
        );
        if got != flag(c, "valid") {
            wrong.push(format!("signature: {}", text(c, "name")));
        }
    }
    println!(
        "{n} edge cases ({}), {} disagree",
        text(&cases, "about"),
        wrong.len()
    );
    assert!(
        wrong.is_empty(),
        "disagreements with the server: {wrong:#?}"
    );
    assert!(n > 100);
}

/// The signing input and signature of a compact JWS.
fn split(token: &str) -> (&str, Vec<u8>) {
    let dot = token.rfind('.').unwrap();
    (&token[..dot], unb64url(&token[dot + 1..]))
}

/// A tiny deterministic source: the hedged nonce stays RFC 6979-safe with any input.
struct Counter(u64);
impl rand_core::TryRng for Counter {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.0 += 1;
        Ok(self.0 as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 += 1;
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 += 1;
            *b = self.0 as u8;
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for Counter {}

fn private_key_der(path: &Path) -> (String, Vec<u8>) {
    let text = std::fs::read_to_string(path).unwrap();
    let label = if text.contains("BEGIN EC PRIVATE KEY") {
        "EC PRIVATE KEY"
    } else {
        "PRIVATE KEY"
    };
    (label.to_owned(), pem_block(path, label))
}

#[test]
fn pyjwt_tokens_verify_and_eddsa_is_byte_identical() {
    let cases = json::parse(CASES.as_bytes()).unwrap();
    let mut out = Vec::new();
    for t in list(&cases, "pyjwt_tokens") {
        let key = root().join("keys").join(text(t, "key"));
        let token = text(t, "token");
        let alg = text(t, "alg");
        let (input, sig) = split(token);
        let spki = pem_block(&key, "PUBLIC KEY");
        let (label, der) = private_key_der(&key);
        assert!(verifies(alg, &spki, input.as_bytes(), &sig), "{token}");
        let mut tampered = sig.clone();
        tampered[7] ^= 4;
        assert!(!verifies(alg, &spki, input.as_bytes(), &tampered));
        let ours = match EcAlg::from_name(alg) {
            Some(a) => {
                let sk = match label.as_str() {
                    "EC PRIVATE KEY" => EcSigningKey::from_sec1_der(&der).unwrap(),
                    _ => EcSigningKey::from_pkcs8_der(&der).unwrap(),
                };
                sk.sign(a, input.as_bytes(), &mut Counter(3)).unwrap()
            }
            None => {
                let sk = OkpSigningKey::from_pkcs8_der(&der).unwrap();
                let s = sk.sign(input.as_bytes());
                assert_eq!(s, sig, "EdDSA signature differs from PyJWT's for {key:?}");
                s
            }
        };
        assert!(verifies(alg, &spki, input.as_bytes(), &ours));
        let payload = String::from_utf8(unb64url(input.split('.').nth(1).unwrap())).unwrap();
        out.push(format!(
            "{{\"key\": \"{}\", \"alg\": \"{alg}\", \"token\": \"{input}.{}\", \"payload\": {payload}{}}}",
            text(t, "key"),
            b64url(&ours),
            if alg == "EdDSA" {
                format!(", \"pyjwt_token\": \"{token}\"")
            } else {
                String::new()
            }
        ));
    }
    let dir = root().join("target").join("ec-interop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rust-signed.json"),
        format!("[\n{}\n]\n", out.join(",\n")),
    )
    .unwrap();
    println!(
        "{} PyJWT tokens verified; ours written to target/ec-interop/rust-signed.json",
        out.len()
    );
}

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command is needed for this test (Debian package openssl)");
    out
}

/// DER `ECDSA-Sig-Value` → raw `r‖s` of `w`-byte halves.
fn der_to_raw(der: &[u8], w: usize) -> Vec<u8> {
    fn int(b: &[u8]) -> (&[u8], &[u8]) {
        assert_eq!(b[0], 0x02);
        let n = b[1] as usize;
        (&b[2..2 + n], &b[2 + n..])
    }
    assert_eq!(der[0], 0x30);
    let body = if der[1] & 0x80 != 0 {
        &der[3..]
    } else {
        &der[2..]
    };
    let (r, rest) = int(body);
    let (s, _) = int(rest);
    let mut out = vec![0u8; 2 * w];
    let r = &r[r.len().saturating_sub(w)..];
    let s = &s[s.len().saturating_sub(w)..];
    out[w - r.len()..w].copy_from_slice(r);
    out[2 * w - s.len()..].copy_from_slice(s);
    out
}

/// Raw `r‖s` → DER `ECDSA-Sig-Value`.
fn raw_to_der(raw: &[u8]) -> Vec<u8> {
    fn int(x: &[u8]) -> Vec<u8> {
        let mut x: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        if x.is_empty() || x[0] & 0x80 != 0 {
            x.insert(0, 0);
        }
        let mut out = vec![0x02, x.len() as u8];
        out.extend(x);
        out
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let mut body = int(r);
    body.extend(int(s));
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.extend([0x81, body.len() as u8]);
    } else {
        out.push(body.len() as u8);
    }
    out.extend(body);
    out
}

#[test]
fn openssl_cli_interop() {
    let v = openssl(&["version"]);
    assert!(v.status.success(), "openssl version failed");
    println!("{}", String::from_utf8_lossy(&v.stdout).trim());
    let dir = root().join("target").join("ec-interop");
    std::fs::create_dir_all(&dir).unwrap();
    let msg_path = dir.join("msg.txt");
    let msg = b"eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJ1aWQiOjQyfQ";
    std::fs::write(&msg_path, msg).unwrap();
    let m = msg_path.to_str().unwrap();
    let mut checked = 0;
    for (file, alg, dgst) in [
        ("test-only-ec-p256.pem", EcAlg::ES256, "-sha256"),
        ("test-only-ec-p256-sec1.pem", EcAlg::ES256, "-sha256"),
        ("test-only-ec-p256-explicit.pem", EcAlg::ES256, "-sha256"),
        ("test-only-ec-p384.pem", EcAlg::ES384, "-sha384"),
        ("test-only-ec-p384-explicit.pem", EcAlg::ES384, "-sha384"),
        ("test-only-ec-p521.pem", EcAlg::ES512, "-sha512"),
        ("test-only-ec-p521-sec1.pem", EcAlg::ES521, "-sha512"),
        ("test-only-ec-secp256k1.pem", EcAlg::ES256K, "-sha256"),
        ("test-only-ec-secp256k1-sec1.pem", EcAlg::ES256K, "-sha256"),
    ] {
        let key = root().join("keys").join(file);
        let k = key.to_str().unwrap();
        let (label, der) = private_key_der(&key);
        let sk = if label == "EC PRIVATE KEY" {
            EcSigningKey::from_sec1_der(&der).unwrap()
        } else {
            EcSigningKey::from_pkcs8_der(&der).unwrap()
        };
        let pk = EcPublicKey::from_spki_der(&pem_block(&key, "PUBLIC KEY")).unwrap();
        assert_eq!(
            sk.public_key().to_uncompressed_point(),
            pk.to_uncompressed_point()
        );
        let w = pk.curve().coordinate_len();
        // OpenSSL signs, we verify.
        let sig_path = dir.join(format!("{file}.openssl.sig"));
        let s = sig_path.to_str().unwrap();
        let out = openssl(&["dgst", dgst, "-sign", k, "-out", s, m]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let raw = der_to_raw(&std::fs::read(&sig_path).unwrap(), w);
        pk.verify(alg, msg, &raw)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(pk.verify(alg, b"other", &raw).is_err());
        // We sign, OpenSSL verifies (public key from the file's PUBLIC KEY block).
        let pub_path = dir.join(format!("{file}.pub.pem"));
        std::fs::write(
            &pub_path,
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                base64_lines(&pk.to_spki_der())
            ),
        )
        .unwrap();
        let ours = sk.sign(alg, msg, &mut Counter(11)).unwrap();
        let ours_path = dir.join(format!("{file}.ours.sig"));
        std::fs::write(&ours_path, raw_to_der(&ours)).unwrap();
        let out = openssl(&[
            "dgst",
            dgst,
            "-verify",
            pub_path.to_str().unwrap(),
            "-signature",
            ours_path.to_str().unwrap(),
            m,
        ]);
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK"),
            "{file}: openssl refused our signature: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        checked += 1;
    }
    for file in ["test-only-ed25519.pem", "test-only-ed448.pem"] {
        let key = root().join("keys").join(file);
        let k = key.to_str().unwrap();
        let sk = OkpSigningKey::from_pkcs8_der(&pem_block(&key, "PRIVATE KEY")).unwrap();
        let pk = OkpPublicKey::from_spki_der(&pem_block(&key, "PUBLIC KEY")).unwrap();
        let sig_path = dir.join(format!("{file}.openssl.sig"));
        let out = openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            k,
            "-rawin",
            "-in",
            m,
            "-out",
            sig_path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = std::fs::read(&sig_path).unwrap();
        assert_eq!(
            sk.sign(msg),
            theirs,
            "{file}: not byte-identical to OpenSSL"
        );
        pk.verify(msg, &theirs).unwrap();
        let mut other = msg.to_vec();
        other[0] ^= 1;
        let ours_path = dir.join(format!("{file}.ours.sig"));
        std::fs::write(&ours_path, sk.sign(&other)).unwrap();
        let other_path = dir.join("other.txt");
        std::fs::write(&other_path, &other).unwrap();
        let pub_path = dir.join(format!("{file}.pub.pem"));
        std::fs::write(
            &pub_path,
            format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                base64_lines(&pk.to_spki_der())
            ),
        )
        .unwrap();
        let verify = |data: &Path| {
            openssl(&[
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                pub_path.to_str().unwrap(),
                "-rawin",
                "-in",
                data.to_str().unwrap(),
                "-sigfile",
                ours_path.to_str().unwrap(),
            ])
            .status
            .success()
        };
        assert!(verify(&other_path), "{file}: openssl refused our signature");
        assert!(
            !verify(&msg_path),
            "{file}: openssl took our signature for another message"
        );
        checked += 1;
    }
    println!("openssl interop: {checked} keys, both directions");
}

fn base64_lines(der: &[u8]) -> String {
    use base64::Engine;
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    b.as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}
