//! Bounded parsing of advisories: nesting deeper than 128 levels is a malformed record with its
//! position (YAML through `vouch-yaml`, JSON through `serde_json`'s limit), and an import streams
//! records into one transaction that writes nothing unless committed.

use vouch_advisory::Database;
use vouch_advisory::import::{self, Problem, Sink};
use vouch_advisory::osv::{self, Record, RecordError};

fn yaml_record(depth: usize) -> String {
    format!(
        "id: PYSEC-2024-1\nmodified: '2024-01-02T03:04:05Z'\ndatabase_specific: {{x: {}{}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

fn json_record(id: &str, depth: usize) -> String {
    format!(
        "{{\"id\": \"{id}\", \"modified\": \"2024-01-02T03:04:05Z\",\n\"database_specific\": {{\"x\": {}{}}}}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    )
}

#[test]
fn deep_yaml_advisory_is_refused_with_its_position() {
    // Level 1 is the document, 2 `database_specific`; the n-th `[` (column 23 + n) opens level
    // n + 2.
    let err = osv::parse_yaml(yaml_record(300).as_bytes()).unwrap_err();
    assert_eq!(
        err,
        RecordError::Yaml {
            location: Some((3, 23 + 127)),
            message: "nesting deeper than the limit of 128 levels".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "invalid YAML at line 3 column 150: nesting deeper than the limit of 128 levels"
    );
    let ok = osv::parse_yaml(yaml_record(126).as_bytes()).unwrap();
    assert_eq!(ok.advisory.id, "PYSEC-2024-1");
}

#[test]
fn deep_json_advisory_stops_at_serde_json_limit() {
    let err = osv::parse_json(json_record("GHSA-1", 300).as_bytes()).unwrap_err();
    assert!(
        matches!(&err, RecordError::Json { line: 2, message, .. } if message == "recursion limit exceeded"),
        "{err}"
    );
    // serde_json reads 127 levels: the document, `database_specific` and 125 arrays.
    osv::parse_json(json_record("GHSA-1", 125).as_bytes()).unwrap();
}

/// Writes each record into an import as it arrives.
struct Streaming<'i, 'tx> {
    importer: &'i mut vouch_advisory::Importer<'tx>,
    ids: Vec<String>,
    problems: Vec<String>,
}

impl Sink for Streaming<'_, '_> {
    fn record(&mut self, _file: &str, record: Record) -> Result<(), vouch_advisory::DbError> {
        self.ids.push(record.advisory.id.clone());
        self.importer.add(&record)
    }

    fn problem(&mut self, problem: Problem) {
        self.problems.push(problem.to_string());
    }
}

#[test]
fn records_stream_into_one_transaction_that_commits_or_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5 {
        std::fs::write(
            dir.path().join(format!("GHSA-{i}.json")),
            json_record(&format!("GHSA-{i}"), 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("deep.yaml"), yaml_record(300)).unwrap();
    let roots = [dir.path().to_owned()];

    // The feed fails after reading everything: nothing is written.
    let mut db = Database::in_memory().unwrap();
    let err = db
        .import_with(|importer| {
            let mut sink = Streaming {
                importer,
                ids: Vec::new(),
                problems: Vec::new(),
            };
            import::read_paths_into(&roots, &mut sink).unwrap();
            assert_eq!(sink.ids.len(), 5);
            Err(vouch_advisory::DbError::Interrupted { done: 5 })
        })
        .unwrap_err();
    assert!(matches!(
        err,
        vouch_advisory::DbError::Interrupted { done: 5 }
    ));
    assert_eq!(db.status().unwrap().advisories, 0);

    // Committed: every record, and the deep file reported by name.
    let mut problems = Vec::new();
    let summary = db
        .import_with(|importer| {
            let mut sink = Streaming {
                importer,
                ids: Vec::new(),
                problems: Vec::new(),
            };
            let read = import::read_paths_into(&roots, &mut sink);
            problems = sink.problems;
            read
        })
        .unwrap();
    assert_eq!(summary.written, 5);
    assert_eq!(
        problems,
        vec![format!(
            "{}: invalid YAML at line 3 column 150: nesting deeper than the limit of 128 levels",
            dir.path().join("deep.yaml").display()
        )]
    );
    assert_eq!(db.status().unwrap().advisories, 5);
}
