//! Git history and staged-change scanning through gix (no `git` process).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice as _};
use rayon::prelude::*;
use vouch_report::Finding;

use crate::{Options, Origin, ScanError, ScanOutcome, ScanWarning, is_binary, to_finding};

/// The commit that introduced a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// full hex id
    pub id: String,
    /// committer date, UTC, `YYYY-MM-DDTHH:MM:SSZ`
    pub date: String,
}

/// One blob to scan: `new` at `path`, with `old` the version it replaced (only lines not in
/// `old` are scanned).
struct Job {
    commit: Option<usize>,
    path: String,
    new: ObjectId,
    old: Option<ObjectId>,
}

#[derive(Default)]
struct JobResult {
    findings: Vec<(usize, Finding)>,
    warnings: Vec<ScanWarning>,
    binary: u64,
    large: u64,
    bytes: u64,
    scanned: u64,
}

fn open(path: &Path) -> Result<gix::Repository, ScanError> {
    let mut repo = gix::discover(path).map_err(|e| ScanError::NotARepository {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    repo.object_cache_size_if_unset(32 << 20);
    Ok(repo)
}

fn git_err(path: &Path, e: impl std::fmt::Display) -> ScanError {
    ScanError::Git {
        path: path.to_owned(),
        what: e.to_string(),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC); times outside jiff's range (years
/// -9999..=9999, only from a forged commit) are clamped to it.
pub(crate) fn format_utc(secs: i64) -> String {
    let secs = secs.clamp(
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    jiff::Timestamp::from_second(secs)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

type Entries = Vec<(BString, gix::object::tree::EntryMode, ObjectId)>;

fn tree_entries(repo: &gix::Repository, id: ObjectId) -> Result<Entries, String> {
    if id.is_empty_tree() {
        return Ok(Vec::new());
    }
    let tree = repo.find_tree(id).map_err(|e| e.to_string())?;
    let decoded = tree.decode().map_err(|e| e.to_string())?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| (e.filename.to_owned(), e.mode, e.oid.to_owned()))
        .collect())
}

fn join(prefix: &str, name: &BString) -> String {
    let name = name.to_str_lossy();
    if prefix.is_empty() {
        name.into_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Blobs in `new` that are not in `old` at the same path with the same id.
#[allow(clippy::too_many_arguments)]
fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &str,
    commit: usize,
    seen: &mut HashSet<ObjectId>,
    jobs: &mut Vec<Job>,
    warnings: &mut Vec<ScanWarning>,
    subject: &str,
) {
    let new_entries = match tree_entries(repo, new) {
        Ok(e) => e,
        Err(e) => {
            warnings.push(ScanWarning {
                subject: format!("{subject}:{prefix}"),
                message: format!("unreadable tree {new}: {e}"),
            });
            return;
        }
    };
    let old_entries: HashMap<BString, (gix::object::tree::EntryMode, ObjectId)> = match old {
        None => HashMap::new(),
        Some(o) => match tree_entries(repo, o) {
            Ok(e) => e.into_iter().map(|(n, m, id)| (n, (m, id))).collect(),
            Err(_) => HashMap::new(),
        },
    };
    for (name, mode, id) in new_entries {
        let before = old_entries.get(&name);
        if before.is_some_and(|(m, oid)| *oid == id && *m == mode) {
            continue;
        }
        if mode.is_tree() {
            let old_sub = before.filter(|(m, _)| m.is_tree()).map(|(_, id)| *id);
            diff_trees(
                repo,
                old_sub,
                id,
                &join(prefix, &name),
                commit,
                seen,
                jobs,
                warnings,
                subject,
            );
        } else if mode.is_blob() {
            if !seen.insert(id) {
                continue;
            }
            let old_blob = before.filter(|(m, _)| m.is_blob()).map(|(_, id)| *id);
            jobs.push(Job {
                commit: Some(commit),
                path: join(prefix, &name),
                new: id,
                old: old_blob,
            });
        }
    }
}

fn flatten(
    repo: &gix::Repository,
    id: ObjectId,
    prefix: &str,
    out: &mut HashMap<String, ObjectId>,
) -> Result<(), String> {
    for (name, mode, oid) in tree_entries(repo, id)? {
        let path = join(prefix, &name);
        if mode.is_tree() {
            flatten(repo, oid, &path, out)?;
        } else if mode.is_blob() {
            out.insert(path, oid);
        }
    }
    Ok(())
}

/// For each line of `new` (split at `\n`), whether it is added: no line of `old` has the same
/// bytes. `None` when there is no previous version (every line is new).
fn added_lines(new: &[u8], old: &[u8]) -> Vec<bool> {
    let old_lines: HashSet<&[u8]> = old.split(|&b| b == b'\n').collect();
    new.split(|&b| b == b'\n')
        .map(|line| !old_lines.contains(line))
        .collect()
}

/// Whether the match on lines `first..=last` (1-based, keyword to value) of `new` is new in
/// this version. The match was found in the whole new version, so it lies within real content
/// of one version of the file (lines the previous version also had are never removed, which
/// let a keyword join a value lines away in vite's yarn.lock). It is new when it touches an
/// added line, or when its lines, all present before, were not together in `old`.
fn match_is_new(new: &[u8], old: &[u8], added: &[bool], first: u32, last: u32) -> bool {
    let first = (first as usize).saturating_sub(1);
    let last = (last as usize).saturating_sub(1).max(first);
    if added
        .get(first..=last.min(added.len().saturating_sub(1)))
        .is_none_or(|lines| lines.iter().any(|&a| a))
    {
        return true;
    }
    if first == last {
        return false;
    }
    let span: Vec<&[u8]> = new
        .split(|&b| b == b'\n')
        .skip(first)
        .take(last - first + 1)
        .collect();
    memchr::memmem::find(old, &span.join(&b'\n')).is_none()
}

fn run_job(
    repo: &gix::Repository,
    job: &Job,
    commits: &[CommitInfo],
    options: &Options,
    rules: &crate::RuleSet,
) -> JobResult {
    let mut r = JobResult::default();
    let subject = match job.commit {
        Some(c) => format!("{}:{}", &commits[c].id[..12], job.path),
        None => job.path.clone(),
    };
    if options.allow.path_excluded(&job.path) || options.excludes.excluded(&job.path) {
        return r;
    }
    match repo.find_header(job.new) {
        Ok(h) if h.size() > options.max_file_size => {
            r.large = 1;
            return r;
        }
        Ok(_) => {}
        Err(e) => {
            r.warnings.push(ScanWarning {
                subject,
                message: format!("unreadable blob {}: {e}", job.new),
            });
            return r;
        }
    }
    let data = match repo.find_object(job.new) {
        Ok(o) => o.detach().data,
        Err(e) => {
            r.warnings.push(ScanWarning {
                subject,
                message: format!("unreadable blob {}: {e}", job.new),
            });
            return r;
        }
    };
    if is_binary(&data) {
        r.binary = 1;
        return r;
    }
    r.scanned = 1;
    r.bytes = data.len() as u64;
    let old = match job.old.and_then(|o| repo.find_object(o).ok()) {
        Some(old) if !is_binary(&old.data) => {
            let added = added_lines(&data, &old.data);
            Some((old.detach().data, added))
        }
        _ => None,
    };
    let commit = job.commit.map(|c| &commits[c]);
    let origin = Origin {
        path: &job.path,
        commit,
    };
    for m in rules.scan(&data) {
        if let Some((old, added)) = &old
            && !match_is_new(&data, old, added, m.match_line, m.match_end_line)
        {
            continue;
        }
        r.findings.push((
            job.commit.unwrap_or(0),
            to_finding(rules, &m, &origin, options),
        ));
    }
    r
}

fn run_jobs(
    repo: gix::Repository,
    jobs: &[Job],
    commits: &[CommitInfo],
    options: &Options,
    outcome: &mut ScanOutcome,
) -> Result<(), ScanError> {
    let rules = options.ruleset()?;
    let sync = repo.into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads())
        .build()
        .map_err(|e| ScanError::Git {
            path: sync.path().to_owned(),
            what: format!("thread pool: {e}"),
        })?;
    let results: Vec<JobResult> = pool.install(|| {
        jobs.par_iter()
            .map_init(
                || sync.to_thread_local(),
                |repo, job| run_job(repo, job, commits, options, &rules),
            )
            .collect()
    });
    let mut all: Vec<(usize, Finding)> = Vec::new();
    for r in results {
        outcome.stats.skipped_binary += r.binary;
        outcome.stats.skipped_large += r.large;
        outcome.stats.bytes_scanned += r.bytes;
        outcome.stats.blobs_scanned += r.scanned;
        outcome.stats.files_scanned += r.scanned;
        outcome.warnings.extend(r.warnings);
        all.extend(r.findings);
    }
    // the oldest commit that holds a secret at a path introduced it
    all.sort_by_key(|(c, _)| *c);
    let mut fps = HashSet::new();
    outcome.findings = all
        .into_iter()
        .filter(|(_, f)| fps.insert(f.fingerprint.clone()))
        .map(|(_, f)| f)
        .collect();
    outcome.sort();
    Ok(())
}

/// Scan every commit reachable from every reference (and `HEAD`), oldest first. Each commit's
/// tree is compared with its first parent's; only blobs that are new there are scanned, each
/// blob once, and within a changed blob only the lines its previous version did not have. A
/// secret deleted in a later commit is still reported, with the commit that introduced it.
pub fn scan_git_history(path: &Path, options: &Options) -> Result<ScanOutcome, ScanError> {
    let repo = open(path)?;
    let mut outcome = ScanOutcome::default();
    let mut tips: Vec<ObjectId> = Vec::new();
    let platform = repo.references().map_err(|e| git_err(path, e))?;
    for reference in platform.all().map_err(|e| git_err(path, e))? {
        match reference {
            Ok(mut r) => match r.peel_to_id() {
                Ok(id) => {
                    if repo.find_header(id).is_ok_and(|h| h.kind().is_commit()) {
                        tips.push(id.detach());
                    }
                }
                Err(e) => outcome.warnings.push(ScanWarning {
                    subject: r.name().as_bstr().to_string(),
                    message: format!("could not resolve reference: {e}"),
                }),
            },
            Err(e) => outcome.warnings.push(ScanWarning {
                subject: "refs".into(),
                message: format!("unreadable reference: {e}"),
            }),
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(outcome);
    }
    // collect every reachable commit with its tree, first parent and time
    struct C {
        id: ObjectId,
        tree: ObjectId,
        parent: Option<ObjectId>,
        time: i64,
    }
    let mut list: Vec<C> = Vec::new();
    let walk = repo.rev_walk(tips).all().map_err(|e| git_err(path, e))?;
    for info in walk {
        let info = match info {
            Ok(i) => i,
            Err(e) => {
                outcome.warnings.push(ScanWarning {
                    subject: "history".into(),
                    message: format!("commit walk stopped early: {e}"),
                });
                break;
            }
        };
        let commit = match repo.find_commit(info.id) {
            Ok(c) => c,
            Err(e) => {
                outcome.warnings.push(ScanWarning {
                    subject: info.id.to_string(),
                    message: format!("unreadable commit: {e}"),
                });
                continue;
            }
        };
        let decoded = match commit.decode() {
            Ok(d) => d,
            Err(e) => {
                outcome.warnings.push(ScanWarning {
                    subject: info.id.to_string(),
                    message: format!("corrupt commit: {e}"),
                });
                continue;
            }
        };
        let time = decoded.time().map(|t| t.seconds).unwrap_or(0);
        list.push(C {
            id: info.id,
            tree: decoded.tree(),
            parent: decoded.parents().next(),
            time,
        });
    }
    list.sort_by_key(|c| c.time);
    let trees: HashMap<ObjectId, ObjectId> = list.iter().map(|c| (c.id, c.tree)).collect();
    let commits: Vec<CommitInfo> = list
        .iter()
        .map(|c| CommitInfo {
            id: c.id.to_string(),
            date: format_utc(c.time),
        })
        .collect();
    let mut seen = HashSet::new();
    let mut jobs = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let parent_tree = c.parent.and_then(|p| trees.get(&p).copied());
        diff_trees(
            &repo,
            parent_tree,
            c.tree,
            "",
            i,
            &mut seen,
            &mut jobs,
            &mut outcome.warnings,
            &commits[i].id[..12],
        );
    }
    outcome.stats.commits_scanned = list.len() as u64;
    run_jobs(repo, &jobs, &commits, options, &mut outcome)?;
    Ok(outcome)
}

/// Scan what is staged: index entries whose blob differs from `HEAD`'s (all entries when
/// `HEAD` is unborn), and within a changed file only lines `HEAD`'s version did not have.
/// Paths are relative to the repository's work tree.
pub fn scan_staged(path: &Path, options: &Options) -> Result<ScanOutcome, ScanError> {
    let repo = open(path)?;
    let mut outcome = ScanOutcome::default();
    let head_tree = repo
        .head_tree_id_or_empty()
        .map_err(|e| git_err(path, e))?
        .detach();
    let mut head = HashMap::new();
    flatten(&repo, head_tree, "", &mut head)
        .map_err(|e| git_err(path, format!("HEAD tree: {e}")))?;
    let index = repo.index_or_empty().map_err(|e| git_err(path, e))?;
    let mut jobs = Vec::new();
    for entry in index.entries() {
        if entry.mode.is_submodule() || entry.mode.is_sparse() {
            continue;
        }
        let p = entry.path(&index).to_str_lossy().into_owned();
        let old = head.get(&p).copied();
        if old == Some(entry.id) {
            continue;
        }
        jobs.push(Job {
            commit: None,
            path: p,
            new: entry.id,
            old,
        });
    }
    run_jobs(repo, &jobs, &[], options, &mut outcome)?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn added_lines_and_matches() {
        let (new, old) = (&b"a\nb\nc"[..], &b"a\nc"[..]);
        let added = added_lines(new, old);
        assert_eq!(added, [false, true, false]);
        assert!(match_is_new(new, old, &added, 2, 2));
        assert!(match_is_new(new, old, &added, 1, 3));
        assert!(!match_is_new(new, old, &added, 1, 1));
        assert!(!match_is_new(new, old, &added, 3, 3));
        // lines that were all there before, but not together
        let (new, old) = (&b"k\nv\nr"[..], &b"k\nr\nv"[..]);
        let added = added_lines(new, old);
        assert!(match_is_new(new, old, &added, 1, 2));
        assert!(!match_is_new(new, old, &added, 2, 2));
    }
}
