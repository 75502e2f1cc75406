//! What reaches `vouch serve` from the network, before the store: a search (`?q=`, read as a
//! package pattern), a webhook body (`POST /api/events`, read by the events parser vouch-fleet takes from vouch-slo),
//! GitHub's signature header checked against the body, and every value put into a page through
//! the one escape function. Asserts: no panic, and escaped text never holds markup characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_server::dashboard::{IngestToken, escape};

fuzz_target!(|data: &[u8]| {
    // First line: the query and the signature header; the rest: the body.
    let (head, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let q = String::from_utf8_lossy(head);
    let _ = vouch_fleet::Pattern::parse(&q);
    let _ = vouch_fleet::events::parse(body);
    let token = IngestToken::new("fuzz-token-0123456789", "fuzz").unwrap();
    let _ = token.verifies_signature(body, head);
    let _ = token.matches(head);
    let escaped = escape(&q);
    assert!(!escaped.contains(['<', '>', '"', '\'']));
});
