//! CPython 3.12's `hash()` of the keys of dicts and sets (`Python/pyhash.c`,
//! `Objects/tupleobject.c`), for `hash()` and for where a set's elements sit (`set_table.rs`).
//!
//! Numbers hash to their exact value modulo the Mersenne prime 2**61 - 1 (so `1`, `1.0` and
//! `True` agree), tuples mix their items' hashes with xxHash's primes, `None` has 3.12's
//! constant. Strings and objects hash here by their text and identity: CPython randomizes the
//! first (`PYTHONHASHSEED`) and uses addresses for the second, so there is no value to match.

use std::hash::{Hash, Hasher};

use super::value::HKey;

/// `_PyHASH_BITS` and `_PyHASH_MODULUS` on a 64-bit CPython.
const BITS: u32 = 61;
const MODULUS: u64 = (1 << BITS) - 1;
/// `_PyHASH_INF`.
const INF: i64 = 314_159;
/// `hash(None)` since 3.12.
const NONE: i64 = 0xFCA8_6420;

impl HKey {
    pub fn py_hash(&self) -> i64 {
        match self {
            HKey::None => NONE,
            HKey::Int(i) => int_hash(*i),
            HKey::Float(bits) => float_hash(f64::from_bits(*bits)),
            HKey::Str(s) => {
                let mut h = rustc_hash::FxHasher::default();
                s.hash(&mut h);
                not_minus_one(h.finish() as i64)
            }
            HKey::Tuple(items) => tuple_hash(items),
            // `_Py_HashPointer`: the address rotated right by 4.
            HKey::Id(addr) => not_minus_one((*addr as u64).rotate_right(4) as i64),
        }
    }
}

/// -1 is CPython's error return: a hash that would be -1 is -2.
fn not_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

fn int_hash(i: i64) -> i64 {
    let h = (i.unsigned_abs() % MODULUS) as i64;
    not_minus_one(if i < 0 { -h } else { h })
}

/// `_Py_HashDouble`: the float's exact binary value modulo 2**61 - 1, 28 bits of its mantissa at
/// a time, then its exponent as a rotation. A NaN hashes by identity in CPython: 0 here.
fn float_hash(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { INF } else { -INF };
    }
    if v.is_nan() {
        return 0;
    }
    let (mut m, mut e) = frexp(v);
    let sign: i64 = if m < 0.0 { -1 } else { 1 };
    m = m.abs();
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | x >> (BITS - 28);
        m *= 268_435_456.0; // 2**28
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let e = if e >= 0 { e % BITS as i32 } else { BITS as i32 - 1 - ((-1 - e) % BITS as i32) } as u32;
    x = ((x << e) & MODULUS) | x >> (BITS - e);
    not_minus_one((x as i64).wrapping_mul(sign))
}

/// C's `frexp` for a finite, nonzero `v`: `m * 2**e == v` with `0.5 <= |m| < 1`.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale it into the normal range first.
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    (f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)), exp - 1022)
}

/// `tuplehash`: xxHash's mixing of the items' hashes, CPython's constants.
fn tuple_hash(items: &[HKey]) -> i64 {
    const PRIME_1: u64 = 11_400_714_785_074_694_791;
    const PRIME_2: u64 = 14_029_467_366_897_019_727;
    const PRIME_5: u64 = 2_870_177_450_012_600_261;
    let mut acc = PRIME_5;
    for item in items {
        let lane = item.py_hash() as u64;
        acc = acc.wrapping_add(lane.wrapping_mul(PRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(PRIME_1);
    }
    acc = acc.wrapping_add(items.len() as u64 ^ (PRIME_5 ^ 3_527_539));
    if acc == u64::MAX {
        return 1_546_275_796;
    }
    acc as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(v: f64) -> i64 {
        HKey::Float(v.to_bits()).py_hash()
    }

    /// Values printed by CPython 3.12.1 (`hash(x)`).
    #[test]
    fn numbers_tuples_and_none_hash_as_in_cpython() {
        assert_eq!(HKey::Int(5).py_hash(), 5);
        assert_eq!(HKey::Int(-1).py_hash(), -2);
        assert_eq!(HKey::Int(1 << 61).py_hash(), 1);
        assert_eq!(HKey::Int(i64::MIN).py_hash(), -4);
        assert_eq!(float(1.5), 1_152_921_504_606_846_977);
        assert_eq!(float(-0.1), -230_584_300_921_369_408);
        assert_eq!(float(0.1), 230_584_300_921_369_408);
        assert_eq!(float(1e20), 848_750_603_811_160_107);
        assert_eq!(float(1e300), 1_224_995_262_755_759_164);
        assert_eq!(float(5e-324), 16_777_216);
        assert_eq!(float(2.5e-310), 386_353_265_232_576_880);
        assert_eq!(float(f64::INFINITY), 314_159);
        assert_eq!(HKey::Tuple(vec![HKey::Int(1), HKey::Int(2)]).py_hash(), -3_550_055_125_485_641_917);
        assert_eq!(HKey::Tuple(Vec::new()).py_hash(), 5_740_354_900_026_072_187);
        let nested = HKey::Tuple(vec![HKey::Float(1.5f64.to_bits()), HKey::None, HKey::Tuple(vec![HKey::Int(2)])]);
        assert_eq!(nested.py_hash(), 4_813_009_577_491_710_269);
        assert_eq!(HKey::None.py_hash(), 4_238_894_112);
    }
}
