#![no_main]
//! OSV evaluation on arbitrary events: a verdict, never a panic. Input lines: the scheme index,
//! the version, then events as `i:<v>`, `f:<v>`, `l:<v>`, `m:<v>` (limit), `g` (start a GIT
//! range), `e` (start an ECOSYSTEM range), `s` (start a SEMVER range), `v:<v>` (versions list).
use libfuzzer_sys::fuzz_target;
use vouch_version::Scheme;
use vouch_version::osv::{Event, Range, RangeType, evaluate, fixed_versions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let scheme = lines
        .next()
        .and_then(|l| l.bytes().next())
        .map_or(Scheme::SemVer, |b| Scheme::ALL[usize::from(b) % Scheme::ALL.len()]);
    let version = lines.next().unwrap_or("");
    let mut ranges: Vec<Range> = Vec::new();
    let mut versions = Vec::new();
    for line in lines {
        let (k, v) = line.split_once(':').unwrap_or((line, ""));
        let kind = match k {
            "g" => Some(RangeType::Git),
            "e" => Some(RangeType::Ecosystem),
            "s" => Some(RangeType::SemVer),
            _ => None,
        };
        if let Some(kind) = kind {
            ranges.push(Range { kind, events: Vec::new() });
            continue;
        }
        let event = match k {
            "i" => Event::Introduced(v.into()),
            "f" => Event::Fixed(v.into()),
            "l" => Event::LastAffected(v.into()),
            "m" => Event::Limit(v.into()),
            "v" => {
                versions.push(v.to_owned());
                continue;
            }
            _ => continue,
        };
        match ranges.last_mut() {
            Some(r) => r.events.push(event),
            None => ranges.push(Range { kind: RangeType::Ecosystem, events: vec![event] }),
        }
    }
    let _ = evaluate(scheme, version, &ranges, &versions);
    let _ = fixed_versions(&ranges);
});
