//! The popular lists in the formats their sources publish them, converted into a [`Popular`]
//! (for `vouch db update --popular`; the bytes are fetched by the caller):
//!
//! - PyPI: hugovk/top-pypi-packages' JSON (`{"last_update": "YYYY-MM-DD hh:mm:ss", "rows":
//!   [{"project": …, "download_count": …}, …]}`, most downloaded first), at [`PYPI_URL`];
//! - npm: wooorm/npm-high-impact's `lib/top-download.js` (`export const topDownload = [`, then
//!   one `'name',` a line, most downloaded first), at [`NPM_URL`]. The file carries no date:
//!   the caller passes the day it was downloaded.
//!
//! Both keep at most the first [`TAKE`] names; the first [`crate::TARGETS`] of them are the
//! targets, the rest known names (as in the shipped lists).

use crate::{Ecosystem, Popular, is_date, is_name};

/// Where hugovk/top-pypi-packages publishes its monthly dump.
pub const PYPI_URL: &str = "https://hugovk.dev/top-pypi-packages/top-pypi-packages.min.json";
/// npm-high-impact's list sorted by downloads, on its default branch.
pub const NPM_URL: &str =
    "https://raw.githubusercontent.com/wooorm/npm-high-impact/main/lib/top-download.js";
/// How many names are kept at most (data/popular/SOURCES.md says why).
pub const TAKE: usize = 20_000;
/// Largest download accepted (the PyPI dump of 15,000 rows is about 700 KiB).
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Why a downloaded list cannot be used. Messages name the source, never quote it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("{source_name}: not the top-pypi-packages JSON")]
    Json {
        source_name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{source_name}: `last_update` does not start with a YYYY-MM-DD date")]
    BadDate { source_name: String },
    #[error("{source_name}: entry {index} is not a package name")]
    BadName { source_name: String, index: usize },
    #[error("{source_name}: no package names")]
    Empty { source_name: String },
}

#[derive(serde::Deserialize)]
struct TopPypi {
    last_update: String,
    rows: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    project: String,
}

/// hugovk/top-pypi-packages' JSON from `source_name` (the URL, shown in errors and kept as the
/// list's `source`).
pub fn top_pypi_json(bytes: &[u8], source_name: &str) -> Result<Popular, SourceError> {
    let doc: TopPypi = serde_json::from_slice(bytes).map_err(|source| SourceError::Json {
        source_name: source_name.to_owned(),
        source,
    })?;
    let date = doc.last_update.get(..10).unwrap_or_default();
    if !is_date(date) {
        return Err(SourceError::BadDate {
            source_name: source_name.to_owned(),
        });
    }
    let names = doc.rows.into_iter().take(TAKE).map(|r| r.project);
    popular(Ecosystem::PyPi, names, source_name, date)
}

/// npm-high-impact's `lib/top-download.js`, downloaded on `date` (YYYY-MM-DD).
pub fn npm_high_impact_js(
    text: &str,
    source_name: &str,
    date: &str,
) -> Result<Popular, SourceError> {
    let names = text
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix('\''))
        .map(|l| l.trim_end_matches(',').trim_end_matches('\'').to_owned())
        .take(TAKE);
    popular(Ecosystem::Npm, names, source_name, date)
}

fn popular(
    ecosystem: Ecosystem,
    names: impl Iterator<Item = String>,
    source_name: &str,
    date: &str,
) -> Result<Popular, SourceError> {
    let mut out = Vec::new();
    for (i, n) in names.enumerate() {
        if !is_name(ecosystem, &n) {
            return Err(SourceError::BadName {
                source_name: source_name.to_owned(),
                index: i + 1,
            });
        }
        out.push(n);
    }
    if out.is_empty() {
        return Err(SourceError::Empty {
            source_name: source_name.to_owned(),
        });
    }
    if !is_date(date) {
        return Err(SourceError::BadDate {
            source_name: source_name.to_owned(),
        });
    }
    Ok(Popular {
        ecosystem,
        names: out,
        source: source_name.to_owned(),
        date: date.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_pypi_json_keeps_names_and_the_date() {
        let json = br#"{"last_update":"2026-05-01 06:34:06","query":{},"rows":[{"download_count":9,"project":"boto3"},{"download_count":8,"project":"packaging"}]}"#;
        let p = top_pypi_json(json, "https://example.test/top.json").unwrap();
        assert_eq!(p.names, ["boto3", "packaging"]);
        assert_eq!(p.date, "2026-05-01");
        let text = p.to_text();
        assert_eq!(Popular::parse(Ecosystem::PyPi, &text, "t").unwrap(), p);
        assert!(matches!(
            top_pypi_json(b"[1]", "u"),
            Err(SourceError::Json { .. })
        ));
        assert!(matches!(
            top_pypi_json(br#"{"last_update":"soon","rows":[{"project":"a"}]}"#, "u"),
            Err(SourceError::BadDate { .. })
        ));
        assert!(matches!(
            top_pypi_json(
                br#"{"last_update":"2026-05-01","rows":[{"project":"a b"}]}"#,
                "u"
            ),
            Err(SourceError::BadName { index: 1, .. })
        ));
    }

    #[test]
    fn npm_high_impact_js_keeps_the_order() {
        let js = "export const topDownload = [\n  'semver',\n  '@types/node',\n  'JSONStream'\n]\n";
        let p = npm_high_impact_js(js, "u", "2026-06-01").unwrap();
        assert_eq!(p.names, ["semver", "@types/node", "JSONStream"]);
        assert!(matches!(
            npm_high_impact_js("<html>", "u", "2026-06-01"),
            Err(SourceError::Empty { .. })
        ));
    }
}
