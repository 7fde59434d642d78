//! Times as Python's `datetime` holds them (`datetime.MINYEAR` 1 to `MAXYEAR` 9999, UTC):
//! the range of any clock the server can read, of any datetime claim it can encode, and
//! `DjangoJSONEncoder`'s text of one.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

use crate::errors::{Error, Result};

/// `datetime(1, 1, 1, tzinfo=utc).timestamp()`.
pub(crate) const MIN_TIME: f64 = -62_135_596_800.0;
/// `datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=utc).timestamp()`, rounded up to the second.
pub(crate) const END_TIME: f64 = 253_402_300_800.0;

/// Whether `t` (seconds since the epoch) is a time a Python `datetime` can hold.
pub(crate) fn in_range(t: f64) -> bool {
    (MIN_TIME..END_TIME).contains(&t)
}

/// The caller's `now`: NaN, infinities and times outside `datetime`'s range are refused,
/// never compared (every comparison with NaN is false, which would accept expired tokens).
pub(crate) fn check_now(now: f64) -> Result<()> {
    if in_range(now) {
        Ok(())
    } else {
        Err(Error::BadClock(
            // `{now}` without core's float formatting (the same text).
            format!(
                "now = {} is not a time between the years 1 and 9999 (seconds since the epoch)",
                crate::pyfloat::display(now)
            )
            .into(),
        ))
    }
}

/// `DjangoJSONEncoder` of a UTC datetime: `YYYY-MM-DDTHH:MM:SS[.mmm]Z`.
pub fn django_datetime(t: f64) -> String {
    let whole = floor(t);
    let secs = whole as i64;
    let micros = (((t - whole) * 1_000_000.0) as i64).clamp(0, 999_999);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    );
    if micros > 0 {
        let _ = write!(out, ".{:03}", micros / 1000);
    }
    out.push('Z');
    out
}

/// `floor(t)` without `std`, for whole seconds (exact for every time in `datetime`'s range).
pub(crate) fn floor(t: f64) -> f64 {
    let i = t as i64;
    (if (i as f64) > t { i - 1 } else { i }) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn django_datetimes() {
        assert_eq!(django_datetime(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(django_datetime(1_700_000_000.5), "2023-11-14T22:13:20.500Z");
        assert_eq!(django_datetime(951_782_400.0), "2000-02-29T00:00:00Z");
    }
}
