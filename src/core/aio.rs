// Over 400 lines: the loop, its tasks, done callbacks and Semaphore share private state (~70 lines are tests).
//! A small asyncio, inside one future: the patterns' tasks, run on any [`Clock`].
//!
//! The patterns teach asyncio, so they are run the way asyncio runs them, not the way Rust's
//! future combinators would: every `asyncio.create_task` is a task here, scheduled on a ready
//! queue that runs first in, first out; a task finishing schedules its done callbacks on that
//! queue (one step later, as `call_soon` does); a sleep's timer wakes its task through the queue;
//! `sleep(0)` goes to the back of it. What happens at one instant therefore happens in asyncio's
//! order: a task whose timer came due finishes before a cancellation caused by another task at
//! the same instant reaches it, and `asyncio.wait` sees every task that finished at that instant.
//!
//! [`Loop::run`] drives the queue inside the future that awaits it, so a run on the browser is
//! still one `spawn_local`ed future that can be aborted as a whole (dropping it drops every task,
//! and their open spans record `cancel`). Time is the clock's business: when the queue is empty
//! the loop's future waits, and the virtual clock jumps to its next timer or the browser's fires.
//!
//! Built here on top of that: [`Task`] (a handle: await it, cancel it, add done callbacks),
//! [`Signal`] (a future a callback sets) and [`Semaphore`] (asyncio's, FIFO, as in CPython 3.12).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// The ready queue, shared with the tasks' wakers (a `Waker` must be `Send`).
#[derive(Default)]
struct Ready {
    queue: Mutex<VecDeque<usize>>,
    /// Wakes the future that drives the loop.
    driver: Mutex<Option<Waker>>,
    /// Timer callbacks ([`Loop::timer_callback`]) queued since the last pass began.
    timers: AtomicUsize,
}

impl Ready {
    fn push(&self, id: usize) {
        let mut queue = self.queue.lock().expect("ready queue");
        queue.push_back(id);
        // Only the push onto an empty queue wakes the driver: it returns to its executor only
        // when the queue is empty, so any later push finds it woken or still running.
        if queue.len() == 1 {
            drop(queue);
            if let Some(w) = self.driver.lock().expect("driver waker").as_ref() {
                w.wake_by_ref();
            }
        }
    }
}

/// A task's waker: waking a task that is already queued does nothing (a task waits on one thing
/// at a time in asyncio, so it is never scheduled twice). Also a callback's
/// ([`Loop::callback_waker`]): only a task's step marks it unqueued again, so a callback is
/// queued once.
struct TaskWaker {
    id: usize,
    scheduled: AtomicBool,
    ready: Arc<Ready>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            self.ready.push(self.id);
        }
    }
}

/// A timer callback's waker ([`Loop::timer_callback`]): queues its slot, once.
struct TimerWaker {
    id: usize,
    woken: AtomicBool,
    ready: Arc<Ready>,
}

impl Wake for TimerWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            self.ready.timers.fetch_add(1, Ordering::AcqRel);
            self.ready.push(self.id);
        }
    }
}

/// The id of the task [`Loop::run`] drives itself (the `main()` coroutine).
const MAIN: usize = usize::MAX;

/// What the ready queue can step: a task, or a callback (`call_soon`) that runs once.
enum Slot<'a> {
    Task {
        fut: Pin<Box<dyn Future<Output = ()> + 'a>>,
        waker: Arc<TaskWaker>,
    },
    Callback(Box<dyn FnOnce() + 'a>),
    /// One task's turn of its gather's count ([`Countdown`]).
    Countdown(Rc<Countdown>),
    /// A timer's callback ([`Loop::timer_callback`]): run before the pass it is queued in.
    Timer(Box<dyn FnOnce() + 'a>),
}

struct State<'a> {
    ready: Arc<Ready>,
    /// Spawned tasks by id; `None` once finished (ids are never reused, so a late wake-up of a
    /// finished task cannot step another one).
    tasks: RefCell<Vec<Option<Slot<'a>>>>,
    start_iteration: Box<dyn Fn() + 'a>,
}

/// The run's event loop. Cheap to clone; clones share the queue. Tasks may borrow anything that
/// outlives `'a`.
#[derive(Clone)]
pub struct Loop<'a> {
    state: Rc<State<'a>>,
}

impl<'a> Loop<'a> {
    /// A loop that calls `start_iteration` at the start of each pass over the ready queue
    /// ([`crate::core::clock::Clock::start_iteration`]).
    pub fn new(start_iteration: impl Fn() + 'a) -> Self {
        Loop {
            state: Rc::new(State {
                ready: Arc::default(),
                tasks: RefCell::default(),
                start_iteration: Box::new(start_iteration),
            }),
        }
    }

    /// `asyncio.create_task`: schedules `fut`'s first step at the back of the ready queue.
    pub fn spawn<F>(&self, fut: F) -> Task<'a, F::Output>
    where
        F: Future + 'a,
        F::Output: 'a,
    {
        let cell = Rc::new(TaskCell { lp: Rc::downgrade(&self.state), ..TaskCell::default() });
        let waker = self.spawn_to(fut, cell.clone());
        Task { cell, waker }
    }

    /// [`Loop::spawn`] of a task whose end goes to `end`; returns its waker.
    fn spawn_to<F, E>(&self, fut: F, end: E) -> Arc<TaskWaker>
    where
        F: Future + 'a,
        E: TaskEnd<F::Output> + 'a,
    {
        // One allocation for the task and its coroutine together.
        let wrapped = Box::pin(TaskBody { fut: Some(fut), end });
        let mut tasks = self.state.tasks.borrow_mut();
        let waker =
            Arc::new(TaskWaker { id: tasks.len(), scheduled: AtomicBool::new(false), ready: self.state.ready.clone() });
        tasks.push(Some(Slot::Task { fut: wrapped, waker: waker.clone() }));
        drop(tasks);
        waker.wake_by_ref();
        waker
    }

    /// `loop.call_soon(f)`: runs `f` when its turn in the ready queue comes.
    pub fn call_soon(&self, f: impl FnOnce() + 'a) {
        self.call_soon_slot(Slot::Callback(Box::new(f)));
    }

    /// [`Loop::call_soon`] of a callback slot: queued as it is, no task around it.
    fn call_soon_slot(&self, callback: Slot<'a>) {
        let mut tasks = self.state.tasks.borrow_mut();
        let id = tasks.len();
        tasks.push(Some(callback));
        drop(tasks);
        self.state.ready.push(id);
    }

    /// `loop.call_at(when, f)`'s callback: `f` runs once the returned waker is woken (by its
    /// timer, as it fires). asyncio runs a timer's callback in the iteration that collects the
    /// timer, in heap order among that iteration's ready handles, so what the callback schedules
    /// runs in the next iteration, in that order with the tasks of the timers collected with it.
    /// Here the timers' wakers queue their tasks for the loop's next pass, so `f` runs at the
    /// start of that pass, before any of it, and what `f` queues takes `f`'s place in it.
    /// [`Loop::forget_timer_callback`] drops it unrun (`TimerHandle.cancel()`).
    pub fn timer_callback(&self, f: impl FnOnce() + 'a) -> (usize, Waker) {
        let mut tasks = self.state.tasks.borrow_mut();
        let id = tasks.len();
        tasks.push(Some(Slot::Timer(Box::new(f))));
        let waker = TimerWaker { id, woken: AtomicBool::new(false), ready: self.state.ready.clone() };
        (id, Waker::from(Arc::new(waker)))
    }

    /// Drops timer callback `id` ([`Loop::timer_callback`]) if it has not run.
    pub fn forget_timer_callback(&self, id: usize) {
        let slot = match self.state.tasks.borrow_mut().get_mut(id) {
            Some(slot @ Some(Slot::Timer(_) | Slot::Callback(_))) => slot.take(),
            _ => None,
        };
        drop(slot); // with the list no longer borrowed
    }

    /// `loop.call_soon_threadsafe(f)`, made now and called whenever the returned waker is woken
    /// (from anywhere, a `Drop` included): `f` runs in the ready queue's turn, as `call_soon`'s
    /// callbacks do. [`Loop::forget_timer_callback`] drops it unrun.
    pub fn callback_waker(&self, f: impl FnOnce() + 'a) -> (usize, Waker) {
        let mut tasks = self.state.tasks.borrow_mut();
        let id = tasks.len();
        tasks.push(Some(Slot::Callback(Box::new(f))));
        let waker = TaskWaker { id, scheduled: AtomicBool::new(false), ready: self.state.ready.clone() };
        (id, Waker::from(Arc::new(waker)))
    }

    /// Runs the timer callbacks queued in `pass`, each where it stands: what it queues replaces
    /// it there ([`Loop::timer_callback`]). The tasks queued after it in `pass` were woken by
    /// timers after it in the heap, whose callbacks asyncio runs after this one: one this
    /// callback wakes (a task whose sleep it cancels) is queued here, not there.
    ///
    /// One walk over `pass`: the tasks not reached yet are marked unscheduled, so a callback's
    /// wake-up queues them again (in its place, and their later entry is skipped); a task is
    /// marked scheduled again when the walk reaches it, so a later callback's wake-up of it is a
    /// no-op, as for any queued task.
    fn run_timer_callbacks(&self, pass: &mut VecDeque<usize>, main: &Arc<TaskWaker>) {
        let ready = &self.state.ready;
        let ids: Vec<usize> = pass.drain(..).collect();
        let waker_of = |id: usize| match self.state.tasks.borrow().get(id) {
            _ if id == MAIN => Some(main.clone()),
            Some(Some(Slot::Task { waker, .. })) => Some(waker.clone()),
            _ => None,
        };
        let wakers: Vec<Option<Arc<TaskWaker>>> = ids.iter().map(|&id| waker_of(id)).collect();
        let mut not_reached: rustc_hash::FxHashSet<usize> = rustc_hash::FxHashSet::default();
        for (w, &id) in wakers.iter().zip(&ids) {
            if let Some(w) = w {
                w.scheduled.store(false, Ordering::Release);
                not_reached.insert(id);
            }
        }
        for (&id, waker) in ids.iter().zip(&wakers) {
            if let Some(w) = waker {
                // Queued earlier by a callback (it woke it), or reached now: in either case it is
                // scheduled from here on.
                if not_reached.remove(&id) {
                    w.scheduled.store(true, Ordering::Release);
                    pass.push_back(id);
                }
                continue;
            }
            let timer = match self.state.tasks.borrow_mut().get_mut(id) {
                Some(slot @ Some(Slot::Timer(_))) => slot.take(),
                _ => None,
            };
            let Some(Slot::Timer(f)) = timer else {
                pass.push_back(id);
                continue;
            };
            f();
            for woken in ready.queue.lock().expect("ready queue").drain(..) {
                not_reached.remove(&woken);
                pass.push_back(woken);
            }
        }
    }

    /// `asyncio.run(main)`: runs `main` as the first task and the queue until `main` is done,
    /// then returns its output. Tasks still unfinished then are dropped with the loop.
    pub async fn run<F: Future>(&self, main: F) -> F::Output {
        let ready = self.state.ready.clone();
        let main_waker = Arc::new(TaskWaker { id: MAIN, scheduled: AtomicBool::new(false), ready: ready.clone() });
        let main_waker_handle = Waker::from(main_waker.clone());
        main_waker.wake_by_ref();
        let mut main = pin!(main);
        let mut output = None;
        // This pass's part of the queue (kept between passes for its room).
        let mut pass = VecDeque::new();
        poll_fn(|cx| {
            *ready.driver.lock().expect("driver waker") = Some(cx.waker().clone());
            loop {
                if ready.queue.lock().expect("ready queue").is_empty() {
                    return Poll::Pending;
                }
                (self.state.start_iteration)();
                // A pass steps what is queued after the clock's house-keeping, which may wake
                // tasks (timers collected late: armed already due, or come due while CPU work
                // blocked the loop), as asyncio counts its ready queue after collecting due
                // timers; what they queue waits for the next pass. Taken out whole: the queue is
                // the same, one lock a pass instead of a step.
                std::mem::swap(&mut *ready.queue.lock().expect("ready queue"), &mut pass);
                if ready.timers.swap(0, Ordering::AcqRel) > 0 {
                    self.run_timer_callbacks(&mut pass, &main_waker);
                }
                for id in pass.drain(..) {
                    if id == MAIN {
                        main_waker.scheduled.store(false, Ordering::Release);
                        if let Poll::Ready(out) = main.as_mut().poll(&mut Context::from_waker(&main_waker_handle)) {
                            output = Some(out);
                        }
                    } else {
                        self.step(id);
                    }
                }
                // Like `run_until_complete`, stop at the end of the pass in which main finished.
                if let Some(out) = output.take() {
                    return Poll::Ready(out);
                }
            }
        })
        .await
    }

    /// Drops every task and callback not run yet (a run stopped at a limit: its tasks' futures
    /// will never be polled again, and dropping them closes their open spans as cancelled).
    pub fn drop_tasks(&self) {
        // Dropping a task can wake others; drop them with the list no longer borrowed.
        let tasks = std::mem::take(&mut *self.state.tasks.borrow_mut());
        drop(tasks);
    }

    /// One step of task `id`: polls it once, drops it when it is finished (a callback runs once).
    fn step(&self, id: usize) {
        let Some(slot) = self.state.tasks.borrow_mut().get_mut(id).and_then(Option::take) else { return };
        match slot {
            Slot::Callback(f) => f(),
            Slot::Countdown(c) => c.tick(),
            // Queued while a pass ran (not by a timer of the clock's): it runs in its turn.
            Slot::Timer(f) => f(),
            Slot::Task { mut fut, waker } => {
                waker.scheduled.store(false, Ordering::Release);
                let cx_waker = Waker::from(waker.clone());
                if fut.as_mut().poll(&mut Context::from_waker(&cx_waker)).is_pending() {
                    self.state.tasks.borrow_mut()[id] = Some(Slot::Task { fut, waker });
                }
            }
        }
    }
}

impl Drop for State<'_> {
    fn drop(&mut self) {
        // Dropping a task can wake others; drop them with the list no longer borrowed.
        let tasks = std::mem::take(self.tasks.get_mut());
        drop(tasks);
    }
}

/// A task's result when it was cancelled (`asyncio.CancelledError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

enum DoneCallback<'a> {
    /// A task awaiting this one: woken, which queues its step.
    Wake(Waker),
    /// Anything else (`add_done_callback`): run in its own turn of the queue.
    Call(Box<dyn FnOnce() + 'a>),
    /// Counts the task down for its `gather` or `wait`, in its own turn of the queue too.
    Countdown(Rc<Countdown>),
}

/// A task's done callbacks, in the order they were added. Nearly every task has exactly one (its
/// gather's, or the task awaiting it): that one is kept inline, without a `Vec` of its own.
#[derive(Default)]
struct Callbacks<'a> {
    first: Option<DoneCallback<'a>>,
    rest: Vec<DoneCallback<'a>>,
}

impl<'a> Callbacks<'a> {
    fn push(&mut self, callback: DoneCallback<'a>) {
        match self.first {
            None => self.first = Some(callback),
            Some(_) => self.rest.push(callback),
        }
    }
}

struct TaskCell<'a, T> {
    lp: Weak<State<'a>>,
    result: RefCell<Option<Result<T, Cancelled>>>,
    callbacks: RefCell<Callbacks<'a>>,
    cancel_requested: Cell<bool>,
    on_cancel: RefCell<Option<Box<dyn FnOnce() + 'a>>>,
}

impl<T> Default for TaskCell<'_, T> {
    fn default() -> Self {
        TaskCell {
            lp: Weak::new(),
            result: RefCell::new(None),
            callbacks: RefCell::default(),
            cancel_requested: Cell::new(false),
            on_cancel: RefCell::default(),
        }
    }
}

/// [`Loop::call_soon_slot`] on the loop, if it is still there.
fn call_soon<'a>(lp: &Weak<State<'a>>, callback: Slot<'a>) {
    if let Some(state) = lp.upgrade() {
        Loop { state }.call_soon_slot(callback);
    }
}

impl<'a, T> TaskCell<'a, T> {
    fn schedule(&self, callback: DoneCallback<'a>) {
        match callback {
            DoneCallback::Wake(w) => w.wake(),
            DoneCallback::Call(f) => call_soon(&self.lp, Slot::Callback(f)),
            DoneCallback::Countdown(c) => call_soon(&self.lp, Slot::Countdown(c)),
        }
    }

    fn finish(&self, result: Result<T, Cancelled>) {
        *self.result.borrow_mut() = Some(result);
        let Callbacks { first, rest } = std::mem::take(&mut *self.callbacks.borrow_mut());
        first.into_iter().chain(rest).for_each(|c| self.schedule(c));
    }
}

/// Where a task's end goes: its [`Task`] handle's cell, or its place in a [`gather`].
trait TaskEnd<T> {
    /// Whether `task.cancel()` was called: the body is dropped at its next step.
    fn cancel_requested(&self) -> bool;
    /// Keeps the task's result (`Err` when it was cancelled) and schedules its done callbacks.
    fn finish(&self, result: Result<T, Cancelled>);
}

impl<T> TaskEnd<T> for Rc<TaskCell<'_, T>> {
    fn cancel_requested(&self) -> bool {
        self.cancel_requested.get()
    }
    fn finish(&self, result: Result<T, Cancelled>) {
        if result.is_err() {
            let on_cancel = self.on_cancel.borrow_mut().take();
            if let Some(f) = on_cancel {
                f();
            }
        }
        TaskCell::finish(self, result);
    }
}

pin_project_lite::pin_project! {
    /// The spawned task: its coroutine, dropped at the step after a cancel request (where asyncio
    /// throws `CancelledError` into it), then its result and done callbacks.
    ///
    /// A struct rather than an `async fn`: an `async fn` keeps its argument and the local it is
    /// pinned in as two copies, which doubled a 100,000-task run's memory.
    struct TaskBody<F, E> {
        // Pinned in place (the task's one allocation) and dropped in place when it ends.
        #[pin]
        fut: Option<F>,
        end: E,
    }
}

impl<F: Future, E: TaskEnd<F::Output>> Future for TaskBody<F, E> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let Some(fut) = this.fut.as_mut().as_pin_mut() else { return Poll::Ready(()) };
        let output = if this.end.cancel_requested() {
            Err(Cancelled)
        } else {
            match fut.poll(cx) {
                Poll::Ready(out) => Ok(out),
                Poll::Pending => return Poll::Pending,
            }
        };
        this.fut.set(None); // a cancelled coroutine's open spans record `cancel`
        this.end.finish(output);
        Poll::Ready(())
    }
}

/// A spawned task (`asyncio.Task`). Clones refer to the same task.
pub struct Task<'a, T> {
    cell: Rc<TaskCell<'a, T>>,
    waker: Arc<TaskWaker>,
}

impl<T> Clone for Task<'_, T> {
    fn clone(&self) -> Self {
        Task { cell: self.cell.clone(), waker: self.waker.clone() }
    }
}

impl<'a, T: Clone> Task<'a, T> {
    /// Whether the task has finished (with a result or cancelled).
    pub fn is_done(&self) -> bool {
        self.cell.result.borrow().is_some()
    }

    /// The task's result, once it is done.
    pub fn result(&self) -> Option<Result<T, Cancelled>> {
        self.cell.result.borrow().clone()
    }

    /// `task.cancel()`: unless the task is done, it is dropped at its next step, which is queued
    /// now if it was not already. `on_cancel` runs then, after its spans have closed. Returns
    /// whether the request was made.
    ///
    /// Unlike asyncio, the future the task awaits is not cancelled at once but when the task
    /// steps; no pattern cancels a task waiting on something another task could hand it.
    pub fn cancel(&self, on_cancel: impl FnOnce() + 'a) -> bool {
        if self.is_done() || self.cell.cancel_requested.get() {
            return false;
        }
        self.cell.cancel_requested.set(true);
        *self.cell.on_cancel.borrow_mut() = Some(Box::new(on_cancel));
        self.waker.wake_by_ref();
        true
    }

    /// `task.add_done_callback(f)`: `f` runs in its own turn of the queue once the task is done
    /// (at once, queued, if it already is).
    pub fn add_done_callback(&self, f: impl FnOnce() + 'a) {
        self.add_callback(DoneCallback::Call(Box::new(f)));
    }

    fn add_callback(&self, callback: DoneCallback<'a>) {
        if self.is_done() {
            self.cell.schedule(callback);
        } else {
            self.cell.callbacks.borrow_mut().push(callback);
        }
    }

    /// `await task`: its result once it is done.
    pub async fn join(&self) -> Result<T, Cancelled> {
        let mut registered = false;
        poll_fn(|cx| {
            if let Some(result) = self.result() {
                return Poll::Ready(result);
            }
            if !registered {
                registered = true;
                self.cell.callbacks.borrow_mut().push(DoneCallback::Wake(cx.waker().clone()));
            }
            Poll::Pending
        })
        .await
    }
}

/// A future that a callback completes (an `asyncio.Future` used as a waiter): setting it queues
/// the task awaiting it.
#[derive(Default)]
pub struct Signal {
    set: Cell<bool>,
    waiter: RefCell<Option<Waker>>,
}

impl Signal {
    /// Completes the signal (once; later calls do nothing).
    pub fn set(&self) {
        if !self.set.replace(true) {
            if let Some(w) = self.waiter.borrow_mut().take() {
                w.wake();
            }
        }
    }

    /// Whether it is set.
    pub fn is_set(&self) -> bool {
        self.set.get()
    }

    /// Waits until it is set (returns at once, without yielding, if it is).
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.set.get() {
                return Poll::Ready(());
            }
            *self.waiter.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// What `gather` and `wait` register on each of their tasks (asyncio's `_done_callback`): one
/// count for all of them, ticked in its own turn of the queue as each task finishes; the last
/// tick sets `done`.
struct Countdown {
    left: Cell<usize>,
    done: Signal,
}

impl Countdown {
    fn new(tasks: usize) -> Rc<Self> {
        Rc::new(Countdown { left: Cell::new(tasks), done: Signal::default() })
    }

    fn tick(&self) {
        self.left.set(self.left.get() - 1);
        if self.left.get() == 0 {
            self.done.set();
        }
    }
}

/// A [`gather`]'s children's results, by task.
struct Gathering<'a, T> {
    lp: Weak<State<'a>>,
    results: RefCell<Vec<Option<T>>>,
    countdown: Rc<Countdown>,
}

/// A gathered task's end: its place in the results. Nothing cancels a gathered task (a `what_if`
/// cancel happens inside its body), so it needs no [`Task`] handle of its own.
struct Gathered<'a, T> {
    gathering: Rc<Gathering<'a, T>>,
    index: usize,
}

impl<T> TaskEnd<T> for Gathered<'_, T> {
    fn cancel_requested(&self) -> bool {
        false
    }
    fn finish(&self, result: Result<T, Cancelled>) {
        let g = &self.gathering;
        g.results.borrow_mut()[self.index] = result.ok();
        call_soon(&g.lp, Slot::Countdown(g.countdown.clone()));
    }
}

/// `asyncio.gather(*tasks, return_exceptions=True)` over tasks spawned in order: every result, in
/// task order, once all are done. As in asyncio, each finished task reports through a done
/// callback, and the last one wakes the caller.
pub async fn gather<'a, T: 'a>(lp: &Loop<'a>, futs: impl IntoIterator<Item = impl Future<Output = T> + 'a>) -> Vec<T> {
    let futs = futs.into_iter();
    let n = futs.size_hint().0;
    // Room for every task and, later, its done callback's turn in the queue.
    lp.state.tasks.borrow_mut().reserve(2 * n);
    let gathering = Rc::new(Gathering {
        lp: Rc::downgrade(&lp.state),
        results: RefCell::new(Vec::with_capacity(n)),
        countdown: Countdown::new(0),
    });
    for (index, fut) in futs.enumerate() {
        gathering.results.borrow_mut().push(None);
        lp.spawn_to(fut, Gathered { gathering: gathering.clone(), index });
    }
    let tasks = gathering.results.borrow().len();
    if tasks > 0 {
        gathering.countdown.left.set(tasks); // before any task has run
        gathering.countdown.done.wait().await;
    }
    let results = std::mem::take(&mut *gathering.results.borrow_mut());
    results.into_iter().map(|r| r.expect("a gathered task is never cancelled")).collect()
}

/// Waits until every task is done (`asyncio.wait(tasks)`), each reporting through a done callback.
pub async fn wait_all<'a, T: Clone + 'a>(tasks: &[Task<'a, T>]) {
    if tasks.is_empty() {
        return;
    }
    let countdown = Countdown::new(tasks.len());
    for t in tasks {
        t.add_callback(DoneCallback::Countdown(countdown.clone()));
    }
    countdown.done.wait().await;
}

/// asyncio's `Semaphore` as in CPython 3.12: acquiring never overtakes a waiter, `release` hands
/// the permit to the first waiter, and a woken waiter that finds permits left wakes the next.
///
/// A waiter can be told how to see that its task was cancelled ([`Semaphore::acquire_with`]):
/// asyncio cancels the waiter's future at once (`Task.cancel()`), while the task only leaves the
/// queue at its next step; meanwhile a cancelled waiter neither holds the semaphore locked nor
/// is handed a permit.
pub struct Semaphore {
    value: Cell<usize>,
    waiters: RefCell<VecDeque<Rc<SemWaiter>>>,
    /// `asyncio.Lock`'s rules, which differ from a semaphore of one for cancelled waiters:
    /// `release` wakes the first waiter only (none if it is cancelled), and a cancelled waiter
    /// leaving a free lock wakes the next.
    lock: bool,
}

/// Whether the task of a waiter was cancelled (asked while it waits).
pub type CancelProbe = Rc<dyn Fn() -> bool>;

struct SemWaiter {
    done: Cell<bool>,
    waker: RefCell<Option<Waker>>,
    cancel: Option<CancelProbe>,
}

impl SemWaiter {
    /// Its future cancelled: its task was cancelled before a permit was handed to it.
    fn cancelled(&self) -> bool {
        !self.done.get() && self.cancel.as_ref().is_some_and(|c| c())
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore { value: Cell::new(permits), waiters: RefCell::default(), lock: false }
    }

    /// `asyncio.Lock()`: one permit, with the lock's rules.
    pub fn new_lock() -> Self {
        Semaphore { lock: true, ..Semaphore::new(1) }
    }

    /// Whether an `acquire` now would wait (asyncio 3.12's `Semaphore.locked()`: no permit
    /// left, or tasks waiting, a woken one included until it runs; cancelled ones not).
    pub fn locked(&self) -> bool {
        self.value.get() == 0 || self.waiters.borrow().iter().any(|w| !w.cancelled())
    }

    /// `async with sem:` — a permit, given back when the returned guard is dropped.
    pub async fn acquire(&self) -> Permit<'_> {
        self.acquire_with(None).await
    }

    /// [`Semaphore::acquire`] by a task whose cancellation `cancel` tells.
    pub async fn acquire_with(&self, cancel: Option<CancelProbe>) -> Permit<'_> {
        if !self.locked() {
            self.value.set(self.value.get() - 1);
            return Permit { sem: self };
        }
        let waiter = Rc::new(SemWaiter { done: Cell::new(false), waker: RefCell::default(), cancel });
        self.waiters.borrow_mut().push_back(waiter.clone());
        let queued = Queued { sem: self, waiter: waiter.clone() };
        poll_fn(|cx| {
            if waiter.done.get() {
                return Poll::Ready(());
            }
            *waiter.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
        queued.leave();
        // asyncio's `finally:` wakes as many waiters as there are permits left (a lock: none).
        while !self.lock && self.value.get() > 0 && self.wake_up_next() {}
        Permit { sem: self }
    }

    /// Gives a permit back and wakes the first waiter, if any.
    pub fn release(&self) {
        self.value.set(self.value.get() + 1);
        self.wake_up_next();
    }

    /// Hands a permit to the first waiter neither woken nor cancelled (a lock: to the first
    /// waiter, if it is neither); returns whether it did.
    fn wake_up_next(&self) -> bool {
        let next = {
            let waiters = self.waiters.borrow();
            let ready = |w: &&Rc<SemWaiter>| !w.done.get() && !w.cancelled();
            if self.lock {
                waiters.front().filter(ready).cloned()
            } else {
                waiters.iter().find(ready).cloned()
            }
        };
        let Some(w) = next else { return false };
        self.value.set(self.value.get() - 1);
        w.done.set(true);
        if let Some(waker) = w.waker.borrow_mut().take() {
            waker.wake();
        }
        true
    }
}

/// A waiter's place in the semaphore's queue. Dropped while still queued (its task was
/// cancelled), it leaves the queue, and a permit it had been handed goes to the next waiter.
struct Queued<'s> {
    sem: &'s Semaphore,
    waiter: Rc<SemWaiter>,
}

impl Queued<'_> {
    fn leave(self) {
        self.remove();
        std::mem::forget(self);
    }

    fn remove(&self) {
        let mut waiters = self.sem.waiters.borrow_mut();
        if let Some(i) = waiters.iter().position(|w| Rc::ptr_eq(w, &self.waiter)) {
            waiters.remove(i);
        }
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.remove();
        if self.waiter.done.get() {
            self.sem.value.set(self.sem.value.get() + 1);
        }
        // asyncio's `finally:` of `Semaphore.acquire` wakes as many as there are permits; a
        // lock's `except CancelledError:` wakes the first waiter if the lock is free.
        while self.sem.value.get() > 0 && self.sem.wake_up_next() && !self.sem.lock {}
    }
}

/// A held permit of a [`Semaphore`]; dropping it releases the permit.
pub struct Permit<'s> {
    sem: &'s Semaphore,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.sem.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::{Clock, VirtualClock};

    fn log() -> Rc<RefCell<Vec<String>>> {
        Rc::default()
    }

    #[test]
    fn tasks_start_in_creation_order_and_sleep_zero_goes_to_the_back() {
        let clock = VirtualClock::new();
        let lp = Loop::new(|| {});
        let out = log();
        let main = async {
            let tasks: Vec<_> = (0..3)
                .map(|i| {
                    let (c, out) = (clock.clone(), out.clone());
                    lp.spawn(async move {
                        out.borrow_mut().push(format!("{i} start"));
                        c.sleep(0.0).await;
                        out.borrow_mut().push(format!("{i} resumed"));
                    })
                })
                .collect();
            wait_all(&tasks).await;
        };
        clock.block_on(lp.run(main)).unwrap();
        assert_eq!(*out.borrow(), ["0 start", "1 start", "2 start", "0 resumed", "1 resumed", "2 resumed"]);
    }

    #[test]
    fn a_task_cancelled_at_its_timers_instant_has_already_finished() {
        let clock = VirtualClock::new();
        let lp = Loop::new(|| {});
        let main = async {
            let c = clock.clone();
            let a = lp.spawn(async move { c.sleep(10.0).await });
            let c = clock.clone();
            let b = lp.spawn(async move { c.sleep(10.0).await });
            a.join().await.unwrap();
            // `b`'s timer fired with `a`'s: it is done, so there is nothing to cancel.
            (b.cancel(|| {}), b.result())
        };
        let (cancelled, result) = clock.block_on(lp.run(main)).unwrap();
        assert!(!cancelled);
        assert_eq!(result, Some(Ok(())));
    }

    #[test]
    fn semaphore_hands_permits_over_first_come_first_served() {
        let clock = VirtualClock::new();
        let sem = Semaphore::new(1);
        let lp = Loop::new(|| {});
        let out = log();
        let main = async {
            let tasks: Vec<_> = (0..3)
                .map(|i| {
                    let (c, out, sem) = (clock.clone(), out.clone(), &sem);
                    lp.spawn(async move {
                        let _permit = sem.acquire().await;
                        out.borrow_mut().push(format!("{i}@{}", c.now()));
                        c.sleep(5.0).await;
                    })
                })
                .collect();
            wait_all(&tasks).await;
        };
        clock.block_on(lp.run(main)).unwrap();
        assert_eq!(*out.borrow(), ["0@0", "1@5", "2@10"]);
    }
}
