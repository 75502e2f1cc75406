//! Accuracy of the typosquat check (bench/typosquat-accuracy.sh runs it; figures in
//! BENCHMARKS.md):
//!
//! - recall over real typosquat names: `--tsv FILE` (repeatable), the malicious-packages TSVs
//!   (`ecosystem`, `malicious_package`, then the imitated package in the third column);
//! - precision over real dependency sets: `--deps DIR` (repeatable), every npm and PyPI
//!   component the inventory finds under DIR, each distinct name checked once;
//! - `--emit-names FILE` writes those names (`ecosystem<TAB>name`, sorted) for the CI test's
//!   fixed set.
//!
//! The popular lists are the shipped ones. Timings are wall-clock, one run, for orientation.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use vouch_typosquat::{Ecosystem, Index, Popular};

fn main() {
    let mut tsvs = Vec::new();
    let mut deps = Vec::new();
    let mut emit = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--tsv" => tsvs.push(PathBuf::from(value)),
            "--deps" => deps.push(PathBuf::from(value)),
            "--emit-names" => emit = Some(PathBuf::from(value)),
            _ => usage(),
        }
    }
    let started = Instant::now();
    let npm = Index::new(&Popular::embedded(Ecosystem::Npm));
    let pypi = Index::new(&Popular::embedded(Ecosystem::PyPi));
    println!(
        "indexed both popular lists in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let index = |e: Ecosystem| if e == Ecosystem::Npm { &npm } else { &pypi };

    for tsv in &tsvs {
        let text = std::fs::read_to_string(tsv).unwrap_or_else(|e| {
            eprintln!("error: cannot read {}: {e}", tsv.display());
            std::process::exit(2)
        });
        let (mut rows, mut flagged, mut right_target, mut named) = (0, 0, 0, 0);
        let mut named_flagged = 0;
        let mut hits = Vec::new();
        let mut popular_itself = Vec::new();
        let mut missed = Vec::new();
        let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
        for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let eco = match cols.first().copied() {
                Some("npm") => Ecosystem::Npm,
                Some("PyPI") => Ecosystem::PyPi,
                _ => continue,
            };
            let (name, target) = (cols[1], cols.get(2).copied().unwrap_or(""));
            let idx = index(eco);
            if idx.is_popular(name) {
                popular_itself.push(format!("{} {name}", eco.as_str()));
                continue;
            }
            rows += 1;
            let stated = !target.starts_with("(not named");
            if stated {
                named += 1;
            }
            match idx.check(name) {
                Some(s) => {
                    flagged += 1;
                    if stated {
                        named_flagged += 1;
                    }
                    hits.push(format!(
                        "{} {name} ~ {} ({})",
                        eco.as_str(),
                        s.resembles,
                        s.kind.describe()
                    ));
                    *kinds.entry(s.kind.as_str()).or_default() += 1;
                    let want = target.split(" (").next().unwrap_or(target);
                    if stated && eco.normalize(&s.resembles) == eco.normalize(want) {
                        right_target += 1;
                    }
                }
                None => missed.push(format!("{} {name} ({target})", eco.as_str())),
            }
        }
        println!("\n{}", tsv.display());
        println!(
            "  rows {rows} (+{} popular names themselves, not typosquats: {})",
            popular_itself.len(),
            popular_itself.join(", ")
        );
        println!(
            "  recall {flagged}/{rows} = {:.1} %; the stated target named in {right_target}/{named} rows that state one",
            pct(flagged, rows)
        );
        println!("  flagged among the {named} rows that state a target: {named_flagged}");
        println!("  by kind: {kinds:?}");
        if rows < 100 {
            println!("  flagged: {}", hits.join("; "));
        }
        println!("  missed ({}): {}", missed.len(), sample(&missed));
    }

    let mut names = BTreeSet::new();
    for dir in &deps {
        let inv = vouch_inventory::walk::inventory(
            dir,
            "accuracy",
            &Default::default(),
            &vouch_inventory::walk::Silent,
        )
        .unwrap_or_else(|e| {
            eprintln!("error: cannot inventory {}: {e}", dir.display());
            std::process::exit(2)
        });
        for c in inv.components.iter().filter(|c| !c.first_party) {
            if let Some(e) = vouch_scan::typosquat::ecosystem(c.ecosystem) {
                names.insert((e, e.normalize(&c.name)));
            }
        }
    }
    if !deps.is_empty() {
        let started = Instant::now();
        let mut flagged = Vec::new();
        for (e, n) in &names {
            if let Some(s) = index(*e).check(n) {
                flagged.push(format!(
                    "{} {n} ~ {} ({})",
                    e.as_str(),
                    s.resembles,
                    s.kind.as_str()
                ));
            }
        }
        let took = started.elapsed();
        let popular = names
            .iter()
            .filter(|(e, n)| index(*e).is_popular(n))
            .count();
        let per = |e| names.iter().filter(|(x, _)| *x == e).count();
        println!(
            "\nreal dependency sets: {} distinct names (npm {}, PyPI {}), {popular} of them popular",
            names.len(),
            per(Ecosystem::Npm),
            per(Ecosystem::PyPi)
        );
        println!(
            "  flagged {} = {:.2} % (no listed name is ever flagged: checked before any resemblance)",
            flagged.len(),
            pct(flagged.len(), names.len())
        );
        for f in &flagged {
            println!("    {f}");
        }
        println!(
            "  checked in {:.2} ms ({:.1} µs a name)",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e6 / names.len().max(1) as f64
        );
    }
    if let Some(path) = emit {
        let text: String = names
            .iter()
            .map(|(e, n)| format!("{}\t{n}\n", e.as_str()))
            .collect();
        std::fs::write(&path, text).unwrap_or_else(|e| {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(2)
        });
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 * 100.0 / b as f64
    }
}

fn sample(v: &[String]) -> String {
    let mut s = v.iter().take(40).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > 40 {
        s.push_str(&format!(", … {} more", v.len() - 40));
    }
    s
}

fn usage() -> ! {
    eprintln!("usage: typosquat_accuracy [--tsv FILE]... [--deps DIR]... [--emit-names FILE]");
    std::process::exit(2)
}
