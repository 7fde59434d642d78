#![no_main]
//! Token verification with the fixed keys/settings.json configuration.
use libfuzzer_sys::fuzz_target;

include!("fixture.rs");

fuzz_target!(|data: &[u8]| {
    // Tokens are bytes, as PyJWT's `_load` takes them.
    let r = verifier().verify(data, NOW);
    if let Err(e) = &r {
        // Every error has a stable code and a DRF text.
        assert!(!e.code().is_empty() && !e.detail().is_empty());
    }
    // Verification must not depend on anything but the input.
    assert_eq!(r, verifier().verify(data, NOW));
});
