//! What the filter reports about itself: counter names (defined with
//! `proxy_define_metric`, shown by Envoy as `wasmcustom.<name>` in `/stats`) and the
//! rate limit of its warn-level log lines. Pure, so it is testable natively.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Counters other than the per-code denials, after `<stat_prefix>.`.
pub const COUNTERS: [&str; 7] = [
    "allowed",
    "anonymous",
    "skipped",
    "denied",
    "cache_hits",
    "cache_misses",
    "config_errors",
];

/// The filter's own refusal codes, beside the core's.
pub const FILTER_CODES: [&str; 6] = [
    "not_authenticated",
    "wrong_token_type",
    "missing_scope",
    "duplicate_header",
    "no_config",
    "host_error",
];

/// Refusal codes a request can end with, each counted as `<stat_prefix>.denied.<code>`
/// from the start (so they show as 0 in `/stats`): every core code a request can get (the
/// core's one list, `Error::CODES`, signing aside), then the filter's own.
pub fn denial_codes() -> impl Iterator<Item = &'static str> {
    drf_sso_jwt::Error::CODES
        .iter()
        .filter(|(_, class, _)| *class != drf_sso_jwt::Class::Sign)
        .map(|(code, _, _)| *code)
        .chain(FILTER_CODES)
}

/// The full name of counter `name`.
pub fn counter_name(prefix: &str, name: &str) -> String {
    format!("{prefix}.{name}")
}

/// The full name of the denial counter for `code`.
pub fn denial_name(prefix: &str, code: &str) -> String {
    format!("{prefix}.denied.{code}")
}

/// Seconds between two warn lines of one refusal class.
pub const WARN_INTERVAL_SECONDS: f64 = 60.0;

/// At most one warn line per refusal class per interval; the next line says how many
/// were left out in between.
#[derive(Debug, Default)]
pub struct WarnLimiter {
    /// (class, time of its last line, refusals since then not logged).
    classes: Vec<(&'static str, f64, u64)>,
}

impl WarnLimiter {
    /// `Some(suppressed)` if a line for `class` may be logged at `now` (then `suppressed`
    /// is how many of its refusals went unlogged since the last line); `None` to stay quiet.
    pub fn allow(&mut self, class: &'static str, now: f64) -> Option<u64> {
        match self.classes.iter_mut().find(|(c, _, _)| *c == class) {
            None => {
                self.classes.push((class, now, 0));
                Some(0)
            }
            // A clock that went backwards also logs: never silent for good.
            Some((_, last, n)) if !(now - *last < WARN_INTERVAL_SECONDS && now >= *last) => {
                let suppressed = *n;
                *last = now;
                *n = 0;
                Some(suppressed)
            }
            Some((_, _, n)) => {
                *n += 1;
                None
            }
        }
    }
}

/// Text of a log line: control characters (from tokens or paths) shown as `\xNN`, and
/// at most `max` bytes, so a client cannot forge or flood log lines.
pub fn sanitize(text: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max) + 3);
    for &b in text {
        if out.len() >= max {
            out.push_str("...");
            break;
        }
        if (0x20..0x7f).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_class_per_interval() {
        let mut w = WarnLimiter::default();
        assert_eq!(w.allow("expired", 100.0), Some(0));
        assert_eq!(w.allow("expired", 101.0), None);
        assert_eq!(w.allow("expired", 159.0), None);
        assert_eq!(
            w.allow("bad_signature", 159.0),
            Some(0),
            "classes are separate"
        );
        assert_eq!(w.allow("expired", 160.0), Some(2));
        assert_eq!(w.allow("expired", 161.0), None);
        assert_eq!(w.allow("expired", 10.0), Some(1), "clock went backwards");
    }

    #[test]
    fn log_text_is_sanitized() {
        assert_eq!(sanitize(b"a\nb\xff", 100), "a\\x0ab\\xff");
        assert_eq!(sanitize(b"abcdef", 3), "abc...");
    }

    #[test]
    fn denial_codes_are_distinct_and_cover_the_core() {
        let codes: Vec<&str> = denial_codes().collect();
        for code in [
            "too_large",
            "expired",
            "bad_signature",
            "invalid_characters",
            "config",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
    }
}
