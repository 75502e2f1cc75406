//! `cargo run --release -p vouch-policy --example check -- DIR`: the library call behind
//! `vouch check DIR --format json`, without the rest of the vouch binary. Used by
//! bench/policy.sh when `VOUCH_POLICY_EXAMPLE=1`.

fn main() -> std::process::ExitCode {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let opts = vouch_policy::Options::new(vouch_policy::Date::from_unix_seconds(0));
    match vouch_policy::check_dir(std::path::Path::new(&dir), &opts) {
        Ok(out) => {
            let mut report = vouch_report::Report::new("vouch", env!("CARGO_PKG_VERSION"));
            report.findings = out.findings;
            report.rules = out.rules;
            print!("{}", vouch_report::render::json(&report));
            for e in &out.errors {
                eprintln!("error: could not check {}: {}", e.path, e.message);
            }
            eprintln!("{} files, {} errors", out.files_checked, out.errors.len());
            std::process::ExitCode::from(u8::from(
                report.any_at_or_above(vouch_report::Severity::Medium),
            ))
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
