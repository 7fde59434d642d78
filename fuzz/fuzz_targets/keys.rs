#![no_main]
//! Key material parsing: arbitrary PEM / JWK / JWKS text through `KeyStore::new`.
use libfuzzer_sys::fuzz_target;

use drf_sso_jwt::{KeyStore, Settings};
use std::sync::OnceLock;

fn settings() -> &'static (Settings, Settings) {
    static S: OnceLock<(Settings, Settings)> = OnceLock::new();
    S.get_or_init(|| {
        (
            // Any key size, one file.
            Settings::from_json(r#"{"MIN_KEY_BITS":0,"PUBLIC_KEYS":{"a":"k.pem"}}"#).unwrap(),
            // JWKS members selected by kid, default MIN_KEY_BITS.
            Settings::from_json(r#"{"PUBLIC_KEYS":{"a":["k1","k2"],"b":"myapp-20200410"}}"#)
                .unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (one, many) = settings();
        if let Ok(store) = KeyStore::new(one, [("k.pem", text)]) {
            let _ = store.to_jwks("RS256");
        }
        if let Ok(store) = KeyStore::new(many, [("jwks", text)]) {
            let _ = store.to_jwks("PS256");
        }
    }
});
