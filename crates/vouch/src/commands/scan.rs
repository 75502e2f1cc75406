//! `vouch scan`: the umbrella command. Inventories PATH and prints a summary; the other checks
//! (vulnerabilities, secrets, configuration, pins) report here too as they land.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::ScanArgs;
use crate::exit::ExitStatus;

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let inventory = crate::inventory::collect(&args.path, &args.walk)?;
    let mut out = String::new();
    out.push_str(&format!("Inventory of {}", inventory.subject));
    if let Some(d) = &inventory.distro {
        out.push_str(&format!(" ({})", d.pretty_name.as_deref().unwrap_or(&d.id)));
    }
    out.push('\n');
    if inventory.components.is_empty() {
        out.push_str("no components found\n");
    } else {
        out.push_str(&summary_table(&inventory).to_string());
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
        "{} components from {} files, {} warning(s)\n",
        inventory.components.len(),
        inventory.files.len(),
        inventory.warnings.len()
    ));
    crate::output::write(None, out.as_bytes())?;
    Ok(ExitStatus::Success)
}

fn summary_table(inventory: &vouch_inventory::Inventory) -> Table {
    let mut files_per_eco =
        std::collections::BTreeMap::<_, std::collections::BTreeSet<&str>>::new();
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
