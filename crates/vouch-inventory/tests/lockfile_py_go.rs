//! Python and Go lockfile parsers against real-world fixtures (see tests/fixtures/*/SOURCES.md).
//! Each fixture's package count is checked against a count made a different, simpler way.

use std::path::{Component, Path, PathBuf};

use vouch_inventory::{
    Ecosystem, FileKind, Hash, HashAlgorithm, Parsed, Scope, Siblings, Source, parse,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Reads siblings from a folder inside the fixtures, refusing paths that leave `root`.
struct Dir {
    root: PathBuf,
    base: PathBuf,
}

impl Siblings for Dir {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        let mut path = self.base.clone();
        for c in Path::new(relative).components() {
            match c {
                Component::Normal(p) => path.push(p),
                Component::ParentDir => {
                    path.pop();
                }
                Component::CurDir => {}
                _ => return None,
            }
        }
        if !path.starts_with(&self.root) {
            return None;
        }
        std::fs::read(path).ok()
    }
}

fn run(kind: FileKind, rel: &str) -> Parsed {
    let bytes = read(rel);
    let base = fixtures()
        .join(rel)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(fixtures);
    let dir = Dir {
        root: base.clone(),
        base,
    };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let source = Source {
        path: name,
        bytes: &bytes,
        siblings: &dir,
    };
    parse(kind, &source).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
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

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

// ---------------------------------------------------------------- requirements.txt

const REQUIREMENTS: [&str; 3] = [
    "python/sigstore-python.install.requirements-hashes.txt",
    "python/sigstore-conformance.requirements-hashes.txt",
    "python/in-toto.requirements-pinned.txt",
];

#[test]
fn requirements_counts_match_a_line_scan() {
    let pinned = regex::Regex::new(r"^[A-Za-z0-9._-]+(\[.*\])?===?").unwrap();
    for rel in REQUIREMENTS {
        let expected = text(rel).lines().filter(|l| pinned.is_match(l)).count();
        let parsed = run(FileKind::Requirements, rel);
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        assert!(expected > 5, "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", warnings(&parsed));
        assert!(
            parsed
                .packages
                .iter()
                .all(|p| p.ecosystem == Ecosystem::PyPi && p.line.is_some())
        );
    }
}

#[test]
fn requirements_match_pips_own_parser() {
    // pip 23 `pip._internal.req.req_file.parse_requirements` on the same files, counting
    // requirements with one `==`/`===` specifier and their `--hash=sha256:` options
    // (run once when the fixtures were added). pip reports 506 hashes for sigstore-conformance
    // because that file lists 46 of cryptography's hashes twice; vouch keeps distinct ones: 460.
    let pip = [(32, 426), (28, 460), (10, 0)];
    for (rel, (packages, hashes)) in REQUIREMENTS.iter().zip(pip) {
        let parsed = run(FileKind::Requirements, rel);
        let got_hashes: usize = parsed.packages.iter().map(|p| p.hashes.len()).sum();
        assert_eq!(
            (parsed.packages.len(), got_hashes),
            (packages, hashes),
            "{rel}"
        );
    }
}

#[test]
fn requirements_hashes_on_continuation_lines() {
    let parsed = run(
        FileKind::Requirements,
        "python/sigstore-python.install.requirements-hashes.txt",
    );
    let at = parsed
        .packages
        .iter()
        .find(|p| p.name == "annotated-types")
        .unwrap();
    assert_eq!(at.version, "0.8.0");
    assert_eq!(at.line, Some(7));
    assert_eq!(
        at.hashes,
        vec![
            Hash::from_hex(
                HashAlgorithm::Sha256,
                "13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7"
            )
            .unwrap(),
            Hash::from_hex(
                HashAlgorithm::Sha256,
                "f072f4d804ea359e4eaf198b1af7a8b0943881a87f31bb764f8bf219bb9419e0"
            )
            .unwrap(),
        ]
    );
    // every pinned requirement in a --generate-hashes file has at least one hash
    assert!(parsed.packages.iter().all(|p| !p.hashes.is_empty()));
}

#[test]
fn requirements_extras_snapshot() {
    let parsed = run(
        FileKind::Requirements,
        "python/in-toto.requirements-pinned.txt",
    );
    let s = parsed
        .packages
        .iter()
        .find(|p| p.name == "securesystemslib")
        .unwrap();
    assert_eq!(s.version, "0.31.0");
    insta::assert_json_snapshot!("requirements_in_toto", parsed.packages);
}

#[test]
fn requirements_includes_constraints_and_cycles() {
    let parsed = run(
        FileKind::Requirements,
        "python/req-include/requirements.txt",
    );
    let got: Vec<(String, String, Option<u32>)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.line))
        .collect();
    assert_eq!(
        got,
        vec![
            // from `-r sub/base.txt` on line 2
            ("urllib3".to_owned(), "2.0.7".to_owned(), Some(2)),
            ("requests".to_owned(), "2.31.0".to_owned(), Some(4)),
            // unpinned `idna` pinned by the constraints file; certifi there is not installed
            ("idna".to_owned(), "3.6".to_owned(), Some(6)),
        ]
    );
    let requests = parsed
        .packages
        .iter()
        .find(|p| p.name == "requests")
        .unwrap();
    assert_eq!(
        requests.hashes,
        vec![
            Hash::from_hex(
                HashAlgorithm::Sha256,
                "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"
            )
            .unwrap()
        ]
    );
    assert_eq!(
        warnings(&parsed),
        vec![
            "2: in included file, line 2: include `../requirements.txt` is already being read (a cycle); not read again",
            "10: included file `missing.txt` could not be read",
        ]
    );
}

#[test]
fn requirements_malformed_lines_warn_and_the_rest_is_kept() {
    let parsed = run(FileKind::Requirements, "python/bad-requirements.txt");
    let names: Vec<&str> = parsed.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["six", "packaging"]);
    assert_eq!(
        warnings(&parsed),
        vec![
            "2: not a requirement: no valid project name",
            "3: `attrs`: `[` of the extras is never closed",
            "4: `pytest`: `==` with no version",
        ]
    );
}

#[test]
fn requirements_not_utf8_is_an_error() {
    let err = parse(
        FileKind::Requirements,
        &Source::alone("requirements.txt", b"six==1.0\n\xff\n"),
    )
    .unwrap_err();
    assert_eq!(
        (err.message.as_str(), err.line, err.column),
        ("file is not valid UTF-8", Some(2), Some(1))
    );
}

// ---------------------------------------------------------------- poetry.lock

#[test]
fn poetry_counts_match_package_headers() {
    for rel in [
        "python/syft-fixture.nested-extras.poetry.lock",
        "python/trivy-fixture.with-groups.poetry.lock",
    ] {
        let expected = text(rel)
            .lines()
            .filter(|l| l.trim() == "[[package]]")
            .count();
        let parsed = run(FileKind::PoetryLock, rel);
        assert_eq!(parsed.packages.len(), expected, "{rel}");
        assert!(
            parsed.packages.iter().all(|p| !p.hashes.is_empty()),
            "{rel}: every package has files"
        );
    }
}

#[test]
fn poetry_dependencies_and_lines() {
    let parsed = run(
        FileKind::PoetryLock,
        "python/trivy-fixture.with-groups.poetry.lock",
    );
    let anyio = parsed.packages.iter().find(|p| p.name == "anyio").unwrap();
    assert_eq!(anyio.line, Some(3));
    let deps: Vec<&str> = anyio.dependencies.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        deps,
        ["exceptiongroup", "idna", "sniffio", "typing_extensions"]
    );
    let idna = anyio
        .dependencies
        .iter()
        .find(|d| d.name == "idna")
        .unwrap();
    assert!(idna.version.is_some(), "resolved to the locked idna");
}

#[test]
fn poetry_old_layout_category_and_metadata_files() {
    let parsed = run(FileKind::PoetryLock, "python/old-category.poetry.lock");
    insta::assert_json_snapshot!("poetry_old_category", parsed.packages);
    let scopes: Vec<(&str, Scope)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.scope))
        .collect();
    assert_eq!(
        scopes,
        [
            ("pytest", Scope::Dev),
            ("iniconfig", Scope::Dev),
            ("pysocks", Scope::Optional)
        ]
    );
}

#[test]
fn poetry_bad_toml_is_an_error_with_position() {
    let bytes = read("python/bad.poetry.lock");
    let err = parse(FileKind::PoetryLock, &Source::alone("poetry.lock", &bytes)).unwrap_err();
    assert_eq!(err.line, Some(7));
    insta::assert_snapshot!(
        "poetry_bad_error",
        format!(
            "{}:{}: {}",
            err.line.unwrap(),
            err.column.unwrap(),
            err.message
        )
    );
}

// ---------------------------------------------------------------- uv.lock

#[test]
fn uv_counts_match_package_headers_minus_workspace_members() {
    for rel in [
        "python/cdxgen.uv.lock",
        "python/uv.uv.lock",
        "python/sigstore-python.uv.lock",
    ] {
        let t = text(rel);
        let headers = t.lines().filter(|l| l.trim() == "[[package]]").count();
        let members = t
            .lines()
            .filter(|l| {
                l.starts_with("source = { editable = ") || l.starts_with("source = { virtual = ")
            })
            .count();
        let parsed = run(FileKind::UvLock, rel);
        assert_eq!(parsed.packages.len(), headers - members, "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", warnings(&parsed));
    }
}

#[test]
fn uv_scope_from_the_graph() {
    let parsed = run(FileKind::UvLock, "python/uv.uv.lock");
    assert!(
        !parsed.packages.iter().any(|p| p.name == "uv"),
        "the project itself is not a dependency"
    );
    // `ruff` is only in uv's `check` dev group
    let ruff = parsed.packages.iter().find(|p| p.name == "ruff").unwrap();
    assert_eq!(ruff.scope, Scope::Dev);
    // validate-pyproject's dependency edge resolves to the version uv names
    let vp = parsed
        .packages
        .iter()
        .find(|p| p.name == "validate-pyproject")
        .unwrap();
    assert!(
        vp.dependencies
            .iter()
            .any(|d| d.name == "fastjsonschema" && d.version.as_deref() == Some("2.22.1"))
    );
    let sp = run(FileKind::UvLock, "python/sigstore-python.uv.lock");
    let required = sp
        .packages
        .iter()
        .filter(|p| p.scope == Scope::Required)
        .count();
    let dev = sp.packages.iter().filter(|p| p.scope == Scope::Dev).count();
    assert!(required > 10 && dev > 10, "required {required}, dev {dev}");
    let crypto = sp
        .packages
        .iter()
        .find(|p| p.name == "cryptography")
        .unwrap();
    assert_eq!(crypto.scope, Scope::Required);
    let annotated = parsed
        .packages
        .iter()
        .find(|p| !p.hashes.is_empty())
        .unwrap();
    assert!(
        annotated
            .hashes
            .iter()
            .all(|h| h.algorithm == HashAlgorithm::Sha256)
    );
}

#[test]
fn uv_truncated_file_is_an_error() {
    let bytes = read("python/bad.uv.lock");
    let err = parse(FileKind::UvLock, &Source::alone("uv.lock", &bytes)).unwrap_err();
    assert!(err.line.is_some(), "{err:?}");
    insta::assert_snapshot!(
        "uv_bad_error",
        format!(
            "{}:{}: {}",
            err.line.unwrap(),
            err.column.unwrap(),
            err.message
        )
    );
}

// ---------------------------------------------------------------- Pipfile.lock

#[test]
fn pipfile_counts_and_dev_scope() {
    let rel = "python/checkov.Pipfile.lock";
    let v: serde_json::Value = serde_json::from_slice(&read(rel)).unwrap();
    let count = |section: &str| {
        v[section]
            .as_object()
            .unwrap()
            .values()
            .filter(|e| e["version"].as_str().is_some_and(|s| s.starts_with("==")))
            .count()
    };
    let parsed = run(FileKind::PipfileLock, rel);
    let required = parsed
        .packages
        .iter()
        .filter(|p| p.scope == Scope::Required)
        .count();
    let dev = parsed
        .packages
        .iter()
        .filter(|p| p.scope == Scope::Dev)
        .count();
    assert_eq!((required, dev), (count("default"), count("develop")));
    let aiodns = parsed.packages.iter().find(|p| p.name == "aiodns").unwrap();
    assert_eq!(
        (
            aiodns.version.as_str(),
            aiodns.hashes.len(),
            aiodns.line.is_some()
        ),
        ("3.6.1", 2, true)
    );
    let lines: Vec<(Scope, Option<u32>)> = parsed
        .packages
        .iter()
        .filter(|p| p.name == "aiohttp")
        .map(|p| (p.scope, p.line))
        .collect();
    assert_eq!(
        lines,
        [(Scope::Required, Some(36)), (Scope::Dev, Some(2564))]
    );
    // a package only in `develop`
    let dev_only = parsed
        .packages
        .iter()
        .find(|p| {
            p.scope == Scope::Dev
                && !parsed
                    .packages
                    .iter()
                    .any(|q| q.name == p.name && q.scope == Scope::Required)
        })
        .unwrap();
    assert!(
        v["develop"][dev_only.name.as_str()].is_object()
            && v["default"][dev_only.name.as_str()].is_null()
    );
}

#[test]
fn pipfile_bad_json_is_an_error() {
    let bytes = read("python/bad.Pipfile.lock");
    let err = parse(
        FileKind::PipfileLock,
        &Source::alone("Pipfile.lock", &bytes),
    )
    .unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (Some(9), "trailing comma")
    );
}

#[test]
fn pipfile_entry_that_is_not_an_object_warns() {
    let lock =
        br#"{"default": {"six": {"version": "==1.16.0"}, "broken": "==1.0"}, "develop": {}}"#;
    let parsed = parse(FileKind::PipfileLock, &Source::alone("Pipfile.lock", lock)).unwrap();
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(
        warnings(&parsed),
        ["1: `default.broken` is not an object; skipped"]
    );
}

// ---------------------------------------------------------------- go.mod

fn go_require_count(t: &str) -> usize {
    let mut in_block = false;
    let mut n = 0;
    for line in t.lines() {
        let l = line.trim();
        if l == "require (" {
            in_block = true;
        } else if in_block && l == ")" {
            in_block = false;
        } else if (in_block && !l.is_empty() && !l.starts_with("//")) || l.starts_with("require ") {
            n += 1;
        }
    }
    n
}

#[test]
fn go_counts_match_require_lines() {
    for name in ["cosign", "gitleaks", "osv-scanner", "sigstore-go", "trivy"] {
        let rel = format!("go/{name}.go.mod");
        let expected = go_require_count(&text(&rel));
        // parse beside its own go.sum, named as Go names it
        let bytes = read(&rel);
        let sum = read(&format!("go/{name}.go.sum"));
        struct Sum(Vec<u8>);
        impl Siblings for Sum {
            fn read(&self, relative: &str) -> Option<Vec<u8>> {
                (relative == "go.sum").then(|| self.0.clone())
            }
        }
        let parsed = parse(
            FileKind::GoMod,
            &Source {
                path: "go.mod",
                bytes: &bytes,
                siblings: &Sum(sum),
            },
        )
        .unwrap();
        // Every requirement, plus the standard library (all these name Go 1.21 or later).
        assert_eq!(parsed.packages.len(), expected + 1, "{rel}");
        assert!(parsed.warnings.is_empty(), "{rel}: {:?}", warnings(&parsed));
        assert!(
            parsed
                .packages
                .iter()
                .filter(|p| p.name != "stdlib")
                .all(|p| p.version.starts_with('v') && p.hashes.is_empty())
        );
    }
}

#[test]
fn go_replace_exclude_and_go_sum() {
    let parsed = run(FileKind::GoMod, "go/replace/go.mod");
    insta::assert_json_snapshot!("go_replace", parsed.packages);
    let got: Vec<(&str, &str)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("github.com/pkg/errors", "v0.9.1"),
            ("golang.org/x/text", "v0.14.0"),
            ("github.com/someone/forked", "v1.0.1"),
            ("github.com/quoted/mod", "v1.1.0"),
            ("stdlib", "1.22.0"),
        ]
    );
    assert_eq!(
        warnings(&parsed),
        [
            "8: github.com/someone/forked v1.0.1 has no `h1:` checksum in go.sum",
            "9: example.com/local v0.0.0-00010101000000-000000000000 is replaced by a local directory; left out",
            "10: example.com/excluded v1.2.0 is required but excluded; left out",
            "13: github.com/quoted/mod v1.1.0 has no `h1:` checksum in go.sum",
        ]
    );
}

#[test]
fn go_malformed_require_is_an_error() {
    let bytes = read("go/bad.go.mod");
    let err = parse(FileKind::GoMod, &Source::alone("go.mod", &bytes)).unwrap_err();
    assert_eq!(
        (err.line, err.column, err.message.as_str()),
        (
            Some(7),
            Some(1),
            "`require` expects a module path and a version, found 1 word(s)"
        )
    );
    let empty = parse(
        FileKind::GoMod,
        &Source::alone("go.mod", b"module x\nrequire ()\nrequire a v1\n"),
    )
    .unwrap();
    assert_eq!(empty.packages.len(), 1);
    let err = parse(
        FileKind::GoMod,
        &Source::alone("go.mod", b"module x\nrequire ( a v1\n)\n"),
    )
    .unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (Some(2), "unexpected `a` after `require (`")
    );
    let err = parse(
        FileKind::GoMod,
        &Source::alone("go.mod", b"module x\nrequire (\n a v1\n"),
    )
    .unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (Some(3), "a `(` block is never closed with `)`")
    );
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_stack_overflow() {
    let mut lock = String::from("[[package]]\nname = \"a\"\nversion = \"1\"\nx = ");
    lock.push_str(&"[".repeat(100_000));
    for kind in [FileKind::PoetryLock, FileKind::UvLock] {
        assert!(parse(kind, &Source::alone("x.lock", lock.as_bytes())).is_err());
    }
    let mut inline = String::from("[[package]]\nname = \"a\"\nversion = \"1\"\nx = ");
    inline.push_str(&"{a = ".repeat(100_000));
    assert!(
        parse(
            FileKind::PoetryLock,
            &Source::alone("poetry.lock", inline.as_bytes())
        )
        .is_err()
    );
}

/// In-memory siblings for include tests.
struct Files(Vec<(&'static str, String)>);

impl Siblings for Files {
    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        self.0
            .iter()
            .find(|(n, _)| *n == relative)
            .map(|(_, t)| t.clone().into_bytes())
    }
}

#[test]
fn requirements_include_fan_out_is_read_once() {
    // Each level includes the next one 50 times: 50^8 reads if nothing were remembered.
    let names = [
        "l1.txt", "l2.txt", "l3.txt", "l4.txt", "l5.txt", "l6.txt", "l7.txt", "l8.txt",
    ];
    let mut files = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut t = format!("pkg{i}=={i}.0\n");
        if let Some(next) = names.get(i + 1) {
            t.push_str(&format!("-r {next}\n").repeat(50));
        }
        files.push((*name, t));
    }
    let top = "-r l1.txt\n".repeat(50);
    let parsed = parse(
        FileKind::Requirements,
        &Source {
            path: "requirements.txt",
            bytes: top.as_bytes(),
            siblings: &Files(files),
        },
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 8);
    assert!(parsed.warnings.is_empty(), "{:?}", warnings(&parsed));
}

#[test]
fn requirements_includes_nest_at_most_eight_deep() {
    let names = [
        "d1.txt", "d2.txt", "d3.txt", "d4.txt", "d5.txt", "d6.txt", "d7.txt", "d8.txt", "d9.txt",
    ];
    let files = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                *n,
                format!(
                    "p{i}==1\n{}",
                    names
                        .get(i + 1)
                        .map(|x| format!("-r {x}\n"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect();
    let parsed = parse(
        FileKind::Requirements,
        &Source {
            path: "requirements.txt",
            bytes: b"-r d1.txt\n",
            siblings: &Files(files),
        },
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 8);
    assert_eq!(
        warnings(&parsed),
        ["1: in included file, line 2: include `d9.txt` nests deeper than 8 files; not read"]
    );
}

#[test]
fn poetry_groups_from_pyproject_beside_the_lock() {
    let parsed = run(FileKind::PoetryLock, "python/with-groups/poetry.lock");
    assert!(parsed.warnings.is_empty(), "{:?}", warnings(&parsed));
    let scope = |n: &str| {
        parsed
            .packages
            .iter()
            .find(|p| p.name == n)
            .map(|p| p.scope)
    };
    // direct: main, optional, and the dev / lint groups
    assert_eq!(scope("requests"), Some(Scope::Required));
    assert_eq!(scope("httpx"), Some(Scope::Required));
    assert_eq!(scope("typing-inspect"), Some(Scope::Optional));
    assert_eq!(scope("pytest"), Some(Scope::Dev));
    assert_eq!(scope("ruff"), Some(Scope::Dev));
    // transitive: pytest's own dependency, and one shared with a main dependency
    assert_eq!(scope("pluggy"), Some(Scope::Dev));
    assert_eq!(scope("idna"), Some(Scope::Required));
    // the same lock with no pyproject beside it: no package is dev (the safe default)
    let alone = run(
        FileKind::PoetryLock,
        "python/trivy-fixture.with-groups.poetry.lock",
    );
    assert!(alone.packages.iter().all(|p| p.scope != Scope::Dev));
    let snapshot: Vec<(String, Scope)> = parsed
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.scope))
        .collect();
    insta::assert_json_snapshot!("poetry_with_groups_scopes", snapshot);
}
