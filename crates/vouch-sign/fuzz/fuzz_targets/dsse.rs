#![no_main]
//! DSSE envelope and in-toto statement parsing must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = vouch_attest::dsse::Envelope::parse(data) {
        let _ = env.signed_bytes();
        let _ = vouch_attest::Statement::parse(&env.payload);
        let _ = env.to_json();
    }
    let _ = vouch_attest::Statement::parse(data);
});
