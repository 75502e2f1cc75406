//! The gate policy file (`gate.toml`): deserialised leniently into raw types, then validated
//! into [`Policy`], which the rest of the crate uses. Paths stay as written (relative to the
//! policy file); [`crate::load()`] resolves and reads them.
//!
//! ```toml
//! rego = ["policy/*.rego"]          # optional Rego modules over the verified evidence
//! check = false                     # optional: deny on `vouch check` findings (medium and up)
//! secrets = false                   # optional: deny on leaked secrets
//!
//! [trust]
//! keys = ["release.pub"]
//! identities = [{ identity = "https://gitlab.example.com/acme/api//.gitlab-ci.yml@refs/heads/main",
//!                 issuer = "https://gitlab.example.com" }]
//! trusted-root = "trusted_root.json" # optional, for keyless; default: embedded Sigstore root
//! require-tlog = false
//!
//! [evidence]
//! signature = "signature.bundle"
//! sbom = "sbom.cdx.json"
//!
//! [provenance]
//! source = "https://gitlab.example.com/acme/api"
//! protected-refs = ["main", "v*"]
//! builders = ["https://gitlab.example.com/acme/api/-/runners/*"]
//! require = ["commit", "pipeline", "runner"]
//!
//! [attestations]
//! required = ["https://in-toto.io/attestation/test-result/v0.1"]
//!
//! [vulnerabilities]
//! fail-on = "high"
//! ignore = ".vouch/ignore.toml"
//! vex = ["vex.openvex.json"]
//!
//! [rebuilds]                       # optional: k-of-n independent rebuilds (docs/rebuilds.md)
//! threshold = 2
//! keys = ["rebuilder-a.pub", "rebuilder-b.pub", "rebuilder-c.pub"]
//! identities = [{ identity = "https://github.com/acme/rebuild/.github/workflows/rebuild.yml@refs/heads/main",
//!                 issuer = "https://token.actions.githubusercontent.com" }]
//!
//! [sarif]                          # optional: other tools' SARIF (docs/sarif.md)
//! fail-on = "error"                # error, warning or note
//! required-tools = ["semgrep"]     # each must have SARIF results, or the gate denies
//! require-signed = false           # true: only SARIF from verified attestations counts
//! ignore = ".vouch/ignore.toml"    # `rule = "semgrep/<rule id>"`, `path`, `reason`, `expires`
//! [sarif.tools.semgrep]
//! fail-on = "warning"
//! allow-rules = ["generic.secrets.security.detected-generic-secret"]
//!
//! [vsa]
//! verifier-id = "https://vouch.invalid/gate"
//! policy-uri = "https://gitlab.example.com/acme/policies/-/blob/main/gate.toml"
//! resource-uri = "https://artifacts.example.com/acme/api/app.tar.gz"
//! levels = ["SLSA_BUILD_LEVEL_2"]
//! ```

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use vouch_report::Severity;
use vouch_report::sarif::read::Level;

/// Default file name of the signature bundle in the evidence folder.
pub const DEFAULT_SIGNATURE: &str = "signature.bundle";
/// Default file name of the SBOM in the evidence folder.
pub const DEFAULT_SBOM: &str = "sbom.cdx.json";
/// Default verifier id written into verification summaries.
pub const DEFAULT_VERIFIER_ID: &str = "https://vouch.invalid/gate";

/// Why a policy file was rejected. The caller exits 2: a gate without a valid policy cannot
/// evaluate anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("policy {file} is not valid TOML{position}: {message}")]
    Toml {
        file: String,
        position: String,
        message: String,
    },
    #[error("policy {file}: `{field}` {problem}")]
    Invalid {
        file: String,
        field: String,
        problem: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    #[serde(default)]
    rego: Vec<String>,
    #[serde(default)]
    check: bool,
    #[serde(default)]
    secrets: bool,
    trust: Option<RawTrust>,
    #[serde(default)]
    evidence: RawEvidence,
    #[serde(default)]
    provenance: RawProvenance,
    #[serde(default)]
    attestations: RawAttestations,
    vulnerabilities: Option<RawVulnerabilities>,
    #[serde(default)]
    vsa: RawVsa,
    rebuilds: Option<RawRebuilds>,
    sarif: Option<RawSarif>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSarif {
    fail_on: Option<String>,
    #[serde(default)]
    required_tools: Vec<String>,
    #[serde(default)]
    require_signed: bool,
    ignore: Option<String>,
    #[serde(default)]
    tools: std::collections::BTreeMap<String, RawSarifTool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSarifTool {
    fail_on: Option<String>,
    #[serde(default)]
    allow_rules: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRebuilds {
    threshold: Option<i64>,
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    identities: Vec<RawIdentity>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTrust {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    identities: Vec<RawIdentity>,
    trusted_root: Option<String>,
    #[serde(default)]
    require_tlog: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    /// `subject` is accepted too (cosign's `--certificate-identity` is the SAN, the
    /// certificate's subject alternative name).
    #[serde(alias = "subject")]
    identity: Option<String>,
    issuer: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEvidence {
    signature: Option<String>,
    sbom: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProvenance {
    source: Option<String>,
    #[serde(default)]
    protected_refs: Vec<String>,
    #[serde(default)]
    builders: Vec<String>,
    require: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAttestations {
    #[serde(default)]
    required: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVulnerabilities {
    fail_on: Option<String>,
    ignore: Option<String>,
    #[serde(default)]
    vex: Vec<String>,
    max_db_age: Option<String>,
    #[serde(default)]
    allow_stale_db: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawVsa {
    verifier_id: Option<String>,
    policy_uri: Option<String>,
    resource_uri: Option<String>,
    levels: Option<Vec<String>>,
}

/// A keyless signer: certificate identity (SAN) and OIDC issuer, both exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub identity: String,
    pub issuer: String,
}

/// Who may sign the artifact and its attestations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// Public key files (PEM), relative to the policy file.
    pub keys: Vec<String>,
    pub identities: Vec<Identity>,
    /// `trusted_root.json` for keyless verification, relative to the policy file.
    pub trusted_root: Option<String>,
    /// Require a verified transparency-log entry on key-signed bundles.
    pub require_tlog: bool,
}

/// A glob over refs or builder ids, kept with its text.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub text: String,
    matcher: GlobMatcher,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}
impl Eq for Pattern {}

impl Pattern {
    /// Compile a glob (`*`, `?`, `[…]`, `{a,b}`).
    pub fn new(text: &str) -> Result<Self, globset::Error> {
        let matcher = Glob::new(text)?.compile_matcher();
        Ok(Self {
            text: text.to_owned(),
            matcher,
        })
    }

    pub fn is_match(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }
}

/// A provenance field the gate can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// The source commit (a `gitCommit` resolved dependency).
    Commit,
    /// The pipeline or workflow run (`runDetails.metadata.invocationId`).
    Pipeline,
    /// The runner (`internalParameters.runner.id`, or its name where the CI has no id).
    Runner,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Commit => "commit",
            Field::Pipeline => "pipeline",
            Field::Runner => "runner",
        }
    }
}

/// What provenance must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub source: Option<String>,
    /// Refs (branch or tag names without `refs/heads/` / `refs/tags/`) builds may come from.
    pub protected_refs: Vec<Pattern>,
    pub builders: Vec<Pattern>,
    pub require: Vec<Field>,
}

/// The vulnerability check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vulnerabilities {
    pub fail_on: Severity,
    /// Advisory ignore file (`[[ignore]] id, purl, reason, expires`), relative to the policy.
    pub ignore: Option<String>,
    /// OpenVEX documents, relative to the policy.
    pub vex: Vec<String>,
    /// `max-db-age`: how long ago the advisory database may have been updated (`7d`);
    /// `None`: the caller's default (`vouch gate --db-max-age`, else 7 days).
    pub max_db_age: Option<jiff::SignedDuration>,
    /// `allow-stale-db = true`: an older database is reported but does not deny.
    pub allow_stale_db: bool,
}

/// What goes into the verification summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vsa {
    pub verifier_id: String,
    pub policy_uri: Option<String>,
    pub resource_uri: Option<String>,
    /// `verifiedLevels`; `None`: derived from the provenance (see [`crate::summary()`]).
    pub levels: Option<Vec<String>>,
}

/// The k-of-n rebuild rule (`[rebuilds]`): at least `threshold` distinct rebuilders among
/// `keys` and `identities` must attest that they rebuilt the subject's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilds {
    /// At least 1, at most `keys.len() + identities.len()`.
    pub threshold: usize,
    /// Rebuilder public key files (PEM), relative to the policy file; a rebuilder is named by
    /// its key file's name in reasons.
    pub keys: Vec<String>,
    /// Keyless rebuilders, named by their identity in reasons.
    pub identities: Vec<Identity>,
}

impl Rebuilds {
    /// How many rebuilders the policy trusts.
    pub fn trusted(&self) -> usize {
        self.keys.len() + self.identities.len()
    }
}

/// Per-tool settings of `[sarif.tools.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SarifTool {
    /// Overrides `[sarif] fail-on` for this tool.
    pub fail_on: Option<Level>,
    /// Rule ids of this tool whose results never deny (listed as ignored).
    pub allow_rules: Vec<String>,
}

/// `[sarif]`: how other tools' SARIF results decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sarif {
    /// The lowest level that denies: `error` (default), `warning` or `note`.
    pub fail_on: Level,
    /// Tools (by short name, `semgrep`, or driver name) that must have SARIF results.
    pub required_tools: Vec<String>,
    /// Refuse SARIF that is not a verified attestation (`--sarif` files).
    pub require_signed: bool,
    /// Ignore file (rule entries: `rule = "<tool>/<rule id>"`), relative to the policy.
    pub ignore: Option<String>,
    /// Per-tool settings, by tool name as written (matched like `required-tools`).
    pub tools: Vec<(String, SarifTool)>,
}

impl Default for Sarif {
    fn default() -> Self {
        Self {
            fail_on: Level::Error,
            required_tools: Vec::new(),
            require_signed: false,
            ignore: None,
            tools: Vec::new(),
        }
    }
}

fn sarif_level(file: &str, field: &str, text: &str) -> Result<Level, PolicyError> {
    match Level::parse(text) {
        Some(l) if l != Level::None => Ok(l),
        _ => Err(PolicyError::Invalid {
            file: file.to_owned(),
            field: field.to_owned(),
            problem: format!("is `{text}`; expected error, warning or note"),
        }),
    }
}

/// A validated gate policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub trust: Trust,
    pub signature_file: String,
    pub sbom_file: String,
    pub provenance: Provenance,
    /// Predicate types that must each have a verified attestation, beyond provenance and SBOM.
    pub required_predicate_types: Vec<String>,
    pub vulnerabilities: Option<Vulnerabilities>,
    pub check: bool,
    pub secrets: bool,
    /// Rego module paths or globs (wildcards in the file name only), relative to the policy.
    pub rego: Vec<String>,
    pub vsa: Vsa,
    /// `[rebuilds]`: the k-of-n rebuild rule, when present.
    pub rebuilds: Option<Rebuilds>,
    /// `[sarif]`, when present.
    pub sarif: Option<Sarif>,
}

fn plain_file_name(file: &str, field: &str, name: &str) -> Result<(), PolicyError> {
    if name.is_empty() || name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Err(PolicyError::Invalid {
            file: file.to_owned(),
            field: field.to_owned(),
            problem: format!("must be a file name inside the evidence folder, found `{name}`"),
        });
    }
    Ok(())
}

impl Policy {
    /// Parse and validate a policy; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            let position = e
                .span()
                .map(|s| {
                    let before = &text.as_bytes()[..s.start.min(text.len())];
                    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
                    let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
                    format!(" at line {line} column {col}")
                })
                .unwrap_or_default();
            PolicyError::Toml {
                file: file.to_owned(),
                position,
                message: e.message().trim().to_owned(),
            }
        })?;
        let invalid = |field: &str, problem: String| PolicyError::Invalid {
            file: file.to_owned(),
            field: field.to_owned(),
            problem,
        };

        let raw_trust = raw.trust.ok_or_else(|| {
            invalid(
                "trust",
                "is required: name at least one key or keyless identity the gate trusts".into(),
            )
        })?;
        let identities_of = |section: &str, raw: Vec<RawIdentity>| {
            let mut out = Vec::new();
            for (i, id) in raw.into_iter().enumerate() {
                let field = format!("{section}.identities[{i}]");
                let identity = id
                    .identity
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| invalid(&field, "needs a non-empty `identity`".into()))?;
                let issuer = id
                    .issuer
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| invalid(&field, "needs a non-empty `issuer`".into()))?;
                out.push(Identity { identity, issuer });
            }
            Ok::<_, PolicyError>(out)
        };
        let identities = identities_of("trust", raw_trust.identities)?;
        if raw_trust.keys.is_empty() && identities.is_empty() {
            return Err(invalid(
                "trust",
                "names no key and no identity: the gate would trust nobody".into(),
            ));
        }
        if let Some(k) = raw_trust.keys.iter().find(|k| k.trim().is_empty()) {
            return Err(invalid("trust.keys", format!("has an empty path `{k}`")));
        }

        let signature_file = raw
            .evidence
            .signature
            .unwrap_or_else(|| DEFAULT_SIGNATURE.into());
        plain_file_name(file, "evidence.signature", &signature_file)?;
        let sbom_file = raw.evidence.sbom.unwrap_or_else(|| DEFAULT_SBOM.into());
        plain_file_name(file, "evidence.sbom", &sbom_file)?;

        let patterns = |field: &str, list: &[String]| -> Result<Vec<Pattern>, PolicyError> {
            list.iter()
                .map(|p| {
                    if p.trim().is_empty() {
                        return Err(invalid(field, "has an empty pattern".into()));
                    }
                    Pattern::new(p)
                        .map_err(|e| invalid(field, format!("has a bad pattern `{p}`: {e}")))
                })
                .collect()
        };
        let protected_refs = patterns("provenance.protected-refs", &raw.provenance.protected_refs)?;
        let builders = patterns("provenance.builders", &raw.provenance.builders)?;
        let require = match raw.provenance.require {
            None => vec![Field::Commit, Field::Pipeline, Field::Runner],
            Some(list) => {
                let mut out = Vec::new();
                for f in list {
                    let field = match f.as_str() {
                        "commit" => Field::Commit,
                        "pipeline" => Field::Pipeline,
                        "runner" => Field::Runner,
                        other => {
                            return Err(invalid(
                                "provenance.require",
                                format!("has `{other}`; expected commit, pipeline or runner"),
                            ));
                        }
                    };
                    if !out.contains(&field) {
                        out.push(field);
                    }
                }
                out.sort();
                out
            }
        };
        if let Some(s) = &raw.provenance.source
            && s.trim().is_empty()
        {
            return Err(invalid("provenance.source", "is empty".into()));
        }

        let vulnerabilities = match raw.vulnerabilities {
            None => None,
            Some(v) => {
                let fail_on = v.fail_on.ok_or_else(|| {
                    invalid(
                        "vulnerabilities.fail-on",
                        "is required when [vulnerabilities] is present (info, low, medium, high, critical)".into(),
                    )
                })?;
                let fail_on: Severity = fail_on.parse().map_err(|_| {
                    invalid(
                        "vulnerabilities.fail-on",
                        format!("is `{fail_on}`; expected info, low, medium, high or critical"),
                    )
                })?;
                let max_db_age = v
                    .max_db_age
                    .as_deref()
                    .map(parse_age)
                    .transpose()
                    .map_err(|e| invalid("vulnerabilities.max-db-age", e))?;
                Some(Vulnerabilities {
                    fail_on,
                    ignore: v.ignore,
                    vex: v.vex,
                    max_db_age,
                    allow_stale_db: v.allow_stale_db,
                })
            }
        };

        if let Some(t) = raw
            .attestations
            .required
            .iter()
            .find(|t| t.trim().is_empty())
        {
            return Err(invalid(
                "attestations.required",
                format!("has an empty predicate type `{t}`"),
            ));
        }
        // Summaries are never read as evidence (see `evaluate`): requiring one would always deny.
        if raw
            .attestations
            .required
            .iter()
            .any(|t| t == vouch_attest::vsa::VSA_V1)
        {
            return Err(invalid(
                "attestations.required",
                format!(
                    "has `{}`: a verification summary is the gate's output, never its input",
                    vouch_attest::vsa::VSA_V1
                ),
            ));
        }
        if let Some(r) = raw.rego.iter().find(|r| r.trim().is_empty()) {
            return Err(invalid("rego", format!("has an empty path `{r}`")));
        }
        // An empty verifier id would make a summary that `VerificationSummary::parse` rejects.
        if let Some(id) = &raw.vsa.verifier_id
            && id.trim().is_empty()
        {
            return Err(invalid("vsa.verifier-id", "is empty".into()));
        }
        if let Some(levels) = &raw.vsa.levels
            && levels.iter().any(|l| l.trim().is_empty())
        {
            return Err(invalid("vsa.levels", "has an empty level".into()));
        }

        let rebuilds = match raw.rebuilds {
            None => None,
            Some(r) => {
                let identities = identities_of("rebuilds", r.identities)?;
                if let Some(k) = r.keys.iter().find(|k| k.trim().is_empty()) {
                    return Err(invalid("rebuilds.keys", format!("has an empty path `{k}`")));
                }
                let mut seen = std::collections::HashSet::new();
                if let Some(k) = r.keys.iter().find(|k| !seen.insert(k.as_str())) {
                    return Err(invalid(
                        "rebuilds.keys",
                        format!("names `{k}` twice: each rebuilder counts once"),
                    ));
                }
                let mut seen = std::collections::HashSet::new();
                if let Some(id) = identities
                    .iter()
                    .find(|id| !seen.insert((id.identity.as_str(), id.issuer.as_str())))
                {
                    return Err(invalid(
                        "rebuilds.identities",
                        format!(
                            "names `{}` (issuer {}) twice: each rebuilder counts once",
                            id.identity, id.issuer
                        ),
                    ));
                }
                let trusted = r.keys.len() + identities.len();
                if trusted == 0 {
                    return Err(invalid(
                        "rebuilds",
                        "names no key and no identity: no rebuild could ever count".into(),
                    ));
                }
                let threshold = r.threshold.ok_or_else(|| {
                    invalid(
                        "rebuilds.threshold",
                        "is required when [rebuilds] is present (how many distinct rebuilders must agree)".into(),
                    )
                })?;
                if threshold < 1 {
                    return Err(invalid(
                        "rebuilds.threshold",
                        format!(
                            "is {threshold}; it must be at least 1 (a threshold of 0 would pass with no rebuild)"
                        ),
                    ));
                }
                let threshold = usize::try_from(threshold).unwrap_or(usize::MAX);
                if threshold > trusted {
                    return Err(invalid(
                        "rebuilds.threshold",
                        format!(
                            "is {threshold}, but only {trusted} rebuilder(s) are trusted (keys and identities): the rule could never pass"
                        ),
                    ));
                }
                Some(Rebuilds {
                    threshold,
                    keys: r.keys,
                    identities,
                })
            }
        };

        let sarif = match raw.sarif {
            None => None,
            Some(r) => {
                let fail_on = match &r.fail_on {
                    Some(t) => sarif_level(file, "sarif.fail-on", t)?,
                    None => Level::Error,
                };
                if let Some(t) = r.required_tools.iter().find(|t| t.trim().is_empty()) {
                    return Err(invalid(
                        "sarif.required-tools",
                        format!("has an empty tool name `{t}`"),
                    ));
                }
                if let Some(i) = &r.ignore
                    && i.trim().is_empty()
                {
                    return Err(invalid("sarif.ignore", "is empty".into()));
                }
                let mut tools = Vec::new();
                for (name, t) in r.tools {
                    let field = format!("sarif.tools.{name}");
                    let fail_on = match &t.fail_on {
                        Some(x) => Some(sarif_level(file, &format!("{field}.fail-on"), x)?),
                        None => None,
                    };
                    if t.allow_rules.iter().any(|x| x.trim().is_empty()) {
                        return Err(invalid(
                            &format!("{field}.allow-rules"),
                            "has an empty rule id".into(),
                        ));
                    }
                    tools.push((
                        name,
                        SarifTool {
                            fail_on,
                            allow_rules: t.allow_rules,
                        },
                    ));
                }
                Some(Sarif {
                    fail_on,
                    required_tools: r.required_tools,
                    require_signed: r.require_signed,
                    ignore: r.ignore,
                    tools,
                })
            }
        };

        Ok(Policy {
            sarif,
            rebuilds,
            trust: Trust {
                keys: raw_trust.keys,
                identities,
                trusted_root: raw_trust.trusted_root,
                require_tlog: raw_trust.require_tlog,
            },
            signature_file,
            sbom_file,
            provenance: Provenance {
                source: raw.provenance.source,
                protected_refs,
                builders,
                require,
            },
            required_predicate_types: raw.attestations.required,
            vulnerabilities,
            check: raw.check,
            secrets: raw.secrets,
            rego: raw.rego,
            vsa: Vsa {
                verifier_id: raw
                    .vsa
                    .verifier_id
                    .unwrap_or_else(|| DEFAULT_VERIFIER_ID.into()),
                policy_uri: raw.vsa.policy_uri,
                resource_uri: raw.vsa.resource_uri,
                levels: raw.vsa.levels,
            },
        })
    }
}

/// A duration such as `7d`, `36h`, `2w` or `P7D` (days of 24 hours); years and months, having
/// no fixed length, and negative durations are refused.
fn parse_age(s: &str) -> Result<jiff::SignedDuration, String> {
    let span: jiff::Span = s
        .trim()
        .parse()
        .map_err(|e| format!("is `{s}`, not a duration such as `7d` or `36h` ({e})"))?;
    if span.get_years() != 0 || span.get_months() != 0 {
        return Err(format!(
            "is `{s}`: years and months have no fixed length; use days or weeks"
        ));
    }
    let d = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("is `{s}`, not a usable duration ({e})"))?;
    if d.is_negative() {
        return Err(format!("is `{s}`, a negative duration"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUST: &str = "[trust]\nkeys = [\"k.pub\"]\n";

    #[test]
    fn sarif_section_parses_with_defaults_and_overrides() {
        let p = Policy::parse(
            &format!(
                "{TRUST}[sarif]\nrequired-tools = [\"semgrep\"]\n[sarif.tools.semgrep]\nfail-on = \"warning\"\nallow-rules = [\"r1\"]\n"
            ),
            "gate.toml",
        )
        .unwrap();
        let s = p.sarif.unwrap();
        assert_eq!(s.fail_on, Level::Error);
        assert_eq!(s.required_tools, ["semgrep"]);
        assert!(!s.require_signed);
        assert_eq!(
            s.tools,
            [(
                "semgrep".to_owned(),
                SarifTool {
                    fail_on: Some(Level::Warning),
                    allow_rules: vec!["r1".into()]
                }
            )]
        );
        assert_eq!(Policy::parse(TRUST, "gate.toml").unwrap().sarif, None);
    }

    #[test]
    fn sarif_section_values_are_validated() {
        let err = |text: &str| {
            Policy::parse(&format!("{TRUST}{text}"), "gate.toml")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("[sarif]\nfail-on = \"none\"\n"),
            "policy gate.toml: `sarif.fail-on` is `none`; expected error, warning or note"
        );
        assert_eq!(
            err("[sarif.tools.trivy]\nfail-on = \"high\"\n"),
            "policy gate.toml: `sarif.tools.trivy.fail-on` is `high`; expected error, warning or note"
        );
        assert_eq!(
            err("[sarif]\nrequired-tools = [\" \"]\n"),
            "policy gate.toml: `sarif.required-tools` has an empty tool name ` `"
        );
        assert!(err("[sarif]\nfail_on = \"error\"\n").contains("unknown field"));
    }
}
