//! Suppressions: inline `# vouch:ignore RULE-ID reason` comments and the ignore file
//! (`.vouch/ignore.toml`), with mandatory reasons and expiry dates.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use vouch_report::Suppression;
use vouch_report::ignore::Target;

pub use vouch_report::{Date, DateError};

/// An inline suppression for `rule_id` at `line` (1-based) of `text`, if any: a
/// `vouch:ignore <RULE-ID> <reason>` comment on that line or the line above.
pub fn inline(text: &str, line: u32, rule_id: &str) -> Option<Suppression> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = text
        .lines()
        .skip(idx.saturating_sub(1))
        .take(if idx == 0 { 1 } else { 2 })
        .collect();
    for l in lines {
        let Some(pos) = l.find("vouch:ignore") else {
            continue;
        };
        let rest = l[pos + "vouch:ignore".len()..].trim();
        let (id, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if id == rule_id {
            return Some(Suppression {
                kind: "inline".into(),
                reason: if reason.trim().is_empty() {
                    "no reason given".into()
                } else {
                    reason.trim().to_owned()
                },
            });
        }
    }
    None
}

/// Peer rules whose meaning a vouch rule has, so that their ignore pragmas carry over
/// (docs/check.md#peer-pragmas): `(peer rule id, vouch rule id)`. A peer rule not listed here
/// suppresses nothing.
pub const HADOLINT_RULES: &[(&str, &str)] = &[
    ("DL3002", "dockerfile-user-root"),
    ("DL3006", "dockerfile-latest-tag"),
    ("DL3007", "dockerfile-latest-tag"),
    ("DL3008", "dockerfile-unpinned-packages"),
    ("DL3013", "dockerfile-unpinned-packages"),
    ("DL3016", "dockerfile-unpinned-packages"),
    ("DL3018", "dockerfile-unpinned-packages"),
    ("DL3028", "dockerfile-unpinned-packages"),
    ("DL3033", "dockerfile-unpinned-packages"),
    ("DL3037", "dockerfile-unpinned-packages"),
    ("DL3041", "dockerfile-unpinned-packages"),
];

/// checkov checks → vouch rules (see [`HADOLINT_RULES`]).
pub const CHECKOV_RULES: &[(&str, &str)] = &[
    ("CKV_DOCKER_3", "dockerfile-user-root"),
    ("CKV_DOCKER_4", "dockerfile-add-remote-url"),
    ("CKV_DOCKER_7", "dockerfile-latest-tag"),
    ("CKV_DOCKER_8", "dockerfile-user-root"),
    ("CKV_K8S_6", "workload-run-as-root"),
    ("CKV_K8S_11", "workload-no-resource-limits"),
    ("CKV_K8S_13", "workload-no-resource-limits"),
    ("CKV_K8S_14", "workload-latest-tag"),
    ("CKV_K8S_16", "workload-privileged"),
    ("CKV_K8S_17", "workload-host-namespace"),
    ("CKV_K8S_18", "workload-host-namespace"),
    ("CKV_K8S_19", "workload-host-namespace"),
    ("CKV_K8S_20", "workload-privilege-escalation"),
    ("CKV_K8S_23", "workload-run-as-root"),
    ("CKV_K8S_43", "workload-image-not-pinned"),
    ("CKV_GHA_2", "github-script-injection"),
    ("CKV2_GHA_1", "github-excessive-permissions"),
];

/// Trivy misconfiguration ids (AVD form) → vouch rules (see [`HADOLINT_RULES`]).
pub const TRIVY_RULES: &[(&str, &str)] = &[
    ("AVD-DS-0001", "dockerfile-latest-tag"),
    ("AVD-DS-0002", "dockerfile-user-root"),
    ("AVD-DS-0005", "dockerfile-add-remote-url"),
    // Trivy runs its Dockerfile checks on an image's config and history too
    // (`trivy image --image-config-scanners misconfig`).
    ("AVD-DS-0002", "image-runs-as-root"),
    ("AVD-DS-0005", "image-add-remote-url"),
    ("AVD-KSV-0001", "workload-privilege-escalation"),
    ("AVD-KSV-0008", "workload-host-namespace"),
    ("AVD-KSV-0009", "workload-host-namespace"),
    ("AVD-KSV-0010", "workload-host-namespace"),
    ("AVD-KSV-0011", "workload-no-resource-limits"),
    ("AVD-KSV-0012", "workload-run-as-root"),
    ("AVD-KSV-0013", "workload-latest-tag"),
    ("AVD-KSV-0017", "workload-privileged"),
    ("AVD-KSV-0018", "workload-no-resource-limits"),
    ("AVD-KSV-0023", "workload-host-path"),
];

fn maps(table: &[(&str, &str)], peer: &str, rule_id: &str) -> bool {
    table.iter().any(|(p, r)| *p == peer && *r == rule_id)
}

/// Trivy's short ids (`DS001`, `KSV012`) in the AVD form (`AVD-DS-0001`, `AVD-KSV-0012`).
pub fn trivy_avd(id: &str) -> String {
    let id = id.trim();
    if id.starts_with("AVD-") {
        return id.to_owned();
    }
    let split = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    let (letters, digits) = id.split_at(split);
    match digits.parse::<u32>() {
        Ok(n) if !letters.is_empty() => format!("AVD-{letters}-{n:04}"),
        _ => id.to_owned(),
    }
}

fn suppression(kind: &str, reason: String) -> Suppression {
    Suppression {
        kind: kind.into(),
        reason,
    }
}

/// A peer tool's ignore pragma for `rule_id` at `line` of `text`, when it names a peer rule
/// that maps to `rule_id`:
///
/// - `# hadolint ignore=DL3006,DL3008` on the line above (or the line itself), and
///   `# hadolint global ignore=…` anywhere in the file;
/// - `#checkov:skip=CKV_DOCKER_7:reason` on the line or the line above; in a Dockerfile anywhere
///   in the file, as checkov reads Dockerfiles;
/// - `# trivy:ignore:AVD-DS-0001` (or `DS001`) on the line or the line above, with an optional
///   `:exp:YYYY-MM-DD` after which it no longer applies.
pub fn peer(
    text: &str,
    line: u32,
    rule_id: &str,
    whole_file_checkov: bool,
    today: Date,
) -> Option<Suppression> {
    let idx = usize::try_from(line).ok()?.checked_sub(1)?;
    let near = |n: usize| n == idx || n + 1 == idx;
    for (n, l) in text.lines().enumerate() {
        let Some(hash) = l.find('#') else { continue };
        let comment = l[hash + 1..].trim();
        if let Some(rest) = comment.strip_prefix("hadolint") {
            let rest = rest.trim_start();
            let (global, rest) = match rest.strip_prefix("global") {
                Some(r) => (true, r.trim_start()),
                None => (false, rest),
            };
            let Some(ids) = rest.strip_prefix("ignore=") else {
                continue;
            };
            if !(global || near(n)) {
                continue;
            }
            let ids = ids.split_whitespace().next().unwrap_or("");
            if let Some(id) = ids
                .split(',')
                .map(str::trim)
                .find(|id| maps(HADOLINT_RULES, id, rule_id))
            {
                return Some(suppression(
                    "hadolint",
                    format!(
                        "`# hadolint {}ignore={ids}` ({id} is {rule_id})",
                        if global { "global " } else { "" }
                    ),
                ));
            }
        } else if let Some(rest) = comment.strip_prefix("checkov:skip=") {
            if !(whole_file_checkov || near(n)) {
                continue;
            }
            let (id, reason) = rest.split_once(':').unwrap_or((rest, ""));
            let id = id.trim();
            if maps(CHECKOV_RULES, id, rule_id) {
                let reason = reason.trim();
                return Some(suppression(
                    "checkov",
                    if reason.is_empty() {
                        format!("`#checkov:skip={id}` ({id} is {rule_id}), no reason given")
                    } else {
                        format!("`#checkov:skip={id}` ({id} is {rule_id}): {reason}")
                    },
                ));
            }
        } else if comment.starts_with("trivy:ignore:") {
            if !near(n) {
                continue;
            }
            // `#trivy:ignore:AVD-GCP-0051 trivy:ignore:AVD-GCP-0053`: several on one comment
            for written in comment
                .split_whitespace()
                .filter_map(|w| w.strip_prefix("trivy:ignore:"))
            {
                let (id, expiry) = match written.split_once(":exp:") {
                    Some((id, exp)) => (id, exp.parse::<Date>().ok()),
                    None => (written, None),
                };
                let avd = trivy_avd(id);
                let mapped = if id == "*" {
                    TRIVY_RULES.iter().any(|(_, r)| *r == rule_id)
                } else {
                    maps(TRIVY_RULES, &avd, rule_id)
                };
                if mapped && expiry.is_none_or(|e| e >= today) {
                    return Some(suppression(
                        "trivy",
                        if id == "*" {
                            format!(
                                "`# trivy:ignore:{written}` (every Trivy check, {rule_id} among them)"
                            )
                        } else {
                            format!("`# trivy:ignore:{written}` ({avd} is {rule_id})")
                        },
                    ));
                }
            }
        }
    }
    None
}

/// A `.trivyignore` file: one Trivy id per line (`AVD-DS-0001`, `DS001`), `#` comments, an
/// optional ` exp:YYYY-MM-DD` after which the line no longer applies. Ids of vulnerabilities
/// and secrets are kept but map to no vouch configuration rule.
#[derive(Debug, Clone, Default)]
pub struct TrivyIgnore {
    /// Path shown in suppressions.
    pub path: String,
    /// `(AVD id, as written, expiry, line)`.
    entries: Vec<(String, String, Option<Date>, u32)>,
}

impl TrivyIgnore {
    /// Parse the text of a `.trivyignore`.
    pub fn parse(text: &str, path: &str) -> Self {
        let mut entries = Vec::new();
        for (n, l) in text.lines().enumerate() {
            let l = l.split('#').next().unwrap_or("").trim();
            let mut words = l.split_whitespace();
            let Some(id) = words.next() else { continue };
            let expiry = words
                .find_map(|w| w.strip_prefix("exp:"))
                .and_then(|d| d.parse::<Date>().ok());
            entries.push((
                trivy_avd(id),
                id.to_owned(),
                expiry,
                u32::try_from(n + 1).unwrap_or(u32::MAX),
            ));
        }
        Self {
            path: path.to_owned(),
            entries,
        }
    }

    /// The entry that suppresses `rule_id` today, if any.
    pub fn matching(&self, rule_id: &str, today: Date) -> Option<Suppression> {
        self.entries
            .iter()
            .find(|(avd, _, exp, _)| {
                maps(TRIVY_RULES, avd, rule_id) && exp.is_none_or(|e| e >= today)
            })
            .map(|(avd, written, _, line)| {
                suppression(
                    "trivyignore",
                    format!("{}:{line} `{written}` ({avd} is {rule_id})", self.path),
                )
            })
    }
}

/// One validated ignore entry.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    pub rule: String,
    pub path: Option<String>,
    matcher: Option<GlobMatcher>,
    pub reason: String,
    pub expires: Date,
    /// Line of the entry's `[[ignore]]` header in the ignore file.
    pub line: u32,
}

impl IgnoreEntry {
    /// Whether this entry names `rule_id` (or `*`) and, with a `path`, matches `path`;
    /// expiry is not looked at.
    pub fn matches(&self, rule_id: &str, path: &str) -> bool {
        (self.rule == rule_id || self.rule == "*")
            && self.matcher.as_ref().is_none_or(|m| m.is_match(path))
    }
}

/// The ignore file, validated.
#[derive(Debug, Clone, Default)]
pub struct IgnoreFile {
    pub path: String,
    pub entries: Vec<IgnoreEntry>,
}

/// Why an ignore file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreFileError {
    #[error("could not read ignore file {path}")]
    Read {
        path: String,
        #[source]
        source: vouch_fs::read::ReadError,
    },
    /// The shared schema (vouch_report::ignore) rejected the file; secret-looking values the
    /// parser's message quotes are redacted.
    #[error("{}", vouch_secrets::redact(&.0.to_string()))]
    Invalid(vouch_report::ignore::IgnoreError),
    #[error("ignore file {path}, entry {index}: {message}")]
    Entry {
        path: String,
        index: usize,
        message: String,
    },
}

/// Largest ignore file read (8 MiB).
pub const MAX_IGNORE_FILE_LEN: u64 = 8 * 1024 * 1024;

impl IgnoreFile {
    /// Read and validate `path` (a regular file of at most [`MAX_IGNORE_FILE_LEN`] bytes); a
    /// missing file is an empty ignore list. With `root` (the repository's own ignore file),
    /// a path that resolves outside `root` is refused.
    pub fn load(path: &Path, shown: &str, root: Option<&Path>) -> Result<Self, IgnoreFileError> {
        if path.symlink_metadata().is_err() {
            return Ok(Self {
                path: shown.to_owned(),
                entries: Vec::new(),
            });
        }
        let text = match root {
            Some(root) => vouch_fs::read::read_to_string_in_root(root, path, MAX_IGNORE_FILE_LEN),
            None => vouch_fs::read::read_to_string(path, MAX_IGNORE_FILE_LEN),
        }
        .map_err(|source| IgnoreFileError::Read {
            path: shown.to_owned(),
            source,
        })?;
        Self::parse(&text, shown)
    }

    /// Validate the text of an ignore file (the one schema of `vouch_report::ignore`) and keep
    /// its `rule` entries; `id` entries (advisories) are for `vouch vulns` and `vouch scan`.
    pub fn parse(text: &str, shown: &str) -> Result<Self, IgnoreFileError> {
        let file = vouch_report::ignore::IgnoreFile::parse(text, shown)
            .map_err(IgnoreFileError::Invalid)?;
        let mut entries = Vec::new();
        for e in file.entries {
            let Target::Rule { rule, path } = e.target else {
                continue;
            };
            let matcher = match &path {
                Some(p) => Some(
                    Glob::new(p)
                        .map_err(|err| IgnoreFileError::Entry {
                            path: shown.to_owned(),
                            index: e.index,
                            message: format!("bad path glob: {err}"),
                        })?
                        .compile_matcher(),
                ),
                None => None,
            };
            entries.push(IgnoreEntry {
                rule,
                path,
                matcher,
                reason: e.reason,
                expires: e.expires,
                line: e.line,
            });
        }
        Ok(Self {
            path: shown.to_owned(),
            entries,
        })
    }

    /// The first unexpired entry that matches `rule_id` at `path`.
    pub fn matching(&self, rule_id: &str, path: &str, today: Date) -> Option<&IgnoreEntry> {
        self.entries
            .iter()
            .find(|e| e.expires >= today && e.matches(rule_id, path))
    }

    /// Entries whose expiry date is before `today`.
    pub fn expired(&self, today: Date) -> impl Iterator<Item = &IgnoreEntry> {
        self.entries.iter().filter(move |e| e.expires < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_on_line_or_above() {
        let t = "a\n# vouch:ignore r1 vendored base\nb # vouch:ignore r2\n";
        assert_eq!(
            inline(t, 3, "r1").map(|s| s.reason),
            Some("vendored base".into())
        );
        assert_eq!(
            inline(t, 3, "r2").map(|s| s.reason),
            Some("no reason given".into())
        );
        assert!(inline(t, 1, "r1").is_none());
    }
}

/// dockle's checkpoint codes with a vouch image rule of the same meaning.
pub const DOCKLE_RULES: &[(&str, &str)] = &[
    ("CIS-DI-0001", "image-runs-as-root"),
    ("CIS-DI-0008", "image-setuid-file"),
    ("CIS-DI-0010", "image-secret-in-env"),
];

/// dockle's ignore file (`.dockleignore` at the root, read by image checks): one checkpoint
/// code per line (`CIS-DI-0001`), `#` comments. Codes with no vouch rule suppress nothing.
#[derive(Debug, Clone, Default)]
pub struct DockleIgnore {
    /// Path shown in suppressions.
    pub path: String,
    /// `(code, line)`.
    entries: Vec<(String, u32)>,
}

impl DockleIgnore {
    /// Parse the text of a `.dockleignore`.
    pub fn parse(text: &str, path: &str) -> Self {
        let entries = text
            .lines()
            .enumerate()
            .filter_map(|(n, l)| {
                let code = l.split('#').next().unwrap_or("").trim();
                (!code.is_empty()).then(|| {
                    (
                        code.to_ascii_uppercase(),
                        u32::try_from(n + 1).unwrap_or(u32::MAX),
                    )
                })
            })
            .collect();
        Self {
            path: path.to_owned(),
            entries,
        }
    }

    /// The entry that suppresses `rule_id`, if any.
    pub fn matching(&self, rule_id: &str) -> Option<Suppression> {
        self.entries
            .iter()
            .find(|(code, _)| maps(DOCKLE_RULES, code, rule_id))
            .map(|(code, line)| {
                suppression(
                    "dockleignore",
                    format!("{}:{line} `{code}` ({code} is {rule_id})", self.path),
                )
            })
    }
}
