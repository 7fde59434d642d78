#![no_main]
//! EC and EdDSA key material and signatures: arbitrary DER through every key parser
//! (SPKI, SEC1, PKCS#8, raw points, JWK coordinates), and arbitrary signatures against
//! the committed test keys and against whatever key the input itself parsed into.
use libfuzzer_sys::fuzz_target;

use drf_sso_jwt::{
    spki_algorithm, EcAlg, EcCurve, EcPublicKey, EcSigningKey, OkpCurve, OkpPublicKey,
    OkpSigningKey,
};
use std::sync::OnceLock;

const KEY_FILES: [&str; 6] = [
    include_str!("../../keys/test-only-ec-p256.pem"),
    include_str!("../../keys/test-only-ec-p384.pem"),
    include_str!("../../keys/test-only-ec-p521.pem"),
    include_str!("../../keys/test-only-ec-secp256k1.pem"),
    include_str!("../../keys/test-only-ed25519.pem"),
    include_str!("../../keys/test-only-ed448.pem"),
];

/// The DER of a file's `PUBLIC KEY` block.
fn spki(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let start = pem.find("-----BEGIN PUBLIC KEY-----").unwrap() + 26;
    let end = pem[start..].find("-----END").unwrap() + start;
    let b64: String = pem[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn keys() -> &'static (Vec<EcPublicKey>, Vec<OkpPublicKey>) {
    static K: OnceLock<(Vec<EcPublicKey>, Vec<OkpPublicKey>)> = OnceLock::new();
    K.get_or_init(|| {
        let ec = KEY_FILES[..4]
            .iter()
            .map(|p| EcPublicKey::from_spki_der(&spki(p)).unwrap())
            .collect();
        let okp = KEY_FILES[4..]
            .iter()
            .map(|p| OkpPublicKey::from_spki_der(&spki(p)).unwrap())
            .collect();
        (ec, okp)
    })
}

const MSG: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJ1aWQiOjF9";

fn check_ec(k: &EcPublicKey, sig: &[u8]) {
    for alg in EcAlg::ALL {
        let r = k.verify(alg, MSG, sig);
        if let Err(e) = &r {
            assert!(matches!(e.code(), "bad_signature" | "invalid_key"));
        }
        assert_eq!(r, k.verify(alg, MSG, sig));
    }
    let _ = k.jwk_members();
    // A key re-read from its own export is the same key.
    let again = EcPublicKey::from_spki_der(&k.to_spki_der()).unwrap();
    assert_eq!(again.to_uncompressed_point(), k.to_uncompressed_point());
}

fn check_okp(k: &OkpPublicKey, sig: &[u8]) {
    let r = k.verify(MSG, sig);
    if let Err(e) = &r {
        assert_eq!(e.code(), "bad_signature");
    }
    let again = OkpPublicKey::from_spki_der(&k.to_spki_der()).unwrap();
    assert_eq!(again.as_bytes(), k.as_bytes());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (ec, okp) = keys();
    match mode % 4 {
        // Arbitrary signatures against fixed keys.
        0 => {
            for k in ec {
                check_ec(k, rest);
            }
            for k in okp {
                check_okp(k, rest);
            }
        }
        // Arbitrary SPKI DER; the tail after a split point is a signature.
        1 => {
            let cut = rest.first().map_or(0, |b| *b as usize).min(rest.len());
            let (der, sig) = rest.split_at(cut);
            let _ = spki_algorithm(der);
            let _ = spki_algorithm(rest);
            if let Ok(k) = EcPublicKey::from_spki_der(rest) {
                check_ec(&k, sig);
            }
            if let Ok(k) = OkpPublicKey::from_spki_der(rest) {
                check_okp(&k, sig);
            }
        }
        // Arbitrary private key DER: SEC1 and PKCS#8; a parsed key must sign verifiably.
        2 => {
            let ec =
                EcSigningKey::from_sec1_der(rest).or_else(|_| EcSigningKey::from_pkcs8_der(rest));
            if let Ok(sk) = ec {
                let alg = EcAlg::ALL
                    .into_iter()
                    .find(|a| a.expected_curve() == sk.curve())
                    .unwrap();
                let sig = sk.sign_random(alg, MSG).unwrap();
                sk.public_key().verify(alg, MSG, &sig).unwrap();
            }
            if let Ok(sk) = OkpSigningKey::from_pkcs8_der(rest) {
                sk.public_key().verify(MSG, &sk.sign(MSG)).unwrap();
            }
        }
        // Raw points, JWK coordinates and raw Ed keys on every curve.
        _ => {
            for curve in EcCurve::ALL {
                if let Ok(k) = EcPublicKey::from_sec1_point(curve, rest) {
                    check_ec(&k, rest);
                }
                let w = curve.coordinate_len();
                if rest.len() >= 2 * w {
                    let _ = EcPublicKey::from_jwk(curve.jwk_name(), &rest[..w], &rest[w..2 * w]);
                }
            }
            for curve in [OkpCurve::Ed25519, OkpCurve::Ed448] {
                let n = curve.key_len();
                if rest.len() >= n {
                    let k = OkpPublicKey::from_raw(curve, &rest[..n]).unwrap();
                    check_okp(&k, &rest[n..]);
                    let _ = OkpSigningKey::from_seed(curve, &rest[..n]).map(|s| s.sign(MSG));
                }
            }
        }
    }
});
