//! Dockerfile `FROM` images, with global `ARG` defaults substituted and `--platform` kept;
//! downloads: `ADD <url>` (with its `--checksum`, BuildKit's in-file pin) and `curl`/`wget` in
//! `RUN` lines (`vouch_policy::shell::downloads`: verified when a checksum or signature check
//! follows in the same `RUN` or a later one of the same stage, as the
//! `dockerfile-download-no-checksum` rule reads it).

use std::collections::HashMap;

use parse_dockerfile::Instruction;

use super::{DiscoverError, image_target};
use crate::locate::Lines;
use crate::reference::{DownloadTarget, Downloader, Reference, Span, Target};

pub fn discover(text: &str) -> Result<Vec<Reference>, DiscoverError> {
    let df = parse_dockerfile::parse(text).map_err(|e| DiscoverError::Dockerfile {
        line: u32::try_from(e.line()).ok(),
        message: e.to_string(),
    })?;
    let lines = Lines::new(text);
    let mut args: HashMap<String, Option<String>> = HashMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut seen_from = false;
    let mut out = Vec::new();
    // RUN scripts by stage (the number of FROMs seen), for checks that follow a download.
    let mut runs: Vec<(usize, String)> = Vec::new();
    let mut run_downloads: Vec<(usize, usize)> = Vec::new(); // (index in out, index in runs)
    let mut froms = 0usize;
    for ins in &df.instructions {
        match ins {
            Instruction::Add(add) => {
                if let Some(r) = add_download(text, &lines, add) {
                    out.push(r);
                }
            }
            Instruction::Run(run) => {
                let (script, base) = match &run.arguments {
                    parse_dockerfile::Command::Shell(s) => (s.value.to_owned(), Some(s.span.start)),
                    parse_dockerfile::Command::Exec(e) => (
                        e.value
                            .iter()
                            .map(|w| w.value.as_ref())
                            .collect::<Vec<_>>()
                            .join(" "),
                        None,
                    ),
                    _ => (String::new(), None),
                };
                let mut script = script;
                for h in &run.here_docs {
                    script.push('\n');
                    script.push_str(&h.value);
                }
                let stage = froms;
                runs.push((stage, script.clone()));
                let line = lines.line_of(run.run.span.start);
                for d in vouch_policy::shell::downloads(&script) {
                    let span = base.and_then(|b| {
                        let written = text.get(b..run.arguments_end(text.len()))?;
                        let at = written.find(d.url.as_str())?;
                        let start = b + at;
                        Some(Span {
                            value: start..start + d.url.len(),
                            insert_at: start + d.url.len(),
                            comment: None,
                        })
                    });
                    run_downloads.push((out.len(), runs.len() - 1));
                    out.push(Reference {
                        line,
                        span,
                        target: Target::Download(DownloadTarget {
                            downloader: if d.downloader == "wget" {
                                Downloader::Wget
                            } else {
                                Downloader::Curl
                            },
                            url: d.url,
                            checksum: None,
                            verified: d.verified,
                            checksum_at: None,
                        }),
                    });
                }
            }
            Instruction::Arg(a) if !seen_from => {
                for (k, v) in arg_pairs(&a.arguments.value) {
                    args.insert(k, v);
                }
            }
            Instruction::From(f) => {
                seen_from = true;
                froms += 1;
                let written = text
                    .get(f.image.span.clone())
                    .filter(|w| *w == f.image.value)
                    .map(str::to_owned);
                let raw = written.clone().unwrap_or_else(|| f.image.value.to_string());
                let (resolved, used) = substitute(&raw, &args);
                let platform = f
                    .options
                    .iter()
                    .find(|o| o.name.value.eq_ignore_ascii_case("platform"))
                    .and_then(|o| o.value.as_ref())
                    .and_then(|v| substitute(&v.value, &args).0);
                // Only earlier stages count: `FROM golang AS golang` is the image.
                let earlier_stage = resolved
                    .as_ref()
                    .is_some_and(|r| stages.contains(&r.to_ascii_lowercase()));
                if let Some((_, name)) = &f.as_ {
                    stages.push(name.value.to_ascii_lowercase());
                }
                let Some(resolved) = resolved else { continue };
                if earlier_stage {
                    continue; // FROM an earlier stage
                }
                let Some(target) = image_target(&resolved, platform, used) else {
                    continue;
                };
                let span = written.map(|_| Span {
                    value: f.image.span.clone(),
                    insert_at: f.image.span.end,
                    comment: None,
                });
                out.push(Reference {
                    line: lines.line_of(f.image.span.start),
                    span,
                    target,
                });
            }
            _ => {}
        }
    }
    // A check in a later RUN of the same stage verifies a download too.
    for (at, run) in run_downloads {
        let Some((stage, _)) = runs.get(run) else {
            continue;
        };
        let later = runs
            .iter()
            .skip(run + 1)
            .any(|(s, script)| s == stage && vouch_policy::shell::verifies(script));
        if let Some(Reference {
            target: Target::Download(d),
            ..
        }) = out.get_mut(at)
        {
            d.verified |= later;
        }
    }
    Ok(out)
}

/// The end of a RUN's shell text (the parser's span of the command).
trait ArgumentsEnd {
    fn arguments_end(&self, len: usize) -> usize;
}

impl ArgumentsEnd for parse_dockerfile::RunInstruction<'_> {
    fn arguments_end(&self, len: usize) -> usize {
        match &self.arguments {
            parse_dockerfile::Command::Shell(s) => s.span.end.min(len),
            parse_dockerfile::Command::Exec(e) => e.span.end.min(len),
            _ => len,
        }
    }
}

/// `ADD [--checksum=…] <url> <dest>`: a download when a source is an `http(s)://` URL (git
/// URLs, `….git` or with a `#ref`, are BuildKit's git sources and not files).
fn add_download(
    text: &str,
    lines: &Lines,
    add: &parse_dockerfile::AddInstruction<'_>,
) -> Option<Reference> {
    let urls: Vec<&parse_dockerfile::UnescapedString<'_>> = add
        .src
        .iter()
        .filter_map(|s| match s {
            parse_dockerfile::Source::Path(p) => Some(p),
            _ => None,
        })
        .filter(|p| {
            let v = p.value.to_ascii_lowercase();
            (v.starts_with("https://") || v.starts_with("http://"))
                && !v.contains(".git#")
                && !v.ends_with(".git")
        })
        .collect();
    let url = urls.first()?;
    let checksum = add
        .options
        .iter()
        .find(|o| o.name.value.eq_ignore_ascii_case("checksum"))
        .map(|o| {
            o.value
                .as_ref()
                .map(|v| v.value.to_string())
                .unwrap_or_default()
        });
    // One URL as the only source: `--checksum` applies to it, inserted after `ADD `.
    let checksum_at = (checksum.is_none() && add.src.len() == 1 && !url.value.contains('$'))
        .then(|| {
            add.options
                .iter()
                .map(|o| o.span().start)
                .chain([url.span.start])
                .min()
        })
        .flatten();
    let written = text.get(url.span.clone()).filter(|w| *w == url.value);
    Some(Reference {
        line: lines.line_of(url.span.start),
        span: written.map(|_| Span {
            value: url.span.clone(),
            insert_at: url.span.end,
            comment: None,
        }),
        target: Target::Download(DownloadTarget {
            downloader: Downloader::Add,
            url: url.value.to_string(),
            checksum,
            verified: false,
            checksum_at,
        }),
    })
}

/// `A=1 B="two" C` → pairs (`C` has no default).
fn arg_pairs(s: &str) -> Vec<(String, Option<String>)> {
    s.split_whitespace()
        .filter(|w| !w.is_empty())
        .map(|w| match w.split_once('=') {
            Some((k, v)) => {
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                    .unwrap_or(v);
                (k.to_owned(), Some(v.to_owned()))
            }
            None => (w.to_owned(), None),
        })
        .collect()
}

/// Substitute `$A`, `${A}`, `${A:-default}` and `${A-default}`. Returns `None` when a variable
/// has no value, and whether any variable was used.
fn substitute(s: &str, args: &HashMap<String, Option<String>>) -> (Option<String>, bool) {
    let mut out = String::with_capacity(s.len());
    let mut used = false;
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        used = true;
        let (name, default, after) = if let Some(r) = rest.strip_prefix('{') {
            let Some(close) = r.find('}') else {
                return (None, used);
            };
            let inner = &r[..close];
            let (name, default) = match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            };
            (name, default, &r[close + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], None, &rest[end..])
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return (None, used);
        }
        match args.get(name).cloned().flatten().filter(|v| !v.is_empty()) {
            Some(v) => out.push_str(&v),
            None => match default {
                Some(d) if !d.contains('$') => out.push_str(d),
                _ => return (None, used),
            },
        }
        rest = after;
    }
    out.push_str(rest);
    (Some(out), used)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::Target;

    fn images(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
        discover(text)
            .unwrap()
            .into_iter()
            .map(|r| {
                let Target::Image(i) = r.target else { panic!() };
                (
                    i.resolved().to_owned(),
                    i.platform,
                    r.span.map(|s| text[s.value].to_owned()),
                )
            })
            .collect()
    }

    #[test]
    fn from_lines() {
        let t = "ARG PY=3.12\nARG BASE\nFROM --platform=$BUILDPLATFORM python:${PY}-slim AS build\n\
                 FROM build AS again\nFROM scratch\nFROM $BASE\nFROM ${BASE:-alpine:3.20}\n\
                 FROM gcr.io/distroless/cc@sha256:abc\n";
        assert_eq!(
            images(t),
            vec![
                (
                    "python:3.12-slim".into(),
                    None,
                    Some("python:${PY}-slim".into())
                ),
                (
                    "alpine:3.20".into(),
                    None,
                    Some("${BASE:-alpine:3.20}".into())
                ),
                (
                    "gcr.io/distroless/cc@sha256:abc".into(),
                    None,
                    Some("gcr.io/distroless/cc@sha256:abc".into())
                ),
            ]
        );
        let t = "ARG P=linux/arm64\nFROM --platform=${P} node:20\n";
        assert_eq!(images(t)[0].1.as_deref(), Some("linux/arm64"));
    }

    #[test]
    fn a_stage_named_like_its_image_is_still_the_image() {
        let t = "FROM golang AS golang\nFROM golang AS again\n";
        assert_eq!(
            images(t),
            vec![("golang".into(), None, Some("golang".into()))]
        );
    }

    #[test]
    fn malformed() {
        let e = discover("FROM\n").unwrap_err();
        assert!(matches!(e, DiscoverError::Dockerfile { .. }), "{e}");
    }
}
