//! `vouch sbom`: CycloneDX 1.6 or SPDX 2.3 JSON for a directory or root filesystem.

use anyhow::Context as _;

use crate::cli::{SbomArgs, SbomFormat};
use crate::exit::ExitStatus;

pub fn run(args: SbomArgs) -> anyhow::Result<ExitStatus> {
    // `--attest` is for images in registries: checked before the image is read.
    let attest_to = match (&args.attest, &args.key) {
        (true, Some(key)) => match args
            .path
            .to_str()
            .map(super::image_evidence::image_arg)
            .transpose()?
            .flatten()
        {
            Some(reference) => Some((reference, key.clone())),
            None => anyhow::bail!(
                "--attest: the SBOM attestation is attached to an image in its registry; name the image as registry:HOST/REPO:TAG (for a file, use `vouch attest sbom --subject FILE`)"
            ),
        },
        _ => None,
    };
    let inventory = crate::inventory::collect(&args.path, &args.walk)?;
    let options = vouch_sbom::WriteOptions {
        tool_name: "vouch".to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        timestamp: Some(crate::clock::now()?),
        subject_name: None,
    };
    let render = |out: &mut dyn std::io::Write| match args.format {
        SbomFormat::CyclonedxJson => vouch_sbom::cyclonedx::write(&inventory, &options, out),
        SbomFormat::SpdxJson => vouch_sbom::spdx::write(&inventory, &options, out),
    };
    // Streamed: a document for hundreds of thousands of components is never held whole, except
    // when it is signed (`--attest`), which needs its bytes.
    let attested = match attest_to {
        None => {
            crate::output::write_from(args.output.as_deref(), render)?;
            None
        }
        Some(target) => {
            let mut bytes = Vec::new();
            render(&mut bytes).context("cannot write the SBOM")?;
            crate::output::write_from(args.output.as_deref(), |out| out.write_all(&bytes))?;
            Some((target, bytes))
        }
    };
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
    if let Some(((reference, key), bytes)) = attested {
        super::image_evidence::attest_sbom(
            reference,
            &key,
            &args.walk.image.insecure_registry,
            &bytes,
        )?;
    }
    Ok(ExitStatus::Success)
}
