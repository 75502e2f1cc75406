//! The policy's Rego rules, evaluated over the verified evidence only.
//!
//! Compiling, querying and reading rule values is vouch-policy's one Rego runner
//! ([`vouch_policy::rego`]), shared with `vouch check`.
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
        let mut engine = vouch_policy::rego::new_engine();
        let mut packages: Vec<String> = Vec::new();
        let mut denies = false;
        for m in modules {
            let pkg = vouch_policy::rego::add_module(&mut engine, &m.name, &m.text).map_err(
                |message| RegoError::Compile {
                    name: m.name.clone(),
                    message,
                },
            )?;
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
                let value = vouch_policy::rego::query(&mut engine, &query).map_err(|message| {
                    RegoError::Eval {
                        query: query.clone(),
                        message,
                    }
                })?;
                let members = vouch_policy::rego::members(&value);
                let short = query.strip_prefix("data.").unwrap_or(&query).to_owned();
                for m in &members {
                    let v = vouch_policy::rego::Violation::from_value(m);
                    let (message, id) = (v.message, v.id);
                    let mut r = Reason::new(Check::Rego, "policy-denied", message);
                    r.rule = Some(id.unwrap_or_else(|| short.clone()));
                    out.push(r);
                }
            }
        }
        Ok(out)
    }
}
