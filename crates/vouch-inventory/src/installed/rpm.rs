//! The RPM database in its SQLite form, `rpmdb.sqlite` (RPM 4.16 and later: Fedora 33+,
//! RHEL 9, Rocky/Alma 9, Amazon Linux 2023, openSUSE Tumbleweed).
//!
//! The file's bytes are loaded into an in-memory SQLite connection, read-only (no temporary
//! file, nothing written); a database in WAL mode is opened as a rollback-journal one, which
//! for a file whose WAL was checkpointed (rpm does so on close) reads the same rows. Each row
//! of the `Packages` table is one RPM header blob, read here from the header format: a count of
//! index entries and the size of the data store (both big-endian u32), the 16-byte index
//! entries (tag, type, offset, count), then the data store. Counts, offsets and string ends are
//! all checked against the blob; a header that does not fit gives a warning naming its row.
//!
//! Per package: NAME (1000), VERSION (1001), RELEASE (1002), EPOCH (1003), ARCH (1022, the
//! `arch` purl qualifier; not for the `(none)` of `gpg-pubkey`), LICENSE (1014, as written),
//! SOURCERPM (1044, `name-version-release.src.rpm`, the source package, with the binary's
//! epoch) and REQUIRENAME (1049, edges by name; file paths, sonames and `rpmlib(…)`
//! capabilities are left out). The version is `[epoch:]version-release`. `gpg-pubkey`
//! entries are the imported signing keys, not packages, and are skipped.
//!
//! Not read: the Berkeley DB `Packages` file (RPM < 4.16) and the NDB `Packages.db` (SUSE).

use rusqlite::{Connection, OpenFlags};

use crate::{
    Ecosystem, Package, PackageRef, ParseError, ParseWarning, Parsed, Source, SourcePackage,
};

/// RPM's own limits (`hdrchkTags`, `hdrchkData` in rpm's header.c).
const MAX_TAGS: usize = 0xffff;
const MAX_DATA: usize = 256 * 1024 * 1024;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_REQUIRENAME: u32 = 1049;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

pub fn parse(source: &Source<'_>) -> Result<Parsed, ParseError> {
    let rows = read_rows(source.bytes)?;
    let mut parsed = Parsed::default();
    for (hnum, blob) in rows {
        match header(&blob) {
            Ok(h) => {
                if let Some(p) = package(&h, hnum, &mut parsed.warnings) {
                    parsed.packages.push(p);
                }
            }
            Err(why) => parsed.warnings.push(ParseWarning {
                line: None,
                column: None,
                message: format!("Packages row {hnum}: {why}; skipped"),
            }),
        }
    }
    Ok(parsed)
}

fn sql_error(e: &rusqlite::Error) -> ParseError {
    ParseError::new(format!("not a readable rpm sqlite database: {e}"))
}

fn read_rows(bytes: &[u8]) -> Result<Vec<(i64, Vec<u8>)>, ParseError> {
    if !bytes.starts_with(b"SQLite format 3\0") {
        return Err(ParseError::new(
            "not an SQLite database (no `SQLite format 3` header)",
        ));
    }
    let mut image = bytes.to_vec();
    // WAL mode (file format 2) cannot be opened from memory; read it as a rollback-journal file.
    for at in [18, 19] {
        if let Some(b) = image.get_mut(at)
            && *b == 2
        {
            *b = 1;
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_in_memory_with_flags(flags).map_err(|e| sql_error(&e))?;
    let len = image.len();
    conn.deserialize_read_exact(rusqlite::MAIN_DB, image.as_slice(), len, true)
        .map_err(|e| sql_error(&e))?;
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                ParseError::new("database has no `Packages` table")
            }
            e => sql_error(&e),
        })?;
    if kind.as_deref() != Some("table") {
        return Err(ParseError::new("`Packages` is not a table"));
    }
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| sql_error(&e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(|e| sql_error(&e))?;
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| sql_error(&e))
}

/// One parsed header: (tag, type, count, data) for every index entry.
struct Header<'a> {
    entries: Vec<(u32, u32, u32, &'a [u8])>,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([
        *s.first()?,
        *s.get(1)?,
        *s.get(2)?,
        *s.get(3)?,
    ]))
}

fn header(blob: &[u8]) -> Result<Header<'_>, String> {
    let il = be32(blob, 0).ok_or("header shorter than 8 bytes")? as usize;
    let dl = be32(blob, 4).ok_or("header shorter than 8 bytes")? as usize;
    if il == 0 || il > MAX_TAGS {
        return Err(format!(
            "header has {il} index entries (allowed 1 to {MAX_TAGS})"
        ));
    }
    if dl > MAX_DATA {
        return Err(format!(
            "header data store of {dl} bytes is larger than {MAX_DATA}"
        ));
    }
    let index_end = 8 + il * 16;
    let data = blob.get(index_end..index_end + dl).ok_or_else(|| {
        format!(
            "header says {il} entries and {dl} data bytes, but the blob has {} bytes",
            blob.len()
        )
    })?;
    let mut entries = Vec::with_capacity(il);
    for i in 0..il {
        let at = 8 + i * 16;
        let (Some(tag), Some(ty), Some(offset), Some(count)) = (
            be32(blob, at),
            be32(blob, at + 4),
            be32(blob, at + 8),
            be32(blob, at + 12),
        ) else {
            return Err(format!("index entry {i} is cut short"));
        };
        let offset = offset as usize;
        if offset > dl {
            return Err(format!(
                "index entry {i} (tag {tag}) points at offset {offset}, past the {dl}-byte data store"
            ));
        }
        let value = data.get(offset..).unwrap_or(&[]);
        entries.push((tag, ty, count, value));
    }
    Ok(Header { entries })
}

impl Header<'_> {
    fn find(&self, tag: u32) -> Option<(u32, u32, &[u8])> {
        self.entries
            .iter()
            .find(|e| e.0 == tag)
            .map(|e| (e.1, e.2, e.3))
    }

    /// A STRING (or the first string of a STRING_ARRAY / I18NSTRING) entry.
    fn string(&self, tag: u32) -> Result<Option<String>, String> {
        let Some((ty, _, data)) = self.find(tag) else {
            return Ok(None);
        };
        if !matches!(ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) {
            return Err(format!("tag {tag} has type {ty}, not a string"));
        }
        let end = data
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| format!("string of tag {tag} is not terminated"))?;
        let s = data.get(..end).unwrap_or(&[]);
        Ok(Some(String::from_utf8_lossy(s).into_owned()))
    }

    fn strings(&self, tag: u32) -> Vec<String> {
        let Some((ty, count, data)) = self.find(tag) else {
            return Vec::new();
        };
        if ty != TYPE_STRING_ARRAY {
            return Vec::new();
        }
        data.split(|&b| b == 0)
            .take(count.min(MAX_TAGS as u32) as usize)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }

    fn int32(&self, tag: u32) -> Result<Option<u32>, String> {
        let Some((ty, _, data)) = self.find(tag) else {
            return Ok(None);
        };
        if ty != TYPE_INT32 {
            return Err(format!("tag {tag} has type {ty}, not an int32"));
        }
        be32(data, 0)
            .map(Some)
            .ok_or_else(|| format!("int32 of tag {tag} is cut short"))
    }
}

fn package(h: &Header<'_>, hnum: i64, warnings: &mut Vec<ParseWarning>) -> Option<Package> {
    let mut warn = |message: String| {
        warnings.push(ParseWarning {
            line: None,
            column: None,
            message,
        })
    };
    let fields = (|| -> Result<_, String> {
        Ok((
            h.string(TAG_NAME)?,
            h.string(TAG_VERSION)?,
            h.string(TAG_RELEASE)?,
            h.int32(TAG_EPOCH)?,
            h.string(TAG_ARCH)?,
            h.string(TAG_LICENSE)?,
            h.string(TAG_SOURCERPM)?,
        ))
    })();
    let (name, version, release, epoch, arch, license, sourcerpm) = match fields {
        Ok(f) => f,
        Err(why) => {
            warn(format!("Packages row {hnum}: {why}; skipped"));
            return None;
        }
    };
    let (Some(name), Some(version)) = (
        name.filter(|n| !n.is_empty()),
        version.filter(|v| !v.is_empty()),
    ) else {
        warn(format!(
            "Packages row {hnum}: header has no NAME or VERSION; skipped"
        ));
        return None;
    };
    if name == "gpg-pubkey" {
        return None;
    }
    let evr = |v: &str| {
        let mut s = String::new();
        if let Some(e) = epoch {
            s.push_str(&format!("{e}:"));
        }
        s.push_str(v);
        s
    };
    let full = match release.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => evr(&format!("{version}-{r}")),
        None => evr(&version),
    };
    let mut package = Package::new(Ecosystem::Rpm, name, full);
    if let Some(a) = arch.filter(|a| !a.is_empty() && a != "(none)") {
        package.qualifiers.insert("arch".to_owned(), a);
    }
    if let Some(l) = license.filter(|l| !l.is_empty()) {
        package.licenses.push(l);
    }
    if let Some(srpm) = sourcerpm.as_deref()
        && let Some((n, vr)) = split_srpm(srpm)
    {
        package.source_package = Some(SourcePackage {
            name: n.to_owned(),
            version: evr(vr),
        });
    }
    for dep in h.strings(TAG_REQUIRENAME) {
        if dep.is_empty() || dep.starts_with('/') || dep.contains('(') || dep.contains(".so") {
            continue;
        }
        let r = PackageRef {
            name: dep,
            version: None,
        };
        if !package.dependencies.contains(&r) {
            package.dependencies.push(r);
        }
    }
    Some(package)
}

/// `name-version-release.src.rpm` -> (`name`, `version-release`).
fn split_srpm(srpm: &str) -> Option<(&str, &str)> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let (rest, _release) = base.rsplit_once('-')?;
    let (name, _version) = rest.rsplit_once('-')?;
    let vr = base.get(name.len() + 1..)?;
    (!name.is_empty()).then_some((name, vr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srpm() {
        assert_eq!(
            split_srpm("openssl-3.0.7-27.el9.src.rpm"),
            Some(("openssl", "3.0.7-27.el9"))
        );
        assert_eq!(
            split_srpm("python-pip-21.2.3-8.el9.src.rpm"),
            Some(("python-pip", "21.2.3-8.el9"))
        );
        assert_eq!(split_srpm("nonsense"), None);
    }

    #[test]
    fn bounds() {
        assert!(header(&[0, 0, 0, 1]).is_err());
        assert!(header(&[0, 1, 0, 0, 0, 0, 0, 0]).is_err()); // 65536 entries
        assert!(header(&[0, 0, 0, 1, 0, 0, 0, 4]).is_err()); // blob too short
    }
}
