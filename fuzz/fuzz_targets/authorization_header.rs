#![no_main]
//! `Verifier::authenticate` on arbitrary `Authorization` header bytes.
use libfuzzer_sys::fuzz_target;

include!("fixture.rs");

fuzz_target!(|data: &[u8]| {
    let _ = verifier().authenticate(Some(data), NOW);
});
