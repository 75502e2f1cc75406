//! The `vouch` command-line tool: parses arguments, calls the library crates and renders results.
//!
//! Exit codes: 0 passed or nothing found, 1 findings or denied, 2 could not evaluate.

#[macro_use]
mod term;
mod cli;
mod clock;
mod commands;
mod exit;
mod files;
mod image;
mod inventory;
mod output;
mod popular;
mod progress;
mod registry;
mod registry_auth;

use clap::Parser;
use exit::ExitStatus;

fn main() -> std::process::ExitCode {
    output::exit_on_closed_streams();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        // Diagnostics that could not be written (a closed stderr) leave the result unreported.
        Ok(_) if term::failed() => ExitStatus::Error.into(),
        Ok(status) => status.into(),
        Err(err) => {
            // Error chains can carry text from the inputs (a parser's message quoting a value):
            // secret-looking values are redacted here, once, for every command.
            eprintln!("error: {}", vouch_secrets::redact(&err.to_string()));
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {}", vouch_secrets::redact(&cause.to_string()));
            }
            ExitStatus::Error.into()
        }
    }
}
