//! Values as text: `repr`, `str`, and f-string format specs (`:.2f`, `:>5`, `:,`).

use std::fmt::Write;

use super::value::Value;

/// Deepest nesting `repr` follows; deeper values print `...` (CPython raises RecursionError).
pub const MAX_REPR_DEPTH: u32 = 50;

/// `repr(v)`. A container already being shown further out prints as CPython's `[...]`; the text
/// stops growing past [`super::limits::MAX_STR_BYTES`] (a list holding itself twice, nested
/// again and again, doubles its repr at every level), which the interpreter's callers refuse.
pub fn repr(v: &Value) -> String {
    let mut writer = ReprWriter { out: String::new(), shown: Vec::new() };
    writer.value(v, 0);
    writer.out
}

/// What `repr` prints for a container met again inside its own repr (CPython's
/// `Py_ReprEnter`): `[...]` for a list, `{...}` for a dict; `None` for values that show no
/// other values or cannot hold themselves.
pub fn repr_again(v: &Value) -> Option<&'static str> {
    match v {
        Value::List(_) => Some("[...]"),
        Value::Dict(_) => Some("{...}"),
        Value::Tuple(_) => Some("(...)"),
        Value::Obj(o) if o.is_dict_view() => Some("..."),
        _ => None,
    }
}

/// `str(v)`.
pub fn to_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Instance(i) if i.class.lookup("__str__").is_none() && is_exception(v) => exc_str(v),
        _ => repr(v),
    }
}

fn is_exception(v: &Value) -> bool {
    matches!(v, Value::Instance(i) if i.attrs.borrow().contains_key("args"))
}

/// `str(exc)`: its one argument, or the tuple of its arguments, or nothing.
pub fn exc_str(v: &Value) -> String {
    let Value::Instance(i) = v else { return to_str(v) };
    let args = i.attrs.borrow().get("args").cloned();
    if let Some(Value::Tuple(excs)) = i.attrs.borrow().get("exceptions") {
        let msg = match &args {
            Some(Value::Tuple(t)) if !t.is_empty() => to_str(&t[0]),
            _ => String::new(),
        };
        let n = excs.len();
        return format!("{msg} ({n} sub-exception{})", if n == 1 { "" } else { "s" });
    }
    match args {
        // KeyError's message (a subclass's too) is its key's repr (`KeyError: 'k'`).
        Some(Value::Tuple(t)) if t.len() == 1 && i.class.derives_from_builtin("KeyError") => repr(&t[0]),
        Some(Value::Tuple(t)) if t.len() == 1 => to_str(&t[0]),
        Some(Value::Tuple(t)) if t.is_empty() => String::new(),
        Some(a) => repr(&a),
        None => String::new(),
    }
}

/// A repr being written: its text, and the identities of the containers it is inside.
struct ReprWriter {
    out: String,
    shown: Vec<usize>,
}

impl ReprWriter {
    fn seq(&mut self, items: &[Value], open: &str, close: &str, depth: u32) {
        self.out.push_str(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.value(item, depth + 1);
        }
        if open == "(" && items.len() == 1 {
            self.out.push(',');
        }
        self.out.push_str(close);
    }

    fn value(&mut self, v: &Value, depth: u32) {
        if self.out.len() > super::limits::MAX_STR_BYTES {
            return;
        }
        if depth > MAX_REPR_DEPTH {
            self.out.push_str("...");
            return;
        }
        let tracked = repr_again(v);
        if let Some(again) = tracked {
            if self.shown.contains(&v.identity()) {
                self.out.push_str(again);
                return;
            }
            self.shown.push(v.identity());
        }
        self.write(v, depth);
        if tracked.is_some() {
            self.shown.pop();
        }
    }

    fn write(&mut self, v: &Value, depth: u32) {
        match v {
            Value::List(l) => self.seq(&l.borrow(), "[", "]", depth),
            Value::Tuple(t) => self.seq(t, "(", ")", depth),
            Value::Dict(d) => {
                self.out.push('{');
                for (i, (k, v)) in d.borrow().iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.value(k, depth + 1);
                    self.out.push_str(": ");
                    self.value(v, depth + 1);
                }
                self.out.push('}');
            }
            // `dict_keys(['a', 'b'])`.
            Value::Obj(o) if o.is_dict_view() => {
                self.out.push_str(o.type_name());
                self.seq(&o.iter_values().unwrap_or_default(), "([", "])", depth);
            }
            Value::None => self.out.push_str("None"),
            Value::Bool(true) => self.out.push_str("True"),
            Value::Bool(false) => self.out.push_str("False"),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(f) => self.out.push_str(&float_repr(*f)),
            Value::Str(s) => str_repr(&mut self.out, s),
            Value::Set(d) => {
                let d = d.borrow();
                if d.is_empty() {
                    self.out.push_str("set()");
                } else {
                    self.seq(&d.keys(), "{", "}", depth);
                }
            }
            Value::Range(r) => {
                let _ = if r.2 == 1 {
                    write!(self.out, "range({}, {})", r.0, r.1)
                } else {
                    write!(self.out, "range({}, {}, {})", r.0, r.1, r.2)
                };
            }
            // CPython's, by `__qualname__`, less the address (`<function K.m at 0x…>`).
            Value::Func(f) => {
                let _ = write!(self.out, "<function {}>", f.qualname());
            }
            Value::Bound(b) => {
                let _ = write!(self.out, "<bound method {} of ", b.1.qualname());
                self.value(&b.0, depth + 1);
                self.out.push('>');
            }
            Value::Builtin(b) if b.is_type() => {
                let _ = write!(self.out, "<class '{}'>", b.name());
            }
            Value::Builtin(b) => {
                let _ = write!(self.out, "<built-in function {}>", b.name());
            }
            Value::Method(m) => match &m.0 {
                Value::Builtin(t) if t.is_type() => {
                    let _ = write!(self.out, "<method '{}' of '{}' objects>", m.1.name(), t.name());
                }
                recv => match builtin_receiver(recv) {
                    // CPython's `<built-in method append of list object at 0x…>`, without the
                    // address, as every repr here (`<function f>`, `<K object>`).
                    Some(_) if m.1 == super::builtins::B::ObjectInit => {
                        let _ = write!(self.out, "<method-wrapper '__init__' of {} object>", recv.type_name());
                    }
                    Some(of) => {
                        let _ = write!(self.out, "<built-in method {} of {of} object>", m.1.name());
                    }
                    None => {
                        let _ = write!(self.out, "<built-in method {}>", m.1.name());
                    }
                },
            },
            // The program's own classes live in `__main__`, as a script's do.
            Value::Class(c) if c.builtin => {
                let _ = write!(self.out, "<class '{}'>", c.name);
            }
            Value::Class(c) => {
                let _ = write!(self.out, "<class '__main__.{}'>", c.qualname);
            }
            Value::Instance(i) if is_exception(v) => {
                let _ = write!(self.out, "{}", i.class.name);
                match i.attrs.borrow().get("args") {
                    Some(Value::Tuple(t)) if t.len() == 1 => {
                        self.out.push('(');
                        self.value(&t[0], depth + 1);
                        self.out.push(')');
                    }
                    Some(Value::Tuple(t)) => self.seq(t, "(", ")", depth),
                    _ => self.out.push_str("()"),
                }
            }
            Value::Instance(i) => {
                let _ = write!(self.out, "<{} object>", i.class.name);
            }
            Value::Super(_) => self.out.push_str("<super>"),
            Value::Module(m) => {
                let _ = write!(self.out, "<module '{}'>", m.name());
            }
            Value::Coro(c) => {
                let _ = write!(self.out, "<coroutine object {}>", c.func.qualname());
            }
            Value::Task(t) => self.out.push_str(&t.repr()),
            Value::Obj(o) => match o.agen() {
                Some(g) => {
                    let _ = write!(self.out, "<async_generator object {}>", g.func.qualname());
                }
                None => match &**o {
                    super::native::Obj::Future(s) => self.out.push_str(&super::future::repr(s)),
                    _ => {
                        let _ = write!(self.out, "<{} object>", o.type_name());
                    }
                },
            },
        }
    }
}

/// The type a built-in method's receiver has in CPython, if that type is built in (C): `list`,
/// `_asyncio.Task`, an exception's class, a coroutine; `None` for asyncio's objects written in
/// Python (a Queue's `put` is a bound method there).
pub fn builtin_receiver(recv: &Value) -> Option<std::borrow::Cow<'static, str>> {
    use super::native::Obj;
    match recv {
        Value::Task(_) => Some("_asyncio.Task".into()),
        Value::Obj(o) => match &**o {
            Obj::AsyncGen(_) | Obj::AsCompleted(_) => Some(o.type_name().into()),
            Obj::Shield { .. } | Obj::Future(_) => Some("_asyncio.Future".into()),
            _ => None,
        },
        other => Some(other.type_name().to_string().into()),
    }
}

/// `reprlib.repr`'s limits (CPython's `reprlib.Repr()` defaults): levels of nesting shown, items
/// of a list, tuple or set, keys of a dict, characters of a str's repr, of an int's, of any
/// other repr.
const REPRLIB_LEVELS: u32 = 6;
const REPRLIB_ITEMS: usize = 6;
const REPRLIB_KEYS: usize = 4;
const REPRLIB_STR: usize = 30;
const REPRLIB_INT: usize = 40;
const REPRLIB_OTHER: usize = 30;

/// Python's `<` ordering of two values, `None` where they do not compare (`1` and `'a'`).
pub type Order<'o> = &'o dyn Fn(&Value, &Value) -> Option<std::cmp::Ordering>;

/// Python's `<` ordering of numbers, strings, and lists or tuples of them, without the
/// interpreter (no `__lt__` of the reader's): enough for `reprlib`'s sorting of a set's items
/// and a dict's keys where there is no interpreter at hand (a task's `result=` in its repr).
pub fn plain_order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    plain_order_at(a, b, 0)
}

fn plain_order_at(a: &Value, b: &Value, depth: u32) -> Option<std::cmp::Ordering> {
    let num = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    let seq = |x: &[Value], y: &[Value]| {
        for (p, q) in x.iter().zip(y) {
            if !super::value::eq(p, q) {
                return plain_order_at(p, q, depth + 1);
            }
        }
        Some(x.len().cmp(&y.len()))
    };
    match (a, b) {
        _ if depth > MAX_REPR_DEPTH => None,
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::List(x), Value::List(y)) => seq(&x.borrow(), &y.borrow()),
        (Value::Tuple(x), Value::Tuple(y)) => seq(x, y),
        _ => Some(num(a)?.partial_cmp(&num(b)?).unwrap_or(std::cmp::Ordering::Equal)),
    }
}

/// `reprlib.repr(v)`, as asyncio shows a callback's arguments in its logs: a repr kept short
/// (see the `REPRLIB_` limits), `...` where it was cut. A set's items and a dict's keys are shown
/// sorted by `order` if they all compare (`reprlib`'s `_possibly_sorted`), else as they are.
pub fn reprlib(v: &Value, order: Order) -> String {
    short_repr(v, REPRLIB_LEVELS, order)
}

/// `Repr.repr1`: by the value's type, `level` levels of nesting left to show.
fn short_repr(v: &Value, level: u32, order: Order) -> String {
    match v {
        Value::Str(s) => short_str(s),
        Value::Int(_) => cut_middle(repr(v), REPRLIB_INT),
        Value::List(l) => short_seq(&l.borrow(), level, ("[", "]"), false, order),
        Value::Tuple(t) => short_seq(t, level, ("(", ")"), true, order),
        Value::Set(d) if d.borrow().is_empty() => "set()".into(),
        Value::Set(d) => short_seq(&possibly_sorted(d.borrow().keys(), |v| v, order), level, ("{", "}"), false, order),
        Value::Dict(d) => short_dict(&d.borrow(), level, order),
        // `repr_instance`, for every other type (a float, a bool, an exception…).
        _ => cut_middle(repr(v), REPRLIB_OTHER),
    }
}

/// `Repr.repr_str`: the repr of its first 30 characters; if that is longer than 30, the repr of
/// its first 13 and last 14 characters, cut to its first 13 and last 14 around `...`.
fn short_str(s: &str) -> String {
    // Read through, never copied whole: the string may be 16 MiB.
    let head: String = s.chars().take(REPRLIB_STR).collect();
    let shown = repr(&Value::Str(head.as_str().into()));
    if shown.chars().count() <= REPRLIB_STR {
        return shown;
    }
    let (i, j) = cut_lengths(REPRLIB_STR);
    // `x[len(x)-j:]`: a negative start counts from the end again, as Python's slice does.
    let n = s.chars().count() as i64;
    let mut tail_start = n - j as i64;
    if tail_start < 0 {
        tail_start = (tail_start + n).max(0);
    }
    let kept: String = s.chars().take(i).chain(s.chars().skip(tail_start as usize)).collect();
    cut_around(&repr(&Value::Str(kept.as_str().into())).chars().collect::<Vec<_>>(), i, j)
}

/// `reprlib`'s cut of a repr longer than `max` characters, keeping its ends around `...`.
fn cut_middle(s: String, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max {
        return s;
    }
    let (i, j) = cut_lengths(max);
    cut_around(&chars, i, j)
}

/// `s[:i] + '...' + s[len(s)-j:]`, for `s` longer than `i + j` characters.
fn cut_around(chars: &[char], i: usize, j: usize) -> String {
    let mut out: String = chars[..i.min(chars.len())].iter().collect();
    out.push_str("...");
    out.extend(&chars[chars.len().saturating_sub(j)..]);
    out
}

/// How many characters `reprlib` keeps before and after its `...` to fit `max`.
fn cut_lengths(max: usize) -> (usize, usize) {
    let i = max.saturating_sub(3) / 2;
    (i, max.saturating_sub(3 + i))
}

/// `Repr._repr_iterable`: the first items, `...` for the rest, `...` alone past the last level;
/// a tuple of one keeps its `,`.
fn short_seq(items: &[Value], level: u32, (open, close): (&str, &str), tuple: bool, order: Order) -> String {
    if level == 0 && !items.is_empty() {
        return format!("{open}...{close}");
    }
    let mut pieces: Vec<String> = items.iter().take(REPRLIB_ITEMS).map(|x| short_repr(x, level - 1, order)).collect();
    if items.len() > REPRLIB_ITEMS {
        pieces.push("...".into());
    }
    let trail = if tuple && items.len() == 1 { "," } else { "" };
    format!("{open}{}{trail}{close}", pieces.join(", "))
}

/// `Repr.repr_dict`: its first keys (sorted if they compare) with their values.
fn short_dict(d: &super::value::Dict, level: u32, order: Order) -> String {
    if d.is_empty() {
        return "{}".into();
    }
    if level == 0 {
        return "{...}".into();
    }
    let entries = possibly_sorted(d.iter().cloned().collect(), |(k, _)| k, order);
    let mut pieces: Vec<String> = entries
        .iter()
        .take(REPRLIB_KEYS)
        .map(|(k, v)| format!("{}: {}", short_repr(k, level - 1, order), short_repr(v, level - 1, order)))
        .collect();
    if entries.len() > REPRLIB_KEYS {
        pieces.push("...".into());
    }
    format!("{{{}}}", pieces.join(", "))
}

/// `reprlib`'s `_possibly_sorted`: `items` sorted by `key`, or as they are if two keys do not
/// compare (sorted through `<` alone, so a NaN cannot make it panic: [`super::sort`]).
fn possibly_sorted<T: Clone>(items: Vec<T>, key: fn(&T) -> &Value, order: Order) -> Vec<T> {
    let lt = &mut |a: &T, b: &T| order(key(a), key(b)).map(|o| o == std::cmp::Ordering::Less).ok_or(());
    super::sort::sort_by_lt(items.clone(), false, lt).unwrap_or(items)
}

/// A string's repr: single quotes unless it holds one and no double quote, as Python chooses.
fn str_repr(out: &mut String, s: &str) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// A float as Python's `repr` writes it: the shortest text that reads back to it, in positional
/// notation from 1e-4 to 1e16 and in scientific notation outside.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sci = shortest_nearest(f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = mantissa.strip_prefix('-').map_or((false, mantissa), |m| (true, m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..point as usize]);
            out.push('.');
            out.push_str(&digits[point as usize..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// `f` as `d.ddddde±x`: the fewest digits that read back to `f` and, of those, the ones nearest
/// its exact binary value, ties to even, as CPython's `repr` (David Gay's correctly rounded
/// shortest mode). Rust's `{:e}` finds how few digits suffice but may not pick the nearest such:
/// 1e15 + 0.3, exactly …0.25, is `1.0000000000000003e15` there and `…2e15` in CPython.
fn shortest_nearest(f: f64) -> String {
    let shortest = format!("{f:e}");
    let mantissa = shortest.split('e').next().unwrap_or("");
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    // Rounded exactly to as many digits (Rust's `{:.N}` ties to even); near a power of two the
    // nearest may fall outside the round-trip interval, whose lower half is narrower: then
    // `{:e}`'s own digits, the only ones that round-trip.
    let nearest = format!("{f:.*e}", digits.saturating_sub(1));
    if nearest.parse::<f64>() == Ok(f) {
        nearest
    } else {
        shortest
    }
}

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Default)]
struct Spec {
    fill: char,
    align: Option<char>,
    sign: Option<char>,
    /// `#`: `0x`, `0o`, `0b` before an integer's digits.
    alternate: bool,
    width: usize,
    group: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

/// Largest width or precision a format spec may give (a width of a billion would otherwise
/// allocate it): past it, a ValueError says so rather than a shorter text.
pub const MAX_WIDTH: usize = 10_000;

/// A spec's width or precision, refused past [`MAX_WIDTH`].
pub fn spec_count(digits: &str) -> Result<usize, String> {
    match digits.parse::<usize>() {
        Ok(n) if n <= MAX_WIDTH => Ok(n),
        _ if digits.is_empty() => Ok(0),
        _ => Err(format!("a width or precision over {MAX_WIDTH} is not in awaitlab's subset")),
    }
}

fn parse_spec(spec: &str) -> Result<Spec, String> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec { fill: ' ', ..Spec::default() };
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = chars[0];
        s.align = Some(chars[1]);
        i = 2;
    } else if chars.first().is_some_and(|&c| is_align(c)) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c) = chars.get(i).filter(|c| matches!(c, '+' | '-' | ' ')) {
        s.sign = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        s.alternate = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if s.align.is_none() {
            s.fill = '0';
            s.align = Some('=');
        }
        i += 1;
    }
    let start = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    s.width = spec_count(&chars[start..i].iter().collect::<String>())?;
    if let Some(&c) = chars.get(i).filter(|c| matches!(c, ',' | '_')) {
        s.group = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
        s.precision = Some(spec_count(&chars[start..i].iter().collect::<String>())?);
    }
    if let Some(&c) = chars.get(i) {
        s.kind = Some(c);
        i += 1;
    }
    if i != chars.len() {
        return Err(format!("Invalid format specifier '{spec}'"));
    }
    Ok(s)
}

/// `format(v, spec)`, as an f-string's `{v:spec}` applies it.
pub fn format_value(v: &Value, spec: &str) -> Result<String, String> {
    if spec.is_empty() {
        return Ok(to_str(v));
    }
    let s = parse_spec(spec)?;
    let (body, numeric) = match v {
        Value::Int(_) | Value::Bool(_) | Value::Float(_) => (format_number(v, &s)?, true),
        Value::Str(text) => {
            if s.kind.is_some_and(|k| k != 's') {
                return Err(format!("Unknown format code '{}' for object of type 'str'", s.kind.unwrap_or('s')));
            }
            let text: String = match s.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text.to_string(),
            };
            (text, false)
        }
        other => (to_str(other), false),
    };
    Ok(pad(body, &s, numeric))
}

fn format_number(v: &Value, s: &Spec) -> Result<String, String> {
    let f = match v {
        Value::Int(i) => *i as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Float(f) => *f,
        _ => 0.0,
    };
    let int = match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    };
    // -0.0 keeps its sign (`f'{-0.0:.1f}'` is `-0.0`); a NaN has none.
    let neg = match int {
        Some(i) => i < 0,
        None => f.is_sign_negative() && !f.is_nan(),
    };
    let abs = f.abs();
    let float_kind = s.kind.is_none_or(|k| "fFeEgG%".contains(k));
    let mut digits = match (s.kind, int) {
        // inf and nan as CPython writes them in every float presentation (upper case for F, E, G).
        (kind, None) if !f.is_finite() && float_kind => {
            let text = if f.is_nan() { "nan" } else { "inf" };
            let text = if matches!(kind, Some('F' | 'E' | 'G')) { text.to_uppercase() } else { text.to_string() };
            if kind == Some('%') {
                text + "%"
            } else {
                text
            }
        }
        (None | Some('d'), Some(i)) => i.unsigned_abs().to_string(),
        (Some('d'), None) => return Err("Unknown format code 'd' for object of type 'float'".into()),
        (Some('f' | 'F'), _) => format!("{:.*}", s.precision.unwrap_or(6), abs),
        (Some('e' | 'E'), _) => sci(abs, s.precision.unwrap_or(6), s.kind == Some('E')),
        (Some('%'), _) => format!("{:.*}%", s.precision.unwrap_or(6), abs * 100.0),
        (Some('g' | 'G'), _) => general(abs, s.precision.unwrap_or(6).max(1), s.kind == Some('G')),
        (None, _) => match s.precision {
            // No type but a precision: `g`, with at least one digit after a fixed point, and an
            // exponent one digit sooner (`f'{123.456:.3}'` is `1.23e+02`: Python's docs).
            Some(p) => {
                let g = general_from(abs, p.max(1), false, p.max(1) as i32 - 1);
                if g.contains(['.', 'e', 'n', 'i']) {
                    g
                } else {
                    g + ".0"
                }
            }
            None => float_repr(abs),
        },
        (Some('x'), Some(i)) => format!("{:x}", i.unsigned_abs()),
        (Some('X'), Some(i)) => format!("{:X}", i.unsigned_abs()),
        (Some('b'), Some(i)) => format!("{:b}", i.unsigned_abs()),
        (Some('o'), Some(i)) => format!("{:o}", i.unsigned_abs()),
        // The character of that code point (`f'{66:c}'` is `B`), with CPython's refusals.
        (Some('c'), Some(i)) => {
            match (s.sign, s.alternate, s.group, s.precision) {
                (Some(_), ..) => return Err("Sign not allowed with integer format specifier 'c'".into()),
                (_, true, ..) => return Err("Alternate form (#) not allowed with integer format specifier 'c'".into()),
                (_, _, Some(g), _) => return Err(format!("Cannot specify '{g}' with 'c'.")),
                (.., Some(_)) => return Err("Precision not allowed in integer format specifier".into()),
                _ => {}
            }
            match u32::try_from(i).ok().filter(|&c| c < 0x11_0000) {
                Some(c) => match char::from_u32(c) {
                    Some(c) => c.to_string(),
                    None => return Err(format!("a lone surrogate (U+{c:04X}) is not supported here")),
                },
                None => return Err("%c arg not in range(0x110000)".into()),
            }
        }
        (Some(k), _) => return Err(format!("Unknown format code '{k}' for object of type '{}'", v.type_name())),
    };
    if let Some(sep) = s.group {
        digits = group(&digits, sep);
    }
    let sign = match (neg, s.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    };
    let prefix = match s.kind {
        Some(k @ ('x' | 'X' | 'b' | 'o')) if s.alternate && int.is_some() => format!("0{k}"),
        _ => String::new(),
    };
    Ok(format!("{sign}{prefix}{digits}"))
}

fn sci(f: f64, precision: usize, upper: bool) -> String {
    let text = format!("{f:.precision$e}");
    let (m, e) = text.split_once('e').unwrap_or((&text, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let out = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

/// `:.Ng`: N significant digits, trailing zeros dropped; scientific when the exponent (of the
/// number rounded to N digits, as Python decides) is below -4 or at least N.
fn general(f: f64, precision: usize, upper: bool) -> String {
    general_from(f, precision, upper, precision as i32)
}

/// [`general`], written with an exponent from `exp_from` digits before the point on.
fn general_from(f: f64, precision: usize, upper: bool, exp_from: i32) -> String {
    // A zero's exponent is 0.
    if f == 0.0 {
        return if exp_from > 0 { "0".into() } else { format!("0{}+00", if upper { 'E' } else { 'e' }) };
    }
    if !f.is_finite() {
        let text = if f.is_nan() { "nan" } else { "inf" };
        return if upper { text.to_uppercase() } else { text.into() };
    }
    let text = sci(f, precision - 1, upper);
    let (m, e) = text.split_once(['e', 'E']).unwrap_or((&text, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let trim =
        |t: &str| if t.contains('.') { t.trim_end_matches('0').trim_end_matches('.').to_owned() } else { t.to_owned() };
    if exp < -4 || exp >= exp_from {
        format!("{}{}{}", trim(m), if upper { 'E' } else { 'e' }, &text[m.len() + 1..])
    } else {
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        trim(&format!("{f:.decimals$}"))
    }
}

/// Thousands separators in the integer part of `digits`.
fn group(digits: &str, sep: char) -> String {
    let (int, rest) = match digits.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => digits.split_at(i),
        None => (digits, ""),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out.push_str(rest);
    out
}

fn pad(body: String, s: &Spec, numeric: bool) -> String {
    let len = body.chars().count();
    if len >= s.width {
        return body;
    }
    let fill = s.width - len;
    let align = s.align.unwrap_or(if numeric { '>' } else { '<' });
    let fills = |n: usize| std::iter::repeat_n(s.fill, n).collect::<String>();
    match align {
        '<' => body + &fills(fill),
        '^' => fills(fill / 2) + &body + &fills(fill - fill / 2),
        '=' => {
            // Padding goes after the sign and an alternate form's `0x`.
            let sign = usize::from(body.starts_with(['-', '+', ' ']));
            let prefix =
                if body[sign..].starts_with(['0']) && body[sign..].chars().nth(1).is_some_and(|c| "xXbo".contains(c)) {
                    2
                } else {
                    0
                };
            let (head, rest) = body.split_at(sign + prefix);
            head.to_owned() + &fills(fill) + rest
        }
        _ => fills(fill) + &body,
    }
}

/// Shortens `text` to about `max` characters, keeping its start and marking the cut with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A URL for a label or a span: `…/` and its last path segment with its query, or the URL
/// shortened.
pub fn short_url(url: &str) -> String {
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let path = url[..path_end].trim_end_matches('/');
    match path.rfind('/') {
        Some(i) if i + 1 < path.len() => shorten(&format!("…/{}", &url[i + 1..]), 40),
        _ => shorten(url, 40),
    }
}
