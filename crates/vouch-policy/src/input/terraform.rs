//! Terraform / OpenTofu: HCL files (`*.tf`, `*.tofu`) and plan JSON (`terraform show -json`)
//! → one resource shape (docs/policy-inputs.md#terraform), so the same rules run on both.
//!
//! HCL is parsed with `hcl-edit` (spans, nesting capped at 64 levels by the parser). Values are
//! evaluated where they are static: literals, `var.*` (a `variable`'s default, or the argument
//! of a local module call), `local.*` (across the `.tf` files of the module folder, read through
//! [`Context::read`]), templates, conditionals and operators over known values, and a few pure
//! functions (`jsonencode`, `tostring`, `tolist`, `toset`, `concat`, `merge`, `lower`, `upper`,
//! `lookup`, `try`, `coalesce`). Everything else (resource references, `each.*`, `count.index`,
//! `for` expressions, other functions) is an explicit unknown: `{"$unknown": "<expression>",
//! "refs": [<addresses referenced>]}`, never a value that looks safe or unsafe.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;
use serde_json::{Map, Value, json};

use super::{Anchor, Context, InputError, LineMap};

/// At most this many `.tf`/`.tofu` files of one module folder are read.
pub const MAX_MODULE_FILES: usize = 256;
/// Local modules are followed this deep (a module calling itself stops here).
pub const MAX_MODULE_DEPTH: usize = 8;
/// Value nodes built while evaluating one file (its folder's variables and locals included);
/// past it, values are unknown (`evaluation budget exhausted`).
pub const EVAL_BUDGET: usize = 1_000_000;
/// Expression text kept in an unknown value.
const MAX_EXPR_TEXT: usize = 200;

/// A parsed `.tf` file of a module folder.
struct TfFile {
    rel: String,
    text: String,
    body: Body,
}

fn is_tf(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".tf") || lower.ends_with(".tofu")
}

fn parse(text: &str) -> Result<Body, InputError> {
    hcl_edit::parser::parse_body(text).map_err(|e| InputError::Syntax {
        line: Some(u32::try_from(e.location().line()).unwrap_or(u32::MAX)),
        message: e.message().to_owned(),
    })
}

fn folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn unknown(expr: &str, refs: BTreeSet<String>) -> Value {
    let mut text: String = expr.trim().chars().take(MAX_EXPR_TEXT).collect();
    if expr.trim().chars().count() > MAX_EXPR_TEXT {
        text.push('…');
    }
    json!({"$unknown": text, "refs": refs.into_iter().collect::<Vec<_>>()})
}

fn is_unknown(v: &Value) -> bool {
    v.get("$unknown").is_some()
}

/// Whether `v` holds an object with the key `$unknown` anywhere.
fn spells_marker(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => {
                if o.contains_key("$unknown") {
                    return true;
                }
                stack.extend(o.values());
            }
            _ => {}
        }
    }
    false
}

/// Count the nodes of `v`, stopping at `limit`.
fn nodes(v: &Value, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n >= limit {
            return n;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    n
}

/// What names resolve to while evaluating one module instance.
struct Scope {
    vars: BTreeMap<String, Value>,
    locals: BTreeMap<String, Value>,
}

struct Eval<'t> {
    text: &'t str,
    budget: usize,
}

impl Eval<'_> {
    fn source(&self, e: &impl Span) -> &str {
        e.span()
            .and_then(|r| self.text.get(r))
            .unwrap_or("<expression>")
    }

    fn charge(&mut self, v: Value) -> Value {
        let n = nodes(&v, self.budget + 1);
        if n > self.budget {
            self.budget = 0;
            return json!({"$unknown": "evaluation budget exhausted", "refs": []});
        }
        self.budget -= n;
        v
    }

    /// Addresses an expression refers to (`aws_s3_bucket.b`, `data.x.y`, `var.v`, `module.m`).
    fn refs(&self, e: &Expression, out: &mut BTreeSet<String>, depth: usize) {
        if depth > 64 || out.len() > 64 {
            return;
        }
        let d = depth + 1;
        match e {
            Expression::Traversal(t) => {
                if let Expression::Variable(root) = &t.expr {
                    let names: Vec<&str> = t
                        .operators
                        .iter()
                        .map_while(|o| match o.value() {
                            TraversalOperator::GetAttr(i) => Some(i.as_str()),
                            _ => None,
                        })
                        .collect();
                    let root = root.as_str();
                    let addr = match (root, names.as_slice()) {
                        ("data", [t, n, ..]) => format!("data.{t}.{n}"),
                        ("var" | "local" | "module", [n, ..]) => format!("{root}.{n}"),
                        ("each" | "count" | "path" | "self" | "terraform", _) => String::new(),
                        (t, [n, ..]) => format!("{t}.{n}"),
                        _ => String::new(),
                    };
                    if !addr.is_empty() {
                        out.insert(addr);
                    }
                } else {
                    self.refs(&t.expr, out, d);
                }
                for o in &t.operators {
                    if let TraversalOperator::Index(i) = o.value() {
                        self.refs(i, out, d);
                    }
                }
            }
            Expression::Array(a) => a.iter().for_each(|x| self.refs(x, out, d)),
            Expression::Object(o) => o.iter().for_each(|(_, v)| self.refs(v.expr(), out, d)),
            Expression::StringTemplate(t) => t.iter().for_each(|el| self.refs_el(el, out, d)),
            Expression::HeredocTemplate(h) => {
                h.template.iter().for_each(|el| self.refs_el(el, out, d));
            }
            Expression::Parenthesis(p) => self.refs(p.inner(), out, d),
            Expression::Conditional(c) => {
                self.refs(&c.cond_expr, out, d);
                self.refs(&c.true_expr, out, d);
                self.refs(&c.false_expr, out, d);
            }
            Expression::FuncCall(f) => f.args.iter().for_each(|x| self.refs(x, out, d)),
            Expression::UnaryOp(u) => self.refs(&u.expr, out, d),
            Expression::BinaryOp(b) => {
                self.refs(&b.lhs_expr, out, d);
                self.refs(&b.rhs_expr, out, d);
            }
            Expression::ForExpr(f) => {
                self.refs(&f.intro.collection_expr, out, d);
            }
            _ => {}
        }
    }

    fn refs_el(&self, el: &Element, out: &mut BTreeSet<String>, d: usize) {
        if let Element::Interpolation(i) = el {
            self.refs(&i.expr, out, d);
        }
    }

    fn unknown_of(&self, e: &Expression) -> Value {
        let mut refs = BTreeSet::new();
        self.refs(e, &mut refs, 0);
        unknown(self.source(e), refs)
    }

    /// The value of `e`, or an unknown.
    fn eval(&mut self, e: &Expression, scope: &Scope, depth: usize) -> Value {
        if self.budget == 0 || depth > 128 {
            return json!({"$unknown": "evaluation budget exhausted", "refs": []});
        }
        let d = depth + 1;
        let v = match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => {
                let n = n.value();
                if let Some(i) = n.as_i64() {
                    json!(i)
                } else if let Some(u) = n.as_u64() {
                    json!(u)
                } else {
                    n.as_f64().map_or(Value::Null, |f| json!(f))
                }
            }
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Array(a) => {
                Value::Array(a.iter().map(|x| self.eval(x, scope, d)).collect())
            }
            Expression::Object(o) => {
                let mut m = Map::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_owned(),
                        ObjectKey::Expression(ke) => match self.eval(ke, scope, d) {
                            Value::String(s) => s,
                            _ => return self.unknown_of(e),
                        },
                    };
                    if key == "$unknown" {
                        // An object literal that spells the marker is not taken for it.
                        return self.unknown_of(e);
                    }
                    let val = self.eval(v.expr(), scope, d);
                    m.insert(key, val);
                }
                Value::Object(m)
            }
            Expression::StringTemplate(t) => {
                let els: Vec<&Element> = t.iter().collect();
                self.template(&els, scope, d)
                    .unwrap_or_else(|| self.unknown_of(e))
            }
            Expression::HeredocTemplate(h) => {
                let els: Vec<&Element> = h.template.iter().collect();
                match self.template(&els, scope, d) {
                    Some(Value::String(s)) if h.indent().is_some() => Value::String(dedent(&s)),
                    Some(v) => v,
                    None => self.unknown_of(e),
                }
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), scope, d),
            Expression::Variable(_) => self.unknown_of(e),
            Expression::Traversal(t) => self.traversal(e, t, scope, d),
            Expression::Conditional(c) => match self.eval(&c.cond_expr, scope, d) {
                Value::Bool(true) => self.eval(&c.true_expr, scope, d),
                Value::Bool(false) => self.eval(&c.false_expr, scope, d),
                _ => self.unknown_of(e),
            },
            Expression::UnaryOp(u) => match (u.operator.value(), self.eval(&u.expr, scope, d)) {
                (UnaryOperator::Not, Value::Bool(b)) => Value::Bool(!b),
                (UnaryOperator::Neg, Value::Number(n)) => n
                    .as_i64()
                    .map(|i| json!(-i))
                    .or_else(|| n.as_f64().map(|f| json!(-f)))
                    .unwrap_or_else(|| self.unknown_of(e)),
                _ => self.unknown_of(e),
            },
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr, scope, d);
                let r = self.eval(&b.rhs_expr, scope, d);
                if is_unknown(&l) || is_unknown(&r) {
                    return self.unknown_of(e);
                }
                match b.operator.value() {
                    BinaryOperator::Eq => Value::Bool(l == r),
                    BinaryOperator::NotEq => Value::Bool(l != r),
                    BinaryOperator::And => match (l, r) {
                        (Value::Bool(a), Value::Bool(b)) => Value::Bool(a && b),
                        _ => self.unknown_of(e),
                    },
                    BinaryOperator::Or => match (l, r) {
                        (Value::Bool(a), Value::Bool(b)) => Value::Bool(a || b),
                        _ => self.unknown_of(e),
                    },
                    BinaryOperator::Plus => match (l.as_i64(), r.as_i64()) {
                        (Some(a), Some(b)) => json!(a.saturating_add(b)),
                        _ => self.unknown_of(e),
                    },
                    _ => self.unknown_of(e),
                }
            }
            Expression::FuncCall(f) => self.call(e, f, scope, d),
            Expression::ForExpr(_) => self.unknown_of(e),
        };
        self.charge(v)
    }

    fn template(&mut self, els: &[&Element], scope: &Scope, d: usize) -> Option<Value> {
        // A template of one interpolation keeps its value's type (`"${var.x}"`).
        if let [Element::Interpolation(i)] = els {
            let v = self.eval(&i.expr, scope, d);
            return (!is_unknown(&v)).then_some(v);
        }
        let mut s = String::new();
        for el in els {
            match el {
                Element::Literal(l) => s.push_str(l.value()),
                Element::Interpolation(i) => match self.eval(&i.expr, scope, d) {
                    Value::String(v) => s.push_str(&v),
                    Value::Number(n) => s.push_str(&n.to_string()),
                    Value::Bool(b) => s.push_str(if b { "true" } else { "false" }),
                    _ => return None,
                },
                Element::Directive(_) => return None,
            }
        }
        Some(Value::String(s))
    }

    fn traversal(
        &mut self,
        e: &Expression,
        t: &hcl_edit::expr::Traversal,
        scope: &Scope,
        d: usize,
    ) -> Value {
        let mut ops = t.operators.iter().map(|o| o.value());
        let mut cur = match &t.expr {
            Expression::Variable(root) => {
                let table = match root.as_str() {
                    "var" => &scope.vars,
                    "local" => &scope.locals,
                    _ => return self.unknown_of(e),
                };
                let Some(TraversalOperator::GetAttr(name)) = ops.next() else {
                    return self.unknown_of(e);
                };
                match table.get(name.as_str()) {
                    Some(v) if !is_unknown(v) => v.clone(),
                    _ => return self.unknown_of(e),
                }
            }
            other => self.eval(other, scope, d),
        };
        for op in ops {
            cur = match (op, cur) {
                (TraversalOperator::GetAttr(k), Value::Object(mut m)) => {
                    match m.remove(k.as_str()) {
                        Some(v) => v,
                        None => return self.unknown_of(e),
                    }
                }
                (TraversalOperator::Index(i), cur) => match (self.eval(i, scope, d), cur) {
                    (Value::Number(n), Value::Array(mut a)) => {
                        match n.as_u64().and_then(|i| usize::try_from(i).ok()) {
                            Some(i) if i < a.len() => a.swap_remove(i),
                            _ => return self.unknown_of(e),
                        }
                    }
                    (Value::String(k), Value::Object(mut m)) => match m.remove(&k) {
                        Some(v) => v,
                        None => return self.unknown_of(e),
                    },
                    _ => return self.unknown_of(e),
                },
                (TraversalOperator::LegacyIndex(i), Value::Array(mut a)) => {
                    match usize::try_from(*i.value()) {
                        Ok(i) if i < a.len() => a.swap_remove(i),
                        _ => return self.unknown_of(e),
                    }
                }
                _ => return self.unknown_of(e),
            };
            if is_unknown(&cur) {
                return self.unknown_of(e);
            }
        }
        if is_unknown(&cur) {
            return self.unknown_of(e);
        }
        cur
    }

    fn call(
        &mut self,
        e: &Expression,
        f: &hcl_edit::expr::FuncCall,
        scope: &Scope,
        d: usize,
    ) -> Value {
        if f.name.is_namespaced() {
            return self.unknown_of(e);
        }
        let name = f.name.name.as_str();
        if name == "try" {
            // The first argument that evaluates to a known value.
            for a in f.args.iter() {
                let v = self.eval(a, scope, d);
                if !is_unknown(&v) {
                    return v;
                }
            }
            return self.unknown_of(e);
        }
        let args: Vec<Value> = f.args.iter().map(|a| self.eval(a, scope, d)).collect();
        if f.args.expand_final() || args.iter().any(is_unknown) {
            return self.unknown_of(e);
        }
        match (name, args.as_slice()) {
            ("jsonencode", [v]) => Value::String(v.to_string()),
            // A document that spells the unknown marker stays unknown as a whole: data is
            // never taken for vouch's own marker.
            ("jsondecode", [Value::String(s)]) => serde_json::from_str(s)
                .ok()
                .filter(|v: &Value| !spells_marker(v))
                .unwrap_or_else(|| self.unknown_of(e)),
            ("tostring", [v @ Value::String(_)]) => v.clone(),
            ("tostring", [Value::Number(n)]) => Value::String(n.to_string()),
            ("tostring", [Value::Bool(b)]) => Value::String(b.to_string()),
            ("tobool", [v @ Value::Bool(_)]) => v.clone(),
            ("tobool", [Value::String(s)]) if s == "true" || s == "false" => {
                Value::Bool(s == "true")
            }
            ("tonumber", [v @ Value::Number(_)]) => v.clone(),
            ("tolist" | "toset", [v @ Value::Array(_)]) => v.clone(),
            ("lower", [Value::String(s)]) => Value::String(s.to_lowercase()),
            ("upper", [Value::String(s)]) => Value::String(s.to_uppercase()),
            ("concat", lists) if lists.iter().all(Value::is_array) => Value::Array(
                lists
                    .iter()
                    .flat_map(|l| l.as_array().into_iter().flatten().cloned())
                    .collect(),
            ),
            ("merge", maps) if maps.iter().all(|m| m.is_object() || m.is_null()) => {
                let mut out = Map::new();
                for m in maps.iter().filter_map(Value::as_object) {
                    out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                Value::Object(out)
            }
            ("lookup", [Value::Object(m), Value::String(k), rest @ ..]) if rest.len() <= 1 => m
                .get(k)
                .or(rest.first())
                .cloned()
                .unwrap_or_else(|| self.unknown_of(e)),
            ("coalesce", vals) => vals
                .iter()
                .find(|v| !v.is_null() && v.as_str() != Some(""))
                .cloned()
                .unwrap_or_else(|| self.unknown_of(e)),
            _ => self.unknown_of(e),
        }
    }
}

/// `<<-` heredocs: remove the common leading whitespace of the lines.
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = s
        .lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n");
    // Terraform keeps the heredoc's last line break.
    if s.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Where a module instance's files are and how its resources are named.
struct Instance<'a> {
    /// Tree-relative folder of the module's files.
    dir: String,
    /// `""` for the root module, `module.a.module.b` below.
    prefix: String,
    files: &'a [TfFile],
}

/// The variables and locals of one module instance: defaults, then `bound` arguments, then the
/// locals evaluated in dependency order (a few passes; what stays unresolved is unknown).
fn scope_of(files: &[TfFile], bound: BTreeMap<String, Value>, budget: &mut usize) -> Scope {
    let mut scope = Scope {
        vars: BTreeMap::new(),
        locals: BTreeMap::new(),
    };
    for f in files {
        let mut ev = Eval {
            text: &f.text,
            budget: *budget,
        };
        for b in f.body.get_blocks("variable") {
            let Some(name) = b.labels.first().map(|l| l.as_str().to_owned()) else {
                continue;
            };
            let v = match b.body.get_attribute("default") {
                Some(a) => ev.eval(&a.value, &scope, 0),
                None => unknown(
                    &format!("var.{name}"),
                    BTreeSet::from([format!("var.{name}")]),
                ),
            };
            scope.vars.insert(name, v);
        }
        *budget = ev.budget;
    }
    scope.vars.extend(bound);
    let locals: Vec<(&TfFile, &hcl_edit::structure::Attribute)> = files
        .iter()
        .flat_map(|f| {
            f.body
                .get_blocks("locals")
                .flat_map(|b| b.body.attributes())
                .map(move |a| (f, a))
        })
        .collect();
    // Each pass resolves at least one more local or stops: at most `locals.len()` passes, and
    // at most 16 (deeper chains stay unknown).
    for _ in 0..locals.len().min(16) {
        let mut changed = false;
        for (f, a) in &locals {
            let mut ev = Eval {
                text: &f.text,
                budget: *budget,
            };
            let v = ev.eval(&a.value, &scope, 0);
            *budget = ev.budget;
            let key = a.key.as_str().to_owned();
            if scope.locals.get(&key) != Some(&v) {
                changed = true;
                scope.locals.insert(key, v);
            }
        }
        if !changed || *budget == 0 {
            break;
        }
    }
    scope
}

/// A block body as an object: attributes evaluated, nested blocks as arrays of objects (a
/// `dynamic` block is kept as an unknown under its name), `_line` the block's line and `_lines`
/// each attribute's line.
fn block_object(
    ev: &mut Eval,
    lines: &LineMap,
    block: &Block,
    scope: &Scope,
    depth: usize,
) -> Value {
    let mut obj = Map::new();
    let mut attr_lines = Map::new();
    let line = |s: &dyn Span| s.span().map_or(0, |r| lines.line(r.start));
    obj.insert("_line".into(), json!(line(&block.ident)));
    for a in block.body.attributes() {
        let key = a.key.as_str().to_owned();
        attr_lines.insert(key.clone(), json!(line(&a.key)));
        let v = ev.eval(&a.value, scope, 0);
        obj.insert(key, v);
    }
    if depth < 32 {
        for b in block.body.blocks() {
            let (key, v) = if b.ident.as_str() == "dynamic" {
                let name = b
                    .labels
                    .first()
                    .map_or("dynamic", |l| l.as_str())
                    .to_owned();
                let v = json!({"$unknown": format!("dynamic \"{name}\" block"), "refs": [], "_line": line(&b.ident)});
                (name, v)
            } else {
                (
                    b.ident.as_str().to_owned(),
                    block_object(ev, lines, b, scope, depth + 1),
                )
            };
            attr_lines
                .entry(key.clone())
                .or_insert(json!(line(&b.ident)));
            match obj.entry(key).or_insert_with(|| json!([])) {
                Value::Array(arr) => arr.push(v),
                slot => *slot = v,
            }
        }
    }
    obj.insert("_lines".into(), Value::Object(attr_lines));
    Value::Object(obj)
}

/// What one module instance yields.
struct Collected {
    resources: Vec<Value>,
    anchors: Vec<Anchor>,
    modules: Vec<Value>,
    errors: Vec<(String, String)>,
}

/// The resources (and data sources) of `inst`'s files; `only` limits them to one file (the
/// checked file, for the root module). Local module calls are followed with their arguments
/// bound; `call` is the calling module block (`file`, `line`) for resources of a child.
#[allow(clippy::too_many_arguments)]
fn collect(
    ctx: &Context,
    inst: &Instance,
    scope: &Scope,
    only: Option<&str>,
    call: Option<&Value>,
    depth: usize,
    budget: &mut usize,
    out: &mut Collected,
) {
    for f in inst.files {
        if only.is_some_and(|o| o != f.rel) {
            continue;
        }
        let lines = LineMap::new(&f.text);
        let mut ev = Eval {
            text: &f.text,
            budget: *budget,
        };
        for b in f.body.blocks() {
            let kind = b.ident.as_str();
            let line = b.ident.span().map_or(0, |r| lines.line(r.start));
            match (kind, b.labels.as_slice()) {
                ("resource" | "data", [t, n]) => {
                    let (t, n) = (t.as_str(), n.as_str());
                    let local = if kind == "data" {
                        format!("data.{t}.{n}")
                    } else {
                        format!("{t}.{n}")
                    };
                    let address = if inst.prefix.is_empty() {
                        local.clone()
                    } else {
                        format!("{}.{local}", inst.prefix)
                    };
                    let attrs = block_object(&mut ev, &lines, b, scope, 0);
                    let meta = |k: &str| attrs.get(k).cloned().unwrap_or(Value::Null);
                    if call.is_none() {
                        out.anchors.push(Anchor {
                            name: address.clone(),
                            line,
                            path: None,
                        });
                    }
                    out.resources.push(json!({
                        "mode": if kind == "data" { "data" } else { "managed" },
                        "type": t,
                        "name": n,
                        "address": address,
                        "local_address": local,
                        "module": inst.prefix,
                        "file": f.rel,
                        "line": line,
                        "count": meta("count"),
                        "for_each": meta("for_each"),
                        "attributes": attrs,
                        "call": call.cloned().unwrap_or(Value::Null),
                    }));
                }
                ("module", [n]) => {
                    let n = n.as_str();
                    let source = b
                        .body
                        .get_attribute("source")
                        .map(|a| ev.eval(&a.value, scope, 0))
                        .unwrap_or(Value::Null);
                    let src = source.as_str().unwrap_or("");
                    let is_local = src.starts_with("./") || src.starts_with("../");
                    let this_call = call.cloned().unwrap_or_else(
                        || json!({"file": f.rel, "line": line, "address": format!("module.{n}")}),
                    );
                    let mut m = json!({
                        "name": n, "source": source, "line": line, "file": f.rel,
                        "local": is_local, "followed": false, "reason": Value::Null,
                    });
                    if !is_local {
                        m["reason"] = json!(
                            "remote module: not fetched (only local `./` and `../` sources are followed)"
                        );
                    } else if depth >= MAX_MODULE_DEPTH {
                        m["reason"] =
                            json!(format!("nested deeper than {MAX_MODULE_DEPTH} modules"));
                    } else {
                        match join(&inst.dir, src) {
                            None => m["reason"] = json!("source leaves the scanned tree"),
                            Some(dir) => {
                                let child_files = read_module(ctx, &dir, None, &mut out.errors);
                                if child_files.is_empty() {
                                    m["reason"] = json!(format!("no .tf files in {dir}"));
                                } else {
                                    let bound: BTreeMap<String, Value> = b
                                        .body
                                        .attributes()
                                        .filter(|a| {
                                            !matches!(
                                                a.key.as_str(),
                                                "source"
                                                    | "version"
                                                    | "count"
                                                    | "for_each"
                                                    | "providers"
                                                    | "depends_on"
                                            )
                                        })
                                        .map(|a| {
                                            (a.key.as_str().to_owned(), ev.eval(&a.value, scope, 0))
                                        })
                                        .collect();
                                    *budget = ev.budget;
                                    let child_scope = scope_of(&child_files, bound, budget);
                                    let prefix = if inst.prefix.is_empty() {
                                        format!("module.{n}")
                                    } else {
                                        format!("{}.module.{n}", inst.prefix)
                                    };
                                    let child = Instance {
                                        dir: dir.clone(),
                                        prefix,
                                        files: &child_files,
                                    };
                                    let mut sub = Collected {
                                        resources: Vec::new(),
                                        anchors: Vec::new(),
                                        modules: Vec::new(),
                                        errors: Vec::new(),
                                    };
                                    collect(
                                        ctx,
                                        &child,
                                        &child_scope,
                                        None,
                                        Some(&this_call),
                                        depth + 1,
                                        budget,
                                        &mut sub,
                                    );
                                    ev.budget = *budget;
                                    out.resources.extend(sub.resources);
                                    out.modules.extend(sub.modules);
                                    out.errors.extend(sub.errors);
                                    m["followed"] = json!(true);
                                    m["dir"] = json!(dir);
                                }
                            }
                        }
                    }
                    if call.is_none() {
                        out.anchors.push(Anchor {
                            name: format!("module.{n}"),
                            line,
                            path: None,
                        });
                    }
                    out.modules.push(m);
                }
                _ => {}
            }
        }
        *budget = ev.budget;
    }
}

/// `dir` joined with a relative module source, normalised; `None` when it climbs out of the
/// tree.
fn join(dir: &str, src: &str) -> Option<String> {
    let src = src.split("//").next().unwrap_or(src);
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in src.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Reads and parses the module files of `dir`; `checked` (path and text) is the file being
/// checked, given as already read. A sibling that cannot be read or parsed is an error of the
/// checked file (its values decide this file's resources), never skipped.
fn read_module(
    ctx: &Context,
    dir: &str,
    checked: Option<(&str, &str)>,
    errors: &mut Vec<(String, String)>,
) -> Vec<TfFile> {
    let mut out = Vec::new();
    // The `.tf`/`.tofu` files directly in `dir`, from the walk's listing (or a walk made now).
    let mut names: Vec<String> = match ctx.files() {
        Ok(list) => list
            .under(dir)
            .filter(|f| folder(f) == dir && is_tf(f))
            .map(str::to_owned)
            .collect(),
        Err(e) => {
            errors.push((dir.to_owned(), e.to_string()));
            Vec::new()
        }
    };
    if let Some((rel, _)) = checked
        && !names.iter().any(|n| n == rel)
    {
        names.push(rel.to_owned());
    }
    if names.len() > MAX_MODULE_FILES {
        errors.push((
            dir.to_owned(),
            format!(
                "{} .tf files, more than the {MAX_MODULE_FILES} read per module",
                names.len()
            ),
        ));
        names.truncate(MAX_MODULE_FILES);
    }
    for rel in names {
        let text = match checked {
            Some((c, t)) if c == rel => t.to_owned(),
            _ => match ctx.read(&rel) {
                Ok(b) => match String::from_utf8(b) {
                    Ok(t) => t,
                    Err(e) => {
                        let offset = e.utf8_error().valid_up_to();
                        errors.push((rel, format!("file is not valid UTF-8 (byte {offset})")));
                        continue;
                    }
                },
                Err(e) => {
                    errors.push((rel, e.to_string()));
                    continue;
                }
            },
        };
        match parse(&text) {
            Ok(body) => out.push(TfFile { rel, text, body }),
            Err(e) => errors.push((rel, e.to_string())),
        }
    }
    out
}

/// A module folder as each of its files sees it: its files parsed, its variables and locals
/// evaluated, and the resources of every file (for linking). Built once per folder and run
/// when a [`super::FolderCache`] is given, so a folder of N files is parsed once, not N times.
pub(crate) struct Folder {
    files: Vec<TfFile>,
    errors: Vec<(String, String)>,
    scope: Scope,
    resources: Vec<Value>,
    budget: usize,
}

fn build_folder(ctx: &Context, dir: &str, checked: Option<(&str, &str)>) -> Folder {
    let mut errors = Vec::new();
    let files = read_module(ctx, dir, checked, &mut errors);
    let mut budget = EVAL_BUDGET;
    let scope = scope_of(&files, BTreeMap::new(), &mut budget);
    let mut c = Collected {
        resources: Vec::new(),
        anchors: Vec::new(),
        modules: Vec::new(),
        errors: Vec::new(),
    };
    let all = Instance {
        dir: dir.to_owned(),
        prefix: String::new(),
        files: &files,
    };
    // Module calls are not followed here: they are when the file that makes them is checked.
    collect_shallow(&all, &scope, &mut budget, &mut c);
    Folder {
        files,
        errors,
        scope,
        resources: c.resources,
        budget,
    }
}

/// The input of one HCL file: its resources (and those of the local modules it calls), with
/// the resources of its module folder's other files for linking.
pub(crate) fn hcl(text: &str, ctx: &Context) -> Result<(Value, Vec<Anchor>), InputError> {
    let in_tree = ctx.tree.map_or("", |(_, rel)| rel);
    // The checked file first: its own syntax error is the error of this file.
    parse(text)?;
    let dir = folder(in_tree).to_owned();
    let cached = ctx
        .folders
        .map(|cache| cache.get(&dir, || build_folder(ctx, &dir, None)))
        .filter(|f| f.files.iter().any(|f| f.rel == in_tree));
    let model = match cached {
        Some(m) => m,
        None => std::sync::Arc::new(build_folder(ctx, &dir, Some((in_tree, text)))),
    };
    if let Some((path, reason)) = model.errors.first().cloned() {
        // Another file of the module could not be read: this file's variables and locals
        // may come from it, so this file is not evaluated on a guess.
        return Err(InputError::Dependency { path, reason });
    }
    let mut budget = model.budget;
    let root = Instance {
        dir: dir.clone(),
        prefix: String::new(),
        files: &model.files,
    };
    let mut own = Collected {
        resources: Vec::new(),
        anchors: Vec::new(),
        modules: Vec::new(),
        errors: Vec::new(),
    };
    collect(
        ctx,
        &root,
        &model.scope,
        Some(in_tree),
        None,
        0,
        &mut budget,
        &mut own,
    );
    if let Some((path, reason)) = own.errors.into_iter().next() {
        return Err(InputError::Dependency { path, reason });
    }
    // The other files of the folder: their resources, for linking (a bucket's ACL resource in
    // another file).
    let others: Vec<&Value> = model
        .resources
        .iter()
        .filter(|r| r["file"].as_str() != Some(in_tree))
        .collect();
    let body = json!({
        "source": "hcl",
        "module_dir": dir,
        "resources": own.resources,
        "module_resources": others,
        "modules": own.modules,
        "variables": model.scope.vars,
        "locals": model.scope.locals,
    });
    Ok((body, own.anchors))
}

/// Resources and data sources of `inst` without following module calls.
fn collect_shallow(inst: &Instance, scope: &Scope, budget: &mut usize, out: &mut Collected) {
    for f in inst.files {
        let lines = LineMap::new(&f.text);
        let mut ev = Eval {
            text: &f.text,
            budget: *budget,
        };
        for b in f.body.blocks() {
            let kind = b.ident.as_str();
            if let ("resource" | "data", [t, n]) = (kind, b.labels.as_slice()) {
                let (t, n) = (t.as_str(), n.as_str());
                let address = if kind == "data" {
                    format!("data.{t}.{n}")
                } else {
                    format!("{t}.{n}")
                };
                let attrs = block_object(&mut ev, &lines, b, scope, 0);
                let meta = |k: &str| attrs.get(k).cloned().unwrap_or(Value::Null);
                out.resources.push(json!({
                    "mode": if kind == "data" { "data" } else { "managed" },
                    "type": t, "name": n, "address": address, "local_address": address,
                    "module": "", "file": f.rel,
                    "line": b.ident.span().map_or(0, |r| lines.line(r.start)),
                    "count": meta("count"), "for_each": meta("for_each"),
                    "attributes": attrs, "call": Value::Null,
                }));
            }
        }
        *budget = ev.budget;
    }
}

/// The input of a plan (`terraform show -json`): `planned_values` (root and child modules) as
/// the same resource shape; each resource's line is the line of its `"address"` in the plan.
pub(crate) fn plan(text: &str, rel: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| InputError::Syntax {
        line: u32::try_from(e.line()).ok(),
        message: e.to_string(),
    })?;
    let Some(root) = doc.pointer("/planned_values/root_module") else {
        return Err(InputError::Shape(
            "plan has no planned_values.root_module (expected `terraform show -json` of a plan)"
                .into(),
        ));
    };
    let lines = LineMap::new(text);
    // Attributes only known after apply are left out of planned_values: they come back as
    // unknowns from resource_changes[].change.after_unknown, never as absent.
    let mut after_unknown: BTreeMap<&str, &Map<String, Value>> = BTreeMap::new();
    for c in doc
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(a), Some(u)) = (
            c.get("address").and_then(Value::as_str),
            c.pointer("/change/after_unknown")
                .and_then(Value::as_object),
        ) {
            after_unknown.insert(a, u);
        }
    }
    let mut resources = Vec::new();
    let mut anchors = Vec::new();
    let mut stack = vec![root];
    let mut seen = 0usize;
    while let Some(m) = stack.pop() {
        seen += 1;
        if seen > 100_000 {
            return Err(InputError::Shape(
                "more than 100000 modules in the plan".into(),
            ));
        }
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
            let address = s("address");
            let needle = format!("\"address\":{}", Value::String(address.to_owned()));
            let needle_sp = format!("\"address\": {}", Value::String(address.to_owned()));
            // Resources come first under planned_values, so the first occurrence is theirs.
            let line = text
                .find(&needle_sp)
                .or_else(|| text.find(&needle))
                .map_or(0, |o| lines.line(o));
            let mut attrs = r.get("values").cloned().unwrap_or_else(|| json!({}));
            if let Value::Object(o) = &mut attrs {
                for (k, u) in after_unknown
                    .get(address)
                    .into_iter()
                    .flat_map(|m| m.iter())
                {
                    if u == &Value::Bool(true) && o.get(k).is_none_or(Value::is_null) {
                        o.insert(
                            k.clone(),
                            json!({"$unknown": "known after apply", "refs": []}),
                        );
                    }
                }
                o.insert("_line".into(), json!(line));
                o.insert("_lines".into(), json!({}));
            }
            let module = m.get("address").and_then(Value::as_str).unwrap_or("");
            let local = address
                .strip_prefix(module)
                .map(|a| a.trim_start_matches('.'))
                .unwrap_or(address);
            let local = local.split('[').next().unwrap_or(local);
            anchors.push(Anchor {
                name: address.to_owned(),
                line,
                path: None,
            });
            resources.push(json!({
                "mode": s("mode"),
                "type": s("type"),
                "name": s("name"),
                "address": address,
                "local_address": local,
                "module": module,
                "file": rel,
                "line": line,
                "index": r.get("index").cloned().unwrap_or(Value::Null),
                "count": Value::Null,
                "for_each": Value::Null,
                "attributes": attrs,
                "call": Value::Null,
            }));
        }
        for c in m
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            stack.push(c);
        }
    }
    let body = json!({
        "source": "plan",
        "format_version": doc.get("format_version").cloned().unwrap_or(Value::Null),
        "terraform_version": doc.get("terraform_version").cloned().unwrap_or(Value::Null),
        "resources": resources,
        "module_resources": [],
        "modules": [],
        "variables": {},
        "locals": {},
    });
    Ok((body, anchors))
}
