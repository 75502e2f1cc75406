//! `cargo auditable` data (the `.dep-v0` section), recognised by content in a stream and
//! confirmed against the ELF section table at the end.
//!
//! - Every package of the audit data is a `pkg:cargo/NAME@VERSION` component, with its
//!   dependencies (indices into the list) as edges.
//! - `"source": "local"` packages are the project's own crates (first-party, never matched
//!   against advisories under a registry crate's name); the `"root": true` package is the
//!   binary's crate, the inventory's root when the binary is the scanned file.
//! - `"kind": "build"` packages (build scripts, proc macros and what only they use) ran when
//!   the binary was built and are not in it: they get scope `dev`, as a lockfile's development
//!   packages do.
//! - The data is rejected as a whole, with a warning, when a dependency index is out of range
//!   or the JSON does not have the `auditable-serde` shape.

use flate2::{Decompress, FlushDecompress, Status};
use serde::Deserialize;

use super::elf::Table;
use super::{BinaryError, MAX_AUDIT_JSON, MAX_TRIALS, Scan, TRIAL_INPUT};
use crate::{Ecosystem, Package, PackageRef, Scope};

/// What the inflated data must begin with.
const PREFIX: &[u8] = b"{\"packages\"";
/// Streams inflated to their end, per file (each capped at [`MAX_AUDIT_JSON`]): the section and
/// one more (an embedded copy); a third is counted as not tried.
pub const MAX_FULL: usize = 2;
/// A trial takes at most `TRIAL_INPUT + 1` input bytes, so one started this far before a new
/// candidate has ended.
const TRIAL_WINDOW: u64 = TRIAL_INPUT + 2;

struct Trial {
    offset: u64,
    dec: Decompress,
    out: Vec<u8>,
}

struct Full {
    offset: u64,
    dec: Decompress,
    out: Vec<u8>,
}

/// Every zlib stream whose first output is `{"packages"`, inflated to its end.
#[derive(Default)]
pub(crate) struct Finder {
    prev: Option<u8>,
    trials: Vec<Trial>,
    full: Vec<Full>,
    /// Finished streams: offset, then the JSON or why it could not be inflated.
    done: Vec<(u64, Result<Vec<u8>, BinaryError>)>,
    /// Inflaters kept for reuse (one allocation per concurrent trial, not per candidate).
    pool: Vec<Decompress>,
    /// Offsets of the candidates tried in the last [`TRIAL_WINDOW`] bytes: at most
    /// [`MAX_TRIALS`], decided by position alone so the result never depends on the chunking.
    recent: std::collections::VecDeque<u64>,
    /// Streams promoted to a full inflate so far (at most [`MAX_FULL`]).
    promoted: usize,
    dropped: u64,
    first_dropped: u64,
}

/// A zlib header: deflate with a window of at most 32 KiB, check bits right, no dictionary.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8
        && cmf >> 4 <= 7
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
        && flg & 0x20 == 0
}

enum Step {
    /// Needs more input.
    More,
    /// Not audit data (or the trial ran out of input): dropped.
    Drop,
    /// Its output starts with the prefix: inflate to the end; `usize` input bytes were used.
    Promote(usize),
}

impl Trial {
    fn step(&mut self, input: &[u8]) -> Step {
        let mut used = 0;
        loop {
            let (before_in, before_out) = (self.dec.total_in(), self.dec.total_out());
            let room = PREFIX.len() - self.out.len();
            let mut buf = [0u8; 16];
            // Never past TRIAL_INPUT + 1 bytes of input, whatever the chunk.
            let limit = (TRIAL_INPUT + 1).saturating_sub(self.dec.total_in()) as usize;
            if limit == 0 {
                return Step::Drop;
            }
            let slice = &input[used..input.len().min(used + limit)];
            let status = self
                .dec
                .decompress(slice, &mut buf[..room], FlushDecompress::None);
            let took = (self.dec.total_in() - before_in) as usize;
            let made = ((self.dec.total_out() - before_out) as usize).min(room);
            used += took;
            self.out.extend_from_slice(&buf[..made]);
            if !PREFIX.starts_with(&self.out) {
                return Step::Drop;
            }
            if self.out.len() == PREFIX.len() {
                return Step::Promote(used);
            }
            if self.dec.total_in() > TRIAL_INPUT {
                return Step::Drop;
            }
            match status {
                Ok(Status::Ok | Status::BufError) if used == input.len() => return Step::More,
                Ok(Status::Ok | Status::BufError) if took > 0 || made > 0 => {}
                _ => return Step::Drop,
            }
        }
    }
}

impl Full {
    /// Inflates `input`; `Some` when the stream ended (or failed).
    fn step(&mut self, input: &[u8]) -> Option<Result<Vec<u8>, BinaryError>> {
        let mut used = 0;
        loop {
            if self.out.len() == self.out.capacity() {
                let left = MAX_AUDIT_JSON.saturating_sub(self.out.len());
                if left == 0 {
                    return Some(Err(BinaryError::AuditableTooLarge {
                        offset: self.offset,
                        cap: MAX_AUDIT_JSON,
                    }));
                }
                self.out.reserve_exact(left.min(64 * 1024));
            }
            let before_in = self.dec.total_in();
            let before_out = self.out.len();
            let status =
                self.dec
                    .decompress_vec(&input[used..], &mut self.out, FlushDecompress::None);
            let took = (self.dec.total_in() - before_in) as usize;
            used += took;
            let made = self.out.len() - before_out;
            match status {
                Ok(Status::StreamEnd) => return Some(Ok(std::mem::take(&mut self.out))),
                Ok(_) if self.out.len() == self.out.capacity() => {}
                Ok(_) if used == input.len() => return None,
                Ok(_) if made == 0 && took == 0 => {
                    return Some(Err(BinaryError::AuditableZlib {
                        offset: self.offset,
                        reason: "no progress".to_owned(),
                    }));
                }
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(BinaryError::AuditableZlib {
                        offset: self.offset,
                        reason: e.message().unwrap_or("invalid deflate data").to_owned(),
                    }));
                }
            }
        }
    }
}

impl Finder {
    fn start(&mut self, offset: u64, input_parts: [&[u8]; 2]) {
        while self
            .recent
            .front()
            .is_some_and(|&o| o + TRIAL_WINDOW <= offset)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= MAX_TRIALS {
            if self.dropped == 0 {
                self.first_dropped = offset;
            }
            self.dropped += 1;
            return;
        }
        self.recent.push_back(offset);
        let dec = match self.pool.pop() {
            Some(mut d) => {
                d.reset(true);
                d
            }
            None => Decompress::new(true),
        };
        let mut trial = Trial {
            offset,
            dec,
            out: Vec::with_capacity(PREFIX.len()),
        };
        let mut promoted = None;
        let mut keep = true;
        for (k, part) in input_parts.iter().enumerate() {
            match trial.step(part) {
                Step::More => {}
                Step::Drop => {
                    keep = false;
                    break;
                }
                Step::Promote(used) => {
                    promoted = Some((k, used));
                    break;
                }
            }
        }
        if let Some((k, used)) = promoted {
            self.promote(
                trial,
                &input_parts[k][used..],
                input_parts.get(k + 1).copied(),
            );
        } else if keep {
            self.trials.push(trial);
        } else {
            self.pool.push(trial.dec);
        }
    }

    fn promote(&mut self, trial: Trial, rest: &[u8], after: Option<&[u8]>) {
        if self.promoted >= MAX_FULL {
            if self.dropped == 0 {
                self.first_dropped = trial.offset;
            }
            self.dropped += 1;
            self.pool.push(trial.dec);
            return;
        }
        self.promoted += 1;
        let mut full = Full {
            offset: trial.offset,
            dec: trial.dec,
            out: trial.out,
        };
        for part in std::iter::once(rest).chain(after) {
            if let Some(result) = full.step(part) {
                self.done.push((full.offset, result));
                return;
            }
        }
        self.full.push(full);
    }

    pub(crate) fn feed(&mut self, pos: u64, chunk: &[u8]) {
        // Streams already running take the whole chunk.
        let mut i = 0;
        while i < self.full.len() {
            match self.full[i].step(chunk) {
                Some(result) => {
                    let f = self.full.swap_remove(i);
                    self.done.push((f.offset, result));
                }
                None => i += 1,
            }
        }
        let trials = std::mem::take(&mut self.trials);
        for mut t in trials {
            match t.step(chunk) {
                Step::More => self.trials.push(t),
                Step::Drop => self.pool.push(t.dec),
                Step::Promote(used) => self.promote(t, &chunk[used..], None),
            }
        }
        // New candidates: a header split across chunks, then every header inside this one.
        if let (Some(prev), Some(&first)) = (self.prev, chunk.first())
            && is_zlib_header(prev, first)
        {
            self.start(pos - 1, [&[prev], chunk]);
        }
        for j in 0..chunk.len().saturating_sub(1) {
            if is_zlib_header(chunk[j], chunk[j + 1]) {
                self.start(pos + j as u64, [&chunk[j..], &[]]);
            }
        }
        self.prev = chunk.last().copied();
    }

    pub(crate) fn finish(mut self, _file_len: u64, table: Table, scan: &mut Scan) {
        for f in self.full.drain(..) {
            self.done.push((
                f.offset,
                Err(BinaryError::AuditableTruncated { offset: f.offset }),
            ));
        }
        self.done.sort_by_key(|(o, _)| *o);
        let mut read_any = false;
        for (offset, result) in self.done {
            match &table {
                Ok(starts) if !starts.contains(&offset) => {
                    scan.problems
                        .push(BinaryError::AuditableNotASection { offset });
                    continue;
                }
                Ok(_) => {}
                Err(reason) => scan.problems.push(BinaryError::AuditableUnconfirmed {
                    offset,
                    reason: reason.clone(),
                }),
            }
            match result.and_then(|json| packages(offset, &json)) {
                Ok(p) => {
                    read_any = true;
                    scan.packages.extend(p);
                }
                Err(e) => scan.problems.push(e),
            }
        }
        if self.dropped > 0 && !read_any {
            scan.problems.push(BinaryError::TrialsDropped {
                count: self.dropped,
                first: self.first_dropped,
                max: MAX_TRIALS,
            });
        }
    }
}

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    source: String,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    dependencies: Vec<usize>,
    #[serde(default)]
    root: bool,
}

#[derive(Deserialize, Default, PartialEq, Eq, Clone, Copy)]
enum Kind {
    #[serde(rename = "build")]
    Build,
    #[default]
    #[serde(rename = "runtime")]
    Runtime,
}

/// The components of one piece of inflated audit data.
pub fn packages(offset: u64, json: &[u8]) -> Result<Vec<Package>, BinaryError> {
    let info: VersionInfo =
        serde_json::from_slice(json).map_err(|e| BinaryError::AuditableJson {
            offset,
            reason: e.to_string(),
        })?;
    let count = info.packages.len();
    for (index, p) in info.packages.iter().enumerate() {
        if let Some(&dependency) = p.dependencies.iter().find(|&&d| d >= count) {
            return Err(BinaryError::AuditableDependency {
                offset,
                index,
                dependency,
                count,
            });
        }
        if p.name.is_empty() || p.version.is_empty() {
            return Err(BinaryError::AuditableJson {
                offset,
                reason: format!("package {index} has an empty name or version"),
            });
        }
    }
    let out = info
        .packages
        .iter()
        .map(|p| {
            let mut package = Package::new(Ecosystem::Cargo, &p.name, &p.version);
            package.first_party = p.source == "local";
            package.root = p.root && package.first_party;
            if p.kind == Kind::Build {
                package.scope = Scope::Dev;
            }
            package.dependencies = p
                .dependencies
                .iter()
                .map(|&d| PackageRef {
                    name: info.packages[d].name.clone(),
                    version: Some(info.packages[d].version.clone()),
                })
                .collect();
            package
        })
        .collect();
    Ok(out)
}
