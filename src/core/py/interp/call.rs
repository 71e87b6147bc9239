//! Calls (the reader's functions, classes and methods; built-ins are in `builtins`), argument
//! binding, attributes, coroutines and `await`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::builtins::B;
use super::native::Obj;
use super::value::{Class, Coro, Dict, Func, Instance, Scope, Value};
use super::{fmt, raise, BoxFut, Flow, Frame, Interp, Res, E};
use crate::core::py::ast::{Expr, ExprKind, Keyword};

/// A call's keyword arguments.
pub type Kwargs = Vec<(Rc<str>, Value)>;

impl<'a> Interp<'a> {
    /// `callee(*args, **kwargs)` at `line`.
    pub fn call<'s>(&'s self, callee: Value, args: Vec<Value>, kwargs: Kwargs, f: &'s Frame, line: u32) -> BoxFut<'s> {
        Box::pin(async move {
            match callee {
                Value::Func(func) => self.call_func(func, args, kwargs, f, line).await,
                Value::Bound(b) => {
                    let mut all = Vec::with_capacity(args.len() + 1);
                    all.push(b.0.clone());
                    all.extend(args);
                    self.call_func(b.1.clone(), all, kwargs, f, line).await
                }
                // Boxed apart, so the frames of a deep recursion of the reader's functions stay
                // small (each level of it passes here).
                Value::Builtin(b) => Box::pin(self.call_builtin(b, None, args, kwargs, f, line)).await,
                Value::Method(m) => match m.0 {
                    Value::Builtin(t) if t.is_type() => {
                        Box::pin(self.call_unbound(t, m.1, args, kwargs, f, line)).await
                    }
                    _ => Box::pin(self.call_builtin(m.1, Some(m.0.clone()), args, kwargs, f, line)).await,
                },
                Value::Class(c) => Box::pin(self.instantiate(c, args, kwargs, f, line)).await,
                ref obj @ Value::Instance(_) => match super::eval::user_method(obj, "__call__") {
                    Some(m) => self.call(m, args, kwargs, f, line).await,
                    None => raise(E::TypeError, format!("'{}' object is not callable", obj.type_name())),
                },
                other => raise(E::TypeError, format!("'{}' object is not callable", other.type_name())),
            }
        })
    }

    async fn call_func(&self, func: Rc<Func>, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        let label = if func.def.is_async { Some(call_label(&func.def.name, &args, &kwargs)) } else { None };
        let scope = self.bind(&func, args, kwargs)?;
        if let (Some(label), true) = (&label, func.def.is_generator) {
            // An async generator function makes a generator; its body runs step by step.
            return Ok(self.new_agen(func, scope, label.clone()));
        }
        if let Some(label) = label {
            // Calling an `async def` makes a coroutine; its body runs when awaited or spawned.
            return Ok(Value::Coro(Rc::new(Coro {
                func,
                scope,
                label: RefCell::new(Rc::from(label)),
                started: Cell::new(false),
                unawaited: RefCell::new(Some(self.unawaited.clone())),
            })));
        }
        let _ = line;
        self.run_body(&func, scope, f.task(), 0).await
    }

    /// Runs a function's body in a new frame of `task`; `owners` other references to `scope`
    /// (a coroutine's) do not keep its locals once it returns.
    fn run_body<'s>(
        &'s self,
        func: &'s Rc<Func>,
        scope: Rc<Scope>,
        task: Rc<super::TaskObj>,
        owners: usize,
    ) -> BoxFut<'s> {
        Box::pin(async move {
            let depth = task.depth.get() + 1;
            if depth > super::limits::MAX_DEPTH {
                return raise(
                    E::RecursionError,
                    format!(
                        "maximum recursion depth exceeded ({} nested calls, in {})",
                        super::limits::MAX_DEPTH,
                        func.def.name
                    ),
                );
            }
            let method_of = self.method_of(func, &scope);
            let mut frame = Frame::new(
                scope.clone(),
                Some(scope),
                task.clone(),
                Rc::from(func.def.name.as_str()),
                func.def.pos.line,
            );
            frame.method_of = method_of;
            frame.qualname = Some(func.qual.clone());
            // A call (a function's, or a coroutine's awaited in a function of the task) gives
            // its caller's line back as it returns: the task's `done` mark is at its own last
            // line, not at the last `return` of a helper it called. The task's own coroutine
            // (and the one `asyncio.run` runs) keeps its last line.
            let caller_line = (owners == 0 || depth > 1).then(|| task.line.get());
            task.depth.set(depth);
            let result = self.exec_block(&func.def.body, &frame).await;
            task.depth.set(depth - 1);
            if let Some(line) = caller_line {
                task.line.set(line);
            }
            drop(frame.closure.take());
            self.release_locals(&frame.scope, &func.def.captured, 1 + owners, owners);
            match result {
                Ok(_) => Ok(Value::None),
                Err(Flow::Return(v)) => Ok(v),
                Err(flow) => Err(self.add_frame(flow, &frame)),
            }
        })
    }

    /// The class whose method `func` is, and its first argument in `scope` (for `super()`).
    pub fn method_of(&self, func: &Func, scope: &Scope) -> Option<(Rc<Class>, Value)> {
        let class = func.class.borrow().as_ref().and_then(std::rc::Weak::upgrade)?;
        let first = func.def.params.args.first()?;
        let v = scope.vars.borrow().get(first.name.as_str()).cloned()?;
        Some((class, v))
    }

    /// Binds a call's arguments to the function's parameters, as Python does (and with its
    /// messages when they do not fit).
    fn bind(&self, func: &Func, args: Vec<Value>, kwargs: Kwargs) -> Result<Rc<Scope>, Flow> {
        let p = &func.def.params;
        // CPython's messages name its `__qualname__`: `Client.get() missing 1 required …`.
        let name = func.qualname();
        let scope = Scope::of_call(func.scope.clone(), func.def.clone());
        let mut slots: Vec<Option<Value>> = vec![None; p.args.len()];
        let mut extra = Vec::new();
        for (i, v) in args.into_iter().enumerate() {
            match slots.get_mut(i) {
                Some(slot) => *slot = Some(v),
                None => extra.push(v),
            }
        }
        if !extra.is_empty() && p.vararg.is_none() {
            let given = p.args.len() + extra.len();
            // CPython's `too_many_positional`: `takes 1 positional argument but 2 were given`,
            // `takes from 1 to 2 positional arguments` when some have defaults.
            let (n, defaults) = (p.args.len(), func.defaults.iter().filter(|d| d.is_some()).count());
            let takes = match defaults {
                0 if n == 1 => "1 positional argument".to_owned(),
                0 => format!("{n} positional arguments"),
                d => format!("from {} to {n} positional arguments", n - d),
            };
            let were = if given == 1 { "was" } else { "were" };
            return raise(E::TypeError, format!("{name}() takes {takes} but {given} {were} given"));
        }
        let mut vars = scope.vars.borrow_mut();
        let mut kw_dict = Dict::default();
        for (k, v) in kwargs {
            if let Some(i) = p.args.iter().position(|a| *a.name == *k) {
                if slots[i].is_some() {
                    return raise(E::TypeError, format!("{name}() got multiple values for argument '{k}'"));
                }
                slots[i] = Some(v);
            } else if p.kwonly.iter().any(|a| *a.name == *k) {
                vars.insert(k, v);
            } else if p.kwarg.is_some() {
                kw_dict.insert(super::value::HKey::Str(k.clone()), Value::Str(k), v);
            } else {
                return raise(E::TypeError, format!("{name}() got an unexpected keyword argument '{k}'"));
            }
        }
        for (i, (slot, param)) in slots.into_iter().zip(&p.args).enumerate() {
            match slot.or_else(|| func.defaults.get(i).cloned().flatten()) {
                Some(v) => {
                    vars.insert(Rc::from(param.name.as_str()), v);
                }
                None => {
                    return raise(
                        E::TypeError,
                        format!("{name}() missing 1 required positional argument: '{}'", param.name),
                    )
                }
            }
        }
        for (i, param) in p.kwonly.iter().enumerate() {
            if !vars.contains_key(param.name.as_str()) {
                match func.kw_defaults.get(i).cloned().flatten() {
                    Some(v) => {
                        vars.insert(Rc::from(param.name.as_str()), v);
                    }
                    None => {
                        return raise(
                            E::TypeError,
                            format!("{name}() missing 1 required keyword-only argument: '{}'", param.name),
                        )
                    }
                }
            }
        }
        if let Some(va) = &p.vararg {
            vars.insert(Rc::from(va.as_str()), Value::tuple(extra));
        }
        if let Some(kw) = &p.kwarg {
            vars.insert(Rc::from(kw.as_str()), Value::dict(kw_dict));
        }
        drop(vars);
        Ok(scope)
    }

    /// `Class(*args)`: a new instance, its `__init__` run; exceptions keep their `args`.
    async fn instantiate(&self, class: Rc<Class>, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        let is_exc = class.is_sub(&self.classes.get(E::BaseException));
        let inst = if class.is_sub(&self.classes.get(E::BaseExceptionGroup)) {
            self.construct_group(class.clone(), &args)?
        } else if is_exc {
            self.new_exception(class.clone(), args.clone())
        } else {
            Value::Instance(Rc::new(Instance::new(class.clone())))
        };
        match class.lookup("__init__") {
            Some(init @ (Value::Func(_) | Value::Builtin(_))) => {
                let mut all = Vec::with_capacity(args.len() + 1);
                all.push(inst.clone());
                all.extend(args);
                self.call(init, all, kwargs, f, line).await?;
            }
            _ if !is_exc && (!args.is_empty() || !kwargs.is_empty()) => {
                return raise(E::TypeError, format!("{}() takes no arguments", class.name));
            }
            _ => {}
        }
        Ok(inst)
    }

    /// `v.name`.
    pub fn get_attr(&self, v: &Value, name: &str, f: &Frame) -> Res {
        let _ = f;
        match v {
            Value::Instance(i) => {
                if let Some(x) = i.attrs.borrow().get(name) {
                    return Ok(x.clone());
                }
                match i.class.lookup(name) {
                    Some(Value::Func(func)) => Ok(Value::Bound(Rc::new((v.clone(), func)))),
                    Some(Value::Obj(o)) if o.is_descriptor() => self.descriptor_get(&o, v, &i.class, f),
                    Some(other) => Ok(other),
                    None if name == "__class__" => Ok(Value::Class(i.class.clone())),
                    None => self.instance_builtin_attr(i, v, name),
                }
            }
            Value::Class(c) => match (c.lookup(name), name) {
                (Some(Value::Obj(o)), _) if o.is_descriptor() => self.descriptor_get(&o, v, c, f),
                (Some(x), _) => Ok(x),
                (None, "__name__") => Ok(Value::Str(c.name.clone())),
                (None, "__qualname__") => Ok(Value::Str(c.qualname.clone())),
                (None, "__class__") => Ok(Value::Builtin(super::builtins::B::Type)),
                (None, "__bases__" | "__mro__" | "__dict__" | "__module__" | "__subclasses__") => raise(
                    E::AttributeError,
                    format!("the attribute '{name}' of type object '{}' is not in awaitlab's subset", c.name),
                ),
                _ => raise(E::AttributeError, format!("type object '{}' has no attribute '{name}'", c.name)),
            },
            Value::Super(s) => {
                let (class, obj) = &**s;
                match class.bases.iter().find_map(|b| b.lookup(name)) {
                    Some(Value::Func(func)) => Ok(Value::Bound(Rc::new((obj.clone(), func)))),
                    // A class method bound to the class at hand, a static one as it is, a
                    // property read (`super().create()` in a class method).
                    Some(Value::Obj(o)) if o.is_descriptor() => {
                        let of = match obj {
                            Value::Class(c) => c.clone(),
                            Value::Instance(i) => i.class.clone(),
                            _ => class.clone(),
                        };
                        self.descriptor_get(&o, obj, &of, f)
                    }
                    Some(other) => Ok(other),
                    None if name == "__init__" => {
                        Ok(Value::Method(Rc::new((obj.clone(), super::builtins::B::ObjectInit))))
                    }
                    None if name == "__init_subclass__" => {
                        Ok(Value::Method(Rc::new((obj.clone(), super::builtins::B::ObjectInitSubclass))))
                    }
                    None => raise(E::AttributeError, format!("'super' object has no attribute '{name}'")),
                }
            }
            Value::Func(func) => match (func.attrs.borrow().get(name), name) {
                (Some(x), _) => Ok(x.clone()),
                (None, "__name__") => Ok(Value::str(&func.def.name)),
                (None, "__qualname__") => Ok(Value::Str(func.qualname())),
                (None, "__doc__") => {
                    Ok(crate::core::py::ast::docstring(&func.def.body).map_or(Value::None, Value::str))
                }
                (None, "__module__") => Ok(Value::str("__main__")),
                _ => self.builtin_attr(v, name),
            },
            Value::Bound(b) if name == "__qualname__" => Ok(Value::Str(b.1.qualname())),
            Value::Builtin(b) if name == "__name__" => Ok(Value::str(b.name().trim_end())),
            Value::Coro(c) if name == "__name__" => Ok(Value::str(&c.func.def.name)),
            Value::Coro(c) if name == "__qualname__" => Ok(Value::Str(c.func.qualname())),
            _ => self.builtin_attr(v, name),
        }
    }

    /// A `@staticmethod` (the function), `@classmethod` (bound to the class) or `@property`
    /// (its getter called now: a plain `def` never suspends, so it runs to its end here).
    fn descriptor_get(&self, o: &Rc<Obj>, obj: &Value, class: &Rc<Class>, f: &Frame) -> Res {
        let (kind, func) = match &**o {
            Obj::Descriptor(kind, func) => (*kind, func),
            Obj::Property(getter, _) => (B::Property, getter),
            _ => return Ok(Value::None),
        };
        let Value::Func(fun) = func else { return Ok(func.clone()) };
        match kind {
            B::StaticMethod => Ok(func.clone()),
            B::ClassMethod => Ok(Value::Bound(Rc::new((Value::Class(class.clone()), fun.clone())))),
            _ if matches!(obj, Value::Class(_)) => Ok(Value::Obj(o.clone())),
            _ => self.call_plain(func.clone(), vec![obj.clone()], f, "a property's getter"),
        }
    }

    /// A call of the reader's plain `def` from code that cannot await (a property's getter or
    /// setter, `__bool__`/`__len__`, `__str__` for a traceback): it never suspends, so one poll
    /// runs it to its end. `what` names it in the error a suspension would be.
    pub fn call_plain(&self, func: Value, args: Vec<Value>, f: &Frame, what: &str) -> Res {
        self.run_now(self.call(func, args, Vec::new(), f, f.line.get()), what)
    }

    fn instance_builtin_attr(&self, i: &Instance, v: &Value, name: &str) -> Res {
        let is_exc = i.attrs.borrow().contains_key("args");
        match name {
            "__cause__" | "__context__" if is_exc => Ok(Value::None),
            "__suppress_context__" if is_exc => Ok(Value::Bool(false)),
            // `object.__init__` (an exception's is BaseException's), bound: `super().__init__()`'s too.
            "__init__" => Ok(Value::Method(Rc::new((v.clone(), super::builtins::B::ObjectInit)))),
            _ if is_exc => self.builtin_attr(v, name),
            "__dict__" | "__module__" | "__doc__" | "__weakref__" => raise(
                E::AttributeError,
                format!("the attribute '{name}' of '{}' objects is not in awaitlab's subset", i.class.name),
            ),
            _ => raise(E::AttributeError, format!("'{}' object has no attribute '{name}'", i.class.name)),
        }
    }

    /// `v.name = x`.
    pub fn set_attr(&self, v: &Value, name: &str, x: Value, f: &Frame) -> Result<(), Flow> {
        match v {
            Value::Instance(i) => {
                if let Some(Value::Obj(o)) = i.class.lookup(name) {
                    match &*o {
                        // A property's setter runs (a plain `def`: to its end here, as its getter).
                        Obj::Property(_, setter) => {
                            return self
                                .call_plain(setter.clone(), vec![v.clone(), x], f, "a property's setter")
                                .map(drop);
                        }
                        Obj::Descriptor(B::Property, _) => {
                            let class = &i.class.name;
                            return raise(
                                E::AttributeError,
                                format!("property '{name}' of '{class}' object has no setter"),
                            );
                        }
                        _ => {}
                    }
                }
                i.attrs.borrow_mut().insert(Rc::from(name), x);
                Ok(())
            }
            Value::Class(c) if !c.builtin => {
                c.attrs.borrow_mut().insert(Rc::from(name), x);
                Ok(())
            }
            Value::Func(func) => {
                if matches!(name, "__name__" | "__qualname__") && !matches!(x, Value::Str(_)) {
                    return raise(E::TypeError, format!("{name} must be set to a string object"));
                }
                func.attrs.borrow_mut().insert(Rc::from(name), x);
                Ok(())
            }
            other => raise(E::AttributeError, format!("'{}' object has no attribute '{name}'", other.type_name())),
        }
    }

    /// `await v` in `f`'s task.
    pub fn await_value<'s>(&'s self, v: Value, f: &'s Frame, line: u32) -> BoxFut<'s> {
        Box::pin(async move {
            match v {
                Value::Coro(c) => self.run_coro(c, f.task()).await,
                Value::Task(t) => self.join(&t, f).await,
                Value::Obj(o) => self.await_obj(o, f, line).await,
                Value::Instance(ref i) => match i.class.lookup("__await__") {
                    Some(_) => {
                        raise(E::NotImplementedError, "`__await__` is not supported here: await a coroutine instead")
                    }
                    None => raise(E::TypeError, format!("object {} can't be used in 'await' expression", i.class.name)),
                },
                other => {
                    raise(E::TypeError, format!("object {} can't be used in 'await' expression", other.type_name()))
                }
            }
        })
    }

    /// Runs a coroutine's body in `task` (an `await` or a task's whole life).
    pub fn run_coro<'s>(&'s self, coro: Rc<Coro>, task: Rc<super::TaskObj>) -> BoxFut<'s> {
        Box::pin(async move {
            if coro.started.replace(true) {
                return raise(E::RuntimeError, "cannot reuse already awaited coroutine");
            }
            let result = self.run_body(&coro.func, coro.scope.clone(), task.clone(), 1).await;
            if task.depth.get() == 0 {
                // The task's own coroutine returned: what its locals held is dropped now (as
                // CPython drops its frame when the task's step ends), unless an exception keeps it.
                match result {
                    Err(Flow::Stop(_)) => {}
                    Err(Flow::Exc(_) | Flow::Raise(..)) => self.hold_unawaited(&task),
                    _ => self.warn_unawaited(&task, task.line.get()),
                }
            }
            result
        })
    }

    /// Whether `await v` would work.
    pub fn is_awaitable(&self, v: &Value) -> bool {
        match v {
            Value::Coro(_) | Value::Task(_) => true,
            Value::Obj(o) => o.is_awaitable(),
            _ => false,
        }
    }

    /// `super()` in a method: its class's bases, bound to its first argument.
    pub fn super_of(&self, f: &Frame) -> Res {
        match &f.method_of {
            Some((class, obj)) => Ok(Value::Super(Rc::new((class.clone(), obj.clone())))),
            None => raise(E::RuntimeError, "super(): no arguments (only `super()` inside a method is supported)"),
        }
    }
}

/// A coroutine's lane label: the call with its arguments, long ones shortened (a URL keeps `…/`
/// and its last segment): `fetch_url('…/3')`, `worker(2)`.
pub fn call_label(name: &str, args: &[Value], kwargs: &Kwargs) -> String {
    let mut parts: Vec<String> = args.iter().map(arg_text).collect();
    parts.extend(kwargs.iter().map(|(k, v)| format!("{k}={}", arg_text(v))));
    fmt::shorten(&format!("{name}({})", parts.join(", ")), 80)
}

/// An argument in a label: its repr, shortened (a URL keeps `…/` and its last segment).
fn arg_text(v: &Value) -> String {
    match v {
        Value::Str(s) if s.contains('/') => format!("'{}'", fmt::short_url(s)),
        other => fmt::shorten(&fmt::repr(other), 24),
    }
}

/// The label of a coroutine made by the call `func(args)` as the code wrote it: numbers,
/// strings and the like by value (`fetch_url('…/3')`, `worker(2)`), other objects by the
/// expression that passed them (`fetch_url(session, '…/3')`, not `<ClientSession object>`).
pub fn written_label(
    func: &Expr,
    args: &[Expr],
    keywords: &[Keyword],
    values: &[Value],
    kwargs: &Kwargs,
) -> Option<String> {
    let simple =
        |v: &Value| matches!(v, Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Str(_));
    let text = |e: &Expr, v: &Value| if simple(v) { Some(arg_text(v)) } else { expr_text(e) };
    let mut parts = Vec::with_capacity(args.len() + keywords.len());
    for (e, v) in args.iter().zip(values) {
        parts.push(text(e, v).unwrap_or_else(|| arg_text(v)));
    }
    for (k, (_, v)) in keywords.iter().zip(kwargs) {
        let name = k.name.as_deref()?;
        parts.push(format!("{name}={}", text(&k.value, v).unwrap_or_else(|| arg_text(v))));
    }
    Some(fmt::shorten(&format!("{}({})", expr_text(func)?, parts.join(", ")), 80))
}

/// A name or a dotted name as written (`session`, `self.session`).
fn expr_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::Attribute { value, attr } => Some(format!("{}.{attr}", expr_text(value)?)),
        _ => None,
    }
}
