//! How an image's evidence is judged: [`Verifier`], and [`RegistryVerifier`], the one that
//! makes the same call as `vouch gate registry:IMAGE` (`vouch_gate::registry::collect`, then
//! `vouch_gate::gate` with the same `Context`).

use std::sync::Mutex;

use vouch_advisory::Database;
use vouch_advisory::suppress::Date;
use vouch_digest::Digest;
use vouch_oci::reference::{Name, Reference};

/// How an image's evidence is judged: the registry implementation below; tests may add others.
pub trait Verifier: Send + Sync {
    /// The manifest digest a tag names now (for /mutate and for tag-only images under warn
    /// rules).
    fn resolve(&self, image: &Reference) -> Result<Digest, String>;
    /// The gate's decision for `name@digest` under `policy` (the same call as `vouch gate
    /// registry:IMAGE`). `Err` = could not evaluate (registry down, database unreadable…).
    fn gate(
        &self,
        name: &Name,
        digest: &Digest,
        policy: &vouch_gate::Loaded,
    ) -> Result<vouch_gate::Decision, String>;
}

/// The clock, passed in (the library never reads it).
pub type Clock = fn() -> jiff::Timestamp;

/// Evidence read from the image's registry through `vouch_resolve` (credentials and
/// `--insecure-registry` set by the caller on the resolver), judged by `vouch_gate::gate`.
pub struct RegistryVerifier {
    resolver: vouch_resolve::Resolver,
    now: Clock,
    /// SQLite connections are not shared between threads: one gate call at a time reads it.
    db: Option<Mutex<Database>>,
}

impl RegistryVerifier {
    pub fn new(resolver: vouch_resolve::Resolver, now: Clock, db: Option<Database>) -> Self {
        RegistryVerifier {
            resolver,
            now,
            db: db.map(Mutex::new),
        }
    }
}

impl Verifier for RegistryVerifier {
    fn resolve(&self, image: &Reference) -> Result<Digest, String> {
        if let Some(d) = &image.digest {
            return Ok(d.clone());
        }
        let tag = image.tag.as_deref().unwrap_or("latest");
        self.resolver
            .image_digest(&image.name, tag)
            .map_err(|e| format!("cannot resolve {}:{tag}: {}", image.name, chain(&e)))
    }

    fn gate(
        &self,
        name: &Name,
        digest: &Digest,
        policy: &vouch_gate::Loaded,
    ) -> Result<vouch_gate::Decision, String> {
        let (evidence, _unused) = vouch_gate::registry::collect(&self.resolver, name, digest)
            .map_err(|e| {
                format!(
                    "cannot list what is attached to {name}@{digest}: {}",
                    chain(&e)
                )
            })?;
        let subject = vouch_gate::Subject::from_digest(format!("{name}@{digest}"), digest.clone())
            .map_err(|e| e.to_string())?;
        let now = (self.now)();
        let today = Date::from_unix_seconds(now.as_second());
        let guard = self
            .db
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let context = vouch_gate::Context {
            advisories: guard.as_deref(),
            check_findings: None,
            secret_findings: None,
            today,
            now,
        };
        vouch_gate::gate(policy, &subject, &evidence, &context)
            .map_err(|e| format!("cannot evaluate {name}@{digest}: {}", chain(&e)))
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
