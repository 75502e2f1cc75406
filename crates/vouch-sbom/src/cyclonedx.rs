//! CycloneDX 1.6 JSON writer.
//!
//! Mapping (see `docs/sbom-format.md` for the reasons):
//! - every inventory component is a `library` with `bom-ref` = its purl; an npm scope goes to
//!   `group` (`@babel`) and the rest to `name` (`core`), as Trivy and cdxgen write it; other
//!   names are written whole (Go module paths, `vendor/package` for Composer);
//! - scope: required → `required`, optional → `optional`, dev → `excluded` (the spec's
//!   "test and other non-runtime purposes");
//! - licences: one `expression` when any recorded string is a compound SPDX expression and
//!   all are valid SPDX, else one `license` entry each (`id` for a single SPDX identifier,
//!   `name` for anything else);
//! - `evidence.occurrences` lists every file the component was found in (with its line);
//! - `serialNumber` is a version-5 UUID of the SHA-256 of the document without timestamp and
//!   serial number, so identical content gets the same serial number.

use serde::Serialize;
use vouch_inventory::{Component, Distro, Ecosystem, Inventory, Scope, SourceKind};

use crate::WriteOptions;
use crate::ident::{is_url, sha256_hex, urn_uuid};
use crate::license::{Licence, NOT_IN_CYCLONEDX_ENUM, classify, join_and};

/// The CycloneDX document for `inventory`, pretty-printed, with a final newline.
pub fn to_json(inventory: &Inventory, options: &WriteOptions) -> String {
    let mut bom = build(inventory, options);
    // Identity from content: hash the document as it is without timestamp and serial number.
    let timestamp = bom.metadata.timestamp.take();
    let canonical = serde_json::to_vec(&bom).unwrap_or_default();
    bom.serial_number = urn_uuid(&format!(
        "https://vouch.invalid/cyclonedx/{}",
        sha256_hex(&canonical)
    ));
    bom.metadata.timestamp = timestamp;
    let mut out = serde_json::to_string_pretty(&bom).unwrap_or_default();
    out.push('\n');
    out
}

#[derive(Serialize)]
struct Bom {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber", skip_serializing_if = "String::is_empty")]
    serial_number: String,
    version: u32,
    metadata: Metadata,
    components: Vec<CdxComponent>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    tools: Tools,
    component: CdxComponent,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<CdxComponent>,
}

#[derive(Serialize, Default, Clone)]
struct CdxComponent {
    #[serde(rename = "type")]
    ty: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "String::is_empty")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<CdxHash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenceChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<ComponentEvidence>,
}

#[derive(Serialize, Clone)]
struct CdxHash {
    alg: &'static str,
    content: String,
}

#[derive(Serialize, Clone)]
#[serde(untagged)]
enum LicenceChoice {
    License { license: LicenceEntry },
    Expression { expression: String },
}

#[derive(Serialize, Clone)]
#[serde(untagged)]
enum LicenceEntry {
    Id { id: String },
    Name { name: String },
}

#[derive(Serialize, Clone)]
struct ExternalReference {
    #[serde(rename = "type")]
    ty: &'static str,
    url: String,
}

#[derive(Serialize, Clone)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize, Clone)]
struct ComponentEvidence {
    occurrences: Vec<Occurrence>,
}

#[derive(Serialize, Clone)]
struct Occurrence {
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

fn build(inventory: &Inventory, options: &WriteOptions) -> Bom {
    let subject = options.subject(inventory);
    let subject_ref = format!("vouch:subject:{subject}");
    let os = inventory.distro.as_ref().map(os_component);
    let subject_component = CdxComponent {
        // A root filesystem with an os-release is an image or an unpacked container; anything
        // else is treated as an application's source tree.
        ty: if inventory.distro.is_some() {
            "container"
        } else {
            "application"
        },
        bom_ref: subject_ref.clone(),
        name: subject.to_owned(),
        ..CdxComponent::default()
    };
    let tool = CdxComponent {
        ty: "application",
        name: options.tool_name.clone(),
        version: Some(options.tool_version.clone()),
        ..CdxComponent::default()
    };

    // bom-ref = purl; the inventory merges by key so purls are unique in practice, but a
    // repeated purl still gets a distinct bom-ref rather than an invalid document.
    let mut refs: Vec<String> = Vec::with_capacity(inventory.components.len());
    let mut seen = std::collections::BTreeSet::new();
    for c in &inventory.components {
        let mut r = c.purl.clone();
        let mut n = 1;
        while !seen.insert(r.clone()) {
            n += 1;
            r = format!("{}#{n}", c.purl);
        }
        refs.push(r);
    }

    let mut components = Vec::with_capacity(inventory.components.len() + 1);
    if let Some(os) = &os {
        components.push(os.clone());
    }
    for (c, r) in inventory.components.iter().zip(&refs) {
        components.push(component(c, r.clone()));
    }

    let mut dependencies = Vec::with_capacity(components.len() + 1);
    // Roots: components nothing else in the inventory depends on.
    let depended: std::collections::BTreeSet<&str> = inventory
        .components
        .iter()
        .flat_map(|c| c.dependencies.iter().map(String::as_str))
        .collect();
    let is_os_pkg = |c: &Component| {
        matches!(
            c.ecosystem,
            Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm
        )
    };
    let mut subject_deps: Vec<String> = Vec::new();
    let mut os_deps: Vec<String> = Vec::new();
    for (c, r) in inventory.components.iter().zip(&refs) {
        if depended.contains(c.purl.as_str()) {
            continue;
        }
        match &os {
            Some(_) if is_os_pkg(c) => os_deps.push(r.clone()),
            _ => subject_deps.push(r.clone()),
        }
    }
    if let Some(os) = &os {
        subject_deps.push(os.bom_ref.clone());
        os_deps.sort();
        dependencies.push(Dependency {
            reference: os.bom_ref.clone(),
            depends_on: os_deps,
        });
    }
    subject_deps.sort();
    dependencies.push(Dependency {
        reference: subject_ref,
        depends_on: subject_deps,
    });
    for (c, r) in inventory.components.iter().zip(&refs) {
        // Component dependencies are purls of components in the inventory (it resolves them),
        // which are their bom-refs; anything else is dropped rather than left dangling.
        let mut depends_on: Vec<String> = c
            .dependencies
            .iter()
            .filter(|d| seen.contains(d.as_str()) && *d != r)
            .cloned()
            .collect();
        depends_on.sort();
        depends_on.dedup();
        dependencies.push(Dependency {
            reference: r.clone(),
            depends_on,
        });
    }
    dependencies.sort_by(|a, b| a.reference.cmp(&b.reference));

    Bom {
        schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: String::new(),
        version: 1,
        metadata: Metadata {
            timestamp: options.timestamp_text(),
            tools: Tools {
                components: vec![tool],
            },
            component: subject_component,
        },
        components,
        dependencies,
    }
}

/// The operating-system component for the distro.
fn os_component(distro: &Distro) -> CdxComponent {
    let version = distro
        .version_id
        .clone()
        .or_else(|| distro.codename.clone());
    let bom_ref = format!("vouch:os:{}", distro.purl_qualifier());
    let mut properties = Vec::new();
    if let Some(codename) = &distro.codename {
        properties.push(Property {
            name: "vouch:distro:codename",
            value: codename.clone(),
        });
    }
    properties.push(Property {
        name: "vouch:distro:id",
        value: distro.id.clone(),
    });
    CdxComponent {
        ty: "operating-system",
        bom_ref,
        name: distro.id.clone(),
        version,
        description: distro.pretty_name.clone(),
        properties,
        ..CdxComponent::default()
    }
}

fn component(c: &Component, bom_ref: String) -> CdxComponent {
    let (group, name) = match c.ecosystem {
        Ecosystem::Npm => match c
            .name
            .strip_prefix('@')
            .and_then(|rest| rest.split_once('/'))
        {
            Some((scope, name)) if !scope.is_empty() && !name.is_empty() => {
                (Some(format!("@{scope}")), name.to_owned())
            }
            _ => (None, c.name.clone()),
        },
        _ => (None, c.name.clone()),
    };
    let mut properties = Vec::new();
    let mut kinds: Vec<SourceKind> = c.evidence.iter().map(|e| e.kind).collect();
    kinds.sort();
    kinds.dedup();
    for k in kinds {
        let value = match k {
            SourceKind::Lockfile => "lockfile",
            SourceKind::Installed => "installed",
        };
        properties.push(Property {
            name: "vouch:source-kind",
            value: value.to_owned(),
        });
    }
    if let Some(sp) = &c.source_package {
        properties.push(Property {
            name: "vouch:source-package",
            value: sp.name.clone(),
        });
        properties.push(Property {
            name: "vouch:source-package-version",
            value: sp.version.clone(),
        });
    }
    if c.first_party {
        // The project's own code: marked, and given no registry purl that a matcher could take
        // for the registry package of the same name.
        properties.push(Property {
            name: "vouch:first-party",
            value: "true".to_owned(),
        });
    }
    // `Url` prints without credentials: `https://***@host/…`.
    let external_references = match c.resolved.as_ref().map(ToString::to_string) {
        Some(url) if is_url(&url) => vec![ExternalReference {
            ty: "distribution",
            url,
        }],
        _ => Vec::new(),
    };
    let occurrences: Vec<Occurrence> = c
        .evidence
        .iter()
        .map(|e| Occurrence {
            location: e.path.clone(),
            line: e.line,
        })
        .collect();
    CdxComponent {
        ty: "library",
        bom_ref,
        group,
        name,
        version: Some(c.version.clone()),
        scope: Some(match c.scope {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "excluded",
        }),
        hashes: c
            .hashes
            .iter()
            .map(|h| CdxHash {
                alg: h.algorithm.cyclonedx(),
                content: h.hex.clone(),
            })
            .collect(),
        licenses: licences(&c.licenses),
        purl: (!c.first_party).then(|| c.purl.clone()),
        external_references,
        properties,
        evidence: (!occurrences.is_empty()).then_some(ComponentEvidence { occurrences }),
        description: None,
    }
}

/// The `licenses` array: see the module docs.
fn licences(recorded: &[String]) -> Vec<LicenceChoice> {
    let classified: Vec<Licence<'_>> = recorded.iter().filter_map(|s| classify(s)).collect();
    let any_expression = classified
        .iter()
        .any(|l| matches!(l, Licence::Expression(_)));
    let any_text = classified.iter().any(|l| matches!(l, Licence::Text(_)));
    if any_expression && !any_text {
        let mut parts: Vec<String> = Vec::new();
        for l in &classified {
            let p = match l {
                Licence::Id(s) | Licence::Expression(s) | Licence::Text(s) => (*s).to_owned(),
            };
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
        return vec![LicenceChoice::Expression {
            expression: join_and(&parts),
        }];
    }
    let mut out: Vec<LicenceChoice> = Vec::new();
    for l in classified {
        let entry = match l {
            Licence::Id(id) if NOT_IN_CYCLONEDX_ENUM.contains(&id) => LicenceEntry::Name {
                name: id.to_owned(),
            },
            Licence::Id(id) => LicenceEntry::Id { id: id.to_owned() },
            Licence::Expression(s) | Licence::Text(s) => LicenceEntry::Name { name: s.to_owned() },
        };
        out.push(LicenceChoice::License { license: entry });
    }
    out
}
