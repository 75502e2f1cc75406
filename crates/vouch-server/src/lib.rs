//! vouch's HTTP edges: the Kubernetes admission webhook, and the fleet dashboard
//! ([`dashboard`], `vouch serve`).
//!
//! [`admission::serve`] listens with TLS (rustls, aws-lc-rs; HTTP/1.1 and HTTP/2 by ALPN), routes
//! `POST /validate` and `POST /mutate` to a [`admission::Decide`] (the decision library, called
//! on a blocking thread under a deadline), answers `/healthz`, `/readyz` and `/metrics`
//! (Prometheus), reloads its certificate and key when the files change, and writes one JSON log
//! line per decision on stderr. It only translates: every decision is the library's, and when
//! the library cannot answer in time or at all the answer is a denial that echoes the request's
//! `uid`, never an allow.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Instant;
//! use vouch_server::admission::{self, Answer, Decide, DecideError, Endpoint, ServeOptions};
//!
//! struct Nothing;
//! impl Decide for Nothing {
//!     fn review(&self, _: Endpoint, _: &[u8], _: Instant) -> Result<Answer, DecideError> {
//!         Err(DecideError::Failed { message: "no policy".into() })
//!     }
//!     fn ready(&self) -> bool {
//!         false
//!     }
//! }
//!
//! let options = ServeOptions::new(
//!     "127.0.0.1:8443".parse().unwrap(),
//!     "tls.crt".into(),
//!     "tls.key".into(),
//! );
//! admission::serve(options, Arc::new(Nothing)).unwrap();
//! ```

pub mod admission;
pub mod dashboard;
