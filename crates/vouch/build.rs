//! Embeds every rule and diagnostic page (`docs/rules/**/*.md`) for `vouch explain CODE`, so
//! the explanation ships with the binary and matches its version.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let rules = manifest.join("../../docs/rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut pages = Vec::new();
    collect(&rules, &mut pages);
    pages.sort();
    let mut out = String::from(
        "/// (code, page) for every page under docs/rules, sorted by code.\npub static PAGES: &[(&str, &str)] = &[\n",
    );
    for (code, path) in &pages {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({code:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("rule_pages.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(dir: &Path, pages: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, pages);
        } else if path.extension().is_some_and(|e| e == "md")
            && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            && stem != "README"
        {
            let canonical = path.canonicalize().unwrap_or(path.clone());
            pages.push((stem.to_owned(), canonical));
        }
    }
}
