//! The k-of-n rebuild rule (`[rebuilds]`, docs/rebuilds.md): at least `threshold` distinct
//! trusted rebuilders must attest, in a rebuild statement valid now, that they rebuilt the
//! subject's digest. Part of [`crate::evaluate()`], so a folder, an image in a registry and the
//! admission webhook are judged by the same code.
//!
//! Every rebuild statement (predicate type [`REBUILD_V1`]) in the evidence set is looked at,
//! whatever digest it names:
//!
//! - verified under each trusted rebuilder in turn; one no rebuilder verifies is ignored and
//!   named (`rebuild-untrusted-signer`);
//! - outside its validity window at `now`: ignored and named (`rebuild-expired`,
//!   `rebuild-not-yet-valid`); a predicate that is not a valid rebuild predicate likewise
//!   (`rebuild-invalid`);
//! - about the subject with the subject's digest as the rebuilt digest: a vote; each rebuilder
//!   counts once however many statements it signed;
//! - a rebuilt digest that differs (the predicate's `rebuilt`, or a statement whose subject is
//!   the same artifact under another digest: in a registry because it is attached to the image;
//!   in a folder by its subject name, unless it names none of the artifact's known sources — the
//!   sources of the agreeing statements and the verified provenance's commit — which makes it a
//!   statement about another version): `rebuild-digest-mismatch`, a deny of its own even when
//!   the threshold is met;
//! - a statement about another artifact (another name, or the same name built from another
//!   source, in a folder) is ignored and named.

use std::collections::BTreeSet;

use vouch_attest::Statement;
use vouch_attest::rebuild::{REBUILD_V1, Rebuild, Source};
use vouch_digest::{Algorithm, Digest};
use vouch_sign::Bundle;
use vouch_sign::verify::{self, Artifact, Policy as Signer};

use crate::decision::{Check, Ignored, Reason, UsedEvidence};
use crate::evaluate::{GateError, Inputs};
use crate::evidence::Place;
use crate::policy::Rebuilds;

/// A trusted rebuilder: the name reasons give it (its key file as written in the policy, or
/// its identity) and how its statements verify.
#[derive(Debug, Clone)]
pub struct Rebuilder {
    pub name: String,
    pub signer: Signer,
}

/// A rebuild statement as found: its evidence name (`file:line`, `LAYOUT:sha256:…:line`) and
/// the parsed bundle, with the SHA-256 of the line as stored.
pub(crate) struct Candidate {
    pub evidence: String,
    pub bundle: Bundle,
    pub digest: Digest,
}

/// What the rule found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub reasons: Vec<Reason>,
    pub used: Vec<UsedEvidence>,
    pub ignored: Vec<Ignored>,
}

/// The statement inside a DSSE bundle, unverified (to choose the digest to verify against).
fn claimed_statement(bundle: &Bundle) -> Option<Statement> {
    let env = vouch_attest::Envelope::from_value(bundle.dsse_envelope_json()?.clone()).ok()?;
    Statement::parse(&env.payload).ok()
}

/// True when `bundle` claims to be a rebuild statement.
pub(crate) fn is_rebuild(bundle: &Bundle) -> bool {
    claimed_statement(bundle).is_some_and(|s| s.predicate_type == REBUILD_V1)
}

/// True when a source of `a` is one of `b` (the same digest under the same algorithm).
fn shares_source(a: &[Source], b: &[Source]) -> bool {
    a.iter().any(|x| {
        x.digest.iter().any(|(alg, v)| {
            b.iter()
                .any(|y| y.digest.get(alg).is_some_and(|w| w.eq_ignore_ascii_case(v)))
        })
    })
}

/// `commit 4f1c…, foo-1.0.tar.gz sha256:…` for messages.
fn describe(sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| {
            let digests: Vec<String> = s
                .digest
                .iter()
                .map(|(alg, v)| match alg.as_str() {
                    "gitCommit" => format!("commit {v}"),
                    _ => format!("{alg}:{v}"),
                })
                .collect();
            match &s.name {
                Some(n) => format!("{n} {}", digests.join(" ")),
                None => digests.join(" "),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Apply the rule to `candidates`.
pub(crate) fn check(
    rule: &Rebuilds,
    inputs: &Inputs<'_>,
    candidates: &[Candidate],
    provenance_commits: &[String],
) -> Result<Outcome, GateError> {
    let Inputs {
        rebuilders,
        subject,
        place,
        trust_root,
        now,
        ..
    } = *inputs;
    let mut out = Outcome::default();
    let gated = subject.digest();
    // Per rebuilder (by index): the evidence that agreed, and the digests it got instead.
    let mut agreed: Vec<Vec<String>> = vec![Vec::new(); rebuilders.len()];
    let mut mismatched: Vec<Vec<(String, Digest)>> = vec![Vec::new(); rebuilders.len()];
    let mut ignored_names: Vec<String> = Vec::new();
    // The artifact's known sources: the verified provenance's commits, then the sources of the
    // agreeing statements.
    let mut known: Vec<Source> = provenance_commits
        .iter()
        .map(|c| Source::commit(c))
        .collect();
    // Same name, another digest, in a folder: decided once every agreeing source is known.
    let mut same_name: Vec<(usize, String, Digest, Vec<Source>)> = Vec::new();
    let signers: Vec<Signer> = rebuilders.iter().map(|r| r.signer.clone()).collect();
    let mut ignore = |out: &mut Outcome, evidence: &str, code: &str, why: String| {
        ignored_names.push(format!("{evidence} ({code})"));
        out.ignored.push(Ignored {
            evidence: evidence.to_owned(),
            why: format!("rebuild ({code}): {why}"),
        });
    };

    for c in candidates {
        let Some(claimed) = claimed_statement(&c.bundle) else {
            ignore(
                &mut out,
                &c.evidence,
                "rebuild-invalid",
                "the payload is not an in-toto statement".into(),
            );
            continue;
        };
        let about_gated = claimed.has_subject(gated);
        // The digest to verify the statement against: the subject's, or the one it names.
        let named = claimed
            .subject
            .iter()
            .find_map(|s| s.digest.get(Algorithm::Sha256).cloned());
        let artifact = if about_gated {
            subject.artifact()
        } else {
            match named
                .as_ref()
                .and_then(|d| <[u8; 32]>::try_from(d.as_bytes()).ok())
            {
                Some(bytes) => Artifact::Sha256(bytes),
                None => {
                    ignore(
                        &mut out,
                        &c.evidence,
                        "rebuild-invalid",
                        "the statement names no sha256 subject".into(),
                    );
                    continue;
                }
            }
        };
        let mut errors = Vec::new();
        let mut verified = None;
        for (i, r) in rebuilders.iter().enumerate() {
            match verify::verify_attestation(&c.bundle, artifact, &r.signer, trust_root) {
                Ok(v) => {
                    verified = Some((i, v));
                    break;
                }
                Err(e) => errors.push(e),
            }
        }
        let Some((i, v)) = verified else {
            let (code, msg) = crate::evaluate::failure(&errors, &c.bundle, &signers)?;
            let names: Vec<&str> = rebuilders.iter().map(|r| r.name.as_str()).collect();
            if code == "untrusted-signer" {
                ignore(
                    &mut out,
                    &c.evidence,
                    "rebuild-untrusted-signer",
                    format!(
                        "not signed by a rebuilder the policy trusts ({})",
                        names.join(", ")
                    ),
                );
            } else {
                ignore(&mut out, &c.evidence, code, msg);
            }
            continue;
        };
        let name = rebuilders[i].name.as_str();
        let st = v.value();
        let predicate = match Rebuild::parse(&st.predicate) {
            Ok(p) => p,
            Err(e) => {
                ignore(
                    &mut out,
                    &c.evidence,
                    "rebuild-invalid",
                    format!("signed by {name}, but {e}"),
                );
                continue;
            }
        };
        // `parse` checked both.
        let (Ok(window), Ok(rebuilt)) = (predicate.window(), predicate.rebuilt_digest()) else {
            continue;
        };
        if now < window.from {
            ignore(
                &mut out,
                &c.evidence,
                "rebuild-not-yet-valid",
                format!("signed by {name}, valid from {} (now {now})", window.from),
            );
            continue;
        }
        if now >= window.until {
            ignore(
                &mut out,
                &c.evidence,
                "rebuild-expired",
                format!("signed by {name}, expired at {} (now {now})", window.until),
            );
            continue;
        }
        if about_gated {
            if &rebuilt == gated {
                agreed[i].push(c.evidence.clone());
                known.extend(predicate.source.iter().cloned());
                out.used.push(UsedEvidence {
                    evidence: c.evidence.clone(),
                    kind: REBUILD_V1.to_owned(),
                    digest: c.digest.clone(),
                    signer: v.signer().clone(),
                    tlog_verified: v.tlog_verified(),
                });
            } else {
                mismatched[i].push((c.evidence.clone(), rebuilt));
            }
            continue;
        }
        // About another digest: the same artifact rebuilt differently, or another artifact.
        let got = named.unwrap_or(rebuilt);
        let names: Vec<String> = st.subject.iter().map(|s| s.name.clone()).collect();
        match place {
            // Attached to the image: it is about this image whatever digest it names.
            Place::Registry => mismatched[i].push((c.evidence.clone(), got)),
            Place::Folder if names.iter().any(|n| n == subject.name()) => {
                same_name.push((i, c.evidence.clone(), got, predicate.source));
            }
            Place::Folder => {
                ignore(
                    &mut out,
                    &c.evidence,
                    "rebuild-other-artifact",
                    format!(
                        "signed by {name}, about {} and not {}",
                        names.join(", "),
                        subject.name()
                    ),
                );
            }
        }
    }

    // The same file name under another digest: a mismatch when it shares a source with the
    // artifact (or nothing is known of the artifact's sources: fail closed, a person looks),
    // another version of the file when it was built from other sources.
    for (i, evidence, got, sources) in same_name {
        if known.is_empty() || shares_source(&sources, &known) {
            mismatched[i].push((evidence, got));
        } else {
            let name = rebuilders[i].name.as_str();
            ignore(
                &mut out,
                &evidence,
                "rebuild-other-artifact",
                format!(
                    "signed by {name}, about {} {got}, built from {}, none of the sources of {gated}",
                    subject.name(),
                    describe(&sources)
                ),
            );
        }
    }

    // The red alert: a trusted rebuilder built something else from the source.
    for (i, found) in mismatched.iter().enumerate() {
        let mut got: BTreeSet<String> = BTreeSet::new();
        for (_, d) in found {
            got.insert(d.to_string());
        }
        if let Some((evidence, _)) = found.first() {
            out.reasons.push(
                Reason::new(
                    Check::Rebuilds,
                    "rebuild-digest-mismatch",
                    format!(
                        "rebuilder {} rebuilt {} and got {}, not {gated}: the artifact is not what its source builds (or that rebuild differs); this denies even when the threshold is met",
                        rebuilders[i].name,
                        subject.name(),
                        got.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(evidence.clone()),
            );
        }
    }

    // A rebuilder that also attested another digest is an alert, never a vote.
    let agreeing: Vec<&str> = (0..rebuilders.len())
        .filter(|&i| !agreed[i].is_empty() && mismatched[i].is_empty())
        .map(|i| rebuilders[i].name.as_str())
        .collect();
    let mismatching: Vec<&str> = (0..rebuilders.len())
        .filter(|&i| !mismatched[i].is_empty())
        .map(|i| rebuilders[i].name.as_str())
        .collect();
    let missing: Vec<&str> = (0..rebuilders.len())
        .filter(|&i| agreed[i].is_empty() && mismatched[i].is_empty())
        .map(|i| rebuilders[i].name.as_str())
        .collect();
    if agreeing.len() < rule.threshold {
        let mut message = format!(
            "{} of the {} required rebuilds of {gated}: agreed: {}; missing: {}",
            agreeing.len(),
            rule.threshold,
            list(&agreeing),
            list(&missing),
        );
        if !mismatching.is_empty() {
            message.push_str(&format!(
                "; attested another digest: {}",
                mismatching.join(", ")
            ));
        }
        if !ignored_names.is_empty() {
            message.push_str(&format!("; ignored: {}", ignored_names.join(", ")));
        }
        out.reasons.push(Reason::new(
            Check::Rebuilds,
            "rebuild-threshold-not-met",
            message,
        ));
    }
    Ok(out)
}
