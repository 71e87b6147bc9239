//! The clock abstraction every pattern is written against, and the virtual clock that runs them in
//! simulated time.
//!
//! A [`Clock`] gives the current time in milliseconds and a future that completes after a delay. The
//! browser runtime implements it over `performance.now()` and timers; [`VirtualClock`] implements it
//! with a single-threaded executor that, whenever nothing is ready to run, jumps time straight to the
//! next timer. A 100 ms sleep therefore costs no real time, and the same seed always gives the same
//! timeline.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
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
    /// A future that completes `ms` milliseconds from now (at once for `ms <= 0`).
    fn sleep(&self, ms: f64) -> Self::Sleep;
}

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
    /// Timers by deadline (as [`deadline_key`]), each a key into `slots`; equal deadlines fire in
    /// the order they were armed, as asyncio's do. Many sleepers share a deadline, so this holds far
    /// fewer entries than there are timers.
    timers: RefCell<BTreeMap<u64, Vec<usize>>>,
    /// Every armed timer's state, until both its deadline has passed and its sleep is gone.
    slots: RefCell<Slab<TimerSlot>>,
}

/// Orders deadlines, which are never negative (time starts at 0 and sleeps are > 0), by their bits.
fn deadline_key(deadline: f64) -> u64 {
    debug_assert!(deadline >= 0.0);
    deadline.to_bits()
}

struct TimerSlot {
    fired: bool,
    /// Its sleep was dropped before the deadline.
    cancelled: bool,
    waker: Option<Waker>,
}

/// The future returned by [`VirtualClock::sleep`]. Dropping it disarms the timer.
pub struct VirtualSleep {
    clock: VirtualClock,
    ms: f64,
    slot: Option<usize>,
}

impl Future for VirtualSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.slot {
            Some(key) => {
                let mut slots = self.clock.inner.slots.borrow_mut();
                let slot = &mut slots[key];
                if slot.fired {
                    return Poll::Ready(());
                }
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
            // Armed on first poll, like a coroutine that starts when awaited.
            None if self.ms <= 0.0 || self.ms.is_nan() => Poll::Ready(()),
            None => {
                let key = self.clock.arm(self.ms, cx.waker().clone());
                self.slot = Some(key);
                Poll::Pending
            }
        }
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        if let Some(key) = self.slot {
            let mut slots = self.clock.inner.slots.borrow_mut();
            if slots[key].fired {
                slots.remove(key);
            } else {
                // Still in `timers`: freed when its deadline comes.
                slots[key].cancelled = true;
                slots[key].waker = None;
            }
        }
    }
}

impl Clock for VirtualClock {
    type Sleep = VirtualSleep;
    fn now(&self) -> f64 {
        self.inner.now.get()
    }
    fn sleep(&self, ms: f64) -> VirtualSleep {
        VirtualSleep { clock: self.clone(), ms, slot: None }
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

    fn arm(&self, ms: f64, waker: Waker) -> usize {
        let key = self.inner.slots.borrow_mut().insert(TimerSlot { fired: false, cancelled: false, waker: Some(waker) });
        let deadline = self.inner.now.get() + ms;
        self.inner.timers.borrow_mut().entry(deadline_key(deadline)).or_default().push(key);
        key
    }

    /// Advances time to the earliest live timer and fires every timer due then. Returns false if
    /// no live timer is left.
    fn fire_next(&self) -> bool {
        let mut wakers = Vec::new();
        loop {
            let Some((deadline, due)) = self.inner.timers.borrow_mut().pop_first() else { return false };
            let mut slots = self.inner.slots.borrow_mut();
            let mut live = false;
            for key in due {
                if slots[key].cancelled {
                    slots.remove(key);
                } else {
                    live = true;
                    slots[key].fired = true;
                    wakers.extend(slots[key].waker.take());
                }
            }
            // Deadlines whose timers were all dropped do not move time.
            if live {
                self.inner.now.set(f64::from_bits(deadline));
                break;
            }
        }
        wakers.into_iter().for_each(Waker::wake);
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
