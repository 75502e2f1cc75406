//! The admission decision against a real registry (Debian's `docker-registry` on loopback),
//! with images signed and attested by vouch's own library calls (the ones `vouch sign` and
//! `vouch attest` make): signed allowed, unsigned denied, the same decision as the gate's own
//! call, a tag moved after signing, the registry stopped mid-run.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};
use vouch_admission::{Config, Endpoint, Engine, RegistryVerifier, Verdict, Verifier as _};
use vouch_attest::Statement;
use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_oci::referrers::{self, Descriptor};
use vouch_resolve::{Resolver, attached};
use vouch_sign::key::SigningKey;
use vouch_test::registry::Registry;

const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[provenance]
source = "https://gitlab.example.com/acme/api"
protected-refs = ["main"]
builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
"#;

const ADMISSION: &str = r#"
unmatched = "deny"
[[rules]]
images = ["127.0.0.1:*/team/**"]
policy = "gate.toml"
"#;

fn sbom(name: &Name, digest: &Digest) -> Statement {
    Statement::new(
        vec![vouch_attest::statement::Subject::new(
            name.to_string(),
            digest.clone(),
        )],
        vouch_attest::sbom::PREDICATE_CYCLONEDX,
        json!({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}),
    )
}

/// `vouch sign` and `vouch attest` (provenance, SBOM) of `name:tag`, as library calls.
fn sign_and_attest(resolver: &Resolver, key: &SigningKey, name: &Name, tag: &str) -> Digest {
    let m = resolver.fetch_manifest(name, tag).unwrap();
    let descriptor = Descriptor {
        media_type: m.media_type,
        digest: m.digest.clone(),
        size: m.bytes.len() as u64,
        artifact_type: None,
        annotations: Default::default(),
    };
    for st in [
        vouch_attest::image_signature(&name.to_string(), &m.digest),
        common::provenance(name, &m.digest),
        sbom(name, &m.digest),
    ] {
        let bundle = vouch_sign::sign::sign_statement(key, &st).unwrap();
        let bytes = serde_json::to_vec(bundle.json()).unwrap();
        let annotations =
            attached::bundle_annotations(true, Some(&st.predicate_type), "2026-01-01T00:00:00Z");
        let artifact = referrers::bundle_artifact(&bytes, &descriptor, annotations);
        attached::attach(resolver, name, &m.digest, &artifact).unwrap();
    }
    m.digest
}

struct Setup {
    registry: Option<Registry>,
    _dir: tempfile::TempDir,
    engine: Engine,
    host: String,
    signed: Digest,
    unsigned: Digest,
    config_path: std::path::PathBuf,
}

fn setup() -> Setup {
    let registry = Registry::start();
    let host = registry.host();
    let (dir, path, key) = common::folder(ADMISSION);
    std::fs::write(dir.path().join("gate.toml"), POLICY).unwrap();
    registry.push_image("team/app", "v1", "2026-01-01T00:00:00Z");
    registry.push_image("team/app", "v2", "2026-02-01T00:00:00Z");
    let r = common::resolver(&registry);
    let name = Name::parse(&format!("{host}/team/app")).unwrap();
    let signed = sign_and_attest(&r, &key, &name, "v1");
    let unsigned = r.image_digest(&name, "v2").unwrap();
    assert_ne!(signed, unsigned);
    let config = Config::load(&path, None).unwrap();
    let verifier = RegistryVerifier::new(common::resolver(&registry), common::now, None);
    Setup {
        registry: Some(registry),
        _dir: dir,
        engine: Engine::new(config, Arc::new(verifier)),
        host,
        signed,
        unsigned,
        config_path: path,
    }
}

fn patch(o: &vouch_admission::Outcome) -> Value {
    let b64 = o.response["response"]["patch"].as_str().expect("a patch");
    serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn signed_is_allowed_unsigned_denied_the_same_as_the_gate_and_a_moved_tag_is_caught() {
    let s = setup();
    let app = format!("{}/team/app", s.host);

    // Signed and attested, by digest: allowed on /validate.
    let o = s
        .engine
        .review(
            Endpoint::Validate,
            &common::pod(&format!("{app}@{}", s.signed)),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed, "{}", o.log);

    // Unsigned, by digest: denied with every reason of the gate.
    let o = s
        .engine
        .review(
            Endpoint::Validate,
            &common::pod(&format!("{app}@{}", s.unsigned)),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(
        o.reasons,
        vec![
            "missing-signature",
            "missing-provenance",
            "missing-sbom-attestation"
        ]
    );
    // The same decision as `vouch gate registry:IMAGE`'s library call, for both images.
    let config = Config::load(&s.config_path, None).unwrap();
    let loaded = &config.rules[0].policy.loaded;
    let registry = s.registry.as_ref().unwrap();
    let name = Name::parse(&app).unwrap();
    for (digest, expected) in [(&s.signed, vec![]), (&s.unsigned, o.reasons.clone())] {
        let r = common::resolver(registry);
        let (evidence, _) = vouch_gate::registry::collect(&r, &name, digest).unwrap();
        let subject =
            vouch_gate::Subject::from_digest(format!("{name}@{digest}"), digest.clone()).unwrap();
        let context = vouch_gate::Context {
            advisories: None,
            check_findings: None,
            secret_findings: None,
            today: vouch_advisory::suppress::Date::from_unix_seconds(common::now().as_second()),
            now: common::now(),
        };
        let d = vouch_gate::gate(loaded, &subject, &evidence, &context).unwrap();
        let codes: Vec<String> = d.reasons.iter().map(|r| r.code.to_owned()).collect();
        assert_eq!(codes, expected);
        let v = RegistryVerifier::new(common::resolver(registry), common::now, None);
        assert_eq!(v.gate(&name, digest, loaded).unwrap(), d);
    }

    // /mutate pins the signed tag to the digest it verified.
    let o = s
        .engine
        .review(
            Endpoint::Mutate,
            &common::pod(&format!("{app}:v1")),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed, "{}", o.log);
    assert_eq!(
        patch(&o),
        json!([{"op": "replace", "path": "/spec/containers/0/image", "value": format!("{app}:v1@{}", s.signed)}])
    );

    // The tag moved after signing (v1 now names the unsigned image): denied, not patched.
    registry.tag("team/app", "v2", "v1");
    let o = s
        .engine
        .review(
            Endpoint::Mutate,
            &common::pod(&format!("{app}:v1")),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert!(o.response["response"].get("patch").is_none());
    assert!(
        o.response["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "no signature is attached to the image ({})",
                s.unsigned
            )),
        "{}",
        o.response
    );
}

#[test]
fn a_registry_stopped_mid_run_is_a_denial_saying_so() {
    let mut s = setup();
    let app = format!("{}/team/app", s.host);
    let o = s
        .engine
        .review(
            Endpoint::Validate,
            &common::pod(&format!("{app}@{}", s.signed)),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed, "{}", o.log);
    drop(s.registry.take());
    // A decision never made: the registry cannot be asked.
    let o = s
        .engine
        .review(
            Endpoint::Validate,
            &common::pod(&format!("{app}@{}", s.unsigned)),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["registry-error"]);
    assert_eq!(o.registry_errors, 1);
    let message = o.response["response"]["status"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains(&format!(
            "registry-error: cannot list what is attached to {app}@{}",
            s.unsigned
        )),
        "{message}"
    );
    // A tag cannot be resolved either.
    let o = s
        .engine
        .review(
            Endpoint::Mutate,
            &common::pod(&format!("{app}:v1")),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Denied);
    assert_eq!(o.reasons, vec!["registry-error"]);
    // The passing decision made before is still cached (TTL 5 min).
    let o = s
        .engine
        .review(
            Endpoint::Validate,
            &common::pod(&format!("{app}@{}", s.signed)),
            common::later(),
        )
        .unwrap();
    assert_eq!(o.verdict, Verdict::Allowed);
    assert_eq!(o.cache_hits, 1);
}
