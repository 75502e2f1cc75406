//! A small, quote-aware shell splitter: enough to see `curl … | sh`, downloads and package
//! installs in `RUN` lines and CI scripts. It is not a shell parser: no expansion, no
//! functions; subshells and `$(…)` are kept as words.

use serde::Serialize;

/// One simple command: its words with quotes removed, and its text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ShellCommand {
    pub text: String,
    pub words: Vec<String>,
    /// The program: first word that is not a `VAR=value` assignment, with `sudo`/`env` and a
    /// leading path removed (`/usr/bin/curl` → `curl`).
    pub program: String,
    /// The words after the program.
    pub args: Vec<String>,
}

/// A pipeline: commands joined by `|`.
pub type Pipeline = Vec<ShellCommand>;

/// Split a script into pipelines (separated by `&&`, `||`, `;`, `&` or newlines).
pub fn split(script: &str) -> Vec<Pipeline> {
    let script = script.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut pipelines: Vec<Pipeline> = Vec::new();
    let mut current: Pipeline = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut text = String::new();
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut depth = 0usize; // $( ... ) and ( ... ) nesting kept inside one word
    let flush_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    let finish_cmd = |words: &mut Vec<String>, text: &mut String, current: &mut Pipeline| {
        let t = text.trim().to_owned();
        text.clear();
        if words.is_empty() {
            return;
        }
        let ws = std::mem::take(words);
        current.push(make_command(t, ws));
    };
    while i < chars.len() {
        let c = chars[i];
        if depth > 0 {
            word.push(c);
            text.push(c);
            if c == '(' {
                depth += 1;
            } else if c == ')' {
                depth -= 1;
            }
            i += 1;
            continue;
        }
        match c {
            '\'' => {
                in_word = true;
                text.push(c);
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    text.push(chars[i]);
                    i += 1;
                }
                text.push('\'');
                i += 1;
            }
            '"' => {
                in_word = true;
                text.push(c);
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        text.push(chars[i]);
                        i += 1;
                    }
                    word.push(chars[i]);
                    text.push(chars[i]);
                    i += 1;
                }
                text.push('"');
                i += 1;
            }
            '\\' if i + 1 < chars.len() => {
                in_word = true;
                word.push(chars[i + 1]);
                text.push(c);
                text.push(chars[i + 1]);
                i += 2;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                in_word = true;
                word.push_str("$(");
                text.push_str("$(");
                depth = 1;
                i += 2;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            ' ' | '\t' => {
                flush_word(&mut word, &mut in_word, &mut words);
                text.push(c);
                i += 1;
            }
            '|' => {
                flush_word(&mut word, &mut in_word, &mut words);
                if chars.get(i + 1) == Some(&'|') {
                    finish_cmd(&mut words, &mut text, &mut current);
                    if !current.is_empty() {
                        pipelines.push(std::mem::take(&mut current));
                    }
                    i += 2;
                } else {
                    finish_cmd(&mut words, &mut text, &mut current);
                    i += if chars.get(i + 1) == Some(&'&') { 2 } else { 1 };
                }
            }
            '&' if chars.get(i + 1) == Some(&'&') => {
                flush_word(&mut word, &mut in_word, &mut words);
                finish_cmd(&mut words, &mut text, &mut current);
                if !current.is_empty() {
                    pipelines.push(std::mem::take(&mut current));
                }
                i += 2;
            }
            '&' if chars.get(i + 1) == Some(&'>') || (i > 0 && chars[i - 1] == '>') => {
                in_word = true;
                word.push(c);
                text.push(c);
                i += 1;
            }
            ';' | '\n' | '&' => {
                flush_word(&mut word, &mut in_word, &mut words);
                finish_cmd(&mut words, &mut text, &mut current);
                if !current.is_empty() {
                    pipelines.push(std::mem::take(&mut current));
                }
                i += 1;
            }
            _ => {
                in_word = true;
                word.push(c);
                text.push(c);
                i += 1;
            }
        }
    }
    flush_word(&mut word, &mut in_word, &mut words);
    finish_cmd(&mut words, &mut text, &mut current);
    if !current.is_empty() {
        pipelines.push(current);
    }
    pipelines
}

fn make_command(text: String, words: Vec<String>) -> ShellCommand {
    let mut idx = 0;
    while idx < words.len() {
        let w = &words[idx];
        let is_assign = w.contains('=')
            && !w.starts_with('-')
            && w.split('=').next().is_some_and(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
        if is_assign
            || w == "sudo"
            || w == "env"
            || w == "exec"
            || w == "command"
            || w == "then"
            || w == "do"
            || w == "{"
            || w == "("
        {
            idx += 1;
            continue;
        }
        break;
    }
    let program = words
        .get(idx)
        .map(|p| {
            p.trim_start_matches('(')
                .rsplit('/')
                .next()
                .unwrap_or(p)
                .to_owned()
        })
        .unwrap_or_default();
    let args = words
        .get(idx + 1..)
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    ShellCommand {
        text,
        words,
        program,
        args,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_pipelines() {
        let p = split(
            "apt-get update && curl -fsSL 'https://x/y.sh' | sudo bash -s -- -y; echo \"a|b\"",
        );
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].len(), 2);
        assert_eq!(p[1][0].program, "curl");
        assert_eq!(p[1][0].args, ["-fsSL", "https://x/y.sh"]);
        assert_eq!(p[1][1].program, "bash");
        assert_eq!(p[2][0].args, ["a|b"]);
    }

    #[test]
    fn continuation_and_subshell() {
        let p = split("FOO=1 /usr/bin/wget -O- \\\n  $(echo http://a | tr a b) | sh");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0][0].program, "wget");
        assert_eq!(p[0][1].program, "sh");
    }
}
