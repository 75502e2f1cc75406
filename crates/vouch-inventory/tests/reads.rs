//! Bounded reads in the inventory walker: a FIFO or device with a lockfile's name is a warning
//! for that file (refused before any byte is read), the rest of the tree is still inventoried,
//! and a file over the limit is skipped on the bytes read.

use vouch_inventory::walk::{Silent, WalkOptions, inventory};

const REQUIREMENTS: &str = "six==1.16.0\n";

#[test]
fn fifo_lockfile_is_a_warning_and_the_rest_is_inventoried() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("requirements.txt"), REQUIREMENTS).unwrap();
    std::fs::create_dir(d.path().join("app")).unwrap();
    vouch_test::mkfifo(&d.path().join("app/requirements.txt"));
    let inv = inventory(d.path(), "t", &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(inv.components.len(), 1);
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert_eq!(inv.warnings[0].path, "app/requirements.txt");
    assert_eq!(inv.warnings[0].message, "not a regular file (it is a FIFO)");
}

#[test]
fn lockfile_over_the_limit_is_skipped_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("requirements.txt"), REQUIREMENTS).unwrap();
    let options = WalkOptions {
        max_file_size: 4,
        ..WalkOptions::default()
    };
    let inv = inventory(d.path(), "t", &options, &Silent).unwrap();
    assert!(inv.components.is_empty());
    assert_eq!(inv.warnings.len(), 1);
    assert_eq!(inv.warnings[0].message, "skipped: over the 4-byte limit");
}

#[test]
fn malformed_requirement_warning_does_not_quote_the_line() {
    let d = tempfile::tempdir().unwrap();
    let token = format!("ghp_{}{}", "Zq8vN3kLp0Rt6Yw2", "Bx4Mc7Hd9Jf1Gs5Ua3Ke");
    std::fs::write(
        d.path().join("requirements.txt"),
        format!("six==1.16.0\n[{token}]==1\n"),
    )
    .unwrap();
    let inv = inventory(d.path(), "t", &WalkOptions::default(), &Silent).unwrap();
    let w = inv
        .warnings
        .iter()
        .find(|w| w.line == Some(2))
        .unwrap_or_else(|| panic!("{:?}", inv.warnings));
    assert!(
        w.message
            .ends_with("not a requirement: no valid project name"),
        "{}",
        w.message
    );
    assert!(inv.warnings.iter().all(|w| !w.message.contains(&token)));
}
