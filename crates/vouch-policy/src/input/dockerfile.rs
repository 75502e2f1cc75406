//! Dockerfile → `input.dockerfile` (see docs/policy-inputs.md).

use parse_dockerfile::{Command, Instruction, Source};
use serde_json::{Value, json};

use super::{Anchor, InputError, LineMap};
use crate::image::ImageInput;
use crate::shell;

pub fn normalise(text: &str) -> Result<(Value, Vec<Anchor>), InputError> {
    let df = parse_dockerfile::parse(text).map_err(|e| InputError::Syntax {
        line: u32::try_from(e.line()).ok(),
        message: e.to_string(),
    })?;
    let lm = LineMap::new(text);
    let starts: Vec<usize> = df.instructions.iter().map(instruction_start).collect();
    let mut stages: Vec<Value> = Vec::new();
    let mut stage_names: Vec<String> = Vec::new();
    let mut instructions: Vec<Value> = Vec::new();
    let mut global_args: Vec<Value> = Vec::new();
    let mut anchors = Vec::new();
    for (i, ins) in df.instructions.iter().enumerate() {
        let start = starts[i];
        let end = instruction_end(text, start, starts.get(i + 1).copied());
        let original = text[start..end].trim_end().to_owned();
        let line = lm.line(start);
        let end_line = lm.line(end.saturating_sub(1).max(start));
        let stage_idx = stages.len().checked_sub(1);
        let mut obj = json!({
            "cmd": keyword(ins),
            "line": line,
            "end_line": end_line,
            "stage": stage_idx,
            "original": original,
        });
        let o = obj.as_object_mut().expect("object");
        match ins {
            Instruction::From(f) => {
                let image_raw = f.image.value.to_string();
                let from_stage = stage_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&image_raw));
                let image = ImageInput::parse(&image_raw);
                let name = f.as_.as_ref().map(|(_, n)| n.value.to_string());
                let flags: Vec<Value> = f.options.iter().map(flag).collect();
                let idx = stages.len();
                o.insert("stage".into(), json!(idx));
                o.insert("image".into(), json!(image));
                o.insert("flags".into(), Value::Array(flags));
                if let Some(n) = &name {
                    anchors.push(Anchor {
                        name: n.clone(),
                        line,
                        path: None,
                    });
                }
                stages.push(json!({
                    "index": idx,
                    "name": name,
                    "line": line,
                    "image": image,
                    "from_stage": from_stage,
                }));
                stage_names.push(name.unwrap_or_default());
            }
            Instruction::Run(r) => {
                let (script, exec_form) = match &r.arguments {
                    Command::Shell(s) => (s.value.to_owned(), false),
                    Command::Exec(e) => (
                        e.value
                            .iter()
                            .map(|w| w.value.to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                        true,
                    ),
                    _ => (String::new(), false),
                };
                let mut full = script;
                for h in &r.here_docs {
                    full.push('\n');
                    full.push_str(&h.value);
                }
                o.insert(
                    "flags".into(),
                    Value::Array(r.options.iter().map(flag).collect()),
                );
                o.insert("exec_form".into(), json!(exec_form));
                o.insert("pipelines".into(), json!(shell::split(&full)));
                o.insert("pipe_to_shell".into(), json!(shell::pipe_to_shell(&full)));
                o.insert("downloads".into(), json!(shell::downloads(&full)));
                o.insert("verifies".into(), json!(shell::verifies(&full)));
                o.insert("script".into(), json!(full));
            }
            Instruction::Env(e) => {
                o.insert("pairs".into(), json!(pairs(&e.arguments.value)));
            }
            Instruction::Arg(a) => {
                let p = pairs(&a.arguments.value);
                if stage_idx.is_none() {
                    global_args.extend(p.iter().map(|v| {
                        let mut v = v.clone();
                        v["line"] = json!(line);
                        v
                    }));
                }
                o.insert("pairs".into(), json!(p));
            }
            Instruction::Label(l) => {
                o.insert("pairs".into(), json!(pairs(&l.arguments.value)));
            }
            Instruction::User(u) => {
                o.insert("user".into(), json!(u.arguments.value.trim()));
            }
            Instruction::Add(a) => {
                o.insert(
                    "flags".into(),
                    Value::Array(a.options.iter().map(flag).collect()),
                );
                o.insert("sources".into(), json!(sources(&a.src)));
                o.insert("dest".into(), json!(a.dest.value));
            }
            Instruction::Copy(c) => {
                o.insert(
                    "flags".into(),
                    Value::Array(c.options.iter().map(flag).collect()),
                );
                o.insert("sources".into(), json!(sources(&c.src)));
                o.insert("dest".into(), json!(c.dest.value));
            }
            _ => {}
        }
        instructions.push(obj);
    }
    let final_stage = stages.len().checked_sub(1);
    Ok((
        json!({
            "stages": stages,
            "final_stage": final_stage,
            "args": global_args,
            "instructions": instructions,
        }),
        anchors,
    ))
}

fn flag(f: &parse_dockerfile::Flag<'_>) -> Value {
    json!({"name": f.name.value, "value": f.value.as_ref().map(|v| v.value.to_string())})
}

fn sources(src: &[Source<'_>]) -> Vec<String> {
    src.iter()
        .map(|s| match s {
            Source::Path(p) => p.value.to_string(),
            Source::HereDoc(_) => "<<heredoc".to_owned(),
            _ => String::new(),
        })
        .collect()
}

/// `KEY=value KEY2="v 2"` or legacy `KEY value` → pairs.
fn pairs(args: &str) -> Vec<Value> {
    let words: Vec<String> = shell::split(args)
        .into_iter()
        .flatten()
        .flat_map(|c| c.words)
        .collect();
    if words.first().is_some_and(|w| !w.contains('=')) && words.len() > 1 && !words[1].contains('=')
    {
        // Legacy `ENV KEY value with spaces`.
        let value = args.trim()[words[0].len()..]
            .trim()
            .trim_matches('"')
            .to_owned();
        return vec![json!({"key": words[0], "value": value})];
    }
    words
        .iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => json!({"key": k, "value": v}),
            None => json!({"key": w, "value": null}),
        })
        .collect()
}

fn keyword(ins: &Instruction<'_>) -> &'static str {
    match ins {
        Instruction::Add(_) => "ADD",
        Instruction::Arg(_) => "ARG",
        Instruction::Cmd(_) => "CMD",
        Instruction::Copy(_) => "COPY",
        Instruction::Entrypoint(_) => "ENTRYPOINT",
        Instruction::Env(_) => "ENV",
        Instruction::Expose(_) => "EXPOSE",
        Instruction::From(_) => "FROM",
        Instruction::Healthcheck(_) => "HEALTHCHECK",
        Instruction::Label(_) => "LABEL",
        Instruction::Maintainer(_) => "MAINTAINER",
        Instruction::Onbuild(_) => "ONBUILD",
        Instruction::Run(_) => "RUN",
        Instruction::Shell(_) => "SHELL",
        Instruction::Stopsignal(_) => "STOPSIGNAL",
        Instruction::User(_) => "USER",
        Instruction::Volume(_) => "VOLUME",
        Instruction::Workdir(_) => "WORKDIR",
        _ => "UNKNOWN",
    }
}

fn instruction_start(ins: &Instruction<'_>) -> usize {
    let span = match ins {
        Instruction::Add(i) => &i.add.span,
        Instruction::Arg(i) => &i.arg.span,
        Instruction::Cmd(i) => &i.cmd.span,
        Instruction::Copy(i) => &i.copy.span,
        Instruction::Entrypoint(i) => &i.entrypoint.span,
        Instruction::Env(i) => &i.env.span,
        Instruction::Expose(i) => &i.expose.span,
        Instruction::From(i) => &i.from.span,
        Instruction::Healthcheck(i) => &i.healthcheck.span,
        Instruction::Label(i) => &i.label.span,
        Instruction::Maintainer(i) => &i.maintainer.span,
        Instruction::Onbuild(i) => &i.onbuild.span,
        Instruction::Run(i) => &i.run.span,
        Instruction::Shell(i) => &i.shell.span,
        Instruction::Stopsignal(i) => &i.stopsignal.span,
        Instruction::User(i) => &i.user.span,
        Instruction::Volume(i) => &i.volume.span,
        Instruction::Workdir(i) => &i.workdir.span,
        _ => return 0,
    };
    span.start
}

/// End of an instruction: up to the next one, minus trailing blank and comment lines.
fn instruction_end(text: &str, start: usize, next: Option<usize>) -> usize {
    let limit = next.unwrap_or(text.len()).min(text.len()).max(start);
    let chunk = &text[start..limit];
    let mut end = start;
    let mut offset = start;
    for l in chunk.split_inclusive('\n') {
        let t = l.trim();
        if !t.is_empty() && (!t.starts_with('#') || offset == start) {
            end = offset + l.trim_end().len();
        }
        offset += l.len();
    }
    end.max(start)
}
