//! The interface of a GitHub Action (`action.yml` inputs and outputs) or a GitLab CI/CD
//! component (`spec:inputs` in the template's header document), and what counts as breaking
//! between two versions: a removed input, a removed output, or an input that is now required
//! without a default.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// One input: whether callers must set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Callers must pass it: `required: true` without a `default` (actions), or no `default`
    /// (components).
    pub required: bool,
}

/// Inputs and outputs of one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interface {
    pub inputs: BTreeMap<String, Input>,
    pub outputs: Vec<String>,
}

/// Why an interface could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {what}: {message}")]
pub struct InterfaceError {
    pub what: &'static str,
    pub message: String,
}

/// A breaking difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    RemovedInput(String),
    RemovedOutput(String),
    NewRequiredInput(String),
    NowRequiredInput(String),
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RemovedInput(n) => write!(f, "input `{n}` was removed"),
            Self::RemovedOutput(n) => write!(f, "output `{n}` was removed"),
            Self::NewRequiredInput(n) => {
                write!(f, "new input `{n}` is required and has no default")
            }
            Self::NowRequiredInput(n) => {
                write!(f, "input `{n}` is now required and has no default")
            }
        }
    }
}

fn first_mapping(bytes: &[u8], what: &'static str, header: bool) -> Result<Value, InterfaceError> {
    let err = |message: String| InterfaceError { what, message };
    let text = std::str::from_utf8(bytes).map_err(|e| err(e.to_string()))?;
    let docs = vouch_yaml::load_all(text).map_err(|e| err(e.to_string()))?;
    let doc = if header {
        // A component's header is the first document when the file has more than one.
        if docs.len() > 1 {
            docs.into_iter().next()
        } else {
            docs.into_iter().find(|d| d.get("spec").is_some())
        }
    } else {
        docs.into_iter().find(|d| !d.is_null())
    };
    match doc {
        None | Some(Value::Null) => Ok(Value::Object(Default::default())),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(_) => Err(err("the top level is not a mapping".into())),
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Adds the entries of an action's or workflow's `inputs`-like mapping as `{prefix}{name}`:
/// required when `required: true` without a (non-null) default.
fn add_inputs(out: &mut Interface, items: Option<&Value>, prefix: &str) {
    let Some(Value::Object(items)) = items else {
        return;
    };
    for (name, spec) in items {
        let has_default = spec.get("default").is_some_and(|d| !d.is_null());
        let required = truthy(spec.get("required")) && !has_default;
        out.inputs
            .insert(format!("{prefix}{name}"), Input { required });
    }
}

/// The interface of an `action.yml`.
pub fn action(bytes: &[u8]) -> Result<Interface, InterfaceError> {
    let doc = first_mapping(bytes, "action.yml", false)?;
    let mut out = Interface::default();
    add_inputs(&mut out, doc.get("inputs"), "");
    if let Some(Value::Object(outputs)) = doc.get("outputs") {
        out.outputs = outputs.keys().cloned().collect();
    }
    Ok(out)
}

/// The interface of a reusable GitHub workflow: `on.workflow_call` inputs (required without a
/// default), secrets (as inputs named `secrets.<name>`) and outputs.
pub fn workflow(bytes: &[u8]) -> Result<Interface, InterfaceError> {
    let doc = first_mapping(bytes, "reusable workflow", false)?;
    let mut out = Interface::default();
    let on = doc.get("on").or_else(|| doc.get("true"));
    let Some(call) = on.and_then(|o| o.get("workflow_call")) else {
        return Ok(out);
    };
    for (section, prefix) in [("inputs", ""), ("secrets", "secrets.")] {
        add_inputs(&mut out, call.get(section), prefix);
    }
    if let Some(Value::Object(outputs)) = call.get("outputs") {
        out.outputs = outputs.keys().cloned().collect();
    }
    Ok(out)
}

/// The interface of a GitLab component template (`spec: inputs:` in the header document).
pub fn component(bytes: &[u8]) -> Result<Interface, InterfaceError> {
    let doc = first_mapping(bytes, "component template", true)?;
    let mut out = Interface::default();
    if let Some(Value::Object(inputs)) = doc.get("spec").and_then(|s| s.get("inputs")) {
        for (name, spec) in inputs {
            let has_default = spec.get("default").is_some();
            out.inputs.insert(
                name.clone(),
                Input {
                    required: !has_default,
                },
            );
        }
    }
    Ok(out)
}

/// What breaks callers of `old` when they move to `new`, sorted.
pub fn breaking(old: &Interface, new: &Interface) -> Vec<Break> {
    let mut out = Vec::new();
    for name in old.inputs.keys() {
        if !new.inputs.contains_key(name) {
            out.push(Break::RemovedInput(name.clone()));
        }
    }
    for (name, input) in &new.inputs {
        match old.inputs.get(name) {
            None if input.required => out.push(Break::NewRequiredInput(name.clone())),
            Some(o) if input.required && !o.required => {
                out.push(Break::NowRequiredInput(name.clone()));
            }
            _ => {}
        }
    }
    for name in &old.outputs {
        if !new.outputs.contains(name) {
            out.push(Break::RemovedOutput(name.clone()));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "name: x\ninputs:\n  token:\n    required: true\n    default: ${{ github.token }}\n  path:\n    required: false\n  mode:\n    description: m\noutputs:\n  result:\n    description: r\n  other:\n    description: o\nruns:\n  using: node20\n  main: index.js\n";

    #[test]
    fn action_interfaces() {
        let i = action(V1.as_bytes()).unwrap();
        assert_eq!(i.inputs.len(), 3);
        assert!(!i.inputs["token"].required);
        assert_eq!(i.outputs, vec!["other", "result"]);
        // Compatible: a new optional input, a new output.
        let v2 = V1.replace(
            "outputs:\n",
            "  extra:\n    default: '1'\noutputs:\n  new:\n    description: n\n",
        );
        assert!(breaking(&i, &action(v2.as_bytes()).unwrap()).is_empty());
        // Breaking: removed input, removed output, new required input, now required.
        let v3 = "inputs:\n  token:\n    required: true\n    default: t\n  mode:\n    required: true\n  must:\n    required: 'true'\noutputs:\n  result: {}\n";
        assert_eq!(
            breaking(&i, &action(v3.as_bytes()).unwrap()),
            vec![
                Break::RemovedInput("path".into()),
                Break::RemovedOutput("other".into()),
                Break::NewRequiredInput("must".into()),
                Break::NowRequiredInput("mode".into()),
            ]
        );
        assert_eq!(
            Break::NewRequiredInput("must".into()).to_string(),
            "new input `must` is required and has no default"
        );
    }

    #[test]
    fn component_interfaces() {
        let v1 = "spec:\n  inputs:\n    stage:\n      default: test\n    image: {}\n---\njob:\n  script: [x]\n";
        let i = component(v1.as_bytes()).unwrap();
        assert!(!i.inputs["stage"].required);
        assert!(i.inputs["image"].required);
        let v2 = "spec:\n  inputs:\n    image: {}\n    token:\n      type: string\n---\njob: {script: [x]}\n";
        assert_eq!(
            breaking(&i, &component(v2.as_bytes()).unwrap()),
            vec![
                Break::RemovedInput("stage".into()),
                Break::NewRequiredInput("token".into())
            ]
        );
        let none = component(b"job:\n  script: [x]\n").unwrap();
        assert!(none.inputs.is_empty());
    }

    #[test]
    fn reusable_workflow_interfaces() {
        let v1 = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n        required: false\n    secrets:\n      token:\n        required: false\n    outputs:\n      url:\n        value: x\njobs: {}\n";
        let i = workflow(v1.as_bytes()).unwrap();
        assert_eq!(i.inputs.len(), 2);
        assert_eq!(i.outputs, vec!["url"]);
        let v2 = "on:\n  workflow_call:\n    inputs:\n      env:\n        type: string\n        required: false\n    secrets:\n      token:\n        required: true\njobs: {}\n";
        assert_eq!(
            breaking(&i, &workflow(v2.as_bytes()).unwrap()),
            vec![
                Break::RemovedOutput("url".into()),
                Break::NowRequiredInput("secrets.token".into())
            ]
        );
        assert!(workflow(b"on: push\n").unwrap().inputs.is_empty());
    }

    #[test]
    fn malformed() {
        let e = action(b"inputs: [\n").unwrap_err();
        assert_eq!(e.what, "action.yml");
        assert!(action(b"- a\n").is_err());
    }
}
