//! Every line the binary prints for people on stderr (warnings, errors, causes, summaries)
//! goes through [`vouch_report::terminal::sanitize`]: URL credentials are redacted and control
//! characters escaped, so a file name or file content from the scanned tree cannot drive the
//! terminal. `eprintln!` is shadowed for the whole crate (this module is declared first in
//! `main.rs`), so no call site can forget it; a closed stderr is ignored rather than a panic.

/// `std::eprintln!`, but through [`line`].
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
    let _ = err.write_all(clean.as_bytes());
    let _ = err.write_all(b"\n");
}
