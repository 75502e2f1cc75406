//! A container image as policy input: the plain data an image reader (vouch-oci: layouts,
//! archives, registries, whiteouts applied) hands to [`crate::check_image`], and the JSON
//! document the `image` rules read (docs/policy-inputs.md#image).
//!
//! [`ImageInput`] is the contract between the reader and the rules: it holds no bytes of any
//! file, only the config, the history and the merged file list with modes and owners. The
//! normaliser adds a few derived values the rules share (the parsed base reference, each
//! history step split into its instruction, `RUN` script and pipe-to-shell commands).
//!
//! ```
//! use vouch_policy::input::image::{ImageConfig, ImageInput};
//! let input: ImageInput = serde_json::from_str(
//!     r#"{"reference": "oci-dir:img:latest", "manifest_digest": "sha256:00",
//!         "config": {"user": "app"}}"#,
//! ).unwrap();
//! assert_eq!(input.config.user.as_deref(), Some("app"));
//! assert!(input.files.is_empty());
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shell;

/// Label and manifest annotation that name an image's base image (OCI image spec,
/// `annotations.md`; BuildKit writes it as an annotation, some builders as a label).
pub const BASE_NAME_KEY: &str = "org.opencontainers.image.base.name";

/// Most files an image input may list (a distribution image holds tens of thousands); more is
/// refused ([`ImageInputError::TooManyFiles`]) rather than turned into an unbounded policy input.
pub const MAX_FILES: usize = 1_000_000;

/// Most history entries an image input may list (Docker allows 127 layers; history entries
/// without a layer add a few hundred at most).
pub const MAX_HISTORY: usize = 10_000;

/// One container image, as the rules see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInput {
    /// The image as the user gave it, e.g. `oci-dir:img:latest`, `registry:ghcr.io/a/b:1`.
    /// Findings are located under it (docs/policy-inputs.md#image-locations).
    pub reference: String,
    /// Digest of the image manifest, `sha256:<hex>`.
    pub manifest_digest: String,
    /// From `/etc/os-release` (or `/usr/lib/os-release`) of the merged filesystem.
    #[serde(default)]
    pub os: Option<OsInfo>,
    /// The `config` object of the OCI image config.
    #[serde(default)]
    pub config: ImageConfig,
    /// The image config's `history`, in order.
    #[serde(default)]
    pub history: Vec<History>,
    /// The base image's name: the config label `org.opencontainers.image.base.name`, else the
    /// manifest annotation of the same name; `None` when neither is present.
    #[serde(default)]
    pub base: Option<String>,
    /// The merged filesystem (whiteouts applied): every entry of the final image.
    #[serde(default)]
    pub files: Vec<ImageFile>,
}

/// `ID` and `VERSION_ID` of `os-release`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `debian`, `alpine`, `ubuntu`…
    pub id: String,
    /// `12`, `3.19.1`…; absent on rolling releases.
    #[serde(default)]
    pub version_id: Option<String>,
}

/// The OCI image config's `config` object (the fields the rules read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImageConfig {
    /// `User`: `name`, `uid`, `name:group`, `uid:gid`; `None` or empty means root.
    pub user: Option<String>,
    /// `Env`, each `KEY=value`, in order.
    pub env: Vec<String>,
    /// The keys of `ExposedPorts`: `80/tcp`, `53/udp`, or a bare `8080` (tcp).
    pub exposed_ports: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub working_dir: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: Option<String>,
}

/// One entry of the image config's `history`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct History {
    /// The command that made this step, as the builder wrote it (`RUN /bin/sh -c … # buildkit`,
    /// `/bin/sh -c #(nop) ADD file:… in /`).
    pub created_by: Option<String>,
    pub comment: Option<String>,
    /// The step made no layer (`ENV`, `CMD`…).
    pub empty_layer: bool,
}

/// What an entry of the merged filesystem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFileKind {
    File,
    Dir,
    Symlink,
    /// A hard link to another entry of the image (tar `LNK`).
    Hardlink,
    /// A device, FIFO or socket.
    Other,
}

/// One entry of the merged filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFile {
    /// Path inside the image without a leading `/`: `usr/bin/sh`.
    pub path: String,
    pub kind: ImageFileKind,
    /// Permission bits plus setuid (`0o4000`), setgid (`0o2000`) and sticky (`0o1000`).
    pub mode: u32,
    #[serde(default)]
    pub uid: u64,
    #[serde(default)]
    pub gid: u64,
    #[serde(default)]
    pub size: u64,
    /// Target of a symlink or hard link, as written in the layer.
    #[serde(default)]
    pub link: Option<String>,
    /// Index (0-based, in manifest order) of the layer that wrote this entry last.
    #[serde(default)]
    pub layer: usize,
}

/// Why an image input cannot be evaluated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageInputError {
    #[error("image {reference}: {count} files is over the limit of {limit}")]
    TooManyFiles {
        reference: String,
        count: usize,
        limit: usize,
    },
    #[error("image {reference}: {count} history entries is over the limit of {limit}")]
    TooManyHistoryEntries {
        reference: String,
        count: usize,
        limit: usize,
    },
}

/// The policy input document of `image`: `{"kind": "image", "path": <reference>, "image":
/// {…}}`, the fields of [`ImageInput`] plus the derived `base_ref`, `base_at`, `env_vars` and,
/// on each history entry, `instruction`, `arguments`, `script`, `pipe_to_shell` and `add`.
pub fn normalise(image: &ImageInput) -> Result<Value, ImageInputError> {
    let text = document(image)?;
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// [`normalise`] as JSON text, written straight from `image` (no intermediate tree: an image's
/// file list is the largest input vouch gives to Rego, and the text is a fraction of a tree's
/// size).
pub fn document(image: &ImageInput) -> Result<String, ImageInputError> {
    if image.files.len() > MAX_FILES {
        return Err(ImageInputError::TooManyFiles {
            reference: image.reference.clone(),
            count: image.files.len(),
            limit: MAX_FILES,
        });
    }
    if image.history.len() > MAX_HISTORY {
        return Err(ImageInputError::TooManyHistoryEntries {
            reference: image.reference.clone(),
            count: image.history.len(),
            limit: MAX_HISTORY,
        });
    }
    let history = image
        .history
        .iter()
        .map(|h| {
            let step = h.created_by.as_deref().map(Step::parse).unwrap_or_default();
            let pipe_to_shell = step
                .script
                .as_deref()
                .map(shell::pipe_to_shell)
                .unwrap_or_default();
            HistoryView {
                entry: h,
                instruction: step.instruction,
                arguments: step.arguments,
                script: step.script,
                pipe_to_shell,
                add: step.add,
            }
        })
        .collect();
    let env_vars = image
        .config
        .env
        .iter()
        .enumerate()
        .map(|(index, e)| {
            let (name, value) = e.split_once('=').unwrap_or((e.as_str(), ""));
            EnvVar { index, name, value }
        })
        .collect();
    let doc = Document {
        kind: "image",
        path: &image.reference,
        image: Body {
            reference: &image.reference,
            manifest_digest: &image.manifest_digest,
            os: image.os.as_ref(),
            config: &image.config,
            env_vars,
            history,
            base: image.base.as_deref(),
            base_ref: image
                .base
                .as_deref()
                .map(|b| crate::image::ImageInput::parse(b.trim())),
            base_at: base_location(image),
            files: &image.files,
        },
    };
    // Serialising plain structs of strings and numbers cannot fail.
    Ok(serde_json::to_string(&doc).unwrap_or_default())
}

#[derive(Serialize)]
struct Document<'a> {
    kind: &'static str,
    path: &'a str,
    image: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    reference: &'a str,
    manifest_digest: &'a str,
    os: Option<&'a OsInfo>,
    config: &'a ImageConfig,
    env_vars: Vec<EnvVar<'a>>,
    history: Vec<HistoryView<'a>>,
    base: Option<&'a str>,
    base_ref: Option<crate::image::ImageInput>,
    base_at: String,
    files: &'a [ImageFile],
}

#[derive(Serialize)]
struct EnvVar<'a> {
    index: usize,
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct HistoryView<'a> {
    #[serde(flatten)]
    entry: &'a History,
    instruction: Option<String>,
    arguments: Option<String>,
    script: Option<String>,
    pipe_to_shell: Vec<shell::PipeToShell>,
    add: Option<AddStep>,
}

/// Where the base name was read from, in the location scheme of image findings.
fn base_location(image: &ImageInput) -> String {
    if image.config.labels.contains_key(BASE_NAME_KEY) {
        format!("config.Labels[\"{BASE_NAME_KEY}\"]")
    } else {
        format!("annotations[\"{BASE_NAME_KEY}\"]")
    }
}

/// An `ADD` step: its sources and whether it verified a checksum.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AddStep {
    pub sources: Vec<String>,
    /// `--checksum=` was given (BuildKit).
    pub checksum: bool,
}

/// A history entry's `created_by`, split the way the builders write it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// `RUN`, `ADD`, `COPY`, `ENV`…; `None` when the text is none of the known forms.
    pub instruction: Option<String>,
    /// The text after the instruction (build arguments and the shell prefix removed for
    /// `RUN`).
    pub arguments: Option<String>,
    /// The shell script of a `RUN` step.
    pub script: Option<String>,
    /// An `ADD` step's sources.
    pub add: Option<AddStep>,
}

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

impl Step {
    /// Split `created_by` as BuildKit (`RUN /bin/sh -c … # buildkit`, `ADD https://… /x #
    /// buildkit`, `RUN |2 A=1 B=2 /bin/sh -c …`), the classic builder and Buildah
    /// (`/bin/sh -c #(nop) ADD file:… in /`, `/bin/sh -c apt-get …`, `|1 A=1 /bin/sh -c …`) and
    /// Kaniko (`RUN apt-get …`) write it.
    pub fn parse(created_by: &str) -> Self {
        let mut s = created_by.trim();
        s = s.strip_suffix("# buildkit").unwrap_or(s).trim_end();
        let mut explicit_run = false;
        if let Some(rest) = s.strip_prefix("RUN ") {
            s = rest.trim_start();
            explicit_run = true;
        }
        s = strip_build_args(s);
        let (instruction, arguments) = if let Some(rest) = strip_shell_prefix(s) {
            match rest.trim_start().strip_prefix("#(nop)") {
                Some(nop) => split_instruction(nop.trim()),
                None => (Some("RUN".to_owned()), rest.trim().to_owned()),
            }
        } else if explicit_run {
            (Some("RUN".to_owned()), s.to_owned())
        } else {
            split_instruction(s)
        };
        let mut step = Self {
            arguments: Some(arguments.clone()),
            ..Self::default()
        };
        match instruction.as_deref() {
            Some("RUN") => step.script = Some(run_script(&arguments)),
            Some("ADD") => step.add = Some(add_step(&arguments)),
            None => step.arguments = None,
            _ => {}
        }
        step.instruction = instruction;
        step
    }
}

/// `|2 A=1 B=2 rest` → `rest`: the build arguments a `RUN` step saw.
fn strip_build_args(s: &str) -> &str {
    let Some(rest) = s.strip_prefix('|') else {
        return s;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Ok(n) = rest[..digits].parse::<usize>() else {
        return s;
    };
    let mut rest = &rest[digits..];
    for _ in 0..n {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    rest.trim_start()
}

/// `/bin/sh -c rest` (any shell path, `-c` or `-exc`…) → `rest`.
fn strip_shell_prefix(s: &str) -> Option<&str> {
    let (prog, rest) = s.split_once(char::is_whitespace)?;
    let name = prog.rsplit('/').next().unwrap_or(prog);
    if !matches!(name, "sh" | "bash" | "ash" | "dash" | "zsh" | "busybox") {
        return None;
    }
    let rest = rest.trim_start();
    let rest = if name == "busybox" {
        rest.strip_prefix("sh")?.trim_start()
    } else {
        rest
    };
    let (flag, script) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    (flag.starts_with('-') && flag.contains('c')).then_some(script)
}

/// `ADD a b` → (`ADD`, `a b`) when the first word is an instruction.
fn split_instruction(s: &str) -> (Option<String>, String) {
    let (word, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    let upper = word.to_ascii_uppercase();
    if INSTRUCTIONS.contains(&upper.as_str()) {
        (Some(upper), rest.trim().to_owned())
    } else {
        (None, s.to_owned())
    }
}

/// The script of a `RUN` step: its text, or for the exec form (`["sh", "-c", "…"]`) the
/// script after `-c`, else the words joined.
fn run_script(arguments: &str) -> String {
    let t = arguments.trim();
    if t.starts_with('[')
        && let Ok(words) = serde_json::from_str::<Vec<String>>(t)
    {
        let joined = words.join(" ");
        return strip_shell_prefix(&joined).unwrap_or(&joined).to_owned();
    }
    strip_shell_prefix(t).unwrap_or(t).to_owned()
}

/// The sources of `ADD [--flags] src… dest` (or the classic builder's `ADD file:… in /dest`).
fn add_step(arguments: &str) -> AddStep {
    let t = arguments.trim();
    let mut words: Vec<String> = if t.starts_with('[') {
        serde_json::from_str(t).unwrap_or_default()
    } else {
        t.split_whitespace().map(str::to_owned).collect()
    };
    let mut checksum = false;
    words.retain(|w| {
        if let Some(flag) = w.strip_prefix("--") {
            checksum |= flag.starts_with("checksum=");
            false
        } else {
            true
        }
    });
    // `file:<hash> in /dest` (classic builder, Buildah): the destination follows `in`.
    if let Some(i) = words.iter().rposition(|w| w == "in") {
        words.truncate(i);
    } else {
        words.pop();
    }
    AddStep {
        sources: words,
        checksum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(s: &str) -> (Option<String>, Option<String>) {
        let p = Step::parse(s);
        (p.instruction, p.script)
    }

    #[test]
    fn buildkit_classic_and_kaniko_forms_split_the_same_way() {
        let run = (
            Some("RUN".to_owned()),
            Some("curl -fsSL https://x | sh".to_owned()),
        );
        assert_eq!(
            step("RUN /bin/sh -c curl -fsSL https://x | sh # buildkit"),
            run
        );
        assert_eq!(step("/bin/sh -c curl -fsSL https://x | sh"), run);
        assert_eq!(
            step("|2 A=1 B=two /bin/sh -c curl -fsSL https://x | sh"),
            run
        );
        assert_eq!(
            step("RUN |1 TOKEN=x /bin/sh -c curl -fsSL https://x | sh # buildkit"),
            run
        );
        assert_eq!(step("RUN curl -fsSL https://x | sh"), run);
        assert_eq!(
            step(r#"RUN ["/bin/sh","-c","curl -fsSL https://x | sh"]"#),
            run
        );
        assert_eq!(
            step("/bin/sh -c #(nop)  CMD [\"bash\"]"),
            (Some("CMD".to_owned()), None)
        );
        assert_eq!(step("mystery"), (None, None));
    }

    #[test]
    fn add_sources_and_checksum() {
        let a = Step::parse("ADD https://e.org/a.tgz /opt/ # buildkit")
            .add
            .unwrap();
        assert_eq!(
            (a.sources, a.checksum),
            (vec!["https://e.org/a.tgz".to_owned()], false)
        );
        let a = Step::parse("ADD --checksum=sha256:00 https://e.org/a.tgz /opt/ # buildkit")
            .add
            .unwrap();
        assert!(a.checksum);
        let a = Step::parse("/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007 in / ")
            .add
            .unwrap();
        assert_eq!(
            a.sources,
            vec!["file:4b03b5f551e3fbdf47ec609712007".to_owned()]
        );
    }

    #[test]
    fn document_shape_is_what_rules_read() {
        let image = ImageInput {
            reference: "oci-dir:img:1".into(),
            manifest_digest: "sha256:00".into(),
            config: ImageConfig {
                env: vec!["A=b=c".into(), "EMPTY".into()],
                labels: [(BASE_NAME_KEY.to_owned(), "debian:12".to_owned())].into(),
                ..ImageConfig::default()
            },
            history: vec![History {
                created_by: Some(
                    "RUN |1 T=x /bin/sh -c wget -qO- https://x | bash # buildkit".into(),
                ),
                ..History::default()
            }],
            base: Some("debian:12".into()),
            ..ImageInput::default()
        };
        let v = normalise(&image).unwrap();
        assert_eq!(v["kind"], "image");
        assert_eq!(v["path"], "oci-dir:img:1");
        assert_eq!(
            v["image"]["env_vars"],
            serde_json::json!([
                {"index": 0, "name": "A", "value": "b=c"},
                {"index": 1, "name": "EMPTY", "value": ""}
            ])
        );
        let h = &v["image"]["history"][0];
        assert_eq!(h["instruction"], "RUN");
        assert_eq!(h["script"], "wget -qO- https://x | bash");
        assert_eq!(
            h["pipe_to_shell"][0]["text"],
            "pipes a wget download into bash"
        );
        assert_eq!(h["empty_layer"], false);
        assert_eq!(v["image"]["base_ref"]["registry"], "docker.io");
        assert_eq!(v["image"]["base_ref"]["repository"], "library/debian");
        assert_eq!(
            v["image"]["base_at"],
            "config.Labels[\"org.opencontainers.image.base.name\"]"
        );
        assert_eq!(v["image"]["config"]["user"], serde_json::Value::Null);
    }
}
