//! Set operations as CPython 3.12 runs them (`Objects/setobject.c`): which operand is walked,
//! in which order elements are added to or removed from the result, when its table is resized.
//! That decides where each element sits in the result's table (`set_table.rs`), so the result
//! prints in CPython's order: `{8, 1} | {4, 2}` is `{8, 1, 2, 4}`.
//!
//! Each function names the CPython function it follows. The work counted is what they read,
//! the elements counted what they make.

use std::rc::Rc;

use super::value::{Cells, Dict, Value};
use super::{Flow, Interp, Res};

/// A set operator or method that changes its set (`|=`, `s.update(...)`...).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InPlace {
    Update,
    IntersectionUpdate,
    DifferenceUpdate,
    SymmetricDifferenceUpdate,
}

impl Interp<'_> {
    /// `set(iterable)` (`make_new_set`): a set's layout copied, a dict's keys after one resize,
    /// anything else added one by one.
    pub fn new_set_of(&self, iterable: Option<&Value>) -> Res {
        let mut out = Dict::new_set();
        if let Some(v) = iterable {
            self.set_update(&mut out, v)?;
        }
        Ok(Value::set(out))
    }

    /// `{1, 2, 3}`: CPython compiles a display of three or more constants into a constant
    /// frozenset (its elements added in order, then added again in that frozenset's order when
    /// the compiler merges equal constants: `merge_consts_recursive`), merged into a new set
    /// (`SET_UPDATE`).
    pub fn constant_set_display(&self, items: Vec<Value>) -> Res {
        let mut out = Dict::new_set();
        out.set_merge(&self.constant_frozenset(items)?);
        Ok(Value::set(out))
    }

    /// The constant frozenset CPython's compiler makes of a set display of constants (iterated
    /// as it is where a `for` or a comprehension iterates over the display: `fold_iter`).
    pub fn constant_frozenset(&self, items: Vec<Value>) -> Result<Dict, Flow> {
        let mut written = Dict::new_set();
        for v in items {
            self.dict_set(&mut written, v, Value::None)?;
        }
        let mut merged = Dict::new_set();
        for v in written.keys() {
            self.dict_set(&mut merged, v, Value::None)?;
        }
        Ok(merged)
    }

    fn set_of(&self, iterable: &Value) -> Result<Dict, Flow> {
        let mut out = Dict::new_set();
        self.set_update(&mut out, iterable)?;
        Ok(out)
    }

    /// `set_update_internal`.
    fn set_update(&self, set: &mut Dict, other: &Value) -> Result<(), Flow> {
        match other {
            Value::Set(o) => {
                let o = o.borrow();
                self.made(o.len())?;
                set.set_merge(&o);
            }
            Value::Dict(o) => {
                let o = o.borrow();
                self.made(o.len())?;
                set.set_add_keys_of(&o);
            }
            _ => {
                for x in self.iterate(other)? {
                    self.dict_set(set, x, Value::None)?;
                }
            }
        }
        Ok(())
    }

    /// `set_intersection`: the smaller of two sets walked (the other when they are as big),
    /// or any other iterable in its order, each element the set holds added.
    fn set_intersection(&self, set: &Dict, other: &Value) -> Result<Dict, Flow> {
        let mut out = Dict::new_set();
        if let Value::Set(o) = other {
            let o = o.borrow();
            self.work(set.len() + o.len())?;
            let (walked, held) = if o.len() > set.len() { (set, &*o) } else { (&*o, set) };
            for (k, _) in walked.iter() {
                let hk = self.key(k)?;
                if held.contains(&hk) {
                    self.alloc(1)?;
                    out.insert(hk, k.clone(), Value::None);
                }
            }
            return Ok(out);
        }
        for x in self.iterate(other)? {
            let hk = self.key(&x)?;
            if set.contains(&hk) {
                self.alloc(1)?;
                out.insert(hk, x, Value::None);
            }
        }
        Ok(out)
    }

    /// `set_difference`: a set walked for what `other` lacks, or, when it is over four times
    /// bigger than `other` (or `other` is no set or dict), copied and `other` removed from it.
    fn set_difference(&self, set: &Dict, other: &Value) -> Result<Dict, Flow> {
        let (Value::Set(o) | Value::Dict(o)) = other else { return self.copy_and_difference(set, other) };
        let o = o.borrow();
        if (set.len() >> 2) > o.len() {
            drop(o);
            return self.copy_and_difference(set, other);
        }
        self.work(set.len() + o.len())?;
        let mut out = Dict::new_set();
        for (k, _) in set.iter() {
            let hk = self.key(k)?;
            if !o.contains(&hk) {
                self.alloc(1)?;
                out.insert(hk, k.clone(), Value::None);
            }
        }
        Ok(out)
    }

    /// `set_copy_and_difference`.
    fn copy_and_difference(&self, set: &Dict, other: &Value) -> Result<Dict, Flow> {
        self.made(set.len())?;
        let mut out = set.set_copy();
        self.set_difference_update(&mut out, other)?;
        Ok(out)
    }

    /// `set_difference_update_internal` (`other` is not `set` itself): a set eight times bigger
    /// than `set` is first narrowed to their intersection; then a table left over a quarter
    /// dummies is rebuilt.
    fn set_difference_update(&self, set: &mut Dict, other: &Value) -> Result<(), Flow> {
        let narrowed;
        let other = match other {
            Value::Set(o) if (o.borrow().len() >> 3) > set.len() => {
                narrowed = Value::set(self.set_intersection(set, other)?);
                &narrowed
            }
            _ => other,
        };
        let items = match other {
            Value::Set(o) | Value::Dict(o) => o.borrow().keys(),
            _ => self.iterate(other)?,
        };
        self.work(items.len())?;
        for x in &items {
            set.remove(&self.key(x)?);
        }
        set.set_purge_dummies();
        Ok(())
    }

    /// `set_symmetric_difference_update` (`other` is not `set` itself): `other`'s elements (a
    /// set's in table order; anything else made a set first) each removed, or added if absent.
    fn set_symmetric_difference_update(&self, set: &mut Dict, other: &Value) -> Result<(), Flow> {
        let keys = match other {
            Value::Set(o) | Value::Dict(o) => o.borrow().keys(),
            _ => self.set_of(other)?.keys(),
        };
        self.toggle_each(set, keys)
    }

    fn toggle_each(&self, set: &mut Dict, keys: Vec<Value>) -> Result<(), Flow> {
        self.work(keys.len())?;
        for k in keys {
            let hk = self.key(&k)?;
            if set.remove(&hk).is_none() {
                self.alloc(1)?;
                set.insert(hk, k, Value::None);
            }
        }
        Ok(())
    }

    /// `a | b`, `a & b`, `a - b`, `a ^ b` of two sets (`set_or`, `set_and`, `set_sub`,
    /// `set_xor`): a new set.
    pub fn set_binop(&self, op: crate::core::py::ast::BinOp, a: &Rc<Cells<Dict>>, b: &Value) -> Res {
        use crate::core::py::ast::BinOp;
        let x = a.borrow();
        let out = match op {
            BinOp::BitOr => {
                self.made(x.len())?;
                let mut out = x.set_copy();
                if !matches!(b, Value::Set(o) if Rc::ptr_eq(o, a)) {
                    self.set_update(&mut out, b)?;
                }
                out
            }
            BinOp::BitAnd if matches!(b, Value::Set(o) if Rc::ptr_eq(o, a)) => {
                self.made(x.len())?;
                x.set_copy()
            }
            BinOp::BitAnd => self.set_intersection(&x, b)?,
            BinOp::Sub if matches!(b, Value::Set(o) if Rc::ptr_eq(o, a)) => Dict::new_set(),
            BinOp::Sub => self.set_difference(&x, b)?,
            // `set_symmetric_difference`: `set(b)`, then `a`'s elements toggled in it.
            BinOp::BitXor => {
                let mut out = self.set_of(b)?;
                self.toggle_each(&mut out, x.keys())?;
                out
            }
            _ => return super::raise(super::E::TypeError, "unsupported operand type(s) for sets"),
        };
        Ok(Value::set(out))
    }

    /// `s.union(*others)`, `s.intersection(*others)`, `s.difference(*others)`: a new set
    /// (`set_union`, `set_intersection_multi`, `set_difference_multi`).
    pub fn set_method_new(&self, b: super::builtins::B, set: &Rc<Cells<Dict>>, others: &[Value]) -> Res {
        use super::builtins::B;
        let is_me = |v: &Value| matches!(v, Value::Set(o) if Rc::ptr_eq(o, set));
        let x = set.borrow();
        let copy = || -> Result<Dict, Flow> {
            self.made(x.len())?;
            Ok(x.set_copy())
        };
        let out = match (b, others.split_first()) {
            (_, None) => copy()?,
            (B::SetIntersection, Some(_)) => {
                let mut out: Option<Dict> = None;
                for other in others {
                    out = Some(match &out {
                        None if is_me(other) => copy()?,
                        current => self.set_intersection(current.as_ref().unwrap_or(&x), other)?,
                    });
                }
                out.unwrap_or_else(Dict::new_set)
            }
            (B::SetDifference, Some((first, rest))) => {
                let mut out = if is_me(first) { Dict::new_set() } else { self.set_difference(&x, first)? };
                for other in rest {
                    self.set_difference_update(&mut out, other)?;
                }
                out
            }
            _ => {
                let mut out = copy()?;
                for other in others.iter().filter(|o| !is_me(o)) {
                    self.set_update(&mut out, other)?;
                }
                out
            }
        };
        Ok(Value::set(out))
    }

    /// `s.update(...)`, `s |= t` and the other in-place forms: `set` changed where it is (what
    /// it lost or gained stays so if an element raises partway, as in CPython).
    pub fn set_in_place(&self, how: InPlace, set: &Rc<Cells<Dict>>, others: &[Value]) -> Result<(), Flow> {
        for other in others {
            if let Value::Set(o) = other {
                if Rc::ptr_eq(o, set) {
                    match how {
                        InPlace::Update => {}
                        InPlace::IntersectionUpdate => {
                            let copy = set.borrow().set_copy();
                            set.borrow_mut().set_replace(copy);
                        }
                        _ => set.borrow_mut().clear(),
                    }
                    continue;
                }
            }
            if how == InPlace::IntersectionUpdate {
                let kept = self.set_intersection(&set.borrow(), other)?;
                set.borrow_mut().set_replace(kept);
                continue;
            }
            let mut me = std::mem::replace(&mut *set.borrow_mut(), Dict::new_set());
            let done = match how {
                InPlace::Update => self.set_update(&mut me, other),
                InPlace::DifferenceUpdate => self.set_difference_update(&mut me, other),
                _ => self.set_symmetric_difference_update(&mut me, other),
            };
            *set.borrow_mut() = me;
            done?;
        }
        Ok(())
    }

    /// `a op= b` for sets `a` and `b` (`set_ior`...): `a` changed where it is, so every name
    /// for it sees the change. `None` for another operator.
    pub fn set_augmented(&self, op: crate::core::py::ast::BinOp, set: &Rc<Cells<Dict>>, b: &Value) -> Option<Res> {
        use crate::core::py::ast::BinOp;
        let how = match op {
            BinOp::BitOr => InPlace::Update,
            BinOp::BitAnd => InPlace::IntersectionUpdate,
            BinOp::Sub => InPlace::DifferenceUpdate,
            BinOp::BitXor => InPlace::SymmetricDifferenceUpdate,
            _ => return None,
        };
        Some(self.set_in_place(how, set, std::slice::from_ref(b)).map(|()| Value::Set(set.clone())))
    }
}
