//! Native throughput of full token verification (run by scripts/bench.sh; prints JSON).
//! Medians of repeated timed batches, one thread, the same token and key as the other
//! baselines in the bench script.

use std::time::Instant;

use drf_sso_jwt::{Algorithm, CachedVerifier, SignatureCheck, Verifier};

fn median_rate(mut f: impl FnMut(), batch: u32, rounds: usize) -> f64 {
    for _ in 0..batch / 4 {
        f(); // warm-up
    }
    let mut rates: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            batch as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    rates[rates.len() / 2]
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let token = std::env::var("BENCH_TOKEN").unwrap_or_else(|_| {
        std::fs::read_to_string(format!("{root}/keys/example-tokens.txt"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    });
    let now: f64 = std::env::var("BENCH_NOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_700_000_100.0);
    let settings = std::fs::read_to_string(format!("{root}/keys/settings.json")).unwrap();
    let pem = std::fs::read_to_string(format!("{root}/keys/myapp-20200410.pem")).unwrap();
    let pem_old = std::fs::read_to_string(format!("{root}/keys/myapp-20180101.pem")).unwrap();
    let other = std::fs::read_to_string(format!("{root}/keys/otherapp-2024.pem")).unwrap();
    let keys = [
        ("myapp-20200410.pem", pem.as_str()),
        ("myapp-20180101.pem", pem_old.as_str()),
        ("otherapp-2024.pem", other.as_str()),
    ];
    let v = Verifier::from_json(&settings, keys).unwrap();
    v.verify(&token, now).expect("bench token must verify");

    let full = median_rate(
        || {
            drop(std::hint::black_box(
                v.verify(std::hint::black_box(&token), now),
            ))
        },
        2000,
        9,
    );

    let (si, sig_b64) = token.rsplit_once('.').unwrap();
    let sig = b64(sig_b64);
    let vk = drf_sso_jwt::VerifyingKey::from_spki_der(&spki_der(&pem)).unwrap();
    let fast = median_rate(
        || assert!(vk.verify(Algorithm::RS256, si.as_bytes(), &sig)),
        2000,
        9,
    );
    let portable = median_rate(
        || {
            assert!(vk.verify_with(
                Algorithm::RS256,
                si.as_bytes(),
                &sig,
                SignatureCheck::Portable
            ))
        },
        2000,
        9,
    );
    let mulx = median_rate(
        || assert!(vk.verify_with(Algorithm::RS256, si.as_bytes(), &sig, SignatureCheck::Mulx)),
        2000,
        9,
    );
    let crate_path = median_rate(
        || {
            assert!(vk.verify_with(
                Algorithm::RS256,
                si.as_bytes(),
                &sig,
                SignatureCheck::RsaCrate
            ))
        },
        1000,
        9,
    );

    let decode = median_rate(
        || {
            drop(std::hint::black_box(drf_sso_jwt::dangerous::decode(
                std::hint::black_box(&token),
            )))
        },
        20_000,
        9,
    );
    eprintln!("decode only: {decode:.0}/s");
    let mut cached = CachedVerifier::new(v.clone(), 1024).unwrap();
    let hit = median_rate(
        || {
            drop(std::hint::black_box(
                cached.verify(std::hint::black_box(&token), now),
            ))
        },
        200_000,
        9,
    );

    // ES256 and EdDSA (Ed25519) tokens the bench script minted with the CLI: full verification.
    let mut families = String::new();
    for (name, var) in [("es256", "BENCH_ES256"), ("eddsa", "BENCH_EDDSA")] {
        let (Ok(tok), Ok(set)) = (
            std::env::var(format!("{var}_TOKEN")),
            std::env::var(format!("{var}_SETTINGS")),
        ) else {
            continue;
        };
        let settings = std::fs::read_to_string(&set).unwrap();
        let file = std::env::var(format!("{var}_KEY")).unwrap();
        let text = std::fs::read_to_string(format!("{root}/keys/{file}")).unwrap();
        let v = Verifier::from_json(&settings, [(file.as_str(), text.as_str())]).unwrap();
        v.verify(&tok, now).expect("bench token must verify");
        let rate = median_rate(
            || {
                drop(std::hint::black_box(
                    v.verify(std::hint::black_box(&tok), now),
                ))
            },
            1000,
            9,
        );
        families.push_str(&format!(",\"native_{name}_full_verify_per_s\":{rate:.0}"));
    }

    #[cfg(target_arch = "x86_64")]
    let ifma = std::is_x86_feature_detected!("avx512ifma");
    #[cfg(not(target_arch = "x86_64"))]
    let ifma = false;
    println!(
        "{{\"native_full_verify_per_s\":{full:.0},\"native_rs256_fast_path_per_s\":{fast:.0},\"native_rs256_portable_kernel_per_s\":{portable:.0},\"native_rs256_mulx_kernel_per_s\":{mulx:.0},\"native_ifma\":{ifma},\"native_rs256_rsa_crate_per_s\":{crate_path:.0},\"native_cache_hit_per_s\":{hit:.0}{families}}}"
    );
}

fn b64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn spki_der(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem
        .split("-----BEGIN PUBLIC KEY-----")
        .nth(1)
        .unwrap()
        .split("-----END")
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}
