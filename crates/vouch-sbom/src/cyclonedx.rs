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

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq as _, Serializer};
use vouch_inventory::{Component, Distro, Ecosystem, Inventory, Scope, SourceKind};

use crate::WriteOptions;
use crate::ident::{is_url, urn_uuid};
use crate::license::{Licence, NOT_IN_CYCLONEDX_ENUM, classify, join_and};

/// The CycloneDX document for `inventory`, pretty-printed, with a final newline.
pub fn to_json(inventory: &Inventory, options: &WriteOptions) -> String {
    crate::to_string(|out| write(inventory, options, out))
}

/// Writes the document [`to_json`] returns to `out`, streaming: components and dependencies are
/// built one at a time while they are written, so memory stays near the inventory's own size
/// whatever the number of components. The serial number needs a first pass over the document
/// (hashed, not held).
pub fn write(inventory: &Inventory, options: &WriteOptions, out: impl Write) -> io::Result<()> {
    let parts = Parts::new(inventory, options);
    // Identity from content: hash the document as it is without timestamp and serial number.
    let mut hasher = vouch_digest::Digest::sha256_writer();
    serde_json::to_writer(&mut hasher, &parts.bom(None, ""))?;
    let serial_number = urn_uuid(&format!(
        "https://vouch.invalid/cyclonedx/{}",
        hasher.finish().hex()
    ));
    crate::write_pretty(out, &parts.bom(options.timestamp_text(), &serial_number))
}

#[derive(Serialize)]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber", skip_serializing_if = "str::is_empty")]
    serial_number: &'a str,
    version: u32,
    metadata: Metadata<'a>,
    components: Components<'a>,
    dependencies: Dependencies<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    tools: Tools<'a>,
    component: &'a CdxComponent,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: [&'a CdxComponent; 1],
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
    name: std::borrow::Cow<'static, str>,
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
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<&'a str>,
}

/// What the document needs besides the inventory, computed once: the small fixed components,
/// each component's `bom-ref`, and the order of the `dependencies` entries. Component records
/// are built only while they are written.
struct Parts<'a> {
    inventory: &'a Inventory,
    subject: CdxComponent,
    tool: CdxComponent,
    os: Option<CdxComponent>,
    /// The `bom-ref` of each inventory component when it is not its purl (a repeated purl).
    renamed: Vec<Option<String>>,
    /// Every `bom-ref` in the document's components: the purls, and the renamed ones.
    purls: HashSet<&'a str>,
    renamed_set: HashSet<String>,
    /// Entries of `dependencies`, sorted by their `ref`.
    order: Vec<Entry>,
    /// Components nothing depends on: under the subject, or under the OS for OS packages.
    subject_roots: Vec<usize>,
    os_roots: Vec<usize>,
}

#[derive(Clone, Copy)]
enum Entry {
    Subject,
    Os,
    Component(usize),
}

impl<'a> Parts<'a> {
    fn new(inventory: &'a Inventory, options: &WriteOptions) -> Self {
        let subject = options.subject(inventory);
        let os = inventory.distro.as_ref().map(os_component);
        let mut subject_component = CdxComponent {
            // A root filesystem with an os-release is an image or an unpacked container;
            // anything else is treated as an application's source tree.
            ty: if inventory.distro.is_some() {
                "container"
            } else {
                "application"
            },
            bom_ref: format!("vouch:subject:{subject}"),
            name: subject.to_owned(),
            ..CdxComponent::default()
        };
        if let Some(root) = &inventory.root {
            // The project at the top of the tree (the root crate): its own name and version,
            // first-party, no registry purl. A name given by the caller still wins.
            if options.subject_name.is_none() {
                subject_component.name = root.name.clone();
            }
            subject_component.version = Some(root.version.clone());
            subject_component.properties.push(Property {
                name: "vouch:first-party".into(),
                value: "true".to_owned(),
            });
        }
        if let Some(image) = &inventory.image {
            // An image is its own subject: its name, manifest digest and purl (pkg:oci).
            subject_component.ty = "container";
            if options.subject_name.is_none() {
                subject_component.name = image.name.clone();
            }
            subject_component.version = image
                .manifest_digest
                .clone()
                .or_else(|| Some(image.config_digest.clone()));
            subject_component.purl = Some(image.purl.clone());
            if let Some(hex) = image
                .manifest_digest
                .as_deref()
                .and_then(|d| d.strip_prefix("sha256:"))
            {
                subject_component.hashes.push(CdxHash {
                    alg: "SHA-256",
                    content: hex.to_owned(),
                });
            }
            let mut property = |name: &'static str, value: &str| {
                subject_component.properties.push(Property {
                    name: name.into(),
                    value: value.to_owned(),
                })
            };
            property("vouch:image:config-digest", &image.config_digest);
            if let Some(d) = &image.manifest_digest {
                property("vouch:image:manifest-digest", d);
            }
            if let Some(p) = &image.platform {
                property("vouch:image:platform", p);
            }
            if let Some(t) = &image.tag {
                property("vouch:image:tag", t);
            }
        }
        let tool = CdxComponent {
            ty: "application",
            name: options.tool_name.clone(),
            version: Some(options.tool_version.clone()),
            ..CdxComponent::default()
        };

        // bom-ref = purl; the inventory merges by key so purls are unique in practice, but a
        // repeated purl still gets a distinct bom-ref rather than an invalid document.
        let components = &inventory.components;
        let mut purls: HashSet<&'a str> = HashSet::with_capacity(components.len());
        let mut renamed_set: HashSet<String> = HashSet::new();
        let mut renamed: Vec<Option<String>> = Vec::with_capacity(components.len());
        for c in components {
            if !renamed_set.contains(&c.purl) && purls.insert(&c.purl) {
                renamed.push(None);
                continue;
            }
            let mut n = 2;
            let mut r = format!("{}#{n}", c.purl);
            while purls.contains(r.as_str()) || renamed_set.contains(&r) {
                n += 1;
                r = format!("{}#{n}", c.purl);
            }
            renamed_set.insert(r.clone());
            renamed.push(Some(r));
        }

        // Roots: components nothing else in the inventory depends on.
        let depended: HashSet<&str> = components
            .iter()
            .flat_map(|c| c.dependencies.iter().map(String::as_str))
            .collect();
        let is_os_pkg = |c: &Component| {
            matches!(
                c.ecosystem,
                Ecosystem::Debian | Ecosystem::Alpine | Ecosystem::Rpm
            )
        };
        let mut subject_roots = Vec::new();
        let mut os_roots = Vec::new();
        for (i, c) in components.iter().enumerate() {
            if depended.contains(c.purl.as_str()) {
                continue;
            }
            match &os {
                Some(_) if is_os_pkg(c) => os_roots.push(i),
                _ => subject_roots.push(i),
            }
        }
        drop(depended);

        let mut order: Vec<Entry> = (0..components.len()).map(Entry::Component).collect();
        order.push(Entry::Subject);
        if os.is_some() {
            order.push(Entry::Os);
        }
        let mut parts = Self {
            inventory,
            subject: subject_component,
            tool,
            os,
            renamed,
            purls,
            renamed_set,
            order: Vec::new(),
            subject_roots,
            os_roots,
        };
        // Stable: equal refs keep the order the entries were listed in.
        order.sort_by(|a, b| parts.entry_ref(*a).cmp(parts.entry_ref(*b)));
        parts.order = order;
        parts
    }

    /// The `bom-ref` of inventory component `i`.
    fn ref_of(&self, i: usize) -> &str {
        match &self.renamed[i] {
            Some(r) => r,
            None => &self.inventory.components[i].purl,
        }
    }

    fn is_ref(&self, s: &str) -> bool {
        self.purls.contains(s) || self.renamed_set.contains(s)
    }

    fn entry_ref(&self, entry: Entry) -> &str {
        match entry {
            Entry::Subject => &self.subject.bom_ref,
            Entry::Os => self.os.as_ref().map_or("", |o| o.bom_ref.as_str()),
            Entry::Component(i) => self.ref_of(i),
        }
    }

    fn bom<'b>(&'b self, timestamp: Option<String>, serial_number: &'b str) -> Bom<'b> {
        Bom {
            schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
            bom_format: "CycloneDX",
            spec_version: "1.6",
            serial_number,
            version: 1,
            metadata: Metadata {
                timestamp,
                tools: Tools {
                    components: [&self.tool],
                },
                component: &self.subject,
            },
            components: Components(self),
            dependencies: Dependencies(self),
        }
    }
}

/// `components`, built one at a time while written.
struct Components<'a>(&'a Parts<'a>);

impl Serialize for Components<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.0;
        let len = parts.inventory.components.len() + usize::from(parts.os.is_some());
        let mut seq = serializer.serialize_seq(Some(len))?;
        if let Some(os) = &parts.os {
            seq.serialize_element(os)?;
        }
        for (i, c) in parts.inventory.components.iter().enumerate() {
            seq.serialize_element(&component(c, parts.ref_of(i).to_owned()))?;
        }
        seq.end()
    }
}

/// `dependencies`, sorted by `ref`, built one at a time while written.
struct Dependencies<'a>(&'a Parts<'a>);

impl Serialize for Dependencies<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.0;
        let mut seq = serializer.serialize_seq(Some(parts.order.len()))?;
        for entry in &parts.order {
            let reference = parts.entry_ref(*entry);
            let depends_on = match *entry {
                Entry::Subject => {
                    let mut deps: Vec<&str> = parts
                        .subject_roots
                        .iter()
                        .map(|i| parts.ref_of(*i))
                        .collect();
                    if let Some(os) = &parts.os {
                        deps.push(&os.bom_ref);
                    }
                    if let Some(root) = &parts.inventory.root {
                        // What the project itself depends on.
                        deps.extend(
                            root.dependencies
                                .iter()
                                .map(String::as_str)
                                .filter(|d| parts.is_ref(d)),
                        );
                    }
                    deps.sort_unstable();
                    deps.dedup();
                    deps
                }
                Entry::Os => {
                    let mut deps: Vec<&str> =
                        parts.os_roots.iter().map(|i| parts.ref_of(*i)).collect();
                    deps.sort_unstable();
                    deps
                }
                Entry::Component(i) => {
                    // Component dependencies are purls of components in the inventory (it
                    // resolves them), which are their bom-refs; anything else is dropped
                    // rather than left dangling.
                    let c = &parts.inventory.components[i];
                    let mut deps: Vec<&str> = c
                        .dependencies
                        .iter()
                        .map(String::as_str)
                        .filter(|d| *d != reference && parts.is_ref(d))
                        .collect();
                    deps.sort_unstable();
                    deps.dedup();
                    deps
                }
            };
            seq.serialize_element(&Dependency {
                reference,
                depends_on,
            })?;
        }
        seq.end()
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
            name: "vouch:distro:codename".into(),
            value: codename.clone(),
        });
    }
    properties.push(Property {
        name: "vouch:distro:id".into(),
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
        // `group:artifact`: the group is CycloneDX's `group`, as Maven tools write it.
        Ecosystem::Maven => match c.name.split_once(':') {
            Some((group, artifact)) if !group.is_empty() && !artifact.is_empty() => {
                (Some(group.to_owned()), artifact.to_owned())
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
            name: "vouch:source-kind".into(),
            value: value.to_owned(),
        });
    }
    if let Some(sp) = &c.source_package {
        properties.push(Property {
            name: "vouch:source-package".into(),
            value: sp.name.clone(),
        });
        properties.push(Property {
            name: "vouch:source-package-version".into(),
            value: sp.version.clone(),
        });
    }
    if c.first_party {
        // The project's own code: marked, and given no registry purl that a matcher could take
        // for the registry package of the same name.
        properties.push(Property {
            name: "vouch:first-party".into(),
            value: "true".to_owned(),
        });
    }
    // What the source recorded beyond the typed fields (`dependency`, `ref`, `pinned`, …).
    for (key, value) in &c.properties {
        properties.push(Property {
            name: format!("vouch:{key}").into(),
            value: value.clone(),
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
