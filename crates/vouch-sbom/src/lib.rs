//! CycloneDX 1.6 and SPDX 2.3 JSON for vouch: writers from an [`Inventory`] and lenient readers
//! for the SBOMs other tools write.
//!
//! - [`cyclonedx::to_json`] and [`spdx::to_json`] turn an [`Inventory`] into a document that is
//!   valid against the official JSON schema. Output is deterministic: the same inventory and
//!   [`WriteOptions`] give byte-identical text, and the document's identity (CycloneDX
//!   `serialNumber`, SPDX `documentNamespace`) is derived from its content, never random.
//!   The caller passes the time in ([`WriteOptions::timestamp`]); this crate never reads the
//!   clock or the environment.
//! - [`read::parse`] detects CycloneDX JSON (1.2 to 1.7) or SPDX 2.2/2.3 JSON and returns its
//!   components as [`vouch_inventory::Component`]s keyed by purl; components without a usable
//!   purl are kept apart in [`read::ReadSbom::unmapped`], never dropped.
//!
//! The mapping choices (scope, licences, identifiers, timestamps) are described in
//! `docs/sbom-format.md`.
//!
//! ```
//! use vouch_inventory::{Ecosystem, FileKind, Inventory, Package, Parsed};
//! use vouch_sbom::{WriteOptions, cyclonedx, read, spdx};
//!
//! let mut pkg = Package::new(Ecosystem::Npm, "@babel/core", "7.24.0");
//! pkg.licenses.push("MIT".into());
//! let parsed = Parsed { packages: vec![pkg], warnings: vec![] };
//! let inventory = Inventory::build(
//!     "demo",
//!     None,
//!     vec![("package-lock.json".into(), FileKind::NpmLock, parsed)],
//!     vec![],
//! );
//! let options = WriteOptions::new("0.1.0").timestamp("2026-01-02T03:04:05Z".parse().unwrap());
//!
//! let bom = cyclonedx::to_json(&inventory, &options);
//! assert!(bom.contains(r#""specVersion": "1.6""#));
//! assert_eq!(bom, cyclonedx::to_json(&inventory, &options)); // deterministic
//!
//! // What vouch writes, vouch reads back.
//! let back = read::parse(spdx::to_json(&inventory, &options).as_bytes()).unwrap();
//! assert_eq!(back.format, read::Format::Spdx { version: "2.3".into() });
//! assert_eq!(back.components[0].name, "@babel/core");
//! assert_eq!(back.components[0].purl, "pkg:npm/%40babel/core@7.24.0");
//! ```

pub mod cyclonedx;
mod ident;
mod license;
pub mod read;
pub mod spdx;

pub use jiff::Timestamp;
use vouch_inventory::Inventory;

/// What a writer needs besides the inventory. The caller decides the time (vouch's CLI takes
/// `SOURCE_DATE_EPOCH` when set, else the current time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// The tool named in the document (`vouch`).
    pub tool_name: String,
    /// The tool's version (`0.1.0`).
    pub tool_version: String,
    /// When the document was made. CycloneDX omits `metadata.timestamp` without it; SPDX
    /// requires `creationInfo.created` and writes `1970-01-01T00:00:00Z` instead.
    pub timestamp: Option<Timestamp>,
    /// The name of what was scanned; [`Inventory::subject`] when `None`.
    pub subject_name: Option<String>,
}

impl WriteOptions {
    /// Options for tool `vouch` at `tool_version`, with no timestamp and the inventory's subject.
    pub fn new(tool_version: impl Into<String>) -> Self {
        Self {
            tool_name: "vouch".to_owned(),
            tool_version: tool_version.into(),
            timestamp: None,
            subject_name: None,
        }
    }

    #[must_use]
    pub fn timestamp(mut self, timestamp: Timestamp) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    #[must_use]
    pub fn subject_name(mut self, name: impl Into<String>) -> Self {
        self.subject_name = Some(name.into());
        self
    }

    pub(crate) fn subject<'a>(&'a self, inventory: &'a Inventory) -> &'a str {
        self.subject_name.as_deref().unwrap_or(&inventory.subject)
    }

    /// RFC 3339 in UTC to the second (`2026-01-02T03:04:05Z`), the form SPDX requires.
    pub(crate) fn timestamp_text(&self) -> Option<String> {
        self.timestamp
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}

/// A writer's document as a `String` (writing into a `Vec` cannot fail; a document that does
/// not serialize gives the empty string, as before).
pub(crate) fn to_string(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    match write(&mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Pretty JSON of `document` and a final newline into `out`, buffered.
pub(crate) fn write_pretty(
    out: impl std::io::Write,
    document: &impl serde::Serialize,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, document)?;
    out.write_all(b"\n")?;
    out.flush()
}
