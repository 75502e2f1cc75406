//! `vouch reproduce` on real builds (gcc and make, a tarball with GNU tar, a wheel with pip),
//! one deliberately non-deterministic build per variation (exit 1 naming THAT variation), the
//! deterministic ones (exit 0), the failures (exit 2), and `vouch diff` on the CLI, with
//! diffoscope where installed. scripts/test-setup.d/repro.sh installs the tools; a missing one
//! fails the test that needs it.

mod common;

use std::path::Path;

use common::{assert_exit, json, vouch};

/// A project folder holding `files`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::dir_with(files)
}

/// Whether creating files in reverse order changes `readdir` order in the temp folder (the same
/// probe as vouch's: false on ext4 and xfs, true on tmpfs).
fn file_order_varies() -> bool {
    let d = tempfile::tempdir().unwrap();
    let list = |sub: &str, rev: bool| {
        let dir = d.path().join(sub);
        std::fs::create_dir(&dir).unwrap();
        let mut names: Vec<String> = (0..8).map(|i| format!("f{i}")).collect();
        if rev {
            names.reverse();
        }
        for n in &names {
            std::fs::write(dir.join(n), "").unwrap();
        }
        std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect::<Vec<_>>()
    };
    list("a", false) != list("b", true)
}

fn varied_defaults() -> &'static str {
    if file_order_varies() {
        "build-path, time, timezone, locale, umask, home, env-order, file-order"
    } else {
        "build-path, time, timezone, locale, umask, home, env-order"
    }
}

fn reproduce(dir: &Path, artifact: &str, extra: &[&str], command: &[&str]) -> std::process::Output {
    let work = tempfile::tempdir().unwrap();
    reproduce_in(work.path(), dir, artifact, extra, command)
}

/// `vouch reproduce` with its temporary folders in `work` (TMPDIR), so nothing is written
/// outside the test's own folders.
fn reproduce_in(
    work: &Path,
    dir: &Path,
    artifact: &str,
    extra: &[&str],
    command: &[&str],
) -> std::process::Output {
    let mut c = vouch();
    c.env("TMPDIR", work);
    c.arg("reproduce")
        .arg("--artifact")
        .arg(artifact)
        .arg("--source")
        .arg(dir)
        .args(extra)
        .arg("--")
        .args(command);
    c.output().unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit 1 and that exactly `culprit` was named.
fn assert_caused_by(out: &std::process::Output, artifact: &str, culprit: &str) {
    assert_exit(out, 1);
    let text = stdout(out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "not reproducible: {artifact} differs between the control and the varied build (varied: {})",
            varied_defaults()
        ),
        "{text}"
    );
    assert_eq!(
        lines.next().unwrap(),
        format!("caused by: {culprit}"),
        "{text}"
    );
}

const HELLO_C: &str =
    "#include <stdio.h>\nint main(void) { printf(\"hello from %s\\n\", __FILE__); return 0; }\n";

#[test]
fn c_program_with_relative_paths_reproduces() {
    let dir = project(&[
        ("hello.c", HELLO_C),
        ("Makefile", "hello: hello.c\n\tgcc -O2 -o hello hello.c\n"),
    ]);
    let out = reproduce(dir.path(), "hello", &[], &["make"]);
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        format!(
            "reproducible: hello is identical across 2 builds (varied: {})\n",
            varied_defaults()
        )
    );
    let err = stderr(&out);
    assert!(err.contains("vouch reproduce: build 1: control\n"), "{err}");
    assert!(
        err.contains("vouch reproduce: build 2: varied (varied: build-path, time, timezone, locale, umask, home, env-order"),
        "{err}"
    );
    if !file_order_varies() {
        assert!(
            err.contains("warning[variation-not-applied]: file-order was not varied: this filesystem returns directory entries in the same order whatever the creation order"),
            "{err}"
        );
    }
}

#[test]
fn c_program_embedding_its_build_path_names_build_path() {
    let dir = project(&[
        ("hello.c", HELLO_C),
        (
            "Makefile",
            "hello: hello.c\n\tgcc -O2 -o hello $(CURDIR)/hello.c\n",
        ),
    ]);
    let out = reproduce(dir.path(), "hello", &[], &["make"]);
    assert_caused_by(&out, "hello", "build-path");
    let text = stdout(&out);
    assert!(
        text.contains("control:hello and varied:hello differ (file): 1 difference\n"),
        "{text}"
    );
}

#[test]
fn embedded_date_names_time() {
    let dir = project(&[("Makefile", "stamp.txt:\n\tdate -u +%Y-%m-%d > stamp.txt\n")]);
    let out = reproduce(dir.path(), "stamp.txt", &[], &["make"]);
    assert_caused_by(&out, "stamp.txt", "time");
}

#[test]
fn umask_leak_names_umask_with_the_mode_difference() {
    let dir = project(&[(
        "build.sh",
        "set -e\necho generated > gen.txt\ntar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner -cf out.tar gen.txt\n",
    )]);
    let out = reproduce(
        dir.path(),
        "out.tar",
        &["--format", "json"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["culprits"], serde_json::json!(["umask"]));
    assert_eq!(v["unstable"], false);
    assert_eq!(
        v["report"]["differences"],
        serde_json::json!([{"path": "gen.txt", "kind": "mode", "left": "0644", "right": "0664"}])
    );
}

#[test]
fn timezone_in_output_names_timezone() {
    let dir = project(&[(
        "build.sh",
        "date -d @$SOURCE_DATE_EPOCH '+%F %H:%M' > when.txt\n",
    )]);
    let out = reproduce(dir.path(), "when.txt", &[], &["sh", "build.sh"]);
    assert_caused_by(&out, "when.txt", "timezone");
}

#[test]
fn locale_in_output_names_locale() {
    let dir = project(&[("build.sh", "echo \"built under $LANG\" > lang.txt\n")]);
    let out = reproduce(dir.path(), "lang.txt", &[], &["sh", "build.sh"]);
    assert_caused_by(&out, "lang.txt", "locale");
}

#[test]
fn home_in_output_names_home() {
    let dir = project(&[("build.sh", "echo \"cache in $HOME/.cache\" > home.txt\n")]);
    let out = reproduce(dir.path(), "home.txt", &[], &["sh", "build.sh"]);
    assert_caused_by(&out, "home.txt", "home");
}

#[test]
fn environment_order_in_output_names_env_order() {
    // Names only, without faketime's own variables: only their order changes.
    let dir = project(&[(
        "build.sh",
        "env | cut -d= -f1 | grep -v -e '^FAKETIME' -e '^LD_PRELOAD' -e '^DONT_FAKE' > names.txt\n",
    )]);
    let out = reproduce(dir.path(), "names.txt", &[], &["sh", "build.sh"]);
    assert_caused_by(&out, "names.txt", "env-order");
}

#[test]
fn unsorted_tar_and_file_order() {
    // tar without --sort follows readdir order, which follows creation order only on some
    // filesystems; on the others file-order cannot be varied and asking for it is exit 2.
    let dir = project(&[
        ("tree/a", "a"),
        ("tree/b", "b"),
        ("tree/c", "c"),
        ("tree/d", "d"),
        (
            "build.sh",
            "tar --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner -cf out.tar tree\n",
        ),
    ]);
    let out = reproduce(
        dir.path(),
        "out.tar",
        &["--vary", "file-order", "--format", "json"],
        &["sh", "build.sh"],
    );
    if file_order_varies() {
        assert_exit(&out, 1);
        assert_eq!(
            json(&out.stdout)["culprits"],
            serde_json::json!(["file-order"])
        );
    } else {
        assert_exit(&out, 2);
        assert!(
            stderr(&out).contains("caused by: cannot vary file-order: this filesystem returns directory entries in the same order whatever the creation order (hash-ordered, as ext4 and xfs are), and disorderfs is not used (it needs FUSE)\n"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn normalised_tarball_reproduces() {
    let dir = project(&[
        ("src/main.c", HELLO_C),
        ("src/README", "docs\n"),
        (
            "build.sh",
            "set -e\ntar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner --mode=go-w -czf out.tar.gz --format=gnu src\n",
        ),
    ]);
    let out = reproduce(dir.path(), "out.tar.gz", &[], &["sh", "build.sh"]);
    // gzip writes no time when reading a pipe (tar -z), so the stream is stable too.
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("reproducible: out.tar.gz is identical across 2 builds"));
}

const PYPROJECT: &str = "[build-system]\nrequires = [\"setuptools\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"vouchdemo\"\nversion = \"1.0\"\n";

#[test]
fn python_wheel_leaks_the_umask_and_reproduces_without_it() {
    // Debian's pip 23 with wheel 0.38 writes each member's mode as the build left it on disk:
    // the files the build generates (dist-info) and copies (build/lib) follow the umask.
    let dir = project(&[
        ("pyproject.toml", PYPROJECT),
        ("vouchdemo/__init__.py", "VALUE = 1\n"),
        (
            "build.sh",
            "set -e\n/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index --wheel-dir dist . >&2\nmv dist/vouchdemo-1.0-py3-none-any.whl vouchdemo.whl\n",
        ),
    ]);
    let out = reproduce(
        dir.path(),
        "vouchdemo.whl",
        &["--format", "json"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["culprits"], serde_json::json!(["umask"]));
    let mode =
        |p: &str| serde_json::json!({"path": p, "kind": "mode", "left": "0644", "right": "0664"});
    assert_eq!(
        v["report"]["differences"],
        serde_json::json!([
            mode("vouchdemo-1.0.dist-info/METADATA"),
            mode("vouchdemo-1.0.dist-info/WHEEL"),
            mode("vouchdemo-1.0.dist-info/top_level.txt"),
            mode("vouchdemo/__init__.py"),
        ])
    );
    // Everything else varied, the umask kept: the same bytes (SOURCE_DATE_EPOCH sets the
    // members' times).
    let out = reproduce(
        dir.path(),
        "vouchdemo.whl",
        &["--vary=-umask"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 0);
    assert!(
        stdout(&out).starts_with("reproducible: vouchdemo.whl is identical across 2 builds"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn wheel_embedding_the_build_time_is_named() {
    // A module written during the build embeds the clock (the umask leak above left out).
    let dir = project(&[
        ("pyproject.toml", PYPROJECT),
        ("vouchdemo/__init__.py", "VALUE = 1\n"),
        (
            "build.sh",
            "set -e\necho \"BUILT = '$(date -u +%Y-%m-%d)'\" > vouchdemo/stamp.py\n/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation --no-index --wheel-dir dist . >&2\nmv dist/vouchdemo-1.0-py3-none-any.whl vouchdemo.whl\n",
        ),
    ]);
    let out = reproduce(
        dir.path(),
        "vouchdemo.whl",
        &["--vary=-umask", "--format", "json"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["culprits"], serde_json::json!(["time"]));
    let paths: Vec<String> = v["report"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["path"].as_str().unwrap(),
                d["kind"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            "vouchdemo-1.0.dist-info/RECORD content",
            "vouchdemo/stamp.py content"
        ]
    );
}

// ---- could not judge ----

#[test]
fn failing_build_is_exit_2_with_its_stderr() {
    let dir = project(&[(
        "build.sh",
        "echo compiling >&2\necho 'boom: no such header' >&2\nexit 3\n",
    )]);
    let out = reproduce(dir.path(), "out", &[], &["sh", "build.sh"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(
            "error[build-failed]: the control build failed (exit status 3); last lines of its stderr:\ncompiling\nboom: no such header\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn missing_artifact_is_exit_2() {
    let dir = project(&[("build.sh", "true\n")]);
    let out = reproduce(dir.path(), "dist/app", &[], &["sh", "build.sh"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains(
            "caused by: the control build succeeded but did not write the artifact dist/app\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_variation_is_exit_2() {
    let dir = project(&[("build.sh", "true\n")]);
    let out = reproduce(
        dir.path(),
        "x",
        &["--vary", "moon-phase"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("error: --vary: unknown variation `moon-phase` (known: build-path, time, source-date-epoch, timezone, locale, umask, home, env-order, file-order)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn source_date_epoch_is_varied_only_when_asked() {
    let dir = project(&[("build.sh", "echo $SOURCE_DATE_EPOCH > sde.txt\n")]);
    // Not in the defaults: SOURCE_DATE_EPOCH is an input of the build, the same in both.
    let out = reproduce(dir.path(), "sde.txt", &[], &["sh", "build.sh"]);
    assert_exit(&out, 0);
    let out = reproduce(
        dir.path(),
        "sde.txt",
        &["--vary", "source-date-epoch", "--format", "json"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["culprits"], serde_json::json!(["source-date-epoch"]));
}

// ---- vouch diff ----

fn tarball(path: &Path, files: &[(&str, &str, u32)]) {
    let mut b = tar::Builder::new(Vec::new());
    for (name, body, mode) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(body.len() as u64);
        h.set_mode(*mode);
        h.set_mtime(0);
        b.append_data(&mut h, name, body.as_bytes()).unwrap();
    }
    std::fs::write(path, b.into_inner().unwrap()).unwrap();
}

#[test]
fn diff_table_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    tarball(
        &a,
        &[("usr/bin/app", "one\n", 0o755), ("etc/x", "x", 0o644)],
    );
    tarball(
        &b,
        &[("usr/bin/app", "two\n", 0o755), ("etc/x", "x", 0o600)],
    );
    let out = vouch().arg("diff").arg(&a).arg(&b).output().unwrap();
    assert_exit(&out, 1);
    let sha = |t: &str| vouch_digest_hex(t);
    assert_eq!(
        stdout(&out),
        format!(
            "{} and {} differ (tar): 2 differences\n PATH         KIND     LEFT                                                                     RIGHT\n etc/x        mode     0644                                                                     0600\n usr/bin/app  content  sha256:{}  sha256:{}\n",
            a.display(),
            b.display(),
            sha("one\n"),
            sha("two\n")
        )
    );
    let out = vouch()
        .args(["diff", "--format", "json"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let v = json(&out.stdout);
    assert_eq!(v["left_format"], "tar");
    assert_eq!(
        v["differences"][0],
        serde_json::json!({"path": "etc/x", "kind": "mode", "left": "0644", "right": "0600"})
    );
    let out = vouch().arg("diff").arg(&a).arg(&a).output().unwrap();
    assert_exit(&out, 0);
    assert_eq!(
        stdout(&out),
        format!("{} and {} are identical (tar)\n", a.display(), a.display())
    );
}

fn vouch_digest_hex(text: &str) -> String {
    vouch_digest::Digest::sha256(text.as_bytes()).hex()
}

#[test]
fn diff_could_not_compare_is_exit_2_naming_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.tar");
    let out = vouch()
        .arg("diff")
        .arg(&missing)
        .arg(&missing)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot compare: the left input\n  caused by: cannot read {}\n  caused by: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
    let fake = dir.path().join("x.zip");
    std::fs::write(&fake, "plain text").unwrap();
    let out = vouch().arg("diff").arg(&fake).arg(&fake).output().unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot compare: the left input\n  caused by: {}: unknown format: the name says zip (.zip) but the content is not\n",
            fake.display()
        )
    );
}

#[test]
fn diff_hands_differing_members_to_diffoscope() {
    assert!(
        Path::new("/usr/bin/diffoscope").is_file(),
        "diffoscope is not installed: run scripts/test-setup.d/repro.sh"
    );
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    tarball(
        &a,
        &[("usr/share/doc/app.txt", "line one\nline two\n", 0o644)],
    );
    tarball(
        &b,
        &[("usr/share/doc/app.txt", "line one\nline 2\n", 0o644)],
    );
    let out = vouch()
        .args(["diff", "--diffoscope"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("\n── diffoscope: usr/share/doc/app.txt ──\n"),
        "{text}"
    );
    assert!(
        text.contains("-line two\n") && text.contains("+line 2\n"),
        "{text}"
    );
    // Without diffoscope on PATH: said on stderr, and the exit code is still vouch's own.
    let out = vouch()
        .env("PATH", "/nonexistent")
        .args(["diff", "--diffoscope"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_exit(&out, 1);
    assert_eq!(
        stderr(&out),
        "warning[diffoscope-missing]: diffoscope is not installed (Debian package `diffoscope-minimal`); showing vouch's own comparison only\n"
    );
}

/// The pairs the reproduce tests make, kept (`--keep`), compared by `vouch diff` (exact
/// differences) and by diffoscope, which must report a difference too.
#[test]
fn kept_pairs_compared_by_vouch_diff_and_by_diffoscope() {
    assert!(
        Path::new("/usr/bin/diffoscope").is_file(),
        "diffoscope is not installed: run scripts/test-setup.d/repro.sh"
    );
    // (variation, project files, artifact, program, arguments, what diffoscope must show)
    type Case<'a> = (
        &'a str,
        Vec<(&'a str, &'a str)>,
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a str,
    );
    let cases: [Case<'_>; 2] = [
        (
            "build-path",
            vec![
                ("hello.c", HELLO_C),
                (
                    "Makefile",
                    "hello: hello.c\n\tgcc -O2 -o hello $(CURDIR)/hello.c\n",
                ),
            ],
            "hello",
            "make",
            &[],
            "/build/src/hello.c",
        ),
        (
            "umask",
            vec![(
                "build.sh",
                "set -e\necho generated > gen.txt\ntar --sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner -cf out.tar gen.txt\n",
            )],
            "out.tar",
            "sh",
            &["build.sh"],
            "-rw-r--r--",
        ),
    ];
    for (variation, files, artifact, program, args, in_diffoscope) in cases {
        let dir = project(&files);
        let work = tempfile::tempdir().unwrap();
        let mut command = vec![program];
        command.extend_from_slice(args);
        let out = reproduce_in(
            work.path(),
            dir.path(),
            artifact,
            &["--keep", "--vary", variation],
            &command,
        );
        assert_exit(&out, 1);
        let err = stderr(&out);
        let kept = err
            .lines()
            .find_map(|l| l.strip_prefix("kept the builds, logs and artifacts in "))
            .unwrap_or_else(|| panic!("{err}"));
        let kept = Path::new(kept);
        assert!(kept.starts_with(work.path()), "{}", kept.display());
        let a = kept.join("artifacts/1-control").join(artifact);
        let b = kept.join("artifacts/2-varied").join(artifact);
        let vd = vouch()
            .args(["diff", "--format", "json"])
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap();
        assert_exit(&vd, 1);
        let v = json(&vd.stdout);
        let rows: Vec<String> = v["differences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                format!(
                    "{} {}",
                    d["path"].as_str().unwrap(),
                    d["kind"].as_str().unwrap()
                )
            })
            .collect();
        let expected: &[&str] = if variation == "umask" {
            &["gen.txt mode"]
        } else {
            &[". content"]
        };
        assert_eq!(rows, expected, "{variation}");
        let d = std::process::Command::new("diffoscope")
            .arg("--text")
            .arg("-")
            .arg(&a)
            .arg(&b)
            .output()
            .unwrap();
        assert_eq!(
            d.status.code(),
            Some(1),
            "diffoscope on the {variation} pair"
        );
        let text = String::from_utf8_lossy(&d.stdout);
        assert!(text.contains(in_diffoscope), "{variation}: {text}");
    }
}

#[test]
fn build_that_differs_by_itself_is_unstable_and_blames_nothing() {
    let dir = project(&[(
        "build.sh",
        "head -c 16 /dev/urandom | od -An -tx1 > noise.txt\n",
    )]);
    let out = reproduce(dir.path(), "noise.txt", &[], &["sh", "build.sh"]);
    assert_exit(&out, 1);
    let text = stdout(&out);
    let mut lines = text.lines().skip(1);
    assert_eq!(
        lines.next().unwrap(),
        "unstable: two builds with nothing varied already differ (the build is not deterministic by itself)"
    );
    // control, varied, control again: no variation tried alone.
    assert!(stderr(&out).contains("vouch reproduce: build 3: control, again\n"));
    assert!(!stderr(&out).contains("build 4:"), "{}", stderr(&out));
}

#[test]
fn nothing_left_to_vary_is_exit_2() {
    let dir = project(&[("build.sh", "true > x\n")]);
    let out = reproduce(
        dir.path(),
        "x",
        &["--vary=-build-path,-time,-timezone,-locale,-umask,-home,-env-order,-file-order"],
        &["sh", "build.sh"],
    );
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("caused by: nothing to vary: --vary leaves no variation that applies here (not applicable: none)\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_bad_platform_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tar");
    tarball(&a, &[("x", "x", 0o644)]);
    let out = vouch()
        .args(["diff", "--platform", "linux"])
        .arg(&a)
        .arg(&a)
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert_eq!(
        stderr(&out),
        "error: --platform: `linux` is not os/arch[/variant]\n"
    );
}

#[test]
fn hung_build_is_killed_at_the_timeout() {
    let dir = project(&[("build.sh", "echo waiting >&2\nsleep 60\n")]);
    let started = std::time::Instant::now();
    let out = reproduce(dir.path(), "x", &["--timeout", "1"], &["sh", "build.sh"]);
    assert_exit(&out, 2);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert!(
        stderr(&out).contains(
            "error[build-failed]: the control build failed (timed out after 1 s, killed); last lines of its stderr:\nwaiting\n"
        ),
        "{}",
        stderr(&out)
    );
}
