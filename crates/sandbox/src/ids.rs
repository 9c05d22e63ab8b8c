//! Seedable id generation: every UUID the simulator hands out comes from one ChaCha stream.
//!
//! Invariant: ids depend only on the seed and the order of calls that create objects, so two
//! sandboxes with the same seed answer the same sequence of calls with the same ids.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// UUID v4 generator over a seeded ChaCha RNG.
#[derive(Debug)]
pub struct IdGen {
    rng: ChaCha8Rng,
}

impl IdGen {
    /// `None` draws a random seed (non-reproducible runs).
    pub fn new(seed: Option<u64>) -> Self {
        let seed = seed.unwrap_or_else(rand::random);
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Next id (random bytes with the v4/variant bits set, so it is a valid UUID v4).
    pub fn next_uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}
