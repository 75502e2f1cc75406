#![no_main]
//! Any bytes as a RustSec advisory (front matter + Markdown): a record or an error, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = vouch_advisory::rustsec::parse(data);
});
