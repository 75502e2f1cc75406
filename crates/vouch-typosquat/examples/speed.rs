//! Speed of the typosquat check alone (bench/typosquat-accuracy.sh runs it in release; figures
//! in BENCHMARKS.md): building the index of each shipped list, then checking every name of
//! `ecosystem<TAB>name` files (the real dependency set of the tests), best of 5 runs each.
//!
//! usage: speed FILE...

use std::time::{Duration, Instant};

use vouch_typosquat::{Ecosystem, Index, Popular};

fn best(mut f: impl FnMut()) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut names = Vec::new();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            eprintln!("error: cannot read {path}: {e}");
            std::process::exit(2)
        });
        for line in text.lines() {
            if let Some((eco, name)) = line.split_once('\t') {
                let eco = if eco == "npm" {
                    Ecosystem::Npm
                } else {
                    Ecosystem::PyPi
                };
                names.push((eco, name.to_owned()));
            }
        }
    }
    let lists = [
        Popular::embedded(Ecosystem::Npm),
        Popular::embedded(Ecosystem::PyPi),
    ];
    for p in &lists {
        let took = best(|| {
            std::hint::black_box(Index::new(p));
        });
        println!(
            "index {} ({} names): {:.1} ms",
            p.ecosystem.as_str(),
            p.names.len(),
            took.as_secs_f64() * 1e3
        );
    }
    let [npm, pypi] = lists.map(|p| Index::new(&p));
    let mut flagged = 0;
    let took = best(|| {
        flagged = 0;
        for (eco, name) in &names {
            let index = if *eco == Ecosystem::Npm { &npm } else { &pypi };
            if index.check(name).is_some() {
                flagged += 1;
            }
        }
    });
    println!(
        "checked {} names ({flagged} flagged) in {:.2} ms ({:.2} µs a name)",
        names.len(),
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / names.len().max(1) as f64
    );
}
