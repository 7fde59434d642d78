#![no_main]
//! `dangerous::decode`: structure only, no signature.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = std::str::from_utf8(data) {
        if let Ok(d) = drf_sso_jwt::dangerous::decode(token) {
            let _ = d.to_json();
        }
    }
});
