//! A fast hash for short, trusted strings (field names, set members from the rules), where
//! SipHash's protection against chosen keys buys nothing and costs several times more.

/// FNV-style word-at-a-time hash.
#[derive(Clone, Copy, Debug, Default)]
pub struct FnvBuild;

pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    /// Eight bytes at a time (FNV-style multiply, with a rotation so that every
    /// input bit reaches the high bits the hash table uses).
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
}

impl Fnv {
    fn mix(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(23) ^ w).wrapping_mul(0x5851_f42d_4c95_7f2d);
    }
}

impl std::hash::BuildHasher for FnvBuild {
    type Hasher = Fnv;

    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

/// The same hash keyed by a per-process random seed and finished with a folded
/// multiply (as foldhash does), for tables keyed by names a rules file chooses (list
/// names): without the seed in the final mix, names that share their first bytes would
/// share a bucket whatever the start state, and a file could be written to make every
/// lookup walk one long probe sequence.
#[derive(Clone, Copy, Debug)]
pub struct SeededFnv {
    seed: u64,
}

pub struct SeededHasher {
    inner: Fnv,
    seed: u64,
}

impl SeededFnv {
    pub fn new() -> SeededFnv {
        static SEED: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(0x9e37_79b9_u32) | 1
        });
        SeededFnv { seed: *SEED }
    }
}

impl Default for SeededFnv {
    fn default() -> SeededFnv {
        SeededFnv::new()
    }
}

impl std::hash::BuildHasher for SeededFnv {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher {
            inner: Fnv(self.seed),
            seed: self.seed,
        }
    }
}

impl std::hash::Hasher for SeededHasher {
    fn finish(&self) -> u64 {
        let m = u128::from(self.inner.0 ^ self.seed.rotate_left(32)) * u128::from(self.seed);
        (m as u64) ^ ((m >> 64) as u64)
    }

    fn write(&mut self, bytes: &[u8]) {
        self.inner.write(bytes);
    }
}

/// Hash maps and sets for the analysis: keyed by names from the rules, so seeded
/// ([`SeededFnv`]), and several times cheaper than SipHash on short keys.
pub type FastMap<K, V> = std::collections::HashMap<K, V, SeededFnv>;
pub type FastSet<K> = std::collections::HashSet<K, SeededFnv>;
