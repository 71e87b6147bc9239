//! An uncaught exception's traceback as CPython prints it: its frames, the exceptions it chains
//! to, and an exception group's sub-exceptions.

use std::rc::Rc;

use super::{Exc, Interp, TaskObj, Value, E};
use crate::core::event::Kind;

/// Sub-exceptions an uncaught group's traceback shows, as CPython's does (then `... and 5
/// more exceptions`).
const MAX_SUB_EXCEPTIONS_SHOWN: usize = 15;
/// Lines an uncaught group's sub-exceptions take at most, nested groups included (within
/// `limits::EVENTS_RESERVED`).
const MAX_SUB_EXCEPTION_LINES: usize = 300;

impl<'a> Interp<'a> {
    /// The traceback of an uncaught exception, as `Print` marks on the task's lane.
    pub fn print_traceback(&self, task: &TaskObj, exc: &Exc) {
        let mut room = Room { subs: MAX_SUB_EXCEPTION_LINES, chain: MAX_CHAIN_LINES };
        let line = exc.trace.first().map_or(0, |t| t.1);
        // It was raised: its title even without a frame of the reader's (a callback of a
        // built-in's, `int('x')`, as CPython's traceback shows only asyncio's frames).
        self.print_chained(task, &exc.value, Some(&exc.trace), 1, line, &mut room);
    }

    /// An exception as a traceback shows it (a group's sub-exceptions at `depth` 2 and more,
    /// after a margin): the exceptions it chains to (its `__cause__` or `__context__`) first,
    /// oldest first, each followed by CPython's line that says how the next one came of it, then
    /// its own (`trace` None for one never raised).
    fn print_chained(
        &self,
        task: &TaskObj,
        exc: &Value,
        trace: Option<&[(Rc<str>, u32)]>,
        depth: usize,
        line: u32,
        room: &mut Room,
    ) {
        let margin = margin(depth);
        for (earlier, link) in chain_of(exc, &mut room.chain).into_iter().rev() {
            let trace = traceback_of(&earlier);
            self.print_exception(task, &earlier, raised(&trace), depth, line, room);
            for text in ["", link, ""] {
                self.mark(task, Kind::Print, &format!("{margin}{text}"), line);
            }
        }
        self.print_exception(task, exc, trace, depth, line, room);
    }

    /// One exception of a traceback: its frames under CPython's title (`trace` None for one
    /// never raised: neither, as CPython's), its line, and a group's sub-exceptions.
    fn print_exception(
        &self,
        task: &TaskObj,
        exc: &Value,
        trace: Option<&[(Rc<str>, u32)]>,
        depth: usize,
        line: u32,
        room: &mut Room,
    ) {
        let margin = margin(depth);
        let line = trace.and_then(|t| t.first()).map_or(line, |t| t.1);
        if let Some(trace) = trace {
            self.mark(task, Kind::Print, &format!("{margin}{}", self.traceback_title(exc)), line);
            // CPython 3.12 prints a fold line (`[Previous line repeated 2 more times]`) in a
            // group without the `|` margin; it keeps the margin here, as the rest.
            for (text, l) in frame_lines(trace) {
                self.mark(task, Kind::Print, &format!("{margin}  {text}"), l);
            }
        }
        self.mark(task, Kind::Print, &format!("{margin}{}", self.traceback_line(exc)), line);
        if depth <= 4 {
            self.print_sub_exceptions(task, exc, line, depth, room);
        }
    }

    /// A traceback's first line: CPython's, which says when it is an exception group's.
    fn traceback_title(&self, exc: &Value) -> &'static str {
        if self.is_instance_of(exc, E::ExceptionGroup) {
            "Exception Group Traceback (most recent call last):"
        } else {
            "Traceback (most recent call last):"
        }
    }

    /// An exception group's sub-exceptions under its line, numbered as CPython's traceback
    /// numbers them (`+---- 1 ----`), each with the traceback it ended its task with (`line 6,
    /// in worker`), the exceptions it chains to, and its own line (`ValueError: bad 1`), nested
    /// groups indented under theirs: the group's own line says only how many there are.
    fn print_sub_exceptions(&self, task: &TaskObj, group: &Value, line: u32, depth: usize, room: &mut Room) {
        let subs = match group {
            Value::Instance(i) if i.class.is_sub(&self.classes.get(E::ExceptionGroup)) => {
                match i.attrs.borrow().get("exceptions") {
                    Some(Value::Tuple(t)) => t.iter().cloned().collect::<Vec<_>>(),
                    _ => return,
                }
            }
            _ => return,
        };
        let indent = "  ".repeat(depth);
        for (n, sub) in subs.iter().enumerate().take(MAX_SUB_EXCEPTIONS_SHOWN) {
            // Nested groups can multiply: the lines stay within what the event budget keeps back.
            let trace = traceback_of(sub);
            let traced = if trace.is_empty() { 0 } else { 1 + frame_lines(&trace).len() };
            let Some(left) = room.subs.checked_sub(2 + traced) else { return };
            room.subs = left;
            self.mark(task, Kind::Print, &format!("{indent}+---------------- {} ----------------", n + 1), line);
            self.print_chained(task, sub, raised(&trace), depth + 1, line, room);
        }
        if subs.len() > MAX_SUB_EXCEPTIONS_SHOWN && room.subs >= 2 {
            room.subs -= 2;
            let more = subs.len() - MAX_SUB_EXCEPTIONS_SHOWN;
            self.mark(task, Kind::Print, &format!("{indent}+---------------- ... ----------------"), line);
            self.mark(task, Kind::Print, &format!("{indent}| and {more} more exceptions"), line);
        }
    }
}

/// Lines the exceptions an uncaught one chains to take at most, their sub-exceptions apart
/// (within `limits::EVENTS_RESERVED`); the oldest are left out. A chain is as long as `except`
/// blocks nest, so a recursion's can be 100 exceptions (600 lines, as CPython prints them).
const MAX_CHAIN_LINES: usize = 1_000;

/// What is left of the lines a traceback may take besides the last exception's own.
struct Room {
    /// For a group's sub-exceptions, nested ones too.
    subs: usize,
    /// For the exceptions the last one and sub-exceptions chain to.
    chain: usize,
}

/// What a traceback's lines at `depth` start with: nothing for the last exception's (depth 1),
/// the `|` margin of a group's sub-exception's (`  | `, nested: `    | `).
fn margin(depth: usize) -> String {
    match depth {
        1 => String::new(),
        _ => format!("{}| ", "  ".repeat(depth - 1)),
    }
}

/// A kept traceback as a traceback prints it: an exception that never went through a frame of
/// the reader's (never raised, as far as its traceback can tell) has none.
fn raised(trace: &[(Rc<str>, u32)]) -> Option<&[(Rc<str>, u32)]> {
    (!trace.is_empty()).then_some(trace)
}

/// An exception's traceback as it was caught or ended its task (CPython's `__traceback__`).
fn traceback_of(exc: &Value) -> Vec<(Rc<str>, u32)> {
    match exc {
        Value::Instance(i) => i.traceback.borrow().clone(),
        _ => Vec::new(),
    }
}

/// What a traceback shows before `exc`'s own, newest first: its `__cause__`, else its
/// `__context__` unless `__suppress_context__`, then theirs, and so on, each once (CPython's
/// `TracebackException`), with the line that says how the one after it came of it; as many as
/// `room` lines show.
fn chain_of(exc: &Value, room: &mut usize) -> Vec<(Value, &'static str)> {
    let mut chain: Vec<(Value, &'static str)> = Vec::new();
    let mut at = exc.clone();
    while let Some((earlier, link)) = chained_to(&at) {
        if earlier.is(exc) || chain.iter().any(|(seen, _)| seen.is(&earlier)) {
            break;
        }
        let Some(left) = room.checked_sub(traceback_of(&earlier).len() + 5) else { break };
        *room = left;
        chain.push((earlier.clone(), link));
        at = earlier;
    }
    chain
}

/// The exception `exc`'s traceback shows before its own, and the line between them.
fn chained_to(exc: &Value) -> Option<(Value, &'static str)> {
    let Value::Instance(i) = exc else { return None };
    let attrs = i.attrs.borrow();
    let exception = |name: &str| attrs.get(name).filter(|v| matches!(v, Value::Instance(_))).cloned();
    if let Some(cause) = exception("__cause__") {
        return Some((cause, "The above exception was the direct cause of the following exception:"));
    }
    if attrs.get("__suppress_context__").is_some_and(Value::truthy) {
        return None;
    }
    let context = exception("__context__")?;
    Some((context, "During handling of the above exception, another exception occurred:"))
}

/// How many times in a row a traceback shows the same frame before it folds the rest into one
/// line (CPython's `traceback._RECURSIVE_CUTOFF`).
const RECURSIVE_CUTOFF: usize = 3;

/// A traceback's frame lines, outermost first, each with the line it names (`line 4, in down`),
/// a run of the same frame folded as CPython folds it: three shown, then `[Previous line
/// repeated 97 more times]` (a recursion's 100 frames were 100 lines).
fn frame_lines(trace: &[(Rc<str>, u32)]) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut frames = trace.iter().rev().peekable();
    while let Some((name, l)) = frames.next() {
        let mut count = 1;
        while frames.next_if(|next| next.0 == *name && next.1 == *l).is_some() {
            count += 1;
        }
        for _ in 0..count.min(RECURSIVE_CUTOFF) {
            out.push((format!("line {l}, in {name}"), *l));
        }
        if let Some(more) = count.checked_sub(RECURSIVE_CUTOFF).filter(|&n| n > 0) {
            let s = if more > 1 { "s" } else { "" };
            out.push((format!("[Previous line repeated {more} more time{s}]"), *l));
        }
    }
    out
}
