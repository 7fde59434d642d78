#![no_main]
//! Key material parsing: arbitrary key file bytes through `KeyStore::from_files`, and the
//! same bytes as JWK / JWKS JSON through `KeyMaterial::from_json`.
use libfuzzer_sys::fuzz_target;

use drf_sso_jwt::{json, KeyMaterial, KeyStore, Settings};
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
    let (one, many) = settings();
    if let Ok(store) = KeyStore::from_files(one, [("k.pem", data)]) {
        let _ = store.to_jwks("RS256");
    }
    if let Ok(material) = json::parse(data).and_then(|v| KeyMaterial::from_json(&v)) {
        if let Ok(store) = KeyStore::new(many, material) {
            let _ = store.to_jwks("PS256");
        }
    }
});
