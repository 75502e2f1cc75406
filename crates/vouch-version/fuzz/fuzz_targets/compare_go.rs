#![no_main]
//! Two Go versions (split at the first newline): `compare` answers or errors, never
//! panics, and the answer is antisymmetric and reflexive.
use libfuzzer_sys::fuzz_target;
use vouch_version::Scheme;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::check(Scheme::Go, data));
