//! Classifying the licence strings sources record, for both writers.

use std::collections::BTreeMap;

/// One licence string as a writer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Licence<'a> {
    /// Exactly one identifier of the SPDX licence list, spelt as the list spells it.
    Id(&'static str),
    /// A valid SPDX expression that is more than one identifier: `MIT OR Apache-2.0`,
    /// `GPL-2.0-only WITH Classpath-exception-2.0`, `LicenseRef-x`.
    Expression(&'a str),
    /// Anything else: `Apache 2.0`, `BSD`, `SEE LICENSE IN LICENSE.md`.
    Text(&'a str),
}

/// Identifiers of the SPDX licence list 3.29 (which the `spdx` crate knows) that the
/// CycloneDX 1.6 schema's `spdx.schema.json` enumeration (list 3.28) does not have yet; a
/// `license.id` must be in that enumeration, so these are written as `license.name` instead
/// (or inside the one `expression` when the component's licences form one).
/// `tests/schema.rs` checks this list against the schema.
pub(crate) const NOT_IN_CYCLONEDX_ENUM: &[&str] = &[
    "BSD-2-Clause-pos-unchanged",
    "BSD-3-Clause-OpenWebUI",
    "BSD-Source-Code-no-disclaimer",
    "BSD-Source-alt-GPL",
    "BSD-ask-to-endorse",
    "Brian-Gladman-3-Clause-no-conversion",
    "Bugroff",
    "CC-BY-NC-3.0-IGO",
    "FDK-MPEG-H",
    "GFDL-1.1-invariants",
    "GFDL-1.1-no-invariants",
    "GFDL-1.2-invariants",
    "GFDL-1.2-no-invariants",
    "GFDL-1.3-invariants",
    "GFDL-1.3-no-invariants",
    "Hippocratic-3.0-core",
    "Informatica",
    "MVT-1.1",
    "atc-game",
];

/// The SPDX expression syntax, exactly, with the identifiers the licence list deprecated
/// (`GPL-2.0`, `GPL-2.0+`) still accepted: they are valid identifiers that old packages use.
/// No guessing: no `/` for `OR`, no imprecise names, no unknown identifiers.
const MODE: spdx::ParseMode = spdx::ParseMode {
    allow_slash_as_or_operator: false,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Classifies one recorded licence string; `None` for an empty string, `NOASSERTION` and
/// `NONE`, which state no licence.
pub(crate) fn classify(s: &str) -> Option<Licence<'_>> {
    let s = s.trim();
    if s.is_empty() || s == "NOASSERTION" || s == "NONE" {
        return None;
    }
    if let Some(id) = spdx::license_id(s)
        && id.name == s
    {
        return Some(Licence::Id(id.name));
    }
    if spdx::Expression::parse_mode(s, MODE).is_ok() {
        return Some(Licence::Expression(s));
    }
    Some(Licence::Text(s))
}

/// Whether a valid expression names a `LicenseRef-` or `DocumentRef-`: those must be defined
/// in the document that uses them, so SPDX output treats such strings as text.
pub(crate) fn has_refs(expression: &str) -> bool {
    match spdx::Expression::parse_mode(expression, MODE) {
        Ok(e) => e
            .requirements()
            .any(|r| matches!(r.req.license, spdx::LicenseItem::Other(_))),
        Err(_) => true,
    }
}

/// Joins expressions with `AND`, parenthesising compound ones. One part is returned as is.
pub(crate) fn join_and(parts: &[String]) -> String {
    if let [one] = parts {
        return one.clone();
    }
    parts
        .iter()
        .map(|p| {
            if p.contains(' ') {
                format!("({p})")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The SPDX `licenseDeclared` value for a component's licence strings: `NOASSERTION` when
/// there are none; otherwise the strings joined with `AND`, each text (and each expression
/// naming its own `LicenseRef-`) replaced by a `LicenseRef-vouch-…` entered into `extracted`
/// (identifier → original text).
pub(crate) fn spdx_declared(
    licences: &[String],
    extracted: &mut BTreeMap<String, String>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for s in licences {
        let part = match classify(s) {
            None => continue,
            Some(Licence::Id(id)) => id.to_owned(),
            Some(Licence::Expression(e)) if !has_refs(e) => e.to_owned(),
            Some(Licence::Expression(text) | Licence::Text(text)) => {
                let id = licence_ref(text);
                extracted.insert(id.clone(), text.to_owned());
                id
            }
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if parts.is_empty() {
        "NOASSERTION".to_owned()
    } else {
        join_and(&parts)
    }
}

/// `LicenseRef-vouch-<sanitised text, at most 40 characters>-<first 8 hex of its SHA-256>`:
/// stable for the same text, distinct for different texts.
pub(crate) fn licence_ref(text: &str) -> String {
    let name = crate::ident::sanitize(text, 40);
    let hash = crate::ident::sha256_hex(text.as_bytes());
    let short = hash.get(..8).unwrap_or(&hash);
    if name.is_empty() {
        format!("LicenseRef-vouch-{short}")
    } else {
        format!("LicenseRef-vouch-{name}-{short}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_text() {
        assert_eq!(classify("MIT"), Some(Licence::Id("MIT")));
        assert_eq!(classify(" Apache-2.0 "), Some(Licence::Id("Apache-2.0")));
        assert_eq!(
            classify("MIT OR Apache-2.0"),
            Some(Licence::Expression("MIT OR Apache-2.0"))
        );
        assert_eq!(classify("GPL-2.0+"), Some(Licence::Expression("GPL-2.0+")));
        assert_eq!(classify("Apache 2.0"), Some(Licence::Text("Apache 2.0")));
        assert_eq!(classify("mit"), Some(Licence::Text("mit")));
        assert_eq!(classify("GPL-2.0"), Some(Licence::Id("GPL-2.0")));
        assert_eq!(
            classify("LGPL-2.1+ AND GPL-2.0"),
            Some(Licence::Expression("LGPL-2.1+ AND GPL-2.0"))
        );
        assert_eq!(
            classify("MIT/Apache-2.0"),
            Some(Licence::Text("MIT/Apache-2.0"))
        );
        assert_eq!(
            classify("Nonsense-1.0 OR MIT"),
            Some(Licence::Text("Nonsense-1.0 OR MIT"))
        );
        assert_eq!(classify("NOASSERTION"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn declared_joins_and_extracts() {
        let mut ex = BTreeMap::new();
        let got = spdx_declared(
            &[
                "Apache 2.0".into(),
                "MIT".into(),
                "MIT OR Apache-2.0".into(),
                "LicenseRef-Own".into(),
            ],
            &mut ex,
        );
        let ap = licence_ref("Apache 2.0");
        let own = licence_ref("LicenseRef-Own");
        assert_eq!(
            got,
            format!("{ap} AND MIT AND (MIT OR Apache-2.0) AND {own}")
        );
        assert_eq!(ex.get(&ap).map(String::as_str), Some("Apache 2.0"));
        assert_eq!(ex.len(), 2);
        assert_eq!(spdx_declared(&["NONE".into()], &mut ex), "NOASSERTION");
        assert!(ap.starts_with("LicenseRef-vouch-Apache-2.0-"));
    }

    /// Every identifier the `spdx` crate knows is either in the CycloneDX schema's
    /// enumeration or listed in `NOT_IN_CYCLONEDX_ENUM` (and only then).
    #[test]
    fn cyclonedx_enum_gaps_are_listed() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../vouch-test/schemas/spdx.schema.json"))
                .expect("schema");
        let known: std::collections::BTreeSet<&str> = schema["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let missing: Vec<&str> = spdx::identifiers::LICENSES
            .iter()
            .map(|l| l.name)
            .filter(|n| !known.contains(n) && *n != "NOASSERTION")
            .collect();
        assert_eq!(missing, NOT_IN_CYCLONEDX_ENUM);
    }
}
