// Shared by the targets (included with `include!`): the keys/settings.json configuration.
use std::sync::OnceLock;

use drf_sso_jwt::Verifier;

/// The time every fuzzed token is judged at (the seed tokens are valid then).
pub const NOW: f64 = 1_700_000_000.0;

pub fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        Verifier::from_json(
            include_str!("../../keys/settings.json"),
            [
                ("myapp-20200410.pem", include_str!("../../keys/myapp-20200410.pem")),
                ("myapp-20180101.pem", include_str!("../../keys/myapp-20180101.pem")),
                ("otherapp-2024.pem", include_str!("../../keys/otherapp-2024.pem")),
            ],
        )
        .expect("fixture configuration loads")
    })
}
