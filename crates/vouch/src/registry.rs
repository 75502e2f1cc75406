//! Registry access for images named `registry:…` (docs/images.md "Registries and
//! credentials").

use vouch_oci::image::{Registry, Source};

use crate::cli::ImageArgs;

/// The registry client a source needs (`None` for layouts and archives).
pub fn for_source(source: &Source, _args: &ImageArgs) -> anyhow::Result<Option<Box<dyn Registry>>> {
    match source {
        Source::Registry { reference } => {
            anyhow::bail!(
                "cannot read the image registry:{reference}: registry access is not wired yet"
            )
        }
        _ => Ok(None),
    }
}
