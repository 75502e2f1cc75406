//! Safe writes (see the crate docs).
