//! Exceptions: the built-in exception classes (asyncio's and aiohttp's too), as ordinary
//! classes the reader's classes can derive from, and the traceback each raised one collects.

use std::cell::RefCell;
use std::rc::Rc;

use super::builtins::B;
use super::tasks::TaskObj;
use super::value::{Class, Instance};
use super::{fmt, raise, Exc, Flow, Frame, Interp, Res, Value};

macro_rules! exceptions {
    ($($v:ident = $name:literal : $base:ident),* $(,)?) => {
        /// The built-in exception classes; each names its base.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum E { BaseException, $($v),* }

        const TABLE: &[(E, &str, E)] = &[$((E::$v, $name, E::$base)),*];
    };
}

exceptions! {
    Exception = "Exception": BaseException,
    CancelledError = "CancelledError": BaseException,
    KeyboardInterrupt = "KeyboardInterrupt": BaseException,
    SystemExit = "SystemExit": BaseException,
    GeneratorExit = "GeneratorExit": BaseException,
    ArithmeticError = "ArithmeticError": Exception,
    ZeroDivisionError = "ZeroDivisionError": ArithmeticError,
    OverflowError = "OverflowError": ArithmeticError,
    AssertionError = "AssertionError": Exception,
    AttributeError = "AttributeError": Exception,
    LookupError = "LookupError": Exception,
    IndexError = "IndexError": LookupError,
    KeyError = "KeyError": LookupError,
    NameError = "NameError": Exception,
    UnboundLocalError = "UnboundLocalError": NameError,
    RuntimeError = "RuntimeError": Exception,
    NotImplementedError = "NotImplementedError": RuntimeError,
    RecursionError = "RecursionError": RuntimeError,
    MemoryError = "MemoryError": Exception,
    OSError = "OSError": Exception,
    ConnectionError = "ConnectionError": OSError,
    ConnectionRefusedError = "ConnectionRefusedError": ConnectionError,
    ConnectionResetError = "ConnectionResetError": ConnectionError,
    TimeoutError = "TimeoutError": OSError,
    TypeError = "TypeError": Exception,
    ValueError = "ValueError": Exception,
    JSONDecodeError = "JSONDecodeError": ValueError,
    StopIteration = "StopIteration": Exception,
    StopAsyncIteration = "StopAsyncIteration": Exception,
    BaseExceptionGroup = "BaseExceptionGroup": BaseException,
    // And from `Exception` (`ALSO_DERIVES`).
    ExceptionGroup = "ExceptionGroup": BaseExceptionGroup,
    QueueEmpty = "QueueEmpty": Exception,
    QueueFull = "QueueFull": Exception,
    InvalidStateError = "InvalidStateError": Exception,
    ClientError = "ClientError": Exception,
    ClientResponseError = "ClientResponseError": ClientError,
    ClientConnectionError = "ClientConnectionError": ClientError,
}

/// The built-in classes that derive from a second class too, after the one their `TABLE` entry
/// names: CPython's `class ExceptionGroup(BaseExceptionGroup, Exception)`.
const ALSO_DERIVES: &[(E, E)] = &[(E::ExceptionGroup, E::Exception)];

/// The built-in exception classes of a run.
pub struct Classes(Vec<Rc<Class>>);

impl Classes {
    pub fn new() -> Self {
        let base = Rc::new(Class {
            name: Rc::from("BaseException"),
            qualname: Rc::from("BaseException"),
            bases: Vec::new(),
            attrs: RefCell::default(),
            builtin: true,
            depth: 0,
            annotated: Vec::new(),
        });
        let mut all = vec![base];
        for (e, name, parent) in TABLE {
            debug_assert_eq!(*e as usize, all.len());
            let also = ALSO_DERIVES.iter().filter(|(x, _)| x == e).map(|(_, b)| all[*b as usize].clone());
            let bases: Vec<Rc<Class>> = std::iter::once(all[*parent as usize].clone()).chain(also).collect();
            let depth = bases.iter().map(|b| b.depth).max().unwrap_or(0) + 1;
            let (name, qualname) = (Rc::from(*name), Rc::from(*name));
            all.push(Rc::new(Class {
                name,
                qualname,
                bases,
                attrs: RefCell::default(),
                builtin: true,
                depth,
                annotated: Vec::new(),
            }));
        }
        Classes(all)
    }

    pub fn get(&self, e: E) -> Rc<Class> {
        self.0[e as usize].clone()
    }

    /// The built-in exception class called `name` (as a global name; asyncio's and aiohttp's
    /// are module attributes).
    pub fn named(&self, name: &str) -> Option<Rc<Class>> {
        let e = match name {
            "BaseException" => E::BaseException,
            "CancelledError"
            | "QueueEmpty"
            | "QueueFull"
            | "InvalidStateError"
            | "ClientError"
            | "ClientResponseError"
            | "ClientConnectionError"
            | "JSONDecodeError" => return None,
            _ => TABLE.iter().find(|(_, n, _)| *n == name)?.0,
        };
        Some(self.get(e))
    }

    /// A module attribute that is an exception class: `asyncio.CancelledError`, `aiohttp.ClientError`.
    pub fn module_attr(&self, module: super::value::Module, name: &str) -> Option<Rc<Class>> {
        use super::value::Module as M;
        let e = match (module, name) {
            (M::Asyncio, "CancelledError") => E::CancelledError,
            (M::Asyncio, "TimeoutError") => E::TimeoutError,
            (M::Asyncio, "QueueEmpty") => E::QueueEmpty,
            (M::Asyncio, "QueueFull") => E::QueueFull,
            (M::Asyncio, "InvalidStateError") => E::InvalidStateError,
            (M::Aiohttp, "ClientError") => E::ClientError,
            (M::Aiohttp, "ClientResponseError") => E::ClientResponseError,
            (M::Aiohttp, "ClientConnectionError" | "ClientConnectorError") => E::ClientConnectionError,
            (M::Aiohttp, "ServerTimeoutError") => E::TimeoutError,
            (M::Json, "JSONDecodeError") => E::JSONDecodeError,
            _ => return None,
        };
        Some(self.get(e))
    }
}

impl<'a> Interp<'a> {
    /// A new exception object of class `class` with `args`.
    pub fn new_exception(&self, class: Rc<Class>, args: Vec<Value>) -> Value {
        let inst = Instance::new(class);
        inst.attrs.borrow_mut().insert(Rc::from("args"), Value::tuple(args));
        Value::Instance(Rc::new(inst))
    }

    /// `BaseExceptionGroup(message, excs)` (what a TaskGroup raises and `derive` makes).
    pub fn new_group(&self, message: Value, excs: Vec<Value>) -> Value {
        let args = vec![message.clone(), Value::list(excs.clone())];
        self.make_group(self.classes.get(E::BaseExceptionGroup), message, excs, args)
    }

    /// `class(message, excs)` for a group class (`ExceptionGroup`, one of the reader's), its
    /// arguments checked as CPython's `BaseExceptionGroup.__new__` checks them.
    pub fn construct_group(&self, class: Rc<Class>, args: &[Value]) -> Res {
        let [message, excs] = args else {
            let n = args.len();
            return raise(E::TypeError, format!("BaseExceptionGroup.__new__() takes exactly 2 arguments ({n} given)"));
        };
        if !matches!(message, Value::Str(_)) {
            let t = message.type_name();
            return raise(E::TypeError, format!("BaseExceptionGroup.__new__() argument 1 must be str, not {t}"));
        }
        let excs = self.group_exceptions(excs)?;
        self.refuse_nested_base_exceptions(&class, &excs)?;
        Ok(self.make_group(class, message.clone(), excs, args.to_vec()))
    }

    /// A group of `excs` made as `class(*args)`, its `exceptions` and `message` set as its
    /// constructor sets them. `BaseExceptionGroup` itself makes an `ExceptionGroup` when every
    /// one of `excs` is an `Exception`, as CPython's does.
    fn make_group(&self, class: Rc<Class>, message: Value, excs: Vec<Value>, args: Vec<Value>) -> Value {
        let only_exceptions = excs.iter().all(|x| self.is_instance_of(x, E::Exception));
        let class = match Rc::ptr_eq(&class, &self.classes.get(E::BaseExceptionGroup)) && only_exceptions {
            true => self.classes.get(E::ExceptionGroup),
            false => class,
        };
        let group = self.new_exception(class, args);
        if let Value::Instance(i) = &group {
            i.attrs.borrow_mut().insert(Rc::from("exceptions"), Value::tuple(excs));
            i.attrs.borrow_mut().insert(Rc::from("message"), message);
        }
        group
    }

    /// The exceptions of a new group, `ExceptionGroup(message, excs)`'s or `derive(excs)`'s,
    /// refused as CPython's `BaseExceptionGroup.__new__` refuses them: not a sequence (a set, a
    /// generator), empty (a group of nothing could not be raised or caught meaningfully), or
    /// holding an item that is no exception.
    pub fn group_exceptions(&self, excs: &Value) -> Result<Vec<Value>, Flow> {
        if !matches!(excs, Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_)) {
            return raise(E::TypeError, "second argument (exceptions) must be a sequence");
        }
        let items = self.iterate(excs)?;
        if items.is_empty() {
            return raise(E::ValueError, "second argument (exceptions) must be a non-empty sequence");
        }
        match items.iter().position(|v| !self.is_instance_of(v, E::BaseException)) {
            Some(i) => raise(E::ValueError, format!("Item {i} of second argument (exceptions) is not an exception")),
            None => Ok(items),
        }
    }

    /// A group that is an `Exception` (an `ExceptionGroup`, a class of the reader's deriving from
    /// it) cannot hold a `BaseException` that is not one (`KeyboardInterrupt`, `CancelledError`):
    /// an `except Exception` would catch what it holds.
    fn refuse_nested_base_exceptions(&self, class: &Rc<Class>, excs: &[Value]) -> Result<(), Flow> {
        let exception = self.classes.get(E::Exception);
        if !class.is_sub(&exception) || excs.iter().all(|x| self.is_instance_of(x, E::Exception)) {
            return Ok(());
        }
        match Rc::ptr_eq(class, &self.classes.get(E::ExceptionGroup)) {
            true => raise(E::TypeError, "Cannot nest BaseExceptions in an ExceptionGroup"),
            false => raise(E::TypeError, format!("Cannot nest BaseExceptions in '{}'", class.name)),
        }
    }

    /// `KeyError(key)`: its argument is the key itself (its message is the key's repr).
    pub fn key_error(&self, key: &Value) -> Flow {
        let value = self.new_exception(self.classes.get(E::KeyError), vec![key.clone()]);
        Flow::Exc(Box::new(Exc::new(value)))
    }

    /// The exception a flow carries, as an object with its traceback so far.
    pub fn exc_of(&self, flow: Flow) -> Exc {
        match flow {
            Flow::Exc(exc) => *exc,
            Flow::Raise(e, msg) => {
                // asyncio raises its errors without arguments (`TimeoutError()`, `QueueFull()`,
                // `CancelledError()`): an empty message here is none.
                let args = if msg.is_empty() { Vec::new() } else { vec![Value::str(&msg)] };
                Exc::new(self.new_exception(self.classes.get(e), args))
            }
            Flow::Stop(msg) => Exc::new(self.new_exception(self.classes.get(E::RuntimeError), vec![Value::Str(msg)])),
            Flow::Return(_) | Flow::Break | Flow::Continue => Exc::new(self.new_exception(
                self.classes.get(E::RuntimeError),
                vec![Value::str("misplaced return, break or continue")],
            )),
        }
    }

    /// Keeps `exc`'s traceback on its object (CPython's `__traceback__`) where it is caught or
    /// ends a task or a TaskGroup's body: an exception group that collects it, or a traceback
    /// that chains to it, prints it. Awaiting a failed task raises its exception with the
    /// traceback it had, so a later task's is the longer one.
    pub fn keep_traceback(&self, exc: &Exc) {
        if let Value::Instance(i) = &exc.value {
            *i.traceback.borrow_mut() = exc.trace.clone();
        }
    }

    /// An exception leaving `frame`: the frame's entry added to its traceback. Other flows pass.
    pub fn add_frame(&self, flow: Flow, frame: &Frame) -> Flow {
        match flow {
            Flow::Exc(_) | Flow::Raise(..) => {
                let mut exc = self.exc_of(self.chain_context(flow, &frame.task()));
                enter_frame(&mut exc, frame);
                Flow::Exc(Box::new(exc))
            }
            other => other,
        }
    }

    /// An exception caught in `frame`: its traceback down from that frame kept on its object
    /// (CPython's `__traceback__`), what a bare `raise` re-raises it with.
    pub fn keep_caught_traceback(&self, exc: &Exc, frame: &Frame) {
        self.keep_traceback(&self.caught_in(exc, frame));
    }

    /// `exc` as it is caught in `frame`: its traceback with the frame's entry.
    pub fn caught_in(&self, exc: &Exc, frame: &Frame) -> Exc {
        let mut caught = exc.clone();
        enter_frame(&mut caught, frame);
        caught
    }

    /// `value` raised (again) by `raise`, with the traceback it has (CPython's `__traceback__`:
    /// where it was caught, if it was; none if it was never raised), which the frames it leaves
    /// add to, as CPython's.
    pub fn with_its_traceback(&self, value: Value) -> Exc {
        let mut exc = Exc::new(value);
        if let Value::Instance(i) = &exc.value {
            exc.trace = i.traceback.borrow().clone();
        }
        exc
    }

    /// The exception `task` is handling (in an `except` block, or a function that block calls):
    /// what a bare `raise` re-raises, and the `__context__` of one raised now.
    pub fn handled(&self, task: &TaskObj) -> Option<Value> {
        task.handling.borrow().last().cloned()
    }

    /// CPython's implicit chaining: an exception raised while its task handles another gets that
    /// one as its `__context__` (`During handling of the above exception, another exception
    /// occurred`). Called where a raised exception is first seen (as it leaves its frame, reaches
    /// a `try`, or leaves an `except` block), where the exception being handled is still the one
    /// handled where it was raised; set once there (None if there is none), which a re-raise
    /// keeps. Other flows pass.
    pub fn chain_context(&self, flow: Flow, task: &TaskObj) -> Flow {
        let settled = |v: &Value| matches!(v, Value::Instance(i) if i.attrs.borrow().contains_key("__context__"));
        match &flow {
            Flow::Raise(..) => {}
            Flow::Exc(exc) if !settled(&exc.value) => {}
            _ => return flow,
        }
        let exc = self.exc_of(flow);
        if let Some(handled) = self.handled(task) {
            self.set_context(&exc.value, &handled);
        }
        if let Value::Instance(i) = &exc.value {
            i.attrs.borrow_mut().entry(Rc::from("__context__")).or_insert(Value::None);
        }
        Flow::Exc(Box::new(exc))
    }

    /// `exc.__context__ = handled`, as CPython's `_PyErr_SetObject` sets it: never to itself,
    /// and a chain of contexts that leads from `handled` back to `exc` cut there (no cycle).
    pub fn set_context(&self, exc: &Value, handled: &Value) {
        let Value::Instance(i) = exc else { return };
        if handled.is(exc) {
            return;
        }
        let mut at = handled.clone();
        // A chain the reader made by hand may loop without passing `exc`: it is not followed far.
        for _ in 0..super::limits::MAX_DEPTH {
            let Value::Instance(o) = &at else { break };
            let next = o.attrs.borrow().get("__context__").cloned().unwrap_or(Value::None);
            if next.is(exc) {
                o.attrs.borrow_mut().insert(Rc::from("__context__"), Value::None);
                break;
            }
            at = next;
        }
        i.attrs.borrow_mut().insert(Rc::from("__context__"), handled.clone());
    }

    /// `raise … from cause`: its `__cause__` (None for `from None`), and `__suppress_context__`
    /// set as CPython's `raise` sets it, so that its traceback shows the cause, never the context.
    pub fn set_cause(&self, exc: &Value, cause: Value) {
        if let Value::Instance(i) = exc {
            i.attrs.borrow_mut().insert(Rc::from("__cause__"), cause);
            i.attrs.borrow_mut().insert(Rc::from("__suppress_context__"), Value::Bool(true));
        }
    }

    /// Whether `v` is an instance of the built-in exception class `e` (or of a subclass).
    pub fn is_instance_of(&self, v: &Value, e: E) -> bool {
        v.class().is_some_and(|c| c.is_sub(&self.classes.get(e)))
    }

    /// Whether a flow is an exception of class `e`.
    pub fn flow_is(&self, flow: &Flow, e: E) -> bool {
        match flow {
            Flow::Raise(r, _) => self.classes.get(*r).is_sub(&self.classes.get(e)),
            Flow::Exc(exc) => self.is_instance_of(&exc.value, e),
            _ => false,
        }
    }

    /// `ValueError: boom` (or just `ValueError`), from the exception's `args`: what a failed task's
    /// mark says. No code of the reader's runs for it (CPython calls `__str__` only to print).
    pub fn exc_line(&self, v: &Value) -> String {
        with_message(&v.type_name(), &fmt::exc_str(v))
    }

    /// `str(exc)` as a traceback prints it: the reader's `__str__` (a plain `def`, so it runs to
    /// its end here, as a property's getter does), else from the exception's `args`; CPython's
    /// `<exception str() failed>` for a `__str__` that raises.
    fn exc_message(&self, v: &Value, task: &Rc<TaskObj>) -> String {
        let Some(method) = super::eval::user_method(v, "__str__") else { return fmt::exc_str(v) };
        let frame = Frame::new(self.globals.clone(), None, task.clone(), Rc::from("__str__"), task.line.get());
        match self.call_plain(method, Vec::new(), &frame, "__str__()") {
            Ok(Value::Str(s)) => s.to_string(),
            _ => "<exception str() failed>".to_string(),
        }
    }

    /// A traceback's last line: the exception's class, named with its module as CPython's
    /// traceback names asyncio's and json's (`asyncio.exceptions.CancelledError`), and its
    /// [`Interp::exc_message`] (run in `task`: what a `__str__` prints goes to that lane).
    pub fn traceback_line(&self, v: &Value, task: &Rc<TaskObj>) -> String {
        let module = match v.class() {
            Some(c) if c.builtin => match &*c.name {
                "CancelledError" | "InvalidStateError" => Some("asyncio.exceptions"),
                "QueueEmpty" | "QueueFull" => Some("asyncio.queues"),
                "JSONDecodeError" => Some("json.decoder"),
                _ => None,
            },
            _ => None,
        };
        let name = match module {
            Some(module) => format!("{module}.{}", v.type_name()),
            None => v.type_name().to_string(),
        };
        with_message(&name, &self.exc_message(v, task))
    }
}

/// `name: message`, or `name` alone for an exception without a message.
fn with_message(name: &str, msg: &str) -> String {
    if msg.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {msg}")
    }
}

/// `frame`'s entry (`line 7, in f`, the line it runs now) added to `exc`'s traceback as the
/// exception leaves the frame or is caught there; none for the frame a bare `raise` re-raised it
/// in (CPython's `RERAISE` adds none: the entry the traceback has from where it was caught names
/// the line that raised it).
fn enter_frame(exc: &mut Exc, frame: &Frame) {
    if !std::mem::take(&mut exc.reraised) {
        if exc.trace.len() >= MAX_TRACE {
            // `raise e` goes on from the traceback `e` was caught with, so a loop of them grows
            // it by an entry a turn: the oldest entries above the innermost ones are left out.
            exc.trace.remove(KEPT_INNERMOST);
        }
        exc.trace.push((frame.name.clone(), frame.line.get()));
    }
}

/// Entries a traceback keeps at most (its innermost [`KEPT_INNERMOST`], where it was first
/// raised, and the outermost rest), so catching an exception, which copies its traceback, costs
/// at most this much, and an uncaught one prints at most this many frame lines (within
/// `limits::EVENTS_RESERVED`). A recursion's traceback (`limits::MAX_DEPTH` frames) is whole:
/// only `raise e` again and again (CPython's traceback grows by one each time) reaches it.
pub const MAX_TRACE: usize = 2 * super::limits::MAX_DEPTH as usize;
/// The innermost entries a traceback past [`MAX_TRACE`] keeps.
const KEPT_INNERMOST: usize = super::limits::MAX_DEPTH as usize;

/// What `split` and `subgroup` sort by (CPython's `_exceptiongroup_split_matcher`): an
/// exception class or a tuple of them (matched as an `except` clause matches), or a function of
/// the reader's called with each exception, groups too.
enum Matcher {
    Classes(Value),
    Predicate(Value),
}

/// An exception group split in two: what matched and the rest, each a group or `None`.
type Split = (Option<Value>, Option<Value>);

impl<'a> Interp<'a> {
    /// An exception group's `split(condition)`, `subgroup(condition)` and `derive(excs)`, as
    /// CPython 3.12's.
    pub async fn group_method(&self, b: B, group: Value, args: Vec<Value>, f: &Frame, line: u32) -> Res {
        let Some(arg) = args.into_iter().next() else {
            return raise(E::TypeError, format!("{}() takes exactly one argument (0 given)", b.name()));
        };
        if b == B::EgDerive {
            // `BaseExceptionGroup(self.message, excs)`: its args keep `excs` as given (a tuple
            // stays a tuple in its repr).
            let message = self.group_part(&group, "message");
            let excs = self.group_exceptions(&arg)?;
            let class = self.classes.get(E::BaseExceptionGroup);
            return Ok(self.make_group(class, message.clone(), excs, vec![message, arg]));
        }
        let matcher = self.matcher(arg)?;
        let (matched, rest) = self.split_group(&group, &matcher, b == B::EgSplit, f, line, 0).await?;
        let none = || Value::None;
        Ok(match b {
            B::EgSplit => Value::tuple(vec![matched.unwrap_or_else(none), rest.unwrap_or_else(none)]),
            _ => matched.unwrap_or_else(none),
        })
    }

    fn matcher(&self, condition: Value) -> Result<Matcher, Flow> {
        let base = self.classes.get(E::BaseException);
        let is_class = |v: &Value| matches!(v, Value::Class(c) if c.is_sub(&base));
        match &condition {
            Value::Func(_) => Ok(Matcher::Predicate(condition)),
            Value::Tuple(items) if items.iter().all(is_class) => Ok(Matcher::Classes(condition)),
            other if is_class(other) => Ok(Matcher::Classes(condition)),
            _ => raise(E::TypeError, "expected a function, exception type or tuple of exception types"),
        }
    }

    async fn split_matches(&self, exc: &Value, matcher: &Matcher, f: &Frame, line: u32) -> Result<bool, Flow> {
        match matcher {
            Matcher::Classes(classes) => self.matches(exc, classes),
            Matcher::Predicate(func) => {
                let verdict = self.call(func.clone(), vec![exc.clone()], Vec::new(), f, line).await?;
                self.truth(&verdict, f)
            }
        }
    }

    /// CPython's `exceptiongroup_split_recursive`: `exc` itself if it matches, else each of a
    /// group's exceptions split in turn and the parts regrouped by the group's `derive` (a new
    /// group of the same message, keeping its traceback, cause and context); `rest` only if
    /// `with_rest`.
    fn split_group<'s>(
        &'s self,
        exc: &'s Value,
        matcher: &'s Matcher,
        with_rest: bool,
        f: &'s Frame,
        line: u32,
        depth: u32,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Split, Flow>> + 's>> {
        Box::pin(async move {
            // Groups nested deeper than calls may (a loop of `g = ExceptionGroup("m", [g])`)
            // would overflow the page's stack: CPython's `RecursionError`, in its words.
            if depth > super::limits::MAX_DEPTH {
                return raise(E::RecursionError, "maximum recursion depth exceeded in exceptiongroup_split_recursive");
            }
            if self.split_matches(exc, matcher, f, line).await? {
                return Ok((Some(exc.clone()), None));
            }
            if !self.is_instance_of(exc, E::BaseExceptionGroup) {
                return Ok((None, with_rest.then(|| exc.clone())));
            }
            let (mut matched, mut rest) = (Vec::new(), Vec::new());
            for sub in self.iterate(&self.group_part(exc, "exceptions"))? {
                let (m, r) = self.split_group(&sub, matcher, with_rest, f, line, depth + 1).await?;
                matched.extend(m);
                rest.extend(r);
            }
            Ok((self.derive_part(exc, matched, f, line).await?, self.derive_part(exc, rest, f, line).await?))
        })
    }

    /// A part of a split group: `group.derive(excs)` (the reader's, if their class has one),
    /// with the group's traceback, `__cause__` and `__context__`; `None` if `excs` is empty.
    async fn derive_part(&self, group: &Value, excs: Vec<Value>, f: &Frame, line: u32) -> Result<Option<Value>, Flow> {
        if excs.is_empty() {
            return Ok(None);
        }
        let part = match super::eval::user_method(group, "derive") {
            Some(derive) => self.call(derive, vec![Value::list(excs)], Vec::new(), f, line).await?,
            None => self.new_group(self.group_part(group, "message"), excs),
        };
        if let (Value::Instance(from), Value::Instance(to)) = (group, &part) {
            *to.traceback.borrow_mut() = from.traceback.borrow().clone();
            // CPython's `exceptiongroup_subset` sets the cause (so suppresses the context, as
            // `raise … from` does) and the context, both as the group's, if it has none.
            let of_group = |name: &str| from.attrs.borrow().get(name).cloned().unwrap_or(Value::None);
            self.set_cause(&part, of_group("__cause__"));
            to.attrs.borrow_mut().insert(Rc::from("__context__"), of_group("__context__"));
        }
        Ok(Some(part))
    }

    /// A group's `message` or `exceptions`.
    fn group_part(&self, group: &Value, name: &str) -> Value {
        match group {
            Value::Instance(i) => i.attrs.borrow().get(name).cloned().unwrap_or(Value::None),
            _ => Value::None,
        }
    }
}
