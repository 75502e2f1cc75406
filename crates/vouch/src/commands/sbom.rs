//! `vouch sbom`: CycloneDX 1.6 or SPDX 2.3 JSON for a directory or root filesystem.

use crate::cli::{SbomArgs, SbomFormat};
use crate::exit::ExitStatus;

pub fn run(args: SbomArgs) -> anyhow::Result<ExitStatus> {
    let inventory = crate::inventory::collect(&args.path, &args.walk)?;
    let options = vouch_sbom::WriteOptions {
        tool_name: "vouch".to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        timestamp: Some(crate::clock::now()?),
        subject_name: None,
    };
    // Streamed: a document for hundreds of thousands of components is never held whole.
    crate::output::write_from(args.output.as_deref(), |out| match args.format {
        SbomFormat::CyclonedxJson => vouch_sbom::cyclonedx::write(&inventory, &options, out),
        SbomFormat::SpdxJson => vouch_sbom::spdx::write(&inventory, &options, out),
    })?;
    if let Some(path) = &args.output {
        eprintln!(
            "wrote {} components to {}",
            inventory.components.len(),
            path.display()
        );
    }
    // A folder that could not be walked is missing from the document: what was found is
    // written, and the run still fails (exit 2) rather than pass off a partial SBOM.
    crate::inventory::refuse_walk_errors(&inventory, &args.path)?;
    Ok(ExitStatus::Success)
}
