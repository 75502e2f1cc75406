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
use super::{BinaryError, MAX_AUDIT_JSON, Scan, TRIAL_INPUT};
use crate::{Ecosystem, Package, PackageRef, Scope};

/// What the inflated data must begin with.
const PREFIX: &[u8] = b"{\"packages\"";
/// Streams inflated to their end, per file (each capped at [`MAX_AUDIT_JSON`]): the section and
/// one more (an embedded copy); a third is reported, not read.
pub const MAX_FULL: usize = 2;

struct Full {
    offset: u64,
    dec: Decompress,
    out: Vec<u8>,
}

/// Every zlib stream whose first output is `{"packages"`, inflated to its end.
///
/// Candidates are tried one at a time, in file order, each over its first
/// [`TRIAL_INPUT`] + 1 bytes: the finder keeps a window of the last bytes of the stream (at
/// most that many plus one chunk) and tries a candidate once the window holds them (or at the
/// end of the file). One inflater serves every trial; a trial is decided by those bytes
/// alone, so the result never depends on the chunking, and no candidate is ever skipped.
pub(crate) struct Finder {
    /// Bytes `[window_start, pos)` of the file.
    window: Vec<u8>,
    window_start: u64,
    /// Zlib headers found, not yet tried (ascending offsets).
    pending: std::collections::VecDeque<u64>,
    trial: Decompress,
    full: Vec<Full>,
    /// Finished streams: offset, then the JSON or why it could not be inflated.
    done: Vec<(u64, Result<Vec<u8>, BinaryError>)>,
    /// Streams promoted to a full inflate so far (at most [`MAX_FULL`]).
    promoted: usize,
    /// Audit-data streams past [`MAX_FULL`]: how many, and the first one's offset.
    extra: u64,
    first_extra: u64,
}

impl Default for Finder {
    fn default() -> Self {
        Self {
            window: Vec::new(),
            window_start: 0,
            pending: std::collections::VecDeque::new(),
            trial: Decompress::new(true),
            full: Vec::new(),
            done: Vec::new(),
            promoted: 0,
            extra: 0,
            first_extra: 0,
        }
    }
}

/// A zlib header as `cargo auditable` (miniz_oxide) and zlib write it: deflate with a 32 KiB
/// window (`0x78`), check bits right, no preset dictionary.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf == 0x78 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0 && flg & 0x20 == 0
}

/// Bytes a trial may read: the header and then [`TRIAL_INPUT`] more at most.
const TRIAL_LEN: usize = TRIAL_INPUT as usize + 1;

/// Tries the zlib stream at the start of `input` (at most [`TRIAL_LEN`] bytes): whether its
/// first output is [`PREFIX`].
fn trial(dec: &mut Decompress, input: &[u8]) -> bool {
    // The first deflate block type 3 does not exist: most candidates end here.
    if input.get(2).is_some_and(|b| (b >> 1) & 3 == 3) {
        return false;
    }
    dec.reset(true);
    let mut out = [0u8; 16];
    let mut have = 0;
    let mut used = 0;
    while have < PREFIX.len() {
        let (before_in, before_out) = (dec.total_in(), dec.total_out());
        let status = dec.decompress(
            &input[used..],
            &mut out[have..PREFIX.len()],
            FlushDecompress::None,
        );
        let took = (dec.total_in() - before_in) as usize;
        let made = (dec.total_out() - before_out) as usize;
        used += took;
        have += made;
        if out[..have] != PREFIX[..have] {
            return false;
        }
        match status {
            Ok(Status::Ok | Status::BufError) if took > 0 || made > 0 => {}
            _ => break,
        }
    }
    have == PREFIX.len()
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
    /// Tries every pending candidate whose bytes the window holds (all of them at the end).
    fn try_pending(&mut self, at_end: bool) {
        let end = self.window_start + self.window.len() as u64;
        while let Some(&q) = self.pending.front() {
            if !at_end && q + TRIAL_LEN as u64 > end {
                break;
            }
            self.pending.pop_front();
            let from = (q - self.window_start) as usize;
            let input = &self.window[from..self.window.len().min(from + TRIAL_LEN)];
            if !trial(&mut self.trial, input) {
                continue;
            }
            if self.promoted >= MAX_FULL {
                if self.extra == 0 {
                    self.first_extra = q;
                }
                self.extra += 1;
                continue;
            }
            self.promoted += 1;
            let mut full = Full {
                offset: q,
                dec: Decompress::new(true),
                out: Vec::new(),
            };
            // The whole stream so far, from its header.
            match full.step(&self.window[from..]) {
                Some(result) => self.done.push((q, result)),
                None => self.full.push(full),
            }
        }
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
        // Keep what pending candidates and a header split across chunks still need.
        let keep_from = self
            .pending
            .front()
            .copied()
            .unwrap_or(pos)
            .min(pos.saturating_sub(1))
            .max(self.window_start);
        self.window
            .drain(..(keep_from - self.window_start) as usize);
        self.window_start = keep_from;
        let old_end = self.window.len();
        self.window.extend_from_slice(chunk);
        // New candidates: from the byte before this chunk (a split header) on.
        let scan_from = old_end.saturating_sub(1);
        for j in scan_from..self.window.len().saturating_sub(1) {
            if is_zlib_header(self.window[j], self.window[j + 1]) {
                self.pending.push_back(self.window_start + j as u64);
            }
        }
        self.try_pending(false);
        // Streams promoted here took the window to its end, this chunk included.
    }

    pub(crate) fn finish(mut self, _file_len: u64, table: Table, scan: &mut Scan) {
        self.try_pending(true);
        for f in self.full.drain(..) {
            self.done.push((
                f.offset,
                Err(BinaryError::AuditableTruncated { offset: f.offset }),
            ));
        }
        self.done.sort_by_key(|(o, _)| *o);
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
                Ok(p) => scan.packages.extend(p),
                Err(e) => scan.problems.push(e),
            }
        }
        if self.extra > 0 {
            scan.problems.push(BinaryError::AuditableTooMany {
                count: self.extra,
                first: self.first_extra,
                max: MAX_FULL,
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
