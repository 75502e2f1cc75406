//! CVSS v4.0 scoring: MacroVector lookup and interpolation (specification section 8.2/8.3;
//! the data tables are FIRST's reference calculator's, `cvss_lookup.js`, `max_composed.js`,
//! `max_severity.js`, FIRST / Red Hat, BSD-2-Clause).

use crate::Vector;

/// MacroVector scores in tenths, indexed by
/// `((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6`; 255: no such MacroVector.
#[rustfmt::skip]
const LOOKUP: [u8; 324] = [
    100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68,
    98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48,
    255, 92, 255, 82, 255, 72, 255, 79, 255, 69, 255, 50, 255, 69, 255, 55, 255, 27,
    99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53,
    95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30,
    255, 86, 255, 75, 255, 52, 255, 71, 255, 52, 255, 29, 255, 63, 255, 29, 255, 17,
    98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49,
    94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25,
    255, 83, 255, 70, 255, 54, 255, 65, 255, 58, 255, 26, 255, 53, 255, 21, 255, 13,
    95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30,
    89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16,
    255, 71, 255, 59, 255, 30, 255, 58, 255, 26, 255, 15, 255, 23, 255, 13, 255, 6,
    93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22,
    85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8,
    255, 64, 255, 51, 255, 20, 255, 47, 255, 21, 255, 11, 255, 24, 255, 9, 255, 4,
    88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11,
    75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2,
    255, 53, 255, 24, 255, 14, 255, 24, 255, 12, 255, 5, 255, 10, 255, 3, 255, 1,
];

fn lookup(eq: [u8; 6]) -> Option<f64> {
    let [e1, e2, e3, e4, e5, e6] = eq.map(usize::from);
    if e1 > 2 || e2 > 1 || e3 > 2 || e4 > 2 || e5 > 2 || e6 > 1 {
        return None;
    }
    let index = ((((e1 * 2 + e2) * 3 + e3) * 3 + e4) * 3 + e5) * 2 + e6;
    match LOOKUP.get(index) {
        Some(255) | None => None,
        Some(&tenths) => Some(f64::from(tenths) / 10.0),
    }
}

/// The effective value of a metric: a modified (`M…`) metric overrides the base one; `E`, `CR`,
/// `IR`, `AR` default to their worst case.
fn m(v: &Vector, name: &str) -> &'static str {
    let given = v.get(name).filter(|x| *x != "X");
    match name {
        "E" => return given.unwrap_or("A"),
        "CR" | "IR" | "AR" => return given.unwrap_or("H"),
        _ => {}
    }
    let modified = match name {
        "AV" => "MAV",
        "AC" => "MAC",
        "AT" => "MAT",
        "PR" => "MPR",
        "UI" => "MUI",
        "VC" => "MVC",
        "VI" => "MVI",
        "VA" => "MVA",
        "SC" => "MSC",
        "SI" => "MSI",
        "SA" => "MSA",
        _ => "",
    };
    v.get(modified)
        .filter(|x| *x != "X")
        .or(given)
        .unwrap_or("")
}

/// Severity level of a metric value, in tenths (`METRIC_LEVELS`).
fn level(name: &str, value: &str) -> f64 {
    match (name, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SC", "H") => 0.1,
        ("SC", "L") => 0.2,
        ("SC", "N") => 0.3,
        ("SI" | "SA", "S") => 0.0,
        ("SI" | "SA", "H") => 0.1,
        ("SI" | "SA", "L") => 0.2,
        ("SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        ("E", "A") => 0.0,
        ("E", "P") => 0.1,
        ("E", "U") => 0.2,
        _ => 0.0,
    }
}

fn macro_vector(v: &Vector) -> [u8; 6] {
    let is = |name: &str, value: &str| m(v, name) == value;
    let eq1 = if is("AV", "N") && is("PR", "N") && is("UI", "N") {
        0
    } else if (is("AV", "N") || is("PR", "N") || is("UI", "N")) && !is("AV", "P") {
        1
    } else {
        2
    };
    let eq2 = if is("AC", "L") && is("AT", "N") { 0 } else { 1 };
    let eq3 = if is("VC", "H") && is("VI", "H") {
        0
    } else if is("VC", "H") || is("VI", "H") || is("VA", "H") {
        1
    } else {
        2
    };
    let eq4 = if is("MSI", "S") || is("MSA", "S") {
        0
    } else if is("SC", "H") || is("SI", "H") || is("SA", "H") {
        1
    } else {
        2
    };
    let eq5 = match m(v, "E") {
        "A" => 0,
        "P" => 1,
        _ => 2,
    };
    let eq6 = if (is("CR", "H") && is("VC", "H"))
        || (is("IR", "H") && is("VI", "H"))
        || (is("AR", "H") && is("VA", "H"))
    {
        0
    } else {
        1
    };
    [eq1, eq2, eq3, eq4, eq5, eq6]
}

/// Highest-severity vectors of each MacroVector level (`MAX_COMPOSED`), as (metric, value) lists.
type Max = &'static [(&'static str, &'static str)];

fn eq1_maxes(level: u8) -> &'static [Max] {
    match level {
        0 => &[&[("AV", "N"), ("PR", "N"), ("UI", "N")]],
        1 => &[
            &[("AV", "A"), ("PR", "N"), ("UI", "N")],
            &[("AV", "N"), ("PR", "L"), ("UI", "N")],
            &[("AV", "N"), ("PR", "N"), ("UI", "P")],
        ],
        _ => &[
            &[("AV", "P"), ("PR", "N"), ("UI", "N")],
            &[("AV", "A"), ("PR", "L"), ("UI", "P")],
        ],
    }
}

fn eq2_maxes(level: u8) -> &'static [Max] {
    match level {
        0 => &[&[("AC", "L"), ("AT", "N")]],
        _ => &[&[("AC", "H"), ("AT", "N")], &[("AC", "L"), ("AT", "P")]],
    }
}

fn eq3eq6_maxes(eq3: u8, eq6: u8) -> &'static [Max] {
    match (eq3, eq6) {
        (0, 0) => &[&[
            ("VC", "H"),
            ("VI", "H"),
            ("VA", "H"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
        (0, _) => &[
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "M"),
                ("AR", "M"),
            ],
        ],
        (1, 0) => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "H"),
            ],
        ],
        (1, _) => &[
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "L"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "H"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "M"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "M"),
            ],
            &[
                ("VC", "H"),
                ("VI", "L"),
                ("VA", "L"),
                ("CR", "M"),
                ("IR", "H"),
                ("AR", "H"),
            ],
            &[
                ("VC", "L"),
                ("VI", "L"),
                ("VA", "H"),
                ("CR", "H"),
                ("IR", "H"),
                ("AR", "M"),
            ],
        ],
        _ => &[&[
            ("VC", "L"),
            ("VI", "L"),
            ("VA", "L"),
            ("CR", "H"),
            ("IR", "H"),
            ("AR", "H"),
        ]],
    }
}

fn eq4_maxes(level: u8) -> &'static [Max] {
    match level {
        0 => &[&[("SC", "H"), ("SI", "S"), ("SA", "S")]],
        1 => &[&[("SC", "H"), ("SI", "H"), ("SA", "H")]],
        _ => &[&[("SC", "L"), ("SI", "L"), ("SA", "L")]],
    }
}

/// `MAX_SEVERITY`: depth of each MacroVector level, in steps.
fn max_severity(eq: usize, level: u8, eq6: u8) -> f64 {
    let depth = match (eq, level, eq6) {
        (1, 0, _) => 1,
        (1, 1, _) => 4,
        (1, _, _) => 5,
        (2, 0, _) => 1,
        (2, _, _) => 2,
        (3, 0, 0) => 7,
        (3, 0, _) => 6,
        (3, 1, _) => 8,
        (3, _, _) => 10,
        (4, 0, _) => 6,
        (4, 1, _) => 5,
        _ => 4,
    };
    f64::from(depth)
}

const DISTANCE_METRICS: [&str; 15] = [
    "AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR", "E",
];

pub(crate) fn score(v: &Vector) -> f64 {
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|n| m(v, n) == "N")
    {
        return 0.0;
    }
    let eq = macro_vector(v);
    let [eq1, eq2, eq3, eq4, eq5, eq6] = eq;
    let Some(value) = lookup(eq) else {
        // Every reachable MacroVector is in the table; stay total anyway.
        return 0.0;
    };
    let lower = |d: [u8; 6]| {
        lookup([
            eq1 + d[0],
            eq2 + d[1],
            eq3 + d[2],
            eq4 + d[3],
            eq5 + d[4],
            eq6 + d[5],
        ])
    };
    let next_eq1 = lower([1, 0, 0, 0, 0, 0]);
    let next_eq2 = lower([0, 1, 0, 0, 0, 0]);
    let next_eq3eq6 = match (eq3, eq6) {
        (1, 1) | (0, 1) => lower([0, 0, 1, 0, 0, 0]),
        (1, 0) => lower([0, 0, 0, 0, 0, 1]),
        (0, 0) => match (lower([0, 0, 0, 0, 0, 1]), lower([0, 0, 1, 0, 0, 0])) {
            (Some(l), Some(r)) => Some(l.max(r)),
            _ => None,
        },
        _ => lower([0, 0, 1, 0, 0, 1]),
    };
    let next_eq4 = lower([0, 0, 0, 1, 0, 0]);
    let next_eq5 = lower([0, 0, 0, 0, 1, 0]);

    // The first highest-severity vector of the MacroVector that the vector does not exceed.
    let e5: Max = match eq5 {
        0 => &[("E", "A")],
        1 => &[("E", "P")],
        _ => &[("E", "U")],
    };
    let mut distances = [0.0f64; 15];
    'search: for a in eq1_maxes(eq1) {
        for b in eq2_maxes(eq2) {
            for c in eq3eq6_maxes(eq3, eq6) {
                for d in eq4_maxes(eq4) {
                    let max_value = |name: &str| {
                        a.iter()
                            .chain(b.iter())
                            .chain(c.iter())
                            .chain(d.iter())
                            .chain(e5.iter())
                            .find(|(n, _)| *n == name)
                            .map_or("", |(_, val)| *val)
                    };
                    for (slot, name) in distances.iter_mut().zip(DISTANCE_METRICS) {
                        *slot = level(name, m(v, name)) - level(name, max_value(name));
                    }
                    if distances.iter().all(|d| *d >= 0.0) {
                        break 'search;
                    }
                }
            }
        }
    }
    let [av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar, _e] = distances;
    let current_eq1 = av + pr + ui;
    let current_eq2 = ac + at;
    let current_eq3eq6 = vc + vi + va + cr + ir + ar;
    let current_eq4 = sc + si + sa;

    let step = 0.1;
    let mut n_existing = 0u32;
    let mut sum = 0.0;
    let parts = [
        (next_eq1, current_eq1, max_severity(1, eq1, eq6)),
        (next_eq2, current_eq2, max_severity(2, eq2, eq6)),
        (next_eq3eq6, current_eq3eq6, max_severity(3, eq3, eq6)),
        (next_eq4, current_eq4, max_severity(4, eq4, eq6)),
    ];
    for (next, current, depth) in parts {
        if let Some(next) = next {
            n_existing += 1;
            let available = value - next;
            sum += available * (current / (depth * step));
        }
    }
    if next_eq5.is_some() {
        // EQ5's proportion is always 0, but the level counts towards the mean.
        n_existing += 1;
    }
    let mean = if n_existing == 0 {
        0.0
    } else {
        sum / f64::from(n_existing)
    };
    let x = (value - mean).clamp(0.0, 10.0);
    // Round half up, lifted by 1e-6 first: the interpolation can land one ULP below an x.x5 tie
    // (5.6499999999999995 for 5.65). FIRST's calculator does the same since the fix of
    // RedHatProductSecurity/cvss-v4-calculator issue #66 (2024-11-01).
    ((x + 1e-6) * 10.0 + 0.5).floor() / 10.0
}
