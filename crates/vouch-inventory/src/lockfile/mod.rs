//! Lockfile parsers, one module per format. Each exposes
//! `pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError>`.

pub mod cargo;
pub mod ci;
pub mod composer;
pub mod gemfile;
pub mod gomod;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod pipfile;
pub mod pnpm;
pub mod poetry;
pub mod requirements;
pub mod uv;
pub mod yarn;
