//! The three exit codes every vouch command uses.

/// How a command ended. Maps to the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Evaluated and passed, or nothing found (exit 0).
    Success,
    /// Evaluated and denied, or findings at or above the threshold (exit 1).
    Failure,
    /// Could not evaluate: usage error, bad input, network, bug (exit 2).
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => Self::from(0),
            ExitStatus::Failure => Self::from(1),
            ExitStatus::Error => Self::from(2),
        }
    }
}
