//! Offline findings for `vouch scan`: unpinned references, from discovery alone.

use vouch_report::{Finding, Location, RuleMeta, Severity};

use crate::pin;
use crate::walk::Tree;

/// Rule id of an unpinned reference.
pub const UNPINNED: &str = "unpinned-reference";

/// The rule's metadata, for SARIF.
pub fn rule() -> RuleMeta {
    RuleMeta::new(
        UNPINNED,
        "Image, action, include or hook referenced by a mutable tag or branch",
        Severity::Low,
    )
}

/// One finding per unpinned reference in `tree`, in path and line order. The fingerprint
/// survives line moves (file, rule and reference, not the line).
pub fn unpinned_findings(tree: &Tree) -> Vec<Finding> {
    let mut out = Vec::new();
    for file in &tree.files {
        for f in pin::unpinned(file) {
            out.push(
                Finding::new(UNPINNED, Severity::Low, f.message.clone())
                    .at(Location::new(f.file.clone()).line(f.line))
                    .remediation("run `vouch pin` to pin it to a digest or commit (docs/pin.md)")
                    .property("reference", f.reference.clone())
                    .fingerprint(fingerprint(&f.file, &f.reference)),
            );
        }
    }
    out
}

fn fingerprint(file: &str, reference: &str) -> String {
    // FNV-1a, 64 bit: stable across runs and platforms, no extra dependency.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in UNPINNED
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
}
