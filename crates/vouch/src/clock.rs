//! The one place the binary reads the clock. `SOURCE_DATE_EPOCH` (seconds since the epoch)
//! wins when set, so the same input gives byte-identical output.

use anyhow::Context as _;

/// The current time, or `SOURCE_DATE_EPOCH` when set. A malformed value is an error (exit 2),
/// never silently replaced by the clock.
pub fn now() -> anyhow::Result<jiff::Timestamp> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => {
            let secs: i64 = s
                .trim()
                .parse()
                .with_context(|| format!("SOURCE_DATE_EPOCH `{s}` is not a number of seconds"))?;
            jiff::Timestamp::from_second(secs)
                .with_context(|| format!("SOURCE_DATE_EPOCH `{s}` is out of range"))
        }
        _ => Ok(now_from_system()),
    }
}

#[expect(clippy::disallowed_methods, reason = "the binary's single clock read")]
fn now_from_system() -> jiff::Timestamp {
    jiff::Timestamp::now()
}
