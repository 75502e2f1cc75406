//! The database answers only from what it can vouch for: an empty database cannot evaluate, the
//! content digest covers every stored byte matching reads, and a stored record that was changed
//! or does not parse is an error naming it, never a silent miss.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use vouch_advisory::{Database, DbError, MatchError, MatchOptions, RecordProblem, import};
use vouch_inventory::{Component, Ecosystem, Scope};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

const ID: &str = "GHSA-grv7-fg5c-xmjg";

/// A database file holding the ghsa-sample advisories (braces < 3.0.3 among them).
fn database(dir: &Path) -> PathBuf {
    let path = dir.join("osv.sqlite");
    let c = import::read_paths(&[fixtures().join("advisories/ghsa-sample")]).unwrap();
    assert!(c.problems.is_empty());
    let mut db = Database::create(&path).unwrap();
    db.import(&c.records).unwrap();
    path
}

fn braces() -> Vec<Component> {
    vec![Component {
        ecosystem: Ecosystem::Npm,
        name: "braces".into(),
        version: "3.0.2".into(),
        purl: "pkg:npm/braces@3.0.2".into(),
        scope: Scope::Required,
        hashes: vec![],
        licenses: vec![],
        source_package: None,
        resolved: None,
        evidence: vec![],
        dependencies: vec![],
        first_party: false,
        properties: Default::default(),
    }]
}

fn match_braces(path: &Path) -> Result<Vec<String>, MatchError> {
    let db = Database::open(path).map_err(MatchError::Db)?;
    let out = db.match_components(&braces(), None, &MatchOptions::default())?;
    Ok(out.matches.into_iter().map(|m| m.id).collect())
}

fn stored_json(path: &Path, id: &str) -> String {
    let conn = Connection::open(path).unwrap();
    conn.query_row("SELECT json FROM advisories WHERE id = ?1", [id], |r| {
        r.get(0)
    })
    .unwrap()
}

/// Rewrites one stored record's JSON, as a flipped byte on disk would.
fn set_json(path: &Path, id: &str, json: &str) {
    let conn = Connection::open(path).unwrap();
    let n = conn
        .execute("UPDATE advisories SET json = ?1 WHERE id = ?2", [json, id])
        .unwrap();
    assert_eq!(n, 1);
}

fn flip(json: &str, from: &str, to: &str) -> String {
    assert_eq!(from.len(), to.len(), "a flip keeps the length");
    assert_eq!(json.matches(from).count(), 1, "{from} occurs once");
    json.replacen(from, to, 1)
}

#[test]
fn empty_database_cannot_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    // A database that was created and given nothing (an import of no files).
    let path = dir.path().join("osv.sqlite");
    let mut db = Database::create(&path).unwrap();
    assert_eq!(db.import(&[]).unwrap().written, 0);
    drop(db);
    let err = match_braces(&path).unwrap_err();
    assert!(
        matches!(&err, MatchError::Db(DbError::Empty { path: p }) if *p == path),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "advisory database {} holds no advisories (an import of nothing, or an interrupted first import), so vulnerabilities cannot be evaluated; run `vouch db import` or `vouch db update`",
            path.display()
        )
    );
    // `db status` still reads it: zero advisories is what it holds.
    let status = Database::open(&path).unwrap().status().unwrap();
    assert_eq!(status.advisories, 0);
    // The in-memory database of tests and benchmarks behaves the same.
    let err = Database::in_memory()
        .unwrap()
        .match_components(&braces(), None, &MatchOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, MatchError::Db(DbError::Empty { .. })),
        "{err:?}"
    );
}

#[test]
fn the_passing_case_finds_the_advisory() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    assert_eq!(match_braces(&path).unwrap(), vec![ID.to_string()]);
}

#[test]
fn a_flipped_byte_in_a_stored_record_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let json = stored_json(&path, ID);
    // `fixed: 3.0.3` becomes `fixed: 3.0.2`: the record still parses, and before the digest
    // covered the JSON it silently stopped matching braces 3.0.2.
    let tampered = flip(&json, "\"fixed\":\"3.0.3\"", "\"fixed\":\"3.0.2\"");
    set_json(&path, ID, &tampered);

    let db = Database::open(&path).unwrap();
    let err = db.digest().unwrap_err();
    let DbError::RecordDigest {
        id,
        expected,
        found,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(id, ID);
    assert_eq!(
        *found,
        vouch_digest::Digest::sha256(tampered.as_bytes()).hex()
    );
    assert_eq!(
        *expected,
        vouch_digest::Digest::sha256(json.as_bytes()).hex()
    );
    assert_eq!(
        err.to_string(),
        format!(
            "advisory database {}: stored record {ID} has content sha256:{found}, but was imported with sha256:{expected} (the file was modified or is corrupt); import the advisories again",
            path.display()
        )
    );
    // Matching computes the digest before it reads a record: an error, not a miss.
    let err = match_braces(&path).unwrap_err();
    assert!(
        matches!(&err, MatchError::Db(DbError::RecordDigest { id, .. }) if id == ID),
        "{err:?}"
    );
    // So does `db status`, and reading the record by id.
    assert!(matches!(
        db.status().unwrap_err(),
        DbError::RecordDigest { .. }
    ));
    assert!(matches!(
        db.get(ID).unwrap_err(),
        DbError::RecordDigest { .. }
    ));
}

#[test]
fn the_digest_covers_the_content_not_only_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let before = Database::open(&path).unwrap().digest().unwrap();
    // Change the record and its stored hash consistently: the digest is computed from the
    // content, so it changes, and it no longer equals what the import recorded.
    let json = stored_json(&path, ID);
    let tampered = flip(&json, "\"fixed\":\"3.0.3\"", "\"fixed\":\"3.0.2\"");
    let sha = vouch_digest::Digest::sha256(tampered.as_bytes()).hex();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE advisories SET json = ?1, content_sha256 = ?2 WHERE id = ?3",
        [tampered.as_str(), sha.as_str(), ID],
    )
    .unwrap();
    drop(conn);
    let err = Database::open(&path).unwrap().digest().unwrap_err();
    let DbError::DigestMismatch {
        expected, found, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*expected, before);
    assert_ne!(*found, before);
    assert!(matches!(
        match_braces(&path).unwrap_err(),
        MatchError::Db(DbError::DigestMismatch { .. })
    ));
}

#[test]
fn the_digest_covers_the_package_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let before = Database::open(&path).unwrap().digest().unwrap();
    // One flipped byte in the lookup index would hide the record from its package.
    let conn = Connection::open(&path).unwrap();
    let n = conn
        .execute(
            "UPDATE affected SET name = 'bracer' WHERE id = ?1 AND name = 'braces'",
            [ID],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let err = match_braces(&path).unwrap_err();
    let MatchError::Db(DbError::DigestMismatch {
        expected, found, ..
    }) = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*expected, before);
    assert_ne!(*found, before);
}

#[test]
fn a_stored_record_that_does_not_parse_is_an_error_not_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    // Broken JSON, re-hashed and re-recorded so that only the parse can notice.
    let json = stored_json(&path, ID);
    let broken = flip(&json, "\"fixed\":\"3.0.3\"", "\"fixed\":\"3.0.3 ");
    let sha = vouch_digest::Digest::sha256(broken.as_bytes()).hex();
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE advisories SET json = ?1, content_sha256 = ?2 WHERE id = ?3",
        [broken.as_str(), sha.as_str(), ID],
    )
    .unwrap();
    drop(conn);
    let found = match Database::open(&path).unwrap().digest().unwrap_err() {
        DbError::DigestMismatch { found, .. } => found,
        other => panic!("{other:?}"),
    };
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'content_digest'",
        [found.as_str()],
    )
    .unwrap();
    drop(conn);

    let err = match_braces(&path).unwrap_err();
    let MatchError::Db(DbError::Record { id, source, .. }) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(id, ID);
    assert!(matches!(source, RecordProblem::Json(_)), "{source:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "advisory database {}: stored record {ID} is not a valid OSV record",
            path.display()
        )
    );
}

#[test]
fn a_database_without_a_recorded_digest_asks_for_a_new_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = database(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'content_digest'", [])
        .unwrap();
    drop(conn);
    let err = match_braces(&path).unwrap_err();
    assert!(
        matches!(&err, MatchError::Db(DbError::NoRecordedDigest { .. })),
        "{err:?}"
    );
    // Importing again records it.
    let c = import::read_paths(&[fixtures().join("advisories/ghsa-sample")]).unwrap();
    Database::create(&path).unwrap().import(&c.records).unwrap();
    assert_eq!(match_braces(&path).unwrap(), vec![ID.to_string()]);
}
