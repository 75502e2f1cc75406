//! One module per subcommand; each exposes a function returning an [`ExitStatus`].

use crate::cli::{Cli, Command};
use crate::exit::ExitStatus;

mod check;
mod db;
mod db_fetch;
mod explain;
mod sbom;
mod scan;
mod secrets;
mod serve;
mod vulns;

mod admission;
mod attest;
mod evidence;
mod fetch;
pub mod fleet;
mod gate;
mod image_evidence;
mod key;
mod package;
mod pin;
mod pin_files;
mod sign;
mod slo;
mod update;
mod verify;
mod verify_attestation;

mod diff;
mod reproduce;

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Key(cmd) => key::run(cmd),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Attest(cmd) => attest::run(cmd),
        Command::VerifyAttestation(args) => verify_attestation::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Sbom(args) => sbom::run(args),
        Command::Secrets(args) => secrets::run(args),
        Command::Db(cmd) => db::run(cmd),
        Command::Vulns(args) => vulns::run(args),
        Command::Pin(args) => pin::run(args),
        Command::Update(args) => update::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Evidence(args) => image_evidence::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Admission(cmd) => admission::run(cmd),
        Command::Slo(cmd) => slo::run(cmd),
        Command::Package(args) => package::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Reproduce(args) => reproduce::run(args),
        Command::Fleet(cmd) => fleet::run(cmd),
        Command::Serve(args) => serve::run(args),
    }
}
