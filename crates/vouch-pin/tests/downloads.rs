//! Downloads as references (`Target::Download`): Dockerfile `ADD <url>` and `curl`/`wget` in
//! `RUN` lines and CI scripts, on real files (tests/fixtures/downloads/SOURCES.md); the `ADD`
//! rewrite to BuildKit's `--checksum`; the offline check's `download-not-verified`.

use std::path::Path;

use vouch_pin::discover::discover;
use vouch_pin::rewrite::{Change, apply, edits};
use vouch_pin::sources::{Entry, Sources};
use vouch_pin::{Downloader, FileKind, Reference, Target};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/downloads")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (line, tool, url, pinned, the exact text at the span).
fn downloads(text: &str, refs: &[Reference]) -> Vec<(u32, &'static str, String, bool, String)> {
    refs.iter()
        .filter_map(|r| match &r.target {
            Target::Download(d) => Some((
                r.line,
                d.downloader.as_str(),
                d.url.clone(),
                r.is_pinned(),
                r.span
                    .as_ref()
                    .map_or("?".to_owned(), |s| text[s.value.clone()].to_owned()),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn cdxgen_run_lines_curl_downloads_not_the_installers_piped_to_bash() {
    let text = fixture("cdxgen.ci.Dockerfile");
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    let got = downloads(&text, &refs);
    let run_line = got[0].0;
    let urls: Vec<(&str, &str, bool)> = got
        .iter()
        .map(|(line, tool, url, pinned, at)| {
            assert_eq!(*line, run_line, "one RUN instruction");
            assert_eq!(at, url, "the span holds the URL as written");
            (*tool, url.as_str(), *pinned)
        })
        .collect();
    // nvm's and sdkman's installers (`curl … | bash`) are the pipe-to-shell rule's; the swift
    // download's URL is a variable ("$SWIFT_BIN_URL"), not a URL the matcher sees; the
    // `gpg --verify` before the go download does not verify what follows it.
    assert_eq!(
        urls,
        [
            (
                "curl",
                "https://dl.google.com/go/go${GO_VERSION}.linux-${GOBIN_VERSION}.tar.gz",
                false
            ),
            (
                "curl",
                "https://raw.githubusercontent.com/technomancy/leiningen/stable/bin/lein",
                false
            ),
            (
                "curl",
                "https://github.com/clojure/brew-install/releases/latest/download/linux-install.sh",
                false
            ),
            (
                "curl",
                "https://github.com/bazelbuild/bazelisk/releases/latest/download/bazelisk-linux-${GOBIN_VERSION}",
                false
            ),
        ]
    );
    assert_eq!(run_line, 60);
}

#[test]
fn add_with_a_checksum_is_pinned_in_the_file() {
    let text = fixture("protobuf-specs.Dockerfile.protoc");
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    let got = downloads(&text, &refs);
    assert_eq!(
        got,
        [(
            28,
            "ADD",
            "https://github.com/protocolbuffers/protobuf/releases/download/${PROTOC_VERSION}/protoc-${PROTOC_VERSION#v}-linux-x86_64.zip".to_owned(),
            true,
            "https://github.com/protocolbuffers/protobuf/releases/download/${PROTOC_VERSION}/protoc-${PROTOC_VERSION#v}-linux-x86_64.zip".to_owned(),
        )]
    );
    let Target::Download(d) = &refs
        .iter()
        .find(|r| matches!(r.target, Target::Download(_)))
        .unwrap()
        .target
    else {
        unreachable!()
    };
    assert_eq!(d.checksum.as_deref(), Some("${PROTOC_CHECKSUM}"));
    assert_eq!(d.checksum_at, None);
}

#[test]
fn add_without_a_checksum_is_rewritten_to_buildkit_syntax() {
    let text = fixture("checkov-add-exists.Dockerfile");
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    let add = refs
        .iter()
        .find(|r| matches!(&r.target, Target::Download(d) if d.downloader == Downloader::Add))
        .unwrap();
    assert!(!add.is_pinned());
    assert_eq!(add.line, 4);
    let digest: vouch_digest::Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
    let e = edits(&text, add, &Change::Download { digest }).unwrap();
    let out = apply(&text, &e).unwrap();
    assert_eq!(
        out,
        text.replace(
            "ADD http://example.com/package.zip /temp",
            &format!(
                "ADD --checksum=sha256:{} http://example.com/package.zip /temp",
                "ab".repeat(32)
            )
        )
    );
    // Read back: now pinned in the file.
    let again = discover(FileKind::Dockerfile, out.as_bytes()).unwrap();
    assert!(
        again.iter().all(Reference::is_pinned)
            || again
                .iter()
                .any(|r| matches!(&r.target, Target::Download(d) if d.checksum.is_some()))
    );
    let d = again
        .iter()
        .find(|r| matches!(r.target, Target::Download(_)))
        .unwrap();
    assert!(d.is_pinned());
}

#[test]
fn add_checksum_goes_before_other_flags() {
    let text = "FROM debian:12\nADD --chown=app:app https://example.com/a.tgz /opt/\n";
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    let digest: vouch_digest::Digest = format!("sha256:{}", "cd".repeat(32)).parse().unwrap();
    let out = apply(
        text,
        &edits(text, &refs[1], &Change::Download { digest }).unwrap(),
    )
    .unwrap();
    assert_eq!(
        out,
        format!(
            "FROM debian:12\nADD --checksum=sha256:{} --chown=app:app https://example.com/a.tgz /opt/\n",
            "cd".repeat(32)
        )
    );
    // git sources are not file downloads.
    let text = "FROM debian:12\nADD https://github.com/moby/buildkit.git#v0.10.1 /src\n";
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    assert_eq!(refs.len(), 1);
}

#[test]
fn a_check_in_a_later_run_of_the_same_stage_verifies() {
    let text = "FROM debian:12\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz\nRUN echo \"24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d  /tmp/t.tgz\" | sha256sum -c -\nFROM debian:12\nRUN wget -q https://example.com/u.tgz\nFROM debian:12\nRUN sha256sum -c sums\n";
    let refs = discover(FileKind::Dockerfile, text.as_bytes()).unwrap();
    let got: Vec<(u32, bool)> = refs
        .iter()
        .filter(|r| matches!(r.target, Target::Download(_)))
        .map(|r| (r.line, r.is_pinned()))
        .collect();
    // t.tgz: checked in the next RUN; u.tgz: the check is in another stage.
    assert_eq!(got, [(2, true), (5, false)]);
}

#[test]
fn gitlab_and_github_scripts() {
    // checkov's fixture: curl POSTs the environment to a webhook; an upload, not a download.
    let text = fixture("checkov-curl.gitlab-ci.yml");
    let refs = discover(FileKind::GitlabCi, text.as_bytes()).unwrap();
    assert!(downloads(&text, &refs).is_empty(), "{refs:?}");

    let text = "build:\n  image: debian:12\n  before_script:\n    - apt-get update\n  script:\n    - curl -fsSLo tool.tgz https://example.com/tool.tgz\n    - echo \"abc  tool.tgz\" | sha256sum -c -\n    - wget https://example.com/other.bin\n";
    let refs = discover(FileKind::GitlabCi, text.as_bytes()).unwrap();
    assert_eq!(
        downloads(text, &refs),
        [
            (
                6,
                "curl",
                "https://example.com/tool.tgz".to_owned(),
                true,
                "https://example.com/tool.tgz".to_owned()
            ),
            (
                8,
                "wget",
                "https://example.com/other.bin".to_owned(),
                false,
                "https://example.com/other.bin".to_owned()
            ),
        ]
    );

    let text = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          curl -sSLO https://example.com/a.tgz\n          tar xzf a.tgz\n";
    let refs = discover(FileKind::GithubWorkflow, text.as_bytes()).unwrap();
    assert_eq!(
        downloads(text, &refs),
        [(
            7,
            "curl",
            "https://example.com/a.tgz".to_owned(),
            false,
            "https://example.com/a.tgz".to_owned()
        )]
    );
}

#[test]
fn offline_check_names_unverified_downloads_and_the_lock_pins_curl() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12@sha256:0000000000000000000000000000000000000000000000000000000000000000\nADD http://example.com/package.zip /temp\nRUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz && tar -xzf /tmp/t.tgz\n",
    )
    .unwrap();
    let tree = vouch_pin::walk::walk(dir.path());
    let found = vouch_pin::pin::unpinned(&tree.files[0]);
    let got: Vec<(u32, &str, &str)> = found
        .iter()
        .map(|f| (f.line, f.code, f.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                2,
                "download-not-verified",
                "ADD downloads http://example.com/package.zip without --checksum; run `vouch pin` to add it"
            ),
            (
                3,
                "download-not-verified",
                "curl downloads https://example.com/t.tgz, which is neither in sources.lock nor checked after (sha256sum -c, gpg --verify, …)"
            ),
        ]
    );
    // Recorded in sources.lock: the curl line is pinned there; the ADD still needs its
    // --checksum (nothing reads the lock at build time).
    let mut lock = Sources::default();
    for url in [
        "https://example.com/t.tgz",
        "http://example.com/package.zip",
    ] {
        lock.record(Entry {
            url: url.into(),
            sha256: "ab".repeat(32),
            size: 1,
            path: None,
            files: vec!["Dockerfile".into()],
        });
    }
    let found = vouch_pin::pin::unpinned_with(&tree.files[0], &lock);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 2);
}
