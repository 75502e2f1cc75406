//! A git forge for tests: bare repositories at `<root>/<owner>/<repo>.git`, served over
//! `file://`, by a real `git daemon` on 127.0.0.1 (the smart protocol over `git://`), and by the
//! real `git http-backend` behind a small loopback HTTP server (smart HTTP). Releases are made
//! with the git CLI (test setup only; vouch reads git through gix).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::git_http::GitHttp;
use crate::registry::{free_port, wait_for_port};

/// Bare repositories in a temporary directory and a `git daemon` exporting them; the daemon is
/// killed on drop.
pub struct Forge {
    root: PathBuf,
    work: PathBuf,
    daemon: Child,
    port: u16,
    http: GitHttp,
    _dir: tempfile::TempDir,
}

impl Default for Forge {
    fn default() -> Self {
        Self::new()
    }
}

impl Forge {
    /// An empty forge with its `git daemon` listening.
    pub fn new() -> Forge {
        let dir = tempfile::tempdir().expect("temporary directory for the forge");
        let root = dir.path().join("root");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&root).expect("forge root");
        std::fs::create_dir_all(&work).expect("forge work");
        let port = free_port();
        // `git daemon` would run `git-daemon` as a child of the `git` wrapper, and killing the
        // wrapper leaves the daemon behind: start the program itself.
        let exec_path = Command::new("git")
            .arg("--exec-path")
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run git (run scripts/test-setup.d/registry.sh): {e}")
            });
        let exec_path = String::from_utf8_lossy(&exec_path.stdout).trim().to_owned();
        let daemon = Command::new(Path::new(&exec_path).join("git-daemon"))
            .arg("--reuseaddr")
            .arg("--export-all")
            .arg("--informative-errors")
            .arg(format!("--base-path={}", root.display()))
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(&root)
            .envs(git_env(dir.path()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start `git daemon` (run scripts/test-setup.d/registry.sh): {e}")
            });
        wait_for_port(port, "git daemon");
        let http = GitHttp::start(&root, git_env(dir.path()));
        Forge {
            root,
            work,
            daemon,
            port,
            http,
            _dir: dir,
        }
    }

    /// `file:///…/root`, usable as a GitHub or GitLab base URL.
    pub fn file_url(&self) -> String {
        format!("file://{}", self.root.display())
    }

    /// `git://127.0.0.1:PORT`, usable as a GitHub or GitLab base URL.
    pub fn git_url(&self) -> String {
        format!("git://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT` (smart HTTP through `git http-backend`), usable as a GitHub or
    /// GitLab base URL.
    pub fn http_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http.port)
    }

    /// The bare repository of `owner/repo`.
    pub fn repo_path(&self, owner_repo: &str) -> PathBuf {
        self.root.join(format!("{owner_repo}.git"))
    }

    /// Creates or extends `owner/repo`: writes `files` (path, contents) into the working tree on
    /// top of the previous release, commits them on `main` with author and committer time `time`
    /// (RFC 3339), tags the commit `tag` (annotated if `annotated`, tagger time `time`), pushes
    /// to the bare repository and returns the 40-hex commit.
    pub fn release(
        &self,
        owner_repo: &str,
        tag: &str,
        files: &[(&str, &str)],
        time: &str,
        annotated: bool,
    ) -> String {
        let when: jiff::Timestamp = time
            .parse()
            .unwrap_or_else(|e| panic!("release time `{time}` is not RFC 3339: {e}"));
        let date = format!("@{} +0000", when.as_second());
        let bare = self.repo_path(owner_repo);
        let work = self.work.join(owner_repo);
        if !bare.exists() {
            std::fs::create_dir_all(&bare).expect("bare repository directory");
            self.git(
                &bare,
                &["init", "--quiet", "--bare", "--initial-branch=main"],
                &date,
            );
            std::fs::create_dir_all(&work).expect("work tree directory");
            self.git(&work, &["init", "--quiet", "--initial-branch=main"], &date);
        }
        for (path, contents) in files {
            let file = work.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).expect("release file directory");
            }
            std::fs::write(&file, contents).expect("release file");
        }
        self.git(&work, &["add", "--all"], &date);
        self.git(
            &work,
            &[
                "commit",
                "--quiet",
                "--allow-empty",
                "-m",
                &format!("release {tag}"),
            ],
            &date,
        );
        if annotated {
            self.git(
                &work,
                &["tag", "--force", "-a", "-m", &format!("release {tag}"), tag],
                &date,
            );
        } else {
            self.git(&work, &["tag", "--force", tag], &date);
        }
        let bare_arg = bare.display().to_string();
        self.git(
            &work,
            &[
                "push",
                "--quiet",
                "--force",
                &bare_arg,
                "main",
                &format!("refs/tags/{tag}"),
            ],
            &date,
        );
        self.git(&work, &["rev-parse", "HEAD"], &date)
            .trim()
            .to_owned()
    }

    /// Runs git in `dir` with a clean environment and `date` as author/committer time; returns
    /// stdout and panics with stderr on failure.
    fn git(&self, dir: &Path, args: &[&str], date: &str) -> String {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .envs(git_env(&self.work))
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .unwrap_or_else(|e| panic!("cannot run git: {e}"));
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("git output is UTF-8")
    }
}

/// An environment that ignores the user's and system's git configuration.
fn git_env(home: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("GIT_CONFIG_NOSYSTEM", "1".to_owned()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".to_owned()),
        ("HOME", home.display().to_string()),
        ("GIT_AUTHOR_NAME", "Vouch Test".to_owned()),
        ("GIT_AUTHOR_EMAIL", "test@vouch.invalid".to_owned()),
        ("GIT_COMMITTER_NAME", "Vouch Test".to_owned()),
        ("GIT_COMMITTER_EMAIL", "test@vouch.invalid".to_owned()),
    ]
}

impl Drop for Forge {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
