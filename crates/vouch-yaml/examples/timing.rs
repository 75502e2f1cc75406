//! Times `yaml_serde` alone (what vouch did before the depth check) against `check_depth` on
//! generated deep input: `cargo run --release -p vouch-yaml --example timing -- 600000`.
//! Used by bench/parse-bounds.sh; nothing is asserted.

use std::time::Instant;

fn main() {
    let size: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(600_000);
    let inputs = [
        ("json {\"a\":", {
            let d = size / 6;
            format!("{}1{}", "{\"a\":".repeat(d), "}".repeat(d))
        }),
        ("flow [", {
            let d = size / 2;
            format!("{}{}", "[".repeat(d), "]".repeat(d))
        }),
        ("depth 100", {
            let doc = format!("a: {}{}\n---\n", "[".repeat(99), "]".repeat(99));
            doc.repeat(size / doc.len())
        }),
    ];
    for (name, text) in &inputs {
        let t = Instant::now();
        let check = match vouch_yaml::check_depth(text, vouch_yaml::MAX_DEPTH) {
            Ok(()) => "within the limit".to_owned(),
            Err(e) => e.to_string(),
        };
        let checked = t.elapsed();
        if name != &"depth 100" && text.len() > 400_000 {
            println!(
                "{name:<12} {:>8} bytes  check_depth {checked:>10.3?} ({check})  yaml_serde alone: skipped (quadratic)",
                text.len()
            );
            continue;
        }
        let t = Instant::now();
        let parsed = yaml_serde::Deserializer::from_str(text).all(|de| {
            use serde::Deserialize as _;
            yaml_serde::Value::deserialize(de).is_ok()
        });
        let unchecked = t.elapsed();
        println!(
            "{name:<12} {:>8} bytes  check_depth {:>10.3?} ({check})  yaml_serde alone {:>10.3?} (ok: {parsed})",
            text.len(),
            checked,
            unchecked
        );
    }
}
