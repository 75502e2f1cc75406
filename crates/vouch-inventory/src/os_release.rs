//! `os-release(5)` parsing: the distro of a root filesystem.

use crate::Distro;

/// Parses `etc/os-release` content. Returns `None` when there is no `ID`.
///
/// ```
/// let d = vouch_inventory::os_release::parse("ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n").unwrap();
/// assert_eq!(d.purl_qualifier(), "debian-12");
/// ```
pub fn parse(text: &str) -> Option<Distro> {
    let mut id = None;
    let mut version_id = None;
    let mut codename = None;
    let mut pretty_name = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => version_id = Some(value),
            "VERSION_CODENAME" => codename = Some(value),
            "PRETTY_NAME" => pretty_name = Some(value),
            _ => {}
        }
    }
    Some(Distro {
        id: id?,
        version_id,
        codename,
        pretty_name,
    })
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}
