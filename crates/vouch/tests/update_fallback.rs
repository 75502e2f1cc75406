//! `vouch update` falls back to the newest compatible release within the major when newer ones
//! break the interface, and names each refused release with its breaks. Real git repositories
//! (`vouch_test::forge`) over `file://`.

use std::path::Path;

use vouch_test::forge::Forge;

mod common;

use common::write;

/// 2026-11-22T00:00:00Z: "now" for the lock and the --min-age cooldown.
const NOW: &str = "1795305600";

const V1_0: &str = "name: deploy\ninputs:\n  environment:\n    required: false\n  target:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
/// Adds an optional input: compatible.
const V1_1: &str = "name: deploy\ninputs:\n  environment:\n    required: false\n  target:\n    required: true\n  region:\n    default: eu\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
/// Removes `environment`: breaking within v1.
const V1_2: &str = "name: deploy\ninputs:\n  target:\n    required: true\n  region:\n    default: eu\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";
/// Also adds a required input without a default: breaking twice.
const V1_3: &str = "name: deploy\ninputs:\n  target:\n    required: true\n  region:\n    default: eu\n  token:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, forge: &Forge, args: &[&str]) -> Run {
    let url = forge.file_url();
    let out = common::vouch()
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", NOW)
        .args(args)
        .args(["--github-url", url.as_str()])
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const WORKFLOW: &str = ".github/workflows/ci.yml";

fn workflow(reference: &str) -> String {
    format!(
        "name: ci\non: [push]\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {reference}\n        with: {{target: prod}}\n"
    )
}

/// The repository `acme/deploy` with the given releases (tag, action.yml), one a month from
/// 2026-07; returns their commits.
fn releases(forge: &Forge, tags: &[(&str, &str)]) -> Vec<String> {
    tags.iter()
        .enumerate()
        .map(|(i, (tag, action))| {
            forge.release(
                "acme/deploy",
                tag,
                &[("action.yml", action)],
                &format!("2026-{:02}-01T00:00:00Z", 7 + i),
                false,
            )
        })
        .collect()
}

/// Pins `acme/deploy@v1.0.0` in a fresh tree and checks the pin.
fn pinned_tree(forge: &Forge, v1_0: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, WORKFLOW, &workflow("acme/deploy@v1.0.0"));
    let r = run(d, forge, &["pin"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        read(d, WORKFLOW),
        workflow(&format!("acme/deploy@{v1_0} # v1.0.0"))
    );
    dir
}

#[test]
fn update_falls_back_to_the_newest_compatible_release() {
    let forge = Forge::new();
    let c = releases(
        &forge,
        &[
            ("v1.0.0", V1_0),
            ("v1.1.0", V1_1),
            ("v1.2.0", V1_2),
            ("v1.3.0", V1_3),
        ],
    );
    let dir = pinned_tree(&forge, &c[0]);
    let d = dir.path();

    let r = run(d, &forge, &["update"]);
    // Moved to v1.1.0; the refusals of v1.3.0 and v1.2.0 are findings (exit 1), newest first.
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/deploy v1.0.0 → v1.1.0\n"
    );
    let refused_13 = "error[update-breaking]: .github/workflows/ci.yml:7: refused acme/deploy v1.0.0 → v1.3.0: input `environment` was removed; new input `token` is required and has no default (a breaking change within major; moved to v1.1.0, the newest compatible release; --allow-breaking applies it)\n";
    let refused_12 = "error[update-breaking]: .github/workflows/ci.yml:7: refused acme/deploy v1.0.0 → v1.2.0: input `environment` was removed (a breaking change within major; moved to v1.1.0, the newest compatible release; --allow-breaking applies it)\n";
    assert!(
        r.stderr.contains(&format!("{refused_13}{refused_12}")),
        "{}",
        r.stderr
    );
    assert_eq!(
        read(d, WORKFLOW),
        workflow(&format!("acme/deploy@{} # v1.1.0", c[1]))
    );
    let lock = read(d, "vouch.lock");
    assert!(lock.contains(&c[1]), "{lock}");
    assert!(!lock.contains(&c[0]), "{lock}");

    // From v1.1.0 nothing compatible is newer: the pin stays and both refusals are reported.
    let r = run(d, &forge, &["update"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("error[update-breaking]: .github/workflows/ci.yml:7: refused acme/deploy v1.1.0 → v1.3.0: input `environment` was removed; new input `token` is required and has no default (a breaking change within major; no compatible newer release; --allow-breaking applies it)\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("refused acme/deploy v1.1.0 → v1.2.0: input `environment` was removed (a breaking change within major; no compatible newer release;"),
        "{}",
        r.stderr
    );
    assert_eq!(
        read(d, WORKFLOW),
        workflow(&format!("acme/deploy@{} # v1.1.0", c[1]))
    );

    // --allow-breaking takes the newest, with a warning and exit 0.
    let r = run(d, &forge, &["update", "--allow-breaking"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/deploy v1.1.0 → v1.3.0\n"
    );
    assert!(
        r.stderr.contains("warning[update-breaking]: .github/workflows/ci.yml:7: acme/deploy v1.1.0 → v1.3.0 breaks the interface: input `environment` was removed; new input `token` is required and has no default"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("error["), "{}", r.stderr);
    assert_eq!(
        read(d, WORKFLOW),
        workflow(&format!("acme/deploy@{} # v1.3.0", c[3]))
    );
}

#[test]
fn no_refusal_when_the_newest_release_is_compatible() {
    let forge = Forge::new();
    let c = releases(
        &forge,
        &[("v1.0.0", V1_0), ("v1.1.0", V1_1), ("v1.1.1", V1_1)],
    );
    let dir = pinned_tree(&forge, &c[0]);
    let d = dir.path();
    let r = run(d, &forge, &["update"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/deploy v1.0.0 → v1.1.1\n"
    );
    assert!(!r.stderr.contains("update-breaking"), "{}", r.stderr);
}

#[test]
fn every_newer_release_breaking_keeps_the_pin_and_names_each() {
    let forge = Forge::new();
    let c = releases(
        &forge,
        &[("v1.0.0", V1_0), ("v1.2.0", V1_2), ("v1.3.0", V1_3)],
    );
    let dir = pinned_tree(&forge, &c[0]);
    let d = dir.path();
    let before = read(d, WORKFLOW);
    let lock = read(d, "vouch.lock");
    let r = run(d, &forge, &["update"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error[update-breaking]"))
        .collect();
    assert_eq!(
        errors,
        [
            "error[update-breaking]: .github/workflows/ci.yml:7: refused acme/deploy v1.0.0 → v1.3.0: input `environment` was removed; new input `token` is required and has no default (a breaking change within major; no compatible newer release; --allow-breaking applies it)",
            "error[update-breaking]: .github/workflows/ci.yml:7: refused acme/deploy v1.0.0 → v1.2.0: input `environment` was removed (a breaking change within major; no compatible newer release; --allow-breaking applies it)",
        ],
        "{}",
        r.stderr
    );
    assert_eq!(read(d, WORKFLOW), before);
    assert_eq!(read(d, "vouch.lock"), lock);
}

#[test]
fn a_compatible_release_still_in_cooldown_is_not_taken() {
    let forge = Forge::new();
    let c = releases(&forge, &[("v1.0.0", V1_0), ("v1.2.0", V1_2)]);
    // v1.1.0 released after v1.2.0 in time order is unusual; here the compatible one is young.
    let young = forge.release(
        "acme/deploy",
        "v1.1.0",
        &[("action.yml", V1_1)],
        "2026-11-20T00:00:00Z",
        false,
    );
    let dir = pinned_tree(&forge, &c[0]);
    let d = dir.path();
    let r = run(d, &forge, &["update", "--min-age", "7d"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    assert!(
        r.stderr.contains("refused acme/deploy v1.0.0 → v1.2.0: input `environment` was removed (a breaking change within major; no compatible newer release;"),
        "{}",
        r.stderr
    );
    assert!(!read(d, WORKFLOW).contains(&young));
    // Once old enough, it is the fallback.
    let r = run(d, &forge, &["update"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Updated the following pins:\n\tacme/deploy v1.0.0 → v1.1.0\n"
    );
}
