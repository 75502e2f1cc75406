//! SLSA Provenance v1 predicate types, and [`build`] which fills one from a [`BuildContext`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `predicateType` of SLSA Provenance v1.
pub const PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// buildType for GitLab CI jobs attested by vouch.
pub const BUILD_TYPE_GITLAB: &str = "https://vouch.invalid/buildtypes/gitlab-ci/v1";
/// buildType for GitHub Actions workflow runs (GitHub's own definition).
pub const BUILD_TYPE_GITHUB: &str = "https://actions.github.io/buildtypes/workflow/v1";
/// buildType for a build on a developer's machine from a local git checkout.
pub const BUILD_TYPE_LOCAL: &str = "https://vouch.invalid/buildtypes/local/v1";

/// A SLSA Provenance v1 predicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: serde_json::Value,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub internal_parameters: serde_json::Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    pub builder: Builder,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BuildMetadata>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub byproducts: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Builder {
    pub id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builder_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_on: Option<String>,
}

/// An in-toto ResourceDescriptor.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Which CI system ran the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiSystem {
    GitlabCi,
    GithubActions,
    Local,
}

/// The machine that ran the job.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Runner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// e.g. `github-hosted`, `self-hosted`, GitLab runner tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

/// Everything known about the build, gathered by the caller (environment, git checkout, clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildContext {
    pub system: CiSystem,
    /// Source repository URI (e.g. `https://gitlab.com/acme/api`).
    pub repository: Option<String>,
    /// Branch or tag (`refs/heads/main` or `main`).
    pub git_ref: Option<String>,
    /// Whether the ref is protected (GitLab `CI_COMMIT_REF_PROTECTED`).
    pub ref_protected: Option<bool>,
    /// Source commit (hex SHA-1 or SHA-256).
    pub commit: Option<String>,
    /// Pipeline definition path (`.gitlab-ci.yml`, `.github/workflows/release.yml`).
    pub config_path: Option<String>,
    pub builder_id: String,
    pub invocation_id: Option<String>,
    pub runner: Runner,
    /// Non-secret facts about the build environment (OS, image, CI server version, ...).
    pub environment: BTreeMap<String, String>,
    pub started_on: Option<jiff::Timestamp>,
    pub finished_on: Option<jiff::Timestamp>,
}

/// Fill a provenance predicate. `dependencies` are extra resolved dependencies (e.g. locked
/// packages read from an SBOM with [`crate::sbom::locked_dependencies`]).
pub fn build(ctx: &BuildContext, dependencies: Vec<ResourceDescriptor>) -> Provenance {
    let build_type = match ctx.system {
        CiSystem::GitlabCi => BUILD_TYPE_GITLAB,
        CiSystem::GithubActions => BUILD_TYPE_GITHUB,
        CiSystem::Local => BUILD_TYPE_LOCAL,
    };
    let mut external = serde_json::Map::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            external.insert(k.to_owned(), serde_json::Value::String(v.clone()));
        }
    };
    put("repository", &ctx.repository);
    put("ref", &ctx.git_ref);
    put("configPath", &ctx.config_path);

    let mut internal = serde_json::Map::new();
    internal.insert(
        "ciSystem".into(),
        serde_json::to_value(ctx.system).unwrap_or_default(),
    );
    if ctx.runner != Runner::default() {
        internal.insert(
            "runner".into(),
            serde_json::to_value(&ctx.runner).unwrap_or_default(),
        );
    }
    if let Some(p) = ctx.ref_protected {
        internal.insert("refProtected".into(), p.into());
    }
    if !ctx.environment.is_empty() {
        internal.insert(
            "environment".into(),
            serde_json::to_value(&ctx.environment).unwrap_or_default(),
        );
    }

    let mut resolved = Vec::new();
    if let Some(commit) = &ctx.commit {
        let uri = ctx.repository.as_ref().map(|repo| match &ctx.git_ref {
            Some(r) => format!("git+{repo}@{r}"),
            None => format!("git+{repo}"),
        });
        resolved.push(ResourceDescriptor {
            uri,
            digest: BTreeMap::from([("gitCommit".to_owned(), commit.clone())]),
            name: None,
        });
    }
    resolved.extend(dependencies);

    let metadata = BuildMetadata {
        invocation_id: ctx.invocation_id.clone(),
        started_on: ctx.started_on.map(|t| t.to_string()),
        finished_on: ctx.finished_on.map(|t| t.to_string()),
    };
    Provenance {
        build_definition: BuildDefinition {
            build_type: build_type.to_owned(),
            external_parameters: external.into(),
            internal_parameters: internal.into(),
            resolved_dependencies: resolved,
        },
        run_details: RunDetails {
            builder: Builder {
                id: ctx.builder_id.clone(),
                version: BTreeMap::new(),
                builder_dependencies: Vec::new(),
            },
            metadata: Some(metadata),
            byproducts: Vec::new(),
        },
    }
}

/// A predicate that is not valid SLSA Provenance v1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProvenanceError {
    #[error("provenance is missing the required field `{field}`")]
    MissingField { field: &'static str },
    #[error("provenance does not match the SLSA v1 schema")]
    Json(#[source] serde_json::Error),
}

impl Provenance {
    /// Read and validate a predicate: `buildDefinition.buildType`,
    /// `buildDefinition.externalParameters` and `runDetails.builder.id` are required.
    pub fn parse(value: &serde_json::Value) -> Result<Self, ProvenanceError> {
        let need = |ptr: &str, field: &'static str| -> Result<(), ProvenanceError> {
            match value.pointer(ptr) {
                None | Some(serde_json::Value::Null) => {
                    Err(ProvenanceError::MissingField { field })
                }
                Some(serde_json::Value::String(s)) if s.is_empty() => {
                    Err(ProvenanceError::MissingField { field })
                }
                Some(_) => Ok(()),
            }
        };
        need("/buildDefinition", "buildDefinition")?;
        need("/buildDefinition/buildType", "buildDefinition.buildType")?;
        need(
            "/buildDefinition/externalParameters",
            "buildDefinition.externalParameters",
        )?;
        need("/runDetails", "runDetails")?;
        need("/runDetails/builder", "runDetails.builder")?;
        need("/runDetails/builder/id", "runDetails.builder.id")?;
        Provenance::deserialize(value).map_err(ProvenanceError::Json)
    }

    /// Read a predicate leniently (unknown fields ignored).
    pub fn from_value(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        Provenance::deserialize(value)
    }

    /// The source commit: the first resolved dependency with a `gitCommit` digest.
    pub fn source_commit(&self) -> Option<&str> {
        self.build_definition
            .resolved_dependencies
            .iter()
            .find_map(|d| d.digest.get("gitCommit").map(String::as_str))
    }

    /// The source repository URI: `externalParameters.repository`, else the
    /// `git+URI@ref` of the source dependency, else GitHub's `workflow.repository`.
    pub fn source_uri(&self) -> Option<String> {
        let ext = &self.build_definition.external_parameters;
        if let Some(r) = ext.get("repository").and_then(|v| v.as_str()) {
            return Some(r.to_owned());
        }
        if let Some(r) = ext
            .get("workflow")
            .and_then(|w| w.get("repository"))
            .and_then(|v| v.as_str())
        {
            return Some(r.to_owned());
        }
        self.build_definition
            .resolved_dependencies
            .iter()
            .find(|d| d.digest.contains_key("gitCommit"))
            .and_then(|d| d.uri.as_deref())
            .map(|u| {
                let u = u.strip_prefix("git+").unwrap_or(u);
                u.split('@').next().unwrap_or(u).to_owned()
            })
    }
}
