//! Installed-package database parsers (dpkg, apk, rpm, Python dist-info, node_modules) against
//! real-world fixtures (see tests/fixtures/*/SOURCES.md). Each package count is checked against
//! a count made a different, simpler way.

use std::path::Path;

use vouch_inventory::{
    Ecosystem, FileKind, Hash, HashAlgorithm, Parsed, Source, SourcePackage, parse, purl_of,
};

fn read(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

/// Parses a fixture as if it were found at `path` in a scanned root.
fn run_at(kind: FileKind, rel: &str, path: &str) -> Parsed {
    let bytes = read(rel);
    parse(kind, &Source::alone(path, &bytes)).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
}

fn warnings(parsed: &Parsed) -> Vec<String> {
    parsed
        .warnings
        .iter()
        .map(|w| {
            format!(
                "{}: {}",
                w.line.map_or("-".to_owned(), |l| l.to_string()),
                w.message
            )
        })
        .collect()
}

// ---------------------------------------------------------------- dpkg

const DPKG_STATUS: [&str; 6] = [
    "dpkg/trivy-valid/var/lib/dpkg/status",
    "dpkg/trivy-corrupsed/var/lib/dpkg/status",
    "dpkg/trivy-digest/var/lib/dpkg/status",
    "dpkg/trivy-md5sums/var/lib/dpkg/status",
    "dpkg/trivy-only-apt/var/lib/dpkg/status",
    "dpkg/trivy-third-party/var/lib/dpkg/status",
];

const DPKG_STATUS_D: [&str; 7] = [
    "dpkg/syft-status.d-coreutils-relationships",
    "dpkg/syft-status.d-corrupt",
    "dpkg/syft-status.d-deinstall",
    "dpkg/syft-status.d-doc-examples",
    "dpkg/syft-status.d-installed-size-4KB",
    "dpkg/syft-status.d-multiple",
    "dpkg/syft-status.d-single",
];

/// dpkg-query semantics by a plain line scan: `Status:` lines saying `install ok installed`.
fn installed_status_lines(t: &str) -> usize {
    t.lines()
        .filter(|l| *l == "Status: install ok installed")
        .count()
}

#[test]
fn dpkg_status_counts_match_dpkg_query_semantics() {
    for rel in DPKG_STATUS {
        let parsed = run_at(FileKind::DpkgStatus, rel, "var/lib/dpkg/status");
        assert_eq!(
            parsed.packages.len(),
            installed_status_lines(&text(rel)),
            "{rel}"
        );
        assert!(
            parsed
                .packages
                .iter()
                .all(|p| p.ecosystem == Ecosystem::Debian && p.source_package.is_some())
        );
    }
    // What `dpkg-query --admindir=<copy> -W -f='${db:Status-Status}\n'` (dpkg 1.21, Debian 12)
    // counts as `installed` for each fixture, run once when the fixtures were added.
    let dpkg_query = [90, 4, 2, 1, 1, 2];
    for (rel, expected) in DPKG_STATUS.iter().zip(dpkg_query) {
        let parsed = run_at(FileKind::DpkgStatus, rel, "var/lib/dpkg/status");
        assert_eq!(parsed.packages.len(), expected, "{rel}");
    }
    let valid = run_at(FileKind::DpkgStatus, DPKG_STATUS[0], "var/lib/dpkg/status");
    // 91 stanzas, of which `git` is `deinstall ok config-files`: removed, only its conffiles left
    assert_eq!(valid.packages.len(), 90);
    assert!(!valid.packages.iter().any(|p| p.name == "git"));
    assert!(valid.warnings.is_empty(), "{:?}", warnings(&valid));
}

#[test]
fn dpkg_status_d_counts() {
    for rel in DPKG_STATUS_D {
        let t = text(rel);
        // a status.d stanza is installed unless its Status says otherwise
        let expected = t
            .split("\n\n")
            .filter(|s| {
                s.lines().any(|l| l.starts_with("Package: "))
                    && s.lines().any(|l| l.starts_with("Version: "))
            })
            .filter(|s| {
                s.lines()
                    .all(|l| !l.starts_with("Status: ") || l == "Status: install ok installed")
            })
            .count();
        let name = rel.rsplit('/').next().unwrap();
        let parsed = run_at(
            FileKind::DpkgStatusD,
            rel,
            &format!("var/lib/dpkg/status.d/{name}"),
        );
        assert_eq!(parsed.packages.len(), expected, "{rel}");
    }
}

#[test]
fn dpkg_epoch_source_arch_and_purl() {
    let parsed = run_at(FileKind::DpkgStatus, DPKG_STATUS[0], "var/lib/dpkg/status");
    let audit = parsed
        .packages
        .iter()
        .find(|p| p.name == "libaudit1")
        .unwrap();
    assert_eq!(audit.version, "1:2.8.2-1ubuntu1");
    assert_eq!(audit.line, Some(124));
    assert_eq!(
        audit.source_package,
        Some(SourcePackage {
            name: "audit".into(),
            version: "1:2.8.2-1ubuntu1".into()
        })
    );
    let deps: Vec<&str> = audit.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(deps, ["libaudit-common", "libc6", "libcap-ng0"]);
    assert_eq!(
        purl_of(audit, None).to_string(),
        "pkg:deb/debian/libaudit1@1:2.8.2-1ubuntu1?arch=amd64"
    );
    // Source with its own version in parentheses
    let lzma = parsed
        .packages
        .iter()
        .find(|p| {
            p.source_package
                .as_ref()
                .is_some_and(|s| s.name == "xz-utils")
        })
        .unwrap();
    assert_eq!(lzma.version, "5.1.1alpha+20120614-2+b3");
    assert_eq!(
        lzma.source_package.as_ref().unwrap().version,
        "5.1.1alpha+20120614-2"
    );
    // Pre-Depends are edges too
    assert!(
        lzma.dependencies
            .iter()
            .any(|d| d.name == "multiarch-support")
    );
}

#[test]
fn dpkg_status_d_snapshot() {
    let parsed = run_at(
        FileKind::DpkgStatusD,
        "dpkg/syft-status.d-single",
        "var/lib/dpkg/status.d/syft-status.d-single",
    );
    insta::assert_json_snapshot!("dpkg_status_d_single", parsed.packages);
}

#[test]
fn dpkg_corrupt_stanzas_warn_and_the_rest_is_kept() {
    let parsed = run_at(FileKind::DpkgStatus, DPKG_STATUS[1], "var/lib/dpkg/status");
    assert_eq!(
        warnings(&parsed),
        [
            "63: `brokenPackageWithNoVersionThatShouldGetThrownOut` has no `Status` field; skipped",
            "85: `invalidpkg` has no `Status` field; skipped",
        ]
    );
    let names: Vec<&str> = parsed.packages.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.starts_with(&["libpam-runtime", "libpam-modules-bin", "makedev", "libgcc1"]),
        "{names:?}"
    );
    let gcc = parsed
        .packages
        .iter()
        .find(|p| p.name == "libgcc1")
        .unwrap();
    assert_eq!(
        gcc.source_package,
        Some(SourcePackage {
            name: "gcc-5".into(),
            version: "5.1.1-12ubuntu1".into()
        })
    );

    let corrupt = run_at(
        FileKind::DpkgStatusD,
        "dpkg/syft-status.d-corrupt",
        "var/lib/dpkg/status.d/corrupt",
    );
    assert!(corrupt.packages.is_empty());
    assert_eq!(
        warnings(&corrupt),
        [
            "5: line is not a `Field: value` pair",
            "1: stanza has no `Package` field; skipped",
        ]
    );
}

#[test]
fn dpkg_installed_but_bad_version_warns() {
    let status = b"Package: a\nStatus: install ok installed\nVersion: 1:5.#\n\nPackage: b\nStatus: hold ok installed\nVersion: 2.0\n\nPackage: c\nStatus: deinstall ok config-files\nVersion: 1.0\n";
    let parsed = parse(
        FileKind::DpkgStatus,
        &Source::alone("var/lib/dpkg/status", status),
    )
    .unwrap();
    let names: Vec<&str> = parsed.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["b"]);
    assert_eq!(
        warnings(&parsed),
        ["3: `a` has an invalid version; skipped"]
    );

    let glued = b"Package: a\nStatus: install ok installed\nVersion: 1.0\nPackage: b\nStatus: install ok installed\nVersion: 2.0\n";
    let parsed = parse(
        FileKind::DpkgStatus,
        &Source::alone("var/lib/dpkg/status", glued),
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 2);
    assert_eq!(
        warnings(&parsed),
        ["4: `Package:` starts a new stanza without a blank line before it"]
    );
}

// ---------------------------------------------------------------- apk

const APK: [&str; 9] = [
    "apk/grype-image-alpine-match-coverage-installed",
    "apk/syft-base",
    "apk/syft-corrupt-installed",
    "apk/syft-empty-deps-and-provides",
    "apk/syft-extra-file-attributes",
    "apk/syft-multiple-1-installed",
    "apk/syft-multiple-2-installed",
    "apk/syft-single",
    "apk/trivy-apk-installed",
];

#[test]
fn apk_counts_match_p_lines_with_a_v() {
    for rel in APK {
        let expected = text(rel)
            .split("\n\n")
            .filter(|s| {
                s.lines().any(|l| l.starts_with("P:")) && s.lines().any(|l| l.starts_with("V:"))
            })
            .count();
        let parsed = run_at(FileKind::ApkInstalled, rel, "lib/apk/db/installed");
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        assert!(expected > 0, "{rel}");
    }
}

#[test]
fn apk_fields_and_snapshot() {
    let parsed = run_at(
        FileKind::ApkInstalled,
        "apk/syft-single",
        "lib/apk/db/installed",
    );
    insta::assert_json_snapshot!("apk_single", parsed.packages);
    let p = parsed.packages.first().unwrap();
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("musl-utils", "1.1.24-r2")
    );
    assert_eq!(p.licenses, ["MIT BSD GPL2+"]);
    assert_eq!(
        p.source_package,
        Some(SourcePackage {
            name: "musl".into(),
            version: "1.1.24-r2".into()
        })
    );
    assert_eq!(
        p.hashes,
        [Hash::from_hex(
            HashAlgorithm::Sha1,
            "6d3b45e79dbab444ca7cbfa59e2833203be6fb6a"
        )
        .unwrap()]
    );
    assert_eq!(
        purl_of(p, None).to_string(),
        "pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64"
    );
    // so:/cmd:/pc: provider names are not package edges
    assert!(p.dependencies.iter().all(|d| !d.name.contains(':')));
}

#[test]
fn apk_corrupt_entries_warn_and_the_rest_is_kept() {
    let parsed = run_at(
        FileKind::ApkInstalled,
        "apk/trivy-apk-installed",
        "lib/apk/db/installed",
    );
    assert_eq!(
        warnings(&parsed),
        ["23: entry `invalidPackageWithoutAVersion` has no version (`V:`); skipped"]
    );
    assert!(
        parsed
            .packages
            .iter()
            .any(|p| p.name == "busybox" && p.version == "1.24.2-r9")
    );

    let corrupt = run_at(
        FileKind::ApkInstalled,
        "apk/syft-corrupt-installed",
        "lib/apk/db/installed",
    );
    assert_eq!(warnings(&corrupt), ["1: line is not an `X:value` field"]);
    let names: Vec<&str> = corrupt.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["alpine-baselayout-data"]);
}

// ---------------------------------------------------------------- rpm

#[test]
fn rpm_sqlite_reads_the_packages_rpm_wrote() {
    // `rpm -qa --dbpath …` on this fixture lists exactly these two (see make-rpmdb.sh).
    let parsed = run_at(
        FileKind::RpmSqlite,
        "rpm/rpmdb.sqlite",
        "var/lib/rpm/rpmdb.sqlite",
    );
    assert!(parsed.warnings.is_empty(), "{:?}", warnings(&parsed));
    assert_eq!(parsed.packages.len(), 2);
    insta::assert_json_snapshot!("rpm_sqlite", parsed.packages);
    let hello = parsed
        .packages
        .iter()
        .find(|p| p.name == "hello-vouch")
        .unwrap();
    assert_eq!(hello.version, "2:1.2.3-4.fc40");
    assert_eq!(hello.licenses, ["MIT AND (Apache-2.0 OR BSD-3-Clause)"]);
    assert_eq!(
        hello.source_package,
        Some(SourcePackage {
            name: "hello-vouch".into(),
            version: "2:1.2.3-4.fc40".into()
        })
    );
    let demo = parsed
        .packages
        .iter()
        .find(|p| p.name == "libdemo")
        .unwrap();
    assert_eq!(demo.version, "0.9-1");
    assert!(demo.dependencies.iter().any(|d| d.name == "hello-vouch"));
}

#[test]
fn rpm_not_sqlite_is_an_error() {
    let err = parse(
        FileKind::RpmSqlite,
        &Source::alone("rpmdb.sqlite", b"not a database"),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "not an SQLite database (no `SQLite format 3` header)"
    );
    // a truncated database
    let bytes = read("rpm/rpmdb.sqlite");
    let cut = bytes.get(..4096).unwrap();
    let result = parse(FileKind::RpmSqlite, &Source::alone("rpmdb.sqlite", cut));
    let err = result.unwrap_err();
    assert!(
        err.message
            .starts_with("not a readable rpm sqlite database"),
        "{err}"
    );
}

// ---------------------------------------------------------------- Python installed

#[test]
fn python_installed_records() {
    let cases = [
        (
            "dist-info/site-packages/attrs-26.1.0.dist-info/METADATA",
            "attrs",
            "26.1.0",
            vec!["MIT"],
        ),
        (
            "dist-info/dist-packages/cryptography-38.0.4.dist-info/METADATA",
            "cryptography",
            "38.0.4",
            vec!["BSD-3-Clause OR Apache-2.0"],
        ),
        (
            "dist-info/dist-packages/six-1.16.0.egg-info/PKG-INFO",
            "six",
            "1.16.0",
            vec!["MIT"],
        ),
        (
            "dist-info/site-packages/six-1.16.0.egg-info",
            "six",
            "1.16.0",
            vec!["MIT"],
        ),
    ];
    for (rel, name, version, licenses) in cases.clone() {
        assert_eq!(
            vouch_inventory::detect(rel),
            Some(FileKind::PythonInstalled),
            "{rel}"
        );
        let parsed = run_at(FileKind::PythonInstalled, rel, rel);
        // one record per file: count the Name headers of the header block
        let expected = text(rel)
            .split("\n\n")
            .next()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("Name: "))
            .count();
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        let p = parsed.packages.first().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str(), p.line),
            (name, version, Some(2)),
            "{rel}"
        );
        assert_eq!(p.licenses, licenses, "{rel}");
    }
    let crypto = run_at(FileKind::PythonInstalled, cases[1].0, cases[1].0);
    insta::assert_json_snapshot!("python_cryptography", crypto.packages);
}

#[test]
fn python_record_without_version_warns() {
    let rel = "dist-info/broken/nameless-1.0.dist-info/METADATA";
    let parsed = run_at(FileKind::PythonInstalled, rel, rel);
    assert!(parsed.packages.is_empty());
    assert_eq!(
        warnings(&parsed),
        ["-: `nameless` has no `Version` header; skipped"]
    );
}

// ---------------------------------------------------------------- node_modules

#[test]
fn node_modules_package_json() {
    let cases = [
        (
            "node_modules/util-deprecate/package.json",
            "util-deprecate",
            "1.0.2",
            vec!["MIT"],
        ),
        (
            "node_modules/@npmcli/fs/package.json",
            "@npmcli/fs",
            "5.0.0",
            vec!["ISC"],
        ),
        (
            "node_modules/spdx-license-ids/package.json",
            "spdx-license-ids",
            "3.0.23",
            vec!["CC0-1.0"],
        ),
        (
            "node_modules/qrcode-terminal/package.json",
            "qrcode-terminal",
            "0.12.0",
            vec!["Apache 2.0"],
        ),
        (
            "node_modules/is-number/package.json",
            "is-number",
            "7.0.0",
            vec!["MIT"],
        ),
    ];
    for (rel, name, version, licenses) in cases.clone() {
        assert_eq!(
            vouch_inventory::detect(rel),
            Some(FileKind::NodeModule),
            "{rel}"
        );
        let parsed = run_at(FileKind::NodeModule, rel, rel);
        // independent count: the file is one package when it has both top-level keys
        let v: serde_json::Value = serde_json::from_slice(&read(rel)).unwrap();
        let expected = usize::from(v["name"].is_string() && v["version"].is_string());
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        let p = parsed.packages.first().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            (name, version),
            "{rel}"
        );
        assert_eq!(p.licenses, licenses, "{rel}");
    }
    let npm6 = run_at(FileKind::NodeModule, cases[4].0, cases[4].0);
    insta::assert_json_snapshot!("node_is_number_npm6", npm6.packages);
    let p = npm6.packages.first().unwrap();
    assert_eq!(
        p.resolved.as_ref().map(vouch_inventory::Url::expose),
        Some("https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz")
    );
    assert_eq!(
        p.hashes.first().map(|h| h.algorithm),
        Some(HashAlgorithm::Sha512)
    );
}

#[test]
fn node_package_json_without_version_warns() {
    let rel = "node_modules/stub/package.json";
    let parsed = run_at(FileKind::NodeModule, rel, rel);
    assert!(parsed.packages.is_empty());
    assert_eq!(
        warnings(&parsed),
        ["-: package.json of `stub` has no `version`; skipped"]
    );
    let err = parse(
        FileKind::NodeModule,
        &Source::alone(rel, b"{\"name\": \"x\","),
    )
    .unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (Some(1), "EOF while parsing a value")
    );
}

#[test]
fn python_requires_dist_edges_skip_extras() {
    let meta = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\nRequires-Dist: cffi (>=1.12)\nRequires-Dist: idna>=2; python_version < \"4\"\nRequires-Dist: pytest ; extra == 'test'\n\nbody\n";
    let parsed = parse(
        FileKind::PythonInstalled,
        &Source::alone("x/demo-1.0.dist-info/METADATA", meta),
    )
    .unwrap();
    let p = parsed.packages.first().unwrap();
    let deps: Vec<&str> = p.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(deps, ["cffi", "idna"]);
    assert_eq!(p.licenses, ["OSI Approved :: MIT License"]);
}

/// An RPM header blob built by hand: (tag, type, value) entries, strings NUL-terminated and
/// int32s big-endian, laid out as rpm stores them in `Packages.blob`.
fn rpm_header(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (tag, ty, value) in entries {
        for n in [*tag, *ty, u32::try_from(data.len()).unwrap(), 1] {
            index.extend_from_slice(&n.to_be_bytes());
        }
        data.extend_from_slice(value);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&u32::try_from(entries.len()).unwrap().to_be_bytes());
    blob.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
    blob.extend(index);
    blob.extend(data);
    blob
}

/// An rpmdb.sqlite image holding `blobs` as its Packages rows (hnum 1, 2, …).
fn rpmdb(blobs: &[Vec<u8>]) -> Vec<u8> {
    let mut conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
        [],
    )
    .unwrap();
    for b in blobs {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
            .unwrap();
    }
    conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
}

#[test]
fn rpm_hand_built_headers_good_and_bad() {
    const STRING: u32 = 6;
    const INT32: u32 = 4;
    let good = rpm_header(&[
        (1000, STRING, b"openssl-libs\0"),
        (1001, STRING, b"3.0.7\0"),
        (1002, STRING, b"27.el9\0"),
        (1003, INT32, &1u32.to_be_bytes()),
        (1022, STRING, b"x86_64\0"),
        (1014, STRING, b"Apache-2.0\0"),
        (1044, STRING, b"openssl-3.0.7-27.el9.src.rpm\0"),
    ]);
    let key = rpm_header(&[
        (1000, STRING, b"gpg-pubkey\0"),
        (1001, STRING, b"fd431d51\0"),
        (1002, STRING, b"4ae0493b\0"),
    ]);
    let no_version = rpm_header(&[(1000, STRING, b"nover\0")]);
    let unterminated = rpm_header(&[(1000, STRING, b"cut"), (1001, STRING, b"")]);
    let mut absurd = good.clone();
    absurd.splice(0..4, 0x0100_0000u32.to_be_bytes());
    let mut past_end = rpm_header(&[(1000, STRING, b"x\0")]);
    past_end.splice(16..20, 999u32.to_be_bytes()); // the entry's offset
    let truncated = good.get(..good.len() - 5).unwrap().to_vec();
    let db = rpmdb(&[
        good,
        key,
        no_version,
        unterminated,
        absurd,
        past_end,
        truncated,
    ]);
    let parsed = parse(
        FileKind::RpmSqlite,
        &Source::alone("var/lib/rpm/rpmdb.sqlite", &db),
    )
    .unwrap();
    let got: Vec<(&str, &str)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(got, [("openssl-libs", "1:3.0.7-27.el9")]);
    let p = parsed.packages.first().unwrap();
    assert_eq!(
        p.source_package,
        Some(SourcePackage {
            name: "openssl".into(),
            version: "1:3.0.7-27.el9".into()
        })
    );
    assert_eq!(
        purl_of(p, None).to_string(),
        "pkg:rpm/openssl-libs@1:3.0.7-27.el9?arch=x86_64"
    );
    assert_eq!(
        warnings(&parsed),
        [
            "-: Packages row 3: header has no NAME or VERSION; skipped",
            "-: Packages row 4: string of tag 1000 is not terminated; skipped",
            "-: Packages row 5: header has 16777216 index entries (allowed 1 to 65535); skipped",
            "-: Packages row 6: index entry 0 (tag 1000) points at offset 999, past the 2-byte data store; skipped",
            "-: Packages row 7: header says 7 entries and 77 data bytes, but the blob has 192 bytes; skipped",
        ]
    );
}

#[test]
fn rpm_database_without_packages_table_is_an_error() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute("CREATE TABLE Other (x)", []).unwrap();
    let mut conn = conn;
    let db = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
    let err = parse(FileKind::RpmSqlite, &Source::alone("rpmdb.sqlite", &db)).unwrap_err();
    assert_eq!(err.message, "database has no `Packages` table");
}

/// Deterministic byte mutations (xorshift) of every fixture of the Python, Go and installed
/// parsers: flips, truncations, duplicated and deleted spans. Any result is fine; a panic is
/// not. A cheap, always-run complement to `cargo fuzz` (see fuzz/README.md).
#[test]
fn mutated_fixtures_never_panic() {
    let cases: [(FileKind, &str); 14] = [
        (
            FileKind::Requirements,
            "python/sigstore-python.install.requirements-hashes.txt",
        ),
        (
            FileKind::Requirements,
            "python/req-include/requirements.txt",
        ),
        (FileKind::PoetryLock, "python/old-category.poetry.lock"),
        (FileKind::UvLock, "python/bad.uv.lock"),
        (FileKind::PipfileLock, "python/bad.Pipfile.lock"),
        (FileKind::GoMod, "go/replace/go.mod"),
        (FileKind::GoMod, "go/gitleaks.go.mod"),
        (
            FileKind::PythonInstalled,
            "dist-info/dist-packages/six-1.16.0.egg-info/PKG-INFO",
        ),
        (FileKind::NodeModule, "node_modules/is-number/package.json"),
        (
            FileKind::DpkgStatus,
            "dpkg/trivy-corrupsed/var/lib/dpkg/status",
        ),
        (FileKind::DpkgStatusD, "dpkg/syft-status.d-doc-examples"),
        (FileKind::ApkInstalled, "apk/trivy-apk-installed"),
        (FileKind::ApkInstalled, "apk/syft-corrupt-installed"),
        (FileKind::RpmSqlite, "rpm/rpmdb.sqlite"),
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (kind, rel) in cases {
        let original = read(rel);
        let rounds = if kind == FileKind::RpmSqlite { 40 } else { 300 };
        for _ in 0..rounds {
            let mut bytes = original.clone();
            for _ in 0..=(next() % 4) {
                let len = bytes.len().max(1) as u64;
                let at = (next() % len) as usize;
                match next() % 5 {
                    0 => {
                        if let Some(b) = bytes.get_mut(at) {
                            *b ^= 1 << (next() % 8);
                        }
                    }
                    1 => bytes.truncate(at),
                    2 => {
                        let end = (at + (next() % 64) as usize).min(bytes.len());
                        let span: Vec<u8> = bytes.get(at..end).unwrap_or(&[]).to_vec();
                        bytes.splice(at..at, span);
                    }
                    3 => {
                        let end = (at + (next() % 64) as usize).min(bytes.len());
                        bytes.drain(at.min(end)..end);
                    }
                    _ => {
                        let special = [b'\n', b'\\', b'[', b'"', b':', b'(', b'#', b'=', 0, 0xff];
                        if let Some(b) = bytes.get_mut(at) {
                            *b = special[(next() % special.len() as u64) as usize];
                        }
                    }
                }
            }
            let _ = parse(kind, &Source::alone(rel, &bytes));
        }
    }
}

#[test]
fn os_databases_with_a_stray_latin1_byte_are_still_read() {
    let status = b"Package: a\nStatus: install ok installed\nMaintainer: Jos\xe9\nVersion: 1.0\n";
    let parsed = parse(
        FileKind::DpkgStatus,
        &Source::alone("var/lib/dpkg/status", status),
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(
        warnings(&parsed),
        ["3: file is not valid UTF-8; invalid bytes replaced"]
    );
    let apk = b"P:a\nV:1.0-r0\nm:Jos\xe9\n";
    let parsed = parse(
        FileKind::ApkInstalled,
        &Source::alone("lib/apk/db/installed", apk),
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(
        warnings(&parsed),
        ["3: file is not valid UTF-8; invalid bytes replaced"]
    );
}
