//! `vouch diff A B`: vouch_repro's structured comparison, as a table or JSON; `--diffoscope`
//! hands each differing member pair to diffoscope for a closer look (display only: the exit
//! code is vouch's own result).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_repro::diff::{self, Difference, Input, Kind, Limits, Report};

use crate::cli::{DiffArgs, ReproFormat};
use crate::exit::ExitStatus;

pub fn run(args: DiffArgs) -> anyhow::Result<ExitStatus> {
    let limits = Limits::default();
    let platform = match &args.platform {
        Some(text) => Some(
            vouch_oci::image::Platform::parse(text)
                .map_err(|e| anyhow::anyhow!("--platform: {e}"))?,
        ),
        None => None,
    };
    let mut left = Input::parse(&args.left).context("cannot compare: the left input")?;
    let mut right = Input::parse(&args.right).context("cannot compare: the right input")?;
    left.platform.clone_from(&platform);
    right.platform = platform;
    let report = diff::compare_inputs(&left, &right, &limits)
        .with_context(|| format!("cannot compare {} with {}", args.left, args.right))?;
    let extra = if args.diffoscope && !report.equal() {
        diffoscope(&left, &right, &report, &limits)?
    } else {
        Vec::new()
    };
    match args.format {
        ReproFormat::Table => {
            let mut out = table(&report);
            for (path, text) in &extra {
                out.push_str(&format!("\n── diffoscope: {path} ──\n{text}"));
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            crate::output::write(None, out.as_bytes())?;
        }
        ReproFormat::Json => {
            let mut value = serde_json::to_value(&report)?;
            if args.diffoscope {
                value["diffoscope"] = extra
                    .iter()
                    .map(|(path, text)| serde_json::json!({"path": path, "output": text}))
                    .collect();
            }
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push('\n');
            crate::output::write(None, text.as_bytes())?;
        }
    }
    Ok(if report.equal() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The table people read: a summary line, then one row per difference.
pub(crate) fn table(report: &Report) -> String {
    if report.equal() {
        return format!(
            "{} and {} are identical ({})\n",
            report.left, report.right, report.left_format
        );
    }
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(vec!["PATH", "KIND", "LEFT", "RIGHT"]);
    for d in &report.differences {
        t.add_row(vec![
            d.path.clone(),
            d.kind.to_string(),
            d.left.clone().unwrap_or_else(|| "-".into()),
            d.right.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let mut out = format!(
        "{} and {} differ ({}): {} difference{}{}\n",
        report.left,
        report.right,
        report.left_format,
        report.differences.len(),
        if report.differences.len() == 1 {
            ""
        } else {
            "s"
        },
        if report.truncated {
            " (list cut at the cap)"
        } else {
            ""
        }
    );
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `diffoscope` on PATH (the binary is where PATH is read).
fn find_diffoscope() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("diffoscope"))
        .find(|p| p.is_file())
}

/// Runs diffoscope on each pair of differing members (content differences), extracted to a
/// temporary folder; returns (path, diffoscope's text) per member.
fn diffoscope(
    left: &Input,
    right: &Input,
    report: &Report,
    limits: &Limits,
) -> anyhow::Result<Vec<(String, String)>> {
    let Some(program) = find_diffoscope() else {
        eprintln!(
            "warning[diffoscope-missing]: diffoscope is not installed (Debian package `diffoscope-minimal`); showing vouch's own comparison only"
        );
        return Ok(Vec::new());
    };
    let temp = tempfile::tempdir().context("cannot create a temporary folder for diffoscope")?;
    let members: Vec<&Difference> = report
        .differences
        .iter()
        .filter(|d| {
            d.kind == Kind::Content && !d.path.starts_with("manifest") && d.path != "config"
        })
        // A whole layer (`layers[0]`) is not a member: its entries are listed on their own.
        .filter(|d| !d.path.starts_with("layers[") || d.path.contains("]/"))
        .collect();
    let mut out = Vec::new();
    for (n, d) in members.iter().enumerate() {
        let (a, b) = (
            diff::member_bytes(left, &d.path, limits)?,
            diff::member_bytes(right, &d.path, limits)?,
        );
        let (Some(a), Some(b)) = (a, b) else {
            continue;
        };
        let name = Path::new(&d.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n != ".")
            .unwrap_or_else(|| {
                left.path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "member".into())
            });
        let (da, db) = (
            temp.path().join(format!("{n}/left")),
            temp.path().join(format!("{n}/right")),
        );
        std::fs::create_dir_all(&da)?;
        std::fs::create_dir_all(&db)?;
        let (fa, fb) = (da.join(&name), db.join(&name));
        std::fs::write(&fa, a).with_context(|| format!("cannot write {}", fa.display()))?;
        std::fs::write(&fb, b).with_context(|| format!("cannot write {}", fb.display()))?;
        let result = std::process::Command::new(&program)
            .arg("--text")
            .arg("-")
            .arg(&fa)
            .arg(&fb)
            .current_dir(temp.path())
            .stdin(std::process::Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", program.display()))?;
        let mut text = String::from_utf8_lossy(&result.stdout).into_owned();
        if !result.status.success() && result.status.code() != Some(1) {
            text.push_str(&format!(
                "(diffoscope ended with {}: {})\n",
                result.status,
                String::from_utf8_lossy(&result.stderr).trim()
            ));
        }
        out.push((d.path.clone(), text));
    }
    Ok(out)
}
