//! Exact decimals for targets and bucket boundaries, and durations, so what the rules print is
//! what the spec said (`0.001`, not `0.0009999999999999432`).

use std::fmt;

/// A non-negative decimal held exactly: `units × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    units: u128,
    scale: u32,
}

/// Most significant digits a decimal may have (a bound, not a precision promise).
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// `12`, `0.5`, `99.95`: digits with an optional fraction; nothing else (no sign, exponent
    /// or spaces).
    pub fn parse(text: &str) -> Option<Self> {
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, f),
            None => (text, ""),
        };
        if int.is_empty()
            || (text.contains('.') && frac.is_empty())
            || int.len() + frac.len() > MAX_DIGITS
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let units = format!("{int}{frac}").parse().ok()?;
        Some(
            Self {
                units,
                scale: u32::try_from(frac.len()).ok()?,
            }
            .normalised(),
        )
    }

    /// Drops trailing zeros of the fraction.
    fn normalised(mut self) -> Self {
        while self.scale > 0 && self.units.is_multiple_of(10) {
            self.units /= 10;
            self.scale -= 1;
        }
        self
    }

    fn pow10(n: u32) -> u128 {
        10u128.pow(n)
    }

    /// `self / 10^n`.
    pub fn shifted_down(self, n: u32) -> Self {
        Self {
            units: self.units,
            scale: self.scale + n,
        }
        .normalised()
    }

    /// `self × n`, `None` on overflow.
    pub fn times(self, n: u128) -> Option<Self> {
        Some(
            Self {
                units: self.units.checked_mul(n)?,
                scale: self.scale,
            }
            .normalised(),
        )
    }

    pub fn is_zero(self) -> bool {
        self.units == 0
    }

    /// `self < 1`.
    pub fn below_one(self) -> bool {
        self.units < Self::pow10(self.scale)
    }

    /// `1 - self` for `self <= 1`.
    pub fn one_minus(self) -> Option<Self> {
        Some(
            Self {
                units: Self::pow10(self.scale).checked_sub(self.units)?,
                scale: self.scale,
            }
            .normalised(),
        )
    }

    /// Compares with `units × 10^-scale` exactly.
    pub fn cmp_exact(self, other: Self) -> std::cmp::Ordering {
        let scale = self.scale.max(other.scale);
        let a = self.units * Self::pow10(scale - self.scale);
        let b = other.units * Self::pow10(scale - other.scale);
        a.cmp(&b)
    }

    /// The nearest `f64`.
    #[expect(
        clippy::cast_precision_loss,
        reason = "the nearest double is what is asked for"
    )]
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(self.units as f64)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return f.write_str(&digits);
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{int}.{frac}")
    }
}

/// A duration as Prometheus writes one: a whole number and one unit (`5m`, `30d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    seconds: u64,
}

/// The longest duration accepted: a year (SLO windows are days to weeks).
const MAX_SECONDS: u64 = 366 * 86_400;

impl Duration {
    pub const fn from_seconds(seconds: u64) -> Self {
        Self { seconds }
    }

    pub const fn seconds(self) -> u64 {
        self.seconds
    }

    /// `30d`, `4w`, `720h`, `90m`, `3600s`; between 1 s and 366 days.
    pub fn parse(text: &str) -> Option<Self> {
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let (number, unit) = text.split_at(split);
        if number.is_empty() || number.len() > 12 {
            return None;
        }
        let n: u64 = number.parse().ok()?;
        let factor = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return None,
        };
        let seconds = n.checked_mul(factor)?;
        (1..=MAX_SECONDS)
            .contains(&seconds)
            .then_some(Self { seconds })
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides it exactly, weeks aside (`7d`, not `1w`), as sloth and
    /// Prometheus users write windows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
            if s.is_multiple_of(size) {
                return write!(f, "{}{unit}", s / size);
            }
        }
        write!(f, "{s}s")
    }
}

/// A latency threshold that is exactly a classic-histogram bucket boundary: its `le` label
/// value, in seconds, as the Prometheus client libraries print bucket bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// What the spec said (`120s`, `2m`, `250ms`).
    pub written: String,
    /// Seconds, exact.
    pub seconds: Decimal,
}

/// Why a threshold is not a bucket boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketFault {
    /// Not a number and one of ms, s, m, h.
    Syntax,
    /// Zero, or outside 0.0001 s … 999999 s, where client libraries switch to exponent form.
    Range,
    /// The decimal has more precision than a double keeps: the `le` label would read otherwise.
    NotExact { le: String },
}

impl Bucket {
    pub fn parse(text: &str) -> Result<Self, BucketFault> {
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or(BucketFault::Syntax)?;
        let (number, unit) = text.split_at(split);
        let value = Decimal::parse(number).ok_or(BucketFault::Syntax)?;
        let seconds = match unit {
            "ms" => Some(value.shifted_down(3)),
            "s" => Some(value),
            "m" => value.times(60),
            "h" => value.times(3600),
            _ => return Err(BucketFault::Syntax),
        }
        .ok_or(BucketFault::Range)?;
        let low = Decimal::parse("0.0001").unwrap_or(seconds);
        let high = Decimal::parse("1000000").unwrap_or(seconds);
        if seconds.is_zero() || seconds.cmp_exact(low).is_lt() || seconds.cmp_exact(high).is_ge() {
            return Err(BucketFault::Range);
        }
        let le = format!("{}", seconds.to_f64());
        if le != seconds.to_string() {
            return Err(BucketFault::NotExact { le });
        }
        Ok(Self {
            written: text.to_owned(),
            seconds,
        })
    }

    /// The `le` label value (`120`, `0.25`).
    pub fn le(&self) -> String {
        self.seconds.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        let t = Decimal::parse("0.999").unwrap();
        assert_eq!(t.one_minus().unwrap().to_string(), "0.001");
        assert_eq!(
            Decimal::parse("99.90").unwrap().shifted_down(2).to_string(),
            "0.999"
        );
        assert_eq!(Decimal::parse("120").unwrap().to_string(), "120");
        assert_eq!(Decimal::parse("1.").map(|d| d.to_string()), None);
        assert_eq!(Decimal::parse("-1"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("4w").unwrap().to_string(), "28d");
        assert_eq!(Duration::parse("90m").unwrap().to_string(), "90m");
        assert_eq!(Duration::parse("30 days"), None);
        assert_eq!(Duration::parse("0d"), None);
    }

    #[test]
    fn buckets() {
        assert_eq!(Bucket::parse("120s").unwrap().le(), "120");
        assert_eq!(Bucket::parse("2m").unwrap().le(), "120");
        assert_eq!(Bucket::parse("250ms").unwrap().le(), "0.25");
        assert_eq!(
            Bucket::parse("1.00000000000000000001s"),
            Err(BucketFault::NotExact { le: "1".into() })
        );
        assert_eq!(Bucket::parse("0s"), Err(BucketFault::Range));
        assert_eq!(Bucket::parse("2 minutes"), Err(BucketFault::Syntax));
    }
}
