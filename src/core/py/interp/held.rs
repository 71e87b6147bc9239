//! Code that holds the event loop. Each stretch of a task's code between suspensions (a step of
//! the task, asyncio's `Task.__step`: from its first statement or the `await` it resumes at, to
//! the next `await` that suspends it or its end) is timed on the run's clock. One that ran at
//! least [`HELD_MS`] and [`HELD_MIN_STEPS`] of the program's steps is recorded as a `work` span on the task's lane over exactly that time,
//! closing `ran 33 ms without awaiting` ([`cpu::WITHOUT_AWAITING`]): meanwhile no other task ran
//! and no timer fired, so `cpu::busy_intervals` counts it as the loop busy, as `time.sleep`'s.
//!
//! The span is at the line of the task's own statement (its coroutine's, or the module's for the
//! main task) that ran the most steps in the stretch, in all: `print(name, crunch(100_000))`, not
//! a line inside `crunch`; in a loop of the coroutine's own, the statement of its body that ran
//! the most. The span is on the task's lane and stands for its step: the statement of
//! the coroutine the lane shows holds all of it, while the innermost line running changes a
//! million times in it (any one of them would be arbitrary), and the task's `done` mark is at
//! its own line too.
//!
//! Time inside the stretch that is not the task's code is left out: a span of the task opened in
//! it ends the stretch, and another starts after its begin (so `time.sleep`'s own span, and the
//! zero-length wait of an `await` that did not suspend, are not counted), and the stretch starts
//! after the closes its resumption records (the span of the `await` it resumed from), and ends
//! where the task reached the `await` that suspended it (what the runtime then does to suspend
//! it, such as arming the page's timer, is not the task's code). So a lane
//! never has two of its spans overlap, but for code run inside an open span (the reader's
//! `__aenter__` in an `async with`'s acquire), which nests as a sleep there does.
//!
//! The virtual clock's time does not move while code runs: a prediction never records one of
//! these spans, and counts code between awaits as instant; only a measured run shows it.

use std::cell::{Cell, RefCell};

use super::{Interp, TaskObj};
use crate::core::cpu;
use crate::core::event::{Event, Kind, Phase};

/// A stretch of code shorter than this, ms, is not drawn. The browser's `performance.now()` is
/// coarsened (to 0.1 ms in Chromium, 1 ms in some browsers), so two readings around code that
/// took a few microseconds can differ by a whole tick: at 2 ms, a stretch drawn ran at least
/// 1 ms with the coarsest clock, at least 1.9 ms with Chromium's, within 5 %. Shorter than a
/// frame (16.7 ms) or the browser's 4 ms timer clamp, so what visibly delays a timer or the
/// page's drawing is drawn; and a program that awaits every millisecond draws nothing.
pub const HELD_MS: f64 = 2.0;

/// A stretch that ran fewer of the program's steps than this is not drawn, however long it took:
/// that little code cannot hold the loop 2 ms ([`HELD_MS`]). In Chromium on a 2-core machine a
/// step took 0.66 µs on a page's first run (a loop of 3,013 steps, 2 ms) and 0.17 µs warm, so 200
/// steps are about 0.13 ms there, and 2 ms even on a machine 15 times slower. What held the loop
/// then was the browser: compiling the interpreter's code on its first use, collecting garbage.
/// The page's own default program drew "main() ran 3 ms without awaiting" at its first stretch
/// (40 steps) on some first runs, and told the reader to split work that it does not have.
/// A builtin's work over big data counts as steps ([`Interp::work`]), so it is not missed.
pub const HELD_MIN_STEPS: u64 = 200;

/// The stretch running now (see the module docs), and the steps its task's own statements ran.
#[derive(Default)]
pub struct Held {
    stretch: Cell<Option<Stretch>>,
    /// The run's steps when the task's own statement running now began.
    since: Cell<u64>,
    /// Steps each of the task's own statements ran in the stretch so far, by line: at most
    /// [`LINES`] lines (past them, a new line takes the place of the one that ran the fewest).
    lines: RefCell<Vec<(u32, u64)>>,
    /// When the running task reached the `await` the runtime is now handling, ms: if it
    /// suspends, its code stopped there. What the runtime does to suspend it (arming a timer:
    /// the first `setTimeout` of a page took 2–6 ms) is not the task's code.
    awaited: Cell<Option<f64>>,
}

/// The lines [`Held`] counts the steps of in one stretch: a loop's body fits.
const LINES: usize = 8;

#[derive(Clone, Copy)]
struct Stretch {
    task: u32,
    /// When it started, ms since the run started.
    t0: f64,
    /// The recorder's length then: where its span's begin goes.
    at: usize,
    /// The run's steps then.
    steps: u64,
}

impl<'a> Interp<'a> {
    /// `task`'s code starts running (its first step, or after an `await` that suspended it);
    /// a stretch left open (not reached) ends first.
    pub fn code_starts(&self, task: &TaskObj) {
        if let Some(open) = self.held.stretch.get() {
            let other = self.tasks.borrow().get(open.task as usize).cloned();
            if let Some(other) = other {
                self.code_stops(&other);
            }
        }
        let rec = &self.ctx.rec;
        self.held.stretch.set(Some(Stretch {
            task: task.index,
            t0: rec.elapsed(),
            at: rec.len(),
            steps: self.steps.get(),
        }));
        self.held.since.set(self.steps.get());
        self.held.lines.borrow_mut().clear();
        self.held.awaited.set(None);
    }

    /// `task`'s code reaches an `await`: the runtime takes over, and if the task suspends, its
    /// stretch ended now.
    pub fn reaches_await(&self, task: &TaskObj) {
        if self.held.stretch.get().is_some_and(|s| s.task == task.index) {
            self.held.awaited.set(Some(self.ctx.rec.elapsed()));
        }
    }

    /// The `await` that [`Self::reaches_await`] noted did not suspend: the task's code runs on.
    pub fn await_returned(&self) {
        self.held.awaited.set(None);
    }

    /// One of the running task's own statements begins; `prev` was the one before, whose steps
    /// are counted.
    pub fn own_statement(&self, prev: u32) {
        let steps = self.steps.get();
        let ran = steps.saturating_sub(self.held.since.replace(steps));
        let mut lines = self.held.lines.borrow_mut();
        if let Some(l) = lines.iter_mut().find(|l| l.0 == prev) {
            l.1 += ran;
        } else if lines.len() < LINES {
            lines.push((prev, ran));
        } else if let Some(fewest) = lines.iter_mut().min_by_key(|l| l.1) {
            *fewest = (prev, ran);
        }
    }

    /// `task`'s code stops running (it suspends, opens a span or ends): whether it was running.
    /// Its stretch is recorded if it held the loop [`HELD_MS`] or more, and only if the run's
    /// event budget has room for it (it never takes what ends the run).
    pub fn code_stops(&self, task: &TaskObj) -> bool {
        let Some(s) = self.held.stretch.get().filter(|s| s.task == task.index) else { return false };
        self.held.stretch.set(None);
        let rec = &self.ctx.rec;
        let t1 = self.held.awaited.take().unwrap_or_else(|| rec.elapsed());
        if t1 - s.t0 < HELD_MS || self.steps.get().saturating_sub(s.steps) < HELD_MIN_STEPS {
            return true;
        }
        // The code began after the closes its resumption recorded.
        let (at, t0) = rec.with_events(|events| {
            let resumed = events.get(s.at..).unwrap_or_default();
            let closes = resumed.iter().take_while(|e| e.task == task.index && e.kind.closes_span()).count();
            match closes {
                0 => (s.at, s.t0),
                n => (s.at + n, resumed[n - 1].t.max(s.t0)),
            }
        });
        if t1 - t0 < HELD_MS || !self.has_room(2) {
            return true;
        }
        self.own_statement(task.own_line.get());
        // The first of the lines that ran the most.
        let line = self.held.lines.borrow().iter().rev().max_by_key(|l| l.1).map_or(task.own_line.get(), |l| l.0);
        let (task, attempt) = (task.index, task.next_attempt());
        let span =
            |t, kind, detail: String| Event { t, task, attempt, kind, phase: Phase::Work, detail: detail.into(), line };
        let detail = cpu::ran_without_awaiting(t1 - t0);
        rec.insert_span(at, span(t0, Kind::Begin, String::new()), span(t1, Kind::End, detail));
        true
    }
}
