//! What each built-in function and method takes, checked in one place before it runs
//! ([`Interp::check_args`]): an argument it does not take raises a TypeError at the call, never
//! drops silently (`s.replace("l", "L", 2)` must not replace them all). A built-in [`sig`] does
//! not list takes nothing: a new one given an argument refuses it until its signature is written.
//!
//! A signature is a spec in Python's own notation, names separated by spaces: `sub start= end= /`
//! (`name=` is optional, `/` ends the positional-only ones, `*` starts the keyword-only ones,
//! `*a` takes any number of positional arguments, `**` any keyword). `!name` is one CPython takes
//! and awaitlab does not: given, it is refused as not in awaitlab's subset rather than with
//! CPython's "unexpected" message, as `**!` refuses any keyword not named.

use super::builtins::B;
use super::call::Kwargs;
use super::value::Value;
use super::{raise, Flow, Interp, E};

/// How CPython words its refusals for a built-in: C functions have three ways, by how they read
/// their arguments; functions written in Python have their own.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    /// Argument Clinic's (`str.upper() takes no arguments`, `strip expected at most 1 argument`,
    /// `split() takes at most 2 arguments`), told apart by the spec.
    C,
    /// `PyArg_ParseTuple`'s: `find() takes at most 3 arguments (4 given)`.
    Old,
    /// A Python function's: `sleep() got an unexpected keyword argument 'x'`.
    Py,
}

struct Sig {
    spec: &'static str,
    style: Style,
    /// The module a function's C refusals name (`math.sqrt()`), as a method's name its type.
    module: &'static str,
}

const fn c(spec: &'static str) -> Sig {
    Sig { spec, style: Style::C, module: "" }
}
const fn old(spec: &'static str) -> Sig {
    Sig { spec, style: Style::Old, module: "" }
}
const fn py(spec: &'static str) -> Sig {
    Sig { spec, style: Style::Py, module: "" }
}
const fn m(module: &'static str, spec: &'static str) -> Sig {
    Sig { spec, style: Style::C, module }
}
/// `random`'s functions: methods of a hidden `Random`, which their refusals name.
const fn random(spec: &'static str) -> Sig {
    Sig { spec, style: Style::Py, module: "Random" }
}

/// Anything: the built-ins that check their own arguments (`str.format`, `__init__`, `map`'s
/// iterables) or that the reader never calls by name.
const ANY: &str = "*a **";

/// What built-in `b` takes.
fn sig(b: B) -> Sig {
    use B::*;
    match b {
        Print => c("*a * sep= end= flush= !file"),
        Len | Abs | Repr | Chr | Ord | Callable | Id | Hash | Any | All | Hex | Oct | Bin | Reversed | Type | Aiter => {
            c("obj /")
        }
        Range => c("start stop= step= /"),
        Min | Max => c("*a * key= default="),
        Sum => c("iterable / start="),
        Round => c("number ndigits="),
        Sorted => c("iterable / * key= reverse="),
        Enumerate => c("iterable start="),
        Zip => c("*a * strict="),
        List | Tuple | Set | Float | Bool => c("x= /"),
        Dict => c("x= / **"),
        Str => c("object= !encoding !errors"),
        Int => c("x= / base="),
        Isinstance | Issubclass | Hasattr | Divmod | Filter => c("a b /"),
        Getattr => c("obj name default= /"),
        Setattr => c("obj name value /"),
        Map | ObjectInit | StrFormat | AnextDefault => c(ANY),
        ObjectInitSubclass => c(""),
        Dataclass => {
            py("cls= / * init= repr= eq= order= !frozen !unsafe_hash !match_args !kw_only !slots !weakref_slot")
        }
        DataclassWith => py("cls"),
        DataclassField => py("* default= default_factory= init= repr= compare= !hash !metadata !kw_only"),
        Asdict => py("obj * !dict_factory"),
        // `super(Class, self)` inside a method of `Class` is `super()`: taken, and the same.
        Super => c("type= obj= /"),
        Format => c("value spec= /"),
        Pow => c("base exp mod="),
        StaticMethod | ClassMethod | Property | PropertySetter => c("function /"),
        Anext => c("iterator default= /"),
        _ => sig_asyncio(b).or_else(|| sig_modules(b)).or_else(|| sig_methods(b)).unwrap_or_else(|| sig_objects(b)),
    }
}

fn sig_asyncio(b: B) -> Option<Sig> {
    use B::*;
    Some(match b {
        Run => py("main / * debug= !loop_factory"),
        FutureNew => py("* !loop"),
        LoopCreateFuture => py(""),
        FutSetResult | FutSetException | FutRemoveDoneCallback => c("x /"),
        Sleep => py("delay result="),
        Gather => py("*a * return_exceptions="),
        CreateTask | EnsureFuture | TgCreateTask => py("coro / * name= !context"),
        SemaphoreNew | BoundedSemaphoreNew => py("value="),
        LockNew | EventNew | TaskGroupNew | GetLoop => py(""),
        QueueNew | PriorityQueueNew | LifoQueueNew => py("maxsize="),
        ConditionNew => py("lock="),
        WaitFor => py("fut timeout"),
        Timeout => py("delay"),
        TimeoutAt => py("when"),
        Wait => py("fs / * timeout= return_when="),
        AsCompleted => py("fs * timeout="),
        CurrentTask | AllTasks => py("!loop"),
        Iscoroutine => py("obj"),
        Iscoroutinefunction => py("func"),
        Shield => py("arg"),
        _ => return None,
    })
}

fn sig_modules(b: B) -> Option<Sig> {
    use B::*;
    Some(match b {
        Random => random(""),
        Uniform | Randint => random("a b"),
        Choice => random("seq"),
        Shuffle => random("x"),
        Seed => random("a= !version"),
        Randrange => random("start stop= !step"),
        Sample => random("population k * !counts"),
        Time | PerfCounter | Monotonic => m("time", ""),
        TimeSleep => m("time", "secs /"),
        TimeNs | PerfCounterNs | MonotonicNs => m("time", ""),
        Strftime => m("time", "format !t /"),
        Dumps => {
            py("obj * indent= sort_keys= separators= ensure_ascii= !skipkeys !check_circular !allow_nan !cls !default")
        }
        Loads => py("s * !cls !object_hook !parse_float !parse_int !parse_constant !object_pairs_hook"),
        Sqrt | Floor | Ceil | Exp | Fabs => m("math", "x /"),
        Log => m("math", "x base= /"),
        MathPow => m("math", "x y /"),
        ClientSession => py("* timeout= **!"),
        ClientTimeout => py("total= !connect !sock_read !sock_connect !ceil_threshold"),
        TcpConnector => py("**!"),
        SessGet | SessPost => py("url * timeout= **!"),
        RespJson => py("* !encoding !loads !content_type"),
        RespText => py("!encoding"),
        _ => return None,
    })
}

fn sig_methods(b: B) -> Option<Sig> {
    use B::*;
    Some(match b {
        StrUpper | StrLower | StrTitle | StrCapitalize | StrIsdigit | StrIsdecimal | StrIsnumeric | StrIsalpha
        | StrIsalnum | StrIsupper | StrIslower | StrIsspace | StrSwapcase | StrCasefold => c(""),
        StrStrip | StrLstrip | StrRstrip => c("chars= /"),
        StrSplit | StrRsplit => c("sep= maxsplit="),
        StrJoin | StrZfill | StrPartition | StrRpartition | StrRemoveprefix | StrRemovesuffix => c("x /"),
        StrReplace => c("old new count= /"),
        StrStartswith | StrEndswith | StrFind | StrRfind | StrIndex | StrRindex | StrCount => old("sub start= end= /"),
        StrLjust | StrRjust | StrCenter => c("width fillchar= /"),
        StrSplitlines => c("keepends="),
        ListAppend | ListExtend | ListRemove | SeqCount | SetAdd | SetDiscard | SetRemove | SetIssubset
        | SetIsdisjoint => c("x /"),
        ListPop => c("index= /"),
        ListInsert => c("index object /"),
        SeqIndex => c("value start= end= /"),
        ListSort => c("* key= reverse="),
        ListReverse | Clear | Copy | DictKeys | DictValues | DictItems | DictPopitem | SetPop => c(""),
        DictGet | DictPop | DictSetdefault => c("key default= /"),
        DictUpdate => c("x= / **"),
        DictFromkeys => c("iterable value= /"),
        SetUpdate | SetUnion | SetIntersection | SetDifference => c("*a"),
        _ => return None,
    })
}

/// asyncio's and aiohttp's objects' methods, written in Python in CPython.
fn sig_objects(b: B) -> Sig {
    use B::*;
    match b {
        TaskCancel => py("msg="),
        TaskSetName => py("value"),
        TaskAddDoneCallback => py("fn * !context"),
        QPut | QPutNowait => py("item"),
        CallLater => py("delay callback *a * !context"),
        CallAt => py("when callback *a * !context"),
        CallSoon => py("callback *a * !context"),
        AgenAsend | AgenAthrow => c("value /"),
        CondWaitFor => py("predicate"),
        CondNotify => py("n="),
        TimeoutReschedule => py("when"),
        EgSplit | EgSubgroup => c("condition /"),
        EgDerive => c("excs /"),
        _ => py(""),
    }
}

/// A spec's names, read once per call (they are a few words).
struct Parsed<'s> {
    /// Positional parameters in order, `(name, required)`; `!name`s among them are refused.
    params: Vec<(&'s str, bool)>,
    /// How many of `params` are positional-only.
    pos_only: usize,
    /// The positional arguments awaitlab takes (the `!name`s come last).
    max: usize,
    /// How many positional parameters are required (they come first).
    required: usize,
    /// It takes any number of positional arguments (`*a`).
    star: bool,
    /// Keyword-only names.
    kw_only: Vec<&'s str>,
    /// `**` (any keyword taken) or `**!` (any other refused as not in the subset).
    any_kw: bool,
    more_kw_in_cpython: bool,
}

thread_local! {
    /// Each built-in's signature, parsed on its first call (indexed by `B as usize`).
    static PARSED: std::cell::RefCell<Vec<Option<std::rc::Rc<Parsed<'static>>>>> = Default::default();
}

/// `b`'s signature, parsed once: every call of a built-in is checked against it.
fn parsed(b: B, spec: &'static str) -> std::rc::Rc<Parsed<'static>> {
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let i = b as usize;
        if cache.len() <= i {
            cache.resize(i + 1, None);
        }
        cache[i].get_or_insert_with(|| std::rc::Rc::new(parse(spec))).clone()
    })
}

fn parse(spec: &str) -> Parsed<'_> {
    let mut p = Parsed {
        params: Vec::new(),
        pos_only: 0,
        max: 0,
        required: 0,
        star: false,
        kw_only: Vec::new(),
        any_kw: false,
        more_kw_in_cpython: false,
    };
    let mut keyword_only = false;
    for word in spec.split_whitespace() {
        match word {
            "/" => p.pos_only = p.params.len(),
            "*" => keyword_only = true,
            "*a" => (p.star, keyword_only) = (true, true),
            "**" => p.any_kw = true,
            "**!" => p.more_kw_in_cpython = true,
            w if keyword_only => p.kw_only.push(w.trim_end_matches('=')),
            w => p.params.push((w.trim_end_matches('='), !w.ends_with('=') && !w.starts_with('!'))),
        }
    }
    p.max = p.params.iter().filter(|(n, _)| !n.starts_with('!')).count();
    p.required = p.params.iter().filter(|(_, r)| *r).count();
    p
}

impl Parsed<'_> {
    fn takes_keywords(&self) -> bool {
        self.params.len() > self.pos_only || !self.kw_only.is_empty() || self.any_kw || self.more_kw_in_cpython
    }

    /// `k` is a `!name`: CPython's, not awaitlab's.
    fn refused(&self, k: &str) -> bool {
        self.kw_only.iter().chain(self.params.iter().map(|(n, _)| n)).any(|n| n.strip_prefix('!') == Some(k))
    }

    /// Where keyword `k` goes: a positional slot, or kept as a keyword.
    fn slot(&self, k: &str) -> Option<Result<usize, ()>> {
        if let Some(i) = self.params.iter().skip(self.pos_only).position(|(n, _)| *n == k) {
            return Some(Ok(i + self.pos_only));
        }
        self.kw_only.contains(&k).then_some(Err(()))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl<'a> Interp<'a> {
    /// Checks a call of built-in `b` (a method of `recv`) against what it takes, and moves the
    /// keywords that name positional parameters into their places (a gap before one is `None`:
    /// every such parameter's default is `None` or it is required), so that each built-in reads
    /// `split(",", maxsplit=1)` as `split(",", 1)`.
    pub fn check_args(
        &self,
        b: B,
        recv: Option<&Value>,
        args: &mut Vec<Value>,
        kwargs: &mut Kwargs,
    ) -> Result<(), Flow> {
        let sig = sig(b);
        let p = parsed(b, sig.spec);
        let n = args.len();
        // The common call (`l.append(x)` in a loop): what it takes, positionally. Nothing else is
        // looked at or allocated, so the check costs a built-in call next to nothing.
        if kwargs.is_empty() && (p.star || n <= p.max) && n >= p.required {
            return Ok(());
        }
        let name = b.name().trim_end();
        let qual = match (recv, sig.module) {
            (Some(r), _) => format!("{}.{name}", r.type_name()),
            (None, "") => name.to_owned(),
            (None, module) => format!("{module}.{name}"),
        };
        if !p.star && n > p.max {
            if let Some((param, _)) = p.params.get(p.max).filter(|_| n <= p.params.len()) {
                return not_here(&qual, &format!("argument '{}'", &param[1..]));
            }
            return raise(E::TypeError, too_many(&sig, &p, name, &qual, n));
        }
        // The positional slots keywords fill, by index (a built-in takes a few).
        let mut by_keyword = 0u64;
        for (k, v) in std::mem::take(kwargs) {
            match p.slot(&k) {
                Some(Ok(i)) if i < n => {
                    return raise(E::TypeError, twice(&sig, name, &k, i));
                }
                Some(Ok(i)) => {
                    if args.len() <= i {
                        args.resize(i + 1, Value::None);
                    }
                    args[i] = v;
                    by_keyword |= 1 << i.min(63);
                }
                Some(Err(())) => kwargs.push((k, v)),
                None if p.any_kw => kwargs.push((k, v)),
                None if p.more_kw_in_cpython || p.refused(&k) => {
                    return not_here(&qual, &format!("keyword argument '{k}'"));
                }
                None => return raise(E::TypeError, unexpected(&sig, &p, name, &qual, &k)),
            }
        }
        let missing: Vec<usize> = (n..p.required).filter(|&i| by_keyword & (1 << i.min(63)) == 0).collect();
        if !missing.is_empty() {
            return raise(E::TypeError, too_few(b, &sig, &p, name, &qual, n, &missing));
        }
        Ok(())
    }
}

/// CPython's words for `n` positional arguments where `b` needs more, the `missing` ones (by
/// index) given neither by position nor by name.
fn too_few(b: B, sig: &Sig, p: &Parsed, name: &str, qual: &str, n: usize, missing: &[usize]) -> String {
    let required = p.required;
    let first = missing[0];
    match sig.style {
        Style::Py => {
            let names: Vec<String> = missing.iter().map(|&i| format!("'{}'", p.params[i].0)).collect();
            let listed = match names.as_slice() {
                [one] => one.clone(),
                [a, b] => format!("{a} and {b}"),
                [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
                [] => String::new(),
            };
            let k = missing.len();
            format!("{qual}() missing {k} required positional argument{}: {listed}", plural(k))
        }
        Style::Old => format!("{name}() takes at least {required} argument{} ({n} given)", plural(required)),
        // C functions that read their arguments their own way.
        Style::C if b == B::Enumerate => format!("{name}() missing required argument '{}'", p.params[first].0),
        Style::C if b == B::Type => format!("{name}() takes 1 or 3 arguments"),
        Style::C if matches!(b, B::Sorted | B::Reversed | B::StaticMethod | B::ClassMethod) => {
            format!("{name} expected {required} argument{}, got {n}", plural(required))
        }
        Style::C if p.takes_keywords() && first < p.pos_only => {
            let at_least = if required < p.max || p.star { "at least " } else { "" };
            format!("{name}() takes {at_least}{required} positional argument{} ({n} given)", plural(required))
        }
        Style::C if p.takes_keywords() => {
            format!("{name}() missing required argument '{}' (pos {})", p.params[first].0, first + 1)
        }
        Style::C if p.max == 1 && required == 1 => format!("{qual}() takes exactly one argument ({n} given)"),
        Style::C => {
            let at_least = if required < p.max || p.star { "at least " } else { "" };
            format!("{name} expected {at_least}{required} argument{}, got {n}", plural(required))
        }
    }
}

fn not_here<T>(qual: &str, what: &str) -> Result<T, Flow> {
    raise(E::TypeError, format!("{qual}() does not take the {what} here (not in awaitlab's subset)"))
}

/// CPython's words for `n` positional arguments, more than `b` takes.
fn too_many(sig: &Sig, p: &Parsed, name: &str, qual: &str, n: usize) -> String {
    let max = p.max;
    let required = p.params.iter().filter(|(_, r)| *r).count();
    match sig.style {
        Style::Py if required == max => {
            format!("{name}() takes {max} positional argument{} but {n} were given", plural(max))
        }
        Style::Py => format!("{name}() takes from {required} to {max} positional arguments but {n} were given"),
        Style::Old => format!("{name}() takes at most {max} argument{} ({n} given)", plural(max)),
        Style::C if max == 0 && p.takes_keywords() => format!("{name}() takes no positional arguments"),
        Style::C if max == 0 => format!("{qual}() takes no arguments ({n} given)"),
        Style::C if p.takes_keywords() => format!("{name}() takes at most {max} argument{} ({n} given)", plural(max)),
        Style::C if max == 1 && required == 1 => format!("{qual}() takes exactly one argument ({n} given)"),
        Style::C => {
            let at_most = if required < max { "at most " } else { "" };
            format!("{name} expected {at_most}{max} argument{}, got {n}", plural(max))
        }
    }
}

fn unexpected(sig: &Sig, p: &Parsed, name: &str, qual: &str, k: &str) -> String {
    match sig.style {
        Style::Py => format!("{name}() got an unexpected keyword argument '{k}'"),
        _ if !p.takes_keywords() => format!("{qual}() takes no keyword arguments"),
        _ => format!("'{k}' is an invalid keyword argument for {name}()"),
    }
}

fn twice(sig: &Sig, name: &str, k: &str, i: usize) -> String {
    match sig.style {
        Style::Py => format!("{name}() got multiple values for argument '{k}'"),
        _ => format!("argument for {name}() given by name ('{k}') and position ({})", i + 1),
    }
}
