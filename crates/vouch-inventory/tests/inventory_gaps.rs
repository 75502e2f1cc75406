//! Issue #14, inventory gaps: Maven (`pom.xml`, Gradle lockfiles), NuGet (`packages.lock.json`,
//! `*.deps.json`), GitHub Actions and GitLab components, the Go standard library and
//! `// indirect`, yarn Berry scopes from the workspace manifests, and a single file as the
//! root. Real files under tests/fixtures/{maven,nuget,ci,go,yarn} (SOURCES.md in each); the
//! malformed inputs are written inline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vouch_inventory::walk::{InventoryError, Silent, WalkOptions, inventory};
use vouch_inventory::{
    FileKind, HashAlgorithm, Inventory, Package, ParseError, Parsed, Scope, Source, detect, parse,
    purl_of,
};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn run(kind: FileKind, rel: &str) -> Parsed {
    let bytes = std::fs::read(fixture(rel)).unwrap();
    parse(kind, &Source::alone(rel, &bytes)).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
}

fn run_text(kind: FileKind, text: &str) -> Result<Parsed, ParseError> {
    parse(kind, &Source::alone("inline", text.as_bytes()))
}

fn purl(p: &Package) -> String {
    purl_of(p, None).to_string()
}

/// purl → (scope, properties), one entry per distinct purl.
fn by_purl(parsed: &Parsed) -> BTreeMap<String, (Scope, BTreeMap<String, String>)> {
    parsed
        .packages
        .iter()
        .map(|p| (purl(p), (p.scope, p.properties.clone())))
        .collect()
}

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn messages(parsed: &Parsed) -> Vec<String> {
    parsed.warnings.iter().map(|w| w.message.clone()).collect()
}

fn walk(path: &Path) -> Inventory {
    inventory(path, "t", &WalkOptions::default(), &Silent).unwrap()
}

fn scope_of(inv: &Inventory, purl: &str) -> Scope {
    inv.components
        .iter()
        .find(|c| c.purl == purl)
        .unwrap_or_else(|| panic!("{purl} not in {:?}", purls(inv)))
        .scope
}

fn purls(inv: &Inventory) -> Vec<String> {
    inv.components.iter().map(|c| c.purl.clone()).collect()
}

// ---------------------------------------------------------------------------------------------
// Maven pom.xml

#[test]
fn maven_pom_lists_dependencies_with_resolved_versions_and_scopes() {
    let parsed = run(FileKind::PomXml, "maven/cyclonedx-maven-plugin.pom.xml");
    let direct = |scope: Option<&str>| {
        let mut p = vec![("dependency", "direct")];
        if let Some(s) = scope {
            p.push(("maven-scope", s));
        }
        props(&p)
    };
    let expected: BTreeMap<String, (Scope, BTreeMap<String, String>)> = [
        // The project itself: the file's root (first-party).
        (
            "pkg:maven/org.cyclonedx/cyclonedx-maven-plugin@2.10.0-SNAPSHOT",
            Scope::Required,
            BTreeMap::new(),
        ),
        (
            "pkg:maven/org.cyclonedx/cyclonedx-core-java@9.0.5",
            Scope::Required,
            direct(None),
        ),
        (
            "pkg:maven/javax.inject/javax.inject@1",
            Scope::Required,
            direct(Some("provided")),
        ),
        (
            "pkg:maven/commons-codec/commons-codec@1.22.0",
            Scope::Required,
            direct(None),
        ),
        (
            "pkg:maven/org.apache.commons/commons-lang3@3.19.0",
            Scope::Required,
            direct(None),
        ),
        (
            "pkg:maven/org.apache.maven/maven-core@3.8.7",
            Scope::Required,
            direct(Some("provided")),
        ),
        (
            "pkg:maven/org.apache.maven/maven-plugin-api@3.8.7",
            Scope::Required,
            direct(Some("provided")),
        ),
        (
            "pkg:maven/org.apache.maven.shared/maven-dependency-tree@3.3.0",
            Scope::Required,
            direct(None),
        ),
        (
            "pkg:maven/org.apache.maven.shared/maven-dependency-analyzer@1.17.1",
            Scope::Required,
            direct(None),
        ),
        // `${plugin-tools.version}` from <properties>.
        (
            "pkg:maven/org.apache.maven.plugin-tools/maven-plugin-annotations@3.15.2",
            Scope::Required,
            direct(Some("provided")),
        ),
        (
            // `<type>pom</type>`: the purl's `type` qualifier.
            "pkg:maven/io.takari.maven.plugins/takari-plugin-integration-testing@3.1.1?type=pom",
            Scope::Dev,
            direct(Some("test")),
        ),
        (
            "pkg:maven/io.takari.maven.plugins/takari-plugin-testing@3.1.1",
            Scope::Dev,
            direct(Some("test")),
        ),
        // `${junit.version}` from <properties>.
        (
            "pkg:maven/junit/junit@4.13.2",
            Scope::Dev,
            direct(Some("test")),
        ),
        (
            "pkg:maven/net.javacrumbs.json-unit/json-unit-assertj@2.40.1",
            Scope::Dev,
            direct(Some("test")),
        ),
    ]
    .into_iter()
    .map(|(p, s, pr)| (p.to_owned(), (s, pr)))
    .collect();
    assert_eq!(by_purl(&parsed), expected);
    let root = &parsed.packages[0];
    assert!(root.root && root.first_party);
    // Only `<dependencies>`: the junit-bom under <dependencyManagement> is not a dependency,
    // and plugins are not either.
    assert!(
        parsed
            .packages
            .iter()
            .all(|p| !p.name.contains("junit-bom") && !p.name.contains("maven-plugin-plugin"))
    );
    // Versions managed by an imported BOM cannot be resolved here: said once, exactly.
    assert_eq!(
        messages(&parsed),
        [
            "3 dependencies have no version here (managed by a parent pom not in the tree or an imported BOM); left out: org.junit.jupiter:junit-jupiter-api, org.junit.jupiter:junit-jupiter-engine, org.junit.vintage:junit-vintage-engine"
        ]
    );
    let junit = parsed
        .packages
        .iter()
        .find(|p| p.name == "junit:junit")
        .unwrap();
    assert_eq!(junit.line, Some(179));
}

#[test]
fn maven_pom_takes_project_version_and_properties_from_the_parent_in_the_tree() {
    let inv = walk(&fixture("maven/aggregate"));
    // impls/pom.xml: `${project.version}`, the version inherited from the parent.
    let api = inv
        .components
        .iter()
        .find(|c| c.purl == "pkg:maven/org.cyclonedx.its/api@1.0-SNAPSHOT")
        .unwrap_or_else(|| panic!("{:?}", purls(&inv)));
    assert_eq!(api.evidence[0].path, "impls/pom.xml");
    // The top pom is the subject; the modules are first-party components.
    assert_eq!(
        inv.root.as_ref().map(|r| r.purl.as_str()),
        Some("pkg:maven/org.cyclonedx.its/makeAggregateBom@1.0-SNAPSHOT")
    );
    let impls = inv
        .components
        .iter()
        .find(|c| c.purl == "pkg:maven/org.cyclonedx.its/impls@1.0-SNAPSHOT")
        .unwrap();
    assert!(impls.first_party);
    assert_eq!(
        scope_of(
            &inv,
            "pkg:maven/org.apache.commons/commons-collections4@4.4"
        ),
        Scope::Required
    );
    assert_eq!(scope_of(&inv, "pkg:maven/junit/junit@4.13.2"), Scope::Dev);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
}

#[test]
fn maven_pom_property_from_a_parent_not_in_the_tree_is_a_warning() {
    let text = r#"<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>3</version></parent>
  <artifactId>child</artifactId>
  <dependencies>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>${guava.version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>[1.7,2.0)</version></dependency>
    <dependency><groupId>org.example</groupId><artifactId>sibling</artifactId><version>${project.version}</version><optional>true</optional></dependency>
  </dependencies>
</project>"#;
    let parsed = run_text(FileKind::PomXml, text).unwrap();
    assert_eq!(
        parsed.packages.iter().map(purl).collect::<Vec<_>>(),
        [
            "pkg:maven/org.example/child@3",
            "pkg:maven/org.example/sibling@3"
        ]
    );
    assert_eq!(parsed.packages[1].scope, Scope::Optional);
    assert_eq!(
        messages(&parsed),
        [
            "1 dependencies use a property this pom and its parents in the tree do not define; left out: com.google.guava:guava (`${guava.version}`)",
            "1 dependencies have a version range (Maven picks from a repository's listing); left out: org.slf4j:slf4j-api [1.7,2.0)",
        ]
    );
}

#[test]
fn maven_pom_with_a_dtd_is_refused_with_its_position() {
    let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>\n<project/>";
    let err = run_text(FileKind::PomXml, text).unwrap_err();
    assert_eq!(err.message, "invalid XML: XML with DTD detected");
    assert_eq!((err.line, err.column), (Some(1), Some(1)));
    let err = run_text(FileKind::PomXml, "<settings/>").unwrap_err();
    assert_eq!(
        err.message,
        "expected a <project> root element, found <settings>"
    );
}

// ---------------------------------------------------------------------------------------------
// Gradle lockfiles

#[test]
fn gradle_lockfile_marks_test_only_modules_dev() {
    let parsed = run(
        FileKind::GradleLockfile,
        "maven/syft-fixture.gradle.lockfile",
    );
    let got: Vec<(String, Scope, Option<u32>)> = parsed
        .packages
        .iter()
        .map(|p| (purl(p), p.scope, p.line))
        .collect();
    assert_eq!(
        got,
        [
            (
                "pkg:maven/joda-time/joda-time@2.2".to_owned(),
                Scope::Required,
                Some(4)
            ),
            ("pkg:maven/junit/junit@4.12".to_owned(), Scope::Dev, Some(5)),
            (
                "pkg:maven/org.hamcrest/hamcrest-core@1.3".to_owned(),
                Scope::Dev,
                Some(6)
            ),
            (
                "pkg:maven/org.apache.commons/commons-text@1.8".to_owned(),
                Scope::Required,
                Some(8)
            ),
        ]
    );
    assert_eq!(
        parsed.packages[1].properties,
        props(&[(
            "gradle-configurations",
            "testCompileClasspath,testRuntimeClasspath"
        )])
    );
    assert!(parsed.warnings.is_empty());
}

#[test]
fn gradle_lockfile_of_a_multiplatform_build() {
    let parsed = run(
        FileKind::GradleLockfile,
        "maven/kotlin-bip39.bip39-lib.gradle.lockfile",
    );
    let text =
        std::fs::read_to_string(fixture("maven/kotlin-bip39.bip39-lib.gradle.lockfile")).unwrap();
    let modules = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("empty=") && l.contains('='))
        .count();
    assert_eq!(parsed.packages.len(), modules);
    let map = by_purl(&parsed);
    assert_eq!(
        map["pkg:maven/com.github.ajalt/mordant@1.2.1"].0,
        Scope::Dev
    );
    assert_eq!(
        map["pkg:maven/com.squareup.okio/okio@3.9.1"].0,
        Scope::Required
    );
    // Build tooling (dokka) is not a test configuration.
    assert_eq!(
        map["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.7.1"].0,
        Scope::Required
    );
    let buildscript = detect("buildscript-gradle.lockfile");
    assert_eq!(buildscript, Some(FileKind::GradleLockfile));
}

#[test]
fn gradle_lockfile_bad_line_is_a_warning_with_its_line() {
    let parsed = run_text(
        FileKind::GradleLockfile,
        "# comment\nio.a:b:1=runtimeClasspath\nnot-a-module=compileClasspath\n",
    )
    .unwrap();
    assert_eq!(parsed.packages.len(), 1);
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].line, Some(3));
    assert_eq!(
        parsed.warnings[0].message,
        "expected `group:name:version=configurations`, found 1 part(s) before `=`; line skipped"
    );
}

// ---------------------------------------------------------------------------------------------
// NuGet

#[test]
fn nuget_lock_direct_transitive_and_frameworks() {
    let parsed = run(FileKind::NugetLock, "nuget/syft-fixture.packages.lock.json");
    let fw = |d: &str, f: &str| props(&[("dependency", d), ("nuget-target-frameworks", f)]);
    let expected: BTreeMap<String, (Scope, BTreeMap<String, String>)> = [
        ("pkg:nuget/AutoMapper@13.0.1", fw("direct", "net8.0")),
        (
            "pkg:nuget/bootstrap@5.0.0",
            fw("direct", ".netcore2.0,net8.0"),
        ),
        ("pkg:nuget/log4net@1.2.15", fw("direct", ".netcore2.0")),
        ("pkg:nuget/log4net@2.0.5", fw("direct", "net8.0")),
        (
            "pkg:nuget/Microsoft.Extensions.DependencyInjection.Abstractions@9.0.0",
            fw("indirect", "net8.0"),
        ),
        (
            "pkg:nuget/Microsoft.Extensions.Logging@9.0.0",
            fw("direct", "net8.0"),
        ),
        (
            "pkg:nuget/Microsoft.Extensions.Options@9.0.0",
            fw("indirect", "net8.0"),
        ),
        (
            "pkg:nuget/Microsoft.Extensions.Primitives@9.0.0",
            fw("indirect", "net8.0"),
        ),
        (
            "pkg:nuget/System.Runtime.CompilerServices.Unsafe@9.0.0",
            fw("indirect", "net8.0"),
        ),
    ]
    .into_iter()
    .map(|(p, pr)| (p.to_owned(), (Scope::Required, pr)))
    .collect();
    assert_eq!(by_purl(&parsed), expected);
    let automapper = &parsed.packages[0];
    assert_eq!(automapper.hashes[0].algorithm, HashAlgorithm::Sha512);
    assert_eq!(
        automapper.dependencies[0].name,
        "Microsoft.Extensions.Options"
    );
    assert_eq!(automapper.dependencies[0].version.as_deref(), Some("9.0.0"));
}

#[test]
fn nuget_lock_project_references_are_not_packages() {
    let text = r#"{"version": 1, "dependencies": {"net8.0": {
        "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.3, )", "resolved": "13.0.3"},
        "MyLib": {"type": "Project", "dependencies": {"Newtonsoft.Json": "[13.0.3, )"}},
        "Broken": {"type": "Transitive"}
    }}}"#;
    let parsed = run_text(FileKind::NugetLock, text).unwrap();
    assert_eq!(
        parsed.packages.iter().map(purl).collect::<Vec<_>>(),
        ["pkg:nuget/Newtonsoft.Json@13.0.3"]
    );
    assert_eq!(
        messages(&parsed),
        ["`Broken` in `net8.0` has no `resolved` version; skipped"]
    );
}

#[test]
fn dotnet_deps_json_lists_packages_not_projects() {
    let parsed = run(
        FileKind::DotnetDeps,
        "nuget/syft-fixture.dir-example-1.TestLibrary.deps.json",
    );
    let got: Vec<String> = parsed.packages.iter().map(purl).collect();
    assert_eq!(got.len(), 12);
    assert!(got.contains(&"pkg:nuget/Serilog.Sinks.Console@4.0.1".to_owned()));
    assert!(got.contains(&"pkg:nuget/AWSSDK.Core@3.7.10.6".to_owned()));
    // `TestLibrary/1.0.0` and `TestCommon/1.0.0` are `project` libraries.
    assert!(
        got.iter()
            .all(|p| !p.contains("TestLibrary") && !p.contains("TestCommon"))
    );
    assert!(
        parsed
            .packages
            .iter()
            .all(|p| p.hashes.len() == 1 && p.hashes[0].algorithm == HashAlgorithm::Sha512)
    );
    let err = run_text(FileKind::DotnetDeps, r#"{"targets": {}}"#).unwrap_err();
    assert_eq!(err.message, "no `libraries` object: not a .deps.json file");
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions and GitLab components

#[test]
fn github_workflow_actions_are_components_with_pinning_recorded() {
    let parsed = run(FileKind::GithubWorkflow, "ci/cosign.e2e-tests.yml");
    let got = by_purl(&parsed);
    let pinned = |v: &str| (Scope::Required, props(&[("pinned", v)]));
    let expected: BTreeMap<String, (Scope, BTreeMap<String, String>)> = [
        ("pkg:githubactions/actions/checkout@df4cb1c069e1874edd31b4311f1884172cec0e10", "true"),
        ("pkg:githubactions/actions/setup-go@924ae3a1cded613372ab5595356fb5720e22ba16", "true"),
        ("pkg:githubactions/cpanato/vault-installer@fe568170412f5d81202ec528148f05176efbecc1", "true"),
        ("pkg:githubactions/imjasonh/setup-crane@feee3b6bb0d4c68370f256a4502498c9227e5c6b", "true"),
        // An action in a folder of its repository: the folder is the subpath; by branch.
        ("pkg:githubactions/sigstore/scaffolding@main#actions/setup", "false"),
        ("pkg:githubactions/chainguard-dev/actions@f0be69916b439d0fcced2451b23d0f27cd46d545#setup-mirror", "true"),
        ("pkg:githubactions/chainguard-dev/actions@f0be69916b439d0fcced2451b23d0f27cd46d545#kind-diag", "true"),
    ]
    .into_iter()
    .map(|(p, v)| (p.to_owned(), pinned(v)))
    .collect();
    assert_eq!(got, expected);
    assert_eq!(parsed.packages.len(), 14);
    assert!(parsed.warnings.is_empty());
}

#[test]
fn github_uses_docker_local_expression_and_reusable_workflow() {
    let text = "on: push\njobs:\n  call:\n    uses: octo-org/ci/.github/workflows/build.yml@v2\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/local\n      - uses: docker://alpine:3.19\n      - uses: docker://ghcr.io/acme/tool@sha256:0000000000000000000000000000000000000000000000000000000000000000\n      - uses: ${{ matrix.action }}\n      - uses: actions/checkout\n";
    let parsed = run_text(FileKind::GithubWorkflow, text).unwrap();
    let got: Vec<(String, Option<u32>)> =
        parsed.packages.iter().map(|p| (purl(p), p.line)).collect();
    assert_eq!(
        got,
        [
            // Jobs in name order: `b`, then `call`.
            ("pkg:docker/library/alpine@3.19".to_owned(), Some(9)),
            ("pkg:docker/acme/tool@sha256:0000000000000000000000000000000000000000000000000000000000000000?repository_url=ghcr.io".to_owned(), Some(10)),
            ("pkg:githubactions/octo-org/ci@v2#.github/workflows/build.yml".to_owned(), Some(4)),
        ]
    );
    assert_eq!(parsed.packages[0].properties, props(&[("pinned", "false")]));
    assert_eq!(parsed.packages[1].properties, props(&[("pinned", "true")]));
    assert_eq!(
        messages(&parsed),
        [
            "`uses: ${{ matrix.action }}` holds an expression; the action cannot be named",
            "`uses: actions/checkout` has no `@ref`; the action cannot be named",
        ]
    );
}

#[test]
fn github_composite_action_steps_are_components() {
    let text = "name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/cache@v4\n";
    let parsed = run_text(FileKind::GithubAction, text).unwrap();
    assert_eq!(
        parsed.packages.iter().map(purl).collect::<Vec<_>>(),
        ["pkg:githubactions/actions/cache@v4"]
    );
    assert_eq!(detect("sub/action.yml"), Some(FileKind::GithubAction));
}

#[test]
fn gitlab_components_and_project_includes() {
    let text = "include:\n  - component: gitlab.com/components/sast/sast@3.3.0\n  - component: $CI_SERVER_FQDN/my-org/security/secret-detection@1.0\n  - component: gitlab.example.com/grp/tpl/lint@0123456789abcdef0123456789abcdef01234567\n  - project: my-org/ci-templates\n    ref: v2.1.0\n    file: /templates/docker-build.yml\n  - project: my-org/other\n    file: x.yml\n  - local: ci/a.yml\n  - template: Jobs/SAST.gitlab-ci.yml\n  - component: gitlab.com/components/sast\nbuild:\n  script: [make]\n";
    let parsed = run_text(FileKind::GitlabCi, text).unwrap();
    let got: Vec<(String, Option<u32>, BTreeMap<String, String>)> = parsed
        .packages
        .iter()
        .map(|p| (purl(p), p.line, p.properties.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:gitlab/components/sast@3.3.0#sast".to_owned(), Some(2), props(&[("pinned", "false")])),
            ("pkg:gitlab/my-org/security@1.0#secret-detection".to_owned(), Some(3), props(&[("gitlab-host", "$CI_SERVER_FQDN"), ("pinned", "false")])),
            ("pkg:gitlab/grp/tpl@0123456789abcdef0123456789abcdef01234567?repository_url=gitlab.example.com#lint".to_owned(), Some(4), props(&[("pinned", "true")])),
            ("pkg:gitlab/my-org/ci-templates@v2.1.0#templates/docker-build.yml".to_owned(), Some(5), props(&[("pinned", "false")])),
        ]
    );
    assert_eq!(
        messages(&parsed),
        [
            "include of project `my-org/other` has no `ref:`; it follows the default branch, so no version can be named",
            "component `gitlab.com/components/sast` has no `@version`; it cannot be named",
        ]
    );
    assert_eq!(detect(".gitlab-ci.yml"), Some(FileKind::GitlabCi));
}

// ---------------------------------------------------------------------------------------------
// Go

#[test]
fn go_stdlib_from_toolchain_and_indirect_marked() {
    let parsed = run(FileKind::GoMod, "go/authelia-oauth2-provider.go.mod");
    let stdlib = parsed.packages.iter().find(|p| p.name == "stdlib").unwrap();
    assert_eq!(purl(stdlib), "pkg:golang/stdlib@1.24.5");
    assert_eq!(stdlib.line, Some(5));
    let map = by_purl(&parsed);
    assert_eq!(
        map["pkg:golang/golang.org/x/crypto@v0.40.0"].1,
        props(&[("dependency", "direct")])
    );
    assert_eq!(
        map["pkg:golang/golang.org/x/sys@v0.34.0"].1,
        props(&[("dependency", "indirect")])
    );
    let indirect = parsed
        .packages
        .iter()
        .filter(|p| p.properties.get("dependency").map(String::as_str) == Some("indirect"))
        .count();
    assert_eq!(indirect, 14);
    assert_eq!(parsed.packages.len(), 15 + 14 + 1);
}

#[test]
fn go_stdlib_from_the_go_directive_with_go_1_21_semantics() {
    let stdlib = |text: &str| {
        run_text(FileKind::GoMod, text)
            .unwrap()
            .packages
            .into_iter()
            .find(|p| p.name == "stdlib")
            .map(|p| purl(&p))
    };
    assert_eq!(
        stdlib("module m\n\ngo 1.22\n").as_deref(),
        Some("pkg:golang/stdlib@1.22.0")
    );
    assert_eq!(
        stdlib("module m\n\ngo 1.26.0\n").as_deref(),
        Some("pkg:golang/stdlib@1.26.0")
    );
    assert_eq!(
        stdlib("module m\ngo 1.23rc1\n").as_deref(),
        Some("pkg:golang/stdlib@1.23.0-rc.1")
    );
    // Before Go 1.21 the `go` line is a language version, not a toolchain.
    assert_eq!(stdlib("module m\n\ngo 1.20\n"), None);
    assert_eq!(
        stdlib("module m\n\ngo 1.20\ntoolchain go1.21.13\n").as_deref(),
        Some("pkg:golang/stdlib@1.21.13")
    );
}

// ---------------------------------------------------------------------------------------------
// yarn Berry scopes

#[test]
fn yarn_berry_dev_dependencies_from_workspace_manifests() {
    let inv = walk(&fixture("yarn/trivy-monorepo"));
    let expected = [
        // root: devDependencies prettier
        ("pkg:npm/prettier@2.8.8", Scope::Dev),
        // util1: devDependencies prop-types, and what only it brings
        ("pkg:npm/prop-types@15.8.1", Scope::Dev),
        ("pkg:npm/object-assign@4.1.1", Scope::Dev),
        ("pkg:npm/react-is@16.13.1", Scope::Dev),
        // scheduler (package1) needs loose-envify, which needs js-tokens 4: required although
        // prop-types needs them too.
        ("pkg:npm/scheduler@0.23.0", Scope::Required),
        ("pkg:npm/loose-envify@1.4.0", Scope::Required),
        ("pkg:npm/js-tokens@4.0.0", Scope::Required),
        ("pkg:npm/js-tokens@8.0.1", Scope::Required),
        ("pkg:npm/is-odd@3.0.1", Scope::Required),
        ("pkg:npm/is-number@6.0.0", Scope::Required),
        ("pkg:npm/is-number@7.0.0", Scope::Required),
    ];
    for (purl, scope) in expected {
        assert_eq!(scope_of(&inv, purl), scope, "{purl}");
    }
    assert_eq!(inv.components.len(), expected.len());
}

#[test]
fn yarn_berry_lockfile_alone_keeps_every_package_required() {
    let parsed = run(FileKind::YarnLock, "yarn/trivy-monorepo/yarn.lock");
    assert_eq!(parsed.packages.len(), 11);
    assert!(parsed.packages.iter().all(|p| p.scope == Scope::Required));
}

// ---------------------------------------------------------------------------------------------
// One file as the root

#[test]
fn a_single_file_is_a_directory_holding_only_it() {
    let file = fixture("yarn/trivy-monorepo/yarn.lock");
    let inv = walk(&file);
    assert_eq!(
        inv.files
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        ["yarn.lock"]
    );
    assert_eq!(inv.components.len(), 11);
    // The workspace manifests beside it are still read as its siblings.
    assert_eq!(scope_of(&inv, "pkg:npm/prettier@2.8.8"), Scope::Dev);
}

#[test]
fn a_single_file_of_an_unknown_kind_is_an_error_naming_it() {
    let file = fixture("go/authelia-oauth2-provider.go.mod");
    let err = inventory(&file, "t", &WalkOptions::default(), &Silent).unwrap_err();
    assert!(matches!(&err, InventoryError::UnknownFile { path } if *path == file));
    assert_eq!(
        err.to_string(),
        format!(
            "{} is not a lockfile, package database or CI file vouch inventories (supported names: see docs/sbom.md#supported-files)",
            file.display()
        )
    );
}

#[test]
fn maven_pom_property_loops_and_blow_ups_are_bounded() {
    let big = "x".repeat(600);
    let text = format!(
        r#"<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version>
  <properties><loop>${{loop}}</loop><big>{big}</big><twice>${{big}}${{big}}</twice></properties>
  <dependencies>
    <dependency><groupId>d</groupId><artifactId>looping</artifactId><version>${{loop}}</version></dependency>
    <dependency><groupId>d</groupId><artifactId>huge</artifactId><version>${{twice}}</version></dependency>
  </dependencies>
</project>"#
    );
    let parsed = run_text(FileKind::PomXml, &text).unwrap();
    assert_eq!(
        parsed.packages.iter().map(purl).collect::<Vec<_>>(),
        ["pkg:maven/g/a@1"]
    );
    assert_eq!(
        messages(&parsed),
        [
            "2 dependencies use a property this pom and its parents in the tree do not define; left out: d:looping (`${loop}`: more than 32 substitutions), d:huge (`${twice}`: longer than 1024 bytes once resolved)"
        ]
    );
}

#[test]
fn maven_classifier_and_type_are_purl_qualifiers() {
    let text = r#"<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version>
  <properties><netty.classifier>linux-x86_64</netty.classifier></properties>
  <dependencies>
    <dependency><groupId>io.netty</groupId><artifactId>netty-transport-native-epoll</artifactId><version>4.1.100.Final</version><classifier>${netty.classifier}</classifier></dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-transport-native-epoll</artifactId><version>4.1.100.Final</version><type>jar</type></dependency>
    <dependency><groupId>org.example</groupId><artifactId>bundle</artifactId><version>2</version><type>pom</type></dependency>
  </dependencies>
</project>"#;
    let parsed = run_text(FileKind::PomXml, text).unwrap();
    assert_eq!(
        parsed.packages.iter().map(purl).collect::<Vec<_>>(),
        [
            "pkg:maven/g/a@1",
            "pkg:maven/io.netty/netty-transport-native-epoll@4.1.100.Final?classifier=linux-x86_64",
            "pkg:maven/io.netty/netty-transport-native-epoll@4.1.100.Final",
            "pkg:maven/org.example/bundle@2?type=pom",
        ]
    );
}
