//! Expressions. Each evaluation is a boxed future, so an `await` anywhere inside suspends the
//! task; names and constants take a synchronous path ([`Interp::leaf`]) that allocates nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::value::{Dict, Func, Instance, Scope, Value};
use super::{fmt, raise, BoxFut, Flow, Frame, Interp, Res, E};
use crate::core::py::ast::{BinOp, BoolOp, CmpOp, CompKind, Comprehension, Const, Expr, ExprKind, FPart, Function};

/// Evaluates `$e` in frame `$f`: names and constants at once, anything else as a future.
macro_rules! ev {
    ($ip:expr, $e:expr, $f:expr) => {
        match $ip.leaf($e, $f) {
            Some(r) => r,
            None => $ip.eval($e, $f).await,
        }
    };
}
pub(crate) use ev;

/// What a comprehension makes.
enum CompOut {
    List(Vec<Value>),
    Set(Dict),
    Dict(Dict),
    /// `any(...)` (`want` true) or `all(...)` (false) over a generator expression: it stops at
    /// the first element whose truth is `want` (`hit`), as CPython's lazy generator stops there.
    Until {
        want: bool,
        hit: bool,
    },
}

impl CompOut {
    fn stopped(&self) -> bool {
        matches!(self, CompOut::Until { hit: true, .. })
    }
}

/// A comprehension's element: one expression, or a dict comprehension's key and value.
#[derive(Clone, Copy)]
enum CompElt<'s> {
    One(&'s Expr),
    Pair(&'s Expr, &'s Expr),
}

/// An iteration in progress (`for`, comprehensions, unpacking).
pub enum Iter {
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    /// A list, read live by index (appending while iterating is seen, as in Python).
    List {
        list: Rc<super::value::Cells<Vec<Value>>>,
        i: usize,
    },
    Tuple {
        items: Rc<super::value::Items>,
        i: usize,
    },
    Vals(std::vec::IntoIter<Value>),
    /// A dict's or a set's keys, or a dict view's values, taken as the iteration starts; `of`
    /// and its size then, to raise CPython's RuntimeError once it has changed size.
    Sized {
        items: std::vec::IntoIter<Value>,
        of: Value,
        len: usize,
    },
}

impl Iter {
    /// CPython's RuntimeError for an iteration whose dict or set changed size since it began
    /// (`for k in d: d[k + 10] = 1`), which its next step raises.
    pub fn changed_size(&self) -> Result<(), Flow> {
        let Iter::Sized { of, len, .. } = self else { return Ok(()) };
        let (now, what) = match of {
            Value::Dict(d) => (d.borrow().len(), "dictionary"),
            Value::Set(d) => (d.borrow().len(), "Set"),
            _ => return Ok(()),
        };
        if now != *len {
            return raise(E::RuntimeError, format!("{what} changed size during iteration"));
        }
        Ok(())
    }
}

impl Iterator for Iter {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            Iter::Range { next, stop, step } => {
                let more = if *step > 0 { *next < *stop } else { *next > *stop };
                if !more {
                    return None;
                }
                let v = *next;
                match next.checked_add(*step) {
                    Some(n) => *next = n,
                    None => *next = *stop,
                }
                Some(Value::Int(v))
            }
            Iter::List { list, i } => {
                let v = list.borrow().get(*i).cloned();
                *i += 1;
                v
            }
            Iter::Tuple { items, i } => {
                let v = items.get(*i).cloned();
                *i += 1;
                v
            }
            Iter::Vals(it) | Iter::Sized { items: it, .. } => it.next(),
        }
    }
}

pub fn const_value(c: &Const) -> Value {
    match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::str(s),
    }
}

impl<'a> Interp<'a> {
    /// Evaluates `e` in `f`.
    pub fn eval<'s>(&'s self, e: &'s Expr, f: &'s Frame) -> BoxFut<'s> {
        Box::pin(self.eval_inner(e, f))
    }

    /// Names and constants, evaluated without a future; `None` for anything else.
    pub fn leaf(&self, e: &Expr, f: &Frame) -> Option<Res> {
        match &e.kind {
            // Not counted as steps: every name and constant is part of a counted expression or
            // statement, a bounded number of them each (the source's size bounds it).
            ExprKind::Name(n) => Some(self.load(n, f)),
            ExprKind::Const(c) => Some(Ok(const_value(c))),
            _ => None,
        }
    }

    async fn eval_inner<'s>(&'s self, e: &'s Expr, f: &'s Frame) -> Res {
        self.step(e.pos.line)?;
        match &e.kind {
            ExprKind::Name(n) => self.load(n, f),
            ExprKind::Const(c) => Ok(const_value(c)),
            ExprKind::BinOp { left, op, right } if matches!(left.kind, ExprKind::BinOp { .. }) => {
                self.binop_chain(left, *op, right, f).await
            }
            ExprKind::BinOp { left, op, right } => {
                let l = ev!(self, left, f)?;
                let r = ev!(self, right, f)?;
                self.binop_any(*op, l, r, f).await
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = ev!(self, operand, f)?;
                use crate::core::py::ast::UnaryOp;
                let dunder = match op {
                    UnaryOp::Not => return Ok(Value::Bool(!self.truth(&v, f)?)),
                    UnaryOp::Neg => "__neg__",
                    UnaryOp::Pos => "__pos__",
                    UnaryOp::Invert => "__invert__",
                };
                // The reader's `-v`, `+v` and `~v`, as the binary operators call theirs.
                if let Some(m) = user_method(&v, dunder) {
                    return self.call(m, Vec::new(), Vec::new(), f, f.line.get()).await;
                }
                self.unary(*op, &v)
            }
            ExprKind::BoolOp { op, values } => {
                let mut last = Value::None;
                for v in values {
                    last = ev!(self, v, f)?;
                    if self.truth(&last, f)? == (*op == BoolOp::Or) {
                        break;
                    }
                }
                Ok(last)
            }
            ExprKind::Compare { left, ops, comparators } => {
                let mut l = ev!(self, left, f)?;
                for (op, c) in ops.iter().zip(comparators) {
                    let r = ev!(self, c, f)?;
                    if !self.compare_any(*op, &l, &r, f).await? {
                        return Ok(Value::Bool(false));
                    }
                    l = r;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::Call { func, args: arg_exprs, keywords } => {
                let callee = ev!(self, func, f)?;
                if let Some((want, elt, generators)) = any_or_all_of_a_generator(&callee, arg_exprs, keywords) {
                    return self.any_or_all(want, elt, generators, f).await;
                }
                let (args, kwargs) = self.eval_args(arg_exprs, keywords, f).await?;
                f.line.set(e.pos.line);
                // A coroutine's lane label names its arguments as the call wrote them.
                let written =
                    is_async_callee(&callee) && args.len() == arg_exprs.len() && kwargs.len() == keywords.len();
                let label =
                    written.then(|| super::call::written_label(func, arg_exprs, keywords, &args, &kwargs)).flatten();
                let out = self.call(callee, args, kwargs, f, e.pos.line).await?;
                match (label, &out) {
                    (Some(label), Value::Coro(c)) => *c.label.borrow_mut() = Rc::from(label),
                    (Some(label), Value::Obj(o)) => {
                        if let Some(g) = o.agen() {
                            *g.label.borrow_mut() = Rc::from(label);
                        }
                    }
                    _ => {}
                }
                Ok(out)
            }
            ExprKind::Attribute { value, attr } => {
                let v = ev!(self, value, f)?;
                self.get_attr(&v, attr, f)
            }
            ExprKind::Subscript { value, index } if !matches!(index.kind, ExprKind::Slice { .. }) => {
                let v = ev!(self, value, f)?;
                let i = ev!(self, index, f)?;
                match user_method(&v, "__getitem__") {
                    Some(m) => self.call(m, vec![i], Vec::new(), f, e.pos.line).await,
                    None => self.get_item(&v, &i),
                }
            }
            ExprKind::Await(operand) => {
                let v = ev!(self, operand, f)?;
                f.line.set(e.pos.line);
                self.await_value(v, f, e.pos.line).await
            }
            ExprKind::IfExp { test, body, orelse } => {
                if self.truth(&ev!(self, test, f)?, f)? {
                    ev!(self, body, f)
                } else {
                    ev!(self, orelse, f)
                }
            }
            // Displays, comprehensions, f-strings, slices and lambdas are boxed apart: the frame of
            // this function stays small, and every level of a deep recursion passes here.
            _ => Box::pin(self.eval_rare(e, f)).await,
        }
    }

    async fn eval_rare<'s>(&'s self, e: &'s Expr, f: &'s Frame) -> Res {
        match &e.kind {
            ExprKind::FString(parts) => {
                let s = self.fstring(parts, f).await?;
                self.new_str(s)
            }
            ExprKind::List(items) => {
                let items = self.eval_items(items, f).await?;
                self.alloc(items.len())?;
                Ok(Value::list(items))
            }
            ExprKind::Tuple(items) => {
                let items = self.eval_items(items, f).await?;
                self.alloc(items.len())?;
                Ok(Value::tuple(items))
            }
            ExprKind::Set(items) => {
                let folded = items.len() > 2 && items.iter().all(Expr::is_folded_constant);
                let items = self.eval_items(items, f).await?;
                match folded {
                    true => self.constant_set_display(items),
                    false => self.make_set(items),
                }
            }
            ExprKind::Dict(pairs) => self.eval_dict(pairs, f).await,
            ExprKind::Comp { kind, elt, generators } => {
                let mut out = match kind {
                    CompKind::Set => CompOut::Set(Dict::new_set()),
                    _ => CompOut::List(Vec::new()),
                };
                self.comprehension(generators, CompElt::One(elt), f, &mut out).await?;
                Ok(match out {
                    CompOut::Set(d) => Value::set(d),
                    CompOut::List(v) => Value::list(v),
                    CompOut::Dict(d) => Value::dict(d),
                    CompOut::Until { .. } => Value::None,
                })
            }
            ExprKind::DictComp { key, value, generators } => {
                let mut out = CompOut::Dict(Dict::default());
                self.comprehension(generators, CompElt::Pair(key, value), f, &mut out).await?;
                Ok(match out {
                    CompOut::Dict(d) => Value::dict(d),
                    _ => Value::None,
                })
            }
            ExprKind::Subscript { value, index } => {
                let v = ev!(self, value, f)?;
                if let Some(bounds) = self.slice_bounds(index, f).await? {
                    return self.get_slice(&v, bounds);
                }
                let i = ev!(self, index, f)?;
                self.get_item(&v, &i)
            }
            // Read by `Subscript` above, and as an assignment's or a `del`'s target: one
            // evaluated alone is in a tuple (`x[1:2, 3]`) or an augmented assignment's target.
            ExprKind::Slice { .. } => raise(
                E::TypeError,
                "a slice in a tuple (x[1:2, 3]) or an augmented assignment to one (x[1:2] += [9]) is not in awaitlab's subset",
            ),
            ExprKind::Starred(_) => {
                raise(E::TypeError, "starred expression is only allowed in calls, lists and tuples")
            }
            ExprKind::Lambda(def) => self.make_func(def, f).await,
            ExprKind::Yield(value) => {
                let v = match value {
                    Some(e) => ev!(self, e, f)?,
                    None => Value::None,
                };
                f.line.set(e.pos.line);
                self.agen_yield(v, f).await
            }
            ExprKind::NamedExpr { target, value } => {
                let v = ev!(self, value, f)?;
                self.store_named(target, v.clone(), f);
                Ok(v)
            }
            _ => raise(E::TypeError, "unexpected expression"),
        }
    }

    /// `a + b + c + ...`: the parser nests such a chain to the left, one node per operator; it is
    /// walked with a loop here, so a long chain does not nest a future per operator on the stack.
    async fn binop_chain<'s>(&'s self, left: &'s Expr, op: BinOp, right: &'s Expr, f: &'s Frame) -> Res {
        let mut spine = vec![(op, right)];
        let mut first = left;
        while let ExprKind::BinOp { left, op, right } = &first.kind {
            self.step(first.pos.line)?;
            spine.push((*op, right));
            first = left;
        }
        let mut acc = ev!(self, first, f)?;
        for (op, r) in spine.into_iter().rev() {
            let rv = ev!(self, r, f)?;
            acc = self.binop_any(op, acc, rv, f).await?;
        }
        Ok(acc)
    }

    /// A subscript's `lower:upper:step`, evaluated, if it is a slice.
    pub(super) async fn slice_bounds<'s>(
        &'s self,
        index: &'s Expr,
        f: &'s Frame,
    ) -> Result<Option<super::ops::SliceBounds>, Flow> {
        let ExprKind::Slice { lower, upper, step } = &index.kind else { return Ok(None) };
        let lower = self.slice_bound(lower.as_deref(), f).await?;
        let upper = self.slice_bound(upper.as_deref(), f).await?;
        let step = self.slice_bound(step.as_deref(), f).await?;
        Ok(Some((lower, upper, step)))
    }

    async fn slice_bound<'s>(&'s self, e: Option<&'s Expr>, f: &'s Frame) -> Result<Option<i64>, Flow> {
        let Some(e) = e else { return Ok(None) };
        match ev!(self, e, f)? {
            Value::None => Ok(None),
            v => match super::ops::as_int(&v) {
                Some(i) => Ok(Some(i)),
                None => raise(E::TypeError, "slice indices must be integers or None"),
            },
        }
    }

    /// A variable's value: local scope, enclosing scopes, globals, then built-ins.
    pub fn load(&self, name: &str, f: &Frame) -> Res {
        let global = f.scope.decl.borrow().get(name).copied() == Some(true);
        if !global {
            if let Some(v) = f.scope.vars.borrow().get(name) {
                return Ok(v.clone());
            }
            if f.scope.is_local(name) {
                let why = format!("cannot access local variable '{name}' where it is not associated with a value");
                return raise(E::UnboundLocalError, why);
            }
            let mut scope = f.scope.parent.as_ref();
            while let Some(s) = scope {
                if let Some(v) = s.vars.borrow().get(name) {
                    return Ok(v.clone());
                }
                scope = s.parent.as_ref();
            }
        }
        if let Some(v) = self.globals.vars.borrow().get(name) {
            return Ok(v.clone());
        }
        match self.builtin_named(name) {
            Some(v) => Ok(v),
            None => {
                // A name imported from `typing` for annotations, used as a value.
                let imported = self.annotation_names.borrow().get(name).cloned();
                match imported {
                    Some((module, name)) => self.module_attr(module, &name),
                    None if NOT_HERE_BUILTINS.contains(&name) => raise(
                        E::NameError,
                        format!("name '{name}' is not defined (CPython's built-in, not in awaitlab's subset)"),
                    ),
                    None => raise(E::NameError, format!("name '{name}' is not defined")),
                }
            }
        }
    }

    /// Assigns a variable: in the local scope, unless declared `global` or `nonlocal`.
    pub fn store(&self, name: &str, v: Value, f: &Frame) {
        self.store_in(&f.scope, name, v);
    }

    /// `name := v`: bound in the scope around the comprehensions it is in (CPython's rule).
    fn store_named(&self, name: &str, v: Value, f: &Frame) {
        let mut scope = &f.scope;
        while let (true, Some(parent)) = (scope.comprehension, &scope.parent) {
            scope = parent;
        }
        self.store_in(scope, name, v);
    }

    /// `name = v` run in `scope`, which may declare it `global` or `nonlocal`.
    fn store_in(&self, scope: &Rc<Scope>, name: &str, v: Value) {
        let decl = scope.decl.borrow().get(name).copied();
        let target = match decl {
            Some(true) => self.globals.clone(),
            Some(false) => {
                let mut outer = scope.parent.clone();
                loop {
                    match outer {
                        Some(s) if s.vars.borrow().contains_key(name) => break s,
                        Some(s) => outer = s.parent.clone(),
                        None => break scope.clone(),
                    }
                }
            }
            None => scope.clone(),
        };
        target.vars.borrow_mut().insert(Rc::from(name), v);
    }

    /// The items of a list, tuple or set display, `*rest` spread.
    async fn eval_items<'s>(&'s self, items: &'s [Expr], f: &'s Frame) -> Result<Vec<Value>, Flow> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let ExprKind::Starred(inner) = &item.kind {
                let v = ev!(self, inner, f)?;
                out.extend(self.iterate(&v)?);
            } else {
                out.push(ev!(self, item, f)?);
            }
        }
        Ok(out)
    }

    async fn eval_dict<'s>(&'s self, pairs: &'s [(Option<Expr>, Expr)], f: &'s Frame) -> Res {
        let mut d = Dict::default();
        for (k, v) in pairs {
            match k {
                Some(k) => {
                    let key = ev!(self, k, f)?;
                    let value = ev!(self, v, f)?;
                    self.dict_set(&mut d, key, value)?;
                }
                None => match ev!(self, v, f)? {
                    Value::Dict(other) => {
                        for (k, v) in other.borrow().iter() {
                            self.dict_set(&mut d, k.clone(), v.clone())?;
                        }
                    }
                    other => return raise(E::TypeError, format!("'{}' object is not a mapping", other.type_name())),
                },
            }
        }
        Ok(Value::dict(d))
    }

    /// `d[key] = value` on a dict being built.
    pub fn dict_set(&self, d: &mut Dict, key: Value, value: Value) -> Result<(), Flow> {
        let h = self.key(&key)?;
        self.alloc(1)?;
        d.insert(h, key, value);
        Ok(())
    }

    /// A `for`'s or a comprehension's iterable: a display of constants there, `{1, 2}`, is the
    /// constant frozenset CPython's optimizer makes of it, in that frozenset's order.
    pub async fn iterable<'s>(&'s self, e: &'s Expr, f: &'s Frame) -> Res {
        match &e.kind {
            ExprKind::Set(items) if items.iter().all(Expr::is_folded_constant) => {
                let items = self.eval_items(items, f).await?;
                self.constant_frozenset(items).map(Value::set)
            }
            _ => ev!(self, e, f),
        }
    }

    /// A set of `items`.
    pub fn make_set(&self, items: Vec<Value>) -> Res {
        let mut d = Dict::new_set();
        for v in items {
            self.dict_set(&mut d, v, Value::None)?;
        }
        Ok(Value::set(d))
    }

    /// A call's positional and keyword arguments, `*args` and `**kwargs` spread.
    pub async fn eval_args<'s>(
        &'s self,
        args: &'s [Expr],
        keywords: &'s [crate::core::py::ast::Keyword],
        f: &'s Frame,
    ) -> Result<(Vec<Value>, Vec<(Rc<str>, Value)>), Flow> {
        let pos = self.eval_items(args, f).await?;
        let mut kw = Vec::with_capacity(keywords.len());
        for k in keywords {
            let v = ev!(self, &k.value, f)?;
            match &k.name {
                Some(name) => kw.push((Rc::from(name.as_str()), v)),
                None => match v {
                    Value::Dict(d) => {
                        for (k, v) in d.borrow().iter() {
                            match k {
                                Value::Str(s) => kw.push((s.clone(), v.clone())),
                                _ => return raise(E::TypeError, "keywords must be strings"),
                            }
                        }
                    }
                    other => {
                        return raise(
                            E::TypeError,
                            format!("argument after ** must be a mapping, not {}", other.type_name()),
                        )
                    }
                },
            }
        }
        Ok((pos, kw))
    }

    /// An f-string's text.
    fn fstring<'s>(
        &'s self,
        parts: &'s [FPart],
        f: &'s Frame,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, Flow>> + 's>> {
        Box::pin(async move {
            let mut out = String::new();
            for part in parts {
                match part {
                    FPart::Lit(s) => out.push_str(s),
                    FPart::Value { value, conversion, spec } => {
                        let v = ev!(self, value, f)?;
                        let v = match conversion {
                            Some('r' | 'a') => Value::Str(Rc::from(self.repr_of(&v, f).await?)),
                            Some('s') => Value::Str(Rc::from(self.to_str(&v, f).await?)),
                            _ => v,
                        };
                        let spec = if spec.is_empty() { String::new() } else { self.fstring(spec, f).await? };
                        out.push_str(&self.format_with(&v, &spec, f).await?);
                    }
                }
                if out.len() > super::limits::MAX_STR_BYTES {
                    return raise(E::MemoryError, "an f-string longer than awaitlab's limit");
                }
            }
            Ok(out)
        })
    }

    /// `str(v)`, calling the reader's `__str__` (or `__repr__`) if the class has one.
    pub async fn to_str(&self, v: &Value, f: &Frame) -> Result<String, Flow> {
        if let Value::Instance(i) = v {
            if let Some(m @ Value::Func(_)) = i.class.lookup("__str__") {
                let s = self.call(m, vec![v.clone()], Vec::new(), f, f.line.get()).await?;
                return Ok(fmt::to_str(&s));
            }
        }
        if matches!(v, Value::Str(_)) {
            return Ok(fmt::to_str(v));
        }
        if !needs_custom_repr(v) {
            return too_long(fmt::to_str(v));
        }
        self.repr_of(v, f).await
    }

    /// `repr(v)`, calling the reader's `__repr__` methods (in containers too).
    pub fn repr_of<'s>(
        &'s self,
        v: &'s Value,
        f: &'s Frame,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, Flow>> + 's>> {
        Box::pin(async move {
            if !needs_custom_repr(v) {
                return too_long(fmt::repr(v));
            }
            if let Some(shown_again) = fmt::repr_again(v) {
                let (again, too_deep) = {
                    let open = self.reprs_open.borrow();
                    // Past `fmt::repr`'s depth, as it shows the deepest values (the reader's
                    // `__repr__` in a list nested 100,000 deep overflowed the stack).
                    (open.contains(&v.identity()), open.len() > fmt::MAX_REPR_DEPTH as usize)
                };
                if again || too_deep {
                    return Ok(if again { shown_again } else { "..." }.to_string());
                }
                let _open = ReprOpen::enter(&self.reprs_open, v);
                return self.container_repr(v, f).await;
            }
            match v {
                Value::Instance(i) => match i.class.lookup("__repr__") {
                    Some(Value::Func(func)) => {
                        // The `__repr__` `@dataclass` wrote is CPython's `reprlib.recursive_repr`:
                        // an instance met again inside its own repr shows as `...`.
                        let _open = if super::dataclass::wrote(&func) {
                            if self.reprs_open.borrow().contains(&v.identity()) {
                                return Ok("...".to_string());
                            }
                            Some(ReprOpen::enter(&self.reprs_open, v))
                        } else {
                            None
                        };
                        let s = self.call(Value::Func(func), vec![v.clone()], Vec::new(), f, f.line.get()).await?;
                        Ok(fmt::to_str(&s))
                    }
                    _ => Ok(fmt::repr(v)),
                },
                Value::Set(d) => {
                    let items = d.borrow().keys();
                    self.seq_repr(items, "{", "}", f).await
                }
                other => Ok(fmt::repr(other)),
            }
        })
    }

    /// The repr of a list, tuple, dict or dict view that holds the reader's `__repr__`.
    async fn container_repr(&self, v: &Value, f: &Frame) -> Result<String, Flow> {
        match v {
            Value::List(l) => {
                let items = l.borrow().clone();
                self.seq_repr(items, "[", "]", f).await
            }
            Value::Tuple(t) => self.seq_repr(t.to_vec(), "(", ")", f).await,
            Value::Dict(d) => {
                let pairs: Vec<(Value, Value)> = d.borrow().iter().cloned().collect();
                let mut out = String::from("{");
                for (i, (k, val)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&self.repr_of(k, f).await?);
                    out.push_str(": ");
                    out.push_str(&self.repr_of(val, f).await?);
                    too_long_so_far(&out)?;
                }
                out.push('}');
                Ok(out)
            }
            Value::Obj(o) => {
                let items = self.seq_repr(o.iter_values().unwrap_or_default(), "([", "])", f).await?;
                Ok(format!("{}{items}", o.type_name()))
            }
            other => Ok(fmt::repr(other)),
        }
    }

    async fn seq_repr(&self, items: Vec<Value>, open: &str, close: &str, f: &Frame) -> Result<String, Flow> {
        let mut out = String::from(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&self.repr_of(item, f).await?);
            too_long_so_far(&out)?;
        }
        if open == "(" && items.len() == 1 {
            out.push(',');
        }
        out.push_str(close);
        Ok(out)
    }

    /// The values `v` iterates over, for `*spread`, unpacking and built-ins.
    pub fn iterate(&self, v: &Value) -> Result<Vec<Value>, Flow> {
        let it = self.iter_of(v)?;
        if let Iter::Range { next, stop, step } = &it {
            self.alloc(super::value::range_len(*next, *stop, *step).max(0) as usize)?;
        }
        let items: Vec<Value> = it.collect();
        self.work(items.len())?;
        Ok(items)
    }

    /// An iteration over `v`.
    pub fn iter_of(&self, v: &Value) -> Result<Iter, Flow> {
        Ok(match v {
            Value::Range(r) => Iter::Range { next: r.0, stop: r.1, step: r.2 },
            Value::List(l) => Iter::List { list: l.clone(), i: 0 },
            Value::Tuple(t) => Iter::Tuple { items: t.clone(), i: 0 },
            Value::Str(s) => {
                self.work(s.len())?;
                Iter::Vals(s.chars().map(|c| Value::str(c.encode_utf8(&mut [0; 4]))).collect::<Vec<_>>().into_iter())
            }
            Value::Dict(d) | Value::Set(d) => {
                let len = d.borrow().len();
                Iter::Sized { items: d.borrow().keys().into_iter(), of: v.clone(), len }
            }
            Value::Obj(o) => match o.iter_values() {
                Some(vals) => {
                    // A dict's items view makes a tuple per item.
                    self.alloc(vals.len())?;
                    match &**o {
                        super::native::Obj::DictView(_, dict @ Value::Dict(d)) => {
                            let len = d.borrow().len();
                            Iter::Sized { items: vals.into_iter(), of: dict.clone(), len }
                        }
                        _ => Iter::Vals(vals.into_iter()),
                    }
                }
                None => return raise(E::TypeError, format!("'{}' object is not iterable", v.type_name())),
            },
            other => return raise(E::TypeError, format!("'{}' object is not iterable", other.type_name())),
        })
    }

    fn comprehension<'s>(
        &'s self,
        gens: &'s [Comprehension],
        elt: CompElt<'s>,
        f: &'s Frame,
        out: &'s mut CompOut,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Flow>> + 's>> {
        Box::pin(async move {
            // The comprehension's variables live in a scope of their own, as in Python 3.
            let scope = Scope::of_comprehension(f.scope.clone());
            let mut frame = Frame::new(scope.clone(), Some(scope), f.task(), f.name.clone(), f.line.get());
            frame.method_of = f.method_of.clone();
            self.comp_level(gens, elt, &frame, out).await
        })
    }

    fn comp_level<'s>(
        &'s self,
        gens: &'s [Comprehension],
        elt: CompElt<'s>,
        f: &'s Frame,
        out: &'s mut CompOut,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Flow>> + 's>> {
        Box::pin(async move {
            let Some((first, rest)) = gens.split_first() else {
                return self.comp_emit(elt, f, out).await;
            };
            let iterable = self.iterable(&first.iter, f).await?;
            if first.is_async {
                let line = first.target.pos.line;
                let anext = self.async_iter(&iterable, f, line).await?;
                'async_items: while let Some(item) = self.async_next(&anext, f, line).await? {
                    self.assign(&first.target, item, f).await?;
                    for cond in &first.ifs {
                        if !self.truth(&ev!(self, cond, f)?, f)? {
                            continue 'async_items;
                        }
                    }
                    self.comp_level(rest, elt, f, out).await?;
                    if out.stopped() {
                        break;
                    }
                }
                return Ok(());
            }
            let mut items = self.iter_of(&iterable)?;
            'items: loop {
                items.changed_size()?;
                let Some(item) = items.next() else { break };
                self.step(first.target.pos.line)?;
                self.assign(&first.target, item, f).await?;
                for cond in &first.ifs {
                    if !self.truth(&ev!(self, cond, f)?, f)? {
                        continue 'items;
                    }
                }
                self.comp_level(rest, elt, f, out).await?;
                if out.stopped() {
                    break;
                }
            }
            Ok(())
        })
    }

    /// `any(elt for ...)` (`want` true) or `all(...)`: the generator's elements are made one at
    /// a time and the first whose truth is `want` ends it, as CPython's lazy generator does (the
    /// rest of the generator expressions here run eagerly, into a list).
    fn any_or_all<'s>(
        &'s self,
        want: bool,
        elt: &'s Expr,
        gens: &'s [Comprehension],
        f: &'s Frame,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Res> + 's>> {
        Box::pin(async move {
            let mut out = CompOut::Until { want, hit: false };
            self.comprehension(gens, CompElt::One(elt), f, &mut out).await?;
            Ok(Value::Bool(out.stopped() == want))
        })
    }

    async fn comp_emit<'s>(&'s self, elt: CompElt<'s>, f: &'s Frame, out: &'s mut CompOut) -> Result<(), Flow> {
        match (elt, out) {
            (CompElt::One(e), CompOut::List(v)) => {
                let x = ev!(self, e, f)?;
                self.alloc(1)?;
                v.push(x);
            }
            (CompElt::One(e), CompOut::Set(d)) => {
                let x = ev!(self, e, f)?;
                self.dict_set(d, x, Value::None)?;
            }
            (CompElt::One(e), CompOut::Until { want, hit }) => {
                let x = ev!(self, e, f)?;
                *hit = self.truth(&x, f)? == *want;
            }
            (CompElt::Pair(k, v), CompOut::Dict(d)) => {
                let key = ev!(self, k, f)?;
                let value = ev!(self, v, f)?;
                self.dict_set(d, key, value)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A function object for `def` or `lambda`: its defaults evaluated now, its enclosing scope
    /// captured.
    pub async fn make_func<'s>(&'s self, def: &'s Rc<Function>, f: &'s Frame) -> Res {
        let mut defaults = Vec::with_capacity(def.params.args.len());
        for p in &def.params.args {
            defaults.push(match &p.default {
                Some(e) => Some(ev!(self, e, f)?),
                None => None,
            });
        }
        let mut kw_defaults = Vec::with_capacity(def.params.kwonly.len());
        for p in &def.params.kwonly {
            kw_defaults.push(match &p.default {
                Some(e) => Some(ev!(self, e, f)?),
                None => None,
            });
        }
        Ok(Value::Func(Rc::new(Func {
            def: def.clone(),
            defaults,
            kw_defaults,
            scope: f.closure.clone(),
            class: RefCell::new(None),
            qual: f.qualname_of(&def.name),
            attrs: RefCell::default(),
        })))
    }
}

/// Whether `repr(v)` needs the reader's `__repr__` (an instance of a class defining it, here or
/// inside a list, tuple, set or dict).
fn needs_custom_repr(v: &Value) -> bool {
    holds_custom_repr(v, 0, &mut rustc_hash::FxHashMap::default())
}

/// Whether `v` holds the reader's `__repr__` within 20 levels, `depth` levels down. `seen`
/// keeps the shallowest depth each container was looked at from, so each is looked at again
/// only from nearer the top (a list holding itself twice was looked at 2^depth times), where
/// more of it is within reach.
fn holds_custom_repr(v: &Value, depth: u32, seen: &mut rustc_hash::FxHashMap<usize, u32>) -> bool {
    if depth > 20 {
        return false;
    }
    if fmt::repr_again(v).is_some() || matches!(v, Value::Set(_)) {
        match seen.entry(v.identity()) {
            std::collections::hash_map::Entry::Occupied(e) if *e.get() <= depth => return false,
            entry => {
                entry.insert_entry(depth);
            }
        }
    }
    let mut holds = |x: &Value| holds_custom_repr(x, depth + 1, seen);
    match v {
        Value::Instance(i) => matches!(i.class.lookup("__repr__"), Some(Value::Func(_))),
        Value::List(l) => l.borrow().iter().any(holds),
        Value::Tuple(t) => t.iter().any(holds),
        Value::Dict(d) | Value::Set(d) => d.borrow().iter().any(|(k, x)| holds(k) || holds(x)),
        Value::Obj(o) if o.is_dict_view() => o.iter_values().is_some_and(|items| items.iter().any(holds)),
        _ => false,
    }
}

/// A repr written without the reader's code, refused if it passed awaitlab's longest string
/// (`fmt::repr` stops writing soon after).
fn too_long(repr: String) -> Result<String, Flow> {
    too_long_so_far(&repr)?;
    Ok(repr)
}

/// A MemoryError once a repr being written passes [`limits::MAX_STR_BYTES`].
fn too_long_so_far(repr: &str) -> Result<(), Flow> {
    if repr.len() > super::limits::MAX_STR_BYTES {
        let limit = super::thousands(super::limits::MAX_STR_BYTES as u64);
        return raise(E::MemoryError, format!("a repr longer than {limit} bytes"));
    }
    Ok(())
}

impl Interp<'_> {
    /// `bool(v)`, as `if`, `while`, `not`, `and`/`or` and `bool()` test it: the reader's
    /// `__bool__`, else its `__len__` (a plain `def`, so it runs to its end here, as a property's
    /// getter does), else Python's rule for a built-in value.
    pub fn truth(&self, v: &Value, f: &Frame) -> Result<bool, Flow> {
        if !matches!(v, Value::Instance(_)) {
            return Ok(v.truthy());
        }
        let Some((name, m)) = ["__bool__", "__len__"].into_iter().find_map(|n| Some((n, user_method(v, n)?))) else {
            return Ok(true);
        };
        match (name, self.call_plain(m, Vec::new(), f, name)?) {
            (_, Value::Bool(b)) => Ok(b),
            ("__len__", Value::Int(n)) if n >= 0 => Ok(n != 0),
            ("__len__", Value::Int(_)) => raise(E::ValueError, "__len__() should return >= 0"),
            ("__len__", other) => {
                raise(E::TypeError, format!("'{}' object cannot be interpreted as an integer", other.type_name()))
            }
            (_, other) => raise(E::TypeError, format!("__bool__ should return bool, returned {}", other.type_name())),
        }
    }
}

/// Whether calling `v` makes a coroutine (an `async def`, plain or bound).
fn is_async_callee(v: &Value) -> bool {
    match v {
        Value::Func(f) => f.def.is_async,
        Value::Bound(b) => b.1.def.is_async,
        _ => false,
    }
}

/// The reader's method for a binary operator, and its reflected twin.
fn dunders(op: BinOp) -> (&'static str, &'static str) {
    match op {
        BinOp::Add => ("__add__", "__radd__"),
        BinOp::Sub => ("__sub__", "__rsub__"),
        BinOp::Mul => ("__mul__", "__rmul__"),
        BinOp::Div => ("__truediv__", "__rtruediv__"),
        BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__"),
        BinOp::Mod => ("__mod__", "__rmod__"),
        BinOp::Pow => ("__pow__", "__rpow__"),
        BinOp::BitAnd => ("__and__", "__rand__"),
        BinOp::BitOr => ("__or__", "__ror__"),
        BinOp::BitXor => ("__xor__", "__rxor__"),
        BinOp::LShift => ("__lshift__", "__rlshift__"),
        BinOp::RShift => ("__rshift__", "__rrshift__"),
    }
}

/// The reader's method `name` on `v`'s class, if `v` is an instance of a class defining it.
pub fn user_method(v: &Value, name: &str) -> Option<Value> {
    match v {
        Value::Instance(i) => match i.class.lookup(name)? {
            Value::Func(func) => Some(Value::Bound(Rc::new((v.clone(), func)))),
            _ => None,
        },
        _ => None,
    }
}

impl<'a> Interp<'a> {
    /// `async for`'s start: `iterable.__aiter__()`, and that object's `__anext__` (bound).
    pub async fn async_iter(&self, iterable: &Value, f: &Frame, line: u32) -> Res {
        if matches!(iterable, Value::Obj(o) if o.agen().is_some()) {
            return Ok(Value::Method(Rc::new((iterable.clone(), super::builtins::B::AgenAnext))));
        }
        let Some(aiter) = user_method(iterable, "__aiter__") else {
            let name = iterable.type_name();
            return raise(E::TypeError, format!("'async for' requires an object with __aiter__ method, got {name}"));
        };
        let it = self.call(aiter, Vec::new(), Vec::new(), f, line).await?;
        if matches!(&it, Value::Obj(o) if o.agen().is_some()) {
            // `def __aiter__(self): return self.items()`, an async generator method.
            return Ok(Value::Method(Rc::new((it, super::builtins::B::AgenAnext))));
        }
        match user_method(&it, "__anext__") {
            Some(anext) => Ok(anext),
            None => raise(
                E::TypeError,
                format!(
                    "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                    it.type_name()
                ),
            ),
        }
    }

    /// `async for`'s next item: `await anext()`, or `None` once it raises `StopAsyncIteration`.
    pub async fn async_next(&self, anext: &Value, f: &Frame, line: u32) -> Result<Option<Value>, Flow> {
        // Back at the loop's header after its body: an error the iterator raises names this
        // line in the loop's frame, as CPython's traceback does, not the body's last.
        f.line.set(line);
        self.step(line)?;
        let aw = self.call(anext.clone(), Vec::new(), Vec::new(), f, line).await?;
        match self.await_value(aw, f, line).await {
            Ok(v) => Ok(Some(v)),
            Err(flow) if self.flow_is(&flow, E::StopAsyncIteration) => Ok(None),
            Err(flow) => Err(flow),
        }
    }

    /// `a op b`, calling the reader's `__add__` (or the right operand's `__radd__`) and friends.
    pub async fn binop_any(&self, op: BinOp, a: Value, b: Value, f: &Frame) -> Res {
        if let (BinOp::Mod, Value::Str(template)) = (op, &a) {
            return self.percent_format(template, &b, f).await;
        }
        if !matches!(a, Value::Instance(_)) && !matches!(b, Value::Instance(_)) {
            return self.binop(op, &a, &b);
        }
        let (name, reflected) = dunders(op);
        if let Some(m) = user_method(&a, name) {
            let r = self.call(m, vec![b.clone()], Vec::new(), f, f.line.get()).await?;
            if !is_not_implemented(&r) {
                return Ok(r);
            }
        }
        if let Some(m) = user_method(&b, reflected) {
            let r = self.call(m, vec![a.clone()], Vec::new(), f, f.line.get()).await?;
            if !is_not_implemented(&r) {
                return Ok(r);
            }
        }
        self.binop(op, &a, &b)
    }

    /// One comparison, calling the reader's `__eq__`, `__lt__`… (or the reflected one).
    pub async fn compare_any(&self, op: CmpOp, a: &Value, b: &Value, f: &Frame) -> Result<bool, Flow> {
        let names = match op {
            // Lists, tuples and dicts holding the reader's objects compare them with their `__eq__`.
            CmpOp::Eq | CmpOp::NotEq
                if !matches!(a, Value::Instance(_))
                    && !matches!(b, Value::Instance(_))
                    && (holds_user_eq(a) || holds_user_eq(b)) =>
            {
                let _level = self.compare_one_level_deeper()?;
                let same = Box::pin(self.containers_equal(a, b, f)).await?;
                return Ok(same == (op == CmpOp::Eq));
            }
            // Lists and tuples holding the reader's objects order by their first unequal pair.
            CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE
                if !matches!(a, Value::Instance(_))
                    && !matches!(b, Value::Instance(_))
                    && (holds_instance(a) || holds_instance(b)) =>
            {
                let _level = self.compare_one_level_deeper()?;
                return Box::pin(self.sequences_order(op, a, b, f)).await;
            }
            CmpOp::Eq => Some(("__eq__", "__eq__")),
            CmpOp::NotEq => Some(("__ne__", "__ne__")),
            CmpOp::Lt => Some(("__lt__", "__gt__")),
            CmpOp::LtE => Some(("__le__", "__ge__")),
            CmpOp::Gt => Some(("__gt__", "__lt__")),
            CmpOp::GtE => Some(("__ge__", "__le__")),
            CmpOp::In | CmpOp::NotIn if holds_user_eq(a) && is_items_view(b) => {
                // `(key, value) in d.items()`: the key looked up, the value compared.
                let found = match (a, b) {
                    (Value::Tuple(pair), Value::Obj(o)) if pair.len() == 2 => match &**o {
                        super::native::Obj::DictView(_, Value::Dict(d)) => {
                            let value = pair[0].hkey().ok().and_then(|h| d.borrow().get(&h).cloned());
                            match value {
                                Some(v) => {
                                    v.is(&pair[1]) || Box::pin(self.compare_any(CmpOp::Eq, &pair[1], &v, f)).await?
                                }
                                None => false,
                            }
                        }
                        _ => false,
                    },
                    _ => false,
                };
                return Ok(found == (op == CmpOp::In));
            }
            CmpOp::In | CmpOp::NotIn
                if user_method(a, "__eq__").is_some()
                    && (matches!(b, Value::List(_) | Value::Tuple(_)) || is_values_view(b)) =>
            {
                // `x in items` is `any(x is e or x == e for e in items)`, with the reader's `__eq__`.
                let mut found = false;
                for item in self.iterate(b)? {
                    if a.is(&item) || Box::pin(self.compare_any(CmpOp::Eq, a, &item, f)).await? {
                        found = true;
                        break;
                    }
                }
                return Ok(found == (op == CmpOp::In));
            }
            _ => None,
        };
        let Some((name, reflected)) =
            names.filter(|_| matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_)))
        else {
            return self.compare(op, a, b);
        };
        for (obj, other, method) in [(a, b, name), (b, a, reflected)] {
            if let Some(m) = user_method(obj, method) {
                let r = self.call(m, vec![other.clone()], Vec::new(), f, f.line.get()).await?;
                if !is_not_implemented(&r) {
                    return Ok(r.truthy());
                }
            }
        }
        // `!=` falls back on the reader's `__eq__`, either side's, as `object.__ne__` does: one
        // that returns NotImplemented (a dataclass's, for another type) decides nothing.
        if op == CmpOp::NotEq {
            for (obj, other) in [(a, b), (b, a)] {
                if let Some(m) = user_method(obj, "__eq__") {
                    let r = self.call(m, vec![other.clone()], Vec::new(), f, f.line.get()).await?;
                    if !is_not_implemented(&r) {
                        return Ok(!r.truthy());
                    }
                }
            }
        }
        self.compare(op, a, b)
    }
}

/// A container whose repr is being written (see `Interp::reprs_open`), until dropped.
struct ReprOpen<'a>(&'a RefCell<Vec<usize>>);

impl<'a> ReprOpen<'a> {
    fn enter(open: &'a RefCell<Vec<usize>>, v: &Value) -> Self {
        open.borrow_mut().push(v.identity());
        ReprOpen(open)
    }
}

impl Drop for ReprOpen<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().pop();
    }
}

/// A level of [`Interp::compare_any`] inside containers, left when dropped.
struct CompareLevel<'a>(&'a Cell<u32>);

impl Drop for CompareLevel<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl Interp<'_> {
    /// Enters one more level of containers holding the reader's objects compared item by item:
    /// a list holding itself, compared with another, would recurse until the page's stack
    /// overflowed. CPython's stops at its recursion limit, as this does at the call depth's.
    fn compare_one_level_deeper(&self) -> Result<CompareLevel<'_>, Flow> {
        let depth = self.compare_nesting.get();
        if depth >= super::limits::MAX_DEPTH {
            return raise(E::RecursionError, "maximum recursion depth exceeded in comparison");
        }
        self.compare_nesting.set(depth + 1);
        Ok(CompareLevel(&self.compare_nesting))
    }

    /// `a == b` from code that cannot await (a list's `count`, `index`, `remove`): the reader's
    /// `__eq__` is a plain `def`, so it runs to its end here, as a property's getter does.
    pub fn equal_now(&self, a: &Value, b: &Value, f: &Frame) -> Result<bool, Flow> {
        if !holds_user_eq(a) && !holds_user_eq(b) {
            return Ok(super::value::eq(a, b));
        }
        self.compare_now(CmpOp::Eq, a, b, f)
    }

    /// `a op b` from code that cannot await (a sort's or a heap's comparisons, `count`): the
    /// reader's `__lt__`, `__eq__`… are plain `def`s, so they run to their end here.
    pub fn compare_now(&self, op: CmpOp, a: &Value, b: &Value, f: &Frame) -> Result<bool, Flow> {
        if !holds_instance(a) && !holds_instance(b) {
            return self.compare(op, a, b);
        }
        self.run_now(self.compare_any(op, a, b, f), "a comparison")
    }

    /// `a < b` (`<=`, `>`, `>=`) between lists or tuples that may hold the reader's objects, as
    /// CPython's: the first pair of items that are neither the same object nor `==` decides, with
    /// the reader's `__lt__`…, and with no such pair the lengths do. `(1, job_a) < (1, job_b)`
    /// calls `job_a.__lt__(job_b)` (a PriorityQueue's tie), where the plain ordering raised.
    async fn sequences_order(&self, op: CmpOp, a: &Value, b: &Value, f: &Frame) -> Result<bool, Flow> {
        let (x, y): (Vec<Value>, Vec<Value>) = match (a, b) {
            (Value::List(x), Value::List(y)) => (x.borrow().clone(), y.borrow().clone()),
            (Value::Tuple(x), Value::Tuple(y)) => (x.to_vec(), y.to_vec()),
            _ => return self.compare(op, a, b),
        };
        for (p, q) in x.iter().zip(&y) {
            if !(p.is(q) || Box::pin(self.compare_any(CmpOp::Eq, p, q, f)).await?) {
                return Box::pin(self.compare_any(op, p, q, f)).await;
            }
        }
        self.compare(op, &Value::Int(x.len() as i64), &Value::Int(y.len() as i64))
    }

    /// `a == b` for lists, tuples or dicts that may hold the reader's objects: item by item, each
    /// pair first by identity, then with [`Interp::compare_any`], as CPython's containers compare.
    async fn containers_equal(&self, a: &Value, b: &Value, f: &Frame) -> Result<bool, Flow> {
        match (a, b) {
            (Value::List(x), Value::List(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                self.items_equal(&x, &y, f).await
            }
            (Value::Tuple(x), Value::Tuple(y)) => self.items_equal(x, y, f).await,
            (Value::Dict(x), Value::Dict(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (k, v) in x.iter() {
                    let Some(w) = k.hkey().ok().and_then(|h| y.get(&h)) else { return Ok(false) };
                    if !(v.is(w) || Box::pin(self.compare_any(CmpOp::Eq, v, w, f)).await?) {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            _ => self.compare(CmpOp::Eq, a, b),
        }
    }

    async fn items_equal(&self, x: &[Value], y: &[Value], f: &Frame) -> Result<bool, Flow> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (a, b) in x.iter().zip(y) {
            if !(a.is(b) || Box::pin(self.compare_any(CmpOp::Eq, a, b, f)).await?) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// `d.items()`.
fn is_items_view(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&**o, super::native::Obj::DictView(super::native::View::Items, _)))
}

/// `d.values()`.
fn is_values_view(v: &Value) -> bool {
    matches!(v, Value::Obj(o) if matches!(&**o, super::native::Obj::DictView(super::native::View::Values, _)))
}

/// Whether comparing `v` for equality may call the reader's `__eq__`: an instance whose class
/// has one, or a list, tuple or dict holding one.
pub fn holds_user_eq(v: &Value) -> bool {
    holds(v, &|i| matches!(i.class.lookup("__eq__"), Some(Value::Func(_))), &mut HOLDS_LOOKS.clone())
}

/// Whether ordering `v` may call the reader's code: an instance, or a list or tuple holding one.
pub fn holds_instance(v: &Value) -> bool {
    holds(v, &|_| true, &mut HOLDS_LOOKS.clone())
}

/// CPython 3.12's built-in names that awaitlab does not have: a NameError for one says so, not
/// as if the reader had mistyped it.
const NOT_HERE_BUILTINS: &[&str] = &[
    "ascii",
    "breakpoint",
    "bytearray",
    "bytes",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dir",
    "eval",
    "exec",
    "exit",
    "frozenset",
    "globals",
    "help",
    "input",
    "iter",
    "license",
    "locals",
    "memoryview",
    "next",
    "open",
    "quit",
    "slice",
    "vars",
];

/// `any(elt for ...)` or `all(elt for ...)` with the built-in `any` or `all`: whether it is
/// `any`, the element and the `for` clauses.
fn any_or_all_of_a_generator<'e>(
    callee: &Value,
    args: &'e [Expr],
    keywords: &[crate::core::py::ast::Keyword],
) -> Option<(bool, &'e Expr, &'e [Comprehension])> {
    let want = match callee {
        Value::Builtin(super::builtins::B::Any) => true,
        Value::Builtin(super::builtins::B::All) => false,
        _ => return None,
    };
    match (args, keywords) {
        // An `async for` makes an async generator, which `any` cannot iterate (CPython: a
        // TypeError; here it stays a list, made eagerly, as before).
        ([Expr { kind: ExprKind::Comp { kind: CompKind::Generator, elt, generators }, .. }], [])
            if !generators.iter().any(|g| g.is_async) =>
        {
            Some((want, elt, generators))
        }
        _ => None,
    }
}

/// Values [`holds`] looks at before it answers no: the plain comparison then decides, bounded
/// in depth as it always was (the one that asks the reader's code nests a future per level: a
/// list nested 100,000 deep overflowed a 256 MB stack). Unbounded, a list holding itself twice
/// over (`l = [l, l]`, 40 times) was walked for minutes.
const HOLDS_LOOKS: usize = 256;

/// Whether `v` is an instance `is_one` picks, or a list, tuple or dict holding one.
fn holds(v: &Value, is_one: &dyn Fn(&Instance) -> bool, looks: &mut usize) -> bool {
    if *looks == 0 {
        return false;
    }
    *looks -= 1;
    match v {
        Value::Instance(i) => is_one(i),
        Value::List(l) => l.borrow().iter().any(|x| holds(x, is_one, looks)),
        Value::Tuple(t) => t.iter().any(|x| holds(x, is_one, looks)),
        Value::Dict(d) => d.borrow().iter().any(|(_, x)| holds(x, is_one, looks)),
        _ => false,
    }
}

/// Whether a dunder's result is `NotImplemented` (the name resolves to a placeholder string here).
fn is_not_implemented(v: &Value) -> bool {
    matches!(v, Value::Str(s) if &**s == "NotImplemented")
}
