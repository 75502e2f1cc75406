//! The server layer alone, for measuring its own overhead (TLS, HTTP, JSON, the blocking
//! thread, metrics, the log line): a `Decide` that allows every review, echoing its uid.
//! The decisions of `vouch admission serve` are the admission library's; this is not one.
//!
//! usage: cargo run --release -p vouch-server --example fixed_answer -- CRT KEY ADDR

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};
use vouch_server::admission::{Answer, Decide, DecideError, Endpoint, ServeOptions, Verdict};

struct AllowAll;

impl Decide for AllowAll {
    fn review(&self, _: Endpoint, body: &[u8], _: Instant) -> Result<Answer, DecideError> {
        let review: Value = serde_json::from_slice(body).map_err(|err| DecideError::Malformed {
            message: err.to_string(),
        })?;
        let uid = review["request"]["uid"].clone();
        Ok(Answer {
            response: json!({
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "response": {"uid": uid, "allowed": true},
            }),
            log: json!({"uid": uid, "verdict": "allowed"}),
            verdict: Verdict::Allowed,
            reasons: vec![],
            cache_hits: 1,
            registry_errors: 0,
        })
    }

    fn ready(&self) -> bool {
        true
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cert, key, listen] = args.as_slice() else {
        eprintln!("usage: fixed_answer CRT KEY ADDR");
        return std::process::ExitCode::from(2);
    };
    let Ok(listen) = listen.parse() else {
        eprintln!("error: ADDR: expected IP:PORT, found {listen:?}");
        return std::process::ExitCode::from(2);
    };
    let options = ServeOptions::new(listen, cert.into(), key.into());
    match vouch_server::admission::serve(options, Arc::new(AllowAll)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            std::process::ExitCode::from(2)
        }
    }
}
