//! Registry access for images named `registry:…` (docs/images.md "Registries and
//! credentials"): vouch-resolve's client with the user's Docker config credentials
//! (`registry_auth`), `--insecure-registry` for plain HTTP on loopback.

use std::io::Read;

use anyhow::Context as _;
use vouch_digest::Digest;
use vouch_oci::image::{Registry, RemoteError, Source};

use crate::cli::ImageArgs;

/// The registry client a source needs (`None` for layouts and archives).
pub fn for_source(source: &Source, args: &ImageArgs) -> anyhow::Result<Option<Box<dyn Registry>>> {
    match source {
        Source::Registry { reference } => {
            let resolver = resolver(&args.insecure_registry)?;
            Ok(Some(Box::new(Remote(
                resolver.into_repository(reference.name.clone()),
            ))))
        }
        _ => Ok(None),
    }
}

/// The registry client: the user's Docker config credentials, plain HTTP only to the
/// registries listed as insecure.
pub fn resolver(insecure: &[String]) -> anyhow::Result<vouch_resolve::Resolver> {
    Ok(vouch_resolve::Resolver::new(vouch_resolve::Options {
        insecure_registries: insecure.to_vec(),
        ..Default::default()
    })
    .context("cannot set up the registry client")?
    .with_credentials(crate::registry_auth::from_env()?))
}

/// Prints what the client wants the user told (a credential helper it does not run), and,
/// with `VOUCH_REGISTRY_STATS=1`, how many requests it sent (for benchmarks).
pub fn finish(resolver: &vouch_resolve::Resolver) {
    for notice in resolver.take_notices() {
        eprintln!("warning[{}]: {notice}", notice.code());
    }
    if std::env::var("VOUCH_REGISTRY_STATS").is_ok_and(|v| v == "1") {
        eprintln!("registry requests: {}", resolver.requests_sent());
    }
}

/// A repository that prints what the client wants the user told (a credential helper it
/// does not run), once each, as it goes.
struct Remote(vouch_resolve::Repository<'static>);

impl Remote {
    fn notices(&self) {
        for notice in self.0.take_notices() {
            eprintln!("warning[{}]: {notice}", notice.code());
        }
    }
}

impl Registry for Remote {
    fn manifest(&self, reference: &str, limit: u64) -> Result<Vec<u8>, RemoteError> {
        let result = self.0.manifest(reference, limit);
        self.notices();
        result
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>, RemoteError> {
        let result = self.0.blob(digest);
        self.notices();
        result
    }
}
