//! Times as Python's `datetime` holds them (`datetime.MINYEAR` 1 to `MAXYEAR` 9999, UTC):
//! the range of any clock the server can read, and of any datetime claim it can encode.

use alloc::format;

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
            format!(
                "now = {now} is not a time between the years 1 and 9999 (seconds since the epoch)"
            )
            .into(),
        ))
    }
}
