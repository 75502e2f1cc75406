//! Terraform / OpenTofu: HCL and plan JSON inputs (docs/policy-inputs.md#terraform), and
//! accuracy against the labelled checkov and trivy-checks fixtures
//! (tests/fixtures/terraform/SOURCES.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::json;
use vouch_policy::{Checker, Date, Options, check_dir, print_input};

fn opts() -> Options {
    Options::new("2026-11-22".parse::<Date>().unwrap())
}

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `path:line: rule: message` of every finding under `dir`.
fn findings(dir: &Path) -> Vec<String> {
    let out = check_dir(dir, &opts()).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.findings
        .iter()
        .map(|f| {
            let loc = f.location.as_ref().unwrap();
            format!(
                "{}:{}: {}: {}",
                loc.path,
                loc.line.unwrap_or(0),
                f.rule_id,
                f.message
            )
        })
        .collect()
}

fn rows(name: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(base().join(name))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// Whether `addr` appears in `message` as a whole address (not as a prefix of a longer one).
fn names(message: &str, addr: &str) -> bool {
    message.match_indices(addr).any(|(i, _)| {
        let before = message[..i].chars().next_back();
        let after = message[i + addr.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || "_.-".contains(c))
            && !after.is_some_and(|c| c.is_alphanumeric() || "_-".contains(c))
    })
}

#[test]
fn labelled_fixtures_agree_except_known_differences() {
    let checker = Checker::new(&base(), &opts()).unwrap();
    let out = checker.check(&[base()]).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let known: BTreeSet<(String, String, String)> = rows("known-differences.tsv")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let mut problems = Vec::new();
    let (mut agree, mut total) = (0, 0);
    for r in rows("verdicts.tsv") {
        let (path, rule, addr, expected) = (&r[0], &r[1], &r[2], &r[3]);
        let fired = out.findings.iter().any(|f| {
            let loc = f.location.as_ref().unwrap();
            &f.rule_id == rule
                && f.suppressed.is_none()
                && loc.path.starts_with(&format!("{path}/"))
                && (addr == "*" || names(&f.message, addr))
        });
        let got = if fired { "FAIL" } else { "PASS" };
        let is_known = known.contains(&(path.clone(), rule.clone(), addr.clone()));
        total += 1;
        agree += usize::from(got == expected);
        if got != expected && !is_known {
            problems.push(format!(
                "{path} {addr} [{rule}]: expected {expected}, vouch says {got}"
            ));
        }
        if got == expected && is_known {
            problems.push(format!(
                "{path} {addr} [{rule}]: listed in known-differences.tsv but now agrees"
            ));
        }
    }
    eprintln!("terraform labels: {agree}/{total} agree");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_tf_file_that_does_not_parse_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  acl = \n}\n",
    );
    let out = check_dir(dir.path(), &opts()).unwrap();
    assert_eq!(out.files_checked, 0);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(out.errors[0].path, "main.tf");
    assert!(
        out.errors[0]
            .message
            .starts_with("syntax error at line 3: "),
        "{}",
        out.errors[0].message
    );
}

#[test]
fn a_broken_file_of_the_module_folder_makes_its_siblings_errors_too() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "resource \"aws_ebs_volume\" \"v\" {\n  encrypted = local.on\n}\n",
    );
    write(dir.path(), "locals.tf", "locals {\n  on = \n");
    let out = check_dir(dir.path(), &opts()).unwrap();
    let errors: Vec<(String, String)> = out
        .errors
        .iter()
        .map(|e| (e.path.clone(), e.message.clone()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "locals.tf");
    assert!(
        errors[0].1.starts_with("syntax error at line 2: "),
        "{errors:?}"
    );
    assert_eq!(errors[1].0, "main.tf");
    assert!(
        errors[1].1.starts_with(
            "locals.tf, which this file depends on, could not be read: syntax error at line 2: "
        ),
        "{errors:?}"
    );
}

#[test]
fn tofu_files_are_checked_like_tf_files() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db.tofu",
        "resource \"aws_db_instance\" \"db\" {\n  storage_encrypted   = true\n  publicly_accessible = true\n}\n",
    );
    assert_eq!(
        findings(dir.path()),
        ["db.tofu:3: terraform-db-public: aws_db_instance.db is publicly accessible"]
    );
}

#[test]
fn local_modules_are_followed_with_their_variables_bound() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "module \"site\" {\n  source = \"./modules/bucket\"\n  acl    = var.site_acl\n}\n\nvariable \"site_acl\" {\n  default = \"public-read\"\n}\n\nmodule \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n",
    );
    write(
        dir.path(),
        "modules/bucket/main.tf",
        "variable \"acl\" {\n  default = \"private\"\n}\n\nresource \"aws_s3_bucket\" \"this\" {\n  bucket = \"acme-site\"\n  acl    = var.acl\n}\n\nresource \"aws_s3_bucket_public_access_block\" \"this\" {\n  bucket                  = aws_s3_bucket.this.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = false\n  restrict_public_buckets = true\n}\n",
    );
    let got: Vec<String> = findings(dir.path())
        .into_iter()
        .filter(|f| f.contains("terraform-s3-public-acl"))
        .collect();
    // The call binds public-read: reported on the module block's line; the module checked on
    // its own keeps its default (private).
    assert_eq!(
        got,
        [
            "main.tf:1: terraform-s3-public-acl: module.site.aws_s3_bucket.this (modules/bucket/main.tf:5) has ACL \"public-read\""
        ]
    );
    let input = print_input(&dir.path().join("main.tf"), &opts()).unwrap();
    let modules = &input["terraform"]["modules"];
    assert_eq!(modules[0]["followed"], json!(true));
    assert_eq!(modules[0]["dir"], json!("modules/bucket"));
    assert_eq!(modules[1]["followed"], json!(false));
    assert_eq!(
        modules[1]["reason"],
        json!("remote module: not fetched (only local `./` and `../` sources are followed)")
    );
}

#[test]
fn unknown_values_are_explicit_and_named_in_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "main.tf",
        "variable \"encrypted\" {}\n\nresource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  encrypted         = var.encrypted\n  tags              = { Name = \"${var.name}-data\" }\n}\n",
    );
    let input = print_input(&dir.path().join("main.tf"), &opts()).unwrap();
    let attrs = &input["terraform"]["resources"][0]["attributes"];
    assert_eq!(
        attrs["encrypted"],
        json!({"$unknown": "var.encrypted", "refs": ["var.encrypted"]})
    );
    assert_eq!(
        attrs["tags"]["Name"],
        json!({"$unknown": "\"${var.name}-data\"", "refs": ["var.name"]})
    );
    assert_eq!(attrs["_lines"]["encrypted"], json!(5));
    assert_eq!(
        findings(dir.path()),
        [
            "main.tf:5: terraform-ebs-unencrypted: aws_ebs_volume.v is not encrypted (encrypted = not known statically: var.encrypted)"
        ]
    );
}

#[test]
fn locals_and_functions_are_evaluated_across_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "locals.tf",
        "locals {\n  env    = \"prod\"\n  admin  = local.env == \"prod\" ? \"*\" : \"s3:GetObject\"\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = local.admin, Resource = \"*\" }] })\n}\n",
    );
    write(
        dir.path(),
        "iam.tf",
        "resource \"aws_iam_policy\" \"p\" {\n  name   = \"p\"\n  policy = local.policy\n}\n",
    );
    assert_eq!(
        findings(dir.path()),
        [
            "iam.tf:3: terraform-iam-wildcard: aws_iam_policy.p allows every action on every resource"
        ]
    );
}

#[test]
fn plans_get_the_same_rules_with_lines_in_the_plan() {
    // A real `terraform show -json` plan (trivy-checks' example, Terraform 1.9.8).
    let plan = base().join("plan/tfplan.json");
    let input = print_input(&plan, &opts()).unwrap();
    assert_eq!(input["kind"], json!("terraform-plan"));
    let got: Vec<(String, u64)> = input["terraform"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_owned(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("aws_autoscaling_group.this".to_owned(), 8),
            ("aws_launch_template.this".to_owned(), 62)
        ]
    );
    // `id` is known only after apply: an explicit unknown, not an absent attribute.
    assert_eq!(
        input["terraform"]["resources"][0]["attributes"]["id"],
        json!({"$unknown": "known after apply", "refs": []})
    );
}

#[test]
fn hostile_hcl_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // Nesting far past the parser's limit of 64: an error for the file, never a stack overflow.
    let deep = format!("x = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    write(dir.path(), "deep/main.tf", &deep);
    // Locals that double in size 40 times: the evaluation budget turns them unknown.
    let mut bomb = String::from("locals {\n  l0 = [\"aaaaaaaa\"]\n");
    for i in 1..=40 {
        bomb.push_str(&format!(
            "  l{i} = concat(local.l{}, local.l{})\n",
            i - 1,
            i - 1
        ));
    }
    bomb.push_str(
        "}\n\nresource \"aws_ebs_volume\" \"v\" {\n  encrypted = length(local.l40) > 0\n}\n",
    );
    write(dir.path(), "bomb/main.tf", &bomb);
    let started = std::time::Instant::now();
    let out = check_dir(dir.path(), &opts()).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(out.errors[0].path, "deep/main.tf");
    assert!(
        out.errors[0]
            .message
            .starts_with("syntax error at line 1: "),
        "{:?}",
        out.errors
    );
    let bomb: Vec<String> = out
        .findings
        .iter()
        .filter(|f| f.location.as_ref().unwrap().path == "bomb/main.tf")
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(
        bomb,
        [
            "aws_ebs_volume.v is not encrypted (encrypted = not known statically: evaluation budget exhausted)"
        ]
    );
}

#[test]
fn downloaded_modules_under_dot_terraform_are_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".terraform/modules/vpc/main.tf",
        "resource \"aws_db_instance\" \"db\" {\n  storage_encrypted   = true\n  publicly_accessible = true\n}\n",
    );
    write(dir.path(), ".terraform/modules/broken/main.tf", "x = \n");
    let out = check_dir(dir.path(), &opts()).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.files_checked, 0);
    assert!(out.findings.is_empty(), "{:?}", out.findings);
}

#[test]
fn a_real_module_is_followed_two_levels_with_its_arguments() {
    // terraform-aws-rds' complete-mssql example: `module "db" { source = "../../" ...
    // storage_encrypted = false }`, the root module passing it on to ./modules/db_instance.
    let dir = base().join("real/terraform-aws-rds");
    let out = check_dir(&dir, &opts()).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let got: Vec<String> = out
        .findings
        .iter()
        .filter(|f| f.rule_id.starts_with("terraform-"))
        .map(|f| {
            let loc = f.location.as_ref().unwrap();
            format!(
                "{}:{}: {}: {}",
                loc.path,
                loc.line.unwrap_or(0),
                f.rule_id,
                f.message
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "examples/complete-mssql/main.tf:26: terraform-rds-unencrypted: module.db.module.db_instance.aws_db_instance.this (modules/db_instance/main.tf:30) does not encrypt its storage (storage_encrypted = false)"
        ]
    );
}

#[test]
fn a_module_calling_its_own_folder_stops_at_the_depth_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        base().join("../fuzz/seed-terraform-shapes.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    let input = print_input(&dir.path().join("main.tf"), &opts()).unwrap();
    let t = &input["terraform"];
    // `module "loop" { source = "./" }`: followed 8 levels deep, then listed with the reason.
    let deepest = t["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["reason"] == json!("nested deeper than 8 modules"));
    assert!(deepest.is_some(), "{}", t["modules"]);
    assert_eq!(
        t["locals"]["self"],
        json!({"$unknown": "local.self", "refs": ["local.self"]})
    );
    assert_eq!(t["locals"]["a"][0], json!("private"));
    assert_eq!(t["locals"]["legacy"], json!("private"));
    assert_eq!(t["locals"]["merged"], json!({"a": 1, "b": 2}));
    assert_eq!(t["locals"]["heredoc"], json!("{\"Statement\": []}\n"));
    // A JSON document that spells the unknown marker is not taken for an unknown.
    assert_eq!(
        t["locals"]["json"]["$unknown"],
        json!("jsondecode(\"{\\\"a\\\": [1, 2, {\\\"$unknown\\\": 1}]}\")")
    );
    assert_eq!(t["locals"]["json"]["refs"], json!([]));
}
