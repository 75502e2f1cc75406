//! Components compiled into executables: Go build info and `cargo auditable` data, through
//! the incremental `binary::Scanner` and through the inventory walk (tests/fixtures/binary,
//! origins in its SOURCES.md).

use std::path::Path;

use vouch_inventory::binary::{self, BinaryError, MAX_AUDIT_JSON, MAX_GO_BUILD_INFO, Scan};
use vouch_inventory::{Ecosystem, Package, Scope};

fn read(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/binary")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Feeds `bytes` in chunks of `size`.
fn scan_chunked(bytes: &[u8], size: usize) -> Scan {
    let mut s = binary::Scanner::new();
    for c in bytes.chunks(size) {
        s.feed(c);
    }
    s.finish()
}

fn find<'a>(scan: &'a Scan, name: &str) -> &'a Package {
    scan.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not found in {:?}", names(scan)))
}

fn names(scan: &Scan) -> Vec<String> {
    scan.packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn messages(scan: &Scan) -> Vec<String> {
    scan.problems.iter().map(ToString::to_string).collect()
}

/// The `dep` lines of a build info blob, counted the simple way.
fn dep_lines(blob: &[u8]) -> usize {
    String::from_utf8_lossy(blob)
        .lines()
        .filter(|l| l.starts_with("dep\t"))
        .count()
}

// ---- Go: passing ----

#[test]
fn go_syft_build_info_lists_main_module_deps_and_stdlib() {
    let blob = read("go-syft-1.18.1.buildinfo");
    let scan = binary::scan_bytes(&blob);
    assert!(scan.problems.is_empty(), "{:?}", messages(&scan));
    // syft's main module is `(devel)`; `-X main.version=1.18.1` in -ldflags gives v1.18.1,
    // as Syft reports itself.
    let main = find(&scan, "github.com/anchore/syft");
    assert_eq!(main.version, "v1.18.1");
    assert_eq!(main.ecosystem, Ecosystem::Go);
    assert!(!main.first_party);
    assert_eq!(find(&scan, "stdlib").version, "1.23.4");
    assert_eq!(find(&scan, "dario.cat/mergo").version, "v1.0.1");
    assert_eq!(
        find(&scan, "github.com/CycloneDX/cyclonedx-go").version,
        "v0.9.1"
    );
    // Every dep line, the main module and the stdlib.
    assert_eq!(dep_lines(&blob), 185);
    assert_eq!(scan.packages.len(), 185 + 2);
    assert!(scan.packages.iter().all(|p| p.hashes.is_empty()));
    let purl = vouch_inventory::purl_of(main, None).to_string();
    assert_eq!(purl, "pkg:golang/github.com/anchore/syft@v1.18.1");
}

#[test]
fn go_scan_is_the_same_whatever_the_chunking_and_at_any_aligned_offset() {
    let blob = read("go-syft-1.18.1.buildinfo");
    let whole = binary::scan_bytes(&blob);
    // 4096 bytes of other data before it: still 16-byte aligned.
    let mut file = vec![0x90u8; 4096];
    file.extend_from_slice(&blob);
    file.extend_from_slice(&[0u8; 100]);
    for size in [1, 7, 13, 16, 1000, 4096, 65536] {
        let scan = scan_chunked(&file, size);
        assert_eq!(names(&scan), names(&whole), "chunk size {size}");
        assert!(scan.problems.is_empty(), "chunk size {size}");
    }
}

#[test]
fn go_magic_off_the_16_byte_alignment_is_not_build_info() {
    let blob = read("go-syft-1.18.1.buildinfo");
    let mut file = vec![0u8; 8];
    file.extend_from_slice(&blob);
    let scan = binary::scan_bytes(&file);
    assert!(scan.packages.is_empty(), "{:?}", names(&scan));
    assert!(scan.problems.is_empty());
}

#[test]
fn go_docker_built_outside_module_mode_lists_stdlib_and_says_why_no_modules() {
    let blob = read("go-docker-28.2.2.buildinfo");
    let scan = binary::scan_bytes(&blob);
    assert_eq!(names(&scan), ["stdlib@1.24.3"]);
    assert_eq!(scan.problems, [BinaryError::GoNoModules { offset: 0 }]);
    assert_eq!(
        messages(&scan),
        ["go build info at offset 0 has no module list (built outside module mode)"]
    );
}

#[test]
fn go_replacements_main_version_from_vcs_and_local_replacements() {
    // The module list as `go version -m` reads it (hand-written, with Go's 16-byte sentinels):
    // a dep replaced by another module, one replaced by a local directory, and a `(devel)` main
    // module without an -ldflags version but with VCS settings.
    let text = "path\texample.com/app\n\
        mod\texample.com/app\t(devel)\t\n\
        dep\tgolang.org/x/net\tv0.1.0\th1:abc=\n\
        =>\tgithub.com/fork/net\tv0.1.1\th1:def=\n\
        dep\texample.com/lib\tv1.0.0\t\n\
        =>\t../lib\t(devel)\t\n\
        build\t-ldflags=\"-s -w\"\n\
        build\tvcs.revision=0123456789abcdef0123\n\
        build\tvcs.time=2025-01-02T03:04:05Z\n";
    let mut mod_info = vec![b'x'; 16];
    mod_info.extend_from_slice(text.as_bytes());
    mod_info.extend_from_slice(&[b'y'; 16]);
    let (packages, problems) = binary::go::packages(0, "go1.22.3", &mod_info);
    let got: Vec<String> = packages
        .iter()
        .map(|p| format!("{}@{} {}", p.name, p.version, p.first_party))
        .collect();
    // The local replacement (`=> ../lib (devel)`, as terraform's build info has for its
    // internal modules) is first-party code under the required module path.
    assert_eq!(
        got,
        [
            "example.com/app@v0.0.0-20250102030405-0123456789ab false",
            "github.com/fork/net@v0.1.1 false",
            "example.com/lib@v1.0.0 true",
            "stdlib@1.22.3 false"
        ]
    );
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn go_devel_toolchain_has_no_stdlib_and_says_so() {
    let mod_info = b"0123456789abcdefmod\tm\tv1.0.0\t\n0123456789abcdef";
    let (packages, problems) =
        binary::go::packages(0, "devel go1.24-abcdef Tue Jan 1 00:00:00 2025", mod_info);
    assert_eq!(packages.len(), 1);
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "go binary built with `devel go1.24-abcdef Tue Jan 1 00:00:00 2025`, not a go release: the standard library is not listed"
        ]
    );
}

// ---- Go: failing ----

#[test]
fn go_truncated_build_info_is_a_warning_with_the_lengths() {
    let scan = binary::scan_bytes(&read("go-truncated.buildinfo"));
    assert!(scan.packages.is_empty());
    assert_eq!(
        scan.problems,
        [BinaryError::GoTruncated {
            offset: 0,
            needed: 17986,
            found: 5000
        }]
    );
    assert_eq!(
        messages(&scan),
        ["go build info at offset 0 is truncated: it needs 17986 bytes, the file ends after 5000"]
    );
}

#[test]
fn go_pointer_format_before_go_1_18_is_a_warning_not_a_silent_skip() {
    let scan = binary::scan_bytes(&read("go-pointer-format.buildinfo"));
    assert!(scan.packages.is_empty());
    assert_eq!(scan.problems, [BinaryError::GoPointerFormat { offset: 0 }]);
    assert_eq!(
        messages(&scan),
        ["go binary built with go < 1.18: build info not read"]
    );
}

#[test]
fn go_absurd_length_is_refused_at_the_cap_without_reading_it() {
    let scan = binary::scan_bytes(&read("go-absurd-length.buildinfo"));
    assert!(scan.packages.is_empty());
    assert_eq!(
        scan.problems,
        [BinaryError::GoTooLong {
            offset: 0,
            field: "module list",
            length: 1 << 40,
            cap: MAX_GO_BUILD_INFO
        }]
    );
    assert_eq!(
        messages(&scan),
        [
            "go build info at offset 0 claims a 1099511627776-byte module list, over the 1048576-byte cap"
        ]
    );
}

#[test]
fn go_malformed_length_varint_is_a_warning() {
    let scan = binary::scan_bytes(&read("go-bad-varint.buildinfo"));
    assert_eq!(
        messages(&scan),
        ["go build info at offset 0 has a malformed length before its version"]
    );
}

#[test]
fn go_a_bad_candidate_does_not_hide_the_real_build_info_after_it() {
    let syft = read("go-syft-1.18.1.buildinfo");
    // The magic as a string constant (the go tool holds one), then a header whose version is
    // not UTF-8, then the real build info: the first two are passed over without a word.
    let mut file = b"\xff Go buildinf:not a header at all, just more string data".to_vec();
    file.resize(1024, 0);
    file.extend_from_slice(&syft[..32]);
    file.extend_from_slice(&[8, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe, 0xff, 0xfe, 0]);
    file.resize(4096, 0);
    file.extend_from_slice(&syft);
    let scan = binary::scan_bytes(&file);
    assert!(scan.problems.is_empty(), "{:?}", messages(&scan));
    assert_eq!(find(&scan, "github.com/anchore/syft").version, "v1.18.1");
    // Without the real one, the broken header is what is reported.
    let scan = binary::scan_bytes(&file[..4096]);
    assert!(scan.packages.is_empty());
    assert_eq!(
        messages(&scan),
        ["go build info at offset 1024: the version is not UTF-8"]
    );
}

// ---- Rust (cargo auditable): see below ----

#[test]
fn auditable_zip_bomb_is_capped() {
    use std::io::Write as _;
    // A zlib stream of audit-shaped JSON that inflates past the cap (not in an ELF file).
    let mut json =
        br#"{"packages":[{"name":"a","version":"1.0.0","source":"crates.io","pad":""#.to_vec();
    json.resize(MAX_AUDIT_JSON + 1024, b' ');
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&json).unwrap();
    let compressed = z.finish().unwrap();
    assert!(compressed.len() < 64 * 1024);
    let scan = binary::scan_bytes(&compressed);
    assert!(scan.packages.is_empty());
    assert_eq!(
        messages(&scan),
        [
            "cargo auditable data at offset 0 read without the ELF section table to confirm it: the file has no ELF header",
            "cargo auditable data at offset 0 inflates past the 8388608-byte cap"
        ]
    );
}

#[test]
fn scope_of_build_dependencies_is_dev() {
    let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[1],"root":true},{"name":"serde_derive","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
    let packages = binary::rust::packages(0, json).unwrap();
    assert_eq!(packages[0].scope, Scope::Required);
    assert!(packages[0].root && packages[0].first_party);
    assert_eq!(packages[1].scope, Scope::Dev);
    assert!(!packages[1].first_party);
    assert_eq!(packages[0].dependencies[0].name, "serde_derive");
}

#[test]
fn auditable_dependency_index_out_of_range_rejects_the_data() {
    let json =
        br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[7]}]}"#;
    let err = binary::rust::packages(12, json).unwrap_err();
    assert_eq!(
        err,
        BinaryError::AuditableDependency {
            offset: 12,
            index: 0,
            dependency: 7,
            count: 1
        }
    );
    assert_eq!(
        err.to_string(),
        "cargo auditable data at offset 12: package 0 depends on package 7, but there are 1"
    );
}

// ---- Rust (cargo auditable) on a real executable ----

const HELLO: &str = "rust-auditable-hello";
/// Where `.dep-v0` lies in it (readelf -S).
const DEP_V0: usize = 0x2a3;
const DEP_V0_LEN: usize = 0xa5;

fn cargo_names(scan: &Scan) -> Vec<String> {
    let mut v: Vec<String> = scan
        .packages
        .iter()
        .map(|p| {
            format!(
                "{}@{} {:?}{}{}",
                p.name,
                p.version,
                p.scope,
                if p.first_party { " first-party" } else { "" },
                if p.root { " root" } else { "" }
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn auditable_real_binary_lists_every_crate_with_kind_source_and_edges() {
    let bin = read(HELLO);
    for size in [1, 7, 64, 1000, 65536] {
        let scan = scan_chunked(&bin, size);
        assert!(
            scan.problems.is_empty(),
            "chunk {size}: {:?}",
            messages(&scan)
        );
        assert_eq!(
            cargo_names(&scan),
            [
                "auditable-hello@0.3.1 Required first-party root",
                "autocfg@1.5.1 Dev",
                "helper@0.1.0 Required first-party",
                "itoa@1.0.19 Required",
            ],
            "chunk {size}"
        );
    }
    let scan = binary::scan_bytes(&bin);
    let root = find(&scan, "auditable-hello");
    assert_eq!(root.ecosystem, Ecosystem::Cargo);
    let deps: Vec<String> = root
        .dependencies
        .iter()
        .map(|d| format!("{}@{}", d.name, d.version.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(deps, ["autocfg@1.5.1", "helper@0.1.0", "itoa@1.0.19"]);
    assert_eq!(
        vouch_inventory::purl_of(find(&scan, "itoa"), None).to_string(),
        "pkg:cargo/itoa@1.0.19"
    );
}

#[test]
fn auditable_bad_zlib_checksum_is_a_warning_naming_the_offset() {
    let mut bin = read(HELLO);
    bin[DEP_V0 + DEP_V0_LEN - 1] ^= 1; // the Adler-32 check
    let scan = binary::scan_bytes(&bin);
    assert!(scan.packages.is_empty());
    assert_eq!(
        messages(&scan),
        ["cargo auditable data at offset 675: corrupt zlib stream: incorrect data check"]
    );
}

#[test]
fn auditable_cut_file_is_truncated_and_unconfirmed() {
    let bin = read(HELLO);
    let scan = binary::scan_bytes(&bin[..DEP_V0 + 100]);
    assert!(scan.packages.is_empty());
    assert_eq!(
        messages(&scan),
        [
            "cargo auditable data at offset 675 read without the ELF section table to confirm it: the section table at offset 920 (512 bytes) lies past the end of the file (775 bytes)",
            "cargo auditable data at offset 675: the zlib stream is cut off by the end of the file"
        ]
    );
}

#[test]
fn auditable_copy_outside_any_section_is_not_read_as_this_binarys() {
    let mut bin = read(HELLO);
    let copy = bin[DEP_V0..DEP_V0 + DEP_V0_LEN].to_vec();
    let at = bin.len();
    bin.extend_from_slice(&copy);
    let scan = binary::scan_bytes(&bin);
    assert_eq!(scan.packages.len(), 4);
    assert_eq!(
        scan.problems,
        [BinaryError::AuditableNotASection { offset: at as u64 }]
    );
    assert_eq!(
        messages(&scan),
        [
            "zlib stream of cargo auditable JSON at offset 1432 is not an ELF section of this file (an embedded copy?); not read"
        ]
    );
}

#[test]
fn auditable_section_table_over_the_cap_is_read_unconfirmed_with_a_warning() {
    let mut bin = read(HELLO);
    bin[60..62].copy_from_slice(&u16::MAX.to_le_bytes()); // e_shnum
    let scan = binary::scan_bytes(&bin);
    assert_eq!(scan.packages.len(), 4);
    assert_eq!(
        messages(&scan),
        [
            "cargo auditable data at offset 675 read without the ELF section table to confirm it: the section table (4194240 bytes) is over the 1048576-byte cap"
        ]
    );
}

#[test]
fn auditable_json_of_the_wrong_shape_is_a_warning() {
    let err = binary::rust::packages(5, br#"{"packages":[{"name":"a"}]}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cargo auditable data at offset 5 is not valid audit JSON: missing field `version` at line 1 column 25"
    );
}

// ---- The inventory walk ----

/// An ELF file holding Go build info: the real ELF header of the Rust fixture (its section
/// table now points into padding), then the real syft build info at a 16-byte aligned offset.
fn go_elf() -> Vec<u8> {
    let mut f = read(HELLO)[..64].to_vec();
    f.resize(8192, 0);
    f.extend_from_slice(&read("go-syft-1.18.1.buildinfo"));
    f
}

#[test]
fn walk_reads_elf_files_by_content_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    std::fs::create_dir_all(r.join("usr/bin")).unwrap();
    std::fs::create_dir_all(r.join("opt/app")).unwrap();
    std::fs::write(r.join("usr/bin/hello"), read(HELLO)).unwrap();
    std::fs::write(r.join("opt/app/syft"), go_elf()).unwrap();
    // Not ELF: a script and the bare build info blob are not executables.
    std::fs::write(r.join("usr/bin/script"), "#!/bin/sh\necho hi\n").unwrap();
    std::fs::write(r.join("opt/app/blob"), read("go-syft-1.18.1.buildinfo")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("hello", r.join("usr/bin/hello-link")).unwrap();
    let inv = vouch_inventory::walk::inventory(
        r,
        "root",
        &Default::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let itoa = inv
        .components
        .iter()
        .find(|c| c.name == "itoa")
        .expect("itoa");
    assert_eq!(itoa.purl, "pkg:cargo/itoa@1.0.19");
    let paths: Vec<&str> = itoa.evidence.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["usr/bin/hello"]);
    assert_eq!(
        itoa.evidence[0].kind,
        vouch_inventory::SourceKind::Installed
    );
    let syft = inv
        .components
        .iter()
        .find(|c| c.name == "github.com/anchore/syft")
        .expect("syft");
    assert_eq!(syft.purl, "pkg:golang/github.com/anchore/syft@v1.18.1");
    assert_eq!(syft.evidence[0].path, "opt/app/syft");
    let stdlib = inv.components.iter().find(|c| c.name == "stdlib").unwrap();
    assert_eq!(stdlib.purl, "pkg:golang/stdlib@1.23.4");
    // 185 deps + main + stdlib from syft, 4 crates from hello (the root crate is lifted only
    // for a file at the top).
    let go = inv
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Go)
        .count();
    let cargo = inv
        .components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Cargo)
        .count();
    assert_eq!((go, cargo), (187, 4));
}

#[test]
fn walk_reports_a_broken_binary_as_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = read(HELLO);
    bin[DEP_V0 + DEP_V0_LEN - 1] ^= 1;
    std::fs::write(dir.path().join("hello"), bin).unwrap();
    std::fs::write(dir.path().join("other"), b"x").unwrap();
    let inv = vouch_inventory::walk::inventory(
        dir.path(),
        "root",
        &Default::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap();
    let w: Vec<String> = inv.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        ["hello: cargo auditable data at offset 675: corrupt zlib stream: incorrect data check"]
    );
}

#[test]
fn a_binary_given_as_the_path_is_inventoried_and_its_root_crate_is_the_subject() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hello");
    std::fs::write(&path, read(HELLO)).unwrap();
    let inv = vouch_inventory::walk::inventory(
        &path,
        "hello",
        &Default::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap();
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let names: Vec<&str> = inv.components.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"itoa"), "{names:?}");
    // A file that is neither a known name nor ELF is still refused.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let err = vouch_inventory::walk::inventory(
        &text,
        "notes",
        &Default::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        vouch_inventory::walk::InventoryError::UnknownFile { .. }
    ));
}

// ---- Directories: the section table decides which ELF files are streamed ----

#[test]
fn section_names_decide_whether_a_file_in_a_directory_is_streamed() {
    use std::io::Cursor;
    let bin = read(HELLO);
    assert!(binary::may_hold_components(&mut Cursor::new(&bin)).unwrap());
    // The same file with `.dep-v0` renamed in its name table: no section with components.
    let mut renamed = bin.clone();
    let at = renamed.windows(8).position(|w| w == b".dep-v0\0").unwrap();
    renamed[at + 6] = b'9';
    assert!(!binary::may_hold_components(&mut Cursor::new(&renamed)).unwrap());
    // A section table that cannot be trusted (all zeros here) means: stream the file.
    assert!(binary::may_hold_components(&mut Cursor::new(go_elf())).unwrap());
    // A cut file: stream it (and the scan says what is wrong).
    assert!(binary::may_hold_components(&mut Cursor::new(&bin[..900])).unwrap());

    // In a walk the renamed file is not streamed: no component and no warning; streamed (as
    // from an image layer), its data is still found by content and confirmed by offset.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("renamed"), &renamed).unwrap();
    let inv = vouch_inventory::walk::inventory(
        dir.path(),
        "root",
        &Default::default(),
        &vouch_inventory::walk::Silent,
    )
    .unwrap();
    assert!(inv.components.is_empty() && inv.warnings.is_empty());
    assert_eq!(binary::scan_bytes(&renamed).packages.len(), 4);
}
