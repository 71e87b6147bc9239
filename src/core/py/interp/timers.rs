//! `loop.call_later` / `loop.call_at` and the `TimerHandle` they return, `loop.call_soon` and its
//! `Handle`, and `coro.close()`.
//!
//! A handle's timer is armed in the clock's timer heap as CPython's `call_at` arms it (a delay of
//! 0 or less too: [`Clock::timer`]), and its callback is a timer callback of the run's loop
//! ([`crate::core::aio::Loop::timer_callback`]): it runs in the iteration its timer comes due,
//! in heap order among the timers due with it, as asyncio's `_run_once` runs it, so what it does
//! (`task.cancel`, `event.set`, `queue.put_nowait`, a `print`) happens when CPython does it. It
//! runs outside any task (`current_task()` is `None`; what it prints goes to the main lane), and
//! an exception it raises is reported on Output, as asyncio's exception handler logs it
//! (`Exception in callback ...`), and the program goes on. A `call_soon` callback is a callback
//! of the loop's ready queue ([`crate::core::aio::Loop::call_soon`]), run in turn with the tasks
//! woken before it, as asyncio's `call_soon` appends to `_ready`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Waker};

use super::builtins::B;
use super::value::{Coro, Value};
use super::{fmt, ops, raise, Flow, Frame, Interp, Res, E};
use crate::core::clock::{Clock, RunSleep};
use crate::core::event::Kind;

/// A `TimerHandle`: its deadline, its armed timer and its callback's slot in the loop; or a
/// `Handle` (`call_soon`'s), which has no deadline and only its `cancelled` flag.
pub struct TimerState {
    /// `handle.when()`: the loop time it fires at, in seconds, as `call_at` was given it (an
    /// int stays one: CPython's `when=5`) or `call_later` computed it (`None`: a `Handle`).
    pub when: Option<Value>,
    pub cancelled: Cell<bool>,
    /// The armed timer (dropping it takes the timer out of the heap, as `handle.cancel()`).
    sleep: RefCell<Option<Pin<Box<RunSleep>>>>,
    /// The callback's slot in the loop ([`crate::core::aio::Loop::timer_callback`]).
    slot: Cell<Option<usize>>,
}

impl Default for TimerState {
    fn default() -> Self {
        TimerState { when: None, cancelled: Cell::new(false), sleep: RefCell::default(), slot: Cell::new(None) }
    }
}

impl TimerState {
    /// Takes the timer out of the heap if it has not fired (its callback will not run): what
    /// `handle.cancel()` does, less giving back its slot in the loop.
    pub fn disarm(&self) {
        self.cancelled.set(true);
        self.sleep.borrow_mut().take();
    }
}

impl<'a> Interp<'a> {
    /// `loop.call_soon(callback, *args)` (and `call_soon_threadsafe`): a `Handle`; the callback
    /// runs once the callbacks and tasks already ready have, outside any task.
    pub fn call_soon(&self, args: Vec<Value>, line: u32) -> Res {
        let mut args = args.into_iter();
        let Some(callback) = args.next().filter(callable) else {
            return raise(E::TypeError, "a callable object was expected by call_soon()");
        };
        let cb_args: Vec<Value> = args.collect();
        let state = Rc::new(TimerState::default());
        let (me, st) = (self.me.clone(), state.clone());
        self.lp.call_soon(move || match me.upgrade() {
            Some(ip) if !st.cancelled.get() && ip.running.get() => ip.run_callback(callback, cb_args, None, line),
            _ => {}
        });
        Ok(Value::Obj(Rc::new(super::native::Obj::TimerHandle(state))))
    }

    /// `loop.call_later(delay, callback, *args)` (`at`: `loop.call_at(when, ...)`, `when` in
    /// `loop.time()`'s seconds): a `TimerHandle`.
    pub fn call_later(&self, at: bool, args: Vec<Value>, line: u32) -> Res {
        let name = if at { "call_at" } else { "call_later" };
        let mut args = args.into_iter();
        let (Some(time), Some(callback)) = (args.next(), args.next()) else {
            return raise(E::TypeError, format!("{name}() needs a time and a callback"));
        };
        let Some(secs) = ops::as_f64(&time).filter(|t| !t.is_nan()) else {
            return raise(E::TypeError, format!("{name}() needs a number of seconds, not {}", time.type_name()));
        };
        if !callable(&callback) {
            return raise(E::TypeError, "a callable object was expected by call_later()");
        }
        let cb_args: Vec<Value> = args.collect();
        let now = self.ctx.rec.elapsed() / 1000.0;
        let (when, given) = if at { (secs, time) } else { (now + secs, Value::Float(now + secs)) };
        let me = self.me.clone();
        let shown = given.clone();
        let state = self.arm_timer(when, given, move || match me.upgrade() {
            Some(ip) if ip.running.get() => ip.run_callback(callback, cb_args, Some(shown), line),
            _ => {}
        });
        Ok(Value::Obj(Rc::new(super::native::Obj::TimerHandle(state))))
    }

    /// Arms a timer for loop time `when` (seconds) as `loop.call_at` arms one: `f` runs in the
    /// iteration it comes due, unless the handle is cancelled first ([`Interp::timer_method`]).
    /// `given` is `when` as its `when()` returns it.
    pub fn arm_timer(&self, when: f64, given: Value, f: impl FnOnce() + 'a) -> Rc<TimerState> {
        let now = self.ctx.rec.elapsed() / 1000.0;
        let state = Rc::new(TimerState { when: Some(given), cancelled: Cell::new(false), ..TimerState::default() });
        // The slot keeps the handle's timer armed however long the handle itself lives.
        let st = state.clone();
        let (slot, waker) = self.lp.timer_callback(move || {
            st.slot.set(None);
            st.sleep.borrow_mut().take();
            if !st.cancelled.get() {
                f();
            }
        });
        state.slot.set(Some(slot));
        let mut sleep = Box::pin(self.ctx.clock.timer(((when - now) * 1000.0).min(1e12)));
        if sleep.as_mut().poll(&mut Context::from_waker(&waker)).is_ready() {
            waker.wake_by_ref();
        }
        *state.sleep.borrow_mut() = Some(sleep);
        state
    }

    /// Runs a timer's callback (a `TimerHandle`'s, due at loop time `when`, or a `Handle`'s),
    /// outside any task (its prints go to the main lane): at once, as a callback cannot await.
    /// An exception it raises is reported on Output as asyncio's exception handler logs it, and
    /// the run goes on.
    pub fn run_callback(&self, callback: Value, args: Vec<Value>, when: Option<Value>, line: u32) {
        let Some(main) = self.tasks.borrow().first().cloned() else { return };
        // Outside any task, nothing is being handled: the main task's `except` block it runs
        // in the middle of gives its exceptions no `__context__`.
        let handling = std::mem::take(&mut *main.handling.borrow_mut());
        let main_task = main.clone();
        let ip = self.rc();
        let mut fut: Pin<Box<dyn Future<Output = Res> + 'a>> = Box::pin(async move {
            let frame = Frame::new(ip.globals.clone(), None, main, "<callback>".into(), line);
            // Its arguments are shown as they are once it has run, as asyncio logs them.
            let result = ip.call(callback.clone(), args.clone(), Vec::new(), &frame, line).await;
            ip.flush_stdout(&frame.task());
            match result {
                Err(flow @ (Flow::Exc(_) | Flow::Raise(..))) => {
                    ip.report_callback_error(&frame.task(), (&callback, &args, when), flow, line)
                }
                Err(Flow::Stop(msg)) => {
                    // Outside any task: the stop's message goes to the main lane.
                    let stopped = format!("awaitlab stopped the program: {msg}");
                    ip.mark(&frame.task(), Kind::Print, &stopped, line);
                    Err(Flow::Stop(msg))
                }
                other => other,
            }
        });
        let outside = self.in_callback.replace(true);
        let done = fut.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_ready();
        *main_task.handling.borrow_mut() = handling;
        self.in_callback.set(outside);
        if !done {
            // Not reached (a callback's code cannot await); finished as a task rather than lost.
            self.lp.spawn(async move {
                let _ = fut.await;
            });
        }
    }

    /// `Exception in callback boom() at line 3`, `handle: <Handle boom() at line 3>` and the
    /// exception's traceback, on `task`'s lane: what asyncio's default exception handler logs
    /// (its message, then its context's `handle`), in awaitlab's words for a place in the
    /// program (`line 3` for CPython's `<file>:3`, as a traceback's frames). `handle` is the
    /// callback, its arguments and, for a `TimerHandle`, the loop time it was due at.
    fn report_callback_error(
        &self,
        task: &Rc<super::TaskObj>,
        (callback, args, when): (&Value, &[Value], Option<Value>),
        flow: Flow,
        line: u32,
    ) -> Res {
        let exc = self.exc_of(flow);
        let shown = callback_repr(callback, &self.short_reprs(args)?);
        let handle = match when {
            // CPython's `f'when={self._when}'`: `when=5` for `call_at(5, ...)`.
            Some(when) => format!("<TimerHandle when={} {shown}>", fmt::to_str(&when)),
            None => format!("<Handle {shown}>"),
        };
        self.check_events(line)?;
        self.mark(task, Kind::Print, &format!("Exception in callback {shown}"), line);
        self.check_events(line)?;
        self.mark(task, Kind::Print, &format!("handle: {handle}"), line);
        self.print_traceback(task, &exc, super::traceback::Printer::Logging);
        Ok(Value::None)
    }

    /// `reprlib.repr` of each of `values` (asyncio's for a callback's arguments), Python's `<`
    /// sorting a set's items and a dict's keys; each comparison and each byte made counted as
    /// work. Only as many as fill a printed line: the line is cut there anyway, and a callback
    /// given 100,000 arguments, each a 6-deep nest of 6-item lists (a few objects, aliased), would
    /// otherwise build gigabytes of text no step limit sees.
    fn short_reprs(&self, values: &[Value]) -> Result<Vec<String>, Flow> {
        let compared = std::cell::Cell::new(0usize);
        let order = |a: &Value, b: &Value| {
            compared.set(compared.get() + 1);
            self.order(a, b, "<").ok()
        };
        let (mut shown, mut made) = (Vec::new(), 0);
        for v in values {
            if made > crate::core::budget::MAX_PRINT_BYTES {
                break;
            }
            let text = fmt::reprlib(v, &order);
            made += text.len() + 2;
            shown.push(text);
        }
        self.work(compared.get() + made)?;
        Ok(shown)
    }

    /// `handle.cancel()`, `handle.cancelled()`, `handle.when()`.
    pub fn timer_method(&self, t: &TimerState, b: B) -> Res {
        match b {
            B::HandleCancel => {
                if !t.cancelled.replace(true) {
                    t.disarm();
                    if let Some(slot) = t.slot.take() {
                        self.lp.forget_timer_callback(slot);
                    }
                }
                Ok(Value::None)
            }
            B::HandleCancelled => Ok(Value::Bool(t.cancelled.get())),
            _ => Ok(t.when.clone().unwrap_or(Value::None)),
        }
    }

    /// `coro.close()`: a coroutine never started is closed (awaiting it raises); closing one
    /// already started or finished does nothing here.
    pub fn coro_close(&self, c: &Coro) -> Res {
        c.started.set(true);
        c.disarm();
        Ok(Value::None)
    }
}

/// How asyncio's exception handler names a callback (`_format_callback_source`): its
/// `__qualname__` (`boom`, `main.<locals>.inner`, `Client.on_done`, `Event.set`) and arguments
/// (`args`, already shortened by `reprlib`), then, for a plain function (a lambda too, not a
/// method: `inspect.isfunction`), where it was defined: ` at line 3` (CPython: ` at <file>:3`).
fn callback_repr(callback: &Value, args: &[String]) -> String {
    let name = match callback {
        Value::Func(f) => f.qualname().to_string(),
        Value::Bound(b) => b.1.qualname().to_string(),
        // A method descriptor's qualified name is its type's: `str.lower`.
        Value::Method(m) => match &m.0 {
            Value::Builtin(t) if t.is_type() => format!("{}.{}", t.name(), m.1.name()),
            recv => format!("{}.{}", recv.type_name(), m.1.name()),
        },
        Value::Builtin(b) => b.name().to_string(),
        Value::Class(c) => c.name.to_string(),
        other => fmt::repr(other),
    };
    match callback {
        Value::Func(f) => format!("{name}({}) at line {}", args.join(", "), f.first_line()),
        _ => format!("{name}({})", args.join(", ")),
    }
}

/// Whether `v` can be called (what `call_later` accepts as a callback).
pub fn callable(v: &Value) -> bool {
    match v {
        Value::Func(_) | Value::Bound(_) | Value::Builtin(_) | Value::Method(_) | Value::Class(_) => true,
        Value::Instance(i) => i.class.lookup("__call__").is_some(),
        _ => false,
    }
}
