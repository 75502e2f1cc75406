#![no_main]
//! Any bytes through `binary::Scanner`: never a panic, and the same result whatever the chunk
//! size (the first two bytes pick it), so a stream split anywhere reads like the whole file.
use libfuzzer_sys::fuzz_target;
use vouch_inventory::binary::{Scanner, scan_bytes};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 || data.len() > 1 << 20 {
        return;
    }
    let size = usize::from(u16::from_le_bytes([data[0], data[1]])).max(1);
    let bytes = &data[2..];
    let whole = scan_bytes(bytes);
    let mut s = Scanner::new();
    for c in bytes.chunks(size) {
        s.feed(c);
    }
    let chunked = s.finish();
    assert_eq!(whole, chunked, "chunk size {size}");
});
