//! git resolution against real repositories: bare repositories with tagged releases of a test
//! action made by `vouch_test::forge::Forge`, read over `file://` and over the smart protocol
//! from a real `git daemon` and the real `git http-backend` (smart HTTP) on 127.0.0.1.

use vouch_resolve::{GitRef, Options, ResolveError, Resolver};
use vouch_test::forge::Forge;

const V1: &str = "name: setup\ninputs:\n  version:\n    required: false\n    default: '1'\nruns:\n  using: node20\n  main: index.js\n";
const V2: &str = "name: setup\ninputs:\n  version:\n    required: true\nruns:\n  using: node20\n  main: index.js\n";

struct Releases {
    forge: Forge,
    v1_0: String,
    v1_1: String,
    v2_0: String,
}

fn releases() -> Releases {
    let forge = Forge::new();
    let v1_0 = forge.release(
        "acme/setup",
        "v1.0.0",
        &[("action.yml", V1), ("index.js", "// 1.0\n")],
        "2024-01-10T10:00:00Z",
        false,
    );
    let v1_1 = forge.release(
        "acme/setup",
        "v1.1.0",
        &[("index.js", "// 1.1\n")],
        "2024-02-20T11:30:00Z",
        true,
    );
    let v2_0 = forge.release(
        "acme/setup",
        "v2.0.0",
        &[
            ("action.yml", V2),
            ("templates/ci.yml", "spec:\n  inputs: {}\n"),
        ],
        "2024-03-30T12:45:00+02:00",
        true,
    );
    Releases {
        forge,
        v1_0,
        v1_1,
        v2_0,
    }
}

fn resolver(github_url: String) -> Resolver {
    Resolver::new(Options {
        github_url: github_url.clone(),
        gitlab_url: github_url,
        ..Options::default()
    })
    .unwrap()
}

fn check_refs(r: &Releases, url: &str, resolver: &Resolver) {
    let refs = resolver.git_refs(url).unwrap();
    let want = |name: &str, commit: &str| GitRef {
        name: name.to_owned(),
        commit: commit.to_owned(),
    };
    assert_eq!(
        refs,
        vec![
            want("refs/heads/main", &r.v2_0),
            want("refs/tags/v1.0.0", &r.v1_0),
            want("refs/tags/v1.1.0", &r.v1_1),
            want("refs/tags/v2.0.0", &r.v2_0),
        ],
        "annotated tags are peeled to their commit"
    );
}

fn check_files_and_times(r: &Releases, url: &str, resolver: &Resolver) {
    let file = |commit: &str, path: &str| resolver.git_file(url, commit, path).unwrap();
    assert_eq!(file(&r.v1_0, "action.yml").as_deref(), Some(V1.as_bytes()));
    assert_eq!(file(&r.v1_1, "action.yml").as_deref(), Some(V1.as_bytes()));
    assert_eq!(file(&r.v1_1, "index.js").as_deref(), Some(&b"// 1.1\n"[..]));
    assert_eq!(file(&r.v2_0, "action.yml").as_deref(), Some(V2.as_bytes()));
    assert_eq!(
        file(&r.v2_0, "templates/ci.yml").as_deref(),
        Some(&b"spec:\n  inputs: {}\n"[..])
    );
    assert_eq!(file(&r.v1_0, "action.yaml"), None, "absent path");
    assert_eq!(file(&r.v1_0, "templates/ci.yml"), None, "added later");
    assert_eq!(
        file(&r.v2_0, "templates"),
        None,
        "a directory is not a file"
    );

    let time = |commit: &str| resolver.git_commit_time(url, commit).unwrap();
    assert_eq!(time(&r.v1_0), "2024-01-10T10:00:00Z".parse().unwrap());
    assert_eq!(time(&r.v1_1), "2024-02-20T11:30:00Z".parse().unwrap());
    assert_eq!(time(&r.v2_0), "2024-03-30T10:45:00Z".parse().unwrap());

    let missing = "0123456789abcdef0123456789abcdef01234567";
    let err = resolver.git_file(url, missing, "action.yml").unwrap_err();
    assert_eq!(err.code(), "git-commit-not-found", "{err}");
    assert_eq!(
        err.to_string(),
        format!("commit {missing} not found in git repository {url}")
    );
    let err = resolver.git_commit_time(url, "not-hex").unwrap_err();
    assert_eq!(err.code(), "git-commit-not-found", "{err}");
}

#[test]
fn refs_files_and_times_over_file_urls() {
    let r = releases();
    let resolver = resolver(r.forge.file_url());
    let url = resolver.github_repo_url("acme/setup");
    assert_eq!(url, format!("{}/acme/setup", r.forge.file_url()));
    check_refs(&r, &url, &resolver);
    check_files_and_times(&r, &url, &resolver);
    // `.git` spelled out works too.
    check_refs(&r, &format!("{url}.git"), &resolver);
}

#[test]
fn refs_files_and_times_over_git_daemon() {
    let r = releases();
    let resolver = resolver(r.forge.git_url());
    let url = resolver.gitlab_project_url("acme/setup");
    assert_eq!(url, format!("{}/acme/setup", r.forge.git_url()));
    check_refs(&r, &url, &resolver);
    check_files_and_times(&r, &url, &resolver);
}

#[test]
fn refs_files_and_times_over_smart_http() {
    let r = releases();
    let resolver = resolver(r.forge.http_url());
    let url = resolver.github_repo_url("acme/setup");
    check_refs(&r, &url, &resolver);
    check_files_and_times(&r, &url, &resolver);
}

#[test]
fn a_remote_is_fetched_once_per_run() {
    let r = releases();
    let resolver = resolver(r.forge.git_url());
    let url = resolver.github_repo_url("acme/setup");
    assert_eq!(
        resolver
            .git_file(&url, &r.v1_0, "action.yml")
            .unwrap()
            .as_deref(),
        Some(V1.as_bytes())
    );
    let (v2_0, forge) = (r.v2_0.clone(), r.forge);
    drop(forge); // the daemon is gone; later reads come from the fetched copy
    assert_eq!(
        resolver
            .git_file(&url, &v2_0, "action.yml")
            .unwrap()
            .as_deref(),
        Some(V2.as_bytes())
    );
    assert_eq!(
        resolver.git_commit_time(&url, &v2_0).unwrap(),
        "2024-03-30T10:45:00Z".parse().unwrap()
    );
    let err = resolver.git_refs(&url).unwrap_err();
    assert_eq!(
        err.code(),
        "git-unreachable",
        "refs are always asked live: {err}"
    );
}

/// Remotes are fetched at depth 1 first; a commit no branch or tag points at any more (here: a
/// release whose tag was moved) needs the whole history, fetched once on demand.
#[test]
fn an_older_commit_is_found_after_fetching_the_history() {
    let forge = Forge::new();
    let first = forge.release(
        "acme/moving",
        "v1",
        &[("action.yml", V1)],
        "2024-01-01T00:00:00Z",
        true,
    );
    let second = forge.release(
        "acme/moving",
        "v1",
        &[("action.yml", V2)],
        "2024-02-01T00:00:00Z",
        true,
    );
    for base in [forge.git_url(), forge.http_url()] {
        let resolver = resolver(base);
        let url = resolver.github_repo_url("acme/moving");
        let refs = resolver.git_refs(&url).unwrap();
        assert!(refs.iter().all(|r| r.commit == second), "{refs:?}");
        assert_eq!(
            resolver
                .git_file(&url, &second, "action.yml")
                .unwrap()
                .as_deref(),
            Some(V2.as_bytes())
        );
        assert_eq!(
            resolver
                .git_file(&url, &first, "action.yml")
                .unwrap()
                .as_deref(),
            Some(V1.as_bytes())
        );
        assert_eq!(
            resolver.git_commit_time(&url, &first).unwrap(),
            "2024-01-01T00:00:00Z".parse().unwrap()
        );
        let missing = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            resolver.git_commit_time(&url, missing).unwrap_err().code(),
            "git-commit-not-found"
        );
    }
}

#[test]
fn a_missing_repository_is_unreachable() {
    let forge = Forge::new();
    forge.release(
        "acme/setup",
        "v1",
        &[("action.yml", V1)],
        "2024-01-01T00:00:00Z",
        false,
    );
    for base in [forge.file_url(), forge.git_url(), forge.http_url()] {
        let resolver = resolver(base);
        let url = resolver.github_repo_url("acme/nothing");
        let err = resolver.git_refs(&url).unwrap_err();
        assert_eq!(err.code(), "git-unreachable", "{url}: {err}");
        assert_eq!(err.to_string(), format!("cannot read git repository {url}"));
        let err = resolver
            .git_file(
                &url,
                "0123456789abcdef0123456789abcdef01234567",
                "action.yml",
            )
            .unwrap_err();
        assert_eq!(err.code(), "git-unreachable", "{url}: {err}");
    }
}

#[test]
fn unsupported_urls_are_refused_and_credentials_are_not_shown() {
    let resolver = resolver("file:///nonexistent".to_owned());
    let err = resolver
        .git_refs("ssh://git@127.0.0.1/acme/setup")
        .unwrap_err();
    assert_eq!(err.code(), "git-url-invalid");
    assert!(matches!(err, ResolveError::InvalidGitUrl { .. }));
    let err = resolver.git_refs("/just/a/path").unwrap_err();
    assert_eq!(err.code(), "git-url-invalid");

    let port = vouch_test::registry::free_port();
    let err = resolver
        .git_refs(&format!("http://user:s3cret@127.0.0.1:{port}/acme/setup"))
        .unwrap_err();
    assert_eq!(err.code(), "git-unreachable", "{err}");
    assert!(!format!("{err} {err:?}").contains("s3cret"), "{err:?}");
    // The URL is a `vouch_url::Url`: the userinfo is shown as `***`.
    assert_eq!(
        err.to_string(),
        format!("cannot read git repository http://***@127.0.0.1:{port}/acme/setup")
    );
}
