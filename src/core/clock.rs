// Over 400 lines only with its tests (~55 lines); the code is ~350.
//! The clock abstraction every pattern is written against, and the virtual clock that runs them in
//! simulated time.
//!
//! A [`Clock`] gives the current time in milliseconds and a future that completes after a delay. The
//! browser runtime implements it over `performance.now()` and timers; [`VirtualClock`] implements it
//! with a single-threaded executor that, whenever nothing is ready to run, jumps time straight to the
//! next timer. A 100 ms sleep therefore costs no real time, and the same seed always gives the same
//! timeline.
//!
//! # What the virtual clock guarantees
//!
//! It is CPython's event loop (`BaseEventLoop._run_once`, 3.12) with a virtual clock: the patterns
//! run as [`crate::core::aio`] tasks, and the clock keeps its timers the way asyncio does, so the
//! prediction is what CPython's asyncio does on the same plan, event for event:
//!
//! - timers live in a binary heap ordered by deadline, with CPython's `heapq` algorithm; timers
//!   with *exactly* equal deadlines fire in the order they were armed. On a real clock time moves
//!   between two `call_later`s (by nanoseconds), so of two timers with the same delay the one
//!   armed later is due later: eight tasks that each sleep 1 s wake in the order they slept, as
//!   on CPython. Only a virtual clock makes such deadlines equal, and `heapq` alone would pop
//!   them in an order of its own (the reference scripts' `ArmedTimerHandle` orders CPython's
//!   timers the same way);
//! - every timer due within [`CLOCK_RESOLUTION_MS`] of the earliest one fires in the same step;
//! - cancelled timers stay in the heap until they reach its head, or until more than half of over
//!   100 timers are cancelled, when the heap is rebuilt (asyncio's `_timer_cancelled_count`);
//! - `sleep(0)` (or less) yields to the loop once instead of arming a timer, as `asyncio.sleep(0)`;
//!   [`Clock::timer`] arms one even then, as `loop.call_later(0, ...)`, and every iteration
//!   collects the timers already due (asyncio's `_run_once` does, even with callbacks ready).
//!
//! `scripts/asyncio_reference.py` runs CPython's own loop on a virtual clock and
//! `tests/core_asyncio_matrix.rs` compares the two on thousands of scenarios.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use slab::Slab;

/// Time source and timer for the patterns. Times are milliseconds on the clock's own scale.
pub trait Clock: Clone + 'static {
    /// What [`Clock::sleep`] returns.
    type Sleep: Future<Output = ()> + 'static;
    /// The current time, in milliseconds.
    fn now(&self) -> f64;
    /// A future that completes `ms` milliseconds from now. For `ms <= 0` (or NaN) it yields to the
    /// loop once and completes when next polled, like `asyncio.sleep(0)`: other ready tasks run
    /// first.
    fn sleep(&self, ms: f64) -> Self::Sleep;
    /// A timer `ms` from now, as `loop.call_later(ms, ...)` arms one: unlike [`Clock::sleep`], a
    /// delay of 0 (or less) arms a timer too, already due, which fires in the loop's next
    /// iteration (it takes its place in the timer heap: `asyncio.wait(timeout=0)`). A sleep by
    /// default.
    fn timer(&self, ms: f64) -> Self::Sleep {
        self.sleep(ms)
    }
    /// Called by [`crate::core::aio::Loop`] at the start of each pass over its ready tasks: the
    /// house-keeping asyncio's loop does at the start of each iteration. Nothing by default.
    fn start_iteration(&self) {}
    /// Holds the loop for `ms` (a program's `time.sleep`): no task and no timer runs meanwhile,
    /// and timers that come due fire late. The virtual clock moves its time on
    /// ([`VirtualClock::block`]); a real clock holds its thread that long ([`spin`]).
    fn block(&self, ms: f64);
}

/// Holds the thread until `clock`'s time has moved `ms` on (nothing for `ms <= 0` or not
/// finite): [`Clock::block`] of a real clock, whose time moves by itself.
pub fn spin(clock: &impl Clock, ms: f64) {
    if ms > 0.0 && ms.is_finite() {
        let end = clock.now() + ms;
        while clock.now() < end {
            std::hint::spin_loop();
        }
    }
}

/// Timers due this close to the earliest one fire with it: `time.monotonic()`'s resolution on
/// Linux (1 ns, here in ms), which asyncio adds to "now" when it collects due timers.
pub const CLOCK_RESOLUTION_MS: f64 = 1e-6;

/// asyncio rebuilds its timer heap when more than this many timers are scheduled...
const MIN_SCHEDULED_TIMERS: usize = 100;
/// ...and more than this fraction of them are cancelled.
const MIN_CANCELLED_FRACTION: f64 = 0.5;

/// A clock whose time only moves when every task is waiting on a timer.
///
/// Cloning is cheap and the clones share one timeline. Drive futures with [`VirtualClock::block_on`].
#[derive(Clone, Default)]
pub struct VirtualClock {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    now: Cell<f64>,
    /// Armed timers as a binary heap in CPython's `heapq` layout (see [`heap`]).
    heap: RefCell<Vec<HeapEntry>>,
    /// Timers armed so far: the next one's `armed` (a run arms far fewer than 2^32; a u32
    /// keeps a heap entry 16 bytes on wasm32).
    armed: Cell<u32>,
    /// Cancelled timers still in the heap, counted as asyncio counts them: a cancelled timer
    /// popped because it was due is not subtracted (asyncio does not either); a rebuild resets it.
    cancelled: Cell<usize>,
    /// Every armed timer's state, until it has left the heap and its sleep is gone.
    slots: RefCell<Slab<TimerSlot>>,
    /// Timers collected at the start of an iteration (already due: armed with no delay, or come
    /// due during a block): asyncio runs their callbacks at the end of that iteration, so their
    /// tasks wake at the start of the next one.
    late: RefCell<Vec<Waker>>,
    /// The wakers of the timers [`VirtualClock::fire_next`] fires, kept between firings so a run
    /// that fires thousands of times does not grow a list each time.
    due: RefCell<Vec<Waker>>,
    /// [`VirtualClock::fire_next`] began the iteration the loop's next pass runs (it woke that
    /// pass's tasks): the pass's [`Clock::start_iteration`] is not another iteration's start.
    begun: Cell<bool>,
}

/// One timer in the heap: its deadline, when it was armed (the how-manieth) and its slot.
#[derive(Clone, Copy)]
struct HeapEntry {
    when: f64,
    armed: u32,
    slot: usize,
}

#[derive(Default)]
struct TimerSlot {
    /// Popped from the heap: its deadline came (or it was dropped from the heap, cancelled).
    fired: bool,
    /// Its sleep was dropped while the timer was still in the heap.
    cancelled: bool,
    /// The sleep future is gone; the slot is freed when the heap lets go of it too.
    orphaned: bool,
    waker: Option<Waker>,
}

/// CPython's `heapq` (`Lib/heapq.py`, the same algorithm as its C module), ordered by deadline,
/// then by when the timer was armed (see the module's docs: a real clock's order for ties).
mod heap {
    use super::HeapEntry;

    fn less(a: &HeapEntry, b: &HeapEntry) -> bool {
        a.when < b.when || (a.when == b.when && a.armed < b.armed)
    }

    fn sift_down(heap: &mut [HeapEntry], start: usize, mut pos: usize) {
        let item = heap[pos];
        while pos > start {
            let parent = (pos - 1) >> 1;
            if less(&item, &heap[parent]) {
                heap[pos] = heap[parent];
                pos = parent;
                continue;
            }
            break;
        }
        heap[pos] = item;
    }

    fn sift_up(heap: &mut [HeapEntry], mut pos: usize) {
        let end = heap.len();
        let start = pos;
        let item = heap[pos];
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end && !less(&heap[child], &heap[right]) {
                child = right;
            }
            heap[pos] = heap[child];
            pos = child;
            child = 2 * pos + 1;
        }
        heap[pos] = item;
        sift_down(heap, start, pos);
    }

    pub fn push(heap: &mut Vec<HeapEntry>, item: HeapEntry) {
        heap.push(item);
        let last = heap.len() - 1;
        sift_down(heap, 0, last);
    }

    pub fn pop(heap: &mut Vec<HeapEntry>) -> Option<HeapEntry> {
        let last = heap.pop()?;
        if heap.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut heap[0], last);
        sift_up(heap, 0);
        Some(top)
    }

    pub fn heapify(heap: &mut [HeapEntry]) {
        for i in (0..heap.len() / 2).rev() {
            sift_up(heap, i);
        }
    }
}

/// The future returned by [`VirtualClock::sleep`]. Dropping it cancels the timer.
pub struct VirtualSleep {
    clock: VirtualClock,
    ms: f64,
    /// A [`Clock::timer`]: armed even when `ms` is 0 or less.
    timer: bool,
    state: SleepState,
}

enum SleepState {
    /// Not polled yet: a coroutine starts when awaited.
    New,
    /// A zero sleep that has handed control back to the loop once.
    Yielded,
    /// Waiting on the timer in this slot.
    Armed(usize),
}

impl Future for VirtualSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.state {
            SleepState::Armed(key) => {
                let mut slots = self.clock.inner.slots.borrow_mut();
                let slot = &mut slots[key];
                if slot.fired {
                    return Poll::Ready(());
                }
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            SleepState::Yielded => Poll::Ready(()),
            // `asyncio.sleep(0)`: a bare yield; the task goes to the back of the ready queue.
            SleepState::New if self.ms.is_nan() || self.ms <= 0.0 && !self.timer => {
                self.state = SleepState::Yielded;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            SleepState::New => {
                let key = self.clock.arm(self.ms, cx.waker().clone());
                self.state = SleepState::Armed(key);
                Poll::Pending
            }
        }
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        let SleepState::Armed(key) = self.state else { return };
        let mut slots = self.clock.inner.slots.borrow_mut();
        if slots[key].fired {
            slots.remove(key);
        } else {
            // Still in the heap (`TimerHandle.cancel()`): freed when the heap lets go of it.
            let slot = &mut slots[key];
            slot.cancelled = true;
            slot.orphaned = true;
            slot.waker = None;
            self.clock.inner.cancelled.set(self.clock.inner.cancelled.get() + 1);
        }
    }
}

impl Clock for VirtualClock {
    type Sleep = VirtualSleep;
    fn now(&self) -> f64 {
        self.inner.now.get()
    }
    fn sleep(&self, ms: f64) -> VirtualSleep {
        VirtualSleep { clock: self.clone(), ms, timer: false, state: SleepState::New }
    }
    fn timer(&self, ms: f64) -> VirtualSleep {
        VirtualSleep { clock: self.clone(), ms, timer: true, state: SleepState::New }
    }
    /// asyncio's prologue to each iteration: rebuild the heap without its cancelled timers when
    /// they are too many, else drop the cancelled ones at its head. Then it collects the timers
    /// already due (armed with no delay, or come due during a [`VirtualClock::block`]), late:
    /// asyncio runs their callbacks at the end of this iteration, so their tasks wake at the start
    /// of the next one.
    fn start_iteration(&self) {
        if !self.inner.begun.replace(false) {
            self.iteration();
        }
    }
    /// Time moves on (the thread is not held: see the inherent [`VirtualClock::block`]).
    fn block(&self, ms: f64) {
        VirtualClock::block(self, ms)
    }
}

impl VirtualClock {
    /// [`Clock::start_iteration`]; returns whether it woke a task.
    fn iteration(&self) -> bool {
        self.drop_cancelled();
        let late = std::mem::take(&mut *self.inner.late.borrow_mut());
        let woke = !late.is_empty();
        late.into_iter().for_each(Waker::wake);
        self.collect_due(&mut self.inner.late.borrow_mut());
        woke
    }

    fn drop_cancelled(&self) {
        let inner = &self.inner;
        let mut heap = inner.heap.borrow_mut();
        let mut slots = inner.slots.borrow_mut();
        let scheduled = heap.len();
        if scheduled > MIN_SCHEDULED_TIMERS && inner.cancelled.get() as f64 / scheduled as f64 > MIN_CANCELLED_FRACTION
        {
            heap.retain(|e| {
                let cancelled = slots[e.slot].cancelled;
                if cancelled {
                    slots.remove(e.slot);
                }
                !cancelled
            });
            heap::heapify(&mut heap);
            inner.cancelled.set(0);
            return;
        }
        while heap.first().is_some_and(|e| slots[e.slot].cancelled) {
            let entry = heap::pop(&mut heap).expect("a head");
            slots.remove(entry.slot);
            inner.cancelled.set(inner.cancelled.get().saturating_sub(1));
        }
    }
}

struct Flag(AtomicBool);
impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, AtomicOrdering::Release);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, AtomicOrdering::Release);
    }
}

/// Why [`VirtualClock::block_on`] returned without an output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stalled {
    /// The future is waiting on something that no timer will ever wake (a deadlock).
    Deadlock,
}

impl VirtualClock {
    /// A clock at time 0 with no timers.
    pub fn new() -> Self {
        Self::default()
    }

    /// CPU-bound work on the loop's own thread for `ms`: time moves on while no task and no timer
    /// can run. Timers that came due meanwhile are collected at the start of the loop's next
    /// iteration, late, and their tasks run in the one after (asyncio runs the timer's callback,
    /// which schedules the task), as on CPython's loop whose callback computed instead of awaiting
    /// (`scripts/cpu_block_reference.py`).
    pub fn block(&self, ms: f64) {
        if ms > 0.0 && ms.is_finite() {
            self.inner.now.set(self.inner.now.get() + ms);
        }
    }

    /// Takes, in heap order, every timer due by now (plus the clock's resolution) out of the heap,
    /// without moving time; adds their wakers to `wakers`.
    fn collect_due(&self, wakers: &mut Vec<Waker>) {
        let mut heap = self.inner.heap.borrow_mut();
        let mut slots = self.inner.slots.borrow_mut();
        let now = self.inner.now.get();
        let end = now + CLOCK_RESOLUTION_MS;
        while heap.first().is_some_and(|e| e.when < end || e.when <= now) {
            let entry = heap::pop(&mut heap).expect("a head");
            let slot = &mut slots[entry.slot];
            if slot.orphaned {
                slots.remove(entry.slot);
            } else {
                slot.fired = true;
                wakers.extend(slot.waker.take());
            }
        }
    }

    fn arm(&self, ms: f64, waker: Waker) -> usize {
        let key = self.inner.slots.borrow_mut().insert(TimerSlot { waker: Some(waker), ..TimerSlot::default() });
        let when = self.inner.now.get() + ms;
        let armed = self.inner.armed.get();
        self.inner.armed.set(armed.wrapping_add(1));
        heap::push(&mut self.inner.heap.borrow_mut(), HeapEntry { when, armed, slot: key });
        key
    }

    /// One iteration of asyncio's loop with nothing ready: jump to the earliest timer and fire
    /// every timer due by then (plus the clock's resolution), in heap order. Returns false if no
    /// timer is left.
    fn fire_next(&self) -> bool {
        self.inner.begun.set(false);
        let woke = self.iteration();
        if woke {
            // The tasks of timers collected in the last iteration are this one's: the loop's next
            // pass runs them. Timers this iteration collected wake theirs at the next one's start.
            self.inner.begun.set(true);
            return true;
        }
        // With nothing else ready, the timers this iteration collected (due already) fire now:
        // their callbacks are this iteration, their tasks the next one's.
        let late = std::mem::take(&mut *self.inner.late.borrow_mut());
        if !late.is_empty() {
            late.into_iter().for_each(Waker::wake);
            return true;
        }
        {
            let heap = self.inner.heap.borrow();
            let Some(head) = heap.first() else { return false };
            if head.when > self.inner.now.get() {
                self.inner.now.set(head.when);
            }
        }
        // `<= now` as well (in `collect_due`): past about 10^10 ms, adding the resolution no longer
        // changes a float, and asyncio's `when < now + resolution` would then never fire the timer.
        let mut due = std::mem::take(&mut *self.inner.due.borrow_mut());
        self.collect_due(&mut due);
        due.drain(..).for_each(Waker::wake);
        *self.inner.due.borrow_mut() = due;
        true
    }

    /// Runs `fut` to completion in virtual time and returns its output.
    ///
    /// The future is polled until it stops making progress; then time jumps to the next timer.
    /// If nothing can ever wake it again, returns [`Stalled::Deadlock`] rather than hanging.
    pub fn block_on<F: Future>(&self, fut: F) -> Result<F::Output, Stalled> {
        let flag = Arc::new(Flag(AtomicBool::new(true)));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let mut fut = pin!(fut);
        loop {
            while flag.0.swap(false, AtomicOrdering::AcqRel) {
                if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                    return Ok(out);
                }
            }
            if !self.fire_next() {
                return Err(Stalled::Deadlock);
            }
        }
    }
}

/// The one clock type the patterns are compiled for. Written against [`Clock`], the patterns and
/// [`crate::core::aio`] would otherwise be compiled once per clock (the virtual clock's prediction
/// and the browser's measured run): two copies of the same code in the page. Here the virtual
/// clock is kept as it is (its sleeps stay allocation-free, which a 100,000-task prediction
/// notices) and any other clock goes behind a `dyn` (a boxed sleep per timer, next to the
/// browser timer it arms anyway).
#[derive(Clone)]
pub struct RunClock(RunClockKind);

#[derive(Clone)]
enum RunClockKind {
    Virtual(VirtualClock),
    Other(Rc<dyn DynClock>),
}

/// [`Clock`] as a trait object.
trait DynClock {
    fn now(&self) -> f64;
    fn sleep(&self, ms: f64) -> Pin<Box<dyn Future<Output = ()>>>;
    fn timer(&self, ms: f64) -> Pin<Box<dyn Future<Output = ()>>>;
    fn start_iteration(&self);
    fn block(&self, ms: f64);
}

struct Erased<C>(C);

impl<C: Clock> DynClock for Erased<C> {
    fn now(&self) -> f64 {
        self.0.now()
    }
    fn sleep(&self, ms: f64) -> Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(self.0.sleep(ms))
    }
    fn timer(&self, ms: f64) -> Pin<Box<dyn Future<Output = ()>>> {
        Box::pin(self.0.timer(ms))
    }
    fn start_iteration(&self) {
        self.0.start_iteration()
    }
    fn block(&self, ms: f64) {
        self.0.block(ms)
    }
}

impl RunClock {
    /// `clock` as a [`RunClock`]: a virtual clock (or a `RunClock`) as it is, any other boxed.
    pub fn new<C: Clock>(clock: C) -> Self {
        let any: &dyn std::any::Any = &clock;
        if let Some(run) = any.downcast_ref::<RunClock>() {
            return run.clone();
        }
        RunClock(match any.downcast_ref::<VirtualClock>() {
            Some(virtual_clock) => RunClockKind::Virtual(virtual_clock.clone()),
            None => RunClockKind::Other(Rc::new(Erased(clock))),
        })
    }
}

/// The future returned by [`RunClock::sleep`].
pub struct RunSleep(RunSleepKind);

enum RunSleepKind {
    Virtual(VirtualSleep),
    Other(Pin<Box<dyn Future<Output = ()>>>),
}

impl Future for RunSleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Neither needs pinning: a VirtualSleep is Unpin, the other is already a Pin<Box>.
        match &mut self.get_mut().0 {
            RunSleepKind::Virtual(sleep) => Pin::new(sleep).poll(cx),
            RunSleepKind::Other(sleep) => sleep.as_mut().poll(cx),
        }
    }
}

impl Clock for RunClock {
    type Sleep = RunSleep;
    fn now(&self) -> f64 {
        match &self.0 {
            RunClockKind::Virtual(c) => c.now(),
            RunClockKind::Other(c) => c.now(),
        }
    }
    fn sleep(&self, ms: f64) -> RunSleep {
        RunSleep(match &self.0 {
            RunClockKind::Virtual(c) => RunSleepKind::Virtual(c.sleep(ms)),
            RunClockKind::Other(c) => RunSleepKind::Other(c.sleep(ms)),
        })
    }
    fn timer(&self, ms: f64) -> RunSleep {
        RunSleep(match &self.0 {
            RunClockKind::Virtual(c) => RunSleepKind::Virtual(c.timer(ms)),
            RunClockKind::Other(c) => RunSleepKind::Other(c.timer(ms)),
        })
    }
    fn start_iteration(&self) {
        match &self.0 {
            RunClockKind::Virtual(c) => c.start_iteration(),
            RunClockKind::Other(c) => c.start_iteration(),
        }
    }
    fn block(&self, ms: f64) {
        match &self.0 {
            RunClockKind::Virtual(c) => VirtualClock::block(c, ms),
            RunClockKind::Other(c) => c.block(ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_jump_time_and_order_by_deadline() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let order = Rc::new(RefCell::new(Vec::new()));
        let o = order.clone();
        let end = clock
            .block_on(async move {
                let a = {
                    let (c, o) = (c.clone(), o.clone());
                    async move {
                        c.sleep(30.0).await;
                        o.borrow_mut().push(("a", c.now()));
                    }
                };
                let b = {
                    let (c, o) = (c.clone(), o.clone());
                    async move {
                        c.sleep(10.0).await;
                        o.borrow_mut().push(("b", c.now()));
                    }
                };
                futures::join!(a, b);
                c.now()
            })
            .unwrap();
        assert_eq!(end, 30.0);
        assert_eq!(*order.borrow(), vec![("b", 10.0), ("a", 30.0)]);
    }

    #[test]
    fn a_dropped_sleep_does_not_move_time() {
        let clock = VirtualClock::new();
        let c = clock.clone();
        let outcome = clock.block_on(async move {
            {
                let long = c.sleep(1_000.0);
                let short = c.sleep(5.0);
                futures::pin_mut!(long, short);
                futures::future::select(long, short).await;
            } // the 1 s timer is dropped here, armed but never awaited again
            futures::future::pending::<()>().await
        });
        assert_eq!(outcome, Err(Stalled::Deadlock));
        assert_eq!(clock.now(), 5.0, "time must not jump to a dropped timer");
    }

    #[test]
    fn a_future_nobody_wakes_is_reported_as_deadlock() {
        let clock = VirtualClock::new();
        assert_eq!(clock.block_on(futures::future::pending::<()>()), Err(Stalled::Deadlock));
    }
}
