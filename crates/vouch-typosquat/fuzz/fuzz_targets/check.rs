#![no_main]
//! Any string as a package name against the shipped lists: a suspect or none, never a panic;
//! a suspect never resembles itself and a popular name is never one.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vouch_typosquat::{Ecosystem, Index, Popular};

fn indexes() -> &'static [Index; 2] {
    static I: OnceLock<[Index; 2]> = OnceLock::new();
    I.get_or_init(|| {
        [
            Index::new(&Popular::embedded(Ecosystem::Npm)),
            Index::new(&Popular::embedded(Ecosystem::PyPi)),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    for index in indexes() {
        if let Some(s) = index.check(&name) {
            assert!(!index.is_popular(&name), "{name:?}");
            let eco = index.ecosystem();
            assert_ne!(eco.normalize(&s.resembles), eco.normalize(&name));
        }
    }
});
