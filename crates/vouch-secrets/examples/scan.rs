//! `cargo run -p vouch-secrets --example scan -- DIR`: the library alone, vouch JSON on stdout.
//! Handy for tuning rules without building the whole `vouch` binary.

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let outcome = match vouch_secrets::scan_dir(
        std::path::Path::new(&dir),
        &vouch_secrets::Options::default(),
    ) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut report = vouch_report::Report::new("vouch", env!("CARGO_PKG_VERSION"));
    report.findings = outcome.findings;
    print!("{}", vouch_report::render::json(&report));
    eprintln!("{:?}", outcome.stats);
}
