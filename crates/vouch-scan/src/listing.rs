//! What `vouch scan` lists about the npm packages of the inventory beside its findings: the
//! packages that run an install script (package-lock v2/v3 `hasInstallScript`, the inventory's
//! `install-script` property) and those resolved from outside the allowed registries
//! ([`vouch_policy::registry::outside`]).
//!
//! The configuration check reports the same packages as the `packages-install-script` and
//! `packages-registry-not-allowed` findings (one per lockfile entry, with its line); the listing
//! is the inventory's view of them (one line per component, workspace members included, since
//! their scripts run too). Both read the same fields with the same definition of "outside", so
//! the two agree (tested on real lockfiles in `crates/vouch/tests/npm_listing.rs`).

use serde::Serialize;
use vouch_inventory::{Component, Ecosystem, Inventory, property};

/// One listed package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Listed {
    pub name: String,
    pub version: String,
    /// The first file that recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Where it is fetched from, credentials redacted (only for `outside_registries`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

/// The npm packages worth a look even without a finding against them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// Packages that run an install script when installed.
    pub install_scripts: Vec<Listed>,
    /// Packages fetched from outside the allowed registries.
    pub outside_registries: Vec<Listed>,
}

impl Listing {
    pub fn is_empty(&self) -> bool {
        self.install_scripts.is_empty() && self.outside_registries.is_empty()
    }
}

fn listed(c: &Component, resolved: Option<String>) -> Listed {
    let evidence = c.evidence.first();
    Listed {
        name: c.name.clone(),
        version: c.version.clone(),
        path: evidence.map(|e| e.path.clone()),
        line: evidence.and_then(|e| e.line),
        resolved,
    }
}

/// The listing of `inventory`'s npm components; `allowed` are the allowed registry prefixes
/// (empty: [`vouch_policy::DEFAULT_ALLOWED_REGISTRIES`], what `vouch scan` uses). Sorted by
/// name, version and path.
pub fn list(inventory: &Inventory, allowed: &[String]) -> Listing {
    let mut out = Listing::default();
    for c in inventory
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Npm)
    {
        if c.properties
            .get(property::INSTALL_SCRIPT)
            .is_some_and(|v| v == "true")
        {
            out.install_scripts.push(listed(c, None));
        }
        if let Some(url) = &c.resolved
            && vouch_policy::registry::outside(url.expose(), allowed)
        {
            out.outside_registries
                .push(listed(c, Some(url.redacted().into_owned())));
        }
    }
    out.install_scripts.sort();
    out.outside_registries.sort();
    out
}
