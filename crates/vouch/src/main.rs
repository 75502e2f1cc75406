//! The `vouch` command-line tool: parses arguments, calls the library crates and renders results.
//!
//! Exit codes: 0 passed or nothing found, 1 findings or denied, 2 could not evaluate.

#[macro_use]
mod term;
mod cli;
mod clock;
mod commands;
mod exit;
mod inventory;
mod output;
mod progress;

use clap::Parser;
use exit::ExitStatus;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitStatus::Error.into()
        }
    }
}
