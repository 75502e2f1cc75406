use crate::Scheme;

/// Why a version string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VersionError {
    /// The input was the empty string.
    #[error("empty {scheme} version")]
    Empty {
        /// The scheme it was parsed under.
        scheme: Scheme,
    },
    /// The input was longer than [`crate::MAX_LEN`].
    #[error("{scheme} version is {len} bytes long, more than the {max} allowed", max = crate::MAX_LEN)]
    TooLong {
        /// The scheme it was parsed under.
        scheme: Scheme,
        /// Its length in bytes.
        len: usize,
    },
    /// The input is not a version of this scheme.
    #[error(
        "invalid {scheme} version `{}` at column {column}: {reason}",
        shorten(input)
    )]
    Invalid {
        /// The scheme it was parsed under.
        scheme: Scheme,
        /// The rejected text.
        input: String,
        /// 1-based character column where the problem was found.
        column: usize,
        /// What was wrong, lower case.
        reason: String,
    },
}

impl VersionError {
    /// An [`VersionError::Invalid`] at byte offset `at` of `input` (reported as a 1-based
    /// character column).
    pub(crate) fn invalid(
        scheme: Scheme,
        input: &str,
        at: usize,
        reason: impl Into<String>,
    ) -> Self {
        let column = input.char_indices().take_while(|(i, _)| *i < at).count() + 1;
        VersionError::Invalid {
            scheme,
            input: input.to_owned(),
            column,
            reason: reason.into(),
        }
    }
}

/// The input as shown in messages: at most 64 characters, then `…`.
fn shorten(input: &str) -> String {
    match input.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", input.get(..cut).unwrap_or(input)),
        None => input.to_owned(),
    }
}
