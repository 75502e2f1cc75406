//! `vouch check IMAGE`: the image rules (`rules/image/*.rego`) and user policies over one
//! [`ImageInput`], with the same policy folders, data, ignore file and output as a directory
//! check.
//!
//! Findings are located inside the image as `<reference>#<location>`, where the location is
//! `config.User`, `config.Env[3]`, `config.ExposedPorts["22/tcp"]`,
//! `config.Labels["org.opencontainers.image.base.name"]`, `history[2].created_by` or a file's
//! absolute path (`/usr/bin/passwd`); a rule gives it as `path` (docs/policy-inputs.md#image).
//!
//! ```
//! use vouch_policy::{Date, ImageOptions, check_image, input::image::ImageInput};
//! let image: ImageInput = serde_json::from_str(
//!     r#"{"reference": "oci-dir:img:latest", "manifest_digest": "sha256:00",
//!         "config": {"user": "0:0"}}"#,
//! ).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let opts = ImageOptions::new(dir.path(), "2026-12-07".parse::<Date>().unwrap());
//! let out = check_image(&image, &opts).unwrap();
//! let f = out.findings.iter().find(|f| f.rule_id == "image-runs-as-root").unwrap();
//! assert_eq!(f.location.as_ref().unwrap().path, "oci-dir:img:latest#config.User");
//! ```

use std::path::{Path, PathBuf};

use serde_json::json;
use vouch_report::{Finding, Location};

use crate::input::FileKind;
use crate::input::image::{ImageInput, ImageInputError};
use crate::suppress::DockleIgnore;
use crate::{CheckError, CheckOutcome, Checker, Date, Options, rego};

/// How to check an image.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    /// The folder whose `.vouch/policy/` (modules and `data.json`/`data.yaml`) and
    /// `.vouch/ignore.toml` apply; the CLI passes the directory it runs in.
    pub root: PathBuf,
    /// Policy folders, built-in rules on or off, the date for ignore expiry, the ignore file.
    pub check: Options,
    /// Registries (`ghcr.io`) or repository prefixes (`ghcr.io/acme`) base images may come
    /// from. When not empty it replaces `data.image.allowed_registries`; when both are empty
    /// `image-base-registry-not-allowed` does not fire.
    pub allowed_base_registries: Vec<String>,
}

impl ImageOptions {
    pub fn new(root: &Path, today: Date) -> Self {
        Self {
            root: root.to_path_buf(),
            check: Options::new(today),
            allowed_base_registries: Vec::new(),
        }
    }
}

/// Why an image could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageCheckError {
    #[error(transparent)]
    Input(#[from] ImageInputError),
    #[error("image {reference}: a policy failed to evaluate: {message}")]
    Evaluate { reference: String, message: String },
}

/// Check one image with the built-in image rules and the user policies of `opts`. Suppressed
/// findings stay in the outcome with `suppressed` set, as [`crate::check_dir`] does.
pub fn check_image(input: &ImageInput, opts: &ImageOptions) -> Result<CheckOutcome, CheckError> {
    let mut checker = Checker::new(&opts.root, &opts.check)?;
    if !opts.allowed_base_registries.is_empty() {
        let data =
            json!({"vouch": {"image": {"allowed_registries": opts.allowed_base_registries}}});
        checker.policies.add_data(&data)?;
        checker.data["vouch"]["image"] = data["vouch"]["image"].clone();
    }
    // dockle's ignore file, where dockle reads it (the directory it runs in), inside the root.
    let dockle_path = opts.root.join(".dockleignore");
    let dockleignore = if dockle_path.symlink_metadata().is_ok() {
        let text = vouch_fs::read::read_to_string_in_root(
            &opts.root,
            &dockle_path,
            crate::suppress::MAX_IGNORE_FILE_LEN,
        )
        .map_err(|source| {
            CheckError::IgnoreFile(crate::IgnoreFileError::Read {
                path: ".dockleignore".into(),
                source,
            })
        })?;
        DockleIgnore::parse(&text, ".dockleignore")
    } else {
        DockleIgnore::default()
    };
    checker.check_image_with(input, &dockleignore)
}

impl Checker {
    /// Evaluate the policies over one image (see [`check_image`]), without a `.dockleignore`.
    pub fn check_image(&self, image: &ImageInput) -> Result<CheckOutcome, CheckError> {
        self.check_image_with(image, &DockleIgnore::default())
    }

    fn check_image_with(
        &self,
        image: &ImageInput,
        dockleignore: &DockleIgnore,
    ) -> Result<CheckOutcome, CheckError> {
        let reference = image.reference.clone();
        let evaluate_err = |message: String| ImageCheckError::Evaluate {
            reference: reference.clone(),
            message,
        };
        let document = crate::input::image::document(image).map_err(ImageCheckError::from)?;
        let input =
            regorus::Value::from_json_str(&document).map_err(|e| evaluate_err(e.to_string()))?;
        drop(document);
        let mut engine = self.policies.engine();
        let raws = self
            .policies
            .evaluate_input(&mut engine, FileKind::Image, input)
            .map_err(evaluate_err)?;
        let secrets = secret_values(&mut engine, image, self.opts.builtin);
        let scrub = |text: &str| scrub(&vouch_secrets::redact(text), &secrets);
        let mut findings = Vec::with_capacity(raws.len());
        for r in raws {
            let place = r.path.as_deref().map(scrub);
            let path = match &place {
                Some(at) => format!("{reference}#{at}"),
                None => reference.clone(),
            };
            let mut f = Finding::new(&r.rule_id, r.severity, scrub(&r.message))
                .at(Location::new(path.clone()));
            if let Some(rem) = &r.remediation {
                f = f.remediation(scrub(rem));
            }
            if let Some(t) = &r.title {
                f = f.property("title", t.clone());
            }
            f = f.property("kind", FileKind::Image.as_str());
            // The two halves of the location, for consumers that want them apart.
            f = f.property("image", reference.clone());
            if let Some(at) = place {
                f = f.property("place", at);
            }
            f.suppressed = self
                .trivyignore
                .matching(&r.rule_id, self.opts.today)
                .or_else(|| dockleignore.matching(&r.rule_id))
                .or_else(|| {
                    self.ignore
                        .matching(&r.rule_id, &path, self.opts.today)
                        .map(|e| vouch_report::Suppression {
                            kind: "ignore-file".into(),
                            reason: format!("{} (until {})", e.reason, e.expires),
                        })
                });
            findings.push(f);
        }
        Ok(self.finish(CheckOutcome {
            findings,
            files_checked: 1,
            ..CheckOutcome::default()
        }))
    }
}

/// Env values no message may quote: those of the variables the built-in secret test flags
/// (`data.vouch.lib.image.secret_env`, the set `image-secret-in-env` reports); without the
/// built-in rules, every value of four characters or more. Longest first, so a value that
/// contains another is replaced whole.
fn secret_values(engine: &mut regorus::Engine, image: &ImageInput, builtin: bool) -> Vec<String> {
    let values: Vec<&str> = image
        .config
        .env
        .iter()
        .map(|e| e.split_once('=').map_or("", |(_, v)| v))
        .collect();
    let flagged = builtin
        .then(|| rego::query(engine, "data.vouch.lib.image.secret_env").ok())
        .flatten();
    // A query that fails scrubs every value, as without the built-in rules.
    let mut out: Vec<String> = if let Some(flagged) = flagged {
        rego::members(&flagged)
            .iter()
            .filter_map(|i| rego::to_json(i).as_u64())
            .filter_map(|i| values.get(usize::try_from(i).ok()?))
            .filter(|v| !v.is_empty())
            .map(|v| (*v).to_owned())
            .collect()
    } else {
        values
            .iter()
            .filter(|v| v.chars().count() >= 4)
            .map(|v| (*v).to_owned())
            .collect()
    };
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out.dedup();
    out
}

fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_owned();
    for s in secrets {
        if text.contains(s.as_str()) {
            text = text.replace(s.as_str(), "***");
        }
    }
    text
}
