#![no_main]
//! Private-key file parsing (cosign's encrypted format) must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pw = vouch_sign::key::Password::new("fuzz");
    let _ = vouch_sign::key::SigningKey::from_pem(data, &pw);
    let _ = vouch_sign::key::SigningKey::from_pkcs8_der(data);
});
