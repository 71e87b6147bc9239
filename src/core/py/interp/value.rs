//! The interpreter's values: Python's objects, as far as the subset needs them.
//!
//! Every value is `'static` and cheap to clone (numbers inline, everything else behind an `Rc`),
//! so tasks, closures and containers share them the way Python shares references.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::builtins::B;
use super::native::Obj;
use super::set_table::SetTable;
use super::tasks::TaskObj;
use crate::core::py::ast;

/// A Python value.
#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Cells<Vec<Value>>>),
    Tuple(Rc<Items>),
    Dict(Rc<Cells<Dict>>),
    /// A set: a `Dict` whose values are `None`.
    Set(Rc<Cells<Dict>>),
    /// `range(start, stop, step)`, lazy.
    Range(Rc<(i64, i64, i64)>),
    Func(Rc<Func>),
    /// A user function bound to its instance (`obj.method`).
    Bound(Rc<(Value, Rc<Func>)>),
    /// A built-in function (or a module's).
    Builtin(B),
    /// A built-in method bound to its receiver (`lst.append`, `sem.acquire`).
    Method(Rc<(Value, B)>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    /// `super()`: the class whose bases to search, and the instance.
    Super(Rc<(Rc<Class>, Value)>),
    Module(Module),
    Coro(Rc<Coro>),
    Task(Rc<TaskObj>),
    /// asyncio's and aiohttp's objects: semaphores, queues, sessions, responses…
    Obj(Rc<Obj>),
}

/// The modules a program can import.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Module {
    Asyncio,
    Random,
    Time,
    Json,
    Math,
    Aiohttp,
    Dataclasses,
    /// `typing` and `__future__`: imported for annotations, which are not run; their names are
    /// no values here ([`Module::for_annotations`]).
    Typing,
    Future,
}

impl Module {
    /// The module of `import name` when it is imported for annotations only
    /// (`parse::Import::Annotations`).
    pub fn for_annotations(name: &str) -> Option<Module> {
        match name.split('.').next() {
            Some("typing") => Some(Module::Typing),
            Some("__future__") => Some(Module::Future),
            _ => None,
        }
    }

    /// The module of `import name`, if it is one of the subset's.
    pub fn named(name: &str) -> Option<Module> {
        Some(match name {
            "asyncio" => Module::Asyncio,
            "random" => Module::Random,
            "time" => Module::Time,
            "json" => Module::Json,
            "math" => Module::Math,
            "aiohttp" => Module::Aiohttp,
            "dataclasses" => Module::Dataclasses,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Module::Asyncio => "asyncio",
            Module::Random => "random",
            Module::Time => "time",
            Module::Json => "json",
            Module::Math => "math",
            Module::Aiohttp => "aiohttp",
            Module::Dataclasses => "dataclasses",
            Module::Typing => "typing",
            Module::Future => "__future__",
        }
    }
}

/// A variable scope: a function call's locals, a comprehension's, or the module's globals.
/// Closures keep their defining scope (`parent`), so they see its variables as Python's cells do.
pub struct Scope {
    pub vars: RefCell<FxHashMap<Rc<str>, Value>>,
    pub parent: Option<Rc<Scope>>,
    /// Names declared `global` (true) or `nonlocal` (false) in this scope.
    pub decl: RefCell<FxHashMap<Rc<str>, bool>>,
    /// The function this scope is a call of, whose [`ast::Function::locals`] are never looked
    /// up elsewhere (`None` for the module, a class body, a comprehension).
    pub function: Option<Rc<ast::Function>>,
    /// A comprehension's: an assignment expression in it binds in the scope around it.
    pub comprehension: bool,
}

impl Scope {
    pub fn child(parent: Option<Rc<Scope>>) -> Rc<Scope> {
        Scope::new(parent, None, false)
    }

    /// The scope of a call of `function`, defined in `parent`.
    pub fn of_call(parent: Option<Rc<Scope>>, function: Rc<ast::Function>) -> Rc<Scope> {
        Scope::new(parent, Some(function), false)
    }

    /// The variables of a comprehension run in `parent`.
    pub fn of_comprehension(parent: Rc<Scope>) -> Rc<Scope> {
        Scope::new(Some(parent), None, true)
    }

    fn new(parent: Option<Rc<Scope>>, function: Option<Rc<ast::Function>>, comprehension: bool) -> Rc<Scope> {
        Rc::new(Scope { parent, vars: RefCell::default(), decl: RefCell::default(), function, comprehension })
    }

    /// Whether `name` is a local variable of the call this scope is: one its function binds.
    pub fn is_local(&self, name: &str) -> bool {
        self.function.as_ref().is_some_and(|f| f.locals.binary_search_by(|n| n.as_str().cmp(name)).is_ok())
    }
}

/// A `def`, `async def` or `lambda`, with what it captured when it was defined.
pub struct Func {
    pub def: Rc<ast::Function>,
    /// Defaults of `params.args`, position by position (evaluated at `def` time).
    pub defaults: Vec<Option<Value>>,
    /// Defaults of `params.kwonly`.
    pub kw_defaults: Vec<Option<Value>>,
    /// The enclosing function's scope (None at module level).
    pub scope: Option<Rc<Scope>>,
    /// The class whose body defined it (for `super()`).
    pub class: RefCell<Option<std::rc::Weak<Class>>>,
    /// Its `__qualname__` (see [`Func::qualname`]).
    pub qual: Rc<str>,
    /// Attributes set on it: `f.calls = 0`, a decorator's `wrapper.__name__ = fn.__name__`.
    pub attrs: RefCell<FxHashMap<Rc<str>, Value>>,
}

impl Func {
    /// Its `__qualname__`, where it was defined: `fetch`, `main.<locals>.inner`, `Client.get`,
    /// `main.<locals>.Client.get`, `Client.get.<locals>.parse`.
    pub fn qualname(&self) -> Rc<str> {
        match self.attrs.borrow().get("__qualname__") {
            Some(Value::Str(set)) => set.clone(),
            _ => self.qual.clone(),
        }
    }

    /// Its code's first line, CPython's `co_firstlineno`: its first decorator's, else its `def`'s.
    pub fn first_line(&self) -> u32 {
        self.def.decorators.first().map_or(self.def.pos.line, |d| d.pos.line)
    }
}

/// A class: the reader's, or a built-in exception class.
pub struct Class {
    pub name: Rc<str>,
    /// Its `__qualname__`, where it was defined (`f.<locals>.L`, `Outer.Inner`: see
    /// `Frame::qualname_of`); a built-in class's is its name.
    pub qualname: Rc<str>,
    pub bases: Vec<Rc<Class>>,
    pub attrs: RefCell<FxHashMap<Rc<str>, Value>>,
    /// Whether this is a built-in class (exceptions), not the reader's.
    pub builtin: bool,
    /// How many classes deep it derives (a base has 0): bounded, so lookups are.
    pub depth: u32,
    /// The names its body annotates (`x: int`, `y: int = 0`), in order: `@dataclass`'s fields.
    pub annotated: Vec<Rc<str>>,
}

impl Class {
    /// Looks `name` up in the class and its bases (depth first, left to right: a simplification
    /// of Python's C3 order that agrees with it for single inheritance).
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.attrs.borrow().get(name) {
            return Some(v.clone());
        }
        self.bases.iter().find_map(|b| b.lookup(name))
    }

    /// Whether `self` is `other` or derives from it.
    pub fn is_sub(self: &Rc<Self>, other: &Rc<Class>) -> bool {
        Rc::ptr_eq(self, other) || self.bases.iter().any(|b| b.is_sub(other))
    }

    /// Whether this is the built-in class `name` or derives from it.
    pub fn derives_from_builtin(&self, name: &str) -> bool {
        (self.builtin && &*self.name == name) || self.bases.iter().any(|b| b.derives_from_builtin(name))
    }
}

/// An instance of a class (exceptions included: their `args` live in `attrs`).
pub struct Instance {
    pub class: Rc<Class>,
    pub attrs: RefCell<FxHashMap<Rc<str>, Value>>,
    /// An exception's traceback as it ended its task (CPython's `__traceback__`), innermost frame
    /// first: what an exception group's traceback prints under each of its sub-exceptions.
    pub traceback: RefCell<Vec<(Rc<str>, u32)>>,
}

impl Instance {
    /// A new instance of `class`, no attributes yet.
    pub fn new(class: Rc<Class>) -> Instance {
        Instance { class, attrs: RefCell::default(), traceback: RefCell::default() }
    }
}

/// A coroutine object: an `async def` called, its arguments bound, not yet run.
pub struct Coro {
    pub func: Rc<Func>,
    pub scope: Rc<Scope>,
    /// The call as written with its arguments, for the lane label (`fetch_url('…/3')`).
    pub label: RefCell<Rc<str>>,
    pub started: Cell<bool>,
    /// Where it reports itself dropped without ever running (CPython's `RuntimeWarning:
    /// coroutine '…' was never awaited`): taken away once a task owns it or it is closed.
    pub unawaited: RefCell<Option<Unawaited>>,
}

/// The qualified names of the coroutines dropped without ever running, until the interpreter
/// reports them (`Interp::warn_unawaited`).
pub type Unawaited = Rc<RefCell<Vec<Rc<str>>>>;

/// What a coroutine of asyncio's own (`asyncio.sleep(1)`, an object here, a coroutine in
/// CPython) carries to report itself dropped without an `await`, as a [`Coro`] does (CPython:
/// `RuntimeWarning: coroutine 'sleep' was never awaited`).
pub struct UnawaitedGuard {
    name: &'static str,
    sink: RefCell<Option<Unawaited>>,
}

impl UnawaitedGuard {
    pub fn new(name: &'static str, sink: &Unawaited) -> UnawaitedGuard {
        UnawaitedGuard { name, sink: RefCell::new(Some(sink.clone())) }
    }

    /// It is awaited (or a task owns it): it will not warn.
    pub fn disarm(&self) {
        self.sink.borrow_mut().take();
    }
}

impl Drop for UnawaitedGuard {
    fn drop(&mut self) {
        if let Some(sink) = self.sink.get_mut().take() {
            if let Ok(mut names) = sink.try_borrow_mut() {
                names.push(Rc::from(self.name));
            }
        }
    }
}

impl Coro {
    /// A task owns it now, or it is closed: it will not warn (CPython does not warn for a
    /// coroutine closed or thrown into before its first step: a task cancelled before it ran).
    pub fn disarm(&self) {
        self.unawaited.borrow_mut().take();
    }
}

impl Drop for Coro {
    fn drop(&mut self) {
        if let (false, Some(sink)) = (self.started.get(), self.unawaited.get_mut().take()) {
            if let Ok(mut names) = sink.try_borrow_mut() {
                names.push(self.func.qualname());
            }
        }
    }
}

/// A key of a dict or a set: the hashable values, with Python's equalities (`1 == 1.0 == True`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum HKey {
    None,
    Int(i64),
    Float(u64),
    Str(Rc<str>),
    Tuple(Vec<HKey>),
    /// Objects hashed by identity (instances, classes, functions, tasks).
    Id(usize),
}

/// An insertion-ordered dict (Python's dicts remember insertion order), or a set (its keys,
/// with None values), which iterates in the order of CPython's table for it.
#[derive(Default, Clone)]
pub struct Dict {
    entries: Vec<Option<(Value, Value)>>,
    index: FxHashMap<HKey, usize>,
    /// A set's: where CPython's set would hold each entry (see `set_table.rs`).
    table: Option<Box<SetTable>>,
}

impl Dict {
    /// An empty set's elements.
    pub fn new_set() -> Dict {
        Dict { table: Some(Box::default()), ..Dict::default() }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn get(&self, key: &HKey) -> Option<&Value> {
        let i = *self.index.get(key)?;
        self.entries[i].as_ref().map(|(_, v)| v)
    }

    pub fn contains(&self, key: &HKey) -> bool {
        self.index.contains_key(key)
    }

    /// Sets `key` (keeping its place if it is there already).
    pub fn insert(&mut self, hk: HKey, key: Value, value: Value) {
        match self.index.get(&hk) {
            Some(&i) => {
                if let Some(e) = self.entries[i].as_mut() {
                    e.1 = value;
                }
            }
            None => {
                let entry = self.entries.len();
                if let Some(table) = self.table.as_deref_mut() {
                    table.add(hk.py_hash(), entry);
                }
                self.index.insert(hk, entry);
                self.entries.push(Some((key, value)));
            }
        }
    }

    pub fn remove(&mut self, key: &HKey) -> Option<(Value, Value)> {
        let i = self.index.remove(key)?;
        if let Some(table) = self.table.as_deref_mut() {
            table.discard(key.py_hash(), i);
        }
        let out = self.entries[i].take();
        self.compact_if_sparse();
        out
    }

    /// Compacts once tombstones outnumber entries, so a queue-like dict stays small.
    fn compact_if_sparse(&mut self) {
        if self.entries.len() > 16 && self.entries.len() > 2 * self.index.len() {
            self.compact();
        }
    }

    fn compact(&mut self) {
        if let Some(table) = self.table.as_deref_mut() {
            let mut next = 0;
            let new_of: Vec<usize> = self
                .entries
                .iter()
                .map(|e| {
                    next += usize::from(e.is_some());
                    next.wrapping_sub(1)
                })
                .collect();
            table.renumber(&new_of);
        }
        let entries: Vec<_> = self.entries.drain(..).flatten().collect();
        self.index.clear();
        for (i, (k, _)) in entries.iter().enumerate() {
            if let Ok(hk) = k.hkey() {
                self.index.insert(hk, i);
            }
        }
        self.entries = entries.into_iter().map(Some).collect();
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        if let Some(table) = self.table.as_deref_mut() {
            table.clear();
        }
    }

    /// The (key, value) pairs in insertion order (a dict's) or table order (a set's).
    pub fn iter(&self) -> impl Iterator<Item = &(Value, Value)> {
        let by_insertion = self.table.is_none().then(|| self.entries.iter().flatten());
        let by_table = self.table.as_deref().map(|t| t.order().filter_map(|i| self.entries[i].as_ref()));
        by_insertion.into_iter().flatten().chain(by_table.into_iter().flatten())
    }

    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|(k, _)| k.clone()).collect()
    }

    /// Removes and returns the last entry (`dict.popitem`).
    pub fn pop_last(&mut self) -> Option<(Value, Value)> {
        let (k, _) = self.entries.iter().rev().flatten().next()?.clone();
        let hk = k.hkey().ok()?;
        self.remove(&hk)
    }

    /// `set.pop()`: the element CPython's would take (from its table's finger on), and how many
    /// slots that took looking at.
    pub fn pop_element(&mut self) -> Option<(Value, usize)> {
        let (i, looked) = match self.table.as_deref_mut() {
            Some(table) => table.pop()?,
            None => (self.entries.iter().position(Option::is_some)?, 1),
        };
        let (k, _) = self.entries[i].take()?;
        if let Ok(hk) = k.hkey() {
            self.index.remove(&hk);
        }
        self.compact_if_sparse();
        Some((k, looked))
    }

    /// `self` becomes `other`, as CPython's `set_swap_bodies` makes it (`&=`): its table, but
    /// this set's `pop` finger.
    pub fn set_replace(&mut self, mut other: Dict) {
        if let (Some(mine), Some(theirs)) = (self.table.as_deref(), other.table.as_deref_mut()) {
            theirs.keep_finger_of(mine);
        }
        *self = other;
    }

    /// A copy of a set, laid out as CPython's `set(s)` lays it out.
    pub fn set_copy(&self) -> Dict {
        let mut out = Dict::new_set();
        out.set_merge(self);
        out
    }

    /// `set_merge`: `other`'s elements added, in its table's order, after one resize for both.
    pub fn set_merge(&mut self, other: &Dict) {
        let (Some(table), Some(theirs)) = (self.table.as_deref_mut(), other.table.as_deref()) else {
            for (k, v) in other.iter() {
                if let Ok(hk) = k.hkey() {
                    self.insert(hk, k.clone(), v.clone());
                }
            }
            return;
        };
        if theirs.len() == 0 {
            return;
        }
        table.make_room(theirs.len());
        let (entries, index) = (&mut self.entries, &mut self.index);
        let copied = table.merge_into_empty(theirs, |i| {
            let entry = entries.len();
            if let Some((k, v)) = &other.entries[i] {
                if let Ok(hk) = k.hkey() {
                    index.insert(hk, entry);
                }
                entries.push(Some((k.clone(), v.clone())));
            }
            entry
        });
        if !copied {
            for i in theirs.order() {
                if let Some((k, v)) = &other.entries[i] {
                    if let Ok(hk) = k.hkey() {
                        self.insert(hk, k.clone(), v.clone());
                    }
                }
            }
        }
    }

    /// `set_update_internal` from a dict: one resize for both, then its keys in its order.
    pub fn set_add_keys_of(&mut self, dict: &Dict) {
        if let Some(table) = self.table.as_deref_mut() {
            table.make_room(dict.len());
        }
        for (k, _) in dict.iter() {
            if let Ok(hk) = k.hkey() {
                self.insert(hk, k.clone(), Value::None);
            }
        }
    }

    /// The end of `set_difference_update`: a table left more than a quarter dummies is rebuilt.
    pub fn set_purge_dummies(&mut self) {
        if let Some(table) = self.table.as_deref_mut() {
            table.purge_dummies();
        }
    }
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(Cells::new(items)))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(Items(items.into_boxed_slice())))
    }

    pub fn set(d: Dict) -> Value {
        Value::Set(Rc::new(Cells::new(d)))
    }

    pub fn dict(d: Dict) -> Value {
        Value::Dict(Rc::new(Cells::new(d)))
    }

    /// The name of the value's type, as `type(x).__name__` gives it.
    pub fn type_name(&self) -> Rc<str> {
        let name = match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Func(_) => "function",
            Value::Method(m) if matches!(m.0, Value::Builtin(t) if t.is_type()) => "method_descriptor",
            // `[].append`, `task.cancel`: a C method bound to its object.
            Value::Method(m) if super::fmt::builtin_receiver(&m.0).is_some() => match m.1 {
                super::builtins::B::ObjectInit => "method-wrapper",
                _ => "builtin_function_or_method",
            },
            Value::Bound(_) | Value::Method(_) => "method",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Class(_) => "type",
            Value::Instance(i) => return i.class.name.clone(),
            Value::Super(_) => "super",
            Value::Module(_) => "module",
            Value::Coro(_) => "coroutine",
            Value::Task(_) => "Task",
            Value::Obj(o) => o.type_name(),
        };
        Rc::from(name)
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) | Value::Set(d) => !d.borrow().is_empty(),
            Value::Range(r) => range_len(r.0, r.1, r.2) > 0,
            Value::Obj(o) => o.truthy(),
            _ => true,
        }
    }

    /// The hash key, or Python's `TypeError: unhashable type` (as the type's name).
    pub fn hkey(&self) -> Result<HKey, Rc<str>> {
        self.hkey_counting(&mut KeyCount::default())
    }

    /// [`Value::hkey`], counting what it reads in `count`.
    pub fn hkey_counting(&self, count: &mut KeyCount) -> Result<HKey, Rc<str>> {
        self.hkey_at(0, count)
    }

    fn hkey_at(&self, depth: u32, count: &mut KeyCount) -> Result<HKey, Rc<str>> {
        if depth > MAX_COMPARE_DEPTH {
            return Err(Rc::from("tuple (nested too deeply)"));
        }
        count.values += 1;
        if let Value::Tuple(_) = self {
            count.tuples += 1;
            if count.tuples > MAX_KEY_TUPLES {
                return Err(Rc::from("tuple (holding over a million tuples)"));
            }
        }
        Ok(match self {
            Value::None => HKey::None,
            Value::Bool(b) => HKey::Int(i64::from(*b)),
            Value::Int(i) => HKey::Int(*i),
            Value::Float(f) => {
                // A whole float within an i64 hashes as that int, as it equals it.
                if f.fract() == 0.0 && (-I64_SPAN..I64_SPAN).contains(f) {
                    HKey::Int(*f as i64)
                } else {
                    HKey::Float(f.to_bits())
                }
            }
            Value::Str(s) => HKey::Str(s.clone()),
            Value::Tuple(t) => HKey::Tuple(t.iter().map(|v| v.hkey_at(depth + 1, count)).collect::<Result<_, _>>()?),
            Value::List(_) | Value::Dict(_) | Value::Set(_) => return Err(self.type_name()),
            Value::Obj(o) if o.is_dict_view() => return Err(self.type_name()),
            other => HKey::Id(other.identity()),
        })
    }

    /// An identity for `is` and for hashing objects: the address of what the value points to.
    pub fn identity(&self) -> usize {
        match self {
            Value::Str(s) => Rc::as_ptr(s) as *const u8 as usize,
            Value::List(l) => Rc::as_ptr(l) as usize,
            Value::Tuple(t) => Rc::as_ptr(t) as usize,
            Value::Dict(d) | Value::Set(d) => Rc::as_ptr(d) as usize,
            Value::Range(r) => Rc::as_ptr(r) as usize,
            Value::Func(f) => Rc::as_ptr(f) as usize,
            Value::Bound(b) => Rc::as_ptr(b) as usize,
            Value::Method(m) => Rc::as_ptr(m) as usize,
            Value::Class(c) => Rc::as_ptr(c) as usize,
            Value::Instance(i) => Rc::as_ptr(i) as usize,
            Value::Super(s) => Rc::as_ptr(s) as usize,
            Value::Coro(c) => Rc::as_ptr(c) as usize,
            Value::Task(t) => Rc::as_ptr(t) as usize,
            Value::Obj(o) => Rc::as_ptr(o) as usize,
            Value::Builtin(b) => *b as usize + 1,
            Value::Module(m) => *m as usize + 0x100,
            Value::None => 1,
            Value::Bool(b) => 2 + usize::from(*b),
            Value::Int(i) => *i as usize,
            Value::Float(f) => f.to_bits() as usize,
        }
    }

    /// `a is b`.
    pub fn is(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            // Small ints are cached in CPython; equal ints are treated as identical here.
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            (Value::Module(a), Value::Module(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => Rc::ptr_eq(a, b) || (a.len() <= 1 && a == b),
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b) && a.identity() == b.identity(),
        }
    }

    /// Whether the value holds no other value (dropping it frees nothing else).
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Value::None
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Range(_)
                | Value::Builtin(_)
                | Value::Module(_)
        )
    }

    /// The instance's class, if the value is an instance.
    pub fn class(&self) -> Option<&Rc<Class>> {
        match self {
            Value::Instance(i) => Some(&i.class),
            _ => None,
        }
    }
}

/// How many numbers `range(start, stop, step)` holds, at most `i64::MAX` (see
/// [`range_len_exact`]).
pub fn range_len(start: i64, stop: i64, step: i64) -> i64 {
    range_len_exact(start, stop, step).min(i128::from(i64::MAX)) as i64
}

/// How many numbers `range(start, stop, step)` holds: up to 2^64 - 1, past an `i64`.
pub fn range_len_exact(start: i64, stop: i64, step: i64) -> i128 {
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    if step > 0 && start < stop {
        (stop - start + step - 1) / step
    } else if step < 0 && start > stop {
        (start - stop - step - 1) / -step
    } else {
        0
    }
}

/// 2^63: every i64 is below it and at or above its negative.
pub const I64_SPAN: f64 = 9_223_372_036_854_775_808.0;

/// An int against a float as Python compares them: exactly, where converting the int to a float
/// rounds (`2**53 + 1 == float(2**53)` is False); `None` for a NaN.
pub fn int_float_cmp(i: i64, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering::{Greater, Less};
    if f.is_nan() {
        return None;
    }
    if f >= I64_SPAN {
        return Some(Less);
    }
    if f < -I64_SPAN {
        return Some(Greater);
    }
    // Within an i64 now, so the whole part converts exactly.
    let whole = f.trunc();
    Some(i.cmp(&(whole as i64)).then_with(|| 0.0.partial_cmp(&(f - whole)).unwrap_or(std::cmp::Ordering::Equal)))
}

/// Whether a list, tuple or dict holds a list, tuple or dict.
fn holds_containers(v: &Value) -> bool {
    let container = |x: &Value| matches!(x, Value::List(_) | Value::Tuple(_) | Value::Dict(_));
    match v {
        Value::List(l) => l.borrow().iter().any(container),
        Value::Tuple(t) => t.iter().any(container),
        Value::Dict(d) => d.borrow().iter().any(|(_, x)| container(x)),
        _ => false,
    }
}

/// Python's `==`.
pub fn eq(a: &Value, b: &Value) -> bool {
    Equality::default().eq(a, b, 0)
}

/// What a set or a dict's keys or items view holds; `None` for any other value.
fn set_like_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::Set(d) => Some(d.borrow().keys()),
        Value::Obj(o) if o.is_set_like_view() => o.iter_values(),
        _ => None,
    }
}

/// `item in v` for a set or a dict's keys or items view (an items view looks the pair's key
/// up and compares its value: an unhashable value compares too, as CPython's).
fn set_like_contains(v: &Value, item: &Value) -> bool {
    match v {
        Value::Set(d) => item.hkey().is_ok_and(|h| d.borrow().contains(&h)),
        Value::Obj(o) => matches!(o.view_contains(item), Some(Ok(true))),
        _ => false,
    }
}

/// Whether two sets hold the same items.
fn same_keys(x: &Dict, y: &Dict) -> bool {
    x.len() == y.len() && x.iter().all(|(k, _)| k.hkey().is_ok_and(|h| y.contains(&h)))
}

/// Deepest nesting `==` and hashing follow: deeper structures compare unequal and are not
/// hashable (CPython raises RecursionError there; here the page's stack is the limit).
pub const MAX_COMPARE_DEPTH: u32 = 200;

/// Most tuples a hash key takes in, its own included: more are unhashable here.
const MAX_KEY_TUPLES: usize = 1 << 20;

/// What a hash key has read: `values` for the work it took, `tuples` against
/// [`MAX_KEY_TUPLES`] (a tuple built as `t = (t, t)` sixty times over holds 2^60 of them: its key
/// would never be finished, nor would CPython's hash).
#[derive(Default)]
pub struct KeyCount {
    pub values: usize,
    tuples: usize,
}

/// One `==` between two values. It remembers the pairs of containers it has found equal, and
/// does not compare them again: two lists built as `x = [x, x]` sixty times over would otherwise
/// take 2^60 comparisons (CPython's take as long). Nothing runs during it that could change them.
#[derive(Default)]
struct Equality {
    equal: rustc_hash::FxHashSet<(usize, usize)>,
}

impl Equality {
    fn eq(&mut self, a: &Value, b: &Value, depth: u32) -> bool {
        if depth > MAX_COMPARE_DEPTH {
            return false;
        }
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x == y,
            (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => {
                int_float_cmp(*x, *y) == Some(std::cmp::Ordering::Equal)
            }
            (Value::Bool(x), _) => self.eq(&Value::Int(i64::from(*x)), b, depth),
            (_, Value::Bool(y)) => self.eq(a, &Value::Int(i64::from(*y)), depth),
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::None, Value::None) => true,
            (Value::List(x), Value::List(y)) if Rc::ptr_eq(x, y) => true,
            (Value::Tuple(x), Value::Tuple(y)) if Rc::ptr_eq(x, y) => true,
            (Value::Dict(x), Value::Dict(y)) if Rc::ptr_eq(x, y) => true,
            (Value::List(_), Value::List(_))
            | (Value::Tuple(_), Value::Tuple(_))
            | (Value::Dict(_), Value::Dict(_)) => self.containers(a, b, depth),
            (Value::Set(x), Value::Set(y)) => same_keys(&x.borrow(), &y.borrow()),
            // A dict's keys or items view equals a set, or such a view, of the same items.
            (Value::Obj(_), Value::Set(_) | Value::Obj(_)) | (Value::Set(_), Value::Obj(_)) => {
                match (set_like_items(a), set_like_items(b)) {
                    (Some(x), Some(y)) => x.len() == y.len() && x.iter().all(|item| set_like_contains(b, item)),
                    _ => a.is(b),
                }
            }
            (Value::Range(x), Value::Range(y)) => x == y,
            (x, y) => x.is(y),
        }
    }

    /// Two lists, two tuples or two dicts, unless already found equal.
    fn containers(&mut self, a: &Value, b: &Value, depth: u32) -> bool {
        let pair = (a.identity(), b.identity());
        if self.equal.contains(&pair) {
            return true;
        }
        let equal = match (a, b) {
            (Value::List(x), Value::List(y)) => self.seq(&x.borrow(), &y.borrow(), depth),
            (Value::Tuple(x), Value::Tuple(y)) => self.seq(x, y, depth),
            (Value::Dict(x), Value::Dict(y)) => self.dicts(&x.borrow(), &y.borrow(), depth),
            _ => false,
        };
        // Remembered below the top only, and only for containers of containers: the pairs a
        // shared structure reaches again (remembering each pair allocated for every
        // `(1, 2) == (1, 2)`).
        if equal && depth > 0 && holds_containers(a) {
            self.equal.insert(pair);
        }
        equal
    }

    fn seq(&mut self, x: &[Value], y: &[Value], depth: u32) -> bool {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.eq(p, q, depth + 1))
    }

    fn dicts(&mut self, a: &Dict, b: &Dict, depth: u32) -> bool {
        a.len() == b.len()
            && a.iter().all(|(k, v)| k.hkey().ok().and_then(|h| b.get(&h)).is_some_and(|w| self.eq(v, w, depth + 1)))
    }
}

/// A mutable container's contents (a list's, dict's or set's). Dropping it hands its values to
/// [`bury`], so a million nested lists are freed one by one, not by a million nested drops (which
/// would overflow the page's stack).
pub struct Cells<T: Bury>(RefCell<T>);

impl<T: Bury> Cells<T> {
    pub fn new(v: T) -> Self {
        Cells(RefCell::new(v))
    }
}

impl<T: Bury> std::ops::Deref for Cells<T> {
    type Target = RefCell<T>;
    fn deref(&self) -> &RefCell<T> {
        &self.0
    }
}

impl<T: Bury> Drop for Cells<T> {
    fn drop(&mut self) {
        self.0.get_mut().bury();
    }
}

/// A tuple's items (freed as [`Cells`] are).
pub struct Items(Box<[Value]>);

impl std::ops::Deref for Items {
    type Target = [Value];
    fn deref(&self) -> &[Value] {
        &self.0
    }
}

impl Drop for Items {
    fn drop(&mut self) {
        bury(std::mem::take(&mut self.0).into_vec().into_iter());
    }
}

impl Drop for Func {
    fn drop(&mut self) {
        let defaults = std::mem::take(&mut self.defaults).into_iter().chain(std::mem::take(&mut self.kw_defaults));
        bury(defaults.flatten());
        // `f.prev = g` in a loop chains functions: freed without recursion too.
        bury(std::mem::take(self.attrs.get_mut()).into_values());
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        bury(std::mem::take(self.vars.get_mut()).into_values());
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        bury(std::mem::take(self.attrs.get_mut()).into_values());
    }
}

/// What a container gives up when it is freed.
pub trait Bury {
    fn bury(&mut self);
}

impl Bury for Vec<Value> {
    fn bury(&mut self) {
        bury(std::mem::take(self).into_iter());
    }
}

impl Bury for Dict {
    fn bury(&mut self) {
        self.index.clear();
        bury(std::mem::take(&mut self.entries).into_iter().flatten().flat_map(|(k, v)| [k, v]));
    }
}

thread_local! {
    static TRASH: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
    static DRAINING: Cell<bool> = const { Cell::new(false) };
}

/// Frees `values` without recursion: containers among them go to a worklist that the outermost
/// call drains, one at a time (their own contents join the list as they are freed).
pub fn bury(values: impl Iterator<Item = Value>) {
    // Scalars and functions are dropped here, with no borrow of the worklist held.
    let containers: Vec<Value> = values.filter(|v| !v.is_scalar()).collect();
    if containers.is_empty() {
        return;
    }
    TRASH.with(|t| t.borrow_mut().extend(containers));
    if DRAINING.with(|d| d.replace(true)) {
        return;
    }
    while let Some(v) = TRASH.with(|t| t.borrow_mut().pop()) {
        drop(v);
    }
    DRAINING.with(|d| d.set(false));
}
