//! An uncaught exception's traceback as CPython prints it: its frames, the exceptions it chains
//! to, and an exception group's sub-exceptions.

use std::rc::Rc;

use super::{Exc, Interp, TaskObj, Value, E};
use crate::core::event::Kind;

/// Sub-exceptions a group's traceback shows, as CPython's does (then `and 5 more exceptions`):
/// its `max_group_width`.
const MAX_GROUP_WIDTH: usize = 15;
/// How deep in groups a traceback shows a group (CPython's `max_group_depth`): one deeper shows
/// as `... (max_group_depth is 10)`.
const MAX_GROUP_DEPTH: usize = 10;
/// Lines an uncaught group's sub-exceptions take at most, nested groups included (within
/// `limits::EVENTS_RESERVED`).
const MAX_SUB_EXCEPTION_LINES: usize = 300;

/// Which of CPython's printers prints a traceback, which decides one detail of its layout:
/// `sys.excepthook`'s, in C, for an uncaught exception, and the `traceback` module's, for what
/// asyncio logs (`Task exception was never retrieved`, `Exception in callback`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    Excepthook,
    Logging,
}

/// A traceback being printed (CPython's `_ExceptionPrintContext`).
struct Out<'t> {
    task: &'t Rc<TaskObj>,
    printer: Printer,
    /// CPython's `exception_group_depth`: 0 outside any group, 1 in the outermost group's own
    /// lines (after `  | `), 2 in its sub-exceptions' (after `    | `), and so on.
    depth: usize,
    /// Whether the sub-exception being printed, a group's last, still needs the closing
    /// `+-----` line: a nested group that ends it prints its own, and that is the only one.
    need_close: bool,
    room: Room,
    /// A traceback logged while the run goes on (`Printer::Logging`): each line is checked
    /// against the event budget as it is printed (the lines kept back at the end are for the
    /// main task's), and once one does not fit the run stops and the rest is left out.
    full: Option<std::cell::Cell<bool>>,
}

impl<'a> Interp<'a> {
    /// The traceback of an exception, as `Print` marks on the task's lane, laid out as
    /// `printer` lays it out.
    pub fn print_traceback(&self, task: &Rc<TaskObj>, exc: &Exc, printer: Printer) {
        let room = Room { subs: MAX_SUB_EXCEPTION_LINES, chain: MAX_CHAIN_LINES };
        let full = (printer == Printer::Logging).then(|| std::cell::Cell::new(false));
        let mut out = Out { task, printer, depth: 0, need_close: false, room, full };
        let line = exc.trace.first().map_or(0, |t| t.1);
        // It was raised: its title even without a frame of the reader's (a callback of a
        // built-in's, `int('x')`, as CPython's traceback shows only asyncio's frames).
        self.print_chained(&mut out, &exc.value, Some(&exc.trace), line);
    }

    /// An exception as a traceback shows it: the exceptions it chains to (its `__cause__` or
    /// `__context__`) first, oldest first, each followed by CPython's line that says how the
    /// next one came of it, then its own (`trace` None for one never raised).
    fn print_chained(&self, out: &mut Out, exc: &Value, trace: Option<&[(Rc<str>, u32)]>, line: u32) {
        for (earlier, link) in chain_of(exc, &mut out.room.chain).into_iter().rev() {
            let trace = traceback_of(&earlier);
            self.print_exception(out, &earlier, raised(&trace), line);
            for text in ["", link, ""] {
                self.emit(out, '|', text, line);
            }
        }
        self.print_exception(out, exc, trace, line);
    }

    /// One exception of a traceback: its frames under CPython's title (`trace` None for one
    /// never raised: neither, as CPython's) and its line; a group's sub-exceptions under it.
    fn print_exception(&self, out: &mut Out, exc: &Value, trace: Option<&[(Rc<str>, u32)]>, line: u32) {
        let line = trace.and_then(|t| t.first()).map_or(line, |t| t.1);
        let Some(subs) = self.sub_exceptions(exc) else {
            if let Some(trace) = trace {
                self.emit(out, '|', "Traceback (most recent call last):", line);
                self.print_frames(out, trace);
            }
            self.emit(out, '|', &self.traceback_line(exc, out.task), line);
            return;
        };
        if out.depth > MAX_GROUP_DEPTH {
            self.emit(out, '|', &format!("... (max_group_depth is {MAX_GROUP_DEPTH})"), line);
            return;
        }
        // The outermost group's own lines are in the margin too, its title after a `+`.
        let outermost = out.depth == 0;
        if outermost {
            out.depth = 1;
        }
        if let Some(trace) = trace {
            let margin = if outermost { '+' } else { '|' };
            self.emit(out, margin, "Exception Group Traceback (most recent call last):", line);
            self.print_frames(out, trace);
        }
        self.emit(out, '|', &self.traceback_line(exc, out.task), line);
        self.print_sub_exceptions(out, &subs, line);
        if outermost {
            out.depth = 0;
        }
    }

    /// A group's sub-exceptions under its line, as CPython's traceback numbers them: `+-+---- 1
    /// ----` before the first, `  +---- 2 ----` before the next, `+---- ... ----` and `and 2
    /// more exceptions` past [`MAX_GROUP_WIDTH`], one margin further in, a `+-----` line after
    /// the last (a nested group's closes both).
    fn print_sub_exceptions(&self, out: &mut Out, subs: &[Value], line: u32) {
        let shown = subs.len().min(MAX_GROUP_WIDTH + 1);
        let enclosing_close = std::mem::take(&mut out.need_close);
        for (i, sub) in subs.iter().take(shown).enumerate() {
            let truncated = i == MAX_GROUP_WIDTH;
            let trace = if truncated { Vec::new() } else { traceback_of(sub) };
            // Nested groups multiply: the lines stay within what the event budget keeps back,
            // a closing line for each group open kept back too.
            let traced = if trace.is_empty() { 0 } else { 1 + frame_lines(&trace).len() };
            if out.room.subs < 2 + traced + out.depth {
                // Its sub-exceptions end early: closed, if it showed any, or as the group's.
                match i {
                    0 => out.need_close = enclosing_close,
                    _ => self.close_group(out, line),
                }
                return;
            }
            out.room.subs -= 2 + traced;
            let last = i == shown - 1;
            if last {
                out.need_close = true;
            }
            let title = if truncated { "...".to_string() } else { (i + 1).to_string() };
            let opening = if i == 0 { "+-" } else { "  " };
            self.emit_raw(out, &format!("{opening}+---------------- {title} ----------------"), line);
            out.depth += 1;
            if truncated {
                let more = subs.len() - MAX_GROUP_WIDTH;
                let s = if more > 1 { "s" } else { "" };
                self.emit(out, '|', &format!("and {more} more exception{s}"), line);
            } else {
                self.print_chained(out, sub, raised(&trace), line);
            }
            out.depth -= 1;
            if last && std::mem::take(&mut out.need_close) {
                self.close_group(out, line);
            }
        }
    }

    /// The line that closes a group's sub-exceptions, at their margin.
    fn close_group(&self, out: &mut Out, line: u32) {
        out.room.subs = out.room.subs.saturating_sub(1);
        out.depth += 1;
        self.emit_raw(out, "+------------------------------------", line);
        out.depth -= 1;
    }

    /// A traceback's frame lines, at the margin of where they are.
    fn print_frames(&self, out: &Out, trace: &[(Rc<str>, u32)]) {
        for frame in frame_lines(trace) {
            let text = format!("  {}", frame.text);
            // CPython 3.12.1's `sys.excepthook` (traceback.c's `tb_print_line_repeated`) prints
            // the fold line without a group's margin; its `traceback` module keeps it in it.
            if frame.fold && out.printer == Printer::Excepthook {
                self.put(out, &text, frame.line);
            } else {
                self.emit(out, '|', &text, frame.line);
            }
        }
    }

    /// One line of a traceback, inside the margins of the groups it is in (`margin` `+` for
    /// the outermost group's title, else `|`; none outside a group), as CPython's `emit`.
    fn emit(&self, out: &Out, margin: char, text: &str, line: u32) {
        let text = match out.depth {
            0 => text.to_string(),
            depth => format!("{}{margin} {text}", "  ".repeat(depth)),
        };
        self.put(out, &text, line);
    }

    /// A line of a group's layout of its own (`+---- 1 ----`): indented, no margin.
    fn emit_raw(&self, out: &Out, text: &str, line: u32) {
        self.put(out, &format!("{}{text}", "  ".repeat(out.depth)), line);
    }

    /// A printed line of the traceback, if it fits the event budget (see [`Out::full`]).
    fn put(&self, out: &Out, text: &str, line: u32) {
        if let Some(full) = &out.full {
            if full.get() {
                return;
            }
            if let Err(stop) = self.check_events(line) {
                // The run stops here, outside the main task's flow: its message says why.
                full.set(true);
                if let super::Flow::Stop(msg) = stop {
                    self.mark(out.task, Kind::Print, &format!("awaitlab stopped the program: {msg}"), line);
                }
                return;
            }
        }
        self.mark(out.task, Kind::Print, text, line);
    }

    /// An exception group's sub-exceptions; None for another exception.
    fn sub_exceptions(&self, exc: &Value) -> Option<Vec<Value>> {
        match exc {
            Value::Instance(i) if i.class.is_sub(&self.classes.get(E::BaseExceptionGroup)) => {
                match i.attrs.borrow().get("exceptions") {
                    Some(Value::Tuple(t)) => Some(t.iter().cloned().collect()),
                    _ => None,
                }
            }
            _ => None,
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
fn frame_lines(trace: &[(Rc<str>, u32)]) -> Vec<FrameLine> {
    let mut out = Vec::new();
    let mut frames = trace.iter().rev().peekable();
    while let Some((name, l)) = frames.next() {
        let mut count = 1;
        while frames.next_if(|next| next.0 == *name && next.1 == *l).is_some() {
            count += 1;
        }
        for _ in 0..count.min(RECURSIVE_CUTOFF) {
            out.push(FrameLine { text: format!("line {l}, in {name}"), line: *l, fold: false });
        }
        if let Some(more) = count.checked_sub(RECURSIVE_CUTOFF).filter(|&n| n > 0) {
            let s = if more > 1 { "s" } else { "" };
            let text = format!("[Previous line repeated {more} more time{s}]");
            out.push(FrameLine { text, line: *l, fold: true });
        }
    }
    out
}

/// A line of a traceback's frames: a frame's, or the fold line after a run of the same one.
struct FrameLine {
    text: String,
    /// The program line it names (the frame's, for a fold line).
    line: u32,
    fold: bool,
}
