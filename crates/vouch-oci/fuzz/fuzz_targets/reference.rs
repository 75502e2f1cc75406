//! Image source arguments and references: `oci-dir:…`, `registry:…`, platforms.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = vouch_oci::image::source::parse(text);
    let _ = vouch_oci::image::Platform::parse(text);
    let _ = vouch_oci::reference::Reference::parse(text);
    let _ = vouch_oci::reference::Written::parse(text);
});
