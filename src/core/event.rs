//! What a run records: timestamped events, and the recorder patterns write them through.
//!
//! Work is recorded as *spans*: a `begin` event and one closing event (`end`, `fail`, `cancel` or
//! `timeout`) for the same task, attempt and phase. A [`Span`] guard writes the closing event; if the
//! future holding it is dropped (cancelled) first, the guard records `cancel` on its way out, so a
//! cancelled task is always visible on its lane.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::budget::DetailRoom;
use super::clock::Clock;

/// What a span on a task's lane stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The task's own work: a sleep or a request.
    Work,
    /// Waiting for a semaphore permit.
    Wait,
    /// Waiting between retry attempts.
    Backoff,
    /// Entering an async resource (`__aenter__`).
    Acquire,
    /// Leaving an async resource (`__aexit__`).
    Release,
    /// Pipeline stage: fetch.
    Fetch,
    /// Pipeline stage: process.
    Process,
    /// Pipeline stage: save.
    Save,
    /// The task as a whole (used by task-level events).
    Task,
}

impl Phase {
    /// The phase's name (as the Run JSON, CSS classes and exports write it) and what a task in
    /// it is doing (for sentences): the one table of phase names.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Phase::Work => ("work", "working"),
            Phase::Wait => ("wait", "waiting for a semaphore permit"),
            Phase::Backoff => ("backoff", "backing off"),
            Phase::Acquire => ("acquire", "acquiring the resource"),
            Phase::Release => ("release", "releasing the resource"),
            Phase::Fetch => ("fetch", "fetching"),
            Phase::Process => ("process", "processing"),
            Phase::Save => ("save", "saving"),
            Phase::Task => ("task", "working"),
        }
    }

    /// The phase's name: `work`, `backoff`… (serde writes the same, which a test checks).
    pub fn key(self) -> &'static str {
        self.names().0
    }

    /// What a task in this phase is doing: `working`, `waiting for a semaphore permit`…
    pub fn doing(self) -> &'static str {
        self.names().1
    }

    /// Whether this phase is an attempt's own work, the part the plan times (a sleep, a request, a
    /// pipeline's fetch, CPU work): what counts as an attempt, what a cancel spares and what the
    /// what-if menu changes. Permit waits, backoffs and the later pipeline stages have no plan.
    pub fn is_planned_work(self) -> bool {
        matches!(self, Phase::Work | Phase::Fetch)
    }

    /// Whether a task in this phase counts as in flight (waiting for a permit or a backoff does not).
    pub fn is_active(self) -> bool {
        !matches!(self, Phase::Wait | Phase::Backoff | Phase::Task)
    }
}

/// A task's open active spans: it is in flight while it has any. A code run's task may nest them
/// (an acquire around the reader's `__aenter__` sleep) and still counts once: the one count of
/// tasks in flight, the summary's peak and the timeline's strip alike.
#[derive(Clone, Copy, Default)]
pub struct Flight(u32);

// `begin` and `close` are inlined always: called from the summary's and the timeline's walks, the calls cost the page
// some 50 bytes (gzip) more than the few instructions they stand for.
impl Flight {
    /// Whether the task has an active span open.
    pub fn flying(self) -> bool {
        self.0 > 0
    }

    /// A span in `phase` begins: whether the task takes off with it.
    #[inline(always)]
    pub fn begin(&mut self, phase: Phase) -> bool {
        if phase.is_active() {
            self.0 += 1;
        }
        phase.is_active() && self.0 == 1
    }

    /// A span in `phase` closes: whether the task lands with it.
    #[inline(always)]
    pub fn close(&mut self, phase: Phase) -> bool {
        if phase.is_active() && self.0 > 0 {
            self.0 -= 1;
            return self.0 == 0;
        }
        false
    }
}

/// What happened at an event's instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A span starts.
    Begin,
    /// A span ends normally.
    End,
    /// A span ends with an error (`detail` says which).
    Fail,
    /// A span ends because its task was cancelled.
    Cancel,
    /// A span ends because a timeout expired.
    Timeout,
    /// Task level: the task finished with a value.
    Done,
    /// Task level: the task finished with an error (`detail` says which).
    Failed,
    /// Task level: the task's error was replaced by a default value.
    Fallback,
    /// Task level, code runs only: the task was created (`asyncio.create_task`, an awaitable
    /// given to `gather`, the main coroutine); `detail` is its lane label, as the code wrote it
    /// (`fetch_url('…/3')`).
    Spawn,
    /// Task level, code runs only: one line the task printed (`print`), or one line of an
    /// uncaught exception's traceback; `detail` is the text.
    Print,
}

impl Kind {
    /// Whether this kind closes a span opened by [`Kind::Begin`].
    pub fn closes_span(self) -> bool {
        matches!(self, Kind::End | Kind::Fail | Kind::Cancel | Kind::Timeout)
    }

    /// The legends' name for a span that closed this way, not as planned (empty for any other
    /// kind): one name for the page's legend and the SVG export's. A failure is a pattern's
    /// failed attempt or a task of the reader's code that raised: both raised an error.
    pub const fn unplanned_end_label(self) -> &'static str {
        match self {
            Kind::Fail => "failed",
            Kind::Timeout => "timed out",
            Kind::Cancel => "cancelled",
            _ => "",
        }
    }
}

/// An event's free text (an error, a status, a value): shared, not copied, when a value is recorded
/// on its span, on its task and in the timeline (a 100,000-task run records 200,000 of them). The
/// empty text allocates nothing. Serialized as a plain JSON string.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Option<Rc<str>>);

impl Text {
    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text((!s.is_empty()).then(|| Rc::from(s)))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text((!s.is_empty()).then(|| Rc::from(s)))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_owned()
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

/// One recorded instant of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the run started.
    pub t: f64,
    /// Task index, from 0.
    pub task: u32,
    /// Attempt number, from 1 (0 for task-level events).
    pub attempt: u32,
    pub kind: Kind,
    pub phase: Phase,
    /// Free text: an error, a status, a value.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub detail: Text,
    /// Code runs only: the 1-based line of the reader's code that caused the event (0: none;
    /// not written then, so the Run JSON of a pattern run is unchanged).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub line: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Collects a run's events, stamped with the run's clock. Cheap to clone; clones share the log.
#[derive(Clone)]
pub struct Recorder(Rc<Log>);

/// What a [`Recorder`]'s clones share (one allocation: every open [`Span`] holds a clone).
struct Log {
    events: RefCell<Vec<Event>>,
    now: Box<dyn Fn() -> f64>,
    t0: Cell<f64>,
    room: DetailRoom,
    /// Spans begun and not closed yet: each will record one more event as it closes.
    open: Cell<usize>,
}

impl Recorder {
    /// A recorder whose time 0 is `clock`'s current time.
    pub fn new<C: Clock>(clock: &C) -> Self {
        let c = clock.clone();
        Recorder(Rc::new(Log {
            events: RefCell::default(),
            t0: Cell::new(clock.now()),
            now: Box::new(move || c.now()),
            room: DetailRoom::default(),
            open: Cell::new(0),
        }))
    }

    /// Makes room for `n` more events (a run knows roughly how many it will record).
    pub fn reserve(&self, n: usize) {
        self.0.events.borrow_mut().reserve(n);
    }

    /// Milliseconds since the recorder was created.
    pub fn elapsed(&self) -> f64 {
        (self.0.now)() - self.0.t0.get()
    }

    /// Makes now time 0 (for every clone): a runtime calls this when the run's future first
    /// runs, so set-up work before it is not counted in the run.
    pub fn restart_clock(&self) {
        self.0.t0.set((self.0.now)());
    }

    /// Records an event now. A detail past the budget's length or with control characters (a
    /// server's error message, say) is tidied first, so every event fits a Run JSON's budget.
    pub fn record(&self, task: u32, attempt: u32, kind: Kind, phase: Phase, detail: impl Into<Text>) {
        self.record_line(task, attempt, kind, phase, detail, 0);
    }

    /// [`Recorder::record`] for a code run: `line` is the reader's line that caused the event.
    pub fn record_line(&self, task: u32, attempt: u32, kind: Kind, phase: Phase, detail: impl Into<Text>, line: u32) {
        let t = self.elapsed();
        let mut detail = detail.into();
        // Most details are empty (a span's begin) or short texts already tidy ("523 ms").
        if !detail.is_empty() {
            if let Some(tidy) = self.0.room.tidy(kind, &detail) {
                detail = tidy.into();
            }
        }
        self.0.events.borrow_mut().push(Event { t, task, attempt, kind, phase, detail, line });
    }

    /// Opens a span now; close it with [`Span::end`], [`Span::fail`] or [`Span::timeout`].
    pub fn begin(&self, task: u32, attempt: u32, phase: Phase) -> Span {
        self.begin_line(task, attempt, phase, 0)
    }

    /// [`Recorder::begin`] for a code run: the span's events (its close too) carry `line`.
    pub fn begin_line(&self, task: u32, attempt: u32, phase: Phase, line: u32) -> Span {
        self.record_line(task, attempt, Kind::Begin, phase, "", line);
        self.0.open.set(self.0.open.get() + 1);
        Span { rec: self.clone(), task, attempt, phase, line, open: true }
    }

    /// Adds events recorded elsewhere, with their own times (a code run measured by the lazily
    /// loaded interpreter module sends its events in batches).
    pub fn extend(&self, events: impl IntoIterator<Item = Event>) {
        self.0.events.borrow_mut().extend(events);
    }

    /// Records a span that is over, from `begin` to `close` (their own times): `begin` goes in at
    /// index `at` (at most the log's length), among the events recorded since it began, and
    /// `close` at the end. For a stretch of a program's code, timed once it is over.
    pub fn insert_span(&self, at: usize, begin: Event, close: Event) {
        let mut events = self.0.events.borrow_mut();
        let at = at.min(events.len());
        events.insert(at, begin);
        events.push(close);
    }

    /// Number of events so far.
    pub fn len(&self) -> usize {
        self.0.events.borrow().len()
    }

    /// Spans open now: the events their closes will still record (a run that must stay within
    /// the event budget keeps room for them).
    pub fn open_spans(&self) -> usize {
        self.0.open.get()
    }

    /// Whether nothing has been recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the events from index `from` on (for incremental UI updates).
    pub fn events_since(&self, from: usize) -> Vec<Event> {
        self.0.events.borrow().get(from..).map(<[Event]>::to_vec).unwrap_or_default()
    }

    /// Calls `f` with the events so far, without copying them.
    pub fn with_events<R>(&self, f: impl FnOnce(&[Event]) -> R) -> R {
        f(&self.0.events.borrow())
    }

    /// Moves the events out, leaving the log empty (for a run that is over).
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.0.events.borrow_mut())
    }

    /// A copy of every event so far.
    pub fn snapshot(&self) -> Vec<Event> {
        self.events_since(0)
    }
}

/// An open span. Dropping it unclosed records [`Kind::Cancel`]: the future holding it was cancelled.
#[must_use = "a span records `cancel` when dropped unclosed"]
pub struct Span {
    rec: Recorder,
    task: u32,
    attempt: u32,
    phase: Phase,
    line: u32,
    open: bool,
}

impl Span {
    fn close(mut self, kind: Kind, detail: impl Into<Text>) {
        self.open = false;
        self.rec.0.open.set(self.rec.0.open.get() - 1);
        self.rec.record_line(self.task, self.attempt, kind, self.phase, detail, self.line);
    }
    /// The span ends normally.
    pub fn end(self) {
        self.close(Kind::End, "");
    }
    /// The span ends normally, with a detail (a status, a value).
    pub fn end_with(self, detail: impl Into<Text>) {
        self.close(Kind::End, detail);
    }
    /// The span ends with an error.
    pub fn fail(self, error: impl Into<Text>) {
        self.close(Kind::Fail, error);
    }
    /// The span ends because a timeout expired.
    pub fn timeout(self, detail: impl Into<Text>) {
        self.close(Kind::Timeout, detail);
    }
    /// The span is cut short by a cancellation, with a detail (what it was waiting for); a span
    /// dropped unclosed records the same without one.
    pub fn cancel(self, detail: impl Into<Text>) {
        self.close(Kind::Cancel, detail);
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        if self.open {
            self.rec.0.open.set(self.rec.0.open.get() - 1);
            self.rec.record_line(self.task, self.attempt, Kind::Cancel, self.phase, "", self.line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::VirtualClock;

    #[test]
    fn a_dropped_span_records_cancel() {
        let clock = VirtualClock::new();
        let rec = Recorder::new(&clock);
        rec.begin(3, 1, Phase::Work).end();
        drop(rec.begin(4, 1, Phase::Work));
        let kinds: Vec<_> = rec.snapshot().iter().map(|e| (e.task, e.kind)).collect();
        assert_eq!(kinds, vec![(3, Kind::Begin), (3, Kind::End), (4, Kind::Begin), (4, Kind::Cancel)]);
    }

    #[test]
    fn the_run_json_names_phases_by_their_key() {
        use Phase::*;
        for phase in [Work, Wait, Backoff, Acquire, Release, Fetch, Process, Save, Task] {
            assert_eq!(serde_json::to_value(phase).ok(), Some(serde_json::Value::from(phase.key())));
        }
    }
}
