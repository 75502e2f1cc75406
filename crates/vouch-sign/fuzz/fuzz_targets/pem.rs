#![no_main]
//! Public-key PEM parsing must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = vouch_sign::key::PublicKey::from_pem(data) {
        let _ = k.fingerprint();
        let _ = k.to_pem();
    }
    let _ = vouch_sign::key::PublicKey::from_spki_der(data);
});
