//! `vouch check` on Terraform / OpenTofu end to end: `.tf` files are checked (no longer
//! silently ignored), a file that does not parse is exit 2 naming the file and line, plans are
//! detected by content, and findings carry the exact line.

use assert_cmd::Command;

mod common;

fn vouch() -> Command {
    let mut c = common::vouch();
    c.env_remove("SOURCE_DATE_EPOCH")
        .arg("check")
        .arg("--today")
        .arg("2026-11-22");
    c
}

const PUBLIC_DB: &str = "resource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  storage_encrypted   = true\n  publicly_accessible = true\n}\n";
const PRIVATE_DB: &str = "resource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  storage_encrypted   = true\n  publicly_accessible = false\n}\n";

#[test]
fn a_public_database_is_a_finding_on_its_line_and_exit_1() {
    let d = common::dir_with(&[("infra/db.tf", PUBLIC_DB)]);
    let out = vouch()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let json = common::json(&out.stdout);
    let findings: Vec<(String, String, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [(
            "terraform-db-public".to_owned(),
            "infra/db.tf".to_owned(),
            4,
            "aws_db_instance.db is publicly accessible".to_owned()
        )]
    );
}

#[test]
fn a_clean_tf_tree_exits_0() {
    let d = common::dir_with(&[("infra/db.tf", PRIVATE_DB)]);
    let out = vouch().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 0);
}

#[test]
fn a_tf_file_that_does_not_parse_is_exit_2_naming_file_and_line() {
    let d = common::dir_with(&[
        ("infra/db.tf", PRIVATE_DB),
        (
            "other/broken.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  acl = \n}\n",
        ),
    ]);
    let out = vouch().arg(d.path()).output().unwrap();
    common::assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not check other/broken.tf"),
        "{stderr}"
    );
    assert!(stderr.contains("syntax error at line 2: "), "{stderr}");
    // The other file was still checked.
    assert!(
        stderr.contains("checked 1 file(s), 1 could not be checked"),
        "{stderr}"
    );
}

#[test]
fn a_plan_is_detected_by_content_and_checked_with_the_same_rules() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_db_instance.db",
          "mode": "managed",
          "type": "aws_db_instance",
          "name": "db",
          "values": { "publicly_accessible": true, "storage_encrypted": true }
        }
      ]
    }
  }
}
"#;
    let d = common::dir_with(&[("plans/prod.json", plan)]);
    let out = vouch()
        .arg(d.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_exit(&out, 1);
    let json = common::json(&out.stdout);
    let f = &json["findings"][0];
    assert_eq!(f["rule_id"], "terraform-db-public");
    assert_eq!(f["location"]["path"], "plans/prod.json");
    assert_eq!(f["location"]["line"], 7);
    assert_eq!(f["message"], "aws_db_instance.db is publicly accessible");
}

#[test]
fn print_input_shows_the_normalised_resource() {
    let d = common::dir_with(&[("db.tf", PUBLIC_DB)]);
    let out = vouch()
        .arg("--print-input")
        .arg(d.path().join("db.tf"))
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let json = common::json(&out.stdout);
    assert_eq!(json["kind"], "terraform");
    let r = &json["terraform"]["resources"][0];
    assert_eq!(r["address"], "aws_db_instance.db");
    assert_eq!(r["line"], 1);
    assert_eq!(r["attributes"]["publicly_accessible"], true);
    assert_eq!(r["attributes"]["_lines"]["publicly_accessible"], 4);
}
