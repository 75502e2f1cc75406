//! What the server reads of a request itself (content type, `?timeout=`, the `uid`) and the
//! denials it answers on its own.

use std::time::Duration;

use axum::http::HeaderValue;
use serde_json::{Value, json};

/// HTTP 400/413/415: the request is not a JSON AdmissionReview v1 the server can read.
pub const MALFORMED: &str = "admission-malformed-request";
/// The decision did not finish within the deadline.
pub const DEADLINE: &str = "admission-deadline-exceeded";
/// The decision library failed, panicked, or answered for another uid.
pub const FAILED: &str = "admission-review-failed";
/// Policies, keys or trust roots are not loaded yet.
pub const NOT_READY: &str = "admission-not-ready";
/// HTTP 503: every request slot stayed taken until the deadline.
pub const BUSY: &str = "admission-busy";
/// HTTP 408: the request's body did not arrive within the deadline.
pub const INCOMPLETE: &str = "admission-request-incomplete";

/// The longest `request.uid` accepted (Kubernetes UIDs are 36 characters).
const MAX_UID: usize = 256;

/// The deadline of one decision: `configured`, shortened to the API server's `timeout` less a
/// margin for the answer to travel back — 1 s, or half the timeout when it is 2 s or less.
pub fn budget(configured: Duration, timeout: Option<Duration>) -> Duration {
    match timeout {
        None => configured,
        Some(timeout) => {
            let margin = if timeout > Duration::from_secs(2) {
                Duration::from_secs(1)
            } else {
                timeout / 2
            };
            configured.min(timeout - margin)
        }
    }
}

/// `Content-Type` must be `application/json` (parameters such as `charset` allowed).
pub fn check_content_type(value: Option<&HeaderValue>) -> Result<(), String> {
    let Some(value) = value else {
        return Err("content-type: expected application/json, found none".to_owned());
    };
    let text = value.to_str().unwrap_or("");
    let essence = text.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(format!(
            "content-type: expected application/json, found {:?}",
            text.chars().take(100).collect::<String>()
        ))
    }
}

/// The API server's `?timeout=` (a Go duration such as `10s`), if given.
pub fn timeout_param(query: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(query) = query else { return Ok(None) };
    let Some(value) = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("timeout="))
    else {
        return Ok(None);
    };
    let shown: String = value.chars().take(40).collect();
    let parsed: jiff::SignedDuration = value.parse().map_err(|_| {
        format!("query parameter timeout: expected a duration such as 10s, found {shown:?}")
    })?;
    match Duration::try_from(parsed) {
        Ok(duration) if !duration.is_zero() => Ok(Some(duration)),
        _ => Err(format!(
            "query parameter timeout: expected a positive duration, found {shown:?}"
        )),
    }
}

/// The `request.uid` of an `admission.k8s.io/v1` `AdmissionReview`.
pub fn request_uid(body: &[u8]) -> Result<String, String> {
    let review: Value = serde_json::from_slice(body)
        .map_err(|err| format!("request body: expected a JSON AdmissionReview, {err}"))?;
    let field = |name: &str| review.get(name).and_then(Value::as_str);
    match field("apiVersion") {
        Some("admission.k8s.io/v1") => {}
        other => {
            return Err(format!(
                "request body: expected apiVersion admission.k8s.io/v1, found {}",
                shown(other)
            ));
        }
    }
    match field("kind") {
        Some("AdmissionReview") => {}
        other => {
            return Err(format!(
                "request body: expected kind AdmissionReview, found {}",
                shown(other)
            ));
        }
    }
    match review
        .get("request")
        .and_then(|request| request.get("uid"))
        .and_then(Value::as_str)
    {
        Some(uid) if !uid.is_empty() && uid.len() <= MAX_UID => Ok(uid.to_owned()),
        Some(uid) if !uid.is_empty() => Err(format!(
            "request body: expected a request.uid of at most {MAX_UID} bytes, found {} bytes",
            uid.len()
        )),
        _ => Err("request body: expected a request.uid string, found none".to_owned()),
    }
}

fn shown(value: Option<&str>) -> String {
    match value {
        Some(text) => format!("{:?}", text.chars().take(100).collect::<String>()),
        None => "none".to_owned(),
    }
}

/// The `response.uid` of an AdmissionReview the library answered.
pub fn response_uid(review: &Value) -> Option<&str> {
    review.get("response")?.get("uid")?.as_str()
}

/// A denial the server answers itself, with its code and message.
#[derive(Debug, Clone)]
pub struct Denial {
    /// One of [`DEADLINE`], [`FAILED`], [`NOT_READY`].
    pub code: &'static str,
    /// What happened, for the user who created the object.
    pub message: String,
}

impl Denial {
    pub fn deadline(budget: Duration) -> Self {
        Denial {
            code: DEADLINE,
            message: format!(
                "the decision did not finish within its deadline of {} ms; denied because vouch fails closed",
                budget.as_millis()
            ),
        }
    }

    pub fn failed(reason: String) -> Self {
        Denial {
            code: FAILED,
            message: format!(
                "the decision could not be made ({reason}); denied because vouch fails closed"
            ),
        }
    }

    pub fn not_ready() -> Self {
        Denial {
            code: NOT_READY,
            message: "policies, keys and trust roots are not loaded yet; denied because vouch fails closed".to_owned(),
        }
    }

    /// The `AdmissionReview` answer: not allowed, the request's uid, HTTP 403 for the client.
    pub fn review(&self, uid: &str) -> Value {
        json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": uid,
                "allowed": false,
                "status": {
                    "status": "Failure",
                    "code": 403,
                    "reason": "Forbidden",
                    "message": format!("vouch: {}: {}", self.code, self.message),
                },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_takes_the_api_servers_timeout_less_a_margin() {
        let five = Duration::from_secs(5);
        assert_eq!(budget(five, None), five);
        assert_eq!(budget(five, Some(Duration::from_secs(10))), five);
        assert_eq!(
            budget(five, Some(Duration::from_secs(3))),
            Duration::from_secs(2)
        );
        assert_eq!(
            budget(five, Some(Duration::from_secs(1))),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn timeout_is_a_go_duration() {
        assert_eq!(
            timeout_param(Some("timeout=10s")),
            Ok(Some(Duration::from_secs(10)))
        );
        assert_eq!(
            timeout_param(Some("a=b&timeout=1m0s")),
            Ok(Some(Duration::from_secs(60)))
        );
        assert_eq!(
            timeout_param(Some("timeout=1500ms")),
            Ok(Some(Duration::from_millis(1500)))
        );
        assert_eq!(timeout_param(Some("other=1")), Ok(None));
        assert_eq!(timeout_param(None), Ok(None));
        assert_eq!(
            timeout_param(Some("timeout=soon")),
            Err(
                r#"query parameter timeout: expected a duration such as 10s, found "soon""#
                    .to_owned()
            )
        );
        assert_eq!(
            timeout_param(Some("timeout=0s")),
            Err(r#"query parameter timeout: expected a positive duration, found "0s""#.to_owned())
        );
    }

    #[test]
    fn content_type_must_be_json() {
        let json = HeaderValue::from_static("application/json; charset=utf-8");
        assert_eq!(check_content_type(Some(&json)), Ok(()));
        let yaml = HeaderValue::from_static("application/yaml");
        assert_eq!(
            check_content_type(Some(&yaml)),
            Err(r#"content-type: expected application/json, found "application/yaml""#.to_owned())
        );
        assert_eq!(
            check_content_type(None),
            Err("content-type: expected application/json, found none".to_owned())
        );
    }

    #[test]
    fn uid_is_read_from_a_v1_review_only() {
        let ok = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1"}}"#;
        assert_eq!(request_uid(ok), Ok("u-1".to_owned()));
        let beta = br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u-1"}}"#;
        assert_eq!(
            request_uid(beta),
            Err(r#"request body: expected apiVersion admission.k8s.io/v1, found "admission.k8s.io/v1beta1""#.to_owned())
        );
        let no_uid =
            br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}"#;
        assert_eq!(
            request_uid(no_uid),
            Err("request body: expected a request.uid string, found none".to_owned())
        );
        let long = format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{{"uid":"{}"}}}}"#,
            "u".repeat(300)
        );
        assert_eq!(
            request_uid(long.as_bytes()),
            Err(
                "request body: expected a request.uid of at most 256 bytes, found 300 bytes"
                    .to_owned()
            )
        );
    }
}
