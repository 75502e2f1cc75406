//! The Rego side: built-in rules (embedded), user policies, and turning rule results into
//! findings.
//!
//! All policies are parsed once into one [`regorus::Engine`]; evaluating a file clones that
//! engine (cheap: modules are reference-counted) and runs one query per rule group plus one per
//! user package.

use std::path::{Path, PathBuf};

use regorus::{Engine, Value as RValue};
use serde_json::Value;
use vouch_report::Severity;

use crate::input::Normalised;
use crate::rules::BUILTIN;

/// What a built-in rule is: read from the `# METADATA` block at the top of its Rego file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    /// Rule group (`dockerfile`, `gitlab`, `github`, `workload`, `packages`).
    pub group: String,
    /// Rego package, e.g. `data.vouch.rules.dockerfile.base_not_pinned`.
    pub package: String,
    /// Path of the embedded file, e.g. `dockerfile/base_not_pinned.rego`.
    pub file: String,
}

/// Why policies could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("could not read policy {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A Rego file that is not a regular file inside its policy folder, or is too large.
    #[error(transparent)]
    File(vouch_fs::read::ReadError),
    #[error("policy {path} does not compile: {message}")]
    Compile { path: String, message: String },
    #[error("built-in rule {file} has invalid metadata: {message}")]
    Metadata { file: String, message: String },
}

/// A rule result before suppression and location handling.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub remediation: Option<String>,
    pub title: Option<String>,
}

/// A user policy package and where it came from.
#[derive(Debug, Clone)]
struct UserPackage {
    /// `data.ci`
    package: String,
}

/// All policies, compiled once.
#[derive(Debug, Clone)]
pub struct PolicySet {
    engine: Engine,
    builtin: Vec<RuleInfo>,
    user: Vec<UserPackage>,
    user_files: Vec<PathBuf>,
}

/// Parse the `# METADATA` block of a built-in rule.
pub fn parse_metadata(file: &str, text: &str) -> Result<RuleInfo, PolicyError> {
    let err = |m: &str| PolicyError::Metadata {
        file: file.to_owned(),
        message: m.to_owned(),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut in_meta = false;
    let mut package = None;
    for l in text.lines() {
        let t = l.trim();
        if t == "# METADATA" {
            in_meta = true;
            continue;
        }
        if let Some(p) = t.strip_prefix("package ") {
            package = Some(format!("data.{}", p.trim()));
            break;
        }
        if !in_meta {
            continue;
        }
        if let Some(body) = t.strip_prefix('#') {
            if let Some(cont) = body.strip_prefix("   ") {
                if let Some(last) = fields.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(cont.trim());
                }
            } else if let Some((k, v)) = body.trim().split_once(':') {
                fields.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(fk, _)| fk == k)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| err(&format!("missing `{k}`")))
    };
    let severity: Severity = get("severity")?.parse().map_err(|_| err("bad severity"))?;
    let group = file.split('/').next().unwrap_or("").to_owned();
    Ok(RuleInfo {
        id: get("id")?,
        title: get("title")?,
        severity,
        rationale: get("rationale")?,
        remediation: get("remediation")?,
        package: package.ok_or_else(|| err("missing package"))?,
        group,
        file: file.to_owned(),
    })
}

/// The metadata of every built-in rule.
pub fn builtin_rules() -> Vec<RuleInfo> {
    BUILTIN
        .iter()
        .filter(|(file, _)| !is_lib(file))
        .map(|(file, text)| {
            parse_metadata(file, text).expect("built-in rule metadata is checked by tests")
        })
        .collect()
}

/// Largest Rego module read (8 MiB).
pub const MAX_REGO_FILE_LEN: u64 = 8 * 1024 * 1024;

/// Helper modules (`<group>/lib.rego`) have no metadata and produce no findings.
fn is_lib(file: &str) -> bool {
    file.ends_with("/lib.rego")
}

fn collect_rego(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let rd = std::fs::read_dir(dir).map_err(|source| PolicyError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_rego(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "rego")
            && !p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("_test.rego"))
        {
            out.push(p);
        }
    }
    Ok(())
}

impl PolicySet {
    /// Load the built-in pack (when `builtin`) and every `*.rego` (not `*_test.rego`) under
    /// `user_dirs`. Rego v1 is tried first, then v0 for older conftest policies.
    pub fn load(user_dirs: &[PathBuf], builtin: bool) -> Result<Self, PolicyError> {
        let mut engine = Engine::new();
        let mut rules = Vec::new();
        if builtin {
            for (file, text) in BUILTIN {
                engine
                    .add_policy(format!("builtin/{file}"), (*text).to_owned())
                    .map_err(|e| PolicyError::Compile {
                        path: format!("builtin/{file}"),
                        message: e.to_string(),
                    })?;
                if !is_lib(file) {
                    rules.push(parse_metadata(file, text)?);
                }
            }
        }
        let mut files = Vec::new();
        for d in user_dirs {
            let start = files.len();
            collect_rego(d, &mut files)?;
            // Each module must resolve inside its policy folder (`.vouch/policy/` comes from
            // the repository): a link to `/proc/self/environ` is refused, never compiled and
            // quoted in a compile error.
            for f in &files[start..] {
                vouch_fs::read::inside_root(d, f).map_err(PolicyError::File)?;
            }
        }
        let mut user: Vec<UserPackage> = Vec::new();
        for f in &files {
            let text =
                vouch_fs::read::read_to_string(f, MAX_REGO_FILE_LEN).map_err(PolicyError::File)?;
            let name = f.display().to_string();
            let pkg = match engine.add_policy(name.clone(), text.clone()) {
                Ok(p) => p,
                Err(e1) => {
                    engine.set_rego_v0(true);
                    let r = engine.add_policy(name.clone(), text);
                    engine.set_rego_v0(false);
                    // regorus quotes the offending source line: redact secret-looking values
                    r.map_err(|_| PolicyError::Compile {
                        path: name.clone(),
                        message: vouch_secrets::redact(&e1.to_string()),
                    })?
                }
            };
            if pkg.starts_with("data.vouch.rules.") {
                return Err(PolicyError::Compile {
                    path: name,
                    message: "package `vouch.rules.*` is reserved for built-in rules".into(),
                });
            }
            if !user.iter().any(|u| u.package == pkg) {
                user.push(UserPackage { package: pkg });
            }
        }
        // Compile everything now so the first file does not pay for it and errors show early.
        engine.set_input(RValue::new_object());
        if !rules.is_empty() {
            engine
                .eval_query("data.vouch.rules.dockerfile".into(), false)
                .map_err(|e| PolicyError::Compile {
                    path: "builtin".into(),
                    message: e.to_string(),
                })?;
        }
        for u in &user {
            engine
                .eval_query(u.package.clone(), false)
                .map_err(|e| PolicyError::Compile {
                    path: u.package.clone(),
                    message: vouch_secrets::redact(&e.to_string()),
                })?;
        }
        Ok(Self {
            engine,
            builtin: rules,
            user,
            user_files: files,
        })
    }

    /// Add a `data` document (merged with what is there).
    pub fn add_data(&mut self, data: &Value) -> Result<(), PolicyError> {
        self.engine
            .add_data(RValue::from(data.clone()))
            .map_err(|e| PolicyError::Compile {
                path: "data".into(),
                message: e.to_string(),
            })
    }

    /// Metadata of the loaded built-in rules.
    pub fn rules(&self) -> &[RuleInfo] {
        &self.builtin
    }

    /// Paths of the user policy files loaded.
    pub fn user_files(&self) -> &[PathBuf] {
        &self.user_files
    }

    /// A fresh engine to evaluate files with (one per thread).
    pub fn engine(&self) -> Engine {
        self.engine.clone()
    }

    /// Evaluate every applicable policy over one normalised file.
    pub fn evaluate(
        &self,
        engine: &mut Engine,
        input: &Normalised,
    ) -> Result<Vec<RawFinding>, String> {
        engine.set_input(RValue::from(input.input.clone()));
        let mut out = Vec::new();
        let group = input.kind.rule_group();
        if self.builtin.iter().any(|r| r.group == group) {
            let res = engine
                .eval_query(format!("data.vouch.rules.{group}"), false)
                .map_err(|e| format!("built-in rules: {e}"))?;
            let value = first_value(&res);
            if let RValue::Object(pkgs) = value {
                for (pkg_name, pkg_val) in pkgs.iter() {
                    let Ok(pkg_name) = pkg_name.as_string() else {
                        continue;
                    };
                    let full = format!("data.vouch.rules.{group}.{pkg_name}");
                    let Some(info) = self.builtin.iter().find(|r| r.package == full) else {
                        continue;
                    };
                    for rule in ["deny", "warn", "violation"] {
                        for item in items(pkg_val, rule) {
                            let mut f = raw(&item, &info.id, info.severity);
                            f.remediation =
                                f.remediation.or_else(|| Some(info.remediation.clone()));
                            f.title = Some(info.title.clone());
                            out.push(f);
                        }
                    }
                }
            }
        }
        for u in &self.user {
            let res = engine
                .eval_query(u.package.clone(), false)
                .map_err(|e| format!("policy {}: {e}", u.package))?;
            let value = first_value(&res);
            let short = u.package.strip_prefix("data.").unwrap_or(&u.package);
            for (rule, sev) in [
                ("deny", Severity::High),
                ("violation", Severity::High),
                ("warn", Severity::Low),
            ] {
                for item in items(&value, rule) {
                    out.push(raw(&item, &format!("{short}.{rule}"), sev));
                }
            }
        }
        Ok(out)
    }
}

fn first_value(res: &regorus::QueryResults) -> RValue {
    res.result
        .first()
        .and_then(|r| r.expressions.first())
        .map(|e| e.value.clone())
        .unwrap_or(RValue::Undefined)
}

/// The members of rule `name` in a package value (a set, an array, or a single value).
fn items(pkg: &RValue, name: &str) -> Vec<RValue> {
    let RValue::Object(o) = pkg else {
        return Vec::new();
    };
    match o.get(&RValue::from(name)) {
        Some(RValue::Set(s)) => s.iter().cloned().collect(),
        Some(RValue::Array(a)) => a.iter().cloned().collect(),
        Some(RValue::Undefined | RValue::Null | RValue::Bool(false)) | None => Vec::new(),
        Some(v) => vec![v.clone()],
    }
}

fn to_json(v: &RValue) -> Value {
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

fn raw(item: &RValue, default_id: &str, default_sev: Severity) -> RawFinding {
    let v = to_json(item);
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    match &v {
        Value::String(s) => RawFinding {
            rule_id: default_id.to_owned(),
            severity: default_sev,
            message: s.clone(),
            line: None,
            column: None,
            remediation: None,
            title: None,
        },
        _ => RawFinding {
            rule_id: text("id")
                .or_else(|| text("rule_id"))
                .unwrap_or_else(|| default_id.to_owned()),
            severity: text("severity")
                .and_then(|s| s.parse().ok())
                .unwrap_or(default_sev),
            message: text("msg")
                .or_else(|| text("message"))
                .unwrap_or_else(|| v.to_string()),
            line: num("line"),
            column: num("column").or_else(|| num("col")),
            remediation: text("remediation"),
            title: None,
        },
    }
}
