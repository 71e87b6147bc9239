//! Python tasks on the run's loop: creation, awaiting, cancellation and deadlines.
//!
//! Cancellation is asyncio's, not the loop's: `task.cancel()` (or a deadline of `asyncio.timeout`
//! / `wait_for`) raises `CancelledError` at the task's current `await`, so `except
//! asyncio.CancelledError:` and `finally:` run. Every suspension of a Python task therefore goes
//! through [`Interp::suspend`], which watches the task's cancel flag next to what it awaits.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use super::native::GroupState;
use super::traceback::Printer;
use super::{fmt, Exc, Flow, Frame, Interp, Res, Value, E};
use crate::core::clock::{Clock, RunSleep};
use crate::core::event::{Kind, Phase};
use crate::core::patterns::Outcome;

/// What a task's waker, its deadlines and `task.cancel()` share (wakers must be `Send`).
///
/// A cancellation is asyncio's `Task.cancel()`: counted (`cancelling()`), then passed on to the
/// tasks the task awaits (`await task`, `gather`), as asyncio cancels the future the task waits
/// on. If one of them takes it (it was not done yet), the task itself is not cancelled: it goes
/// on waiting and gets what it awaits (a task that swallows the `CancelledError` gives its
/// result; a gather, `CancelledError` once its children are done). Otherwise the task is
/// (CPython's `_must_cancel`): `CancelledError` is raised at its current or next `await`.
#[derive(Default)]
pub struct Sig {
    /// `CancelledError` is due at the task's current or next `await`.
    cancel: AtomicBool,
    waker: Mutex<Option<Waker>>,
    /// Deadlines that fired and whose `CancelledError` has not been turned into `TimeoutError`.
    fired: Mutex<Vec<u32>>,
    /// The tasks this one awaits now (`await task`, `gather`): a cancellation reaches them at
    /// once, as asyncio's `Task.cancel()` cancels the future the task waits on.
    awaiting: Mutex<Vec<Arc<Sig>>>,
    /// A cancellation was taken by an awaited task while this one waited for it.
    passed: AtomicBool,
    /// The task is done: `cancel()` does nothing then.
    done: AtomicBool,
    /// `task.cancelling()`: the cancellation requests not withdrawn (`uncancel()`).
    requests: AtomicU32,
    /// What the task awaits woke it since it last ran (it is done: a cancellation now finds
    /// nothing to cancel there, and is the task's own, CPython's `_must_cancel`).
    ready: AtomicBool,
    /// The message of the `CancelledError` due (`task.cancel(msg)`)...
    msg: Mutex<Option<String>>,
    /// ...fixed by the first request, which cancelled what the task awaits with it (later ones
    /// find it cancelled already).
    msg_fixed: AtomicBool,
    /// CPython's `Task._cancel_message`: the message of the last request that was the task's
    /// own (not passed on to what it awaits), which `gather` gives a cancelled child.
    cancel_message: Mutex<Option<String>>,
    /// Passing a cancellation on now (two tasks awaiting each other would pass it on forever).
    passing: AtomicBool,
}

impl Sig {
    /// A cancellation still due as the task's coroutine returned (CPython's `_must_cancel` at
    /// the end of its step: the task ends cancelled), taken: its `CancelledError`'s message.
    pub(super) fn take_due_cancel(&self) -> Option<String> {
        if !self.cancel.swap(false, Ordering::AcqRel) {
            return None;
        }
        self.take_msg();
        Some(self.cancel_message().unwrap_or_default())
    }

    /// `Task.cancel(msg)`: false if the task is done.
    pub(super) fn request_cancel(&self, msg: Option<&str>) -> bool {
        if self.done.load(Ordering::Acquire) {
            return false;
        }
        self.requests.fetch_add(1, Ordering::AcqRel);
        self.pass_on(msg);
        true
    }

    /// What `Task.cancel()` does once counted: the awaited tasks are cancelled, and unless one
    /// of them takes it, `CancelledError` is due here (the task woken for it, unless it awaits
    /// tasks: then it wakes when they are done).
    fn pass_on(&self, msg: Option<&str>) {
        if self.passing.swap(true, Ordering::AcqRel) {
            return;
        }
        let awaited = self.awaiting.lock().map(|a| a.clone()).unwrap_or_default();
        // Every awaited task is asked (a gather cancels each of its children: no short cut).
        let taken = awaited.iter().filter(|s| s.request_cancel(msg)).count() > 0;
        self.passing.store(false, Ordering::Release);
        if taken {
            self.passed.store(true, Ordering::Release);
            return;
        }
        let was_due = self.cancel.swap(true, Ordering::AcqRel);
        let own = was_due
            || !awaited.is_empty()
            || self.ready.load(Ordering::Acquire)
            || self.waker.lock().map_or(true, |w| w.is_none());
        let msg = msg.map(str::to_owned);
        if own {
            // CPython's `_must_cancel` (the task runs, or what it awaits is done or cancelled
            // already): the message is the task's, the last one's, unless the `CancelledError`
            // due came from what it awaited, cancelled with the first.
            if !(was_due && self.msg_fixed.load(Ordering::Acquire)) {
                self.set_msg(msg.clone(), false);
            }
            if let Ok(mut m) = self.cancel_message.lock() {
                *m = msg;
            }
        } else {
            // What it awaits is cancelled with the message.
            self.set_msg(msg, true);
        }
        if !was_due && awaited.is_empty() {
            if let Ok(w) = self.waker.lock() {
                if let Some(w) = w.as_ref() {
                    w.wake_by_ref();
                }
            }
        }
    }

    /// While `tasks` are awaited, a cancellation of this task reaches them at once (`&[]`: the
    /// wait is over; [`Sig::take_passed`] still tells whether one took a cancellation).
    pub fn set_awaiting(&self, tasks: &[Rc<TaskObj>]) {
        if !tasks.is_empty() {
            self.passed.store(false, Ordering::Release);
        }
        if let Ok(mut a) = self.awaiting.lock() {
            *a = tasks.iter().filter(|t| !t.is_done()).map(|t| t.sig.clone()).collect();
        }
    }

    /// Whether an awaited task took a cancellation of this one (and forgets it).
    pub fn take_passed(&self) -> bool {
        self.passed.swap(false, Ordering::AcqRel)
    }

    /// `task.cancelling()`.
    pub fn cancelling(&self) -> u32 {
        self.requests.load(Ordering::Acquire)
    }

    /// `task.uncancel()`: one request fewer (never below 0); how many are left.
    pub fn uncancel(&self) -> u32 {
        let left = self.requests.load(Ordering::Acquire).saturating_sub(1);
        self.requests.store(left, Ordering::Release);
        left
    }

    fn forget_cancel_message(&self) {
        if let Ok(mut m) = self.cancel_message.lock() {
            *m = None;
        }
    }

    /// CPython's `Task._cancel_message` (see the field).
    pub fn cancel_message(&self) -> Option<String> {
        self.cancel_message.lock().ok().and_then(|m| m.clone())
    }

    /// The message of the `CancelledError` due, taken as it is raised.
    pub fn take_msg(&self) -> Option<String> {
        self.msg_fixed.store(false, Ordering::Release);
        self.msg.lock().ok().and_then(|mut m| m.take())
    }

    fn set_msg(&self, msg: Option<String>, fixed: bool) {
        if let Ok(mut m) = self.msg.lock() {
            *m = msg;
        }
        self.msg_fixed.store(fixed, Ordering::Release);
    }

    /// Forgets a cancellation that was requested but is void (its deadline's scope is over).
    pub fn clear_cancel(&self) {
        self.cancel.store(false, Ordering::Release);
    }

    /// Whether deadline `id` fired (and forgets it).
    pub fn take_fired(&self, id: u32) -> bool {
        let Ok(mut fired) = self.fired.lock() else { return false };
        let before = fired.len();
        fired.retain(|&f| f != id);
        fired.len() != before
    }

    /// Whether deadline `id` fired (and keeps it so).
    pub fn has_fired(&self, id: u32) -> bool {
        self.fired.lock().is_ok_and(|f| f.contains(&id))
    }

    /// Whether a deadline armed before `id` (an enclosing one) fired too.
    pub fn fired_before(&self, id: u32) -> bool {
        self.fired.lock().is_ok_and(|f| f.iter().any(|&other| other < id))
    }

    fn any_fired(&self) -> bool {
        self.fired.lock().is_ok_and(|f| !f.is_empty())
    }
}

/// What a suspended task's awaitable wakes: it notes that the awaitable is done, then wakes the
/// task ([`Interp::suspend`]).
impl Wake for Sig {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.store(true, Ordering::Release);
        if let Ok(w) = self.waker.lock() {
            if let Some(w) = w.as_ref() {
                w.wake_by_ref();
            }
        }
    }
}

/// Why a suspension ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// `task.cancel()`.
    Cancel,
    /// A deadline (`asyncio.timeout`, `wait_for`) fired.
    Deadline,
}

/// A done callback and who added it, so that it can remove it again (`owner` 0: nobody will).
struct DoneCallback {
    owner: usize,
    call: Callback,
}

/// What a done callback runs: the interpreter's own code, or the program's function (with the
/// line that added it), called with the task.
enum Callback {
    Native(Box<dyn FnOnce()>),
    Program(Value, u32),
}

/// A Python task (`asyncio.Task`); the main coroutine is task 0.
pub struct TaskObj {
    pub index: u32,
    pub label: Rc<str>,
    /// `get_name()`: `Task-1`, `Task-2`… in the order tasks were made, as CPython names them,
    /// or the name given (`create_task(coro, name=...)`, `set_name`).
    pub name: RefCell<Rc<str>>,
    result: RefCell<Option<Result<Value, Exc>>>,
    waiters: RefCell<Vec<Waker>>,
    /// Done callbacks (`add_done_callback`): called soon after it finishes, in order.
    callbacks: RefCell<Vec<DoneCallback>>,
    /// Called as it finishes, before anything waiting for it wakes: how `as_completed` learns
    /// the finishing order without looking at every task it was given each time.
    finish_hooks: RefCell<Vec<Box<dyn FnOnce()>>>,
    pub sig: Arc<Sig>,
    attempts: Cell<u32>,
    pub depth: Cell<u32>,
    /// The line it ran last (where it finished, for its `done` / `failed` mark).
    pub line: Cell<u32>,
    /// The line of its own statement running now (its coroutine's, not a function's it calls):
    /// where a span of its code that held the loop goes (see `held`).
    pub own_line: Cell<u32>,
    /// The exceptions being handled (`except` blocks entered), for a bare `raise`.
    pub handling: RefCell<Vec<Value>>,
    /// The never-awaited coroutines an exception raised here keeps alive, as CPython's
    /// traceback keeps the frames that held them: they warn once it is handled (see `lanes`).
    pub held_unawaited: RefCell<Vec<Rc<str>>>,
    /// Its result or exception was asked for (awaited, `result()`, `exception()`, a gather's
    /// or TaskGroup's): CPython's `Future.__log_traceback` cleared.
    retrieved: Cell<bool>,
    /// Its coroutine's `__qualname__` and first line (`co_firstlineno`: a decorated one's first
    /// decorator's), for asyncio's `future: <Task … defined at line N>` line.
    coro_def: RefCell<Option<(Rc<str>, u32)>>,
    /// Its coroutine took its first step (CPython's repr of a pending task says where it runs).
    started: Cell<bool>,
    cancelled: Cell<bool>,
    outcome: RefCell<Option<Outcome>>,
    /// When it finished, in finishing order (for `as_completed` and gather's first error).
    seq: Cell<u64>,
    group: RefCell<Option<Rc<GroupState>>>,
}

impl TaskObj {
    pub fn is_done(&self) -> bool {
        self.result.borrow().is_some()
    }

    /// Its result, as whoever retrieves it asks for it (see `retrieved`).
    pub fn result(&self) -> Option<Result<Value, Exc>> {
        self.retrieved.set(true);
        self.result.borrow().clone()
    }

    pub fn finish_seq(&self) -> u64 {
        self.seq.get()
    }

    pub fn set_group(&self, g: Rc<GroupState>) {
        *self.group.borrow_mut() = Some(g);
    }

    /// Calls `hook` as the task finishes (at once if it has).
    pub fn on_finish(&self, hook: Box<dyn FnOnce()>) {
        if self.is_done() {
            hook();
        } else {
            self.finish_hooks.borrow_mut().push(hook);
        }
    }

    /// Wakes `waker` when the task is done.
    pub fn add_waker(&self, waker: &Waker) {
        let mut waiters = self.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
    }

    pub fn was_cancelled(&self) -> bool {
        self.cancelled.get()
    }

    /// The coroutine it runs: its `__qualname__` and first line (see `coro_def`), and whether
    /// it has started.
    pub fn set_coro(&self, qualname: Rc<str>, first_line: u32, started: bool) {
        *self.coro_def.borrow_mut() = Some((qualname, first_line));
        self.started.set(started);
    }

    /// `repr(task)`, CPython's (`base_tasks._task_repr`) in awaitlab's words for a place in the
    /// program (`line 3` for `<file>:3`, as a traceback's frames): `<Task finished name='Task-2'
    /// coro=<work() done, defined at line 3> result=42>` (the result shortened by `reprlib`'s
    /// rules, an exception's repr whole: `exception=ValueError('x')`), `<Task cancelled …>`; a
    /// pending one `<Task pending name='Task-2' coro=<work() running at line 4>>` (`cancelling`
    /// once asked to), at its coroutine's first line until it starts, then at the line the task
    /// runs (CPython: its coroutine's own frame's), without CPython's `wait_for=` and `cb=`.
    pub fn repr(&self) -> String {
        thread_local!(static NESTED: Cell<u32> = const { Cell::new(0) });
        // A task whose result holds itself: CPython's repr recurses until it fails; cut here.
        let depth = NESTED.with(|n| n.replace(n.get() + 1));
        let out = if depth >= 8 { "<Task ...>".to_owned() } else { self.repr_info() };
        NESTED.with(|n| n.set(depth));
        out
    }

    fn repr_info(&self) -> String {
        let result = self.result.borrow();
        let state = match &*result {
            Some(_) if self.cancelled.get() => "cancelled",
            Some(_) => "finished",
            None if self.sig.cancelling() > 0 => "cancelling",
            None => "pending",
        };
        let mut out = format!("<Task {state} name={}", fmt::repr(&Value::Str(self.name.borrow().clone())));
        if let Some((name, def)) = &*self.coro_def.borrow() {
            out += &match &*result {
                Some(_) => format!(" coro=<{name}() done, defined at line {def}>"),
                None if self.started.get() => format!(" coro=<{name}() running at line {}>", self.line.get()),
                None => format!(" coro=<{name}() running at line {def}>"),
            };
        }
        match &*result {
            Some(Ok(v)) if !self.cancelled.get() => {
                out += " result=";
                out += &fmt::reprlib(v, &fmt::plain_order);
            }
            Some(Err(e)) if !self.cancelled.get() => {
                out += " exception=";
                out += &fmt::repr(&e.value);
            }
            _ => {}
        }
        out.push('>');
        out
    }

    /// The next attempt number of a span on this task's lane (each span gets its own).
    pub fn next_attempt(&self) -> u32 {
        let n = self.attempts.get() + 1;
        self.attempts.set(n);
        n
    }

    /// `task.cancel(msg)`: false if it is done already.
    pub fn cancel(&self, msg: Option<&str>) -> bool {
        !self.is_done() && self.sig.request_cancel(msg)
    }

    /// How the task ended, for the run's outcomes.
    pub fn outcome(&self) -> Outcome {
        self.outcome.borrow().clone().unwrap_or_else(|| Err("cancelled: the run ended first".into()))
    }

    /// Waits until the task is done (no cancellation handling: see [`Interp::join`]).
    pub fn done_future(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.is_done() {
                return Poll::Ready(());
            }
            self.add_waker(cx.waker());
            Poll::Pending
        })
    }
}

impl Drop for TaskObj {
    fn drop(&mut self) {
        let value = match self.result.get_mut().take() {
            Some(Ok(v)) => v,
            Some(Err(exc)) => exc.value,
            None => return,
        };
        super::value::bury(std::iter::once(value));
    }
}

/// A deadline's timer: when it fires, its task is cancelled and told why.
struct DeadlineWake {
    sig: Arc<Sig>,
    id: u32,
}

impl Wake for DeadlineWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if let Ok(mut fired) = self.sig.fired.lock() {
            fired.push(self.id);
        }
        self.sig.request_cancel(None);
    }
}

/// An armed deadline (`asyncio.timeout(s)`): dropping it disarms the timer.
pub struct Deadline {
    pub id: u32,
    _sleep: Option<Pin<Box<RunSleep>>>,
    /// Whether it is still armed (for a deadline already past, whose handler is called soon).
    armed: Rc<Cell<bool>>,
}

impl Drop for Deadline {
    fn drop(&mut self) {
        self.armed.set(false);
    }
}

impl<'a> Interp<'a> {
    /// Arms a deadline `ms` from now for `task`, now (as `loop.call_at` does when the timeout is
    /// entered), so a task exactly as long as its deadline times out, as in CPython.
    pub fn arm_deadline(&self, task: &TaskObj, ms: f64) -> Deadline {
        self.arm_deadline_as(task, ms, self.deadline_scope(task))
    }

    /// [`Interp::arm_deadline`] for the scope `id` (a Timeout rescheduled keeps its scope).
    pub fn arm_deadline_as(&self, task: &TaskObj, ms: f64, id: u32) -> Deadline {
        let waker = Waker::from(Arc::new(DeadlineWake { sig: task.sig.clone(), id }));
        let armed = Rc::new(Cell::new(true));
        if ms.is_nan() || ms <= 0.0 {
            // Already past: asyncio calls the handler soon (`loop.call_soon`), not at once, so
            // the task reaches its next await (and arms that sleep's timer) before it is cancelled.
            let still = armed.clone();
            self.lp.call_soon(move || {
                if still.get() {
                    waker.wake();
                }
            });
            return Deadline { id, _sleep: None, armed };
        }
        let mut sleep = Box::pin(self.ctx.clock.sleep(ms));
        if sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_ready() {
            waker.wake();
        }
        Deadline { id, _sleep: Some(sleep), armed }
    }

    /// How a waiter of `task` (in a Lock's, Semaphore's, Event's or Queue's queue) sees that the
    /// task was cancelled while it waits.
    pub fn cancel_probe(&self, task: &TaskObj) -> crate::core::aio::CancelProbe {
        let sig = task.sig.clone();
        Rc::new(move || sig.cancel.load(Ordering::Acquire))
    }

    /// Waits for `fut` in `task`, unless the task is cancelled first (by `task.cancel()` or a
    /// deadline): then `fut` is dropped and the interruption returned.
    ///
    /// A cancellation requested while the task ran (`task.cancel()` of itself) is CPython's
    /// `_must_cancel`: the await still starts (a sleep arms its timer, a waiter joins its queue,
    /// an awaited task is awaited), and only once it has yielded does the task's step cancel
    /// what it awaits, as a `task.cancel()` from elsewhere would; `CancelledError` is raised at
    /// the task's next step (the loop's next iteration), when `fut` is dropped (a sleep's timer
    /// is cancelled then, staying in the heap). An await that does not yield keeps the request
    /// for the next one.
    pub async fn suspend<T>(&self, task: &TaskObj, mut fut: Pin<&mut dyn Future<Output = T>>) -> Result<T, Interrupt> {
        // The task's waker is kept only while it is suspended here: a cancellation requested
        // while it runs (a deadline of 0 armed, `task.cancel()` of itself) must not schedule it
        // again, ahead of the tasks it goes on to create (it sees the request at its next await).
        // It is kept before `fut` is polled: `fut` wakes the task through its `Sig`, which
        // notes that what the task awaits is done (see [`Sig::pass_on`]).
        let keep_waker = |cx: &Context<'_>| {
            if let Ok(mut w) = task.sig.waker.lock() {
                if !w.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *w = Some(cx.waker().clone());
                }
            }
        };
        let forget_waker = || {
            if let Ok(mut w) = task.sig.waker.lock() {
                *w = None;
            }
        };
        let watch = Waker::from(task.sig.clone());
        let mut first = true;
        poll_fn(|cx| {
            if !first {
                // Polled again: the task's code runs on from here, unless it suspends again.
                self.code_starts(task);
            }
            task.sig.ready.store(false, Ordering::Release);
            if std::mem::take(&mut first) && task.sig.cancel.swap(false, Ordering::AcqRel) {
                keep_waker(cx);
                self.reaches_await(task);
                return match fut.as_mut().poll(&mut Context::from_waker(&watch)) {
                    Poll::Ready(v) => {
                        // Did not yield: the request waits for the next await.
                        self.await_returned();
                        forget_waker();
                        task.sig.cancel.store(true, Ordering::Release);
                        Poll::Ready(Ok(v))
                    }
                    Poll::Pending => {
                        // Requested now, as from elsewhere (counted already): the task is
                        // scheduled, or, if it awaits tasks, those are cancelled and it gets
                        // what they give (CPython's step cancels the future it now waits on).
                        let msg = task.sig.take_msg();
                        task.sig.pass_on(msg.as_deref());
                        self.yielded(task);
                        Poll::Pending
                    }
                };
            }
            if task.sig.cancel.swap(false, Ordering::AcqRel) {
                forget_waker();
                let why = if task.sig.any_fired() { Interrupt::Deadline } else { Interrupt::Cancel };
                return Poll::Ready(Err(why));
            }
            keep_waker(cx);
            self.reaches_await(task);
            match fut.as_mut().poll(&mut Context::from_waker(&watch)) {
                Poll::Ready(v) => {
                    self.await_returned();
                    forget_waker();
                    Poll::Ready(Ok(v))
                }
                Poll::Pending => {
                    self.yielded(task);
                    Poll::Pending
                }
            }
        })
        .await
    }

    /// The `CancelledError` an interruption raises in `task` (with `task.cancel(msg)`'s message).
    pub fn interrupted(&self, task: &TaskObj, why: Interrupt) -> Flow {
        let msg = if why == Interrupt::Cancel { task.sig.take_msg() } else { None };
        Flow::Raise(E::CancelledError, msg.unwrap_or_default())
    }

    /// A new task's record: its index (creation order), its lane label and `Spawn` mark.
    pub fn new_task(&self, label: Rc<str>, name: Option<Rc<str>>, line: u32) -> Result<Rc<TaskObj>, Flow> {
        let tasks = self.tasks.borrow_mut();
        // The main task is not counted.
        if tasks.len() > super::limits::MAX_TASKS {
            drop(tasks);
            return super::raise(
                E::RuntimeError,
                format!("the program created more than {} tasks", super::thousands(super::limits::MAX_TASKS as u64)),
            );
        }
        // CPython 3.12 numbers every task it makes, named or not.
        self.made_tasks.set(self.made_tasks.get() + 1);
        let name = name.unwrap_or_else(|| Rc::from(format!("Task-{}", self.made_tasks.get())));
        let task = Rc::new(TaskObj {
            index: tasks.len() as u32,
            label: label.clone(),
            name: RefCell::new(name),
            result: RefCell::default(),
            waiters: RefCell::default(),
            callbacks: RefCell::default(),
            finish_hooks: RefCell::default(),
            sig: Arc::default(),
            attempts: Cell::new(0),
            depth: Cell::new(0),
            line: Cell::new(line),
            own_line: Cell::new(line),
            handling: RefCell::default(),
            held_unawaited: RefCell::default(),
            retrieved: Cell::new(false),
            coro_def: RefCell::default(),
            started: Cell::new(false),
            cancelled: Cell::new(false),
            outcome: RefCell::default(),
            seq: Cell::new(0),
            group: RefCell::default(),
        });
        drop(tasks);
        self.check_events(line)?;
        self.tasks.borrow_mut().push(task.clone());
        self.mark(&task, Kind::Spawn, &label, line);
        Ok(task)
    }

    /// `asyncio.create_task(aw, name=name)`: a new task that awaits `aw` (a coroutine, or any
    /// awaitable), on a lane labelled with its `name=` if given (README: "the `name=` given"),
    /// else with the call that made `aw`.
    pub fn spawn(&self, aw: Value, name: Option<Rc<str>>, line: u32) -> Result<Rc<TaskObj>, Flow> {
        if !self.running.get() {
            return super::raise(
                E::RuntimeError,
                "no running event loop (create tasks inside the coroutine asyncio.run runs)",
            );
        }
        let written: Rc<str> = match &aw {
            Value::Coro(c) => c.label.borrow().clone(),
            Value::Task(_) => return super::raise(E::TypeError, "a coroutine was expected, got a Task"),
            Value::Obj(o) if o.is_awaitable() => Rc::from(o.label().as_str()),
            other => {
                return super::raise(
                    E::TypeError,
                    format!("a coroutine was expected, got {}", fmt::shorten(&fmt::repr(other), 40)),
                )
            }
        };
        let label = name.clone().unwrap_or(written);
        let task = self.new_task(label, name, line)?;
        match &aw {
            Value::Coro(c) => {
                c.disarm();
                task.set_coro(c.func.qualname(), c.func.first_line(), false);
            }
            // Owned by a task, as a coroutine would be: no warning even if cancelled unstarted.
            Value::Obj(o) => o.disarm(),
            _ => {}
        }
        let ip = self.rc();
        let t = task.clone();
        self.lp.spawn(async move { ip.task_body(t, aw, line).await });
        Ok(task)
    }

    /// Whether `task` was cancelled before its first step (and the message, taken).
    pub fn cancelled_before_start(&self, task: &TaskObj) -> Option<String> {
        task.sig.cancel.swap(false, Ordering::AcqRel).then(|| task.sig.take_msg().unwrap_or_default())
    }

    async fn task_body(self: Rc<Self>, task: Rc<TaskObj>, aw: Value, line: u32) {
        // A task cancelled before its first step never starts its coroutine.
        if let Some(msg) = self.cancelled_before_start(&task) {
            self.finish_task(&task, Err(Flow::Raise(E::CancelledError, msg)), false);
            return;
        }
        task.started.set(true);
        self.code_starts(&task);
        let frame = Frame::new(self.globals.clone(), None, task.clone(), task.label.clone(), line);
        let result = self.await_value(aw, &frame, line).await;
        drop(frame);
        self.finish_task(&task, result, false);
        self.release_unawaited(&task);
        self.warn_unawaited(&task, task.line.get());
        let failed = matches!(*task.result.borrow(), Some(Err(_)));
        if failed && !task.was_cancelled() && !task.retrieved.get() {
            self.unretrieved.borrow_mut().push(Rc::downgrade(&task));
            // Its step is over: nothing but the loop's list may hold it now (CPython collects it
            // at once then, and logs).
            drop(task);
            self.report_unretrieved();
        }
    }

    /// asyncio's `Task exception was never retrieved`, for each failed task nobody asked the
    /// exception of once nothing refers to it any more (here: nothing but the run's list of
    /// tasks), on its lane, now: its `future: <Task finished …>` line and traceback too.
    pub fn report_unretrieved(&self) {
        let waiting = std::mem::take(&mut *self.unretrieved.borrow_mut());
        let mut keep = Vec::new();
        for weak in waiting {
            let Some(task) = weak.upgrade() else { continue };
            if task.retrieved.get() {
                continue;
            }
            // The run's list and `task` here.
            if Rc::strong_count(&task) > 2 {
                keep.push(weak);
                continue;
            }
            let Some(Err(exc)) = task.result.borrow().clone() else { continue };
            let line = exc.trace.first().map_or(task.line.get(), |t| t.1);
            if self.check_events(line).is_err() {
                continue;
            }
            self.mark(&task, Kind::Print, "Task exception was never retrieved", line);
            // Each line of what follows is checked against the budget too (the traceback's as
            // it prints them): one logged now must not take what the run's end keeps back.
            if task.coro_def.borrow().is_some() && self.check_events(line).is_ok() {
                let future = format!("future: {}", task.repr());
                self.mark(&task, Kind::Print, &fmt::shorten(&future, crate::core::budget::MAX_PRINT_BYTES), line);
            }
            self.print_traceback(&task, &exc, Printer::Logging);
        }
        self.unretrieved.borrow_mut().extend(keep);
    }

    /// Records how `task` ended, keeps its result and wakes whoever awaits it. An uncaught
    /// exception in the main task prints its traceback, a `CancelledError` too.
    pub fn finish_task(&self, task: &Rc<TaskObj>, result: Res, is_main: bool) {
        // Its last stretch of code goes before how it ended.
        self.code_stops(task);
        let mut result = match result {
            Ok(v) | Err(Flow::Return(v)) => Ok(v),
            Err(Flow::Stop(msg)) => {
                self.mark(task, Kind::Print, &format!("awaitlab stopped the program: {msg}"), task.line.get());
                self.mark(task, Kind::Failed, &format!("stopped: {msg}"), task.line.get());
                *task.outcome.borrow_mut() = Some(Err(format!("stopped: {msg}").into()));
                *task.result.borrow_mut() = Some(Err(self.exc_of(Flow::Raise(E::RuntimeError, msg.to_string()))));
                self.wake_waiters(task);
                return;
            }
            Err(Flow::Break | Flow::Continue) => Ok(Value::None),
            Err(flow) => Err(self.exc_of(flow)),
        };
        // Cancelled right before its coroutine returned: the task ends cancelled (as in CPython),
        // with its cancellation's message; a `CancelledError` its coroutine raised leaves it
        // none (CPython's `Future.cancel()` without one: `gather` gives it `CancelledError('')`).
        if let (true, Some(msg)) = (result.is_ok(), task.sig.take_due_cancel()) {
            result = Err(self.exc_of(Flow::Raise(E::CancelledError, msg)));
        } else if result.as_ref().is_err_and(|e| self.is_instance_of(&e.value, E::CancelledError)) {
            task.sig.forget_cancel_message();
        }
        let outcome: Outcome = match &result {
            Ok(v) => {
                // The main lane is the coroutine `asyncio.run` ran: its `done` says what that
                // returned, at its last line (not the module's `None`, at the module's).
                let returned = if is_main { self.main_returned.borrow_mut().take() } else { None };
                let (text, line) = match returned {
                    Some((text, line)) => (text, line),
                    None => (fmt::shorten(&fmt::repr(v), 60), task.line.get()),
                };
                self.mark(task, Kind::Done, &text, line);
                Ok(text.into())
            }
            Err(exc) if self.is_instance_of(&exc.value, E::CancelledError) => {
                task.cancelled.set(true);
                // `asyncio.run` raises the main task's `CancelledError` out of the program.
                if is_main {
                    self.print_traceback(task, exc, Printer::Excepthook);
                }
                let msg = fmt::exc_str(&exc.value);
                let text = if msg.is_empty() { "cancelled".to_owned() } else { format!("cancelled: {msg}") };
                self.mark(task, Kind::Failed, &text, task.line.get());
                Err(text.into())
            }
            Err(exc) => {
                self.keep_traceback(exc);
                let text = self.exc_line(&exc.value);
                if is_main {
                    self.print_traceback(task, exc, Printer::Excepthook);
                }
                self.mark(task, Kind::Failed, &text, exc.trace.first().map_or(task.line.get(), |t| t.1));
                Err(text.into())
            }
        };
        *task.outcome.borrow_mut() = Some(outcome);
        *task.result.borrow_mut() = Some(result);
        self.wake_waiters(task);
    }

    fn wake_waiters(&self, task: &TaskObj) {
        task.sig.done.store(true, Ordering::Release);
        let seq = self.finished.get() + 1;
        self.finished.set(seq);
        task.seq.set(seq);
        let group = task.group.borrow_mut().take();
        if let Some(g) = group {
            // A done callback, as CPython's TaskGroup has: it runs after the tasks already
            // ready (a sibling whose sleep ended at the same time still ends normally), and the
            // group's body leaves `async with` only once every child's has run.
            let failure = match task.result() {
                Some(Err(exc)) if !task.was_cancelled() => Some(exc.value),
                _ => None,
            };
            let me = self.me.clone();
            self.lp.call_soon(move || {
                if let Some(ip) = me.upgrade() {
                    ip.group_child_done(&g, failure);
                }
            });
        }
        let hooks = std::mem::take(&mut *task.finish_hooks.borrow_mut());
        hooks.into_iter().for_each(|hook| hook());
        let callbacks = std::mem::take(&mut *task.callbacks.borrow_mut());
        callbacks.into_iter().for_each(|c| self.schedule_done_callback(task, c.call));
        let waiters = std::mem::take(&mut *task.waiters.borrow_mut());
        waiters.into_iter().for_each(Waker::wake);
    }

    /// `task.add_done_callback(callback)`: called soon after it finishes (soon, if it has).
    pub fn add_done_callback(&self, task: &TaskObj, callback: Box<dyn FnOnce()>) {
        self.add_owned_done_callback(task, 0, callback);
    }

    /// [`Interp::add_done_callback`] on behalf of `owner` (an address it keeps while the
    /// callback may run), who may remove it with [`Interp::remove_done_callbacks`].
    pub fn add_owned_done_callback(&self, task: &TaskObj, owner: usize, callback: Box<dyn FnOnce()>) {
        self.add_callback(task, DoneCallback { owner, call: Callback::Native(callback) });
    }

    /// The program's `task.add_done_callback(callback)`: `callback(task)` runs as a callback of
    /// the loop's ready queue (outside any task, as `call_soon`'s) once the task is done.
    pub fn add_program_done_callback(&self, task: &TaskObj, callback: Value, line: u32) {
        self.add_callback(task, DoneCallback { owner: 0, call: Callback::Program(callback, line) });
    }

    fn add_callback(&self, task: &TaskObj, callback: DoneCallback) {
        if task.is_done() {
            self.schedule_done_callback(task, callback.call);
        } else {
            task.callbacks.borrow_mut().push(callback);
        }
    }

    /// A done callback of `task`, into the ready queue (asyncio's `call_soon`).
    fn schedule_done_callback(&self, task: &TaskObj, call: Callback) {
        match call {
            Callback::Native(f) => self.lp.call_soon(f),
            Callback::Program(callback, line) => {
                let Some(task) = self.tasks.borrow().get(task.index as usize).cloned() else { return };
                let me = self.me.clone();
                self.lp.call_soon(move || match me.upgrade() {
                    Some(ip) if ip.running.get() => ip.run_callback(callback, vec![Value::Task(task)], None, line),
                    _ => {}
                });
            }
        }
    }

    /// `task.remove_done_callback(...)` of every callback `owner` added (none once it is done:
    /// they are scheduled already, as in asyncio).
    pub fn remove_done_callbacks(&self, task: &TaskObj, owner: usize) {
        task.callbacks.borrow_mut().retain(|c| c.owner != owner);
    }

    /// `await task` from `frame`'s task: its result, or its exception raised here. Cancelling
    /// the awaiting task cancels the awaited one, as asyncio does, and the awaiting task gets
    /// what the awaited one then gives (its result, if it swallows the `CancelledError`);
    /// cancelled once the awaited task is done, it gets `CancelledError` (CPython's
    /// `_must_cancel`: the task's `cancel()` found nothing to cancel).
    pub async fn join(&self, task: &Rc<TaskObj>, frame: &Frame) -> Res {
        if !task.is_done() {
            let mut done = std::pin::pin!(task.done_future());
            frame.task().sig.set_awaiting(std::slice::from_ref(task));
            let waited = self.suspend(&frame.task(), done.as_mut()).await;
            frame.task().sig.set_awaiting(&[]);
            frame.task().sig.take_passed();
            if let Err(why) = waited {
                // CPython throws the `CancelledError` the task ended with, if it did (with its
                // message), else one of its own.
                let interrupted = self.interrupted(&frame.task(), why);
                return match task.result() {
                    Some(Err(exc)) if self.is_instance_of(&exc.value, E::CancelledError) => {
                        Err(Flow::Exc(Box::new(exc)))
                    }
                    _ => Err(interrupted),
                };
            }
        }
        match task.result() {
            Some(Ok(v)) => Ok(v),
            Some(Err(exc)) => Err(Flow::Exc(Box::new(exc))),
            None => super::raise(E::RuntimeError, "a task ended without a result"),
        }
    }

    /// Cancels every task not done yet and waits until they are (what `asyncio.run` does when
    /// its main coroutine returns).
    pub async fn cancel_all_and_wait(&self, except: &TaskObj) {
        let pending: Vec<_> =
            self.tasks.borrow().iter().filter(|t| !t.is_done() && t.index != except.index).cloned().collect();
        for t in &pending {
            t.cancel(None);
        }
        for t in &pending {
            t.done_future().await;
        }
    }

    /// After a stop (a limit reached in one task): every other task's future is dropped, which
    /// closes its open spans as cancelled, and every task not done fails `stopped: …`, as at a
    /// deadlock. Without this their spans stayed open (the tasks' futures hold the interpreter,
    /// which holds the loop), and a Run JSON with an open span does not read back.
    pub fn stop_the_rest(&self, lp: &crate::core::aio::Loop<'a>) {
        lp.drop_tasks();
        let why = self.stopped.borrow().as_ref().map(|e| format!("stopped: {}", e.message)).unwrap_or_default();
        let tasks: Vec<_> = self.tasks.borrow().iter().filter(|t| t.outcome.borrow().is_none()).cloned().collect();
        for t in tasks {
            self.mark(&t, Kind::Failed, &why, t.line.get());
            *t.outcome.borrow_mut() = Some(Err(why.as_str().into()));
        }
    }

    /// A task-level mark on `task`'s lane.
    pub fn mark(&self, task: &TaskObj, kind: Kind, detail: &str, line: u32) {
        self.ctx.rec.record_line(task.index, 0, kind, Phase::Task, detail, line);
    }
}
