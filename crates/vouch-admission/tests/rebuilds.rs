//! The webhook enforces the gate's `[rebuilds]` k-of-n rule from the same policy file, with no
//! code of its own: an image in Debian's `docker-registry` on loopback, signed and attested by
//! the release key, with rebuild statements by three real rebuilder keys attached the way
//! `vouch attest rebuild registry:IMAGE` attaches them. One of three → denied with
//! `rebuild-threshold-not-met`; two of three → allowed; a third that rebuilt another digest →
//! denied with `rebuild-digest-mismatch`.

mod common;

use std::sync::Arc;

use serde_json::json;
use vouch_admission::{Config, Endpoint, Engine, RegistryVerifier, Verdict};
use vouch_attest::Statement;
use vouch_attest::rebuild::{REBUILD_V1, Rebuild, Source};
use vouch_digest::Digest;
use vouch_oci::reference::Name;
use vouch_sign::key::{Algorithm, SigningKey};
use vouch_test::registry::Registry;

const POLICY: &str = r#"[trust]
keys = ["release.pub"]

[rebuilds]
threshold = 2
keys = ["rebuilder-a.pub", "rebuilder-b.pub", "rebuilder-c.pub"]
"#;

const ADMISSION: &str = r#"
unmatched = "deny"
[[rules]]
images = ["127.0.0.1:*/team/**"]
policy = "gate.toml"
"#;

/// What `vouch attest rebuild --subject registry:IMAGE [--rebuilt DIGEST]` signs.
fn rebuild(name: &Name, digest: &Digest, rebuilt: &Digest) -> Statement {
    let p = Rebuild::new(
        "https://rebuild.example/test",
        vec![Source::commit(&"a".repeat(40))],
        rebuilt.clone(),
        "2025-12-31T00:00:00Z".parse().unwrap(),
        "2026-01-30T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    Statement::new(
        common::subject(name, digest),
        REBUILD_V1,
        serde_json::to_value(p).unwrap(),
    )
}

#[test]
fn the_webhook_denies_one_of_three_allows_two_and_alerts_on_another_digest() {
    let registry = Registry::start();
    let host = registry.host();
    let (dir, path, release) = common::folder(ADMISSION);
    std::fs::write(dir.path().join("gate.toml"), POLICY).unwrap();
    let rebuilders = [(); 3].map(|()| SigningKey::generate(Algorithm::EcdsaP256).unwrap());
    for (k, n) in rebuilders.iter().zip(["a", "b", "c"]) {
        std::fs::write(
            dir.path().join(format!("rebuilder-{n}.pub")),
            k.public_key().to_pem(),
        )
        .unwrap();
    }
    let digest: Digest = registry
        .push_image("team/app", "v1", "2026-01-01T00:00:00Z")
        .parse()
        .unwrap();
    let r = common::resolver(&registry);
    let name = Name::parse(&format!("{host}/team/app")).unwrap();
    for st in [
        vouch_attest::image_signature(&name.to_string(), &digest),
        common::provenance(&name, &digest),
        Statement::new(
            common::subject(&name, &digest),
            vouch_attest::sbom::PREDICATE_CYCLONEDX,
            json!({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[]}),
        ),
    ] {
        common::attach(&r, &release, &name, &digest, &st);
    }
    // A fresh engine per review: the decision cache must not answer for the earlier evidence.
    let review = || {
        let config = Config::load(&path, None).unwrap();
        let verifier = RegistryVerifier::new(common::resolver(&registry), common::now, None);
        let engine = Engine::new(config, Arc::new(verifier));
        engine
            .review(
                Endpoint::Validate,
                &common::pod(&format!("{name}@{digest}")),
                common::later(),
            )
            .unwrap()
    };
    let message = |o: &vouch_admission::Outcome| {
        o.response["response"]["status"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // One of three.
    common::attach(
        &r,
        &rebuilders[0],
        &name,
        &digest,
        &rebuild(&name, &digest, &digest),
    );
    let o = review();
    assert_eq!(o.verdict, Verdict::Denied, "{}", o.log);
    assert_eq!(o.reasons, vec!["rebuild-threshold-not-met"]);
    assert!(
        message(&o).contains(&format!(
            "1 of the 2 required rebuilds of {digest}: agreed: rebuilder-a.pub; missing: rebuilder-b.pub, rebuilder-c.pub"
        )),
        "{}",
        message(&o)
    );

    // Two of three.
    common::attach(
        &r,
        &rebuilders[1],
        &name,
        &digest,
        &rebuild(&name, &digest, &digest),
    );
    let o = review();
    assert_eq!(o.verdict, Verdict::Allowed, "{}", o.log);

    // The third rebuilt another digest: denied although two agree.
    let other = Digest::sha256(b"rebuilder c's manifest");
    common::attach(
        &r,
        &rebuilders[2],
        &name,
        &digest,
        &rebuild(&name, &digest, &other),
    );
    let o = review();
    assert_eq!(o.verdict, Verdict::Denied, "{}", o.log);
    assert_eq!(o.reasons, vec!["rebuild-digest-mismatch"]);
    assert!(
        message(&o).contains(&format!(
            "rebuilder rebuilder-c.pub rebuilt {name}@{digest} and got {other}, not {digest}"
        )),
        "{}",
        message(&o)
    );
}
