//! OCI images: the image reference ([`mod@reference`]), and images themselves ([`image`]): layouts,
//! archives and registry images resolved to one manifest, their layers streamed into a tree of
//! files the capabilities read; and the layouts of evidence attached to images ([`referrers`]:
//! OCI 1.1 referrers, the referrers fallback tag, cosign's legacy `.sig`/`.att`/`.sbom` tags).
//!
//! [`reference::Reference`] is the strict, normalised form (`registry/repository[:tag][@digest]`,
//! Docker Hub's defaults applied, the distribution grammar checked, the digest a typed
//! [`vouch_digest::Digest`]). [`reference::Written`] is a reference as a file holds it: split
//! into name, tag and digest without being rejected, with the byte ranges of each part, so
//! policies can judge what was written and `vouch pin` can rewrite it in place.
//!
//! ```
//! use vouch_oci::reference::{Reference, Written};
//!
//! let r: Reference = "python:3.12".parse().unwrap();
//! assert_eq!(r.to_string(), "docker.io/library/python:3.12");
//!
//! let w = Written::parse("  ghcr.io/acme/api:1.0 ");
//! assert_eq!((w.name(), w.tag()), ("ghcr.io/acme/api", Some("1.0")));
//! assert_eq!(&w.text()[w.span()], "ghcr.io/acme/api:1.0");
//! assert!(w.digest().is_none());
//! ```

pub mod image;
pub mod package;
pub mod reference;
pub mod referrers;
