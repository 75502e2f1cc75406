//! End-to-end: `vouch pin` / `vouch pin --check` / `vouch update` against a real registry
//! (Debian's docker-registry, `vouch_test::registry`) and real git repositories (`git daemon`
//! and `file://`, `vouch_test::forge`), all on 127.0.0.1. Rewrites are compared byte for byte.

use std::path::Path;

use assert_cmd::Command;
use vouch_test::forge::Forge;
use vouch_test::registry::Registry;

mod common;

/// 2026-11-22T00:00:00Z: "now" for the lock and the --min-age cooldown.
const NOW: &str = "1795305600";

fn vouch(dir: &Path) -> Command {
    let mut c = common::vouch();
    c.current_dir(dir).env("SOURCE_DATE_EPOCH", NOW);
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, base: &[String], args: &[&str]) -> Run {
    let out = vouch(dir).args(args).args(base).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

use common::write;

const CHECKOUT_V1: &str = "name: checkout\ninputs:\n  token:\n    required: true\n    default: ${{ github.token }}\n  path:\n    required: false\noutputs:\n  ref:\n    description: the ref\nruns:\n  using: node20\n  main: index.js\n";
/// Adds an optional input: compatible.
const CHECKOUT_V2: &str = "name: checkout\ninputs:\n  token:\n    required: true\n    default: ${{ github.token }}\n  path:\n    required: false\n  depth:\n    default: '1'\noutputs:\n  ref:\n    description: the ref\nruns:\n  using: node20\n  main: index.js\n";
const DEPLOY_V1: &str = "name: deploy\ninputs:\n  environment:\n    required: false\n  target:\n    required: true\noutputs:\n  url:\n    description: where\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
/// Removes the `environment` input: breaking within v1.
const DEPLOY_V1_1: &str = "name: deploy\ninputs:\n  target:\n    required: true\noutputs:\n  url:\n    description: where\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
/// Removes the `url` output: breaking, but a new major.
const DEPLOY_V2: &str = "name: deploy\ninputs:\n  target:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
const LINT_V1: &str = "spec:\n  inputs:\n    stage:\n      default: test\n---\nlint:\n  stage: $[[ inputs.stage ]]\n  script: [lint]\n";
/// Adds a required input without a default: breaking within 1.x.
const LINT_V1_1: &str = "spec:\n  inputs:\n    stage:\n      default: test\n    token:\n      type: string\n---\nlint:\n  stage: $[[ inputs.stage ]]\n  script: [lint]\n";

struct World {
    registry: Registry,
    forge: Forge,
    /// Index digest of team/python:3.12.1-slim (multi-arch).
    py_121: String,
    py_124: String,
    py_125: String,
    nginx: String,
    redis: String,
    checkout_411: String,
    checkout_420: String,
    checkout_421: String,
    deploy_100: String,
    deploy_110: String,
    deploy_200: String,
    templates_120: String,
    templates_130: String,
    lint_100: String,
    black_2430: String,
}

fn world() -> World {
    let registry = Registry::start();
    let forge = Forge::new();
    let py_121 = registry.push_index("team/python", "3.12.1-slim", "2026-09-01T00:00:00Z");
    let py_124 = registry.push_image("team/python", "3.12.4-slim", "2026-11-01T00:00:00Z");
    // Younger than a 7-day cooldown on 2026-11-22.
    let py_125 = registry.push_image("team/python", "3.12.5-slim", "2026-11-20T00:00:00Z");
    // Other shapes and pre-releases are never candidates.
    registry.push_image("team/python", "3.12.6", "2026-11-02T00:00:00Z");
    registry.push_image("team/python", "3.12.7-rc1-slim", "2026-11-02T00:00:00Z");
    registry.push_image("team/python", "3.12-slim", "2026-11-02T00:00:00Z");
    let nginx = registry.push_image("library/nginx", "1.27.0", "2026-08-01T00:00:00Z");
    let redis = registry.push_image("library/redis", "7.2", "2026-08-01T00:00:00Z");

    let a = "actions/checkout";
    let checkout_411 = forge.release(
        a,
        "v4.1.1",
        &[("action.yml", CHECKOUT_V1)],
        "2026-09-01T00:00:00Z",
        true,
    );
    let checkout_420 = forge.release(
        a,
        "v4.2.0",
        &[("action.yml", CHECKOUT_V2)],
        "2026-11-01T00:00:00Z",
        true,
    );
    let checkout_421 = forge.release(
        a,
        "v4.2.1",
        &[("index.js", "//")],
        "2026-11-20T00:00:00Z",
        false,
    );
    forge.release(
        a,
        "v5.0.0-beta.1",
        &[("index.js", "// beta")],
        "2026-11-02T00:00:00Z",
        false,
    );
    let d = "acme/deploy";
    let deploy_100 = forge.release(
        d,
        "v1.0.0",
        &[("action.yml", DEPLOY_V1)],
        "2026-09-01T00:00:00Z",
        false,
    );
    let deploy_110 = forge.release(
        d,
        "v1.1.0",
        &[("action.yml", DEPLOY_V1_1)],
        "2026-10-01T00:00:00Z",
        false,
    );
    let deploy_200 = forge.release(
        d,
        "v2.0.0",
        &[("action.yml", DEPLOY_V2)],
        "2026-10-02T00:00:00Z",
        false,
    );
    let t = "group/ci-templates";
    let templates_120 = forge.release(
        t,
        "v1.2.0",
        &[("templates/build.yml", "build: {script: [make]}\n")],
        "2026-09-01T00:00:00Z",
        true,
    );
    let templates_130 = forge.release(
        t,
        "v1.3.0",
        &[("templates/build.yml", "build: {script: [make all]}\n")],
        "2026-10-01T00:00:00Z",
        true,
    );
    let l = "group/components";
    let lint_100 = forge.release(
        l,
        "1.0.0",
        &[("templates/lint.yml", LINT_V1)],
        "2026-09-01T00:00:00Z",
        false,
    );
    forge.release(
        l,
        "1.1.0",
        &[("templates/lint.yml", LINT_V1_1)],
        "2026-10-01T00:00:00Z",
        false,
    );
    let black_2430 = forge.release(
        "hooks/black",
        "24.3.0",
        &[(".pre-commit-hooks.yaml", "[]\n")],
        "2026-09-01T00:00:00Z",
        false,
    );
    World {
        registry,
        forge,
        py_121,
        py_124,
        py_125,
        nginx,
        redis,
        checkout_411,
        checkout_420,
        checkout_421,
        deploy_100,
        deploy_110,
        deploy_200,
        templates_120,
        templates_130,
        lint_100,
        black_2430,
    }
}

impl World {
    fn host(&self) -> String {
        self.registry.host()
    }

    /// `--insecure-registry`; GitHub over the git protocol, GitLab over smart HTTP, pre-commit
    /// hooks over file://.
    fn flags(&self) -> Vec<String> {
        vec![
            "--insecure-registry".into(),
            self.host(),
            "--github-url".into(),
            self.forge.git_url(),
            "--gitlab-url".into(),
            self.forge.http_url(),
        ]
    }

    fn files(&self) -> Vec<(&'static str, String)> {
        let h = self.host();
        let black = format!("{}/hooks/black", self.forge.file_url());
        vec![
            (
                "Dockerfile",
                format!(
                    "# syntax=docker/dockerfile:1\nARG PY=3.12.1-slim\nFROM --platform=$BUILDPLATFORM {h}/team/python:${{PY}} AS build\nRUN echo build > /out\n\nFROM {h}/team/python:3.12.1-slim\nCOPY --from=build /out /out\n"
                ),
            ),
            (
                ".gitlab-ci.yml",
                format!(
                    "include:\n  - project: 'group/ci-templates'\n    ref: v1.2.0\n    file: '/templates/build.yml'\n  - component: gitlab.example.com/group/components/lint@1.0.0\n\nimage: {h}/team/python:3.12.1-slim   # the build image\nservices:\n  - name: \"{h}/library/redis:7.2\"\n    alias: cache\n\ntest:\n  script:\n    - pytest\n"
                ),
            ),
            (
                ".github/workflows/ci.yml",
                "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      # check out the code\n      - uses: actions/checkout@v4.1.1\n      - uses: 'acme/deploy@v1.0.0'   # deploy step\n        with: {target: prod}\n      - run: echo done\n".to_owned(),
            ),
            (
                "docker-compose.yml",
                format!("services:\n  web:\n    image: \"{h}/library/nginx:1.27.0\"\n    ports: [\"80:80\"]\n"),
            ),
            (
                ".pre-commit-config.yaml",
                format!("repos:\n  - repo: {black}\n    rev: 24.3.0\n    hooks:\n      - id: black\n"),
            ),
        ]
    }

    fn pinned(&self) -> Vec<(&'static str, String)> {
        let h = self.host();
        let black = format!("{}/hooks/black", self.forge.file_url());
        let (py, nginx, redis) = (&self.py_121, &self.nginx, &self.redis);
        vec![
            (
                "Dockerfile",
                format!(
                    "# syntax=docker/dockerfile:1\nARG PY=3.12.1-slim\nFROM --platform=$BUILDPLATFORM {h}/team/python:${{PY}}@{py} AS build\nRUN echo build > /out\n\nFROM {h}/team/python:3.12.1-slim@{py}\nCOPY --from=build /out /out\n"
                ),
            ),
            (
                ".gitlab-ci.yml",
                format!(
                    "include:\n  - project: 'group/ci-templates'\n    ref: {} # v1.2.0\n    file: '/templates/build.yml'\n  - component: gitlab.example.com/group/components/lint@{} # 1.0.0\n\nimage: {h}/team/python:3.12.1-slim@{py}   # the build image\nservices:\n  - name: \"{h}/library/redis:7.2@{redis}\"\n    alias: cache\n\ntest:\n  script:\n    - pytest\n",
                    self.templates_120, self.lint_100
                ),
            ),
            (
                ".github/workflows/ci.yml",
                format!(
                    "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      # check out the code\n      - uses: actions/checkout@{} # v4.1.1\n      - uses: 'acme/deploy@{}' # v1.0.0   # deploy step\n        with: {{target: prod}}\n      - run: echo done\n",
                    self.checkout_411, self.deploy_100
                ),
            ),
            (
                "docker-compose.yml",
                format!(
                    "services:\n  web:\n    image: \"{h}/library/nginx:1.27.0@{nginx}\"\n    ports: [\"80:80\"]\n"
                ),
            ),
            (
                ".pre-commit-config.yaml",
                format!(
                    "repos:\n  - repo: {black}\n    rev: {}  # 24.3.0\n    hooks:\n      - id: black\n",
                    self.black_2430
                ),
            ),
        ]
    }
}

#[test]
fn pin_check_update_end_to_end() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (rel, text) in w.files() {
        write(d, rel, &text);
    }
    let flags = w.flags();

    // --check before pinning: every reference is unpinned (exit 1), nothing is written.
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout.matches("[unpinned-reference]").count(),
        10,
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(".github/workflows/ci.yml:8: actions/checkout@v4.1.1[unpinned-reference]"),
        "{}",
        r.stdout
    );

    // --dry-run: a unified diff on stdout, files untouched, no lock.
    let r = run(d, &flags, &["pin", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&format!(
        "+      - uses: actions/checkout@{} # v4.1.1\n",
        w.checkout_411
    )));
    assert!(r.stdout.contains("+++ b/vouch.lock\n"));
    for (rel, text) in w.files() {
        assert_eq!(read(d, rel), text, "{rel} changed by --dry-run");
    }
    assert!(!d.join("vouch.lock").exists());

    // pin: every other byte unchanged.
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("pinned 10 reference(s) in 5 file(s)"),
        "{}",
        r.stderr
    );
    for (rel, text) in w.pinned() {
        assert_eq!(read(d, rel), text, "{rel}");
    }
    // The multi-arch tag is pinned to its index digest.
    assert!(read(d, "Dockerfile").contains(&w.py_121));
    let lock = read(d, "vouch.lock");
    assert!(lock.starts_with("# vouch.lock"), "{lock}");
    assert!(
        lock.contains(&format!(
            "[[pin]]\nkind = \"action\"\nreference = \"actions/checkout\"\nversion = \"v4.1.1\"\ncommit = \"{}\"\nresolved-at = \"2026-11-22T00:00:00Z\"\nfiles = [\".github/workflows/ci.yml\"]\n",
            w.checkout_411
        )),
        "{lock}"
    );
    assert!(lock.contains(&format!(
        "reference = \"{}/team/python\"\nversion = \"3.12.1-slim\"\ndigest = \"{}\"\nresolved-at = \"2026-11-22T00:00:00Z\"\nfiles = [\".gitlab-ci.yml\", \"Dockerfile\"]\n",
        w.host(),
        w.py_121
    )), "{lock}");
    assert_eq!(lock.matches("[[pin]]").count(), 8, "{lock}");

    // Pinning again changes nothing; --check passes.
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("pinned 0 reference(s) in 0 file(s)"),
        "{}",
        r.stderr
    );
    assert_eq!(read(d, "vouch.lock"), lock);
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);

    // A version comment that disagrees with its commit fails --check.
    let wf = read(d, ".github/workflows/ci.yml");
    write(
        d,
        ".github/workflows/ci.yml",
        &wf.replace("# v4.1.1", "# v4.2.0"),
    );
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            ".github/workflows/ci.yml:8: actions/checkout[pin-comment-mismatch]: the comment says v4.2.0, which is commit {}, but the pin is {}\n",
            w.checkout_420, w.checkout_411
        )
    );
    write(d, ".github/workflows/ci.yml", &wf);

    // update with a 7-day cooldown: v4.2.1 and 3.12.5-slim are too young; acme/deploy v1.1.0
    // and the lint component 1.1.0 break their interface and are refused (exit 1).
    let r = run(d, &flags, &["update", "--min-age", "7d"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "Updated the following pins:\n\tactions/checkout v4.1.1 → v4.2.0\n\tgroup/ci-templates v1.2.0 → v1.3.0\n\t{h}/team/python 3.12.1-slim → 3.12.4-slim\n",
            h = w.host()
        )
    );
    assert!(
        r.stderr.contains("error[update-breaking]: .github/workflows/ci.yml:9: refused acme/deploy v1.0.0 → v1.1.0: input `environment` was removed"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("refused group/components/lint 1.0.0 → 1.1.0: new input `token` is required and has no default"),
        "{}",
        r.stderr
    );
    let wf = read(d, ".github/workflows/ci.yml");
    assert!(
        wf.contains(&format!("actions/checkout@{} # v4.2.0\n", w.checkout_420)),
        "{wf}"
    );
    assert!(
        wf.contains(&format!(
            "'acme/deploy@{}' # v1.0.0   # deploy step",
            w.deploy_100
        )),
        "{wf}"
    );
    let ci = read(d, ".gitlab-ci.yml");
    assert!(
        ci.contains(&format!("ref: {} # v1.3.0\n", w.templates_130)),
        "{ci}"
    );
    assert!(
        ci.contains(&format!(
            "image: {}/team/python:3.12.4-slim@{}   # the build image\n",
            w.host(),
            w.py_124
        )),
        "{ci}"
    );
    let df = read(d, "Dockerfile");
    // The ARG-built reference keeps its pin; the literal one moves.
    assert!(
        df.contains(&format!("python:${{PY}}@{} AS build", w.py_121)),
        "{df}"
    );
    assert!(
        df.contains(&format!("python:3.12.4-slim@{}\n", w.py_124)),
        "{df}"
    );
    let lock = read(d, "vouch.lock");
    assert!(lock.contains("version = \"v4.2.0\""), "{lock}");
    assert!(!lock.contains("version = \"v4.1.1\""), "{lock}");

    // --allow-breaking applies the breaking v1.1.0; without a cooldown the newest releases win.
    let r = run(d, &flags, &["update", "--allow-breaking"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "Updated the following pins:\n\tactions/checkout v4.2.0 → v4.2.1\n\tacme/deploy v1.0.0 → v1.1.0\n\tgroup/components/lint 1.0.0 → 1.1.0\n\t{h}/team/python 3.12.4-slim → 3.12.5-slim\n",
            h = w.host()
        )
    );
    assert!(read(d, ".github/workflows/ci.yml").contains(&format!(
        "acme/deploy@{}' # v1.1.0   # deploy step",
        w.deploy_110
    )));
    assert!(read(d, "Dockerfile").contains(&format!("python:3.12.5-slim@{}\n", w.py_125)));
    assert!(read(d, ".github/workflows/ci.yml").contains(&w.checkout_421));

    // Nothing newer within the majors now; --major crosses to v2.0.0 although it removes an
    // output (a major may break).
    let r = run(d, &flags, &["update", "--dry-run"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let r = run(d, &flags, &["update", "--major"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/deploy v1.1.0 → v2.0.0\n"
    );
    assert!(
        r.stderr.contains("output `url` was removed"),
        "{}",
        r.stderr
    );
    assert!(read(d, ".github/workflows/ci.yml").contains(&w.deploy_200));
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}

#[test]
fn faults_leave_the_file_untouched_and_exit_2() {
    let registry = Registry::start();
    let forge = Forge::new();
    registry.push_image("team/app", "1.0.0", "2026-09-01T00:00:00Z");
    forge.release(
        "acme/tool",
        "v1.0.0",
        &[("action.yml", "name: t\n")],
        "2026-09-01T00:00:00Z",
        false,
    );
    let h = registry.host();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A missing tag, a malformed YAML file, a missing git tag, and one good file.
    let missing_tag = format!("FROM {h}/team/app:9.9.9\n");
    let malformed = "image: [\n";
    let missing_ref = "jobs:\n  a:\n    steps:\n      - uses: acme/tool@v9\n";
    write(d, "Dockerfile", &missing_tag);
    write(d, ".gitlab-ci.yml", malformed);
    write(d, ".github/workflows/ci.yml", missing_ref);
    write(
        d,
        "docker-compose.yml",
        &format!("services:\n  a:\n    image: {h}/team/app:1.0.0\n"),
    );
    let flags = vec![
        "--insecure-registry".to_owned(),
        h.clone(),
        "--github-url".to_owned(),
        forge.file_url(),
    ];
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error[registry-not-found]: Dockerfile:1: {h}/team/app:9.9.9: "
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("error[pin-malformed-file]: .gitlab-ci.yml: malformed YAML: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "error[pin-ref-not-found]: .github/workflows/ci.yml:4: acme/tool@v9: no tag or branch `v9` in {}/acme/tool",
            forge.file_url()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(read(d, "Dockerfile"), missing_tag);
    assert_eq!(read(d, ".gitlab-ci.yml"), malformed);
    assert_eq!(read(d, ".github/workflows/ci.yml"), missing_ref);
    // The good file is still pinned.
    assert!(read(d, "docker-compose.yml").contains("1.0.0@sha256:"));
    // --check cannot evaluate the malformed file either: exit 2, not 1.
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);

    // A registry that wants credentials: 401 is told apart from 404.
    let locked = Registry::start_with_htpasswd();
    locked.push_image("team/app", "1.0.0", "2026-09-01T00:00:00Z");
    let dir2 = tempfile::tempdir().unwrap();
    let text = format!("FROM {}/team/app:1.0.0\n", locked.host());
    write(dir2.path(), "Dockerfile", &text);
    let flags = vec!["--insecure-registry".to_owned(), locked.host()];
    let r = run(dir2.path(), &flags, &["pin"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error[registry-unauthorized]: Dockerfile:1: "),
        "{}",
        r.stderr
    );
    assert_eq!(read(dir2.path(), "Dockerfile"), text);
    // Unreachable registry (nothing listens on the port once the registry is gone).
    let gone = locked.host();
    drop(locked);
    let text = format!("FROM {gone}/team/app:1.0.0\n");
    write(dir2.path(), "Dockerfile", &text);
    let flags = vec!["--insecure-registry".to_owned(), gone];
    let r = run(dir2.path(), &flags, &["pin"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("error[registry-network-error]: Dockerfile:1: "),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_arguments_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &[], &["update", "--min-age", "soon"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("invalid --min-age"), "{}", r.stderr);
    let r = run(dir.path(), &[], &["pin", "does-not-exist"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("does-not-exist does not exist"),
        "{}",
        r.stderr
    );
    // A malformed vouch.lock stops the run before any file is touched.
    let text = "FROM python:3.12\n";
    write(dir.path(), "Dockerfile", text);
    write(dir.path(), "vouch.lock", "version = 1\n[[pin]]\nkind = 3\n");
    let r = run(dir.path(), &[], &["pin"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: cannot use ./vouch.lock\n  caused by: malformed vouch.lock at line 3 column 8: invalid type: integer `3`, expected a string\n"),
        "{}",
        r.stderr
    );
    assert_eq!(read(dir.path(), "Dockerfile"), text);
    let r = run(dir.path(), &[], &["update"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    std::fs::remove_file(dir.path().join("Dockerfile")).unwrap();
    std::fs::remove_file(dir.path().join("vouch.lock")).unwrap();
    // Nothing to pin: exit 0 and no lock written.
    let r = run(dir.path(), &[], &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!dir.path().join("vouch.lock").exists());
}

#[test]
fn scan_reports_unpinned_references_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "Dockerfile",
        &format!(
            "FROM python:3.12-slim\nFROM alpine@sha256:{}\n",
            "a".repeat(64)
        ),
    );
    write(
        d,
        ".github/workflows/ci.yml",
        "jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./local\n",
    );
    // No registry or forge flags, and nothing listening: scan never resolves.
    let out = vouch(d)
        .args(["scan", ".", "--format", "json", "--fail-on", "critical"])
        .args(["--skip", "vulnerabilities"])
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let v = common::json(&out.stdout);
    let pinning = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "pinning")
        .unwrap();
    // Each unpinned reference once (issue #14): here both are also configuration findings,
    // which keep the pinning check's information; `unpinned-reference` is not repeated.
    assert_eq!(pinning["findings"], 0, "{pinning}");
    assert_eq!(
        pinning["note"],
        "2 files with references, 2 unpinned reported by the configuration rules"
    );
    let mut found: Vec<(String, u64, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["pinning"]["rule_id"] == "unpinned-reference")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["properties"]["pinning"]["reference"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                ".github/workflows/ci.yml".to_owned(),
                4,
                "github-action-not-pinned".to_owned(),
                "actions/checkout@v4".to_owned()
            ),
            (
                "Dockerfile".to_owned(),
                1,
                "dockerfile-base-not-pinned".to_owned(),
                "python:3.12-slim".to_owned()
            ),
        ]
    );
}

/// A loopback HTTP server answering every request with `status` (a real registry does not
/// answer 429 or 5xx on demand). Returns its `127.0.0.1:PORT`.
fn fault_server(status: &'static str) -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nRetry-After: 7\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    host
}

#[test]
fn throttled_and_server_errors_are_told_apart() {
    for (status, code) in [
        ("429 Too Many Requests", "registry-throttled"),
        ("503 Service Unavailable", "registry-server-error"),
        ("500 Internal Server Error", "registry-server-error"),
    ] {
        let host = fault_server(status);
        let dir = tempfile::tempdir().unwrap();
        let text = format!("FROM {host}/team/app:1.0.0\n");
        write(dir.path(), "Dockerfile", &text);
        let flags = vec!["--insecure-registry".to_owned(), host.clone()];
        let r = run(dir.path(), &flags, &["pin"]);
        assert_eq!(r.code, 2, "{status}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "error[{code}]: Dockerfile:1: {host}/team/app:1.0.0: "
            )),
            "{status}: {}",
            r.stderr
        );
        assert_eq!(read(dir.path(), "Dockerfile"), text);
        assert!(!dir.path().join("vouch.lock").exists());
    }
}

#[test]
fn reusable_workflow_interface_is_checked() {
    let forge = Forge::new();
    let wf = ".github/workflows/release.yml";
    let v1 = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n        required: false\njobs:\n  r:\n    runs-on: x\n    steps: [{run: echo}]\n";
    let v2 = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n        required: false\n    secrets:\n      token:\n        required: true\njobs:\n  r:\n    runs-on: x\n    steps: [{run: echo}]\n";
    let c1 = forge.release(
        "acme/workflows",
        "v1.0.0",
        &[(wf, v1)],
        "2026-09-01T00:00:00Z",
        false,
    );
    let c2 = forge.release(
        "acme/workflows",
        "v1.1.0",
        &[(wf, v2)],
        "2026-10-01T00:00:00Z",
        false,
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "jobs:\n  release:\n    uses: acme/workflows/.github/workflows/release.yml@v1.0.0\n";
    write(d, ".github/workflows/ci.yml", text);
    let flags = vec!["--github-url".to_owned(), forge.file_url()];
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pinned = format!(
        "jobs:\n  release:\n    uses: acme/workflows/.github/workflows/release.yml@{c1} # v1.0.0\n"
    );
    assert_eq!(read(d, ".github/workflows/ci.yml"), pinned);
    let r = run(d, &flags, &["update"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("refused acme/workflows/.github/workflows/release.yml v1.0.0 → v1.1.0: new input `secrets.token` is required and has no default"),
        "{}",
        r.stderr
    );
    assert_eq!(read(d, ".github/workflows/ci.yml"), pinned);
    let r = run(d, &flags, &["update", "--allow-breaking"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/workflows/.github/workflows/release.yml v1.0.0 → v1.1.0\n"
    );
    assert_eq!(
        read(d, ".github/workflows/ci.yml"),
        pinned.replace(&c1, &c2).replace("v1.0.0", "v1.1.0")
    );

    // A pin taken from a branch records `# main`; the branch moving on is not a mismatch, and
    // update leaves it alone (not a release).
    write(
        d,
        ".github/workflows/nightly.yml",
        "jobs:\n  n:\n    uses: acme/workflows/.github/workflows/release.yml@main\n",
    );
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        read(d, ".github/workflows/nightly.yml"),
        format!(
            "jobs:\n  n:\n    uses: acme/workflows/.github/workflows/release.yml@{c2} # main\n"
        )
    );
    forge.release(
        "acme/workflows",
        "v1.1.1",
        &[("README", "x")],
        "2026-10-02T00:00:00Z",
        false,
    );
    let r = run(d, &flags, &["pin", "--check"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
}

/// A tag moved to a rebuilt image (same tag, new digest) and no newer release: `update` follows
/// the tag (a digest update), after the cooldown, and says `tag@old → tag@new`.
#[test]
fn update_follows_a_moved_tag_to_its_new_digest() {
    let registry = Registry::start();
    let h = registry.host();
    let first = registry.push_image("team/base", "bookworm-slim", "2026-10-01T00:00:00Z");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "Dockerfile",
        &format!("FROM {h}/team/base:bookworm-slim\nRUN true\n"),
    );
    let flags = vec!["--insecure-registry".to_owned(), h.clone()];
    let r = run(d, &flags, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        read(d, "Dockerfile"),
        format!("FROM {h}/team/base:bookworm-slim@{first}\nRUN true\n")
    );
    // Nothing moved: nothing to say.
    let r = run(d, &flags, &["update"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);

    // The tag is rebuilt 1 day before "now": a 7-day cooldown holds it back, then it is taken.
    let second = registry.push_image("team/base", "bookworm-slim", "2026-11-21T00:00:00Z");
    assert_ne!(first, second);
    let r = run(d, &flags, &["update", "--min-age", "7d"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert!(read(d, "Dockerfile").contains(&first));
    let r = run(d, &flags, &["update"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let short = |digest: &str| format!("bookworm-slim@{}", &digest[..19]);
    assert_eq!(
        r.stdout,
        format!(
            "Updated the following pins:\n\t{h}/team/base {} → {}\n",
            short(&first),
            short(&second)
        )
    );
    assert_eq!(
        read(d, "Dockerfile"),
        format!("FROM {h}/team/base:bookworm-slim@{second}\nRUN true\n")
    );
    assert!(read(d, "vouch.lock").contains(&second));
}
