//! Throughput of offline verification. Run: `cargo bench -p vouch-sign --bench verify`
//! (or bench/sign.sh). Plain timing, no criterion: prints one line per measurement.

use std::path::Path;
use std::time::{Duration, Instant};

use vouch_sign::bundle::Bundle;
use vouch_sign::key::{Algorithm, PublicKey, SigningKey};
use vouch_sign::sign;
use vouch_sign::trust::TrustRoot;
use vouch_sign::verify::{self, Artifact, Policy, TlogPolicy};

fn keyed(alg: Algorithm, trust: &TrustRoot) {
    let key = SigningKey::generate(alg).unwrap();
    let artifact = vec![7u8; 4096];
    let bundle_json = serde_json::to_vec(sign::sign_blob(&key, &artifact).unwrap().json()).unwrap();
    let policy = Policy::Key {
        key: key.public_key().clone(),
        tlog: TlogPolicy::IfPresent,
    };
    let mut n = 0u64;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        let bundle = Bundle::parse(&bundle_json).unwrap();
        verify::verify(&bundle, Artifact::Bytes(&artifact), &policy, trust).unwrap();
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "keyed verify ({alg}, 4 KiB artifact, parse + verify): {n} in {secs:.2} s = {:.0} verifications/s",
        n as f64 / secs
    );
}

fn conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/conformance");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let a_txt = std::fs::read(root.join("a.txt")).unwrap();
    let production = TrustRoot::production().unwrap();
    let rounds = 5;
    let start = Instant::now();
    let mut verdicts = 0;
    for _ in 0..rounds {
        for dir in &cases {
            let bundle_bytes = std::fs::read(dir.join("bundle.sigstore.json")).unwrap();
            let artifact = std::fs::read(dir.join("artifact")).unwrap_or_else(|_| a_txt.clone());
            let custom = std::fs::read(dir.join("trusted_root.json"))
                .ok()
                .map(|b| TrustRoot::from_json(&b, "trusted_root.json"));
            let trust = match &custom {
                Some(Ok(t)) => t,
                Some(Err(_)) => {
                    verdicts += 1;
                    continue;
                }
                None => &production,
            };
            let Ok(bundle) = Bundle::parse(&bundle_bytes) else {
                verdicts += 1;
                continue;
            };
            let policy = match std::fs::read(dir.join("key.pub")) {
                Ok(pem) => match PublicKey::from_pem(&pem) {
                    Ok(key) => Policy::Key { key, tlog: TlogPolicy::Required },
                    Err(_) => {
                        verdicts += 1;
                        continue;
                    }
                },
                Err(_) => Policy::Identity {
                    identity: std::fs::read_to_string(dir.join("identity")).map(|s| s.trim().to_owned()).unwrap_or_else(|_| "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into()),
                    issuer: std::fs::read_to_string(dir.join("issuer")).map(|s| s.trim().to_owned()).unwrap_or_else(|_| "https://token.actions.githubusercontent.com".into()),
                },
            };
            let _ = verify::verify(&bundle, Artifact::Bytes(&artifact), &policy, trust);
            verdicts += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "conformance set ({} cases, {rounds} rounds, incl. reading files and loading custom trusted roots): {:.1} ms per full set, {:.0} verdicts/s",
        cases.len(),
        secs * 1000.0 / rounds as f64,
        verdicts as f64 / secs
    );
}

fn main() {
    let start = Instant::now();
    let trust = TrustRoot::production().unwrap();
    println!(
        "load embedded production trusted root: {:.2} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    keyed(Algorithm::EcdsaP256, &trust);
    keyed(Algorithm::Ed25519, &trust);
    conformance();
}
