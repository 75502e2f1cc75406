//! The k-of-n rebuild rule (`[rebuilds]`) through `load` + `gate`, with three real rebuilder
//! keys written as files: agreement, a missing vote, a key that signed twice, a rebuilder that
//! got another digest, expired / not-yet-valid / untrusted statements, and the policy errors.

mod common;

use common::{ARTIFACT, good, line};

use vouch_advisory::suppress::Date;
use vouch_attest::Statement;
use vouch_attest::rebuild::{REBUILD_V1, Rebuild, Source};
use vouch_attest::statement::Subject;
use vouch_digest::Digest;
use vouch_gate::evidence::Place;
use vouch_gate::{Check, Context, Evidence, EvidenceFile, load};
use vouch_sign::key::{Algorithm, SigningKey};

const SBOM: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}"#;
const NOW: &str = "2026-12-07T12:00:00Z";

struct Setup {
    dir: tempfile::TempDir,
    release: SigningKey,
    /// rebuilder-a, rebuilder-b, rebuilder-c.
    rebuilders: [SigningKey; 3],
}

fn setup(rebuilds: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let release = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    std::fs::write(
        dir.path().join("release.pub"),
        release.public_key().to_pem(),
    )
    .unwrap();
    let rebuilders = [(); 3].map(|()| SigningKey::generate(Algorithm::EcdsaP256).unwrap());
    for (k, n) in rebuilders.iter().zip(["a", "b", "c"]) {
        std::fs::write(
            dir.path().join(format!("rebuilder-{n}.pub")),
            k.public_key().to_pem(),
        )
        .unwrap();
    }
    let policy = format!("[trust]\nkeys = [\"release.pub\"]\n\n{rebuilds}");
    std::fs::write(dir.path().join("gate.toml"), policy).unwrap();
    Setup {
        dir,
        release,
        rebuilders,
    }
}

const RULE: &str = "[rebuilds]\nthreshold = 2\nkeys = [\"rebuilder-a.pub\", \"rebuilder-b.pub\", \"rebuilder-c.pub\"]\n";

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A rebuild statement about `name` with digest `subject`, rebuilt to `rebuilt`, valid in
/// [`from`, `until`).
fn statement(name: &str, subject: &Digest, rebuilt: &Digest, from: &str, until: &str) -> Statement {
    statement_from(&"a".repeat(40), name, subject, rebuilt, from, until)
}

/// [`statement`] built from `commit`.
fn statement_from(
    commit: &str,
    name: &str,
    subject: &Digest,
    rebuilt: &Digest,
    from: &str,
    until: &str,
) -> Statement {
    let p = Rebuild::new(
        "https://rebuild.example/test",
        vec![Source::commit(commit)],
        rebuilt.clone(),
        ts(from),
        ts(until),
    )
    .unwrap();
    Statement::new(
        vec![Subject::new(name, subject.clone())],
        REBUILD_V1,
        serde_json::to_value(p).unwrap(),
    )
}

fn agreeing(key: &SigningKey) -> Vec<u8> {
    let d = Digest::sha256(ARTIFACT);
    line(
        key,
        &statement(
            "app.tar.gz",
            &d,
            &d,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    )
}

fn file(name: &str, bytes: Vec<u8>) -> EvidenceFile {
    EvidenceFile {
        name: name.into(),
        bytes,
    }
}

fn gate(s: &Setup, extra: Vec<EvidenceFile>) -> vouch_gate::Decision {
    gate_at(s, extra, Place::Folder)
}

fn gate_at(s: &Setup, extra: Vec<EvidenceFile>, place: Place) -> vouch_gate::Decision {
    let loaded = load(&s.dir.path().join("gate.toml")).unwrap();
    let ev = good(&s.release, SBOM);
    let mut attestations = ev.files.clone();
    attestations.extend(extra);
    let evidence = Evidence {
        signatures: common::signatures(&ev),
        sbom: Some(SBOM.as_bytes().to_vec()),
        attestations,
        place,
        sarif: Vec::new(),
    };
    let context = Context {
        advisories: None,
        check_findings: None,
        secret_findings: None,
        today: Date::parse("2026-12-07").unwrap(),
        now: ts(NOW),
    };
    let subject = vouch_gate::Subject::from_bytes("app.tar.gz", ARTIFACT);
    vouch_gate::gate(&loaded, &subject, &evidence, &context).unwrap()
}

fn rebuild_reasons(d: &vouch_gate::Decision) -> Vec<(&'static str, String)> {
    d.reasons
        .iter()
        .map(|r| {
            assert_eq!(r.check, Check::Rebuilds, "{r:?}");
            (r.code, r.message.clone())
        })
        .collect()
}

fn gated() -> String {
    Digest::sha256(ARTIFACT).to_string()
}

#[test]
fn two_of_three_agree_passes() {
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", agreeing(b)),
        ],
    );
    assert!(d.passed(), "{:#?}", d.reasons);
    let rebuilds: Vec<&str> = d
        .verified
        .iter()
        .filter(|u| u.kind == REBUILD_V1)
        .map(|u| u.evidence.as_str())
        .collect();
    assert_eq!(
        rebuilds,
        ["rebuild-a.intoto.jsonl:1", "rebuild-b.intoto.jsonl:1"]
    );
    // The summary of the pass lists them among its input attestations.
    let loaded = load(&s.dir.path().join("gate.toml")).unwrap();
    let st = vouch_gate::summary(&d, &loaded.policy, &loaded.source, ts(NOW), "0.1.0").unwrap();
    let vsa = vouch_attest::vsa::VerificationSummary::parse(&st.predicate).unwrap();
    let uris: Vec<String> = vsa
        .input_attestations
        .iter()
        .filter_map(|r| r.uri.clone())
        .collect();
    assert!(
        uris.iter().any(|u| u.starts_with("rebuild-a.intoto.jsonl"))
            && uris.iter().any(|u| u.starts_with("rebuild-b.intoto.jsonl")),
        "{uris:?}"
    );
}

#[test]
fn one_of_three_denies_naming_the_missing_rebuilders() {
    let s = setup(RULE);
    let d = gate(
        &s,
        vec![file("rebuild-a.intoto.jsonl", agreeing(&s.rebuilders[0]))],
    );
    assert!(!d.passed());
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub",
                gated()
            )
        )]
    );
}

#[test]
fn no_rebuild_at_all_denies() {
    let s = setup(RULE);
    let d = gate(&s, vec![]);
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-threshold-not-met",
            format!(
                "0 of the 2 required rebuilds of {}: agreed: none; missing: rebuilder-a.pub, rebuilder-b.pub, rebuilder-c.pub",
                gated()
            )
        )]
    );
}

#[test]
fn one_key_signing_twice_counts_once() {
    let s = setup(RULE);
    let a = &s.rebuilders[0];
    let mut two = agreeing(a);
    two.extend(agreeing(a));
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", two),
            file("rebuild-a2.intoto.jsonl", agreeing(a)),
        ],
    );
    assert!(!d.passed());
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub",
                gated()
            )
        )]
    );
}

#[test]
fn a_rebuilder_that_got_another_digest_denies_even_when_the_threshold_is_met() {
    let s = setup(RULE);
    let [a, b, c] = &s.rebuilders;
    let other = Digest::sha256(b"what rebuilder c built");
    let mismatch = line(
        c,
        &statement(
            "app.tar.gz",
            &Digest::sha256(ARTIFACT),
            &other,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", agreeing(b)),
            file("rebuild-c.intoto.jsonl", mismatch),
        ],
    );
    assert!(!d.passed());
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-digest-mismatch",
            format!(
                "rebuilder rebuilder-c.pub rebuilt app.tar.gz and got {other}, not {}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met",
                gated()
            )
        )]
    );
    assert_eq!(
        d.reasons[0].evidence.as_deref(),
        Some("rebuild-c.intoto.jsonl:1")
    );
}

#[test]
fn a_statement_about_the_same_file_with_another_digest_is_seen_as_a_mismatch() {
    // Rebuilder b attested its own output: subject app.tar.gz with the digest it built.
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let other = Digest::sha256(b"what rebuilder b built");
    let own = line(
        b,
        &statement(
            "app.tar.gz",
            &other,
            &other,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", own),
        ],
    );
    assert_eq!(
        rebuild_reasons(&d),
        [
            (
                "rebuild-digest-mismatch",
                format!(
                    "rebuilder rebuilder-b.pub rebuilt app.tar.gz and got {other}, not {}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met",
                    gated()
                )
            ),
            (
                "rebuild-threshold-not-met",
                format!(
                    "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-c.pub; attested another digest: rebuilder-b.pub",
                    gated()
                )
            )
        ]
    );
}

#[test]
fn a_statement_about_another_artifact_is_ignored_and_named() {
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let lib = Digest::sha256(b"lib");
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file(
                "rebuild-lib.intoto.jsonl",
                line(
                    b,
                    &statement(
                        "lib.tar.gz",
                        &lib,
                        &lib,
                        "2026-12-01T00:00:00Z",
                        "2027-01-01T00:00:00Z",
                    ),
                ),
            ),
        ],
    );
    assert_eq!(d.reasons.len(), 1, "{:#?}", d.reasons);
    assert_eq!(d.reasons[0].code, "rebuild-threshold-not-met");
    let ignored: Vec<(&str, &str)> = d
        .ignored
        .iter()
        .map(|i| (i.evidence.as_str(), i.why.as_str()))
        .collect();
    assert_eq!(
        ignored,
        [(
            "rebuild-lib.intoto.jsonl:1",
            "rebuild (rebuild-other-artifact): signed by rebuilder-b.pub, about lib.tar.gz and not app.tar.gz"
        )]
    );
}

#[test]
fn expired_and_not_yet_valid_statements_are_ignored_and_named() {
    let s = setup(RULE);
    let [a, b, c] = &s.rebuilders;
    let d0 = Digest::sha256(ARTIFACT);
    let expired = line(
        b,
        &statement(
            "app.tar.gz",
            &d0,
            &d0,
            "2026-10-01T00:00:00Z",
            "2026-11-01T00:00:00Z",
        ),
    );
    let future = line(
        c,
        &statement(
            "app.tar.gz",
            &d0,
            &d0,
            "2026-12-08T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", expired),
            file("rebuild-c.intoto.jsonl", future),
        ],
    );
    assert!(!d.passed());
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub; ignored: rebuild-b.intoto.jsonl:1 (rebuild-expired), rebuild-c.intoto.jsonl:1 (rebuild-not-yet-valid)",
                gated()
            )
        )]
    );
    let ignored: Vec<(&str, &str)> = d
        .ignored
        .iter()
        .map(|i| (i.evidence.as_str(), i.why.as_str()))
        .collect();
    assert_eq!(
        ignored,
        [
            (
                "rebuild-b.intoto.jsonl:1",
                "rebuild (rebuild-expired): signed by rebuilder-b.pub, expired at 2026-11-01T00:00:00Z (now 2026-12-07T12:00:00Z)"
            ),
            (
                "rebuild-c.intoto.jsonl:1",
                "rebuild (rebuild-not-yet-valid): signed by rebuilder-c.pub, valid from 2026-12-08T00:00:00Z (now 2026-12-07T12:00:00Z)"
            ),
        ]
    );
}

#[test]
fn an_expired_statement_does_not_count_toward_the_threshold_even_with_a_fresh_one_missing() {
    // The boundary: valid-until is exclusive.
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let d0 = Digest::sha256(ARTIFACT);
    let ends_now = line(
        b,
        &statement("app.tar.gz", &d0, &d0, "2026-12-01T00:00:00Z", NOW),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", ends_now),
        ],
    );
    assert_eq!(d.codes(), [(Check::Rebuilds, "rebuild-threshold-not-met")]);
}

#[test]
fn a_statement_by_an_untrusted_key_is_ignored_and_named() {
    let s = setup(RULE);
    let stranger = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(&s.rebuilders[0])),
            file("rebuild-x.intoto.jsonl", agreeing(&stranger)),
        ],
    );
    assert!(!d.passed());
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-threshold-not-met",
            format!(
                "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub; ignored: rebuild-x.intoto.jsonl:1 (rebuild-untrusted-signer)",
                gated()
            )
        )]
    );
    assert_eq!(d.ignored.len(), 1);
    assert_eq!(
        d.ignored[0].why,
        "rebuild (rebuild-untrusted-signer): not signed by a rebuilder the policy trusts (rebuilder-a.pub, rebuilder-b.pub, rebuilder-c.pub)"
    );
}

#[test]
fn the_release_key_is_not_a_rebuilder() {
    // [trust] keys sign releases; only [rebuilds] keys vote.
    let s = setup(RULE);
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(&s.rebuilders[0])),
            file("rebuild-r.intoto.jsonl", agreeing(&s.release)),
        ],
    );
    assert_eq!(d.codes(), [(Check::Rebuilds, "rebuild-threshold-not-met")]);
}

#[test]
fn without_rebuilds_in_the_policy_rebuild_statements_change_nothing() {
    let s = setup("");
    let d = gate(
        &s,
        vec![file("rebuild-a.intoto.jsonl", agreeing(&s.rebuilders[0]))],
    );
    assert!(d.passed(), "{:#?}", d.reasons);
}

fn load_error(rebuilds: &str) -> String {
    let s = setup(rebuilds);
    let path = s.dir.path().join("gate.toml");
    let e = load(&path).unwrap_err();
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out.replace(&s.dir.path().display().to_string(), "DIR")
}

#[test]
fn policy_errors_have_exact_messages() {
    assert_eq!(
        load_error("[rebuilds]\nthreshold = 0\nkeys = [\"rebuilder-a.pub\"]\n"),
        "policy DIR/gate.toml: `rebuilds.threshold` is 0; it must be at least 1 (a threshold of 0 would pass with no rebuild)"
    );
    assert_eq!(
        load_error(
            "[rebuilds]\nthreshold = 4\nkeys = [\"rebuilder-a.pub\", \"rebuilder-b.pub\", \"rebuilder-c.pub\"]\n"
        ),
        "policy DIR/gate.toml: `rebuilds.threshold` is 4, but only 3 rebuilder(s) are trusted (keys and identities): the rule could never pass"
    );
    assert_eq!(
        load_error("[rebuilds]\nkeys = [\"rebuilder-a.pub\"]\n"),
        "policy DIR/gate.toml: `rebuilds.threshold` is required when [rebuilds] is present (how many distinct rebuilders must agree)"
    );
    assert_eq!(
        load_error("[rebuilds]\nthreshold = 1\n"),
        "policy DIR/gate.toml: `rebuilds` names no key and no identity: no rebuild could ever count"
    );
    assert_eq!(
        load_error(
            "[rebuilds]\nthreshold = 1\nkeys = [\"rebuilder-a.pub\", \"rebuilder-a.pub\"]\n"
        ),
        "policy DIR/gate.toml: `rebuilds.keys` names `rebuilder-a.pub` twice: each rebuilder counts once"
    );
    let e = load_error("[rebuilds]\nthreshold = 1\nkeys = [\"rebuilder-d.pub\"]\n");
    assert!(
        e.starts_with("could not read rebuilder key DIR/rebuilder-d.pub: "),
        "{e}"
    );
}

#[test]
fn the_same_key_under_two_file_names_is_an_error() {
    let s = setup("[rebuilds]\nthreshold = 2\nkeys = [\"rebuilder-a.pub\", \"copy.pub\"]\n");
    std::fs::copy(
        s.dir.path().join("rebuilder-a.pub"),
        s.dir.path().join("copy.pub"),
    )
    .unwrap();
    let e = load(&s.dir.path().join("gate.toml")).unwrap_err();
    assert!(
        matches!(&e, vouch_gate::LoadError::SameRebuilderKey { first, second, .. }
            if first == "rebuilder-a.pub" && second == "copy.pub"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "rebuilder keys rebuilder-a.pub and copy.pub in the policy are the same key (fingerprint {}): each rebuilder counts once",
            s.rebuilders[0].public_key().fingerprint()
        )
    );
}

#[test]
fn in_a_registry_a_statement_attached_to_the_image_naming_another_digest_is_a_mismatch() {
    // Attached to the image, the statement is about it whatever name its subject has.
    let s = setup(RULE);
    let [a, b, c] = &s.rebuilders;
    let other = Digest::sha256(b"rebuilder c's manifest");
    let own = line(
        c,
        &statement(
            "registry.example.com/team/app",
            &other,
            &other,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate_at(
        &s,
        vec![
            file("referrers-api:sha256:a", agreeing(a)),
            file("referrers-api:sha256:b", agreeing(b)),
            file("referrers-api:sha256:c", own),
        ],
        Place::Registry,
    );
    assert_eq!(
        rebuild_reasons(&d),
        [(
            "rebuild-digest-mismatch",
            format!(
                "rebuilder rebuilder-c.pub rebuilt app.tar.gz and got {other}, not {}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met",
                gated()
            )
        )]
    );
}

#[test]
fn a_forged_mismatch_by_an_untrusted_key_never_denies() {
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let stranger = SigningKey::generate(Algorithm::EcdsaP256).unwrap();
    let d0 = Digest::sha256(ARTIFACT);
    let forged = line(
        &stranger,
        &statement(
            "app.tar.gz",
            &d0,
            &Digest::sha256(b"x"),
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", agreeing(b)),
            file("rebuild-x.intoto.jsonl", forged),
        ],
    );
    assert!(d.passed(), "{:#?}", d.reasons);
    assert_eq!(d.ignored.len(), 1);
    assert_eq!(d.ignored[0].evidence, "rebuild-x.intoto.jsonl:1");
}

#[test]
fn a_rebuilder_with_both_a_vote_and_a_mismatch_is_a_mismatch_not_a_vote() {
    let s = setup(RULE);
    let [a, b, _] = &s.rebuilders;
    let d0 = Digest::sha256(ARTIFACT);
    let other = Digest::sha256(b"b's other build");
    let mut both = agreeing(b);
    both.extend(line(
        b,
        &statement(
            "app.tar.gz",
            &d0,
            &other,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    ));
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", both),
        ],
    );
    assert_eq!(
        d.codes(),
        [
            (Check::Rebuilds, "rebuild-digest-mismatch"),
            (Check::Rebuilds, "rebuild-threshold-not-met")
        ]
    );
    assert_eq!(
        d.reasons[1].message,
        format!(
            "1 of the 2 required rebuilds of {}: agreed: rebuilder-a.pub; missing: rebuilder-c.pub; attested another digest: rebuilder-b.pub",
            gated()
        )
    );
}

#[test]
fn keyless_rebuilders_count_toward_the_number_trusted() {
    let id = "identities = [{ identity = \"https://github.com/acme/rebuild/.github/workflows/rebuild.yml@refs/heads/main\", issuer = \"https://token.actions.githubusercontent.com\" }]\n";
    let policy = |t: u32, keys: &str, ids: &str| {
        format!(
            "[trust]\nkeys = [\"release.pub\"]\n[rebuilds]\nthreshold = {t}\nkeys = [{keys}]\n{ids}"
        )
    };
    let p = vouch_gate::Policy::parse(&policy(2, "\"a.pub\"", id), "gate.toml").unwrap();
    let r = p.rebuilds.unwrap();
    assert_eq!((r.threshold, r.trusted()), (2, 2));
    assert_eq!(
        r.identities[0].issuer,
        "https://token.actions.githubusercontent.com"
    );
    // `subject` is accepted for `identity`.
    let alias = id.replace("identity =", "subject =");
    let p = vouch_gate::Policy::parse(&policy(1, "", &alias), "gate.toml").unwrap();
    assert_eq!(
        p.rebuilds.unwrap().identities[0].identity,
        "https://github.com/acme/rebuild/.github/workflows/rebuild.yml@refs/heads/main"
    );
    assert_eq!(
        vouch_gate::Policy::parse(&policy(3, "\"a.pub\"", id), "gate.toml")
            .unwrap_err()
            .to_string(),
        "policy gate.toml: `rebuilds.threshold` is 3, but only 2 rebuilder(s) are trusted (keys and identities): the rule could never pass"
    );
    assert_eq!(
        vouch_gate::Policy::parse(
            &policy(1, "", "identities = [{ identity = \"x\" }]\n"),
            "gate.toml"
        )
        .unwrap_err()
        .to_string(),
        "policy gate.toml: `rebuilds.identities[0]` needs a non-empty `issuer`"
    );
    assert_eq!(
        vouch_gate::Policy::parse(&policy(1, "\"a.pub\"", "extra = 1\n"), "gate.toml")
            .unwrap_err()
            .to_string()
            .split(':')
            .next()
            .unwrap(),
        "policy gate.toml is not valid TOML at line 6 column 1"
    );
}

#[test]
fn an_unreadable_predicate_by_a_trusted_rebuilder_is_ignored_and_named() {
    let s = setup(RULE);
    let d0 = Digest::sha256(ARTIFACT);
    let mut predicate = serde_json::to_value(
        Rebuild::new(
            "https://rebuild.example/test",
            vec![Source::commit(&"a".repeat(40))],
            d0.clone(),
            ts("2026-12-01T00:00:00Z"),
            ts("2027-01-01T00:00:00Z"),
        )
        .unwrap(),
    )
    .unwrap();
    predicate["validUntil"] = "soon".into();
    let st = Statement::new(vec![Subject::new("app.tar.gz", d0)], REBUILD_V1, predicate);
    let d = gate(
        &s,
        vec![file("rebuild-a.intoto.jsonl", line(&s.rebuilders[0], &st))],
    );
    assert_eq!(d.codes(), [(Check::Rebuilds, "rebuild-threshold-not-met")]);
    assert_eq!(
        d.ignored[0].why,
        "rebuild (rebuild-invalid): signed by rebuilder-a.pub, but rebuild predicate `validUntil` `soon` is not an RFC 3339 time"
    );
}

#[test]
fn a_rebuilds_policy_without_rebuilders_cannot_be_evaluated() {
    // A caller that builds Inputs by hand and forgets the rebuilders gets an error, never a pass.
    let s = setup(RULE);
    let loaded = load(&s.dir.path().join("gate.toml")).unwrap();
    let ev = good(&s.release, SBOM);
    let signatures = common::signatures(&ev);
    let supp = vouch_advisory::suppress::Suppressions::default();
    let inputs = vouch_gate::Inputs {
        subject: &vouch_gate::Subject::from_bytes("app.tar.gz", ARTIFACT),
        signatures: &signatures,
        place: Place::Folder,
        sbom: Some(SBOM.as_bytes()),
        attestations: &ev.files,
        signers: &loaded.signers,
        trust_root: &loaded.trust_root,
        advisories: None,
        suppressions: &supp,
        check_findings: None,
        secret_findings: None,
        rules: None,
        today: Date::parse("2026-12-07").unwrap(),
        rebuilders: &[],
        now: ts(NOW),
        sarif: Default::default(),
    };
    let e = vouch_gate::evaluate(&loaded.policy, &inputs).unwrap_err();
    assert!(matches!(e, vouch_gate::GateError::NoRebuilders), "{e:?}");
    assert_eq!(
        e.to_string(),
        "the policy has [rebuilds], but no rebuilder keys or identities were given"
    );
}

#[test]
fn the_same_file_name_built_from_another_source_is_another_version_not_a_mismatch() {
    // A rebuild of last release's app.tar.gz (another commit) left in the folder: neither a
    // vote nor an alert. The artifact's sources are the provenance's commit (a…a) and the
    // agreeing statements'.
    let s = setup(RULE);
    let [a, b, c] = &s.rebuilders;
    let old = Digest::sha256(b"app 0.9");
    let previous = line(
        c,
        &statement_from(
            &"b".repeat(40),
            "app.tar.gz",
            &old,
            &old,
            "2026-12-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
        ),
    );
    let d = gate(
        &s,
        vec![
            file("rebuild-a.intoto.jsonl", agreeing(a)),
            file("rebuild-b.intoto.jsonl", agreeing(b)),
            file("rebuild-old.intoto.jsonl", previous),
        ],
    );
    assert!(d.passed(), "{:#?}", d.reasons);
    assert_eq!(d.ignored.len(), 1);
    assert_eq!(
        d.ignored[0].why,
        format!(
            "rebuild (rebuild-other-artifact): signed by rebuilder-c.pub, about app.tar.gz {old}, built from commit {}, none of the sources of {}",
            "b".repeat(40),
            gated()
        )
    );
}
