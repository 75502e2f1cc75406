//! Components compiled into executables: Go build info and Rust `cargo auditable` data, read by
//! one incremental [`Scanner`] that is fed a file's bytes in chunks ([`Scanner::feed`],
//! [`Scanner::finish`]), so a file is read once, as a stream (an image layer), and never held in
//! memory.
//!
//! - **Go** (`go version -m`'s data): the build info blob starts with the magic
//!   `\xff Go buildinf:` at a 16-byte aligned file offset. Go 1.18 and later write the toolchain
//!   version and the module list inline (flag bit 2), as two varint-prefixed strings after a
//!   32-byte header; older binaries hold pointers into the data segment instead, which cannot be
//!   followed in a stream: that is a warning (`go binary built with go < 1.18: build info not
//!   read`), never a silent skip. The blob read is capped at [`MAX_GO_BUILD_INFO`]. See
//!   [`go`] for the components (main module, `dep`, `=>` replacements, the standard library).
//! - **Rust** (`cargo auditable`): the `.dep-v0` ELF section holds zlib-compressed JSON
//!   (`{"packages":[…]}`, format of `auditable-serde`). The ELF section table sits at the end of
//!   the file, after the sections it describes, so a single pass cannot look a section up by
//!   name. Instead the scanner recognises the section by its content while streaming: every
//!   zlib header (`0x78`, valid check bits, no dictionary) is tried: inflated until its first
//!   output is not `{"packages"`, or for [`TRIAL_INPUT`] input bytes at most. A stream that
//!   passes is inflated to its end (capped at [`MAX_AUDIT_JSON`], zip bombs) and kept with its
//!   file offset. The ELF header (first 64 bytes) says where the section table is; when the
//!   stream passes it, the table is kept (capped at [`MAX_SECTION_TABLE`]) and at the end a
//!   candidate is taken only if an ELF section starts at its exact offset. A zlib stream of
//!   audit JSON that is not a section of this file (an embedded copy) is left out with a
//!   warning. The section's *name* is not read (the name table usually lies before the section
//!   table, already passed): the content and the section boundary identify it.
//!
//! Memory: O(chunk) per call, plus at most [`MAX_GO_BUILD_INFO`] for the Go blob,
//! [`MAX_SECTION_TABLE`], a window of [`TRIAL_INPUT`] bytes plus one chunk for trial
//! inflates (tried one at a time with one inflater), and [`MAX_AUDIT_JSON`] of inflated audit
//! data for each of at most [`rust::MAX_FULL`] streams: about 20 MiB at the very worst,
//! whatever the size of the file, and a few hundred KiB for real binaries. The result does not
//! depend on the chunk sizes.
//!
//! ```
//! use vouch_inventory::binary::Scanner;
//! let mut s = Scanner::new();
//! s.feed(b"\x7fELF not much of a binary");
//! let scan = s.finish();
//! assert!(scan.packages.is_empty() && scan.problems.is_empty());
//! ```

pub mod go;
pub mod rust;

use crate::{Package, ParseWarning, Parsed};

/// Largest Go build info blob read (header, version and module list): 1 MiB.
pub const MAX_GO_BUILD_INFO: usize = 1024 * 1024;
/// Largest inflated `cargo auditable` JSON, per zlib stream (at most [`rust::MAX_FULL`] per
/// file): 8 MiB (what `cargo auditable`'s PARSING.md suggests).
pub const MAX_AUDIT_JSON: usize = 8 * 1024 * 1024;
/// Largest ELF section header table kept: 1 MiB (16384 sections of 64 bytes).
pub const MAX_SECTION_TABLE: usize = 1024 * 1024;
/// Input a trial inflate may take before its output must have shown `{"packages"`.
pub const TRIAL_INPUT: u64 = 4096;
/// The chunk size [`scan_reader`] and [`scan_bytes`] feed.
pub const CHUNK: usize = 64 * 1024;

/// What made a binary's components unreadable, in whole or in part. Each names the file offset
/// of the data it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BinaryError {
    #[error("go binary built with go < 1.18: build info not read")]
    GoPointerFormat { offset: u64 },
    #[error(
        "go build info at offset {offset} is truncated: it needs {needed} bytes, the file ends after {found}"
    )]
    GoTruncated {
        offset: u64,
        needed: u64,
        found: u64,
    },
    #[error(
        "go build info at offset {offset} claims a {length}-byte {field}, over the {cap}-byte cap"
    )]
    GoTooLong {
        offset: u64,
        field: &'static str,
        length: u64,
        cap: usize,
    },
    #[error("go build info at offset {offset} has a malformed length before its {field}")]
    GoBadLength { offset: u64, field: &'static str },
    #[error("go build info at offset {offset}: the {field} is not UTF-8")]
    GoNotUtf8 { offset: u64, field: &'static str },
    #[error("go build info at offset {offset}: line {line}: {reason}")]
    GoLine {
        offset: u64,
        line: u32,
        reason: String,
    },
    #[error(
        "go binary built with `{version}`, not a go release: the standard library is not listed"
    )]
    GoToolchainNotRelease { version: String },
    #[error("go build info at offset {offset} has no module list (built outside module mode)")]
    GoNoModules { offset: u64 },
    #[error("cargo auditable data at offset {offset}: corrupt zlib stream: {reason}")]
    AuditableZlib { offset: u64, reason: String },
    #[error(
        "cargo auditable data at offset {offset}: the zlib stream is cut off by the end of the file"
    )]
    AuditableTruncated { offset: u64 },
    #[error("cargo auditable data at offset {offset} inflates past the {cap}-byte cap")]
    AuditableTooLarge { offset: u64, cap: usize },
    #[error("cargo auditable data at offset {offset} is not valid audit JSON: {reason}")]
    AuditableJson { offset: u64, reason: String },
    #[error(
        "cargo auditable data at offset {offset}: package {index} depends on package {dependency}, but there are {count}"
    )]
    AuditableDependency {
        offset: u64,
        index: usize,
        dependency: usize,
        count: usize,
    },
    #[error(
        "zlib stream of cargo auditable JSON at offset {offset} is not an ELF section of this file (an embedded copy?); not read"
    )]
    AuditableNotASection { offset: u64 },
    #[error(
        "cargo auditable data at offset {offset} read without the ELF section table to confirm it: {reason}"
    )]
    AuditableUnconfirmed { offset: u64, reason: String },
    #[error(
        "{count} more zlib stream(s) of cargo auditable JSON not read: over {max} per file (first at offset {first})"
    )]
    AuditableTooMany { count: u64, first: u64, max: usize },
}

impl BinaryError {
    /// As a [`ParseWarning`] (the file's path is added by the caller).
    pub fn to_warning(&self) -> ParseWarning {
        ParseWarning {
            line: None,
            column: None,
            message: self.to_string(),
        }
    }
}

/// What one binary holds: its components and every problem met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub packages: Vec<Package>,
    pub problems: Vec<BinaryError>,
}

impl Scan {
    /// As a parser's result: problems become warnings.
    pub fn into_parsed(self) -> Parsed {
        Parsed {
            packages: self.packages,
            warnings: self.problems.iter().map(BinaryError::to_warning).collect(),
        }
    }
}

/// The incremental scanner: feed a file's bytes in order, in chunks of any size, then finish.
pub struct Scanner {
    /// File offset of the next byte fed.
    pos: u64,
    /// The first 64 bytes (the ELF header).
    head: Vec<u8>,
    elf: Option<elf::Header>,
    /// The section header table, collected as the stream passes it.
    sections: elf::TableCollect,
    go: go::Finder,
    rust: rust::Finder,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    pub fn new() -> Self {
        Self {
            pos: 0,
            head: Vec::with_capacity(64),
            elf: None,
            sections: elf::TableCollect::default(),
            go: go::Finder::default(),
            rust: rust::Finder::default(),
        }
    }

    /// Feeds the next bytes of the file.
    pub fn feed(&mut self, chunk: &[u8]) {
        if chunk.is_empty() {
            return;
        }
        if self.head.len() < 64 {
            let take = (64 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
            if self.head.len() == 64 {
                self.elf = elf::Header::parse(&self.head);
                if let Some(h) = &self.elf {
                    self.sections.start(h);
                    // A table that starts inside the header's bytes (a hostile header) began
                    // in chunks already fed.
                    let before = usize::try_from(self.pos).unwrap_or(0).min(self.head.len());
                    self.sections.feed(0, &self.head[..before]);
                }
            }
        }
        self.sections.feed(self.pos, chunk);
        self.go.feed(self.pos, chunk);
        self.rust.feed(self.pos, chunk);
        self.pos += chunk.len() as u64;
    }

    /// Every component found, and every problem.
    pub fn finish(self) -> Scan {
        let mut scan = Scan::default();
        self.go.finish(self.pos, &mut scan);
        let table = self.sections.finish(self.elf.as_ref(), self.pos);
        self.rust.finish(self.pos, table, &mut scan);
        scan
    }
}

/// Scans bytes already in memory, fed in [`CHUNK`]s (the same path as a stream).
pub fn scan_bytes(bytes: &[u8]) -> Scan {
    let mut s = Scanner::new();
    for chunk in bytes.chunks(CHUNK) {
        s.feed(chunk);
    }
    s.finish()
}

/// Scans a reader to its end in [`CHUNK`]s.
pub fn scan_reader(mut reader: impl std::io::Read) -> std::io::Result<Scan> {
    let mut s = Scanner::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        s.feed(&buf[..n]);
    }
    Ok(s.finish())
}

/// Section names that hold components: Go's build info and `cargo auditable` data.
const COMPONENT_SECTIONS: [&[u8]; 2] = [b".go.buildinfo", b".dep-v0"];

/// For a file that can be read anywhere (a directory, not a stream): `false` when its ELF
/// section table is readable and names neither `.go.buildinfo` (every Go 1.13+ ELF binary has
/// it) nor `.dep-v0`, so the file holds no components and need not be streamed; `true` when it
/// names one, or when the table or its names cannot be read (then the file is streamed whole,
/// as from an image layer). Reads the ELF header, the section table and the name table only,
/// each within [`MAX_SECTION_TABLE`].
pub fn may_hold_components(
    file: &mut (impl std::io::Read + std::io::Seek),
) -> std::io::Result<bool> {
    use std::io::SeekFrom;
    let mut head = [0u8; 64];
    let n = read_up_to(file, &mut head)?;
    let Some(h) = elf::Header::parse(&head[..n]) else {
        return Ok(true);
    };
    let entsize = usize::from(h.shentsize);
    if h.shoff == 0
        || h.shnum == 0
        || h.shstrndx >= h.shnum
        || entsize < if h.is64 { 64 } else { 40 }
        || h.table_len() > MAX_SECTION_TABLE as u64
    {
        return Ok(true);
    }
    let mut table = vec![0u8; h.table_len() as usize];
    file.seek(SeekFrom::Start(h.shoff))?;
    if read_up_to(file, &mut table)? < table.len() {
        return Ok(true);
    }
    let entries: Vec<elf::Entry> = table.chunks_exact(entsize).map(|e| h.entry(e)).collect();
    let names = &entries[usize::from(h.shstrndx)];
    // Not a string table (SHT_STRTAB), or an empty one: the table cannot be trusted.
    if names.kind != 3 || names.size == 0 || names.size > MAX_SECTION_TABLE as u64 {
        return Ok(true);
    }
    let mut strtab = vec![0u8; names.size as usize];
    file.seek(SeekFrom::Start(names.offset))?;
    if read_up_to(file, &mut strtab)? < strtab.len() {
        return Ok(true);
    }
    Ok(entries.iter().any(|e| {
        let start = e.name as usize;
        strtab.get(start..).is_some_and(|rest| {
            let name = rest.split(|&b| b == 0).next().unwrap_or(rest);
            COMPONENT_SECTIONS.contains(&name)
        })
    }))
}

fn read_up_to(file: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Whether a file's first bytes are an ELF header (the files the inventory scans).
pub fn is_elf(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
}

pub(crate) mod elf {
    //! Just enough ELF: where the section header table is, and the sections' file offsets.

    /// The fields of the ELF header the scanner needs.
    #[derive(Debug, Clone, Copy)]
    pub struct Header {
        pub is64: bool,
        pub little: bool,
        pub shoff: u64,
        pub shentsize: u16,
        pub shnum: u16,
        /// The section holding the section names.
        pub shstrndx: u16,
    }

    impl Header {
        /// From the first 64 bytes; `None` for anything but a 32/64-bit ELF header.
        pub fn parse(h: &[u8]) -> Option<Self> {
            if !h.starts_with(b"\x7fELF") || h.len() < 52 {
                return None;
            }
            let is64 = match h[4] {
                1 => false,
                2 => true,
                _ => return None,
            };
            let little = match h[5] {
                1 => true,
                2 => false,
                _ => return None,
            };
            let u16_at = |o: usize| {
                let b = [h[o], h[o + 1]];
                if little {
                    u16::from_le_bytes(b)
                } else {
                    u16::from_be_bytes(b)
                }
            };
            let u32_at = |o: usize| {
                let b = [h[o], h[o + 1], h[o + 2], h[o + 3]];
                if little {
                    u32::from_le_bytes(b)
                } else {
                    u32::from_be_bytes(b)
                }
            };
            let (shoff, shentsize, shnum, shstrndx) = if is64 {
                if h.len() < 64 {
                    return None;
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&h[40..48]);
                let shoff = if little {
                    u64::from_le_bytes(b)
                } else {
                    u64::from_be_bytes(b)
                };
                (shoff, u16_at(58), u16_at(60), u16_at(62))
            } else {
                (u64::from(u32_at(32)), u16_at(46), u16_at(48), u16_at(50))
            };
            Some(Self {
                is64,
                little,
                shoff,
                shentsize,
                shnum,
                shstrndx,
            })
        }

        pub fn table_len(&self) -> u64 {
            u64::from(self.shentsize) * u64::from(self.shnum)
        }
    }

    /// One section header: where its name is in the name table, and where it lies.
    pub struct Entry {
        pub name: u32,
        pub kind: u32,
        pub offset: u64,
        pub size: u64,
    }

    impl Header {
        /// Reads one section header (`e` is `shentsize` bytes, at least 40 or 64).
        pub fn entry(&self, e: &[u8]) -> Entry {
            let rd32 = |o: usize| {
                let b = [e[o], e[o + 1], e[o + 2], e[o + 3]];
                if self.little {
                    u32::from_le_bytes(b)
                } else {
                    u32::from_be_bytes(b)
                }
            };
            let rd64 = |o: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&e[o..o + 8]);
                if self.little {
                    u64::from_le_bytes(b)
                } else {
                    u64::from_be_bytes(b)
                }
            };
            if self.is64 {
                Entry {
                    name: rd32(0),
                    kind: rd32(4),
                    offset: rd64(24),
                    size: rd64(32),
                }
            } else {
                Entry {
                    name: rd32(0),
                    kind: rd32(4),
                    offset: u64::from(rd32(16)),
                    size: u64::from(rd32(20)),
                }
            }
        }
    }

    /// The section header table as the stream passes it.
    #[derive(Default)]
    pub struct TableCollect {
        /// (offset, length) of the table once the header is known and the table is usable.
        range: Option<(u64, u64)>,
        buf: Vec<u8>,
        /// Why no table will be read (decided from the header).
        refused: Option<String>,
    }

    /// The file offsets sections start at, or why they are unknown.
    pub type Table = Result<Vec<u64>, String>;

    const SHT_NOBITS: u32 = 8;

    impl TableCollect {
        pub fn start(&mut self, h: &Header) {
            let min_entsize = if h.is64 { 64 } else { 40 };
            if h.shoff == 0 || h.shnum == 0 {
                self.refused = Some("the ELF header names no section table".to_owned());
            } else if usize::from(h.shentsize) < min_entsize {
                self.refused = Some(format!(
                    "the ELF header gives section entries of {} bytes, fewer than {min_entsize}",
                    h.shentsize
                ));
            } else if h.table_len() > super::MAX_SECTION_TABLE as u64 {
                self.refused = Some(format!(
                    "the section table ({} bytes) is over the {}-byte cap",
                    h.table_len(),
                    super::MAX_SECTION_TABLE
                ));
            } else {
                self.range = Some((h.shoff, h.table_len()));
            }
        }

        pub fn feed(&mut self, pos: u64, chunk: &[u8]) {
            let Some((start, len)) = self.range else {
                return;
            };
            let end = start + len;
            let chunk_end = pos + chunk.len() as u64;
            if chunk_end <= start || pos >= end {
                return;
            }
            let from = start.max(pos);
            let to = end.min(chunk_end);
            let (a, b) = ((from - pos) as usize, (to - pos) as usize);
            self.buf.extend_from_slice(&chunk[a..b]);
        }

        /// The sections' start offsets (SHT_NOBITS sections, which take no file space, left
        /// out), or why they are unknown.
        pub fn finish(self, header: Option<&Header>, file_len: u64) -> Table {
            let Some(h) = header else {
                return Err("the file has no ELF header".to_owned());
            };
            if let Some(why) = self.refused {
                return Err(why);
            }
            let Some((start, len)) = self.range else {
                return Err("the ELF header names no section table".to_owned());
            };
            if (self.buf.len() as u64) < len {
                return Err(format!(
                    "the section table at offset {start} ({len} bytes) lies past the end of the file ({file_len} bytes)"
                ));
            }
            let ent = usize::from(h.shentsize);
            let mut out = Vec::with_capacity(usize::from(h.shnum));
            for e in self.buf.chunks_exact(ent) {
                let rd32 = |o: usize| {
                    let b = [e[o], e[o + 1], e[o + 2], e[o + 3]];
                    if h.little {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    }
                };
                let sh_type = rd32(4);
                let offset = if h.is64 {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&e[24..32]);
                    if h.little {
                        u64::from_le_bytes(b)
                    } else {
                        u64::from_be_bytes(b)
                    }
                } else {
                    u64::from(rd32(16))
                };
                if sh_type != SHT_NOBITS && sh_type != 0 {
                    out.push(offset);
                }
            }
            Ok(out)
        }
    }
}
