//! CVSS vectors and scores: v2.0, v3.0, v3.1 and v4.0.
//!
//! [`score`] parses a vector string and computes its score with the formulas of each
//! specification:
//!
//! - v2.0 (<https://www.first.org/cvss/v2/guide>, section 3.2.1): base equation, rounded to one
//!   decimal. v2 has no rating scale of its own; [`Rating`] uses NVD's (0-3.9 low, 4-6.9 medium,
//!   7-10 high).
//! - v3.0 and v3.1 (<https://www.first.org/cvss/v3-1/specification-document>, section 7 and
//!   appendix A): base equation with `Roundup` (v3.0: `ceil(x * 10) / 10`; v3.1: the
//!   floating-point-safe integer version).
//! - v4.0 (<https://www.first.org/cvss/v4-0/specification-document>, section 8): MacroVector
//!   lookup (the 270 expert scores of FIRST's reference calculator) and interpolation by severity
//!   distance, as FIRST's `cvss40.js`. Threat (`E`) and environmental (`CR`, `MAV`, …) metrics
//!   in the vector are applied, as the specification and the reference calculator do (the result
//!   is then a CVSS-BT, -BE or -BTE score); supplemental metrics are validated and ignored.
//!
//! For v2 and v3 only the base metrics count: temporal and environmental metrics are validated
//! but not applied. A vector is checked completely: unknown metrics, unknown values, duplicates
//! and missing base metrics are errors, each with the 1-based column of the offending metric.
//!
//! ```
//! use vouch_cvss::{score, CvssVersion, Rating};
//!
//! let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
//! assert_eq!((s.version, s.base, s.rating), (CvssVersion::V3_1, 9.8, Rating::Critical));
//!
//! let s = score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N").unwrap();
//! assert_eq!((s.base, s.rating), (6.9, Rating::Medium));
//!
//! let s = score("AV:N/AC:L/Au:N/C:P/I:P/A:P").unwrap();
//! assert_eq!((s.version, s.base, s.rating), (CvssVersion::V2, 7.5, Rating::High));
//!
//! assert!(score("CVSS:3.1/AV:N/AC:L").is_err());
//! ```

use std::fmt;

mod v4;

/// A CVSS specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CvssVersion {
    /// CVSS v2.0 (vectors without a `CVSS:` prefix).
    V2,
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
    /// CVSS v4.0.
    V4_0,
}

impl fmt::Display for CvssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
        })
    }
}

/// A qualitative severity rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    /// 0.0 (v3, v4).
    None,
    /// 0.1-3.9 (v2: 0.0-3.9).
    Low,
    /// 4.0-6.9.
    Medium,
    /// 7.0-8.9 (v2: 7.0-10.0).
    High,
    /// 9.0-10.0 (v3, v4).
    Critical,
}

impl Rating {
    /// The rating of `score` under `version`'s scale.
    pub fn of(version: CvssVersion, score: f64) -> Rating {
        match version {
            CvssVersion::V2 => {
                if score < 4.0 {
                    Rating::Low
                } else if score < 7.0 {
                    Rating::Medium
                } else {
                    Rating::High
                }
            }
            _ => {
                if score <= 0.0 {
                    Rating::None
                } else if score < 4.0 {
                    Rating::Low
                } else if score < 7.0 {
                    Rating::Medium
                } else if score < 9.0 {
                    Rating::High
                } else {
                    Rating::Critical
                }
            }
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rating::None => "none",
            Rating::Low => "low",
            Rating::Medium => "medium",
            Rating::High => "high",
            Rating::Critical => "critical",
        })
    }
}

/// A computed score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The vector's CVSS version.
    pub version: CvssVersion,
    /// The score, rounded to one decimal as the specification says (see the crate docs for
    /// which metrics count).
    pub base: f64,
    /// The rating for `base`.
    pub rating: Rating,
}

/// Why a vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CvssError {
    /// The vector is empty.
    #[error("empty cvss vector")]
    Empty,
    /// Longer than [`MAX_LEN`].
    #[error("cvss vector is {len} bytes long, more than the {max} allowed", max = MAX_LEN)]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A `CVSS:x.y` prefix vouch does not know.
    #[error(
        "unknown cvss version `{prefix}` (expected CVSS:3.0, CVSS:3.1, CVSS:4.0 or a bare v2 vector)"
    )]
    UnknownVersion {
        /// The prefix as written.
        prefix: String,
    },
    /// A part that is not `NAME:VALUE`.
    #[error("malformed metric `{part}` at column {column} (expected NAME:VALUE)")]
    Malformed {
        /// The part as written.
        part: String,
        /// 1-based column.
        column: usize,
    },
    /// A metric name the version does not define.
    #[error("unknown cvss {version} metric `{name}` at column {column}")]
    UnknownMetric {
        /// The vector's version.
        version: CvssVersion,
        /// The metric name.
        name: String,
        /// 1-based column.
        column: usize,
    },
    /// A value the metric does not allow.
    #[error(
        "invalid value `{value}` for cvss {version} metric {name} at column {column} (expected one of {expected})"
    )]
    InvalidValue {
        /// The vector's version.
        version: CvssVersion,
        /// The metric name.
        name: &'static str,
        /// The value as written.
        value: String,
        /// The allowed values, `/`-separated.
        expected: String,
        /// 1-based column.
        column: usize,
    },
    /// A metric given twice.
    #[error("cvss metric {name} appears twice (again at column {column})")]
    Duplicate {
        /// The metric name.
        name: &'static str,
        /// 1-based column of the second occurrence.
        column: usize,
    },
    /// A mandatory (base) metric is missing.
    #[error("cvss {version} vector has no {name} metric")]
    Missing {
        /// The vector's version.
        version: CvssVersion,
        /// The missing metric.
        name: &'static str,
    },
    /// A v4.0 metric out of the specification's order.
    #[error(
        "cvss 4.0 metric {name} at column {column} is out of order (the specification fixes the order)"
    )]
    OutOfOrder {
        /// The metric name.
        name: &'static str,
        /// 1-based column.
        column: usize,
    },
}

/// Longest vector accepted.
pub const MAX_LEN: usize = 512;

/// A metric definition: name, allowed values, mandatory.
type Def = (&'static str, &'static [&'static str], bool);

const V2_METRICS: &[Def] = &[
    ("AV", &["L", "A", "N"], true),
    ("AC", &["H", "M", "L"], true),
    ("Au", &["M", "S", "N"], true),
    ("C", &["N", "P", "C"], true),
    ("I", &["N", "P", "C"], true),
    ("A", &["N", "P", "C"], true),
    ("E", &["U", "POC", "F", "H", "ND"], false),
    ("RL", &["OF", "TF", "W", "U", "ND"], false),
    ("RC", &["UC", "UR", "C", "ND"], false),
    ("CDP", &["N", "L", "LM", "MH", "H", "ND"], false),
    ("TD", &["N", "L", "M", "H", "ND"], false),
    ("CR", &["L", "M", "H", "ND"], false),
    ("IR", &["L", "M", "H", "ND"], false),
    ("AR", &["L", "M", "H", "ND"], false),
];

const V3_METRICS: &[Def] = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "R"], true),
    ("S", &["U", "C"], true),
    ("C", &["H", "L", "N"], true),
    ("I", &["H", "L", "N"], true),
    ("A", &["H", "L", "N"], true),
    ("E", &["X", "U", "P", "F", "H"], false),
    ("RL", &["X", "O", "T", "W", "U"], false),
    ("RC", &["X", "U", "R", "C"], false),
    ("CR", &["X", "L", "M", "H"], false),
    ("IR", &["X", "L", "M", "H"], false),
    ("AR", &["X", "L", "M", "H"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "R"], false),
    ("MS", &["X", "U", "C"], false),
    ("MC", &["X", "N", "L", "H"], false),
    ("MI", &["X", "N", "L", "H"], false),
    ("MA", &["X", "N", "L", "H"], false),
];

/// v4.0 metrics in the specification's order.
const V4_METRICS: &[Def] = &[
    ("AV", &["N", "A", "L", "P"], true),
    ("AC", &["L", "H"], true),
    ("AT", &["N", "P"], true),
    ("PR", &["N", "L", "H"], true),
    ("UI", &["N", "P", "A"], true),
    ("VC", &["H", "L", "N"], true),
    ("VI", &["H", "L", "N"], true),
    ("VA", &["H", "L", "N"], true),
    ("SC", &["H", "L", "N"], true),
    ("SI", &["H", "L", "N"], true),
    ("SA", &["H", "L", "N"], true),
    ("E", &["X", "A", "P", "U"], false),
    ("CR", &["X", "H", "M", "L"], false),
    ("IR", &["X", "H", "M", "L"], false),
    ("AR", &["X", "H", "M", "L"], false),
    ("MAV", &["X", "N", "A", "L", "P"], false),
    ("MAC", &["X", "L", "H"], false),
    ("MAT", &["X", "N", "P"], false),
    ("MPR", &["X", "N", "L", "H"], false),
    ("MUI", &["X", "N", "P", "A"], false),
    ("MVC", &["X", "H", "L", "N"], false),
    ("MVI", &["X", "H", "L", "N"], false),
    ("MVA", &["X", "H", "L", "N"], false),
    ("MSC", &["X", "H", "L", "N"], false),
    ("MSI", &["X", "S", "H", "L", "N"], false),
    ("MSA", &["X", "S", "H", "L", "N"], false),
    ("S", &["X", "N", "P"], false),
    ("AU", &["X", "N", "Y"], false),
    ("R", &["X", "A", "U", "I"], false),
    ("V", &["X", "D", "C"], false),
    ("RE", &["X", "L", "M", "H"], false),
    ("U", &["X", "Clear", "Green", "Amber", "Red"], false),
];

/// A parsed, validated vector: the value of each metric of the version's table (`None` when
/// absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vector {
    version: CvssVersion,
    values: Vec<Option<&'static str>>,
}

impl Vector {
    /// Parses and validates a vector string.
    pub fn parse(vector: &str) -> Result<Vector, CvssError> {
        if vector.is_empty() {
            return Err(CvssError::Empty);
        }
        if vector.len() > MAX_LEN {
            return Err(CvssError::TooLong { len: vector.len() });
        }
        let (version, body, offset) = if let Some(rest) = vector.strip_prefix("CVSS:") {
            let (prefix, body) = rest.split_once('/').unwrap_or((rest, ""));
            let version = match prefix {
                "3.0" => CvssVersion::V3_0,
                "3.1" => CvssVersion::V3_1,
                "4.0" => CvssVersion::V4_0,
                _ => {
                    return Err(CvssError::UnknownVersion {
                        prefix: format!("CVSS:{prefix}"),
                    });
                }
            };
            (version, body, 5 + prefix.len() + 1)
        } else {
            // NVD sometimes wraps v2 vectors in parentheses.
            match vector.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
                Some(inner) => (CvssVersion::V2, inner, 1),
                None => (CvssVersion::V2, vector, 0),
            }
        };
        let defs = defs(version);
        let mut values: Vec<Option<&'static str>> = vec![None; defs.len()];
        let mut column = offset + 1;
        let mut last_index: Option<usize> = None;
        for part in body.split('/') {
            let here = column;
            column += part.chars().count() + 1;
            let Some((name, value)) = part.split_once(':') else {
                return Err(CvssError::Malformed {
                    part: part.to_owned(),
                    column: here,
                });
            };
            let Some(index) = defs.iter().position(|d| d.0 == name) else {
                return Err(CvssError::UnknownMetric {
                    version,
                    name: name.to_owned(),
                    column: here,
                });
            };
            let Some(&(def_name, allowed, _)) = defs.get(index) else {
                continue;
            };
            let Some(&value) = allowed.iter().find(|v| **v == value) else {
                return Err(CvssError::InvalidValue {
                    version,
                    name: def_name,
                    value: value.to_owned(),
                    expected: allowed.join("/"),
                    column: here,
                });
            };
            let Some(slot) = values.get_mut(index) else {
                continue;
            };
            if slot.is_some() {
                return Err(CvssError::Duplicate {
                    name: def_name,
                    column: here,
                });
            }
            if version == CvssVersion::V4_0 && last_index.is_some_and(|l| index < l) {
                return Err(CvssError::OutOfOrder {
                    name: def_name,
                    column: here,
                });
            }
            last_index = Some(index);
            *slot = Some(value);
        }
        for (def, value) in defs.iter().zip(&values) {
            if def.2 && value.is_none() {
                return Err(CvssError::Missing {
                    version,
                    name: def.0,
                });
            }
        }
        Ok(Vector { version, values })
    }

    /// The vector's version.
    pub fn version(&self) -> CvssVersion {
        self.version
    }

    /// The value of metric `name`, if given.
    pub fn get(&self, name: &str) -> Option<&'static str> {
        let index = defs(self.version).iter().position(|d| d.0 == name)?;
        self.values.get(index).copied().flatten()
    }

    /// A base metric's value; parsing guaranteed it is present.
    fn base(&self, name: &str) -> &'static str {
        self.get(name).unwrap_or("")
    }

    /// Computes the score (see the crate docs).
    pub fn score(&self) -> Score {
        let base = match self.version {
            CvssVersion::V2 => v2_base(self),
            CvssVersion::V3_0 | CvssVersion::V3_1 => v3_base(self),
            CvssVersion::V4_0 => v4::score(self),
        };
        Score {
            version: self.version,
            base,
            rating: Rating::of(self.version, base),
        }
    }
}

fn defs(version: CvssVersion) -> &'static [Def] {
    match version {
        CvssVersion::V2 => V2_METRICS,
        CvssVersion::V3_0 | CvssVersion::V3_1 => V3_METRICS,
        CvssVersion::V4_0 => V4_METRICS,
    }
}

/// Parses `vector` and computes its score.
pub fn score(vector: &str) -> Result<Score, CvssError> {
    Ok(Vector::parse(vector)?.score())
}

/// Rounds half up to one decimal, after removing binary noise below 1e-9.
fn round1(x: f64) -> f64 {
    ((x * 10.0) + 0.5 + 1e-9).floor() / 10.0
}

fn v2_base(v: &Vector) -> f64 {
    let av = match v.base("AV") {
        "L" => 0.395,
        "A" => 0.646,
        _ => 1.0,
    };
    let ac = match v.base("AC") {
        "H" => 0.35,
        "M" => 0.61,
        _ => 0.71,
    };
    let au = match v.base("Au") {
        "M" => 0.45,
        "S" => 0.56,
        _ => 0.704,
    };
    let cia = |m: &str| match v.base(m) {
        "P" => 0.275,
        "C" => 0.660,
        _ => 0.0,
    };
    let impact = 10.41 * (1.0 - (1.0 - cia("C")) * (1.0 - cia("I")) * (1.0 - cia("A")));
    let exploitability = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    round1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f).max(0.0)
}

/// CVSS v3.1 `Roundup` (appendix A): the smallest one-decimal number >= x, computed on integers.
fn roundup_v31(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v3.0 `Roundup`.
fn roundup_v30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

fn v3_base(v: &Vector) -> f64 {
    let changed = v.base("S") == "C";
    let av = match v.base("AV") {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    };
    let ac = if v.base("AC") == "L" { 0.77 } else { 0.44 };
    let pr = match (v.base("PR"), changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    };
    let ui = if v.base("UI") == "N" { 0.85 } else { 0.62 };
    let cia = |m: &str| match v.base(m) {
        "H" => 0.56,
        "L" => 0.22,
        _ => 0.0,
    };
    let iss: f64 = 1.0 - ((1.0 - cia("C")) * (1.0 - cia("I")) * (1.0 - cia("A")));
    let impact: f64 = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability: f64 = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return 0.0;
    }
    let roundup = if v.version == CvssVersion::V3_0 {
        roundup_v30
    } else {
        roundup_v31
    };
    if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    }
}
