//! Recording, in one place: a lane per Python task (task index = creation order, main = 0), a
//! fresh attempt number for each span on a lane (so every (task, attempt, phase) is unique), and
//! the reader's line on every event.

use super::{fmt, limits, Flow, Interp, TaskObj};
use crate::core::budget::MAX_PRINT_BYTES;
use crate::core::event::{Kind, Phase, Span};
use crate::core::patterns::Ctx;
use crate::core::py::CodeError;

impl<'a> Interp<'a> {
    /// Opens a span of `phase` on `task`'s lane, caused by `line`; stops the run once it has
    /// recorded as many events as a run may.
    /// The task's code running up to it is a stretch of its own, and the next starts after its
    /// begin (see `held`).
    pub fn span(&self, task: &TaskObj, phase: Phase, line: u32) -> Result<Span, Flow> {
        let running = self.code_stops(task);
        self.check_events(line)?;
        let span = self.ctx.rec.begin_line(task.index, task.next_attempt(), phase, line);
        if running {
            self.code_starts(task);
        }
        Ok(span)
    }

    /// Stops the run (at `line`) unless it has room for one more event and for every event that
    /// would then still close it: a close for each open span, an end for each unfinished task
    /// (a deadlock's `stopped` too), and the stop's own message and [`limits::EVENTS_RESERVED`]
    /// more (the main task's traceback). So a run stopped here, or ending on its own, keeps
    /// within the budget with all it recorded up to then.
    pub fn check_events(&self, line: u32) -> Result<(), Flow> {
        if !self.has_room(1) {
            return Err(self.stop(
                line,
                format!(
                    "the run's {}-event budget is reached (line {line})",
                    super::thousands(limits::MAX_EVENTS as u64)
                ),
            ));
        }
        Ok(())
    }

    /// Whether the run can record `n` more events and still every event that would then close it
    /// (see [`Interp::check_events`]).
    pub fn has_room(&self, n: usize) -> bool {
        let unfinished = self.tasks.borrow().len().saturating_sub(self.finished.get() as usize);
        let needed = self.ctx.rec.len() + n + self.ctx.rec.open_spans() + unfinished + limits::EVENTS_RESERVED;
        needed <= limits::MAX_EVENTS
    }

    /// What `print` writes to stdout: each complete line is a `Print` mark, on the lane of the
    /// task that ended it, at that time (`print(x, end="")` continues the line, as on a terminal).
    pub fn write_stdout(&self, task: &TaskObj, text: &str, line: u32) -> Result<(), Flow> {
        self.work(text.len())?;
        // A coroutine its arguments dropped (`print(fetch(1))`) warned before it prints.
        self.warn_unawaited(task, line);
        let mut out = self.stdout.borrow_mut();
        if out.len() + text.len() > limits::MAX_STR_BYTES {
            out.clear();
        }
        out.push_str(text);
        // The complete lines are read in place and dropped together: dropping each from the
        // front moved the rest of up to 16 MiB every time (2,000,000 lines took 34 s).
        let mut start = 0;
        while let Some(n) = out[start..].find('\n') {
            // Each line is an event: a print of many lines stops at the budget in the middle.
            if let Err(stop) = self.check_events(line) {
                out.clear();
                return Err(stop);
            }
            let end = start + n;
            self.mark(task, Kind::Print, &fmt::shorten(&out[start..end], MAX_PRINT_BYTES), line);
            start = end + 1;
        }
        out.drain(..start);
        Ok(())
    }

    /// Reports the coroutines dropped without ever running since the last report, on `task`'s
    /// lane at `line`, as CPython's `RuntimeWarning: coroutine 'fetch' was never awaited` (which
    /// goes to stderr with the line that was running when the coroutine was collected: the
    /// statement that dropped it, such as a bare `fetch(1)`, or for a local variable the line
    /// its function returned from). Python's default warning filter shows a warning once per
    /// place: so each name once per line here.
    pub fn warn_unawaited(&self, task: &TaskObj, line: u32) {
        if !self.unretrieved.borrow().is_empty() {
            self.report_unretrieved();
        }
        let names = match self.unawaited.try_borrow_mut() {
            Ok(mut names) if !names.is_empty() => std::mem::take(&mut *names),
            _ => return,
        };
        for name in names {
            if !self.warned.borrow_mut().insert((name.clone(), line)) || self.check_events(line).is_err() {
                continue;
            }
            let text = format!("RuntimeWarning: coroutine '{name}' was never awaited");
            self.mark(task, Kind::Print, &fmt::shorten(&text, MAX_PRINT_BYTES), line);
        }
    }

    /// An exception leaves a statement: the coroutines dropped so far are kept with it (CPython's
    /// traceback keeps the frames holding them) until it is handled or ends the task.
    pub fn hold_unawaited(&self, task: &TaskObj) {
        if let Ok(mut names) = self.unawaited.try_borrow_mut() {
            task.held_unawaited.borrow_mut().append(&mut names);
        }
    }

    /// The exception is handled (its `except` block is over) or ended the task: what it kept
    /// warns at the next report.
    pub fn release_unawaited(&self, task: &TaskObj) {
        let held = std::mem::take(&mut *task.held_unawaited.borrow_mut());
        if let (false, Ok(mut names)) = (held.is_empty(), self.unawaited.try_borrow_mut()) {
            names.splice(0..0, held);
        }
    }

    /// The last line `print` left unfinished (`end=""`), when the program ends.
    pub fn flush_stdout(&self, task: &TaskObj) {
        let rest = std::mem::take(&mut *self.stdout.borrow_mut());
        if !rest.is_empty() {
            self.mark(task, Kind::Print, &fmt::shorten(&rest, MAX_PRINT_BYTES), task.line.get());
        }
    }
}

/// A program that could not run: its error on the main lane, as a print, and as a failure if it
/// `stopped` there (an import the editor's check lets pass); one the parser refuses never
/// started, so no task failed (the figures count none).
pub fn refused(ctx: &Ctx, e: &CodeError, stopped: bool) {
    ctx.rec.record_line(0, 0, Kind::Spawn, Phase::Task, "<module>", 0);
    ctx.rec.record_line(0, 0, Kind::Print, Phase::Task, e.to_string(), e.line);
    if stopped {
        ctx.rec.record_line(0, 0, Kind::Failed, Phase::Task, e.message.as_str(), e.line);
    }
}
