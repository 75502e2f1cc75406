//! The image reader on real layouts and archives (tests/fixtures/SOURCES.md) and on hostile
//! ones built here.

use std::path::{Path, PathBuf};

use vouch_digest::Digest;
use vouch_fs::walk::Tree;
use vouch_oci::image::{self, Caps, ImageError, Options, Platform, Scan, Selector, Source};
use vouch_test::oci::{E, gzip, layout, tar_of};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn amd64() -> Options {
    Options {
        platform: Platform::parse("linux/amd64").unwrap(),
    }
}

fn keep_all() -> Scan<'static> {
    Scan {
        retain: &|_| true,
        visit: None,
        caps: Caps::default(),
        progress: None,
    }
}

fn open(source: Source) -> Result<image::ImageTree, ImageError> {
    let image = image::open(&source, &amd64(), None)?;
    image.read(&keep_all())
}

fn files(tree: &image::ImageTree) -> Vec<String> {
    tree.walk().entries.into_iter().map(|e| e.rel).collect()
}

fn docker(name: &str) -> Source {
    Source::DockerArchive {
        path: fixture(name),
        selector: None,
    }
}

#[test]
fn a_whiteout_deletes_the_file_of_a_lower_layer() {
    let tree = open(docker("whiteout_image.tar")).unwrap();
    assert_eq!(files(&tree), ["bar.txt"]);
}

#[test]
fn a_whited_out_directory_loses_what_lower_layers_put_there_but_not_what_comes_later() {
    let tree = open(docker("whiteout_dir.tar")).unwrap();
    assert_eq!(files(&tree), ["a/baz", "b/bar"]);
}

#[test]
fn a_later_layer_replaces_a_file_and_links_resolve_inside_the_image() {
    let tree = open(docker("overwritten_file.tar")).unwrap();
    assert_eq!(files(&tree), ["bar.txt", "foo.txt"]);
    assert_eq!(tree.read_link("foo.txt").unwrap(), "bar.txt");
    assert!(tree.is_final(1, "bar.txt"));
    assert!(
        !tree.is_final(0, "foo.txt"),
        "layer 0's foo.txt was replaced"
    );
}

#[test]
fn a_legacy_layer_that_is_a_link_to_another_file_of_the_archive_is_read() {
    for tag in ["test_image_1", "bazel/v1/tarball:test_image_3"] {
        let source = Source::DockerArchive {
            path: fixture("test_link.tar"),
            selector: Some(Selector::Tag(tag.into())),
        };
        let image = image::open(&source, &amd64(), None).unwrap();
        assert!(
            image.manifest_digest.is_none(),
            "a legacy archive has no manifest"
        );
        image.read(&keep_all()).unwrap();
    }
}

#[test]
fn a_docker_25_archive_whose_index_is_empty_is_read_through_manifest_json() {
    let image = image::open(&docker("hello-world-v25.tar"), &amd64(), None).unwrap();
    let tree = image.read(&keep_all()).unwrap();
    assert_eq!(files(&tree), ["hello"]);
}

#[test]
fn an_archive_of_two_images_needs_a_tag() {
    let err = image::open(&docker("test_bundle.tar"), &amd64(), None).unwrap_err();
    assert!(matches!(err, ImageError::Ambiguous { .. }), "{err}");
    assert!(
        err.to_string().ends_with("name one with :TAG or @DIGEST"),
        "{err}"
    );
}

#[test]
fn an_archive_without_a_manifest_is_not_an_image() {
    let err = image::open(&docker("no_manifest.tar"), &amd64(), None).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("is not a container image: no manifest.json (not a docker archive)"),
        "{err}"
    );
}

#[test]
fn oci_archives_and_bare_paths_are_detected() {
    let path = fixture("valid-oci.tar");
    let source = image::source::detect(&path).unwrap();
    assert!(matches!(source, Source::OciArchive { .. }));
    open(source).unwrap();
    assert!(matches!(
        image::source::detect(&fixture("whiteout_image.tar")),
        Some(Source::DockerArchive { .. })
    ));
    assert!(matches!(
        image::source::detect(&fixture("alpine-layout")),
        Some(Source::OciDir { .. })
    ));
    assert!(image::source::detect(&fixture("SOURCES.md")).is_none());
}

#[test]
fn a_platform_is_chosen_from_an_index_and_a_missing_one_names_those_available() {
    let source = Source::OciDir {
        path: fixture("multiplatform_oci_dir"),
        selector: None,
    };
    let arm = Options {
        platform: Platform::parse("linux/arm64").unwrap(),
    };
    let a = image::open(&source, &amd64(), None).unwrap();
    let b = image::open(&source, &arm, None).unwrap();
    assert_ne!(a.manifest_digest, b.manifest_digest);
    assert_eq!(b.platform.unwrap().to_string(), "linux/arm64");
    let s390 = Options {
        platform: Platform::parse("linux/s390x").unwrap(),
    };
    let err = image::open(&source, &s390, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no image for platform linux/s390x; the index has linux/amd64, linux/arm64"
    );
}

#[test]
fn a_real_alpine_root_filesystem_keeps_only_what_was_asked_for() {
    let source = Source::OciDir {
        path: fixture("alpine-layout"),
        selector: Some(Selector::Tag("v2".into())),
    };
    let image = image::open(&source, &amd64(), None).unwrap();
    let scan = Scan {
        retain: &|p| p == "lib/apk/db/installed" || p.ends_with("os-release"),
        visit: None,
        caps: Caps::default(),
        progress: None,
    };
    let tree = image.read(&scan).unwrap();
    let installed = tree.read("lib/apk/db/installed", 1 << 20).unwrap();
    assert!(installed.starts_with(b"C:Q1"), "an apk database");
    assert!(
        tree.read("etc/os-release", 1 << 20)
            .unwrap()
            .starts_with(b"NAME=\"Alpine")
    );
    // bin/sh is a link to busybox, resolved inside the image.
    assert_eq!(tree.read_link("bin/sh").unwrap(), "bin/busybox");
    let err = tree.read("bin/busybox", 1 << 30).unwrap_err();
    assert!(
        err.to_string().starts_with("could not open /bin/busybox"),
        "{err}"
    );
    // Links resolve inside the root: `..` above the root stays there.
    assert!(files(&tree).len() > 50);
    let err = image::open(
        &Source::OciDir {
            path: fixture("alpine-layout"),
            selector: Some(Selector::Tag("v3".into())),
        },
        &amd64(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: index.json not found: an image tagged :v3 (tags: v2)",
            Source::OciDir {
                path: fixture("alpine-layout"),
                selector: Some(Selector::Tag("v3".into()))
            }
        )
    );
}

#[test]
fn a_layout_whose_index_names_a_missing_manifest_fails_naming_the_blob() {
    let dir = fixture("test_gc_image_unknown_mediatype");
    let err = open(Source::OciDir {
        path: dir.clone(),
        selector: None,
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot read {}",
            dir.join(
                "blobs/sha256/32589985702551b6c56033bb3334432a0a513bf9d6aceda0f67c42b003850720"
            )
            .display()
        )
    );
}

// ---- hostile images, built here ----

fn oci(dir: &Path) -> Source {
    Source::OciDir {
        path: dir.to_owned(),
        selector: None,
    }
}

#[test]
fn traversal_and_absolute_entries_are_not_taken_and_links_stay_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[
        E::File("etc/ok", b"fine"),
        E::File("../../escape", b"x"),
        E::File("a/../../escape2", b"x"),
        E::File("/abs", b"x"),
        E::Symlink("etc/up", "../../../../etc/ok"),
        E::Symlink("etc/abs", "/etc/ok"),
        E::Hardlink("etc/hard", "../../etc/shadow"),
        E::Hardlink("etc/hard-ok", "etc/ok"),
    ]);
    layout(dir.path(), &[(gzip(&tar), tar)]);
    let tree = open(oci(dir.path())).unwrap();
    assert_eq!(files(&tree), ["etc/abs", "etc/hard-ok", "etc/ok", "etc/up"]);
    let issues: Vec<(String, String)> = tree
        .issues()
        .iter()
        .map(|i| (i.rel.clone(), i.cause.clone()))
        .collect();
    let climbs = "layer 0: entry path is absolute or climbs out of the image with `..`; not taken";
    assert_eq!(
        issues,
        [
            ("../../escape".to_owned(), climbs.to_owned()),
            ("a/../../escape2".to_owned(), climbs.to_owned()),
            ("/abs".to_owned(), climbs.to_owned()),
            (
                "etc/hard".to_owned(),
                "layer 0: hard link target is absolute or climbs out of the image; not taken"
                    .to_owned()
            ),
        ]
    );
    assert_eq!(tree.read_link("etc/up").unwrap(), "etc/ok");
    assert_eq!(tree.read_link("etc/abs").unwrap(), "etc/ok");
    assert_eq!(tree.read("etc/hard-ok", 100).unwrap(), b"fine");
}

#[test]
fn a_tampered_layer_fails_the_whole_image() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("etc/ok", b"fine")]);
    let blob = gzip(&tar);
    layout(dir.path(), &[(blob.clone(), tar.clone())]);
    // Replace the blob's content with another layer's, under the same name.
    let other = tar_of(&[E::File("etc/ok", b"evil")]);
    let path = dir
        .path()
        .join("blobs/sha256")
        .join(Digest::sha256(&blob).hex());
    std::fs::write(&path, gzip(&other)).unwrap();
    let err = open(oci(dir.path())).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "layer 0 blob: digest mismatch: expected {}, the content hashes to sha256:",
            Digest::sha256(&blob)
        )),
        "{err}"
    );
}

#[test]
fn a_layer_whose_content_does_not_match_its_diff_id_fails() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("etc/ok", b"fine")]);
    let other = tar_of(&[E::File("etc/ok", b"evil")]);
    // The manifest names the blob it holds, but the config's diff_id is another tar's.
    layout(dir.path(), &[(gzip(&other), tar)]);
    let err = open(oci(dir.path())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("layer 0 uncompressed (diff_id): digest mismatch: expected sha256:"),
        "{err}"
    );
}

#[test]
fn truncated_gzip_and_zstd_layers_fail_with_the_layer_named() {
    let tar = tar_of(&[E::File("etc/ok", &[7u8; 100_000])]);
    for blob in [gzip(&tar), zstd::encode_all(&tar[..], 3).unwrap()] {
        let dir = tempfile::tempdir().unwrap();
        let cut = blob[..blob.len() / 2].to_vec();
        layout(dir.path(), &[(cut, tar.clone())]);
        let err = open(oci(dir.path())).unwrap_err();
        assert!(
            err.to_string().contains("): truncated or corrupt: "),
            "{err}"
        );
        assert!(err.to_string().starts_with("layer 0 (sha256:"), "{err}");
    }
}

#[test]
fn zstd_layers_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("etc/ok", b"fine")]);
    layout(dir.path(), &[(zstd::encode_all(&tar[..], 3).unwrap(), tar)]);
    let tree = open(oci(dir.path())).unwrap();
    assert_eq!(tree.read("etc/ok", 10).unwrap(), b"fine");
}

#[test]
fn a_manifest_pointing_to_a_missing_blob_fails() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("etc/ok", b"fine")]);
    let blob = gzip(&tar);
    layout(dir.path(), &[(blob.clone(), tar)]);
    std::fs::remove_file(
        dir.path()
            .join("blobs/sha256")
            .join(Digest::sha256(&blob).hex()),
    )
    .unwrap();
    let err = open(oci(dir.path())).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "cannot read {}",
            dir.path().join("blobs/sha256").display()
        )),
        "{err}"
    );
}

/// 4 GiB of zeros in about 4 MB: 4096 gzip members of 1 MiB of zeros each.
#[test]
fn a_four_gib_layer_of_zeros_is_refused_as_a_decompression_bomb() {
    let member = {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(&vec![0u8; 1 << 20]).unwrap();
        e.finish().unwrap()
    };
    assert!(member.len() < 4096, "{} bytes", member.len());
    let blob: Vec<u8> = std::iter::repeat_n(&member[..], 4096)
        .flatten()
        .copied()
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // The diff_id cannot be known without writing 4 GiB: any will do, the cap comes first.
    layout(dir.path(), &[(blob, b"not the tar".to_vec())]);
    let image = image::open(&oci(dir.path()), &amd64(), None).unwrap();
    let scan = Scan {
        retain: &|_| false,
        visit: None,
        // A lower threshold than the default 256 MiB keeps the debug-build test quick; the
        // rule is the same.
        caps: Caps {
            ratio_after: 16 << 20,
            ..Caps::default()
        },
        progress: None,
    };
    let err = image.read(&scan).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("decompression bomb: "), "{text}");
    assert!(text.ends_with("(more than 200:1)"), "{text}");
}

#[test]
fn the_per_layer_cap_is_checked_on_the_bytes_read() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("big", &vec![1u8; 200_000])]);
    layout(dir.path(), &[(gzip(&tar), tar)]);
    let image = image::open(&oci(dir.path()), &amd64(), None).unwrap();
    let scan = Scan {
        retain: &|_| false,
        visit: None,
        caps: Caps {
            layer: 100_000,
            ..Caps::default()
        },
        progress: None,
    };
    let err = image.read(&scan).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("): more than 100000 bytes uncompressed (the per-layer cap)"),
        "{err}"
    );
}

#[test]
fn a_visitor_sees_every_version_of_every_file_and_knows_which_ship() {
    let dir = tempfile::tempdir().unwrap();
    let one = tar_of(&[E::File("app/.env", b"TOKEN=1"), E::File("keep", b"k")]);
    let two = tar_of(&[E::File("app/.wh..env", b"")]);
    layout(dir.path(), &[(gzip(&one), one), (gzip(&two), two)]);
    let image = image::open(&oci(dir.path()), &amd64(), None).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let visit = |v: &image::Visit<'_>, r: &mut dyn std::io::Read| {
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        seen.lock().unwrap().push((v.layer, v.path.to_owned(), s));
    };
    let scan = Scan {
        retain: &|_| false,
        visit: Some(&visit),
        caps: Caps::default(),
        progress: None,
    };
    let tree = image.read(&scan).unwrap();
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    assert_eq!(
        seen,
        [
            (0, "app/.env".to_owned(), "TOKEN=1".to_owned()),
            (0, "keep".to_owned(), "k".to_owned())
        ]
    );
    assert!(!tree.is_final(0, "app/.env"), "deleted by layer 1");
    assert!(tree.is_final(0, "keep"));
}

#[test]
fn an_uncompressed_layer_is_hashed_once_and_still_checked_against_its_blob_digest() {
    let dir = tempfile::tempdir().unwrap();
    let tar = tar_of(&[E::File("etc/ok", b"fine")]);
    layout(dir.path(), &[(tar.clone(), tar.clone())]);
    open(oci(dir.path())).unwrap();
    let path = dir
        .path()
        .join("blobs/sha256")
        .join(Digest::sha256(&tar).hex());
    std::fs::write(&path, tar_of(&[E::File("etc/ok", b"evil")])).unwrap();
    let err = open(oci(dir.path())).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "layer 0 blob: digest mismatch: expected {}, the content hashes to sha256:",
            Digest::sha256(&tar)
        )),
        "{err}"
    );
}

/// zstd:chunked's shape (containers/storage): each file in its own zstd frame, then the
/// table of contents in a skippable frame (magic 0x184D2A50, length, payload) at the end. The
/// skippable frame is hashed with the blob but is no part of the tar.
#[test]
fn a_zstd_chunked_layer_with_a_skippable_frame_is_read() {
    let tar = tar_of(&[E::File("etc/a", b"one"), E::File("etc/b", b"two")]);
    let (first, rest) = tar.split_at(1024);
    let mut blob = zstd::encode_all(first, 3).unwrap();
    blob.extend(zstd::encode_all(rest, 3).unwrap());
    let toc = br#"{"version":1,"entries":[]}"#;
    blob.extend(0x184D_2A50u32.to_le_bytes());
    blob.extend((toc.len() as u32).to_le_bytes());
    blob.extend_from_slice(toc);
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), &[(blob, tar.clone())]);
    let tree = open(oci(dir.path())).unwrap();
    assert_eq!(files(&tree), ["etc/a", "etc/b"]);
    assert_eq!(tree.read("etc/b", 10).unwrap(), b"two");
}
