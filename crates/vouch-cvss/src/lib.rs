//! CVSS vectors and base scores (skeleton: being filled in).

use std::fmt;

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
    /// 0.0.
    None,
    /// 0.1-3.9.
    Low,
    /// 4.0-6.9.
    Medium,
    /// 7.0-8.9.
    High,
    /// 9.0-10.0.
    Critical,
}

/// A computed base score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The vector's CVSS version.
    pub version: CvssVersion,
    /// The base score, rounded to one decimal as the specification says.
    pub base: f64,
    /// The rating for `base`.
    pub rating: Rating,
}

/// Why a vector could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CvssError {
    /// Not implemented yet.
    #[error("cvss {0} scoring is not supported")]
    Unsupported(CvssVersion),
}

/// Parses `vector` and computes its base score.
pub fn score(vector: &str) -> Result<Score, CvssError> {
    let _ = vector;
    Err(CvssError::Unsupported(CvssVersion::V2))
}
