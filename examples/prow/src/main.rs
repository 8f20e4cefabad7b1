//! The reference `prow` binary.

fn main() {}
