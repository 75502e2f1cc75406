//! `vouch reproduce`: build a source tree twice in fresh copies under varied environments,
//! compare the two artifacts with [`crate::diff`], and when they differ, name the variation
//! responsible by building again with one variation at a time (as reprotest's auto-bisect
//! does). docs/reproduce.md has the variations, their values and what cannot be varied here.
//!
//! The caller (the binary) hands in the environment the builds start from, which optional
//! tools exist (`faketime`), and where temporary folders go: this module reads neither the
//! process environment nor `PATH`. It runs the build command, which is the point of the
//! command; nothing it decides depends on another program's output.

use std::ffi::OsString;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use crate::diff::{self, DiffError, Input, Limits, Report};

/// One thing varied between the two builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variation {
    /// The source copy's absolute path (and its length).
    BuildPath,
    /// The wall clock, shifted by 398 days and some hours with `faketime`.
    Time,
    /// `SOURCE_DATE_EPOCH` changed (opt-in: a build is expected to depend on it).
    SourceDateEpoch,
    /// `TZ`.
    Timezone,
    /// `LC_ALL`, `LANG`, `LANGUAGE`.
    Locale,
    /// The umask the build starts with.
    Umask,
    /// `HOME`.
    Home,
    /// The order of the environment variables the build is given.
    EnvOrder,
    /// The order in which the source copy's files were created (what `readdir` returns on
    /// filesystems that keep creation order).
    FileOrder,
}

impl Variation {
    /// Every variation, in the order they are tried one at a time.
    pub const ALL: [Variation; 9] = [
        Self::BuildPath,
        Self::Time,
        Self::SourceDateEpoch,
        Self::Timezone,
        Self::Locale,
        Self::Umask,
        Self::Home,
        Self::EnvOrder,
        Self::FileOrder,
    ];

    /// What `--vary` starts from: all but `source-date-epoch`.
    pub fn defaults() -> Vec<Variation> {
        Self::ALL
            .into_iter()
            .filter(|v| *v != Self::SourceDateEpoch)
            .collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BuildPath => "build-path",
            Self::Time => "time",
            Self::SourceDateEpoch => "source-date-epoch",
            Self::Timezone => "timezone",
            Self::Locale => "locale",
            Self::Umask => "umask",
            Self::Home => "home",
            Self::EnvOrder => "env-order",
            Self::FileOrder => "file-order",
        }
    }

    /// `--vary` in reprotest's shape: `all`, `NAME,NAME` (exactly those), `-NAME` (the defaults
    /// without it), `+NAME` (the defaults and it). Returns the list and whether each was named
    /// explicitly (an explicitly named variation that cannot be applied is an error).
    pub fn parse_list(text: &str) -> Result<(Vec<Variation>, Vec<Variation>), String> {
        let mut chosen: Option<Vec<Variation>> = None;
        let mut named = Vec::new();
        let by_name = |n: &str| {
            Self::ALL
                .into_iter()
                .find(|v| v.as_str() == n)
                .ok_or_else(|| {
                    format!(
                        "unknown variation `{n}` (known: {})",
                        Self::ALL.map(Self::as_str).join(", ")
                    )
                })
        };
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "all" {
                chosen.get_or_insert_with(Self::defaults);
            } else if let Some(n) = item.strip_prefix('-') {
                let v = by_name(n)?;
                chosen
                    .get_or_insert_with(Self::defaults)
                    .retain(|x| *x != v);
            } else if let Some(n) = item.strip_prefix('+') {
                let v = by_name(n)?;
                let list = chosen.get_or_insert_with(Self::defaults);
                if !list.contains(&v) {
                    list.push(v);
                }
                named.push(v);
            } else {
                let v = by_name(item)?;
                let list = chosen.get_or_insert_with(Vec::new);
                if !list.contains(&v) {
                    list.push(v);
                }
                named.push(v);
            }
        }
        let mut list = chosen.unwrap_or_else(Self::defaults);
        list.sort();
        Ok((list, named))
    }
}

impl fmt::Display for Variation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The control values and the varied ones (docs/reproduce.md).
pub const CONTROL_TZ: &str = "UTC";
pub const VARIED_TZ: &str = "GMT-14";
pub const CONTROL_LOCALE: &str = "C.UTF-8";
pub const VARIED_LOCALE: &str = "fr_CH.UTF-8";
pub const CONTROL_UMASK: &str = "0022";
pub const VARIED_UMASK: &str = "0002";
/// `faketime -f` offset of the varied clock.
pub const VARIED_CLOCK: &str = "+398d";
/// Added to `SOURCE_DATE_EPOCH` when it is varied (one year).
pub const EPOCH_SHIFT: i64 = 365 * 24 * 3600;
/// Lines of a failed build's stderr shown.
pub const STDERR_TAIL_LINES: usize = 20;

/// What to build and how.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The source tree copied for each build.
    pub source: PathBuf,
    /// The artifact, relative to the source tree's root (what the build writes).
    pub artifact: PathBuf,
    /// The build command and its arguments (run directly, not through a shell).
    pub command: Vec<OsString>,
    pub vary: Vec<Variation>,
    /// Variations the user named explicitly: one that cannot be applied is an error.
    pub required: Vec<Variation>,
    /// The environment the builds start from (the binary passes its own).
    pub env: Vec<(OsString, OsString)>,
    /// `faketime`, when installed (found by the caller on `PATH`).
    pub faketime: Option<PathBuf>,
    /// Where the temporary folders go.
    pub work: PathBuf,
    /// Keep the temporary folders (builds, logs, artifacts) instead of deleting them.
    pub keep: bool,
    /// Longest one build may run; past it the build's process group is killed and the run is
    /// a failed build (exit 2), never a hang.
    pub timeout: std::time::Duration,
    pub limits: Limits,
}

/// How one build is set up: each variation at its control or varied value.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    varied: Vec<Variation>,
}

impl Setting {
    fn has(&self, v: Variation) -> bool {
        self.varied.contains(&v)
    }
}

/// What came out.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// The artifacts were identical.
    pub reproducible: bool,
    /// What was varied between the two builds.
    pub varied: Vec<Variation>,
    /// What was asked for but could not be varied here, with why.
    pub not_varied: Vec<(Variation, String)>,
    /// The differences between the control and the fully varied build.
    pub report: Report,
    /// The variations that, applied alone, changed the artifact (empty when `unstable`).
    pub culprits: Vec<Variation>,
    /// Two builds with nothing varied already differed: the build is not deterministic by
    /// itself (randomness, parallelism, the clock at a resolution faketime does not shift).
    pub unstable: bool,
    /// How many builds ran.
    pub builds: usize,
    /// The kept temporary folder (`--keep`).
    pub kept: Option<PathBuf>,
}

/// Why reproduction could not be judged (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReproduceError {
    #[error("the {build} build failed ({status}); last lines of its stderr:\n{stderr_tail}")]
    BuildFailed {
        build: String,
        status: String,
        stderr_tail: String,
    },
    #[error("cannot start the {build} build: {program}")]
    Spawn {
        build: String,
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the {build} build succeeded but did not write the artifact {}", artifact.display())]
    ArtifactMissing { build: String, artifact: PathBuf },
    #[error("cannot vary {variation}: {reason}")]
    Unavailable {
        variation: Variation,
        reason: String,
    },
    #[error("{} is not a directory (the source tree to copy)", path.display())]
    Source { path: PathBuf },
    #[error("cannot copy {} to {}", from.display(), to.display())]
    Copy {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set up the build folder {}", path.display())]
    Work {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no build command given")]
    NoCommand,
    #[error(
        "nothing to vary: --vary leaves no variation that applies here (not applicable: {not_varied})"
    )]
    NothingToVary { not_varied: String },
    #[error("cannot compare the artifacts")]
    Diff(#[source] DiffError),
}

/// The layout of one run's temporary folder.
struct Work {
    root: PathBuf,
    /// `root/build/src`: every build that does not vary the build path.
    control_src: PathBuf,
    /// `root/elsewhere-varied-path/a-longer-tree/src`.
    varied_src: PathBuf,
    control_home: PathBuf,
    varied_home: PathBuf,
    artifacts: PathBuf,
    logs: PathBuf,
}

/// Runs the plan: the control build, the varied build, the comparison, and on a difference
/// one build per variation (plus a repeat of the control) to name the culprit.
pub fn run(plan: &Plan, progress: &dyn Fn(&str)) -> Result<Outcome, ReproduceError> {
    if plan.command.is_empty() {
        return Err(ReproduceError::NoCommand);
    }
    if !plan.source.is_dir() {
        return Err(ReproduceError::Source {
            path: plan.source.clone(),
        });
    }
    let temp = tempfile::Builder::new()
        .prefix("vouch-reproduce-")
        .tempdir_in(&plan.work)
        .map_err(|source| ReproduceError::Work {
            path: plan.work.clone(),
            source,
        })?;
    let root = temp.path().to_owned();
    let work = Work {
        control_src: root.join("build").join("src"),
        varied_src: root
            .join("elsewhere-varied-path")
            .join("a-longer-tree")
            .join("src"),
        control_home: root.join("home").join("control"),
        varied_home: root.join("home").join("varied-user"),
        artifacts: root.join("artifacts"),
        logs: root.join("logs"),
        root,
    };
    for dir in [&work.artifacts, &work.logs] {
        mkdir(dir)?;
    }
    let (varied, not_varied) = applicable(plan, &work)?;
    if varied.is_empty() {
        let list: Vec<&str> = not_varied.iter().map(|(v, _)| v.as_str()).collect();
        return Err(ReproduceError::NothingToVary {
            not_varied: if list.is_empty() {
                "none".into()
            } else {
                list.join(", ")
            },
        });
    }
    let mut builds = 0;
    let mut build = |label: &str, setting: &Setting| -> Result<PathBuf, ReproduceError> {
        builds += 1;
        progress(&format!(
            "build {builds}: {label}{}",
            if setting.varied.is_empty() {
                String::new()
            } else {
                format!(
                    " (varied: {})",
                    setting
                        .varied
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ));
        one_build(plan, &work, label, builds, setting)
    };
    let control = build("control", &Setting { varied: vec![] })?;
    let experiment = build(
        "varied",
        &Setting {
            varied: varied.clone(),
        },
    )?;
    let compare = |a: &Path, b: &Path| -> Result<Report, ReproduceError> {
        let ia = Input::detect(a).map_err(ReproduceError::Diff)?;
        let ib = Input::detect(b).map_err(ReproduceError::Diff)?;
        diff::compare_inputs(&ia, &ib, &plan.limits).map_err(ReproduceError::Diff)
    };
    let mut report = compare(&control, &experiment)?;
    report.left = format!("control:{}", plan.artifact.display());
    report.right = format!("varied:{}", plan.artifact.display());
    let mut culprits = Vec::new();
    let mut unstable = false;
    if !report.equal() {
        progress("the artifacts differ; varying one thing at a time to name the cause");
        let again = build("control, again", &Setting { varied: vec![] })?;
        unstable = !compare(&control, &again)?.equal();
        // An unstable build differs from its control whatever is varied: no variation can be
        // blamed, so none is tried.
        for v in varied.iter().filter(|_| !unstable) {
            let alone = build(v.as_str(), &Setting { varied: vec![*v] })?;
            if !compare(&control, &alone)?.equal() {
                culprits.push(*v);
            }
        }
    }
    let kept = if plan.keep { Some(temp.keep()) } else { None };
    Ok(Outcome {
        reproducible: report.equal(),
        varied,
        not_varied,
        report,
        culprits,
        unstable,
        builds,
        kept,
    })
}

/// Variations that could not be applied, with why.
type NotVaried = Vec<(Variation, String)>;

/// Which of the asked variations can be applied here; an explicitly named one that cannot is
/// an error.
fn applicable(plan: &Plan, work: &Work) -> Result<(Vec<Variation>, NotVaried), ReproduceError> {
    let mut varied = Vec::new();
    let mut not = Vec::new();
    let epoch = env_get(&plan.env, "SOURCE_DATE_EPOCH");
    for v in &plan.vary {
        let why = match v {
            Variation::Time if plan.faketime.is_none() => Some(
                "faketime is not installed (Debian package `faketime`): the clock is not shifted"
                    .to_owned(),
            ),
            Variation::SourceDateEpoch
                if epoch.as_ref().and_then(|e| e.parse::<i64>().ok()).is_none() =>
            {
                Some("SOURCE_DATE_EPOCH is not set to a number in the build environment".to_owned())
            }
            Variation::FileOrder => file_order_varies(&work.root)?,
            _ => None,
        };
        match why {
            None => varied.push(*v),
            Some(reason) if plan.required.contains(v) => {
                return Err(ReproduceError::Unavailable {
                    variation: *v,
                    reason,
                });
            }
            Some(reason) => not.push((*v, reason)),
        }
    }
    Ok((varied, not))
}

/// Whether creating files in reverse order changes what `readdir` returns here: `None` when
/// it does, else why not (ext4 and xfs return entries in hash order).
fn file_order_varies(root: &Path) -> Result<Option<String>, ReproduceError> {
    let probe = root.join("file-order-probe");
    let names: Vec<String> = (0..8).map(|i| format!("f{i}")).collect();
    let order = |dir: &Path, forward: bool| -> Result<Vec<String>, ReproduceError> {
        mkdir(dir)?;
        let mut list = names.clone();
        if !forward {
            list.reverse();
        }
        for n in &list {
            std::fs::write(dir.join(n), b"").map_err(|source| ReproduceError::Work {
                path: dir.join(n),
                source,
            })?;
        }
        let read = std::fs::read_dir(dir).map_err(|source| ReproduceError::Work {
            path: dir.to_owned(),
            source,
        })?;
        Ok(read
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    };
    let a = order(&probe.join("a"), true)?;
    let b = order(&probe.join("b"), false)?;
    let _ = std::fs::remove_dir_all(&probe);
    Ok((a == b).then(|| {
        "this filesystem returns directory entries in the same order whatever the creation order (hash-ordered, as ext4 and xfs are), and disorderfs is not used (it needs FUSE)".to_owned()
    }))
}

fn env_get(env: &[(OsString, OsString)], key: &str) -> Option<String> {
    env.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.to_string_lossy().into_owned())
}

fn mkdir(dir: &Path) -> Result<(), ReproduceError> {
    std::fs::create_dir_all(dir).map_err(|source| ReproduceError::Work {
        path: dir.to_owned(),
        source,
    })
}

fn fresh(dir: &Path) -> Result<(), ReproduceError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| ReproduceError::Work {
            path: dir.to_owned(),
            source,
        })?;
    }
    mkdir(dir)
}

/// The environment of one build, in the order it is handed over.
fn environment(
    plan: &Plan,
    work: &Work,
    setting: &Setting,
    src: &Path,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = plan.env.clone();
    let mut set = |k: &str, v: OsString| {
        env.retain(|(x, _)| x != k);
        env.push((k.into(), v));
    };
    let pick = |v: Variation, control: &str, varied: &str| -> OsString {
        if setting.has(v) {
            varied.into()
        } else {
            control.into()
        }
    };
    if plan.vary.contains(&Variation::Timezone) {
        set("TZ", pick(Variation::Timezone, CONTROL_TZ, VARIED_TZ));
    }
    if plan.vary.contains(&Variation::Locale) {
        let l = pick(Variation::Locale, CONTROL_LOCALE, VARIED_LOCALE);
        set("LC_ALL", l.clone());
        set("LANG", l);
        set("LANGUAGE", pick(Variation::Locale, "en_US:en", "fr_CH:fr"));
    }
    if plan.vary.contains(&Variation::Home) {
        let home = if setting.has(Variation::Home) {
            &work.varied_home
        } else {
            &work.control_home
        };
        set("HOME", home.clone().into_os_string());
    }
    if setting.has(Variation::SourceDateEpoch)
        && let Some(e) = env_get(&plan.env, "SOURCE_DATE_EPOCH").and_then(|e| e.parse::<i64>().ok())
    {
        set("SOURCE_DATE_EPOCH", (e + EPOCH_SHIFT).to_string().into());
    }
    set("PWD", src.as_os_str().to_owned());
    env.sort();
    if setting.has(Variation::EnvOrder) {
        env.reverse();
    }
    env
}

/// One build in a fresh copy; returns where its artifact was saved.
fn one_build(
    plan: &Plan,
    work: &Work,
    label: &str,
    n: usize,
    setting: &Setting,
) -> Result<PathBuf, ReproduceError> {
    let src = if setting.has(Variation::BuildPath) {
        &work.varied_src
    } else {
        &work.control_src
    };
    // Each build starts from nothing: the other copy and both homes are removed.
    for dir in [&work.control_src, &work.varied_src] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|source| ReproduceError::Work {
                path: dir.clone(),
                source,
            })?;
        }
    }
    fresh(&work.control_home)?;
    fresh(&work.varied_home)?;
    if let Some(parent) = src.parent() {
        mkdir(parent)?;
    }
    copy_tree(&plan.source, src, setting.has(Variation::FileOrder))?;

    let env = environment(plan, work, setting, src);
    let umask = if setting.has(Variation::Umask) {
        VARIED_UMASK
    } else {
        CONTROL_UMASK
    };
    // The chain: [env -i K=V…] [faketime -f OFFSET] sh -c 'umask M; exec "$@"' vouch-build CMD…
    // env(1) is there so the variables reach the build in the order given (std's Command
    // sorts them); sh sets the umask. Both only start the build.
    let mut argv: Vec<OsString> = Vec::new();
    let env_order = plan.vary.contains(&Variation::EnvOrder);
    if env_order {
        argv.push("env".into());
        argv.push("-i".into());
        for (k, v) in &env {
            let mut kv = k.clone();
            kv.push("=");
            kv.push(v);
            argv.push(kv);
        }
    }
    if setting.has(Variation::Time)
        && let Some(ft) = &plan.faketime
    {
        argv.push(ft.clone().into_os_string());
        argv.push("-f".into());
        argv.push(VARIED_CLOCK.into());
    }
    argv.push("sh".into());
    argv.push("-c".into());
    argv.push(format!("umask {umask} && exec \"$@\"").into());
    argv.push("vouch-build".into());
    argv.extend(plan.command.iter().cloned());

    let slug: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out_path = work.logs.join(format!("{n}-{slug}.stdout"));
    let err_path = work.logs.join(format!("{n}-{slug}.stderr"));
    let create = |p: &Path| {
        std::fs::File::create(p).map_err(|source| ReproduceError::Work {
            path: p.to_owned(),
            source,
        })
    };
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(src)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(create(&out_path)?)
        .stderr(create(&err_path)?);
    // `env -i` is found on the build's PATH; so are sh and the command.
    if env_order {
        if let Some(path) = env.iter().find(|(k, _)| k == "PATH") {
            cmd.env("PATH", &path.1);
        }
    } else {
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
    }
    // Its own process group, so a timeout kills everything the build started (faketime forks).
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().map_err(|source| ReproduceError::Spawn {
        build: label.to_owned(),
        program: argv[0].to_string_lossy().into_owned(),
        source,
    })?;
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > plan.timeout => {
                // `kill -s KILL -- -PGID`: the group, not only the first process.
                let _ = Command::new("kill")
                    .args(["-s", "KILL", "--"])
                    .arg(format!("-{}", child.id()))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReproduceError::BuildFailed {
                    build: label.to_owned(),
                    status: format!("timed out after {} s, killed", plan.timeout.as_secs()),
                    stderr_tail: tail(&err_path, STDERR_TAIL_LINES),
                });
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            Err(source) => {
                return Err(ReproduceError::Spawn {
                    build: label.to_owned(),
                    program: argv[0].to_string_lossy().into_owned(),
                    source,
                });
            }
        }
    };
    if !status.success() {
        return Err(ReproduceError::BuildFailed {
            build: label.to_owned(),
            status: match status.code() {
                Some(c) => format!("exit status {c}"),
                None => "killed by a signal".to_owned(),
            },
            stderr_tail: tail(&err_path, STDERR_TAIL_LINES),
        });
    }
    let built = src.join(&plan.artifact);
    if std::fs::symlink_metadata(&built).is_err() {
        return Err(ReproduceError::ArtifactMissing {
            build: label.to_owned(),
            artifact: plan.artifact.clone(),
        });
    }
    let name = built
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "artifact".into());
    let saved = work.artifacts.join(format!("{n}-{slug}")).join(name);
    if let Some(parent) = saved.parent() {
        mkdir(parent)?;
    }
    if built.is_dir() {
        copy_tree(&built, &saved, false)?;
    } else {
        std::fs::copy(&built, &saved).map_err(|source| ReproduceError::Copy {
            from: built.clone(),
            to: saved.clone(),
            source,
        })?;
    }
    Ok(saved)
}

/// The last `lines` lines of a log (at most 64 KiB read from its end).
fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut f) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut buf = Vec::new();
    let _ = f.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Copies `from` into `to` (created): files with their permission bits, symbolic links as
/// links, directories recursively. Entries are created in name order, or in reverse name order
/// when `reverse` (the file-order variation).
pub fn copy_tree(from: &Path, to: &Path, reverse: bool) -> Result<(), ReproduceError> {
    let copy_err = |source| ReproduceError::Copy {
        from: from.to_owned(),
        to: to.to_owned(),
        source,
    };
    std::fs::create_dir_all(to).map_err(copy_err)?;
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(from)
        .map_err(copy_err)?
        .collect::<Result<_, _>>()
        .map_err(copy_err)?;
    entries.sort_by_key(|e| e.file_name());
    if reverse {
        entries.reverse();
    }
    for entry in entries {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let err = |source| ReproduceError::Copy {
            from: src.clone(),
            to: dst.clone(),
            source,
        };
        let kind = entry.file_type().map_err(err)?;
        if kind.is_symlink() {
            let target = std::fs::read_link(&src).map_err(err)?;
            std::os::unix::fs::symlink(target, &dst).map_err(err)?;
        } else if kind.is_dir() {
            copy_tree(&src, &dst, reverse)?;
            let mode = std::fs::metadata(&src).map_err(err)?.permissions();
            std::fs::set_permissions(&dst, mode).map_err(err)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(err)?;
        }
        // FIFOs, sockets and devices are not copied.
    }
    Ok(())
}
