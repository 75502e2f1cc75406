//! Malicious-package records (ossf/malicious-packages `MAL-`): reading them from a folder, the
//! repository's tar.xz and zip archives (directory entries, nested paths), the archive bounds,
//! and matching them as `malicious-package` findings, distinct from vulnerabilities.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use vouch_advisory::import::{self, Collected, Compression, ReadError};
use vouch_advisory::matching::{MALICIOUS_RULE, MatchKind, MatchOptions};
use vouch_advisory::{Database, MatchOutcome};
use vouch_inventory::{Component, Ecosystem, Scope};
use vouch_report::Severity;
use vouch_report::vulns::render;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/malicious")
}

/// The eight real records copied under `fixtures/malicious/osv`, by id.
const IDS: [&str; 8] = [
    "MAL-2023-462",
    "MAL-2024-10573",
    "MAL-2024-11183",
    "MAL-2024-2781",
    "MAL-2024-9269",
    "MAL-2025-3660",
    "MAL-2025-4542",
    "MAL-2025-731",
];

fn ids_of(c: &Collected) -> Vec<String> {
    let mut ids: Vec<String> = c.records.iter().map(|r| r.advisory.id.clone()).collect();
    ids.sort();
    ids
}

fn component(eco: Ecosystem, name: &str, version: &str) -> Component {
    let purl = match eco {
        Ecosystem::Npm => match name.strip_prefix('@') {
            Some(scoped) => format!("pkg:npm/%40{scoped}@{version}"),
            None => format!("pkg:npm/{name}@{version}"),
        },
        Ecosystem::PyPi => format!("pkg:pypi/{name}@{version}"),
        _ => unreachable!(),
    };
    Component {
        ecosystem: eco,
        name: name.into(),
        version: version.into(),
        purl,
        scope: Scope::Required,
        hashes: vec![],
        licenses: vec![],
        source_package: None,
        resolved: None,
        evidence: vec![],
        dependencies: vec![],
        first_party: false,
        properties: Default::default(),
    }
}

fn db() -> Database {
    let c = import::read_paths(&[fixtures().join("records.tar.xz")]).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let mut db = Database::in_memory().unwrap();
    db.import(&c.records).unwrap();
    db
}

fn matched(components: &[Component]) -> MatchOutcome {
    db().match_components(components, None, &MatchOptions::default())
        .unwrap()
}

#[test]
fn real_records_are_malicious_and_read_alike_from_folder_and_tar_xz() {
    let folder = import::read_paths(&[fixtures().join("osv")]).unwrap();
    let tar = import::read_paths(&[fixtures().join("records.tar.xz")]).unwrap();
    assert!(folder.problems.is_empty(), "{:?}", folder.problems);
    assert!(tar.problems.is_empty(), "{:?}", tar.problems);
    assert_eq!(ids_of(&folder), IDS);
    assert_eq!(ids_of(&tar), IDS);
    // Directory entries are skipped, not counted as files.
    assert_eq!(tar.files, 8);
    assert!(tar.records.iter().all(|r| r.advisory.is_malicious()));
    // The same records, whichever container they came in.
    let mut a = Database::in_memory().unwrap();
    a.import(&folder.records).unwrap();
    let mut b = Database::in_memory().unwrap();
    b.import(&tar.records).unwrap();
    assert_eq!(a.digest().unwrap(), b.digest().unwrap());
}

#[test]
fn the_repository_zip_with_directory_entries_and_nested_paths_imports() {
    let c = import::read_paths(&[fixtures().join("typosquat-records.zip")]).unwrap();
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    // 899 JSON files, 904 directory entries beside them: only the files are read.
    assert_eq!(c.files, 899);
    assert_eq!(c.records.len(), 899);
    assert!(c.records.iter().all(|r| r.advisory.is_malicious()));
    let mut db = Database::in_memory().unwrap();
    db.import(&c.records).unwrap();
    let status = db.status().unwrap();
    assert_eq!(status.advisories, 899);
    // Scoped npm names sit two folders deep; the name comes from the record, not the path.
    let in_zip = c
        .records
        .iter()
        .filter_map(|r| r.advisory.affected.first()?.package.as_ref())
        .any(|p| p.name.starts_with('@'));
    assert!(in_zip);
}

#[test]
fn non_malicious_records_are_not_malicious() {
    let ghsa = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/packagist/GHSA-9f46-5r25-5wfm.json"),
    )
    .unwrap();
    let r = vouch_advisory::osv::parse_json(&ghsa).unwrap();
    assert!(!r.advisory.is_malicious());
}

#[test]
fn a_malicious_version_is_a_malicious_package_finding_with_id_and_summary() {
    let components = [
        // `versions: ["3.9.0"]`
        component(Ecosystem::Npm, "abha", "3.9.0"),
        // SEMVER `introduced: 0`: every version
        component(Ecosystem::Npm, "pie-docs", "0.0.1"),
        // hijacked releases 1.95.6 and 1.95.7 (`fixed: 1.95.8`)
        component(Ecosystem::Npm, "@solana/web3.js", "1.95.6"),
        // PyPI ECOSYSTEM `introduced: 0`, name normalised (PEP 503)
        component(Ecosystem::PyPi, "Fabrice", "1.0"),
        // PyPI `versions: ["7.0.6"]`
        component(Ecosystem::PyPi, "posi", "7.0.6"),
    ];
    let outcome = matched(&components);
    let got: Vec<(&str, &str, MatchKind)> = outcome
        .matches
        .iter()
        .map(|m| (m.component.name.as_str(), m.id.as_str(), m.kind))
        .collect();
    assert_eq!(
        got,
        [
            ("@solana/web3.js", "MAL-2024-11183", MatchKind::Malicious),
            ("abha", "MAL-2025-731", MatchKind::Malicious),
            ("pie-docs", "MAL-2025-3660", MatchKind::Malicious),
            ("Fabrice", "MAL-2024-10573", MatchKind::Malicious),
            ("posi", "MAL-2024-9269", MatchKind::Malicious),
        ]
    );
    for m in &outcome.matches {
        assert_eq!(m.finding.rule_id, MALICIOUS_RULE);
        assert_eq!(m.severity, Severity::Critical);
        assert_eq!(m.finding.severity, Severity::Critical);
        assert_eq!(m.finding.properties["kind"], "malicious");
        assert_eq!(m.finding.properties["advisory_id"], m.id.as_str());
    }
    let abha = &outcome.matches[1];
    assert_eq!(
        abha.finding.message,
        "abha 3.9.0 is a malicious package: MAL-2025-731: Malicious code in abha (npm)"
    );
    assert_eq!(
        abha.finding.remediation.as_deref(),
        Some(
            "remove abha 3.9.0; treat machines that installed abha 3.9.0 as compromised and rotate the credentials they held"
        )
    );
    // A hijacked release has a clean version to move to.
    let solana = &outcome.matches[0];
    assert_eq!(solana.fixed, ["1.95.8"]);
    assert!(
        solana
            .finding
            .remediation
            .as_deref()
            .unwrap()
            .starts_with("upgrade @solana/web3.js to 1.95.8;")
    );
    assert_eq!(
        outcome.matches[3].finding.message,
        "Fabrice 1.0 is a malicious package: MAL-2024-10573: Malicious code in fabrice (PyPI)"
    );
}

#[test]
fn versions_outside_the_record_withdrawn_records_and_other_names_do_not_match() {
    let clean = [
        component(Ecosystem::Npm, "abha", "3.8.0"),
        component(Ecosystem::Npm, "@solana/web3.js", "1.95.5"),
        component(Ecosystem::Npm, "@solana/web3.js", "1.95.8"),
        component(Ecosystem::Npm, "@hd-base/atoms", "1.2.0"),
        // withdrawn: MAL-2024-2781 named ocore 1.0.0
        component(Ecosystem::Npm, "ocore", "1.0.0"),
        // fsevents is malicious only in [1.0.0, 1.2.11)
        component(Ecosystem::Npm, "fsevents", "2.3.3"),
        component(Ecosystem::PyPi, "posi", "7.0.5"),
        component(Ecosystem::PyPi, "fabric", "3.2.2"),
    ];
    let outcome = matched(&clean);
    assert!(outcome.matches.is_empty(), "{:#?}", outcome.matches);
    assert_eq!(outcome.components, clean.len());
}

#[test]
fn malicious_matches_render_as_their_own_kind() {
    let outcome = matched(&[
        component(Ecosystem::Npm, "abha", "3.9.0"),
        component(Ecosystem::Npm, "fsevents", "1.2.10"),
    ]);
    let table = render::table(&outcome, &[]);
    assert!(
        table.contains("  critical MALICIOUS MAL-2025-731  remove it\n"),
        "{table}"
    );
    assert!(
        table.contains("2 malicious packages, 0 vulnerabilities in 2 component(s) checked"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&render::json(&outcome, &[], "0.0.0")).unwrap();
    assert_eq!(json["matches"][0]["kind"], "malicious");
    assert_eq!(json["findings"][0]["rule_id"], MALICIOUS_RULE);
    // fsevents' record has a GHSA alias: the id stays the MAL one, the alias is listed.
    assert_eq!(json["matches"][1]["id"], "MAL-2023-462");
    assert_eq!(json["matches"][1]["aliases"][0], "GHSA-xv2f-5jw4-v95m");
    let sarif: serde_json::Value = serde_json::from_str(&render::sarif(&outcome, "0.0.0")).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1, "one rule for every malicious match");
    assert_eq!(rules[0]["id"], MALICIOUS_RULE);
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], MALICIOUS_RULE);
    assert_eq!(sarif["runs"][0]["results"][0]["level"], "error");
    let cdx = render::cyclonedx(&outcome, "0.0.0");
    vouch_test::assert_valid_cyclonedx(&cdx);
    let cdx: serde_json::Value = serde_json::from_str(&cdx).unwrap();
    assert_eq!(cdx["vulnerabilities"][0]["id"], "MAL-2025-731");
    assert_eq!(cdx["vulnerabilities"][0]["cwes"][0], 506);
    assert_eq!(
        cdx["vulnerabilities"][0]["properties"][0]["value"],
        "malicious"
    );
    let gitlab: serde_json::Value =
        serde_json::from_str(&render::gitlab(&outcome, "0.0.0", "2026-01-01T00:00:00")).unwrap();
    assert_eq!(
        gitlab["vulnerabilities"][0]["name"],
        "Malicious package: Malicious code in abha (npm)"
    );
    assert_eq!(gitlab["vulnerabilities"][0]["severity"], "Critical");
}

#[test]
fn ignore_entries_suppress_a_malicious_match_by_its_id() {
    let mut outcome = matched(&[component(Ecosystem::Npm, "abha", "3.9.0")]);
    let entries = vouch_advisory::suppress::parse_ignore(
        ".vouch/ignore.toml",
        r#"
[[ignore]]
id = "MAL-2025-731"
purl = "pkg:npm/abha"
reason = "an internal package of the same name"
expires = 2030-01-01
"#,
    )
    .unwrap();
    let s = vouch_advisory::suppress::Suppressions {
        vex: vec![],
        ignore: entries,
    };
    let expired = s.apply(
        &mut outcome.matches,
        vouch_advisory::suppress::Date::parse("2026-01-01").unwrap(),
    );
    assert!(expired.is_empty());
    let sup = outcome.matches[0].finding.suppressed.as_ref().unwrap();
    assert_eq!(sup.kind, "ignore-file");
    let table = render::table(&outcome, &[]);
    assert!(
        table.contains("0 vulnerabilities in 1 component(s) checked, 1 suppressed"),
        "{table}"
    );
}

// ---- archives: bad records, bounds, corruption ----

fn tar_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_cksum();
    b.append_data(&mut dir, "osv/", std::io::empty()).unwrap();
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn read_tar(bytes: &[u8], c: Compression, limit: u64) -> Result<Collected, ReadError> {
    let mut out = Collected::default();
    import::read_tar_capped(bytes, c, "records.tar.xz", &mut out, limit)?;
    Ok(out)
}

#[test]
fn a_bad_record_inside_an_archive_is_named_and_the_rest_imports() {
    let good = std::fs::read(fixtures().join("osv/malicious/npm/abha/MAL-2025-731.json")).unwrap();
    let tar = tar_with(&[
        ("osv/malicious/npm/abha/MAL-2025-731.json", &good),
        ("osv/malicious/npm/broken/MAL-0000-1.json", b"{\"id\": "),
        ("osv/malicious/npm/x/README.txt", b"not a record"),
        ("osv/.git/config.json", b"{"),
    ]);
    let c = read_tar(&xz(&tar), Compression::Xz, u64::MAX).unwrap();
    assert_eq!(ids_of(&c), ["MAL-2025-731"]);
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    assert_eq!(
        c.problems[0].to_string(),
        "records.tar.xz!osv/malicious/npm/broken/MAL-0000-1.json: invalid JSON at line 1 column 7: EOF while parsing a value"
    );
    // Plain and gzip tar read the same way.
    let plain = read_tar(&tar, Compression::None, u64::MAX).unwrap();
    assert_eq!(ids_of(&plain), ["MAL-2025-731"]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let gz = read_tar(&gz.finish().unwrap(), Compression::Gzip, u64::MAX).unwrap();
    assert_eq!(ids_of(&gz), ["MAL-2025-731"]);
}

#[test]
fn archive_bounds_stop_decompression_bombs() {
    // An entry over the per-record limit is a named problem; its bytes are skipped unread.
    let big = vec![b' '; (import::MAX_RECORD + 1) as usize];
    let good = std::fs::read(fixtures().join("osv/malicious/npm/abha/MAL-2025-731.json")).unwrap();
    let tar = tar_with(&[
        ("osv/big/MAL-big.json", &big),
        ("osv/malicious/npm/abha/MAL-2025-731.json", &good),
    ]);
    let packed = xz(&tar);
    assert!(packed.len() < 64 * 1024, "{}", packed.len());
    let c = read_tar(&packed, Compression::Xz, u64::MAX).unwrap();
    assert_eq!(ids_of(&c), ["MAL-2025-731"]);
    assert_eq!(
        c.problems[0].to_string(),
        format!(
            "records.tar.xz!osv/big/MAL-big.json: not an OSV record: entry is larger than {} bytes",
            import::MAX_RECORD
        )
    );
    // The whole archive is bounded too, skipped entries and headers included.
    let err = read_tar(&packed, Compression::Xz, 1024 * 1024).unwrap_err();
    assert_eq!(
        err.to_string(),
        "records.tar.xz: archive expands to more than 1048576 bytes"
    );
}

#[test]
fn corrupt_and_truncated_archives_are_errors() {
    let bytes = std::fs::read(fixtures().join("records.tar.xz")).unwrap();
    let err = read_tar(&bytes[..bytes.len() / 2], Compression::Xz, u64::MAX).unwrap_err();
    assert!(matches!(err, ReadError::Tar { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "records.tar.xz is not a readable tar archive"
    );
    let err = read_tar(b"not xz at all", Compression::Xz, u64::MAX).unwrap_err();
    assert!(matches!(err, ReadError::Tar { .. }), "{err}");
    // An xz header asking for a dictionary over the decoder's memory limit is refused, not
    // allocated: LZMA2 dictionary byte 40 = 4 GiB - 1.
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 0);
    e.write_all(b"x").unwrap();
    let mut small = e.finish().unwrap();
    // Stream header (12 bytes), block header: size byte, flags, filter id 0x21, props size 1,
    // then the dictionary byte.
    assert_eq!(&small[12 + 2..12 + 4], &[0x21, 0x01]);
    small[12 + 4] = 40;
    // The block header's CRC32 no longer matches: recompute it.
    let header_len = (small[12] as usize + 1) * 4;
    let crc = crc32(&small[12..12 + header_len - 4]);
    small[12 + header_len - 4..12 + header_len].copy_from_slice(&crc.to_le_bytes());
    let err = read_tar(&small, Compression::Xz, u64::MAX).unwrap_err();
    let mut chain = err.to_string();
    let mut cur = std::error::Error::source(&err);
    while let Some(e) = cur {
        chain.push_str(&format!(": {e}"));
        cur = e.source();
    }
    assert!(chain.contains("memory limit reached"), "{chain}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
