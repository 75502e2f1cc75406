//! Rendering a [`Scan`] as the table `vouch scan` prints (the JSON document is
//! [`Scan::to_json`]; SARIF is `vouch_report::render::sarif` of the report).

use std::collections::{BTreeMap, BTreeSet};

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use vouch_inventory::Inventory;
use vouch_report::Severity;

use crate::Scan;

/// The table output of `vouch scan`: the inventory, what each check said, the findings and
/// what was not checked; text from the tree sanitized for the terminal.
pub fn table(scan: &Scan, fail_on: Severity, show_suppressed: bool) -> String {
    let (inventory, checks, report) = (&scan.inventory, &scan.checks, &scan.report);
    let mut out = String::new();
    out.push_str(&format!("Inventory of {}", inventory.subject));
    if let Some(d) = &inventory.distro {
        out.push_str(&format!(" ({})", d.pretty_name.as_deref().unwrap_or(&d.id)));
    }
    out.push('\n');
    if inventory.components.is_empty() {
        out.push_str("no components found\n");
    } else {
        out.push_str(&summary_table(inventory).to_string());
        out.push('\n');
    }
    if !inventory.files.is_empty() {
        let mut files = Table::new();
        files
            .load_preset(UTF8_FULL_CONDENSED)
            .set_header(["file", "kind", "packages"]);
        for f in &inventory.files {
            files.add_row([f.path.clone(), f.kind.clone(), f.packages.to_string()]);
        }
        out.push_str(&files.to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} components from {} files, {} warning(s)\n\n",
        inventory.components.len(),
        inventory.files.len(),
        inventory.warnings.len()
    ));
    let listing = scan.listing();
    for (what, items) in [
        (
            "npm packages that run an install script",
            &listing.install_scripts,
        ),
        (
            "npm packages resolved outside the allowed registries",
            &listing.outside_registries,
        ),
    ] {
        if items.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{what} ({}):
",
            items.len()
        ));
        for l in items {
            let at = match (&l.path, l.line) {
                (Some(p), Some(n)) => format!("  ({p}:{n})"),
                (Some(p), None) => format!("  ({p})"),
                _ => String::new(),
            };
            let from = l
                .resolved
                .as_deref()
                .map(|r| format!(" from {r}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {} {}{from}{at}
",
                l.name, l.version
            ));
        }
        out.push('\n');
    }
    let mut checks_table = Table::new();
    checks_table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "check",
        "status",
        "findings",
        "suppressed",
        "note",
    ]);
    for c in checks {
        let (n, s) = if c.ran() {
            (c.findings.to_string(), c.suppressed.to_string())
        } else {
            ("-".to_owned(), "-".to_owned())
        };
        checks_table.add_row([
            c.check.to_owned(),
            c.status.to_owned(),
            n,
            s,
            c.note.clone(),
        ]);
    }
    out.push_str(&checks_table.to_string());
    out.push_str("\n\n");
    out.push_str(&vouch_report::render::table_with(report, show_suppressed));
    if !show_suppressed && report.findings.iter().any(|f| f.suppressed.is_some()) {
        out.push_str("(list suppressed findings with --show-suppressed)\n");
    }
    let counting = report
        .findings
        .iter()
        .filter(|f| f.counts_at(fail_on))
        .count();
    out.push_str(&format!("{counting} finding(s) at or above {fail_on}\n"));
    if !report.not_checked.is_empty() {
        out.push_str(&format!(
            "\nINCOMPLETE: {} thing(s) not checked (exit 2):\n",
            report.not_checked.len()
        ));
        for n in &report.not_checked {
            out.push_str(&format!("  not checked: {n}\n"));
        }
    }
    vouch_report::terminal::sanitize(&out).into_owned()
}

fn summary_table(inventory: &Inventory) -> Table {
    let mut files_per_eco = BTreeMap::<_, BTreeSet<&str>>::new();
    for c in &inventory.components {
        for e in &c.evidence {
            files_per_eco
                .entry(c.ecosystem)
                .or_default()
                .insert(e.path.as_str());
        }
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["ecosystem", "components", "files"]);
    for (eco, n) in inventory.counts() {
        let files = files_per_eco.get(&eco).map_or(0, |f| f.len());
        table.add_row([eco.to_string(), n.to_string(), files.to_string()]);
    }
    table
}
