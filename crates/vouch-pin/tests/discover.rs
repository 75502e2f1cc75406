//! Discovery and rewriting on real-world files (tests/fixtures/real/SOURCES.md): what is found,
//! and that pinning everything changes only the lines holding references, after which every
//! reference is pinned.

use std::path::Path;

use vouch_pin::discover::{detect, discover};
use vouch_pin::rewrite::{Change, apply, edits};
use vouch_pin::{FileKind, Reference, Target};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn summary(text: &str, refs: &[Reference]) -> Vec<String> {
    refs.iter()
        .map(|r| {
            let at = r
                .span
                .as_ref()
                .map_or("?".to_owned(), |s| text[s.value.clone()].to_owned());
            format!(
                "{}:{}{}",
                r.line,
                if r.is_pinned() { "pinned " } else { "" },
                at
            )
        })
        .collect()
}

/// Pin every unpinned reference with made-up ids; check only reference lines changed.
fn pin_all(kind: FileKind, text: &str) -> String {
    let refs = discover(kind, text.as_bytes()).unwrap();
    let digest: vouch_digest::Digest = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
    let mut all = Vec::new();
    let mut lines = Vec::new();
    for r in refs.iter().filter(|r| !r.is_pinned() && r.span.is_some()) {
        let change = match &r.target {
            Target::Image(_) => Change::Image {
                tag: None,
                digest: digest.clone(),
            },
            Target::Git(g) => Change::Git {
                commit: COMMIT.into(),
                version: g.reference.clone(),
            },
            // Downloads: tests/downloads.rs.
            Target::Unpinnable(_) | Target::Download(_) => continue,
        };
        all.extend(edits(text, r, &change).unwrap());
        lines.push(r.line as usize);
    }
    let out = apply(text, &all).unwrap();
    let (old, new): (Vec<&str>, Vec<&str>) =
        (text.split('\n').collect(), out.split('\n').collect());
    assert_eq!(old.len(), new.len());
    for (i, (a, b)) in old.iter().zip(&new).enumerate() {
        if a != b {
            assert!(
                lines.contains(&(i + 1)),
                "line {} changed but holds no reference:\n{a}\n{b}",
                i + 1
            );
        }
    }
    let again = discover(kind, out.as_bytes()).unwrap();
    assert_eq!(again.len(), refs.len());
    for (before, after) in refs.iter().zip(&again) {
        if before.span.is_some()
            && !matches!(before.target, Target::Unpinnable(_) | Target::Download(_))
        {
            assert!(after.is_pinned(), "{:?}", after);
        }
    }
    out
}

#[test]
fn dockerfiles() {
    let t = fixture("uv.Dockerfile");
    assert_eq!(
        detect("Dockerfile", t.as_bytes()),
        Some(FileKind::Dockerfile)
    );
    let refs = discover(FileKind::Dockerfile, t.as_bytes()).unwrap();
    // `--platform=$BUILDPLATFORM ubuntu:24.04@sha256:…` is pinned; `FROM scratch` is not an image.
    // The rustup-init download (curl, no checksum check after it) is a download reference.
    assert_eq!(
        summary(&t, &refs),
        vec![
            "1:pinned ubuntu:24.04@sha256:d1e2e92c075e5ca139d51a140fff46f84315c0fdce203eab2807c7e495eff4f9",
            "36:https://static.rust-lang.org/rustup/archive/${RUSTUP_VERSION}/$(uname -m)-unknown-linux-gnu/rustup-init"
        ]
    );
    let t = fixture("grype.Dockerfile");
    let refs = discover(FileKind::Dockerfile, t.as_bytes()).unwrap();
    assert_eq!(
        summary(&t, &refs),
        vec!["1:gcr.io/distroless/static-debian12:latest"]
    );
    let out = pin_all(FileKind::Dockerfile, &t);
    assert!(out.starts_with(&format!(
        "FROM gcr.io/distroless/static-debian12:latest@sha256:{} AS build\n",
        "a".repeat(64)
    )));
    let t = fixture("cdxgen.ci.images.Dockerfile.python3.12");
    let refs = discover(FileKind::Dockerfile, t.as_bytes()).unwrap();
    assert!(
        refs.iter().all(Reference::is_pinned),
        "{:?}",
        summary(&t, &refs)
    );
    pin_all(FileKind::Dockerfile, &t);
}

#[test]
fn github_workflows() {
    let t = fixture("ripgrep.ci.yml");
    let refs = discover(FileKind::GithubWorkflow, t.as_bytes()).unwrap();
    let s = summary(&t, &refs);
    assert!(s.contains(&"120:actions/checkout@v4".to_owned()), "{s:?}");
    assert!(
        s.contains(&"128:dtolnay/rust-toolchain@master".to_owned()),
        "{s:?}"
    );
    assert!(refs.iter().all(|r| r.span.is_some()), "{s:?}");
    assert!(refs.iter().all(|r| !r.is_pinned()));
    let out = pin_all(FileKind::GithubWorkflow, &t);
    assert!(out.contains(&format!("uses: actions/checkout@{COMMIT} # v4\n")));

    let t = fixture("cdxgen.nodejs.yml");
    let refs = discover(FileKind::GithubWorkflow, t.as_bytes()).unwrap();
    let pinned: Vec<_> = refs.iter().filter(|r| r.is_pinned()).collect();
    assert!(pinned.len() >= 10, "{:?}", summary(&t, &refs));
    let checkout = pinned.iter().find(|r| r.line == 52).unwrap();
    assert_eq!(checkout.name(), "actions/checkout");
    assert_eq!(checkout.version(&t).as_deref(), Some("v6.0.1"));
    pin_all(FileKind::GithubWorkflow, &t);
}

#[test]
fn gitlab_ci() {
    // GitLab's own 2018 file leans on YAML merge keys (`<<`, repeated, chained), which the
    // shared loader (vouch-policy) handles more fully over time. Either it loads, and then its
    // images are found and rewritten cleanly, or it is a clear malformed-file error, never a
    // panic or a partial result.
    let t = fixture("gitlabhq.gitlab-ci.yml");
    match discover(FileKind::GitlabCi, t.as_bytes()) {
        Ok(refs) => {
            let s = summary(&t, &refs);
            assert!(s.iter().any(|l| l.ends_with("docker:stable-dind")), "{s:?}");
            assert!(s.iter().any(|l| l.ends_with("redis:alpine")), "{s:?}");
            pin_all(FileKind::GitlabCi, &t);
        }
        Err(e) => {
            assert_eq!(e.code(), "pin-malformed-file");
            assert!(e.to_string().starts_with("malformed YAML: "), "{e}");
        }
    }

    let t = fixture("trivy.contrib.Trivy.gitlab-ci.yml");
    let refs = discover(FileKind::GitlabCi, t.as_bytes()).unwrap();
    assert_eq!(
        summary(&t, &refs),
        vec![
            "4:alpine:3.11",
            "16:https://github.com/aquasecurity/trivy/raw/${TRIVY_VERSION}/contrib/gitlab.tpl"
        ]
    );
    pin_all(FileKind::GitlabCi, &t);
}

#[test]
fn kubernetes_and_compose() {
    let t = fixture("ingress-nginx.deploy.cloud.yaml");
    assert_eq!(
        detect("deploy.yaml", t.as_bytes()),
        Some(FileKind::Kubernetes)
    );
    let refs = discover(FileKind::Kubernetes, t.as_bytes()).unwrap();
    assert_eq!(
        refs.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![439, 536, 585]
    );
    assert!(refs.iter().all(Reference::is_pinned));

    let t = fixture("dependency-track.dev.compose.yaml");
    let refs = discover(FileKind::Compose, t.as_bytes()).unwrap();
    // The two `${VAR:-default}` images cannot be judged statically and are left out.
    assert_eq!(
        summary(&t, &refs),
        vec!["21:traefik:v3", "76:postgres:18-alpine"]
    );
    let out = pin_all(FileKind::Compose, &t);
    assert!(out.contains(&format!(
        "image: postgres:18-alpine@sha256:{}\n",
        "a".repeat(64)
    )));
}

#[test]
fn crlf_tabs_and_quotes_survive_byte_for_byte() {
    let t = "jobs:\r\n  a:\r\n    steps:\r\n      - uses: \"actions/checkout@v4\"\t# keep\r\n      - uses: 'a/b@v1'\r\n";
    let out = pin_all(FileKind::GithubWorkflow, t);
    assert_eq!(
        out,
        format!(
            "jobs:\r\n  a:\r\n    steps:\r\n      - uses: \"actions/checkout@{COMMIT}\" # v4\t# keep\r\n      - uses: 'a/b@{COMMIT}' # v1\r\n"
        )
    );
    let t = "FROM\tnode:20 AS b\r\nFROM b\r\n";
    let out = pin_all(FileKind::Dockerfile, t);
    assert_eq!(
        out,
        format!("FROM\tnode:20@sha256:{} AS b\r\nFROM b\r\n", "a".repeat(64))
    );
}
