use crate::cli::ScanArgs;
use crate::exit::ExitStatus;

pub fn run(_args: ScanArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("scan is being built")
}
