//! Calendar dates for expiry (ignore-file entries of `vouch check` and `vouch vulns`): one type
//! for every suppression file, with the calendar arithmetic left to `jiff`.

use std::str::FromStr;

/// A calendar date (UTC, proleptic Gregorian), compared as `(year, month, day)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date in YYYY-MM-DD form")]
pub struct DateError(String);

impl FromStr for Date {
    type Err = DateError;

    /// Exactly `YYYY-MM-DD` (surrounding spaces allowed), and a day that exists.
    fn from_str(s: &str) -> Result<Self, DateError> {
        let t = s.trim();
        let b = t.as_bytes();
        let shaped = b.len() == 10
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        let civil = shaped
            .then(|| t.parse::<jiff::civil::Date>().ok())
            .flatten()
            .ok_or_else(|| DateError(s.to_owned()))?;
        Ok(Self::from_civil(civil))
    }
}

impl Date {
    /// `YYYY-MM-DD`, or `None` (see [`FromStr`]).
    pub fn parse(s: &str) -> Option<Date> {
        s.parse().ok()
    }

    /// The UTC date of a Unix time in seconds (clamped to years -9999..=9999).
    pub fn from_unix_seconds(secs: i64) -> Date {
        let secs = secs.clamp(
            jiff::Timestamp::MIN.as_second(),
            jiff::Timestamp::MAX.as_second(),
        );
        let ts = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        Self::from_civil(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
    }

    fn from_civil(d: jiff::civil::Date) -> Date {
        Date {
            year: i32::from(d.year()),
            month: u8::try_from(d.month()).unwrap_or(1),
            day: u8::try_from(d.day()).unwrap_or(1),
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates_in_one_form() {
        assert_eq!(
            "2024-02-29".parse::<Date>(),
            Ok(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "20240101",
            "2024-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(
                bad.parse::<Date>().unwrap_err().to_string(),
                format!("`{bad}` is not a date in YYYY-MM-DD form")
            );
        }
    }

    #[test]
    fn unix_seconds_to_utc_dates() {
        assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_unix_seconds(951_782_400).to_string(),
            "2000-02-29"
        );
        assert_eq!(
            Date::from_unix_seconds(1_795_000_000).to_string(),
            "2026-11-18"
        );
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
        assert_eq!(Date::from_unix_seconds(i64::MAX).year, 9999);
    }
}
