//! The browser clock: `performance.now()` for time, `setTimeout` for sleeps.
//!
//! Sleeps share gloo-timers `Timeout`s (`setTimeout`s), the way an event loop keeps one timer heap
//! rather than one OS timer per sleeper: a sleep joins a timer already armed to fire at or up to a
//! millisecond after its own deadline, else arms its own with `setTimeout(ceil(ms))`, as a
//! script would. A gather of 10,000 sleeps of 100 ms arms a few dozen timers, not 10,000, and no
//! sleep ever ends before its time.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use gloo_timers::callback::Timeout;

use crate::core::clock::Clock;

/// Real time on the page's event loop.
#[derive(Clone)]
pub struct BrowserClock {
    perf: Option<web_sys::Performance>,
}

impl BrowserClock {
    /// The page's clock. Falls back to `Date.now()` where `performance` is missing.
    pub fn new() -> Self {
        BrowserClock { perf: web_sys::window().and_then(|w| w.performance()) }
    }
}

impl Default for BrowserClock {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Default)]
struct Slot {
    /// When the sleep ends (`performance.now()` ms).
    deadline: f64,
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// Sleepers by the time their shared timer fires at the earliest (`performance.now()` in µs).
#[derive(Default)]
struct Timers {
    due: BTreeMap<i64, (Vec<Rc<Slot>>, Option<Timeout>)>,
    /// Timers that have fired, dropped when a sleep is next polled: not inside their own callback.
    spent: Vec<Timeout>,
}

thread_local! {
    static TIMERS: RefCell<Timers> = RefCell::default();
}

/// The timer keyed `key` went off: wake every sleeper whose deadline has come, on this timer or
/// on any other (as an event loop does on waking: every due timer, in deadline order, in one go,
/// so tasks whose sleeps end together all finish before what one of them causes can reach the
/// others). A timer that fired a fraction of a millisecond early by `performance.now()` (the two
/// clocks round differently) re-arms the rest: a sleep never ends early.
fn fire(key: i64, now: f64) {
    let (due, early) = TIMERS.with(|t| {
        let mut t = t.borrow_mut();
        let (slots, timeout) = t.due.remove(&key).unwrap_or_default();
        t.spent.extend(timeout);
        let (mut due, early): (Vec<_>, Vec<_>) = slots.into_iter().partition(|s| s.deadline <= now);
        // Another timer holds sleepers due by now only if it fires within a millisecond.
        let horizon = (now * 1000.0).clamp(0.0, 1e15) as i64 + 1000;
        let others: Vec<i64> = t.due.range(..=horizon).map(|(k, _)| *k).collect();
        for other in others {
            let entry = t.due.get_mut(&other).expect("listed");
            let (now_due, later): (Vec<_>, Vec<_>) = entry.0.drain(..).partition(|s| s.deadline <= now);
            due.extend(now_due);
            entry.0 = later;
            if entry.0.is_empty() {
                let (_, timeout) = t.due.remove(&other).expect("listed");
                t.spent.extend(timeout);
            }
        }
        (due, early)
    });
    for slot in early {
        arm(now, slot);
    }
    // In deadline order, ties in the order collected: an unstable sort with the index as the
    // tie-break orders them as a stable sort would, without linking the stable sort (~1.5 KB gzip).
    let mut due: Vec<(usize, Rc<Slot>)> = due.into_iter().enumerate().collect();
    due.sort_unstable_by(|(i, a), (j, b)| a.deadline.total_cmp(&b.deadline).then(i.cmp(j)));
    for (_, slot) in due {
        slot.fired.set(true);
        if let Some(w) = slot.waker.borrow_mut().take() {
            w.wake();
        }
    }
}

/// Adds a sleeper until its deadline (`now` is the time) on a timer that fires at or less than a
/// millisecond after it: one already armed, or a new one.
fn arm(now: f64, slot: Rc<Slot>) {
    let deadline = slot.deadline;
    let us = |ms: f64| (ms * 1000.0).clamp(0.0, 1e15);
    TIMERS.with(|t| {
        let mut t = t.borrow_mut();
        let earliest = us(deadline).ceil() as i64;
        if let Some((_, (slots, _))) = t.due.range_mut(earliest..earliest + 1000).next() {
            slots.push(slot);
            return;
        }
        // setTimeout takes whole milliseconds and never fires early; it also clamps nested
        // timers to >= 4 ms, one of the gaps between the predicted and the measured run.
        let delay = (deadline - now).ceil().clamp(0.0, f64::from(i32::MAX));
        // The key is at most the time it fires, so a later sleeper joins only a timer that fires
        // at or after its deadline.
        let key = us(now + delay).floor() as i64;
        let (slots, timeout) = t.due.entry(key).or_default();
        slots.push(slot);
        if timeout.is_none() {
            *timeout = Some(Timeout::new(delay as u32, move || fire(key, BrowserClock::new().now())));
        }
    });
}

/// When the earliest armed timer fires (`performance.now()` ms), if one is armed: the page keeps
/// its own heavy work (drawing a live run) away from it, so it does not make the sleep late.
pub fn next_due() -> Option<f64> {
    TIMERS.with(|t| t.borrow().due.keys().next().map(|us| *us as f64 / 1000.0))
}

/// The future returned by [`BrowserClock::sleep`]; armed when first polled.
pub struct BrowserSleep {
    clock: BrowserClock,
    ms: f64,
    slot: Option<Rc<Slot>>,
    /// A zero sleep that has yielded once.
    yielded: bool,
}

impl Future for BrowserSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `asyncio.sleep(0)`: no timer, one trip to the back of the run's ready queue, so the
        // other ready tasks run first (a `setTimeout(0)` would also wait for the 4 ms clamp).
        if self.ms <= 0.0 || self.ms.is_nan() {
            if self.yielded {
                return Poll::Ready(());
            }
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if let Some(slot) = &self.slot {
            if slot.fired.get() {
                return Poll::Ready(());
            }
            *slot.waker.borrow_mut() = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let now = self.clock.now();
        let ms = if self.ms.is_finite() { self.ms } else { f64::from(i32::MAX) };
        let slot = Rc::new(Slot { deadline: now + ms, ..Slot::default() });
        *slot.waker.borrow_mut() = Some(cx.waker().clone());
        // Polls run in microtasks, never inside a timer's callback: its Timeout can go now.
        TIMERS.with(|t| t.borrow_mut().spent.clear());
        arm(now, slot.clone());
        self.slot = Some(slot);
        Poll::Pending
    }
}

impl Drop for BrowserSleep {
    fn drop(&mut self) {
        // A cancelled sleeper only forgets its waker; its timer still fires, finding nobody.
        if let Some(slot) = &self.slot {
            slot.waker.borrow_mut().take();
        }
    }
}

impl Clock for BrowserClock {
    type Sleep = BrowserSleep;

    fn now(&self) -> f64 {
        match &self.perf {
            Some(p) => p.now(),
            None => js_sys::Date::now(),
        }
    }

    fn sleep(&self, ms: f64) -> BrowserSleep {
        BrowserSleep { clock: self.clone(), ms, slot: None, yielded: false }
    }

    /// The page's thread (or the interpreter's, which is the page's) is really held: it spins on
    /// `performance.now()` as inline CPU work computes, so nothing runs or draws meanwhile.
    fn block(&self, ms: f64) {
        crate::core::clock::spin(self, ms)
    }
}
