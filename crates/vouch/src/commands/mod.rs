//! One module per subcommand; each exposes a function returning an [`ExitStatus`].

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

mod sbom;
mod scan;

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Sbom(args) => sbom::run(args),
    }
}
