//! The policy's Rego rules, evaluated over the verified evidence only.
//!
//! Every package a module declares is queried for `deny` and `violation` (a set of strings,
//! or of objects with `msg` and optionally `id`); each member is one reason with code
//! `policy-denied`. `warn` is not a reason to deny and is not read. The input document is
//! built by [`crate::evaluate()`] from `Verified<_>` values alone (see docs/gate.md#rego-input).

use regorus::{Engine, Value as RValue};
use serde_json::Value;

use crate::decision::{Check, Reason};

/// A Rego module: its name (shown in messages, e.g. the path) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub name: String,
    pub text: String,
}

/// Why the Rego rules could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegoError {
    #[error("rego module {name} does not compile: {message}")]
    Compile { name: String, message: String },
    #[error(
        "rego modules {names} declare no `deny` or `violation` rule: they could never deny (`warn` is not read)"
    )]
    NoDenyRule { names: String },
    #[error("rego query `{query}` failed: {message}")]
    Eval { query: String, message: String },
}

/// Compiled modules and the packages they declare.
#[derive(Debug, Clone)]
pub struct Rules {
    engine: Engine,
    packages: Vec<String>,
}

impl Rules {
    /// Compile `modules` (Rego v1; v0 is tried for older policies).
    pub fn compile(modules: &[Module]) -> Result<Self, RegoError> {
        let mut engine = Engine::new();
        let mut packages: Vec<String> = Vec::new();
        let mut denies = false;
        for m in modules {
            let pkg = match engine.add_policy(m.name.clone(), m.text.clone()) {
                Ok(p) => p,
                Err(first) => {
                    engine.set_rego_v0(true);
                    let r = engine.add_policy(m.name.clone(), m.text.clone());
                    engine.set_rego_v0(false);
                    r.map_err(|_| RegoError::Compile {
                        name: m.name.clone(),
                        message: first.to_string(),
                    })?
                }
            };
            if !packages.contains(&pkg) {
                packages.push(pkg);
            }
            // An error here (e.g. two modules with one name) can only refuse, never pass.
            let declares = |rule: &str| {
                engine
                    .has_declared_rule_rooted_at(&m.name, rule)
                    .unwrap_or(false)
            };
            denies |= declares("deny") || declares("violation");
        }
        // Rules that cannot deny would let every artifact through the Rego check unnoticed.
        if !modules.is_empty() && !denies {
            let names: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
            return Err(RegoError::NoDenyRule {
                names: names.join(", "),
            });
        }
        packages.sort();
        Ok(Self { engine, packages })
    }

    /// Packages found, sorted (`data.gate`, …).
    pub fn packages(&self) -> &[String] {
        &self.packages
    }

    /// Evaluate every package's `deny` and `violation` over `input`.
    pub(crate) fn evaluate(&self, input: &Value) -> Result<Vec<Reason>, RegoError> {
        let mut engine = self.engine.clone();
        engine.set_input(RValue::from(input.clone()));
        let mut out = Vec::new();
        for pkg in &self.packages {
            for rule in ["deny", "violation"] {
                let query = format!("{pkg}.{rule}");
                let res = engine
                    .eval_query(query.clone(), false)
                    .map_err(|e| RegoError::Eval {
                        query: query.clone(),
                        message: e.to_string(),
                    })?;
                let value = res
                    .result
                    .first()
                    .and_then(|r| r.expressions.first())
                    .map(|e| e.value.clone())
                    .unwrap_or(RValue::Undefined);
                let members: Vec<RValue> = match value {
                    RValue::Set(s) => s.iter().cloned().collect(),
                    RValue::Array(a) => a.iter().cloned().collect(),
                    RValue::Undefined | RValue::Null | RValue::Bool(false) => Vec::new(),
                    other => vec![other],
                };
                let short = query.strip_prefix("data.").unwrap_or(&query).to_owned();
                for m in members {
                    let json = serde_json::to_value(&m).unwrap_or(Value::Null);
                    let (message, id) = match &json {
                        Value::String(s) => (s.clone(), None),
                        Value::Object(o) => (
                            o.get("msg")
                                .or_else(|| o.get("message"))
                                .and_then(Value::as_str)
                                .map_or_else(|| json.to_string(), str::to_owned),
                            o.get("id").and_then(Value::as_str).map(str::to_owned),
                        ),
                        other => (other.to_string(), None),
                    };
                    let mut r = Reason::new(Check::Rego, "policy-denied", message);
                    r.rule = Some(id.unwrap_or_else(|| short.clone()));
                    out.push(r);
                }
            }
        }
        Ok(out)
    }
}
