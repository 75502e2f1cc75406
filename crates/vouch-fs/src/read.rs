//! Bounded reads (see the crate docs).
