//! `vouch explain CODE`: the page of a rule or diagnostic code (docs/rules), embedded in the
//! binary at build time so it matches the version that reported the code.

use crate::cli::ExplainArgs;
use crate::exit::ExitStatus;

mod pages {
    include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));
}

/// The page for `code`, if there is one.
pub fn page(code: &str) -> Option<&'static str> {
    pages::PAGES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| pages::PAGES[i].1)
}

pub fn run(args: ExplainArgs) -> anyhow::Result<ExitStatus> {
    if args.list {
        let mut out = String::new();
        for (code, _) in pages::PAGES {
            out.push_str(code);
            out.push('\n');
        }
        crate::output::write(None, out.as_bytes())?;
        return Ok(ExitStatus::Success);
    }
    let Some(code) = args.code.as_deref() else {
        anyhow::bail!("name a code (`vouch explain invalid-signature`), or --list for every code");
    };
    let code = code.trim().to_ascii_lowercase();
    match page(&code) {
        Some(text) => {
            crate::output::write(None, text.as_bytes())?;
            Ok(ExitStatus::Success)
        }
        None => anyhow::bail!(
            "no rule or diagnostic is named `{}` (`vouch explain --list` lists the {} codes)",
            vouch_report::terminal::sanitize(&code),
            pages::PAGES.len()
        ),
    }
}
