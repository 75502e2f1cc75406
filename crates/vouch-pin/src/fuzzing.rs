//! What the fuzz targets run (crates/vouch-pin/fuzz), shared with the test that replays saved
//! inputs (tests/fuzz_regressions.rs). Panics when an invariant breaks; that is the point.

use crate::discover::{detect, discover};
use crate::reference::{FileKind, Target};
use crate::rewrite::{Change, apply, edits};

/// Discover `bytes` as `kind`, check every span, rewrite every located reference.
pub fn discover_and_rewrite(kind: FileKind, bytes: &[u8]) {
    let _ = detect("x.yaml", bytes);
    let Ok(refs) = discover(kind, bytes) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        panic!("discovery accepted bytes that are not UTF-8");
    };
    let mut all = Vec::new();
    for r in &refs {
        let _ = (r.name(), r.display(), r.version(text), r.is_pinned());
        let Some(span) = &r.span else { continue };
        for offset in [span.value.start, span.value.end, span.insert_at] {
            assert!(
                text.is_char_boundary(offset),
                "span offset {offset} is not a character boundary"
            );
        }
        assert!(span.value.start <= span.value.end && span.value.end <= span.insert_at);
        if let Some(c) = &span.comment {
            assert!(text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
            assert!(c.start >= span.insert_at && c.end <= text.len());
        }
        let change = match &r.target {
            Target::Image(_) => Change::Image {
                tag: None,
                digest: vouch_digest::Digest::from_bytes(
                    vouch_digest::Algorithm::Sha256,
                    vec![0; 32],
                )
                .expect("32 bytes is a sha256 digest"),
            },
            Target::Git(_) => Change::Git {
                commit: "0".repeat(40),
                version: "v1.0.0".into(),
            },
            Target::Download(_) => crate::rewrite::Change::Download {
                digest: vouch_digest::Digest::from_bytes(
                    vouch_digest::Algorithm::Sha256,
                    vec![0; 32],
                )
                .expect("32 bytes is a sha256 digest"),
            },
            Target::Unpinnable(_) => continue,
        };
        if let Ok(e) = edits(text, r, &change) {
            all.extend(e);
        }
    }
    let out = match apply(text, &all) {
        Ok(out) => out,
        Err(e) => panic!("the rewrite of every located reference does not apply: {e}"),
    };
    // The rewritten text must still be discoverable as the same kind.
    if let Err(e) = discover(kind, out.as_bytes()) {
        panic!("the rewritten text is no longer a {kind} file: {e}");
    }
}

/// Release tags, interfaces and the lock on arbitrary bytes.
pub fn formats(bytes: &[u8]) {
    let _ = crate::interface::action(bytes);
    let _ = crate::interface::component(bytes);
    let _ = crate::interface::workflow(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = crate::lock::Lock::parse(s);
        let tags: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
        if let Some(first) = tags.first() {
            let _ = crate::version::candidates(first, &tags, true);
            let _ = crate::version::most_specific(first, &tags);
        }
    }
}
