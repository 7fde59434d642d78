#![no_main]
//! `Settings::from_json` on arbitrary UTF-8.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(s) = drf_sso_jwt::Settings::from_json(text) {
            let _ = s.algorithms();
        }
    }
});
