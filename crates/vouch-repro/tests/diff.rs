//! The diff engine on each format: the exact differences, the equal case, and every way a
//! comparison cannot be made (exact messages).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use vouch_repro::diff::{self, DiffError, Difference, Input, Kind, Limits};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn d(path: &str, kind: Kind, left: Option<&str>, right: Option<&str>) -> Difference {
    Difference {
        path: path.into(),
        kind,
        left: left.map(str::to_owned),
        right: right.map(str::to_owned),
    }
}

/// One tar member: (path, type, mode, uid, gid, mtime, content or link target).
struct M<'a>(&'a str, tar::EntryType, u32, u64, u64, u64, &'a str);

fn tar_bytes(members: &[M<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for M(path, kind, mode, uid, gid, mtime, body) in members {
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(*kind);
        h.set_mode(*mode);
        h.set_uid(*uid);
        h.set_gid(*gid);
        h.set_mtime(*mtime);
        if kind.is_symlink() || kind.is_hard_link() {
            h.set_size(0);
            b.append_link(&mut h, path, body).unwrap();
        } else {
            let data = if kind.is_dir() {
                &b""[..]
            } else {
                body.as_bytes()
            };
            h.set_size(data.len() as u64);
            b.append_data(&mut h, path, data).unwrap();
        }
    }
    b.into_inner().unwrap()
}

fn left_members() -> Vec<M<'static>> {
    use tar::EntryType as T;
    vec![
        M("usr/", T::Directory, 0o755, 0, 0, 0, ""),
        M("usr/bin/app", T::Regular, 0o755, 0, 0, 0, "v1"),
        M("usr/bin/tool", T::Regular, 0o644, 0, 0, 0, "same"),
        M("usr/lib/libx.so", T::Symlink, 0o777, 0, 0, 0, "libx.so.1"),
        M("etc/conf", T::Regular, 0o644, 0, 0, 0, "a"),
        M("only-left", T::Regular, 0o644, 0, 0, 0, "x"),
        M("var/run", T::Directory, 0o755, 0, 0, 0, ""),
    ]
}

fn right_members() -> Vec<M<'static>> {
    use tar::EntryType as T;
    vec![
        M("usr/", T::Directory, 0o755, 0, 0, 0, ""),
        M("usr/bin/app", T::Regular, 0o755, 0, 0, 0, "v2"),
        M(
            "usr/bin/tool",
            T::Regular,
            0o664,
            1000,
            1000,
            1_700_000_000,
            "same",
        ),
        M("usr/lib/libx.so", T::Symlink, 0o777, 0, 0, 0, "libx.so.2"),
        M("etc/conf", T::Regular, 0o644, 0, 0, 0, "a"),
        M("only-right", T::Regular, 0o644, 0, 0, 0, "y"),
        M("var/run", T::Symlink, 0o777, 0, 0, 0, "/run"),
    ]
}

fn sha(text: &str) -> String {
    vouch_digest::Digest::sha256(text.as_bytes()).to_string()
}

fn expected_tar() -> Vec<Difference> {
    vec![
        d("only-left", Kind::Missing, Some("file"), None),
        d("only-right", Kind::Extra, None, Some("file")),
        d(
            "usr/bin/app",
            Kind::Content,
            Some(&sha("v1")),
            Some(&sha("v2")),
        ),
        d("usr/bin/tool", Kind::Mode, Some("0644"), Some("0664")),
        d("usr/bin/tool", Kind::Owner, Some("0:0"), Some("1000:1000")),
        d("usr/bin/tool", Kind::Mtime, Some("0"), Some("1700000000")),
        d(
            "usr/lib/libx.so",
            Kind::LinkTarget,
            Some("libx.so.1"),
            Some("libx.so.2"),
        ),
        d("var/run", Kind::Type, Some("dir"), Some("symlink")),
    ]
}

#[test]
fn tar_members_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    std::fs::write(&a, tar_bytes(&left_members())).unwrap();
    std::fs::write(&b, tar_bytes(&right_members())).unwrap();
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::Tar);
    assert_eq!(report.differences, expected_tar());
    assert!(!report.truncated);
    // Equal: the same bytes.
    assert!(diff::compare(&a, &a, &Limits::default()).unwrap().equal());
}

#[test]
fn compressed_tars_compare_their_members_and_then_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let gz = |path: &Path, members: &[M<'_>], mtime: u32| {
        let mut e = flate2::GzBuilder::new()
            .mtime(mtime)
            .write(Vec::new(), flate2::Compression::default());
        e.write_all(&tar_bytes(members)).unwrap();
        std::fs::write(path, e.finish().unwrap()).unwrap();
    };
    let (a, b, c) = (
        dir.path().join("a.tar.gz"),
        dir.path().join("b.tar.gz"),
        dir.path().join("c.tar.zst"),
    );
    gz(&a, &left_members(), 0);
    gz(&b, &right_members(), 0);
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.differences, expected_tar());
    // Same members, another gzip header time: the members are equal, the stream is not.
    gz(&b, &left_members(), 1_700_000_000);
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    let (da, db) = (
        vouch_digest::Digest::sha256(&std::fs::read(&a).unwrap()).to_string(),
        vouch_digest::Digest::sha256(&std::fs::read(&b).unwrap()).to_string(),
    );
    assert_eq!(
        report.differences,
        vec![d(".", Kind::Content, Some(&da), Some(&db))]
    );
    // zstd against gzip: both tar, members compared.
    std::fs::write(
        &c,
        zstd::encode_all(&tar_bytes(&right_members())[..], 3).unwrap(),
    )
    .unwrap();
    let report = diff::compare(&a, &c, &Limits::default()).unwrap();
    assert_eq!(report.differences, expected_tar());
}

/// (name, content, mode, (year, month, day)).
type ZipMember<'a> = (&'a str, &'a str, u32, (u16, u8, u8));

fn zip_file(path: &Path, members: &[ZipMember<'_>]) {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body, mode, (y, m, day)) in members {
        let t = zip::DateTime::from_date_and_time(*y, *m, *day, 0, 0, 0).unwrap();
        let o = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(*mode)
            .last_modified_time(t);
        w.start_file(*name, o).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn zip_members_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.whl"), dir.path().join("b.whl"));
    zip_file(
        &a,
        &[
            ("pkg/__init__.py", "x = 1\n", 0o644, (2024, 1, 1)),
            ("pkg-1.0.dist-info/RECORD", "r1", 0o644, (2024, 1, 1)),
            ("pkg/gone.py", "", 0o644, (2024, 1, 1)),
        ],
    );
    zip_file(
        &b,
        &[
            ("pkg/__init__.py", "x = 1\n", 0o664, (2025, 6, 30)),
            ("pkg-1.0.dist-info/RECORD", "r2", 0o644, (2024, 1, 1)),
        ],
    );
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::Zip);
    assert_eq!(
        report.differences,
        vec![
            d(
                "pkg-1.0.dist-info/RECORD",
                Kind::Content,
                Some(&sha("r1")),
                Some(&sha("r2"))
            ),
            d("pkg/__init__.py", Kind::Mode, Some("0644"), Some("0664")),
            d(
                "pkg/__init__.py",
                Kind::Mtime,
                Some("2024-01-01T00:00:00"),
                Some("2025-06-30T00:00:00")
            ),
            d("pkg/gone.py", Kind::Missing, Some("file"), None),
        ]
    );
}

#[test]
fn json_by_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    std::fs::write(
        &a,
        r#"{"created":"2024-01-01T00:00:00Z","history":[{"created_by":"make"}],"a/b":1,"k~":[1,2],"same":{"x":true}}"#,
    )
    .unwrap();
    std::fs::write(
        &b,
        r#"{"created":"2025-01-01T00:00:00Z","history":[{"created_by":"make -j8"},{"empty_layer":true}],"a/b":2,"k~":[1],"same":{"x":true},"new":null}"#,
    )
    .unwrap();
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(
        report.differences,
        vec![
            d("/a~1b", Kind::Field, Some("1"), Some("2")),
            d(
                "/created",
                Kind::Field,
                Some("\"2024-01-01T00:00:00Z\""),
                Some("\"2025-01-01T00:00:00Z\"")
            ),
            d(
                "/history/0/created_by",
                Kind::Field,
                Some("\"make\""),
                Some("\"make -j8\"")
            ),
            d(
                "/history/1",
                Kind::Extra,
                None,
                Some("{\"empty_layer\":true}")
            ),
            d("/k~0/1", Kind::Missing, Some("2"), None),
            d("/new", Kind::Extra, None, Some("null")),
        ]
    );
    // Same values, other formatting: the document as a whole differs.
    std::fs::write(&b, "{\n  \"created\": \"2024-01-01T00:00:00Z\", \"history\": [{\"created_by\": \"make\"}], \"a/b\": 1, \"k~\": [1, 2], \"same\": {\"x\": true}\n}\n").unwrap();
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.differences.len(), 1);
    assert_eq!(report.differences[0].path, ".");
    assert_eq!(report.differences[0].kind, Kind::Content);
}

#[test]
fn directories_walked_on_both_sides() {
    use std::os::unix::fs::PermissionsExt as _;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for root in [a.path(), b.path()] {
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/same"), "s").unwrap();
    }
    std::fs::write(a.path().join("bin/app"), "one").unwrap();
    std::fs::write(b.path().join("bin/app"), "two").unwrap();
    std::fs::write(a.path().join("run.sh"), "x").unwrap();
    std::fs::write(b.path().join("run.sh"), "x").unwrap();
    std::fs::set_permissions(
        a.path().join("run.sh"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(
        b.path().join("run.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::os::unix::fs::symlink("bin/app", a.path().join("current")).unwrap();
    std::os::unix::fs::symlink("bin/same", b.path().join("current")).unwrap();
    std::fs::write(a.path().join("left.txt"), "").unwrap();
    std::fs::write(b.path().join("right.txt"), "").unwrap();
    let report = diff::compare(a.path(), b.path(), &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::Directory);
    assert_eq!(
        report.differences,
        vec![
            d(
                "bin/app",
                Kind::Content,
                Some(&sha("one")),
                Some(&sha("two"))
            ),
            d(
                "current",
                Kind::LinkTarget,
                Some("bin/app"),
                Some("bin/same")
            ),
            d("left.txt", Kind::Missing, Some("file"), None),
            d("right.txt", Kind::Extra, None, Some("file")),
            d("run.sh", Kind::Mode, Some("0644"), Some("0755")),
        ]
    );
}

#[test]
fn plain_files_by_digest() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
    std::fs::write(&a, b"\x7fELF one").unwrap();
    std::fs::write(&b, b"\x7fELF two").unwrap();
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::File);
    assert_eq!(
        report.differences,
        vec![d(
            ".",
            Kind::Content,
            Some(&vouch_digest::Digest::sha256(b"\x7fELF one").to_string()),
            Some(&vouch_digest::Digest::sha256(b"\x7fELF two").to_string())
        )]
    );
    assert!(diff::compare(&a, &a, &Limits::default()).unwrap().equal());
}

#[test]
fn real_images_layer_by_layer() {
    let (a, b) = (
        fixture("oci/whiteout_image.tar"),
        fixture("oci/overwritten_file.tar"),
    );
    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::OciArchive);
    let s = |h: &str| format!("sha256:{h}");
    let (l0, l1) = (
        s("891f36a008624b6450292efb6ff06b633a179c7cc08456fefcc08c2b34f3b31c"),
        s("88d2a7b2ae6dddeb3490c9370cfc070aaa1aab9c22a6fb03523787d8b21c17db"),
    );
    let (r0, r1) = (
        s("48ebc8f0e90eb81bd1819e8128dbaeddca99afe50f5bd07e0d582b8f683cb0b9"),
        s("6f23bf1fbcc92daa1e5c92aa1125ce8d6fcabbbe29a903f0a56317035fc46b19"),
    );
    let q = |x: &str| format!("\"{x}\"");
    assert_eq!(
        report.differences,
        vec![
            d(
                "config",
                Kind::Content,
                Some(&s(
                    "decb630649c3e1256345d416b228d6c3ceb387a55120ad44dc3ec992976d28b9"
                )),
                Some(&s(
                    "68f6eb746cdb287658796ba120849bb77be87040a155fbefb89c96f109c0703a"
                ))
            ),
            d(
                "config/rootfs/diff_ids/0",
                Kind::Field,
                Some(&q(&l0)),
                Some(&q(&r0))
            ),
            d(
                "config/rootfs/diff_ids/1",
                Kind::Field,
                Some(&q(&l1)),
                Some(&q(&r1))
            ),
            d("layers[0]", Kind::Content, Some(&l0), Some(&r0)),
            d("layers[1]", Kind::Content, Some(&l1), Some(&r1)),
            d("layers[0]/bar.txt", Kind::Missing, Some("file"), None),
            d(
                "layers[1]/.wh.foo.txt",
                Kind::Missing,
                Some("whiteout"),
                None
            ),
            d("layers[1]/bar.txt", Kind::Extra, None, Some("file")),
            d("layers[1]/foo.txt", Kind::Extra, None, Some("symlink")),
        ]
    );
    let same = diff::compare(
        &fixture("oci/valid-oci.tar"),
        &fixture("oci/valid-oci.tar"),
        &Limits::default(),
    )
    .unwrap();
    assert!(same.equal());
    // A member of a layer, read back for diffoscope.
    let input = Input::detect(&b).unwrap();
    let bytes = diff::member_bytes(&input, "layers[1]/bar.txt", &Limits::default()).unwrap();
    assert!(bytes.is_some());
}

// ---- could not compare ----

#[test]
fn missing_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.tar");
    let err = diff::compare(&missing, &missing, &Limits::default()).unwrap_err();
    assert!(matches!(err, DiffError::Io { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot read {}", missing.display())
    );
}

#[test]
fn unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("app.tar.gz");
    std::fs::write(&fake, "not an archive\n").unwrap();
    let err = diff::compare(&fake, &fake, &Limits::default()).unwrap_err();
    assert!(matches!(err, DiffError::UnknownFormat { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: unknown format: the name says tar (.tar.gz) but the content is not",
            fake.display()
        )
    );
}

#[test]
fn different_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.tar");
    std::fs::write(&file, tar_bytes(&left_members())).unwrap();
    let err = diff::compare(&file, dir.path(), &Limits::default()).unwrap_err();
    assert!(matches!(err, DiffError::Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot compare {} (tar) with {} (directory)",
            file.display(),
            dir.path().display()
        )
    );
}

#[test]
fn zip_bomb_is_refused_at_the_ratio_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    let zeros = "\0".repeat(4 << 20);
    zip_file(&a, &[("bomb.bin", &zeros, 0o644, (2024, 1, 1))]);
    zip_file(&b, &[("bomb.bin", "", 0o644, (2024, 1, 1))]);
    let mut limits = Limits::default();
    limits.caps.ratio_after = 1 << 20;
    let err = diff::compare(&a, &b, &limits).unwrap_err();
    assert!(matches!(err, DiffError::Archive { .. }), "{err:?}");
    let text = err.to_string();
    let prefix = format!("{}: member bomb.bin: decompression bomb: ", a.display());
    assert!(text.starts_with(&prefix), "{text}");
    assert!(text.ends_with("compressed (more than 200:1)"), "{text}");
}

#[test]
fn tar_bomb_and_entry_caps() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar.gz"), dir.path().join("b.tar"));
    let mut big = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(4 << 20);
    h.set_mode(0o644);
    big.append_data(&mut h, "zeros", std::io::repeat(0).take_bytes(4 << 20))
        .unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&big.into_inner().unwrap()).unwrap();
    std::fs::write(&a, e.finish().unwrap()).unwrap();
    std::fs::write(&b, tar_bytes(&left_members())).unwrap();
    let mut limits = Limits::default();
    limits.caps.ratio_after = 1 << 20;
    let err = diff::compare(&a, &dir.path().join("a.tar.gz"), &limits);
    assert!(
        err.unwrap().equal(),
        "the same bytes are equal without being read"
    );
    std::fs::write(&b, {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&tar_bytes(&left_members())).unwrap();
        e.finish().unwrap()
    })
    .unwrap();
    let b_gz = dir.path().join("b.tar.gz");
    std::fs::rename(&b, &b_gz).unwrap();
    let err = diff::compare(&a, &b_gz, &limits).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: decompression bomb: ", a.display())),
        "{text}"
    );
    let limits = Limits {
        members: 3,
        ..Limits::default()
    };
    let err = diff::compare(&b_gz, &a, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: more than 3 entries (the per-image cap)",
            b_gz.display()
        )
    );
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        std::io::Read::take(self, n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

#[test]
fn corrupt_gzip_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar.gz"), dir.path().join("b.tar.gz"));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&tar_bytes(&left_members())).unwrap();
    let good = e.finish().unwrap();
    std::fs::write(&a, &good).unwrap();
    std::fs::write(&b, &good[..good.len() / 2]).unwrap();
    let err = diff::compare(&a, &b, &Limits::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}: truncated or corrupt: ", b.display())),
        "{text}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// Replaces `old` by `new` (same length) in the blob `hex` of `layout` and writes the result as
/// a new blob; returns its hex digest.
fn rewrite_blob(layout: &Path, hex: &str, old: &str, new: &str) -> String {
    let path = layout.join("blobs/sha256").join(hex);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(old), "{hex} holds {old}");
    let changed = text.replace(old, new);
    let digest = vouch_digest::Digest::sha256(changed.as_bytes()).hex();
    std::fs::write(layout.join("blobs/sha256").join(&digest), changed).unwrap();
    digest
}

#[cfg(target_arch = "x86_64")]
#[test]
fn oci_layouts_pair_index_manifest_by_platform_and_config_by_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("left"), dir.path().join("right"));
    copy_dir(&fixture("oci/multiplatform_oci_dir"), &a);
    copy_dir(&fixture("oci/multiplatform_oci_dir"), &b);
    // The linux/amd64 config's `created` one second later: config → manifest → index →
    // index.json rewritten with the new digests (lengths unchanged, so the sizes hold).
    let (config, manifest, index) = (
        "549248a7ac95478805d9248e4ffdc778fc2404257d8c071848746e0100e08099",
        "e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8",
        "a1a8d08faa5fe3d2ccc0ba54874e39dede9a17120f883c5cb56f2fd9309067c8",
    );
    let new_config = rewrite_blob(
        &b,
        config,
        "2026-03-18T21:53:53.898642864Z",
        "2026-03-18T21:53:54.898642864Z",
    );
    let new_manifest = rewrite_blob(&b, manifest, config, &new_config);
    let new_index = rewrite_blob(&b, index, manifest, &new_manifest);
    let top = std::fs::read_to_string(b.join("index.json")).unwrap();
    std::fs::write(b.join("index.json"), top.replace(index, &new_index)).unwrap();

    let report = diff::compare(&a, &b, &Limits::default()).unwrap();
    assert_eq!(report.left_format, diff::Format::OciLayout);
    let s = |h: &str| format!("sha256:{h}");
    let (t1, t2) = (
        "\"2026-03-18T21:53:53.898642864Z\"",
        "\"2026-03-18T21:53:54.898642864Z\"",
    );
    assert_eq!(
        report.differences,
        vec![
            d(
                "manifest",
                Kind::Content,
                Some(&s(manifest)),
                Some(&s(&new_manifest))
            ),
            d(
                "config",
                Kind::Content,
                Some(&s(config)),
                Some(&s(&new_config))
            ),
            d("config/created", Kind::Field, Some(t1), Some(t2)),
            d("config/history/0/created", Kind::Field, Some(t1), Some(t2)),
            d("config/history/1/created", Kind::Field, Some(t1), Some(t2)),
        ]
    );
    // The other platform of the index was not touched: equal.
    let arm = |p: &Path| Input {
        platform: Some(vouch_oci::image::Platform::parse("linux/arm64").unwrap()),
        ..Input::detect(p).unwrap()
    };
    assert!(
        diff::compare_inputs(&arm(&a), &arm(&b), &Limits::default())
            .unwrap()
            .equal()
    );
    // A platform the index does not have: could not compare, naming what it has.
    let s390 = |p: &Path| Input {
        platform: Some(vouch_oci::image::Platform::parse("linux/s390x").unwrap()),
        ..Input::detect(p).unwrap()
    };
    let err = diff::compare_inputs(&s390(&a), &s390(&b), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot read the image {}", a.display())
    );
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(
        cause,
        "no image for platform linux/s390x; the index has linux/amd64, linux/arm64"
    );
    // The same layouts named with their scheme, and equal to themselves.
    let left = Input::parse(&format!("oci-dir:{}", a.display())).unwrap();
    assert!(
        diff::compare_inputs(&left, &left, &Limits::default())
            .unwrap()
            .equal()
    );
}
