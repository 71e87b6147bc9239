//! `loop.call_later` / `loop.call_at` and the `TimerHandle` they return, and `coro.close()`.
//!
//! A handle's timer is armed in the clock's timer heap as CPython's `call_at` arms it (a delay of
//! 0 or less too: [`Clock::timer`]). `call_later(delay, task.cancel)` is exact: the timer's
//! waker requests the cancellation itself, when the timer fires, as asyncio's `_run_once` runs a
//! timer's callback at the end of the iteration that collected it, so the task is woken with
//! `CancelledError` in the next one, in timer order (a task whose sleep ends at the same instant
//! gets whichever comes first in the heap, as in CPython). Any other callable runs in a turn of
//! the loop of its own once its timer has fired: one iteration later than CPython runs it.

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use super::builtins::B;
use super::tasks::Sig;
use super::value::{Coro, Value};
use super::{ops, raise, Frame, Interp, Res, E};
use crate::core::clock::{Clock, RunSleep};

/// A `TimerHandle`: its deadline, and what its timer's waker and its helper task share.
pub struct TimerState {
    /// `handle.when()`: the loop time it fires at, in seconds.
    pub when: f64,
    pub cancelled: Cell<bool>,
    fire: Arc<FireWake>,
    /// The armed timer (dropping it takes the timer out of the heap, as `handle.cancel()`).
    sleep: std::cell::RefCell<Option<Pin<Box<RunSleep>>>>,
}

/// The timer's waker: marks it fired and, for `call_later(d, task.cancel)`, cancels the task then.
struct FireWake {
    fired: AtomicBool,
    cancel: Option<Arc<Sig>>,
    /// The helper task waiting for the timer (it runs any other callback, and keeps the timer).
    helper: Mutex<Option<Waker>>,
}

impl FireWake {
    fn wake_helper(&self) {
        if let Some(w) = self.helper.lock().ok().and_then(|mut h| h.take()) {
            w.wake();
        }
    }
}

impl Wake for FireWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.fired.swap(true, Ordering::AcqRel) {
            if let Some(sig) = &self.cancel {
                sig.request_cancel();
            }
            self.wake_helper();
        }
    }
}

impl<'a> Interp<'a> {
    /// `loop.call_later(delay, callback, *args)` (`at`: `loop.call_at(when, ...)`, `when` in
    /// `loop.time()`'s seconds): a `TimerHandle`.
    pub fn call_later(&self, at: bool, args: Vec<Value>, line: u32) -> Res {
        let name = if at { "call_at" } else { "call_later" };
        let mut args = args.into_iter();
        let (Some(time), Some(callback)) = (args.next(), args.next()) else {
            return raise(E::TypeError, format!("{name}() needs a time and a callback"));
        };
        let Some(time) = ops::as_f64(&time).filter(|t| !t.is_nan()) else {
            return raise(E::TypeError, format!("{name}() needs a number of seconds, not {}", time.type_name()));
        };
        if !callable(&callback) {
            return raise(E::TypeError, "a callable object was expected by call_later()");
        }
        let cb_args: Vec<Value> = args.collect();
        let now = self.ctx.rec.elapsed() / 1000.0;
        let when = if at { time } else { now + time };
        // A task's own `cancel`, without arguments: cancelled by the timer's waker, at once.
        let cancel = match (&callback, cb_args.is_empty()) {
            (Value::Method(m), true) if m.1 == B::TaskCancel => match &m.0 {
                Value::Task(t) => Some(t.sig.clone()),
                _ => None,
            },
            _ => None,
        };
        let exact = cancel.is_some();
        let fire = Arc::new(FireWake { fired: AtomicBool::new(false), cancel, helper: Mutex::new(None) });
        let mut sleep = Box::pin(self.ctx.clock.timer(((when - now) * 1000.0).min(1e12)));
        let waker = Waker::from(fire.clone());
        if sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_ready() {
            waker.wake_by_ref();
        }
        let state = Rc::new(TimerState {
            when,
            cancelled: Cell::new(false),
            fire,
            sleep: std::cell::RefCell::new(Some(sleep)),
        });
        // The helper keeps the timer armed however long the handle lives, and runs the callback.
        let (ip, st) = (self.rc(), state.clone());
        self.lp.spawn(async move {
            poll_fn(|cx| {
                if st.fire.fired.load(Ordering::Acquire) || st.cancelled.get() {
                    return Poll::Ready(());
                }
                if let Ok(mut h) = st.fire.helper.lock() {
                    *h = Some(cx.waker().clone());
                }
                Poll::Pending
            })
            .await;
            st.sleep.borrow_mut().take();
            if exact || st.cancelled.get() || !ip.running.get() {
                return;
            }
            let Some(main) = ip.tasks.borrow().first().cloned() else { return };
            let frame = Frame {
                scope: ip.globals.clone(),
                closure: None,
                task: main,
                name: "<callback>".into(),
                line: Cell::new(line),
                method_of: None,
            };
            // As asyncio logs a callback's exception (to stderr) and goes on, so does this.
            let _ = ip.call(callback, cb_args, Vec::new(), &frame, line).await;
        });
        Ok(Value::Obj(Rc::new(super::native::Obj::TimerHandle(state))))
    }

    /// `handle.cancel()`, `handle.cancelled()`, `handle.when()`.
    pub fn timer_method(&self, t: &TimerState, b: B) -> Res {
        match b {
            B::HandleCancel => {
                if !t.cancelled.replace(true) {
                    // Out of the heap (if it has not fired), and the helper let go.
                    t.sleep.borrow_mut().take();
                    t.fire.wake_helper();
                }
                Ok(Value::None)
            }
            B::HandleCancelled => Ok(Value::Bool(t.cancelled.get())),
            _ => Ok(Value::Float(t.when)),
        }
    }

    /// `coro.close()`: a coroutine never started is closed (awaiting it raises); closing one
    /// already started or finished does nothing here.
    pub fn coro_close(&self, c: &Coro) -> Res {
        c.started.set(true);
        Ok(Value::None)
    }
}

/// Whether `v` can be called (what `call_later` accepts as a callback).
fn callable(v: &Value) -> bool {
    match v {
        Value::Func(_) | Value::Bound(_) | Value::Builtin(_) | Value::Method(_) | Value::Class(_) => true,
        Value::Instance(i) => i.class.lookup("__call__").is_some(),
        _ => false,
    }
}
