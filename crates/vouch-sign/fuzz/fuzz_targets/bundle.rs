#![no_main]
//! Bundle and attestation-file parsing must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = vouch_sign::bundle::Bundle::parse(data) {
        let _ = b.claimed_message_digest();
        let _ = b.content_kind();
        let _ = b.material_kind();
    }
    let _ = vouch_sign::jsonl::parse(data);
});
