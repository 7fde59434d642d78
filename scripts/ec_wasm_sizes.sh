#!/usr/bin/env bash
# What the ECDSA and EdDSA families add to a wasm build of the core, built as pkg/build.sh
# builds the npm wasm (cdylib, opt-level s, LTO, wasm-opt -Oz, gzip -9), on a probe cdylib in
# target/ec-size-probe. Its baseline export runs what the npm `Verifier` runs (settings JSON,
# PEM key store, `Verifier::verify`, error texts, payload JSON) and, in the sign variants,
# `Issuer::encode`; the EC/Ed variants add exports calling those verify (and sign) paths,
# which nothing in src/wasm.rs calls yet. No wasm-bindgen and no JS glue (a cdylib whose
# bindings live in a dependency cannot go through the wasm-bindgen CLI), no SIMD128; getrandom
# is built with its `unsupported` backend (the npm build's `wasm_js` one is a few hundred
# bytes in every variant alike). So the baselines are below pkg/dist/sizes.json and the
# differences are the point. Needs target/npm-tools' binaryen (pkg/build.sh installs it).
# Prints a table; writes target/ec-size-probe/sizes.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROBE="$ROOT/target/ec-size-probe"
WASM_OPT="$ROOT/target/npm-tools/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || { echo "no $WASM_OPT: run pkg/build.sh once (it installs binaryen)"; exit 2; }
mkdir -p "$PROBE/src"
cat >"$PROBE/Cargo.toml" <<'EOF'
[package]
name = "ec-size-probe"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"

[dependencies]
drf-sso-jwt = { path = "../..", default-features = false }

p256 = { version = "0.14", optional = true, default-features = false, features = ["ecdsa"] }
p384 = { version = "0.14", optional = true, default-features = false, features = ["ecdsa"] }
p521 = { version = "0.14", optional = true, default-features = false, features = ["ecdsa"] }
k256 = { version = "0.14", optional = true, default-features = false, features = ["ecdsa"] }
ed25519-dalek = { version = "3", optional = true, default-features = false }
ed448-goldilocks = { version = "0.14.0-pre.15", optional = true, default-features = false, features = ["signing"] }
sha2 = { version = "0.11", default-features = false }

[features]
ecdsa = ["drf-sso-jwt/ecdsa"]
es256 = ["drf-sso-jwt/es256"]
eddsa = ["drf-sso-jwt/eddsa"]
sign = ["drf-sso-jwt/sign"]
# One curve's crate alone (verify only), to split the family's cost.
only-p256 = ["dep:p256"]
only-p384 = ["dep:p384"]
only-p521 = ["dep:p521"]
only-k256 = ["dep:k256"]
only-ed25519 = ["dep:ed25519-dalek"]
only-ed448 = ["dep:ed448-goldilocks"]

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1

[workspace]
EOF
cat >"$PROBE/src/lib.rs" <<'EOF'
//! Size probe: keeps the EC/Ed paths alive in a cdylib next to the npm exports.
#![allow(clippy::missing_safety_doc, unused_imports)]
use core::slice::from_raw_parts as raw;

#[no_mangle]
pub unsafe extern "C" fn probe_alloc(n: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(n);
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

unsafe fn text<'a>(p: *const u8, n: usize) -> &'a str {
    core::str::from_utf8(raw(p, n)).unwrap_or("")
}

/// What the npm `Verifier` does: build from settings and PEM text, verify, report.
#[no_mangle]
pub unsafe extern "C" fn probe_verify(s: *const u8, sl: usize, k: *const u8, kl: usize, t: *const u8, tl: usize, out: *mut u8) -> i32 {
    let v = match drf_sso_jwt::Verifier::from_json(text(s, sl), [("k.pem", text(k, kl))]) {
        Ok(v) => v,
        Err(e) => return -(e.message().len() as i32) - (e.detail().len() as i32),
    };
    let r = match v.verify(text(t, tl), 1.7e9) {
        Ok(d) => drf_sso_jwt::json::dumps(&drf_sso_jwt::Value::Object(d.payload), false),
        Err(e) => [e.code(), e.detail(), e.message()].concat(),
    };
    core::ptr::copy_nonoverlapping(r.as_ptr(), out, r.len());
    r.len() as i32
}

/// What the npm `Issuer` does.
#[cfg(feature = "sign")]
#[no_mangle]
pub unsafe extern "C" fn probe_issue(s: *const u8, sl: usize, k: *const u8, kl: usize, out: *mut u8) -> i32 {
    let i = match drf_sso_jwt::Issuer::from_json(text(s, sl), [("k.pem", text(k, kl))]) {
        Ok(i) => i,
        Err(e) => return -(e.message().len() as i32),
    };
    let mut p = drf_sso_jwt::Payload::new();
    p.set("iss", drf_sso_jwt::Value::from("myapp"));
    match i.encode(&p, 1.7e9) {
        Ok(t) => { core::ptr::copy_nonoverlapping(t.as_ptr(), out, t.len()); t.len() as i32 }
        Err(e) => -(e.message().len() as i32),
    }
}

#[cfg(any(feature = "ecdsa", feature = "es256"))]
#[no_mangle]
pub unsafe extern "C" fn probe_ec_verify(a: *const u8, al: usize, k: *const u8, kl: usize, m: *const u8, ml: usize, s: *const u8, sl: usize) -> i32 {
    let Some(alg) = core::str::from_utf8(raw(a, al)).ok().and_then(drf_sso_jwt::EcAlg::from_name) else { return -2 };
    match drf_sso_jwt::EcPublicKey::from_spki_der(raw(k, kl)) {
        Ok(key) => key.verify(alg, raw(m, ml), raw(s, sl)).is_ok() as i32,
        Err(_) => -1,
    }
}

#[cfg(feature = "eddsa")]
#[no_mangle]
pub unsafe extern "C" fn probe_okp_verify(k: *const u8, kl: usize, m: *const u8, ml: usize, s: *const u8, sl: usize) -> i32 {
    match drf_sso_jwt::OkpPublicKey::from_spki_der(raw(k, kl)) {
        Ok(key) => key.verify(raw(m, ml), raw(s, sl)).is_ok() as i32,
        Err(_) => -1,
    }
}

macro_rules! only_curve {
    ($feat:literal, $name:ident, $m:ident, $h:ty) => {
        #[cfg(feature = $feat)]
        #[no_mangle]
        pub unsafe extern "C" fn $name(k: *const u8, kl: usize, m: *const u8, ml: usize, s: *const u8, sl: usize) -> i32 {
            use $m::ecdsa::signature::hazmat::PrehashVerifier;
            use sha2::Digest;
            let Ok(key) = $m::ecdsa::VerifyingKey::from_sec1_bytes(raw(k, kl)) else { return -1 };
            let Ok(sig) = $m::ecdsa::Signature::from_slice(raw(s, sl)) else { return -1 };
            key.verify_prehash(&<$h>::digest(raw(m, ml)), &sig.normalize_s()).is_ok() as i32
        }
    };
}
only_curve!("only-p256", probe_p256, p256, sha2::Sha256);
only_curve!("only-p384", probe_p384, p384, sha2::Sha384);
only_curve!("only-p521", probe_p521, p521, sha2::Sha512);
only_curve!("only-k256", probe_k256, k256, sha2::Sha256);

#[cfg(feature = "only-ed25519")]
#[no_mangle]
pub unsafe extern "C" fn probe_ed25519(k: *const u8, m: *const u8, ml: usize, s: *const u8) -> i32 {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&*(k as *const [u8; 32])) else { return -1 };
    let sig = ed25519_dalek::Signature::from_bytes(&*(s as *const [u8; 64]));
    ed25519_dalek::Verifier::verify(&key, raw(m, ml), &sig).is_ok() as i32
}

#[cfg(feature = "only-ed448")]
#[no_mangle]
pub unsafe extern "C" fn probe_ed448(k: *const u8, m: *const u8, ml: usize, s: *const u8) -> i32 {
    let Ok(key) = ed448_goldilocks::VerifyingKey::from_bytes(&*(k as *const [u8; 57])) else { return -1 };
    let Ok(sig) = ed448_goldilocks::Signature::from_slice(raw(s, 114)) else { return -1 };
    key.verify_raw(&sig, raw(m, ml)).is_ok() as i32
}

#[cfg(all(feature = "ecdsa", feature = "sign"))]
#[no_mangle]
pub unsafe extern "C" fn probe_ec_sign(a: *const u8, al: usize, k: *const u8, kl: usize, m: *const u8, ml: usize, out: *mut u8) -> i32 {
    let Some(alg) = core::str::from_utf8(raw(a, al)).ok().and_then(drf_sso_jwt::EcAlg::from_name) else { return -2 };
    let key = drf_sso_jwt::EcSigningKey::from_pkcs8_der(raw(k, kl)).or_else(|_| drf_sso_jwt::EcSigningKey::from_sec1_der(raw(k, kl)));
    match key.and_then(|key| key.sign_random(alg, raw(m, ml))) {
        Ok(sig) => { core::ptr::copy_nonoverlapping(sig.as_ptr(), out, sig.len()); sig.len() as i32 }
        Err(_) => -1,
    }
}

#[cfg(all(feature = "eddsa", feature = "sign"))]
#[no_mangle]
pub unsafe extern "C" fn probe_okp_sign(k: *const u8, kl: usize, m: *const u8, ml: usize, out: *mut u8) -> i32 {
    match drf_sso_jwt::OkpSigningKey::from_pkcs8_der(raw(k, kl)) {
        Ok(key) => { let sig = key.sign(raw(m, ml)); core::ptr::copy_nonoverlapping(sig.as_ptr(), out, sig.len()); sig.len() as i32 }
        Err(_) => -1,
    }
}
EOF
TARGET=wasm32-unknown-unknown
json="$PROBE/sizes.json"
echo "{" >"$json"
sep=""
printf '%-22s %10s %10s\n' variant raw gzip-9
# A variant is verify or sign, then `+`-separated probe features (ecdsa, eddsa, es256, ...,
# or only-<curve> for a curve crate alone, without the core's EC code).
VARIANTS=(${EC_SIZE_VARIANTS:-verify verify+ecdsa verify+eddsa verify+ecdsa+eddsa
  verify+es256 verify+es256+eddsa sign sign+ecdsa sign+eddsa sign+ecdsa+eddsa
  verify+only-p256 verify+only-p384 verify+only-p521 verify+only-k256 verify+only-ed25519 verify+only-ed448})
for v in "${VARIANTS[@]}"; do
  feats=""
  case "$v" in sign*) feats="sign" ;; esac
  rest="${v#verify}"; rest="${rest#sign}"
  for f in ${rest//+/ }; do feats="$feats,$f"; done
  feats="${feats#,}"
  (cd "$PROBE" && RUSTFLAGS='--cfg getrandom_backend="unsupported"' \
    cargo build --quiet --release --target "$TARGET" ${feats:+--features "$feats"} >&2)
  out="$PROBE/out/$v"
  rm -rf "$out" && mkdir -p "$out"
  f="$out/probe.wasm"
  cp "$PROBE/target/$TARGET/release/ec_size_probe.wasm" "$f"
  "$WASM_OPT" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types \
    --enable-multivalue "$f" -o "$f.opt"
  raw=$(stat -c%s "$f.opt")
  gz=$(gzip -9 -c "$f.opt" | wc -c)
  printf '%-22s %10d %10d\n' "$v" "$raw" "$gz"
  printf '%s  "%s": {"raw": %d, "gzip": %d}' "$sep" "$v" "$raw" "$gz" >>"$json"
  sep=$',\n'
done
printf '\n}\n' >>"$json"
