//! Built-in functions and the methods of built-in types, by name: [`B`] names each one, and the
//! interpreter dispatches on it (one enum, no closures: small in the wasm bundle).

use std::rc::Rc;

use super::call::Kwargs;
use super::native::{Obj, View};
use super::strformat::float_to_int;
use super::value::{Dict, Module, Value};
use super::{fmt, ops, raise, Flow, Frame, Interp, Res, E};
use crate::core::py::ast::CmpOp;

macro_rules! builtins {
    ($($v:ident = $name:literal),* $(,)?) => {
        /// A built-in function or method.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum B { $($v),* }

        impl B {
            /// Its Python name.
            pub fn name(self) -> &'static str {
                match self { $(B::$v => $name),* }
            }

            /// Whether it is a built-in class (`int`, `str`…): what `type(5)` gives.
            pub fn is_type(self) -> bool {
                TYPES.contains(&self)
            }
        }
    };
}

builtins! {
    // Global functions.
    Print = "print", Len = "len", Range = "range", Min = "min", Max = "max", Sum = "sum", Abs = "abs",
    Round = "round", Sorted = "sorted", Reversed = "reversed", Enumerate = "enumerate", Zip = "zip",
    List = "list", Dict = "dict", Tuple = "tuple", Set = "set", Str = "str", Int = "int", Float = "float",
    Bool = "bool", Repr = "repr", Isinstance = "isinstance", Issubclass = "issubclass", Hasattr = "hasattr",
    Getattr = "getattr", Setattr = "setattr", Any = "any", All = "all", Map = "map", Filter = "filter",
    Type = "type", Super = "super", Divmod = "divmod", Chr = "chr", Ord = "ord", Callable = "callable",
    Id = "id", Hash = "hash", Format = "format", Pow = "pow", ObjectInit = "__init__", ObjectInitSubclass = "__init_subclass__", Dataclass = "dataclass", DataclassWith = "dataclass ", DataclassField = "field", Asdict = "asdict",
    StaticMethod = "staticmethod", ClassMethod = "classmethod", Property = "property", Anext = "anext",
    Aiter = "aiter", Hex = "hex", Oct = "oct", Bin = "bin",
    // asyncio.
    Run = "run", Sleep = "sleep", Gather = "gather", CreateTask = "create_task", EnsureFuture = "ensure_future",
    SemaphoreNew = "Semaphore", BoundedSemaphoreNew = "BoundedSemaphore", LockNew = "Lock", EventNew = "Event",
    QueueNew = "Queue", PriorityQueueNew = "PriorityQueue", LifoQueueNew = "LifoQueue", WaitFor = "wait_for", Timeout = "timeout", TaskGroupNew = "TaskGroup", Wait = "wait",
    AsCompleted = "as_completed", CurrentTask = "current_task", AllTasks = "all_tasks", GetLoop = "get_event_loop",
    Iscoroutine = "iscoroutine", Shield = "shield", TimeoutAt = "timeout_at",
    Iscoroutinefunction = "iscoroutinefunction", ConditionNew = "Condition",
    // random, time, json, math.
    Random = "random", Uniform = "uniform", Randint = "randint", Choice = "choice", Shuffle = "shuffle",
    Seed = "seed", Randrange = "randrange", Sample = "sample",
    Time = "time", PerfCounter = "perf_counter", Monotonic = "monotonic", TimeSleep = "sleep ",
    TimeNs = "time_ns", PerfCounterNs = "perf_counter_ns", MonotonicNs = "monotonic_ns", Strftime = "strftime",
    Dumps = "dumps", Loads = "loads",
    Sqrt = "sqrt", Floor = "floor", Ceil = "ceil", Log = "log", Exp = "exp", Fabs = "fabs", MathPow = "pow ",
    // aiohttp.
    ClientSession = "ClientSession", ClientTimeout = "ClientTimeout", TcpConnector = "TCPConnector",
    // Methods of str.
    StrUpper = "upper", StrLower = "lower", StrStrip = "strip", StrLstrip = "lstrip", StrRstrip = "rstrip",
    StrSplit = "split", StrJoin = "join", StrReplace = "replace", StrStartswith = "startswith",
    StrEndswith = "endswith", StrFind = "find", StrCount = "count", StrFormat = "format", StrTitle = "title",
    StrIsdigit = "isdigit", StrIsdecimal = "isdecimal", StrIsnumeric = "isnumeric", StrZfill = "zfill", StrLjust = "ljust", StrRjust = "rjust", StrCenter = "center", StrCapitalize = "capitalize",
    StrRfind = "rfind", StrIndex = "index", StrRindex = "rindex", StrRsplit = "rsplit", StrPartition = "partition",
    StrRpartition = "rpartition", StrSplitlines = "splitlines", StrIsalpha = "isalpha", StrIsalnum = "isalnum",
    StrIsupper = "isupper", StrIslower = "islower", StrIsspace = "isspace", StrSwapcase = "swapcase",
    StrCasefold = "casefold", StrRemoveprefix = "removeprefix", StrRemovesuffix = "removesuffix",
    // Methods of list (and tuple), dict, set.
    ListAppend = "append", ListExtend = "extend", ListPop = "pop", ListInsert = "insert", ListRemove = "remove",
    SeqIndex = "index", SeqCount = "count", ListSort = "sort", ListReverse = "reverse", Clear = "clear",
    Copy = "copy", DictGet = "get", DictKeys = "keys", DictValues = "values", DictItems = "items",
    DictPop = "pop", DictSetdefault = "setdefault", DictUpdate = "update", DictPopitem = "popitem", DictFromkeys = "fromkeys",
    SetAdd = "add", SetDiscard = "discard", SetRemove = "remove", SetPop = "pop", SetUpdate = "update",
    SetUnion = "union", SetIntersection = "intersection", SetDifference = "difference", SetIssubset = "issubset", SetIsdisjoint = "isdisjoint",
    // Methods of asyncio's and aiohttp's objects.
    TaskCancel = "cancel", TaskDone = "done", TaskResult = "result", TaskCancelled = "cancelled",
    TaskException = "exception", TaskGetName = "get_name", TaskCancelling = "cancelling",
    TaskUncancel = "uncancel", TaskSetName = "set_name", TaskAddDoneCallback = "add_done_callback", Acquire = "acquire", Release = "release",
    Locked = "locked", EventSet = "set", EventClear = "clear", EventIsSet = "is_set", EventWait = "wait",
    QPut = "put", QGet = "get", QPutNowait = "put_nowait", QGetNowait = "get_nowait", QTaskDone = "task_done",
    QJoin = "join", QQsize = "qsize", QEmpty = "empty", QFull = "full", TgCreateTask = "create_task",
    SessGet = "get", SessPost = "post", SessClose = "close", RespJson = "json", RespText = "text",
    RespRaiseForStatus = "raise_for_status", LoopTime = "time", LoopIsRunning = "is_running", LoopCreateFuture = "create_future",
    FutureNew = "Future", FutSetResult = "set_result", FutSetException = "set_exception",
    FutRemoveDoneCallback = "remove_done_callback", CallLater = "call_later", CallAt = "call_at",
    CallSoon = "call_soon", AgenAnext = "__anext__", AgenAiter = "__aiter__", AgenAsend = "asend",
    AgenAthrow = "athrow", AgenAclose = "aclose", AnextDefault = "anext ", CondWaitFor = "wait_for", CondNotify = "notify", CondNotifyAll = "notify_all",
    TimeoutReschedule = "reschedule", TimeoutExpired = "expired", HandleCancel = "cancel", HandleCancelled = "cancelled", HandleWhen = "when", CoroClose = "close",
    PropertySetter = "setter",
    // Methods of exception groups.
    EgSplit = "split", EgSubgroup = "subgroup", EgDerive = "derive",
}

/// The built-in classes among them.
const TYPES: &[B] =
    &[B::Int, B::Float, B::Str, B::Bool, B::List, B::Dict, B::Tuple, B::Set, B::Range, B::Type, B::FutureNew];

/// The built-in functions, found by their Python names.
const GLOBALS: &[B] = &[
    B::Print,
    B::Len,
    B::Range,
    B::Min,
    B::Max,
    B::Sum,
    B::Abs,
    B::Round,
    B::Sorted,
    B::Reversed,
    B::Enumerate,
    B::Zip,
    B::List,
    B::Dict,
    B::Tuple,
    B::Set,
    B::Str,
    B::Int,
    B::Float,
    B::Bool,
    B::Repr,
    B::Isinstance,
    B::Issubclass,
    B::Hasattr,
    B::Getattr,
    B::Setattr,
    B::Any,
    B::All,
    B::Map,
    B::Filter,
    B::Type,
    B::Super,
    B::Divmod,
    B::Chr,
    B::Ord,
    B::Callable,
    B::Id,
    B::Hash,
    B::Format,
    B::Pow,
    B::StaticMethod,
    B::ClassMethod,
    B::Property,
    B::Anext,
    B::Aiter,
    B::Hex,
    B::Oct,
    B::Bin,
];

/// asyncio's functions and classes, found by their Python names.
const ASYNCIO: &[B] = &[
    B::Run,
    B::FutureNew,
    B::Sleep,
    B::Gather,
    B::CreateTask,
    B::EnsureFuture,
    B::SemaphoreNew,
    B::BoundedSemaphoreNew,
    B::LockNew,
    B::EventNew,
    B::QueueNew,
    B::PriorityQueueNew,
    B::LifoQueueNew,
    B::WaitFor,
    B::Timeout,
    B::TaskGroupNew,
    B::Wait,
    B::AsCompleted,
    B::CurrentTask,
    B::AllTasks,
    B::GetLoop,
    B::Iscoroutine,
    B::Shield,
    B::TimeoutAt,
    B::Iscoroutinefunction,
    B::ConditionNew,
];

/// The methods of each built-in type, found by their Python names.
const STR_METHODS: &[B] = &[
    B::StrUpper,
    B::StrLower,
    B::StrStrip,
    B::StrLstrip,
    B::StrRstrip,
    B::StrSplit,
    B::StrJoin,
    B::StrReplace,
    B::StrStartswith,
    B::StrEndswith,
    B::StrFind,
    B::StrCount,
    B::StrFormat,
    B::StrTitle,
    B::StrIsdigit,
    B::StrIsdecimal,
    B::StrIsnumeric,
    B::StrZfill,
    B::StrLjust,
    B::StrRjust,
    B::StrCenter,
    B::StrCapitalize,
    B::StrRfind,
    B::StrIndex,
    B::StrRindex,
    B::StrRsplit,
    B::StrPartition,
    B::StrRpartition,
    B::StrSplitlines,
    B::StrIsalpha,
    B::StrIsalnum,
    B::StrIsupper,
    B::StrIslower,
    B::StrIsspace,
    B::StrSwapcase,
    B::StrCasefold,
    B::StrRemoveprefix,
    B::StrRemovesuffix,
];
const LIST_METHODS: &[B] = &[
    B::ListAppend,
    B::ListExtend,
    B::ListPop,
    B::ListInsert,
    B::ListRemove,
    B::SeqIndex,
    B::SeqCount,
    B::ListSort,
    B::ListReverse,
    B::Clear,
    B::Copy,
];
const TUPLE_METHODS: &[B] = &[B::SeqIndex, B::SeqCount];

/// The methods of built-in type `t` (`str`, `list`…), as `builtin_attr` finds them on its values.
fn type_methods(t: B) -> &'static [B] {
    match t {
        B::Str => STR_METHODS,
        B::List => LIST_METHODS,
        B::Tuple => TUPLE_METHODS,
        B::Dict => DICT_METHODS,
        B::Set => SET_METHODS,
        _ => &[],
    }
}

/// Whether `v` is a value of built-in type `t`, as a method descriptor of `t` takes it.
fn is_of_type(v: &Value, t: B) -> bool {
    matches!(
        (t, v),
        (B::Str, Value::Str(_))
            | (B::List, Value::List(_))
            | (B::Tuple, Value::Tuple(_))
            | (B::Dict, Value::Dict(_))
            | (B::Set, Value::Set(_))
    )
}
const DICT_METHODS: &[B] = &[
    B::DictGet,
    B::DictKeys,
    B::DictValues,
    B::DictItems,
    B::DictPop,
    B::DictSetdefault,
    B::DictUpdate,
    B::DictPopitem,
    B::DictFromkeys,
    B::Clear,
    B::Copy,
];
const SET_METHODS: &[B] = &[
    B::SetAdd,
    B::SetDiscard,
    B::SetRemove,
    B::SetPop,
    B::SetUpdate,
    B::SetUnion,
    B::SetIntersection,
    B::SetDifference,
    B::SetIssubset,
    B::SetIsdisjoint,
    B::Clear,
    B::Copy,
];
const TASK_METHODS: &[B] = &[
    B::TaskCancel,
    B::TaskDone,
    B::TaskResult,
    B::TaskCancelled,
    B::TaskException,
    B::TaskGetName,
    B::TaskCancelling,
    B::TaskUncancel,
    B::TaskSetName,
    B::TaskAddDoneCallback,
];

fn arity<T>(b: B, want: &str) -> Result<T, Flow> {
    raise(E::TypeError, format!("{}() takes {want}", b.name()))
}

/// `round(i, n)` of an int, as CPython's `int.__round__`: unchanged for `n >= 0`, else to a
/// multiple of 10^-n, ties to the even multiple (`round(15, -1)` is 20, `round(25, -1)` 20).
fn round_int(i: i64, n: i64) -> Res {
    if n >= 0 {
        return Ok(Value::Int(i));
    }
    let too_large = || raise(E::OverflowError, "integer too large for awaitlab's 64-bit integers");
    // 10^19 and up is past an i64: every i64 is then nearer 0 than the next multiple, but for
    // those past half of 10^19, whose multiple (±10^19) is not an i64.
    let Some(p) = n.checked_neg().and_then(|e| u32::try_from(e).ok()).and_then(|e| 10i64.checked_pow(e)) else {
        return if i.unsigned_abs() > 5_000_000_000_000_000_000 { too_large() } else { Ok(Value::Int(0)) };
    };
    let (q, r) = (i.div_euclid(p), i.rem_euclid(p));
    let q = if 2 * r > p || (2 * r == p && q % 2 != 0) { q + 1 } else { q };
    q.checked_mul(p).map(Value::Int).ok_or(()).or_else(|()| too_large())
}

/// Which of CPython 3.12's three loops a `sum()` is in (`Interp::sum`).
enum SumPath {
    /// Exact ints so far, from an int `start`.
    Ints,
    /// Floats (and ints) summed with compensation.
    Floats(FloatSum),
    /// Anything else: plain `+`, to the end.
    Any,
}

/// CPython 3.12's float total in `sum()`: Neumaier's improvement of Kahan–Babuška summation.
struct FloatSum {
    total: f64,
    compensation: f64,
}

impl FloatSum {
    fn new(start: f64) -> Self {
        FloatSum { total: start, compensation: 0.0 }
    }

    fn add(&mut self, x: f64) {
        let t = self.total + x;
        self.compensation += if self.total.abs() >= x.abs() { (self.total - t) + x } else { (x - t) + self.total };
        self.total = t;
    }

    /// An int item is added as a float, uncompensated, as CPython 3.12.1 does.
    fn add_int(&mut self, x: f64) {
        self.total += x;
    }

    /// The total with its compensation, unless that is 0 or not finite (an infinite or overflowed
    /// sum stays as it is rather than turn into a NaN).
    fn total(&self) -> f64 {
        if self.compensation != 0.0 && self.compensation.is_finite() {
            self.total + self.compensation
        } else {
            self.total
        }
    }
}

fn kw<'k>(kwargs: &'k Kwargs, name: &str) -> Option<&'k Value> {
    kwargs.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
}

pub(super) fn want_str<'v>(v: &'v Value, what: &str) -> Result<&'v Rc<str>, Flow> {
    match v {
        Value::Str(s) => Ok(s),
        other => raise(E::TypeError, format!("{what} must be str, not {}", other.type_name())),
    }
}

/// An int argument, or CPython's `__index__` refusal (`range(1.5)`, `'a'.center('3')`).
pub(super) fn want_int(v: &Value) -> Result<i64, Flow> {
    ops::as_int(v)
        .ok_or(())
        .or_else(|()| raise(E::TypeError, format!("'{}' object cannot be interpreted as an integer", v.type_name())))
}

/// A real number argument, or the refusal CPython's `math` functions give (`must be real
/// number, not str`).
fn want_f64(v: &Value) -> Result<f64, Flow> {
    ops::as_f64(v).ok_or(()).or_else(|()| raise(E::TypeError, format!("must be real number, not {}", v.type_name())))
}

impl<'a> Interp<'a> {
    /// A built-in global name: a function or an exception class.
    pub fn builtin_named(&self, name: &str) -> Option<Value> {
        match name {
            "object" => return Some(Value::None),
            "__name__" => return Some(Value::str("__main__")),
            "NotImplemented" => return Some(Value::str("NotImplemented")),
            _ => {}
        }
        match GLOBALS.iter().find(|b| b.name() == name) {
            Some(b) => Some(Value::Builtin(*b)),
            None => self.classes.named(name).map(Value::Class),
        }
    }

    /// `module.name`.
    pub fn module_attr(&self, m: Module, name: &str) -> Res {
        use B::*;
        if let Some(c) = self.classes.module_attr(m, name) {
            return Ok(Value::Class(c));
        }
        let b = match (m, name) {
            // False at run time, as in CPython: `if TYPE_CHECKING:` imports are skipped.
            (Module::Typing, "TYPE_CHECKING") => return Ok(Value::Bool(false)),
            (Module::Typing | Module::Future, _) => {
                let m = m.name();
                return raise(
                    E::NotImplementedError,
                    format!("`{m}.{name}` is only understood in annotations here: awaitlab imports `{m}` for them and runs none of its names"),
                );
            }
            (Module::Asyncio, "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED") => return Ok(Value::str(name)),
            (Module::Asyncio, "get_running_loop") => GetLoop,
            (Module::Asyncio, "to_thread") => return raise(E::NotImplementedError, crate::core::py::parse::TO_THREAD),
            (Module::Asyncio, n) => match ASYNCIO.iter().find(|b| b.name() == n) {
                Some(b) => *b,
                None => return self.no_attr(m, name),
            },
            (Module::Random, "random") => Random,
            (Module::Random, "uniform") => Uniform,
            (Module::Random, "randint") => Randint,
            (Module::Random, "choice") => Choice,
            (Module::Random, "shuffle") => Shuffle,
            (Module::Random, "seed") => Seed,
            (Module::Random, "randrange") => Randrange,
            (Module::Random, "sample") => Sample,
            (Module::Time, "time") => Time,
            (Module::Time, "perf_counter") => PerfCounter,
            (Module::Time, "monotonic") => Monotonic,
            (Module::Time, "sleep") => TimeSleep,
            (Module::Time, "time_ns") => TimeNs,
            (Module::Time, "perf_counter_ns") => PerfCounterNs,
            (Module::Time, "monotonic_ns") => MonotonicNs,
            (Module::Time, "strftime") => Strftime,
            (Module::Dataclasses, "dataclass") => Dataclass,
            (Module::Dataclasses, "field") => DataclassField,
            (Module::Dataclasses, "asdict") => Asdict,
            (Module::Json, "dumps") => Dumps,
            (Module::Json, "loads") => Loads,
            (Module::Math, "pi") => return Ok(Value::Float(std::f64::consts::PI)),
            (Module::Math, "e") => return Ok(Value::Float(std::f64::consts::E)),
            (Module::Math, "inf") => return Ok(Value::Float(f64::INFINITY)),
            (Module::Math, "sqrt") => Sqrt,
            (Module::Math, "floor") => Floor,
            (Module::Math, "ceil") => Ceil,
            (Module::Math, "log") => Log,
            (Module::Math, "exp") => Exp,
            (Module::Math, "fabs") => Fabs,
            (Module::Math, "pow") => MathPow,
            (Module::Aiohttp, "ClientSession") => ClientSession,
            (Module::Aiohttp, "ClientTimeout") => ClientTimeout,
            (Module::Aiohttp, "TCPConnector") => TcpConnector,
            _ => return self.no_attr(m, name),
        };
        Ok(Value::Builtin(b))
    }

    fn no_attr(&self, m: Module, name: &str) -> Res {
        raise(E::AttributeError, format!("module '{}' has no attribute '{name}' (not in awaitlab's subset)", m.name()))
    }

    /// `v.name` on a built-in type: a bound method, or a data attribute.
    pub fn builtin_attr(&self, v: &Value, name: &str) -> Res {
        // Any value's class, as `type(v)` (a dataclass's `__eq__` asks `other.__class__`).
        if name == "__class__" {
            return self.call_global_rest(B::Type, vec![v.clone()]);
        }
        let table: &[B] = match v {
            Value::Module(m) => return self.module_attr(*m, name),
            Value::Obj(o) => return self.obj_attr(v, o, name),
            Value::Task(t) if name == "__name__" => return Ok(Value::Str(t.label.clone())),
            Value::Instance(i) if name == "args" => {
                return Ok(i.attrs.borrow().get("args").cloned().unwrap_or_else(|| Value::tuple(Vec::new())))
            }
            // CPython's `SystemExit.__init__` sets `code` from its arguments: None, the one, or
            // all of them. Read from `args` (which `__init__` sets); one assigned is an attribute.
            Value::Instance(i) if name == "code" && self.is_instance_of(v, E::SystemExit) => {
                return Ok(match i.attrs.borrow().get("args") {
                    Some(Value::Tuple(t)) if t.len() <= 1 => t.first().cloned().unwrap_or(Value::None),
                    Some(args) => args.clone(),
                    None => Value::None,
                });
            }
            Value::Instance(_) if self.is_instance_of(v, E::BaseExceptionGroup) => {
                &[B::EgSplit, B::EgSubgroup, B::EgDerive]
            }
            // `str.lower`: a method descriptor, the type in its receiver's place
            // (`Interp::call_unbound` takes the instance from its first argument).
            Value::Builtin(B::Dict) if name == "fromkeys" => return Ok(Value::Builtin(B::DictFromkeys)),
            Value::Builtin(t) if t.is_type() => match type_methods(*t).iter().find(|b| b.name() == name) {
                Some(b) => return Ok(Value::Method(Rc::new((v.clone(), *b)))),
                None => {
                    return raise(E::AttributeError, format!("type object '{}' has no attribute '{name}'", t.name()))
                }
            },
            Value::Str(_) => STR_METHODS,
            Value::List(_) => LIST_METHODS,
            Value::Tuple(_) => TUPLE_METHODS,
            Value::Dict(_) => DICT_METHODS,
            Value::Set(_) => SET_METHODS,
            Value::Task(_) => TASK_METHODS,
            Value::Coro(_) => &[B::CoroClose],
            _ => &[],
        };
        match table.iter().find(|b| b.name() == name) {
            Some(b) => Ok(Value::Method(Rc::new((v.clone(), *b)))),
            None => self.no_such(v, name),
        }
    }

    /// `sum(items, start)` as CPython 3.12 adds: exact ints as they come; from the first float
    /// on (or a float `start`), floats and ints with Neumaier's compensated sum, so `sum([0.1] *
    /// 10)` is `1.0` there and here; anything else (the reader's objects with `__add__` /
    /// `__radd__`, hence async) by plain `+` from then on (`builtin_sum_impl`'s three paths).
    async fn sum(&self, start: Value, items: Vec<Value>, f: &Frame, line: u32) -> Res {
        use crate::core::py::ast::BinOp::Add;
        if matches!(start, Value::Str(_)) {
            return raise(E::TypeError, "sum() can't sum strings [use ''.join(seq) instead]");
        }
        let mut path = match start {
            Value::Int(_) => SumPath::Ints,
            Value::Float(x) => SumPath::Floats(FloatSum::new(x)),
            _ => SumPath::Any,
        };
        let mut total = start;
        for v in items {
            // Each addition is a step, as the reader's own loop's would be.
            self.step(line)?;
            match (&mut path, v) {
                (SumPath::Floats(sum), Value::Float(x)) => sum.add(x),
                (SumPath::Floats(sum), Value::Int(i)) => sum.add_int(i as f64),
                (SumPath::Floats(sum), Value::Bool(b)) => sum.add_int(f64::from(u8::from(b))),
                (SumPath::Floats(sum), other) => {
                    total = self.binop_any(Add, Value::Float(sum.total()), other, f).await?;
                    path = SumPath::Any;
                }
                (SumPath::Ints, v @ (Value::Int(_) | Value::Bool(_))) | (SumPath::Any, v) => {
                    total = self.binop_any(Add, total, v, f).await?;
                }
                // The first item that is not an int ends the int path; a float total goes on
                // on the float path.
                (SumPath::Ints, other) => {
                    total = self.binop_any(Add, total, other, f).await?;
                    path = match total {
                        Value::Float(x) => SumPath::Floats(FloatSum::new(x)),
                        _ => SumPath::Any,
                    };
                }
            }
        }
        Ok(match path {
            SumPath::Floats(sum) => Value::Float(sum.total()),
            _ => total,
        })
    }

    pub fn no_such(&self, v: &Value, name: &str) -> Res {
        // asyncio's and aiohttp's objects have more in CPython than here: say so, as a module's
        // missing attribute does, so that it does not read as a typo.
        let subset = if matches!(v, Value::Task(_) | Value::Obj(_)) { " (not in awaitlab's subset)" } else { "" };
        raise(E::AttributeError, format!("'{}' object has no attribute '{name}'{subset}", v.type_name()))
    }

    /// `str.lower(s)`: method `b` of built-in type `t` called with its instance first, refused
    /// with CPython's messages when there is none or it is not a `t`.
    pub async fn call_unbound(&self, t: B, b: B, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        let mut args = args.into_iter();
        let Some(recv) = args.next() else {
            return raise(E::TypeError, format!("unbound method {}.{}() needs an argument", t.name(), b.name()));
        };
        if !is_of_type(&recv, t) {
            let (t, b, other) = (t.name(), b.name(), recv.type_name());
            return raise(
                E::TypeError,
                format!("descriptor '{b}' for '{t}' objects doesn't apply to a '{other}' object"),
            );
        }
        self.call_builtin(b, Some(recv), args.collect(), kwargs, f, line).await
    }

    /// Calls built-in `b` (a method when `recv` is its receiver).
    pub async fn call_builtin(
        &self,
        b: B,
        recv: Option<Value>,
        mut args: Vec<Value>,
        mut kwargs: Kwargs,
        f: &Frame,
        line: u32,
    ) -> Res {
        use B::*;
        self.check_args(b, recv.as_ref(), &mut args, &mut kwargs)?;
        match b {
            Print => self.print_call(args, &kwargs, f, line).await,
            Sum if !args.is_empty() => {
                let start = kw(&kwargs, "start").cloned().or_else(|| args.get(1).cloned()).unwrap_or(Value::Int(0));
                self.sum(start, self.iterate(&args[0])?, f, line).await
            }
            Len | Abs if args.len() == 1 && super::eval::user_method(&args[0], Self::dunder_of(b)).is_some() => {
                let m = super::eval::user_method(&args[0], Self::dunder_of(b)).unwrap_or(Value::None);
                self.call(m, Vec::new(), Vec::new(), f, line).await
            }
            Repr if args.len() == 1 => {
                let s = self.repr_of(&args[0], f).await?;
                self.new_str(s)
            }
            Str if args.len() == 1 => {
                let s = self.to_str(&args[0], f).await?;
                self.new_str(s)
            }
            Sorted | Min | Max | Map | Filter | ListSort => self.call_with_key(b, recv, args, kwargs, f, line).await,
            // `debug=True` logs slow callbacks, which a prediction cannot time: refused.
            Run if kw(&kwargs, "debug").is_some_and(|d| !matches!(d, Value::None | Value::Bool(false))) => raise(
                E::TypeError,
                "asyncio.run(debug=True) is not in awaitlab's subset: its log of slow callbacks times the real loop",
            ),
            Run => self.asyncio_run(args, f, line).await,
            Super => self.super_of(f),
            Anext | Aiter => self.anext_aiter(b, args, f, line).await,
            StaticMethod | ClassMethod | Property => match args.into_iter().next() {
                Some(func @ Value::Func(_)) => Ok(Value::Obj(Rc::new(super::native::Obj::Descriptor(b, func)))),
                _ => raise(E::TypeError, format!("{}() takes a function", b.name())),
            },
            EgSplit | EgSubgroup | EgDerive => match recv {
                Some(group) => self.group_method(b, group, args, f, line).await,
                None => arity(b, "an exception group"),
            },
            ObjectInit => self.object_init(recv, args, &kwargs),
            // `object.__init_subclass__`, the end of a chain of `super().__init_subclass__()`.
            ObjectInitSubclass => Ok(Value::None),
            Dataclass | DataclassWith => self.dataclass(b, recv, args, kwargs, f).await,
            DataclassField => super::dataclass::field(&kwargs),
            Asdict => self.asdict(args.first().unwrap_or(&Value::None), 0),
            // `@d.setter`: the property `d` with a setter.
            PropertySetter => match (recv.as_ref(), args.into_iter().next()) {
                (Some(Value::Obj(o)), Some(setter @ Value::Func(_))) => match &**o {
                    super::native::Obj::Descriptor(Property, getter) => {
                        Ok(Value::Obj(Rc::new(super::native::Obj::Property(getter.clone(), setter))))
                    }
                    _ => arity(b, "a property"),
                },
                _ => raise(E::TypeError, "setter() takes a function"),
            },
            Format => match &args[..] {
                [v] => Ok(Value::str(&self.format_with(v, "", f).await?)),
                [v, Value::Str(spec)] => Ok(Value::str(&self.format_with(v, spec, f).await?)),
                [_, spec] => raise(E::TypeError, format!("format() argument 2 must be str, not {}", spec.type_name())),
                _ => arity(b, "1 or 2 arguments"),
            },
            StrFormat => match recv {
                Some(Value::Str(template)) => self.str_format(&template, &args, &kwargs, f).await,
                _ => arity(b, "a str"),
            },
            _ => match recv {
                Some(r) => self.call_method(b, r, args, kwargs, f, line),
                None => self.call_function(b, args, kwargs, f, line),
            },
        }
    }

    /// `__init__` of an instance whose class defines none, or reached through `super()`: an
    /// exception's (`BaseException.__init__`) sets its `args`; any other's is `object.__init__`,
    /// which takes no arguments, its TypeError naming the class when the class has no `__init__`
    /// (`K().__init__(1)`) and `object` when one of its own called it (`super().__init__(1)`).
    fn object_init(&self, recv: Option<Value>, args: Vec<Value>, kwargs: &Kwargs) -> Res {
        let Some(Value::Instance(i)) = &recv else { return Ok(Value::None) };
        if i.attrs.borrow().contains_key("args") {
            i.attrs.borrow_mut().insert(Rc::from("args"), Value::tuple(args));
        } else if !args.is_empty() || !kwargs.is_empty() {
            let owner = if i.class.lookup("__init__").is_some() { "object" } else { &*i.class.name };
            return raise(
                E::TypeError,
                format!("{owner}.__init__() takes exactly one argument (the instance to initialize)"),
            );
        }
        Ok(Value::None)
    }

    /// `anext(it[, default])` (the awaitable of its next item) and `aiter(it)`.
    async fn anext_aiter(&self, b: B, args: Vec<Value>, f: &Frame, line: u32) -> Res {
        use super::native::Obj;
        let mut args = args.into_iter();
        let Some(it) = args.next() else { return arity(b, "at least 1 argument") };
        let is_agen = matches!(&it, Value::Obj(o) if o.agen().is_some());
        if b == B::Aiter {
            return match super::eval::user_method(&it, "__aiter__") {
                _ if is_agen => Ok(it),
                Some(m) => self.call(m, Vec::new(), Vec::new(), f, line).await,
                None => raise(E::TypeError, format!("'{}' object is not an async iterable", it.type_name())),
            };
        }
        let aw = match super::eval::user_method(&it, "__anext__") {
            _ if is_agen => Value::Obj(Rc::new(Obj::Op { target: it, op: B::AgenAnext, arg: Value::None })),
            Some(m) => self.call(m, Vec::new(), Vec::new(), f, line).await?,
            None => return raise(E::TypeError, format!("'{}' object is not an async iterator", it.type_name())),
        };
        Ok(match args.next() {
            Some(default) => Value::Obj(Rc::new(Obj::Op { target: aw, op: B::AnextDefault, arg: default })),
            None => aw,
        })
    }

    async fn print_call(&self, args: Vec<Value>, kwargs: &Kwargs, f: &Frame, line: u32) -> Res {
        let sep = match kw(kwargs, "sep") {
            Some(Value::Str(s)) => s.to_string(),
            _ => " ".into(),
        };
        let end = match kw(kwargs, "end") {
            Some(Value::Str(s)) => s.to_string(),
            _ => "\n".into(),
        };
        let mut text = String::new();
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                text.push_str(&sep);
            }
            text.push_str(&self.to_str(a, f).await?);
        }
        text.push_str(&end);
        self.write_stdout(&f.task(), &text, line)?;
        Ok(Value::None)
    }

    /// The built-ins that may call the reader's functions (`key=`, `map`, `filter`).
    async fn call_with_key(
        &self,
        b: B,
        recv: Option<Value>,
        args: Vec<Value>,
        kwargs: Kwargs,
        f: &Frame,
        line: u32,
    ) -> Res {
        let key = kw(&kwargs, "key").cloned().filter(|k| !matches!(k, Value::None));
        let reverse = kw(&kwargs, "reverse").is_some_and(Value::truthy);
        match b {
            B::Map | B::Filter => {
                let [func, iterable] = &args[..] else { return arity(b, "exactly 2 arguments here") };
                let mut out = Vec::new();
                for item in self.iterate(iterable)? {
                    let r = match func {
                        Value::None => item.clone(),
                        func => self.call(func.clone(), vec![item.clone()], Vec::new(), f, line).await?,
                    };
                    if b == B::Map {
                        out.push(r);
                    } else if self.truth(&r, f)? {
                        out.push(item);
                    }
                }
                Ok(Value::list(out))
            }
            B::Sorted | B::ListSort => {
                let items = match (&recv, args.first()) {
                    (Some(l), _) => self.iterate(l)?,
                    (None, Some(it)) => self.iterate(it)?,
                    _ => return arity(b, "1 argument"),
                };
                let Some(Value::List(l)) = recv else {
                    return Ok(Value::list(self.sort_values(items, key, reverse, f, line).await?));
                };
                // As CPython's `list.sort`, the list is empty while it sorts (a key reading it
                // sees `[]`); it gets its items back either way (in their first order if the
                // sort failed), and one changed meanwhile raises. A change is seen only if it
                // leaves items there (CPython also sees an append undone by a pop).
                l.borrow_mut().clear();
                let sorted = self.sort_values(items.clone(), key, reverse, f, line).await;
                let changed = !l.borrow().is_empty();
                match sorted {
                    Ok(sorted) => *l.borrow_mut() = sorted,
                    Err(e) => {
                        *l.borrow_mut() = items;
                        return Err(e);
                    }
                }
                if changed {
                    return raise(E::ValueError, "list modified during sort");
                }
                Ok(Value::None)
            }
            _ => {
                let items = if args.len() == 1 { self.iterate(&args[0])? } else { args };
                if items.is_empty() {
                    return match kw(&kwargs, "default") {
                        Some(d) => Ok(d.clone()),
                        None => raise(E::ValueError, format!("{}() iterable argument is empty", b.name())),
                    };
                }
                self.min_max(items, key, b == B::Max, f, line).await
            }
        }
    }

    /// `min` / `max` of non-empty `items` as CPython's `min_max`: one pass, an item taking the
    /// lead only if its key is `<` (for `max`, `>`) the leader's, so the first of equal items
    /// wins, and a NaN neither takes the lead nor loses it (`max([1, nan, 3])` is 3).
    async fn min_max(&self, items: Vec<Value>, key: Option<Value>, max: bool, f: &Frame, line: u32) -> Res {
        let op = if max { CmpOp::Gt } else { CmpOp::Lt };
        // A comparison per item, counted as work as the other builtins over a list count theirs.
        self.work(items.len())?;
        let mut items = items.into_iter();
        let Some(mut best) = items.next() else { return Ok(Value::None) };
        let mut best_key = self.key_of(&key, &best, f, line).await?;
        for item in items {
            let k = self.key_of(&key, &item, f, line).await?;
            if self.compare_any(op, &k, &best_key, f).await? {
                (best, best_key) = (item, k);
            }
        }
        Ok(best)
    }

    /// `key(item)`, or the item itself without a key.
    async fn key_of(&self, key: &Option<Value>, item: &Value, f: &Frame, line: u32) -> Res {
        match key {
            Some(func) => self.call(func.clone(), vec![item.clone()], Vec::new(), f, line).await,
            None => Ok(item.clone()),
        }
    }

    /// A stable sort of `items` by `key` (each key computed once, as Python does).
    async fn sort_values(
        &self,
        items: Vec<Value>,
        key: Option<Value>,
        reverse: bool,
        f: &Frame,
        line: u32,
    ) -> Result<Vec<Value>, Flow> {
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            let k = match &key {
                Some(func) => self.call(func.clone(), vec![item.clone()], Vec::new(), f, line).await?,
                None => item.clone(),
            };
            keyed.push((k, item));
        }
        // n log n comparisons, each counted as work over one element.
        self.work(keyed.len() * (usize::BITS - keyed.len().leading_zeros()) as usize)?;
        // Keys that are (or hold) the reader's objects are compared with their `__lt__`…,
        // `(priority, job)` ties included; plain keys through the plain ordering.
        let user = keyed.iter().any(|(k, _)| super::eval::holds_instance(k));
        let lt = &mut |a: &(Value, Value), b: &(Value, Value)| -> Result<bool, Flow> {
            if user {
                self.compare_now(CmpOp::Lt, &a.0, &b.0, f)
            } else {
                Ok(self.order(&a.0, &b.0, "<")? == std::cmp::Ordering::Less)
            }
        };
        let sorted = super::sort::sort_by_lt(keyed, reverse, lt)?;
        Ok(sorted.into_iter().map(|(_, v)| v).collect())
    }

    /// The reader's method `len()` and `abs()` call: `__len__`, `__abs__`.
    fn dunder_of(b: B) -> &'static str {
        if b == B::Abs {
            "__abs__"
        } else {
            "__len__"
        }
    }

    /// A built-in function (not a method).
    fn call_function(&self, b: B, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        use B::*;
        match b {
            Len | Range | Sum | Abs | Round | Reversed | Enumerate | Zip | List | Dict | Tuple | Set | Str | Int
            | Float | Bool | Repr | Isinstance | Issubclass | Hasattr | Getattr | Setattr | Any | All | Type
            | Divmod | Chr | Ord | Callable | Id | Hash | Pow | Hex | Oct | Bin | DictFromkeys => {
                self.call_global(b, args, kwargs, f)
            }
            Random | Uniform | Randint | Choice | Shuffle | Seed | Randrange | Sample => self.call_random(b, args),
            Time | PerfCounter | Monotonic => Ok(Value::Float(self.ctx.rec.elapsed() / 1000.0)),
            TimeNs | PerfCounterNs | MonotonicNs => Ok(Value::Int((self.ctx.rec.elapsed() * 1e6).round() as i64)),
            Strftime => {
                let format = want_str(&args[0], "strftime() argument 1")?;
                // A directive writes at most 24 bytes (`%c`): refused before it is built.
                if format.len().saturating_mul(12) > super::limits::MAX_STR_BYTES {
                    return raise(E::MemoryError, "a string longer than awaitlab's limit");
                }
                let secs = self.ctx.rec.elapsed() / 1000.0;
                self.new_str(super::strftime::strftime(format, secs))
            }
            TimeSleep => self.time_sleep(&args, &kwargs, f, line),
            Dumps => self.json_dumps(&args, &kwargs),
            Loads => self.json_loads(&args),
            Sqrt | Floor | Ceil | Log | Exp | Fabs | MathPow => self.call_math(b, &args),
            ClientSession | ClientTimeout | TcpConnector => self.aiohttp_new(b, args, kwargs),
            _ => self.call_asyncio(b, args, kwargs, f, line),
        }
    }

    fn call_global(&self, b: B, args: Vec<Value>, kwargs: Kwargs, f: &Frame) -> Res {
        use B::*;
        let one = || args.first().cloned().ok_or(()).or_else(|()| arity(b, "1 argument"));
        match b {
            Len => self.len_of(&one()?),
            Range => self.range(&args),
            // With an argument, `sum` is async (`call_builtin`): here it has none.
            Sum => arity(b, "at least 1 positional argument (0 given)"),
            Abs => match one()? {
                Value::Int(i) => {
                    i.checked_abs().map(Value::Int).ok_or(()).or_else(|()| raise(E::OverflowError, "abs() overflow"))
                }
                Value::Bool(b) => Ok(Value::Int(i64::from(b))),
                Value::Float(x) => Ok(Value::Float(x.abs())),
                other => raise(E::TypeError, format!("bad operand type for abs(): '{}'", other.type_name())),
            },
            Round => self.round(&args),
            Reversed => {
                let v = one()?;
                let sequence =
                    matches!(v, Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_) | Value::Dict(_));
                if !sequence && !matches!(&v, Value::Obj(o) if o.is_dict_view()) {
                    return raise(E::TypeError, format!("'{}' object is not reversible", v.type_name()));
                }
                let mut items = self.iterate(&v)?;
                items.reverse();
                Ok(Value::list(items))
            }
            Enumerate => {
                let start = kw(&kwargs, "start").or(args.get(1)).map_or(Ok(0), want_int)?;
                let items = self.iterate(&one()?)?;
                self.alloc(items.len())?;
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.into_iter().enumerate() {
                    let n = start
                        .checked_add(i as i64)
                        .ok_or(())
                        .or_else(|()| raise(E::OverflowError, "enumerate overflow"))?;
                    out.push(Value::tuple(vec![Value::Int(n), v]));
                }
                Ok(Value::list(out))
            }
            Zip => {
                let lists = args.iter().map(|a| self.iterate(a)).collect::<Result<Vec<_>, _>>()?;
                let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                if kw(&kwargs, "strict").is_some_and(Value::truthy) {
                    zip_strict(&lists.iter().map(Vec::len).collect::<Vec<_>>())?;
                }
                self.alloc(n)?;
                Ok(Value::list((0..n).map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect())).collect()))
            }
            List => Ok(Value::list(if args.is_empty() { Vec::new() } else { self.iterate(&args[0])? })),
            Tuple => Ok(Value::tuple(if args.is_empty() { Vec::new() } else { self.iterate(&args[0])? })),
            Set => self.new_set_of(args.first()),
            Dict => self.dict_new(args, kwargs),
            Str => Ok(Value::str("")),
            Int => self.to_int(&args),
            Float => self.to_float(&args),
            Bool => Ok(Value::Bool(match args.first() {
                Some(v) => self.truth(v, f)?,
                None => false,
            })),
            Repr => Ok(Value::Str(Rc::from(fmt::repr(&one()?)))),
            Isinstance | Issubclass => {
                let [v, kind] = &args[..] else { return arity(b, "2 arguments") };
                Ok(Value::Bool(self.isinstance(v, kind, b == Issubclass)?))
            }
            Hasattr => {
                let [v, Value::Str(name)] = &args[..] else { return arity(b, "an object and a name") };
                Ok(Value::Bool(self.get_attr(v, name, f).is_ok()))
            }
            Getattr => match &args[..] {
                [v, Value::Str(name)] => self.get_attr(v, name, f),
                [v, Value::Str(name), default] => Ok(self.get_attr(v, name, f).unwrap_or_else(|_| default.clone())),
                _ => arity(b, "an object, a name and an optional default"),
            },
            Setattr => {
                let [v, Value::Str(name), x] = &args[..] else { return arity(b, "3 arguments") };
                self.set_attr(v, name, x.clone(), f).map(|()| Value::None)
            }
            Any | All => {
                let want = b == Any;
                for v in self.iterate(&one()?)? {
                    if self.truth(&v, f)? == want {
                        return Ok(Value::Bool(want));
                    }
                }
                Ok(Value::Bool(!want))
            }
            _ => self.call_global_rest(b, args),
        }
    }

    fn call_global_rest(&self, b: B, args: Vec<Value>) -> Res {
        use B::*;
        match (b, &args[..]) {
            (Type, [v]) => Ok(match v {
                Value::Instance(i) => Value::Class(i.class.clone()),
                Value::Class(_) => Value::Builtin(Type),
                Value::Builtin(b) if b.is_type() => Value::Builtin(Type),
                other => {
                    let name = other.type_name();
                    match TYPES.iter().find(|b| b.name() == &*name) {
                        Some(b) => Value::Builtin(*b),
                        // `coroutine`, `NoneType`, `function`, `Task`…: a class of that name.
                        None => Value::Class(Rc::new(super::value::Class {
                            qualname: name.clone(),
                            name,
                            bases: Vec::new(),
                            attrs: Default::default(),
                            builtin: true,
                            depth: 0,
                            annotated: Vec::new(),
                        })),
                    }
                }
            }),
            (Divmod, [x, y]) => {
                let q = self.binop(crate::core::py::ast::BinOp::FloorDiv, x, y)?;
                let r = self.binop(crate::core::py::ast::BinOp::Mod, x, y)?;
                Ok(Value::tuple(vec![q, r]))
            }
            (Chr, [v]) => {
                let c = u32::try_from(want_int(v)?).ok().and_then(char::from_u32);
                c.map(|c| Value::str(c.encode_utf8(&mut [0; 4])))
                    .ok_or(())
                    .or_else(|()| raise(E::ValueError, "chr() arg not in range(0x110000)"))
            }
            (Ord, [Value::Str(s)]) => match s.chars().count() {
                1 => Ok(Value::Int(s.chars().next().map_or(0, |c| c as i64))),
                n => raise(E::TypeError, format!("ord() expected a character, but string of length {n} found")),
            },
            (Ord, [v]) => {
                let t = v.type_name();
                raise(E::TypeError, format!("ord() expected string of length 1, but {t} found"))
            }
            (Callable, [v]) => Ok(Value::Bool(matches!(
                v,
                Value::Func(_) | Value::Bound(_) | Value::Builtin(_) | Value::Method(_) | Value::Class(_)
            ))),
            (Id, [v]) => Ok(Value::Int(v.identity() as i64)),
            // CPython's for numbers, None and tuples of them (see `hash.rs`).
            (Hash, [v]) => Ok(Value::Int(self.key(v)?.py_hash())),
            (DictFromkeys, _) => self.dict_fromkeys(&args),
            (Pow, [x, y] | [x, y, Value::None]) => self.binop(crate::core::py::ast::BinOp::Pow, x, y),
            (Pow, [x, y, m]) => pow_mod(x, y, m),
            (Hex | Oct | Bin, [v]) => {
                let Some(i) = ops::as_int(v).filter(|_| !matches!(v, Value::Float(_))) else {
                    let t = v.type_name();
                    return raise(E::TypeError, format!("'{t}' object cannot be interpreted as an integer"));
                };
                let (sign, n) = (if i < 0 { "-" } else { "" }, i.unsigned_abs());
                Ok(Value::str(&match b {
                    Hex => format!("{sign}0x{n:x}"),
                    Oct => format!("{sign}0o{n:o}"),
                    _ => format!("{sign}0b{n:b}"),
                }))
            }
            _ => arity(b, "other arguments"),
        }
    }

    /// `dict.fromkeys(keys, value=None)`.
    fn dict_fromkeys(&self, args: &[Value]) -> Res {
        let Some(keys) = args.first() else {
            return raise(E::TypeError, "fromkeys expected at least 1 argument, got 0");
        };
        let value = args.get(1).cloned().unwrap_or(Value::None);
        let mut d = Dict::default();
        for k in self.iterate(keys)? {
            self.dict_set(&mut d, k, value.clone())?;
        }
        Ok(Value::dict(d))
    }

    fn len_of(&self, v: &Value) -> Res {
        let n = match v {
            Value::Str(s) => {
                self.work(s.len())?;
                s.chars().count()
            }
            Value::List(l) => l.borrow().len(),
            Value::Tuple(t) => t.len(),
            Value::Dict(d) | Value::Set(d) => d.borrow().len(),
            Value::Range(r) => {
                return match i64::try_from(super::value::range_len_exact(r.0, r.1, r.2)) {
                    Ok(n) => Ok(Value::Int(n)),
                    Err(_) => raise(E::OverflowError, "Python int too large to convert to C ssize_t"),
                }
            }
            Value::Obj(o) => match o.len() {
                Some(n) => n,
                None => return raise(E::TypeError, format!("object of type '{}' has no len()", v.type_name())),
            },
            other => return raise(E::TypeError, format!("object of type '{}' has no len()", other.type_name())),
        };
        Ok(Value::Int(n as i64))
    }

    fn range(&self, args: &[Value]) -> Res {
        let ints = args.iter().map(want_int).collect::<Result<Vec<_>, _>>()?;
        let (start, stop, step) = match ints[..] {
            [stop] => (0, stop, 1),
            [start, stop] => (start, stop, 1),
            [start, stop, step] => (start, stop, step),
            _ => return arity(B::Range, "1 to 3 arguments"),
        };
        if step == 0 {
            return raise(E::ValueError, "range() arg 3 must not be zero");
        }
        Ok(Value::Range(Rc::new((start, stop, step))))
    }

    fn round(&self, args: &[Value]) -> Res {
        let want_f64 = |v: &Value| {
            ops::as_f64(v)
                .ok_or(())
                .or_else(|()| raise(E::TypeError, format!("type {} doesn't define __round__ method", v.type_name())))
        };
        match args {
            [Value::Int(i)] | [Value::Int(i), Value::None] => Ok(Value::Int(*i)),
            [v] | [v, Value::None] => {
                let x = want_f64(v)?;
                Ok(Value::Int(float_to_int(x.round_ties_even())?))
            }
            [Value::Int(i), n] => round_int(*i, want_int(n)?),
            [v, n] => {
                let x = want_f64(v)?;
                let n = want_int(n)?.clamp(-20, 20);
                if n < 0 {
                    let p = 10f64.powi(-n as i32);
                    return Ok(Value::Float((x / p).round_ties_even() * p));
                }
                let text = format!("{x:.prec$}", prec = n as usize);
                Ok(Value::Float(text.parse().unwrap_or(x)))
            }
            _ => arity(B::Round, "1 or 2 arguments"),
        }
    }

    fn to_int(&self, args: &[Value]) -> Res {
        match args {
            [] => Ok(Value::Int(0)),
            [Value::Int(i)] => Ok(Value::Int(*i)),
            [Value::Bool(b)] => Ok(Value::Int(i64::from(*b))),
            [Value::Float(x)] => Ok(Value::Int(float_to_int(*x)?)),
            [Value::Str(s), rest @ ..] => {
                let base = match rest.first() {
                    Some(b) => want_int(b)?,
                    None => 10,
                };
                if base != 0 && !(2..=36).contains(&base) {
                    return raise(E::ValueError, "int() base must be >= 2 and <= 36, or 0");
                }
                let invalid = || {
                    let text = fmt::repr(&Value::Str(s.clone()));
                    raise(E::ValueError, format!("invalid literal for int() with base {base}: {text}"))
                };
                let Some((t, radix)) = int_digits(s, base as u32) else { return invalid() };
                i64::from_str_radix(&t, radix).map(Value::Int).or_else(|e| match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        raise(E::OverflowError, "integer too large for awaitlab's 64-bit integers")
                    }
                    _ => invalid(),
                })
            }
            [_, _] => raise(E::TypeError, "int() can't convert non-string with explicit base"),
            [other, ..] => {
                let t = other.type_name();
                raise(
                    E::TypeError,
                    format!("int() argument must be a string, a bytes-like object or a real number, not '{t}'"),
                )
            }
        }
    }

    fn to_float(&self, args: &[Value]) -> Res {
        match args {
            [] => Ok(Value::Float(0.0)),
            [Value::Str(s)] => {
                let t = s.trim().to_ascii_lowercase();
                let parsed = match t.as_str() {
                    "inf" | "+inf" | "infinity" => Some(f64::INFINITY),
                    "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                    "nan" => Some(f64::NAN),
                    _ => without_digit_underscores(&t).and_then(|t| t.parse::<f64>().ok()),
                };
                parsed.map(Value::Float).ok_or(()).or_else(|()| {
                    raise(
                        E::ValueError,
                        format!("could not convert string to float: {}", fmt::repr(&Value::Str(s.clone()))),
                    )
                })
            }
            [v] => match ops::as_f64(v) {
                Some(x) => Ok(Value::Float(x)),
                None => {
                    let t = v.type_name();
                    raise(E::TypeError, format!("float() argument must be a string or a real number, not '{t}'"))
                }
            },
            _ => arity(B::Float, "at most 1 argument"),
        }
    }

    fn dict_new(&self, args: Vec<Value>, kwargs: Kwargs) -> Res {
        let mut d = Dict::default();
        if let Some(src) = args.first() {
            match src {
                Value::Dict(other) => d = other.borrow().clone(),
                other => {
                    for (i, pair) in self.iterate(other)?.into_iter().enumerate() {
                        let Ok(kv) = self.iterate(&pair) else {
                            let why = format!("cannot convert dictionary update sequence element #{i} to a sequence");
                            return raise(E::TypeError, why);
                        };
                        let [k, v] = &kv[..] else {
                            let why = format!(
                                "dictionary update sequence element #{i} has length {}; 2 is required",
                                kv.len()
                            );
                            return raise(E::ValueError, why);
                        };
                        self.dict_set(&mut d, k.clone(), v.clone())?;
                    }
                }
            }
        }
        for (k, v) in kwargs {
            self.dict_set(&mut d, Value::Str(k), v)?;
        }
        Ok(Value::dict(d))
    }

    /// `isinstance(v, kind)` (or `issubclass`): classes, tuples of them, and the built-in types
    /// (`bool` a subclass of `int`; `type(None)`, a class of its own, by its name). `object` is
    /// `None` here, so `isinstance(x, object)` is true, and so is `isinstance(x, None)`.
    fn isinstance(&self, v: &Value, kind: &Value, sub: bool) -> Result<bool, Flow> {
        let is_class = matches!(v, Value::Class(_)) || matches!(v, Value::Builtin(t) if t.is_type());
        if sub && !is_class {
            return raise(E::TypeError, "issubclass() arg 1 must be a class");
        }
        match kind {
            Value::Tuple(t) => {
                for k in t.iter() {
                    if self.isinstance(v, k, sub)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Class(c) => Ok(match (v, sub) {
                (Value::Class(vc), true) => vc.is_sub(c),
                (Value::Instance(_) | Value::Class(_), false) => v.class().is_some_and(|vc| vc.is_sub(c)),
                // `type(None)`, `type(coro)`: a built-in class made anew, known by its name.
                (other, false) => c.builtin && c.bases.is_empty() && other.type_name() == c.name,
                _ => false,
            }),
            Value::Builtin(b) if b.is_type() => Ok(match (v, sub) {
                (Value::Builtin(vb), true) => vb == b || (*vb == B::Bool && *b == B::Int),
                (_, true) => false,
                (v, false) => {
                    matches!(
                        (b, v),
                        (B::Int, Value::Int(_) | Value::Bool(_))
                            | (B::Float, Value::Float(_))
                            | (B::Str, Value::Str(_))
                            | (B::Bool, Value::Bool(_))
                            | (B::List, Value::List(_))
                            | (B::Tuple, Value::Tuple(_))
                            | (B::Dict, Value::Dict(_))
                            | (B::Set, Value::Set(_))
                            | (B::Range, Value::Range(_))
                            | (B::Type, Value::Class(_))
                    ) || matches!((b, v), (B::Type, Value::Builtin(t)) if t.is_type())
                        // A Task, a gather's future and a shield's are Futures too.
                        || matches!((b, v), (B::FutureNew, Value::Task(_)))
                        || matches!((b, v), (B::FutureNew, Value::Obj(o)) if matches!(&**o, super::native::Obj::Future(_) | super::native::Obj::Shield { .. } | super::native::Obj::Gather { .. }))
                }
            }),
            Value::None => Ok(true),
            _ if sub => raise(E::TypeError, "issubclass() arg 2 must be a class, a tuple of classes, or a union"),
            _ => raise(E::TypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union"),
        }
    }

    fn call_math(&self, b: B, args: &[Value]) -> Res {
        let x = want_f64(args.first().unwrap_or(&Value::None))?;
        let r = match b {
            B::Sqrt if x < 0.0 => return raise(E::ValueError, "math domain error"),
            B::Sqrt => x.sqrt(),
            B::Floor | B::Ceil => {
                let r = if b == B::Floor { x.floor() } else { x.ceil() };
                return Ok(Value::Int(float_to_int(r)?));
            }
            B::Log if x <= 0.0 => return raise(E::ValueError, "math domain error"),
            B::Log => match args.get(1).map(want_f64).transpose()? {
                Some(base) if base <= 0.0 => return raise(E::ValueError, "math domain error"),
                Some(1.0) => return raise(E::ZeroDivisionError, "float division by zero"),
                Some(base) => x.ln() / base.ln(),
                None => x.ln(),
            },
            B::Exp => x.exp(),
            B::Fabs => x.abs(),
            _ => {
                let y = want_f64(args.get(1).unwrap_or(&Value::None))?;
                // CPython's math.pow: no complex results, no division by zero.
                if x == 0.0 && y < 0.0 && y.is_finite() || x < 0.0 && x.is_finite() && y.is_finite() && y.fract() != 0.0
                {
                    return raise(E::ValueError, "math domain error");
                }
                x.powf(y)
            }
        };
        // A finite argument whose result overflows, as CPython's math module says it.
        if r.is_infinite() && args.iter().all(|a| want_f64(a).is_ok_and(f64::is_finite)) {
            return raise(E::OverflowError, "math range error");
        }
        Ok(Value::Float(r))
    }

    /// A method of a built-in type.
    fn call_method(&self, b: B, recv: Value, args: Vec<Value>, kwargs: Kwargs, f: &Frame, line: u32) -> Res {
        match &recv {
            Value::Str(s) => self.str_method(b, s, &args),
            Value::List(_) | Value::Tuple(_) => self.list_method(b, &recv, args, f),
            Value::Dict(d) => self.dict_method(b, d, args, kwargs),
            Value::Set(d) => self.set_method(b, d, args),
            Value::Task(t) => self.task_method(b, t, &args, line),
            Value::Coro(c) => self.coro_close(c),
            Value::Obj(_) => self.obj_method(b, &recv, args, kwargs, f, line),
            _ => raise(E::TypeError, format!("'{}' has no method {}", recv.type_name(), b.name())),
        }
    }

    fn str_method(&self, b: B, s: &Rc<str>, args: &[Value]) -> Res {
        use B::*;
        self.work(s.len())?;
        let arg = |i: usize| args.get(i).map(|a| want_str(a, b.name())).transpose();
        let out: String = match b {
            StrUpper => s.to_uppercase(),
            StrLower => s.to_lowercase(),
            StrStrip | StrLstrip | StrRstrip => {
                let chars: Option<Vec<char>> = arg(0)?.map(|c| c.chars().collect());
                let pat = |c: char| chars.as_ref().map_or(c.is_whitespace(), |cs| cs.contains(&c));
                match b {
                    StrStrip => s.trim_matches(pat),
                    StrLstrip => s.trim_start_matches(pat),
                    _ => s.trim_end_matches(pat),
                }
                .to_owned()
            }
            StrSplit | StrRsplit | StrPartition | StrRpartition | StrSplitlines => return self.str_split(b, s, args),
            StrIsdigit | StrIsdecimal | StrIsnumeric | StrIsalpha | StrIsalnum | StrIsupper | StrIslower
            | StrIsspace => return self.str_is(b, s),
            StrSwapcase | StrCasefold | StrRemoveprefix | StrRemovesuffix => self.str_change(b, s, args)?,
            StrJoin => {
                let items = self
                    .iterate(args.first().unwrap_or(&Value::None))
                    .or_else(|_| raise(E::TypeError, "can only join an iterable"))?;
                let mut out = String::new();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(s);
                    }
                    let Value::Str(item) = item else {
                        let t = item.type_name();
                        return raise(E::TypeError, format!("sequence item {i}: expected str instance, {t} found"));
                    };
                    out.push_str(item);
                    if out.len() > super::limits::MAX_STR_BYTES {
                        return raise(E::MemoryError, "a string longer than awaitlab's limit");
                    }
                }
                out
            }
            StrReplace => {
                let (Some(from), Some(to)) = (arg(0)?, arg(1)?) else { return arity(b, "2 arguments") };
                if to.len() > from.len() && s.len().saturating_mul(to.len() + 1) > super::limits::MAX_STR_BYTES {
                    return raise(E::MemoryError, "a string longer than awaitlab's limit");
                }
                // `count`: at most that many, from the left; a negative one (or none) all.
                match args.get(2).map(want_int).transpose()?.and_then(|n| usize::try_from(n).ok()) {
                    Some(n) => s.replacen(&**from, to, n),
                    None => s.replace(&**from, to),
                }
            }
            StrStartswith | StrEndswith | StrFind | StrRfind | StrIndex | StrRindex => {
                return self.str_search(b, s, args)
            }
            StrCount => {
                return self.str_search(b, s, args);
            }
            StrTitle | StrCapitalize => title(s, b == StrTitle),
            StrZfill | StrLjust | StrRjust | StrCenter => {
                let width = usize::try_from(want_int(args.first().unwrap_or(&Value::None))?).unwrap_or(0);
                let fill = match args.get(1) {
                    None => {
                        if b == StrZfill {
                            '0'
                        } else {
                            ' '
                        }
                    }
                    Some(Value::Str(c)) if c.chars().count() == 1 => c.chars().next().unwrap_or(' '),
                    Some(_) => return raise(E::TypeError, "The fill character must be exactly one character long"),
                };
                // The width as asked (it was cut to 10,000 without a word), within the longest
                // string, checked before the padding is made.
                if width.saturating_mul(fill.len_utf8()) > super::limits::MAX_STR_BYTES {
                    return super::str_too_long();
                }
                self.work(width)?;
                pad(s, width, fill, b)
            }
            _ => return raise(E::AttributeError, format!("'str' object has no attribute '{}'", b.name())),
        };
        self.new_str(out)
    }

    fn list_method(&self, b: B, recv: &Value, args: Vec<Value>, f: &Frame) -> Res {
        use B::*;
        // `count`, `index` and `remove` compare with the reader's `__eq__` (over a copy of the
        // items: it may read the list).
        if let (SeqCount | SeqIndex | ListRemove, Some(x)) = (b, args.first()) {
            if super::eval::holds_user_eq(x) || super::eval::holds_user_eq(recv) {
                let items = match recv {
                    Value::List(l) => l.borrow().clone(),
                    Value::Tuple(t) => t.to_vec(),
                    _ => Vec::new(),
                };
                return self.search_with_eq(b, recv, &items, &args, f);
            }
        }
        // Every method but these goes over the list (`pop(i)` and `insert` shift its tail).
        if !matches!((b, &args[..]), (ListAppend | ListExtend | Clear, _) | (ListPop, [])) {
            self.work(ops::extent(recv))?;
        }
        let items: Vec<Value> = match recv {
            Value::Tuple(t) => t.to_vec(),
            _ => Vec::new(),
        };
        let Value::List(l) = recv else {
            return match (b, args.first()) {
                (SeqIndex, Some(x)) => index_of(&items, x, &args[1..]),
                (SeqCount, Some(x)) => Ok(Value::Int(items.iter().filter(|v| super::value::eq(v, x)).count() as i64)),
                _ => arity(b, "1 argument"),
            };
        };
        match (b, &args[..]) {
            (ListAppend, [x]) => {
                self.alloc(1)?;
                l.borrow_mut().push(x.clone());
            }
            (ListExtend, [x]) => {
                let new = self.iterate(x)?;
                self.alloc(new.len())?;
                l.borrow_mut().extend(new);
            }
            (ListPop, []) => {
                return l.borrow_mut().pop().ok_or(()).or_else(|()| raise(E::IndexError, "pop from empty list"))
            }
            (ListPop, [i]) => {
                let mut l = l.borrow_mut();
                let i = ops::seq_index(i, l.len(), "pop")?;
                return Ok(l.remove(i));
            }
            (ListInsert, [i, x]) => {
                let mut l = l.borrow_mut();
                let n = l.len() as i64;
                let i = want_int(i)?;
                let at = if i < 0 { (i + n).max(0) } else { i.min(n) };
                self.alloc(1)?;
                l.insert(at as usize, x.clone());
            }
            (ListRemove, [x]) => {
                let mut l = l.borrow_mut();
                match l.iter().position(|v| super::value::eq(v, x)) {
                    Some(i) => {
                        l.remove(i);
                    }
                    None => return raise(E::ValueError, "list.remove(x): x not in list"),
                }
            }
            (SeqIndex, [x, bounds @ ..]) => return index_of(&l.borrow(), x, bounds),
            (SeqCount, [x]) => {
                return Ok(Value::Int(l.borrow().iter().filter(|v| super::value::eq(v, x)).count() as i64))
            }
            (ListReverse, []) => l.borrow_mut().reverse(),
            (Clear, []) => l.borrow_mut().clear(),
            (Copy, []) => {
                self.made(l.borrow().len())?;
                return Ok(Value::list(l.borrow().clone()));
            }
            _ => return arity(b, "other arguments"),
        }
        Ok(Value::None)
    }

    fn dict_method(&self, b: B, d: &Rc<super::value::Cells<Dict>>, args: Vec<Value>, kwargs: Kwargs) -> Res {
        use B::*;
        if b == Copy {
            self.made(d.borrow().len())?;
        }
        match (b, &args[..]) {
            (DictGet, [k]) => Ok(d.borrow().get(&self.key(k)?).cloned().unwrap_or(Value::None)),
            (DictGet, [k, default]) => Ok(d.borrow().get(&self.key(k)?).cloned().unwrap_or_else(|| default.clone())),
            (DictKeys | DictValues | DictItems, []) => {
                let view = match b {
                    DictKeys => View::Keys,
                    DictValues => View::Values,
                    _ => View::Items,
                };
                Ok(Value::Obj(Rc::new(Obj::DictView(view, Value::Dict(d.clone())))))
            }
            (DictPop, [k, rest @ ..]) => match (d.borrow_mut().remove(&self.key(k)?), rest.first()) {
                (Some((_, v)), _) => Ok(v),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(self.key_error(k)),
            },
            (DictSetdefault, [k, rest @ ..]) => {
                let h = self.key(k)?;
                if let Some(v) = d.borrow().get(&h) {
                    return Ok(v.clone());
                }
                let v = rest.first().cloned().unwrap_or(Value::None);
                self.alloc(1)?;
                d.borrow_mut().insert(h, k.clone(), v.clone());
                Ok(v)
            }
            (DictUpdate, _) => {
                let other = self.dict_new(args, kwargs)?;
                if let Value::Dict(o) = other {
                    let o = o.borrow();
                    let mut d = d.borrow_mut();
                    for (k, v) in o.iter() {
                        d.insert(self.key(k)?, k.clone(), v.clone());
                    }
                }
                Ok(Value::None)
            }
            (Clear, []) => {
                d.borrow_mut().clear();
                Ok(Value::None)
            }
            (Copy, []) => Ok(Value::dict(d.borrow().clone())),
            (DictPopitem, []) => match d.borrow_mut().pop_last() {
                Some((k, v)) => Ok(Value::tuple(vec![k, v])),
                None => raise(E::KeyError, "popitem(): dictionary is empty"),
            },
            (DictFromkeys, _) => self.dict_fromkeys(&args),
            _ => arity(b, "other arguments"),
        }
    }

    fn set_method(&self, b: B, d: &Rc<super::value::Cells<Dict>>, args: Vec<Value>) -> Res {
        use B::*;
        match (b, &args[..]) {
            (SetAdd, [x]) => {
                self.alloc(1)?;
                d.borrow_mut().insert(self.key(x)?, x.clone(), Value::None);
            }
            (SetDiscard, [x]) => {
                d.borrow_mut().remove(&self.key(x)?);
            }
            (SetRemove, [x]) => {
                if d.borrow_mut().remove(&self.key(x)?).is_none() {
                    return Err(self.key_error(x));
                }
            }
            (SetPop, []) => {
                let popped = d.borrow_mut().pop_element();
                let Some((v, looked)) = popped else { return raise(E::KeyError, "pop from an empty set") };
                self.work(looked)?;
                return Ok(v);
            }
            (Clear, []) => d.borrow_mut().clear(),
            (Copy, []) => {
                self.made(d.borrow().len())?;
                return Ok(Value::set(d.borrow().set_copy()));
            }
            (SetIsdisjoint, [other]) => {
                let other = self.iterate(other)?.iter().map(|x| self.key(x)).collect::<Result<Vec<_>, _>>()?;
                self.work(other.len())?;
                let d = d.borrow();
                let none = other.iter().all(|h| !d.contains(h));
                return Ok(Value::Bool(none));
            }
            (SetIssubset, [other]) => {
                let other = self.iterate(other)?.iter().map(|x| self.key(x)).collect::<Result<Vec<_>, _>>()?;
                self.work(other.len() + d.borrow().len())?;
                let other: rustc_hash::FxHashSet<_> = other.into_iter().collect();
                let all = d.borrow().iter().all(|(k, _)| k.hkey().is_ok_and(|h| other.contains(&h)));
                return Ok(Value::Bool(all));
            }
            (SetUpdate, others) => self.set_in_place(super::sets::InPlace::Update, d, others)?,
            (SetUnion | SetIntersection | SetDifference, others) => return self.set_method_new(b, d, others),
            _ => return arity(b, "other arguments"),
        }
        Ok(Value::None)
    }
}

/// `zip(..., strict=True)` of iterables of these lengths: CPython's ValueError naming the first
/// that ran out before the others (`shorter`) or, when the first did, the first that had more.
fn zip_strict(lens: &[usize]) -> Result<(), Flow> {
    let n = lens.iter().copied().min().unwrap_or(0);
    let first_out = lens.iter().position(|&l| l == n).unwrap_or(0);
    let (i, what) = match first_out {
        0 => match lens.iter().position(|&l| l > n) {
            Some(i) => (i, "longer"),
            None => return Ok(()),
        },
        i => (i, "shorter"),
    };
    let before = if i == 1 { "argument 1".to_owned() } else { format!("arguments 1-{i}") };
    raise(E::ValueError, format!("zip() argument {} is {what} than {before}", i + 1))
}

/// `pow(x, y, m)` of ints: `x ** y % m`, with the sign of `m` as `%` gives it (a negative `y`,
/// CPython's modular inverse, is not in awaitlab's subset).
fn pow_mod(x: &Value, y: &Value, m: &Value) -> Res {
    let (Some(x), Some(y), Some(m)) = (ops::as_int(x), ops::as_int(y), ops::as_int(m)) else {
        return raise(E::TypeError, "pow() 3rd argument not allowed unless all arguments are integers");
    };
    if m == 0 {
        return raise(E::ValueError, "pow() 3rd argument cannot be 0");
    }
    if y < 0 {
        return raise(E::ValueError, "pow() with a negative exponent and a modulus (not in awaitlab's subset)");
    }
    let m = i128::from(m);
    let (mut base, mut exp, mut out) = (i128::from(x).rem_euclid(m), y, 1i128.rem_euclid(m));
    while exp > 0 {
        if exp & 1 == 1 {
            out = (out * base).rem_euclid(m);
        }
        base = (base * base).rem_euclid(m);
        exp >>= 1;
    }
    // `rem_euclid` is never negative; Python's `%` takes the sign of the modulus.
    let out = if m < 0 && out != 0 { out + m } else { out };
    Ok(Value::Int(out as i64))
}

/// The digits of `int(s, base)` for `i64::from_str_radix`, and their radix: without the
/// underscores, and without the `0x`/`0o`/`0b` prefix its base allows (base 0: the prefix says
/// which, as in a literal; none is 10). None where CPython refuses the text's form (`1__0`,
/// `_1`, `0x__f`, `010` in base 0); the digits themselves are the radix parse's to check.
fn int_digits(s: &str, base: u32) -> Option<(String, u32)> {
    let t = s.trim();
    let (sign, digits) = match t.strip_prefix(['+', '-']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    let prefixed = |p: &str| digits.get(..2).is_some_and(|d| d.eq_ignore_ascii_case(p));
    let radix = match base {
        0 if prefixed("0x") => 16,
        0 if prefixed("0o") => 8,
        0 if prefixed("0b") => 2,
        0 => 10,
        b => b,
    };
    let prefix = match radix {
        16 => "0x",
        8 => "0o",
        2 => "0b",
        _ => "",
    };
    // One underscore may follow the prefix (`0x_ff`); the others only stand between digits.
    let body = match digits.get(2..) {
        Some(rest) if !prefix.is_empty() && prefixed(prefix) => rest.strip_prefix('_').unwrap_or(rest),
        _ => digits,
    };
    // A sign may only come before the prefix: `0x-1` is refused, as CPython refuses it.
    let misplaced = |c: char| body.starts_with(c) || body.ends_with(c);
    if body.is_empty() || misplaced('_') || body.contains("__") || body.starts_with(['+', '-']) {
        return None;
    }
    let plain = body.replace('_', "");
    // Base 0 reads a literal: a decimal with a leading zero (`010`) is not one.
    if base == 0 && radix == 10 && plain.starts_with('0') && plain.bytes().any(|c| c != b'0') {
        return None;
    }
    Some((format!("{sign}{plain}"), radix))
}

/// `seq.index(x, start, end)`: the first `x` in `seq[start:end]`, as an index of `seq`.
fn index_of(items: &[Value], x: &Value, bounds: &[Value]) -> Res {
    let (start, end) = window_of(items.len(), bounds)?;
    let window = items.get(start..end.max(start)).unwrap_or_default();
    match window.iter().position(|v| super::value::eq(v, x)) {
        Some(i) => Ok(Value::Int((start + i) as i64)),
        None => raise(E::ValueError, format!("{} is not in list", fmt::repr(x))),
    }
}

impl Interp<'_> {
    /// A list's or tuple's `count`, `index` or `remove` of `args[0]` among `items`, compared
    /// with the reader's `__eq__` (each item first by identity, as CPython's list does).
    fn search_with_eq(&self, b: B, recv: &Value, items: &[Value], args: &[Value], f: &Frame) -> Res {
        let x = &args[0];
        let mut same = Vec::with_capacity(items.len());
        for v in items {
            same.push(v.is(x) || self.equal_now(v, x, f)?);
        }
        match b {
            B::SeqCount => Ok(Value::Int(same.iter().filter(|s| **s).count() as i64)),
            B::SeqIndex => {
                let (start, end) = window_of(items.len(), &args[1..])?;
                match same.get(start..end.max(start)).and_then(|w| w.iter().position(|s| *s)) {
                    Some(i) => Ok(Value::Int((start + i) as i64)),
                    None => raise(E::ValueError, format!("{} is not in list", fmt::repr(x))),
                }
            }
            _ => match (recv, same.iter().position(|s| *s)) {
                (Value::List(l), Some(i)) => {
                    l.borrow_mut().remove(i);
                    Ok(Value::None)
                }
                _ => raise(E::ValueError, "list.remove(x): x not in list"),
            },
        }
    }
}

/// `index`'s `start` and `end` over `len` items, as slice bounds.
fn window_of(len: usize, bounds: &[Value]) -> Result<(usize, usize), Flow> {
    let len = len as i64;
    let at = |i: usize, default: i64| -> Result<usize, Flow> {
        let Some(v) = bounds.get(i) else { return Ok(default as usize) };
        let v = ops::as_int(v)
            .ok_or(())
            .or_else(|()| raise(E::TypeError, "slice indices must be integers or have an __index__ method"))?;
        Ok((if v < 0 { v + len } else { v }).clamp(0, len) as usize)
    };
    Ok((at(0, 0)?, at(1, len)?))
}

/// `text` without the underscores that group its digits (`1_000.5`), or `None` if one is not
/// between two digits, as Python's number syntax allows them.
fn without_digit_underscores(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains('_') {
        return Some(text.into());
    }
    let b = text.as_bytes();
    let between_digits = |i: usize| i > 0 && i + 1 < b.len() && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit();
    (0..b.len()).filter(|&i| b[i] == b'_').all(between_digits).then(|| text.replace('_', "").into())
}

/// `s.zfill(width)`, `s.ljust(width, fill)`, `s.rjust(...)`, `s.center(...)` as Python pads
/// (`zfill` after a leading sign; `center` puts the odd one on the left when `width` is odd).
fn pad(s: &str, width: usize, fill: char, b: B) -> String {
    let len = s.chars().count();
    if len >= width {
        return s.to_owned();
    }
    let margin = width - len;
    let left = match b {
        B::StrLjust => 0,
        B::StrCenter => margin / 2 + (margin & width & 1),
        _ => margin,
    };
    let fills = |n: usize| std::iter::repeat_n(fill, n).collect::<String>();
    let (sign, rest) = match s.chars().next() {
        Some(c @ ('+' | '-')) if b == B::StrZfill => (c.to_string(), &s[1..]),
        _ => (String::new(), s),
    };
    format!("{sign}{}{rest}{}", fills(left), fills(margin - left))
}

fn title(s: &str, every_word: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        // A word starts after any character that is not cased, a digit too (`'3rd'.title()` is
        // `'3Rd'`, as CPython's).
        start = every_word && !(c.is_lowercase() || c.is_uppercase());
    }
    out
}
