//! `Engine::review` over arbitrary bodies, both endpoints, with a verifier that always allows:
//! never a panic, a hang or an allow of a malformed body; the uid is echoed whenever there is an
//! answer.
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use vouch_admission::{Config, Endpoint, Engine, Verifier};
use vouch_digest::Digest;
use vouch_oci::reference::{Name, Reference};

struct AlwaysAllow;

impl Verifier for AlwaysAllow {
    fn resolve(&self, image: &Reference) -> Result<Digest, String> {
        Ok(Digest::sha256(image.tag.as_deref().unwrap_or("latest").as_bytes()))
    }
    fn gate(
        &self,
        name: &Name,
        digest: &Digest,
        _policy: &vouch_gate::Loaded,
    ) -> Result<vouch_gate::Decision, String> {
        Ok(vouch_gate::Decision {
            outcome: vouch_gate::Outcome::Pass,
            artifact: vouch_gate::ArtifactInfo {
                name: format!("{name}@{digest}"),
                digest: digest.clone(),
            },
            reasons: vec![],
            verified: vec![],
            ignored: vec![],
            unsigned: vec![],
        })
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(tempfile::TempDir, Engine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let key = vouch_sign::key::SigningKey::generate(vouch_sign::key::Algorithm::EcdsaP256)
                .unwrap();
            std::fs::write(dir.path().join("release.pub"), key.public_key().to_pem()).unwrap();
            std::fs::write(dir.path().join("gate.toml"), "[trust]\nkeys = [\"release.pub\"]\n")
                .unwrap();
            let path = dir.path().join("admission.toml");
            std::fs::write(
                &path,
                "unmatched = \"deny\"\n[[rules]]\nimages = [\"ghcr.io/**\"]\npolicy = \"gate.toml\"\n[[rules]]\nimages = [\"**\"]\npolicy = \"gate.toml\"\nmode = \"warn\"\n",
            )
            .unwrap();
            let config = Config::load(&path, None).unwrap();
            let engine = Engine::new(config, Arc::new(AlwaysAllow));
            (dir, engine)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let e = engine();
    for endpoint in [Endpoint::Validate, Endpoint::Mutate] {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(2);
        if let Ok(o) = e.review(endpoint, data, deadline) {
            assert!(started.elapsed() < Duration::from_secs(3));
            // An answer exists only for an AdmissionReview with a uid, and echoes it.
            let request: serde_json::Value = serde_json::from_slice(data).unwrap();
            assert_eq!(o.response["response"]["uid"], request["request"]["uid"]);
            assert!(!o.response["response"]["uid"].as_str().unwrap().is_empty());
        }
    }
});
