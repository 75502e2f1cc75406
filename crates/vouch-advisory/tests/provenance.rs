//! Where the last import's data came from (`meta.provenance`): written in the import's own
//! transaction, replaced by the next import that records one, absent when none did, and never
//! written by an import that failed.

use std::path::{Path, PathBuf};

use vouch_advisory::{Database, DbError, Provenance, SourceRecord, import};

fn ghsa() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/advisories/ghsa-sample")
}

fn provenance(at: i64, records: usize) -> Provenance {
    Provenance {
        updated_at: at,
        how: "import".to_owned(),
        sources: vec![SourceRecord {
            location: "ghsa-sample".to_owned(),
            sha256: None,
            bytes: None,
            records,
        }],
    }
}

#[test]
fn recorded_with_the_import_and_shown_by_status() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("osv.sqlite");
    let mut db = Database::create(&path).unwrap();
    assert_eq!(db.provenance().unwrap(), None);
    let collected = import::read_paths(&[ghsa()]).unwrap();
    let n = collected.records.len();
    db.import_with(|importer| -> Result<(), DbError> {
        for r in &collected.records {
            importer.add(r)?;
        }
        importer.set_provenance(provenance(1_795_000_000, n));
        Ok(())
    })
    .unwrap();
    drop(db);
    let db = Database::open(&path).unwrap();
    assert_eq!(db.provenance().unwrap(), Some(provenance(1_795_000_000, n)));
    assert_eq!(
        db.status().unwrap().provenance,
        Some(provenance(1_795_000_000, n))
    );

    // An import that fails writes neither records nor provenance.
    drop(db);
    let mut db = Database::create(&path).unwrap();
    let err = db
        .import_with(|importer| -> Result<(), DbError> {
            importer.set_provenance(provenance(1_796_000_000, 0));
            Err(DbError::Interrupted { done: 0 })
        })
        .unwrap_err();
    assert!(matches!(err, DbError::Interrupted { done: 0 }));
    assert_eq!(db.provenance().unwrap(), Some(provenance(1_795_000_000, n)));

    // An import that records none keeps the last one; the next that does replaces it.
    db.import(&collected.records).unwrap();
    assert_eq!(db.provenance().unwrap(), Some(provenance(1_795_000_000, n)));
    db.import_with(|importer| -> Result<(), DbError> {
        importer.set_provenance(provenance(1_796_000_000, 0));
        Ok(())
    })
    .unwrap();
    assert_eq!(db.provenance().unwrap(), Some(provenance(1_796_000_000, 0)));
}
