//! Keys that must agree from one run to the next: what a page or a search
//! bundle was made from, hashed with fixed seeds, and which program made it.
//! A build takes over an earlier output's part only when its key is unchanged.

use std::hash::{BuildHasher, Hash, Hasher};

/// A hasher for keys that must agree from one run to the next: fixed seeds,
/// and fast on long strings (pages carry their cards' HTML).
pub fn key_hasher(seed: u64) -> impl Hasher {
    foldhash::quality::FixedState::with_seed(seed).build_hasher()
}

/// The key of any hashable value.
pub fn hash_of(value: &impl Hash) -> u64 {
    let mut h = key_hasher(2);
    value.hash(&mut h);
    h.finish()
}

/// Digests of maps that live through a whole build, by address: the cards',
/// which every page that shows one carries, are digested once.
#[derive(Default)]
pub struct KnownMaps(std::collections::HashMap<usize, u64>);

impl KnownMaps {
    fn address(map: &tera::Map) -> usize {
        std::ptr::from_ref(map) as usize
    }

    /// Know the digest of `value` if it is a map. It must outlive every
    /// use of this table, or be `forget`-ten first: an address is reused
    /// once its map is freed.
    pub fn learn(&mut self, value: &tera::Value) {
        if let Some(map) = value.as_map() {
            let digest = map_digest(map, &KnownMaps::default());
            self.0.insert(Self::address(map), digest);
        }
    }

    pub fn forget(&mut self, value: &tera::Value) {
        if let Some(map) = value.as_map() {
            self.0.remove(&Self::address(map));
        }
    }
}

/// Hash a template map whatever the order of its entries; maps met inside
/// it that `known` holds are not walked again.
pub fn hash_map(map: &tera::Map, known: &KnownMaps, h: &mut impl Hasher) {
    map_digest(map, known).hash(h);
}

fn map_digest(map: &tera::Map, known: &KnownMaps) -> u64 {
    if let Some(&digest) = known.0.get(&KnownMaps::address(map)) {
        return digest;
    }
    let mut sum = 0u64;
    for (k, val) in map {
        let mut entry = key_hasher(1);
        k.hash(&mut entry);
        hash_value(val, known, &mut entry);
        sum = sum.wrapping_add(entry.finish());
    }
    hash_of(&(map.len(), sum))
}

/// Hash a template value whatever the order of its maps' entries.
fn hash_value(v: &tera::Value, known: &KnownMaps, h: &mut impl std::hash::Hasher) {
    v.kind().hash(h);
    if let Some(s) = v.as_str() {
        (s, v.is_safe()).hash(h);
    } else if let Some(map) = v.as_map() {
        hash_map(map, known, h);
    } else if let Some(items) = v.as_array() {
        items.len().hash(h);
        for item in items {
            hash_value(item, known, h);
        }
    } else if let Some(b) = v.as_bool() {
        b.hash(h);
    } else if let Some(n) = v.as_i128() {
        n.hash(h);
    } else if let Some(n) = v.as_u128() {
        n.hash(h);
    } else if let Some(x) = v.as_f64() {
        x.to_bits().hash(h);
    } else if let Some(b) = v.as_bytes() {
        b.hash(h);
    }
}

/// This program, told apart from other builds of gemba by its size and
/// time: what an earlier output's reusable parts were made by.
pub fn program_identity() -> Option<String> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let time = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("{}-{}", meta.len(), time.as_nanos()))
}
