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
use crate::rego;
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
    /// A `data.json`/`data.yaml` of a policy folder that could not be used.
    #[error("policy data {path}: {message}")]
    Data { path: String, message: String },
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
    /// The file `line` is in when it is not the checked file (GitLab CI includes).
    pub path: Option<String>,
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

/// Names of the data files of a policy folder (OPA bundle convention).
pub const DATA_FILES: &[&str] = &["data.json", "data.yaml", "data.yml"];

/// The data files (`data.json`, `data.yaml`, `data.yml`) under `dir`, each with the folder it is
/// in relative to `dir` (its place under `data`, as in an OPA bundle), sorted.
pub(crate) fn collect_data(
    dir: &Path,
    at: &[String],
    out: &mut Vec<(PathBuf, Vec<String>)>,
) -> Result<(), PolicyError> {
    let rd = std::fs::read_dir(dir).map_err(|source| PolicyError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // Links are not followed into folders (a link loop would never end).
        let is_dir = p.symlink_metadata().is_ok_and(|m| m.is_dir());
        if is_dir {
            if at.len() >= 32 {
                continue;
            }
            let mut below = at.to_vec();
            below.push(name.to_owned());
            collect_data(&p, &below, out)?;
        } else if DATA_FILES.contains(&name) {
            out.push((p, at.to_vec()));
        }
    }
    Ok(())
}

/// Read one data file into the document it adds: its value placed at `at` (`{"a": {"b": v}}`
/// for a file in `a/b/`). The top-level key `vouch` is reserved for vouch's own settings.
fn load_data(dir: &Path, file: &Path, at: &[String]) -> Result<Value, PolicyError> {
    vouch_fs::read::inside_root(dir, file).map_err(PolicyError::File)?;
    let shown = file.display().to_string();
    let bad = |message: String| PolicyError::Data {
        path: shown.clone(),
        message,
    };
    let text =
        vouch_fs::read::read_to_string(file, MAX_REGO_FILE_LEN).map_err(PolicyError::File)?;
    let doc = vouch_yaml::load_all(&text)
        .map_err(|e| bad(vouch_secrets::redact(&e.to_string())))?
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    if !doc.is_object() {
        return Err(bad("expected a mapping at the top".into()));
    }
    let mut value = doc;
    for key in at.iter().rev() {
        value = serde_json::json!({ key.clone(): value });
    }
    if value.get("vouch").is_some() {
        return Err(bad(
            "the key `vouch` is reserved for vouch's own settings; use another name".into(),
        ));
    }
    Ok(value)
}

/// Helper modules (`<group>/lib.rego`) have no metadata and produce no findings.
fn is_lib(file: &str) -> bool {
    file.ends_with("/lib.rego")
}

pub(crate) fn collect_rego(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
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
        let mut engine = rego::new_engine();
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
            // regorus quotes the offending source line: redact secret-looking values
            let pkg =
                rego::add_module(&mut engine, &name, &text).map_err(|e1| PolicyError::Compile {
                    path: name.clone(),
                    message: vouch_secrets::redact(&e1),
                })?;
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
        // Data files of the policy folders (`data.json`, `data.yaml`), each at its folder's
        // path under `data`, as OPA loads a bundle; two files giving one key different values
        // is an error naming the second.
        for d in user_dirs {
            let mut data = Vec::new();
            collect_data(d, &[], &mut data)?;
            for (file, at) in data {
                let value = load_data(d, &file, &at)?;
                engine
                    .add_data(RValue::from(value))
                    .map_err(|e| PolicyError::Data {
                        path: file.display().to_string(),
                        message: vouch_secrets::redact(&e.to_string()),
                    })?;
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
        self.evaluate_input(engine, input.kind, RValue::from(input.input.clone()))
    }

    /// [`PolicySet::evaluate`] over an input already in Rego's form (an image's input is
    /// parsed from its JSON text straight into it, with no `serde_json` tree in between).
    pub fn evaluate_input(
        &self,
        engine: &mut Engine,
        kind: crate::input::FileKind,
        input: RValue,
    ) -> Result<Vec<RawFinding>, String> {
        engine.set_input(input);
        let mut out = Vec::new();
        let group = kind.rule_group();
        if self.builtin.iter().any(|r| r.group == group) {
            let value = rego::query(engine, &format!("data.vouch.rules.{group}"))
                .map_err(|e| format!("built-in rules: {e}"))?;
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
                        for item in rego::rule_members(pkg_val, rule) {
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
            let short = u.package.strip_prefix("data.").unwrap_or(&u.package);
            for (rule, sev) in [
                ("deny", Severity::High),
                ("violation", Severity::High),
                ("warn", Severity::Low),
            ] {
                // Each rule is queried on its own, as conftest does: evaluating the whole
                // package at once loses rules whose bodies call rules of an imported package
                // (regorus 0.14 returns them empty).
                let value = rego::query(engine, &format!("{}.{rule}", u.package))
                    .map_err(|e| format!("policy {}: {e}", u.package))?;
                for item in rego::members(&value) {
                    out.push(raw(&item, &format!("{short}.{rule}"), sev));
                }
            }
        }
        Ok(out)
    }
}

fn raw(item: &RValue, default_id: &str, default_sev: Severity) -> RawFinding {
    let v = rego::Violation::from_value(item);
    RawFinding {
        rule_id: v.id.or(v.rule_id).unwrap_or_else(|| default_id.to_owned()),
        severity: v
            .severity
            .and_then(|s| s.parse().ok())
            .unwrap_or(default_sev),
        message: v.message,
        line: v.line,
        column: v.column,
        remediation: v.remediation,
        title: None,
        path: v.path,
    }
}
