//! OCI images (layouts and archives) compared: the manifest and config digests, the config
//! as JSON (`config/…` pointers), the layers by position (`layers[N]`: blob digest, media type),
//! then the entries inside each pair of layers whose digests differ (`layers[N]/path`).

use vouch_oci::image::{self, Image, Options, Platform, Scan, Source};

use super::archive::{Digests, digest_visitor, kept, listing};
use super::{DiffError, Format, Input, Kind, Limits, Out, compare_listings, compare_values};

fn source(input: &Input) -> Source {
    input.source.clone().unwrap_or_else(|| match input.format {
        Format::OciLayout => Source::OciDir {
            path: input.path.clone(),
            selector: None,
        },
        _ => Source::OciArchive {
            path: input.path.clone(),
            selector: None,
        },
    })
}

fn open(input: &Input) -> Result<Image<'static>, DiffError> {
    let options = Options {
        platform: input.platform.clone().unwrap_or_else(Platform::host),
    };
    image::open(&source(input), &options, None).map_err(|source| DiffError::Image {
        path: input.path.clone(),
        source,
    })
}

pub(crate) fn compare(
    left: &Input,
    right: &Input,
    limits: &Limits,
    out: &mut Out,
) -> Result<(), DiffError> {
    let a = open(left)?;
    let b = open(right)?;
    let digest = |d: Option<&vouch_digest::Digest>| d.map(ToString::to_string);
    if a.manifest_digest == b.manifest_digest && a.manifest_digest.is_some() {
        return Ok(());
    }
    if a.manifest_digest != b.manifest_digest {
        out.push(
            "manifest".into(),
            Kind::Content,
            digest(a.manifest_digest.as_ref()),
            digest(b.manifest_digest.as_ref()),
        );
    }
    let annotations = |i: &Image<'_>| serde_json::to_value(&i.annotations).unwrap_or_default();
    compare_values(
        "manifest/annotations",
        &annotations(&a),
        &annotations(&b),
        out,
    );
    if a.config_digest != b.config_digest {
        out.push(
            "config".into(),
            Kind::Content,
            Some(a.config_digest.to_string()),
            Some(b.config_digest.to_string()),
        );
        let value = |i: &Image<'_>| serde_json::to_value(&i.config).unwrap_or_default();
        compare_values("config", &value(&a), &value(&b), out);
    }
    let differing: Vec<usize> = (0..a.layers.len().max(b.layers.len()))
        .filter(|&i| {
            let (l, r) = (a.layers.get(i), b.layers.get(i));
            match (l, r) {
                (Some(l), Some(r)) => {
                    if l.media_type != r.media_type {
                        out.push(
                            format!("layers[{i}]/mediaType"),
                            Kind::Field,
                            Some(l.media_type.clone()),
                            Some(r.media_type.clone()),
                        );
                    }
                    if l.digest() != r.digest() {
                        out.push(
                            format!("layers[{i}]"),
                            Kind::Content,
                            Some(l.digest().to_string()),
                            Some(r.digest().to_string()),
                        );
                    }
                    l.diff_id != r.diff_id
                }
                (Some(l), None) => {
                    out.push(
                        format!("layers[{i}]"),
                        Kind::Missing,
                        Some(l.digest().to_string()),
                        None,
                    );
                    false
                }
                (None, Some(r)) => {
                    out.push(
                        format!("layers[{i}]"),
                        Kind::Extra,
                        None,
                        Some(r.digest().to_string()),
                    );
                    false
                }
                (None, None) => false,
            }
        })
        .collect();
    if differing.is_empty() {
        return Ok(());
    }
    let (la, da) = layers(&a, left, limits)?;
    let (lb, db) = layers(&b, right, limits)?;
    for i in differing {
        let x = listing(i, &la[i], &da);
        let y = listing(i, &lb[i], &db);
        compare_listings(&format!("layers[{i}]"), &x, &y, out);
    }
    Ok(())
}

fn layers(
    image: &Image<'_>,
    input: &Input,
    limits: &Limits,
) -> Result<(Vec<vouch_oci::image::layer::LayerEntries>, Digests), DiffError> {
    let digests = Digests::default();
    let entries = {
        let visitor = digest_visitor(&digests);
        let scan = Scan {
            retain: &|_| false,
            visit: Some(&visitor),
            caps: limits.caps,
            progress: None,
        };
        image
            .read_layers(&scan)
            .map_err(|source| DiffError::Image {
                path: input.path.clone(),
                source,
            })?
    };
    Ok((entries, digests))
}

/// `layers[N]/path` of an image, kept in memory (bounded by the file cap).
pub(crate) fn member(
    input: &Input,
    path: &str,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, DiffError> {
    let Some(rest) = path.strip_prefix("layers[") else {
        return Ok(None);
    };
    let Some((index, member)) = rest.split_once("]/") else {
        return Ok(None);
    };
    let Ok(index) = index.parse::<usize>() else {
        return Ok(None);
    };
    let image = open(input)?;
    let scan = Scan {
        retain: &|p| p == member,
        visit: None,
        caps: limits.caps,
        progress: None,
    };
    let entries = image
        .read_layers(&scan)
        .map_err(|source| DiffError::Image {
            path: input.path.clone(),
            source,
        })?;
    Ok(entries.get(index).and_then(|e| kept(e, member)))
}
