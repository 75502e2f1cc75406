//! Secret rules: the TOML format, its validation, and the compiled rule set.

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;
use serde::Deserialize;
use vouch_report::{RuleMeta, Severity};

/// The rules vouch ships, parsed once at start-up.
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

/// Why a rule file was rejected. Messages name the rule.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleError {
    #[error("rule file is not valid TOML")]
    Toml(#[source] toml::de::Error),
    #[error("rule file version {found} is not supported (expected 1)")]
    Version { found: u32 },
    #[error("rule `{id}` has an invalid regular expression")]
    Regex {
        id: String,
        #[source]
        source: regex::Error,
    },
    #[error("rule `{id}` has an unknown severity `{severity}`")]
    Severity { id: String, severity: String },
    #[error("rule id `{id}` must be lower-case letters, digits and `-`")]
    Id { id: String },
    #[error("rule `{id}` is defined twice")]
    Duplicate { id: String },
    #[error("rule `{id}` has no keywords; every rule needs at least one for the keyword pass")]
    NoKeywords { id: String },
    #[error("rule `{id}` has an entropy threshold {entropy} outside 0..=8")]
    Entropy { id: String, entropy: f64 },
    #[error("keyword automaton could not be built")]
    Keywords(#[source] aho_corasick::BuildError),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    description: String,
    severity: String,
    keywords: Vec<String>,
    regex: String,
    entropy: Option<f64>,
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    examples: RawExamples,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(default)]
    positive: Vec<String>,
    #[serde(default)]
    negative: Vec<String>,
}

/// One validated rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    pub severity: Severity,
    pub keywords: Vec<String>,
    pub regex: Regex,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// A context rule (`password = "..."`) that yields to a specific rule on the same span.
    pub generic: bool,
    /// Lower-case values that, found inside the secret, mark it as not a secret.
    pub stopwords: Vec<String>,
    pub positive_examples: Vec<String>,
    pub negative_examples: Vec<String>,
    pub(crate) secret_groups: Vec<usize>,
    /// index of the `host` group (the host of a URL with credentials), if any
    pub(crate) host_group: Option<usize>,
}

impl Rule {
    pub fn meta(&self) -> RuleMeta {
        let mut meta = RuleMeta::new(&self.id, &self.description, self.severity);
        meta.description = Some(format!(
            "{} Keywords: {}.",
            self.description,
            self.keywords.join(", ")
        ));
        meta.help_uri = Some(format!("docs/rules/secrets/{}.md", self.id));
        meta
    }
}

/// A validated set of rules with the keyword automaton over all their keywords.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) rules: Vec<Rule>,
    pub(crate) keywords: AhoCorasick,
    /// keyword pattern index -> rule indices
    pub(crate) keyword_rules: Vec<Vec<usize>>,
}

impl RuleSet {
    /// Parse and validate a rule file.
    pub fn parse(text: &str) -> Result<Self, RuleError> {
        let raw: RawFile = toml::from_str(text).map_err(RuleError::Toml)?;
        if raw.version != 1 {
            return Err(RuleError::Version { found: raw.version });
        }
        let mut rules = Vec::with_capacity(raw.rule.len());
        let mut seen = std::collections::HashSet::new();
        for r in raw.rule {
            if r.id.is_empty()
                || !r
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(RuleError::Id { id: r.id });
            }
            if !seen.insert(r.id.clone()) {
                return Err(RuleError::Duplicate { id: r.id });
            }
            let severity: Severity = r.severity.parse().map_err(|_| RuleError::Severity {
                id: r.id.clone(),
                severity: r.severity.clone(),
            })?;
            let keywords: Vec<String> = r
                .keywords
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .filter(|k| !k.is_empty())
                .collect();
            if keywords.is_empty() {
                return Err(RuleError::NoKeywords { id: r.id });
            }
            if let Some(e) = r.entropy
                && !(0.0..=8.0).contains(&e)
            {
                return Err(RuleError::Entropy {
                    id: r.id,
                    entropy: e,
                });
            }
            let regex = regex::bytes::RegexBuilder::new(&r.regex)
                .size_limit(1 << 22)
                .dfa_size_limit(1 << 22)
                .build()
                .map_err(|source| RuleError::Regex {
                    id: r.id.clone(),
                    source,
                })?;
            let secret_groups = regex
                .capture_names()
                .enumerate()
                .filter(|(_, n)| n.is_some_and(|n| n.starts_with("secret")))
                .map(|(i, _)| i)
                .collect();
            let host_group = regex.capture_names().position(|n| n == Some("host"));
            rules.push(Rule {
                id: r.id,
                description: r.description,
                severity,
                keywords,
                regex,
                entropy: r.entropy,
                generic: r.generic,
                stopwords: r.stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
                positive_examples: r.examples.positive,
                negative_examples: r.examples.negative,
                secret_groups,
                host_group,
            });
        }
        Self::from_rules(rules)
    }

    fn from_rules(rules: Vec<Rule>) -> Result<Self, RuleError> {
        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            for k in &rule.keywords {
                match patterns.iter().position(|p| p == k) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        patterns.push(k.clone());
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .map_err(RuleError::Keywords)?;
        Ok(Self {
            rules,
            keywords,
            keyword_rules,
        })
    }

    /// The built-in rules. Panics only if the embedded file is invalid, which a test prevents.
    pub fn builtin() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| RuleSet::parse(BUILTIN_RULES).expect("embedded rules.toml is valid"))
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// A copy without the rules named in `disabled`.
    pub fn without(&self, disabled: &[String]) -> Result<Self, RuleError> {
        let rules = self
            .rules
            .iter()
            .filter(|r| !disabled.contains(&r.id))
            .cloned()
            .collect();
        Self::from_rules(rules)
    }

    /// SARIF/help metadata for every rule.
    pub fn metas(&self) -> Vec<RuleMeta> {
        self.rules.iter().map(Rule::meta).collect()
    }
}
