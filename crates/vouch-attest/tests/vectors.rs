//! in-toto's own Go test vectors: statements and SLSA v1 provenance predicates must be accepted
//! or rejected as upstream's tests expect.

use vouch_attest::Statement;
use vouch_attest::slsa::Provenance;

#[test]
fn in_toto_go_vectors() {
    let text = include_str!("fixtures/in-toto/go-test-vectors.json");
    let vectors: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
    assert_eq!(vectors.len(), 14);
    let mut checked = 0;
    for v in &vectors {
        let source = v["source"].as_str().unwrap();
        let name = v["name"].as_str().unwrap();
        let json = v["json"].as_str().unwrap();
        let valid = v["expect"].as_str().unwrap() == "valid";
        let ok = if source.contains("provenance") {
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            Provenance::parse(&value).is_ok()
        } else {
            Statement::parse(json.as_bytes()).is_ok()
        };
        assert_eq!(ok, valid, "{source} {name}");
        checked += 1;
    }
    assert_eq!(checked, 14);
}
