//! clap definitions for `vouch package`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Directory whose contents become the image's root filesystem (one layer).
    pub dir: PathBuf,
    /// Where to write the image: `oci-dir:OUT[:TAG]` (an OCI layout directory, which must not
    /// exist or be empty) or `oci-archive:FILE[:TAG]` (the same layout in a tar file).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "oci-dir:OUT[:TAG]|oci-archive:FILE"
    )]
    pub output: String,
    /// The runtime user, `config.User` [default: 65532:65532, distroless's nonroot].
    #[arg(long, value_name = "UID:GID", default_value = "65532:65532")]
    pub user: String,
    /// Owner of every file in the layer [default: 0:0].
    #[arg(long, value_name = "UID:GID", default_value = "0:0")]
    pub owner: String,
    /// `config.Entrypoint`: repeat for each argument (`--entrypoint /bin/app --entrypoint
    /// serve`).
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub entrypoint: Vec<String>,
    /// `config.Cmd`: repeat for each argument.
    #[arg(long, value_name = "ARG", allow_hyphen_values = true)]
    pub cmd: Vec<String>,
    /// `config.WorkingDir` (an absolute path).
    #[arg(long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// An environment variable of the image (repeatable, in order).
    #[arg(long, value_name = "K=V")]
    pub env: Vec<String>,
    /// A label of the image (repeatable).
    #[arg(long, value_name = "K=V")]
    pub label: Vec<String>,
    /// `os/arch[/variant]` of the image [default: the base's, else this machine's].
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// A base image by digest: `oci-dir:PATH@sha256:…` (its layers are kept as they are, its
    /// config merged under this one).
    #[arg(long, value_name = "oci-dir:PATH@sha256:…")]
    pub base: Option<String>,
}
