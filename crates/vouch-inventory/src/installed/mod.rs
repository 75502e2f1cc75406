//! Installed-package database parsers, one module per format. Each exposes
//! `pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError>`.

pub mod apk;
pub mod dpkg;
pub mod node;
pub mod python;
pub mod rpm;
