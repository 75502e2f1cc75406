//! Helm charts, rendered before checking (docs/helm.md).
//!
//! A chart is the folder of a `Chart.yaml`. Its `templates/` files are Go templates, rendered
//! with [`gtmpl`] (Go's `text/template` in Rust) plus the Sprig/Helm functions listed in
//! [`FUNCTIONS`], with `.Values` = the chart's `values.yaml` deep-merged with each `--values`
//! file in order, and fixed `.Release`, `.Chart`, `.Capabilities` and `.Template` objects (see
//! [`RELEASE_NAME`], [`KUBE_VERSION`]). Files whose name starts with `_` hold helpers
//! (`define`) only; `NOTES.txt` is not a manifest. Every other template's output is split into
//! YAML documents and checked as Kubernetes manifests.
//!
//! Findings are placed at the template: each line of the output is matched to the template
//! line that wrote its literal text (the text before the first action on that line), in
//! order; lines written by an action alone (`toYaml`, `include`) map to the last matched line
//! above them, the key they sit under.
//!
//! A template that cannot be parsed or rendered is an error naming the template, the construct
//! and its line ([`RenderError`]); nothing in a chart is skipped silently.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gtmpl::{Context as GtContext, Func, FuncError, Template, Value as G};
use serde_json::{Map, Value};
use vouch_yaml::LineIndex;

use super::built::{Built, Layer, join, parent};
use super::{Context, InputError, NotBuilt};

/// `.Release.Name` (as `helm template` without a name).
pub const RELEASE_NAME: &str = "release-name";
/// `.Release.Namespace`.
pub const RELEASE_NAMESPACE: &str = "default";
/// `.Capabilities.KubeVersion.Version`.
pub const KUBE_VERSION: &str = "v1.31.0";
/// `include` / `tpl` nested deeper than this is refused.
pub const MAX_INCLUDE_DEPTH: usize = 64;
/// Work budget of one chart: range items, `include`/`tpl` calls and included output (per 64
/// bytes) count one each; past it rendering stops with an error, so nested loops and fan-out
/// of includes cannot hang or exhaust memory.
pub const MAX_WORK: u64 = 4_000_000;
/// `if`/`range`/`with`/`define` blocks or parentheses nested deeper than this are refused
/// before parsing (the parser recurses on them).
pub const MAX_NESTING: usize = 100;

/// Why a chart could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    #[error("{chart}: {message}")]
    Chart { chart: String, message: String },
    #[error("{path}: values file: {message}")]
    Values { path: String, message: String },
    #[error("helm template {template}{}: cannot parse `{construct}`: {message}", line_suffix(*line))]
    Parse {
        template: String,
        line: Option<u32>,
        construct: String,
        message: String,
    },
    #[error("helm template {template}{}: cannot render `{construct}`: {message}", line_suffix(*line))]
    Exec {
        template: String,
        line: Option<u32>,
        construct: String,
        message: String,
    },
    #[error("helm template {template}{}: rendered output is not YAML: {message}", line_suffix(*line))]
    Output {
        template: String,
        line: Option<u32>,
        message: String,
    },
    #[error("helm template {template}: nested more than {limit} levels deep")]
    TooDeep { template: String, limit: usize },
    #[error("helm template {template}: output is over the {limit}-byte limit")]
    TooLarge { template: String, limit: u64 },
}

fn line_suffix(line: Option<u32>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

/// The Sprig and Helm functions provided beside Go's builtins (`and`, `or`, `not`, `eq`, `ne`,
/// `lt`, `le`, `gt`, `ge`, `len`, `index`, `print`, `printf`, `println`, `urlquery`, `call`).
pub const FUNCTIONS: &[&str] = &[
    "default",
    "empty",
    "coalesce",
    "ternary",
    "required",
    "fail",
    "include",
    "tpl",
    "quote",
    "squote",
    "toYaml",
    "toJson",
    "fromYaml",
    "toString",
    "int",
    "int64",
    "float64",
    "atoi",
    "indent",
    "nindent",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trunc",
    "upper",
    "lower",
    "title",
    "replace",
    "nospace",
    "repeat",
    "cat",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "b64enc",
    "b64dec",
    "sha256sum",
    "list",
    "dict",
    "get",
    "set",
    "unset",
    "hasKey",
    "keys",
    "pluck",
    "merge",
    "mergeOverwrite",
    "deepCopy",
    "append",
    "concat",
    "first",
    "last",
    "has",
    "uniq",
    "compact",
    "join",
    "splitList",
    "toStrings",
    "until",
    "add",
    "add1",
    "sub",
    "mul",
    "div",
    "mod",
    "max",
    "min",
    "kindIs",
    "kindOf",
    "typeOf",
    "semverCompare",
    "regexMatch",
    "regexReplaceAll",
    "lookup",
    "omit",
    "pick",
    "values",
    "dig",
    "regexFind",
    "regexFindAll",
    "typeIs",
    "fromYamlArray",
    "fromJson",
    "toPrettyJson",
    "toRawJson",
    "mustToJson",
    "mustMerge",
    "mustMergeOverwrite",
    "mustRegexReplaceAll",
    "prepend",
    "without",
    "sortAlpha",
    "rest",
    "initial",
    "reverse",
    "substr",
    "split",
    "randAlphaNum",
    "randAlpha",
    "trimall",
    "snakecase",
    "kebabcase",
    "fromJsonArray",
    "mustUniq",
    "mustRegexFind",
    "mustRegexFindAll",
    "mustRegexMatch",
    "mustFromJson",
    "mustAppend",
    "mustPrepend",
    "mustFirst",
    "mustLast",
    "mustHas",
    "mustWithout",
    "mustCompact",
    "mustRest",
    "mustInitial",
    "mustReverse",
    "mustToPrettyJson",
    "mustToRawJson",
    "mustDeepCopy",
    "genCA",
    "genSelfSignedCert",
    "genSignedCert",
    "genCAWithKey",
    "genSelfSignedCertWithKey",
    "genSignedCertWithKey",
    "genPrivateKey",
    "htpasswd",
    "randNumeric",
    "now",
    "date",
    "floor",
    "ceil",
    "round",
    "addf",
    "subf",
    "mulf",
    "divf",
    "deepEqual",
    "base",
    "dir",
    "splitn",
    "urlParse",
    "semver",
    "slice",
    "dateInZone",
    "buildCustomCert",
    "randAscii",
    "shuffle",
    "regexReplaceAllLiteral",
];

/// Build the rendered chart whose `Chart.yaml` is `rel` (text `text`).
pub(crate) fn chart(rel: &str, text: &str, ctx: &Context) -> Result<Built, InputError> {
    let dir = parent(rel).to_owned();
    let chart_err = |message: String| RenderError::Chart {
        chart: rel.to_owned(),
        message,
    };
    let meta = match vouch_yaml::load_all(text)
        .map_err(|e| chart_err(format!("not a chart description: {e}")))?
        .into_iter()
        .find(|d| !d.is_null())
    {
        Some(Value::Object(m)) => m,
        _ => return Err(chart_err("expected a mapping with `name` and `version`".into()).into()),
    };
    let mut built = Built::default();
    if meta.get("type").and_then(Value::as_str) == Some("library") {
        // A library chart renders nothing of its own; its helpers serve other charts.
        return Ok(built);
    }
    let files = ctx.files()?;
    let in_dir = |sub: &str| join(&dir, sub).unwrap_or_default();
    let templates_dir = in_dir("templates");
    let charts_dir = in_dir("charts");
    // Sources: this chart's templates and the helpers of its vendored subcharts (Helm puts
    // every template of a chart and its dependencies in one namespace).
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    for f in files.under(&templates_dir) {
        let name = f.rsplit('/').next().unwrap_or(f);
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".yaml")
            || lower.ends_with(".yml")
            || lower.ends_with(".tpl")
            || lower.ends_with(".txt")
            || lower.ends_with(".json"))
        {
            continue;
        }
        if name == "NOTES.txt" {
            // Shown after an install, never a manifest: neither parsed nor rendered.
            continue;
        }
        if !name.starts_with('_') {
            outputs.push(f.to_owned());
        }
        sources.push((f.to_owned(), String::new()));
    }
    for f in files.under(&charts_dir) {
        let name = f.rsplit('/').next().unwrap_or(f);
        if f.contains("/templates/") && name.starts_with('_') {
            sources.push((f.to_owned(), String::new()));
        } else if name.ends_with(".tgz") && parent(f) == charts_dir {
            built.not_built.push(NotBuilt {
                path: rel.to_owned(),
                reason: format!(
                    "subchart archive {f} is not unpacked (its helpers are not available)"
                ),
            });
        }
    }
    drop(files);
    // The original text of each template and, per line of the text given to the parser, the
    // original line (actions spanning lines are joined for the parser).
    let mut originals: HashMap<String, (String, Vec<u32>)> = HashMap::new();
    for (path, text) in &mut sources {
        let bytes = ctx.read(path)?;
        let original = String::from_utf8(bytes).map_err(|e| RenderError::Parse {
            template: path.clone(),
            line: None,
            construct: "file".into(),
            message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        check_nesting(path, &original)?;
        let (processed, lines) = preprocess(&original);
        *text = processed;
        originals.insert(path.clone(), (original, lines));
    }
    let values = values(&dir, ctx)?;
    let root = context_value(&meta, values);
    let limit = ctx.max_file_size;
    let sources = Rc::new(sources);
    let source_of = |out: &str| {
        sources
            .iter()
            .find(|(p, _)| p == out)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let state = State {
        sources: Rc::clone(&sources),
        cache: HashMap::new(),
        depth: 0,
        work: 0,
        cells: Vec::new(),
    };
    let _guard = StateGuard::set(state);
    let mut base = new_template(&outputs.first().cloned().unwrap_or_default());
    parse_sources(&mut base, &sources).map_err(|e| original_line(e, &originals))?;
    for out in &outputs {
        base.name.clone_from(out);
        let mut dot = root.clone();
        if let G::Map(m) = &mut dot {
            m.insert(
                "Template".into(),
                map([
                    ("Name", G::String(out.clone())),
                    ("BasePath", G::String(templates_dir.clone())),
                ]),
            );
        }
        let mut w = Capped {
            buf: Vec::new(),
            limit,
        };
        let ctx_dot = GtContext::from(dot);
        if let Err(e) = guarded(|| base.execute(&mut w, &ctx_dot).map_err(|e| e.to_string())) {
            if w.buf.len() as u64 > limit {
                return Err(RenderError::TooLarge {
                    template: out.clone(),
                    limit,
                }
                .into());
            }
            let e = exec_error(out, &source_of(out), &e);
            return Err(original_line(e, &originals).into());
        }
        let rendered = String::from_utf8_lossy(&w.buf).replace("<no value>", "");
        let source = source_of(out);
        let table = originals.get(out).map(|(_, t)| t.as_slice()).unwrap_or(&[]);
        let lines = Rc::new(
            line_map(&source, &rendered)
                .into_iter()
                .map(|l| to_original(table, l))
                .collect::<Vec<u32>>(),
        );
        let docs = vouch_yaml::load_all(&rendered).map_err(|e| {
            let line = rendered_error_line(&e.to_string())
                .and_then(|l| lines.get(l.checked_sub(1)? as usize).copied());
            RenderError::Output {
                template: out.clone(),
                line,
                message: e.to_string(),
            }
        })?;
        let index = Rc::new(LineIndex::build(&rendered));
        for (d, doc) in docs.into_iter().enumerate() {
            if !doc.is_object() {
                continue;
            }
            let layer = Layer {
                path: out.clone(),
                doc: d,
                index: Rc::clone(&index),
                value: doc.clone(),
                lines: Some(Rc::clone(&lines)),
            };
            built.push(doc, vec![layer]);
        }
    }
    Ok(built)
}

/// Text for the parser: actions spanning lines joined onto their first line (Go allows them,
/// gtmpl does not), `range` over a missing value made a range over nothing (as in Go), and
/// `.Capabilities.APIVersions.Has` (a method in Go) made a function call. Returns the text and,
/// per line of it, the line of `text` it starts on.
fn preprocess(text: &str) -> (String, Vec<u32>) {
    let mut out = String::with_capacity(text.len());
    let mut table = Vec::new();
    let mut line: u32 = 1;
    let mut rest = text;
    table.push(1);
    while let Some(open) = rest.find("{{") {
        let before = &rest[..open];
        for c in before.chars() {
            if c == '\n' {
                line += 1;
                table.push(line);
            }
        }
        out.push_str(before);
        let after = &rest[open..];
        let close = after.find("}}").map_or(after.len(), |c| c + 2);
        let action = &after[..close];
        line += u32::try_from(action.matches('\n').count()).unwrap_or(0);
        out.push_str(&rewrite_action(&action.replace(['\n', '\r'], " ")));
        rest = &after[close..];
    }
    for c in rest.chars() {
        if c == '\n' {
            line += 1;
            table.push(line);
        }
    }
    out.push_str(rest);
    (assignments(&out), table)
}

/// Go 1.11's `$x = value` (assigning a variable declared outside the block) is not in gtmpl's
/// grammar. Every variable of the text that is ever assigned becomes a cell: its declaration
/// `$x := v` becomes `$x := cellNew (v)`, an assignment `$x = v` becomes `cellSet $x (v)` (which
/// prints nothing), and every other use `(cellGet $x)`; so an assignment inside `if`/`range`
/// is seen after the block, as in Go. Works on one line of actions (see [`preprocess`]).
fn assignments(text: &str) -> String {
    let assigned = assigned_vars(text);
    if assigned.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find("}}") else {
            out.push_str(after);
            return out;
        };
        let action = &after[..close + 2];
        rest = &after[close + 2..];
        let inner_start = 2 + usize::from(action[2..].starts_with('-'));
        let inner_end = action.len() - 2 - usize::from(action[..action.len() - 2].ends_with('-'));
        if inner_start >= inner_end || action[inner_start..].trim_start().starts_with("/*") {
            out.push_str(action);
            continue;
        }
        let body = &action[inner_start..inner_end];
        let t = body.trim();
        let var_stmt = |op: &str| -> Option<(String, String)> {
            let r = t.strip_prefix('$')?;
            let name: String = r
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let after = r[name.len()..].trim_start();
            let value = after.strip_prefix(op)?;
            if op == "=" && value.starts_with('=') {
                return None;
            }
            assigned
                .contains(&name)
                .then(|| (name, value.trim().to_owned()))
        };
        let new_body = if let Some((name, v)) = var_stmt(":=") {
            format!(" ${name} := cellNew ({}) ", uses(&v, &assigned))
        } else if let Some((name, v)) = var_stmt("=") {
            format!(" cellSet ${name} ({}) ", uses(&v, &assigned))
        } else if let Some(i) = t
            .find(":=")
            .filter(|_| ["range ", "with ", "if "].iter().any(|k| t.starts_with(k)))
        {
            format!(" {}:= {} ", &t[..i], uses(&t[i + 2..], &assigned))
        } else {
            format!(" {} ", uses(t, &assigned))
        };
        out.push_str(&action[..inner_start]);
        out.push_str(&new_body);
        out.push_str(&action[inner_end..]);
    }
    out.push_str(rest);
    out
}

/// Names of the variables assigned with `=` anywhere in `text`'s actions.
fn assigned_vars(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for action in text.split("{{").skip(1) {
        let body = action.split("}}").next().unwrap_or("");
        let t = body.trim_start_matches('-').trim_start();
        let Some(r) = t.strip_prefix('$') else {
            continue;
        };
        let name: String = r
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = r[name.len()..].trim_start();
        if !name.is_empty()
            && after.starts_with('=')
            && !after.starts_with("==")
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// `$x` → `(cellGet $x)` for the assigned variables, outside string literals.
fn uses(body: &str, assigned: &[String]) -> String {
    let mut out = String::with_capacity(body.len() + 16);
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && q != '`' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if matches!(c, '"' | '`' | '\'') {
            quote = Some(c);
            out.push(c);
            i += 1;
            continue;
        }
        if c == '$' {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_alphanumeric() || **c == '_')
                .collect();
            if !name.is_empty() && assigned.contains(&name) {
                out.push_str(&format!("(cellGet ${name})"));
                i += 1 + name.chars().count();
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Raw strings (`` `a\-b` ``) holding a backslash or a double quote as interpreted strings
/// (`"a\\-b"`): gtmpl reads escapes in raw strings, Go does not.
fn raw_strings(action: &str) -> String {
    let mut out = String::with_capacity(action.len());
    let mut rest = action;
    let mut in_quote = false;
    while let Some(i) = rest.find(['`', '"']) {
        let c = rest.as_bytes()[i];
        if c == b'"' {
            // Skip an interpreted string whole (with its escapes).
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            in_quote = !in_quote;
            if in_quote {
                let mut j = 0;
                let b = rest.as_bytes();
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let j = j.min(b.len());
                out.push_str(&rest[..j]);
                rest = &rest[j..];
            }
            continue;
        }
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find('`') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let raw = &after[..end];
        if raw.contains(['\\', '"']) {
            out.push('"');
            out.push_str(&raw.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        } else {
            out.push('`');
            out.push_str(raw);
            out.push('`');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// One action (`{{ … }}`) rewritten for gtmpl (see [`preprocess`]).
fn rewrite_action(action: &str) -> String {
    let action = &raw_strings(action);
    // `X.Capabilities.APIVersions.Has "v"` (X: nothing, `$`, `$ctx`, `.context`) →
    // `capabilitiesHas "v"`.
    let mut a = action.to_owned();
    const HAS: &str = ".Capabilities.APIVersions.Has ";
    while let Some(p) = a.find(HAS) {
        let b = a.as_bytes();
        let mut k = p;
        while k > 0 && (b[k - 1].is_ascii_alphanumeric() || matches!(b[k - 1], b'_' | b'.')) {
            k -= 1;
        }
        if k > 0 && b[k - 1] == b'$' {
            k -= 1;
        }
        a.replace_range(k..p + HAS.len(), "capabilitiesHas ");
    }
    // `{{ template "x" . }}` prints what `{{ include "x" . }}` returns; as an include it is
    // bounded by the include depth (gtmpl's own recursion limit is beyond the stack's).
    let head_len = a.len() - a[2..].trim_start_matches(['-', ' ']).len();
    if a[head_len..].starts_with("template ") {
        a = format!(
            "{}include {}",
            &a[..head_len],
            &a[head_len + "template ".len()..]
        );
    }
    // `{{- range $k, $v := PIPELINE -}}` → `{{- range $k, $v := rangeable (PIPELINE) -}}`
    let inner_start = a.find("range ").filter(|i| {
        let head = a[2..*i].trim_matches(|c: char| c == '-' || c.is_whitespace());
        head.is_empty()
    });
    let Some(i) = inner_start else { return a };
    let body_start = i + "range ".len();
    let end = a.len()
        - if a.ends_with("-}}") && a[..a.len() - 3].ends_with(' ') {
            3
        } else {
            2
        };
    if body_start >= end {
        return a;
    }
    let body = &a[body_start..end];
    let (vars, pipe) = match body.find(":=") {
        Some(j) => (&body[..j + 2], &body[j + 2..]),
        None => ("", body),
    };
    if pipe.trim().is_empty() {
        return a;
    }
    format!(
        "{}{} rangeable ({}) {}",
        &a[..body_start],
        vars,
        pipe.trim(),
        &a[end..]
    )
}

fn to_original(table: &[u32], line: u32) -> u32 {
    usize::try_from(line)
        .ok()
        .and_then(|l| table.get(l.checked_sub(1)?))
        .copied()
        .unwrap_or(line)
}

/// A parse or render error's line as a line of the template as written.
fn original_line(e: RenderError, originals: &HashMap<String, (String, Vec<u32>)>) -> RenderError {
    match e {
        RenderError::Parse {
            template,
            line,
            construct,
            message,
        } => {
            let table = originals
                .get(&template)
                .map(|(_, t)| t.as_slice())
                .unwrap_or(&[]);
            RenderError::Parse {
                line: line.map(|l| to_original(table, l)),
                template,
                construct,
                message,
            }
        }
        RenderError::Exec {
            template,
            line,
            construct,
            message,
        } => {
            let table = originals
                .get(&template)
                .map(|(_, t)| t.as_slice())
                .unwrap_or(&[]);
            RenderError::Exec {
                line: line.map(|l| to_original(table, l)),
                template,
                construct,
                message,
            }
        }
        other => other,
    }
}

/// A writer that stops at `limit` bytes.
struct Capped {
    buf: Vec<u8>,
    limit: u64,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if (self.buf.len() + data.len()) as u64 > self.limit {
            self.buf.extend_from_slice(&data[..data.len().min(1)]);
            self.buf.resize(
                usize::try_from(self.limit)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1),
                b' ',
            );
            return Err(std::io::Error::other("output limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuse templates whose blocks or parentheses nest deeper than [`MAX_NESTING`] (the
/// parser recurses on them), counted lexically over the actions.
fn check_nesting(path: &str, text: &str) -> Result<(), RenderError> {
    let too_deep = || RenderError::TooDeep {
        template: path.to_owned(),
        limit: MAX_NESTING,
    };
    // An action never closed: gtmpl's lexer does not return on it.
    if let Some(open) = text.rfind("{{")
        && !text[open..].contains("}}")
    {
        return Err(RenderError::Parse {
            template: path.to_owned(),
            line: u32::try_from(text[..open].matches('\n').count() + 1).ok(),
            construct: "{{".into(),
            message: "unclosed action".into(),
        });
    }
    let mut depth: usize = 0;
    for action in text.split("{{").skip(1) {
        let body = action.split("}}").next().unwrap_or("");
        let body = body.trim_start_matches('-').trim_start();
        let word = body
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        match word {
            "if" | "range" | "with" | "define" | "block" => depth += 1,
            "end" => depth = depth.saturating_sub(1),
            _ => {}
        }
        let mut parens: usize = 0;
        for c in body.chars() {
            match c {
                '(' => parens += 1,
                ')' => parens = parens.saturating_sub(1),
                _ => {}
            }
            if parens > MAX_NESTING {
                return Err(too_deep());
            }
        }
        if depth > MAX_NESTING {
            return Err(too_deep());
        }
    }
    Ok(())
}

/// The chart's `values.yaml` deep-merged with each `--values` file, later ones winning;
/// `null` removes a key (as in Helm).
fn values(dir: &str, ctx: &Context) -> Result<Value, InputError> {
    let mut values = Value::Object(Map::new());
    let files = ctx.files()?;
    let own = ["values.yaml", "values.yml"]
        .iter()
        .map(|n| join(dir, n).unwrap_or_default())
        .find(|p| files.contains(p));
    drop(files);
    if let Some(path) = own {
        let text = String::from_utf8(ctx.read(&path)?).map_err(|e| RenderError::Values {
            path: path.clone(),
            message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        })?;
        let v = vouch_yaml::load_all(&text)
            .map_err(|e| RenderError::Values {
                path: path.clone(),
                message: e.to_string(),
            })?
            .into_iter()
            .find(|d| !d.is_null())
            .unwrap_or(Value::Null);
        merge_values(&mut values, &v);
    }
    for v in ctx.helm_values {
        merge_values(&mut values, v);
    }
    Ok(values)
}

/// Helm's coalescing of values: mappings merged key by key, anything else replaced, `null`
/// deletes.
pub fn merge_values(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(k);
                } else if let Some(bv) = b.get_mut(k) {
                    merge_values(bv, v);
                } else {
                    let mut v = v.clone();
                    strip_nulls(&mut v);
                    b.insert(k.clone(), v);
                }
            }
        }
        (b, o) => {
            let mut o = o.clone();
            strip_nulls(&mut o);
            *b = o;
        }
    }
}

fn strip_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null());
        for x in m.values_mut() {
            strip_nulls(x);
        }
    }
}

fn map<const N: usize>(pairs: [(&str, G); N]) -> G {
    G::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// `.` of every template: `Values`, `Release`, `Chart`, `Capabilities`.
fn context_value(meta: &Map<String, Value>, values: Value) -> G {
    // `.Chart` holds Chart.yaml's fields with their first letter in upper case.
    let chart: HashMap<String, G> = meta
        .iter()
        .map(|(k, v)| {
            let mut c = k.chars();
            let key = c
                .next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default();
            (key, to_g(v))
        })
        .collect();
    let (major, minor) = ("1", "31");
    map([
        ("Values", to_g(&values)),
        (
            "Release",
            map([
                ("Name", G::String(RELEASE_NAME.into())),
                ("Namespace", G::String(RELEASE_NAMESPACE.into())),
                ("Service", G::String("Helm".into())),
                ("IsInstall", G::Bool(true)),
                ("IsUpgrade", G::Bool(false)),
                ("Revision", G::from(1i64)),
            ]),
        ),
        ("Chart", G::Map(chart)),
        (
            "Capabilities",
            map([
                (
                    "KubeVersion",
                    map([
                        ("Version", G::String(KUBE_VERSION.into())),
                        ("GitVersion", G::String(KUBE_VERSION.into())),
                        ("Major", G::String(major.into())),
                        ("Minor", G::String(minor.into())),
                    ]),
                ),
                ("APIVersions", G::Array(Vec::new())),
                (
                    "HelmVersion",
                    map([("Version", G::String("v3.16.0".into()))]),
                ),
            ]),
        ),
        ("Files", G::Map(HashMap::new())),
    ])
}

/// serde_json → gtmpl (mappings as Go maps: a missing key is "no value", not an error).
fn to_g(v: &Value) -> G {
    match v {
        Value::Null => G::Nil,
        Value::Bool(b) => G::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                G::from(i)
            } else if let Some(u) = n.as_u64() {
                G::from(u)
            } else {
                G::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => G::String(s.clone()),
        Value::Array(a) => G::Array(a.iter().map(to_g).collect()),
        Value::Object(o) => G::Map(o.iter().map(|(k, v)| (k.clone(), to_g(v))).collect()),
    }
}

/// gtmpl → serde_json (keys sorted, as Go prints maps).
fn to_json(v: &G) -> Value {
    match v {
        G::NoValue | G::Nil | G::Function(_) => Value::Null,
        G::Bool(b) => Value::Bool(*b),
        G::String(s) => Value::String(s.clone()),
        G::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or(0.0))
                    .map_or(Value::Null, Value::Number)
            }
        }
        G::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        G::Object(o) | G::Map(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), to_json(&o[k])))
                    .collect(),
            )
        }
    }
}

/// Rendering state for `include` and `tpl` (functions in gtmpl are plain `fn`s: the state is
/// per thread, set for the duration of one chart's rendering).
struct State {
    sources: Rc<Vec<(String, String)>>,
    /// A parsed template set per included name (the set's entry point is its name).
    cache: HashMap<String, Rc<Template>>,
    depth: usize,
    /// Work done so far (see [`MAX_WORK`]).
    work: u64,
    /// Variables that are assigned after their declaration (see [`assignments`]).
    cells: Vec<G>,
}

/// Counts `n` units of work against [`MAX_WORK`].
fn spend(n: u64) -> Result<(), FuncError> {
    let over = with_state(|st| {
        st.work = st.work.saturating_add(n);
        st.work > MAX_WORK
    })
    .unwrap_or(false);
    if over {
        return Err(err(format!(
            "range, include or tpl: the chart does more than {MAX_WORK} steps of work"
        )));
    }
    Ok(())
}

/// Runs gtmpl, turning a panic inside it into an error (it is a third-party parser fed with
/// the repository's text).
fn guarded<R>(f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("the template engine failed on this input".to_owned()))
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

struct StateGuard;

impl StateGuard {
    fn set(s: State) -> Self {
        STATE.with(|c| *c.borrow_mut() = Some(s));
        StateGuard
    }
}

impl Drop for StateGuard {
    fn drop(&mut self) {
        STATE.with(|c| *c.borrow_mut() = None);
    }
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|c| c.borrow_mut().as_mut().map(f))
}

fn new_template(name: &str) -> Template {
    let mut t = Template::with_name(name);
    t.add_funcs(FUNCS);
    t
}

fn parse_sources(t: &mut Template, sources: &[(String, String)]) -> Result<(), RenderError> {
    for (path, text) in sources {
        guarded(|| {
            t.add_template(path.clone(), text.clone())
                .map_err(|e| e.to_string())
        })
        .map_err(|e| parse_error(path, text, &e))?;
    }
    Ok(())
}

/// A parse error with its construct and line. gtmpl's own line numbers are not reliable, so
/// the line is that of the first action holding the construct the message names.
fn parse_error(path: &str, source: &str, message: &str) -> RenderError {
    // gtmpl: "template: NAME:LINE:what" — keep `what`.
    let what = message.rsplit(':').next().unwrap_or(message).trim();
    let action_lines = || {
        source
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("{{"))
            .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
    };
    let (construct, line) = if let Some(f) = what
        .strip_prefix("function ")
        .and_then(|r| r.strip_suffix(" not defined"))
    {
        let word = |l: &str| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == f)
        };
        (
            f.to_owned(),
            action_lines().find(|(_, l)| word(l)).map(|(i, _)| i),
        )
    } else if what.contains("unexpected = in operand") {
        (
            "$variable = … (assignment to an existing variable)".to_owned(),
            action_lines()
                .find(|(_, l)| {
                    l.split("{{").skip(1).any(|a| {
                        let a = a.trim_start_matches('-').trim_start();
                        a.starts_with('$') && a.split_whitespace().nth(1) == Some("=")
                    })
                })
                .map(|(i, _)| i),
        )
    } else if what.contains("unclosed action") {
        (
            "{{".to_owned(),
            action_lines()
                .find(|(_, l)| l.rfind("{{") > l.rfind("}}"))
                .map(|(i, _)| i),
        )
    } else {
        ("template".to_owned(), None)
    };
    RenderError::Parse {
        template: path.to_owned(),
        line,
        construct,
        message: what.to_owned(),
    }
}

/// An execution error: gtmpl does not say where, so the construct is taken from the message
/// (a field, a function, a template name) and the line is the first line of the template that
/// holds it.
fn exec_error(path: &str, source: &str, message: &str) -> RenderError {
    if message.contains("required: ") || message.contains("fail: ") {
        let f = if message.contains("required: ") {
            "required"
        } else {
            "fail"
        };
        let line = source
            .lines()
            .position(|l| l.contains(f) || l.contains("include"))
            .and_then(|i| u32::try_from(i + 1).ok());
        return RenderError::Exec {
            template: path.to_owned(),
            line,
            construct: f.to_owned(),
            message: message.to_owned(),
        };
    }
    let quoted = message
        .split('`')
        .nth(1)
        .or_else(|| message.split('"').nth(1))
        .map(str::to_owned);
    let construct = quoted
        .or_else(|| {
            message
                .strip_prefix("no field ")
                .and_then(|r| r.split_whitespace().next())
                .map(|f| format!(".{f}"))
        })
        .or_else(|| {
            message
                .split_whitespace()
                .next()
                .filter(|w| FUNCTIONS.contains(w))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "action".to_owned());
    let line = source
        .lines()
        .position(|l| l.contains("{{") && l.contains(construct.trim_start_matches('.')))
        .and_then(|i| u32::try_from(i + 1).ok());
    RenderError::Exec {
        template: path.to_owned(),
        line,
        construct,
        message: message.to_owned(),
    }
}

/// `line N` / `line: N` in a YAML error message, if any.
fn rendered_error_line(message: &str) -> Option<u32> {
    let at = message.find("line ")?;
    message[at + 5..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// For each line of `rendered`, the line of `template` it came from: the next template line
/// (in order, wrapping once to the start for `range` loops) whose literal text before its
/// first action starts the rendered line; a line no literal matches (written by `toYaml`,
/// `include` or an action alone) maps to the last matched line.
pub fn line_map(template: &str, rendered: &str) -> Vec<u32> {
    let tlines: Vec<&str> = template.lines().collect();
    let literal = |t: &str| -> (String, bool) {
        match t.find("{{") {
            Some(i) => (t[..i].trim().to_owned(), true),
            None => (t.trim().to_owned(), false),
        }
    };
    let lits: Vec<(String, bool)> = tlines.iter().map(|t| literal(t)).collect();
    let matches = |i: usize, r: &str| {
        let (lit, has_action) = &lits[i];
        !lit.is_empty()
            && if *has_action {
                r.starts_with(lit.as_str())
            } else {
                r == lit
            }
    };
    let mut out = Vec::new();
    let mut cursor = 0usize;
    let mut last = 1u32;
    for r in rendered.lines() {
        let r = r.trim();
        if r.is_empty() || r == "---" {
            out.push(last);
            continue;
        }
        let found = (cursor..lits.len())
            .find(|&i| matches(i, r))
            .or_else(|| (0..cursor.min(lits.len())).find(|&i| matches(i, r)));
        if let Some(i) = found {
            cursor = i + 1;
            last = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        out.push(last);
    }
    out
}

// ---- functions -------------------------------------------------------------------------

fn err(m: impl Into<String>) -> FuncError {
    FuncError::Generic(m.into())
}

fn s(v: &G) -> String {
    match v {
        G::NoValue | G::Nil => String::new(),
        G::String(s) => s.clone(),
        G::Array(_) | G::Map(_) | G::Object(_) => to_json(v).to_string(),
        other => other.to_string(),
    }
}

fn truthy(v: &G) -> bool {
    match v {
        G::Bool(b) => *b,
        G::String(s) => !s.is_empty(),
        G::Array(a) => !a.is_empty(),
        G::Object(o) | G::Map(o) => !o.is_empty(),
        G::Function(_) => true,
        G::NoValue | G::Nil => false,
        G::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
    }
}

fn int(v: &G) -> i64 {
    match v {
        G::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        G::String(s) => s.trim().parse().unwrap_or(0),
        G::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

fn args<'a>(name: &str, a: &'a [G], n: usize) -> Result<&'a [G], FuncError> {
    if a.len() < n {
        return Err(FuncError::AtLeastXArgs(name.into(), n));
    }
    Ok(a)
}

macro_rules! funcs {
    ($($name:literal => $f:ident),* $(,)?) => {
        const FUNCS: &[(&str, Func)] = &[$(($name, $f as Func)),*];
    };
}

funcs! {
    "default" => f_default, "empty" => f_empty, "coalesce" => f_coalesce,
    "ternary" => f_ternary, "required" => f_required, "fail" => f_fail,
    "include" => f_include, "tpl" => f_tpl, "quote" => f_quote, "squote" => f_squote,
    "toYaml" => f_to_yaml, "toJson" => f_to_json, "fromYaml" => f_from_yaml,
    "toString" => f_to_string, "int" => f_int, "int64" => f_int, "float64" => f_float,
    "atoi" => f_int, "indent" => f_indent, "nindent" => f_nindent, "trim" => f_trim,
    "trimAll" => f_trim_all, "trimPrefix" => f_trim_prefix, "trimSuffix" => f_trim_suffix,
    "trunc" => f_trunc, "upper" => f_upper, "lower" => f_lower, "title" => f_title,
    "replace" => f_replace, "nospace" => f_nospace, "repeat" => f_repeat, "cat" => f_cat,
    "contains" => f_contains, "hasPrefix" => f_has_prefix, "hasSuffix" => f_has_suffix,
    "b64enc" => f_b64enc, "b64dec" => f_b64dec, "sha256sum" => f_sha256,
    "list" => f_list, "dict" => f_dict, "get" => f_get, "set" => f_set, "unset" => f_unset,
    "hasKey" => f_has_key, "keys" => f_keys, "pluck" => f_pluck, "merge" => f_merge,
    "mergeOverwrite" => f_merge_overwrite, "deepCopy" => f_deep_copy, "append" => f_append,
    "concat" => f_concat, "first" => f_first, "last" => f_last, "has" => f_has,
    "uniq" => f_uniq, "compact" => f_compact, "join" => f_join, "splitList" => f_split_list,
    "toStrings" => f_to_strings, "until" => f_until, "add" => f_add, "add1" => f_add1,
    "sub" => f_sub, "mul" => f_mul, "div" => f_div, "mod" => f_mod, "max" => f_max,
    "min" => f_min, "kindIs" => f_kind_is, "kindOf" => f_kind_of, "typeOf" => f_kind_of,
    "semverCompare" => f_semver_compare, "regexMatch" => f_regex_match,
    "regexReplaceAll" => f_regex_replace_all, "lookup" => f_lookup,
    "capabilitiesHas" => f_capabilities_has, "rangeable" => f_rangeable, "printf" => f_printf,
    "cellNew" => f_cell_new, "cellGet" => f_cell_get, "cellSet" => f_cell_set,
    "mustUniq" => f_uniq, "mustRegexFind" => f_regex_find, "mustRegexFindAll" => f_regex_find_all,
    "mustRegexMatch" => f_regex_match, "fromJsonArray" => f_from_json_array,
    "mustFromJson" => f_from_json, "mustAppend" => f_append, "mustPrepend" => f_prepend,
    "mustFirst" => f_first, "mustLast" => f_last, "mustHas" => f_has, "mustWithout" => f_without,
    "mustCompact" => f_compact, "mustRest" => f_rest, "mustInitial" => f_initial,
    "mustReverse" => f_reverse, "mustToPrettyJson" => f_to_pretty_json,
    "mustToRawJson" => f_to_json, "mustDeepCopy" => f_deep_copy,
    "genCA" => f_gen_cert, "genSelfSignedCert" => f_gen_cert, "genSignedCert" => f_gen_cert,
    "genCAWithKey" => f_gen_cert, "genSelfSignedCertWithKey" => f_gen_cert,
    "genSignedCertWithKey" => f_gen_cert, "genPrivateKey" => f_gen_key,
    "htpasswd" => f_htpasswd, "randNumeric" => f_rand, "now" => f_now, "date" => f_date,
    "floor" => f_floor, "ceil" => f_ceil, "round" => f_floor, "addf" => f_addf,
    "subf" => f_subf, "mulf" => f_mulf, "divf" => f_divf, "deepEqual" => f_deep_equal,
    "base" => f_base, "dir" => f_dir, "splitn" => f_splitn, "urlParse" => f_url_parse,
    "semver" => f_semver, "slice" => f_slice, "dateInZone" => f_date,
    "buildCustomCert" => f_gen_cert, "randAscii" => f_rand, "shuffle" => f_to_string,
    "regexReplaceAllLiteral" => f_regex_replace_all_literal,
    "omit" => f_omit, "pick" => f_pick, "values" => f_values, "dig" => f_dig,
    "regexFind" => f_regex_find, "regexFindAll" => f_regex_find_all, "typeIs" => f_type_is,
    "typeOf" => f_type_of, "fromYamlArray" => f_from_yaml_array, "fromJson" => f_from_json,
    "toPrettyJson" => f_to_pretty_json, "toRawJson" => f_to_json, "mustToJson" => f_to_json,
    "mustMerge" => f_merge, "mustMergeOverwrite" => f_merge_overwrite,
    "mustRegexReplaceAll" => f_regex_replace_all, "prepend" => f_prepend,
    "without" => f_without, "sortAlpha" => f_sort_alpha, "rest" => f_rest,
    "initial" => f_initial, "reverse" => f_reverse, "substr" => f_substr, "split" => f_split,
    "randAlphaNum" => f_rand, "randAlpha" => f_rand, "trimall" => f_trim_all_rev,
    "snakecase" => f_snakecase, "kebabcase" => f_kebabcase,
}

const CELL: &str = "\u{1}cell:";

fn cell_index(v: &G) -> Option<usize> {
    match v {
        G::String(s) => s.strip_prefix(CELL)?.parse().ok(),
        _ => None,
    }
}
fn f_cell_new(a: &[G]) -> Result<G, FuncError> {
    spend(1)?;
    let v = a.first().cloned().unwrap_or(G::Nil);
    let i = with_state(|st| {
        st.cells.push(v);
        st.cells.len() - 1
    })
    .ok_or_else(|| err("variable outside a chart"))?;
    Ok(G::String(format!("{CELL}{i}")))
}
fn f_cell_get(a: &[G]) -> Result<G, FuncError> {
    let v = a.first().cloned().unwrap_or(G::Nil);
    Ok(match cell_index(&v) {
        Some(i) => with_state(|st| st.cells.get(i).cloned())
            .flatten()
            .unwrap_or(G::Nil),
        None => v,
    })
}
fn f_cell_set(a: &[G]) -> Result<G, FuncError> {
    let a = args("cellSet", a, 2)?;
    let Some(i) = cell_index(&a[0]) else {
        return Err(err(
            "`$variable = …` assigns a variable declared by range/with/if, which is not supported",
        ));
    };
    with_state(|st| {
        if let Some(c) = st.cells.get_mut(i) {
            *c = a[1].clone();
        }
    });
    Ok(G::String(String::new()))
}

/// `range` over a missing value ranges over nothing (gtmpl refuses it; Go does not).
fn f_rangeable(a: &[G]) -> Result<G, FuncError> {
    let n = match a.first() {
        Some(G::Array(l)) => l.len(),
        Some(G::Map(m) | G::Object(m)) => m.len(),
        _ => 0,
    };
    spend(n as u64 + 1)?;
    Ok(match a.first() {
        None | Some(G::NoValue | G::Nil) => G::Array(Vec::new()),
        Some(v) => v.clone(),
    })
}
/// Go's `printf`, with a missing value printed as empty (gtmpl refuses to format it).
fn f_printf(a: &[G]) -> Result<G, FuncError> {
    let a: Vec<G> = a
        .iter()
        .map(|v| match v {
            G::NoValue | G::Nil => G::String(String::new()),
            G::Map(_) | G::Object(_) | G::Array(_) => G::String(s(v)),
            v => v.clone(),
        })
        .collect();
    gtmpl::funcs::printf(&a)
}
fn f_omit(a: &[G]) -> Result<G, FuncError> {
    let a = args("omit", a, 1)?;
    let mut m = as_map(&a[0]);
    for k in &a[1..] {
        m.remove(&s(k));
    }
    Ok(G::Map(m))
}
fn f_pick(a: &[G]) -> Result<G, FuncError> {
    let a = args("pick", a, 1)?;
    let m = as_map(&a[0]);
    let keep: Vec<String> = a[1..].iter().map(s).collect();
    Ok(G::Map(
        m.into_iter().filter(|(k, _)| keep.contains(k)).collect(),
    ))
}
fn f_values(a: &[G]) -> Result<G, FuncError> {
    let m = a.first().map(as_map).unwrap_or_default();
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Ok(G::Array(keys.into_iter().map(|k| m[k].clone()).collect()))
}
fn f_dig(a: &[G]) -> Result<G, FuncError> {
    let a = args("dig", a, 3)?;
    let (keys, rest) = a.split_at(a.len() - 2);
    let mut cur = rest[1].clone();
    for k in keys {
        match as_map(&cur).get(&s(k)) {
            Some(v) => cur = v.clone(),
            None => return Ok(rest[0].clone()),
        }
    }
    Ok(cur)
}
fn f_regex_find(a: &[G]) -> Result<G, FuncError> {
    let a = args("regexFind", a, 2)?;
    let re = regex::Regex::new(&s(&a[0])).map_err(|e| err(format!("regexFind: {e}")))?;
    Ok(G::String(
        re.find(&s(&a[1]))
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
    ))
}
fn f_regex_find_all(a: &[G]) -> Result<G, FuncError> {
    let a = args("regexFindAll", a, 3)?;
    let re = regex::Regex::new(&s(&a[0])).map_err(|e| err(format!("regexFindAll: {e}")))?;
    let n = int(&a[2]);
    let text = s(&a[1]);
    let all = re
        .find_iter(&text)
        .map(|m| G::String(m.as_str().to_owned()));
    Ok(G::Array(if n < 0 {
        all.collect()
    } else {
        all.take(usize::try_from(n).unwrap_or(0)).collect()
    }))
}
fn go_type(v: &G) -> &'static str {
    match v {
        G::NoValue | G::Nil => "<nil>",
        G::Bool(_) => "bool",
        G::String(_) => "string",
        G::Number(n) if n.as_i64().is_some() || n.as_u64().is_some() => "int",
        G::Number(_) => "float64",
        G::Array(_) => "[]interface {}",
        G::Map(_) | G::Object(_) => "map[string]interface {}",
        G::Function(_) => "func",
    }
}
fn f_type_is(a: &[G]) -> Result<G, FuncError> {
    let a = args("typeIs", a, 2)?;
    let want = s(&a[0]);
    let got = go_type(&a[1]);
    Ok(G::Bool(got == want || (got == "int" && want == "int64")))
}
fn f_type_of(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(a.first().map_or("<nil>", go_type).to_owned()))
}
fn f_from_yaml_array(a: &[G]) -> Result<G, FuncError> {
    let text = a.first().map(s).unwrap_or_default();
    let v = vouch_yaml::load_all(&text)
        .ok()
        .and_then(|d| d.into_iter().next())
        .filter(Value::is_array)
        .unwrap_or(Value::Array(Vec::new()));
    Ok(to_g(&v))
}
fn f_from_json(a: &[G]) -> Result<G, FuncError> {
    let v: Value = serde_json::from_str(&a.first().map(s).unwrap_or_default())
        .unwrap_or(Value::Object(Map::new()));
    Ok(to_g(&v))
}
/// Certificates and keys are generated at install time; here they are fixed placeholders
/// (no rule reads them).
fn f_gen_cert(_: &[G]) -> Result<G, FuncError> {
    Ok(map([
        ("Cert", G::String("generated-certificate".into())),
        ("Key", G::String("generated-key".into())),
    ]))
}
fn f_gen_key(_: &[G]) -> Result<G, FuncError> {
    Ok(G::String("generated-key".into()))
}
fn f_htpasswd(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(format!(
        "{}:generated-hash",
        a.first().map(s).unwrap_or_default()
    )))
}
/// A fixed time: rendering stays reproducible.
fn f_now(_: &[G]) -> Result<G, FuncError> {
    Ok(G::String("2026-01-01T00:00:00Z".into()))
}
fn f_date(_: &[G]) -> Result<G, FuncError> {
    Ok(G::String("2026-01-01".into()))
}
fn float(v: &G) -> f64 {
    match v {
        G::Number(n) => n.as_f64().unwrap_or(0.0),
        G::String(x) => x.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}
fn f_floor(a: &[G]) -> Result<G, FuncError> {
    Ok(G::from(a.first().map_or(0.0, float).floor()))
}
fn f_ceil(a: &[G]) -> Result<G, FuncError> {
    Ok(G::from(a.first().map_or(0.0, float).ceil()))
}
fn farith(a: &[G], f: fn(f64, f64) -> f64) -> Result<G, FuncError> {
    let mut it = a.iter().map(float);
    let first = it.next().unwrap_or(0.0);
    Ok(G::from(it.fold(first, f)))
}
fn f_addf(a: &[G]) -> Result<G, FuncError> {
    farith(a, |x, y| x + y)
}
fn f_subf(a: &[G]) -> Result<G, FuncError> {
    farith(a, |x, y| x - y)
}
fn f_mulf(a: &[G]) -> Result<G, FuncError> {
    farith(a, |x, y| x * y)
}
fn f_divf(a: &[G]) -> Result<G, FuncError> {
    farith(a, |x, y| if y == 0.0 { 0.0 } else { x / y })
}
fn f_deep_equal(a: &[G]) -> Result<G, FuncError> {
    let a = args("deepEqual", a, 2)?;
    Ok(G::Bool(to_json(&a[0]) == to_json(&a[1])))
}
fn f_base(a: &[G]) -> Result<G, FuncError> {
    let p = a.first().map(s).unwrap_or_default();
    Ok(G::String(p.rsplit('/').next().unwrap_or("").to_owned()))
}
fn f_dir(a: &[G]) -> Result<G, FuncError> {
    let p = a.first().map(s).unwrap_or_default();
    Ok(G::String(
        p.rsplit_once('/').map_or(".", |(d, _)| d).to_owned(),
    ))
}
fn f_splitn(a: &[G]) -> Result<G, FuncError> {
    let a = args("splitn", a, 3)?;
    let n = usize::try_from(int(&a[1]).clamp(0, 10_000)).unwrap_or(0);
    Ok(G::Map(
        s(&a[2])
            .splitn(n.max(1), s(&a[0]).as_str())
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), G::String(p.to_owned())))
            .collect(),
    ))
}
fn f_url_parse(a: &[G]) -> Result<G, FuncError> {
    let u = a.first().map(s).unwrap_or_default();
    let (scheme, rest) = u.split_once("://").unwrap_or(("", u.as_str()));
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, String::new()), |(h, p)| (h, format!("/{p}")));
    Ok(map([
        ("scheme", G::String(scheme.into())),
        ("host", G::String(host.into())),
        ("path", G::String(path)),
        ("query", G::String(String::new())),
        ("fragment", G::String(String::new())),
        ("userinfo", G::String(String::new())),
        ("opaque", G::String(String::new())),
    ]))
}
/// Sprig's `semver`: the version's parts (a missing minor or patch is 0, as Masterminds/semver
/// reads `1.2`).
fn f_semver(a: &[G]) -> Result<G, FuncError> {
    let text = a.first().map(s).unwrap_or_default();
    let t = text.trim().trim_start_matches('v');
    let (core, meta) = t.split_once('+').unwrap_or((t, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let mut nums = core.split('.');
    let mut part = || -> Result<i64, FuncError> {
        match nums.next() {
            None => Ok(0),
            Some(n) => n
                .parse()
                .map_err(|_| err(format!("semver: `{text}` is not a version"))),
        }
    };
    let (major, minor, patch) = (part()?, part()?, part()?);
    Ok(map([
        ("Major", G::from(major)),
        ("Minor", G::from(minor)),
        ("Patch", G::from(patch)),
        ("Prerelease", G::String(pre.into())),
        ("Metadata", G::String(meta.into())),
        ("Original", G::String(text.clone())),
    ]))
}
fn f_slice(a: &[G]) -> Result<G, FuncError> {
    let a = args("slice", a, 1)?;
    let l = list_of(&a[0]);
    let start = a.get(1).map_or(0, int).clamp(0, l.len() as i64) as usize;
    let end = a
        .get(2)
        .map_or(l.len() as i64, int)
        .clamp(start as i64, l.len() as i64) as usize;
    Ok(G::Array(l[start..end].to_vec()))
}
fn f_regex_replace_all_literal(a: &[G]) -> Result<G, FuncError> {
    let a = args("regexReplaceAllLiteral", a, 3)?;
    let re =
        regex::Regex::new(&s(&a[0])).map_err(|e| err(format!("regexReplaceAllLiteral: {e}")))?;
    Ok(G::String(
        re.replace_all(&s(&a[1]), regex::NoExpand(&s(&a[2])))
            .into_owned(),
    ))
}
fn f_from_json_array(a: &[G]) -> Result<G, FuncError> {
    let v: Value = serde_json::from_str(&a.first().map(s).unwrap_or_default())
        .ok()
        .filter(Value::is_array)
        .unwrap_or(Value::Array(Vec::new()));
    Ok(to_g(&v))
}
fn f_to_pretty_json(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        serde_json::to_string_pretty(&a.first().map(to_json).unwrap_or(Value::Null))
            .unwrap_or_default(),
    ))
}
fn f_prepend(a: &[G]) -> Result<G, FuncError> {
    let a = args("prepend", a, 2)?;
    let mut l = vec![a[1].clone()];
    l.extend(list_of(&a[0]));
    Ok(G::Array(l))
}
fn f_without(a: &[G]) -> Result<G, FuncError> {
    let a = args("without", a, 1)?;
    let drop: Vec<Value> = a[1..].iter().map(to_json).collect();
    Ok(G::Array(
        list_of(&a[0])
            .into_iter()
            .filter(|v| !drop.contains(&to_json(v)))
            .collect(),
    ))
}
fn f_sort_alpha(a: &[G]) -> Result<G, FuncError> {
    let mut l: Vec<String> = a
        .first()
        .map(list_of)
        .unwrap_or_default()
        .iter()
        .map(s)
        .collect();
    l.sort();
    Ok(G::Array(l.into_iter().map(G::String).collect()))
}
fn f_rest(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Array(
        a.first()
            .map(list_of)
            .unwrap_or_default()
            .into_iter()
            .skip(1)
            .collect(),
    ))
}
fn f_initial(a: &[G]) -> Result<G, FuncError> {
    let mut l = a.first().map(list_of).unwrap_or_default();
    l.pop();
    Ok(G::Array(l))
}
fn f_reverse(a: &[G]) -> Result<G, FuncError> {
    let mut l = a.first().map(list_of).unwrap_or_default();
    l.reverse();
    Ok(G::Array(l))
}
fn f_substr(a: &[G]) -> Result<G, FuncError> {
    let a = args("substr", a, 3)?;
    let text: Vec<char> = s(&a[2]).chars().collect();
    let start = usize::try_from(int(&a[0]).max(0))
        .unwrap_or(0)
        .min(text.len());
    let end = int(&a[1]);
    let end = if end < 0 {
        text.len()
    } else {
        usize::try_from(end).unwrap_or(0).clamp(start, text.len())
    };
    Ok(G::String(text[start..end].iter().collect()))
}
fn f_split(a: &[G]) -> Result<G, FuncError> {
    let a = args("split", a, 2)?;
    Ok(G::Map(
        s(&a[1])
            .split(s(&a[0]).as_str())
            .enumerate()
            .map(|(i, p)| (format!("_{i}"), G::String(p.to_owned())))
            .collect(),
    ))
}
/// Random strings are not reproducible; a fixed string of the length asked keeps the output
/// stable (it only ever names a generated secret).
fn f_rand(a: &[G]) -> Result<G, FuncError> {
    let n = usize::try_from(a.first().map_or(0, int).clamp(0, 4096)).unwrap_or(0);
    Ok(G::String("x".repeat(n)))
}
fn f_trim_all_rev(a: &[G]) -> Result<G, FuncError> {
    let a = args("trimall", a, 2)?;
    f_trim_all(&[a[0].clone(), a[1].clone()])
}
fn case_words(x: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in x.chars() {
        if c == '_' || c == '-' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else if c.is_uppercase() && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
            cur.extend(c.to_lowercase());
        } else {
            cur.extend(c.to_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}
fn f_snakecase(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        case_words(&a.first().map(s).unwrap_or_default()).join("_"),
    ))
}
fn f_kebabcase(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        case_words(&a.first().map(s).unwrap_or_default()).join("-"),
    ))
}

fn f_default(a: &[G]) -> Result<G, FuncError> {
    let a = args("default", a, 1)?;
    Ok(match a.get(1) {
        Some(v) if truthy(v) => v.clone(),
        _ => a[0].clone(),
    })
}
fn f_empty(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Bool(!a.first().is_some_and(truthy)))
}
fn f_coalesce(a: &[G]) -> Result<G, FuncError> {
    Ok(a.iter().find(|v| truthy(v)).cloned().unwrap_or(G::Nil))
}
fn f_ternary(a: &[G]) -> Result<G, FuncError> {
    let a = args("ternary", a, 3)?;
    Ok(if truthy(&a[2]) {
        a[0].clone()
    } else {
        a[1].clone()
    })
}
fn f_required(a: &[G]) -> Result<G, FuncError> {
    let a = args("required", a, 2)?;
    match &a[1] {
        G::NoValue | G::Nil => Err(err(format!("required: {}", s(&a[0])))),
        G::String(x) if x.is_empty() => Err(err(format!("required: {}", s(&a[0])))),
        v => Ok(v.clone()),
    }
}
fn f_fail(a: &[G]) -> Result<G, FuncError> {
    Err(err(format!(
        "fail: {}",
        a.first().map(s).unwrap_or_default()
    )))
}

/// Render the template set's entry `name` with `dot`.
fn render_named(name: &str, dot: G) -> Result<G, FuncError> {
    let t = with_state(|st| {
        if st.depth >= MAX_INCLUDE_DEPTH {
            return Err(err(format!(
                "include \"{name}\": nested more than {MAX_INCLUDE_DEPTH} deep"
            )));
        }
        st.depth += 1;
        if let Some(t) = st.cache.get(name) {
            return Ok(Rc::clone(t));
        }
        let mut t = new_template(name);
        parse_sources(&mut t, &st.sources).map_err(|e| err(e.to_string()))?;
        if !t.tree_set.contains_key(name) {
            return Err(err(format!("template \"{name}\" is not defined")));
        }
        let t = Rc::new(t);
        st.cache.insert(name.to_owned(), Rc::clone(&t));
        Ok(t)
    })
    .ok_or_else(|| err("include outside a chart"))?;
    let t = match t {
        Ok(t) => t,
        Err(e) => {
            with_state(|st| st.depth = st.depth.saturating_sub(1));
            return Err(e);
        }
    };
    let out = spend(1)
        .map_err(|e| e.to_string())
        .and_then(|()| guarded(|| t.render(&GtContext::from(dot)).map_err(|e| e.to_string())));
    with_state(|st| st.depth = st.depth.saturating_sub(1));
    let out = out.map_err(|e| err(format!("in \"{name}\": {e}")))?;
    spend(out.len() as u64 / 64)?;
    Ok(G::String(out.replace("<no value>", "")))
}

fn f_include(a: &[G]) -> Result<G, FuncError> {
    let a = args("include", a, 1)?;
    render_named(&s(&a[0]), a.get(1).cloned().unwrap_or(G::Nil))
}

fn f_tpl(a: &[G]) -> Result<G, FuncError> {
    let a = args("tpl", a, 1)?;
    let text = preprocess(&s(&a[0])).0;
    let dot = a.get(1).cloned().unwrap_or(G::Nil);
    let (mut t, _) = with_state(|st| {
        let mut t = new_template("tpl");
        let r = parse_sources(&mut t, &st.sources);
        (t, r)
    })
    .ok_or_else(|| err("tpl outside a chart"))?;
    check_nesting("tpl", &text).map_err(|e| err(e.to_string()))?;
    guarded(|| t.add_template("tpl", text).map_err(|e| e.to_string()))
        .map_err(|e| err(format!("tpl: {e}")))?;
    spend(1)?;
    with_state(|st| st.depth += 1);
    let depth_ok = with_state(|st| st.depth <= MAX_INCLUDE_DEPTH).unwrap_or(false);
    let out = if depth_ok {
        guarded(|| t.render(&GtContext::from(dot)).map_err(|e| e.to_string()))
            .map_err(|e| err(format!("tpl: {e}")))
    } else {
        Err(err(format!(
            "tpl nested more than {MAX_INCLUDE_DEPTH} deep"
        )))
    };
    with_state(|st| st.depth = st.depth.saturating_sub(1));
    out.map(|o| G::String(o.replace("<no value>", "")))
}

fn f_quote(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.iter()
            .filter(|v| !matches!(v, G::Nil | G::NoValue))
            .map(|v| serde_json::to_string(&s(v)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" "),
    ))
}
fn f_squote(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.iter()
            .filter(|v| !matches!(v, G::Nil | G::NoValue))
            .map(|v| format!("'{}'", s(v)))
            .collect::<Vec<_>>()
            .join(" "),
    ))
}
fn f_to_yaml(a: &[G]) -> Result<G, FuncError> {
    let v = a.first().map(to_json).unwrap_or(Value::Null);
    if v.is_null() {
        return Ok(G::String("null".into()));
    }
    let y = yaml_serde::to_string(&v).map_err(|e| err(format!("toYaml: {e}")))?;
    Ok(G::String(y.trim_end_matches('\n').to_owned()))
}
fn f_to_json(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.first().map(to_json).unwrap_or(Value::Null).to_string(),
    ))
}
fn f_from_yaml(a: &[G]) -> Result<G, FuncError> {
    let text = a.first().map(s).unwrap_or_default();
    let v = vouch_yaml::load_all(&text)
        .ok()
        .and_then(|d| d.into_iter().next())
        .unwrap_or(Value::Object(Map::new()));
    Ok(to_g(&v))
}
fn f_to_string(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(a.first().map(s).unwrap_or_default()))
}
fn f_int(a: &[G]) -> Result<G, FuncError> {
    Ok(G::from(a.first().map_or(0, int)))
}
fn f_float(a: &[G]) -> Result<G, FuncError> {
    let f = match a.first() {
        Some(G::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(G::String(x)) => x.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    };
    Ok(G::from(f))
}
fn indent_by(n: i64, text: &str) -> String {
    let pad = " ".repeat(usize::try_from(n.clamp(0, 1024)).unwrap_or(0));
    text.split('\n')
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
fn f_indent(a: &[G]) -> Result<G, FuncError> {
    let a = args("indent", a, 2)?;
    Ok(G::String(indent_by(int(&a[0]), &s(&a[1]))))
}
fn f_nindent(a: &[G]) -> Result<G, FuncError> {
    let a = args("nindent", a, 2)?;
    Ok(G::String(format!("\n{}", indent_by(int(&a[0]), &s(&a[1])))))
}
fn f_trim(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.first().map(s).unwrap_or_default().trim().to_owned(),
    ))
}
fn f_trim_all(a: &[G]) -> Result<G, FuncError> {
    let a = args("trimAll", a, 2)?;
    let cut = s(&a[0]);
    Ok(G::String(
        s(&a[1]).trim_matches(|c| cut.contains(c)).to_owned(),
    ))
}
fn f_trim_prefix(a: &[G]) -> Result<G, FuncError> {
    let a = args("trimPrefix", a, 2)?;
    let (p, x) = (s(&a[0]), s(&a[1]));
    Ok(G::String(
        x.strip_prefix(p.as_str()).unwrap_or(&x).to_owned(),
    ))
}
fn f_trim_suffix(a: &[G]) -> Result<G, FuncError> {
    let a = args("trimSuffix", a, 2)?;
    let (p, x) = (s(&a[0]), s(&a[1]));
    Ok(G::String(
        x.strip_suffix(p.as_str()).unwrap_or(&x).to_owned(),
    ))
}
fn f_trunc(a: &[G]) -> Result<G, FuncError> {
    let a = args("trunc", a, 2)?;
    let n = int(&a[0]);
    let x = s(&a[1]);
    let len = x.chars().count() as i64;
    let out: String = if n >= 0 {
        x.chars().take(usize::try_from(n).unwrap_or(0)).collect()
    } else {
        x.chars()
            .skip(usize::try_from(len + n).unwrap_or(0))
            .collect()
    };
    Ok(G::String(out))
}
fn f_upper(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.first().map(s).unwrap_or_default().to_uppercase(),
    ))
}
fn f_lower(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.first().map(s).unwrap_or_default().to_lowercase(),
    ))
}
fn f_title(a: &[G]) -> Result<G, FuncError> {
    let x = a.first().map(s).unwrap_or_default();
    Ok(G::String(
        x.split(' ')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" "),
    ))
}
fn f_replace(a: &[G]) -> Result<G, FuncError> {
    let a = args("replace", a, 3)?;
    Ok(G::String(s(&a[2]).replace(&s(&a[0]), &s(&a[1]))))
}
fn f_nospace(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.first()
            .map(s)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    ))
}
fn f_repeat(a: &[G]) -> Result<G, FuncError> {
    let a = args("repeat", a, 2)?;
    let n = usize::try_from(int(&a[0]).clamp(0, 10_000)).unwrap_or(0);
    let x = s(&a[1]);
    if x.len().saturating_mul(n) > 1 << 20 {
        return Err(err("repeat: result over 1 MiB"));
    }
    Ok(G::String(x.repeat(n)))
}
fn f_cat(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(
        a.iter()
            .filter(|v| !matches!(v, G::Nil | G::NoValue))
            .map(s)
            .collect::<Vec<_>>()
            .join(" "),
    ))
}
fn f_contains(a: &[G]) -> Result<G, FuncError> {
    let a = args("contains", a, 2)?;
    Ok(G::Bool(s(&a[1]).contains(&s(&a[0]))))
}
fn f_has_prefix(a: &[G]) -> Result<G, FuncError> {
    let a = args("hasPrefix", a, 2)?;
    Ok(G::Bool(s(&a[1]).starts_with(&s(&a[0]))))
}
fn f_has_suffix(a: &[G]) -> Result<G, FuncError> {
    let a = args("hasSuffix", a, 2)?;
    Ok(G::Bool(s(&a[1]).ends_with(&s(&a[0]))))
}
fn f_b64enc(a: &[G]) -> Result<G, FuncError> {
    use base64::Engine as _;
    Ok(G::String(
        base64::engine::general_purpose::STANDARD.encode(a.first().map(s).unwrap_or_default()),
    ))
}
fn f_b64dec(a: &[G]) -> Result<G, FuncError> {
    use base64::Engine as _;
    let d = base64::engine::general_purpose::STANDARD
        .decode(a.first().map(s).unwrap_or_default())
        .map_err(|e| err(format!("b64dec: {e}")))?;
    Ok(G::String(String::from_utf8_lossy(&d).into_owned()))
}
fn f_sha256(a: &[G]) -> Result<G, FuncError> {
    let d = vouch_digest::Digest::sha256(a.first().map(s).unwrap_or_default().as_bytes());
    Ok(G::String(d.hex()))
}
fn f_list(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Array(a.to_vec()))
}
fn as_map(v: &G) -> HashMap<String, G> {
    match v {
        G::Map(m) | G::Object(m) => m.clone(),
        _ => HashMap::new(),
    }
}
fn f_dict(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Map(
        a.chunks(2)
            .map(|p| {
                (
                    s(&p[0]),
                    p.get(1).cloned().unwrap_or(G::String(String::new())),
                )
            })
            .collect(),
    ))
}
fn f_get(a: &[G]) -> Result<G, FuncError> {
    let a = args("get", a, 2)?;
    Ok(as_map(&a[0])
        .get(&s(&a[1]))
        .cloned()
        .unwrap_or(G::String(String::new())))
}
fn f_set(a: &[G]) -> Result<G, FuncError> {
    let a = args("set", a, 3)?;
    let mut m = as_map(&a[0]);
    m.insert(s(&a[1]), a[2].clone());
    Ok(G::Map(m))
}
fn f_unset(a: &[G]) -> Result<G, FuncError> {
    let a = args("unset", a, 2)?;
    let mut m = as_map(&a[0]);
    m.remove(&s(&a[1]));
    Ok(G::Map(m))
}
fn f_has_key(a: &[G]) -> Result<G, FuncError> {
    let a = args("hasKey", a, 2)?;
    Ok(G::Bool(as_map(&a[0]).contains_key(&s(&a[1]))))
}
fn f_keys(a: &[G]) -> Result<G, FuncError> {
    let mut k: Vec<String> = a.iter().flat_map(|m| as_map(m).into_keys()).collect();
    k.sort();
    Ok(G::Array(k.into_iter().map(G::String).collect()))
}
fn f_pluck(a: &[G]) -> Result<G, FuncError> {
    let a = args("pluck", a, 1)?;
    let key = s(&a[0]);
    Ok(G::Array(
        a[1..]
            .iter()
            .filter_map(|m| as_map(m).get(&key).cloned())
            .collect(),
    ))
}
fn merge_g(dst: &mut G, src: &G, overwrite: bool) {
    let (G::Map(d), G::Map(s)) = (&mut *dst, src) else {
        if overwrite {
            *dst = src.clone();
        }
        return;
    };
    for (k, v) in s {
        match d.get_mut(k) {
            Some(dv) => merge_g(dv, v, overwrite),
            None => {
                d.insert(k.clone(), v.clone());
            }
        }
    }
}
fn f_merge(a: &[G]) -> Result<G, FuncError> {
    let a = args("merge", a, 1)?;
    let mut out = G::Map(as_map(&a[0]));
    for src in &a[1..] {
        merge_g(&mut out, &G::Map(as_map(src)), false);
    }
    Ok(out)
}
fn f_merge_overwrite(a: &[G]) -> Result<G, FuncError> {
    let a = args("mergeOverwrite", a, 1)?;
    let mut out = G::Map(as_map(&a[0]));
    for src in &a[1..] {
        merge_g(&mut out, &G::Map(as_map(src)), true);
    }
    Ok(out)
}
fn f_deep_copy(a: &[G]) -> Result<G, FuncError> {
    Ok(a.first().cloned().unwrap_or(G::Nil))
}
fn list_of(v: &G) -> Vec<G> {
    match v {
        G::Array(a) => a.clone(),
        _ => Vec::new(),
    }
}
fn f_append(a: &[G]) -> Result<G, FuncError> {
    let a = args("append", a, 2)?;
    let mut l = list_of(&a[0]);
    l.push(a[1].clone());
    Ok(G::Array(l))
}
fn f_concat(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Array(a.iter().flat_map(list_of).collect()))
}
fn f_first(a: &[G]) -> Result<G, FuncError> {
    Ok(a.first()
        .map(list_of)
        .and_then(|l| l.first().cloned())
        .unwrap_or(G::Nil))
}
fn f_last(a: &[G]) -> Result<G, FuncError> {
    Ok(a.first()
        .map(list_of)
        .and_then(|l| l.last().cloned())
        .unwrap_or(G::Nil))
}
fn f_has(a: &[G]) -> Result<G, FuncError> {
    let a = args("has", a, 2)?;
    let want = to_json(&a[0]);
    Ok(G::Bool(list_of(&a[1]).iter().any(|v| to_json(v) == want)))
}
fn f_uniq(a: &[G]) -> Result<G, FuncError> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for v in a.first().map(list_of).unwrap_or_default() {
        let j = to_json(&v);
        if !seen.contains(&j) {
            seen.push(j);
            out.push(v);
        }
    }
    Ok(G::Array(out))
}
fn f_compact(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Array(
        a.first()
            .map(list_of)
            .unwrap_or_default()
            .into_iter()
            .filter(truthy)
            .collect(),
    ))
}
fn f_join(a: &[G]) -> Result<G, FuncError> {
    let a = args("join", a, 2)?;
    Ok(G::String(
        list_of(&a[1])
            .iter()
            .map(s)
            .collect::<Vec<_>>()
            .join(&s(&a[0])),
    ))
}
fn f_split_list(a: &[G]) -> Result<G, FuncError> {
    let a = args("splitList", a, 2)?;
    Ok(G::Array(
        s(&a[1])
            .split(s(&a[0]).as_str())
            .map(|p| G::String(p.to_owned()))
            .collect(),
    ))
}
fn f_to_strings(a: &[G]) -> Result<G, FuncError> {
    Ok(G::Array(
        a.first()
            .map(list_of)
            .unwrap_or_default()
            .iter()
            .map(|v| G::String(s(v)))
            .collect(),
    ))
}
fn f_until(a: &[G]) -> Result<G, FuncError> {
    let n = a.first().map_or(0, int);
    if n > 10_000 {
        return Err(err("until: more than 10000 items"));
    }
    Ok(G::Array((0..n.max(0)).map(G::from).collect()))
}
fn arith(a: &[G], name: &str, f: fn(i64, i64) -> Option<i64>) -> Result<G, FuncError> {
    let a = args(name, a, 2)?;
    let mut acc = int(&a[0]);
    for v in &a[1..] {
        acc = f(acc, int(v)).ok_or_else(|| err(format!("{name}: overflow or division by zero")))?;
    }
    Ok(G::from(acc))
}
fn f_add(a: &[G]) -> Result<G, FuncError> {
    arith(a, "add", i64::checked_add)
}
fn f_add1(a: &[G]) -> Result<G, FuncError> {
    Ok(G::from(a.first().map_or(0, int).saturating_add(1)))
}
fn f_sub(a: &[G]) -> Result<G, FuncError> {
    arith(a, "sub", i64::checked_sub)
}
fn f_mul(a: &[G]) -> Result<G, FuncError> {
    arith(a, "mul", i64::checked_mul)
}
fn f_div(a: &[G]) -> Result<G, FuncError> {
    arith(a, "div", i64::checked_div)
}
fn f_mod(a: &[G]) -> Result<G, FuncError> {
    arith(a, "mod", i64::checked_rem)
}
fn f_max(a: &[G]) -> Result<G, FuncError> {
    arith(a, "max", |x, y| Some(x.max(y)))
}
fn f_min(a: &[G]) -> Result<G, FuncError> {
    arith(a, "min", |x, y| Some(x.min(y)))
}
fn kind_of(v: &G) -> &'static str {
    match v {
        G::NoValue | G::Nil => "invalid",
        G::Bool(_) => "bool",
        G::String(_) => "string",
        G::Number(n) if n.as_i64().is_some() || n.as_u64().is_some() => "int",
        G::Number(_) => "float64",
        G::Array(_) => "slice",
        G::Map(_) | G::Object(_) => "map",
        G::Function(_) => "func",
    }
}
fn f_kind_is(a: &[G]) -> Result<G, FuncError> {
    let a = args("kindIs", a, 2)?;
    Ok(G::Bool(kind_of(&a[1]) == s(&a[0])))
}
fn f_kind_of(a: &[G]) -> Result<G, FuncError> {
    Ok(G::String(a.first().map_or("invalid", kind_of).to_owned()))
}
fn f_semver_compare(a: &[G]) -> Result<G, FuncError> {
    let a = args("semverCompare", a, 2)?;
    let constraint = s(&a[0]);
    let version = s(&a[1]);
    let v = semver::Version::parse(version.trim().trim_start_matches('v'))
        .map_err(|e| err(format!("semverCompare: version `{version}`: {e}")))?;
    // Helm's constraints: comparisons separated by commas or spaces, `||` alternatives; the
    // `-0` suffix (include pre-releases) is dropped and pre-releases compared as releases.
    let v = semver::Version::new(v.major, v.minor, v.patch);
    let any = constraint.split("||").any(|alt| {
        let req = alt
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(|p| p.replace("-0", ""))
            .collect::<Vec<_>>()
            .join(", ");
        semver::VersionReq::parse(&req).is_ok_and(|r| r.matches(&v))
    });
    Ok(G::Bool(any))
}
fn f_regex_match(a: &[G]) -> Result<G, FuncError> {
    let a = args("regexMatch", a, 2)?;
    let re = regex::Regex::new(&s(&a[0])).map_err(|e| err(format!("regexMatch: {e}")))?;
    Ok(G::Bool(re.is_match(&s(&a[1]))))
}
fn f_regex_replace_all(a: &[G]) -> Result<G, FuncError> {
    let a = args("regexReplaceAll", a, 3)?;
    let re = regex::Regex::new(&s(&a[0])).map_err(|e| err(format!("regexReplaceAll: {e}")))?;
    Ok(G::String(
        re.replace_all(&s(&a[1]), s(&a[2]).as_str()).into_owned(),
    ))
}
/// `lookup` asks a cluster; offline (as with `helm template`) it finds nothing.
fn f_lookup(_: &[G]) -> Result<G, FuncError> {
    Ok(G::Map(HashMap::new()))
}
/// `.Capabilities.APIVersions.Has`: the built-in API groups of [`KUBE_VERSION`].
fn f_capabilities_has(a: &[G]) -> Result<G, FuncError> {
    const BUILTIN: &[&str] = &[
        "v1",
        "apps/v1",
        "batch/v1",
        "autoscaling/v1",
        "autoscaling/v2",
        "policy/v1",
        "networking.k8s.io/v1",
        "rbac.authorization.k8s.io/v1",
        "storage.k8s.io/v1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "scheduling.k8s.io/v1",
        "admissionregistration.k8s.io/v1",
        "apiextensions.k8s.io/v1",
        "certificates.k8s.io/v1",
    ];
    let want = a.first().map(s).unwrap_or_default();
    let group = want.split_once('/').map_or(want.as_str(), |(g, v)| {
        if v.chars().next().is_some_and(char::is_uppercase) {
            g
        } else {
            want.as_str()
        }
    });
    Ok(G::Bool(
        BUILTIN.contains(&group) || BUILTIN.contains(&want.as_str()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(tmpl: &str, values: Value) -> Result<String, String> {
        let state = State {
            sources: Rc::new(vec![(
                "_helpers.tpl".into(),
                r#"{{- define "x.name" -}}{{ .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end }}"#
                    .into(),
            )]),
            cache: HashMap::new(),
            depth: 0,
            work: 0,
            cells: Vec::new(),
        };
        let _g = StateGuard::set(state);
        let mut meta = Map::new();
        meta.insert("name".into(), Value::String("demo".into()));
        let dot = context_value(&meta, values);
        let mut t = new_template("t");
        with_state(|s| parse_sources(&mut t, &s.sources))
            .unwrap()
            .map_err(|e| e.to_string())?;
        t.add_template("t", tmpl.to_owned())
            .map_err(|e| e.to_string())?;
        t.render(&GtContext::from(dot))
            .map(|o| o.replace("<no value>", ""))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn common_helm_constructs_render() {
        let v = serde_json::json!({"image": {"repository": "nginx", "tag": "1.27"},
            "sc": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}, "n": 2});
        let out = render(
            "name: {{ include \"x.name\" . }}\nimage: {{ printf \"%s:%s\" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) | quote }}\nsc:{{- toYaml .Values.sc | nindent 2 }}\nns: {{ .Release.Namespace }}\n{{- if .Values.missing }}\nno: 1\n{{- end }}\nr: {{ .Values.n | int | add 1 }}\nok: {{ semverCompare \">=1.21-0\" .Capabilities.KubeVersion.Version }}",
            v,
        )
        .unwrap();
        assert_eq!(
            out,
            "name: demo\nimage: \"nginx:1.27\"\nsc:\n  capabilities:\n    drop:\n    - ALL\n  runAsNonRoot: true\nns: default\nr: 3\nok: true"
        );
    }

    #[test]
    fn assignment_inside_a_block_is_seen_after_it() {
        let (t, _) = preprocess(
            "{{- $reg := .Values.image.registry -}}\n{{- if .Values.global -}}{{- $reg = .Values.global.registry -}}{{- end -}}\nimage: {{ printf \"%s/%s\" $reg \"app\" }}\n{{- $n := 0 }}{{- range list 1 2 3 }}{{ $n = add $n . }}{{ end }}\nsum: {{ $n }}\nq: {{ \"$reg\" }}",
        );
        let v = serde_json::json!({"image": {"registry": "docker.io"}, "global": {"registry": "mirror.example"}});
        assert_eq!(
            render(&t, v).unwrap(),
            "image: mirror.example/app\nsum: 6\nq: $reg"
        );
    }

    #[test]
    fn line_map_follows_literals() {
        let t = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: {{ .x }}\n    securityContext:\n      {{- toYaml .sc | nindent 6 }}\n    image: {{ .i }}\n";
        let r = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      runAsUser: 0\n    image: b\n";
        assert_eq!(line_map(t, r), vec![1, 2, 3, 4, 5, 6, 6, 8]);
    }

    #[test]
    fn nested_loops_stop_at_the_work_budget_and_garbage_never_panics() {
        let (t, _) = preprocess(
            "{{ range until 10000 }}{{ range until 10000 }}{{ range until 10000 }}{{ end }}{{ end }}{{ end }}",
        );
        let e = render(&t, Value::Null).unwrap_err();
        assert!(e.contains("steps of work"), "{e}");
        for bad in [
            "{{",
            "}}{{",
            "{{ if }}",
            "{{ end }}",
            "{{ range }}",
            "{{ .a.b. }}",
            "{{ $ }}",
            "{{ (((( }}",
            "{{ template }}",
            "{{ define }}",
            "{{ else }}",
            "{{ 'a' }}",
            "{{ printf }}",
            "{{ index }}",
            "{{/* }}",
            "{{ include }}",
            "{{ tpl }}",
            "{{ define \"a\" }}{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}",
            "{{ $x := 1 }}{{ $x.y.z }}",
            "{{ index . 1 2 3 }}",
            "{{ len 3 }}",
        ] {
            let _ = render(bad, Value::Null);
        }
        // `template` recursion is bounded like `include` (it is rewritten to one).
        let (t, _) =
            preprocess("{{- define \"r\" }}x{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}");
        assert!(t.contains("{{ include \"r\" . }}"), "{t}");
        let _g = StateGuard::set(State {
            sources: Rc::new(vec![("r.tpl".into(), t)]),
            cache: HashMap::new(),
            depth: 0,
            work: 0,
            cells: Vec::new(),
        });
        let e = render_named("r", G::Nil).unwrap_err().to_string();
        assert!(e.contains("nested more than 64 deep"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        assert!(matches!(
            check_nesting("t.yaml", "a: 1\nb: {{ .x\n"),
            Err(RenderError::Parse { line: Some(2), .. })
        ));
        let t = "{{ if . }}".repeat(MAX_NESTING + 1);
        assert!(matches!(
            check_nesting("t.yaml", &t),
            Err(RenderError::TooDeep { .. })
        ));
    }
}
