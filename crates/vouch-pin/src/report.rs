//! Pinning findings as report findings: `vouch scan`'s offline ones (unpinned references, from
//! discovery alone) and `vouch pin --check`'s (also version comments that disagree).

use vouch_report::{Finding, Location, RuleMeta, Severity};

use crate::pin;
use crate::walk::Tree;

/// Rule id of an unpinned reference.
pub const UNPINNED: &str = "unpinned-reference";

/// Rule id of a version comment that disagrees with its pinned commit.
pub const COMMENT_MISMATCH: &str = "pin-comment-mismatch";

/// The rule's metadata, for SARIF.
pub fn rule() -> RuleMeta {
    let mut m = RuleMeta::new(
        UNPINNED,
        "Image, action, include or hook referenced by a mutable tag or branch",
        Severity::Low,
    );
    m.help_uri = Some(format!("docs/rules/{UNPINNED}.md"));
    m
}

/// Rule id of a download neither pinned nor checked ([`pin::DOWNLOAD_NOT_VERIFIED`]).
pub const DOWNLOAD: &str = pin::DOWNLOAD_NOT_VERIFIED;

/// The download rule's metadata, for SARIF.
pub fn download_rule() -> RuleMeta {
    let mut m = RuleMeta::new(
        DOWNLOAD,
        "File downloaded by URL (ADD, curl, wget) without a pinned or checked SHA-256",
        Severity::Medium,
    );
    m.help_uri = Some(format!("docs/rules/{DOWNLOAD}.md"));
    m
}

/// The rules of `vouch pin --check`, for SARIF.
pub fn check_rules() -> Vec<RuleMeta> {
    let mut mismatch = RuleMeta::new(
        COMMENT_MISMATCH,
        "A version comment disagrees with the pinned commit",
        Severity::Medium,
    );
    mismatch.help_uri = Some(format!("docs/rules/{COMMENT_MISMATCH}.md"));
    vec![mismatch, rule(), download_rule()]
}

/// A finding of [`pin::check_file`] or [`pin::unpinned`] as a report finding. The fingerprint
/// survives line moves (file, rule and reference, not the line).
pub fn finding(f: &pin::CheckFinding) -> Finding {
    let (severity, remediation) = if f.code == COMMENT_MISMATCH {
        (
            Severity::Medium,
            "correct the comment, or re-pin with `vouch pin` (`vouch explain pin-comment-mismatch`)",
        )
    } else if f.code == DOWNLOAD {
        (
            Severity::Medium,
            "run `vouch pin` to record it in sources.lock (and give an ADD its --checksum), or check it after downloading (`sha256sum -c`)",
        )
    } else {
        (
            Severity::Low,
            "run `vouch pin` to pin it to a digest or commit (docs/pin.md)",
        )
    };
    Finding::new(f.code, severity, f.message.clone())
        .at(Location::new(f.file.clone()).line(f.line))
        .remediation(remediation)
        .property("reference", f.reference.clone())
        .fingerprint(fingerprint(f.code, &f.file, &f.reference))
}

/// One finding per unpinned reference in `tree`, in path and line order.
pub fn unpinned_findings(tree: &Tree) -> Vec<Finding> {
    unpinned_findings_with(tree, &crate::sources::Sources::default())
}

/// [`unpinned_findings`], with the downloads `sources` records counted as pinned
/// ([`pin::unpinned_with`]).
pub fn unpinned_findings_with(tree: &Tree, sources: &crate::sources::Sources) -> Vec<Finding> {
    tree.files
        .iter()
        .flat_map(|f| pin::unpinned_with(f, sources))
        .map(|f| finding(&f))
        .collect()
}

fn fingerprint(rule: &str, file: &str, reference: &str) -> String {
    // FNV-1a, 64 bit: stable across runs and platforms, no extra dependency.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule
        .bytes()
        .chain([0])
        .chain(file.bytes())
        .chain([0])
        .chain(reference.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_for_unpinned_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            format!("FROM python:3.12\nFROM alpine@sha256:{}\n", "a".repeat(64)),
        )
        .unwrap();
        let tree = crate::walk::walk(dir.path());
        let f = unpinned_findings(&tree);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule_id, UNPINNED);
        assert_eq!(f[0].location.as_ref().unwrap().line, Some(1));
        assert_eq!(
            f[0].message,
            "image `python:3.12` is referenced by tag; a tag can be moved to other content"
        );
        assert_eq!(f[0].fingerprint, unpinned_findings(&tree)[0].fingerprint);
    }

    #[test]
    fn an_image_without_a_tag_is_not_said_to_have_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM python\n").unwrap();
        let f = unpinned_findings(&crate::walk::walk(dir.path()));
        assert_eq!(
            f[0].message,
            "image `python` has no tag or digest: it means `latest`, which moves with every release"
        );
    }
}
