//! The one Rego runner shared by `vouch check` ([`crate::PolicySet`]) and the promotion gate
//! (`vouch_gate::rego`): adding a module (Rego v1 first, then v0 for older conftest-style
//! policies), querying a rule, and flattening a rule's value into its members and each member
//! into a [`Violation`].
//!
//! ```
//! use vouch_policy::rego;
//! let mut engine = rego::new_engine();
//! // A Rego v0 module: compiled by the fallback.
//! let pkg = rego::add_module(&mut engine, "p.rego", "package p\ndeny[msg] { msg := \"no\" }\n").unwrap();
//! assert_eq!(pkg, "data.p");
//! engine.set_input(regorus::Value::new_object());
//! let value = rego::query(&mut engine, "data.p.deny").unwrap();
//! let found: Vec<_> = rego::members(&value).iter().map(rego::Violation::from_value).collect();
//! assert_eq!(found[0].message, "no");
//! ```

use regorus::{Engine, Value as RValue};
use serde_json::Value;

/// A new engine as both `vouch check` and the gate use it: a builtin called with arguments of
/// the wrong type (`endswith(null, ":latest")`, as a job with an inherited `image` gives) makes
/// that expression undefined, so only the rule that called it has no result, as in OPA with
/// strict builtin errors off (its default); the module's other rules still run. Resource-limit
/// errors still fail the evaluation.
pub fn new_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(false);
    engine
}

/// Add the module `name` to `engine` and return its package (`data.<package>`). Rego v1 is
/// tried first, then v0; when both fail the error is v1's (the one worth showing), as text.
pub fn add_module(engine: &mut Engine, name: &str, text: &str) -> Result<String, String> {
    match engine.add_policy(name.to_owned(), text.to_owned()) {
        Ok(p) => Ok(p),
        Err(first) => {
            engine.set_rego_v0(true);
            let r = engine.add_policy(name.to_owned(), text.to_owned());
            engine.set_rego_v0(false);
            r.map_err(|_| first.to_string())
        }
    }
}

/// Evaluate `query` (e.g. `data.gate.deny`) and return its first value, `Undefined` when the
/// query has no result.
pub fn query(engine: &mut Engine, query: &str) -> Result<RValue, String> {
    let res = engine
        .eval_query(query.to_owned(), false)
        .map_err(|e| e.to_string())?;
    Ok(first_value(&res))
}

/// The first expression value of a query result, `Undefined` when there is none.
pub fn first_value(res: &regorus::QueryResults) -> RValue {
    res.result
        .first()
        .and_then(|r| r.expressions.first())
        .map(|e| e.value.clone())
        .unwrap_or(RValue::Undefined)
}

/// The members of a rule's value: each member of a set or an array, a single other value as
/// one member; `undefined`, `null` and `false` have none.
pub fn members(value: &RValue) -> Vec<RValue> {
    match value {
        RValue::Set(s) => s.iter().cloned().collect(),
        RValue::Array(a) => a.iter().cloned().collect(),
        RValue::Undefined | RValue::Null | RValue::Bool(false) => Vec::new(),
        other => vec![other.clone()],
    }
}

/// The members of rule `rule` in a package's value (an object of rules); none when the
/// package is not an object or has no such rule.
pub fn rule_members(package: &RValue, rule: &str) -> Vec<RValue> {
    let RValue::Object(o) = package else {
        return Vec::new();
    };
    o.get(&RValue::from(rule)).map_or_else(Vec::new, members)
}

/// One member of a `deny`, `violation` or `warn` rule: a string (the message), or an object
/// with `msg` (or `message`) and optional fields. Absent fields are `None`; what the caller
/// does without them (a default rule id, a default severity) is its business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// `msg`, else `message`, else the member as JSON text.
    pub message: String,
    /// `id`.
    pub id: Option<String>,
    /// `rule_id` (conftest style).
    pub rule_id: Option<String>,
    /// `severity`, as written.
    pub severity: Option<String>,
    /// `line`, when a positive integer.
    pub line: Option<u32>,
    /// `column`, else `col`, when a positive integer.
    pub column: Option<u32>,
    /// `remediation`.
    pub remediation: Option<String>,
    /// `path`: the file the line is in, when not the checked file (a value a GitLab CI job
    /// inherits from an included file).
    pub path: Option<String>,
}

impl Violation {
    /// Read one member.
    pub fn from_value(item: &RValue) -> Self {
        let v = to_json(item);
        if let Value::String(s) = &v {
            return Self {
                message: s.clone(),
                id: None,
                rule_id: None,
                severity: None,
                line: None,
                column: None,
                remediation: None,
                path: None,
            };
        }
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
        };
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        Self {
            message: text("msg")
                .or_else(|| text("message"))
                .unwrap_or_else(|| v.to_string()),
            id: text("id"),
            rule_id: text("rule_id"),
            severity: text("severity"),
            line: num("line"),
            column: num("column").or_else(|| num("col")),
            remediation: text("remediation"),
            path: text("path").filter(|p| !p.is_empty()),
        }
    }
}

/// A Rego value as JSON: sets become arrays, non-string object keys their JSON text,
/// `undefined` becomes `null`.
pub fn to_json(v: &RValue) -> Value {
    match v {
        RValue::Null | RValue::Undefined => Value::Null,
        RValue::Bool(b) => Value::Bool(*b),
        RValue::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or(Value::Null),
        RValue::String(s) => Value::String(s.to_string()),
        RValue::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        RValue::Set(s) => Value::Array(s.iter().map(to_json).collect()),
        RValue::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        RValue::String(s) => s.to_string(),
                        other => to_json(other).to_string(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_with(text: &str) -> (Engine, String) {
        let mut engine = Engine::new();
        let pkg = add_module(&mut engine, "t.rego", text).unwrap();
        engine.set_input(RValue::from(serde_json::json!({"n": 1})));
        (engine, pkg)
    }

    #[test]
    fn v1_and_v0_modules_compile() {
        let (_, p1) = engine_with("package a\ndeny contains \"x\" if input.n == 1\n");
        assert_eq!(p1, "data.a");
        let (_, p0) = engine_with("package b\ndeny[\"x\"] { input.n == 1 }\n");
        assert_eq!(p0, "data.b");
    }

    #[test]
    fn a_module_that_compiles_in_neither_reports_the_v1_error() {
        let mut engine = Engine::new();
        let err =
            add_module(&mut engine, "bad.rego", "package c\ndeny contains if {\n").unwrap_err();
        assert!(err.contains("bad.rego"), "{err}");
    }

    #[test]
    fn members_flatten_sets_arrays_and_single_values() {
        assert!(members(&RValue::Undefined).is_empty());
        assert!(members(&RValue::Null).is_empty());
        assert!(members(&RValue::Bool(false)).is_empty());
        assert_eq!(members(&RValue::from("one")).len(), 1);
        let arr = RValue::from(serde_json::json!(["a", "b"]));
        assert_eq!(members(&arr).len(), 2);
        let (mut engine, _) =
            engine_with("package d\ndeny contains \"x\" if true\ndeny contains \"y\" if true\n");
        let set = query(&mut engine, "data.d.deny").unwrap();
        assert!(matches!(set, RValue::Set(_)));
        assert_eq!(members(&set).len(), 2);
        let pkg = query(&mut engine, "data.d").unwrap();
        assert_eq!(rule_members(&pkg, "deny").len(), 2);
        assert!(rule_members(&pkg, "warn").is_empty());
        assert!(rule_members(&RValue::from("x"), "deny").is_empty());
    }

    #[test]
    fn violations_read_strings_and_objects() {
        let s = Violation::from_value(&RValue::from("plain"));
        assert_eq!(s.message, "plain");
        assert_eq!(s.id, None);
        let o = Violation::from_value(&RValue::from(serde_json::json!({
            "message": "m", "id": "i", "rule_id": "r", "severity": "low",
            "line": 3, "col": 4, "remediation": "fix"
        })));
        assert_eq!(o.message, "m");
        assert_eq!(o.id.as_deref(), Some("i"));
        assert_eq!(o.rule_id.as_deref(), Some("r"));
        assert_eq!(o.severity.as_deref(), Some("low"));
        assert_eq!((o.line, o.column), (Some(3), Some(4)));
        assert_eq!(o.remediation.as_deref(), Some("fix"));
        let bare = Violation::from_value(&RValue::from(serde_json::json!({"x": 1})));
        assert_eq!(bare.message, r#"{"x":1}"#);
        let zero = Violation::from_value(&RValue::from(serde_json::json!({"msg": "z", "line": 0})));
        assert_eq!(zero.line, None);
    }
}
