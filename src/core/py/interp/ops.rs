//! Operators with Python's rules: int/float arithmetic (floor division and modulo round toward
//! minus infinity), 64-bit integers that raise `OverflowError` instead of growing, sequence
//! concatenation and repetition, comparisons, `in`, indexing and slicing.

use std::cmp::Ordering;
use std::rc::Rc;

use super::value::{eq, int_float_cmp, Value};
use super::{raise, Flow, Interp, Res, E};
use crate::core::py::ast::{BinOp, CmpOp, UnaryOp};

fn overflow<T>() -> Result<T, Flow> {
    raise(E::OverflowError, "integer result too large for awaitlab's 64-bit integers")
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn unsupported<T>(op: &str, a: &Value, b: &Value) -> Result<T, Flow> {
    raise(E::TypeError, format!("unsupported operand type(s) for {op}: '{}' and '{}'", a.type_name(), b.type_name()))
}

fn op_text(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
    }
}

fn int_op(op: BinOp, a: i64, b: i64) -> Res {
    let r = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Div => {
            if b == 0 {
                return raise(E::ZeroDivisionError, "division by zero");
            }
            return Ok(Value::Float(a as f64 / b as f64));
        }
        BinOp::FloorDiv | BinOp::Mod => {
            if b == 0 {
                let what =
                    if op == BinOp::Mod { "integer modulo by zero" } else { "integer division or modulo by zero" };
                return raise(E::ZeroDivisionError, what);
            }
            if b == -1 {
                // i64::MIN // -1 overflows; its remainder is 0, as for any b == -1.
                return if op == BinOp::Mod {
                    Ok(Value::Int(0))
                } else {
                    a.checked_neg().map_or_else(overflow, |q| Ok(Value::Int(q)))
                };
            }
            let (Some(q), Some(r)) = (a.checked_div(b), a.checked_rem(b)) else { return overflow() };
            // Round toward minus infinity, as Python does.
            let (q, r) = if r != 0 && ((r < 0) != (b < 0)) { (q - 1, r + b) } else { (q, r) };
            Some(if op == BinOp::Mod { r } else { q })
        }
        BinOp::Pow => {
            if b < 0 && a == 0 {
                return raise(E::ZeroDivisionError, "0.0 cannot be raised to a negative power");
            }
            if b < 0 {
                return Ok(Value::Float((a as f64).powf(b as f64)));
            }
            match a {
                // Whatever the exponent, these fit: (-1) ** (2**63 - 1) is -1.
                0 | 1 => Some(if b == 0 { 1 } else { a }),
                -1 => Some(if b % 2 == 0 { 1 } else { -1 }),
                _ => u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
            }
        }
        BinOp::BitAnd => Some(a & b),
        BinOp::BitOr => Some(a | b),
        BinOp::BitXor => Some(a ^ b),
        BinOp::LShift => {
            if b < 0 {
                return raise(E::ValueError, "negative shift count");
            }
            match a {
                0 => Some(0),
                _ => u32::try_from(b).ok().filter(|&b| b < 64).and_then(|s| i64::try_from(i128::from(a) << s).ok()),
            }
        }
        BinOp::RShift => {
            if b < 0 {
                return raise(E::ValueError, "negative shift count");
            }
            Some(if b >= 64 {
                if a < 0 {
                    -1
                } else {
                    0
                }
            } else {
                a >> b
            })
        }
    };
    r.map_or_else(overflow, |v| Ok(Value::Int(v)))
}

/// `divmod(a, b)` of floats (`b` not zero), as CPython's `float_divmod` computes it: from
/// `fmod`, so `-7 // inf` is -1.0 (flooring `a / b` gave -0.0) and `inf // 1` NaN.
fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut rem = a % b;
    let mut div = (a - rem) / b;
    if rem != 0.0 {
        // The remainder takes the divisor's sign.
        if (b < 0.0) != (rem < 0.0) {
            rem += b;
            div -= 1.0;
        }
    } else {
        rem = 0.0f64.copysign(b);
    }
    let floor = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (floor, rem)
}

fn float_op(op: BinOp, a: f64, b: f64) -> Res {
    let r = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => {
            if b == 0.0 {
                return raise(E::ZeroDivisionError, "float division by zero");
            }
            a / b
        }
        BinOp::FloorDiv => {
            if b == 0.0 {
                return raise(E::ZeroDivisionError, "float floor division by zero");
            }
            float_divmod(a, b).0
        }
        BinOp::Mod => {
            if b == 0.0 {
                return raise(E::ZeroDivisionError, "float modulo");
            }
            float_divmod(a, b).1
        }
        BinOp::Pow => {
            if a == 0.0 && b < 0.0 {
                return raise(E::ZeroDivisionError, "0.0 cannot be raised to a negative power");
            }
            let r = a.powf(b);
            if r.is_infinite() && a.is_finite() && b.is_finite() {
                return raise(E::OverflowError, "(34, 'Numerical result out of range')");
            }
            r
        }
        _ => return raise(E::TypeError, format!("unsupported operand type(s) for {}: 'float'", op_text(op))),
    };
    Ok(Value::Float(r))
}

impl<'a> Interp<'a> {
    /// `a op b`.
    pub fn binop(&self, op: BinOp, a: &Value, b: &Value) -> Res {
        if let (Some(x), Some(y)) = (int(a), int(b)) {
            return int_op(op, x, y);
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return float_op(op, x, y);
        }
        match (op, a, b) {
            (BinOp::Add, Value::Str(x), Value::Str(y)) => {
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                self.new_str(s)
            }
            (BinOp::Add, Value::List(x), Value::List(y)) => {
                let items: Vec<Value> = x.borrow().iter().chain(y.borrow().iter()).cloned().collect();
                self.alloc(items.len())?;
                Ok(Value::list(items))
            }
            (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
                let items: Vec<Value> = x.iter().chain(y.iter()).cloned().collect();
                self.alloc(items.len())?;
                Ok(Value::tuple(items))
            }
            (BinOp::Mul, Value::Str(_) | Value::List(_) | Value::Tuple(_), _) => self.repeat(a, b),
            (BinOp::Mul, _, Value::Str(_) | Value::List(_) | Value::Tuple(_)) => self.repeat(b, a),
            (BinOp::BitOr, Value::Dict(x), Value::Dict(y)) => {
                self.work(x.borrow().len() + y.borrow().len())?;
                let mut d = x.borrow().clone();
                for (k, v) in y.borrow().iter() {
                    if let Ok(h) = k.hkey() {
                        d.insert(h, k.clone(), v.clone());
                    }
                }
                self.alloc(d.len())?;
                Ok(Value::dict(d))
            }
            // A dict's keys or items view is the set of what it shows, with any iterable:
            // `d.keys() & {'a'}`, `d.items() - e.items()`, `['x'] | d.keys()`.
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, _, _)
                if [a, b].iter().any(|v| matches!(v, Value::Obj(o) if o.is_set_like_view())) =>
            {
                let as_set = |v: &Value| match v {
                    Value::Obj(o) => match o.view_set() {
                        // A set for the operation only: its work counts, not its elements.
                        Some(Ok(set)) => {
                            self.work(set.len())?;
                            Ok(Value::set(set))
                        }
                        Some(Err(t)) => raise(E::TypeError, format!("unhashable type: '{t}'")),
                        None => self.make_set(self.iterate(v)?),
                    },
                    Value::Set(_) => Ok(v.clone()),
                    _ => self.make_set(self.iterate(v)?),
                };
                self.binop(op, &as_set(a)?, &as_set(b)?)
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Value::Set(x), Value::Set(_)) => {
                self.set_binop(op, x, b)
            }
            // CPython's own words for a sequence joined to something else: `"count: " + 3`.
            (BinOp::Add, Value::Str(_) | Value::List(_) | Value::Tuple(_), _) => {
                let (seq, other) = (a.type_name(), b.type_name());
                raise(E::TypeError, format!("can only concatenate {seq} (not \"{other}\") to {seq}"))
            }
            _ => unsupported(op_text(op), a, b),
        }
    }

    fn repeat(&self, seq: &Value, n: &Value) -> Res {
        let Some(n) = int(n) else {
            return raise(E::TypeError, format!("can't multiply sequence by non-int of type '{}'", n.type_name()));
        };
        let n = n.max(0) as usize;
        match seq {
            Value::Str(s) => {
                if s.len().saturating_mul(n) > super::limits::MAX_STR_BYTES {
                    return raise(E::MemoryError, "a string longer than awaitlab's limit");
                }
                self.new_str(s.repeat(n))
            }
            Value::List(l) => {
                let l = l.borrow();
                self.alloc(l.len().saturating_mul(n))?;
                Ok(Value::list(l.iter().cloned().cycle().take(l.len() * n).collect()))
            }
            Value::Tuple(t) => {
                self.alloc(t.len().saturating_mul(n))?;
                Ok(Value::tuple(t.iter().cloned().cycle().take(t.len() * n).collect()))
            }
            _ => unsupported("*", seq, &Value::Int(n as i64)),
        }
    }

    /// `"%s and %d" % (a, b)`: the common conversions only.
    /// `op a`.
    pub fn unary(&self, op: UnaryOp, a: &Value) -> Res {
        match (op, a) {
            (UnaryOp::Not, v) => Ok(Value::Bool(!v.truthy())),
            (UnaryOp::Neg, v) if int(v).is_some() => {
                int(v).and_then(i64::checked_neg).map_or_else(overflow, |i| Ok(Value::Int(i)))
            }
            (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
            (UnaryOp::Pos, v) if int(v).is_some() => Ok(Value::Int(int(v).unwrap_or(0))),
            (UnaryOp::Pos, Value::Float(f)) => Ok(Value::Float(*f)),
            (UnaryOp::Invert, v) if int(v).is_some() => Ok(Value::Int(!int(v).unwrap_or(0))),
            (op, v) => {
                let sym = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Pos => "+",
                    _ => "~",
                };
                raise(E::TypeError, format!("bad operand type for unary {sym}: '{}'", v.type_name()))
            }
        }
    }

    /// One comparison `a op b`.
    pub fn compare(&self, op: CmpOp, a: &Value, b: &Value) -> Result<bool, Flow> {
        self.work(match op {
            CmpOp::Is | CmpOp::IsNot => 0,
            // A scan of the container (a hash of the item, for a dict or set).
            CmpOp::In | CmpOp::NotIn if matches!(b, Value::Dict(_) | Value::Set(_)) => extent(a),
            CmpOp::In | CmpOp::NotIn => extent(b),
            _ => extent(a).min(extent(b)),
        })?;
        Ok(match op {
            CmpOp::Eq => eq(a, b),
            CmpOp::NotEq => !eq(a, b),
            CmpOp::Is => a.is(b),
            CmpOp::IsNot => !a.is(b),
            CmpOp::In => self.contains(b, a)?,
            CmpOp::NotIn => !self.contains(b, a)?,
            // Sets are ordered by inclusion: `{1} <= {1, 2}`.
            CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE if matches!((a, b), (Value::Set(_), Value::Set(_))) => {
                subset_order(op, a, b)
            }
            // `order` says Equal for a NaN, which `<=` and `>=` would read as true.
            CmpOp::LtE | CmpOp::GtE if is_nan(a) || is_nan(b) => {
                self.order(a, b, if op == CmpOp::LtE { "<=" } else { ">=" })?;
                false
            }
            CmpOp::Lt => self.order(a, b, "<")? == Ordering::Less,
            CmpOp::LtE => self.order(a, b, "<=")? != Ordering::Greater,
            CmpOp::Gt => self.order(a, b, ">")? == Ordering::Greater,
            CmpOp::GtE => self.order(a, b, ">=")? != Ordering::Less,
        })
    }

    /// Python's ordering of two values (numbers, strings, and sequences of them); a NaN compares
    /// as Equal here, which [`Interp::compare`] turns into false for `<=` and `>=` too.
    pub fn order(&self, a: &Value, b: &Value, op: &str) -> Result<Ordering, Flow> {
        self.order_at(a, b, op, 0)
    }

    fn order_at(&self, a: &Value, b: &Value, op: &str, depth: u32) -> Result<Ordering, Flow> {
        if depth > super::value::MAX_COMPARE_DEPTH {
            return raise(E::RecursionError, "maximum recursion depth exceeded in comparison");
        }
        if let (Some(x), Some(y)) = (int(a), int(b)) {
            return Ok(x.cmp(&y));
        }
        match (int(a), a, int(b), b) {
            (Some(x), _, None, Value::Float(y)) => return Ok(int_float_cmp(x, *y).unwrap_or(Ordering::Equal)),
            (None, Value::Float(x), Some(y), _) => {
                return Ok(int_float_cmp(y, *x).unwrap_or(Ordering::Equal).reverse())
            }
            _ => {}
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            // NaN: neither less nor greater; `<=` and `>=` would wrongly say true, a rare case.
            return Ok(x.partial_cmp(&y).unwrap_or(Ordering::Equal));
        }
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
            (Value::List(x), Value::List(y)) => self.order_seq(&x.borrow(), &y.borrow(), op, depth),
            (Value::Tuple(x), Value::Tuple(y)) => self.order_seq(x, y, op, depth),
            _ => raise(
                E::TypeError,
                format!("'{op}' not supported between instances of '{}' and '{}'", a.type_name(), b.type_name()),
            ),
        }
    }

    fn order_seq(&self, a: &[Value], b: &[Value], op: &str, depth: u32) -> Result<Ordering, Flow> {
        for (x, y) in a.iter().zip(b) {
            if !eq(x, y) {
                return self.order_at(x, y, op, depth + 1);
            }
        }
        Ok(a.len().cmp(&b.len()))
    }

    /// `item in container`.
    pub fn contains(&self, container: &Value, item: &Value) -> Result<bool, Flow> {
        Ok(match container {
            Value::Str(s) => match item {
                Value::Str(sub) => s.contains(&**sub),
                _ => return raise(E::TypeError, "'in <string>' requires string as left operand"),
            },
            Value::List(l) => l.borrow().iter().any(|v| eq(v, item)),
            Value::Tuple(t) => t.iter().any(|v| eq(v, item)),
            Value::Dict(d) | Value::Set(d) => {
                let h = self.key(item)?;
                d.borrow().contains(&h)
            }
            Value::Obj(o) => match o.view_contains(item) {
                Some(Ok(found)) => found,
                Some(Err(t)) => return raise(E::TypeError, format!("unhashable type: '{t}'")),
                None => return raise(E::TypeError, format!("argument of type '{}' is not iterable", o.type_name())),
            },
            Value::Range(r) => match int(item) {
                Some(i) => {
                    let (start, stop, step) = **r;
                    let inside = if step > 0 { i >= start && i < stop } else { i <= start && i > stop };
                    inside && (i128::from(i) - i128::from(start)) % i128::from(step) == 0
                }
                None => false,
            },
            other => return raise(E::TypeError, format!("argument of type '{}' is not iterable", other.type_name())),
        })
    }

    /// `container[index]` (not a slice).
    pub fn get_item(&self, container: &Value, index: &Value) -> Res {
        match container {
            Value::List(l) => {
                let l = l.borrow();
                let i = seq_index(index, l.len(), "list")?;
                Ok(l[i].clone())
            }
            Value::Tuple(t) => Ok(t[seq_index(index, t.len(), "tuple")?].clone()),
            Value::Str(s) => {
                let i = int(index).ok_or(()).or_else(|_| {
                    raise(E::TypeError, format!("string indices must be integers, not '{}'", index.type_name()))
                })?;
                self.work(s.len())?;
                let n = s.chars().count() as i64;
                let j = if i < 0 { i + n } else { i };
                match usize::try_from(j).ok().and_then(|j| s.chars().nth(j)) {
                    Some(c) => Ok(Value::str(c.encode_utf8(&mut [0; 4]))),
                    None => raise(E::IndexError, "string index out of range"),
                }
            }
            // In i128: `range(-2**63, 2**63 - 1, 3)[-1]` overflowed an i64 on the way to a
            // number that fits one (every number the range holds does).
            Value::Range(r) => {
                let (start, stop, step) = **r;
                let len = super::value::range_len_exact(start, stop, step);
                let Some(i) = int(index) else {
                    let got = index.type_name();
                    return raise(E::TypeError, format!("range object indices must be integers or slices, not {got}"));
                };
                let i = if i < 0 { i128::from(i) + len } else { i128::from(i) };
                if !(0..len).contains(&i) {
                    return raise(E::IndexError, "range object index out of range");
                }
                Ok(Value::Int((i128::from(start) + i128::from(step) * i) as i64))
            }
            Value::Dict(d) => {
                let h = self.key(index)?;
                match d.borrow().get(&h) {
                    Some(v) => Ok(v.clone()),
                    None => Err(self.key_error(index)),
                }
            }
            other => raise(E::TypeError, format!("'{}' object is not subscriptable", other.type_name())),
        }
    }

    /// `container[index] = value`.
    pub fn set_item(&self, container: &Value, index: Value, value: Value) -> Result<(), Flow> {
        match container {
            Value::List(l) => {
                let mut l = l.borrow_mut();
                let i = seq_index(&index, l.len(), "list")?;
                l[i] = value;
                Ok(())
            }
            Value::Dict(d) => {
                let h = self.key(&index)?;
                self.alloc(1)?;
                d.borrow_mut().insert(h, index, value);
                Ok(())
            }
            other => raise(E::TypeError, format!("'{}' object does not support item assignment", other.type_name())),
        }
    }

    /// `container[lower:upper:step]`.
    pub fn get_slice(&self, container: &Value, (lower, upper, step): SliceBounds) -> Res {
        let step = step.unwrap_or(1);
        if step == 0 {
            return raise(E::ValueError, "slice step cannot be zero");
        }
        let pick = |len: usize| -> Vec<usize> { slice_indices(len, lower, upper, step) };
        self.work(extent(container))?;
        match container {
            Value::List(l) => {
                let l = l.borrow();
                Ok(Value::list(pick(l.len()).into_iter().map(|i| l[i].clone()).collect()))
            }
            Value::Tuple(t) => Ok(Value::tuple(pick(t.len()).into_iter().map(|i| t[i].clone()).collect())),
            // The common case without a copy of every character: `s[i:j]` of ASCII text.
            Value::Str(s) if step == 1 && s.is_ascii() => {
                let (start, stop) = forward_bounds(s.len(), lower, upper);
                Ok(Value::str(if start < stop { &s[start..stop] } else { "" }))
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                Ok(Value::Str(Rc::from(pick(chars.len()).into_iter().map(|i| chars[i]).collect::<String>())))
            }
            other => raise(E::TypeError, format!("'{}' object is not subscriptable", other.type_name())),
        }
    }
}

/// A slice's `lower:upper:step` as written (`None` where left out).
pub type SliceBounds = (Option<i64>, Option<i64>, Option<i64>);

impl Interp<'_> {
    /// `container[lower:upper:step] = items`, or `del container[lower:upper:step]` (`items`
    /// `None`), as CPython's list does: a step of 1 replaces the slice with the items, however
    /// many; an extended slice takes exactly as many items as it picks.
    pub fn set_slice(
        &self,
        container: &Value,
        (lower, upper, step): SliceBounds,
        items: Option<&Value>,
    ) -> Result<(), Flow> {
        let Value::List(l) = container else {
            let kind = container.type_name();
            return match (container, items.is_some()) {
                (Value::Tuple(_) | Value::Str(_) | Value::Range(_), true) => {
                    raise(E::TypeError, format!("'{kind}' object does not support item assignment"))
                }
                (Value::Tuple(_) | Value::Str(_) | Value::Range(_), false) => {
                    raise(E::TypeError, format!("'{kind}' object does not support item deletion"))
                }
                _ => raise(E::TypeError, format!("a slice as a '{kind}' key is not in awaitlab's subset")),
            };
        };
        // The items first (`x[:0] = x` reads the list before it changes).
        let items = items.map(|v| self.iterate(v)).transpose()?;
        let step = step.unwrap_or(1);
        if step == 0 {
            return raise(E::ValueError, "slice step cannot be zero");
        }
        self.work(extent(container) + items.as_ref().map_or(0, Vec::len))?;
        let len = l.borrow().len();
        match items {
            Some(items) if step == 1 => {
                let (start, stop) = forward_bounds(len, lower, upper);
                self.alloc(items.len())?;
                l.borrow_mut().splice(start..stop.max(start), items);
            }
            Some(items) => {
                let picked = slice_indices(len, lower, upper, step);
                if picked.len() != items.len() {
                    let (n, size) = (items.len(), picked.len());
                    return raise(
                        E::ValueError,
                        format!("attempt to assign sequence of size {n} to extended slice of size {size}"),
                    );
                }
                let mut l = l.borrow_mut();
                for (i, v) in picked.into_iter().zip(items) {
                    l[i] = v;
                }
            }
            None => {
                let mut gone = vec![false; len];
                for i in slice_indices(len, lower, upper, step) {
                    gone[i] = true;
                }
                let mut i = 0;
                l.borrow_mut().retain(|_| {
                    i += 1;
                    !gone[i - 1]
                });
            }
        }
        Ok(())
    }
}

/// `a op b` for two sets: `<=` is "a subset of", `<` a proper one, `>=` and `>` the other way.
fn subset_order(op: CmpOp, a: &Value, b: &Value) -> bool {
    let (Value::Set(a), Value::Set(b)) = (a, b) else { return false };
    let (small, big) = if matches!(op, CmpOp::Lt | CmpOp::LtE) { (a, b) } else { (b, a) };
    let (small, big) = (small.borrow(), big.borrow());
    let within = small.iter().all(|(k, _)| k.hkey().is_ok_and(|h| big.contains(&h)));
    within && (matches!(op, CmpOp::LtE | CmpOp::GtE) || small.len() < big.len())
}

/// How much there is to go over in `v`: a string's bytes, a list's or a tuple's elements (0 for
/// anything else), for [`Interp::work`].
pub fn extent(v: &Value) -> usize {
    match v {
        Value::Str(s) => s.len(),
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        _ => 0,
    }
}

/// A sequence index, negative ones counted from the end.
pub fn seq_index(index: &Value, len: usize, what: &str) -> Result<usize, Flow> {
    let Some(i) = int(index) else {
        return raise(E::TypeError, format!("{what} indices must be integers or slices, not {}", index.type_name()));
    };
    let j = if i < 0 { i.checked_add(len as i64) } else { Some(i) };
    match j.and_then(|j| usize::try_from(j).ok()).filter(|&j| j < len) {
        Some(j) => Ok(j),
        None => raise(E::IndexError, format!("{what} index out of range")),
    }
}

/// The indices a slice picks, as Python's `slice.indices` computes them.
/// Where `[lower:upper]` (a step of 1) starts and stops in a sequence of `len`.
fn forward_bounds(len: usize, lower: Option<i64>, upper: Option<i64>) -> (usize, usize) {
    let len = len as i64;
    let norm = |v: i64| if v < 0 { v + len } else { v };
    (lower.map_or(0, norm).clamp(0, len) as usize, upper.map_or(len, norm).clamp(0, len) as usize)
}

fn slice_indices(len: usize, lower: Option<i64>, upper: Option<i64>, step: i64) -> Vec<usize> {
    let (ulen, len) = (len, len as i64);
    let clamp = |v: i64, lo: i64, hi: i64| v.clamp(lo, hi);
    let norm = |v: i64| if v < 0 { v + len } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let (start, stop) = forward_bounds(ulen, lower, upper);
        let (start, stop) = (start as i64, stop as i64);
        let mut i = start;
        while i < stop {
            out.push(i as usize);
            let Some(next) = i.checked_add(step) else { break };
            i = next;
        }
    } else {
        let start = clamp(lower.map_or(len - 1, norm), -1, len - 1);
        let stop = clamp(upper.map_or(-1, norm), -1, len - 1);
        let mut i = start;
        while i > stop {
            out.push(i as usize);
            let Some(next) = i.checked_add(step) else { break };
            i = next;
        }
    }
    out
}

/// An integer argument, if the value is one (`True` counts as 1).
pub fn as_int(v: &Value) -> Option<i64> {
    int(v)
}

/// A number as a float, if the value is one.
pub fn as_f64(v: &Value) -> Option<f64> {
    num(v)
}
