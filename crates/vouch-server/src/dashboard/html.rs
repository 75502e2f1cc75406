//! Server-rendered HTML: no JavaScript, no external resources, every value from the store or
//! the request escaped by [`escape`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use vouch_fleet::{Affected, Artifact, ArtifactDetail, Change, Changes, Finding, QueryAnswer};

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities: safe in element content and in
/// quoted attribute values (the only two places values are put).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A path under `/artifact/` for `name`: unreserved characters and `/` kept, the rest
/// percent-encoded (the result is also safe inside an attribute).
pub fn artifact_href(name: &str) -> String {
    let mut out = String::from("/artifact/");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b':')
        {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `/?q=…` for a search.
pub fn search_href(q: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("/?q={encoded}")
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24;background:#fafafa}
header{background:#1f2937;color:#fff;padding:.8em 1.5em;display:flex;gap:2em;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:bold;font-size:1.3em}
form{display:flex;gap:.5em;flex:1}
input[type=search]{flex:1;max-width:40em;padding:.4em;font-size:1em}
button{padding:.4em 1em;font-size:1em}
main{padding:1em 1.5em}
section{margin-bottom:2em}
table{border-collapse:collapse;background:#fff}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;font-size:.92em}
th{background:#eef1f4}
td.num{text-align:right}
code{font-size:.92em}
.error{color:#a40e26;font-weight:bold}
.note{color:#57606a}
.bad{color:#a40e26;font-weight:bold}
.good{color:#116329;font-weight:bold}
";

/// The whole page around `body`.
pub fn page(title: &str, q: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\
<a href=\"/\">vouch fleet</a>\
<form method=\"get\" action=\"/\" role=\"search\">\
<input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\" \
placeholder=\"pkg:npm/lodash@4.17.20, pkg:pypi/django@&gt;=4.0,&lt;4.2, GHSA-…, CVE-…\" \
aria-label=\"package URL, range or advisory id\">\
<button type=\"submit\" id=\"search\">Search</button></form></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        title = escape(title),
        q = escape(q),
    )
}

/// Rows a page table shows; the JSON API has every row.
pub const MAX_TABLE_ROWS: usize = 1000;

fn table(
    out: &mut String,
    id: &str,
    header: &[&str],
    rows: impl ExactSizeIterator<Item = Vec<String>>,
) {
    let total = rows.len();
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows.take(MAX_TABLE_ROWS) {
        out.push_str("<tr>");
        for cell in row {
            // Cells arrive as HTML already (escaped by their builder).
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    if total > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"{id}-truncated\">the first {MAX_TABLE_ROWS} of {total} rows are shown; the JSON API (/api/…) answers with all of them</p>"
        );
    }
}

fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn labels(labels: &BTreeMap<String, String>) -> String {
    escape(
        &labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The hits of a package query.
pub fn query_results(out: &mut String, answer: &QueryAnswer) {
    let artifacts: std::collections::BTreeSet<&str> =
        answer.hits.iter().map(|h| h.artifact.as_str()).collect();
    let _ = writeln!(
        out,
        "<section id=\"results\"><h2>Which artifacts contain <code>{}</code></h2>\n\
<p id=\"result-count\">{} contain {}</p>",
        escape(&answer.query),
        plural(artifacts.len(), "artifact", "artifacts"),
        escape(&answer.query)
    );
    if !answer.hits.is_empty() {
        table(
            out,
            "hits",
            &["artifact", "version", "package", "package version", "purl"],
            answer.hits.iter().map(|h| {
                vec![
                    link(&artifact_href(&h.artifact), &h.artifact),
                    escape(h.artifact_version.as_deref().unwrap_or("")),
                    escape(&h.package),
                    escape(&h.version),
                    escape(&h.purl),
                ]
            }),
        );
    }
    if !answer.unordered.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"error\" id=\"unordered\">{} could not be compared with the range: the answer is incomplete</p>",
            plural(answer.unordered.len(), "version", "versions")
        );
        table(
            out,
            "unordered-hits",
            &["artifact", "package", "version", "why"],
            answer.unordered.iter().map(|(h, why)| {
                vec![
                    link(&artifact_href(&h.artifact), &h.artifact),
                    escape(&h.package),
                    escape(&h.version),
                    escape(why),
                ]
            }),
        );
    }
    out.push_str("</section>\n");
}

fn findings_table(out: &mut String, id: &str, findings: &[Finding], with_artifact: bool) {
    let mut header = vec!["advisory", "aliases", "severity", "package", "status"];
    if with_artifact {
        header.insert(0, "artifact");
    }
    table(
        out,
        id,
        &header,
        findings.iter().map(|f| {
            let mut row = vec![
                escape(&f.advisory),
                escape(
                    &f.ids
                        .iter()
                        .filter(|i| **i != f.advisory)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                escape(&f.severity),
                link(&search_href(&f.purl), &f.purl),
                match &f.suppressed {
                    Some(why) => escape(&format!("suppressed ({why})")),
                    None => escape(&f.status),
                },
            ];
            if with_artifact {
                row.insert(0, link(&artifact_href(&f.artifact), &f.artifact));
            }
            row
        }),
    );
}

/// The answer of an advisory lookup.
pub fn affected_results(out: &mut String, answer: &Affected) {
    let artifacts: std::collections::BTreeSet<&str> = answer
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .map(|f| f.artifact.as_str())
        .collect();
    let _ = writeln!(
        out,
        "<section id=\"results\"><h2>Which artifacts are affected by <code>{}</code></h2>\n\
<p id=\"result-count\">{} affected by {} ({})</p>\n\
<p class=\"note\">advisory database <code>{}</code></p>",
        escape(&answer.query),
        plural(artifacts.len(), "artifact", "artifacts"),
        escape(&answer.query),
        escape(&answer.advisories.join(", ")),
        escape(&answer.db_digest),
    );
    if !answer.findings.is_empty() {
        findings_table(out, "hits", &answer.findings, true);
    }
    out.push_str("</section>\n");
}

/// An error in place of results.
pub fn error(out: &mut String, message: &str) {
    let _ = writeln!(
        out,
        "<section id=\"results\"><p class=\"error\" id=\"error\">{}</p></section>",
        escape(message)
    );
}

/// The artifact list with their counts.
pub fn artifacts(
    out: &mut String,
    list: &[Artifact],
    findings: &BTreeMap<String, usize>,
    rescanned: bool,
) {
    let components: i64 = list.iter().map(|a| a.components).sum();
    let _ = writeln!(
        out,
        "<section id=\"artifacts\"><h2>Artifacts</h2>\n<p id=\"artifact-count\">{}, {} in total</p>",
        plural(list.len(), "artifact", "artifacts"),
        plural(
            usize::try_from(components).unwrap_or(0),
            "component",
            "components"
        ),
    );
    table(
        out,
        "artifact-list",
        &[
            "artifact",
            "version",
            "components",
            "vulnerabilities (last rescan)",
            "revisions",
            "ingested",
            "labels",
        ],
        list.iter().map(|a| {
            vec![
                link(&artifact_href(&a.name), &a.name),
                escape(a.version.as_deref().unwrap_or("")),
                a.components.to_string(),
                if rescanned {
                    findings.get(&a.name).copied().unwrap_or(0).to_string()
                } else {
                    "not rescanned".to_owned()
                },
                a.revisions.to_string(),
                escape(&a.ingested_at),
                labels(&a.labels),
            ]
        }),
    );
    out.push_str("</section>\n");
}

fn changes_table(out: &mut String, id: &str, changes: &[Change], with_artifact: bool) {
    let mut header = vec!["at", "revision", "change", "purl"];
    if with_artifact {
        header.insert(1, "artifact");
    }
    table(
        out,
        id,
        &header,
        changes.iter().map(|c| {
            let mut row = vec![
                escape(&c.at),
                c.revision.to_string(),
                escape(&c.change),
                link(&search_href(&c.purl), &c.purl),
            ];
            if with_artifact {
                row.insert(1, link(&artifact_href(&c.artifact), &c.artifact));
            }
            row
        }),
    );
}

/// Packages that entered or left since the last rescan.
pub fn changes(out: &mut String, changes: &Changes) {
    out.push_str("<section id=\"changes\"><h2>Changes since the last rescan</h2>\n");
    match &changes.last_rescan {
        Some(r) => {
            let _ = writeln!(
                out,
                "<p id=\"last-rescan\">last rescan {}: {}, {}, {} new (advisory database <code>{}</code>)</p>",
                escape(&r.at),
                plural(usize::try_from(r.artifacts).unwrap_or(0), "artifact", "artifacts"),
                plural(usize::try_from(r.findings).unwrap_or(0), "finding", "findings"),
                r.new_findings,
                escape(&r.db_digest),
            );
        }
        None => out.push_str(
            "<p id=\"last-rescan\">no rescan recorded: run <code>vouch fleet rescan</code>; every change is listed</p>\n",
        ),
    }
    let _ = writeln!(
        out,
        "<p id=\"change-count\">{} since then</p>",
        plural(changes.changes.len(), "package change", "package changes")
    );
    if !changes.changes.is_empty() {
        changes_table(out, "change-list", &changes.changes, true);
    }
    out.push_str("</section>\n");
}

/// One artifact: what it is, how it was verified, its vulnerabilities, components, history.
pub fn artifact(
    out: &mut String,
    detail: &ArtifactDetail,
    history: &[Change],
    rescanned: Option<&str>,
) {
    let a = &detail.artifact;
    let _ = writeln!(out, "<h1 id=\"artifact-name\">{}</h1>", escape(&a.name));
    out.push_str("<section id=\"summary\"><table id=\"facts\"><tbody>\n");
    let facts = [
        ("version", a.version.clone().unwrap_or_default()),
        ("digest", a.digest.clone().unwrap_or_default()),
        ("labels", String::new()),
        ("source", a.source.clone()),
        ("format", a.format.clone()),
        ("ingested", a.ingested_at.clone()),
        ("revisions", a.revisions.to_string()),
        ("components", a.components.to_string()),
    ];
    for (k, v) in facts {
        let v = if k == "labels" {
            labels(&a.labels)
        } else {
            escape(&v)
        };
        let _ = writeln!(out, "<tr><th>{k}</th><td id=\"fact-{k}\">{v}</td></tr>");
    }
    out.push_str("</tbody></table></section>\n");

    // The store keeps no verification evidence yet: said so, never left blank or guessed.
    out.push_str(
        "<section id=\"verification\"><h2>Verification</h2>\n<table id=\"verification-state\"><tbody>\n\
<tr><th>signature</th><td>not recorded</td></tr>\n\
<tr><th>provenance</th><td>not recorded</td></tr>\n\
<tr><th>verification summary (VSA)</th><td>not recorded</td></tr>\n\
</tbody></table>\n<p class=\"note\">The fleet store does not keep the gate's evidence yet: \
run <code>vouch gate</code> or <code>vouch verify</code> on the artifact to know.</p></section>\n",
    );

    let unsuppressed = detail
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .count();
    out.push_str("<section id=\"vulnerabilities\"><h2>Vulnerabilities</h2>\n");
    match rescanned {
        Some(at) => {
            let _ = writeln!(
                out,
                "<p id=\"vulnerability-count\">{} at the last rescan ({}){}</p>",
                plural(unsuppressed, "vulnerability", "vulnerabilities"),
                escape(at),
                match detail.findings.len() - unsuppressed {
                    0 => String::new(),
                    n => format!(", {n} suppressed"),
                }
            );
            if !detail.findings.is_empty() {
                findings_table(out, "vulnerability-list", &detail.findings, false);
            }
        }
        None => out.push_str(
            "<p id=\"vulnerability-count\">not checked: the fleet has not been rescanned (<code>vouch fleet rescan</code>)</p>\n",
        ),
    }
    out.push_str("</section>\n");

    let _ = writeln!(
        out,
        "<section id=\"components\"><h2>Components</h2>\n<p id=\"component-count\">{}</p>",
        plural(detail.component_list.len(), "component", "components")
    );
    table(
        out,
        "component-list",
        &["ecosystem", "package", "version", "purl"],
        detail.component_list.iter().map(|c| {
            vec![
                escape(&c.ecosystem),
                escape(&c.name),
                escape(&c.version),
                link(&search_href(&c.purl), &c.purl),
            ]
        }),
    );
    out.push_str("</section>\n");

    let _ = writeln!(
        out,
        "<section id=\"history\"><h2>History</h2>\n<p id=\"history-count\">{}</p>",
        plural(history.len(), "change", "changes")
    );
    if !history.is_empty() {
        changes_table(out, "history-list", history, false);
    }
    out.push_str("</section>\n");
}

/// The SLO panel.
pub fn slo(out: &mut String, report: &vouch_slo::status::Report) {
    use vouch_slo::status::Verdict;
    let _ = writeln!(
        out,
        "<section id=\"slo\"><h2>Delivery SLOs</h2>\n<p id=\"slo-summary\">{} over {} in their windows at {}</p>",
        plural(report.slos.len(), "SLO", "SLOs"),
        plural(report.events, "pipeline event", "pipeline events"),
        escape(&report.now.to_string()),
    );
    table(
        out,
        "slo-list",
        &[
            "SLO",
            "indicator",
            "window",
            "value",
            "objective",
            "bad / total",
            "budget left",
            "verdict",
        ],
        report.slos.iter().map(|s| {
            let (class, verdict) = match s.verdict {
                Verdict::Met => ("good", "met".to_owned()),
                Verdict::Breached => ("bad", "breached".to_owned()),
                Verdict::BudgetExhausted => ("bad", "budget exhausted".to_owned()),
                Verdict::NotEvaluated => (
                    "bad",
                    format!(
                        "not evaluated: {}",
                        s.reason.as_deref().unwrap_or("no events")
                    ),
                ),
            };
            vec![
                escape(&s.name),
                escape(s.indicator),
                escape(&s.window),
                s.value.map(|v| format!("{v:.4}")).unwrap_or_default(),
                escape(&s.objective),
                format!("{} / {}", s.bad, s.total),
                s.budget_left
                    .map(|v| format!("{:.1}%", v * 100.0))
                    .unwrap_or_default(),
                format!("<span class=\"{class}\">{}</span>", escape(&verdict)),
            ]
        }),
    );
    out.push_str("</section>\n");
}
