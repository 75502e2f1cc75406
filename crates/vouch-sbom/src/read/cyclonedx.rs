//! CycloneDX JSON 1.2–1.7, leniently.

use serde::Deserialize;
use vouch_inventory::{Distro, Scope, SourcePackage};

use super::{
    Format, Found, Listed, ReadError, ReadSbom, assemble, display_name, hash, lenient_string,
    licence, null_default,
};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Bom {
    #[serde(deserialize_with = "null_default")]
    metadata: Metadata,
    #[serde(deserialize_with = "null_default")]
    components: Vec<CdxComponent>,
    #[serde(deserialize_with = "null_default")]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metadata {
    component: Option<CdxComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxComponent {
    #[serde(rename = "bom-ref", deserialize_with = "lenient_string")]
    bom_ref: Option<String>,
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    ty: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    group: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    version: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    description: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    purl: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    scope: Option<String>,
    #[serde(deserialize_with = "null_default")]
    hashes: Vec<CdxHash>,
    #[serde(deserialize_with = "null_default")]
    licenses: Vec<LicenceChoice>,
    #[serde(deserialize_with = "null_default")]
    properties: Vec<Property>,
    #[serde(rename = "externalReferences", deserialize_with = "null_default")]
    external_references: Vec<ExternalReference>,
    #[serde(deserialize_with = "null_default")]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CdxHash {
    #[serde(deserialize_with = "lenient_string")]
    alg: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    content: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LicenceChoice {
    license: Option<LicenceObject>,
    #[serde(deserialize_with = "lenient_string")]
    expression: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LicenceObject {
    #[serde(deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Property {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    value: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExternalReference {
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    ty: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Dependency {
    #[serde(rename = "ref", deserialize_with = "lenient_string")]
    reference: Option<String>,
    #[serde(rename = "dependsOn", deserialize_with = "null_default")]
    depends_on: Vec<serde_json::Value>,
}

pub(super) fn read(bytes: &[u8], spec_version: String) -> Result<ReadSbom, ReadError> {
    let bom: Bom =
        serde_json::from_slice(bytes).map_err(|e| ReadError::invalid("CycloneDX", &e))?;
    let mut subject = None;
    let mut distro = None;
    let mut found = Vec::new();
    // Depth-first in document order, without recursion (nesting is already bounded by
    // serde_json's recursion limit, but the walk need not rely on it).
    let mut stack: Vec<CdxComponent> = Vec::new();
    if let Some(mut meta) = bom.metadata.component {
        subject = meta
            .name
            .as_deref()
            .map(|n| display_name(None, meta.group.as_deref(), n));
        stack.extend(std::mem::take(&mut meta.components).into_iter().rev());
    }
    // Popped first: top-level components in document order, then the subject's nested ones.
    stack.extend(bom.components.into_iter().rev());
    while let Some(mut c) = stack.pop() {
        stack.extend(std::mem::take(&mut c.components).into_iter().rev());
        if c.ty.as_deref() == Some("operating-system")
            && distro.is_none()
            && c.purl.is_none()
            && let Some(name) = c.name.as_deref().filter(|n| !n.is_empty())
        {
            distro = Some(Distro {
                id: name.to_ascii_lowercase(),
                version_id: c.version.clone(),
                codename: None,
                pretty_name: c.description.clone(),
            });
            continue;
        }
        found.push(found_of(c));
    }
    let mut edges = Vec::new();
    for d in &bom.dependencies {
        let Some(from) = &d.reference else { continue };
        for to in &d.depends_on {
            // 1.2–1.4 wrote `dependsOn` as strings; some tools write `{ "ref": … }` objects.
            let to = match to {
                serde_json::Value::String(s) => Some(s.as_str()),
                serde_json::Value::Object(o) => o.get("ref").and_then(|r| r.as_str()),
                _ => None,
            };
            if let Some(to) = to {
                edges.push((from.clone(), to.to_owned()));
            }
        }
    }
    Ok(assemble(
        Format::CycloneDx { spec_version },
        subject,
        distro,
        found,
        &edges,
    ))
}

pub(super) fn list(bytes: &[u8]) -> Result<Vec<Listed>, ReadError> {
    let bom: Bom =
        serde_json::from_slice(bytes).map_err(|e| ReadError::invalid("CycloneDX", &e))?;
    let mut out = Vec::new();
    let mut stack: Vec<CdxComponent> = bom.components.into_iter().rev().collect();
    while let Some(mut c) = stack.pop() {
        stack.extend(std::mem::take(&mut c.components).into_iter().rev());
        let Some(purl) = c.purl.filter(|p| !p.is_empty()) else {
            continue;
        };
        out.push(Listed {
            name: c.name,
            purl,
            hashes: c
                .hashes
                .into_iter()
                .map(|h| (h.alg.unwrap_or_default(), h.content.unwrap_or_default()))
                .collect(),
        });
    }
    Ok(out)
}

fn found_of(c: CdxComponent) -> Found {
    let prop = |key: &str| -> Option<String> {
        c.properties
            .iter()
            .find(|p| p.name.as_deref() == Some(key))
            .and_then(|p| p.value.clone())
    };
    let source_package = source_package(&prop);
    let mut licenses = Vec::new();
    for l in &c.licenses {
        if let Some(e) = licence(l.expression.as_deref()) {
            licenses.push(e);
        }
        if let Some(o) = &l.license
            && let Some(s) = licence(o.id.as_deref()).or_else(|| licence(o.name.as_deref()))
        {
            licenses.push(s);
        }
    }
    let resolved = c
        .external_references
        .iter()
        .find(|r| r.ty.as_deref() == Some("distribution"))
        .and_then(|r| r.url.clone());
    let purl = c.purl.as_deref().map(vouch_purl::Purl::parse);
    let purl_type = purl.as_ref().and_then(|p| p.as_ref().ok()).map(|p| p.ty());
    Found {
        // Without a bom-ref, documents that use purls as refs still link up.
        id: c.bom_ref.clone().or_else(|| c.purl.clone()),
        name: display_name(
            purl_type,
            c.group.as_deref(),
            c.name.as_deref().unwrap_or_default(),
        ),
        version: c.version.clone(),
        kind: c.ty.clone(),
        purl: c.purl.clone(),
        scope: match c.scope.as_deref() {
            Some("optional") => Scope::Optional,
            Some("excluded") => Scope::Dev,
            _ => Scope::Required,
        },
        hashes: c
            .hashes
            .iter()
            .filter_map(|h| hash(h.alg.as_deref()?, h.content.as_deref()?))
            .collect(),
        licenses,
        source_package,
        resolved,
        first_party: prop("vouch:first-party").as_deref() == Some("true"),
    }
}

/// The distro source package, from vouch's, Trivy's or Syft's properties.
fn source_package(prop: &dyn Fn(&str) -> Option<String>) -> Option<SourcePackage> {
    if let (Some(name), Some(version)) = (
        prop("vouch:source-package"),
        prop("vouch:source-package-version"),
    ) {
        return Some(SourcePackage { name, version });
    }
    if let (Some(name), Some(mut version)) = (
        prop("aquasecurity:trivy:SrcName"),
        prop("aquasecurity:trivy:SrcVersion"),
    ) {
        if let Some(release) = prop("aquasecurity:trivy:SrcRelease").filter(|r| !r.is_empty()) {
            version = format!("{version}-{release}");
        }
        if let Some(epoch) =
            prop("aquasecurity:trivy:SrcEpoch").filter(|e| !e.is_empty() && e != "0")
        {
            version = format!("{epoch}:{version}");
        }
        return Some(SourcePackage { name, version });
    }
    if let (Some(name), Some(version)) = (
        prop("syft:metadata:source"),
        prop("syft:metadata:sourceVersion"),
    ) {
        return Some(SourcePackage { name, version });
    }
    None
}
