//! Statements: assignment and unpacking, control flow, `try`, `raise`, `with` / `async with`,
//! `def`, `class`, `global` / `nonlocal`, imports.

use std::cell::RefCell;
use std::rc::Rc;

use super::eval::ev;
use super::value::{Class, Module, Value};
use super::{raise, BoxFut, Exc, Flow, Frame, Interp, Res, E};
use crate::core::event::Phase;
use crate::core::py::ast::{BinOp, Expr, ExprKind, Handler, Stmt, StmtKind, WithItem};

impl<'a> Interp<'a> {
    /// Runs `body`'s statements in order.
    pub fn exec_block<'s>(&'s self, body: &'s [Stmt], f: &'s Frame) -> BoxFut<'s> {
        Box::pin(async move {
            for stmt in body {
                let done = self.exec(stmt, f).await;
                // A coroutine this statement dropped without running it (`fetch(1)`, no await),
                // at the line running now (a `try`'s handler's last).
                match done {
                    Err(Flow::Stop(_)) => {}
                    Err(Flow::Exc(_) | Flow::Raise(..)) => self.hold_unawaited(&f.task()),
                    _ => self.warn_unawaited(&f.task(), f.line.get()),
                }
                done?;
            }
            Ok(Value::None)
        })
    }

    async fn exec<'s>(&'s self, s: &'s Stmt, f: &'s Frame) -> Result<(), Flow> {
        f.line.set(s.pos.line);
        if let Some(before) = f.set_task_line(s.pos.line) {
            self.own_statement(before);
        }
        self.step(s.pos.line)?;
        match &s.kind {
            StmtKind::Expr(e) => {
                ev!(self, e, f)?;
            }
            StmtKind::Assign { targets, value } => {
                let v = ev!(self, value, f)?;
                for t in targets {
                    self.assign(t, v.clone(), f).await?;
                }
            }
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => ev!(self, e, f)?,
                    None => Value::None,
                };
                return Err(Flow::Return(v));
            }
            StmtKind::If { test, body, orelse } => {
                if self.truth(&ev!(self, test, f)?, f)? {
                    self.exec_block(body, f).await?;
                } else {
                    self.exec_block(orelse, f).await?;
                }
            }
            StmtKind::While { test, body, orelse } => loop {
                f.line.set(s.pos.line);
                if !self.truth(&ev!(self, test, f)?, f)? {
                    self.exec_block(orelse, f).await?;
                    break;
                }
                match self.exec_block(body, f).await {
                    Ok(_) | Err(Flow::Continue) => {}
                    Err(Flow::Break) => break,
                    Err(other) => return Err(other),
                }
            },
            StmtKind::For { target, iter, body, orelse, is_async: true } => {
                let line = s.pos.line;
                let iterable = ev!(self, iter, f)?;
                let anext = self.async_iter(&iterable, f, line).await?;
                while let Some(item) = self.async_next(&anext, f, line).await? {
                    self.assign(target, item, f).await?;
                    match self.exec_block(body, f).await {
                        Ok(_) | Err(Flow::Continue) => {}
                        Err(Flow::Break) => return Ok(()),
                        Err(other) => return Err(other),
                    }
                }
                self.exec_block(orelse, f).await?;
            }
            StmtKind::For { target, iter, body, orelse, .. } => {
                let iterable = self.iterable(iter, f).await?;
                let mut broke = false;
                let mut items = self.iter_of(&iterable)?;
                loop {
                    items.changed_size()?;
                    let Some(item) = items.next() else { break };
                    self.step(s.pos.line)?;
                    self.assign(target, item, f).await?;
                    match self.exec_block(body, f).await {
                        Ok(_) | Err(Flow::Continue) => {}
                        Err(Flow::Break) => {
                            broke = true;
                            break;
                        }
                        Err(other) => return Err(other),
                    }
                }
                if !broke {
                    self.exec_block(orelse, f).await?;
                }
            }
            StmtKind::Break => return Err(Flow::Break),
            StmtKind::Continue => return Err(Flow::Continue),
            StmtKind::Pass => {}
            // The other statements are boxed apart: the frame of this one stays small, and every
            // level of a deep recursion of the reader's functions passes here.
            _ => return Box::pin(self.exec_rare(s, f)).await,
        }
        Ok(())
    }

    async fn exec_rare<'s>(&'s self, s: &'s Stmt, f: &'s Frame) -> Result<(), Flow> {
        match &s.kind {
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value, f).await?,
            StmtKind::AnnAssign { target, value: Some(value) } => {
                let v = ev!(self, value, f)?;
                self.assign(target, v, f).await?;
            }
            StmtKind::Try { body, handlers, orelse, finalbody } => {
                self.exec_try(body, handlers, orelse, finalbody, f).await?
            }
            StmtKind::Raise { exc, cause } => return Err(self.exec_raise(exc.as_ref(), cause.as_ref(), f).await),
            StmtKind::With { items, body, is_async } => self.exec_with(items, body, *is_async, f).await?,
            StmtKind::FunctionDef(def) => {
                let mut func = self.make_func(def, f).await?;
                for d in def.decorators.iter().rev() {
                    let deco = ev!(self, d, f)?;
                    func = self.call(deco, vec![func], Vec::new(), f, s.pos.line).await?;
                }
                self.store(&def.name, func, f);
            }
            StmtKind::ClassDef { name, bases, body, decorators } => {
                let class = self.exec_class(name, bases, body, f).await?;
                let mut class = Value::Class(class);
                for d in decorators.iter().rev() {
                    let deco = ev!(self, d, f)?;
                    class = self.call(deco, vec![class], Vec::new(), f, s.pos.line).await?;
                }
                self.store(name, class, f);
            }
            StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
                let global = matches!(s.kind, StmtKind::Global(_));
                let mut decl = f.scope.decl.borrow_mut();
                for n in names {
                    decl.insert(Rc::from(n.as_str()), global);
                }
            }
            StmtKind::Import(names) => {
                for (module, alias) in names {
                    let v = import(module)?;
                    let bound = alias.as_deref().unwrap_or_else(|| module.split('.').next().unwrap_or(module));
                    self.store(bound, v, f);
                }
            }
            StmtKind::ImportFrom { module, names } => {
                let m = import(module)?;
                for (name, alias) in names {
                    let bound = alias.as_deref().unwrap_or(name);
                    let v = match m {
                        // `from typing import List`: annotations are not run, and the name holds
                        // no value (loaded, it raises as `typing.List` does).
                        Value::Module(m @ (Module::Typing | Module::Future)) if name != "TYPE_CHECKING" => {
                            self.annotation_names.borrow_mut().insert(Rc::from(bound), (m, Rc::from(name.as_str())));
                            f.scope.vars.borrow_mut().remove(bound);
                            continue;
                        }
                        Value::Module(_) => self.get_attr(&m, name, f)?,
                        _ => Value::None,
                    };
                    self.store(bound, v, f);
                }
            }
            StmtKind::Assert { test, msg } => {
                if self.truth(&ev!(self, test, f)?, f)? {
                    return Ok(());
                }
                let args = match msg {
                    Some(m) => vec![ev!(self, m, f)?],
                    None => Vec::new(),
                };
                let exc = self.new_exception(self.classes.get(E::AssertionError), args);
                return Err(Flow::Exc(Box::new(Exc::new(exc))));
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(t, f).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Assigns `v` to a target: a name, an attribute, a subscript, or a tuple/list to unpack into.
    pub fn assign<'s>(
        &'s self,
        target: &'s Expr,
        v: Value,
        f: &'s Frame,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Flow>> + 's>> {
        Box::pin(async move {
            match &target.kind {
                ExprKind::Name(n) => {
                    self.store(n, v, f);
                    Ok(())
                }
                ExprKind::Attribute { value, attr } => {
                    let obj = ev!(self, value, f)?;
                    self.set_attr(&obj, attr, v, f)
                }
                ExprKind::Subscript { value, index } => {
                    let obj = ev!(self, value, f)?;
                    if let Some(bounds) = self.slice_bounds(index, f).await? {
                        return self.set_slice(&obj, bounds, Some(&v));
                    }
                    let i = ev!(self, index, f)?;
                    self.set_item(&obj, i, v)
                }
                ExprKind::Tuple(targets) | ExprKind::List(targets) => self.unpack(targets, v, f).await,
                _ => raise(E::TypeError, "cannot assign to this expression"),
            }
        })
    }

    async fn unpack<'s>(&'s self, targets: &'s [Expr], v: Value, f: &'s Frame) -> Result<(), Flow> {
        let items = self.iterate(&v)?;
        let star = targets.iter().position(|t| matches!(t.kind, ExprKind::Starred(_)));
        let need = targets.len() - usize::from(star.is_some());
        if items.len() < need || (star.is_none() && items.len() != need) {
            let what = if items.len() < need {
                format!("not enough values to unpack (expected {need}, got {})", items.len())
            } else {
                format!("too many values to unpack (expected {need})")
            };
            return raise(E::ValueError, what);
        }
        let mut items = items.into_iter();
        for (i, t) in targets.iter().enumerate() {
            if Some(i) == star {
                let rest = items.len() - (targets.len() - i - 1);
                let taken: Vec<Value> = items.by_ref().take(rest).collect();
                if let ExprKind::Starred(inner) = &t.kind {
                    self.assign(inner, Value::list(taken), f).await?;
                }
            } else if let Some(item) = items.next() {
                self.assign(t, item, f).await?;
            }
        }
        Ok(())
    }

    async fn aug_assign<'s>(&'s self, target: &'s Expr, op: BinOp, value: &'s Expr, f: &'s Frame) -> Result<(), Flow> {
        match &target.kind {
            ExprKind::Name(n) => {
                let old = self.load(n, f)?;
                let r = ev!(self, value, f)?;
                let new = self.in_place(op, old, r, f).await?;
                self.store(n, new, f);
            }
            ExprKind::Attribute { value: obj, attr } => {
                let o = ev!(self, obj, f)?;
                let old = self.get_attr(&o, attr, f)?;
                let r = ev!(self, value, f)?;
                let new = self.in_place(op, old, r, f).await?;
                self.set_attr(&o, attr, new, f)?;
            }
            ExprKind::Subscript { value: obj, index } => {
                let o = ev!(self, obj, f)?;
                let i = ev!(self, index, f)?;
                let old = self.get_item(&o, &i)?;
                let r = ev!(self, value, f)?;
                let new = self.in_place(op, old, r, f).await?;
                self.set_item(&o, i, new)?;
            }
            _ => return raise(E::TypeError, "illegal expression for augmented assignment"),
        }
        Ok(())
    }

    /// `a op= b`: lists extend in place (so aliases see it), everything else rebinds, as `a op b`
    /// would (`s %= args` formats with the reader's `__str__`, an object's `__add__` is called).
    async fn in_place(&self, op: BinOp, a: Value, b: Value, f: &Frame) -> Res {
        if let (Value::Set(s), Value::Set(_)) = (&a, &b) {
            if let Some(done) = self.set_augmented(op, s, &b) {
                return done;
            }
        }
        if let (BinOp::Add, Value::List(l)) = (op, &a) {
            let items = self.iterate(&b)?;
            self.alloc(items.len())?;
            l.borrow_mut().extend(items);
            return Ok(a);
        }
        // Plain values (`t += i * 2` in a loop) without the async operator path.
        if !matches!(a, Value::Instance(_) | Value::Str(_)) && !matches!(b, Value::Instance(_)) {
            return self.binop(op, &a, &b);
        }
        self.binop_any(op, a, b, f).await
    }

    async fn delete<'s>(&'s self, t: &'s Expr, f: &'s Frame) -> Result<(), Flow> {
        match &t.kind {
            ExprKind::Name(n) => {
                if f.scope.vars.borrow_mut().remove(n.as_str()).is_none() {
                    return raise(E::NameError, format!("name '{n}' is not defined"));
                }
            }
            ExprKind::Subscript { value, index } => {
                let o = ev!(self, value, f)?;
                if let Some(bounds) = self.slice_bounds(index, f).await? {
                    return self.set_slice(&o, bounds, None);
                }
                let i = ev!(self, index, f)?;
                match &o {
                    Value::List(l) => {
                        let mut l = l.borrow_mut();
                        let i = super::ops::seq_index(&i, l.len(), "list")?;
                        l.remove(i);
                    }
                    Value::Dict(d) => {
                        let h = self.key(&i)?;
                        if d.borrow_mut().remove(&h).is_none() {
                            return Err(self.key_error(&i));
                        }
                    }
                    other => {
                        return raise(
                            E::TypeError,
                            format!("'{}' object doesn't support item deletion", other.type_name()),
                        )
                    }
                }
            }
            ExprKind::Attribute { value, attr } => {
                if let Value::Instance(i) = ev!(self, value, f)? {
                    i.attrs.borrow_mut().remove(attr.as_str());
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for item in items {
                    Box::pin(self.delete(item, f)).await?;
                }
            }
            _ => return raise(E::TypeError, "cannot delete this expression"),
        }
        Ok(())
    }

    async fn exec_try<'s>(
        &'s self,
        body: &'s [Stmt],
        handlers: &'s [Handler],
        orelse: &'s [Stmt],
        finalbody: &'s [Stmt],
        f: &'s Frame,
    ) -> Result<(), Flow> {
        let mut result = match self.exec_block(body, f).await {
            Ok(_) => self.exec_block(orelse, f).await.map(drop),
            Err(flow @ (Flow::Exc(_) | Flow::Raise(..))) => self.handle(flow, handlers, f).await,
            Err(other) => Err(other),
        };
        if matches!(result, Err(Flow::Stop(_))) {
            return result;
        }
        if !finalbody.is_empty() {
            let raised_at = f.line.get();
            // `finally` runs handling the exception on its way out, if there is one, as CPython's.
            let ran = match result {
                Err(flow @ (Flow::Exc(_) | Flow::Raise(..))) => {
                    let exc = self.exc_of(self.chain_context(flow, &f.task()));
                    self.keep_caught_traceback(&exc, f);
                    let ran = self.run_handling(&exc.value, finalbody, f).await;
                    result = Err(Flow::Exc(Box::new(exc)));
                    ran
                }
                _ => self.exec_block(finalbody, f).await.map(drop),
            };
            // A `return`, `break` or exception in `finally` replaces whatever was on its way out.
            match ran {
                Err(flow) => result = Err(flow),
                // An exception on its way out names the line that raised it, not the last line
                // of `finally` (the frame's traceback entry is its line as it leaves).
                Ok(_) if matches!(result, Err(Flow::Exc(_) | Flow::Raise(..))) => f.line.set(raised_at),
                Ok(_) => {}
            }
        }
        result
    }

    /// Runs the first handler matching the exception, or lets it go on.
    async fn handle<'s>(&'s self, flow: Flow, handlers: &'s [Handler], f: &'s Frame) -> Result<(), Flow> {
        let exc = self.exc_of(self.chain_context(flow, &f.task()));
        self.keep_caught_traceback(&exc, f);
        for h in handlers {
            if let Some(kind) = &h.kind {
                let k = ev!(self, kind, f)?;
                if !self.matches(&exc.value, &k)? {
                    continue;
                }
            }
            if let Some(name) = &h.name {
                self.store(name, exc.value.clone(), f);
            }
            let r = self.run_handling(&exc.value, &h.body, f).await;
            if f.task().handling.borrow().is_empty() {
                self.release_unawaited(&f.task());
            }
            if let Some(name) = &h.name {
                // Python deletes the `as` name when the handler ends.
                f.scope.vars.borrow_mut().remove(name.as_str());
            }
            return r;
        }
        Err(Flow::Exc(Box::new(exc)))
    }

    /// Runs `body` handling `exc` (an `except` block, or `finally` with `exc` on its way out):
    /// a bare `raise` there re-raises it, and an exception raised there has it as `__context__`.
    async fn run_handling<'s>(&'s self, exc: &Value, body: &'s [Stmt], f: &'s Frame) -> Result<(), Flow> {
        f.task().handling.borrow_mut().push(exc.clone());
        let r = self.exec_block(body, f).await.map(drop).map_err(|flow| self.chain_context(flow, &f.task()));
        f.task().handling.borrow_mut().pop();
        r
    }

    /// Whether exception `v` matches an `except` clause's class (or tuple of classes).
    pub fn matches(&self, v: &Value, kind: &Value) -> Result<bool, Flow> {
        match kind {
            Value::Class(c) => Ok(v.class().is_some_and(|vc| vc.is_sub(c))),
            Value::Tuple(t) => {
                for k in t.iter() {
                    if self.matches(v, k)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => raise(E::TypeError, "catching classes that do not inherit from BaseException is not allowed"),
        }
    }

    async fn exec_raise<'s>(&'s self, exc: Option<&'s Expr>, cause: Option<&'s Expr>, f: &'s Frame) -> Flow {
        let Some(exc) = exc else {
            return match self.handled(&f.task()) {
                // CPython's `RERAISE`: the frame it is re-raised in adds no entry.
                Some(v) => Flow::Exc(Box::new(Exc { reraised: true, ..self.with_its_traceback(v) })),
                None => Flow::Raise(E::RuntimeError, "No active exception to reraise".into()),
            };
        };
        match self.raised(exc, cause, f).await {
            Ok(v) => Flow::Exc(Box::new(self.with_its_traceback(v))),
            Err(flow) => flow,
        }
    }

    /// `raise exc from cause`'s exception, with the `__cause__` `from` gives it and, as its
    /// `__context__`, the exception being handled (CPython's `raise` sets both).
    async fn raised<'s>(&'s self, exc: &'s Expr, cause: Option<&'s Expr>, f: &'s Frame) -> Res {
        let v = self.exception_value(exc, f).await?;
        if !self.is_instance_of(&v, E::BaseException) {
            return raise(E::TypeError, "exceptions must derive from BaseException");
        }
        if let Some(cause) = cause {
            let cause = self.exception_value(cause, f).await?;
            if !matches!(cause, Value::None) && !self.is_instance_of(&cause, E::BaseException) {
                return raise(E::TypeError, "exception causes must derive from BaseException");
            }
            self.set_cause(&v, cause);
        }
        if let Some(handled) = self.handled(&f.task()) {
            self.set_context(&v, &handled);
        }
        Ok(v)
    }

    /// An exception, or a class of them called without arguments (`raise ValueError`).
    async fn exception_value<'s>(&'s self, e: &'s Expr, f: &'s Frame) -> Res {
        match ev!(self, e, f)? {
            Value::Class(c) if c.is_sub(&self.classes.get(E::BaseException)) => {
                self.call(Value::Class(c), Vec::new(), Vec::new(), f, f.line.get()).await
            }
            v => Ok(v),
        }
    }

    async fn exec_class<'s>(
        &'s self,
        name: &'s str,
        bases: &'s [Expr],
        body: &'s [Stmt],
        f: &'s Frame,
    ) -> Result<Rc<Class>, Flow> {
        let mut base_classes = Vec::new();
        for b in bases {
            let base = match &b.kind {
                // `class Foo(Protocol)`: a name from `typing` is no base here, as `object` is none.
                ExprKind::Name(n) if self.annotation_names.borrow().contains_key(n.as_str()) => {
                    self.load(n, f).unwrap_or(Value::None)
                }
                _ => ev!(self, b, f)?,
            };
            match base {
                Value::Class(c) => base_classes.push(c),
                // `class Foo(object)`.
                Value::None => {}
                other => return raise(E::TypeError, format!("a class cannot derive from a {}", other.type_name())),
            }
        }
        let depth = base_classes.iter().map(|b| b.depth + 1).max().unwrap_or(0);
        if depth > MAX_CLASS_DEPTH {
            return raise(
                E::TypeError,
                format!("class {name} derives from more than {MAX_CLASS_DEPTH} classes in a row"),
            );
        }
        let scope = super::value::Scope::child(None);
        let mut frame = Frame::new(scope.clone(), f.closure.clone(), f.task(), Rc::from(name), f.line.get());
        let qualname = f.qualname_of(name);
        frame.qualname = Some(qualname.clone());
        frame.class_body = true;
        // An error in the body has the class's frame in its traceback (`line 3, in Settings`).
        self.exec_block(body, &frame).await.map_err(|flow| self.add_frame(flow, &frame))?;
        let mut attrs = std::mem::take(&mut *scope.vars.borrow_mut());
        // Its own, never a base's: None without a docstring, as CPython's.
        let doc = crate::core::py::ast::docstring(body).map_or(Value::None, Value::str);
        attrs.entry(Rc::from("__doc__")).or_insert(doc);
        let class = Rc::new(Class {
            name: Rc::from(name),
            qualname,
            bases: base_classes,
            attrs: RefCell::new(attrs),
            builtin: false,
            depth,
            annotated: annotated_names(body),
        });
        // Its methods know their class, for `super()`: a `@classmethod`'s and a
        // `@staticmethod`'s too (`super().__init_subclass__()` found none).
        for v in class.attrs.borrow().values() {
            let func = match v {
                Value::Func(func) => func,
                Value::Obj(o) => match &**o {
                    super::native::Obj::Descriptor(_, Value::Func(func)) => func,
                    _ => continue,
                },
                _ => continue,
            };
            *func.class.borrow_mut() = Some(Rc::downgrade(&class));
        }
        self.init_subclass(&class, f).await?;
        Ok(class)
    }

    /// A base's `__init_subclass__` (a class method, `@classmethod` written or not) hears of the
    /// new class, as in CPython: a registry of subclasses stayed empty.
    async fn init_subclass(&self, class: &Rc<Class>, f: &Frame) -> Result<(), Flow> {
        let hook = class.bases.iter().find_map(|b| b.lookup("__init_subclass__"));
        let func = match hook {
            Some(Value::Func(func)) => func,
            Some(Value::Obj(o)) => match &*o {
                super::native::Obj::Descriptor(super::builtins::B::ClassMethod, Value::Func(func)) => func.clone(),
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        let bound = Value::Bound(Rc::new((Value::Class(class.clone()), func)));
        self.call(bound, Vec::new(), Vec::new(), f, f.line.get()).await.map(drop)
    }

    async fn exec_with<'s>(
        &'s self,
        items: &'s [WithItem],
        body: &'s [Stmt],
        is_async: bool,
        f: &'s Frame,
    ) -> Result<(), Flow> {
        let Some((item, rest)) = items.split_first() else {
            return self.exec_block(body, f).await.map(drop);
        };
        let line = f.line.get();
        let cm = ev!(self, &item.context, f)?;
        let entered = self.enter(&cm, is_async, f, line).await?;
        if let Some(target) = &item.target {
            if let Err(flow) = self.assign(target, entered, f).await {
                self.exit(&cm, None, is_async, f, line).await?;
                return Err(flow);
            }
        }
        let inner = Box::pin(self.exec_with(rest, body, is_async, f)).await;
        match inner {
            Ok(()) => self.exit(&cm, None, is_async, f, line).await.map(drop),
            Err(flow @ (Flow::Exc(_) | Flow::Raise(..))) => {
                let exc = self.exc_of(flow);
                let suppress = self.exit(&cm, Some(&exc), is_async, f, line).await?;
                if suppress {
                    Ok(())
                } else {
                    Err(Flow::Exc(Box::new(exc)))
                }
            }
            Err(Flow::Stop(m)) => Err(Flow::Stop(m)),
            Err(other) => {
                self.exit(&cm, None, is_async, f, line).await?;
                Err(other)
            }
        }
    }

    /// `__enter__` / `__aenter__`: the reader's (an `async with` on their class is an `acquire`
    /// span), or a built-in context manager's.
    async fn enter(&self, cm: &Value, is_async: bool, f: &Frame, line: u32) -> Res {
        if let Value::Instance(i) = cm {
            let name = if is_async { "__aenter__" } else { "__enter__" };
            let Some(m) = i.class.lookup(name) else {
                return raise(
                    E::TypeError,
                    format!(
                        "'{}' object does not support the {}context manager protocol",
                        i.class.name,
                        if is_async { "asynchronous " } else { "" }
                    ),
                );
            };
            let r = self.call(bind_method(cm, m), Vec::new(), Vec::new(), f, line).await?;
            if !is_async {
                return Ok(r);
            }
            let span = self.span(&f.task(), Phase::Acquire, line)?;
            let out = self.await_value(r, f, line).await;
            match &out {
                Ok(_) => span.end(),
                Err(Flow::Exc(_) | Flow::Raise(..)) => span.fail("raised"),
                Err(_) => drop(span),
            }
            return out;
        }
        self.enter_builtin(cm, is_async, f, line).await
    }

    /// `__exit__` / `__aexit__`: returns whether the exception is suppressed.
    async fn exit(&self, cm: &Value, exc: Option<&Exc>, is_async: bool, f: &Frame, line: u32) -> Result<bool, Flow> {
        // The reader's `__exit__` runs handling the body's exception, as CPython's (one it
        // raises has that as `__context__`); a built-in one chains as asyncio's does.
        let handles = matches!(cm, Value::Instance(_)) && exc.is_some();
        if let (true, Some(e)) = (handles, exc) {
            self.keep_caught_traceback(e, f);
            f.task().handling.borrow_mut().push(e.value.clone());
        }
        let out = self.call_exit(cm, exc, is_async, f, line).await;
        if handles {
            f.task().handling.borrow_mut().pop();
        }
        if matches!(out, Err(Flow::Exc(_) | Flow::Raise(..))) {
            // What `__exit__` raises leaves the frame at the `with` statement, as CPython's
            // traceback says (`line 10, in main` for a TaskGroup's group), not at the block's
            // last line.
            f.line.set(line);
        }
        out
    }

    async fn call_exit(
        &self,
        cm: &Value,
        exc: Option<&Exc>,
        is_async: bool,
        f: &Frame,
        line: u32,
    ) -> Result<bool, Flow> {
        if let Value::Instance(i) = cm {
            let name = if is_async { "__aexit__" } else { "__exit__" };
            let Some(m) = i.class.lookup(name) else {
                return raise(E::TypeError, format!("'{}' object has no {name}", i.class.name));
            };
            let args = match exc {
                Some(e) => vec![
                    Value::Class(e.value.class().cloned().unwrap_or_else(|| self.classes.get(E::Exception))),
                    e.value.clone(),
                    Value::None,
                ],
                None => vec![Value::None, Value::None, Value::None],
            };
            let r = self.call(bind_method(cm, m), args, Vec::new(), f, line).await?;
            if !is_async {
                return Ok(r.truthy());
            }
            let span = self.span(&f.task(), Phase::Release, line)?;
            let out = self.await_value(r, f, line).await;
            match &out {
                Ok(_) => span.end(),
                Err(Flow::Exc(_) | Flow::Raise(..)) => span.fail("raised"),
                Err(_) => drop(span),
            }
            return out.map(|v| v.truthy());
        }
        self.exit_builtin(cm, exc, is_async, f, line).await
    }
}

/// Longest chain of bases a class may have (lookups walk it recursively).
const MAX_CLASS_DEPTH: u32 = 100;

/// A method looked up on an instance's class, bound to it.
fn bind_method(obj: &Value, m: Value) -> Value {
    match m {
        Value::Func(func) => Value::Bound(Rc::new((obj.clone(), func))),
        other => other,
    }
}

/// `import name`: a module of the subset, or one imported for annotations only (whose names are
/// no values: `typing.List` outside an annotation says so).
fn import(name: &str) -> Res {
    match Module::named(name).or_else(|| Module::for_annotations(name)) {
        Some(m) => Ok(Value::Module(m)),
        None => raise(E::NameError, format!("No module named '{name}' here")),
    }
}

/// The names a class body annotates at its top level, in order (`x: int`, `y: int = 0`).
fn annotated_names(body: &[Stmt]) -> Vec<Rc<str>> {
    body.iter()
        .filter_map(|s| match &s.kind {
            StmtKind::AnnAssign { target, .. } => match &target.kind {
                ExprKind::Name(n) => Some(Rc::from(n.as_str())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}
