//! The `mizan` binary: the allocator choice, then everything else in the library (`lib.rs`).

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc. Under a delivery storm `mizan serve` allocates each
/// delivery on a runtime thread and frees it on the inbox writer's thread, which glibc's
/// arenas handle poorly (figures: docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    mizan_cli::main()
}
