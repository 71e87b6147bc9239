//! The subset's interpreter: a tree-walking, async interpreter of the reader's asyncio program.
//!
//! Every evaluation returns a boxed future, so an `await` anywhere suspends the Python task on the
//! run's clock: each Python task (the main coroutine, `create_task`, each coroutine given to
//! `gather`) is a task of the run's [`Loop`], scheduled first in, first out as asyncio schedules
//! them. What the program does is recorded on the run's recorder as the patterns record it
//! (the `lanes` module): a lane per task, spans for sleeps, permit/lock/queue waits and requests, marks for
//! prints, finishes and failures, each carrying the reader's line. On a clock whose time moves while
//! code runs (a measured run's), each stretch of a task's code between suspensions that held the
//! loop 2 ms or more is a `work` span too, `ran 30 ms without awaiting` (the `held` module); the
//! virtual clock's time does not move then, so a prediction has none.
//!
//! Semantics are CPython 3.12's (checked against CPython's output: `tests/py/*.py` and the corpus'
//! reference runs, `tests/py_corpus/reference.jsonl`). What runs, in short:
//!
//! | area | supported | not supported or simplified |
//! | --- | --- | --- |
//! | values | `None`, `bool`, `int`, `float`, `str`, `list`, `tuple`, `dict` (insertion order), `set`, `range` | integers are 64-bit: past ±9.2e18 `OverflowError` (no bigints); no bytes, complex. Sets iterate, print and `pop` in CPython 3.12's order (`set_table.rs`: its table, its growth, its operations' orders, `sets.rs`), which for numbers, `None` and tuples of them is every CPython's; strings' and objects' hashes are CPython's only in kind (CPython randomizes the first), so a set of them has an order of its own here |
//! | statements | everything the parser accepts: `if`/`elif`/`else`, `for`/`while` (with `else`), `break`/`continue`, `try`/`except`/`else`/`finally`, `raise`/`raise from` (`__cause__`, `__context__` and `__suppress_context__` as CPython sets them; a traceback shows the exceptions it chains to first, as CPython's, a group's sub-exception's too, within 1,000 lines), `with`/`async with`, `def`/`async def`/`lambda` (defaults, `*args`, `**kwargs`, keyword-only), `class` (inheritance, `super()`, `@staticmethod`/`@classmethod`/`@property`, a property's `@x.setter`; a class's `__qualname__` as a function's, `f.<locals>.L`, `Outer.Inner`; an instance of a class without `__init__` has `object.__init__`, which takes no arguments, as CPython's), `global`/`nonlocal` (a function's locals are the names it binds anywhere in its body, as CPython compiles them: reading one before it is bound raises `UnboundLocalError`), `assert`, `del`, unpacking with `*rest` | `yield` only in an `async def`: async generators (`agen`: `async for`, async comprehensions, `anext`/`aiter`, `asend`/`athrow`/`aclose`, asyncio's finalizer and `shutdown_asyncgens` as CPython 3.12's; a generator is freed, so finalized, when nothing refers to it any more, but CPython also keeps one alive as long as an exception raised through a frame holding it is: such a generator is closed earlier here), and `async for` over the reader's `__aiter__`/`__anext__` too, until `StopAsyncIteration`; of the reader's dunders, `__init__`, `__str__`, `__repr__`, `__(a)enter__`/`__(a)exit__`, `__aiter__`/`__anext__`, the arithmetic ones (`__add__`, `__radd__`…, the unary `__neg__`, `__pos__`, `__invert__`, and `__abs__` for `abs()`), comparisons (`__eq__`, `__lt__`…, also for `sorted`/`min`/`max`/`in` over lists, a `PriorityQueue`'s order, and `<` of lists and tuples holding the reader's objects, `(priority, job)` ties included, where one is among the container's first 256 values (past them the plain comparison decides: identity, or a TypeError); `__eq__` also for a list's or tuple's `count`/`index`/`remove` and `==` of lists, tuples and dicts holding the reader's objects), `__len__`, `__bool__` (truth testing: `if`, `while`, `not`, `and`/`or`, `bool()`, `any`/`all`, `filter`; else `__len__`), `__getitem__`, `__call__` and a base's `__init_subclass__` (as each subclass is made) are called; not `__hash__` (instances hash by identity), `__iter__`, `__contains__`, `__setitem__`; method lookup is depth first, not C3; a comprehension or a nested function reading a local of the function around it before that is bound reads the scope around that function (CPython: `UnboundLocalError`, or `NameError` for a free variable) |
//! | expressions | arithmetic with Python's int/float, `//` and `%` rules, chained comparisons, `is`, `in`, slicing, comprehensions (list, set, dict; generator expressions run eagerly, but `any`/`all` over one stop at the element that decides them), f-strings with conversions and format specs (`:.2f`, `:>8`, `:,`, `:08d`, `:x`, `:.1%`), `%` formatting (flags, width, precision, `*`, `%(key)s`), `str.format` (auto-numbered, numbered and named fields, `{0.attr}`, `{d[key]}`, `!r`/`!s`/`!a`, nested specs) and `format()`, all calling the reader's `__str__`/`__repr__`, and `__format__` for a spec (`interp/strformat.rs`; without one, a spec raises CPython's `object.__format__` TypeError) | |
//! | built-ins | `print` (`sep`, `end`: one stdout stream, a line per `Print` mark), `len`, `range`, `min`/`max` (`key`, `default`), `sum`, `abs`, `round` (half to even), `sorted` (`key`, `reverse`), `reversed`, `enumerate`, `zip`, `map`/`filter` (as lists), `list`, `dict`, `tuple`, `set`, `str`, `int`, `float`, `bool`, `repr`, `type` (`type(5)` is `int`; `type(coro)` a class named `coroutine`, printed `<class 'coroutine'>`, also for asyncio's objects, which CPython prints with their module: `<class '_asyncio.Task'>`), `isinstance`, `issubclass`, `hasattr`, `getattr`, `setattr`, `any`, `all`, `divmod`, `pow`, `chr`, `ord`, `callable`, `id`, `hash` (CPython's for numbers, `None` and tuples of them), `format`, `anext`, `aiter`, `hex`, `oct`, `bin`; the common methods of `str` (`upper`, `lower`, `strip`/`lstrip`/`rstrip`, `split`/`rsplit` (`sep`, `maxsplit`), `join`, `replace` (`count`), `find`/`rfind`/`index`/`rindex`/`count`/`startswith`/`endswith` (`start`, `end`; a tuple of prefixes), `partition`/`rpartition`, `splitlines`, `format`, `title`, `capitalize`, `swapcase`, `casefold`, `removeprefix`/`removesuffix`, `zfill`, `ljust`/`rjust`/`center`, `isdigit`/`isdecimal`/`isnumeric`/`isalpha`/`isalnum`/`isupper`/`islower`/`isspace`), `list` (`append`, `extend`, `pop`, `insert`, `remove`, `index` (`start`, `end`), `count`, `sort`, `reverse`, `clear`, `copy`), `dict` (`get`, `keys`, `values`, `items` (views: live, `dict_keys([…])`, keys and items as sets in `==`, `|`, `&`, `-`, `^`; a dict changed while a view of it is iterated does not raise), `pop`, `popitem`, `setdefault`, `update`, `clear`, `copy`, `dict.fromkeys`), `set` (`add`, `discard`, `remove`, `pop`, `update`, `union`, `intersection`, `difference`, `issubset`, `isdisjoint`, `clear`, `copy`; `|=`, `&=`, `-=`, `^=` change the set in place); every built-in function and method takes CPython's arguments, by keyword where CPython's does (`split(maxsplit=1)`, `round(x, ndigits=1)`, `int(s, base=2)`, `zip(strict=True)`, `pow(x, y, m)`), and refuses one it does not take with CPython's `TypeError`, or says it is not in awaitlab's subset (the `sig` module: one table of what each takes); the built-in exception classes (also as bases of the reader's; `SystemExit`'s `code`: `None`, its argument, or the tuple of them) | `open`, `input`, `eval`, `iter`/`next`, `vars`, `frozenset` and CPython's other built-ins not listed (a NameError that says so), an object's `__dict__` and a class's `__bases__`/`__mro__` (an AttributeError that says so); `isdigit`/`isdecimal` know the ASCII digits only; `object` is `None` here, so `isinstance(x, None)` is true (CPython: a TypeError); `casefold` folds `ß` and lowercases, not every Unicode fold; `super(C, self)`'s arguments are taken as `super()`'s; a list's slice is assigned and deleted as CPython's (`x[1:2] = [9, 9]`, `del x[::2]`), but an augmented assignment to one (`x[1:2] += [9]`) is refused |
//! | modules | `asyncio`, `aiohttp`, `random` (`random`, `uniform`, `randint`, `randrange`, `choice`, `shuffle`, `sample`, `seed`), `time` (`time`, `perf_counter`, `monotonic` and their `_ns` forms: the run's clock, from 0 at the start; `strftime(format)`: that clock as a UTC day that began with the run; `sleep` blocks the event loop as CPython's does: no other task runs, timers due meanwhile fire late, the clock moves on; the run's clock holds the loop, virtual time moving on or the page's thread really held, and each call is a `work` span closing `time.sleep(0.5)`, the loop's busy intervals as inline CPU work's), `json` (`dumps` with `indent`, `sort_keys`, `separators`, `ensure_ascii`; `loads`, its errors CPython's for the common mistakes), `math` (`sqrt`, `floor`, `ceil`, `log`, `exp`, `fabs`, `pow`, `pi`, `e`, `inf`), `dataclasses` (`@dataclass` with `init`, `repr`, `eq`, `order`: `__init__`, `__repr__`, `__eq__` and the comparisons written from the annotated fields, a base dataclass's first, each method on the decorated class's line; `field` with `default`, `default_factory`, `init`, `repr`, `compare`; `__post_init__`; `asdict`); `typing`, `__future__` for annotations (not run): `typing.X`, or `X` from `from typing import X`, used as a value stops with a `NotImplementedError` saying so (`TYPE_CHECKING` is `False`; a class may name one as its base, which adds none) | `random`'s numbers come from the scenario's seed and differ from CPython's; `time.sleep` blocks at most 5 s a call and 8 s a run (`budget::MAX_TIME_SLEEP_MS`, `MAX_BLOCKED_MS`; past them a `ValueError`), so the page never freezes long; `@dataclass(frozen=True)`, `kw_only`, `slots`, `fields`, `replace` and `astuple` are not in the subset, a `ClassVar` annotation makes a field, and a dataclass's instances hash by identity (CPython: unhashable unless frozen); `datetime`, `aiofiles` |
//! | asyncio | `run`, `sleep`, `Future` and `loop.create_future()` (`future.rs`: set, awaited, cancelled, done callbacks in order), `create_task`/`ensure_future` (`name=` labels the lane, whatever the task runs; `set_name` later does not), `gather` (`return_exceptions`; without it the first error is raised and the other tasks keep running; its future's `cancel(msg)` cancels its children, nested gathers' too, and awaiting it then raises their `CancelledError`, with `done`, `cancelled` (always false, as CPython 3.12's `_GatheringFuture`), `result`, `exception`), `wait_for`, `timeout` and `timeout_at` (`when()`, `reschedule()`, `expired()`), `wait` (`FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`, `timeout`), `as_completed` (`timeout`: the tasks not done by then raise `TimeoutError` when awaited, and keep running), `TaskGroup`, `Semaphore`, `BoundedSemaphore`, `Lock`, `Event`, `Condition` (`async with`, `wait`, `wait_for(predicate)`, `notify(n)`, `notify_all`, `locked`/`acquire`/`release`, over its own Lock or the one given: CPython 3.12's, a waiter woken or cancelled takes the lock again before `wait` returns), `Queue` (`maxsize`, `put`/`get` and their `_nowait`, `task_done`, `join`, `qsize`, `empty`, `full`), `PriorityQueue` (`heapq`'s order) and `LifoQueue`, `shield` (a cancellation of the task awaiting it does not reach what it shields), `current_task`, `all_tasks`, `iscoroutine`, `iscoroutinefunction`, `get_event_loop()`/`get_running_loop()`'s `time()`, `is_running()` and `create_task()` (`asyncio.create_task`'s), `call_later` and `call_at` (a `TimerHandle`: `cancel`, `cancelled`, `when`; armed in the clock's timer heap as CPython's; the callback runs in the iteration its timer comes due, in heap order, outside any task: `current_task()` is `None`, its prints go to the main lane, an exception it raises is reported on Output as asyncio logs it, `Exception in callback f(1) at line 3`, `handle: <TimerHandle when=0.5 f(1) at line 3>` (the arguments shortened by `reprlib.repr`'s rules, as they are when logged) and the traceback, and the run goes on), `CancelledError`, `TimeoutError`; a coroutine's `close()`; a coroutine dropped without ever running (`fetch(1)` without `await`, `main()` without `asyncio.run`, `asyncio.sleep(1)` without `await`) prints CPython's `RuntimeWarning: coroutine 'fetch' was never awaited` (its `__qualname__`: `main.<locals>.inner`, `Client.get`) on the lane that dropped it, at the line CPython's warning names: the statement that dropped it, or, for a task's local, the task's last line (CPython names a line of asyncio's there), or, kept alive by an exception, the last line of the `except` block that handled it (line 0 if it ended the program, CPython's `sys:1`), once per name and line as Python's default warning filter; a coroutine given to a task, even one cancelled before it ran, or closed, does not warn, as in CPython; a task that fails with an exception nobody asks for (awaiting it, `result()`, `exception()`, a gather or TaskGroup) logs asyncio's `Task exception was never retrieved`, its `future: <Task finished name='Task-2' coro=<boom() done, defined at line 3> exception=ValueError('…')>` and the traceback on its lane once nothing refers to it (nothing but the run's list of tasks: at once for a fire-and-forget `create_task`, as in CPython; when the variable holding it goes otherwise, where CPython's cycle collector may take it later); Tasks' `cancel` (with a message), `done`, `cancelled`, `result`, `exception`, `get_name` (`Task-1` for the main task, `Task-2`… in the order tasks are made, as CPython names them, or the `name=` given) and `set_name`, `add_done_callback` (the callback runs in the ready queue's turn, outside any task, as `call_soon`'s), `cancelling`, `uncancel`, and their repr, CPython's (`<Task finished name='Task-2' coro=<work() done, defined at line 3> result=42>`, `<Task cancelled …>`; a pending one's, `coro=<work() running at line 4>`, names the line its task runs, where CPython names its coroutine's frame's, and has no `wait_for=` or `cb=`); cancellation raises `CancelledError` at the task's current `await` (`except`/`finally` run), or, for a task awaiting a task or a gather, cancels that (every time it is called) and the task gets what it then gives: the awaited task's result if it swallows the `CancelledError`, a gather's `CancelledError` once its children are done | `TaskGroup` raises one `ExceptionGroup` (a `KeyboardInterrupt` or `SystemExit` of its body or a child as is, as CPython's `_base_error`; its `exceptions` hold the errors, `message` says what it is, `split`/`subgroup` (a class, a tuple of classes or a function) and `derive` as CPython's; no `except*`); `shield`'s outer future given to `gather` or `create_task` becomes a task (a lane of its own; CPython keeps it a future); `as_completed` starts coroutines in the order given (CPython: set order); `close()` of a coroutine already started does nothing; a global holding a never-awaited coroutine does not warn at the end (CPython: `sys:1` as it shuts down), and an exception that an `async with` (a `TaskGroup`, `timeout`) swallows keeps what it held until the task's next `except` block ends or the task does; after main returns, `asyncio.run` takes one more turn of the loop (a callback already due runs; CPython's shutdown takes a few); cancelling one of two tasks awaiting each other leaves them waiting (CPython: `RecursionError`); a gather of gathers nested more than 100 deep raises `RecursionError` as it is made, and `split`/`subgroup` of groups nested that deep raise it (CPython: deeper); a task that raises `KeyboardInterrupt` or `SystemExit` fails as with any exception (CPython's also stops the loop: `asyncio.run` raises it once the tasks left are cancelled and done); `to_thread` is refused (`parse::TO_THREAD` says why) |
//! | aiohttp | `ClientSession()` (`async with`, or `await session.close()`), `session.get`/`post` (awaited or `async with`), `resp.status`/`ok`/`reason`/`url`, `await resp.json()`/`text()`, `resp.raise_for_status()` (`ClientResponseError` with `status`), `ClientError`, `ClientTimeout(total=...)` (session's or request's `timeout=`: `asyncio.TimeoutError`) | request bodies, headers, streaming |
//!
//! Safety: the interpreter runs on the page's thread, so every run is bounded by [`limits`]
//! (steps, tasks, recursion, elements, string length and bytes, events) and by the budget's bounds on
//! what `time.sleep` blocks (`budget::MAX_TIME_SLEEP_MS`, `budget::MAX_BLOCKED_MS`), and no input makes it panic.

mod agen;
mod builtins;
mod call;
mod dataclass;
mod eval;
mod exc;
mod exec;
mod fmt;
mod future;
mod hash;
mod held;
mod http;
mod lanes;
mod library;
mod locals;
mod native;
mod ops;
mod set_table;
mod sets;
mod sig;
mod sort;
mod strformat;
mod strftime;
mod strs;
mod tasks;
mod timers;
mod traceback;
mod value;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures::future::select;
use rand_pcg::Pcg32;

use super::ast::{self, ExprKind, StmtKind};
use super::parse::{self, Import};
use super::CodeError;
use crate::core::aio::{Loop, Signal};
use crate::core::patterns::{Ctx, Outcome};
pub use exc::E;
use tasks::TaskObj;
pub use value::Value;
use value::{Class, Scope};

/// Every limit of a run, in one place. They keep the page responsive and its memory bounded
/// whatever the reader types; a program that reaches one stops with a sentence naming its line.
pub mod limits {
    /// Steps (statements and expressions evaluated, names and constants not counted) a program
    /// may run without awaiting anything that suspends: an `await`-free `while True:` stops here
    /// (about a third of a second natively: 1,000,000 turns of a small loop fit).
    pub const MAX_STEPS_WITHOUT_AWAIT: u64 = 5_000_000;
    /// Steps in a whole run, awaits or not: a predicted run is computed in one go, so this
    /// bounds how long the page computes it (about a second natively).
    pub const MAX_STEPS: u64 = 20_000_000;
    /// What a suspension (an `await` that lets the loop run) costs, in steps: a turn of the
    /// loop costs about as much as this many steps, and `while True: await asyncio.sleep(0)`
    /// must stop too.
    pub const SUSPENSION_STEPS: u64 = 50;
    /// Elements or bytes a builtin may go over for one step ([`crate::core::py::interp::Interp::work`]):
    /// a step costs about as much as going over this many list elements (rather more than as
    /// many bytes of a string; strings this short cost nothing more).
    pub const WORK_UNITS_PER_STEP: usize = 16;
    /// Tasks a run may create (besides the main one).
    pub const MAX_TASKS: usize = 10_000;
    /// Nested calls of the reader's functions in one task (CPython's default is 1,000). Each
    /// level is a few boxed futures polled on the page's own stack: natively about 6 KB a level
    /// in release builds (so 100 levels fit a 1 MB stack with room to spare), far more in debug
    /// builds (the tests run programs on a big stack).
    pub const MAX_DEPTH: u32 = 100;
    /// Nested runs of the reader's code from code that cannot await (a sort's or a heap's
    /// comparison calling `__lt__`, a property's getter: [`crate::core::py::interp::Interp::call_plain`]),
    /// one inside another: each level holds a sort or a heap and a poll on the stack besides the
    /// call, and a `__lt__` that sorts overflowed a 1 MB stack at 80 levels, before
    /// [`MAX_DEPTH`] stopped it.
    pub const MAX_SYNC_NESTING: u32 = 32;
    /// Elements a run may create in its lists, tuples, dicts and sets, all together (counted as
    /// they are made, never given back: a bound on the work, not just on what is alive).
    pub const MAX_ELEMENTS: u64 = 10_000_000;
    /// Longest string, in bytes.
    pub const MAX_STR_BYTES: usize = 16 << 20;
    /// Bytes a run may make in strings, all together (counted as they are made, never given
    /// back, as [`MAX_ELEMENTS`]): a string is never grown in place, so `s += part` copies `s`,
    /// and a loop of them is quadratic. 100,000 turns of `s += "ten bytes!"` would copy 50 GB;
    /// this stops it after about 7,000 turns (a tenth of a second natively).
    pub const MAX_STR_BYTES_MADE: u64 = 256 << 20; // its `MemoryError` names it: "256 MiB"
    /// Events a run may record (the budget every run shares).
    pub const MAX_EVENTS: usize = crate::core::budget::MAX_EVENTS as usize;
    /// Events kept back from [`MAX_EVENTS`] for what ends a run besides its spans' and tasks'
    /// ends (counted apart): the stop's message and the rest of Output, the main task's
    /// traceback (at most `exc::MAX_TRACE` frame lines, twice [`MAX_DEPTH`], a group's sub-exceptions: at most 300 lines,
    /// and the exceptions it chains to: at most 1,000).
    pub const EVENTS_RESERVED: usize = 2_000;
}

/// A raised exception on its way up: the exception object and the traceback so far (innermost
/// frame first: each frame adds its entry as the exception leaves it, as CPython's does).
#[derive(Clone)]
pub struct Exc {
    pub value: Value,
    pub trace: Vec<(Rc<str>, u32)>,
    /// Re-raised by a bare `raise`: its traceback already has what it had when caught, and the
    /// frame it leaves next adds no entry (CPython's `RERAISE`: `line 3, in f`, where it was
    /// raised, not the `raise` line).
    pub reraised: bool,
}

impl Exc {
    /// A newly raised exception: no traceback yet.
    pub fn new(value: Value) -> Self {
        Exc { value, trace: Vec::new(), reraised: false }
    }
}

/// Why evaluation did not produce a value.
pub enum Flow {
    /// An exception.
    Exc(Box<Exc>),
    /// A built-in exception not yet made into an object (cheap to raise and to catch).
    Raise(E, String),
    Return(Value),
    Break,
    Continue,
    /// The run stops (a limit was reached): not catchable, `finally` blocks do not run.
    Stop(Rc<str>),
}

/// A built-in exception raised by code that has no interpreter at hand.
pub struct Raise(pub E, pub String);

impl From<Raise> for Flow {
    fn from(r: Raise) -> Self {
        Flow::Raise(r.0, r.1)
    }
}

/// Shorthand for raising a built-in exception.
pub fn raise<T>(e: E, msg: impl Into<String>) -> Result<T, Flow> {
    Err(Flow::Raise(e, msg.into()))
}

pub type Res = Result<Value, Flow>;
pub type BoxFut<'s> = std::pin::Pin<Box<dyn std::future::Future<Output = Res> + 's>>;

/// Where code runs: a function call's (or the module's, or a class body's) variables, and the
/// task it runs in.
pub struct Frame {
    pub scope: Rc<Scope>,
    /// The scope functions defined here capture (a class body's methods skip the class scope).
    pub closure: Option<Rc<Scope>>,
    /// The task it runs in (see [`Frame::task`]).
    task: RefCell<Rc<TaskObj>>,
    /// The function's name for tracebacks (`<module>` at module level).
    pub name: Rc<str>,
    /// The line running now, for tracebacks and events.
    pub line: Cell<u32>,
    /// The class whose method this is, and its first argument (for `super()`).
    pub method_of: Option<(Rc<Class>, Value)>,
    /// The async generator whose body this is (where its `yield`s hand their values).
    pub gen: Option<Rc<agen::AgenCore>>,
    /// The `__qualname__` of the function or class whose body this is (None at module level and
    /// in a task's own frame): see [`Frame::qualname_of`].
    pub qualname: Option<Rc<str>>,
    /// It runs a class body (what it defines is `{qualname}.name`, not `{qualname}.<locals>.name`).
    pub class_body: bool,
}

impl Frame {
    /// A frame of `task` running in `scope`.
    pub fn new(scope: Rc<Scope>, closure: Option<Rc<Scope>>, task: Rc<TaskObj>, name: Rc<str>, line: u32) -> Frame {
        Frame {
            scope,
            closure,
            task: RefCell::new(task),
            name,
            line: Cell::new(line),
            method_of: None,
            gen: None,
            qualname: None,
            class_body: false,
        }
    }

    /// The `__qualname__` of a function or class named `name` defined here, as CPython's:
    /// `name` at module level, `main.<locals>.name` in a function, `Client.name` in a class
    /// body (`main.<locals>.Client.name` for a class defined in `main`).
    pub fn qualname_of(&self, name: &str) -> Rc<str> {
        match (&self.qualname, self.class_body) {
            (Some(outer), true) => Rc::from(format!("{outer}.{name}")),
            (Some(outer), false) => Rc::from(format!("{outer}.<locals>.{name}")),
            (None, _) => Rc::from(name),
        }
    }

    /// The task it runs in: always the same, but for an async generator's body, which runs in
    /// the task that asks for its next value (set as it resumes at a `yield`).
    pub fn task(&self) -> Rc<TaskObj> {
        self.task.borrow().clone()
    }

    /// Notes that its task runs `line` now (every statement: no reference counted); if it is one
    /// of the task's own statements (its coroutine's, or the module's), the one before.
    pub fn set_task_line(&self, line: u32) -> Option<u32> {
        let task = self.task.borrow();
        task.line.set(line);
        (task.depth.get() <= 1).then(|| task.own_line.replace(line))
    }

    /// An async generator's body resumes in `task`.
    pub fn set_task(&self, task: Rc<TaskObj>) {
        *self.task.borrow_mut() = task;
    }
}

/// The interpreter of one run.
pub struct Interp<'a> {
    pub ctx: &'a Ctx,
    pub lp: Loop<'a>,
    me: Weak<Interp<'a>>,
    pub globals: Rc<Scope>,
    pub classes: exc::Classes,
    steps: Cell<u64>,
    slice: Cell<u64>,
    /// The line of the last step (where [`Interp::work`] counts its steps).
    last_line: Cell<u32>,
    elements: Cell<u64>,
    /// Bytes of the strings made so far (see [`limits::MAX_STR_BYTES_MADE`]).
    str_bytes: Cell<u64>,
    pub tasks: RefCell<Vec<Rc<TaskObj>>>,
    /// Why the run stopped early, if it did (a limit), with the line.
    stopped: RefCell<Option<CodeError>>,
    stop_signal: Signal,
    pub rng: RefCell<Pcg32>,
    next_deadline: Cell<u32>,
    /// Each deadline scope's task's `cancelling()` as it was entered (CPython's
    /// `Timeout._cancelling`), until it is left.
    deadline_entries: RefCell<rustc_hash::FxHashMap<u32, u32>>,
    /// Tasks finished so far (each task's finishing order).
    finished: Cell<u64>,
    /// Whether `asyncio.run` is running (tasks can be created only then).
    pub running: Cell<bool>,
    /// How deep the reader's code runs from code that cannot await (see
    /// [`limits::MAX_SYNC_NESTING`]).
    sync_nesting: Cell<u32>,
    /// The containers whose repr is being written with the reader's `__repr__` methods, by
    /// identity: met again inside, they print as `[...]` (CPython's `Py_ReprEnter`).
    reprs_open: RefCell<Vec<usize>>,
    /// How deep [`Interp::compare_any`] is in containers holding the reader's objects, each
    /// an item of the one outside it.
    compare_nesting: Cell<u32>,
    /// What `print` wrote after the last newline.
    stdout: RefCell<String>,
    /// A timer's callback is running (outside any task: `current_task()` is `None`).
    in_callback: Cell<bool>,
    /// Tasks made so far (the `N` of the last one's `Task-N`).
    made_tasks: Cell<u64>,
    /// How many `asyncio.run` calls have returned.
    runs_ended: Cell<u32>,
    /// The bodies of the async generators stopped at a `yield`, by id (see `agen`).
    agens: RefCell<rustc_hash::FxHashMap<usize, agen::AgenFut<'a>>>,
    /// The async generators asyncio's loop remembers (they took a step), to close at the end.
    agen_alive: RefCell<Vec<Weak<agen::AgenCore>>>,
    next_agen: Cell<usize>,
    /// Names `from typing import …` (or `__future__`) bound for annotations, which are not run: the
    /// name as bound → its module and its own name. They hold no value: loaded, one raises what
    /// `typing.List` does ([`Interp::load`]).
    pub annotation_names: RefCell<rustc_hash::FxHashMap<Rc<str>, Imported>>,
    /// The coroutines dropped without ever running, not yet reported (see `lanes`).
    pub unawaited: value::Unawaited,
    /// The never-awaited warnings shown so far, by coroutine name and line: Python's default
    /// warning filter shows each once per place.
    warned: RefCell<rustc_hash::FxHashSet<(Rc<str>, u32)>>,
    /// Failed tasks whose exception nobody asked for yet, logged once nothing refers to them
    /// (`tasks::report_unretrieved`).
    unretrieved: RefCell<Vec<Weak<TaskObj>>>,
    /// What the coroutine `asyncio.run` ran last returned (its repr, shortened) and the line it
    /// returned from: the main lane's `done` says so if the module then ends normally.
    main_returned: RefCell<Option<(String, u32)>>,
    /// How long `time.sleep` has blocked the loop so far, ms (see `Interp::time_sleep`).
    blocked_ms: Cell<f64>,
    /// The task's code running now, timed (see `held`).
    held: held::Held,
}

/// A module's name as a program imported it (`from typing import List`: `(Module::Typing, "List")`).
pub type Imported = (value::Module, Rc<str>);

/// How a code run ended.
pub struct Finished {
    /// Each task's outcome, in task order.
    pub outcomes: Vec<Outcome>,
    /// Why the program could not run or was stopped (a syntax error, a limit), with its line:
    /// `None` when it ran to its end (an uncaught exception is not a stop: its traceback is in
    /// the events).
    pub stopped: Option<CodeError>,
    /// Steps the program ran (see [`limits`]).
    pub steps: u64,
}

/// Parses `source` and checks what the parser cannot: that every import is available here.
pub fn compile(source: &str) -> Result<ast::Module, CodeError> {
    let module = super::parse(source)?;
    check_imports(&module.body)?;
    Ok(module)
}

fn check_imports(body: &[ast::Stmt]) -> Result<(), CodeError> {
    for stmt in body {
        let modules: Vec<&str> = match &stmt.kind {
            StmtKind::Import(names) => names.iter().map(|(m, _)| m.as_str()).collect(),
            StmtKind::ImportFrom { module, .. } => vec![module.as_str()],
            StmtKind::FunctionDef(f) => {
                check_imports(&f.body)?;
                continue;
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                check_imports(body)?;
                check_imports(orelse)?;
                continue;
            }
            StmtKind::Try { body, orelse, finalbody, handlers } => {
                check_imports(body)?;
                check_imports(orelse)?;
                check_imports(finalbody)?;
                for h in handlers {
                    check_imports(&h.body)?;
                }
                continue;
            }
            _ => continue,
        };
        for m in modules {
            let message = match parse::import_of(m) {
                Some(Import::Runs | Import::Annotations) => continue,
                Some(Import::ArticleOnly(why) | Import::Refused(why)) => why.to_string(),
                None => parse::unknown_module(m),
            };
            return Err(CodeError { line: stmt.pos.line, col: stmt.pos.col, message });
        }
    }
    Ok(())
}

/// Runs the reader's program `source` as the `main()` of a run on `ctx`'s clock, recording its
/// tasks' spans and marks; returns each task's outcome, in task order.
pub async fn run<'a>(ctx: &'a Ctx, lp: &Loop<'a>, source: &'a str) -> Vec<Outcome> {
    run_detailed(ctx, lp, source).await.outcomes
}

/// [`run`], also saying why the program could not run or stopped early.
pub async fn run_detailed<'a>(ctx: &'a Ctx, lp: &Loop<'a>, source: &'a str) -> Finished {
    // Compiled as [`compile`] does, each refusal told apart (`lanes::refused`).
    let refused = |e: CodeError, stopped: bool| {
        lanes::refused(ctx, &e, stopped);
        Finished { outcomes: vec![Err(e.to_string().into())], stopped: Some(e), steps: 0 }
    };
    let module = match super::parse(source) {
        Ok(m) => Rc::new(m),
        Err(e) => return refused(e, false),
    };
    if let Err(e) = check_imports(&module.body) {
        return refused(e, true);
    }
    let ip = Interp::new(ctx, lp.clone());
    let main = ip.clone().run_module(module);
    {
        let stop = std::pin::pin!(ip.stop_signal.wait());
        let main = std::pin::pin!(main);
        select(main, stop).await;
    }
    // Stopped in the main task (which then ends) or in another.
    if ip.stopped.borrow().is_some() {
        let main = ip.tasks.borrow().first().cloned();
        if let Some(main) = main {
            ip.flush_stdout(&main);
        }
        ip.stop_the_rest(lp);
    }
    let outcomes = ip.tasks.borrow().iter().map(|t| t.outcome()).collect();
    let stopped = ip.stopped.borrow().clone();
    // The generators' bodies hold the interpreter: dropped here, they let it go.
    let bodies = std::mem::take(&mut *ip.agens.borrow_mut());
    drop(bodies);
    Finished { outcomes, stopped, steps: ip.steps.get() }
}

impl<'a> Interp<'a> {
    fn new(ctx: &'a Ctx, lp: Loop<'a>) -> Rc<Self> {
        let seed = match &ctx.workload.tasks {
            crate::core::workload::Tasks::Random { seed, .. } => *seed,
            crate::core::workload::Tasks::Fixed(_) => 0,
        };
        Rc::new_cyclic(|me| Interp {
            ctx,
            lp,
            me: me.clone(),
            globals: Scope::child(None),
            classes: exc::Classes::new(),
            steps: Cell::new(0),
            slice: Cell::new(0),
            last_line: Cell::new(0),
            elements: Cell::new(0),
            str_bytes: Cell::new(0),
            tasks: RefCell::default(),
            stopped: RefCell::default(),
            stop_signal: Signal::default(),
            rng: RefCell::new(Pcg32::new(seed ^ 0x5eed_c0de, 0xa5a5)),
            next_deadline: Cell::new(0),
            deadline_entries: RefCell::default(),
            finished: Cell::new(0),
            running: Cell::new(false),
            sync_nesting: Cell::new(0),
            reprs_open: RefCell::default(),
            compare_nesting: Cell::new(0),
            stdout: RefCell::default(),
            in_callback: Cell::new(false),
            made_tasks: Cell::new(0),
            runs_ended: Cell::new(0),
            agens: RefCell::default(),
            agen_alive: RefCell::default(),
            next_agen: Cell::new(0),
            annotation_names: RefCell::default(),
            unawaited: Rc::default(),
            warned: RefCell::default(),
            unretrieved: RefCell::default(),
            main_returned: RefCell::default(),
            blocked_ms: Cell::new(0.0),
            held: held::Held::default(),
        })
    }

    /// This interpreter as an `Rc` (for futures spawned as tasks).
    pub fn rc(&self) -> Rc<Interp<'a>> {
        self.me.upgrade().expect("the interpreter outlives its tasks")
    }

    /// The module's code in task 0, then whatever `asyncio.run` runs.
    async fn run_module(self: Rc<Self>, module: Rc<ast::Module>) {
        let (label, line) = main_label(&module);
        let task = match self.new_task(Rc::from(label.as_str()), None, line) {
            Ok(t) => t,
            Err(_) => return,
        };
        self.code_starts(&task);
        let frame = Frame::new(self.globals.clone(), None, task.clone(), Rc::from("<module>"), 0);
        let result = self.exec_block(&module.body, &frame).await;
        let result = match result {
            Ok(_) | Err(Flow::Return(_)) => Ok(Value::None),
            Err(flow) => Err(self.add_frame(flow, &frame)),
        };
        self.flush_stdout(&task);
        self.finish_task(&task, result, true);
        // What an uncaught exception kept alive goes as the program ends (CPython: `sys:1`).
        self.release_unawaited(&task);
        self.warn_unawaited(&task, 0);
    }

    /// Counts one step of the program at `line`; stops the run at a limit.
    pub fn step(&self, line: u32) -> Result<(), Flow> {
        self.last_line.set(line);
        self.count_steps(1, line)
    }

    /// Counts the work of one step that grows with its data (a builtin going over a big list or
    /// string: `units` elements or bytes) as [`limits::WORK_UNITS_PER_STEP`] units a step more,
    /// so that a loop of them stops at the step limits too instead of freezing the page (a
    /// million `sum(a)` of a million-element list counted a million steps before).
    pub fn work(&self, units: usize) -> Result<(), Flow> {
        match (units / limits::WORK_UNITS_PER_STEP) as u64 {
            0 => Ok(()),
            extra => self.count_steps(extra, self.last_line.get()),
        }
    }

    fn count_steps(&self, n: u64, line: u32) -> Result<(), Flow> {
        let steps = self.steps.get().saturating_add(n);
        self.steps.set(steps);
        let slice = self.slice.get().saturating_add(n);
        self.slice.set(slice);
        if slice > limits::MAX_STEPS_WITHOUT_AWAIT {
            return Err(self.stop(
                line,
                format!(
                    "the program ran {} steps without awaiting anything that waits (line {line}): an `await`-free loop never lets the event loop run",
                    thousands(limits::MAX_STEPS_WITHOUT_AWAIT)
                ),
            ));
        }
        if steps > limits::MAX_STEPS {
            return Err(self.stop(
                line,
                format!(
                    "the program ran {} steps in all (line {line}): awaitlab stops a run there",
                    thousands(limits::MAX_STEPS)
                ),
            ));
        }
        Ok(())
    }

    /// `task` suspended: the next slice of steps starts, the loop's turn is counted, and its
    /// code's stretch is over (see `held`).
    pub fn yielded(&self, task: &TaskObj) {
        self.code_stops(task);
        self.slice.set(0);
        self.steps.set(self.steps.get() + limits::SUSPENSION_STEPS);
    }

    /// Stops the run with `message` (a limit reached at `line`).
    pub fn stop(&self, line: u32, message: String) -> Flow {
        if self.stopped.borrow().is_none() {
            *self.stopped.borrow_mut() = Some(CodeError { line, col: 1, message: message.clone() });
            self.stop_signal.set();
        }
        Flow::Stop(Rc::from(message))
    }

    /// Counts `n` new elements against [`limits::MAX_ELEMENTS`].
    pub fn alloc(&self, n: usize) -> Result<(), Flow> {
        let total = self.elements.get().saturating_add(n as u64);
        if total > limits::MAX_ELEMENTS {
            // Not counted: the elements refused were never made (`[0] * 10**12` in a `try`
            // left every later list refused).
            return raise(
                E::MemoryError,
                format!("the program made more than {} list, dict or set elements", thousands(limits::MAX_ELEMENTS)),
            );
        }
        self.elements.set(total);
        Ok(())
    }

    /// `v`'s hash key, the values it read counted as work (a tuple of a million items hashed
    /// in a loop ran uncounted), or CPython's `TypeError` for an unhashable value.
    pub fn key(&self, v: &Value) -> Result<value::HKey, Flow> {
        let mut count = value::KeyCount::default();
        let key = v.hkey_counting(&mut count);
        self.work(count.values)?;
        key.or_else(|t| raise(E::TypeError, format!("unhashable type: '{t}'")))
    }

    /// A new container of `n` elements copied from another (`s.copy()`): their work and their
    /// count against [`limits::MAX_ELEMENTS`] (200 copies of a million-element set took 7.8 GB
    /// before either counted them).
    pub fn made(&self, n: usize) -> Result<(), Flow> {
        self.work(n)?;
        self.alloc(n)
    }

    /// A new string, checked against [`limits::MAX_STR_BYTES`] and counted against
    /// [`limits::MAX_STR_BYTES_MADE`].
    /// Runs `future` (the reader's plain code: it never suspends) to its end now, from code
    /// that cannot await, one level deeper (see [`limits::MAX_SYNC_NESTING`]). `what` names
    /// it in the error a suspension would be.
    pub fn run_now<T>(
        &self,
        future: impl std::future::Future<Output = Result<T, Flow>>,
        what: &str,
    ) -> Result<T, Flow> {
        use futures::FutureExt as _;
        let depth = self.sync_nesting.get();
        if depth >= limits::MAX_SYNC_NESTING {
            let why = format!(
                "maximum recursion depth exceeded ({} nested runs of {what} inside a sort, a heap or a property)",
                limits::MAX_SYNC_NESTING
            );
            return raise(E::RecursionError, why);
        }
        self.sync_nesting.set(depth + 1);
        let done = future.now_or_never();
        self.sync_nesting.set(depth);
        done.unwrap_or_else(|| raise(E::RuntimeError, format!("{what} cannot await")))
    }

    pub fn new_str(&self, s: String) -> Res {
        if s.len() > limits::MAX_STR_BYTES {
            return str_too_long();
        }
        let made = self.str_bytes.get().saturating_add(s.len() as u64);
        self.str_bytes.set(made);
        if made > limits::MAX_STR_BYTES_MADE {
            return raise(
                E::MemoryError,
                // Short enough for one line of Output (`budget::MAX_DETAIL_BYTES`).
                "the program made over 256 MiB of strings: join a list of parts, not s += x in a loop",
            );
        }
        Ok(Value::Str(Rc::from(s)))
    }

    /// A fresh id for a deadline scope (`asyncio.timeout`, `wait_for`) `task` enters now.
    pub fn deadline_scope(&self, task: &TaskObj) -> u32 {
        let id = self.next_deadline.get() + 1;
        self.next_deadline.set(id);
        self.deadline_entries.borrow_mut().insert(id, task.sig.cancelling());
        id
    }
}

pub use crate::core::budget::thousands;

/// The `MemoryError` for a string past [`limits::MAX_STR_BYTES`].
pub fn str_too_long<T>() -> Result<T, Flow> {
    raise(E::MemoryError, format!("a string longer than {} bytes", thousands(limits::MAX_STR_BYTES as u64)))
}

/// The main task's lane label and line: the coroutine `asyncio.run(...)` is given at module
/// level (`main()`), whether the statement is the call itself, assigns its result or passes it on
/// (`print(asyncio.run(main()))`), or `<module>` for a program without one.
fn main_label(module: &ast::Module) -> (String, u32) {
    // Top-level statements, and those of a top-level `if` (`if __name__ == "__main__":`).
    let nested = module.body.iter().flat_map(|s| match &s.kind {
        StmtKind::If { body, .. } => body.as_slice(),
        _ => &[],
    });
    for stmt in module.body.iter().chain(nested) {
        let value = match &stmt.kind {
            StmtKind::Expr(e) | StmtKind::Assign { value: e, .. } | StmtKind::AnnAssign { value: Some(e), .. } => e,
            _ => continue,
        };
        if let Some(label) = run_coroutine_label(value) {
            return (label, stmt.pos.line);
        }
    }
    ("<module>".into(), 0)
}

/// The label of the coroutine an `asyncio.run(name(...))` call runs, found in `e` or among the
/// arguments of the calls it is given to.
fn run_coroutine_label(e: &ast::Expr) -> Option<String> {
    let ExprKind::Call { func, args, .. } = &e.kind else { return None };
    let is_run = match &func.kind {
        ExprKind::Attribute { value, attr } => {
            attr == "run" && matches!(&value.kind, ExprKind::Name(n) if n == "asyncio")
        }
        ExprKind::Name(n) => n == "run",
        _ => false,
    };
    if let (true, Some(ast::Expr { kind: ExprKind::Call { func, args, .. }, .. })) = (is_run, args.first()) {
        if let ExprKind::Name(name) = &func.kind {
            return Some(if args.is_empty() { format!("{name}()") } else { format!("{name}(…)") });
        }
    }
    args.iter().find_map(run_coroutine_label)
}

/// Runs `source` to its end on a fresh virtual clock with `scenario`'s seed and workload (as
/// [`crate::core::run::run_virtual`] runs a pattern): the recorded events and how it ended. A
/// program that deadlocks (waits on something no task will ever set) ends where it stalled.
pub fn run_virtual(
    scenario: &crate::core::scenario::Scenario,
    source: &str,
) -> (Vec<crate::core::event::Event>, Finished) {
    use crate::core::clock::{Clock, VirtualClock};
    let clock = VirtualClock::new();
    let ctx = Ctx::new(clock.clone(), scenario.clone());
    let c = clock.clone();
    let lp = Loop::new(move || c.start_iteration());
    let finished = clock.block_on(lp.run(run_detailed(&ctx, &lp, source)));
    drop(lp);
    let finished = finished.unwrap_or_else(|_| Finished {
        outcomes: Vec::new(),
        steps: 0,
        stopped: Some(CodeError {
            line: 0,
            col: 0,
            message: "the program waits for something that never happens (a deadlock)".into(),
        }),
    });
    (ctx.rec.take(), finished)
}

#[cfg(test)]
mod tests {
    use super::parse::{Import, IMPORTS};

    #[test]
    fn the_modules_the_import_table_says_run_are_the_interpreters() {
        for (name, import) in IMPORTS {
            assert_eq!(super::value::Module::named(name).is_some(), *import == Import::Runs, "{name}");
        }
    }
}
