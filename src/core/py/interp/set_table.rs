//! CPython 3.12's set table (`Objects/setobject.c`), kept beside a set's entries for the one
//! thing it decides that a reader sees: the order a set iterates and prints in.
//!
//! A CPython set is an open-addressed table. Where an element sits follows its hash, the table's
//! size and the set's history (adds, removals that leave dummies, growth that reinserts), and the
//! set iterates in table order: `{3, 1, 2}` prints `{1, 2, 3}`, `{10, 100, 5, 33}` prints
//! `{33, 10, 100, 5}`. Ints', floats' and tuples' hashes are not randomized, so that order is the
//! same on every CPython; a string's hash is (`PYTHONHASHSEED`), so a set of strings has no one
//! order to match. The probing, growth, removal and `pop` rules here are CPython's; the bulk
//! operations' orders are built from them in `value::Dict`'s set methods.
//!
//! The table holds indices into the `Dict`'s entries, which keep the values and the lookups.

/// `PySet_MINSIZE`.
const MIN_SIZE: usize = 8;
/// `LINEAR_PROBES`: slots tried next to each start before jumping.
const LINEAR_PROBES: u64 = 9;
/// `PERTURB_SHIFT`.
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Slot {
    Empty,
    /// A removed element's slot: searches go past it, an add may reuse it.
    Dummy,
    Active {
        hash: i64,
        entry: usize,
    },
}

#[derive(Clone, Debug)]
pub struct SetTable {
    slots: Vec<Slot>,
    /// Active and dummy slots.
    fill: usize,
    /// Active slots.
    used: usize,
    /// Where `pop` looks first.
    finger: usize,
}

impl Default for SetTable {
    fn default() -> Self {
        SetTable { slots: vec![Slot::Empty; MIN_SIZE], fill: 0, used: 0, finger: 0 }
    }
}

/// The slots `hash` probes in a table of `mask + 1`, in CPython's order, until `stop` says so:
/// a run of up to `LINEAR_PROBES + 1` slots from each start (none past the table's end), the
/// next start `i * 5 + 1 + perturb`, `perturb` shifting the hash's high bits in. The hash is
/// read as CPython's `size_t` (64 bits here on every target, wasm32 included).
fn probe(mask: usize, hash: i64, mut stop: impl FnMut(usize) -> bool) -> usize {
    let mask = mask as u64;
    let mut perturb = hash as u64;
    let mut i = perturb & mask;
    loop {
        let run = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
        for j in i..=i + run {
            if stop(j as usize) {
                return j as usize;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb) & mask;
    }
}

impl SetTable {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    pub fn len(&self) -> usize {
        self.used
    }

    /// The entries, in the order the set iterates.
    pub fn order(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots.iter().filter_map(|s| match s {
            Slot::Active { entry, .. } => Some(*entry),
            _ => None,
        })
    }

    /// The entries with their hashes, in table order.
    pub fn active(&self) -> impl Iterator<Item = (i64, usize)> + '_ {
        self.slots.iter().filter_map(|s| match s {
            Slot::Active { hash, entry } => Some((*hash, *entry)),
            _ => None,
        })
    }

    /// `set_add_entry` for an element not in the set: the last dummy on its probe path (3.12
    /// keeps the last one it passes, not the first), else the empty slot that ends it; a table
    /// three-fifths full (counting dummies) then grows.
    pub fn add(&mut self, hash: i64, entry: usize) {
        let mut dummy = None;
        let slots = &self.slots;
        let at = probe(self.mask(), hash, |j| match slots[j] {
            Slot::Empty => true,
            Slot::Dummy => {
                dummy = Some(j);
                false
            }
            Slot::Active { .. } => false,
        });
        self.used += 1;
        if let Some(j) = dummy {
            self.slots[j] = Slot::Active { hash, entry };
            return;
        }
        self.slots[at] = Slot::Active { hash, entry };
        self.fill += 1;
        if self.fill * 5 >= self.mask() * 3 {
            self.resize(self.growth());
        }
    }

    /// The size `set_add_entry` and `set_difference_update` resize for.
    fn growth(&self) -> usize {
        if self.used > 50_000 {
            self.used * 2
        } else {
            self.used * 4
        }
    }

    /// `set_insert_clean`: into a table without dummies, for an element not in it.
    fn insert_clean(&mut self, hash: i64, entry: usize) {
        let slots = &self.slots;
        let at = probe(self.mask(), hash, |j| slots[j] == Slot::Empty);
        self.slots[at] = Slot::Active { hash, entry };
    }

    /// `set_discard_entry`: the element's slot becomes a dummy. Whether it was there.
    pub fn discard(&mut self, hash: i64, entry: usize) -> bool {
        let slots = &self.slots;
        let at = probe(self.mask(), hash, |j| match slots[j] {
            Slot::Empty => true,
            Slot::Active { entry: e, .. } => e == entry,
            Slot::Dummy => false,
        });
        if self.slots[at] == Slot::Empty {
            return false;
        }
        self.slots[at] = Slot::Dummy;
        self.used -= 1;
        true
    }

    /// `set.pop()`: the first active slot from the finger on, wrapping around, and how many
    /// slots it looked at (a table emptied by removals is walked a long way: the work counts).
    pub fn pop(&mut self) -> Option<(usize, usize)> {
        if self.used == 0 {
            return None;
        }
        let mut j = self.finger & self.mask();
        let mut looked = 1;
        loop {
            if let Slot::Active { entry, .. } = self.slots[j] {
                self.slots[j] = Slot::Dummy;
                self.used -= 1;
                self.finger = j + 1;
                return Some((entry, looked));
            }
            j = if j == self.mask() { 0 } else { j + 1 };
            looked += 1;
        }
    }

    /// CPython's `set_swap_bodies` gives a set another's table but keeps its own `pop` finger.
    pub fn keep_finger_of(&mut self, before: &SetTable) {
        self.finger = before.finger;
    }

    /// `set_clear_internal`: back to the smallest table (the finger stays, as CPython's).
    pub fn clear(&mut self) {
        *self = SetTable { finger: self.finger, ..SetTable::default() };
    }

    /// `set_table_resize`: the smallest table bigger than `min_used`, the active elements
    /// reinserted in the old table's order (a smallest table without dummies stays as it is).
    pub fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        if size == MIN_SIZE && self.slots.len() == MIN_SIZE && self.fill == self.used {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![Slot::Empty; size]);
        self.fill = self.used;
        for slot in old {
            if let Slot::Active { hash, entry } = slot {
                self.insert_clean(hash, entry);
            }
        }
    }

    /// What `set_difference_update` does last: a table more than a quarter dummies is rebuilt.
    pub fn purge_dummies(&mut self) {
        if self.fill - self.used > self.mask() / 4 {
            self.resize(self.growth());
        }
    }

    /// The start of `set_merge` of `other` into this table: one resize for both, if they would
    /// pass two-thirds full.
    pub fn make_room(&mut self, more: usize) {
        if (self.fill + more) * 5 >= self.mask() * 3 {
            self.resize((self.used + more) * 2);
        }
    }

    /// `set_merge` into an empty table: `other`'s layout copied when the sizes match and it has
    /// no dummies, else its elements inserted clean in its order. `entry_of` gives each of
    /// `other`'s entries' index here. False if this table is not empty (merge one by one then).
    pub fn merge_into_empty(&mut self, other: &SetTable, mut entry_of: impl FnMut(usize) -> usize) -> bool {
        if self.fill != 0 {
            return false;
        }
        if self.mask() == other.mask() && other.fill == other.used {
            for (mine, theirs) in self.slots.iter_mut().zip(&other.slots) {
                if let Slot::Active { hash, entry } = *theirs {
                    *mine = Slot::Active { hash, entry: entry_of(entry) };
                }
            }
        } else {
            for (hash, entry) in other.active() {
                let entry = entry_of(entry);
                self.insert_clean(hash, entry);
            }
        }
        self.fill = other.used;
        self.used = other.used;
        true
    }

    /// The entries were renumbered (`new_of[old]`): the slots follow.
    pub fn renumber(&mut self, new_of: &[usize]) {
        for slot in &mut self.slots {
            if let Slot::Active { entry, .. } = slot {
                *entry = new_of[*entry];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(t: &SetTable) -> Vec<usize> {
        t.order().collect()
    }

    /// `{3, 1, 2}` iterates as `{1, 2, 3}` (ints hash to themselves), and a fifth element grows
    /// the table to 32: `{10, 100, 5, 33}` is `{33, 10, 100, 5}` in CPython.
    #[test]
    fn ints_sit_at_their_hash_modulo_the_size() {
        let mut t = SetTable::default();
        for (entry, hash) in [3, 1, 2].into_iter().enumerate() {
            t.add(hash, entry);
        }
        assert_eq!(order(&t), [1, 2, 0]);
        let mut t = SetTable::default();
        for (entry, hash) in [10, 100, 5, 33].into_iter().enumerate() {
            t.add(hash, entry);
        }
        assert_eq!(order(&t), [3, 0, 1, 2]);
        assert_eq!(t.slots.len(), 8);
        t.add(7, 4);
        assert_eq!(t.slots.len(), 32);
    }

    /// A removed element leaves a dummy that a later add on its path reuses: the last one it
    /// passes in its run of linear probes (a table of 8 has no runs); `pop` takes from the
    /// finger on.
    #[test]
    fn dummies_are_reused_and_pop_walks_from_the_finger() {
        let mut t = SetTable::default();
        t.resize(20);
        assert_eq!(t.slots.len(), 32);
        t.add(1, 0);
        t.add(33, 1); // 33 & 31 == 1: the next slot, 2.
        t.add(2, 2); // Its slot, 2, is taken: 3.
        assert!(t.discard(1, 0));
        assert!(t.discard(2, 2));
        assert!(!t.discard(1, 0));
        t.add(65, 3); // From 1: a dummy, 33, a dummy (taken), then an empty slot ends the run.
        assert_eq!(order(&t), [1, 3]);
        assert_eq!(t.pop(), Some((1, 3)));
        assert_eq!(t.pop(), Some((3, 1)));
        assert_eq!(t.pop(), None);
    }
}
