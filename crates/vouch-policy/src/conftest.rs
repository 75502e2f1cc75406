//! `vouch check --conftest`: a policy evaluated exactly as `conftest test` evaluates it, so
//! existing conftest policies run unchanged (docs/check.md#conftest-mode).
//!
//! - The input is each parsed document of each file, as parsed, not vouch's normalised shape:
//!   a YAML file with several documents gives one input per document; JSON and TOML one each.
//! - Queried per input and namespace (package; `main` unless `--namespace`, or every package
//!   with `--all-namespaces`): every rule named `deny`, `violation`, `warn` or starting with
//!   `deny_`, `violation_`, `warn_`, as sets (`deny contains msg if` in Rego v1, `deny[msg]` in
//!   v0), each member a message string or an object with `msg`.
//! - `warn` members are warnings; `deny` and `violation` members are failures. A rule with no
//!   member is a passed test.
//! - Evaluated by the one engine setup ([`crate::rego::new_engine`]): a builtin type error makes
//!   that expression undefined, as in OPA.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vouch_fs::walk::{DirTree, Excludes, Tree};

use crate::engine::{MAX_REGO_FILE_LEN, PolicyError, collect_rego};
use crate::rego;

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--policy` folders (conftest's `-p`; default `policy`).
    pub policy_dirs: Vec<PathBuf>,
    /// `--namespace` (repeatable, `*` wildcards allowed); default `main`.
    pub namespaces: Vec<String>,
    /// `--all-namespaces`: every package of the loaded policies.
    pub all_namespaces: bool,
    /// Byte cap for every file read.
    pub max_file_size: u64,
}

/// The result of one input (a file, or one document of it) in one namespace, as conftest
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckResult {
    /// The file as given (with the document number for a multi-document file's second and
    /// later documents: conftest prints the file name for each).
    pub filename: String,
    pub namespace: String,
    /// Rules that returned nothing.
    pub successes: usize,
    pub warnings: Vec<String>,
    pub failures: Vec<String>,
}

/// Why conftest mode could not evaluate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConftestError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("no policies found in {}", dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoPolicies { dirs: Vec<PathBuf> },
    #[error("invalid --namespace pattern `{pattern}`: {message}")]
    Namespace { pattern: String, message: String },
    #[error("{path}: {message}")]
    Input { path: String, message: String },
    #[error(
        "{path}: conftest mode reads YAML, JSON and TOML files (by extension); this is none of them"
    )]
    UnsupportedFile { path: String },
    #[error("{path}: policy {namespace}: {message}")]
    Eval {
        path: String,
        namespace: String,
        message: String,
    },
}

/// A policy set loaded for conftest mode.
pub struct Conftest {
    engine: regorus::Engine,
    namespaces: Vec<String>,
    /// Per namespace, how many `deny`/`violation`/`warn` rule definitions its modules have
    /// (two `deny contains` bodies are two): conftest counts passed tests by it.
    rule_counts: std::collections::HashMap<String, usize>,
    /// Per namespace, the names of those rules, each queried on its own as conftest does
    /// (`data.main.deny`), in order of first definition.
    rule_names: std::collections::HashMap<String, Vec<String>>,
    max_file_size: u64,
}

/// The rule definitions of a module that conftest counts: heads at the start of a line named
/// `deny`, `violation`, `warn` or one of those with a `_suffix`, by name, in order.
fn rule_heads(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty() && rule_kind(&name).is_some()).then_some(name)
        })
        .collect()
}

impl Conftest {
    /// Load every `*.rego` (not `*_test.rego`) under the policy folders and pick the
    /// namespaces to query.
    pub fn load(opts: &Options) -> Result<Self, ConftestError> {
        let mut files = Vec::new();
        for d in &opts.policy_dirs {
            let start = files.len();
            collect_rego(d, &mut files)?;
            for f in &files[start..] {
                vouch_fs::read::inside_root(d, f).map_err(PolicyError::File)?;
            }
        }
        if files.is_empty() {
            return Err(ConftestError::NoPolicies {
                dirs: opts.policy_dirs.clone(),
            });
        }
        let mut engine = rego::new_engine();
        let mut packages: Vec<String> = Vec::new();
        let mut rule_counts = std::collections::HashMap::new();
        let mut rule_names: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for f in &files {
            let text =
                vouch_fs::read::read_to_string(f, MAX_REGO_FILE_LEN).map_err(PolicyError::File)?;
            let name = f.display().to_string();
            let pkg =
                rego::add_module(&mut engine, &name, &text).map_err(|e| PolicyError::Compile {
                    path: name.clone(),
                    message: vouch_secrets::redact(&e),
                })?;
            let ns = pkg.strip_prefix("data.").unwrap_or(&pkg).to_owned();
            let heads = rule_heads(&text);
            *rule_counts.entry(ns.clone()).or_insert(0) += heads.len();
            let names = rule_names.entry(ns.clone()).or_default();
            for h in heads {
                if !names.contains(&h) {
                    names.push(h);
                }
            }
            if !packages.contains(&ns) {
                packages.push(ns);
            }
        }
        let namespaces = if opts.all_namespaces {
            packages
        } else {
            let wanted = if opts.namespaces.is_empty() {
                vec!["main".to_owned()]
            } else {
                opts.namespaces.clone()
            };
            let mut out = Vec::new();
            for w in &wanted {
                let glob = globset::Glob::new(w)
                    .map_err(|e| ConftestError::Namespace {
                        pattern: w.clone(),
                        message: e.kind().to_string(),
                    })?
                    .compile_matcher();
                for p in &packages {
                    if glob.is_match(p) && !out.contains(p) {
                        out.push(p.clone());
                    }
                }
            }
            out
        };
        Ok(Self {
            engine,
            namespaces,
            rule_counts,
            rule_names,
            max_file_size: opts.max_file_size,
        })
    }

    /// The namespaces queried.
    pub fn namespaces(&self) -> &[String] {
        &self.namespaces
    }

    /// Evaluate every input of every file under `paths` (folders are walked by the one walker
    /// for `.yaml`, `.yml`, `.json` and `.toml` files).
    pub fn test(&self, paths: &[PathBuf]) -> Result<Vec<CheckResult>, ConftestError> {
        let mut out = Vec::new();
        for p in paths {
            if p.is_dir() {
                let tree =
                    DirTree::open(p, Excludes::none()).map_err(|e| ConftestError::Input {
                        path: p.display().to_string(),
                        message: e.to_string(),
                    })?;
                let walk = tree.walk();
                if let Some(issue) = walk.issues.first() {
                    return Err(ConftestError::Input {
                        path: p.join(&issue.rel).display().to_string(),
                        message: format!("cannot walk: {}", issue.cause),
                    });
                }
                let mut rels: Vec<&str> = walk
                    .files()
                    .map(|e| e.rel.as_str())
                    .filter(|r| format_of(r).is_some())
                    .collect();
                rels.sort_unstable();
                for rel in rels {
                    let shown = p.join(rel).display().to_string();
                    out.extend(self.test_file(&tree, rel, &shown)?);
                }
            } else {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let shown = p.display().to_string();
                let tree =
                    DirTree::open(dir, Excludes::none()).map_err(|e| ConftestError::Input {
                        path: shown.clone(),
                        message: e.to_string(),
                    })?;
                out.extend(self.test_file(&tree, &name, &shown)?);
            }
        }
        Ok(out)
    }

    fn test_file(
        &self,
        tree: &dyn Tree,
        rel: &str,
        shown: &str,
    ) -> Result<Vec<CheckResult>, ConftestError> {
        let input_err = |message: String| ConftestError::Input {
            path: shown.to_owned(),
            message,
        };
        let format = format_of(rel).ok_or_else(|| ConftestError::UnsupportedFile {
            path: shown.to_owned(),
        })?;
        let bytes = tree
            .read(rel, self.max_file_size)
            .map_err(|e| input_err(e.reason()))?;
        let docs = parse(format, &bytes).map_err(input_err)?;
        // One result per namespace; the documents of a multi-document file are evaluated one
        // by one and their results gathered under the file's name, as conftest does.
        let mut out: Vec<CheckResult> = self
            .namespaces
            .iter()
            .map(|ns| CheckResult {
                filename: shown.to_owned(),
                namespace: ns.clone(),
                successes: 0,
                warnings: Vec::new(),
                failures: Vec::new(),
            })
            .collect();
        for doc in docs {
            let mut engine = self.engine.clone();
            engine.set_input(regorus::Value::from(doc));
            for (ns, result) in self.namespaces.iter().zip(out.iter_mut()) {
                let mut found = 0;
                let names = self.rule_names.get(ns).map_or(&[][..], Vec::as_slice);
                for name in names {
                    let Some(warning) = rule_kind(name) else {
                        continue;
                    };
                    let value = rego::query(&mut engine, &format!("data.{ns}.{name}")).map_err(
                        |message| ConftestError::Eval {
                            path: shown.to_owned(),
                            namespace: ns.clone(),
                            message: vouch_secrets::redact(&message),
                        },
                    )?;
                    for m in &rego::members(&value) {
                        let msg = rego::Violation::from_value(m).message;
                        found += 1;
                        if warning {
                            result.warnings.push(msg);
                        } else {
                            result.failures.push(msg);
                        }
                    }
                }
                // conftest: the rule definitions that gave no result passed.
                let rules = self.rule_counts.get(ns).copied().unwrap_or(0);
                result.successes += rules.saturating_sub(found);
            }
        }
        Ok(out)
    }
}

/// `Some(true)` for a warning rule, `Some(false)` for a failure rule, `None` for any other.
fn rule_kind(name: &str) -> Option<bool> {
    let is = |prefix: &str| name == prefix || name.starts_with(&format!("{prefix}_"));
    if is("warn") {
        Some(true)
    } else if is("deny") || is("violation") {
        Some(false)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Yaml,
    Json,
    Toml,
}

fn format_of(rel: &str) -> Option<Format> {
    let lower = rel.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "yaml" | "yml" => Format::Yaml,
        "json" => Format::Json,
        "toml" => Format::Toml,
        _ => return None,
    })
}

/// The documents of a file, as parsed (YAML: every non-empty document).
fn parse(format: Format, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Yaml => Ok(vouch_yaml::load_all(text)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|d| !d.is_null())
            .collect()),
        Format::Json => {
            vouch_yaml::check_depth(text, vouch_yaml::MAX_DEPTH).map_err(|e| e.to_string())?;
            serde_json::from_str(text)
                .map(|v| vec![v])
                .map_err(|e| format!("invalid JSON at line {} column {}", e.line(), e.column()))
        }
        Format::Toml => {
            toml::from_str::<Value>(text)
                .map(|v| vec![v])
                .map_err(|e| match e.span() {
                    Some(s) => {
                        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                        format!("invalid TOML at line {line}")
                    }
                    None => "invalid TOML".to_owned(),
                })
        }
    }
}

/// conftest's plain-text output: one `WARN`/`FAIL` line per message, then the totals.
pub fn render(results: &[CheckResult]) -> String {
    let mut out = String::new();
    let (mut tests, mut passed, mut warnings, mut failures) = (0, 0, 0, 0);
    for r in results {
        for w in &r.warnings {
            out.push_str(&format!("WARN - {} - {} - {w}\n", r.filename, r.namespace));
        }
        for f in &r.failures {
            out.push_str(&format!("FAIL - {} - {} - {f}\n", r.filename, r.namespace));
        }
        passed += r.successes;
        warnings += r.warnings.len();
        failures += r.failures.len();
        tests += r.successes + r.warnings.len() + r.failures.len();
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!(
        "{}, {passed} passed, {}, {}, 0 exceptions\n",
        plural(tests, "test"),
        plural(warnings, "warning"),
        plural(failures, "failure"),
    ));
    out
}
