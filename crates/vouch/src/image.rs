//! Images named on the command line (docs/images.md): which argument is an image, opening it
//! (the platform, the registry), and the inventory of its merged filesystem with the layer
//! each component came from.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use vouch_inventory::{ImageSubject, Inventory};
use vouch_oci::image::{self, Caps, Image, ImageTree, Platform, Scan, Source};

use crate::cli::{ImageArgs, WalkArgs};

/// What a PATH argument names.
pub enum Target {
    /// A directory or file on disk.
    Path(PathBuf),
    /// A container image.
    Image(Source),
}

/// Tells an image argument from a path: a scheme (`oci-dir:` …) is an image; so is a layout
/// directory or an OCI or docker archive file given as a bare path.
pub fn target(path: &Path) -> anyhow::Result<Target> {
    if let Some(text) = path.to_str()
        && let Some(source) = image::source::parse(text)
    {
        return Ok(Target::Image(source?));
    }
    if let Some(source) = image::source::detect(path) {
        return Ok(Target::Image(source));
    }
    Ok(Target::Path(path.to_owned()))
}

/// The platform asked for, or this machine's.
pub fn platform(args: &ImageArgs) -> anyhow::Result<Platform> {
    match &args.platform {
        Some(p) => Platform::parse(p).map_err(|e| anyhow::anyhow!("--platform: {e}")),
        None => Ok(Platform::host()),
    }
}

/// Resolves `source` to one image (index, manifest and config verified).
pub fn open<'r>(
    source: &Source,
    args: &ImageArgs,
    registry: Option<&'r dyn image::Registry>,
) -> anyhow::Result<Image<'r>> {
    let options = image::Options {
        platform: platform(args)?,
    };
    image::open(source, &options, registry)
        .with_context(|| format!("cannot read the image {source}"))
}

/// The paths whose content the inventory reads: every file the parsers recognise, and
/// `os-release`.
pub fn inventory_wants(path: &str) -> bool {
    vouch_inventory::detect(path).is_some()
        || path == "etc/os-release"
        || path == "usr/lib/os-release"
}

/// Streams the image's layers once into its tree.
/// On a terminal, a spinner counts the entries read (hidden for the first second).
pub fn read(image: &Image<'_>, scan: &Scan<'_>) -> anyhow::Result<ImageTree> {
    let bar = crate::progress::WalkProgress::new("image");
    let tick = || vouch_inventory::walk::Progress::entry(&bar);
    let scan = Scan {
        retain: scan.retain,
        visit: scan.visit,
        caps: scan.caps,
        progress: Some(&tick),
    };
    let result = image.read(&scan);
    bar.finish();
    result.with_context(|| format!("cannot read the image {}", image.source))
}

/// The image as an SBOM subject.
pub fn subject(image: &Image<'_>) -> ImageSubject {
    let (name, tag) = match &image.source {
        Source::Registry { reference } => (reference.name.to_string(), reference.tag.clone()),
        other => (other.to_string(), image.tags.first().cloned()),
    };
    let version = image
        .manifest_digest
        .as_ref()
        .unwrap_or(&image.config_digest)
        .to_string();
    let short = name
        .rsplit('/')
        .next()
        .unwrap_or(&name)
        .split(':')
        .next()
        .unwrap_or(&name)
        .to_ascii_lowercase();
    let mut purl = vouch_purl::Purl::package("oci", &short, &version);
    if let Source::Registry { .. } = &image.source {
        purl = purl.qualifier("repository_url", &name);
    }
    if let Some(tag) = &tag {
        purl = purl.qualifier("tag", tag);
    }
    if let Some(p) = &image.platform {
        purl = purl.qualifier("arch", &p.architecture);
    }
    ImageSubject {
        name,
        tag,
        manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.to_string(),
        platform: image.platform.as_ref().map(ToString::to_string),
        purl: purl.to_string(),
    }
}

/// The inventory of an image: its layers streamed once, the same parsers as for a directory
/// over the merged filesystem, each component marked with the layer that introduced it.
pub fn inventory(source: &Source, args: &WalkArgs) -> anyhow::Result<Inventory> {
    let registry = crate::registry::for_source(source, &args.image)?;
    let image = open(source, &args.image, registry.as_deref())?;
    let binaries = Executables::default();
    let visit = |v: &image::Visit<'_>, r: &mut dyn std::io::Read| {
        binaries.visit(v, r);
    };
    let scan = Scan {
        retain: &inventory_wants,
        visit: Some(&visit),
        caps: Caps::default(),
        progress: None,
    };
    let tree = read(&image, &scan)?;
    Ok(inventory_of(&image, &tree, binaries))
}

/// Executables (Go build info, `cargo auditable` data) scanned as the layers stream: each
/// regular file whose first bytes are an ELF header goes through
/// [`vouch_inventory::binary::Scanner`] in chunks, never held whole.
#[derive(Default)]
pub struct Executables {
    found: std::sync::Mutex<Vec<(usize, String, vouch_inventory::binary::Scan)>>,
    /// (layer, path, what went wrong).
    errors: std::sync::Mutex<Vec<(usize, String, String)>>,
}

/// Bytes read first to tell an executable.
const HEAD_LEN: usize = 64;

impl Executables {
    /// One file of one layer: scanned when it is an executable. Returns the first bytes read
    /// and whether the file was an executable (then nothing of it is left to read).
    pub fn visit(&self, v: &image::Visit<'_>, r: &mut dyn std::io::Read) -> (Vec<u8>, bool) {
        let mut head = Vec::with_capacity(HEAD_LEN);
        if let Err(e) = (&mut *r).take(HEAD_LEN as u64).read_to_end(&mut head) {
            lock(&self.errors).push((v.layer, v.path.to_owned(), e.to_string()));
            return (head, true);
        }
        if vouch_inventory::detect_content(&head).is_none() {
            return (head, false);
        }
        let mut scanner = vouch_inventory::binary::Scanner::new();
        scanner.feed(&head);
        let mut buf = vec![0u8; vouch_inventory::binary::CHUNK];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => scanner.feed(&buf[..n]),
                Err(e) => {
                    lock(&self.errors).push((v.layer, v.path.to_owned(), e.to_string()));
                    return (head, true);
                }
            }
        }
        let scan = scanner.finish();
        if !scan.packages.is_empty() || !scan.problems.is_empty() {
            lock(&self.found).push((v.layer, v.path.to_owned(), scan));
        }
        (head, true)
    }

    /// The results for the executables in the final filesystem (a layer's executable that a
    /// later layer deleted or replaced does not ship as a program).
    fn results(
        self,
        tree: &ImageTree,
    ) -> Vec<(
        String,
        Result<vouch_inventory::Parsed, vouch_inventory::Warning>,
    )> {
        let mut out: Vec<_> = self
            .found
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .filter(|(layer, path, _)| tree.is_final(*layer, path))
            .map(|(_, path, scan)| (path, Ok(scan.into_parsed())))
            .collect();
        for (layer, path, message) in self.errors.into_inner().unwrap_or_else(|e| e.into_inner()) {
            if tree.is_final(layer, &path) {
                out.push((
                    path.clone(),
                    Err(vouch_inventory::Warning {
                        path,
                        line: None,
                        column: None,
                        message: format!("could not read the executable: {message}"),
                        kind: vouch_inventory::WarningKind::Input,
                    }),
                ));
            }
        }
        out
    }
}

/// The inventory of an image already read.
pub fn inventory_of(image: &Image<'_>, tree: &ImageTree, executables: Executables) -> Inventory {
    use vouch_fs::walk::Tree as _;
    let walked = tree.walk();
    let progress = crate::progress::WalkProgress::new("inventory");
    let options = vouch_inventory::walk::WalkOptions::default();
    let mut inventory = vouch_inventory::walk::inventory_tree(
        tree,
        &walked,
        &image.source.to_string(),
        &options,
        &progress,
        executables.results(tree),
    );
    progress.finish();
    mark_layers(&mut inventory, tree);
    inventory.image = Some(subject(image));
    inventory
}

/// The `(name, version)` pairs one version of a package file lists.
type Listed = BTreeSet<(String, String)>;

/// The property naming the layer that introduced a component (its diff_id).
pub const LAYER_PROPERTY: &str = "image:layer";

/// Marks each component with the layer that introduced it: the first layer from which the
/// file that lists it (a package database, a lockfile, a METADATA file) has listed it, with
/// the same version, in every later version of that file up to the final one. A package
/// database that a later layer rewrites (every `apt-get install` rewrites
/// `var/lib/dpkg/status`) does not move its older packages to that layer.
fn mark_layers(inventory: &mut Inventory, tree: &ImageTree) {
    let layers = tree.layers();
    // Per evidence file: each version's (layer, set of name@version).
    let mut listed: BTreeMap<String, Vec<(usize, Listed)>> = BTreeMap::new();
    for component in &inventory.components {
        for e in &component.evidence {
            if listed.contains_key(&e.path) {
                continue;
            }
            let path = tree.resolve(&e.path).unwrap_or_else(|_| e.path.clone());
            let Some(kind) = vouch_inventory::detect(&e.path) else {
                continue;
            };
            let versions = tree
                .versions(&path)
                .iter()
                .map(|(layer, bytes)| {
                    let source = vouch_inventory::Source {
                        path: &e.path,
                        bytes,
                        siblings: &vouch_inventory::NoSiblings,
                    };
                    let names = vouch_inventory::parse(kind, &source)
                        .map(|p| {
                            p.packages
                                .into_iter()
                                .map(|p| (p.name, p.version))
                                .collect()
                        })
                        .unwrap_or_default();
                    (*layer, names)
                })
                .collect();
            listed.insert(e.path.clone(), versions);
        }
    }
    for component in &mut inventory.components {
        let key = (component.name.clone(), component.version.clone());
        let introduced = component
            .evidence
            .iter()
            .filter_map(|e| {
                let versions = listed.get(&e.path)?;
                let mut layer = None;
                for (l, names) in versions.iter().rev() {
                    if names.contains(&key) {
                        layer = Some(*l);
                    } else if layer.is_some() {
                        break;
                    }
                }
                layer
            })
            .min();
        if let Some(l) = introduced
            && let Some(id) = layers.get(l)
        {
            component
                .properties
                .insert(LAYER_PROPERTY.to_owned(), id.diff_id.to_string());
        }
    }
}

/// Secrets in an image: every file of every layer, including those a later layer deletes or
/// replaces (they still ship: anyone who pulls the image has every layer), and the config's
/// `Env`, `Labels` and `history[].created_by`. A finding in a file that is not in the final
/// filesystem says so in its message and in the `in_final_image` property; `layer` names the
/// layer's diff_id.
pub fn secrets(
    source: &Source,
    args: &ImageArgs,
    options: &vouch_secrets::Options,
) -> anyhow::Result<vouch_secrets::ScanOutcome> {
    let registry = crate::registry::for_source(source, args)?;
    let image = open(source, args, registry.as_deref())?;
    let collector = SecretCollector::new(options);
    let visit = |v: &image::Visit<'_>, r: &mut dyn std::io::Read| collector.visit(v, r);
    let scan = Scan {
        retain: &|_| false,
        visit: Some(&visit),
        caps: Caps::default(),
        progress: None,
    };
    let tree = read(&image, &scan)?;
    collector.finish(&image, &tree)
}

/// Scans each file of each layer as it streams past, and the image's configuration after.
pub struct SecretCollector<'o> {
    options: &'o vouch_secrets::Options,
    found: std::sync::Mutex<Vec<(usize, vouch_secrets::ScanOutcome)>>,
    errors: std::sync::Mutex<Vec<String>>,
}

impl<'o> SecretCollector<'o> {
    pub fn new(options: &'o vouch_secrets::Options) -> Self {
        Self {
            options,
            found: Default::default(),
            errors: Default::default(),
        }
    }

    /// One file of one layer ([`Scan::visit`]).
    pub fn visit(&self, v: &image::Visit<'_>, r: &mut dyn std::io::Read) {
        let options = self.options;
        let display = format!("/{}", v.path);
        if options.excludes.excluded(v.path) {
            return;
        }
        let outcome = if v.size > options.max_file_size {
            Ok(vouch_secrets::ScanOutcome {
                stats: vouch_secrets::Stats {
                    skipped_large: 1,
                    ..Default::default()
                },
                ..Default::default()
            })
        } else {
            let mut buf = Vec::with_capacity(v.size as usize);
            match r.take(options.max_file_size + 1).read_to_end(&mut buf) {
                Ok(_) => vouch_secrets::scan_bytes(&buf, &display, options)
                    .map_err(|e| format!("{display}: {e}")),
                Err(e) => Err(format!("{display}: {e}")),
            }
        };
        match outcome {
            Ok(o) => lock(&self.found).push((v.layer, o)),
            Err(e) => lock(&self.errors).push(e),
        }
    }

    /// An executable, not scanned for secrets (binary files are skipped, as in a directory).
    pub fn skipped_binary(&self) {
        let outcome = vouch_secrets::ScanOutcome {
            stats: vouch_secrets::Stats {
                skipped_binary: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        lock(&self.found).push((0, outcome));
    }

    /// The findings of every layer, marked with their layer and whether they ship in the
    /// final filesystem, and those of the configuration.
    pub fn finish(
        self,
        image: &Image<'_>,
        tree: &ImageTree,
    ) -> anyhow::Result<vouch_secrets::ScanOutcome> {
        let options = self.options;
        let errors = self.errors.into_inner().unwrap_or_else(|e| e.into_inner());
        if let Some(first) = errors.first() {
            anyhow::bail!(
                "cannot scan the image {} for secrets: {first}",
                image.source
            );
        }
        let layers = tree.layers();
        let mut total = vouch_secrets::ScanOutcome::default();
        for w in tree.issues() {
            total.warnings.push(vouch_secrets::ScanWarning {
                subject: format!("/{}", w.rel),
                message: w.cause.clone(),
            });
        }
        // Layers stream in parallel: put them back in layer order (each layer's files are in
        // tar order) so that the stable sort below gives the same output every run.
        let mut found = self.found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.sort_by_key(|(layer, _)| *layer);
        for (layer, outcome) in found {
            total.stats.add(&outcome.stats);
            total.warnings.extend(outcome.warnings);
            for f in outcome.findings {
                let path = f
                    .location
                    .as_ref()
                    .map(|l| l.path.trim_start_matches('/').to_owned())
                    .unwrap_or_default();
                let shipped = tree.is_final(layer, &path);
                let mut f = f
                    .property("layer", layers[layer].diff_id.to_string())
                    .property("in_final_image", shipped);
                if !shipped {
                    f.message = format!(
                        "{} (in layer {layer}, deleted or replaced by a later layer: it still ships in the image)",
                        f.message
                    );
                }
                total.findings.push(f);
            }
        }
        // The configuration: environment, labels and the commands that built each layer.
        let mut texts: Vec<(String, String)> = Vec::new();
        if let Some(config) = image.config.config() {
            for (i, env) in config.env().iter().flatten().enumerate() {
                texts.push((format!("config.Env[{i}]"), env.clone()));
            }
            for (key, value) in config.labels().iter().flatten() {
                texts.push((format!("config.Labels[{key}]"), format!("{key}={value}")));
            }
        }
        for (i, h) in image.config.history().iter().flatten().enumerate() {
            if let Some(created_by) = h.created_by() {
                texts.push((format!("history[{i}].created_by"), created_by.clone()));
            }
        }
        for (place, text) in texts {
            let outcome = vouch_secrets::scan_bytes(text.as_bytes(), &place, options)?;
            total.stats.add(&outcome.stats);
            total.findings.extend(outcome.findings);
        }
        total.sort();
        Ok(total)
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One read of an image for `vouch scan`: the inventory, the secrets of every layer and the
/// policy input, from a single pass over the layers.
pub struct Scanned {
    pub inventory: Inventory,
    /// `None` when the secrets check is skipped (nothing was scanned for it).
    pub secrets: Option<anyhow::Result<vouch_secrets::ScanOutcome>>,
    pub policy: vouch_policy::input::image::ImageInput,
}

/// `secrets`: the options of the secrets check, `None` when it is skipped.
pub fn scan(
    source: &Source,
    args: &ImageArgs,
    secrets: Option<&vouch_secrets::Options>,
) -> anyhow::Result<Scanned> {
    let registry = crate::registry::for_source(source, args)?;
    let image = open(source, args, registry.as_deref())?;
    let collector = secrets.map(SecretCollector::new);
    let binaries = Executables::default();
    let visit = |v: &image::Visit<'_>, r: &mut dyn std::io::Read| {
        // An executable is scanned for components (secrets scanning skips binary files);
        // anything else goes to the secrets scanner, its first bytes put back in front.
        let (head, executable) = binaries.visit(v, r);
        match &collector {
            Some(c) if executable => c.skipped_binary(),
            Some(c) => c.visit(v, &mut std::io::Read::chain(&head[..], r)),
            None => {}
        }
    };
    let scan = Scan {
        retain: &inventory_wants,
        visit: Some(&visit),
        caps: Caps::default(),
        progress: None,
    };
    let tree = read(&image, &scan)?;
    Ok(Scanned {
        inventory: inventory_of(&image, &tree, binaries),
        policy: policy_input(&image, &tree),
        secrets: collector.map(|c| c.finish(&image, &tree)),
    })
}

/// The image as `vouch check` rules read it (docs/policy-inputs.md `image`): its config,
/// history, base name, OS and the merged filesystem's paths with their modes and owners.
pub fn policy_input(image: &Image<'_>, tree: &ImageTree) -> vouch_policy::input::image::ImageInput {
    use vouch_oci::image::layer::Kind;
    use vouch_policy::input::image as p;
    let config = image.config.config().clone().unwrap_or_default();
    let labels: std::collections::BTreeMap<String, String> = config
        .labels()
        .clone()
        .map(|l| l.into_iter().collect())
        .unwrap_or_default();
    const BASE: &str = "org.opencontainers.image.base.name";
    let base = image
        .annotations
        .get(BASE)
        .or_else(|| labels.get(BASE))
        .cloned();
    let os = vouch_inventory::walk::distro_in(tree, "").map(|d| p::OsInfo {
        id: d.id,
        version_id: d.version_id,
    });
    p::ImageInput {
        reference: image.source.to_string(),
        manifest_digest: image
            .manifest_digest
            .as_ref()
            .unwrap_or(&image.config_digest)
            .to_string(),
        os,
        config: p::ImageConfig {
            user: config.user().clone(),
            env: config.env().clone().unwrap_or_default(),
            exposed_ports: config.exposed_ports().clone().unwrap_or_default(),
            entrypoint: config.entrypoint().clone(),
            cmd: config.cmd().clone(),
            working_dir: config.working_dir().clone(),
            labels,
            stop_signal: config.stop_signal().clone(),
        },
        history: image
            .config
            .history()
            .iter()
            .flatten()
            .map(|h| p::History {
                created_by: h.created_by().clone(),
                comment: h.comment().clone(),
                empty_layer: h.empty_layer().unwrap_or(false),
            })
            .collect(),
        base,
        files: tree
            .nodes()
            .map(|(path, n)| p::ImageFile {
                path: path.to_owned(),
                kind: match n.kind {
                    Kind::File => p::ImageFileKind::File,
                    Kind::Dir => p::ImageFileKind::Dir,
                    Kind::Symlink => p::ImageFileKind::Symlink,
                    Kind::Hardlink => p::ImageFileKind::Hardlink,
                    Kind::Other => p::ImageFileKind::Other,
                },
                mode: n.mode,
                uid: n.uid,
                gid: n.gid,
                size: n.size,
                link: n.link.clone(),
                layer: n.layer,
            })
            .collect(),
    }
}

/// Reads an image for `vouch check`: only `os-release` is kept.
pub fn check_input(
    source: &Source,
    args: &ImageArgs,
) -> anyhow::Result<vouch_policy::input::image::ImageInput> {
    let registry = crate::registry::for_source(source, args)?;
    let image = open(source, args, registry.as_deref())?;
    let scan = Scan {
        retain: &|p| p == "etc/os-release" || p == "usr/lib/os-release",
        visit: None,
        caps: Caps::default(),
        progress: None,
    };
    let tree = read(&image, &scan)?;
    Ok(policy_input(&image, &tree))
}
