//! In-place rewriting: a pin or an update becomes a few byte-range edits of the original text;
//! every other byte stays as it was.

use std::ops::Range;

use vouch_digest::Digest;

use crate::reference::{GitKind, Reference, Target};

/// Replace `range` of the original text with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// What a reference should become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Pin an image to `digest`; with `tag`, also move it to that tag (an update).
    Image { tag: Option<String>, digest: Digest },
    /// Pin a git ref to `commit`, with `version` in the comment beside it.
    Git { commit: String, version: String },
    /// Pin a Dockerfile `ADD` of a URL with BuildKit's `--checksum=<digest>`.
    Download { digest: Digest },
}

/// Why a reference cannot be rewritten.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RewriteError {
    #[error(
        "cannot find the exact text of the value on line {line} (flow style, escapes or a multi-line value); edit it by hand"
    )]
    NoSpan { line: u32 },
    #[error("the tag comes from a build argument; change the `ARG` default by hand")]
    Argument,
    #[error("`{0}` cannot be pinned automatically")]
    Unpinnable(String),
    #[error("the change does not fit the reference (an image change for a git ref or the reverse)")]
    Mismatch,
    #[error("two edits overlap at byte {0}")]
    Overlap(usize),
}

impl RewriteError {
    /// Stable diagnostic code.
    pub fn code(&self) -> &'static str {
        "pin-cannot-rewrite"
    }
}

/// The edits that apply `change` to `reference` in `text`.
pub fn edits(
    text: &str,
    reference: &Reference,
    change: &Change,
) -> Result<Vec<Edit>, RewriteError> {
    let span = reference.span.as_ref().ok_or(RewriteError::NoSpan {
        line: reference.line,
    })?;
    let written = text.get(span.value.clone()).ok_or(RewriteError::NoSpan {
        line: reference.line,
    })?;
    match (&reference.target, change) {
        (Target::Image(image), Change::Image { tag, digest }) => match tag {
            Some(tag) if image.tag() != Some(tag.as_str()) => {
                if image.uses_arguments {
                    return Err(RewriteError::Argument);
                }
                Ok(vec![Edit {
                    range: span.value.clone(),
                    text: format!("{}:{tag}@{digest}", image.name()),
                }])
            }
            _ => Ok(vec![match written.rfind('@') {
                Some(at) if image.digest_text().is_some() => Edit {
                    range: span.value.start + at + 1..span.value.end,
                    text: digest.to_string(),
                },
                _ => Edit {
                    range: span.value.end..span.value.end,
                    text: format!("@{digest}"),
                },
            }]),
        },
        (Target::Git(git), Change::Git { commit, version }) => {
            let mut out = vec![Edit {
                range: span.value.clone(),
                text: format!("{}{commit}", git.prefix),
            }];
            let pinned_word = if crate::reference::is_commit(&git.reference) {
                span.comment_word(text)
            } else {
                None
            };
            match pinned_word {
                Some((range, word)) => {
                    if word != version {
                        out.push(Edit {
                            range,
                            text: version.clone(),
                        });
                    }
                }
                None => {
                    let sep = if git.kind == GitKind::PreCommit {
                        "  # "
                    } else {
                        " # "
                    };
                    out.push(Edit {
                        range: span.insert_at..span.insert_at,
                        text: format!("{sep}{version}"),
                    });
                }
            }
            Ok(out)
        }
        (Target::Download(d), Change::Download { digest }) => match (d.checksum_at, &d.checksum) {
            (Some(at), None) => Ok(vec![Edit {
                range: at..at,
                text: format!("--checksum={digest} "),
            }]),
            // Already pinned in the file, or a curl/wget line: shell is never rewritten.
            _ => Ok(Vec::new()),
        },
        (Target::Unpinnable(u), _) => Err(RewriteError::Unpinnable(u.text.clone())),
        _ => Err(RewriteError::Mismatch),
    }
}

/// Apply non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, RewriteError> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 128);
    let mut pos = 0;
    for e in sorted {
        if e.range.start < pos || e.range.end > text.len() || e.range.start > e.range.end {
            return Err(RewriteError::Overlap(e.range.start));
        }
        out.push_str(&text[pos..e.range.start]);
        out.push_str(&e.text);
        pos = e.range.end;
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// A unified diff of `old` → `new` for `path` (empty when equal), as `--dry-run` prints it.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileKind;
    use crate::discover::discover;

    const SHA: &str = "8e8c483db84b4bee98b60c0593521ed34d9990e8";
    const SHA2: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";

    fn rewrite(kind: FileKind, text: &str, change: impl Fn(&Reference) -> Change) -> String {
        let refs = discover(kind, text.as_bytes()).unwrap();
        let mut all = Vec::new();
        for r in &refs {
            all.extend(edits(text, r, &change(r)).unwrap());
        }
        apply(text, &all).unwrap()
    }

    #[test]
    fn pins_actions_keeping_comments_and_quotes() {
        let text = "jobs:\n  b:\n    steps:\n      - uses: actions/checkout@v4 # keep me\n      - uses: 'actions/setup-node@v4'\n      - uses: \"a/b@v1\"   \n";
        let out = rewrite(FileKind::GithubWorkflow, text, |_| Change::Git {
            commit: SHA.into(),
            version: "v4.1.1".into(),
        });
        assert_eq!(
            out,
            format!(
                "jobs:\n  b:\n    steps:\n      - uses: actions/checkout@{SHA} # v4.1.1 # keep me\n      - uses: 'actions/setup-node@{SHA}' # v4.1.1\n      - uses: \"a/b@{SHA}\" # v4.1.1   \n"
            )
        );
    }

    #[test]
    fn updates_pinned_comment_in_place() {
        let text = format!("steps:\n  - uses: x/y@{SHA}  # v4.1.1 note\n");
        let text = format!("runs:\n  {}", text.replace('\n', "\n  ").trim_end());
        let out = rewrite(FileKind::GithubAction, &text, |_| Change::Git {
            commit: SHA2.into(),
            version: "v4.2.0".into(),
        });
        assert!(out.contains(&format!("x/y@{SHA2}  # v4.2.0 note")), "{out}");
    }

    #[test]
    fn pins_images_and_precommit() {
        let d: Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
        let text = "ARG V=3.12\nFROM python:${V}-slim AS b\nFROM node:20@sha256:00\n";
        let out = rewrite(FileKind::Dockerfile, text, |_| Change::Image {
            tag: None,
            digest: d.clone(),
        });
        assert_eq!(
            out,
            format!("ARG V=3.12\nFROM python:${{V}}-slim@{d} AS b\nFROM node:20@{d}\n")
        );
        let text = "repos:\n- repo: https://github.com/psf/black\n  rev: 24.3.0\n";
        let out = rewrite(FileKind::PreCommit, text, |_| Change::Git {
            commit: SHA.into(),
            version: "24.3.0".into(),
        });
        assert_eq!(
            out,
            format!("repos:\n- repo: https://github.com/psf/black\n  rev: {SHA}  # 24.3.0\n")
        );
    }

    #[test]
    fn update_moves_image_tag_and_refuses_arguments() {
        let d: Digest = format!("sha256:{}", "b".repeat(64)).parse().unwrap();
        let text = format!(
            "services:\n  a:\n    image: python:3.12.1-slim@sha256:{}\n",
            "c".repeat(64)
        );
        let out = rewrite(FileKind::Compose, &text, |_| Change::Image {
            tag: Some("3.12.4-slim".into()),
            digest: d.clone(),
        });
        assert_eq!(
            out,
            format!("services:\n  a:\n    image: python:3.12.4-slim@{d}\n")
        );
        let text = "ARG V=3.12\nFROM python:${V}\n";
        let r = &discover(FileKind::Dockerfile, text.as_bytes()).unwrap()[0];
        let e = edits(
            text,
            r,
            &Change::Image {
                tag: Some("3.13".into()),
                digest: d,
            },
        )
        .unwrap_err();
        assert_eq!(e, RewriteError::Argument);
    }

    #[test]
    fn no_span_and_overlap_errors() {
        let text = "image: {name: python:3.12}\n";
        let r = &discover(FileKind::GitlabCi, text.as_bytes()).unwrap()[0];
        let e = edits(
            text,
            r,
            &Change::Image {
                tag: None,
                digest: Digest::sha256(b"0"),
            },
        )
        .unwrap_err();
        assert!(matches!(e, RewriteError::NoSpan { line: 1 }), "{e}");
        let e = apply(
            "abc",
            &[
                Edit {
                    range: 0..2,
                    text: "x".into(),
                },
                Edit {
                    range: 1..3,
                    text: "y".into(),
                },
            ],
        );
        assert_eq!(e, Err(RewriteError::Overlap(1)));
    }

    #[test]
    fn diff_format() {
        assert_eq!(unified_diff("f", "a\n", "a\n"), "");
        let d = unified_diff("Dockerfile", "FROM a\n", "FROM a@sha256:1\n");
        assert_eq!(
            d,
            "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM a\n+FROM a@sha256:1\n"
        );
    }
}
