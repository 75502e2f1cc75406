#![no_main]
//! Any bytes as a Debian Security Tracker JSON document: records and problems, or an error,
//! never a panic; every record it gives passes the OSV checks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(tracker) = vouch_advisory::distro::debian_tracker(data) {
        for record in tracker.flatten() {
            assert!(vouch_advisory::osv::validate(&record.advisory).is_ok());
        }
    }
});
