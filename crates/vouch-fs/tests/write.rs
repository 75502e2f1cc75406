//! `vouch_fs::write`: one test per rule, asserting the exact variant or outcome. Everything
//! happens in temporary folders (the `/dev` cases run in `crates/vouch/tests/writes.rs`, in a
//! private mount namespace).

use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use vouch_fs::write::{
    Options, SpecialKind, WriteError, Written, clean_stale, is_temp_name, write, write_from,
};

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn creates_0644_and_secrets_0600() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("out.json");
    assert_eq!(
        write(&p, b"x", &Options::output()).unwrap(),
        Written::Created(p.clone())
    );
    assert_eq!(mode(&p), 0o644);
    let k = d.path().join("k.key");
    write(&k, b"secret", &Options::secret()).unwrap();
    assert_eq!(mode(&k), 0o600);
    // A looser existing key becomes 0600.
    set_mode(&k, 0o644);
    assert_eq!(
        write(&k, b"secret2", &Options::secret()).unwrap(),
        Written::Replaced(k.clone())
    );
    assert_eq!(mode(&k), 0o600);
    assert_eq!(names(d.path()), ["k.key", "out.json"]);
}

#[test]
fn streamed_content_lands_whole_or_not_at_all() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("sbom.json");
    let written = write_from(&p, &Options::output(), |out| {
        for i in 0..1000 {
            writeln!(out, "line {i}")?;
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(written, Written::Created(p.clone()));
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.lines().count(), 1000);
    assert!(text.ends_with("line 999\n"));
    // A producer that fails half-way leaves the old file as it was and no temporary file.
    let err = write_from(&p, &Options::output(), |out| {
        out.write_all(b"half")?;
        Err(std::io::Error::other("serializer failed"))
    })
    .unwrap_err();
    assert!(
        matches!(&err, WriteError::Io { source, .. } if source.to_string() == "serializer failed"),
        "{err:?}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
    assert_eq!(names(d.path()), ["sbom.json"]);
}

#[test]
fn replacing_keeps_the_mode_and_drops_set_id_bits() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("Dockerfile");
    std::fs::write(&p, "old").unwrap();
    set_mode(&p, 0o640);
    write(&p, b"new", &Options::rewrite()).unwrap();
    assert_eq!(mode(&p), 0o640);
    assert_eq!(std::fs::read(&p).unwrap(), b"new");
    set_mode(&p, 0o4755);
    write(&p, b"newer", &Options::rewrite()).unwrap();
    assert_eq!(mode(&p), 0o755);
}

#[test]
fn read_only_files_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("ro");
    std::fs::write(&p, "keep").unwrap();
    set_mode(&p, 0o444);
    let err = write(&p, b"new", &Options::rewrite()).unwrap_err();
    assert!(
        matches!(&err, WriteError::ReadOnly { path, mode: 0o444 } if *path == p),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} is read-only (mode 0444); vouch does not replace a file without a write bit",
            p.display()
        )
    );
    assert_eq!(std::fs::read(&p).unwrap(), b"keep");
    // One write bit anywhere is enough.
    set_mode(&p, 0o404);
    assert!(matches!(
        write(&p, b"new", &Options::rewrite()),
        Err(WriteError::ReadOnly { .. })
    ));
    set_mode(&p, 0o464);
    write(&p, b"new", &Options::rewrite()).unwrap();
    assert_eq!(mode(&p), 0o464);
}

#[test]
fn links_are_followed_and_kept() {
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("target");
    std::fs::write(&target, "old").unwrap();
    set_mode(&target, 0o600);
    let l1 = d.path().join("l1");
    let l2 = d.path().join("l2");
    std::os::unix::fs::symlink("target", &l1).unwrap();
    std::os::unix::fs::symlink(&l1, &l2).unwrap();
    assert_eq!(
        write(&l2, b"new", &Options::output()).unwrap(),
        Written::Replaced(target.clone())
    );
    assert!(std::fs::symlink_metadata(&l1).unwrap().is_symlink());
    assert!(std::fs::symlink_metadata(&l2).unwrap().is_symlink());
    assert_eq!(std::fs::read(&target).unwrap(), b"new");
    assert_eq!(mode(&target), 0o600);

    let dangling = d.path().join("dangling");
    std::os::unix::fs::symlink("created", &dangling).unwrap();
    assert_eq!(
        write(&dangling, b"x", &Options::output()).unwrap(),
        Written::Created(d.path().join("created"))
    );

    let a = d.path().join("a");
    let b = d.path().join("b");
    std::os::unix::fs::symlink("b", &a).unwrap();
    std::os::unix::fs::symlink("a", &b).unwrap();
    assert!(matches!(
        write(&a, b"x", &Options::output()),
        Err(WriteError::SymlinkLoop { path }) if path == a
    ));
}

#[test]
fn fifos_are_written_through_or_refused() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("fifo");
    vouch_test::mkfifo(&fifo);
    let err = write(&fifo, b"x", &Options::rewrite()).unwrap_err();
    assert!(
        matches!(
            &err,
            WriteError::NotRegular {
                found: SpecialKind::Fifo,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a FIFO, not a regular file; vouch does not write to it",
            fifo.display()
        )
    );
    assert!(matches!(
        write(&fifo, b"x", &Options::secret()),
        Err(WriteError::NotRegular { .. })
    ));
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    assert_eq!(
        write(&fifo, b"through", &Options::output()).unwrap(),
        Written::Through(fifo.clone())
    );
    assert_eq!(reader.join().unwrap(), b"through");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn directories_and_no_clobber() {
    let d = tempfile::tempdir().unwrap();
    assert!(matches!(
        write(d.path(), b"x", &Options::output()),
        Err(WriteError::Directory { path }) if path == d.path()
    ));
    let p = d.path().join("k");
    write(&p, b"1", &Options::secret().overwrite(false)).unwrap();
    let err = write(&p, b"2", &Options::secret().overwrite(false)).unwrap_err();
    assert!(
        matches!(&err, WriteError::Exists { path } if *path == p),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&p).unwrap(), b"1");
}

#[test]
fn a_missing_folder_is_an_io_error_naming_it() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("missing");
    let err = write(&dir.join("f"), b"x", &Options::output()).unwrap_err();
    assert!(
        matches!(&err, WriteError::Io { path, .. } if *path == dir),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("cannot create a temporary file in {}", dir.display())
    );
}

/// A process id that is not running now.
fn dead_pid() -> u32 {
    (100_000..4_000_000)
        .rev()
        .step_by(7919)
        .find(|p| !Path::new(&format!("/proc/{p}")).exists())
        .expect("a free process id")
}

#[test]
fn only_stale_temporary_files_of_vouch_are_removed() {
    let d = tempfile::tempdir().unwrap();
    let dead = dead_pid();
    let live = std::process::id();
    let stale = format!(".Dockerfile.vouch-tmp-{dead}-abc123");
    let keep = [
        format!(".Dockerfile.vouch-tmp-{live}-abc123"),
        format!(".Dockerfile.vouch-tmp-{dead}-abc12"),
        format!(".Dockerfile.vouch-tmp-{dead}-abc1234"),
        format!("Dockerfile.vouch-tmp-{dead}-abc123"),
        ".Dockerfile.tmp12345".to_owned(),
        "Dockerfile".to_owned(),
    ];
    for n in keep.iter().chain([&stale]) {
        std::fs::write(d.path().join(n), "x").unwrap();
    }
    // A directory with a matching name is not a file vouch made.
    let stale_dir = format!(".x.vouch-tmp-{dead}-abc123");
    std::fs::create_dir(d.path().join(&stale_dir)).unwrap();
    assert!(is_temp_name(&stale));
    assert!(!is_temp_name("Dockerfile"));
    assert_eq!(clean_stale(d.path()).unwrap(), vec![d.path().join(&stale)]);
    let mut expected: Vec<String> = keep.to_vec();
    expected.push(stale_dir);
    expected.sort();
    assert_eq!(names(d.path()), expected);
    // A write cleans the target's folder too.
    std::fs::write(d.path().join(&stale), "x").unwrap();
    write(&d.path().join("Dockerfile"), b"y", &Options::rewrite()).unwrap();
    assert!(!d.path().join(&stale).exists());
}

#[test]
fn temporary_files_are_named_for_their_target() {
    // A write that fails after creating its temporary file leaves nothing behind, and the
    // temporary name is recognised by `is_temp_name`.
    let name = format!(".Dockerfile.vouch-tmp-{}-aB3xY9", std::process::id());
    assert!(is_temp_name(&name));
    let d = tempfile::tempdir().unwrap();
    let p: PathBuf = d.path().join("Dockerfile");
    write(&p, b"x", &Options::rewrite()).unwrap();
    assert_eq!(names(d.path()), ["Dockerfile"]);
}
