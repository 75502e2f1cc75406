//! Every file vouch writes goes through `vouch_fs::write` (issue #12 §2): devices and FIFOs are
//! written through (never replaced), symbolic links are followed and kept, modes and owners are
//! kept, new files are 0644 and keys 0600, read-only files are refused, stale temporary files
//! are cleaned; and a closed stdout or stderr is exit 2, never a panic.
//!
//! The `/dev/*` cases run inside a private mount namespace (`unshare -m`) with a tmpfs holding
//! `mknod`-made `null`, `full` and `zero` bind-mounted over `/dev`: no test touches the real
//! `/dev`. When `unshare` is not permitted, that test fails and says so.

use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use vouch_test::forge::Forge;

mod common;

use common::{assert_exit, vouch, write};

const VOUCH: &str = env!("CARGO_BIN_EXE_vouch");

fn source() -> tempfile::TempDir {
    common::dir_with(&[("requirements.txt", "requests==2.31.0\n")])
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

/// `vouch sbom SRC -o OUT`.
fn sbom_to(src: &Path, out: &Path) -> std::process::Output {
    vouch()
        .args(["sbom"])
        .arg(src)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    let d = tempfile::tempdir().unwrap();
    std::fs::metadata(d.path()).unwrap().uid() == 0
}

#[test]
fn dev_null_full_and_stdout_are_written_through_in_a_private_mount_namespace() {
    let src = source();
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    std::fs::create_dir(dir.join("fakedev")).unwrap();
    // Every step before the first vouch run checks itself and exits 97; vouch only runs once
    // /dev is the fake one (the marker file is there).
    let script = r#"
set -u
D=$1; V=$2; SRC=$3
mount -t tmpfs -o mode=755 tmpfs "$D/fakedev" || exit 97
mknod -m 666 "$D/fakedev/null" c 1 3 || exit 97
mknod -m 666 "$D/fakedev/full" c 1 7 || exit 97
mknod -m 666 "$D/fakedev/zero" c 1 5 || exit 97
ln -s /proc/self/fd/1 "$D/fakedev/stdout" || exit 97
touch "$D/fakedev/.vouch-test-fake-dev" || exit 97
mount --bind "$D/fakedev" /dev || exit 97
[ -f /dev/.vouch-test-fake-dev ] || exit 97
"$V" sbom "$SRC" -o /dev/null >"$D/null.out" 2>"$D/null.err"; echo "sbom-null $?"
stat -c 'null %F %a' /dev/null
"$V" secrets "$SRC" -o /dev/null >"$D/secrets.out" 2>"$D/secrets.err"; echo "secrets-null $?"
"$V" key generate --output-prefix "$D/signer" 2>"$D/key.err"; echo "key $?"
"$V" sign "$SRC/requirements.txt" --key "$D/signer.key" -o /dev/null 2>"$D/sign.err"; echo "sign-null $?"
"$V" sbom "$SRC" -o /dev/full >"$D/full.out" 2>"$D/full.err"; echo "sbom-full $?"
stat -c 'full %F %a' /dev/full
"$V" sbom "$SRC" >/dev/full 2>"$D/stdout-full.err"; echo "stdout-full $?"
"$V" check --list-rules >/dev/full 2>"$D/println-full.err"; echo "println-full $?"
{ "$V" sbom "$SRC" -o /dev/stdout 2>"$D/pipe.err"; echo "sbom-stdout-pipe $?" >"$D/pipe.rc"; } | cat >"$D/pipe.json"
cat "$D/pipe.rc"
stat -c 'stdout %F' /dev/stdout
echo '{}' >"$D/redirected.json"
"$V" sbom "$SRC" -o /dev/stdout >"$D/redirected.json" 2>"$D/redirected.err"; echo "sbom-stdout-file $?"
stat -c 'stdout %F' /dev/stdout
ls -A /dev | tr '\n' ' '; echo
"#;
    let out = StdCommand::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", script, "sh"])
        .arg(dir)
        .arg(VOUCH)
        .arg(src.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("VOUCH_PASSWORD", "pw")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot start `unshare`: {e}; this test needs util-linux and root and FAILS without them")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "`unshare -m` with a tmpfs over /dev is not permitted here, so the /dev cases could not \
         run; this test FAILS rather than pass without them.\nstdout: {stdout}\nstderr: {}",
        stderr(&out)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(
        lines,
        [
            "sbom-null 0",
            "null character special file 666",
            "secrets-null 0",
            "key 0",
            "sign-null 0",
            "sbom-full 2",
            "full character special file 666",
            "stdout-full 2",
            "println-full 2",
            "sbom-stdout-pipe 0",
            "stdout symbolic link",
            "sbom-stdout-file 0",
            "stdout symbolic link",
            // Nothing left in /dev: no temporary file, no replaced node.
            ".vouch-test-fake-dev full null stdout zero ",
        ],
        "null: {}\nsign: {}\nfull: {}",
        read("null.err"),
        read("sign.err"),
        read("full.err")
    );
    assert_eq!(
        read("full.err"),
        "error: cannot write /dev/full: no space left on the device\n  caused by: No space left on device (os error 28)\n"
    );
    assert_eq!(
        read("stdout-full.err"),
        "error: cannot write to stdout\n  caused by: No space left on device (os error 28)\n"
    );
    assert_eq!(
        read("println-full.err"),
        "error: cannot write to stdout: No space left on device (os error 28)\n"
    );
    // Through a pipe: the SBOM arrived on the other end.
    let piped = common::json(read("pipe.json").as_bytes());
    assert_eq!(piped["bomFormat"], "CycloneDX");
    // Through /dev/stdout redirected to a regular file: that file (the link's final target)
    // holds the SBOM.
    let redirected = common::json(read("redirected.json").as_bytes());
    assert_eq!(redirected["bomFormat"], "CycloneDX");
    // The real /dev was never touched (only looked at).
    let real = std::fs::metadata("/dev/null").unwrap();
    assert!(real.file_type().is_char_device());
}

#[test]
fn new_files_are_0644_existing_files_keep_mode_and_owner() {
    let src = source();
    let d = tempfile::tempdir().unwrap();
    let new = d.path().join("sbom.json");
    let out = sbom_to(src.path(), &new);
    assert_exit(&out, 0);
    assert_eq!(mode(&new), 0o644);
    assert!(std::fs::symlink_metadata(&new).unwrap().is_file());

    let existing = d.path().join("existing.json");
    std::fs::write(&existing, "old\n").unwrap();
    set_mode(&existing, 0o640);
    let root = is_root();
    if root {
        std::os::unix::fs::chown(&existing, Some(1234), Some(4321)).unwrap();
    }
    let out = sbom_to(src.path(), &existing);
    assert_exit(&out, 0);
    assert_eq!(mode(&existing), 0o640);
    assert_eq!(
        common::json(&std::fs::read(&existing).unwrap())["bomFormat"],
        "CycloneDX"
    );
    if root {
        let m = std::fs::metadata(&existing).unwrap();
        assert_eq!((m.uid(), m.gid()), (1234, 4321));
    }
    assert_eq!(leftovers(d.path()), Vec::<String>::new());
}

/// Names in `dir` that look like vouch's temporary files.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".vouch-tmp-"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_symlink_is_kept_and_its_target_replaced() {
    let src = source();
    let d = tempfile::tempdir().unwrap();
    let real_dir = d.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("target.json");
    std::fs::write(&target, "old\n").unwrap();
    set_mode(&target, 0o640);
    let link = d.path().join("out.json");
    std::os::unix::fs::symlink("real/target.json", &link).unwrap();
    let out = sbom_to(src.path(), &link);
    assert_exit(&out, 0);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("real/target.json")
    );
    assert_eq!(mode(&target), 0o640);
    assert_eq!(
        common::json(&std::fs::read(&target).unwrap())["bomFormat"],
        "CycloneDX"
    );

    // A dangling link: its target is created (0644), the link stays.
    let dangling = d.path().join("dangling.json");
    std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
    let out = sbom_to(src.path(), &dangling);
    assert_exit(&out, 0);
    assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
    assert_eq!(mode(&real_dir.join("new.json")), 0o644);
    assert_eq!(leftovers(d.path()), Vec::<String>::new());
    assert_eq!(leftovers(&real_dir), Vec::<String>::new());
}

#[test]
fn read_only_files_and_directories_are_refused() {
    let src = source();
    let d = tempfile::tempdir().unwrap();
    let ro = d.path().join("ro.json");
    std::fs::write(&ro, "keep\n").unwrap();
    set_mode(&ro, 0o444);
    let out = sbom_to(src.path(), &ro);
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is read-only (mode 0444); vouch does not replace a file without a write bit\n",
            ro.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), "keep\n");

    let out = sbom_to(src.path(), d.path());
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!("error: {} is a directory, not a file\n", d.path().display())
    );
}

#[test]
fn a_fifo_is_written_through_for_results_and_refused_for_keys() {
    let src = source();
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("pipe");
    vouch_test::mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = sbom_to(src.path(), &fifo);
    assert_exit(&out, 0);
    let got = reader.join().unwrap();
    assert_eq!(common::json(&got)["bomFormat"], "CycloneDX");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A private key is never written through a FIFO (nor anything but a regular file).
    let key = d.path().join("k.key");
    vouch_test::mkfifo(&key);
    let out = vouch()
        .env("VOUCH_PASSWORD", "pw")
        .args(["key", "generate", "--force", "--output-prefix"])
        .arg(d.path().join("k"))
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is a FIFO, not a regular file; vouch does not write to it\n",
            key.display()
        )
    );
    assert!(
        std::fs::symlink_metadata(&key)
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[test]
fn keys_are_0600_also_over_a_looser_file() {
    let d = tempfile::tempdir().unwrap();
    let prefix = d.path().join("signer");
    let out = vouch()
        .env("VOUCH_PASSWORD", "pw")
        .args(["key", "generate", "--output-prefix"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(mode(&d.path().join("signer.key")), 0o600);
    assert_eq!(mode(&d.path().join("signer.pub")), 0o644);

    set_mode(&d.path().join("signer.key"), 0o644);
    let out = vouch()
        .env("VOUCH_PASSWORD", "pw")
        .args(["key", "generate", "--force", "--output-prefix"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(mode(&d.path().join("signer.key")), 0o600);
    assert_eq!(leftovers(d.path()), Vec::<String>::new());
}

#[test]
fn pin_refuses_a_read_only_file_and_still_pins_the_others() {
    let forge = Forge::new();
    forge.release(
        "acme/tool",
        "v1.0.0",
        &[("action.yml", "name: t\n")],
        "2026-09-01T00:00:00Z",
        false,
    );
    let d = tempfile::tempdir().unwrap();
    let text = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/tool@v1.0.0\n";
    write(d.path(), ".github/workflows/ro.yml", text);
    write(d.path(), ".github/workflows/rw.yml", text);
    let ro = d.path().join(".github/workflows/ro.yml");
    set_mode(&ro, 0o444);
    let out = vouch()
        .current_dir(d.path())
        .args(["pin", ".", "--github-url", &forge.file_url()])
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error[pin-cannot-write]: {} is read-only (mode 0444); vouch does not replace a file without a write bit; file left unchanged\n",
            Path::new(".").join(".github/workflows/ro.yml").display()
        )),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), text);
    assert_eq!(mode(&ro), 0o444);
    let rw = std::fs::read_to_string(d.path().join(".github/workflows/rw.yml")).unwrap();
    assert!(rw.contains("uses: acme/tool@"), "{rw}");
    assert_ne!(rw, text);
    // The lock records only what was written.
    let lock = std::fs::read_to_string(d.path().join("vouch.lock")).unwrap();
    assert!(lock.contains("rw.yml"), "{lock}");
    assert!(!lock.contains("ro.yml"), "{lock}");
    assert_eq!(
        leftovers(&d.path().join(".github/workflows")),
        Vec::<String>::new()
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
fn pin_removes_its_own_stale_temporary_files_and_nothing_else() {
    let d = tempfile::tempdir().unwrap();
    let pinned = format!("FROM alpine:3.19@sha256:{}\n", "a".repeat(64));
    write(d.path(), "Dockerfile", &pinned);
    let dead = dead_pid();
    let live = std::process::id();
    let stale = format!(".Dockerfile.vouch-tmp-{dead}-aB3xY9");
    let lock_stale = format!(".vouch.lock.vouch-tmp-{dead}-Zz0Zz0");
    // vouch's own (a dead process's and a running one's) hold unpinned text: if one were read
    // as a Dockerfile, `--check` would report it. The others are not vouch's: they are walked
    // like any Dockerfile (so they hold pinned text) and never removed.
    let live_temp = format!(".Dockerfile.vouch-tmp-{live}-aB3xY9");
    for name in [&stale, &lock_stale, &live_temp] {
        write(d.path(), name, "FROM python:3.12\n");
    }
    let others = [
        format!(".Dockerfile.vouch-tmp-{dead}-short"),
        format!("Dockerfile.vouch-tmp-{dead}-aB3xY9"),
        ".Dockerfile.tmp12345".to_owned(),
    ];
    for name in &others {
        write(d.path(), name, &pinned);
    }
    let mut keep = others.to_vec();
    keep.push(live_temp);

    // --check changes nothing, and does not read vouch's temporary files as Dockerfiles.
    let out = vouch()
        .args(["pin", "--check", "--offline"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(d.path().join(&stale).exists());

    let out = vouch().arg("pin").arg(d.path()).output().unwrap();
    assert_exit(&out, 0);
    let err = stderr(&out);
    for name in [&stale, &lock_stale] {
        assert!(
            err.contains(&format!(
                "removed {}, a temporary file of an interrupted run\n",
                d.path().join(name).display()
            )),
            "{err}"
        );
        assert!(!d.path().join(name).exists(), "{name} was not removed");
    }
    for name in &keep {
        assert!(d.path().join(name).exists(), "{name} was removed");
    }
    assert_eq!(
        std::fs::read_to_string(d.path().join("Dockerfile")).unwrap(),
        pinned
    );
    assert!(d.path().join("vouch.lock").exists());
    let mut left = leftovers(d.path());
    left.retain(|n| !keep.contains(n));
    assert_eq!(left, Vec::<String>::new());
}

/// The write end of a pipe whose read end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

fn run_with(args: &[&str], stdout: Stdio, stderr: Stdio) -> std::process::Output {
    let src = source();
    StdCommand::new(VOUCH)
        .args(args)
        .arg(src.path())
        .env_clear()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_is_exit_2_not_a_panic() {
    // Data through output::write: an error from main.
    let out = run_with(&["sbom"], closed_pipe().into(), Stdio::piped());
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err,
        "error: cannot write to stdout\n  caused by: Broken pipe (os error 32)\n"
    );
    // println! (vouch check --list-rules): the hook in main.
    let out = StdCommand::new(VOUCH)
        .args(["check", "--list-rules"])
        .env_clear()
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err,
        "error: cannot write to stdout: Broken pipe (os error 32)\n"
    );
}

#[test]
fn a_closed_stderr_is_exit_2_not_a_panic() {
    // `vouch secrets` always reports what it scanned on stderr (eprintln!).
    let out = run_with(&["secrets"], Stdio::piped(), closed_pipe().into());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_reader_that_goes_away_early_is_exit_0_or_2_without_a_panic() {
    // `vouch sbom | head -c1`: the reader takes one byte and closes its end.
    let d = tempfile::tempdir().unwrap();
    let mut lock = String::from("{\"lockfileVersion\": 3, \"packages\": {\"\": {}");
    for i in 0..3000 {
        lock.push_str(&format!(
            ",\"node_modules/pkg-{i}\": {{\"version\": \"1.0.{i}\"}}"
        ));
    }
    lock.push_str("}}\n");
    write(d.path(), "package-lock.json", &lock);
    let mut child = StdCommand::new(VOUCH)
        .arg("sbom")
        .arg(d.path())
        .env_clear()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Read as _;
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0 | 2)), "{err}");
}
