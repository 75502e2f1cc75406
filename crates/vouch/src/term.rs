//! Every line the binary prints for people on stderr (warnings, errors, causes, summaries)
//! goes through [`vouch_report::terminal::sanitize`]: URL credentials are redacted and control
//! characters escaped, so a file name or file content from the scanned tree cannot drive the
//! terminal. `eprintln!` is shadowed for the whole crate (this module is declared first in
//! `main.rs`), so no call site can forget it. A closed or full stderr is not a panic: the line is
//! dropped, and [`failed`] tells `main` to exit 2 (the diagnostics did not reach anyone).

use std::sync::atomic::{AtomicBool, Ordering};

static FAILED: AtomicBool = AtomicBool::new(false);

/// Whether a line could not be written to stderr during this run.
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// `std::eprintln!`, but through [`line()`].
macro_rules! eprintln {
    () => {
        $crate::term::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::term::line(format_args!($($arg)*))
    };
}

/// Write one sanitized line to stderr.
pub fn line(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let text = args.to_string();
    let clean = vouch_report::terminal::sanitize(&text);
    let mut err = std::io::stderr().lock();
    if err
        .write_all(clean.as_bytes())
        .and_then(|()| err.write_all(b"\n"))
        .is_err()
    {
        FAILED.store(true, Ordering::Relaxed);
    }
}
