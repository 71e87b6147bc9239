//! `asyncio.Future()` and `loop.create_future()`: a result the program sets itself, which tasks
//! await (the asyncio docs' `set_after` example), as CPython 3.12's `_asyncio.Future`.
//!
//! Who hears of its end is kept in the order they asked, as CPython's `_callbacks`: the tasks
//! awaiting it are woken and its done callbacks scheduled (`call_soon(cb, fut)`) in that order, in
//! the loop's one ready queue. A task cancelled while it awaits the future cancels the future, as
//! `Task.cancel()` does; here that happens as the task takes the cancellation, so other tasks
//! awaiting the same future hear of it an iteration later than in CPython. A future given to
//! `gather`, `wait_for`, `shield` or `as_completed` is awaited in a task of its own (a lane),
//! where CPython adds a callback to it; `wait` refuses it. Not here: `get_loop()`, and asyncio's
//! "Future exception was never retrieved" log.

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;

use super::builtins::B;
use super::native::{FutState, Listener, Obj, Waiter};
use super::value::Value;
use super::{raise, Flow, Frame, Interp, Res, E};
use crate::core::event::Phase;

impl Interp<'_> {
    /// `await fut`: its result, its exception raised, or a CancelledError.
    pub async fn future_wait(&self, o: &Rc<Obj>, s: &FutState, f: &Frame, line: u32) -> Res {
        if s.outcome.borrow().is_none() {
            let task = f.task();
            let w = Rc::new(Waiter::of_task(self.cancel_probe(&task)));
            s.listeners.borrow_mut().push(Listener::Task(w.clone()));
            let span = self.span(&task, Phase::Wait, line)?;
            let waited = self.suspend(&task, pin!(w.wait()).as_mut()).await;
            s.listeners.borrow_mut().retain(|l| !matches!(l, Listener::Task(x) if Rc::ptr_eq(x, &w)));
            if let Err(why) = waited {
                super::library::close_interrupted(span, why, "Future");
                if s.outcome.borrow().is_none() {
                    self.future_end(o, s, Err(self.cancelled_error(None)), true, line);
                }
                return Err(self.interrupted(&task, why));
            }
            span.end_with("Future");
        }
        self.future_result(s)
    }

    /// A method of a Future: `set_result`, `set_exception`, `result`, `exception`, `done`,
    /// `cancelled`, `cancel`, `add_done_callback`, `remove_done_callback`.
    pub fn future_method(&self, o: &Rc<Obj>, s: &FutState, b: B, args: Vec<Value>, f: &Frame, line: u32) -> Res {
        let done = s.outcome.borrow().is_some();
        let arg = args.into_iter().next();
        match b {
            B::FutSetResult | B::FutSetException if done => raise(E::InvalidStateError, "invalid state"),
            B::FutSetResult => {
                self.future_end(o, s, Ok(arg.unwrap_or(Value::None)), false, line);
                Ok(Value::None)
            }
            B::FutSetException => {
                let exc = self.future_exception_of(arg.unwrap_or(Value::None), f)?;
                self.future_end(o, s, Err(exc), false, line);
                Ok(Value::None)
            }
            B::TaskResult => self.future_result(s),
            B::TaskException => match &*s.outcome.borrow() {
                None => raise(E::InvalidStateError, "Exception is not set."),
                Some(Err(e)) if s.cancelled.get() => Err(Flow::Exc(Box::new(e.clone()))),
                Some(Err(e)) => Ok(e.value.clone()),
                Some(Ok(_)) => Ok(Value::None),
            },
            B::TaskDone => Ok(Value::Bool(done)),
            B::TaskCancelled => Ok(Value::Bool(s.cancelled.get())),
            B::TaskCancel if done => Ok(Value::Bool(false)),
            B::TaskCancel => {
                let msg = arg.filter(|m| !matches!(m, Value::None)).map(|m| super::fmt::to_str(&m));
                self.future_end(o, s, Err(self.cancelled_error(msg)), true, line);
                Ok(Value::Bool(true))
            }
            B::TaskAddDoneCallback => match arg {
                Some(cb) if super::timers::callable(&cb) => {
                    if done {
                        self.call_soon(vec![cb, Value::Obj(o.clone())], line)?;
                    } else {
                        s.listeners.borrow_mut().push(Listener::Callback(cb));
                    }
                    Ok(Value::None)
                }
                _ => raise(E::TypeError, "add_done_callback() takes a callable"),
            },
            B::FutRemoveDoneCallback => {
                let cb = arg.unwrap_or(Value::None);
                let mut listeners = s.listeners.borrow_mut();
                let before = listeners.len();
                listeners.retain(|l| !matches!(l, Listener::Callback(x) if super::value::eq(x, &cb)));
                Ok(Value::Int((before - listeners.len()) as i64))
            }
            _ => self.no_such(&Value::Obj(o.clone()), b.name()),
        }
    }

    /// Its end: the outcome kept, then who asked told in order (tasks woken, callbacks
    /// scheduled).
    fn future_end(&self, o: &Rc<Obj>, s: &FutState, outcome: Result<Value, super::Exc>, cancelled: bool, line: u32) {
        s.cancelled.set(cancelled);
        *s.outcome.borrow_mut() = Some(outcome);
        let listeners = std::mem::take(&mut *s.listeners.borrow_mut());
        for listener in listeners {
            match listener {
                Listener::Task(w) => w.wake(),
                Listener::Callback(cb) => {
                    let _ = self.call_soon(vec![cb, Value::Obj(o.clone())], line);
                }
            }
        }
    }

    fn future_result(&self, s: &FutState) -> Res {
        match &*s.outcome.borrow() {
            None => raise(E::InvalidStateError, "Result is not set."),
            Some(Ok(v)) => Ok(v.clone()),
            Some(Err(e)) => Err(Flow::Exc(Box::new(e.clone()))),
        }
    }

    fn cancelled_error(&self, msg: Option<String>) -> super::Exc {
        self.exc_of(Flow::Raise(E::CancelledError, msg.unwrap_or_default()))
    }

    /// `set_exception(e)`'s exception: an instance, or a class called with no arguments.
    fn future_exception_of(&self, v: Value, f: &Frame) -> Result<super::Exc, Flow> {
        let v = match v {
            Value::Class(_) => self.call_plain(v, Vec::new(), f, "an exception class")?,
            v => v,
        };
        match &v {
            Value::Instance(i) if i.class.derives_from_builtin("StopIteration") => {
                raise(E::TypeError, "StopIteration interacts badly with generators and cannot be raised into a Future")
            }
            Value::Instance(i) if i.class.derives_from_builtin("BaseException") => Ok(super::Exc::new(v)),
            _ => raise(E::TypeError, "invalid exception object"),
        }
    }
}

/// A Future's repr, CPython's once it is done (`<Future finished result=42>`); a pending one's
/// without the callbacks CPython lists (`cb=[Task.task_wakeup()]`). A future inside its own
/// result is `...`, as `reprlib.recursive_repr` writes it (unguarded, it overflowed the stack).
pub fn repr(s: &FutState) -> String {
    thread_local!(static OPEN: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) });
    let me = s as *const FutState as usize;
    if OPEN.with(|open| open.borrow().contains(&me)) {
        return "...".into();
    }
    // A chain of futures, each the next one's result: cut where `reprlib` has long since
    // shortened what is inside to its first and last characters.
    if OPEN.with(|open| open.borrow().len() >= 16) {
        return "<Future ...>".into();
    }
    OPEN.with(|open| open.borrow_mut().push(me));
    let out = repr_once(s);
    OPEN.with(|open| open.borrow_mut().retain(|&p| p != me));
    out
}

fn repr_once(s: &FutState) -> String {
    match &*s.outcome.borrow() {
        None => "<Future pending>".into(),
        Some(_) if s.cancelled.get() => "<Future cancelled>".into(),
        Some(Ok(v)) => format!("<Future finished result={}>", super::fmt::reprlib(v, &super::fmt::plain_order)),
        Some(Err(e)) => {
            format!("<Future finished exception={}>", super::fmt::reprlib(&e.value, &super::fmt::plain_order))
        }
    }
}
